//! The appender's index of effective decisions per item, so "a repeat decision must
//! supersede the effective one" (docs/signed-log.md#supersession-effective-decisions-and-conflicts)
//! is checked under the append lock — two terminals racing cannot both skip it — at a cost
//! that follows the bytes appended since the last append, not the size of the log: the index
//! is kept between appends and brought up to date from where it stopped
//! ([`super::read::LogCursor`]).

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::sync::Arc;

use crate::decision::Decision;

use super::chain::Last;
use super::entry::{Body, Entry, parse_ts_ms};
use super::findings::Code;
use super::line::GoodLine;
use super::read::LogCursor;
use super::supersede::{Place, honoured, repeat};

/// One decision of this log that no honoured supersession names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveDecision {
    /// Hex SHA-256 of its line: what the new decision's `supersedes` must name.
    pub entry: String,
    pub decision: Decision,
    pub ts: String,
    pub reviewer: String,
}

/// Why a decision was refused before anything was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupersedeProblem {
    /// The item already has effective decisions in this log and the new one names none of
    /// them (`named`: what it named instead, if anything).
    Required {
        subject: String,
        disclosure: String,
        effective: Vec<EffectiveDecision>,
        named: Option<String>,
    },
    /// `supersedes` names an entry of this log about another item: it would change nothing
    /// (`W_SUPERSEDES_IGNORED`).
    OtherItem {
        subject: String,
        disclosure: String,
        named: String,
    },
}

impl SupersedeProblem {
    /// The entry hashes the new decision may name.
    pub fn to_supersede(&self) -> Vec<&str> {
        match self {
            SupersedeProblem::Required { effective, .. } => {
                effective.iter().map(|e| e.entry.as_str()).collect()
            }
            SupersedeProblem::OtherItem { .. } => Vec::new(),
        }
    }
}

impl std::fmt::Display for SupersedeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::text::escape;
        match self {
            SupersedeProblem::Required {
                subject,
                disclosure,
                effective,
                named,
            } => {
                let earlier: Vec<String> = effective
                    .iter()
                    .map(|e| {
                        format!(
                            "{} by {} at {} (entry {})",
                            e.decision.as_str(),
                            escape(&e.reviewer),
                            e.ts,
                            e.entry
                        )
                    })
                    .collect();
                write!(
                    f,
                    "disclosure {} (patient ref {}) already has a decision in this log: {}; ",
                    escape(disclosure),
                    escape(subject),
                    earlier.join("; ")
                )?;
                if let Some(n) = named {
                    write!(
                        f,
                        "--supersedes {} is not that decision (it was superseded already, or is not in this log); ",
                        escape(n)
                    )?;
                }
                let hashes: Vec<&str> = effective.iter().map(|e| e.entry.as_str()).collect();
                write!(
                    f,
                    "a new decision must name it, so no decision is counted twice; nothing was recorded — to replace it, supersede with --supersedes {}",
                    hashes.last().copied().unwrap_or_default()
                )?;
                if hashes.len() > 1 {
                    write!(f, " (or any one of {})", hashes.join(", "))?;
                }
                Ok(())
            }
            SupersedeProblem::OtherItem {
                subject,
                disclosure,
                named,
            } => write!(
                f,
                "--supersedes {} names a decision on another item, not disclosure {} (patient ref {}); it would supersede nothing; nothing was recorded — name the entry of this item's earlier decision",
                escape(named),
                escape(disclosure),
                escape(subject)
            ),
        }
    }
}

impl std::error::Error for SupersedeProblem {}

/// A decision entry as the index remembers it.
#[derive(Debug, Clone, Copy)]
struct Known {
    item: u32,
    seq: u64,
    ts_ms: i64,
}

/// Effective decisions per item of one log, kept up to date incrementally.
#[derive(Debug, Default)]
pub struct ItemIndex {
    cursor: LogCursor,
    /// (device, inode) of the file the cursor last read, as the caller's `fstat` gave it.
    file: Option<(u64, u64)>,
    items: HashMap<(Arc<str>, Arc<str>), u32>,
    known: HashMap<[u8; 32], Known>,
    /// Per item number: its effective decisions, oldest first.
    effective: Vec<Vec<([u8; 32], EffectiveDecision)>>,
}

