//! The supervisor TUI (`log review`): snapshots at 80x24 (list, summary, filter, help,
//! too small), the quick filters and selection through `update`, styles without colour,
//! and read-only by construction.

use std::path::PathBuf;

use p2review::supervise::*;
use p2review::tui::Look;
use p2review::tui::keymap::Key;
use p2review::tui::supervisor::app::Screen;
use p2review::tui::supervisor::keymap::lookup;
use p2review::tui::supervisor::{SupApp, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

#[allow(clippy::too_many_arguments)]
fn rec(
    log: &str,
    seq: u64,
    ts: &str,
    reviewer: &str,
    subject: &str,
    decision: &str,
    part2: &str,
    overrides: bool,
    supersedes: Option<&str>,
    failed: bool,
) -> DecisionRecord {
    let mut body = serde_json::json!({
        "v": 1, "log": format!("{log:0>32}"), "seq": seq, "prev": "0".repeat(64), "type": "decision",
        "ts": ts, "reviewer": reviewer, "key": "SHA256:x", "queue": "q",
        "disclosure": format!("D-{seq:04}"), "disclosure_sha256": "d", "subject": subject,
        "recipient": {"kind": "health_plan", "name": "Acme Health Plan"},
        "purpose": "payment", "as_of": "2026-11-28", "consent": "C-1", "consent_status": "valid",
        "part2": part2, "hipaa": "permitted_tpo", "rule": "p2.payment.tpo_consent",
        "unsettled": false, "policy": {}, "decision": decision, "override": overrides,
        "reason_code": "needs_privacy_officer", "note": "call back\u{1b}[31m",
    });
    if let Some(s) = supersedes {
        body["supersedes"] = serde_json::Value::String(s.to_owned());
    }
    let v = if failed {
        Verification::Failed {
            findings: vec!["E_SIG_INVALID".into()],
        }
    } else {
        Verification::Verified
    };
    DecisionRecord::from_body(
        PathBuf::from(format!("logs/{log}.jsonl")),
        seq + 1,
        format!("{log}{seq}{}", "0".repeat(62)),
        &body.to_string(),
        v,
    )
    .unwrap()
}

fn status(log: &str, result: &str, findings: &[&str]) -> LogStatus {
    LogStatus {
        path: PathBuf::from(format!("logs/{log}.jsonl")),
        log: Some(format!("{log:0>32}")),
        result: result.into(),
        findings: findings.iter().map(|s| s.to_string()).collect(),
        checkpoint: None,
    }
}

/// Hand-counted: ann 3 (2 approve, 1 override), bo 3 (escalate, defer, approve), cy 2
/// (escalate, and a deny naming bo's escalation that failed verification: it counts
/// nowhere and closes nothing); 4 days.
fn loaded() -> Loaded {
    const PWN: &str = "permitted_with_notice";
    const CR: &str = "consent_required";
    let records = merge(vec![
        rec(
            "a",
            1,
            "2026-11-01T08:00:00.000Z",
            "ann@h",
            "P-0001",
            "approve",
            PWN,
            false,
            None,
            false,
        ),
        rec(
            "a",
            2,
            "2026-11-01T23:59:59.999Z",
            "ann@h",
            "P-0001",
            "approve",
            CR,
            true,
            None,
            false,
        ),
        rec(
            "a",
            3,
            "2026-11-03T10:00:00.000Z",
            "ann@h",
            "P-0003",
            "deny",
            CR,
            false,
            None,
            false,
        ),
        rec(
            "b",
            1,
            "2026-11-02T09:00:00.000Z",
            "bo@h",
            "P-0002",
            "escalate",
            CR,
            false,
            None,
            false,
        ),
        rec(
            "b",
            2,
            "2026-11-04T11:00:00.000Z",
            "bo@h",
            "P-0001",
            "defer",
            PWN,
            false,
            None,
            false,
        ),
        rec(
            "b",
            3,
            "2026-11-04T12:00:00.000Z",
            "bo@h",
            "P-0004",
            "approve",
            PWN,
            false,
            None,
            false,
        ),
        rec(
            "c",
            1,
            "2026-11-03T00:00:00.000Z",
            "cy@h",
            "P-0003",
            "escalate",
            "prohibited",
            false,
            None,
            false,
        ),
        rec(
            "c",
            2,
            "2026-11-04T10:00:00.000Z",
            "cy@h",
            "P-0002",
            "deny",
            CR,
            false,
            Some(&format!("b1{}", "0".repeat(62))),
            true,
        ),
    ]);
    // As the loader does: supersession resolved over every entry read.
    let res = resolve_records(&records);
    Loaded {
        records,
        superseded: res.superseded,
        escalations: res.open_escalations,
        logs: vec![
            status("a", "ok", &[]),
            status("b", "ok", &[]),
            status("c", "failed", &["E_SIG_INVALID seq=2 line=3"]),
        ],
        other: vec![],
        incident_entries: vec![],
    }
}

fn app(look: Look) -> SupApp {
    SupApp::new(loaded(), look, (80, 24))
}

const PLAIN: Look = Look {
    color: false,
    ascii: false,
};

fn keys(app: &mut SupApp, keys: &str) {
    for k in keys.split(' ').filter(|s| !s.is_empty()) {
        let key = match k {
            "<tab>" => Key::Tab,
            "<enter>" => Key::Enter,
            "<esc>" => Key::Esc,
            "<down>" => Key::Down,
            "<end>" => Key::End,
            "<bksp>" => Key::Backspace,
            s => {
                for c in s.chars() {
                    if let Some(a) = lookup(app.context(), Key::Char(c)) {
                        update(app, a);
                    }
                }
                continue;
            }
        };
        if let Some(a) = lookup(app.context(), key) {
            update(app, a);
        }
    }
}

fn render(app: &SupApp) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| view(app, f)).unwrap();
    t
}

