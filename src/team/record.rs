//! Recording a decision in a team (docs/team.md#claims): the one path `decide --team` and
//! the review TUI share.
//!
//! 1. The signer must be one of the team's signers.
//! 2. The item's effective decisions across the team's logs: a new decision must name one
//!    in `supersedes`; a four-eyes approval is completed only by another principal and key
//!    ([`super::items::plan`]).
//! 3. An item decided under a claim is never claimed again: a correction that names the
//!    decided entry is recorded and the claim file then names the new entry. Otherwise the
//!    item is claimed (refused while another reviewer holds it), the claim is re-checked
//!    under the log's lock just before the write, and after the `fdatasync` the claim ends
//!    as `decided <entry>`.

use std::sync::Arc;

use crate::log::append::BeforeWrite;
use crate::log::entry::LogKind;
use crate::log::{DecisionInput, Receipt, Recorder};
use crate::queue::{Disclosure, LoadedQueue};
use crate::verdict::Evaluation;

use super::{ItemKey, TeamError, TeamStore};

/// A recorded decision, and a warning when the claim could not be closed (the decision
/// IS recorded; the claim stays held until its lease ends).
#[derive(Debug, Clone)]
pub struct TeamReceipt {
    pub receipt: Receipt,
    pub warning: Option<String>,
}

/// Record `input` on `d` through `rec` (whose log is the signer's team log).
pub fn record_in_team(
    store: &Arc<dyn TeamStore>,
    rec: Recorder,
    q: &LoadedQueue,
    d: &Disclosure,
    ev: &Evaluation,
    input: DecisionInput,
) -> Result<TeamReceipt, String> {
    let principal = rec.signer().principal().to_owned();
    let fingerprint = rec.signer().fingerprint().to_owned();
    let trust = check_member(store.as_ref(), rec.signer())?;
    let item = ItemKey {
        queue_sha256: q.sha256.clone(),
        disclosure: d.id.clone(),
    };
    // The claim file first: it is one small read, and it answers most collisions.
    let decided = store.decided_entry(&item).map_err(|e| e.to_string())?;
    if let Some((holder, entry)) = &decided
        && input.supersedes.is_none()
    {
        return Err(TeamError::Decided {
            disclosure: d.id.clone(),
            holder: holder.clone(),
            entry: entry.clone(),
        }
        .to_string());
    }
    let claim = match decided {
        // A decided item is never claimed again: a correction names the decided entry.
        Some(_) => None,
        None => {
            let lease = std::time::Duration::from_secs(store.settings().lease_seconds);
            Some(
                store
                    .claim(&item, &principal, lease)
                    .map_err(|e| e.to_string())?,
            )
        }
    };
    // Nothing was recorded: let others have the item.
    let give_back = |c: Option<&super::Claim>, m: String| {
        if let Some(c) = c {
            let _ = store.drop_claim(c);
        }
        m
    };
    let logs = store
        .logs()
        .map_err(|e| give_back(claim.as_ref(), e.to_string()))?;
    let view = super::items::item_view(&logs, &trust, &d.patient, &d.id);
    let plan = super::items::plan(
        &view,
        &principal,
        &fingerprint,
        input.decision,
        input.supersedes.as_deref(),
        store.settings().override_second_reviewer,
    )
    .map_err(|m| {
        give_back(
            claim.as_ref(),
            format!("disclosure {}: {m}", crate::text::escape(&d.id)),
        )
    })?;
    let rec = rec.second_reviewer(plan.second_reviewer);
    let Some(claim) = claim else {
        let receipt = rec.record(q, d, ev, input).map_err(|e| e.to_string())?;
        let warning = store
            .redecided(&item, &principal, &receipt.entry_sha256)
            .err()
            .map(|e| format!("the claim file still names the earlier entry: {e}"));
        return Ok(TeamReceipt { receipt, warning });
    };
    let check = {
        let (store, claim) = (Arc::clone(store), claim.clone());
        BeforeWrite(Arc::new(move || {
            store.still_held(&claim).map_err(|e| e.to_string())
        }))
    };
    let receipt = rec
        .before_write(check)
        .record(q, d, ev, input)
        .map_err(|e| give_back(Some(&claim), e.to_string()))?;
    let warning = store
        .decided(&claim, &receipt.entry_sha256)
        .err()
        .map(|e| format!("its claim could not be closed: {e}"));
    Ok(TeamReceipt { receipt, warning })
}

/// The team's trust, once `signer` is known to be one of the team's signers (checked
/// before anything is created in the team directory).
pub fn check_member(
    store: &dyn TeamStore,
    signer: &crate::log::Signer,
) -> Result<crate::log::trust::Trust, String> {
    let principal = signer.principal();
    let fingerprint = signer.fingerprint();
    let trust = store.trust().map_err(|e| e.to_string())?;
    if trust
        .check(
            principal,
            signer.public_key(),
            crate::log::NS_DECISION,
            None,
            Some(LogKind::Production),
        )
        .is_err()
    {
        return Err(format!(
            "{} with key {fingerprint} is not a signer of team {}; ask the team admin to run `p2review team add-reviewer --principal {} --key <your signing_key.pub>`; nothing was recorded",
            crate::text::escape(principal),
            crate::text::escape(&store.describe()),
            crate::text::escape(principal),
        ));
    }
    Ok(trust)
}

/// The team log of `rec`'s signer, as the recorder to use (`--log` is refused in a team).
pub fn team_log(
    store: &dyn TeamStore,
    signer: &crate::log::Signer,
    data: &crate::paths::DataDir,
) -> Result<std::path::PathBuf, String> {
    check_member(store, signer)?;
    store
        .reviewer_log(signer.principal(), data)
        .map_err(|e| e.to_string())
}
