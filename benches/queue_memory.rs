//! Peak memory while loading a queue (target: ≤ 16 × the file size + 64 MB
//! for block-layout YAML and JSON queues), a plain bench binary: `cargo bench --bench
//! queue_memory`. Writes the queues under `target/queue-memory-bench/`, then loads each in
//! a fresh child process (`load_path`: read, hash, parse, validate, index) so the peak
//! RSS (`VmHWM`) is the load's alone, and prints it beside the budget.
//!
//! Queues: 1,000,000 tiny patients (the worst ratio of model to text), and a generated
//! 100,000-disclosure queue (`queue::synth`, seed 1), each as YAML and as JSON.
//! `P2REVIEW_BENCH_RUNS` (default 3) sets the runs per queue. To see the index's share:
//! `P2REVIEW_BENCH_PARSE_ONLY=1 <bench binary> --measure FILE` loads with `load_bytes`
//! (parse and validate; no hash, no index).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const TINY: usize = 1_000_000;
const DISCLOSURES: usize = 100_000;
const HEAD: &str =
    "schema: p2review.queue/1\norganization:\n  name: Summit Billing Services\n  role: qso\n";

fn vm_hwm_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn write_tiny_yaml(path: &Path) {
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    w.write_all(HEAD.as_bytes()).unwrap();
    w.write_all(b"patients:\n").unwrap();
    for i in 0..TINY {
        writeln!(w, "  - ref: P-{i:07}").unwrap();
    }
    w.flush().unwrap();
}

/// The same queue as JSON, one list item per line (how an exporter would write it).
fn write_json(yaml: &Path, json: &Path) {
    let q = p2review::queue::load_path(yaml).unwrap().queue;
    let mut w = BufWriter::new(std::fs::File::create(json).unwrap());
    serde_json::to_writer(&mut w, &q).unwrap();
    w.flush().unwrap();
}

fn queues() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/queue-memory-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let tiny = dir.join("tiny-patients.yaml");
    let synth = dir.join("synth-100k.yaml");
    if !tiny.exists() {
        write_tiny_yaml(&tiny);
    }
    if !synth.exists() {
        p2review::queue::synth::write_yaml(&synth, DISCLOSURES, 1).unwrap();
    }
    let mut out = vec![tiny.clone(), synth.clone()];
    for y in [tiny, synth] {
        let j = y.with_extension("json");
        if !j.exists() {
            write_json(&y, &j);
        }
        out.push(j);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        let path = PathBuf::from(&args[i + 1]);
        let before = vm_hwm_mb();
        if std::env::var_os("P2REVIEW_BENCH_PARSE_ONLY").is_some() {
            let bytes = std::fs::read(&path).unwrap();
            let q = p2review::queue::load_bytes(&bytes, &path.to_string_lossy()).unwrap();
            std::hint::black_box(q.patients.len());
        } else {
            let q = p2review::queue::load_path(&path).expect("queue loads");
            std::hint::black_box(q.queue.patients.len());
        }
        println!("RESULT start_mb={before:.1} peak_mb={:.1}", vm_hwm_mb());
        return;
    }
    let runs = std::env::var("P2REVIEW_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3usize);
    let exe = std::env::current_exe().unwrap();
    for path in queues() {
        let size = std::fs::metadata(&path).unwrap().len() as f64 / (1024.0 * 1024.0);
        let mut peaks = Vec::new();
        for _ in 0..runs {
            let o = std::process::Command::new(&exe)
                .arg("--measure")
                .arg(&path)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let peak = text
                .lines()
                .find_map(|l| l.strip_prefix("RESULT "))
                .and_then(|l| l.split("peak_mb=").nth(1))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap();
            peaks.push(peak);
        }
        peaks.sort_by(f64::total_cmp);
        let median = peaks[peaks.len() / 2];
        let budget = 16.0 * size + 64.0;
        println!(
            "{}: {size:.1} MiB, peak RSS median {median:.0} MiB (min {:.0}, max {:.0}) = {:.1} x file; budget {budget:.0} MiB: {}",
            path.file_name().unwrap().to_string_lossy(),
            peaks[0],
            peaks[peaks.len() - 1],
            median / size,
            if median <= budget { "met" } else { "NOT MET" }
        );
    }
}
