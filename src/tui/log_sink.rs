//! The review TUI's sink onto the signed decision log: the same `Recorder` path as
//! `p2review decide`, so a decision made on screen and one made on the command line are
//! the same entry, signed the same way.

use std::path::Path;

use std::sync::Mutex;

use crate::engine::Evaluation;
use crate::log::read::LogFollower;
use crate::log::{LogKind, Recorder};
use crate::queue::{Disclosure, LoadedQueue};

use super::sink::{ClaimRefused, DecisionInput, DecisionSink, Receipt, Recorded, SinkError};
use crate::team::{Claim, ClaimState, ItemKey, TeamError, TeamStore};

/// How often others' claims are read (every claim file; the shell ticks every 500 ms).
const CLAIMS_EVERY: std::time::Duration = std::time::Duration::from_millis(900);

/// The review window's part in team work (docs/team.md): the claim it holds for the open
/// decision dialog, the live view of the team's logs, and the claims others hold.
struct TeamWork {
    store: std::sync::Arc<dyn TeamStore>,
    principal: String,
    /// The claims taken when the decision dialog opened (one item, or every marked one
    /// for a bulk decision), and when they were last extended.
    held: Vec<Claim>,
    held_at: std::time::Instant,
    /// Only the lines appended to the team's logs since the last look are verified.
    watcher: Mutex<crate::team::live::Watcher>,
    claims_read: Option<std::time::Instant>,
    claims_seen: Option<Vec<(String, String)>>,
    /// The team's signers as the watcher trusts them ([`TeamStore::trust_stamp`]).
    trust_seen: Option<(u64, Option<std::time::SystemTime>)>,
    /// New entries were added (PostgreSQL: a notification): the logs are read only then.
    /// `None`: read on every tick (no signal, or it was lost).
    signal: Option<Box<dyn crate::team::live::Signal>>,
}

impl TeamWork {
    /// Renewals are rate-limited to a fraction of the lease, so typing a note does not
    /// rewrite the claim file on every key.
    fn renew_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs((self.store.settings().lease_seconds / 10).clamp(1, 30))
    }
}

pub struct SignedLogSink {
    recorder: Recorder,
    label: String,
    /// Set when the log's tail failed its check at start: every record is refused and the
    /// header says why (docs/signed-log.md#appending: the TUI opens read-only).
    read_only: Option<String>,
    /// Reads what was appended since the last look (live reload: only the new bytes).
    follower: Mutex<LogFollower>,
    notice: Option<String>,
    /// This window's presence file (removed when the sink is dropped, at exit).
    _presence: Option<crate::presence::Presence>,
    /// Team work (docs/team.md): decisions go through `crate::team::record` (claim,
    /// must-supersede, four-eyes) and the team's verified logs are what was recorded.
    team: Option<TeamWork>,
}

impl SignedLogSink {
    /// `label` names the log in the header ("log", "demo log").
    pub fn new(recorder: Recorder, label: &str) -> SignedLogSink {
        let read_only = recorder.check().err().map(|e| e.to_string());
        let notice = match &read_only {
            Some(_) => None,
            None => crate::presence::unwritable(recorder.log_path()),
        };
        SignedLogSink {
            label: format!("{label} {}", recorder.log_path().display()),
            follower: Mutex::new(LogFollower::new(recorder.log_path())),
            recorder,
            read_only,
            notice,
            _presence: None,
            team: None,
        }
    }

    /// Record through the team store (the recorder's log is the reviewer's team log);
    /// `Err` when the team's signers cannot be read (the live view verifies with them).
    pub fn with_team(
        mut self,
        store: std::sync::Arc<dyn crate::team::TeamStore>,
    ) -> Result<SignedLogSink, crate::team::TeamError> {
        self.label = format!("team {} · {}", store.describe(), self.label);
        let trust_seen = store.trust_stamp();
        let trust = store.trust()?;
        // Listening starts before the first read of the logs, so nothing added between
        // the two is missed.
        let signal = store.signal()?;
        self.team = Some(TeamWork {
            signal,
            trust_seen,
            principal: self.recorder.signer().principal().to_owned(),
            watcher: Mutex::new(crate::team::live::Watcher::new(trust)),
            store,
            held: Vec::new(),
            held_at: std::time::Instant::now(),
            claims_read: None,
            claims_seen: None,
        });
        Ok(self)
    }

