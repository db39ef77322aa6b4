//! The named facts policies may test, and the values each can take. A policy condition
//! names a fact and one or more of its values; anything else is a load error. Facts are
//! stored as small integers (the index of the value) so matching is a bit test.

use crate::queue::{ConsentKind, HolderBasis, InquiryAbout, Purpose, RecipientKind, Role};
use crate::verdict::{ConsentStatus, HipaaStatus};

const BOOL: &[&str] = &["false", "true"];

macro_rules! facts {
    ($( $(#[$m:meta])* $variant:ident = $name:literal : $values:expr ),+ $(,)?) => {
        /// A fact a policy rule can test (policies/README.md#conditions).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fact { $( $(#[$m])* $variant ),+ }

        impl Fact {
            pub const ALL: &'static [Fact] = &[$(Fact::$variant),+];
            pub const COUNT: usize = Fact::ALL.len();

            /// The name used in policy files.
            pub fn name(self) -> &'static str {
                match self { $(Fact::$variant => $name),+ }
            }

            /// The values this fact can take, in index order.
            pub fn values(self) -> &'static [&'static str] {
                match self { $(Fact::$variant => $values),+ }
            }

            pub fn from_name(s: &str) -> Option<Fact> {
                match s { $($name => Some(Fact::$variant),)+ _ => None }
            }
        }
    };
}

facts! {
    /// The program is a federally assisted SUD program (its records are Part 2 records).
    Part2Records = "part2_records": BOOL,
    /// VA / title 38 records (2.12(c)(1)).
    VaRecords = "va_records": BOOL,
    Records = "records": &["general", "counseling_notes", "deidentified"],
    Purpose = "purpose": PURPOSES,
    /// Treatment, payment, health care operations or audit.
    PurposeTpo = "purpose_tpo": BOOL,
    RecipientKind = "recipient_kind": KINDS,
    /// The recipient is a HIPAA covered entity (explicit, or the kind's default).
    RecipientCe = "recipient_ce": BOOL,
    /// The recipient is a business associate (subcontractor or own QSOA).
    RecipientBa = "recipient_ba": BOOL,
    RecipientCeOrBa = "recipient_ce_or_ba": BOOL,
    /// The recipient holds its own QSOA with the program.
    RecipientQsoa = "recipient_qsoa": BOOL,
    /// The recipient is the actor's own vendor bound to Part 2 by contract.
    RecipientSubcontractor = "recipient_subcontractor": BOOL,
    /// The recipient signed the 2.53 written agreement.
    AuditAgreement = "audit_agreement": BOOL,
    /// The recipient's name matches the program's name.
    RecipientIsProgram = "recipient_is_program": BOOL,
    /// The recipient's name matches the organization's own name (an internal use).
    RecipientIsOrganization = "recipient_is_organization": BOOL,
    Actor = "actor": &["qso", "part2_program", "covered_entity", "lawful_holder"],
    /// The actor is a HIPAA covered entity or business associate.
    ActorCeOrBa = "actor_ce_or_ba": BOOL,
    ProgramCe = "program_ce": BOOL,
    AgainstPatient = "against_patient": BOOL,
    Proceeding = "proceeding": &["civil", "criminal"],
    CourtOrder = "court_order": &["none", "2.64", "2.65", "2.66", "2.67"],
    Subpoena = "subpoena": BOOL,
    /// A bona fide medical emergency (the flag, or purpose medical_emergency).
    Emergency = "emergency": BOOL,
    Deceased = "deceased": BOOL,
    Minor = "minor": BOOL,
    /// The restriction that applies (self_pay wins over agreed); `self_pay_unknown_conduit`:
    /// a self-pay restriction overlaps a clearinghouse or vendor whose final recipient is unknown.
    Restriction = "restriction": &["none", "self_pay", "agreed", "self_pay_unknown_conduit"],
    /// The reported consent's status (docs/evaluation-json.md#consent), before the verdict decides whether it is shown.
    ConsentStatus = "consent_status": CONSENT_STATUSES,
    /// The kind of the reported consent.
    ConsentKind = "consent_kind": &["none", "tpo", "specific", "counseling_notes", "proceedings", "criminal_justice", "general_release"],
    /// A valid consent covers the recipient only through the `program_operations` class.
    ConsentByProgramOperations = "consent_by_program_operations": BOOL,
    /// The reported consent is revoked and every service date is before the revocation.
    ServicesBeforeRevocation = "services_before_revocation": BOOL,
    /// How the actor holds the records (`holder_basis`, or the actor's default; a covered
    /// entity that did not say is evaluated as `consent`, the stricter reading).
    HolderBasis = "holder_basis": &["own", "qsoa", "tpo_consent", "consent", "audit", "research", "court_order"],
    /// A covered entity did not say how it holds the records.
    HolderBasisAssumed = "holder_basis_assumed": BOOL,
    /// The HIPAA column's verdict, for the Part 2 rules that follow it (2.33(b)(1)); the
    /// HIPAA policy is evaluated first and cannot test this fact.
    HipaaStatus = "hipaa_status": &["permitted_tpo", "permitted_no_auth", "authorization_required", "prohibited", "not_phi", "required", "not_applicable"],
    /// Whose conduct an investigation or law-enforcement request concerns.
    InquiryAbout = "inquiry_about": &["none", "patient", "program", "holder", "other_person"],
    /// The recipient has a treating provider relationship with the patient (2.11).
    TreatsPatient = "treats_patient": BOOL,
    /// A family member or friend involved in the patient's care (164.510(b)).
    InvolvedInCare = "involved_in_care": BOOL,
    /// The 2.52(a) research conditions are documented.
    ResearchDocumented = "research_documented": BOOL,
    /// The kind of a conduit's final recipient (`none` when it is not a conduit).
    OnBehalfOfKind = "on_behalf_of_kind": ON_BEHALF_OF_KINDS,
    /// The patient has at least one consent for this program (the candidates are not empty).
    ConsentOnFile = "consent_on_file": BOOL,
}

