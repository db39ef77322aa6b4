//! Training: the CLI, `train status`, the packs and their answer keys.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

#[path = "../log_support/mod.rs"]
mod log_support;

mod answer_keys;
mod cli;
mod packs;
mod status;
