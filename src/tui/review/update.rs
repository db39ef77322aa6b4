//! `update(&mut App, Action) -> Vec<Effect>`: every state change in one place, no I/O.
//! Anything that touches the outside world (the log, files, reloading) is returned as an
//! [`Effect`] for the runtime to carry out; its result comes back as an action.

use crate::decision::{self, Decision, ReasonCode};
use crate::engine::{Evaluation, Part2Status};

use super::action::Action;
use super::app::{
    App, DecideDialog, DecidedFilter, Overlay, Pending, RowDecision, StatusKind, Step, Verdict,
    preselect_reason,
};
use super::keymap::Context;
use crate::tui::sink::DecisionInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Append a decision, after checking the queue file still matches `queue_sha256`.
    Record {
        row: u32,
        eval: Box<Evaluation>,
        input: DecisionInput,
        queue_sha256: String,
    },
    /// Write the §2.32 attachment text for a disclosure.
    SaveAttachment {
        disclosure: String,
        text: String,
    },
    /// Start evaluating every disclosure in the background.
    EvaluateAll,
    /// Read back recorded decisions and match them to the queue.
    LoadRecorded,
    /// Read what was appended to the log since the last look (live reload); in a team,
    /// every team log and others' claims.
    PollLog,
    /// Team work: claim `row` before its decision dialog for `decision` opens.
    Claim {
        row: u32,
        decision: Decision,
    },
    /// Team work: claim every marked row before the bulk dialog for `decision` opens.
    ClaimMarked {
        rows: Vec<u32>,
        decision: Decision,
    },
    /// Team work: a key was pressed in the dialog; extend its claim.
    RenewClaim,
    /// Team work: the dialog closed without recording; give its claim back.
    ReleaseClaim,
    Reload,
    Quit,
}

/// An override goes against the verdict: the supervisor reviewing it needs to read why.
pub const OVERRIDE_NOTE: &str =
    "An override needs a note: say why the verdict does not hold here, then Enter.";

/// Shown when a confirming key was read before the dialog step was on screen.
pub const TYPED_AHEAD: &str =
    "typed ahead — confirm again (keys pressed before this step showed are dropped)";

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    // Bookkeeping from the runtime: it changes nothing on screen.
    match action {
        Action::Flushed(n) => {
            app.frames = n;
            if let Overlay::Decide(d) = &mut app.overlay
                && d.shown_in.is_none()
                && !super::layout::too_small(app.size)
            {
                d.shown_in = Some(n);
            }
            return vec![];
        }
        Action::KeyRead(n) => {
            app.key_frame = n;
            return vec![];
        }
        _ => {}
    }
    match action {
        // The live reload of the own log: the runtime polls it; nothing to draw yet.
        Action::Tick => vec![Effect::PollLog],
        // Redraws only when something new was read (never cancels a pending redraw).
        Action::LogAppended { restarted, list } => on_log_appended(app, restarted, list),
        Action::Claims(list) => {
            let now: std::collections::HashMap<u32, String> = list.into_iter().collect();
            if now != app.claims {
                app.claims = now;
                app.dirty = true;
            }
            vec![]
        }
        action => update_screen(app, action),
    }
}

