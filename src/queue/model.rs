//! The queue file's data model (`p2review.queue/1`, docs/queue-format.md).
//!
//! These types are the contract shared by loading, facts, the engine, the log, the TUI,
//! training and X12 import. Field names and enum spellings are normative (outside tests
//! read them). Fields whose default depends on context (`actor`, `recipient.covered_entity`,
//! `proceeding`) are `Option` in the file and filled in by the loader, so every loaded
//! queue has them set; use the accessors, which never guess.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::amount::Amount;

/// The one schema string this version reads and writes.
pub const SCHEMA: &str = "p2review.queue/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<Pack>,
    pub organization: Organization,
    #[serde(default)]
    pub programs: Vec<Program>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payers: Vec<Payer>,
    /// Patient identifier systems `import fhir-consent` matches against `member_ids`
    /// (docs/fhir.md); an identifier of any other system gets a pseudonym.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fhir_identifier_systems: Vec<String>,
    #[serde(default)]
    pub patients: Vec<Patient>,
    #[serde(default)]
    pub consents: Vec<Consent>,
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
    #[serde(default)]
    pub disclosures: Vec<Disclosure>,
}

/// Training packs only (docs/queue-format.md); ignored by `review` and `evaluate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    pub role: Role,
    /// Days from discovery the QSOA/BAA allows for reporting an incident to the program
    /// (docs/incidents.md); a BA owes the shorter of this and 60 (45 CFR 164.410(b)). Not
    /// part of any disclosure hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_notice_days: Option<u64>,
}

/// Who is making the disclosure (the default actor is the organization's role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Qso,
    Part2Program,
    CoveredEntity,
    LawfulHolder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub id: String,
    pub name: String,
    /// A federally assisted SUD program: its records are Part 2 records.
    pub part2: bool,
    #[serde(default = "yes")]
    pub covered_entity: bool,
    /// VA / title 38 records: Part 2 does not apply (2.12(c)(1)).
    #[serde(default)]
    pub va: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub npis: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxonomies: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    pub id: String,
    pub name: String,
    pub kind: RecipientKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(default)]
    pub deceased: bool,
    #[serde(default)]
    pub minor: bool,
    /// Used by `import x12` only; never written to a queue it produces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    Tpo,
    Specific,
    CounselingNotes,
    Proceedings,
    CriminalJustice,
    GeneralRelease,
}

/// One entry of a consent's `recipients`: exactly one of `class` or `name` (checked by the loader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecipient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<RecipientClass>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Consent recipient classes (2.31(a)(4)(i)); docs/queue-format.md#vocabularies maps each to the kinds it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientClass {
    TreatingProviders,
    HealthPlans,
    ThirdPartyPayers,
    ProgramOperations,
}

impl RecipientClass {
    pub const ALL: [RecipientClass; 4] = [
        RecipientClass::TreatingProviders,
        RecipientClass::HealthPlans,
        RecipientClass::ThirdPartyPayers,
        RecipientClass::ProgramOperations,
    ];

    pub fn token(self) -> &'static str {
        match self {
            RecipientClass::TreatingProviders => "treating_providers",
            RecipientClass::HealthPlans => "health_plans",
            RecipientClass::ThirdPartyPayers => "third_party_payers",
            RecipientClass::ProgramOperations => "program_operations",
        }
    }

    pub fn from_token(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.token() == s)
    }

    /// The recipient kinds this class covers (docs/queue-format.md#consent-recipient-classes).
    pub fn covers(self, kind: RecipientKind) -> bool {
        use RecipientKind as K;
        match self {
            RecipientClass::TreatingProviders => {
                matches!(kind, K::TreatingProvider | K::MedicalPersonnel)
            }
            RecipientClass::HealthPlans => kind == K::HealthPlan,
            RecipientClass::ThirdPartyPayers => kind == K::ThirdPartyPayer,
            RecipientClass::ProgramOperations => {
                matches!(kind, K::Vendor | K::Clearinghouse | K::CollectionAgency)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Treatment,
    Payment,
    HealthCareOperations,
    /// Counts as health care operations for consent coverage (2.53(h)).
    Audit,
    Research,
    PublicHealth,
    MedicalEmergency,
    LegalProceeding,
    LawEnforcement,
    ChildAbuseReport,
    CauseOfDeath,
    PatientAccess,
    PatientDirected,
    Employment,
    CriminalJusticeSupervision,
    Other,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Treatment => "treatment",
            Purpose::Payment => "payment",
            Purpose::HealthCareOperations => "health_care_operations",
            Purpose::Audit => "audit",
            Purpose::Research => "research",
            Purpose::PublicHealth => "public_health",
            Purpose::MedicalEmergency => "medical_emergency",
            Purpose::LegalProceeding => "legal_proceeding",
            Purpose::LawEnforcement => "law_enforcement",
            Purpose::ChildAbuseReport => "child_abuse_report",
            Purpose::CauseOfDeath => "cause_of_death",
            Purpose::PatientAccess => "patient_access",
            Purpose::PatientDirected => "patient_directed",
            Purpose::Employment => "employment",
            Purpose::CriminalJusticeSupervision => "criminal_justice_supervision",
            Purpose::Other => "other",
        }
    }

    /// Treatment, payment or health care operations (audit counts as operations, 2.53(h)).
    pub fn is_tpo(self) -> bool {
        matches!(
            self,
            Purpose::Treatment | Purpose::Payment | Purpose::HealthCareOperations | Purpose::Audit
        )
    }
}

