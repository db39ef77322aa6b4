//! The review screen in a team (docs/team.md#what-a-reviewer-sees): opening the decision
//! dialog claims the item, a held item does not open and names its holder, rows show
//! others' claims and decisions, `n` passes them by, a decision someone else made is
//! superseded. The screen is driven through the real keymap with the real signed-log sink
//! on a real team directory; "the other reviewer" acts through the store and the CLI.

mod tui_common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use p2review::log::keys::init_key;
use p2review::log::{LogKind, Recorder, Signer};
use p2review::paths::DataDir;
use p2review::team::{ClaimState, DirStore, ItemKey, Settings, TeamStore};
use p2review::tui::{Action, App, Driver, SignedLogSink};
use tui_common::*;

/// A team directory with two reviewers, `me@team.test` and `other@team.test`.
struct Team {
    tmp: tempfile::TempDir,
    root: PathBuf,
    queue: PathBuf,
}

const ME: &str = "me@team.test";
const OTHER: &str = "other@team.test";

impl Team {
    fn new(lease_seconds: u64) -> Team {
        Team::with(lease_seconds, false)
    }

    /// `four_eyes`: override approvals wait for a second reviewer.
    fn with(lease_seconds: u64, four_eyes: bool) -> Team {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("team");
        let mut settings = Settings::new(four_eyes);
        settings.lease_seconds = lease_seconds;
        let store = DirStore::init(&root, &settings).unwrap();
        for p in [ME, OTHER] {
            let data = Team::data_of(tmp.path(), p);
            let s = init_key(&data.signing_key(), p).unwrap();
            store.add_reviewer(p, &s.openssh_public()).unwrap();
        }
        let queue = tmp.path().join("queue.yaml");
        std::fs::copy(fixture("queue.yaml"), &queue).unwrap();
        Team { tmp, root, queue }
    }

    fn data_of(base: &Path, principal: &str) -> DataDir {
        DataDir::resolve(Some(&base.join(principal.replace('@', "_")))).unwrap()
    }

    fn data(&self, principal: &str) -> DataDir {
        Team::data_of(self.tmp.path(), principal)
    }

    fn store(&self) -> Arc<dyn TeamStore> {
        Arc::new(DirStore::open(&self.root).unwrap())
    }

    /// `principal`'s review screen on the team, loaded and seeded, at 80x24.
    fn screen(&self, principal: &str) -> (App, Driver) {
        let data = self.data(principal);
        let signer = Signer::load(&data.signing_key()).unwrap();
        let store = self.store();
        let log = store.reviewer_log(principal, &data).unwrap();
        let rec = Recorder::open(&data, &log, LogKind::Production, signer);
        let sink = SignedLogSink::new(rec, "log").with_team(store).unwrap();
        let p = self.queue.clone();
        let mut driver = Driver {
            sink: Box::new(sink),
            loader: Arc::new(move || {
                p2review::queue::load_path(&p)
                    .map(|l| (Arc::new(l), fake_eval()))
                    .map_err(|e| e.to_string())
            }),
            attachments_dir: self.tmp.path().join("attachments"),
            check_file: true,
            tx: None,
            shown_sha: Default::default(),
        };
        let mut app = App::new(false, "team test", LOOK, (80, 24));
        app.me = driver.sink.team_principal();
        assert_eq!(app.me.as_deref(), Some(principal));
        driver.dispatch(&mut app, Action::Loaded(load(&self.queue), fake_eval()));
        (app, driver)
    }

    fn item(&self, id: &str) -> ItemKey {
        ItemKey {
            queue_sha256: p2review::digest::sha256_hex(&std::fs::read(&self.queue).unwrap()),
            disclosure: id.to_owned(),
        }
    }

    /// The other reviewer decides `id` with `decide --team` (any extra flags).
    fn other_decides(&self, id: &str, decision: &str, extra: &[&str]) -> String {
        self.decides_as(OTHER, id, decision, extra)
    }

