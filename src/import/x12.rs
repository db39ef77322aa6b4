//! A small X12 tokenizer: separators from each ISA, segments as byte slices, positions for
//! error messages.
//!
//! Why purpose-built and not a crate (evaluated on crates.io): `x12-types` 0.12 is
//! maintained but maps whole transaction sets onto typed structs, so a file that strays from
//! the TR3 loop layout (several public fixtures do) does not map at all, and it reports no
//! segment positions; `edi` 0.4 declares no licence; `x12` 0.1 is a single early release.
//! Import only needs a dozen segments, must survive odd separators, bare CR terminators, a
//! BOM, wrapped lines and several interchanges per file, must name the segment of every
//! error, and must stay fast on 100,000-claim files. It never allocates per segment:
//! elements are slices of the input.

use std::fmt;

/// The four delimiters of one interchange, read from its ISA segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    /// Byte 4 of ISA.
    pub element: u8,
    /// ISA16.
    pub component: u8,
    /// ISA11 in 5010 and later; `None` when ISA11 is the 4010 standards id (`U`).
    pub repetition: Option<u8>,
    /// The byte right after ISA16.
    pub segment: u8,
}

/// Where a segment sits in its file: 1-based segment number (counted over the whole file)
/// and byte offset of its first byte. The line is computed only when an error is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub segment: usize,
    pub offset: usize,
}

/// A tokenizer error: what is wrong, where, and which segment id (never element values,
/// which may be PHI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub segment: Option<usize>,
    pub line: Option<usize>,
    pub segment_id: Option<String>,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.segment, self.line) {
            (Some(s), Some(l)) => write!(f, "segment {s} (line {l}")?,
            (Some(s), None) => write!(f, "segment {s} (")?,
            (None, Some(l)) => write!(f, "line {l} (")?,
            (None, None) => return f.write_str(&self.message),
        }
        if let Some(id) = &self.segment_id {
            write!(f, ", {id}")?;
        }
        write!(f, "): {}", self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// One segment: its id and its elements (element 1 is `elements[1]`; `elements[0]` is the id).
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a, 'b> {
    pub elements: &'b [&'a [u8]],
    pub pos: Position,
    pub seps: Separators,
}

impl<'a> Segment<'a, '_> {
    pub fn id(&self) -> &'a [u8] {
        self.elements[0]
    }

    /// Element `n` (1-based, as in `CLM01`), empty when absent.
    pub fn el(&self, n: usize) -> &'a [u8] {
        self.elements.get(n).copied().unwrap_or(b"")
    }

    /// Component `c` (1-based) of element `n`, empty when absent.
    pub fn comp(&self, n: usize, c: usize) -> &'a [u8] {
        component(self.el(n), self.seps.component, c)
    }
}

/// Component `c` (1-based) of an element.
pub fn component(el: &[u8], sep: u8, c: usize) -> &[u8] {
    el.split(|&b| b == sep).nth(c - 1).unwrap_or(b"")
}

/// Byte offsets in ISA where the element separator must appear (the ISA is fixed-length:
/// 106 bytes including the terminator).
const ISA_SEPARATOR_OFFSETS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];
const ISA_LEN: usize = 106;

/// Iterates the segments of a whole file (one or more interchanges).
pub struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    seg_no: usize,
    seps: Option<Separators>,
    /// The segment number and offset of the open ISA, for "no IEA" messages.
    open_isa: Option<Position>,
    /// False when the input is an unwrapped copy (see [`unwrap_lines`]): its line numbers
    /// would not be the file's.
    show_lines: bool,
}

