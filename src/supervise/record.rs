//! A decision entry as the supervisor sees it: the fields of a `decision` entry
//! (docs/signed-log.md#decision) in compact form, plus where it came from and whether it
//! verified. A million of these fit in a few hundred megabytes (BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::log::entry::{Body, Entry};

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

pub use super::intern::{Hash, Sym};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecipientRef {
    pub kind: Sym,
    pub name: Sym,
}

/// One policy reference of an entry (`{"id","version","sha256"}`). Read leniently
/// (missing parts are empty): whether the entry is well formed is the verifier's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PolicyId {
    pub id: Sym,
    pub version: Sym,
    pub sha256: Sym,
}

/// The policies a decision was made under (`policy`, docs/signed-log.md#decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PolicyPair {
    pub part2: PolicyId,
    pub hipaa: PolicyId,
}

/// The supervisor's compact view of a `decision` entry (docs/signed-log.md#decision):
/// the fields of `log::entry::{Entry, DecisionFields}` under the same names, text
/// interned, hashes as bytes. It is a projection of that one declaration
/// ([`DecisionBody::of_entry`]); lines are read into it leniently ([`DecisionRecord::from_body`]),
/// because an entry that failed verification is still shown (as FAILED), and a test pins
/// the two together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionBody {
    pub log: Sym,
    pub seq: u64,
    pub reviewer: Sym,
    pub key: Sym,
    pub queue: Sym,
    pub disclosure: Sym,
    /// `None` when the entry did not hold a 64-digit hex hash (it failed verification).
    pub disclosure_sha256: Option<Hash>,
    pub subject: Sym,
    pub recipient: RecipientRef,
    pub purpose: Sym,
    pub as_of: Sym,
    pub consent: Option<Sym>,
    pub consent_status: Sym,
    pub part2: Sym,
    pub hipaa: Sym,
    pub rule: Sym,
    pub unsettled: bool,
    pub policy: PolicyPair,
    pub decision: Sym,
    pub reason_code: Option<Sym>,
    pub note: Option<Sym>,
    /// The entry's `override`.
    pub override_: bool,
    /// `None` when absent (or, on an entry that failed verification, not a hash).
    pub supersedes: Option<Hash>,
    /// Four-eyes: a v2 override approval still waiting for a second reviewer.
    pub second_required: bool,
}

impl DecisionBody {
    /// The projection of a `decision` entry (`None` for other entry types).
    pub fn of_entry(e: &Entry) -> Option<DecisionBody> {
        let Body::Decision(d) = &e.body else {
            return None;
        };
        // One lock for the twenty-odd strings (the supervisor projects a million of these),
        // each field through its own slot: most repeat from one entry to the next.
        let mut t = super::intern::Interning::lock();
        let mut slot = 0;
        let mut sym = |s: &str| {
            slot += 1;
            t.sym_at(slot, s)
        };
        let log = sym(&e.log);
        let reviewer = sym(&e.reviewer);
        let key = sym(&e.key);
        let queue = sym(&d.queue);
        let disclosure = sym(&d.disclosure);
        let subject = sym(&d.subject);
        let recipient = RecipientRef {
            kind: sym(&d.recipient_kind),
            name: sym(&d.recipient_name),
        };
        let purpose = sym(&d.purpose);
        let as_of = sym(&d.as_of);
        let consent = d.consent.as_deref().map(&mut sym);
        let consent_status = sym(d.consent_status.as_str());
        let part2 = sym(d.part2.as_str());
        let hipaa = sym(d.hipaa.as_str());
        let rule = sym(&d.rule);
        let mut pid = |p: &crate::verdict::PolicyRef| PolicyId {
            id: sym(&p.id),
            version: sym(&p.version),
            sha256: sym(&p.sha256),
        };
        let policy = PolicyPair {
            part2: pid(&d.policy.part2),
            hipaa: pid(&d.policy.hipaa),
        };
        let decision = sym(d.decision.as_str());
        let reason_code = d.reason_code.map(|r| sym(r.as_str()));
        let note = d.note.as_deref().map(&mut sym);
        Some(DecisionBody {
            log,
            seq: e.seq,
            reviewer,
            key,
            queue,
            disclosure,
            disclosure_sha256: Hash::parse_hex(&d.disclosure_sha256),
            subject,
            recipient,
            purpose,
            as_of,
            consent,
            consent_status,
            part2,
            hipaa,
            rule,
            unsettled: d.unsettled,
            policy,
            decision,
            reason_code,
            note,
            override_: d.override_,
            supersedes: d.supersedes.as_deref().and_then(Hash::parse_hex),
            second_required: d.second_required,
        })
    }
}

