//! The practice screen as the shell runs it. Its one effect, the completion record, is
//! carried out here through the caller's `record` function.

use ratatui::Frame;

use crate::training::Score;
use crate::tui::shell::{self, Input, Keymap, Screen};

use super::action::{TrainAction, TrainEffect};
use super::app::TrainApp;
use super::keymap::Context;
use super::update::update;

/// The practice screen: its state, the recorder and whether it changed since the last frame.
pub struct TrainScreen<R> {
    pub app: TrainApp,
    pub record: R,
    pub dirty: bool,
}

impl<R: FnMut(Score) -> Result<String, String>> Screen for TrainScreen<R> {
    type Action = TrainAction;
    type Context = Context;

    fn keymap(&self) -> &Keymap<Context, TrainAction> {
        &self.app.keymap
    }

    fn context(&self) -> Context {
        self.app.context()
    }

    fn translate(&self, input: Input) -> Option<TrainAction> {
        match input {
            Input::Resize(w, h) => Some(TrainAction::Resize(w, h)),
            Input::Paste(_) | Input::Scroll(_) | Input::Click { .. } | Input::Tick => None,
        }
    }

    fn dispatch(&mut self, action: TrainAction) {
        self.dirty = true;
        let mut pending = std::collections::VecDeque::from([action]);
        while let Some(a) = pending.pop_front() {
            for eff in update(&mut self.app, a) {
                match eff {
                    TrainEffect::RecordCompletion(score) => {
                        pending.push_back(TrainAction::Recorded((self.record)(score)))
                    }
                    TrainEffect::Quit => {}
                }
            }
        }
    }

    fn view(&self, f: &mut Frame) {
        super::view::view(&self.app, f);
    }

    fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn outcome(&mut self) -> Option<Result<(), String>> {
        self.app.quit.then_some(Ok(()))
    }
}

/// Run `app` until the trainee quits. `record` signs and appends the completion record and
/// returns where it went. Returns the app in its final state.
pub fn run(
    app: TrainApp,
    opts: shell::Options,
    record: impl FnMut(Score) -> Result<String, String>,
) -> Result<TrainApp, String> {
    let (_outbox, inbox) = shell::channel::<TrainAction>();
    let mut screen = TrainScreen {
        app,
        record,
        dirty: true,
    };
    shell::run(&mut screen, inbox, opts)?;
    Ok(screen.app)
}
