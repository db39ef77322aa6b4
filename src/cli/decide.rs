//! `p2review decide`: record one decision through the same `Recorder` the TUI uses.

use std::sync::Arc;

use color_eyre::eyre::{self, bail, eyre};

use super::Ctx;
use super::args::*;
use crate::decision::{Decision, ReasonCode};
use crate::log::{DecisionInput, LogKind, Recorder, Signer};
use crate::queue::{Disclosure, LoadedQueue};
use crate::team::TeamStore;
use crate::verdict::Evaluation;

pub fn run(ctx: &Ctx, a: &DecideArgs) -> eyre::Result<u8> {
    if super::team::spec(&a.team).is_some() && a.log.is_some() {
        bail!(
            "--log cannot be combined with --team (or P2REVIEW_TEAM): in a team your log is the team's logs/<principal>.jsonl; drop one of them"
        );
    }
    let decision = match a.decision {
        DecisionArg::Approve => Decision::Approve,
        DecisionArg::Deny => Decision::Deny,
        DecisionArg::Escalate => Decision::Escalate,
        DecisionArg::Defer => Decision::Defer,
    };
    let reason_code = match &a.reason_code {
        Some(s) => Some(ReasonCode::parse(s).ok_or_else(|| {
            eyre!(
                "unknown reason code {:?}; use one of: {}",
                crate::text::escape(s),
                ReasonCode::ALL.map(|r| r.as_str()).join(", ")
            )
        })?),
        None => None,
    };
    let loaded = crate::queue::load_path(&a.queue)?;
    let d = loaded
        .queue
        .disclosures
        .iter()
        .find(|d| d.id == a.id)
        .ok_or_else(|| {
            eyre!(
                "{}: no disclosure with id {:?}",
                a.queue.display(),
                crate::text::escape(&a.id)
            )
        })?;
    let as_of = a
        .as_of
        .or(loaded.queue.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let engine = crate::engine::Engine::load(ctx.global.policy.as_deref())?;
    let ev = engine
        .for_date(as_of)?
        .evaluate(&loaded.queue, &loaded.index, d);
    let input = DecisionInput {
        decision,
        reason_code,
        note: a.note.clone(),
        supersedes: a.supersedes.clone(),
    };
    // Rules first: a missing reason is reported before any key or log is touched.
    Recorder::validate(&ev, &input)?;
    if let Some(note) = &input.note {
        crate::note_screen::screen_for_queue(note, &loaded.queue).map_err(|r| {
            eyre!("--note refused, nothing was recorded: {r}; rephrase the note and run again")
        })?;
    }
    if let Some(spec) = super::team::spec(&a.team) {
        return decide_in_team(ctx, spec, &loaded, d, &ev, input);
    }
    let signer = Signer::load(&ctx.data.signing_key())?;
    let log = a.log.clone().unwrap_or_else(|| ctx.data.decisions_log());
    let rec = Recorder::open(&ctx.data, &log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let receipt = rec.record(&loaded, d, &ev, input)?;
    print_receipt(&receipt)?;
    Ok(0)
}

fn print_receipt(receipt: &crate::log::Receipt) -> std::io::Result<()> {
    outln!("{receipt}")?;
    if let Some(w) = &receipt.head_warning {
        eprintln!(
            "p2review: warning: the decision IS recorded, but the head file was not updated: {w}"
        );
    }
    Ok(())
}

/// `decide --team` (docs/team.md#claims): the shared team path, `crate::team::record`.
fn decide_in_team(
    ctx: &Ctx,
    spec: &str,
    loaded: &LoadedQueue,
    d: &Disclosure,
    ev: &Evaluation,
    input: DecisionInput,
) -> eyre::Result<u8> {
    let store: Arc<dyn TeamStore> = Arc::from(super::team::open(spec)?);
    let signer = Signer::load(&ctx.data.signing_key())?;
    let log = crate::team::record::team_log(&*store, &signer, &ctx.data).map_err(|e| eyre!(e))?;
    let rec = Recorder::open(&ctx.data, &log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let r = crate::team::record::record_in_team(&store, rec, loaded, d, ev, input)
        .map_err(|e| eyre!(e))?;
    print_receipt(&r.receipt)?;
    if let Some(w) = r.warning {
        eprintln!("p2review: warning: the decision IS recorded, but {w}");
    }
    Ok(0)
}
