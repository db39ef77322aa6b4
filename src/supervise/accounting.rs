//! Accounting of disclosures for one patient (42 CFR 2.25): approved consent-based
//! disclosures in the last three years.

use chrono::NaiveDate;
use serde::Serialize;

use super::record::DecisionRecord;

/// The label every accounting row carries: the log records approvals, not transmissions.
pub const APPROVED_LABEL: &str = "approved for disclosure";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountingRow {
    /// The entry passed verification (only these count).
    pub verified: bool,
    pub date: NaiveDate,
    pub recipient: String,
    pub recipient_kind: String,
    pub purpose: String,
    /// What the disclosure rested on: the rule id and, for consents, the words "consent".
    pub basis: String,
    pub consent: Option<String>,
    pub status: &'static str,
    pub reviewer: String,
    pub log: String,
    pub seq: u64,
}

/// Rows for `patient` dated within three years before `as_of` (inclusive) and not after
/// it. Only approvals of consent-based disclosures (`permitted_with_notice`) count, and an
/// approval is left out only when an honoured supersession names it (`supersede::resolve`:
/// a verified, later entry about the same item). Failed entries are returned too, for the
/// caller to list as FAILED; they never count.
pub fn accounting(
    records: &[DecisionRecord],
    patient: &str,
    as_of: NaiveDate,
) -> Vec<AccountingRow> {
    let start = as_of
        .checked_sub_months(chrono::Months::new(36))
        .unwrap_or(NaiveDate::MIN);
    let res = super::supersede::resolve_records(records);
    records
        .iter()
        .filter(|r| {
            let b = &r.body;
            let day = r.date();
            b.subject == patient
                && *b.decision == *"approve"
                && *b.part2 == *"permitted_with_notice"
                && day >= start
                && day <= as_of
                // A failed entry is listed (marked FAILED by the caller), never counted;
                // only an honoured supersession takes an approval out.
                && !res.superseded.contains(&r.entry_sha256)
        })
        .map(|r| AccountingRow {
            verified: r.verification.ok(),
            date: r.date(),
            recipient: r.body.recipient.name.to_string(),
            recipient_kind: r.body.recipient.kind.to_string(),
            purpose: r.body.purpose.to_string(),
            basis: format!("patient consent ({})", r.body.rule),
            consent: r.body.consent.map(|c| c.to_string()),
            status: APPROVED_LABEL,
            reviewer: r.body.reviewer.to_string(),
            log: r.body.log.to_string(),
            seq: r.body.seq,
        })
        .collect()
}
