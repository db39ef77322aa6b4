//! The evaluation: facts in, Part 2 and HIPAA verdicts out (SPEC §4–§5). One function
//! serves the TUI, `evaluate`, `decide`, training and the tests.

pub mod result;

pub use result::*;
