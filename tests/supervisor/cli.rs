//! `log show` and `log accounting` end to end over three reviewers' real signed logs
//! (keys from `key init`, entries from `decide`, trust from `key show --allowed-signers`):
//! merge order, per-entry verification with one tampered log, CSV/JSON exports field by
//! field, summary figures against hand-computed values, the filters at their edges.

use crate::log_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use log_support::*;
use serde_json::Value;

const QUEUE: &str = include_str!("../fixtures/supervise/two_patients.yaml");

struct Three {
    alice: Env,
    bob: Env,
    carol: Env,
    queue: PathBuf,
    allowed: PathBuf,
    /// Entry hashes by (reviewer, n-th decision).
    bob_escalation: String,
}

fn decide(env: &Env, queue: &Path, args: &[&str]) -> String {
    let mut c = env.cmd();
    c.arg("decide").arg(queue).args(args);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let ack = out(&o);
    ack.split_whitespace()
        .find_map(|w| w.strip_prefix("entry="))
        .unwrap()
        .to_owned()
}

/// Six decisions, hand-counted:
/// alice: approve D-0001, approve D-0002 (override)          → 2, 2 approve, 1 override
/// bob:   escalate D-0002, deny D-0001                       → 2, 1 escalate, 1 deny
/// carol: defer D-0001, approve D-0002 superseding bob's escalation (override)
fn three(resolve: bool) -> Three {
    let alice = Env::with_key("alice@example.org");
    let bob = Env::with_key("bob@example.org");
    let carol = Env::with_key("carol@example.org");
    let queue = alice.path("queue.yaml");
    std::fs::write(&queue, QUEUE).unwrap();
    let mut allowed = String::new();
    for e in [&alice, &bob, &carol] {
        allowed.push_str(&out(&e.run(&["key", "show", "--allowed-signers"])));
    }
    let allowed_path = alice.path("allowed_signers");
    std::fs::write(&allowed_path, allowed).unwrap();
    decide(&alice, &queue, &["--id", "D-0001", "--decision", "approve"]);
    decide(
        &alice,
        &queue,
        &[
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "court_order_on_file",
            "--note",
            "order on file",
        ],
    );
    let esc = decide(
        &bob,
        &queue,
        &[
            "--id",
            "D-0002",
            "--decision",
            "escalate",
            "--reason-code",
            "needs_privacy_officer",
        ],
    );
    decide(
        &bob,
        &queue,
        &[
            "--id",
            "D-0001",
            "--decision",
            "deny",
            "--reason-code",
            "consent_invalid",
        ],
    );
    decide(
        &carol,
        &queue,
        &[
            "--id",
            "D-0001",
            "--decision",
            "defer",
            "--reason-code",
            "awaiting_documents",
        ],
    );
    if resolve {
        decide(
            &carol,
            &queue,
            &[
                "--id",
                "D-0002",
                "--decision",
                "approve",
                "--reason-code",
                "court_order_on_file",
                "--note",
                "order on file",
                "--supersedes",
                &esc,
            ],
        );
    }
    Three {
        alice,
        bob,
        carol,
        queue,
        allowed: allowed_path,
        bob_escalation: esc,
    }
}

impl Three {
    fn logs(&self) -> Vec<PathBuf> {
        vec![self.alice.log(), self.bob.log(), self.carol.log()]
    }
    /// `p2review log <sub> LOGS --allowed-signers A <extra>`, run from alice's data dir.
    fn run(&self, sub: &str, extra: &[&str]) -> Output {
        let mut c = self.alice.cmd();
        c.args(["log", sub]);
        for l in self.logs() {
            c.arg(l);
        }
        c.arg("--allowed-signers").arg(&self.allowed).args(extra);
        c.output().unwrap()
    }
    fn json(&self, sub: &str, extra: &[&str]) -> (i32, Value) {
        let mut args = extra.to_vec();
        args.extend(["--format", "json"]);
        let o = self.run(sub, &args);
        let v: Value = serde_json::from_str(&out(&o))
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", out(&o), err(&o)));
        (o.status.code().unwrap(), v)
    }
}

fn rows(v: &Value) -> &Vec<Value> {
    v["rows"].as_array().unwrap()
}

fn today_utc() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn line_body(log: &Path, line: usize) -> (String, Value) {
    let text = std::fs::read_to_string(log).unwrap();
    let l = text.lines().nth(line - 1).unwrap();
    let v: Value = serde_json::from_str(l).unwrap();
    (p2review::digest::sha256_hex(l.as_bytes()), v["e"].clone())
}

