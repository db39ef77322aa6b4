//! Consent candidates, the nine checks, and which consent is reported (docs/evaluation-json.md#consent).

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::queue::{
    Consent, ConsentKind, Disclosure, MissingElement, PatientIx, Purpose, Queue, QueueIndex,
    RecipientClass, RecipientKind, Records,
};
use crate::verdict::{CheckName, ConsentCheck, ConsentResult, ConsentStatus};

use super::names::names_match;

/// Outcome of the nine checks for one consent, in `CheckName::ORDER`.
pub type Checks = [bool; 9];

/// The consent the result reports, with its checks (details are built only when shown).
#[derive(Debug, Clone, Copy)]
pub struct Reported<'q> {
    pub consent: &'q Consent,
    pub checks: Checks,
    pub status: ConsentStatus,
}

/// How the recipient is covered by a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    No,
    ByName,
    ByClass,
    /// Only through `program_operations` (results relying on it are unsettled, A10/A13).
    ByProgramOperationsOnly,
}

/// How `c` covers the recipient; for a conduit (`on_behalf_of`), the consent must cover the
/// final recipient as well (2.33(a)(1)), and the weaker of the two covers is reported.
fn cover(c: &Consent, d: &Disclosure) -> Cover {
    let direct = cover_one(
        c,
        &d.recipient.name,
        d.recipient.kind,
        d.recipient.treats_patient,
    );
    match &d.recipient.on_behalf_of {
        None => direct,
        Some(o) => {
            let last = cover_one(c, &o.name, o.kind, false);
            if direct == Cover::No || last == Cover::No {
                Cover::No
            } else if direct == Cover::ByProgramOperationsOnly
                || last == Cover::ByProgramOperationsOnly
            {
                Cover::ByProgramOperationsOnly
            } else if direct == Cover::ByClass || last == Cover::ByClass {
                Cover::ByClass
            } else {
                Cover::ByName
            }
        }
    }
}

/// A class covers a kind as the model declares, plus `treating_providers` covering another
/// Part 2 program or a covered entity that has a treating provider relationship with the
/// patient (42 CFR 2.11 "treating provider relationship").
fn class_covers(class: RecipientClass, kind: RecipientKind, treats_patient: bool) -> bool {
    class.covers(kind)
        || (class == RecipientClass::TreatingProviders
            && treats_patient
            && matches!(
                kind,
                RecipientKind::Part2Program | RecipientKind::CoveredEntity
            ))
}

fn cover_one(c: &Consent, name: &str, kind: RecipientKind, treats_patient: bool) -> Cover {
    let mut best = Cover::No;
    for r in &c.recipients {
        if let Some(n) = &r.name
            && names_match(n, name)
        {
            return Cover::ByName;
        }
        if let Some(class) = r.class
            && class_covers(class, kind, treats_patient)
        {
            if class == RecipientClass::ProgramOperations {
                if best == Cover::No {
                    best = Cover::ByProgramOperationsOnly;
                }
            } else {
                best = Cover::ByClass;
            }
        }
    }
    best
}

fn purpose_listed(c: &Consent, p: Purpose) -> bool {
    c.purposes.contains(&p)
        || (p == Purpose::Audit && c.purposes.contains(&Purpose::HealthCareOperations))
}

/// The end date of a consent, if it has one yet (expiry date, or the day the event occurred).
fn ends_on(c: &Consent) -> Option<NaiveDate> {
    c.expires_on.or(if c.expires_event.is_some() {
        c.event_occurred_on
    } else {
        None
    })
}

fn missing_counts(m: MissingElement, c: &Consent, recipient_ce_or_ba: bool) -> bool {
    m != MissingElement::CeRedisclosureStatement
        || (recipient_ce_or_ba && c.kind == ConsentKind::Tpo)
}

