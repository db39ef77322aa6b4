//! Team work on a shared directory (docs/team.md): claims with leases, the appender's
//! claim re-check, mode checks, conflicts and four-eyes, and `--team` with `--log` /
//! `--allowed-signers`. The concurrency test re-runs this binary as 8 reviewer processes
//! (`P2REVIEW_TEAM_CHILD`) that claim and decide from one 1,000-item queue at once.

mod log_support;
mod team_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use log_support::*;
use p2review::decision::{Decision, ReasonCode};
use p2review::engine::Engine;
use p2review::log::append::BeforeWrite;
use p2review::log::keys::init_key;
use p2review::log::verify::VerifyOptions;
use p2review::log::{DecisionInput, LogKind, Recorder, Signer};
use p2review::paths::DataDir;
use p2review::team::{DirStore, ItemKey, Settings, TeamError, TeamStore};
use team_support::*;

fn main() {
    if let Ok(spec) = std::env::var("P2REVIEW_TEAM_CHILD") {
        child(&spec);
        return;
    }
    let tests: [(&str, fn()); 10] = [
        (
            "init_and_add_reviewer_refuse_bad_input",
            init_and_add_reviewer_refuse_bad_input,
        ),
        (
            "accounting_lists_each_disclosure_once",
            accounting_lists_each_disclosure_once,
        ),
        (
            "live_view_reports_only_new_verified_decisions",
            live_view_reports_only_new_verified_decisions,
        ),
        (
            "eight_reviewers_decide_every_item_exactly_once",
            eight_reviewers_decide_every_item_exactly_once,
        ),
        (
            "expired_lease_is_taken_over_and_the_old_holder_cannot_write",
            expired_lease_is_taken_over_and_the_old_holder_cannot_write,
        ),
        (
            "loose_modes_are_refused_naming_the_chmod",
            loose_modes_are_refused_naming_the_chmod,
        ),
        (
            "decide_is_refused_while_another_holds_the_claim",
            decide_is_refused_while_another_holds_the_claim,
        ),
        (
            "team_refuses_log_and_allowed_signers",
            team_refuses_log_and_allowed_signers,
        ),
        ("four_eyes_flow", four_eyes_flow),
        (
            "conflicts_are_flagged_and_repeats_must_supersede",
            conflicts_are_flagged_and_repeats_must_supersede,
        ),
    ];
    if std::env::args().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (name, f) in tests {
        if !filter.is_empty() && !filter.iter().any(|x| name.contains(x.as_str())) {
            continue;
        }
        let t = Instant::now();
        f();
        println!("test {name} ... ok ({:.1} s)", t.elapsed().as_secs_f32());
    }
}

/// A temp dir, on tmpfs when there is one (what is tested is the protocol, not the disk).
fn tmp() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(t) = tempfile::tempdir_in(shm)
    {
        return t;
    }
    tempfile::tempdir().unwrap()
}

/// A team with `n` reviewers `r<i>@team.test`, each with a data dir and key.
struct Team {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    reviewers: Vec<(String, DataDir)>,
    tmpdir: PathBuf,
}

