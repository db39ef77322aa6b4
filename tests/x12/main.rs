//! X12 837 import: claims (properties), the CLI, public fixtures.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

#[path = "../x12_support/mod.rs"]
mod x12_support;

mod claims;
mod cli;
mod fixtures;
