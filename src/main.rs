use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Panic and error reports; installed before any terminal setup so the TUI's panic hook
    // (which restores the terminal first) chains to it.
    let _ = color_eyre::install();
    p2review::cli::run(p2review::cli::args::Cli::parse())
}
