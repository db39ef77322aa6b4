//! `p2review train status [LOG...]` (docs/cli.md): who completed training, with which score,
//! pack and policy version, and who is current or due. Every log is verified as it is read;
//! a record that fails verification never counts, and the output says the log failed.

use std::io::Write;
use std::path::PathBuf;

use color_eyre::eyre::{self, WrapErr};
use serde::Serialize;

use crate::cli::Ctx;
use crate::cli::args::{ExportFormat, TrainStatusArgs};
use crate::cli::exit;
use crate::engine::Engine;
use crate::log::verify::VerifyOptions;
use crate::text::escape;
use crate::training::{Currency, TraineeStatus, read_training_log, summarize_with_failed};

/// One output row (table, json object, csv record).
#[derive(Debug, Serialize)]
struct Row {
    principal: String,
    status: &'static str,
    reason: String,
    current_until: Option<String>,
    last_completed: Option<String>,
    pack: Option<String>,
    pack_version: Option<String>,
    policy_version: Option<String>,
    correct: Option<u32>,
    total: Option<u32>,
    percent: Option<u32>,
    pass_mark: Option<u8>,
    passed: Option<bool>,
    last_pass: Option<String>,
}

fn row(t: &TraineeStatus) -> Row {
    let last = t.last.as_ref();
    let (status, reason, until) = match &t.currency {
        Currency::Current { until } => ("current", String::new(), Some(until.to_string())),
        Currency::Due { reason } => ("due", reason.to_string(), None),
    };
    Row {
        principal: t.principal.clone(),
        status,
        reason,
        current_until: until,
        last_completed: last.map(|c| c.ts.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        pack: last.map(|c| c.pack_id.clone()),
        pack_version: last.map(|c| c.pack_version.clone()),
        policy_version: last.map(|c| c.part2_policy_version.clone()),
        correct: last.map(|c| c.correct),
        total: last.map(|c| c.total),
        percent: last.map(|c| (100 * u64::from(c.correct) / u64::from(c.total.max(1))) as u32),
        pass_mark: last.map(|c| c.pass_mark),
        passed: last.map(|c| c.passed),
        last_pass: t
            .last_passing
            .as_ref()
            .map(|c| c.ts.format("%Y-%m-%d").to_string()),
    }
}

/// Roster file: one principal per line; blank lines and `#` comments ignored.
fn read_roster(path: &std::path::Path) -> eyre::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("{}: cannot read the roster", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

pub fn run(ctx: &Ctx, a: &TrainStatusArgs) -> eyre::Result<u8> {
    let as_of = a.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let engine = Engine::load(ctx.global.policy.as_deref()).map_err(eyre::Report::msg)?;
    let ev = engine.for_date(as_of).map_err(eyre::Report::msg)?;
    let policy_now = ev.part2_policy().reference.version.to_string();
    let roster = match &a.roster {
        Some(p) => read_roster(p)?,
        None => Vec::new(),
    };
    // The default log may not exist yet (nobody trained here): that is no records, not an error.
    let (logs, default): (Vec<PathBuf>, bool) = if a.logs.is_empty() {
        (vec![ctx.data.training_log()], true)
    } else {
        (a.logs.clone(), false)
    };
    ctx.data.check_strict_modes()?;
    let opts = VerifyOptions {
        trust: crate::cli::log::trust(ctx, a.allowed_signers.as_deref())?,
        checkpoints: Vec::new(),
        heads_dir: Some(ctx.data.heads_dir()),
    };
    let mut records = Vec::new();
    let mut failed_principals = std::collections::BTreeSet::new();
    let mut failed = false;
    for path in &logs {
        if default && !path.exists() {
            continue;
        }
        let log = read_training_log(path, &opts)?;
        if log.kind != Some(crate::log::LogKind::Training) {
            eprintln!(
                "p2review: {}: not a training log; no completion in it counts",
                path.display()
            );
            failed = true;
        }
        if log.failed() {
            failed = true;
            let codes: std::collections::BTreeSet<&str> = log
                .findings
                .iter()
                .filter(|f| f.code.is_error())
                .map(|f| f.code.as_str())
                .collect();
            eprintln!(
                "p2review: LOG FAILED VERIFICATION: {} ({}); {} completion record(s) from the \
                 first failure on do not count; run `p2review log verify {}` for details",
                path.display(),
                codes.into_iter().collect::<Vec<_>>().join(", "),
                log.dropped,
                path.display()
            );
        } else if !log.findings.is_empty() {
            // Warnings only (e.g. a torn last line): what is there verified; what was torn
            // off never counts.
            let codes: std::collections::BTreeSet<&str> =
                log.findings.iter().map(|f| f.code.as_str()).collect();
            eprintln!(
                "p2review: warning: {}: {}; run `p2review log verify {}` for details",
                path.display(),
                codes.into_iter().collect::<Vec<_>>().join(", "),
                path.display()
            );
        }
        records.extend(log.completions);
        failed_principals.extend(log.failed_principals);
    }
    let statuses = summarize_with_failed(
        &records,
        &roster,
        &failed_principals,
        as_of,
        ev.part2_policy(),
    );
    let any_due = statuses.iter().any(TraineeStatus::is_due);
    let rows: Vec<Row> = statuses
        .iter()
        .filter(|t| !a.due || t.is_due())
        .map(row)
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match a.format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            for r in &rows {
                w.serialize(r)?;
            }
            if rows.is_empty() {
                w.write_record([
                    "principal",
                    "status",
                    "reason",
                    "current_until",
                    "last_completed",
                    "pack",
                    "pack_version",
                    "policy_version",
                    "correct",
                    "total",
                    "percent",
                    "pass_mark",
                    "passed",
                    "last_pass",
                ])?;
            }
            w.flush()?;
        }
        ExportFormat::Table => table(&mut out, &rows, as_of, &policy_now, a.due)?,
    }
    Ok(if failed || (a.due && any_due) {
        exit::PROBLEM
    } else {
        exit::OK
    })
}

