//! The assessment dialog of `p2review incident assess HASH` on a terminal (docs/incidents.md):
//! the 164.402(1) exception and the four factors of 164.402(2), each from its fixed vocabulary
//! with a note, and the outcome the rules give, recomputed as the assessor chooses. Laid out
//! like the other screens: `action`, `keymap` (data), `app`, one `update`, a pure `view`,
//! `runtime` (its shell `Screen`). Nothing is recorded here: confirming hands the
//! [`AssessmentInput`](crate::incident::AssessmentInput) back to the command, which records it
//! as the flags would.

pub(crate) mod action;
pub(crate) mod app;
pub(crate) mod keymap;
pub(crate) mod runtime;
pub(crate) mod update;
pub(crate) mod view;

pub use action::AssessAction;
pub use app::AssessApp;
pub use runtime::run;
pub use update::update;
pub use view::view;
