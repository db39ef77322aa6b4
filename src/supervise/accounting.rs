//! The accounting of disclosures of one patient (42 CFR 2.25; 45 CFR 164.528): one row per
//! disclosure — its effective decision after supersession (`supersede::resolve`) — with the
//! recipient, what was disclosed, the basis that informs the patient and which rule requires
//! the row. Override approvals are rows too (with the reviewer's stated basis) and are also
//! listed apart; entries that fail verification never count and are listed apart.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::record::DecisionRecord;
use crate::queue::model::{Disclosure, Queue};

/// What a queue-only column says when no `--queue` holds the entry's queue.
pub const QUEUE_NOT_SUPPLIED: &str = "(queue not supplied)";

/// Which accounting duty a row answers to (docs/cli.md#log-accounting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequiredBy {
    /// A consent-based disclosure for a purpose other than TPO (42 CFR 2.25(a)).
    #[serde(rename = "2.25(a)")]
    Part2Consent,
    /// A consent-based TPO disclosure: owed only when made through an EHR (42 CFR 2.25(b));
    /// whether an 837 through a clearinghouse is that, and the compliance date, are unsettled.
    #[serde(rename = "2.25(b)")]
    Part2Ehr,
    /// A HIPAA disclosure outside TPO, authorization and the other 164.528(a)(1) exclusions,
    /// or one not permitted (an override approval).
    #[serde(rename = "164.528")]
    Hipaa,
    #[serde(rename = "none")]
    None,
}

impl RequiredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredBy::Part2Consent => "2.25(a)",
            RequiredBy::Part2Ehr => "2.25(b)",
            RequiredBy::Hipaa => "164.528",
            RequiredBy::None => "none",
        }
    }
    /// 2.25(b) rests on open questions (EHR, compliance date).
    pub fn unsettled(self) -> bool {
        self == RequiredBy::Part2Ehr
    }
    /// The default look-back: six years for 164.528(a), three for 2.25(a),(b)(2).
    pub fn years(self) -> u32 {
        if self == RequiredBy::Hipaa { 6 } else { 3 }
    }
}

/// TPO purposes (`audit` counts as health care operations, 42 CFR 2.53(h)).
fn tpo(purpose: &str) -> bool {
    matches!(
        purpose,
        "treatment" | "payment" | "health_care_operations" | "audit"
    )
}

/// What the accounting needs from one queue item, joined by queue sha256 + disclosure id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFacts {
    pub address: Option<String>,
    /// `(final recipient name, kind)` when the recipient is a conduit.
    pub on_behalf_of: Option<(String, String)>,
    /// `disclosure.information`, else a description of the claim or records.
    pub description: String,
}

impl QueueFacts {
    pub fn of(d: &Disclosure) -> QueueFacts {
        let description = d.information.clone().unwrap_or_else(|| {
            let what = if d.claim.is_some() {
                "claim: diagnosis and procedure codes, charges".to_owned()
            } else {
                format!("records: {}", d.records.as_str())
            };
            match &d.service_dates {
                Some(r) => format!("{what}, services {}–{}", r.from, r.to),
                None => what,
            }
        });
        QueueFacts {
            address: d.recipient.address.clone(),
            on_behalf_of: d
                .recipient
                .on_behalf_of
                .as_ref()
                .map(|o| (o.name.clone(), o.kind.as_str().to_owned())),
            description,
        }
    }
}

/// The queues supplied (`--queue`), by (queue sha256, disclosure id).
#[derive(Debug, Clone, Default)]
pub struct QueueJoin {
    items: HashMap<(String, String), QueueFacts>,
}

impl QueueJoin {
    /// Add a loaded queue whose file bytes hash to `sha256`.
    pub fn add(&mut self, sha256: &str, q: &Queue) {
        for d in &q.disclosures {
            self.items
                .insert((sha256.to_owned(), d.id.clone()), QueueFacts::of(d));
        }
    }
    pub fn get(&self, queue: &str, disclosure: &str) -> Option<&QueueFacts> {
        self.items.get(&(queue.to_owned(), disclosure.to_owned()))
    }
}

