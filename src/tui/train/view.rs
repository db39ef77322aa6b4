//! Drawing the practice screens: a pure function of `TrainApp`. Pack text is escaped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::training::{Phase, Question};

use super::app::TrainApp;
use crate::tui::shell::{MIN_H, MIN_W};
use crate::tui::theme::Theme;

fn esc(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

pub fn view(app: &TrainApp, f: &mut Frame) {
    let area = f.area();
    let t = Theme::new(app.look);
    if area.width < MIN_W || area.height < MIN_H {
        let msg = format!(
            "terminal too small (need {MIN_W}x{MIN_H}, have {}x{}) - resize, or q to quit",
            area.width, area.height
        );
        f.render_widget(Clear, area);
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y, area.width, h);
    header(app, &t, f, row(0, 1));
    let body = row(1, area.height - 3);
    let lines = if app.help {
        help(app, &t)
    } else {
        match app.session.phase() {
            Phase::Asking(q) => question(app, &t, q),
            Phase::Revealed => reveal(app, &t),
            Phase::Finished => end(app, &t),
        }
    };
    let scroll = if app.session.phase() == Phase::Revealed && !app.help {
        app.scroll
    } else {
        0
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
    status(app, &t, f, row(area.height - 2, 1));
    hints(app, &t, f, row(area.height - 1, 1));
    if app.confirm_quit {
        confirm_quit(&t, f, body);
    }
}

/// "Abandon the pack?" over the body: answers given so far are lost and nothing is recorded.
fn confirm_quit(t: &Theme, f: &mut Frame, area: Rect) {
    let w = 56.min(area.width);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + 2,
        w,
        5.min(area.height),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(vec![
            Line::styled("Abandon this pack?", t.bold()),
            Line::raw("Nothing is recorded for an unfinished session."),
            Line::raw("y abandon   n keep practising"),
        ])
        .block(
            ratatui::widgets::Block::bordered()
                .border_set(t.border())
                .title(" Quit "),
        ),
        r,
    );
}

fn header(app: &TrainApp, t: &Theme, f: &mut Frame, area: Rect) {
    let s = app.session.score();
    let n = app.session.len();
    let pos = (app.session.position() + 1).min(n);
    let text = format!(
        " p2review TRAINING {} {} (v{}) {} scenario {pos}/{n} {} score {}/{} ",
        t.sep(),
        esc(&app.title),
        esc(&app.pack_version),
        t.sep(),
        t.sep(),
        s.correct,
        s.answered
    );
    f.render_widget(Paragraph::new(text).style(t.bar()), area);
}

fn scenario_lines(app: &TrainApp, t: &Theme, full: bool) -> Vec<Line<'static>> {
    let Some(sc) = app.scenarios.get(app.session.position()) else {
        return vec![];
    };
    let mut v = vec![Line::from(vec![
        Span::styled(format!("Scenario {}", esc(&sc.id)), t.bold()),
        Span::raw(format!(
            "  {} {} {} purpose: {} {} records: {}",
            t.arrow(),
            esc(&sc.recipient),
            t.dot(),
            esc(&sc.purpose),
            t.dot(),
            esc(&sc.records)
        )),
    ])];
    if let Some(lines) = &sc.incident {
        // An incident scenario: its facts are the incident's, not consents.
        v.extend(lines.iter().map(|l| Line::raw(esc(l))));
        return v;
    }
    if !full {
        return v;
    }
    if !sc.facts.is_empty() {
        v.push(Line::raw(format!("Facts: {}", esc(&sc.facts.join("; ")))));
    }
    if sc.consents.is_empty() {
        v.push(Line::raw("Consent: none on file"));
    }
    for c in &sc.consents {
        v.push(Line::raw(format!("Consent: {}", esc(c))));
    }
    v
}

fn question(app: &TrainApp, t: &Theme, q: Question) -> Vec<Line<'static>> {
    let mut v = scenario_lines(app, t, true);
    v.push(Line::raw(""));
    let (n, text) = match q {
        Question::Part2 => (1, "What is the Part 2 status?"),
        Question::Notice => (2, "Must the 2.32 notice go with this disclosure? (y/n)"),
        Question::Hipaa => (3, "What would HIPAA alone say?"),
        Question::Outcome => (1, "Is it a breach? (the 164.402 outcome)"),
        Question::FirstNotice => (2, "Who must be told first?"),
        Question::Due => (
            3,
            "By which date must the first notice go out, at the latest?",
        ),
    };
    let due_for;
    let text = match (q, app.incident_key().and_then(|k| k.due_for)) {
        (Question::Due, Some(to)) => {
            due_for = format!(
                "By which date must the {} be told, at the latest?",
                to.as_str()
            );
            due_for.as_str()
        }
        _ => text,
    };
    v.push(Line::styled(format!("Question {n} of 3: {text}"), t.bold()));
    for (i, o) in app.options().iter().enumerate() {
        let sel = i == app.cursor;
        let marker = if sel { t.marker() } else { " " };
        let line = format!("{marker} {}. {o}", i + 1);
        v.push(if sel {
            Line::styled(line, t.selected())
        } else {
            Line::raw(line)
        });
    }
    v
}

