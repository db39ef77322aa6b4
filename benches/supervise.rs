//! Supervisor review at scale (issue 5), a plain bench binary: `cargo bench --bench
//! supervise`. Generates N decision entries across 10 logs (10 reviewer keys), signed for
//! real, cached under `target/supervise-bench/<N>/` (signing is the slow part), then in a
//! fresh child process (so peak RSS is the load's alone) measures:
//!
//! - `load_logs`: every line streamed through the real verifier (parallel per-line
//!   checks), decision records kept, findings attached: what `log show` and `log review`
//!   do before showing anything;
//! - the review TUI on the result: building the app, text-filter keystrokes (`P-00` typed
//!   one character at a time, then a backspace: median and slowest of the five), the
//!   summary of every record (computed afresh five times: median and slowest), one 80x24
//!   frame;
//! - peak RSS (`VmHWM`) after all of it;
//! - `read_only_s`: every line read into a record the lenient way (parse, interning, line
//!   hash) with no verification: what the load spent on top of the verifier before it took
//!   the verifier's parsed entries (it now does this only for lines that fail their checks).
//!
//! - in another child, the supervisor's own share alone (`SUPERVISOR` line): lines checked
//!   beforehand (all but the signature, not counted) replayed into
//!   `supervise::load_logs_with`; CPU seconds per line (`line_cpu_s`) and after the last
//!   line (`tail_cpu_s`: merge, supersession, findings).
//!
//! `P2REVIEW_BENCH_SUP_ENTRIES` (default 200000) sets N; `P2REVIEW_BENCH_RUNS` (default 3).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ed25519_dalek::SigningKey;
use p2review::log::canonical::to_canonical;
use p2review::log::entry::{Body, DecisionFields, Entry, LogKind};
use p2review::log::trust::Trust;
use p2review::log::verify::VerifyOptions;
use p2review::log::{Signer, line};

const LOGS: usize = 10;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn signers() -> Vec<Signer> {
    (1..=LOGS as u8)
        .map(|i| {
            Signer::from_signing_key(
                SigningKey::from_bytes(&[i; 32]),
                &format!("reviewer{i}@clinic.example"),
            )
            .unwrap()
        })
        .collect()
}

fn decision(i: u64) -> Body {
    use p2review::decision::{Decision, ReasonCode};
    use p2review::engine::{ConsentStatus, HipaaStatus, Part2Status, PolicyRef, PolicyRefs};
    let pref = PolicyRef {
        id: "part2-core".into(),
        version: "2024.1".into(),
        sha256: p2review::digest::sha256_hex(b"policy").into(),
    };
    // A realistic mix: mostly approvals, some denials, escalations and deferrals.
    let (decision, reason) = match i % 20 {
        0..=13 => (Decision::Approve, Some(ReasonCode::ConsentVerified)),
        14..=16 => (Decision::Deny, Some(ReasonCode::ConsentMissing)),
        17..=18 => (Decision::Escalate, Some(ReasonCode::NeedsPrivacyOfficer)),
        _ => (Decision::Defer, Some(ReasonCode::AwaitingDocuments)),
    };
    Body::Decision(Box::new(DecisionFields {
        queue: p2review::digest::sha256_hex(b"queue"),
        disclosure: format!("D-{i:07}"),
        disclosure_sha256: p2review::digest::sha256_hex(&i.to_le_bytes()),
        subject: format!("P-{:05}", i % 50_000),
        recipient_kind: "health_plan".into(),
        recipient_name: "Pinecrest Health Plan".into(),
        purpose: "payment".into(),
        as_of: "2026-11-28".into(),
        consent: Some(format!("C-{:05}", i % 50_000)),
        consent_status: ConsentStatus::Valid,
        part2: Part2Status::PermittedWithNotice,
        hipaa: HipaaStatus::PermittedTpo,
        rule: "A12".into(),
        unsettled: false,
        policy: PolicyRefs {
            part2: pref.clone(),
            hipaa: pref,
        },
        decision,
        reason_code: reason,
        note: Some("checked against the form on file".into()),
        override_: false,
        supersedes: None,
        second_required: false,
    }))
}