/// One disclosure in the accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountingRow {
    pub disclosure: String,
    /// The approval date (UTC day of `ts`) of the earliest effective approval: the log
    /// records approvals, not transmissions.
    pub date: NaiveDate,
    /// The final recipient (`on_behalf_of`) when the queue names one, else the recipient.
    pub recipient: String,
    pub recipient_kind: String,
    /// The conduit the records went through; `None` without one; [`QUEUE_NOT_SUPPLIED`]
    /// when unknown.
    pub conduit: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub purpose: String,
    pub basis: String,
    pub consent: Option<String>,
    pub reason_code: Option<String>,
    #[serde(rename = "override")]
    pub overrides: bool,
    pub reviewers: Vec<String>,
    pub verification: &'static str,
    pub required_by: RequiredBy,
    pub required_by_unsettled: bool,
    /// Another effective decision on this item says something else (docs/cli.md).
    pub conflict: bool,
    /// The effective approvals' entry hashes.
    pub entries: Vec<String>,
    /// The canonical hash of the disclosure approved (to find the incidents about it).
    #[serde(skip)]
    pub disclosure_sha256: Option<String>,
    /// Verified incidents about this disclosure (docs/incidents.md): their entry hashes,
    /// filled in by [`Accounting::attach_incidents`].
    pub incidents: Vec<String>,
}

/// A decision entry that failed verification: listed, never counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedEntry {
    pub disclosure: String,
    pub date: NaiveDate,
    pub decision: String,
    pub log_path: String,
    pub line: u64,
    pub entry: String,
    pub findings: Vec<String>,
}

/// An approval left out of the accounting, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub disclosure: String,
    pub reason: &'static str,
}

pub const TO_PATIENT: &str = "disclosure to the patient";
pub const PROGRAM_QSO: &str = "program↔QSO or internal communication (42 CFR 2.12(c)(3)-(4))";

/// The report: rows, and what is listed apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub rows: Vec<AccountingRow>,
    pub failed: Vec<FailedEntry>,
    pub excluded: Vec<Excluded>,
}

impl Accounting {
    /// Approved against the Part 2 verdict: a breach risk assessment is required (2.16(b);
    /// 45 CFR 164.402).
    pub fn overrides(&self) -> impl Iterator<Item = &AccountingRow> {
        self.rows.iter().filter(|r| r.overrides)
    }

    /// List with each disclosure the incidents that concern it (docs/incidents.md): one
    /// recorded `--from-entry` one of its approvals, or from the same queue item (the same
    /// disclosure id and canonical hash).
    pub fn attach_incidents(&mut self, incidents: &[super::incidents::IncidentView]) {
        for r in &mut self.rows {
            for v in incidents {
                let c = &v.fields.concerns;
                let by_entry = c.from_entry.as_ref().is_some_and(|h| r.entries.contains(h));
                let by_item = c.disclosure.as_deref() == Some(r.disclosure.as_str())
                    && c.disclosure_sha256.is_some()
                    && c.disclosure_sha256 == r.disclosure_sha256;
                if (by_entry || by_item) && !r.incidents.contains(&v.entry_sha256) {
                    r.incidents.push(v.entry_sha256.clone());
                }
            }
        }
    }
}

/// The period: `since` (else each row's default look-back before `until`) through `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
}

impl Period {
    pub fn start(&self, years: u32) -> NaiveDate {
        self.since.unwrap_or_else(|| {
            self.until
                .checked_sub_months(chrono::Months::new(12 * years))
                .unwrap_or(NaiveDate::MIN)
        })
    }
    fn holds(&self, day: NaiveDate, years: u32) -> bool {
        day >= self.start(years) && day <= self.until
    }
}

/// Citations of `rule` in the policy version an entry names, looked up once per version.
#[derive(Default)]
struct Cites(HashMap<(String, String), Option<crate::policy::Policy>>);

