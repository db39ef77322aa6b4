//! The queue list: only the rows in the visible window are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::super::app::App;
use super::super::theme::Theme;
use super::esc;

pub fn render(app: &App, t: &Theme, f: &mut Frame, area: Rect, wide: bool) {
    let Some(loaded) = &app.loaded else { return };
    let ds = &loaded.queue.disclosures;
    let page = area.height.saturating_sub(1) as usize;
    let end = (app.offset + page).min(app.view.len());
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Fill(1),
        Constraint::Length(10),
    ];
    let mut head = vec!["", "ID", "PATIENT", "RECIPIENT", "PURPOSE"];
    if wide {
        widths.insert(4, Constraint::Length(10));
        head.insert(4, "REQUESTED");
        widths.insert(2, Constraint::Length(8));
        head.insert(2, "PROGRAM");
    }
    widths.extend([
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(1),
        Constraint::Length(8),
    ]);
    head.extend(["PART 2", "HIPAA", "!", "DECISION"]);
    let header = Row::new(head.into_iter().map(Cell::from)).style(t.bold());

    let rows = app.view[app.offset..end].iter().enumerate().map(|(k, &r)| {
        let d = &ds[r as usize];
        let st = &app.rows[r as usize];
        let selected = app.offset + k == app.cursor;
        let (p2, h, stricter) = match st.verdict {
            Some(v) => (
                Span::styled(v.part2.word(), t.part2(v.part2)),
                Span::styled(v.hipaa.word(), t.hipaa(v.hipaa)),
                if v.stricter { "!" } else { "" },
            ),
            None => (Span::raw("…"), Span::raw("…"), ""),
        };
        let decision = match (&st.decision, app.pending.as_ref().filter(|p| p.row == r)) {
            (_, Some(_)) => "…".to_owned(),
            (Some(dec), _) if dec.current => dec.decision.as_str().to_owned(),
            (Some(_), _) => "earlier".to_owned(),
            (None, _) => String::new(),
        };
        let mut cells = vec![
            Cell::from(if selected { t.marker() } else { " " }),
            Cell::from(esc(&d.id)),
            Cell::from(esc(&d.patient)),
            Cell::from(esc(&d.recipient.name)),
            Cell::from(d.purpose.as_str()),
        ];
        if wide {
            cells.insert(4, Cell::from(d.requested_on.to_string()));
            cells.insert(2, Cell::from(esc(&d.program)));
        }
        cells.extend([
            Cell::from(Line::from(p2)),
            Cell::from(Line::from(h)),
            Cell::from(Span::styled(stricter, t.bold())),
            Cell::from(decision),
        ]);
        let row = Row::new(cells);
        if selected {
            row.style(t.selected())
        } else {
            row
        }
    });
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    f.render_widget(table, area);
    if app.view.is_empty() {
        let msg = if app.total() == 0 {
            "The queue has no disclosures."
        } else {
            "No disclosure matches the filters (Esc clears them)."
        };
        if area.height > 1 {
            f.render_widget(
                ratatui::widgets::Paragraph::new(msg),
                Rect::new(area.x + 2, area.y + 1, area.width.saturating_sub(2), 1),
            );
        }
    } else if app.context() == super::super::keymap::Context::Queue && app.cursor >= app.offset {
        // The terminal cursor sits on the selection, for screen readers and braille displays.
        let y = area.y + 1 + (app.cursor - app.offset) as u16;
        if y < area.bottom() {
            f.set_cursor_position(Position::new(area.x, y));
        }
    }
}
