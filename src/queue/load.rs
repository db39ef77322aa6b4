//! Strict queue loading (docs/queue-format.md): YAML or JSON of the same shape.
//!
//! The pipeline: size and UTF-8 checks → parse into strict mirror types (`raw`: exact
//! dates, booleans and amounts) — JSON by serde_json, YAML by the fast reader or else
//! serde_yaml behind a guard on libyaml's events (`yaml`, whose invariants are listed
//! there) → checks of ids, references and consent shape (`validate`) → defaults.
//! Every error names the file and the line and column (syntax, type, key and enum errors)
//! or the path and ids (references, duplicates), the offending key or value, and what is
//! allowed.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::index::QueueIndex;
use super::limits::{MAX_DEPTH, MAX_FILE};
use super::model::Queue;
use super::raw::RawQueue;
use super::validate;
use super::yaml::{self, PosError};

/// A queue as loaded from a file: validated, defaults filled, with its index and the
/// SHA-256 of the file's bytes (recorded in decision entries).
#[derive(Debug, Clone)]
pub struct LoadedQueue {
    pub path: PathBuf,
    pub queue: Queue,
    pub index: QueueIndex,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Why a queue could not be loaded. `Display` is the whole user-facing message: the file,
/// the place (line and column, or the path such as `disclosures[12].consent`), what is wrong
/// and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// How YAML is parsed. The default (`Auto`) is what `load_path`/`load_bytes` use;
/// `Reference` exists so tests and the fuzz target can compare the two readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YamlPath {
    /// The fast reader, else (when it gives up) serde_yaml behind the event guard.
    #[default]
    Auto,
    /// serde_yaml alone (behind the same guard): the reference the fast reader must agree
    /// with.
    Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadOptions {
    pub yaml: YamlPath,
}

/// Which parser produced the queue (for tests and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    Json,
    /// The fast reader for the plain block layout.
    YamlFast,
    /// serde_yaml (libyaml).
    YamlLibyaml,
}

