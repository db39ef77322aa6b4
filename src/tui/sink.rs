//! The boundary between the review TUI and the signed decision log.
//!
//! The TUI never writes a log itself: it hands a checked decision to a [`DecisionSink`] and
//! marks the item decided only when the sink returns a [`Receipt`]. At start the sink reports
//! what is already recorded so a reviewer resumes where they left off. The integrator wires
//! the real signed log behind this trait; [`MemorySink`] serves the tests and
//! [`UnsignedJsonlSink`] keeps the binary usable until then.

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// The log's acknowledgement: `ACK seq=<n> entry=<hex> log=<id>` (SPEC §2 `decide`).
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

    /// SPEC §6.2 `disclosure_sha256`. The real log supplies its canonical form; the default
    /// is the same idea (sorted keys, no nulls, `expect` excluded) for the in-memory sinks.
    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        provisional_disclosure_sha256(d)
    }

    /// One line for the header, e.g. "demo log ~/.local/share/p2review/demo-decisions.jsonl".
    fn describe(&self) -> String;
}

/// Canonical JSON of a loaded disclosure without `expect`: serde_json's map keeps keys
/// sorted, absent optionals are skipped, dates print as `YYYY-MM-DD`, amounts as 2-decimal
/// strings.
pub fn provisional_disclosure_sha256(d: &Disclosure) -> String {
    let mut d = d.clone();
    d.expect = None;
    let v = serde_json::to_value(&d).unwrap_or(serde_json::Value::Null);
    crate::digest::sha256_hex(v.to_string().as_bytes())
}

/// In-memory sink for tests: records into a Vec; `fail_with` makes the next records fail.
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    pub entries: Vec<(Recorded, DecisionInput)>,
    pub seeded: Vec<Recorded>,
    pub fail_with: Option<String>,
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
    fn describe(&self) -> String {
        self.lock().map(|s| s.describe()).unwrap_or_default()
    }
}

/// PROVISIONAL, until the signed log is wired in: appends one unsigned JSON object per
/// decision (with fdatasync) and reads them back at start. It refuses a file it did not
/// write, so it can never damage a real signed log.
#[derive(Debug, Clone)]
pub struct UnsignedJsonlSink {
    path: PathBuf,
    label: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct UnsignedLine {
    provisional_unsigned: bool,
    queue: String,
    #[serde(flatten)]
    rec: Recorded,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(rename = "override")]
    overrides: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supersedes: Option<String>,
    part2: String,
    hipaa: String,
}

impl UnsignedJsonlSink {
    pub fn new(path: &Path, label: &str) -> UnsignedJsonlSink {
        UnsignedJsonlSink {
            path: path.to_owned(),
            label: label.to_owned(),
        }
    }

    /// Each line's parsed form with the SHA-256 of its bytes (the entry hash).
    fn read_lines(&self) -> Result<Vec<(UnsignedLine, String)>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(format!("{}: cannot read: {e}", self.path.display())),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| {
                let parsed = serde_json::from_str::<UnsignedLine>(l).map_err(|e| {
                    format!(
                        "{}: line {} is not a provisional review entry ({e}); use another --log",
                        self.path.display(),
                        n + 1
                    )
                })?;
                Ok((parsed, crate::digest::sha256_hex(l.as_bytes())))
            })
            .collect()
    }
}

impl DecisionSink for UnsignedJsonlSink {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, String> {
        let seq = self.read_lines()?.len() as u64;
        let line = UnsignedLine {
            provisional_unsigned: true,
            queue: loaded.sha256.clone(),
            rec: Recorded {
                disclosure: d.id.clone(),
                disclosure_sha256: self.disclosure_sha256(d),
                decision: input.decision,
                reason_code: input.reason,
                entry: String::new(),
            },
            note: input.note.clone(),
            overrides: input.overrides,
            supersedes: input.supersedes.clone(),
            part2: eval.part2.status.as_str().into(),
            hipaa: eval.hipaa.status.as_str().into(),
        };
        let text = serde_json::to_string(&line).map_err(|e| e.to_string())?;
        let entry = crate::digest::sha256_hex(text.as_bytes());
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("{}: cannot open: {e}", self.path.display()))?;
        f.write_all(format!("{text}\n").as_bytes())
            .and_then(|_| f.sync_data())
            .map_err(|e| format!("{}: cannot write: {e}", self.path.display()))?;
        Ok(Receipt {
            seq,
            entry,
            log: "provisional".into(),
        })
    }

    fn recorded(&self) -> Result<Vec<Recorded>, String> {
        Ok(self
            .read_lines()?
            .into_iter()
            .map(|(l, entry)| Recorded { entry, ..l.rec })
            .collect())
    }

    fn describe(&self) -> String {
        format!("{} {}", self.label, self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::*;

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

    fn eval(d: &Disclosure) -> Evaluation {
        Engine::default()
            .for_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
            .unwrap()
            .evaluate(&sample().queue, &sample().index, d)
    }

    #[test]
    fn unsigned_sink_round_trips_and_refuses_a_foreign_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/log.jsonl");
        let l = sample();
        let d = &l.queue.disclosures[0];
        let mut sink = UnsignedJsonlSink::new(&path, "log");
        let input = DecisionInput {
            decision: Decision::Escalate,
            reason: Some(ReasonCode::NeedsPrivacyOfficer),
            note: None,
            overrides: false,
            supersedes: None,
        };
        let r0 = sink.record(&l, d, &eval(d), &input).unwrap();
        let r1 = sink.record(&l, d, &eval(d), &input).unwrap();
        assert_eq!((r0.seq, r1.seq), (0, 1));
        let back = sink.recorded().unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].entry, r0.entry);
        assert_eq!(back[1].disclosure_sha256, provisional_disclosure_sha256(d));
        assert_eq!(back[1].reason_code, Some(ReasonCode::NeedsPrivacyOfficer));

        let foreign = dir.path().join("signed.jsonl");
        std::fs::write(&foreign, "{\"e\":{\"v\":1},\"sig\":\"AAAA\"}\n").unwrap();
        let mut sink = UnsignedJsonlSink::new(&foreign, "log");
        let err = sink.record(&l, d, &eval(d), &input).unwrap_err();
        assert!(err.contains("not a provisional review entry"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&foreign).unwrap().lines().count(),
            1
        );
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