    /// Announce this window on the log (`<data dir>/open/…`) and warn when another live
    /// window has it open too.
    pub fn announce(mut self, data_root: &Path) -> SignedLogSink {
        let (presence, others) =
            crate::presence::announce(data_root, self.recorder.log_path(), std::process::id());
        if self.notice.is_none() {
            self.notice = crate::presence::warning(&others);
        }
        self._presence = Some(presence);
        self
    }

    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    pub fn log_path(&self) -> &Path {
        self.recorder.log_path()
    }
}

impl DecisionSink for SignedLogSink {
    fn record(
        &mut self,
        loaded: &LoadedQueue,
        d: &Disclosure,
        eval: &Evaluation,
        input: &DecisionInput,
    ) -> Result<Receipt, SinkError> {
        if let Some(why) = &self.read_only {
            return Err(SinkError::ReadOnly { why: why.clone() });
        }
        let input = input.clone();
        if let Some(team) = &mut self.team {
            let r = crate::team::record::record_in_team(
                &team.store,
                self.recorder.clone(),
                loaded,
                d,
                eval,
                input,
            );
            // Recorded: the claim ended as `decided`. Not recorded: the recording path
            // gave it back; it is taken again so the reopened dialog still holds the item.
            let held = team
                .held
                .iter()
                .position(|c| c.item.disclosure == d.id && c.item.queue_sha256 == loaded.sha256)
                .map(|i| team.held.remove(i));
            return match r {
                Ok(r) => Ok(r.receipt),
                Err(e) => {
                    if let Some(c) = held {
                        let lease = std::time::Duration::from_millis(c.lease_ms as u64);
                        if let Ok(c) = team.store.claim(&c.item, &team.principal, lease) {
                            team.held.push(c);
                        }
                    }
                    Err(SinkError::TeamNotRecorded(e))
                }
            };
        }
        self.recorder
            .record(loaded, d, eval, input)
            .map_err(|e| match e {
                crate::log::RecordError::Supersede(crate::log::SupersedeProblem::Required {
                    effective,
                    ..
                }) => {
                    let last = effective.last();
                    SinkError::DecidedMeanwhile {
                        decision: last.map_or("", |d| d.decision.as_str()).to_owned(),
                        reviewer: last.map_or("", |d| d.reviewer.as_str()).to_owned(),
                        ts: last.map_or("", |d| d.ts.as_str()).to_owned(),
                    }
                }
                e => SinkError::NotRecorded(e),
            })
    }

    fn recorded(&self) -> Result<Vec<Recorded>, SinkError> {
        if let Some(team) = &self.team {
            // The live view starts at the logs' ends as of now (first, so that nothing
            // appended meanwhile is missed; what both read is de-duplicated by entry).
            let logs = team.store.logs()?;
            team.watcher
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .poll(&logs)
                .map_err(SinkError::Live)?;
            return team_recorded(team.store.as_ref());
        }
        let mut f = self.follower.lock().unwrap_or_else(|p| p.into_inner());
        *f = LogFollower::new(self.recorder.log_path());
        let update = f.poll()?.unwrap_or_default();
        Ok(update.decisions)
    }

    fn poll(&mut self) -> Result<Option<(bool, Vec<Recorded>)>, SinkError> {
        if let Some(team) = &mut self.team {
            // Others' verified decisions (and this window's own, which the screen skips).
            let w = team.watcher.get_mut().unwrap_or_else(|p| p.into_inner());
            // The team's signers changed (a reviewer was added): trust them from now on,
            // and read every log again with them — lines of a signer not trusted before
            // were passed by (the screen skips the entries it already has).
            let stamp = team.store.trust_stamp();
            let mut read = stamp != team.trust_seen;
            if read {
                let trust = team.store.trust().map_err(SinkError::TrustChanged)?;
                *w = crate::team::live::Watcher::new(trust);
                team.trust_seen = stamp;
            }
            // Without a signal of new entries (or once it is lost) the logs are read on
            // every tick; with one, only after it fired.
            read |= match &mut team.signal {
                None => true,
                Some(s) => s.changed().unwrap_or_else(|_| {
                    team.signal = None;
                    true
                }),
            };
            if !read {
                return Ok(None);
            }
            let logs = team.store.logs()?;
            let new: Vec<Recorded> = w
                .poll(&logs)
                .map_err(SinkError::Live)?
                .into_iter()
                .map(|l| l.recorded)
                .collect();
            return Ok((!new.is_empty()).then_some((false, new)));
        }
        let f = self.follower.get_mut().unwrap_or_else(|p| p.into_inner());
        Ok(f.poll()?.map(|u| (u.restarted, u.decisions)))
    }

