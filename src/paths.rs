//! Where p2review keeps its files (docs/cli.md#files-in-the-data-dir): one data dir, overridable with `--data-dir`
//! or `P2REVIEW_DATA_DIR`, defaulting to the platform data dir from `directories`.

use std::path::{Path, PathBuf};

/// Why the data dir cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathsError {
    #[error(
        "cannot find a home directory for the data dir; pass --data-dir DIR or set P2REVIEW_DATA_DIR"
    )]
    NoHome,
    /// Group- or other-writable (`mode`: the permission bits found).
    #[error(
        "Permissions {mode:04o} for '{}' are too open: group or others can write there and could replace the head files that anchor the logs; run `chmod go-w '{}'`",
        dir.display(),
        dir.display()
    )]
    TooOpen { dir: PathBuf, mode: u32 },
}

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// `explicit` wins; otherwise the platform data dir (e.g. `~/.local/share/p2review`).
    pub fn resolve(explicit: Option<&Path>) -> Result<DataDir, PathsError> {
        if let Some(p) = explicit {
            return Ok(DataDir { root: p.to_owned() });
        }
        directories::ProjectDirs::from("", "", "p2review")
            .map(|d| DataDir {
                root: d.data_dir().to_owned(),
            })
            .ok_or(PathsError::NoHome)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Refuse a data dir or heads dir that group or others can write to, as OpenSSH's
    /// StrictModes does: whoever can write there can delete or replace the head files that
    /// anchor the logs. Missing dirs are fine (they are created 0700).
    pub fn check_strict_modes(&self) -> Result<(), PathsError> {
        check_not_shared_writable(&self.root)?;
        check_not_shared_writable(&self.heads_dir())
    }
    /// The production decision log.
    pub fn decisions_log(&self) -> PathBuf {
        self.root.join("decisions.jsonl")
    }
    pub fn demo_log(&self) -> PathBuf {
        self.root.join("demo-decisions.jsonl")
    }
    pub fn training_log(&self) -> PathBuf {
        self.root.join("training.jsonl")
    }
    pub fn signing_key(&self) -> PathBuf {
        self.root.join("signing_key")
    }
    /// Demo mode signs with its own key (`demo@p2review.invalid`), never the reviewer's.
    pub fn demo_key(&self) -> PathBuf {
        self.root.join("demo_signing_key")
    }
    pub fn heads_dir(&self) -> PathBuf {
        self.root.join("heads")
    }
    pub fn pseudonym_key(&self) -> PathBuf {
        self.root.join("pseudonym.key")
    }
    pub fn config(&self) -> PathBuf {
        self.root.join("config.yaml")
    }
}

/// The log's canonical path (symlinks resolved): the file itself when it exists, else its
/// resolved directory joined with its name. Every spelling of one log gives one path, so
/// one lock and one `heads/by-path/` file.
pub fn canonical_log_path(log: &Path) -> std::io::Result<PathBuf> {
    match std::fs::canonicalize(log) {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = log.file_name().ok_or(e)?;
            let dir = log
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Ok(std::fs::canonicalize(dir)?.join(name))
        }
        Err(e) => Err(e),
    }
}

/// The lock file of a log: `<canonical log path>.lock`, whatever the spelling.
pub fn lock_path(log: &Path) -> std::io::Result<PathBuf> {
    let mut s = canonical_log_path(log)?.into_os_string();
    s.push(".lock");
    Ok(PathBuf::from(s))
}

/// `Err` (naming the chmod to run) when `dir` exists and is group- or other-writable.
pub fn check_not_shared_writable(dir: &Path) -> Result<(), PathsError> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(dir) {
        Ok(m) if m.permissions().mode() & 0o022 != 0 => Err(PathsError::TooOpen {
            dir: dir.to_owned(),
            mode: m.permissions().mode() & 0o7777,
        }),
        _ => Ok(()),
    }
}

/// How findings and exports name a log: a mirrored log of a PostgreSQL team is
/// `<store url without password>#<log id>` (docs/team.md#postgresql) rather than the
/// `/dev/fd/N` it is read through; any other log its path. The team backend registers
/// the labels; readers (`supervise`, the CLI) only look them up.
pub fn log_label(path: &Path) -> String {
    labels()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .cloned()
        .unwrap_or_else(|| path.display().to_string())
}

/// Name `path` as `label` in findings and exports (see [`log_label`]).
pub fn set_log_label(path: &Path, label: &str) {
    labels()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(path.to_owned(), label.to_owned());
}

fn labels() -> &'static std::sync::Mutex<std::collections::HashMap<PathBuf, String>> {
    static L: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, String>>> =
        std::sync::OnceLock::new();
    L.get_or_init(Default::default)
}
