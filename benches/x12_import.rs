//! X12 import benchmark (BENCHMARKS.md#x12-import: a 100,000-claim 837 file in ≤ 2 s).
//!
//! A plain bench binary (`harness = false`) so it can report median and spread of whole
//! end-to-end runs: read the file, tokenize, extract claims, flag, build the queue, serialize
//! YAML and write it atomically. Run: `cargo bench --bench x12_import`
//! (`X12_BENCH_CLAIMS=N`, `X12_BENCH_RUNS=N` to change the size and the number of runs).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use p2review::import::{self, PseudonymKey, ValueSet};
use p2review::queue::load_bytes;

const CONTEXT: &str = r#"schema: p2review.queue/1
organization: { name: Summit Billing Services, role: qso }
programs:
  - { id: harbor, name: Harbor Recovery Center, part2: true, npis: ["1588800001"], taxonomies: ["261QR0405X"] }
  - { id: clinic, name: Main Street Clinic, part2: false, npis: ["1999999984"] }
payers:
  - { id: PINEC, name: Pinecrest Health Plan, kind: health_plan }
patients:
  - { ref: P-0001, member_ids: ["MBR0000001"] }
"#;

/// A deterministic 837P file: `claims` claims, 100 per billing provider block, 1–4 service
/// lines each, ~20% SUD (dx, H-codes with HF, or the Part 2 provider), 30,000 members.
fn generate(claims: usize) -> String {
    let mut s = String::with_capacity(claims * 420);
    s.push_str("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261120*1200*^*00501*000000001*0*P*:~\n");
    s.push_str(
        "GS*HC*SUBMITTER*RECEIVER*20261120*1200*1*X*005010X222A1~\nST*837*0001*005010X222A1~\n",
    );
    s.push_str("BHT*0019*00*B1*20261120*1200*CH~\nNM1*41*2*SUMMIT BILLING*****46*S1~\nNM1*40*2*RECEIVER*****46*R1~\n");
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut hl = 0;
    let mut provider_hl = 0;
    for i in 0..claims {
        if i % 100 == 0 {
            hl += 1;
            provider_hl = hl;
            let npi = if (i / 100) % 10 == 0 {
                "1588800001"
            } else {
                "1999999984"
            };
            let _ = write!(
                s,
                "HL*{hl}**20*1~\nPRV*BI*PXC*207Q00000X~\nNM1*85*2*PROVIDER {}*****XX*{npi}~\nN3*1 MAIN ST~\nN4*CITY*ST*12345~\nREF*EI*123456789~\n",
                i / 100
            );
        }
        hl += 1;
        let r = next();
        let member = 1 + r % 30_000;
        let _ = write!(
            s,
            "HL*{hl}*{provider_hl}*22*0~\nSBR*P*18*******CI~\nNM1*IL*1*LAST{member}*FIRST****MI*MBR{member:07}~\nDMG*D8*19800101*F~\nNM1*PR*2*PINECREST HEALTH PLAN*****PI*PINEC~\n"
        );
        let kind = r >> 20;
        let (dx, code, modifier) = match kind % 10 {
            0 => ("F1120", "H0020", ":HF"),
            1 => ("F1020", "99213", ""),
            _ => (
                ["J069", "I10", "E119", "F329", "M545"][(kind % 5) as usize],
                "99213",
                "",
            ),
        };
        let _ = write!(
            s,
            "CLM*C{i:08}*{}.{:02}***11:B:1*Y*A*Y*Y~\nHI*ABK:{dx}*ABF:Z0000~\n",
            50 + (r >> 8) % 400,
            (r >> 16) % 100
        );
        let lines = 1 + (r >> 30) % 4;
        for l in 1..=lines {
            let _ = write!(
                s,
                "LX*{l}~\nSV1*HC:{code}{modifier}*50*UN*1***1~\nDTP*472*D8*202610{:02}~\n",
                1 + (r >> 34) % 28
            );
        }
    }
    s.push_str("SE*0*0001~\nGE*1*1~\nIEA*1*000000001~\n");
    s
}

