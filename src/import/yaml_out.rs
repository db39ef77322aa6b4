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

/// Serializes `value` as a YAML document, streaming into one `String` (no value tree:
/// allocation dominated the first, tree-building version).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = String::with_capacity(4096);
    value.serialize(Ser {
        w: &mut out,
        place: Place::Top,
    })?;
    Ok(out)
}

/// Where the value being serialized sits; `indent` is the column of its key or dash.
#[derive(Clone, Copy)]
enum Place {
    Top,
    /// After `key:` (no space yet).
    MapValue(usize),
    /// After `- `.
    SeqItem(usize),
}

impl Place {
    /// Column of the entries of a mapping placed here.
    fn map_indent(self) -> usize {
        match self {
            Place::Top => 0,
            Place::MapValue(i) | Place::SeqItem(i) => i + 2,
        }
    }
    /// Column of the dashes of a sequence placed here (serde_yaml style: a sequence in a
    /// mapping is not indented).
    fn seq_indent(self) -> usize {
        match self {
            Place::Top => 0,
            Place::MapValue(i) => i,
            Place::SeqItem(i) => i + 2,
        }
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

struct Ser<'w> {
    w: &'w mut String,
    place: Place,
}

impl Ser<'_> {
    fn scalar(self, s: &str) -> Result<(), Error> {
        if let Place::MapValue(_) = self.place {
            self.w.push(' ');
        }
        self.w.push_str(s);
        self.w.push('\n');
        Ok(())
    }
}

/// A sequence or mapping being written; the opening line break is written lazily with the
/// first element, so an empty one becomes `[]` / `{}`.
struct Compound<'w> {
    w: &'w mut String,
    place: Place,
    count: usize,
    /// Newtype variant: the one-entry mapping `variant: value`.
    pending_key: Option<String>,
}

impl Compound<'_> {
    fn open_seq_item(&mut self) {
        if self.count == 0 {
            match self.place {
                Place::Top => {}
                Place::MapValue(_) => self.w.push('\n'),
                Place::SeqItem(_) => {
                    // `- ` already written: a nested sequence starts on the next line.
                    self.w.pop();
                    self.w.push('\n');
                }
            }
        }
        indent(self.w, self.place.seq_indent());
        self.w.push_str("- ");
        self.count += 1;
    }

    fn open_map_entry(&mut self, key: &str) {
        match (self.count, self.place) {
            (0, Place::MapValue(_)) => {
                self.w.push('\n');
                indent(self.w, self.place.map_indent());
            }
            (0, Place::SeqItem(_) | Place::Top) => {}
            _ => indent(self.w, self.place.map_indent()),
        }
        self.w.push_str(key);
        self.w.push(':');
        self.count += 1;
    }

    fn close(self, empty: &str) -> Result<(), Error> {
        if self.count == 0 {
            if let Place::MapValue(_) = self.place {
                self.w.push(' ');
            }
            self.w.push_str(empty);
            self.w.push('\n');
        }
        Ok(())
    }

    fn child(&mut self, place: Place) -> Ser<'_> {
        Ser { w: self.w, place }
    }
}

/// Renders a mapping key (must be a scalar).
fn key_text<T: Serialize + ?Sized>(k: &T) -> Result<String, Error> {
    let mut s = String::new();
    k.serialize(Ser {
        w: &mut s,
        place: Place::Top,
    })?;
    s.pop();
    if s.contains('\n') {
        return Err(Error("a mapping key must be a scalar".into()));
    }
    Ok(s)
}

/// A string as a YAML scalar: plain when it can only be read back as this same string,
/// else double-quoted.
fn push_scalar(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
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
            "true"
                | "false"
                | "null"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "inf"
                | "infinity"
                | "nan"
        )
}

impl<'w> ser::Serializer for Ser<'w> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w>;
    type SerializeTuple = Compound<'w>;
    type SerializeTupleStruct = Compound<'w>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Compound<'w>;
    type SerializeStruct = Compound<'w>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.scalar(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.scalar(&v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        let s = if v.is_nan() {
            ".nan".to_owned()
        } else if v.is_infinite() {
            if v > 0.0 { ".inf" } else { "-.inf" }.to_owned()
        } else {
            format!("{v:?}")
        };
        self.scalar(&s)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        if let Place::MapValue(_) = self.place {
            self.w.push(' ');
        }
        push_scalar(self.w, v);
        self.w.push('\n');
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.scalar("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        use ser::SerializeMap;
        let mut m = self.serialize_map(Some(1))?;
        m.pending_key = Some(variant.to_owned());
        m.serialize_value(value)?;
        m.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w>, Error> {
        Ok(Compound {
            w: self.w,
            place: self.place,
            count: 0,
            pending_key: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'w>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error(format!("tuple variant {variant} is not supported")))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w>, Error> {
        self.serialize_seq(None)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'w>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error(format!("struct variant {variant} is not supported")))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.open_seq_item();
        let place = Place::SeqItem(self.place.seq_indent());
        v.serialize(self.child(place))
    }
    fn end(self) -> Result<(), Error> {
        self.close("[]")
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.pending_key = Some(key_text(k)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let k = self
            .pending_key
            .take()
            .ok_or_else(|| Error("a mapping value without a key".into()))?;
        self.open_map_entry(&k);
        let place = Place::MapValue(self.place.map_indent());
        v.serialize(self.child(place))
    }
    fn end(self) -> Result<(), Error> {
        self.close("{}")
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        let mut k = String::with_capacity(key.len());
        push_scalar(&mut k, key);
        self.open_map_entry(&k);
        let place = Place::MapValue(self.place.map_indent());
        v.serialize(self.child(place))
    }
    fn end(self) -> Result<(), Error> {
        self.close("{}")
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
        let a: serde_yaml::Value =
            serde_yaml::from_str(&ours).unwrap_or_else(|e| panic!("{e}\n{ours}"));
        let b: serde_yaml::Value = serde_yaml::from_str(&theirs).unwrap();
        assert_eq!(a, b, "ours:\n{ours}\ntheirs:\n{theirs}");
    }

    #[test]
    fn awkward_strings_round_trip() {
        let strings = [
            "",
            " ",
            "true",
            "False",
            "NULL",
            "~",
            "y",
            "n",
            "yes",
            "no",
            "on",
            "off",
            "1",
            "01",
            "0x1F",
            "1e3",
            "-1",
            "+1",
            ".5",
            ".inf",
            "-.inf",
            ".nan",
            "inf",
            "NaN",
            "2026-11-28",
            "12:30",
            "a: b",
            "- a",
            "# c",
            "a #b",
            "[x]",
            "{x}",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "'q'",
            "\"q\"",
            "back\\slash",
            "line\nbreak",
            "tab\there",
            "cr\r",
            "\u{1b}[2J",
            "\u{85}",
            "\u{2028}",
            "\u{202e}rtl",
            "\u{feff}bom",
            "caf\u{e9}",
            "\u{1f3e5}",
            "\u{7f}",
            "\u{9b}",
            "D-0001",
            "F11.20",
            "health_plan",
            "P-ABC234",
            " lead",
            "trail ",
            "a  b",
            "---",
            "...",
            "?",
            "? x",
            "x?",
            ",",
            "a,b",
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
