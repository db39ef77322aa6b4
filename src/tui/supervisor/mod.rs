//! The supervisor's TUI (`p2review log review`, issue 5): verified entries of many logs,
//! filters, and a summary view. Read-only by construction: this module has no sink or
//! recorder at all — nothing here can write a log. Same layering as the review TUI:
//! `action`, `keymap` (keys as data), `app` (state), `update` (the one place state
//! changes), `view` (pure drawing), `runtime` (terminal lifecycle shared with `review`).

pub(crate) mod action;
pub mod app;
pub mod keymap;
pub mod runtime;
pub(crate) mod update;
pub(crate) mod view;

pub use action::SupAction;
pub use app::SupApp;
pub use runtime::{Loader, run};
pub use update::update;
pub use view::view;
