use color_eyre::eyre;

use super::Ctx;
use super::args::*;

pub fn run(_ctx: &Ctx, _args: &DecideArgs) -> eyre::Result<u8> {
    super::not_yet("decide")
}
