//! The review screen's keymap: one table of (key, action, context, help) in the shell's
//! keymap shape. Key lookup, the `?` help overlay and the hint bar are generated from it.

use crate::decision::Decision;
use crate::tui::shell;
pub use crate::tui::shell::Key;

use super::action::Action;

/// Where a binding applies: the screen or dialog that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Queue,
    Filter,
    Reason,
    Note,
    Confirm,
    Overlay,
    Help,
    /// Below the minimum size nothing is visible, so nothing but quitting may act.
    TooSmall,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Queue => "Queue",
            Context::Filter => "Filter (typing)",
            Context::Reason => "Reason picker",
            Context::Note => "Note (typing)",
            Context::Confirm => "Override confirmation",
            Context::Overlay => "Trace / statement",
            Context::Help => "Help",
            Context::TooSmall => "Terminal too small",
        }
    }

    /// Contexts where printable keys not in the table are typed text.
    pub fn takes_text(self) -> bool {
        matches!(self, Context::Filter | Context::Note)
    }
}

pub type Binding = shell::Binding<Context, Action>;

/// The review screen's keymap.
pub type Keymap = shell::Keymap<Context, Action>;

fn b(key: Key, action: Action, context: Context, help: &'static str) -> Binding {
    Binding {
        key,
        action,
        context,
        help,
        hint: None,
    }
}

