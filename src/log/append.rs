//! The append protocol (docs/signed-log.md#appending). Under an exclusive `flock` on `<log>.lock`: create the
//! log with genesis if it does not exist (`O_CREAT|O_EXCL`, fdatasync, dir fsync), check
//! the tail (last entry verified, compared with the head file), sign the new entry and check
//! its line as the verifier would (the signature with the secret key:
//! `super::own_signature`), seal a torn fragment with a signed `tail_recovery` in the same
//! `write` as the new entry, fdatasync, unlock — and only
//! then is the entry acknowledged. The log file is only ever opened for append: this module
//! has no code path that truncates, seeks-and-writes or renames it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::canonical::to_canonical;
use super::chain::{Chain, Last};
use super::entry::{Body, Entry, LogKind, ZERO_HASH, now_ts, parse_ts_ms};
use super::findings::Code;
use super::head::{self, Head};
use super::items::{ItemIndex, SupersedeProblem};
use super::keys::Signer;
use super::line::{self, LineChecker, MAX_LINE};

/// Default wait for the lock before giving up (exit 2).
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How far back from the end the appender looks for the last valid entry when this data
/// dir has no head file for the log.
const TAIL_WINDOW: u64 = 64 * 1024;

/// Why nothing was recorded. `Display` is the whole message and says what to do.
#[derive(Debug)]
pub enum AppendError {
    Lock {
        path: PathBuf,
        timeout: Duration,
    },
    Io {
        path: PathBuf,
        what: &'static str,
        err: io::Error,
    },
    /// The log's genesis says another kind (a demo entry never enters a production log).
    KindMismatch {
        path: PathBuf,
        log: LogKind,
        wanted: LogKind,
    },
    /// The tail failed its check; nothing is appended to a log in that state.
    Tail {
        path: PathBuf,
        code: Code,
        detail: String,
    },
    /// The entry cannot be put in canonical form or is too long.
    Entry(String),
    /// The head file cannot be read.
    Head(String),
    /// A repeat decision that does not supersede the item's effective decision
    /// (docs/signed-log.md#supersession-effective-decisions-and-conflicts), checked under the lock.
    Supersede(SupersedeProblem),
    /// The `before_write` check refused (e.g. the team claim is no longer ours).
    Refused(String),
}

impl std::fmt::Display for AppendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppendError::Lock { path, timeout } => write!(
                f,
                "{}: another p2review holds the lock for more than {} s; nothing was recorded — try again, or find the stuck process",
                path.display(),
                timeout.as_secs_f32()
            ),
            AppendError::Io { path, what, err } => {
                write!(f, "{}: {what}: {err}; nothing was recorded", path.display())
            }
            AppendError::KindMismatch { path, log, wanted } => write!(
                f,
                "{} is a {} log; a {} entry never goes into it (use another --log); nothing was recorded",
                path.display(),
                log.as_str(),
                wanted.as_str()
            ),
            AppendError::Tail { path, code, detail } => write!(
                f,
                "{}: the log fails its check ({code}: {detail}); nothing was recorded — this is damage, not a crash: run `p2review log verify {}`, then move the log aside and keep it (it is evidence) and tell a supervisor; the next append starts a new log",
                path.display(),
                path.display()
            ),
            AppendError::Entry(m) => {
                write!(f, "cannot record this entry: {m}; nothing was recorded")
            }
            AppendError::Head(m) => write!(f, "{m}; nothing was recorded"),
            AppendError::Supersede(p) => write!(f, "{p}"),
            AppendError::Refused(m) => write!(f, "{m}; nothing was recorded"),
        }
    }
}

impl std::error::Error for AppendError {}

/// What an append returns once the entry is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub seq: u64,
    /// Hex SHA-256 of the entry's line without LF.
    pub entry_sha256: String,
    pub log_id: String,
    /// Bytes of a torn fragment sealed by a `tail_recovery` in the same write.
    pub sealed_fragment: Option<u64>,
    /// The head file could not be updated (the entry IS recorded).
    pub head_warning: Option<String>,
    /// The entry is a four-eyes approval waiting for a second reviewer (the review screen
    /// shows it pending without reading it back).
    pub second_required: bool,
}

impl std::fmt::Display for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ACK seq={} entry={} log={}",
            self.seq, self.entry_sha256, self.log_id
        )
    }
}

/// Test knobs, honoured only in debug builds: never in a release binary.
fn knob(name: &str) -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    } else {
        None
    }
}

