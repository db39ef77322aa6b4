//! Every screen and dialog at 80x24 and 120x40 (text snapshots), plus the styles that carry
//! meaning, asserted cell by cell: the selection is REVERSED + BOLD with a marker, and
//! without colour no cell has a foreground or background.

mod tui_common;

use p2review::decision::{Decision, ReasonCode};
use p2review::tui::app::StatusKind;
use p2review::tui::{Action, App, Look, MemorySink, Recorded};
use ratatui::style::{Color, Modifier};
use tui_common::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Snapshot the screen after `keys` at both sizes.
fn snap(name: &str, keys: &str) {
    for size in SIZES {
        let mut r = rig(size);
        r.keys(keys);
        let t = r.render();
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), t.backend());
    }
}

#[test]
fn main_screen() {
    snap("main", "");
}

#[test]
fn failing_consent() {
    snap("failing_consent", "j");
}

#[test]
fn unsettled_banner() {
    snap("unsettled", "j j");
}

#[test]
fn filter_typing() {
    snap("filter_typing", "/ pine");
}

#[test]
fn quick_filter_sort_and_no_match() {
    snap("quick_filter_sorted", "s p p");
    snap("no_match", "/ zzz <enter>");
}

#[test]
fn help_overlay() {
    snap("help", "?");
}

#[test]
fn trace_overlay() {
    snap("trace", "j t");
}

#[test]
fn statement_overlay() {
    snap("statement", "x");
}

#[test]
fn reason_picker() {
    snap("reason_deny", "j d");
}

#[test]
fn note_entry_with_error() {
    snap(
        "note_other_error",
        "d <down> <down> <down> <down> <down> <down> <down> <down> <down> <enter> <enter>",
    );
    snap("note_typing", "a <enter> verified <space> by <space> phone");
}

#[test]
fn override_confirmation() {
    snap("override_confirm", "j a");
}

#[test]
fn recorded_and_failed() {
    snap("recorded", "a <enter> <enter>");
    for size in SIZES {
        let sink = MemorySink {
            fail_with: Some("cannot lock the log (held by another process)".into()),
            ..Default::default()
        };
        let mut r = rig_with(&fixture("queue.yaml"), size, LOOK, sink);
        r.keys("a <enter> <enter>");
        insta::assert_snapshot!(
            format!("record_failed_{}x{}", size.0, size.1),
            r.render().backend()
        );
    }
}

#[test]
fn stale_queue() {
    for size in SIZES {
        let mut r = rig(size);
        r.driver.dispatch(&mut r.app, Action::QueueChanged);
        insta::assert_snapshot!(format!("stale_{}x{}", size.0, size.1), r.render().backend());
    }
}

#[test]
fn resumed_with_an_earlier_version() {
    let loaded = load(&fixture("queue.yaml"));
    let mut older = loaded.queue.disclosures[1].clone();
    older.purpose = p2review::queue::Purpose::Treatment;
    for size in SIZES {
        let sink = MemorySink {
            seeded: vec![
                Recorded {
                    disclosure: "D-0001".into(),
                    disclosure_sha256: p2review::queue::canonical::disclosure_sha256(
                        &loaded.queue.disclosures[0],
                    ),
                    decision: Decision::Approve,
                    reason_code: Some(ReasonCode::ConsentVerified),
                    entry_sha256: "ab".repeat(32),
                    reviewer: String::new(),
                    key: String::new(),
                    second_required: false,
                    ts: String::new(),
                    note: None,
                    supersedes: None,
                    seq: 0,
                    subject: String::new(),
                    override_: false,
                },
                Recorded {
                    disclosure: "D-0002".into(),
                    disclosure_sha256: p2review::queue::canonical::disclosure_sha256(&older),
                    decision: Decision::Deny,
                    reason_code: Some(ReasonCode::ConsentInvalid),
                    entry_sha256: "cd".repeat(32),
                    reviewer: String::new(),
                    key: String::new(),
                    second_required: false,
                    ts: String::new(),
                    note: None,
                    supersedes: None,
                    seq: 0,
                    subject: String::new(),
                    override_: false,
                },
            ],
            ..Default::default()
        };
        let mut r = rig_with(&fixture("queue.yaml"), size, LOOK, sink);
        r.keys("n");
        insta::assert_snapshot!(
            format!("resumed_{}x{}", size.0, size.1),
            r.render().backend()
        );
    }
}

