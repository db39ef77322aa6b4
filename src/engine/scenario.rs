//! Scenario runs (`policy test`, docs/cli.md#policy-test): queue files whose disclosures carry `expect:`.
//! Each disclosure is evaluated exactly as `evaluate` does and compared with its answer
//! key. Training reuses [`check`] to score answers.

use std::path::Path;

use chrono::NaiveDate;

use super::Engine;
use crate::queue::{Expect, load_path};
use crate::verdict::{ConsentStatus, Evaluation, HipaaStatus, Part2Status, Redisclosure};

/// One disclosure whose result differs from its answer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub file: String,
    pub id: String,
    /// What differs, one line each ("part2: expected consent_required, got permitted").
    pub problems: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FAIL {} {}: {}",
            crate::text::escape(&self.file),
            crate::text::escape(&self.id),
            crate::text::escape(&self.problems.join("; "))
        )
    }
}

/// Counts per disclosure, and every failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
    pub failures: Vec<Failure>,
}

impl Report {
    /// The last line `policy test` prints.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }
}

/// Compare one result with its answer key; empty when it passes. Unknown status words in
/// the key are reported as problems, so a typo never passes silently.
pub fn check(ev: &Evaluation, expect: &Expect) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = &expect.part2 {
        match Part2Status::parse(want) {
            None => out.push(format!("part2: `{want}` is not a Part 2 status")),
            Some(w) if w != ev.part2.status => out.push(format!(
                "part2: expected {w}, got {} (rule {})",
                ev.part2.status, ev.part2.rule
            )),
            Some(_) => {}
        }
    }
    if let Some(want) = expect.notice
        && want != ev.part2.notice.required
    {
        out.push(format!(
            "notice: expected {want}, got {}",
            ev.part2.notice.required
        ));
    }
    if let Some(want) = &expect.hipaa {
        match HipaaStatus::parse(want) {
            None => out.push(format!("hipaa: `{want}` is not a HIPAA status")),
            Some(w) if w != ev.hipaa.status => out.push(format!(
                "hipaa: expected {w}, got {} (rule {})",
                ev.hipaa.status, ev.hipaa.rule
            )),
            Some(_) => {}
        }
    }
    if let Some(want) = &expect.consent {
        match ConsentStatus::parse(want) {
            None => out.push(format!("consent: `{want}` is not a consent status")),
            Some(w) if w != ev.consent.status => {
                out.push(format!("consent: expected {w}, got {}", ev.consent.status))
            }
            Some(_) => {}
        }
    }
    if let Some(want) = &expect.redisclosure {
        match Redisclosure::parse(want) {
            None => out.push(format!(
                "redisclosure: `{want}` is not a redisclosure status"
            )),
            Some(w) if w != ev.part2.redisclosure => out.push(format!(
                "redisclosure: expected {w}, got {}",
                ev.part2.redisclosure
            )),
            Some(_) => {}
        }
    }
    for cite in &expect.cites {
        if !ev.part2.citations.iter().any(|c| c == cite)
            && !ev.hipaa.citations.iter().any(|c| c == cite)
        {
            out.push(format!(
                "cites: `{cite}` is not among the citations ({})",
                ev.part2.citations.join("; ")
            ));
        }
    }
    out
}

/// Why a scenario run stopped (exit 2): the file, then the cause.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Unreadable or invalid scenario file (the message names the file and place).
    #[error(transparent)]
    Load(#[from] crate::queue::LoadError),
    /// No policy in force on the scenario's `as_of` date.
    #[error("{}", path.display())]
    NoPolicy {
        path: std::path::PathBuf,
        #[source]
        source: crate::policy::PolicyError,
    },
}

/// Evaluate every disclosure of one scenario file and add to `report`. `Err` is an
/// operational error (unreadable or invalid file, no policy in force): exit 2.
pub fn run_file(
    engine: &Engine,
    path: &Path,
    today: NaiveDate,
    report: &mut Report,
) -> Result<(), ScenarioError> {
    let lq = load_path(path)?;
    let as_of = lq.queue.as_of.unwrap_or(today);
    let ev = engine
        .for_date(as_of)
        .map_err(|source| ScenarioError::NoPolicy {
            path: path.to_owned(),
            source,
        })?;
    let file = path.display().to_string();
    for d in &lq.queue.disclosures {
        let problems = match &d.expect {
            None => {
                vec!["no `expect:` block (every disclosure of a scenario file needs one)".into()]
            }
            // Incident scenarios (docs/incidents.md#training): the key of `incident assess`
            // and `incident list`, plus any Part 2 keys the scenario also gives.
            Some(x) if x.incident.is_some() => {
                let mut p = crate::incident::scenario::check(&lq.queue, d, x);
                p.extend(check(&ev.evaluate(&lq.queue, &lq.index, d), x));
                p
            }
            Some(x) => check(&ev.evaluate(&lq.queue, &lq.index, d), x),
        };
        if problems.is_empty() {
            report.passed += 1;
        } else {
            report.failed += 1;
            report.failures.push(Failure {
                file: file.clone(),
                id: d.id.clone(),
                problems,
            });
        }
    }
    Ok(())
}

/// Run several scenario files.
pub fn run(engine: &Engine, paths: &[&Path], today: NaiveDate) -> Result<Report, ScenarioError> {
    let mut report = Report::default();
    for p in paths {
        run_file(engine, p, today, &mut report)?;
    }
    Ok(report)
}
