//! A decision entry as the supervisor sees it: the normative §6.2 fields of a `decision`
//! body, plus where it came from and whether it verified.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Did this entry pass verification when it was read?
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verification {
    Verified,
    /// Finding codes (`E_SIG_INVALID`, ...) that concern this entry.
    Failed {
        findings: Vec<String>,
    },
}

impl Verification {
    pub fn ok(&self) -> bool {
        matches!(self, Verification::Verified)
    }
}

/// Text shared by many entries (reviewer, key, recipient, statuses...): `load_logs`
/// interns it, so a million records hold each distinct value once.
pub type Shared = Arc<str>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientRef {
    pub kind: Shared,
    pub name: Shared,
}

/// One policy reference of an entry (`{"id","version","sha256"}`). Read leniently
/// (missing parts are empty): whether the entry is well formed is the verifier's call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyId {
    pub id: Shared,
    pub version: Shared,
    pub sha256: Shared,
}

/// The policies a decision was made under (`policy`, docs/signed-log.md#decision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyPair {
    pub part2: PolicyId,
    pub hipaa: PolicyId,
}

/// The fields of a `decision` entry body (docs/signed-log.md#decision) that review and exports use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionBody {
    pub log: Shared,
    pub seq: u64,
    pub ts: String,
    pub reviewer: Shared,
    pub key: Shared,
    pub queue: Shared,
    pub disclosure: String,
    pub disclosure_sha256: String,
    pub subject: String,
    pub recipient: RecipientRef,
    pub purpose: Shared,
    pub as_of: Shared,
    #[serde(default)]
    pub consent: Option<String>,
    pub consent_status: Shared,
    pub part2: Shared,
    pub hipaa: Shared,
    pub rule: Shared,
    pub unsettled: bool,
    pub policy: PolicyPair,
    pub decision: Shared,
    #[serde(default)]
    pub reason_code: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(rename = "override")]
    pub overrides: bool,
    #[serde(default)]
    pub supersedes: Option<String>,
    /// Four-eyes: a v2 override approval still waiting for a second reviewer.
    #[serde(default)]
    pub second_required: bool,
}

/// One decision entry with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    /// The log file it was read from (shared by every record of that log).
    pub log_path: Arc<Path>,
    /// 1-based line in that file.
    pub line: u64,
    /// Hex SHA-256 of the line without its LF (what `supersedes` names).
    pub entry_sha256: String,
    pub ts: DateTime<Utc>,
    pub body: DecisionBody,
    pub verification: Verification,
}

impl DecisionRecord {
    /// Build from a body's JSON text. `Err` when the body is not a well-formed decision
    /// (the caller reports it as a failed entry rather than dropping it).
    pub fn from_body(
        log_path: impl Into<Arc<Path>>,
        line: u64,
        entry_sha256: String,
        body_json: &str,
        verification: Verification,
    ) -> Result<DecisionRecord, String> {
        let body: DecisionBody =
            serde_json::from_str(body_json).map_err(|e| format!("not a decision entry: {e}"))?;
        let ts = DateTime::parse_from_rfc3339(&body.ts)
            .map_err(|e| format!("bad ts: {e}"))?
            .with_timezone(&Utc);
        Ok(DecisionRecord {
            log_path: log_path.into(),
            line,
            entry_sha256,
            ts,
            body,
            verification,
        })
    }

    /// The UTC date of `ts` (what `--since/--until` compare, docs/cli.md#log-show).
    pub fn date(&self) -> NaiveDate {
        self.ts.date_naive()
    }
}

/// How one whole log fared, for export headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogStatus {
    pub path: PathBuf,
    /// The log id from genesis, when readable.
    pub log: Option<String>,
    /// `ok`, `warnings` or `failed`.
    pub result: String,
    pub findings: Vec<String>,
    /// The checkpoint file it was verified against, if any.
    pub checkpoint: Option<PathBuf>,
}

/// Merge records of many logs into one time order (ties: log path, then seq), stable.
pub fn merge(mut records: Vec<DecisionRecord>) -> Vec<DecisionRecord> {
    // The key is unique per entry (log path + seq), so an unstable sort gives the same
    // order as a stable one, in place: no n/2-element buffer at a million records.
    records.sort_unstable_by(|a, b| {
        (a.ts, &a.log_path, a.body.seq).cmp(&(b.ts, &b.log_path, b.body.seq))
    });
    records
}
