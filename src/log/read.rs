//! Reading the decisions already in a log — what the review TUI needs to resume: which
//! disclosures (at which content hash) were decided, how, and which escalations are open.

use std::path::Path;

use crate::decision::{Decision, ReasonCode};

use super::chain::Chain;
use super::entry::{Body, LogKind};
use super::findings::Finding;

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDecision {
    pub seq: u64,
    /// Hex SHA-256 of the entry's line (what `supersedes` names).
    pub entry_sha256: String,
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub decision: Decision,
    pub reason_code: Option<ReasonCode>,
    pub ts: String,
    pub reviewer: String,
    pub supersedes: Option<String>,
    pub override_: bool,
    /// The reviewer's own note (the review screen shows it in the item's history).
    pub note: Option<String>,
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
    /// The latest decision on this disclosure at this content hash (SPEC §6.2: an entry
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

    /// Escalations no later entry supersedes.
    pub fn open_escalations(&self) -> Vec<&RecordedDecision> {
        self.decisions
            .iter()
            .filter(|d| d.decision == Decision::Escalate)
            .filter(|d| {
                !self.decisions.iter().any(|x| {
                    x.seq > d.seq && x.supersedes.as_deref() == Some(d.entry_sha256.as_str())
                })
            })
            .collect()
    }
}

/// Read a log. A missing file is an empty snapshot; other I/O errors are `Err`.
pub fn read_decisions(path: &Path) -> Result<LogSnapshot, String> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogSnapshot::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut chain = Chain::new(None, Vec::new());
    chain.collect = Some(Vec::new());
    let mut off = 0u64;
    for piece in data.split_inclusive(|&b| b == b'\n') {
        chain.feed(piece, off);
        off += piece.len() as u64;
    }
    chain.finish();
    let decisions = chain
        .collect
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(e, h)| match e.body {
            Body::Decision(d) => Some(RecordedDecision {
                seq: e.seq,
                entry_sha256: data_encoding::HEXLOWER.encode(&h),
                disclosure: d.disclosure,
                disclosure_sha256: d.disclosure_sha256,
                decision: d.decision,
                reason_code: d.reason_code,
                ts: e.ts,
                reviewer: e.reviewer,
                supersedes: d.supersedes,
                override_: d.override_,
                note: d.note,
            }),
            _ => None,
        })
        .collect();
    Ok(LogSnapshot {
        log_id: chain.log_id.clone(),
        kind: chain.kind,
        decisions,
        findings: chain.findings,
    })
}
