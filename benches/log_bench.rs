//! Signed-log benchmarks (BENCHMARKS.md#signed-log), a plain bench binary (runs of several seconds do not
//! suit criterion's sampling): `cargo bench --bench log_bench`.
//!
//! 1. `log verify` of a 100,000-entry log from 8 signers: `--strict` (one thread), the
//!    default mode (all cores, exact batches: docs/signed-log.md#batch-verification) and
//!    the strict mode on all cores (`verify_strict` each), in-process and through the release CLI,
//!    against raw ed25519-dalek `verify_strict` on messages of the same size (one thread) and
//!    `openssl speed -seconds 10 ed25519` verify/s (one process), all in the same run.
//! 2. Durable append p50/p99 (lock + tail check + sign + write + fdatasync; head file
//!    excluded) against a bare `write` + `fdatasync` of the same bytes.
//!
//! `P2REVIEW_BENCH_ENTRIES` / `P2REVIEW_BENCH_APPENDS` / `P2REVIEW_BENCH_RUNS` shrink the
//! runs for a quick look. `P2REVIEW_BENCH_KEEP=DIR` only writes the log (`DIR/bench.jsonl`)
//! and its `DIR/allowed_signers`, and stops: a file to profile `p2review log verify` on.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

use ed25519_dalek::{Signer as _, SigningKey};
use p2review::log::batch::SigMode;
use p2review::log::canonical::to_canonical;
use p2review::log::entry::{Body, Entry, LogKind};
use p2review::log::trust::Trust;
use p2review::log::verify::{VerifyOptions, verify_file, verify_file_blocks};
use p2review::log::{Signer, line};

#[path = "support/decision_body.rs"]
mod decision_body;
use decision_body::decision;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn signers() -> Vec<Signer> {
    (1..=8u8)
        .map(|i| {
            Signer::from_signing_key(
                SigningKey::from_bytes(&[i; 32]),
                &format!("reviewer{i}@clinic.example"),
            )
            .unwrap()
        })
        .collect()
}

/// Build an n-entry chained log (genesis + decisions, signers taking turns) in memory.
/// Returns the bytes and the body sizes.
fn build(n: usize, s: &[Signer]) -> (Vec<u8>, Vec<usize>) {
    let log_id = "5a1b2c3d4e5f60718293a4b5c6d7e8f9".to_owned();
    let mut out = Vec::with_capacity(n * 1300);
    let mut prev = [0u8; 32];
    let mut sizes = Vec::with_capacity(n);
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc();
    for i in 0..n as u64 {
        let signer = &s[i as usize % s.len()];
        let body = if i == 0 {
            Body::Genesis {
                log_kind: LogKind::Production,
                created_by: signer.principal().into(),
            }
        } else {
            decision(i)
        };
        let e = Entry {
            log: log_id.clone(),
            seq: i,
            prev: data_encoding::HEXLOWER.encode(&prev),
            ts: (t0 + chrono::Duration::seconds(i as i64 * 20))
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            reviewer: signer.principal().into(),
            key: signer.fingerprint().into(),
            body,
        };
        let b = to_canonical(&e.to_value()).unwrap();
        sizes.push(b.len());
        let l = line::frame(&b, &signer.sign(p2review::log::NS_DECISION, b.as_bytes()));
        prev = line::line_hash(&l[..l.len() - 1]);
        out.extend_from_slice(&l);
    }
    (out, sizes)
}

