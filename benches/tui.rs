//! Review TUI over a 100,000-disclosure queue, headless (TestBackend, 80x24):
//! key → frame for navigation, dialogs, filter keystrokes and sorts; time to the first
//! screenful with verdicts; peak RSS. `cargo bench --bench tui`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group};
use p2review::engine::Engine;
use p2review::queue::*;
use p2review::tui::{Action, App, EvalFn, Look, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const N: usize = 100_000;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A 100k queue built in memory: 20,000 patients, a consent each, varied recipients and dates.
fn big_queue() -> Queue {
    let payers = [
        "Pinecrest Health Plan",
        "Bluebird Health Plan",
        "ClearPath Clearinghouse",
        "Apex Collections",
        "Northgate Staffing",
        "County Sheriff",
        "Mercy General ED",
        "State Health Department",
    ];
    let kinds = [
        RecipientKind::HealthPlan,
        RecipientKind::HealthPlan,
        RecipientKind::Clearinghouse,
        RecipientKind::CollectionAgency,
        RecipientKind::Employer,
        RecipientKind::LawEnforcement,
        RecipientKind::TreatingProvider,
        RecipientKind::PublicHealthAuthority,
    ];
    let purposes = [
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Payment,
        Purpose::Employment,
        Purpose::LawEnforcement,
        Purpose::MedicalEmergency,
        Purpose::PublicHealth,
    ];
    let patients: Vec<Patient> = (0..20_000)
        .map(|i| Patient {
            reference: format!("P-{i:05}"),
            display: None,
            deceased: false,
            minor: false,
            member_ids: vec![],
        })
        .collect();
    let consents: Vec<Consent> = (0..20_000)
        .map(|i| Consent {
            id: format!("C-{i:05}"),
            patient: format!("P-{i:05}"),
            program: "harbor".into(),
            kind: ConsentKind::Tpo,
            recipients: vec![ConsentRecipient {
                class: Some(RecipientClass::HealthPlans),
                name: None,
            }],
            purposes: vec![
                Purpose::Treatment,
                Purpose::Payment,
                Purpose::HealthCareOperations,
            ],
            records: vec![Records::General],
            information: Some("All SUD treatment and billing records".into()),
            signed_on: date(2025, 1 + (i % 12) as u32, 1),
            expires_on: Some(date(2026 + (i % 2), 6, 1)),
            expires_event: None,
            event_occurred_on: None,
            revoked_on: None,
            missing_elements: vec![],
            known_false: false,
        })
        .collect();
    let disclosures: Vec<Disclosure> = (0..N)
        .map(|i| {
            let k = (i * 7919) % payers.len();
            Disclosure {
                id: format!("D-{i:06}"),
                requested_on: date(2026, 1 + (i % 11) as u32, 1 + (i % 28) as u32),
                patient: format!("P-{:05}", i % 20_000),
                program: if i % 10 == 0 {
                    "eastside".into()
                } else {
                    "harbor".into()
                },
                actor: Some(Role::Qso),
                holder_basis: None,
                research_documented: false,
                recipient: Recipient {
                    name: payers[k].into(),
                    kind: kinds[k],
                    covered_entity: Some(kinds[k].default_covered_entity()),
                    qsoa_with_program: false,
                    subcontractor: false,
                    audit_agreement: false,
                    on_behalf_of: None,
                    treats_patient: false,
                    involved_in_care: false,
                    address: None,
                },
                purpose: purposes[k],
                records: Records::General,
                against_patient: false,
                proceeding: Some(Proceeding::Civil),
                court_order: None,
                inquiry_about: None,
                subpoena: false,
                emergency: k == 6,
                consent: None,
                service_dates: Some(DateRange {
                    from: date(2026, 1 + (i % 11) as u32, 1),
                    to: date(2026, 1 + (i % 11) as u32, 28),
                }),
                claim: Some(Claim {
                    id: Some(format!("CLM-{i:06}")),
                    amount: Some(Amount(41250 + i as u64)),
                    dx: vec!["F11.20".into()],
                    procedures: vec!["H0020".into()],
                    modifiers: vec![],
                }),
                note: Some("Flagged: SUD diagnosis on claim".into()),
                information: None,
                expect: None,
            }
        })
        .collect();
    Queue {
        schema: SCHEMA.into(),
        as_of: Some(date(2026, 11, 28)),
        pack: None,
        organization: Organization {
            name: "Summit Billing Services".into(),
            role: Role::Qso,
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
                id: "eastside".into(),
                name: "Eastside Family Clinic".into(),
                part2: false,
                covered_entity: true,
                va: false,
                npis: vec![],
                taxonomies: vec![],
            },
        ],
        payers: vec![],
        fhir_identifier_systems: vec![],
        patients,
        consents,
        restrictions: vec![],
        disclosures,
    }
}

