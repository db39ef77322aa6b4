//! One FHIR Consent → one queue consent, or the reason it is skipped (docs/fhir.md#mapping).
//! Nothing is guessed: what cannot be mapped is skipped (status, deny, nested rules, no
//! recipient, purpose or expiry) or reported and recorded in `missing_elements`
//! (42 CFR 2.31(a)).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::model::{Coding, Consent, Party, Provision, Provisions, Reference};
use crate::import::PseudonymKey;
use crate::queue::{
    self, ConsentKind, ConsentRecipient, MissingElement, Purpose, Queue, RecipientClass, Records,
};

/// The FHIR NPI identifier systems (the URL and the OID form).
pub const NPI_SYSTEMS: [&str; 2] = [
    "http://hl7.org/fhir/sid/us-npi",
    "urn:oid:2.16.840.1.113883.4.6",
];

/// p2review's own recipient class code system (docs/fhir.md#recipients): its codes are the
/// class tokens of docs/queue-format.md#vocabularies.
pub const CLASS_SYSTEM: &str = "urn:p2review:recipient-class";

const V3_ACT_CODE: &[&str] = &["v3-ActCode", "v3/ActCode"];
const V3_ACT_REASON: &[&str] = &["v3-ActReason", "v3/ActReason"];
const V3_CONFIDENTIALITY: &[&str] = &["v3-Confidentiality", "v3/Confidentiality"];
const V3_PARTICIPATION: &[&str] = &["v3-ParticipationType", "v3/ParticipationType"];

/// v3-ActReason purposes of use → queue purposes. Codes not listed are reported.
pub const PURPOSES: &[(&str, Purpose)] = &[
    ("TREAT", Purpose::Treatment),
    ("ETREAT", Purpose::Treatment),
    ("HPAYMT", Purpose::Payment),
    ("CLMATTCH", Purpose::Payment),
    ("COVAUTH", Purpose::Payment),
    ("HOPERAT", Purpose::HealthCareOperations),
    ("HRESCH", Purpose::Research),
    ("CLINTRCH", Purpose::Research),
    ("PUBHLTH", Purpose::PublicHealth),
    ("HLEGAL", Purpose::LegalProceeding),
    ("PATRQT", Purpose::PatientDirected),
];

/// The purposes a `tpo` consent may carry (42 CFR 2.33(b)).
const TPO_CODES: [&str; 3] = ["TREAT", "HPAYMT", "HOPERAT"];

/// What the mapping needs besides the resource.
pub struct MapContext<'a> {
    pub context: &'a Queue,
    pub key: &'a PseudonymKey,
    /// Organizations and Patients of the whole input (Bundle entries), by `Type/id` or `fullUrl`.
    pub parties: &'a HashMap<String, Party>,
    /// The consent form carries the 2.31(a) statements (`--statements-on-form`).
    pub statements_on_form: bool,
}

/// An imported consent and what the report says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub consent: queue::Consent,
    /// The patient ref is a new pseudonym (not a context patient).
    pub pseudonym: bool,
    /// Report notes: what was not mapped, why a pseudonym, which elements are missing.
    pub notes: Vec<String>,
}

/// The outcome for one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    Imported(Box<Imported>),
    Skipped(String),
}

fn skip(reason: impl Into<String>) -> Mapped {
    Mapped::Skipped(reason.into())
}

