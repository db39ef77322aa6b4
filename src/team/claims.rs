//! Claim files of the directory backend (docs/team.md#claims): one file per item in
//! `claims/`, named `<queue sha256>.<disclosure id>.claim`, created with `O_EXCL` and
//! changed only under the exclusive lock `claims/.lock`. A claim is held for a lease,
//! renewed by activity, taken over once expired, and ends as `decided <entry hash>`, after
//! which it is never reissued. A file is replaced whole (tmp + rename, both fsynced), so a
//! reader never sees half a claim.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{ItemKey, TeamError};

/// How long a claim operation waits for `claims/.lock`.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// A claim this process holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub item: ItemKey,
    pub holder: String,
    /// Random per claim: a takeover or release changes it, so the old holder can tell.
    pub token: String,
    pub expires_ms: i64,
    /// The lease it was taken for (renewals extend by as much).
    pub lease_ms: i64,
}

/// What a claim file says, as of the time it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClaimState {
    Held { expires_ms: i64 },
    Expired { expires_ms: i64 },
    Decided { entry: String },
}

/// One claim as `team status` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimInfo {
    pub queue: String,
    pub disclosure: String,
    pub holder: String,
    #[serde(flatten)]
    pub state: ClaimState,
}

/// The file's content (one JSON line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimFile {
    /// `held` or `decided`.
    state: String,
    queue: String,
    disclosure: String,
    holder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entry: Option<String>,
}

/// The claims directory of one store.
#[derive(Debug, Clone)]
pub struct ClaimDir {
    pub dir: PathBuf,
}

/// Milliseconds since the epoch on this host (the directory backend's store clock: the
/// team shares one host).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn store_err(path: &Path, what: &str, e: impl std::fmt::Display) -> TeamError {
    TeamError::Store(format!("{}: {what}: {e}", path.display()))
}

fn new_token() -> Result<String, TeamError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| TeamError::Store(format!("cannot get random bytes for a claim: {e}")))?;
    Ok(data_encoding::HEXLOWER.encode(&b))
}

impl ClaimDir {
    pub fn new(dir: &Path) -> ClaimDir {
        ClaimDir {
            dir: dir.to_owned(),
        }
    }

    fn path(&self, item: &ItemKey) -> Result<PathBuf, TeamError> {
        if !crate::log::entry::is_hex64(&item.queue_sha256)
            || !crate::log::entry::is_id(&item.disclosure)
        {
            return Err(TeamError::Store(format!(
                "cannot claim disclosure {}: not a valid disclosure id or queue hash",
                crate::text::escape(&item.disclosure)
            )));
        }
        Ok(self
            .dir
            .join(format!("{}.{}.claim", item.queue_sha256, item.disclosure)))
    }

