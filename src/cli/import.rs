//! `p2review import x12 FILE... --context CONTEXT.yaml [-o QUEUE] [--all]` (docs/x12-mapping.md).

use std::io::Write;

use color_eyre::eyre::{self, WrapErr};

use super::Ctx;
use super::args::*;
use crate::import::{self, PseudonymKey};

pub fn run(ctx: &Ctx, cmd: ImportCommand) -> eyre::Result<u8> {
    match cmd {
        ImportCommand::X12(a) => x12(ctx, &a),
    }
}

fn x12(ctx: &Ctx, a: &ImportX12Args) -> eyre::Result<u8> {
    let context = crate::queue::load_path(&a.context)
        .map_err(|e| eyre::eyre!("context {e}"))?
        .queue;
    // Read every file before touching the key or the output: one bad file, nothing written.
    let mut claims = Vec::new();
    for f in &a.files {
        claims.extend(import::read_file(f).map_err(|e| {
            eyre::eyre!("{e}; nothing was written (fix or leave out this file and run again)")
        })?);
    }
    let key = PseudonymKey::load_or_create(&ctx.data.pseudonym_key()).map_err(eyre::Report::msg)?;
    let (queue, summary) =
        import::build_queue(&context, &claims, &key, import::ValueSet::bundled(), a.all);
    let text = import::to_yaml(&queue).wrap_err("cannot serialize the queue")?;
    match &a.output {
        Some(path) => import::write_atomic(path, text.as_bytes()).wrap_err_with(|| {
            format!(
                "{}: cannot write the queue",
                crate::text::escape(&path.display().to_string())
            )
        })?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .wrap_err("cannot write the queue to standard output")?;
        }
    }
    eprintln!(
        "p2review: {} file(s), {} claim(s), {} flagged, {} disclosure(s) written{}{}",
        a.files.len(),
        summary.claims,
        summary.flagged,
        summary.written,
        if summary.unmatched > 0 {
            format!(
                ", {} with no matching program (program `{}`)",
                summary.unmatched,
                import::UNMATCHED
            )
        } else {
            String::new()
        },
        match &a.output {
            Some(p) => format!(" to {}", crate::text::escape(&p.display().to_string())),
            None => String::new(),
        }
    );
    Ok(super::exit::OK)
}
