//! `p2review log accounting --patient P [--queue FILE…]` (42 CFR 2.25; 45 CFR 164.528) and
//! `p2review log recipients --consent ID` (42 CFR 2.31(a)(6)), from verified logs
//! (docs/cli.md#log-accounting).

use color_eyre::eyre::{self, bail, eyre};

use super::super::Ctx;
use super::super::args::{ExportFormat, LogAccountingArgs, LogRecipientsArgs};
use crate::supervise::accounting::{Accounting, QUEUE_NOT_SUPPLIED};
use crate::supervise::export::{self, ACCOUNTING_COLUMNS, AccountingExportRow, ExportMeta};
use crate::supervise::{Loaded, Period, QueueJoin, RecipientRow, accounting, load_logs};
use crate::text::escape;

/// What the list apart of override approvals says (2.16(b); 45 CFR 164.402).
pub const OVERRIDE_APART: &str = "approved against the Part 2 verdict — breach risk assessment required (2.16(b); 45 CFR 164.402)";

pub fn run(ctx: &Ctx, a: &LogAccountingArgs) -> eyre::Result<u8> {
    // The period ends today, in the supervisor's local calendar, unless --until says.
    let until = a.until.unwrap_or_else(|| chrono::Local::now().date_naive());
    if let Some(s) = a.since
        && s > until
    {
        bail!("--since {s} is after --until {until}: nothing could match; swap them");
    }
    let join = queues(&a.queue)?;
    let (logs, opts, checkpoints) = super::sources(
        ctx,
        super::super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &[],
    )?;
    let loaded = load_logs(&logs, &opts, &checkpoints, super::verify_threads());
    let period = Period {
        since: a.since,
        until,
    };
    let mut acc = accounting(
        &loaded.records,
        &a.patient,
        period,
        (!a.queue.is_empty()).then_some(&join),
    );
    acc.attach_incidents(
        &crate::supervise::incidents::incidents_of(&loaded.incident_entries).incidents,
    );
    let out: Vec<AccountingExportRow> = acc.rows.iter().map(AccountingExportRow::of).collect();
    let meta = ExportMeta {
        export: "log accounting",
        logs: &loaded.logs,
        other: &loaded.other,
        patient: Some(&a.patient),
        as_of: Some(until),
        summary: None,
    };
    match a.format {
        ExportFormat::Json => {
            let mut v: serde_json::Value = serde_json::from_str(&export::to_json(&meta, &out))?;
            v["period"] = serde_json::json!({
                "since": a.since.map(|d| d.to_string()),
                "until": until.to_string(),
                "default_years": {"2.25(a)": 3, "2.25(b)": 3, "164.528": 6, "none": 3},
            });
            v["against_part2_verdict"] = serde_json::json!(
                acc.overrides()
                    .map(|r| serde_json::json!({
                        "disclosure": escape(&r.disclosure),
                        "date": r.date.to_string(),
                        "reason_code": r.reason_code.as_deref().map(escape),
                        "entries": r.entries,
                        "incidents": r.incidents,
                        "note": OVERRIDE_APART,
                    }))
                    .collect::<Vec<_>>()
            );
            v["failed"] = serde_json::json!(
                acc.failed
                    .iter()
                    .map(|f| serde_json::json!({
                        "disclosure": escape(&f.disclosure),
                        "date": f.date.to_string(),
                        "decision": escape(&f.decision),
                        "log_path": escape(&f.log_path),
                        "line": f.line,
                        "entry": f.entry,
                        "findings": f.findings,
                    }))
                    .collect::<Vec<_>>()
            );
            v["excluded"] = serde_json::json!(
                acc.excluded
                    .iter()
                    .map(|e| serde_json::json!({"disclosure": escape(&e.disclosure), "reason": e.reason}))
                    .collect::<Vec<_>>()
            );
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
        }
        ExportFormat::Csv => {
            // What is listed apart goes into the leading `#` lines, before the header row.
            let csv = export::to_csv(&meta, ACCOUNTING_COLUMNS, &out)?;
            let split = csv.find("\ndisclosure,").map_or(0, |i| i + 1);
            let mut apart = String::new();
            for r in acc.overrides() {
                apart.push_str(&format!(
                    "# {OVERRIDE_APART}: {} {}{}\n",
                    escape(&r.disclosure),
                    r.date,
                    incidents_text(r)
                ));
            }
            for f in &acc.failed {
                apart.push_str(&format!(
                    "# FAILED (never counted): {} {} {} line {} {}\n",
                    escape(&f.disclosure),
                    f.date,
                    escape(&f.log_path).replace(['\n', '\r'], " "),
                    f.line,
                    f.findings.join(" ")
                ));
            }
            for e in &acc.excluded {
                apart.push_str(&format!(
                    "# not in the accounting: {} {}\n",
                    escape(&e.disclosure),
                    e.reason
                ));
            }
            out!("{}{apart}{}", &csv[..split], &csv[split..])?;
        }
        ExportFormat::Table => out!(
            "{}",
            table(&a.patient, period, &loaded, &acc, &out, term_width())
        )?,
    }
    report_findings(&loaded);
    // A failed log fails the accounting even when no row of this patient is on a failed
    // line: what the log says about this patient cannot be relied on.
    Ok(exit_code(&loaded, !acc.failed.is_empty()))
}