fn h(
    key: Key,
    action: Action,
    context: Context,
    help: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        key,
        action,
        context,
        help,
        hint: Some(hint),
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use Context::*;
        use Key as K;
        let bindings = vec![
            // Queue: deciding first, because the hint bar is read left to right.
            h(
                K::Char('a'),
                Action::Decide(Decision::Approve),
                Queue,
                "approve the selected disclosure",
                "approve",
            ),
            h(
                K::Char('d'),
                Action::Decide(Decision::Deny),
                Queue,
                "deny it (a reason is required)",
                "deny",
            ),
            h(
                K::Char('e'),
                Action::Decide(Decision::Escalate),
                Queue,
                "escalate to the privacy officer",
                "escalate",
            ),
            h(
                K::Char('f'),
                Action::Decide(Decision::Defer),
                Queue,
                "defer it (decide later)",
                "defer",
            ),
            b(
                K::Char('v'),
                Action::ToggleMark,
                Queue,
                "mark for a bulk defer (f) or escalate (e); never approve or deny",
            ),
            h(
                K::Char('n'),
                Action::NextUndecided,
                Queue,
                "next match while searching, else next undecided",
                "next",
            ),
            h(
                K::Char('/'),
                Action::StartFilter,
                Queue,
                "filter by id, patient, recipient, verdict (Tab: search)",
                "filter",
            ),
            b(
                K::Char('N'),
                Action::PrevMatch,
                Queue,
                "previous search match",
            ),
            b(K::Down, Action::Down, Queue, "move down"),
            b(K::Char('j'), Action::Down, Queue, "move down"),
            b(K::Up, Action::Up, Queue, "move up"),
            b(K::Char('k'), Action::Up, Queue, "move up"),
            b(K::PageDown, Action::PageDown, Queue, "page down"),
            b(K::PageUp, Action::PageUp, Queue, "page up"),
            b(K::Home, Action::Home, Queue, "first disclosure"),
            b(K::Char('g'), Action::Home, Queue, "first disclosure"),
            b(K::End, Action::End, Queue, "last disclosure"),
            b(K::Char('G'), Action::End, Queue, "last disclosure"),
            b(
                K::Char('p'),
                Action::CyclePart2Filter,
                Queue,
                "quick filter: cycle Part 2 verdict",
            ),
            b(
                K::Char('u'),
                Action::CycleDecidedFilter,
                Queue,
                "quick filter: all / undecided / decided / escalated",
            ),
            b(
                K::Char('E'),
                Action::FilterEscalated,
                Queue,
                "quick filter: escalated items only (again: all)",
            ),
            b(
                K::Char('s'),
                Action::CycleSort,
                Queue,
                "sort: file / verdict / date / recipient",
            ),
            b(
                K::Char('S'),
                Action::ReverseSort,
                Queue,
                "reverse the sort order (the marker shows ▲ up or ▼ down)",
            ),
            h(
                K::Char('t'),
                Action::ShowTrace,
                Queue,
                "verdicts in full, citations, rule trace and consent checks",
                "details",
            ),
            h(
                K::Char('x'),
                Action::ShowStatement,
                Queue,
                "show the §2.32 statement and consent explanation",
                "notice",
            ),
            b(
                K::Char('w'),
                Action::SaveAttachment,
                Queue,
                "save the §2.32 statement and consent explanation to a file",
            ),
            b(
                K::Char('R'),
                Action::Reload,
                Queue,
                "reload the queue file from disk",
            ),
            b(
                K::Char('m'),
                Action::ShowMessages,
                Queue,
                "all messages in full (errors, saved file paths)",
            ),
            b(K::Esc, Action::Cancel, Queue, "clear the filters"),
            h(K::Char('?'), Action::Help, Queue, "all keys", "help"),
            h(K::Char('q'), Action::Quit, Queue, "quit", "quit"),
            b(K::Ctrl('c'), Action::Quit, Queue, "quit"),
            // Filter line.
            h(
                K::Enter,
                Action::Accept,
                Filter,
                "keep the filter and go back to the list",
                "keep",
            ),
            h(
                K::Esc,
                Action::Cancel,
                Filter,
                "clear the filter (or the search)",
                "clear",
            ),
            b(
                K::Backspace,
                Action::Backspace,
                Filter,
                "delete a character",
            ),
            b(
                K::Ctrl('w'),
                Action::DeleteWord,
                Filter,
                "delete the word before the cursor",
            ),
            b(
                K::Ctrl('u'),
                Action::ClearLine,
                Filter,
                "clear the filter text",
            ),
            h(
                K::Tab,
                Action::ToggleSearch,
                Filter,
                "switch: filter (narrow the list) / search (jump to matches, n N)",
                "filter/search",
            ),
            b(K::Down, Action::Down, Filter, "move down in the matches"),
            b(K::Up, Action::Up, Filter, "move up in the matches"),
            b(K::Ctrl('c'), Action::Quit, Filter, "quit"),
            // Reason picker.
            h(
                K::Enter,
                Action::Accept,
                Reason,
                "accept the highlighted reason",
                "accept",
            ),
            b(K::Down, Action::Down, Reason, "next reason"),
            b(K::Char('j'), Action::Down, Reason, "next reason"),
            b(K::Up, Action::Up, Reason, "previous reason"),
            b(K::Char('k'), Action::Up, Reason, "previous reason"),
            h(
                K::Esc,
                Action::Cancel,
                Reason,
                "cancel: nothing is recorded",
                "cancel",
            ),
            b(K::Ctrl('c'), Action::Cancel, Reason, "cancel"),
            // Note.
            h(
                K::Enter,
                Action::Accept,
                Note,
                "record the decision (the note is optional)",
                "record",
            ),
            b(K::Backspace, Action::Backspace, Note, "delete a character"),
            b(
                K::Ctrl('w'),
                Action::DeleteWord,
                Note,
                "delete the word before the cursor",
            ),
            b(K::Ctrl('u'), Action::ClearLine, Note, "clear the note"),
            h(
                K::Esc,
                Action::Cancel,
                Note,
                "back to the reason picker",
                "back",
            ),
            b(K::Ctrl('c'), Action::Cancel, Note, "cancel"),
            // Override confirmation.
            h(
                K::Char('y'),
                Action::Yes,
                Confirm,
                "yes, approve against the verdict",
                "yes",
            ),
            h(K::Char('n'), Action::No, Confirm, "no, go back", "no"),
            b(
                K::Tab,
                Action::SwitchChoice,
                Confirm,
                "switch the highlighted choice",
            ),
            b(
                K::Left,
                Action::SwitchChoice,
                Confirm,
                "switch the highlighted choice",
            ),
            b(
                K::Right,
                Action::SwitchChoice,
                Confirm,
                "switch the highlighted choice",
            ),
            h(
                K::Enter,
                Action::Accept,
                Confirm,
                "accept the highlighted choice",
                "accept",
            ),
            b(K::Esc, Action::No, Confirm, "no, go back"),
            b(K::Ctrl('c'), Action::No, Confirm, "no, go back"),
            // Trace / statement overlay.
            h(K::Esc, Action::Cancel, Overlay, "close", "close"),
            b(K::Char('q'), Action::Cancel, Overlay, "close"),
            b(
                K::Char('t'),
                Action::ShowTrace,
                Overlay,
                "verdicts in full, citations, rule trace and consent checks",
            ),
            b(
                K::Char('x'),
                Action::ShowStatement,
                Overlay,
                "the §2.32 statement",
            ),
            h(
                K::Char('w'),
                Action::SaveAttachment,
                Overlay,
                "save the statement and consent explanation to a file",
                "save",
            ),
            b(K::Down, Action::Down, Overlay, "scroll down"),
            b(K::Char('j'), Action::Down, Overlay, "scroll down"),
            b(K::Up, Action::Up, Overlay, "scroll up"),
            b(K::Char('k'), Action::Up, Overlay, "scroll up"),
            b(K::PageDown, Action::PageDown, Overlay, "page down"),
            b(K::PageUp, Action::PageUp, Overlay, "page up"),
            b(K::Ctrl('c'), Action::Cancel, Overlay, "close"),
            // Help.
            h(K::Esc, Action::Cancel, Help, "close help", "close"),
            b(K::PageDown, Action::PageDown, Help, "page down"),
            b(K::PageUp, Action::PageUp, Help, "page up"),
            b(K::Char('?'), Action::Cancel, Help, "close help"),
            b(K::Char('q'), Action::Cancel, Help, "close help"),
            b(K::Down, Action::Down, Help, "scroll down"),
            b(K::Char('j'), Action::Down, Help, "scroll down"),
            b(K::Up, Action::Up, Help, "scroll up"),
            b(K::Char('k'), Action::Up, Help, "scroll up"),
            b(K::Ctrl('c'), Action::Cancel, Help, "close help"),
            // Terminal too small: only quitting; every other key is inert.
            b(K::Char('q'), Action::Quit, TooSmall, "quit"),
            b(K::Ctrl('c'), Action::Quit, TooSmall, "quit"),
        ];
        Keymap {
            bindings,
            fallback: typed_text,
        }
    }
}

