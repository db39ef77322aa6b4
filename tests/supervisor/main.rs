//! Supervisor review without a terminal: the core, the CLI, the live loop.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

#[path = "../log_support/mod.rs"]
mod log_support;

mod cli;
mod core;
mod live_loop;
