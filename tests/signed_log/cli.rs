//! The `key`, `decide`, `log verify` and `log checkpoint` commands end to end (temp data
//! dirs only): keys and their refusals, §6.2 rules, log kinds, locking, tail checks,
//! signer trust, checkpoints, exit codes, and PHI canaries.

use crate::log_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use log_support::*;
use p2review::log::{LogKind, Recorder};

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout {}\nstderr {}",
        out(o),
        err(o)
    );
}
/// `decide` as a reviewer repeating a decision would run it: when the item already has an
/// effective decision, the refusal names it, and the decision is run again superseding it.
fn decide_p(env: &Env, args: &[&str], paths: &[&Path]) -> std::process::Output {
    let o = env.run_p(args, paths);
    let msg = err(&o);
    match msg.split("supersede with --supersedes ").nth(1) {
        Some(rest) if code(&o) == 2 => {
            let hash: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
            let mut again = args.to_vec();
            again.splice(1..1, ["--supersedes", hash.as_str()]);
            env.run_p(&again, paths)
        }
        _ => o,
    }
}
fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap_or(-1)
}
fn entries(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["e"].clone())
        .collect()
}
fn finding_lines(o: &std::process::Output) -> Vec<String> {
    out(o).lines().map(str::to_owned).collect()
}
fn codes(o: &std::process::Output) -> Vec<String> {
    finding_lines(o)
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect()
}

#[test]
fn key_init_without_user_or_logname_refuses_and_asks_for_principal() {
    let env = Env::new();
    let o = env
        .cmd()
        .args(["key", "init"])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("--principal"), "{}", err(&o));
    assert!(!env.data().join("signing_key").exists(), "nothing created");
    // $LOGNAME alone is enough.
    let o = env
        .cmd()
        .args(["key", "init"])
        .env_remove("USER")
        .env("LOGNAME", "carol")
        .output()
        .unwrap();
    ok(&o);
    let show = out(&env.run(&["key", "show", "--allowed-signers"]));
    assert!(show.starts_with("carol@"), "{show}");
}

#[test]
fn key_init_show_and_refusals() {
    let env = Env::new();
    let o = env
        .cmd()
        .args(["key", "init"])
        .env("USER", "alice")
        .output()
        .unwrap();
    ok(&o);
    let key = env.data().join("signing_key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(env.data()).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert!(env.data().join("signing_key.pub").exists());
    let show = out(&env.run(&["key", "show", "--allowed-signers"]));
    let re = show.trim_end();
    assert!(re.starts_with("alice@"), "{re}");
    let parts: Vec<&str> = re.split(' ').collect();
    assert_eq!(parts.len(), 4, "{re}");
    assert_eq!(
        parts[1],
        "namespaces=\"p2review-decision,p2review-checkpoint\""
    );
    assert_eq!(parts[2], "ssh-ed25519");
    assert!(parts[3].starts_with("AAAAC3NzaC1lZDI1NTE5"));
    let pubkey = out(&env.run(&["key", "show"]));
    assert!(pubkey.starts_with("ssh-ed25519 AAAA") && pubkey.trim_end().ends_with(parts[0]));
    // ssh-keygen reads our key and agrees on the fingerprint.
    let fp = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out(&fp).contains(env.signer().fingerprint()),
        "{}",
        out(&fp)
    );
    // Never overwrites.
    let before = std::fs::read(&key).unwrap();
    let o = env.run(&["key", "init", "--principal", "bob@host"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("never overwrites"), "{}", err(&o));
    assert_eq!(std::fs::read(&key).unwrap(), before);
    // Bad principal.
    let env2 = Env::new();
    let o = env2.run(&["key", "init", "--principal", "bob smith@host"]);
    assert_eq!(code(&o), 2);
    assert!(!env2.data().join("signing_key").exists());
    // Too open: OpenSSH's wording, for show and for decide.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = env.run(&["key", "show"]);
    assert_eq!(code(&o), 2);
    let want = format!("Permissions 0644 for '{}' are too open.", key.display());
    assert!(err(&o).contains(&want), "{}", err(&o));
    let q = env.write_queue(1);
    let o = decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains(&want));
    assert!(!env.log().exists(), "nothing written");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(err(&env.run(&["key", "show"])).contains("Permissions 0640"));
}

