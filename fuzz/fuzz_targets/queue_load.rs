//! Placeholder until the queue engineer's differential target replaces it: queue text →
//! `Queue` through the public loader must not panic. (Its messages may quote control
//! characters from the file; the CLI escapes them when it prints.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::queue::load_bytes;

fuzz_target!(|data: &[u8]| {
    let _ = load_bytes(data, "fuzz");
});
