//! A fast reader for the plain block-YAML subset queue files are written in, with serde on
//! top. It gives up (`None`) on anything outside that subset or on any error, and the
//! caller then parses the same text with serde_yaml, which decides and words every error.
//!
//! Why: serde_yaml (libyaml) reads ~17 MB/s; this reads the common layout several times
//! faster, which the 1.5 s `evaluate` target for 100,000 disclosures needs (BENCHMARKS.md#targets).
//! The contract: whenever this returns `Some(v)`, serde_yaml would return the same `v`.
//! So it accepts only what it can read exactly as libyaml does — one-line plain scalars,
//! one-line quoted scalars with simple escapes, one-line flow collections, block mappings
//! with plain `snake_case` keys and block sequences — and the deserializer mirrors
//! serde_yaml's rules (any scalar reads as a string, empty or `null`-like plain scalars
//! are `None`, an empty plain scalar is an empty list). Tests compare both on the same
//! inputs.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::StrDeserializer;

use super::super::limits::{MAX_DEPTH, MAX_SCALAR};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};

/// A parsed node. Scalars remember whether they were plain (unquoted).
#[derive(Debug)]
enum Node<'a> {
    Scalar(Cow<'a, str>, bool),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// "Not in the subset, or wrong": the caller falls back to serde_yaml.
#[derive(Debug)]
pub(crate) struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("outside the fast YAML subset")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Bail {
        Bail
    }
}

/// Parse `text` (its root node may be indented) into `T`, or `None` to fall back.
///
/// Block collections are read as serde asks for them, never as a tree: a list of a
/// million items holds one item's nodes at a time, so memory is the model's own.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    if !plain_text(text.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    let first = p.peek()?;
    let value = T::deserialize(Lazy {
        p: &mut p,
        v: Val::Block(first.indent),
    })
    .ok()?;
    if p.peek().is_some() {
        return None;
    }
    Some(value)
}

/// Only characters libyaml accepts, and none it treats specially that this reader does
/// not: no tab, CR other than in CRLF, BOM, NEL, U+2028 or U+2029 (libyaml reads the
/// last three as line breaks).
fn plain_text(b: &[u8]) -> bool {
    super::unprintable(b, true).is_none()
}

#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    /// The line after its indentation, trailing blanks kept.
    body: &'a str,
    next: usize,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// Open block collections; the reader gives up past the queue's depth limit, so
    /// hostile nesting never runs deep recursion.
    depth: usize,
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `key:` at the start of `s`, followed by a blank or the end: `(key, rest after ':')`.
fn split_key(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let n = b.iter().take_while(|&&c| is_key_char(c)).count();
    if n == 0 || b.get(n) != Some(&b':') || !matches!(b.get(n + 1), None | Some(b' ')) {
        return None;
    }
    Some((&s[..n], &s[n + 1..]))
}

fn is_dash(s: &str) -> bool {
    s == "-" || s.starts_with("- ")
}

