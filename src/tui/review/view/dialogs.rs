//! Modal dialogs and overlays: the decision steps, help, rule trace, §2.32 statement.
//! Each is a centred box drawn over a cleared area, never larger than the screen.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::super::app::{App, DecideDialog, Step};
use super::super::keymap::Context;
use super::esc;
use crate::tui::theme::Theme;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn boxed<'a>(t: &Theme, title: String) -> Block<'a> {
    Block::bordered()
        .border_set(t.border())
        .title(Span::styled(format!(" {title} "), t.bold()))
}

pub fn decide(app: &App, dlg: &DecideDialog, t: &Theme, f: &mut Frame, area: Rect) {
    let id = app
        .disclosure(dlg.row)
        .map(|d| esc(&d.id))
        .unwrap_or_default();
    let verb = match dlg.decision {
        crate::decision::Decision::Approve => "Approve",
        crate::decision::Decision::Deny => "Deny",
        crate::decision::Decision::Escalate => "Escalate",
        crate::decision::Decision::Defer => "Defer",
    };
    let verdict = app
        .rows
        .get(dlg.row as usize)
        .and_then(|r| r.verdict)
        .map(|v| {
            format!(
                "Part 2 {}  {}  HIPAA {}",
                v.part2.word(),
                t.dot(),
                v.hipaa.word()
            )
        })
        .unwrap_or_default();
    let mut lines: Vec<Line> = vec![Line::raw(verdict)];
    // A repeat decision supersedes the item's effective one: say which, before it is made.
    let earlier: Vec<String> = dlg
        .supersedes
        .as_deref()
        .map(|h| {
            let known = app
                .rows
                .get(dlg.row as usize)
                .and_then(|r| r.history.iter().find(|d| d.entry_sha256 == h));
            let short = esc(&h[..h.len().min(12)]);
            let completes = dlg.decision == crate::decision::Decision::Approve
                && app
                    .rows
                    .get(dlg.row as usize)
                    .and_then(|r| r.awaiting_second())
                    .is_some_and(|p| p.entry_sha256 == h);
            match known {
                // Four-eyes: this approval is the second one the pending approval waits for.
                Some(d) if completes => vec![
                    format!("Completes the four-eyes approval by {}", esc(&d.reviewer)),
                    format!("  at {}, entry {short}…", esc(&d.ts)),
                ],
                Some(d) if !d.reviewer.is_empty() => vec![
                    format!(
                        "Supersedes {} by {}",
                        d.decision.as_str().to_uppercase(),
                        esc(&d.reviewer)
                    ),
                    format!("  at {}, entry {short}…", esc(&d.ts)),
                ],
                Some(d) => vec![format!(
                    "Supersedes {} made in this window (entry {short}…)",
                    d.decision.as_str().to_uppercase()
                )],
                None => vec![format!("Supersedes entry {short}…")],
            }
        })
        .unwrap_or_default();
    let extra = earlier.len() as u16 + u16::from(!dlg.bulk.is_empty());
    for e in earlier {
        lines.push(Line::styled(e, t.bold()));
    }
    lines.push(Line::raw(""));
    if !dlg.bulk.is_empty() {
        lines.insert(
            0,
            Line::styled(
                format!(
                    "BULK: {} disclosures marked with v get this decision, reason and note.",
                    dlg.bulk.len() + 1
                ),
                t.bold(),
            ),
        );
    }
    let (title, height) = match dlg.step {
        Step::Confirm => {
            lines.push(Line::styled(
                "This approval OVERRIDES the Part 2 verdict.",
                t.error(),
            ));
            lines.push(Line::raw(
                "It is recorded as an override, with the reason you give next, for your supervisor to review.",
            ));
            lines.push(Line::raw(""));
            let choice = |label: &str, on: bool| {
                let text = format!("{} {label} ", if on { t.marker() } else { " " });
                if on {
                    Span::styled(text, t.selected())
                } else {
                    Span::raw(text)
                }
            };
            lines.push(Line::from(vec![
                choice("No, go back (n)", !dlg.confirm_yes),
                Span::raw("   "),
                choice("Yes, approve anyway (y)", dlg.confirm_yes),
            ]));
            (format!("{verb} {id}: override?"), 12 + extra)
        }
        Step::Reason => {
            let req =
                if crate::decision::reason_required(dlg.decision, dlg.overrides, dlg.unsettled) {
                    "A reason is required. Enter accepts the highlighted one."
                } else {
                    "A reason is optional. Enter accepts the highlighted one."
                };
            lines.push(Line::raw(req));
            for (i, c) in dlg.choices.iter().enumerate() {
                let on = i == dlg.highlight;
                let text = match c {
                    Some(r) => format!(
                        "{} {:<22} {}",
                        if on { t.marker() } else { " " },
                        r.as_str(),
                        r.label()
                    ),
                    None => format!("{} (no reason code)", if on { t.marker() } else { " " }),
                };
                lines.push(if on {
                    Line::styled(text, t.selected())
                } else {
                    Line::raw(text)
                });
            }
            (
                format!("{verb} {id}: reason (1 of 2)"),
                4 + lines.len() as u16,
            )
        }
        Step::Note => {
            let reason = dlg
                .reason
                .map_or("(no reason code)".to_owned(), |r| r.as_str().to_owned());
            lines.push(Line::from(vec![
                Span::styled("Reason ", t.bold()),
                Span::raw(reason),
            ]));
            lines.push(Line::raw(format!(
                "{} note, {}/{} characters; no patient names. Enter records it.",
                if dlg.overrides || dlg.reason == Some(crate::decision::ReasonCode::Other) {
                    "Required"
                } else {
                    "Optional"
                },
                dlg.note.chars().count(),
                crate::decision::NOTE_MAX_CHARS
            )));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled("> ", t.key()),
                Span::raw(esc(&dlg.note)),
            ]));
            (format!("{verb} {id}: note (2 of 2)"), 14 + extra)
        }
    };
    let mut err_rows = 0u16;
    if let Some(err) = &dlg.error {
        lines.push(Line::raw(""));
        let line = Line::styled(format!("Error: {err}"), t.error());
        // The whole message shows: the box grows by the rows it wraps to.
        err_rows = 1 + (line.width() as u16).div_ceil(62).max(1);
        lines.push(line);
    }
    let rect = centered(area, 64, height + err_rows);
    f.render_widget(Clear, rect);
    let block = boxed(t, title);
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    f.render_widget(
        Paragraph::new(lines.clone()).wrap(Wrap { trim: false }),
        inner,
    );
    if dlg.step == Step::Note {
        // Text cursor at the end of the note (wrapped at the box width).
        let note_line = lines
            .iter()
            .position(|l| l.spans.first().is_some_and(|s| s.content == "> "));
        if let Some(y0) = note_line
            && inner.width > 0
        {
            let before: u16 = lines[..y0]
                .iter()
                .map(|l| (l.width() as u16).max(1).div_ceil(inner.width))
                .sum();
            let w = 2 + Line::raw(esc(&dlg.note)).width() as u16;
            let pos = Position::new(
                inner.x + w % inner.width,
                inner.y + before + w / inner.width,
            );
            if inner.contains(pos) {
                f.set_cursor_position(pos);
            }
        }
    }
}

