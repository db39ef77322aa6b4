//! A fast block-style YAML writer for serde types, used for import output.
//!
//! Why not `serde_yaml::to_string`: libyaml's emitter writes 15–30 MB/s, and a 100,000-claim
//! import with `--all` is ~60 MB of YAML — several seconds, over the import budget. This
//! writer emits the same block layout serde_yaml does (mappings indented by 2, sequences
//! inside mappings not indented, `[]`/`{}` for empty ones) at a few hundred MB/s. Scalars
//! are written plain only when they are unambiguous identifiers (`D-0001`, `health_plan`,
//! `F11.20`); everything else is double-quoted with escapes for every character YAML does
//! not allow raw, so no input text can change the document's structure. Tests check that
//! serde_yaml reads back exactly what it would have read from its own output.

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

/// Serialization error (only custom errors from `Serialize` impls, and non-string keys).
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The value tree: scalars are kept already rendered.
enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// Serializes `value` as a YAML document.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let node = value.serialize(NodeSer)?;
    let mut out = String::with_capacity(4096);
    match &node {
        Node::Scalar(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Node::Seq(v) if v.is_empty() => out.push_str("[]\n"),
        Node::Map(m) if m.is_empty() => out.push_str("{}\n"),
        Node::Seq(items) => write_seq(&mut out, items, 0),
        Node::Map(entries) => write_map(&mut out, entries, 0, false),
    }
    Ok(out)
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// `first_inline`: the first key goes right after a `- ` already written.
fn write_map(out: &mut String, entries: &[(String, Node)], ind: usize, first_inline: bool) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, ind);
        }
        out.push_str(k);
        out.push(':');
        match v {
            Node::Scalar(s) => {
                out.push(' ');
                out.push_str(s);
                out.push('\n');
            }
            Node::Seq(items) if items.is_empty() => out.push_str(" []\n"),
            Node::Map(m) if m.is_empty() => out.push_str(" {}\n"),
            Node::Seq(items) => {
                out.push('\n');
                write_seq(out, items, ind);
            }
            Node::Map(m) => {
                out.push('\n');
                write_map(out, m, ind + 2, false);
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], ind: usize) {
    for item in items {
        indent(out, ind);
        out.push_str("- ");
        match item {
            Node::Scalar(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Node::Seq(v) if v.is_empty() => out.push_str("[]\n"),
            Node::Map(m) if m.is_empty() => out.push_str("{}\n"),
            Node::Seq(v) => {
                // A nested sequence starts on its own lines, indented past the dash.
                out.pop();
                out.push('\n');
                write_seq(out, v, ind + 2);
            }
            Node::Map(m) => write_map(out, m, ind + 2, true),
        }
    }
}

/// A string as a YAML scalar: plain when it can only be read back as this same string,
/// else double-quoted.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            // Printable in YAML and harmless on a terminal: raw.
            c if !needs_escape(c) => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                use std::fmt::Write;
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Characters written as escapes: outside YAML's printable set, or line/paragraph
/// separators, bidi controls and the BOM (legal YAML, but they reorder or hide text).
fn needs_escape(c: char) -> bool {
    let u = c as u32;
    !(0xA0..=0xD7FF).contains(&u) && !(0xE000..=0xFFFD).contains(&u) && u < 0x10000
        || crate::text::is_unsafe_char(c)
        || c == '\u{FEFF}'
}

fn is_plain_safe(s: &str) -> bool {
    let b = s.as_bytes();
    // A date (`2026-11-28`): serde_yaml has no timestamp type and reads it as a string.
    let date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    date || !b.is_empty()
        && b.len() <= 128
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "inf"
                | "infinity" | "nan"
        )
}

struct NodeSer;

struct SeqSer(Vec<Node>);
struct MapSer {
    entries: Vec<(String, Node)>,
    key: Option<String>,
}
struct VariantSer {
    name: &'static str,
    inner: Vec<Node>,
    fields: Vec<(String, Node)>,
}

fn key_of(n: Node) -> Result<String, Error> {
    match n {
        Node::Scalar(s) => Ok(s),
        _ => Err(Error("a mapping key must be a string".into())),
    }
}

