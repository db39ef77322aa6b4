//! The escalation and correction loop (`supersedes`, docs/signed-log.md#supersession-effective-decisions-and-conflicts) through the review TUI on a
//! real signed log: a reviewer escalates with `decide`; a supervisor opens the same queue
//! and log in `review`, sees who escalated, when and why, and decides — a new entry whose
//! `supersedes` is the escalation; `log show` then counts no open escalation. A reviewer
//! corrects their own decision the same way. Nothing is edited.

use crate::log_support;

use std::path::Path;
use std::sync::Arc;

use log_support::*;
use p2review::engine::Engine;
use p2review::log::{LogKind, Recorder};
use p2review::tui::app::Look;
use p2review::tui::keymap::Key;
use p2review::tui::{Action, App, Driver, EvalFn, Loader, SignedLogSink};
use serde_json::Value;

const QUEUE: &str = include_str!("../fixtures/supervise/two_patients.yaml");

/// The review TUI over `queue` and `log`, signing with the key of `env`, loaded and
/// seeded from the log (the same wiring as `p2review review`, without a terminal).
fn open_review(env: &Env, queue: &Path, log: &Path) -> (App, Driver) {
    let engine: &'static Engine = Box::leak(Box::new(Engine::load(None).unwrap()));
    let q = queue.to_path_buf();
    let loader: Loader = Arc::new(move || {
        let loaded = p2review::queue::load_path(&q).map_err(|e| e.to_string())?;
        let ev = engine
            .for_date(loaded.queue.as_of.unwrap())
            .map_err(|e| e.to_string())?;
        let f: EvalFn = Arc::new(move |q, ix, d| ev.evaluate(q, ix, d));
        Ok((Arc::new(loaded), f))
    });
    let sink = SignedLogSink::new(
        Recorder::open(&env.data_dir(), log, LogKind::Production, env.signer()),
        "log",
    );
    assert!(sink.read_only().is_none());
    let mut driver = Driver {
        sink: Box::new(sink),
        loader: loader.clone(),
        attachments_dir: env.path("attachments"),
        check_file: true,
        tx: None,
        shown_sha: Default::default(),
    };
    let look = Look {
        color: false,
        ascii: false,
    };
    let mut app = App::new(false, "log", look, (100, 30));
    let (loaded, eval) = loader().unwrap();
    driver.dispatch(&mut app, Action::Loaded(loaded, eval));
    (app, driver)
}

fn keys(app: &mut App, driver: &mut Driver, seq: &str) {
    for tok in seq.split_whitespace() {
        let ks: Vec<Key> = match tok {
            "<enter>" => vec![Key::Enter],
            "<down>" => vec![Key::Down],
            w => w.chars().map(Key::Char).collect(),
        };
        for k in ks {
            // As at a real terminal: each key is read after the previous frame was on
            // screen (a confirming key typed ahead of its dialog is dropped).
            let n = app.frames + 1;
            driver.dispatch(app, Action::Flushed(n));
            driver.dispatch(app, Action::KeyRead(n));
            if let Some(a) = app.keymap.lookup(app.context(), k) {
                driver.dispatch(app, a);
            }
        }
    }
}

fn screen(app: &App) -> String {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| p2review::tui::view(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn entries(log: &Path) -> Vec<(String, Value)> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (p2review::digest::sha256_hex(l.as_bytes()), v["e"].clone())
        })
        .collect()
}

fn select(app: &mut App, driver: &mut Driver, id: &str) {
    for _ in 0..4 {
        let cur = app
            .selected()
            .and_then(|r| app.disclosure(r))
            .map(|d| d.id.clone());
        if cur.as_deref() == Some(id) {
            return;
        }
        keys(app, driver, "j");
    }
    panic!("{id} not found");
}