    /// `principal` decides `id` with `decide --team`; the entry's hash.
    fn decides_as(&self, principal: &str, id: &str, decision: &str, extra: &[&str]) -> String {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(self.data(principal).root())
            .args(["decide", "--id", id, "--decision", decision, "--team"])
            .arg(&self.root)
            .arg(&self.queue)
            .args(extra)
            .env_remove("P2REVIEW_TEAM")
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stdout)
            .split("entry=")
            .nth(1)
            .expect("the receipt names the entry")[..64]
            .to_owned()
    }

    /// Who holds `id` now (live claims only).
    fn holder(&self, id: &str) -> Option<String> {
        self.store()
            .claims()
            .unwrap()
            .into_iter()
            .find(|c| c.disclosure == id && matches!(c.state, ClaimState::Held { .. }))
            .map(|c| c.holder)
    }

    fn expires(&self, id: &str) -> i64 {
        match self
            .store()
            .claims()
            .unwrap()
            .into_iter()
            .find(|c| c.disclosure == id)
            .map(|c| c.state)
        {
            Some(ClaimState::Held { expires_ms }) => expires_ms,
            other => panic!("{id} is not held: {other:?}"),
        }
    }
}

/// Keys through the real keymap, each read after the frame before it was shown.
fn keys(app: &mut App, driver: &mut Driver, seq: &str) {
    for tok in seq.split_whitespace() {
        let keys: Vec<p2review::tui::keymap::Key> = match tok {
            "<enter>" => vec![p2review::tui::keymap::Key::Enter],
            "<esc>" => vec![p2review::tui::keymap::Key::Esc],
            "<down>" => vec![p2review::tui::keymap::Key::Down],
            "<home>" => vec![p2review::tui::keymap::Key::Home],
            w => w.chars().map(p2review::tui::keymap::Key::Char).collect(),
        };
        for k in keys {
            let n = app.frames + 1;
            driver.dispatch(app, Action::Flushed(n));
            driver.dispatch(app, Action::KeyRead(n));
            if let Some(a) = app.keymap.lookup(app.context(), k) {
                driver.dispatch(app, a);
            }
        }
    }
}

fn selected_id(app: &App) -> String {
    app.selected()
        .and_then(|r| app.disclosure(r))
        .map(|d| d.id.clone())
        .unwrap_or_default()
}

fn row_line(app: &App, id: &str) -> String {
    screen_text(&render(app))
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("{id} not on screen"))
        .to_owned()
}

fn dialog_open(app: &App) -> bool {
    matches!(app.overlay, p2review::tui::app::Overlay::Decide(_))
}

#[test]
fn opening_the_dialog_claims_the_item_and_cancelling_gives_it_back() {
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    assert_eq!(selected_id(&app), "D-0001");
    assert_eq!(team.holder("D-0001"), None);
    keys(&mut app, &mut d, "e");
    assert!(dialog_open(&app));
    assert_eq!(team.holder("D-0001").as_deref(), Some(ME));
    // The other reviewer cannot have it meanwhile.
    let err = team
        .store()
        .claim(&team.item("D-0001"), OTHER, Duration::from_secs(60))
        .unwrap_err();
    assert!(err.to_string().contains("claimed by me@team.test"), "{err}");
    keys(&mut app, &mut d, "<esc>");
    assert!(!dialog_open(&app));
    assert_eq!(team.holder("D-0001"), None, "cancel gives the claim back");
    // Recording ends the claim as decided.
    keys(&mut app, &mut d, "<home> e <enter> <enter>");
    assert!(
        app.status.as_ref().unwrap().text.contains("Recorded"),
        "{:?}",
        app.status
    );
    let info = team.store().claims().unwrap();
    assert!(
        info.iter()
            .any(|c| c.disclosure == "D-0001" && matches!(c.state, ClaimState::Decided { .. })),
        "{info:?}"
    );
}

