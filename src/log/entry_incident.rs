//! The `v: 2` incident entries (docs/signed-log.md#incident-entries-v-2): `incident`,
//! `incident_assessment`, `incident_delay` and `incident_notice` — their typed form, JSON
//! value and schema check. A child module of `entry` (it shares its field reader).
//!
//! The verifier checks shape and vocabulary only; which notices are owed is computed when
//! reading (`src/incident/`), so these entries stay valid whatever later rule releases say.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Fields, is_date, is_hex, is_id, is_token, non_empty};
use crate::incident::vocab::*;
use crate::log::json::J;

/// The entry version that carries incident types.
pub const VERSION: u64 = 2;

/// One of the four incident entry types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentBody {
    Incident(Box<IncidentFields>),
    Assessment(Box<AssessmentFields>),
    Delay(DelayFields),
    Notice(NoticeFields),
}

/// What the queue item or decision entry says about the disclosure concerned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Concerns {
    pub subject: Option<String>,
    pub disclosure: Option<String>,
    pub disclosure_sha256: Option<String>,
    pub queue: Option<String>,
    /// `(kind, name)`.
    pub recipient: Option<(String, String)>,
    pub records: Option<String>,
    pub part2: Option<String>,
    pub hipaa: Option<String>,
    pub override_: Option<bool>,
    /// The decision entry named by `--from-entry`.
    pub from_entry: Option<String>,
}

/// An `incident` entry's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFields {
    pub kind: IncidentKind,
    pub discovered_on: String,
    pub individuals: u64,
    /// Residents per State or jurisdiction (two upper-case letters).
    pub residents: BTreeMap<String, u64>,
    pub secured: bool,
    /// `qso` | `part2_program` | `covered_entity` | `lawful_holder`.
    pub actor: String,
    pub program_covered_entity: bool,
    pub breach_notice_days: Option<u64>,
    pub reported_by_ba_on: Option<String>,
    pub ba_is_agent: bool,
    pub concerns: Concerns,
    pub note: Option<String>,
}

/// One documented factor: `(value, note)`.
pub type FactorText = (String, String);

/// An `incident_assessment` entry's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentFields {
    /// Hex SHA-256 of the `incident` entry's line.
    pub incident: String,
    pub exception: Option<Exception>,
    pub nature: Option<(Nature, String)>,
    pub recipient: Option<(Recipient, String)>,
    pub acquired: Option<(Acquired, String)>,
    pub mitigation: Option<(Mitigation, String)>,
    pub outcome: Outcome,
    pub note: Option<String>,
}

/// An `incident_delay` entry's own fields (164.412).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayFields {
    pub incident: String,
    pub form: DelayForm,
    /// Written: `until`. Oral: `on`.
    pub date: String,
    /// The official's identity (required for an oral statement, 164.412(b)).
    pub official: Option<String>,
    pub note: Option<String>,
}

/// An `incident_notice` entry's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFields {
    pub incident: String,
    pub to: NoticeTo,
    pub on: String,
    pub method: Option<NoticeMethod>,
    pub note: Option<String>,
}

