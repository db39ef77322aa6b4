//! The supervisor TUI's loop, on the review TUI's terminal lifecycle (`terminal::enter`,
//! the restoring guard and panic hook, the input and signal threads).

use std::sync::mpsc;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyEventKind};
use ratatui::crossterm::{execute, terminal as ct};

use crate::supervise::Loaded;

use super::super::app::Look;
use super::super::keymap::Key;
use super::super::runtime::{Msg, spawn_input, spawn_signals};
use super::action::SupAction;
use super::app::SupApp;
use super::keymap::lookup;
use super::update::update;

pub fn run(loaded: Loaded, color: bool, ascii: bool) -> Result<(), String> {
    let (tx, rx) = mpsc::channel::<Msg>();
    super::super::terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _guard = super::super::terminal::Guard;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let size = ct::size().unwrap_or((80, 24));
    let mut app = SupApp::new(loaded, Look { color, ascii }, size);
    spawn_input(tx.clone());
    spawn_signals(tx);
    let mut dirty = true;
    loop {
        if dirty {
            dirty = false;
            let _ = execute!(term.backend_mut(), ct::BeginSynchronizedUpdate);
            let drawn = term.draw(|f| super::view::view(&app, f)).is_ok();
            let _ = execute!(term.backend_mut(), ct::EndSynchronizedUpdate);
            if !drawn {
                return Ok(());
            }
        }
        let Ok(first) = rx.recv() else { return Ok(()) };
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            let action = match msg {
                Msg::InputGone | Msg::Signal => return Ok(()),
                Msg::Term(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                    Key::from_event(&k).and_then(|key| lookup(app.context(), key))
                }
                Msg::Term(Event::Resize(w, h)) => Some(SupAction::Resize(w, h)),
                _ => None,
            };
            if let Some(a) = action {
                update(&mut app, a);
                dirty = true;
            }
            if app.quit {
                return Ok(());
            }
        }
    }
}
