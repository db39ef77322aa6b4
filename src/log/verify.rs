//! `log verify` (docs/signed-log.md#verifying): stream a log through the chain, with the trusted signers and
//! anchors (checkpoints given, the data dir's head file), and report findings.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::batch::{KeyFacts, SigJob, SigMode, verify_all};
use super::chain::{Anchor, Chain, check_piece};
use super::checkpoint::Checkpoint;
use super::entry::LogKind;
use super::findings::{Code, Finding};
use super::head;
use super::line::{GoodLine, LineChecker, Prepared};
use super::trust::Trust;

/// What one verification uses.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub trust: Trust,
    /// Parsed checkpoint notes; only those naming this log's id are applied.
    pub checkpoints: Vec<Checkpoint>,
    /// The data dir's `heads/` (its file for this log, if any, is an anchor).
    pub heads_dir: Option<PathBuf>,
}

/// The result for one log.
#[derive(Debug, Clone)]
pub struct LogReport {
    pub findings: Vec<Finding>,
    pub log_id: Option<String>,
    pub kind: Option<LogKind>,
    /// Valid entries in the chain (last seq + 1).
    pub entries: u64,
    pub last_hash: Option<[u8; 32]>,
    /// Distinct signing keys of the valid entries.
    pub signers: usize,
    /// Some anchor (checkpoint or head file) matched.
    pub anchored: bool,
}

impl LogReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.code.is_error())
    }
    /// 0 clean, 1 any E_, 3 warnings only.
    pub fn exit_code(&self) -> u8 {
        if self.has_errors() {
            1
        } else if self.findings.is_empty() {
            0
        } else {
            3
        }
    }
}

/// The log id named by a log's first line, read leniently (to pick anchors before streaming).
pub fn peek_log_id(first_line: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(first_line).ok()?;
    v.get("e")?.get("log")?.as_str().map(str::to_owned)
}

/// The anchors for log `id`: valid checkpoints naming it (bad ones become
/// `E_CHECKPOINT_SIG` in `extra`) and the head file.
pub fn anchors_for(
    id: Option<&str>,
    path: Option<&Path>,
    opts: &VerifyOptions,
    extra: &mut Vec<Finding>,
) -> Result<Vec<Anchor>, String> {
    let mut anchors = Vec::new();
    // The head file kept for this path: a log that lost its genesis (emptied, or cut
    // inside its first line) or was swapped for another log cannot dodge it.
    let by_path = match (&opts.heads_dir, path) {
        (Some(dir), Some(p)) => match crate::paths::canonical_log_path(p) {
            Ok(c) => head::read_by_path(dir, &c)?,
            Err(_) => None,
        },
        _ => None,
    };
    if let Some(h) = &by_path {
        match id {
            None => extra.push(Finding {
                code: Code::Truncated,
                seq: h.seq,
                line: 1,
            }),
            Some(i) if i != h.log => extra.push(Finding {
                code: Code::Fork,
                seq: h.seq,
                line: 1,
            }),
            Some(_) => {
                if let Some(hash) = h.hash_bytes() {
                    anchors.push(Anchor::new(h.seq, hash, false));
                }
            }
        }
    }
    let Some(id) = id else { return Ok(anchors) };
    for cp in opts.checkpoints.iter().filter(|c| c.log_id == id) {
        if cp.signature_ok(&opts.trust) {
            anchors.push(Anchor::new(cp.size - 1, cp.hash, true));
        } else {
            extra.push(Finding {
                code: Code::CheckpointSig,
                seq: cp.size - 1,
                line: cp.size,
            });
        }
    }
    if let Some(dir) = &opts.heads_dir
        && let Some(h) = head::read(dir, id)?
        && let Some(hash) = h.hash_bytes()
        && !anchors.iter().any(|a| a.seq == h.seq && a.hash == hash)
    {
        anchors.push(Anchor::new(h.seq, hash, false));
    }
    Ok(anchors)
}

