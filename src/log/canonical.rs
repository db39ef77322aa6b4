//! The canonical JSON of log entry bodies (docs/signed-log.md#lines-and-canonical-form).
//!
//! Keys sorted (by bytes, recursively), no whitespace, integers only (0…2^53−1), booleans,
//! strings and objects; no null, floats or arrays. Strings carry no C0/C1 controls, DEL,
//! U+2028/9 or bidi controls, so the only escapes needed are `\"` and `\\` — which makes
//! `jq -jcS .e` reproduce the signed bytes exactly. The verifier parses a body and
//! re-serializes it with [`to_canonical`]; any difference in bytes is `E_NONCANONICAL`.

use serde_json::Value;

/// Largest integer allowed in a body (2^53 − 1: exact in every JSON implementation).
pub const MAX_INT: u64 = (1 << 53) - 1;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonError {
    Null(String),
    Float(String),
    IntRange(String),
    Array(String),
    BadChar(String),
}

impl std::fmt::Display for CanonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CanonError::Null(p) => write!(f, "field {p} is null (leave absent fields out)"),
            CanonError::Float(p) => write!(f, "field {p} is not an integer"),
            CanonError::IntRange(p) => write!(f, "field {p} is outside 0…2^53−1"),
            CanonError::Array(p) => write!(f, "field {p} is an array (not allowed in log entries)"),
            CanonError::BadChar(p) => write!(
                f,
                "field {p} contains a control, line-separator or bidi character"
            ),
        }
    }
}

impl std::error::Error for CanonError {}

/// True for characters a body string may not hold (same set the terminal escaper guards).
pub fn forbidden_char(c: char) -> bool {
    crate::text::is_unsafe_char(c)
}

/// The canonical bytes of `v`, or why it has none.
pub fn to_canonical(v: &Value) -> Result<String, CanonError> {
    let mut out = String::with_capacity(768);
    write_value(v, &mut out, &mut String::new())?;
    Ok(out)
}

fn write_value(v: &Value, out: &mut String, path: &mut String) -> Result<(), CanonError> {
    match v {
        Value::Null => Err(CanonError::Null(path_or_root(path))),
        Value::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            Ok(())
        }
        Value::Number(n) => match n.as_u64() {
            Some(u) if u <= MAX_INT => {
                use std::fmt::Write;
                let _ = write!(out, "{u}");
                Ok(())
            }
            Some(_) => Err(CanonError::IntRange(path_or_root(path))),
            None if n.is_i64() => Err(CanonError::IntRange(path_or_root(path))),
            None => Err(CanonError::Float(path_or_root(path))),
        },
        Value::String(s) => write_str(s, out, path),
        Value::Array(_) => Err(CanonError::Array(path_or_root(path))),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                write_str(k, out, path)?;
                out.push(':');
                write_value(&map[k.as_str()], out, path)?;
                path.truncate(len);
            }
            out.push('}');
            Ok(())
        }
    }
}

fn write_str(s: &str, out: &mut String, path: &str) -> Result<(), CanonError> {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if forbidden_char(c) => return Err(CanonError::BadChar(path_or_root(path))),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Whether `body` is exactly the canonical form of `v`: the same answer as
/// `to_canonical(v) == Ok(body)`, without building the string (the verifier's check of
/// every line: docs/signed-log.md#lines-and-canonical-form).
pub fn is_canonical_form(v: &Value, body: &[u8]) -> bool {
    let mut rest = body;
    eat_value(v, &mut rest) && rest.is_empty()
}

fn eat(rest: &mut &[u8], lit: &[u8]) -> bool {
    match rest.strip_prefix(lit) {
        Some(r) => {
            *rest = r;
            true
        }
        None => false,
    }
}

fn eat_value(v: &Value, rest: &mut &[u8]) -> bool {
    match v {
        Value::Null | Value::Array(_) => false,
        Value::Bool(b) => eat(rest, if *b { b"true" } else { b"false" }),
        Value::Number(n) => match n.as_u64() {
            Some(u) if u <= MAX_INT => {
                let mut digits = [0u8; 20];
                let mut i = digits.len();
                let mut u = u;
                loop {
                    i -= 1;
                    digits[i] = b'0' + (u % 10) as u8;
                    u /= 10;
                    if u == 0 {
                        break;
                    }
                }
                eat(rest, &digits[i..])
            }
            _ => false,
        },
        Value::String(s) => eat_str(s, rest),
        Value::Object(map) => {
            let mut keys: Vec<(&String, &Value)> = map.iter().collect();
            if !keys.is_sorted_by(|a, b| a.0.as_bytes() <= b.0.as_bytes()) {
                keys.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            }
            if !eat(rest, b"{") {
                return false;
            }
            for (i, (k, v)) in keys.into_iter().enumerate() {
                if i > 0 && !eat(rest, b",") {
                    return false;
                }
                if !(eat_str(k, rest) && eat(rest, b":") && eat_value(v, rest)) {
                    return false;
                }
            }
            eat(rest, b"}")
        }
    }
}

/// [`write_str`]'s output compared with `rest`: runs of plain characters at once.
fn eat_str(s: &str, rest: &mut &[u8]) -> bool {
    if !eat(rest, b"\"") {
        return false;
    }
    let b = s.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let special = match c {
            b'"' | b'\\' => true,
            0x20..=0x7e => false,
            0x00..=0x1f | 0x7f => return false,
            _ => {
                // A multi-byte character: check it, then keep it in the run.
                let ch = s[i..].chars().next().unwrap_or('\0');
                if forbidden_char(ch) {
                    return false;
                }
                i += ch.len_utf8();
                continue;
            }
        };
        if special {
            if !eat(rest, &b[plain..i]) {
                return false;
            }
            let esc: &[u8] = if c == b'"' { b"\\\"" } else { b"\\\\" };
            if !eat(rest, esc) {
                return false;
            }
            plain = i + 1;
        }
        i += 1;
    }
    eat(rest, &b[plain..]) && eat(rest, b"\"")
}

