//! Reading the decisions already in a log — what the review TUI needs to resume: which
//! disclosures (at which content hash) were decided, how, and which escalations are open.

use std::path::Path;

use crate::decision::{Decision, ReasonCode};

use super::chain::Chain;
use super::entry::{Body, Entry, LogKind};
use super::findings::Finding;

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
    pub supersedes: Option<String>,
    pub override_: bool,
    /// The reviewer's own note (the review screen shows it in the item's history).
    pub note: Option<String>,
}

impl RecordedDecision {
    /// The projection of a `decision` entry (`None` for other entry types); `hash` is the
    /// SHA-256 of its line.
    pub fn of(e: Entry, hash: &[u8; 32]) -> Option<RecordedDecision> {
        let Body::Decision(d) = e.body else {
            return None;
        };
        let d = *d;
        Some(RecordedDecision {
            seq: e.seq,
            entry_sha256: data_encoding::HEXLOWER.encode(hash),
            disclosure: d.disclosure,
            disclosure_sha256: d.disclosure_sha256,
            subject: d.subject,
            decision: d.decision,
            reason_code: d.reason_code,
            ts: e.ts,
            reviewer: e.reviewer,
            supersedes: d.supersedes,
            override_: d.override_,
            note: d.note,
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

    /// Escalations no later entry about the same item (subject, disclosure) supersedes;
    /// a `supersedes` from an entry about another item closes nothing.
    pub fn open_escalations(&self) -> Vec<&RecordedDecision> {
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Escalate)
            .filter(|d| {
                !self.decisions.iter().any(|x| {
                    x.seq > d.seq
                        && x.subject == d.subject
                        && x.disclosure == d.disclosure
                        && x.supersedes.as_deref() == Some(d.entry_sha256.as_str())
                })
            })
            .collect()
    }
}

/// Read a log. A missing file is an empty snapshot; other I/O errors are `Err`.
pub fn read_decisions(path: &Path) -> Result<LogSnapshot, String> {
    let f = match super::verify::open_log(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogSnapshot::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut chain = Chain::new(None, Vec::new());
    chain.collect = Some(Vec::new());
    // Streamed in bounded pieces: memory follows the entries kept, not the file size.
    let mut r = std::io::BufReader::with_capacity(64 * 1024, f);
    let mut piece = Vec::with_capacity(4096);
    let mut off = 0u64;
    loop {
        let n = super::verify::read_piece(&mut r, &mut piece)
            .map_err(|e| format!("{}: {e}", path.display()))?;
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
        .into_iter()
        .filter_map(|(e, h)| RecordedDecision::of(e, &h))
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
            })),
        }
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
        let r = RecordedDecision::of(e.clone(), &[0x77; 32]).unwrap();
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
                supersedes: d.supersedes.clone(),
                override_: d.override_,
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
        assert_eq!(v["note"], r.note.as_deref().unwrap());
        let genesis = Entry {
            body: Body::Genesis {
                log_kind: LogKind::Production,
                created_by: "ana@clinic.example".into(),
            },
            ..e
        };
        assert_eq!(RecordedDecision::of(genesis, &[0; 32]), None);
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
            supersedes: sup.map(str::to_owned),
            override_: false,
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