/// Finish `chain` and build the report (`extra` findings first).
pub fn report(chain: &mut Chain, extra: Vec<Finding>) -> LogReport {
    chain.finish();
    let mut findings = extra;
    findings.append(&mut chain.findings);
    LogReport {
        findings,
        log_id: chain.log_id.clone(),
        kind: chain.kind,
        entries: chain.last.map_or(0, |l| l.seq + 1),
        last_hash: chain.last.map(|l| l.hash),
        signers: chain.signers.len(),
        anchored: chain.anchored,
    }
}

/// Verify a whole log held in memory.
pub fn verify_bytes(data: &[u8], opts: &VerifyOptions) -> Result<LogReport, String> {
    verify_bytes_with(data, opts, LineChecker::new()).map(|(r, _)| r)
}

/// [`verify_bytes`] with a given line checker, handed back for reuse (its key cache, or a
/// test's verdict cache, survives across runs).
pub fn verify_bytes_with(
    data: &[u8],
    opts: &VerifyOptions,
    checker: LineChecker,
) -> Result<(LogReport, LineChecker), String> {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let id = peek_log_id(first);
    let mut extra = Vec::new();
    let anchors = anchors_for(id.as_deref(), None, opts, &mut extra)?;
    let mut chain = Chain::new(Some(opts.trust.clone()), anchors);
    chain.checker = checker;
    let mut off = 0u64;
    for piece in data.split_inclusive(|&b| b == b'\n') {
        chain.feed(piece, off);
        off += piece.len() as u64;
    }
    let r = report(&mut chain, extra);
    Ok((r, std::mem::take(&mut chain.checker)))
}

/// Open a log for reading, refusing anything but a regular file (docs/signed-log.md: a FIFO,
/// device or directory would block or never end). The check is made on the opened file,
/// which is opened non-blocking so a FIFO without a writer cannot hang the open.
pub fn open_log(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    let t = f.metadata()?.file_type();
    if !t.is_file() {
        return Err(io::Error::other(format!(
            "not a regular file ({}); give the path of a log file",
            describe(t)
        )));
    }
    Ok(f)
}

fn describe(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    }
}

/// Why a log could not be verified at all (exit 2).
#[derive(Debug)]
pub struct VerifyIoError(pub String);

/// Stream a log file (memory stays O(longest line)).
pub fn verify_file(path: &Path, opts: &VerifyOptions) -> Result<LogReport, VerifyIoError> {
    stream_file(path, |id, extra| {
        let anchors = anchors_for(id, Some(path), opts, extra).map_err(VerifyIoError)?;
        Ok(Chain::new(Some(opts.trust.clone()), anchors))
    })
}

/// Stream a log file through the chain `make` builds once the log id is known (from the
/// first line). `trust: None` chains check structure and signatures only (`log checkpoint`).
pub fn stream_file(
    path: &Path,
    make: impl FnOnce(Option<&str>, &mut Vec<Finding>) -> Result<Chain, VerifyIoError>,
) -> Result<LogReport, VerifyIoError> {
    stream_file_each(path, make, &mut |_, _, _| {})
}

/// What [`stream_file_each`] and [`verify_file_parallel_each`] hand on for each piece,
/// in file order, after the chain has checked it: the 1-based line number, the piece
/// (line with its LF), and the line as the verifier parsed it if it passed every per-line
/// check (its entry and line hash: readers need not parse or hash the line again).
pub type EachLine<'a> = dyn FnMut(u64, &[u8], Option<&GoodLine>) + 'a;

