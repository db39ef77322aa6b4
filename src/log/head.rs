//! Head files `heads/<log id>.json` (`{"log","size","seq","sha256"}`): the last entry this
//! data dir saw appended. Appends compare the log against it (a rollback or rewrite of what
//! we wrote is refused) and `log verify` uses it as an anchor. The same head is also kept
//! as `heads/by-path/<hex sha256 of the canonical log path>.json`, so a log emptied or cut
//! inside its genesis (no log id left to look up) is still found anchored.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why a head file cannot be read or replaced. Each message names the file and says what to
/// do; an I/O failure is kept as the source (its text joins the message through the
/// `From<HeadError> for String` below, for the callers that still report text).
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    /// The file exists but cannot be read.
    #[error("{}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not the JSON of a head file (`cause`: the parser's words, shown inside the message).
    #[error("{}: not a head file ({cause}); move it aside", path.display())]
    Parse {
        path: PathBuf,
        cause: serde_json::Error,
    },
    /// The hash is not 64 lowercase hex digits.
    #[error("{}: malformed hash; move it aside", path.display())]
    MalformedHash { path: PathBuf },
    /// The file names another log, or its hash is malformed.
    #[error("{}: names another log or a malformed hash; move it aside", path.display())]
    Mismatch { path: PathBuf },
    /// The heads directory cannot be created, or the file cannot be written and renamed.
    #[error("{}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The head cannot be serialized (never expected: every field is plain).
    #[error("cannot write a head file: {0}")]
    Encode(serde_json::Error),
}

/// The whole message, the I/O cause included (`path: cause`), for the callers that still
/// carry errors as text (`log::verify`, `AppendError::Head`, `Receipt::head_warning`).
impl From<HeadError> for String {
    fn from(e: HeadError) -> String {
        crate::text::error_chain(&e)
    }
}

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
pub fn read_by_path(heads_dir: &Path, canonical_log: &Path) -> Result<Option<Head>, HeadError> {
    let p = by_path(heads_dir, canonical_log);
    match fs::read(&p) {
        Ok(b) => {
            let h: Head = serde_json::from_slice(&b).map_err(|cause| HeadError::Parse {
                path: p.clone(),
                cause,
            })?;
            if h.hash_bytes().is_none() {
                return Err(HeadError::MalformedHash { path: p });
            }
            Ok(Some(h))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(HeadError::Read { path: p, source }),
    }
}

/// Read a head file; `Ok(None)` when there is none.
pub fn read(heads_dir: &Path, log_id: &str) -> Result<Option<Head>, HeadError> {
    let p = head_path(heads_dir, log_id);
    match fs::read(&p) {
        Ok(b) => {
            let h: Head = serde_json::from_slice(&b).map_err(|cause| HeadError::Parse {
                path: p.clone(),
                cause,
            })?;
            if h.log != log_id || h.hash_bytes().is_none() {
                return Err(HeadError::Mismatch { path: p });
            }
            Ok(Some(h))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(HeadError::Read { path: p, source }),
    }
}

/// Replace the head file, by log id and by the log's canonical path.
pub fn write(heads_dir: &Path, head: &Head, canonical_log: Option<&Path>) -> Result<(), HeadError> {
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
fn write_one(dir: &Path, p: &Path, head: &Head) -> Result<(), HeadError> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| HeadError::Write {
            path: dir.to_owned(),
            source,
        })?;
    let heads_dir = dir;
    let tmp = heads_dir.join(format!(".{}.{}.tmp", head.log, std::process::id()));
    let body = serde_json::to_vec(head).map_err(HeadError::Encode)?;
    let r = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
        fs::rename(&tmp, p)?;
        fs::File::open(heads_dir)?.sync_all()
    })();
    r.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        HeadError::Write {
            path: p.to_owned(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each refusal is its own variant; the text for callers that carry text keeps the
    /// file and the I/O cause (`path: cause`), as before the type.
    #[test]
    fn typed_refusals_keep_the_file_and_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let id = "a".repeat(32);
        assert!(read(dir.path(), &id).unwrap().is_none(), "no head file");
        let p = head_path(dir.path(), &id);
        fs::write(&p, b"{").unwrap();
        let e = read(dir.path(), &id).unwrap_err();
        assert!(matches!(e, HeadError::Parse { .. }), "{e}");
        assert!(String::from(e).ends_with("; move it aside"));
        let other = Head {
            log: "b".repeat(32),
            size: 1,
            seq: 0,
            sha256: "0".repeat(64),
        };
        fs::write(&p, serde_json::to_vec(&other).unwrap()).unwrap();
        assert!(matches!(
            read(dir.path(), &id),
            Err(HeadError::Mismatch { .. })
        ));
        fs::remove_file(&p).unwrap();
        fs::create_dir(&p).unwrap();
        let e = read(dir.path(), &id).unwrap_err();
        let HeadError::Read { source, .. } = &e else {
            panic!("expected Read, got {e}");
        };
        assert_eq!(source.kind(), std::io::ErrorKind::IsADirectory);
        let text = String::from(e);
        assert!(
            text.starts_with(&format!("{}: ", p.display())) && text.len() > p.as_os_str().len() + 2,
            "{text}"
        );
        // A write over a directory of that name fails with the file named.
        assert!(matches!(
            write(dir.path(), &Head { log: id, ..other }, None),
            Err(HeadError::Write { .. })
        ));
    }
}
