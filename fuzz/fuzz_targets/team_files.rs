//! The team store's files read from the shared directory: `team.yaml` and claim files; and
//! the PostgreSQL backend's inputs: a team URL and the lines it mirrors (local log lines,
//! outbox files).
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::team::Settings;
use p2review::team::claims::parse_claim;
use p2review_fuzz::assert_printable;

fuzz_target!(|data: &[u8]| {
    // A mirrored line: read leniently, never panics; what it returns is its own bytes.
    if let Some(l) = p2review::team::pg::mirror::parse(data) {
        assert_eq!(l.bytes, data);
        assert_eq!(l.log_id.len(), 32);
        assert!(l.seq >= 0);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A team URL: a password never reaches what is shown. The password is what stands
    // between the first `:` and the last `@` ahead of the first `/`; it is looked for only
    // when it occurs nowhere else in the input nor in what the parser adds (else finding
    // it in the shown text would prove nothing).
    if let Ok(s) = p2review::team::pg::Spec::parse(text)
        && let Some((_, rest)) = text.split_once("://")
        && let Some(at) = rest[..rest.find('/').unwrap_or(rest.len())].rfind('@')
        && let Some((_, pw)) = rest[..at].split_once(':')
        && pw.len() >= 4
        && text.matches(pw).count() == 1
        && !"?&schema=p2review".contains(pw)
    {
        assert!(!s.shown.contains(pw), "{}", s.shown);
    }
    match Settings::parse(text, "team.yaml") {
        Ok(s) => assert_eq!(Settings::parse(&s.to_yaml(), "team.yaml").as_ref(), Ok(&s)),
        Err(e) => assert_printable("a team.yaml error", &e),
    }
    // Never panics; what it returns is checked by the store before use.
    let _ = parse_claim(text);
});
