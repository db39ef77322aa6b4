//! What the fuzz targets share: the fixed signers that `examples/fuzz_seeds.rs` signs the
//! seed logs with (so mutated seeds reach the chain rules), and the output checks.

use p2review::log::trust::Trust;
use p2review::log::verify::VerifyOptions;

/// ed25519 seeds and principals of the seed signers; `examples/fuzz_seeds.rs` uses the same.
pub const SIGNERS: [(u8, &str); 2] = [(0x5a, "alice@fuzz.invalid"), (0xb7, "bob@fuzz.invalid")];

/// Separates the checkpoint note from the log in a `checkpoint` input.
pub const NOTE_LOG_SEPARATOR: u8 = 0;

pub fn public_key(seed: u8) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
        .verifying_key()
        .to_bytes()
}

/// Trust in the two seed signers, as a data dir without allowed_signers would give.
pub fn seed_trust() -> Trust {
    Trust::Local {
        keys: SIGNERS
            .iter()
            .map(|&(seed, p)| (p.to_owned(), public_key(seed)))
            .collect(),
        demo: None,
    }
}

pub fn options(trust: Trust) -> VerifyOptions {
    VerifyOptions {
        trust,
        checkpoints: Vec::new(),
        heads_dir: None,
    }
}

/// A message shown to the user never carries raw control characters (a hostile file could
/// drive the terminal); line breaks between sentences are allowed.
pub fn assert_printable(what: &str, message: &str) {
    if let Some(c) = message.chars().find(|&c| c.is_control() && c != '\n') {
        panic!("{what} shows a raw control character U+{:04X}", c as u32);
    }
}

/// A scratch file for this process, for the readers that take a path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("p2review-fuzz-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("the temp dir is writable");
    path
}
