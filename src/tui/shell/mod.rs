//! The one TUI shell that runs every screen (`review`, `log review`, `train`): terminal
//! set-up and restore, the input, signal and tick threads, resize, the "terminal too small"
//! state, bracketed paste, mouse, Ctrl-Z, and render coalescing (drain everything pending,
//! then draw once if something changed, inside synchronized output).
//!
//! A screen supplies a [`Screen`]: its keymap (data, [`keymap::Keymap`]), the context that
//! has the keyboard, how shell events become its actions, `dispatch` (its `update` plus its
//! effects) and a pure `view`. Its own state changes only in its `update`.

pub mod keymap;
pub mod terminal;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::crossterm::{execute, terminal as ct};
use ratatui::{Frame, Terminal};

pub use keymap::{Binding, Key, Keymap, SHELL_KEYS};

/// The minimum size with full function (docs/cli.md#review); below it only the "terminal
/// too small" message shows and only `q`/Ctrl-C act.
pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// Below the minimum size.
pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_W || size.1 < MIN_H
}

/// How often an idle shell sends [`Input::Tick`] (screens use it to poll files).
pub const TICK: Duration = Duration::from_millis(500);

/// Shell events other than key presses, for a screen to turn into its actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Resize(u16, u16),
    /// Bracketed paste: text for the field being edited, never keys.
    Paste(String),
    /// The wheel (`lines` > 0 down, < 0 up) or a left click at a cell.
    Scroll(i16),
    Click {
        column: u16,
        row: u16,
    },
    /// Every [`TICK`] while running.
    Tick,
}

/// One screen of the TUI, run by [`run`].
pub trait Screen {
    /// What can happen on this screen; background work reports back with it too.
    type Action: Clone + Send + 'static;
    /// Which part of the screen has the keyboard (a "too small" context binds only quitting).
    type Context: Copy + PartialEq;

    fn keymap(&self) -> &Keymap<Self::Context, Self::Action>;
    fn context(&self) -> Self::Context;
    /// A shell event as this screen's action (`None`: ignored).
    fn translate(&self, input: Input) -> Option<Self::Action>;
    /// The key handled next was read when `frame` frames had been flushed (the screen's
    /// typed-ahead guard compares it with the frame that first showed a confirm step).
    fn key_read(&mut self, _frame: u64) {}
    /// Frame number `frame` is on the terminal.
    fn flushed(&mut self, _frame: u64) {}
    /// `update` plus the effects it asks for, until quiet.
    fn dispatch(&mut self, action: Self::Action);
    /// Pure drawing.
    fn view(&self, f: &mut Frame);
    /// Something changed since the last frame (and forget it).
    fn take_dirty(&mut self) -> bool;
    /// `Some` when the session is over: `Ok` for a normal end, `Err` for a failure.
    fn outcome(&mut self) -> Option<Result<(), String>>;
}

/// What wakes the loop.
pub enum Msg<A> {
    /// A terminal event and the number of frames flushed when it was read.
    Term(Event, u64),
    /// The terminal went away (read error): end the session.
    InputGone,
    /// SIGHUP, SIGTERM or SIGQUIT.
    Signal,
    Tick,
    /// Background work of the screen reporting back.
    Action(A),
}

/// Where a screen's background work sends its actions.
pub struct Outbox<A>(Sender<Msg<A>>);

impl<A> Clone for Outbox<A> {
    fn clone(&self) -> Self {
        Outbox(self.0.clone())
    }
}

impl<A> Outbox<A> {
    /// False once the shell has ended (stop working then).
    pub fn send(&self, action: A) -> bool {
        self.0.send(Msg::Action(action)).is_ok()
    }
}

/// The receiving end, handed to [`run`].
pub struct Inbox<A> {
    rx: Receiver<Msg<A>>,
    tx: Sender<Msg<A>>,
}

/// A channel for one session: the screen's background work gets the [`Outbox`].
pub fn channel<A>() -> (Outbox<A>, Inbox<A>) {
    let (tx, rx) = mpsc::channel();
    (Outbox(tx.clone()), Inbox { rx, tx })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Capture the mouse (wheel, clicks). Off (`--no-mouse`) leaves the terminal's own
    /// text selection as it is, which SSH users copying ids may prefer.
    pub mouse: bool,
}

