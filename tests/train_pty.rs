//! End to end: `p2review train` on a two-scenario pack in a pseudo-terminal (portable-pty,
//! screen via vt100), answering every question; the terminal is restored, the completion
//! record is in the training log, and `train status` shows the trainee current. Quitting
//! early writes nothing.

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
    // The trainee signs their own completion record.
    if !data_dir.join("signing_key").exists() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["key", "init", "--principal", "trainee@example.org"])
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
    s.send("q");
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
    let mut s = {
        // spawn() creates a key; here there must be none.
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_p2review"));
        cmd.arg("--data-dir");
        cmd.arg(&data);
        cmd.arg("train");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let out = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            child,
            writer: pair.master.take_writer().unwrap(),
            output,
            _master: pair.master,
        }
    };
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
