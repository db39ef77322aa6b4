//! The scenario files under tests/scenarios/ — readable by a compliance lawyer — run through
//! the same code path as `p2review policy test`, plus checks that they cover what the
//! reference asks (every encoded row, every status, the boundary days).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use p2review::engine::scenario;
use p2review::engine::{ConsentStatus, Engine, Part2Status};
use p2review::queue::load_path;

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    assert!(v.len() >= 4, "scenario files missing in {}", dir.display());
    v
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

#[test]
fn every_scenario_passes() {
    let engine = Engine::load(None).unwrap();
    let files = scenario_files();
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let report = scenario::run(&engine, &paths, today()).unwrap();
    for f in &report.failures {
        eprintln!("{f}");
    }
    assert_eq!(report.failed, 0, "{}", report.summary());
    assert!(
        report.passed >= 80,
        "only {} scenario disclosures",
        report.passed
    );
}

/// Reference rows named in a text ("A5", "A10/A13" → A10, A13).
fn rows_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = text.as_bytes();
    for i in 0..b.len() {
        let start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if b[i] == b'A' && start {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(n) = digits.parse::<u32>()
                && (1..=62).contains(&n)
            {
                out.insert(format!("A{n}"));
            }
        }
    }
    out
}

#[test]
fn scenarios_cover_every_encoded_row_and_every_status() {
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(today()).unwrap();
    let mut named = BTreeSet::new();
    let mut part2 = BTreeSet::new();
    let mut consent = BTreeSet::new();
    let mut rules_hit = BTreeSet::new();
    for f in scenario_files() {
        let lq = load_path(&f).unwrap();
        for d in &lq.queue.disclosures {
            named.extend(rows_in(&d.id));
            named.extend(rows_in(d.note.as_deref().unwrap_or("")));
            let e = ev.evaluate(&lq.queue, &lq.index, d);
            part2.insert(e.part2.status);
            consent.insert(e.consent.status);
            rules_hit.insert(e.part2.rule.clone());
        }
    }
    let p2 = ev.part2_policy();
    let encoded: BTreeSet<String> = p2.rules.iter().flat_map(|r| r.rows.clone()).collect();
    let missing: Vec<&String> = encoded.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "encoded rows without a scenario: {missing:?}"
    );
    for s in Part2Status::ALL {
        assert!(part2.contains(s), "no scenario yields part2 {s}");
    }
    for s in ConsentStatus::ALL {
        assert!(consent.contains(s), "no scenario yields consent {s}");
    }
    // Every rule that encodes a reference row is reached by some scenario.
    let unreached: Vec<&str> = p2
        .rules
        .iter()
        .filter(|r| !r.rows.is_empty() && !rules_hit.contains(r.id))
        .map(|r| r.id)
        .collect();
    assert!(unreached.is_empty(), "rules never reached: {unreached:?}");
}

#[test]
fn boundary_days_are_in_the_scenarios() {
    let ids: BTreeSet<String> = scenario_files()
        .iter()
        .flat_map(|f| load_path(f).unwrap().queue.disclosures)
        .map(|d| d.id)
        .collect();
    for id in [
        "boundary-expires-today",
        "A37-expired-yesterday",
        "A35-revoked-today",
        "boundary-signed-tomorrow",
        "boundary-signed-today",
        "boundary-event-today",
    ] {
        assert!(ids.contains(id), "boundary scenario {id} missing");
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_p2review"))
}

#[test]
fn the_binary_runs_the_same_scenarios() {
    let files = scenario_files();
    let out = bin()
        .arg("policy")
        .arg("test")
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap();
    let n: usize = last
        .strip_suffix(" passed, 0 failed")
        .expect("last line `N passed, 0 failed`")
        .parse()
        .unwrap();
    assert!(n >= 80);
}

#[test]
fn the_binary_reports_failures_and_missing_expect() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(
        &f,
        r#"schema: p2review.queue/1
as_of: 2026-11-28
organization: { name: Summit Billing Services, role: qso }
programs: [ { id: harbor, name: Harbor Recovery Center, part2: true } ]
patients: [ { ref: P-0001 } ]
disclosures:
  - id: D-1
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient: { name: Pinecrest Health Plan, kind: health_plan }
    purpose: payment
    expect: { part2: permitted_with_notice, hipaa: permitted_tpo }
  - id: D-2
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient: { name: Pinecrest Health Plan, kind: health_plan }
    purpose: payment
  - id: D-3
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient: { name: Pinecrest Health Plan, kind: health_plan }
    purpose: payment
    expect: { part2: consent_required, notice: false, hipaa: permitted_tpo, consent: none, cites: ["42 CFR 2.33(a)"] }
  - id: D-4
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient: { name: Pinecrest Health Plan, kind: health_plan }
    purpose: payment
    expect: { part2: consent_requird, cites: ["42 CFR 9.99"] }
"#,
    )
    .unwrap();
    let out = bin().args(["policy", "test"]).arg(&f).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("D-1: part2: expected permitted_with_notice, got consent_required"),
        "{stdout}"
    );
    assert!(stdout.contains("D-2: no `expect:` block"), "{stdout}");
    assert!(
        stdout.contains("`consent_requird` is not a Part 2 status"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`42 CFR 9.99` is not among the citations"),
        "{stdout}"
    );
    assert!(!stdout.contains("D-3"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 3 failed"));

    let missing = bin()
        .args(["policy", "test"])
        .arg(dir.path().join("nope.yaml"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
