//! Completion records read back from a training log, verified as they are read: an entry
//! counts only when it and everything before it verified (after a break in the chain nothing
//! later can be trusted), so a tampered or forged record never makes anyone current.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::Completion;
use crate::log::chain::Chain;
use crate::log::entry::{Body, LogKind};
use crate::log::findings::Finding;
use crate::log::verify::{VerifyOptions, anchors_for, peek_log_id, report};

/// One training log after verification.
#[derive(Debug, Clone)]
pub struct TrainingLog {
    pub path: PathBuf,
    /// Completions from the verified prefix of the log.
    pub completions: Vec<Completion>,
    /// Everything `log verify` would report (warnings included).
    pub findings: Vec<Finding>,
    pub kind: Option<LogKind>,
    /// Completion entries not counted because they (or an earlier entry) failed verification.
    pub dropped: usize,
    /// Who those entries (read leniently) name: they are failed, not "never trained".
    pub failed_principals: std::collections::BTreeSet<String>,
}

impl TrainingLog {
    /// Any integrity error (E_ finding): the log failed verification.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.code.is_error())
    }
}

/// Why a training log could not be read at all (a log that reads but fails verification is
/// a [`TrainingLog`] with findings, not an error).
#[derive(Debug, thiserror::Error)]
pub enum TrainingLogError {
    /// Missing, not a regular file, or unreadable: the I/O error is the cause.
    #[error("{}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Its anchors (head file, checkpoints) could not be read; the message names the file.
    #[error("{0}")]
    Anchors(String),
}

/// Read and verify `path`. `Err` when it cannot be read at all.
pub fn read_training_log(
    path: &Path,
    opts: &VerifyOptions,
) -> Result<TrainingLog, TrainingLogError> {
    let mut data = Vec::new();
    crate::log::verify::open_log(path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut data))
        .map_err(|source| TrainingLogError::Read {
            path: path.to_owned(),
            source,
        })?;
    from_bytes(path, &data, opts)
}

fn from_bytes(
    path: &Path,
    data: &[u8],
    opts: &VerifyOptions,
) -> Result<TrainingLog, TrainingLogError> {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let id = peek_log_id(first);
    let mut extra = Vec::new();
    let anchors = anchors_for(id.as_deref(), Some(path), opts, &mut extra)
        .map_err(TrainingLogError::Anchors)?;
    let mut chain = Chain::new(Some(opts.trust.clone()), anchors);
    chain.collect = Some(Vec::new());
    let mut off = 0u64;
    for piece in data.split_inclusive(|&b| b == b'\n') {
        chain.feed(piece, off);
        off += piece.len() as u64;
    }
    let collected = chain.collect.take().unwrap_or_default();
    let r = report(&mut chain, extra);
    // The first entry with an integrity error; it and everything after it do not count.
    let first_bad = r
        .findings
        .iter()
        .filter(|f| f.code.is_error())
        .map(|f| f.seq)
        .min();
    let training_log = r.kind == Some(LogKind::Training);
    let mut completions = Vec::new();
    let mut dropped = 0;
    let mut failed_principals = std::collections::BTreeSet::new();
    // Lines with an error that still read as a completion (e.g. a changed score).
    let bad_lines: std::collections::BTreeSet<u64> = r
        .findings
        .iter()
        .filter(|f| f.code.is_error())
        .map(|f| f.line)
        .collect();
    for (n, raw) in data.split(|&b| b == b'\n').enumerate() {
        if bad_lines.contains(&(n as u64 + 1))
            && let Some(p) = completion_reviewer(raw)
        {
            failed_principals.insert(p);
        }
    }
    for (e, _) in collected {
        let Body::TrainingCompletion(t) = &e.body else {
            continue;
        };
        let ts = DateTime::parse_from_rfc3339(&e.ts).map(|t| t.with_timezone(&Utc));
        match ts {
            Ok(ts) if training_log && first_bad.is_none_or(|b| e.seq < b) => {
                completions.push(Completion {
                    principal: e.reviewer.clone(),
                    ts,
                    pack_id: t.pack_id.clone(),
                    pack_version: t.pack_version.clone(),
                    part2_policy_version: t.policy.part2.version.to_string(),
                    correct: u32::try_from(t.correct).unwrap_or(u32::MAX),
                    total: u32::try_from(t.total).unwrap_or(u32::MAX),
                    pass_mark: u8::try_from(t.pass_mark).unwrap_or(u8::MAX),
                    passed: t.passed,
                })
            }
            _ => {
                dropped += 1;
                failed_principals.insert(e.reviewer.clone());
            }
        }
    }
    Ok(TrainingLog {
        path: path.to_owned(),
        completions,
        findings: r.findings,
        kind: r.kind,
        dropped,
        failed_principals,
    })
}

/// The reviewer of a line that reads as a `training_completion` entry, judged leniently
/// (the line failed verification; this only says whom it concerns).
fn completion_reviewer(raw: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(raw).ok()?;
    let e = v.get("e")?;
    (e.get("type")?.as_str()? == "training_completion")
        .then(|| e.get("reviewer")?.as_str().map(str::to_owned))
        .flatten()
}

/// The header notice for a reviewer whose own training is not current on `as_of`, or `None`
/// when it is. A log that failed verification says so (its records may not count).
pub fn own_training_notice(
    log: &Path,
    opts: &VerifyOptions,
    principal: &str,
    as_of: chrono::NaiveDate,
    policy_version_now: &(impl super::status::AcceptedVersions + ?Sized),
) -> Option<String> {
    let (records, failed) = match read_training_log(log, opts) {
        Ok(l) => {
            let failed = l.failed();
            (l.completions, failed)
        }
        Err(_) if !log.exists() => (Vec::new(), false),
        Err(_) => (Vec::new(), true),
    };
    let me = super::summarize(&records, &[principal.to_owned()], as_of, policy_version_now)
        .into_iter()
        .find(|t| t.principal == principal)?;
    let super::Currency::Due { reason } = &me.currency else {
        return None;
    };
    let text = match reason {
        super::status::DueReason::Expired { age_days } => {
            let day = me.last_passing.as_ref().map(|c| c.ts.format("%Y-%m-%d"));
            match day {
                Some(d) => format!("last pass {d}, {age_days} days ago"),
                None => reason.to_string(),
            }
        }
        other => other.to_string(),
    };
    let checked = if failed {
        "; training log FAILED VERIFICATION"
    } else {
        ""
    };
    Some(format!("TRAINING DUE: {text}{checked}"))
}
