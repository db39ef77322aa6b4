//! Unit tests of the facts: consent checks and reporting, restrictions, defaults.

use chrono::NaiveDate;

use super::*;
use crate::queue::{Queue, QueueIndex, load_bytes};
use crate::verdict::{CheckName, ConsentStatus};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const HEAD: &str = r#"schema: p2review.queue/1
organization: { name: Summit Billing Services, role: qso }
programs:
  - { id: harbor, name: Harbor Recovery Center, part2: true }
  - { id: clinic, name: Maple Street Primary Care, part2: false }
  - { id: vahosp, name: Valley VA Medical Center, part2: true, va: true }
  - { id: oasis, name: Oasis House, part2: true, covered_entity: false }
patients: [ { ref: P-1 }, { ref: P-2, deceased: true, minor: true } ]
"#;

/// A queue with the given consents/restrictions YAML and one disclosure (its body).
fn queue(extra: &str, disclosure: &str) -> (Queue, QueueIndex) {
    let text = format!(
        "{HEAD}{extra}\ndisclosures:\n  - id: D-1\n    requested_on: 2026-11-20\n    patient: P-1\n    program: harbor\n{disclosure}\n"
    );
    let q = load_bytes(text.as_bytes(), "test").unwrap();
    let ix = QueueIndex::build(&q);
    (q, ix)
}

fn facts_on<'q>(q: &'q Queue, ix: &QueueIndex, on: &str) -> Facts<'q> {
    derive(q, ix, &q.disclosures[0], day(on))
}

const TO_PLAN: &str =
    "    recipient: { name: Pinecrest Health Plan, kind: health_plan }\n    purpose: payment";

fn one_consent(fields: &str) -> String {
    format!(
        "consents:\n  - {{ id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ {{ class: health_plans }} ], purposes: [payment], signed_on: 2026-01-01, {fields} }}"
    )
}

fn status(extra: &str, disclosure: &str, on: &str) -> ConsentStatus {
    let (q, ix) = queue(extra, disclosure);
    facts_on(&q, &ix, on).consent_status()
}

#[test]
fn valid_on_expiry_day_expired_the_day_after() {
    let c = one_consent("expires_on: 2026-11-28");
    assert_eq!(status(&c, TO_PLAN, "2026-11-28"), ConsentStatus::Valid);
    assert_eq!(status(&c, TO_PLAN, "2026-11-29"), ConsentStatus::Expired);
}

#[test]
fn expiry_event_counts_through_the_day_it_occurred() {
    let open = one_consent("expires_event: end of treatment");
    assert_eq!(status(&open, TO_PLAN, "2030-01-01"), ConsentStatus::Valid);
    let c = one_consent("expires_event: end of treatment, event_occurred_on: 2026-11-28");
    assert_eq!(status(&c, TO_PLAN, "2026-11-28"), ConsentStatus::Valid);
    assert_eq!(status(&c, TO_PLAN, "2026-11-29"), ConsentStatus::Expired);
}

#[test]
fn revocation_dated_today_blocks_today() {
    let c = one_consent("expires_on: 2027-11-28, revoked_on: 2026-11-28");
    assert_eq!(status(&c, TO_PLAN, "2026-11-27"), ConsentStatus::Valid);
    assert_eq!(status(&c, TO_PLAN, "2026-11-28"), ConsentStatus::Revoked);
}

#[test]
fn signed_after_the_evaluation_date_is_not_yet_valid() {
    let c = one_consent("expires_on: 2027-11-28");
    assert_eq!(
        status(&c, TO_PLAN, "2025-12-31"),
        ConsentStatus::NotYetValid
    );
    assert_eq!(status(&c, TO_PLAN, "2026-01-01"), ConsentStatus::Valid);
}

#[test]
fn criminal_justice_consent_survives_revocation_until_expiry() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: criminal_justice, recipients: [ { name: County Probation } ], purposes: [criminal_justice_supervision], signed_on: 2026-01-01, expires_on: 2026-12-31, revoked_on: 2026-06-01 }";
    let d = "    recipient: { name: County Probation, kind: criminal_justice_agency }\n    purpose: criminal_justice_supervision";
    assert_eq!(status(c, d, "2026-11-28"), ConsentStatus::Valid);
    assert_eq!(status(c, d, "2027-01-01"), ConsentStatus::Expired);
    let (q, ix) = queue(c, d);
    let f = facts_on(&q, &ix, "2026-11-28");
    let r = consent::result(
        f.consent.as_ref().unwrap(),
        &q.disclosures[0],
        day("2026-11-28"),
    );
    let rev = r
        .checks
        .iter()
        .find(|c| c.check == CheckName::NotRevoked)
        .unwrap();
    assert!(rev.ok && rev.detail.contains("2.35"), "{rev:?}");
}