impl Team {
    fn new(n: usize, four_eyes: bool) -> Team {
        let tmp = tmp();
        let root = tmp.path().join("team");
        let store = DirStore::init(&root, &Settings::new(four_eyes)).unwrap();
        let mut reviewers = Vec::new();
        for i in 0..n {
            let principal = format!("r{i}@team.test");
            let data = DataDir::resolve(Some(&tmp.path().join(format!("data{i}")))).unwrap();
            let s = init_key(&data.signing_key(), &principal).unwrap();
            store.add_reviewer(&principal, &s.openssh_public()).unwrap();
            reviewers.push((principal, data));
        }
        Team {
            tmpdir: tmp.path().to_owned(),
            _tmp: tmp,
            root,
            reviewers,
        }
    }
    fn store(&self) -> Arc<dyn TeamStore> {
        Arc::new(DirStore::open(&self.root).unwrap())
    }
    fn signer(&self, i: usize) -> Signer {
        Signer::load(&self.reviewers[i].1.signing_key()).unwrap()
    }
    fn cli(&self, i: usize, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(self.reviewers[i].1.root())
            .args(args)
            .env("P2REVIEW_TEAM", &self.root)
            .env_remove("P2REVIEW_DATA_DIR")
            .env_remove("P2REVIEW_TEST_NO_LOCK")
            .env_remove("P2REVIEW_TEST_SPLIT_WRITES")
            .output()
            .unwrap()
    }
    fn sample_queue(&self) -> PathBuf {
        let p = self.tmpdir.join("queue.yaml");
        std::fs::write(&p, include_str!("../sample_data/queue.yaml")).unwrap();
        p
    }
    /// Every team log read with the team's trust (as `log show --team` reads them).
    fn loaded(&self) -> p2review::supervise::Loaded {
        let store = self.store();
        let opts = VerifyOptions {
            trust: store.trust().unwrap(),
            checkpoints: Vec::new(),
            heads_dir: None,
        };
        p2review::supervise::load_logs(&store.logs().unwrap(), &opts, &[], 2)
    }
}

/// Child reviewer: `<team>|<data dir>|<queue>`. Walks the whole queue, deciding every
/// item it can claim; prints `ACK <disclosure> <entry>` per decision and `DONE` at the end.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let store: Arc<dyn TeamStore> = Arc::new(DirStore::open(Path::new(parts[0])).unwrap());
    let data = DataDir::resolve(Some(Path::new(parts[1]))).unwrap();
    let signer = Signer::load(&data.signing_key()).unwrap();
    let q = p2review::queue::load_path(Path::new(parts[2])).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(q.queue.as_of.unwrap()).unwrap();
    let log = store.reviewer_log(signer.principal(), &data).unwrap();
    let rec = Recorder::open(&data, &log, LogKind::Production, signer)
        .with_lock_timeout(Duration::from_secs(60));
    let mut out = std::io::stdout().lock();
    for d in &q.queue.disclosures {
        let t = Instant::now();
        let e = ev.evaluate(&q.queue, &q.index, d);
        let input = DecisionInput {
            decision: Decision::Deny,
            reason_code: Some(ReasonCode::ConsentMissing),
            note: None,
            supersedes: None,
        };
        match p2review::team::record::record_in_team(&store, rec.clone(), &q, d, &e, input) {
            Ok(r) => {
                assert!(r.warning.is_none(), "{:?}", r.warning);
                use std::io::Write;
                let us = t.elapsed().as_micros();
                writeln!(out, "ACK {} {} {us}", d.id, r.receipt.entry_sha256).unwrap();
            }
            // Someone else holds or decided it, or already recorded it: skip, as `n` does.
            Err(m)
                if m.contains("claimed by")
                    || m.contains("was decided by")
                    || m.contains("already has a decision") => {}
            Err(m) => panic!("{}: {m}", d.id),
        }
    }
    use std::io::Write;
    writeln!(out, "DONE").unwrap();
}

fn eight_reviewers_decide_every_item_exactly_once() {
    let team = Team::new(8, false);
    let queue = team.tmpdir.join("queue.yaml");
    std::fs::write(&queue, queue_yaml(1000)).unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(std::env::current_exe().unwrap())
                .env(
                    "P2REVIEW_TEAM_CHILD",
                    format!(
                        "{}|{}|{}",
                        team.root.display(),
                        team.reviewers[i].1.root().display(),
                        queue.display()
                    ),
                )
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut acks = collect_acks(children);
    let elapsed = started.elapsed();
    acks.assert_all_decided(1000);
    // The logs hold exactly those 1,000 entries, all verified with the team's signers.
    acks.assert_logs_hold_them(&team.loaded());
    acks.assert_claims_decided(team.store().claims().unwrap());
    acks.report("directory", elapsed);
}

fn item(q: &p2review::queue::LoadedQueue, i: usize) -> ItemKey {
    ItemKey {
        queue_sha256: q.sha256.clone(),
        disclosure: q.queue.disclosures[i].id.clone(),
    }
}