impl Cites {
    fn of(&mut self, id: &str, version: &str, rule: &str) -> String {
        let p = self
            .0
            .entry((id.to_owned(), version.to_owned()))
            .or_insert_with(|| crate::policy::released(id, version));
        match p.as_ref() {
            Some(p) => match p.rules.iter().find(|r| r.id == rule) {
                Some(r) => r.cite.join("; "),
                None => format!("not in {id} policy {version}"),
            },
            None => format!("{id} policy {version} is not bundled"),
        }
    }
}

/// The accounting of `patient` over every record read (`records`, all patients: a
/// superseding entry may be anywhere).
pub fn accounting(
    records: &[DecisionRecord],
    patient: &str,
    period: Period,
    queues: Option<&QueueJoin>,
) -> Accounting {
    let res = super::supersede::resolve_records(records);
    // A four-eyes override approval waiting for its second reviewer is not approved
    // (docs/team.md#four-eyes): no row until another principal's approval completes it.
    let pending = super::conflict::pending_second(records);
    let mut out = Accounting::default();
    let mut items: BTreeMap<&str, Vec<&DecisionRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.body.subject == patient) {
        if !r.verification.ok() {
            if period.holds(r.date(), 6) {
                out.failed.push(FailedEntry {
                    disclosure: r.body.disclosure.to_string(),
                    date: r.date(),
                    decision: r.body.decision.to_string(),
                    log_path: crate::paths::log_label(&r.log_path),
                    line: r.line,
                    entry: r.entry_sha256.hex(),
                    findings: match &r.verification {
                        super::Verification::Failed { findings } => findings.clone(),
                        super::Verification::Verified => vec![],
                    },
                });
            }
            continue;
        }
        if res.effective(&r.entry_sha256, true) {
            items.entry(r.body.disclosure.as_str()).or_default().push(r);
        }
    }
    let mut cites = Cites::default();
    for (disclosure, effective) in items {
        let approvals: Vec<&&DecisionRecord> = effective
            .iter()
            .filter(|r| *r.body.decision == *"approve" && !pending.contains(&r.entry_sha256))
            .collect();
        // The earliest effective approval (records are in time order).
        let Some(first) = approvals.first() else {
            continue;
        };
        let b = &first.body;
        if matches!(&*b.recipient.kind, "patient" | "personal_representative")
            || *b.purpose == *"patient_access"
        {
            out.excluded.push(Excluded {
                disclosure: disclosure.to_owned(),
                reason: TO_PATIENT,
            });
            continue;
        }
        if b.rule.starts_with("p2.qso.") || b.rule.starts_with("p2.internal.") {
            out.excluded.push(Excluded {
                disclosure: disclosure.to_owned(),
                reason: PROGRAM_QSO,
            });
            continue;
        }
        let overrides = approvals.iter().any(|r| r.body.override_);
        let required_by = if overrides {
            RequiredBy::Hipaa
        } else if b.consent.is_some() {
            if tpo(&b.purpose) {
                RequiredBy::Part2Ehr
            } else {
                RequiredBy::Part2Consent
            }
        } else if matches!(&*b.hipaa, "permitted_no_auth" | "required")
            && !tpo(&b.purpose)
            && *b.recipient.kind != *"family"
        {
            RequiredBy::Hipaa
        } else {
            RequiredBy::None
        };
        if !period.holds(first.date(), required_by.years()) {
            continue;
        }
        let basis = if overrides {
            let reason = approvals
                .iter()
                .find(|r| r.body.override_)
                .and_then(|r| r.body.reason_code)
                .map_or("", |c| c.as_str());
            format!("override: {reason}")
        } else if let Some(c) = &b.consent {
            format!("consent {c}")
        } else {
            let p = &b.policy.part2;
            format!("rule {} ({})", b.rule, cites.of(&p.id, &p.version, &b.rule))
        };
        let joined = queues.and_then(|q| q.get(&b.queue, disclosure));
        let (recipient, recipient_kind, conduit) = match joined {
            Some(QueueFacts {
                on_behalf_of: Some((name, kind)),
                ..
            }) => (
                name.clone(),
                kind.clone(),
                Some(b.recipient.name.to_string()),
            ),
            Some(_) => (
                b.recipient.name.to_string(),
                b.recipient.kind.to_string(),
                None,
            ),
            None => (
                b.recipient.name.to_string(),
                b.recipient.kind.to_string(),
                Some(QUEUE_NOT_SUPPLIED.to_owned()),
            ),
        };
        let mut reviewers: Vec<String> = approvals
            .iter()
            .map(|r| r.body.reviewer.to_string())
            .collect();
        reviewers.dedup();
        out.rows.push(AccountingRow {
            disclosure: disclosure.to_owned(),
            date: first.date(),
            recipient,
            recipient_kind,
            conduit,
            address: match joined {
                Some(j) => j.address.clone(),
                None => Some(QUEUE_NOT_SUPPLIED.to_owned()),
            },
            description: joined.map_or(QUEUE_NOT_SUPPLIED.to_owned(), |j| j.description.clone()),
            purpose: b.purpose.to_string(),
            basis,
            consent: b.consent.map(|c| c.to_string()),
            reason_code: b.reason_code.map(|c| c.to_string()),
            overrides,
            reviewers,
            verification: "verified",
            required_by,
            required_by_unsettled: required_by.unsettled(),
            conflict: effective.iter().any(|r| *r.body.decision != *"approve"),
            entries: approvals.iter().map(|r| r.entry_sha256.hex()).collect(),
            disclosure_sha256: b.disclosure_sha256.map(|h| h.hex()),
            incidents: Vec::new(),
        });
    }
    out.rows
        .sort_by(|a, b| (a.date, &a.disclosure).cmp(&(b.date, &b.disclosure)));
    out
}

