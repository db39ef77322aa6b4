//! Reading the decisions already in a log — what the review TUI needs to resume: which
//! disclosures (at which content hash) were decided, how, and which escalations are open —
//! and following it as it grows ([`LogCursor`], [`LogFollower`]): only the bytes appended
//! since the last read are read and verified.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::decision::{Decision, ReasonCode};

use super::chain::{Chain, Last};
use super::entry::{Body, Entry, LogKind};
use super::findings::{Code, Finding};
use super::line::{GoodLine, LineChecker};

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDecision {
    pub seq: u64,
    /// Hex SHA-256 of the entry's line (what `supersedes` names).
    pub entry_sha256: String,
    pub disclosure: String,
    pub disclosure_sha256: String,
    /// The queue's opaque patient ref (with `disclosure`, the item).
    pub subject: String,
    pub decision: Decision,
    pub reason_code: Option<ReasonCode>,
    pub ts: String,
    pub reviewer: String,
    /// The signer's key fingerprint (four-eyes: a second approval needs another key).
    pub key: String,
    pub supersedes: Option<String>,
    pub override_: bool,
    /// A four-eyes override approval (`v: 2`): not approved until another principal with
    /// another key approves it by superseding it (docs/team.md#four-eyes).
    pub second_required: bool,
    /// The reviewer's own note (the review screen shows it in the item's history).
    pub note: Option<String>,
}

impl RecordedDecision {
    /// The projection of a `decision` entry (`None` for other entry types); `hash` is the
    /// SHA-256 of its line.
    pub fn of(e: &Entry, hash: &[u8; 32]) -> Option<RecordedDecision> {
        let Body::Decision(d) = &e.body else {
            return None;
        };
        Some(RecordedDecision {
            seq: e.seq,
            entry_sha256: data_encoding::HEXLOWER.encode(hash),
            disclosure: d.disclosure.clone(),
            disclosure_sha256: d.disclosure_sha256.clone(),
            subject: d.subject.clone(),
            decision: d.decision,
            reason_code: d.reason_code,
            ts: e.ts.clone(),
            reviewer: e.reviewer.clone(),
            key: e.key.clone(),
            supersedes: d.supersedes.clone(),
            override_: d.override_,
            second_required: d.second_required,
            note: d.note.clone(),
        })
    }
}

/// A log as read: its decisions in order, and what was wrong with it (signatures are
/// checked for self-consistency; signer trust is `log verify`'s job).
#[derive(Debug, Clone, Default)]
pub struct LogSnapshot {
    pub log_id: Option<String>,
    pub kind: Option<LogKind>,
    pub decisions: Vec<RecordedDecision>,
    pub findings: Vec<Finding>,
}

impl LogSnapshot {
    /// The latest decision on this disclosure at this content hash (docs/signed-log.md#decision: an entry
    /// applies when both id and hash match).
    pub fn latest_for(&self, id: &str, sha256: &str) -> Option<&RecordedDecision> {
        self.decisions
            .iter()
            .rev()
            .find(|d| d.disclosure == id && d.disclosure_sha256 == sha256)
    }

    /// Decided on another version of the disclosure ("decided on an earlier version").
    pub fn decided_on_other_version(&self, id: &str, sha256: &str) -> bool {
        self.decisions
            .iter()
            .any(|d| d.disclosure == id && d.disclosure_sha256 != sha256)
    }

    /// Escalations no honoured supersession names (`super::supersede`: the same rule as
    /// every supervisor count); a `supersedes` from an entry about another item closes nothing.
    pub fn open_escalations(&self) -> Vec<&RecordedDecision> {
        let log: std::sync::Arc<str> = self.log_id.as_deref().unwrap_or("").into();
        let entries: Vec<super::supersede::ItemEntry> = self
            .decisions
            .iter()
            .map(|d| super::supersede::ItemEntry {
                hash: d.entry_sha256.clone(),
                subject: d.subject.as_str().into(),
                disclosure: d.disclosure.as_str().into(),
                log: log.clone(),
                seq: d.seq,
                ts_ms: super::entry::parse_ts_ms(&d.ts).unwrap_or(0),
                // Only entries whose line checked out are read into a snapshot.
                verified: true,
                escalate: d.decision == Decision::Escalate,
                supersedes: d.supersedes.clone(),
            })
            .collect();
        let res = super::supersede::resolve(&entries);
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Escalate && res.effective(&d.entry_sha256, true))
            .collect()
    }
}

