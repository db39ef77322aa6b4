//! Incidents and breach response (docs/incidents.md): `incident record|assess|delay|notified|list`
//! through the binary, the deadline boundaries, and the v2 entries verifying with `log verify`
//! and stock `ssh-keygen`.

mod log_support;

use log_support::*;

fn ack_hash(o: &std::process::Output) -> String {
    let s = out(o);
    let first = s.lines().next().unwrap_or_default();
    first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("incident="))
        .unwrap_or_else(|| panic!("no incident hash in {s:?} / {}", err(o)))
        .to_owned()
}

fn record(env: &Env, args: &[&str]) -> String {
    let mut a = vec!["incident", "record"];
    a.extend_from_slice(args);
    let o = env.run(&a);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).starts_with("ACK incident="), "{}", out(&o));
    ack_hash(&o)
}

fn list_json(env: &Env, as_of: &str) -> (Option<i32>, serde_json::Value) {
    let o = env.run(&["incident", "list", "--as-of", as_of, "--format", "json"]);
    let v = serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    (o.status.code(), v)
}

fn notice<'a>(v: &'a serde_json::Value, to: &str) -> &'a serde_json::Value {
    v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["to"] == to)
        .unwrap_or_else(|| panic!("no {to} notice in {v:#}"))
}

#[test]
fn ba_program_notice_day_60_on_time_day_61_overdue_exit_1() {
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "qso",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-01-01",
        ],
    );
    let (code, v) = list_json(&env, "2026-03-02");
    let n = notice(&v, "program");
    assert_eq!(n["due"], "2026-03-02", "{v:#}");
    assert_eq!(n["days_left"], 0);
    assert_eq!(code, Some(0));
    let (code, v) = list_json(&env, "2026-03-03");
    assert_eq!(notice(&v, "program")["days_left"], -1);
    assert_eq!(notice(&v, "program")["status"], "overdue");
    assert_eq!(code, Some(1), "an overdue notice exits 1");
}

#[test]
fn a_qsoa_term_shorter_than_60_days_governs_a_ba() {
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "qso",
            "--kind",
            "other",
            "--discovered-on",
            "2026-06-01",
            "--breach-notice-days",
            "10",
        ],
    );
    let (_, v) = list_json(&env, "2026-06-05");
    assert_eq!(notice(&v, "program")["due"], "2026-06-11");
    assert_eq!(notice(&v, "program")["days_left"], 6);
}

#[test]
fn qso_of_a_non_covered_entity_program_without_a_term_is_contractual_never_a_164_410_date() {
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "qso",
            "--program-not-covered-entity",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2025-01-01",
        ],
    );
    let (code, v) = list_json(&env, "2026-11-30");
    let n = notice(&v, "program");
    assert_eq!(n["due"], "contractual", "{v:#}");
    assert!(
        n["why"]
            .as_str()
            .unwrap()
            .contains("set breach_notice_days")
    );
    assert!(n["why"].as_str().unwrap().contains("not settled"));
    assert_eq!(code, Some(0));
}

#[test]
fn lawful_holder_is_not_applicable_and_never_overdue() {
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "lawful_holder",
            "--kind",
            "lost_or_stolen",
            "--discovered-on",
            "2024-01-01",
        ],
    );
    let (code, v) = list_json(&env, "2026-11-30");
    assert_eq!(v["notices"][0]["status"], "not_applicable", "{v:#}");
    assert_eq!(code, Some(0));
}

#[test]
fn program_under_500_hhs_from_the_year_end_log_leap_year_and_media_over_500_in_a_state() {
    let env = Env::with_key("rev@clinic.example");
    // Discovered in 2023: the annual HHS log is due 29 February 2024 (a leap year).
    record(
        &env,
        &[
            "--actor",
            "part2_program",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2023-05-01",
        ],
    );
    let (_, v) = list_json(&env, "2023-05-02");
    assert_eq!(notice(&v, "individuals")["due"], "2023-06-30");
    assert_eq!(notice(&v, "hhs")["due"], "2024-02-29", "{v:#}");
    assert!(
        v["notices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["to"] != "media")
    );
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "covered_entity",
            "--kind",
            "lost_or_stolen",
            "--discovered-on",
            "2025-04-10",
            "--individuals",
            "700",
            "--residents",
            "OH=501",
            "IN=199",
        ],
    );
    let (_, v) = list_json(&env, "2025-04-11");
    assert_eq!(notice(&v, "media")["due"], "2025-06-09");
    assert_eq!(
        notice(&v, "hhs")["due"],
        "2025-06-09",
        "500 or more: HHS with individuals"
    );
    // Under 500, a year not followed by a leap year: 1 March.
    let env = Env::with_key("rev@clinic.example");
    record(
        &env,
        &[
            "--actor",
            "part2_program",
            "--kind",
            "other",
            "--discovered-on",
            "2025-12-31",
        ],
    );
    let (_, v) = list_json(&env, "2026-01-01");
    assert_eq!(notice(&v, "hhs")["due"], "2026-03-01");
}