fn expired_lease_is_taken_over_and_the_old_holder_cannot_write() {
    let team = Team::new(2, false);
    let store = team.store();
    let qp = team.tmpdir.join("q.yaml");
    std::fs::write(&qp, queue_yaml(3)).unwrap();
    let q = p2review::queue::load_path(&qp).unwrap();
    let (a, b) = (&team.reviewers[0].0, &team.reviewers[1].0);
    let it = item(&q, 0);
    let short = Duration::from_millis(300);
    let ca = store.claim(&it, a, short).unwrap();
    // Live: refused, naming the holder.
    match store.claim(&it, b, short) {
        Err(TeamError::Held { holder, .. }) => assert_eq!(&holder, a),
        r => panic!("{r:?}"),
    }
    // Renewed by activity: still live after the first lease would have ended.
    std::thread::sleep(Duration::from_millis(200));
    store.renew(&ca).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(matches!(
        store.claim(&it, b, short),
        Err(TeamError::Held { .. })
    ));
    // Expired: taken over.
    std::thread::sleep(Duration::from_millis(400));
    let cb = store.claim(&it, b, Duration::from_secs(60)).unwrap();
    assert!(matches!(store.still_held(&ca), Err(TeamError::Lost { .. })));
    // The old holder's append is refused under the log's lock: nothing is written.
    let ev = Engine::load(None)
        .unwrap()
        .for_date(q.queue.as_of.unwrap())
        .unwrap()
        .evaluate(&q.queue, &q.index, &q.queue.disclosures[0]);
    let log_a = store.reviewer_log(a, &team.reviewers[0].1).unwrap();
    let check = {
        let (store, ca) = (Arc::clone(&store), ca.clone());
        BeforeWrite(Arc::new(move || {
            store.still_held(&ca).map_err(|e| e.to_string())
        }))
    };
    let rec = Recorder::open(
        &team.reviewers[0].1,
        &log_a,
        LogKind::Production,
        team.signer(0),
    )
    .before_write(check);
    let before = std::fs::read(&log_a).unwrap();
    let e = rec
        .record(
            &q,
            &q.queue.disclosures[0],
            &ev,
            DecisionInput {
                decision: Decision::Deny,
                reason_code: Some(ReasonCode::ConsentMissing),
                note: None,
                supersedes: None,
            },
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no longer yours") && e.contains("nothing was recorded"),
        "{e}"
    );
    let after = std::fs::read(&log_a).unwrap();
    // Genesis may have been written (the log was created); no decision entry was.
    assert!(!String::from_utf8_lossy(&after).contains("\"type\":\"decision\""));
    assert!(after.len() >= before.len());
    // The new holder decides; the claim is never reissued, not even to its holder.
    store.decided(&cb, &"ab".repeat(32)).unwrap();
    for who in [a, b] {
        match store.claim(&it, who, short) {
            Err(TeamError::Decided { entry, .. }) => assert_eq!(entry, "ab".repeat(32)),
            r => panic!("{r:?}"),
        }
    }
    assert!(store.release(&it.disclosure).unwrap().is_empty());
    // A supervisor's release ends a live claim; the item can be claimed again.
    let it1 = item(&q, 1);
    store.claim(&it1, a, Duration::from_secs(60)).unwrap();
    let gone = store.release(&it1.disclosure).unwrap();
    assert_eq!(gone.len(), 1);
    store.claim(&it1, b, Duration::from_secs(60)).unwrap();
}