fn scrolled(
    app: &App,
    f: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line>,
    scroll: u16,
    footer: &str,
) {
    let t = &Theme::new(app.look);
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(1),
        area.height.saturating_sub(2).max(1),
    );
    f.render_widget(Clear, rect);
    let block = boxed(t, title).title_bottom(Span::styled(format!(" {footer} "), t.dim()));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    // Stop at the last screenful: scrolling further would show an empty box.
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner.width.max(1) as usize))
        .sum();
    let max = rows
        .saturating_sub(inner.height as usize)
        .min(u16::MAX as usize) as u16;
    app.scroll_max.set(max);
    let scroll = scroll.min(max);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}

pub fn help(app: &App, t: &Theme, f: &mut Frame, area: Rect, scroll: u16) {
    let mut lines = Vec::new();
    for ctx in [
        Context::Queue,
        Context::Filter,
        Context::Reason,
        Context::Note,
        Context::Confirm,
        Context::Overlay,
    ] {
        lines.push(Line::styled(ctx.title().to_owned(), t.bold()));
        for (keys, help) in app.keymap.help_rows(ctx, app.look.ascii) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), t.key()),
                Span::raw(help),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Everywhere", t.bold()));
    for (key, help) in crate::tui::shell::SHELL_KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<16}", key.label(app.look.ascii)), t.key()),
            Span::raw(*help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Verdicts are words: PART 2 and HIPAA columns; ! marks where Part 2 is stricter than HIPAA alone.",
    ));
    let footer = format!("Esc closes {} {} scroll", t.dot(), t.updown());
    scrolled(app, f, area, "Keys".into(), lines, scroll, &footer);
}

