//! `p2review train [PACK]` (practice) and `p2review train status` (who is due), docs/cli.md.

pub mod practice;
mod status;

use color_eyre::eyre;

use super::Ctx;
use super::args::*;

pub fn run(ctx: &Ctx, args: TrainArgs) -> eyre::Result<u8> {
    match &args.command {
        Some(TrainCommand::Status(s)) => status::run(ctx, s),
        None => practice::run(ctx, &args),
    }
}