fn loose_modes_are_refused_naming_the_chmod() {
    let team = Team::new(1, false);
    let q = team.sample_queue();
    let set =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    let cases: [(PathBuf, u32, u32, &str); 5] = [
        (team.root.join("logs"), 0o770, 0o1770, "chmod 1770"),
        (team.root.join("claims"), 0o2777, 0o2770, "chmod 2770"),
        (team.root.join("claims"), 0o3770, 0o2770, "chmod 2770"),
        (team.root.join("team.yaml"), 0o666, 0o644, "chmod go-w"),
        (
            team.root.join("allowed_signers"),
            0o664,
            0o644,
            "chmod go-w",
        ),
    ];
    for (path, bad, good, want) in cases {
        set(&path, bad);
        let e = DirStore::open(&team.root).unwrap_err().to_string();
        assert!(
            e.contains(want) && e.contains(&path.display().to_string()),
            "{e}"
        );
        // The CLI refuses with exit 2 and records nothing.
        let o = team.cli(
            0,
            &[
                "decide",
                q.to_str().unwrap(),
                "--id",
                "D-0017",
                "--decision",
                "approve",
            ],
        );
        assert_eq!(code(&o), Some(2), "{}", err(&o));
        assert!(err(&o).contains(want), "{}", err(&o));
        set(&path, good);
    }
    assert!(
        std::fs::read_dir(team.root.join("logs"))
            .unwrap()
            .next()
            .is_none()
    );
    // A reviewer's log that the group could write.
    let o = team.cli(
        0,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let log = team.root.join("logs/r0@team.test.jsonl");
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o640
    );
    set(&log, 0o660);
    let o = team.cli(0, &["log", "verify"]);
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("chmod 640"), "{}", err(&o));
}