impl ItemIndex {
    /// Read what was appended since the last call (everything, the first time or when
    /// the file at the path is another one), up to `size`. `file`: `f`'s (device, inode).
    pub fn catch_up(
        &mut self,
        f: &File,
        file: (u64, u64),
        size: u64,
        check: &mut dyn FnMut(&[u8]) -> Result<GoodLine, Code>,
    ) -> io::Result<()> {
        // The same file, read (or taken in by `own`) up to `size`, with a good entry last:
        // the cursor would read nothing and keep its place, so there is nothing to do.
        if self.file == Some(file) && self.cursor.log_id.is_some() && self.cursor.read_to == size {
            return Ok(());
        }
        self.file = Some(file);
        let mut new: Vec<(Entry, [u8; 32])> = Vec::new();
        let restarted = self.cursor.read_new(f, size, check, &mut |e, h| {
            if matches!(e.body, Body::Decision(_)) {
                new.push((e.clone(), h));
            }
        })?;
        if restarted {
            self.items.clear();
            self.known.clear();
            self.effective.clear();
        }
        for (e, h) in &new {
            self.apply(e, *h);
        }
        Ok(())
    }

    /// Take in this appender's own entry, written at `from..line_end` (no re-read).
    /// Ignored (left to the next [`ItemIndex::catch_up`]) unless the index had read
    /// everything before it.
    pub fn own(&mut self, from: u64, line_end: u64, e: &Entry, hash: [u8; 32]) {
        let last = Last {
            seq: e.seq,
            hash,
            ts_ms: parse_ts_ms(&e.ts).unwrap_or(0),
        };
        if self.cursor.advance(from, line_end, last) {
            self.apply(e, hash);
        }
    }

    fn item(&mut self, subject: &str, disclosure: &str) -> u32 {
        if let Some(&i) = self.items.get(&(subject.into(), disclosure.into())) {
            return i;
        }
        let i = self.effective.len() as u32;
        self.items.insert((subject.into(), disclosure.into()), i);
        self.effective.push(Vec::new());
        i
    }

    fn apply(&mut self, e: &Entry, hash: [u8; 32]) {
        let Body::Decision(d) = &e.body else {
            return;
        };
        let item = self.item(&d.subject, &d.disclosure);
        let ts_ms = parse_ts_ms(&e.ts).unwrap_or(0);
        if let Some(named) = d.supersedes.as_deref().and_then(decode_hash)
            && let Some(k) = self.known.get(&named).copied()
        {
            let log = self.cursor.log_id.as_deref().unwrap_or("");
            let at = |seq, ts_ms| Place { log, seq, ts_ms };
            if honoured(k.item == item, at(k.seq, k.ts_ms), at(e.seq, ts_ms)) {
                self.effective[k.item as usize].retain(|(h, _)| *h != named);
            }
        }
        self.known.insert(
            hash,
            Known {
                item,
                seq: e.seq,
                ts_ms,
            },
        );
        self.effective[item as usize].push((
            hash,
            EffectiveDecision {
                entry: data_encoding::HEXLOWER.encode(&hash),
                decision: d.decision,
                ts: e.ts.clone(),
                reviewer: e.reviewer.clone(),
            },
        ));
    }

    /// The item's effective decisions in this log, oldest first.
    pub fn effective(&self, subject: &str, disclosure: &str) -> Vec<&EffectiveDecision> {
        self.items
            .get(&(subject.into(), disclosure.into()))
            .map(|&i| self.effective[i as usize].iter().map(|(_, d)| d).collect())
            .unwrap_or_default()
    }

    /// May a new decision on (subject, disclosure) naming `supersedes` be appended? It
    /// must name one of the item's effective decisions when there are any (with several —
    /// a conflict left by an older version — any one of them), and never an entry of this
    /// log about another item.
    pub fn check(
        &self,
        subject: &str,
        disclosure: &str,
        supersedes: Option<&str>,
    ) -> Result<(), SupersedeProblem> {
        let item = self
            .items
            .get(&(subject.into(), disclosure.into()))
            .copied();
        if let Some(named) = supersedes
            && let Some(k) = decode_hash(named).and_then(|h| self.known.get(&h))
            && Some(k.item) != item
        {
            return Err(SupersedeProblem::OtherItem {
                subject: subject.to_owned(),
                disclosure: disclosure.to_owned(),
                named: named.to_owned(),
            });
        }
        let effective = self.effective(subject, disclosure);
        if repeat(&effective, supersedes, |e, h| e.entry == h).allowed() {
            return Ok(());
        }
        Err(SupersedeProblem::Required {
            subject: subject.to_owned(),
            disclosure: disclosure.to_owned(),
            effective: effective.into_iter().cloned().collect(),
            named: supersedes.map(str::to_owned),
        })
    }
}

fn decode_hash(hex: &str) -> Option<[u8; 32]> {
    data_encoding::HEXLOWER
        .decode(hex.as_bytes())
        .ok()
        .and_then(|v| v.try_into().ok())
}