/// [`stream_file`], handing each piece to `each` ([`EachLine`]): `log show` reads entries
/// as they are verified without holding the file.
pub fn stream_file_each(
    path: &Path,
    make: impl FnOnce(Option<&str>, &mut Vec<Finding>) -> Result<Chain, VerifyIoError>,
    each: &mut EachLine,
) -> Result<LogReport, VerifyIoError> {
    let err = |e: io::Error| VerifyIoError(format!("{}: {e}", path.display()));
    let mut r = BufReader::with_capacity(256 * 1024, open_log(path).map_err(err)?);
    let mut buf = Vec::with_capacity(4096);
    let mut len = read_piece(&mut r, &mut buf).map_err(err)?;
    let id = peek_log_id(buf.strip_suffix(b"\n").unwrap_or(&buf));
    let mut extra = Vec::new();
    let mut chain = make(id.as_deref(), &mut extra)?;
    let mut off = 0u64;
    let mut lines = 0u64;
    while !buf.is_empty() {
        let res = check_piece(&mut chain.checker, &buf);
        let good = res.as_ref().ok().cloned();
        chain.feed_checked(&buf, off, res);
        lines += 1;
        each(lines, &buf, good.as_ref());
        off += len;
        len = match read_piece(&mut r, &mut buf) {
            Ok(n) => n,
            Err(_) => {
                // A read error part-way: what was read is reported, and the rest is E_IO.
                let seq = chain.last.map_or(0, |l| l.seq + 1);
                extra.push(Finding {
                    code: Code::Io,
                    seq,
                    line: lines + 1,
                });
                break;
            }
        };
    }
    Ok(report(&mut chain, extra))
}

/// `log verify`'s default mode: [`verify_file`] with the per-line checks (parse, canonical
/// form, schema, `verify_strict`) spread over `threads` threads; the chain, trust, time and
/// anchor checks run in order on their results. The verdicts are the same function of the
/// same bytes, so the findings are identical to [`verify_file`]'s (tested in
/// tests/signed_log/parallel.rs); only the time differs.
///
/// Signatures are checked in exact batches ([`DEFAULT_SIG_MODE`], `super::batch`): the
/// verdicts are `verify_strict`'s, and one core checked 1.36–1.43× the entries per second
/// of `verify_strict` one by one (BENCHMARKS.md#signed-log, busy machine).
pub fn verify_file_parallel(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
) -> Result<LogReport, VerifyIoError> {
    verify_file_parallel_each(path, opts, threads, &mut |_, _, _| {})
}

/// [`verify_file_parallel`], handing each piece to `each` ([`EachLine`]).
pub fn verify_file_parallel_each(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
    each: &mut EachLine,
) -> Result<LogReport, VerifyIoError> {
    verify_file_blocks(path, opts, threads, DEFAULT_SIG_MODE, each)
}

/// How the default mode checks signatures (see [`verify_file_parallel`]).
pub const DEFAULT_SIG_MODE: SigMode = SigMode::Batch;

/// Lines read together into one buffer: memory stays bounded (the feeding thread keeps at
/// most [`AHEAD`] blocks read and not yet fed, each at most this many lines or
/// [`BLOCK_BYTES`]).
const BLOCK: usize = 2048;
/// Bytes per block too: 2048 over-long lines of 64 KiB each would be 128 MiB.
const BLOCK_BYTES: usize = 8 << 20;
/// Blocks read ahead of the chain: enough queued work that no thread waits while the
/// feeding thread reads the next block.
const AHEAD: usize = 2;
/// Lines per job: a thread's signatures stay contiguous (two batches of
/// `super::batch::BATCH`), and the last jobs of a file are short enough that the threads
/// finish together.
const CHUNK: usize = 256;

/// Block and job sizes (tests make them tiny to put damage at every boundary).
#[derive(Debug, Clone, Copy)]
pub struct BlockSizes {
    /// Most lines in one block.
    pub lines: usize,
    /// Block size in bytes at which reading stops (the last piece may go past it).
    pub bytes: usize,
    /// Lines per job.
    pub chunk: usize,
}

impl Default for BlockSizes {
    fn default() -> Self {
        BlockSizes {
            lines: BLOCK,
            bytes: BLOCK_BYTES,
            chunk: CHUNK,
        }
    }
}

