//! The append protocol's fixed cost on tmpfs (no disk), for profiling (`perf record -g`):
//! `cargo run --release --example append_prof -- [N]` appends N decisions to a log in
//! /dev/shm (head file excluded, as in benches/log_bench.rs) and prints p50/p10/p90.
//! `GAP_US=1000` sleeps between appends (caches go cold, as between the bench's disk
//! appends); `HEAD=1` keeps the head file; `PHASES=1` instead times the pieces of one
//! entry's `make_line` alone (canonical body, sign, self-check: `verify_strict` and the
//! appender's secret-key check) — the crypto floor.
use std::time::Instant;

use ed25519_dalek::SigningKey;
use p2review::log::Signer;
use p2review::log::entry::LogKind;

#[path = "../benches/support/decision_body.rs"]
mod decision_body;
use decision_body::decision;

fn phase(name: &str, n: usize, mut f: impl FnMut()) {
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let s = Instant::now();
        f();
        t.push(s.elapsed().as_secs_f64() * 1e6);
    }
    t.sort_by(|x, y| x.partial_cmp(y).unwrap());
    println!("  {name}: p50 {:.2} us", t[n / 2]);
}

fn phases(signer: &Signer) {
    use p2review::log::{canonical, entry::Entry, line};
    let e = Entry {
        log: "5a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        seq: 7,
        prev: "00".repeat(32),
        ts: p2review::log::entry::now_ts(),
        reviewer: signer.principal().into(),
        key: signer.fingerprint().into(),
        body: decision(7),
    };
    let body = canonical::to_canonical(&e.to_value()).unwrap();
    let blob = signer.sign(p2review::log::NS_DECISION, body.as_bytes());
    let l = line::frame(&body, &blob);
    let l = &l[..l.len() - 1];
    let mut c = line::LineChecker::new();
    let n = 2000;
    phase("now_ts", n, || {
        std::hint::black_box(p2review::log::entry::now_ts());
    });
    phase("to_value", n, || {
        std::hint::black_box(e.to_value());
    });
    phase("to_value+to_canonical", n, || {
        std::hint::black_box(canonical::to_canonical(&e.to_value()).unwrap());
    });
    phase("sign", n, || {
        std::hint::black_box(signer.sign(p2review::log::NS_DECISION, body.as_bytes()));
    });
    phase("frame", n, || {
        std::hint::black_box(line::frame(&body, &blob));
    });
    phase("prepare", n, || {
        std::hint::black_box(c.prepare(l).unwrap());
    });
    phase("check (prepare+verify_strict)", n, || {
        std::hint::black_box(c.check(l).unwrap());
    });
    phase("append's check (prepare+secret-key verdict)", n, || {
        std::hint::black_box(c.check_by(l, |j| signer.verifies(j)).unwrap());
    });
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3000);
    let head = std::env::var("HEAD").is_ok();
    let signer =
        Signer::from_signing_key(SigningKey::from_bytes(&[1; 32]), "reviewer1@clinic.example")
            .unwrap();
    if std::env::var("PHASES").is_ok() {
        phases(&signer);
        return;
    }
    let dir = tempfile::tempdir_in("/dev/shm").unwrap();
    let data = p2review::paths::DataDir::resolve(Some(&dir.path().join("data"))).unwrap();
    let log = dir.path().join("append.jsonl");
    let mut a =
        p2review::log::append::Appender::new(&log, LogKind::Production, signer, &data.heads_dir());
    a.update_head = head;
    let mut t = Vec::new();
    for i in 1..=n {
        if let Some(us) = std::env::var("GAP_US").ok().and_then(|v| v.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_micros(us));
        }
        let s = Instant::now();
        a.append(decision(i)).unwrap();
        t.push(s.elapsed().as_secs_f64() * 1e6);
    }
    t.sort_by(|x, y| x.partial_cmp(y).unwrap());
    println!(
        "{n} appends on tmpfs: p50 {:.1} us, p10 {:.1}, p90 {:.1}",
        t[t.len() / 2],
        t[t.len() / 10],
        t[t.len() * 9 / 10]
    );
}
