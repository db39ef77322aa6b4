//! The practice screens, driven through `update` with the real engine over a real pack:
//! the question, reveal and end screens at 80x24 (insta snapshots), scoring, help, the
//! too-small message, and that quitting early records nothing.

use std::path::Path;

use p2review::engine::Engine;
use p2review::training::load_pack;
use p2review::tui::Look;
use p2review::tui::keymap::Key;
use p2review::tui::train::{TrainAction as A, TrainApp, TrainEffect, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(size: (u16, u16), look: Look) -> TrainApp {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/training/short.yaml");
    let pack = load_pack(&path).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(pack.loaded.queue.as_of.unwrap()).unwrap();
    TrainApp::new(&pack, |q, ix, d| ev.evaluate(q, ix, d), 80, look, size)
}

fn plain() -> Look {
    Look {
        color: false,
        ascii: false,
    }
}

fn text(app: &TrainApp) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| view(app, f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Answer the current scenario: part2 option, notice, hipaa option (1-based).
fn answer(app: &mut TrainApp, p2: u8, notice: bool, hipaa: u8) -> Vec<TrainEffect> {
    let mut effs = update(app, A::Pick(p2));
    effs.extend(update(app, if notice { A::Yes } else { A::No }));
    effs.extend(update(app, A::Pick(hipaa)));
    effs
}

fn index_of<T: PartialEq>(all: &[T], x: T) -> u8 {
    all.iter().position(|a| *a == x).unwrap() as u8 + 1
}

#[test]
fn question_reveal_and_end_screens() {
    use p2review::engine::{HipaaStatus as H, Part2Status as P};
    let mut a = app((80, 24), plain());
    let q = text(&a);
    assert!(q.contains("Question 1 of 3"), "{q}");
    assert!(
        !q.contains("Why:") && !q.contains("Teach:") && !q.contains("Note:"),
        "no verdict, teaching or pack note before answering: {q}"
    );
    // The review screen's verdict words, not the JSON codes.
    assert!(
        q.contains("PERMIT+NOTICE")
            && q.contains("CONSENT REQ")
            && !q.contains("permitted_with_notice"),
        "{q}"
    );
    insta::assert_snapshot!("train_question", q);

    // B01 right: permitted_with_notice, notice, permitted_tpo.
    let p2 = index_of(P::ALL, P::PermittedWithNotice);
    let h = index_of(H::ALL, H::PermittedTpo);
    assert!(update(&mut a, A::Pick(p2)).is_empty());
    let n = text(&a);
    assert!(n.contains("Question 2 of 3") && n.contains("(y/n)"), "{n}");
    update(&mut a, A::Yes);
    // The HIPAA question by cursor: Down to the option, Enter.
    for _ in 1..h {
        update(&mut a, A::Down);
    }
    update(&mut a, A::Choose);
    let r = text(&a);
    assert!(r.contains("Correct") && r.contains("Teach:"), "{r}");
    insta::assert_snapshot!("train_reveal_correct", r);
    update(&mut a, A::Next);

    // B02 answered the HIPAA-only way: permitted, no notice, permitted_tpo.
    answer(&mut a, index_of(P::ALL, P::Permitted), false, h);
    let r = text(&a);
    assert!(
        r.contains("Not quite") && r.contains("you said PERMIT)") && r.contains("CONSENT REQ"),
        "{r}"
    );
    assert!(r.contains("HIPAA-only trap"), "{r}");
    insta::assert_snapshot!("train_reveal_wrong", r);

    let effs = update(&mut a, A::Next);
    let s = a.session.score();
    assert_eq!((s.correct, s.answered, s.total), (1, 2, 2));
    assert_eq!(effs, vec![TrainEffect::RecordCompletion(s)]);
    update(
        &mut a,
        A::Recorded(Ok("/data/training.jsonl (seq 1)".into())),
    );
    let e = text(&a);
    assert!(
        e.contains("1/2 correct (50%)") && e.contains("NOT PASSED"),
        "{e}"
    );
    insta::assert_snapshot!("train_end", e);
    // The end screen records once: Next again does nothing more.
    assert!(update(&mut a, A::Next).is_empty());
}

#[test]
fn a_failed_record_is_shown_as_an_error() {
    let mut a = app((80, 24), plain());
    for _ in 0..2 {
        answer(&mut a, 1, false, 1);
        update(&mut a, A::Next);
    }
    update(&mut a, A::Recorded(Err("log is locked".into())));
    assert!(text(&a).contains("NOT written: log is locked"));
}

#[test]
fn quitting_early_records_nothing() {
    let mut a = app((80, 24), plain());
    answer(&mut a, 1, false, 1);
    // `q` in an unfinished pack asks first; `n` keeps practising, keys meanwhile are inert.
    assert_eq!(update(&mut a, A::Quit), vec![]);
    assert!(!a.quit && a.confirm_quit);
    assert!(text(&a).contains("Abandon this pack?"));
    let at = (a.session.position(), a.session.phase());
    update(&mut a, A::Next);
    assert_eq!((a.session.position(), a.session.phase()), at);
    let q = a.keymap.lookup(a.context(), Key::Char('n')).unwrap();
    update(&mut a, q);
    assert!(!a.quit && !a.confirm_quit);
    update(&mut a, A::Quit);
    let y = a.keymap.lookup(a.context(), Key::Char('y')).unwrap();
    let effs = update(&mut a, y);
    assert_eq!(effs, vec![TrainEffect::Quit]);
    assert!(a.quit && !a.finished() && a.recorded.is_none());
}

#[test]
fn out_of_range_picks_and_wrong_phase_keys_are_ignored() {
    let mut a = app((80, 24), plain());
    update(&mut a, A::Pick(7)); // Part 2 has six options
    update(&mut a, A::Yes); // not the notice question yet
    assert_eq!(a.session.answer(0).unwrap().part2, None);
    assert!(text(&a).contains("Question 1 of 3"));
}

#[test]
fn help_small_terminal_and_ascii() {
    let mut a = app(
        (80, 24),
        Look {
            color: false,
            ascii: true,
        },
    );
    update(&mut a, A::Help);
    let h = text(&a);
    assert!(
        h.contains("Keys (any key closes this)") && h.contains("answer with option 1-7"),
        "{h}"
    );
    update(&mut a, A::Down); // closes help, does not move
    assert!(!a.help && a.cursor == 0);
    let q = text(&a);
    assert!(q.contains("> 1.") && q.is_ascii(), "{q}");
    update(&mut a, A::Resize(60, 20));
    assert!(text(&a).contains("terminal too small (need 80x24, have 60x20)"));
}

/// Every scenario of every bundled pack: the whole question and the whole reveal fit at
/// 80x24 (the last body row stays blank, so nothing was cut off).
#[test]
fn every_bundled_scenario_fits_at_80x24() {
    let engine = Engine::load(None).unwrap();
    let last_body_row = |t: &str| t.lines().nth(21).unwrap().trim().to_owned();
    for name in ["basics", "consent-validity", "legal-and-exceptions"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample_data/training")
            .join(format!("{name}.yaml"));
        let pack = load_pack(&path).unwrap();
        let ev = engine.for_date(pack.loaded.queue.as_of.unwrap()).unwrap();
        let mut a = TrainApp::new(
            &pack,
            |q, ix, d| ev.evaluate(q, ix, d),
            80,
            plain(),
            (80, 24),
        );
        for i in 0..pack.len() {
            update(&mut a, A::Pick(1));
            update(&mut a, A::No);
            let q = text(&a);
            assert_eq!(last_body_row(&q), "", "{name} #{i}: question cut off:\n{q}");
            update(&mut a, A::Pick(1));
            let r = text(&a);
            assert!(r.contains("HIPAA-only"), "{r}");
            assert_eq!(last_body_row(&r), "", "{name} #{i}: reveal cut off:\n{r}");
            update(&mut a, A::Next);
        }
        assert!(a.finished());
    }
}

#[test]
fn the_reveal_scrolls_and_resets_for_the_next_scenario() {
    let mut a = app((80, 24), plain());
    answer(&mut a, 1, false, 1);
    let top = text(&a);
    assert!(
        top.lines().nth(1).unwrap().contains("Scenario B01"),
        "{top}"
    );
    update(&mut a, A::Down);
    update(&mut a, A::Down);
    let scrolled = text(&a);
    assert!(
        !scrolled.lines().nth(1).unwrap().contains("Scenario B01"),
        "{scrolled}"
    );
    update(&mut a, A::Up);
    update(&mut a, A::Up);
    update(&mut a, A::Up); // never below the top
    assert_eq!(text(&a), top);
    update(&mut a, A::Down);
    update(&mut a, A::Next);
    assert_eq!(a.scroll, 0);
    assert_eq!(
        a.cursor, 0,
        "Down on the reveal never moved the option cursor"
    );
}

/// Below the minimum size nothing is visible: answering keys are inert, `q` quits.
#[test]
fn below_the_minimum_size_only_quit_acts() {
    let mut a = app((40, 10), plain());
    for k in [
        Key::Char('1'),
        Key::Char('y'),
        Key::Enter,
        Key::Char('?'),
        Key::Down,
    ] {
        if let Some(act) = a.keymap.lookup(a.context(), k) {
            update(&mut a, act);
        }
    }
    a.size = (80, 24);
    assert!(a.session.answer(0).unwrap().part2.is_none() && !a.help && a.cursor == 0);
    a.size = (40, 10);
    let q = a.keymap.lookup(a.context(), Key::Char('q')).unwrap();
    update(&mut a, q);
    assert!(a.quit);
}

/// The bundled `breach-response` pack in the practice screen: an incident scenario asks the
/// outcome, who is told first and by when; the reveal shows the computed key with its
/// citations, and a wrong date (day 61 instead of day 60) is marked wrong.
#[test]
fn a_breach_scenario_is_asked_answered_and_explained() {
    use p2review::incident::Outcome;
    use p2review::incident::scenario::{DueAnswer, First};
    use p2review::incident::vocab::NoticeTo;
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training/breach-response.yaml");
    let pack = load_pack(&path).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(pack.loaded.queue.as_of.unwrap()).unwrap();
    let mut a = TrainApp::new(
        &pack,
        |q, ix, d| ev.evaluate(q, ix, d),
        80,
        plain(),
        (80, 24),
    );
    let q = text(&a);
    assert!(
        q.contains("Scenario R01") && q.contains("Question 1 of 3: Is it a breach?"),
        "{q}"
    );
    assert!(
        q.contains("low_probability") && q.contains("secured"),
        "{q}"
    );
    assert!(
        !q.contains("Why:") && !q.contains("Teach:"),
        "no key before answering: {q}"
    );
    assert_eq!(
        q.lines().nth(21).unwrap().trim(),
        "",
        "question cut off:\n{q}"
    );

    // R01, answered right: breach, the program, 1 May (day 60).
    update(&mut a, A::Pick(index_of(Outcome::ALL, Outcome::Breach)));
    let q2 = text(&a);
    assert!(
        q2.contains("Who must be told first?") && q2.contains("individuals"),
        "{q2}"
    );
    update(
        &mut a,
        A::Pick(index_of(&First::ALL, First::To(NoticeTo::Program))),
    );
    let q3 = text(&a);
    assert!(
        q3.contains("By which date") && q3.contains("2026-05-01"),
        "{q3}"
    );
    let opts = a.due_options();
    let right = DueAnswer::Date(chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
    update(&mut a, A::Pick(index_of(&opts, right)));
    let r = text(&a);
    assert!(
        r.contains("Correct") && r.contains("Outcome") && r.contains("breach"),
        "{r}"
    );
    assert!(r.contains("Why:") && r.contains("164.402(2)"), "{r}");
    assert_eq!(a.session.score().correct, 1);
    update(&mut a, A::Next);

    // R02 (an exception), answered the wrong way: breach, individuals, day 61.
    update(&mut a, A::Pick(index_of(Outcome::ALL, Outcome::Breach)));
    update(
        &mut a,
        A::Pick(index_of(&First::ALL, First::To(NoticeTo::Individuals))),
    );
    update(&mut a, A::Pick(1));
    let r = text(&a);
    assert!(
        r.contains("Not quite") && r.contains("exception") && r.contains("(you said breach)"),
        "{r}"
    );
    let s = a.session.score();
    assert_eq!((s.correct, s.answered), (1, 2));
}

/// Day 61 is offered and marked wrong where day 60 is the answer.
#[test]
fn day_61_is_wrong_in_a_breach_scenario() {
    use p2review::incident::scenario::DueAnswer;
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training/breach-response.yaml");
    let pack = load_pack(&path).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(pack.loaded.queue.as_of.unwrap()).unwrap();
    let mut a = TrainApp::new(
        &pack,
        |q, ix, d| ev.evaluate(q, ix, d),
        80,
        plain(),
        (80, 24),
    );
    update(&mut a, A::Pick(1)); // breach
    update(&mut a, A::Pick(1)); // program
    let day61 = DueAnswer::Date(chrono::NaiveDate::from_ymd_opt(2026, 5, 2).unwrap());
    let opts = a.due_options();
    update(&mut a, A::Pick(index_of(&opts, day61)));
    let fb = a.session.incident_feedback(0).unwrap();
    assert!(fb.outcome_ok && fb.first_ok && !fb.due_ok);
    assert!(text(&a).contains("(you said 2026-05-02)"));
}
