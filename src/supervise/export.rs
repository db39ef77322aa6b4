//! Exports for auditors (CSV and JSON) of `log show` and `log accounting`. Every export
//! states the logs it was made from, each log's verification result and the checkpoint it
//! was verified against: CSV as leading `#` lines, JSON as a top-level `logs` array beside
//! the rows.

use serde::Serialize;

use super::accounting::AccountingRow;
use super::load::OtherFinding;
use super::record::{DecisionRecord, LogStatus, Verification};
use super::summary::Summary;

/// Text from a log, safe for any terminal or spreadsheet it reaches (entries that fail
/// verification are shown too, and are not held to the canonical character rules).
fn esc(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

/// One `log show` row, flat (the same fields in CSV and JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowRow {
    pub verification: &'static str,
    pub findings: String,
    pub ts: String,
    pub log: String,
    pub log_path: String,
    pub seq: u64,
    pub line: u64,
    pub entry: String,
    pub reviewer: String,
    pub key: String,
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub subject: String,
    pub recipient_kind: String,
    pub recipient: String,
    pub purpose: String,
    pub consent: String,
    pub consent_status: String,
    pub part2: String,
    pub hipaa: String,
    pub rule: String,
    /// `id@version` of the Part 2 and HIPAA policies the decision was made under.
    pub part2_policy: String,
    pub hipaa_policy: String,
    pub decision: String,
    pub reason_code: String,
    #[serde(rename = "override")]
    pub overrides: bool,
    pub note: String,
    pub supersedes: String,
    /// Team work (docs/team.md#conflicts): one of the item's effective decisions that
    /// disagree.
    pub conflict: bool,
    /// An override approval waiting for its second reviewer (four-eyes): not approved.
    pub pending: bool,
    /// The entry type: `decision`, `incident`, `incident_assessment`, `incident_delay`,
    /// `incident_notice` (docs/incidents.md).
    #[serde(rename = "type")]
    pub entry_type: &'static str,
    /// A follow-up incident entry: the incident it names.
    pub incident: String,
    /// An incident entry in brief (`kind=misdirected discovered_on=…`, `outcome=breach`, …).
    pub detail: String,
}

impl ShowRow {
    /// An `incident*` entry as a `log show` row: the decision columns it has no value for
    /// are empty, `type` says what it is.
    pub fn of_incident(r: &super::incidents::ReadEntry) -> Option<ShowRow> {
        use crate::log::entry::incident::IncidentBody as B;
        let crate::log::entry::Body::Incident(b) = &r.entry.body else {
            return None;
        };
        let e = &r.entry;
        let mut row = ShowRow {
            verification: if r.verified { "verified" } else { "FAILED" },
            findings: String::new(),
            ts: esc(&e.ts),
            log: esc(&e.log),
            log_path: esc(&crate::paths::log_label(&r.log_path)),
            seq: e.seq,
            line: r.line,
            entry: r.entry_sha256.clone(),
            reviewer: esc(&e.reviewer),
            key: esc(&e.key),
            disclosure: String::new(),
            disclosure_sha256: String::new(),
            subject: String::new(),
            recipient_kind: String::new(),
            recipient: String::new(),
            purpose: String::new(),
            consent: String::new(),
            consent_status: String::new(),
            part2: String::new(),
            hipaa: String::new(),
            rule: String::new(),
            part2_policy: String::new(),
            hipaa_policy: String::new(),
            decision: String::new(),
            reason_code: String::new(),
            overrides: false,
            note: String::new(),
            supersedes: String::new(),
            conflict: false,
            pending: false,
            entry_type: b.type_name(),
            incident: b.incident_ref().unwrap_or_default().to_owned(),
            detail: String::new(),
        };
        let opt = |s: &Option<String>| esc(s.as_deref().unwrap_or_default());
        match b {
            B::Incident(i) => {
                let c = &i.concerns;
                row.disclosure = opt(&c.disclosure);
                row.disclosure_sha256 = opt(&c.disclosure_sha256);
                row.subject = opt(&c.subject);
                if let Some((k, n)) = &c.recipient {
                    row.recipient_kind = esc(k);
                    row.recipient = esc(n);
                }
                row.part2 = opt(&c.part2);
                row.hipaa = opt(&c.hipaa);
                row.overrides = c.override_.unwrap_or(false);
                row.note = opt(&i.note);
                row.detail = format!(
                    "kind={} discovered_on={} individuals={} secured={} actor={}{}",
                    i.kind.as_str(),
                    esc(&i.discovered_on),
                    i.individuals,
                    i.secured,
                    esc(&i.actor),
                    c.from_entry
                        .as_deref()
                        .map(|h| format!(" from_entry={}", esc(h)))
                        .unwrap_or_default()
                );
            }
            B::Assessment(a) => {
                row.note = opt(&a.note);
                row.detail = format!(
                    "outcome={}{}",
                    a.outcome.as_str(),
                    a.exception
                        .map(|x| format!(" exception={}", x.as_str()))
                        .unwrap_or_default()
                );
            }
            B::Delay(d) => {
                row.note = opt(&d.note);
                row.detail = format!("law_enforcement={} date={}", d.form.as_str(), esc(&d.date));
            }
            B::Notice(n) => {
                row.note = opt(&n.note);
                row.detail = format!(
                    "to={} on={}{}",
                    n.to.as_str(),
                    esc(&n.on),
                    n.method
                        .map(|m| format!(" method={}", m.as_str()))
                        .unwrap_or_default()
                );
            }
        }
        Some(row)
    }

