//! The queue loader, differentially: for any bytes, the default YAML path (the fast
//! reader, else serde_yaml behind the event guard) and serde_yaml alone give the same
//! queue or the same error, and neither panics. JSON is loaded too, for panics only.
//! Seeds: `tests/fixtures/queue/`, `tests/fixtures/bad/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::queue::{LoadOptions, YamlPath, load_bytes, load_bytes_with};

fuzz_target!(|data: &[u8]| {
    let auto = load_bytes_with(
        data,
        "q.yaml",
        LoadOptions {
            yaml: YamlPath::Auto,
        },
    );
    let reference = load_bytes_with(
        data,
        "q.yaml",
        LoadOptions {
            yaml: YamlPath::Reference,
        },
    );
    match (auto, reference) {
        (Ok((a, _)), Ok((b, _))) => assert!(a == b, "the fast reader and serde_yaml disagree"),
        (Err(a), Err(b)) => assert_eq!(a, b, "the two paths word the error differently"),
        (a, b) => panic!(
            "one path loads, the other does not: auto ok={}, reference ok={}",
            a.is_ok(),
            b.is_ok()
        ),
    }
    let _ = load_bytes(data, "q.json");
});
