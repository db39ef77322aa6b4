//! Pure drawing of the supervisor TUI. Text from logs passes through
//! `crate::text::escape`; meaning never rests on colour (statuses are words and marks).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Clear, Paragraph, Wrap};

use crate::supervise::{DecisionRecord, Verification};

use super::app::{LogLoad, Screen, SupApp};
use super::keymap::{KEYMAP, SupContext, hints};
use crate::tui::shell::{MIN_H, MIN_W, SHELL_KEYS};
use crate::tui::theme::Theme;

/// Fixed lines around the list: header 1, logs 3, column header 1, detail 7, hints 1.
const CHROME: u16 = 13;
const LOG_LINES: usize = 3;

/// The terminal row of the first entry: header 1, logs 3, column header 1 (clicks).
pub const LIST_TOP: u16 = 5;

/// Entry rows on screen at height `h` (update uses it for paging).
pub fn list_rows(h: u16) -> usize {
    h.saturating_sub(CHROME) as usize
}

const ASCII_BARS: symbols::bar::Set<'static> = symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "#",
    half: "=",
    three_eighths: "=",
    one_quarter: "-",
    one_eighth: "-",
    empty: " ",
};

/// Room for a block title on a one-line top border.
fn inner_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(2))
}

fn esc(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

/// Exactly `w` cells, marking a cut.
fn fit(s: &str, w: usize, ascii: bool) -> String {
    crate::text::fit(s, w, ascii)
}

pub fn view(app: &SupApp, f: &mut Frame) {
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
    if let Some(loading) = &app.loading {
        loading_screen(loading, &t, f, area);
        return;
    }
    let [head, logs, body, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(LOG_LINES as u16),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(app, &t, f, head);
    log_lines(app, &t, f, logs);
    match app.screen {
        Screen::List => list(app, &t, f, body),
        Screen::Summary => summary(app, &t, f, body),
    }
    hint_bar(app, &t, f, hint);
    if app.help {
        help(app, &t, f, area);
    }
}

/// While the background loader verifies: per log, lines verified and bytes read of total.
fn loading_screen(logs: &[LogLoad], t: &Theme, f: &mut Frame, area: Rect) {
    let [head, body, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (bytes, total): (u64, u64) = logs
        .iter()
        .fold((0, 0), |(b, t), l| (b + l.bytes, t + l.total.max(l.bytes)));
    let entries: u64 = logs.iter().map(|l| l.entries).sum();
    let done = logs.iter().filter(|l| l.done).count();
    let pct = |b: u64, t: u64| (b * 100).checked_div(t).map_or(100, |p| p.min(100));
    let sep = format!(" {} ", t.dot());
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" p2review log review ", t.bar().patch(t.bold())),
            Span::styled(" READ-ONLY ", t.badge()),
            Span::raw(format!(
                " {done}/{} logs read{sep}{entries} entries{sep}{}% of {}",
                logs.len(),
                pct(bytes, total),
                mib(total)
            )),
        ])),
        head,
    );
    let pw = (body.width as usize).saturating_sub(56).clamp(8, 40);
    let lines: Vec<Line> = logs
        .iter()
        .take(body.height as usize)
        .map(|l| {
            let (word, style) = if l.done {
                ("read", t.ok())
            } else if l.bytes > 0 {
                ("verifying", t.bold())
            } else {
                ("waiting", t.dim())
            };
            Line::from(vec![
                Span::styled(format!(" {word:<9} "), style),
                Span::raw(fit(&esc(&l.path.display().to_string()), pw, t.look.ascii)),
                Span::raw(format!(
                    " {:>8} entries {:>9} of {:<9} {:>3}%",
                    l.entries,
                    mib(l.bytes),
                    mib(l.total.max(l.bytes)),
                    pct(l.bytes, l.total.max(l.bytes))
                )),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), body);
    let mut spans = Vec::new();
    for (k, h) in hints(SupContext::Loading, t.look.ascii) {
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), hint);
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn header(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let failed = app.failed_total();
    let sep = format!(" {} ", t.dot());
    let mut spans = vec![
        Span::styled(" p2review log review ", t.bar().patch(t.bold())),
        Span::styled(" READ-ONLY ", t.badge()),
    ];
    let mut parts = vec![
        format!("{} logs", app.loaded.logs.len()),
        format!("{}/{} entries", app.visible.len(), app.loaded.records.len()),
    ];
    if failed > 0 {
        parts.push(format!("{failed} FAILED"));
    }
    let (open, overdue) = app.open_incidents();
    if open > 0 {
        parts.push(if overdue > 0 {
            format!("{open} open incidents, {overdue} OVERDUE")
        } else {
            format!("{open} open incidents")
        });
    }
    parts.push(format!("filter: {}", app.filter_label()));
    spans.push(Span::raw(format!(" {}", parts.join(&sep))));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn log_lines(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let logs = &app.loaded.logs;
    let mut lines: Vec<Line> = Vec::new();
    let take = if logs.len() > LOG_LINES {
        LOG_LINES - 1
    } else {
        logs.len()
    };
    for l in &logs[..take] {
        let ok = l.result == "ok";
        let style = if ok { t.ok() } else { t.fail() };
        let word = match l.result.as_str() {
            "ok" => "verified",
            "warnings" => "verified, warnings",
            "failed" => "FAILED",
            _ => "UNREADABLE",
        };
        let codes: Vec<&str> = l
            .findings
            .iter()
            .filter_map(|s| s.split_whitespace().next())
            .collect();
        let mut codes_txt = codes.join(" ");
        if codes_txt.len() > 40 {
            codes_txt.truncate(40);
            codes_txt.push_str(if t.look.ascii { "~" } else { "…" });
        }
        lines.push(Line::from(vec![
            Span::styled(format!(" {} {word:<10} ", t.check(ok)), style),
            Span::raw(fit(&esc(&l.path.display().to_string()), 30, t.look.ascii)),
            Span::styled(format!(" {codes_txt}"), t.dim()),
        ]));
    }
    if logs.len() > take {
        let rest = &logs[take..];
        let bad = rest.iter().filter(|l| l.result != "ok").count();
        lines.push(Line::from(format!(
            "   and {} more logs ({} not clean)",
            rest.len(),
            bad
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn row_text(r: &DecisionRecord, flags: &crate::supervise::conflict::Flags, t: &Theme) -> String {
    let b = &r.body;
    let status = if r.verification.ok() {
        flags.status(&r.entry_sha256)
    } else {
        "FAILED"
    };
    format!(
        "{} {:<8} {} {} {} {:<3} {} {}",
        t.check(r.verification.ok()),
        status,
        r.ts().format("%Y-%m-%d %H:%M"),
        fit(&esc(&b.reviewer), 16, t.look.ascii),
        fit(&esc(&b.decision), 8, t.look.ascii),
        if b.override_ { "OVR" } else { "" },
        fit(&esc(&b.subject), 8, t.look.ascii),
        fit(&esc(&b.disclosure), 10, t.look.ascii),
    )
}

fn list(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let [cols, rows, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(7),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(format!(
            "   {:<8} {:<16} {:<16} {:<8} {:<3} {:<8} {}",
            "STATUS", "TIME (UTC)", "REVIEWER", "DECISION", "OVR", "PATIENT", "DISCLOSURE"
        ))
        .style(t.bold()),
        cols,
    );
    if app.visible.is_empty() {
        let msg = if app.loaded.records.is_empty() {
            "No decision entries in these logs."
        } else {
            "No entries match the filters (c clears them)."
        };
        f.render_widget(Paragraph::new(msg), rows);
    } else {
        let n = rows.height as usize;
        let lines: Vec<Line> = app
            .visible
            .iter()
            .enumerate()
            .skip(app.offset)
            .take(n)
            .map(|(pos, &i)| {
                let r = &app.loaded.records[i as usize];
                let sel = pos == app.selected;
                let mark = if sel { t.marker() } else { " " };
                let text = format!("{mark} {}", row_text(r, &app.flags, t));
                let style = if sel {
                    t.selected()
                } else if r.verification.ok() {
                    Style::new()
                } else {
                    t.fail()
                };
                Line::styled(text, style)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), rows);
    }
    entry_detail(app, t, f, detail);
}

fn entry_detail(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    // Team work: items whose reviewers disagree and approvals waiting for a second
    // reviewer, counted over all the logs read (the header has no room left at 80).
    let mut title = vec![" Entry ".to_owned()];
    if app.flags.conflicts > 0 {
        title.push(format!(
            " {} CONFLICT (decisions disagree) ",
            app.flags.conflicts
        ));
    }
    if !app.flags.pending.is_empty() {
        title.push(format!(
            " {} PENDING (second reviewer) ",
            app.flags.pending.len()
        ));
    }
    let title = crate::text::shorten(&title.join(""), inner_width(area), t.look.ascii).into_owned();
    let block = Block::new()
        .borders(Borders::TOP)
        .border_set(t.border())
        .title(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(r) = app.selected_record() else {
        return;
    };
    let b = &r.body;
    let short = |h: &str| h.chars().take(12).collect::<String>();
    let verification = match &r.verification {
        Verification::Verified => match app.flags.status(&r.entry_sha256) {
            "CONFLICT" => Line::styled(
                "! CONFLICT: verified, but another effective decision on this item disagrees",
                t.fail(),
            ),
            "PENDING" => Line::styled(
                "! PENDING: verified override approval, waiting for a second reviewer (not approved)",
                t.fail(),
            ),
            _ => Line::styled(
                format!("{} verified (signature, chain, signer)", t.check(true)),
                t.ok(),
            ),
        },
        Verification::Failed { findings } => Line::styled(
            format!(
                "{} FAILED verification: {}",
                t.check(false),
                findings.join(" ")
            ),
            t.fail(),
        ),
    };
    let lines = vec![
        verification,
        Line::from(format!(
            "{} line {} seq {}  {}  by {}",
            esc(&r.log_path.display().to_string()),
            r.line,
            b.seq,
            r.ts_text(),
            esc(&b.reviewer)
        )),
        Line::from(format!(
            "Disclosure {}  patient {}  to {} ({})  for {}",
            esc(&b.disclosure),
            esc(&b.subject),
            esc(&b.recipient.name),
            esc(&b.recipient.kind),
            esc(&b.purpose)
        )),
        Line::from(format!(
            "Part 2 {}  HIPAA {}  consent {} ({})  rule {}",
            esc(&b.part2),
            esc(&b.hipaa),
            esc(b.consent.as_deref().unwrap_or("-")),
            esc(&b.consent_status),
            esc(&b.rule)
        )),
        Line::from(format!(
            "Decision {}{}  reason {}  supersedes {}  entry {}",
            esc(&b.decision),
            if b.override_ { " (OVERRIDE)" } else { "" },
            esc(b.reason_code.as_deref().unwrap_or("-")),
            b.supersedes.map_or("-".into(), |s| short(&s.hex())),
            short(&r.entry_sha256.hex())
        )),
        Line::from(format!("Note: {}", esc(b.note.as_deref().unwrap_or("-")))),
    ];
    f.render_widget(Paragraph::new(lines), inner);
}

/// The incident entries in the logs and the open incidents, each with its next notice
/// (docs/incidents.md); nothing when the logs hold no incident entry.
fn incident_summary(app: &SupApp, t: &Theme) -> Vec<Line<'static>> {
    use crate::incident::deadline::NoticeState;
    let entries = &app.loaded.incident_entries;
    if entries.is_empty() {
        return Vec::new();
    }
    let count = |ty: &str| {
        entries
            .iter()
            .filter(|e| match &e.entry.body {
                crate::log::entry::Body::Incident(b) => b.type_name() == ty,
                _ => false,
            })
            .count()
    };
    let failed = entries.iter().filter(|e| !e.verified).count();
    let (open, overdue) = app.open_incidents();
    let mut v = vec![Line::styled(
        format!(
            " Incidents: {} recorded, {} assessments, {} delays, {} notices{}; {open} open{}",
            count("incident"),
            count("incident_assessment"),
            count("incident_delay"),
            count("incident_notice"),
            if failed > 0 {
                format!(" ({failed} FAILED)")
            } else {
                String::new()
            },
            if overdue > 0 {
                format!(", {overdue} OVERDUE")
            } else {
                String::new()
            },
        ),
        if overdue > 0 { t.fail() } else { t.bold() },
    )];
    for inc in app
        .incidents
        .incidents
        .iter()
        .filter(|x| x.open(app.as_of))
        .take(4)
    {
        let next = inc
            .rows(app.as_of)
            .into_iter()
            .find(|r| r.state.open())
            .map(|r| {
                let to = r.due.to.map_or("-", |x| x.as_str());
                match r.state {
                    NoticeState::Pending { due, days_left } if days_left < 0 => {
                        format!("{to} OVERDUE since {due}")
                    }
                    NoticeState::Pending { due, days_left } => {
                        format!("{to} by {due} ({days_left} days left)")
                    }
                    _ => format!("{to}: contractual, set breach_notice_days"),
                }
            })
            .unwrap_or_else(|| "not assessed yet".into());
        v.push(Line::raw(format!(
            "   {} {} {} {}",
            fit(&inc.entry_sha256, 12, t.look.ascii),
            inc.fields.kind.as_str(),
            inc.outcome().map_or("not assessed", |o| o.as_str()),
            next
        )));
    }
    v
}

fn summary(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let Some(s) = &app.summary else {
        f.render_widget(Paragraph::new("Summarising…"), area);
        return;
    };
    let max_rev = 5usize;
    let shown_rev = s.reviewers.len().min(max_rev);
    let table_h = (2 + shown_rev + usize::from(s.reviewers.len() > max_rev)) as u16;
    let incident_lines = incident_summary(app, t);
    let [table, open, incidents, chart] = Layout::vertical([
        Constraint::Length(table_h),
        Constraint::Length(1),
        Constraint::Length(incident_lines.len() as u16),
        Constraint::Min(5),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(incident_lines), incidents);
    let fmt_row = |name: &str, r: &crate::supervise::ReviewerSummary| {
        format!(
            " {} {:>6} {:>7} {:>6} {:>8} {:>6} {:>5} {:>6.1}%",
            fit(name, 22, t.look.ascii),
            r.total,
            r.approve,
            r.deny,
            r.escalate,
            r.defer,
            r.overrides,
            r.override_rate_percent()
        )
    };
    let mut lines = vec![Line::styled(
        format!(
            " {:<22} {:>6} {:>7} {:>6} {:>8} {:>6} {:>5} {:>7}",
            "REVIEWER", "TOTAL", "APPROVE", "DENY", "ESCALATE", "DEFER", "OVR", "OVR %"
        ),
        t.bold(),
    )];
    for r in s.reviewers.iter().take(max_rev) {
        lines.push(Line::from(fmt_row(&esc(&r.reviewer), r)));
    }
    if s.reviewers.len() > max_rev {
        lines.push(Line::from(format!(
            " … and {} more reviewers",
            s.reviewers.len() - max_rev
        )));
    }
    lines.push(Line::styled(fmt_row("all reviewers", &s.totals), t.bold()));
    f.render_widget(Paragraph::new(lines), table);
    f.render_widget(
        Paragraph::new(format!(
            " Escalations still open: {} (escalated, no later decision supersedes them)",
            s.open_escalations.len()
        ))
        .style(if s.open_escalations.is_empty() {
            Style::new()
        } else {
            t.bold()
        }),
        open,
    );
    // Decisions per day: the most recent days that fit, 5 cells a bar plus a gap.
    let fits = (chart.width.saturating_sub(2) / 6).max(1) as usize;
    let days: Vec<_> = s.per_day.iter().collect();
    let from = days.len().saturating_sub(fits);
    let bars: Vec<Bar> = days[from..]
        .iter()
        .map(|(d, n)| {
            Bar::default()
                .value(**n)
                .label(Line::from(d.format("%m-%d").to_string()))
        })
        .collect();
    let title = if days.is_empty() {
        " Decisions per day: none ".to_owned()
    } else {
        format!(
            " Decisions per day ({} to {}, last {} of {} days) ",
            days[from].0,
            days[days.len() - 1].0,
            days.len() - from,
            days.len()
        )
    };
    let mut bc = BarChart::default()
        .block(
            Block::new()
                .borders(Borders::TOP)
                .border_set(t.border())
                .title(title),
        )
        .data(BarGroup::default().bars(&bars))
        .bar_width(5)
        .bar_gap(1)
        .value_style(t.bar().patch(t.bold()));
    if t.look.ascii {
        bc = bc.bar_set(ASCII_BARS);
    }
    f.render_widget(bc, chart);
}

fn hint_bar(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (k, h) in hints(app.context(), t.look.ascii) {
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    if app.typing {
        spans.push(Span::styled(
            format!("filter: {}_", esc(&app.text)),
            t.bold(),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn help(app: &SupApp, t: &Theme, f: &mut Frame, area: Rect) {
    let _ = app;
    let w = 60.min(area.width);
    // One line per action: its keys joined (↓ / j next entry), then the shell's own keys.
    let mut items = KEYMAP.help_rows(SupContext::List, t.look.ascii);
    items.extend(SHELL_KEYS.iter().map(|(k, h)| (k.label(t.look.ascii), *h)));
    let h = (items.len() as u16 + 3).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let mut lines = vec![Line::styled(
        "Read-only: nothing here can change a log.",
        t.bold(),
    )];
    for (k, help) in items {
        lines.push(Line::from(format!("{k:>14}  {help}")));
    }
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_set(t.border())
                .title(" Help (Esc closes) "),
        ),
        r,
    );
}