/// Run the nine checks of one consent against one disclosure as of a date.
pub fn checks(c: &Consent, d: &Disclosure, as_of: NaiveDate, recipient_ce_or_ba: bool) -> Checks {
    let not_expired = ends_on(c).is_none_or(|end| as_of <= end);
    let revoked = c.revoked_on.is_some_and(|r| r <= as_of);
    let not_revoked = !revoked || (c.kind == ConsentKind::CriminalJustice && not_expired);
    let covers_purpose = purpose_listed(c, d.purpose)
        && match purpose_needs(d) {
            Some(kind) => c.kind == kind,
            None => c.kind != ConsentKind::Proceedings,
        };
    let covers_records = match d.records {
        Records::Deidentified => true,
        Records::CounselingNotes => {
            c.kind == ConsentKind::CounselingNotes && c.records.contains(&Records::CounselingNotes)
        }
        Records::General => {
            c.kind != ConsentKind::CounselingNotes && c.records.contains(&Records::General)
        }
    };
    [
        c.kind != ConsentKind::GeneralRelease,
        c.signed_on <= as_of,
        not_expired,
        not_revoked,
        !c.missing_elements
            .iter()
            .any(|m| missing_counts(*m, c, recipient_ce_or_ba)),
        !c.known_false,
        cover(c, d) != Cover::No,
        covers_purpose,
        covers_records,
    ]
}

/// The consent kind a disclosure's purpose demands, if any: only a stand-alone `proceedings`
/// consent covers an investigation or proceeding (2.31(d)), and only a `criminal_justice`
/// consent covers criminal-justice supervision (2.35, 2.33(a)(1)).
fn purpose_needs(d: &Disclosure) -> Option<ConsentKind> {
    if is_investigation(d) {
        Some(ConsentKind::Proceedings)
    } else if d.purpose == Purpose::CriminalJusticeSupervision {
        Some(ConsentKind::CriminalJustice)
    } else {
        None
    }
}

/// For an investigation or a proceeding: against the patient, or purpose legal_proceeding or
/// law_enforcement (2.31(d)).
pub fn is_investigation(d: &Disclosure) -> bool {
    d.against_patient
        || matches!(
            d.purpose,
            Purpose::LegalProceeding | Purpose::LawEnforcement
        )
}

fn status_of(checks: &Checks) -> ConsentStatus {
    match checks.iter().position(|ok| !ok) {
        None => ConsentStatus::Valid,
        Some(i) => CheckName::ORDER[i].failure_status(),
    }
}

/// Later `signed_on` first, then the lower id.
fn better(a: &Consent, b: &Consent) -> bool {
    a.signed_on > b.signed_on || (a.signed_on == b.signed_on && a.id < b.id)
}

/// Pick the reported consent by the three-step rule of docs/evaluation-json.md#consent; `None` when there is no
/// candidate (status `none`).
pub fn report<'q>(
    q: &'q Queue,
    ix: &QueueIndex,
    pix: Option<&PatientIx>,
    program_ix: Option<usize>,
    d: &Disclosure,
    as_of: NaiveDate,
    recipient_ce_or_ba: bool,
) -> Option<Reported<'q>> {
    let mut valid: Option<Reported<'q>> = None;
    let mut covering: Option<Reported<'q>> = None;
    let mut latest: Option<Reported<'q>> = None;
    let mut consider = |c: &'q Consent| {
        let ch = checks(c, d, as_of, recipient_ce_or_ba);
        let r = Reported {
            consent: c,
            checks: ch,
            status: status_of(&ch),
        };
        let slot = if r.status == ConsentStatus::Valid {
            Some(&mut valid)
        } else if ch[6] && ch[7] && ch[8] {
            Some(&mut covering)
        } else {
            None
        };
        if let Some(slot) = slot
            && slot.is_none_or(|s| better(c, s.consent))
        {
            *slot = Some(r);
        }
        if latest.is_none_or(|s| better(c, s.consent)) {
            latest = Some(r);
        }
    };
    match &d.consent {
        Some(id) => {
            if let Some(c) = ix.consent(q, id) {
                consider(c);
            }
        }
        None => {
            // By patient, then program index: one lookup, no allocation, and consents of
            // other programs are never touched.
            if let (Some(p), Some(program)) = (pix, program_ix) {
                for (&i, &pi) in p.consents.iter().zip(&p.consent_programs) {
                    if pi == program
                        && let Some(c) = q.consents.get(i)
                    {
                        consider(c);
                    }
                }
            }
        }
    }
    valid.or(covering).or(latest)
}

