use color_eyre::eyre;

use super::Ctx;
use super::args::*;

pub fn run(_ctx: &Ctx, _cmd: KeyCommand) -> eyre::Result<u8> {
    super::not_yet("key")
}
