//! End to end: `p2review incident assess HASH` without outcome flags in a pseudo-terminal
//! opens the assessment dialog (docs/incidents.md#the-assessment-dialog); what is chosen
//! there is recorded as the flags would record it, and leaving records nothing.

use std::path::Path;

mod pty_support;
use pty_support::*;

fn p2(data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_dialog_records_what_is_chosen_and_leaving_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = p2(&data, &["key", "init", "--principal", "rev@clinic.example"]);
    assert!(o.status.success(), "{o:?}");
    let o = p2(
        &data,
        &[
            "incident",
            "record",
            "--actor",
            "part2_program",
            "--kind",
            "misdirected",
            "--discovered-on",
            "2026-11-02",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let hash = stdout
        .split_whitespace()
        .find_map(|w| w.strip_prefix("incident="))
        .unwrap()
        .to_owned();
    let log = data.join("decisions.jsonl");
    let before = std::fs::read(&log).unwrap();
    let mut s = spawn_as(&data, &["incident", "assess", &hash], &[], None);
    s.wait_for("Outcome: breach");
    s.send("q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    assert_restored(&s);
    assert_eq!(
        std::fs::read(&log).unwrap(),
        before,
        "leaving wrote to the log"
    );

    // Factor (i) part2_identifying with its note, then record.
    let mut s = spawn_as(&data, &["incident", "assess", &hash], &[], None);
    s.wait_for("Outcome: breach");
    s.send("j"); // row (i)
    s.send("l"); // part2_identifying
    s.wait_for("< part2_identifying >");
    s.send("r"); // refused: no note yet
    s.wait_for("Not recorded");
    s.send("\r");
    s.send("SUD dx codes");
    s.send("\r");
    s.wait_for("note: SUD dx codes");
    s.send("r");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    assert_restored(&s);
    let after = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(after.contains("outcome=breach"), "{after}");
    let text = std::fs::read_to_string(&log).unwrap();
    let e: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(e["e"]["type"], "incident_assessment");
    assert_eq!(e["e"]["incident"], hash.as_str());
    assert_eq!(e["e"]["outcome"], "breach");
    assert_eq!(e["e"]["factors"]["nature"]["value"], "part2_identifying");
    assert_eq!(e["e"]["factors"]["nature"]["note"], "SUD dx codes");
    let v = p2(&data, &["log", "verify"]);
    assert!(v.status.success(), "{v:?}");
}