/// The queues given, joined by sha256 + disclosure id; one that does not load is an error.
fn queues(files: &[std::path::PathBuf]) -> eyre::Result<QueueJoin> {
    let mut join = QueueJoin::default();
    for p in files {
        let q = crate::queue::load_path(p).map_err(|e| eyre!(e))?;
        join.add(&q.sha256, &q.queue);
    }
    Ok(join)
}

fn report_findings(loaded: &Loaded) {
    for l in loaded.logs.iter().filter(|l| l.result == "unreadable") {
        eprintln!("p2review: error: {}", l.findings.join("; "));
    }
    for o in loaded.other.iter().filter(|o| o.detail.is_some()) {
        eprintln!(
            "{} log={} line={} {}",
            o.code,
            escape(&crate::team::log_label(&o.log_path)),
            o.line,
            o.detail.as_deref().unwrap_or_default()
        );
    }
}

fn exit_code(loaded: &Loaded, failed_rows: bool) -> u8 {
    let failed = failed_rows
        || loaded.other.iter().any(|o| o.error)
        || loaded.logs.iter().any(|l| l.result == "failed");
    if failed {
        1
    } else if loaded.logs.iter().any(|l| l.result == "unreadable") {
        2
    } else if loaded.logs.iter().any(|l| l.result == "warnings") || !loaded.other.is_empty() {
        3
    } else {
        0
    }
}

/// The terminal's width (`COLUMNS`), at least 60; 80 when unknown.
fn term_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(80)
        .clamp(60, 400)
}

