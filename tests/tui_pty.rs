//! End to end: the real binary in a pseudo-terminal (portable-pty, screen via vt100).
//! Approve one item with a reason, quit, and check the terminal was restored and the
//! decision reached the log. Also: SIGTERM restores the terminal; NO_COLOR emits no colour.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

const ROWS: u16 = 24;
const COLS: u16 = 80;

fn spawn(data_dir: &Path, args: &[&str]) -> Session {
    spawn_env(data_dir, args, &[])
}

fn spawn_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Session {
    let pty = native_pty_system();
    // A new PTY is 0x0 unless given a size.
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    // With a queue the TUI records to a production log, signed with the reviewer's key.
    if args.len() > 1 && !data_dir.join("signing_key").exists() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["key", "init", "--principal", "reviewer@example.org"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_p2review"));
    cmd.arg("--data-dir");
    cmd.arg(data_dir);
    for a in args {
        cmd.arg(a);
    }
    cmd.env("NO_COLOR", "1");
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).expect("spawn p2review");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let output = Arc::new(Mutex::new(Vec::new()));
    let out = output.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let writer = pair.master.take_writer().unwrap();
    Session {
        child,
        writer,
        output,
        _master: pair.master,
    }
}

impl Session {
    fn screen(&self) -> vt100::Parser {
        let nz = |v: u16| std::num::NonZeroU16::new(v).unwrap();
        let mut p = vt100::Parser::new(nz(ROWS), nz(COLS), 0);
        p.process(&self.output.lock().unwrap());
        p
    }

    fn wait_for(&self, what: &str) {
        let start = Instant::now();
        loop {
            let text = self.screen().screen().contents();
            if text.contains(what) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                // Let the reader drain the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return st;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "p2review did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The terminal is back: the alternate screen was left after it was last entered, and
/// the cursor shown again.
fn assert_restored(s: &Session) {
    let raw = s.raw();
    let entered = find_last(&raw, b"\x1b[?1049h").expect("entered the alternate screen");
    let left = find_last(&raw, b"\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered, "alternate screen left after it was entered");
    assert!(
        find_last(&raw, b"\x1b[?25h").is_some_and(|p| p > entered),
        "cursor shown again"
    );
    assert!(!s.screen().screen().alternate_screen());
}

/// SGR parameters that set a colour (30–49, 90–107): none with NO_COLOR.
fn colour_sgr(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut bad = Vec::new();
    for part in text.split("\x1b[").skip(1) {
        let Some(end) = part.find(|c: char| c.is_ascii_alphabetic()) else {
            continue;
        };
        if &part[end..end + 1] != "m" {
            continue;
        }
        for p in part[..end].split(';') {
            if let Ok(n) = p.parse::<u32>()
                && ((30..=49).contains(&n) && n != 39 && n != 49 || (90..=107).contains(&n))
            {
                bad.push(part[..end].to_owned());
            }
        }
    }
    bad
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
    s.send("\r\r");
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
