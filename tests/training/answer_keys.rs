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
    assert!(report.passed >= 56, "only {} scenarios", report.passed);
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

/// The `breach-response` pack: every written key (outcome, who first, by when) equals the key
/// recomputed by the code of `incident assess` / `incident list`, and the pack covers what
/// staff must learn (docs/incidents.md#training).
#[test]
fn every_breach_response_key_is_recomputed_and_the_pack_covers_the_rules() {
    use p2review::incident::scenario::{DueAnswer, First, key};
    use p2review::incident::{Actor, Outcome};
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training/breach-response.yaml");
    let lq = p2review::queue::load_path(&path).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut n = 0;
    for d in &lq.queue.disclosures {
        let x = d.expect.as_ref().unwrap();
        let s = x
            .incident
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no incident", d.id));
        let k = key(&lq.queue, d, s).unwrap_or_else(|e| panic!("{}: {e}", d.id));
        assert_eq!(
            x.outcome.as_deref(),
            Some(k.outcome.as_str()),
            "{}: outcome",
            d.id
        );
        assert_eq!(
            x.first_notice.as_deref(),
            Some(k.first.as_str()),
            "{}: first",
            d.id
        );
        assert_eq!(x.due.clone(), Some(k.due.as_string()), "{}: due", d.id);
        let teach = x.teach.as_deref().unwrap_or_default();
        assert!(
            teach.contains("CFR") || teach.contains("74 FR"),
            "{}: the explanation cites the paragraph: {teach}",
            d.id
        );
        if let Some(e) = &s.exception {
            seen.insert(format!("exception {e}"));
        }
        seen.insert(format!("outcome {}", k.outcome.as_str()));
        seen.insert(format!("actor {}", k.actor.as_str()));
        if d.records == p2review::queue::Records::CounselingNotes && k.outcome == Outcome::Breach {
            seen.insert("counseling notes breach".into());
        }
        if let Some(dl) = &s.delay {
            seen.insert(format!("delay {}", dl.form));
        }
        if k.actor == Actor::QsoBa && s.breach_notice_days.is_some_and(|t| t < 60) {
            seen.insert("qsoa shorter than 60".into());
        }
        if k.actor == Actor::QsoNonCe && k.due == DueAnswer::Contractual {
            seen.insert("non-ce contractual".into());
        }
        if k.first == First::Nobody {
            seen.insert("nobody first".into());
        }
        if let DueAnswer::Date(d) = k.due
            && d.format("%m-%d").to_string() == "02-29"
        {
            seen.insert("hhs leap year".into());
        }
        n += 1;
    }
    assert!(n >= 12, "only {n} scenarios");
    for want in [
        "exception unintentional_use",
        "exception inadvertent_internal",
        "exception could_not_retain",
        "outcome secured",
        "outcome low_probability",
        "outcome breach",
        "counseling notes breach",
        "actor qso_ba",
        "actor qso_non_ce",
        "actor part2_program",
        "actor lawful_holder",
        "qsoa shorter than 60",
        "non-ce contractual",
        "hhs leap year",
        "delay oral",
        "delay written",
        "nobody first",
    ] {
        assert!(seen.contains(want), "the pack lacks: {want} (has {seen:?})");
    }
}

/// Boundary keys written independently of the code (calendar arithmetic done by hand):
/// day 60, the HHS year-end date in and out of a leap year, a QSOA term, a delay.
#[test]
fn breach_response_boundary_keys_are_the_hand_computed_dates() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training/breach-response.yaml");
    let lq = p2review::queue::load_path(&path).unwrap();
    let due = |id: &str| {
        let d = lq.queue.disclosures.iter().find(|d| d.id == id).unwrap();
        let k = p2review::incident::scenario::key(
            &lq.queue,
            d,
            d.expect.as_ref().unwrap().incident.as_ref().unwrap(),
        )
        .unwrap();
        (k.first.as_str(), k.due.as_string())
    };
    assert_eq!(due("R01"), ("program", "2026-05-01".into())); // 2 March + 60
    assert_eq!(due("R10"), ("individuals", "2026-08-30".into())); // 1 July + 60, tie
    assert_eq!(due("R11"), ("program", "2026-04-16".into())); // QSOA 10 days
    assert_eq!(due("R12"), ("program", "contractual".into()));
    assert_eq!(due("R14"), ("individuals", "2028-02-29".into())); // HHS, 2027 → leap 2028
    assert_eq!(due("R15"), ("individuals", "2027-03-01".into())); // HHS, 2026 → 1 March
    assert_eq!(due("R16"), ("individuals", "2026-05-10".into())); // oral: 10 April + 30
    assert_eq!(due("R18"), ("individuals", "2026-05-19".into())); // told 20 March
    assert_eq!(due("R19"), ("individuals", "2026-04-30".into())); // agent: 1 March
    assert_eq!(due("R20"), ("none", "not_applicable".into()));
}

/// A written key that disagrees with the computed one fails `policy test` (and the pack
/// refuses to load), naming what differs.
#[test]
fn a_wrong_breach_key_fails_policy_test_and_pack_loading() {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/training/breach-response.yaml"),
    )
    .unwrap();
    let bad = src.replacen("due: \"2026-05-01\"", "due: \"2026-05-02\"", 1);
    assert_ne!(bad, src);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yaml");
    std::fs::write(&p, bad).unwrap();
    let engine = Engine::load(None).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let report = scenario::run(&engine, &[p.as_path()], today).unwrap();
    assert_eq!(report.failed, 1, "{:?}", report.failures);
    let msg = report.failures[0].to_string();
    assert!(
        msg.contains("R01") && msg.contains("due: expected 2026-05-02, computed 2026-05-01"),
        "{msg}"
    );
    let err = p2review::training::load_pack(&p).unwrap_err().to_string();
    assert!(err.contains("R01") && err.contains("due"), "{err}");
    // An unknown word is a problem, never a pass.
    let typo = src.replacen("nature: part2_identifying", "nature: part2_identifyin", 1);
    std::fs::write(&p, typo).unwrap();
    let report = scenario::run(&engine, &[p.as_path()], today).unwrap();
    assert_eq!(report.failed, 1);
    assert!(report.failures[0].to_string().contains("is not one of"));
}
