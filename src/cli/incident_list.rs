//! `p2review incident list` (docs/cli.md#incident-list): each incident with its outcome, the
//! notices it owes, days left (negative when late); exit 1 when any notice is overdue.

use std::io::Write;

use color_eyre::eyre;
use serde::Serialize;

use super::Ctx;
use super::args::ExportFormat;
use super::incident_args::IncidentListArgs;
use crate::incident::{Due, NoticeState};
use crate::supervise::incidents::{IncidentView, NoticeRow, load_incidents};
use crate::text::escape;

/// One notice row of the list (also the CSV columns and the JSON `notices[]`).
#[derive(Debug, Serialize)]
struct Row {
    incident: String,
    kind: &'static str,
    discovered_on: String,
    actor: &'static str,
    /// The assessed outcome, or `breach (presumed)` before any assessment.
    outcome: String,
    to: &'static str,
    /// A date, `contractual`, or `not_applicable`.
    due: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    /// `pending`, `overdue`, `sent`, `sent_late`, `contractual`, `not_applicable`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_on: Option<String>,
    cite: &'static str,
    why: String,
}

fn outcome_word(v: &IncidentView) -> String {
    match v.outcome() {
        Some(o) => o.as_str().into(),
        None => "breach (presumed)".into(),
    }
}

fn rows_of(v: &IncidentView, as_of: chrono::NaiveDate) -> Vec<Row> {
    let base = |r: &NoticeRow| {
        let (due, original_due) = match &r.due.due {
            Due::Date(d) => (
                d.to_string(),
                r.due.original.filter(|o| o != d).map(|o| o.to_string()),
            ),
            Due::Contractual => ("contractual".into(), None),
            Due::NotApplicable => ("not_applicable".into(), None),
        };
        let (status, days_left, sent_on) = match &r.state {
            NoticeState::Done { on, late } => (
                if *late { "sent_late" } else { "sent" },
                None,
                Some(on.to_string()),
            ),
            NoticeState::Pending { days_left, .. } => (
                if *days_left < 0 { "overdue" } else { "pending" },
                Some(*days_left),
                None,
            ),
            NoticeState::Contractual => ("contractual", None, None),
            NoticeState::NotApplicable => ("not_applicable", None, None),
        };
        Row {
            incident: v.entry_sha256.clone(),
            kind: v.fields.kind.as_str(),
            discovered_on: v.fields.discovered_on.clone(),
            actor: v.actor().as_str(),
            outcome: outcome_word(v),
            to: r.due.to.map_or("-", |t| t.as_str()),
            due,
            original_due,
            days_left,
            status,
            sent_on,
            cite: r.due.cite,
            why: r.due.why.clone(),
        }
    };
    let rows = v.rows(as_of);
    if rows.is_empty() {
        // No notice owed (low probability, exception, secured for a program/CE).
        return vec![Row {
            incident: v.entry_sha256.clone(),
            kind: v.fields.kind.as_str(),
            discovered_on: v.fields.discovered_on.clone(),
            actor: v.actor().as_str(),
            outcome: outcome_word(v),
            to: "-",
            due: "none".into(),
            original_due: None,
            days_left: None,
            status: "none_required",
            sent_on: None,
            cite: "45 CFR 164.402",
            why: "no 164.404–408 notice is owed for this outcome; keep the assessment six years \
                  (164.530(j))"
                .into(),
        }];
    }
    rows.iter().map(base).collect()
}

pub fn run(ctx: &Ctx, a: &IncidentListArgs) -> eyre::Result<u8> {
    let mut paths = a.logs.clone();
    paths.extend(a.log.clone());
    // Like `log show`: with --team every team log (plus any LOG) under the team's signers.
    let (paths, opts, _) = super::log::sources(
        ctx,
        super::team::spec(&a.team),
        &paths,
        a.allowed_signers.as_deref(),
        &[],
    )?;
    let as_of = a.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let loaded = load_incidents(&paths, &opts, super::log::verify_threads());
    let shown: Vec<&IncidentView> = loaded
        .incidents
        .iter()
        .filter(|v| !a.open || v.open(as_of))
        .collect();
    let rows: Vec<Row> = shown.iter().flat_map(|v| rows_of(v, as_of)).collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({
                    "as_of": as_of.to_string(),
                    "notices": rows,
                }),
            )?;
            writeln!(out)?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            for r in &rows {
                w.serialize(r)?;
            }
            w.flush()?;
        }
        ExportFormat::Table => {
            writeln!(
                out,
                "{:<12} {:<10} {:<13} {:<17} {:<11} {:<11} {:>5} STATUS",
                "INCIDENT", "DISCOVERED", "ACTOR", "OUTCOME", "NOTICE", "DUE", "DAYS"
            )?;
            for r in &rows {
                let status = match &r.sent_on {
                    Some(on) => format!("{} {on}", r.status),
                    None => r.status.to_owned(),
                };
                writeln!(
                    out,
                    "{:<12} {:<10} {:<13} {:<17} {:<11} {:<11} {:>5} {}",
                    &r.incident[..12],
                    r.discovered_on,
                    r.actor,
                    r.outcome,
                    r.to,
                    if r.due == "not_applicable" {
                        "n/a"
                    } else {
                        &r.due
                    },
                    r.days_left.map_or("-".into(), |d| d.to_string()),
                    status
                )?;
            }
            let overdue = shown.iter().filter(|v| v.overdue(as_of)).count();
            writeln!(
                out,
                "{} incident(s) shown, {} open, {} with a notice overdue (as of {as_of})",
                shown.len(),
                shown.iter().filter(|v| v.open(as_of)).count(),
                overdue
            )?;
        }
    }
    out.flush()?;
    drop(out);
    for (p, line, ty) in &loaded.failed {
        eprintln!(
            "p2review: FAILED {ty} entry log={} line={line}: it does not count; run `p2review log verify`",
            p.display()
        );
    }
    for (p, line, ty) in &loaded.unresolved {
        eprintln!(
            "p2review: {ty} entry log={} line={line} names an incident not in the logs read; give its log too",
            p.display()
        );
    }
    let mut unreadable = false;
    let mut failed_log = !loaded.failed.is_empty();
    for (_, r) in &loaded.logs {
        match r {
            Err(e) => {
                // The reason names the log already (`VerifyIoError`).
                eprintln!("p2review: error: {}", escape(e));
                unreadable = true;
            }
            Ok(1) => failed_log = true,
            Ok(_) => {}
        }
    }
    let overdue = loaded.incidents.iter().any(|v| v.overdue(as_of));
    Ok(if overdue || failed_log {
        super::exit::PROBLEM
    } else if unreadable {
        super::exit::ERROR
    } else {
        super::exit::OK
    })
}
