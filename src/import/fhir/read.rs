//! Reading FHIR JSON: one resource, a Bundle, or NDJSON (any number of JSON values one
//! after another) per file (docs/fhir.md#input). A file that is not JSON, or too large, is an
//! error for the whole run (nothing is written); a value that is JSON but not a usable
//! resource is reported and skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::{Consent, Party};

/// Largest file read (bytes): a FHIR export larger than this should be split.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Where a resource came from: the file and its place in it (never resource content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    /// 1-based index of the top-level JSON value (an NDJSON line, or 1 for a single resource).
    pub value: usize,
    /// 1-based entry of a Bundle.
    pub entry: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resource {}", self.file, self.value)?;
        if let Some(e) = self.entry {
            write!(f, " entry {e}")?;
        }
        Ok(())
    }
}

/// One Consent as read: typed, or why it could not be read.
#[derive(Debug, Clone)]
pub struct ReadConsent {
    pub origin: Origin,
    pub consent: Result<Consent, String>,
    /// `Organization/<id>` and `Patient/<id>` (and `#<id>` for contained ones, and the
    /// Bundle entry's `fullUrl`) → the resource, for resolving references.
    pub local: HashMap<String, Party>,
}

/// A top-level value that is not a Consent (reported, not imported).
#[derive(Debug, Clone)]
pub struct Ignored {
    pub origin: Origin,
    pub resource_type: String,
}

/// Everything read from the input files.
#[derive(Debug, Default)]
pub struct Input {
    pub consents: Vec<ReadConsent>,
    pub ignored: Vec<Ignored>,
    /// Organizations and Patients anywhere in the input, by `Type/id` and `fullUrl`.
    pub parties: HashMap<String, Party>,
    pub files: usize,
}

/// Why reading failed: the file and what is wrong, never file content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ReadError {}

/// The files to read: each FILE as given, each DIR's `*.json` and `*.ndjson` files (not
/// recursive), in name order.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| ReadError {
                file: shown(p),
                message: format!("cannot list the directory: {e}"),
            })?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| matches!(x, "json" | "ndjson"))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads every file; the first unreadable or malformed file stops the run.
pub fn read_files(files: &[PathBuf]) -> Result<Input, ReadError> {
    let mut input = Input::default();
    for f in files {
        let bytes = read_capped(f)?;
        read_bytes(&bytes, &shown(f), &mut input)?;
        input.files += 1;
    }
    Ok(input)
}

fn shown(p: &Path) -> String {
    crate::text::escape(&p.display().to_string()).into_owned()
}

fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let err = |message: String| ReadError {
        file: shown(path),
        message,
    };
    let f = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(err(format!(
            "larger than {} MiB; split the export into smaller NDJSON files",
            MAX_FILE / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Reads one file's bytes into `input` (also the fuzz target's entry point).
pub fn read_bytes(bytes: &[u8], file: &str, input: &mut Input) -> Result<(), ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let err = |message: String| ReadError {
        file: file.to_owned(),
        message,
    };
    if std::str::from_utf8(bytes).is_err() {
        return Err(err("not UTF-8 text; FHIR JSON is UTF-8".to_owned()));
    }
    let stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    let mut n = 0;
    for v in stream {
        let v = v.map_err(|e| {
            err(format!(
                "line {} column {}: not JSON ({}); nothing was written (fix or leave out this file)",
                e.line(),
                e.column(),
                json_problem(&e)
            ))
        })?;
        n += 1;
        let origin = Origin {
            file: file.to_owned(),
            value: n,
            entry: None,
        };
        read_value(v, origin, input);
    }
    if n == 0 {
        return Err(err("holds no JSON resource".to_owned()));
    }
    Ok(())
}

/// What is wrong with the JSON, without quoting it.
fn json_problem(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected value",
        Category::Eof => "ends too early",
    }
}

fn resource_type(v: &Value) -> &str {
    v.get("resourceType").and_then(Value::as_str).unwrap_or("")
}

fn read_value(v: Value, origin: Origin, input: &mut Input) {
    match resource_type(&v) {
        "Bundle" => {
            let entries = match v.get("entry") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            // Parties first, so a Consent before its Organization still resolves.
            for e in &entries {
                if let Some(r) = e.get("resource") {
                    let full = e.get("fullUrl").and_then(Value::as_str);
                    index_party(r, full, &mut input.parties);
                }
            }
            for (i, e) in entries.into_iter().enumerate() {
                let o = Origin {
                    entry: Some(i + 1),
                    ..origin.clone()
                };
                match e.get("resource") {
                    Some(r) if resource_type(r) == "Consent" => {
                        let r = r.clone();
                        read_consent(r, o, input);
                    }
                    Some(r) if matches!(resource_type(r), "Organization" | "Patient") => {}
                    Some(r) => input.ignored.push(Ignored {
                        origin: o,
                        resource_type: type_name(r),
                    }),
                    None => input.ignored.push(Ignored {
                        origin: o,
                        resource_type: "(entry without a resource)".to_owned(),
                    }),
                }
            }
        }
        "Consent" => read_consent(v, origin, input),
        "Organization" | "Patient" => index_party(&v, None, &mut input.parties),
        _ => input.ignored.push(Ignored {
            origin,
            resource_type: type_name(&v),
        }),
    }
}

