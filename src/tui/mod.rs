//! The review TUI (docs/cli.md#review), a thin layer over the core: `action` (what can happen),
//! `keymap` (keys as data), `app` (state), `update` (the one place state changes),
//! `view` (pure drawing), `runtime` (terminal, threads, effects), `sink` (the boundary to
//! the signed log). ratatui is used only under this module.

pub mod action;
pub mod app;
pub mod attachment;
pub mod keymap;
pub mod layout;
pub mod log_sink;
pub mod runtime;
pub mod sink;
pub mod supervisor;
pub mod terminal;
pub mod theme;
pub mod train;
pub mod update;
pub mod view;

pub use action::Action;
pub use app::{App, EvalFn, Look};
pub use log_sink::SignedLogSink;
pub use runtime::{Driver, Loader, RunOptions, run};
pub use sink::{DecisionInput, DecisionSink, MemorySink, Receipt, Recorded};
pub use update::{Effect, update};
pub use view::view;
