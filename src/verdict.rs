//! The evaluation result of one disclosure (docs/evaluation-json.md). Field names and enum values are
//! normative: `evaluate --format json` prints exactly this shape, and the log, the TUI and
//! training read it.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: String,
    pub as_of: NaiveDate,
    pub consent: ConsentResult,
    pub part2: Part2Result,
    pub hipaa: HipaaResult,
    pub stricter: bool,
    pub policy: PolicyRefs,
    /// Facts the queue cannot express that the verdicts rest on; each verdict then takes the
    /// stricter outcome. An extra key, present only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_facts: Vec<Cow<'static, str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentResult {
    /// Null when no consent is reported (status `none` or `not_applicable`).
    pub id: Option<String>,
    pub status: ConsentStatus,
    pub checks: Vec<ConsentCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentCheck {
    pub check: CheckName,
    pub ok: bool,
    /// Most details are fixed phrases; shared rather than allocated per evaluation.
    pub detail: Cow<'static, str>,
}

/// The nine consent checks, in the order they are applied (docs/evaluation-json.md#consent-checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// Fails for a general release (2.32(a)(1)): not a Part 2 consent at all.
    IsPart2Consent,
    Signed,
    NotExpired,
    NotRevoked,
    Complete,
    NotKnownFalse,
    CoversRecipient,
    CoversPurpose,
    CoversRecords,
}

impl CheckName {
    pub const ORDER: [CheckName; 9] = [
        CheckName::IsPart2Consent,
        CheckName::Signed,
        CheckName::NotExpired,
        CheckName::NotRevoked,
        CheckName::Complete,
        CheckName::NotKnownFalse,
        CheckName::CoversRecipient,
        CheckName::CoversPurpose,
        CheckName::CoversRecords,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::IsPart2Consent => "is_part2_consent",
            CheckName::Signed => "signed",
            CheckName::NotExpired => "not_expired",
            CheckName::NotRevoked => "not_revoked",
            CheckName::Complete => "complete",
            CheckName::NotKnownFalse => "not_known_false",
            CheckName::CoversRecipient => "covers_recipient",
            CheckName::CoversPurpose => "covers_purpose",
            CheckName::CoversRecords => "covers_records",
        }
    }

    /// The consent status a failure of this check yields.
    pub fn failure_status(self) -> ConsentStatus {
        match self {
            CheckName::IsPart2Consent => ConsentStatus::GeneralReleaseOnly,
            CheckName::Signed => ConsentStatus::NotYetValid,
            CheckName::NotExpired => ConsentStatus::Expired,
            CheckName::NotRevoked => ConsentStatus::Revoked,
            CheckName::Complete => ConsentStatus::Deficient,
            CheckName::NotKnownFalse => ConsentStatus::KnownFalse,
            CheckName::CoversRecipient => ConsentStatus::RecipientNotCovered,
            CheckName::CoversPurpose => ConsentStatus::PurposeNotCovered,
            CheckName::CoversRecords => ConsentStatus::RecordsNotCovered,
        }
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The normative spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// `consent.status` (docs/evaluation-json.md#consentstatus).
    ConsentStatus {
        Valid = "valid",
        None = "none",
        Expired = "expired",
        NotYetValid = "not_yet_valid",
        Revoked = "revoked",
        Deficient = "deficient",
        KnownFalse = "known_false",
        GeneralReleaseOnly = "general_release_only",
        RecipientNotCovered = "recipient_not_covered",
        PurposeNotCovered = "purpose_not_covered",
        RecordsNotCovered = "records_not_covered",
        NotApplicable = "not_applicable",
    }
);

string_enum!(
    /// `part2.status` (docs/evaluation-json.md#part2status-and-its-verdict-word).
    Part2Status {
        Permitted = "permitted",
        PermittedWithNotice = "permitted_with_notice",
        ConsentRequired = "consent_required",
        CourtOrderRequired = "court_order_required",
        Prohibited = "prohibited",
        NotApplicable = "not_applicable",
    }
);

string_enum!(
    /// `part2.redisclosure` (docs/evaluation-json.md#part2redisclosure): what the recipient may do next.
    Redisclosure {
        NotApplicable = "not_applicable",
        None = "none",
        HipaaExceptProceedings = "hipaa_except_proceedings",
        ContractorsOnly = "contractors_only",
        ConsentOnly = "consent_only",
        BackToHolderOnly = "back_to_holder_only",
        OrderScopeOnly = "order_scope_only",
    }
);

