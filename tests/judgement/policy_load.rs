//! Policy files: what the bundled ones must hold, and the load errors a compliance
//! officer gets when editing them (file, rule id and field named).

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use p2review::engine::Engine;
use p2review::policy::{self, PolicySet};

const PART2: &str = include_str!("../../policies/part2.yaml");
const HIPAA: &str = include_str!("../../policies/hipaa.yaml");

/// 42 CFR 2.32(a)(1) and (a)(2) as published (89 FR 12626), for comparison.
const STATEMENT_1: &str = "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that describes the information contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, State, or local authority, against the patient, unless authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of the following applies:\n\n(i) Further use or disclosure is expressly permitted by the written consent of the individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.\n\n(ii) You are a covered entity or business associate and have received the record for treatment, payment, or health care operations, or\n\n(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E.\n\nA general authorization for the release of medical or other information is NOT sufficient to meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).";
const STATEMENT_2: &str =
    "42 CFR part 2 prohibits unauthorized use or disclosure of these records.";

fn parse_err(text: &str) -> String {
    policy::parse(text, "test/part2.yaml").unwrap_err().message
}

#[test]
fn bundled_statements_are_verbatim_and_short_is_the_default() {
    let p = policy::parse(PART2, "part2.yaml").unwrap();
    let st = p.statements.as_ref().unwrap();
    assert_eq!(st.long.trim_end(), STATEMENT_1);
    assert_eq!(st.short, STATEMENT_2);
    assert_eq!(p.statement, Some(STATEMENT_2));
    let long = PART2.replace("notice_statement: short", "notice_statement: long");
    let p = policy::parse(&long, "part2.yaml").unwrap();
    assert_eq!(p.statement, Some(STATEMENT_1));
    let bad = PART2.replace("notice_statement: short", "notice_statement: medium");
    assert!(parse_err(&bad).contains("field `notice_statement`: unknown value `medium`"));
}

#[test]
fn every_reference_row_is_encoded_or_listed_as_not_modelled() {
    let p = policy::parse(PART2, "part2.yaml").unwrap();
    let covered = p.rows_covered();
    let missing: Vec<String> = (1..=62)
        .map(|n| format!("A{n}"))
        .filter(|r| !covered.contains(r))
        .collect();
    assert!(
        missing.is_empty(),
        "rows neither encoded nor not_modelled: {missing:?}"
    );
    // A row is not both encoded and excused.
    let encoded: Vec<&String> = p.rules.iter().flat_map(|r| r.rows.iter()).collect();
    for nm in &p.not_modelled {
        for r in &nm.rows {
            assert!(
                !encoded.contains(&r),
                "{r} is encoded and listed as not modelled"
            );
        }
    }
}

#[test]
fn unsettled_rows_are_marked() {
    // Rows the reference tags [U] on the Part 2 side.
    let p = policy::parse(PART2, "part2.yaml").unwrap();
    for row in ["A10", "A11", "A13", "A15", "A16", "A36", "A39"] {
        let rules: Vec<_> = p
            .rules
            .iter()
            .filter(|r| r.rows.iter().any(|x| x == row))
            .collect();
        assert!(!rules.is_empty(), "{row} not encoded");
        assert!(
            rules.iter().all(|r| r.unsettled),
            "{row} rule not marked unsettled"
        );
    }
    let a5 = p
        .rules
        .iter()
        .find(|r| r.rows.iter().any(|x| x == "A5"))
        .unwrap();
    assert!(!a5.unsettled);
}

