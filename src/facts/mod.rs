//! Typed facts derived in Rust from one disclosure and its queue, as of the evaluation date
//! (docs/queue-format.md, docs/evaluation-json.md#consent). Policies only map these facts to outcomes; everything that needs dates,
//! names or lists is decided here, where it can be unit-tested.

pub(crate) mod consent;
pub(crate) mod names;
pub(crate) mod restriction;
pub(crate) mod vocab;

use chrono::NaiveDate;

use crate::queue::{
    ConsentKind, CourtOrder, Disclosure, HolderBasis, Proceeding, Purpose, Queue, QueueIndex, Role,
};
use crate::verdict::ConsentStatus;

pub use vocab::Fact;

/// The facts of one disclosure: one small integer per [`Fact`] (the index of its value),
/// plus what the result needs to show (the reported consent, restriction dates).
#[derive(Debug, Clone)]
pub struct Facts<'q> {
    pub values: [u8; Fact::COUNT],
    /// The consent reported by the three-step rule; `None` means status `none`.
    pub consent: Option<consent::Reported<'q>>,
    /// A date-limited restriction applied although the disclosure has no service dates.
    pub restriction_dates_unknown: bool,
}

impl Facts<'_> {
    pub fn get(&self, f: Fact) -> u8 {
        self.values[f as usize]
    }

    /// Record the HIPAA column's verdict for the Part 2 rules that follow it.
    pub fn set_hipaa_status(&mut self, s: crate::verdict::HipaaStatus) {
        self.values[Fact::HipaaStatus as usize] = vocab::hipaa_status_ix(s);
    }

    /// The value's spelling, as policies write it.
    pub fn value_name(&self, f: Fact) -> &'static str {
        f.values().get(self.get(f) as usize).copied().unwrap_or("?")
    }

    pub fn consent_status(&self) -> ConsentStatus {
        self.consent.map_or(ConsentStatus::None, |r| r.status)
    }
}

/// The recipient is a CE or a BA (docs/queue-format.md#recipient: subcontractor or own QSOA makes it a BA).
pub fn recipient_ce_or_ba(d: &Disclosure) -> bool {
    d.recipient.covered_entity() || d.recipient.business_associate()
}