fn engine_eval(as_of: NaiveDate) -> EvalFn {
    let engine: &'static Engine = Box::leak(Box::new(Engine::load(None).unwrap()));
    let ev = engine.for_date(as_of).unwrap();
    Arc::new(move |q, ix, d| ev.evaluate(q, ix, d))
}

/// The engine's result with the verdict varied per disclosure, so that filters and sorts
/// over the criterion runs see a realistic mix whatever engine this build has.
fn varied_eval(as_of: NaiveDate) -> EvalFn {
    use p2review::engine::{HipaaStatus, Part2Status, is_stricter};
    let inner = engine_eval(as_of);
    Arc::new(move |q, ix, d| {
        let mut e = inner(q, ix, d);
        let h =
            d.id.bytes()
                .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
        e.part2.status = Part2Status::ALL[h as usize % Part2Status::ALL.len()];
        e.hipaa.status = HipaaStatus::ALL[(h / 7) as usize % HipaaStatus::ALL.len()];
        e.stricter = is_stricter(e.part2.status, e.hipaa.status);
        e
    })
}

fn loaded(q: Queue) -> Arc<LoadedQueue> {
    let index = QueueIndex::build(&q);
    Arc::new(LoadedQueue {
        path: "bench.yaml".into(),
        queue: q,
        index,
        sha256: "0".repeat(64),
    })
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| view(app, f)).unwrap();
}

/// A loaded app with every verdict known (what the reviewer has a moment after start).
fn ready_app(lq: &Arc<LoadedQueue>, eval: &EvalFn) -> App {
    let mut app = App::new(
        false,
        "bench",
        Look {
            color: true,
            ascii: false,
        },
        (80, 24),
    );
    update(&mut app, Action::Loaded(lq.clone(), eval.clone()));
    let verdicts: Vec<_> = lq
        .queue
        .disclosures
        .iter()
        .map(|d| p2review::tui::app::Verdict::of(&eval(&lq.queue, &lq.index, d)))
        .collect();
    let g = app.generation;
    update(
        &mut app,
        Action::Evaluated {
            generation: g,
            start: 0,
            verdicts,
        },
    );
    app
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One-shot timings printed before the criterion runs.
fn startup_report(q: &Queue) {
    let as_of = date(2026, 11, 28);
    // From a queue in memory: index, install, evaluate the visible rows, first frame.
    let mut times = Vec::new();
    for _ in 0..5 {
        let q2 = q.clone();
        let t0 = Instant::now();
        let lq = loaded(q2);
        let mut app = App::new(
            false,
            "bench",
            Look {
                color: true,
                ascii: false,
            },
            (80, 24),
        );
        update(&mut app, Action::Loaded(lq, engine_eval(as_of)));
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        draw(&mut term, &app);
        times.push(t0.elapsed());
    }
    times.sort();
    println!(
        "first screenful from an in-memory queue (index + install + visible verdicts + frame): median {:?}, min {:?}, max {:?}",
        times[2], times[0], times[4]
    );

    // From a YAML file on disk of the BENCHMARKS.md#review-tui shape (the loader's generator: ~33 MB for 100k
    // disclosures with consents, service dates and claims), through the queue loader.
    let _ = q;
    let yaml = p2review::queue::synth::generate_yaml(100_000, 7);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q100k.yaml");
    std::fs::write(&path, &yaml).unwrap();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t0 = Instant::now();
        let lq = Arc::new(load_path(&path).unwrap());
        let t_load = t0.elapsed();
        let mut app = App::new(
            false,
            "bench",
            Look {
                color: true,
                ascii: false,
            },
            (80, 24),
        );
        update(&mut app, Action::Loaded(lq, engine_eval(as_of)));
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        draw(&mut term, &app);
        times.push((t0.elapsed(), t_load));
    }
    times.sort();
    println!(
        "first screenful from a {:.1} MB YAML file (load_path + the above): median {:?} (of which load_path {:?}), min {:?}, max {:?}",
        yaml.len() as f64 / 1e6,
        times[1].0,
        times[1].1,
        times[0].0,
        times[2].0
    );
    // Background evaluation of all 100k.
    let lq = loaded(q.clone());
    let eval = engine_eval(as_of);
    let t0 = Instant::now();
    for d in &lq.queue.disclosures {
        std::hint::black_box(eval(&lq.queue, &lq.index, d));
    }
    println!(
        "background evaluation of all {N} (engine in this build): {:?}",
        t0.elapsed()
    );

    // Each sort key on its own (key press to frame), median and max of 9.
    let eval = varied_eval(as_of);
    let mut app = ready_app(&lq, &eval);
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    for _ in 0..4 {
        let mut t = Vec::new();
        for _ in 0..9 {
            // Cycle round to the key under test, starting from the key before it.
            for _ in 0..3 {
                update(&mut app, Action::CycleSort);
            }
            let t0 = Instant::now();
            update(&mut app, Action::CycleSort);
            draw(&mut term, &app);
            t.push(t0.elapsed());
        }
        t.sort();
        println!(
            "sort by {:<9} key to frame: median {:?}, max {:?}",
            app.sort.label(),
            t[4],
            t[8]
        );
        update(&mut app, Action::CycleSort);
    }
}

