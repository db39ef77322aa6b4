//! A checkpoint note, a NUL byte, then a log: the note parser, and the log verified with
//! the note as an anchor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::log::checkpoint;
use p2review::log::verify::verify_bytes;
use p2review_fuzz::{NOTE_LOG_SEPARATOR, assert_printable, options, seed_trust};

fuzz_target!(|data: &[u8]| {
    let (note, log) = match data.iter().position(|&b| b == NOTE_LOG_SEPARATOR) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    // The CLI reads notes as UTF-8 text.
    let Ok(note) = std::str::from_utf8(note) else {
        return;
    };
    let cp = match checkpoint::parse(note) {
        Ok(cp) => cp,
        Err(e) => return assert_printable("a checkpoint error", &e.to_string()),
    };
    let mut opts = options(seed_trust());
    let _ = cp.signature_ok(&opts.trust);
    opts.checkpoints.push(cp);
    verify_bytes(log, &opts).expect("no heads dir, no I/O");
});