fn update_screen(app: &mut App, action: Action) -> Vec<Effect> {
    app.dirty = true;
    let ctx = app.context();
    match action {
        Action::Resize(w, h) => {
            app.size = (w, h);
            if let Overlay::Decide(d) = &mut app.overlay {
                // Whatever the dialog showed may not be what the reviewer sees now.
                d.shown_in = None;
            }
            app.scroll_to_cursor();
            app.sync_detail();
            vec![]
        }
        Action::Loaded(q, eval) => {
            let mut effects = vec![Effect::EvaluateAll, Effect::LoadRecorded];
            if matches!(app.overlay, Overlay::Decide(_)) {
                // A dialog about the old version of the queue must not outlive it.
                app.overlay = Overlay::None;
                if app.me.is_some() {
                    effects.push(Effect::ReleaseClaim);
                }
            }
            app.install(q, eval);
            app.set_status(StatusKind::Info, loaded_message(app));
            effects
        }
        Action::Claimed {
            row,
            decision,
            result,
        } => on_claimed(app, row, decision, result),
        Action::ClaimedMarked {
            rows,
            decision,
            result,
        } => on_claimed_marked(app, rows, decision, result),
        Action::LoadFailed(msg) => {
            if app.loaded.is_none() {
                app.load_error = Some(msg);
            } else {
                app.set_status(
                    StatusKind::Error,
                    format!("Reload failed; still showing the old queue. {msg}"),
                );
            }
            vec![]
        }
        Action::Evaluated {
            generation,
            start,
            verdicts,
        } => {
            if generation == app.generation {
                on_evaluated(app, start, verdicts);
            }
            vec![]
        }
        Action::RuntimeError(msg) => {
            app.set_status(StatusKind::Error, msg);
            vec![]
        }
        Action::Seed(list) => {
            for (row, rd) in list {
                if let Some(r) = app.rows.get_mut(row as usize) {
                    r.take(rd);
                }
            }
            app.recount_decided();
            if app.filter.decided != DecidedFilter::All {
                keep_selection_rebuild(app);
            }
            vec![]
        }
        Action::Recorded { row, result } => on_recorded(app, row, result),
        Action::LogAppended { .. } | Action::Claims(_) | Action::Tick => vec![],
        Action::LogNotice(n) => {
            // In full in the status line and the message log: the header may shorten it.
            if app.log_notice.as_ref() != Some(&n) {
                app.set_status(StatusKind::Error, n.clone());
                app.log_notice = Some(n);
            }
            vec![]
        }
        Action::QueueChanged => {
            if !app.stale {
                app.stale = true;
                app.set_status(
                    StatusKind::Error,
                    "Queue file changed on disk: press R to reload. Deciding is blocked until then.",
                );
            }
            vec![]
        }
        Action::Saved(r) => {
            match r {
                Ok(p) => app.set_status(
                    StatusKind::Info,
                    format!(
                        "Saved the §2.32 statement and consent explanation to {}",
                        crate::text::escape(&p.display().to_string())
                    ),
                ),
                Err(e) => app.set_status(
                    StatusKind::Error,
                    format!("Could not save the attachment: {e}"),
                ),
            }
            vec![]
        }
        other => match ctx {
            Context::Queue => queue_key(app, other),
            Context::Filter => filter_key(app, other),
            Context::Reason | Context::Note | Context::Confirm => dialog_key(app, other),
            Context::Overlay | Context::Help => overlay_key(app, other),
            Context::TooSmall => too_small_key(app, other),
        },
    }
}

/// Nothing is visible below the minimum size: only quitting acts (an action reaching here
/// some other way than the keymap changes nothing either).
fn too_small_key(app: &mut App, action: Action) -> Vec<Effect> {
    if matches!(action, Action::Quit) {
        app.quit = true;
        return vec![Effect::Quit];
    }
    app.dirty = false;
    vec![]
}

fn loaded_message(app: &App) -> String {
    let n = app.total();
    if app.demo {
        format!("DEMO: the bundled sample queue ({n} disclosures). Decisions go to the demo log.")
    } else {
        format!("Loaded {n} disclosure{}.", if n == 1 { "" } else { "s" })
    }
}

fn on_evaluated(app: &mut App, start: u32, verdicts: Vec<Verdict>) {
    let start = start as usize;
    for (i, v) in verdicts.iter().enumerate() {
        if let Some(r) = app.rows.get_mut(start + i) {
            r.verdict.get_or_insert(*v);
        }
    }
    app.evaluated = (app.evaluated + verdicts.len()).min(app.total());
    // Verdict-dependent filters and sorts are re-applied once everything is known, so rows
    // do not jump under the reviewer while loading.
    let depends = app.sort == super::app::SortKey::Verdict
        || app.filter.part2.is_some()
        || !app.filter.text.is_empty();
    if app.evaluated == app.total() && depends {
        keep_selection_rebuild(app);
    }
}

fn keep_selection_rebuild(app: &mut App) {
    let id = app
        .selected()
        .and_then(|r| app.disclosure(r))
        .map(|d| d.id.clone());
    app.rebuild_view(id.as_deref());
}

fn move_to(app: &mut App, pos: usize) {
    if app.view.is_empty() {
        app.dirty = false;
        return;
    }
    let pos = pos.min(app.view.len() - 1);
    if pos == app.cursor {
        app.dirty = false;
        return;
    }
    app.cursor = pos;
    app.scroll_to_cursor();
    app.sync_detail();
}

fn navigate(app: &mut App, action: &Action) -> bool {
    let page = app.page_rows().max(1);
    let c = app.cursor;
    match action {
        Action::Up => move_to(app, c.saturating_sub(1)),
        Action::Down => move_to(app, c + 1),
        Action::PageUp => move_to(app, c.saturating_sub(page)),
        Action::PageDown => move_to(app, c + page),
        Action::Home => move_to(app, 0),
        Action::End => move_to(app, app.view.len().saturating_sub(1)),
        _ => return false,
    }
    true
}

