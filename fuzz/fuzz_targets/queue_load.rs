//! Placeholder until the queue engineer's differential target replaces it: queue text →
//! `Queue` through the public loader must not panic, and its errors stay printable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::queue::load_bytes;
use p2review_fuzz::assert_printable;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = load_bytes(data, "fuzz") {
        assert_printable("a queue load error", &e.to_string());
    }
});
