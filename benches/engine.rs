//! The engine alone (BENCHMARKS.md#engine-alone: ≥ 500,000 disclosures/s on one thread, trace included):
//! facts + both policies + the full result, over a synthetic in-memory queue of varied
//! shapes. Loading and output are measured by the end-to-end bench, not here.
//!
//! Run: cargo bench --bench engine

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use p2review::engine::Engine;
use p2review::queue::*;

const N: usize = 20_000;
const PATIENTS: usize = 5_000;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}

fn program(id: &str, name: &str, part2: bool, va: bool) -> Program {
    Program {
        id: id.into(),
        name: name.into(),
        part2,
        covered_entity: true,
        va,
        npis: vec![],
        taxonomies: vec![],
    }
}

/// A queue like a billing company's: mostly payer claims, with consents in every state,
/// restrictions, legal process, emergencies and counseling notes mixed in.
fn synthetic() -> Queue {
    let kinds = [
        RecipientKind::HealthPlan,
        RecipientKind::HealthPlan,
        RecipientKind::HealthPlan,
        RecipientKind::ThirdPartyPayer,
        RecipientKind::Clearinghouse,
        RecipientKind::CollectionAgency,
        RecipientKind::TreatingProvider,
        RecipientKind::Employer,
        RecipientKind::Court,
        RecipientKind::LawEnforcement,
        RecipientKind::Auditor,
        RecipientKind::Patient,
    ];
    let purposes = [
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Treatment,
        Purpose::HealthCareOperations,
        Purpose::Audit,
        Purpose::LegalProceeding,
        Purpose::LawEnforcement,
        Purpose::Employment,
        Purpose::PatientAccess,
    ];
    let names = [
        "Pinecrest Health Plan",
        "Birch Mutual Health",
        "Granite Auto",
        "Relay Claims",
    ];
    let mut consents = Vec::new();
    let mut restrictions = Vec::new();
    let patients: Vec<Patient> = (0..PATIENTS)
        .map(|i| Patient {
            reference: format!("P-{i:05}"),
            display: None,
            deceased: i % 97 == 0,
            minor: i % 89 == 0,
            member_ids: vec![],
        })
        .collect();
    for i in 0..PATIENTS {
        // 0–3 consents per patient in varied states.
        for k in 0..(i % 4) {
            let kind = [
                ConsentKind::Tpo,
                ConsentKind::Specific,
                ConsentKind::CounselingNotes,
            ][k % 3];
            consents.push(Consent {
                id: format!("C-{i:05}-{k}"),
                patient: format!("P-{i:05}"),
                program: if i % 13 == 0 { "cedar" } else { "harbor" }.into(),
                kind,
                recipients: if kind == ConsentKind::Tpo {
                    RecipientClass::ALL
                        .iter()
                        .map(|c| ConsentRecipient {
                            class: Some(*c),
                            name: None,
                        })
                        .collect()
                } else {
                    vec![ConsentRecipient {
                        class: None,
                        name: Some(names[i % 4].into()),
                    }]
                },
                purposes: vec![
                    Purpose::Treatment,
                    Purpose::Payment,
                    Purpose::HealthCareOperations,
                ],
                records: if kind == ConsentKind::CounselingNotes {
                    vec![Records::CounselingNotes]
                } else {
                    vec![Records::General]
                },
                information: None,
                signed_on: day((i % 600) as u64),
                expires_on: Some(day((i % 600 + 200 + k * 300) as u64)),
                expires_event: None,
                event_occurred_on: None,
                revoked_on: (i % 11 == 0).then(|| day(500)),
                missing_elements: if i % 17 == 0 {
                    vec![MissingElement::RefusalConsequences]
                } else {
                    vec![]
                },
                known_false: i % 31 == 0,
            });
        }
        if i % 9 == 0 {
            restrictions.push(Restriction {
                patient: format!("P-{i:05}"),
                kind: if i % 2 == 0 {
                    RestrictionKind::SelfPay
                } else {
                    RestrictionKind::Agreed
                },
                recipients: vec!["health_plans".into(), "Lakeside Family Medicine".into()],
                purposes: vec![
                    Purpose::Payment,
                    Purpose::HealthCareOperations,
                    Purpose::Treatment,
                ],
                services: None,
                service_dates: Some(DateRange {
                    from: day(400),
                    to: day(430),
                }),
            });
        }
    }
    let disclosures = (0..N)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let purpose = purposes[(i / 3) % purposes.len()];
            let program = match i % 41 {
                0 => "maple",
                1 => "valleyva",
                _ if i % 13 == 0 => "cedar",
                _ => "harbor",
            };
            Disclosure {
                id: format!("D-{i:06}"),
                requested_on: day(690),
                patient: format!("P-{:05}", (i * 7) % PATIENTS),
                program: program.into(),
                actor: Some(Role::Qso),
                holder_basis: None,
                research_documented: false,
                recipient: Recipient {
                    name: names[i % 4].into(),
                    kind,
                    covered_entity: Some(kind.default_covered_entity()),
                    qsoa_with_program: i % 23 == 0,
                    subcontractor: i % 19 == 0,
                    audit_agreement: i % 5 == 0,
                    on_behalf_of: None,
                    treats_patient: false,
                    involved_in_care: false,
                    address: None,
                },
                purpose,
                records: match i % 29 {
                    0 => Records::CounselingNotes,
                    1 => Records::Deidentified,
                    _ => Records::General,
                },
                against_patient: i % 37 == 0,
                proceeding: Some(if kind == RecipientKind::LawEnforcement {
                    Proceeding::Criminal
                } else {
                    Proceeding::Civil
                }),
                court_order: (i % 53 == 0).then_some(CourtOrder::S2_64),
                inquiry_about: None,
                subpoena: i % 47 == 0,
                emergency: i % 61 == 0,
                consent: None,
                service_dates: (i % 3 != 0).then(|| DateRange {
                    from: day((380 + i % 120) as u64),
                    to: day((390 + i % 120) as u64),
                }),
                claim: None,
                note: None,
                information: None,
                expect: None,
            }
        })
        .collect();
    Queue {
        schema: SCHEMA.into(),
        as_of: None,
        pack: None,
        organization: Organization {
            name: "Summit Billing Services".into(),
            role: Role::Qso,
        },
        programs: vec![
            program("harbor", "Harbor Recovery Center", true, false),
            program("cedar", "Cedar Ridge", true, false),
            program("maple", "Maple Street Primary Care", false, false),
            program("valleyva", "Valley VA", true, true),
        ],
        payers: vec![],
        fhir_identifier_systems: vec![],
        patients,
        consents,
        restrictions,
        disclosures,
    }
}

