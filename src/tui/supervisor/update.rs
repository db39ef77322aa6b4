//! The one place supervisor state changes, keys and background loading alike. No effects:
//! the supervisor TUI only reads.

use super::action::SupAction;
use super::app::{DECISIONS, Screen, SupApp};
use super::view::{LIST_TOP, list_rows};

pub fn update(app: &mut SupApp, action: SupAction) {
    let page = list_rows(app.size.1).max(1);
    let last = app.visible.len().saturating_sub(1);
    match action {
        SupAction::Up => app.selected = app.selected.saturating_sub(1),
        SupAction::Down => app.selected = (app.selected + 1).min(last),
        SupAction::PageUp => app.selected = app.selected.saturating_sub(page),
        SupAction::PageDown => app.selected = (app.selected + page).min(last),
        SupAction::Top => app.selected = 0,
        SupAction::Bottom => app.selected = last,
        SupAction::ToggleSummary => {
            app.screen = match app.screen {
                Screen::List => Screen::Summary,
                Screen::Summary => Screen::List,
            };
            if app.screen == Screen::Summary {
                app.ensure_summary();
            }
        }
        SupAction::FilterStart => app.typing = true,
        SupAction::FilterChar(c) => {
            if !c.is_control() && app.text.chars().count() < 64 {
                app.text.push(c);
                app.refilter();
            }
        }
        SupAction::FilterBackspace => {
            app.text.pop();
            app.refilter();
        }
        SupAction::FilterDone => app.typing = false,
        SupAction::ClearFilters => {
            if app.typing {
                app.typing = false;
                app.text.clear();
            } else {
                app.text.clear();
                app.decision = None;
                app.overrides_only = false;
                app.failed_only = false;
            }
            app.refilter();
        }
        SupAction::CycleDecision => {
            app.decision = match app.decision {
                None => Some(0),
                Some(i) if i + 1 < DECISIONS.len() => Some(i + 1),
                Some(_) => None,
            };
            app.refilter();
        }
        SupAction::ToggleOverrides => {
            app.overrides_only = !app.overrides_only;
            app.refilter();
        }
        SupAction::ToggleFailed => {
            app.failed_only = !app.failed_only;
            app.refilter();
        }
        SupAction::ToggleHelp => app.help = !app.help,
        SupAction::Resize(w, h) => app.size = (w, h),
        SupAction::Progress(p) => {
            if let Some(l) = app.loading.as_mut().and_then(|v| v.get_mut(p.log)) {
                l.entries = p.entries;
                l.bytes = p.bytes;
                l.done = p.done;
            }
        }
        SupAction::Loaded(l) => app.finish_loading(*l.0),
        SupAction::LoadFailed(m) => app.failure = Some(m),
        SupAction::Scroll(n) if app.screen == Screen::List && !app.help => {
            app.selected = if n > 0 {
                (app.selected + n as usize).min(last)
            } else {
                app.selected.saturating_sub(n.unsigned_abs() as usize)
            }
        }
        SupAction::Click(y) if app.screen == Screen::List && !app.help => {
            let pos = app.offset + (y.saturating_sub(LIST_TOP)) as usize;
            if y >= LIST_TOP && y < LIST_TOP + page as u16 && pos < app.visible.len() {
                app.selected = pos;
            }
        }
        SupAction::Scroll(_) | SupAction::Click(_) => {}
        SupAction::Quit => app.quit = true,
    }
    // Keep the selection on screen.
    let rows = list_rows(app.size.1).max(1);
    if app.selected < app.offset {
        app.offset = app.selected;
    } else if app.selected >= app.offset + rows {
        app.offset = app.selected + 1 - rows;
    }
}
