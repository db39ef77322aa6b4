//! Time loading a queue file by each YAML path (release build), wall and CPU:
//! `cargo run --release --example load_timing -- QUEUE [RUNS]`
//! CPU time (user + system, all threads) is the figure to trust on a busy machine.

use std::time::Instant;

use p2review::queue::{LoadOptions, YamlPath, load_bytes_with};

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 Hz).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 of the file are 12 and 13 after the command name.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: load_timing QUEUE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(path).expect("readable queue file");
    let mb = bytes.len() as f64 / 1e6;
    for (label, yaml) in [
        ("serde_yaml", YamlPath::Reference),
        ("auto", YamlPath::Auto),
    ] {
        let mut wall = Vec::new();
        let mut cpu = Vec::new();
        for _ in 0..runs {
            let (t, c) = (Instant::now(), cpu_seconds());
            let opts = LoadOptions { yaml };
            let (q, parsed) = load_bytes_with(&bytes, path, opts).expect("queue loads");
            wall.push(t.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - c);
            std::hint::black_box((q.disclosures.len(), parsed));
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let (w, c) = (wall[runs / 2], cpu[runs / 2]);
        println!(
            "{label:10} {mb:.1} MB: wall median {w:.3} s ({:.0} MB/s) [{:.3}..{:.3}], CPU median {c:.2} s",
            mb / w,
            wall[0],
            wall[runs - 1]
        );
    }
}
