//! End to end: `p2review train` on a two-scenario pack in a pseudo-terminal (portable-pty,
//! screen via vt100), answering every question; the terminal is restored, the completion
//! record is in the training log, and `train status` shows the trainee current. Quitting
//! early writes nothing.

use std::path::Path;

mod pty_support;
use pty_support::*;

/// The trainee signs their own completion record.
fn spawn(data_dir: &Path, args: &[&str]) -> Session {
    spawn_env(data_dir, args, &[])
}

fn spawn_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Session {
    spawn_as(data_dir, args, env, Some("trainee@example.org"))
}

fn pack() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/training/short.yaml")
}

fn status(data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .args(["train", "status"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn answer_a_short_pack_then_status_shows_current() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut s = spawn(
        &data,
        &["train", pack().to_str().unwrap(), "--pass-mark", "50"],
    );
    s.wait_for("Question 1 of 3");
    s.wait_for("Scenario B01");
    // B01: permitted_with_notice (2), notice yes, permitted_tpo (1).
    s.send("2");
    s.wait_for("Question 2 of 3");
    s.send("y");
    s.wait_for("Question 3 of 3");
    s.send("\r"); // cursor on option 1: permitted_tpo
    s.wait_for("Correct");
    s.send("\r");
    s.wait_for("Scenario B02");
    // B02 answered the HIPAA-only way: permitted (1), no notice, permitted_tpo (1).
    s.send("1");
    s.wait_for("Question 2 of 3");
    s.send("n");
    s.wait_for("Question 3 of 3");
    s.send("1");
    s.wait_for("HIPAA-only trap");
    s.send("\r");
    s.wait_for("Session complete");
    s.wait_for("Completion record signed");
    assert!(s.screen().screen().contents().contains("1/2 correct (50%)"));
    s.send("q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    assert_restored(&s);
    let after = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(
        after.contains("pass mark 50%: PASSED; completion record written to"),
        "{after}"
    );

    let log = data.join("training.jsonl");
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(&data)
        .args(["log", "verify"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    let o = status(&data, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["principal"], "trainee@example.org");
    assert_eq!(rows[0]["status"], "current");
    assert_eq!(
        (rows[0]["correct"].as_u64(), rows[0]["total"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(rows[0]["pack"], "short");

    // The review screen of this reviewer shows no training notice now.
    let mut r = spawn(
        &data,
        &[
            "review",
            queue().to_str().unwrap(),
            "--log",
            dir.path().join("d.jsonl").to_str().unwrap(),
        ],
    );
    r.wait_for("decided 0/12");
    assert!(!r.screen().screen().contents().contains("TRAINING DUE"));
    r.send("q");
    r.wait_exit();
}

fn queue() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/queue.yaml")
}

#[test]
fn quitting_early_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut s = spawn(&data, &["train", pack().to_str().unwrap()]);
    s.wait_for("Question 1 of 3");
    s.send("2");
    s.wait_for("Question 2 of 3");
    // `q` asks before abandoning the pack; `n` keeps practising, `q` `y` abandons.
    s.send("q");
    s.wait_for("Abandon this pack?");
    s.send("n");
    s.send("q");
    s.wait_for("Abandon this pack?");
    s.send("y");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    assert_restored(&s);
    let after = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(after.contains("nothing was recorded"), "{after}");
    assert!(!data.join("training.jsonl").exists());
    // And the trainee is due (with the roster, as never trained).
    let roster = dir.path().join("roster");
    std::fs::write(&roster, "trainee@example.org\n").unwrap();
    let o = status(&data, &["--due", "--roster", roster.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    // ...and their review screen says so.
    let mut r = spawn(
        &data,
        &[
            "review",
            queue().to_str().unwrap(),
            "--log",
            dir.path().join("d.jsonl").to_str().unwrap(),
        ],
    );
    r.wait_for("TRAINING DUE: never trained");
    r.send("q");
    r.wait_exit();
}

#[test]
fn without_a_key_train_says_run_key_init() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // No signer: there must be no key.
    let mut s = spawn_as(&data, &["train"], &[], None);
    let st = s.wait_exit();
    assert_eq!(st.exit_code(), 2);
    let text = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(text.contains("p2review key init"), "{text}");
    assert!(!text.contains("\x1b[?1049h"), "the screen never opened");
}

#[test]
fn the_pass_mark_from_config_decides_and_a_fail_is_recorded_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("config.yaml"), "pass_mark: 60\n").unwrap();
    let mut s = spawn(&data, &["train", pack().to_str().unwrap()]);
    for _ in 0..2 {
        // Every scenario answered the HIPAA-only way: permitted, no notice, permitted_tpo.
        s.wait_for("Question 1 of 3");
        s.send("1");
        s.wait_for("Question 2 of 3");
        s.send("n");
        s.wait_for("Question 3 of 3");
        s.send("1");
        s.wait_for("Not quite");
        s.send(" ");
    }
    s.wait_for("Session complete");
    s.wait_for("0/2 correct (0%), pass mark 60%");
    s.wait_for("NOT PASSED");
    s.wait_for("Completion record signed");
    s.send("q");
    assert!(s.wait_exit().success());
    let text = std::fs::read_to_string(data.join("training.jsonl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(v["e"]["pass_mark"], 60);
    assert_eq!(
        (v["e"]["correct"].as_u64(), v["e"]["passed"].as_bool()),
        (Some(0), Some(false))
    );
    let o = status(&data, &["--due"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("no passing record"));
}

/// SGR parameters that set a colour (30–49, 90–107): none with NO_COLOR.
#[test]
fn sigterm_mid_session_restores_writes_nothing_and_no_colour_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut s = spawn(&data, &["train", "legal-and-exceptions"]);
    s.wait_for("Question 1 of 3");
    s.send("3");
    s.wait_for("Question 2 of 3");
    assert_eq!(
        colour_sgr(&s.raw()),
        Vec::<String>::new(),
        "NO_COLOR is set"
    );
    let pid = s.child.process_id().unwrap();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    s.wait_exit();
    assert_restored(&s);
    assert!(!data.join("training.jsonl").exists());
}
