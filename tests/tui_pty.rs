//! End to end: the real binary in a pseudo-terminal (portable-pty, screen via vt100).
//! Approve one item with a reason, quit, and check the terminal was restored and the
//! decision reached the log. Also: SIGTERM restores the terminal; NO_COLOR emits no colour.

use std::path::Path;

mod pty_support;
use pty_support::*;

/// With a queue the TUI records to a production log, signed with the reviewer's key.
fn spawn(data_dir: &Path, args: &[&str]) -> Session {
    spawn_env(data_dir, args, &[])
}

fn spawn_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Session {
    let signer = (args.len() > 1).then_some("reviewer@example.org");
    spawn_as(data_dir, args, env, signer)
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/queue.yaml")
}

#[test]
fn approve_one_item_with_a_reason_then_quit() {
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("queue.yaml");
    std::fs::copy(fixture(), &queue).unwrap();
    let log = dir.path().join("decisions.jsonl");
    let mut s = spawn(
        &dir.path().join("data"),
        &[
            "review",
            queue.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    s.wait_for("decided 0/12");
    s.wait_for("D-0008");
    s.send("a");
    s.wait_for("Approve D-0001");
    // An override (depending on the rules) asks first; `y` is ignored by the reason picker.
    s.send("y");
    s.wait_for("reason (1 of 2)");
    s.send("\r");
    s.wait_for("note (2 of 2)");
    s.send("pty check");
    s.wait_for("> pty check");
    s.send("\r");
    s.wait_for("decided 1/12");
    s.wait_for("Recorded: approve D-0001");
    s.send("q");
    let st = s.wait_exit();
    assert!(st.success(), "exit status {st:?}");
    assert_restored(&s);
    assert!(
        colour_sgr(&s.raw()).is_empty(),
        "colour with NO_COLOR: {:?}",
        colour_sgr(&s.raw())
    );

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .expect("the decision reached the log")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Genesis, then the decision: a signed entry whose body is under `e`.
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["e"]["type"], "genesis");
    assert_eq!(lines[0]["e"]["log_kind"], "production");
    let e = &lines[1]["e"];
    assert_eq!(e["type"], "decision");
    assert_eq!(e["reviewer"], "reviewer@example.org");
    assert_eq!(e["disclosure"], "D-0001");
    assert_eq!(e["decision"], "approve");
    assert_eq!(e["reason_code"], "consent_verified");
    assert_eq!(e["note"], "pty check");
    let qsha = p2review::digest::sha256_hex(&std::fs::read(&queue).unwrap());
    assert_eq!(e["queue"], qsha.as_str());

    // The entry verifies with the data-dir key: `log verify` is clean.
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["log", "verify", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");

    // Resume: a second session shows the decision read back from the log.
    let mut s = spawn(
        &dir.path().join("data"),
        &[
            "review",
            queue.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    s.wait_for("decided 1/12");
    s.wait_for("! approve"); // the DECISION column of D-0001
    s.send("q");
    assert!(s.wait_exit().success());
    assert_restored(&s);
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn(dir.path(), &["review", fixture().to_str().unwrap()]);
    s.wait_for("decided 0/12");
    let pid = s.child.process_id().unwrap();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    s.wait_exit();
    assert_restored(&s);
}

#[test]
fn a_queue_that_does_not_load_restores_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "schema: [").unwrap();
    let mut s = spawn(dir.path(), &["review", bad.to_str().unwrap()]);
    let st = s.wait_exit();
    assert_eq!(st.exit_code(), 2);
    assert_restored(&s);
    let text = s.screen().screen().contents();
    assert!(
        text.contains("p2review: error:") && text.contains("bad.yaml"),
        "{text}"
    );
}

#[test]
fn without_a_queue_the_bundled_sample_opens_in_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn(dir.path(), &["review"]);
    s.wait_for("DEMO");
    s.wait_for("D-0001");
    s.send("a");
    s.wait_for("Approve D-0001");
    s.send("y");
    s.wait_for("reason (1 of 2)");
    // Two Enters in one write: the second is read before the note step is on screen, so
    // it is dropped and nothing is recorded until Enter is pressed again.
    s.send("\r\r");
    s.wait_for("typed ahead");
    assert!(s.screen().screen().contents().contains("decided 0/"));
    // A bracketed paste with newlines only types into the note.
    s.send("\x1b[200~first\rsecond\n\x1b[201~");
    s.wait_for("> first second");
    assert!(s.screen().screen().contents().contains("decided 0/"));
    s.send("\r");
    s.wait_for("decided 1/");
    s.send("q");
    assert!(s.wait_exit().success());
    assert_restored(&s);
    let demo =
        std::fs::read_to_string(dir.path().join("demo-decisions.jsonl")).expect("demo log written");
    assert!(demo.contains("\"disclosure\":\"D-0001\""));
    assert!(
        !dir.path().join("decisions.jsonl").exists(),
        "the production log is untouched"
    );
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn_env(
        dir.path(),
        &["review", fixture().to_str().unwrap()],
        &[("P2REVIEW_TEST_PANIC_KEY", "1"), ("RUST_BACKTRACE", "0")],
    );
    s.wait_for("decided 0/12");
    s.send("P");
    let st = s.wait_exit();
    assert!(!st.success());
    assert_restored(&s);
    // The report was written after leaving the alternate screen, so it is readable.
    let raw = s.raw();
    let left = find_last(&raw, b"\x1b[?1049l").unwrap();
    let report = String::from_utf8_lossy(&raw[left..]);
    assert!(report.contains("test panic requested"), "{report}");
    assert!(
        s.screen()
            .screen()
            .contents()
            .contains("test panic requested")
    );
}

#[test]
fn review_without_a_terminal_says_what_to_use_instead() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .args(["review", fixture().to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs an interactive terminal") && err.contains("p2review decide"),
        "{err}"
    );
}

/// `log review` (supervisor TUI) over a real log: list, summary, quit; terminal restored.
#[test]
fn log_review_shows_verified_entries_and_summary_then_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(data)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
    };
    run(&["key", "init", "--principal", "reviewer@example.org"]);
    let q = fixture();
    let q = q.to_str().unwrap();
    run(&[
        "decide",
        q,
        "--id",
        "D-0001",
        "--decision",
        "escalate",
        "--reason-code",
        "needs_privacy_officer",
    ]);
    let mut s = spawn(data, &["log", "review"]);
    s.wait_for("READ-ONLY");
    s.wait_for("escalate");
    s.wait_for("verified");
    s.send("\t");
    s.wait_for("Escalations still open: 1");
    s.send("q");
    let st = s.wait_exit();
    assert!(st.success(), "{st:?}");
    assert_restored(&s);
    assert!(colour_sgr(&s.raw()).is_empty(), "NO_COLOR: no colour");
    // Without a terminal it says what to use instead.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .args(["log", "review"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("log show"));
}