/// Derive the facts. Never panics: a reference the loader should have rejected is treated
/// conservatively (an unknown program's records are treated as Part 2 records).
pub fn derive<'q>(q: &'q Queue, ix: &QueueIndex, d: &Disclosure, as_of: NaiveDate) -> Facts<'q> {
    let program_ix = ix.programs.get(&d.program).copied();
    let program = program_ix.and_then(|i| q.programs.get(i));
    // One probe for the patient, their consents and their restrictions.
    let pix = ix.by_patient.get(&d.patient);
    let part2 = program.is_none_or(|p| p.part2);
    let va = program.is_some_and(|p| p.va);
    let program_ce = program.is_none_or(|p| p.covered_entity);
    let actor = d.actor_or(q.organization.role);
    let actor_ce_or_ba = match actor {
        // A QSO of a covered-entity program is its business associate (2.11 QSO (3)).
        Role::Qso | Role::Part2Program => program_ce,
        Role::CoveredEntity => true,
        Role::LawfulHolder => false,
    };
    let r = &d.recipient;
    let ce = r.covered_entity();
    let ba = r.business_associate();
    let ce_or_ba = ce || ba;
    let reported = consent::report(q, ix, pix, program_ix, d, as_of, ce_or_ba);
    let status = reported.map_or(ConsentStatus::None, |r| r.status);
    let by_ops = reported.is_some_and(|r| {
        r.status == ConsentStatus::Valid && consent::by_program_operations_only(r.consent, d)
    });
    let before_revocation = reported.is_some_and(|r| {
        r.status == ConsentStatus::Revoked
            && match (r.consent.revoked_on, d.service_dates) {
                (Some(rev), Some(sd)) => sd.to < rev,
                _ => false,
            }
    });
    let (restriction, dates_unknown) = restriction::applies(q, pix, d);
    let emergency = d.emergency || d.purpose == Purpose::MedicalEmergency;
    let court_order = match d.court_order {
        None => 0,
        Some(CourtOrder::S2_64) => 1,
        Some(CourtOrder::S2_65) => 2,
        Some(CourtOrder::S2_66) => 3,
        Some(CourtOrder::S2_67) => 4,
    };
    let mut v = [0u8; Fact::COUNT];
    let mut set = |f: Fact, x: u8| v[f as usize] = x;
    set(Fact::Part2Records, part2 as u8);
    set(Fact::VaRecords, va as u8);
    set(Fact::Records, d.records as u8);
    set(Fact::Purpose, vocab::purpose_ix(d.purpose));
    set(Fact::PurposeTpo, d.purpose.is_tpo() as u8);
    set(Fact::RecipientKind, vocab::kind_ix(r.kind));
    set(Fact::RecipientCe, ce as u8);
    set(Fact::RecipientBa, ba as u8);
    set(Fact::RecipientCeOrBa, ce_or_ba as u8);
    set(Fact::RecipientQsoa, r.qsoa_with_program as u8);
    set(Fact::RecipientSubcontractor, r.subcontractor as u8);
    set(Fact::AuditAgreement, r.audit_agreement as u8);
    set(
        Fact::RecipientIsProgram,
        program.is_some_and(|p| names::names_match(&p.name, &r.name)) as u8,
    );
    set(
        Fact::RecipientIsOrganization,
        names::names_match(&q.organization.name, &r.name) as u8,
    );
    set(Fact::Actor, vocab::role_ix(actor));
    set(Fact::ActorCeOrBa, actor_ce_or_ba as u8);
    set(Fact::ProgramCe, program_ce as u8);
    set(Fact::AgainstPatient, d.against_patient as u8);
    set(
        Fact::Proceeding,
        (d.proceeding_or_default() == Proceeding::Criminal) as u8,
    );
    set(Fact::CourtOrder, court_order);
    set(Fact::Subpoena, d.subpoena as u8);
    set(Fact::Emergency, emergency as u8);
    set(Fact::Deceased, pix.is_some_and(|p| p.deceased) as u8);
    set(Fact::Minor, pix.is_some_and(|p| p.minor) as u8);
    set(Fact::Restriction, restriction as u8);
    set(Fact::ConsentStatus, vocab::consent_status_ix(status));
    set(
        Fact::ConsentKind,
        vocab::consent_kind_ix(reported.map(|r| r.consent.kind)),
    );
    set(Fact::ConsentByProgramOperations, by_ops as u8);
    set(Fact::ServicesBeforeRevocation, before_revocation as u8);
    let basis = d.holder_basis_or_default(q.organization.role);
    set(
        Fact::HolderBasis,
        vocab::holder_basis_ix(basis.unwrap_or(HolderBasis::Consent)),
    );
    set(Fact::HolderBasisAssumed, basis.is_none() as u8);
    // Set by the engine once the HIPAA column is decided; until then the strictest reading.
    set(
        Fact::HipaaStatus,
        vocab::hipaa_status_ix(crate::verdict::HipaaStatus::AuthorizationRequired),
    );
    set(Fact::InquiryAbout, vocab::inquiry_ix(d.inquiry_about));
    set(Fact::TreatsPatient, r.treats_patient as u8);
    set(Fact::InvolvedInCare, r.involved_in_care as u8);
    set(Fact::ResearchDocumented, d.research_documented as u8);
    set(
        Fact::OnBehalfOfKind,
        r.on_behalf_of
            .as_ref()
            .map_or(0, |o| 1 + vocab::kind_ix(o.kind)),
    );
    set(Fact::ConsentOnFile, reported.is_some() as u8);
    Facts {
        values: v,
        consent: reported,
        restriction_dates_unknown: dates_unknown,
    }
}

/// Kept for readers of the facts: the kind of the reported consent.
pub fn reported_kind(f: &Facts<'_>) -> Option<ConsentKind> {
    f.consent.map(|r| r.consent.kind)
}

#[cfg(test)]
mod tests;
