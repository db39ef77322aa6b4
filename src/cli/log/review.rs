//! `p2review log review`: the supervisor TUI over verified logs (read-only).

use color_eyre::eyre;

use super::super::Ctx;
use super::super::args::LogReviewArgs;
use crate::supervise::load_logs_progress;

pub fn run(ctx: &Ctx, a: &LogReviewArgs) -> eyre::Result<u8> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eyre::bail!(
            "`log review` needs an interactive terminal; for scripts use `p2review log show --format csv|json`"
        );
    }
    let (logs, opts, checkpoints) = super::sources(
        ctx,
        super::super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &[],
    )?;
    let threads = super::verify_threads();
    let paths = logs.clone();
    let load: crate::tui::supervisor::runtime::Loader = Box::new(move |progress| {
        // Debug builds only: the PTY test of a loader that panics.
        if cfg!(debug_assertions) && std::env::var_os("P2REVIEW_TEST_PANIC_LOADER").is_some() {
            panic!("test panic requested with P2REVIEW_TEST_PANIC_LOADER");
        }
        load_logs_progress(&paths, &opts, &checkpoints, threads, &|_| true, progress)
    });
    let look = crate::tui::Look {
        color: ctx.color,
        ascii: ctx.ascii,
    };
    let loaded =
        crate::tui::supervisor::run(&logs, load, look, ctx.shell()).map_err(eyre::Report::msg)?;
    // After the session: the same exit code `log show` gives for every entry.
    match loaded {
        Some(l) => Ok(l.exit_code(&l.records)),
        None => {
            // Quit while verifying: there is no result to report, and 0 would claim one.
            eprintln!(
                "log review: quit before every log was verified; run `p2review log verify` for a result"
            );
            Ok(2)
        }
    }
}