impl IncidentBody {
    pub fn type_name(&self) -> &'static str {
        match self {
            IncidentBody::Incident(_) => "incident",
            IncidentBody::Assessment(_) => "incident_assessment",
            IncidentBody::Delay(_) => "incident_delay",
            IncidentBody::Notice(_) => "incident_notice",
        }
    }

    /// The incident this entry is about (`None` for the `incident` entry itself).
    pub fn incident_ref(&self) -> Option<&str> {
        match self {
            IncidentBody::Incident(_) => None,
            IncidentBody::Assessment(a) => Some(&a.incident),
            IncidentBody::Delay(d) => Some(&d.incident),
            IncidentBody::Notice(n) => Some(&n.incident),
        }
    }

    /// Adds this body's fields to the entry object.
    pub fn put(&self, m: &mut Map<String, Value>) {
        match self {
            IncidentBody::Incident(i) => {
                m.insert("kind".into(), json!(i.kind.as_str()));
                m.insert("discovered_on".into(), json!(i.discovered_on));
                m.insert("individuals".into(), json!(i.individuals));
                if !i.residents.is_empty() {
                    m.insert("residents".into(), json!(i.residents));
                }
                m.insert("secured".into(), json!(i.secured));
                m.insert("actor".into(), json!(i.actor));
                m.insert(
                    "program_covered_entity".into(),
                    json!(i.program_covered_entity),
                );
                if let Some(n) = i.breach_notice_days {
                    m.insert("breach_notice_days".into(), json!(n));
                }
                opt(m, "reported_by_ba_on", &i.reported_by_ba_on);
                if i.ba_is_agent {
                    m.insert("ba_is_agent".into(), json!(true));
                }
                let c = &i.concerns;
                opt(m, "subject", &c.subject);
                opt(m, "disclosure", &c.disclosure);
                opt(m, "disclosure_sha256", &c.disclosure_sha256);
                opt(m, "queue", &c.queue);
                if let Some((k, n)) = &c.recipient {
                    m.insert("recipient".into(), json!({"kind": k, "name": n}));
                }
                opt(m, "records", &c.records);
                opt(m, "part2", &c.part2);
                opt(m, "hipaa", &c.hipaa);
                if let Some(o) = c.override_ {
                    m.insert("override".into(), json!(o));
                }
                opt(m, "from_entry", &c.from_entry);
                opt(m, "note", &i.note);
            }
            IncidentBody::Assessment(a) => {
                m.insert("incident".into(), json!(a.incident));
                if let Some(e) = a.exception {
                    m.insert("exception".into(), json!(e.as_str()));
                }
                let mut fs = Map::new();
                let mut put = |k: &str, v: Option<(&str, &String)>| {
                    if let Some((v, n)) = v {
                        fs.insert(k.into(), json!({"value": v, "note": n}));
                    }
                };
                put("nature", a.nature.as_ref().map(|(v, n)| (v.as_str(), n)));
                put(
                    "recipient",
                    a.recipient.as_ref().map(|(v, n)| (v.as_str(), n)),
                );
                put(
                    "acquired",
                    a.acquired.as_ref().map(|(v, n)| (v.as_str(), n)),
                );
                put(
                    "mitigation",
                    a.mitigation.as_ref().map(|(v, n)| (v.as_str(), n)),
                );
                if !fs.is_empty() {
                    m.insert("factors".into(), Value::Object(fs));
                }
                m.insert("outcome".into(), json!(a.outcome.as_str()));
                opt(m, "note", &a.note);
            }
            IncidentBody::Delay(d) => {
                m.insert("incident".into(), json!(d.incident));
                m.insert("form".into(), json!(d.form.as_str()));
                let k = match d.form {
                    DelayForm::Written => "until",
                    DelayForm::Oral => "on",
                };
                m.insert(k.into(), json!(d.date));
                opt(m, "official", &d.official);
                opt(m, "note", &d.note);
            }
            IncidentBody::Notice(n) => {
                m.insert("incident".into(), json!(n.incident));
                m.insert("to".into(), json!(n.to.as_str()));
                m.insert("on".into(), json!(n.on));
                if let Some(x) = n.method {
                    m.insert("method".into(), json!(x.as_str()));
                }
                opt(m, "note", &n.note);
            }
        }
    }
}

fn opt(m: &mut Map<String, Value>, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        m.insert(k.into(), json!(v));
    }
}

/// The schema check of an incident type's own fields (`None`: not an incident type).
pub(super) fn parse(ty: &str, f: &mut Fields) -> Option<Result<IncidentBody, String>> {
    Some(match ty {
        "incident" => incident(f).map(|i| IncidentBody::Incident(Box::new(i))),
        "incident_assessment" => assessment(f).map(|a| IncidentBody::Assessment(Box::new(a))),
        "incident_delay" => delay(f).map(IncidentBody::Delay),
        "incident_notice" => notice(f).map(IncidentBody::Notice),
        _ => return None,
    })
}

fn word<T>(f: &mut Fields, k: &str, parse: fn(&str) -> Option<T>) -> Result<T, String> {
    parse(f.str(k)?).ok_or_else(|| format!("{k} is not a known value"))
}

fn opt_word<T>(f: &mut Fields, k: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, String> {
    match f.opt_str(k)? {
        Some(s) => parse(s)
            .map(Some)
            .ok_or_else(|| format!("{k} is not a known value")),
        None => Ok(None),
    }
}

fn is_role(s: &str) -> bool {
    matches!(
        s,
        "qso" | "part2_program" | "covered_entity" | "lawful_holder"
    )
}

fn incident(f: &mut Fields) -> Result<IncidentFields, String> {
    let kind = word(f, "kind", IncidentKind::parse)?;
    let discovered_on = f.str_with("discovered_on", is_date)?;
    let individuals = f.u64("individuals")?;
    if individuals == 0 {
        return Err("individuals is 0".into());
    }
    let mut residents = BTreeMap::new();
    if let Some(v) = f.get("residents") {
        let o = v.as_object().ok_or("residents is not an object")?;
        if o.is_empty() {
            return Err("residents is empty (leave it out)".into());
        }
        for (st, n) in o {
            let n = n
                .as_u64()
                .ok_or("residents has a count that is not an integer")?;
            if !is_state_code(st) || n == 0 {
                return Err("residents has a key that is not a State code, or a 0".into());
            }
            residents.insert(st.to_string(), n);
        }
    }
    let secured = f.bool("secured")?;
    let actor = f.str_with("actor", is_role)?;
    let program_covered_entity = f.bool("program_covered_entity")?;
    let breach_notice_days = match f.get("breach_notice_days") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=365).contains(&n) => Some(n),
            _ => return Err("breach_notice_days is not an integer from 1 to 365".into()),
        },
    };
    let reported_by_ba_on = f.opt_str_with("reported_by_ba_on", is_date)?;
    let ba_is_agent = match f.get("ba_is_agent") {
        None => false,
        Some(J::Bool(true)) if reported_by_ba_on.is_some() => true,
        Some(_) => return Err("ba_is_agent is only `true`, with reported_by_ba_on".into()),
    };
    let subject = f.opt_str_with("subject", is_id)?;
    let disclosure = f.opt_str_with("disclosure", is_id)?;
    let disclosure_sha256 = f.opt_hex("disclosure_sha256")?;
    if disclosure.is_some() != disclosure_sha256.is_some() {
        return Err("disclosure and disclosure_sha256 come together".into());
    }
    let queue = f.opt_hex("queue")?;
    let recipient = match f.get("recipient") {
        None => None,
        Some(v) => {
            let mut r = Fields::new(v, "recipient")?;
            let k = r.str_with("kind", is_token)?;
            let n = r.str_with("name", non_empty)?;
            r.done()?;
            Some((k, n))
        }
    };
    let records = f.opt_str_with("records", is_token)?;
    let part2 = f.opt_str_with("part2", is_token)?;
    let hipaa = f.opt_str_with("hipaa", is_token)?;
    let override_ = match f.get("override") {
        None => None,
        Some(v) => Some(v.as_bool().ok_or("override is not a boolean")?),
    };
    let from_entry = f.opt_hex("from_entry")?;
    let note = f.opt_str_with("note", non_empty_note)?;
    Ok(IncidentFields {
        kind,
        discovered_on,
        individuals,
        residents,
        secured,
        actor,
        program_covered_entity,
        breach_notice_days,
        reported_by_ba_on,
        ba_is_agent,
        concerns: Concerns {
            subject,
            disclosure,
            disclosure_sha256,
            queue,
            recipient,
            records,
            part2,
            hipaa,
            override_,
            from_entry,
        },
        note,
    })
}