fn benches(c: &mut Criterion) {
    let q = big_queue();
    startup_report(&q);
    let lq = loaded(q);
    let eval = varied_eval(date(2026, 11, 28));
    let mut g = c.benchmark_group("tui_100k_80x24");
    g.sample_size(50)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    let mut app = ready_app(&lq, &eval);
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut term, &app);
    let mut down = true;
    g.bench_function("key_to_frame/down_up", |b| {
        b.iter(|| {
            update(&mut app, if down { Action::Down } else { Action::Up });
            down = !down;
            draw(&mut term, &app);
        })
    });
    g.bench_function("key_to_frame/page_down", |b| {
        b.iter(|| {
            update(&mut app, Action::PageDown);
            draw(&mut term, &app);
        })
    });
    g.bench_function("key_to_frame/end_home", |b| {
        let mut end = true;
        b.iter(|| {
            update(&mut app, if end { Action::End } else { Action::Home });
            end = !end;
            draw(&mut term, &app);
        })
    });
    let mut open = true;
    g.bench_function("key_to_frame/dialog_open_close", |b| {
        b.iter(|| {
            update(
                &mut app,
                if open {
                    Action::Decide(p2review::decision::Decision::Deny)
                } else {
                    Action::Cancel
                },
            );
            open = !open;
            draw(&mut term, &app);
        })
    });
    if !open {
        update(&mut app, Action::Cancel);
    }
    g.bench_function("key_to_frame/help_overlay", |b| {
        let mut on = true;
        b.iter(|| {
            update(&mut app, if on { Action::Help } else { Action::Cancel });
            on = !on;
            draw(&mut term, &app);
        })
    });
    update(&mut app, Action::Cancel);

    // Filter keystrokes: type "pine" one key at a time, then delete it again; every
    // iteration is one keystroke with a full re-filter of 100k and a frame.
    update(&mut app, Action::StartFilter);
    let word: Vec<char> = "pine".chars().collect();
    let mut step = 0usize;
    g.bench_function("key_to_frame/filter_keystroke", |b| {
        b.iter(|| {
            let k = step % (2 * word.len());
            update(
                &mut app,
                if k < word.len() {
                    Action::Input(word[k])
                } else {
                    Action::Backspace
                },
            );
            step += 1;
            draw(&mut term, &app);
        })
    });
    update(&mut app, Action::Cancel);
    g.bench_function("key_to_frame/sort_cycle", |b| {
        b.iter(|| {
            update(&mut app, Action::CycleSort);
            draw(&mut term, &app);
        })
    });
    g.bench_function("key_to_frame/quick_filter_part2", |b| {
        b.iter(|| {
            update(&mut app, Action::CyclePart2Filter);
            draw(&mut term, &app);
        })
    });
    g.finish();
    println!(
        "peak RSS of the whole bench process (several queue copies + a 33 MB YAML string): {:.0} MB",
        peak_rss_mb()
    );
}

criterion_group!(tui, benches);

/// Peak RSS of the review screen over 100k disclosures, measured in a fresh process: the
/// queue in memory, the app installed, every verdict evaluated, a frame drawn.
fn rss_child() {
    let lq = loaded(big_queue());
    let eval = varied_eval(date(2026, 11, 28));
    let app = ready_app(&lq, &eval);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    draw(&mut term, &app);
    println!("{:.0}", peak_rss_mb());
}

fn main() {
    if std::env::var_os("P2REVIEW_BENCH_RSS_CHILD").is_some() {
        return rss_child();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("P2REVIEW_BENCH_RSS_CHILD", "1")
        .output()
        .unwrap();
    println!(
        "peak RSS of a process holding the 100k queue + review app (all verdicts, one frame): {} MB",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    tui();
    Criterion::default().configure_from_args().final_summary();
}
