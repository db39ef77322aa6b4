//! `p2review log show` (docs/cli.md#log-show): many logs merged in time order, every entry verified as
//! it is read, filtered, as a table (80 columns) or an export for auditors.

use color_eyre::eyre::{self, bail};

use super::super::Ctx;
use super::super::args::{DecisionArg, LogShowArgs, ShowFormat};
use crate::supervise::export::{self, ExportMeta, SHOW_COLUMNS, ShowRow};
use crate::supervise::{DecisionRecord, Filter, Loaded, load_logs_keeping, summarize_with};
use crate::text::escape;

pub fn decision_str(d: DecisionArg) -> &'static str {
    match d {
        DecisionArg::Approve => "approve",
        DecisionArg::Deny => "deny",
        DecisionArg::Escalate => "escalate",
        DecisionArg::Defer => "defer",
    }
}

pub fn run(ctx: &Ctx, a: &LogShowArgs) -> eyre::Result<u8> {
    let (logs, opts, checkpoints) = super::sources(
        ctx,
        super::super::team::spec(&a.team),
        &a.logs,
        a.allowed_signers.as_deref(),
        &a.checkpoint,
    )?;
    let filter = Filter {
        reviewer: a.reviewer.clone(),
        decision: a.decision.map(|d| decision_str(d).to_owned()),
        since: a.since,
        until: a.until,
        patient: a.patient.clone(),
        overrides_only: a.overrides,
        part2: a.part2.clone(),
    };
    if let (Some(s), Some(u)) = (a.since, a.until)
        && s > u
    {
        bail!("--since {s} is after --until {u}: nothing could match; swap them");
    }
    // Only the matching records are kept (a filtered view of a million entries holds
    // what it shows); failures elsewhere still count through the log status.
    let loaded = load_logs_keeping(&logs, &opts, &checkpoints, super::verify_threads(), &|r| {
        filter.matches(r)
    });
    let shown: Vec<&DecisionRecord> = loaded.records.iter().collect();
    for (p, cp) in &checkpoints {
        if !loaded
            .logs
            .iter()
            .any(|l| l.log.as_deref() == Some(&cp.log_id))
        {
            bail!(
                "{}: this checkpoint is of log {}, which is not among the logs shown",
                p.display(),
                cp.log_id
            );
        }
    }

    // Incident entries (docs/incidents.md) after the decisions, in the same formats.
    let incident_rows: Vec<ShowRow> = loaded
        .incident_entries
        .iter()
        .filter(|e| filter.matches_incident(e))
        .filter_map(ShowRow::of_incident)
        .collect();
    let summary = summarize_with(&shown, |h| loaded.superseded.contains(h));
    let flags = crate::supervise::conflict::Flags::of(&loaded.records, &loaded.superseded);
    let meta = ExportMeta {
        export: "log show",
        logs: &loaded.logs,
        other: &loaded.other,
        patient: None,
        as_of: None,
        summary: Some(&summary),
    };
    match a.format {
        ShowFormat::Json => export::write_json(
            std::io::BufWriter::new(std::io::stdout().lock()),
            &meta,
            shown
                .iter()
                .map(|r| ShowRow::of(r, &flags))
                .chain(incident_rows.iter().cloned()),
        )?,
        ShowFormat::Csv => export::write_csv(
            std::io::BufWriter::new(std::io::stdout().lock()),
            &meta,
            SHOW_COLUMNS,
            shown
                .iter()
                .map(|r| ShowRow::of(r, &flags))
                .chain(incident_rows.iter().cloned()),
        )?,
        ShowFormat::Fhir => {
            // One AuditEvent per verified decision entry; failed ones are counted on stderr
            // (and in the exit code), never exported as if they were records.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut failed = 0usize;
            for r in &shown {
                match crate::supervise::audit_event::audit_event(r) {
                    Some(ev) => {
                        serde_json::to_writer(&mut out, &ev)?;
                        std::io::Write::write_all(&mut out, b"\n")?;
                    }
                    None => failed += 1,
                }
            }
            std::io::Write::flush(&mut out)?;
            if failed > 0 {
                eprintln!(
                    "p2review: {failed} entr{} failed verification and {} not exported as AuditEvents; run `p2review log show` for the findings",
                    if failed == 1 { "y" } else { "ies" },
                    if failed == 1 { "was" } else { "were" }
                );
            }
        }
        ShowFormat::Table => std::io::Write::write_all(
            &mut std::io::stdout().lock(),
            table_with_incidents(&loaded, &shown, &incident_rows, ctx.global.ascii).as_bytes(),
        )?,
    }
    for l in loaded.logs.iter().filter(|l| l.result == "unreadable") {
        eprintln!("p2review: error: {}", l.findings.join("; "));
    }
    Ok(loaded.exit_code(shown.iter().copied()))
}

/// [`table`], then the incident entries shown and the open incidents (all entries read;
/// docs/incidents.md), counted to today.
pub fn table_with_incidents(
    loaded: &Loaded,
    shown: &[&DecisionRecord],
    incident_rows: &[ShowRow],
    ascii: bool,
) -> String {
    let mut out = table(loaded, shown, ascii);
    if !incident_rows.is_empty() {
        out.push_str("\nINCIDENT ENTRIES\n");
        out.push_str(&format!(
            "{:<8} {:<16} {:<18} {:<19} {}\n",
            "STATUS", "TIME (UTC)", "REVIEWER", "TYPE", "ENTRY / DETAIL"
        ));
        for r in incident_rows {
            let ts = r.ts.get(..16).unwrap_or(&r.ts).replace('T', " ");
            out.push_str(&format!(
                "{:<8} {:<16} {} {:<19} {}\n",
                r.verification,
                ts,
                crate::text::fit(&r.reviewer, 18, ascii),
                r.entry_type,
                crate::text::fit(&r.entry, 12, ascii),
            ));
            out.push_str(&format!(
                "         {}\n",
                crate::text::fit(&r.detail, 70, ascii)
            ));
        }
    }
    let today = chrono::Local::now().date_naive();
    out.push_str(&open_incidents_block(
        &crate::supervise::incidents::incidents_of(&loaded.incident_entries),
        today,
        ascii,
    ));
    out
}

