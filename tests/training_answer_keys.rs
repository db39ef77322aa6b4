//! The answer keys of the bundled training packs agree with the engine: the same check as
//! `p2review policy test sample_data/training/*.yaml`, through the library.

use std::path::{Path, PathBuf};

use p2review::engine::Engine;
use p2review::policy::scenario;

fn packs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    assert!(v.len() >= 3, "training packs missing in {}", dir.display());
    v
}

#[test]
fn every_pack_answer_key_agrees_with_the_engine() {
    let engine = Engine::load(None).unwrap();
    let files = packs();
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let report = scenario::run(&engine, &paths, today).unwrap();
    for f in &report.failures {
        eprintln!("{f}");
    }
    assert_eq!(report.failed, 0, "{}", report.summary());
    assert!(report.passed >= 36, "only {} scenarios", report.passed);
}
