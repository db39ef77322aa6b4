//! `p2review incident …` command line (docs/cli.md#incident). Names here are normative.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::args::ExportFormat;
use crate::incident::vocab::*;
use crate::queue::Role;

const RECORD_EXAMPLES: &str = "Examples:
  # a claim file sent to the wrong payer, from the queue item
  p2review incident record queue.yaml --id D-0007 --kind misdirected --discovered-on 2026-11-30
  # from an override approval already in the log (its receipt's entry=)
  p2review incident record --from-entry 3f5c…e1 --kind other --discovered-on 2026-11-30 --actor qso
  # a lost laptop, encrypted, 1200 people, 600 of them in Ohio
  p2review incident record queue.yaml --kind lost_or_stolen --discovered-on 2026-11-02 \\
      --individuals 1200 --residents OH=600 IN=600 --secured";

const ASSESS_EXAMPLES: &str = "Examples:
  p2review incident assess 9a1b…04 --nature part2_identifying --nature-note \"SUD dx codes on claim\" \\
      --recipient bound_to_protect --recipient-note \"another health plan\" \\
      --acquired unknown --acquired-note \"no reply yet\" --mitigation none --mitigation-note \"asked to destroy\"
  p2review incident assess 9a1b…04 --exception could_not_retain --note \"envelope returned unopened\"";

const DELAY_EXAMPLES: &str = "Examples:
  p2review incident delay 9a1b…04 --law-enforcement written --until 2027-02-15
  p2review incident delay 9a1b…04 --law-enforcement oral --on 2026-12-01 --official \"Det. badge 4411, County PD\"";

const NOTIFIED_EXAMPLES: &str = "Examples:
  p2review incident notified 9a1b…04 --to program --on 2026-12-03 --method email
  p2review incident notified 9a1b…04 --to individuals --on 2026-12-20 --method mail";

const LIST_EXAMPLES: &str = "Examples:
  p2review incident list --open
  p2review incident list --as-of 2027-03-01 --format csv
Exit status: 1 when any notice is overdue (or a log failed verification), 0 otherwise.";

#[derive(Debug, Clone, Subcommand)]
pub enum IncidentCommand {
    /// Record an incident (a signed `incident` entry) from a queue item, a decision entry, or neither
    #[command(after_help = RECORD_EXAMPLES)]
    Record(IncidentRecordArgs),
    /// Assess an incident: the 164.402 exceptions and the four factors; prints the outcome and why
    #[command(after_help = ASSESS_EXAMPLES)]
    Assess(IncidentAssessArgs),
    /// Record a law-enforcement delay of notice (45 CFR 164.412)
    #[command(after_help = DELAY_EXAMPLES)]
    Delay(IncidentDelayArgs),
    /// Record that a notice was given (to the program, individuals, HHS or the media)
    #[command(after_help = NOTIFIED_EXAMPLES)]
    Notified(IncidentNotifiedArgs),
    /// List incidents with their outcome, the notices due and days left; exit 1 when any is overdue
    #[command(after_help = LIST_EXAMPLES)]
    List(IncidentListArgs),
}