/// Read blocks of lines and check them on `threads` threads (signatures as `mode` says);
/// the verdicts go through the chain in file order on this thread. See
/// [`verify_file_blocks_sized`].
pub fn verify_file_blocks(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
    mode: SigMode,
    each: &mut EachLine,
) -> Result<LogReport, VerifyIoError> {
    verify_file_blocks_sized(path, opts, threads, mode, BlockSizes::default(), each)
}

/// Consecutive pieces (a line with its LF, or the final piece without) in one buffer.
#[derive(Default)]
struct Block {
    buf: Vec<u8>,
    /// Start and end in `buf`, and the bytes the piece stands for in the file (more than its
    /// length when an over-long line was cut).
    pieces: Vec<(usize, usize, u64)>,
}

impl Block {
    fn piece(&self, i: usize) -> &[u8] {
        let (a, b, _) = self.pieces[i];
        &self.buf[a..b]
    }
}

/// A job: lines `lines` of `block`, the `id`-th job of the file.
struct Job {
    id: u64,
    block: Arc<Block>,
    lines: Range<usize>,
}

type Verdicts = Vec<Result<GoodLine, Code>>;

/// The jobs not yet taken and the verdicts not yet fed, shared by the threads.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Verdicts by job id, with the worker that computed them ([`FEEDER`]: the feeding
    /// thread).
    done: HashMap<u64, (usize, Verdicts)>,
    /// Per worker: entries it built that were fed, for it to free. Freed on the feeding
    /// thread, a worker's allocations cost glibc's allocator about a tenth of a two-thread
    /// run (another thread's arena, its lock, consolidation); freed by the thread that made
    /// them, they go back to its own caches. Bounded: a worker takes its share with each
    /// job, and the feeding thread stays at most [`AHEAD`] blocks ahead.
    garbage: Vec<Vec<GoodLine>>,
    /// No more jobs will come: idle workers end.
    closed: bool,
    /// A worker panicked (its payload): the feeding thread re-raises it.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// The feeding thread's number in `Queue::done` (the workers are `0..threads - 1`).
const FEEDER: usize = usize::MAX;

struct Shared {
    q: Mutex<Queue>,
    /// Jobs were queued, or the queue closed.
    work: Condvar,
    /// A verdict came in, or a worker panicked.
    done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing panics while holding the lock (checks run outside it).
        self.q.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One worker (number `me`): take the oldest job, check it, hand the verdicts back, until
/// closed; free what the feeding thread handed back.
fn worker(sh: &Shared, me: usize, ck: &mut LineChecker, keys: &mut KeyFacts, mode: SigMode) {
    loop {
        let (job, garbage) = {
            let mut q = sh.lock();
            let garbage = std::mem::take(&mut q.garbage[me]);
            loop {
                if let Some(j) = q.jobs.pop_front() {
                    break (j, garbage);
                }
                if q.closed {
                    return;
                }
                q = sh.work.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        drop(garbage);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_job(ck, keys, mode, &job)
        }));
        let mut q = sh.lock();
        match r {
            Ok(v) => {
                q.done.insert(job.id, (me, v));
            }
            Err(e) => {
                q.panic = Some(e);
                q.closed = true;
                sh.done.notify_all();
                return;
            }
        }
        sh.done.notify_all();
    }
}

fn check_job(ck: &mut LineChecker, keys: &mut KeyFacts, mode: SigMode, job: &Job) -> Verdicts {
    check_slice(
        ck,
        keys,
        mode,
        job.lines.clone().map(|i| job.block.piece(i)),
    )
}

