//! The signed decision log (docs/signed-log.md): one JSON line per entry, hash-chained, each signed
//! with an OpenSSH SSHSIG so stock `jq` + `ssh-keygen -Y verify` can check it.
//!
//! - [`record`]: THE recording API (`decide` and the review TUI): [`record::Recorder`].
//! - [`read`]: the decisions already in a log (TUI resume, live reload).
//! - [`supersede`]: items, honoured supersessions, effective decisions; [`items`]: the
//!   appender's index of them (a repeat decision must supersede).
//! - [`verify`]: `log verify`; [`checkpoint`]: signed checkpoint notes.
//! - [`append`]: the docs/signed-log.md#appending append protocol; [`head`]: head files.
//! - [`keys`], [`trust`]: signing keys and who may sign.
//! - [`canonical`], [`entry`], [`line`], [`sshsig`], [`chain`]: the format itself;
//!   [`json`]: the one-pass reader of canonical bodies.
//! - [`batch`]: signatures checked many at a time, with `verify_strict`'s verdicts;
//!   [`subgroup`]: the prime-order test that makes them exact.

pub mod append;
pub mod batch;
pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod entry;
pub(crate) mod field_lanes;
pub mod findings;
pub(crate) mod head;
pub(crate) mod items;
pub mod json;
pub mod keys;
pub mod line;
pub mod own_signature;
pub mod read;
pub mod record;
pub mod sshsig;
pub mod subgroup;
pub(crate) mod supersede;
pub mod trust;
pub mod verify;

pub use append::{AppendError, Receipt};
pub use entry::LogKind;
pub use findings::{Code, Finding};
pub use items::{EffectiveDecision, SupersedeProblem};
pub use keys::Signer;
pub use record::{DecisionInput, RecordError, Recorder, TrainingInput};

/// SSHSIG namespace of entries.
pub const NS_DECISION: &str = "p2review-decision";
/// SSHSIG namespace of checkpoint notes.
pub const NS_CHECKPOINT: &str = "p2review-checkpoint";
