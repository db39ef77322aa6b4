//! Supervisor analytics on a hand-computed fixture: merge order, filters at their edges,
//! summary figures, open escalations and the 2.25 accounting window.

use std::path::PathBuf;

use chrono::NaiveDate;
use p2review::supervise::*;

struct Row<'a> {
    log: &'a str,
    seq: u64,
    ts: &'a str,
    reviewer: &'a str,
    subject: &'a str,
    decision: &'a str,
    part2: &'a str,
    overrides: bool,
    supersedes: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
fn row<'a>(
    log: &'a str,
    seq: u64,
    ts: &'a str,
    reviewer: &'a str,
    subject: &'a str,
    decision: &'a str,
    part2: &'a str,
    overrides: bool,
    supersedes: Option<&'a str>,
) -> DecisionRecord {
    rec(Row {
        log,
        seq,
        ts,
        reviewer,
        subject,
        decision,
        part2,
        overrides,
        supersedes,
    })
}

fn rec(r: Row) -> DecisionRecord {
    let mut body = serde_json::json!({
        "v": 1, "log": r.log, "seq": r.seq, "prev": "0".repeat(64), "type": "decision",
        "ts": r.ts, "reviewer": r.reviewer, "key": "SHA256:x", "queue": "q",
        "disclosure": format!("D-{}", r.seq), "disclosure_sha256": "d", "subject": r.subject,
        "recipient": {"kind": "health_plan", "name": "Acme Health Plan"},
        "purpose": "payment", "as_of": "2026-11-28", "consent": "C-1", "consent_status": "valid",
        "part2": r.part2, "hipaa": "permitted_tpo", "rule": "p2.payment.tpo_consent",
        "unsettled": false, "policy": {}, "decision": r.decision, "override": r.overrides,
    });
    if let Some(s) = r.supersedes {
        body["supersedes"] = serde_json::Value::String(h(s));
        // A correction is about the item it names (`h-<log>-<seq>` is disclosure D-<seq>).
        if let Some(seq) = s.rsplit('-').next().filter(|x| x.parse::<u64>().is_ok()) {
            body["disclosure"] = serde_json::Value::String(format!("D-{seq}"));
        }
    }
    DecisionRecord::from_body(
        PathBuf::from(format!("{}.jsonl", r.log)),
        r.seq + 1,
        h(&format!("h-{}-{}", r.log, r.seq)),
        &body.to_string(),
        Verification::Verified,
    )
    .unwrap()
}

/// A test's entry label (`h-<log>-<seq>`) as the entry hash the log would hold.
fn h(label: &str) -> String {
    p2review::digest::sha256_hex(label.as_bytes())
}

fn hash(label: &str) -> Hash {
    Hash::parse_hex(&h(label)).unwrap()
}

const PWN: &str = "permitted_with_notice";
const CR: &str = "consent_required";

fn fixture() -> Vec<DecisionRecord> {
    merge(vec![
        row(
            "b",
            1,
            "2026-11-02T09:00:00.000Z",
            "bo@h",
            "P-2",
            "escalate",
            CR,
            false,
            None,
        ),
        row(
            "a",
            1,
            "2026-11-01T08:00:00.000Z",
            "ann@h",
            "P-1",
            "approve",
            PWN,
            false,
            None,
        ),
        row(
            "a",
            2,
            "2026-11-01T23:59:59.999Z",
            "ann@h",
            "P-1",
            "approve",
            CR,
            true,
            None,
        ),
        row(
            "c",
            1,
            "2026-11-03T00:00:00.000Z",
            "cy@h",
            "P-3",
            "escalate",
            "prohibited",
            false,
            None,
        ),
        row(
            "c",
            2,
            "2026-11-04T10:00:00.000Z",
            "cy@h",
            "P-2",
            "deny",
            CR,
            false,
            Some("h-b-1"),
        ),
        row(
            "b",
            2,
            "2026-11-04T11:00:00.000Z",
            "bo@h",
            "P-1",
            "defer",
            PWN,
            false,
            None,
        ),
        row(
            "a",
            3,
            "2023-11-28T12:00:00.000Z",
            "ann@h",
            "P-1",
            "approve",
            PWN,
            false,
            None,
        ),
        row(
            "a",
            4,
            "2023-11-27T12:00:00.000Z",
            "ann@h",
            "P-1",
            "approve",
            PWN,
            false,
            None,
        ),
    ])
}

