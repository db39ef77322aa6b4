//! The queue list: only the rows in the visible window are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::super::app::{App, SortKey};
use super::esc;
use crate::text;
use crate::tui::theme::Theme;

/// The widest the ID column gets at 80 and at 120 columns.
const ID_MAX: usize = 14;
const ID_MAX_WIDE: usize = 24;
/// The DECISION column in a team: "claimed by " and the start of a principal.
const TEAM_DECISION_W: usize = 20;

pub fn render(app: &App, t: &Theme, f: &mut Frame, area: Rect, wide: bool) {
    let Some(loaded) = &app.loaded else { return };
    let ds = &loaded.queue.disclosures;
    let page = area.height.saturating_sub(1) as usize;
    let end = (app.offset + page).min(app.view.len());
    let ascii = app.look.ascii;
    // The ID column is as wide as the longest visible id needs (within reason), so ids that
    // differ only at the end (`D-26407789`, `D-26407789-2`) never look the same.
    let id_w = app.view[app.offset..end]
        .iter()
        .map(|&r| text::width(&esc(&ds[r as usize].id)))
        .max()
        .unwrap_or(0)
        .clamp(2, if wide { ID_MAX_WIDE } else { ID_MAX });
    let (patient_w, program_w, purpose_w, requested_w) = (7, 8, 10, 10);
    // In a team the DECISION column also says who holds or decided an item ("claimed by
    // …"): wider, and at 80 columns PURPOSE makes room for it (the detail pane has it).
    let team = app.me.as_deref();
    let decision_w = if team.is_some() { TEAM_DECISION_W } else { 8 };
    let purpose = team.is_none() || wide;
    // Marker, id, patient, purpose, Part 2, HIPAA, !, decision; and one space between columns.
    let mut fixed = 1 + id_w + patient_w + 13 + 10 + 1 + decision_w + 7;
    if purpose {
        fixed += purpose_w + 1;
    }
    if wide {
        fixed += program_w + requested_w + 2;
    }
    let recipient_w = (area.width as usize).saturating_sub(fixed);
    let len = |w: usize| Constraint::Length(w as u16);
    let mut widths = vec![len(1), len(id_w), len(patient_w), len(recipient_w)];
    let mut head = vec!["", "ID", "PATIENT", "RECIPIENT"];
    if purpose {
        widths.push(len(purpose_w));
        head.push("PURPOSE");
    }
    if wide {
        widths.insert(4, len(requested_w));
        head.insert(4, "REQUESTED");
        widths.insert(2, len(program_w));
        head.insert(2, "PROGRAM");
    }
    widths.extend([len(13), len(10), len(1), len(decision_w)]);
    // Every text cell is shortened by display width with a visible `…`: the table itself
    // would cut silently. The detail pane and the trace overlay show the full text.
    let cut = |s: &str, w: usize| text::shorten(&esc(s), w, ascii).into_owned();
    head.extend(["PART 2", "HIPAA", "!", "DECISION"]);
    // The sorted column carries the direction marker (file order has no column).
    let sorted = match app.sort {
        SortKey::File => None,
        SortKey::Verdict => Some("PART 2"),
        SortKey::Date => Some("REQUESTED"),
        SortKey::Recipient => Some("RECIPIENT"),
    };
    let header = Row::new(head.into_iter().map(|h| {
        if Some(h) == sorted {
            Cell::from(format!("{h}{}", t.sort_marker(app.sort_reverse)))
        } else {
            Cell::from(h)
        }
    }))
    .style(t.bold());

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
            // Four-eyes: an approval waiting for its second reviewer is not approved.
            _ if st.awaiting_second().is_some() => cut("approve? 2nd needed", decision_w),
            // Someone else's decision: who and what (the detail pane has it in full).
            (Some(dec), _) if team.is_some_and(|me| st.decided_by_other(me).is_some()) => cut(
                &format!("{} by {}", dec.decision.as_str(), dec.reviewer),
                decision_w,
            ),
            (Some(dec), _) if dec.current => dec.decision.as_str().to_owned(),
            _ if app.claims.contains_key(&r) => {
                cut(&format!("claimed by {}", app.claims[&r]), decision_w)
            }
            (Some(_), _) => "earlier".to_owned(),
            (None, _) => String::new(),
        };
        let mut cells = vec![
            Cell::from(if selected {
                t.marker()
            } else if app.marked.contains(&r) {
                "*"
            } else {
                " "
            }),
            Cell::from(cut(&d.id, id_w)),
            Cell::from(cut(&d.patient, patient_w)),
            Cell::from(cut(&d.recipient.name, recipient_w)),
        ];
        if purpose {
            cells.push(Cell::from(cut(d.purpose.as_str(), purpose_w)));
        }
        if wide {
            cells.insert(4, Cell::from(d.requested_on.to_string()));
            cells.insert(2, Cell::from(cut(&d.program, program_w)));
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
