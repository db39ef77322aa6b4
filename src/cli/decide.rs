//! `p2review decide`: record one decision through the same `Recorder` the TUI uses.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{self, bail, eyre};

use super::Ctx;
use super::args::*;
use crate::decision::{Decision, ReasonCode};
use crate::log::append::BeforeWrite;
use crate::log::{DecisionInput, LogKind, Recorder, Signer};
use crate::queue::{Disclosure, LoadedQueue};
use crate::team::{ItemKey, TeamError, TeamStore};
use crate::text::escape;
use crate::verdict::Evaluation;

pub fn run(ctx: &Ctx, a: &DecideArgs) -> eyre::Result<u8> {
    if a.team.is_some() && a.log.is_some() {
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
    if let Some(spec) = a.team.as_deref() {
        return decide_in_team(ctx, spec, &loaded, d, &ev, input);
    }
    let signer = Signer::load(&ctx.data.signing_key())?;
    let log = a.log.clone().unwrap_or_else(|| ctx.data.decisions_log());
    let rec = Recorder::open(&ctx.data, &log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let receipt = rec.record(&loaded, d, &ev, input)?;
    print_receipt(&receipt);
    Ok(0)
}

fn print_receipt(receipt: &crate::log::Receipt) {
    println!("{receipt}");
    if let Some(w) = &receipt.head_warning {
        eprintln!(
            "p2review: warning: the decision IS recorded, but the head file was not updated: {w}"
        );
    }
}

/// `decide --team` (docs/team.md#claims): claim the item (refused while another holds it),
/// check the team's decisions on it (a repeat must supersede; four-eyes), record with the
/// claim re-checked under the log's lock, then end the claim as `decided <entry>`.
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
    let trust = store.trust().map_err(|e| eyre!(e))?;
    if trust
        .check(
            signer.principal(),
            signer.public_key(),
            crate::log::NS_DECISION,
            None,
            Some(LogKind::Production),
        )
        .is_err()
    {
        bail!(
            "{} with key {} is not a signer of team {}; ask the team admin to run `p2review team add-reviewer --team {} --principal {} --key <your signing_key.pub>`",
            escape(signer.principal()),
            signer.fingerprint(),
            escape(spec),
            escape(spec),
            escape(signer.principal())
        );
    }
    let logs = store.logs().map_err(|e| eyre!(e))?;
    let view = crate::team::items::item_view(&logs, &trust, &d.patient, &d.id);
    let plan = crate::team::items::plan(
        &view,
        signer.principal(),
        signer.fingerprint(),
        input.decision,
        input.supersedes.as_deref(),
        store.settings().override_second_reviewer,
    )
    .map_err(|m| eyre!("disclosure {}: {m}", escape(&d.id)))?;
    let item = ItemKey {
        queue_sha256: loaded.sha256.clone(),
        disclosure: d.id.clone(),
    };
    let log = store
        .reviewer_log(signer.principal(), &ctx.data)
        .map_err(|e| eyre!(e))?;
    let principal = signer.principal().to_owned();
    let rec = Recorder::open(&ctx.data, &log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx))
        .second_reviewer(plan.second_reviewer);
    // A decided item is never claimed again: a correction names the decided entry.
    if let Some((holder, entry)) = store.decided_entry(&item).map_err(|e| eyre!(e))? {
        if input.supersedes.is_none() {
            return Err(eyre!(TeamError::Decided {
                disclosure: d.id.clone(),
                holder,
                entry,
            }));
        }
        let receipt = rec.record(loaded, d, ev, input)?;
        print_receipt(&receipt);
        if let Err(e) = store.redecided(&item, &principal, &receipt.entry_sha256) {
            eprintln!("p2review: warning: the decision IS recorded; the claim file still names the earlier entry: {e}");
        }
        return Ok(0);
    }
    let lease = Duration::from_secs(store.settings().lease_seconds);
    let claim = store
        .claim(&item, &principal, lease)
        .map_err(|e| eyre!(e))?;
    let check = {
        let (store, claim) = (Arc::clone(&store), claim.clone());
        BeforeWrite(Arc::new(move || {
            store.still_held(&claim).map_err(|e| e.to_string())
        }))
    };
    let receipt = match rec.before_write(check).record(loaded, d, ev, input) {
        Ok(r) => r,
        Err(e) => {
            // Nothing was recorded: let others have the item.
            let _ = store.drop_claim(&claim);
            return Err(e.into());
        }
    };
    print_receipt(&receipt);
    store
        .decided(&claim, &receipt.entry_sha256)
        .map_err(|e| eyre!("the decision IS recorded ({receipt}), but its claim could not be closed: {e}"))?;
    Ok(0)
}
