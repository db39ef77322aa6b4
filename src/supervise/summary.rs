//! The supervisor's summary: decisions per reviewer, override rates, open escalations,
//! decisions per day.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::record::{DecisionRecord, Hash, Sym};

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
    pub open_escalations: Vec<Hash>,
    pub per_day: BTreeMap<NaiveDate, u64>,
}

/// Escalations still open: verified, and no honoured supersession names them (see
/// `supersede::resolve`), across every log given.
pub fn open_escalations(records: &[DecisionRecord]) -> Vec<&DecisionRecord> {
    let res = super::supersede::resolve_records(records);
    let open: HashSet<&Hash> = res.open_escalations.iter().collect();
    records
        .iter()
        .filter(|r| open.contains(&r.entry_sha256))
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
///
/// One pass of integer work: decisions and reviewers are compared as interned symbols,
/// days as day numbers; names and dates are made once per reviewer and per day. A
/// four-eyes approval still waiting for its second reviewer counts as `pending_second`,
/// not as an approval (docs/team.md#four-eyes).
pub fn summarize_with(shown: &[&DecisionRecord], superseded: impl Fn(&Hash) -> bool) -> Summary {
    let [approve, deny, escalate, defer] = ["approve", "deny", "escalate", "defer"].map(Sym::new);
    let verified = || shown.iter().copied().filter(|r| r.verification.ok());
    let pending: HashSet<Hash> = super::conflict::pending_second(verified())
        .into_iter()
        .filter(|h| !superseded(h))
        .collect();
    // Reviewers are few and days change slowly along a log: each record's reviewer and
    // day are first compared with the previous record's, so a million records cost about
    // as many hash lookups as there are runs of one reviewer or one day.
    let mut by: HashMap<Sym, usize> = HashMap::new();
    let mut reviewers: Vec<ReviewerSummary> = Vec::new();
    let mut last_reviewer: Option<(Sym, usize)> = None;
    let mut totals = ReviewerSummary {
        reviewer: "all".into(),
        ..Default::default()
    };
    let mut days: HashMap<i64, u64> = HashMap::new();
    let mut run: Option<(i64, u64)> = None;
    let mut open = Vec::new();
    for r in verified() {
        let b = &r.body;
        let i = match last_reviewer {
            Some((s, i)) if s == b.reviewer => i,
            _ => {
                let i = *by.entry(b.reviewer).or_insert_with(|| {
                    reviewers.push(ReviewerSummary {
                        reviewer: b.reviewer.to_string(),
                        ..Default::default()
                    });
                    reviewers.len() - 1
                });
                last_reviewer = Some((b.reviewer, i));
                i
            }
        };
        for t in [&mut reviewers[i], &mut totals] {
            t.total += 1;
            let d = b.decision;
            if d == approve {
                if pending.contains(&r.entry_sha256) {
                    t.pending_second += 1;
                } else {
                    t.approve += 1;
                }
            } else if d == deny {
                t.deny += 1;
            } else if d == escalate {
                t.escalate += 1;
            } else if d == defer {
                t.defer += 1;
            }
            if b.override_ {
                t.overrides += 1;
            }
        }
        if b.decision == escalate && !superseded(&r.entry_sha256) {
            open.push(r.entry_sha256);
        }
        let day = r.day();
        match &mut run {
            Some((d, n)) if *d == day => *n += 1,
            _ => {
                if let Some((d, n)) = run.replace((day, 1)) {
                    *days.entry(d).or_insert(0) += n;
                }
            }
        }
    }
    if let Some((d, n)) = run {
        *days.entry(d).or_insert(0) += n;
    }
    reviewers.sort_by(|a, b| a.reviewer.cmp(&b.reviewer));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let per_day = days
        .into_iter()
        .map(|(d, n)| (epoch + chrono::Duration::days(d), n))
        .collect();
    Summary {
        reviewers,
        totals,
        open_escalations: open,
        per_day,
    }
}
