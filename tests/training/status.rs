//! `train status` through the binary: due computation at the boundaries, roster, formats,
//! a tampered log, and a completion record checked by `log verify` and stock `ssh-keygen`.
//!
//! Boundary records need controlled timestamps, which the recording API (rightly) does not
//! offer: `ts` is taken after the lock is held. So these tests write the lines themselves with
//! the log's own format functions (canonical JSON, SSHSIG framing) and the trainee's real key
//! from `key init` — byte-for-byte what the recorder writes, only the clock is chosen. No
//! test-only path exists in the binary.

use crate::log_support;

use chrono::{DateTime, TimeZone, Utc};
use log_support::*;
use p2review::engine::Engine;
use p2review::log::canonical::to_canonical;
use p2review::log::entry::{Body, Entry, LogKind, TrainingFields};
use p2review::log::{NS_DECISION, Recorder, Signer, TrainingInput, line};

const ID: &str = "0123456789abcdef0123456789abcdef";

fn policy_at(y: i32, m: u32, d: u32) -> p2review::engine::PolicyRefs {
    let engine = Engine::load(None).unwrap();
    let ev = engine
        .for_date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
        .unwrap();
    p2review::engine::PolicyRefs {
        part2: ev.part2_policy().reference.clone(),
        hipaa: ev.hipaa_policy().reference.clone(),
    }
}

/// Builds a training log line by line with chosen timestamps.
struct LogBuilder {
    s: Signer,
    out: Vec<u8>,
    prev: [u8; 32],
    seq: u64,
}

impl LogBuilder {
    fn new(s: Signer, genesis: DateTime<Utc>) -> LogBuilder {
        let mut b = LogBuilder {
            out: Vec::new(),
            prev: [0; 32],
            seq: 0,
            s,
        };
        let created_by = b.s.principal().to_owned();
        b.push(
            genesis,
            Body::Genesis {
                log_kind: LogKind::Training,
                created_by,
            },
        );
        b
    }
    fn push(&mut self, ts: DateTime<Utc>, body: Body) {
        let e = Entry {
            log: ID.into(),
            seq: self.seq,
            prev: data_encoding::HEXLOWER.encode(&self.prev),
            ts: ts.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            reviewer: self.s.principal().into(),
            key: self.s.fingerprint().into(),
            body,
        };
        let body = to_canonical(&e.to_value()).unwrap();
        let l = line::frame(&body, &self.s.sign(NS_DECISION, body.as_bytes()));
        self.prev = line::line_hash(&l[..l.len() - 1]);
        self.seq += 1;
        self.out.extend_from_slice(&l);
    }
    fn completion(&mut self, ts: DateTime<Utc>, correct: u64, total: u64) {
        self.completion_under(ts, correct, total, None);
    }
    /// A completion recorded under `part2_version` (default: the version in force).
    fn completion_under(
        &mut self,
        ts: DateTime<Utc>,
        correct: u64,
        total: u64,
        part2_version: Option<&str>,
    ) {
        let (y, m, d) = (2026, 11, 28);
        let mut policy = policy_at(y, m, d);
        if let Some(v) = part2_version {
            policy.part2.version = v.to_owned().into();
        }
        self.push(
            ts,
            Body::TrainingCompletion(Box::new(TrainingFields {
                pack_id: "basics".into(),
                pack_version: "1".into(),
                policy,
                correct,
                total,
                pass_mark: 80,
                passed: 100 * correct >= 80 * total,
            })),
        );
    }
    fn write(&self, path: &std::path::Path) {
        std::fs::write(path, &self.out).unwrap();
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, s).unwrap()
}

const WHO: &str = "trainee@clinic.example";

fn status(env: &Env, log: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    c.args(["train", "status"]).arg(log).args(extra);
    c.output().unwrap()
}

#[test]
fn training_under_a_version_the_policy_accepts_stays_current() {
    let engine = Engine::load(None).unwrap();
    let ev = engine
        .for_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    let accepted = ev.part2_policy().training_accepts.clone();
    assert!(
        accepted.iter().any(|v| v == "2024.1"),
        "the correction release keeps 2024.1 training: {accepted:?}"
    );
    for (version, due) in [("2024.1", false), ("2023.9", true)] {
        let env = Env::with_key(WHO);
        let log = env.path("training.jsonl");
        let mut b = LogBuilder::new(env.signer(), at(2026, 6, 1, 9, 0, 0));
        b.completion_under(at(2026, 6, 1, 9, 30, 0), 10, 10, Some(version));
        b.write(&log);
        let o = status(&env, &log, &["--as-of", "2026-11-28", "--due"]);
        assert_eq!(
            o.status.code(),
            Some(if due { 1 } else { 0 }),
            "{version}: {}{}",
            out(&o),
            err(&o)
        );
        assert_eq!(out(&o).contains("not the one in force"), due, "{}", out(&o));
    }
}