/// True when a valid consent covers the recipient only through `program_operations`.
pub fn by_program_operations_only(c: &Consent, d: &Disclosure) -> bool {
    cover(c, d) == Cover::ByProgramOperationsOnly
}

/// The checks as shown in results, each with a short detail (dates, what is missing).
pub fn result(r: &Reported<'_>, d: &Disclosure, as_of: NaiveDate) -> ConsentResult {
    let c = r.consent;
    let ok = &r.checks;
    let mut out = Vec::with_capacity(9);
    for (i, name) in CheckName::ORDER.iter().enumerate() {
        out.push(ConsentCheck {
            check: *name,
            ok: ok[i],
            detail: detail(*name, ok[i], c, d, as_of),
        });
    }
    ConsentResult {
        id: Some(c.id.clone()),
        status: r.status,
        checks: out,
    }
}

fn kind_word(k: ConsentKind) -> &'static str {
    match k {
        ConsentKind::Tpo => "tpo consent",
        ConsentKind::Specific => "specific consent",
        ConsentKind::CounselingNotes => "counseling_notes consent",
        ConsentKind::Proceedings => "proceedings consent",
        ConsentKind::CriminalJustice => "criminal_justice consent",
        ConsentKind::GeneralRelease => "general_release consent",
    }
}

/// `YYYY-MM-DD` without the formatting machinery (details are built per evaluation).
fn push_date(out: &mut String, d: NaiveDate) {
    use chrono::Datelike;
    let (y, m, dd) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        out.push_str(&d.to_string());
        return;
    }
    let y = y as u32;
    for digit in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        out.push(char::from(b'0' + digit as u8));
    }
    out.push('-');
    out.push(char::from(b'0' + (m / 10) as u8));
    out.push(char::from(b'0' + (m % 10) as u8));
    out.push('-');
    out.push(char::from(b'0' + (dd / 10) as u8));
    out.push(char::from(b'0' + (dd % 10) as u8));
}

/// `prefix` + date + `suffix`.
fn dated(prefix: &str, d: NaiveDate, suffix: &str) -> Cow<'static, str> {
    let mut s = String::with_capacity(prefix.len() + 10 + suffix.len());
    s.push_str(prefix);
    push_date(&mut s, d);
    s.push_str(suffix);
    Cow::Owned(s)
}

