//! Recording decisions: THE code path of `p2review decide` and the review TUI.
//!
//! ```text
//! let rec = Recorder::open(&data_dir, &log_path, LogKind::Production, signer)?;
//! rec.check()?;                       // tail check; Err => open the TUI read-only with a banner
//! let receipt = rec.record(&loaded, disclosure, &evaluation, DecisionInput { .. })?;
//! println!("{receipt}");              // ACK seq=<n> entry=<hex> log=<id>
//! ```
//!
//! `record` applies the docs/signed-log.md#decision rules (reason codes, override, note limits) before
//! anything is written, builds exactly the §6.2 `decision` entry from the loaded queue and
//! the engine's evaluation, and appends it with the §6.3 protocol. Nothing is recorded
//! unless `Ok(Receipt)` comes back.

use std::path::Path;
use std::time::Duration;

use crate::decision::{self, Decision, DecisionProblem, ReasonCode};
use crate::paths::DataDir;
use crate::queue::{Disclosure, LoadedQueue};
use crate::verdict::Evaluation;

use super::append::{AppendError, Appender, Receipt};
use super::entry::{Body, DecisionFields, LogKind, TrainingFields, is_hex64};
use super::keys::Signer;

/// What the reviewer chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub decision: Decision,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    /// Hex SHA-256 of an earlier entry's line (a correction, or the decision on an escalation).
    pub supersedes: Option<String>,
}

/// A finished training session (docs/signed-log.md#training_completion-training-logs-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingInput {
    pub pack_id: String,
    pub pack_version: String,
    pub policy: crate::verdict::PolicyRefs,
    pub correct: u64,
    pub total: u64,
    /// Percent.
    pub pass_mark: u64,
}

/// Why a decision was not recorded.
#[derive(Debug)]
pub enum RecordError {
    /// The reason/note rules of §6.2 (nothing was attempted).
    Rule(DecisionProblem),
    /// A malformed input the log cannot hold (e.g. `supersedes` not a hash).
    Input(String),
    /// The append protocol failed (lock, I/O, tail check, kind mismatch).
    Append(AppendError),
    /// A repeat decision that names none of the item's effective decisions (checked under
    /// the append lock; nothing was written).
    Supersede(super::items::SupersedeProblem),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::Rule(p) => write!(f, "{p}"),
            RecordError::Input(m) => f.write_str(m),
            RecordError::Append(e) => write!(f, "{e}"),
            RecordError::Supersede(p) => write!(f, "{p}"),
        }
    }
}

impl std::error::Error for RecordError {}

impl From<AppendError> for RecordError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Supersede(p) => RecordError::Supersede(p),
            e => RecordError::Append(e),
        }
    }
}

/// Records entries into one log as one signer.
#[derive(Debug, Clone)]
pub struct Recorder {
    appender: Appender,
    /// Team four-eyes (docs/team.md#four-eyes): override approvals are written as v2
    /// entries with `second_required: true`.
    second_reviewer: bool,
}

impl Recorder {
    /// Nothing is touched on disk until the first `record`/`check`.
    pub fn open(data: &DataDir, log: &Path, kind: LogKind, signer: Signer) -> Recorder {
        Recorder {
            appender: Appender::new(log, kind, signer, &data.heads_dir()),
            second_reviewer: false,
        }
    }

    /// Override approvals need a second reviewer (a team with `override_second_reviewer`).
    /// An approval whose `supersedes` completes another reviewer's pending one is recorded
    /// with `second_reviewer(false)`: the caller (`crate::team`) knows whose entry it names.
    pub fn second_reviewer(mut self, on: bool) -> Recorder {
        self.second_reviewer = on;
        self
    }

    /// Run `check` under the log's lock, just before the entry is written: a team claim is
    /// re-checked there (docs/team.md#claims). An `Err` records nothing.
    pub fn before_write(mut self, check: super::append::BeforeWrite) -> Recorder {
        self.appender.before_write = Some(check);
        self
    }

    pub fn with_lock_timeout(mut self, t: Duration) -> Recorder {
        self.appender.lock_timeout = t;
        self
    }

    pub fn log_path(&self) -> &Path {
        &self.appender.log
    }

    pub fn signer(&self) -> &Signer {
        &self.appender.signer
    }