#[test]
fn an_item_held_by_another_does_not_open_and_says_who_holds_it() {
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    let c = team
        .store()
        .claim(&team.item("D-0001"), OTHER, Duration::from_secs(600))
        .unwrap();
    keys(&mut app, &mut d, "a");
    assert!(
        !dialog_open(&app),
        "the dialog must not open on a held item"
    );
    let status = app.status.clone().unwrap().text;
    assert!(status.contains("claimed by other@team.test"), "{status}");
    assert!(row_line(&app, "D-0001").contains("claimed by other@"));
    // The detail pane has the holder in full (wide enough not to wrap it).
    app.size = (160, 40);
    let wide = screen_text(&render(&app));
    assert!(
        wide.contains("none yet; claimed by other@team.test"),
        "{wide}"
    );
    app.size = (80, 24);
    // Once the other gives it up (or the lease ends) it opens.
    team.store().drop_claim(&c).unwrap();
    std::thread::sleep(Duration::from_millis(950));
    d.dispatch(&mut app, Action::Tick);
    assert!(!row_line(&app, "D-0001").contains("claimed by"));
    keys(&mut app, &mut d, "a");
    assert!(dialog_open(&app));
}

#[test]
fn a_key_in_the_dialog_renews_the_claim_and_nothing_else_does() {
    // A 10 s lease is renewed at most once a second.
    let team = Team::new(10);
    let (mut app, mut d) = team.screen(ME);
    keys(&mut app, &mut d, "e");
    let first = team.expires("D-0001");
    std::thread::sleep(Duration::from_millis(1100));
    d.dispatch(&mut app, Action::Tick);
    assert_eq!(team.expires("D-0001"), first, "a tick is no activity");
    keys(&mut app, &mut d, "<down>");
    assert!(
        team.expires("D-0001") >= first + 1000,
        "a key renews the lease"
    );
}

#[test]
fn rows_show_others_claims_and_decisions_and_n_skips_them() {
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    team.store()
        .claim(&team.item("D-0002"), OTHER, Duration::from_secs(600))
        .unwrap();
    team.other_decides("D-0003", "defer", &[]);
    d.dispatch(&mut app, Action::Tick);
    let line = row_line(&app, "D-0002");
    assert!(line.contains("claimed by other@"), "{line}");
    assert!(line.chars().count() <= 80);
    assert!(
        line.contains('…'),
        "a long principal is shortened visibly: {line}"
    );
    let line = row_line(&app, "D-0003");
    assert!(line.contains("defer by other@"), "{line}");
    assert_eq!(selected_id(&app), "D-0001");
    keys(&mut app, &mut d, "n");
    assert_eq!(
        selected_id(&app),
        "D-0004",
        "n skips claimed and others' items"
    );
}

