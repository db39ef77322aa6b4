//! Parallel YAML parsing: cut the big top-level lists into item-aligned pieces and parse
//! them on all cores.
//!
//! Why: libyaml-based serde_yaml parses ~17 MB/s on one core; a 100,000-disclosure queue
//! is 20-35 MB and `evaluate` must finish in 1.5 s (SPEC §9). A queue file is almost always
//! one mapping whose `patients:`, `consents:`, `restrictions:` and `disclosures:` values are
//! block sequences, one `- ` item per entry at a fixed indentation. Those lists are cut at
//! item starts (`sections`), each piece is read as a root sequence by the fast reader
//! (`mini`) straight into model values, and the rest of the document (each cut list
//! written as `key: []` on its own line, so a duplicate key is still reported; blank lines
//! keep its line numbers) is read alongside.
//!
//! Safety: the guard scan runs as one more piece of work, in parallel. Its verdict comes
//! first (a refused file is refused whatever the pieces did), it must confirm that every
//! line the cuts relied on is a real line start (not inside a multi-line scalar or flow
//! collection), and only then may serde_yaml read pieces the fast reader gave up on.
//! Pieces report errors with line numbers moved back to the file's lines and paths moved
//! to the file's list index; the loader still re-parses the whole file on any error, so
//! the message the user sees never depends on this path.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::de::DeserializeOwned;

use super::guard::{GuardError, Scan};
use super::model::{Consent, Disclosure, Patient, Queue, Restriction};
use super::raw::{
    ModelVec, RawConsent, RawDisclosure, RawPatient, RawQueue, RawRestriction, YamlMode,
};

/// The largest piece of list text parsed at once.
const MAX_PIECE: usize = 4 << 20;

/// A parse error at a file position (1-based line and column, characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PosError {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Patients,
    Consents,
    Restrictions,
    Disclosures,
}

impl Key {
    fn parse(name: &[u8]) -> Option<Key> {
        Some(match name {
            b"patients" => Key::Patients,
            b"consents" => Key::Consents,
            b"restrictions" => Key::Restrictions,
            b"disclosures" => Key::Disclosures,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Key::Patients => "patients",
            Key::Consents => "consents",
            Key::Restrictions => "restrictions",
            Key::Disclosures => "disclosures",
        }
    }
}

/// One cut list: the `key:` line and its items' start offsets and lines.
struct Section {
    key: Key,
    /// Byte range of the `key:` line (without its newline).
    key_line: (usize, usize),
    /// (byte offset, 1-based line) of each item start.
    items: Vec<(usize, usize)>,
    /// Byte offset just past the list.
    end: usize,
    /// Line number of the first line past the list.
    end_line: usize,
}

struct Line<'a> {
    start: usize,
    /// Start of the next line.
    next: usize,
    no: usize,
    text: &'a [u8],
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut no = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        let mut t = &b[pos..end];
        if let [rest @ .., b'\r'] = t {
            t = rest;
        }
        no += 1;
        let l = Line {
            start: pos,
            next: (end + 1).min(b.len()),
            no,
            text: t,
        };
        pos = end + 1;
        Some(l)
    })
}

fn is_dash(rest: &[u8]) -> bool {
    rest.first() == Some(&b'-') && matches!(rest.get(1), None | Some(b' '))
}

/// `key:` alone on a line (trailing blanks allowed) with a splittable key.
fn list_key(line: &[u8]) -> Option<Key> {
    let colon = line.iter().position(|&b| b == b':')?;
    if !line[colon + 1..].iter().all(|&b| b == b' ') {
        return None;
    }
    Key::parse(&line[..colon])
}

