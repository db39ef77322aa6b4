//! `view(&App, &mut Frame)`: pure drawing. No state changes, no I/O; only the rows on
//! screen are built. Every piece of input text passes through `crate::text::escape`.

mod detail;
mod dialogs;
mod queue;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::app::{App, DecidedFilter, Overlay, SortKey, StatusKind};
use super::keymap::Context;
use super::layout::{self, MIN_H, MIN_W};
use crate::tui::theme::Theme;

pub fn view(app: &App, f: &mut Frame) {
    let area = f.area();
    let theme = Theme::new(app.look);
    let Some(screen) = layout::screen(area) else {
        too_small(f, area);
        return;
    };
    header(app, &theme, f, screen.header);
    if let Some(err) = &app.load_error {
        let p = Paragraph::new(format!("Could not load the queue: {}", esc(err)))
            .style(theme.error())
            .wrap(Wrap { trim: false });
        f.render_widget(p, screen.queue.union(screen.detail));
    } else if app.loaded.is_none() {
        let p = Paragraph::new("Loading the queue…").style(theme.bold());
        f.render_widget(p, screen.queue);
    } else {
        queue::render(app, &theme, f, screen.queue, screen.wide);
        detail::render(app, &theme, f, screen.detail, screen.wide);
    }
    status_line(app, &theme, f, screen.status);
    hint_bar(app, &theme, f, screen.hints);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => dialogs::help(app, &theme, f, area, *scroll),
        Overlay::Trace { scroll } => dialogs::trace(app, &theme, f, area, *scroll),
        Overlay::Statement { scroll } => dialogs::statement(app, &theme, f, area, *scroll),
        Overlay::Messages { scroll } => dialogs::messages(app, &theme, f, area, *scroll),
        Overlay::Decide(d) => dialogs::decide(app, d, &theme, f, area),
    }
    if app.look.ascii {
        ascii_symbols(f.buffer_mut());
    }
}

/// `--ascii` (and a terminal that cannot show UTF-8): the program's own symbols that slipped
/// past the theme become one-cell ASCII stand-ins, on every screen and overlay alike. Other
/// text (names in the queue) is left as it is.
fn ascii_symbols(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let ascii = match cell.symbol() {
            "…" => "~",
            "—" | "–" | "·" | "─" | "━" => "-",
            "§" => "S",
            "↑" | "▲" => "^",
            "↓" | "▼" => "v",
            "→" | "▶" => ">",
            "✓" => "+",
            "✗" => "x",
            "⚠" => "!",
            "│" | "┃" => "|",
            "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" => "+",
            _ => continue,
        };
        cell.set_symbol(ascii);
    }
}

/// Untrusted text, made harmless for the terminal.
pub(crate) fn esc(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = format!(
        "terminal too small (need {MIN_W}x{MIN_H}, have {}x{}) - resize, or q to quit",
        area.width, area.height
    );
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
}