/// Notes: 1–280 characters (docs/signed-log.md#decision).
fn non_empty_note(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= crate::decision::NOTE_MAX_CHARS
}

fn incident_ref(f: &mut Fields) -> Result<String, String> {
    f.hex("incident", 64)
}

fn assessment(f: &mut Fields) -> Result<AssessmentFields, String> {
    let incident = incident_ref(f)?;
    let exception = opt_word(f, "exception", Exception::parse)?;
    let (mut nature, mut recipient, mut acquired, mut mitigation) = (None, None, None, None);
    if let Some(v) = f.get("factors") {
        let mut fs = Fields::new(v, "factors")?;
        fn one<T>(
            fs: &mut Fields,
            k: &str,
            parse: fn(&str) -> Option<T>,
        ) -> Result<Option<(T, String)>, String> {
            let Some(v) = fs.get(k) else {
                return Ok(None);
            };
            let mut o = Fields::new(v, "factor")?;
            let value = word(&mut o, "value", parse)?;
            let note = o.str_with("note", non_empty_note)?;
            o.done()?;
            Ok(Some((value, note)))
        }
        nature = one(&mut fs, "nature", Nature::parse)?;
        recipient = one(&mut fs, "recipient", Recipient::parse)?;
        acquired = one(&mut fs, "acquired", Acquired::parse)?;
        mitigation = one(&mut fs, "mitigation", Mitigation::parse)?;
        fs.done()?;
        if fs.taken == 0 {
            return Err("factors is empty (leave it out)".into());
        }
    }
    let outcome = word(f, "outcome", Outcome::parse)?;
    if outcome == Outcome::Exception && exception.is_none() {
        return Err("outcome exception without an exception".into());
    }
    let documented = [
        nature.is_some(),
        recipient.is_some(),
        acquired.is_some(),
        mitigation.is_some(),
    ];
    if outcome == Outcome::LowProbability && documented.contains(&false) {
        return Err("outcome low_probability without all four factors".into());
    }
    let note = f.opt_str_with("note", non_empty_note)?;
    Ok(AssessmentFields {
        incident,
        exception,
        nature,
        recipient,
        acquired,
        mitigation,
        outcome,
        note,
    })
}

fn delay(f: &mut Fields) -> Result<DelayFields, String> {
    let incident = incident_ref(f)?;
    let form = word(f, "form", DelayForm::parse)?;
    let date = match form {
        DelayForm::Written => f.str_with("until", is_date)?,
        DelayForm::Oral => f.str_with("on", is_date)?,
    };
    let official = f.opt_str_with("official", non_empty)?;
    if form == DelayForm::Oral && official.is_none() {
        return Err("an oral delay needs official (164.412(b))".into());
    }
    let note = f.opt_str_with("note", non_empty_note)?;
    Ok(DelayFields {
        incident,
        form,
        date,
        official,
        note,
    })
}

fn notice(f: &mut Fields) -> Result<NoticeFields, String> {
    let incident = incident_ref(f)?;
    let to = word(f, "to", NoticeTo::parse)?;
    let on = f.str_with("on", is_date)?;
    let method = opt_word(f, "method", NoticeMethod::parse)?;
    let note = f.opt_str_with("note", non_empty_note)?;
    Ok(NoticeFields {
        incident,
        to,
        on,
        method,
        note,
    })
}

/// `is_hex` is used by the schema of incident references (64 lowercase hex digits).
pub fn is_incident_ref(s: &str) -> bool {
    is_hex(s, 64)
}
