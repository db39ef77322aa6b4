//! Key-sequence flows through the real keymap, `update` and the effect driver, with an
//! in-memory decision sink.

use crate::tui_common;

use p2review::decision::{Decision, ReasonCode};
use p2review::engine::Part2Status;
use p2review::tui::app::{Overlay, SortKey, StatusKind, Step};
use p2review::tui::{Action, Look, MemorySink, Recorded};
use tui_common::*;

fn ids(r: &Rig) -> Vec<String> {
    r.app
        .view
        .iter()
        .map(|&i| r.app.disclosure(i).unwrap().id.clone())
        .collect()
}

fn status(r: &Rig) -> String {
    r.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn approve_with_the_preselected_reason_records_and_moves_on() {
    let mut r = rig((80, 24));
    assert_eq!(r.selected_id(), "D-0001");
    r.keys("a <enter> <enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].0.disclosure, "D-0001");
    assert_eq!(rec[0].1.decision, Decision::Approve);
    assert_eq!(rec[0].1.reason_code, Some(ReasonCode::ConsentVerified));
    assert_eq!(rec[0].1.note, None);
    assert!(!rec[0].0.override_);
    assert!(r.app.rows[0].decided());
    assert_eq!(r.app.decided, 1);
    assert_eq!(
        r.selected_id(),
        "D-0002",
        "moves on to the next undecided item"
    );
    assert!(
        status(&r).starts_with("Recorded: approve D-0001"),
        "{}",
        status(&r)
    );
}

#[test]
fn a_note_is_recorded_trimmed_and_control_characters_are_refused() {
    let mut r = rig((80, 24));
    r.keys("f <enter> <space> need <space> EOB <space>");
    r.driver.dispatch(&mut r.app, Action::Input('\u{1b}'));
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!("dialog closed")
    };
    assert_eq!(d.note, " need EOB ");
    assert!(d.error.as_deref().unwrap().contains("Control characters"));
    r.keys("<enter>");
    let rec = r.recorded();
    assert_eq!(rec[0].1.decision, Decision::Defer);
    assert_eq!(rec[0].1.reason_code, Some(ReasonCode::AwaitingDocuments));
    assert_eq!(rec[0].1.note.as_deref(), Some("need EOB"));
}

#[test]
fn a_note_stops_at_280_characters() {
    let mut r = rig((80, 24));
    r.keys("f <enter>");
    r.keys(&"x".repeat(300));
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.note.chars().count(), 280);
    assert!(d.error.as_deref().unwrap().contains("280"));
}

#[test]
fn deny_offers_no_way_around_a_reason_and_the_shared_check_refuses_one_anyway() {
    let mut r = rig((80, 24));
    r.keys("d");
    let Overlay::Decide(d) = &mut r.app.overlay else {
        panic!()
    };
    assert_eq!(d.step, Step::Reason);
    assert!(
        d.choices.iter().all(Option::is_some),
        "deny: no 'no reason' entry"
    );
    // Even if the state is forced, the §6.2 check refuses and nothing is recorded.
    d.step = Step::Note;
    d.reason = None;
    r.keys("<enter>");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!("dialog must stay open")
    };
    assert_eq!(d.step, Step::Reason);
    assert!(d.error.as_deref().unwrap().contains("reason is required"));
    assert!(r.recorded().is_empty());
    assert!(!r.app.rows[0].decided());
}

#[test]
fn reason_other_needs_a_note() {
    let mut r = rig((80, 24));
    r.keys("d <down> <down> <down> <down> <down> <down> <down> <down> <down> <enter>");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.reason, Some(ReasonCode::Other));
    r.keys("<enter>");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert!(d.error.as_deref().unwrap().contains("needs a note"));
    assert!(r.recorded().is_empty());
    r.keys("payer <space> dispute <enter>");
    assert_eq!(r.recorded()[0].1.note.as_deref(), Some("payer dispute"));
    assert_eq!(r.recorded()[0].1.decision, Decision::Deny);
}

