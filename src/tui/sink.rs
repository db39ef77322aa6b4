//! The boundary between the review TUI and the signed decision log.
//!
//! The TUI never writes a log itself: it hands a checked decision to a [`DecisionSink`] and
//! marks the item decided only when the sink returns a [`Receipt`]. At start the sink reports
//! what is already recorded so a reviewer resumes where they left off. The integrator wires
//! the real signed log behind this trait; [`MemorySink`] serves the tests and
//! [`super::SignedLogSink`] is the real one.

use crate::engine::Evaluation;
use crate::queue::{Disclosure, LoadedQueue};

/// What the reviewer chose and the log's acknowledgement are the log's own types: one
/// declaration each (`src/log/record.rs`, `src/log/append.rs`).
pub use crate::log::{DecisionInput, Receipt};

/// A decision already in the log, read back at start: the log reader's projection of a
/// `decision` entry (`src/log/read.rs`), under the name the review screen uses.
pub use crate::log::read::RecordedDecision as Recorded;

/// Why an item's decision dialog did not open in a team (docs/team.md#claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRefused {
    /// The reviewer holding the item, when another does (its row shows `claimed by …`).
    pub holder: Option<String>,
    /// The whole message for the status line (what happened, what to do).
    pub message: String,
}

/// Why a sink could not record or read back. Each message is whole for the status line
/// (what failed, what to do); show it with `crate::text::error_chain`, which adds the
/// I/O cause of a log that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The log cannot be appended to (`why`, from the recorder's check at start).
    #[error("the log is read-only: {why}; run `p2review log verify` and ask a supervisor")]
    ReadOnly { why: String },
    /// Another window or `decide` decided the item meanwhile: the dialog reopens to
    /// supersede it.
    #[error(
        "this item was decided meanwhile ({} by {} at {ts}), in another window or by `decide`; it is shown now — confirm again to supersede it",
        decision.to_uppercase(),
        crate::text::escape(reviewer)
    )]
    DecidedMeanwhile {
        decision: String,
        reviewer: String,
        ts: String,
    },
    /// The append failed; nothing was recorded. (Its text is in the message, so it is
    /// not also a `source`.)
    #[error("not recorded: {0}")]
    NotRecorded(crate::log::RecordError),
    /// Team recording failed; nothing was recorded (the team path's message).
    #[error("not recorded: {0}")]
    TeamNotRecorded(String),
    /// The log cannot be read back (the I/O error is the source).
    #[error(transparent)]
    Read(#[from] crate::log::read::LogReadError),
    /// The team store cannot be read (its logs, signers or claims).
    #[error(transparent)]
    Team(#[from] crate::team::TeamError),
    /// The team's logs cannot be followed (the live view's message).
    #[error("{0}")]
    Live(String),
    /// The team's `allowed_signers` changed and cannot be read.
    #[error("the team's allowed_signers changed and cannot be read: {0}")]
    TrustChanged(crate::team::TeamError),
    /// Held claims that could not be extended (one message each).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    ClaimsLost(Vec<crate::team::TeamError>),
    /// A sink's own message (the in-memory sink's scripted failure).
    #[error("{0}")]
    Other(String),
    /// A thread panicked while holding a shared sink.
    #[error("the decision sink is poisoned")]
    Poisoned,
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
    ) -> Result<Receipt, SinkError>;

    /// Decisions already recorded, oldest first.
    fn recorded(&self) -> Result<Vec<Recorded>, SinkError>;

    /// Decisions appended since the last call to `recorded` or `poll` (by this window or
    /// another), for the live reload; `Ok(None)` when nothing changed. `true` with the
    /// list: the log was read again from its start (it was replaced), the list is all of it.
    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, SinkError> {
        Ok(None)
    }

    /// A warning for the header from the start (log not writable, open elsewhere).
    fn notice(&self) -> Option<String> {
        None
    }

    /// `disclosure_sha256` (docs/signed-log.md#decision): the canonical form every sink uses
    /// (sorted keys, no nulls, `expect` excluded).
    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        crate::queue::canonical::disclosure_sha256(d)
    }

    /// One line for the header, e.g. "demo log ~/.local/share/p2review/demo-decisions.jsonl".
    fn describe(&self) -> String;

    /// In a team: the reviewer's principal (others' claims and decisions are told apart
    /// from one's own by it). `None` outside a team: no claims are taken.
    fn team_principal(&self) -> Option<String> {
        None
    }

    /// Team work: claim `d` before its decision dialog opens (docs/team.md#claims). A
    /// claim held for another item by this window is given up first.
    fn claim(&mut self, _loaded: &LoadedQueue, _d: &Disclosure) -> Result<(), ClaimRefused> {
        Ok(())
    }

    /// Team work: claim every item of a bulk decision (`v` marks) before its dialog opens:
    /// all or nothing — when one is held by another reviewer none is kept, and the
    /// message says which are held by whom. Claims held before are given up first.
    fn claim_all(
        &mut self,
        _loaded: &LoadedQueue,
        _ds: &[&Disclosure],
    ) -> Result<(), ClaimRefused> {
        Ok(())
    }

    /// Extend the held claims (a key was pressed in the dialog); cheap when called often.
    fn renew_claim(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// Give up the held claims (the dialog closed without recording).
    fn release_claim(&mut self) {}

    /// Others' live claims on the queue `queue_sha256` as (disclosure id, holder), when
    /// they changed since the last call.
    fn poll_claims(
        &mut self,
        _queue_sha256: &str,
    ) -> Result<Option<Vec<(String, String)>>, SinkError> {
        Ok(None)
    }
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
    /// Write override approvals as four-eyes approvals (`second_required`), as a team
    /// with `override_second_reviewer` does.
    pub four_eyes: bool,
}