pub fn load_path(path: &Path) -> Result<LoadedQueue, LoadError> {
    let origin = crate::text::escape(&path.display().to_string()).into_owned();
    let cannot = |e: std::io::Error| LoadError {
        message: format!("{origin}: cannot read the queue file: {e}"),
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len > MAX_FILE as u64 {
        return Err(too_big(&origin, len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Never read past the limit, even if the file grows meanwhile.
    file.take(MAX_FILE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    // Hash the bytes while they are parsed (a 25 MB file takes tens of milliseconds).
    let (loaded, sha256) = std::thread::scope(|s| {
        let hash = std::thread::Builder::new()
            .spawn_scoped(s, || crate::digest::sha256_hex(&bytes))
            .ok();
        let loaded = load_inner(&bytes, &origin, LoadOptions::default(), true);
        let sha256 = hash
            .and_then(|h| h.join().ok())
            .unwrap_or_else(|| crate::digest::sha256_hex(&bytes));
        (loaded, sha256)
    });
    let (queue, _, index) = loaded?;
    let index = index.unwrap_or_else(|| QueueIndex::build(&queue));
    Ok(LoadedQueue {
        path: path.to_owned(),
        queue,
        index,
        sha256,
    })
}

fn too_big(origin: &str, len: u64) -> LoadError {
    LoadError {
        message: format!(
            "{origin}: the file is {len} bytes; a queue file may be at most 256 MiB — split the queue"
        ),
    }
}

/// Parse and validate. `origin` names the input in messages.
pub fn load_bytes(bytes: &[u8], origin: &str) -> Result<Queue, LoadError> {
    load_bytes_with(bytes, origin, LoadOptions::default()).map(|(q, _)| q)
}

/// [`load_bytes`] with a choice of YAML parsing path; also says which parser ran.
pub fn load_bytes_with(
    bytes: &[u8],
    origin: &str,
    opts: LoadOptions,
) -> Result<(Queue, Parsed), LoadError> {
    load_inner(bytes, origin, opts, false).map(|(q, p, _)| (q, p))
}

/// The loader; with `index`, the index is built on another thread while the queue is
/// validated (both only read it).
fn load_inner(
    bytes: &[u8],
    origin: &str,
    opts: LoadOptions,
    index: bool,
) -> Result<(Queue, Parsed, Option<QueueIndex>), LoadError> {
    let fail = |line: usize, col: usize, msg: &str| LoadError {
        message: format!("{origin}:{line}:{col}: {msg}"),
    };
    if bytes.len() > MAX_FILE {
        return Err(too_big(origin, bytes.len() as u64));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = std::str::from_utf8(&good[line_start..]).map_or(1, |s| s.chars().count() + 1);
            return Err(fail(
                line,
                col,
                &format!(
                    "byte 0x{:02X} is not UTF-8 text: a queue file is UTF-8 YAML or JSON",
                    bytes[e.valid_up_to()]
                ),
            ));
        }
    };
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let first = body.trim_start();
    if first.is_empty()
        || first
            .lines()
            .all(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
    {
        return Err(LoadError {
            message: format!(
                "{origin}: the file is empty: a queue starts with `schema: p2review.queue/1` (see docs/queue-format.md)"
            ),
        });
    }
    // JSON by name, else by its first character; a `.yaml` file is YAML even in flow style.
    let lower = origin.to_ascii_lowercase();
    let json = lower.ends_with(".json")
        || (first.starts_with('{') && !(lower.ends_with(".yaml") || lower.ends_with(".yml")));
    let (mut q, parsed) = if json {
        let raw = parse_json(body).map_err(|e| fail(e.line, e.col, &e.msg))?;
        (raw.into_model(), Parsed::Json)
    } else {
        // A byte order mark is not part of the text: libyaml-rs (unlike C libyaml) reads
        // one as a document boundary, so neither reader ever sees it.
        parse_yaml(body, opts).map_err(|e| fail(e.line, e.col, &e.msg))?
    };
    fill_defaults(&mut q);
    let (valid, ix) = std::thread::scope(|s| {
        let ix = index
            .then(|| std::thread::Builder::new().spawn_scoped(s, || QueueIndex::build(&q)))
            .and_then(Result::ok);
        let valid = validate::validate(&q);
        (valid, ix.and_then(|h| h.join().ok()))
    });
    valid.map_err(|m| LoadError {
        message: if m.contains('\n') {
            format!("{origin}: the queue has problems:\n{m}")
        } else {
            format!("{origin}: {m}")
        },
    })?;
    Ok((q, parsed, ix))
}

/// docs/queue-format.md defaults that depend on other fields.
fn fill_defaults(q: &mut Queue) {
    let role = q.organization.role;
    for d in &mut q.disclosures {
        d.actor.get_or_insert(role);
        let ce = d.recipient.covered_entity();
        d.recipient.covered_entity = Some(ce);
        let p = d.proceeding_or_default();
        d.proceeding = Some(p);
    }
}

fn parse_json(text: &str) -> Result<RawQueue, PosError> {
    json_depth(text)?;
    serde_json::from_str::<RawQueue>(text).map_err(|e| {
        let msg = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        PosError {
            line: e.line().max(1),
            col: e.column().max(1),
            msg: msg.strip_suffix(&suffix).unwrap_or(&msg).to_owned(),
        }
    })
}

fn parse_yaml(text: &str, opts: LoadOptions) -> Result<(Queue, Parsed), PosError> {
    let reference = opts.yaml == YamlPath::Reference;
    match yaml::parse::<RawQueue>(text, reference) {
        Ok((q, reader)) => Ok((
            q.into_model(),
            match reader {
                yaml::Reader::Fast => Parsed::YamlFast,
                yaml::Reader::Libyaml => Parsed::YamlLibyaml,
            },
        )),
        Err(mut e) => {
            if let Some(at) = duplicate_key_position(text, &e) {
                (e.line, e.col) = at;
            }
            Err(e)
        }
    }
}

/// JSON nesting depth (serde_json reports syntax; string sizes are checked on the loaded
/// queue). Quote-aware; positions 1-based.
fn json_depth(text: &str) -> Result<(), PosError> {
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
                    return Err(PosError {
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

/// serde reports a duplicate key at the start of its mapping; point at the second
/// occurrence instead (block mappings; anything else keeps serde's position).
fn duplicate_key_position(text: &str, e: &PosError) -> Option<(usize, usize)> {
    let key = e.msg.split("duplicate field `").nth(1)?.split('`').next()?;
    let indent = e.col.checked_sub(1)?;
    let mut seen = false;
    for (no, line) in text.lines().enumerate().skip(e.line.checked_sub(1)?) {
        let body = if no + 1 == e.line {
            line.get(indent..)?
        } else {
            let ind = line.bytes().take_while(|&b| b == b' ').count();
            let body = &line[ind..];
            if body.trim().is_empty() || body.starts_with('#') || ind > indent {
                continue;
            }
            if ind < indent {
                return None;
            }
            body
        };
        if body
            .strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
        {
            if seen {
                return Some((no + 1, e.col));
            }
            seen = true;
        }
    }
    None
}
