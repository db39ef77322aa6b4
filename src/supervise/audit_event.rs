//! `log show --format fhir`: one FHIR R4 AuditEvent per verified decision entry, in the
//! shape of the IHE BALP consent-authorization pattern (IHE ITI Basic Audit Log Patterns
//! 1.1.x, profile `IHE.BasicAudit.AuthZconsent`; docs/fhir.md#auditevent-export).
//!
//! Each event ties back to its signed line: `id` is the entry hash, and an entity names
//! `urn:p2review:entry:<hash>` with the log id and seq. The reviewer's note is never
//! exported (it is free text that may hold what the log keeps out of exports).

use serde_json::{Value, json};

use super::record::DecisionRecord;

pub const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
/// The BALP AuthZ subtype code system and its consent-decision code.
pub const BALP_AUTHZ_SUBTYPE: &str = "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType";
pub const BALP_AUTHZ_CONSENT: &str = "AuthZ-Consent";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const SECURITY_ROLE: &str = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
const SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// The R4 outcome code of a decision: 0 success (approve), 8 serious failure (deny),
/// 4 minor failure (escalate, defer: not yet decided either way).
pub fn outcome(decision: &str) -> &'static str {
    match decision {
        "approve" => "0",
        "deny" => "8",
        _ => "4",
    }
}

/// The v3-ActReason code of a queue purpose, where one says the same thing.
fn act_reason(purpose: &str) -> Option<&'static str> {
    Some(match purpose {
        "treatment" => "TREAT",
        "payment" => "HPAYMT",
        "health_care_operations" => "HOPERAT",
        "research" => "HRESCH",
        "public_health" => "PUBHLTH",
        "legal_proceeding" => "HLEGAL",
        _ => return None,
    })
}

/// The AuditEvent of one decision entry; `None` for an entry that did not verify (it is
/// not a record anyone can rely on).
pub fn audit_event(r: &DecisionRecord) -> Option<Value> {
    if !r.verification.ok() {
        return None;
    }
    let b = &r.body;
    let hash = &r.entry_sha256;
    let mut desc = b.decision.to_string();
    if let Some(code) = &b.reason_code {
        desc.push_str(&format!(" ({code})"));
    }
    if b.override_ {
        desc.push_str("; approved against the Part 2 verdict (override)");
    }
    let mut purpose = vec![json!({ "system": "urn:p2review:purpose", "code": &*b.purpose })];
    if let Some(code) = act_reason(&b.purpose) {
        purpose.push(json!({ "system": ACT_REASON, "code": code }));
    }
    let mut entity = vec![
        json!({
            "what": { "identifier": { "system": "urn:p2review:subject", "value": b.subject } },
            "type": { "system": ENTITY_TYPE, "code": "1", "display": "Person" },
            "role": { "system": OBJECT_ROLE, "code": "1", "display": "Patient" }
        }),
        json!({
            "what": { "identifier": { "system": "urn:p2review:disclosure", "value": b.disclosure } },
            "type": { "system": ENTITY_TYPE, "code": "2", "display": "System Object" },
            "detail": [{ "type": "disclosure_sha256", "valueString": b.disclosure_sha256 }]
        }),
        json!({
            "what": { "identifier": {
                "system": "urn:ietf:rfc:3986",
                "value": format!("urn:p2review:entry:{hash}")
            } },
            "type": { "system": ENTITY_TYPE, "code": "2", "display": "System Object" },
            "detail": [
                { "type": "log", "valueString": &*b.log },
                { "type": "seq", "valueString": b.seq.to_string() }
            ]
        }),
    ];
    if let Some(c) = &b.consent {
        entity.push(json!({
            "what": { "identifier": { "system": "urn:p2review:consent", "value": c } },
            "type": { "system": "http://hl7.org/fhir/resource-types", "code": "Consent", "display": "Consent" }
        }));
    }
    Some(json!({
        "resourceType": "AuditEvent",
        "id": hash,
        "type": { "system": DCM, "code": "110113", "display": "Security Alert" },
        "subtype": [{
            "system": BALP_AUTHZ_SUBTYPE,
            "code": BALP_AUTHZ_CONSENT,
            "display": "Authorization Decision using Roles and Consent"
        }],
        "action": "E",
        "recorded": r.ts_text(),
        "outcome": outcome(&b.decision),
        "outcomeDesc": desc,
        "purposeOfEvent": [{ "coding": purpose }],
        "agent": [
            {
                "type": { "coding": [{ "system": SECURITY_ROLE, "code": "authserver", "display": "authorization server" }] },
                "who": { "identifier": { "system": "urn:p2review:principal", "value": &*b.reviewer } },
                "altId": &*b.key,
                "name": &*b.reviewer,
                "requestor": false
            },
            {
                "type": { "coding": [{ "system": PARTICIPATION, "code": "IRCP", "display": "information recipient" }] },
                "who": { "display": &*b.recipient.name },
                "name": &*b.recipient.name,
                "role": [{ "coding": [{ "system": "urn:p2review:recipient-kind", "code": &*b.recipient.kind }] }],
                "requestor": true
            }
        ],
        "source": {
            "site": &*b.log,
            "observer": { "display": "p2review" },
            "type": [{ "system": SOURCE_TYPE, "code": "4", "display": "Application Server" }]
        },
        "entity": entity
    }))
}