#[test]
fn three_logs_merge_in_time_order_with_exact_fields_and_summary() {
    let t = three(true);
    let (code, v) = t.json("show", &[]);
    assert_eq!(code, 0, "{v}");
    let logs = v["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 3);
    for (l, path) in logs.iter().zip(t.logs()) {
        assert_eq!(l["path"], path.display().to_string());
        assert_eq!(l["result"], "ok");
        assert_eq!(l["checkpoint"], Value::Null);
        assert_eq!(l["log"].as_str().unwrap().len(), 32);
    }
    let rs = rows(&v);
    assert_eq!(rs.len(), 6);
    let ts: Vec<&str> = rs.iter().map(|r| r["ts"].as_str().unwrap()).collect();
    let mut sorted = ts.clone();
    sorted.sort();
    assert_eq!(ts, sorted, "merged in time order");
    let who: Vec<&str> = rs.iter().map(|r| r["reviewer"].as_str().unwrap()).collect();
    assert_eq!(
        who,
        [
            "alice@example.org",
            "alice@example.org",
            "bob@example.org",
            "bob@example.org",
            "carol@example.org",
            "carol@example.org"
        ]
    );
    // Field by field against bob's escalation as it stands in his log (line 2).
    let (hash, body) = line_body(&t.bob.log(), 2);
    let r = &rs[2];
    assert_eq!(r["entry"], hash);
    assert_eq!(hash, t.bob_escalation);
    assert_eq!(r["verification"], "verified");
    assert_eq!(r["findings"], "");
    for k in [
        "ts",
        "log",
        "reviewer",
        "key",
        "disclosure",
        "disclosure_sha256",
        "subject",
        "purpose",
        "consent_status",
        "part2",
        "hipaa",
        "rule",
        "decision",
        "reason_code",
    ] {
        assert_eq!(r[k], body[k], "{k}");
    }
    assert_eq!(r["seq"], 1);
    assert_eq!(r["line"], 2);
    assert_eq!(r["log_path"], t.bob.log().display().to_string());
    assert_eq!(r["recipient"], "Acme Health Plan");
    assert_eq!(r["recipient_kind"], "health_plan");
    assert_eq!(r["override"], false);
    assert_eq!(r["consent"], "");
    assert_eq!(r["supersedes"], "");
    assert_eq!(rs[5]["supersedes"], t.bob_escalation);
    assert_eq!(rs[1]["override"], true);
    // Summary, hand-computed (see `three`).
    let s = &v["summary"];
    let rev = |name: &str| {
        s["reviewers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reviewer"] == name)
            .unwrap()
            .clone()
    };
    let a = rev("alice@example.org");
    assert_eq!(
        (&a["total"], &a["approve"], &a["overrides"]),
        (&2.into(), &2.into(), &1.into())
    );
    let b = rev("bob@example.org");
    assert_eq!(
        (&b["escalate"], &b["deny"], &b["overrides"]),
        (&1.into(), &1.into(), &0.into())
    );
    let c = rev("carol@example.org");
    assert_eq!(
        (&c["defer"], &c["approve"], &c["overrides"]),
        (&1.into(), &1.into(), &1.into())
    );
    let tot = &s["totals"];
    assert_eq!(tot["total"], 6);
    assert_eq!(tot["approve"], 3);
    assert_eq!(tot["overrides"], 2);
    assert_eq!(s["override_rate_percent"]["alice@example.org"], 50.0);
    assert_eq!(s["override_rate_percent"]["bob@example.org"], 0.0);
    assert_eq!(s["override_rate_percent"]["all"], 33.3);
    assert_eq!(s["open_escalations"].as_array().unwrap().len(), 0);
    assert_eq!(s["per_day"][today_utc()], 6);
    // The table says the same, within 80 columns.
    let o = t.run("show", &[]);
    let table = out(&o);
    assert!(
        table.contains("open escalations (all entries): 0"),
        "{table}"
    );
    // D-0001 (approve, deny, defer) is a conflict (docs/team.md): flagged, still verified.
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("verified") || l.starts_with("CONFLICT "))
            .count(),
        6
    );
    assert_eq!(
        table.lines().filter(|l| l.starts_with("CONFLICT ")).count(),
        3,
        "{table}"
    );
    for l in table.lines().filter(|l| !l.starts_with("log ")) {
        assert!(l.chars().count() <= 80, "{l}");
    }
}

#[test]
fn open_escalation_counts_until_superseded() {
    let t = three(false);
    let (_, v) = t.json("show", &[]);
    assert_eq!(
        v["summary"]["open_escalations"],
        serde_json::json!([t.bob_escalation])
    );
    let table = out(&t.run("show", &[]));
    assert!(
        table.contains("open escalations (all entries): 1"),
        "{table}"
    );
}

