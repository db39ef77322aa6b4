//! The live view of the directory backend (docs/team.md#live-view): poll the team logs'
//! sizes and verify only the lines appended since the last poll, with the team's signers,
//! so others' decisions can be shown within a poll interval (the TUI polls every second).
//!
//! Each log keeps its verification state (`log::chain::Chain`) between polls; a line is
//! reported only when it verified (no `E_` finding on it). A log that shrank was replaced
//! or cut: it is read again from the start (callers de-duplicate by entry hash).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::decision::Decision;
use crate::log::chain::Chain;
use crate::log::entry::Body;
use crate::log::trust::Trust;

/// Longest line kept while waiting for its LF (a log line is at most 4096 bytes).
const MAX_PARTIAL: usize = 64 * 1024;

/// Tells the live view that a team log may have grown, so it reads the store only then
/// (PostgreSQL: `LISTEN/NOTIFY` on a second connection, polled without waiting). A
/// backend without one is read on every tick (the directory backend: a `stat` per log).
pub trait Signal: Send {
    /// Whether entries were added since the last call; never blocks for long. `Err`: the
    /// signal is lost (the caller reads on every tick from then on).
    fn changed(&mut self) -> Result<bool, super::TeamError>;
}

/// A verified decision entry that appeared in a team log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveDecision {
    pub log: PathBuf,
    /// Hex SHA-256 of the line (what `supersedes` names).
    pub entry: String,
    pub reviewer: String,
    pub subject: String,
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub decision: Decision,
    pub supersedes: Option<String>,
    pub second_required: bool,
    /// The whole entry as the review screen reads a decision back (who, when, reason,
    /// note): the live view shows others' decisions like its own log's.
    pub recorded: crate::log::read::RecordedDecision,
}

struct Tail {
    chain: Chain,
    offset: u64,
    partial: Vec<u8>,
}

/// Per-log verification state across polls.
pub struct Watcher {
    trust: Trust,
    logs: HashMap<PathBuf, Tail>,
}

impl Watcher {
    pub fn new(trust: Trust) -> Watcher {
        Watcher {
            trust,
            logs: HashMap::new(),
        }
    }

    fn fresh(&self) -> Tail {
        let mut chain = Chain::new(Some(self.trust.clone()), Vec::new());
        chain.collect = Some(Vec::new());
        Tail {
            chain,
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// Read what was appended to each of `logs` since the last poll; the verified
    /// decisions among it, in file order per log.
    pub fn poll(&mut self, logs: &[PathBuf]) -> Result<Vec<LiveDecision>, String> {
        let mut out = Vec::new();
        for p in logs {
            let size = match std::fs::metadata(p) {
                Ok(m) => m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("{}: cannot stat: {e}", p.display())),
            };
            let shrank = self.logs.get(p).is_some_and(|t| size < t.offset);
            if shrank || !self.logs.contains_key(p) {
                let t = self.fresh();
                self.logs.insert(p.clone(), t);
            }
            let tail = self.logs.get_mut(p).expect("inserted above");
            if size == tail.offset {
                continue;
            }
            let mut f =
                std::fs::File::open(p).map_err(|e| format!("{}: cannot open: {e}", p.display()))?;
            f.seek(SeekFrom::Start(tail.offset))
                .map_err(|e| format!("{}: cannot seek: {e}", p.display()))?;
            let mut buf = Vec::new();
            f.take(size - tail.offset)
                .read_to_end(&mut buf)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            let start = tail.offset - tail.partial.len() as u64;
            tail.offset += buf.len() as u64;
            let mut data = std::mem::take(&mut tail.partial);
            data.extend_from_slice(&buf);
            feed(tail, p, &data, start, &mut out);
        }
        Ok(out)
    }
}

/// Feed the complete lines of `data` (starting at file offset `start`) to the log's chain;
/// keep an unfinished last line for the next poll.
fn feed(tail: &mut Tail, path: &Path, data: &[u8], start: u64, out: &mut Vec<LiveDecision>) {
    let mut pos = 0usize;
    while pos < data.len() {
        let Some(nl) = memchr::memchr(b'\n', &data[pos..]) else {
            if data.len() - pos <= MAX_PARTIAL {
                tail.partial = data[pos..].to_vec();
            }
            break;
        };
        let line = &data[pos..pos + nl + 1];
        let before = tail.chain.findings.len();
        let collected = tail.chain.collect.as_ref().map_or(0, Vec::len);
        tail.chain.feed(line, start + pos as u64);
        let ok = tail.chain.findings[before..]
            .iter()
            .all(|f| !f.code.is_error());
        let new = tail
            .chain
            .collect
            .as_mut()
            .map(|c| c.split_off(collected.min(c.len())))
            .unwrap_or_default();
        if ok {
            for (e, hash) in new {
                let Some(recorded) = crate::log::read::RecordedDecision::of(&e, &hash) else {
                    continue;
                };
                if let Body::Decision(d) = e.body {
                    out.push(LiveDecision {
                        log: path.to_owned(),
                        entry: data_encoding::HEXLOWER.encode(&hash),
                        reviewer: e.reviewer,
                        subject: d.subject,
                        disclosure: d.disclosure,
                        disclosure_sha256: d.disclosure_sha256,
                        decision: d.decision,
                        supersedes: d.supersedes,
                        second_required: d.second_required,
                        recorded,
                    });
                }
            }
        }
        pos += nl + 1;
    }
}
