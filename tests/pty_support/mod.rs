//! The pseudo-terminal harness shared by the end-to-end TUI tests (portable-pty for the
//! terminal, vt100 to read the screen). A new PTY is 0x0 unless given a size, and ratatui
//! skips unchanged cells with cursor moves, so text is matched on the vt100 screen.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Session {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;

/// Run the real binary in an 80x24 pseudo-terminal with NO_COLOR. With `signer`, a key
/// for that principal is created in `data_dir` first (when there is none).
pub fn spawn_as(
    data_dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    signer: Option<&str>,
) -> Session {
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
    if let Some(principal) = signer
        && !data_dir.join("signing_key").exists()
    {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["key", "init", "--principal", principal])
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
    start(pair, cmd, env)
}

/// An interactive `bash` with job control in the 80x24 pseudo-terminal (for Ctrl-Z and
/// `fg`): type command lines with [`Session::send`]. Its prompt is `$ `.
pub fn spawn_bash(env: &[(&str, &str)]) -> Session {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"]);
    cmd.env("PS1", "$ ");
    start(pair, cmd, env)
}

fn start(pair: portable_pty::PtyPair, mut cmd: CommandBuilder, env: &[(&str, &str)]) -> Session {
    cmd.env("NO_COLOR", "1");
    cmd.env("TERM", "xterm-256color");
    // A UTF-8 locale whatever the test runner has (LANG=C means ASCII on screen).
    cmd.env_remove("LC_ALL");
    cmd.env_remove("LC_CTYPE");
    cmd.env("LANG", "C.UTF-8");
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
    pub fn screen(&self) -> vt100::Parser {
        let nz = |v: u16| std::num::NonZeroU16::new(v).unwrap();
        let mut p = vt100::Parser::new(nz(ROWS), nz(COLS), 0);
        p.process(&self.output.lock().unwrap());
        p
    }

    pub fn wait_for(&self, what: &str) {
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

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
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

    pub fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }
}

pub fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The terminal is back: the alternate screen was left after it was last entered, and
/// the cursor shown again.
pub fn assert_restored(s: &Session) {
    let raw = s.raw();
    let entered = find_last(&raw, b"\x1b[?1049h").expect("entered the alternate screen");
    let left = find_last(&raw, b"\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered, "alternate screen left after it was entered");
    assert!(
        find_last(&raw, b"\x1b[?25h").is_some_and(|p| p > entered),
        "cursor shown again"
    );
    let paste_on = find_last(&raw, b"\x1b[?2004h").expect("bracketed paste enabled");
    assert!(
        find_last(&raw, b"\x1b[?2004l").is_some_and(|p| p > paste_on),
        "bracketed paste disabled again"
    );
    assert!(!s.screen().screen().alternate_screen());
}

/// SGR parameters that set a colour (30–49, 90–107): none with NO_COLOR.
pub fn colour_sgr(raw: &[u8]) -> Vec<String> {
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