/// What kind of records a consent covers or a disclosure carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Records {
    #[default]
    General,
    CounselingNotes,
    Deidentified,
}

impl Records {
    pub fn as_str(self) -> &'static str {
        match self {
            Records::General => "general",
            Records::CounselingNotes => "counseling_notes",
            Records::Deidentified => "deidentified",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub id: String,
    pub patient: String,
    pub program: String,
    pub kind: ConsentKind,
    pub recipients: Vec<ConsentRecipient>,
    pub purposes: Vec<Purpose>,
    #[serde(default = "general_records")]
    pub records: Vec<Records>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<String>,
    pub signed_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_occurred_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_elements: Vec<MissingElement>,
    #[serde(default)]
    pub known_false: bool,
}

fn general_records() -> Vec<Records> {
    vec![Records::General]
}

/// Required consent elements, 2.31(a)(1)–(10) (docs/queue-format.md#consents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingElement {
    PatientName,
    Discloser,
    Information,
    Recipients,
    Purpose,
    RevocationStatement,
    Expiration,
    Signature,
    DateSigned,
    /// Counts only when the recipient is a CE/BA under a TPO consent.
    CeRedisclosureStatement,
    RedisclosureStatement,
    RefusalConsequences,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    /// 2.26(a)(6): paid in full out of pocket; must be honoured for health plans.
    SelfPay,
    /// 2.26(a)(1)-(3): a restriction the program agreed to; yields to emergency treatment.
    Agreed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub patient: String,
    pub kind: RestrictionKind,
    /// Class tokens (docs/queue-format.md#vocabularies) or recipient names.
    pub recipients: Vec<String>,
    #[serde(default = "tpo_purposes")]
    pub purposes: Vec<Purpose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_dates: Option<DateRange>,
}

fn tpo_purposes() -> Vec<Purpose> {
    vec![
        Purpose::Treatment,
        Purpose::Payment,
        Purpose::HealthCareOperations,
    ]
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// Inclusive overlap.
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    HealthPlan,
    ThirdPartyPayer,
    Clearinghouse,
    CollectionAgency,
    ConsumerReportingAgency,
    TreatingProvider,
    MedicalPersonnel,
    Part2Program,
    CoveredEntity,
    Vendor,
    Employer,
    Court,
    Attorney,
    LawEnforcement,
    PublicHealthAuthority,
    ChildProtectiveServices,
    VitalStatistics,
    Auditor,
    Researcher,
    CriminalJusticeAgency,
    Patient,
    PersonalRepresentative,
    Family,
    Other,
}

