//! The parts of FHIR R4 (and R5) resources `import fhir-consent` reads, as typed serde
//! structs (docs/fhir.md). Every field has a default and unknown elements are ignored, so
//! any JSON object of the right shape reads; a wrong JSON type is an error for that one
//! resource only. Elements p2review reports but does not map are kept as presence flags
//! (`serde_json::Value`) so the report can name them.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
    /// DS4P puts the basis of a security label (e.g. v3-ActCode#42CFRPart2) here.
    pub extension: Vec<Extension>,
}

impl Coding {
    /// True when the system ends with `system_tail` (HL7 systems appear both as
    /// `http://terminology.hl7.org/CodeSystem/v3-ActCode` and older `http://hl7.org/fhir/v3/ActCode`).
    pub fn is(&self, system_tails: &[&str], code: &str) -> bool {
        self.code.as_deref().map(str::trim) == Some(code)
            && self
                .system
                .as_deref()
                .is_some_and(|s| system_tails.iter().any(|t| s.trim_end().ends_with(t)))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Extension {
    pub url: Option<String>,
    #[serde(rename = "valueCoding")]
    pub value_coding: Option<Box<Coding>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeableConcept {
    pub coding: Vec<Coding>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Identifier {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Reference {
    pub reference: Option<String>,
    pub identifier: Option<Identifier>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Meta {
    #[serde(rename = "lastUpdated")]
    pub last_updated: Option<String>,
    pub security: Vec<Coding>,
}

/// R4 `Consent.policy`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub authority: Option<String>,
    pub uri: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Actor {
    pub role: CodeableConcept,
    pub reference: Reference,
}

/// R4 `Consent.provision` (R5's `provision` is a list of the same shape, without `type`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Provision {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub period: Option<Period>,
    pub actor: Vec<Actor>,
    pub action: Vec<Value>,
    #[serde(rename = "securityLabel")]
    pub security_label: Vec<Coding>,
    pub purpose: Vec<Coding>,
    /// R5 names it `documentType`/`resourceType`; both read as "what information".
    pub class: Vec<Coding>,
    pub code: Vec<CodeableConcept>,
    #[serde(rename = "dataPeriod")]
    pub data_period: Option<Value>,
    pub data: Vec<Value>,
    pub provision: Vec<Value>,
}

/// R5 `Consent.provision` is a list; R4's is one object.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Provisions {
    One(Box<Provision>),
    Many(Vec<Provision>),
}

/// A Consent, R4 with the R5 names read where they are cheap (`subject`, `date`,
/// `decision`, `regulatoryBasis`, `controller`/`custodian`, list `provision`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Consent {
    pub id: Option<String>,
    pub meta: Meta,
    pub status: Option<String>,
    pub scope: Option<Value>,
    pub category: Vec<Value>,
    pub patient: Option<Reference>,
    /// R5.
    pub subject: Option<Reference>,
    #[serde(rename = "dateTime")]
    pub date_time: Option<String>,
    /// R5 (a date).
    pub date: Option<String>,
    /// R5 top-level period.
    pub period: Option<Period>,
    pub performer: Vec<Value>,
    /// R4 custodian.
    pub organization: Vec<Reference>,
    /// R5 custodian names.
    pub controller: Vec<Reference>,
    pub custodian: Vec<Reference>,
    #[serde(rename = "sourceAttachment")]
    pub source_attachment: Option<Value>,
    #[serde(rename = "sourceReference")]
    pub source_reference: Option<Value>,
    pub policy: Vec<Policy>,
    #[serde(rename = "policyRule")]
    pub policy_rule: Option<CodeableConcept>,
    /// R5.
    #[serde(rename = "regulatoryBasis")]
    pub regulatory_basis: Vec<CodeableConcept>,
    /// R5 `policyBasis.uri`, read as a policy URI.
    #[serde(rename = "policyBasis")]
    pub policy_basis: Option<Policy>,
    pub verification: Vec<Value>,
    /// R5: `deny` | `permit` for the base provision.
    pub decision: Option<String>,
    pub provision: Option<Provisions>,
    pub contained: Vec<Value>,
}

/// An Organization or Patient found in a Bundle or `contained`, for resolving references.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Party {
    pub id: Option<String>,
    pub identifier: Vec<Identifier>,
    /// Organization.name (a string). Patient names are never read.
    #[serde(rename = "name")]
    pub org_name: Option<Value>,
}

impl Party {
    /// The organization's name when it is a string.
    pub fn name(&self) -> Option<&str> {
        self.org_name.as_ref().and_then(Value::as_str)
    }
}
