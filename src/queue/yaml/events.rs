//! The guard in front of serde_yaml: libyaml's own event stream, read once and dropped as
//! it goes, refusing what a queue file may not hold.
//!
//! Why libyaml's events and not a pre-scan of our own: a scan that models YAML's token
//! rules only approximately (multi-line plain scalars, quotes that start a continuation
//! line) can read a different structure than libyaml does, and whatever it misses —
//! aliases (billion laughs), tags, oversized values — would reach serde_yaml. These are
//! the events serde_yaml itself consumes, from the same parser, so nothing can hide.
//! The events are not kept (serde_yaml keeps its own), so this pass holds one scalar at a
//! time.

use std::mem::MaybeUninit;

use libyaml_rs as sys;

use super::super::limits::{MAX_DEPTH, MAX_SCALAR};
use super::PosError;

/// A libyaml parser reading `input`; boxed because libyaml keeps a pointer to itself.
struct Parser<'a> {
    sys: Box<MaybeUninit<sys::yaml_parser_t>>,
    _input: &'a [u8],
}

/// What one event says about the rules; positions are libyaml's (0-based).
enum Seen {
    End,
    DocumentStart,
    DocumentEnd,
    Alias,
    Node { anchor: bool, tag: bool, len: usize },
    Open { anchor: bool, tag: bool },
    Close,
    Other,
}

// The crate's one place of `unsafe`: the FFI calls into libyaml, each with its SAFETY note.
#[allow(unsafe_code)]
impl<'a> Parser<'a> {
    fn new(input: &'a [u8]) -> Parser<'a> {
        let mut sys = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
        // SAFETY: libyaml initialises the struct it is handed; the input outlives the
        // parser (lifetime 'a) and the box never moves its contents.
        unsafe {
            let p = sys.as_mut_ptr();
            if sys::yaml_parser_initialize(p).fail {
                // Only an allocation failure; the process cannot go on.
                std::process::abort();
            }
            sys::yaml_parser_set_encoding(p, sys::YAML_UTF8_ENCODING);
            sys::yaml_parser_set_input_string(p, input.as_ptr(), input.len() as u64);
        }
        Parser { sys, _input: input }
    }

    /// The next event, or libyaml's error text and 0-based (line, column).
    fn next(&mut self) -> Result<(Seen, usize, usize), (String, usize, usize)> {
        let mut ev = MaybeUninit::<sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new`; an event filled by a successful
        // `yaml_parser_parse` is read according to its type and deleted exactly once.
        unsafe {
            let p = self.sys.as_mut_ptr();
            if sys::yaml_parser_parse(p, ev.as_mut_ptr()).fail {
                let parser: &sys::yaml_parser_t = &*p;
                let problem = parser.problem;
                let text = if problem.is_null() {
                    "the YAML could not be parsed".to_owned()
                } else {
                    std::ffi::CStr::from_ptr(problem.cast())
                        .to_string_lossy()
                        .into_owned()
                };
                let m = parser.problem_mark;
                return Err((text, m.line as usize, m.column as usize));
            }
            let e = ev.as_mut_ptr();
            let seen = match (*e).type_ {
                sys::YAML_STREAM_END_EVENT => Seen::End,
                sys::YAML_DOCUMENT_START_EVENT => Seen::DocumentStart,
                sys::YAML_DOCUMENT_END_EVENT => Seen::DocumentEnd,
                sys::YAML_ALIAS_EVENT => Seen::Alias,
                sys::YAML_SCALAR_EVENT => {
                    let s = (*e).data.scalar;
                    Seen::Node {
                        anchor: !s.anchor.is_null(),
                        tag: !s.tag.is_null(),
                        len: s.length as usize,
                    }
                }
                sys::YAML_SEQUENCE_START_EVENT => {
                    let s = (*e).data.sequence_start;
                    Seen::Open {
                        anchor: !s.anchor.is_null(),
                        tag: !s.tag.is_null(),
                    }
                }
                sys::YAML_MAPPING_START_EVENT => {
                    let s = (*e).data.mapping_start;
                    Seen::Open {
                        anchor: !s.anchor.is_null(),
                        tag: !s.tag.is_null(),
                    }
                }
                sys::YAML_SEQUENCE_END_EVENT | sys::YAML_MAPPING_END_EVENT => Seen::Close,
                _ => Seen::Other,
            };
            let m = (*e).start_mark;
            sys::yaml_event_delete(e);
            Ok((seen, m.line as usize, m.column as usize))
        }
    }
}

#[allow(unsafe_code)]
impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, deleted once here.
        unsafe { sys::yaml_parser_delete(self.sys.as_mut_ptr()) }
    }
}

/// Refuse anchors, aliases, tags, a second document, a value over 64 KiB and nesting
/// deeper than 32, at the place libyaml reads them. A YAML syntax error is left for
/// serde_yaml to report (from the same parser), except after the end of the document:
/// that is a second document to the user, whatever libyaml calls it.
pub(crate) fn check(text: &str) -> Result<(), PosError> {
    let mut parser = Parser::new(text.as_bytes());
    let mut depth = 0usize;
    let mut documents = 0usize;
    let mut ended = false;
    let at = |line: usize, col: usize, msg: String| PosError {
        line: line + 1,
        col: col + 1,
        msg,
    };
    loop {
        let (seen, line, col) = match parser.next() {
            Ok(e) => e,
            Err((_, line, col)) if ended => {
                return Err(at(
                    line,
                    col,
                    "content after the end of the YAML document (`...`): a queue file holds exactly one document".into(),
                ));
            }
            Err(_) => return Ok(()),
        };
        let (anchor, tag) = match seen {
            Seen::End => return Ok(()),
            Seen::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(at(
                        line,
                        col,
                        "a second YAML document starts here: a queue file holds exactly one document".into(),
                    ));
                }
                continue;
            }
            Seen::Alias => {
                return Err(at(
                    line,
                    col,
                    "a YAML alias (`*`): anchors and aliases are not allowed in a queue file; write each value out".into(),
                ));
            }
            Seen::Node { anchor, tag, len } => {
                if len > MAX_SCALAR {
                    return Err(at(
                        line,
                        col,
                        format!(
                            "a value longer than {} KiB starts here: a queue allows at most 64 KiB per value",
                            MAX_SCALAR / 1024
                        ),
                    ));
                }
                (anchor, tag)
            }
            Seen::Open { anchor, tag } => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(at(
                        line,
                        col,
                        format!(
                            "nesting deeper than {MAX_DEPTH} levels: a queue file is at most {MAX_DEPTH} levels deep"
                        ),
                    ));
                }
                (anchor, tag)
            }
            Seen::DocumentEnd => {
                ended = true;
                continue;
            }
            Seen::Close => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Seen::Other => continue,
        };
        if anchor {
            return Err(at(
                line,
                col,
                "a YAML anchor (`&`): anchors and aliases are not allowed in a queue file; write each value out".into(),
            ));
        }
        if tag {
            return Err(at(
                line,
                col,
                "a YAML tag (`!`): tags are not allowed in a queue file; write the plain value"
                    .into(),
            ));
        }
    }
}
