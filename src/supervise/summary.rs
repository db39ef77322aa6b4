//! The supervisor's summary: decisions per reviewer, override rates, open escalations,
//! decisions per day.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::record::DecisionRecord;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewerSummary {
    pub reviewer: String,
    pub total: u64,
    pub approve: u64,
    pub deny: u64,
    pub escalate: u64,
    pub defer: u64,
    pub overrides: u64,
    /// Four-eyes approvals still waiting for a second reviewer (docs/team.md#four-eyes):
    /// counted here, not under `approve`.
    pub pending_second: u64,
}

impl ReviewerSummary {
    /// Overrides per decision, in percent (one decimal), 0 with no decisions.
    pub fn override_rate_percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.overrides as f64 * 1000.0 / self.total as f64).round() / 10.0
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub reviewers: Vec<ReviewerSummary>,
    pub totals: ReviewerSummary,
    /// Entry hashes of escalations no later entry supersedes, oldest first.
    pub open_escalations: Vec<String>,
    pub per_day: BTreeMap<NaiveDate, u64>,
}

/// Escalations still open: verified, and no honoured supersession names them (see
/// `supersede::resolve`), across every log given.
pub fn open_escalations(records: &[DecisionRecord]) -> Vec<&DecisionRecord> {
    let res = super::supersede::resolve_records(records);
    let open: HashSet<&str> = res.open_escalations.iter().map(String::as_str).collect();
    records
        .iter()
        .filter(|r| open.contains(r.entry_sha256.as_str()))
        .collect()
}

pub fn summarize(records: &[DecisionRecord]) -> Summary {
    let res = super::supersede::resolve_records(records);
    let shown: Vec<&DecisionRecord> = records.iter().collect();
    summarize_with(&shown, |h| res.superseded.contains(h))
}

/// The summary of a filtered view `shown` (a subset of `all`): counts over `shown`; an
/// escalation in `shown` is open unless an honoured supersession anywhere in `all` names
/// it (the superseding entry may be filtered out, the escalation is still resolved).
pub fn summarize_shown(shown: &[&DecisionRecord], all: &[DecisionRecord]) -> Summary {
    let res = super::supersede::resolve_records(all);
    summarize_with(shown, |h| res.superseded.contains(h))
}

/// [`summarize_shown`] with the honoured superseded entry hashes given (`log show` keeps
/// only the records it shows; `Loaded::superseded` covers every entry read). Entries that
/// failed verification count nowhere: not in totals, not as open escalations.
pub fn summarize_with(shown: &[&DecisionRecord], superseded: impl Fn(&str) -> bool) -> Summary {
    let verified = || shown.iter().copied().filter(|r| r.verification.ok());
    let open = verified()
        .filter(|r| *r.body.decision == *"escalate" && !superseded(r.entry_sha256.as_str()))
        .map(|r| r.entry_sha256.clone())
        .collect();
    let pending: HashSet<String> = super::conflict::pending_second(verified())
        .into_iter()
        .filter(|h| !superseded(h))
        .collect();
    summarize_iter(verified(), open, &pending)
}

fn summarize_iter<'r>(
    records: impl Iterator<Item = &'r DecisionRecord>,
    open_escalations: Vec<String>,
    pending: &HashSet<String>,
) -> Summary {
    let mut by: BTreeMap<&str, ReviewerSummary> = BTreeMap::new();
    let mut totals = ReviewerSummary {
        reviewer: "all".into(),
        ..Default::default()
    };
    let mut per_day = BTreeMap::new();
    for r in records {
        let s = by
            .entry(&*r.body.reviewer)
            .or_insert_with(|| ReviewerSummary {
                reviewer: r.body.reviewer.to_string(),
                ..Default::default()
            });
        for t in [&mut *s, &mut totals] {
            t.total += 1;
            match &*r.body.decision {
                "approve" if pending.contains(&r.entry_sha256) => t.pending_second += 1,
                "approve" => t.approve += 1,
                "deny" => t.deny += 1,
                "escalate" => t.escalate += 1,
                "defer" => t.defer += 1,
                _ => {}
            }
            if r.body.overrides {
                t.overrides += 1;
            }
        }
        *per_day.entry(r.date()).or_insert(0) += 1;
    }
    Summary {
        reviewers: by.into_values().collect(),
        totals,
        open_escalations,
        per_day,
    }
}
