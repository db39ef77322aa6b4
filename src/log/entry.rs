//! Log entries (docs/signed-log.md#entries): the typed form, its JSON value and the schema check.
//!
//! `Entry::to_value` is what the appender signs (after canonical serialization) and
//! `Entry::from_value` is the verifier's `E_SCHEMA` check: every field present with the
//! right shape, no unknown field, and the cross-field rules (override, reasons, passed).

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::json::J;

use crate::decision::{self, Decision, ReasonCode};
use crate::verdict::{ConsentStatus, HipaaStatus, Part2Status, PolicyRef, PolicyRefs};

/// The `v: 2` incident entry types (a child module: it shares the field reader below).
#[path = "entry_incident.rs"]
pub mod incident;

/// Which log an entry belongs to; fixed by the genesis entry and never mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    Production,
    Demo,
    Training,
}

impl LogKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Production => "production",
            LogKind::Demo => "demo",
            LogKind::Training => "training",
        }
    }
    pub fn parse(s: &str) -> Option<LogKind> {
        [LogKind::Production, LogKind::Demo, LogKind::Training]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The fields every entry carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub log: String,
    pub seq: u64,
    pub prev: String,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`
    pub ts: String,
    pub reviewer: String,
    pub key: String,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Genesis {
        log_kind: LogKind,
        created_by: String,
    },
    Decision(Box<DecisionFields>),
    TailRecovery {
        torn_off: u64,
        torn_len: u64,
        torn_sha256: String,
    },
    TrainingCompletion(Box<TrainingFields>),
    /// `v: 2`: `incident`, `incident_assessment`, `incident_delay`, `incident_notice`.
    Incident(incident::IncidentBody),
}

impl Body {
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Genesis { .. } => "genesis",
            Body::Decision(_) => "decision",
            Body::TailRecovery { .. } => "tail_recovery",
            Body::TrainingCompletion(_) => "training_completion",
            Body::Incident(i) => i.type_name(),
        }
    }

    /// The entry version this body is written as (v1 rules are frozen; docs/signed-log.md):
    /// `2` for the incident types and for a decision holding the v2 field
    /// `second_required`; every other entry stays `v: 1`, readable by earlier verifiers.
    pub fn version(&self) -> u64 {
        match self {
            Body::Incident(_) => incident::VERSION,
            Body::Decision(d) if d.second_required => 2,
            _ => 1,
        }
    }
}

/// A `decision` entry's own fields (docs/signed-log.md#entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFields {
    pub queue: String,
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub subject: String,
    pub recipient_kind: String,
    pub recipient_name: String,
    pub purpose: String,
    pub as_of: String,
    pub consent: Option<String>,
    pub consent_status: ConsentStatus,
    pub part2: Part2Status,
    pub hipaa: HipaaStatus,
    pub rule: String,
    pub unsettled: bool,
    pub policy: PolicyRefs,
    pub decision: Decision,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    pub override_: bool,
    pub supersedes: Option<String>,
    /// Four-eyes (docs/team.md#four-eyes): an override approval that a second principal
    /// must approve before it is effective. Only in `v: 2` entries; `false` writes `v: 1`.
    pub second_required: bool,
}

/// A `training_completion` entry's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFields {
    pub pack_id: String,
    pub pack_version: String,
    pub policy: PolicyRefs,
    pub correct: u64,
    pub total: u64,
    pub pass_mark: u64,
    pub passed: bool,
}

fn policy_value(p: &PolicyRefs) -> Value {
    let one = |r: &PolicyRef| json!({"id": r.id, "version": r.version, "sha256": r.sha256});
    json!({"part2": one(&p.part2), "hipaa": one(&p.hipaa)})
}

impl Entry {
    /// The version the entry is written as: its body's ([`Body::version`]).
    pub fn version(&self) -> u64 {
        self.body.version()
    }

    /// The JSON object to canonicalize and sign.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("v".into(), json!(self.version()));
        m.insert("log".into(), json!(self.log));
        m.insert("seq".into(), json!(self.seq));
        m.insert("prev".into(), json!(self.prev));
        m.insert("type".into(), json!(self.body.type_name()));
        m.insert("ts".into(), json!(self.ts));
        m.insert("reviewer".into(), json!(self.reviewer));
        m.insert("key".into(), json!(self.key));
        match &self.body {
            Body::Genesis {
                log_kind,
                created_by,
            } => {
                m.insert("log_kind".into(), json!(log_kind.as_str()));
                m.insert("created_by".into(), json!(created_by));
            }
            Body::TailRecovery {
                torn_off,
                torn_len,
                torn_sha256,
            } => {
                m.insert("torn_off".into(), json!(torn_off));
                m.insert("torn_len".into(), json!(torn_len));
                m.insert("torn_sha256".into(), json!(torn_sha256));
            }
            Body::Decision(d) => {
                m.insert("queue".into(), json!(d.queue));
                m.insert("disclosure".into(), json!(d.disclosure));
                m.insert("disclosure_sha256".into(), json!(d.disclosure_sha256));
                m.insert("subject".into(), json!(d.subject));
                m.insert(
                    "recipient".into(),
                    json!({"kind": d.recipient_kind, "name": d.recipient_name}),
                );
                m.insert("purpose".into(), json!(d.purpose));
                m.insert("as_of".into(), json!(d.as_of));
                if let Some(c) = &d.consent {
                    m.insert("consent".into(), json!(c));
                }
                m.insert("consent_status".into(), json!(d.consent_status.as_str()));
                m.insert("part2".into(), json!(d.part2.as_str()));
                m.insert("hipaa".into(), json!(d.hipaa.as_str()));
                m.insert("rule".into(), json!(d.rule));
                m.insert("unsettled".into(), json!(d.unsettled));
                m.insert("policy".into(), policy_value(&d.policy));
                m.insert("decision".into(), json!(d.decision.as_str()));
                if let Some(r) = d.reason_code {
                    m.insert("reason_code".into(), json!(r.as_str()));
                }
                if let Some(n) = &d.note {
                    m.insert("note".into(), json!(n));
                }
                m.insert("override".into(), json!(d.override_));
                if let Some(s) = &d.supersedes {
                    m.insert("supersedes".into(), json!(s));
                }
                if d.second_required {
                    m.insert("second_required".into(), json!(true));
                }
            }
            Body::TrainingCompletion(t) => {
                m.insert(
                    "pack".into(),
                    json!({"id": t.pack_id, "version": t.pack_version}),
                );
                m.insert("policy".into(), policy_value(&t.policy));
                m.insert("correct".into(), json!(t.correct));
                m.insert("total".into(), json!(t.total));
                m.insert("pass_mark".into(), json!(t.pass_mark));
                m.insert("passed".into(), json!(t.passed));
            }
            Body::Incident(i) => i.put(&mut m),
        }
        Value::Object(m)
    }

    /// The schema check. `Err` names the field (never its value: values may be PHI-shaped).
    pub fn from_value(v: &Value) -> Result<Entry, String> {
        Entry::from_json(&J::from_value(v))
    }

    /// [`Entry::from_value`] of a body as `super::json` reads it (the verifier's path).
    pub fn from_json(v: &J) -> Result<Entry, String> {
        let mut f = Fields::new(v, "entry")?;
        let v = f.u64("v")?;
        if v != 1 && v != 2 {
            return Err("v is not 1 or 2".into());
        }
        let log = f.hex("log", 32)?;
        let seq = f.u64("seq")?;
        let prev = f.hex("prev", 64)?;
        let ty = f.str("type")?;
        let ts = f.str_with("ts", |s| parse_ts_ms(s).is_some())?;
        let reviewer = f.str_with("reviewer", super::keys::valid_principal)?;
        let key = f.str_with("key", is_fingerprint)?;
        let body = match ty {
            "genesis" => {
                let log_kind = LogKind::parse(f.str("log_kind")?)
                    .ok_or("log_kind is not production, demo or training")?;
                let created_by = f.str_with("created_by", super::keys::valid_principal)?;
                Body::Genesis {
                    log_kind,
                    created_by,
                }
            }
            "tail_recovery" => Body::TailRecovery {
                torn_off: f.u64("torn_off")?,
                torn_len: f.u64("torn_len")?,
                torn_sha256: f.hex("torn_sha256", 64)?,
            },
            "decision" => Body::Decision(Box::new(decision_fields(&mut f, v)?)),
            "training_completion" => {
                let mut p = f.object("pack")?;
                let pack_id = p.str_with("id", non_empty)?;
                let pack_version = p.str_with("version", non_empty)?;
                p.done()?;
                let policy = policy_fields(&mut f)?;
                let correct = f.u64("correct")?;
                let total = f.u64("total")?;
                let pass_mark = f.u64("pass_mark")?;
                let passed = f.bool("passed")?;
                if correct > total || pass_mark > 100 || total == 0 {
                    return Err("correct/total/pass_mark out of range".into());
                }
                if passed != (100 * correct >= pass_mark * total) {
                    return Err("passed does not match correct, total and pass_mark".into());
                }
                Body::TrainingCompletion(Box::new(TrainingFields {
                    pack_id,
                    pack_version,
                    policy,
                    correct,
                    total,
                    pass_mark,
                    passed,
                }))
            }
            other => match incident::parse(other, &mut f) {
                Some(r) => Body::Incident(r?),
                None => return Err("type is not a known entry type".into()),
            },
        };
        if v != body.version() {
            return Err(format!("type {ty} is not written as v {v}"));
        }
        f.done()?;
        if (seq == 0) != matches!(body, Body::Genesis { .. }) {
            return Err("genesis must be exactly entry 0".into());
        }
        if seq == 0 && prev != ZERO_HASH {
            return Err("prev of entry 0 is not 64 zeros".into());
        }
        Ok(Entry {
            log,
            seq,
            prev,
            ts,
            reviewer,
            key,
            body,
        })
    }
}

/// `prev` of entry 0.
pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn decision_fields(f: &mut Fields, version: u64) -> Result<DecisionFields, String> {
    let queue = f.hex("queue", 64)?;
    let disclosure = f.str_with("disclosure", is_id)?;
    let disclosure_sha256 = f.hex("disclosure_sha256", 64)?;
    let subject = f.str_with("subject", is_id)?;
    let mut r = f.object("recipient")?;
    let recipient_kind = r.str_with("kind", is_token)?;
    let recipient_name = r.str_with("name", non_empty)?;
    r.done()?;
    let purpose = f.str_with("purpose", is_token)?;
    let as_of = f.str_with("as_of", is_date)?;
    let consent = f.opt_str_with("consent", is_id)?;
    let consent_status = ConsentStatus::parse(f.str("consent_status")?)
        .ok_or("consent_status is not a known status")?;
    let part2 = Part2Status::parse(f.str("part2")?).ok_or("part2 is not a known status")?;
    let hipaa = HipaaStatus::parse(f.str("hipaa")?).ok_or("hipaa is not a known status")?;
    let rule = f.str_with("rule", non_empty)?;
    let unsettled = f.bool("unsettled")?;
    let policy = policy_fields(f)?;
    let dec = Decision::parse(f.str("decision")?)
        .ok_or("decision is not approve, deny, escalate or defer")?;
    let reason_code = match f.opt_str("reason_code")? {
        Some(s) => Some(ReasonCode::parse(s).ok_or("reason_code is not a known code")?),
        None => None,
    };
    let note = f.opt_string("note")?;
    let override_ = f.bool("override")?;
    let supersedes = f.opt_hex("supersedes")?;
    if override_ != decision::is_override(dec, part2, hipaa) {
        return Err("override does not match decision, part2 and hipaa".into());
    }
    decision::check_v1(dec, reason_code, note.as_deref(), override_, unsettled)
        .map_err(|p| format!("reason/note rule: {p}"))?;
    // v1 rules are frozen: in a v1 entry `second_required` is an unknown field (left
    // untaken). In v2 it is `true` on an override approval, and a v2 decision has it.
    let second_required = if version == 2 {
        if !f.bool("second_required")? {
            return Err("second_required is present only as true".into());
        }
        if !(override_ && dec == Decision::Approve) {
            return Err("second_required is only on an override approval".into());
        }
        true
    } else {
        false
    };
    Ok(DecisionFields {
        queue,
        disclosure,
        disclosure_sha256,
        subject,
        recipient_kind,
        recipient_name,
        purpose,
        as_of,
        consent,
        consent_status,
        part2,
        hipaa,
        rule,
        unsettled,
        policy,
        decision: dec,
        reason_code,
        note,
        override_,
        supersedes,
        second_required,
    })
}

fn policy_fields(f: &mut Fields) -> Result<PolicyRefs, String> {
    let mut p = f.object("policy")?;
    let mut one = |name: &'static str| -> Result<PolicyRef, String> {
        let mut o = p.object(name)?;
        let r = PolicyRef {
            id: o.str_with("id", non_empty)?.into(),
            version: o.str_with("version", non_empty)?.into(),
            sha256: o.hex("sha256", 64)?.into(),
        };
        o.done()?;
        Ok(r)
    };
    let part2 = one("part2")?;
    let hipaa = one("hipaa")?;
    p.done()?;
    Ok(PolicyRefs { part2, hipaa })
}

/// Takes fields out of an object one by one; `done` fails on anything left (unknown field).
struct Fields<'a> {
    map: &'a [(Cow<'a, str>, J<'a>)],
    taken: usize,
    path: &'a str,
}

impl<'a> Fields<'a> {
    fn new(v: &'a J<'a>, path: &'a str) -> Result<Fields<'a>, String> {
        match v {
            J::Obj(map) => Ok(Fields {
                map,
                taken: 0,
                path,
            }),
            _ => Err(format!("{path} is not an object")),
        }
    }
    fn get(&mut self, k: &str) -> Option<&'a J<'a>> {
        let v = super::json::member(self.map, k);
        if v.is_some() {
            self.taken += 1;
        }
        v
    }
    fn req(&mut self, k: &str) -> Result<&'a J<'a>, String> {
        self.get(k).ok_or_else(|| format!("{} is missing", k))
    }
    fn u64(&mut self, k: &str) -> Result<u64, String> {
        self.req(k)?
            .as_u64()
            .ok_or_else(|| format!("{k} is not an integer"))
    }
    fn bool(&mut self, k: &str) -> Result<bool, String> {
        self.req(k)?
            .as_bool()
            .ok_or_else(|| format!("{k} is not a boolean"))
    }
    /// A string field, borrowed (for fields that are parsed, not kept).
    fn str(&mut self, k: &str) -> Result<&'a str, String> {
        self.req(k)?
            .as_str()
            .ok_or_else(|| format!("{k} is not a string"))
    }
    fn opt_str(&mut self, k: &str) -> Result<Option<&'a str>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(J::Str(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{k} is not a string")),
        }
    }
    fn opt_string(&mut self, k: &str) -> Result<Option<String>, String> {
        self.opt_str(k).map(|s| s.map(str::to_owned))
    }
    fn str_with(&mut self, k: &str, ok: impl Fn(&str) -> bool) -> Result<String, String> {
        let s = self.str(k)?;
        if ok(s) {
            Ok(s.to_owned())
        } else {
            Err(format!("{k} has the wrong format"))
        }
    }
    fn opt_str_with(
        &mut self,
        k: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<Option<String>, String> {
        match self.opt_str(k)? {
            Some(s) if !ok(s) => Err(format!("{k} has the wrong format")),
            o => Ok(o.map(str::to_owned)),
        }
    }
    /// Lowercase hex of `n` digits. Upper-case hex is the same value spelled another way:
    /// reported as non-canonical, not as a schema error.
    fn hex(&mut self, k: &str, n: usize) -> Result<String, String> {
        let s = self.str(k)?;
        check_hex(k, s, n)?;
        Ok(s.to_owned())
    }
    fn opt_hex(&mut self, k: &str) -> Result<Option<String>, String> {
        let s = self.opt_str(k)?;
        if let Some(v) = s {
            check_hex(k, v, 64)?;
        }
        Ok(s.map(str::to_owned))
    }
    fn object(&mut self, k: &'a str) -> Result<Fields<'a>, String> {
        let v = self.req(k)?;
        Fields::new(v, k)
    }
    fn done(&self) -> Result<(), String> {
        if self.taken == self.map.len() {
            Ok(())
        } else {
            Err(format!("{} has an unknown field", self.path))
        }
    }
}

/// Prefix of schema messages that are really canonical-form violations.
pub const NONCANONICAL: &str = "non-canonical: ";

fn check_hex(k: &str, s: &str, n: usize) -> Result<(), String> {
    if is_hex(s, n) {
        Ok(())
    } else if is_hex(&s.to_ascii_lowercase(), n) {
        Err(format!("{NONCANONICAL}{k} has upper-case hex"))
    } else {
        Err(format!("{k} has the wrong format"))
    }
}

fn non_empty(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256
}

fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
pub fn is_hex64(s: &str) -> bool {
    is_hex(s, 64)
}
pub fn is_hex32(s: &str) -> bool {
    is_hex(s, 32)
}

/// Ids and refs: `^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$` (docs/queue-format.md#types-limits-and-forbidden-characters).
pub fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-'))
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
}

fn is_fingerprint(s: &str) -> bool {
    s.strip_prefix("SHA256:").is_some_and(|b| {
        b.len() == 43
            && data_encoding::BASE64_NOPAD
                .decode(b.as_bytes())
                .is_ok_and(|d| d.len() == 32)
    })
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Milliseconds since the epoch of a `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp (exact form only).
pub fn parse_ts_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    for i in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22] {
        if !b[i].is_ascii_digit() {
            return None;
        }
    }
    // Every field is digits now: build the time directly (chrono's format parser costs
    // as much as the rest of the entry's schema). A leap second (`:60`) takes chrono's own
    // path, so the accepted set and the value stay exactly chrono's (tested below).
    let n = |a: usize, z: usize| {
        b[a..z]
            .iter()
            .fold(0u32, |v, &d| v * 10 + u32::from(d - b'0'))
    };
    let sec = n(17, 19);
    if sec < 60 {
        let date = chrono::NaiveDate::from_ymd_opt(n(0, 4) as i32, n(5, 7), n(8, 10))?;
        let time = chrono::NaiveTime::from_hms_milli_opt(n(11, 13), n(14, 16), sec, n(20, 23))?;
        return Some(date.and_time(time).and_utc().timestamp_millis());
    }
    parse_ts_ms_chrono(s)
}