/// A check run under the log's lock just before the entry is written (a team claim,
/// docs/team.md#claims). `Err` is the reason nothing is written.
#[derive(Clone)]
pub struct BeforeWrite(pub Arc<dyn Fn() -> Result<(), String> + Send + Sync>);

impl std::fmt::Debug for BeforeWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BeforeWrite(..)")
    }
}

/// One log, one kind, one signer. Cheap; each `append` runs the whole protocol.
#[derive(Debug, Clone)]
pub struct Appender {
    pub log: PathBuf,
    pub kind: LogKind,
    pub signer: Signer,
    pub heads_dir: PathBuf,
    pub lock_timeout: Duration,
    /// Replace the head file after each append (on by default; a benchmark of the BENCHMARKS.md#signed-log
    /// "head file excluded" figure turns it off).
    pub update_head: bool,
    /// Run under the lock right before the write; `Err` refuses the append.
    pub before_write: Option<BeforeWrite>,
    /// Verdicts of the last few lines checked, keyed by their exact bytes: a recorder that
    /// appends many entries (the TUI) re-reads the genesis and its own last entry each time.
    checker: Arc<Mutex<LineChecker>>,
    /// Effective decisions per item, kept between appends and brought up to date under
    /// the lock from the bytes appended since (a repeat decision must supersede).
    items: Arc<Mutex<ItemIndex>>,
    /// The first line of the log last appended to and its verdict: the genesis is read and
    /// checked on every append, and a verdict is a function of the exact bytes, so a line
    /// equal to this one needs no second check (the few-line memory of `checker` forgets it
    /// after a handful of appends).
    first_line: Arc<Mutex<Option<SeenLine>>>,
}

/// A line's exact bytes and its good verdict.
type SeenLine = (Vec<u8>, super::line::GoodLine);

struct Tail {
    log_id: String,
    last: Last,
    /// The log ends with a complete, valid, chained entry that lacks only its LF (a crash
    /// right before the last byte): the next write starts with that LF.
    needs_lf: bool,
    torn: Option<super::chain::TornTail>,
    size: u64,
}

impl Appender {
    pub fn new(log: &Path, kind: LogKind, signer: Signer, heads_dir: &Path) -> Appender {
        Appender {
            log: log.to_owned(),
            kind,
            signer,
            heads_dir: heads_dir.to_owned(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            update_head: true,
            before_write: None,
            checker: Arc::new(Mutex::new(LineChecker::with_recent())),
            items: Arc::new(Mutex::new(ItemIndex::default())),
            first_line: Arc::new(Mutex::new(None)),
        }
    }

    fn io(&self, what: &'static str) -> impl FnOnce(io::Error) -> AppendError + '_ {
        move |err| AppendError::Io {
            path: self.log.clone(),
            what,
            err,
        }
    }

    /// Take the exclusive lock on `<log>.lock`, retrying until the timeout. `canonical`: the
    /// log's canonical path, resolved once per append (`None`: it could not be resolved).
    fn lock(&self, canonical: Option<&Path>) -> Result<Option<File>, AppendError> {
        if knob("P2REVIEW_TEST_NO_LOCK").is_some() {
            return Ok(None);
        }
        let lp = match canonical {
            // `crate::paths::lock_path` without resolving the path a second time.
            Some(c) => {
                let mut s = c.as_os_str().to_owned();
                s.push(".lock");
                PathBuf::from(s)
            }
            None => crate::paths::lock_path(&self.log)
                .map_err(self.io("cannot resolve the log's path"))?,
        };
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o660)
            .open(&lp)
            .map_err(|err| AppendError::Io {
                path: lp.clone(),
                what: "cannot open the lock file",
                err,
            })?;
        let start = Instant::now();
        loop {
            match f.try_lock() {
                Ok(()) => return Ok(Some(f)),
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < self.lock_timeout => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(AppendError::Lock {
                        path: lp,
                        timeout: self.lock_timeout,
                    });
                }
                Err(fs::TryLockError::Error(err)) => {
                    return Err(AppendError::Io {
                        path: lp,
                        what: "cannot lock",
                        err,
                    });
                }
            }
        }
    }

    /// Check one line with the shared verdict memory.
    fn check_line(&self, line: &[u8]) -> Result<super::line::GoodLine, Code> {
        match self.checker.lock() {
            Ok(mut c) => c.check(line),
            Err(_) => LineChecker::new().check(line),
        }
    }