/// Printable characters are typed text where the context takes text and the table has no
/// binding for them.
fn typed_text(context: Context, key: Key) -> Option<Action> {
    match key {
        Key::Char(c) if context.takes_text() => Some(Action::Input(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        assert_eq!(Keymap::default().duplicates(), vec![]);
    }

    #[test]
    fn essential_keys_are_bound_everywhere() {
        let km = Keymap::default();
        use Context::*;
        for ctx in [Queue, Filter, Reason, Note, Confirm, Overlay, Help] {
            assert!(
                km.lookup(ctx, Key::Ctrl('c')).is_some(),
                "Ctrl-c in {ctx:?}"
            );
            assert!(km.lookup(ctx, Key::Esc).is_some(), "Esc in {ctx:?}");
        }
        assert!(matches!(
            km.lookup(Queue, Key::Char('q')),
            Some(Action::Quit)
        ));
        assert!(matches!(
            km.lookup(Note, Key::Char('q')),
            Some(Action::Input('q'))
        ));
        assert!(km.lookup(Queue, Key::Char('Z')).is_none());
    }

    #[test]
    fn help_joins_keys_with_the_same_text() {
        let km = Keymap::default();
        let rows = km.help_rows(Context::Queue, true);
        assert!(
            rows.iter()
                .any(|(k, h)| k == "Down / j" && *h == "move down")
        );
    }
}