impl<'a> Reader<'a> {
    /// Checks the encoding and the first ISA; errors name what the file is instead.
    pub fn new(input: &'a [u8]) -> Result<Reader<'a>, SyntaxError> {
        let plain = |m: String| SyntaxError {
            segment: None,
            line: None,
            segment_id: None,
            message: m,
        };
        if input.starts_with(&[0xFF, 0xFE]) || input.starts_with(&[0xFE, 0xFF]) {
            return Err(plain(
                "the file is UTF-16 text, not X12: convert it to ASCII/UTF-8 first (e.g. `iconv -f UTF-16 -t UTF-8`)".into(),
            ));
        }
        let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        if body.iter().take(64).any(|&b| b == 0) {
            return Err(plain(
                "the file holds NUL bytes (UTF-16 or binary), not X12 text: convert it to ASCII/UTF-8 first".into(),
            ));
        }
        let start = input.len() - body.len() + leading_ws(body);
        if input.len() == start {
            return Err(plain("the file is empty: no ISA segment".into()));
        }
        if !input[start..].starts_with(b"ISA") {
            let shown: String = String::from_utf8_lossy(&input[start..input.len().min(start + 3)])
                .chars()
                .collect();
            return Err(SyntaxError {
                segment: Some(1),
                line: Some(1 + input[..start].iter().filter(|&&b| b == b'\n').count()),
                segment_id: Some(shown_id(leading_id(&input[start..], b'*'))),
                message: format!(
                    "not an X12 interchange: the file must start with an ISA segment, found {:?}",
                    crate::text::escape(&shown)
                ),
            });
        }
        Ok(Reader {
            input,
            pos: start,
            seg_no: 0,
            seps: None,
            open_isa: None,
            show_lines: true,
        })
    }

    /// A reader over an unwrapped copy of a file: messages give segment numbers only.
    pub fn without_line_numbers(mut self) -> Self {
        self.show_lines = false;
        self
    }

    /// 1-based line of a byte offset (for messages).
    pub fn line_of(&self, offset: usize) -> usize {
        1 + memchr::memchr_iter(b'\n', &self.input[..offset.min(self.input.len())]).count()
            + if self.seps.is_some_and(|s| s.segment == b'\r') {
                memchr::memchr_iter(b'\r', &self.input[..offset.min(self.input.len())])
                    .filter(|&i| self.input.get(i + 1) != Some(&b'\n'))
                    .count()
            } else {
                0
            }
    }

    pub fn error_at(&self, pos: Position, id: &[u8], message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            segment: Some(pos.segment),
            line: self.show_lines.then(|| self.line_of(pos.offset)),
            segment_id: Some(shown_id(id)),
            message: message.into(),
        }
    }

    /// The next segment, with its elements split into `buf` (cleared first). `Ok(None)` at a
    /// clean end of file (after an IEA).
    pub fn next_segment<'b>(
        &mut self,
        buf: &'b mut Vec<&'a [u8]>,
    ) -> Result<Option<Segment<'a, 'b>>, SyntaxError> {
        buf.clear();
        let input = self.input;
        self.pos += leading_ws(&input[self.pos..]);
        // After the last IEA, DOS end-of-file marks (^Z) and NUL padding of fixed-block
        // transfers are not data.
        if self.open_isa.is_none()
            && input[self.pos..]
                .iter()
                .all(|&b| matches!(b, 0 | 0x1A | b'\r' | b'\n' | b' ' | b'\t'))
        {
            self.pos = input.len();
        }
        if self.pos >= input.len() {
            if let Some(isa) = self.open_isa {
                return Err(self.error_at(
                    Position {
                        segment: self.seg_no,
                        offset: input.len(),
                    },
                    b"",
                    format!(
                        "truncated file: the interchange opened by the ISA at segment {} has no IEA; the file ends after segment {}",
                        isa.segment, self.seg_no
                    ),
                ));
            }
            return Ok(None);
        }
        let offset = self.pos;
        self.seg_no += 1;
        let pos = Position {
            segment: self.seg_no,
            offset,
        };
        let seps = match self.seps {
            Some(s) if self.open_isa.is_some() => s,
            _ => {
                // Between interchanges: only an ISA may come next.
                if !input[offset..].starts_with(b"ISA") {
                    return Err(self.error_at(
                        pos,
                        b"",
                        "data after the end of an interchange (IEA): only a new ISA may follow",
                    ));
                }
                let s = self.read_isa(pos)?;
                self.seps = Some(s);
                self.open_isa = Some(pos);
                s
            }
        };
        let rest = &input[offset..];
        let Some(end) = memchr::memchr(seps.segment, rest) else {
            return Err(self.error_at(
                pos,
                leading_id(rest, seps.element),
                "truncated file: the last segment has no segment terminator",
            ));
        };
        let body = &rest[..end];
        self.pos = offset + end + 1;
        buf.extend(body.split(|&b| b == seps.element));
        let id = buf[0];
        if !valid_segment_id(id) {
            return Err(self.error_at(
                pos,
                id,
                "invalid segment identifier (2-3 upper-case letters or digits expected): the file is damaged or not X12",
            ));
        }
        if id == b"IEA" {
            self.open_isa = None;
        } else if id == b"ISA" && offset != self.open_isa.map_or(usize::MAX, |p| p.offset) {
            return Err(self.error_at(
                pos,
                id,
                "an ISA inside an open interchange (the previous one has no IEA): the file is damaged",
            ));
        }
        Ok(Some(Segment {
            elements: buf,
            pos,
            seps,
        }))
    }

    /// Reads the fixed-length ISA at `pos` and returns its separators.
    fn read_isa(&self, pos: Position) -> Result<Separators, SyntaxError> {
        let isa = &self.input[pos.offset..];
        if isa.len() < ISA_LEN {
            return Err(self.error_at(
                pos,
                b"ISA",
                format!(
                    "truncated file: the ISA segment is {} bytes, an ISA is always {ISA_LEN} bytes including its terminator",
                    isa.len()
                ),
            ));
        }
        let element = isa[3];
        for (n, &at) in ISA_SEPARATOR_OFFSETS.iter().enumerate() {
            if isa[at] != element {
                let got = isa[..ISA_LEN]
                    .iter()
                    .enumerate()
                    .skip(4)
                    .filter(|&(_, &b)| b == element)
                    .map(|(i, _)| i)
                    .nth(n.saturating_sub(1));
                return Err(self.error_at(
                    pos,
                    b"ISA",
                    format!(
                        "malformed ISA: element ISA{:02} must end at byte {} (ISA is fixed-length, its elements padded with spaces){}; fix the interchange header",
                        n,
                        at + 1,
                        match got {
                            Some(g) if n > 0 => format!(", it ends at byte {}", g + 1),
                            _ => String::new(),
                        }
                    ),
                ));
            }
        }
        let component = isa[104];
        let segment = isa[105];
        let rep = isa[82];
        let repetition = (!rep.is_ascii_alphanumeric() && rep != b' ').then_some(rep);
        let mut all = vec![element, component, segment];
        all.extend(repetition);
        let distinct = {
            let mut s = all.clone();
            s.sort_unstable();
            s.dedup();
            s.len() == all.len()
        };
        if !distinct || all.iter().any(|b| b.is_ascii_alphanumeric() || *b == b' ') {
            return Err(self.error_at(
                pos,
                b"ISA",
                "malformed ISA: the element separator, component separator (ISA16), repetition separator (ISA11) and segment terminator must be distinct non-alphanumeric characters",
            ));
        }
        Ok(Separators {
            element,
            component,
            repetition,
            segment,
        })
    }
}

