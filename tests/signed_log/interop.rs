//! docs/signed-log.md#with-stock-tools-only: the shell recipe with stock `jq` and `ssh-keygen` verifies our entries — run
//! verbatim. Fails (does not skip) when either tool is missing: CI installs them.

use crate::log_support;

use log_support::*;

#[test]
fn stock_tools_verify_every_entry_type() {
    have("jq", "--version");
    have("ssh-keygen", "-V");
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(2);
    let o = env.run_p(&["decide", "--id", "D-0001", "--decision", "defer"], &[&q]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // A torn fragment, sealed by the next append: genesis, decision, tail_recovery, decision.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(env.log())
        .unwrap()
        .write_all(b"{\"e\":{\"torn")
        .unwrap();
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0002",
            "--decision",
            "deny",
            "--reason-code",
            "other",
            "--note",
            "quote \" and backslash \\ and caf\u{e9}",
        ],
        &[&q],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let allowed = out(&env.run(&["key", "show", "--allowed-signers"]));
    std::fs::write(env.path("allowed_signers"), allowed).unwrap();
    let text = std::fs::read_to_string(env.log()).unwrap();
    let types: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("{\"e\":{"))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
            v["e"]["type"].as_str().unwrap_or("?").to_owned()
        })
        .collect();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.ends_with("\"}") && l.starts_with("{\"e\":{"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 4, "types {types:?}");
    for n in lines {
        let (ok, msg) = recipe(env.tmp.path(), &env.log(), n);
        assert!(
            ok && msg.contains("Good \"p2review-decision\" signature for rev@clinic.example"),
            "line {n}: {msg}"
        );
    }
    // And the negative: one changed byte of a body makes ssh-keygen refuse it too.
    let tampered = text.replacen("\"decision\":\"defer\"", "\"decision\":\"deneb\"", 1);
    let tlog = env.path("tampered.jsonl");
    std::fs::write(&tlog, tampered).unwrap();
    let (ok, msg) = recipe(env.tmp.path(), &tlog, 2);
    assert!(!ok, "ssh-keygen accepted a tampered entry: {msg}");
}
