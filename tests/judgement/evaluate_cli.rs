//! `p2review evaluate` end to end on the sample queue: output shapes (docs/evaluation-json.md), as-of
//! precedence, the 80-column table, load errors; and what the demo queue must exercise.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use p2review::engine::{ConsentStatus, Engine, Part2Status};
use p2review::queue::load_path;
use serde_json::Value;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/queue.yaml")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p2review"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn sample_queue_exercises_every_status() {
    let lq = load_path(&sample()).unwrap();
    assert!(lq.queue.disclosures.len() >= 40);
    let as_of = lq.queue.as_of.unwrap();
    assert_eq!(as_of.to_string(), "2026-11-28");
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(as_of).unwrap();
    let results: Vec<_> = lq
        .queue
        .disclosures
        .iter()
        .map(|d| (d, ev.evaluate(&lq.queue, &lq.index, d)))
        .collect();
    let p2: BTreeSet<_> = results.iter().map(|(_, e)| e.part2.status).collect();
    let consent: BTreeSet<_> = results.iter().map(|(_, e)| e.consent.status).collect();
    assert_eq!(p2.len(), Part2Status::ALL.len(), "{p2:?}");
    assert_eq!(consent.len(), ConsentStatus::ALL.len(), "{consent:?}");
    assert!(results.iter().any(|(_, e)| e.part2.notice.required));
    assert!(results.iter().filter(|(_, e)| e.part2.unsettled).count() >= 3);
    assert!(
        results
            .iter()
            .any(|(_, e)| e.part2.rule.starts_with("p2.restriction."))
    );
    assert!(results.iter().any(|(d, _)| d.emergency));
    assert!(
        results
            .iter()
            .any(|(d, _)| d.court_order.is_some() && d.subpoena)
    );
    assert!(
        results
            .iter()
            .any(|(d, _)| d.records == p2review::queue::Records::CounselingNotes)
    );
    // No real names: patients carry opaque refs and initials at most.
    for p in &lq.queue.patients {
        assert!(p.reference.starts_with("P-"));
        assert!(p.display.as_deref().is_none_or(|d| d.len() <= 4));
    }
}

