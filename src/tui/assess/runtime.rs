//! The assessment dialog as the shell runs it. It has no effects: the command records what
//! it returns.

use ratatui::Frame;

use crate::incident::assess::AssessmentInput;
use crate::tui::shell::{self, Input, Keymap, Screen};

use super::action::AssessAction;
use super::app::AssessApp;
use super::keymap::Context;
use super::update::update;

pub struct AssessScreen {
    pub app: AssessApp,
    pub dirty: bool,
}

impl Screen for AssessScreen {
    type Action = AssessAction;
    type Context = Context;

    fn keymap(&self) -> &Keymap<Context, AssessAction> {
        &self.app.keymap
    }

    fn context(&self) -> Context {
        self.app.context()
    }

    fn translate(&self, input: Input) -> Option<AssessAction> {
        match input {
            Input::Resize(w, h) => Some(AssessAction::Resize(w, h)),
            Input::Paste(s) => Some(AssessAction::Paste(s)),
            Input::Scroll(_) | Input::Click { .. } | Input::Tick => None,
        }
    }

    fn dispatch(&mut self, action: AssessAction) {
        self.dirty = true;
        update(&mut self.app, action);
    }

    fn view(&self, f: &mut Frame) {
        super::view::view(&self.app, f);
    }

    fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn outcome(&mut self) -> Option<Result<(), String>> {
        self.app.done.as_ref().map(|_| Ok(()))
    }
}

/// Run the dialog; `Some(input)` when the assessor recorded, `None` when they left.
pub fn run(app: AssessApp, opts: shell::Options) -> Result<Option<AssessmentInput>, String> {
    let (_outbox, inbox) = shell::channel::<AssessAction>();
    let mut screen = AssessScreen { app, dirty: true };
    shell::run(&mut screen, inbox, opts)?;
    Ok(screen.app.done.unwrap_or(None))
}
