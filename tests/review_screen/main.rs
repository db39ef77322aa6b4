//! The review screen driven through its update/view seams (no terminal); the snapshot and PTY tests stay separate binaries.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

#[path = "../tui_common/mod.rs"]
mod tui_common;

mod accidents;
mod escape;
mod flows;
mod history;
mod minor;
mod notes;
mod sizes;
mod widths;