fn header(app: &App, t: &Theme, f: &mut Frame, area: Rect) {
    let sep = format!(" {} ", t.sep());
    let mut spans = vec![Span::styled(" p2review ", t.bar().patch(t.bold()))];
    if app.demo {
        spans.push(Span::styled(" DEMO ", t.badge()));
    }
    if let Some(n) = app.training_notice.as_ref().filter(|_| !app.demo) {
        spans.push(Span::styled(format!(" {} ", esc(n)), t.banner()));
    }
    if let Some(n) = &app.log_notice {
        spans.push(Span::styled(format!(" {} ", esc(n)), t.banner()));
    }
    if app.stale {
        spans.push(Span::styled(
            " QUEUE CHANGED ON DISK: R reloads ",
            t.banner(),
        ));
    }
    let mut parts: Vec<String> = Vec::new();
    if app.loaded.is_some() {
        parts.push(format!("decided {}/{}", app.decided, app.total()));
        if app.awaiting_second > 0 {
            // Four-eyes approvals are not decided until a second reviewer approves.
            parts.push(format!("{} need a 2nd", app.awaiting_second));
        }
        // The date the rules were applied for (consents expire, training lapses).
        if let Some(d) = app
            .selected_eval()
            .map(|e| e.as_of)
            .or(app.loaded.as_ref().and_then(|l| l.queue.as_of))
        {
            parts.push(format!("as of {d}"));
        }
        if app.evaluated < app.total() {
            parts.push(format!(
                "evaluating {}%",
                app.evaluated * 100 / app.total().max(1)
            ));
        }
        if app.view.len() != app.total() {
            parts.push(format!("showing {}", app.view.len()));
        }
        if !app.marked.is_empty() {
            parts.push(format!("{} marked: f/e", app.marked.len()));
        }
        if !app.search_text.is_empty() && !app.filter_editing {
            parts.push(format!(
                "search \"{}\" n/N",
                crate::text::shorten(&esc(&app.search_text), 16, app.look.ascii)
            ));
        }
        if app.sort != SortKey::File || app.sort_reverse {
            parts.push(format!(
                "sort {}{}",
                app.sort.label(),
                t.sort_marker(app.sort_reverse)
            ));
        }
        let mut fl: Vec<String> = Vec::new();
        if let Some(p) = app.filter.part2 {
            fl.push(p.word().to_owned());
        }
        match app.filter.decided {
            DecidedFilter::All => {}
            DecidedFilter::Undecided => fl.push("undecided".into()),
            DecidedFilter::Decided => fl.push("decided".into()),
            DecidedFilter::Escalated => fl.push("escalated".into()),
        }
        if !app.filter.text.is_empty() {
            fl.push(format!("\"{}\"", esc(&app.filter.text)));
        }
        if !fl.is_empty() {
            parts.push(format!("filter {}", fl.join("+")));
        }
        parts.push(esc(&app.sink_label));
    }
    // Too long for the width (a deep log path): end in a visible `…`, never a silent cut.
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let rest = format!(" {}", parts.join(&sep));
    let rest = crate::text::shorten(
        &rest,
        (area.width as usize).saturating_sub(used),
        app.look.ascii,
    )
    .into_owned();
    spans.push(Span::styled(rest, t.bar()));
    let line = Line::from(spans);
    f.render_widget(Paragraph::new(line).style(t.bar()), area);
}

fn status_line(app: &App, t: &Theme, f: &mut Frame, area: Rect) {
    if app.filter_editing && app.context() == Context::Filter {
        let (prompt, text, count) = if app.searching {
            let needle = app.search_text.to_lowercase();
            let n = if needle.is_empty() {
                0
            } else {
                app.view
                    .iter()
                    .filter(|&&r| app.search[r as usize].contains(&needle))
                    .count()
            };
            (
                "search: ",
                esc(&app.search_text),
                format!("   {n} match · n N"),
            )
        } else {
            (
                "/",
                esc(&app.filter.text),
                format!("   {} of {} match", app.view.len(), app.total()),
            )
        };
        let line = Line::from(vec![
            Span::styled(prompt, t.key()),
            Span::raw(text.clone()),
            Span::styled(count, t.dim()),
        ]);
        f.render_widget(Paragraph::new(line), area);
        let x = area.x
            + prompt.len() as u16
            + ratatui::text::Line::raw(text)
                .width()
                .min(u16::MAX as usize) as u16;
        if x < area.right() {
            f.set_cursor_position(Position::new(x, area.y));
        }
        return;
    }
    if let Some(s) = &app.status {
        let (prefix, style) = match s.kind {
            StatusKind::Info => ("", ratatui::style::Style::new()),
            StatusKind::Error => ("Error: ", t.error()),
        };
        let full = format!("{prefix}{}", s.text);
        let line = if crate::text::width(&full) <= area.width as usize {
            Line::styled(full, style)
        } else {
            // Too long for one line: shortened with a visible `…`; `m` shows it in full.
            let more = " m: in full";
            let room = (area.width as usize).saturating_sub(more.len());
            Line::from(vec![
                Span::styled(
                    crate::text::shorten(&full, room, app.look.ascii).into_owned(),
                    style,
                ),
                Span::styled(more, t.key()),
            ])
        };
        f.render_widget(Paragraph::new(line), area);
    }
}

/// The hint bar: the current context's hinted bindings from the keymap, dropping middle
/// entries when narrow so that "? help" and "q quit" always show.
fn hint_bar(app: &App, t: &Theme, f: &mut Frame, area: Rect) {
    let hints = app.keymap.hints(app.context(), app.look.ascii);
    let width = |h: &[(String, &str)]| -> usize {
        h.iter()
            .map(|(k, l)| crate::text::width(k) + crate::text::width(l) + 2)
            .sum()
    };
    let mut shown = hints.clone();
    let keep_tail = 2.min(shown.len());
    while width(&shown) > area.width as usize && shown.len() > keep_tail {
        shown.remove(shown.len() - keep_tail - 1);
    }
    let mut spans = Vec::new();
    for (k, l) in shown {
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {l} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