#[test]
fn law_enforcement_delays_oral_capped_at_30_days_written_as_stated() {
    let env = Env::with_key("rev@clinic.example");
    let h = record(
        &env,
        &[
            "--actor",
            "part2_program",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-01-01",
        ],
    );
    // Oral without the official's identity: refused, nothing written.
    let before = std::fs::read(env.log()).unwrap();
    let o = env.run(&[
        "incident",
        "delay",
        &h,
        "--law-enforcement",
        "oral",
        "--on",
        "2026-02-20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--official"), "{}", err(&o));
    assert_eq!(std::fs::read(env.log()).unwrap(), before);
    let o = env.run(&[
        "incident",
        "delay",
        &h,
        "--law-enforcement",
        "oral",
        "--on",
        "2026-02-20",
        "--official",
        "Detective, County PD",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // Original due 2026-03-02; the oral delay ends 2026-03-22 (30 days), not later.
    let (code, v) = list_json(&env, "2026-03-20");
    let n = notice(&v, "individuals");
    assert_eq!(n["due"], "2026-03-22", "{v:#}");
    assert_eq!(n["original_due"], "2026-03-02");
    assert_eq!(code, Some(0), "a delayed notice is not overdue");
    let (code, _) = list_json(&env, "2026-03-23");
    assert_eq!(code, Some(1), "the oral delay is capped at 30 days");
    let o = env.run(&[
        "incident",
        "delay",
        &h,
        "--law-enforcement",
        "written",
        "--until",
        "2026-06-30",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let (code, v) = list_json(&env, "2026-06-01");
    assert_eq!(notice(&v, "individuals")["due"], "2026-06-30");
    assert_eq!(code, Some(0));
}

#[test]
fn record_from_queue_assess_notify_then_verify_with_log_verify_and_ssh_keygen() {
    have("jq", "--version");
    have("ssh-keygen", "-V");
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    // A v1 decision first: it keeps verifying beside v2 entries.
    let o = env.run_p(&["decide", "--id", "D-0001", "--decision", "defer"], &[&q]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = env.run_p(
        &[
            "incident",
            "record",
            "--id",
            "D-0001",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-11-02",
            "--note",
            "sent to the wrong plan",
        ],
        &[&q],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let h = ack_hash(&o);
    let line = std::fs::read_to_string(env.log()).unwrap();
    let inc = line.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(inc).unwrap();
    assert_eq!(v["e"]["v"], 2);
    assert_eq!(v["e"]["type"], "incident");
    assert_eq!(v["e"]["disclosure"], "D-0001");
    assert_eq!(v["e"]["actor"], "qso");
    for c in CANARIES {
        assert!(!line.contains(c), "free text {c} leaked into the log");
    }
    // Exception (i) never covers a misdirected send: exit 2, nothing written.
    let before = std::fs::read(env.log()).unwrap();
    let o = env.run(&["incident", "assess", &h, "--exception", "unintentional_use"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("another organization"), "{}", err(&o));
    assert_eq!(std::fs::read(env.log()).unwrap(), before);
    let o = env.run(&[
        "incident",
        "assess",
        &h,
        "--nature",
        "part2_identifying",
        "--nature-note",
        "SUD dx",
        "--recipient",
        "bound_to_protect",
        "--recipient-note",
        "a health plan",
        "--acquired",
        "unknown",
        "--acquired-note",
        "no reply",
        "--mitigation",
        "none",
        "--mitigation-note",
        "asked to destroy",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("outcome=breach"), "{}", out(&o));
    let o = env.run(&[
        "incident",
        "notified",
        &h,
        "--to",
        "program",
        "--on",
        "2026-11-20",
        "--method",
        "email",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let (code, v) = list_json(&env, "2026-11-30");
    assert_eq!(notice(&v, "program")["status"], "sent", "{v:#}");
    assert_eq!(notice(&v, "program")["outcome"], "breach");
    assert_eq!(code, Some(0));
    let o = env.run(&["log", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{} {}", out(&o), err(&o));
    let o = env.run(&["log", "show"]);
    assert_ne!(
        o.status.code(),
        Some(1),
        "log show breaks on incident entries: {}",
        out(&o)
    );
    let allowed = out(&env.run(&["key", "show", "--allowed-signers"]));
    std::fs::write(env.path("allowed_signers"), allowed).unwrap();
    let text = std::fs::read_to_string(env.log()).unwrap();
    let mut seen = 0;
    for (i, l) in text.lines().enumerate() {
        if l.contains("\"type\":\"incident") {
            let (ok, msg) = recipe(env.tmp.path(), &env.log(), i + 1);
            assert!(
                ok && msg.contains("Good \"p2review-decision\" signature"),
                "line {}: {msg}",
                i + 1
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 3, "incident, incident_assessment, incident_notice");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let env = Env::with_key("rev@clinic.example");
    let h = record(
        &env,
        &[
            "--actor",
            "qso",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-01-01",
        ],
    );
    let before = std::fs::read(env.log()).unwrap();
    for args in [
        vec![
            "incident",
            "record",
            "--actor",
            "qso",
            "--kind",
            "other",
            "--discovered-on",
            "2026-01-01",
            "--note",
            "SSN 123-45-6789",
        ],
        vec![
            "incident",
            "record",
            "--kind",
            "other",
            "--discovered-on",
            "2026-01-01",
        ],
        vec![
            "incident",
            "record",
            "--actor",
            "qso",
            "--kind",
            "other",
            "--discovered-on",
            "2026-01-01",
            "--individuals",
            "2",
            "--residents",
            "OH=3",
        ],
        vec![
            "incident",
            "notified",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "--to",
            "program",
            "--on",
            "2026-01-02",
        ],
        vec![
            "incident",
            "notified",
            &h,
            "--to",
            "program",
            "--on",
            "2025-12-31",
        ],
        vec!["incident", "assess", "not-a-hash"],
    ] {
        let o = env.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(!err(&o).trim().is_empty());
        assert!(
            !err(&o).contains("123-45-6789"),
            "the refused note is echoed"
        );
        assert_eq!(std::fs::read(env.log()).unwrap(), before, "{args:?} wrote");
    }
}

fn sample_queue(env: &Env) -> std::path::PathBuf {
    let p = env.path("queue.yaml");
    std::fs::write(&p, include_str!("../sample_data/queue.yaml")).unwrap();
    p
}

fn entry_of(o: &std::process::Output) -> String {
    let s = out(o);
    s.split_whitespace()
        .find_map(|w| w.strip_prefix("entry="))
        .unwrap_or_else(|| panic!("no receipt in {s:?} / {}", err(o)))
        .to_owned()
}

/// `incident record --from-entry` an override approval takes subject, disclosure and recipient
/// from that entry; a hash that is not a decision is refused (exit 2, nothing written); the
/// incident then shows in `log show` (table, JSON, CSV), in the accounting beside the override
/// approval, and `log verify` passes.
#[test]
fn from_an_override_approval_to_log_show_and_the_accounting() {
    let env = Env::with_key("rev@clinic.example");
    let q = sample_queue(&env);
    // D-0002: no consent covers the payer, so approving it is an override.
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "checked the form",
        ],
        &[&q],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let approval = entry_of(&o);
    let h = record(
        &env,
        &[
            "--from-entry",
            &approval,
            "--actor",
            "part2_program",
            "--kind",
            "other",
            "--discovered-on",
            "2026-11-25",
        ],
    );
    let text = std::fs::read_to_string(env.log()).unwrap();
    let e: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let e = &e["e"];
    assert_eq!(e["type"], "incident");
    assert_eq!(e["from_entry"], approval.as_str());
    assert_eq!(e["subject"], "P-0024");
    assert_eq!(e["disclosure"], "D-0002");
    assert_eq!(e["recipient"]["name"], "State Medicaid Program");
    assert_eq!(e["recipient"]["kind"], "health_plan");
    assert_eq!(e["override"], true);
    assert_eq!(e["part2"], "consent_required");

    // Not a decision: the incident's own hash, and a hash in no log.
    let before = std::fs::read(env.log()).unwrap();
    for bad in [h.as_str(), &"ab".repeat(32), "not-hex"] {
        let o = env.run(&[
            "incident",
            "record",
            "--from-entry",
            bad,
            "--actor",
            "qso",
            "--kind",
            "other",
            "--discovered-on",
            "2026-11-25",
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", out(&o));
        assert!(err(&o).contains("decision entry"), "{}", err(&o));
        assert_eq!(std::fs::read(env.log()).unwrap(), before);
    }

    // log show: JSON rows say their type; the decision filters leave incidents out.
    let o = env.run(&["log", "show", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let inc: Vec<_> = rows.iter().filter(|r| r["type"] == "incident").collect();
    assert_eq!(inc.len(), 1, "{v:#}");
    assert_eq!(inc[0]["entry"], h.as_str());
    assert_eq!(inc[0]["disclosure"], "D-0002");
    assert_eq!(inc[0]["verification"], "verified");
    assert!(inc[0]["detail"].as_str().unwrap().contains("kind=other"));
    assert!(
        rows.iter()
            .any(|r| r["type"] == "decision" && r["entry"] == approval.as_str())
    );
    let o = env.run(&["log", "show", "--decision", "approve", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["type"] == "decision"),
        "{v:#}"
    );
    // The patient, reviewer and date filters apply to incident rows too.
    let incident_rows = |args: &[&str]| {
        let mut a = vec!["log", "show", "--format", "json"];
        a.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_str(&out(&env.run(&a))).unwrap();
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] == "incident")
            .count()
    };
    assert_eq!(incident_rows(&["--patient", "P-0024"]), 1);
    assert_eq!(incident_rows(&["--patient", "P-0001"]), 0);
    assert_eq!(incident_rows(&["--reviewer", "rev@clinic.example"]), 1);
    assert_eq!(incident_rows(&["--reviewer", "other@clinic.example"]), 0);
    assert_eq!(incident_rows(&["--since", "2099-01-01"]), 0);
    let o = env.run(&["log", "show", "--format", "csv"]);
    let csv = out(&o);
    let header = csv
        .lines()
        .find(|l| l.starts_with("verification,"))
        .unwrap();
    assert!(
        header.ends_with(",supersedes,conflict,pending,type,incident,detail"),
        "{header}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(&h) && l.contains(",incident,")),
        "{csv}"
    );
    // The table: the entries and the open incident (a program's, not assessed yet).
    let o = env.run(&["log", "show"]);
    let t = out(&o);
    assert!(
        t.contains("INCIDENT ENTRIES") && t.contains("OPEN INCIDENTS (1"),
        "{t}"
    );
    assert!(t.contains(&h[..8]) && t.contains("not assessed"), "{t}");

    // The accounting: the incident's hash with the disclosure and in the override list.
    let o = env.run(&[
        "log",
        "accounting",
        "--patient",
        "P-0024",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["rows"][0]["incidents"], h.as_str(), "{v:#}");
    assert_eq!(
        v["against_part2_verdict"][0]["incidents"][0],
        h.as_str(),
        "{v:#}"
    );
    let o = env.run(&["log", "accounting", "--patient", "P-0024"]);
    assert!(out(&o).contains(&format!("incident {h}")), "{}", out(&o));

    let o = env.run(&["log", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{} {}", out(&o), err(&o));
}

/// An override approval without an incident says so in the accounting's override list.
#[test]
fn an_override_approval_without_an_incident_says_none_is_recorded() {
    let env = Env::with_key("rev@clinic.example");
    let q = sample_queue(&env);
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "checked the form",
        ],
        &[&q],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = env.run(&["log", "accounting", "--patient", "P-0024"]);
    assert!(out(&o).contains("(no incident recorded)"), "{}", out(&o));
}

/// `--team`: record/assess write the reviewer's team log, the follow-up finds an incident
/// another member recorded, `incident list --team` joins them across logs, and `--log` with
/// `--team` is refused.
#[test]
fn incident_commands_work_through_the_team_store() {
    use p2review::log::keys::init_key;
    use p2review::paths::DataDir;
    use p2review::team::{DirStore, Settings};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("team");
    let store = DirStore::init(&root, &Settings::new(false)).unwrap();
    let mut data = Vec::new();
    for i in 0..2 {
        let principal = format!("r{i}@team.test");
        let d = DataDir::resolve(Some(&tmp.path().join(format!("data{i}")))).unwrap();
        let s = init_key(&d.signing_key(), &principal).unwrap();
        store.add_reviewer(&principal, &s.openssh_public()).unwrap();
        data.push(d);
    }
    let cli = |i: usize, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(data[i].root())
            .args(args)
            .env("P2REVIEW_TEAM", &root)
            .env_remove("P2REVIEW_DATA_DIR")
            .output()
            .unwrap()
    };
    let o = cli(
        0,
        &[
            "incident",
            "record",
            "--actor",
            "part2_program",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-01-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let h = ack_hash(&o);
    let log0 = std::fs::read_to_string(root.join("logs/r0@team.test.jsonl")).unwrap();
    assert!(log0.contains("\"type\":\"incident\""), "{log0}");
    assert!(
        !data[0].decisions_log().exists(),
        "written outside the team"
    );
    // Another member assesses it: found in r0's log, written to r1's.
    let o = cli(
        1,
        &["incident", "assess", &h, "--exception", "could_not_retain"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let log1 = std::fs::read_to_string(root.join("logs/r1@team.test.jsonl")).unwrap();
    assert!(log1.contains("\"type\":\"incident_assessment\""), "{log1}");
    let o = cli(
        1,
        &[
            "incident",
            "list",
            "--as-of",
            "2026-01-05",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let n = &v["notices"][0];
    assert_eq!(n["incident"], h.as_str(), "{v:#}");
    assert_eq!(n["outcome"], "exception", "{v:#}");
    // --log with --team: refused, nothing written.
    let before = std::fs::read(root.join("logs/r1@team.test.jsonl")).unwrap();
    let o = cli(
        1,
        &[
            "incident",
            "notified",
            &h,
            "--to",
            "individuals",
            "--on",
            "2026-01-02",
            "--log",
            tmp.path().join("x.jsonl").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("--log cannot be combined with --team"),
        "{}",
        err(&o)
    );
    assert_eq!(
        std::fs::read(root.join("logs/r1@team.test.jsonl")).unwrap(),
        before
    );
    assert!(!tmp.path().join("x.jsonl").exists());
}

/// `log review` (the supervisor TUI) shows the open incidents: a count in the header (with
/// how many are overdue) and, on the summary screen, the incident entries and each open
/// incident's next notice.
#[test]
fn log_review_shows_incident_entries_and_open_incidents() {
    use p2review::log::trust::Trust;
    use p2review::log::verify::VerifyOptions;
    use p2review::tui::Look;
    use p2review::tui::supervisor::app::Screen;
    use p2review::tui::supervisor::{SupApp, view};
    let env = Env::with_key("rev@clinic.example");
    let h = record(
        &env,
        &[
            "--actor",
            "part2_program",
            "--kind",
            "lost_or_stolen",
            "--discovered-on",
            "2026-01-01",
        ],
    );
    let s = env.signer();
    let opts = VerifyOptions {
        trust: Trust::Local {
            keys: vec![(s.principal().to_owned(), *s.public_key())],
            demo: None,
        },
        checkpoints: Vec::new(),
        heads_dir: None,
    };
    let loaded = p2review::supervise::load_logs(&[env.log()], &opts, &[], 1);
    assert_eq!(loaded.incident_entries.len(), 1);
    assert!(loaded.incident_entries[0].verified);
    let look = Look {
        color: false,
        ascii: false,
    };
    let mut a = SupApp::new(loaded, look, (100, 30));
    a.as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    assert_eq!(a.open_incidents(), (1, 1));
    a.screen = Screen::Summary;
    a.ensure_summary();
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| view(&a, f)).unwrap();
    let buf = t.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    assert!(text.contains("1 open incidents, 1 OVERDUE"), "{text}");
    assert!(
        text.contains(
            "Incidents: 1 recorded, 0 assessments, 0 delays, 0 notices; 1 open, 1 OVERDUE"
        ),
        "{text}"
    );
    assert!(
        text.contains(&h[..11]) && text.contains("individuals OVERDUE since 2026-03-02"),
        "{text}"
    );
    // Before the deadline: open, not overdue.
    a.as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    assert_eq!(a.open_incidents(), (1, 0));
}

/// No log yet: `incident list` says which log it could not read, once, and exits 2 like
/// `log show` (an unreadable log is never reported as "no incidents").
#[test]
fn list_without_a_log_names_it_once_and_exits_2() {
    let env = Env::new();
    let o = env.run(&["incident", "list"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    let log = env.data().join("decisions.jsonl").display().to_string();
    assert_eq!(e.matches(&log).count(), 1, "{e}");
    assert!(e.starts_with("p2review: error: "), "{e}");
}