#[test]
fn deciding_an_item_another_decided_supersedes_it() {
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    let theirs = team.other_decides(
        "D-0001",
        "escalate",
        &["--reason-code", "needs_privacy_officer"],
    );
    d.dispatch(&mut app, Action::Tick);
    assert!(row_line(&app, "D-0001").contains("escalate by other@"));
    keys(&mut app, &mut d, "<home> f");
    assert!(dialog_open(&app), "a decided item opens for a correction");
    let screen = screen_text(&render(&app));
    assert!(
        screen.contains("Supersedes ESCALATE by other@team.test"),
        "{screen}"
    );
    keys(&mut app, &mut d, "<enter> <enter>");
    assert!(
        app.status.as_ref().unwrap().text.contains("Recorded"),
        "{:?}",
        app.status
    );
    let mine = std::fs::read_to_string(team.root.join("logs/me@team.test.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(mine.lines().last().unwrap()).unwrap();
    assert_eq!(last["e"]["supersedes"], theirs.as_str());
}

/// The other reviewer's override approval of D-0002 in a four-eyes team (pending).
const OVERRIDE: &[&str] = &["--reason-code", "other", "--note", "checked the form"];

/// Another reviewer's four-eyes approval waits for a second reviewer: the row says so, it
/// is not counted as decided, `n` stops at it, and approving it completes it (the dialog
/// says whose approval it completes; the entry names it and is not itself pending).
#[test]
fn another_reviewers_pending_approval_is_not_approved_and_a_second_approval_completes_it() {
    let team = Team::with(600, true);
    let (mut app, mut d) = team.screen(ME);
    let theirs = team.other_decides("D-0002", "approve", OVERRIDE);
    d.dispatch(&mut app, Action::Tick);
    let line = row_line(&app, "D-0002");
    assert!(line.contains("approve? 2nd needed"), "{line}");
    assert!(!line.contains("approve by"), "{line}");
    assert!(line.chars().count() <= 80, "{line}");
    assert_eq!(app.decided, 0, "a pending approval is not decided");
    assert_eq!(app.awaiting_second, 1);
    let screen = screen_text(&render(&app));
    assert!(screen.contains("decided 0/"), "{screen}");
    assert!(screen.contains("1 need a 2nd"), "{screen}");
    assert_eq!(selected_id(&app), "D-0001");
    keys(&mut app, &mut d, "n");
    assert_eq!(
        selected_id(&app),
        "D-0002",
        "n stops at work for a second reviewer"
    );
    // The detail pane says it is pending (wide enough not to wrap the line).
    app.size = (160, 40);
    let wide = screen_text(&render(&app));
    assert!(
        wide.contains("approved, waiting for a second reviewer, by other@team.test"),
        "{wide}"
    );
    app.size = (80, 24);
    keys(&mut app, &mut d, "a");
    assert!(dialog_open(&app), "{:?}", app.status);
    let screen = screen_text(&render(&app));
    assert!(
        screen.contains("Completes the four-eyes approval by other@team.test"),
        "{screen}"
    );
    keys(&mut app, &mut d, "y <enter> seen <enter>");
    assert!(
        app.status.as_ref().unwrap().text.contains("Recorded"),
        "{:?}",
        app.status
    );
    let mine = std::fs::read_to_string(team.root.join("logs/me@team.test.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(mine.lines().last().unwrap()).unwrap();
    assert_eq!(last["e"]["supersedes"], theirs.as_str());
    assert!(last["e"].get("second_required").is_none(), "{last}");
    assert_eq!(app.decided, 1);
    assert_eq!(app.awaiting_second, 0);
    let line = row_line(&app, "D-0002");
    assert!(!line.contains("2nd"), "{line}");
}

/// The author of a pending approval: the row shows it pending, `n` passes it by, and
/// approving it again is refused before anything opens or is claimed (the recording
/// path's rule, `team::items::may_complete`).
#[test]
fn the_author_of_a_pending_approval_cannot_complete_it_and_n_passes_it_by() {
    let team = Team::with(600, true);
    team.other_decides("D-0002", "approve", OVERRIDE);
    let (mut app, mut d) = team.screen(OTHER);
    let line = row_line(&app, "D-0002");
    assert!(line.contains("approve? 2nd needed"), "{line}");
    assert!(!app.rows[1].settled(), "pending is not settled");
    keys(&mut app, &mut d, "n");
    assert_eq!(
        selected_id(&app),
        "D-0003",
        "its author has nothing to do on it"
    );
    keys(&mut app, &mut d, "<home> <down> a");
    assert_eq!(selected_id(&app), "D-0002");
    assert!(!dialog_open(&app));
    let status = app.status.clone().unwrap().text;
    assert!(
        status.contains("waits for a second reviewer")
            && status.contains("made by other@team.test"),
        "{status}"
    );
    assert_eq!(team.holder("D-0002"), None, "nothing was claimed");
    // Another decision by the author (a correction) still opens.
    keys(&mut app, &mut d, "e");
    assert!(dialog_open(&app));
}

/// An override approval made in this window of a four-eyes team is pending at once (the
/// receipt says so): not counted as decided, and `n` does not come back to it.
#[test]
fn my_own_four_eyes_approval_is_pending_at_once() {
    let team = Team::with(600, true);
    let (mut app, mut d) = team.screen(ME);
    keys(&mut app, &mut d, "<down> a y <enter> checked <enter>");
    assert!(
        app.status.as_ref().unwrap().text.contains("Recorded"),
        "{:?}",
        app.status
    );
    assert!(row_line(&app, "D-0002").contains("approve? 2nd needed"));
    assert_eq!((app.decided, app.awaiting_second), (0, 1));
    keys(&mut app, &mut d, "<home> n");
    assert_eq!(selected_id(&app), "D-0003");
}

/// A bulk decision in a team claims every marked item when its dialog opens, all or
/// nothing: one held by another reviewer keeps it closed, names the holder and keeps no
/// claim; once free, all are claimed, and cancelling gives every one back.
#[test]
fn a_bulk_decision_claims_every_marked_item_or_none() {
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    let theirs = team
        .store()
        .claim(&team.item("D-0002"), OTHER, Duration::from_secs(600))
        .unwrap();
    keys(&mut app, &mut d, "v v v f");
    assert_eq!(app.marked.len(), 3);
    assert!(
        !dialog_open(&app),
        "a held item keeps the bulk dialog closed"
    );
    let status = app.status.clone().unwrap().text;
    assert!(
        status.starts_with("D-0002 is claimed by other@team.test (lease ends in"),
        "{status}"
    );
    assert!(status.contains("nothing claimed"), "{status}");
    for id in ["D-0001", "D-0003"] {
        assert_eq!(team.holder(id), None, "{id}: nothing is kept");
    }
    assert_eq!(app.marked.len(), 3, "the marks stay");
    team.store().drop_claim(&theirs).unwrap();
    keys(&mut app, &mut d, "f");
    assert!(dialog_open(&app), "{:?}", app.status);
    for id in ["D-0001", "D-0002", "D-0003"] {
        assert_eq!(team.holder(id).as_deref(), Some(ME), "{id}");
    }
    keys(&mut app, &mut d, "<esc>");
    assert!(!dialog_open(&app));
    for id in ["D-0001", "D-0002", "D-0003"] {
        assert_eq!(team.holder(id), None, "{id}: cancel gives it back");
    }
    // Recorded: each ends decided.
    keys(&mut app, &mut d, "f <enter> <enter>");
    let info = team.store().claims().unwrap();
    for id in ["D-0001", "D-0002", "D-0003"] {
        assert!(
            info.iter()
                .any(|c| c.disclosure == id && matches!(c.state, ClaimState::Decided { .. })),
            "{id}: {info:?}"
        );
    }
}

/// A reviewer added to the team while the screen is open is trusted from then on: the
/// live view reads the team's `allowed_signers` again when it changes.
#[test]
fn a_reviewer_added_later_is_seen_without_a_restart() {
    const LATE: &str = "late@team.test";
    let team = Team::new(600);
    let (mut app, mut d) = team.screen(ME);
    d.dispatch(&mut app, Action::Tick);
    let s = init_key(&team.data(LATE).signing_key(), LATE).unwrap();
    DirStore::open(&team.root)
        .unwrap()
        .add_reviewer(LATE, &s.openssh_public())
        .unwrap();
    team.decides_as(LATE, "D-0004", "defer", &[]);
    d.dispatch(&mut app, Action::Tick);
    let line = row_line(&app, "D-0004");
    assert!(line.contains("defer by late@"), "{line}");
}

mod pty_support;

fn p2review(data: &Path, args: &[&str]) -> std::process::Output {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("P2REVIEW_TEAM")
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {o:?}");
    o
}

fn selected_line(s: &pty_support::Session) -> String {
    s.screen()
        .screen()
        .contents()
        .lines()
        .find(|l| l.starts_with('▶'))
        .unwrap_or_default()
        .to_owned()
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
    let t = std::time::Instant::now();
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

/// Two review windows of two reviewers side by side on one team directory (80x24,
/// NO_COLOR): one opens a dialog → the other sees `claimed by` on that row and `n` passes
/// it by; one records → the other shows who decided what within 2 s.
#[test]
fn two_reviewers_side_by_side_see_each_others_claims_and_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team");
    let queue = dir.path().join("queue.yaml");
    std::fs::copy(fixture("queue.yaml"), &queue).unwrap();
    let admin = dir.path().join("admin");
    p2review(&admin, &["team", "init", team.to_str().unwrap()]);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (data, p) in [(&a, "a@team.test"), (&b, "b@team.test")] {
        p2review(data, &["key", "init", "--principal", p]);
        let key = data.join("signing_key.pub");
        p2review(
            &admin,
            &[
                "team",
                "add-reviewer",
                "--team",
                team.to_str().unwrap(),
                "--principal",
                p,
                "--key",
                key.to_str().unwrap(),
            ],
        );
    }
    let args = [
        "review",
        queue.to_str().unwrap(),
        "--team",
        team.to_str().unwrap(),
    ];
    let mut sa = pty_support::spawn_as(&a, &args, &[], None);
    let mut sb = pty_support::spawn_as(&b, &args, &[], None);
    sa.wait_for("decided 0/12");
    sb.wait_for("decided 0/12");
    // A opens the dialog on D-0002: B sees the claim, and `n` from D-0001 passes it by.
    sa.send("j");
    sa.wait_for("▶ D-0002");
    sa.send("e");
    sa.wait_for("Escalate D-0002");
    let took = wait_row(&sb, "D-0002", "claimed by a@team");
    assert!(took < Duration::from_secs(2), "claim shown after {took:?}");
    eprintln!("the other window showed the claim after {took:?}");
    assert!(selected_line(&sb).contains("D-0001"));
    sb.send("n");
    sb.wait_for("▶ D-0003");
    // B cannot open it: the status names the holder.
    sb.send("k");
    sb.wait_for("▶ D-0002");
    sb.send("a");
    sb.wait_for("D-0002 is claimed by a@team.test");
    // A records: B shows who decided what within 2 s, and the claim is gone.
    sa.send("\r");
    sa.wait_for("note (2 of 2)");
    // Timed from the confirming key: recording and the other window's poll both count.
    let t0 = std::time::Instant::now();
    sa.send("\r");
    wait_row(&sb, "D-0002", "escalate by a@team");
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "decision shown after {took:?}"
    );
    eprintln!("the other window showed the decision after {took:?}");
    sa.wait_for("Recorded: escalate D-0002");
    assert!(!line_of(&sb, "D-0002").contains("claimed by"));
    sb.wait_for("decided 1/12");
    sa.send("q");
    sb.send("q");
    assert!(sa.wait_exit().success());
    assert!(sb.wait_exit().success());
    pty_support::assert_restored(&sa);
    pty_support::assert_restored(&sb);
}

/// A team of `a@team.test` and `b@team.test` on the sample queue (`four_eyes`: override
/// approvals wait for a second reviewer). Returns (dir, team, queue, a's data, b's data).
fn cli_team(four_eyes: bool) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team");
    let queue = dir.path().join("queue.yaml");
    std::fs::write(&queue, include_str!("../sample_data/queue.yaml")).unwrap();
    let admin = dir.path().join("admin");
    let mut init = vec!["team", "init", team.to_str().unwrap()];
    if four_eyes {
        init.push("--override-second-reviewer");
    }
    p2review(&admin, &init);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (data, p) in [(&a, "a@team.test"), (&b, "b@team.test")] {
        p2review(data, &["key", "init", "--principal", p]);
        let key = data.join("signing_key.pub");
        let t = team.to_str().unwrap();
        let k = key.to_str().unwrap();
        p2review(
            &admin,
            &[
                "team",
                "add-reviewer",
                "--team",
                t,
                "--principal",
                p,
                "--key",
                k,
            ],
        );
    }
    (dir, team, queue, a, b)
}

/// `log show --format csv|json` carry `conflict` and `pending` after the existing
/// columns; `log review` flags the conflict on its rows and in its header.
#[test]
fn conflicts_and_pending_approvals_are_flagged_in_exports_and_log_review() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, team, queue, a, b) = cli_team(true);
    let (t, q) = (team.to_str().unwrap(), queue.to_str().unwrap());
    // a approves D-0017; b denies it outside the team into b's team log: a conflict.
    p2review(
        &a,
        &[
            "decide",
            q,
            "--id",
            "D-0017",
            "--decision",
            "approve",
            "--team",
            t,
        ],
    );
    let log_b = team.join("logs/b@team.test.jsonl");
    p2review(
        &b,
        &[
            "decide",
            q,
            "--id",
            "D-0017",
            "--decision",
            "deny",
            "--reason-code",
            "consent_missing",
            "--log",
            log_b.to_str().unwrap(),
        ],
    );
    std::fs::set_permissions(&log_b, std::fs::Permissions::from_mode(0o640)).unwrap();
    // a's override approval of D-0002 waits for a second reviewer.
    p2review(
        &a,
        &[
            "decide",
            q,
            "--id",
            "D-0002",
            "--decision",
            "approve",
            "--reason-code",
            "other",
            "--note",
            "checked the form",
            "--team",
            t,
        ],
    );
    let show = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_p2review"))
            .arg("--data-dir")
            .arg(&a)
            .args(["log", "show", "--team", t, "--format", format])
            .env_remove("P2REVIEW_TEAM")
            .output()
            .unwrap()
    };
    let csv = String::from_utf8(show("csv").stdout).unwrap();
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
    assert_eq!(
        &head[at("supersedes")..at("supersedes") + 3],
        ["supersedes", "conflict", "pending"],
        "new columns go after the old ones; the existing ones keep their names and places"
    );
    assert_eq!(head[0], "verification");
    let (conflict, pending) = (at("conflict"), at("pending"));
    let body: String = lines.map(|l| format!("{l}\n")).collect();
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let of = |id: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.iter().any(|f| f == id))
            .map(|r| format!("{},{}", &r[conflict], &r[pending]))
            .collect()
    };
    assert_eq!(of("D-0017"), ["true,false", "true,false"], "{csv}");
    assert_eq!(of("D-0002"), ["false,true"], "{csv}");
    let json: serde_json::Value = serde_json::from_slice(&show("json").stdout).unwrap();
    let flags: Vec<(String, bool, bool)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["disclosure"].as_str().unwrap().to_owned(),
                r["conflict"].as_bool().unwrap(),
                r["pending"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(flags.contains(&("D-0002".into(), false, true)), "{flags:?}");
    assert_eq!(
        flags
            .iter()
            .filter(|f| f.0 == "D-0017" && f.1 && !f.2)
            .count(),
        2,
        "{flags:?}"
    );

    // The supervisor TUI: the rows in conflict say CONFLICT, the header counts both.
    let mut s = pty_support::spawn_as(&a, &["log", "review", "--team", t], &[], None);
    s.wait_for("1 CONFLICT (decisions disagree)");
    s.wait_for("1 PENDING (second reviewer)");
    let screen = s.screen().screen().contents();
    assert_eq!(
        screen
            .lines()
            .filter(|l| l.contains("CONFLICT") && l.contains("D-0017"))
            .count(),
        2,
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("PENDING") && l.contains("D-0002")),
        "{screen}"
    );
    s.send("q");
    assert!(s.wait_exit().success());
    pty_support::assert_restored(&s);
}