/// `log verify`'s default mode, the supervisor's load: read blocks of lines (one buffer
/// each, lines as ranges) and cut them into jobs of `sizes.chunk` lines; `threads - 1`
/// workers, started once for the whole file, take the oldest job not yet taken. This
/// thread reads ahead ([`AHEAD`] blocks), feeds the verdicts to the chain (and to `each`)
/// in file order, and, when the verdicts it needs next are not ready, checks the oldest job
/// itself instead of waiting: `threads` threads check lines, and the reading and the chain
/// cost no core of their own. With `threads == 1` no thread is started.
///
/// Each job's lines are checked by one thread in order (`check_slice`), so its signatures
/// are contiguous for [`SigMode::Batch`]; the verdicts are the same function of the same
/// bytes whichever thread computes them, so the findings equal [`verify_file`]'s.
pub fn verify_file_blocks_sized(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
    mode: SigMode,
    sizes: BlockSizes,
    each: &mut EachLine,
) -> Result<LogReport, VerifyIoError> {
    let threads = threads.max(1);
    let sizes = BlockSizes {
        lines: sizes.lines.max(1),
        bytes: sizes.bytes.max(1),
        chunk: sizes.chunk.max(1),
    };
    let err = |e: io::Error| VerifyIoError(format!("{}: {e}", path.display()));
    let mut r = BufReader::with_capacity(256 * 1024, open_log(path).map_err(err)?);
    let mut first = Block::default();
    // An error on the first line is operational (exit 2), as in `verify_file`.
    let n = read_piece_append(&mut r, &mut first.buf).map_err(err)?;
    let (mut eof, mut io_failed) = (first.buf.is_empty(), false);
    if !eof {
        first.pieces.push((0, first.buf.len(), n));
    }
    let id = if eof {
        None
    } else {
        let p = first.piece(0);
        peek_log_id(p.strip_suffix(b"\n").unwrap_or(p))
    };
    let mut extra = Vec::new();
    let anchors =
        anchors_for(id.as_deref(), Some(path), opts, &mut extra).map_err(VerifyIoError)?;
    let mut chain = Chain::new(Some(opts.trust.clone()), anchors);
    fill_block(&mut r, &mut first, sizes, &mut eof, &mut io_failed);
    let sh = Shared {
        q: Mutex::new(Queue {
            garbage: vec![Vec::new(); threads - 1],
            ..Queue::default()
        }),
        work: Condvar::new(),
        done: Condvar::new(),
    };
    let (mut off, mut lines) = (0u64, 0u64);
    let mut ck = LineChecker::new();
    let mut keys = KeyFacts::default();
    std::thread::scope(|sc| {
        let sh = &sh;
        for me in 0..threads - 1 {
            sc.spawn(move || {
                let (mut ck, mut keys) = (LineChecker::new(), KeyFacts::default());
                worker(sh, me, &mut ck, &mut keys, mode);
            });
        }
        // Closes the queue however this thread leaves the scope (a panic in `each`
        // included), so the workers end and the scope can join them.
        struct Close<'a>(&'a Shared);
        impl Drop for Close<'_> {
            fn drop(&mut self) {
                self.0.lock().closed = true;
                self.0.work.notify_all();
            }
        }
        let _close = Close(sh);
        // Jobs queued and not yet fed, oldest first (the same order as their ids).
        let mut pending: VecDeque<Job> = VecDeque::new();
        let (mut next_id, mut ahead_blocks) = (0u64, 0usize);
        let mut block = Some(first);
        loop {
            // Read ahead.
            while ahead_blocks < AHEAD {
                let b = match block.take() {
                    Some(b) => b,
                    None if eof => break,
                    None => {
                        let mut b = Block::default();
                        fill_block(&mut r, &mut b, sizes, &mut eof, &mut io_failed);
                        b
                    }
                };
                if b.pieces.is_empty() {
                    continue;
                }
                let b = Arc::new(b);
                let mut q = sh.lock();
                for start in (0..b.pieces.len()).step_by(sizes.chunk) {
                    let job = Job {
                        id: next_id,
                        block: b.clone(),
                        lines: start..(start + sizes.chunk).min(b.pieces.len()),
                    };
                    next_id += 1;
                    pending.push_back(Job {
                        id: job.id,
                        block: b.clone(),
                        lines: job.lines.clone(),
                    });
                    q.jobs.push_back(job);
                }
                drop(q);
                sh.work.notify_all();
                ahead_blocks += 1;
            }
            let Some(job) = pending.pop_front() else {
                break;
            };
            // The verdicts of `job`: ready, or computed here (this job or an older one
            // no worker has taken yet) while they are not.
            // `by`: the worker that computed them, or [`FEEDER`].
            let (by, verdicts) = loop {
                let mut q = sh.lock();
                if let Some(p) = q.panic.take() {
                    drop(q);
                    std::panic::resume_unwind(p);
                }
                if let Some((w, v)) = q.done.remove(&job.id) {
                    break (w, v);
                }
                if let Some(other) = q.jobs.pop_front() {
                    drop(q);
                    let v = check_job(&mut ck, &mut keys, mode, &other);
                    if other.id == job.id {
                        break (FEEDER, v);
                    }
                    sh.lock().done.insert(other.id, (FEEDER, v));
                    continue;
                }
                let _q = sh.done.wait(q).unwrap_or_else(|e| e.into_inner());
            };
            let hand_back = by != FEEDER;
            let mut fed = Vec::with_capacity(if hand_back { verdicts.len() } else { 0 });
            for (i, res) in job.lines.clone().zip(verdicts) {
                let p = job.block.piece(i);
                // Two `Arc` clones: the reader gets the parsed entry without a re-parse.
                let good = res.as_ref().ok().cloned();
                chain.feed_checked(p, off, res);
                off += job.block.pieces[i].2;
                lines += 1;
                each(lines, p, good.as_ref());
                if let Some(g) = good.filter(|_| hand_back) {
                    fed.push(g);
                }
            }
            if hand_back {
                sh.lock().garbage[by].extend(fed);
            }
            if job.lines.end == job.block.pieces.len() {
                ahead_blocks -= 1;
            }
        }
    });
    if io_failed {
        let seq = chain.last.map_or(0, |l| l.seq + 1);
        extra.push(Finding {
            code: Code::Io,
            seq,
            line: lines + 1,
        });
    }
    Ok(report(&mut chain, extra))
}

