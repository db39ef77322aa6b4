//! `p2review import x12 FILE... --context CONTEXT.yaml [-o QUEUE] [--all]` (docs/x12-mapping.md)
//! and `p2review import fhir-consent FILE|DIR... --context CONTEXT.yaml [-o OUT]` (docs/fhir.md).

use std::io::Write;

use color_eyre::eyre::{self, WrapErr};

use super::Ctx;
use super::args::*;
use crate::import::flag::ProgramMatch;
use crate::import::{self, PseudonymKey};

pub fn run(ctx: &Ctx, cmd: ImportCommand) -> eyre::Result<u8> {
    match cmd {
        ImportCommand::X12(a) => x12(ctx, &a),
        ImportCommand::FhirConsent(a) => fhir_consent(ctx, &a),
    }
}

/// Reads every file first (one unreadable or malformed file: nothing written, exit 2), maps
/// each Consent, checks that the result loads as a queue, then writes it and reports one
/// line per resource.
fn fhir_consent(ctx: &Ctx, a: &ImportFhirConsentArgs) -> eyre::Result<u8> {
    use crate::import::fhir;
    let files = fhir::read::expand(&a.files).map_err(|e| eyre::eyre!("{e}"))?;
    if files.is_empty() {
        eyre::bail!(
            "no *.json or *.ndjson file in the given directories; nothing was written (name the files)"
        );
    }
    let input = fhir::read_files(&files).map_err(|e| eyre::eyre!("{e}"))?;
    let context = crate::queue::load_path(&a.context)
        .map_err(|e| eyre::eyre!("context {e}"))?
        .queue;
    let key = PseudonymKey::load_or_create(&ctx.data.pseudonym_key())?;
    let opts = fhir::Options {
        statements_on_form: a.statements_on_form,
    };
    let (queue, report, counts) = fhir::build_context(&context, &input, &key, &opts);
    let text = import::to_yaml(&queue).wrap_err("cannot serialize the context")?;
    // What is written must load as a context (a bug here must not leave a broken file).
    crate::queue::load_bytes(text.as_bytes(), "the imported context").map_err(|e| {
        eyre::eyre!("the imported context would not load ({e}); nothing was written")
    })?;
    match &a.output {
        Some(path) => import::write_atomic(path, text.as_bytes()).wrap_err_with(|| {
            format!(
                "{}: cannot write the context",
                crate::text::escape(&path.display().to_string())
            )
        })?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .wrap_err("cannot write the context to standard output")?;
        }
    }
    for line in &report {
        eprintln!("p2review: {line}");
    }
    eprintln!(
        "p2review: {} file(s), {} Consent(s): {} imported, {} skipped{}{}{}",
        input.files,
        counts.consents,
        counts.imported,
        counts.skipped,
        match counts.other {
            0 => String::new(),
            n => format!(", {n} other resource(s) not read"),
        },
        match counts.pseudonyms {
            0 => String::new(),
            n => format!(
                "; {n} patient(s) pseudonymized (list their identifier system under \
                 fhir_identifier_systems and their id under member_ids to match)"
            ),
        },
        match &a.output {
            Some(p) => format!(" to {}", crate::text::escape(&p.display().to_string())),
            None => String::new(),
        }
    );
    Ok(super::exit::OK)
}

fn x12(ctx: &Ctx, a: &ImportX12Args) -> eyre::Result<u8> {
    // Read every file before touching the key or the output: one bad file, nothing written.
    let mut claims = Vec::new();
    for f in &a.files {
        claims.extend(import::read_file(f).map_err(|e| {
            eyre::eyre!("{e}; nothing was written (fix or leave out this file and run again)")
        })?);
    }
    let Some(context_path) = &a.context else {
        return init_context(a, &claims);
    };
    let context = crate::queue::load_path(context_path)
        .map_err(|e| eyre::eyre!("context {e}"))?
        .queue;
    let key = PseudonymKey::load_or_create(&ctx.data.pseudonym_key())?;
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
    let matched_none = claims
        .iter()
        .all(|c| ProgramMatch::find(&context.programs, c).chosen().is_none());
    if summary.flagged == 0 && matched_none && !claims.is_empty() {
        eprintln!(
            "{}",
            no_program_matched(claims.len(), &import::npis_seen(&claims))
        );
    }
    Ok(super::exit::OK)
}

/// Why nothing was flagged when no context program matched: the claim count and the NPIs
/// seen (organization identifiers, not PHI) and what to do.
fn no_program_matched(claims: usize, npis: &std::collections::BTreeSet<&str>) -> String {
    let seen = match npis.is_empty() {
        true => "no provider NPIs".to_owned(),
        false => format!(
            "NPIs seen: {}",
            npis.iter()
                .map(|n| crate::text::escape(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "p2review: 0 flagged: no program in the context matched the NPI or taxonomy of any of \
         the {claims} claim(s) ({seen}); list your Part 2 programs' NPIs under `programs[].npis` \
         (`p2review import x12 FILE... --init-context` writes a skeleton)"
    )
}

/// `--init-context`: writes the skeleton to `-o` (never over an existing file) or stdout.
fn init_context(a: &ImportX12Args, claims: &[import::RawClaim]) -> eyre::Result<u8> {
    let text = import::context_skeleton(claims);
    match &a.output {
        Some(path) => {
            let shown = crate::text::escape(&path.display().to_string()).to_string();
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => eyre::eyre!(
                        "{shown}: already exists; nothing was written (choose another -o path or \
                         move the file away: a context is never overwritten)"
                    ),
                    _ => eyre::eyre!("{shown}: cannot create the context skeleton: {e}"),
                })?;
            f.write_all(text.as_bytes())
                .and_then(|()| f.sync_all())
                .wrap_err_with(|| format!("{shown}: cannot write the context skeleton"))?;
            eprintln!(
                "p2review: context skeleton from {} claim(s) written to {shown}; confirm every \
                 program's `part2` and every payer's `kind` before importing with --context",
                claims.len()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .wrap_err("cannot write the context skeleton to standard output")?;
        }
    }
    Ok(super::exit::OK)
}
