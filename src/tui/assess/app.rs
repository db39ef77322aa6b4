//! Assessment dialog state: the word chosen on each row, the factors' notes, and the
//! outcome the rules give for what is chosen (recomputed by `update`).

use crate::incident::assess::{AssessError, Assessed, AssessmentInput, Factor, IncidentFacts};
use crate::incident::vocab::{Acquired, Exception, Mitigation, Nature, Recipient};
use crate::tui::theme::Look;

use super::keymap::{Context, Keymap};

/// The rows: the exception, then factors (i)–(iv) of 45 CFR 164.402(2).
pub const ROWS: [&str; 5] = [
    "exception (164.402(1))",
    "(i) nature and extent",
    "(ii) unauthorized person",
    "(iii) acquired or viewed",
    "(iv) mitigation",
];

/// The words of row `row`; index 0 is "none" (no exception, factor not documented).
pub fn words(row: usize) -> Vec<&'static str> {
    let mut v = vec![if row == 0 { "none" } else { "not documented" }];
    match row {
        0 => v.extend(Exception::ALL.iter().map(|w| w.as_str())),
        1 => v.extend(Nature::ALL.iter().map(|w| w.as_str())),
        2 => v.extend(Recipient::ALL.iter().map(|w| w.as_str())),
        3 => v.extend(Acquired::ALL.iter().map(|w| w.as_str())),
        _ => v.extend(Mitigation::ALL.iter().map(|w| w.as_str())),
    }
    v
}

pub struct AssessApp {
    /// The incident as recorded (kind, secured, counseling notes).
    pub facts: IncidentFacts,
    /// Who and what, for the title (escaped by the view).
    pub title: String,
    /// Per row, the index into [`words`].
    pub choice: [usize; 5],
    /// Notes of the factors (rows 1–4; row 0 has none).
    pub notes: [String; 5],
    pub cursor: usize,
    pub editing: bool,
    /// What the rules say of the current choice.
    pub preview: Result<Assessed, AssessError>,
    /// Why the last `r` was refused.
    pub refused: Option<String>,
    pub look: Look,
    pub size: (u16, u16),
    pub keymap: Keymap,
    /// Set when the dialog ends: `Some(input)` to record, `None` cancelled.
    pub done: Option<Option<AssessmentInput>>,
}

fn factor<V: Copy>(all: &[V], choice: usize, note: &str) -> Option<Factor<V>> {
    choice
        .checked_sub(1)
        .and_then(|i| all.get(i))
        .map(|&value| Factor {
            value,
            note: note.to_owned(),
        })
}

impl AssessApp {
    pub fn new(facts: IncidentFacts, title: String, look: Look, size: (u16, u16)) -> AssessApp {
        let mut app = AssessApp {
            facts,
            title,
            choice: [0; 5],
            notes: Default::default(),
            cursor: 0,
            editing: false,
            preview: Err(AssessError(String::new())),
            refused: None,
            look,
            size,
            keymap: Keymap::default(),
            done: None,
        };
        app.recompute();
        app
    }

    pub fn context(&self) -> Context {
        if crate::tui::shell::too_small(self.size) {
            Context::TooSmall
        } else if self.editing {
            Context::Note
        } else {
            Context::Form
        }
    }

    /// What is chosen, as `incident assess` flags would give it.
    pub fn input(&self) -> AssessmentInput {
        let c = &self.choice;
        AssessmentInput {
            exception: c[0]
                .checked_sub(1)
                .and_then(|i| Exception::ALL.get(i))
                .copied(),
            nature: factor(Nature::ALL, c[1], &self.notes[1]),
            recipient: factor(Recipient::ALL, c[2], &self.notes[2]),
            acquired: factor(Acquired::ALL, c[3], &self.notes[3]),
            mitigation: factor(Mitigation::ALL, c[4], &self.notes[4]),
        }
    }

    pub fn recompute(&mut self) {
        self.preview = crate::incident::assess(&self.facts, &self.input());
    }

    /// Why the current choice cannot be recorded, if it cannot: a documented factor needs its
    /// note (what it rests on), and the rules must accept the exception.
    pub fn problem(&self) -> Option<String> {
        for (row, label) in ROWS.iter().enumerate().skip(1) {
            if self.choice[row] > 0 && self.notes[row].trim().is_empty() {
                return Some(format!("{label}: write the note it rests on (Enter)"));
            }
        }
        self.preview.as_ref().err().map(|e| e.0.clone())
    }
}