/// The 1-minute load average (other work on the machine moves every figure).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `openssl speed -seconds 10 ed25519` verify/s: the last field of its `Ed25519` line.
fn openssl_verify_per_s() -> Option<f64> {
    let o = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "10", "ed25519"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text.lines().find(|l| l.contains("Ed25519"))?;
    line.split_whitespace().last()?.parse().ok()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if std::env::var("P2REVIEW_BENCH_ONLY").as_deref() == Ok("append") {
        println!("load average at start: {}", loadavg());
        append_series(&signers()[0]);
        return;
    }
    let n = env_usize("P2REVIEW_BENCH_ENTRIES", 100_000);
    let runs = env_usize("P2REVIEW_BENCH_RUNS", 5);
    println!("load average at start: {}", loadavg());
    let s = signers();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bench.jsonl");
    let t = Instant::now();
    let (bytes, sizes) = build(n, &s);
    std::fs::write(&log, &bytes).unwrap();
    let avg_body = sizes.iter().sum::<usize>() / sizes.len();
    println!(
        "built {n} entries from 8 signers ({} MB, mean body {avg_body} B, mean line {} B) in {:.1} s",
        bytes.len() / 1_000_000,
        bytes.len() / n,
        t.elapsed().as_secs_f64()
    );

    // 1. Verification, every series interleaved run by run so all see the same load.
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
    if let Ok(keep) = std::env::var("P2REVIEW_BENCH_KEEP") {
        let keep = Path::new(&keep);
        std::fs::create_dir_all(keep).unwrap();
        std::fs::write(keep.join("bench.jsonl"), &bytes).unwrap();
        let mut f = std::fs::File::create(keep.join("allowed_signers")).unwrap();
        for k in &s {
            writeln!(f, "{}", k.allowed_signers_line()).unwrap();
        }
        println!("wrote {}/bench.jsonl and allowed_signers", keep.display());
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let allowed = dir.path().join("allowed_signers");
    let mut f = std::fs::File::create(&allowed).unwrap();
    for k in &s {
        writeln!(f, "{}", k.allowed_signers_line()).unwrap();
    }
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/p2review");
    let cli_run = |strict: bool| {
        let t = Instant::now();
        let mut c = std::process::Command::new(&exe);
        c.arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["log", "verify", "--allowed-signers"])
            .arg(&allowed)
            .arg(&log);
        if strict {
            c.arg("--strict");
        }
        let o = c.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        n as f64 / t.elapsed().as_secs_f64()
    };
    // Raw verify_strict on messages of the same sizes, 8 keys, one thread.
    let keys: Vec<SigningKey> = (1..=8u8)
        .map(|i| SigningKey::from_bytes(&[i; 32]))
        .collect();
    let vks: Vec<_> = keys.iter().map(|k| k.verifying_key()).collect();
    let msgs: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &sz)| (0..sz).map(|j| (i * 31 + j) as u8).collect())
        .collect();
    let sigs: Vec<_> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| keys[i % 8].sign(m))
        .collect();
    let verify = |mode: SigMode, t: usize| {
        let start = Instant::now();
        let r = verify_file_blocks(&log, &opts, t, mode, &mut |_, _, _| {})
            .map_err(|e| e.0)
            .unwrap();
        assert!(r.findings.is_empty() && r.entries == n as u64);
        n as f64 / start.elapsed().as_secs_f64()
    };
    let (mut strict1, mut batch_all, mut strict_all, mut batch1, mut raw, mut cli, mut cli_strict) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut strict_blocks1, mut halving, mut torsion_free) = (vec![], vec![], vec![]);
    // The prime-order test on each signature's R: point halving (src/log/subgroup.rs)
    // against curve25519-dalek's decompress + [ℓ]R, one thread.
    let rs: Vec<[u8; 32]> = sigs.iter().map(|s| s.r_bytes().to_owned()).collect();
    let subgroup_run = |halve: bool| {
        let t = Instant::now();
        for r in &rs {
            let ok = if halve {
                p2review::log::subgroup::has_prime_order(r)
            } else {
                curve25519_dalek::edwards::CompressedEdwardsY(*r)
                    .decompress()
                    .is_some_and(|p| !p.is_small_order() && p.is_torsion_free())
            };
            assert!(ok);
        }
        rs.len() as f64 / t.elapsed().as_secs_f64()
    };
    let mut openssl = Vec::new();
    for run in 0..runs {
        let t = Instant::now();
        let r = verify_file(&log, &opts).map_err(|e| e.0).unwrap();
        strict1.push(n as f64 / t.elapsed().as_secs_f64());
        assert!(r.findings.is_empty() && r.entries == n as u64);
        batch_all.push(verify(SigMode::Batch, threads));
        strict_all.push(verify(SigMode::Strict, threads));
        batch1.push(verify(SigMode::Batch, 1));
        strict_blocks1.push(verify(SigMode::Strict, 1));
        halving.push(subgroup_run(true));
        torsion_free.push(subgroup_run(false));
        let t = Instant::now();
        for (i, m) in msgs.iter().enumerate() {
            assert!(vks[i % 8].verify_strict(m, &sigs[i]).is_ok());
        }
        raw.push(n as f64 / t.elapsed().as_secs_f64());
        if exe.exists() {
            cli.push(cli_run(false));
            cli_strict.push(cli_run(true));
        }
        // openssl's 10-second run is the slowest series: every other run only.
        if run % 2 == 0
            && let Some(o) = openssl_verify_per_s()
        {
            openssl.push(o);
        }
    }
    let stat = |v: &[f64]| {
        format!(
            "median {:.0}/s (range {:.0}–{:.0}, {} runs)",
            median(&mut v.to_vec()),
            v.iter().cloned().fold(f64::MAX, f64::min),
            v.iter().cloned().fold(0.0, f64::max),
            v.len()
        )
    };
    let m = |v: &[f64]| median(&mut v.to_vec());
    println!("load average before/after: {}", loadavg());
    println!(
        "log verify --strict (in-process verify_file, 1 thread, verify_strict each): {}",
        stat(&strict1)
    );
    println!(
        "strict mode (verify_strict each), in-process, {threads} threads: {}",
        stat(&strict_all)
    );
    println!(
        "log verify default (exact batches, SigMode::Batch), in-process, {threads} threads: {}",
        stat(&batch_all)
    );
    println!("  batch mode, 1 thread: {}", stat(&batch1));
    println!(
        "  strict mode through the same blocks, 1 thread: {} (batch/strict per core {:.2})",
        stat(&strict_blocks1),
        m(&batch1) / m(&strict_blocks1)
    );
    let per_run = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(a, b)| format!("{:.2}", a / b))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  batch/strict run by run: 1 thread {}; {threads} threads {}",
        per_run(&batch1, &strict_blocks1),
        per_run(&batch_all, &strict_all)
    );
    println!(
        "prime-order test of R, 1 thread: point halving {}; dalek decompress + is_torsion_free {} ({:.2}x)",
        stat(&halving),
        stat(&torsion_free),
        m(&halving) / m(&torsion_free)
    );
    if cli.is_empty() {
        println!("release CLI: skipped, build it first with `cargo build --release`");
    } else {
        println!(
            "p2review log verify (release CLI, process start included): {}",
            stat(&cli)
        );
        println!(
            "p2review log verify --strict (release CLI): {}",
            stat(&cli_strict)
        );
    }
    println!(
        "raw verify_strict ({avg_body}-B messages, 8 keys, 1 thread): {}",
        stat(&raw)
    );
    println!(
        "ratio log verify --strict (1 thread) / raw verify_strict: {:.2} (target >= 0.6)",
        m(&strict1) / m(&raw)
    );
    if openssl.is_empty() {
        println!("openssl speed -seconds 10 ed25519: not available");
    } else {
        let o = m(&openssl);
        println!(
            "openssl speed -seconds 10 ed25519 verify: {}",
            stat(&openssl)
        );
        println!(
            "ratios to openssl verify/s: default (batches) {:.2}, strict mode {:.2}, --strict {:.2}, raw verify_strict {:.2}{} (target default >= 5)",
            m(&batch_all) / o,
            m(&strict_all) / o,
            m(&strict1) / o,
            m(&raw) / o,
            if cli.is_empty() {
                String::new()
            } else {
                format!(", CLI default {:.2}", m(&cli) / o)
            }
        );
    }

    append_series(&s[0]);
}

