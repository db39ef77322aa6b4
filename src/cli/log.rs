//! `p2review log verify|checkpoint` (docs/signed-log.md); `show`, `accounting`, `recipients` and `review`
//! (the supervisor's commands, issue 5) live in the submodules.

mod accounting;
#[cfg(feature = "tui")]
mod review;
mod show;

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
use crate::log::verify::{VerifyOptions, stream_file, verify_file, verify_file_parallel};

pub fn run(ctx: &Ctx, cmd: LogCommand) -> eyre::Result<u8> {
    match cmd {
        LogCommand::Verify(a) => verify(ctx, &a),
        LogCommand::Checkpoint(a) => make_checkpoint(ctx, &a),
        LogCommand::Show(a) => show::run(ctx, &a),
        #[cfg(feature = "tui")]
        LogCommand::Review(a) => review::run(ctx, &a),
        #[cfg(not(feature = "tui"))]
        LogCommand::Review(_) => color_eyre::eyre::bail!(
            "this build has no terminal UI (feature `tui`); use `p2review log show` instead"
        ),
        LogCommand::Accounting(a) => accounting::run(ctx, &a),
        LogCommand::Recipients(a) => accounting::recipients(ctx, &a),
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
        return Ok(parse_allowed_signers(&text, p)?);
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

/// The logs given, or the production log.
pub(crate) fn logs_or_default(ctx: &Ctx, logs: &[PathBuf]) -> Vec<PathBuf> {
    if logs.is_empty() {
        vec![ctx.data.decisions_log()]
    } else {
        logs.to_vec()
    }
}

/// What `log verify` and the supervisor's commands verify with: trust, the checkpoint
/// files given (parsed, with their paths) and the data dir's head files.
pub(crate) fn verify_options(
    ctx: &Ctx,
    allowed: Option<&Path>,
    checkpoint_files: &[PathBuf],
) -> eyre::Result<(VerifyOptions, Vec<(PathBuf, checkpoint::Checkpoint)>)> {
    verify_options_with(ctx, None, allowed, checkpoint_files)
}

/// The logs to read, how to verify them, and the checkpoints given (with their files).
pub(crate) type Sources = (
    Vec<PathBuf>,
    VerifyOptions,
    Vec<(PathBuf, checkpoint::Checkpoint)>,
);

/// The logs to read and how to verify them: with `--team`, every team log plus `logs`,
/// trusting the team's signers (docs/team.md); otherwise `logs` or the production log.
pub(crate) fn sources(
    ctx: &Ctx,
    team: Option<&str>,
    logs: &[PathBuf],
    allowed: Option<&Path>,
    checkpoint_files: &[PathBuf],
) -> eyre::Result<Sources> {
    match super::team::team_logs(team, logs, allowed)? {
        Some((all, trust)) => {
            let (o, c) = verify_options_with(ctx, Some(trust), None, checkpoint_files)?;
            Ok((all, o, c))
        }
        None => {
            let (o, c) = verify_options(ctx, allowed, checkpoint_files)?;
            Ok((logs_or_default(ctx, logs), o, c))
        }
    }
}

/// [`verify_options`] with the trust given (a team's signers) instead of `allowed`.
pub(crate) fn verify_options_with(
    ctx: &Ctx,
    given: Option<Trust>,
    allowed: Option<&Path>,
    checkpoint_files: &[PathBuf],
) -> eyre::Result<(VerifyOptions, Vec<(PathBuf, checkpoint::Checkpoint)>)> {
    ctx.data.check_strict_modes()?;
    let trust = match given {
        Some(t) => t,
        None => trust(ctx, allowed)?,
    };
    let mut checkpoints = Vec::new();
    for p in checkpoint_files {
        let text =
            std::fs::read_to_string(p).wrap_err_with(|| format!("{}: cannot read", p.display()))?;
        let cp = checkpoint::parse(&text)
            .wrap_err_with(|| format!("{}: not a p2review checkpoint", p.display()))?;
        checkpoints.push((p.clone(), cp));
    }
    let opts = VerifyOptions {
        trust,
        checkpoints: checkpoints.iter().map(|(_, c)| c.clone()).collect(),
        heads_dir: Some(ctx.data.heads_dir()),
    };
    Ok((opts, checkpoints))
}

/// Threads for per-line checks (`log verify` without `--strict`, and the supervisor's load).
pub(crate) fn verify_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

fn verify(ctx: &Ctx, a: &LogVerifyArgs) -> eyre::Result<u8> {
    let (logs, opts, checkpoints) = sources(
        ctx,
        super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &a.checkpoint,
    )?;
    let (mut any_err, mut any_io, mut any_warn) = (false, false, false);
    let mut seen_ids = Vec::new();
    let mut hints = std::collections::BTreeSet::new();
    let threads = verify_threads();
    for log in &logs {
        let res = if a.strict {
            verify_file(log, &opts)
        } else {
            verify_file_parallel(log, &opts, threads)
        };
        match res {
            Ok(r) => {
                for f in &r.findings {
                    outln!(
                        "{} log={} seq={} line={}",
                        f.code,
                        crate::text::escape(&crate::team::log_label(log)),
                        f.seq,
                        f.line
                    )?;
                    hints.insert(f.code);
                }
                match r.exit_code() {
                    1 => any_err = true,
                    3 => any_warn = true,
                    _ if !a.quiet => outln!(
                        "ok log={} entries={} signers={} anchored={}",
                        crate::text::escape(&crate::team::log_label(log)),
                        r.entries,
                        r.signers,
                        if r.anchored { "yes" } else { "no" }
                    )?,
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
    out!("{}", checkpoint::make(&id, r.entries, &last_hash, &signer))?;
    Ok(0)
}
