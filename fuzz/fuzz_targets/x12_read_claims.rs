//! X12 837 bytes → claims (tokenizer + claim extraction) → the queue `import x12` writes.
//! (Loading that YAML again is left to `queue_load`: it costs ten times the rest.)
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
    if let Err(e) = to_yaml(&queue) {
        assert_printable("a queue YAML error", &e.to_string());
    }
});
