//! Property tests over generated queues: evaluation never panics and is deterministic,
//! and for Part 2 records Part 2 is never looser than HIPAA where HIPAA forbids or needs
//! an authorization.
//!
//! Exceptions found: none. Two places looked like exceptions and are ordered on purpose:
//! - 42 CFR 2.31(b) / 45 CFR 164.508(a)(2): with a valid counseling-notes consent, Part 2
//!   permits (with notice) what HIPAA calls authorization_required; that is a consent, so
//!   it is not "without consent".
//! - 2.26(a)(3) / 164.522(a)(1)(iii): an agreed restriction yields to emergency treatment
//!   on both sides, so HIPAA never prohibits what the Part 2 emergency rule permits.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use p2review::engine::{Engine, HipaaStatus, Part2Status, is_stricter};
use p2review::queue::*;

const KINDS: &[RecipientKind] = &[
    RecipientKind::HealthPlan,
    RecipientKind::ThirdPartyPayer,
    RecipientKind::Clearinghouse,
    RecipientKind::CollectionAgency,
    RecipientKind::ConsumerReportingAgency,
    RecipientKind::TreatingProvider,
    RecipientKind::MedicalPersonnel,
    RecipientKind::Part2Program,
    RecipientKind::CoveredEntity,
    RecipientKind::Vendor,
    RecipientKind::Employer,
    RecipientKind::Court,
    RecipientKind::Attorney,
    RecipientKind::LawEnforcement,
    RecipientKind::PublicHealthAuthority,
    RecipientKind::ChildProtectiveServices,
    RecipientKind::VitalStatistics,
    RecipientKind::Auditor,
    RecipientKind::Researcher,
    RecipientKind::CriminalJusticeAgency,
    RecipientKind::Patient,
    RecipientKind::PersonalRepresentative,
    RecipientKind::Family,
    RecipientKind::Other,
];

const PURPOSES: &[Purpose] = &[
    Purpose::Treatment,
    Purpose::Payment,
    Purpose::HealthCareOperations,
    Purpose::Audit,
    Purpose::Research,
    Purpose::PublicHealth,
    Purpose::MedicalEmergency,
    Purpose::LegalProceeding,
    Purpose::LawEnforcement,
    Purpose::ChildAbuseReport,
    Purpose::CauseOfDeath,
    Purpose::PatientAccess,
    Purpose::PatientDirected,
    Purpose::Employment,
    Purpose::CriminalJusticeSupervision,
    Purpose::Other,
];

const NAMES: &[&str] = &[
    "Pinecrest Health Plan",
    "Summit Billing Services",
    "Harbor Recovery Center",
    "Relay Claims",
    "Metro Police",
];

const PROGRAMS: &[&str] = &["harbor", "oasis", "clinic", "vahosp"];
const ROLES: &[Role] = &[
    Role::Qso,
    Role::Part2Program,
    Role::CoveredEntity,
    Role::LawfulHolder,
];
const CONSENT_KINDS: &[ConsentKind] = &[
    ConsentKind::Tpo,
    ConsentKind::Specific,
    ConsentKind::CounselingNotes,
    ConsentKind::Proceedings,
    ConsentKind::CriminalJustice,
    ConsentKind::GeneralRelease,
];
const MISSING: &[MissingElement] = &[
    MissingElement::Signature,
    MissingElement::CeRedisclosureStatement,
    MissingElement::RefusalConsequences,
];
const RECORDS: &[Records] = &[
    Records::General,
    Records::CounselingNotes,
    Records::Deidentified,
];
const ORDERS: &[Option<CourtOrder>] = &[
    None,
    None,
    Some(CourtOrder::S2_64),
    Some(CourtOrder::S2_65),
    Some(CourtOrder::S2_66),
    Some(CourtOrder::S2_67),
];

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn date(offset: u16) -> NaiveDate {
    base().checked_add_days(Days::new(offset as u64)).unwrap()
}

fn pick<T: Clone + std::fmt::Debug + 'static>(xs: &'static [T]) -> impl Strategy<Value = T> {
    (0..xs.len()).prop_map(move |i| xs[i].clone())
}

/// Half the time `common`, else any of `xs`: keeps generated cases near the usual
/// billing shape so that consents, restrictions and disclosures actually meet.
fn often<T: Clone + std::fmt::Debug + 'static>(
    common: T,
    xs: &'static [T],
) -> impl Strategy<Value = T> {
    prop_oneof![Just(common), pick(xs)]
}