impl DecisionSink for MemorySink {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, SinkError> {
        if let Some(e) = &self.fail_with {
            return Err(SinkError::Other(e.clone()));
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
        let override_ =
            crate::decision::is_override(input.decision, eval.part2.status, eval.hipaa.status);
        let second_required = self.four_eyes && override_;
        let rec = Recorded {
            seq,
            entry_sha256: entry.clone(),
            disclosure: d.id.clone(),
            disclosure_sha256: self.disclosure_sha256(d),
            subject: d.patient.clone(),
            decision: input.decision,
            reason_code: input.reason_code,
            ts: String::new(),
            reviewer: String::new(),
            key: String::new(),
            supersedes: input.supersedes.clone(),
            override_,
            second_required,
            note: input.note.clone(),
        };
        self.entries.push((rec, input.clone()));
        Ok(Receipt {
            seq,
            entry_sha256: entry,
            log_id: "0".repeat(32),
            sealed_fragment: None,
            head_warning: None,
            second_required,
        })
    }

    fn recorded(&self) -> Result<Vec<Recorded>, SinkError> {
        let mut all = self.seeded.clone();
        all.extend(self.entries.iter().map(|(r, _)| r.clone()));
        Ok(all)
    }

    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, SinkError> {
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
    ) -> Result<Receipt, SinkError> {
        self.lock()
            .map_err(|_| SinkError::Poisoned)?
            .record(loaded, d, eval, input)
    }
    fn recorded(&self) -> Result<Vec<Recorded>, SinkError> {
        self.lock().map_err(|_| SinkError::Poisoned)?.recorded()
    }
    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        match self.lock() {
            Ok(s) => s.disclosure_sha256(d),
            Err(_) => crate::queue::canonical::disclosure_sha256(d),
        }
    }
    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, SinkError> {
        self.lock().map_err(|_| SinkError::Poisoned)?.poll()
    }
    fn notice(&self) -> Option<String> {
        self.lock().ok().and_then(|s| s.notice())
    }
    fn describe(&self) -> String {
        self.lock().map(|s| s.describe()).unwrap_or_default()
    }
    fn team_principal(&self) -> Option<String> {
        self.lock().ok().and_then(|s| s.team_principal())
    }
    fn claim(&mut self, loaded: &LoadedQueue, d: &Disclosure) -> Result<(), ClaimRefused> {
        self.lock()
            .map_err(|_| ClaimRefused {
                holder: None,
                message: "the decision sink is poisoned".into(),
            })?
            .claim(loaded, d)
    }
    fn renew_claim(&mut self) -> Result<(), SinkError> {
        self.lock().map_err(|_| SinkError::Poisoned)?.renew_claim()
    }
    fn release_claim(&mut self) {
        if let Ok(mut s) = self.lock() {
            s.release_claim()
        }
    }
    fn poll_claims(
        &mut self,
        queue_sha256: &str,
    ) -> Result<Option<Vec<(String, String)>>, SinkError> {
        self.lock()
            .map_err(|_| SinkError::Poisoned)?
            .poll_claims(queue_sha256)
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
        let hash = |d: &Disclosure| MemorySink::default().disclosure_sha256(d);
        let h = hash(&d);
        d.expect = Some(Default::default());
        assert_eq!(hash(&d), h);
        d.purpose = crate::queue::Purpose::Treatment;
        assert_ne!(hash(&d), h);
    }
}