/// One log and one bare file in `dir`: the append series' pair of subjects.
struct AppendPair {
    _dir: tempfile::TempDir,
    log: std::path::PathBuf,
    appender: p2review::log::append::Appender,
    raw: std::fs::File,
}

impl AppendPair {
    fn new(dir: tempfile::TempDir, signer: &Signer) -> AppendPair {
        let data = p2review::paths::DataDir::resolve(Some(&dir.path().join("data"))).unwrap();
        let log = dir.path().join("append.jsonl");
        let mut appender = p2review::log::append::Appender::new(
            &log,
            LogKind::Production,
            signer.clone(),
            &data.heads_dir(),
        );
        appender.update_head = false;
        let raw = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(dir.path().join("raw.bin"))
            .unwrap();
        AppendPair {
            _dir: dir,
            log,
            appender,
            raw,
        }
    }

    /// One durable append, then a bare write + fdatasync of as many bytes: (ms, ms, bytes).
    fn step(&mut self, i: u64) -> (f64, f64, u64) {
        let before = std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
        let t = Instant::now();
        self.appender.append(decision(i)).unwrap();
        let app = t.elapsed().as_secs_f64() * 1000.0;
        let len = std::fs::metadata(&self.log).unwrap().len() - before;
        let buf = vec![b'x'; len as usize];
        let t = Instant::now();
        self.raw.write_all(&buf).unwrap();
        self.raw.sync_data().unwrap();
        (app, t.elapsed().as_secs_f64() * 1000.0, len)
    }
}