    /// Hold `claims/.lock` for the duration of `f`.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T, TeamError>) -> Result<T, TeamError> {
        let lp = self.dir.join(".lock");
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o660)
            .open(&lp)
            .map_err(|e| store_err(&lp, "cannot open the claims lock", e))?;
        let start = Instant::now();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(TeamError::Store(format!(
                        "{}: another p2review holds the claims lock for more than {} s; try again",
                        lp.display(),
                        LOCK_TIMEOUT.as_secs()
                    )));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(store_err(&lp, "cannot lock", e));
                }
            }
        }
        let r = f();
        drop(lock);
        r
    }

    fn read(&self, path: &Path) -> Result<Option<ClaimFile>, TeamError> {
        match fs::read_to_string(path) {
            Ok(t) => serde_json::from_str(t.trim_end()).map(Some).map_err(|e| {
                store_err(
                    path,
                    "not a p2review claim file (move it aside and tell the team admin)",
                    e,
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_err(path, "cannot read the claim", e)),
        }
    }

    /// Write a new claim file: `O_EXCL`, so two writers can never both create it.
    fn create(&self, path: &Path, c: &ClaimFile) -> Result<(), TeamError> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o660)
            .open(path)
            .map_err(|e| store_err(path, "cannot create the claim", e))?;
        write_synced(&mut f, c).map_err(|e| store_err(path, "cannot write the claim", e))?;
        sync_dir(&self.dir)
    }

    /// Replace a claim file whole (tmp with `O_EXCL`, fsync, rename, fsync the dir).
    fn replace(&self, path: &Path, c: &ClaimFile) -> Result<(), TeamError> {
        let tmp = self.dir.join(format!(
            ".{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("claim"),
            std::process::id()
        ));
        let _ = fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o660)
            .open(&tmp)
            .map_err(|e| store_err(&tmp, "cannot create", e))?;
        write_synced(&mut f, c).map_err(|e| store_err(&tmp, "cannot write", e))?;
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            store_err(path, "cannot replace the claim", e)
        })?;
        sync_dir(&self.dir)
    }

    /// Claim `item` for `holder` (renew when already theirs, take over when expired).
    pub fn claim(&self, item: &ItemKey, holder: &str, lease: Duration) -> Result<Claim, TeamError> {
        let path = self.path(item)?;
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        self.locked(|| {
            let now = now_ms();
            let existing = self.read(&path)?;
            let token = match &existing {
                None => new_token()?,
                Some(c) => {
                    check_same_item(&path, c, item)?;
                    match held(c) {
                        Err(entry) => {
                            return Err(TeamError::Decided {
                                disclosure: item.disclosure.clone(),
                                holder: c.holder.clone(),
                                entry,
                            });
                        }
                        Ok((_, exp)) if c.holder != holder && exp > now => {
                            return Err(TeamError::Held {
                                disclosure: item.disclosure.clone(),
                                holder: c.holder.clone(),
                                expires_in_s: (exp - now + 999) / 1000,
                            });
                        }
                        // Our own live claim (another window of ours): keep its token.
                        Ok((tok, exp)) if c.holder == holder && exp > now => tok,
                        // Expired: taken over with a new token.
                        Ok(_) => new_token()?,
                    }
                }
            };
            let file = ClaimFile {
                state: "held".into(),
                queue: item.queue_sha256.clone(),
                disclosure: item.disclosure.clone(),
                holder: holder.to_owned(),
                token: Some(token.clone()),
                expires_ms: Some(now + lease_ms),
                entry: None,
            };
            if existing.is_none() {
                self.create(&path, &file)?;
            } else {
                self.replace(&path, &file)?;
            }
            Ok(Claim {
                item: item.clone(),
                holder: holder.to_owned(),
                token,
                expires_ms: now + lease_ms,
                lease_ms,
            })
        })
    }

    /// The current file of a claim we believe we hold, if it is still ours.
    fn ours(&self, path: &Path, claim: &Claim) -> Result<ClaimFile, TeamError> {
        let lost = |detail: &str| TeamError::Lost {
            disclosure: claim.item.disclosure.clone(),
            detail: detail.to_owned(),
        };
        let c = self.read(path)?.ok_or_else(|| lost("it was released"))?;
        match held(&c) {
            Err(_) => Err(lost("the item was decided")),
            Ok((tok, _)) if tok != claim.token || c.holder != claim.holder => Err(lost(&format!(
                "{} took it over after the lease ended, or a supervisor released it",
                crate::text::escape(&c.holder)
            ))),
            Ok(_) => Ok(c),
        }
    }

    /// Extend a claim we hold by its lease from now.
    pub fn renew(&self, claim: &Claim) -> Result<Claim, TeamError> {
        let path = self.path(&claim.item)?;
        self.locked(|| {
            let mut c = self.ours(&path, claim)?;
            let exp = now_ms() + claim.lease_ms;
            c.expires_ms = Some(exp);
            self.replace(&path, &c)?;
            Ok(Claim {
                expires_ms: exp,
                ..claim.clone()
            })
        })
    }

    /// Still ours (even if the lease ran out, as long as nobody took it over): extended.
    pub fn still_held(&self, claim: &Claim) -> Result<(), TeamError> {
        self.renew(claim).map(|_| ())
    }

    pub fn decided(&self, claim: &Claim, entry: &str) -> Result<(), TeamError> {
        let path = self.path(&claim.item)?;
        self.locked(|| {
            let c = self.ours(&path, claim)?;
            self.replace(
                &path,
                &ClaimFile {
                    state: "decided".into(),
                    token: None,
                    expires_ms: None,
                    entry: Some(entry.to_owned()),
                    ..c
                },
            )
        })
    }

    /// Record `entry` as the decision on an item decided before (a correction that
    /// supersedes the decided entry): the claim stays decided, naming the newest entry.
    pub fn redecided(&self, item: &ItemKey, holder: &str, entry: &str) -> Result<(), TeamError> {
        let path = self.path(item)?;
        self.locked(|| {
            let file = ClaimFile {
                state: "decided".into(),
                queue: item.queue_sha256.clone(),
                disclosure: item.disclosure.clone(),
                holder: holder.to_owned(),
                token: None,
                expires_ms: None,
                entry: Some(entry.to_owned()),
            };
            match self.read(&path)? {
                None => self.create(&path, &file),
                Some(_) => self.replace(&path, &file),
            }
        })
    }

    /// Remove a claim we hold (dialog cancelled); decided claims are never removed.
    pub fn drop_claim(&self, claim: &Claim) -> Result<(), TeamError> {
        let path = self.path(&claim.item)?;
        self.locked(|| {
            self.ours(&path, claim)?;
            fs::remove_file(&path).map_err(|e| store_err(&path, "cannot remove the claim", e))?;
            sync_dir(&self.dir)
        })
    }

    /// The decided entry of `item`, if it was decided under a claim.
    pub fn decided_entry(&self, item: &ItemKey) -> Result<Option<(String, String)>, TeamError> {
        let path = self.path(item)?;
        // Under the lock: a claim being created is an empty file until it is written.
        self.locked(|| {
            Ok(self
                .read(&path)?
                .and_then(|c| held(&c).err().map(|e| (c.holder, e))))
        })
    }

    /// Every claim file, sorted by name (read under the lock).
    pub fn list(&self) -> Result<Vec<ClaimInfo>, TeamError> {
        self.locked(|| self.list_unlocked())
    }

    fn list_unlocked(&self) -> Result<Vec<ClaimInfo>, TeamError> {
        let now = now_ms();
        let mut names: Vec<PathBuf> = fs::read_dir(&self.dir)
            .map_err(|e| store_err(&self.dir, "cannot list claims", e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "claim"))
            .collect();
        names.sort();
        let mut out = Vec::new();
        for p in names {
            let Some(c) = self.read(&p)? else { continue };
            let state = match held(&c) {
                Err(entry) => ClaimState::Decided { entry },
                Ok((_, exp)) if exp > now => ClaimState::Held { expires_ms: exp },
                Ok((_, exp)) => ClaimState::Expired { expires_ms: exp },
            };
            out.push(ClaimInfo {
                queue: c.queue,
                disclosure: c.disclosure,
                holder: c.holder,
                state,
            });
        }
        Ok(out)
    }

    /// Supervisor: remove every live or expired (not decided) claim on disclosure `id`.
    pub fn release(&self, id: &str) -> Result<Vec<ClaimInfo>, TeamError> {
        self.locked(|| {
            let mut out = Vec::new();
            for c in self.list_unlocked()? {
                if c.disclosure != id || matches!(c.state, ClaimState::Decided { .. }) {
                    continue;
                }
                let path = self.path(&ItemKey {
                    queue_sha256: c.queue.clone(),
                    disclosure: c.disclosure.clone(),
                })?;
                fs::remove_file(&path)
                    .map_err(|e| store_err(&path, "cannot remove the claim", e))?;
                out.push(c);
            }
            sync_dir(&self.dir)?;
            Ok(out)
        })
    }
}