#[test]
fn bundled_policies_carry_id_version_and_hash() {
    let e = Engine::load(None).unwrap();
    let ev = e
        .for_date(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    let r = &ev.part2_policy().reference;
    assert_eq!((&*r.id, &*r.version), ("part2", "2024.2"));
    assert_eq!(r.sha256, p2review::digest::sha256_hex(PART2.as_bytes()));
    assert_eq!(
        ev.hipaa_policy().reference.sha256,
        p2review::digest::sha256_hex(HIPAA.as_bytes())
    );
    assert_eq!(
        ev.part2_policy().effective_from,
        NaiveDate::from_ymd_opt(2024, 4, 16).unwrap()
    );
}

#[test]
fn unknown_fact_names_file_rule_and_field() {
    let bad = PART2.replace("when: { va_records: true }", "when: { va_record: true }");
    let m = parse_err(&bad);
    assert!(
        m.starts_with(
            "test/part2.yaml: rule p2.va_records: field `when.va_record`: unknown fact `va_record`"
        ),
        "{m}"
    );
}

#[test]
fn unknown_fact_value_is_an_error() {
    let bad = PART2.replace(
        "when: { records: deidentified }",
        "when: { records: anonymised }",
    );
    let m = parse_err(&bad);
    assert!(
        m.contains("rule p2.deidentified: field `when.records`: unknown value `anonymised`"),
        "{m}"
    );
    assert!(
        m.contains("allowed: general, counseling_notes, deidentified"),
        "{m}"
    );
}

#[test]
fn unknown_operator_is_an_error() {
    let bad = PART2.replace("consent_status: { not: valid } }\n    status: consent_required\n    notice: false\n    redisclosure: none\n    cite: [\"42 CFR 2.31(b)(1)-(3)\"]",
        "consent_status: { unlike: valid } }\n    status: consent_required\n    notice: false\n    redisclosure: none\n    cite: [\"42 CFR 2.31(b)(1)-(3)\"]");
    assert_ne!(bad, PART2);
    let m = parse_err(&bad);
    assert!(m.contains("rule p2.counseling_notes.no_consent: field `when.consent_status.unlike`: unknown operator `unlike`"), "{m}");
}

#[test]
fn unknown_outcome_values_are_errors() {
    let bad = PART2.replacen("status: not_applicable", "status: allowed", 1);
    let m = parse_err(&bad);
    assert!(
        m.contains("rule p2.not_part2_records: field `status`: unknown value `allowed`"),
        "{m}"
    );
    let bad = PART2.replacen("redisclosure: not_applicable", "redisclosure: anywhere", 1);
    let m = parse_err(&bad);
    assert!(
        m.contains("rule p2.not_part2_records: field `redisclosure`: unknown value `anywhere`"),
        "{m}"
    );
    let bad = HIPAA.replacen("status: not_phi", "status: fine", 1);
    let m = policy::parse(&bad, "hipaa.yaml").unwrap_err().message;
    assert!(
        m.contains("rule hipaa.deidentified: field `status`: unknown value `fine`"),
        "{m}"
    );
}

#[test]
fn inconsistent_outcomes_are_errors() {
    // A blocking verdict cannot let the recipient redisclose, and only consent-based
    // verdicts carry the notice (docs/evaluation-json.md).
    let bad = PART2.replacen(
        "status: consent_required\n    notice: false\n    redisclosure: none",
        "status: consent_required\n    notice: false\n    redisclosure: consent_only",
        1,
    );
    assert!(parse_err(&bad).contains("field `redisclosure`: must be none"));
    let bad = PART2.replacen(
        "status: permitted_with_notice\n    notice: true",
        "status: permitted_with_notice\n    notice: false",
        1,
    );
    assert!(parse_err(&bad).contains("field `notice`: must be true exactly when"));
}

#[test]
fn unknown_rule_field_names_the_rule() {
    let bad = PART2.replacen("    unsettled: true\n", "    unsetled: true\n", 1);
    let m = parse_err(&bad);
    assert!(
        m.contains("rule p2.restriction.self_pay.plan_audit: unknown field `unsetled`"),
        "{m}"
    );
}

#[test]
fn duplicate_rule_ids_and_missing_default_are_errors() {
    let bad = PART2.replace(
        "id: p2.deidentified\n",
        "id: p2.deidentified.public_health\n",
    );
    assert!(
        parse_err(&bad)
            .contains("rule p2.deidentified.public_health: field `id`: duplicate rule id")
    );
    let i = PART2.find("  - id: p2.consent_required").unwrap();
    let j = PART2.find("not_modelled:").unwrap();
    let bad = format!("{}{}", &PART2[..i], &PART2[j..]);
    let m = parse_err(&bad);
    assert!(
        m.contains(
            "rule p2.payment.no_consent: field `when`: the last rule must have no conditions"
        ),
        "{m}"
    );
}

#[test]
fn bad_rows_and_unknown_policy_ids_are_errors() {
    let bad = PART2.replace("rows: [A57]", "rows: [A63]");
    assert!(
        parse_err(&bad).contains("rule p2.va_records: field `rows`: `A63` is not a reference row")
    );
    let bad = PART2.replacen("id: part2", "id: part3", 1);
    assert!(parse_err(&bad).contains("field `id`: unknown policy id `part3`"));
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn overlapping_versions_are_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", PART2);
    write(
        dir.path(),
        "b.yaml",
        &PART2
            .replace("version: \"2024.2\"", "version: \"2026.1\"")
            .replace("effective_from: 2024-04-16", "effective_from: 2026-02-16"),
    );
    let m = PolicySet::load(Some(dir.path())).unwrap_err().message;
    assert!(
        m.contains("a.yaml (version 2024.2)") && m.contains("b.yaml (version 2026.1)"),
        "{m}"
    );
    assert!(m.contains("overlap"), "{m}");
}

#[test]
fn consecutive_versions_pick_the_one_in_force() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        &PART2.replace(
            "effective_from: 2024-04-16",
            "effective_from: 2024-04-16\neffective_to: 2026-02-15",
        ),
    );
    write(
        dir.path(),
        "b.yaml",
        &PART2
            .replace("version: \"2024.2\"", "version: \"2026.1\"")
            .replace("effective_from: 2024-04-16", "effective_from: 2026-02-16"),
    );
    let e = Engine::load(Some(dir.path())).unwrap();
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        e.for_date(d(2026, 2, 15))
            .unwrap()
            .part2_policy()
            .reference
            .version,
        "2024.2"
    );
    assert_eq!(
        e.for_date(d(2026, 2, 16))
            .unwrap()
            .part2_policy()
            .reference
            .version,
        "2026.1"
    );
    // The HIPAA policy was not in the directory: the bundled one stays.
    assert_eq!(
        e.for_date(d(2026, 2, 16))
            .unwrap()
            .hipaa_policy()
            .reference
            .id,
        "hipaa"
    );
}