    /// Check the log's tail (docs/signed-log.md#appending) without writing. `Err` means appends would be
    /// refused: the TUI opens read-only and shows the message.
    pub fn check(&self) -> Result<(), RecordError> {
        Ok(self.appender.check()?)
    }

    /// Validate a decision against the §6.2 rules for this evaluation (no I/O). The TUI
    /// can call this before asking for confirmation.
    pub fn validate(ev: &Evaluation, input: &DecisionInput) -> Result<bool, RecordError> {
        let overrides = decision::is_override(input.decision, ev.part2.status, ev.hipaa.status);
        decision::check(
            input.decision,
            input.reason_code,
            input.note.as_deref(),
            overrides,
            ev.part2.unsettled,
        )
        .map_err(RecordError::Rule)?;
        if let Some(s) = &input.supersedes
            && !is_hex64(s)
        {
            return Err(RecordError::Input(
                "--supersedes must be the 64-character lowercase hex SHA-256 of an earlier entry (the `entry=` of its receipt)".into(),
            ));
        }
        Ok(overrides)
    }

    /// Record one decision on `d` (from `q`) evaluated as `ev`.
    pub fn record(
        &self,
        q: &LoadedQueue,
        d: &Disclosure,
        ev: &Evaluation,
        input: DecisionInput,
    ) -> Result<Receipt, RecordError> {
        let overrides = Self::validate(ev, &input)?;
        if ev.id != d.id {
            return Err(RecordError::Input(format!(
                "the evaluation is of {}, not {}",
                crate::text::escape(&ev.id),
                crate::text::escape(&d.id)
            )));
        }
        // Never record against stale data: the queue file must still be what was loaded.
        if let Ok(bytes) = std::fs::read(&q.path)
            && crate::digest::sha256_hex(&bytes) != q.sha256
        {
            return Err(RecordError::Input(format!(
                "{} changed on disk since it was loaded; reload it and decide again",
                q.path.display()
            )));
        }
        let fields = DecisionFields {
            queue: q.sha256.clone(),
            disclosure: d.id.clone(),
            disclosure_sha256: crate::queue::canonical::disclosure_sha256(d),
            subject: d.patient.clone(),
            recipient_kind: d.recipient.kind.as_str().to_owned(),
            recipient_name: d.recipient.name.clone(),
            purpose: d.purpose.as_str().to_owned(),
            as_of: ev.as_of.format("%Y-%m-%d").to_string(),
            consent: ev.consent.id.clone(),
            consent_status: ev.consent.status,
            part2: ev.part2.status,
            hipaa: ev.hipaa.status,
            rule: ev.part2.rule.to_string(),
            unsettled: ev.part2.unsettled,
            policy: ev.policy.clone(),
            decision: input.decision,
            reason_code: input.reason_code,
            note: input.note.filter(|n| !n.is_empty()),
            second_required: self.second_reviewer
                && overrides
                && input.decision == Decision::Approve,
            override_: overrides,
            supersedes: input.supersedes,
        };
        // The verifier's schema check, applied before signing: ids, refs and names that
        // the log cannot hold are refused here with the field named.
        let probe = super::entry::Entry {
            log: "0".repeat(32),
            seq: 1,
            prev: "0".repeat(64),
            ts: super::entry::now_ts(),
            reviewer: self.signer().principal().to_owned(),
            key: self.signer().fingerprint().to_owned(),
            body: Body::Decision(Box::new(fields.clone())),
        };
        super::entry::Entry::from_value(&probe.to_value()).map_err(|m| {
            RecordError::Input(format!("disclosure {}: {m}", crate::text::escape(&d.id)))
        })?;
        Ok(self.appender.append(Body::Decision(Box::new(fields)))?)
    }

    /// Record a training completion (training logs only).
    pub fn record_training(&self, t: TrainingInput) -> Result<Receipt, RecordError> {
        if t.total == 0 || t.correct > t.total || t.pass_mark > 100 {
            return Err(RecordError::Input(
                "a training result needs total > 0, correct ≤ total and pass_mark ≤ 100".into(),
            ));
        }
        let passed = 100 * t.correct >= t.pass_mark * t.total;
        Ok(self
            .appender
            .append(Body::TrainingCompletion(Box::new(TrainingFields {
                pack_id: t.pack_id,
                pack_version: t.pack_version,
                policy: t.policy,
                correct: t.correct,
                total: t.total,
                pass_mark: t.pass_mark,
                passed,
            })))?)
    }
}
