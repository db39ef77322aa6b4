//! One item across the team's logs: its effective decisions, whether a new decision must
//! supersede one (docs/signed-log.md#supersession-effective-decisions-and-conflicts), and
//! how four-eyes applies to it (docs/team.md#four-eyes). The recorder's callers (`decide
//! --team`, the review TUI) call [`plan`] before recording.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::decision::Decision;
use crate::log::supersede::{Repeat, repeat};
use crate::log::trust::Trust;
use crate::log::verify::VerifyOptions;
use crate::supervise::{DecisionRecord, Hash, load_logs_keeping};

/// The item's effective decisions (verified, not superseded) across the logs read.
#[derive(Debug, Clone, Default)]
pub struct ItemView {
    pub effective: Vec<DecisionRecord>,
    /// Of those, approvals still waiting for a second reviewer.
    pub pending: HashSet<Hash>,
}

/// Read `logs` (verified with `trust`) for the decisions on (`subject`, `disclosure`).
/// Logs whose bytes never mention the disclosure are skipped unread: an entry about it
/// holds `"disclosure":"<id>"` verbatim (canonical form).
pub fn item_view(logs: &[PathBuf], trust: &Trust, subject: &str, disclosure: &str) -> ItemView {
    let needle = format!("\"disclosure\":{}", serde_json::Value::from(disclosure));
    let relevant: Vec<PathBuf> = logs
        .iter()
        .filter(|p| {
            std::fs::read(p).is_ok_and(|b| memchr::memmem::find(&b, needle.as_bytes()).is_some())
        })
        .cloned()
        .collect();
    if relevant.is_empty() {
        return ItemView::default();
    }
    let opts = VerifyOptions {
        trust: trust.clone(),
        checkpoints: Vec::new(),
        heads_dir: None,
    };
    let loaded = load_logs_keeping(&relevant, &opts, &[], 1, &|r| {
        r.body.subject == subject && r.body.disclosure == disclosure
    });
    let pending = crate::supervise::pending_second(&loaded.records);
    let effective: Vec<DecisionRecord> = loaded
        .records
        .into_iter()
        .filter(|r| r.verification.ok() && !loaded.superseded.contains(&r.entry_sha256))
        .collect();
    let pending = effective
        .iter()
        .filter(|r| pending.contains(&r.entry_sha256))
        .map(|r| r.entry_sha256)
        .collect();
    ItemView { effective, pending }
}

/// Four-eyes (docs/team.md#four-eyes): may `me` complete a pending approval that
/// `author` signed with `author_key`? Only another principal with another key may.
/// `my_key` is `None` where the key is not at hand (the review screen, before the
/// dialog opens); the recording path checks again with it.
pub fn may_complete(
    author: &str,
    author_key: &str,
    me: &str,
    my_key: Option<&str>,
) -> Result<(), String> {
    if author == me || my_key.is_some_and(|k| k == author_key) {
        return Err(format!(
            "this override approval waits for a second reviewer: another principal with another key must approve it (it was made by {}); nothing was recorded",
            crate::text::escape(author)
        ));
    }
    Ok(())
}

/// How to record a decision on the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Write an override approval as `second_required` (four-eyes).
    pub second_reviewer: bool,
}

/// Check a new decision against the item's effective decisions: it must name one in
/// `supersedes` when there are any (so repeats never double-count), and a four-eyes
/// approval is completed only by another principal with another key.
pub fn plan(
    view: &ItemView,
    me: &str,
    my_key: &str,
    decision: Decision,
    supersedes: Option<&str>,
    four_eyes: bool,
) -> Result<Plan, String> {
    let list = || {
        view.effective
            .iter()
            .map(|r| {
                format!(
                    "{} by {}: --supersedes {}",
                    r.body.decision,
                    crate::text::escape(&r.body.reviewer),
                    r.entry_sha256
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let target = match repeat(&view.effective, supersedes, |r, h| {
        r.entry_sha256.hex() == h
    }) {
        Repeat::First => None,
        Repeat::Replaces(t) => Some(t),
        Repeat::Unnamed => {
            return Err(format!(
                "this item already has a decision ({}); a new decision must name the one it replaces — nothing was recorded",
                list()
            ));
        }
        Repeat::NotEffective => {
            return Err(format!(
                "--supersedes names no current decision of this item ({}); nothing was recorded",
                list()
            ));
        }
    };
    if let Some(t) = target
        && view.pending.contains(&t.entry_sha256)
        && decision == Decision::Approve
    {
        may_complete(&t.body.reviewer, &t.body.key, me, Some(my_key))?;
        // The second approval completes the first; it is not itself pending.
        return Ok(Plan {
            second_reviewer: false,
        });
    }
    Ok(Plan {
        second_reviewer: four_eyes,
    })
}