#[test]
fn checks_are_all_listed_in_order_with_dates() {
    let c = one_consent("expires_on: 2027-02-01");
    let (q, ix) = queue(&c, TO_PLAN);
    let f = facts_on(&q, &ix, "2026-11-28");
    let r = consent::result(
        f.consent.as_ref().unwrap(),
        &q.disclosures[0],
        day("2026-11-28"),
    );
    let names: Vec<CheckName> = r.checks.iter().map(|c| c.check).collect();
    assert_eq!(names, CheckName::ORDER.to_vec());
    assert_eq!(r.checks[2].detail, "expires 2027-02-01");
    assert_eq!(r.checks[1].detail, "signed 2026-01-01");
    assert_eq!(r.id.as_deref(), Some("C-1"));
}

#[test]
fn ce_redisclosure_statement_counts_only_for_ce_or_ba_under_tpo() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans }, { class: third_party_payers } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01, missing_elements: [ce_redisclosure_statement] }";
    assert_eq!(status(c, TO_PLAN, "2026-11-28"), ConsentStatus::Deficient);
    let tpp =
        "    recipient: { name: Granite Auto, kind: third_party_payer }\n    purpose: payment";
    assert_eq!(status(c, tpp, "2026-11-28"), ConsentStatus::Valid);
    let tpp_ba = "    recipient: { name: Granite Auto, kind: third_party_payer, qsoa_with_program: true }\n    purpose: payment";
    assert_eq!(status(c, tpp_ba, "2026-11-28"), ConsentStatus::Deficient);
    let specific = c.replace("kind: tpo", "kind: specific");
    assert_eq!(
        status(&specific, TO_PLAN, "2026-11-28"),
        ConsentStatus::Valid
    );
    let other = c.replace("ce_redisclosure_statement", "signature");
    assert_eq!(status(&other, tpp, "2026-11-28"), ConsentStatus::Deficient);
}

#[test]
fn general_release_reports_general_release_only() {
    let c = one_consent("expires_on: 2027-01-01").replace("kind: tpo", "kind: general_release");
    assert_eq!(
        status(&c, TO_PLAN, "2026-11-28"),
        ConsentStatus::GeneralReleaseOnly
    );
}

#[test]
fn reported_consent_follows_the_three_steps() {
    // (1) a valid one wins over a later-signed failing one.
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [payment], signed_on: 2025-01-01, expires_on: 2027-01-01 }\n  - { id: C-2, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01, known_false: true }";
    let (q, ix) = queue(c, TO_PLAN);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.consent.unwrap().consent.id, "C-1");
    assert_eq!(f.consent_status(), ConsentStatus::Valid);
    // (2) none valid: the latest that covers recipient, purpose and records, first failure.
    let c2 = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [payment], signed_on: 2025-01-01, expires_on: 2026-01-01 }\n  - { id: C-2, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: treating_providers } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let (q, ix) = queue(c2, TO_PLAN);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.consent.unwrap().consent.id, "C-1");
    assert_eq!(f.consent_status(), ConsentStatus::Expired);
    // (3) none covers: the latest signed, first failure.
    let c3 = c2.replace("class: health_plans", "class: third_party_payers");
    let (q, ix) = queue(&c3, TO_PLAN);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.consent.unwrap().consent.id, "C-2");
    assert_eq!(f.consent_status(), ConsentStatus::RecipientNotCovered);
    // Same signing date: the lower id.
    let c4 = c
        .replace("signed_on: 2026-01-01", "signed_on: 2025-01-01")
        .replace(", known_false: true", "");
    let (q, ix) = queue(&c4, TO_PLAN);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").consent.unwrap().consent.id,
        "C-1"
    );
    // No candidate at all.
    let (q, ix) = queue("", TO_PLAN);
    assert!(facts_on(&q, &ix, "2026-11-28").consent.is_none());
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").consent_status(),
        ConsentStatus::None
    );
}

