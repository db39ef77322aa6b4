//! A cheap, quote-aware byte pre-scan of YAML text; serde_yaml never sees text it has not
//! passed (the fast reader, which expands nothing and bails on anchors, tags and deep
//! nesting, may run beside it).
//!
//! Why: libyaml expands aliases (billion laughs), accepts tags, anchors and several
//! documents, and only limits recursion at 128. This scan rejects those early with the
//! line and column, enforces the depth and scalar-size limits of SPEC §3.1 in one linear
//! pass, and records what the parallel splitter needs: which lines start inside a
//! multi-line scalar or flow collection (never a safe place to cut) and whether the file is
//! in the plain block layout at all.
//!
//! It follows YAML's token rules closely enough for real queue files; on anything unusual
//! (directives, `?` keys, tabs in indentation) it clears `simple`, and loading then uses
//! the single-threaded full parse.

use super::load::{MAX_DEPTH, MAX_SCALAR};

/// A limit or forbidden construct found by the scan; positions are 1-based (column in
/// characters, as libyaml counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardError {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The file is in the block layout the splitter understands.
    pub simple: bool,
    /// 1-based numbers of lines that begin inside a quoted or block scalar or a flow
    /// collection, ascending.
    pub unclean: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Seq,
    Map,
}

struct Quote {
    byte: u8,
    line: usize,
    col: usize,
    len: usize,
}

struct BlockScalar {
    parent: usize,
    line: usize,
    col: usize,
    len: usize,
}

