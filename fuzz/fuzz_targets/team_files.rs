//! The team store's files read from the shared directory: `team.yaml` and claim files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::team::Settings;
use p2review::team::claims::parse_claim;
use p2review_fuzz::assert_printable;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Settings::parse(text, "team.yaml") {
        Ok(s) => assert_eq!(Settings::parse(&s.to_yaml(), "team.yaml").as_ref(), Ok(&s)),
        Err(e) => assert_printable("a team.yaml error", &e),
    }
    // Never panics; what it returns is checked by the store before use.
    let _ = parse_claim(text);
});