/// Run `screen` until its [`Screen::outcome`] says it is over, the terminal goes away or a
/// signal arrives. The terminal is restored on every path (and on panic by the hook).
pub fn run<S: Screen>(screen: &mut S, inbox: Inbox<S::Action>, opts: Options) -> Result<(), String>
where
    S::Action: Send,
{
    terminal::enter(opts.mouse).map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _guard = terminal::Guard;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let frames = Arc::new(AtomicU64::new(0));
    spawn_input(inbox.tx.clone(), frames.clone());
    spawn_signals(inbox.tx.clone());
    spawn_ticks(inbox.tx.clone());
    let mut size = ct::size().unwrap_or((MIN_W, MIN_H));
    if let Some(a) = screen.translate(Input::Resize(size.0, size.1)) {
        screen.dispatch(a);
    }
    let mut redraw = true;
    loop {
        if let Some(outcome) = screen.outcome() {
            return outcome;
        }
        if screen.take_dirty() || redraw {
            redraw = false;
            let _ = execute!(term.backend_mut(), ct::BeginSynchronizedUpdate);
            let drawn = term.draw(|f| screen.view(f)).is_ok();
            let _ = execute!(term.backend_mut(), ct::EndSynchronizedUpdate);
            if !drawn {
                return Ok(()); // The terminal is gone (hangup).
            }
            let n = frames.fetch_add(1, Ordering::SeqCst) + 1;
            screen.flushed(n);
        }
        let Ok(first) = inbox.rx.recv() else {
            return Ok(());
        };
        // Drain everything pending before drawing again: no key-repeat backlog.
        for msg in std::iter::once(first).chain(inbox.rx.try_iter()) {
            match msg {
                Msg::InputGone | Msg::Signal => return Ok(()),
                Msg::Term(Event::Key(k), frame) if k.kind == KeyEventKind::Press => {
                    let Some(key) = Key::from_event(&k) else {
                        continue;
                    };
                    test_panic(key);
                    if key == Key::Ctrl('z') && !too_small(size) {
                        let back = |e: std::io::Error| {
                            format!("cannot take the terminal back after Ctrl-Z: {e}")
                        };
                        terminal::suspend(opts.mouse).map_err(back)?;
                        // A fresh terminal has empty buffers, so the next frame is drawn in
                        // full (`Terminal::clear` would ask the tty for the cursor position
                        // while the input thread is reading it).
                        term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
                            .map_err(back)?;
                        redraw = true;
                        continue;
                    }
                    if let Some(a) = screen.keymap().lookup(screen.context(), key) {
                        screen.key_read(frame);
                        screen.dispatch(a);
                    }
                }
                Msg::Term(ev, _) => {
                    let input = match ev {
                        Event::Resize(w, h) => {
                            size = (w, h);
                            Some(Input::Resize(w, h))
                        }
                        // Below the minimum size nothing is visible: only keys q/Ctrl-C act.
                        _ if too_small(size) => None,
                        Event::Paste(text) => Some(Input::Paste(text)),
                        Event::Mouse(m) => match m.kind {
                            MouseEventKind::ScrollDown => Some(Input::Scroll(1)),
                            MouseEventKind::ScrollUp => Some(Input::Scroll(-1)),
                            MouseEventKind::Down(MouseButton::Left) => Some(Input::Click {
                                column: m.column,
                                row: m.row,
                            }),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(a) = input.and_then(|i| screen.translate(i)) {
                        screen.dispatch(a);
                    }
                }
                Msg::Tick => {
                    if let Some(a) = screen.translate(Input::Tick) {
                        screen.dispatch(a);
                    }
                }
                Msg::Action(a) => screen.dispatch(a),
            }
            if screen.outcome().is_some() {
                break;
            }
        }
    }
}

/// Debug builds only: with `P2REVIEW_TEST_PANIC_KEY` set, `P` panics, so the PTY
/// test can check that the panic hook restores the terminal before the report prints.
fn test_panic(key: Key) {
    if cfg!(debug_assertions)
        && key == Key::Char('P')
        && std::env::var_os("P2REVIEW_TEST_PANIC_KEY").is_some()
    {
        panic!("test panic requested with P2REVIEW_TEST_PANIC_KEY");
    }
}

/// Reads terminal events, stamping each with the frames flushed when it was read.
fn spawn_input<A: Send + 'static>(tx: Sender<Msg<A>>, frames: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(ev) => Msg::Term(ev, frames.load(Ordering::SeqCst)),
                Err(_) => Msg::InputGone,
            };
            let gone = matches!(msg, Msg::InputGone);
            if tx.send(msg).is_err() || gone {
                return;
            }
        }
    });
}

fn spawn_signals<A: Send + 'static>(tx: Sender<Msg<A>>) {
    use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGQUIT]) {
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Msg::Signal);
            }
        });
    }
}

fn spawn_ticks<A: Send + 'static>(tx: Sender<Msg<A>>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(TICK);
            if tx.send(Msg::Tick).is_err() {
                return;
            }
        }
    });
}
