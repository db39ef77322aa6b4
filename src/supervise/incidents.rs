//! Incidents read back from logs (docs/incidents.md#incident-list): every line verified as it
//! is read; only verified `incident*` entries count, and the follow-up entries (assessment,
//! delays, notices) are joined to their incident by its entry hash, across all logs read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::incident::deadline::{self, ClockFacts, Delay, NoticeDue, NoticeState};
use crate::incident::{Actor, Outcome};
use crate::log::entry::Entry;
use crate::log::entry::incident::{
    AssessmentFields, DelayFields, IncidentBody, IncidentFields, NoticeFields,
};
use crate::log::findings::Code;
use crate::log::verify::{LogReport, VerifyIoError, VerifyOptions, verify_file_parallel_each};
use crate::queue::Role;

/// One entry read from a log, with whether its line verified.
#[derive(Debug, Clone)]
pub struct ReadEntry {
    pub log_path: PathBuf,
    pub line: u64,
    /// Hex SHA-256 of the line without LF (what `supersedes`, `--from-entry` and `HASH` name).
    pub entry_sha256: String,
    pub entry: Entry,
    pub verified: bool,
}

/// An `incident*` entry on one line, read as the verifier passes it (`verified` is set by
/// the caller from the findings). Cheap on other lines: only a line naming an incident type
/// is parsed.
pub fn incident_of(path: &Path, line: u64, piece: &[u8]) -> Option<ReadEntry> {
    let raw = piece.strip_suffix(b"\n").unwrap_or(piece);
    memchr::memmem::find(raw, b"\"type\":\"incident")?;
    let v: serde_json::Value = serde_json::from_slice(raw).ok()?;
    let e = v.get("e")?;
    if !e
        .get("type")
        .and_then(|t| t.as_str())
        .is_some_and(is_incident_type)
    {
        return None;
    }
    let entry = Entry::from_value(e).ok()?;
    Some(ReadEntry {
        log_path: path.to_owned(),
        line,
        entry_sha256: crate::digest::sha256_hex(raw),
        entry,
        verified: true,
    })
}

/// Read the entries of one log whose `type` `want` accepts, verifying every line.
pub fn read_entries(
    path: &Path,
    opts: &VerifyOptions,
    threads: usize,
    want: &dyn Fn(&str) -> bool,
) -> Result<(Vec<ReadEntry>, LogReport), VerifyIoError> {
    let mut out = Vec::new();
    let report = verify_file_parallel_each(path, opts, threads, &mut |n, piece, good| {
        // A line that passed its own checks comes parsed and hashed by the verifier.
        if let Some(g) = good {
            if want(g.entry.body.type_name()) {
                out.push(ReadEntry {
                    log_path: path.to_owned(),
                    line: n,
                    entry_sha256: data_encoding::HEXLOWER.encode(&g.hash),
                    entry: (*g.entry).clone(),
                    verified: true,
                });
            }
            return;
        }
        let raw = piece.strip_suffix(b"\n").unwrap_or(piece);
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) else {
            return;
        };
        let Some(e) = v.get("e") else { return };
        if !e.get("type").and_then(|t| t.as_str()).is_some_and(want) {
            return;
        }
        if let Ok(entry) = Entry::from_value(e) {
            out.push(ReadEntry {
                log_path: path.to_owned(),
                line: n,
                entry_sha256: crate::digest::sha256_hex(raw),
                entry,
                verified: true,
            });
        }
    })?;
    for r in &mut out {
        r.verified = !report
            .findings
            .iter()
            .any(|f| f.line == r.line && (f.code.is_error() || f.code == Code::TornTail));
    }
    Ok((out, report))
}

/// One incident with everything recorded about it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub entry_sha256: String,
    pub log_path: PathBuf,
    pub line: u64,
    pub ts: String,
    pub reviewer: String,
    pub fields: IncidentFields,
    /// The latest verified assessment: `(entry hash, fields)`.
    pub assessment: Option<(String, AssessmentFields)>,
    pub delays: Vec<DelayFields>,
    pub notices: Vec<NoticeFields>,
}

