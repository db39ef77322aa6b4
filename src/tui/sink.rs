//! The boundary between the review TUI and the signed decision log.
//!
//! The TUI never writes a log itself: it hands a checked decision to a [`DecisionSink`] and
//! marks the item decided only when the sink returns a [`Receipt`]. At start the sink reports
//! what is already recorded so a reviewer resumes where they left off. The integrator wires
//! the real signed log behind this trait; [`MemorySink`] serves the tests and
//! [`super::SignedLogSink`] is the real one.

use serde::{Deserialize, Serialize};

use crate::decision::{Decision, ReasonCode};
use crate::engine::Evaluation;
use crate::queue::{Disclosure, LoadedQueue};

/// What the reviewer chose, already checked with [`crate::decision::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub decision: Decision,
    pub reason: Option<ReasonCode>,
    /// Trimmed; `None` when empty.
    pub note: Option<String>,
    /// `crate::decision::is_override` for this verdict.
    pub overrides: bool,
    /// The entry hash of the decision this one corrects (the item was already decided).
    pub supersedes: Option<String>,
}

/// The log's acknowledgement: `ACK seq=<n> entry=<hex> log=<id>` (docs/cli.md#decide).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub seq: u64,
    /// Hex SHA-256 of the entry's line.
    pub entry: String,
    /// The log id.
    pub log: String,
}

/// A decision already in the log, read back at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<ReasonCode>,
    /// Hex SHA-256 of the entry's line (what `supersedes` names).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entry: String,
    /// Who recorded it and when (the entry's `reviewer` and `ts`; empty when unknown):
    /// shown when the item is opened again, e.g. by a supervisor resolving an escalation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ts: String,
    /// The reviewer's note and the entry this one supersedes, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
}

pub trait DecisionSink: Send {
    /// Append one decision. `Err` carries a message for the reviewer (what failed, what to
    /// do); nothing is marked decided then.
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, String>;

    /// Decisions already recorded, oldest first.
    fn recorded(&self) -> Result<Vec<Recorded>, String>;

    /// Decisions appended since the last call to `recorded` or `poll` (by this window or
    /// another), for the live reload; `Ok(None)` when nothing changed. `true` with the
    /// list: the log was read again from its start (it was replaced), the list is all of it.
    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, String> {
        Ok(None)
    }

    /// A warning for the header from the start (log not writable, open elsewhere).
    fn notice(&self) -> Option<String> {
        None
    }

    /// `disclosure_sha256` (docs/signed-log.md#decision). The real log supplies its canonical form; the default
    /// is the same idea (sorted keys, no nulls, `expect` excluded) for the in-memory sinks.
    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        provisional_disclosure_sha256(d)
    }

    /// One line for the header, e.g. "demo log ~/.local/share/p2review/demo-decisions.jsonl".
    fn describe(&self) -> String;
}

/// `disclosure_sha256` (docs/signed-log.md#decision), the log's canonical form (every sink uses it).
pub fn provisional_disclosure_sha256(d: &Disclosure) -> String {
    crate::queue::canonical::disclosure_sha256(d)
}

/// In-memory sink for tests: records into a Vec; `fail_with` makes the next records fail.
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    pub entries: Vec<(Recorded, DecisionInput)>,
    pub seeded: Vec<Recorded>,
    pub fail_with: Option<String>,
    /// Decisions "another window" appended, handed out by the next `poll` (live reload).
    pub appended: Vec<Recorded>,
    pub notice: Option<String>,
}

impl DecisionSink for MemorySink {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        _eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, String> {
        if let Some(e) = &self.fail_with {
            return Err(e.clone());
        }
        let seq = (self.seeded.len() + self.entries.len() + 1) as u64;
        let entry = crate::digest::sha256_hex(
            format!(
                "{}:{}:{}:{seq}",
                loaded.sha256,
                d.id,
                input.decision.as_str()
            )
            .as_bytes(),
        );
        let rec = Recorded {
            disclosure: d.id.clone(),
            disclosure_sha256: self.disclosure_sha256(d),
            decision: input.decision,
            reason_code: input.reason,
            entry: entry.clone(),
            reviewer: String::new(),
            ts: String::new(),
            note: input.note.clone(),
            supersedes: input.supersedes.clone(),
        };
        self.entries.push((rec, input.clone()));
        Ok(Receipt {
            seq,
            entry,
            log: "0".repeat(32),
        })
    }

    fn recorded(&self) -> Result<Vec<Recorded>, String> {
        let mut all = self.seeded.clone();
        all.extend(self.entries.iter().map(|(r, _)| r.clone()));
        Ok(all)
    }

    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, String> {
        if self.appended.is_empty() {
            return Ok(None);
        }
        let new = std::mem::take(&mut self.appended);
        self.seeded.extend(new.iter().cloned());
        Ok(Some((false, new)))
    }

    fn notice(&self) -> Option<String> {
        self.notice.clone()
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

/// A shared sink (tests keep a handle to inspect what was recorded).
impl<S: DecisionSink> DecisionSink for std::sync::Arc<std::sync::Mutex<S>> {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, String> {
        self.lock()
            .map_err(|_| "the decision sink is poisoned".to_owned())?
            .record(loaded, d, eval, input)
    }
    fn recorded(&self) -> Result<Vec<Recorded>, String> {
        self.lock()
            .map_err(|_| "the decision sink is poisoned".to_owned())?
            .recorded()
    }
    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        match self.lock() {
            Ok(s) => s.disclosure_sha256(d),
            Err(_) => provisional_disclosure_sha256(d),
        }
    }
    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, String> {
        self.lock()
            .map_err(|_| "the decision sink is poisoned".to_owned())?
            .poll()
    }
    fn notice(&self) -> Option<String> {
        self.lock().ok().and_then(|s| s.notice())
    }
    fn describe(&self) -> String {
        self.lock().map(|s| s.describe()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LoadedQueue {
        let text = include_str!("../../sample_data/queue.yaml");
        let queue = crate::queue::load_bytes(text.as_bytes(), "sample").unwrap();
        let index = crate::queue::QueueIndex::build(&queue);
        LoadedQueue {
            path: "sample".into(),
            queue,
            index,
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        }
    }

    #[test]
    fn the_disclosure_hash_ignores_expect_and_sees_any_change() {
        let l = sample();
        let mut d = l.queue.disclosures[0].clone();
        let h = provisional_disclosure_sha256(&d);
        d.expect = Some(Default::default());
        assert_eq!(provisional_disclosure_sha256(&d), h);
        d.purpose = crate::queue::Purpose::Treatment;
        assert_ne!(provisional_disclosure_sha256(&d), h);
    }
}
