//! Smaller review-screen rules: the override reason picker, deferred items and `n`, the
//! escalated quick filter, the evaluation date, and help that pages and stops at its end.

use crate::tui_common;

use p2review::decision::{Decision, ReasonCode};
use p2review::tui::app::{DecidedFilter, Overlay};
use p2review::tui::{Action, MemorySink, Recorded};
use tui_common::*;

#[test]
fn an_override_without_a_valid_consent_does_not_preselect_consent_verified() {
    let mut r = rig((80, 24));
    r.keys("j");
    let text = screen_text(&r.render());
    assert!(
        text.contains("expired"),
        "the screen says the consent is not valid: {text}"
    );
    r.keys("a y");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    let pre = d.choices[d.highlight];
    assert_ne!(pre, Some(ReasonCode::ConsentVerified));
    assert_eq!(pre, Some(ReasonCode::Other), "the reviewer has to say why");
    // With a valid consent, agreeing with the verdict stays three keys.
    let mut r = rig((80, 24));
    r.keys("a");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.choices[d.highlight], Some(ReasonCode::ConsentVerified));
}

#[test]
fn deferred_items_are_not_decided_for_next() {
    let mut r = rig((80, 24));
    r.keys("f <enter> <enter>");
    assert_eq!(r.recorded()[0].1.decision, Decision::Defer);
    assert_eq!(r.selected_id(), "D-0002");
    r.keys("a y <enter> seen <enter>");
    assert_eq!(r.recorded().len(), 2);
    // Everything else decided: `n` comes back to the deferred item, not "all decided".
    r.keys("<end> n");
    assert_eq!(r.selected_id(), "D-0001");
}

#[test]
fn the_escalated_quick_filter_shows_escalations_only() {
    let loaded = load(&fixture("queue.yaml"));
    let rec = |i: usize, decision| Recorded {
        disclosure: loaded.queue.disclosures[i].id.clone(),
        disclosure_sha256: p2review::queue::canonical::disclosure_sha256(
            &loaded.queue.disclosures[i],
        ),
        decision,
        reason_code: Some(ReasonCode::NeedsPrivacyOfficer),
        entry_sha256: format!("{i:064}"),
        reviewer: String::new(),
        key: String::new(),
        second_required: false,
        ts: String::new(),
        note: None,
        supersedes: None,
        seq: 0,
        subject: String::new(),
        override_: false,
    };
    let sink = MemorySink {
        seeded: vec![
            rec(2, Decision::Escalate),
            rec(4, Decision::Deny),
            rec(6, Decision::Escalate),
        ],
        ..Default::default()
    };
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    r.keys("E");
    assert_eq!(r.app.filter.decided, DecidedFilter::Escalated);
    let ids: Vec<String> = r
        .app
        .view
        .iter()
        .map(|&i| r.app.disclosure(i).unwrap().id.clone())
        .collect();
    assert_eq!(ids, ["D-0003", "D-0007"]);
    assert!(screen_text(&r.render()).contains("filter escalated"));
    r.keys("E");
    assert_eq!(r.app.view.len(), 12);
}

#[test]
fn the_evaluation_date_is_in_the_header() {
    let r = rig((80, 24));
    let text = screen_text(&r.render());
    let header = text.lines().next().unwrap();
    assert!(header.contains("as of 2026-11-28"), "{header}");
}

#[test]
fn help_pages_down_and_stops_at_its_end() {
    let mut r = rig((80, 24));
    r.keys("?");
    let first = screen_text(&r.render());
    r.keys("<pgdn>");
    let second = screen_text(&r.render());
    assert_ne!(first, second, "PgDn scrolls the help");
    for _ in 0..30 {
        r.keys("<pgdn>");
    }
    let end = screen_text(&r.render());
    let body: Vec<&str> = end.lines().skip(2).take(19).collect();
    assert!(
        body.iter().any(|l| l.contains("Verdicts are words")),
        "the last help line stays on screen:\n{end}"
    );
    r.keys("<pgup>");
    assert_ne!(screen_text(&r.render()), end, "PgUp scrolls back");
    r.driver.dispatch(&mut r.app, Action::Cancel);
    assert_eq!(r.app.overlay, Overlay::None);
}
