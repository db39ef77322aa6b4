//! The directory backend (docs/team.md#layout): a shared directory on the one host the
//! team works on.
//!
//! ```text
//! TEAM/team.yaml         settings            owner: team admin, not group/other-writable
//! TEAM/allowed_signers   the team's signers  owner: team admin, not group/other-writable
//! TEAM/logs/             1770 (sticky)       each reviewer's logs/<principal>.jsonl, 0640
//! TEAM/claims/           2770 (not sticky)   <queue sha256>.<disclosure id>.claim
//! ```
//!
//! The sticky bit on `logs/` stops anyone renaming or deleting another's log; `claims/` is
//! not sticky so an expired claim can be taken over. Every open checks the modes and names
//! the `chmod` to run when anything is looser.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::claims::{Claim, ClaimDir, ClaimInfo};
use super::{ItemKey, Settings, TeamError, TeamStore};
use crate::log::trust::{Trust, parse_allowed_signers};
use crate::paths::DataDir;

/// A team store in a directory.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
    settings: Settings,
    claims: ClaimDir,
}

fn io_err(path: &Path, what: &str, e: std::io::Error) -> TeamError {
    TeamError::Store(format!("{}: {what}: {e}", path.display()))
}

fn mode_of(path: &Path) -> Result<u32, TeamError> {
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .map_err(|e| {
            io_err(
                path,
                "missing or unreadable (is this a team directory made by `p2review team init`?)",
                e,
            )
        })
}

fn too_open(path: &Path, mode: u32, why: &str, chmod: &str) -> TeamError {
    TeamError::Store(format!(
        "Permissions {mode:04o} for '{}' are too open: {why}; run `chmod {chmod} '{}'`",
        path.display(),
        path.display()
    ))
}

