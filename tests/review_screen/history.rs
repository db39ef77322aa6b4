//! The item's decision history in `review`: who decided what, when, the reason, the
//! reviewer's own note (not the queue's), and which entry each one supersedes.

use crate::tui_common;

use p2review::decision::{Decision, ReasonCode};
use p2review::tui::app::Overlay;
use p2review::tui::{Action, MemorySink, Recorded};
use tui_common::*;

fn seeded() -> MemorySink {
    let loaded = load(&fixture("queue.yaml"));
    let sha = p2review::queue::canonical::disclosure_sha256(&loaded.queue.disclosures[1]);
    let rec = |decision, reason, entry: &str, note: &str, supersedes: Option<&str>| Recorded {
        disclosure: "D-0002".into(),
        disclosure_sha256: sha.clone(),
        decision,
        reason_code: Some(reason),
        entry_sha256: entry.repeat(32),
        reviewer: "ana@clinic.example".into(),
        key: String::new(),
        second_required: false,
        ts: "2026-11-28T09:15:00.000Z".into(),
        note: Some(note.into()),
        supersedes: supersedes.map(|s| s.repeat(32)),
        seq: 0,
        subject: String::new(),
        override_: false,
    };
    MemorySink {
        seeded: vec![
            rec(
                Decision::Escalate,
                ReasonCode::NeedsPrivacyOfficer,
                "a1",
                "consent form signed by a guardian?",
                None,
            ),
            rec(
                Decision::Approve,
                ReasonCode::ConsentVerified,
                "b2",
                "privacy officer confirmed the guardian signature",
                Some("a1"),
            ),
        ],
        ..Default::default()
    }
}

#[test]
fn the_detail_pane_shows_the_reviewers_note_and_the_trace_the_whole_history() {
    let mut r = rig_with(&fixture("queue.yaml"), (120, 40), LOOK, seeded());
    r.keys("j");
    let text = screen_text(&r.render());
    assert!(text.contains("Reviewer note"), "{text}");
    assert!(
        text.contains("privacy officer confirmed the guardian"),
        "{text}"
    );
    assert!(text.contains("2 decisions on this item"), "{text}");
    r.keys("t");
    let text = screen_text(&r.render());
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Decision history (2)",
        "2026-11-28T09:15:00.000Z ana@clinic.example: ESCALATE (needs_privacy_officer)",
        "note: \"consent form signed by a guardian?\"",
        "APPROVE (consent_verified); entry b2b2b2b2b2b2…, supersedes",
        "note: \"privacy officer confirmed the guardian signature\"",
    ] {
        assert!(flat.contains(want), "missing {want:?}:\n{text}");
    }
}

#[test]
fn a_decision_made_in_this_session_joins_the_history_with_its_note() {
    let mut r = rig_with(&fixture("queue.yaml"), (120, 40), LOOK, seeded());
    r.keys("j e <enter> guardian <space> form <space> unclear <enter>");
    r.keys("<home> j t");
    let text = screen_text(&r.render());
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Decision history (3)"), "{text}");
    assert!(
        flat.contains("you, this session: ESCALATE (needs_privacy_officer)"),
        "{text}"
    );
    assert!(flat.contains("supersedes b2b2b2b2b2b2…"), "{text}");
    assert!(flat.contains("note: \"guardian form unclear\""), "{text}");
}

/// A repeat decision names the item's effective decision (the one no later entry
/// supersedes), and the dialog says which before anything is recorded.
#[test]
fn a_repeat_decision_supersedes_the_effective_one_and_the_dialog_shows_it() {
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, seeded());
    r.keys("j d");
    let text = screen_text(&r.render());
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Supersedes APPROVE by ana@clinic.example"),
        "{text}"
    );
    assert!(
        flat.contains("at 2026-11-28T09:15:00.000Z, entry b2b2b2b2b2b2…"),
        "{text}"
    );
    r.keys("<enter> <enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 1);
    assert_eq!(
        rec[0].1.supersedes,
        Some("b2".repeat(32)),
        "the effective one, not a1"
    );
}

