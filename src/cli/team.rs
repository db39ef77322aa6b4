//! `p2review team init|add-reviewer|status|release` (docs/team.md), and what `--team`
//! means for the other commands: the store, its logs and its signers.

use std::path::{Path, PathBuf};

use color_eyre::eyre::{self, WrapErr, bail, eyre};

use super::Ctx;
use super::args::*;
use crate::log::trust::Trust;
use crate::team::{self, ClaimState, DirStore, Settings, TeamStore};
use crate::text::escape;

pub fn run(ctx: &Ctx, cmd: TeamCommand) -> eyre::Result<u8> {
    match cmd {
        TeamCommand::Init(a) => init(&a),
        TeamCommand::AddReviewer(a) => add_reviewer(&a),
        TeamCommand::Status(a) => status(ctx, &a),
        TeamCommand::Release(a) => release(&a),
    }
}

/// Open the store `--team` / `P2REVIEW_TEAM` names (modes checked; exit 2 otherwise).
pub(crate) fn open(spec: &str) -> eyre::Result<Box<dyn TeamStore>> {
    team::open(spec).map_err(|e| {
        if team::is_postgres(spec) {
            // The message names the store without its password; `spec` may hold one.
            eyre!(e)
        } else {
            eyre!("team {}: {e}", escape(spec))
        }
    })
}

/// `--team` / `P2REVIEW_TEAM`; an empty value means none.
pub(crate) fn spec(t: &Option<String>) -> Option<&str> {
    t.as_deref().filter(|s| !s.is_empty())
}

fn required(t: &Option<String>) -> eyre::Result<&str> {
    spec(t).ok_or_else(|| eyre!("--team T (or P2REVIEW_TEAM) is required"))
}

/// `--team` with `log …`: every team log plus the LOGs given, and the team's signers
/// (`--allowed-signers` as well is refused: the team's file is the trust root).
pub(crate) fn team_logs(
    team: Option<&str>,
    logs: &[PathBuf],
    allowed_signers: Option<&Path>,
) -> eyre::Result<Option<(Vec<PathBuf>, Trust)>> {
    let Some(spec) = team else { return Ok(None) };
    if allowed_signers.is_some() {
        bail!(
            "--allowed-signers cannot be combined with --team (or P2REVIEW_TEAM): the team's allowed_signers is the trust root; drop one of them"
        );
    }
    let store = open(spec)?;
    let mut all = store.logs().map_err(|e| eyre!(e))?;
    all.extend(logs.iter().cloned());
    let trust = store.trust().map_err(|e| eyre!(e))?;
    Ok(Some((all, trust)))
}

fn init(a: &TeamInitArgs) -> eyre::Result<u8> {
    if team::is_postgres(&a.dir) {
        return init_postgres(a);
    }
    let s = DirStore::init(
        Path::new(&a.dir),
        &Settings::new(a.override_second_reviewer),
    )
    .map_err(|e| eyre!(e))?;
    outln!(
        "team store created: {} (four-eyes on overrides: {})",
        escape(&s.describe()),
        if a.override_second_reviewer {
            "yes"
        } else {
            "no"
        }
    )?;
    outln!(
        "next: add each reviewer with `p2review team add-reviewer --team {} --principal USER@HOST --key THEIR_signing_key.pub`, and put the reviewers in one group owning logs/ and claims/ (chgrp)",
        escape(&s.describe())
    )?;
    Ok(0)
}

#[cfg(feature = "postgres")]
fn init_postgres(a: &TeamInitArgs) -> eyre::Result<u8> {
    let s = team::pg::PgStore::init(&a.dir, &Settings::new(a.override_second_reviewer))
        .map_err(|e| eyre!(e))?;
    outln!(
        "team store created: {} (four-eyes on overrides: {})",
        escape(&s.describe()),
        if a.override_second_reviewer {
            "yes"
        } else {
            "no"
        }
    )?;
    outln!(
        "next: add each reviewer with `p2review team add-reviewer --team '{}' --principal USER@HOST --key THEIR_signing_key.pub`; the database roles and GRANTs are in docs/team.md",
        escape(&s.describe())
    )?;
    Ok(0)
}

#[cfg(not(feature = "postgres"))]
fn init_postgres(_: &TeamInitArgs) -> eyre::Result<u8> {
    Err(eyre!(crate::team::open("postgres://").unwrap_err()))
}

fn add_reviewer(a: &TeamAddReviewerArgs) -> eyre::Result<u8> {
    let spec = required(&a.team)?;
    let text = std::fs::read_to_string(&a.key)
        .wrap_err_with(|| format!("{}: cannot read the public key", a.key.display()))?;
    #[cfg(feature = "postgres")]
    if team::is_postgres(spec) {
        let store = team::pg::PgStore::open(spec).map_err(|e| eyre!(e))?;
        let line = store
            .add_reviewer(&a.principal, &text)
            .map_err(|e| eyre!(e))?;
        outln!("{}", escape(&line))?;
        return Ok(0);
    }
    if team::is_postgres(spec) {
        open(spec)?;
    }
    let store = DirStore::open(Path::new(spec)).map_err(|e| eyre!("team {}: {e}", escape(spec)))?;
    let line = store
        .add_reviewer(&a.principal, &text)
        .map_err(|e| eyre!(e))?;
    outln!("{}", escape(&line))?;
    Ok(0)
}

