//! The one TUI shell that runs every screen (`review`, `log review`, `train`): terminal
//! set-up and restore, the input, signal and tick threads, resize, the "terminal too small"
//! state, bracketed paste, mouse, Ctrl-Z, and render coalescing (drain everything pending,
//! then draw once if something changed, inside synchronized output).
//!
//! A screen supplies a [`Screen`]: its keymap (data, [`keymap::Keymap`]), the context that
//! has the keyboard, how shell events become its actions, `dispatch` (its `update` plus its
//! effects) and a pure `view`. Its own state changes only in its `update`.

pub mod keymap;
pub(crate) mod terminal;

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
            match handle(screen, msg, &mut size) {
                Flow::Go => {}
                Flow::End => return Ok(()),
                Flow::Suspend => {
                    let back = |e: std::io::Error| {
                        format!("cannot take the terminal back after Ctrl-Z: {e}")
                    };
                    terminal::suspend(opts.mouse).map_err(back)?;
                    // A fresh terminal has empty buffers, so the next frame is drawn in
                    // full (`Terminal::clear` would ask the tty for the cursor position
                    // while the input thread is reading it).
                    term = Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(back)?;
                    redraw = true;
                }
            }
            if screen.outcome().is_some() {
                break;
            }
        }
    }
}

/// What the loop does after one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    /// Ctrl-Z: give the terminal back and stop until continued.
    Suspend,
    /// The terminal went away or a signal asked to end.
    End,
}

/// One message into the screen: keys through its keymap (stamped with the frame they were
/// read in), other terminal events through [`Screen::translate`]. Below the minimum size
/// only keys reach the screen (whose "too small" context binds nothing but quitting) and
/// Ctrl-Z does nothing. `size` follows resizes.
pub fn handle<S: Screen>(screen: &mut S, msg: Msg<S::Action>, size: &mut (u16, u16)) -> Flow {
    match msg {
        Msg::InputGone | Msg::Signal => return Flow::End,
        Msg::Term(Event::Key(k), frame) if k.kind == KeyEventKind::Press => {
            let Some(key) = Key::from_event(&k) else {
                return Flow::Go;
            };
            test_panic(key);
            if key == Key::Ctrl('z') {
                return if too_small(*size) {
                    Flow::Go
                } else {
                    Flow::Suspend
                };
            }
            if let Some(a) = screen.keymap().lookup(screen.context(), key) {
                screen.key_read(frame);
                screen.dispatch(a);
            }
        }
        Msg::Term(ev, _) => {
            let input = match ev {
                Event::Resize(w, h) => {
                    *size = (w, h);
                    Some(Input::Resize(w, h))
                }
                // Below the minimum size nothing is visible: only keys q/Ctrl-C act.
                _ if too_small(*size) => None,
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
    Flow::Go
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

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Ctx {
        List,
        Small,
    }

    /// A screen that writes down what reached it.
    struct Probe {
        km: Keymap<Ctx, String>,
        size: (u16, u16),
        seen: Vec<String>,
    }

    impl Screen for Probe {
        type Action = String;
        type Context = Ctx;
        fn keymap(&self) -> &Keymap<Ctx, String> {
            &self.km
        }
        fn context(&self) -> Ctx {
            if too_small(self.size) {
                Ctx::Small
            } else {
                Ctx::List
            }
        }
        fn translate(&self, input: Input) -> Option<String> {
            Some(format!("{input:?}"))
        }
        fn key_read(&mut self, frame: u64) {
            self.seen.push(format!("read@{frame}"));
        }
        fn dispatch(&mut self, action: String) {
            if let Some(size) = action.strip_prefix("Resize(") {
                let (w, h) = size.trim_end_matches(')').split_once(", ").unwrap();
                self.size = (w.parse().unwrap(), h.parse().unwrap());
            }
            self.seen.push(action);
        }
        fn view(&self, _f: &mut Frame) {}
        fn take_dirty(&mut self) -> bool {
            false
        }
        fn outcome(&mut self) -> Option<Result<(), String>> {
            None
        }
    }

    fn probe() -> Probe {
        let mut km = Keymap::new(|_, _| None);
        km.bind(
            &[Ctx::List],
            Key::Char('a'),
            "approve".to_owned(),
            "approve",
        );
        km.bind(
            &[Ctx::List, Ctx::Small],
            Key::Char('q'),
            "quit".to_owned(),
            "quit",
        );
        Probe {
            km,
            size: (80, 24),
            seen: Vec::new(),
        }
    }

    fn key(c: char, ctrl: bool) -> Msg<String> {
        let m = if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        Msg::Term(Event::Key(KeyEvent::new(KeyCode::Char(c), m)), 7)
    }

    fn scroll() -> Msg<String> {
        Msg::Term(
            Event::Mouse(MouseEvent {
                kind: MouseEventKind::ScrollDown,
                column: 1,
                row: 1,
                modifiers: KeyModifiers::NONE,
            }),
            0,
        )
    }

    #[test]
    fn keys_go_through_the_keymap_stamped_with_their_frame() {
        let (mut p, mut size) = (probe(), (80, 24));
        assert_eq!(handle(&mut p, key('a', false), &mut size), Flow::Go);
        assert_eq!(handle(&mut p, key('x', false), &mut size), Flow::Go);
        assert_eq!(p.seen, ["read@7", "approve"]);
        assert_eq!(handle(&mut p, key('z', true), &mut size), Flow::Suspend);
        assert_eq!(handle(&mut p, Msg::Signal, &mut size), Flow::End);
        assert_eq!(handle(&mut p, Msg::InputGone, &mut size), Flow::End);
    }

    #[test]
    fn too_small_lets_only_quitting_through() {
        let (mut p, mut size) = (probe(), (80, 24));
        handle(&mut p, Msg::Term(Event::Resize(40, 10), 0), &mut size);
        assert_eq!(size, (40, 10));
        p.seen.clear();
        handle(&mut p, key('a', false), &mut size);
        handle(&mut p, Msg::Term(Event::Paste("a\nb".into()), 0), &mut size);
        handle(&mut p, scroll(), &mut size);
        assert_eq!(handle(&mut p, key('z', true), &mut size), Flow::Go);
        assert!(p.seen.is_empty(), "{:?}", p.seen);
        handle(&mut p, key('q', false), &mut size);
        assert_eq!(p.seen, ["read@7", "quit"]);
        // Big enough again: paste and the wheel reach the screen.
        handle(&mut p, Msg::Term(Event::Resize(80, 24), 0), &mut size);
        handle(&mut p, Msg::Term(Event::Paste("a\nb".into()), 0), &mut size);
        handle(&mut p, scroll(), &mut size);
        assert_eq!(&p.seen[3..], ["Paste(\"a\\nb\")", "Scroll(1)"]);
    }
}