fn nov(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[test]
fn merge_is_time_ordered_across_logs() {
    let order: Vec<(String, u64)> = fixture()
        .iter()
        .map(|r| (r.body.log.to_string(), r.body.seq))
        .collect();
    let want = [
        ("a", 4),
        ("a", 3),
        ("a", 1),
        ("a", 2),
        ("b", 1),
        ("c", 1),
        ("c", 2),
        ("b", 2),
    ]
    .map(|(l, s)| (l.to_owned(), s));
    assert_eq!(order, want);
}

#[test]
fn summary_figures_match_the_hand_count() {
    let s = summarize(&fixture());
    let ann = &s.reviewers[0];
    assert_eq!(ann.reviewer, "ann@h");
    assert_eq!((ann.total, ann.approve, ann.overrides), (4, 4, 1));
    assert_eq!(ann.override_rate_percent(), 25.0);
    let bo = &s.reviewers[1];
    assert_eq!((bo.total, bo.escalate, bo.defer), (2, 1, 1));
    let cy = &s.reviewers[2];
    assert_eq!((cy.total, cy.escalate, cy.deny), (2, 1, 1));
    assert_eq!((s.totals.total, s.totals.overrides), (8, 1));
    // b/1 was resolved by c/2's supersedes; c/1 is still open.
    assert_eq!(s.open_escalations, vec![hash("h-c-1")]);
    assert_eq!(s.per_day.get(&nov(1)), Some(&2));
    assert_eq!(s.per_day.get(&nov(4)), Some(&2));
    assert_eq!(s.per_day.values().sum::<u64>(), 8);
}

#[test]
fn filters_and_their_edges() {
    let f = fixture();
    // --since/--until are inclusive on the UTC date: 23:59:59.999 on the 1st is the 1st.
    let only_first = Filter {
        since: Some(nov(1)),
        until: Some(nov(1)),
        ..Default::default()
    };
    assert_eq!(only_first.apply(&f).len(), 2);
    let none = Filter {
        since: Some(nov(5)),
        ..Default::default()
    };
    assert!(none.apply(&f).is_empty());
    let inverted = Filter {
        since: Some(nov(4)),
        until: Some(nov(1)),
        ..Default::default()
    };
    assert!(inverted.apply(&f).is_empty());
    let ovr = Filter {
        overrides_only: true,
        ..Default::default()
    };
    assert_eq!(ovr.apply(&f).len(), 1);
    let combo = Filter {
        reviewer: Some("bo@h".into()),
        patient: Some("P-1".into()),
        decision: Some("defer".into()),
        part2: Some(PWN.into()),
        ..Default::default()
    };
    assert_eq!(combo.apply(&f).len(), 1);
    let unknown = Filter {
        reviewer: Some("nobody@h".into()),
        ..Default::default()
    };
    assert!(unknown.apply(&f).is_empty());
}

fn acc(recs: &[DecisionRecord], patient: &str, until: NaiveDate) -> Accounting {
    accounting(recs, patient, Period { since: None, until }, None)
}

/// `r` with other body fields (the fixture's rows are payment disclosures under C-1).
/// The compact body is read back through the lenient reader (as from a log line).
fn with(r: DecisionRecord, f: impl FnOnce(&mut serde_json::Value)) -> DecisionRecord {
    let mut v = serde_json::to_value(&r.body).unwrap();
    v["type"] = "decision".into();
    v["ts"] = r.ts_text().into();
    v["override"] = v["override_"].take();
    if v["disclosure_sha256"].is_null() {
        v["disclosure_sha256"] = "d".into();
    }
    f(&mut v);
    DecisionRecord::from_body(
        r.log_path.clone(),
        r.line,
        r.entry_sha256.hex(),
        &v.to_string(),
        r.verification.clone(),
    )
    .unwrap()
}

#[test]
fn accounting_has_one_row_per_effective_approval_within_three_years() {
    let f = fixture();
    let a = acc(&f, "P-1", nov(28));
    // D-1 (consent-based approval), D-2 (an override: included, with the stated basis) and
    // D-3 (exactly three years back: inside); not D-4 (one day too old), not b/2's D-2
    // deferral (D-2 is counted once, for its approval).
    let ids: Vec<&str> = a.rows.iter().map(|r| r.disclosure.as_str()).collect();
    assert_eq!(ids, ["D-3", "D-1", "D-2"]);
    assert_eq!(a.rows[1].basis, "consent C-1");
    assert_eq!(a.rows[1].required_by, RequiredBy::Part2Ehr);
    assert!(a.rows[1].required_by_unsettled);
    assert!(a.rows[2].overrides);
    assert!(a.rows[2].basis.starts_with("override: "));
    assert_eq!(a.rows[2].required_by, RequiredBy::Hipaa);
    assert!(a.rows[2].conflict, "b/2 deferred the same item");
    assert_eq!(
        a.overrides()
            .map(|r| r.disclosure.as_str())
            .collect::<Vec<_>>(),
        ["D-2"]
    );
    assert!(acc(&f, "P-9", nov(28)).rows.is_empty());
}

/// required_by per purpose and basis, and the six-year period of 164.528 rows.
#[test]
fn required_by_follows_purpose_and_basis_and_sets_the_period() {
    let at =
        |ts: &str, f: &dyn Fn(&mut serde_json::Value)| with(approval("a", 1, ts, "P-1"), |v| f(v));
    let req = |r: DecisionRecord| {
        let a = acc(&[r], "P-1", nov(28));
        a.rows.first().map(|r| r.required_by)
    };
    let recent = "2026-11-01T08:00:00.000Z";
    assert_eq!(req(at(recent, &|_| {})), Some(RequiredBy::Part2Ehr));
    assert_eq!(
        req(at(recent, &|v| v["purpose"] = "research".into())),
        Some(RequiredBy::Part2Consent)
    );
    let no_consent = |v: &mut serde_json::Value| {
        v["consent"] = serde_json::Value::Null;
        v["part2"] = "permitted".into();
        v["rule"] = "p2.emergency".into();
        v["policy"] =
            serde_json::json!({"part2": {"id": "part2", "version": "2024.2", "sha256": "x"}});
    };
    // TPO without a consent: nothing requires it (still listed).
    assert_eq!(req(at(recent, &no_consent)), Some(RequiredBy::None));
    let public_health = |v: &mut serde_json::Value| {
        no_consent(v);
        v["purpose"] = "public_health".into();
        v["hipaa"] = "permitted_no_auth".into();
    };
    assert_eq!(req(at(recent, &public_health)), Some(RequiredBy::Hipaa));
    // Five years back: outside 3 years, inside the 6 of 164.528.
    let old = "2021-12-01T08:00:00.000Z";
    assert_eq!(req(at(old, &public_health)), Some(RequiredBy::Hipaa));
    assert_eq!(req(at(old, &|_| {})), None);
    assert_eq!(req(at("2020-11-27T08:00:00.000Z", &public_health)), None);
    // An exception's basis cites the policy version the entry names.
    let a = acc(&[at(recent, &no_consent)], "P-1", nov(28));
    assert!(
        a.rows[0]
            .basis
            .starts_with("rule p2.emergency (42 CFR 2.51"),
        "{}",
        a.rows[0].basis
    );
    let a = acc(
        &[at(recent, &|v| {
            no_consent(v);
            v["policy"]["part2"]["version"] = "1999.9".into();
        })],
        "P-1",
        nov(28),
    );
    assert!(
        a.rows[0].basis.contains("1999.9 is not bundled"),
        "{}",
        a.rows[0].basis
    );
    // --since overrides the default look-back.
    let a = accounting(
        &[at(old, &|_| {})],
        "P-1",
        Period {
            since: Some(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()),
            until: nov(28),
        },
        None,
    );
    assert_eq!(a.rows.len(), 1);
}

/// Disclosures to the patient and program↔QSO communications are not in the accounting.
#[test]
fn disclosures_to_the_patient_and_qso_communications_are_excluded() {
    let recent = "2026-11-01T08:00:00.000Z";
    let to_patient = with(approval("a", 1, recent, "P-1"), |v| {
        v["recipient"]["kind"] = "patient".into()
    });
    let qso = with(approval("a", 2, recent, "P-1"), |v| {
        v["rule"] = "p2.qso.to_program".into()
    });
    let a = acc(&[to_patient, qso], "P-1", nov(28));
    assert!(a.rows.is_empty(), "{:?}", a.rows);
    assert_eq!(a.excluded.len(), 2);
    assert!(a.excluded[0].reason.contains("patient"));
    assert!(a.excluded[1].reason.contains("QSO"));
}

/// `log recipients`: verified approvals under the consent, superseded ones included,
/// one row per recipient, cut by `--since`; failed entries never count.
#[test]
fn recipients_include_superseded_approvals_and_honour_since() {
    let first = approval("a", 1, "2026-10-01T08:00:00.000Z", "P-1");
    let correction = row(
        "a",
        2,
        "2026-10-02T08:00:00.000Z",
        "eve@h",
        "P-1",
        "deny",
        PWN,
        false,
        Some("h-a-1"),
    );
    let other = with(approval("a", 3, "2026-11-05T08:00:00.000Z", "P-1"), |v| {
        v["recipient"]["name"] = "Bay Plan".into()
    });
    let bad = failed(with(
        approval("a", 4, "2026-11-06T08:00:00.000Z", "P-1"),
        |v| v["recipient"]["name"] = "Mallory".into(),
    ));
    let recs = merge(vec![first, correction, other, bad]);
    let rows = recipients(&recs, "C-1", None, None);
    let names: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    assert_eq!(names, ["Acme Health Plan", "Bay Plan"]);
    assert!(rows[0].superseded);
    assert_eq!(rows[0].disclosures, ["D-1"]);
    assert!(!rows[1].superseded);
    let since = recipients(&recs, "C-1", Some(nov(1)), None);
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].first, nov(5));
    assert!(recipients(&recs, "C-2", None, None).is_empty());
    // The accounting no longer has the superseded approval.
    let a = acc(&recs, "P-1", nov(28));
    assert_eq!(
        a.rows
            .iter()
            .map(|r| r.disclosure.as_str())
            .collect::<Vec<_>>(),
        ["D-3"]
    );
    assert_eq!(a.failed.len(), 1);
}

