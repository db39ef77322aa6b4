//! Everything that can happen in the supervisor TUI. (The loaded logs themselves arrive
//! through [`super::app::SupApp::finish_loading`]: they are not `Copy`.)

use crate::supervise::LoadProgress;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupAction {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Entry list ⇄ summary.
    ToggleSummary,
    /// Start typing the `/` text filter.
    FilterStart,
    FilterChar(char),
    FilterBackspace,
    /// Keep the typed filter and leave typing.
    FilterDone,
    /// Clear the text filter (while typing) or every filter (in the list).
    ClearFilters,
    /// All → approve → deny → escalate → defer → all.
    CycleDecision,
    ToggleOverrides,
    ToggleFailed,
    ToggleHelp,
    Resize(u16, u16),
    /// The background loader got further in one log.
    Progress(LoadProgress),
    Quit,
}
