//! `p2review key init|show` (docs/signed-log.md#keys).

use color_eyre::eyre;

use super::Ctx;
use super::args::*;
use crate::log::keys::{self, Signer};

pub fn run(ctx: &Ctx, cmd: KeyCommand) -> eyre::Result<u8> {
    let path = ctx.data.signing_key();
    match cmd {
        KeyCommand::Init(a) => {
            let principal = a.principal.unwrap_or_else(keys::default_principal);
            let s = keys::init_key(&path, &principal)?;
            println!("created {} for {}", path.display(), s.principal());
            println!("fingerprint {}", s.fingerprint());
            println!("give your supervisor this allowed_signers line:");
            println!("{}", s.allowed_signers_line());
            Ok(0)
        }
        KeyCommand::Show(a) => {
            let s = Signer::load(&path)?;
            if a.allowed_signers {
                println!("{}", s.allowed_signers_line());
            } else {
                println!("{}", s.openssh_public());
            }
            Ok(0)
        }
    }
}
