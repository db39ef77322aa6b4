//! `decide --note` screens the note like the review TUI: a refusal exits 2, names the rule,
//! repeats nothing it found, and writes nothing.

use crate::log_support;

use log_support::*;

#[test]
fn decide_refuses_a_note_with_identifiers_and_writes_nothing() {
    let env = Env::with_key("rev@clinic.example");
    let q = env.write_queue(1);
    let label_note = format!("called {} back", CANARIES[3]);
    for (note, rule) in [
        ("pt SSN 123-45-6789", "rule ssn"),
        ("born 3/7/1980", "rule birth-date"),
        ("call 555.123.4567", "rule phone"),
        (label_note.as_str(), "rule patient-label"),
    ] {
        let o = env.run_p(
            &[
                "decide",
                "--id",
                "D-0001",
                "--decision",
                "defer",
                "--note",
                note,
            ],
            &[&q],
        );
        let stderr = err(&o);
        assert_eq!(o.status.code(), Some(2), "{note}: {stderr}");
        assert!(stderr.contains(rule), "{note}: {stderr}");
        assert!(
            !stderr.contains(CANARIES[3]) && !stderr.contains("6789"),
            "{stderr}"
        );
        assert!(!env.log().exists(), "{note}: nothing may be written");
    }
    let o = env.run_p(
        &[
            "decide",
            "--id",
            "D-0001",
            "--decision",
            "defer",
            "--note",
            "NPI 1588800001, claim CLM-1, docs due 2026-12-15",
        ],
        &[&q],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(env.log().exists());
}