/// How far a log has been read, so the next read starts at the first byte not yet read:
/// following a growing log costs what was appended, not the whole file. Lines are checked
/// as `log verify` checks them (signature, canonical form, chain); only good entries are
/// handed on.
#[derive(Debug, Clone, Default)]
pub struct LogCursor {
    /// (device, inode) of the file read: another file at the same path is read afresh.
    file: Option<(u64, u64)>,
    pub log_id: Option<String>,
    pub kind: Option<LogKind>,
    /// End of the last good line read (LF included).
    pub read_to: u64,
    last: Option<Last>,
}

impl LogCursor {
    /// Read `f` from where the last read stopped up to `size`, handing every good entry
    /// (with its line hash) to `each`; `check` is the per-line check (a shared
    /// [`LineChecker`] lets the appender reuse verdicts it already has). Returns `true`
    /// when it started over from the first line after having read entries (another file,
    /// or one that shrank): the caller drops what it built from earlier reads.
    pub fn read_new(
        &mut self,
        f: &File,
        size: u64,
        check: &mut dyn FnMut(&[u8]) -> Result<GoodLine, Code>,
        each: &mut dyn FnMut(&Entry, [u8; 32]),
    ) -> io::Result<bool> {
        use std::os::unix::fs::MetadataExt;
        let m = f.metadata()?;
        let id = Some((m.dev(), m.ino()));
        let restart = self.file != id || size < self.read_to || self.last.is_none();
        // Only a restart after something was read drops anything.
        let dropped = restart && self.last.is_some();
        if restart {
            *self = LogCursor {
                file: id,
                ..LogCursor::default()
            };
        }
        let mut chain = match (&self.log_id, self.kind, self.last) {
            (Some(log), Some(kind), Some(last)) => {
                Chain::resume(log.clone(), kind, last, self.read_to, 0)
            }
            _ => Chain::new(None, Vec::new()),
        };
        chain.collect = Some(Vec::new());
        let reader = ReadRange {
            f,
            pos: self.read_to,
            end: size,
        };
        let mut r = io::BufReader::with_capacity(64 * 1024, reader);
        let mut piece = Vec::with_capacity(4096);
        let mut off = self.read_to;
        loop {
            let n = super::verify::read_piece(&mut r, &mut piece)?;
            if piece.is_empty() {
                break;
            }
            let verdict = match piece.strip_suffix(b"\n") {
                Some(line) => check(line),
                None => Err(Code::TornTail),
            };
            chain.feed_checked(&piece, off, verdict);
            off += n;
            if let Some(c) = chain.collect.as_mut() {
                for (e, h) in c.drain(..) {
                    each(&e, h);
                }
            }
        }
        chain.finish();
        if chain.last.is_some() {
            self.log_id = chain.log_id.clone();
            self.kind = chain.kind;
            self.last = chain.last;
            self.read_to = chain.good_end;
        }
        Ok(dropped)
    }

    /// The reader's own append: `line_end` is where it ended, `last` the entry it wrote.
    /// Taken only when the cursor had read everything before it (`from`), so nothing
    /// appended by others is skipped.
    pub fn advance(&mut self, from: u64, line_end: u64, last: Last) -> bool {
        if self.last.is_none() || self.read_to != from {
            return false;
        }
        self.read_to = line_end;
        self.last = Some(last);
        true
    }
}

/// Positioned reads of `f` from `pos` up to `end` (`pread`: an append's file offset is
/// never moved, and bytes appended after `end` are left for the next read).
struct ReadRange<'a> {
    f: &'a File,
    pos: u64,
    end: u64,
}

impl io::Read for ReadRange<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let room = self.end.saturating_sub(self.pos).min(buf.len() as u64) as usize;
        if room == 0 {
            return Ok(0);
        }
        let n = self.f.read_at(&mut buf[..room], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// What a [`LogFollower`] found since the last poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogUpdate {
    /// The file was read again from the start (replaced, or shrank): `decisions` is all
    /// of it, not an addition.
    pub restarted: bool,
    pub decisions: Vec<RecordedDecision>,
}

/// Follows one log for the review screen's live reload: [`LogFollower::poll`] looks at
/// the file's size and mtime and reads only what was appended since.
#[derive(Debug)]
pub struct LogFollower {
    path: PathBuf,
    cursor: LogCursor,
    checker: LineChecker,
    seen: Option<(u64, Option<SystemTime>)>,
}

impl LogFollower {
    pub fn new(path: &Path) -> LogFollower {
        LogFollower {
            path: path.to_owned(),
            cursor: LogCursor::default(),
            checker: LineChecker::with_recent(),
            seen: None,
        }
    }