#[test]
fn a_malformed_body_is_an_error_not_a_silent_drop() {
    let r = DecisionRecord::from_body(
        PathBuf::from("x"),
        1,
        h("x"),
        r#"{"type":"decision"}"#,
        Verification::Verified,
    );
    assert!(r.is_err());
}

fn failed(mut r: DecisionRecord) -> DecisionRecord {
    r.verification = Verification::Failed {
        findings: vec!["E_SIG_INVALID".into()],
    };
    r
}

fn approval(log: &str, seq: u64, ts: &str, subject: &str) -> DecisionRecord {
    row(log, seq, ts, "ann@h", subject, "approve", PWN, false, None)
}

/// 42 CFR 2.25: only a verified, later entry about the same item (subject, disclosure)
/// takes an approval out of the accounting; anything else changes nothing and is reported.
#[test]
fn supersession_is_honoured_only_from_a_verified_later_entry_on_the_same_item() {
    let base = approval("a", 1, "2026-11-01T08:00:00.000Z", "P-1");
    let deny = |log: &str, seq: u64, ts: &str, subject: &str, names: &str| {
        row(
            log,
            seq,
            ts,
            "eve@h",
            subject,
            "deny",
            PWN,
            false,
            Some(names),
        )
    };
    let counted = |recs: Vec<DecisionRecord>| -> (usize, Resolution) {
        let recs = merge(recs);
        let a = acc(&recs, "P-1", nov(28));
        (a.rows.len(), resolve_records(&recs))
    };
    // Honoured: same log, later; another log, later.
    let (n, res) = counted(vec![
        base.clone(),
        deny("a", 2, "2026-11-01T09:00:00.000Z", "P-1", "h-a-1"),
    ]);
    assert_eq!((n, res.warnings.len()), (0, 0));
    let (n, _) = counted(vec![
        base.clone(),
        deny("z", 7, "2026-11-01T09:00:00.000Z", "P-1", "h-a-1"),
    ]);
    assert_eq!(n, 0);
    // Another log, dated up to 5 minutes earlier: clock skew, still honoured.
    let (n, _) = counted(vec![
        base.clone(),
        deny("z", 7, "2026-11-01T07:56:00.000Z", "P-1", "h-a-1"),
    ]);
    assert_eq!(n, 0);
    // Unverified superseding entry: ignored silently (it is listed as FAILED).
    let (n, res) = counted(vec![
        base.clone(),
        failed(deny("z", 7, "2026-11-01T09:00:00.000Z", "P-1", "h-a-1")),
    ]);
    assert_eq!((n, res.warnings.len()), (1, 0));
    // Another patient (same disclosure id): ignored, reported with both hashes.
    let (n, res) = counted(vec![
        base.clone(),
        deny("z", 7, "2026-11-01T09:00:00.000Z", "P-9", "h-a-1"),
    ]);
    assert_eq!(n, 1);
    assert_eq!(
        res.warnings,
        vec![SupersedesWarning {
            code: "W_SUPERSEDES_IGNORED",
            entry: h("h-z-7"),
            names: h("h-a-1")
        }]
    );
    // Another disclosure of the same patient.
    let mut other = deny("z", 7, "2026-11-01T09:00:00.000Z", "P-1", "h-a-1");
    other.body.disclosure = Sym::new("D-99");
    let (n, res) = counted(vec![base.clone(), other]);
    assert_eq!((n, res.warnings[0].code), (1, "W_SUPERSEDES_IGNORED"));
    // An earlier entry of another log (more than 5 minutes before).
    let (n, res) = counted(vec![
        base.clone(),
        deny("z", 7, "2026-10-01T09:00:00.000Z", "P-1", "h-a-1"),
    ]);
    assert_eq!((n, res.warnings[0].code), (1, "W_SUPERSEDES_IGNORED"));
    // Names an entry that was not read.
    let (n, res) = counted(vec![
        base.clone(),
        deny("z", 7, "2026-11-01T09:00:00.000Z", "P-1", "h-q-1"),
    ]);
    assert_eq!((n, res.warnings[0].code), (1, "W_SUPERSEDES_UNRESOLVED"));
    // A failed approval is listed (not verified) and never counted.
    let a = acc(&[failed(base.clone())], "P-1", nov(28));
    assert_eq!((a.rows.len(), a.failed.len()), (0, 1));
    assert_eq!(a.failed[0].findings, ["E_SIG_INVALID"]);
}

/// Failed entries count nowhere: not in totals, not as open escalations, and their
/// `supersedes` closes nothing.
#[test]
fn failed_entries_never_count_in_summaries() {
    let esc = row(
        "b",
        1,
        "2026-11-02T09:00:00.000Z",
        "bo@h",
        "P-2",
        "escalate",
        CR,
        false,
        None,
    );
    let close = failed(row(
        "c",
        2,
        "2026-11-04T10:00:00.000Z",
        "cy@h",
        "P-2",
        "deny",
        CR,
        false,
        Some("h-b-1"),
    ));
    let bad_esc = failed(row(
        "c",
        3,
        "2026-11-04T11:00:00.000Z",
        "cy@h",
        "P-3",
        "escalate",
        CR,
        false,
        None,
    ));
    let recs = merge(vec![esc, close, bad_esc]);
    let s = summarize(&recs);
    assert_eq!(s.totals.total, 1);
    assert_eq!(s.reviewers.len(), 1);
    assert_eq!(s.open_escalations, vec![hash("h-b-1")]);
    assert_eq!(open_escalations(&recs).len(), 1);
}