fn queue_key(app: &mut App, action: Action) -> Vec<Effect> {
    if navigate(app, &action) {
        return vec![];
    }
    match action {
        Action::NextUndecided if !app.search_text.is_empty() => jump_to_match(app, true),
        Action::PrevMatch if !app.search_text.is_empty() => jump_to_match(app, false),
        Action::PrevMatch => app.set_status(
            StatusKind::Info,
            "No search: press /, then Tab to search, type, Enter; n and N go to the matches.",
        ),
        Action::NextUndecided => {
            let n = app.view.len();
            let found = (1..=n)
                .map(|k| (app.cursor + k) % n.max(1))
                .find(|&p| app.wants_work(app.view[p]));
            match found {
                Some(p) => move_to(app, p),
                None if app.me.is_some() => app.set_status(
                    StatusKind::Info,
                    "Every disclosure shown is decided or claimed by someone else.",
                ),
                None => app.set_status(StatusKind::Info, "Every disclosure shown is decided."),
            }
        }
        // In a team the dialog opens only once the item is claimed (docs/team.md#claims);
        // bulk decisions (`v` marks) claim each item as it is recorded.
        Action::Decide(d) if app.me.is_some() && app.marked.is_empty() => {
            return request_claim(app, d);
        }
        Action::Decide(d) if !app.marked.is_empty() && !super::bulk::allowed(d) => {
            let msg = super::bulk::refusal(app, d);
            app.set_status(StatusKind::Info, msg);
        }
        // A bulk decision in a team claims every marked item first (all or nothing).
        Action::Decide(d) if app.me.is_some() => {
            if app.stale || app.pending.is_some() || app.selected_eval().is_none() {
                return open_dialog(app, d);
            }
            return vec![Effect::ClaimMarked {
                rows: app.marked.iter().copied().collect(),
                decision: d,
            }];
        }
        Action::Decide(d) => {
            let effects = open_dialog(app, d);
            if !app.marked.is_empty() {
                super::bulk::take_over(app);
            }
            return effects;
        }
        Action::ToggleMark => super::bulk::toggle(app),
        Action::Cancel if !app.marked.is_empty() => app.marked.clear(),
        Action::Click { row, .. } => click_row(app, row),
        Action::StartFilter => {
            app.filter_editing = true;
            app.searching = false;
        }
        Action::CyclePart2Filter => {
            app.filter.part2 = match app.filter.part2 {
                None => Some(Part2Status::ALL[0]),
                Some(s) => Part2Status::ALL
                    .iter()
                    .position(|x| *x == s)
                    .and_then(|i| Part2Status::ALL.get(i + 1).copied()),
            };
            keep_selection_rebuild(app);
        }
        Action::CycleDecidedFilter => {
            app.filter.decided = match app.filter.decided {
                DecidedFilter::All => DecidedFilter::Undecided,
                DecidedFilter::Undecided => DecidedFilter::Decided,
                DecidedFilter::Decided => DecidedFilter::Escalated,
                DecidedFilter::Escalated => DecidedFilter::All,
            };
            keep_selection_rebuild(app);
        }
        Action::FilterEscalated => {
            app.filter.decided = if app.filter.decided == DecidedFilter::Escalated {
                DecidedFilter::All
            } else {
                DecidedFilter::Escalated
            };
            keep_selection_rebuild(app);
        }
        Action::CycleSort => {
            app.sort = app.sort.next();
            keep_selection_rebuild(app);
        }
        Action::ReverseSort => {
            app.sort_reverse = !app.sort_reverse;
            keep_selection_rebuild(app);
        }
        Action::Cancel if !app.search_text.is_empty() => app.search_text.clear(),
        Action::Cancel => {
            if app.filter.is_empty() {
                app.status = None;
            } else {
                app.filter = Default::default();
                keep_selection_rebuild(app);
            }
        }
        Action::ShowTrace if app.selected_eval().is_some() => {
            app.overlay = Overlay::Trace { scroll: 0 }
        }
        Action::ShowStatement if app.selected_eval().is_some() => {
            app.overlay = Overlay::Statement { scroll: 0 }
        }
        Action::SaveAttachment => return save_attachment(app),
        Action::Reload => {
            if app.demo {
                app.set_status(
                    StatusKind::Info,
                    "The demo queue is bundled; there is nothing to reload.",
                );
            } else if app.loaded.is_some() {
                app.set_status(StatusKind::Info, "Reloading the queue file…");
                return vec![Effect::Reload];
            }
        }
        Action::Help => app.overlay = Overlay::Help { scroll: 0 },
        Action::ShowMessages => app.overlay = Overlay::Messages { scroll: 0 },
        Action::Quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        _ => app.dirty = false,
    }
    vec![]
}

/// A click on a list row selects it; anywhere else it does nothing.
fn click_row(app: &mut App, y: u16) {
    let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
    let Some(screen) = super::layout::screen(area) else {
        app.dirty = false;
        return;
    };
    // The first line of the list pane is the column header.
    let first = screen.queue.y + 1;
    if y < first || y >= screen.queue.y + screen.queue.height {
        app.dirty = false;
        return;
    }
    let pos = app.offset + (y - first) as usize;
    if pos < app.view.len() {
        move_to(app, pos);
    } else {
        app.dirty = false;
    }
}