fn decide_is_refused_while_another_holds_the_claim() {
    let team = Team::new(2, false);
    let q = team.sample_queue();
    let loaded = p2review::queue::load_path(&q).unwrap();
    let idx = loaded
        .queue
        .disclosures
        .iter()
        .position(|d| d.id == "D-0017")
        .unwrap();
    let store = team.store();
    store
        .claim(
            &item(&loaded, idx),
            &team.reviewers[1].0,
            Duration::from_secs(60),
        )
        .unwrap();
    let o = team.cli(
        0,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
        ],
    );
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("claimed by r1@team.test"), "{}", err(&o));
    assert!(team.loaded().records.is_empty());
    let o = team.cli(0, &["team", "status"]);
    assert!(
        out(&o).contains("1 open, 0 expired, 0 decided")
            && out(&o).contains("working now: r1@team.test"),
        "{}",
        out(&o)
    );
    // A supervisor releases it; the holder claims it again by deciding.
    let o = team.cli(0, &["team", "release", "--id", "D-0017"]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert!(out(&o).contains("held by r1@team.test"), "{}", out(&o));
    let o = team.cli(0, &["team", "release", "--id", "D-0017"]);
    assert_eq!(code(&o), Some(2), "nothing left to release");
    // The holder decides through the CLI; `team status` then shows it decided.
    let o = team.cli(
        1,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let o = team.cli(0, &["team", "status"]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("0 open, 0 expired, 1 decided"),
        "{}",
        out(&o)
    );
}

fn team_refuses_log_and_allowed_signers() {
    let team = Team::new(1, false);
    let q = team.sample_queue();
    let other = team.tmpdir.join("other.jsonl");
    let o = team.cli(
        0,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
            "--log",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(2));
    assert!(
        err(&o).contains("--log cannot be combined with --team"),
        "{}",
        err(&o)
    );
    assert!(!other.exists());
    assert!(
        std::fs::read_dir(team.root.join("logs"))
            .unwrap()
            .next()
            .is_none()
    );
    let signers = team.root.join("allowed_signers");
    for cmd in [
        &["log", "show"][..],
        &["log", "verify"],
        &["log", "accounting", "--patient", "P-0001"],
    ] {
        let mut args = cmd.to_vec();
        args.extend(["--allowed-signers", signers.to_str().unwrap()]);
        let o = team.cli(0, &args);
        assert_eq!(code(&o), Some(2), "{cmd:?}");
        assert!(
            err(&o).contains("--allowed-signers cannot be combined with --team"),
            "{}",
            err(&o)
        );
    }
    // An empty P2REVIEW_TEAM is no team: --log works.
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(team.reviewers[0].1.root())
        .args([
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
            "--log",
            other.to_str().unwrap(),
        ])
        .env("P2REVIEW_TEAM", "")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
}

fn four_eyes_flow() {
    let team = Team::new(2, true);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    // D-0002: consent required, so an approval is an override.
    let o = team.cli(
        0,
        &[
            "decide",
            qs,
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "checked the form",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let first = receipt_entry(&o);
    let log0 = std::fs::read_to_string(team.root.join("logs/r0@team.test.jsonl")).unwrap();
    let last = log0.lines().last().unwrap();
    assert!(
        last.contains("\"second_required\":true") && last.contains("\"v\":2"),
        "{last}"
    );
    // The v2 schema: second_required only as true, only on an override approval, only in v2.
    let e: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(last).unwrap()["e"].clone();
    let parsed = p2review::log::entry::Entry::from_value(&e).unwrap();
    assert!(matches!(&parsed.body, p2review::log::entry::Body::Decision(d) if d.second_required));
    assert_eq!(parsed.to_value(), e, "round trip");
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = e.clone();
        f(&mut v);
        p2review::log::entry::Entry::from_value(&v)
    };
    assert!(
        with(&|v| v["v"] = 1.into())
            .unwrap_err()
            .contains("unknown field")
    );
    assert!(with(&|v| v["v"] = 3.into()).is_err());
    assert!(with(&|v| v["second_required"] = false.into()).is_err());
    assert!(
        with(&|v| {
            v.as_object_mut().unwrap().remove("second_required");
        })
        .is_err()
    );
    assert!(
        with(&|v| v["decision"] = "deny".into()).is_err(),
        "a deny is never an override, so never second_required"
    );
    // The stock verifier accepts the v2 entry.
    let o = team.cli(0, &["log", "verify"]);
    assert_eq!(code(&o), Some(0), "{}{}", out(&o), err(&o));
    // Pending: listed, and not an effective approval.
    let o = team.cli(0, &["log", "show"]);
    assert!(out(&o).contains("PENDING"), "{}", out(&o));
    let o = team.cli(0, &["team", "status"]);
    assert!(out(&o).contains(&format!("PENDING {first}")), "{}", out(&o));
    // Exports count it as waiting, not approved.
    let o = team.cli(0, &["log", "show", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let totals = &v["summary"]["totals"];
    assert_eq!(
        (&totals["approve"], &totals["pending_second"]),
        (&0.into(), &1.into()),
        "{v}"
    );
    // Nor does the accounting list it as a disclosure while it waits.
    let subject = serde_json::from_str::<serde_json::Value>(last).unwrap()["e"]["subject"]
        .as_str()
        .unwrap()
        .to_owned();
    let d0002_rows = |team: &Team| -> usize {
        let o = team.cli(
            0,
            &[
                "log",
                "accounting",
                "--patient",
                &subject,
                "--format",
                "json",
            ],
        );
        assert_eq!(code(&o), Some(0), "{}", err(&o));
        let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["disclosure"] == "D-0002")
            .count()
    };
    assert_eq!(
        d0002_rows(&team),
        0,
        "a pending approval is not a disclosure"
    );
    // The same reviewer cannot complete it.
    let o = team.cli(
        0,
        &[
            "decide",
            qs,
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "again",
            "--supersedes",
            &first,
        ],
    );
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("second reviewer"), "{}", err(&o));
    // Another reviewer with another key completes it; it is not itself pending.
    let o = team.cli(
        1,
        &[
            "decide",
            qs,
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "second look",
            "--supersedes",
            &first,
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let log1 = std::fs::read_to_string(team.root.join("logs/r1@team.test.jsonl")).unwrap();
    assert!(!log1.contains("second_required"));
    assert_eq!(
        d0002_rows(&team),
        1,
        "completed by a second reviewer: one disclosure"
    );
    let o = team.cli(0, &["team", "status"]);
    assert!(
        out(&o).contains("waiting for a second reviewer: 0"),
        "{}",
        out(&o)
    );
    let o = team.cli(0, &["log", "show"]);
    assert!(!out(&o).contains("PENDING"), "{}", out(&o));
    // Read without the store, the logs still say what is pending: the v2 entry verifies
    // with stock trust (allowed_signers) and the reader computes pending from it.
    let loaded = team.loaded();
    let pending = p2review::supervise::pending_second(&loaded.records);
    let first_hash = p2review::supervise::Hash::parse_hex(&first).unwrap();
    assert!(pending.contains(&first_hash) && loaded.superseded.contains(&first_hash));
    assert_eq!(
        loaded
            .records
            .iter()
            .filter(|r| r.verification.ok())
            .count(),
        2
    );
}

fn conflicts_are_flagged_and_repeats_must_supersede() {
    let team = Team::new(2, false);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    let o = team.cli(
        0,
        &["decide", qs, "--id", "D-0017", "--decision", "approve"],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let first = receipt_entry(&o);
    // A repeat in the team must name the decision it replaces.
    let o = team.cli(
        1,
        &[
            "decide",
            qs,
            "--id",
            "D-0017",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
        ],
    );
    assert_eq!(code(&o), Some(2));
    assert!(
        err(&o).contains(&format!("--supersedes {first}")),
        "{}",
        err(&o)
    );
    // Recorded outside the team into the same team log (e.g. a log added later): a conflict.
    let log1 = team.root.join("logs/r1@team.test.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(team.reviewers[1].1.root())
        .args([
            "decide",
            qs,
            "--id",
            "D-0017",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
            "--log",
        ])
        .arg(&log1)
        .env_remove("P2REVIEW_TEAM")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    std::fs::set_permissions(&log1, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = team.cli(0, &["team", "status"]);
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("conflicts: 1")
            && out(&o).contains("CONFLICT patient P-0015 disclosure D-0017"),
        "{}",
        out(&o)
    );
    let o = team.cli(0, &["log", "show"]);
    let table = out(&o);
    assert_eq!(
        table.lines().filter(|l| l.starts_with("CONFLICT ")).count(),
        2,
        "{table}"
    );
    // Resolved by a decision superseding one side: the conflict is gone.
    let o = team.cli(
        1,
        &[
            "decide",
            qs,
            "--id",
            "D-0017",
            "--decision",
            "approve",
            "--supersedes",
            &receipt_entry_of_deny(&team),
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let o = team.cli(0, &["team", "status"]);
    assert_eq!(code(&o), Some(0), "{}", out(&o));
    assert!(out(&o).contains("conflicts: 0"), "{}", out(&o));
}

/// The hash of r1's deny on D-0017 (the conflicting entry).
fn receipt_entry_of_deny(team: &Team) -> String {
    team.loaded()
        .records
        .iter()
        .find(|r| *r.body.decision == *"deny")
        .unwrap()
        .entry_sha256
        .hex()
}

fn live_view_reports_only_new_verified_decisions() {
    let team = Team::new(2, false);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    let store = team.store();
    let mut w = p2review::team::live::Watcher::new(store.trust().unwrap());
    assert!(w.poll(&store.logs().unwrap()).unwrap().is_empty());
    let o = team.cli(
        1,
        &["decide", qs, "--id", "D-0017", "--decision", "approve"],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let first = receipt_entry(&o);
    let seen = w.poll(&store.logs().unwrap()).unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].entry, first);
    assert_eq!(seen[0].reviewer, "r1@team.test");
    assert_eq!(seen[0].disclosure, "D-0017");
    assert_eq!(seen[0].decision, Decision::Approve);
    // Only new lines: nothing again until something is appended.
    assert!(w.poll(&store.logs().unwrap()).unwrap().is_empty());
    // A half-written line is held back until its LF arrives.
    let o = team.cli(
        0,
        &["decide", qs, "--id", "D-0018", "--decision", "approve"],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let log0 = team.root.join("logs/r0@team.test.jsonl");
    let full = std::fs::read(&log0).unwrap();
    let cut = full.len() - 40;
    std::fs::write(&log0, &full[..cut]).unwrap();
    let mut w2 = p2review::team::live::Watcher::new(store.trust().unwrap());
    let partial = w2.poll(&store.logs().unwrap()).unwrap();
    assert_eq!(partial.len(), 1, "only r1's entry: {partial:?}");
    std::fs::write(&log0, &full).unwrap();
    let rest = w2.poll(&store.logs().unwrap()).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].disclosure, "D-0018");
    // A signer the team does not trust is never shown, though the line is well formed.
    let outsider = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(outsider.path())).unwrap();
    init_key(&data.signing_key(), "mallory@elsewhere.test").unwrap();
    let fake = team.root.join("logs/mallory@elsewhere.test.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(outsider.path())
        .args([
            "decide",
            qs,
            "--id",
            "D-0019",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
            "--log",
        ])
        .arg(&fake)
        .env_remove("P2REVIEW_TEAM")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert!(
        w.poll(&store.logs().unwrap())
            .unwrap()
            .iter()
            .all(|d| d.disclosure != "D-0019")
    );
}

fn accounting_lists_each_disclosure_once() {
    let team = Team::new(2, false);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    // D-0001 (patient P-0001) is consent-based: its approval is an accountable disclosure.
    let args = [
        "decide",
        qs,
        "--id",
        "D-0001",
        "--decision",
        "approve",
        "--reason-code",
        "consent_verified",
    ];
    let o = team.cli(0, &args);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    // The same approval by the second reviewer, recorded outside the team into their team
    // log (a log added later): two entries, one disclosure.
    let log1 = team.root.join("logs/r1@team.test.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(team.reviewers[1].1.root())
        .args(args)
        .arg("--log")
        .arg(&log1)
        .env_remove("P2REVIEW_TEAM")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    std::fs::set_permissions(&log1, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = team.cli(
        0,
        &[
            "log",
            "accounting",
            "--patient",
            "P-0001",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let rows: Vec<&serde_json::Value> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["recipient"]
                .as_str()
                .is_some_and(|n| n.starts_with("Pinecrest"))
        })
        .collect();
    assert_eq!(rows.len(), 1, "{v}");
    // Both reviewers, space-separated (docs/cli.md#log-accounting).
    assert_eq!(rows[0]["reviewers"], "r0@team.test r1@team.test", "{v}");
}

fn init_and_add_reviewer_refuse_bad_input() {
    let team = Team::new(1, false);
    let bin = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_p2review"));
        c.arg("--data-dir")
            .arg(team.reviewers[0].1.root())
            .env_remove("P2REVIEW_TEAM");
        c
    };
    // Not into a directory that holds anything, and not PostgreSQL (not built yet).
    let o = bin()
        .args(["team", "init"])
        .arg(&team.root)
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("not empty"), "{}", err(&o));
    let o = bin()
        .args(["team", "init", "postgres://db.example/test"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2));
    let fresh = team.tmpdir.join("fresh");
    let o = bin().args(["team", "init"]).arg(&fresh).output().unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert_eq!(
        std::fs::metadata(fresh.join("logs"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o1770
    );
    assert_eq!(
        std::fs::metadata(fresh.join("claims"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o2770
    );
    let signers = std::fs::read_to_string(team.root.join("allowed_signers")).unwrap();
    let pubkey = team.reviewers[0].1.root().join("signing_key.pub");
    let add = |principal: &str, key: &Path| {
        bin()
            .args(["team", "add-reviewer", "--team"])
            .arg(&team.root)
            .args(["--principal", principal, "--key"])
            .arg(key)
            .output()
            .unwrap()
    };
    // The same principal twice, the same key under another principal, a file that is no key.
    for (p, k) in [
        ("r0@team.test", pubkey.as_path()),
        ("someone@team.test", pubkey.as_path()),
        ("x@team.test", team.root.join("team.yaml").as_path()),
        ("not a principal", pubkey.as_path()),
    ] {
        let o = add(p, k);
        assert_eq!(code(&o), Some(2), "{p}");
    }
    assert_eq!(
        std::fs::read_to_string(team.root.join("allowed_signers")).unwrap(),
        signers,
        "nothing written on bad input"
    );
    // Someone who is not one of the team's signers: refused, nothing created in logs/.
    let outsider = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(outsider.path())).unwrap();
    init_key(&data.signing_key(), "mallory@elsewhere.test").unwrap();
    let q = team.sample_queue();
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(outsider.path())
        .args([
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0017",
            "--decision",
            "approve",
        ])
        .env("P2REVIEW_TEAM", &team.root)
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("is not a signer of team"), "{}", err(&o));
    assert!(
        std::fs::read_dir(team.root.join("logs"))
            .unwrap()
            .next()
            .is_none()
    );
}