    fn notice(&self) -> Option<String> {
        self.notice.clone()
    }

    fn disclosure_sha256(&self, d: &Disclosure) -> String {
        crate::queue::canonical::disclosure_sha256(d)
    }

    fn describe(&self) -> String {
        match &self.read_only {
            Some(_) => format!("READ-ONLY {}", self.label),
            None => self.label.clone(),
        }
    }

    fn team_principal(&self) -> Option<String> {
        self.team.as_ref().map(|t| t.principal.clone())
    }

    fn claim(&mut self, loaded: &LoadedQueue, d: &Disclosure) -> Result<(), ClaimRefused> {
        self.release_claim();
        let Some(team) = &mut self.team else {
            return Ok(());
        };
        let item = ItemKey {
            queue_sha256: loaded.sha256.clone(),
            disclosure: d.id.clone(),
        };
        let lease = std::time::Duration::from_secs(team.store.settings().lease_seconds);
        let esc = |s: &str| crate::text::escape(s).into_owned();
        match team.store.claim(&item, &team.principal, lease) {
            Ok(c) => {
                team.held = vec![c];
                team.held_at = std::time::Instant::now();
                Ok(())
            }
            // Decided under a claim: never claimed again; a correction supersedes it
            // (the recording path checks that it names the decided entry).
            Err(TeamError::Decided { .. }) => Ok(()),
            Err(TeamError::Held {
                holder,
                expires_in_s,
                ..
            }) => Err(ClaimRefused {
                message: format!(
                    "{} is claimed by {} (lease ends in {expires_in_s} s); nothing opened — pick another item (n skips claimed ones)",
                    esc(&d.id),
                    esc(&holder)
                ),
                holder: Some(holder),
            }),
            Err(e) => Err(ClaimRefused {
                holder: None,
                message: format!("could not claim {}: {e}", esc(&d.id)),
            }),
        }
    }

    fn claim_all(&mut self, loaded: &LoadedQueue, ds: &[&Disclosure]) -> Result<(), ClaimRefused> {
        self.release_claim();
        let Some(team) = &mut self.team else {
            return Ok(());
        };
        let lease = std::time::Duration::from_secs(team.store.settings().lease_seconds);
        let esc = |s: &str| crate::text::escape(s).into_owned();
        let mut taken = Vec::new();
        let mut refused = Vec::new();
        for d in ds {
            let item = ItemKey {
                queue_sha256: loaded.sha256.clone(),
                disclosure: d.id.clone(),
            };
            match team.store.claim(&item, &team.principal, lease) {
                Ok(c) => taken.push(c),
                // Decided under a claim: never claimed again; its entry is superseded.
                Err(TeamError::Decided { .. }) => {}
                Err(TeamError::Held {
                    holder,
                    expires_in_s,
                    ..
                }) => refused.push(format!(
                    "{} is claimed by {} (lease ends in {expires_in_s} s)",
                    esc(&d.id),
                    esc(&holder)
                )),
                Err(e) => refused.push(format!("{}: {e}", esc(&d.id))),
            }
        }
        if refused.is_empty() {
            team.held = taken;
            team.held_at = std::time::Instant::now();
            return Ok(());
        }
        // All or nothing: a bulk decision never covers an item another reviewer holds.
        for c in &taken {
            let _ = team.store.drop_claim(c);
        }
        Err(ClaimRefused {
            holder: None,
            // The held items first: the status line may shorten the rest.
            message: format!(
                "{}: bulk not opened, nothing claimed — unmark (v) what is held, or wait",
                refused.join("; ")
            ),
        })
    }

