//! `p2review log verify|checkpoint` (SPEC §6.4–§6.5). `show`, `review` and `accounting`
//! belong to another issue.

use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{self, WrapErr, bail, eyre};

use super::Ctx;
use super::args::*;
use crate::log::chain::Chain;
use crate::log::checkpoint;
use crate::log::entry::LogKind;
use crate::log::keys::{self, Signer};
use crate::log::trust::{Trust, parse_allowed_signers};
use crate::log::verify::{VerifyOptions, stream_file, verify_file_parallel};

pub fn run(ctx: &Ctx, cmd: LogCommand) -> eyre::Result<u8> {
    match cmd {
        LogCommand::Verify(a) => verify(ctx, &a),
        LogCommand::Checkpoint(a) => make_checkpoint(ctx, &a),
        LogCommand::Show(_) => super::not_yet("log show"),
        LogCommand::Review(_) => super::not_yet("log review"),
        LogCommand::Accounting(_) => super::not_yet("log accounting"),
    }
}

/// The lock timeout: `lock_timeout` (seconds) in config.yaml, else the default.
pub(crate) fn lock_timeout(ctx: &Ctx) -> Duration {
    std::fs::read_to_string(ctx.data.config())
        .ok()
        .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
        .and_then(|v| v.get("lock_timeout").and_then(|x| x.as_f64()))
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 3600.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(crate::log::append::DEFAULT_LOCK_TIMEOUT)
}

/// Trusted signers: the allowed_signers file, or the data-dir key (+ the demo key).
pub(crate) fn trust(ctx: &Ctx, allowed: Option<&Path>) -> eyre::Result<Trust> {
    if let Some(p) = allowed {
        let text =
            std::fs::read_to_string(p).wrap_err_with(|| format!("{}: cannot read", p.display()))?;
        return parse_allowed_signers(&text, p).map_err(|e| eyre!(e));
    }
    let keys = match keys::read_public(&ctx.data.signing_key())? {
        Some((k, p)) => vec![(p, k)],
        // No .pub beside the key: derive it from the private key (which must be safe).
        None => match Signer::load(&ctx.data.signing_key()) {
            Ok(s) => vec![(s.principal().to_owned(), *s.public_key())],
            Err(keys::KeyError::Missing(_)) => vec![],
            Err(e) => return Err(e.into()),
        },
    };
    let demo = keys::read_public(&ctx.data.demo_key())?.map(|(k, p)| (p, k));
    Ok(Trust::Local { keys, demo })
}

fn verify(ctx: &Ctx, a: &LogVerifyArgs) -> eyre::Result<u8> {
    let logs: Vec<PathBuf> = if a.logs.is_empty() {
        vec![ctx.data.decisions_log()]
    } else {
        a.logs.clone()
    };
    let trust = trust(ctx, a.allowed_signers.as_deref())?;
    let mut checkpoints = Vec::new();
    for p in &a.checkpoint {
        let text =
            std::fs::read_to_string(p).wrap_err_with(|| format!("{}: cannot read", p.display()))?;
        let cp = checkpoint::parse(&text)
            .map_err(|e| eyre!("{}: not a p2review checkpoint: {e}", p.display()))?;
        checkpoints.push((p.clone(), cp));
    }
    let opts = VerifyOptions {
        trust,
        checkpoints: checkpoints.iter().map(|(_, c)| c.clone()).collect(),
        heads_dir: Some(ctx.data.heads_dir()),
    };
    let (mut any_err, mut any_io, mut any_warn) = (false, false, false);
    let mut seen_ids = Vec::new();
    let mut hints = std::collections::BTreeSet::new();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    for log in &logs {
        match verify_file_parallel(log, &opts, threads) {
            Ok(r) => {
                for f in &r.findings {
                    println!(
                        "{} log={} seq={} line={}",
                        f.code,
                        log.display(),
                        f.seq,
                        f.line
                    );
                    hints.insert(f.code);
                }
                match r.exit_code() {
                    1 => any_err = true,
                    3 => any_warn = true,
                    _ => {}
                }
                if let Some(id) = r.log_id {
                    seen_ids.push(id);
                }
            }
            Err(e) => {
                eprintln!("p2review: error: {}", crate::text::escape(&e.0));
                any_io = true;
            }
        }
    }
    for (p, cp) in &checkpoints {
        if !seen_ids.contains(&cp.log_id) {
            bail!(
                "{}: this checkpoint is of log {}, which is not among the logs verified",
                p.display(),
                cp.log_id
            );
        }
    }
    for c in hints {
        eprintln!("{c}: {}", c.hint());
    }
    Ok(if any_err {
        1
    } else if any_io {
        2
    } else if any_warn {
        3
    } else {
        0
    })
}

fn make_checkpoint(ctx: &Ctx, a: &LogCheckpointArgs) -> eyre::Result<u8> {
    let log = a.log.clone().unwrap_or_else(|| ctx.data.decisions_log());
    // Structure and signatures; who may sign is `log verify --allowed-signers`' question.
    let r = stream_file(&log, |_, _| Ok(Chain::new(None, Vec::new()))).map_err(|e| eyre!(e.0))?;
    if r.has_errors() {
        for f in r.findings.iter().filter(|f| f.code.is_error()) {
            eprintln!(
                "{} log={} seq={} line={}",
                f.code,
                log.display(),
                f.seq,
                f.line
            );
        }
        eprintln!("p2review: the log fails verification; no checkpoint was made");
        return Ok(1);
    }
    let (Some(id), Some(last_hash)) = (r.log_id.clone(), r.last_hash) else {
        bail!("{}: the log has no valid entry", log.display());
    };
    let signer = match Signer::load(&ctx.data.signing_key()) {
        Err(keys::KeyError::Missing(_)) if r.kind == Some(LogKind::Demo) => {
            keys::demo_signer(&ctx.data.demo_key())?
        }
        r => r?,
    };
    print!("{}", checkpoint::make(&id, r.entries, &last_hash, &signer));
    Ok(0)
}