impl ser::Serializer for NodeSer {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = VariantSer;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = VariantSer;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(Node::Scalar(if v { "true" } else { "false" }.into()))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Error> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        Ok(Node::Scalar(if v.is_nan() {
            ".nan".into()
        } else if v.is_infinite() {
            if v > 0.0 { ".inf" } else { "-.inf" }.into()
        } else {
            format!("{v:?}")
        }))
    }
    fn serialize_char(self, v: char) -> Result<Node, Error> {
        Ok(Node::Scalar(scalar(v.encode_utf8(&mut [0; 4]))))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        Ok(Node::Scalar(scalar(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        Ok(Node::Seq(
            v.iter().map(|b| Node::Scalar(b.to_string())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Node, Error> {
        Ok(Node::Scalar("null".into()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(Node::Scalar("null".into()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Node, Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Node, Error> {
        Ok(Node::Scalar(scalar(variant)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        Ok(Node::Map(vec![(scalar(variant), value.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, Error> {
        Ok(SeqSer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<VariantSer, Error> {
        Ok(VariantSer {
            name: variant,
            inner: Vec::new(),
            fields: Vec::new(),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer {
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapSer, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<VariantSer, Error> {
        self.serialize_tuple_variant("", 0, variant, 0)
    }
}

impl ser::SerializeSeq for SeqSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(v.serialize(NodeSer)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Seq(self.0))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.key = Some(key_of(k.serialize(NodeSer)?)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let k = self
            .key
            .take()
            .ok_or_else(|| Error("a mapping value without a key".into()))?;
        self.entries.push((k, v.serialize(NodeSer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(self.entries))
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.entries.push((scalar(key), v.serialize(NodeSer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(self.entries))
    }
}

impl ser::SerializeTupleVariant for VariantSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.inner.push(v.serialize(NodeSer)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(vec![(scalar(self.name), Node::Seq(self.inner))]))
    }
}

impl ser::SerializeStructVariant for VariantSer {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.fields.push((scalar(key), v.serialize(NodeSer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(vec![(scalar(self.name), Node::Map(self.fields))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// serde_yaml must read our text exactly as it reads its own.
    fn same_as_serde_yaml<T: Serialize>(v: &T) {
        let ours = to_string(v).unwrap();
        let theirs = serde_yaml::to_string(v).unwrap();
        let a: serde_yaml::Value = serde_yaml::from_str(&ours).unwrap_or_else(|e| panic!("{e}\n{ours}"));
        let b: serde_yaml::Value = serde_yaml::from_str(&theirs).unwrap();
        assert_eq!(a, b, "ours:\n{ours}\ntheirs:\n{theirs}");
    }

    #[test]
    fn awkward_strings_round_trip() {
        let strings = [
            "", " ", "true", "False", "NULL", "~", "y", "n", "yes", "no", "on", "off", "1", "01",
            "0x1F", "1e3", "-1", "+1", ".5", ".inf", "-.inf", ".nan", "inf", "NaN", "2026-11-28",
            "12:30", "a: b", "- a", "# c", "a #b", "[x]", "{x}", "&a", "*a", "!t", "|", ">",
            "%x", "@x", "`x", "'q'", "\"q\"", "back\\slash", "line\nbreak", "tab\there", "cr\r",
            "\u{1b}[2J", "\u{85}", "\u{2028}", "\u{202e}rtl", "\u{feff}bom", "caf\u{e9}",
            "\u{1f3e5}", "\u{7f}", "\u{9b}", "D-0001", "F11.20", "health_plan", "P-ABC234",
            " lead", "trail ", "a  b", "---", "...", "?", "? x", "x?", ",", "a,b",
        ];
        for s in strings {
            same_as_serde_yaml(&s);
            let back: String = serde_yaml::from_str(&to_string(&s).unwrap()).unwrap();
            assert_eq!(back, s);
        }
        let mut m = BTreeMap::new();
        for (i, s) in strings.iter().enumerate() {
            m.insert(format!("k{i}"), vec![s.to_string(), s.to_string()]);
        }
        m.insert("empty".into(), vec![]);
        same_as_serde_yaml(&m);
    }

    #[test]
    fn nested_layout_matches() {
        #[derive(serde::Serialize)]
        struct Inner {
            a: Vec<u32>,
            b: Option<String>,
            c: BTreeMap<String, Vec<Vec<u8>>>,
        }
        let v = vec![
            Inner {
                a: vec![1, 2],
                b: None,
                c: BTreeMap::from([("x".into(), vec![vec![1, 2], vec![]])]),
            },
            Inner {
                a: vec![],
                b: Some("s".into()),
                c: BTreeMap::new(),
            },
        ];
        same_as_serde_yaml(&v);
        same_as_serde_yaml(&BTreeMap::from([("k", v)]));
    }
}