/// `n`/`N` with a search on: the next (previous) match after the selection, wrapping.
fn jump_to_match(app: &mut App, forward: bool) {
    match app.find_match(app.cursor, forward, false) {
        Some(p) if p == app.cursor => app.set_status(StatusKind::Info, "This is the only match."),
        Some(p) => move_to(app, p),
        None => app.set_status(
            StatusKind::Info,
            format!(
                "No disclosure shown matches the search \"{}\" (Esc clears it).",
                crate::text::escape(&app.search_text)
            ),
        ),
    }
}

/// The search text changed while typing: select the first match from the selection on.
fn search_typed(app: &mut App) {
    if let Some(p) = app.find_match(app.cursor, true, true) {
        move_to(app, p);
    }
    app.dirty = true;
}

/// The text the `/` line edits: the filter, or the search.
fn prompt_text(app: &mut App) -> &mut String {
    if app.searching {
        &mut app.search_text
    } else {
        &mut app.filter.text
    }
}

/// After the `/` line's text changed: re-filter, or jump to the first match.
fn prompt_changed(app: &mut App) {
    if app.searching {
        search_typed(app);
    } else {
        keep_selection_rebuild(app);
    }
}

fn filter_key(app: &mut App, action: Action) -> Vec<Effect> {
    if matches!(action, Action::Up | Action::Down) {
        navigate(app, &action);
        return vec![];
    }
    match action {
        Action::ToggleSearch => {
            app.searching = !app.searching;
            if app.searching {
                // The filter typed so far becomes the search (nothing typed twice).
                app.search_text = std::mem::take(&mut app.filter.text);
                keep_selection_rebuild(app);
                search_typed(app);
            } else {
                app.filter.text = std::mem::take(&mut app.search_text);
                keep_selection_rebuild(app);
            }
        }
        Action::Input(c)
            if !crate::text::is_unsafe_char(c) && prompt_text(app).chars().count() < FILTER_MAX =>
        {
            prompt_text(app).push(c);
            prompt_changed(app);
        }
        Action::Paste(text) => {
            let text = pasted_line(&text);
            let room = FILTER_MAX - prompt_text(app).chars().count().min(FILTER_MAX);
            match text {
                Ok(t) if t.chars().count() <= room => {
                    prompt_text(app).push_str(&t);
                    prompt_changed(app);
                }
                Ok(t) => app.set_status(
                    StatusKind::Error,
                    format!(
                        "The paste has {} characters; the filter has room for {room} more. Nothing was pasted.",
                        t.chars().count()
                    ),
                ),
                Err(e) => app.set_status(StatusKind::Error, e),
            }
        }
        Action::Backspace => {
            prompt_text(app).pop();
            prompt_changed(app);
        }
        Action::DeleteWord => {
            delete_word(prompt_text(app));
            prompt_changed(app);
        }
        Action::ClearLine => {
            prompt_text(app).clear();
            prompt_changed(app);
        }
        Action::Accept => app.filter_editing = false,
        Action::Cancel => {
            app.filter_editing = false;
            prompt_text(app).clear();
            prompt_changed(app);
        }
        Action::Quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        _ => app.dirty = false,
    }
    vec![]
}

/// Ctrl-W as in a shell: trailing spaces, then the word before them.
fn delete_word(s: &mut String) {
    let kept = s
        .trim_end()
        .trim_end_matches(|c: char| !c.is_whitespace())
        .len();
    s.truncate(kept);
}

/// The longest filter text.
const FILTER_MAX: usize = 64;

/// Pasted text as one line: line breaks and tabs become spaces (a newline in a paste never
/// confirms anything); other control characters refuse the whole paste.
fn pasted_line(text: &str) -> Result<String, String> {
    let one_line: String = text
        .replace("\r\n", " ")
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    if one_line.chars().any(crate::text::is_unsafe_char) {
        return Err("The paste holds control characters; nothing was pasted.".into());
    }
    Ok(one_line)
}

fn paste_into_note(dlg: &mut super::app::DecideDialog, text: &str) {
    let room = decision::NOTE_MAX_CHARS - dlg.note.chars().count().min(decision::NOTE_MAX_CHARS);
    match pasted_line(text) {
        Ok(t) if t.chars().count() <= room => {
            dlg.note.push_str(&t);
            dlg.error = None;
        }
        Ok(t) => {
            dlg.error = Some(format!(
                "The paste has {} characters; the note has room for {room} more. Nothing was pasted.",
                t.chars().count()
            ))
        }
        Err(e) => dlg.error = Some(e),
    }
}

