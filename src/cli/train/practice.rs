//! `p2review train [PACK] [--pass-mark N] [--log PATH]`: the practice TUI. The trainee's key
//! and the training log are checked before the screen opens; a completed session appends
//! one signed `training_completion` entry; an abandoned one writes nothing and says so.

use std::path::Path;

use color_eyre::eyre;

use crate::cli::Ctx;
use crate::cli::args::TrainArgs;
use crate::training::TrainingPack;

/// The packs bundled into the binary: (id, file name, YAML). The first is the default.
pub const BUNDLED: [(&str, &str, &str); 4] = [
    (
        "basics",
        "sample_data/training/basics.yaml",
        include_str!("../../../sample_data/training/basics.yaml"),
    ),
    (
        "consent-validity",
        "sample_data/training/consent-validity.yaml",
        include_str!("../../../sample_data/training/consent-validity.yaml"),
    ),
    (
        "legal-and-exceptions",
        "sample_data/training/legal-and-exceptions.yaml",
        include_str!("../../../sample_data/training/legal-and-exceptions.yaml"),
    ),
    (
        "breach-response",
        "sample_data/training/breach-response.yaml",
        include_str!("../../../sample_data/training/breach-response.yaml"),
    ),
];

/// A bundled pack by id, loaded like a file.
pub fn bundled(id: &str) -> Option<Result<TrainingPack, String>> {
    let (_, name, text) = BUNDLED.iter().find(|(i, _, _)| *i == id)?;
    let origin = format!("bundled pack ({name})");
    Some((|| {
        let queue =
            crate::queue::load_bytes(text.as_bytes(), &origin).map_err(|e| e.to_string())?;
        let index = crate::queue::QueueIndex::build(&queue);
        crate::training::pack::from_loaded(crate::queue::LoadedQueue {
            path: origin.clone().into(),
            queue,
            index,
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        })
        .map_err(|e| e.to_string())
    })())
}

/// PACK as given: an existing file, else a bundled pack id; none → the first bundled pack.
pub fn resolve_pack(arg: Option<&Path>) -> eyre::Result<TrainingPack> {
    match arg {
        None => bundled(BUNDLED[0].0)
            .expect("bundled")
            .map_err(eyre::Report::msg),
        Some(p) if p.exists() => crate::training::load_pack(p).map_err(eyre::Report::msg),
        Some(p) => match p.to_str().and_then(bundled) {
            Some(r) => r.map_err(eyre::Report::msg),
            None => {
                let ids: Vec<&str> = BUNDLED.iter().map(|b| b.0).collect();
                eyre::bail!(
                    "{}: no such pack file, and not a bundled pack (bundled: {})",
                    p.display(),
                    ids.join(", ")
                )
            }
        },
    }
}

/// The pass mark: the flag, else `pass_mark` in config.yaml, else 80.
fn pass_mark(ctx: &Ctx, flag: Option<u8>) -> u8 {
    flag.or_else(|| {
        std::fs::read_to_string(ctx.data.config())
            .ok()
            .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
            .and_then(|v| v.get("pass_mark").and_then(|x| x.as_u64()))
            .filter(|n| *n <= 100)
            .map(|n| n as u8)
    })
    .unwrap_or(crate::training::DEFAULT_PASS_MARK)
}

#[cfg(not(feature = "tui"))]
pub fn run(ctx: &Ctx, args: &TrainArgs) -> eyre::Result<u8> {
    // The pack is still checked, so a pack author gets the same errors.
    let pack = resolve_pack(args.pack.as_deref())?;
    let _ = pass_mark(ctx, args.pass_mark);
    eyre::bail!(
        "pack {} is valid, but this build has no terminal UI (feature `tui`); `train status` still works",
        pack.pack.id
    )
}

#[cfg(feature = "tui")]
pub fn run(ctx: &Ctx, args: &TrainArgs) -> eyre::Result<u8> {
    use std::io::IsTerminal;

    use crate::engine::Engine;
    use crate::log::{LogKind, Recorder, Signer, TrainingInput};
    use crate::tui::Look;
    use crate::tui::train::TrainApp;

    let pack = resolve_pack(args.pack.as_deref())?;
    let engine = Engine::load(ctx.global.policy.as_deref()).map_err(eyre::Report::msg)?;
    let as_of = pack
        .loaded
        .queue
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let ev = engine.for_date(as_of).map_err(eyre::Report::msg)?;
    let pass = pass_mark(ctx, args.pass_mark);
    // The trainee signs their own record: no key, no session (before the screen opens).
    let signer = Signer::load(&ctx.data.signing_key())?;
    let principal = signer.principal().to_owned();
    let log = args.log.clone().unwrap_or_else(|| ctx.data.training_log());
    let recorder = Recorder::open(&ctx.data, &log, LogKind::Training, signer)
        .with_lock_timeout(crate::cli::log::lock_timeout(ctx));
    recorder
        .check()
        .map_err(|e| eyre::eyre!("{}: {e}", log.display()))?;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eyre::bail!("`train` needs an interactive terminal; `train status` works anywhere");
    }
    let policy = ev.part2_policy().reference.clone();
    let hipaa = ev.hipaa_policy().reference.clone();
    let app = TrainApp::new(
        &pack,
        |q, ix, d| ev.evaluate(q, ix, d),
        pass,
        Look {
            color: ctx.color,
            ascii: ctx.ascii,
        },
        (80, 24),
    );
    let (pack_id, pack_version) = (pack.pack.id.clone(), pack.pack.version.clone());
    let log_shown = log.display().to_string();
    let app = crate::tui::train::run(app, ctx.shell(), |score| {
        recorder
            .record_training(TrainingInput {
                pack_id: pack_id.clone(),
                pack_version: pack_version.clone(),
                policy: crate::engine::PolicyRefs {
                    part2: policy.clone(),
                    hipaa: hipaa.clone(),
                },
                correct: u64::from(score.correct),
                total: u64::from(score.total),
                pass_mark: u64::from(pass),
            })
            .map(|r| format!("{log_shown} (seq {})", r.seq))
            .map_err(|e| e.to_string())
    })
    .map_err(eyre::Report::msg)?;
    let s = app.session.score();
    match (&app.recorded, app.finished()) {
        (Some(Ok(w)), _) => {
            let passed = crate::training::passed(s.correct, s.total, pass);
            outln!(
                "{principal}: {}/{} correct ({}%), pass mark {pass}%: {}; completion record written to {w}",
                s.correct,
                s.total,
                s.percent(),
                if passed { "PASSED" } else { "NOT PASSED" }
            )?;
            Ok(crate::cli::exit::OK)
        }
        (Some(Err(e)), _) => eyre::bail!("the completion record was NOT written: {e}"),
        (None, _) => {
            outln!(
                "session abandoned after {} of {} scenarios: nothing was recorded",
                s.answered,
                s.total
            )?;
            Ok(crate::cli::exit::OK)
        }
    }
}
