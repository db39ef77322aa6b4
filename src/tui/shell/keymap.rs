//! Keys as data, one shape for every screen: a table of (context, key, action, help, hint).
//! Lookup, the `?` help overlay and the hint bar are all generated from the same table, so
//! they cannot disagree. A screen supplies its own context and action types.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as the keymaps name it (modifiers other than Ctrl are folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Keys the shell itself handles on every screen, before the screen's keymap (the help
/// overlays list them after the screen's own keys).
pub const SHELL_KEYS: &[(Key, &str)] = &[(Key::Ctrl('z'), "suspend to the shell (`fg` resumes)")];

pub struct Binding<C, A> {
    pub key: Key,
    pub action: A,
    pub context: C,
    pub help: &'static str,
    /// Shown in the one-line hint bar.
    pub hint: Option<&'static str>,
}

/// A screen's keymap: bindings in table order (the hint bar reads left to right in it),
/// and what keys not in the table mean (typed text in an input field, or nothing).
pub struct Keymap<C, A> {
    pub bindings: Vec<Binding<C, A>>,
    pub fallback: fn(C, Key) -> Option<A>,
}

impl<C: Copy + PartialEq, A: Clone> Keymap<C, A> {
    /// An empty table; `fallback` gives the action of keys the table does not bind.
    pub fn new(fallback: fn(C, Key) -> Option<A>) -> Self {
        Keymap {
            bindings: Vec::new(),
            fallback,
        }
    }

    /// Bind `key` to `action` in each of `contexts`.
    pub fn bind(&mut self, contexts: &[C], key: Key, action: A, help: &'static str) {
        self.push(contexts, key, action, help, None);
    }

    /// Like [`Keymap::bind`], and show it in the hint bar as `hint`.
    pub fn hint(
        &mut self,
        contexts: &[C],
        key: Key,
        action: A,
        help: &'static str,
        hint: &'static str,
    ) {
        self.push(contexts, key, action, help, Some(hint));
    }

    fn push(
        &mut self,
        contexts: &[C],
        key: Key,
        action: A,
        help: &'static str,
        hint: Option<&'static str>,
    ) {
        for &context in contexts {
            self.bindings.push(Binding {
                key,
                action: action.clone(),
                context,
                help,
                hint,
            });
        }
    }

    /// The action for a key in a context: the table first, then the fallback.
    pub fn lookup(&self, context: C, key: Key) -> Option<A> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.key == key)
            .map(|b| b.action.clone())
            .or_else(|| (self.fallback)(context, key))
    }

    pub fn for_context(&self, context: C) -> impl Iterator<Item = &Binding<C, A>> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// `key label` pairs for the hint bar, in table order.
    pub fn hints(&self, context: C, ascii: bool) -> Vec<(String, &'static str)> {
        self.for_context(context)
            .filter_map(|b| b.hint.map(|h| (b.key.label(ascii), h)))
            .collect()
    }

    /// Help lines for a context: keys with the same help text are joined ("↓ / j").
    pub fn help_rows(&self, context: C, ascii: bool) -> Vec<(String, &'static str)> {
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

    /// Keys bound twice in one context (a keymap test asserts there are none).
    pub fn duplicates(&self) -> Vec<Key> {
        let mut out = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            if self.bindings[i + 1..]
                .iter()
                .any(|b| a.context == b.context && a.key == b.key)
            {
                out.push(a.key);
            }
        }
        out
    }
}

/// The help text of `key` in `context`, for tests and docs that check one key's meaning.
pub fn meaning<C: Copy + PartialEq, A: Clone>(
    km: &Keymap<C, A>,
    context: C,
    key: Key,
) -> Option<&'static str> {
    km.for_context(context)
        .find(|b| b.key == key)
        .map(|b| b.help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum C {
        List,
        Text,
    }

    fn km() -> Keymap<C, &'static str> {
        let mut km = Keymap::new(|c, k| match (c, k) {
            (C::Text, Key::Char(_)) => Some("typed"),
            _ => None,
        });
        km.hint(&[C::List], Key::Char('j'), "down", "move down", "move");
        km.bind(&[C::List], Key::Down, "down", "move down");
        km.bind(&[C::List, C::Text], Key::Ctrl('c'), "quit", "quit");
        km
    }

    #[test]
    fn table_then_fallback() {
        let km = km();
        assert_eq!(km.lookup(C::List, Key::Char('j')), Some("down"));
        assert_eq!(km.lookup(C::List, Key::Char('x')), None);
        assert_eq!(km.lookup(C::Text, Key::Char('j')), Some("typed"));
        assert_eq!(km.lookup(C::Text, Key::Ctrl('c')), Some("quit"));
    }

    #[test]
    fn help_and_hints_come_from_the_table() {
        let km = km();
        assert_eq!(km.hints(C::List, true), vec![("j".to_owned(), "move")]);
        assert_eq!(
            km.help_rows(C::List, true),
            vec![
                ("j / Down".to_owned(), "move down"),
                ("Ctrl-c".to_owned(), "quit")
            ]
        );
        assert!(km.duplicates().is_empty());
        assert_eq!(meaning(&km, C::Text, Key::Ctrl('c')), Some("quit"));
    }
}