    pub fn of(r: &DecisionRecord, flags: &super::conflict::Flags) -> ShowRow {
        let b = &r.body;
        let (verification, findings) = match &r.verification {
            Verification::Verified => ("verified", String::new()),
            Verification::Failed { findings } => ("FAILED", findings.join(" ")),
        };
        ShowRow {
            verification,
            findings,
            ts: r.ts_text(),
            log: esc(&b.log),
            log_path: esc(&crate::paths::log_label(&r.log_path)),
            seq: b.seq,
            line: r.line,
            entry: r.entry_sha256.hex(),
            reviewer: esc(&b.reviewer),
            key: esc(&b.key),
            disclosure: esc(&b.disclosure),
            disclosure_sha256: b.disclosure_sha256.map(|h| h.hex()).unwrap_or_default(),
            subject: esc(&b.subject),
            recipient_kind: esc(&b.recipient.kind),
            recipient: esc(&b.recipient.name),
            purpose: esc(&b.purpose),
            consent: esc(b.consent.as_deref().unwrap_or_default()),
            consent_status: esc(&b.consent_status),
            part2: esc(&b.part2),
            hipaa: esc(&b.hipaa),
            rule: esc(&b.rule),
            part2_policy: esc(&format!("{}@{}", b.policy.part2.id, b.policy.part2.version)),
            hipaa_policy: esc(&format!("{}@{}", b.policy.hipaa.id, b.policy.hipaa.version)),
            decision: esc(&b.decision),
            reason_code: esc(b.reason_code.as_deref().unwrap_or_default()),
            overrides: b.override_,
            note: esc(b.note.as_deref().unwrap_or_default()),
            supersedes: b.supersedes.map(|h| h.hex()).unwrap_or_default(),
            conflict: r.verification.ok() && flags.conflict.contains(&r.entry_sha256),
            pending: r.verification.ok() && flags.pending.contains(&r.entry_sha256),
            entry_type: "decision",
            incident: String::new(),
            detail: String::new(),
        }
    }
}

/// Column names of [`ShowRow`], in field order (CSV header even with no rows).
pub const SHOW_COLUMNS: &[&str] = &[
    "verification",
    "findings",
    "ts",
    "log",
    "log_path",
    "seq",
    "line",
    "entry",
    "reviewer",
    "key",
    "disclosure",
    "disclosure_sha256",
    "subject",
    "recipient_kind",
    "recipient",
    "purpose",
    "consent",
    "consent_status",
    "part2",
    "hipaa",
    "rule",
    "part2_policy",
    "hipaa_policy",
    "decision",
    "reason_code",
    "override",
    "note",
    "supersedes",
    "conflict",
    "pending",
    "type",
    "incident",
    "detail",
];

