//! Team work benchmark (BENCHMARKS.md#team-work-bench): 8 reviewers claim and decide every
//! item of one queue, on the directory backend and on PostgreSQL, through the same path as
//! the review screen and `decide --team` (`next_unclaimed`, then
//! `team::record::record_in_team`). Prints the claim+decide round trip p50/p99 and the
//! team's decisions per second. A plain bench binary: `cargo bench --bench team`.
//!
//! Reviewers are processes (this binary re-run), each with its own store connection, data
//! dir, key and log, as on a team. PostgreSQL is measured when `P2REVIEW_TEST_PG_URL` is set
//! (a schema of its own, dropped afterwards); otherwise that part is skipped and says so.
//! `P2REVIEW_BENCH_ITEMS` (default 1000) and `P2REVIEW_BENCH_REVIEWERS` (default 8) change
//! the size.

#[path = "../tests/log_support/mod.rs"]
mod log_support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use p2review::decision::{Decision, ReasonCode};
use p2review::engine::Engine;
use p2review::log::keys::init_key;
use p2review::log::{DecisionInput, LogKind, Recorder};
use p2review::paths::DataDir;
use p2review::team::{ItemKey, Settings, TeamStore};

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// What one run measured.
struct Run {
    wall: Duration,
    /// Claim+decide round trips, microseconds, sorted.
    us: Vec<u64>,
    per_reviewer: Vec<usize>,
}

/// `reviewers` processes (this binary again, `P2REVIEW_BENCH_CHILD`) decide every item of
/// `queue` in the team `spec` (already created, reviewers `r<i>@bench.test` added with keys
/// under `tmp/data<i>`).
fn run(spec: &str, tmp: &Path, queue: &Path, reviewers: usize) -> Run {
    let started = Instant::now();
    let children: Vec<_> = (0..reviewers)
        .map(|i| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .env(
                    "P2REVIEW_BENCH_CHILD",
                    format!(
                        "{spec}\n{}\n{}",
                        tmp.join(format!("data{i}")).display(),
                        queue.display()
                    ),
                )
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("start a reviewer process")
        })
        .collect();
    let mut us = Vec::new();
    let mut per_reviewer = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "a reviewer process failed");
        let got: Vec<u64> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.parse().unwrap())
            .collect();
        per_reviewer.push(got.len());
        us.extend(got);
    }
    us.sort_unstable();
    Run {
        wall: started.elapsed(),
        us,
        per_reviewer,
    }
}

/// One reviewer: the next unclaimed undecided item, decided, until none is left; the
/// round trip of each in microseconds.
fn reviewer(spec: &str, data: &Path, queue: &Path) -> Vec<u64> {
    let store: Arc<dyn TeamStore> = Arc::from(p2review::team::open(spec).expect("open team"));
    let data = DataDir::resolve(Some(data)).unwrap();
    let signer = p2review::log::Signer::load(&data.signing_key()).unwrap();
    let principal = signer.principal().to_owned();
    let q = p2review::queue::load_path(queue).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(q.queue.as_of.unwrap()).unwrap();
    let log = store.reviewer_log(&principal, &data).unwrap();
    let rec = Recorder::open(&data, &log, LogKind::Production, signer)
        .with_lock_timeout(Duration::from_secs(60));
    let items: Vec<ItemKey> = q
        .queue
        .disclosures
        .iter()
        .map(|d| ItemKey {
            queue_sha256: q.sha256.clone(),
            disclosure: d.id.clone(),
        })
        .collect();
    let by_id: std::collections::HashMap<&str, usize> = q
        .queue
        .disclosures
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut out = Vec::new();
    loop {
        let t = Instant::now();
        let Some(c) = store
            .next_unclaimed(&items, &principal, Duration::from_secs(600))
            .unwrap()
        else {
            break;
        };
        let d = &q.queue.disclosures[by_id[c.item.disclosure.as_str()]];
        let e = ev.evaluate(&q.queue, &q.index, d);
        let input = DecisionInput {
            decision: Decision::Deny,
            reason_code: Some(ReasonCode::ConsentMissing),
            note: None,
            supersedes: None,
        };
        p2review::team::record::record_in_team(&store, rec.clone(), &q, d, &e, input)
            .unwrap_or_else(|m| panic!("{}: {m}", d.id));
        out.push(t.elapsed().as_micros() as u64);
    }
    out
}

/// Keys for `reviewers` reviewers under `tmp/data<i>`, each added with `add`.
fn reviewers(tmp: &Path, n: usize, mut add: impl FnMut(&str, &str)) {
    for i in 0..n {
        let principal = format!("r{i}@bench.test");
        let data = DataDir::resolve(Some(&tmp.join(format!("data{i}")))).unwrap();
        let s = init_key(&data.signing_key(), &principal).unwrap();
        add(&principal, &s.openssh_public());
    }
}

fn report(backend: &str, r: &Run, items: usize) {
    assert_eq!(r.us.len(), items, "every item decided exactly once");
    let pct = |p: usize| r.us[(r.us.len() * p / 100).min(r.us.len() - 1)];
    println!(
        "{backend:<10} {} reviewers, {items} items: {:.2} s, {:.0} decisions/s; claim+decide p50 {:.1} ms, p99 {:.1} ms; per reviewer {:?}",
        r.per_reviewer.len(),
        r.wall.as_secs_f64(),
        items as f64 / r.wall.as_secs_f64(),
        pct(50) as f64 / 1000.0,
        pct(99) as f64 / 1000.0,
        r.per_reviewer,
    );
}

fn main() {
    if let Ok(spec) = std::env::var("P2REVIEW_BENCH_CHILD") {
        let p: Vec<&str> = spec.split('\n').collect();
        for us in reviewer(p[0], Path::new(p[1]), Path::new(p[2])) {
            println!("{us}");
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once, small.
    let quick = !std::env::args().any(|a| a == "--bench");
    let items = env_usize("P2REVIEW_BENCH_ITEMS", if quick { 16 } else { 1000 });
    let n = env_usize("P2REVIEW_BENCH_REVIEWERS", 8);
    let la = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "team bench ({} build, load average {})",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        la.split(' ').take(3).collect::<Vec<_>>().join(" ")
    );

    let tmp = tempfile::tempdir().unwrap();
    let queue = tmp.path().join("queue.yaml");
    std::fs::write(&queue, log_support::queue_yaml(items)).unwrap();

    // Directory backend.
    let dir = tmp.path().join("dir");
    let root = dir.join("team");
    let store = p2review::team::DirStore::init(&root, &Settings::new(false)).unwrap();
    reviewers(&dir, n, |p, k| {
        store.add_reviewer(p, k).unwrap();
    });
    let r = run(root.to_str().unwrap(), &dir, &queue, n);
    report("directory", &r, items);

    // PostgreSQL.
    #[cfg(feature = "postgres")]
    match std::env::var("P2REVIEW_TEST_PG_URL") {
        Ok(base) => {
            let schema = format!("p2r_bench_{}", std::process::id());
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}schema={schema}");
            let pg = tmp.path().join("pg");
            let store =
                p2review::team::pg::PgStore::init(&url, &Settings::new(false)).expect("init team");
            reviewers(&pg, n, |p, k| {
                store.add_reviewer(p, k).unwrap();
            });
            let r = run(&url, &pg, &queue, n);
            if let Ok(mut c) = postgres::Client::connect(&base, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
            report("postgresql", &r, items);
        }
        Err(_) => println!(
            "postgresql skipped: set P2REVIEW_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test)"
        ),
    }
}
