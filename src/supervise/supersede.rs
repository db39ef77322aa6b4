//! Supersession over the records a supervisor reads: the rule (`honoured`: same item,
//! later place) and the loop that applies it (`resolve_iter`) live in
//! `crate::log::supersede` (one definition for the appender, the review screen and every
//! supervisor count); this makes the supervisor's compact records (interned text, hashes
//! as bytes) an input of that loop without copying them.

use crate::log::supersede::{Place, Supersession};
pub use crate::log::supersede::{SupersedesWarning, resolve_iter};

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
impl Supersession for ItemEntry {
    type Hash = Hash;
    fn hash(&self) -> Hash {
        self.hash
    }
    fn supersedes(&self) -> Option<Hash> {
        self.supersedes
    }
    fn same_item(&self, other: &Self) -> bool {
        self.subject == other.subject && self.disclosure == other.disclosure
    }
    fn place(&self) -> Place<'_> {
        ItemEntry::place(self)
    }
    fn verified(&self) -> bool {
        self.verified
    }
    fn escalate(&self) -> bool {
        self.escalate
    }
}

/// The outcome over every decision entry read.
pub type Resolution = crate::log::supersede::Resolution<Hash>;

/// Decide every `supersedes` among `entries` (all decision entries read, any order).
pub fn resolve(entries: &[ItemEntry]) -> Resolution {
    resolve_iter(|| entries.iter().copied())
}

/// [`resolve`] over records already read (all of them: a filtered list would miss
/// superseding entries).
pub fn resolve_records(records: &[DecisionRecord]) -> Resolution {
    resolve_iter(|| records.iter().map(ItemEntry::of))
}