#[test]
fn log_review_restores_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn(dir.path(), &["log", "review"]);
    s.wait_for("No decision entries");
    let pid = s.child.process_id().unwrap();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    s.wait_exit();
    assert_restored(&s);
}

/// A loader thread that panics ends `log review` with an error (exit 2, terminal
/// restored) instead of leaving the progress screen up forever.
#[test]
fn log_review_loader_panic_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn_env(
        dir.path(),
        &["log", "review"],
        &[("P2REVIEW_TEST_PANIC_LOADER", "1"), ("RUST_BACKTRACE", "0")],
    );
    let st = s.wait_exit();
    assert_eq!(st.exit_code(), 2, "{st:?}");
    assert_restored(&s);
    let raw = s.raw();
    let left = find_last(&raw, b"\x1b[?1049l").unwrap();
    let report = String::from_utf8_lossy(&raw[left..]);
    assert!(report.contains("internal error"), "{report}");
}

/// The panic report honours `--no-color` on a terminal and has no colour on a pipe.
#[test]
fn panic_report_has_no_colour_with_no_color_or_on_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["log", "verify"])
        .env("P2REVIEW_TEST_PANIC_AT_START", "1")
        .env("RUST_BACKTRACE", "0")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("test panic requested"), "{err}");
    assert!(!err.contains('\x1b'), "no escapes on a pipe: {err:?}");
    // On a terminal with `--no-color` (and NO_COLOR empty, i.e. unset for colour crates).
    let mut s = spawn_env(
        dir.path(),
        &["--no-color", "log", "verify"],
        &[
            ("P2REVIEW_TEST_PANIC_AT_START", "1"),
            ("RUST_BACKTRACE", "0"),
            ("NO_COLOR", ""),
        ],
    );
    let st = s.wait_exit();
    assert!(!st.success());
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(raw.contains("test panic requested"), "{raw}");
    assert!(colour_sgr(raw.as_bytes()).is_empty(), "{raw:?}");
    assert!(!raw.contains("\x1b["), "{raw:?}");
}

/// A locale or terminal that cannot show UTF-8 gets plain ASCII, overlays included.
#[test]
fn lang_c_and_old_terminals_fall_back_to_ascii() {
    for env in [
        [("LANG", "C"), ("TERM", "xterm")],
        [("LANG", "C.UTF-8"), ("TERM", "vt100")],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = spawn_env(dir.path(), &["review"], &env);
        s.wait_for("D-0001");
        s.wait_for("> D-0001");
        s.send("?");
        s.wait_for("Esc closes - Up/Down scroll");
        let text = s.screen().screen().contents();
        assert!(text.is_ascii(), "{env:?}:\n{text}");
        s.send("q");
        s.send("q");
        assert!(s.wait_exit().success());
    }
}

/// The row the selection marker is on.
fn selected_line(s: &Session) -> String {
    let text = s.screen().screen().contents();
    text.lines()
        .find(|l| l.starts_with('▶'))
        .unwrap_or_default()
        .to_owned()
}