/// The resource type for a report: a FHIR type name, else a description.
fn type_name(v: &Value) -> String {
    let t = resource_type(v);
    if !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        t.to_owned()
    } else if v.is_object() {
        "(no resourceType)".to_owned()
    } else {
        "(not a JSON object)".to_owned()
    }
}

fn index_party(v: &Value, full_url: Option<&str>, into: &mut HashMap<String, Party>) {
    let t = resource_type(v);
    if !matches!(t, "Organization" | "Patient") {
        return;
    }
    let Ok(p) = serde_json::from_value::<Party>(v.clone()) else {
        return;
    };
    if let Some(id) = &p.id {
        into.insert(format!("{t}/{id}"), p.clone());
    }
    if let Some(u) = full_url {
        into.insert(u.to_owned(), p);
    }
}

fn read_consent(v: Value, origin: Origin, input: &mut Input) {
    let mut local = HashMap::new();
    if let Some(Value::Array(contained)) = v.get("contained") {
        for c in contained {
            let t = resource_type(c);
            if let (true, Ok(p)) = (
                matches!(t, "Organization" | "Patient"),
                serde_json::from_value::<Party>(c.clone()),
            ) && let Some(id) = &p.id
            {
                local.insert(format!("#{id}"), p);
            }
        }
    }
    let consent = serde_json::from_value::<Consent>(v).map_err(|e| {
        format!(
            "not a readable Consent: {} (check it against FHIR R4)",
            shape_problem(&e)
        )
    });
    input.consents.push(ReadConsent {
        origin,
        consent,
        local,
    });
}

/// serde's message without the offending value (`invalid type: string "…", expected a
/// sequence` → `an element has the wrong JSON type: expected a sequence`).
fn shape_problem(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rsplit_once(", expected ") {
        Some((_, expected)) => format!(
            "an element has the wrong JSON type (expected {})",
            crate::text::escape(expected.trim())
        ),
        None => "an element has the wrong JSON type".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Input, ReadError> {
        let mut i = Input::default();
        read_bytes(text.as_bytes(), "f.json", &mut i).map(|()| i)
    }

    #[test]
    fn single_bundle_and_ndjson_are_read() {
        let one = read(r#"{"resourceType":"Consent","id":"a"}"#).unwrap();
        assert_eq!(one.consents.len(), 1);
        let nd = read(
            "{\"resourceType\":\"Consent\",\"id\":\"a\"}\n{\"resourceType\":\"Consent\",\"id\":\"b\"}\n",
        )
        .unwrap();
        assert_eq!(nd.consents.len(), 2);
        assert_eq!(nd.consents[1].origin.value, 2);
        let b = read(
            r#"{"resourceType":"Bundle","entry":[
                {"resource":{"resourceType":"Consent","id":"a","organization":[{"reference":"Organization/o"}]}},
                {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Organization","id":"o","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1"}]}},
                {"resource":{"resourceType":"Provenance"}}]}"#,
        )
        .unwrap();
        assert_eq!(b.consents.len(), 1);
        assert_eq!(b.consents[0].origin.entry, Some(1));
        assert!(b.parties.contains_key("Organization/o"));
        assert!(b.parties.contains_key("urn:uuid:1"));
        assert_eq!(b.ignored.len(), 1);
        assert_eq!(b.ignored[0].resource_type, "Provenance");
    }

    #[test]
    fn bad_json_is_an_error_naming_the_place_not_the_content() {
        let e = read("{\"resourceType\":\"Consent\",\"id\":\"SECRET\" oops}").unwrap_err();
        assert!(e.message.contains("line 1 column"), "{e}");
        assert!(!e.to_string().contains("SECRET"), "{e}");
        assert!(read("").unwrap_err().message.contains("no JSON resource"));
        let mut i = Input::default();
        assert!(read_bytes(b"\xff\xfe", "f", &mut i).is_err());
    }

    #[test]
    fn wrong_types_are_reported_per_resource_without_values() {
        let i = read(r#"{"resourceType":"Consent","id":"a","status":["CANARY"]}"#).unwrap();
        let e = i.consents[0].consent.as_ref().unwrap_err();
        assert!(e.contains("wrong JSON type"), "{e}");
        assert!(!e.contains("CANARY"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(read(&deep).is_err());
    }
}
