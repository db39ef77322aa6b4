//! Items, supersession and effective decisions (42 CFR 2.25 accounting and every
//! supervisor count rest on this): the one place that decides which `supersedes` fields
//! are honoured. An item is (subject, disclosure). A supersession is honoured only when
//! the superseding entry verified, names an entry that was read, is about the same item,
//! and follows it in the same log or is dated no more than 5 minutes before it. Anything
//! else changes nothing and is reported, so an unverified or unrelated entry can never
//! erase an approval from an accounting or close someone's escalation.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::record::{DecisionRecord, Shared};
use crate::log::chain::SKEW_TOLERANCE_MS;

/// What supersession needs to know of one decision entry read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEntry {
    /// Hex SHA-256 of the entry's line (what `supersedes` names).
    pub hash: String,
    pub subject: Shared,
    pub disclosure: Shared,
    /// The log id the entry claims (`log`).
    pub log: Shared,
    pub seq: u64,
    pub ts_ms: i64,
    /// Passed verification (trusted signer, valid chain).
    pub verified: bool,
    pub escalate: bool,
    pub supersedes: Option<String>,
}

impl ItemEntry {
    pub fn of(r: &DecisionRecord) -> ItemEntry {
        ItemEntry {
            hash: r.entry_sha256.clone(),
            subject: Shared::from(r.body.subject.as_str()),
            disclosure: Shared::from(r.body.disclosure.as_str()),
            log: r.body.log.clone(),
            seq: r.body.seq,
            ts_ms: r.ts.timestamp_millis(),
            verified: r.verification.ok(),
            escalate: *r.body.decision == *"escalate",
            supersedes: r.body.supersedes.clone(),
        }
    }
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
        let later = (e.log == s.log && s.seq > e.seq) || s.ts_ms >= e.ts_ms - SKEW_TOLERANCE_MS;
        if same_item && later && e.hash != s.hash {
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

/// [`resolve`] over records already read (all of them: a filtered list would miss
/// superseding entries).
pub fn resolve_records(records: &[DecisionRecord]) -> Resolution {
    resolve(&records.iter().map(ItemEntry::of).collect::<Vec<_>>())
}
