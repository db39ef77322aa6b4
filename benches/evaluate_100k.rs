//! BENCHMARKS.md#evaluate-of-100k-disclosures: `evaluate` of a 100,000-disclosure YAML queue ≤ 1.5 s end to end on the
//! 2-core machine. Measures, on one generated queue (`queue::synth`, seed 1):
//! - `load+evaluate+jsonl`: `load_path` (read, hash, parse, validate, index), evaluate every
//!   disclosure, serialize each result as a JSON line into a sink — what
//!   `evaluate --format jsonl > /dev/null` does in-process;
//! - `load`: `load_path` alone;
//! - `serde_yaml_baseline`: a plain single-threaded `serde_yaml::from_str::<Queue>` of the
//!   same bytes, for the speed-up ratio.
//!
//! Run: `cargo bench --bench evaluate_100k` (medians in target/criterion/*/new/estimates.json).

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use p2review::engine::Engine;
use p2review::queue::{Queue, load_path, synth};

const N: usize = 100_000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("queue-100k.yaml");
    let size = synth::write_yaml(&path, N, 1).expect("queue written");
    eprintln!(
        "evaluate_100k: {N} disclosures, {size} bytes ({:.1} MB), {} threads available",
        size as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let engine = Engine::load(None).expect("bundled policies");

    let mut g = c.benchmark_group("evaluate_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));

    g.bench_function("load+evaluate+jsonl", |b| {
        b.iter(|| {
            let lq = load_path(&path).expect("queue loads");
            let as_of = lq.queue.as_of.expect("generated queues carry as_of");
            let ev = engine.for_date(as_of).expect("policies in force");
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::sink());
            for d in &lq.queue.disclosures {
                let e = ev.evaluate(&lq.queue, &lq.index, d);
                serde_json::to_writer(&mut out, &e).expect("serializes");
                out.write_all(b"\n").expect("sink");
            }
            out.flush().expect("sink");
            black_box(lq.queue.disclosures.len())
        })
    });

    g.bench_function("load", |b| {
        b.iter(|| {
            black_box(
                load_path(&path)
                    .expect("queue loads")
                    .queue
                    .disclosures
                    .len(),
            )
        })
    });

    let text = std::fs::read_to_string(&path).expect("queue readable");
    g.bench_function("serde_yaml_baseline", |b| {
        b.iter(|| {
            let q: Queue = serde_yaml::from_str(&text).expect("parses");
            black_box(q.disclosures.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