/// One accounting row (42 CFR 2.25; 45 CFR 164.528), flat: the same fields in CSV and JSON
/// (docs/cli.md#log-accounting). Text is escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountingExportRow {
    pub disclosure: String,
    /// The approval date.
    pub date: String,
    pub recipient: String,
    pub recipient_kind: String,
    pub conduit: String,
    pub address: String,
    pub description: String,
    pub purpose: String,
    pub basis: String,
    pub reviewers: String,
    pub verification: &'static str,
    pub required_by: &'static str,
    pub required_by_unsettled: bool,
    #[serde(rename = "override")]
    pub overrides: bool,
    pub conflict: bool,
    pub entries: String,
    /// Incidents about this disclosure (docs/incidents.md): entry hashes, space separated.
    pub incidents: String,
}

/// Column names of [`AccountingExportRow`], in field order.
pub const ACCOUNTING_COLUMNS: &[&str] = &[
    "disclosure",
    "date",
    "recipient",
    "recipient_kind",
    "conduit",
    "address",
    "description",
    "purpose",
    "basis",
    "reviewers",
    "verification",
    "required_by",
    "required_by_unsettled",
    "override",
    "conflict",
    "entries",
    "incidents",
];

impl AccountingExportRow {
    pub fn of(r: &AccountingRow) -> AccountingExportRow {
        AccountingExportRow {
            disclosure: esc(&r.disclosure),
            date: r.date.to_string(),
            recipient: esc(&r.recipient),
            recipient_kind: esc(&r.recipient_kind),
            conduit: esc(r.conduit.as_deref().unwrap_or_default()),
            address: esc(r.address.as_deref().unwrap_or_default()),
            description: esc(&r.description),
            purpose: esc(&r.purpose),
            basis: esc(&r.basis),
            reviewers: esc(&r.reviewers.join(" ")),
            verification: r.verification,
            required_by: r.required_by.as_str(),
            required_by_unsettled: r.required_by_unsettled,
            overrides: r.overrides,
            conflict: r.conflict,
            entries: r.entries.join(" "),
            incidents: r.incidents.join(" "),
        }
    }
}

/// The JSON document of an export.
#[derive(Serialize)]
struct Doc<'a, R: Serialize + ?Sized> {
    export: &'a str,
    logs: &'a [LogStatus],
    /// Findings on lines that are not decision rows (genesis, recovery, unreadable lines).
    other_findings: &'a [OtherFinding],
    #[serde(skip_serializing_if = "Option::is_none")]
    patient: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<SummaryDoc<'a>>,
    rows: &'a R,
}

/// Rows serialized one by one as they are made: a JSON array never held in memory.
struct RowSeq<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = R>, R: Serialize> Serialize for RowSeq<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = self.0.borrow_mut().take().expect("rows serialize once");
        s.collect_seq(rows)
    }
}

/// The summary of the rows, with each reviewer's override rate spelled out.
#[derive(Serialize)]
struct SummaryDoc<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    override_rate_percent: std::collections::BTreeMap<String, f64>,
}

/// Metadata of an export besides the rows.
pub struct ExportMeta<'a> {
    /// `log show` or `log accounting`.
    pub export: &'a str,
    pub logs: &'a [LogStatus],
    pub other: &'a [OtherFinding],
    pub patient: Option<&'a str>,
    pub as_of: Option<chrono::NaiveDate>,
    /// The summary of the rows shown (`log show`).
    pub summary: Option<&'a Summary>,
}

pub fn to_json<R: Serialize>(meta: &ExportMeta, rows: &[R]) -> String {
    let mut s = serde_json::to_string_pretty(&doc(meta, rows)).expect("export rows serialize");
    s.push('\n');
    s
}

