//! Head files `heads/<log id>.json` (`{"log","size","seq","sha256"}`): the last entry this
//! data dir saw appended. Appends compare the log against it (a rollback or rewrite of what
//! we wrote is refused) and `log verify` uses it as an anchor. The same head is also kept
//! as `heads/by-path/<hex sha256 of the canonical log path>.json`, so a log emptied or cut
//! inside its genesis (no log id left to look up) is still found anchored.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub log: String,
    /// File size just after the entry (its LF included).
    pub size: u64,
    pub seq: u64,
    /// SHA-256 of the entry's line without LF.
    pub sha256: String,
}

impl Head {
    pub fn hash_bytes(&self) -> Option<[u8; 32]> {
        data_encoding::HEXLOWER
            .decode(self.sha256.as_bytes())
            .ok()
            .and_then(|v| v.try_into().ok())
    }
}

pub fn head_path(heads_dir: &Path, log_id: &str) -> PathBuf {
    heads_dir.join(format!("{log_id}.json"))
}

/// `heads/by-path/<hex sha256 of the canonical log path>.json`.
pub fn by_path(heads_dir: &Path, canonical_log: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let h = crate::digest::sha256_hex(canonical_log.as_os_str().as_bytes());
    heads_dir.join("by-path").join(format!("{h}.json"))
}

/// The head file kept for this log path, whatever log it names; `Ok(None)` when none.
pub fn read_by_path(heads_dir: &Path, canonical_log: &Path) -> Result<Option<Head>, String> {
    let p = by_path(heads_dir, canonical_log);
    match fs::read(&p) {
        Ok(b) => {
            let h: Head = serde_json::from_slice(&b)
                .map_err(|e| format!("{}: not a head file ({e}); move it aside", p.display()))?;
            if h.hash_bytes().is_none() {
                return Err(format!("{}: malformed hash; move it aside", p.display()));
            }
            Ok(Some(h))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// Read a head file; `Ok(None)` when there is none.
pub fn read(heads_dir: &Path, log_id: &str) -> Result<Option<Head>, String> {
    let p = head_path(heads_dir, log_id);
    match fs::read(&p) {
        Ok(b) => {
            let h: Head = serde_json::from_slice(&b)
                .map_err(|e| format!("{}: not a head file ({e}); move it aside", p.display()))?;
            if h.log != log_id || h.hash_bytes().is_none() {
                return Err(format!(
                    "{}: names another log or a malformed hash; move it aside",
                    p.display()
                ));
            }
            Ok(Some(h))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// Replace the head file, by log id and by the log's canonical path.
pub fn write(heads_dir: &Path, head: &Head, canonical_log: Option<&Path>) -> Result<(), String> {
    write_one(heads_dir, &head_path(heads_dir, &head.log), head)?;
    match canonical_log {
        Some(c) => {
            let p = by_path(heads_dir, c);
            write_one(p.parent().unwrap_or(heads_dir), &p, head)
        }
        None => Ok(()),
    }
}

/// Replace one head file atomically (tmp in the same dir, fsync, rename, fsync dir).
fn write_one(dir: &Path, p: &Path, head: &Head) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let heads_dir = dir;
    let tmp = heads_dir.join(format!(".{}.{}.tmp", head.log, std::process::id()));
    let body = serde_json::to_vec(head).map_err(|e| e.to_string())?;
    let r = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
        fs::rename(&tmp, p)?;
        fs::File::open(heads_dir)?.sync_all()
    })();
    r.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{}: {e}", p.display())
    })
}
