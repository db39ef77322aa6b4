//! The practice runtime: terminal events and signals feed one channel; effects are carried
//! out here (the completion record through the caller's `record` function). Terminal set-up
//! and restore are the review TUI's (`tui::terminal`): quit, error, panic, SIGHUP/SIGTERM.

use std::sync::mpsc;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::terminal as ct;

use super::super::keymap::Key;
use super::app::{TrainAction, TrainApp, TrainEffect, update};
use crate::training::Score;

enum Msg {
    Term(Event),
    Gone,
}

/// Run `app` until the trainee quits. `record` signs and appends the completion record and
/// returns where it went. Returns the app in its final state.
pub fn run(
    mut app: TrainApp,
    mut record: impl FnMut(Score) -> Result<String, String>,
) -> Result<TrainApp, String> {
    let (tx, rx) = mpsc::channel::<Msg>();
    super::super::terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _guard = super::super::terminal::Guard;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    app.size = ct::size().unwrap_or((80, 24));
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                let msg = event::read().map_or(Msg::Gone, Msg::Term);
                let gone = matches!(msg, Msg::Gone);
                if tx.send(msg).is_err() || gone {
                    return;
                }
            }
        });
    }
    {
        use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGQUIT]) {
            let tx = tx.clone();
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    let _ = tx.send(Msg::Gone);
                }
            });
        }
    }
    let mut dirty = true;
    loop {
        if dirty {
            dirty = false;
            if term.draw(|f| super::view::view(&app, f)).is_err() {
                return Ok(app);
            }
        }
        let Ok(msg) = rx.recv() else { return Ok(app) };
        let action = match msg {
            Msg::Gone => return Ok(app),
            Msg::Term(Event::Resize(w, h)) => Some(TrainAction::Resize(w, h)),
            Msg::Term(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                Key::from_event(&k).and_then(|key| app.keymap.lookup(app.context(), key))
            }
            Msg::Term(_) => None,
        };
        let Some(action) = action else { continue };
        dirty = true;
        let mut pending = std::collections::VecDeque::from([action]);
        while let Some(a) = pending.pop_front() {
            for eff in update(&mut app, a) {
                match eff {
                    TrainEffect::RecordCompletion(score) => {
                        pending.push_back(TrainAction::Recorded(record(score)))
                    }
                    TrainEffect::Quit => {}
                }
            }
        }
        if app.quit {
            return Ok(app);
        }
    }
}
