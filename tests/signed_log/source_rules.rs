//! Rules about the source itself, checked by reading it.
//!
//! docs/signed-log.md#appending: the log is never truncated, rewritten or renamed. No code under src/log may
//! truncate, resize, seek-and-write or rename a file — except the head file's tmp + rename.
//!
//! docs/ARCHITECTURE.md: the result vocabulary (`src/verdict.rs`) is a leaf, and queue, facts, policy,
//! decision and log never import the engine, which consumes them; every top-level module
//! imports only the layers before it (`scripts/module-graph --check`); color-eyre is the CLI
//! edge's (src/cli, src/main.rs): the core returns typed errors that keep their causes.

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

/// Every `.rs` file at or under `path` (a file or a directory).
fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            rust_files(&e.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|x| x == "rs") {
        out.push(path.to_path_buf());
    }
}

#[test]
fn the_layers_below_the_engine_never_import_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for layer in [
        "src/queue",
        "src/facts",
        "src/policy",
        "src/decision.rs",
        "src/log",
        "src/verdict.rs",
    ] {
        let p = root.join(layer);
        assert!(
            p.exists(),
            "{layer} is gone: update this test and docs/ARCHITECTURE.md"
        );
        rust_files(&p, &mut files);
    }
    assert!(
        files.len() >= 30,
        "expected the core's files, found {}",
        files.len()
    );
    let mut hits = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("crate::engine") || line.contains("p2review::engine") {
                let rel = p.strip_prefix(root).unwrap().display();
                hits.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "these files import the engine; take the types from crate::verdict (results) or \
         crate::policy (PolicyError) instead: {hits:#?}"
    );
}

#[test]
fn the_verdict_vocabulary_is_a_leaf() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/verdict.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let hits: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split("//").next().unwrap_or_default();
            code.contains("crate::") || code.contains("super::")
        })
        .map(|(n, l)| format!("src/verdict.rs:{}: {}", n + 1, l.trim()))
        .collect();
    assert!(
        hits.is_empty(),
        "src/verdict.rs must import nothing from the crate: {hits:#?}"
    );
}

/// docs/ARCHITECTURE.md: the TUI shell knows no screen (each screen plugs in through its
/// `Screen`), and the screens never import each other; only the shell runs a terminal loop.
#[test]
fn the_tui_shell_knows_no_screen_and_screens_do_not_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let screens = ["review", "supervisor", "train"];
    let mut hits = Vec::new();
    let mut check = |dir: &str, forbidden: &[String]| {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "{dir} is gone: update this test");
        for p in &files {
            let text = std::fs::read_to_string(p).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for f in forbidden {
                    if code.contains(f.as_str()) {
                        let rel = p.strip_prefix(root).unwrap().display();
                        hits.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
    };
    let all: Vec<String> = screens.iter().map(|s| format!("tui::{s}")).collect();
    check("src/tui/shell", &all);
    for s in screens {
        let mut others: Vec<String> = screens
            .iter()
            .filter(|o| **o != s)
            .map(|o| format!("tui::{o}"))
            .collect();
        // A screen's own loop would bypass the shell's restore, paste and too-small rules.
        others.extend(["event::read(".into(), "enable_raw_mode".into()]);
        check(&format!("src/tui/{s}"), &others);
    }
    assert!(hits.is_empty(), "{hits:#?}");
}

/// docs/ARCHITECTURE.md#errors: `eyre`/`color_eyre` reports are for the CLI edge only; a
/// library caller of the core gets error types it can match and whose causes it can walk.
#[test]
fn only_the_cli_edge_uses_eyre() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() >= 100, "found {} files", files.len());
    let edge = [root.join("src/cli"), root.join("src/main.rs")];
    let mut checked = 0;
    let mut hits = Vec::new();
    for p in files
        .iter()
        .filter(|p| !edge.iter().any(|e| p.starts_with(e)))
    {
        checked += 1;
        let text = std::fs::read_to_string(p).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("eyre") {
                let rel = p.strip_prefix(root).unwrap().display();
                hits.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(checked >= 80, "checked only {checked} files");
    assert!(
        hits.is_empty(),
        "the core must not use eyre/color_eyre: return a typed error (thiserror) and \
         let src/cli add context: {hits:#?}"
    );
}

/// docs/ARCHITECTURE.md#what-may-import-what, checked by the script that prints the graph.
#[test]
fn every_module_imports_only_the_layers_before_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new("bash")
        .arg(root.join("scripts/module-graph"))
        .arg("--check")
        .output()
        .expect("bash runs scripts/module-graph");
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // The listing names real edges (a broken grep would pass the check vacuously).
    let o = std::process::Command::new("bash")
        .arg(root.join("scripts/module-graph"))
        .output()
        .unwrap();
    let graph = String::from_utf8_lossy(&o.stdout);
    assert!(
        graph
            .lines()
            .any(|l| l.starts_with("engine ") && l.contains("policy")),
        "{graph}"
    );
}