#[test]
fn an_override_asks_for_confirmation_first() {
    let mut r = rig((80, 24));
    r.keys("j");
    assert_eq!(r.selected_id(), "D-0002"); // CONSENT REQ
    r.keys("a");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.step, Step::Confirm);
    assert!(d.overrides);
    // n, Esc and Enter on the default choice all back out without recording.
    r.keys("n");
    assert_eq!(r.app.overlay, Overlay::None);
    r.keys("a <esc>");
    assert_eq!(r.app.overlay, Overlay::None);
    r.keys("a <enter>");
    assert_eq!(r.app.overlay, Overlay::None);
    assert!(r.recorded().is_empty());
    // Yes, then the reason (required: no empty choice), then the note.
    r.keys("a y");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.step, Step::Reason);
    assert!(d.choices.iter().all(Option::is_some));
    r.keys("<enter> <enter>");
    assert!(r.recorded().is_empty(), "an override needs a note");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(
        d.error.as_deref(),
        Some(p2review::tui::update::OVERRIDE_NOTE)
    );
    r.keys("order <space> seen <enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 1);
    assert!(rec[0].0.override_);
    assert_eq!(rec[0].0.disclosure, "D-0002");
    // Tab switches the highlighted choice, and Enter then accepts "yes".
    r.keys("<home> <down> <down> <down> <down> <down> <down> <down>");
    assert_eq!(r.selected_id(), "D-0008"); // NOT PART 2 + AUTH REQ: also an override
    r.keys("a <tab> <enter>");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.step, Step::Reason);
}

#[test]
fn deny_escalate_and_defer_are_never_overrides() {
    let mut r = rig((80, 24));
    r.keys("j e");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.step, Step::Reason);
    assert!(!d.overrides);
    assert_eq!(
        d.choices[d.highlight],
        Some(ReasonCode::NeedsPrivacyOfficer)
    );
}

#[test]
fn an_unsettled_approval_requires_a_reason_and_shows_the_banner() {
    let mut r = rig((80, 24));
    r.keys("j j");
    assert_eq!(r.selected_id(), "D-0003");
    let text = screen_text(&r.render());
    assert!(text.contains("UNSETTLED LAW"), "{text}");
    assert!(text.contains("Escalate it to the privacy officer"));
    r.keys("a");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert!(d.unsettled && !d.overrides);
    assert!(d.choices.iter().all(Option::is_some));
}

#[test]
fn an_approval_that_needs_no_reason_may_have_none() {
    let mut r = rig((80, 24));
    r.keys("<end> k k k k k k");
    assert_eq!(r.selected_id(), "D-0006"); // PERMIT
    r.keys("a");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!()
    };
    assert_eq!(d.choices.last(), Some(&None));
    assert_eq!(d.choices[d.highlight], Some(ReasonCode::ExceptionApplies));
    r.keys("<down> <down> <down> <down> <down> <down> <down> <down> <down> <down> <enter> <enter>");
    assert_eq!(r.recorded()[0].1.reason_code, None);
}

#[test]
fn incremental_filter_over_id_patient_recipient_and_verdicts() {
    let mut r = rig((80, 24));
    r.keys("/ p");
    assert!(r.app.filter_editing);
    let after_p = ids(&r).len();
    r.keys("ine");
    assert_eq!(ids(&r), ["D-0001", "D-0002", "D-0007"]);
    assert!(ids(&r).len() < after_p);
    r.keys("<bs> <bs> <bs> <bs> p-0004");
    assert_eq!(ids(&r), ["D-0004", "D-0008", "D-0012"]);
    r.keys("<esc>");
    assert_eq!(ids(&r).len(), 12);
    r.keys("/ prohib <enter>");
    assert_eq!(ids(&r), ["D-0009"]);
    assert!(
        !r.app.filter_editing,
        "Enter keeps the filter and returns to the list"
    );
    r.keys("<esc>");
    r.keys("/ auth <space> req <enter>");
    assert_eq!(ids(&r), ["D-0004", "D-0008"]);
    r.keys("<esc> / d-001 <enter>");
    assert_eq!(ids(&r), ["D-0010", "D-0011", "D-0012"]);
    r.keys("<esc> / zzz <enter>");
    assert!(ids(&r).is_empty());
    assert!(screen_text(&r.render()).contains("No disclosure matches"));
    // Deciding with nothing selected does nothing.
    r.keys("a");
    assert_eq!(r.app.overlay, Overlay::None);
}

