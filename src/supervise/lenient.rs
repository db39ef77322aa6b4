//! Reading a `decision` line into the supervisor's [`DecisionBody`] without the schema
//! check: the verifier has already judged the line (its findings go with the record),
//! and an entry that failed is still shown, so only what a row needs must be there.
//!
//! The JSON names below are those of `log::entry::Entry::to_value` (the one declaration of
//! the entry); `tests::the_lenient_reading_is_the_projection_of_the_entry` fails if they
//! drift apart. Text is borrowed from the line and interned, never copied per record.

use std::borrow::Cow;

use serde::Deserialize;

use super::intern::{Hash, Interning};
use super::record::{DecisionBody, PolicyId, PolicyPair, RecipientRef};

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    e: Fields<'a>,
}

/// `Cow`: borrowed unless the JSON string has escapes.
type Text<'a> = Cow<'a, str>;

#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(rename = "type", borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    log: Text<'a>,
    seq: u64,
    #[serde(borrow)]
    ts: Text<'a>,
    #[serde(borrow)]
    reviewer: Text<'a>,
    #[serde(borrow)]
    key: Text<'a>,
    #[serde(borrow)]
    queue: Text<'a>,
    #[serde(borrow)]
    disclosure: Text<'a>,
    #[serde(borrow)]
    disclosure_sha256: Text<'a>,
    #[serde(borrow)]
    subject: Text<'a>,
    #[serde(borrow)]
    recipient: Recipient<'a>,
    #[serde(borrow)]
    purpose: Text<'a>,
    #[serde(borrow)]
    as_of: Text<'a>,
    #[serde(default, borrow)]
    consent: Option<Text<'a>>,
    #[serde(borrow)]
    consent_status: Text<'a>,
    #[serde(borrow)]
    part2: Text<'a>,
    #[serde(borrow)]
    hipaa: Text<'a>,
    #[serde(borrow)]
    rule: Text<'a>,
    unsettled: bool,
    #[serde(borrow)]
    policy: Policies<'a>,
    #[serde(borrow)]
    decision: Text<'a>,
    #[serde(default, borrow)]
    reason_code: Option<Text<'a>>,
    #[serde(default, borrow)]
    note: Option<Text<'a>>,
    #[serde(rename = "override")]
    override_: bool,
    #[serde(default, borrow)]
    supersedes: Option<Text<'a>>,
    /// v2 only (docs/signed-log.md); absent means `false`.
    #[serde(default)]
    second_required: bool,
}

#[derive(Deserialize)]
struct Recipient<'a> {
    #[serde(borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Policies<'a> {
    #[serde(borrow)]
    part2: Policy<'a>,
    #[serde(borrow)]
    hipaa: Policy<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Policy<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    sha256: Text<'a>,
}

impl Fields<'_> {
    fn body(&self) -> DecisionBody {
        let mut t = Interning::lock();
        let pid = |t: &mut Interning, p: &Policy| PolicyId {
            id: t.sym(&p.id),
            version: t.sym(&p.version),
            sha256: t.sym(&p.sha256),
        };
        DecisionBody {
            log: t.sym(&self.log),
            seq: self.seq,
            reviewer: t.sym(&self.reviewer),
            key: t.sym(&self.key),
            queue: t.sym(&self.queue),
            disclosure: t.sym(&self.disclosure),
            disclosure_sha256: Hash::parse_hex(&self.disclosure_sha256),
            subject: t.sym(&self.subject),
            recipient: RecipientRef {
                kind: t.sym(&self.recipient.kind),
                name: t.sym(&self.recipient.name),
            },
            purpose: t.sym(&self.purpose),
            as_of: t.sym(&self.as_of),
            consent: self.consent.as_deref().map(|s| t.sym(s)),
            consent_status: t.sym(&self.consent_status),
            part2: t.sym(&self.part2),
            hipaa: t.sym(&self.hipaa),
            rule: t.sym(&self.rule),
            unsettled: self.unsettled,
            policy: PolicyPair {
                part2: pid(&mut t, &self.policy.part2),
                hipaa: pid(&mut t, &self.policy.hipaa),
            },
            decision: t.sym(&self.decision),
            reason_code: self.reason_code.as_deref().map(|s| t.sym(s)),
            note: self.note.as_deref().map(|s| t.sym(s)),
            override_: self.override_,
            supersedes: self.supersedes.as_deref().and_then(Hash::parse_hex),
            second_required: self.second_required,
        }
    }
}

/// `ts` in ms: the entry form, or (on an entry that failed verification) any RFC 3339.
fn ts_ms(s: &str) -> Option<i64> {
    crate::log::entry::parse_ts_ms(s).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

fn read(f: Fields) -> Result<(DecisionBody, i64), String> {
    if f.kind != "decision" {
        return Err("not a decision entry".into());
    }
    let ts = ts_ms(&f.ts).ok_or("bad ts")?;
    Ok((f.body(), ts))
}

/// A body (`{"v":1,…}`) read leniently, with its `ts` in ms.
pub fn read_body(json: &[u8]) -> Result<(DecisionBody, i64), String> {
    let f: Fields =
        serde_json::from_slice(json).map_err(|e| format!("not a decision entry: {e}"))?;
    read(f)
}

/// A whole log line (`{"e":{…},"sig":"…"}`, no LF) read leniently; `None` when it is not
/// a decision entry readable as one.
pub fn read_line(line: &[u8]) -> Option<(DecisionBody, i64)> {
    // No pre-scan for the type: nearly every line is a decision, and the few others
    // (genesis, recovery) fail the parse on their missing fields.
    let l: Line = serde_json::from_slice(line).ok()?;
    read(l.e).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::canonical::to_canonical;
    use crate::log::read::tests::sample_decision_entry;

    /// The lenient reading of an entry's signed bytes is exactly the projection of the
    /// typed entry: a field renamed in `log::entry` breaks the build (`of_entry`) or
    /// this test (the JSON names here).
    #[test]
    fn the_lenient_reading_is_the_projection_of_the_entry() {
        let e = sample_decision_entry();
        let json = to_canonical(&e.to_value()).unwrap();
        let (body, ts) = read_body(json.as_bytes()).unwrap();
        assert_eq!(Some(body), DecisionBody::of_entry(&e));
        assert_eq!(Some(ts), crate::log::entry::parse_ts_ms(&e.ts));
        // Every optional field is set in the sample, so none was silently defaulted.
        let b = DecisionBody::of_entry(&e).unwrap();
        assert!(b.consent.is_some() && b.reason_code.is_some() && b.note.is_some());
        assert!(b.supersedes.is_some() && b.disclosure_sha256.is_some());
        assert_eq!(b.policy.hipaa.id, "hipaa-core");
        assert_eq!(b.recipient.name, "Pinecrest Health Plan");
        assert!(b.override_ && b.unsettled && b.second_required);
        // The framed line reads the same.
        let line = format!("{{\"e\":{json},\"sig\":\"AAAA\"}}");
        assert_eq!(read_line(line.as_bytes()).map(|x| x.0), Some(b));
    }

    #[test]
    fn other_entries_and_unreadable_lines_are_not_rows() {
        assert!(read_line(br#"{"e":{"type":"genesis"},"sig":"x"}"#).is_none());
        assert!(read_line(br#"{"e":{"type":"decision"},"sig":"x"}"#).is_none());
        assert!(read_line(b"\xff\"type\":\"decision\"").is_none());
        assert!(read_body(br#"{"type":"decision"}"#).is_err());
    }
}
