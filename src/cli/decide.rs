//! `p2review decide`: record one decision through the same `Recorder` the TUI uses.

use color_eyre::eyre::{self, eyre};

use super::Ctx;
use super::args::*;
use crate::decision::{Decision, ReasonCode};
use crate::log::{DecisionInput, LogKind, Recorder, Signer};

pub fn run(ctx: &Ctx, a: &DecideArgs) -> eyre::Result<u8> {
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
    let signer = Signer::load(&ctx.data.signing_key())?;
    let log = a.log.clone().unwrap_or_else(|| ctx.data.decisions_log());
    let rec = Recorder::open(&ctx.data, &log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let receipt = rec.record(&loaded, d, &ev, input)?;
    println!("{receipt}");
    if let Some(w) = &receipt.head_warning {
        eprintln!(
            "p2review: warning: the decision IS recorded, but the head file was not updated: {w}"
        );
    }
    Ok(0)
}
