//! Supersession over the records a supervisor reads: the rule itself
//! ([`honoured`]: same item, later place) lives in `crate::log::supersede` (one definition
//! for the appender, the review screen and every supervisor count); this applies it to the
//! supervisor's compact records (interned text, hashes as bytes) without copying them.

use std::collections::{HashMap, HashSet};

pub use crate::log::supersede::{IGNORED, SupersedesWarning, UNRESOLVED};
use crate::log::supersede::{Place, honoured};

use super::record::{DecisionRecord, Hash, Sym};

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
    /// Where and when the entry stands, for the shared rule.
    pub fn place(&self) -> Place<'static> {
        Place {
            log: self.log.as_str(),
            seq: self.seq,
            ts_ms: self.ts_ms,
        }
    }

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
        if honoured(same_item, e.place(), s.place()) && e.hash != s.hash {
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
