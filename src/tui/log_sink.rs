//! The review TUI's sink onto the signed decision log: the same `Recorder` path as
//! `p2review decide`, so a decision made on screen and one made on the command line are
//! the same entry, signed the same way.

use std::path::Path;

use crate::engine::Evaluation;
use crate::log::read::read_decisions;
use crate::log::{LogKind, Recorder};
use crate::queue::{Disclosure, LoadedQueue};

use super::sink::{DecisionInput, DecisionSink, Receipt, Recorded};

pub struct SignedLogSink {
    recorder: Recorder,
    label: String,
    /// Set when the log's tail failed its check at start: every record is refused and the
    /// header says why (docs/signed-log.md#appending: the TUI opens read-only).
    read_only: Option<String>,
}

impl SignedLogSink {
    /// `label` names the log in the header ("log", "demo log").
    pub fn new(recorder: Recorder, label: &str) -> SignedLogSink {
        let read_only = recorder.check().err().map(|e| e.to_string());
        SignedLogSink {
            label: format!("{label} {}", recorder.log_path().display()),
            recorder,
            read_only,
        }
    }

    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    pub fn log_path(&self) -> &Path {
        self.recorder.log_path()
    }
}

impl DecisionSink for SignedLogSink {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, String> {
        if let Some(why) = &self.read_only {
            return Err(format!(
                "the log is read-only: {why}; run `p2review log verify` and ask a supervisor"
            ));
        }
        self.recorder
            .record(loaded, d, eval, input.clone())
            .map_err(|e| format!("not recorded: {e}"))
    }

    fn recorded(&self) -> Result<Vec<Recorded>, String> {
        Ok(read_decisions(self.recorder.log_path())?.decisions)
    }

    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        crate::queue::canonical::disclosure_sha256(d)
    }

    fn describe(&self) -> String {
        match &self.read_only {
            Some(_) => format!("READ-ONLY {}", self.label),
            None => self.label.clone(),
        }
    }
}

/// The kind of log the review TUI writes: demo mode never touches a production log.
pub fn kind_for(demo: bool) -> LogKind {
    if demo {
        LogKind::Demo
    } else {
        LogKind::Production
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, ReasonCode};
    use crate::engine::Engine;
    use crate::log::keys::init_key;
    use crate::paths::DataDir;

    fn sample() -> LoadedQueue {
        let text = include_str!("../../sample_data/queue.yaml");
        let queue = crate::queue::load_bytes(text.as_bytes(), "sample").unwrap();
        LoadedQueue {
            path: "sample".into(),
            index: crate::queue::QueueIndex::build(&queue),
            queue,
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        }
    }

    #[test]
    fn records_signed_entries_reads_them_back_and_goes_read_only_on_a_torn_middle() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path())).unwrap();
        let signer = init_key(&data.signing_key(), "rev@example.org").unwrap();
        let log = dir.path().join("decisions.jsonl");
        let l = sample();
        let d = &l.queue.disclosures[0];
        let ev = Engine::default()
            .for_date(l.queue.as_of.unwrap())
            .unwrap()
            .evaluate(&l.queue, &l.index, d);
        let mut sink = SignedLogSink::new(
            Recorder::open(&data, &log, LogKind::Production, signer.clone()),
            "log",
        );
        assert!(sink.read_only().is_none());
        let input = DecisionInput {
            decision: Decision::Escalate,
            reason_code: Some(ReasonCode::NeedsPrivacyOfficer),
            note: None,
            supersedes: None,
        };
        let r = sink.record(&l, d, &ev, &input).unwrap();
        assert_eq!(r.seq, 1, "genesis is seq 0");
        let back = sink.recorded().unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].entry_sha256, r.entry_sha256);
        assert_eq!(back[0].disclosure_sha256, sink.disclosure_sha256(d));

        // Damage the last entry's signature: appends must be refused, and say so.
        let text = std::fs::read_to_string(&log).unwrap();
        let broken = text.replacen("\"sig\":\"", "\"sig\":\"A", 2);
        std::fs::write(&log, broken).unwrap();
        let mut sink = SignedLogSink::new(
            Recorder::open(&data, &log, LogKind::Production, signer),
            "log",
        );
        assert!(sink.read_only().is_some());
        assert!(sink.describe().starts_with("READ-ONLY"));
        let err = sink.record(&l, d, &ev, &input).unwrap_err();
        assert!(err.contains("read-only"), "{err}");
    }
}
