//! Supersession over the records a supervisor reads: the rule itself lives in
//! `crate::log::supersede` (one definition for the appender, the review screen and every
//! supervisor count); this adds the bridge from [`DecisionRecord`].

pub use crate::log::supersede::{
    IGNORED, ItemEntry, Resolution, SupersedesWarning, UNRESOLVED, resolve,
};

use super::record::{DecisionRecord, Shared};

/// What supersession needs to know of a record read by `load_logs`.
pub fn item_entry(r: &DecisionRecord) -> ItemEntry {
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

/// [`resolve`] over records already read (all of them: a filtered list would miss
/// superseding entries).
pub fn resolve_records(records: &[DecisionRecord]) -> Resolution {
    resolve(&records.iter().map(item_entry).collect::<Vec<_>>())
}