fn release(a: &TeamReleaseArgs) -> eyre::Result<u8> {
    let store = open(required(&a.team)?)?;
    let gone = store.release(&a.id).map_err(|e| eyre!(e))?;
    if gone.is_empty() {
        bail!(
            "no open claim on disclosure {} (a decided item stays decided; `p2review team status` lists the claims)",
            escape(&a.id)
        );
    }
    for c in gone {
        outln!(
            "released {} (queue {}) held by {}",
            escape(&c.disclosure),
            &c.queue[..12.min(c.queue.len())],
            escape(&c.holder)
        )?;
    }
    Ok(0)
}

fn status(ctx: &Ctx, a: &TeamStatusArgs) -> eyre::Result<u8> {
    let store = open(required(&a.team)?)?;
    let claims = store.claims().map_err(|e| eyre!(e))?;
    let now = store.now_ms().map_err(|e| eyre!(e))?;
    let logs = store.logs().map_err(|e| eyre!(e))?;
    let opts = crate::log::verify::VerifyOptions {
        trust: store.trust().map_err(|e| eyre!(e))?,
        checkpoints: Vec::new(),
        heads_dir: Some(ctx.data.heads_dir()),
    };
    let loaded = crate::supervise::load_logs(&logs, &opts, &[], super::log::verify_threads());
    let conflicts = crate::supervise::conflicts(&loaded.records, &loaded.superseded);
    let pending: Vec<String> = {
        let p = crate::supervise::pending_second(&loaded.records);
        loaded
            .records
            .iter()
            .filter(|r| p.contains(&r.entry_sha256) && !loaded.superseded.contains(&r.entry_sha256))
            .map(|r| r.entry_sha256.hex())
            .collect()
    };
    let failed = loaded
        .records
        .iter()
        .filter(|r| !r.verification.ok())
        .count();
    let unsent = unsent(ctx);
    if matches!(a.format, EvalFormat::Json | EvalFormat::Jsonl) {
        let v = serde_json::json!({
            "team": store.describe(),
            "now_ms": now,
            "claims": claims,
            "conflicts": conflicts,
            "pending_second_reviewer": pending,
            "logs": logs.len(),
            "entries_failed": failed,
            "unsent_entries": unsent,
        });
        outln!("{v}")?;
    } else {
        out!(
            "{}",
            status_table(
                &store.describe(),
                &claims,
                now,
                &conflicts,
                &pending,
                failed
            )
        )?;
        outln!("unsent entries in this data dir's outbox: {unsent}")?;
    }
    Ok(if conflicts.is_empty() { 0 } else { 1 })
}

/// Lines of this data dir's log acknowledged but not yet mirrored (PostgreSQL outbox).
fn unsent(ctx: &Ctx) -> usize {
    #[cfg(feature = "postgres")]
    return team::pg::PgStore::outbox_len(&ctx.data);
    #[cfg(not(feature = "postgres"))]
    {
        let _ = ctx;
        0
    }
}

fn status_table(
    name: &str,
    claims: &[crate::team::ClaimInfo],
    now: i64,
    conflicts: &[crate::supervise::Conflict],
    pending: &[String],
    failed: usize,
) -> String {
    let mut out = format!("team {}\n\n", escape(name));
    let live: Vec<_> = claims
        .iter()
        .filter(|c| matches!(c.state, ClaimState::Held { .. }))
        .collect();
    let decided = claims
        .iter()
        .filter(|c| matches!(c.state, ClaimState::Decided { .. }))
        .count();
    let expired = claims
        .iter()
        .filter(|c| matches!(c.state, ClaimState::Expired { .. }))
        .count();
    let mut working: Vec<&str> = live.iter().map(|c| c.holder.as_str()).collect();
    working.sort();
    working.dedup();
    out.push_str(&format!(
        "claims: {} open, {} expired, {} decided\nworking now: {}\n",
        live.len(),
        expired,
        decided,
        if working.is_empty() {
            "nobody".to_owned()
        } else {
            working
                .iter()
                .map(|w| escape(w).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    if !live.is_empty() {
        out.push_str("\nDISCLOSURE           CLAIMED BY                LEASE LEFT\n");
        for c in &live {
            if let ClaimState::Held { expires_ms } = c.state {
                out.push_str(&format!(
                    "{:<20} {:<25} {} s\n",
                    escape(&c.disclosure),
                    escape(&c.holder),
                    (expires_ms - now).max(0) / 1000
                ));
            }
        }
    }
    out.push_str(&format!("\nconflicts: {}\n", conflicts.len()));
    for c in conflicts {
        let who: Vec<String> = c
            .entries
            .iter()
            .map(|(h, r, d)| format!("{} {} ({})", escape(r), escape(d), &h[..12.min(h.len())]))
            .collect();
        out.push_str(&format!(
            "CONFLICT patient {} disclosure {}: {}\n",
            escape(&c.subject),
            escape(&c.disclosure),
            who.join(" vs ")
        ));
    }
    out.push_str(&format!(
        "override approvals waiting for a second reviewer: {}\n",
        pending.len()
    ));
    for h in pending {
        out.push_str(&format!("PENDING {h}\n"));
    }
    if failed > 0 {
        out.push_str(&format!(
            "{failed} entries FAILED verification (run `p2review log verify --team …`)\n"
        ));
    }
    out
}