#[test]
fn no_policy_in_force_names_the_date() {
    let e = Engine::load(None).unwrap();
    let m = e
        .for_date(NaiveDate::from_ymd_opt(2024, 4, 15).unwrap())
        .unwrap_err()
        .message;
    assert!(
        m.contains("no part2 policy is in force on 2024-04-15"),
        "{m}"
    );
    assert!(
        e.for_date(NaiveDate::from_ymd_opt(2024, 4, 16).unwrap())
            .is_ok()
    );
}

#[test]
fn policy_check_exit_codes() {
    let bin = || Command::new(env!("CARGO_BIN_EXE_p2review"));
    let ok = bin().args(["policy", "check"]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "part2.yaml",
        &PART2.replace("when: { va_records: true }", "when: { vaa: true }"),
    );
    let bad = bin()
        .args(["policy", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8(bad.stdout).unwrap();
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(
        out.contains("part2.yaml: rule p2.va_records: field `when.vaa`: unknown fact `vaa`"),
        "{out}"
    );
    let missing = bin()
        .args(["policy", "check"])
        .arg(dir.path().join("none.yaml"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    // `evaluate` with an invalid --policy is a load error: exit 2 with the loader's message.
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/consents.yaml");
    let ev = bin()
        .arg("--policy")
        .arg(dir.path())
        .arg("evaluate")
        .arg(&q)
        .output()
        .unwrap();
    assert_eq!(ev.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&ev.stderr).contains("unknown fact `vaa`"));
}

#[test]
fn policy_file_replaces_only_its_own_id_and_long_statement_reaches_results() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "my-part2.yaml",
        &PART2
            .replace("version: \"2024.2\"", "version: \"2024.9-local\"")
            .replace("notice_statement: short", "notice_statement: long"),
    );
    let e = Engine::load(Some(&f)).unwrap();
    let ev = e
        .for_date(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    assert_eq!(ev.part2_policy().reference.version, "2024.9-local");
    assert_eq!(ev.hipaa_policy().reference.version, "2013.2");
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/consents.yaml");
    let lq = p2review::queue::load_path(&q).unwrap();
    let r = ev.evaluate(&lq.queue, &lq.index, &lq.queue.disclosures[0]);
    assert!(r.part2.notice.required);
    assert_eq!(r.part2.notice.statement.as_deref(), Some(STATEMENT_1));
    assert_eq!(r.policy.part2.version, "2024.9-local");
}

#[test]
fn the_policy_guide_lists_every_fact() {
    let guide = include_str!("../../policies/README.md");
    for name in policy::fact_names() {
        assert!(
            guide.contains(&format!("`{name}`")),
            "policies/README.md does not document `{name}`"
        );
    }
}

#[test]
fn default_engine_is_the_bundled_one() {
    let e = Engine::default();
    let ev = e
        .for_date(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    assert_eq!(
        ev.part2_policy().reference.sha256,
        p2review::digest::sha256_hex(PART2.as_bytes())
    );
}

/// Every released policy version stays bundled byte for byte (decision entries record its
/// SHA-256), and every version the policy in force accepts training under is one of them.
#[test]
fn earlier_releases_stay_bundled_and_training_accepts_names_them() {
    let old = p2review::policy::released("part2", "2024.1").expect("2024.1 is bundled");
    assert_eq!(
        old.reference.sha256,
        "d3ac287cd3913526667f6518410721e2d152d8c49b7adeac0150033e648fe6a3"
    );
    let hipaa = p2review::policy::released("hipaa", "2013.1").expect("2013.1 is bundled");
    assert_eq!(
        hipaa.reference.sha256,
        "f892397d2c0edc90c18b52a053f9ef3e805b98eccf2e6fa679454d1e061e83c2"
    );
    assert!(p2review::policy::released("part2", "1999.9").is_none());
    let e = Engine::load(None).unwrap();
    let now = e
        .for_date(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        .unwrap();
    let now = now.part2_policy();
    assert!(p2review::policy::released("part2", &now.reference.version).is_some());
    for v in &now.training_accepts {
        assert!(
            p2review::policy::released("part2", v).is_some(),
            "training_accepts names {v}, which is not a released version"
        );
    }
}

#[test]
fn training_accepts_may_not_list_the_files_own_version() {
    let bad = PART2.replacen(
        "training_accepts: [\"2024.1\"]",
        "training_accepts: [\"2024.2\"]",
        1,
    );
    assert_ne!(bad, PART2);
    let m = p2review::policy::parse(&bad, "test/part2.yaml")
        .unwrap_err()
        .message;
    assert!(
        m.contains("training_accepts") && m.contains("2024.2"),
        "{m}"
    );
}