#[test]
fn a_named_consent_is_the_only_candidate() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [payment], signed_on: 2025-01-01, expires_on: 2027-01-01 }\n  - { id: C-2, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [payment], signed_on: 2025-01-01, expires_on: 2026-01-01 }";
    let d = format!("{TO_PLAN}\n    consent: C-2");
    let (q, ix) = queue(c, &d);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.consent.unwrap().consent.id, "C-2");
    assert_eq!(f.consent_status(), ConsentStatus::Expired);
}

#[test]
fn counseling_notes_and_proceedings_consents_cover_only_their_own() {
    let cn = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: counseling_notes, recipients: [ { class: health_plans } ], purposes: [payment], records: [counseling_notes], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let notes = format!("{TO_PLAN}\n    records: counseling_notes");
    assert_eq!(status(cn, &notes, "2026-11-28"), ConsentStatus::Valid);
    assert_eq!(
        status(cn, TO_PLAN, "2026-11-28"),
        ConsentStatus::RecordsNotCovered
    );
    let tpo = one_consent("expires_on: 2027-01-01");
    assert_eq!(
        status(&tpo, &notes, "2026-11-28"),
        ConsentStatus::RecordsNotCovered
    );
    let pr = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: proceedings, recipients: [ { name: Family Court } ], purposes: [legal_proceeding], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let against = "    recipient: { name: Family Court, kind: court }\n    purpose: legal_proceeding\n    against_patient: true";
    let proceeding =
        "    recipient: { name: Family Court, kind: court }\n    purpose: legal_proceeding";
    assert_eq!(status(pr, against, "2026-11-28"), ConsentStatus::Valid);
    // 2.31(d): it covers a proceeding not against the patient too, and nothing else.
    assert_eq!(status(pr, proceeding, "2026-11-28"), ConsentStatus::Valid);
    let pr_pay = pr.replace("[legal_proceeding]", "[legal_proceeding, payment]");
    let payment = "    recipient: { name: Family Court, kind: court }\n    purpose: payment";
    assert_eq!(
        status(&pr_pay, payment, "2026-11-28"),
        ConsentStatus::PurposeNotCovered
    );
    let tpo_court = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: specific, recipients: [ { name: Family Court } ], purposes: [legal_proceeding], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    assert_eq!(
        status(tpo_court, against, "2026-11-28"),
        ConsentStatus::PurposeNotCovered
    );
    // Only a proceedings consent covers a proceeding (2.31(d)).
    assert_eq!(
        status(tpo_court, proceeding, "2026-11-28"),
        ConsentStatus::PurposeNotCovered
    );
}

#[test]
fn audit_is_covered_by_health_care_operations() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: health_plans } ], purposes: [health_care_operations], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let d = "    recipient: { name: Pinecrest Health Plan, kind: health_plan }\n    purpose: audit";
    assert_eq!(status(c, d, "2026-11-28"), ConsentStatus::Valid);
}

#[test]
fn class_map_and_program_operations() {
    let ops = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: program_operations } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let vendor = "    recipient: { name: Coder Co, kind: vendor }\n    purpose: payment";
    let (q, ix) = queue(ops, vendor);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.consent_status(), ConsentStatus::Valid);
    assert_eq!(f.get(Fact::ConsentByProgramOperations), 1);
    // Health plans are not third-party payers and vice versa (2.11).
    let tpp = ops.replace("program_operations", "third_party_payers");
    assert_eq!(
        status(&tpp, TO_PLAN, "2026-11-28"),
        ConsentStatus::RecipientNotCovered
    );
    // Named as well as in the class: not "only" program operations.
    let both = ops.replace(
        "{ class: program_operations }",
        "{ class: program_operations }, { name: coder  co }",
    );
    let (q, ix) = queue(&both, vendor);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").get(Fact::ConsentByProgramOperations),
        0
    );
}

const SELF_PAY: &str = "restrictions:\n  - { patient: P-1, kind: self_pay, recipients: [health_plans], purposes: [payment, health_care_operations], service_dates: { from: 2026-03-01, to: 2026-03-31 } }";

fn restriction_of(extra: &str, d: &str) -> (u8, bool) {
    let (q, ix) = queue(extra, d);
    let f = facts_on(&q, &ix, "2026-11-28");
    (f.get(Fact::Restriction), f.restriction_dates_unknown)
}