/// Some systems wrap X12 at a fixed width (80 columns is common), putting CR/LF inside
/// segments. When the segment terminator is not itself CR or LF, such line breaks can only
/// be layout: returns the file without them, or `None` when no line break sits inside a
/// segment (the usual case; no copy is made).
pub fn unwrap_lines(input: &[u8]) -> Option<Vec<u8>> {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let body = &body[leading_ws(body)..];
    if !body.starts_with(b"ISA") {
        return None;
    }
    let is_break = |b: &u8| *b == b'\r' || *b == b'\n';
    let raw_isa = &body[..body.len().min(ISA_LEN - 1)];
    let term = if raw_isa.iter().any(is_break) {
        // The ISA itself is wrapped: its terminator is the 106th byte that is not a break.
        *body.iter().filter(|b| !is_break(b)).nth(ISA_LEN - 1)?
    } else {
        *body.get(ISA_LEN - 1)?
    };
    if term == b'\r' || term == b'\n' {
        return None;
    }
    let wrapped = memchr::memchr2_iter(b'\r', b'\n', body).any(|i| {
        let before = body[..i].iter().rev().find(|&&b| b != b'\r' && b != b'\n');
        before.is_some_and(|&b| b != term)
    });
    wrapped.then(|| {
        input
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect()
    })
}