#[test]
fn passphrase_protected_key_is_refused_clearly() {
    let env = Env::new();
    let key = env.data().join("signing_key");
    let o = std::process::Command::new("ssh-keygen")
        .args([
            "-q", "-t", "ed25519", "-N", "secret", "-C", "rev@host", "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let q = env.write_queue(1);
    let o = decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("passphrase-protected"), "{}", err(&o));
}

#[test]
fn decide_records_exactly_the_spec_fields() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(2);
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0001",
            "--decision",
            "escalate",
            "--reason-code",
            "needs_privacy_officer",
        ],
        &[&q],
    );
    ok(&o);
    let ack = out(&o);
    let parts: Vec<&str> = ack.trim_end().split(' ').collect();
    assert_eq!(parts[0], "ACK");
    assert_eq!(parts[1], "seq=1");
    let entry = parts[2].strip_prefix("entry=").unwrap();
    let log_id = parts[3].strip_prefix("log=").unwrap();
    assert_eq!(entry.len(), 64);
    assert_eq!(log_id.len(), 32);
    let lines: Vec<String> = std::fs::read_to_string(env.log())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        p2review::digest::sha256_hex(lines[1].as_bytes()),
        entry,
        "entry= is the line's hash"
    );
    let es = entries(&env.log());
    let g = &es[0];
    assert_eq!(g["type"], "genesis");
    assert_eq!(g["log_kind"], "production");
    assert_eq!(g["log"], log_id);
    let e = es[1].as_object().unwrap();
    let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
    keys.sort();
    let mut want = vec![
        "v",
        "log",
        "seq",
        "prev",
        "type",
        "ts",
        "reviewer",
        "key",
        "queue",
        "disclosure",
        "disclosure_sha256",
        "subject",
        "recipient",
        "purpose",
        "as_of",
        "consent_status",
        "part2",
        "hipaa",
        "rule",
        "unsettled",
        "policy",
        "decision",
        "reason_code",
        "override",
    ];
    // `consent` only when the verdict rests on one (the evaluation says).
    let ev = Fixture::new(2).eval(0);
    if ev.consent.id.is_some() {
        want.push("consent");
    }
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(
        e["queue"],
        p2review::digest::sha256_hex(&std::fs::read(&q).unwrap())
    );
    assert_eq!(e["disclosure"], "D-0001");
    assert_eq!(e["subject"], "P-0001");
    assert_eq!(
        e["recipient"],
        serde_json::json!({"kind": "health_plan", "name": "Acme Health Plan"})
    );
    assert_eq!(e["as_of"], "2026-11-28", "the queue's as_of");
    assert_eq!(e["part2"], ev.part2.status.as_str());
    assert_eq!(e["hipaa"], ev.hipaa.status.as_str());
    assert_eq!(e["override"], false, "escalate is never an override");
    assert_eq!(e["reviewer"], "rev@clinic.example");
    assert_eq!(e["key"], env.signer().fingerprint());
    assert_eq!(e["prev"], p2review::digest::sha256_hex(lines[0].as_bytes()));
    let fx = Fixture::new(2);
    assert_eq!(
        e["disclosure_sha256"],
        p2review::queue::canonical::disclosure_sha256(&fx.queue.queue.disclosures[0])
    );
    // --as-of wins; supersedes recorded; override computed from the evaluation.
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0001",
            "--decision",
            "approve",
            "--reason-code",
            "consent_verified",
            "--supersedes",
            entry,
            "--as-of",
            "2026-01-05",
            "--note",
            "ok per call",
        ],
        &[&q],
    );
    ok(&o);
    let e = &entries(&env.log())[2];
    assert_eq!(e["as_of"], "2026-01-05");
    assert_eq!(e["supersedes"], entry);
    assert_eq!(e["note"], "ok per call");
    let want_override = p2review::decision::is_override(
        p2review::decision::Decision::Approve,
        ev.part2.status,
        ev.hipaa.status,
    );
    assert_eq!(e["override"], want_override);
    let snap = p2review::log::read::read_decisions(&env.log()).unwrap();
    assert_eq!(snap.decisions.len(), 2);
    assert!(
        snap.open_escalations().is_empty(),
        "the approval superseded the escalation"
    );
    ok(&env.run(&["log", "verify"]));
}

#[test]
fn decide_refuses_before_writing() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let long = "n".repeat(281);
    let upper = "A".repeat(64);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--decision", "deny"], "reason code is required"),
        (
            vec!["--decision", "deny", "--reason-code", "other"],
            "needs a note",
        ),
        (
            vec!["--decision", "deny", "--reason-code", "bogus"],
            "unknown reason code",
        ),
        (
            vec!["--decision", "defer", "--note", "a\u{1b}[2Jb"],
            "control",
        ),
        (vec!["--decision", "defer", "--note", "a\u{202e}b"], "bidi"),
        (
            vec!["--decision", "defer", "--note", &long],
            "281 characters",
        ),
        (
            vec!["--decision", "defer", "--supersedes", "ABC"],
            "--supersedes",
        ),
        (
            vec!["--decision", "defer", "--supersedes", &upper],
            "--supersedes",
        ),
    ];
    for (args, msg) in cases {
        let mut a = vec!["decide", "--id", "D-0001"];
        a.extend(args.iter().copied());
        let o = env.run_p(&a, &[&q]);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(err(&o).contains(msg), "{args:?}: {}", err(&o));
        assert!(
            !err(&o).contains('\u{1b}'),
            "no raw control characters in messages"
        );
        assert!(!env.log().exists(), "{args:?}: nothing may be written");
    }
    let o = decide_p(
        &env,
        &["decide", "--id", "D-9999", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("D-9999"));
    let no_key = Env::new();
    let q2 = no_key.write_queue(1);
    let o = no_key.run_p(&["decide", "--id", "D-0001", "--decision", "defer"], &[&q2]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("key init"), "{}", err(&o));
}

#[test]
fn log_kinds_never_mix() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let fx = Fixture::new(1);
    for kind in [LogKind::Demo, LogKind::Training] {
        let path = env.path(&format!("{}.jsonl", kind.as_str()));
        let demo = p2review::log::keys::demo_signer(&env.data().join("demo_signing_key")).unwrap();
        let rec = Recorder::open(&env.data_dir(), &path, kind, demo);
        if kind == LogKind::Demo {
            fx.record(&rec, 0);
        } else {
            rec.record_training(p2review::log::TrainingInput {
                pack_id: "basics".into(),
                pack_version: "1".into(),
                policy: fx.eval(0).policy,
                correct: 8,
                total: 10,
                pass_mark: 80,
            })
            .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let o = env.run_p(
            &["decide", "--id", "D-0001", "--decision", "defer", "--log"],
            &[&path, &q],
        );
        assert_eq!(code(&o), 2);
        assert!(
            err(&o).contains(&format!("is a {} log", kind.as_str())),
            "{}",
            err(&o)
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
    // And a training entry never enters a production log.
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let rec = Recorder::open(&env.data_dir(), &env.log(), LogKind::Training, env.signer());
    let e = rec
        .record_training(p2review::log::TrainingInput {
            pack_id: "basics".into(),
            pack_version: "1".into(),
            policy: fx.eval(0).policy,
            correct: 1,
            total: 1,
            pass_mark: 80,
        })
        .unwrap_err();
    assert!(e.to_string().contains("is a production log"), "{e}");
    // The demo log verifies with the demo key trusted only for demo logs.
    let demo_log = env.path("demo.jsonl");
    ok(&env.run_p(&["log", "verify"], &[&demo_log]));
}

#[test]
fn lock_timeout_fails_closed() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    std::fs::write(env.data().join("config.yaml"), "lock_timeout: 0.3\n").unwrap();
    let before = std::fs::read(env.log()).unwrap();
    let lock = std::fs::File::open(p2review::paths::lock_path(&env.log()).unwrap()).unwrap();
    lock.lock().unwrap();
    let o = decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("holds the lock"), "{}", err(&o));
    assert!(!out(&o).contains("ACK"));
    assert_eq!(std::fs::read(env.log()).unwrap(), before);
    lock.unlock().unwrap();
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
}

