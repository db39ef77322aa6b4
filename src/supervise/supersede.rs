//! Items, supersession and effective decisions (42 CFR 2.25 accounting and every
//! supervisor count rest on this): the one place that decides which `supersedes` fields
//! are honoured. An item is (subject, disclosure). A supersession is honoured only when
//! the superseding entry verified, names an entry that was read, is about the same item,
//! and follows it in the same log or is dated no more than 5 minutes before it. Anything
//! else changes nothing and is reported, so an unverified or unrelated entry can never
//! erase an approval from an accounting or close someone's escalation.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::record::{DecisionRecord, Hash, Sym};
use crate::log::chain::SKEW_TOLERANCE_MS;

/// What supersession needs to know of one decision entry read (small and `Copy`: built
/// from the records on the fly, kept only for entries filtered out of a view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemEntry {
    /// SHA-256 of the entry's line (what `supersedes` names).
    pub hash: Hash,
    pub subject: Sym,
    pub disclosure: Sym,
    /// The log id the entry claims (`log`).
    pub log: Sym,
    pub seq: u64,
    pub ts_ms: i64,
    /// Passed verification (trusted signer, valid chain).
    pub verified: bool,
    pub escalate: bool,
    pub supersedes: Option<Hash>,
}

impl ItemEntry {
    pub fn of(r: &DecisionRecord) -> ItemEntry {
        ItemEntry {
            hash: r.entry_sha256,
            subject: r.body.subject,
            disclosure: r.body.disclosure,
            log: r.body.log,
            seq: r.body.seq,
            ts_ms: r.ts_ms,
            verified: r.verification.ok(),
            escalate: r.body.decision == "escalate",
            supersedes: r.body.supersedes,
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
    pub superseded: HashSet<Hash>,
    /// Verified escalations no honoured supersession names, in input order.
    pub open_escalations: Vec<Hash>,
    pub warnings: Vec<SupersedesWarning>,
}

impl Resolution {
    /// Still effective: verified and not superseded.
    pub fn effective(&self, hash: &Hash, verified: bool) -> bool {
        verified && !self.superseded.contains(hash)
    }
}

/// Decide every `supersedes` among `entries` (all decision entries read, any order).
pub fn resolve(entries: &[ItemEntry]) -> Resolution {
    resolve_iter(|| entries.iter().copied())
}

/// [`resolve`] over entries produced on demand (read twice, never collected): memory
/// follows the number of supersessions, not of entries.
pub fn resolve_iter<I: Iterator<Item = ItemEntry>>(entries: impl Fn() -> I) -> Resolution {
    // The verified superseding entries (a failed one is listed as FAILED already; its
    // fields mean nothing), and the entries they name.
    let superseding: Vec<ItemEntry> = entries()
        .filter(|e| e.verified && e.supersedes.is_some())
        .collect();
    let named: HashSet<Hash> = superseding.iter().filter_map(|e| e.supersedes).collect();
    let mut by_hash: HashMap<Hash, ItemEntry> = HashMap::new();
    for e in entries() {
        if named.contains(&e.hash) {
            by_hash.insert(e.hash, e);
        }
    }
    let mut out = Resolution::default();
    for s in &superseding {
        let Some(named) = s.supersedes else { continue };
        let warn = |code| SupersedesWarning {
            code,
            entry: s.hash.hex(),
            names: named.hex(),
        };
        let Some(e) = by_hash.get(&named) else {
            out.warnings.push(warn(UNRESOLVED));
            continue;
        };
        let same_item = e.subject == s.subject && e.disclosure == s.disclosure;
        let later = (e.log == s.log && s.seq > e.seq) || s.ts_ms >= e.ts_ms - SKEW_TOLERANCE_MS;
        if same_item && later && e.hash != s.hash {
            out.superseded.insert(e.hash);
        } else {
            out.warnings.push(warn(IGNORED));
        }
    }
    out.open_escalations = entries()
        .filter(|e| e.escalate && out.effective(&e.hash, e.verified))
        .map(|e| e.hash)
        .collect();
    out
}

/// [`resolve`] over records already read (all of them: a filtered list would miss
/// superseding entries).
pub fn resolve_records(records: &[DecisionRecord]) -> Resolution {
    resolve_iter(|| records.iter().map(ItemEntry::of))
}