struct Scanner<'a> {
    text: &'a str,
    line_no: usize,
    line_start: usize,
    quote: Option<Quote>,
    block: Option<BlockScalar>,
    flow: usize,
    stack: Vec<(usize, Container)>,
    seen_content: bool,
    seen_start_marker: bool,
    ended: bool,
    scan: Scan,
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Byte offset of the first character YAML does not allow in a stream (C0 controls other
/// than tab, LF and CR; DEL; C1 controls other than NEL; U+FFFE, U+FFFF).
/// With `strict` (the fast reader's subset) also tab, CR, BOM and the characters libyaml
/// reads as line breaks (NEL, U+2028, U+2029).
pub(crate) fn unprintable(b: &[u8], strict: bool) -> Option<usize> {
    // Fast path: 64-byte blocks of printable ASCII and newlines, checked without branches
    // so the compiler vectorizes it; look closer only at other blocks.
    let ok = |c: u8| (c.wrapping_sub(b' ') < 0x7F - b' ') | (c == b'\n');
    let mut i = 0;
    for block in b.chunks(64) {
        if !block.iter().fold(true, |all, &c| all & ok(c)) {
            for j in i..i + block.len() {
                match b[j] {
                    b'\n' | b' '..=b'~' => {}
                    b'\t' | b'\r' if !strict => {}
                    // CRLF is a line end the fast reader handles.
                    b'\r' if b.get(j + 1) == Some(&b'\n') => {}
                    0xC2 if strict && b.get(j + 1) == Some(&0x85) => return Some(j),
                    0xE2 if strict
                        && b.get(j + 1) == Some(&0x80)
                        && matches!(b.get(j + 2), Some(0xA8 | 0xA9)) =>
                    {
                        return Some(j);
                    }
                    0xEF if strict
                        && b.get(j + 1) == Some(&0xBB)
                        && b.get(j + 2) == Some(&0xBF) =>
                    {
                        return Some(j);
                    }
                    0xC2 if matches!(b.get(j + 1), Some(0x80..=0x84 | 0x86..=0x9F)) => {
                        return Some(j);
                    }
                    0xEF if b.get(j + 1) == Some(&0xBF)
                        && matches!(b.get(j + 2), Some(0xBE | 0xBF)) =>
                    {
                        return Some(j);
                    }
                    0x80.. => {}
                    _ => return Some(j),
                }
            }
        }
        i += block.len();
    }
    None
}

/// Scan `text`; `Err` names the first forbidden construct or exceeded limit.
pub(crate) fn scan(text: &str) -> Result<Scan, GuardError> {
    if let Some(i) = unprintable(text.as_bytes(), false) {
        let before = &text[..i];
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let c = text[i..].chars().next().unwrap_or('\0');
        return Err(GuardError {
            line: before.matches('\n').count() + 1,
            col: before[line_start..].chars().count() + 1,
            msg: format!(
                "control character U+{:04X} is not allowed in YAML text; remove it (free text may spell it as an escape in double quotes, e.g. \"\\u{:04X}\")",
                c as u32, c as u32
            ),
        });
    }
    let mut s = Scanner {
        text,
        line_no: 0,
        line_start: 0,
        quote: None,
        block: None,
        flow: 0,
        stack: Vec::new(),
        seen_content: false,
        seen_start_marker: false,
        ended: false,
        scan: Scan {
            simple: true,
            unclean: Vec::new(),
        },
    };
    let bytes = text.as_bytes();
    // Tabs are separators in some places and errors in others; a lone CR is a line break
    // to libyaml. Neither is worth splitting around.
    if memchr::memchr(b'\t', bytes).is_some()
        || memchr::memchr_iter(b'\r', bytes).any(|p| bytes.get(p + 1) != Some(&b'\n'))
    {
        s.scan.simple = false;
    }
    // libyaml also breaks lines at NEL, U+2028 and U+2029; the splitter counts only LF.
    let mut k = 0;
    while let Some(off) = memchr::memchr2(0xC2, 0xE2, &bytes[k..]) {
        let p = k + off;
        let rest = &bytes[p..];
        if rest.starts_with(&[0xC2, 0x85])
            || rest.starts_with(&[0xE2, 0x80, 0xA8])
            || rest.starts_with(&[0xE2, 0x80, 0xA9])
        {
            s.scan.simple = false;
            break;
        }
        k = p + 1;
    }
    let mut pos = 0;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let mut line = &bytes[pos..end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        s.line_no += 1;
        s.line_start = pos;
        s.line(line)?;
        pos = end + 1;
    }
    if let Some(q) = &s.quote {
        return Err(s.err_at(q.line, q.col, "a quoted string is never closed".into()));
    }
    Ok(s.scan)
}

impl Scanner<'_> {
    /// Column (1-based, in characters) of byte `i` of the current line.
    fn col_of(&self, i: usize) -> usize {
        let start = self.line_start;
        let end = (start + i).min(self.text.len());
        self.text.get(start..end).map_or(i, |p| p.chars().count()) + 1
    }

    fn err(&self, i: usize, msg: String) -> GuardError {
        GuardError {
            line: self.line_no,
            col: self.col_of(i),
            msg,
        }
    }

    fn err_at(&self, line: usize, col: usize, msg: String) -> GuardError {
        GuardError { line, col, msg }
    }

    fn too_long(&self, line: usize, col: usize) -> GuardError {
        self.err_at(
            line,
            col,
            format!(
                "a value longer than {} KiB starts here: a queue allows at most 64 KiB per value",
                MAX_SCALAR / 1024
            ),
        )
    }

    fn depth_check(&self, i: usize) -> Result<(), GuardError> {
        if self.stack.len() + self.flow > MAX_DEPTH {
            return Err(self.err(
                i,
                format!(
                    "nesting deeper than {MAX_DEPTH} levels: a queue file is at most {MAX_DEPTH} levels deep"
                ),
            ));
        }
        Ok(())
    }

    /// A block sequence entry or mapping key at byte column `col` of this line.
    fn container(&mut self, col: usize, kind: Container, i: usize) -> Result<(), GuardError> {
        while let Some(&(c, k)) = self.stack.last() {
            if c > col || (c == col && k != kind) {
                self.stack.pop();
            } else {
                break;
            }
        }
        if self.stack.last() != Some(&(col, kind)) {
            self.stack.push((col, kind));
            self.depth_check(i)?;
        }
        Ok(())
    }

    fn line(&mut self, line: &[u8]) -> Result<(), GuardError> {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        if let Some(b) = &mut self.block {
            if indent == line.len() || indent > b.parent {
                b.len += line.len().saturating_sub(b.parent + 1) + 1;
                if b.len > MAX_SCALAR {
                    let (l, c) = (b.line, b.col);
                    return Err(self.too_long(l, c));
                }
                self.scan.unclean.push(self.line_no);
                return Ok(());
            }
            self.block = None;
        }
        let clean = self.quote.is_none() && self.flow == 0;
        if !clean {
            self.scan.unclean.push(self.line_no);
        }
        let mut i = 0;
        if clean {
            let rest = &line[indent..];
            if rest.is_empty() || rest[0] == b'#' {
                return Ok(());
            }
            if rest[0] == b'\t' {
                self.scan.simple = false;
            }
            if indent == 0 {
                let marker = |m: &[u8]| line.starts_with(m) && (line.len() == 3 || is_ws(line[3]));
                if marker(b"---") {
                    if self.seen_content || self.seen_start_marker {
                        return Err(self.err(
                            0,
                            "a second YAML document starts here (`---`): a queue file holds exactly one document".into(),
                        ));
                    }
                    self.seen_start_marker = true;
                    self.scan.simple = false;
                    i = 3;
                } else if marker(b"...") {
                    self.ended = true;
                    self.scan.simple = false;
                    return Ok(());
                } else if line[0] == b'%' {
                    self.scan.simple = false;
                    return Ok(());
                }
            }
            if self.ended {
                return Err(self.err(
                    0,
                    "content after the end of the YAML document (`...`): a queue file holds exactly one document".into(),
                ));
            }
            i = i.max(indent);
        }
        self.tokens(line, i)
    }

    /// Tokenize the rest of a line from byte `i`.
    fn tokens(&mut self, line: &[u8], mut i: usize) -> Result<(), GuardError> {
        let n = line.len();
        let at = |j: usize| line.get(j).copied();
        let sep_after = |j: usize, flow: bool| match at(j + 1) {
            None => true,
            Some(b) => is_ws(b) || (flow && matches!(b, b',' | b']' | b'}')),
        };
        let mut node_start = true;
        // Column of the latest key or sequence dash: the parent indent of a block scalar.
        let mut parent = i;
        let mut last_node = i;
        while i < n {
            if let Some(q) = &mut self.quote {
                let mut j = i;
                let mut closed = false;
                while j < n {
                    let skip = if q.byte == b'"' {
                        memchr::memchr2(b'"', b'\\', &line[j..])
                    } else {
                        memchr::memchr(b'\'', &line[j..])
                    };
                    let Some(skip) = skip else {
                        j = n;
                        break;
                    };
                    j += skip;
                    let b = line[j];
                    if q.byte == b'"' && b == b'\\' {
                        j += 2;
                        continue;
                    }
                    if b == q.byte {
                        if q.byte == b'\'' && at(j + 1) == Some(b'\'') {
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    j += 1;
                }
                q.len += j.min(n) - i + 1;
                if q.len > MAX_SCALAR {
                    let (l, c) = (q.line, q.col);
                    return Err(self.too_long(l, c));
                }
                if !closed {
                    return Ok(());
                }
                self.quote = None;
                i = j + 1;
                node_start = false;
                continue;
            }
            let c = line[i];
            if is_ws(c) {
                i += 1;
                continue;
            }
            if c == b'#' && (i == 0 || is_ws(line[i - 1])) {
                return Ok(());
            }
            let flow = self.flow > 0;
            if !node_start {
                match c {
                    b':' if sep_after(i, flow) || flow => {
                        if !flow {
                            self.container(last_node, Container::Map, i)?;
                            parent = last_node;
                        }
                        node_start = true;
                        i += 1;
                        continue;
                    }
                    b',' if flow => {
                        node_start = true;
                        i += 1;
                        continue;
                    }
                    b']' | b'}' if flow => {
                        self.flow -= 1;
                        i += 1;
                        continue;
                    }
                    _ => {
                        // Something unusual after a value; let the parser judge it.
                        node_start = true;
                        continue;
                    }
                }
            }
            self.seen_content = true;
            match c {
                b'"' | b'\'' => {
                    self.quote = Some(Quote {
                        byte: c,
                        line: self.line_no,
                        col: self.col_of(i),
                        len: 0,
                    });
                    last_node = i;
                    i += 1;
                }
                b'&' => {
                    return Err(self.err(
                        i,
                        "a YAML anchor (`&`): anchors and aliases are not allowed in a queue file; write each value out".into(),
                    ));
                }
                b'*' => {
                    return Err(self.err(
                        i,
                        "a YAML alias (`*`): anchors and aliases are not allowed in a queue file; write each value out".into(),
                    ));
                }
                b'!' => {
                    return Err(self.err(
                        i,
                        "a YAML tag (`!`): tags are not allowed in a queue file; write the plain value".into(),
                    ));
                }
                b'|' | b'>' if !flow => {
                    self.block = Some(BlockScalar {
                        parent,
                        line: self.line_no,
                        col: self.col_of(i),
                        len: 0,
                    });
                    return Ok(());
                }
                b'[' | b'{' => {
                    self.flow += 1;
                    self.depth_check(i)?;
                    last_node = i;
                    i += 1;
                }
                b']' | b'}' if flow => {
                    self.flow -= 1;
                    node_start = false;
                    i += 1;
                }
                b',' if flow => {
                    i += 1;
                }
                b'-' if !flow && sep_after(i, false) => {
                    self.container(i, Container::Seq, i)?;
                    parent = i;
                    i += 1;
                }
                b'?' if sep_after(i, flow) => {
                    self.scan.simple = false;
                    i += 1;
                }
                b':' if sep_after(i, flow) => {
                    self.scan.simple = false;
                    i += 1;
                }
                _ => {
                    // A plain scalar: up to `: `, ` #`, the end of the line, or in flow
                    // context a flow indicator.
                    let start = i;
                    let mut j = i + 1;
                    if !flow {
                        // Block context: only `: ` and ` #` end it before the line does.
                        let mut k = j;
                        j = n;
                        while let Some(off) = memchr::memchr2(b':', b'#', &line[k..]) {
                            let p = k + off;
                            if (line[p] == b':' && sep_after(p, false))
                                || (line[p] == b'#' && is_ws(line[p - 1]))
                            {
                                j = p;
                                break;
                            }
                            k = p + 1;
                        }
                    } else {
                        while j < n {
                            let b = line[j];
                            if b == b':' && sep_after(j, true) {
                                break;
                            }
                            if b == b'#' && is_ws(line[j - 1]) {
                                break;
                            }
                            if matches!(b, b',' | b'[' | b']' | b'{' | b'}') {
                                break;
                            }
                            j += 1;
                        }
                    }
                    if j - start > MAX_SCALAR {
                        return Err(self.too_long(self.line_no, self.col_of(start)));
                    }
                    last_node = start;
                    node_start = false;
                    i = j;
                }
            }
        }
        Ok(())
    }
}

/// The JSON counterpart: nesting depth only (serde_json reports syntax; string sizes are
/// checked on the loaded queue). Quote-aware; positions 1-based.
pub(crate) fn json_depth(text: &str) -> Result<(), GuardError> {
    let b = text.as_bytes();
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    let (mut line, mut line_start) = (1usize, 0usize);
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let col = text.get(line_start..i).map_or(1, |p| p.chars().count() + 1);
                    return Err(GuardError {
                        line,
                        col,
                        msg: format!(
                            "nesting deeper than {MAX_DEPTH} levels: a queue file is at most {MAX_DEPTH} levels deep"
                        ),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
