//! The note in the decision dialog: screened for patient identifiers before it is signed,
//! its 280-character limit counted on screen, edited with Ctrl-W / Ctrl-U.

use crate::tui_common;

use p2review::tui::app::{Overlay, Step};
use tui_common::*;

fn with_display_label() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.yaml");
    let text = std::fs::read_to_string(fixture("queue.yaml")).unwrap();
    let text = text.replacen(
        "{ ref: P-0001 }",
        "{ ref: P-0001, display: \"Dana Whit\" }",
        1,
    );
    assert!(text.contains("Dana Whit"));
    std::fs::write(&path, text).unwrap();
    rig_with(&path, (80, 24), LOOK, Default::default())
}

fn error(r: &Rig) -> String {
    match &r.app.overlay {
        Overlay::Decide(d) => d.error.clone().unwrap_or_default(),
        _ => panic!("the dialog closed"),
    }
}

#[test]
fn notes_with_identifiers_are_refused_naming_the_rule() {
    let mut r = with_display_label();
    for (note, rule) in [
        ("SSN<space>123456789", "rule ssn"),
        ("DOB<space>1980-03-07", "rule birth-date"),
        ("call<space>(555)<space>123-4567", "rule phone"),
        ("spoke<space>to<space>dana<space>whit", "rule patient-label"),
    ] {
        r.keys("f <enter>");
        r.keys(&note.replace("<space>", " <space> "));
        r.keys("<enter>");
        let e = error(&r);
        assert!(
            e.contains(rule) && e.starts_with("Not recorded"),
            "{note}: {e}"
        );
        assert!(
            !e.to_lowercase().contains("dana"),
            "the refusal repeats no PHI: {e}"
        );
        assert!(r.recorded().is_empty(), "{note}");
        // The typed note is kept for editing; Ctrl-U clears it.
        r.keys("<c-u>");
        let Overlay::Decide(d) = &r.app.overlay else {
            panic!()
        };
        assert!(d.note.is_empty() && d.step == Step::Note);
        r.keys("<esc> <esc>");
    }
    // NPIs, claim ids and due dates pass.
    r.keys("f <enter> NPI <space> 1588800001 <space> claim <space> CLM-2026-0042 <space> due <space> 2026-12-15 <enter>");
    assert_eq!(r.recorded().len(), 1);
}

#[test]
fn the_note_counter_shows_the_limit() {
    let mut r = rig((80, 24));
    r.keys("f <enter> abc");
    let text = screen_text(&r.render());
    assert!(text.contains("3/280"), "{text}");
    r.paste(&"x".repeat(277));
    r.keys("y");
    let text = screen_text(&r.render());
    assert!(text.contains("280/280"), "{text}");
    assert!(
        text.contains("at most 280"),
        "a refused key says why: {text}"
    );
}

#[test]
fn ctrl_w_deletes_a_word_in_the_note_and_the_filter() {
    let mut r = rig((80, 24));
    r.keys("f <enter> payer <space> dispute <space> <c-w>");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.note, "payer ");
    r.keys("<esc> <esc> / D-0001 <space> xy <c-w>");
    assert_eq!(r.app.filter.text, "D-0001 ");
    r.keys("<c-u>");
    assert_eq!(r.app.filter.text, "");
}