fn detail(
    name: CheckName,
    ok: bool,
    c: &Consent,
    d: &Disclosure,
    as_of: NaiveDate,
) -> Cow<'static, str> {
    let fixed = Cow::Borrowed;
    match name {
        CheckName::IsPart2Consent => {
            if ok {
                fixed(kind_word(c.kind))
            } else {
                fixed("a general release is not a Part 2 consent (2.32(a)(1))")
            }
        }
        CheckName::Signed => {
            if ok {
                dated("signed ", c.signed_on, "")
            } else {
                dated(
                    "signed ",
                    c.signed_on,
                    ", after the evaluation date: not yet valid",
                )
            }
        }
        CheckName::NotExpired => match (c.expires_on, &c.expires_event, c.event_occurred_on) {
            (Some(e), _, _) if ok => dated("expires ", e, ""),
            (Some(e), _, _) => dated("expired: valid through ", e, ""),
            (None, _, Some(o)) if ok => {
                dated("expiry event occurred ", o, "; valid through that day")
            }
            (None, _, Some(o)) => dated("expired: expiry event occurred ", o, ""),
            (None, Some(ev), None) => {
                Cow::Owned(format!("expires at an event not yet occurred: {ev}"))
            }
            (None, None, None) => fixed("no expiry recorded"),
        },
        CheckName::NotRevoked => match c.revoked_on {
            None => fixed("not revoked"),
            Some(r) if r > as_of => dated("revocation dated ", r, " is after the evaluation date"),
            Some(r) if ok => dated(
                "revocation ",
                r,
                " does not end a criminal-justice consent before it expires (2.35)",
            ),
            Some(r) => dated("revoked in writing ", r, ""),
        },
        CheckName::Complete => {
            if ok {
                fixed("required elements present")
            } else {
                let recipient_ce_or_ba =
                    d.recipient.covered_entity() || d.recipient.business_associate();
                let missing: Vec<&str> = c
                    .missing_elements
                    .iter()
                    .filter(|m| missing_counts(**m, c, recipient_ce_or_ba))
                    .map(|m| missing_word(*m))
                    .collect();
                Cow::Owned(format!("missing: {}", missing.join(", ")))
            }
        }
        CheckName::NotKnownFalse => {
            if ok {
                fixed("not known to be false")
            } else {
                fixed("known, or knowable with reasonable diligence, to be materially false")
            }
        }
        CheckName::CoversRecipient => match cover(c, d) {
            Cover::ByName => fixed("names the recipient"),
            Cover::ByClass => fixed("a recipient class covers this kind of recipient"),
            Cover::ByProgramOperationsOnly => fixed(
                "covers the recipient only as \"people helping to operate this program\" (unsettled)",
            ),
            Cover::No
                if d.recipient.on_behalf_of.is_some()
                    && cover_one(
                        c,
                        &d.recipient.name,
                        d.recipient.kind,
                        d.recipient.treats_patient,
                    ) != Cover::No =>
            {
                fixed(
                    "covers this conduit but not the final recipient it passes the records to (on_behalf_of, 2.33(a)(1))",
                )
            }
            Cover::No => fixed("neither names the recipient nor has a class covering its kind"),
        },
        CheckName::CoversPurpose => {
            if ok {
                fixed("covers the purpose")
            } else if purpose_needs(d) == Some(ConsentKind::Proceedings)
                && c.kind != ConsentKind::Proceedings
            {
                fixed("an investigation or proceeding needs a separate 2.31(d) proceedings consent")
            } else if purpose_needs(d) == Some(ConsentKind::CriminalJustice)
                && c.kind != ConsentKind::CriminalJustice
            {
                fixed("needs a 2.35 consent: stated period, revocable only at a set time or event")
            } else if c.kind == ConsentKind::Proceedings && !is_investigation(d) {
                fixed("a proceedings consent covers only investigations and proceedings (2.31(d))")
            } else {
                fixed("does not cover the purpose")
            }
        }
        CheckName::CoversRecords => {
            if ok {
                fixed("covers the records")
            } else if d.records == Records::CounselingNotes {
                fixed("counseling notes need a separate counseling-notes consent (2.31(b))")
            } else {
                fixed("does not cover these records")
            }
        }
    }
}

fn missing_word(m: MissingElement) -> &'static str {
    use MissingElement as M;
    match m {
        M::PatientName => "patient_name",
        M::Discloser => "discloser",
        M::Information => "information",
        M::Recipients => "recipients",
        M::Purpose => "purpose",
        M::RevocationStatement => "revocation_statement",
        M::Expiration => "expiration",
        M::Signature => "signature",
        M::DateSigned => "date_signed",
        M::CeRedisclosureStatement => "ce_redisclosure_statement",
        M::RedisclosureStatement => "redisclosure_statement",
        M::RefusalConsequences => "refusal_consequences",
    }
}