string_enum!(
    /// `hipaa.status` (docs/evaluation-json.md#hipaastatus-and-its-verdict-word).
    HipaaStatus {
        PermittedTpo = "permitted_tpo",
        PermittedNoAuth = "permitted_no_auth",
        AuthorizationRequired = "authorization_required",
        Prohibited = "prohibited",
        NotPhi = "not_phi",
        Required = "required",
        NotApplicable = "not_applicable",
    }
);

impl Part2Status {
    /// The normative verdict word for screens and tables (docs/evaluation-json.md).
    pub fn word(self) -> &'static str {
        match self {
            Part2Status::Permitted => "PERMIT",
            Part2Status::PermittedWithNotice => "PERMIT+NOTICE",
            Part2Status::ConsentRequired => "CONSENT REQ",
            Part2Status::CourtOrderRequired => "ORDER REQ",
            Part2Status::Prohibited => "PROHIBITED",
            Part2Status::NotApplicable => "NOT PART 2",
        }
    }

    /// The statuses under which an approval is an override (docs/signed-log.md#decision).
    pub fn blocks(self) -> bool {
        matches!(
            self,
            Part2Status::ConsentRequired
                | Part2Status::CourtOrderRequired
                | Part2Status::Prohibited
        )
    }
}

impl HipaaStatus {
    /// The normative verdict word for screens and tables (docs/evaluation-json.md).
    pub fn word(self) -> &'static str {
        match self {
            HipaaStatus::PermittedTpo => "TPO OK",
            HipaaStatus::PermittedNoAuth => "NO AUTH OK",
            HipaaStatus::AuthorizationRequired => "AUTH REQ",
            HipaaStatus::Prohibited => "PROHIBITED",
            HipaaStatus::NotPhi => "NOT PHI",
            HipaaStatus::Required => "REQUIRED",
            HipaaStatus::NotApplicable => "N/A",
        }
    }

    /// HIPAA alone would let this go out (used by `stricter`).
    pub fn lets_through(self) -> bool {
        matches!(
            self,
            HipaaStatus::PermittedTpo
                | HipaaStatus::PermittedNoAuth
                | HipaaStatus::Required
                | HipaaStatus::NotPhi
        )
    }
}

/// docs/evaluation-json.md: `stricter` ⇔ HIPAA lets it through and Part 2 adds a condition or blocks it.
pub fn is_stricter(part2: Part2Status, hipaa: HipaaStatus) -> bool {
    hipaa.lets_through()
        && matches!(
            part2,
            Part2Status::PermittedWithNotice
                | Part2Status::ConsentRequired
                | Part2Status::CourtOrderRequired
                | Part2Status::Prohibited
        )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part2Result {
    pub status: Part2Status,
    pub rule: Cow<'static, str>,
    pub notice: Notice,
    pub redisclosure: Redisclosure,
    /// Policy strings are interned (`crate::policy::intern`): copying them is free.
    pub citations: Cow<'static, [Cow<'static, str>]>,
    pub explanation: Cow<'static, str>,
    pub unsettled: bool,
    pub trace: Vec<TraceStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub required: bool,
    pub consent_copy_required: bool,
    /// The §2.32 statement chosen by the policy; null when no notice is required.
    pub statement: Option<Cow<'static, str>>,
}

/// One rule tried. Interned strings: the trace is built for every evaluation (BENCHMARKS.md#engine-alone
/// speed), and the rule ids and reasons come from the loaded policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceStep {
    pub rule: Cow<'static, str>,
    pub matched: bool,
    pub why: Cow<'static, str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HipaaResult {
    pub status: HipaaStatus,
    pub rule: Cow<'static, str>,
    pub citations: Cow<'static, [Cow<'static, str>]>,
    pub explanation: Cow<'static, str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRefs {
    pub part2: PolicyRef,
    pub hipaa: PolicyRef,
}

/// Which policy file decided: its id, version and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Interned when built by the engine (copied into every result without allocating);
    /// owned when read back from JSON.
    pub id: Cow<'static, str>,
    pub version: Cow<'static, str>,
    pub sha256: Cow<'static, str>,
}