#[test]
fn damaged_tail_refuses_appends_naming_the_code() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    for _ in 0..3 {
        ok(&decide_p(
            &env,
            &["decide", "--id", "D-0001", "--decision", "defer"],
            &[&q],
        ));
    }
    // Rewrite the last entry (the one this data dir's head file names).
    let text = std::fs::read_to_string(env.log()).unwrap();
    let at = text.rfind("\"decision\":\"defer\"").unwrap();
    let mut bad = text.clone();
    bad.replace_range(at..at + 18, "\"decision\":\"deny!\"");
    std::fs::write(env.log(), &bad).unwrap();
    let o = decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("E_FORK"), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(env.log()).unwrap(),
        bad,
        "nothing appended"
    );
    // Cut the last entry off: the head file catches the rollback.
    let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(env.log(), &cut).unwrap();
    let o = decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("E_TRUNCATED"), "{}", err(&o));
    let o = env.run(&["log", "verify"]);
    assert_eq!(code(&o), 1);
    assert!(codes(&o).contains(&"E_TRUNCATED".to_owned()));
}

#[test]
fn torn_tail_warns_then_is_sealed() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(env.log())
        .unwrap()
        .write_all(b"{\"e\":{\"as_of\":\"20")
        .unwrap();
    let o = env.run(&["log", "verify"]);
    assert_eq!(code(&o), 3);
    assert_eq!(
        finding_lines(&o),
        vec![format!(
            "W_TORN_TAIL log={} seq=2 line=3",
            env.log().display()
        )]
    );
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let es = entries_lenient(&env.log());
    assert_eq!(
        es.iter().filter(|e| e["type"] == "tail_recovery").count(),
        1
    );
    let rec = es.iter().find(|e| e["type"] == "tail_recovery").unwrap();
    assert_eq!(rec["torn_len"], 17);
    ok(&env.run(&["log", "verify"]));
}

fn entries_lenient(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["e"].clone())
        .collect()
}

/// `log verify LOG --checkpoint CP` (the checkpoint flag takes several files: logs first).
fn verify_cp(env: &Env, log: &Path, cp: &Path) -> std::process::Output {
    env.cmd()
        .args(["log", "verify"])
        .arg(log)
        .arg("--checkpoint")
        .arg(cp)
        .output()
        .unwrap()
}

fn as_line(principal: &str, key: &[u8; 32], opts: &str) -> String {
    let b64 = data_encoding::BASE64.encode(&p2review::log::sshsig::wire_public_key(key));
    format!("{principal} {opts}ssh-ed25519 {b64}\n")
}

