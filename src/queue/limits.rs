//! The bounds a queue file must keep (docs/queue-format.md): they cap the memory and time one
//! file can take, and every reader (JSON, the fast YAML reader, the guarded serde_yaml path)
//! enforces the same numbers.

/// Largest queue file read (docs/queue-format.md).
pub const MAX_FILE: usize = 256 * 1024 * 1024;
/// Largest single value (scalar), in bytes.
pub const MAX_SCALAR: usize = 64 * 1024;
/// Deepest nesting of collections.
pub const MAX_DEPTH: usize = 32;
/// The most entries a list inside one item (`npis`, `dx`, `recipients`…) may hold: the
/// top-level lists may be long, but no single disclosure, consent or program needs more,
/// and the limit bounds the memory one item can take.
pub const MAX_ITEM_LIST: usize = 1000;
/// Longest `recipient.address`, in bytes: a postal or electronic address, one line.
pub const MAX_ADDRESS: usize = 512;
/// Longest `disclosure.information`, in bytes: "a brief description of the PHI
/// disclosed" (45 CFR 164.528(b)(2)(iii)), one paragraph.
pub const MAX_INFORMATION: usize = 2048;