#[test]
fn quick_filters_by_part2_status_and_by_decided() {
    let mut r = rig((80, 24));
    r.keys("p");
    assert_eq!(r.app.filter.part2, Some(Part2Status::Permitted));
    assert_eq!(ids(&r), ["D-0006", "D-0012"]);
    r.keys("p");
    assert_eq!(ids(&r), ["D-0001", "D-0003", "D-0011"]);
    r.keys("<esc>");
    r.keys("f <enter> <enter>"); // defer D-0001
    r.keys("u");
    assert!(!ids(&r).contains(&"D-0001".to_owned()));
    assert_eq!(ids(&r).len(), 11);
    r.keys("u");
    assert_eq!(ids(&r), ["D-0001"]);
    r.keys("u");
    assert!(ids(&r).is_empty(), "escalated: none yet");
    r.keys("u");
    assert_eq!(ids(&r).len(), 12);
}

#[test]
fn sorts_by_verdict_date_and_recipient_keep_the_selection() {
    let mut r = rig((80, 24));
    r.keys("j j j");
    assert_eq!(r.selected_id(), "D-0004");
    r.keys("s");
    assert_eq!(r.app.sort, SortKey::Verdict);
    assert_eq!(ids(&r)[0], "D-0009"); // PROHIBITED first
    assert_eq!(ids(&r)[1], "D-0005"); // ORDER REQ
    assert_eq!(r.selected_id(), "D-0004", "selection follows the item");
    r.keys("s");
    assert_eq!(ids(&r)[0], "D-0008"); // earliest requested_on
    r.keys("s");
    assert_eq!(&ids(&r)[..2], ["D-0008", "D-0009"]); // Acme Research, Apex Collections
    r.keys("s");
    assert_eq!(ids(&r)[0], "D-0001");
}

/// `S` reverses whatever sort is on; the sorted column and the header carry ▲ or ▼ (`^` /
/// `v` in ASCII), so the direction is never guessed.
#[test]
fn reverse_sort_and_its_marker() {
    let mut r = rig((80, 24));
    r.keys("s");
    let text = screen_text(&r.render());
    assert!(
        text.contains("PART 2▲") && text.contains("sort verdict▲"),
        "{text}"
    );
    r.keys("S");
    assert!(r.app.sort_reverse);
    assert_eq!(ids(&r).last().map(String::as_str), Some("D-0009"));
    assert_ne!(ids(&r)[0], "D-0009");
    let text = screen_text(&r.render());
    assert!(
        text.contains("PART 2▼") && text.contains("sort verdict▼"),
        "{text}"
    );
    r.keys("s s s");
    assert_eq!(ids(&r)[0], "D-0012", "file order, backwards");
    r.keys("S");
    assert_eq!(ids(&r)[0], "D-0001");
    let mut r = rig_with(
        &fixture("queue.yaml"),
        (80, 24),
        Look {
            color: false,
            ascii: true,
        },
        MemorySink::default(),
    );
    r.keys("s s s S");
    let text = screen_text(&r.render());
    assert!(
        text.contains("RECIPIENTv") && text.contains("sort recipientv"),
        "{text}"
    );
}

