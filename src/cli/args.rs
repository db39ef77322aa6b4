//! The command line (docs/cli.md). Names here are normative.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "p2review",
    version,
    about = "Review disclosures of 42 CFR Part 2 records beside HIPAA, and keep a signed, tamper-evident decision log",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Where keys, logs and head files live [default: the platform data dir]
    #[arg(long, global = true, env = "P2REVIEW_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A policy file (replaces the bundled policy with the same id) or a directory of them
    #[arg(long, global = true, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// No colour (NO_COLOR is honoured too)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// ASCII borders and markers for old terminals
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Leave the mouse to the terminal (its own text selection) instead of wheel and clicks
    #[arg(
        long,
        global = true,
        env = "P2REVIEW_NO_MOUSE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_mouse: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Work a queue of pending disclosures in the terminal UI (no QUEUE: the bundled demo)
    Review(ReviewArgs),
    /// Evaluate every disclosure of a queue and print the verdicts (exit 0 whatever they are)
    Evaluate(EvaluateArgs),
    /// Record one decision in the signed log and print the receipt
    Decide(DecideArgs),
    /// Verify, list, review and export decision logs
    #[command(subcommand)]
    Log(LogCommand),
    /// Practice packs with answer keys; `train status` shows who is due
    Train(TrainArgs),
    /// Validate and test the rules in policies/
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Turn claim files into a review queue, or FHIR consents into a context file
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create or show the signing key
    #[command(subcommand)]
    Key(KeyCommand),
    /// Team work on one queue: the shared store, reviewers, claims (docs/team.md)
    #[command(subcommand)]
    Team(TeamCommand),
    /// Incidents and breach response: record, assess, delays, notices, deadlines
    #[command(subcommand)]
    Incident(super::incident_args::IncidentCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ReviewArgs {
    /// The queue file (YAML or JSON); without it, the bundled sample queue in demo mode
    pub queue: Option<PathBuf>,
    /// The decision log [default: <data dir>/decisions.jsonl]
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD) [default: the queue's as_of, else today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// The team store (a shared directory, docs/team.md; ignored in demo mode); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum EvalFormat {
    #[default]
    Table,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// The queue file (YAML or JSON)
    pub queue: PathBuf,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,
    /// Evaluation date (YYYY-MM-DD) [default: the queue's as_of, else today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Approve,
    Deny,
    Escalate,
    Defer,
}

#[derive(Debug, Clone, Args)]
pub struct DecideArgs {
    /// The queue file the disclosure is in
    pub queue: PathBuf,
    /// The disclosure id
    #[arg(long)]
    pub id: String,
    #[arg(long, value_enum)]
    pub decision: DecisionArg,
    /// consent_verified | exception_applies | court_order_on_file | consent_missing |
    /// consent_invalid | restriction_applies | needs_privacy_officer | awaiting_documents | other
    #[arg(long, value_name = "CODE")]
    pub reason_code: Option<String>,
    /// A short note (at most 280 characters, no control characters, no PHI)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The hex SHA-256 of an earlier entry's line this decision corrects or resolves
    #[arg(long, value_name = "HASH")]
    pub supersedes: Option<String>,
    /// The decision log [default: <data dir>/decisions.jsonl]
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Subcommand)]
pub enum LogCommand {
    /// Full integrity check of one or more logs
    Verify(LogVerifyArgs),
    /// List entries of one or many logs, merged in time order, each verified as it is read
    #[command(
        after_help = "Examples:\n  p2review log show --since 2026-11-01 --format csv > november.csv\n  p2review log show --format fhir > audit-events.ndjson   # FHIR R4 AuditEvents, one per verified decision"
    )]
    Show(LogShowArgs),
    /// Supervisor TUI over one or many logs (read-only)
    Review(LogReviewArgs),
    /// Accounting of disclosures for one patient ref (42 CFR 2.25; 45 CFR 164.528)
    #[command(long_about = ACCOUNTING_SCOPE)]
    Accounting(LogAccountingArgs),
    /// Recipients of records under a consent, to tell of its revocation (42 CFR 2.31(a)(6))
    #[command(long_about = RECIPIENTS_SCOPE)]
    Recipients(LogRecipientsArgs),
    /// Print a signed checkpoint note of the log's current head
    Checkpoint(LogCheckpointArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LogVerifyArgs {
    /// Log files [default: the production log]
    pub logs: Vec<PathBuf>,
    /// OpenSSH allowed_signers file (otherwise only the data-dir key is trusted)
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Checkpoint notes from `log checkpoint`
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub checkpoint: Vec<PathBuf>,
    /// No `ok log=…` line for a clean log (findings are still printed)
    #[arg(long)]
    pub quiet: bool,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
    /// Reference mode: one thread, each line checked as it is read (`verify_strict` per
    /// signature); slower, same findings as the default, which uses all cores
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LogShowArgs {
    pub logs: Vec<PathBuf>,
    #[arg(long)]
    pub reviewer: Option<String>,
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// First UTC date (inclusive)
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Last UTC date (inclusive)
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    #[arg(long)]
    pub patient: Option<String>,
    /// Only overrides
    #[arg(long = "override")]
    pub overrides: bool,
    /// Only entries with this Part 2 status
    #[arg(long, value_name = "STATUS")]
    pub part2: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Vec<PathBuf>,
    /// table, json, csv, or fhir (NDJSON: one FHIR R4 AuditEvent per verified decision, docs/fhir.md)
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

/// `log show --format`: the exports plus FHIR AuditEvents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ShowFormat {
    #[default]
    Table,
    Json,
    Csv,
    /// NDJSON of FHIR R4 AuditEvents (IHE BALP consent decision)
    Fhir,
}

#[derive(Debug, Clone, Args)]
pub struct LogReviewArgs {
    pub logs: Vec<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

/// What `log accounting` counts, word for word in `--help` and the table header
/// (`supervise::accounting` is the code this describes).
pub const ACCOUNTING_SCOPE: &str = "\
Accounting of disclosures for one patient ref (42 CFR 2.25; 45 CFR 164.528).

One row per disclosure: its effective decision after supersession, when that is an approval \
(date = approval date, UTC). Override approvals are rows, with the reviewer's stated basis, and \
are also listed apart: approved against the Part 2 verdict, a breach risk assessment is \
required (2.16(b); 45 CFR 164.402). Left out: denials, deferrals, escalations, superseded \
entries, disclosures to the patient, program<->QSO and internal communications. Period: \
three years through today, six for 164.528 rows (or --since/--until). Entries that fail \
verification never count; they are listed apart as FAILED.
--queue FILE... joins entries to their queue items (queue sha256 + disclosure id) for the \
address, description and conduit columns; without it they read (queue not supplied).

Example: p2review log accounting --patient P-0001 --queue queue.yaml --format csv";

#[derive(Debug, Clone, Args)]
pub struct LogAccountingArgs {
    /// The opaque patient ref
    #[arg(long)]
    pub patient: String,
    pub logs: Vec<PathBuf>,
    /// Queue files the entries were decided on (joined by sha256 + disclosure id)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub queue: Vec<PathBuf>,
    /// First UTC date (inclusive) [default: 3 years before --until, 6 for 164.528 rows]
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Last UTC date (inclusive) [default: today]
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Table)]
    pub format: ExportFormat,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

pub const RECIPIENTS_SCOPE: &str = "\
Every recipient that received records under a consent, for telling them of its revocation \
(42 CFR 2.31(a)(6)): verified approvals naming the consent, superseded ones included (the \
records may already have left). One row per patient ref and recipient, with the first and \
last approval dates and the disclosure ids. Entries that fail verification never count.

Example: p2review log recipients --consent C-0001 --since 2026-01-01";

#[derive(Debug, Clone, Args)]
pub struct LogRecipientsArgs {
    /// The consent id
    #[arg(long)]
    pub consent: String,
    /// Queue files the entries were decided on: names the final recipient behind a conduit
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub queue: Vec<PathBuf>,
    /// First UTC date (inclusive)
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    pub logs: Vec<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Table)]
    pub format: ExportFormat,
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct LogCheckpointArgs {
    /// The log [default: the production log]
    pub log: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TrainArgs {
    #[command(subcommand)]
    pub command: Option<TrainCommand>,
    /// A pack file, or a bundled pack: basics (the default), consent-validity,
    /// legal-and-exceptions, breach-response. A pack file literally named `status` is given
    /// as ./status
    pub pack: Option<PathBuf>,
    /// Percent needed to pass [default: 80, or config.yaml]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub pass_mark: Option<u8>,
    /// The training log [default: <data dir>/training.jsonl]
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum TrainCommand {
    /// Who completed training, with which score, and who is due
    Status(TrainStatusArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TrainStatusArgs {
    /// Training logs [default: <data dir>/training.jsonl]
    pub logs: Vec<PathBuf>,
    /// Only those who are due; exit 1 when anyone is
    #[arg(long)]
    pub due: bool,
    /// Evaluation date (YYYY-MM-DD) [default: today, UTC]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// One principal per line; people who never trained are listed as due
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Who may sign completion records (OpenSSH allowed_signers) [default: the data-dir key]
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Table)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PolicyCommand {
    /// Validate policy files (default: the bundled ones)
    Check(PolicyCheckArgs),
    /// Run scenario files whose disclosures carry `expect:` blocks
    Test(PolicyTestArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PolicyCheckArgs {
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyTestArgs {
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// X12 837P/837I claim files → a queue of flagged disclosures
    X12(ImportX12Args),
    /// FHIR Consent resources (JSON, Bundle or NDJSON) → a context file with the consents
    #[command(
        after_help = "Example:\n  p2review import fhir-consent export/consents.ndjson --context context.yaml -o context-with-consents.yaml\n\nOne line per resource on standard error: imported or skipped, and why (never patient data).\nMapping and what is reported: docs/fhir.md."
    )]
    FhirConsent(ImportFhirConsentArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ImportFhirConsentArgs {
    /// Consent files (a resource, a Bundle or NDJSON) or directories of *.json / *.ndjson files
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// Organization, programs (with `npis`), payers, patients (with `member_ids`) and
    /// `fhir_identifier_systems`: a queue file without disclosures
    #[arg(long, value_name = "CONTEXT.yaml")]
    pub context: PathBuf,
    /// Where to write the context with the imported consents [default: standard output]
    #[arg(short = 'o', long = "output", value_name = "OUT.yaml")]
    pub output: Option<PathBuf>,
    /// Your signed consent form carries the 42 CFR 2.31(a) statements (revocation,
    /// redisclosure, consequences of refusing): do not record them as missing elements
    #[arg(long)]
    pub statements_on_form: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportX12Args {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Organization, programs, payers, consents and restrictions (a queue file without disclosures)
    #[arg(
        long,
        value_name = "CONTEXT.yaml",
        required_unless_present = "init_context"
    )]
    pub context: Option<PathBuf>,
    /// Write a context skeleton from the files' provider NPIs and payers instead of a queue
    /// (to -o, never overwriting, or standard output); confirm each entry before use
    #[arg(long, conflicts_with_all = ["context", "all"])]
    pub init_context: bool,
    /// Where to write the queue (or the skeleton) [default: standard output]; never overwrites a skeleton
    #[arg(short = 'o', long = "output", value_name = "QUEUE")]
    pub output: Option<PathBuf>,
    /// Write every claim, not only flagged ones
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeyCommand {
    /// Create the signing key (never overwrites an existing one)
    Init(KeyInitArgs),
    /// Show the public key
    Show(KeyShowArgs),
}

#[derive(Debug, Clone, Args)]
pub struct KeyInitArgs {
    /// user@host [default: $USER@<hostname>, else $LOGNAME@<hostname>; with neither set, required]
    #[arg(long)]
    pub principal: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct KeyShowArgs {
    /// Print an OpenSSH allowed_signers line
    #[arg(long)]
    pub allowed_signers: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum TeamCommand {
    /// Create a team store in a new or empty directory
    Init(TeamInitArgs),
    /// Add a reviewer's public key to the team's signers
    AddReviewer(TeamAddReviewerArgs),
    /// Claims, who is working, and conflicts; exit 1 when there is a conflict
    Status(TeamStatusArgs),
    /// End the live claim on a disclosure (supervisor); decided items stay decided
    Release(TeamReleaseArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TeamInitArgs {
    /// A new or empty directory on the host the team shares (a postgres:// URL is not supported yet)
    #[arg(value_name = "DIR")]
    pub dir: String,
    /// Four-eyes: an override approval counts only once another reviewer approves it
    #[arg(long)]
    pub override_second_reviewer: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TeamAddReviewerArgs {
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T", required = true)]
    pub team: Option<String>,
    /// The reviewer's principal (user@host)
    #[arg(long)]
    pub principal: String,
    /// The reviewer's public key (their signing_key.pub; `p2review key show`)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct TeamStatusArgs {
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T", required = true)]
    pub team: Option<String>,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,
}

#[derive(Debug, Clone, Args)]
pub struct TeamReleaseArgs {
    /// The team store (a shared directory, docs/team.md); env P2REVIEW_TEAM
    #[arg(long, env = "P2REVIEW_TEAM", value_name = "T", required = true)]
    pub team: Option<String>,
    /// The disclosure id whose claim ends
    #[arg(long)]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn train_status_is_a_subcommand_and_dot_status_a_pack() {
        let c = Cli::try_parse_from(["p2review", "train", "status", "--due"]).unwrap();
        match c.command {
            Command::Train(t) => assert!(matches!(t.command, Some(TrainCommand::Status(_)))),
            _ => panic!("not train"),
        }
        let c = Cli::try_parse_from(["p2review", "train", "./status"]).unwrap();
        match c.command {
            Command::Train(t) => {
                assert!(t.command.is_none());
                assert_eq!(t.pack.as_deref(), Some(std::path::Path::new("./status")));
            }
            _ => panic!("not train"),
        }
    }
}