    /// `Ok(None)`: nothing changed since the last poll (the common case: one `stat`).
    /// A missing log is no change.
    pub fn poll(&mut self) -> Result<Option<LogUpdate>, LogReadError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(LogReadError::new(&self.path)(e)),
        };
        let now = (meta.len(), meta.modified().ok());
        if self.seen == Some(now) {
            return Ok(None);
        }
        let f = super::verify::open_log(&self.path).map_err(LogReadError::new(&self.path))?;
        let size = f.metadata().map_err(LogReadError::new(&self.path))?.len();
        let mut decisions = Vec::new();
        let checker = &mut self.checker;
        let restarted = self
            .cursor
            .read_new(&f, size, &mut |l| checker.check(l), &mut |e, h| {
                decisions.extend(RecordedDecision::of(e, &h))
            })
            .map_err(LogReadError::new(&self.path))?;
        self.seen = Some(now);
        Ok(Some(LogUpdate {
            restarted,
            decisions,
        }))
    }
}

/// A log that cannot be read (the I/O error is the source); what it holds is judged by
/// the findings, never by this error.
#[derive(Debug, thiserror::Error)]
#[error("{}", path.display())]
pub struct LogReadError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl LogReadError {
    fn new(path: &Path) -> impl FnOnce(io::Error) -> LogReadError + '_ {
        move |source| LogReadError {
            path: path.to_owned(),
            source,
        }
    }
}

/// The whole message (`path: cause`) for the callers that still carry text (the TUI sinks).
impl From<LogReadError> for String {
    fn from(e: LogReadError) -> String {
        crate::text::error_chain(&e)
    }
}

