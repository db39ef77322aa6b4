//! Team work on one queue (docs/team.md): claims with leases, the team's logs and signers,
//! conflicts and four-eyes. No terminal code.
//!
//! [`TeamStore`] is backend-neutral: the directory backend ([`dir::DirStore`], one host,
//! per-item claim files created with `O_EXCL` under a lock) and, with the cargo feature
//! `postgres` (on by default), the PostgreSQL backend ([`pg::PgStore`]: claims as rows with
//! leases on the server's clock, `SELECT … FOR UPDATE SKIP LOCKED` for the next item,
//! signed lines mirrored byte for byte, `LISTEN/NOTIFY`). The signed per-reviewer log stays the record: a store
//! coordinates, it never rewrites or replaces a log.

pub mod claims;
pub mod dir;
pub mod items;
pub mod live;
#[cfg(feature = "postgres")]
pub mod pg;
pub mod record;
pub mod settings;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::log::trust::Trust;
use crate::paths::DataDir;

pub use claims::{Claim, ClaimInfo, ClaimState};
pub use dir::DirStore;
pub use settings::Settings;

/// An item of a queue as the store keys it: the queue file's SHA-256 and a disclosure id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub queue_sha256: String,
    pub disclosure: String,
}

/// Why a store operation failed. `Display` is the whole message and says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamError {
    /// The store is unusable as it is (modes, missing files, bad settings); exit 2.
    Store(String),
    /// Another reviewer holds a live claim on the item.
    Held {
        disclosure: String,
        holder: String,
        expires_in_s: i64,
    },
    /// The item was decided under a claim; claims are never reissued.
    Decided {
        disclosure: String,
        holder: String,
        entry: String,
    },
    /// The claim this process held has expired and was taken over, or was released.
    Lost { disclosure: String, detail: String },
}

impl std::fmt::Display for TeamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let esc = |s: &str| crate::text::escape(s).into_owned();
        match self {
            TeamError::Store(m) => f.write_str(m),
            TeamError::Held {
                disclosure,
                holder,
                expires_in_s,
            } => write!(
                f,
                "disclosure {} is claimed by {} (lease ends in {} s); nothing was recorded — pick another item, or ask a supervisor to run `p2review team release`",
                esc(disclosure),
                esc(holder),
                expires_in_s
            ),
            TeamError::Decided {
                disclosure,
                holder,
                entry,
            } => write!(
                f,
                "disclosure {} was decided by {} (entry {entry}); nothing was recorded — to correct it, decide again with --supersedes {entry}",
                esc(disclosure),
                esc(holder),
            ),
            TeamError::Lost { disclosure, detail } => write!(
                f,
                "the claim on disclosure {} is no longer yours ({detail}); nothing was recorded — open the item again",
                esc(disclosure)
            ),
        }
    }
}

impl std::error::Error for TeamError {}

/// The default lease of a claim (docs/team.md#claims).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(600);

/// What every backend offers. Times are on the store's clock ([`TeamStore::now_ms`]).
pub trait TeamStore: Send + Sync + std::fmt::Debug {
    /// How the store is named in messages and findings (a path or a URL without password).
    fn describe(&self) -> String;
    fn settings(&self) -> &Settings;
    /// The team's signers: the trust root of every team log.
    fn trust(&self) -> Result<Trust, TeamError>;
    /// A stamp of the team's signers as stored (directory: size and mtime of
    /// `allowed_signers`): when it changes, a reader holding [`TeamStore::trust`] reads it
    /// again (a reviewer added later). `None`: the backend cannot tell cheaply.
    fn trust_stamp(&self) -> Option<(u64, Option<std::time::SystemTime>)> {
        None
    }
    /// A [`live::Signal`] of new entries, so the live view reads the logs only when they
    /// grew. `Ok(None)`: the backend has none (the logs are read on every tick).
    fn signal(&self) -> Result<Option<Box<dyn live::Signal>>, TeamError> {
        Ok(None)
    }
    /// Where `principal` records when working in this team.
    fn reviewer_log(&self, principal: &str, data: &DataDir) -> Result<PathBuf, TeamError>;
    /// Every team log to read (`log …` commands, the live view).
    fn logs(&self) -> Result<Vec<PathBuf>, TeamError>;
    /// Milliseconds since the epoch on the store's clock (leases are measured on it).
    fn now_ms(&self) -> Result<i64, TeamError>;
    /// Claim `item` for `principal` for `lease` (renews a claim `principal` already holds;
    /// takes over an expired one). `Held` / `Decided` when it cannot.
    fn claim(&self, item: &ItemKey, principal: &str, lease: Duration) -> Result<Claim, TeamError>;
    /// Extend a held claim from now (activity in the decision dialog).
    fn renew(&self, claim: &Claim) -> Result<Claim, TeamError>;
    /// `Ok` while `claim` is still this holder's: what the appender runs just before the
    /// write. It also extends the lease, so the write cannot outlive it.
    fn still_held(&self, claim: &Claim) -> Result<(), TeamError>;
    /// End the claim as `decided <entry>` once the entry is visible to others. Never
    /// reissued afterwards.
    fn decided(&self, claim: &Claim, entry: &str) -> Result<(), TeamError>;
    /// Give up a claim this process holds (the dialog was cancelled).
    fn drop_claim(&self, claim: &Claim) -> Result<(), TeamError>;
    /// Supervisor: end every live claim on disclosure `id` (any queue). Decided claims
    /// stay. Returns what was released.
    fn release(&self, id: &str) -> Result<Vec<ClaimInfo>, TeamError>;
    /// Every claim, live, expired or decided.
    fn claims(&self) -> Result<Vec<ClaimInfo>, TeamError>;
    /// `(holder, entry)` when `item` was decided under a claim.
    fn decided_entry(&self, item: &ItemKey) -> Result<Option<(String, String)>, TeamError>;
    /// A correction of a decided item was recorded as `entry`: the claim stays decided
    /// and names the newest entry (it is never reissued).
    fn redecided(&self, item: &ItemKey, holder: &str, entry: &str) -> Result<(), TeamError>;
    /// The first of `items` nobody holds and nobody decided, claimed for `principal`.
    fn next_unclaimed(
        &self,
        items: &[ItemKey],
        principal: &str,
        lease: Duration,
    ) -> Result<Option<Claim>, TeamError> {
        for it in items {
            match self.claim(it, principal, lease) {
                Ok(c) => return Ok(Some(c)),
                Err(TeamError::Held { .. } | TeamError::Decided { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

/// Whether `spec` names a PostgreSQL store (`postgres://…` or `postgresql://…`).
pub fn is_postgres(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// Open the store named by `--team` / `P2REVIEW_TEAM`: a URL is PostgreSQL, anything else
/// a directory.
pub fn open(spec: &str) -> Result<Box<dyn TeamStore>, TeamError> {
    if is_postgres(spec) {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(pg::PgStore::open(spec)?));
        #[cfg(not(feature = "postgres"))]
        return Err(TeamError::Store(
            "this p2review was built without the `postgres` feature; use a build with it, or a shared directory (`p2review team init DIR`)".into(),
        ));
    }
    Ok(Box::new(DirStore::open(Path::new(spec))?))
}

/// How findings and exports name a log; kept in the leaf `paths` so `supervise` can use it.
pub use crate::paths::log_label;
#[cfg(feature = "postgres")]
pub(crate) use crate::paths::set_log_label;
