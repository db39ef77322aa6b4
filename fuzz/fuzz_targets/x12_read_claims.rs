//! X12 837 bytes → claims (tokenizer + claim extraction), and flagged claims → a queue that
//! p2review itself must load again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::import::{PseudonymKey, ValueSet, build_queue, read_claims, to_yaml};
use p2review::queue::{Queue, load_bytes};
use p2review_fuzz::assert_printable;

/// The `--context` queue: the sample queue's programs, payers and patients.
static CONTEXT: std::sync::LazyLock<Queue> = std::sync::LazyLock::new(|| {
    load_bytes(include_bytes!("../../sample_data/queue.yaml"), "context")
        .expect("the sample queue loads")
});

fuzz_target!(|data: &[u8]| {
    let claims = match read_claims(data) {
        Ok(c) => c,
        Err(e) => return assert_printable("an X12 syntax error", &e.to_string()),
    };
    let key = PseudonymKey::from_bytes([7; 32]);
    let (queue, _) = build_queue(&CONTEXT, &claims, &key, ValueSet::bundled(), true);
    if let Ok(yaml) = to_yaml(&queue) {
        // What `import x12` writes must be a queue (or be refused by its loader with a
        // message), never a crash.
        if let Err(e) = load_bytes(yaml.as_bytes(), "import") {
            assert_printable("a queue load error", &e.to_string());
        }
    }
});