#[test]
fn navigation_keys() {
    let mut r = rig((80, 24));
    r.keys("j j k");
    assert_eq!(r.selected_id(), "D-0002");
    r.keys("<down> <up> <up>");
    assert_eq!(r.selected_id(), "D-0001");
    r.keys("<pgdn>");
    assert_eq!(r.selected_id(), "D-0009"); // 8 rows per page at 80x24
    assert_eq!(r.app.offset, 1);
    r.keys("<end>");
    assert_eq!(r.selected_id(), "D-0012");
    r.keys("<pgup>");
    assert_eq!(r.selected_id(), "D-0004");
    r.keys("<home>");
    assert_eq!((r.selected_id().as_str(), r.app.offset), ("D-0001", 0));
    r.keys("G g");
    assert_eq!(r.selected_id(), "D-0001");
    // Moving past the top changes nothing, so nothing needs redrawing.
    r.app.dirty = false;
    r.keys("k");
    assert!(!r.app.dirty);
}

#[test]
fn next_undecided_skips_decided_items_and_wraps() {
    let mut r = rig((80, 24));
    r.keys("d <enter> <enter>"); // D-0001 denied, cursor to D-0002
    r.keys("e <enter> <enter>"); // D-0002 escalated, cursor to D-0003
    r.keys("<home> n");
    assert_eq!(r.selected_id(), "D-0003");
    r.keys("<end> n");
    assert_eq!(r.selected_id(), "D-0003", "wraps past the decided ones");
}

#[test]
fn resume_from_recorded_decisions() {
    let loaded = load(&fixture("queue.yaml"));
    let ds = &loaded.queue.disclosures;
    let mut stale = ds[1].clone();
    stale.note = Some("an older version".into());
    let seeded = vec![
        Recorded {
            disclosure: "D-0001".into(),
            disclosure_sha256: p2review::queue::canonical::disclosure_sha256(&ds[0]),
            decision: Decision::Approve,
            reason_code: Some(ReasonCode::ConsentVerified),
            entry_sha256: "e1".repeat(32),
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
            disclosure_sha256: p2review::queue::canonical::disclosure_sha256(&stale),
            decision: Decision::Deny,
            reason_code: Some(ReasonCode::ConsentInvalid),
            entry_sha256: "e2".repeat(32),
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
            disclosure: "D-9999".into(),
            disclosure_sha256: "00".repeat(32),
            decision: Decision::Deny,
            reason_code: None,
            entry_sha256: "e3".repeat(32),
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
    ];
    let sink = MemorySink {
        seeded,
        ..Default::default()
    };
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    assert_eq!(r.app.decided, 1);
    assert!(r.app.rows[0].decided());
    let d2 = r.app.rows[1].decision.as_ref().unwrap();
    assert!(
        !d2.current,
        "same id, other hash: decided on an earlier version"
    );
    let text = screen_text(&r.render());
    assert!(text.contains("decided 1/12"));
    assert!(text.contains("earlier"));
    r.keys("n");
    assert_eq!(
        r.selected_id(),
        "D-0002",
        "an earlier-version decision still needs one"
    );
    // Deciding an item again records a correction that supersedes the earlier entry.
    r.keys("<home> f <enter> <enter>");
    assert_eq!(
        r.recorded()[0].1.supersedes.as_deref(),
        Some("e1".repeat(32).as_str())
    );
}

#[test]
fn a_failing_log_marks_nothing_and_says_so() {
    let sink = MemorySink {
        fail_with: Some("cannot lock the log".into()),
        ..Default::default()
    };
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    r.keys("a <enter> <enter>");
    assert!(!r.app.rows[0].decided());
    assert_eq!(r.app.decided, 0);
    assert!(r.app.pending.is_none());
    let s = r.app.status.clone().unwrap();
    assert_eq!(s.kind, StatusKind::Error);
    assert!(s.text.contains("NOT RECORDED") && s.text.contains("cannot lock the log"));
    assert_eq!(r.selected_id(), "D-0001", "stays on the item");
    assert!(screen_text(&r.render()).contains("Error: NOT RECORDED"));
}

#[test]
fn a_queue_changed_on_disk_is_never_decided_against() {
    let mut r = rig((80, 24));
    let path = r.queue_path();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Flagged: SUD diagnosis on claim", "changed"),
    )
    .unwrap();
    r.keys("a <enter> <enter>");
    assert!(r.recorded().is_empty());
    assert!(r.app.stale);
    assert!(!r.app.rows[0].decided());
    assert!(screen_text(&r.render()).contains("QUEUE CHANGED ON DISK"));
    // Further decisions are refused up front until a reload.
    r.keys("a");
    assert_eq!(r.app.overlay, Overlay::None);
    assert!(status(&r).contains("reload"));
    r.keys("R");
    assert!(!r.app.stale);
    assert_eq!(r.selected_id(), "D-0001");
    r.keys("a <enter> <enter>");
    assert_eq!(r.recorded().len(), 1);
}