/// `text` wrapped at spaces into lines of at most `cells` display cells (a longer word is
/// cut); already escaped.
fn wrap(text: &str, cells: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let mut word = word.to_owned();
        loop {
            let cur = lines.last_mut().expect("one line");
            let sep = usize::from(!cur.is_empty());
            if crate::text::width(cur) + sep + crate::text::width(&word) <= cells {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if cur.is_empty() {
                // A word longer than the line: cut it.
                let mut head = String::new();
                let mut rest = word.chars();
                for c in rest.by_ref() {
                    if crate::text::width(&head) + unicode_w(c) > cells {
                        head.push(c);
                        break;
                    }
                    head.push(c);
                }
                let last = head.pop();
                *cur = head;
                word = last.into_iter().chain(rest).collect();
                lines.push(String::new());
                if word.is_empty() {
                    break;
                }
            } else {
                lines.push(String::new());
            }
        }
    }
    lines.retain(|l| !l.is_empty());
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn unicode_w(c: char) -> usize {
    crate::text::width(c.encode_utf8(&mut [0; 4]))
}

/// A record layout (one block per disclosure): fits 80 columns, uses a wider terminal.
fn table(
    patient: &str,
    period: Period,
    loaded: &Loaded,
    acc: &Accounting,
    rows: &[AccountingExportRow],
    width: usize,
) -> String {
    let mut out = format!(
        "Accounting of disclosures for {}: {} through {}\n\
         (UTC days; 164.528 rows from {}). The date is the approval date.\n\
         One row per disclosure whose effective decision is an approval.\n",
        escape(patient),
        period.start(3),
        period.until,
        period.start(6),
    );
    for l in &loaded.logs {
        out.push_str(&format!(
            "log {}  {}\n",
            escape(&crate::team::log_label(&l.path)),
            l.result
        ));
    }
    let label = 14;
    let value = width.saturating_sub(label + 2).max(20);
    for r in rows {
        let recipient = match r.conduit.as_str() {
            "" => r.recipient.clone(),
            QUEUE_NOT_SUPPLIED => format!("{} (conduit: queue not supplied)", r.recipient),
            c => format!("{} via {c}", r.recipient),
        };
        let required = format!(
            "{}{}",
            r.required_by,
            if r.required_by_unsettled {
                " (unsettled: only through an EHR; whether an 837 via a clearinghouse is that, and the compliance date, are open)"
            } else {
                ""
            }
        );
        out.push_str(&format!("\n{}  approval date {}\n", r.disclosure, r.date));
        for (k, v) in [
            ("recipient", recipient.as_str()),
            ("address", r.address.as_str()),
            ("description", r.description.as_str()),
            ("purpose", r.purpose.as_str()),
            ("basis", r.basis.as_str()),
            ("reviewer(s)", r.reviewers.as_str()),
            ("verification", r.verification),
            ("required by", required.as_str()),
            ("incident(s)", r.incidents.as_str()),
        ] {
            let v = if v.is_empty() { "-" } else { v };
            for (i, line) in wrap(v, value).iter().enumerate() {
                let k = if i == 0 { k } else { "" };
                out.push_str(&format!("  {k:<label$}{line}\n"));
            }
        }
        if r.conflict {
            out.push_str("  CONFLICT      another effective decision on this item differs\n");
        }
    }
    out.push_str(&format!("\n{} disclosures\n", rows.len()));
    let overrides: Vec<_> = acc.overrides().collect();
    if !overrides.is_empty() {
        out.push_str(&format!("\n{OVERRIDE_APART}:\n"));
        for r in overrides {
            out.push_str(&format!(
                "  {}  {}  {}{}\n",
                escape(&r.disclosure),
                r.date,
                escape(r.reason_code.as_deref().unwrap_or_default()),
                incidents_text(r)
            ));
        }
    }
    if !acc.failed.is_empty() {
        out.push_str("\nFAILED entries (listed, never counted):\n");
        for f in &acc.failed {
            out.push_str(&format!(
                "  {}  {}  {}  {}:{}  {}\n",
                escape(&f.disclosure),
                f.date,
                escape(&f.decision),
                escape(&f.log_path),
                f.line,
                f.findings.join(" ")
            ));
        }
    }
    if !acc.excluded.is_empty() {
        out.push_str("\nNot in the accounting:\n");
        for e in &acc.excluded {
            out.push_str(&format!("  {}  {}\n", escape(&e.disclosure), e.reason));
        }
    }
    out
}

/// One `log recipients` row, flat.
#[derive(serde::Serialize)]
struct RecipientOut {
    subject: String,
    recipient: String,
    recipient_kind: String,
    conduit: String,
    first: String,
    last: String,
    disclosures: String,
    superseded: bool,
}

const RECIPIENT_COLUMNS: &[&str] = &[
    "subject",
    "recipient",
    "recipient_kind",
    "conduit",
    "first",
    "last",
    "disclosures",
    "superseded",
];

impl RecipientOut {
    fn of(r: &RecipientRow) -> RecipientOut {
        RecipientOut {
            subject: escape(&r.subject).into_owned(),
            recipient: escape(&r.recipient).into_owned(),
            recipient_kind: escape(&r.recipient_kind).into_owned(),
            conduit: escape(r.conduit.as_deref().unwrap_or_default()).into_owned(),
            first: r.first.to_string(),
            last: r.last.to_string(),
            disclosures: escape(&r.disclosures.join(" ")).into_owned(),
            superseded: r.superseded,
        }
    }
}

pub fn recipients(ctx: &Ctx, a: &LogRecipientsArgs) -> eyre::Result<u8> {
    let join = queues(&a.queue)?;
    let (logs, opts, checkpoints) = super::sources(
        ctx,
        super::super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &[],
    )?;
    let loaded = load_logs(&logs, &opts, &checkpoints, super::verify_threads());
    let rows = crate::supervise::recipients(
        &loaded.records,
        &a.consent,
        a.since,
        (!a.queue.is_empty()).then_some(&join),
    );
    let out: Vec<RecipientOut> = rows.iter().map(RecipientOut::of).collect();
    let meta = ExportMeta {
        export: "log recipients",
        logs: &loaded.logs,
        other: &loaded.other,
        patient: None,
        as_of: a.since,
        summary: None,
    };
    match a.format {
        ExportFormat::Json => {
            let mut v: serde_json::Value = serde_json::from_str(&export::to_json(&meta, &out))?;
            v["consent"] = serde_json::json!(escape(&a.consent));
            v["since"] = serde_json::json!(a.since.map(|d| d.to_string()));
            if let Some(o) = v.as_object_mut() {
                o.remove("as_of");
            }
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
        }
        ExportFormat::Csv => out!("{}", export::to_csv(&meta, RECIPIENT_COLUMNS, &out)?)?,
        ExportFormat::Table => {
            outln!(
                "Recipients of records under consent {}{} (verified approvals, superseded ones included)",
                escape(&a.consent),
                a.since.map_or(String::new(), |d| format!(" since {d}"))
            )?;
            for l in &loaded.logs {
                outln!(
                    "log {}  {}",
                    escape(&crate::team::log_label(&l.path)),
                    l.result
                )?;
            }
            outln!(
                "\n{:<10} {:<24} {:<10} {:<10} DISCLOSURES",
                "PATIENT",
                "RECIPIENT",
                "FIRST",
                "LAST"
            )?;
            for r in &out {
                outln!(
                    "{} {} {} {} {}{}",
                    crate::text::fit(&r.subject, 10, ctx.global.ascii),
                    crate::text::fit(&r.recipient, 24, ctx.global.ascii),
                    r.first,
                    r.last,
                    r.disclosures,
                    if r.superseded { " (superseded)" } else { "" }
                )?;
                if !r.conduit.is_empty() {
                    outln!("{:<11}via {}", "", r.conduit)?;
                }
            }
            outln!("\n{} recipients", out.len())?;
        }
    }
    report_findings(&loaded);
    let failed_here = loaded
        .records
        .iter()
        .any(|r| !r.verification.ok() && r.body.consent.as_deref() == Some(a.consent.as_str()));
    Ok(exit_code(&loaded, failed_here))
}

/// `  incident <hash>…` after an override approval that an incident concerns, else the
/// reminder that none is recorded (2.16(b); 45 CFR 164.402).
fn incidents_text(r: &crate::supervise::accounting::AccountingRow) -> String {
    if r.incidents.is_empty() {
        "  (no incident recorded)".into()
    } else {
        format!("  incident {}", r.incidents.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    /// Wrapping goes by display width, at spaces; a word longer than the line is cut, and
    /// nothing is lost.
    #[test]
    fn wrap_keeps_every_character_within_the_width() {
        let text = "claim: diagnosis and procedure codes, charges, services 2026-10-01–2026-10-31";
        let lines = wrap(text, 24);
        assert!(
            lines.iter().all(|l| crate::text::width(l) <= 24),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), text);
        let long = "x".repeat(45);
        let lines = wrap(&long, 20);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines.concat(), long);
        let cjk = "医療機関".repeat(6);
        let lines = wrap(&cjk, 20);
        assert!(
            lines.iter().all(|l| crate::text::width(l) <= 20),
            "{lines:?}"
        );
        assert_eq!(lines.concat(), cjk);
    }
}