#[test]
fn a_tampered_log_is_flagged_while_the_others_verify() {
    let t = three(true);
    // Change bob's escalation (line 2; his deny follows it) without re-signing.
    let log = t.bob.log();
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines[1].contains("\"escalate\""));
    lines[1] = lines[1].replace("needs_privacy_officer", "awaiting_documents");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let (code, v) = t.json("show", &[]);
    assert_eq!(code, 1, "{v}");
    let logs = v["logs"].as_array().unwrap();
    assert_eq!(logs[0]["result"], "ok");
    assert_eq!(logs[1]["result"], "failed");
    assert_eq!(logs[2]["result"], "ok");
    assert!(
        logs[1]["findings"][0]
            .as_str()
            .unwrap()
            .starts_with("E_SIG_INVALID seq=1 line=2"),
        "{}",
        logs[1]
    );
    let rs = rows(&v);
    assert_eq!(rs.len(), 6, "a failed entry is shown, never dropped");
    for r in rs {
        let bad = r["log_path"] == log.display().to_string();
        assert_eq!(
            r["verification"],
            if bad { "FAILED" } else { "verified" },
            "{r}"
        );
    }
    let tampered = rs
        .iter()
        .find(|r| r["reason_code"] == "awaiting_documents" && r["decision"] == "escalate")
        .unwrap();
    assert_eq!(tampered["findings"], "E_SIG_INVALID");
    // Filtering the failed entries out leaves a clean view: exit 0.
    let o = t.run("show", &["--reviewer", "alice@example.org"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = t.run("show", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("FAILED"));
    assert!(out(&o).contains("E_SIG_INVALID (line 2 of"));
    // A log that cannot be read: exit 2 beats nothing but an integrity failure.
    std::fs::write(&log, &text).unwrap();
    let mut c = t.alice.cmd();
    c.args(["log", "show"])
        .arg(t.alice.log())
        .arg(t.alice.path("missing.jsonl"))
        .arg("--allowed-signers")
        .arg(&t.allowed);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(
        out(&o)
            .lines()
            .filter(|l| l.starts_with("verified"))
            .count(),
        2
    );
    assert!(err(&o).contains("missing.jsonl"));
}

#[test]
fn csv_export_states_logs_and_checks_field_by_field() {
    let t = three(true);
    let o = t.run("show", &["--format", "csv", "--decision", "escalate"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    let comments: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(comments[0], "# p2review log show export");
    for (c, p) in comments[1..].iter().zip(t.logs()) {
        assert!(c.starts_with(&format!("# log: {} id=", p.display())), "{c}");
        assert!(c.ends_with(" verification=ok checkpoint=none"), "{c}");
    }
    assert_eq!(comments.len(), 4);
    let body: String = text
        .lines()
        .skip(comments.len())
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rd = csv::Reader::from_reader(body.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&head[..3], ["verification", "findings", "ts"]);
    let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    let get = |k: &str| recs[0][head.iter().position(|h| h == k).unwrap()].to_owned();
    let (hash, body) = line_body(&t.bob.log(), 2);
    assert_eq!(get("verification"), "verified");
    assert_eq!(get("entry"), hash);
    assert_eq!(get("reviewer"), "bob@example.org");
    assert_eq!(get("decision"), "escalate");
    assert_eq!(get("reason_code"), "needs_privacy_officer");
    assert_eq!(get("subject"), "P-0002");
    assert_eq!(get("part2"), body["part2"].as_str().unwrap());
    assert_eq!(get("ts"), body["ts"].as_str().unwrap());
    assert_eq!(get("override"), "false");
    assert_eq!(get("seq"), "1");
    assert_eq!(
        get("part2_policy"),
        format!(
            "{}@{}",
            body["policy"]["part2"]["id"].as_str().unwrap(),
            body["policy"]["part2"]["version"].as_str().unwrap()
        )
    );
    // The CSV columns are exactly the JSON row fields, in order.
    let (_, v) = t.json("show", &["--decision", "escalate"]);
    let keys: Vec<&String> = rows(&v)[0].as_object().unwrap().keys().collect();
    let mut sorted_head: Vec<&String> = head.iter().collect();
    sorted_head.sort();
    let mut sorted_keys = keys.clone();
    sorted_keys.sort();
    assert_eq!(sorted_head, sorted_keys);
    // An empty result still has its header lines and column row.
    let o = t.run(
        "show",
        &["--format", "csv", "--reviewer", "nobody@example.org"],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("verification,findings,ts,"), "{text}");
}

#[test]
fn filters_at_their_edges() {
    let t = three(true);
    let n = |extra: &[&str]| -> usize {
        let (code, v) = t.json("show", extra);
        assert_eq!(code, 0, "{extra:?}");
        rows(&v).len()
    };
    let today = chrono::Utc::now().date_naive();
    let (yesterday, tomorrow) = (
        (today - chrono::Days::new(1)).to_string(),
        (today + chrono::Days::new(1)).to_string(),
    );
    let today = today.to_string();
    assert_eq!(n(&["--since", &today]), 6, "--since is inclusive");
    assert_eq!(n(&["--until", &today]), 6, "--until is inclusive");
    assert_eq!(n(&["--since", &today, "--until", &today]), 6);
    assert_eq!(n(&["--since", &tomorrow]), 0);
    assert_eq!(n(&["--until", &yesterday]), 0);
    assert_eq!(n(&["--reviewer", "bob@example.org"]), 2);
    assert_eq!(n(&["--reviewer", "nobody@example.org"]), 0);
    assert_eq!(n(&["--decision", "approve"]), 3);
    assert_eq!(n(&["--decision", "approve", "--override"]), 2);
    assert_eq!(n(&["--patient", "P-0002"]), 3);
    assert_eq!(n(&["--patient", "P-9999"]), 0);
    assert_eq!(n(&["--part2", "consent_required"]), 3);
    assert_eq!(n(&["--part2", "consent_required", "--decision", "deny"]), 0);
    // Empty result: the table says so and the summary counts nothing.
    let (_, v) = t.json("show", &["--since", &tomorrow]);
    assert_eq!(v["summary"]["totals"]["total"], 0);
    let o = t.run("show", &["--since", &tomorrow]);
    assert!(out(&o).contains("0 entries shown"), "{}", out(&o));
    // --since after --until is a usage error, and says what to do.
    let o = t.run("show", &["--since", &tomorrow, "--until", &yesterday]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("swap"), "{}", err(&o));
    let o = t.run("show", &["--since", "2026-13-01"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn accounting_lists_one_row_per_effective_decision_with_basis_and_required_by() {
    let t = three(true);
    let (code, v) = t.json("accounting", &["--patient", "P-0001"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["export"], "log accounting");
    assert_eq!(v["patient"], "P-0001");
    assert_eq!(v["as_of"], chrono::Local::now().date_naive().to_string());
    assert_eq!(v["logs"].as_array().unwrap().len(), 3);
    let rs = rows(&v);
    // D-0001: alice's approval is still effective (bob's deny and carol's defer name
    // nothing), so one row, flagged as a conflict.
    assert_eq!(rs.len(), 1, "{v}");
    let r = &rs[0];
    let (alice_first, body) = line_body(&t.alice.log(), 2);
    assert_eq!(r["disclosure"], "D-0001");
    assert_eq!(r["date"], &body["ts"].as_str().unwrap()[..10]);
    assert_eq!(r["recipient"], "Acme Health Plan");
    assert_eq!(r["recipient_kind"], "health_plan");
    assert_eq!(r["purpose"], "payment");
    assert_eq!(r["basis"], "consent C-0001");
    assert_eq!(r["reviewers"], "alice@example.org");
    assert_eq!(r["verification"], "verified");
    assert_eq!(r["required_by"], "2.25(b)");
    assert_eq!(r["required_by_unsettled"], true);
    assert_eq!(r["conflict"], true);
    assert_eq!(r["override"], false);
    assert_eq!(r["entries"], alice_first);
    for k in ["address", "description", "conduit"] {
        assert_eq!(r[k], "(queue not supplied)", "{k}");
    }
    // P-0002: two override approvals of D-0002 (alice's, and carol's closing bob's
    // escalation) are one row with both reviewers, the stated basis, required by
    // 164.528, and listed apart.
    let (_, v) = t.json("accounting", &["--patient", "P-0002"]);
    let rs = rows(&v);
    assert_eq!(rs.len(), 1, "{v}");
    assert_eq!(rs[0]["basis"], "override: court_order_on_file");
    assert_eq!(rs[0]["reviewers"], "alice@example.org carol@example.org");
    assert_eq!(rs[0]["required_by"], "164.528");
    assert_eq!(rs[0]["override"], true);
    let apart = v["against_part2_verdict"].as_array().unwrap();
    assert_eq!(apart.len(), 1);
    assert_eq!(apart[0]["disclosure"], "D-0002");
    assert!(
        apart[0]["note"]
            .as_str()
            .unwrap()
            .contains("2.16(b); 45 CFR 164.402")
    );
    let csv = out(&t.run("accounting", &["--patient", "P-0002", "--format", "csv"]));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("# approved against the Part 2 verdict") && l.contains("D-0002")),
        "{csv}"
    );
    let table = out(&t.run("accounting", &["--patient", "P-0002"]));
    assert!(
        table.contains("approved against the Part 2 verdict — breach risk assessment required"),
        "{table}"
    );
    // CSV: the leading lines name the patient, the date and each log's verification.
    let o = t.run("accounting", &["--patient", "P-0001", "--format", "csv"]);
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# p2review log accounting export");
    assert_eq!(lines[1], "# patient: P-0001");
    assert!(lines[2].starts_with("# as_of: "));
    assert_eq!(lines.iter().filter(|l| l.starts_with("# log: ")).count(), 3);
    assert_eq!(
        lines[6],
        "disclosure,date,recipient,recipient_kind,conduit,address,description,purpose,basis,reviewers,verification,required_by,required_by_unsettled,override,conflict,entries,incidents"
    );
    assert!(lines[7].starts_with("D-0001,"), "{text}");
    assert!(
        lines[7].contains(",consent C-0001,alice@example.org,verified,2.25(b),true,false,true,")
    );
    assert_eq!(lines.len(), 8);
}

/// `--queue` joins entries by queue sha256 + disclosure id: the address, the description
/// (the disclosure's `information`, else the claim's) and the final recipient behind a
/// conduit come from the queue, escaped; a queue with another sha256 joins nothing.
#[test]
fn accounting_joins_queue_items_and_escapes_their_text() {
    let t = Env::with_key("alice@example.org");
    let allowed = t.path("allowed_signers");
    std::fs::write(&allowed, out(&t.run(&["key", "show", "--allowed-signers"]))).unwrap();
    let q = QUEUE
        .replace(
            "recipients: [{class: health_plans}]",
            "recipients: [{class: health_plans}, {name: ClaimBridge}]",
        )
        .replace(
            "    recipient: {name: Acme Health Plan, kind: health_plan}\n    purpose: payment\n    consent: C-0001",
            "    recipient: {name: ClaimBridge, kind: clearinghouse, address: \"1 Main St, Salem \\u00e9\", on_behalf_of: {name: Acme Health Plan, kind: health_plan}}\n    purpose: payment\n    consent: C-0001\n    information: \"October visits, \\\"all\\\" <script>\"\n    service_dates: {from: 2026-10-01, to: 2026-10-31}",
        );
    assert_ne!(q, QUEUE);
    let queue = t.path("queue.yaml");
    std::fs::write(&queue, &q).unwrap();
    decide(&t, &queue, &["--id", "D-0001", "--decision", "approve"]);
    let other = t.path("other.yaml");
    std::fs::write(&other, format!("{q}# another file\n")).unwrap();
    let json = |extra: &[&str]| -> Value {
        let mut c = t.cmd();
        c.args([
            "log",
            "accounting",
            "--patient",
            "P-0001",
            "--format",
            "json",
        ])
        .arg(t.log())
        .arg("--allowed-signers")
        .arg(&allowed)
        .args(extra);
        let o = c.output().unwrap();
        serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{e}: {}", err(&o)))
    };
    let v = json(&["--queue", queue.to_str().unwrap()]);
    let r = &rows(&v)[0];
    assert_eq!(r["recipient"], "Acme Health Plan");
    assert_eq!(r["conduit"], "ClaimBridge");
    assert_eq!(r["address"], "1 Main St, Salem é");
    assert_eq!(r["description"], "October visits, \"all\" <script>");
    // `log recipients --queue` names the final recipient behind the conduit too.
    let mut c = t.cmd();
    c.args([
        "log",
        "recipients",
        "--consent",
        "C-0001",
        "--format",
        "json",
    ])
    .arg(t.log())
    .arg("--allowed-signers")
    .arg(&allowed)
    .arg("--queue")
    .arg(&queue);
    let o = c.output().unwrap();
    let rv: Value = serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    assert_eq!(rows(&rv)[0]["recipient"], "Acme Health Plan");
    assert_eq!(rows(&rv)[0]["conduit"], "ClaimBridge");
    let v = json(&["--queue", other.to_str().unwrap()]);
    let r = &rows(&v)[0];
    assert_eq!(r["address"], "(queue not supplied)");
    assert_eq!(r["recipient"], "ClaimBridge");
    // The table: the final recipient via the conduit, the tab escaped.
    let mut c = t.cmd();
    c.args(["log", "accounting", "--patient", "P-0001"])
        .arg(t.log())
        .arg("--allowed-signers")
        .arg(&allowed)
        .arg("--queue")
        .arg(&queue);
    let o = c.output().unwrap();
    let table = out(&o);
    assert!(
        table.contains("Acme Health Plan via ClaimBridge"),
        "{table}"
    );
    assert!(
        table.contains("October visits, \"all\" <script>"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .filter(|l| !l.starts_with("log "))
            .all(|l| l.chars().count() <= 80),
        "{table}"
    );
    // Without `information`, the claim's description with its service dates.
    let plain = q.replace(
        "    information: \"October visits, \\\"all\\\" <script>\"\n",
        "",
    );
    std::fs::write(&queue, &plain).unwrap();
    decide(
        &t,
        &queue,
        &[
            "--id",
            "D-0001",
            "--decision",
            "approve",
            "--supersedes",
            rows(&json(&[]))[0]["entries"].as_str().unwrap(),
        ],
    );
    let v = json(&["--queue", queue.to_str().unwrap()]);
    assert_eq!(
        rows(&v).len(),
        1,
        "the superseded approval is not counted twice: {v}"
    );
    assert_eq!(
        rows(&v)[0]["description"],
        "records: general, services 2026-10-01–2026-10-31"
    );
    // A queue that does not load: exit 2, nothing printed.
    std::fs::write(&other, "schema: nope\n").unwrap();
    let mut c = t.cmd();
    c.args(["log", "accounting", "--patient", "P-0001"])
        .arg(t.log())
        .arg("--queue")
        .arg(&other);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(o.stdout.is_empty());
}

/// `log recipients --consent`: every verified approval under the consent, superseded ones
/// included, one row per recipient; `--since` cuts by approval date.
#[test]
fn recipients_of_a_consent_include_superseded_approvals() {
    let t = three(true);
    let (alice_first, _) = line_body(&t.alice.log(), 2);
    // Alice corrects her approval (a deny superseding it): the records may have left.
    decide(
        &t.alice,
        &t.queue,
        &[
            "--id",
            "D-0001",
            "--decision",
            "deny",
            "--reason-code",
            "consent_invalid",
            "--supersedes",
            &alice_first,
        ],
    );
    let (code, v) = t.json("recipients", &["--consent", "C-0001"]);
    assert_eq!(code, 0, "{v}");
    let rs = rows(&v);
    assert_eq!(rs.len(), 1, "{v}");
    assert_eq!(rs[0]["recipient"], "Acme Health Plan");
    assert_eq!(rs[0]["subject"], "P-0001");
    assert_eq!(rs[0]["disclosures"], "D-0001");
    assert_eq!(rs[0]["superseded"], true);
    let (_, acc) = t.json("accounting", &["--patient", "P-0001"]);
    assert_eq!(
        rows(&acc).len(),
        0,
        "superseded: no longer in the accounting: {acc}"
    );
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let (_, v) = t.json("recipients", &["--consent", "C-0001", "--since", &tomorrow]);
    assert_eq!(rows(&v).len(), 0);
    let (_, v) = t.json("recipients", &["--consent", "C-9"]);
    assert_eq!(rows(&v).len(), 0);
    let table = out(&t.run("recipients", &["--consent", "C-0001"]));
    assert!(
        table.contains("Acme Health Plan") && table.contains("1 recipients"),
        "{table}"
    );
}

/// The screen and `--help` say what is counted: the period, override approvals, and that
/// failed entries never count.
#[test]
fn accounting_help_and_header_say_what_is_counted() {
    let t = three(true);
    let table = out(&t.run("accounting", &["--patient", "P-0001"]));
    let head: Vec<&str> = table.lines().take(2).collect();
    let today = chrono::Local::now().date_naive();
    let start = today - chrono::Months::new(36);
    assert!(
        head[0].contains(&format!("P-0001: {start} through {today}")),
        "{table}"
    );
    assert!(head[1].contains("approval date"), "{table}");
    assert!(
        table.contains("required by   2.25(b) (unsettled"),
        "{table}"
    );
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    let help = out(&t.alice.run(&["log", "accounting", "--help"]));
    for want in [
        "effective decision",
        "Override approvals are rows",
        "six for",
        "never count",
        "(queue not supplied)",
    ] {
        assert!(help.contains(want), "{want}: {help}");
    }
}

#[test]
fn default_log_and_checkpoint_in_the_export() {
    let t = three(true);
    // LOG defaults to the production log of the data dir (alice's own key is trusted).
    let o = t.alice.run(&["log", "show", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(rows(&v).len(), 2);
    assert_eq!(v["logs"][0]["path"], t.alice.log().display().to_string());
    // Without --allowed-signers, bob's entries are E_SIGNER_UNKNOWN, shown as failed.
    let mut c = t.alice.cmd();
    c.args(["log", "show", "--format", "json"]).arg(t.bob.log());
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(
        rows(&v)
            .iter()
            .all(|r| r["findings"].as_str().unwrap().contains("E_SIGNER_UNKNOWN"))
    );
    // A checkpoint of alice's log is named in the export of that log only.
    let cp = t.alice.path("alice.checkpoint");
    std::fs::write(&cp, out(&t.alice.run(&["log", "checkpoint"]))).unwrap();
    let (code, v) = t.json("show", &["--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["logs"][0]["checkpoint"], cp.display().to_string());
    assert_eq!(v["logs"][1]["checkpoint"], Value::Null);
    let o = t.run(
        "show",
        &["--format", "csv", "--checkpoint", cp.to_str().unwrap()],
    );
    assert!(
        out(&o)
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(&format!("checkpoint={}", cp.display()))
    );
    // A checkpoint of a log that is not shown: exit 2.
    let mut c = t.bob.cmd();
    c.args(["log", "show"])
        .arg(t.bob.log())
        .arg("--checkpoint")
        .arg(&cp);
    assert_eq!(c.output().unwrap().status.code(), Some(2));
    let _ = &t.queue;
    let _ = &t.carol;
}

#[test]
fn control_characters_in_a_tampered_entry_never_reach_the_output() {
    let t = three(true);
    let log = t.alice.log();
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replace(
        "\"purpose\":\"payment\"",
        "\"purpose\":\"pay\\u001b[31m\\u202ement\"",
    );
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    for fmt in ["table", "csv", "json"] {
        let o = t.run("show", &["--format", fmt]);
        assert_eq!(o.status.code(), Some(1), "{fmt}");
        let raw = o.stdout;
        assert!(!raw.contains(&0x1b), "{fmt}: raw ESC in output");
        assert!(
            !String::from_utf8_lossy(&raw).contains('\u{202e}'),
            "{fmt}: raw bidi control in output"
        );
        assert!(String::from_utf8_lossy(&raw).contains("FAILED"), "{fmt}");
    }
    for fmt in ["table", "csv", "json"] {
        let o = t.run("accounting", &["--patient", "P-0001", "--format", fmt]);
        assert_eq!(o.status.code(), Some(1), "{fmt}");
        assert!(!o.stdout.contains(&0x1b), "{fmt}: raw ESC in output");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.contains('\u{202e}'), "{fmt}: raw bidi control");
        // The tampered approval is listed apart as FAILED, never a row.
        assert!(text.contains("E_"), "{fmt}: {text}");
    }
}

#[test]
fn a_finding_on_a_line_that_is_not_a_decision_still_counts() {
    let t = three(true);
    let log = t.carol.log();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().next().unwrap().contains("\"genesis\""));
    std::fs::write(
        &log,
        text.replacen("carol@example.org", "carol@example.net", 1),
    )
    .unwrap();
    let (code, v) = t.json("show", &["--reviewer", "alice@example.org"]);
    assert_eq!(
        code, 1,
        "the genesis failure is shown whatever the filter: {v}"
    );
    let other = v["other_findings"].as_array().unwrap();
    let g = other
        .iter()
        .find(|o| o["line"] == 1)
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(g["log_path"], log.display().to_string());
    assert!(g["code"].as_str().unwrap().starts_with("E_"));
    assert_eq!(g["error"], true);
    assert_eq!(v["logs"][2]["result"], "failed");
    let table = out(&t.run("show", &["--reviewer", "alice@example.org"]));
    assert!(
        table.contains("line 1 seq 0 of") && table.contains("(not a decision row)"),
        "{table}"
    );
}

/// A `supersedes` naming another item's entry erases nothing: alice's approval of D-0001
/// stays in P-0001's accounting, and `log show`/`log accounting` report
/// W_SUPERSEDES_IGNORED with both hashes (exit 3).
#[test]
fn a_supersedes_on_another_item_erases_nothing_and_is_reported() {
    let t = three(false);
    let (_, a) = line_body(&t.alice.log(), 2);
    let (alice_first, _) = line_body(&t.alice.log(), 2);
    assert_eq!(a["disclosure"], "D-0001");
    let (code, before) = t.json("accounting", &["--patient", "P-0001"]);
    assert_eq!(code, 0, "{before}");
    let n = rows(&before).len();
    assert!(n >= 1);
    // Carol (no decision of her own on D-0002, so her log does not refuse it) "corrects"
    // D-0002 while naming alice's D-0001 approval, in another log.
    let wrong = decide(
        &t.carol,
        &t.queue,
        &[
            "--id",
            "D-0002",
            "--decision",
            "deny",
            "--reason-code",
            "consent_invalid",
            "--supersedes",
            &alice_first,
        ],
    );
    let (code, after) = t.json("accounting", &["--patient", "P-0001"]);
    assert_eq!(code, 3, "{after}");
    assert_eq!(rows(&after).len(), n, "nothing erased");
    let o = t.run("show", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("W_SUPERSEDES_IGNORED"), "{text}");
    assert!(
        text.contains(&format!("entry={wrong} supersedes={alice_first}")),
        "{text}"
    );
    let o = t.run("accounting", &["--patient", "P-0001"]);
    assert!(err(&o).contains("W_SUPERSEDES_IGNORED"), "{}", err(&o));
}

/// `log accounting` with a failed log exits 1 even when the failure is on another
/// patient's entry.
#[test]
fn accounting_with_a_failed_log_exits_1() {
    let t = three(false);
    let log = t.bob.log();
    let text = std::fs::read_to_string(&log).unwrap();
    // Bob's escalation is about D-0002 (P-0002); the accounting is for P-0001.
    let bad = text.replacen("needs_privacy_officer", "awaiting_documents", 1);
    assert_ne!(bad, text);
    std::fs::write(&log, bad).unwrap();
    let o = t.run("accounting", &["--patient", "P-0001"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
}

/// `log show --format fhir`: one R4 AuditEvent per verified decision entry (BALP consent
/// decision shape, docs/fhir.md), checked field by field against the signed lines; the
/// note never leaves; a tampered entry is not exported (exit 1, said on stderr).
#[test]
fn fhir_audit_events_one_per_verified_decision() {
    let t = three(true);
    // Alice's approval of D-0001 is effective: her escalation supersedes it.
    let (alice_first, _) = line_body(&t.alice.log(), 2);
    decide(
        &t.alice,
        &t.queue,
        &[
            "--id",
            "D-0001",
            "--decision",
            "escalate",
            "--reason-code",
            "needs_privacy_officer",
            "--supersedes",
            &alice_first,
            "--note",
            "CANARY note text",
        ],
    );
    let events = |o: &Output| -> Vec<Value> {
        out(o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let o = t.run("show", &["--format", "fhir"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(!out(&o).contains("CANARY"), "the note was exported");
    let evs = events(&o);
    assert_eq!(evs.len(), 7, "7 decisions, no genesis, no header");
    let mut by_outcome = std::collections::BTreeMap::new();
    for (log, n_lines) in [(t.alice.log(), 4), (t.bob.log(), 3), (t.carol.log(), 3)] {
        // Line 1 is genesis; every decision line has its event.
        for line in 2..=n_lines {
            let (hash, body) = line_body(&log, line);
            let ev = evs
                .iter()
                .find(|e| e["id"] == hash.as_str())
                .unwrap_or_else(|| panic!("no event for {hash}"));
            assert_eq!(ev["resourceType"], "AuditEvent");
            assert_eq!(
                ev["type"]["system"],
                "http://dicom.nema.org/resources/ontology/DCM"
            );
            assert_eq!(ev["type"]["code"], "110113");
            assert_eq!(
                ev["subtype"][0]["system"],
                "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType"
            );
            assert_eq!(ev["subtype"][0]["code"], "AuthZ-Consent");
            assert_eq!(ev["action"], "E");
            assert_eq!(ev["recorded"], body["ts"]);
            let want = match body["decision"].as_str().unwrap() {
                "approve" => "0",
                "deny" => "8",
                _ => "4",
            };
            assert_eq!(ev["outcome"], want, "{ev}");
            *by_outcome.entry(want).or_insert(0) += 1;
            let agents = ev["agent"].as_array().unwrap();
            assert_eq!(agents.len(), 2);
            assert_eq!(agents[0]["name"], body["reviewer"]);
            assert_eq!(agents[0]["altId"], body["key"]);
            assert!(agents[0]["altId"].as_str().unwrap().starts_with("SHA256:"));
            assert_eq!(agents[1]["type"]["coding"][0]["code"], "IRCP");
            assert_eq!(agents[1]["name"], body["recipient"]["name"]);
            assert_eq!(
                agents[1]["role"][0]["coding"][0]["code"],
                body["recipient"]["kind"]
            );
            let ent = ev["entity"].as_array().unwrap();
            assert_eq!(ent[0]["role"]["code"], "1", "patient role");
            assert_eq!(ent[0]["what"]["identifier"]["value"], body["subject"]);
            assert_eq!(ent[1]["what"]["identifier"]["value"], body["disclosure"]);
            assert_eq!(
                ent[2]["what"]["identifier"]["value"],
                format!("urn:p2review:entry:{hash}")
            );
            assert_eq!(ent[2]["detail"][0]["valueString"], body["log"]);
            assert_eq!(ent[2]["detail"][1]["valueString"], body["seq"].to_string());
        }
    }
    // approve ×3, deny ×1, escalate ×2 + defer ×1.
    assert_eq!(by_outcome.get("0"), Some(&3));
    assert_eq!(by_outcome.get("8"), Some(&1));
    assert_eq!(by_outcome.get("4"), Some(&3));

    // A tampered entry is not exported as a record.
    let log = t.bob.log();
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(
        &log,
        text.replace("needs_privacy_officer", "awaiting_documents"),
    )
    .unwrap();
    let (_, v) = t.json("show", &[]);
    let verified: Vec<&str> = rows(&v)
        .iter()
        .filter(|r| r["verification"] == "verified")
        .map(|r| r["entry"].as_str().unwrap())
        .collect();
    let failed = rows(&v).len() - verified.len();
    assert!(failed >= 1);
    let o = t.run("show", &["--format", "fhir"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let ids: Vec<String> = events(&o)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, verified, "exactly the verified entries, in time order");
    assert!(
        err(&o).contains(&format!("{failed} entr")) && err(&o).contains("failed verification"),
        "{}",
        err(&o)
    );
}
