//! `log verify` (docs/signed-log.md#verifying): stream a log through the chain, with the trusted signers and
//! anchors (checkpoints given, the data dir's head file), and report findings.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

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
/// tests/log_parallel.rs); only the time differs.
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

/// Lines read and checked together: memory stays bounded (at most this many lines, or
/// [`BLOCK_BYTES`]), and each thread gets enough signatures for a few batches.
const BLOCK: usize = 2048;
/// Bytes per block too: 2048 over-long lines of 64 KiB each would be 128 MiB.
const BLOCK_BYTES: usize = 8 << 20;

/// Pieces (a line with its LF) with the bytes each stands for in the file.
type Block = Vec<(Vec<u8>, u64)>;

/// Read blocks of lines; check each block's lines on `threads` threads (signatures as
/// `mode` says) while this thread feeds the previous block's verdicts to the chain in file
/// order and reads the next block (at most three blocks in memory).
///
/// The threads are a scoped split of each block into equal slices: the work per line is
/// nearly uniform, so work stealing (rayon) would buy nothing here for a dependency and a
/// global pool, and the split keeps each thread's signatures together for its batches.
pub fn verify_file_blocks(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
    mode: SigMode,
    each: &mut EachLine,
) -> Result<LogReport, VerifyIoError> {
    let threads = threads.max(1);
    let err = |e: io::Error| VerifyIoError(format!("{}: {e}", path.display()));
    let mut r = BufReader::with_capacity(256 * 1024, open_log(path).map_err(err)?);
    let mut first = Vec::with_capacity(4096);
    let first_len = read_piece(&mut r, &mut first).map_err(err)?;
    let id = peek_log_id(first.strip_suffix(b"\n").unwrap_or(&first));
    let mut extra = Vec::new();
    let anchors =
        anchors_for(id.as_deref(), Some(path), opts, &mut extra).map_err(VerifyIoError)?;
    let mut chain = Chain::new(Some(opts.trust.clone()), anchors);
    let mut checkers: Vec<(LineChecker, KeyFacts)> = (0..threads)
        .map(|_| (LineChecker::new(), KeyFacts::default()))
        .collect();
    let mut block: Block = Vec::with_capacity(BLOCK);
    if !first.is_empty() {
        block.push((first, first_len));
    }
    let (mut eof, mut io_failed) = (false, false);
    fill_block(&mut r, &mut block, &mut eof, &mut io_failed);
    let (mut off, mut lines) = (0u64, 0u64);
    // A checked block waiting to be fed to the chain.
    let mut checked: Option<(Block, Vec<Result<GoodLine, Code>>)> = None;
    loop {
        let mut feed = |pieces: Block, results: Vec<Result<GoodLine, Code>>| {
            for ((p, len), res) in pieces.iter().zip(results) {
                // Two `Arc` clones: the reader gets the parsed entry without a re-parse.
                let good = res.as_ref().ok().cloned();
                chain.feed_checked(p, off, res);
                off += len;
                lines += 1;
                each(lines, p, good.as_ref());
            }
        };
        if block.is_empty() {
            if let Some((p, res)) = checked.take() {
                feed(p, res);
            }
            break;
        }
        // The workers check this block while this thread feeds the previous one to the
        // chain (and to `each`) and reads the next.
        let per = block.len().div_ceil(threads).max(1);
        let prev = checked.take();
        let (results, next) = std::thread::scope(|sc| {
            let hs: Vec<_> = block
                .chunks(per)
                .zip(checkers.iter_mut())
                .map(|(chunk, (ck, keys))| sc.spawn(move || check_slice(ck, keys, mode, chunk)))
                .collect();
            if let Some((p, res)) = prev {
                feed(p, res);
            }
            let mut next = Vec::with_capacity(BLOCK);
            fill_block(&mut r, &mut next, &mut eof, &mut io_failed);
            let results: Vec<Result<GoodLine, Code>> = hs
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect();
            (results, next)
        });
        checked = Some((std::mem::replace(&mut block, next), results));
    }
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

/// Read pieces into `block` up to [`BLOCK`] lines or [`BLOCK_BYTES`]; a read error ends
/// the file there (`io_failed`: reported as `E_IO` after what was read).
fn fill_block(r: &mut impl BufRead, block: &mut Block, eof: &mut bool, io_failed: &mut bool) {
    let mut bytes: usize = block.iter().map(|(p, _)| p.len()).sum();
    while !*eof && block.len() < BLOCK && bytes < BLOCK_BYTES {
        let mut buf = Vec::with_capacity(1500);
        match read_piece(r, &mut buf) {
            Ok(_) if buf.is_empty() => *eof = true,
            Ok(n) => {
                bytes += buf.len();
                block.push((buf, n));
            }
            Err(_) => {
                *eof = true;
                *io_failed = true;
            }
        }
    }
}

/// The per-line verdicts of consecutive pieces (as `super::chain::check_piece` gives them),
/// their signatures checked together.
fn check_slice(
    ck: &mut LineChecker,
    keys: &mut KeyFacts,
    mode: SigMode,
    pieces: &[(Vec<u8>, u64)],
) -> Vec<Result<GoodLine, Code>> {
    let prepared: Vec<Result<Prepared, Code>> = pieces
        .iter()
        .map(|(p, _)| match p.strip_suffix(b"\n") {
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
    let mut consumed = 0u64;
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(consumed);
        }
        let lf = avail.iter().position(|&b| b == b'\n');
        let take = lf.map_or(avail.len(), |i| i + 1);
        let room = MAX_PIECE.saturating_sub(buf.len());
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