#[test]
fn self_pay_needs_a_health_plan_for_payment_or_operations() {
    let march = "\n    service_dates: { from: 2026-03-31, to: 2026-04-02 }";
    assert_eq!(
        restriction_of(SELF_PAY, &format!("{TO_PLAN}{march}")),
        (1, false)
    );
    let tpp = format!(
        "    recipient: {{ name: Granite, kind: third_party_payer }}\n    purpose: payment{march}"
    );
    let all_payers = SELF_PAY.replace("[health_plans]", "[health_plans, third_party_payers]");
    assert_eq!(restriction_of(&all_payers, &tpp), (0, false));
    let treat = format!(
        "    recipient: {{ name: Pinecrest Health Plan, kind: health_plan }}\n    purpose: treatment{march}"
    );
    let with_treat = SELF_PAY.replace("[payment, health_care_operations]", "[treatment, payment]");
    assert_eq!(restriction_of(&with_treat, &treat), (0, false));
}

#[test]
fn service_dates_overlap_inclusively_or_are_unknown() {
    let april = format!("{TO_PLAN}\n    service_dates: {{ from: 2026-04-01, to: 2026-04-30 }}");
    assert_eq!(restriction_of(SELF_PAY, &april), (0, false));
    let feb_end = format!("{TO_PLAN}\n    service_dates: {{ from: 2026-02-01, to: 2026-03-01 }}");
    assert_eq!(restriction_of(SELF_PAY, &feb_end), (1, false));
    assert_eq!(restriction_of(SELF_PAY, TO_PLAN), (1, true));
}

#[test]
fn agreed_restrictions_match_by_name_or_class_and_purpose() {
    let agreed =
        "restrictions:\n  - { patient: P-1, kind: agreed, recipients: [Lakeside Family Medicine] }";
    let d = "    recipient: { name: LAKESIDE family  medicine, kind: treating_provider }\n    purpose: treatment";
    assert_eq!(restriction_of(agreed, d), (2, false));
    let research = "    recipient: { name: Lakeside Family Medicine, kind: treating_provider }\n    purpose: research";
    assert_eq!(restriction_of(agreed, research), (0, false));
    let other =
        "    recipient: { name: Birch Clinic, kind: treating_provider }\n    purpose: treatment";
    assert_eq!(restriction_of(agreed, other), (0, false));
    let by_class = agreed.replace("[Lakeside Family Medicine]", "[treating_providers]");
    assert_eq!(restriction_of(&by_class, other), (2, false));
    // Self-pay wins when both apply.
    let both =
        format!("{SELF_PAY}\n  - {{ patient: P-1, kind: agreed, recipients: [health_plans] }}");
    assert_eq!(restriction_of(&both, TO_PLAN).0, 1);
}

#[test]
fn recipient_defaults_actor_and_applicability() {
    let (q, ix) = queue("", TO_PLAN);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.value_name(Fact::RecipientCe), "true");
    assert_eq!(f.value_name(Fact::RecipientBa), "false");
    assert_eq!(f.value_name(Fact::Actor), "qso");
    assert_eq!(f.value_name(Fact::ActorCeOrBa), "true");
    assert_eq!(f.value_name(Fact::Part2Records), "true");
    let vendor = "    recipient: { name: Coder Co, kind: vendor, subcontractor: true }\n    purpose: payment";
    let (q, ix) = queue("", vendor);
    let f = facts_on(&q, &ix, "2026-11-28");
    assert_eq!(f.value_name(Fact::RecipientCe), "false");
    assert_eq!(f.value_name(Fact::RecipientCeOrBa), "true");
    let police = "    recipient: { name: Metro Police, kind: law_enforcement }\n    purpose: other";
    let (q, ix) = queue("", police);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::Proceeding),
        "criminal"
    );
    let court = "    recipient: { name: Family Court, kind: court }\n    purpose: legal_proceeding";
    let (q, ix) = queue("", court);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::Proceeding),
        "civil"
    );
    let lh = format!("{TO_PLAN}\n    actor: lawful_holder");
    let (q, ix) = queue("", &lh);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::ActorCeOrBa),
        "false"
    );
    let emergency =
        "    recipient: { name: ER, kind: medical_personnel }\n    purpose: medical_emergency";
    let (q, ix) = queue("", emergency);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::Emergency),
        "true"
    );
}

