//! The detail pane: Part 2 and HIPAA side by side for the selected disclosure.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::engine::{ConsentStatus, Evaluation};
use crate::queue::Disclosure;

use super::super::app::App;
use super::esc;
use crate::tui::theme::Theme;

pub fn render(app: &App, t: &Theme, f: &mut Frame, area: Rect, wide: bool) {
    let (Some(row), Some(e)) = (app.selected(), app.selected_eval()) else {
        let block = Block::new().borders(Borders::TOP).border_set(t.border());
        f.render_widget(block, area);
        return;
    };
    let Some(d) = app.disclosure(row) else { return };
    let title = format!(
        " {} {dot} {} {arrow} {} ({}) {dot} {} {dot} {}{} ",
        esc(&d.id),
        esc(&d.patient),
        esc(&d.recipient.name),
        d.recipient.kind.as_str(),
        d.purpose.as_str(),
        if wide { "requested " } else { "" },
        d.requested_on,
        dot = t.dot(),
        arrow = t.arrow(),
    );
    // A long title ends in `…` rather than being cut silently; `t` shows it all.
    let title = crate::text::shorten(&title, area.width.saturating_sub(1) as usize, t.look.ascii)
        .into_owned();
    let block = Block::new()
        .borders(Borders::TOP)
        .border_set(t.border())
        .title(Span::styled(title, t.bold()));
    let mut inner = block.inner(area);
    f.render_widget(block, area);
    if e.part2.unsettled && inner.height > 0 {
        let banner = Line::styled(
            format!(
                " {} UNSETTLED LAW: not settled here. Escalate it to the privacy officer (e) ",
                if t.look.ascii { "!!" } else { "⚠" }
            ),
            t.banner(),
        );
        f.render_widget(
            Paragraph::new(banner).style(t.banner()),
            Rect { height: 1, ..inner },
        );
        inner.y += 1;
        inner.height -= 1;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let lblock = Block::new().borders(Borders::RIGHT).border_set(t.border());
    let left_inner = lblock.inner(left);
    f.render_widget(lblock, left);
    f.render_widget(
        Paragraph::new(part2_lines(e, t, wide)).wrap(Wrap { trim: false }),
        left_inner,
    );
    let right_inner = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    f.render_widget(
        Paragraph::new(hipaa_lines(app, row, d, e, t, wide)).wrap(Wrap { trim: false }),
        right_inner,
    );
}

fn label(s: &str, t: &Theme) -> Span<'static> {
    Span::styled(s.to_owned(), t.bold())
}

fn part2_lines(e: &Evaluation, t: &Theme, wide: bool) -> Vec<Line<'static>> {
    let p = &e.part2;
    let mut out = Vec::new();
    let mut head = vec![
        label("PART 2  ", t),
        Span::styled(p.status.word(), t.part2(p.status).patch(t.bold())),
    ];
    if e.stricter {
        let text = if wide {
            "  ! stricter than HIPAA"
        } else {
            "  ! stricter"
        };
        head.push(Span::styled(text, t.bold()));
    }
    out.push(Line::from(head));
    // Consent and its checks: failures always with their detail.
    let c = &e.consent;
    let failed: Vec<_> = c.checks.iter().filter(|k| !k.ok).collect();
    let consent = match (&c.id, c.status) {
        (_, ConsentStatus::NotApplicable) => "not relied on".to_owned(),
        (None, s) => s.as_str().to_owned(),
        (Some(id), s) => format!(
            "{} {} ({}/{} checks ok)",
            esc(id),
            s.as_str(),
            c.checks.len() - failed.len(),
            c.checks.len()
        ),
    };
    out.push(Line::from(vec![label("Consent ", t), Span::raw(consent)]));
    for k in &c.checks {
        if !k.ok || wide {
            out.push(Line::from(vec![
                Span::styled(
                    format!(" {} ", t.check(k.ok)),
                    if k.ok { t.ok() } else { t.fail() },
                ),
                Span::raw(format!("{}: {}", k.check.as_str(), esc(&k.detail))),
            ]));
        }
    }
    let notice = if p.notice.required {
        let copy = if p.notice.consent_copy_required {
            " + consent copy"
        } else {
            ""
        };
        let keys = if wide {
            " (x shows it, w saves it)"
        } else {
            ""
        };
        format!("{}2.32 statement{copy} MUST go with it{keys}", t.section())
    } else {
        "none required".to_owned()
    };
    out.push(Line::from(vec![label("Notice ", t), Span::raw(notice)]));
    out.push(Line::from(vec![
        label("Redisclosure ", t),
        Span::raw(p.redisclosure.as_str()),
    ]));
    out.push(Line::from(vec![
        label("Why ", t),
        Span::raw(esc(&p.explanation)),
    ]));
    if !p.citations.is_empty() {
        out.push(Line::from(vec![
            label("Cites ", t),
            Span::raw(esc(&p.citations.join("; "))),
        ]));
    }
    let mut rule = vec![label("Rule ", t), Span::raw(esc(&p.rule))];
    if wide {
        rule.push(Span::styled("  (t: trace)", t.dim()));
    }
    out.push(Line::from(rule));
    out
}