const ON_BEHALF_OF_KINDS: &[&str] = &[
    "none",
    "health_plan",
    "third_party_payer",
    "clearinghouse",
    "collection_agency",
    "consumer_reporting_agency",
    "treating_provider",
    "medical_personnel",
    "part2_program",
    "covered_entity",
    "vendor",
    "employer",
    "court",
    "attorney",
    "law_enforcement",
    "public_health_authority",
    "child_protective_services",
    "vital_statistics",
    "auditor",
    "researcher",
    "criminal_justice_agency",
    "patient",
    "personal_representative",
    "family",
    "other",
];

const PURPOSES: &[&str] = &[
    "treatment",
    "payment",
    "health_care_operations",
    "audit",
    "research",
    "public_health",
    "medical_emergency",
    "legal_proceeding",
    "law_enforcement",
    "child_abuse_report",
    "cause_of_death",
    "patient_access",
    "patient_directed",
    "employment",
    "criminal_justice_supervision",
    "other",
];

const KINDS: &[&str] = &[
    "health_plan",
    "third_party_payer",
    "clearinghouse",
    "collection_agency",
    "consumer_reporting_agency",
    "treating_provider",
    "medical_personnel",
    "part2_program",
    "covered_entity",
    "vendor",
    "employer",
    "court",
    "attorney",
    "law_enforcement",
    "public_health_authority",
    "child_protective_services",
    "vital_statistics",
    "auditor",
    "researcher",
    "criminal_justice_agency",
    "patient",
    "personal_representative",
    "family",
    "other",
];

/// Every consent status except `not_applicable`, which only the verdict produces.
const CONSENT_STATUSES: &[&str] = &[
    "valid",
    "none",
    "expired",
    "not_yet_valid",
    "revoked",
    "deficient",
    "known_false",
    "general_release_only",
    "recipient_not_covered",
    "purpose_not_covered",
    "records_not_covered",
];