fn date(s: &str) -> NaiveDate {
    // The schema check accepted it as YYYY-MM-DD.
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

/// The role word of an incident entry.
pub fn role_of(s: &str) -> Role {
    match s {
        "part2_program" => Role::Part2Program,
        "covered_entity" => Role::CoveredEntity,
        "lawful_holder" => Role::LawfulHolder,
        _ => Role::Qso,
    }
}

/// The clock facts an incident entry holds.
pub fn clock_facts(i: &IncidentFields) -> ClockFacts {
    ClockFacts {
        actor: Actor::of(role_of(&i.actor), i.program_covered_entity),
        discovered_on: date(&i.discovered_on),
        reported_by_ba_on: i.reported_by_ba_on.as_deref().map(date),
        ba_is_agent: i.ba_is_agent,
        individuals: i.individuals,
        max_state_residents: i.residents.values().copied().max().unwrap_or(0),
        breach_notice_days: i.breach_notice_days,
    }
}

/// One notice owed and where it stands.
#[derive(Debug, Clone)]
pub struct NoticeRow {
    pub due: NoticeDue,
    pub state: NoticeState,
}

impl IncidentView {
    pub fn actor(&self) -> Actor {
        clock_facts(&self.fields).actor
    }
    pub fn outcome(&self) -> Option<Outcome> {
        self.assessment.as_ref().map(|(_, a)| a.outcome)
    }
    pub fn delay_end(&self) -> Option<NaiveDate> {
        let ds: Vec<Delay> = self
            .delays
            .iter()
            .map(|d| Delay {
                form: d.form,
                date: date(&d.date),
            })
            .collect();
        deadline::delay_end(&ds)
    }
    /// The notices owed, each with its state on `as_of` (the same code as the training keys).
    pub fn rows(&self, as_of: NaiveDate) -> Vec<NoticeRow> {
        deadline::notices(&clock_facts(&self.fields), self.outcome(), self.delay_end())
            .into_iter()
            .map(|due| {
                let sent = due.to.and_then(|to| {
                    self.notices
                        .iter()
                        .filter(|n| n.to == to)
                        .map(|n| date(&n.on))
                        .min()
                });
                let state = NoticeState::of(&due, sent, as_of);
                NoticeRow { due, state }
            })
            .collect()
    }
    /// Open: a notice still owed, or a program/CE incident not assessed yet.
    pub fn open(&self, as_of: NaiveDate) -> bool {
        let unassessed = self.assessment.is_none()
            && matches!(self.actor(), Actor::Part2Program | Actor::CoveredEntity);
        unassessed || self.rows(as_of).iter().any(|r| r.state.open())
    }
    pub fn overdue(&self, as_of: NaiveDate) -> bool {
        self.rows(as_of).iter().any(|r| r.state.overdue())
    }
}

/// Every incident in some logs.
#[derive(Debug, Clone, Default)]
pub struct IncidentsLoaded {
    pub incidents: Vec<IncidentView>,
    /// Incident entries whose line failed verification: `(log, line, type)`; they never count.
    pub failed: Vec<(PathBuf, u64, &'static str)>,
    /// Follow-up entries naming no incident that was read.
    pub unresolved: Vec<(PathBuf, u64, &'static str)>,
    /// Per log: its path and its verify exit code (0, 1, 3), or the read error.
    pub logs: Vec<(PathBuf, Result<u8, String>)>,
}

fn is_incident_type(t: &str) -> bool {
    t.starts_with("incident")
}

/// Read the incidents of `paths`.
pub fn load_incidents(paths: &[PathBuf], opts: &VerifyOptions, threads: usize) -> IncidentsLoaded {
    let mut out = IncidentsLoaded::default();
    let mut all = Vec::new();
    for p in paths {
        match read_entries(p, opts, threads, &is_incident_type) {
            Ok((es, report)) => {
                out.logs.push((p.clone(), Ok(report.exit_code())));
                all.extend(es);
            }
            Err(e) => out.logs.push((p.clone(), Err(e.0))),
        }
    }
    join(all, &mut out);
    out
}

/// Incidents of entries already read (e.g. by `supervise::load`, which verified them): the
/// same joining as [`load_incidents`].
pub fn incidents_of(entries: &[ReadEntry]) -> IncidentsLoaded {
    let mut out = IncidentsLoaded::default();
    join(entries.to_vec(), &mut out);
    out
}

/// Join follow-up entries to their incident by its entry hash; failed entries never count.
fn join(all: Vec<ReadEntry>, out: &mut IncidentsLoaded) {
    let mut by_hash: HashMap<String, usize> = HashMap::new();
    let mut follow = Vec::new();
    for r in all {
        let crate::log::entry::Body::Incident(b) = r.entry.body else {
            continue;
        };
        if !r.verified {
            out.failed.push((r.log_path, r.line, b.type_name()));
            continue;
        }
        match b {
            IncidentBody::Incident(i) => {
                by_hash.insert(r.entry_sha256.clone(), out.incidents.len());
                out.incidents.push(IncidentView {
                    entry_sha256: r.entry_sha256,
                    log_path: r.log_path,
                    line: r.line,
                    ts: r.entry.ts,
                    reviewer: r.entry.reviewer,
                    fields: *i,
                    assessment: None,
                    delays: Vec::new(),
                    notices: Vec::new(),
                });
            }
            other => follow.push((r.log_path, r.line, r.entry_sha256, r.entry.ts, other)),
        }
    }
    // Follow-ups in time order, so the latest assessment wins.
    follow.sort_by(|a, b| a.3.cmp(&b.3));
    for (path, line, hash, _, b) in follow {
        let Some(&ix) = b.incident_ref().and_then(|h| by_hash.get(h)) else {
            out.unresolved.push((path, line, b.type_name()));
            continue;
        };
        let v = &mut out.incidents[ix];
        match b {
            IncidentBody::Assessment(a) => v.assessment = Some((hash, *a)),
            IncidentBody::Delay(d) => v.delays.push(d),
            IncidentBody::Notice(n) => v.notices.push(n),
            IncidentBody::Incident(_) => {}
        }
    }
    out.incidents.sort_by(|a, b| a.ts.cmp(&b.ts));
}