fn open_dialog(app: &mut App, decision: Decision) -> Vec<Effect> {
    let (Some(row), Some(e)) = (app.selected(), app.selected_eval()) else {
        app.set_status(StatusKind::Info, "Nothing selected.");
        return vec![];
    };
    if app.stale {
        app.set_status(
            StatusKind::Error,
            "The queue file changed on disk: press R to reload before deciding. Nothing was recorded.",
        );
        return vec![];
    }
    if app.pending.is_some() {
        app.set_status(StatusKind::Info, "Still recording the previous decision…");
        return vec![];
    }
    if let Some(why) = four_eyes_refusal(app, row, decision) {
        app.set_status(StatusKind::Error, why);
        return vec![];
    }
    let overrides = decision::is_override(decision, e.part2.status, e.hipaa.status);
    let unsettled = e.part2.unsettled;
    let required = decision::reason_required(decision, overrides, unsettled);
    let mut choices: Vec<Option<ReasonCode>> = ReasonCode::ALL.iter().copied().map(Some).collect();
    if !required {
        choices.push(None);
    }
    let pre = preselect_reason(decision, e);
    let highlight = choices.iter().position(|c| *c == pre).unwrap_or(0);
    // A repeat decision names the item's effective decision (the recorder refuses one
    // that does not); the dialog shows which.
    let supersedes = app.rows[row as usize]
        .effective()
        .last()
        .map(|d| d.entry_sha256.clone());
    app.overlay = Overlay::Decide(Box::new(DecideDialog {
        row,
        decision,
        step: if overrides {
            Step::Confirm
        } else {
            Step::Reason
        },
        choices,
        highlight,
        reason: None,
        note: String::new(),
        error: None,
        overrides,
        unsettled,
        confirm_yes: false,
        supersedes,
        bulk: Vec::new(),
        shown_in: None,
    }));
    vec![]
}

/// An approval of an item whose four-eyes approval waits for a second reviewer completes
/// it — unless this reviewer made it: refused before anything opens, by the recording
/// path's own rule (`team::items::may_complete`). Outside a team nobody else can.
fn four_eyes_refusal(app: &App, row: u32, decision: Decision) -> Option<String> {
    if decision != Decision::Approve {
        return None;
    }
    let p = app.rows.get(row as usize)?.awaiting_second()?;
    let id = app
        .disclosure(row)
        .map(|d| crate::text::escape(&d.id).into_owned())
        .unwrap_or_default();
    let Some(me) = app.me.as_deref() else {
        return Some(format!(
            "{id}: this override approval waits for a second reviewer of the team (`review --team`); nothing opened"
        ));
    };
    // Empty: made in this window, by this reviewer.
    let author = if p.reviewer.is_empty() {
        me
    } else {
        &p.reviewer
    };
    crate::team::items::may_complete(author, &p.key, me, None)
        .err()
        .map(|m| {
            format!("{id}: {m} — deny, escalate or defer it instead, or leave it for a colleague")
        })
}

/// In a team: ask the runtime to claim the selected item; the dialog opens when the
/// claim comes back ([`on_claimed`]).
fn request_claim(app: &mut App, decision: Decision) -> Vec<Effect> {
    let Some(row) = app.selected() else {
        app.set_status(StatusKind::Info, "Nothing selected.");
        return vec![];
    };
    if app.stale || app.pending.is_some() || app.selected_eval().is_none() {
        // The same refusals as without a team, before anything is claimed.
        return open_dialog(app, decision);
    }
    if let Some(why) = four_eyes_refusal(app, row, decision) {
        app.set_status(StatusKind::Error, why);
        return vec![];
    }
    if let Some(holder) = app.claims.get(&row) {
        let id = app
            .disclosure(row)
            .map(|d| d.id.clone())
            .unwrap_or_default();
        let msg = format!(
            "{} is claimed by {}; nothing opened — pick another item (n skips claimed ones)",
            crate::text::escape(&id),
            crate::text::escape(holder)
        );
        app.set_status(StatusKind::Error, msg);
        return vec![];
    }
    vec![Effect::Claim { row, decision }]
}

/// The claim asked for by [`request_claim`] came back.
fn on_claimed(
    app: &mut App,
    row: u32,
    decision: Decision,
    result: Result<(), crate::tui::sink::ClaimRefused>,
) -> Vec<Effect> {
    match result {
        // Still on that row with nothing open: the dialog opens, holding the claim.
        Ok(()) if app.selected() == Some(row) && matches!(app.overlay, Overlay::None) => {
            app.claims.remove(&row);
            let effects = open_dialog(app, decision);
            if matches!(app.overlay, Overlay::Decide(_)) {
                effects
            } else {
                vec![Effect::ReleaseClaim]
            }
        }
        Ok(()) => vec![Effect::ReleaseClaim],
        Err(refused) => {
            if let Some(holder) = refused.holder {
                app.claims.insert(row, holder);
            }
            app.set_status(StatusKind::Error, refused.message);
            vec![]
        }
    }
}