/// Find the splittable lists, looking only at line starts. Returns the sections and
/// every line number the cut relied on (key lines, item starts, the line ending a list),
/// which the guard scan must later confirm are not inside a multi-line construct.
fn sections(text: &str) -> (Vec<Section>, Vec<usize>) {
    enum State {
        Head,
        /// After `key:`, waiting for the first item.
        Start(Key, (usize, usize), usize),
        In(usize),
    }
    let mut out: Vec<Section> = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    let mut seen: Vec<Key> = Vec::new();
    let mut state = State::Head;
    for l in lines(text) {
        let indent = l.text.iter().take_while(|&&b| b == b' ').count();
        let rest = &l.text[indent..];
        if rest.is_empty() || rest[0] == b'#' {
            continue;
        }
        loop {
            match state {
                State::Head => {
                    if indent == 0
                        && let Some(k) = list_key(l.text)
                        && !seen.contains(&k)
                    {
                        seen.push(k);
                        state = State::Start(k, (l.start, l.start + l.text.len()), l.no);
                    }
                }
                State::Start(key, key_line, key_no) => {
                    if is_dash(rest) {
                        used.extend([key_no, l.no]);
                        out.push(Section {
                            key,
                            key_line,
                            items: vec![(l.start, l.no)],
                            end: l.next,
                            end_line: l.no + 1,
                        });
                        state = State::In(indent);
                    } else {
                        // Not a block sequence (a mapping, a flow list, ...): leave it whole.
                        state = State::Head;
                        continue;
                    }
                }
                State::In(item_indent) => {
                    if indent > item_indent {
                        // Inside the current item.
                    } else if indent == item_indent && is_dash(rest) {
                        used.push(l.no);
                        let s = out.last_mut().expect("a section is open");
                        s.items.push((l.start, l.no));
                    } else {
                        used.push(l.no);
                        state = State::Head;
                        continue;
                    }
                }
            }
            break;
        }
        if let State::In(_) = state {
            let s = out.last_mut().expect("a section is open");
            (s.end, s.end_line) = (l.next, l.no + 1);
        }
    }
    (out, used)
}

/// The work: the guard scan, the head document, or one piece of a list.
enum Work<'a> {
    Guard,
    Head(String),
    Piece {
        key: Key,
        text: &'a str,
        /// Line of the piece's first line, minus one.
        line_offset: usize,
        /// List index of the piece's first item.
        first_index: usize,
    },
}

enum Done {
    Guard(Result<Scan, GuardError>),
    Head(Box<Queue>),
    Items(Items),
    /// Outside the fast reader's subset: serde_yaml reads it once the guard has passed.
    Bailed,
    Failed(PosError),
}

/// Model items of one piece, converted on the worker thread.
enum Items {
    Patients(Vec<Patient>),
    Consents(Vec<Consent>),
    Restrictions(Vec<Restriction>),
    Disclosures(Vec<Disclosure>),
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Patients(v) => v.len(),
            Items::Consents(v) => v.len(),
            Items::Restrictions(v) => v.len(),
            Items::Disclosures(v) => v.len(),
        }
    }
}

/// What the parallel path found.
pub(crate) enum Outcome {
    /// The queue, not yet validated.
    Parsed(Box<Queue>),
    /// The guard refused the text.
    Refused(GuardError),
    /// A piece failed to parse; the position is the file's.
    Failed(PosError),
    /// Not splittable, or the cuts were not safe: parse the whole text (the scan is
    /// passed on when it ran, so it need not run again).
    Whole(Option<Scan>),
}

