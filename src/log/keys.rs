//! Signing keys (docs/signed-log.md#keys): OpenSSH ed25519 private keys whose comment is the principal.
//!
//! Files are written with `create_new` (never overwritten) at mode 0600 in a 0700 dir, and a
//! key readable by group or others is refused with OpenSSH's own wording, so a reviewer who
//! knows `ssh-keygen` recognises the problem and the fix.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use ssh_key::{Algorithm, LineEnding, PrivateKey};

use super::sshsig;

/// The principal of the demo key (docs/signed-log.md#keys).
pub const DEMO_PRINCIPAL: &str = "demo@p2review.invalid";

/// Why a key cannot be created or used. `Display` says what to do.
#[derive(Debug)]
pub enum KeyError {
    /// OpenSSH wording: `Permissions 0644 for '<path>' are too open.`
    TooOpen {
        path: PathBuf,
        mode: u32,
    },
    Missing(PathBuf),
    Exists(PathBuf),
    Encrypted(PathBuf),
    BadPrincipal(String),
    Invalid {
        path: PathBuf,
        why: String,
    },
    Io {
        path: PathBuf,
        err: std::io::Error,
    },
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::TooOpen { path, mode } => write!(
                f,
                "Permissions {mode:04o} for '{}' are too open. It is required that your private key files are NOT accessible by others; run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
            KeyError::Missing(p) => write!(
                f,
                "no signing key at {}; create one with `p2review key init`",
                p.display()
            ),
            KeyError::Exists(p) => write!(
                f,
                "a key already exists at {}; `key init` never overwrites a key (move it away first if you really mean to replace it)",
                p.display()
            ),
            KeyError::Encrypted(p) => write!(
                f,
                "the key {} is passphrase-protected; this version cannot prompt for a passphrase: use a key without one, kept at mode 0600 in a 0700 directory",
                p.display()
            ),
            KeyError::BadPrincipal(s) => write!(
                f,
                "principal {:?} is not of the form user@host (letters, digits, . _ - before @; letters, digits, . - after); pass --principal NAME@HOST",
                crate::text::escape(s)
            ),
            KeyError::Invalid { path, why } => {
                write!(
                    f,
                    "{}: not a usable OpenSSH ed25519 private key: {why}",
                    path.display()
                )
            }
            KeyError::Io { path, err } => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for KeyError {}

/// `^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$`
pub fn valid_principal(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && !host.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
}

/// `$USER@<hostname>`.
pub fn default_principal() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "user".into());
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// `SHA256:<base64 without padding>` as `ssh-keygen -l` prints it.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let h = Sha256::digest(sshsig::wire_public_key(public_key));
    format!("SHA256:{}", data_encoding::BASE64_NOPAD.encode(&h))
}

/// A loaded private key and the principal it signs as.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    public: [u8; 32],
    principal: String,
    fingerprint: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("principal", &self.principal)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer from raw key material (tests, benchmarks, training fixtures).
    pub fn from_signing_key(key: SigningKey, principal: &str) -> Result<Signer, KeyError> {
        if !valid_principal(principal) {
            return Err(KeyError::BadPrincipal(principal.to_owned()));
        }
        let public = key.verifying_key().to_bytes();
        Ok(Signer {
            fingerprint: fingerprint(&public),
            key,
            public,
            principal: principal.to_owned(),
        })
    }

    /// Load an OpenSSH private key, refusing unsafe permissions and passphrase-protected keys.
    pub fn load(path: &Path) -> Result<Signer, KeyError> {
        let meta = fs::metadata(path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => KeyError::Missing(path.to_owned()),
            _ => KeyError::Io {
                path: path.to_owned(),
                err,
            },
        })?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::TooOpen {
                path: path.to_owned(),
                mode,
            });
        }
        let text = fs::read(path).map_err(|err| KeyError::Io {
            path: path.to_owned(),
            err,
        })?;
        let invalid = |why: String| KeyError::Invalid {
            path: path.to_owned(),
            why,
        };
        let pk = PrivateKey::from_openssh(&text).map_err(|e| invalid(e.to_string()))?;
        if pk.is_encrypted() {
            return Err(KeyError::Encrypted(path.to_owned()));
        }
        let kp = pk
            .key_data()
            .ed25519()
            .ok_or_else(|| invalid(format!("key type is {}, not ssh-ed25519", pk.algorithm())))?;
        let key = SigningKey::try_from(kp).map_err(|e| invalid(e.to_string()))?;
        let principal: &str = pk.comment().as_ref();
        if !valid_principal(principal) {
            return Err(invalid(format!(
                "its comment {:?} is not a principal (user@host); recreate it with `p2review key init --principal P`",
                crate::text::escape(principal)
            )));
        }
        Signer::from_signing_key(key, principal)
    }

    pub fn principal(&self) -> &str {
        &self.principal
    }
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public
    }
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
    /// `job.verify_strict()`, cheaper for this signer's own signatures
    /// (`super::own_signature`): the appender's check of each line it signs.
    pub fn verifies(&self, job: &super::batch::SigJob) -> bool {
        // The secret scalar lives for this call only and is wiped after it.
        let a = zeroize::Zeroizing::new(self.key.to_scalar());
        super::own_signature::verify_own(job, &a, &self.public)
    }
    /// The binary SSHSIG blob over `msg` (SHA-512, ed25519).
    pub fn sign(&self, namespace: &str, msg: &[u8]) -> Vec<u8> {
        sshsig::sign(&self.key, namespace, msg)
    }
    /// `ssh-ed25519 AAAA… principal`
    pub fn openssh_public(&self) -> String {
        format!(
            "ssh-ed25519 {} {}",
            data_encoding::BASE64.encode(&sshsig::wire_public_key(&self.public)),
            self.principal
        )
    }
    /// The `allowed_signers` line for this key (docs/signed-log.md#keys).
    pub fn allowed_signers_line(&self) -> String {
        format!(
            "{} namespaces=\"{},{}\" ssh-ed25519 {}",
            self.principal,
            super::NS_DECISION,
            super::NS_CHECKPOINT,
            data_encoding::BASE64.encode(&sshsig::wire_public_key(&self.public))
        )
    }
}

