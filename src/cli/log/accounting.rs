//! `p2review log accounting --patient P` (42 CFR 2.25): approved consent-based
//! disclosures of one patient ref in the last three years, from verified logs.

use color_eyre::eyre;

use super::super::Ctx;
use super::super::args::{ExportFormat, LogAccountingArgs};
use super::show::fit;
use crate::supervise::export::{self, ACCOUNTING_COLUMNS, AccountingExportRow, ExportMeta};
use crate::supervise::{accounting, load_logs};
use crate::text::escape;

pub fn run(ctx: &Ctx, a: &LogAccountingArgs) -> eyre::Result<u8> {
    let (logs, opts, checkpoints) = super::sources(
        ctx,
        super::super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &[],
    )?;
    let loaded = load_logs(&logs, &opts, &checkpoints, super::verify_threads());
    // The period ends today, in the supervisor's local calendar.
    let as_of = chrono::Local::now().date_naive();
    let rows = accounting(&loaded.records, &a.patient, as_of);
    let out: Vec<AccountingExportRow> = rows
        .iter()
        .map(|r| AccountingExportRow::of(r, r.verified))
        .collect();
    let meta = ExportMeta {
        export: "log accounting",
        logs: &loaded.logs,
        other: &loaded.other,
        patient: Some(&a.patient),
        as_of: Some(as_of),
        summary: None,
    };
    match a.format {
        ExportFormat::Json => print!("{}", export::to_json(&meta, &out)),
        ExportFormat::Csv => print!("{}", export::to_csv(&meta, ACCOUNTING_COLUMNS, &out)?),
        ExportFormat::Table => print!("{}", table(&meta, &out, ctx.global.ascii)),
    }
    for l in loaded.logs.iter().filter(|l| l.result == "unreadable") {
        eprintln!("p2review: error: {}", l.findings.join("; "));
    }
    for o in loaded.other.iter().filter(|o| o.detail.is_some()) {
        eprintln!(
            "{} log={} line={} {}",
            o.code,
            escape(&o.log_path.display().to_string()),
            o.line,
            o.detail.as_deref().unwrap_or_default()
        );
    }
    // A failed log fails the accounting even when no row of this patient is on a failed
    // line: what the log says about this patient cannot be relied on.
    let failed = out.iter().any(|r| r.verification != "verified")
        || loaded.other.iter().any(|o| o.error)
        || loaded.logs.iter().any(|l| l.result == "failed");
    Ok(if failed {
        1
    } else if loaded.logs.iter().any(|l| l.result == "unreadable") {
        2
    } else if loaded.logs.iter().any(|l| l.result == "warnings") || !loaded.other.is_empty() {
        3
    } else {
        0
    })
}
fn table(meta: &ExportMeta, rows: &[AccountingExportRow], ascii: bool) -> String {
    let as_of = meta.as_of.unwrap_or_default();
    let start = as_of
        .checked_sub_months(chrono::Months::new(36))
        .unwrap_or(chrono::NaiveDate::MIN);
    let mut out = format!(
        "Accounting (42 CFR 2.25) for {}: {start} through {as_of} (UTC days)\n\
         Counted: approvals of consent-based disclosures (verdict permitted_with_notice).\n\
         Not counted: override approvals, approvals permitted without a consent, denials,\n\
         deferrals, escalations, superseded ones. FAILED entries: listed, never counted.\n",
        escape(meta.patient.unwrap_or_default()),
    );
    for l in meta.logs {
        out.push_str(&format!(
            "log {}  {}\n",
            escape(&l.path.display().to_string()),
            l.result
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "{:<10} {:<20} {:<10} {:<14} {:<8} {}\n",
        "DATE", "RECIPIENT", "PURPOSE", "BASIS", "CONSENT", "STATUS"
    ));
    for r in rows {
        out.push_str(&format!(
            "{:<10} {:<20} {:<10} {:<14} {:<8} {}{}\n",
            r.date,
            fit(&escape(&r.recipient), 20, ascii),
            fit(&escape(&r.purpose), 10, ascii),
            fit(&escape(&r.basis), 14, ascii),
            fit(&escape(&r.consent), 8, ascii),
            r.status,
            if r.verification == "verified" {
                ""
            } else {
                " FAILED"
            },
        ));
    }
    let failed = rows.iter().filter(|r| r.verification != "verified").count();
    out.push_str(&format!(
        "\n{} disclosures approved{}\n",
        rows.len() - failed,
        if failed > 0 {
            format!(" ({failed} FAILED rows listed, not counted)")
        } else {
            String::new()
        }
    ));
    out
}