/// Index of a value in a fact's value list (the enums' declaration order matches the lists).
pub fn purpose_ix(p: Purpose) -> u8 {
    p as u8
}

pub fn kind_ix(k: RecipientKind) -> u8 {
    k as u8
}

pub fn role_ix(r: Role) -> u8 {
    r as u8
}

pub fn consent_kind_ix(k: Option<ConsentKind>) -> u8 {
    match k {
        None => 0,
        Some(k) => 1 + k as u8,
    }
}

pub fn holder_basis_ix(b: HolderBasis) -> u8 {
    b as u8
}

pub fn inquiry_ix(i: Option<InquiryAbout>) -> u8 {
    i.map_or(0, |i| 1 + i as u8)
}

pub fn hipaa_status_ix(s: HipaaStatus) -> u8 {
    HipaaStatus::ALL.iter().position(|x| *x == s).unwrap_or(2) as u8
}

pub fn consent_status_ix(s: ConsentStatus) -> u8 {
    CONSENT_STATUSES
        .iter()
        .position(|v| *v == s.as_str())
        .unwrap_or(1) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Records;

    /// The integer encodings above rely on enum order; this pins them to the spellings.
    #[test]
    fn value_lists_match_the_queue_enums() {
        for (i, v) in Fact::Purpose.values().iter().enumerate() {
            let p: Purpose = serde_yaml::from_str(v).unwrap();
            assert_eq!(purpose_ix(p) as usize, i);
            assert_eq!(p.as_str(), *v);
        }
        for (i, v) in Fact::RecipientKind.values().iter().enumerate() {
            let k: RecipientKind = serde_yaml::from_str(v).unwrap();
            assert_eq!(kind_ix(k) as usize, i);
        }
        for (i, v) in Fact::Actor.values().iter().enumerate() {
            let r: Role = serde_yaml::from_str(v).unwrap();
            assert_eq!(role_ix(r) as usize, i);
        }
        for (i, v) in Fact::ConsentKind.values().iter().enumerate().skip(1) {
            let k: ConsentKind = serde_yaml::from_str(v).unwrap();
            assert_eq!(consent_kind_ix(Some(k)) as usize, i);
        }
        for (i, v) in Fact::Records.values().iter().enumerate() {
            let r: Records = serde_yaml::from_str(v).unwrap();
            assert_eq!(r as usize, i);
        }
        for (i, v) in Fact::ConsentStatus.values().iter().enumerate() {
            let s = ConsentStatus::parse(v).unwrap();
            assert_eq!(consent_status_ix(s) as usize, i);
        }
        for (i, v) in Fact::HolderBasis.values().iter().enumerate() {
            let b: HolderBasis = serde_yaml::from_str(v).unwrap();
            assert_eq!(holder_basis_ix(b) as usize, i);
        }
        for (i, v) in Fact::InquiryAbout.values().iter().enumerate().skip(1) {
            let x: InquiryAbout = serde_yaml::from_str(v).unwrap();
            assert_eq!(inquiry_ix(Some(x)) as usize, i);
        }
        for (i, v) in Fact::HipaaStatus.values().iter().enumerate() {
            assert_eq!(hipaa_status_ix(HipaaStatus::parse(v).unwrap()) as usize, i);
        }
        for (i, v) in Fact::OnBehalfOfKind.values().iter().enumerate().skip(1) {
            let k: RecipientKind = serde_yaml::from_str(v).unwrap();
            assert_eq!(kind_ix(k) as usize + 1, i);
        }
        assert!(Fact::ALL.iter().all(|f| f.values().len() <= 64));
        assert_eq!(Fact::from_name("purpose"), Some(Fact::Purpose));
        assert_eq!(Fact::from_name("nope"), None);
    }
}