#[test]
fn signer_trust_and_allowed_signers() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let me = env.signer();
    // Another reviewer's entries: unknown without --allowed-signers.
    let other = signer(9, "eve@clinic.example");
    Fixture::new(1).record(
        &Recorder::open(
            &env.data_dir(),
            &env.log(),
            LogKind::Production,
            other.clone(),
        ),
        0,
    );
    let o = env.run(&["log", "verify"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        finding_lines(&o),
        vec![format!(
            "E_SIGNER_UNKNOWN log={} seq=2 line=3",
            env.log().display()
        )]
    );
    assert!(err(&o).contains("--allowed-signers"));
    let as_path = env.path("allowed_signers");
    let run_with = |text: String| {
        std::fs::write(&as_path, text).unwrap();
        env.run_p(&["log", "verify", "--allowed-signers"], &[&as_path])
    };
    let both = as_line("rev@clinic.example", me.public_key(), "")
        + &as_line("eve@clinic.example", other.public_key(), "");
    ok(&run_with(both.clone()));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrong key",
            as_line("rev@clinic.example", me.public_key(), "")
                + &as_line("eve@clinic.example", signer(10, "x@y").public_key(), ""),
            "E_SIGNER_UNKNOWN",
        ),
        (
            "wrong principal",
            as_line("rev@clinic.example", me.public_key(), "")
                + &as_line("mallory@clinic.example", other.public_key(), ""),
            "E_SIGNER_UNKNOWN",
        ),
        (
            "namespace not allowed",
            as_line("rev@clinic.example", me.public_key(), "")
                + &as_line(
                    "eve@clinic.example",
                    other.public_key(),
                    "namespaces=\"p2review-checkpoint\" ",
                ),
            "E_SIGNER_UNKNOWN",
        ),
        (
            "valid-before in the past",
            as_line("rev@clinic.example", me.public_key(), "")
                + &as_line(
                    "eve@clinic.example",
                    other.public_key(),
                    "valid-before=\"20200101Z\" ",
                ),
            "E_SIGNER_NOT_VALID",
        ),
        (
            "valid-after in the future",
            as_line("rev@clinic.example", me.public_key(), "")
                + &as_line(
                    "eve@clinic.example",
                    other.public_key(),
                    "valid-after=\"29990101Z\" ",
                ),
            "E_SIGNER_NOT_VALID",
        ),
    ];
    for (name, text, want) in cases {
        let o = run_with(text);
        assert_eq!(code(&o), 1, "{name}");
        assert_eq!(codes(&o), vec![want.to_owned()], "{name}");
    }
    let o = run_with(as_line(
        "rev@clinic.example",
        me.public_key(),
        "cert-authority ",
    ));
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("cert-authority"));
    let o = run_with(both.clone() + &as_line("eve2@clinic.example", other.public_key(), ""));
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("another principal"), "{}", err(&o));
    // A window that covers the entries.
    let o = run_with(
        as_line(
            "rev@clinic.example",
            me.public_key(),
            "namespaces=\"p2review-decision\",valid-after=\"20200101\" ",
        ) + &as_line("eve@clinic.example", other.public_key(), ""),
    );
    ok(&o);
    // Wildcard principals for log signers are refused (one key could sign as anyone).
    let o = run_with(
        as_line(
            "*@clinic.example",
            me.public_key(),
            "namespaces=\"p2review-decision\",valid-after=\"20200101\" ",
        ) + &as_line("eve@clinic.example", other.public_key(), ""),
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn checkpoints_anchor_the_log() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    for _ in 0..3 {
        ok(&decide_p(
            &env,
            &["decide", "--id", "D-0001", "--decision", "defer"],
            &[&q],
        ));
    }
    let o = env.run(&["log", "checkpoint"]);
    ok(&o);
    let note = out(&o);
    let lines: Vec<&str> = note.lines().collect();
    let log_id = entries(&env.log())[0]["log"].as_str().unwrap().to_owned();
    assert_eq!(lines[0], format!("p2review/{log_id}"));
    assert_eq!(lines[1], "4");
    let last = std::fs::read_to_string(env.log())
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_owned();
    assert_eq!(lines[2], p2review::digest::sha256_hex(last.as_bytes()));
    assert_eq!(lines[3], "");
    assert!(
        lines[4].starts_with("\u{2014} rev@clinic.example "),
        "{}",
        lines[4]
    );
    let cp = env.path("cp.note");
    std::fs::write(&cp, &note).unwrap();
    ok(&env.run_p(&["log", "verify", "--checkpoint"], &[&cp]));
    // More entries after it: a warning that the tail is unanchored.
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let o = env.run_p(&["log", "verify", "--checkpoint"], &[&cp]);
    assert_eq!(code(&o), 3);
    assert_eq!(codes(&o), vec!["W_UNANCHORED_TAIL"]);
    // A copy cut to 3 entries: truncation (no head file names this copy's path, but the
    // data dir's head does name its log id — use a fresh data dir to isolate the checkpoint).
    let iso = Env::new();
    std::fs::copy(
        env.data().join("signing_key"),
        iso.data().join("signing_key"),
    )
    .unwrap();
    std::fs::copy(
        env.data().join("signing_key.pub"),
        iso.data().join("signing_key.pub"),
    )
    .unwrap();
    std::fs::set_permissions(
        iso.data().join("signing_key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let text = std::fs::read_to_string(env.log()).unwrap();
    let cut = iso.path("cut.jsonl");
    std::fs::write(
        &cut,
        text.lines()
            .take(3)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let o = verify_cp(&iso, &cut, &cp);
    assert_eq!(code(&o), 1);
    assert_eq!(codes(&o), vec!["E_TRUNCATED"]);
    // A rewritten history: same prefix, a different entry 3 → fork.
    let q2 = iso.write_queue(1);
    ok(&decide_p(
        &iso,
        &[
            "decide",
            "--id",
            "D-0001",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
            "--log",
        ],
        &[&cut, &q2],
    ));
    let o = verify_cp(&iso, &cut, &cp);
    assert_eq!(code(&o), 1);
    assert_eq!(codes(&o), vec!["E_FORK"]);
    // A forged checkpoint (count changed) and one of another log.
    let forged = env.path("forged.note");
    std::fs::write(&forged, note.replacen("\n4\n", "\n3\n", 1)).unwrap();
    let o = env.run_p(&["log", "verify", "--checkpoint"], &[&forged]);
    assert_eq!(code(&o), 1);
    assert!(codes(&o).contains(&"E_CHECKPOINT_SIG".to_owned()));
    let other = env.path("other.jsonl");
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer", "--log"],
        &[&other, &q],
    ));
    let o = verify_cp(&env, &other, &cp);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("not among the logs verified"));
    let bad = env.path("bad.note");
    std::fs::write(&bad, "hello\n").unwrap();
    assert_eq!(
        code(&env.run_p(&["log", "verify", "--checkpoint"], &[&bad])),
        2
    );
}

#[test]
fn several_logs_combine_exit_codes() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let (a, b, c) = (
        env.path("a.jsonl"),
        env.path("b.jsonl"),
        env.path("c.jsonl"),
    );
    for l in [&a, &b, &c] {
        ok(&env.run_p(
            &["decide", "--id", "D-0001", "--decision", "defer", "--log"],
            &[l, &q],
        ));
    }
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&b)
        .unwrap()
        .write_all(b"{\"e\"")
        .unwrap();
    let text = std::fs::read_to_string(&c)
        .unwrap()
        .replacen("\"defer\"", "\"deny\"", 1);
    std::fs::write(&c, text).unwrap();
    let missing = env.path("missing.jsonl");
    assert_eq!(code(&env.run_p(&["log", "verify"], &[&a])), 0);
    assert_eq!(code(&env.run_p(&["log", "verify"], &[&a, &b])), 3);
    assert_eq!(code(&env.run_p(&["log", "verify"], &[&a, &b, &missing])), 2);
    assert_eq!(
        code(&env.run_p(&["log", "verify"], &[&a, &b, &missing, &c])),
        1
    );
    let o = env.run_p(&["log", "verify"], &[&c]);
    for l in finding_lines(&o) {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 4, "{l}");
        assert!(f[0].starts_with("E_") || f[0].starts_with("W_"));
        assert_eq!(f[1], format!("log={}", c.display()));
        assert!(f[2].strip_prefix("seq=").unwrap().parse::<u64>().is_ok());
        assert!(f[3].strip_prefix("line=").unwrap().parse::<u64>().is_ok());
    }
    // `--strict` (one thread, verify_strict each) prints and exits exactly as the default
    // (batches on all cores), on clean, warning, missing and failing logs.
    let (a, b, c, missing) = (a.as_path(), b.as_path(), c.as_path(), missing.as_path());
    for set in [
        vec![a],
        vec![a, b],
        vec![a, b, missing],
        vec![a, b, missing, c],
        vec![c],
    ] {
        let d = env.run_p(&["log", "verify"], &set);
        let s = env.run_p(&["log", "verify", "--strict"], &set);
        assert_eq!(
            (d.status.code(), &d.stdout, &d.stderr),
            (s.status.code(), &s.stdout, &s.stderr),
            "{set:?}"
        );
    }
    let help = out(&env.run(&["log", "verify", "--help"]));
    assert!(
        help.contains("--strict") && help.contains("verify_strict"),
        "{help}"
    );
}

