//! The one place practice state changes. Pure: effects are returned, the runtime carries
//! them out.

use super::action::{TrainAction, TrainEffect};
use super::app::TrainApp;
use super::keymap::Context;
use crate::engine::{HipaaStatus, Part2Status};
use crate::incident::Outcome;
use crate::incident::scenario::First;
use crate::training::{Phase, Question};

/// THE state transition.
pub fn update(app: &mut TrainApp, action: TrainAction) -> Vec<TrainEffect> {
    if app.confirm_quit
        && !matches!(
            action,
            TrainAction::Resize(..)
                | TrainAction::Recorded(_)
                | TrainAction::Abandon
                | TrainAction::Stay
        )
    {
        return vec![];
    }
    if app.help
        && !matches!(
            action,
            TrainAction::Resize(..) | TrainAction::Recorded(_) | TrainAction::Abandon
        )
    {
        app.help = false;
        return vec![];
    }
    match action {
        TrainAction::Up if app.context() == Context::Reveal => {
            app.scroll = app.scroll.saturating_sub(1)
        }
        TrainAction::Down if app.context() == Context::Reveal => {
            app.scroll = app.scroll.saturating_add(1).min(40)
        }
        TrainAction::Up => app.cursor = app.cursor.saturating_sub(1),
        TrainAction::Down => {
            let n = app.options().len();
            if app.cursor + 1 < n {
                app.cursor += 1;
            }
        }
        TrainAction::Choose => return choose(app, app.cursor),
        TrainAction::Pick(n) => {
            if (1..=app.options().len()).contains(&(n as usize)) {
                return choose(app, n as usize - 1);
            }
        }
        TrainAction::Yes => app.session.answer_notice(true),
        TrainAction::No => app.session.answer_notice(false),
        TrainAction::Next => {
            app.session.next();
            app.cursor = 0;
            app.scroll = 0;
            if app.finished() && app.recorded.is_none() {
                return vec![TrainEffect::RecordCompletion(app.session.score())];
            }
        }
        TrainAction::Help => app.help = true,
        TrainAction::Quit if !app.finished() => app.confirm_quit = true,
        TrainAction::Quit | TrainAction::Abandon => {
            app.quit = true;
            return vec![TrainEffect::Quit];
        }
        TrainAction::Stay => app.confirm_quit = false,
        TrainAction::Resize(w, h) => app.size = (w, h),
        TrainAction::Recorded(r) => app.recorded = Some(r),
    }
    vec![]
}

/// Answer the current pick question with option `i` (0-based).
fn choose(app: &mut TrainApp, i: usize) -> Vec<TrainEffect> {
    match app.session.phase() {
        Phase::Asking(Question::Part2) => {
            if let Some(s) = Part2Status::ALL.get(i) {
                app.session.answer_part2(*s);
            }
        }
        Phase::Asking(Question::Hipaa) => {
            if let Some(s) = HipaaStatus::ALL.get(i) {
                app.session.answer_hipaa(*s);
            }
        }
        Phase::Asking(Question::Outcome) => {
            if let Some(o) = Outcome::ALL.get(i) {
                app.session.answer_outcome(*o);
            }
        }
        Phase::Asking(Question::FirstNotice) => {
            if let Some(f) = First::ALL.get(i) {
                app.session.answer_first(*f);
            }
        }
        Phase::Asking(Question::Due) => {
            if let Some(d) = app.due_options().get(i) {
                app.session.answer_due(*d);
            }
        }
        _ => return vec![],
    }
    app.cursor = 0;
    vec![]
}
