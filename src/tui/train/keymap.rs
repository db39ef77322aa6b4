//! The practice keymap, in the shell's keymap shape: lookup, the help overlay and the hint
//! bar come from this one table.

use crate::tui::shell;
pub use crate::tui::shell::Key;

use super::action::TrainAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Choosing a Part 2 or HIPAA status from a list.
    Pick,
    /// The §2.32 notice question.
    YesNo,
    Reveal,
    End,
    Help,
    /// `q` in an unfinished pack: "abandon it?".
    ConfirmQuit,
    /// Below the minimum size nothing is visible: only quitting.
    TooSmall,
}

/// The practice screen's keymap.
pub type Keymap = shell::Keymap<Context, TrainAction>;

use Context::*;

/// Help is open: any key closes it (update does that); Ctrl-C is in the table.
fn any_key_closes_help(context: Context, _key: Key) -> Option<TrainAction> {
    (context == Help).then_some(TrainAction::Help)
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut km = Keymap::new(any_key_closes_help);
        km.bind(&[Pick], Key::Up, TrainAction::Up, "previous option");
        km.bind(&[Pick], Key::Char('k'), TrainAction::Up, "previous option");
        km.bind(&[Pick], Key::Down, TrainAction::Down, "next option");
        km.bind(&[Pick], Key::Char('j'), TrainAction::Down, "next option");
        km.hint(
            &[Pick],
            Key::Enter,
            TrainAction::Choose,
            "answer with the option under the cursor",
            "answer",
        );
        km.hint(
            &[YesNo],
            Key::Char('y'),
            TrainAction::Yes,
            "yes, the 2.32 notice must go with it",
            "yes",
        );
        km.hint(
            &[YesNo],
            Key::Char('n'),
            TrainAction::No,
            "no notice is needed",
            "no",
        );
        km.hint(
            &[Reveal],
            Key::Enter,
            TrainAction::Next,
            "next scenario",
            "next",
        );
        km.bind(
            &[Reveal],
            Key::Char(' '),
            TrainAction::Next,
            "next scenario",
        );
        km.bind(&[Reveal], Key::Down, TrainAction::Down, "scroll down");
        km.bind(&[Reveal], Key::Char('j'), TrainAction::Down, "scroll down");
        km.bind(&[Reveal], Key::Up, TrainAction::Up, "scroll up");
        km.bind(&[Reveal], Key::Char('k'), TrainAction::Up, "scroll up");
        km.hint(
            &[ConfirmQuit],
            Key::Char('y'),
            TrainAction::Abandon,
            "yes, abandon the pack (nothing is recorded)",
            "abandon",
        );
        km.hint(
            &[ConfirmQuit],
            Key::Char('n'),
            TrainAction::Stay,
            "no, keep practising",
            "keep going",
        );
        km.bind(
            &[ConfirmQuit],
            Key::Esc,
            TrainAction::Stay,
            "no, keep practising",
        );
        km.bind(
            &[ConfirmQuit],
            Key::Char('q'),
            TrainAction::Stay,
            "no, keep practising",
        );
        km.hint(
            &[Pick, YesNo, Reveal, End],
            Key::Char('?'),
            TrainAction::Help,
            "keys",
            "help",
        );
        km.hint(
            &[Pick, YesNo, Reveal],
            Key::Char('q'),
            TrainAction::Quit,
            "quit: asks first, an unfinished session records nothing",
            "quit",
        );
        km.hint(&[End], Key::Char('q'), TrainAction::Quit, "quit", "quit");
        km.bind(&[TooSmall], Key::Char('q'), TrainAction::Abandon, "quit");
        km.bind(
            &[Pick, YesNo, Reveal, End, Help, ConfirmQuit, TooSmall],
            Key::Ctrl('c'),
            TrainAction::Abandon,
            "quit at once (an unfinished session records nothing)",
        );
        for n in 1..=7u8 {
            let key = Key::Char((b'0' + n) as char);
            if n == 1 {
                km.hint(
                    &[Pick],
                    key,
                    TrainAction::Pick(n),
                    "answer with option 1-7",
                    "answer 1-7",
                );
            } else {
                km.bind(&[Pick], key, TrainAction::Pick(n), "answer with option 1-7");
            }
        }
        km
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
    fn every_answering_context_can_quit_and_get_help() {
        let km = Keymap::default();
        for c in [Pick, YesNo, Reveal, End] {
            assert_eq!(km.lookup(c, Key::Char('q')), Some(TrainAction::Quit));
            assert_eq!(km.lookup(c, Key::Char('?')), Some(TrainAction::Help));
        }
        assert_eq!(km.lookup(YesNo, Key::Char('3')), None);
        assert_eq!(km.lookup(Pick, Key::Char('3')), Some(TrainAction::Pick(3)));
        assert_eq!(km.lookup(Help, Key::Char('x')), Some(TrainAction::Help));
        assert_eq!(km.lookup(Help, Key::Ctrl('c')), Some(TrainAction::Abandon));
    }
}