#[test]
fn phi_canaries_never_reach_the_log_or_output() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(3);
    let mut outputs = Vec::new();
    for args in [
        vec!["decide", "--id", "D-0001", "--decision", "defer"],
        vec!["decide", "--id", "D-0002", "--decision", "deny"],
        vec![
            "decide",
            "--id",
            "D-0002",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
        ],
        vec![
            "decide",
            "--id",
            "D-0003",
            "--decision",
            "approve",
            "--reason-code",
            "consent_verified",
        ],
    ] {
        outputs.push(env.run_p(&args, &[&q]));
    }
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(env.log())
        .unwrap()
        .write_all(b"{\"e\":{\"x")
        .unwrap();
    outputs.push(env.run(&["log", "verify"]));
    outputs.push(env.run(&["log", "checkpoint"]));
    let mut all = String::new();
    for o in &outputs {
        all.push_str(&out(o));
        all.push_str(&err(o));
    }
    all.push_str(&std::fs::read_to_string(env.log()).unwrap());
    let heads = env.data().join("heads");
    for dir in [heads.clone(), heads.join("by-path")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                all.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
    }
    assert!(all.contains("ACK seq="), "the commands ran");
    for c in CANARIES {
        assert!(!all.contains(c), "canary {c} leaked");
    }
    // The queue did hold them.
    let qt = std::fs::read_to_string(&q).unwrap();
    assert!(CANARIES.iter().all(|c| qt.contains(c)));
}

#[test]
fn stale_queue_is_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let loaded = p2review::queue::load_path(&q).unwrap();
    let fx = Fixture::new(1);
    std::fs::write(&q, queue_yaml(1).replace("412.50", "999.00")).unwrap();
    let rec = Recorder::open(
        &env.data_dir(),
        &env.log(),
        LogKind::Production,
        env.signer(),
    );
    let e = rec
        .record(
            &loaded,
            &loaded.queue.disclosures[0],
            &fx.eval(0),
            p2review::log::DecisionInput {
                decision: p2review::decision::Decision::Defer,
                reason_code: None,
                note: None,
                supersedes: None,
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("changed on disk"), "{e}");
    assert!(!env.log().exists());
}

/// A log written by an earlier version, with three crash recoveries (kill -9 during
/// appends, one of them also inside the sealing append): it verifies clean, with and
/// without the data dir's head file as an anchor ("logs that recovered from a crash
/// verify 0").
#[test]
fn crash_recovered_fixture_log_verifies_clean() {
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log/crash_recovered");
    let env = Env::new();
    let log = env.path("decisions.jsonl");
    std::fs::copy(fx.join("decisions.jsonl"), &log).unwrap();
    let allowed = fx.join("allowed_signers");
    let o = env.run_p(&["log", "verify", "--allowed-signers"], &[&allowed, &log]);
    ok(&o);
    let heads = env.data().join("heads");
    std::fs::create_dir_all(&heads).unwrap();
    std::fs::set_permissions(env.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(&heads, std::fs::Permissions::from_mode(0o700)).unwrap();
    for f in std::fs::read_dir(fx.join("heads")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, heads.join(f.file_name().unwrap())).unwrap();
    }
    let o = env.run_p(&["log", "verify", "--allowed-signers"], &[&allowed, &log]);
    ok(&o);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.matches("\"type\":\"tail_recovery\"").count(), 3);
}

fn decide(env: &Env, q: &Path, log: &Path) -> std::process::Output {
    decide_p(
        env,
        &["decide", "--id", "D-0001", "--decision", "defer", "--log"],
        &[log, q],
    )
}

/// Garbage after the last entry is damage: `log verify` exits 1 naming it, and the
/// appender refuses to seal it, saying to move the log aside and keep it.
#[test]
fn garbage_tail_is_an_error_and_never_sealed() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide(&env, &q, &env.log()));
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(env.log())
        .unwrap()
        .write_all(b"this is not a log line\n{\"e\":{\"as")
        .unwrap();
    let before = std::fs::read(env.log()).unwrap();
    let o = env.run(&["log", "verify"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert_eq!(codes(&o), vec!["E_FRAMING", "E_TORN_MIDDLE"]);
    let o = decide(&env, &q, &env.log());
    assert_eq!(code(&o), 2);
    let e = err(&o);
    assert!(
        e.contains("E_FRAMING") && e.contains("move the log aside and keep it"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(env.log()).unwrap(),
        before,
        "nothing appended"
    );
    assert_eq!(code(&env.run(&["log", "show"])), 1);
}

/// The head file is kept by canonical path too: an emptied log, or one cut inside its
/// genesis, is E_TRUNCATED (verify and appender) whatever spelling is used; a 0-byte log
/// this data dir never appended to (left by a full disk) verifies as empty and gets its
/// genesis on the next append.
#[test]
fn emptied_or_genesis_cut_logs_are_truncated() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide(&env, &q, &env.log()));
    let full = std::fs::read(env.log()).unwrap();
    let by_path = env.data().join("heads/by-path");
    assert_eq!(std::fs::read_dir(&by_path).unwrap().count(), 1);
    let alias = env.path("alias.jsonl");
    std::os::unix::fs::symlink(env.log(), &alias).unwrap();
    let genesis_len = full.iter().position(|&b| b == b'\n').unwrap();
    for cut in [0, 10, genesis_len] {
        std::fs::write(env.log(), &full[..cut]).unwrap();
        for spelling in [env.log(), alias.clone()] {
            let o = env.run_p(&["log", "verify"], &[&spelling]);
            assert_eq!(code(&o), 1, "cut {cut}: {}", out(&o));
            assert!(codes(&o).contains(&"E_TRUNCATED".to_owned()), "{}", out(&o));
            let o = decide(&env, &q, &spelling);
            assert_eq!(code(&o), 2, "cut {cut}");
            assert!(err(&o).contains("E_TRUNCATED"), "{}", err(&o));
            assert!(!err(&o).contains("holds no decisions"), "{}", err(&o));
        }
        assert_eq!(std::fs::read(env.log()).unwrap(), &full[..cut]);
    }
    // No head file for this path: an empty log is empty, and appends start it.
    let fresh = env.path("fresh.jsonl");
    std::fs::write(&fresh, b"").unwrap();
    let o = env.run_p(&["log", "verify"], &[&fresh]);
    ok(&o);
    assert!(
        out(&o).starts_with("ok log=") && out(&o).contains(" entries=0 "),
        "{}",
        out(&o)
    );
    ok(&decide(&env, &q, &fresh));
    let o = env.run_p(&["log", "verify"], &[&fresh]);
    ok(&o);
    assert!(
        out(&o).contains("entries=2 signers=1 anchored=yes"),
        "{}",
        out(&o)
    );
    assert_eq!(
        out(&env.run_p(&["log", "verify", "--quiet"], &[&fresh])),
        ""
    );
}

