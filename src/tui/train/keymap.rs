//! The practice keymap as data: lookup, the help overlay and the hint bar come from one table.

use super::super::keymap::Key;
use super::app::TrainAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Choosing a Part 2 or HIPAA status from a list.
    Pick,
    /// The §2.32 notice question.
    YesNo,
    Reveal,
    End,
    Help,
    /// Below the minimum size nothing is visible: only quitting.
    TooSmall,
}

pub struct Binding {
    pub key: Key,
    pub action: TrainAction,
    pub contexts: &'static [Context],
    pub help: &'static str,
    pub hint: Option<&'static str>,
}

pub struct Keymap {
    pub bindings: Vec<Binding>,
}

use Context::*;

impl Default for Keymap {
    fn default() -> Keymap {
        let b = |key, action, contexts, help, hint| Binding {
            key,
            action,
            contexts,
            help,
            hint,
        };
        let mut v = vec![
            b(
                Key::Up,
                TrainAction::Up,
                &[Pick][..],
                "previous option",
                None,
            ),
            b(
                Key::Char('k'),
                TrainAction::Up,
                &[Pick],
                "previous option",
                None,
            ),
            b(Key::Down, TrainAction::Down, &[Pick], "next option", None),
            b(
                Key::Char('j'),
                TrainAction::Down,
                &[Pick],
                "next option",
                None,
            ),
            b(
                Key::Enter,
                TrainAction::Choose,
                &[Pick],
                "answer with the option under the cursor",
                Some("answer"),
            ),
            b(
                Key::Char('y'),
                TrainAction::Yes,
                &[YesNo],
                "yes, the 2.32 notice must go with it",
                Some("yes"),
            ),
            b(
                Key::Char('n'),
                TrainAction::No,
                &[YesNo],
                "no notice is needed",
                Some("no"),
            ),
            b(
                Key::Enter,
                TrainAction::Next,
                &[Reveal],
                "next scenario",
                Some("next"),
            ),
            b(
                Key::Char(' '),
                TrainAction::Next,
                &[Reveal],
                "next scenario",
                None,
            ),
            b(
                Key::Char('?'),
                TrainAction::Help,
                &[Pick, YesNo, Reveal, End],
                "keys",
                Some("help"),
            ),
            b(
                Key::Char('q'),
                TrainAction::Quit,
                &[Pick, YesNo, Reveal, End, TooSmall],
                "quit (an unfinished session records nothing)",
                Some("quit"),
            ),
            b(
                Key::Ctrl('c'),
                TrainAction::Quit,
                &[Pick, YesNo, Reveal, End, Help, TooSmall],
                "quit (an unfinished session records nothing)",
                None,
            ),
        ];
        for n in 1..=7u8 {
            v.push(b(
                Key::Char((b'0' + n) as char),
                TrainAction::Pick(n),
                &[Pick],
                "answer with option 1-7",
                if n == 1 { Some("answer 1-7") } else { None },
            ));
        }
        Keymap { bindings: v }
    }
}

impl Keymap {
    pub fn lookup(&self, context: Context, key: Key) -> Option<TrainAction> {
        if context == Help {
            // Any key closes help (update does that); Ctrl-C still quits.
            return Some(if key == Key::Ctrl('c') {
                TrainAction::Quit
            } else {
                TrainAction::Help
            });
        }
        self.bindings
            .iter()
            .find(|b| b.key == key && b.contexts.contains(&context))
            .map(|b| b.action.clone())
    }

    pub fn hints(&self, context: Context, ascii: bool) -> Vec<(String, &'static str)> {
        self.bindings
            .iter()
            .filter(|b| b.contexts.contains(&context))
            .filter_map(|b| b.hint.map(|h| (b.key.label(ascii), h)))
            .collect()
    }

    /// Help lines for a context; keys with the same text are joined.
    pub fn help_rows(&self, context: Context, ascii: bool) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &'static str)> = Vec::new();
        for b in self
            .bindings
            .iter()
            .filter(|b| b.contexts.contains(&context))
        {
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
            for b in &km.bindings[i + 1..] {
                let shared = a.contexts.iter().any(|c| b.contexts.contains(c));
                assert!(!(a.key == b.key && shared), "{:?} bound twice", a.key);
            }
        }
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
    }
}
