//! The supervisor TUI's loop, on the review TUI's terminal lifecycle (`terminal::enter`,
//! the restoring guard and panic hook, the input and signal threads). The logs are
//! verified on a background thread: the screen shows progress and `q` quits meanwhile.

use std::path::PathBuf;
use std::sync::mpsc;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyEventKind};
use ratatui::crossterm::{execute, terminal as ct};

use crate::supervise::{LoadProgress, Loaded};

use super::super::app::Look;
use super::super::keymap::Key;
use super::super::runtime::{Msg, spawn_input, spawn_signals};
use super::action::SupAction;
use super::app::SupApp;
use super::keymap::lookup;
use super::update::update;

/// What wakes the loop: the terminal (input, signals) or the loader.
enum Ev {
    Ui(Msg),
    Progress(LoadProgress),
    Loaded(Box<Loaded>),
    /// The loader panicked: the session ends with this error instead of waiting forever.
    LoadFailed(String),
}

/// Loads the logs, reporting progress through the callback it is given.
pub type Loader = Box<dyn FnOnce(&mut dyn FnMut(LoadProgress)) -> Loaded + Send>;

/// Run the TUI over `paths`, verified by `load` on a background thread. Returns the
/// loaded logs, or `None` if the user quit before loading finished.
pub fn run(
    paths: &[PathBuf],
    load: Loader,
    color: bool,
    ascii: bool,
) -> Result<Option<Loaded>, String> {
    let (tx, rx) = mpsc::channel::<Ev>();
    let (ui_tx, ui_rx) = mpsc::channel::<Msg>();
    super::super::terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _guard = super::super::terminal::Guard;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let size = ct::size().unwrap_or((80, 24));
    let mut app = SupApp::loading(paths, Look { color, ascii }, size);
    spawn_input(ui_tx.clone());
    spawn_signals(ui_tx);
    let fwd = tx.clone();
    std::thread::spawn(move || {
        for m in ui_rx {
            if fwd.send(Ev::Ui(m)).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        let ptx = tx.clone();
        let run = std::panic::AssertUnwindSafe(move || {
            load(&mut |p| {
                let _ = ptx.send(Ev::Progress(p));
            })
        });
        let _ = tx.send(match std::panic::catch_unwind(run) {
            Ok(loaded) => Ev::Loaded(Box::new(loaded)),
            Err(e) => Ev::LoadFailed(loader_failure(e.as_ref())),
        });
    });
    let mut dirty = true;
    loop {
        if dirty {
            dirty = false;
            let _ = execute!(term.backend_mut(), ct::BeginSynchronizedUpdate);
            let drawn = term.draw(|f| super::view::view(&app, f)).is_ok();
            let _ = execute!(term.backend_mut(), ct::EndSynchronizedUpdate);
            if !drawn {
                return Ok(done(app));
            }
        }
        let Ok(first) = rx.recv() else {
            return Ok(done(app));
        };
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            let action = match ev {
                Ev::Loaded(l) => {
                    app.finish_loading(*l);
                    dirty = true;
                    None
                }
                Ev::Progress(p) => Some(SupAction::Progress(p)),
                Ev::LoadFailed(m) => return Err(m),
                Ev::Ui(Msg::InputGone | Msg::Signal) => return Ok(done(app)),
                Ev::Ui(Msg::Term(Event::Key(k), _)) if k.kind == KeyEventKind::Press => {
                    Key::from_event(&k).and_then(|key| lookup(app.context(), key))
                }
                Ev::Ui(Msg::Term(Event::Resize(w, h), _)) => Some(SupAction::Resize(w, h)),
                _ => None,
            };
            if let Some(a) = action {
                update(&mut app, a);
                dirty = true;
            }
            if app.quit {
                return Ok(done(app));
            }
        }
    }
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