/// The claims asked for by a bulk decision came back: the bulk dialog opens when every
/// marked item is held and nothing changed meanwhile; otherwise they are given back.
fn on_claimed_marked(
    app: &mut App,
    rows: Vec<u32>,
    decision: Decision,
    result: Result<(), crate::tui::sink::ClaimRefused>,
) -> Vec<Effect> {
    let same = app.marked.iter().copied().eq(rows.iter().copied());
    match result {
        Ok(()) if same && matches!(app.overlay, Overlay::None) => {
            for r in &rows {
                app.claims.remove(r);
            }
            let effects = open_dialog(app, decision);
            if matches!(app.overlay, Overlay::Decide(_)) {
                super::bulk::take_over(app);
                effects
            } else {
                vec![Effect::ReleaseClaim]
            }
        }
        Ok(()) => vec![Effect::ReleaseClaim],
        Err(refused) => {
            app.set_status(StatusKind::Error, refused.message);
            vec![]
        }
    }
}

/// Keys in the decision dialog. In a team each one extends the item's claim, and
/// closing the dialog without recording gives the claim back.
fn dialog_key(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = dialog_key_inner(app, action);
    if app.me.is_some() {
        match &app.overlay {
            Overlay::Decide(_) => effects.insert(0, Effect::RenewClaim),
            _ if app.pending.is_none() => effects.push(Effect::ReleaseClaim),
            _ => {}
        }
    }
    effects
}

fn dialog_key_inner(app: &mut App, action: Action) -> Vec<Effect> {
    let Overlay::Decide(dlg) = &mut app.overlay else {
        return vec![];
    };
    let confirms = match (dlg.step, &action) {
        (Step::Confirm, Action::Yes) => true,
        (Step::Confirm, Action::Accept) => dlg.confirm_yes,
        (Step::Reason | Step::Note, Action::Accept) => true,
        _ => false,
    };
    if confirms && dlg.shown_in.is_none_or(|f| app.key_frame < f) {
        dlg.error = Some(TYPED_AHEAD.into());
        return vec![];
    }
    match (dlg.step, action) {
        (Step::Confirm, Action::Yes) => dlg.go(Step::Reason),
        (Step::Confirm, Action::SwitchChoice) => dlg.confirm_yes = !dlg.confirm_yes,
        (Step::Confirm, Action::Accept) if dlg.confirm_yes => dlg.go(Step::Reason),
        (Step::Confirm, Action::Accept | Action::No) => {
            app.overlay = Overlay::None;
            app.set_status(StatusKind::Info, "Not approved. Nothing was recorded.");
        }
        (Step::Reason, Action::Up) => dlg.highlight = dlg.highlight.saturating_sub(1),
        (Step::Reason, Action::Down) => {
            dlg.highlight = (dlg.highlight + 1).min(dlg.choices.len() - 1)
        }
        (Step::Reason, Action::Accept) => {
            dlg.reason = dlg.choices[dlg.highlight];
            dlg.error = None;
            dlg.go(Step::Note);
        }
        (Step::Reason, Action::Cancel) => {
            app.overlay = Overlay::None;
            app.set_status(StatusKind::Info, "Cancelled. Nothing was recorded.");
        }
        (Step::Note, Action::Input(c)) => {
            if crate::text::is_unsafe_char(c) {
                dlg.error = Some("Control characters cannot go in a note.".into());
            } else if dlg.note.chars().count() >= decision::NOTE_MAX_CHARS {
                dlg.error = Some(format!(
                    "A note holds at most {} characters.",
                    decision::NOTE_MAX_CHARS
                ));
            } else {
                dlg.note.push(c);
                dlg.error = None;
            }
        }
        (Step::Note, Action::Backspace) => {
            dlg.note.pop();
            dlg.error = None;
        }
        (Step::Note, Action::DeleteWord) => {
            delete_word(&mut dlg.note);
            dlg.error = None;
        }
        (Step::Note, Action::ClearLine) => {
            dlg.note.clear();
            dlg.error = None;
        }
        (Step::Note, Action::Cancel) => {
            dlg.go(Step::Reason);
            dlg.error = None;
        }
        (Step::Note, Action::Paste(text)) => paste_into_note(dlg, &text),
        (Step::Note, Action::Accept) => return submit(app),
        _ => app.dirty = false,
    }
    vec![]
}