    /// [`Appender::check_line`] for a line this appender just signed: its signature is
    /// judged with the secret key (`super::own_signature`, `verify_strict`'s verdict at
    /// well under half the cost), and the verdict is remembered for the next append's
    /// tail check as any other.
    fn check_own_line(&self, line: &[u8]) -> Result<super::line::GoodLine, Code> {
        let sig_ok = |j: &super::batch::SigJob| self.signer.verifies(j);
        match self.checker.lock() {
            Ok(mut c) => c.check_by(line, sig_ok),
            Err(_) => LineChecker::new().check_by(line, sig_ok),
        }
    }

    /// [`Appender::check_line`] for the log's first line, remembering the last good one.
    fn check_first_line(&self, line: &[u8]) -> Result<super::line::GoodLine, Code> {
        let mut seen = self.first_line.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((bytes, good)) = seen.as_ref()
            && bytes.as_slice() == line
        {
            return Ok(good.clone());
        }
        let r = self.check_line(line);
        if let Ok(good) = &r {
            *seen = Some((line.to_vec(), good.clone()));
        }
        r
    }

    /// Sign an entry and frame it as a line (with LF), checked by the verifier's own code.
    fn make_line(&self, entry: &Entry) -> Result<(Vec<u8>, [u8; 32]), AppendError> {
        let body =
            to_canonical(&entry.to_value()).map_err(|e| AppendError::Entry(e.to_string()))?;
        let blob = self.signer.sign(super::NS_DECISION, body.as_bytes());
        let line = line::frame(&body, &blob);
        if line.len() > MAX_LINE {
            return Err(AppendError::Entry(format!(
                "the entry would be {} bytes, more than the {MAX_LINE}-byte line limit (shorten the note)",
                line.len()
            )));
        }
        let good = self.check_own_line(&line[..line.len() - 1]).map_err(|c| {
            AppendError::Entry(format!("the signed line fails its own check ({c})"))
        })?;
        Ok((line, good.hash))
    }

    fn entry(&self, log_id: &str, seq: u64, prev: &[u8; 32], ts: &str, body: Body) -> Entry {
        Entry {
            log: log_id.to_owned(),
            seq,
            prev: data_encoding::HEXLOWER.encode(prev),
            ts: ts.to_owned(),
            reviewer: self.signer.principal().to_owned(),
            key: self.signer.fingerprint().to_owned(),
            body,
        }
    }

