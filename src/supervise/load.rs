//! Reading many logs for supervision: each log is streamed through the real verifier
//! (`crate::log::verify`), each decision line is kept as a compact record with the findings
//! of its own line attached, and findings on other lines (genesis, recovery, training,
//! unreadable lines) stay with the log so they still count. Nothing is silently dropped.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::record::{DecisionBody, DecisionRecord, LogStatus, Shared, Verification, merge};
use crate::log::checkpoint::Checkpoint;
use crate::log::findings::{Code, Finding};
use crate::log::verify::{VerifyOptions, verify_file_parallel_each};

/// A finding on a line that is not a decision row (or could not be read as one), or a
/// `supersedes` that changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherFinding {
    pub log_path: PathBuf,
    pub line: u64,
    pub seq: u64,
    pub code: String,
    pub error: bool,
    /// For `W_SUPERSEDES_*`: `entry=<hash> supersedes=<hash>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Everything `log show`, `log accounting` and `log review` work from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Decision records of every readable log, merged in time order.
    pub records: Vec<DecisionRecord>,
    /// One per log given, in the order given.
    pub logs: Vec<LogStatus>,
    /// Findings not on a decision row (they are shown, and they count for the exit code).
    pub other: Vec<OtherFinding>,
    /// Entry hashes named by an honoured supersession, over every entry read, kept or
    /// not (`supersede::resolve`).
    pub superseded: HashSet<String>,
    /// Verified escalations still open, over every entry read, kept or not.
    pub escalations: Vec<String>,
}

impl Loaded {
    /// Escalations still open across every entry read (42 CFR 2.25 bookkeeping; only
    /// honoured supersessions close them).
    pub fn open_escalations(&self) -> usize {
        self.escalations.len()
    }
}

impl Loaded {
    /// Exit code for several logs, over what is shown: 1 if any shown entry is listed as
    /// FAILED (or any line that is not a decision row failed), else 2 if a log could not
    /// be read, else 3 on warnings (including `supersedes` that changed nothing).
    pub fn exit_code<'a>(&self, shown: impl IntoIterator<Item = &'a DecisionRecord>) -> u8 {
        // A FAILED row (an error, or a torn tail read as a row) is a failure.
        let failed =
            shown.into_iter().any(|r| !r.verification.ok()) || self.other.iter().any(|o| o.error);
        if failed {
            1
        } else if self.logs.iter().any(|l| l.result == "unreadable") {
            2
        } else if self.logs.iter().any(|l| l.result == "warnings")
            || self.other.iter().any(|o| !o.error)
        {
            // (A failed log whose failures are all on entries filtered out is not a
            // warning: the rows shown verified; the header still says the log failed.)
            3
        } else {
            0
        }
    }
}

#[derive(Deserialize)]
struct HeadLine<'a> {
    #[serde(borrow)]
    e: HeadBody<'a>,
}

#[derive(Deserialize)]
struct HeadBody<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
}

#[derive(Deserialize)]
struct FullLine {
    e: DecisionBody,
}

/// Each distinct shared string once, whatever the number of records holding it.
#[derive(Default)]
struct Interner(HashSet<Shared>);

impl Interner {
    fn put(&mut self, s: &mut Shared) {
        match self.0.get(&**s) {
            Some(x) => *s = x.clone(),
            None => {
                self.0.insert(s.clone());
            }
        }
    }

    fn body(&mut self, b: &mut DecisionBody) {
        for s in [
            &mut b.log,
            &mut b.reviewer,
            &mut b.key,
            &mut b.queue,
            &mut b.recipient.kind,
            &mut b.recipient.name,
            &mut b.purpose,
            &mut b.as_of,
            &mut b.consent_status,
            &mut b.part2,
            &mut b.hipaa,
            &mut b.rule,
            &mut b.decision,
            &mut b.policy.part2.id,
            &mut b.policy.part2.version,
            &mut b.policy.part2.sha256,
            &mut b.policy.hipaa.id,
            &mut b.policy.hipaa.version,
            &mut b.policy.hipaa.sha256,
        ] {
            self.put(s);
        }
    }
}