/// "OPEN INCIDENTS": each incident with a notice still owed (or not assessed yet), its
/// next notice and the days left; empty when none is open.
pub fn open_incidents_block(
    inc: &crate::supervise::incidents::IncidentsLoaded,
    as_of: chrono::NaiveDate,
    ascii: bool,
) -> String {
    use crate::incident::deadline::NoticeState;
    let open: Vec<_> = inc.incidents.iter().filter(|v| v.open(as_of)).collect();
    if open.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nOPEN INCIDENTS ({}, as of {as_of}; `p2review incident list --open` for all notices)\n",
        open.len()
    );
    for v in open {
        let outcome = v.outcome().map_or("not assessed", |o| o.as_str());
        let next = v
            .rows(as_of)
            .into_iter()
            .filter(|r| r.state.open())
            .map(|r| {
                let to = r.due.to.map_or("-", |t| t.as_str());
                match r.state {
                    NoticeState::Pending { due, days_left } if days_left < 0 => {
                        format!("{to} OVERDUE since {due} ({days_left} days)")
                    }
                    NoticeState::Pending { due, days_left } => {
                        format!("{to} by {due} ({days_left} days left)")
                    }
                    _ => format!("{to} contractual: set breach_notice_days"),
                }
            })
            .next()
            .unwrap_or_else(|| "assess it: `p2review incident assess`".into());
        out.push_str(&format!(
            "  {} {} {} {}\n",
            crate::text::fit(&v.entry_sha256, 12, ascii),
            v.fields.kind.as_str(),
            outcome,
            next
        ));
    }
    out
}

/// Cut `s` (already escaped) to `w` cells of display width, marking the cut.
pub fn fit(s: &str, w: usize, ascii: bool) -> String {
    crate::text::shorten(s, w, ascii).into_owned()
}

/// The table: log status lines, one row per entry (failed entries with their codes on
/// the next line), findings on other lines, then a short summary. Fits 80 columns.
pub fn table(loaded: &Loaded, shown: &[&DecisionRecord], ascii: bool) -> String {
    let mut out = String::new();
    for l in &loaded.logs {
        let id = l
            .log
            .as_deref()
            .map_or("-".to_owned(), |i| fit(i, 12, ascii));
        let cp = l.checkpoint.as_ref().map_or("none".to_owned(), |p| {
            escape(&p.display().to_string()).into_owned()
        });
        out.push_str(&format!(
            "log {}\n    {}  id {}  checkpoint {}\n",
            escape(&crate::team::log_label(&l.path)),
            l.result,
            id,
            cp
        ));
    }
    out.push('\n');
    let mut row = |s: String| {
        out.push_str(s.trim_end());
        out.push('\n');
    };
    row(format!(
        "{:<8} {:<16} {:<18} {:<8} {:<3} {:<10} {:<10}",
        "STATUS", "TIME (UTC)", "REVIEWER", "DECISION", "OVR", "PATIENT", "DISCLOSURE"
    ));
    // Team work (docs/team.md): effective decisions that disagree, and override approvals
    // still waiting for a second reviewer, among the entries kept.
    let flags = crate::supervise::conflict::Flags::of(&loaded.records, &loaded.superseded);
    for r in shown {
        let b = &r.body;
        let status = if !r.verification.ok() {
            "FAILED"
        } else {
            flags.status(&r.entry_sha256)
        };
        row(format!(
            "{:<8} {:<16} {} {} {:<3} {} {}",
            status,
            r.ts().format("%Y-%m-%d %H:%M"),
            crate::text::fit(&escape(&b.reviewer), 18, ascii),
            crate::text::fit(&escape(&b.decision), 8, ascii),
            if b.override_ { "yes" } else { "" },
            crate::text::fit(&escape(&b.subject), 10, ascii),
            crate::text::fit(&escape(&b.disclosure), 10, ascii),
        ));
        if let crate::supervise::Verification::Failed { findings } = &r.verification {
            row(format!(
                "         {} (line {} of {})",
                findings.join(" "),
                r.line,
                escape(&crate::team::log_label(&r.log_path))
            ));
        }
    }
    for o in &loaded.other {
        match &o.detail {
            Some(d) => row(format!(
                "{:<8} {} line {} seq {} of {}\n         {d}",
                "warning",
                o.code,
                o.line,
                o.seq,
                escape(&crate::team::log_label(&o.log_path)),
            )),
            None => row(format!(
                "{:<8} {} line {} seq {} of {} (not a decision row)",
                if o.error { "FAILED" } else { "warning" },
                o.code,
                o.line,
                o.seq,
                escape(&crate::team::log_label(&o.log_path)),
            )),
        }
    }
    let failed = shown.iter().filter(|r| !r.verification.ok()).count();
    let s = loaded.open_escalations();
    out.push_str(&format!(
        "\n{} entries shown, {} failed verification; open escalations (all entries): {}\n",
        shown.len(),
        failed,
        s
    ));
    if flags.conflicts > 0 {
        out.push_str(&format!(
            "CONFLICT: {} items have effective decisions that disagree\n",
            flags.conflicts
        ));
    }
    let waiting = flags.pending.len();
    if waiting > 0 {
        out.push_str(&format!(
            "PENDING: {waiting} override approvals wait for a second reviewer\n"
        ));
    }
    out
}