#[test]
fn the_watcher_message_marks_the_queue_stale() {
    let mut r = rig((80, 24));
    r.driver.dispatch(&mut r.app, Action::QueueChanged);
    assert!(r.app.stale);
    r.keys("d");
    assert_eq!(r.app.overlay, Overlay::None);
}

#[test]
fn a_reload_that_fails_keeps_the_old_queue() {
    let mut r = rig((80, 24));
    std::fs::write(r.queue_path(), "schema: [not a queue").unwrap();
    r.keys("R");
    assert_eq!(r.app.total(), 12);
    assert!(status(&r).contains("Reload failed"));
}

#[test]
fn the_notice_and_consent_explanation_are_saved_to_a_file() {
    let mut r = rig((80, 24));
    r.keys("w");
    let path = r.dir.path().join("attachments/D-0001-notice-2.32.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("42 CFR part 2 prohibits unauthorized use or disclosure"));
    assert!(text.contains("Consent C-0001"));
    assert!(text.contains("Recipients:  class health_plans"));
    assert!(status(&r).contains(&path.display().to_string()));
    // No notice goes with a CONSENT REQ item: nothing is written.
    r.keys("j w");
    assert!(status(&r).contains("No §2.32 notice"));
    assert!(
        !r.dir
            .path()
            .join("attachments/D-0002-notice-2.32.txt")
            .exists()
    );
}

#[test]
fn overlays_open_and_close() {
    let mut r = rig((80, 24));
    r.keys("?");
    assert!(matches!(r.app.overlay, Overlay::Help { .. }));
    r.keys("j j <esc>");
    assert_eq!(r.app.overlay, Overlay::None);
    r.keys("t");
    assert!(matches!(r.app.overlay, Overlay::Trace { .. }));
    r.keys("x");
    assert!(matches!(r.app.overlay, Overlay::Statement { .. }));
    r.keys("q");
    assert_eq!(r.app.overlay, Overlay::None);
    assert!(!r.app.quit, "q closes an overlay, it does not quit");
    r.keys("q");
    assert!(r.app.quit);
}

#[test]
fn results_of_an_older_load_are_ignored() {
    let mut r = rig((80, 24));
    let before = r.app.rows[5].verdict;
    let g = r.app.generation;
    let v = p2review::tui::app::Verdict {
        part2: Part2Status::Prohibited,
        hipaa: p2review::engine::HipaaStatus::Prohibited,
        stricter: false,
        unsettled: false,
    };
    r.driver.dispatch(
        &mut r.app,
        Action::Evaluated {
            generation: g - 1,
            start: 0,
            verdicts: vec![v; 12],
        },
    );
    assert_eq!(r.app.rows[5].verdict, before);
}

#[test]
fn resize_keeps_the_selection_visible() {
    let mut r = rig((120, 40));
    r.keys("<end>");
    assert_eq!(r.app.offset, 0, "everything fits at 120x40");
    r.driver.dispatch(&mut r.app, Action::Resize(80, 24));
    assert_eq!(r.app.offset, 4);
    r.driver.dispatch(&mut r.app, Action::Resize(40, 10));
    assert!(screen_text(&r.render()).contains("terminal too small (need 80x24"));
    r.keys("k"); // keys while too small must not panic
}

#[test]
fn only_the_visible_rows_are_evaluated_before_the_background_job() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let base = load(&fixture("queue.yaml"));
    let mut q = base.queue.clone();
    let template = q.disclosures.clone();
    q.disclosures = (0..10_000)
        .map(|i| {
            let mut d = template[i % template.len()].clone();
            d.id = format!("X-{i:05}");
            d
        })
        .collect();
    let index = p2review::queue::QueueIndex::build(&q);
    let lq = Arc::new(p2review::queue::LoadedQueue {
        path: "big.yaml".into(),
        queue: q,
        index,
        sha256: "0".repeat(64),
    });
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let inner = fake_eval();
    let counting: p2review::tui::EvalFn = Arc::new(move |q, ix, d| {
        c.fetch_add(1, Ordering::Relaxed);
        inner(q, ix, d)
    });
    let mut app = p2review::tui::App::new(false, "log", LOOK, (80, 24));
    let effects = p2review::tui::update(&mut app, Action::Loaded(lq, counting));
    assert!(effects.contains(&p2review::tui::Effect::EvaluateAll));
    let page = app.page_rows();
    assert!(
        calls.load(Ordering::Relaxed) <= page + 1,
        "{} evaluations",
        calls.load(Ordering::Relaxed)
    );
    assert!(app.rows[..page].iter().all(|r| r.verdict.is_some()));
    assert!(app.rows[page + 1].verdict.is_none());
    let before = calls.load(Ordering::Relaxed);
    p2review::tui::update(&mut app, Action::PageDown);
    assert!(calls.load(Ordering::Relaxed) - before <= page + 1);
    let text = screen_text(&render(&app));
    assert!(
        text.contains("evaluating 0%"),
        "progress shows while the rest loads"
    );
}