impl RecipientKind {
    pub fn as_str(self) -> &'static str {
        use RecipientKind as K;
        match self {
            K::HealthPlan => "health_plan",
            K::ThirdPartyPayer => "third_party_payer",
            K::Clearinghouse => "clearinghouse",
            K::CollectionAgency => "collection_agency",
            K::ConsumerReportingAgency => "consumer_reporting_agency",
            K::TreatingProvider => "treating_provider",
            K::MedicalPersonnel => "medical_personnel",
            K::Part2Program => "part2_program",
            K::CoveredEntity => "covered_entity",
            K::Vendor => "vendor",
            K::Employer => "employer",
            K::Court => "court",
            K::Attorney => "attorney",
            K::LawEnforcement => "law_enforcement",
            K::PublicHealthAuthority => "public_health_authority",
            K::ChildProtectiveServices => "child_protective_services",
            K::VitalStatistics => "vital_statistics",
            K::Auditor => "auditor",
            K::Researcher => "researcher",
            K::CriminalJusticeAgency => "criminal_justice_agency",
            K::Patient => "patient",
            K::PersonalRepresentative => "personal_representative",
            K::Family => "family",
            K::Other => "other",
        }
    }

    /// docs/queue-format.md#vocabularies: the default of `recipient.covered_entity` for this kind.
    pub fn default_covered_entity(self) -> bool {
        use RecipientKind as K;
        matches!(
            self,
            K::HealthPlan
                | K::Clearinghouse
                | K::TreatingProvider
                | K::MedicalPersonnel
                | K::Part2Program
                | K::CoveredEntity
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    pub name: String,
    pub kind: RecipientKind,
    /// Filled in by the loader from the kind's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_entity: Option<bool>,
    /// The recipient holds its own QSOA with the program (2.12(c)(4) leg).
    #[serde(default)]
    pub qsoa_with_program: bool,
    /// The actor's own vendor under a contract binding it to Part 2 (a BA of the actor).
    #[serde(default)]
    pub subcontractor: bool,
    /// Signed the 2.53 written agreement.
    #[serde(default)]
    pub audit_agreement: bool,
    /// A conduit's final recipient (a clearinghouse or vendor passing a claim to a payer):
    /// a consent must cover it too (2.33(a)(1)), and a self-pay restriction reaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OnBehalfOf>,
    /// Has a treating provider relationship with the patient (2.11).
    #[serde(default, skip_serializing_if = "is_false")]
    pub treats_patient: bool,
    /// Family or friend involved in the patient's care or payment, or to be notified (164.510(b)).
    #[serde(default, skip_serializing_if = "is_false")]
    pub involved_in_care: bool,
    /// Where the records go, as the accounting of disclosures shows it (42 CFR 2.25;
    /// 45 CFR 164.528(b)(2)(ii)). Hashed only when present, so older decisions still apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Fields added after the schema's first release are left out of the canonical JSON (the
/// disclosure hash) while they hold their default, so older decisions keep applying.
fn is_false(b: &bool) -> bool {
    !*b
}

/// The final recipient a conduit passes the disclosure to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnBehalfOf {
    pub name: String,
    pub kind: RecipientKind,
}

/// How the actor holds the records it discloses (drives the onward-disclosure rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderBasis {
    /// The program's own records.
    Own,
    /// Received under a QSO agreement with the program.
    Qsoa,
    /// A CE/BA that received them for TPO under a 2.31 consent (2.33(b)(1)).
    TpoConsent,
    /// A lawful holder bound by the consent it received them under (2.33(b)(3),(c)).
    Consent,
    /// Received for an audit or evaluation (2.53).
    Audit,
    /// Received for research (2.52).
    Research,
    /// Received under a court order (subpart E).
    CourtOrder,
}

impl HolderBasis {
    /// The basis an actor has when the queue does not say; `None` for a covered entity,
    /// which must say (it is then evaluated as `Consent` and flagged unsettled).
    pub fn default_for(actor: Role) -> Option<HolderBasis> {
        match actor {
            Role::Part2Program => Some(HolderBasis::Own),
            Role::Qso => Some(HolderBasis::Qsoa),
            Role::LawfulHolder => Some(HolderBasis::Consent),
            Role::CoveredEntity => None,
        }
    }
}

/// Whose conduct an investigation or law-enforcement request concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InquiryAbout {
    Patient,
    Program,
    Holder,
    /// Someone else: the patient is a victim or witness.
    OtherPerson,
}

impl Recipient {
    pub fn covered_entity(&self) -> bool {
        self.covered_entity
            .unwrap_or_else(|| self.kind.default_covered_entity())
    }

