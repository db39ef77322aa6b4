//! The review TUI shows the reviewer's own training notice in the header (never in demo
//! mode), and stays usable at 80x24 with it.

mod tui_common;

use tui_common::*;

#[test]
fn the_header_shows_training_due_and_demo_does_not() {
    let mut r = rig((80, 24));
    let before = screen_text(&r.render());
    assert!(!before.contains("TRAINING DUE"));
    r.app.training_notice = Some("TRAINING DUE: last pass 2025-01-02, 700 days ago".into());
    let t = screen_text(&r.render());
    let header = t.lines().next().unwrap();
    assert!(
        header.contains("TRAINING DUE: last pass 2025-01-02"),
        "{header}"
    );
    // The rest of the screen is still the queue.
    assert!(t.contains("D-0001"), "{t}");
    insta::assert_snapshot!("review_training_due_header", header);

    r.app.demo = true;
    let t = screen_text(&r.render());
    assert!(!t.contains("TRAINING DUE"), "{t}");
}