/// Run `work` on up to `threads` threads (this one included); results in work order.
fn pool<W: Sync, R: Send>(work: &[W], threads: usize, f: impl Fn(&W) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(work.len()));
    let worker = || {
        let _yaml = YamlMode::on();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(w) = work.get(i) else { break };
            let r = f(w);
            results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, r));
        }
    };
    std::thread::scope(|sc| {
        for _ in 1..threads.min(work.len()) {
            // If the OS refuses a thread, this one does the work.
            if std::thread::Builder::new()
                .spawn_scoped(sc, worker)
                .is_err()
            {
                break;
            }
        }
        worker();
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Parse `text` in parallel pieces, with the guard scan running alongside as one more
/// piece of work. serde_yaml runs only after the guard passed, and only on pieces the
/// fast reader gave up on. `min_piece` is the smallest piece in bytes worth a thread.
pub(crate) fn parse(text: &str, threads: usize, min_piece: usize) -> Outcome {
    let (secs, used) = sections(text);
    if secs.is_empty() {
        return Outcome::Whole(None);
    }
    let listed: usize = secs.iter().map(|s| s.end - s.items[0].0).sum();
    let threads = threads.max(1);
    // A few pieces per thread so uneven pieces still balance; at most MAX_PIECE, so the
    // node trees held at once stay small whatever the file size.
    let target = (listed / (threads * 3))
        .clamp(min_piece.min(MAX_PIECE), MAX_PIECE)
        .max(1);

    let cut_lines: usize = secs.iter().map(|s| s.end_line - s.items[0].1).sum();
    let mut head = String::with_capacity(text.len() - listed + cut_lines + 64);
    let mut work: Vec<Work> = vec![Work::Guard];
    let mut at = 0;
    for s in &secs {
        head.push_str(&text[at..s.key_line.0]);
        head.push_str(s.key.name());
        head.push_str(": []");
        // The region between the key line and the first item (blank or comment lines).
        head.push_str(&text[s.key_line.1..s.items[0].0]);
        // Blank lines for the cut items keep the head's line numbers the file's.
        head.extend(std::iter::repeat_n('\n', s.end_line - s.items[0].1));
        at = s.end;
        let mut i = 0;
        while i < s.items.len() {
            let (start, line) = s.items[i];
            let mut j = i + 1;
            while j < s.items.len() && s.items[j].0 - start < target {
                j += 1;
            }
            let end = s.items.get(j).map_or(s.end, |it| it.0);
            work.push(Work::Piece {
                key: s.key,
                text: &text[start..end],
                line_offset: line - 1,
                first_index: i,
            });
            i = j;
        }
    }
    head.push_str(&text[at..]);
    work.insert(1, Work::Head(head));

    let mut done = pool(&work, threads, |w| run(text, w, true));
    let Done::Guard(scan) = std::mem::replace(&mut done[0], Done::Bailed) else {
        unreachable!("work item 0 is the guard")
    };
    let scan = match scan {
        Ok(scan) => scan,
        Err(g) => return Outcome::Refused(g),
    };
    // The cuts relied on these lines being real line starts, not lines inside a
    // multi-line scalar or flow collection.
    if !scan.simple || used.iter().any(|n| scan.unclean.binary_search(n).is_ok()) {
        return Outcome::Whole(Some(scan));
    }
    // The guard passed: serde_yaml may now read what the fast reader gave up on.
    let retry: Vec<usize> = (1..work.len())
        .filter(|&i| matches!(done[i], Done::Bailed))
        .collect();
    if !retry.is_empty() {
        let again = pool(&retry, threads, |&i| run(text, &work[i], false));
        for (i, d) in retry.into_iter().zip(again) {
            done[i] = d;
        }
    }
    // Report the error nearest the top of the file, as a single pass would find first.
    if let Some(e) = done
        .iter()
        .filter_map(|d| match d {
            Done::Failed(e) => Some(e),
            _ => None,
        })
        .min_by_key(|e| (e.line, e.col))
    {
        return Outcome::Failed(e.clone());
    }
    let mut it = done.into_iter().skip(1);
    let Some(Done::Head(mut q)) = it.next() else {
        unreachable!("work item 1 is the head and it did not fail")
    };
    let items: Vec<Items> = it
        .filter_map(|d| match d {
            Done::Items(items) => Some(items),
            _ => None,
        })
        .collect();
    let total = |f: fn(&Items) -> bool| items.iter().filter(|i| f(i)).map(Items::len).sum();
    q.patients
        .reserve(total(|i| matches!(i, Items::Patients(_))));
    q.consents
        .reserve(total(|i| matches!(i, Items::Consents(_))));
    q.restrictions
        .reserve(total(|i| matches!(i, Items::Restrictions(_))));
    q.disclosures
        .reserve(total(|i| matches!(i, Items::Disclosures(_))));
    for items in items {
        match items {
            Items::Patients(v) => q.patients.extend(v),
            Items::Consents(v) => q.consents.extend(v),
            Items::Restrictions(v) => q.restrictions.extend(v),
            Items::Disclosures(v) => q.disclosures.extend(v),
        }
    }
    Outcome::Parsed(q)
}

/// One piece of work. With `fast`, only the fast reader runs (`Bailed` when it gives
/// up); without, serde_yaml.
fn run(text: &str, w: &Work, fast: bool) -> Done {
    fn doc<T: DeserializeOwned>(
        text: &str,
        fast: bool,
        line_offset: usize,
        list: Option<(Key, usize)>,
    ) -> Result<T, Option<PosError>> {
        if fast {
            super::mini::from_str::<T>(text).ok_or(None)
        } else {
            serde_yaml::from_str::<T>(text).map_err(|e| Some(pos_error(&e, line_offset, list)))
        }
    }
    let r = match w {
        Work::Guard => return Done::Guard(super::guard::scan(text)),
        Work::Head(head) => {
            doc::<RawQueue>(head, fast, 0, None).map(|q| Done::Head(Box::new(q.into_model())))
        }
        Work::Piece {
            key,
            text,
            line_offset,
            first_index,
        } => {
            let list = Some((*key, *first_index));
            match key {
                Key::Patients => doc::<ModelVec<RawPatient>>(text, fast, *line_offset, list)
                    .map(|v| Items::Patients(v.0)),
                Key::Consents => doc::<ModelVec<RawConsent>>(text, fast, *line_offset, list)
                    .map(|v| Items::Consents(v.0)),
                Key::Restrictions => {
                    doc::<ModelVec<RawRestriction>>(text, fast, *line_offset, list)
                        .map(|v| Items::Restrictions(v.0))
                }
                Key::Disclosures => doc::<ModelVec<RawDisclosure>>(text, fast, *line_offset, list)
                    .map(|v| Items::Disclosures(v.0)),
            }
            .map(Done::Items)
        }
    };
    match r {
        Ok(d) => d,
        Err(None) => Done::Bailed,
        Err(Some(e)) => Done::Failed(e),
    }
}

/// Turn a serde_yaml error of a piece into a file position and message: every "line N"
/// moves down by `line_offset`, and a leading `[i]` path becomes `key[first + i]`.
pub(crate) fn pos_error(
    e: &serde_yaml::Error,
    line_offset: usize,
    list: Option<(Key, usize)>,
) -> PosError {
    let (line, col) = e
        .location()
        .map_or((1, 1), |l| (l.line() + line_offset, l.column()));
    let mut msg = e.to_string();
    if let Some(l) = e.location() {
        // Position suffix of serde's own messages; we print the position up front.
        let suffix = format!(" at line {} column {}", l.line(), l.column());
        if let Some(stripped) = msg.strip_suffix(&suffix) {
            msg = stripped.to_owned();
        }
    }
    if line_offset > 0 {
        msg = shift_lines(&msg, line_offset);
    }
    if let Some((key, first)) = list {
        if let Some(rest) = msg.strip_prefix(".[").or_else(|| msg.strip_prefix('['))
            && let Some((n, tail)) = rest.split_once(']')
            && let Ok(n) = n.parse::<usize>()
        {
            msg = format!("{}[{}]{tail}", key.name(), first + n);
        } else if !msg.starts_with(key.name()) {
            msg = format!("{}: {msg}", key.name());
        }
    }
    // serde_yaml asks for an enum tag when a list or mapping stands where one word belongs.
    let msg = msg.replace(
        "expected a YAML tag starting with '!'",
        "expected one of the allowed words, not a list or mapping",
    );
    PosError { line, col, msg }
}

/// The fast subset reader when it can, else serde_yaml (which then also words errors).
pub(crate) fn parse_doc<T: DeserializeOwned>(text: &str) -> Result<T, serde_yaml::Error> {
    match super::mini::from_str::<T>(text) {
        Some(v) => Ok(v),
        None => serde_yaml::from_str::<T>(text),
    }
}

fn shift_lines(msg: &str, offset: usize) -> String {
    let mut out = String::with_capacity(msg.len() + 8);
    let mut rest = msg;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}