fn snap(name: &str, look: Look, k: &str) {
    let mut a = app(look);
    keys(&mut a, k);
    insta::assert_snapshot!(name, render(&a).backend());
}

#[test]
fn list_screen() {
    snap("sup_list_80x24", PLAIN, "");
}

#[test]
fn list_screen_failed_entry_selected() {
    snap("sup_list_failed_80x24", PLAIN, "F");
}

#[test]
fn summary_screen() {
    snap("sup_summary_80x24", PLAIN, "<tab>");
}

#[test]
fn summary_screen_ascii() {
    snap(
        "sup_summary_ascii_80x24",
        Look {
            color: false,
            ascii: true,
        },
        "<tab>",
    );
}

#[test]
fn filter_typing_and_no_match() {
    snap("sup_filter_typing_80x24", PLAIN, "/ bo@");
    snap("sup_no_match_80x24", PLAIN, "/ zzz <enter>");
}

/// Typing narrows the previous result instead of rescanning: after every keystroke
/// (extending, deleting, toggling a quick filter) the view is exactly what a fresh filter
/// of all records gives.
#[test]
fn incremental_filtering_matches_a_fresh_filter() {
    let mut a = app(PLAIN);
    let fresh = |a: &SupApp| {
        let mut f = app(PLAIN);
        f.text = a.text.clone();
        f.decision = a.decision;
        f.overrides_only = a.overrides_only;
        f.failed_only = a.failed_only;
        f.refilter();
        f.visible
    };
    let mut sizes = Vec::new();
    for step in [
        "/", "p", "-", "0", "0", "0", "1", "<bksp>", "<bksp>", "2", "<enter>", "d", "/", "<bksp>",
        "<bksp>", "<bksp>", "<bksp>", "<bksp>", "b", "o", "x", "<bksp>", "<enter>", "f", "d", "o",
        "d", "d",
    ] {
        keys(&mut a, step);
        assert_eq!(a.visible, fresh(&a), "after {step:?} (filter {:?})", a.text);
        sizes.push(a.visible.len());
    }
    // The sequence really narrowed and widened the view.
    assert!(sizes.iter().min() < sizes.iter().max(), "{sizes:?}");
    assert!(sizes.contains(&0), "{sizes:?}");
}