/// Every spelling of one log takes one lock (`<canonical path>.lock`): appenders going
/// through a symlink and through the real path never produce duplicate seqs.
#[test]
fn one_lock_per_log_whatever_the_spelling() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(7);
    ok(&decide(&env, &q, &env.log()));
    let alias = env.path("alias.jsonl");
    std::os::unix::fs::symlink(env.log(), &alias).unwrap();
    let children: Vec<_> = (0..6)
        .map(|i| {
            let p = if i % 2 == 0 { env.log() } else { alias.clone() };
            let mut c = env.cmd();
            // Distinct items: the race under test is on seqs, not on supersession.
            let id = format!("D-{:04}", i + 2);
            c.args([
                "decide",
                "--id",
                id.as_str(),
                "--decision",
                "defer",
                "--log",
            ])
            .arg(&p)
            .arg(&q)
            .env("P2REVIEW_TEST_SPLIT_WRITES", "1");
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut seqs = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        ok(&o);
        let s = out(&o);
        let seq: u64 = s
            .split("seq=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        seqs.push(seq);
    }
    seqs.sort();
    assert_eq!(seqs, (2..8).collect::<Vec<u64>>());
    assert!(!env.path("alias.jsonl.lock").exists());
    ok(&env.run(&["log", "verify"]));
    ok(&env.run_p(&["log", "verify"], &[&alias]));
    ok(&decide(&env, &q, &alias));
}

/// A FIFO, a device or a directory given as a log is refused (exit 2) by every reader
/// and the appender, instead of blocking or reading forever.
#[test]
fn non_regular_files_are_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let fifo = env.path("fifo.jsonl");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let dir = env.path("adir");
    std::fs::create_dir(&dir).unwrap();
    let zero = Path::new("/dev/zero");
    for p in [fifo.as_path(), zero, dir.as_path()] {
        for args in [
            &["log", "verify"][..],
            &["log", "show"],
            &["log", "accounting", "--patient", "P-0001"],
            &["log", "recipients", "--consent", "C-0001"],
            &["log", "checkpoint"],
            &["train", "status"],
        ] {
            let o = env.run_p(args, &[p]);
            assert_eq!(code(&o), 2, "{args:?} {p:?}: {}{}", out(&o), err(&o));
        }
        let o = decide(&env, &q, p);
        assert_eq!(code(&o), 2, "decide {p:?}");
        assert!(err(&o).contains("not a regular file"), "{}", err(&o));
    }
}

/// A line over 64 KiB is one E_FRAMING line: the line numbers after it stay right.
#[test]
fn line_numbers_stay_right_after_a_huge_line() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide(&env, &q, &env.log()));
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.log())
        .unwrap();
    f.write_all(&vec![b'x'; 200 * 1024]).unwrap();
    f.write_all(b"\ny\n").unwrap();
    let o = env.run(&["log", "verify"]);
    assert_eq!(code(&o), 1);
    let lines = finding_lines(&o);
    assert!(
        lines[0].starts_with("E_FRAMING") && lines[0].ends_with("line=3"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("E_FRAMING") && lines[1].ends_with("line=4"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
}

/// Invisible format characters (U+061C, zero-width, word joiners, BOM, tags) are refused
/// in a note at record time; nothing is written.
#[test]
fn notes_with_invisible_characters_are_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    for c in [
        '\u{61c}',
        '\u{200b}',
        '\u{200d}',
        '\u{2060}',
        '\u{2064}',
        '\u{feff}',
        '\u{e0041}',
    ] {
        let note = format!("call{c}back");
        let o = env.run_p(
            &[
                "decide",
                "--id",
                "D-0001",
                "--decision",
                "defer",
                "--note",
                &note,
            ],
            &[&q],
        );
        assert_eq!(code(&o), 2, "{c:?}");
        assert!(err(&o).contains("invisible"), "{}", err(&o));
        assert!(!env.log().exists(), "nothing written");
    }
    ok(&env.run_p(
        &[
            "decide",
            "--id",
            "D-0001",
            "--decision",
            "defer",
            "--note",
            "call back",
        ],
        &[&q],
    ));
}

/// A principal pattern (`*`, `?`, `!`) on an allowed_signers line that covers log
/// signatures is refused (exit 2): one key could sign as any reviewer it matches. Lines
/// for other namespaces keep their patterns.
#[test]
fn wildcard_principals_for_log_signers_are_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let key = *env.signer().public_key();
    let allowed = env.path("allowed_signers");
    for (principal, opts) in [
        ("*@clinic.example", ""),
        ("rev@clinic.exampl?", "namespaces=\"p2review-decision\" "),
        ("*", "namespaces=\"git,p2review-checkpoint\" "),
    ] {
        std::fs::write(&allowed, as_line(principal, &key, opts)).unwrap();
        let o = env.run_p(&["log", "verify", "--allowed-signers"], &[&allowed]);
        assert_eq!(code(&o), 2, "{principal}");
        assert!(err(&o).contains("is a pattern"), "{}", err(&o));
    }
    let mut text = as_line(
        "*@example.org",
        signer(7, "x@y").public_key(),
        "namespaces=\"git\" ",
    );
    text.push_str(&as_line("rev@clinic.example", &key, ""));
    std::fs::write(&allowed, text).unwrap();
    ok(&env.run_p(&["log", "verify", "--allowed-signers"], &[&allowed]));
}