/// A value not yet read: a node already parsed from the rest of its line, or a block
/// collection whose lines come next.
enum Val<'a> {
    Inline(Node<'a>),
    /// Nothing after `key:` or `- `: an empty plain scalar.
    Empty,
    /// A block mapping or sequence whose first line is the next one, at this indent.
    Block(usize),
    /// A block sequence at this indent (may sit at its key's own indent).
    Seq(usize),
    /// A block mapping at this indent whose first entry is the rest of a `- key: ...`
    /// line, already consumed.
    MapFrom(usize, &'a str),
}

impl<'a> Parser<'a> {
    /// The next line with content (blank and comment-only lines skipped for good). Blank
    /// means spaces only: libyaml reads any other character, NBSP or U+3000 included,
    /// as content.
    fn peek(&mut self) -> Option<Line<'a>> {
        let b = self.text.as_bytes();
        while self.pos < b.len() {
            let end = memchr::memchr(b'\n', &b[self.pos..]).map_or(b.len(), |i| self.pos + i);
            let line = &self.text[self.pos..end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            let indent = line.bytes().take_while(|&c| c == b' ').count();
            let body = &line[indent..];
            if body.is_empty() || body.starts_with('#') {
                self.pos = end + 1;
                continue;
            }
            return Some(Line {
                indent,
                body,
                next: end + 1,
            });
        }
        None
    }

    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth <= MAX_DEPTH {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// The value after `key:` or `- ` with nothing else on the line.
    fn nested(&mut self, parent: usize, compact_seq: bool) -> Val<'a> {
        match self.peek() {
            Some(l) if l.indent > parent => Val::Block(l.indent),
            Some(l) if compact_seq && l.indent == parent && is_dash(l.body) => Val::Seq(parent),
            _ => Val::Empty,
        }
    }

    /// The value on the rest of a `key:` or `- ` line.
    fn value(&mut self, rest: &'a str, parent: usize, compact_seq: bool) -> Result<Val<'a>, Bail> {
        if rest.is_empty() || rest.starts_with('#') {
            Ok(self.nested(parent, compact_seq))
        } else {
            inline(rest, self.depth).map(Val::Inline).ok_or(Bail)
        }
    }
}

/// serde over the parser: block collections are read lazily, inline nodes by `De`.
struct Lazy<'p, 'a> {
    p: &'p mut Parser<'a>,
    v: Val<'a>,
}

const EMPTY: Node<'static> = Node::Scalar(Cow::Borrowed(""), true);

impl<'a> Lazy<'_, 'a> {
    /// The node already read from its line (a scalar or a one-line flow collection), if
    /// this value is one.
    fn inline_node(&self) -> Option<&Node<'a>> {
        match &self.v {
            Val::Inline(n) => Some(n),
            Val::Empty => Some(&EMPTY),
            _ => None,
        }
    }

    /// Resolve `Block` into `Seq` or a mapping at its indent.
    fn block(&mut self) -> Option<(bool, usize, Option<&'a str>)> {
        match self.v {
            Val::Block(indent) => {
                let l = self.p.peek()?;
                Some((is_dash(l.body), indent, None))
            }
            Val::Seq(indent) => Some((true, indent, None)),
            Val::MapFrom(indent, first) => Some((false, indent, Some(first))),
            _ => None,
        }
    }
}

