//! The practice TUI of `p2review train` (docs/cli.md#train), built like the review TUI: actions,
//! keymap as data, one `update`, a pure `view`, and the same terminal lifecycle. Practice
//! answers never leave this module; only the final score goes out, through the
//! `RecordCompletion` effect.

pub mod app;
pub mod keymap;
pub mod runtime;
pub mod view;

pub use app::{Scenario, TrainAction, TrainApp, TrainEffect, update};
pub use runtime::run;
pub use view::view;
