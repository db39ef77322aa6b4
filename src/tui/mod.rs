//! The terminal UI, a thin layer over the core. `shell` runs every screen: the terminal,
//! input, signals, resize, the too-small state, paste, mouse, suspend and drawing, and the
//! one keymap shape. Each screen has the same layout — `action`, `keymap` (keys as data),
//! `app` (state), `update` (the one place state changes), `view` (pure drawing), `runtime`
//! (its effects, and its `shell::Screen`): `review/` (work a queue), `supervisor/`
//! (`log review`) and `train/` (practice). `sink` is the boundary to the signed log.
//! ratatui is used only under this module.

pub mod assess;
pub(crate) mod log_sink;
pub(crate) mod review;
pub mod shell;
pub mod sink;
pub mod supervisor;
pub(crate) mod theme;
pub mod train;

// The review screen is the one most callers and tests name: its modules keep their short
// paths (`tui::app`, `tui::update`, ...).
pub use review::{app, keymap, update, view};

pub use log_sink::SignedLogSink;
pub use review::{Action, App, Driver, Effect, EvalFn, Loader, RunOptions, run};
pub use sink::{DecisionInput, DecisionSink, MemorySink, Receipt, Recorded, SinkError};
pub use theme::Look;