impl<'de> Deserializer<'de> for Lazy<'_, '_> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        De(self.inline_node().ok_or(Bail)?).deserialize_bool(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        De(self.inline_node().ok_or(Bail)?).deserialize_str(v)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        match self.inline_node() {
            Some(n) => De(n).deserialize_option(v),
            None => v.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Bail> {
        if let Some(n) = self.inline_node() {
            return De(n).deserialize_seq(v);
        }
        let (true, indent, _) = self.block().ok_or(Bail)? else {
            return Err(Bail);
        };
        self.p.enter()?;
        let value = v.visit_seq(BlockSeq {
            p: &mut *self.p,
            indent,
        })?;
        // The visitor must have read every item.
        if self
            .p
            .peek()
            .is_some_and(|l| l.indent >= indent && (l.indent > indent || is_dash(l.body)))
        {
            return Err(Bail);
        }
        self.p.depth -= 1;
        Ok(value)
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Bail> {
        if let Some(n) = self.inline_node() {
            return De(n).deserialize_map(v);
        }
        let (false, indent, first) = self.block().ok_or(Bail)? else {
            return Err(Bail);
        };
        self.p.enter()?;
        let value = v.visit_map(BlockMap {
            p: &mut *self.p,
            indent,
            first,
            value: None,
        })?;
        if self.p.peek().is_some_and(|l| l.indent > indent) {
            return Err(Bail);
        }
        self.p.depth -= 1;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Bail> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Bail> {
        De(self.inline_node().ok_or(Bail)?).deserialize_enum(name, variants, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Bail> {
        De(self.inline_node().ok_or(Bail)?).deserialize_newtype_struct(name, v)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct tuple tuple_struct ignored_any
    }
}

/// The items of a block sequence at `indent`, one at a time.
struct BlockSeq<'p, 'a> {
    p: &'p mut Parser<'a>,
    indent: usize,
}

impl<'de> de::SeqAccess<'de> for BlockSeq<'_, '_> {
    type Error = Bail;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        let indent = self.indent;
        let l = match self.p.peek() {
            Some(l) if l.indent == indent && is_dash(l.body) => l,
            Some(l) if l.indent > indent => return Err(Bail),
            _ => return Ok(None),
        };
        self.p.pos = l.next;
        let after = &l.body[1..];
        let rest = after.trim_start_matches(' ');
        let v = if is_dash(rest) {
            return Err(Bail);
        } else if split_key(rest).is_some() {
            Val::MapFrom(indent + 1 + (after.len() - rest.len()), rest)
        } else {
            self.p.value(rest, indent, false)?
        };
        seed.deserialize(Lazy { p: self.p, v }).map(Some)
    }
}

/// The entries of a block mapping at `indent`, one at a time.
struct BlockMap<'p, 'a> {
    p: &'p mut Parser<'a>,
    indent: usize,
    first: Option<&'a str>,
    value: Option<Val<'a>>,
}

impl<'de> de::MapAccess<'de> for BlockMap<'_, '_> {
    type Error = Bail;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let indent = self.indent;
        let body = match self.first.take() {
            Some(b) => b,
            None => match self.p.peek() {
                Some(l) if l.indent == indent => {
                    self.p.pos = l.next;
                    l.body
                }
                Some(l) if l.indent > indent => return Err(Bail),
                _ => return Ok(None),
            },
        };
        let (key, rest) = split_key(body).ok_or(Bail)?;
        let rest = rest.trim_start_matches(' ');
        self.value = Some(self.p.value(rest, indent, true)?);
        seed.deserialize(StrDeserializer::<Bail>::new(key))
            .map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        let v = self.value.take().ok_or(Bail)?;
        seed.deserialize(Lazy { p: self.p, v })
    }
}

/// The value on the rest of a line: a scalar or a one-line flow collection, then only
/// blanks or a comment. `depth` is the number of enclosing collections. A line longer
/// than the largest value is left to libyaml and the guard (no scalar in it can be longer
/// than the line: escapes only shorten).
fn inline(s: &str, depth: usize) -> Option<Node<'_>> {
    if s.len() > MAX_SCALAR {
        return None;
    }
    let (node, rest) = match s.as_bytes()[0] {
        b'"' | b'\'' | b'[' | b'{' => flow_node(s, depth)?,
        _ => {
            let (text, rest) = plain(s, false)?;
            (Node::Scalar(Cow::Borrowed(text), true), rest)
        }
    };
    end_ok(rest).then_some(node)
}

/// Only blanks, or blanks and a comment, remain.
fn end_ok(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

/// A plain scalar at the start of `s`: `(text, rest)`. Refuses indicators at the start
/// and anything libyaml might read differently (`: `, a trailing `:`, flow characters in
/// flow context).
fn plain(s: &str, flow: bool) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if matches!(
        b.first()?,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    ) {
        return None;
    }
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b':' if flow || matches!(b.get(i + 1), None | Some(b' ')) => return None,
            b'#' if b[i - 1] == b' ' => {
                end = i;
                break;
            }
            b',' | b']' | b'}' if flow => {
                end = i;
                break;
            }
            b'[' | b'{' if flow => return None,
            _ => {}
        }
    }
    let text = s[..end].trim_end_matches(' ');
    if text.is_empty() {
        return None;
    }
    Some((text, &s[text.len()..]))
}

/// A flow node at the start of `s` (quoted scalar, `[...]`, `{...}` or, inside a flow
/// collection, a plain scalar) inside `depth` collections: `(node, rest)`.
fn flow_node(s: &str, depth: usize) -> Option<(Node<'_>, &str)> {
    let first = *s.as_bytes().first()?;
    if matches!(first, b'[' | b'{') && depth + 1 > MAX_DEPTH {
        return None;
    }
    match first {
        b'"' => double_quoted(s),
        b'\'' => single_quoted(s),
        b'[' => {
            let mut items = Vec::new();
            let mut rest = s[1..].trim_start_matches(' ');
            if let Some(r) = rest.strip_prefix(']') {
                return Some((Node::Seq(items), r));
            }
            loop {
                let (n, r) = flow_node(rest, depth + 1)?;
                items.push(n);
                let r = r.trim_start_matches(' ');
                if let Some(r) = r.strip_prefix(']') {
                    return Some((Node::Seq(items), r));
                }
                rest = r.strip_prefix(',')?.trim_start_matches(' ');
                if rest.starts_with(']') {
                    return None;
                }
            }
        }
        b'{' => {
            let mut entries = Vec::new();
            let mut rest = s[1..].trim_start_matches(' ');
            if let Some(r) = rest.strip_prefix('}') {
                return Some((Node::Map(entries), r));
            }
            loop {
                let (key, r) = split_key(rest)?;
                let r = r.trim_start_matches(' ');
                let (n, r) = flow_node(r, depth + 1)?;
                entries.push((key, n));
                let r = r.trim_start_matches(' ');
                if let Some(r) = r.strip_prefix('}') {
                    return Some((Node::Map(entries), r));
                }
                rest = r.strip_prefix(',')?.trim_start_matches(' ');
                if rest.starts_with('}') {
                    return None;
                }
            }
        }
        _ => {
            let (text, rest) = plain(s, true)?;
            Some((Node::Scalar(Cow::Borrowed(text), true), rest))
        }
    }
}

