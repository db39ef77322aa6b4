//! The supervisor screen as the shell runs it. The logs are verified on a background
//! thread that reports progress and the result as actions: the screen shows progress and
//! `q` quits meanwhile.

use std::path::PathBuf;

use ratatui::Frame;

use crate::supervise::{LoadProgress, Loaded};
use crate::tui::shell::{self, Input, Keymap, Screen};
use crate::tui::theme::Look;

use super::action::{LoadedLogs, SupAction};
use super::app::SupApp;
use super::keymap::{KEYMAP, SupContext};
use super::update::update;

/// Loads the logs, reporting progress through the callback it is given.
pub type Loader = Box<dyn FnOnce(&mut dyn FnMut(LoadProgress)) -> Loaded + Send>;

/// The supervisor screen: its state and whether it changed since the last frame.
pub struct SupScreen {
    pub app: SupApp,
    pub dirty: bool,
}

impl Screen for SupScreen {
    type Action = SupAction;
    type Context = SupContext;

    fn keymap(&self) -> &Keymap<SupContext, SupAction> {
        &KEYMAP
    }

    fn context(&self) -> SupContext {
        self.app.context()
    }

    fn translate(&self, input: Input) -> Option<SupAction> {
        match input {
            Input::Resize(w, h) => Some(SupAction::Resize(w, h)),
            Input::Scroll(n) => Some(SupAction::Scroll(n)),
            Input::Click { row, .. } => Some(SupAction::Click(row)),
            Input::Paste(_) | Input::Tick => None,
        }
    }

    fn dispatch(&mut self, action: SupAction) {
        update(&mut self.app, action);
        self.dirty = true;
    }

    fn view(&self, f: &mut Frame) {
        super::view::view(&self.app, f);
    }

    fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn outcome(&mut self) -> Option<Result<(), String>> {
        if let Some(m) = &self.app.failure {
            return Some(Err(m.clone()));
        }
        self.app.quit.then_some(Ok(()))
    }
}

/// Run the TUI over `paths`, verified by `load` on a background thread. Returns the
/// loaded logs, or `None` if the user quit before loading finished.
pub fn run(
    paths: &[PathBuf],
    load: Loader,
    look: Look,
    shell_opts: shell::Options,
) -> Result<Option<Loaded>, String> {
    let (outbox, inbox) = shell::channel::<SupAction>();
    let app = SupApp::loading(paths, look, (shell::MIN_W, shell::MIN_H));
    std::thread::spawn(move || {
        let progress = outbox.clone();
        let run = std::panic::AssertUnwindSafe(move || {
            load(&mut |p| {
                progress.send(SupAction::Progress(p));
            })
        });
        outbox.send(match std::panic::catch_unwind(run) {
            Ok(loaded) => SupAction::Loaded(LoadedLogs(Box::new(loaded))),
            Err(e) => SupAction::LoadFailed(loader_failure(e.as_ref())),
        });
    });
    let mut screen = SupScreen { app, dirty: true };
    shell::run(&mut screen, inbox, shell_opts)?;
    Ok(done(screen.app))
}

/// The message for a loader that panicked (an internal error: nothing was verified).
pub fn loader_failure(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!(
        "verifying the logs failed with an internal error ({}); nothing was verified — run `p2review log verify` on each log and report this",
        crate::text::escape(&what)
    )
}

/// The loaded logs, unless loading never finished.
fn done(app: SupApp) -> Option<Loaded> {
    app.loading.is_none().then_some(app.loaded)
}