/// `/` then Tab searches instead of filtering: the list stays whole, the selection jumps
/// to the first match, Enter keeps the search, `n`/`N` go to the next/previous match
/// (wrapping), Esc clears it and `n` is "next undecided" again.
#[test]
fn search_jumps_to_matches_with_n_and_capital_n() {
    let mut r = rig((80, 24));
    r.keys("/ <tab> Pinecrest");
    assert!(r.app.searching && r.app.filter.text.is_empty());
    assert_eq!(ids(&r).len(), 12, "a search never narrows the list");
    let first = r.selected_id();
    let text = screen_text(&r.render());
    assert!(text.contains("search: Pinecrest"), "{text}");
    r.keys("<enter>");
    let hits: Vec<String> = ids(&r)
        .into_iter()
        .filter(|id| {
            let ix = r.app.loaded.as_ref().unwrap().index.disclosures[id.as_str()];
            r.app.search[ix].contains("pinecrest")
        })
        .collect();
    assert!(hits.len() >= 2, "{hits:?}");
    assert_eq!(first, hits[0]);
    r.keys("n");
    assert_eq!(r.selected_id(), hits[1]);
    r.keys("N");
    assert_eq!(r.selected_id(), hits[0]);
    r.keys("N");
    assert_eq!(&r.selected_id(), hits.last().unwrap(), "wraps backwards");
    assert!(screen_text(&r.render()).contains("n/N"));
    r.keys("<esc>");
    assert!(r.app.search_text.is_empty());
    r.keys("g n");
    assert_eq!(r.selected_id(), "D-0002", "n is next undecided again");
    r.keys("N");
    assert!(r.app.status.as_ref().unwrap().text.contains("No search"));
    // Tab back to filtering carries the text over and narrows the list.
    r.keys("/ <tab> Pinecrest <tab>");
    assert!(!r.app.searching);
    assert_eq!(ids(&r).len(), hits.len());
}