/// A backspace gets the earlier result back without testing a record; typing tests only
/// the previous result.
#[test]
fn backspace_restores_the_earlier_result_without_a_scan() {
    let mut a = app(PLAIN);
    keys(&mut a, "/ p");
    let (after_p, text_p) = (a.visible.clone(), a.text.clone());
    keys(&mut a, "- 0 0 0 3");
    assert!(a.visible.len() < after_p.len(), "{:?}", a.visible);
    let narrowed = a.visible.clone();
    keys(&mut a, "x");
    assert!(a.visible.is_empty());
    assert_eq!(
        a.scanned,
        narrowed.len(),
        "typing tests the previous result only"
    );
    keys(&mut a, "<bksp>");
    assert_eq!((a.scanned, &a.visible), (0, &narrowed));
    keys(&mut a, "<bksp> <bksp> <bksp> <bksp> <bksp>");
    assert_eq!(a.scanned, 0);
    assert_eq!((&a.text, &a.visible), (&text_p, &after_p));
    // A quick filter is not a narrower needle: a fresh scan of every record.
    keys(&mut a, "<enter> u");
    assert_eq!(a.scanned, a.loaded.records.len());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever is typed, deleted or toggled, the view is what a plain scan of every
    /// record with the same filters gives (the kept earlier results never go stale).
    #[test]
    fn any_keys_give_the_view_of_a_plain_scan(
        steps in proptest::collection::vec(proptest::sample::select(vec![
            "/", "p", "-", "0", "1", "3", "a", "n", "b", "o", "u", "f", "x",
            "<bksp>", "<bksp>", "<enter>", "<esc>",
        ]), 1..40)
    ) {
        let mut a = app(PLAIN);
        for step in steps {
            keys(&mut a, step);
            let plain: Vec<u32> = (0..a.loaded.records.len() as u32)
                .filter(|&i| {
                    let r = &a.loaded.records[i as usize];
                    let b = &r.body;
                    let needle = a.text.to_lowercase();
                    let has = |t: &str| t.to_lowercase().contains(&needle);
                    a.decision.is_none_or(|d| {
                        *b.decision == *p2review::tui::supervisor::app::DECISIONS[d]
                    }) && (!a.overrides_only || b.override_)
                        && (!a.failed_only || !r.verification.ok())
                        && (needle.is_empty()
                            || [b.reviewer, b.subject, b.disclosure, b.decision,
                                b.recipient.name, b.purpose, b.part2, b.rule]
                                .iter()
                                .any(|s| has(s))
                            || b.note.is_some_and(|n| has(&n))
                            || b.reason_code.is_some_and(|c| has(&c)))
                })
                .collect();
            proptest::prop_assert_eq!(&a.visible, &plain, "after {:?} (filter {:?})", step, a.text);
        }
    }
}

#[test]
fn help_overlay() {
    snap("sup_help_80x24", PLAIN, "?");
}

#[test]
fn too_small() {
    let mut a = app(PLAIN);
    a.size = (79, 24);
    let text = format!("{}", render(&a).backend());
    assert!(text.contains("terminal too small (need 80x24"), "{text}");
    a.size = (80, 23);
    let text = format!("{}", render(&a).backend());
    assert!(text.contains("terminal too small (need 80x24"), "{text}");
}

#[test]
fn quick_filters_and_summary_follow_the_view() {
    let mut a = app(PLAIN);
    assert_eq!(a.visible.len(), 8);
    keys(&mut a, "u"); // approve
    assert_eq!(a.visible.len(), 3);
    keys(&mut a, "u u"); // escalate
    assert_eq!(a.visible.len(), 2);
    keys(&mut a, "<tab>");
    assert_eq!(a.screen, Screen::Summary);
    let s = a.summary.as_ref().unwrap();
    // cy's deny failed verification: it does not close bo's escalation, so both
    // escalations are open.
    assert_eq!(s.open_escalations.len(), 2);
    assert_eq!(s.totals.escalate, 2);
    keys(&mut a, "u u"); // back to all
    assert_eq!(a.decision, None);
    let s = a.summary.as_ref().unwrap();
    // The failed deny is listed but counted nowhere.
    assert_eq!(s.totals.total, 7);
    assert_eq!(
        (
            s.totals.approve,
            s.totals.deny,
            s.totals.escalate,
            s.totals.defer
        ),
        (3, 1, 2, 1)
    );
    let ann = &s.reviewers[0];
    assert_eq!(
        (ann.reviewer.as_str(), ann.total, ann.overrides),
        ("ann@h", 3, 1)
    );
    assert_eq!(ann.override_rate_percent(), 33.3);
    assert_eq!(s.per_day.len(), 4);
    keys(&mut a, "<tab> o");
    assert_eq!(a.visible.len(), 1);
    keys(&mut a, "o F");
    assert_eq!(a.visible.len(), 1);
    assert!(!a.selected_record().unwrap().verification.ok());
    // Filters compose to nothing: empty view, selection stays valid.
    keys(&mut a, "o");
    assert!(a.visible.is_empty());
    assert!(a.selected_record().is_none());
    keys(&mut a, "<down> <end>");
    keys(&mut a, "c");
    assert_eq!(a.visible.len(), 8);
    // Text filter is case-insensitive over reviewer, patient, disclosure, decision...
    keys(&mut a, "/ P-0003 <enter>");
    assert_eq!(a.visible.len(), 2);
    keys(&mut a, "/ <esc>");
    assert_eq!(a.visible.len(), 8);
    keys(&mut a, "<end>");
    assert_eq!(a.selected, 7);
    keys(&mut a, "q");
    assert!(a.quit);
}

