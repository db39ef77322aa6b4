//! Long ids, names and messages: shortened by display width with a visible `…`, never cut
//! silently, and reachable in full (trace overlay, message log).

use crate::tui_common;

use p2review::tui::Action;
use p2review::tui::app::{Overlay, StatusKind};
use tui_common::*;

const CJK: &str = "東京都立総合精神保健福祉センター";

fn long_ids() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.yaml");
    let text = std::fs::read_to_string(fixture("queue.yaml"))
        .unwrap()
        .replacen("id: D-0001\n", "id: D-26407789\n", 1)
        .replacen("id: D-0002\n", "id: D-26407789-2\n", 1)
        .replacen("id: D-0003\n", "id: D-26407789-3\n", 1)
        .replacen("name: Pinecrest Health Plan,", &format!("name: {CJK},"), 1);
    std::fs::write(&path, text).unwrap();
    rig_with(&path, (80, 24), LOOK, Default::default())
}

fn row_of<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(&format!(" {id} ")))
        .unwrap_or_else(|| panic!("no row for {id}:\n{text}"))
}

#[test]
fn ids_that_differ_at_the_end_stay_distinct_and_cjk_names_are_cut_visibly() {
    for size in [(80, 24), (120, 40)] {
        let mut r = long_ids();
        r.driver
            .dispatch(&mut r.app, Action::Resize(size.0, size.1));
        let text = screen_text(&r.render());
        for id in ["D-26407789", "D-26407789-2", "D-26407789-3"] {
            row_of(&text, id);
        }
        // The CJK name is cut with `…` and the verdict columns stay in place (one cell
        // per character in the rendered text, so character positions are columns).
        let header = text.lines().find(|l| l.contains("PART 2")).unwrap();
        let col = |l: &str, w: &str| l.find(w).map(|b| l[..b].chars().count());
        let p2 = col(header, "PART 2").unwrap();
        let first = row_of(&text, "D-26407789");
        assert!(first.contains('…'), "{first}");
        assert_eq!(
            col(first, "PERMIT+NOTICE"),
            Some(p2),
            "{size:?}:\n{header}\n{first}"
        );
        assert_eq!(first.chars().count(), size.0 as usize);
    }
}

#[test]
fn the_full_id_and_name_are_in_the_trace_overlay() {
    let mut r = long_ids();
    r.keys("t");
    let text = screen_text(&r.render());
    assert!(text.contains("D-26407789 "), "{text}");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join("");
    assert!(
        flat.contains(&CJK[..CJK.len() - 3]) || flat.contains("東京都立総合"),
        "{text}"
    );
}

#[test]
fn a_long_message_is_shortened_visibly_and_kept_in_full() {
    let mut r = rig((80, 24));
    let path = format!(
        "/home/reviewer/{}/attachments/D-0001.txt",
        "deep/".repeat(20)
    );
    r.driver
        .dispatch(&mut r.app, Action::Saved(Ok(path.clone().into())));
    let text = screen_text(&r.render());
    let status = text.lines().nth(22).unwrap();
    assert!(
        status.contains('…') && status.contains("m: in full"),
        "{status}"
    );
    r.driver.dispatch(
        &mut r.app,
        Action::RuntimeError(
            "could not read back recorded decisions: E_SIG_INVALID at line 4".into(),
        ),
    );
    r.keys("m");
    assert!(matches!(r.app.overlay, Overlay::Messages { .. }));
    let text = screen_text(&r.render());
    let flat: String = text
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect();
    assert!(
        flat.contains("D-0001.txt"),
        "the saved path in full:\n{text}"
    );
    assert!(flat.contains("E_SIG_INVALID at line 4"), "{text}");
    assert!(r.app.messages.iter().any(|m| m.kind == StatusKind::Error));
    r.keys("<esc>");
    assert_eq!(r.app.overlay, Overlay::None);
}

#[test]
fn ascii_covers_the_overlays() {
    let look = p2review::tui::Look {
        color: false,
        ascii: true,
    };
    for keys in ["?", "t", "m", "x", "a", "a <enter>", "j a"] {
        let mut r = rig_with(&fixture("queue.yaml"), (80, 24), look, Default::default());
        r.keys(keys);
        let text = screen_text(&r.render());
        assert!(text.is_ascii(), "{keys}: {text}");
    }
}

#[test]
fn a_long_header_ends_in_an_ellipsis() {
    let mut r = rig((80, 24));
    r.app.sink_label = format!("log /home/reviewer/{}decisions.jsonl", "deep/".repeat(12));
    let text = screen_text(&r.render());
    let header = text.lines().next().unwrap();
    assert!(header.trim_end().ends_with('…'), "{header}");
    assert!(header.contains("as of 2026-11-28"), "{header}");
}