/// `parse_ts_ms` by chrono's format parser (the reference for its fast path).
fn parse_ts_ms_chrono(s: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(&s[..23], "%Y-%m-%dT%H:%M:%S%.3f").ok()?;
    Some(t.and_utc().timestamp_millis())
}

/// The entry timestamp form (docs/signed-log.md#entries), as a chrono format string.
const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// Now, in the entry timestamp form.
pub fn now_ts() -> String {
    ts_of(chrono::Utc::now())
}

/// `t` in the entry timestamp form, written digit by digit: chrono's format-string
/// interpreter is a cold path on every append (a few µs after the process slept in
/// `fdatasync`). A leap second or a year outside 0000–9999 takes chrono's own path, so
/// the text is always exactly chrono's (tested below against [`TS_FORMAT`]).
fn ts_of(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return t.format(TS_FORMAT).to_string();
    }
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    put(20, 3, nanos / 1_000_000);
    b.iter().map(|&c| char::from(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_ts_ms("1970-01-01T00:00:01.500Z"), Some(1500));
        for bad in [
            "1970-01-01T00:00:01.50Z",
            "1970-01-01 00:00:01.500Z",
            "1970-13-01T00:00:01.500Z",
            "1970-01-01T00:00:01.500z",
            "+970-01-01T00:00:01.500Z",
        ] {
            assert_eq!(parse_ts_ms(bad), None, "{bad}");
        }
        assert!(parse_ts_ms(&now_ts()).is_some());
    }

    /// The fast path gives chrono's answer on every shape-valid timestamp of a grid over
    /// the edges (month and day 0, day 29–32, hour 24, minute 60, leap second 60, 61).
    #[test]
    fn timestamps_equal_chrono() {
        let mut n = 0;
        for y in ["0000", "1970", "2000", "2024", "2100", "9999"] {
            for mo in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    for h in [0, 23, 24, 99] {
                        for mi in [0, 59, 60] {
                            for se in [0, 59, 60, 61, 99] {
                                for ms in ["000", "999"] {
                                    let s =
                                        format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{ms}Z");
                                    assert_eq!(parse_ts_ms(&s), parse_ts_ms_chrono(&s), "{s}");
                                    n += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 50_000);
    }

    /// `ts_of` writes exactly what chrono's `TS_FORMAT` writes: on the edges of each field,
    /// sub-millisecond nanoseconds, a leap second and years outside 0000–9999.
    #[test]
    fn timestamp_text_equals_chrono() {
        use chrono::{NaiveDate, NaiveTime};
        let mut n = 0;
        for y in [-1, 0, 1, 999, 1970, 2024, 2026, 9999, 10000] {
            for (mo, d) in [(1, 1), (2, 28), (2, 29), (6, 30), (12, 31)] {
                let Some(date) = NaiveDate::from_ymd_opt(y, mo, d) else {
                    continue;
                };
                for (h, mi, se) in [(0, 0, 0), (9, 5, 7), (23, 59, 59)] {
                    for nano in [
                        0,
                        999_999,
                        1_000_000,
                        123_456_789,
                        999_999_999,
                        1_500_000_000,
                    ] {
                        let Some(time) = NaiveTime::from_hms_nano_opt(h, mi, se, nano) else {
                            continue;
                        };
                        let t = date.and_time(time).and_utc();
                        assert_eq!(ts_of(t), t.format(TS_FORMAT).to_string(), "{t:?}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 300, "{n}");
        let now = chrono::Utc::now();
        assert_eq!(ts_of(now), now.format(TS_FORMAT).to_string());
    }

    #[test]
    fn ids() {
        assert!(is_id("D-0001") && is_id("a:b.c_d"));
        assert!(!is_id("-a") && !is_id("a b") && !is_id(""));
    }
}