    fn renew_claim(&mut self) -> Result<(), SinkError> {
        let Some(team) = &mut self.team else {
            return Ok(());
        };
        if team.held.is_empty() || team.held_at.elapsed() < team.renew_every() {
            return Ok(());
        }
        team.held_at = std::time::Instant::now();
        let mut lost = Vec::new();
        let held = std::mem::take(&mut team.held);
        for c in held {
            match team.store.renew(&c) {
                Ok(c) => team.held.push(c),
                Err(e) => lost.push(e),
            }
        }
        if lost.is_empty() {
            Ok(())
        } else {
            Err(SinkError::ClaimsLost(lost))
        }
    }

    fn release_claim(&mut self) {
        if let Some(team) = &mut self.team {
            for c in std::mem::take(&mut team.held) {
                // Best effort: a claim not given back ends with its lease.
                let _ = team.store.drop_claim(&c);
            }
        }
    }

    fn poll_claims(
        &mut self,
        queue_sha256: &str,
    ) -> Result<Option<Vec<(String, String)>>, SinkError> {
        let Some(team) = &mut self.team else {
            return Ok(None);
        };
        if team.claims_read.is_some_and(|t| t.elapsed() < CLAIMS_EVERY) {
            return Ok(None);
        }
        team.claims_read = Some(std::time::Instant::now());
        let mut now: Vec<(String, String)> = team
            .store
            .claims()?
            .into_iter()
            .filter(|c| {
                c.queue == queue_sha256
                    && c.holder != team.principal
                    && matches!(c.state, ClaimState::Held { .. })
            })
            .map(|c| (c.disclosure, c.holder))
            .collect();
        now.sort();
        if team.claims_seen.as_ref() == Some(&now) {
            return Ok(None);
        }
        team.claims_seen = Some(now.clone());
        Ok(Some(now))
    }
}

impl Drop for SignedLogSink {
    /// A window that closes with its dialog open gives the item back at once.
    fn drop(&mut self) {
        self.release_claim();
    }
}

/// Every verified decision in the team's logs (others' included), in time order.
fn team_recorded(store: &dyn crate::team::TeamStore) -> Result<Vec<Recorded>, SinkError> {
    let opts = crate::log::verify::VerifyOptions {
        trust: store.trust()?,
        checkpoints: Vec::new(),
        heads_dir: None,
    };
    let logs = store.logs()?;
    let loaded = crate::supervise::load_logs(&logs, &opts, &[], 1);
    Ok(loaded
        .records
        .into_iter()
        .filter(|r| r.verification.ok())
        .filter_map(|r| {
            let b = &r.body;
            Some(Recorded {
                seq: b.seq,
                entry_sha256: r.entry_sha256.hex(),
                disclosure: b.disclosure.to_string(),
                disclosure_sha256: b.disclosure_sha256?.hex(),
                subject: b.subject.to_string(),
                decision: crate::decision::Decision::parse(&b.decision)?,
                reason_code: b
                    .reason_code
                    .and_then(|c| crate::decision::ReasonCode::parse(&c)),
                ts: r.ts_text(),
                reviewer: b.reviewer.to_string(),
                key: b.key.to_string(),
                supersedes: b.supersedes.map(|h| h.hex()),
                override_: b.override_,
                second_required: b.second_required,
                note: b.note.map(|n| n.to_string()),
            })
        })
        .collect())
}

