//! Terminal lifecycle: enter once, restore from every exit path (normal quit, `?` error,
//! panic, SIGHUP/SIGTERM, a dead tty). `restore` is idempotent so each path can call it.

use std::io::{self, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::{cursor, execute, terminal};

static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Raw mode, alternate screen, hidden cursor, bracketed paste (a paste arrives as one
/// event, so a newline in it is never an Enter key). Installs the panic hook on first use: it
/// restores the terminal first, then chains to the previous hook (color-eyre's report).
pub fn enter() -> io::Result<()> {
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
    Ok(())
}

/// Undo exactly what `enter` did. Errors are ignored: after a hangup nothing can be written.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
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

/// Restores on drop, for early returns.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}
