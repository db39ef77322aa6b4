//! Conflicts and four-eyes over effective decisions (docs/signed-log.md#supersession-effective-decisions-and-conflicts,
//! docs/team.md#four-eyes).
//!
//! An item's effective decisions are its verified decision entries that no honoured
//! supersession names (`supersede::resolve`). A **conflict** is two or more effective
//! decisions with different `decision`: two reviewers disagreed and nobody resolved it.
//! A four-eyes approval (`second_required: true`) is **pending** — counted as not
//! approved — until an `approve` by another principal with another key supersedes it;
//! an approval by the same principal or key that supersedes a pending one is pending too.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::intern::Sym;
use super::record::{DecisionRecord, Hash};

/// Two or more effective decisions on one item that disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub subject: String,
    pub disclosure: String,
    /// (entry hash, reviewer, decision) of each effective decision, in time order.
    pub entries: Vec<(String, String, String)>,
}

/// Whether a record is one of its item's effective decisions: verified, not superseded.
fn is_effective(r: &DecisionRecord, superseded: &HashSet<Hash>) -> bool {
    r.verification.ok() && !superseded.contains(&r.entry_sha256)
}

/// Every conflict among `records` (all decision entries read), given the honoured
/// superseded hashes, by (subject, disclosure); each conflict's entries in time order.
///
/// Two passes so a million records cost 12 bytes each for a moment (item and decision,
/// sorted to find the items whose decisions differ) instead of a list of records per
/// item: only the items found in conflict are gathered in the second pass.
pub fn conflicts(records: &[DecisionRecord], superseded: &HashSet<Hash>) -> Vec<Conflict> {
    let mut decided: Vec<(Sym, Sym, Sym)> = records
        .iter()
        .filter(|r| is_effective(r, superseded))
        .map(|r| (r.body.subject, r.body.disclosure, r.body.decision))
        .collect();
    decided.sort_unstable();
    let in_conflict: HashSet<(Sym, Sym)> = decided
        .windows(2)
        .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1) && w[0].2 != w[1].2)
        .map(|w| (w[0].0, w[0].1))
        .collect();
    drop(decided);
    let mut by_item: BTreeMap<(&str, &str), Vec<&DecisionRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| is_effective(r, superseded)) {
        let key = (r.body.subject, r.body.disclosure);
        if in_conflict.contains(&key) {
            by_item
                .entry((key.0.as_str(), key.1.as_str()))
                .or_default()
                .push(r);
        }
    }
    by_item
        .into_iter()
        .map(|((subject, disclosure), es)| Conflict {
            subject: subject.to_owned(),
            disclosure: disclosure.to_owned(),
            entries: es
                .iter()
                .map(|r| {
                    (
                        r.entry_sha256.hex(),
                        r.body.reviewer.to_string(),
                        r.body.decision.to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// What team work flags on each entry (`log show`, `log review`): in a conflict, or an
/// override approval still waiting for its second reviewer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// Entries among the effective decisions of an item in conflict.
    pub conflict: HashSet<Hash>,
    /// Pending four-eyes approvals that are still effective (not completed).
    pub pending: HashSet<Hash>,
    /// How many items are in conflict.
    pub conflicts: usize,
}

impl Flags {
    pub fn of(records: &[DecisionRecord], superseded: &HashSet<Hash>) -> Flags {
        let list = conflicts(records, superseded);
        Flags {
            conflict: conflicting_hashes(&list),
            pending: pending_second(records)
                .into_iter()
                .filter(|h| !superseded.contains(h))
                .collect(),
            conflicts: list.len(),
        }
    }

    /// The status word of a verified entry: `CONFLICT`, `PENDING` or `verified`.
    pub fn status(&self, h: &Hash) -> &'static str {
        if self.conflict.contains(h) {
            "CONFLICT"
        } else if self.pending.contains(h) {
            "PENDING"
        } else {
            "verified"
        }
    }
}

/// Hashes of the entries in conflict (what `log show` flags `CONFLICT`).
pub fn conflicting_hashes(conflicts: &[Conflict]) -> HashSet<Hash> {
    conflicts
        .iter()
        .flat_map(|c| c.entries.iter().filter_map(|(h, _, _)| Hash::parse_hex(h)))
        .collect()
}

/// One decision entry as the four-eyes rule sees it. The supervisor's records and the
/// review screen's rows both answer it, so the rule below is written once.
pub trait FourEyes {
    type Id: Eq + std::hash::Hash + Clone;
    fn id(&self) -> Self::Id;
    fn approves(&self) -> bool;
    fn second_required(&self) -> bool;
    fn supersedes(&self) -> Option<Self::Id>;
    /// (subject, disclosure).
    fn item(&self) -> (&str, &str);
    /// (principal, key fingerprint).
    fn signer(&self) -> (&str, &str);
}

impl FourEyes for DecisionRecord {
    type Id = Hash;
    fn id(&self) -> Hash {
        self.entry_sha256
    }
    fn approves(&self) -> bool {
        &*self.body.decision == "approve"
    }
    fn second_required(&self) -> bool {
        self.body.second_required
    }
    fn supersedes(&self) -> Option<Hash> {
        self.body.supersedes
    }
    fn item(&self) -> (&str, &str) {
        (&self.body.subject, &self.body.disclosure)
    }
    fn signer(&self) -> (&str, &str) {
        (&self.body.reviewer, &self.body.key)
    }
}

/// Verified approvals still waiting for a second reviewer (four-eyes): they count as not
/// approved. Whether they are still effective is the caller's question (a pending entry
/// superseded by a second reviewer's approval is complete, and no longer effective).
pub fn pending_second<'r>(records: impl IntoIterator<Item = &'r DecisionRecord>) -> HashSet<Hash> {
    pending_among(records.into_iter().filter(|r| r.verification.ok()))
}

/// The pending approvals among `entries` (all of them trusted: the caller filters).
pub fn pending_among<'r, T: FourEyes + 'r>(
    entries: impl IntoIterator<Item = &'r T>,
) -> HashSet<T::Id> {
    // Only an approval that is `second_required` or names an entry can be pending
    // (`is_pending`): the others are left out of the table, which gives the same answers
    // (an entry missing from it and one that is not pending both count as not pending)
    // and costs nothing for the million plain approvals of a large load.
    let by_hash: HashMap<T::Id, &T> = entries
        .into_iter()
        .filter(|r| r.approves() && (r.second_required() || r.supersedes().is_some()))
        .map(|r| (r.id(), r))
        .collect();
    let mut memo: HashMap<T::Id, bool> = HashMap::new();
    let mut out = HashSet::new();
    for r in by_hash.values() {
        if is_pending(*r, &by_hash, &mut memo, 0) {
            out.insert(r.id());
        }
    }
    out
}

/// Is `r` an approval that still needs a second reviewer? Depth-bounded: supersession
/// chains are short, and a cycle of hashes cannot exist (each names an earlier line).
fn is_pending<'r, T: FourEyes>(
    r: &'r T,
    by_hash: &HashMap<T::Id, &'r T>,
    memo: &mut HashMap<T::Id, bool>,
    depth: usize,
) -> bool {
    if let Some(&p) = memo.get(&r.id()) {
        return p;
    }
    let p = if !r.approves() {
        false
    } else if r.second_required() {
        // A second_required approval completes a pending one of another principal and
        // key, and an approve whose honoured `supersedes` names it is not itself pending
        // (docs/signed-log.md, entry versions).
        !completes(r, by_hash, memo, depth)
    } else {
        match r.supersedes().and_then(|h| by_hash.get(&h).copied()) {
            Some(named)
                if depth < 64
                    && named.item() == r.item()
                    && is_pending(named, by_hash, memo, depth + 1) =>
            {
                let (a, b) = (named.signer(), r.signer());
                a.0 == b.0 || a.1 == b.1
            }
            _ => false,
        }
    };
    memo.insert(r.id(), p);
    p
}

fn completes<'r, T: FourEyes>(
    r: &'r T,
    by_hash: &HashMap<T::Id, &'r T>,
    memo: &mut HashMap<T::Id, bool>,
    depth: usize,
) -> bool {
    match r.supersedes().and_then(|h| by_hash.get(&h).copied()) {
        Some(named) if depth < 64 && named.item() == r.item() => {
            let (a, b) = (named.signer(), r.signer());
            a.0 != b.0 && a.1 != b.1 && is_pending(named, by_hash, memo, depth + 1)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct E {
        id: u8,
        approves: bool,
        second: bool,
        supersedes: Option<u8>,
        item: (&'static str, &'static str),
        signer: (&'static str, &'static str),
    }

    impl FourEyes for E {
        type Id = u8;
        fn id(&self) -> u8 {
            self.id
        }
        fn approves(&self) -> bool {
            self.approves
        }
        fn second_required(&self) -> bool {
            self.second
        }
        fn supersedes(&self) -> Option<u8> {
            self.supersedes
        }
        fn item(&self) -> (&str, &str) {
            self.item
        }
        fn signer(&self) -> (&str, &str) {
            self.signer
        }
    }

    fn entry() -> impl Strategy<Value = E> {
        let pick = |v: [&'static str; 2]| proptest::sample::select(v.to_vec());
        (
            Just(0u8),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u8..24),
            (pick(["P-1", "P-2"]), pick(["D-1", "D-2"])),
            (pick(["ann", "bob"]), pick(["k1", "k2"])),
        )
            .prop_map(|(id, approves, second, supersedes, item, signer)| E {
                id,
                approves,
                second,
                supersedes,
                item,
                signer,
            })
    }

    proptest! {
        /// Leaving entries that cannot be pending out of the table changes no answer:
        /// the same set as the rule run over a table of every entry.
        #[test]
        fn pending_among_equals_the_rule_over_every_entry(es in proptest::collection::vec(entry(), 0..24)) {
            // An id is the hash of its line: distinct entries, distinct ids; and a line can
            // only name one written before it (naming a later one would need that line's
            // hash, which covers its own `prev`/`supersedes`), so supersession never loops.
            // Generated cycles made the answer depend on HashMap order (a flaky failure).
            let es: Vec<E> = es
                .into_iter()
                .enumerate()
                .map(|(i, e)| E {
                    id: i as u8,
                    supersedes: e.supersedes.filter(|_| i > 0).map(|s| s % i as u8),
                    ..e
                })
                .collect();
            let all: HashMap<u8, &E> = es.iter().map(|e| (e.id, e)).collect();
            let mut memo = HashMap::new();
            let full: HashSet<u8> = all
                .values()
                .filter(|e| is_pending(**e, &all, &mut memo, 0))
                .map(|e| e.id)
                .collect();
            prop_assert_eq!(pending_among(&es), full);
        }
    }
}
