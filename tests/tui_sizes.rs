//! Every terminal size from 1x1 to 130x45 renders without panicking, in the list, in a
//! dialog and in an overlay, and keys pressed at any size are safe.

mod tui_common;

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
    // Keys at a tiny size, then back to full size: state is intact.
    let r = &mut states[0];
    r.driver.dispatch(&mut r.app, Action::Resize(3, 2));
    r.keys("j j <pgdn> <end> / x <enter> <esc>");
    r.driver.dispatch(&mut r.app, Action::Resize(80, 24));
    assert!(screen_text(&r.render()).contains("D-0012"));
}