/// Parse a claim file's text as the store reads it (the fuzz target's entry point).
pub fn parse_claim(text: &str) -> Result<ClaimState, String> {
    let c: ClaimFile = serde_json::from_str(text.trim_end()).map_err(|e| e.to_string())?;
    Ok(match held(&c) {
        Err(entry) => ClaimState::Decided { entry },
        Ok((_, expires_ms)) => ClaimState::Held { expires_ms },
    })
}

/// `Ok((token, expires))` for a held claim, `Err(entry)` for a decided one.
fn held(c: &ClaimFile) -> Result<(String, i64), String> {
    match (c.state.as_str(), &c.entry) {
        ("decided", Some(e)) => Err(e.clone()),
        _ => Ok((
            c.token.clone().unwrap_or_default(),
            c.expires_ms.unwrap_or(0),
        )),
    }
}

fn check_same_item(path: &Path, c: &ClaimFile, item: &ItemKey) -> Result<(), TeamError> {
    if c.queue != item.queue_sha256 || c.disclosure != item.disclosure {
        return Err(TeamError::Store(format!(
            "{}: the claim file names another item; move it aside and tell the team admin",
            path.display()
        )));
    }
    Ok(())
}

fn write_synced(f: &mut File, c: &ClaimFile) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(c).map_err(std::io::Error::other)?;
    line.push(b'\n');
    f.write_all(&line)?;
    f.sync_data()
}

fn sync_dir(dir: &Path) -> Result<(), TeamError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| store_err(dir, "cannot sync the claims directory", e))
}
