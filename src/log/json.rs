//! A borrowed JSON value for the schema check (`super::entry`), and a reader that takes
//! only canonical bodies (docs/signed-log.md#lines-and-canonical-form) into it.
//!
//! Parsing every body into a `serde_json::Value` (a `BTreeMap` per object, a `String` per
//! key and string) and writing it again to compare cost the verifier more than a tenth of
//! its time in the allocator. [`parse_canonical`] reads a body in one pass, borrowing its
//! strings, and accepts it only if it is canonical: any body it refuses takes the
//! `serde_json` path, which decides the code (`E_FRAMING` or `E_NONCANONICAL`) as before.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::canonical::{MAX_INT, forbidden_char};

/// A JSON value as the schema check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum J<'a> {
    Bool(bool),
    /// A non-negative integer (what `Value::as_u64` answers).
    Int(u64),
    Str(Cow<'a, str>),
    /// Members sorted by key bytes, keys distinct (as a `serde_json::Map` iterates them).
    Obj(Vec<(Cow<'a, str>, J<'a>)>),
    /// Null, an array, a float or a negative integer: no schema field takes one.
    Other,
}

impl<'a> J<'a> {
    /// The same value borrowed from a `serde_json::Value`.
    pub fn from_value(v: &'a Value) -> J<'a> {
        match v {
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n.as_u64().map_or(J::Other, J::Int),
            Value::String(s) => J::Str(Cow::Borrowed(s)),
            Value::Object(m) => {
                let mut o: Vec<_> = m
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), J::from_value(v)))
                    .collect();
                // A map's own order, unless its keys are kept in insertion order.
                o.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                J::Obj(o)
            }
            Value::Null | Value::Array(_) => J::Other,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            J::Int(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            J::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, J<'a>)]> {
        match self {
            J::Obj(m) => Some(m),
            _ => None,
        }
    }
}

/// The member `k` of a sorted object.
pub fn member<'m, 'a>(m: &'m [(Cow<'a, str>, J<'a>)], k: &str) -> Option<&'m J<'a>> {
    m.binary_search_by(|(x, _)| key_cmp(x.as_bytes(), k.as_bytes()))
        .ok()
        .map(|i| &m[i].1)
}

/// Deepest object nesting read here (an entry has 3); deeper bodies take the slow path
/// (`serde_json` refuses from 128).
const MAX_DEPTH: usize = 8;

/// `body` as a value if it is the canonical form of an object nested at most
/// [`MAX_DEPTH`] deep, else `None`. Accepting means exactly: `serde_json` parses `body` to
/// an object `v`, `canonical::is_canonical_form(v, body)`, and the result is
/// `J::from_value(&v)` (tested below and by the `log_line` fuzz target).
pub fn parse_canonical(body: &[u8]) -> Option<J<'_>> {
    // Valid UTF-8 throughout: slicing at ASCII delimiters below stays on char boundaries.
    let s = std::str::from_utf8(body).ok()?;
    let mut r = Reader { s, i: 0 };
    let v = r.object(0)?;
    (r.i == s.len()).then_some(v)
}

/// Whether [`parse_canonical`] answers as the `serde_json` path does on `body`: it
/// accepts only bodies that path finds canonical, with the same value, and refuses a
/// canonical one only if it is nested too deep (checked by tests and the `log_line` fuzz
/// target).
pub fn agrees_with_serde(body: &[u8]) -> bool {
    let slow = serde_json::from_slice::<Value>(body)
        .ok()
        .filter(|v| v.is_object() && super::canonical::is_canonical_form(v, body));
    match (slow, parse_canonical(body)) {
        (Some(v), Some(j)) => J::from_value(&v) == j,
        (None, None) => true,
        (Some(v), None) => depth(&v) > MAX_DEPTH,
        (None, Some(_)) => false,
    }
}

/// Object nesting of `v` (`{}` is 1).
fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// `{}` or `{"k":v,…}` with keys strictly increasing by bytes (the canonical order;
    /// a repeated key has no canonical form).
    fn object(&mut self, depth: usize) -> Option<J<'a>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        // One allocation for most objects: an entry has up to about 30 fields, its
        // nested objects (recipient, policy) 2 or 3.
        let mut m: Vec<(Cow<'a, str>, J<'a>)> = Vec::with_capacity(if depth == 0 { 32 } else { 4 });
        if self.eat(b'}').is_some() {
            return Some(J::Obj(m));
        }
        loop {
            let k = self.string()?;
            if m.last()
                .is_some_and(|(p, _)| key_cmp(p.as_bytes(), k.as_bytes()) != Ordering::Less)
            {
                return None;
            }
            self.eat(b':')?;
            let v = self.value(depth)?;
            m.push((k, v));
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(J::Obj(m));
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<J<'a>> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'"' => self.string().map(J::Str),
            b't' => self.word("true", J::Bool(true)),
            b'f' => self.word("false", J::Bool(false)),
            b'0'..=b'9' => self.int(),
            _ => None,
        }
    }

    fn word(&mut self, w: &str, v: J<'a>) -> Option<J<'a>> {
        self.s.as_bytes()[self.i..]
            .starts_with(w.as_bytes())
            .then(|| {
                self.i += w.len();
                v
            })
    }

    /// `0` or digits without a leading zero, at most [`MAX_INT`].
    fn int(&mut self) -> Option<J<'a>> {
        let b = self.s.as_bytes();
        let start = self.i;
        let mut n = 0u64;
        while let Some(d) = b.get(self.i).filter(|d| d.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        if n > MAX_INT || (b[start] == b'0' && self.i - start > 1) {
            return None;
        }
        Some(J::Int(n))
    }

    /// A string whose only escapes are `\"` and `\\` and which holds no forbidden
    /// character (what the canonical writer produces); borrowed unless it has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let b = self.s.as_bytes();
        let mut owned: Option<String> = None;
        let mut run = self.i;
        loop {
            // Up to the next quote or backslash: printable ASCII is checked in bulk.
            let stop = self.i + memchr::memchr2(b'"', b'\\', &b[self.i..])?;
            if !b[self.i..stop].iter().all(|c| (b' '..=b'~').contains(c)) {
                plain_chars(&self.s[self.i..stop])?;
            }
            if b[stop] == b'"' {
                let tail = &self.s[run..stop];
                self.i = stop + 1;
                return Some(match owned {
                    None => Cow::Borrowed(tail),
                    Some(mut o) => {
                        o.push_str(tail);
                        Cow::Owned(o)
                    }
                });
            }
            let e = *b.get(stop + 1)?;
            if e != b'"' && e != b'\\' {
                return None;
            }
            let o = owned.get_or_insert_with(String::new);
            o.push_str(&self.s[run..stop]);
            o.push(char::from(e));
            self.i = stop + 2;
            run = self.i;
        }
    }
}

