//! The reviewer's side of the mirror (docs/team.md#outbox): the signed lines of the data
//! dir's `decisions.jsonl`, read back to be inserted byte for byte, and the `outbox/` of
//! lines that were acknowledged locally but could not be sent.
//!
//! An outbox file is `outbox/<log id>.<seq, 20 digits>.line`: the line's exact bytes and
//! its LF, written to a temporary name, fsynced and renamed (the directory fsynced too), so
//! a crash leaves either the whole line or nothing. Files are removed only after the
//! transaction that inserted (or found) the same bytes committed.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// One complete line of a local log, read leniently (verification is the readers' job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub log_id: String,
    pub seq: i64,
    /// The line without its LF: the bytes the entry hash is over.
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// `(queue sha256, disclosure id)` of a decision entry.
    pub item: Option<(String, String)>,
}

/// A line as the mirror takes it: anything that is not a framed entry with a log id and a
/// seq (a torn fragment) is left out.
pub fn parse(bytes: &[u8]) -> Option<Line> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let e = v.get("e")?;
    let log_id = e.get("log")?.as_str()?;
    if log_id.len() != 32
        || !log_id
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    let seq = i64::try_from(e.get("seq")?.as_u64()?).ok()?;
    let item = (e.get("type")?.as_str()? == "decision")
        .then(|| {
            Some((
                e.get("queue")?.as_str()?.to_owned(),
                e.get("disclosure")?.as_str()?.to_owned(),
            ))
        })
        .flatten();
    Some(Line {
        log_id: log_id.to_owned(),
        seq,
        sha256: crate::digest::sha256_hex(bytes),
        bytes: bytes.to_vec(),
        item,
    })
}

/// The complete lines of `path` from byte `from` on, and the offset after the last one.
/// A missing log has no lines.
pub fn read_from(path: &Path, from: u64) -> std::io::Result<(Vec<Line>, u64)> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let from = if from > len { 0 } else { from };
    f.seek(SeekFrom::Start(from))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    let mut out = Vec::new();
    let mut pos = 0usize;
    while let Some(nl) = memchr::memchr(b'\n', &buf[pos..]) {
        if let Some(l) = parse(&buf[pos..pos + nl]) {
            out.push(l);
        }
        pos += nl + 1;
    }
    Ok((out, from + pos as u64))
}

/// The outbox directory of a data dir.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub dir: PathBuf,
}

impl Outbox {
    pub fn new(data_root: &Path) -> Outbox {
        Outbox {
            dir: data_root.join("outbox"),
        }
    }

    fn name(l: &Line) -> String {
        format!("{}.{:020}.line", l.log_id, l.seq)
    }

    /// Keep `l` until it is sent (an existing file for the same log id and seq is kept).
    pub fn put(&self, l: &Line) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let _ = fs::set_permissions(
            &self.dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        );
        let path = self.dir.join(Self::name(l));
        if path.exists() {
            return Ok(());
        }
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", Self::name(l), std::process::id()));
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&l.bytes)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        fs::rename(&tmp, &path)?;
        File::open(&self.dir)?.sync_all()
    }

    /// Every line waiting, in (log id, seq) order. A file that is not one whole line is
    /// an error naming it (it is never sent or removed silently).
    pub fn list(&self) -> Result<Vec<(PathBuf, Line)>, String> {
        let rd = match fs::read_dir(&self.dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(format!(
                    "{}: cannot list the outbox: {e}",
                    self.dir.display()
                ));
            }
        };
        let mut out = Vec::new();
        for e in rd {
            let p = e
                .map_err(|e| format!("{}: cannot list the outbox: {e}", self.dir.display()))?
                .path();
            if p.extension().is_none_or(|x| x != "line") {
                continue;
            }
            let bytes = fs::read(&p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            let line = bytes
                .strip_suffix(b"\n")
                .and_then(parse)
                .ok_or_else(|| {
                    format!(
                        "{}: not one signed line; move it aside and run `p2review log verify` on your log",
                        p.display()
                    )
                })?;
            out.push((p, line));
        }
        out.sort_by(|a, b| (&a.1.log_id, a.1.seq).cmp(&(&b.1.log_id, b.1.seq)));
        Ok(out)
    }

    /// How many lines wait (for `team status`).
    pub fn count(&self) -> usize {
        self.list().map_or(0, |v| v.len())
    }

    pub fn remove(&self, paths: &[PathBuf]) -> std::io::Result<()> {
        for p in paths {
            match fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !paths.is_empty() {
            File::open(&self.dir)?.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_keeps_exact_bytes_in_order_and_refuses_damage() {
        let d = std::env::temp_dir().join(format!("p2r-outbox-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        let ob = Outbox::new(&d);
        let mk = |seq: u64| {
            let b = format!(
                r#"{{"e":{{"log":"0123456789abcdef0123456789abcdef","seq":{seq},"type":"decision","queue":"q","disclosure":"D{seq}"}},"sig":"x"}}"#
            );
            parse(b.as_bytes()).unwrap()
        };
        ob.put(&mk(10)).unwrap();
        ob.put(&mk(2)).unwrap();
        ob.put(&mk(2)).unwrap();
        let l = ob.list().unwrap();
        assert_eq!(l.iter().map(|x| x.1.seq).collect::<Vec<_>>(), vec![2, 10]);
        assert_eq!(l[0].1, mk(2));
        assert_eq!(l[0].1.item, Some(("q".into(), "D2".into())));
        fs::write(d.join("outbox/bad.line"), b"{\"e\":").unwrap();
        assert!(ob.list().unwrap_err().contains("not one signed line"));
        fs::remove_file(d.join("outbox/bad.line")).unwrap();
        ob.remove(&[l[0].0.clone()]).unwrap();
        assert_eq!(ob.count(), 1);
        assert!(parse(b"{\"e\":{\"log\":\"xyz\",\"seq\":1}}").is_none());
        let _ = fs::remove_dir_all(&d);
    }
}