    /// Create the log with its genesis entry (`O_CREAT|O_EXCL`). `Ok(false)`: it existed.
    fn create(&self) -> Result<bool, AppendError> {
        let mut f = match OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(0o660)
            .open(&self.log)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(self.io("cannot create the log")(e)),
        };
        self.write_genesis(&mut f)?;
        Ok(true)
    }

    /// Refuse a log path that is not a regular file (a FIFO or device would block or
    /// never end; a directory is a mistake). A missing file is fine: it gets created.
    fn refuse_special(&self) -> Result<(), AppendError> {
        match fs::metadata(&self.log) {
            Ok(m) if !m.is_file() => Err(self.io("cannot use the log")(io::Error::other(
                "not a regular file (a FIFO, device or directory); give the path of a log file",
            ))),
            _ => Ok(()),
        }
    }

    /// Write a new genesis entry into an empty log file (created here, or left 0 bytes by
    /// an earlier creation that could not write, e.g. on a full disk), then sync it.
    fn write_genesis(&self, f: &mut File) -> Result<(), AppendError> {
        let mut id = [0u8; 16];
        ssh_key::getrandom::fill(&mut id)
            .map_err(|e| AppendError::Entry(format!("no randomness for the log id: {e}")))?;
        let log_id = data_encoding::HEXLOWER.encode(&id);
        let g = self.entry(
            &log_id,
            0,
            &[0; 32],
            &now_ts(),
            Body::Genesis {
                log_kind: self.kind,
                created_by: self.signer.principal().to_owned(),
            },
        );
        debug_assert_eq!(g.prev, ZERO_HASH);
        let (line, _) = self.make_line(&g)?;
        write_all(f, &line).map_err(self.io("cannot write genesis"))?;
        f.sync_data()
            .map_err(self.io("cannot sync the log (fdatasync)"))?;
        let dir = self
            .log
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(self.io("cannot sync the log's directory"))?;
        Ok(())
    }

    /// The log's id and kind, from its first line.
    fn genesis(&self, f: &mut File) -> Result<(String, LogKind, Last, u64), AppendError> {
        let mut buf = vec![0u8; MAX_LINE];
        let n = read_at(f, 0, &mut buf).map_err(self.io("cannot read the log"))?;
        let tail_err = |code: Code, detail: &str| AppendError::Tail {
            path: self.log.clone(),
            code,
            detail: detail.to_owned(),
        };
        let end = buf[..n]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| tail_err(Code::TornTail, "the log has no complete genesis entry"))?;
        let good = self
            .check_first_line(&buf[..end])
            .map_err(|c| tail_err(c, "the first line is not a valid genesis entry"))?;
        match good.entry.body {
            Body::Genesis { log_kind, .. } => Ok((
                good.entry.log.clone(),
                log_kind,
                Last {
                    seq: 0,
                    hash: good.hash,
                    ts_ms: parse_ts_ms(&good.entry.ts).unwrap_or(0),
                },
                end as u64 + 1,
            )),
            _ => Err(tail_err(
                Code::Schema,
                "the first line is not a genesis entry",
            )),
        }
    }

    /// Read and check the tail: resume after the head file's entry (or the last valid entry)
    /// and run the verifier's chain over everything after it.
    /// `size`: the log's size, from `fstat` under the lock. `fresh`: this append just
    /// created the log (a head file for the path names the log that was moved aside, and is
    /// replaced after this append). `canonical`: as for [`Appender::path_head`].
    fn check_tail(
        &self,
        f: &mut File,
        size: u64,
        fresh: bool,
        canonical: Option<&Path>,
    ) -> Result<Tail, AppendError> {
        let tail_err = |code: Code, detail: String| AppendError::Tail {
            path: self.log.clone(),
            code,
            detail,
        };
        let by_path = if fresh {
            None
        } else {
            self.path_head(canonical)?
        };
        let (log_id, kind, genesis_last, genesis_end) = match (self.genesis(f), &by_path) {
            (Ok(g), _) => g,
            // This data dir appended to a log at this path that has lost its genesis.
            (
                Err(AppendError::Tail {
                    code: Code::TornTail,
                    ..
                }),
                Some(h),
            ) => {
                return Err(tail_err(
                    Code::Truncated,
                    format!(
                        "this data dir appended entry {} of log {} here, and the file now holds {size} bytes without a genesis entry",
                        h.seq, h.log
                    ),
                ));
            }
            (Err(e), _) => return Err(e),
        };
        if let Some(h) = &by_path
            && h.log != log_id
        {
            return Err(tail_err(
                Code::Fork,
                format!(
                    "this data dir last appended to log {} at this path; the file now holds log {log_id}",
                    h.log
                ),
            ));
        }
        if kind != self.kind {
            return Err(AppendError::KindMismatch {
                path: self.log.clone(),
                log: kind,
                wanted: self.kind,
            });
        }
        let head = head::read(&self.heads_dir, &log_id).map_err(|e| AppendError::Head(e.into()))?;
        // (start offset, last good entry) to resume from.
        let (start, last) = match &head {
            Some(h) => {
                if h.size > size {
                    return Err(tail_err(
                        Code::Truncated,
                        format!(
                            "the head file says entry {} ends at byte {}, the log has {size} bytes",
                            h.seq, h.size
                        ),
                    ));
                }
                let (line, _) = self.line_ending_at(f, h.size)?;
                let good = self.check_line(&line).map_err(|c| {
                    tail_err(
                        Code::Fork,
                        format!("the entry the head file names is damaged ({c})"),
                    )
                })?;
                if good.entry.seq != h.seq
                    || Some(good.hash) != h.hash_bytes()
                    || good.entry.log != log_id
                {
                    return Err(tail_err(
                        Code::Fork,
                        format!("entry {} is not the one this data dir appended", h.seq),
                    ));
                }
                (
                    h.size,
                    Last {
                        seq: h.seq,
                        hash: good.hash,
                        ts_ms: parse_ts_ms(&good.entry.ts).unwrap_or(0),
                    },
                )
            }
            None => self.last_valid(f, size, genesis_end, genesis_last, &log_id)?,
        };
        let mut chain = Chain::resume(log_id.clone(), kind, last, start, 0);
        // Streamed in bounded pieces: a tail of garbage costs no more memory than a line.
        // Nothing after the resume point (the usual case): nothing to read.
        if start < size {
            let mut r = io::BufReader::with_capacity(64 * 1024, ReadFrom { f, pos: start });
            let mut piece = Vec::with_capacity(MAX_LINE);
            let mut off = start;
            loop {
                let n = super::verify::read_piece(&mut r, &mut piece)
                    .map_err(self.io("cannot read the log"))?;
                if piece.is_empty() {
                    break;
                }
                chain.feed(&piece, off);
                off += n;
            }
        }
        let torn = chain.finish();
        if let Some(bad) = chain.findings.iter().find(|x| x.code.is_error()) {
            return Err(tail_err(
                bad.code,
                format!(
                    "at entry {} (line {} after the checked part)",
                    bad.seq, bad.line
                ),
            ));
        }
        let mut last = chain.last.unwrap_or(last);
        let mut needs_lf = false;
        if let Some(t) = &torn
            && !t.bytes.contains(&b'\n')
            && let Ok(good) = self.check_line(&t.bytes)
            && good.entry.log == log_id
            && good.entry.seq == last.seq + 1
            && good.entry.prev == data_encoding::HEXLOWER.encode(&last.hash)
        {
            last = Last {
                seq: good.entry.seq,
                hash: good.hash,
                ts_ms: parse_ts_ms(&good.entry.ts).unwrap_or(0),
            };
            needs_lf = true;
        }
        Ok(Tail {
            log_id,
            last,
            needs_lf,
            torn: if needs_lf { None } else { torn },
            size,
        })
    }

    /// The line (without LF) that ends with the LF at `end - 1`.
    fn line_ending_at(&self, f: &mut File, end: u64) -> Result<(Vec<u8>, u64), AppendError> {
        let from = end.saturating_sub(MAX_LINE as u64 + 1);
        let mut buf = vec![0u8; (end - from) as usize];
        let n = read_at(f, from, &mut buf).map_err(self.io("cannot read the log"))?;
        buf.truncate(n);
        let bad = || AppendError::Tail {
            path: self.log.clone(),
            code: Code::Fork,
            detail: "the head file's position is not the end of an entry".into(),
        };
        if buf.last() != Some(&b'\n') {
            return Err(bad());
        }
        buf.pop();
        let start = buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        if start == 0 && from != 0 {
            return Err(bad());
        }
        Ok((buf[start..].to_vec(), from + start as u64))
    }

    /// Without a head file: the last line within the tail window that checks out.
    fn last_valid(
        &self,
        f: &mut File,
        size: u64,
        genesis_end: u64,
        genesis_last: Last,
        log_id: &str,
    ) -> Result<(u64, Last), AppendError> {
        let from = size.saturating_sub(TAIL_WINDOW).max(genesis_end);
        // It is nearly always the last line: first the last two lines' worth of bytes. The
        // lines tried there are the window's last ones, in the same order, so what is found
        // there is what the whole window gives; the whole window is read only when none of
        // them checks out.
        let near = size.saturating_sub(2 * MAX_LINE as u64).max(from);
        if near > from
            && let Some(found) = self.last_valid_in(f, near, size, false, log_id)?
        {
            return Ok(found);
        }
        if let Some(found) = self.last_valid_in(f, from, size, from == genesis_end, log_id)? {
            return Ok(found);
        }
        if from == genesis_end {
            Ok((genesis_end, genesis_last))
        } else {
            Err(AppendError::Tail {
                path: self.log.clone(),
                code: Code::TornMiddle,
                detail: format!("no valid entry in the last {TAIL_WINDOW} bytes"),
            })
        }
    }

    /// The last complete line of `from..size` that checks out and names `log_id`, trying
    /// them from the end: (its end, LF included; the entry). A line's start is known from
    /// the LF before it, or is `from` itself when `from_starts_line`; `None` once the next
    /// line to try has no known start.
    fn last_valid_in(
        &self,
        f: &File,
        from: u64,
        size: u64,
        from_starts_line: bool,
        log_id: &str,
    ) -> Result<Option<(u64, Last)>, AppendError> {
        let mut buf = vec![0u8; (size - from) as usize];
        let n = read_at(f, from, &mut buf).map_err(self.io("cannot read the log"))?;
        buf.truncate(n);
        let lf = |b: &[u8]| b.iter().rposition(|&c| c == b'\n');
        let Some(mut e) = lf(&buf) else {
            return Ok(None);
        };
        loop {
            let before = lf(&buf[..e]);
            let s = match before {
                Some(p) => p + 1,
                None if from_starts_line => 0,
                None => return Ok(None),
            };
            if let Ok(good) = self.check_line(&buf[s..e])
                && good.entry.log == log_id
            {
                let ts_ms = parse_ts_ms(&good.entry.ts).unwrap_or(0);
                return Ok(Some((
                    from + e as u64 + 1,
                    Last {
                        seq: good.entry.seq,
                        hash: good.hash,
                        ts_ms,
                    },
                )));
            }
            match before {
                Some(p) => e = p,
                None => return Ok(None),
            }
        }
    }

    /// The heads dir and the data dir holding it must not be group/other-writable.
    fn strict_modes(&self) -> Result<(), AppendError> {
        let data = self
            .heads_dir
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        for d in data.into_iter().chain([self.heads_dir.as_path()]) {
            crate::paths::check_not_shared_writable(d)
                .map_err(|e| AppendError::Head(e.to_string()))?;
        }
        Ok(())
    }

    /// This data dir's head file for the log's canonical path (`None`: the path could not
    /// be resolved, so no head file can name it).
    fn path_head(&self, canonical: Option<&Path>) -> Result<Option<Head>, AppendError> {
        match canonical {
            Some(c) => {
                head::read_by_path(&self.heads_dir, c).map_err(|e| AppendError::Head(e.into()))
            }
            None => Ok(None),
        }
    }

    /// The log's canonical path (symlinks resolved), resolved once per append: the lock
    /// and the by-path head file both follow from it.
    fn canonical(&self) -> Option<PathBuf> {
        crate::paths::canonical_log_path(&self.log).ok()
    }

    /// Check the tail without writing: what the TUI uses to decide whether to open
    /// read-only. `Ok` also when the log does not exist yet or is empty and unanchored.
    pub fn check(&self) -> Result<(), AppendError> {
        self.strict_modes()?;
        let canonical = self.canonical();
        let canonical = canonical.as_deref();
        let _lock = self.lock(canonical)?;
        self.refuse_special()?;
        match OpenOptions::new().read(true).open(&self.log) {
            Ok(mut f) => {
                let size = f.metadata().map_err(self.io("cannot stat the log"))?.len();
                if size == 0 && self.path_head(canonical)?.is_none() {
                    return Ok(());
                }
                self.check_tail(&mut f, size, false, canonical).map(|_| ())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io("cannot open the log")(e)),
        }
    }

    /// Open the log for reading and appending, creating it with its genesis entry first if
    /// it does not exist (`true`: created here).
    fn open_or_create(&self) -> Result<(File, bool), AppendError> {
        let open = || OpenOptions::new().read(true).append(true).open(&self.log);
        match open() {
            Ok(f) => Ok((f, false)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let fresh = self.create()?;
                let f = open().map_err(self.io("cannot open the log"))?;
                Ok((f, fresh))
            }
            Err(e) => Err(self.io("cannot open the log")(e)),
        }
    }

    /// Append one entry whose type-specific fields `body` gives. The whole docs/signed-log.md#appending
    /// protocol; `Ok` only once the entry is durable (fdatasync) and the lock released.
    pub fn append(&self, body: Body) -> Result<Receipt, AppendError> {
        use std::os::unix::fs::MetadataExt;
        let second_required = matches!(&body, Body::Decision(d) if d.second_required);
        self.strict_modes()?;
        let canonical = self.canonical();
        let canonical = canonical.as_deref();
        let lock = self.lock(canonical)?;
        self.refuse_special()?;
        let (mut f, mut fresh) = self.open_or_create()?;
        let mut meta = f.metadata().map_err(self.io("cannot stat the log"))?;
        // A 0-byte log (its creation could not write genesis, e.g. on a full disk) gets its
        // genesis now, unless this data dir's head file says entries were appended to a log
        // at this path (then it was emptied: `check_tail` reports `E_TRUNCATED`).
        if !fresh && meta.len() == 0 && self.path_head(canonical)?.is_none() {
            self.write_genesis(&mut f)?;
            fresh = true;
            meta = f.metadata().map_err(self.io("cannot stat the log"))?;
        }
        let tail = self.check_tail(&mut f, meta.len(), fresh, canonical)?;
        let ts = now_ts();
        let now_ms = parse_ts_ms(&ts).unwrap_or(0);
        if now_ms + super::chain::SKEW_TOLERANCE_MS < tail.last.ts_ms {
            return Err(AppendError::Entry(
                "the clock is more than 5 minutes behind the log's last entry; fix the system time"
                    .into(),
            ));
        }
        // A decision on an item that has an effective decision must name it: checked here,
        // under the lock, against everything in the log up to now.
        let mut items = match &body {
            Body::Decision(d) => {
                let mut idx = self.items.lock().unwrap_or_else(|p| p.into_inner());
                idx.catch_up(&f, (meta.dev(), meta.ino()), tail.size, &mut |l| {
                    self.check_line(l)
                })
                .map_err(self.io("cannot read the log"))?;
                idx.check(&d.subject, &d.disclosure, d.supersedes.as_deref())
                    .map_err(AppendError::Supersede)?;
                Some(idx)
            }
            _ => None,
        };
        let mut buf = Vec::with_capacity(2 * 1024);
        if tail.needs_lf {
            buf.push(b'\n');
        }
        let (mut seq, mut prev) = (tail.last.seq + 1, tail.last.hash);
        let sealed = match &tail.torn {
            Some(t) => {
                let ends_lf = t.bytes.last() == Some(&b'\n');
                if !ends_lf {
                    buf.push(b'\n');
                }
                let rec = self.entry(
                    &tail.log_id,
                    seq,
                    &prev,
                    &ts,
                    Body::TailRecovery {
                        torn_off: t.offset,
                        torn_len: t.bytes.len() as u64,
                        torn_sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(&t.bytes)),
                    },
                );
                let (line, hash) = self.make_line(&rec)?;
                buf.extend_from_slice(&line);
                seq += 1;
                prev = hash;
                Some(t.bytes.len() as u64)
            }
            None => None,
        };
        let entry = self.entry(&tail.log_id, seq, &prev, &ts, body);
        let (line, hash) = self.make_line(&entry)?;
        buf.extend_from_slice(&line);
        if let Some(BeforeWrite(check)) = &self.before_write {
            check().map_err(AppendError::Refused)?;
        }
        write_all(&mut f, &buf).map_err(self.io("cannot write the entry"))?;
        f.sync_data()
            .map_err(self.io("cannot sync the log (fdatasync)"))?;
        // Where our write ended, read under the lock (an append-mode write leaves the
        // position at the end of what it wrote).
        let end = {
            use std::io::Seek;
            f.stream_position().unwrap_or(tail.size + buf.len() as u64)
        };
        if let Some(idx) = items.as_mut() {
            idx.own(tail.size, end, &entry, hash);
        }
        drop(items);
        drop(lock);
        let receipt_head = Head {
            log: tail.log_id.clone(),
            size: end,
            seq,
            sha256: data_encoding::HEXLOWER.encode(&hash),
        };
        let head_warning = if self.update_head {
            head::write(&self.heads_dir, &receipt_head, canonical)
                .err()
                .map(String::from)
        } else {
            None
        };
        Ok(Receipt {
            seq,
            entry_sha256: receipt_head.sha256,
            log_id: tail.log_id,
            sealed_fragment: sealed,
            head_warning,
            second_required,
        })
    }
}

/// One `write` of the whole buffer (continued on a short write). The debug-only knob
/// `P2REVIEW_TEST_SPLIT_WRITES` splits it into small pieces with pauses, so a kill -9 in
/// the crash test really leaves torn tails.
fn write_all(f: &mut File, buf: &[u8]) -> io::Result<()> {
    if knob("P2REVIEW_TEST_SPLIT_WRITES").is_some() {
        let mut seed = u64::from(std::process::id()) ^ buf.len() as u64;
        let mut rest = buf;
        while !rest.is_empty() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = ((seed >> 33) as usize % 200 + 1).min(rest.len());
            f.write_all(&rest[..n])?;
            rest = &rest[n..];
            std::thread::sleep(Duration::from_micros(200));
        }
        return Ok(());
    }
    f.write_all(buf)
}

fn read_at(f: &File, off: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut n = 0;
    while n < buf.len() {
        match f.read_at(&mut buf[n..], off + n as u64)? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Sequential reads from `pos` by positioned reads (`pread`): the file offset the append
/// uses is never moved.
struct ReadFrom<'a> {
    f: &'a File,
    pos: u64,
}

impl io::Read for ReadFrom<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.f.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}