/// The kind of log the review TUI writes: demo mode never touches a production log.
pub fn kind_for(demo: bool) -> LogKind {
    if demo {
        LogKind::Demo
    } else {
        LogKind::Production
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, ReasonCode};
    use crate::engine::Engine;
    use crate::log::keys::init_key;
    use crate::paths::DataDir;

    fn sample() -> LoadedQueue {
        let text = include_str!("../../sample_data/queue.yaml");
        let queue = crate::queue::load_bytes(text.as_bytes(), "sample").unwrap();
        LoadedQueue {
            path: "sample".into(),
            index: crate::queue::QueueIndex::build(&queue),
            queue,
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        }
    }

    #[test]
    fn records_signed_entries_reads_them_back_and_goes_read_only_on_a_torn_middle() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path())).unwrap();
        let signer = init_key(&data.signing_key(), "rev@example.org").unwrap();
        let log = dir.path().join("decisions.jsonl");
        let l = sample();
        let d = &l.queue.disclosures[0];
        let ev = Engine::default()
            .for_date(l.queue.as_of.unwrap())
            .unwrap()
            .evaluate(&l.queue, &l.index, d);
        let mut sink = SignedLogSink::new(
            Recorder::open(&data, &log, LogKind::Production, signer.clone()),
            "log",
        );
        assert!(sink.read_only().is_none());
        let input = DecisionInput {
            decision: Decision::Escalate,
            reason_code: Some(ReasonCode::NeedsPrivacyOfficer),
            note: None,
            supersedes: None,
        };
        let r = sink.record(&l, d, &ev, &input).unwrap();
        assert_eq!(r.seq, 1, "genesis is seq 0");
        let back = sink.recorded().unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].entry_sha256, r.entry_sha256);
        assert_eq!(back[0].disclosure_sha256, sink.disclosure_sha256(d));

        // Damage the last entry's signature: appends must be refused, and say so.
        let text = std::fs::read_to_string(&log).unwrap();
        let broken = text.replacen("\"sig\":\"", "\"sig\":\"A", 2);
        std::fs::write(&log, broken).unwrap();
        let mut sink = SignedLogSink::new(
            Recorder::open(&data, &log, LogKind::Production, signer),
            "log",
        );
        assert!(sink.read_only().is_some());
        assert!(sink.describe().starts_with("READ-ONLY"));
        let err = sink.record(&l, d, &ev, &input).unwrap_err();
        assert!(matches!(err, SinkError::ReadOnly { .. }), "{err}");
        assert!(err.to_string().contains("read-only"), "{err}");
    }

    /// Two windows of one reviewer on one log: the second's decision without
    /// `supersedes` is refused (and says the item was decided meanwhile); the first's
    /// poll reads only what was appended and hands it over; with `supersedes` it records.
    #[test]
    fn two_windows_on_one_log_see_each_other_and_must_supersede() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path())).unwrap();
        let signer = init_key(&data.signing_key(), "rev@example.org").unwrap();
        let log = dir.path().join("decisions.jsonl");
        let l = sample();
        let d = &l.queue.disclosures[0];
        let ev = Engine::default()
            .for_date(l.queue.as_of.unwrap())
            .unwrap()
            .evaluate(&l.queue, &l.index, d);
        let open = || {
            SignedLogSink::new(
                Recorder::open(&data, &log, LogKind::Production, signer.clone()),
                "log",
            )
            .announce(dir.path())
        };
        let (mut one, mut two) = (open(), open());
        assert!(one.recorded().unwrap().is_empty());
        assert!(two.recorded().unwrap().is_empty());
        let input = |supersedes: Option<String>| DecisionInput {
            decision: Decision::Escalate,
            reason_code: Some(ReasonCode::NeedsPrivacyOfficer),
            note: None,
            supersedes,
        };
        let a = one.record(&l, d, &ev, &input(None)).unwrap();
        let err = two.record(&l, d, &ev, &input(None)).unwrap_err();
        match &err {
            SinkError::DecidedMeanwhile {
                decision, reviewer, ..
            } => assert_eq!(
                (&decision[..], &reviewer[..]),
                ("escalate", "rev@example.org")
            ),
            e => panic!("expected DecidedMeanwhile, got {e}"),
        }
        assert!(
            err.to_string()
                .contains("decided meanwhile (ESCALATE by rev@example.org at "),
            "{err}"
        );
        // The first window's own entry comes back once; the second reads it as new.
        let (restarted, got) = two.poll().unwrap().unwrap();
        assert!(!restarted);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].entry_sha256, a.entry_sha256);
        assert!(two.poll().unwrap().is_none(), "nothing new");
        let b = two
            .record(&l, d, &ev, &input(Some(a.entry_sha256.clone())))
            .unwrap();
        let (_, got) = one.poll().unwrap().unwrap();
        assert_eq!(
            got.iter()
                .map(|r| r.entry_sha256.as_str())
                .collect::<Vec<_>>(),
            vec![a.entry_sha256.as_str(), b.entry_sha256.as_str()]
        );
    }
}