/// The update rules alone (no store): in a team a decision key asks for a claim and opens
/// nothing; a claim that comes back after the cursor moved is given back, not opened;
/// outside a team the key opens the dialog at once.
#[test]
fn a_decision_key_in_a_team_asks_for_the_claim_first() {
    use p2review::decision::Decision;
    use p2review::tui::Effect;
    use p2review::tui::update::update;
    let mut r = rig((80, 24));
    r.app.me = Some(ME.into());
    let eff = update(&mut r.app, Action::Decide(Decision::Deny));
    assert_eq!(
        eff,
        vec![Effect::Claim {
            row: 0,
            decision: Decision::Deny
        }]
    );
    assert!(!dialog_open(&r.app));
    r.keys("<down>");
    let eff = update(
        &mut r.app,
        Action::Claimed {
            row: 0,
            decision: Decision::Deny,
            result: Ok(()),
        },
    );
    assert_eq!(eff, vec![Effect::ReleaseClaim]);
    assert!(!dialog_open(&r.app));
    // A refusal names the holder on the row and in the status; nothing opens.
    let eff = update(
        &mut r.app,
        Action::Claimed {
            row: 1,
            decision: Decision::Deny,
            result: Err(p2review::tui::sink::ClaimRefused {
                holder: Some(OTHER.into()),
                message: "D-0002 is claimed by other@team.test".into(),
            }),
        },
    );
    assert!(eff.is_empty());
    assert_eq!(r.app.claims.get(&1).map(String::as_str), Some(OTHER));
    assert!(!dialog_open(&r.app));
    // Outside a team: no claim, the dialog opens.
    let mut r = rig((80, 24));
    assert!(update(&mut r.app, Action::Decide(Decision::Deny)).is_empty());
    assert!(dialog_open(&r.app));
}