/// Check the decision with the shared §6.2 rules and hand it to the runtime.
fn submit(app: &mut App) -> Vec<Effect> {
    let Overlay::Decide(dlg) = &app.overlay else {
        return vec![];
    };
    let dlg = dlg.clone();
    let note = Some(dlg.note.trim().to_owned()).filter(|n| !n.is_empty());
    if dlg.overrides && note.is_none() {
        // A recording rule, not a log rule: entries already written stay valid.
        if let Overlay::Decide(d) = &mut app.overlay {
            d.error = Some(OVERRIDE_NOTE.into());
        }
        return vec![];
    }
    if let Err(problem) = decision::check(
        dlg.decision,
        dlg.reason,
        note.as_deref(),
        dlg.overrides,
        dlg.unsettled,
    ) {
        if let Overlay::Decide(d) = &mut app.overlay {
            d.error = Some(dialog_problem(&problem));
            if matches!(problem, decision::DecisionProblem::ReasonRequired { .. }) {
                d.go(Step::Reason);
            }
        }
        return vec![];
    }
    let (Some(loaded), Some(eval)) = (app.loaded.clone(), app.eval.clone()) else {
        return vec![];
    };
    if let Some(n) = &note
        && let Err(refusal) = crate::note_screen::screen_for_queue(n, &loaded.queue)
    {
        if let Overlay::Decide(d) = &mut app.overlay {
            d.error = Some(format!(
                "Not recorded: {refusal}. Edit the note (Ctrl-U clears it)."
            ));
        }
        return vec![];
    }
    // Evaluate the dialog's own disclosure now: what is recorded is exactly what was shown.
    let Some(d) = loaded.queue.disclosures.get(dlg.row as usize) else {
        return vec![];
    };
    let e = eval(&loaded.queue, &loaded.index, d);
    app.overlay = Overlay::None;
    if app.stale {
        app.set_status(
            StatusKind::Error,
            "The queue file changed on disk: press R to reload. Nothing was recorded.",
        );
        return vec![];
    }
    let input = DecisionInput {
        decision: dlg.decision,
        reason_code: dlg.reason,
        note: note.clone(),
        supersedes: dlg.supersedes.clone(),
    };
    app.pending = Some(Pending {
        row: dlg.row,
        input: input.clone(),
        dialog: Some(Box::new((*dlg).clone())),
    });
    app.set_status(StatusKind::Info, "Recording…");
    super::bulk::queue_rest(app, &dlg, &note);
    vec![Effect::Record {
        row: dlg.row,
        eval: Box::new(e),
        input,
        queue_sha256: loaded.sha256.clone(),
    }]
}

/// The shared messages speak of CLI flags; in the dialog, say which key to press.
fn dialog_problem(p: &decision::DecisionProblem) -> String {
    use decision::DecisionProblem as P;
    match p {
        P::ReasonRequired { decision, why } => {
            format!(
                "A reason is required to {} {why}. Pick one and press Enter.",
                decision.as_str()
            )
        }
        P::NoteRequiredForOther => "Reason `other` needs a note: type one, then Enter.".into(),
        P::NoteRequiredForOverride => OVERRIDE_NOTE.into(),
        other => other.to_string(),
    }
}

fn on_recorded(
    app: &mut App,
    row: u32,
    result: Result<crate::tui::sink::Receipt, String>,
) -> Vec<Effect> {
    let Some(p) = app.pending.take().filter(|p| p.row == row) else {
        return vec![];
    };
    let id = app
        .disclosure(row)
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let id = crate::text::escape(&id).into_owned();
    match result {
        Ok(r) => {
            let rd = RowDecision::of_receipt(&p.input, &r);
            let state = &mut app.rows[row as usize];
            state.history.push(rd.clone());
            state.decision = Some(rd);
            app.recount_decided();
            app.set_status(
                StatusKind::Info,
                format!(
                    "Recorded: {} {id} (seq {}, entry {}…)",
                    p.input.decision.as_str(),
                    r.seq,
                    &r.entry_sha256[..r.entry_sha256.len().min(12)]
                ),
            );
            // Move on: the next undecided item, as a reviewer working the queue expects.
            if let Some(next) = (1..=app.view.len())
                .map(|k| (app.cursor + k) % app.view.len())
                .find(|&pos| app.wants_work(app.view[pos]))
            {
                move_to(app, next);
                app.dirty = true;
            }
            if app.filter.decided == DecidedFilter::Undecided {
                keep_selection_rebuild(app);
            }
            if let Some(next) = super::bulk::next(app) {
                return vec![next];
            }
        }
        Err(e) => {
            app.set_status(StatusKind::Error, format!("NOT RECORDED ({id}): {e}"));
            // Open the dialog again at the note with what was typed, and the error —
            // unless the queue changed on disk: then it must be reloaded and decided anew.
            if let Some(mut dlg) = p.dialog
                && matches!(app.overlay, Overlay::None)
                && !app.stale
            {
                dlg.go(Step::Note);
                dlg.error = Some(format!(
                    "NOT RECORDED: {e}. Your note is kept: Enter tries again, Esc goes back."
                ));
                dlg.supersedes = app.rows[row as usize]
                    .effective()
                    .last()
                    .map(|d| d.entry_sha256.clone())
                    .or(dlg.supersedes);
                app.overlay = Overlay::Decide(dlg);
            }
            let was_bulk = app.bulk_active;
            super::bulk::abort(app, row);
            // A bulk decision that stopped gives back the claims of the rows not recorded
            // (they stay marked); a reopened dialog keeps them.
            if was_bulk && app.me.is_some() && !matches!(app.overlay, Overlay::Decide(_)) {
                return vec![Effect::ReleaseClaim];
            }
        }
    }
    vec![]
}

