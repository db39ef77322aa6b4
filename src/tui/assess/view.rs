//! Drawing the assessment dialog: a pure function of `AssessApp`. Notes are escaped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::app::{AssessApp, ROWS, words};
use crate::tui::shell::{MIN_H, MIN_W};
use crate::tui::theme::Theme;

fn esc(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

pub fn view(app: &AssessApp, f: &mut Frame) {
    let area = f.area();
    let t = Theme::new(app.look);
    if area.width < MIN_W || area.height < MIN_H {
        f.render_widget(Clear, area);
        f.render_widget(
            Paragraph::new(format!(
                "terminal too small (need {MIN_W}x{MIN_H}, have {}x{}) - resize, or q to leave (nothing recorded)",
                area.width, area.height
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y, area.width, h);
    f.render_widget(
        Paragraph::new(format!(
            " p2review incident assess {} {} ",
            t.sep(),
            esc(&app.title)
        ))
        .style(t.bar()),
        row(0, 1),
    );
    let mut v: Vec<Line> = Vec::new();
    for (i, label) in ROWS.iter().enumerate() {
        let sel = i == app.cursor;
        let word = words(i)[app.choice[i]];
        let line = format!(
            "{} {label:<26} < {word} >",
            if sel { t.marker() } else { " " }
        );
        v.push(if sel {
            Line::styled(line, t.selected())
        } else {
            Line::raw(line)
        });
        if i > 0 && app.choice[i] > 0 {
            let cursor = if app.editing && sel { "_" } else { "" };
            let note = &app.notes[i];
            v.push(Line::styled(
                format!(
                    "    note: {}{cursor}",
                    if note.is_empty() && cursor.is_empty() {
                        "(none yet: Enter to write it)".to_owned()
                    } else {
                        esc(note)
                    }
                ),
                t.dim(),
            ));
        }
    }
    v.push(Line::raw(""));
    match &app.preview {
        Ok(a) => {
            v.push(Line::styled(
                format!("Outcome: {}", a.outcome.as_str()),
                t.bold(),
            ));
            for r in &a.reasons {
                v.push(Line::raw(format!("Why: {}", esc(r))));
            }
        }
        Err(e) => v.push(Line::styled(
            format!("Not allowed: {}", esc(&e.0)),
            t.fail(),
        )),
    }
    if let Some(r) = &app.refused {
        v.push(Line::styled(format!("Not recorded: {}", esc(r)), t.fail()));
    }
    f.render_widget(
        Paragraph::new(v).wrap(Wrap { trim: false }),
        row(1, area.height - 2),
    );
    let mut spans = Vec::new();
    for (k, h) in app.keymap.hints(app.context(), app.look.ascii) {
        spans.push(Span::styled(format!(" {k}"), t.key()));
        spans.push(Span::raw(format!(" {h} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), row(area.height - 1, 1));
}