#[test]
fn day_365_is_current_and_day_366_is_due() {
    let env = Env::with_key(WHO);
    let log = env.path("training.jsonl");
    let mut b = LogBuilder::new(env.signer(), at(2025, 11, 28, 9, 0, 0));
    b.completion(at(2025, 11, 28, 9, 30, 0), 9, 10);
    b.write(&log);

    let o = status(&env, &log, &["--as-of", "2026-11-28", "--due"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(
        !out(&o).contains(WHO),
        "day 365 is still current: {}",
        out(&o)
    );
    let o = status(&env, &log, &["--as-of", "2026-11-28"]);
    assert!(out(&o).contains("current until 2026-11-28"), "{}", out(&o));

    let o = status(&env, &log, &["--as-of", "2026-11-29", "--due"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains(WHO) && out(&o).contains("366 days old"),
        "{}",
        out(&o)
    );
}

#[test]
fn a_pass_on_2024_04_15_predates_the_rule_and_2024_04_16_counts() {
    let env = Env::with_key(WHO);
    for (day, due) in [(15, true), (16, false)] {
        let log = env.path(&format!("t{day}.jsonl"));
        let mut b = LogBuilder::new(env.signer(), at(2024, 4, day, 0, 0, 0));
        // The last second of the 15th (UTC) / the first second of the 16th.
        let ts = if day == 15 {
            at(2024, 4, 15, 23, 59, 59)
        } else {
            at(2024, 4, 16, 0, 0, 0)
        };
        b.completion(ts, 10, 10);
        b.write(&log);
        let o = status(
            &env,
            &log,
            &["--as-of", "2024-06-01", "--due", "--format", "json"],
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(o.status.code(), Some(if due { 1 } else { 0 }), "{rows:?}");
        assert_eq!(rows.len(), usize::from(due), "{rows:?}");
        if due {
            assert_eq!(rows[0]["principal"], WHO);
            assert!(rows[0]["reason"].as_str().unwrap().contains("2024"));
        }
    }
}

#[test]
fn roster_lists_the_untrained_and_formats_agree() {
    let env = Env::with_key(WHO);
    let log = env.path("training.jsonl");
    let mut b = LogBuilder::new(env.signer(), at(2026, 6, 1, 8, 0, 0));
    b.completion(at(2026, 6, 1, 8, 10, 0), 5, 10); // a failure
    b.completion(at(2026, 6, 2, 8, 10, 0), 10, 10); // then a pass
    b.write(&log);
    let roster = env.path("roster.txt");
    std::fs::write(
        &roster,
        format!("# staff\n\n{WHO}\nnew@clinic.example  # hired in May\n"),
    )
    .unwrap();
    let r = roster.to_str().unwrap();

    let o = status(
        &env,
        &log,
        &["--as-of", "2026-11-28", "--roster", r, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 2);
    let new = rows
        .iter()
        .find(|r| r["principal"] == "new@clinic.example")
        .unwrap();
    assert_eq!(new["status"], "due");
    assert_eq!(new["reason"], "never trained");
    let me = rows.iter().find(|r| r["principal"] == WHO).unwrap();
    assert_eq!(me["status"], "current");
    assert_eq!(
        (me["correct"].as_u64(), me["percent"].as_u64()),
        (Some(10), Some(100))
    );
    assert_eq!(me["pack"], "basics");

    let o = status(
        &env,
        &log,
        &[
            "--as-of",
            "2026-11-28",
            "--roster",
            r,
            "--due",
            "--format",
            "csv",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let mut rd = csv::Reader::from_reader(o.stdout.as_slice());
    let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(&recs[0][0], "new@clinic.example");
    assert_eq!(&recs[0][1], "due");

    // Nobody due: exit 0 and an empty list.
    let o = status(&env, &log, &["--as-of", "2026-11-28", "--due"]);
    assert_eq!(o.status.code(), Some(0));
}

fn record(env: &Env, log: &std::path::Path, correct: u64) {
    let rec = Recorder::open(&env.data_dir(), log, LogKind::Training, env.signer());
    rec.record_training(TrainingInput {
        pack_id: "basics".into(),
        pack_version: "1".into(),
        policy: policy_at(2026, 11, 28),
        correct,
        total: 10,
        pass_mark: 80,
    })
    .unwrap();
}

/// Turn the failing record (3/10) into a pass by editing its line.
fn forge(log: &std::path::Path) {
    let text = std::fs::read_to_string(log).unwrap();
    let forged = text
        .replace("\"correct\":3", "\"correct\":10")
        .replace("\"passed\":false", "\"passed\":true");
    assert_ne!(forged, text);
    std::fs::write(log, forged).unwrap();
}

#[test]
fn a_tampered_record_does_not_count_and_the_log_fails() {
    let env = Env::with_key(WHO);
    let log = env.data().join("training.jsonl");
    record(&env, &log, 3);
    let o = status(&env, &log, &["--due"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("no passing record"), "{}", out(&o));

    forge(&log);
    let o = status(&env, &log, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("FAILED VERIFICATION"), "{}", err(&o));
    assert!(
        !out(&o).contains("CURRENT"),
        "a forged pass never counts: {}",
        out(&o)
    );
    let o = env
        .cmd()
        .args(["log", "verify"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
}

#[test]
fn a_forged_record_in_the_middle_breaks_everything_after_it() {
    let env = Env::with_key(WHO);
    let log = env.path("training.jsonl");
    let mut b = LogBuilder::new(env.signer(), at(2026, 6, 1, 8, 0, 0));
    b.completion(at(2026, 6, 1, 8, 10, 0), 3, 10);
    b.completion(at(2026, 6, 2, 8, 10, 0), 10, 10); // genuine, but after the forgery
    b.write(&log);
    let o = status(&env, &log, &["--as-of", "2026-11-28", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    forge(&log);
    let o = status(&env, &log, &["--as-of", "2026-11-28", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("FAILED VERIFICATION"), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    // Nothing after a break counts: the trainee is listed as failed, not current.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "due", "{rows:?}");
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("FAILED VERIFICATION"),
        "{rows:?}"
    );
    let o = env
        .cmd()
        .args(["log", "verify"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
}

#[test]
fn a_record_by_an_unknown_key_does_not_count() {
    let env = Env::with_key(WHO);
    let log = env.path("training.jsonl");
    let mut b = LogBuilder::new(signer(9, WHO), at(2026, 6, 1, 8, 0, 0));
    b.completion(at(2026, 6, 1, 8, 10, 0), 10, 10);
    b.write(&log);
    let o = status(&env, &log, &["--as-of", "2026-11-28", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("E_SIGNER_UNKNOWN"), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    // Listed as failed (the record did not verify), never as current.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "due");
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("FAILED VERIFICATION")
    );
}

#[test]
fn recorded_completion_verifies_with_log_verify_and_ssh_keygen() {
    have("jq", "--version");
    have("ssh-keygen", "-V");
    let env = Env::with_key(WHO);
    let log = env.data().join("training.jsonl");
    let rec = Recorder::open(&env.data_dir(), &log, LogKind::Training, env.signer());
    rec.record_training(TrainingInput {
        pack_id: "basics".into(),
        pack_version: "1".into(),
        policy: policy_at(2026, 11, 28),
        correct: 11,
        total: 12,
        pass_mark: 80,
    })
    .unwrap();
    let o = env.run_p(&["log", "verify"], &[&log]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let allowed = out(&env.run(&["key", "show", "--allowed-signers"]));
    std::fs::write(env.path("allowed_signers"), allowed).unwrap();
    for n in 1..=2 {
        let (ok, msg) = recipe(env.tmp.path(), &log, n);
        assert!(ok, "line {n}: {msg}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(v["e"]["type"], "training_completion");
    assert_eq!(v["e"]["passed"], true);
    // The default log of `train status` is this one; today the trainee is current.
    let o = env.run(&["train", "status", "--due"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
}

#[test]
fn own_training_notice_for_the_review_header() {
    use p2review::log::trust::Trust;
    use p2review::log::verify::VerifyOptions;
    use p2review::training::own_training_notice;
    let env = Env::with_key(WHO);
    let opts = VerifyOptions {
        trust: Trust::Local {
            keys: vec![(WHO.to_owned(), *env.signer().public_key())],
            demo: None,
        },
        checkpoints: Vec::new(),
        heads_dir: None,
    };
    let version = policy_at(2026, 11, 28).part2.version.to_string();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let log = env.path("training.jsonl");
    // No log at all: due, never passed.
    let n = own_training_notice(&log, &opts, WHO, day(28), &version).unwrap();
    assert_eq!(n, "TRAINING DUE: never trained");

    let mut b = LogBuilder::new(env.signer(), at(2025, 11, 27, 9, 0, 0));
    b.completion(at(2025, 11, 27, 9, 30, 0), 10, 10);
    b.write(&log);
    assert_eq!(
        own_training_notice(&log, &opts, WHO, day(27), &version),
        None
    );
    let n = own_training_notice(&log, &opts, WHO, day(28), &version).unwrap();
    assert_eq!(n, "TRAINING DUE: last pass 2025-11-27, 366 days ago");
    // Someone else's current record does not help this reviewer.
    assert!(own_training_notice(&log, &opts, "other@clinic.example", day(27), &version).is_some());
    // Under an older policy version.
    let n = own_training_notice(&log, &opts, WHO, day(27), "2099.0").unwrap();
    assert!(n.contains("not the one in force"), "{n}");
}

#[test]
fn several_trainees_logs_with_an_allowed_signers_file() {
    let env = Env::with_key(WHO);
    let other = signer(9, "other@clinic.example");
    let (mine, theirs) = (env.path("mine.jsonl"), env.path("theirs.jsonl"));
    let mut b = LogBuilder::new(env.signer(), at(2026, 6, 1, 8, 0, 0));
    b.completion(at(2026, 6, 1, 8, 10, 0), 9, 10);
    b.write(&mine);
    let mut b = LogBuilder::new(other.clone(), at(2026, 7, 1, 8, 0, 0));
    b.completion(at(2026, 7, 1, 8, 10, 0), 10, 10);
    b.write(&theirs);
    let allowed = env.path("allowed_signers");
    std::fs::write(
        &allowed,
        format!(
            "{}\n{}\n",
            env.signer().allowed_signers_line(),
            other.allowed_signers_line()
        ),
    )
    .unwrap();
    let mut c = env.cmd();
    c.args([
        "train",
        "status",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
        "--allowed-signers",
    ])
    .arg(&allowed)
    .arg(&mine)
    .arg(&theirs);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["principal"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["other@clinic.example", WHO]);
    assert!(rows.iter().all(|r| r["status"] == "current"), "{rows:?}");
    // Without the file only the data-dir key is trusted: the other log fails.
    let o = env.run_p(
        &["train", "status", "--as-of", "2026-11-28"],
        &[&mine, &theirs],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("theirs.jsonl") && err(&o).contains("FAILED VERIFICATION"),
        "{}",
        err(&o)
    );
    let other = out(&o)
        .lines()
        .find(|l| l.starts_with("other@clinic.example"))
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(
        other.contains("DUE") && other.contains("FAILED VERIFICATION"),
        "listed as failed, not current: {}",
        out(&o)
    );
}

/// A trainee whose only record failed verification is failed, not "never trained": listed
/// (with or without a roster) as due because the record failed.
#[test]
fn a_trainee_with_a_failed_record_is_failed_not_never_trained() {
    let env = Env::with_key(WHO);
    let log = env.data().join("training.jsonl");
    record(&env, &log, 3);
    forge(&log);
    let roster = env.path("roster.txt");
    std::fs::write(&roster, format!("{WHO}\n")).unwrap();
    for extra in [&[][..], &["--roster", roster.to_str().unwrap()]] {
        let o = status(&env, &log, extra);
        assert_eq!(o.status.code(), Some(1), "{}", out(&o));
        let text = out(&o);
        assert!(text.contains(WHO), "{text}");
        assert!(!text.contains("never trained"), "{text}");
        assert!(text.contains("FAILED VERIFICATION"), "{text}");
    }
}

/// The table fits 80 columns (issue 13): every line, whatever the principal's length;
/// long cells end in a visible `…` and the JSON keeps them in full.
#[test]
fn the_status_table_fits_80_columns() {
    let long = "a.very.long.principal.name@clinic.example";
    let env = Env::with_key(long);
    let log = env.path("training.jsonl");
    record(&env, &log, 3);
    let roster = env.path("roster.txt");
    std::fs::write(&roster, format!("{long}\nnew.hire@clinic.example\n")).unwrap();
    let o = status(
        &env,
        &log,
        &[
            "--as-of",
            "2026-11-28",
            "--roster",
            roster.to_str().unwrap(),
        ],
    );
    let text = out(&o);
    for line in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "{} columns: {line}",
            unicode_width::UnicodeWidthStr::width(line)
        );
    }
    assert!(text.contains("a.very.long.principal…"), "{text}");
    assert!(text.contains("new.hire@clinic.examp…"), "{text}");
    assert!(text.contains("never trained"), "{text}");
    let o = status(&env, &log, &["--as-of", "2026-11-28", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["principal"], long, "in full in JSON");
}