fn hipaa_lines(
    app: &App,
    row: u32,
    d: &Disclosure,
    e: &Evaluation,
    t: &Theme,
    wide: bool,
) -> Vec<Line<'static>> {
    let h = &e.hipaa;
    let mut out = vec![Line::from(vec![
        label("HIPAA ALONE  ", t),
        Span::styled(h.status.word(), t.hipaa(h.status).patch(t.bold())),
    ])];
    out.push(Line::from(vec![
        label("Why ", t),
        Span::raw(esc(&h.explanation)),
    ]));
    if !h.citations.is_empty() {
        out.push(Line::from(vec![
            label("Cites ", t),
            Span::raw(esc(&h.citations.join("; "))),
        ]));
    }
    if wide {
        out.push(Line::from(vec![label("Rule ", t), Span::raw(esc(&h.rule))]));
    }
    let st = &app.rows[row as usize];
    let decision = if app.pending.as_ref().is_some_and(|p| p.row == row) {
        Span::raw("recording…")
    } else {
        match &st.decision {
            // In a team the row shortens the holder; here it is in full.
            None if app.claims.contains_key(&row) => {
                Span::raw(format!("none yet; claimed by {}", esc(&app.claims[&row])))
            }
            None => Span::styled("none yet (a/d/e/f)", t.dim()),
            Some(dec) => {
                let reason = dec
                    .reason_code
                    .map(|r| format!(" ({})", r.as_str()))
                    .unwrap_or_default();
                if dec.current {
                    Span::styled(
                        format!("{}{reason}", dec.decision.as_str().to_uppercase()),
                        t.bold(),
                    )
                } else {
                    Span::raw(format!(
                        "{}{reason} on an EARLIER VERSION of this disclosure; decide again",
                        dec.decision.as_str()
                    ))
                }
            }
        }
    };
    out.push(Line::from(vec![label("Decision ", t), decision]));
    // The reviewer's own note on the decision that counts (why escalated, why overridden).
    if let Some(n) = st.decision.as_ref().and_then(|d| d.note.as_deref()) {
        out.push(Line::from(vec![
            label("Reviewer note ", t),
            Span::raw(format!("\"{}\"", esc(n))),
        ]));
    }
    if st.history.len() > 1 {
        out.push(Line::from(vec![
            label("History ", t),
            Span::raw(format!(
                "{} decisions on this item (t shows them)",
                st.history.len()
            )),
        ]));
    }
    // An item decided earlier (by anyone, in any session): who, when, and that deciding
    // again writes a new entry superseding that one (docs/signed-log.md#supersession-effective-decisions-and-conflicts; nothing is edited).
    if let Some(dec) = st.decision.as_ref().filter(|d| !d.reviewer.is_empty()) {
        let what = if st.awaiting_second().is_some() {
            // Four-eyes: not approved until another reviewer approves it too.
            "approved, waiting for a second reviewer,"
        } else if dec.decision == crate::decision::Decision::Escalate {
            "escalated"
        } else {
            "decided"
        };
        out.push(Line::from(vec![
            label("Earlier ", t),
            Span::raw(format!(
                "{what} by {} at {}; a new decision supersedes entry {}",
                esc(&dec.reviewer),
                esc(&dec.ts),
                esc(&dec.entry_sha256[..dec.entry_sha256.len().min(12)]),
            )),
        ]));
    }
    if let Some(n) = &d.note {
        out.push(Line::from(vec![label("Queue note ", t), Span::raw(esc(n))]));
    }
    if wide {
        if let Some(c) = &d.claim {
            let mut s = String::new();
            if let Some(id) = &c.id {
                s.push_str(&esc(id));
            }
            if let Some(a) = c.amount {
                s.push_str(&format!(" ${a}"));
            }
            if !c.dx.is_empty() {
                s.push_str(&format!(" dx {}", esc(&c.dx.join(","))));
            }
            if !c.procedures.is_empty() {
                s.push_str(&format!(" proc {}", esc(&c.procedures.join(","))));
            }
            out.push(Line::from(vec![label("Claim ", t), Span::raw(s)]));
        }
        if let Some(sd) = d.service_dates {
            out.push(Line::from(vec![
                label("Service ", t),
                Span::raw(format!("{} to {}", sd.from, sd.to)),
            ]));
        }
        out.push(Line::from(vec![
            label("Program ", t),
            Span::raw(esc(&d.program)),
            Span::raw(format!(
                "  records {}{}{}",
                d.records.as_str(),
                if d.against_patient {
                    ", against patient"
                } else {
                    ""
                },
                if d.emergency { ", emergency" } else { "" }
            )),
        ]));
        out.push(Line::from(vec![
            label("Policy ", t),
            Span::raw(format!(
                "{} {} / {} {}",
                esc(&e.policy.part2.id),
                esc(&e.policy.part2.version),
                esc(&e.policy.hipaa.id),
                esc(&e.policy.hipaa.version)
            )),
        ]));
    }
    out
}
