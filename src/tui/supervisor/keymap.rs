//! The supervisor keymap, in the shell's keymap shape: lookup, the help overlay and the
//! hint bar come from this one table. Keys mean what they mean in `review` (docs/keys.md):
//! the decision keys `a` `d` `e` `f` are never bound here (nothing here decides), `u`
//! filters by decision, `/` filters by text, `Esc` clears filters.

use std::sync::LazyLock;

use crate::tui::shell;
pub use crate::tui::shell::Key;

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

/// The supervisor screen's keymap.
pub type Keymap = shell::Keymap<SupContext, SupAction>;

fn typed_text(ctx: SupContext, key: Key) -> Option<SupAction> {
    match (ctx, key) {
        (SupContext::Filter, Key::Char(c)) if !c.is_control() => Some(SupAction::FilterChar(c)),
        _ => None,
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        use SupAction as A;
        use SupContext as C;
        let mut km = Keymap::new(typed_text);
        let list = &[C::List][..];
        km.bind(list, Key::Down, A::Down, "next entry");
        km.hint(list, Key::Char('j'), A::Down, "next entry", "move");
        km.bind(list, Key::Up, A::Up, "previous entry");
        km.bind(list, Key::Char('k'), A::Up, "previous entry");
        km.bind(list, Key::PageDown, A::PageDown, "page down");
        km.bind(list, Key::PageUp, A::PageUp, "page up");
        km.bind(list, Key::Home, A::Top, "first entry");
        km.bind(list, Key::Char('g'), A::Top, "first entry");
        km.bind(list, Key::End, A::Bottom, "last entry");
        km.bind(list, Key::Char('G'), A::Bottom, "last entry");
        km.hint(
            list,
            Key::Tab,
            A::ToggleSummary,
            "entry list / summary",
            "summary",
        );
        km.hint(
            list,
            Key::Char('/'),
            A::FilterStart,
            "filter by text",
            "filter",
        );
        km.hint(
            list,
            Key::Char('u'),
            A::CycleDecision,
            "quick filter: cycle the decision",
            "decision",
        );
        km.hint(
            list,
            Key::Char('o'),
            A::ToggleOverrides,
            "overrides only",
            "overrides",
        );
        km.hint(
            list,
            Key::Char('F'),
            A::ToggleFailed,
            "failed entries only",
            "failed",
        );
        km.bind(list, Key::Esc, A::ClearFilters, "clear every filter");
        km.bind(list, Key::Char('c'), A::ClearFilters, "clear every filter");
        km.hint(list, Key::Char('?'), A::ToggleHelp, "help", "help");
        km.hint(list, Key::Char('q'), A::Quit, "quit", "quit");
        km.bind(list, Key::Ctrl('c'), A::Quit, "quit");
        km.hint(
            &[C::Filter],
            Key::Enter,
            A::FilterDone,
            "keep the filter",
            "keep",
        );
        km.hint(
            &[C::Filter],
            Key::Esc,
            A::ClearFilters,
            "clear the text filter",
            "clear",
        );
        km.bind(
            &[C::Filter],
            Key::Backspace,
            A::FilterBackspace,
            "delete a character",
        );
        km.bind(&[C::Filter], Key::Ctrl('c'), A::Quit, "quit");
        km.hint(&[C::Help], Key::Esc, A::ToggleHelp, "close help", "close");
        km.bind(&[C::Help], Key::Char('?'), A::ToggleHelp, "close help");
        km.bind(&[C::Help], Key::Char('q'), A::ToggleHelp, "close help");
        km.bind(&[C::Help], Key::Ctrl('c'), A::Quit, "quit");
        km.hint(&[C::Loading], Key::Char('q'), A::Quit, "quit", "quit");
        km.bind(&[C::Loading], Key::Esc, A::Quit, "quit");
        km.bind(&[C::Loading, C::TooSmall], Key::Ctrl('c'), A::Quit, "quit");
        km.bind(&[C::TooSmall], Key::Char('q'), A::Quit, "quit");
        km
    }
}

/// The one supervisor keymap.
pub static KEYMAP: LazyLock<Keymap> = LazyLock::new(Keymap::default);

/// The action bound to `key` in `ctx`; in the filter, other printable keys are text.
pub fn lookup(ctx: SupContext, key: Key) -> Option<SupAction> {
    KEYMAP.lookup(ctx, key)
}

/// The hint bar for `ctx`: `key label` pairs from the table.
pub fn hints(ctx: SupContext, ascii: bool) -> Vec<(String, &'static str)> {
    KEYMAP.hints(ctx, ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        assert_eq!(KEYMAP.duplicates(), vec![]);
    }
}
