//! Write a generated queue (BENCHMARKS.md#targets shape) for benchmarks and manual testing:
//! `cargo run --release --example gen_queue -- 100000 /tmp/q100k.yaml [SEED]`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(path)) = (
        args.first().and_then(|n| n.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_queue N_DISCLOSURES PATH [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    match p2review::queue::synth::write_yaml(std::path::Path::new(path), n, seed) {
        Ok(bytes) => {
            println!("{path}: {n} disclosures, {bytes} bytes");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
