//! The keymap is data: one table of (key, action, context, help). Key lookup, the `?` help
//! overlay and the hint bar are all generated from it, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::decision::Decision;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    Tab,
    Backspace,
}

impl Key {
    pub fn label(self, ascii: bool) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Up if ascii => "Up".into(),
            Key::Down if ascii => "Down".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "Left".into(),
            Key::Right => "Right".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Tab => "Tab".into(),
            Key::Backspace => "Bksp".into(),
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab | KeyCode::BackTab => Key::Tab,
            KeyCode::Backspace => Key::Backspace,
            _ => return None,
        })
    }
}

pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub context: Context,
    pub help: &'static str,
    /// Shown in the one-line hint bar (the first binding of an action with the same help).
    pub hint: Option<&'static str>,
}

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

pub struct Keymap {
    pub bindings: Vec<Binding>,
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
            h(
                K::Char('n'),
                Action::NextUndecided,
                Queue,
                "go to the next undecided disclosure",
                "next",
            ),
            h(
                K::Char('/'),
                Action::StartFilter,
                Queue,
                "filter by id, patient, recipient or verdict",
                "filter",
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
            h(K::Esc, Action::Cancel, Filter, "clear the filter", "clear"),
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
        Keymap { bindings }
    }
}

impl Keymap {
    /// The action for a key in a context; printable characters are typed text where the
    /// context takes text and the table has no binding for them.
    pub fn lookup(&self, context: Context, key: Key) -> Option<Action> {
        if let Some(b) = self
            .bindings
            .iter()
            .find(|b| b.context == context && b.key == key)
        {
            return Some(b.action.clone());
        }
        match key {
            Key::Char(c) if context.takes_text() => Some(Action::Input(c)),
            _ => None,
        }
    }

    pub fn for_context(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// `key label` pairs for the hint bar, in table order.
    pub fn hints(&self, context: Context, ascii: bool) -> Vec<(String, &'static str)> {
        self.for_context(context)
            .filter_map(|b| b.hint.map(|h| (b.key.label(ascii), h)))
            .collect()
    }

    /// Help lines per context: keys with the same help text are joined ("↓ / j").
    pub fn help_rows(&self, context: Context, ascii: bool) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &'static str)> = Vec::new();
        for b in self.for_context(context) {
            let label = b.key.label(ascii);
            match rows.iter_mut().find(|(_, h)| *h == b.help) {
                Some((keys, _)) => {
                    keys.push_str(" / ");
                    keys.push_str(&label);
                }
                None => rows.push((label, b.help)),
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let km = Keymap::default();
        for (i, a) in km.bindings.iter().enumerate() {
            for bb in &km.bindings[i + 1..] {
                assert!(
                    !(a.context == bb.context && a.key == bb.key),
                    "{:?} bound twice in {:?}",
                    a.key,
                    a.context
                );
            }
        }
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
