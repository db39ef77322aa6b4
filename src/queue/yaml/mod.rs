//! YAML queue text → the strict mirror types of `raw`, by one of two readers that must
//! agree: the fast reader (`mini`) for the plain block layout queue files are written in,
//! else serde_yaml (libyaml) behind a guard on libyaml's own events (`events`).
//!
//! Invariants (each pinned by the named test in `tests/judgement/queue_load.rs`):
//! 1. One meaning per file: whenever the fast reader returns a value, serde_yaml returns
//!    the same value for the same bytes (`mutations::every_path_agrees_with_serde_yaml`,
//!    `yaml_invariant_fast_reader_agrees_on_whitespace_and_continuations`). It reads only
//!    what it can read exactly as libyaml does and gives up on anything else.
//! 2. serde_yaml never sees an anchor, alias, tag, second document, value over 64 KiB or
//!    nesting over 32 levels: the guard reads libyaml's event stream, the same reading
//!    serde_yaml then makes, so nothing can be hidden from it by quoting or line
//!    continuations (`yaml_invariant_guard_sees_what_libyaml_sees`).
//! 3. The fast reader refuses the same things on its own (it gives up on `&`, `*`, `!`,
//!    deep nesting and lines longer than 64 KiB), so a file it accepts needs no guard
//!    (`yaml_invariant_fast_reader_never_accepts_what_the_guard_refuses`).
//! 4. The fast reader holds one list item's nodes at a time, never a tree of the file:
//!    memory is the loaded queue's own (`benches/queue_memory.rs`).
//! 5. Errors other than the guard's are worded by serde_yaml from the whole file, at libyaml's position
//!    (`malformed_yaml_names_line_and_column`); the fast reader never words an error.
//! 6. YAML is read with scalars as their raw text (booleans exactly `true`/`false`,
//!    amounts exact) by both readers (`yaml_invariant_strict_scalars_whatever_the_reader`):
//!    the mode is the deserializer's (`text::Text` around serde_yaml, the fast reader on
//!    its own), passed with the value, never kept in thread state.

mod events;
mod mini;
mod text;

pub(crate) use text::RAW_TEXT;

use serde::de::DeserializeOwned;

/// A parse error at a file position (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PosError {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

/// Which reader produced the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    Fast,
    Libyaml,
}

/// Read `text` into `T`: the fast reader unless `reference`, else (or when it gives up)
/// the guard and serde_yaml.
pub(crate) fn parse<T: DeserializeOwned>(
    text: &str,
    reference: bool,
) -> Result<(T, Reader), PosError> {
    if !reference && let Some(v) = mini::from_str::<T>(text) {
        return Ok((v, Reader::Fast));
    }
    if let Some(i) = unprintable(text.as_bytes(), false) {
        return Err(unprintable_error(text, i));
    }
    events::check(text)?;
    T::deserialize(text::Text(serde_yaml::Deserializer::from_str(text)))
        .map(|v| (v, Reader::Libyaml))
        .map_err(|e| pos_error(&e))
}

/// serde_yaml's error with its structured position; the message without the position
/// suffix serde_yaml appends (the loader prints the position first).
fn pos_error(e: &serde_yaml::Error) -> PosError {
    let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    let mut msg = e.to_string();
    if let Some(l) = e.location() {
        let suffix = format!(" at line {} column {}", l.line(), l.column());
        if let Some(stripped) = msg.strip_suffix(&suffix) {
            msg = stripped.to_owned();
        }
    }
    // serde_yaml asks for an enum tag when a list or mapping stands where one word belongs.
    let msg = msg.replace(
        "expected a YAML tag starting with '!'",
        "expected one of the allowed words, not a list or mapping",
    );
    PosError { line, col, msg }
}

fn unprintable_error(text: &str, i: usize) -> PosError {
    let before = &text[..i];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let c = text[i..].chars().next().unwrap_or('\0');
    PosError {
        line: before.matches('\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
        msg: format!(
            "control character U+{:04X} is not allowed in YAML text; remove it (free text may spell it as an escape in double quotes, e.g. \"\\u{:04X}\")",
            c as u32, c as u32
        ),
    }
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