/// Read the decision entries of one line leniently (the verifier judges it; this only
/// extracts what to show). `None`: not a decision entry or not readable as one.
fn decision_of(
    path: &Arc<Path>,
    line_no: u64,
    piece: &[u8],
    interner: &mut Interner,
) -> Option<DecisionRecord> {
    let raw = piece.strip_suffix(b"\n").unwrap_or(piece);
    let head: HeadLine = serde_json::from_slice(raw).ok()?;
    if head.e.kind != "decision" {
        return None;
    }
    let mut full: FullLine = serde_json::from_slice(raw).ok()?;
    interner.body(&mut full.e);
    let ts = chrono::DateTime::parse_from_rfc3339(&full.e.ts)
        .ok()?
        .with_timezone(&chrono::Utc);
    Some(DecisionRecord {
        log_path: path.clone(),
        line: line_no,
        entry_sha256: crate::digest::sha256_hex(raw),
        ts,
        body: full.e,
        verification: Verification::Verified,
    })
}

fn finding_text(f: &Finding) -> String {
    format!("{} seq={} line={}", f.code, f.seq, f.line)
}

/// Stream every log through the verifier with `opts` (`checkpoints` name the files the
/// parsed checkpoints in `opts` came from, for the export headers).
pub fn load_logs(
    paths: &[PathBuf],
    opts: &VerifyOptions,
    checkpoints: &[(PathBuf, Checkpoint)],
    threads: usize,
) -> Loaded {
    load_logs_keeping(paths, opts, checkpoints, threads, &|_| true)
}

/// [`load_logs`], keeping only the records `keep` accepts (`log show` with filters holds
/// what it shows, not every entry). `superseded` and `escalations` still cover every
/// entry read, so open escalations are counted across all of them.
pub fn load_logs_keeping(
    paths: &[PathBuf],
    opts: &VerifyOptions,
    checkpoints: &[(PathBuf, Checkpoint)],
    threads: usize,
    keep: &dyn Fn(&DecisionRecord) -> bool,
) -> Loaded {
    load_logs_progress(paths, opts, checkpoints, threads, keep, &mut |_| {})
}

/// How far loading has got in one log: what the `log review` TUI shows while it verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Index into the paths given.
    pub log: usize,
    /// Lines verified so far.
    pub entries: u64,
    /// Bytes verified so far.
    pub bytes: u64,
    /// The whole log has been read (or could not be).
    pub done: bool,
}

/// Lines between two progress reports (often enough for a 10 Hz screen at ~20k lines/s).
const PROGRESS_EVERY: u64 = 2048;