/// One decision entry with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    /// The log file it was read from (shared by every record of that log).
    pub log_path: Arc<Path>,
    /// 1-based line in that file.
    pub line: u64,
    /// SHA-256 of the line without its LF (what `supersedes` names).
    pub entry_sha256: Hash,
    /// The entry's `ts`, in milliseconds since the epoch (the one timestamp kept).
    pub ts_ms: i64,
    pub body: DecisionBody,
    pub verification: Verification,
}

impl DecisionRecord {
    /// Build from a body's JSON text, read leniently (`src/supervise/lenient.rs`).
    /// `entry_sha256` is 64 hex digits. `Err` when the body is not a decision readable as
    /// one (the caller reports it as a failed entry rather than dropping it).
    pub fn from_body(
        log_path: impl Into<Arc<Path>>,
        line: u64,
        entry_sha256: String,
        body_json: &str,
        verification: Verification,
    ) -> Result<DecisionRecord, String> {
        let entry_sha256 =
            Hash::parse_hex(&entry_sha256).ok_or("the entry hash is not 64 hex digits")?;
        let (body, ts_ms) = super::lenient::read_body(body_json.as_bytes())?;
        Ok(DecisionRecord {
            log_path: log_path.into(),
            line,
            entry_sha256,
            ts_ms,
            body,
            verification,
        })
    }

    /// `ts` as a date-time.
    pub fn ts(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.ts_ms).unwrap_or_default()
    }

    /// `ts` as the entry wrote it (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub fn ts_text(&self) -> String {
        self.ts().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }

    /// The UTC date of `ts` (what `--since/--until` compare, docs/cli.md#log-show).
    pub fn date(&self) -> NaiveDate {
        self.ts().date_naive()
    }

    /// Days since 1970-01-01 of `ts` (UTC): a cheap key for per-day counts.
    pub fn day(&self) -> i64 {
        self.ts_ms.div_euclid(86_400_000)
    }
}

/// How one whole log fared, for export headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogStatus {
    /// Exported as the log's label (a mirrored team log: `<store>#<log id>`).
    #[serde(serialize_with = "as_label")]
    pub path: PathBuf,
    /// The log id from genesis, when readable.
    pub log: Option<String>,
    /// `ok`, `warnings` or `failed`.
    pub result: String,
    pub findings: Vec<String>,
    /// The checkpoint file it was verified against, if any.
    pub checkpoint: Option<PathBuf>,
}

/// A log path as findings and exports name it ([`crate::paths::log_label`]).
fn as_label<S: serde::Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::paths::log_label(p))
}

/// Merge records of many logs into one time order (ties: log path, then seq), stable.
pub fn merge(mut records: Vec<DecisionRecord>) -> Vec<DecisionRecord> {
    // The key is unique per entry (log path + seq), so an unstable sort gives the same
    // order as a stable one, in place: no n/2-element buffer at a million records.
    records.sort_unstable_by(|a, b| {
        (a.ts_ms, &a.log_path, a.body.seq).cmp(&(b.ts_ms, &b.log_path, b.body.seq))
    });
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A million records must fit the memory target (BENCHMARKS.md: ≤ 400 MB for the
    /// whole load): text is interned, hashes are bytes, so a record stays a few hundred
    /// bytes with nothing on the heap but its shared path.
    #[test]
    fn a_record_stays_compact() {
        let size = std::mem::size_of::<DecisionRecord>();
        assert!(size <= 264, "DecisionRecord is {size} bytes");
        assert!(std::mem::size_of::<DecisionBody>() <= 176);
    }
}
