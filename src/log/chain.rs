//! The chain state machine shared by `log verify` and the appender: feed it the lines of a
//! log (from the start, or resumed after a known-good entry) and it reports every finding
//! of docs/signed-log.md#verifying that the lines themselves can show, plus where a torn tail begins.

use sha2::{Digest, Sha256};

use super::entry::{Body, LogKind};
use super::findings::{Code, Finding};
use super::line::{GoodLine, LineChecker};
use super::trust::Trust;

/// A time regression up to this much is a warning (clock skew), more is an error.
pub const SKEW_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// Fragments kept in memory to check a following `tail_recovery` (bigger ones cannot be sealed).
const MAX_PENDING: usize = 1 << 20;

/// The last good entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Last {
    pub seq: u64,
    pub hash: [u8; 32],
    pub ts_ms: i64,
}

/// A trusted statement "entry `seq` has line hash `hash`" (checkpoint or head file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub hash: [u8; 32],
    pub checkpoint: bool,
    matched: Option<bool>,
}

impl Anchor {
    pub fn new(seq: u64, hash: [u8; 32], checkpoint: bool) -> Anchor {
        Anchor {
            seq,
            hash,
            checkpoint,
            matched: None,
        }
    }
}

#[derive(Clone)]
struct Pending {
    start: u64,
    bytes: Vec<u8>,
    overflow: bool,
    /// Line number, per-line verdict and length (LF included) of each piece.
    lines: Vec<(u64, Code, usize)>,
}