/// [`load_logs_keeping`], reporting progress to `progress` every few thousand lines and
/// once at the end of each log.
pub fn load_logs_progress(
    paths: &[PathBuf],
    opts: &VerifyOptions,
    checkpoints: &[(PathBuf, Checkpoint)],
    threads: usize,
    keep: &dyn Fn(&DecisionRecord) -> bool,
    progress: &mut dyn FnMut(LoadProgress),
) -> Loaded {
    let mut out = Loaded::default();
    let mut interner = Interner::default();
    let mut per_log: Vec<Vec<DecisionRecord>> = Vec::new();
    // Every decision entry read, kept or not, for supersession (resolved at the end).
    let mut items: Vec<(u64, super::supersede::ItemEntry)> = Vec::new();
    // Per readable log: its path, its items, and the lines of rows filtered out.
    let mut item_logs: Vec<(PathBuf, std::ops::Range<usize>, HashSet<u64>)> = Vec::new();
    for (log, path) in paths.iter().enumerate() {
        let shared_path: Arc<Path> = Arc::from(path.as_path());
        let first_item = items.len();
        let mut recs: Vec<DecisionRecord> = Vec::new();
        let mut dropped: HashSet<u64> = HashSet::new();
        let mut at = LoadProgress {
            log,
            entries: 0,
            bytes: 0,
            done: false,
        };
        let res = verify_file_parallel_each(path, opts, threads, &mut |n, piece| {
            at.entries = n;
            at.bytes += piece.len() as u64;
            if n % PROGRESS_EVERY == 0 {
                progress(at);
            }
            if let Some(r) = decision_of(&shared_path, n, piece, &mut interner) {
                let mut item = super::supersede::item_entry(&r);
                interner.put(&mut item.subject);
                interner.put(&mut item.disclosure);
                items.push((n, item));
                if keep(&r) {
                    recs.push(r);
                } else {
                    // A decision row filtered out: its findings go with it.
                    dropped.insert(n);
                }
            }
        });
        at.done = true;
        progress(at);
        let report = match res {
            Ok(r) => r,
            Err(e) => {
                out.logs.push(LogStatus {
                    path: path.clone(),
                    log: None,
                    result: "unreadable".into(),
                    findings: vec![crate::text::escape(&e.0).into_owned()],
                    checkpoint: None,
                });
                continue;
            }
        };
        let mut by_line: BTreeMap<u64, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_line.entry(f.line).or_default().push(f);
        }
        // An entry whose line has an error (or is a torn tail) did not verify.
        for (line, item) in &mut items[first_item..] {
            item.verified = !by_line.get(line).is_some_and(|fs| {
                fs.iter()
                    .any(|f| f.code.is_error() || f.code == Code::TornTail)
            });
        }
        item_logs.push((path.clone(), first_item..items.len(), dropped.clone()));
        for r in &mut recs {
            if let Some(fs) = by_line.remove(&r.line) {
                // Errors, and a torn tail (the line is not an entry of the chain), fail
                // the entry; clock skew is a warning about an otherwise valid entry.
                let (fail, warn): (Vec<&Finding>, Vec<&Finding>) = fs
                    .into_iter()
                    .partition(|f| f.code.is_error() || f.code == Code::TornTail);
                if !fail.is_empty() {
                    r.verification = Verification::Failed {
                        findings: fail.iter().map(|f| f.code.as_str().to_owned()).collect(),
                    };
                }
                if !warn.is_empty() {
                    by_line.insert(u64::MAX - r.line, warn);
                }
            }
        }
        by_line.retain(|line, _| !dropped.contains(line));
        for f in by_line.into_values().flatten() {
            out.other.push(OtherFinding {
                log_path: path.clone(),
                line: f.line,
                seq: f.seq,
                code: f.code.as_str().to_owned(),
                error: f.code.is_error(),
                detail: None,
            });
        }
        let result = match report.exit_code() {
            0 => "ok",
            3 => "warnings",
            _ => "failed",
        };
        let checkpoint = report.log_id.as_deref().and_then(|id| {
            checkpoints
                .iter()
                .rev()
                .find(|(_, c)| c.log_id == id)
                .map(|(p, _)| p.clone())
        });
        out.logs.push(LogStatus {
            path: path.clone(),
            log: report.log_id.clone(),
            result: result.into(),
            findings: report.findings.iter().map(finding_text).collect(),
            checkpoint,
        });
        recs.shrink_to_fit();
        per_log.push(recs);
    }
    // One exact allocation for all records (no doubling growth at a million).
    let mut all = Vec::with_capacity(per_log.iter().map(Vec::len).sum());
    for v in per_log {
        all.extend(v);
    }
    out.records = merge(all);
    let entries: Vec<super::supersede::ItemEntry> = items.iter().map(|(_, e)| e.clone()).collect();
    let res = super::supersede::resolve(&entries);
    // Each warning goes with the log and line of the superseding entry.
    // A warning goes with the superseding row, and like its findings it is not reported
    // when that row is filtered out.
    let mut at: std::collections::HashMap<&str, (&PathBuf, u64, u64)> = Default::default();
    for (path, range, dropped) in &item_logs {
        for (line, e) in &items[range.clone()] {
            if !dropped.contains(line) {
                at.insert(e.hash.as_str(), (path, *line, e.seq));
            }
        }
    }
    for w in &res.warnings {
        let Some(&(path, line, seq)) = at.get(w.entry.as_str()) else {
            continue;
        };
        out.other.push(OtherFinding {
            log_path: path.clone(),
            line,
            seq,
            code: w.code.to_owned(),
            error: false,
            detail: Some(format!("entry={} supersedes={}", w.entry, w.names)),
        });
    }
    out.superseded = res.superseded;
    out.escalations = res.open_escalations;
    out
}