#[test]
fn no_colour_means_no_colour_and_control_text_is_escaped() {
    for k in ["", "<tab>", "F"] {
        let mut a = app(PLAIN);
        keys(&mut a, k);
        let t = render(&a);
        for c in t.backend().buffer().content() {
            assert_eq!(c.fg, Color::Reset, "{k}: {c:?}");
            assert_eq!(c.bg, Color::Reset, "{k}: {c:?}");
            assert!(!c.symbol().contains('\u{1b}'));
        }
    }
    let a = app(Look {
        color: true,
        ascii: false,
    });
    let text = format!("{}", render(&a).backend());
    assert!(
        text.contains("call back\\u{1b}[31m") || text.contains("call back\\x1b"),
        "{text}"
    );
}

/// Read-only in one place: the supervisor TUI has no way to write a log.
#[test]
fn supervisor_tui_has_no_sink_or_recorder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tui/supervisor");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        for word in [
            "Recorder",
            "DecisionSink",
            "sink::",
            "log::append",
            "log::record",
            "OpenOptions",
        ] {
            assert!(!text.contains(word), "{} mentions {word}", p.display());
        }
    }
}

/// The progress screen while the background loader verifies: per log, lines verified and
/// bytes read of the file's size; only quitting works; the list appears when loaded.
#[test]
fn loading_screen_shows_progress_and_only_quits() {
    use p2review::tui::supervisor::SupAction;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.jsonl");
    std::fs::write(&real, vec![b'x'; 3 * 1024 * 1024]).unwrap();
    let paths: Vec<PathBuf> = ["logs/alice.jsonl", "logs/bob.jsonl", "logs/carol.jsonl"]
        .iter()
        .map(PathBuf::from)
        .collect();
    // The size comes from the file when there is one, 0 when it cannot be read.
    let probe = SupApp::loading(&[real, paths[0].clone()], PLAIN, (80, 24));
    let sizes: Vec<u64> = probe
        .loading
        .as_ref()
        .unwrap()
        .iter()
        .map(|l| l.total)
        .collect();
    assert_eq!(sizes, [3 * 1024 * 1024, 0]);

    let mut a = SupApp::loading(&paths, PLAIN, (80, 24));
    for (l, total) in a.loading.as_mut().unwrap().iter_mut().zip([4u64, 2, 1]) {
        l.total = total * 1024 * 1024;
    }
    let at = |log, entries, bytes: u64, done| {
        SupAction::Progress(LoadProgress {
            log,
            entries,
            bytes,
            done,
        })
    };
    update(&mut a, at(0, 20_000, 4 * 1024 * 1024, true));
    update(&mut a, at(1, 4_096, 1024 * 1024, false));
    // A report for a log that does not exist changes nothing.
    update(&mut a, at(7, 1, 1, true));
    let l = a.loading.as_ref().unwrap();
    assert_eq!((l[0].entries, l[0].done), (20_000, true));
    assert_eq!(
        (l[1].entries, l[1].bytes, l[1].done),
        (4_096, 1024 * 1024, false)
    );
    assert_eq!((l[2].entries, l[2].bytes), (0, 0));
    insta::assert_snapshot!("sup_loading_80x24", render(&a).backend());

    // List keys do nothing while loading; q quits.
    for c in ['j', 'f', 's', '/', '?'] {
        assert_eq!(lookup(a.context(), Key::Char(c)), None, "{c}");
    }
    assert_eq!(lookup(a.context(), Key::Char('q')), Some(SupAction::Quit));
    assert_eq!(lookup(a.context(), Key::Ctrl('c')), Some(SupAction::Quit));

    // Loaded: the list, over the records given.
    a.finish_loading(loaded());
    assert!(a.loading.is_none());
    assert_eq!(a.visible.len(), a.loaded.records.len());
    assert!(!a.visible.is_empty());
    let screen = format!("{:?}", render(&a).backend());
    assert!(!screen.contains("verifying"), "{screen}");
    keys(&mut a, "q");
    assert!(a.quit);
}

