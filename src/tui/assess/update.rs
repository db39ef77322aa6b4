//! The one place the assessment dialog's state changes.

use super::action::AssessAction as A;
use super::app::{AssessApp, ROWS, words};

/// Notes are decision notes' length at most (docs/cli.md#note-screening).
const NOTE_MAX: usize = crate::decision::NOTE_MAX_CHARS;

fn push(note: &mut String, c: char) {
    if !c.is_control() && note.chars().count() < NOTE_MAX {
        note.push(c);
    }
}

/// THE state transition.
pub fn update(app: &mut AssessApp, action: A) {
    if let A::Resize(w, h) = action {
        app.size = (w, h);
        return;
    }
    if app.done.is_some() {
        return;
    }
    if crate::tui::shell::too_small(app.size) && action != A::Cancel {
        return;
    }
    app.refused = None;
    match action {
        A::Up => app.cursor = app.cursor.saturating_sub(1),
        A::Down => app.cursor = (app.cursor + 1).min(ROWS.len() - 1),
        A::Prev | A::Next => {
            let n = words(app.cursor).len();
            let c = &mut app.choice[app.cursor];
            *c = if action == A::Next {
                (*c + 1) % n
            } else {
                (*c + n - 1) % n
            };
        }
        A::EditNote if app.cursor > 0 && app.choice[app.cursor] > 0 => app.editing = true,
        A::EditNote => {
            app.refused = Some(if app.cursor == 0 {
                "the exception has no note of its own; choose a factor row".into()
            } else {
                "choose the factor's word first (Left/Right), then write its note".into()
            })
        }
        A::Type(c) if app.editing => push(&mut app.notes[app.cursor], c),
        A::Paste(s) if app.editing => {
            for c in s.chars() {
                push(&mut app.notes[app.cursor], if c == '\n' { ' ' } else { c });
            }
        }
        A::Backspace if app.editing => {
            app.notes[app.cursor].pop();
        }
        A::NoteDone => app.editing = false,
        A::Confirm => match app.problem() {
            Some(p) => app.refused = Some(p),
            None => app.done = Some(Some(app.input())),
        },
        A::Cancel => app.done = Some(None),
        A::Type(_) | A::Paste(_) | A::Backspace | A::Resize(..) => {}
    }
    app.recompute();
}