fn role(s: &str) -> Result<Role, String> {
    match s {
        "qso" => Ok(Role::Qso),
        "part2_program" => Ok(Role::Part2Program),
        "covered_entity" => Ok(Role::CoveredEntity),
        "lawful_holder" => Ok(Role::LawfulHolder),
        _ => Err("use one of: qso, part2_program, covered_entity, lawful_holder".into()),
    }
}
fn resident(s: &str) -> Result<(String, u64), String> {
    let (st, n) = s
        .split_once('=')
        .ok_or("write ST=N, e.g. OH=612 (a two-letter State code and a count)")?;
    if !is_state_code(st) {
        return Err(format!("{st:?} is not a two-letter upper-case State code"));
    }
    let n: u64 = n.parse().map_err(|_| format!("{n:?} is not a count"))?;
    if n == 0 {
        return Err("a count of 0 residents: leave the State out".into());
    }
    Ok((st.to_owned(), n))
}
#[derive(Debug, Clone, Args)]
pub struct IncidentRecordArgs {
    /// A queue file: its organization says who you are (and `--id` names the item concerned)
    pub queue: Option<PathBuf>,
    /// The disclosure concerned (needs QUEUE)
    #[arg(long, requires = "queue")]
    pub id: Option<String>,
    /// A decision entry the incident concerns (e.g. an override approval): the hex SHA-256 of its line
    #[arg(long, value_name = "HASH")]
    pub from_entry: Option<String>,
    /// misdirected | unauthorized_access | lost_or_stolen | other
    #[arg(long)]
    pub kind: IncidentKind,
    /// The first day it was known (or by reasonable diligence would have been) to anyone but the person who caused it
    #[arg(long, value_name = "DATE")]
    pub discovered_on: NaiveDate,
    /// How many individuals are affected
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub individuals: u64,
    /// Residents affected per State or jurisdiction, e.g. `OH=612 IN=40` (164.406 media notice)
    #[arg(long, value_name = "ST=N", num_args = 1.., value_parser = resident)]
    pub residents: Vec<(String, u64)>,
    /// The records were secured (encrypted or destroyed per HHS guidance; key not compromised)
    #[arg(long)]
    pub secured: bool,
    /// A program told by its business associate: the day it was told (the clock starts then)
    #[arg(long, value_name = "DATE")]
    pub reported_by_ba_on: Option<NaiveDate>,
    /// The BA is the program's agent: its own discovery date (--discovered-on) starts the clock
    #[arg(long, requires = "reported_by_ba_on")]
    pub ba_is_agent: bool,
    /// Who you are, when no QUEUE says it: qso | part2_program | covered_entity | lawful_holder
    #[arg(long, value_name = "ROLE", value_parser = role)]
    pub actor: Option<Role>,
    /// The program is not a HIPAA covered entity (without QUEUE --id; a queue item says it itself)
    #[arg(long)]
    pub program_not_covered_entity: bool,
    /// The QSOA's days for reporting to the program (overrides the queue's organization.breach_notice_days)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=365))]
    pub breach_notice_days: Option<u64>,
    /// A short note (at most 280 characters, screened: no PHI)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The decision log [default: <data dir>/decisions.jsonl]
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// The team store (docs/team.md): write to your team log, read every team log; env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
    /// Evaluation date for the queue item's Part 2 status [default: the queue's as_of, else today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Args)]
pub struct IncidentAssessArgs {
    /// The incident: the hex SHA-256 of its entry (`ACK incident=…`)
    pub incident: String,
    /// unintentional_use (164.402(1)(i)) | inadvertent_internal ((ii)) | could_not_retain ((iii))
    #[arg(long)]
    pub exception: Option<Exception>,
    /// Factor (i): part2_identifying | counseling_notes | other_phi | limited_identifiers
    #[arg(long, requires = "nature_note")]
    pub nature: Option<Nature>,
    #[arg(long, value_name = "TEXT", requires = "nature")]
    pub nature_note: Option<String>,
    /// Factor (ii): bound_to_protect | known_unbound | unknown
    #[arg(long, requires = "recipient_note")]
    pub recipient: Option<Recipient>,
    #[arg(long, value_name = "TEXT", requires = "recipient")]
    pub recipient_note: Option<String>,
    /// Factor (iii): not_acquired | viewed | unknown
    #[arg(long, requires = "acquired_note")]
    pub acquired: Option<Acquired>,
    #[arg(long, value_name = "TEXT", requires = "acquired")]
    pub acquired_note: Option<String>,
    /// Factor (iv): assured_destroyed | partial | none
    #[arg(long, requires = "mitigation_note")]
    pub mitigation: Option<Mitigation>,
    #[arg(long, value_name = "TEXT", requires = "mitigation")]
    pub mitigation_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// The team store (docs/team.md): write to your team log, read every team log; env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct IncidentDelayArgs {
    pub incident: String,
    /// written (delays for the time it states) | oral (at most 30 days unless a written one follows)
    #[arg(long)]
    pub law_enforcement: DelayForm,
    /// Written: the date the statement names
    #[arg(long, value_name = "DATE", conflicts_with = "on")]
    pub until: Option<NaiveDate>,
    /// Oral: the day it was given
    #[arg(long, value_name = "DATE")]
    pub on: Option<NaiveDate>,
    /// The official's identity (required for an oral statement, 164.412(b))
    #[arg(long, value_name = "TEXT")]
    pub official: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// The team store (docs/team.md): write to your team log, read every team log; env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct IncidentNotifiedArgs {
    pub incident: String,
    /// program | individuals | hhs | media
    #[arg(long)]
    pub to: NoticeTo,
    #[arg(long, value_name = "DATE")]
    pub on: NaiveDate,
    /// mail | email | phone | in_person | substitute_web | substitute_media | hhs_portal | press | other
    #[arg(long)]
    pub method: Option<NoticeMethod>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// The team store (docs/team.md): write to your team log, read every team log; env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct IncidentListArgs {
    /// Log files [default: the production log]
    pub logs: Vec<PathBuf>,
    /// A log file (same as giving it as LOG)
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// The team store (docs/team.md): write to your team log, read every team log; env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
    /// Only incidents with a notice still owed (or not assessed yet)
    #[arg(long)]
    pub open: bool,
    /// The date days are counted to [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Table)]
    pub format: ExportFormat,
}