fn path_or_root(p: &str) -> String {
    if p.is_empty() {
        "(root)".into()
    } else {
        p.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_and_compacts() {
        let v = json!({"b": 1, "a": {"z": true, "y": "x\"\\"}, "A": 0});
        assert_eq!(
            to_canonical(&v).unwrap(),
            r#"{"A":0,"a":{"y":"x\"\\","z":true},"b":1}"#
        );
    }

    #[test]
    fn rejects_what_jq_would_not_reproduce() {
        assert!(matches!(
            to_canonical(&json!({"a": null})),
            Err(CanonError::Null(_))
        ));
        assert!(matches!(
            to_canonical(&json!({"a": 1.5})),
            Err(CanonError::Float(_))
        ));
        assert!(matches!(
            to_canonical(&json!({"a": -1})),
            Err(CanonError::IntRange(_))
        ));
        assert!(matches!(
            to_canonical(&json!({"a": MAX_INT + 1})),
            Err(CanonError::IntRange(_))
        ));
        assert!(matches!(
            to_canonical(&json!({"a": [1]})),
            Err(CanonError::Array(_))
        ));
        for bad in ["\n", "\u{7f}", "\u{85}", "\u{2028}", "\u{202e}", "\u{0}"] {
            let r = to_canonical(&json!({ "k": { "n": format!("a{bad}b") } }));
            assert_eq!(r, Err(CanonError::BadChar("k.n".into())), "{bad:?}");
        }
        assert_eq!(
            to_canonical(&json!({"a": MAX_INT})).unwrap(),
            format!("{{\"a\":{MAX_INT}}}")
        );
        assert_eq!(to_canonical(&json!({"é": "ü"})).unwrap(), "{\"é\":\"ü\"}");
    }

    /// `is_canonical_form` answers exactly `to_canonical(v) == Ok(body)`: on the canonical
    /// bytes of many values, on every one-byte change, cut and insertion of them, and on
    /// values with no canonical form.
    #[test]
    fn canonical_form_check_equals_reserialization() {
        let values = [
            json!({}),
            json!({"a": 0, "b": MAX_INT, "t": true, "x": "é"}),
            json!({"a": 0, "b": MAX_INT, "c": MAX_INT + 1, "d": -1, "e": 1.5}),
            json!({"k": "plain", "q": "x\"y\\z", "u": "é ü → 中", "n": {"z": true, "a": false}}),
            json!({"bad": "a\u{85}b"}),
            json!({"bad\u{2028}": "a"}),
            json!({"nul": null}),
            json!({"arr": [1]}),
            json!({"deep": {"deeper": {"s": "\\\"", "i": 10}}, "B": "", "a": "\u{7f}"}),
            json!({"e": {"log": "ab", "seq": 12, "note": "q\"\\\"", "ts": "2026-01-01T00:00:00.000Z"}}),
        ];
        let mut checked = 0;
        for v in &values {
            let canon = to_canonical(v).map(String::into_bytes);
            let base = canon
                .clone()
                .unwrap_or_else(|_| serde_json::to_vec(v).unwrap());
            let mut bodies = vec![base.clone()];
            for i in 0..base.len() {
                for d in [1u8, 0x20, 0x80] {
                    let mut m = base.clone();
                    m[i] ^= d;
                    bodies.push(m);
                }
                bodies.push([&base[..i], &base[i + 1..]].concat());
                bodies.push([&base[..i], b"\\", &base[i..]].concat());
                bodies.push(base[..i].to_vec());
            }
            for b in &bodies {
                let want = canon.as_ref().is_ok_and(|c| c == b);
                assert_eq!(
                    is_canonical_form(v, b),
                    want,
                    "{v} vs {}",
                    String::from_utf8_lossy(b)
                );
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }
}
