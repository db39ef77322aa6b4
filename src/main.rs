use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = p2review::cli::args::Cli::parse();
    // Panic and error reports; installed before any terminal setup so the TUI's panic hook
    // (which restores the terminal first) chains to it. No colour escapes when the user
    // asked for none (`--no-color`, NO_COLOR) or stderr is not a terminal.
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let plain = cli.global.no_color || no_color_env || !std::io::stderr().is_terminal();
    let hook = color_eyre::config::HookBuilder::default();
    let hook = if plain {
        hook.theme(color_eyre::config::Theme::new())
    } else {
        hook
    };
    let _ = hook.install();
    // Debug builds only: the test of the panic report's colours.
    if cfg!(debug_assertions) && std::env::var_os("P2REVIEW_TEST_PANIC_AT_START").is_some() {
        panic!("test panic requested with P2REVIEW_TEST_PANIC_AT_START");
    }
    match p2review::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        // The one place a closed pipe (`… | head -1`) is handled: the reader has what it
        // wanted, so the run succeeded.
        Err(e) if p2review::cli::is_broken_pipe(&e) => ExitCode::from(p2review::cli::exit::OK),
        Err(e) => {
            eprintln!("p2review: error: {}", p2review::cli::error_line(e));
            ExitCode::from(p2review::cli::exit::ERROR)
        }
    }
}