/// Words of `s` in lines of at most `cells` cells (a longer word is shortened with `…`).
fn wrap(s: &str, cells: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        let w = crate::text::shorten(w, cells, false);
        if !cur.is_empty() && crate::text::width(&cur) + 1 + crate::text::width(&w) > cells {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Column widths of the table (with the single spaces between, 80 columns in all).
const W_WHO: usize = 22;
const W_STATUS: usize = 7;
const W_LAST: usize = 10;
const W_SCORE: usize = 10;
const W_DETAIL: usize = 80 - W_WHO - W_STATUS - W_LAST - W_SCORE - 4;

fn table(
    out: &mut impl Write,
    rows: &[Row],
    as_of: chrono::NaiveDate,
    policy: &str,
    due_only: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Training status as of {as_of} (Part 2 policy in force: {})",
        escape(policy)
    )?;
    if rows.is_empty() {
        return writeln!(
            out,
            "{}",
            if due_only {
                "nobody is due"
            } else {
                "no completion records (give --roster to list who has never trained)"
            }
        );
    }
    // 80 columns: one line per trainee, each cell shortened by display width with a
    // visible `…`; the pack and policy of the last record follow on an indented line, and
    // `--format json|csv` has every field in full.
    let cell = |s: &str, w: usize| crate::text::fit(s, w, false);
    writeln!(
        out,
        "{} {} {} {} DETAIL",
        cell("PRINCIPAL", W_WHO),
        cell("STATUS", W_STATUS),
        cell("LAST", W_LAST),
        cell("SCORE", W_SCORE)
    )?;
    for r in rows {
        // The percent is in JSON/CSV; the table keeps the count and the verdict.
        let score = match (r.correct, r.total, r.passed) {
            (Some(c), Some(t), Some(ok)) => {
                format!("{c}/{t} {}", if ok { "pass" } else { "fail" })
            }
            _ => "-".into(),
        };
        let detail = match &r.current_until {
            Some(u) => format!("current until {u}"),
            None => r.reason.clone(),
        };
        let last = r
            .last_completed
            .as_deref()
            .map_or("-", |t| &t[..t.len().min(10)]);
        writeln!(
            out,
            "{} {} {} {} {}",
            cell(&escape(&r.principal), W_WHO),
            cell(&r.status.to_uppercase(), W_STATUS),
            cell(last, W_LAST),
            cell(&score, W_SCORE),
            crate::text::shorten(&escape(&detail), W_DETAIL, false)
        )?;
        // A detail cut short above is given in full, wrapped, below the row.
        if crate::text::width(&escape(&detail)) > W_DETAIL {
            for l in wrap(&escape(&detail), 76) {
                writeln!(out, "    {l}")?;
            }
        }
        if let (Some(p), Some(v)) = (&r.pack, &r.pack_version) {
            let line = format!(
                "  pack {} v{} · Part 2 policy {}",
                escape(p),
                escape(v),
                escape(r.policy_version.as_deref().unwrap_or("-"))
            );
            writeln!(out, "{}", crate::text::shorten(&line, 80, false))?;
        }
    }
    Ok(())
}