/// Below the minimum size every key but `q`/Ctrl-C is inert (nothing is visible).
#[test]
fn below_the_minimum_size_only_quit_acts() {
    let mut a = app(PLAIN);
    a.size = (40, 10);
    keys(&mut a, "F / bob <enter> <tab> <down> <end> ?");
    a.size = (80, 24);
    assert!(!a.help && !a.typing && a.text.is_empty() && a.selected == 0);
    assert!(!a.failed_only && a.screen == Screen::List);
    a.size = (40, 10);
    keys(&mut a, "q");
    assert!(a.quit);
}

/// The same key means the same thing in `review` and `log review` (docs/keys.md): the
/// decision keys are never bound in the read-only screen, and every key both screens bind
/// in their lists does the same thing in each.
#[test]
fn keys_mean_the_same_in_review_and_log_review() {
    use p2review::tui::keymap::{Context, Keymap};
    use p2review::tui::supervisor::SupAction as S;
    use p2review::tui::supervisor::keymap::{KEYMAP, SupContext};
    for c in ['a', 'd', 'e', 'f'] {
        assert_eq!(lookup(SupContext::List, Key::Char(c)), None, "{c}");
    }
    let review = Keymap::default();
    let mut shared = 0;
    for b in KEYMAP.for_context(SupContext::List) {
        let Some(r) = review.lookup(Context::Queue, b.key) else {
            continue;
        };
        let sup = match &b.action {
            S::Down => "down",
            S::Up => "up",
            S::PageDown => "page_down",
            S::PageUp => "page_up",
            S::Top => "first",
            S::Bottom => "last",
            S::FilterStart => "filter",
            S::CycleDecision => "filter_decided",
            S::ClearFilters => "cancel",
            S::ToggleHelp => "help",
            S::Quit => "quit",
            other => panic!(
                "{:?} is bound to {other:?} in log review and to {} in review",
                b.key,
                r.name()
            ),
        };
        assert_eq!(sup, r.name(), "{:?}", b.key);
        shared += 1;
    }
    assert!(shared >= 15, "{shared}");
}

/// The wheel moves the selection and a click on an entry row selects it (the shell turns
/// mouse reports into these actions); clicks elsewhere and on the summary do nothing.
#[test]
fn wheel_and_click_move_the_selection() {
    use p2review::tui::shell::{Input, Screen};
    use p2review::tui::supervisor::runtime::SupScreen;
    let mut s = SupScreen {
        app: app(PLAIN),
        dirty: false,
    };
    for input in [Input::Scroll(1), Input::Scroll(1), Input::Scroll(1)] {
        let a = s.translate(input).unwrap();
        s.dispatch(a);
    }
    assert_eq!(s.app.selected, 3);
    s.dispatch(s.translate(Input::Scroll(-1)).unwrap());
    assert_eq!(s.app.selected, 2);
    // The first entry row is terminal row 5 (header, three log lines, column titles).
    s.dispatch(s.translate(Input::Click { column: 3, row: 5 }).unwrap());
    assert_eq!(s.app.selected, 0);
    s.dispatch(s.translate(Input::Click { column: 3, row: 9 }).unwrap());
    assert_eq!(s.app.selected, 4);
    let t = render(&s.app);
    let row9: String = (0..80)
        .map(|x| t.backend().buffer()[(x, 9)].symbol().to_owned())
        .collect();
    assert!(
        row9.starts_with('▶'),
        "the clicked row is the selected one: {row9}"
    );
    s.dispatch(s.translate(Input::Click { column: 3, row: 1 }).unwrap());
    assert_eq!(s.app.selected, 4, "a click on the header selects nothing");
    s.dispatch(s.translate(Input::Click { column: 3, row: 30 }).unwrap());
    assert_eq!(s.app.selected, 4, "below the list: nothing");
    keys(&mut s.app, "<tab>");
    s.dispatch(s.translate(Input::Scroll(1)).unwrap());
    assert_eq!(s.app.selected, 4, "the summary does not scroll the list");
    assert!(s.take_dirty());
}
