//! Head files `heads/<log id>.json` (`{"log","size","seq","sha256"}`): the last entry this
//! data dir saw appended. Appends compare the log against it (a rollback or rewrite of what
//! we wrote is refused) and `log verify` uses it as an anchor.

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

/// Replace the head file atomically (tmp in the same dir, fsync, rename, fsync dir).
pub fn write(heads_dir: &Path, head: &Head) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(heads_dir)
        .map_err(|e| format!("{}: {e}", heads_dir.display()))?;
    let p = head_path(heads_dir, &head.log);
    let tmp = heads_dir.join(format!(".{}.{}.tmp", head.log, std::process::id()));
    let body = serde_json::to_vec(head).map_err(|e| e.to_string())?;
    let r = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
        fs::rename(&tmp, &p)?;
        fs::File::open(heads_dir)?.sync_all()
    })();
    r.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{}: {e}", p.display())
    })
}