pub fn messages(app: &App, t: &Theme, f: &mut Frame, area: Rect, scroll: u16) {
    let mut lines: Vec<Line> = app
        .messages
        .iter()
        .map(|m| match m.kind {
            super::super::app::StatusKind::Info => Line::raw(m.text.clone()),
            super::super::app::StatusKind::Error => {
                Line::styled(format!("Error: {}", m.text), t.error())
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::raw("No messages yet."));
    }
    let footer = format!("Esc closes {} {} scroll", t.dot(), t.updown());
    scrolled(
        app,
        f,
        area,
        "Messages, oldest first".into(),
        lines,
        scroll,
        &footer,
    );
}

/// The item's decision history, oldest first: who, what, when, reason, note, and which
/// entry each one supersedes.
fn history(app: &App, t: &Theme, lines: &mut Vec<Line<'static>>) {
    let Some(st) = app.selected().and_then(|r| app.rows.get(r as usize)) else {
        return;
    };
    lines.push(Line::styled(
        format!("Decision history ({})", st.history.len()),
        t.bold(),
    ));
    if st.history.is_empty() {
        lines.push(Line::raw(" none yet"));
    }
    let short = |h: &str| format!("{}…", esc(&h[..h.len().min(12)]));
    for h in &st.history {
        let who = if h.reviewer.is_empty() {
            "you, this session".to_owned()
        } else {
            format!("{} {}", esc(&h.ts), esc(&h.reviewer))
        };
        let mut text = format!(" {} {who}: {}", t.dot(), h.decision.as_str().to_uppercase());
        if let Some(r) = h.reason_code {
            text.push_str(&format!(" ({})", r.as_str()));
        }
        if !h.current {
            text.push_str(", on an earlier version");
        }
        text.push_str(&format!("; entry {}", short(&h.entry_sha256)));
        if let Some(s) = &h.supersedes {
            text.push_str(&format!(", supersedes {}", short(s)));
        }
        lines.push(Line::raw(text));
        if let Some(n) = &h.note {
            lines.push(Line::raw(format!("   note: \"{}\"", esc(n))));
        }
    }
    lines.push(Line::raw(""));
}

pub fn trace(app: &App, t: &Theme, f: &mut Frame, area: Rect, scroll: u16) {
    let Some(e) = app.selected_eval() else { return };
    // The verdicts in full first: at 80x24 the detail pane can cut a long explanation or
    // the citations, and a reviewer must be able to read every one of them.
    let cites = |c: &[std::borrow::Cow<'static, str>]| {
        c.iter().map(|x| esc(x)).collect::<Vec<_>>().join("; ")
    };
    // The disclosure in full: the list and the pane titles shorten long ids and names.
    let who = app.selected().and_then(|r| app.disclosure(r)).map(|d| {
        Line::raw(format!(
            "{} {} patient {} {} {} ({}) {} {} {} requested {}",
            esc(&d.id),
            t.dot(),
            esc(&d.patient),
            t.arrow(),
            esc(&d.recipient.name),
            d.recipient.kind.as_str(),
            t.dot(),
            d.purpose.as_str(),
            t.dot(),
            d.requested_on
        ))
    });
    let mut lines: Vec<Line> = who.into_iter().collect();
    // Who decided what first: the reviewer opening an escalation needs it before the trace.
    history(app, t, &mut lines);
    lines.extend([
        Line::styled(
            format!(
                "PART 2  {}{}",
                e.part2.status.word(),
                if e.part2.unsettled {
                    "  (unsettled: escalate)"
                } else {
                    ""
                }
            ),
            t.bold(),
        ),
        Line::raw(format!("Why: {}", esc(&e.part2.explanation))),
        Line::raw(format!("Cites: {}", cites(&e.part2.citations))),
        Line::raw(format!(
            "Notice: {}; redisclosure: {}",
            if e.part2.notice.required {
                "§2.32 statement and a copy or explanation of the consent must go with it"
            } else {
                "none required"
            },
            e.part2.redisclosure
        )),
        Line::raw(""),
        Line::styled(format!("HIPAA ALONE  {}", e.hipaa.status.word()), t.bold()),
        Line::raw(format!("Why: {}", esc(&e.hipaa.explanation))),
        Line::raw(format!("Cites: {}", cites(&e.hipaa.citations))),
        Line::raw(""),
        Line::styled(
            format!(
                "Part 2 rules tried (policy {} {})",
                esc(&e.policy.part2.id),
                esc(&e.policy.part2.version)
            ),
            t.bold(),
        ),
    ]);
    for s in &e.part2.trace {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} ", if s.matched { t.marker() } else { t.dot() }),
                if s.matched { t.bold() } else { t.dim() },
            ),
            Span::styled(
                esc(&s.rule),
                if s.matched {
                    t.bold()
                } else {
                    ratatui::style::Style::new()
                },
            ),
            Span::raw(format!("  {}", esc(&s.why))),
        ]));
    }
    if e.part2.trace.is_empty() {
        lines.push(Line::raw(" (no trace)"));
    }
    lines.push(Line::raw(""));
    let c = &e.consent;
    lines.push(Line::styled(
        format!(
            "Consent {}: {}",
            c.id.as_deref().map(esc).unwrap_or_else(|| "-".into()),
            c.status
        ),
        t.bold(),
    ));
    for k in &c.checks {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} ", t.check(k.ok)),
                if k.ok { t.ok() } else { t.fail() },
            ),
            Span::raw(format!("{:<17} {}", k.check.as_str(), esc(&k.detail))),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("HIPAA rule: {}", esc(&e.hipaa.rule)),
        t.bold(),
    ));
    lines.push(Line::raw(format!(
        "Policies: {} {} sha256 {}…  {} {} sha256 {}…",
        esc(&e.policy.part2.id),
        esc(&e.policy.part2.version),
        esc(&e.policy.part2.sha256.chars().take(12).collect::<String>()),
        esc(&e.policy.hipaa.id),
        esc(&e.policy.hipaa.version),
        esc(&e.policy.hipaa.sha256.chars().take(12).collect::<String>()),
    )));
    scrolled(
        app,
        f,
        area,
        format!("Details and rule trace {}", esc(&e.id)),
        lines,
        scroll,
        &format!(
            "Esc closes {dot} x notice {dot} {} scroll",
            t.updown(),
            dot = t.dot()
        ),
    );
}

pub fn statement(app: &App, t: &Theme, f: &mut Frame, area: Rect, scroll: u16) {
    let (Some(l), Some(row), Some(e)) = (&app.loaded, app.selected(), app.selected_eval()) else {
        return;
    };
    let d = &l.queue.disclosures[row as usize];
    let text = super::super::attachment::text(l, d, e);
    let lines: Vec<Line> = text.lines().map(|s| Line::raw(s.to_owned())).collect();
    scrolled(
        app,
        f,
        area,
        format!("{}2.32 notice and consent {}", t.section(), esc(&d.id)),
        lines,
        scroll,
        &format!(
            "w saves to a file {dot} Esc closes {dot} {} scroll",
            t.updown(),
            dot = t.dot()
        ),
    );
}
