//! Bulk decisions: rows marked with `v` can be deferred or escalated together — decisions
//! that only put an item aside for later or for the privacy officer. Approve and deny are
//! never made in bulk: each disclosure needs its own look (42 CFR 2.13, 2.31).
//!
//! One dialog (reason and note) covers every marked row; the entries are then recorded one
//! after another, each through the same path as a single decision, each superseding that
//! row's own earlier decision.

use crate::decision::Decision;
use crate::tui::sink::DecisionInput;

use super::app::{App, DecideDialog, Overlay, Pending, StatusKind};
use super::update::Effect;

/// `v`: mark or unmark the selected row, then move down (marking a run is `v v v`).
pub fn toggle(app: &mut App) {
    let Some(row) = app.selected() else {
        app.dirty = false;
        return;
    };
    if !app.marked.remove(&row) {
        app.marked.insert(row);
    }
    if app.cursor + 1 < app.view.len() {
        app.cursor += 1;
        app.scroll_to_cursor();
        app.sync_detail();
    }
}

/// Only decisions that defer judgement may be made in bulk.
pub fn allowed(decision: Decision) -> bool {
    matches!(decision, Decision::Defer | Decision::Escalate)
}

/// The refusal for approve and deny while rows are marked.
pub fn refusal(app: &App, decision: Decision) -> String {
    format!(
        "Never in bulk: {} each disclosure on its own. Esc unmarks the {} marked.",
        decision.as_str(),
        app.marked.len()
    )
}

/// The dialog just opened for the selected row becomes the bulk dialog: it records for the
/// first marked row, and the rest follow.
pub fn take_over(app: &mut App) {
    let rows: Vec<u32> = app.marked.iter().copied().collect();
    let supersedes = |r: u32| {
        app.rows
            .get(r as usize)
            .and_then(|s| s.decision.as_ref())
            .map(|d| d.entry_sha256.clone())
    };
    let first_sup = rows.first().and_then(|&r| supersedes(r));
    if let (Overlay::Decide(d), Some(&first)) = (&mut app.overlay, rows.first()) {
        d.row = first;
        d.supersedes = first_sup;
        d.bulk = rows[1..].to_vec();
    }
}

/// After the dialog's own row was handed to the sink: the other rows wait their turn.
pub fn queue_rest(app: &mut App, dlg: &DecideDialog, note: &Option<String>) {
    app.bulk_pending = dlg
        .bulk
        .iter()
        .map(|&row| (row, dlg.decision, dlg.reason, note.clone()))
        .collect();
    app.bulk_done = 0;
    app.bulk_active = !dlg.bulk.is_empty();
    app.marked.clear();
}

/// The previous entry was recorded: record the next marked row, if any.
pub fn next(app: &mut App) -> Option<Effect> {
    if app.bulk_pending.is_empty() {
        if std::mem::take(&mut app.bulk_active) {
            let n = app.bulk_done + 1;
            app.set_status(
                StatusKind::Info,
                format!("Recorded the bulk decision for {n} disclosures, one signed entry each."),
            );
        }
        return None;
    }
    let (loaded, eval) = (app.loaded.clone()?, app.eval.clone()?);
    app.bulk_done += 1;
    let (row, decision, reason, note) = app.bulk_pending.pop_front()?;
    let d = loaded.queue.disclosures.get(row as usize)?;
    let e = eval(&loaded.queue, &loaded.index, d);
    // A repeat decision supersedes the item's effective one (docs/signed-log.md).
    let supersedes = app.rows[row as usize]
        .effective()
        .last()
        .map(|d| d.entry_sha256.clone());
    let input = DecisionInput {
        decision,
        reason_code: reason,
        note,
        supersedes,
    };
    app.pending = Some(Pending {
        row,
        input: input.clone(),
        dialog: None,
    });
    Some(Effect::Record {
        row,
        eval: Box::new(e),
        input,
        queue_sha256: loaded.sha256.clone(),
    })
}

/// A record of a bulk decision failed on `failed`: it and the rows not tried go back to the
/// marks, and the status says so.
pub fn abort(app: &mut App, failed: u32) {
    if !std::mem::take(&mut app.bulk_active) {
        return;
    }
    let left = app.bulk_pending.len() + 1;
    app.marked.insert(failed);
    app.marked
        .extend(app.bulk_pending.drain(..).map(|(row, ..)| row));
    let done = app.bulk_done;
    let last = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    app.set_status(
        StatusKind::Error,
        format!("{last} — bulk stopped after {done} recorded; {left} not recorded, still marked."),
    );
}