fn consent(i: usize) -> impl Strategy<Value = Consent> {
    (
        (
            0usize..3,
            often("harbor", PROGRAMS),
            often(ConsentKind::Tpo, CONSENT_KINDS),
        ),
        (
            proptest::collection::vec(
                prop_oneof![
                    (0usize..4).prop_map(|c| ConsentRecipient {
                        class: Some(RecipientClass::ALL[c]),
                        name: None
                    }),
                    pick(NAMES).prop_map(|n| ConsentRecipient {
                        class: None,
                        name: Some(n.to_owned())
                    }),
                ],
                1..3,
            ),
            proptest::collection::vec(often(Purpose::Payment, PURPOSES), 1..4),
            proptest::collection::vec(often(Records::General, RECORDS), 1..3),
        ),
        (
            0u16..400,
            proptest::option::of(0u16..700),
            proptest::option::weighted(0.2, 0u16..700),
            prop::bool::weighted(0.2),
        ),
        (
            prop_oneof![4 => Just(vec![]), 1 => proptest::collection::vec(pick(MISSING), 1..2)],
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            move |(
                (p, program, kind),
                (recipients, purposes, records),
                (signed, exp, revoked, by_event),
                (missing, known_false),
            )| {
                let expires = exp.map(|e| date(signed.saturating_add(e)));
                Consent {
                    id: format!("C-{i}"),
                    patient: format!("P-{p}"),
                    program: program.to_owned(),
                    kind,
                    recipients,
                    purposes,
                    records,
                    information: None,
                    signed_on: date(signed),
                    expires_on: if by_event {
                        None
                    } else {
                        Some(expires.unwrap_or(date(900)))
                    },
                    expires_event: if by_event {
                        Some("end of treatment".into())
                    } else {
                        None
                    },
                    event_occurred_on: if by_event { expires } else { None },
                    revoked_on: revoked.map(date),
                    missing_elements: missing,
                    known_false,
                }
            },
        )
}

fn restriction() -> impl Strategy<Value = Restriction> {
    (
        0usize..3,
        any::<bool>(),
        proptest::collection::vec(
            prop_oneof![
                Just("health_plans".to_owned()),
                Just("treating_providers".to_owned()),
                pick(NAMES).prop_map(str::to_owned),
            ],
            1..3,
        ),
        proptest::collection::vec(often(Purpose::Payment, PURPOSES), 1..4),
        proptest::option::of((0u16..600, 0u16..60)),
    )
        .prop_map(|(p, self_pay, recipients, purposes, dates)| Restriction {
            patient: format!("P-{p}"),
            kind: if self_pay {
                RestrictionKind::SelfPay
            } else {
                RestrictionKind::Agreed
            },
            recipients,
            purposes,
            services: None,
            service_dates: dates.map(|(f, len)| DateRange {
                from: date(f),
                to: date(f + len),
            }),
        })
}

fn disclosure(i: usize) -> impl Strategy<Value = Disclosure> {
    (
        (
            0usize..3,
            often("harbor", PROGRAMS),
            often(Role::Qso, ROLES),
            often(Purpose::Payment, PURPOSES),
            often(Records::General, RECORDS),
        ),
        (
            pick(NAMES),
            often(RecipientKind::HealthPlan, KINDS),
            proptest::option::weighted(0.2, any::<bool>()),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
        ),
        (
            prop::bool::weighted(0.15),
            often(None, ORDERS),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
            proptest::option::weighted(0.2, 0usize..6),
        ),
        proptest::option::of((0u16..700, 0u16..60)),
    )
        .prop_map(
            move |(
                (p, program, actor, purpose, records),
                (name, kind, ce, qsoa, sub, audit),
                (against, order, subpoena, emergency, named),
                dates,
            )| {
                let mut d = Disclosure {
                    id: format!("D-{i}"),
                    requested_on: date(300),
                    patient: format!("P-{p}"),
                    program: program.to_owned(),
                    actor: Some(actor),
                    holder_basis: None,
                    research_documented: false,
                    recipient: Recipient {
                        name: name.to_owned(),
                        kind,
                        covered_entity: ce,
                        qsoa_with_program: qsoa,
                        subcontractor: sub,
                        audit_agreement: audit,
                        on_behalf_of: None,
                        treats_patient: false,
                        involved_in_care: false,
                        address: None,
                    },
                    purpose,
                    records,
                    against_patient: against,
                    proceeding: None,
                    court_order: order,
                    inquiry_about: None,
                    subpoena,
                    emergency,
                    consent: named.map(|c| format!("C-{c}")),
                    service_dates: dates.map(|(f, len)| DateRange {
                        from: date(f),
                        to: date(f + len),
                    }),
                    claim: None,
                    note: None,
                    information: None,
                    expect: None,
                };
                d.proceeding = Some(d.proceeding_or_default());
                d.recipient.covered_entity = Some(d.recipient.covered_entity());
                d
            },
        )
}

fn queue() -> impl Strategy<Value = Queue> {
    (
        (any::<bool>(), any::<bool>()),
        proptest::collection::vec(0usize..1, 0..6).prop_flat_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, _)| consent(i))
                .collect::<Vec<_>>()
        }),
        proptest::collection::vec(restriction(), 0..3),
        proptest::collection::vec(0usize..1, 1..8).prop_flat_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, _)| disclosure(i))
                .collect::<Vec<_>>()
        }),
    )
        .prop_map(
            |((deceased, minor), consents, restrictions, disclosures)| Queue {
                schema: SCHEMA.to_owned(),
                as_of: None,
                pack: None,
                organization: Organization {
                    name: "Summit Billing Services".into(),
                    role: Role::Qso,
                    breach_notice_days: None,
                },
                programs: vec![
                    Program {
                        id: "harbor".into(),
                        name: "Harbor Recovery Center".into(),
                        part2: true,
                        covered_entity: true,
                        va: false,
                        npis: vec![],
                        taxonomies: vec![],
                    },
                    Program {
                        id: "oasis".into(),
                        name: "Oasis House".into(),
                        part2: true,
                        covered_entity: false,
                        va: false,
                        npis: vec![],
                        taxonomies: vec![],
                    },
                    Program {
                        id: "clinic".into(),
                        name: "Maple Clinic".into(),
                        part2: false,
                        covered_entity: true,
                        va: false,
                        npis: vec![],
                        taxonomies: vec![],
                    },
                    Program {
                        id: "vahosp".into(),
                        name: "Valley VA".into(),
                        part2: true,
                        covered_entity: true,
                        va: true,
                        npis: vec![],
                        taxonomies: vec![],
                    },
                ],
                payers: vec![],
                fhir_identifier_systems: vec![],
                patients: (0..3)
                    .map(|i| Patient {
                        reference: format!("P-{i}"),
                        display: None,
                        deceased: deceased && i == 1,
                        minor: minor && i == 2,
                        member_ids: vec![],
                    })
                    .collect(),
                consents,
                restrictions,
                disclosures,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_is_total_deterministic_and_never_looser_than_hipaa(q in queue(), day in 0u16..800) {
        let engine = Engine::load(None).unwrap();
        let ev = engine.for_date(date(day)).unwrap();
        let ix = QueueIndex::build(&q);
        for d in &q.disclosures {
            let a = ev.evaluate(&q, &ix, d);
            let b = ev.evaluate(&q, &ix, d);
            prop_assert_eq!(&a, &b);
            // Same JSON every time (what outside checks read).
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&b).unwrap());
            // Readers (log, TUI, training) get back exactly what was written.
            let back: p2review::engine::Evaluation = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &a);
            let p2 = a.part2.status;
            let h = a.hipaa.status;
            prop_assert_eq!(a.stricter, is_stricter(p2, h));
            prop_assert_eq!(a.part2.notice.required, p2 == Part2Status::PermittedWithNotice);
            prop_assert_eq!(a.part2.notice.statement.is_some(), a.part2.notice.required);
            let last = a.part2.trace.last().unwrap();
            prop_assert!(last.matched && *last.rule == *a.part2.rule);
            prop_assert!(a.part2.trace[..a.part2.trace.len() - 1].iter().all(|t| !t.matched));
            if p2 == Part2Status::PermittedWithNotice {
                prop_assert!(matches!(a.consent.status.as_str(), "valid" | "not_applicable"), "{:?}", a.consent);
            }
            if p2 == Part2Status::NotApplicable {
                continue;
            }
            // Part 2 records from here on.
            if h == HipaaStatus::Prohibited {
                prop_assert!(!matches!(p2, Part2Status::Permitted | Part2Status::PermittedWithNotice),
                    "Part 2 lets through what HIPAA prohibits: {} / {} ({:?})", a.part2.rule, a.hipaa.rule, d);
            }
            if h == HipaaStatus::AuthorizationRequired {
                prop_assert!(p2 != Part2Status::Permitted,
                    "Part 2 permits without consent what HIPAA needs an authorization for: {} / {} ({:?})",
                    a.part2.rule, a.hipaa.rule, d);
            }
        }
    }
}

/// Loading evaluates on several threads (BENCHMARKS.md#targets): the engine must be shareable.
#[test]
fn engine_and_evaluator_are_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Engine>();
    shareable::<p2review::engine::Evaluator<'static>>();
    shareable::<p2review::engine::Evaluation>();
}