#[test]
fn applicability_of_part2() {
    for (program, part2, va) in [
        ("clinic", "false", "false"),
        ("vahosp", "true", "true"),
        ("oasis", "true", "false"),
    ] {
        let text = format!(
            "{HEAD}disclosures:\n  - {{ id: D-1, requested_on: 2026-11-20, patient: P-2, program: {program}, recipient: {{ name: Harbor Recovery Center, kind: part2_program }}, purpose: payment }}\n"
        );
        let q = load_bytes(text.as_bytes(), "t").unwrap();
        let ix = QueueIndex::build(&q);
        let f = derive(&q, &ix, &q.disclosures[0], day("2026-11-28"));
        assert_eq!(f.value_name(Fact::Part2Records), part2, "{program}");
        assert_eq!(f.value_name(Fact::VaRecords), va, "{program}");
        assert_eq!(f.value_name(Fact::Deceased), "true");
        assert_eq!(f.value_name(Fact::Minor), "true");
        assert_eq!(
            f.value_name(Fact::ProgramCe),
            if program == "oasis" { "false" } else { "true" }
        );
    }
}

// ---- Round-2 facts --------------------------------------------------------------------

#[test]
fn holder_basis_defaults_by_actor_and_flags_a_silent_covered_entity() {
    let basis = |d: &str| {
        let (q, ix) = queue("", d);
        let f = facts_on(&q, &ix, "2026-11-28");
        (
            f.value_name(Fact::HolderBasis),
            f.get(Fact::HolderBasisAssumed) == 1,
        )
    };
    assert_eq!(basis(TO_PLAN), ("qsoa", false));
    assert_eq!(
        basis(&format!("    actor: part2_program\n{TO_PLAN}")),
        ("own", false)
    );
    assert_eq!(
        basis(&format!("    actor: lawful_holder\n{TO_PLAN}")),
        ("consent", false)
    );
    // 2.33(b): a covered entity that does not say is read as a bound lawful holder.
    assert_eq!(
        basis(&format!("    actor: covered_entity\n{TO_PLAN}")),
        ("consent", true)
    );
    assert_eq!(
        basis(&format!(
            "    actor: covered_entity\n    holder_basis: tpo_consent\n{TO_PLAN}"
        )),
        ("tpo_consent", false)
    );
}

#[test]
fn treating_providers_cover_a_program_only_with_a_treating_relationship() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: treating_providers } ], purposes: [treatment], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let to = |flag: &str| {
        format!(
            "    recipient: {{ name: Other Program, kind: part2_program{flag} }}\n    purpose: treatment"
        )
    };
    assert_eq!(
        status(c, &to(", treats_patient: true"), "2026-11-28"),
        ConsentStatus::Valid
    );
    assert_eq!(
        status(c, &to(""), "2026-11-28"),
        ConsentStatus::RecipientNotCovered
    );
}

#[test]
fn a_conduits_consent_must_cover_its_final_recipient() {
    let c = "consents:\n  - { id: C-1, patient: P-1, program: harbor, kind: tpo, recipients: [ { class: program_operations } ], purposes: [payment], signed_on: 2026-01-01, expires_on: 2027-01-01 }";
    let to = |final_kind: &str| {
        format!(
            "    recipient: {{ name: ClaimBridge, kind: clearinghouse, on_behalf_of: {{ name: Pinecrest, kind: {final_kind} }} }}\n    purpose: payment"
        )
    };
    assert_eq!(
        status(c, &to("health_plan"), "2026-11-28"),
        ConsentStatus::RecipientNotCovered
    );
    let (q, ix) = queue(c, &to("health_plan"));
    let f = facts_on(&q, &ix, "2026-11-28");
    let shown = crate::facts::consent::result(
        f.consent.as_ref().unwrap(),
        &q.disclosures[0],
        day("2026-11-28"),
    );
    let check = shown
        .checks
        .iter()
        .find(|k| k.check == CheckName::CoversRecipient)
        .unwrap();
    assert!(check.detail.contains("final recipient"), "{}", check.detail);
    let both = c.replace(
        "{ class: program_operations }",
        "{ class: program_operations }, { class: health_plans }",
    );
    assert_eq!(
        status(&both, &to("health_plan"), "2026-11-28"),
        ConsentStatus::Valid
    );
}