/// Series 2: durable append vs bare write + fdatasync of the same bytes, on the same (real) disk,
/// interleaved (append, then the bare write) so both see the same disk conditions on a
/// shared machine. The same pair on tmpfs (`/dev/shm`, where `fdatasync` costs next to
/// nothing), interleaved with them, shows the protocol's own fixed cost.
/// `P2REVIEW_BENCH_ONLY=append` runs only this series.
fn append_series(signer: &Signer) {
    let appends = env_usize("P2REVIEW_BENCH_APPENDS", 300);
    let mut disk = AppendPair::new(
        tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap(),
        signer,
    );
    let mut shm = tempfile::tempdir_in("/dev/shm")
        .ok()
        .map(|d| AppendPair::new(d, signer));
    let (mut app, mut bare, mut shm_app, mut shm_bare) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut line_len = 0;
    for i in 1..=appends as u64 {
        let (a, b, len) = disk.step(i);
        app.push(a);
        bare.push(b);
        line_len = len;
        if let Some(p) = shm.as_mut() {
            let (a, b, _) = p.step(i);
            shm_app.push(a);
            shm_bare.push(b);
        }
    }
    let (a50, a99, b50, b99) = (
        pct(&app, 0.5),
        pct(&app, 0.99),
        pct(&bare, 0.5),
        pct(&bare, 0.99),
    );
    println!(
        "durable append ({appends} appends, {line_len}-B lines, head file excluded): p50 {a50:.3} ms, p99 {a99:.3} ms"
    );
    println!("bare write + fdatasync of the same bytes: p50 {b50:.3} ms, p99 {b99:.3} ms");
    println!(
        "ratio append / bare: p50 {:.2}x, p99 {:.2}x (target <= 2x)",
        a50 / b50,
        a99 / b99
    );
    if shm.is_some() {
        let us = |v: &[f64], p| pct(v, p) * 1000.0;
        println!(
            "on tmpfs (/dev/shm): append p50 {:.0} us, p99 {:.0} us; bare write + fdatasync p50 {:.0} us, p99 {:.0} us; protocol's fixed cost (p50 difference) {:.0} us",
            us(&shm_app, 0.5),
            us(&shm_app, 0.99),
            us(&shm_bare, 0.5),
            us(&shm_bare, 0.99),
            us(&shm_app, 0.5) - us(&shm_bare, 0.5)
        );
    }
    println!("load average at end: {}", loadavg());
}
