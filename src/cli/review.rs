//! `p2review review [QUEUE] [--log PATH] [--as-of DATE]`: the interactive TUI. Without
//! QUEUE, the bundled sample queue in demo mode (demo log, the screen says DEMO).

use color_eyre::eyre;

use super::Ctx;
use super::args::*;

/// The bundled sample queue for demo mode.
#[cfg(feature = "tui")]
pub const SAMPLE_QUEUE: &str = include_str!("../../sample_data/queue.yaml");

#[cfg(not(feature = "tui"))]
pub fn run(_ctx: &Ctx, _args: &ReviewArgs) -> eyre::Result<u8> {
    eyre::bail!(
        "this build has no terminal UI (feature `tui`); use `p2review evaluate` and `p2review decide`"
    )
}

#[cfg(feature = "tui")]
pub fn run(ctx: &Ctx, args: &ReviewArgs) -> eyre::Result<u8> {
    use std::io::IsTerminal;
    use std::sync::Arc;

    use crate::engine::Engine;
    use crate::log::{Recorder, Signer, keys::demo_signer};
    use crate::queue::LoadedQueue;
    use crate::tui::{EvalFn, Loader, Look, RunOptions, SignedLogSink, log_sink};

    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eyre::bail!(
            "`review` needs an interactive terminal; for scripts use `p2review evaluate` and `p2review decide`"
        );
    }
    let demo = args.queue.is_none();
    // Fail before touching the terminal when the policies are unusable.
    let engine: &'static Engine = Box::leak(Box::new(
        Engine::load(ctx.global.policy.as_deref()).map_err(eyre::Report::msg)?,
    ));
    let queue_path = args.queue.clone();
    let as_of_flag = args.as_of;
    let loader: Loader = Arc::new(move || {
        let loaded = match &queue_path {
            Some(p) => crate::queue::load_path(p).map_err(|e| e.to_string())?,
            None => demo_queue()?,
        };
        let as_of = as_of_flag
            .or(loaded.queue.as_of)
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let ev = engine.for_date(as_of).map_err(|e| e.to_string())?;
        let f: EvalFn = Arc::new(move |q, ix, d| ev.evaluate(q, ix, d));
        Ok::<(Arc<LoadedQueue>, EvalFn), String>((Arc::new(loaded), f))
    });
    // Demo mode ignores P2REVIEW_TEAM (docs/team.md).
    let team = match super::team::spec(&args.team) {
        Some(t) if !demo => {
            if args.log.is_some() {
                eyre::bail!(
                    "--log cannot be combined with --team (or P2REVIEW_TEAM): in a team your log is the team's logs/<principal>.jsonl; drop one of them"
                );
            }
            Some(Arc::<dyn crate::team::TeamStore>::from(super::team::open(
                t,
            )?))
        }
        _ => None,
    };
    let log = args.log.clone().unwrap_or_else(|| {
        if demo {
            ctx.data.demo_log()
        } else {
            ctx.data.decisions_log()
        }
    });
    // Demo mode signs with its own key, created on first use; production needs the
    // reviewer's key (`p2review key init`). Both are checked before the screen opens.
    let signer = if demo {
        demo_signer(&ctx.data.demo_key())?
    } else {
        Signer::load(&ctx.data.signing_key())?
    };
    let training_notice = if demo {
        None
    } else {
        training_notice(ctx, engine, signer.principal(), args.as_of)
    };
    let log = match &team {
        Some(store) => crate::team::record::team_log(store.as_ref(), &signer, &ctx.data)
            .map_err(eyre::Report::msg)?,
        None => log,
    };
    let recorder = Recorder::open(&ctx.data, &log, log_sink::kind_for(demo), signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let mut sink = SignedLogSink::new(recorder, if demo { "demo log" } else { "log" })
        .announce(ctx.data.root());
    if let Some(store) = team {
        sink = sink.with_team(store)?;
    }
    crate::tui::run(RunOptions {
        demo,
        look: Look {
            color: ctx.color,
            ascii: ctx.ascii,
        },
        sink: Box::new(sink),
        loader,
        attachments_dir: ctx.data.root().join("attachments"),
        watch: args.queue.clone(),
        training_notice,
        shell: ctx.shell(),
    })
    .map_err(eyre::Report::msg)?;
    Ok(super::exit::OK)
}

/// The reviewer's own training status (docs/cli.md#train-status) from the data dir's training log, as of
/// the review date: a header notice when not current. Problems reading it never block review.
#[cfg(feature = "tui")]
fn training_notice(
    ctx: &Ctx,
    engine: &crate::engine::Engine,
    principal: &str,
    as_of: Option<chrono::NaiveDate>,
) -> Option<String> {
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let ev = engine.for_date(as_of).ok()?;
    let opts = crate::log::verify::VerifyOptions {
        trust: super::log::trust(ctx, None).ok()?,
        checkpoints: Vec::new(),
        heads_dir: Some(ctx.data.heads_dir()),
    };
    crate::training::own_training_notice(
        &ctx.data.training_log(),
        &opts,
        principal,
        as_of,
        ev.part2_policy(),
    )
}

/// The bundled sample queue, loaded like a file.
#[cfg(feature = "tui")]
fn demo_queue() -> Result<crate::queue::LoadedQueue, String> {
    let origin = "bundled sample queue (sample_data/queue.yaml)";
    let queue =
        crate::queue::load_bytes(SAMPLE_QUEUE.as_bytes(), origin).map_err(|e| e.to_string())?;
    let index = crate::queue::QueueIndex::build(&queue);
    Ok(crate::queue::LoadedQueue {
        path: origin.into(),
        queue,
        index,
        sha256: crate::digest::sha256_hex(SAMPLE_QUEUE.as_bytes()),
    })
}

#[cfg(all(test, feature = "tui"))]
mod tests {
    #[test]
    fn the_bundled_sample_loads_with_at_least_ten_disclosures() {
        let q = super::demo_queue().unwrap();
        assert!(q.queue.disclosures.len() >= 10);
    }
}
