//! Time loading a queue file by each parser path (release build):
//! `cargo run --release --example load_timing -- QUEUE [RUNS]`

use std::time::Instant;

use p2review::queue::{LoadOptions, YamlPath, load_bytes_with};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: load_timing QUEUE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(path).expect("readable queue file");
    let mb = bytes.len() as f64 / 1e6;
    for (label, yaml) in [
        ("serde_yaml", YamlPath::Reference),
        ("single", YamlPath::Single),
        ("auto", YamlPath::Auto),
    ] {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let opts = LoadOptions {
                yaml,
                threads: None,
            };
            let (q, parsed) = load_bytes_with(&bytes, path, opts).expect("queue loads");
            times.push(t.elapsed().as_secs_f64());
            std::hint::black_box(q.disclosures.len());
            if times.len() == 1 {
                println!("{label}: parsed by {parsed:?}");
            }
        }
        times.sort_by(f64::total_cmp);
        let med = times[times.len() / 2];
        println!(
            "{label:10} {mb:.1} MB: median {med:.3} s ({:.1} MB/s), min {:.3} s, max {:.3} s",
            mb / med,
            times[0],
            times[times.len() - 1]
        );
    }
}
