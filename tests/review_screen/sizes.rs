//! Every terminal size from 1x1 to 130x45 renders without panicking, in the list, in a
//! dialog and in an overlay, and keys pressed at any size are safe.

use crate::tui_common;

use p2review::tui::Action;
use tui_common::*;

#[test]
fn every_size_from_1x1_to_130x45_renders() {
    let mut states = [rig((80, 24)), rig((80, 24)), rig((80, 24)), rig((80, 24))];
    states[1].keys("j a y <enter> note");
    states[2].keys("?");
    states[3].keys("j j t");
    for w in 1..=130u16 {
        for h in 1..=45u16 {
            // Every size for the list; dialogs and overlays at every small size, around the
            // 80x24 boundary and on a grid above it (keeps the test fast on CI).
            let near = |v: u16, m: u16| v < 12 || v.abs_diff(m) <= 1 || v.is_multiple_of(7);
            let n = if near(w, 80) && near(h, 24) {
                states.len()
            } else {
                1
            };
            for r in states.iter_mut().take(n) {
                r.driver.dispatch(&mut r.app, Action::Resize(w, h));
                let t = r.render();
                let text = screen_text(&t);
                let flat: String = text.split_whitespace().collect();
                if w < 80 || h < 24 {
                    assert!(
                        !flat.contains("PART2"),
                        "{w}x{h}: only the message below 80x24"
                    );
                    if w >= 10 && h >= 3 {
                        assert!(flat.starts_with("terminaltoosmall"), "{w}x{h}: {text}");
                    }
                } else {
                    assert!(flat.contains("decided"), "{w}x{h}: full screen");
                }
            }
        }
    }
    // Keys at a tiny size are inert; back at full size the state is intact.
    let r = &mut states[0];
    let before = r.selected_id();
    r.driver.dispatch(&mut r.app, Action::Resize(3, 2));
    r.keys("j j <pgdn> <end> / x <enter> <esc>");
    r.driver.dispatch(&mut r.app, Action::Resize(80, 24));
    assert_eq!(r.selected_id(), before);
    assert!(screen_text(&r.render()).contains(&before));
}

/// While "terminal too small" shows, nothing is visible, so no key but `q`/Ctrl-C acts: an
/// override approval typed blind at 40x10 records nothing and opens nothing.
#[test]
fn below_the_minimum_size_only_quit_acts() {
    let mut r = rig((80, 24));
    r.keys("j");
    assert_eq!(r.selected_id(), "D-0002"); // an override if approved
    r.driver.dispatch(&mut r.app, Action::Resize(40, 10));
    r.keys("a y <enter> <enter> j j / x <enter> ? t <esc>");
    assert!(r.recorded().is_empty());
    assert_eq!(r.app.overlay, p2review::tui::app::Overlay::None);
    assert!(!r.app.filter_editing && r.app.filter.text.is_empty());
    assert!(!r.app.quit);
    r.driver.dispatch(&mut r.app, Action::Resize(80, 24));
    assert_eq!(r.selected_id(), "D-0002", "the selection did not move");

    // A dialog open when the terminal shrinks cannot be confirmed blind either.
    r.keys("f");
    r.driver.dispatch(&mut r.app, Action::Resize(79, 24));
    r.keys("<enter> <enter> <esc>");
    r.driver.dispatch(&mut r.app, Action::Resize(80, 24));
    assert!(r.recorded().is_empty());
    assert!(matches!(
        r.app.overlay,
        p2review::tui::app::Overlay::Decide(_)
    ));
    r.driver.dispatch(&mut r.app, Action::Resize(40, 10));
    r.keys("q");
    assert!(r.app.quit, "q quits at any size");
}

#[test]
fn ctrl_c_quits_below_the_minimum_size() {
    let mut r = rig((80, 24));
    r.keys("/ abc");
    r.driver.dispatch(&mut r.app, Action::Resize(20, 5));
    r.keys("<c-c>");
    assert!(r.app.quit);
}
