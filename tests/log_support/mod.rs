//! Shared fixtures for the signed-log tests: temp data dirs, a queue with PHI canaries,
//! in-process log building and the CLI binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use p2review::engine::{Engine, Evaluation};
use p2review::log::{DecisionInput, LogKind, Recorder, Signer};
use p2review::paths::DataDir;
use p2review::queue::{LoadedQueue, QueueIndex, load_bytes};

/// Free-text canaries: they must never reach the log or any output.
pub const CANARIES: [&str; 4] = [
    "CANARY-NOTE-5a1f",
    "CANARY-INFO-77c2",
    "CANARY-SERVICES-9e0d",
    "CANARY-DISPLAY-41b8",
];

/// A queue whose free-text fields (note, information, services, display) hold canaries.
pub fn queue_yaml(n: usize) -> String {
    let mut s = format!(
        "schema: p2review.queue/1\nas_of: 2026-11-28\norganization: {{name: Summit Billing, role: qso}}\n\
programs: [{{id: harbor, name: Harbor Recovery, part2: true}}]\n\
patients:\n  - {{ref: P-0001, display: \"{d}\"}}\n\
consents:\n  - id: C-0001\n    patient: P-0001\n    program: harbor\n    kind: tpo\n    recipients: [{{class: health_plans}}]\n    purposes: [payment]\n    information: \"{i}\"\n    signed_on: 2025-02-01\n    expires_on: 2027-02-01\n\
restrictions:\n  - patient: P-0001\n    kind: self_pay\n    recipients: [health_plans]\n    services: \"{s}\"\n\
disclosures:\n",
        d = CANARIES[3],
        i = CANARIES[1],
        s = CANARIES[2]
    );
    for k in 1..=n {
        s.push_str(&format!(
            "  - id: D-{k:04}\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient: {{name: Acme Health Plan, kind: health_plan}}\n    purpose: payment\n    consent: C-0001\n    claim: {{id: CLM-{k}, amount: \"412.50\"}}\n    note: \"{}\"\n",
            CANARIES[0]
        ));
    }
    s
}

pub struct Fixture {
    pub queue: LoadedQueue,
    /// Per disclosure index, the last entry this fixture recorded or was told to name: a
    /// repeat decision supersedes it (docs/signed-log.md), as a reviewer's would.
    last: std::sync::Mutex<std::collections::HashMap<usize, String>>,
}

impl Fixture {
    pub fn new(n: usize) -> Fixture {
        let bytes = queue_yaml(n).into_bytes();
        let q = load_bytes(&bytes, "fixture").unwrap();
        let index = QueueIndex::build(&q);
        Fixture {
            queue: LoadedQueue {
                path: PathBuf::from("fixture.yaml"),
                queue: q,
                index,
                sha256: p2review::digest::sha256_hex(&bytes),
            },
            last: Default::default(),
        }
    }

    pub fn eval(&self, i: usize) -> Evaluation {
        let d = &self.queue.queue.disclosures[i];
        Engine::load(None)
            .unwrap()
            .for_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
            .unwrap()
            .evaluate(&self.queue.queue, &self.queue.index, d)
    }

