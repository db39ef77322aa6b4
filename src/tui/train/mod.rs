//! The practice TUI of `p2review train` (docs/cli.md#train), laid out like the review TUI: `action`,
//! `keymap` (data), `app`, one `update`, a pure `view`, `runtime` (its shell `Screen`). Practice
//! answers never leave this module; only the final score goes out, through the
//! `RecordCompletion` effect.

pub(crate) mod action;
pub(crate) mod app;
pub(crate) mod keymap;
pub(crate) mod runtime;
pub(crate) mod update;
pub(crate) mod view;

pub use action::{TrainAction, TrainEffect};
pub use app::{Scenario, TrainApp};
pub use runtime::run;
pub use update::update;
pub use view::view;