#[test]
fn loading_demo_and_load_error() {
    for size in SIZES {
        let app = App::new(true, "demo log demo-decisions.jsonl", LOOK, size);
        insta::assert_snapshot!(
            format!("loading_demo_{}x{}", size.0, size.1),
            render(&app).backend()
        );
        let mut app = App::new(false, "log decisions.jsonl", LOOK, size);
        p2review::tui::update(
            &mut app,
            Action::LoadFailed("queue.yaml: line 3 column 1: unknown key `disclosure`".into()),
        );
        insta::assert_snapshot!(
            format!("load_error_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn too_small() {
    for size in [(79, 24), (80, 23), (60, 15)] {
        let r = rig(size);
        insta::assert_snapshot!(
            format!("too_small_{}x{}", size.0, size.1),
            r.render().backend()
        );
    }
}

#[test]
fn ascii_and_no_color() {
    for size in SIZES {
        let look = Look {
            color: false,
            ascii: true,
        };
        let mut r = rig_with(&fixture("queue.yaml"), size, look, MemorySink::default());
        r.keys("j j");
        insta::assert_snapshot!(format!("ascii_{}x{}", size.0, size.1), r.render().backend());
        r.keys("t");
        insta::assert_snapshot!(
            format!("ascii_trace_{}x{}", size.0, size.1),
            r.render().backend()
        );
    }
}

// ---- styles that carry meaning ----

#[test]
fn the_selected_row_is_reversed_bold_and_marked_in_every_look() {
    for look in [
        Look {
            color: true,
            ascii: false,
        },
        Look {
            color: false,
            ascii: false,
        },
        Look {
            color: false,
            ascii: true,
        },
    ] {
        let mut r = rig_with(
            &fixture("queue.yaml"),
            (80, 24),
            look,
            MemorySink::default(),
        );
        r.keys("j j");
        let t = r.render();
        let buf = t.backend().buffer();
        // Row 0 header, row 1 column titles, rows 2.. the list: D-0003 is on row 4.
        for x in 0..80 {
            let m = buf[(x, 4)].modifier;
            assert!(
                m.contains(Modifier::REVERSED) && m.contains(Modifier::BOLD),
                "cell {x} of the selected row"
            );
        }
        for y in [2, 3, 5] {
            assert!(
                !buf[(2, y)].modifier.contains(Modifier::REVERSED),
                "row {y} is not selected"
            );
        }
        let marker = if look.ascii { ">" } else { "▶" };
        assert_eq!(buf[(0, 4)].symbol(), marker);
        assert_eq!(buf[(0, 3)].symbol(), " ");
    }
}

#[test]
fn without_colour_no_cell_has_a_colour() {
    let look = Look {
        color: false,
        ascii: false,
    };
    for keys in ["", "j j", "j a", "?", "t", "x", "d", "/ pine"] {
        let mut r = rig_with(
            &fixture("queue.yaml"),
            (120, 40),
            look,
            MemorySink::default(),
        );
        r.keys(keys);
        r.app.set_status(StatusKind::Error, "an error");
        let t = r.render();
        for c in t.backend().buffer().content() {
            assert_eq!(
                (c.fg, c.bg),
                (Color::Reset, Color::Reset),
                "after {keys:?}: {c:?}"
            );
        }
    }
}

#[test]
fn with_colour_verdicts_are_coloured_and_still_words() {
    let r = rig((80, 24));
    let t = r.render();
    let text = screen_text(&t);
    for w in [
        "PERMIT+NOTICE",
        "CONSENT REQ",
        "ORDER REQ",
        "PERMIT ",
        "TPO OK",
        "AUTH REQ",
        "NOT PART 2",
    ] {
        assert!(text.contains(w), "{w}");
    }
    let buf = t.backend().buffer();
    // D-0002 (row 3) is CONSENT REQ: its Part 2 cell is red and bold.
    let row: String = (0..80).map(|x| buf[(x, 3)].symbol()).collect();
    let x = row.find("CONSENT REQ").unwrap() as u16;
    assert_eq!(buf[(x, 3)].fg, Color::Red);
    assert!(buf[(x, 3)].modifier.contains(Modifier::BOLD));
}

#[test]
fn errors_are_marked_in_words_not_only_colour() {
    let mut r = rig((80, 24));
    r.app.set_status(StatusKind::Error, "something failed");
    assert!(screen_text(&r.render()).contains("Error: something failed"));
}
