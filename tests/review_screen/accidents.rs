//! Nothing is recorded by accident: a paste only ever types text into the field being
//! edited, and a confirming key read before the dialog step was on screen is dropped.

use crate::tui_common;

use p2review::decision::Decision;
use p2review::tui::app::{Overlay, Step};
use p2review::tui::update::TYPED_AHEAD;
use tui_common::*;

fn dialog(r: &Rig) -> &p2review::tui::app::DecideDialog {
    match &r.app.overlay {
        Overlay::Decide(d) => d,
        other => panic!("no dialog: {other:?}"),
    }
}

#[test]
fn a_multi_line_paste_goes_into_the_note_and_never_records() {
    let mut r = rig((80, 24));
    r.keys("e <enter>");
    assert_eq!(dialog(&r).step, Step::Note);
    r.paste("line one\nq\r\nline\tthree\n");
    assert!(
        r.recorded().is_empty(),
        "a newline in a paste never confirms"
    );
    assert_eq!(dialog(&r).note, "line one q line three ");
    assert_eq!(
        r.selected_id(),
        "D-0001",
        "nothing of the paste ran as a command"
    );
    r.keys("<enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].1.decision, Decision::Escalate);
    assert_eq!(rec[0].1.note.as_deref(), Some("line one q line three"));
}

#[test]
fn a_paste_that_does_not_fit_or_holds_controls_is_refused_visibly() {
    let mut r = rig((80, 24));
    r.keys("f <enter>");
    r.paste(&"x".repeat(270));
    r.paste("0123456789ab");
    let d = dialog(&r);
    assert_eq!(d.note.chars().count(), 270, "never a silent cut");
    let err = d.error.clone().unwrap();
    assert!(
        err.contains("room for 10 more") && err.contains("Nothing was pasted"),
        "{err}"
    );
    r.paste("a\u{1b}[2Jb");
    assert_eq!(dialog(&r).note.chars().count(), 270);
    assert!(
        dialog(&r)
            .error
            .as_deref()
            .unwrap()
            .contains("control characters")
    );
}

#[test]
fn a_paste_outside_a_text_field_does_nothing() {
    let mut r = rig((80, 24));
    r.paste("a\n\n");
    assert_eq!(r.app.overlay, Overlay::None);
    r.keys("a");
    assert_eq!(dialog(&r).step, Step::Reason);
    r.paste("\n\nhello\n");
    assert_eq!(
        dialog(&r).step,
        Step::Reason,
        "the reason picker takes no paste"
    );
    r.keys("<esc> j a");
    assert_eq!(dialog(&r).step, Step::Confirm);
    r.paste("y\n");
    assert_eq!(
        dialog(&r).step,
        Step::Confirm,
        "the override confirmation takes no paste"
    );
    r.keys("<esc> ?");
    r.paste("q");
    assert!(matches!(r.app.overlay, Overlay::Help { .. }));
    assert!(r.recorded().is_empty());
}

#[test]
fn a_paste_into_the_filter_is_one_line() {
    let mut r = rig((80, 24));
    r.keys("/");
    r.paste("D-000\n");
    assert!(r.app.filter_editing, "the newline did not end the filter");
    assert_eq!(r.app.filter.text, "D-000 ");
}

/// A line typed into the wrong window ("echo done" + Enter, read in one burst) must not
/// record a signed escalation.
#[test]
fn keys_typed_ahead_of_the_dialog_never_confirm() {
    let mut r = rig((80, 24));
    r.keys_ahead("e c h o <space> d o n e <enter> <enter>");
    assert!(r.recorded().is_empty());
    let d = dialog(&r);
    assert_eq!(
        d.step,
        Step::Reason,
        "the Enter read before the picker showed was dropped"
    );
    assert_eq!(d.error.as_deref(), Some(TYPED_AHEAD));
    // Once the picker is on screen, Enter counts; the note step again needs its own frame.
    r.keys("<enter>");
    assert_eq!(dialog(&r).step, Step::Note);
    r.keys_ahead("<enter>");
    assert!(r.recorded().is_empty());
    assert_eq!(dialog(&r).error.as_deref(), Some(TYPED_AHEAD));
    r.keys("<enter>");
    assert_eq!(r.recorded().len(), 1);
}

#[test]
fn a_typed_ahead_yes_does_not_confirm_an_override() {
    let mut r = rig((80, 24));
    r.keys("j");
    r.keys_ahead("a y");
    assert_eq!(dialog(&r).step, Step::Confirm);
    assert_eq!(dialog(&r).error.as_deref(), Some(TYPED_AHEAD));
    r.keys_ahead("<tab> <enter>");
    assert_eq!(
        dialog(&r).step,
        Step::Confirm,
        "Enter on yes, typed ahead, is dropped too"
    );
    r.keys("y");
    assert_eq!(dialog(&r).step, Step::Reason);
    assert!(r.recorded().is_empty());
}

/// A frame drawn while the terminal was too small showed nothing of the dialog: it does not
/// arm it, and a resize disarms it until the next frame.
#[test]
fn a_resize_rearms_the_dialog() {
    let mut r = rig((80, 24));
    r.keys("f <enter>");
    r.driver
        .dispatch(&mut r.app, p2review::tui::Action::Resize(100, 30));
    r.keys_ahead("<enter>");
    assert!(r.recorded().is_empty());
    r.keys("<enter>");
    assert_eq!(r.recorded().len(), 1);
}