/// CPU seconds (user + system) used by this process so far, from /proc (Linux; 0 elsewhere).
/// Reported beside wall time because the shared CI box is often loaded by other builds.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// One end-to-end run; returns the total and the stage times (read+parse, build, YAML,
/// write) and the number of disclosures written.
fn run_once(path: &Path, out: &Path, all: bool) -> (Duration, [Duration; 4], usize) {
    let context = load_bytes(CONTEXT.as_bytes(), "context").unwrap();
    let key = PseudonymKey::from_bytes([9; 32]);
    let t = Instant::now();
    let claims = import::read_file(path).unwrap();
    let t1 = t.elapsed();
    let (queue, summary) = import::build_queue(&context, &claims, &key, ValueSet::bundled(), all);
    let t2 = t.elapsed();
    let text = import::to_yaml(&queue).unwrap();
    let t3 = t.elapsed();
    import::write_atomic(out, text.as_bytes()).unwrap();
    let t4 = t.elapsed();
    (t4, [t1, t2 - t1, t3 - t2, t4 - t3], summary.written)
}

/// One claim with `lines` service lines cycling through `distinct` procedure codes, each
/// with its own modifier pair: the de-duplication worst case.
fn one_long_claim(lines: usize, distinct: usize) -> String {
    let mut s = generate(1);
    let at = s.find("LX*1~").expect("a service line");
    let end = s.find("SE*").expect("SE");
    let mut body = String::with_capacity(lines * 48);
    for l in 0..lines {
        let c = l % distinct;
        let _ = write!(
            body,
            "LX*{}~\nSV1*HC:X{c:05}:{}{}*50*UN*1***1~\n",
            l + 1,
            (b'A' + (c % 26) as u8) as char,
            (b'A' + (c / 26 % 26) as u8) as char
        );
    }
    s.replace_range(at..end, &body);
    s
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, small.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let n = env("X12_BENCH_CLAIMS", if smoke { 1_000 } else { 100_000 });
    let runs = env("X12_BENCH_RUNS", if smoke { 1 } else { 10 });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.837");
    let text = generate(n);
    std::fs::write(&path, &text).unwrap();
    let clm = text.matches("~\nCLM*").count();
    assert_eq!(clm, n);
    println!(
        "x12_import: {n} claims, file {:.1} MB ({} bytes), {runs} runs each, {} threads available",
        text.len() as f64 / 1e6,
        text.len(),
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    // One claim with 40,000 service lines (de-duplication was quadratic: 31 s).
    for distinct in [1_000, 40_000] {
        let text = one_long_claim(40_000, distinct);
        let mut times = Vec::new();
        for _ in 0..runs.max(3) {
            let t = Instant::now();
            let r = import::read_claims(text.as_bytes());
            times.push(t.elapsed().as_secs_f64());
            // Over 1,000 distinct codes the claim is refused (a queue item's list limit).
            assert_eq!(r.is_ok(), distinct <= 1_000);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  one claim, 40,000 service lines, {distinct} distinct codes: read_claims median {:.1} ms (min {:.1}, max {:.1})",
            times[times.len() / 2] * 1e3,
            times[0] * 1e3,
            times[times.len() - 1] * 1e3
        );
    }
    for all in [false, true] {
        let out = dir.path().join("queue.yaml");
        let _ = run_once(&path, &out, all); // warm-up
        let mut runs_ = Vec::new();
        let mut written = 0;
        let mut cpu = Vec::new();
        for _ in 0..runs {
            let c0 = cpu_seconds();
            let (t, stages, w) = run_once(&path, &out, all);
            cpu.push(cpu_seconds() - c0);
            runs_.push((t.as_secs_f64(), stages));
            written = w;
        }
        cpu.sort_by(f64::total_cmp);
        runs_.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (median, stages) = runs_[runs_.len() / 2];
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "  {:<13} written {written:>6}  median {median:.3} s  min {:.3} s  max {:.3} s  output {:.1} MB",
            if all { "--all" } else { "flagged only" },
            runs_[0].0,
            runs_[runs_.len() - 1].0,
            std::fs::metadata(&out).unwrap().len() as f64 / 1e6,
        );
        println!(
            "      CPU time (user+sys, all threads) median {:.2} s, min {:.2} s; load average {}",
            cpu[cpu.len() / 2],
            cpu[0],
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .unwrap_or("?")
        );
        println!(
            "      median run: read+parse {:.0} ms, flag+build {:.0} ms, YAML {:.0} ms, write {:.0} ms",
            ms(stages[0]),
            ms(stages[1]),
            ms(stages[2]),
            ms(stages[3])
        );
    }
}