/// Write one log of `n` decisions (plus genesis) by `signer`, streaming to disk.
fn write_log(path: &Path, log_no: usize, n: usize, signer: &Signer) {
    let log_id = format!("{log_no:032x}");
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    let mut prev = [0u8; 32];
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc();
    for i in 0..=n as u64 {
        let body = if i == 0 {
            Body::Genesis {
                log_kind: LogKind::Production,
                created_by: signer.principal().into(),
            }
        } else {
            decision(i * LOGS as u64 + log_no as u64)
        };
        let e = Entry {
            log: log_id.clone(),
            seq: i,
            prev: data_encoding::HEXLOWER.encode(&prev),
            // Logs interleave in time (the merge has work to do), ~300 days in all.
            ts: (t0
                + chrono::Duration::milliseconds(
                    (i as i64) * 26_000_000 / n as i64 * 1000 + log_no as i64,
                ))
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
            reviewer: signer.principal().into(),
            key: signer.fingerprint().into(),
            body,
        };
        let b = to_canonical(&e.to_value()).unwrap();
        let l = line::frame(&b, &signer.sign(p2review::log::NS_DECISION, b.as_bytes()));
        prev = line::line_hash(&l[..l.len() - 1]);
        out.write_all(&l).unwrap();
    }
    out.flush().unwrap();
}