/// When the write fails the dialog opens again with the typed note and the error: the
/// reviewer fixes the cause and presses Enter again, nothing retyped.
#[test]
fn a_failed_write_keeps_the_typed_note() {
    let sink = MemorySink {
        fail_with: Some("cannot write the entry: No space left on device".into()),
        ..Default::default()
    };
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    r.keys("e <enter> waiting <space> for <space> the <space> form <enter>");
    let Overlay::Decide(dlg) = &r.app.overlay else {
        panic!("the dialog closed: {:?}", r.app.overlay)
    };
    assert_eq!(dlg.note, "waiting for the form");
    assert!(dlg.error.as_deref().unwrap().contains("No space left"));
    let text = screen_text(&r.render());
    assert!(text.contains("No space left"), "{text}");
    assert!(!r.app.rows[0].decided());
    r.sink.lock().unwrap().fail_with = None;
    r.keys("<enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].1.note.as_deref(), Some("waiting for the form"));
    assert!(r.app.rows[0].decided());
}

/// Live reload: a decision another window recorded appears on the next tick, and a
/// dialog open on that item now supersedes it (and says so).
#[test]
fn a_decision_from_another_window_shows_on_the_next_tick() {
    let mut r = rig_with(
        &fixture("queue.yaml"),
        (80, 24),
        LOOK,
        MemorySink::default(),
    );
    let sha = p2review::queue::canonical::disclosure_sha256(
        &r.app.loaded.as_ref().unwrap().queue.disclosures[0],
    );
    r.keys("e <enter>");
    assert!(matches!(r.app.overlay, Overlay::Decide(_)));
    r.app.dirty = true;
    r.driver.dispatch(&mut r.app, Action::Tick);
    assert!(!r.app.rows[0].decided(), "nothing new: nothing changes");
    assert!(r.app.dirty, "a tick never cancels a redraw that is due");
    r.sink.lock().unwrap().appended.push(Recorded {
        disclosure: "D-0001".into(),
        disclosure_sha256: sha,
        decision: Decision::Deny,
        reason_code: Some(ReasonCode::ConsentMissing),
        entry_sha256: "c3".repeat(32),
        reviewer: "ana@clinic.example".into(),
        key: String::new(),
        second_required: false,
        ts: "2026-11-28T10:00:00.000Z".into(),
        note: None,
        supersedes: None,
        seq: 0,
        subject: String::new(),
        override_: false,
    });
    r.driver.dispatch(&mut r.app, Action::Tick);
    assert!(r.app.rows[0].decided());
    let Overlay::Decide(dlg) = &r.app.overlay else {
        panic!("dialog closed")
    };
    assert_eq!(dlg.supersedes, Some("c3".repeat(32)));
    assert!(
        dlg.error
            .as_deref()
            .unwrap()
            .contains("Another window just recorded DENY")
    );
    // Read twice (the poll returns it once; this window's own entries are skipped).
    r.app.dirty = true;
    let again = r.app.rows[0].history[0].clone();
    r.driver.dispatch(
        &mut r.app,
        Action::LogAppended {
            restarted: false,
            list: vec![(0, again)],
        },
    );
    assert!(r.app.dirty, "an entry already shown keeps a due redraw");
    assert_eq!(r.app.rows[0].history.len(), 1);
    r.keys("<enter> <enter>");
    assert_eq!(r.recorded()[0].1.supersedes, Some("c3".repeat(32)));
    assert_eq!(r.app.rows[0].history.len(), 2);
}

/// A log that cannot be written (or is open elsewhere) is said in the header before any
/// typing, and in full in the message log.
#[test]
fn a_log_notice_shows_before_any_typing() {
    let sink = MemorySink {
        notice: Some("THE LOG CANNOT BE WRITTEN (x.jsonl: cannot open it for writing)".into()),
        ..Default::default()
    };
    let r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    let text = screen_text(&r.render());
    assert!(text.contains("THE LOG CANNOT BE WRITTEN"), "{text}");
    assert_eq!(
        r.app.log_notice.as_deref(),
        Some("THE LOG CANNOT BE WRITTEN (x.jsonl: cannot open it for writing)")
    );
}

/// Without a team (the reviewer's own log read alone): a four-eyes approval in the log is
/// still pending — the row says so, it is not counted decided, `n` passes it by (nobody
/// here can complete it) and approving it is refused before anything opens.
#[test]
fn a_pending_four_eyes_approval_outside_a_team_is_not_approved() {
    let mut sink = seeded();
    sink.seeded.truncate(1);
    sink.seeded[0].decision = Decision::Approve;
    sink.seeded[0].second_required = true;
    sink.seeded[0].override_ = true;
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    let text = screen_text(&r.render());
    let line = text.lines().find(|l| l.contains("D-0002")).unwrap();
    assert!(line.contains("approve…"), "shortened to the column: {line}");
    assert!(text.contains("decided 0/"), "{text}");
    assert!(text.contains("1 need a 2nd"), "{text}");
    r.keys("n");
    assert_ne!(r.app.selected(), Some(1), "n passes it by");
    r.keys("<home> j a");
    assert!(!matches!(r.app.overlay, Overlay::Decide(_)));
    let status = r.app.status.clone().unwrap().text;
    assert!(status.contains("waits for a second reviewer"), "{status}");
}
