//! The answer keys of the bundled training packs agree with the engine: the same check as
//! `p2review policy test sample_data/training/*.yaml`, through the library.

use std::path::{Path, PathBuf};

use p2review::engine::Engine;
use p2review::engine::scenario;

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

/// `training_accepts` may list an earlier version only if no answer a trainee is taught
/// changed: every pack item gets the same Part 2 status, notice and HIPAA status under each
/// accepted version as under the policy in force.
#[test]
fn accepted_training_versions_teach_the_same_answers() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let engine = Engine::load(None).unwrap();
    let now = engine.for_date(today).unwrap();
    let accepted = now.part2_policy().training_accepts.clone();
    assert!(!accepted.is_empty());
    for version in &accepted {
        let dir = tempfile::tempdir().unwrap();
        let (_, text) = p2review::policy::RELEASED
            .iter()
            .find(|(_, text)| {
                p2review::policy::parse(text, "released")
                    .is_ok_and(|p| p.kind.id() == "part2" && p.reference.version == *version)
            })
            .unwrap_or_else(|| panic!("part2 {version} is not bundled"));
        std::fs::write(dir.path().join("part2.yaml"), text).unwrap();
        let old_engine = Engine::load(Some(dir.path())).unwrap();
        let old = old_engine.for_date(today).unwrap();
        assert_eq!(&*old.part2_policy().reference.version, version.as_str());
        for file in packs() {
            let lq = p2review::queue::load_path(&file).unwrap();
            for d in &lq.queue.disclosures {
                let (a, b) = (
                    now.evaluate(&lq.queue, &lq.index, d),
                    old.evaluate(&lq.queue, &lq.index, d),
                );
                assert_eq!(
                    (a.part2.status, a.part2.notice.required, a.hipaa.status),
                    (b.part2.status, b.part2.notice.required, b.hipaa.status),
                    "{}: {} answers differently under part2 {version}",
                    file.display(),
                    d.id
                );
            }
        }
    }
}
