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

#[test]
fn accounting_counts_approved_consent_based_disclosures_in_three_years() {
    let f = fixture();
    let rows = accounting(&f, "P-1", nov(28));
    // a/1 (consent-based approval) and a/3 (exactly three years back: inside); not a/2 (an
    // override of consent_required is not consent-based), not a/4 (one day too old), not
    // b/2 (a deferral).
    let seqs: Vec<(String, u64)> = rows.iter().map(|r| (r.log.clone(), r.seq)).collect();
    assert_eq!(seqs, [("a".to_owned(), 3), ("a".to_owned(), 1)]);
    assert!(rows.iter().all(|r| r.status == "approved for disclosure"));
    assert_eq!(rows[0].consent.as_deref(), Some("C-1"));
    assert!(accounting(&f, "P-9", nov(28)).is_empty());
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
        let rows = accounting(&recs, "P-1", nov(28));
        (
            rows.iter().filter(|r| r.verified).count(),
            resolve_records(&recs),
        )
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
    let rows = accounting(&[failed(base.clone())], "P-1", nov(28));
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].verified);
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