/// The `.pub` path beside a private key.
pub fn pub_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Create a new key at `path` (0600; parent dir 0700; `.pub` beside). Never overwrites.
pub fn init_key(path: &Path, principal: &str) -> Result<Signer, KeyError> {
    if !valid_principal(principal) {
        return Err(KeyError::BadPrincipal(principal.to_owned()));
    }
    let io = |p: &Path| {
        let p = p.to_owned();
        move |err| KeyError::Io { path: p, err }
    };
    let pubp = pub_path(path);
    for p in [path, pubp.as_path()] {
        if fs::symlink_metadata(p).is_ok() {
            return Err(KeyError::Exists(p.to_owned()));
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    let mut rng = ssh_key::rand_core::UnwrapErr(ssh_key::getrandom::SysRng);
    let mut pk =
        PrivateKey::random(&mut rng, Algorithm::Ed25519).map_err(|e| KeyError::Invalid {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    pk.set_comment(principal);
    let text = pk
        .to_openssh(LineEnding::LF)
        .map_err(|e| KeyError::Invalid {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    let public = pk
        .public_key()
        .to_openssh()
        .map_err(|e| KeyError::Invalid {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    write_new(path, text.as_bytes(), 0o600)?;
    write_new(&pubp, format!("{public}\n").as_bytes(), 0o644)?;
    Signer::load(path)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists(path.to_owned()),
            _ => KeyError::Io {
                path: path.to_owned(),
                err,
            },
        })?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|err| KeyError::Io {
            path: path.to_owned(),
            err,
        })?;
    // The umask may have narrowed the mode; make it exact.
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|err| KeyError::Io {
        path: path.to_owned(),
        err,
    })
}

/// The demo key (`demo@p2review.invalid`), created on first use.
pub fn demo_signer(path: &Path) -> Result<Signer, KeyError> {
    match Signer::load(path) {
        Err(KeyError::Missing(_)) => match init_key(path, DEMO_PRINCIPAL) {
            // Another process created it meanwhile.
            Err(KeyError::Exists(_)) => Signer::load(path),
            r => r,
        },
        r => r,
    }
}

/// Only the public half of a key file's `.pub` (for trusting the data-dir key in `verify`
/// without reading the private key).
pub fn read_public(path: &Path) -> Result<Option<([u8; 32], String)>, KeyError> {
    let p = pub_path(path);
    let text = match fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(KeyError::Io { path: p, err }),
    };
    let pk = ssh_key::PublicKey::from_openssh(text.trim()).map_err(|e| KeyError::Invalid {
        path: p.clone(),
        why: e.to_string(),
    })?;
    let key = pk.key_data().ed25519().ok_or_else(|| KeyError::Invalid {
        path: p.clone(),
        why: "not an ssh-ed25519 key".into(),
    })?;
    let comment: &str = pk.comment().as_ref();
    Ok(Some((key.0, comment.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        assert!(valid_principal("a.b-c_d@host.example"));
        assert!(valid_principal(DEMO_PRINCIPAL));
        for bad in ["", "a", "@h", "a@", "a b@h", "a@h_x", "a@b@c", "ä@h"] {
            assert!(!valid_principal(bad), "{bad}");
        }
    }

    #[test]
    fn init_load_and_refuse() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/signing_key");
        let s = init_key(&p, "rev@host").unwrap();
        assert_eq!(s.principal(), "rev@host");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = fs::metadata(p.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
        assert!(matches!(init_key(&p, "rev@host"), Err(KeyError::Exists(_))));
        let again = Signer::load(&p).unwrap();
        assert_eq!(again.fingerprint(), s.fingerprint());
        let (pubkey, comment) = read_public(&p).unwrap().unwrap();
        assert_eq!(&pubkey, s.public_key());
        assert_eq!(comment, "rev@host");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        let e = Signer::load(&p).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "Permissions 0644 for '{}' are too open.",
                p.display()
            )),
            "{e}"
        );
    }
}