fn yn(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The reveal of an incident scenario: the computed key, why (with citations) and every
/// notice owed.
fn reveal_incident(app: &TrainApp, t: &Theme) -> Vec<Line<'static>> {
    let i = app.session.position();
    let (Some(sc), Some(fb), Some(a)) = (
        app.scenarios.get(i),
        app.session.incident_feedback(i),
        app.session.answer(i),
    ) else {
        return vec![];
    };
    let mut v = scenario_lines(app, t, false);
    v.push(Line::from(if fb.correct() {
        Span::styled(format!("{} Correct", t.check(true)), t.ok())
    } else {
        Span::styled(format!("{} Not quite", t.check(false)), t.fail())
    }));
    let k = &fb.key;
    let rows = [
        (
            "Outcome",
            fb.outcome_ok,
            k.outcome.as_str().to_owned(),
            a.outcome.map(|o| o.as_str().to_owned()),
        ),
        (
            "First",
            fb.first_ok,
            k.first.as_str().to_owned(),
            a.first.map(|f| f.as_str().to_owned()),
        ),
        (
            "By",
            fb.due_ok,
            k.due.as_string(),
            a.due.map(|d| d.as_string()),
        ),
    ];
    for (label, ok, right, yours) in rows {
        let mut spans = vec![
            Span::styled(
                format!("{} ", t.check(ok)),
                if ok { t.ok() } else { t.fail() },
            ),
            Span::raw(format!("{label:<8} ")),
            Span::styled(right, t.bold()),
        ];
        if !ok {
            spans.push(Span::raw(format!(
                "  (you said {})",
                yours.unwrap_or_default()
            )));
        }
        v.push(Line::from(spans));
    }
    v.push(Line::raw(format!(
        "Actor: {}; the clock starts {}",
        k.actor.as_str(),
        k.clock_start
    )));
    for r in &k.reasons {
        v.push(Line::raw(format!("Why: {}", esc(r))));
    }
    for n in &k.notices {
        let due = match n.due {
            crate::incident::Due::Date(d) => format!("by {d}"),
            crate::incident::Due::Contractual => "contractual: set breach_notice_days".into(),
            crate::incident::Due::NotApplicable => "not_applicable".into(),
        };
        v.push(Line::raw(format!(
            "Notice: {} {due} ({}): {}",
            n.to.map_or("-", |t| t.as_str()),
            n.cite,
            esc(&n.why)
        )));
    }
    if k.notices.is_empty() {
        v.push(Line::raw(
            "Notice: none owed under 164.404-408 for this outcome",
        ));
    }
    if let Some(teach) = &sc.teach {
        v.push(Line::raw(format!("Teach: {}", esc(teach))));
    }
    if let Some(n) = &sc.note {
        v.push(Line::styled(format!("Note: {}", esc(n)), t.dim()));
    }
    v
}