impl DirStore {
    /// Create a team directory (the directory itself may exist if empty).
    pub fn init(root: &Path, settings: &Settings) -> Result<DirStore, TeamError> {
        match fs::read_dir(root) {
            Ok(mut it) => {
                if it.next().is_some() {
                    return Err(TeamError::Store(format!(
                        "{}: not empty; a team directory is created in a new or empty directory (nothing was changed)",
                        root.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(root).map_err(|e| io_err(root, "cannot create", e))?
            }
            Err(e) => return Err(io_err(root, "cannot read", e)),
        }
        let set = |p: &Path, m: u32| {
            fs::set_permissions(p, fs::Permissions::from_mode(m))
                .map_err(|e| io_err(p, "cannot set its mode", e))
        };
        set(root, 0o755)?;
        let write_new = |p: &Path, text: &str| -> Result<(), TeamError> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(p)
                .map_err(|e| io_err(p, "cannot create", e))?;
            f.write_all(text.as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(|e| io_err(p, "cannot write", e))
        };
        write_new(&root.join("team.yaml"), &settings.to_yaml())?;
        write_new(
            &root.join("allowed_signers"),
            "# the team's signers: one line per reviewer (`p2review team add-reviewer`)\n",
        )?;
        for (d, m) in [("logs", 0o1770), ("claims", 0o2770)] {
            let p = root.join(d);
            fs::create_dir(&p).map_err(|e| io_err(&p, "cannot create", e))?;
            set(&p, m)?;
        }
        DirStore::open(root)
    }

    /// Open an existing team directory, checking every mode.
    pub fn open(root: &Path) -> Result<DirStore, TeamError> {
        let root = root.to_owned();
        check_modes(&root)?;
        let yaml = root.join("team.yaml");
        let text = fs::read_to_string(&yaml).map_err(|e| io_err(&yaml, "cannot read", e))?;
        let settings =
            Settings::parse(&text, &yaml.display().to_string()).map_err(TeamError::Store)?;
        Ok(DirStore {
            claims: ClaimDir::new(&root.join("claims")),
            root,
            settings,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn allowed_signers_path(&self) -> PathBuf {
        self.root.join("allowed_signers")
    }

    /// Append `principal`'s public key (an OpenSSH `.pub` file's text) to the team's
    /// signers. Refuses a second key for a principal already listed, a key already listed
    /// under another principal, and anything but ssh-ed25519; nothing is written then.
    pub fn add_reviewer(&self, principal: &str, pubkey_text: &str) -> Result<String, TeamError> {
        let line = signer_line(principal, pubkey_text)?;
        let path = self.allowed_signers_path();
        let old = fs::read_to_string(&path).map_err(|e| io_err(&path, "cannot read", e))?;
        if old
            .lines()
            .any(|l| l.split_whitespace().next() == Some(principal))
        {
            return Err(TeamError::Store(format!(
                "{}: {} is already a reviewer of this team (nothing was changed); to replace a key, edit the file by hand and keep the old line's valid-before",
                path.display(),
                crate::text::escape(principal)
            )));
        }
        let mut new = old.clone();
        if !new.is_empty() && !new.ends_with('\n') {
            new.push('\n');
        }
        new.push_str(&line);
        new.push('\n');
        // The result must be a usable trust root (one key, one principal) before it is written.
        parse_allowed_signers(&new, &path)
            .map_err(|e| TeamError::Store(format!("{e}; nothing was changed")))?;
        let tmp = self.root.join(".allowed_signers.tmp");
        let _ = fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)
            .map_err(|e| io_err(&tmp, "cannot create", e))?;
        f.write_all(new.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| io_err(&tmp, "cannot write", e))?;
        fs::rename(&tmp, &path).map_err(|e| io_err(&path, "cannot replace", e))?;
        Ok(line)
    }
}

/// The allowed-signers line for `principal`'s public key (an OpenSSH `.pub` file's text):
/// both backends store exactly this line. Refuses a bad principal and anything but
/// ssh-ed25519.
pub(crate) fn signer_line(principal: &str, pubkey_text: &str) -> Result<String, TeamError> {
    if !crate::log::keys::valid_principal(principal) {
        return Err(TeamError::Store(format!(
            "--principal {}: not user@host (letters, digits, . _ -)",
            crate::text::escape(principal)
        )));
    }
    let pk = ssh_key::PublicKey::from_openssh(pubkey_text.trim()).map_err(|e| {
        TeamError::Store(format!(
            "--key: not an OpenSSH public key ({e}); give the reviewer's signing_key.pub"
        ))
    })?;
    let key = pk.key_data().ed25519().ok_or_else(|| {
        TeamError::Store("--key: not an ssh-ed25519 key; p2review signs with ed25519".into())
    })?;
    Ok(format!(
        "{principal} namespaces=\"{},{}\" ssh-ed25519 {}",
        crate::log::NS_DECISION,
        crate::log::NS_CHECKPOINT,
        data_encoding::BASE64.encode(&crate::log::sshsig::wire_public_key(&key.0))
    ))
}

/// Every mode rule of the layout; the first violation is the error.
fn check_modes(root: &Path) -> Result<(), TeamError> {
    let m = mode_of(root)?;
    if m & 0o022 != 0 {
        return Err(too_open(
            root,
            m,
            "group or others could rename logs/ or replace the team's settings",
            "go-w",
        ));
    }
    for f in ["team.yaml", "allowed_signers"] {
        let p = root.join(f);
        let m = mode_of(&p)?;
        if m & 0o022 != 0 {
            return Err(too_open(
                &p,
                m,
                "group or others could change who the team trusts",
                "go-w",
            ));
        }
    }
    let logs = root.join("logs");
    let m = mode_of(&logs)?;
    if m & 0o1000 == 0 || m & 0o007 != 0 {
        return Err(too_open(
            &logs,
            m,
            "logs/ must be sticky and closed to others, so nobody renames or deletes another's log",
            "1770",
        ));
    }
    let claims = root.join("claims");
    let m = mode_of(&claims)?;
    if m & 0o007 != 0 {
        return Err(too_open(
            &claims,
            m,
            "claims/ must be closed to others",
            "2770",
        ));
    }
    if m & 0o1000 != 0 {
        return Err(TeamError::Store(format!(
            "'{}' is sticky (mode {m:04o}): an expired claim could not be taken over; run `chmod 2770 '{}'`",
            claims.display(),
            claims.display()
        )));
    }
    for e in fs::read_dir(&logs).map_err(|e| io_err(&logs, "cannot list", e))? {
        let p = e.map_err(|e| io_err(&logs, "cannot list", e))?.path();
        if p.extension().is_none_or(|x| x != "jsonl") {
            continue;
        }
        let m = mode_of(&p)?;
        if m & 0o037 != 0 {
            return Err(too_open(
                &p,
                m,
                "a reviewer's log is written only by its reviewer and read by the team",
                "640",
            ));
        }
    }
    Ok(())
}

impl TeamStore for DirStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn trust(&self) -> Result<Trust, TeamError> {
        let p = self.allowed_signers_path();
        let text = fs::read_to_string(&p).map_err(|e| io_err(&p, "cannot read", e))?;
        parse_allowed_signers(&text, &p).map_err(|e| TeamError::Store(e.to_string()))
    }

    fn trust_stamp(&self) -> Option<(u64, Option<std::time::SystemTime>)> {
        let m = fs::metadata(self.allowed_signers_path()).ok()?;
        Some((m.len(), m.modified().ok()))
    }

    /// `logs/<principal>.jsonl`, created empty with mode 0640 on first use (the appender
    /// writes genesis into an empty log).
    fn reviewer_log(&self, principal: &str, _data: &DataDir) -> Result<PathBuf, TeamError> {
        if !crate::log::keys::valid_principal(principal) {
            return Err(TeamError::Store(format!(
                "principal {} cannot name a team log",
                crate::text::escape(principal)
            )));
        }
        let p = self.root.join("logs").join(format!("{principal}.jsonl"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o640)
            .open(&p)
        {
            Ok(_) => fs::set_permissions(&p, fs::Permissions::from_mode(0o640))
                .map_err(|e| io_err(&p, "cannot set its mode", e))?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err(&p, "cannot create your team log", e)),
        }
        Ok(p)
    }

    fn logs(&self) -> Result<Vec<PathBuf>, TeamError> {
        let dir = self.root.join("logs");
        let mut v: Vec<PathBuf> = fs::read_dir(&dir)
            .map_err(|e| io_err(&dir, "cannot list", e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        v.sort();
        Ok(v)
    }

    fn now_ms(&self) -> Result<i64, TeamError> {
        Ok(super::claims::now_ms())
    }

    fn claim(&self, item: &ItemKey, principal: &str, lease: Duration) -> Result<Claim, TeamError> {
        self.claims.claim(item, principal, lease)
    }

    fn renew(&self, claim: &Claim) -> Result<Claim, TeamError> {
        self.claims.renew(claim)
    }

    fn still_held(&self, claim: &Claim) -> Result<(), TeamError> {
        self.claims.still_held(claim)
    }

    fn decided(&self, claim: &Claim, entry: &str) -> Result<(), TeamError> {
        self.claims.decided(claim, entry)
    }

    fn drop_claim(&self, claim: &Claim) -> Result<(), TeamError> {
        self.claims.drop_claim(claim)
    }

    fn release(&self, id: &str) -> Result<Vec<ClaimInfo>, TeamError> {
        self.claims.release(id)
    }

    fn claims(&self) -> Result<Vec<ClaimInfo>, TeamError> {
        self.claims.list()
    }

    fn decided_entry(&self, item: &ItemKey) -> Result<Option<(String, String)>, TeamError> {
        self.claims.decided_entry(item)
    }

    fn redecided(&self, item: &ItemKey, holder: &str, entry: &str) -> Result<(), TeamError> {
        self.claims.redecided(item, holder, entry)
    }
}