    /// A recipient with `subcontractor` or `qsoa_with_program` is a business associate.
    pub fn business_associate(&self) -> bool {
        self.subcontractor || self.qsoa_with_program
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proceeding {
    Civil,
    Criminal,
}

/// A Part 2 subpart E court order, by section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CourtOrder {
    /// Civil uses (2.64).
    #[serde(rename = "2.64")]
    S2_64,
    /// Criminal investigation or prosecution of the patient (2.65).
    #[serde(rename = "2.65")]
    S2_65,
    /// Investigation of the program or holder (2.66).
    #[serde(rename = "2.66")]
    S2_66,
    /// Undercover agents and informants in a program (2.67).
    #[serde(rename = "2.67")]
    S2_67,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dx: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedures: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub id: String,
    pub requested_on: NaiveDate,
    pub patient: String,
    pub program: String,
    /// Filled in by the loader from `organization.role` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Role>,
    /// As written; [`Disclosure::holder_basis_or_default`] applies the actor's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_basis: Option<HolderBasis>,
    /// The 2.52(a) conditions are documented for this research disclosure.
    #[serde(default, skip_serializing_if = "is_false")]
    pub research_documented: bool,
    pub recipient: Recipient,
    pub purpose: Purpose,
    #[serde(default)]
    pub records: Records,
    #[serde(default)]
    pub against_patient: bool,
    /// Filled in by the loader: criminal when purpose or recipient kind is law_enforcement, else civil.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proceeding: Option<Proceeding>,
    /// Whose conduct an investigation or law-enforcement request concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inquiry_about: Option<InquiryAbout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court_order: Option<CourtOrder>,
    #[serde(default)]
    pub subpoena: bool,
    #[serde(default)]
    pub emergency: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_dates: Option<DateRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What is disclosed, in brief, for the accounting of disclosures (45 CFR
    /// 164.528(b)(2)(iii)); absent, the accounting describes the claim. Hashed only when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<String>,
    /// Scenario and pack files only; ignored by `review` and `evaluate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

impl Disclosure {
    /// The acting role; `None` only before the loader ran.
    pub fn actor_or(&self, organization_role: Role) -> Role {
        self.actor.unwrap_or(organization_role)
    }

    /// How the actor holds the records: as written, else the actor's default; `None` for a
    /// covered entity that did not say.
    pub fn holder_basis_or_default(&self, organization_role: Role) -> Option<HolderBasis> {
        self.holder_basis
            .or_else(|| HolderBasis::default_for(self.actor_or(organization_role)))
    }

    /// docs/queue-format.md: criminal when purpose or recipient kind is law_enforcement, else civil.
    pub fn proceeding_or_default(&self) -> Proceeding {
        self.proceeding.unwrap_or(
            if self.purpose == Purpose::LawEnforcement
                || self.recipient.kind == RecipientKind::LawEnforcement
            {
                Proceeding::Criminal
            } else {
                Proceeding::Civil
            },
        )
    }
}

/// The answer key of a scenario or training item (docs/queue-format.md). Statuses are kept as the
/// normative strings so that a wrong value in a scenario file is reported, not rejected
/// at parse time with a less helpful message; `policy test` validates them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redisclosure: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teach: Option<String>,
    /// An incident scenario (training packs, docs/incidents.md#training): the incident about
    /// this disclosure. Its questions replace `part2`/`notice`/`hipaa`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentScenario>,
    /// Incident scenarios: the 164.402 outcome (`breach`, `low_probability`, `exception`, `secured`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Incident scenarios: who must be told first (`program`, `individuals`, `media`, `hhs`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_notice: Option<String>,
    /// Incident scenarios: by when (`YYYY-MM-DD`, `contractual`, `not_applicable`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// The facts of a training incident (docs/incidents.md#training). Vocabulary words are kept
/// as text here (the queue knows no incident rules); `src/incident/scenario.rs` checks them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentScenario {
    pub kind: String,
    pub discovered_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individuals: Option<u64>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub residents: std::collections::BTreeMap<String, u64>,
    #[serde(default)]
    pub secured: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by_ba_on: Option<NaiveDate>,
    #[serde(default)]
    pub ba_is_agent: bool,
    /// The QSOA's term for this scenario; absent, `organization.breach_notice_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_notice_days: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<String>,
    /// A law-enforcement delay (164.412): `written` with the date it states, `oral` with the
    /// day it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<ScenarioDelay>,
    /// Whose notice the "by which date" question asks about (`program`, `individuals`,
    /// `media`, `hhs`); absent, the first notice's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_for: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDelay {
    pub form: String,
    pub date: NaiveDate,
}
