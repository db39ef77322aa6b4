//! `p2review policy check [PATH]` and `p2review policy test SCENARIOS...` (docs/cli.md).

use std::path::Path;

use color_eyre::eyre;

use super::Ctx;
use super::args::*;
use crate::engine::Engine;
use crate::engine::scenario;
use crate::policy;

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
                        outln!("error: {}", crate::text::escape(&e.message))?;
                    }
                }
            }
            // Earlier releases are kept for lookups only: they must parse, but they are
            // not versions in force, so they take no part in the overlap check.
            for (name, text) in policy::RELEASED {
                match policy::parse(text, &format!("released:{name}")) {
                    Ok(p) => outln!(
                        "ok released:{name}: {} version {} (superseded; kept for looking up entries made under it)",
                        p.kind.id(),
                        crate::text::escape(&p.reference.version)
                    )?,
                    Err(e) => {
                        bad += 1;
                        outln!("error: {}", crate::text::escape(&e.message))?;
                    }
                }
            }
        }
        Some(p) => {
            for f in policy::files_at(p)? {
                // A file that cannot be read at all is an operational error (exit 2);
                // one that reads but does not validate is a finding (exit 1).
                let bytes = std::fs::read(&f)
                    .map_err(|e| eyre::eyre!("{}: cannot read: {e}", f.display()))?;
                let parsed = std::str::from_utf8(&bytes)
                    .map_err(|e| policy_error(format!("{}: not UTF-8 text ({e})", f.display())))
                    .and_then(|text| policy::parse(text, &f.display().to_string()));
                match parsed {
                    Ok(p) => loaded.push(p),
                    Err(e) => {
                        bad += 1;
                        outln!("error: {}", crate::text::escape(&e.message))?;
                    }
                }
            }
        }
    }
    for kind in [policy::PolicyKind::Part2, policy::PolicyKind::Hipaa] {
        if let Err(e) = policy::check_overlaps(loaded.iter().filter(|p| p.kind == kind)) {
            bad += 1;
            outln!("error: {}", crate::text::escape(&e.message))?;
        }
    }
    for p in &loaded {
        let encoded: std::collections::BTreeSet<&str> = p
            .rules
            .iter()
            .flat_map(|r| r.rows.iter().map(String::as_str))
            .collect();
        let not_modelled: usize = p.not_modelled.iter().map(|n| n.rows.len()).sum();
        let rows = if p.kind == policy::PolicyKind::Part2 {
            format!(
                ", {} reference rows encoded, {not_modelled} not modelled",
                encoded.len()
            )
        } else {
            String::new()
        };
        outln!(
            "ok {}: {} version {} ({} rules{rows}, in force from {}{}) sha256 {}",
            crate::text::escape(&p.origin),
            p.reference.id,
            crate::text::escape(&p.reference.version),
            p.rules.len(),
            p.effective_from,
            p.effective_to
                .map(|t| format!(" to {t}"))
                .unwrap_or_default(),
            p.reference.sha256
        )?;
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
    let report = scenario::run(&engine, &paths, today)?;
    for f in &report.failures {
        outln!("{f}")?;
    }
    outln!("{}", report.summary())?;
    Ok(if report.failed > 0 {
        super::exit::PROBLEM
    } else {
        super::exit::OK
    })
}

fn policy_error(message: String) -> crate::policy::PolicyError {
    crate::policy::PolicyError { message }
}