/// [`to_json`] written to `w` with the rows made one at a time from `rows` (`log show`
/// over a million entries holds no row list). Byte-identical to [`to_json`].
pub fn write_json<W: std::io::Write, R: Serialize>(
    mut w: W,
    meta: &ExportMeta,
    rows: impl Iterator<Item = R>,
) -> std::io::Result<()> {
    let seq = RowSeq(std::cell::RefCell::new(Some(rows)));
    serde_json::to_writer_pretty(&mut w, &doc(meta, &seq))?;
    w.write_all(b"\n")?;
    w.flush()
}

fn doc<'a, R: Serialize + ?Sized>(meta: &'a ExportMeta, rows: &'a R) -> Doc<'a, R> {
    Doc {
        export: meta.export,
        logs: meta.logs,
        other_findings: meta.other,
        patient: meta.patient,
        as_of: meta.as_of.map(|d| d.to_string()),
        summary: meta.summary.map(|s| SummaryDoc {
            summary: s,
            override_rate_percent: s
                .reviewers
                .iter()
                .chain(std::iter::once(&s.totals))
                .map(|r| (r.reviewer.clone(), r.override_rate_percent()))
                .collect(),
        }),
        rows,
    }
}

/// The leading `#` lines of a CSV export (text from logs escaped, one log per line).
pub fn csv_header_lines(meta: &ExportMeta) -> String {
    let esc = |s: &str| crate::text::escape(s).replace(['\n', '\r'], " ");
    let mut out = format!("# p2review {} export\n", meta.export);
    if let Some(p) = meta.patient {
        out.push_str(&format!("# patient: {}\n", esc(p)));
    }
    if let Some(d) = meta.as_of {
        out.push_str(&format!("# as_of: {d}\n"));
    }
    for l in meta.logs {
        out.push_str(&format!(
            "# log: {} id={} verification={} checkpoint={}\n",
            esc(&crate::paths::log_label(&l.path)),
            l.log.as_deref().unwrap_or("-"),
            l.result,
            l.checkpoint
                .as_ref()
                .map_or("none".to_owned(), |p| esc(&p.display().to_string())),
        ));
        for f in &l.findings {
            out.push_str(&format!("#   finding: {}\n", esc(f)));
        }
    }
    out
}

/// Stream a CSV export to `out`: header lines, `columns`, then each row as it is made
/// (a million-row export never holds its rows or its text).
pub fn write_csv<R: Serialize>(
    out: impl std::io::Write,
    meta: &ExportMeta,
    columns: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all(csv_header_lines(meta).as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(columns)?;
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

/// CSV with `columns` as the header row (written even when there are no rows).
pub fn to_csv<R: Serialize>(
    meta: &ExportMeta,
    columns: &[&str],
    rows: &[R],
) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(columns)?;
    for r in rows {
        w.serialize(r)?;
    }
    let body = w.into_inner().map_err(|e| e.into_error())?;
    let mut out = csv_header_lines(meta);
    out.push_str(&String::from_utf8_lossy(&body));
    Ok(out)
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    fn streamed(meta: &ExportMeta, rows: &[(u32, &str)]) -> String {
        let mut out = Vec::new();
        write_json(&mut out, meta, rows.iter()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The streamed JSON is the same bytes as the buffered document, rows or none.
    #[test]
    fn write_json_matches_to_json() {
        let logs = [LogStatus {
            path: "a.jsonl".into(),
            log: Some("L-1".into()),
            result: "ok".into(),
            findings: vec![],
            checkpoint: None,
        }];
        let meta = ExportMeta {
            export: "log show",
            logs: &logs,
            other: &[],
            patient: None,
            as_of: None,
            summary: None,
        };
        for rows in [
            &[][..],
            &[(1, "a\"b")][..],
            &[(1, "x"), (2, "y"), (3, "z")][..],
        ] {
            let s = streamed(&meta, rows);
            assert_eq!(s, to_json(&meta, rows));
            let v: serde_json::Value = serde_json::from_str(&s).unwrap();
            assert_eq!(v["rows"].as_array().unwrap().len(), rows.len());
            assert_eq!(v["logs"][0]["log"], "L-1");
        }
    }
}
