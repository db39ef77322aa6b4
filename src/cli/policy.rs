//! `p2review policy check [PATH]` and `p2review policy test SCENARIOS...` (SPEC §2, §8).

use std::path::Path;

use color_eyre::eyre;

use super::Ctx;
use super::args::*;
use crate::engine::Engine;
use crate::policy::{self, scenario};

pub fn run(ctx: &Ctx, cmd: PolicyCommand) -> eyre::Result<u8> {
    match cmd {
        PolicyCommand::Check(a) => check(a.path.as_deref().or(ctx.global.policy.as_deref())),
        PolicyCommand::Test(a) => test(ctx, &a),
    }
}

/// Validate every file; exit 1 if any is invalid, 2 (an `Err`) if PATH cannot be read.
fn check(path: Option<&Path>) -> eyre::Result<u8> {
    let mut loaded = Vec::new();
    let mut bad = 0usize;
    match path {
        None => {
            for (name, text) in policy::BUNDLED {
                let origin = format!("bundled:{name}");
                match policy::parse(text, &origin) {
                    Ok(p) => loaded.push(p),
                    Err(e) => {
                        bad += 1;
                        println!("error: {}", crate::text::escape(&e.message));
                    }
                }
            }
        }
        Some(p) => {
            for f in policy::files_at(p)? {
                // A file that cannot be read at all is an operational error (exit 2).
                std::fs::metadata(&f)
                    .map_err(|e| eyre::eyre!("{}: cannot read: {e}", f.display()))?;
                match policy::load_file(&f) {
                    Ok(p) => loaded.push(p),
                    Err(e) => {
                        bad += 1;
                        println!("error: {}", crate::text::escape(&e.message));
                    }
                }
            }
        }
    }
    for kind in [policy::PolicyKind::Part2, policy::PolicyKind::Hipaa] {
        if let Err(e) = policy::check_overlaps(loaded.iter().filter(|p| p.kind == kind)) {
            bad += 1;
            println!("error: {}", crate::text::escape(&e.message));
        }
    }
    for p in &loaded {
        println!(
            "ok {}: {} version {} ({} rules, in force from {}{}) sha256 {}",
            crate::text::escape(&p.origin),
            p.reference.id,
            crate::text::escape(&p.reference.version),
            p.rules.len(),
            p.effective_from,
            p.effective_to
                .map(|t| format!(" to {t}"))
                .unwrap_or_default(),
            p.reference.sha256
        );
    }
    Ok(if bad > 0 {
        super::exit::PROBLEM
    } else {
        super::exit::OK
    })
}

fn test(ctx: &Ctx, args: &PolicyTestArgs) -> eyre::Result<u8> {
    let engine = Engine::load(ctx.global.policy.as_deref())?;
    let paths: Vec<&Path> = args.scenarios.iter().map(|p| p.as_path()).collect();
    let today = chrono::Local::now().date_naive();
    let report = scenario::run(&engine, &paths, today).map_err(eyre::Report::msg)?;
    for f in &report.failures {
        println!("{f}");
    }
    println!("{}", report.summary());
    Ok(if report.failed > 0 {
        super::exit::PROBLEM
    } else {
        super::exit::OK
    })
}
