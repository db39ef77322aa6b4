//! The queue: pending disclosures plus the facts needed to judge them (docs/queue-format.md).
//!
//! `model` holds the types, `load` turns YAML or JSON bytes into a validated `Queue`
//! (strict: every error names file, line and column, or the path and both ids), and
//! `index` builds the lookups the engine uses. `synth` generates large valid queues for
//! benchmarks.

pub(crate) mod amount;
pub mod canonical;
pub(crate) mod index;
pub mod limits;
pub mod load;
pub mod model;
mod raw;
pub mod synth;
mod validate;
mod yaml;

pub use amount::Amount;
pub use index::{PatientIx, QueueIndex};
pub use load::{
    LoadError, LoadOptions, LoadedQueue, Parsed, YamlPath, load_bytes, load_bytes_with, load_path,
};
pub use model::*;
pub use validate::warnings as load_warnings;
