//! The signed log: the CLI, findings, interop, parallel verification, tampering, and the rules about the source itself.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

#[path = "../log_support/mod.rs"]
mod log_support;

mod append_warm;
mod cli;
mod findings;
mod interop;
mod note_screen_cli;
mod parallel;
mod source_rules;
mod tamper;