    /// A decision that satisfies the §6.2 rules whatever the evaluation says. A repeat
    /// on a disclosure names the entry it replaces: the one this fixture remembers, or —
    /// when another writer got there first — the one the refusal names (no re-read of
    /// the log: the recorder's own index answers under the lock).
    pub fn record(&self, rec: &Recorder, i: usize) -> p2review::log::Receipt {
        let k = i % self.queue.queue.disclosures.len();
        let d = &self.queue.queue.disclosures[k];
        let ev = self.eval(k);
        let mut supersedes = self.last.lock().unwrap().get(&k).cloned();
        loop {
            let r = rec.record(
                &self.queue,
                d,
                &ev,
                DecisionInput {
                    decision: p2review::decision::Decision::Deny,
                    reason_code: Some(p2review::decision::ReasonCode::ConsentMissing),
                    note: Some(format!("call back #{i}")),
                    supersedes: supersedes.clone(),
                },
            );
            match r {
                Ok(r) => {
                    self.last.lock().unwrap().insert(k, r.entry_sha256.clone());
                    return r;
                }
                Err(p2review::log::RecordError::Supersede(p)) => {
                    supersedes = p.to_supersede().last().map(|s| s.to_string());
                    assert!(supersedes.is_some(), "{p}");
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// A deterministic signer.
pub fn signer(seed: u8, principal: &str) -> Signer {
    Signer::from_signing_key(
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32]),
        principal,
    )
    .unwrap()
}

/// A temp data dir with a key created by `key init`.
pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let e = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(e.data()).unwrap();
        e
    }
    pub fn with_key(principal: &str) -> Env {
        let e = Env::new();
        let o = e.run(&["key", "init", "--principal", principal]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        e
    }
    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }
    pub fn data_dir(&self) -> DataDir {
        DataDir::resolve(Some(&self.data())).unwrap()
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    pub fn log(&self) -> PathBuf {
        self.data().join("decisions.jsonl")
    }
    pub fn signer(&self) -> Signer {
        Signer::load(&self.data().join("signing_key")).unwrap()
    }
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_p2review"));
        c.arg("--data-dir").arg(self.data());
        c.env_remove("P2REVIEW_DATA_DIR");
        c.env_remove("P2REVIEW_TEST_NO_LOCK");
        c.env_remove("P2REVIEW_TEST_SPLIT_WRITES");
        c
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }
    pub fn run_p(&self, args: &[&str], paths: &[&Path]) -> Output {
        let mut c = self.cmd();
        c.args(args);
        for p in paths {
            c.arg(p);
        }
        c.output().unwrap()
    }
    pub fn write_queue(&self, n: usize) -> PathBuf {
        let p = self.path("queue.yaml");
        std::fs::write(&p, queue_yaml(n)).unwrap();
        p
    }
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Build a log of `n` decisions in-process (genesis + n entries) with the given signers
/// taking turns. Returns the recorder of the first signer.
pub fn build_log(data: &DataDir, log: &Path, signers: &[Signer], fx: &Fixture, n: usize) {
    let recs: Vec<Recorder> = signers
        .iter()
        .map(|s| Recorder::open(data, log, LogKind::Production, s.clone()))
        .collect();
    for i in 0..n {
        fx.record(&recs[i % recs.len()], i);
    }
}

/// Fails (does not skip) when a stock tool the interop tests need is missing.
pub fn have(tool: &str, arg: &str) {
    let ok = Command::new(tool).arg(arg).output().is_ok();
    assert!(
        ok,
        "{tool} is required for the interop test (apt-get install jq openssh-client)"
    );
}

/// The §6.1 recipe for line `n` of `log`, in `dir`. Returns (exit status, stdout+stderr).
pub fn recipe(dir: &std::path::Path, log: &std::path::Path, n: usize) -> (bool, String) {
    let script = format!(
        r#"set -u
line=$(sed -n {n}p "$LOG")
printf '%s' "$line" | jq -jcS .e > body
{{ echo '-----BEGIN SSH SIGNATURE-----'; printf '%s' "$line" | jq -r .sig | fold -w 70; echo '-----END SSH SIGNATURE-----'; }} > body.sig
ssh-keygen -Y verify -f allowed_signers -I "$(printf '%s' "$line" | jq -r .e.reviewer)" -n p2review-decision \
  -Overify-time="$(printf '%s' "$line" | jq -r .e.ts | tr -d ':T-' | cut -c1-14)Z" -s body.sig < body
"#
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("LOG", log)
        .current_dir(dir)
        .output()
        .unwrap();
    (o.status.success(), format!("{}{}", out(&o), err(&o)))
}

/// Verify options trusting exactly `signers` (allowed_signers as a list in memory), with no
/// checkpoint or head files.
pub fn trusting(signers: &[Signer]) -> p2review::log::verify::VerifyOptions {
    p2review::log::verify::VerifyOptions {
        trust: p2review::log::trust::Trust::Local {
            keys: signers
                .iter()
                .map(|s| (s.principal().into(), *s.public_key()))
                .collect(),
            demo: None,
        },
        checkpoints: vec![],
        heads_dir: None,
    }
}