/// A data dir or heads dir that group or others can write to is refused (exit 2) by the
/// appender and the readers, like OpenSSH's StrictModes, naming the chmod to run.
#[test]
fn shared_writable_data_or_heads_dir_is_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide_p(
        &env,
        &["decide", "--id", "D-0001", "--decision", "defer"],
        &[&q],
    ));
    let heads = env.data().join("heads");
    let before = std::fs::read(env.log()).unwrap();
    for (dir, mode) in [(env.data(), 0o770), (heads.clone(), 0o703)] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        let o = decide_p(
            &env,
            &["decide", "--id", "D-0001", "--decision", "defer"],
            &[&q],
        );
        assert_eq!(code(&o), 2);
        assert!(err(&o).contains("chmod go-w"), "{}", err(&o));
        for args in [
            &["log", "verify"][..],
            &["log", "show"],
            &["train", "status"],
        ] {
            let o = env.run(args);
            assert_eq!(code(&o), 2, "{args:?}");
            assert!(err(&o).contains("are too open"), "{}", err(&o));
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    assert_eq!(
        std::fs::read(env.log()).unwrap(),
        before,
        "nothing appended"
    );
    ok(&env.run(&["log", "verify"]));
}

/// Reading a log's tail costs bounded memory: with 256 MiB of garbage after the last
/// entry and the address space capped below that (`ulimit -v`), the appender refuses
/// cleanly (exit 2, E_FRAMING) and `log verify` reports it (exit 1) instead of dying
/// in an allocation.
#[test]
fn a_huge_garbage_tail_costs_bounded_memory() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide(&env, &q, &env.log()));
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(env.log())
        .unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len + (256 << 20)).unwrap();
    let capped = |args: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 200000; exec \"$BIN\" --data-dir \"$DATA\" {args}"
            ))
            .env("BIN", env!("CARGO_BIN_EXE_p2review"))
            .env("DATA", env.data())
            .env("QUEUE", &q)
            .output()
            .unwrap()
    };
    let o = capped("decide \"$QUEUE\" --id D-0001 --decision defer");
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("E_FRAMING"), "{}", err(&o));
    let o = capped("log verify");
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert_eq!(codes(&o), vec!["E_FRAMING"]);
}

/// After the advice "move the log aside and keep it", the next append starts a new log at
/// the same path, and both verify from the data dir (the kept one by its id's head file).
#[test]
fn a_log_moved_aside_is_replaced_by_a_new_one() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    ok(&decide(&env, &q, &env.log()));
    let kept = env.path("kept.jsonl");
    std::fs::rename(env.log(), &kept).unwrap();
    ok(&decide(&env, &q, &env.log()));
    ok(&decide(&env, &q, &env.log()));
    let o = env.run(&["log", "verify"]);
    ok(&o);
    assert!(
        out(&o).contains("entries=3 signers=1 anchored=yes"),
        "{}",
        out(&o)
    );
    let o = env.run_p(&["log", "verify"], &[&kept]);
    ok(&o);
    assert!(out(&o).contains("anchored=yes"), "{}", out(&o));
}

/// Runs `args` with standard output a pipe whose reader is already gone (`… | head -1` after
/// head exits), so the first write fails with a broken pipe whatever the output's size.
fn run_into_closed_pipe(env: &Env, args: &[&str], paths: &[&Path]) -> std::process::Output {
    let mut c = env.cmd();
    c.args(args).args(paths);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// `p2review X | head -1`: every command family that prints to standard output exits 0
/// without a panic report when the reader has gone (one handling, in `main`).
#[test]
fn a_closed_pipe_is_a_clean_exit_for_every_output_command() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(3);
    let log = env.log();
    for id in ["D-0001", "D-0002"] {
        ok(&env.run_p(
            &["decide", "--id", id, "--decision", "defer", "--log"],
            &[&log, &q],
        ));
    }
    let team = env.path("team");
    std::fs::create_dir(&team).unwrap();
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o700)).unwrap();
    let team = team.join("store");
    ok(&env.run_p(&["team", "init"], &[&team]));
    let x12 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/x12/moov/837p_sample.txt");
    let context = env.path("context.yaml");
    let o = env.run_p(&["import", "x12", "--init-context"], &[&x12]);
    ok(&o);
    std::fs::write(&context, &o.stdout).unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/consents.yaml");
    let families: Vec<(Vec<&str>, Vec<&Path>)> = vec![
        (vec!["log", "show"], vec![log.as_path()]),
        (vec!["log", "show", "--format", "json"], vec![log.as_path()]),
        (vec!["log", "show", "--format", "csv"], vec![log.as_path()]),
        (vec!["log", "verify"], vec![log.as_path()]),
        (vec!["log", "checkpoint"], vec![log.as_path()]),
        (
            vec!["log", "accounting", "--patient", "P-0001"],
            vec![log.as_path()],
        ),
        (
            vec![
                "log",
                "accounting",
                "--patient",
                "P-0001",
                "--format",
                "csv",
            ],
            vec![log.as_path()],
        ),
        (
            vec!["log", "recipients", "--consent", "C-0001"],
            vec![log.as_path()],
        ),
        (vec!["evaluate"], vec![q.as_path()]),
        (vec!["evaluate", "--format", "json"], vec![q.as_path()]),
        (
            vec!["decide", "--id", "D-0003", "--decision", "defer"],
            vec![q.as_path()],
        ),
        (vec!["key", "show"], vec![]),
        (vec!["policy", "check"], vec![]),
        (vec!["policy", "test"], vec![scenarios.as_path()]),
        (vec!["train", "status"], vec![]),
        (vec!["incident", "list"], vec![]),
        (vec!["team", "status", "--team"], vec![team.as_path()]),
        (vec!["import", "x12", "--init-context"], vec![x12.as_path()]),
        (
            vec!["import", "x12", "--all", "--context"],
            vec![context.as_path(), x12.as_path()],
        ),
    ];
    for (args, paths) in families {
        let o = run_into_closed_pipe(&env, &args, &paths);
        assert_eq!(code(&o), 0, "{args:?}: {}", err(&o));
        assert!(!err(&o).contains("panicked"), "{args:?}: {}", err(&o));
        // Only what a command says on stderr anyway (import's summary) may remain.
        if args[0] != "import" {
            assert!(err(&o).is_empty(), "{args:?}: {}", err(&o));
        }
    }
    // Any other failure still reports: a missing queue is an error, pipe or not.
    let missing = env.path("missing.yaml");
    let o = run_into_closed_pipe(&env, &["evaluate"], &[&missing]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).starts_with("p2review: error: "), "{}", err(&o));
}