/// Read a log. A missing file is an empty snapshot; other I/O errors are `Err`.
pub fn read_decisions(path: &Path) -> Result<LogSnapshot, LogReadError> {
    let f = match super::verify::open_log(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogSnapshot::default()),
        Err(e) => return Err(LogReadError::new(path)(e)),
    };
    let mut chain = Chain::new(None, Vec::new());
    chain.collect = Some(Vec::new());
    // Streamed in bounded pieces: memory follows the entries kept, not the file size.
    let mut r = std::io::BufReader::with_capacity(64 * 1024, f);
    let mut piece = Vec::with_capacity(4096);
    let mut off = 0u64;
    loop {
        let n = super::verify::read_piece(&mut r, &mut piece).map_err(LogReadError::new(path))?;
        if piece.is_empty() {
            break;
        }
        chain.feed(&piece, off);
        off += n;
    }
    chain.finish();
    let decisions = chain
        .collect
        .take()
        .unwrap_or_default()
        .iter()
        .filter_map(|(e, h)| RecordedDecision::of(e, h))
        .collect();
    Ok(LogSnapshot {
        log_id: chain.log_id.clone(),
        kind: chain.kind,
        decisions,
        findings: chain.findings,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::log::entry::DecisionFields;

    /// A valid `decision` entry with every optional field set and every text field
    /// distinct, so a projection that reads the wrong field shows it.
    pub(crate) fn sample_decision_entry() -> Entry {
        use crate::verdict::{ConsentStatus, HipaaStatus, Part2Status, PolicyRef, PolicyRefs};
        let pref = |id: &'static str, v: &'static str, h: u8| PolicyRef {
            id: id.into(),
            version: v.into(),
            sha256: data_encoding::HEXLOWER.encode(&[h; 32]).into(),
        };
        Entry {
            log: "0123456789abcdef0123456789abcdef".into(),
            seq: 7,
            prev: "11".repeat(32),
            ts: "2026-11-28T09:15:00.250Z".into(),
            reviewer: "ana@clinic.example".into(),
            key: format!("SHA256:{}", "A".repeat(43)),
            body: Body::Decision(Box::new(DecisionFields {
                queue: "22".repeat(32),
                disclosure: "D-0042".into(),
                disclosure_sha256: "33".repeat(32),
                subject: "P-0009".into(),
                recipient_kind: "health_plan".into(),
                recipient_name: "Pinecrest Health Plan".into(),
                purpose: "payment".into(),
                as_of: "2026-11-27".into(),
                consent: Some("C-0003".into()),
                consent_status: ConsentStatus::Deficient,
                part2: Part2Status::ConsentRequired,
                hipaa: HipaaStatus::PermittedTpo,
                rule: "p2.payment.needs_consent".into(),
                unsettled: true,
                policy: PolicyRefs {
                    part2: pref("part2-core", "2024.1", 0x44),
                    hipaa: pref("hipaa-core", "2023.2", 0x55),
                },
                decision: Decision::Approve,
                reason_code: Some(ReasonCode::CourtOrderOnFile),
                note: Some("order on file, checked".into()),
                override_: true,
                supersedes: Some("66".repeat(32)),
                second_required: true,
            })),
        }
    }

    /// A missing log is an empty snapshot; one that cannot be read is a typed error that
    /// names the file and keeps the I/O error as its source.
    #[test]
    fn an_unreadable_log_is_an_error_with_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.jsonl");
        assert!(read_decisions(&missing).unwrap().decisions.is_empty());
        let e = read_decisions(dir.path()).unwrap_err();
        assert_eq!(e.path, dir.path());
        let text = String::from(e);
        assert!(
            text.starts_with(&format!("{}: ", dir.path().display())),
            "{text}"
        );
        let mut f = LogFollower::new(dir.path());
        assert!(f.poll().is_err());
        assert!(LogFollower::new(&missing).poll().unwrap().is_none());
    }

    /// The review screen's row is a projection of the one entry declaration
    /// (`log::entry`): each of its fields comes from the entry field of that name.
    #[test]
    fn the_recorded_decision_is_a_projection_of_the_entry() {
        let e = sample_decision_entry();
        assert!(
            Entry::from_value(&e.to_value()).is_ok(),
            "the sample is a valid entry"
        );
        let Body::Decision(d) = &e.body else {
            unreachable!()
        };
        let r = RecordedDecision::of(&e, &[0x77; 32]).unwrap();
        assert_eq!(
            r,
            RecordedDecision {
                seq: e.seq,
                entry_sha256: "77".repeat(32),
                disclosure: d.disclosure.clone(),
                disclosure_sha256: d.disclosure_sha256.clone(),
                subject: d.subject.clone(),
                decision: d.decision,
                reason_code: d.reason_code,
                ts: e.ts.clone(),
                reviewer: e.reviewer.clone(),
                key: e.key.clone(),
                supersedes: d.supersedes.clone(),
                override_: d.override_,
                second_required: d.second_required,
                note: d.note.clone(),
            }
        );
        // And by JSON name, as the log holds it.
        let v = e.to_value();
        assert_eq!(v["disclosure"], r.disclosure.as_str());
        assert_eq!(v["disclosure_sha256"], r.disclosure_sha256.as_str());
        assert_eq!(v["subject"], r.subject.as_str());
        assert_eq!(v["decision"], r.decision.as_str());
        assert_eq!(v["reason_code"], r.reason_code.unwrap().as_str());
        assert_eq!(v["ts"], r.ts.as_str());
        assert_eq!(v["reviewer"], r.reviewer.as_str());
        assert_eq!(v["supersedes"], r.supersedes.as_deref().unwrap());
        assert_eq!(v["override"], r.override_);
        assert_eq!(v["key"], r.key.as_str());
        assert_eq!(v["second_required"], r.second_required);
        assert!(r.second_required, "the sample is a four-eyes approval");
        assert_eq!(v["note"], r.note.as_deref().unwrap());
        let genesis = Entry {
            body: Body::Genesis {
                log_kind: LogKind::Production,
                created_by: "ana@clinic.example".into(),
            },
            ..e
        };
        assert_eq!(RecordedDecision::of(&genesis, &[0; 32]), None);
    }

    fn rd(
        seq: u64,
        subject: &str,
        disclosure: &str,
        decision: Decision,
        sup: Option<&str>,
    ) -> RecordedDecision {
        RecordedDecision {
            seq,
            entry_sha256: format!("h{seq}"),
            disclosure: disclosure.into(),
            disclosure_sha256: "d".into(),
            subject: subject.into(),
            decision,
            reason_code: None,
            ts: String::new(),
            reviewer: "r".into(),
            key: "k".into(),
            supersedes: sup.map(str::to_owned),
            override_: false,
            second_required: false,
            note: None,
        }
    }

    #[test]
    fn only_a_later_entry_on_the_same_item_closes_an_escalation() {
        let esc = rd(1, "P-1", "D-1", Decision::Escalate, None);
        let snap = |x: RecordedDecision| LogSnapshot {
            decisions: vec![esc.clone(), x],
            ..Default::default()
        };
        let s = snap(rd(2, "P-1", "D-1", Decision::Approve, Some("h1")));
        assert!(s.open_escalations().is_empty());
        let s = snap(rd(2, "P-2", "D-1", Decision::Approve, Some("h1")));
        assert_eq!(s.open_escalations().len(), 1, "another patient");
        let s = snap(rd(2, "P-1", "D-2", Decision::Approve, Some("h1")));
        assert_eq!(s.open_escalations().len(), 1, "another disclosure");
    }
}
