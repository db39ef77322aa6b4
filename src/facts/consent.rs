//! Consent candidates, the nine checks, and which consent is reported (SPEC §3.3).

use chrono::NaiveDate;

use crate::engine::{CheckName, ConsentCheck, ConsentResult, ConsentStatus};
use crate::queue::{
    Consent, ConsentKind, Disclosure, MissingElement, Purpose, Queue, QueueIndex, Records,
};

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

fn cover(c: &Consent, d: &Disclosure) -> Cover {
    let mut best = Cover::No;
    for r in &c.recipients {
        if let Some(name) = &r.name
            && names_match(name, &d.recipient.name)
        {
            return Cover::ByName;
        }
        if let Some(class) = r.class
            && class.covers(d.recipient.kind)
        {
            if class == crate::queue::RecipientClass::ProgramOperations {
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
    let covers_purpose = if d.against_patient {
        c.kind == ConsentKind::Proceedings && purpose_listed(c, d.purpose)
    } else {
        c.kind != ConsentKind::Proceedings && purpose_listed(c, d.purpose)
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

/// Pick the reported consent by the three-step rule of SPEC §3.3; `None` when there is no
/// candidate (status `none`).
pub fn report<'q>(
    q: &'q Queue,
    ix: &QueueIndex,
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
            for c in ix.consents_for(q, &d.patient, &d.program) {
                consider(c);
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
        ConsentKind::Tpo => "tpo",
        ConsentKind::Specific => "specific",
        ConsentKind::CounselingNotes => "counseling_notes",
        ConsentKind::Proceedings => "proceedings",
        ConsentKind::CriminalJustice => "criminal_justice",
        ConsentKind::GeneralRelease => "general_release",
    }
}

fn detail(name: CheckName, ok: bool, c: &Consent, d: &Disclosure, as_of: NaiveDate) -> String {
    match name {
        CheckName::IsPart2Consent => {
            if ok {
                format!("{} consent", kind_word(c.kind))
            } else {
                "a general release is not a Part 2 consent (2.32(a)(1))".to_owned()
            }
        }
        CheckName::Signed => {
            if ok {
                format!("signed {}", c.signed_on)
            } else {
                format!("signed {}, after {as_of}: not yet valid", c.signed_on)
            }
        }
        CheckName::NotExpired => match (c.expires_on, &c.expires_event, c.event_occurred_on) {
            (Some(e), _, _) if ok => format!("expires {e}"),
            (Some(e), _, _) => format!("expired: valid through {e}"),
            (None, _, Some(o)) if ok => {
                format!("expiry event occurred {o}; valid through that day")
            }
            (None, _, Some(o)) => format!("expired: expiry event occurred {o}"),
            (None, Some(ev), None) => format!("expires at an event not yet occurred: {ev}"),
            (None, None, None) => "no expiry recorded".to_owned(),
        },
        CheckName::NotRevoked => match c.revoked_on {
            None => "not revoked".to_owned(),
            Some(r) if r > as_of => format!("revocation dated {r} is after {as_of}"),
            Some(r) if ok => format!(
                "revocation {r} does not end a criminal-justice consent before it expires (2.35)"
            ),
            Some(r) => format!("revoked in writing {r}"),
        },
        CheckName::Complete => {
            if ok {
                "required elements present".to_owned()
            } else {
                let recipient_ce_or_ba =
                    d.recipient.covered_entity() || d.recipient.business_associate();
                let missing: Vec<&str> = c
                    .missing_elements
                    .iter()
                    .filter(|m| missing_counts(**m, c, recipient_ce_or_ba))
                    .map(|m| missing_word(*m))
                    .collect();
                format!("missing: {}", missing.join(", "))
            }
        }
        CheckName::NotKnownFalse => {
            if ok {
                "not known to be false".to_owned()
            } else {
                "known, or knowable with reasonable diligence, to be materially false".to_owned()
            }
        }
        CheckName::CoversRecipient => match cover(c, d) {
            Cover::ByName => "names the recipient".to_owned(),
            Cover::ByClass => format!("a recipient class covers {}", d.recipient.kind.as_str()),
            Cover::ByProgramOperationsOnly => format!(
                "covers {} only as \"people helping to operate this program\" (unsettled)",
                d.recipient.kind.as_str()
            ),
            Cover::No => format!(
                "neither names the recipient nor has a class covering {}",
                d.recipient.kind.as_str()
            ),
        },
        CheckName::CoversPurpose => {
            if ok {
                format!("covers {}", d.purpose.as_str())
            } else if d.against_patient && c.kind != ConsentKind::Proceedings {
                "use against the patient needs a separate 2.31(d) proceedings consent".to_owned()
            } else if !d.against_patient && c.kind == ConsentKind::Proceedings {
                "a proceedings consent covers only use against the patient (2.31(d))".to_owned()
            } else {
                format!("does not cover {}", d.purpose.as_str())
            }
        }
        CheckName::CoversRecords => {
            if ok {
                format!("covers {} records", d.records.as_str())
            } else if d.records == Records::CounselingNotes {
                "counseling notes need a separate counseling-notes consent (2.31(b))".to_owned()
            } else {
                format!("does not cover {} records", d.records.as_str())
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