fn reveal(app: &TrainApp, t: &Theme) -> Vec<Line<'static>> {
    if app.incident_key().is_some() {
        return reveal_incident(app, t);
    }
    let i = app.session.position();
    let (Some(sc), Some(fb), Some(a)) = (
        app.scenarios.get(i),
        app.session.feedback(i),
        app.session.answer(i),
    ) else {
        return vec![];
    };
    let mut v = scenario_lines(app, t, false);
    let verdict = if fb.correct() {
        Span::styled(format!("{} Correct", t.check(true)), t.ok())
    } else {
        Span::styled(format!("{} Not quite", t.check(false)), t.fail())
    };
    v.push(Line::from(verdict));
    let mut answer_line = |label: &str, ok: bool, right: String, yours: String| {
        let mut spans = vec![
            Span::styled(
                format!("{} ", t.check(ok)),
                if ok { t.ok() } else { t.fail() },
            ),
            Span::raw(format!("{label:<7} ")),
            Span::styled(right, t.bold()),
        ];
        if !ok {
            spans.push(Span::raw(format!("  (you said {yours})")));
        }
        v.push(Line::from(spans));
    };
    answer_line(
        "Part 2",
        fb.part2_ok,
        fb.right_part2.word().to_owned(),
        a.part2.map(|s| s.word().to_owned()).unwrap_or_default(),
    );
    answer_line(
        "Notice",
        fb.notice_ok,
        yn(fb.right_notice).into(),
        a.notice.map(yn).unwrap_or_default().into(),
    );
    answer_line(
        "HIPAA",
        fb.hipaa_ok,
        fb.right_hipaa.word().to_owned(),
        a.hipaa.map(|s| s.word().to_owned()).unwrap_or_default(),
    );
    let e = &sc.eval;
    v.push(Line::raw(format!("Why: {}", esc(&e.part2.explanation))));
    v.push(Line::styled(
        format!("Cites: {}", esc(&e.part2.citations.join(", "))),
        t.dim(),
    ));
    if let Some(teach) = &sc.teach {
        v.push(Line::raw(format!("Teach: {}", esc(teach))));
    }
    // The pack's note on the scenario often names the answer: shown only once answered.
    if let Some(n) = &sc.note {
        v.push(Line::styled(format!("Note: {}", esc(n)), t.dim()));
    }
    match &fb.hipaa_only_pitfall {
        Some(p) => v.push(Line::styled(
            format!("HIPAA-only trap: {}", esc(p)),
            t.badge(),
        )),
        None => v.push(Line::styled(
            "HIPAA-only thinking: no trap here; both rules point the same way.",
            t.dim(),
        )),
    }
    v
}

fn end(app: &TrainApp, t: &Theme) -> Vec<Line<'static>> {
    let s = app.session.score();
    let passed = crate::training::passed(s.correct, s.total, app.pass_mark);
    let mut v = vec![
        Line::styled("Session complete", t.bold()),
        Line::raw(""),
        Line::raw(format!(
            "Result: {}/{} correct ({}%), pass mark {}%",
            s.correct,
            s.total,
            s.percent(),
            app.pass_mark
        )),
        Line::styled(
            if passed { "PASSED" } else { "NOT PASSED" },
            if passed { t.ok() } else { t.fail() },
        ),
        Line::raw(""),
    ];
    v.push(match &app.recorded {
        None => Line::raw("Recording the completion record..."),
        Some(Ok(w)) => Line::raw(format!(
            "Completion record signed and written to {}",
            esc(w)
        )),
        Some(Err(e)) => Line::styled(
            format!("Error: the completion record was NOT written: {}", esc(e)),
            t.error(),
        ),
    });
    if !passed {
        v.push(Line::raw(
            "Run the pack again to pass; every attempt is recorded.",
        ));
    }
    v
}

fn help(app: &TrainApp, t: &Theme) -> Vec<Line<'static>> {
    let ctx = {
        // The context under the overlay.
        let mut c = app.context();
        if matches!(
            c,
            super::keymap::Context::Help | super::keymap::Context::ConfirmQuit
        ) {
            c = match app.session.phase() {
                Phase::Asking(Question::Notice) => super::keymap::Context::YesNo,
                Phase::Asking(_) => super::keymap::Context::Pick,
                Phase::Revealed => super::keymap::Context::Reveal,
                Phase::Finished => super::keymap::Context::End,
            };
        }
        c
    };
    let mut v = vec![Line::styled("Keys (any key closes this)", t.bold())];
    let shell_keys = crate::tui::shell::SHELL_KEYS
        .iter()
        .map(|(k, h)| (k.label(app.look.ascii), *h));
    for (k, h) in app
        .keymap
        .help_rows(ctx, app.look.ascii)
        .into_iter()
        .chain(shell_keys)
    {
        v.push(Line::from(vec![
            Span::styled(format!("{k:>14}  "), t.key()),
            Span::raw(h),
        ]));
    }
    v.push(Line::raw(""));
    v.push(Line::raw(
        "Practice answers are never written to a decision log; only the final score is recorded, \
         signed, in the training log.",
    ));
    v
}

fn status(app: &TrainApp, t: &Theme, f: &mut Frame, area: Rect) {
    let s = app.session.score();
    let text = format!(
        "pass mark {}% {} answered {}/{} {} correct {}",
        app.pass_mark,
        t.dot(),
        s.answered,
        s.total,
        t.dot(),
        s.correct
    );
    f.render_widget(Paragraph::new(text).style(t.dim()), area);
}

fn hints(app: &TrainApp, t: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (k, h) in app.keymap.hints(app.context(), app.look.ascii) {
        spans.push(Span::styled(format!(" {k}"), t.key()));
        spans.push(Span::raw(format!(" {h} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