/// `Some` if `s` (no quote or backslash in it) holds no raw control (not JSON) and no
/// forbidden character.
fn plain_chars(s: &str) -> Option<()> {
    s.chars()
        .all(|c| c >= ' ' && !forbidden_char(c))
        .then_some(())
}

/// Byte order of keys (a loop: keys are short and differ early, where a `memcmp` call
/// costs more than the comparison).
fn key_cmp(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::canonical::to_canonical;
    use serde_json::json;

    fn nested(depth: usize) -> Value {
        (0..depth).fold(json!({"x": 1}), |v, _| json!({ "a": v }))
    }

    /// On canonical bodies and every one-byte change, cut and insertion of them: accepted
    /// exactly when the slow path finds the body canonical (below the depth limit), with
    /// the same value.
    #[test]
    fn accepts_exactly_the_canonical_bodies() {
        let values = [
            json!({}),
            json!({"a": 0, "b": MAX_INT, "t": true, "f": false, "x": "é"}),
            json!({"a": 10, "b": MAX_INT + 1, "d": -1, "e": 1.5, "z": null}),
            json!({"k": "plain", "q": "x\"y\\z", "u": "é ü → 中", "n": {"z": true, "a": false}}),
            json!({"q\"k": 1, "q\\k": 2, "qk": 3, "é": {"\\": "\""}}),
            json!({"bad": "a\u{85}b", "del": "\u{7f}", "ls": "\u{2028}", "bidi": "\u{202e}"}),
            json!({"arr": [1], "": ""}),
            json!({"deep": {"deeper": {"s": "\\\"", "i": 10}}, "B": "", "a": "\u{7f}"}),
            json!({"log": "ab", "seq": 12, "note": "q\"\\\"", "ts": "2026-01-01T00:00:00.000Z"}),
            nested(MAX_DEPTH - 2),
            nested(MAX_DEPTH - 1),
            crate::log::read::tests::sample_decision_entry().to_value(),
        ];
        let (mut checked, mut accepted) = (0, 0);
        for v in &values {
            let base = to_canonical(v)
                .map(String::into_bytes)
                .unwrap_or_else(|_| serde_json::to_vec(v).unwrap());
            let mut bodies = vec![base.clone()];
            for i in 0..base.len() {
                for d in [1u8, 2, 0x08, 0x20, 0x40, 0x80] {
                    let mut m = base.clone();
                    m[i] ^= d;
                    bodies.push(m);
                }
                for ins in [&b"\\"[..], b" ", b"0", b"\"", b"{}", b",\"\":1"] {
                    bodies.push([&base[..i], ins, &base[i..]].concat());
                }
                bodies.push([&base[..i], &base[i + 1..]].concat());
                bodies.push(base[..i].to_vec());
            }
            for b in &bodies {
                assert!(agrees_with_serde(b), "{}", String::from_utf8_lossy(b));
                accepted += usize::from(parse_canonical(b).is_some());
                checked += 1;
            }
        }
        assert!(checked > 5000 && accepted > 20, "{checked} {accepted}");
        let deep = to_canonical(&nested(MAX_DEPTH)).unwrap().into_bytes();
        assert!(parse_canonical(&deep).is_none() && agrees_with_serde(&deep));
        let deepest = to_canonical(&nested(MAX_DEPTH - 1)).unwrap().into_bytes();
        assert!(parse_canonical(&deepest).is_some());
    }

    /// The schema check reads an entry the same from either path.
    #[test]
    fn an_entry_reads_the_same_from_either_path() {
        let e = crate::log::read::tests::sample_decision_entry();
        let v = e.to_value();
        let body = to_canonical(&v).unwrap();
        let j = parse_canonical(body.as_bytes()).unwrap();
        assert_eq!(crate::log::entry::Entry::from_json(&j), Ok(e.clone()));
        assert_eq!(crate::log::entry::Entry::from_value(&v), Ok(e));
    }

    #[test]
    fn members_are_found_by_key() {
        let j = parse_canonical(br#"{"a":1,"b":{"c":"d\"e"},"c":true}"#).unwrap();
        let m = j.as_object().unwrap();
        assert_eq!(member(m, "a").and_then(J::as_u64), Some(1));
        assert_eq!(member(m, "c").and_then(J::as_bool), Some(true));
        let b = member(m, "b").and_then(J::as_object).unwrap();
        assert_eq!(member(b, "c").and_then(J::as_str), Some("d\"e"));
        assert!(member(m, "d").is_none());
    }
}
