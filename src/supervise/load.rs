//! Reading many logs for supervision: each log is streamed through the real verifier
//! (`crate::log::verify`), each decision line is kept as a compact record with the findings
//! of its own line attached, and findings on other lines (genesis, recovery, training,
//! unreadable lines) stay with the log so they still count. Nothing is silently dropped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::record::{DecisionBody, DecisionRecord, Hash, LogStatus, Verification, merge};
use super::supersede::ItemEntry;
use crate::log::checkpoint::Checkpoint;
use crate::log::findings::{Code, Finding};
use crate::log::line::GoodLine;
use crate::log::verify::{
    EachLine, LogReport, VerifyIoError, VerifyOptions, verify_file_parallel_each,
};

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
    pub superseded: HashSet<Hash>,
    /// Verified escalations still open, over every entry read, kept or not.
    pub escalations: Vec<Hash>,
    /// The `incident*` entries read (docs/incidents.md), each with whether its line
    /// verified; [`super::incidents::join`] makes incidents of them.
    pub incident_entries: Vec<super::incidents::ReadEntry>,
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

/// The record of one line, if it is a decision entry. A line that passed every per-line
/// check comes with the verifier's parsed entry and line hash (`good`), projected without
/// reading the line again; any other line is read leniently (the verifier has judged it,
/// its findings go with the row; this only extracts what to show). `None`: not a decision
/// entry or not readable as one.
fn decision_of(
    path: &Arc<Path>,
    line_no: u64,
    piece: &[u8],
    good: Option<&GoodLine>,
) -> Option<DecisionRecord> {
    let (body, ts_ms, hash) = match good {
        Some(g) => (DecisionBody::of_entry(&g.entry)?, g.ts_ms, g.hash),
        None => {
            let raw = piece.strip_suffix(b"\n").unwrap_or(piece);
            let (body, ts_ms) = super::lenient::read_line(raw)?;
            (body, ts_ms, crate::log::line::line_hash(raw))
        }
    };
    Some(DecisionRecord {
        log_path: path.clone(),
        line: line_no,
        entry_sha256: Hash(hash),
        ts_ms,
        body,
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
    load_logs_with(paths, checkpoints, keep, progress, &mut |path, each| {
        verify_file_parallel_each(path, opts, threads, each)
    })
}

/// How a log is verified: every piece handed to the callback in file order, after the
/// chain has checked it, and the log's report at the end ([`verify_file_parallel_each`]).
pub type VerifyLog<'a> = dyn FnMut(&Path, &mut EachLine) -> Result<LogReport, VerifyIoError> + 'a;

/// [`load_logs_progress`] with the verifier as a parameter. Everything here is the
/// supervisor's own share of a load (records, merge, supersession, findings); the bench
/// (`benches/supervise.rs`, `--supervisor`) replays lines checked beforehand through it
/// to measure that share alone. Production code passes the real verifier.
pub fn load_logs_with(
    paths: &[PathBuf],
    checkpoints: &[(PathBuf, Checkpoint)],
    keep: &dyn Fn(&DecisionRecord) -> bool,
    progress: &mut dyn FnMut(LoadProgress),
    verify: &mut VerifyLog,
) -> Loaded {
    let mut out = Loaded::default();
    // Every log's records go into one vector (no second copy of a million records to
    // concatenate them; its growth is a `realloc`, which moves pages, not bytes, at this
    // size); each log's records are `all[start..]` while it is read.
    let mut all: Vec<DecisionRecord> = Vec::new();
    // Decision entries filtered out of the view: supersession still needs them (resolved
    // at the end over these and the records kept). Kept records are not copied.
    let mut dropped_items: Vec<ItemEntry> = Vec::new();
    for (log, path) in paths.iter().enumerate() {
        let shared_path: Arc<Path> = Arc::from(path.as_path());
        let start = all.len();
        let mut incident_entries = Vec::new();
        let mut dropped: Vec<(u64, ItemEntry)> = Vec::new();
        let mut at = LoadProgress {
            log,
            entries: 0,
            bytes: 0,
            done: false,
        };
        // The one verification call (every line through the real verifier); each line
        // comes back in file order after its checks.
        let res = verify(path, &mut |n, piece, good| {
            at.entries = n;
            at.bytes += piece.len() as u64;
            if n % PROGRESS_EVERY == 0 {
                progress(at);
            }
            if let Some(r) = decision_of(&shared_path, n, piece, good) {
                if keep(&r) {
                    all.push(r);
                } else {
                    // A decision row filtered out: its findings go with it.
                    dropped.push((n, ItemEntry::of(&r)));
                }
            } else if let Some(e) = super::incidents::incident_of(path, n, piece) {
                incident_entries.push(e);
            }
        });
        at.done = true;
        progress(at);
        let report = match res {
            Ok(r) => r,
            Err(e) => {
                // Nothing of an unreadable log is shown.
                all.truncate(start);
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
        // Errors, and a torn tail (the line is not an entry of the chain), fail the
        // entry; clock skew is a warning about an otherwise valid entry.
        let fails = |f: &&Finding| f.code.is_error() || f.code == Code::TornTail;
        for (line, item) in &mut dropped {
            item.verified = !by_line.get(line).is_some_and(|fs| fs.iter().any(fails));
        }
        for e in &mut incident_entries {
            e.verified = !by_line.get(&e.line).is_some_and(|fs| fs.iter().any(fails));
        }
        out.incident_entries.extend(incident_entries);
        let dropped_lines: HashSet<u64> = dropped.iter().map(|(l, _)| *l).collect();
        dropped_items.extend(dropped.into_iter().map(|(_, i)| i));
        for r in &mut all[start..] {
            if let Some(fs) = by_line.remove(&r.line) {
                let (fail, warn): (Vec<&Finding>, Vec<&Finding>) =
                    fs.into_iter().partition(|f| fails(f));
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
        by_line.retain(|line, _| !dropped_lines.contains(line));
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
    }
    all.shrink_to_fit();
    out.records = merge(all);
    let records = &out.records;
    let res = super::supersede::resolve_iter(|| {
        records
            .iter()
            .map(ItemEntry::of)
            .chain(dropped_items.iter().copied())
    });
    // A warning goes with the superseding row (its log and line), and like its findings
    // it is not reported when that row is filtered out.
    let warned: HashSet<&str> = res.warnings.iter().map(|w| w.entry.as_str()).collect();
    let mut at: HashMap<String, (&Path, u64, u64)> = HashMap::new();
    if !warned.is_empty() {
        for r in records {
            let h = r.entry_sha256.hex();
            if warned.contains(h.as_str()) {
                at.insert(h, (&r.log_path, r.line, r.body.seq));
            }
        }
    }
    let mut other = Vec::new();
    for w in &res.warnings {
        let Some(&(path, line, seq)) = at.get(&w.entry) else {
            continue;
        };
        other.push(OtherFinding {
            log_path: path.to_path_buf(),
            line,
            seq,
            code: w.code.to_owned(),
            error: false,
            detail: Some(format!("entry={} supersedes={}", w.entry, w.names)),
        });
    }
    out.other.extend(other);
    out.superseded = res.superseded;
    out.escalations = res.open_escalations;
    out
}