/// CR, LF (and, between segments, spaces and tabs) are layout, not data.
fn leading_ws(s: &[u8]) -> usize {
    s.iter()
        .take_while(|&&b| matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
        .count()
}

fn leading_id(s: &[u8], element: u8) -> &[u8] {
    let end = s
        .iter()
        .position(|&b| b == element || b == b'\r' || b == b'\n')
        .unwrap_or(s.len())
        .min(3);
    &s[..end]
}

fn valid_segment_id(id: &[u8]) -> bool {
    (2..=3).contains(&id.len())
        && id[0].is_ascii_uppercase()
        && id
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A segment id as shown in messages: escaped, at most 8 characters.
fn shown_id(id: &[u8]) -> String {
    let s = String::from_utf8_lossy(&id[..id.len().min(8)]).into_owned();
    if s.is_empty() {
        "no segment id".to_owned()
    } else {
        crate::text::escape(&s).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isa(el: char, rep: char, comp: char, term: char) -> String {
        let s = format!(
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*{rep}*00501*000000001*0*P*{comp}{term}"
        );
        s.replace('*', &el.to_string())
    }

    fn ids(input: &[u8]) -> Result<Vec<String>, SyntaxError> {
        let mut r = Reader::new(input)?;
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(s) = r.next_segment(&mut buf)? {
            out.push(String::from_utf8_lossy(s.id()).into_owned());
        }
        Ok(out)
    }

    #[test]
    fn isa_is_106_bytes() {
        assert_eq!(isa('*', '^', ':', '~').len(), ISA_LEN);
    }

    #[test]
    fn reads_separators_and_segments() {
        let text = format!(
            "{}\r\nGS*HC~\r\nGE*1*1~IEA*1*000000001~\n",
            isa('*', '^', ':', '~')
        );
        assert_eq!(ids(text.as_bytes()).unwrap(), ["ISA", "GS", "GE", "IEA"]);
        let padded = format!("{text}\u{1a}\0\0\0");
        assert_eq!(ids(padded.as_bytes()).unwrap(), ["ISA", "GS", "GE", "IEA"]);
        let garbage = format!("{text}junk~");
        let e = ids(garbage.as_bytes()).unwrap_err();
        assert!(e.message.contains("after the end"), "{e}");
        let odd = format!("{}GS|HC_GE|1|1_IEA|1|1_", isa('|', 'U', '^', '_'));
        assert_eq!(ids(odd.as_bytes()).unwrap(), ["ISA", "GS", "GE", "IEA"]);
        let cr = format!("{}\rGS*HC\rIEA*1*1\r", isa('*', '^', ':', '\r'));
        assert_eq!(ids(cr.as_bytes()).unwrap(), ["ISA", "GS", "IEA"]);
    }

    #[test]
    fn wrapped_files_are_unwrapped() {
        let flat = format!(
            "{}GS*HC*SENDER~\nGE*1*1~\nIEA*1*1~\n",
            isa('*', '^', ':', '~')
        );
        assert_eq!(
            unwrap_lines(flat.as_bytes()),
            None,
            "breaks after terminators only"
        );
        let wrapped: String = flat
            .replace('\n', "")
            .as_bytes()
            .chunks(80)
            .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
            .collect();
        let un = unwrap_lines(wrapped.as_bytes()).unwrap();
        assert_eq!(ids(&un).unwrap(), ["ISA", "GS", "GE", "IEA"]);
        let cr = format!("{}\rGS*HC\rIEA*1*1\r", isa('*', '^', ':', '\r'));
        assert_eq!(unwrap_lines(cr.as_bytes()), None, "CR is the terminator");
    }

    #[test]
    fn component_and_repetition() {
        let text = format!("{}SV1*HC>H0020>HF*1~IEA*1*1~", isa('*', '^', '>', '~'));
        let mut r = Reader::new(text.as_bytes()).unwrap();
        let mut buf = Vec::new();
        let isa = r.next_segment(&mut buf).unwrap().unwrap();
        assert_eq!(isa.seps.repetition, Some(b'^'));
        assert_eq!(isa.seps.component, b'>');
        let sv1 = r.next_segment(&mut buf).unwrap().unwrap();
        assert_eq!(sv1.comp(1, 2), b"H0020");
        assert_eq!(sv1.comp(1, 3), b"HF");
        assert_eq!(sv1.comp(1, 4), b"");
        assert_eq!(sv1.el(9), b"");
    }

    #[test]
    fn errors_name_the_position() {
        let e = ids(b"GS*HC*X~").unwrap_err();
        assert!(e.to_string().contains("must start with an ISA"), "{e}");
        let e = ids(&[0xFF, 0xFE, b'I', 0]).unwrap_err();
        assert!(e.to_string().contains("UTF-16"), "{e}");
        let t = format!("{}GS*HC~\nST*837", isa('*', '^', ':', '~'));
        let e = ids(t.as_bytes()).unwrap_err();
        assert_eq!((e.segment, e.line), (Some(3), Some(2)), "{e}");
        assert!(e.message.contains("no segment terminator"), "{e}");
        let t = format!("{}GS*HC~\nST*837~\n", isa('*', '^', ':', '~'));
        let e = ids(t.as_bytes()).unwrap_err();
        assert!(e.message.contains("no IEA"), "{e}");
        let t = format!("{}GS*HC~\nNm1*X~IEA*1*1~", isa('*', '^', ':', '~'));
        let e = ids(t.as_bytes()).unwrap_err();
        assert_eq!(e.segment_id.as_deref(), Some("Nm1"));
        let short = isa('*', '^', ':', '~').replacen("          ", "         ", 1);
        let e = ids(format!("{short}IEA*1*1~").as_bytes()).unwrap_err();
        assert!(e.message.contains("malformed ISA"), "{e}");
    }
}