/// Maps one Consent (the `local` map holds its contained Organizations and Patients).
pub fn map_consent(c: &Consent, local: &HashMap<String, Party>, cx: &MapContext) -> Mapped {
    let Some(id) = c.id.as_deref().map(str::trim).filter(|i| valid_id(i)) else {
        return skip("no `id` usable as a consent id (letters, digits, `.`, `-`, at most 64)");
    };
    let revoked = match c.status.as_deref().map(str::trim) {
        Some("active") => false,
        Some("inactive") => true,
        Some(s @ ("rejected" | "draft" | "proposed" | "entered-in-error")) => {
            return skip(format!("status `{s}`: not a consent in force"));
        }
        Some(s) => {
            return skip(format!(
                "status `{}` is not importable (only active and inactive are)",
                crate::text::escape(s)
            ));
        }
        None => return skip("no `status`"),
    };
    if let Some(scope) = scope_code(c)
        && scope != "patient-privacy"
    {
        return skip(format!(
            "scope `{}`: not a privacy consent (a consent to disclose has scope patient-privacy)",
            crate::text::escape(&scope)
        ));
    }
    let base = match &c.provision {
        None => None,
        Some(Provisions::One(p)) => Some(p.as_ref()),
        Some(Provisions::Many(v)) if v.is_empty() => None,
        Some(Provisions::Many(v)) if v.len() == 1 => Some(&v[0]),
        Some(Provisions::Many(_)) => {
            return skip("several provisions: nested rules and exceptions are not mapped");
        }
    };
    let empty = Provision::default();
    let base = base.unwrap_or(&empty);
    if base.kind.as_deref().map(str::trim) == Some("deny")
        || c.decision.as_deref().map(str::trim) == Some("deny")
    {
        return skip("the base provision is `deny`: a refusal, not a consent to disclose");
    }
    if !base.provision.is_empty() {
        return skip("nested provisions: exceptions to the base rule are not mapped");
    }

    let mut notes = Vec::new();
    let mut missing = HashSet::new();

    // Recipients (2.31(a)(4)).
    let mut recipients = Vec::new();
    let mut other_roles = BTreeSet::new();
    for a in &base.actor {
        let is_recipient = a
            .role
            .coding
            .iter()
            .any(|k| k.is(V3_PARTICIPATION, "IRCP") || k.is(V3_PARTICIPATION, "PRCP"));
        if !is_recipient {
            for k in &a.role.coding {
                if let Some(code) = &k.code {
                    other_roles.insert(crate::text::escape(code).into_owned());
                }
            }
            continue;
        }
        match recipient(a.role.coding.as_slice(), &a.reference, local, cx.parties) {
            Some(r) => recipients.push(r),
            None => {
                notes.push(
                    "a recipient actor has no display name, Organization name or p2review class code: not mapped"
                        .to_owned(),
                );
                missing.insert(MissingElement::Recipients);
            }
        }
    }
    if !other_roles.is_empty() {
        notes.push(format!(
            "actors with other roles not mapped ({})",
            other_roles.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if recipients.len() > crate::queue::limits::MAX_ITEM_LIST {
        return skip(format!(
            "more than {} recipients: a consent lists at most that many (split it, or use a class)",
            crate::queue::limits::MAX_ITEM_LIST
        ));
    }
    if recipients.is_empty() {
        return skip(
            "no recipient: no provision actor with role IRCP or PRCP and a name or class (2.31(a)(4))",
        );
    }

    // Purposes (2.31(a)(5)).
    let mut purposes = Vec::new();
    let mut codes = Vec::new();
    let mut unmapped = Vec::new();
    for p in &base.purpose {
        let hit = PURPOSES.iter().find(|(code, _)| p.is(V3_ACT_REASON, code));
        match hit {
            Some((code, purpose)) => {
                codes.push(*code);
                if !purposes.contains(purpose) {
                    purposes.push(*purpose);
                }
            }
            None => {
                unmapped.push(coding_text(p));
                missing.insert(MissingElement::Purpose);
            }
        }
    }
    if !unmapped.is_empty() {
        notes.push(format!("purpose {} not mapped", listed(unmapped)));
    }
    if purposes.is_empty() {
        return skip(
            "no purpose: no provision purpose with a mapped v3-ActReason code (2.31(a)(5))",
        );
    }

    // Expiry (2.31(a)(7)): rounded down to the date.
    let end = base
        .period
        .as_ref()
        .and_then(|p| p.end.as_deref())
        .or_else(|| c.period.as_ref().and_then(|p| p.end.as_deref()));
    let expires_on = match end.map(date_floor) {
        Some(Some(d)) => d,
        Some(None) => return skip("provision.period.end is not a FHIR date or dateTime"),
        None => return skip("no expiry: provision.period.end is missing (2.31(a)(7))"),
    };

    // Signed (2.31(a)(8)).
    let signed = c.date_time.as_deref().or(c.date.as_deref());
    let signed_on = match signed.map(date_exact) {
        Some(Some(d)) => d,
        Some(None) => {
            return skip("dateTime is not a full date (a day is needed for the date signed)");
        }
        None => return skip("no dateTime: the date signed is needed (2.31(a)(8))"),
    };

    let revoked_on = if revoked {
        let at = c.meta.last_updated.as_deref().or(signed);
        match at.and_then(utc_date) {
            Some(d) => Some(d),
            None => {
                return skip(
                    "inactive without a readable meta.lastUpdated or dateTime: the revocation date is unknown",
                );
            }
        }
    } else {
        None
    };

    // Patient.
    let Some(pref) = c.patient.as_ref().or(c.subject.as_ref()) else {
        return skip("no patient");
    };
    let (patient, pseudonym) = match patient(pref, local, cx) {
        Some(p) => p,
        None => return skip("the patient has neither an identifier nor a reference"),
    };
    if pseudonym {
        notes.push(
            "patient pseudonymized: no identifier of a system listed in fhir_identifier_systems matches a context patient's member_ids"
                .to_owned(),
        );
    }

    // Program: the custodian's NPI.
    let custodians: Vec<&Reference> = c
        .organization
        .iter()
        .chain(&c.controller)
        .chain(&c.custodian)
        .collect();
    let npis = custodian_npis(&custodians, local, cx.parties);
    let matched: BTreeSet<&str> = cx
        .context
        .programs
        .iter()
        .filter(|p| p.npis.iter().any(|n| npis.contains(n.trim())))
        .map(|p| p.id.as_str())
        .collect();
    let program = match matched.len() {
        1 => matched.into_iter().next().unwrap_or_default().to_owned(),
        0 if npis.is_empty() => {
            return skip(
                "no custodian NPI: the Consent's organization has no identifier of system us-npi",
            );
        }
        0 => {
            return skip(format!(
                "no context program has the custodian's NPI ({}); list it under programs[].npis",
                npis.iter()
                    .map(|n| crate::text::escape(n).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        _ => return skip("the custodian's NPIs match more than one context program"),
    };

    // Kind (docs/fhir.md#kind).
    let labels: Vec<&Coding> = c.meta.security.iter().chain(&base.security_label).collect();
    let policy = has_part2_policy(c, &labels);
    let label = labels.iter().any(|k| {
        k.is(V3_CONFIDENTIALITY, "R")
            || ["SUD", "ETH", "OPIOIDUD"]
                .iter()
                .any(|code| k.is(V3_ACT_CODE, code))
    });
    let kind = if !policy && !label {
        ConsentKind::GeneralRelease
    } else if policy && codes.iter().all(|c| TPO_CODES.contains(c)) {
        ConsentKind::Tpo
    } else {
        ConsentKind::Specific
    };
    if kind == ConsentKind::GeneralRelease {
        notes.push("no Part 2 policy or label: imported as general_release".to_owned());
    }

    // Information (2.31(a)(3)).
    let information = information(base);
    if information.is_none() {
        missing.insert(MissingElement::Information);
    }
    if !base.data.is_empty() || base.data_period.is_some() {
        notes.push(
            "provision.data / dataPeriod narrow the records covered: not mapped, check the form"
                .to_owned(),
        );
        missing.insert(MissingElement::Information);
    }
    if !base.action.is_empty() {
        notes.push("provision.action not mapped".to_owned());
    }
    // Signature (2.31(a)(8)): the signed form is attached or referenced, or verified.
    if c.source_attachment.is_none() && c.source_reference.is_none() && c.verification.is_empty() {
        missing.insert(MissingElement::Signature);
    }
    // The 2.31(a) statements live on the signed form, which a Consent does not carry.
    if !cx.statements_on_form {
        missing.insert(MissingElement::RevocationStatement);
        missing.insert(MissingElement::RedisclosureStatement);
        missing.insert(MissingElement::RefusalConsequences);
        if kind == ConsentKind::Tpo {
            missing.insert(MissingElement::CeRedisclosureStatement);
        }
    }
    let missing_elements: Vec<MissingElement> = ORDER
        .iter()
        .copied()
        .filter(|m| missing.contains(m))
        .collect();
    if !missing_elements.is_empty() {
        notes.push(format!(
            "missing_elements: {}",
            missing_elements
                .iter()
                .map(|m| token(*m))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    Mapped::Imported(Box::new(Imported {
        consent: queue::Consent {
            id: id.to_owned(),
            patient,
            program,
            kind,
            recipients,
            purposes,
            records: vec![Records::General],
            information,
            signed_on,
            expires_on: Some(expires_on),
            expires_event: None,
            event_occurred_on: None,
            revoked_on,
            missing_elements,
            known_false: false,
        },
        pseudonym,
        notes,
    }))
}

/// `MissingElement` in 2.31(a) order, for a stable output.
const ORDER: [MissingElement; 12] = [
    MissingElement::PatientName,
    MissingElement::Discloser,
    MissingElement::Information,
    MissingElement::Recipients,
    MissingElement::Purpose,
    MissingElement::RevocationStatement,
    MissingElement::Expiration,
    MissingElement::Signature,
    MissingElement::DateSigned,
    MissingElement::CeRedisclosureStatement,
    MissingElement::RedisclosureStatement,
    MissingElement::RefusalConsequences,
];

/// The snake_case token of a missing element (as in the queue file).
fn token(m: MissingElement) -> String {
    serde_json::to_value(m)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-'))
}

fn scope_code(c: &Consent) -> Option<String> {
    let scope = c.scope.as_ref()?;
    let codings = scope.get("coding")?.as_array()?;
    codings
        .iter()
        .filter_map(|k| k.get("code").and_then(|v| v.as_str()))
        .map(|s| s.trim().to_owned())
        .next()
}

/// `system#code` for a report (escaped; codes are vocabulary, not patient data).
/// At most 100 characters: a long code from the input cannot make the report or the written
/// `information` unbounded.
fn coding_text(k: &Coding) -> String {
    let sys = k.system.as_deref().unwrap_or("");
    let short = sys.rsplit('/').next().unwrap_or(sys);
    let text = format!("{short}#{}", k.code.as_deref().unwrap_or(""));
    let cut: String = text.chars().take(100).collect();
    let cut = if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    };
    crate::text::escape(&cut).into_owned()
}

/// At most `MAX_LISTED` texts, then how many more.
const MAX_LISTED: usize = 20;

fn listed(texts: Vec<String>) -> String {
    let more = texts.len().saturating_sub(MAX_LISTED);
    let mut out = texts
        .into_iter()
        .take(MAX_LISTED)
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// Resolves a reference in the Consent's `contained`, then the input's Bundles.
fn resolve<'a>(
    r: &Reference,
    local: &'a HashMap<String, Party>,
    parties: &'a HashMap<String, Party>,
) -> Option<&'a Party> {
    let key = r.reference.as_deref()?.trim();
    local.get(key).or_else(|| parties.get(key))
}

fn recipient(
    role: &[Coding],
    r: &Reference,
    local: &HashMap<String, Party>,
    parties: &HashMap<String, Party>,
) -> Option<ConsentRecipient> {
    let class = role.iter().find_map(|k| {
        (k.system.as_deref().map(str::trim) == Some(CLASS_SYSTEM))
            .then(|| {
                k.code
                    .as_deref()
                    .and_then(|c| RecipientClass::from_token(c.trim()))
            })
            .flatten()
    });
    if let Some(class) = class {
        return Some(ConsentRecipient {
            class: Some(class),
            name: None,
        });
    }
    let name = r
        .display
        .as_deref()
        .or_else(|| resolve(r, local, parties).and_then(Party::name))
        .map(clean)
        .filter(|n| !n.is_empty() && n.chars().count() <= 200)?;
    Some(ConsentRecipient {
        class: None,
        name: Some(name),
    })
}

/// Text made safe for a queue name: no control, line-separator or bidi characters.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !crate::text::is_unsafe_char(*c) && !crate::text::is_forbidden_input_char(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The patient ref: a context patient through a listed identifier system, else a keyed
/// pseudonym of the first identifier (system and value), else of the reference text.
fn patient(
    r: &Reference,
    local: &HashMap<String, Party>,
    cx: &MapContext,
) -> Option<(String, bool)> {
    let mut ids: Vec<(&str, &str)> = Vec::new();
    if let Some(i) = &r.identifier
        && let (Some(s), Some(v)) = (i.system.as_deref(), i.value.as_deref())
    {
        ids.push((s.trim(), v.trim()));
    }
    if let Some(p) = resolve(r, local, cx.parties) {
        for i in &p.identifier {
            if let (Some(s), Some(v)) = (i.system.as_deref(), i.value.as_deref()) {
                ids.push((s.trim(), v.trim()));
            }
        }
    }
    let listed = |s: &str| {
        cx.context
            .fhir_identifier_systems
            .iter()
            .any(|x| x.trim() == s)
    };
    for (s, v) in &ids {
        if !listed(s) || v.is_empty() {
            continue;
        }
        if let Some(p) = cx
            .context
            .patients
            .iter()
            .find(|p| p.member_ids.iter().any(|m| m.trim() == *v))
        {
            return Some((p.reference.clone(), false));
        }
    }
    // Namespaced so a FHIR identifier never shares a ref with an X12 member id of another
    // person that happens to have the same value.
    let input = match ids.iter().find(|(_, v)| !v.is_empty()) {
        Some((s, v)) => format!("fhir-identifier\u{1f}{s}\u{1f}{v}"),
        None => format!(
            "fhir-reference\u{1f}{}",
            r.reference
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())?
        ),
    };
    Some((cx.key.patient_ref(input.as_bytes()), true))
}

fn custodian_npis<'a>(
    refs: &[&'a Reference],
    local: &'a HashMap<String, Party>,
    parties: &'a HashMap<String, Party>,
) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for r in refs {
        let direct = r.identifier.iter();
        let resolved = resolve(r, local, parties)
            .map(|p| p.identifier.iter())
            .into_iter()
            .flatten();
        for i in direct.chain(resolved) {
            if i.system
                .as_deref()
                .is_some_and(|s| NPI_SYSTEMS.contains(&s.trim()))
                && let Some(v) = i.value.as_deref().map(str::trim)
                && !v.is_empty()
            {
                out.insert(v);
            }
        }
    }
    out
}

/// The Part 2 policy: v3-ActCode `42CFRPart2` or `42CFRPart2CD` in `policyRule`,
/// `regulatoryBasis` or a label's basis extension, or the eCFR part 2 URI in `policy`.
fn has_part2_policy(c: &Consent, labels: &[&Coding]) -> bool {
    let code = |k: &Coding| k.is(V3_ACT_CODE, "42CFRPart2") || k.is(V3_ACT_CODE, "42CFRPart2CD");
    let in_rule = c
        .policy_rule
        .iter()
        .chain(&c.regulatory_basis)
        .flat_map(|cc| &cc.coding)
        .any(code);
    let in_label = labels
        .iter()
        .flat_map(|k| &k.extension)
        .filter_map(|e| e.value_coding.as_deref())
        .any(code);
    let in_uri = c
        .policy
        .iter()
        .chain(&c.policy_basis)
        .flat_map(|p| p.uri.iter().chain(&p.authority))
        .any(|u| is_part2_uri(u));
    in_rule || in_label || in_uri
}

/// The eCFR address of 42 CFR part 2 (not part 20…).
fn is_part2_uri(u: &str) -> bool {
    let u = u.trim().to_ascii_lowercase();
    if !u.contains("ecfr.gov") || !u.contains("title-42") {
        return false;
    }
    match u.find("/part-2") {
        Some(i) => {
            let rest = &u[i + "/part-2".len()..];
            rest.is_empty() || rest.starts_with(['/', '#', '?', '.'])
        }
        None => false,
    }
}

/// What the provision says the consent covers, as codes only (2.31(a)(3)).
fn information(p: &Provision) -> Option<String> {
    let mut parts = Vec::new();
    let list = |ks: &mut dyn Iterator<Item = &Coding>| -> Vec<String> {
        ks.filter(|k| k.code.is_some()).map(coding_text).collect()
    };
    let labels = list(&mut p.security_label.iter());
    if !labels.is_empty() {
        parts.push(format!("security labels {}", listed(labels)));
    }
    let classes = list(&mut p.class.iter());
    if !classes.is_empty() {
        parts.push(format!("classes {}", listed(classes)));
    }
    let codes = list(&mut p.code.iter().flat_map(|cc| &cc.coding));
    if !codes.is_empty() {
        parts.push(format!("codes {}", listed(codes)));
    }
    (!parts.is_empty()).then(|| format!("FHIR Consent provision: {}", parts.join("; ")))
}

/// A FHIR date or dateTime with a day, as written (its own calendar date).
fn date_exact(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(four_digit_year(s)?.get(..10)?, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10 || s.as_bytes().get(10) == Some(&b'T'))
}

/// FHIR years are four digits, 0001–9999; chrono's `%Y` also takes a sign or more digits,
/// and a date outside that range cannot be written as a queue date (YYYY-MM-DD).
fn four_digit_year(s: &str) -> Option<&str> {
    let y = s.get(..4)?;
    (y.bytes().all(|b| b.is_ascii_digit()) && y != "0000").then_some(s)
}

/// A date a queue file can hold: years 0001–9999 (a UTC conversion can leave that range).
fn queue_date(d: NaiveDate) -> Option<NaiveDate> {
    (1..=9999).contains(&d.year()).then_some(d)
}

/// A FHIR date or dateTime rounded down to a date: `2027` → 2027-01-01, `2027-02` →
/// 2027-02-01, a dateTime → its calendar date.
fn date_floor(s: &str) -> Option<NaiveDate> {
    let t = four_digit_year(s.trim())?;
    match t.len() {
        4 => NaiveDate::parse_from_str(&format!("{t}-01-01"), "%Y-%m-%d").ok(),
        7 => NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").ok(),
        _ => date_exact(t),
    }
}

/// An instant or dateTime as a UTC date; a bare date (or partial date, rounded down) as is.
fn utc_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() > 10 {
        return DateTime::parse_from_rfc3339(four_digit_year(t)?)
            .ok()
            .and_then(|d| queue_date(d.with_timezone(&Utc).date_naive()));
    }
    date_floor(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_down_and_convert_to_utc() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(date_floor("2027"), Some(d("2027-01-01")));
        assert_eq!(date_floor("2027-02"), Some(d("2027-02-01")));
        assert_eq!(
            date_floor("2027-02-14T23:59:59-05:00"),
            Some(d("2027-02-14"))
        );
        assert_eq!(date_floor("2027-13"), None);
        assert_eq!(date_exact("2025-02"), None);
        assert_eq!(date_exact("2025-02-01junk"), None);
        assert_eq!(utc_date("2026-03-01T22:30:00-05:00"), Some(d("2026-03-02")));
        assert_eq!(utc_date("2026-03-01"), Some(d("2026-03-01")));
        assert_eq!(utc_date("not a date at all"), None);
    }

    /// Found by the fhir_consent fuzz target: a date the import wrote as `-0001-12-31` or
    /// `+10000-01-01` made the imported context fail to load. Only four-digit years
    /// 0001–9999, before and after the UTC conversion, are dates.
    #[test]
    fn dates_outside_four_digit_years_are_not_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for bad in [
            "-999",
            "+999",
            "-001-01",
            "0000",
            "0000-01-01",
            "-999-01-01",
            "+12345",
        ] {
            assert_eq!(date_floor(bad), None, "{bad}");
            assert_eq!(date_exact(bad), None, "{bad}");
            assert_eq!(utc_date(bad), None, "{bad}");
        }
        assert_eq!(utc_date("0001-01-01T00:00:00+01:00"), None);
        assert_eq!(utc_date("9999-12-31T23:00:00-05:00"), None);
        assert_eq!(utc_date("0001-01-01T00:00:00Z"), Some(d("0001-01-01")));
        assert_eq!(date_floor("9999-12"), Some(d("9999-12-01")));
    }

    #[test]
    fn part2_uri_is_part_2_only() {
        assert!(is_part2_uri(
            "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"
        ));
        assert!(is_part2_uri(
            "https://www.ecfr.gov/current/title-42/part-2#2.31"
        ));
        assert!(!is_part2_uri(
            "https://www.ecfr.gov/current/title-42/part-20"
        ));
        assert!(!is_part2_uri("https://example.org/title-42/part-2"));
    }
}