fn bench(c: &mut Criterion) {
    let q = synthetic();
    let ix = QueueIndex::build(&q);
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(day(700)).unwrap();
    // Variety check: the synthetic queue reaches many rules.
    let rules: std::collections::BTreeSet<String> = q
        .disclosures
        .iter()
        .map(|d| ev.evaluate(&q, &ix, d).part2.rule.into_owned())
        .collect();
    eprintln!(
        "synthetic queue: {} disclosures, {} distinct Part 2 rules reached",
        q.disclosures.len(),
        rules.len()
    );
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(q.disclosures.len() as u64));
    g.sample_size(30);
    g.bench_function("evaluate_20k", |b| {
        b.iter(|| {
            for d in &q.disclosures {
                black_box(ev.evaluate(&q, &ix, black_box(d)));
            }
        })
    });
    g.finish();
    cpu_time_report(&q, &ix, &ev);
}

/// CPU time this thread has run, from /proc (ns). The CI machine is shared by several
/// jobs, so wall-clock figures understate the engine; this measures what it costs.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn cpu_time_report(q: &Queue, ix: &QueueIndex, ev: &p2review::engine::Evaluator<'_>) {
    let Some(_) = thread_cpu_ns() else {
        return;
    };
    let mut rates: Vec<f64> = (0..15)
        .map(|_| {
            let t0 = thread_cpu_ns().unwrap_or(0);
            for d in &q.disclosures {
                black_box(ev.evaluate(q, ix, black_box(d)));
            }
            let ns = thread_cpu_ns().unwrap_or(0).saturating_sub(t0).max(1);
            q.disclosures.len() as f64 / (ns as f64 / 1e9)
        })
        .collect();
    rates.sort_by(|a, b| a.total_cmp(b));
    eprintln!(
        "engine/evaluate per CPU-second (15 passes of {}): median {:.0}/s, min {:.0}/s, max {:.0}/s",
        q.disclosures.len(),
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
