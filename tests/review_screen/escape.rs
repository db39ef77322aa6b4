//! Control characters, escape sequences and bidi overrides in input text are shown
//! escaped and never reach the terminal.

use crate::tui_common;

use std::sync::Arc;

use p2review::queue::{Disclosure, Queue, QueueIndex};
use p2review::tui::{Action, EvalFn, MemorySink};
use tui_common::*;

fn no_raw_controls(text: &str) {
    for c in text.chars().filter(|&c| c != '\n') {
        assert!(
            !p2review::text::is_unsafe_char(c),
            "raw {c:?} on screen:\n{text}"
        );
    }
}

/// Evaluation text (policy data) and names are treated as untrusted too: a fake evaluator
/// and a recipient name built in code (the strict loader refuses controls in names).
fn hostile_eval() -> EvalFn {
    let base = fake_eval();
    Arc::new(move |q: &Queue, ix: &QueueIndex, d: &Disclosure| {
        let mut e = base(q, ix, d);
        e.part2.explanation = "expl \u{1b}[5m blink \u{202e}rev".into();
        e.part2.citations.to_mut().push("cite\u{7}bell".into());
        e.hipaa.explanation = "h \u{9b}31m".into();
        e.part2.trace[0].why = "why \u{1b}]52;c;AAAA\u{7}".into();
        e
    })
}

#[test]
fn hostile_text_is_escaped_on_every_screen() {
    for size in [(80, 24), (120, 40)] {
        let mut r = rig_with(&fixture("hostile.yaml"), size, LOOK, MemorySink::default());
        let mut loaded = (*r.app.loaded.clone().unwrap()).clone();
        loaded.queue.disclosures[0].recipient.name = "Acme\u{1b}[2J\u{202e}Plan".into();
        loaded.queue.patients[0].display = Some("J\u{1b}[1mD".into());
        r.driver
            .dispatch(&mut r.app, Action::Loaded(Arc::new(loaded), hostile_eval()));
        for keys in [
            "",
            "x",
            "<esc> t",
            "<esc> a <enter> a\u{1b}b",
            "<esc> <esc> / \u{202e}x",
        ] {
            r.keys(keys);
            let text = screen_text(&r.render());
            no_raw_controls(&text);
            if keys.is_empty() {
                assert!(text.contains("\\u{1b}[31mRED"), "note escaped:\n{text}");
                assert!(text.contains("\\u{202e}gnp.exe"), "bidi escaped");
                assert!(text.contains("Acme\\u{1b}[2J"), "recipient escaped");
                assert!(text.contains("\\u{9b}31m"), "C1 escaped");
            }
            if keys == "x" {
                assert!(
                    text.contains("\\u{1b}]0;pwned\\u{7}"),
                    "consent information escaped:\n{text}"
                );
            }
        }
    }
}

#[test]
fn the_saved_attachment_holds_no_raw_controls() {
    let mut r = rig_with(
        &fixture("hostile.yaml"),
        (80, 24),
        LOOK,
        MemorySink::default(),
    );
    r.keys("w");
    let text =
        std::fs::read_to_string(r.dir.path().join("attachments/D-0001-notice-2.32.txt")).unwrap();
    assert!(text.contains("\\u{1b}]0;pwned"));
    for c in text.chars().filter(|&c| c != '\n') {
        assert!(!p2review::text::is_unsafe_char(c), "{c:?}");
    }
}
