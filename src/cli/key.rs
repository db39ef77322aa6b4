//! `p2review key init|show` (docs/signed-log.md#keys).

use color_eyre::eyre;

use super::Ctx;
use super::args::*;
use crate::log::keys::{self, Signer};

pub fn run(ctx: &Ctx, cmd: KeyCommand) -> eyre::Result<u8> {
    let path = ctx.data.signing_key();
    match cmd {
        KeyCommand::Init(a) => {
            let principal = match a.principal {
                Some(p) => p,
                None => principal_from_env()?,
            };
            let s = keys::init_key(&path, &principal)?;
            outln!("created {} for {}", path.display(), s.principal())?;
            outln!("fingerprint {}", s.fingerprint())?;
            outln!("give your supervisor this allowed_signers line:")?;
            outln!("{}", s.allowed_signers_line())?;
            Ok(0)
        }
        KeyCommand::Show(a) => {
            let s = Signer::load(&path)?;
            if a.allowed_signers {
                outln!("{}", s.allowed_signers_line())?;
            } else {
                outln!("{}", s.openssh_public())?;
            }
            Ok(0)
        }
    }
}

/// `$USER@<hostname>` (or `$LOGNAME@…`). With neither set the principal would be a made-up
/// name that ends up in every signed entry and the supervisor's allowed_signers, so refuse.
fn principal_from_env() -> eyre::Result<String> {
    let named = |v: &str| std::env::var(v).ok().filter(|u| !u.trim().is_empty());
    let Some(user) = named("USER").or_else(|| named("LOGNAME")) else {
        eyre::bail!(
            "cannot tell who you are ($USER and $LOGNAME are unset); nothing was created: \
             run `p2review key init --principal NAME@HOST` with the name your supervisor \
             will list in allowed_signers"
        );
    };
    // The host part as the log module derives it (its user part is replaced).
    let default = keys::default_principal();
    let host = default.rsplit_once('@').map_or("localhost", |(_, h)| h);
    Ok(format!("{}@{host}", user.trim()))
}
