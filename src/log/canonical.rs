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
    match write_value(v, &mut out) {
        Ok(()) => Ok(out),
        Err(Stop::Bad(kind, mut keys)) => {
            keys.reverse();
            Err(kind(if keys.is_empty() {
                "(root)".into()
            } else {
                keys.join(".")
            }))
        }
        // A `String` takes every byte.
        Err(Stop::Mismatch) => unreachable!("a String sink never refuses"),
    }
}

/// Whether `body` is exactly the canonical form of `v`: the same answer as
/// `to_canonical(v) == Ok(body)`, without building the string (the verifier's check of
/// every line: docs/signed-log.md#lines-and-canonical-form). One writer serves both: here
/// its output is compared with `body` as it is produced.
pub fn is_canonical_form(v: &Value, body: &[u8]) -> bool {
    let mut rest = Compare(body);
    write_value(v, &mut rest).is_ok() && rest.0.is_empty()
}

/// Where the canonical bytes go: appended to a `String`, or compared with a body.
trait Sink {
    /// `false` when the bytes differ from what the sink expects (compare only).
    fn put(&mut self, s: &str) -> bool;
}

impl Sink for String {
    fn put(&mut self, s: &str) -> bool {
        self.push_str(s);
        true
    }
}

/// The body still to match.
struct Compare<'a>(&'a [u8]);

impl Sink for Compare<'_> {
    fn put(&mut self, s: &str) -> bool {
        match self.0.strip_prefix(s.as_bytes()) {
            Some(r) => {
                self.0 = r;
                true
            }
            None => false,
        }
    }
}

/// Why writing stopped. The field path of an error is collected only on the way out (keys
/// innermost first), so a value that is fine costs no path building.
enum Stop<'v> {
    Bad(fn(String) -> CanonError, Vec<&'v str>),
    Mismatch,
}

fn put<'v>(out: &mut impl Sink, s: &str) -> Result<(), Stop<'v>> {
    if out.put(s) {
        Ok(())
    } else {
        Err(Stop::Mismatch)
    }
}

fn bad<'v>(kind: fn(String) -> CanonError) -> Result<(), Stop<'v>> {
    Err(Stop::Bad(kind, Vec::new()))
}

fn write_value<'v>(v: &'v Value, out: &mut impl Sink) -> Result<(), Stop<'v>> {
    match v {
        Value::Null => bad(CanonError::Null),
        Value::Bool(b) => put(out, if *b { "true" } else { "false" }),
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
                // ASCII digits only.
                put(out, std::str::from_utf8(&digits[i..]).unwrap_or("0"))
            }
            Some(_) => bad(CanonError::IntRange),
            None if n.is_i64() => bad(CanonError::IntRange),
            None => bad(CanonError::Float),
        },
        Value::String(s) => write_str(s, out),
        Value::Array(_) => bad(CanonError::Array),
        Value::Object(map) => {
            let mut keys: Vec<(&String, &Value)> = map.iter().collect();
            if !keys.is_sorted_by(|a, b| a.0.as_bytes() <= b.0.as_bytes()) {
                keys.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            }
            put(out, "{")?;
            for (i, (k, v)) in keys.into_iter().enumerate() {
                if i > 0 {
                    put(out, ",")?;
                }
                write_str(k, out)
                    .and_then(|()| put(out, ":"))
                    .and_then(|()| write_value(v, out))
                    .map_err(|e| match e {
                        Stop::Bad(kind, mut keys) => {
                            keys.push(k);
                            Stop::Bad(kind, keys)
                        }
                        m => m,
                    })?;
            }
            put(out, "}")
        }
    }
}

/// A string with `"` and `\` escaped, written in runs of plain characters; a forbidden
/// character is an error.
fn write_str<'v>(s: &str, out: &mut impl Sink) -> Result<(), Stop<'v>> {
    put(out, "\"")?;
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            ' '..='~' => continue,
            c if forbidden_char(c) => return bad(CanonError::BadChar),
            _ => continue,
        };
        put(out, &s[plain..i])?;
        put(out, esc)?;
        plain = i + 1;
    }
    put(out, &s[plain..])?;
    put(out, "\"")
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