#[test]
fn only_a_proceedings_consent_covers_a_proceeding_and_only_a_2_35_consent_supervision() {
    let c = |kind: &str, purpose: &str| {
        format!(
            "consents:\n  - {{ id: C-1, patient: P-1, program: harbor, kind: {kind}, recipients: [ {{ name: Court }} ], purposes: [{purpose}], signed_on: 2026-01-01, expires_on: 2027-01-01 }}"
        )
    };
    let d = |purpose: &str| {
        format!("    recipient: {{ name: Court, kind: court }}\n    purpose: {purpose}")
    };
    let on = "2026-11-28";
    assert_eq!(
        status(
            &c("proceedings", "legal_proceeding"),
            &d("legal_proceeding"),
            on
        ),
        ConsentStatus::Valid
    );
    assert_eq!(
        status(
            &c("specific", "legal_proceeding"),
            &d("legal_proceeding"),
            on
        ),
        ConsentStatus::PurposeNotCovered
    );
    assert_eq!(
        status(&c("proceedings", "payment"), &d("payment"), on),
        ConsentStatus::PurposeNotCovered
    );
    let cjs = "criminal_justice_supervision";
    assert_eq!(
        status(&c("criminal_justice", cjs), &d(cjs), on),
        ConsentStatus::Valid
    );
    assert_eq!(
        status(&c("specific", cjs), &d(cjs), on),
        ConsentStatus::PurposeNotCovered
    );
}

#[test]
fn self_pay_reaches_a_conduit_to_a_health_plan_and_flags_an_unknown_one() {
    let r = "restrictions:\n  - { patient: P-1, kind: self_pay, recipients: [health_plans], purposes: [payment] }";
    let value = |recipient: &str| {
        let (q, ix) = queue(
            r,
            &format!("    recipient: {recipient}\n    purpose: payment"),
        );
        facts_on(&q, &ix, "2026-11-28")
            .value_name(Fact::Restriction)
            .to_owned()
    };
    assert_eq!(value("{ name: Pinecrest, kind: health_plan }"), "self_pay");
    assert_eq!(
        value(
            "{ name: ClaimBridge, kind: clearinghouse, on_behalf_of: { name: Pinecrest, kind: health_plan } }"
        ),
        "self_pay"
    );
    assert_eq!(
        value(
            "{ name: ClaimBridge, kind: clearinghouse, on_behalf_of: { name: Granite, kind: third_party_payer } }"
        ),
        "none"
    );
    assert_eq!(
        value("{ name: ClaimBridge, kind: clearinghouse }"),
        "self_pay_unknown_conduit"
    );
    assert_eq!(value("{ name: Granite, kind: third_party_payer }"), "none");
}

#[test]
fn an_operations_restriction_binds_an_audit() {
    let r = "restrictions:\n  - { patient: P-1, kind: agreed, recipients: [Pinecrest], purposes: [health_care_operations] }";
    let (q, ix) = queue(
        r,
        "    recipient: { name: Pinecrest, kind: health_plan }\n    purpose: audit",
    );
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::Restriction),
        "agreed"
    );
}

#[test]
fn inquiry_about_patient_needs_against_patient() {
    let text = format!(
        "{HEAD}disclosures:\n  - id: D-1\n    requested_on: 2026-11-20\n    patient: P-1\n    program: harbor\n    recipient: {{ name: DA, kind: law_enforcement }}\n    purpose: law_enforcement\n    inquiry_about: patient\n"
    );
    let err = load_bytes(text.as_bytes(), "test").unwrap_err().to_string();
    assert!(err.contains("disclosures[0].inquiry_about"), "{err}");
    assert!(err.contains("against_patient: true"), "{err}");
    let ok = text.replace(
        "inquiry_about: patient\n",
        "inquiry_about: patient\n    against_patient: true\n",
    );
    let q = load_bytes(ok.as_bytes(), "test").unwrap();
    let ix = QueueIndex::build(&q);
    assert_eq!(
        facts_on(&q, &ix, "2026-11-28").value_name(Fact::InquiryAbout),
        "patient"
    );
}

#[test]
fn a_restriction_listing_a_non_tpo_purpose_is_a_warning_naming_it() {
    let text = format!(
        "{HEAD}restrictions:\n  - {{ patient: P-2, kind: agreed, recipients: [CPS], purposes: [treatment, child_abuse_report] }}\n  - {{ patient: P-1, kind: agreed, recipients: [X], purposes: [payment, audit] }}\n"
    );
    let q = load_bytes(text.as_bytes(), "test").unwrap();
    let w = crate::queue::load_warnings(&q);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("restrictions[0]"), "{}", w[0]);
    assert!(w[0].contains("child_abuse_report"), "{}", w[0]);
}
