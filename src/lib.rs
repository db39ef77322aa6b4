//! p2review: review disclosures of 42 CFR Part 2 records beside HIPAA and keep a signed,
//! tamper-evident decision log.
//!
//! The domain core (`queue`, `facts`, `policy`, `engine`, `log`, `training`, `import`)
//! has no terminal dependency; `tui` is a thin layer behind the `tui` feature.

pub mod cli;
pub mod decision;
pub mod digest;
pub mod engine;
pub mod facts;
pub mod import;
pub mod incident;
pub mod log;
pub mod note_screen;
pub mod paths;
pub mod policy;
pub mod presence;
pub mod queue;
pub mod supervise;
pub mod team;
pub mod text;
pub mod training;
#[cfg(feature = "tui")]
pub mod tui;
pub mod verdict;
