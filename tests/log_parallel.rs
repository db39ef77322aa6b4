//! The parallel `log verify` path gives exactly the sequential findings — on a clean log and
//! on damaged ones (byte changes, a forged signature key, truncation against a checkpoint).

mod log_support;

use log_support::*;
use p2review::log::checkpoint;
use p2review::log::trust::Trust;
use p2review::log::verify::{VerifyOptions, verify_file, verify_file_parallel};

#[test]
fn parallel_findings_equal_sequential() {
    let env = Env::new();
    let data = env.data_dir();
    let fx = Fixture::new(3);
    let signers = [
        signer(1, "ann@clinic.example"),
        signer(2, "bob@clinic.example"),
    ];
    build_log(&data, &env.log(), &signers, &fx, 60);
    let bytes = std::fs::read(env.log()).unwrap();
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let last = lines.last().unwrap();
    let id = p2review::log::verify::peek_log_id(lines[0]).unwrap();
    let cp = checkpoint::parse(&checkpoint::make(
        &id,
        lines.len() as u64,
        &p2review::log::line::line_hash(&last[..last.len() - 1]),
        &signers[0],
    ))
    .unwrap();
    let opts = VerifyOptions {
        // Only Ann is trusted: Bob's entries are E_SIGNER_UNKNOWN in both paths.
        trust: Trust::Local {
            keys: vec![(signers[0].principal().into(), *signers[0].public_key())],
            demo: None,
        },
        checkpoints: vec![cp],
        heads_dir: None,
    };
    let path = env.path("m.jsonl");
    let mut compared = 0;
    let mut check = |m: &[u8]| {
        std::fs::write(&path, m).unwrap();
        let a = verify_file(&path, &opts).map_err(|e| e.0).unwrap();
        for t in [2, 7] {
            let b = verify_file_parallel(&path, &opts, t)
                .map_err(|e| e.0)
                .unwrap();
            assert_eq!(a.findings, b.findings, "threads {t}");
            assert_eq!((a.entries, a.last_hash), (b.entries, b.last_hash));
        }
        compared += 1;
    };
    check(&bytes);
    let mut m = bytes.clone();
    for p in (0..bytes.len()).step_by(1999) {
        m[p] ^= 0x01;
        check(&m);
        m[p] ^= 0x01;
    }
    check(&lines[..30].concat());
    check(&[lines.concat(), b"{\"e\":{\"tor".to_vec()].concat());
    check(b"");
    assert!(compared > 40);
}
