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

/// Escalations still open: no later entry's `supersedes` names them (SPEC §6.2), across
/// every log given.
pub fn open_escalations(records: &[DecisionRecord]) -> Vec<&DecisionRecord> {
    let superseded: HashSet<&str> = records
        .iter()
        .filter_map(|r| r.body.supersedes.as_deref())
        .collect();
    records
        .iter()
        .filter(|r| {
            *r.body.decision == *"escalate" && !superseded.contains(r.entry_sha256.as_str())
        })
        .collect()
}

pub fn summarize(records: &[DecisionRecord]) -> Summary {
    let open = open_escalations(records)
        .into_iter()
        .map(|r| r.entry_sha256.clone())
        .collect();
    summarize_iter(records.iter(), open)
}

/// The summary of a filtered view `shown` (a subset of `all`): counts over `shown`; an
/// escalation in `shown` is open unless an entry anywhere in `all` supersedes it (the
/// superseding entry may be filtered out, the escalation is still resolved).
pub fn summarize_shown(shown: &[&DecisionRecord], all: &[DecisionRecord]) -> Summary {
    let superseded: HashSet<&str> = all
        .iter()
        .filter_map(|r| r.body.supersedes.as_deref())
        .collect();
    summarize_with(shown, |h| superseded.contains(h))
}

/// [`summarize_shown`] with the superseded entry hashes given (`log show` keeps only the
/// records it shows, and the hashes every entry read names in `supersedes`).
pub fn summarize_with(shown: &[&DecisionRecord], superseded: impl Fn(&str) -> bool) -> Summary {
    let open = shown
        .iter()
        .filter(|r| *r.body.decision == *"escalate" && !superseded(r.entry_sha256.as_str()))
        .map(|r| r.entry_sha256.clone())
        .collect();
    summarize_iter(shown.iter().copied(), open)
}

fn summarize_iter<'r>(
    records: impl Iterator<Item = &'r DecisionRecord>,
    open_escalations: Vec<String>,
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
