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
    // A team URL: a password never reaches what is shown — the shown URL is the same
    // whatever the password (the text between the first `:` and the last `@` ahead of the
    // first `/`) is replaced with.
    if let Ok(s) = p2review::team::pg::Spec::parse(text)
        && let Some((scheme, rest)) = text.split_once("://")
        && let Some(at) = rest[..rest.find('/').unwrap_or(rest.len())].rfind('@')
        && let Some((user, _)) = rest[..at].split_once(':')
    {
        let other = format!("{scheme}://{user}:Q{}", &rest[at..]);
        let o = p2review::team::pg::Spec::parse(&other).expect("the same URL, another password");
        assert_eq!(s.shown, o.shown, "the shown URL depends on the password");
    }
    match Settings::parse(text, "team.yaml") {
        Ok(s) => assert_eq!(Settings::parse(&s.to_yaml(), "team.yaml").as_ref(), Ok(&s)),
        Err(e) => assert_printable("a team.yaml error", &e),
    }
    // Never panics; what it returns is checked by the store before use.
    let _ = parse_claim(text);
});