fn cache(n: usize) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/supervise-bench/{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    let s = signers();
    let per = n / LOGS;
    let paths: Vec<PathBuf> = (0..LOGS)
        .map(|k| dir.join(format!("log{k}.jsonl")))
        .collect();
    let done = dir.join("complete");
    if !done.exists() {
        let t = Instant::now();
        std::thread::scope(|sc| {
            for (k, p) in paths.iter().enumerate() {
                let s = &s[k];
                sc.spawn(move || write_log(p, k, per, s));
            }
        });
        std::fs::write(&done, b"").unwrap();
        eprintln!(
            "generated {n} entries in {LOGS} logs in {:.1} s (cached in {})",
            t.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    paths
}

/// CPU seconds (user + system) this process has used so far, from `/proc/self/stat`
/// (clock ticks of 10 ms): unlike wall time, it does not grow when other work shares the
/// cores.
fn cpu_s() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (tick(11) + tick(12)) / 100.0
}

fn vm_hwm_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One measured run in this (child) process; prints one `RESULT` line.
fn measure(paths: &[PathBuf]) {
    use p2review::tui::Look;
    use p2review::tui::keymap::Key;
    use p2review::tui::supervisor::keymap::lookup;
    use p2review::tui::supervisor::{SupApp, update, view};
    fn press(app: &mut SupApp, k: Key) {
        let a = lookup(app.context(), k).unwrap();
        update(app, a);
    }
    let s = signers();
    let opts = VerifyOptions {
        trust: Trust::Local {
            keys: s
                .iter()
                .map(|k| (k.principal().to_owned(), *k.public_key()))
                .collect(),
            demo: None,
        },
        checkpoints: vec![],
        heads_dir: None,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let t = Instant::now();
    let c = cpu_s();
    let loaded = p2review::supervise::load_logs(paths, &opts, &[], threads);
    let load = t.elapsed().as_secs_f64();
    let load_cpu = cpu_s() - c;
    let n = loaded.records.len();
    assert!(loaded.records.iter().all(|r| r.verification.ok()));
    assert!(loaded.logs.iter().all(|l| l.result == "ok"));
    let rss_load = vm_hwm_mb();
    let look = Look {
        color: false,
        ascii: false,
    };
    let t = Instant::now();
    let mut app = SupApp::new(loaded, look, (80, 24));
    let open = t.elapsed().as_secs_f64();
    // Filter keystrokes: typing `P-00` (each extends the needle: incremental), then a
    // backspace (a wider needle: all records again). Each one timed.
    press(&mut app, Key::Char('/'));
    let mut keys = Vec::new();
    for c in ['P', '-', '0', '0'] {
        let t = Instant::now();
        press(&mut app, Key::Char(c));
        keys.push(t.elapsed().as_secs_f64());
    }
    let shown = app.visible.len();
    let t = Instant::now();
    press(&mut app, Key::Backspace);
    let backspace = t.elapsed().as_secs_f64();
    keys.push(backspace);
    press(&mut app, Key::Esc);
    keys.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let keystroke = keys[keys.len() / 2];
    let keystroke_max = keys[keys.len() - 1];
    // The summary over every record, computed afresh 5 times.
    press(&mut app, Key::Tab);
    let mut sums = Vec::new();
    for _ in 0..5 {
        app.summary = None;
        let t = Instant::now();
        app.ensure_summary();
        sums.push(t.elapsed().as_secs_f64());
    }
    sums.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let summary = sums[sums.len() / 2];
    let summary_max = sums[sums.len() - 1];
    let t = Instant::now();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    term.draw(|f| view(&app, f)).unwrap();
    let frame = t.elapsed().as_secs_f64();
    let rss_peak = vm_hwm_mb();
    // The supervisor's own share of the load, without signature verification: every line
    // read leniently into a record (parse, intern, line hash), after the RSS reading.
    let t = Instant::now();
    let c = cpu_s();
    let mut rows = 0usize;
    for p in paths {
        let data = std::fs::read(p).unwrap();
        for l in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if p2review::supervise::lenient::read_line(l).is_some() {
                let _ = p2review::log::line::line_hash(l);
                rows += 1;
            }
        }
    }
    let read = t.elapsed().as_secs_f64();
    let read_cpu = cpu_s() - c;
    assert_eq!(rows, n);
    let load_avg = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    println!(
        "RESULT n={n} loadavg={load_avg} load_s={load:.3} load_cpu_s={load_cpu:.2} open_s={open:.3} keystroke_s={keystroke:.4} keystroke_max_s={keystroke_max:.4} backspace_s={backspace:.4} shown_after_P-00={shown} summary_s={summary:.4} summary_max_s={summary_max:.4} frame_s={frame:.4} read_only_s={read:.3} read_only_cpu_s={read_cpu:.2} rss_load_mb={rss_load:.0} rss_peak_mb={rss_peak:.0}"
    );
}

/// The supervisor's own share of a load alone, in this (child) process: each log's lines
/// are first checked the verifier's way but for the signature (`LineChecker::prepare`,
/// not timed as the supervisor's), then replayed into `supervise::load_logs_with` as the
/// verifier hands them over. Prints one `SUPERVISOR` line: CPU seconds of the per-line
/// callback (`line_cpu_s`), of everything after the last line (`tail_cpu_s`: merge,
/// supersession, findings) and their sum (`sup_cpu_s`), with the peak RSS.
fn measure_supervisor(paths: &[PathBuf]) {
    use p2review::log::line::LineChecker;
    use p2review::log::verify::LogReport;
    let (mut prep_cpu, mut line_cpu) = (0.0, 0.0);
    let t = Instant::now();
    let c = cpu_s();
    let loaded = p2review::supervise::load_logs_with(
        paths,
        &[],
        &|_| true,
        &mut |_| {},
        &mut |path, each| {
            let c = cpu_s();
            let data = std::fs::read(path).unwrap();
            let mut checker = LineChecker::new();
            let lines: Vec<(&[u8], _)> = data
                .split_inclusive(|&b| b == b'\n')
                .map(|p| (p, checker.prepare(&p[..p.len() - 1]).unwrap().good))
                .collect();
            let log_id = lines.first().map(|(_, g)| g.entry.log.clone());
            let c2 = cpu_s();
            prep_cpu += c2 - c;
            for (n, (p, g)) in lines.iter().enumerate() {
                each(n as u64 + 1, p, Some(g));
            }
            let c3 = cpu_s();
            line_cpu += c3 - c2;
            // Freeing the checked lines is the verifier's cost, not the supervisor's.
            let entries = lines.len() as u64;
            drop(lines);
            drop(data);
            prep_cpu += cpu_s() - c3;
            Ok(LogReport {
                findings: vec![],
                log_id,
                kind: None,
                entries,
                last_hash: None,
                signers: 1,
                anchored: false,
            })
        },
    );
    let wall = t.elapsed().as_secs_f64();
    let sup_cpu = cpu_s() - c - prep_cpu;
    let tail_cpu = sup_cpu - line_cpu;
    let n = loaded.records.len();
    let rss = vm_hwm_mb();
    let load_avg = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    println!(
        "SUPERVISOR n={n} loadavg={load_avg} sup_cpu_s={sup_cpu:.2} line_cpu_s={line_cpu:.2} tail_cpu_s={tail_cpu:.2} prep_cpu_s={prep_cpu:.2} wall_with_prep_s={wall:.2} rss_mb={rss:.0}"
    );
}

fn field(line: &str, k: &str) -> f64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{k}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let n = env_usize("P2REVIEW_BENCH_SUP_ENTRIES", 200_000);
    let paths = cache(n);
    if args.iter().any(|a| a == "--measure") {
        measure(&paths);
        return;
    }
    if args.iter().any(|a| a == "--supervisor") {
        measure_supervisor(&paths);
        return;
    }
    let runs = env_usize("P2REVIEW_BENCH_RUNS", 3);
    let exe = std::env::current_exe().unwrap();
    let mut lines = Vec::new();
    for _ in 0..runs {
        // The whole load, then the supervisor's share alone (interleaved, same load).
        let mut l = String::new();
        for (mode, tag) in [("--measure", "RESULT"), ("--supervisor", "SUPERVISOR")] {
            let o = std::process::Command::new(&exe).arg(mode).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let found = text.lines().find(|l| l.starts_with(tag)).unwrap();
            println!("{found}");
            l.push_str(found);
            l.push(' ');
        }
        lines.push(l);
    }
    for k in [
        "load_s",
        "load_cpu_s",
        "read_only_s",
        "read_only_cpu_s",
        "open_s",
        "keystroke_s",
        "keystroke_max_s",
        "backspace_s",
        "summary_s",
        "summary_max_s",
        "rss_load_mb",
        "frame_s",
        "rss_peak_mb",
        "sup_cpu_s",
        "line_cpu_s",
        "tail_cpu_s",
    ] {
        let mut v: Vec<f64> = lines.iter().map(|l| field(l, k)).collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{k}: median {:.3} (min {:.3}, max {:.3}) over {runs} runs",
            v[v.len() / 2],
            v[0],
            v[v.len() - 1]
        );
    }
    // The CLI end to end: `log show --format csv` over the same logs.
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/p2review");
    if cli.exists() {
        let allowed = paths[0].parent().unwrap().join("allowed_signers");
        let mut f = std::fs::File::create(&allowed).unwrap();
        for k in signers() {
            writeln!(f, "{}", k.allowed_signers_line()).unwrap();
        }
        let data = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let o = std::process::Command::new(&cli)
            .arg("--data-dir")
            .arg(data.path())
            .args([
                "log",
                "show",
                "--format",
                "csv",
                "--decision",
                "escalate",
                "--allowed-signers",
            ])
            .arg(&allowed)
            .args(&paths)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        println!(
            "cli log show --decision escalate --format csv: exit {:?}, {:.2} s",
            o.code(),
            t.elapsed().as_secs_f64()
        );
    }
}