#[test]
fn supervisor_resolves_an_escalation_and_a_reviewer_corrects_their_own_decision() {
    let bob = Env::with_key("bob@example.org");
    let sup = Env::with_key("sup@example.org");
    let queue = bob.path("queue.yaml");
    std::fs::write(&queue, QUEUE).unwrap();
    let log = bob.path("shared.jsonl");
    let o = bob
        .cmd()
        .arg("decide")
        .arg(&queue)
        .args([
            "--id",
            "D-0002",
            "--decision",
            "escalate",
            "--reason-code",
            "needs_privacy_officer",
            "--log",
        ])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let (esc_hash, esc) = entries(&log).pop().unwrap();
    assert_eq!(esc["decision"], "escalate");

    // The supervisor opens the same queue and log: the earlier entry is on screen.
    let (mut app, mut driver) = open_review(&sup, &queue, &log);
    select(&mut app, &mut driver, "D-0002");
    let text = screen(&app);
    assert!(text.contains("ESCALATE (needs_privacy_officer)"), "{text}");
    assert!(text.contains("escalated by bob@example.org at"), "{text}");
    assert!(text.contains(esc["ts"].as_str().unwrap()), "{text}");
    // Deny it (reason picker: the highlighted reason, then no note).
    keys(&mut app, &mut driver, "d <enter> <enter>");
    let all = entries(&log);
    assert_eq!(
        all.len(),
        3,
        "genesis, escalation, the supervisor's decision"
    );
    let (_, dec) = &all[2];
    assert_eq!(dec["reviewer"], "sup@example.org");
    assert_eq!(dec["decision"], "deny");
    assert_eq!(dec["supersedes"], esc_hash.as_str());
    assert_eq!(all[1].1, esc, "the escalation is untouched");

    // `log show` over the log, both keys trusted: no escalation open any more.
    let allowed = bob.path("allowed");
    let mut a = out(&bob.run(&["key", "show", "--allowed-signers"]));
    a.push_str(&out(&sup.run(&["key", "show", "--allowed-signers"])));
    std::fs::write(&allowed, a).unwrap();
    let show = |extra: &[&str]| {
        let mut c = bob.cmd();
        c.args(["log", "show"])
            .arg(&log)
            .arg("--allowed-signers")
            .arg(&allowed)
            .args(extra);
        c.output().unwrap()
    };
    let o = show(&[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("open escalations (all entries): 0"),
        "{}",
        out(&o)
    );
    let v: Value = serde_json::from_str(&out(&show(&["--format", "json"]))).unwrap();
    assert_eq!(v["summary"]["open_escalations"], serde_json::json!([]));

    // Bob approves D-0001, then corrects himself: the correction supersedes his approval.
    let (mut app, mut driver) = open_review(&bob, &queue, &log);
    select(&mut app, &mut driver, "D-0001");
    keys(&mut app, &mut driver, "a <enter> <enter>");
    let (appr_hash, appr) = entries(&log).pop().unwrap();
    assert_eq!(appr["decision"], "approve");
    assert_eq!(appr["disclosure"], "D-0001");
    assert!(appr.get("supersedes").is_none());
    let (mut app, mut driver) = open_review(&bob, &queue, &log);
    select(&mut app, &mut driver, "D-0001");
    let text = screen(&app);
    assert!(text.contains("decided by bob@example.org at"), "{text}");
    keys(&mut app, &mut driver, "d <enter> <enter>");
    let all = entries(&log);
    assert_eq!(all.len(), 5);
    let (_, fix) = &all[4];
    assert_eq!(fix["decision"], "deny");
    assert_eq!(fix["supersedes"], appr_hash.as_str());
    // And a further decision on D-0002 names the latest entry (the supervisor's), not the
    // escalation.
    select(&mut app, &mut driver, "D-0002");
    keys(&mut app, &mut driver, "f <enter> <enter>");
    let (_, again) = entries(&log).pop().unwrap();
    assert_eq!(again["decision"], "defer");
    assert_eq!(again["supersedes"], all[2].0.as_str());
    let o = bob
        .cmd()
        .args(["log", "verify"])
        .arg(&log)
        .arg("--allowed-signers")
        .arg(&allowed)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
}
