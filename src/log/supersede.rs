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

/// What the supersession loop needs of one decision entry read. Implemented by the
/// appender's and review screen's [`ItemEntry`] (hex text) and by the supervisor's compact
/// `supervise::ItemEntry` (interned text, hashes as bytes), so both apply one loop,
/// [`resolve_iter`], and one rule, [`honoured`].
pub trait Supersession {
    /// How an entry is named by a `supersedes` (its line's SHA-256).
    type Hash: Clone + Eq + std::hash::Hash + std::fmt::Display;
    fn hash(&self) -> Self::Hash;
    fn supersedes(&self) -> Option<Self::Hash>;
    /// About the same item (subject, disclosure) as `other`.
    fn same_item(&self, other: &Self) -> bool;
    fn place(&self) -> Place<'_>;
    /// Passed verification (trusted signer, valid chain).
    fn verified(&self) -> bool;
    fn escalate(&self) -> bool;
}

impl Supersession for &ItemEntry {
    type Hash = String;
    fn hash(&self) -> String {
        self.hash.clone()
    }
    fn supersedes(&self) -> Option<String> {
        self.supersedes.clone()
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution<H: Eq + std::hash::Hash = String> {
    /// Entries named by an honoured supersession (no longer effective).
    pub superseded: HashSet<H>,
    /// Verified escalations no honoured supersession names, in input order.
    pub open_escalations: Vec<H>,
    pub warnings: Vec<SupersedesWarning>,
}

impl<H: Eq + std::hash::Hash> Default for Resolution<H> {
    fn default() -> Self {
        Resolution {
            superseded: HashSet::new(),
            open_escalations: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl<H: Eq + std::hash::Hash> Resolution<H> {
    /// Still effective: verified and not superseded.
    pub fn effective<Q>(&self, hash: &Q, verified: bool) -> bool
    where
        H: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        verified && !self.superseded.contains(hash)
    }
}

/// Decide every `supersedes` among `entries` (all decision entries read, any order).
pub fn resolve(entries: &[ItemEntry]) -> Resolution {
    resolve_iter(|| entries.iter())
}

/// The one supersession loop: decide every `supersedes` among the entries `entries()`
/// produces (all decision entries read, any order). They are produced on demand — read
/// twice, never collected — so memory follows the number of supersessions, not of entries.
pub fn resolve_iter<E: Supersession, I: Iterator<Item = E>>(
    entries: impl Fn() -> I,
) -> Resolution<E::Hash> {
    // The verified superseding entries (a failed one is listed as FAILED already; its
    // fields mean nothing), and the entries they name.
    let superseding: Vec<E> = entries()
        .filter(|e| e.verified() && e.supersedes().is_some())
        .collect();
    let named: HashSet<E::Hash> = superseding.iter().filter_map(|e| e.supersedes()).collect();
    let mut by_hash: HashMap<E::Hash, E> = HashMap::new();
    for e in entries() {
        if named.contains(&e.hash()) {
            by_hash.insert(e.hash(), e);
        }
    }
    let mut out = Resolution::default();
    for s in &superseding {
        let Some(named) = s.supersedes() else {
            continue;
        };
        let warn = |code| SupersedesWarning {
            code,
            entry: s.hash().to_string(),
            names: named.to_string(),
        };
        let Some(e) = by_hash.get(&named) else {
            out.warnings.push(warn(UNRESOLVED));
            continue;
        };
        if honoured(s.same_item(e), e.place(), s.place()) && e.hash() != s.hash() {
            out.superseded.insert(e.hash());
        } else {
            out.warnings.push(warn(IGNORED));
        }
    }
    out.open_escalations = entries()
        .filter(|e| e.escalate() && out.effective(&e.hash(), e.verified()))
        .map(|e| e.hash())
        .collect();
    out
}

/// A new decision on an item, against the item's effective decisions: the "a repeat
/// decision must supersede" rule (docs/signed-log.md#supersession-effective-decisions-and-conflicts),
/// one definition for the appender ([`super::items`]) and team work (`team::items::plan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat<'e, E> {
    /// The item has no effective decision: nothing to name.
    First,
    /// `supersedes` names this effective decision.
    Replaces(&'e E),
    /// The item has effective decisions and `supersedes` is absent.
    Unnamed,
    /// The item has effective decisions and `supersedes` names none of them (superseded
    /// already, or not read).
    NotEffective,
}

impl<E> Repeat<'_, E> {
    /// May the new decision be recorded as far as supersession goes?
    pub fn allowed(&self) -> bool {
        matches!(self, Repeat::First | Repeat::Replaces(_))
    }
}

/// Which case of [`Repeat`] a new decision naming `supersedes` is, given the item's
/// `effective` decisions and `is(e, hex)`: does effective decision `e` have that hash.
pub fn repeat<'e, E>(
    effective: &'e [E],
    supersedes: Option<&str>,
    is: impl Fn(&E, &str) -> bool,
) -> Repeat<'e, E> {
    if effective.is_empty() {
        return Repeat::First;
    }
    match supersedes {
        None => Repeat::Unnamed,
        Some(named) => effective
            .iter()
            .find(|e| is(e, named))
            .map_or(Repeat::NotEffective, Repeat::Replaces),
    }
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

    #[test]
    fn a_repeat_must_name_an_effective_decision() {
        let eff = ["aa".to_owned(), "bb".to_owned()];
        let is = |e: &String, h: &str| e == h;
        assert_eq!(repeat(&[] as &[String], None, is), Repeat::First);
        assert_eq!(repeat(&[] as &[String], Some("zz"), is), Repeat::First);
        assert_eq!(repeat(&eff, None, is), Repeat::Unnamed);
        assert_eq!(repeat(&eff, Some("bb"), is), Repeat::Replaces(&eff[1]));
        assert_eq!(repeat(&eff, Some("zz"), is), Repeat::NotEffective);
        assert!(!repeat(&eff, Some("zz"), is).allowed());
        assert!(repeat(&eff, Some("aa"), is).allowed());
    }

    fn entry(hash: &str, disclosure: &str, seq: u64, supersedes: Option<&str>) -> ItemEntry {
        ItemEntry {
            hash: hash.to_owned(),
            subject: "P".into(),
            disclosure: disclosure.into(),
            log: "L".into(),
            seq,
            ts_ms: 0,
            verified: true,
            escalate: true,
            supersedes: supersedes.map(str::to_owned),
        }
    }

    /// The loop: an honoured supersession closes an escalation; one naming another item or
    /// nothing read changes nothing and is reported.
    #[test]
    fn the_loop_honours_and_reports() {
        let entries = [
            entry("a", "D1", 1, None),
            entry("b", "D1", 2, Some("a")),
            entry("c", "D2", 3, Some("b")),
            entry("d", "D2", 4, Some("zz")),
        ];
        let r = resolve(&entries);
        assert_eq!(r.superseded, HashSet::from(["a".to_owned()]));
        assert_eq!(r.open_escalations, ["b", "c", "d"]);
        let codes: Vec<_> = r
            .warnings
            .iter()
            .map(|w| (w.code, w.entry.as_str()))
            .collect();
        assert_eq!(codes, [(IGNORED, "c"), (UNRESOLVED, "d")]);
    }
}
