//! The assessment dialog of `incident assess HASH` (docs/incidents.md), driven through
//! `update` and drawn at 80x24: the outcome follows the choices by the same rules as the
//! flags, a documented factor needs its note, an exception the rules refuse cannot be
//! recorded, and leaving records nothing.

use p2review::incident::assess::IncidentFacts;
use p2review::incident::vocab::*;
use p2review::incident::{Outcome, assess};
use p2review::tui::Look;
use p2review::tui::assess::{AssessAction as A, AssessApp, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(kind: IncidentKind) -> AssessApp {
    AssessApp::new(
        IncidentFacts {
            kind,
            secured: false,
            counseling_notes: false,
            to_other_organization: kind == IncidentKind::Misdirected,
        },
        "incident 0123456789ab misdirected discovered 2026-11-02".into(),
        Look {
            color: false,
            ascii: false,
        },
        (80, 24),
    )
}

fn text(app: &AssessApp) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| view(app, f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Choose word `n` (1-based in the row's vocabulary, 0 = none) on `row` and type `note`.
fn set(app: &mut AssessApp, row: usize, n: usize, note: &str) {
    while app.cursor < row {
        update(app, A::Down);
    }
    while app.cursor > row {
        update(app, A::Up);
    }
    while app.choice[row] != n {
        update(app, A::Next);
    }
    if !note.is_empty() {
        update(app, A::EditNote);
        for c in note.chars() {
            update(app, A::Type(c));
        }
        update(app, A::NoteDone);
    }
}

#[test]
fn four_low_factors_give_low_probability_and_record_what_the_flags_would() {
    let mut a = app(IncidentKind::Misdirected);
    // Nothing chosen: the presumption of breach, shown before anything is recorded.
    assert!(text(&a).contains("Outcome: breach"), "{}", text(&a));
    set(&mut a, 1, 4, "a claim number and an amount"); // limited_identifiers
    set(&mut a, 2, 1, "another health plan"); // bound_to_protect
    set(&mut a, 3, 1, "returned unopened"); // not_acquired
    set(&mut a, 4, 1, "destroyed, in writing"); // assured_destroyed
    let t = text(&a);
    assert!(t.contains("Outcome: low_probability"), "{t}");
    assert!(
        t.contains("limited_identifiers") && t.contains("returned unopened"),
        "{t}"
    );
    update(&mut a, A::Confirm);
    let input = a.done.clone().expect("recorded").expect("not cancelled");
    assert_eq!(
        input.nature.as_ref().unwrap().value,
        Nature::LimitedIdentifiers
    );
    assert_eq!(
        input.mitigation.as_ref().unwrap().note,
        "destroyed, in writing"
    );
    // The same function as `incident assess` flags.
    let facts = a.facts.clone();
    assert_eq!(
        assess(&facts, &input).unwrap().outcome,
        Outcome::LowProbability
    );
}

#[test]
fn a_factor_without_its_note_or_a_refused_exception_is_not_recorded() {
    let mut a = app(IncidentKind::Misdirected);
    set(&mut a, 1, 1, ""); // part2_identifying, no note
    update(&mut a, A::Confirm);
    assert!(a.done.is_none());
    assert!(
        a.refused
            .as_deref()
            .unwrap()
            .contains("write the note it rests on"),
        "{:?}",
        a.refused
    );
    set(&mut a, 1, 0, "");
    // Exception (i) never covers a misdirected send.
    set(&mut a, 0, 1, "");
    assert!(text(&a).contains("Not allowed"), "{}", text(&a));
    update(&mut a, A::Confirm);
    assert!(a.done.is_none());
    assert!(
        a.refused
            .as_deref()
            .unwrap()
            .contains("another organization"),
        "{:?}",
        a.refused
    );
    assert!(text(&a).contains("Not recorded"), "{}", text(&a));
    // Exception (iii) is allowed: outcome exception.
    set(&mut a, 0, 3, "");
    assert!(text(&a).contains("Outcome: exception"), "{}", text(&a));
}

#[test]
fn notes_take_no_control_characters_and_leaving_records_nothing() {
    let mut a = app(IncidentKind::UnauthorizedAccess);
    set(&mut a, 2, 2, "");
    update(&mut a, A::EditNote);
    update(&mut a, A::Type('\u{1b}'));
    update(&mut a, A::Paste("two\nlines\u{7}".into()));
    update(&mut a, A::NoteDone);
    assert_eq!(a.notes[2], "two lines");
    // `q` while typing is text, not leaving.
    update(&mut a, A::EditNote);
    update(&mut a, A::Type('q'));
    assert!(a.done.is_none() && a.notes[2].ends_with('q'));
    update(&mut a, A::NoteDone);
    update(&mut a, A::Cancel);
    assert_eq!(a.done, Some(None));
    // Nothing changes after the dialog ended.
    update(&mut a, A::Confirm);
    assert_eq!(a.done, Some(None));
}

#[test]
fn too_small_shows_only_the_message_and_leaving() {
    let mut a = app(IncidentKind::Other);
    update(&mut a, A::Resize(60, 20));
    assert!(text(&a).contains("terminal too small"));
    update(&mut a, A::Next);
    assert_eq!(a.choice, [0; 5]);
    update(&mut a, A::Cancel);
    assert_eq!(a.done, Some(None));
}