impl Pending {
    /// A torn fragment (docs/signed-log.md): a strict prefix of a framed line, optionally followed
    /// by the LF an append writes first and strict prefixes of `tail_recovery` lines (one
    /// per interrupted sealing append). Nothing complete, nothing else, at most 1 MiB.
    fn is_torn(&self) -> bool {
        if self.overflow || self.lines.is_empty() {
            return false;
        }
        let mut at = 0;
        for (i, &(_, _, len)) in self.lines.iter().enumerate() {
            let piece = &self.bytes[at..at + len];
            at += len;
            let text = piece.strip_suffix(b"\n").unwrap_or(piece);
            let ok = if i == 0 {
                is_frame_prefix(text)
            } else {
                is_recovery_prefix(text)
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

/// A strict prefix of a framed line `{"e":{…},"sig":"…"}` (never the whole of one).
pub fn is_frame_prefix(text: &[u8]) -> bool {
    const PREFIX: &[u8] = b"{\"e\":{";
    !text.is_empty()
        && (PREFIX.starts_with(text)
            || text.starts_with(PREFIX) && super::line::split(text) == Err(Code::TornMiddle))
}

/// A strict prefix of a `tail_recovery` line (canonical key order puts `key` first; a
/// `type` that is there names `tail_recovery`).
fn is_recovery_prefix(text: &[u8]) -> bool {
    const START: &[u8] = b"{\"e\":{\"key\":\"";
    const TYPE: &[u8] = b"\"type\":\"";
    const WANT: &[u8] = b"tail_recovery\"";
    if !(START.starts_with(text) || text.starts_with(START)) || !is_frame_prefix(text) {
        return false;
    }
    match text.windows(TYPE.len()).position(|w| w == TYPE) {
        None => true,
        Some(i) => {
            let rest = &text[i + TYPE.len()..];
            WANT.starts_with(rest) || rest.starts_with(WANT)
        }
    }
}

/// Where a torn tail starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// The per-line verdict of one piece as read (a piece without LF is a torn tail).
pub fn check_piece(checker: &mut LineChecker, raw: &[u8]) -> Result<GoodLine, Code> {
    match raw.strip_suffix(b"\n") {
        Some(line) => checker.check(line),
        None => Err(Code::TornTail),
    }
}

#[derive(Clone)]
pub struct Chain {
    pub checker: LineChecker,
    trust: Option<Trust>,
    pub log_id: Option<String>,
    pub kind: Option<LogKind>,
    pub last: Option<Last>,
    /// Bytes after the last good entry (end offset of the last good line, LF included).
    pub good_end: u64,
    pending: Option<Pending>,
    pub findings: Vec<Finding>,
    line_no: u64,
    anchors: Vec<Anchor>,
    max_checkpoint_seq: Option<u64>,
    first_unanchored_line: Option<u64>,
    /// When set, every good entry with its line hash is kept (the reader for the TUI).
    pub collect: Option<Vec<(super::entry::Entry, [u8; 32])>>,
    /// Distinct public keys of the good entries (the `signers=` of `log verify`).
    pub signers: std::collections::HashSet<[u8; 32]>,
    /// After `finish`: some anchor matched.
    pub anchored: bool,
}

impl Chain {
    /// Verify from the first line. `trust: None` checks self-consistency only (the appender).
    pub fn new(trust: Option<Trust>, anchors: Vec<Anchor>) -> Chain {
        let max_checkpoint_seq = anchors.iter().filter(|a| a.checkpoint).map(|a| a.seq).max();
        Chain {
            checker: LineChecker::new(),
            trust,
            log_id: None,
            kind: None,
            last: None,
            good_end: 0,
            pending: None,
            findings: Vec::new(),
            line_no: 0,
            anchors,
            max_checkpoint_seq,
            first_unanchored_line: None,
            collect: None,
            signers: Default::default(),
            anchored: false,
        }
    }

    /// Continue after a known-good entry ending at `good_end` (the appender's tail check).
    pub fn resume(log_id: String, kind: LogKind, last: Last, good_end: u64, line_no: u64) -> Chain {
        let mut c = Chain::new(None, Vec::new());
        c.log_id = Some(log_id);
        c.kind = Some(kind);
        c.last = Some(last);
        c.good_end = good_end;
        c.line_no = line_no;
        c
    }

    fn push(&mut self, code: Code, seq: u64, line: u64) {
        self.findings.push(Finding { code, seq, line });
    }

    fn expected_seq(&self) -> u64 {
        self.last.map_or(0, |l| l.seq + 1)
    }

    /// One line as read: with its LF, or without at the end of the file.
    pub fn feed(&mut self, raw: &[u8], offset: u64) {
        let result = check_piece(&mut self.checker, raw);
        self.feed_checked(raw, offset, result);
    }

    /// [`Chain::feed`] with the per-line verdict computed elsewhere (by [`check_piece`],
    /// e.g. on another thread): the chain logic itself always runs in order.
    pub fn feed_checked(&mut self, raw: &[u8], offset: u64, result: Result<GoodLine, Code>) {
        self.line_no += 1;
        match result {
            Ok(good) => self.accept(good, offset, raw.len() as u64),
            Err(code) => {
                let line_no = self.line_no;
                let p = self.pending.get_or_insert_with(|| Pending {
                    start: offset,
                    bytes: Vec::new(),
                    overflow: false,
                    lines: Vec::new(),
                });
                if p.bytes.len() + raw.len() <= MAX_PENDING && !p.overflow {
                    p.bytes.extend_from_slice(raw);
                    p.lines.push((line_no, code, raw.len()));
                } else {
                    p.overflow = true;
                    p.lines.push((line_no, code, 0));
                }
            }
        }
    }

    fn accept(&mut self, good: GoodLine, offset: u64, len: u64) {
        let line = self.line_no;
        let e = &good.entry;
        let seq = e.seq;
        let is_recovery = matches!(e.body, Body::TailRecovery { .. });
        match self.pending.take() {
            Some(p) => {
                let sealed = match &e.body {
                    Body::TailRecovery {
                        torn_off,
                        torn_len,
                        torn_sha256,
                    } => {
                        p.is_torn()
                            && *torn_off == p.start
                            && (*torn_len == p.bytes.len() as u64
                                || *torn_len + 1 == p.bytes.len() as u64)
                            && data_encoding::HEXLOWER
                                .encode(&Sha256::digest(&p.bytes[..*torn_len as usize]))
                                == *torn_sha256
                    }
                    _ => false,
                };
                if !sealed {
                    let exp = self.expected_seq();
                    for (l, code, _) in p.lines {
                        let code = if code == Code::TornTail {
                            Code::TornMiddle
                        } else {
                            code
                        };
                        self.push(code, exp, l);
                    }
                    if is_recovery {
                        self.push(Code::RecoveryInvalid, seq, line);
                    }
                }
            }
            None if is_recovery => self.push(Code::RecoveryInvalid, seq, line),
            None => {}
        }
        match &self.log_id {
            None => self.log_id = Some(e.log.clone()),
            Some(id) if *id != e.log => self.push(Code::LogMismatch, seq, line),
            Some(_) => {}
        }
        if let Body::Genesis { log_kind, .. } = e.body
            && self.kind.is_none()
        {
            self.kind = Some(log_kind);
        }
        let kind_ok = match (&e.body, self.kind) {
            (Body::Decision(_), Some(LogKind::Training)) => false,
            (Body::TrainingCompletion(_), Some(k)) => k == LogKind::Training,
            (Body::Incident(_), Some(LogKind::Training)) => false,
            _ => true,
        };
        if !kind_ok {
            self.push(Code::Schema, seq, line);
        }
        let expected = self.expected_seq();
        if seq != expected {
            let code = match self.last {
                Some(l) if seq == l.seq => Code::SeqDup,
                _ if seq < expected => Code::SeqOrder,
                _ => Code::SeqGap,
            };
            self.push(code, seq, line);
        }
        let want_prev = self.last.map(|l| l.hash).unwrap_or([0; 32]);
        if want_prev != good.prev {
            self.push(Code::PrevMismatch, seq, line);
        }
        if let Some(t) = &self.trust {
            let ts = Some(good.ts_ms);
            if let Err(code) = t.check(
                &e.reviewer,
                &good.blob.public_key,
                super::NS_DECISION,
                ts,
                self.kind,
            ) {
                self.push(code, seq, line);
            }
        }
        let ts_ms = good.ts_ms;
        if let Some(l) = self.last
            && ts_ms < l.ts_ms
        {
            let code = if l.ts_ms - ts_ms > SKEW_TOLERANCE_MS {
                Code::TimeRegression
            } else {
                Code::TimeSkew
            };
            self.push(code, seq, line);
        }
        for a in &mut self.anchors {
            if a.seq == seq && a.matched.is_none() {
                a.matched = Some(a.hash == good.hash);
            }
        }
        if let Some(m) = self.max_checkpoint_seq
            && seq == m + 1
            && self.first_unanchored_line.is_none()
        {
            self.first_unanchored_line = Some(line);
        }
        if let Some(c) = self.collect.as_mut() {
            c.push(((*good.entry).clone(), good.hash));
        }
        self.signers.insert(good.blob.public_key);
        self.last = Some(Last {
            seq,
            hash: good.hash,
            ts_ms,
        });
        self.good_end = offset + len;
    }

    /// End of input: classify the tail and check anchors. Returns the torn tail, if any.
    pub fn finish(&mut self) -> Option<TornTail> {
        let exp = self.expected_seq();
        let torn = match self.pending.take() {
            Some(p) if p.is_torn() || self.complete_without_lf(&p) => {
                self.push(Code::TornTail, exp, p.lines[0].0);
                Some(TornTail {
                    offset: p.start,
                    bytes: p.bytes,
                })
            }
            // Anything else at the end is damage, not a crash: each line's own code.
            Some(p) => {
                let mut at = 0;
                for &(l, code, len) in &p.lines {
                    let code = match code {
                        Code::TornTail if len > 0 => self.unterminated_code(&p.bytes[at..at + len]),
                        Code::TornTail => Code::Framing,
                        c => c,
                    };
                    at += len;
                    self.push(code, exp, l);
                }
                None
            }
            None => None,
        };
        let anchors = std::mem::take(&mut self.anchors);
        self.anchored = anchors.iter().any(|a| a.matched == Some(true));
        for a in &anchors {
            match a.matched {
                None => self.push(Code::Truncated, a.seq, self.line_no.max(1)),
                Some(false) => self.push(Code::Fork, a.seq, self.line_no.max(1)),
                Some(true) => {}
            }
        }
        if let (Some(m), Some(l)) = (self.max_checkpoint_seq, self.last)
            && l.seq > m
            && anchors.iter().all(|a| a.matched.is_some())
        {
            self.push(
                Code::UnanchoredTail,
                m + 1,
                self.first_unanchored_line.unwrap_or(1),
            );
        }
        torn
    }

    /// The final piece is one whole valid entry that chains on and lacks only its LF (a
    /// crash right before the last byte): the appender completes it with that LF.
    fn complete_without_lf(&mut self, p: &Pending) -> bool {
        if p.lines.len() != 1 || p.overflow || p.bytes.last() == Some(&b'\n') {
            return false;
        }
        let Ok(good) = self.checker.check(&p.bytes) else {
            return false;
        };
        Some(&good.entry.log) == self.log_id.as_ref()
            && good.entry.seq == self.expected_seq()
            && self.last.map(|l| l.hash).unwrap_or([0; 32]) == good.prev
    }

    /// The code of a final line without LF that is not a torn fragment.
    fn unterminated_code(&mut self, text: &[u8]) -> Code {
        match self.checker.check(text) {
            Err(Code::TornMiddle) => Code::TornMiddle,
            Err(c) => c,
            Ok(g) if Some(&g.entry.log) != self.log_id.as_ref() => Code::LogMismatch,
            Ok(g) if g.entry.seq != self.expected_seq() => Code::SeqGap,
            Ok(_) => Code::PrevMismatch,
        }
    }

    /// Same state apart from findings (and the checker): fed the same remaining input,
    /// both chains add the same findings from here on.
    pub fn same_state(&self, o: &Chain) -> bool {
        self.log_id == o.log_id
            && self.kind == o.kind
            && self.last == o.last
            && self.good_end == o.good_end
            && self.pending.is_none()
            && o.pending.is_none()
            && self.line_no == o.line_no
            && self.anchors == o.anchors
            && self.max_checkpoint_seq == o.max_checkpoint_seq
            && self.first_unanchored_line == o.first_unanchored_line
            && self.collect.is_none()
            && o.collect.is_none()
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.code.is_error())
    }
}