/// Read pieces into `block` up to `sizes.lines` lines or `sizes.bytes`; a read error ends
/// the file there (`io_failed`: reported as `E_IO` after what was read; the piece being
/// read is dropped).
fn fill_block(
    r: &mut impl BufRead,
    block: &mut Block,
    sizes: BlockSizes,
    eof: &mut bool,
    io_failed: &mut bool,
) {
    while !*eof && block.pieces.len() < sizes.lines && block.buf.len() < sizes.bytes {
        let start = block.buf.len();
        match read_piece_append(r, &mut block.buf) {
            Ok(_) if block.buf.len() == start => *eof = true,
            Ok(n) => block.pieces.push((start, block.buf.len(), n)),
            Err(_) => {
                block.buf.truncate(start);
                *eof = true;
                *io_failed = true;
            }
        }
    }
}

/// The per-line verdicts of consecutive pieces (as `super::chain::check_piece` gives them),
/// their signatures checked together.
fn check_slice<'a>(
    ck: &mut LineChecker,
    keys: &mut KeyFacts,
    mode: SigMode,
    pieces: impl Iterator<Item = &'a [u8]>,
) -> Verdicts {
    let prepared: Vec<Result<Prepared, Code>> = pieces
        .map(|p| match p.strip_suffix(b"\n") {
            Some(line) => ck.prepare(line),
            None => Err(Code::TornTail),
        })
        .collect();
    let jobs: Vec<&SigJob> = prepared
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|p| &p.sig))
        .collect();
    let mut ok = verify_all(&jobs, mode, keys).into_iter();
    prepared
        .into_iter()
        .map(|r| {
            r.and_then(|p| match ok.next() {
                Some(true) => Ok(p.good),
                _ => Err(Code::SigInvalid),
            })
        })
        .collect()
}

