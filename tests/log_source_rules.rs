//! docs/signed-log.md#appending: the log is never truncated, rewritten or renamed. No code under src/log may
//! truncate, resize, seek-and-write or rename a file — except the head file's tmp + rename.

use std::path::Path;

#[test]
fn no_truncate_seek_or_rename_in_the_log_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/log");
    let forbidden = [
        "set_len(",
        ".truncate(true)",
        "SeekFrom",
        ".seek(",
        "write_at(",
        "rename(",
        "remove_file(",
        "File::create(",
    ];
    let mut files = 0;
    let mut hits = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        files += 1;
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                // The head file (not the log) is replaced by tmp + rename, by design.
                let allowed =
                    name == "head.rs" && matches!(f, "rename(" | "remove_file(" | "File::create(");
                if code.contains(f) && !allowed {
                    hits.push(format!("src/log/{name}:{}: {f}", n + 1));
                }
            }
        }
    }
    assert!(
        files >= 10,
        "expected the log module's files, found {files}"
    );
    assert!(hits.is_empty(), "forbidden file operations: {hits:#?}");
    // The log itself is only ever opened for append (or read).
    let append = std::fs::read_to_string(dir.join("append.rs")).unwrap();
    assert!(append.contains(".append(true)"));
}