/// A repeat decision must name the item's effective decision (docs/signed-log.md,
/// supersession): `decide` without `--supersedes` exits 2 printing the hash to name and
/// writes nothing; naming it records; naming a superseded entry or an entry of another
/// item is refused the same way.
#[test]
fn a_repeat_decision_must_supersede_the_effective_one() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(2);
    let run = |id: &str, sup: Option<&str>| {
        let mut a = vec!["decide", "--id", id, "--decision", "defer"];
        if let Some(h) = sup {
            a.extend(["--supersedes", h]);
        }
        env.run_p(&a, &[&q])
    };
    let receipt_hash = |o: &std::process::Output| -> String {
        ok(o);
        out(o).split("entry=").nth(1).unwrap()[..64].to_owned()
    };
    let first = receipt_hash(&run("D-0001", None));
    let other = receipt_hash(&run("D-0002", None));
    let size = std::fs::metadata(env.log()).unwrap().len();
    let o = run("D-0001", None);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains(&format!("supersede with --supersedes {first}")),
        "{}",
        err(&o)
    );
    assert_eq!(
        std::fs::metadata(env.log()).unwrap().len(),
        size,
        "nothing written"
    );
    // An entry of another item would supersede nothing.
    let o = run("D-0001", Some(&other));
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("another item"), "{}", err(&o));
    let second = receipt_hash(&run("D-0001", Some(&first)));
    // The first is superseded now: naming it again is refused, naming the second records.
    let o = run("D-0001", Some(&first));
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains(&format!("supersede with --supersedes {second}")),
        "{}",
        err(&o)
    );
    receipt_hash(&run("D-0001", Some(&second)));
    assert_eq!(entries(&env.log()).len(), 1 + 4);
    ok(&env.run(&["log", "verify"]));
}

/// Two appenders on one log (two terminals of one reviewer): the check runs under the
/// lock against what the other one appended, read incrementally.
#[test]
fn a_second_recorder_sees_the_first_ones_decision() {
    let env = Env::with_key("rev@clinic.example");
    let fx = Fixture::new(1);
    let d = &fx.queue.queue.disclosures[0];
    let ev = fx.eval(0);
    let open = || {
        Recorder::open(
            &env.data_dir(),
            &env.log(),
            LogKind::Production,
            env.signer(),
        )
    };
    let (one, two) = (open(), open());
    let input = |sup: Option<String>| p2review::log::DecisionInput {
        decision: p2review::decision::Decision::Deny,
        reason_code: Some(p2review::decision::ReasonCode::ConsentMissing),
        note: None,
        supersedes: sup,
    };
    // Both have read the (empty) log before either decides.
    one.check().unwrap();
    two.check().unwrap();
    let a = one.record(&fx.queue, d, &ev, input(None)).unwrap();
    match two.record(&fx.queue, d, &ev, input(None)) {
        Err(p2review::log::RecordError::Supersede(p)) => {
            assert_eq!(p.to_supersede(), vec![a.entry_sha256.as_str()])
        }
        other => panic!("expected a supersede refusal, got {other:?}"),
    }
    let b = two
        .record(&fx.queue, d, &ev, input(Some(a.entry_sha256.clone())))
        .unwrap();
    // And the first learns of the second's entry on its next append.
    match one.record(&fx.queue, d, &ev, input(Some(a.entry_sha256.clone()))) {
        Err(p2review::log::RecordError::Supersede(p)) => {
            assert_eq!(p.to_supersede(), vec![b.entry_sha256.as_str()])
        }
        other => panic!("expected a supersede refusal, got {other:?}"),
    }
}

/// An override approval needs a note with `decide` as in the review screen: exit 2,
/// saying why, nothing written.
#[test]
fn an_override_without_a_note_is_refused() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.path("noconsent.yaml");
    // Without its consent the disclosure needs one: approving it overrides Part 2.
    std::fs::write(&q, queue_yaml(1).replace("    consent: C-0001\n", "")).unwrap();
    let base = [
        "decide",
        "--id",
        "D-0001",
        "--decision",
        "approve",
        "--reason-code",
        "other",
    ];
    let o = env.run_p(&base, &[&q]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("`other` needs a note") || err(&o).contains("override"));
    let o = env.run_p(&base[..5], &[&q]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    let o = env.run_p(
        &[&base[..5], &["--reason-code", "court_order_on_file"]].concat(),
        &[&q],
    );
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("override approval needs a note"),
        "{}",
        err(&o)
    );
    assert!(!env.log().exists(), "nothing written");
    let mut with_note = base[..5].to_vec();
    with_note.extend([
        "--reason-code",
        "court_order_on_file",
        "--note",
        "order seen",
    ]);
    ok(&env.run_p(&with_note, &[&q]));
    assert_eq!(entries(&env.log())[1]["override"], true);
}
