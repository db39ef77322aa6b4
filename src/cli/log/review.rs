//! `p2review log review`: the supervisor TUI over verified logs (read-only).

use color_eyre::eyre;

use super::super::Ctx;
use super::super::args::LogReviewArgs;
use crate::supervise::load_logs;

pub fn run(ctx: &Ctx, a: &LogReviewArgs) -> eyre::Result<u8> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eyre::bail!(
            "`log review` needs an interactive terminal; for scripts use `p2review log show --format csv|json`"
        );
    }
    let logs = super::logs_or_default(ctx, &a.logs);
    let (opts, checkpoints) = super::verify_options(ctx, a.allowed_signers.as_deref(), &[])?;
    let loaded = load_logs(&logs, &opts, &checkpoints, super::verify_threads());
    // After the session: the same exit code `log show` gives for every entry.
    let code = loaded.exit_code(&loaded.records);
    crate::tui::supervisor::run(loaded, ctx.color, ctx.global.ascii).map_err(eyre::Report::msg)?;
    Ok(code)
}
