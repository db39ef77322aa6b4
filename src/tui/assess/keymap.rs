//! The assessment dialog's keymap, in the shell's keymap shape: lookup, the hint bar and the
//! help come from this one table.

use crate::tui::shell;
pub use crate::tui::shell::Key;

use super::action::AssessAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Moving between rows and choosing words.
    Form,
    /// Typing the note of a factor.
    Note,
    /// Below the minimum size: only leaving.
    TooSmall,
}

pub type Keymap = shell::Keymap<Context, AssessAction>;

use Context::*;

/// Typing a note: every printable character goes into it.
fn typing(context: Context, key: Key) -> Option<AssessAction> {
    match (context, key) {
        (Note, Key::Char(c)) if !c.is_control() => Some(AssessAction::Type(c)),
        _ => None,
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut km = Keymap::new(typing);
        km.bind(&[Form], Key::Up, AssessAction::Up, "previous row");
        km.bind(&[Form], Key::Char('k'), AssessAction::Up, "previous row");
        km.bind(&[Form], Key::Down, AssessAction::Down, "next row");
        km.bind(&[Form], Key::Char('j'), AssessAction::Down, "next row");
        km.hint(
            &[Form],
            Key::Left,
            AssessAction::Prev,
            "previous word",
            "choose",
        );
        km.bind(&[Form], Key::Char('h'), AssessAction::Prev, "previous word");
        km.bind(&[Form], Key::Right, AssessAction::Next, "next word");
        km.bind(&[Form], Key::Char('l'), AssessAction::Next, "next word");
        km.hint(
            &[Form],
            Key::Enter,
            AssessAction::EditNote,
            "write the factor's note (what it rests on)",
            "note",
        );
        km.hint(
            &[Form],
            Key::Char('r'),
            AssessAction::Confirm,
            "record the assessment as shown",
            "record",
        );
        km.hint(
            &[Form, TooSmall],
            Key::Char('q'),
            AssessAction::Cancel,
            "leave, nothing recorded",
            "cancel",
        );
        km.bind(
            &[Form],
            Key::Esc,
            AssessAction::Cancel,
            "leave, nothing recorded",
        );
        km.hint(
            &[Note],
            Key::Enter,
            AssessAction::NoteDone,
            "end the note",
            "done",
        );
        km.bind(&[Note], Key::Esc, AssessAction::NoteDone, "end the note");
        km.bind(
            &[Note],
            Key::Backspace,
            AssessAction::Backspace,
            "delete a character",
        );
        km.bind(
            &[Form, Note, TooSmall],
            Key::Ctrl('c'),
            AssessAction::Cancel,
            "leave at once, nothing recorded",
        );
        km
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_and_typing_goes_into_the_note() {
        let km = Keymap::default();
        assert_eq!(km.duplicates(), vec![]);
        assert_eq!(
            km.lookup(Note, Key::Char('q')),
            Some(AssessAction::Type('q'))
        );
        assert_eq!(km.lookup(Form, Key::Char('q')), Some(AssessAction::Cancel));
        assert_eq!(km.lookup(Form, Key::Char('x')), None);
        assert_eq!(km.lookup(TooSmall, Key::Char('r')), None);
    }
}