/// Longest piece kept of one line: anything longer fails framing whatever it holds.
const MAX_PIECE: usize = 64 * 1024;

/// The next line with its LF (or the final piece without), bounded so a file without LFs
/// cannot exhaust memory: an over-long line keeps its first 64 KiB (plus its LF) and the
/// rest is skipped up to the next LF, so it stays one line (one line number) and reading
/// resynchronises there. Returns the bytes consumed from the file.
pub fn read_piece(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<u64> {
    buf.clear();
    read_piece_append(r, buf)
}

/// [`read_piece`] appending the piece to `buf` (which keeps what it held): the default
/// mode reads a whole block into one buffer. On an error, bytes of the piece may have been
/// appended.
fn read_piece_append(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<u64> {
    let start = buf.len();
    let mut consumed = 0u64;
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(consumed);
        }
        let lf = memchr::memchr(b'\n', avail);
        let take = lf.map_or(avail.len(), |i| i + 1);
        let room = MAX_PIECE.saturating_sub(buf.len() - start);
        buf.extend_from_slice(&avail[..take.min(room)]);
        if lf.is_some() && take > room {
            buf.push(b'\n');
        }
        r.consume(take);
        consumed += take as u64;
        if lf.is_some() {
            return Ok(consumed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data` in small reads, then fails.
    struct Failing<'a> {
        data: &'a [u8],
        at: usize,
    }

    impl io::Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() {
                return Err(io::Error::other("device gone"));
            }
            let n = out.len().min(7).min(self.data.len() - self.at);
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// A read error part-way through a block: the whole lines before it are kept, the
    /// piece being read is dropped (the sequential path reports E_IO at its line too).
    #[test]
    fn read_error_keeps_whole_lines() {
        let data = b"first\nsecond\nthi";
        let mut r = BufReader::with_capacity(5, Failing { data, at: 0 });
        let mut b = Block::default();
        let (mut eof, mut failed) = (false, false);
        fill_block(&mut r, &mut b, BlockSizes::default(), &mut eof, &mut failed);
        assert!(eof && failed);
        assert_eq!(b.pieces.len(), 2);
        assert_eq!(
            (b.piece(0), b.piece(1)),
            (&b"first\n"[..], &b"second\n"[..])
        );
        assert_eq!(b.buf.len(), 13);
    }

    /// Block sizes stop a block at the line count or once the byte size is reached; an
    /// over-long line keeps its first 64 KiB and its LF but counts all the bytes it stood for.
    #[test]
    fn blocks_stop_at_their_sizes() {
        let long = [vec![b'x'; MAX_PIECE + 10], b"\n".to_vec()].concat();
        let data = [&b"a\nbb\n"[..], &long, b"c\nd"].concat();
        let mut r = BufReader::new(&data[..]);
        let (mut eof, mut failed) = (false, false);
        let mut sizes = BlockSizes {
            lines: 1,
            ..BlockSizes::default()
        };
        let mut b = Block::default();
        fill_block(&mut r, &mut b, sizes, &mut eof, &mut failed);
        assert_eq!((b.pieces.len(), b.piece(0)), (1, &b"a\n"[..]));
        sizes = BlockSizes {
            lines: 10,
            bytes: 4,
            chunk: 1,
        };
        let mut b = Block::default();
        fill_block(&mut r, &mut b, sizes, &mut eof, &mut failed);
        assert_eq!(b.pieces.len(), 2);
        assert_eq!(b.pieces[1].2, long.len() as u64);
        assert_eq!(b.piece(1).len(), MAX_PIECE + 1);
        let mut b = Block::default();
        fill_block(&mut r, &mut b, BlockSizes::default(), &mut eof, &mut failed);
        assert_eq!(b.pieces.len(), 2);
        assert_eq!(b.piece(1), b"d");
        assert!(eof && !failed);
    }
}
