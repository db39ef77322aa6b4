//! Everything that can happen in the supervisor TUI, keys and background loading alike.

use crate::supervise::{LoadProgress, Loaded};

/// The verified logs, handed over once (compared by identity: two loads are never equal).
#[derive(Debug, Clone)]
pub struct LoadedLogs(pub Box<Loaded>);

impl PartialEq for LoadedLogs {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0.as_ref(), other.0.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq)]
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
    /// The background loader finished: show the list.
    Loaded(LoadedLogs),
    /// The loader failed with an internal error: the session ends with it.
    LoadFailed(String),
    /// The wheel: lines down (> 0) or up.
    Scroll(i16),
    /// A left click on a terminal row (an entry row selects it).
    Click(u16),
    Quit,
}