#[test]
fn json_is_one_array_with_every_key() {
    let out = run(&["evaluate", s(&sample()), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.len() >= 40);
    let first = &arr[0];
    for key in [
        "id", "as_of", "consent", "part2", "hipaa", "stricter", "policy",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    for key in [
        "status",
        "rule",
        "notice",
        "redisclosure",
        "citations",
        "explanation",
        "unsettled",
        "trace",
    ] {
        assert!(first["part2"].get(key).is_some(), "missing part2.{key}");
    }
    for key in ["required", "consent_copy_required", "statement"] {
        assert!(first["part2"]["notice"].get(key).is_some());
    }
    for key in ["id", "status", "checks"] {
        assert!(first["consent"].get(key).is_some());
    }
    assert_eq!(first["id"], "D-0001");
    assert_eq!(first["as_of"], "2026-11-28");
    assert_eq!(first["part2"]["status"], "permitted_with_notice");
    assert_eq!(
        first["part2"]["notice"]["statement"],
        "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    );
    assert_eq!(first["consent"]["checks"][2]["check"], "not_expired");
    assert_eq!(
        first["consent"]["checks"][2]["detail"],
        "expires 2027-02-01"
    );
    assert_eq!(first["hipaa"]["status"], "permitted_tpo");
    assert_eq!(first["stricter"], true);
    assert_eq!(first["policy"]["part2"]["id"], "part2");
    assert_eq!(
        first["policy"]["part2"]["sha256"].as_str().unwrap().len(),
        64
    );
    let trace = first["part2"]["trace"].as_array().unwrap();
    assert_eq!(trace[0]["rule"], "p2.not_part2_records");
    assert_eq!(trace[0]["matched"], false);
    assert_eq!(trace[0]["why"], "part2_records is true");
    assert_eq!(trace.last().unwrap()["matched"], true);
    // A verdict that does not rest on a consent: not_applicable, id null, no checks.
    let order = arr.iter().find(|e| e["id"] == "D-0031").unwrap();
    assert_eq!(order["consent"]["status"], "not_applicable");
    assert!(order["consent"]["id"].is_null());
    assert_eq!(order["consent"]["checks"].as_array().unwrap().len(), 0);
    assert!(order["part2"]["notice"]["statement"].is_null());
}

#[test]
fn jsonl_is_one_object_per_line_and_as_of_flag_wins() {
    let out = run(&[
        "evaluate",
        s(&sample()),
        "--format",
        "jsonl",
        "--as-of",
        "2026-11-29",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        load_path(&sample()).unwrap().queue.disclosures.len()
    );
    let mut seen = 0;
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["as_of"], "2026-11-29");
        // D-0050's consent expires 2026-11-28: the day after, it is expired.
        if v["id"] == "D-0050" {
            assert_eq!(v["consent"]["status"], "expired");
            seen += 1;
        }
    }
    assert_eq!(seen, 1);
}

#[test]
fn queue_as_of_is_used_without_the_flag() {
    let out = run(&["evaluate", s(&sample()), "--format", "jsonl"]);
    let first: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["as_of"], "2026-11-28");
}

#[test]
fn table_fits_80_columns_with_verdict_words() {
    let out = run(&["evaluate", s(&sample())]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for l in text.lines() {
        assert!(l.chars().count() <= 80, "too wide: {l}");
    }
    let row = text.lines().find(|l| l.starts_with("D-0001 ")).unwrap();
    assert!(row.contains("P-0001") && row.contains("PERMIT+NOTICE") && row.contains("TPO OK"));
    assert!(row.ends_with('!'));
    let not_p2 = text.lines().find(|l| l.starts_with("D-0045 ")).unwrap();
    assert!(not_p2.contains("NOT PART 2") && !not_p2.ends_with('!'));
}

#[test]
fn control_characters_in_names_are_refused_and_escaped_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.json");
    std::fs::write(
        &q,
        r#"{"schema":"p2review.queue/1","as_of":"2026-11-28","organization":{"name":"S","role":"qso"},
        "programs":[{"id":"harbor","name":"H","part2":true}],"patients":[{"ref":"P-1"}],
        "disclosures":[{"id":"D-1","requested_on":"2026-11-20","patient":"P-1","program":"harbor",
        "recipient":{"name":"Evil\u001b[2J","kind":"health_plan"},"purpose":"payment"}]}"#,
    )
    .unwrap();
    // Names may not hold control characters (docs/queue-format.md#types-limits-and-forbidden-characters): the queue is refused, and the
    // message shows the offending name escaped, never the raw escape sequence.
    let out = run(&["evaluate", s(&q)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("disclosures[0].recipient.name"), "{err}");
}

#[test]
fn load_errors_exit_2_with_the_message() {
    let out = run(&["evaluate", "/nonexistent/queue.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/queue.yaml"));
    let out = run(&["evaluate", s(&sample()), "--as-of", "2020-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no part2 policy is in force on 2020-01-01")
    );
}

/// Results come out in queue order even though blocks are evaluated on several threads.
#[test]
fn large_queue_keeps_order_in_json_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("big.yaml");
    let mut text = String::from(
        "schema: p2review.queue/1\nas_of: 2026-11-28\norganization: { name: S, role: qso }\nprograms: [ { id: harbor, name: H, part2: true } ]\npatients: [ { ref: P-1 } ]\ndisclosures:\n",
    );
    let n = 4500;
    for i in 0..n {
        let purpose = ["payment", "treatment", "employment", "audit"][i % 4];
        text.push_str(&format!(
            "  - {{ id: D-{i:05}, requested_on: 2026-11-20, patient: P-1, program: harbor, recipient: {{ name: Pinecrest, kind: health_plan }}, purpose: {purpose} }}\n"
        ));
    }
    std::fs::write(&q, text).unwrap();
    let out = run(&["evaluate", s(&q), "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let want: Vec<String> = (0..n).map(|i| format!("D-{i:05}")).collect();
    assert_eq!(ids, want);
    let out = run(&["evaluate", s(&q), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_restriction_listing_a_non_tpo_purpose_is_a_warning_and_blocks_nothing_on_part2() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.yaml");
    let text = "schema: p2review.queue/1
as_of: 2026-11-28
organization: { name: Summit Billing Services, role: part2_program }
programs: [ { id: harbor, name: Harbor Recovery Center, part2: true } ]
patients: [ { ref: P-1 } ]
restrictions:
  - { patient: P-1, kind: agreed, recipients: [Riverside County CPS], purposes: [treatment, child_abuse_report] }
disclosures:
  - id: D-1
    requested_on: 2026-11-20
    patient: P-1
    program: harbor
    recipient: { name: Riverside County CPS, kind: child_protective_services }
    purpose: child_abuse_report
";
    std::fs::write(&q, text).unwrap();
    let o = run(&["evaluate", s(&q), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning")
            && err.contains("restrictions[0]")
            && err.contains("child_abuse_report"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["part2"]["status"], "permitted");
    assert_eq!(v[0]["hipaa"]["status"], "permitted_no_auth");
    // Without the extra purpose there is nothing to warn about.
    std::fs::write(&q, text.replace(", child_abuse_report]", "]")).unwrap();
    let o = run(&["evaluate", s(&q), "--format", "json"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
