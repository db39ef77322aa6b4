//! Items, supersession and effective decisions (docs/signed-log.md#supersession-effective-decisions-and-conflicts):
//! the one definition of which `supersedes` fields are honoured. 42 CFR 2.25 accounting,
//! every supervisor count, the review screen's open escalations and the appender's
//! "a repeat decision must supersede" check all rest on it.
//!
//! An item is (subject, disclosure). A supersession is honoured only when the superseding
//! entry verified, names an entry that was read, is about the same item, and follows it in
//! the same log or is dated no more than 5 minutes before it. Anything else changes nothing
//! and is reported, so an unverified or unrelated entry can never erase an approval from an
//! accounting or close someone's escalation.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::chain::SKEW_TOLERANCE_MS;

/// What supersession needs to know of one decision entry read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEntry {
    /// Hex SHA-256 of the entry's line (what `supersedes` names).
    pub hash: String,
    pub subject: Arc<str>,
    pub disclosure: Arc<str>,
    /// The log id the entry claims (`log`).
    pub log: Arc<str>,
    pub seq: u64,
    pub ts_ms: i64,
    /// Passed verification (trusted signer, valid chain).
    pub verified: bool,
    pub escalate: bool,
    pub supersedes: Option<String>,
}

/// Where and when an entry stands: what the ordering half of the rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub log: &'a str,
    pub seq: u64,
    pub ts_ms: i64,
}

impl ItemEntry {
    pub fn place(&self) -> Place<'_> {
        Place {
            log: &self.log,
            seq: self.seq,
            ts_ms: self.ts_ms,
        }
    }
}

/// Is a supersession of `named` by `by` honoured, given whether both are about the same
/// item? (docs/signed-log.md: the same item, and later in the same log or dated no more
/// than 5 minutes before the named entry; an entry never supersedes itself.) Whether `by`
/// verified is the caller's part: an unverified entry supersedes nothing.
pub fn honoured(same_item: bool, named: Place<'_>, by: Place<'_>) -> bool {
    let same_entry = named == by;
    let later =
        (named.log == by.log && by.seq > named.seq) || by.ts_ms >= named.ts_ms - SKEW_TOLERANCE_MS;
    same_item && later && !same_entry
}

/// A `supersedes` that changed nothing (a warning of `log show` and `log accounting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupersedesWarning {
    /// `W_SUPERSEDES_IGNORED` or `W_SUPERSEDES_UNRESOLVED`.
    pub code: &'static str,
    /// The superseding entry.
    pub entry: String,
    /// The entry it names.
    pub names: String,
}

pub const IGNORED: &str = "W_SUPERSEDES_IGNORED";
pub const UNRESOLVED: &str = "W_SUPERSEDES_UNRESOLVED";

/// The outcome over every decision entry read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Entries named by an honoured supersession (no longer effective).
    pub superseded: HashSet<String>,
    /// Verified escalations no honoured supersession names, in input order.
    pub open_escalations: Vec<String>,
    pub warnings: Vec<SupersedesWarning>,
}

impl Resolution {
    /// Still effective: verified and not superseded.
    pub fn effective(&self, hash: &str, verified: bool) -> bool {
        verified && !self.superseded.contains(hash)
    }
}

/// Decide every `supersedes` among `entries` (all decision entries read, any order).
pub fn resolve(entries: &[ItemEntry]) -> Resolution {
    let by_hash: HashMap<&str, &ItemEntry> = entries.iter().map(|e| (e.hash.as_str(), e)).collect();
    let mut out = Resolution::default();
    for s in entries {
        let Some(named) = s.supersedes.as_deref() else {
            continue;
        };
        // A failed entry is listed as FAILED already; its fields mean nothing.
        if !s.verified {
            continue;
        }
        let warn = |code| SupersedesWarning {
            code,
            entry: s.hash.clone(),
            names: named.to_owned(),
        };
        let Some(e) = by_hash.get(named) else {
            out.warnings.push(warn(UNRESOLVED));
            continue;
        };
        let same_item = e.subject == s.subject && e.disclosure == s.disclosure;
        if honoured(same_item, e.place(), s.place()) && e.hash != s.hash {
            out.superseded.insert(e.hash.clone());
        } else {
            out.warnings.push(warn(IGNORED));
        }
    }
    out.open_escalations = entries
        .iter()
        .filter(|e| e.escalate && out.effective(&e.hash, e.verified))
        .map(|e| e.hash.clone())
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(log: &str, seq: u64, ts_ms: i64) -> Place<'_> {
        Place { log, seq, ts_ms }
    }

    #[test]
    fn the_rule_needs_the_same_item_and_a_later_place() {
        let min = 60_000;
        // Later in the same log: honoured whatever the clocks say.
        assert!(honoured(true, place("a", 1, 10 * min), place("a", 2, 0)));
        // Another item never.
        assert!(!honoured(false, place("a", 1, 0), place("a", 2, 0)));
        // Another log: up to 5 minutes earlier is still "later".
        assert!(honoured(
            true,
            place("a", 9, 10 * min),
            place("b", 1, 5 * min)
        ));
        assert!(!honoured(
            true,
            place("a", 9, 10 * min),
            place("b", 1, 5 * min - 1)
        ));
        // An entry never supersedes itself; an earlier entry of the same log is not later
        // unless its clock says so.
        assert!(!honoured(true, place("a", 3, 0), place("a", 3, 0)));
        assert!(!honoured(true, place("a", 3, 10 * min), place("a", 2, 0)));
    }
}
