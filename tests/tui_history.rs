//! The item's decision history in `review`: who decided what, when, the reason, the
//! reviewer's own note (not the queue's), and which entry each one supersedes.

mod tui_common;

use p2review::decision::{Decision, ReasonCode};
use p2review::tui::{MemorySink, Recorded};
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
