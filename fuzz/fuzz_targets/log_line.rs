//! Log bytes → line framing, and a whole-log verification three ways (in memory, streamed
//! from a file — `log verify --strict` — the default mode with the per-line checks in
//! parallel, and signatures in batches) that must agree; then the decision reader the TUI
//! and `decide` use, and the incident reader of `log show` (docs/incidents.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::log::batch::SigMode;
use p2review::log::line::{LineChecker, split};
use p2review::log::read::read_decisions;
use p2review::log::verify::{verify_bytes, verify_file, verify_file_blocks, verify_file_parallel};
use p2review_fuzz::{assert_printable, options, scratch_file, seed_trust};

fuzz_target!(|data: &[u8]| {
    let mut checker = LineChecker::new();
    for line in data.split(|&b| b == b'\n') {
        let framed = split(line);
        if let Ok((body, _)) = framed {
            assert!(
                p2review::log::json::agrees_with_serde(body),
                "the one-pass body reader and serde_json disagree"
            );
        }
        let checked = checker.check(line);
        if framed.is_err() {
            assert!(
                checked.is_err(),
                "a line with bad framing passed the checks"
            );
        }
    }
    let opts = options(seed_trust());
    let in_memory = verify_bytes(data, &opts).expect("no heads dir, no I/O");
    let path = scratch_file("log.jsonl", data);
    let streamed = verify_file(&path, &opts).expect("the scratch file is readable");
    assert_eq!(
        in_memory.findings, streamed.findings,
        "in memory vs streamed"
    );
    assert_eq!(in_memory.entries, streamed.entries);
    let parallel = verify_file_parallel(&path, &opts, 2).expect("the scratch file is readable");
    assert_eq!(
        streamed.findings, parallel.findings,
        "--strict vs the default"
    );
    let batches = verify_file_blocks(&path, &opts, 2, SigMode::Batch, &mut |_, _, _| {})
        .expect("the scratch file is readable");
    assert_eq!(streamed.findings, batches.findings, "--strict vs batches");
    if let Err(e) = read_decisions(&path) {
        assert_printable("a log read error", &String::from(e));
    }
    for (n, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        if let Some(e) = p2review::supervise::incidents::incident_of(&path, n as u64 + 1, line)
            && let Some(row) = p2review::supervise::export::ShowRow::of_incident(&e)
        {
            assert_printable("an incident row's detail", &row.detail);
            assert_printable("an incident row's note", &row.note);
            assert_printable("an incident row's reviewer", &row.reviewer);
        }
    }
});
