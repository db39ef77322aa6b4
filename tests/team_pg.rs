//! The PostgreSQL team backend (docs/team.md#postgresql) against a real server
//! (`P2REVIEW_TEST_PG_URL`; these tests fail without it). Each test works in a schema of
//! its own. Outages are simulated by cutting a TCP proxy between client and server
//! (`pg_support::Proxy`), never by stopping the server. The concurrency test re-runs this
//! binary as 8 reviewer processes (`P2REVIEW_PG_CHILD`).

mod log_support;
mod pg_support;
mod pty_support;
mod team_support;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use log_support::*;
use p2review::decision::{Decision, ReasonCode};
use p2review::engine::Engine;
use p2review::log::keys::init_key;
use p2review::log::verify::VerifyOptions;
use p2review::log::{DecisionInput, LogKind, Recorder, Signer};
use p2review::paths::DataDir;
use p2review::team::pg::{PgStore, Stage};
use p2review::team::{ClaimState, ItemKey, Settings, TeamError, TeamStore};
use pg_support::*;
use team_support::*;

fn main() {
    if let Ok(spec) = std::env::var("P2REVIEW_PG_CHILD") {
        child(&spec);
        return;
    }
    let tests: [(&str, fn()); 10] = [
        ("pg_init_open_and_refusals", pg_init_open_and_refusals),
        (
            "pg_eight_reviewers_decide_every_item_exactly_once",
            pg_eight_reviewers_decide_every_item_exactly_once,
        ),
        (
            "pg_expired_lease_is_taken_over",
            pg_expired_lease_is_taken_over,
        ),
        (
            "pg_outbox_sends_acknowledged_lines_exactly_once",
            pg_outbox_sends_acknowledged_lines_exactly_once,
        ),
        (
            "pg_mirror_verifies_with_the_same_verifier",
            pg_mirror_verifies_with_the_same_verifier,
        ),
        ("pg_conflicts_and_four_eyes", pg_conflicts_and_four_eyes),
        ("pg_live_view_listen_notify", pg_live_view_listen_notify),
        (
            "pg_review_sink_reads_on_notification_and_trusts_later_reviewers",
            pg_review_sink_reads_on_notification_and_trusts_later_reviewers,
        ),
        (
            "pg_two_review_tuis_see_each_others_claims_and_decisions",
            pg_two_review_tuis_see_each_others_claims_and_decisions,
        ),
        (
            "pg_writer_role_inserts_and_selects_only",
            pg_writer_role_inserts_and_selects_only,
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
    // Fail, not skip, without a server.
    base_url();
    for (name, f) in tests {
        if !filter.is_empty() && !filter.iter().any(|x| name.contains(x.as_str())) {
            continue;
        }
        let t = Instant::now();
        f();
        println!("test {name} ... ok ({:.1} s)", t.elapsed().as_secs_f32());
    }
}

/// A PostgreSQL team with `n` reviewers `r<i>@team.test`, each with a data dir and key.
struct Team {
    schema: Schema,
    tmp: tempfile::TempDir,
    reviewers: Vec<(String, DataDir)>,
}

impl Team {
    fn new(test: &str, n: usize, four_eyes: bool) -> Team {
        let schema = Schema::new(test);
        let tmp = tempfile::tempdir().unwrap();
        let store = PgStore::init(&schema.url, &Settings::new(four_eyes)).unwrap();
        let mut reviewers = Vec::new();
        for i in 0..n {
            let principal = format!("r{i}@team.test");
            let data = DataDir::resolve(Some(&tmp.path().join(format!("data{i}")))).unwrap();
            let s = init_key(&data.signing_key(), &principal).unwrap();
            store.add_reviewer(&principal, &s.openssh_public()).unwrap();
            reviewers.push((principal, data));
        }
        Team {
            schema,
            tmp,
            reviewers,
        }
    }
    fn url(&self) -> &str {
        &self.schema.url
    }
    fn store(&self) -> Arc<PgStore> {
        Arc::new(PgStore::open(self.url()).unwrap())
    }
    fn signer(&self, i: usize) -> Signer {
        Signer::load(&self.reviewers[i].1.signing_key()).unwrap()
    }
    fn cli_at(&self, i: usize, team: &str, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(self.reviewers[i].1.root())
            .args(args)
            .env("P2REVIEW_TEAM", team)
            .env_remove("P2REVIEW_DATA_DIR")
            .output()
            .unwrap()
    }
    fn cli(&self, i: usize, args: &[&str]) -> std::process::Output {
        self.cli_at(i, self.url(), args)
    }
    fn sample_queue(&self) -> PathBuf {
        let p = self.tmp.path().join("queue.yaml");
        std::fs::write(&p, include_str!("../sample_data/queue.yaml")).unwrap();
        p
    }
    fn loaded(&self) -> p2review::supervise::Loaded {
        let store = self.store();
        let opts = VerifyOptions {
            trust: store.trust().unwrap(),
            checkpoints: Vec::new(),
            heads_dir: None,
        };
        p2review::supervise::load_logs(&store.logs().unwrap(), &opts, &[], 2)
    }
    /// `(seq, line)` of every mirrored row, in order.
    fn rows(&self) -> Vec<(String, i64, Vec<u8>)> {
        client()
            .query(
                &format!(
                    "SELECT log_id, seq, line FROM {}.entries ORDER BY log_id, seq",
                    self.schema.name
                ),
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }
}

fn deny() -> DecisionInput {
    DecisionInput {
        decision: Decision::Deny,
        reason_code: Some(ReasonCode::ConsentMissing),
        note: None,
        supersedes: None,
    }
}

/// Child reviewer: `<team url>|<data dir>|<queue>`. Takes the next unclaimed undecided
/// item (`SELECT … FOR UPDATE SKIP LOCKED`) and decides it, until none is left; prints
/// `ACK <disclosure> <entry> <µs>` per decision and `DONE`.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let store: Arc<dyn TeamStore> = Arc::from(p2review::team::open(parts[0]).unwrap());
    let data = DataDir::resolve(Some(Path::new(parts[1]))).unwrap();
    let signer = Signer::load(&data.signing_key()).unwrap();
    let principal = signer.principal().to_owned();
    let q = p2review::queue::load_path(Path::new(parts[2])).unwrap();
    let engine = Engine::load(None).unwrap();
    let ev = engine.for_date(q.queue.as_of.unwrap()).unwrap();
    let log = store.reviewer_log(&principal, &data).unwrap();
    let rec = Recorder::open(&data, &log, LogKind::Production, signer)
        .with_lock_timeout(Duration::from_secs(60));
    let items: Vec<ItemKey> = q
        .queue
        .disclosures
        .iter()
        .map(|d| ItemKey {
            queue_sha256: q.sha256.clone(),
            disclosure: d.id.clone(),
        })
        .collect();
    let by_id: HashMap<&str, usize> = q
        .queue
        .disclosures
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    loop {
        let t = Instant::now();
        let Some(c) = store
            .next_unclaimed(&items, &principal, Duration::from_secs(600))
            .unwrap()
        else {
            break;
        };
        let d = &q.queue.disclosures[by_id[c.item.disclosure.as_str()]];
        let e = ev.evaluate(&q.queue, &q.index, d);
        let r = p2review::team::record::record_in_team(&store, rec.clone(), &q, d, &e, deny())
            .unwrap_or_else(|m| panic!("{}: {m}", d.id));
        assert!(r.warning.is_none(), "{:?}", r.warning);
        let us = t.elapsed().as_micros();
        writeln!(out, "ACK {} {} {us}", d.id, r.receipt.entry_sha256).unwrap();
    }
    writeln!(out, "DONE").unwrap();
}

fn pg_eight_reviewers_decide_every_item_exactly_once() {
    let team = Team::new("eight", 8, false);
    let queue = team.tmp.path().join("queue.yaml");
    std::fs::write(&queue, queue_yaml(1000)).unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(std::env::current_exe().unwrap())
                .env(
                    "P2REVIEW_PG_CHILD",
                    format!(
                        "{}|{}|{}",
                        team.url(),
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
    // The mirror holds exactly those 1,000 decisions (+ 8 genesis lines), all verified
    // with the team's signers, byte for byte the lines of the local logs.
    acks.assert_logs_hold_them(&team.loaded());
    let rows = team.rows();
    assert_eq!(rows.len(), 1008);
    let mut local = Vec::new();
    for (_, d) in &team.reviewers {
        local.extend(std::fs::read(d.decisions_log()).unwrap());
    }
    let mirrored: usize = rows.iter().map(|r| r.2.len() + 1).sum();
    assert_eq!(
        mirrored,
        local.len(),
        "the mirror is the local logs, byte for byte"
    );
    acks.assert_claims_decided(team.store().claims().unwrap());
    acks.report("postgres", elapsed);
}

fn item(q: &p2review::queue::LoadedQueue, i: usize) -> ItemKey {
    ItemKey {
        queue_sha256: q.sha256.clone(),
        disclosure: q.queue.disclosures[i].id.clone(),
    }
}

fn pg_expired_lease_is_taken_over() {
    let team = Team::new("lease", 2, false);
    let store = team.store();
    let qp = team.tmp.path().join("q.yaml");
    std::fs::write(&qp, queue_yaml(3)).unwrap();
    let q = p2review::queue::load_path(&qp).unwrap();
    let (a, b) = (&team.reviewers[0].0, &team.reviewers[1].0);
    let it = item(&q, 0);
    let short = Duration::from_millis(400);
    let ca = store.claim(&it, a, short).unwrap();
    match store.claim(&it, b, short) {
        Err(TeamError::Held { holder, .. }) => assert_eq!(&holder, a),
        r => panic!("{r:?}"),
    }
    // The same holder gets the same claim back (another window of theirs).
    assert_eq!(store.claim(&it, a, short).unwrap().token, ca.token);
    // SKIP LOCKED picks the next free item for b.
    let items: Vec<ItemKey> = (0..3).map(|i| item(&q, i)).collect();
    let nb = store.next_unclaimed(&items, b, short).unwrap().unwrap();
    assert_eq!(nb.item, items[1]);
    store.drop_claim(&nb).unwrap();
    // Renewed by activity: still live after the first lease would have ended.
    std::thread::sleep(Duration::from_millis(250));
    store.renew(&ca).unwrap();
    std::thread::sleep(Duration::from_millis(250));
    assert!(matches!(
        store.claim(&it, b, short),
        Err(TeamError::Held { .. })
    ));
    // Expired on the server's clock: taken over; the old holder has lost it.
    std::thread::sleep(Duration::from_millis(500));
    let cb = store.claim(&it, b, Duration::from_secs(60)).unwrap();
    assert_ne!(cb.token, ca.token);
    match store.still_held(&ca) {
        Err(TeamError::Lost { detail, .. }) => assert!(detail.contains(b.as_str()), "{detail}"),
        r => panic!("{r:?}"),
    }
    // The old holder's decide is refused under the log's lock: nothing is written or sent.
    let ev = Engine::load(None)
        .unwrap()
        .for_date(q.queue.as_of.unwrap())
        .unwrap()
        .evaluate(&q.queue, &q.index, &q.queue.disclosures[0]);
    let log_a = store.reviewer_log(a, &team.reviewers[0].1).unwrap();
    let check = {
        let (store, ca) = (Arc::clone(&store), ca.clone());
        p2review::log::append::BeforeWrite(Arc::new(move || {
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
    let e = rec
        .record(&q, &q.queue.disclosures[0], &ev, deny())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no longer yours") && e.contains("nothing was recorded"),
        "{e}"
    );
    assert!(
        !std::fs::read_to_string(&log_a)
            .unwrap_or_default()
            .contains("\"type\":\"decision\"")
    );
    // Decided: never reissued, not even to its holder; release leaves it alone.
    // b ends its claim from its own process (its team log open).
    let store_b = team.store();
    store_b.reviewer_log(b, &team.reviewers[1].1).unwrap();
    store_b.decided(&cb, &"ab".repeat(32)).unwrap();
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
    // `team release` and `team status` through the CLI.
    let o = team.cli(0, &["team", "status"]);
    assert!(
        out(&o).contains(&format!("working now: {b}")),
        "{}{}",
        out(&o),
        err(&o)
    );
    let o = team.cli(0, &["team", "release", "--id", &it1.disclosure]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let o = team.cli(0, &["team", "status"]);
    assert!(out(&o).contains("working now: nobody"), "{}", out(&o));
}

/// Cut the proxy at `stage` while r0 decides disclosure `i` through `store`.
fn decide_cut(
    team: &Team,
    store: &Arc<PgStore>,
    proxy: &Arc<Proxy>,
    stage: Option<Stage>,
    q: &p2review::queue::LoadedQueue,
    i: usize,
) -> p2review::team::record::TeamReceipt {
    let p = Arc::clone(proxy);
    store.set_fault_hook(stage.map(|s| {
        Arc::new(move |at: Stage| {
            if at == s {
                p.cut()
            }
        }) as p2review::team::pg::FaultHook
    }));
    let d = &q.queue.disclosures[i];
    let ev = Engine::load(None)
        .unwrap()
        .for_date(q.queue.as_of.unwrap())
        .unwrap()
        .evaluate(&q.queue, &q.index, d);
    let dynstore: Arc<dyn TeamStore> = store.clone();
    let log = team.reviewers[0].1.decisions_log();
    let rec = Recorder::open(
        &team.reviewers[0].1,
        &log,
        LogKind::Production,
        team.signer(0),
    );
    let r = p2review::team::record::record_in_team(&dynstore, rec, q, d, &ev, deny()).unwrap();
    store.set_fault_hook(None);
    r
}

fn outbox_files(data: &DataDir) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data.root().join("outbox"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn pg_outbox_sends_acknowledged_lines_exactly_once() {
    let team = Team::new("outbox", 1, false);
    let proxy = Arc::new(Proxy::start(&host_port(team.url())));
    let purl = with_host_port(team.url(), &proxy.addr);
    let qp = team.tmp.path().join("q.yaml");
    std::fs::write(&qp, queue_yaml(6)).unwrap();
    let q = p2review::queue::load_path(&qp).unwrap();
    let data = &team.reviewers[0].1;
    let store = Arc::new(PgStore::open(&purl).unwrap());
    store.reviewer_log(&team.reviewers[0].0, data).unwrap();
    let r = decide_cut(&team, &store, &proxy, None, &q, 0);
    assert!(r.warning.is_none(), "{:?}", r.warning);
    assert_eq!(team.rows().len(), 2, "genesis and the first decision");

    // 1. Cut after the local append, before the insert: recorded locally, kept in the
    //    outbox, the claim stays held (not decided: others cannot see the entry yet).
    let r = decide_cut(&team, &store, &proxy, Some(Stage::BeforeInsert), &q, 1);
    let w = r
        .warning
        .expect("the claim cannot be closed while the server is away");
    assert!(w.contains("unreachable"), "{w}");
    let local = std::fs::read(data.decisions_log()).unwrap();
    let last = local[..local.len() - 1]
        .rsplit(|&b| b == b'\n')
        .next()
        .unwrap()
        .to_vec();
    assert_eq!(p2review::digest::sha256_hex(&last), r.receipt.entry_sha256);
    assert_eq!(team.rows().len(), 2);
    let ob = outbox_files(data);
    assert_eq!(ob.len(), 1, "{ob:?}");
    let kept = std::fs::read(&ob[0]).unwrap();
    assert_eq!(
        kept,
        [last.as_slice(), b"\n"].concat(),
        "the outbox holds the exact line"
    );
    let o = team.cli(0, &["team", "status"]);
    assert!(
        out(&o).contains("unsent entries in this data dir's outbox: 1"),
        "{}",
        out(&o)
    );
    assert!(matches!(
        team.store()
            .claims()
            .unwrap()
            .iter()
            .find(|c| c.disclosure == q.queue.disclosures[1].id)
            .unwrap()
            .state,
        ClaimState::Held { .. }
    ));

    // 2. While the server is unreachable nothing new is recorded: exit 2, log unchanged.
    let qs = qp.to_str().unwrap();
    let o = team.cli_at(
        0,
        &purl,
        &[
            "decide",
            qs,
            "--id",
            &q.queue.disclosures[2].id,
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", out(&o));
    assert!(
        err(&o).contains("unreachable") && err(&o).contains("nothing new was recorded"),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read(data.decisions_log()).unwrap(), local);
    assert_eq!(outbox_files(data).len(), 1);

    // 3. Next start: the outbox goes, once; the claim ends as decided <that entry>.
    proxy.restore();
    let again = Arc::new(PgStore::open(&purl).unwrap());
    again.reviewer_log(&team.reviewers[0].0, data).unwrap();
    assert!(outbox_files(data).is_empty());
    let rows = team.rows();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].2, last, "inserted byte for byte");
    let decided = team.store().decided_entry(&item(&q, 1)).unwrap().unwrap();
    assert_eq!(decided.1, r.receipt.entry_sha256);
    // Sent again (a lost acknowledgement): unique (log id, seq) keeps it once, no error.
    std::fs::create_dir_all(data.root().join("outbox")).unwrap();
    std::fs::write(&ob[0], &kept).unwrap();
    team.store()
        .reviewer_log(&team.reviewers[0].0, data)
        .unwrap();
    assert!(outbox_files(data).is_empty());
    assert_eq!(team.rows().len(), 3);

    // 4. Cut inside the transaction, before COMMIT: the server rolls back, the line waits
    //    in the outbox and goes with the next append, in order.
    let r4 = decide_cut(&team, &again, &proxy, Some(Stage::BeforeCommit), &q, 3);
    assert!(r4.warning.is_some());
    assert_eq!(team.rows().len(), 3);
    assert_eq!(outbox_files(data).len(), 1);
    proxy.restore();
    let r5 = decide_cut(&team, &again, &proxy, None, &q, 4);
    assert!(r5.warning.is_none(), "{:?}", r5.warning);
    assert!(outbox_files(data).is_empty());
    let rows = team.rows();
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    let local = std::fs::read(data.decisions_log()).unwrap();
    let joined: Vec<u8> = rows
        .iter()
        .flat_map(|r| [r.2.as_slice(), b"\n"].concat())
        .collect();
    assert_eq!(joined, local, "nothing lost, nothing twice");
    let claims = team.store().claims().unwrap();
    assert_eq!(
        claims
            .iter()
            .filter(|c| matches!(c.state, ClaimState::Decided { .. }))
            .count(),
        4
    );
    // The mirror verifies.
    let o = team.cli(0, &["log", "verify"]);
    assert_eq!(code(&o), Some(0), "{}{}", out(&o), err(&o));
}

fn pg_mirror_verifies_with_the_same_verifier() {
    let team = Team::new("verify", 2, false);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    for (i, id) in [(0, "D-0001"), (1, "D-0003")] {
        let o = team.cli(
            i,
            &[
                "decide",
                qs,
                "--id",
                id,
                "--decision",
                "deny",
                "--reason-code",
                "consent_missing",
            ],
        );
        assert_eq!(code(&o), Some(0), "{}", err(&o));
    }
    // With a password in the URL (trust auth ignores it): never printed.
    let pw_url = team
        .url()
        .replacen("://postgres@", "://postgres:Sekr1tPw@", 1);
    assert_ne!(pw_url, team.url(), "the test URL names user postgres");
    let o = team.cli_at(0, &pw_url, &["log", "verify"]);
    assert_eq!(code(&o), Some(0), "{}{}", out(&o), err(&o));
    let s = out(&o);
    assert!(!s.contains("Sekr1tPw"));
    // `log show` names a mirrored log by the store and log id, not the `/dev/fd/N` it is
    // read through.
    let o = team.cli_at(0, &pw_url, &["log", "show", "--format", "json"]);
    assert_eq!(code(&o), Some(0), "{}{}", out(&o), err(&o));
    let json = out(&o);
    assert!(
        !json.contains("/dev/fd/") && !json.contains("Sekr1tPw"),
        "{json}"
    );
    assert!(
        json.contains(&format!("\"log_path\": \"{}#", team.url()))
            && json.contains(&format!("\"path\": \"{}#", team.url())),
        "{json}"
    );
    let ids: Vec<String> = team
        .rows()
        .iter()
        .map(|r| r.0.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for id in &ids {
        assert!(
            s.contains(&format!("ok log={}#{id} entries=2 signers=1", team.url())),
            "{s}"
        );
    }
    // A changed mirrored row fails exactly as a changed file line does.
    let mut c = client();
    c.execute(
        &format!("UPDATE {}.entries SET line = replace(convert_from(line, 'UTF8'), 'consent_missing', 'consent_invalid')::bytea WHERE seq = 1 AND log_id = $1", team.schema.name),
        &[&ids[0]],
    )
    .unwrap();
    let o = team.cli_at(0, &pw_url, &["log", "verify"]);
    assert_eq!(code(&o), Some(1), "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains(&format!(
            "E_SIG_INVALID log={}#{} seq=1 line=2",
            team.url(),
            ids[0]
        )),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains("Sekr1tPw") && !err(&o).contains("Sekr1tPw"));
    // --allowed-signers with --team is refused; an unreachable server is exit 2 without the password.
    let o = team.cli(0, &["log", "verify", "--allowed-signers", "/dev/null"]);
    assert_eq!(code(&o), Some(2));
    let dead = with_host_port(&pw_url, "127.0.0.1:1");
    let o = team.cli_at(0, &dead, &["team", "status"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        err(&o).contains("unreachable") && !err(&o).contains("Sekr1tPw"),
        "{}",
        err(&o)
    );
}

fn pg_conflicts_and_four_eyes() {
    // Conflicts: a repeat must supersede; a decision recorded outside the team and then
    // mirrored is a conflict in team status and log show until superseded.
    let team = Team::new("conflict", 2, false);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
    let o = team.cli(
        0,
        &["decide", qs, "--id", "D-0017", "--decision", "approve"],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let first = receipt_entry(&o);
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
        ])
        .env_remove("P2REVIEW_TEAM")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let deny = receipt_entry(&o);
    // r1's next start mirrors it.
    team.store()
        .reviewer_log(&team.reviewers[1].0, &team.reviewers[1].1)
        .unwrap();
    let o = team.cli(0, &["team", "status"]);
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("conflicts: 1")
            && out(&o).contains("CONFLICT patient P-0015 disclosure D-0017"),
        "{}",
        out(&o)
    );
    let o = team.cli(0, &["log", "show"]);
    assert_eq!(
        out(&o)
            .lines()
            .filter(|l| l.starts_with("CONFLICT "))
            .count(),
        2,
        "{}",
        out(&o)
    );
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
            &deny,
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let o = team.cli(0, &["team", "status"]);
    assert_eq!(code(&o), Some(0), "{}", out(&o));
    assert!(out(&o).contains("conflicts: 0"), "{}", out(&o));

    // Four-eyes: an override approval waits for another principal's approval.
    let team = Team::new("foureyes", 2, true);
    let q = team.sample_queue();
    let qs = q.to_str().unwrap();
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
    let o = team.cli(0, &["team", "status"]);
    assert!(out(&o).contains(&format!("PENDING {first}")), "{}", out(&o));
    let o = team.cli(0, &["log", "show", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        (
            &v["summary"]["totals"]["approve"],
            &v["summary"]["totals"]["pending_second"]
        ),
        (&0.into(), &1.into()),
        "{v}"
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
    assert_eq!(code(&o), Some(2), "{}", out(&o));
    // Another reviewer completes it by superseding.
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
    let second = receipt_entry(&o);
    let o = team.cli(0, &["team", "status"]);
    assert!(
        out(&o).contains("override approvals waiting for a second reviewer: 0"),
        "{}",
        out(&o)
    );
    let o = team.cli(0, &["log", "show", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        (
            &v["summary"]["totals"]["approve"],
            &v["summary"]["totals"]["pending_second"]
        ),
        (&2.into(), &0.into()),
        "{v}"
    );
    // The claim names the newest entry; it was never reissued.
    let it = ItemKey {
        queue_sha256: p2review::queue::load_path(&q).unwrap().sha256,
        disclosure: "D-0002".into(),
    };
    assert_eq!(
        team.store().decided_entry(&it).unwrap().unwrap(),
        ("r1@team.test".to_owned(), second)
    );
}

fn pg_live_view_listen_notify() {
    let team = Team::new("live", 2, false);
    let store = team.store();
    let mut listener = store.listen().unwrap();
    let mut watcher = p2review::team::live::Watcher::new(store.trust().unwrap());
    assert!(watcher.poll(&store.logs().unwrap()).unwrap().is_empty());
    assert_eq!(listener.wait(Duration::from_millis(100)).unwrap(), 0);
    let q = team.sample_queue();
    let o = team.cli(
        1,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0001",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let entry = receipt_entry(&o);
    let t = Instant::now();
    let n = listener.wait(Duration::from_secs(2)).unwrap();
    assert!(n >= 1, "notified within 2 s");
    let seen = watcher.poll(&store.logs().unwrap()).unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].entry.as_str(), seen[0].reviewer.as_str()),
        (entry.as_str(), "r1@team.test")
    );
    // Only new lines are reported next time.
    assert!(watcher.poll(&store.logs().unwrap()).unwrap().is_empty());
    // Another team's entries do not wake this one.
    let other = Team::new("live_other", 1, false);
    let o = other.cli(
        0,
        &[
            "decide",
            q.to_str().unwrap(),
            "--id",
            "D-0001",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert_eq!(listener.wait(Duration::from_millis(500)).unwrap(), 0);
}

/// A decision by reviewer `who` (data dir `data`) on the sample queue; its entry hash.
fn decide_as(team: &Team, data: &Path, q: &Path, id: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "decide",
            q.to_str().unwrap(),
            "--id",
            id,
            "--decision",
            "deny",
        ])
        .args(["--reason-code", "consent_missing"])
        .env("P2REVIEW_TEAM", team.url())
        .env_remove("P2REVIEW_DATA_DIR")
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    receipt_entry(&o)
}

/// Poll `sink` until it hands over something (at most 2 s): the entry hashes.
fn sink_poll_within_2s(sink: &mut p2review::tui::SignedLogSink) -> Vec<String> {
    use p2review::tui::sink::DecisionSink;
    let t = Instant::now();
    loop {
        if let Some((_, got)) = sink.poll().unwrap() {
            return got.into_iter().map(|r| r.entry_sha256).collect();
        }
        assert!(t.elapsed() < Duration::from_secs(2), "nothing seen in 2 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The review screen's sink on a PostgreSQL team reads the mirrored logs only after a
/// notification (with the trigger off, another reviewer's decision is not read), and
/// trusts a reviewer added after it opened (the signers' `trust_stamp` changed).
fn pg_review_sink_reads_on_notification_and_trusts_later_reviewers() {
    use p2review::tui::sink::DecisionSink;
    let team = Team::new("sink", 2, false);
    let q = team.sample_queue();
    let store = team.store();
    let data = &team.reviewers[0].1;
    let log = store.reviewer_log("r0@team.test", data).unwrap();
    let mut sink = p2review::tui::SignedLogSink::new(
        Recorder::open(data, &log, LogKind::Production, team.signer(0)),
        "log",
    )
    .with_team(store.clone() as Arc<dyn TeamStore>)
    .unwrap();
    assert!(sink.recorded().unwrap().is_empty());
    assert!(sink.poll().unwrap().is_none());
    let s = &team.schema.name;
    client()
        .batch_execute(&format!(
            "ALTER TABLE {s}.entries DISABLE TRIGGER entries_notify"
        ))
        .unwrap();
    let r1 = team.reviewers[1].1.root().to_owned();
    let e1 = decide_as(&team, &r1, &q, "D-0001");
    for _ in 0..5 {
        assert!(
            sink.poll().unwrap().is_none(),
            "read without a notification"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    client()
        .batch_execute(&format!(
            "ALTER TABLE {s}.entries ENABLE TRIGGER entries_notify"
        ))
        .unwrap();
    let e2 = decide_as(&team, &r1, &q, "D-0003");
    // The notification of the second brings both (only the new lines are verified).
    assert_eq!(sink_poll_within_2s(&mut sink), vec![e1, e2]);
    assert!(sink.poll().unwrap().is_none(), "nothing new");
    // A reviewer added while the screen is open is trusted from then on.
    let late = DataDir::resolve(Some(&team.tmp.path().join("late"))).unwrap();
    let k = init_key(&late.signing_key(), "late@team.test").unwrap();
    store
        .add_reviewer("late@team.test", &k.openssh_public())
        .unwrap();
    let e3 = decide_as(&team, late.root(), &q, "D-0002");
    let t = Instant::now();
    let mut seen = Vec::new();
    while !seen.contains(&e3) {
        seen.extend(sink_poll_within_2s(&mut sink));
        assert!(t.elapsed() < Duration::from_secs(3), "{seen:?}");
    }
}

/// Two review TUIs of two reviewers side by side on one PostgreSQL team (80x24,
/// NO_COLOR): one opens a dialog → the other sees `claimed by` on that row; one records →
/// the other shows who decided what within 2 s (as tests/tui_team.rs does on a directory).
fn pg_two_review_tuis_see_each_others_claims_and_decisions() {
    let team = Team::new("tui", 2, false);
    let queue = team.tmp.path().join("tui_queue.yaml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/queue.yaml"),
        &queue,
    )
    .unwrap();
    let args = ["review", queue.to_str().unwrap(), "--team", team.url()];
    let mut sa = pty_support::spawn_as(team.reviewers[0].1.root(), &args, &[], None);
    let mut sb = pty_support::spawn_as(team.reviewers[1].1.root(), &args, &[], None);
    sa.wait_for("decided 0/12");
    sb.wait_for("decided 0/12");
    sa.send("j");
    sa.wait_for("▶ D-0002");
    sa.send("e");
    sa.wait_for("Escalate D-0002");
    let took = wait_row(&sb, "D-0002", "claimed by r0@team");
    assert!(took < Duration::from_secs(2), "claim shown after {took:?}");
    eprintln!("the other window showed the claim after {took:?}");
    sb.send("j");
    sb.wait_for("▶ D-0002");
    sb.send("a");
    sb.wait_for("D-0002 is claimed by r0@team.test");
    sa.send("\r");
    sa.wait_for("note (2 of 2)");
    // Timed from the confirming key: recording, NOTIFY and the other window's tick count.
    let t0 = Instant::now();
    sa.send("\r");
    wait_row(&sb, "D-0002", "escalate by r0@team");
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "decision shown after {took:?}"
    );
    eprintln!("the other window showed the decision after {took:?}");
    sa.wait_for("Recorded: escalate D-0002");
    sb.wait_for("decided 1/12");
    assert!(!line_of(&sb, "D-0002").contains("claimed by"));
    sa.send("q");
    sb.send("q");
    assert!(sa.wait_exit().success());
    assert!(sb.wait_exit().success());
    pty_support::assert_restored(&sa);
    pty_support::assert_restored(&sb);
}

fn line_of(s: &pty_support::Session, id: &str) -> String {
    s.screen()
        .screen()
        .contents()
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_default()
        .to_owned()
}

/// Wait until `id`'s row holds `what`; how long it took.
fn wait_row(s: &pty_support::Session, id: &str, what: &str) -> Duration {
    let t = Instant::now();
    while !line_of(s, id).contains(what) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{id} never showed {what:?}; screen:\n{}",
            s.screen().screen().contents()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    t.elapsed()
}

/// The writer role of docs/team.md: INSERT/SELECT on entries and signers' SELECT only;
/// with per-reviewer roles, RLS makes `principal = current_user`.
fn pg_writer_role_inserts_and_selects_only() {
    let team = Team::new("roles", 1, false);
    let role = format!("p2r_writer_{}", std::process::id());
    let s = &team.schema.name;
    let mut c = client();
    c.batch_execute(&format!(
        "DROP ROLE IF EXISTS \"{role}\"; CREATE ROLE \"{role}\" LOGIN;
         GRANT USAGE ON SCHEMA {s} TO \"{role}\";
         GRANT SELECT ON {s}.schema_version, {s}.settings, {s}.signers TO \"{role}\";
         GRANT SELECT, INSERT ON {s}.entries, {s}.items TO \"{role}\";
         GRANT SELECT, INSERT, UPDATE ON {s}.claims TO \"{role}\";
         ALTER TABLE {s}.entries ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_lines ON {s}.entries FOR INSERT WITH CHECK (principal = current_user);
         CREATE POLICY read_all ON {s}.entries FOR SELECT USING (true);"
    ))
    .unwrap();
    let cleanup = |c: &mut postgres::Client| {
        let _ = c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {s} CASCADE; DROP ROLE IF EXISTS \"{role}\""
        ));
    };
    let url = team
        .url()
        .replacen("://postgres@", &format!("://{role}@"), 1);
    let mut w =
        postgres::Client::connect(&url.replace(&format!("?schema={s}"), ""), postgres::NoTls)
            .unwrap();
    w.batch_execute(&format!("SET search_path TO {s}")).unwrap();
    let ins = |w: &mut postgres::Client, who: &str, seq: i64| {
        w.execute(
            "INSERT INTO entries (log_id, seq, principal, line, entry_sha256) VALUES ('0123456789abcdef0123456789abcdef', $1, $2, 'x'::bytea, 'y')",
            &[&seq, &who],
        )
    };
    let own = ins(&mut w, &role, 0);
    let other = ins(&mut w, "r0@team.test", 1)
        .map(|_| String::new())
        .unwrap_or_else(|e| p2review::team::pg::error_text(&e));
    let upd = w
        .execute("UPDATE entries SET line = 'z'::bytea", &[])
        .map(|_| String::new())
        .unwrap_or_else(|e| p2review::team::pg::error_text(&e));
    let del = w
        .execute("DELETE FROM entries", &[])
        .map(|_| String::new())
        .unwrap_or_else(|e| p2review::team::pg::error_text(&e));
    let dup = ins(&mut w, &role, 0)
        .map(|_| String::new())
        .unwrap_or_else(|e| p2review::team::pg::error_text(&e));
    // The writer role opens the store and reads the team.
    let opened = PgStore::open(&url).map(|s| s.trust().is_ok());
    drop(w);
    cleanup(&mut c);
    own.unwrap_or_else(|e| panic!("{}", p2review::team::pg::error_text(&e)));
    assert!(other.contains("row-level security"), "{other}");
    assert!(upd.contains("permission denied"), "{upd}");
    assert!(del.contains("permission denied"), "{del}");
    assert!(dup.contains("duplicate key"), "{dup}");
    assert!(opened.unwrap(), "the writer role can open the store");
}

fn pg_init_open_and_refusals() {
    let s = Schema::new("init");
    // No team yet.
    let e = PgStore::open(&s.url).unwrap_err().to_string();
    assert!(
        e.contains("holds no p2review team") && e.contains("team init"),
        "{e}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(tmp.path().join("d"))
            .args(args)
            .env_remove("P2REVIEW_TEAM")
            .output()
            .unwrap()
    };
    let o = run(&["team", "init", &s.url, "--override-second-reviewer"]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert!(out(&o).contains("four-eyes on overrides: yes"));
    let o = run(&["team", "init", &s.url]);
    assert_eq!(code(&o), Some(2));
    assert!(
        err(&o).contains("already holds a p2review team"),
        "{}",
        err(&o)
    );
    let store = PgStore::open(&s.url).unwrap();
    assert!(store.settings().override_second_reviewer);
    let mut c = client();
    let v: i32 = c
        .query_one(
            &format!("SELECT max(version) FROM {}.schema_version", s.name),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(v, p2review::team::pg::schema::current());
    // add-reviewer: once per principal, ed25519 only.
    let o = run(&["key", "init", "--principal", "a@h.test"]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let key = tmp.path().join("d/signing_key.pub");
    let k = key.to_str().unwrap();
    let o = run(&[
        "team",
        "add-reviewer",
        "--team",
        &s.url,
        "--principal",
        "a@h.test",
        "--key",
        k,
    ]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let o = run(&[
        "team",
        "add-reviewer",
        "--team",
        &s.url,
        "--principal",
        "a@h.test",
        "--key",
        k,
    ]);
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("already a reviewer"), "{}", err(&o));
    let o = run(&[
        "team",
        "add-reviewer",
        "--team",
        &s.url,
        "--principal",
        "b@h.test",
        "--key",
        k,
    ]);
    assert_eq!(code(&o), Some(2), "one key under two principals");
    let signer = Signer::load(&tmp.path().join("d/signing_key")).unwrap();
    assert!(
        store
            .trust()
            .unwrap()
            .check(
                "a@h.test",
                signer.public_key(),
                p2review::log::NS_DECISION,
                None,
                Some(LogKind::Production)
            )
            .is_ok(),
        "the added reviewer is one of the team's signers"
    );
    // A schema of a newer p2review is refused.
    c.execute(
        &format!(
            "INSERT INTO {}.schema_version (version) VALUES (99)",
            s.name
        ),
        &[],
    )
    .unwrap();
    let e = PgStore::open(&s.url).unwrap_err().to_string();
    assert!(e.contains("newer p2review") && e.contains("upgrade"), "{e}");
    // A bad schema name is refused before connecting.
    let e = PgStore::open(&format!(
        "{}{}schema=Robert;drop",
        base_url(),
        if base_url().contains('?') { '&' } else { '?' }
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("schema name"), "{e}");
}