fn single_quoted(s: &str) -> Option<(Node<'_>, &str)> {
    let body = &s[1..];
    let mut out: Option<String> = None;
    let mut i = 0;
    let b = body.as_bytes();
    let mut start = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&body[start..=i]);
                i += 2;
                start = i;
                continue;
            }
            let text = match out {
                Some(mut o) => {
                    o.push_str(&body[start..i]);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(&body[..i]),
            };
            return Some((Node::Scalar(text, false), &body[i + 1..]));
        }
        i += 1;
    }
    None
}

fn double_quoted(s: &str) -> Option<(Node<'_>, &str)> {
    let body = &s[1..];
    let b = body.as_bytes();
    let mut out: Option<String> = None;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let text = match out {
                    Some(mut o) => {
                        o.push_str(&body[start..i]);
                        Cow::Owned(o)
                    }
                    None => Cow::Borrowed(&body[..i]),
                };
                return Some((Node::Scalar(text, false), &body[i + 1..]));
            }
            b'\\' => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&body[start..i]);
                let (c, len) = match *b.get(i + 1)? {
                    b'\\' => ('\\', 2),
                    b'"' => ('"', 2),
                    b'/' => ('/', 2),
                    b'n' => ('\n', 2),
                    b't' => ('\t', 2),
                    b'u' => {
                        let hex = body.get(i + 2..i + 6)?;
                        if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                            return None;
                        }
                        (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6)
                    }
                    _ => return None,
                };
                o.push(c);
                i += len;
                start = i;
            }
            _ => i += 1,
        }
    }
    None
}

/// serde over a node, mirroring serde_yaml's choices; everything else is `Bail`.
struct De<'n, 'a>(&'n Node<'a>);

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

impl<'de> Deserializer<'de> for De<'_, '_> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    /// A boolean is asked for only by the strict types, which read the scalar's text (as
    /// `yaml::text` makes serde_yaml do).
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        self.deserialize_str(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Bail> {
        if name == super::RAW_TEXT {
            self.deserialize_str(v)
        } else {
            Err(Bail)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s, _) => v.visit_str(s),
            _ => Err(Bail),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s, true) if is_null(s) => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Seq(items) => {
                let mut access = Items(items.iter());
                let value = v.visit_seq(&mut access)?;
                if access.0.len() == 0 {
                    Ok(value)
                } else {
                    Err(Bail)
                }
            }
            Node::Scalar(s, true) if s.is_empty() => v.visit_seq(Items([].iter())),
            _ => Err(Bail),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Map(entries) => v.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
            _ => Err(Bail),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Bail> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s, _) if !s.is_empty() => {
                let d: StrDeserializer<Bail> = s.as_ref().into_deserializer();
                v.visit_enum(d)
            }
            _ => Err(Bail),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct tuple tuple_struct ignored_any
    }
}

struct Items<'n, 'a>(std::slice::Iter<'n, Node<'a>>);

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Bail;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        match self.0.next() {
            Some(n) => seed.deserialize(De(n)).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'n, 'a> {
    iter: std::slice::Iter<'n, (&'a str, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Bail;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(StrDeserializer::<Bail>::new(k)).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        seed.deserialize(De(self.value.take().ok_or(Bail)?))
    }
}
