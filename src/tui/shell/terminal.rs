//! Terminal lifecycle: enter once, restore from every exit path (normal quit, `?` error,
//! panic, SIGHUP/SIGTERM, a dead tty, Ctrl-Z). `restore` is idempotent and undoes exactly
//! what `enter` enabled, so each path can call it.

use std::io::{self, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::{cursor, execute, terminal};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Raw mode, alternate screen, hidden cursor, bracketed paste (a paste arrives as one
/// event, so a newline in it is never an Enter key) and, with `mouse`, mouse capture (the
/// wheel and clicks reach the screen; the terminal's own text selection then needs Shift).
/// Installs the panic hook on first use: it restores the terminal first, then chains to
/// the previous hook (color-eyre's report).
pub fn enter(mouse: bool) -> io::Result<()> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        cursor::Hide,
        EnableBracketedPaste
    )?;
    if mouse {
        MOUSE.store(true, Ordering::SeqCst);
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Undo exactly what `enter` did. Errors are ignored: after a hangup nothing can be written.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        if MOUSE.swap(false, Ordering::SeqCst) {
            let _ = execute!(out, DisableMouseCapture);
        }
        let _ = execute!(
            out,
            DisableBracketedPaste,
            terminal::LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// Ctrl-Z (raw mode turns it into a key): give the terminal back, stop the process as the
/// shell's job control expects (SIGTSTP), and take the terminal again once continued
/// (`fg` sends SIGCONT). The caller redraws everything afterwards.
pub fn suspend(mouse: bool) -> io::Result<()> {
    restore();
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    enter(mouse)
}

/// Restores on drop, for early returns.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}
