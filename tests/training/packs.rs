//! The bundled training packs are well-formed packs: a `pack:` block, enough scenarios,
//! and a complete answer key on every one. (That the keys agree with the engine is checked
//! by running `policy test` over them in tests/training/answer_keys.rs.)

use std::path::Path;

use p2review::training::load_pack;

const PACKS: [&str; 4] = [
    "basics",
    "consent-validity",
    "legal-and-exceptions",
    "breach-response",
];

#[test]
fn every_bundled_pack_loads_with_a_full_answer_key() {
    let mut total = 0;
    let mut ids = std::collections::HashSet::new();
    for name in PACKS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample_data/training")
            .join(format!("{name}.yaml"));
        let pack = load_pack(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pack.len() >= 12, "{name} has only {} scenarios", pack.len());
        assert!(ids.insert(pack.pack.id.clone()), "duplicate pack id");
        assert!(!pack.pack.version.is_empty());
        for d in &pack.loaded.queue.disclosures {
            let teach = d.expect.as_ref().and_then(|e| e.teach.as_deref());
            assert!(
                teach.is_some_and(|t| t.len() > 20),
                "{name}/{}: every scenario needs a teaching note",
                d.id
            );
        }
        total += pack.len();
    }
    assert!(total >= 56, "only {total} scenarios in all");
}

#[test]
fn a_queue_without_a_pack_block_or_answer_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.yaml");
    std::fs::write(
        &plain,
        "schema: p2review.queue/1\norganization: { name: X, role: qso }\n",
    )
    .unwrap();
    let err = load_pack(&plain).unwrap_err().to_string();
    assert!(err.contains("not a training pack"), "{err}");

    let nokey = dir.path().join("nokey.yaml");
    std::fs::write(
        &nokey,
        "schema: p2review.queue/1\npack: { id: t, version: \"1\" }\n\
         organization: { name: X, role: qso }\n\
         programs: [{ id: h, name: H, part2: true }]\npatients: [{ ref: P-1 }]\n\
         disclosures:\n  - { id: D1, requested_on: 2026-01-01, patient: P-1, program: h,\n\
         \x20     recipient: { name: A, kind: health_plan }, purpose: payment,\n\
         \x20     expect: { part2: permitted, hipaa: permitted_tpo } }\n",
    )
    .unwrap();
    let err = load_pack(&nokey).unwrap_err().to_string();
    assert!(err.contains("expect.notice") && err.contains("D1"), "{err}");
}