/// Decisions another window (or `decide`) appended to the log, read by the live reload:
/// they join the rows' histories; an open dialog on such a row now supersedes the newest.
fn on_log_appended(app: &mut App, restarted: bool, list: Vec<(u32, RowDecision)>) -> Vec<Effect> {
    if restarted {
        for r in &mut app.rows {
            r.decision = None;
            r.history.clear();
        }
    }
    let mut changed: Vec<u32> = Vec::new();
    for (row, rd) in list {
        if let Some(r) = app.rows.get_mut(row as usize)
            && r.take_new(rd)
        {
            changed.push(row);
        }
    }
    if changed.is_empty() && !restarted {
        return vec![];
    }
    app.dirty = true;
    app.recount_decided();
    if app.filter.decided != DecidedFilter::All {
        keep_selection_rebuild(app);
    }
    if let Overlay::Decide(dlg) = &mut app.overlay
        && changed.contains(&dlg.row)
    {
        let newest = app.rows[dlg.row as usize]
            .effective()
            .last()
            .map(|d| (d.entry_sha256.clone(), d.decision));
        // In a team, say who: another reviewer, not another window of one's own.
        let me = app.me.as_deref();
        let newest = newest.map(|(e, d)| {
            let who = app.rows[dlg.row as usize]
                .history
                .iter()
                .find(|h| h.entry_sha256 == e)
                .map(|h| h.reviewer.clone())
                .filter(|r| me.is_some_and(|me| !r.is_empty() && r != me));
            (e, d, who)
        });
        if let Some((entry, decision, who)) = newest
            && dlg.supersedes.as_deref() != Some(entry.as_str())
        {
            dlg.supersedes = Some(entry);
            let by = match who {
                Some(w) => crate::text::escape(&w).into_owned(),
                None => "Another window".to_owned(),
            };
            dlg.error = Some(format!(
                "{by} just recorded {} on this item: yours will supersede it. Confirm again, or Esc.",
                decision.as_str().to_uppercase()
            ));
        }
    }
    if !changed.is_empty() {
        app.set_status(
            StatusKind::Info,
            format!(
                "{} decision(s) recorded elsewhere were read from the log.",
                changed.len()
            ),
        );
    }
    vec![]
}

fn save_attachment(app: &mut App) -> Vec<Effect> {
    let (Some(l), Some(row), Some(e)) = (app.loaded.clone(), app.selected(), app.selected_eval())
    else {
        return vec![];
    };
    let d = &l.queue.disclosures[row as usize];
    if !e.part2.notice.required {
        app.set_status(
            StatusKind::Info,
            format!(
                "No §2.32 notice goes with {} ({}): nothing to attach.",
                crate::text::escape(&d.id),
                e.part2.status.word()
            ),
        );
        return vec![];
    }
    let text = super::attachment::text(&l, d, e);
    vec![Effect::SaveAttachment {
        disclosure: d.id.clone(),
        text,
    }]
}

fn overlay_key(app: &mut App, action: Action) -> Vec<Effect> {
    let scroll = match &mut app.overlay {
        Overlay::Help { scroll }
        | Overlay::Trace { scroll }
        | Overlay::Statement { scroll }
        | Overlay::Messages { scroll } => scroll,
        _ => return vec![],
    };
    // Overlays never scroll past their end (the view also stops at the last line).
    let page = app.size.1.saturating_sub(5).max(1);
    let max = app.scroll_max.get();
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1).min(max),
        Action::Down => *scroll = scroll.saturating_add(1).min(max),
        Action::PageUp => *scroll = scroll.saturating_sub(page).min(max),
        Action::PageDown => *scroll = scroll.saturating_add(page).min(max),
        Action::Cancel => app.overlay = Overlay::None,
        Action::ShowTrace => app.overlay = Overlay::Trace { scroll: 0 },
        Action::ShowStatement => app.overlay = Overlay::Statement { scroll: 0 },
        Action::SaveAttachment => return save_attachment(app),
        _ => app.dirty = false,
    }
    vec![]
}
