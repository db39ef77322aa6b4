//! allowed_signers text → trust, then the trust asked about the seed signers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::log::LogKind;
use p2review::log::trust::parse_allowed_signers;
use p2review_fuzz::{SIGNERS, assert_printable, public_key};

fuzz_target!(|data: &[u8]| {
    // The CLI reads the file as UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let trust = match parse_allowed_signers(text, std::path::Path::new("allowed_signers")) {
        Ok(t) => t,
        Err(e) => return assert_printable("an allowed_signers error", &e.to_string()),
    };
    for (seed, principal) in SIGNERS {
        for ns in ["p2review-decision", "p2review-checkpoint"] {
            for ts in [
                None,
                Some(0),
                Some(1_790_000_000_000),
                Some(i64::MIN),
                Some(i64::MAX),
            ] {
                let _ = trust.check(
                    principal,
                    &public_key(seed),
                    ns,
                    ts,
                    Some(LogKind::Production),
                );
            }
        }
    }
});