/// Ctrl-Z under a shell with job control: the terminal is given back (alternate screen
/// left, bracketed paste and mouse off) and the job stops; `fg` redraws the screen and the
/// keys work again.
#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A key first, so the review session can open.
    let _ = spawn_as(&data, &["key", "show"], &[], Some("reviewer@example.org")).wait_exit();
    // Readline's own bracketed paste would blur what the checks below look for.
    let inputrc = dir.path().join("inputrc");
    std::fs::write(&inputrc, "set enable-bracketed-paste off\n").unwrap();
    let mut s = spawn_bash(&[("INPUTRC", inputrc.to_str().unwrap())]);
    s.wait_for("$ ");
    s.send(&format!(
        "{} --data-dir {} review {}\r",
        env!("CARGO_BIN_EXE_p2review"),
        data.display(),
        fixture().display()
    ));
    s.wait_for("decided 0/12");
    assert!(s.screen().screen().alternate_screen());
    s.send("\x1a");
    s.wait_for("Stopped");
    assert_restored(&s);
    let raw = s.raw();
    let mouse_on = find_last(&raw, b"\x1b[?1000h").expect("mouse captured");
    assert!(find_last(&raw, b"\x1b[?1000l").is_some_and(|p| p > mouse_on));
    s.send("fg\r");
    let start = std::time::Instant::now();
    while !s.screen().screen().alternate_screen() {
        assert!(start.elapsed().as_secs() < 15, "fg did not re-enter");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    s.wait_for("decided 0/12");
    s.send("j");
    let start = std::time::Instant::now();
    while !selected_line(&s).contains("D-0002") {
        assert!(start.elapsed().as_secs() < 15, "keys dead after fg");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    s.send("q");
    let start = std::time::Instant::now();
    while s.screen().screen().alternate_screen() {
        assert!(start.elapsed().as_secs() < 15, "q did not quit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_restored(&s);
    s.send("exit\r");
    s.wait_exit();
}

/// The wheel moves the selection and a click selects the row under it (SGR mouse
/// reports, as xterm sends them). With `--no-mouse` nothing is captured.
#[test]
fn wheel_and_click_select_rows_and_no_mouse_leaves_the_mouse_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spawn(dir.path(), &["review", fixture().to_str().unwrap()]);
    s.wait_for("decided 0/12");
    assert!(selected_line(&s).contains("D-0001"));
    // Wheel down twice over the list (column 10, row 5; 1-based).
    s.send("\x1b[<65;10;5M\x1b[<65;10;5M");
    s.wait_for("D-0003");
    let start = std::time::Instant::now();
    while !selected_line(&s).contains("D-0003") {
        assert!(start.elapsed().as_secs() < 15, "{}", selected_line(&s));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Click the first data row (screen row 3, 1-based: header, column titles, row).
    s.send("\x1b[<0;10;3M\x1b[<0;10;3m");
    let start = std::time::Instant::now();
    while !selected_line(&s).contains("D-0001") {
        assert!(start.elapsed().as_secs() < 15, "{}", selected_line(&s));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    s.send("q");
    s.wait_exit();
    assert_restored(&s);

    let mut s = spawn(
        dir.path(),
        &["review", fixture().to_str().unwrap(), "--no-mouse"],
    );
    s.wait_for("decided 0/12");
    s.send("q");
    s.wait_exit();
    assert!(find_last(&s.raw(), b"\x1b[?1000h").is_none());
    // The same from the environment (`P2REVIEW_NO_MOUSE=1`).
    let mut s = spawn_env(
        dir.path(),
        &["review", fixture().to_str().unwrap()],
        &[("P2REVIEW_NO_MOUSE", "1")],
    );
    s.wait_for("decided 0/12");
    s.send("q");
    assert!(s.wait_exit().success());
    assert!(find_last(&s.raw(), b"\x1b[?1000h").is_none());
}

/// Two windows of one reviewer on one log (issue 13 item 5): the second is told the log is
/// open elsewhere; a decision recorded by another process (`decide`) shows in the first
/// within 2 s; a repeat without `--supersedes` is refused, naming the entry.
#[test]
fn a_decision_recorded_elsewhere_shows_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("queue.yaml");
    std::fs::copy(fixture(), &queue).unwrap();
    let log = dir.path().join("decisions.jsonl");
    let data = dir.path().join("data");
    let args = [
        "review",
        queue.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ];
    let mut first = spawn(&data, &args);
    first.wait_for("decided 0/12");
    let mut second = spawn(&data, &args);
    second.wait_for("also open in another window");
    second.send("q");
    second.wait_exit();
    let decide = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(&data)
            .args(["decide", "--id", "D-0002", "--decision", "defer", "--log"])
            .arg(&log)
            .arg(&queue)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = decide(&[]);
    assert!(o.status.success(), "{o:?}");
    let t = std::time::Instant::now();
    first.wait_for("decided 1/12");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "shown after {:?}",
        t.elapsed()
    );
    let entry = String::from_utf8_lossy(&o.stdout)
        .split("entry=")
        .nth(1)
        .unwrap()[..64]
        .to_owned();
    let o = decide(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains(&format!("supersede with --supersedes {entry}")),
        "{o:?}"
    );
    assert!(decide(&["--supersedes", &entry]).status.success());
    first.send("q");
    assert!(first.wait_exit().success());
}
