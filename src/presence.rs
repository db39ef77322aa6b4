//! "This log is also open in another window": a presence file per open review window,
//! `<data dir>/open/<sha256 of the canonical log path>/<host>.<pid>`, removed when the window
//! closes. A file left by a process that died (same host, no such pid) is stale: removed
//! and ignored. Also the start-up check that the log can be written at all, so a reviewer
//! learns it before typing anything.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Another window with the same log open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherWindow {
    pub host: String,
    pub pid: u32,
}

/// This window's presence file; dropping it removes the file.
#[derive(Debug)]
pub struct Presence {
    file: Option<PathBuf>,
}

impl Drop for Presence {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            let _ = fs::remove_file(f);
        }
    }
}

fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty() && !h.contains(['/', '\0']))
        .unwrap_or_else(|| "localhost".into())
}

fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// The directory of the presence files of one log.
pub fn dir_for(data_root: &Path, log: &Path) -> PathBuf {
    let canonical = crate::paths::canonical_log_path(log).unwrap_or_else(|_| log.to_owned());
    let key = crate::digest::sha256_hex(canonical.as_os_str().as_encoded_bytes());
    data_root.join("open").join(key)
}

/// Announce this window (process `pid`) and list the other live ones. A failure to write
/// the presence file only loses the warning, never the review.
pub fn announce(data_root: &Path, log: &Path, pid: u32) -> (Presence, Vec<OtherWindow>) {
    let dir = dir_for(data_root, log);
    let me = host();
    let mut others = Vec::new();
    if let Ok(rd) = fs::read_dir(&dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some((h, p)) = name.rsplit_once('.') else {
                continue;
            };
            let Ok(p) = p.parse::<u32>() else { continue };
            if h == me && p == pid {
                continue;
            }
            if h == me && !alive(p) {
                let _ = fs::remove_file(e.path()); // stale: that window died
                continue;
            }
            others.push(OtherWindow {
                host: h.to_owned(),
                pid: p,
            });
        }
    }
    let file = dir.join(format!("{me}.{pid}"));
    let written = fs::create_dir_all(&dir)
        .and_then(|_| fs::write(&file, b""))
        .is_ok();
    others.sort_by(|a, b| (&a.host, a.pid).cmp(&(&b.host, b.pid)));
    (
        Presence {
            file: written.then_some(file),
        },
        others,
    )
}

/// The header warning for `others`, if any.
pub fn warning(others: &[OtherWindow]) -> Option<String> {
    let me = host();
    let first = others.first()?;
    let where_ = if first.host == me {
        format!("pid {}", first.pid)
    } else {
        format!("pid {} on {}", first.pid, crate::text::escape(&first.host))
    };
    let more = match others.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        "this log is also open in another window ({where_}{more}): its decisions appear here as they are recorded"
    ))
}

/// Why the log cannot be written, checked without writing to it: the file exists but
/// cannot be opened for appending, or it does not exist and cannot be created where it
/// should be. `None` when it looks writable.
pub fn unwritable(log: &Path) -> Option<String> {
    let why = match OpenOptions::new().append(true).open(log) {
        Ok(_) => return None,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = log
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let probe = dir.join(format!(".p2review-probe-{}", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&probe) {
                Ok(_) => {
                    let _ = fs::remove_file(&probe);
                    return None;
                }
                Err(e) => format!("cannot create it in {}: {e}", dir.display()),
            }
        }
        Err(e) => format!("cannot open it for writing: {e}"),
    };
    Some(format!(
        "THE LOG CANNOT BE WRITTEN ({}: {why}): decisions will not be recorded — fix the permissions or use --log",
        log.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_window_is_listed_and_a_dead_one_is_ignored() {
        let d = tempfile_dir();
        let log = d.join("decisions.jsonl");
        let (me, others) = announce(&d, &log, std::process::id());
        assert!(others.is_empty());
        // A second window of this process's parent (alive) and one of a dead pid.
        let dir = dir_for(&d, &log);
        let parent = std::os::unix::process::parent_id();
        fs::write(dir.join(format!("{}.{parent}", host())), b"").unwrap();
        fs::write(dir.join(format!("{}.{}", host(), u32::MAX - 1)), b"").unwrap();
        let (_second, others) = announce(&d, &log, std::process::id());
        assert_eq!(
            others,
            vec![OtherWindow {
                host: host(),
                pid: parent
            }]
        );
        assert!(warning(&others).unwrap().contains(&format!("pid {parent}")));
        assert!(
            !dir.join(format!("{}.{}", host(), u32::MAX - 1)).exists(),
            "stale removed"
        );
        let mine = dir.join(format!("{}.{}", host(), std::process::id()));
        drop(me);
        assert!(!mine.exists(), "removed when the window closes");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_log_in_a_missing_directory_is_unwritable() {
        let d = tempfile_dir();
        assert!(unwritable(&d.join("decisions.jsonl")).is_none());
        let w = unwritable(&d.join("missing/decisions.jsonl")).unwrap();
        assert!(w.contains("CANNOT BE WRITTEN"), "{w}");
        let _ = fs::remove_dir_all(&d);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "p2review-presence-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        fs::create_dir_all(&d).unwrap();
        d
    }
}
