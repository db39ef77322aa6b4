//! The supervisor keymap as data: lookup, the help overlay and the hint bar come from
//! this one table.

use super::super::keymap::Key;
use super::action::SupAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupContext {
    List,
    /// Typing the `/` filter: printable keys not in the table are text.
    Filter,
    Help,
    /// Verifying the logs: only quitting.
    Loading,
    /// Below the minimum size nothing is visible: only quitting.
    TooSmall,
}

pub struct SupBinding {
    pub key: Key,
    pub action: SupAction,
    pub context: SupContext,
    pub help: &'static str,
    /// Shown in the hint bar.
    pub hint: Option<&'static str>,
}

const fn b(
    key: Key,
    action: SupAction,
    context: SupContext,
    help: &'static str,
    hint: Option<&'static str>,
) -> SupBinding {
    SupBinding {
        key,
        action,
        context,
        help,
        hint,
    }
}

use SupAction as A;
use SupContext as C;

pub const BINDINGS: &[SupBinding] = &[
    b(Key::Down, A::Down, C::List, "next entry", None),
    b(Key::Char('j'), A::Down, C::List, "next entry", Some("move")),
    b(Key::Up, A::Up, C::List, "previous entry", None),
    b(Key::Char('k'), A::Up, C::List, "previous entry", None),
    b(Key::PageDown, A::PageDown, C::List, "page down", None),
    b(Key::PageUp, A::PageUp, C::List, "page up", None),
    b(Key::Home, A::Top, C::List, "first entry", None),
    b(Key::Char('g'), A::Top, C::List, "first entry", None),
    b(Key::End, A::Bottom, C::List, "last entry", None),
    b(Key::Char('G'), A::Bottom, C::List, "last entry", None),
    b(
        Key::Tab,
        A::ToggleSummary,
        C::List,
        "entry list / summary",
        Some("summary"),
    ),
    b(
        Key::Char('s'),
        A::ToggleSummary,
        C::List,
        "entry list / summary",
        None,
    ),
    b(
        Key::Char('/'),
        A::FilterStart,
        C::List,
        "filter by text",
        Some("filter"),
    ),
    b(
        Key::Char('d'),
        A::CycleDecision,
        C::List,
        "cycle decision filter",
        Some("decision"),
    ),
    b(
        Key::Char('o'),
        A::ToggleOverrides,
        C::List,
        "overrides only",
        Some("overrides"),
    ),
    b(
        Key::Char('f'),
        A::ToggleFailed,
        C::List,
        "failed entries only",
        Some("failed"),
    ),
    b(
        Key::Char('c'),
        A::ClearFilters,
        C::List,
        "clear every filter",
        None,
    ),
    b(Key::Char('?'), A::ToggleHelp, C::List, "help", Some("help")),
    b(Key::Char('q'), A::Quit, C::List, "quit", Some("quit")),
    b(Key::Ctrl('c'), A::Quit, C::List, "quit", None),
    b(
        Key::Enter,
        A::FilterDone,
        C::Filter,
        "keep the filter",
        Some("keep"),
    ),
    b(
        Key::Esc,
        A::ClearFilters,
        C::Filter,
        "clear the text filter",
        Some("clear"),
    ),
    b(
        Key::Backspace,
        A::FilterBackspace,
        C::Filter,
        "delete a character",
        None,
    ),
    b(Key::Ctrl('c'), A::Quit, C::Filter, "quit", None),
    b(
        Key::Esc,
        A::ToggleHelp,
        C::Help,
        "close help",
        Some("close"),
    ),
    b(Key::Char('?'), A::ToggleHelp, C::Help, "close help", None),
    b(Key::Char('q'), A::ToggleHelp, C::Help, "close help", None),
    b(Key::Ctrl('c'), A::Quit, C::Help, "quit", None),
    b(Key::Char('q'), A::Quit, C::Loading, "quit", Some("quit")),
    b(Key::Esc, A::Quit, C::Loading, "quit", None),
    b(Key::Ctrl('c'), A::Quit, C::Loading, "quit", None),
    b(Key::Char('q'), A::Quit, C::TooSmall, "quit", None),
    b(Key::Ctrl('c'), A::Quit, C::TooSmall, "quit", None),
];

/// The action bound to `key` in `ctx`; in the filter, other printable keys are text.
pub fn lookup(ctx: SupContext, key: Key) -> Option<SupAction> {
    if let Some(b) = BINDINGS.iter().find(|b| b.context == ctx && b.key == key) {
        return Some(b.action);
    }
    match (ctx, key) {
        (SupContext::Filter, Key::Char(c)) if !c.is_control() => Some(SupAction::FilterChar(c)),
        _ => None,
    }
}

/// The hint bar for `ctx`: `key label` pairs from the table.
pub fn hints(ctx: SupContext, ascii: bool) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.context == ctx)
        .filter_map(|b| b.hint.map(|h| (b.key.label(ascii), h)))
        .collect()
}
