//! Opaque patient refs for patients the context does not name: `P-` + the first 16
//! characters of base32(HMAC-SHA256(key, member id)). The key (32 random bytes, file mode
//! 0600) lives in the data dir as `pseudonym.key` and is created on first use, so the same
//! member always gets the same ref on this host and nobody without the key can reverse or
//! test a guess.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const KEY_LEN: usize = 32;

/// Why the pseudonym key cannot be used; nothing was imported. Each message names the file
/// and what to do; an I/O failure is kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum PseudonymKeyError {
    #[error("{}: cannot read the pseudonym key", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: the pseudonym key is readable by other users (mode {mode:o}); run `chmod 600 {}`", path.display(), path.display())]
    Exposed { path: PathBuf, mode: u32 },
    /// `len`: the bytes read, at most one more than the key (`longer`: there were more).
    #[error(
        "{}: the pseudonym key must be exactly {KEY_LEN} bytes, it is {}{} bytes; restore it from a backup (a new key gives every patient a new ref)",
        path.display(),
        if *longer { "more than " } else { "" },
        len
    )]
    WrongSize {
        path: PathBuf,
        len: usize,
        longer: bool,
    },
    #[error("cannot get random bytes for the pseudonym key: {0}")]
    Random(getrandom::Error),
    #[error("{}: cannot create the data dir", dir.display())]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: cannot create the pseudonym key", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The loaded pseudonym key.
pub struct PseudonymKey {
    key: [u8; KEY_LEN],
}

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    pub fn from_bytes(key: [u8; KEY_LEN]) -> PseudonymKey {
        PseudonymKey { key }
    }

    /// The patient ref for this identifier.
    pub fn patient_ref(&self, id: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(id);
        let digest = mac.finalize().into_bytes();
        let b32 = data_encoding::BASE32_NOPAD.encode(&digest);
        format!("P-{}", &b32[..16])
    }

    /// Loads `path`, creating it (32 random bytes, 0600) when absent. A key of the wrong
    /// size or readable by others is an error: changing or leaking it changes or exposes
    /// every ref.
    pub fn load_or_create(path: &Path) -> Result<PseudonymKey, PseudonymKeyError> {
        match fs::File::open(path) {
            Ok(f) => read_key(path, f),
            Err(e) if e.kind() == io::ErrorKind::NotFound => create(path),
            Err(source) => Err(PseudonymKeyError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

fn read_key(path: &Path, mut f: fs::File) -> Result<PseudonymKey, PseudonymKeyError> {
    let read_error = |source| PseudonymKeyError::Read {
        path: path.to_owned(),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = f.metadata().map_err(read_error)?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(PseudonymKeyError::Exposed {
                path: path.to_owned(),
                mode: mode & 0o777,
            });
        }
    }
    let mut bytes = Vec::with_capacity(KEY_LEN + 1);
    Read::by_ref(&mut f)
        .take(KEY_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    let key: [u8; KEY_LEN] =
        bytes
            .try_into()
            .map_err(|b: Vec<u8>| PseudonymKeyError::WrongSize {
                path: path.to_owned(),
                len: b.len().min(KEY_LEN),
                longer: b.len() > KEY_LEN,
            })?;
    Ok(PseudonymKey { key })
}

/// Creates the key without ever exposing a partial file: write a temp file, then hard-link
/// it into place (fails if another process won the race, whose key is then used).
fn create(path: &Path) -> Result<PseudonymKey, PseudonymKeyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(PseudonymKeyError::Random)?;
    let tmp = temp_name(path);
    let result = (|| -> io::Result<()> {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&key)?;
        f.sync_all()?;
        fs::hard_link(&tmp, path)
    })();
    let _ = fs::remove_file(&tmp);
    match result {
        Ok(()) => Ok(PseudonymKey { key }),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => fs::File::open(path)
            .map_err(|source| PseudonymKeyError::Read {
                path: path.to_owned(),
                source,
            })
            .and_then(|f| read_key(path, f)),
        Err(source) => Err(PseudonymKeyError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

fn create_private_dir(dir: &Path) -> Result<(), PseudonymKeyError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .map_err(|source| PseudonymKeyError::CreateDir {
            dir: dir.to_owned(),
            source,
        })
}

/// `<dir>/.<name>.tmp-<pid>-<random>`: unique, hidden, in the same directory (so a rename
/// or link stays on one file system).
pub(crate) fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let salt = getrandom::u64().unwrap_or(0);
    path.with_file_name(format!(".{name}.tmp-{}-{salt:016x}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_stable_opaque_and_keyed() {
        let a = PseudonymKey::from_bytes([7; KEY_LEN]);
        let b = PseudonymKey::from_bytes([8; KEY_LEN]);
        let r = a.patient_ref(b"MBR0001");
        assert_eq!(r, a.patient_ref(b"MBR0001"));
        assert_ne!(r, a.patient_ref(b"MBR0002"));
        assert_ne!(r, b.patient_ref(b"MBR0001"));
        assert_eq!(r.len(), 18);
        assert!(
            r[2..]
                .bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert!(!r.contains("MBR"));
    }

    #[test]
    fn key_created_once_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("pseudonym.key");
        let k1 = PseudonymKey::load_or_create(&path).unwrap();
        let k2 = PseudonymKey::load_or_create(&path).unwrap();
        assert_eq!(k1.patient_ref(b"x"), k2.patient_ref(b"x"));
        assert_eq!(fs::read(&path).unwrap().len(), KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let e = PseudonymKey::load_or_create(&path).unwrap_err();
            assert!(matches!(e, PseudonymKeyError::Exposed { mode: 0o644, .. }));
            assert!(e.to_string().contains("chmod 600"), "{e}");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        fs::write(&path, b"short").unwrap();
        let e = PseudonymKey::load_or_create(&path).unwrap_err();
        assert!(
            e.to_string().contains("exactly 32 bytes, it is 5 bytes"),
            "{e}"
        );
        fs::write(&path, [0u8; KEY_LEN + 9]).unwrap();
        let e = PseudonymKey::load_or_create(&path).unwrap_err();
        assert!(e.to_string().contains("it is more than 32 bytes"), "{e}");
        // No temp files left behind.
        let left: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    /// A key that cannot be read keeps the I/O error as its source (the CLI prints
    /// "<path>: cannot read the pseudonym key: <cause>").
    #[test]
    fn an_unreadable_key_keeps_its_io_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pseudonym.key");
        // A directory opens but does not read (EISDIR); 0700 passes the mode check.
        fs::create_dir(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        }
        let e = PseudonymKey::load_or_create(&path).unwrap_err();
        let source = std::error::Error::source(&e).expect("an I/O cause");
        assert!(source.downcast_ref::<io::Error>().is_some(), "{source:?}");
        assert!(
            e.to_string().ends_with("cannot read the pseudonym key"),
            "{e}"
        );
    }
}
