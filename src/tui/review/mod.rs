//! The review screen (docs/cli.md#review): `action` (what can happen), `keymap` (keys as
//! data), `app` (state), `update` (the one place state changes), `view` (pure drawing),
//! `runtime` (effects, and the screen the shell runs), `layout` (geometry both `update` and
//! `view` use), `attachment` (the §2.32 text to save).

pub(crate) mod action;
pub mod app;
pub(crate) mod attachment;
pub(crate) mod bulk;
pub mod keymap;
pub(crate) mod layout;
pub(crate) mod runtime;
pub mod update;
pub mod view;

pub use action::Action;
pub use app::{App, EvalFn};
pub use runtime::{Driver, Loader, RunOptions, run};
pub use update::{Effect, update};
pub use view::view;
