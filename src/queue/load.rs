//! Strict queue loading (SPEC §3.1). OWNER: queue-loading work. Placeholder until then.

use std::path::{Path, PathBuf};

use super::index::QueueIndex;
use super::model::Queue;

/// A queue as loaded from a file: validated, defaults filled, with its index and the
/// SHA-256 of the file's bytes (recorded in decision entries).
#[derive(Debug, Clone)]
pub struct LoadedQueue {
    pub path: PathBuf,
    pub queue: Queue,
    pub index: QueueIndex,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Why a queue could not be loaded. `Display` is the whole user-facing message: the file,
/// the place (line and column, or the path such as `disclosures[12].consent`), what is wrong
/// and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

pub fn load_path(path: &Path) -> Result<LoadedQueue, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        message: format!("{}: cannot read: {e}", path.display()),
    })?;
    let queue = load_bytes(&bytes, &path.display().to_string())?;
    let index = QueueIndex::build(&queue);
    Ok(LoadedQueue {
        path: path.to_owned(),
        queue,
        index,
        sha256: crate::digest::sha256_hex(&bytes),
    })
}

/// Parse and validate. `origin` names the input in messages.
pub fn load_bytes(bytes: &[u8], origin: &str) -> Result<Queue, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| LoadError {
        message: format!("{origin}: not UTF-8 text ({e})"),
    })?;
    let mut q: Queue = serde_yaml::from_str(text).map_err(|e| LoadError {
        message: format!("{origin}: {e}"),
    })?;
    let role = q.organization.role;
    for d in &mut q.disclosures {
        d.actor.get_or_insert(role);
        let ce = d.recipient.covered_entity();
        d.recipient.covered_entity = Some(ce);
        let p = d.proceeding_or_default();
        d.proceeding = Some(p);
    }
    Ok(q)
}
