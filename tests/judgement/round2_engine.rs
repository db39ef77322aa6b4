//! Result-level checks of the round-2 rules that `policy test` answer keys cannot express:
//! `unsettled`, `missing_facts`, the consent named for a copy, the stricter marker and the
//! wording of explanations.

use p2review::engine::{ConsentStatus, Engine, Evaluation, HipaaStatus, Part2Status};
use p2review::queue::{QueueIndex, load_bytes};

const HEAD: &str = "schema: p2review.queue/1
as_of: 2026-11-28
organization: { name: Summit Billing Services, role: qso }
programs: [ { id: harbor, name: Harbor Recovery Center, part2: true } ]
patients: [ { ref: P-1 }, { ref: P-2, deceased: true } ]
consents:
  - { id: C-1, patient: P-1, program: harbor, kind: specific, recipients: [ { name: Granite Auto Insurance } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01 }
";

/// Evaluate one disclosure (its YAML body, without id/dates) on 2026-11-28.
fn eval(patient: &str, body: &str) -> Evaluation {
    let text = format!(
        "{HEAD}disclosures:\n  - id: D-1\n    requested_on: 2026-11-20\n    patient: {patient}\n    program: harbor\n{body}\n"
    );
    let q = load_bytes(text.as_bytes(), "t").unwrap();
    let ix = QueueIndex::build(&q);
    let engine = Engine::default();
    let ev = engine
        .for_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    ev.evaluate(&q, &ix, &q.disclosures[0])
}

#[test]
fn a_covered_entity_without_holder_basis_is_unsettled_and_one_that_says_is_not() {
    let body =
        "    recipient: { name: Pinecrest Health Plan, kind: health_plan }\n    purpose: payment";
    let silent = eval("P-1", &format!("    actor: covered_entity\n{body}"));
    assert!(silent.part2.unsettled);
    assert_eq!(silent.part2.status, Part2Status::ConsentRequired);
    assert!(silent.part2.explanation.contains("holder_basis"));
    let said = eval(
        "P-1",
        &format!("    actor: covered_entity\n    holder_basis: consent\n{body}"),
    );
    assert!(!said.part2.unsettled);
    assert_eq!(said.part2.status, Part2Status::ConsentRequired);
}

#[test]
fn a_tpo_consent_holder_follows_hipaa_and_flags_the_notice_question() {
    let ev = eval(
        "P-1",
        "    actor: covered_entity\n    holder_basis: tpo_consent\n    recipient: { name: Pinecrest Health Plan, kind: health_plan }\n    purpose: payment",
    );
    assert_eq!(ev.part2.status, Part2Status::Permitted);
    assert_eq!(ev.hipaa.status, HipaaStatus::PermittedTpo);
    assert!(ev.part2.unsettled, "A32: the notice point is [U]");
    assert!(!ev.stricter);
}

#[test]
fn a_contractor_redisclosure_names_the_consent_to_copy() {
    // 2.33(c): the auto insurer (lawful holder) passes the claim to its bound contractor.
    let ev = eval(
        "P-1",
        "    actor: lawful_holder\n    recipient: { name: Keystone Bill Review, kind: vendor, subcontractor: true }\n    purpose: payment",
    );
    assert_eq!(ev.part2.status, Part2Status::PermittedWithNotice);
    assert!(ev.part2.notice.consent_copy_required);
    assert_eq!(ev.consent.id.as_deref(), Some("C-1"));
    assert_eq!(ev.consent.status, ConsentStatus::NotApplicable);
    // With no consent on file there is nothing to copy: the rule does not apply.
    let none = eval(
        "P-2",
        "    actor: lawful_holder\n    recipient: { name: Keystone Bill Review, kind: vendor, subcontractor: true }\n    purpose: payment",
    );
    assert_eq!(none.part2.status, Part2Status::ConsentRequired);
    assert!(!none.part2.notice.consent_copy_required);
}

#[test]
fn missing_facts_are_listed_and_the_stricter_outcome_taken() {
    let ev = eval(
        "P-1",
        "    actor: lawful_holder\n    holder_basis: audit\n    recipient: { name: Audit Support LLC, kind: vendor, subcontractor: true }\n    purpose: audit",
    );
    assert_eq!(ev.part2.status, Part2Status::Prohibited);
    assert_eq!(ev.missing_facts.len(), 1);
    assert!(ev.missing_facts[0].contains("2.53(e)"));
    let json = serde_json::to_value(&ev).unwrap();
    assert!(json["missing_facts"].is_array());
    // Funeral director: HIPAA 164.512(g)(2) cannot be told from `other`.
    let cod = eval(
        "P-2",
        "    recipient: { name: Rosewood Funeral Home, kind: other }\n    purpose: cause_of_death",
    );
    assert_eq!(cod.hipaa.status, HipaaStatus::AuthorizationRequired);
    assert!(
        cod.missing_facts
            .iter()
            .any(|m| m.contains("164.512(g)(2)"))
    );
    // A settled result has no missing_facts key at all.
    let plain = eval(
        "P-1",
        "    recipient: { name: Granite Auto Insurance, kind: third_party_payer }\n    purpose: payment",
    );
    assert!(plain.missing_facts.is_empty());
    assert!(
        serde_json::to_value(&plain)
            .unwrap()
            .get("missing_facts")
            .is_none()
    );
}

#[test]
fn a_victim_or_witness_request_is_never_explained_as_a_program_investigation() {
    for order in ["", "    court_order: \"2.66\"\n"] {
        let ev = eval(
            "P-1",
            &format!(
                "    recipient: {{ name: County District Attorney, kind: law_enforcement }}\n    purpose: law_enforcement\n    inquiry_about: other_person\n{order}"
            ),
        );
        assert_eq!(ev.part2.status, Part2Status::ConsentRequired);
        assert!(
            !ev.part2.explanation.contains("investigat") || ev.part2.explanation.contains("victim"),
            "{}",
            ev.part2.explanation
        );
        assert!(!ev.part2.explanation.contains("of the program"));
        assert_eq!(ev.part2.unsettled, !order.is_empty(), "order: {order:?}");
    }
}

#[test]
fn the_patient_communication_exception_and_its_limits() {
    let to_patient = "    recipient: { name: Patient, kind: patient }\n    purpose: payment";
    let ev = eval("P-1", to_patient);
    assert_eq!(ev.part2.status, Part2Status::Permitted);
    assert!(!ev.part2.unsettled);
    assert!(ev.part2.explanation.contains("criminal use"));
    let notes = eval(
        "P-1",
        &format!("{to_patient}\n    records: counseling_notes"),
    );
    assert_eq!(notes.part2.status, Part2Status::ConsentRequired);
    assert!(notes.part2.unsettled);
    let holder = eval("P-1", &format!("    actor: lawful_holder\n{to_patient}"));
    assert!(holder.part2.unsettled);
    let rep = eval(
        "P-2",
        "    recipient: { name: Executor, kind: personal_representative }\n    purpose: other",
    );
    assert!(rep.part2.unsettled);
    assert!(rep.stricter, "HIPAA treats the executor as the patient");
}

#[test]
fn a_criminal_justice_agency_for_another_purpose_is_unsettled() {
    let ev = eval(
        "P-1",
        "    recipient: { name: County Drug Court, kind: criminal_justice_agency }\n    purpose: payment",
    );
    assert!(ev.part2.unsettled);
    let cjs = eval(
        "P-1",
        "    recipient: { name: County Drug Court, kind: criminal_justice_agency }\n    purpose: criminal_justice_supervision",
    );
    assert!(!cjs.part2.unsettled);
    assert_eq!(cjs.part2.status, Part2Status::ConsentRequired);
}

#[test]
fn family_involved_in_care_flips_the_stricter_marker() {
    let ev = eval(
        "P-1",
        "    recipient: { name: Spouse, kind: family, involved_in_care: true }\n    purpose: other",
    );
    assert_eq!(ev.hipaa.status, HipaaStatus::PermittedNoAuth);
    assert_eq!(ev.part2.status, Part2Status::ConsentRequired);
    assert!(ev.stricter);
    let not = eval(
        "P-1",
        "    recipient: { name: Spouse, kind: family }\n    purpose: other",
    );
    assert!(!not.stricter);
}