/// One recipient that received records under a consent (`log recipients`, 42 CFR
/// 2.31(a)(6)): who to tell of a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientRow {
    pub subject: String,
    /// The final recipient when a supplied queue names one behind a conduit, else the
    /// recipient the entry records.
    pub recipient: String,
    pub recipient_kind: String,
    /// The conduit the records went through (known only from a supplied queue).
    pub conduit: Option<String>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub disclosures: Vec<String>,
    /// Some of these approvals were later superseded (the records may have left anyway).
    pub superseded: bool,
}

/// Every verified approval whose `consent` is `consent`, dated on or after `since`,
/// superseded or not, one row per (subject, recipient, kind, conduit).
pub fn recipients(
    records: &[DecisionRecord],
    consent: &str,
    since: Option<NaiveDate>,
    queues: Option<&QueueJoin>,
) -> Vec<RecipientRow> {
    let res = super::supersede::resolve_records(records);
    type Key = (String, String, String, Option<String>);
    let mut rows: BTreeMap<Key, RecipientRow> = BTreeMap::new();
    for r in records.iter().filter(|r| {
        r.verification.ok()
            && *r.body.decision == *"approve"
            && r.body.consent.as_deref() == Some(consent)
            && since.is_none_or(|s| r.date() >= s)
    }) {
        let b = &r.body;
        let (name, kind, conduit) = match queues
            .and_then(|q| q.get(&b.queue, &b.disclosure))
            .and_then(|j| j.on_behalf_of.as_ref())
        {
            Some((n, k)) => (n.clone(), k.clone(), Some(b.recipient.name.to_string())),
            None => (
                b.recipient.name.to_string(),
                b.recipient.kind.to_string(),
                None,
            ),
        };
        let key = (
            b.subject.to_string(),
            name.clone(),
            kind.clone(),
            conduit.clone(),
        );
        let row = rows.entry(key).or_insert_with(|| RecipientRow {
            subject: b.subject.to_string(),
            recipient: name,
            recipient_kind: kind,
            conduit,
            first: r.date(),
            last: r.date(),
            disclosures: vec![],
            superseded: false,
        });
        row.first = row.first.min(r.date());
        row.last = row.last.max(r.date());
        if !row.disclosures.iter().any(|d| *d == *b.disclosure) {
            row.disclosures.push(b.disclosure.to_string());
        }
        row.superseded |= res.superseded.contains(&r.entry_sha256);
    }
    rows.into_values().collect()
}