/// `v` marks rows; `f` (defer) and `e` (escalate) then decide every marked row with one
/// reason and note, each entry recorded on its own and marked decided; `a` and `d` refuse
/// while rows are marked and record nothing; Esc unmarks.
#[test]
fn bulk_defer_and_escalate_but_never_approve_or_deny() {
    let mut r = rig((80, 24));
    r.keys("v v v");
    assert_eq!(r.app.marked.len(), 3);
    assert!(screen_text(&r.render()).contains("3 marked"));
    r.keys("a");
    assert_eq!(r.app.overlay, Overlay::None);
    assert!(status(&r).contains("Never in bulk"), "{}", status(&r));
    r.keys("d");
    assert_eq!(r.app.overlay, Overlay::None);
    assert!(r.recorded().is_empty());
    r.keys("f");
    let Overlay::Decide(d) = &r.app.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.bulk.len(), 2);
    assert!(screen_text(&r.render()).contains("BULK: 3 disclosures"));
    r.keys("<enter> waiting <space> for <space> records <enter>");
    let rec = r.recorded();
    let ids: Vec<&str> = rec.iter().map(|(x, _)| x.disclosure.as_str()).collect();
    assert_eq!(ids, ["D-0001", "D-0002", "D-0003"]);
    assert!(rec.iter().all(|(_, i)| i.decision == Decision::Defer
        && i.reason_code == Some(ReasonCode::AwaitingDocuments)
        && i.note.as_deref() == Some("waiting for records")));
    assert!(r.app.marked.is_empty() && r.app.pending.is_none());
    assert!((0..3).all(|i| r.app.rows[i].decided()));
    assert!(
        status(&r).contains("bulk decision for 3 disclosures"),
        "{}",
        status(&r)
    );
    // Escalate in bulk supersedes each row's own deferral.
    r.keys("g v v e <enter> <enter>");
    let rec = r.recorded();
    assert_eq!(rec.len(), 5);
    assert_eq!(rec[3].1.decision, Decision::Escalate);
    assert_eq!(
        rec[3].1.supersedes.as_deref(),
        Some(rec[0].0.entry_sha256.as_str())
    );
    assert_eq!(
        rec[4].1.supersedes.as_deref(),
        Some(rec[1].0.entry_sha256.as_str())
    );
    // Esc unmarks.
    r.keys("v v <esc>");
    assert!(r.app.marked.is_empty());
}

/// A failing log stops a bulk decision at once: nothing more is tried and the rows not
/// recorded stay marked.
#[test]
fn a_failing_log_stops_a_bulk_decision_and_keeps_the_marks() {
    let sink = MemorySink {
        fail_with: Some("cannot lock the log".into()),
        ..Default::default()
    };
    let mut r = rig_with(&fixture("queue.yaml"), (80, 24), LOOK, sink);
    r.keys("v v v f <enter> <enter>");
    assert!(r.recorded().is_empty());
    assert_eq!(r.app.marked.len(), 3);
    assert!(r.app.bulk_pending.is_empty() && r.app.pending.is_none());
    let s = status(&r);
    assert!(
        s.contains("NOT RECORDED") && s.contains("3 not recorded, still marked"),
        "{s}"
    );
}

/// The shell's tick reaches the screen every 500 ms: on its own it changes nothing and
/// asks for no redraw, in the list and in a dialog alike.
#[test]
fn a_tick_changes_nothing_and_draws_nothing() {
    let mut r = rig((80, 24));
    for keys in ["", "a"] {
        r.keys(keys);
        r.app.dirty = false;
        let before = format!("{:?}", r.app.overlay);
        r.driver.dispatch(&mut r.app, Action::Tick);
        assert!(!r.app.dirty, "{keys}");
        assert_eq!(format!("{:?}", r.app.overlay), before);
    }
    assert!(r.recorded().is_empty());
}
