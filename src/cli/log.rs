use color_eyre::eyre;

use super::Ctx;
use super::args::*;

pub fn run(_ctx: &Ctx, _cmd: LogCommand) -> eyre::Result<u8> {
    super::not_yet("log")
}
