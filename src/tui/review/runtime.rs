//! The review screen's effects and its [`Screen`] for the shell. Effects are carried out by
//! [`Driver`], which the flow tests drive directly; the shell owns the terminal, the input
//! and signal threads and drawing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::Frame;

use crate::queue::LoadedQueue;
use crate::tui::shell::{self, Input, Keymap, Outbox, Screen};
use crate::tui::sink::DecisionSink;

use super::action::Action;
use super::app::{App, EvalFn, Look, Verdict, seed_rows};
use super::keymap::Context;
use super::update::{Effect, update};

/// Loads (or reloads) the queue and returns it with the evaluation function for its date.
pub type Loader = Arc<dyn Fn() -> Result<(Arc<LoadedQueue>, EvalFn), String> + Send + Sync>;

/// Carries out effects. With `tx` set, slow work (loading, evaluating everything) runs on
/// threads and reports back through the shell; without it, synchronously (tests).
pub struct Driver {
    pub sink: Box<dyn DecisionSink>,
    pub loader: Loader,
    pub attachments_dir: PathBuf,
    /// Compare the queue file with what is shown before each record (off for the bundled demo).
    pub check_file: bool,
    pub tx: Option<Outbox<Action>>,
    /// The SHA-256 of the queue as shown, for the file watcher.
    pub shown_sha: Arc<Mutex<String>>,
}

/// Evaluate every disclosure in chunks, reporting progress; stops early on a newer load.
fn evaluate_all(
    loaded: &LoadedQueue,
    eval: &EvalFn,
    generation: u64,
    current: &dyn Fn() -> u64,
    mut emit: impl FnMut(Action) -> bool,
) {
    const CHUNK: usize = 4096;
    let ds = &loaded.queue.disclosures;
    for start in (0..ds.len()).step_by(CHUNK) {
        if current() != generation {
            return;
        }
        let verdicts: Vec<Verdict> = ds[start..(start + CHUNK).min(ds.len())]
            .iter()
            .map(|d| Verdict::of(&eval(&loaded.queue, &loaded.index, d)))
            .collect();
        if !emit(Action::Evaluated {
            generation,
            start: start as u32,
            verdicts,
        }) {
            return;
        }
    }
}

impl Driver {
    /// Run one effect; returns the actions to feed back right away.
    pub fn execute(&mut self, app: &App, effect: Effect) -> Vec<Action> {
        match effect {
            Effect::Record {
                row,
                eval,
                input,
                queue_sha256,
            } => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                if self.check_file && !file_matches(&loaded.path, &queue_sha256) {
                    return vec![
                        Action::QueueChanged,
                        Action::Recorded {
                            row,
                            result: Err("the queue file changed on disk; press R to reload, then decide again".into()),
                        },
                    ];
                }
                let d = &loaded.queue.disclosures[row as usize];
                let result = self
                    .sink
                    .record(&loaded, d, &eval, &input)
                    .map_err(|e| crate::text::error_chain(&e));
                let failed = result.is_err();
                let mut out = vec![Action::Recorded { row, result }];
                if failed {
                    // Another window may have decided this item: read its entry now, so
                    // the reopened dialog supersedes it.
                    out.extend(self.execute(app, Effect::PollLog));
                }
                out
            }
            Effect::SaveAttachment { disclosure, text } => {
                let path = self
                    .attachments_dir
                    .join(super::attachment::file_name(&disclosure));
                let r = std::fs::create_dir_all(&self.attachments_dir)
                    .and_then(|_| std::fs::write(&path, text.as_bytes()))
                    .map(|_| path.clone())
                    .map_err(|e| format!("{}: {e}", path.display()));
                vec![Action::Saved(r)]
            }
            Effect::LoadRecorded => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                // A log that cannot be written, or is open in another window: said
                // before any typing (docs/cli.md#review).
                let notice = self.sink.notice().map(Action::LogNotice);
                match self.sink.recorded() {
                    Ok(recs) => {
                        let sink = &self.sink;
                        let seed =
                            Action::Seed(seed_rows(&loaded, &recs, &|d| sink.disclosure_sha256(d)));
                        std::iter::once(seed).chain(notice).collect()
                    }
                    Err(e) => vec![Action::RuntimeError(format!(
                        "could not read back recorded decisions: {}",
                        crate::text::error_chain(&e)
                    ))],
                }
            }
            Effect::PollLog => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                let mut out = match self.sink.poll() {
                    Ok(Some((restarted, recs))) => {
                        let sink = &self.sink;
                        let list = seed_rows(&loaded, &recs, &|d| sink.disclosure_sha256(d));
                        vec![Action::LogAppended { restarted, list }]
                    }
                    Ok(None) => vec![],
                    Err(e) => vec![Action::RuntimeError(format!(
                        "could not read the log for new decisions: {}",
                        crate::text::error_chain(&e)
                    ))],
                };
                match self.sink.poll_claims(&loaded.sha256) {
                    Ok(Some(claims)) => out.push(Action::Claims(
                        claims
                            .into_iter()
                            .filter_map(|(id, holder)| {
                                let row = *loaded.index.disclosures.get(&id)? as u32;
                                Some((row, holder))
                            })
                            .collect(),
                    )),
                    Ok(None) => {}
                    Err(e) => out.push(Action::RuntimeError(format!(
                        "could not read the team's claims: {}",
                        crate::text::error_chain(&e)
                    ))),
                }
                out
            }
            Effect::Claim { row, decision } => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                let Some(d) = loaded.queue.disclosures.get(row as usize) else {
                    return vec![];
                };
                let result = self.sink.claim(&loaded, d);
                vec![Action::Claimed {
                    row,
                    decision,
                    result,
                }]
            }
            Effect::ClaimMarked { rows, decision } => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                let ds: Vec<&crate::queue::Disclosure> = rows
                    .iter()
                    .filter_map(|&r| loaded.queue.disclosures.get(r as usize))
                    .collect();
                let result = self.sink.claim_all(&loaded, &ds);
                vec![Action::ClaimedMarked {
                    rows,
                    decision,
                    result,
                }]
            }
            Effect::RenewClaim => match self.sink.renew_claim() {
                Ok(()) => vec![],
                Err(e) => vec![Action::RuntimeError(format!(
                    "the claim on this item could not be extended: {}; recording re-checks it",
                    crate::text::error_chain(&e)
                ))],
            },
            Effect::ReleaseClaim => {
                self.sink.release_claim();
                vec![]
            }
            Effect::EvaluateAll => {
                let (Some(loaded), Some(eval)) = (app.loaded.clone(), app.eval.clone()) else {
                    return vec![];
                };
                *self.shown_sha.lock().unwrap_or_else(|p| p.into_inner()) = loaded.sha256.clone();
                let generation = app.generation;
                match &self.tx {
                    Some(tx) => {
                        let tx = tx.clone();
                        std::thread::spawn(move || {
                            evaluate_all(&loaded, &eval, generation, &|| generation, |a| tx.send(a))
                        });
                        vec![]
                    }
                    None => {
                        let mut out = Vec::new();
                        evaluate_all(&loaded, &eval, generation, &|| generation, |a| {
                            out.push(a);
                            true
                        });
                        out
                    }
                }
            }
            Effect::Reload => {
                let loader = self.loader.clone();
                let job = move || match loader() {
                    Ok((q, e)) => Action::Loaded(q, e),
                    Err(e) => Action::LoadFailed(e),
                };
                match &self.tx {
                    Some(tx) => {
                        let tx = tx.clone();
                        std::thread::spawn(move || {
                            tx.send(job());
                        });
                        vec![]
                    }
                    None => vec![job()],
                }
            }
            Effect::Quit => vec![],
        }
    }

    /// `update` plus effects until quiet.
    pub fn dispatch(&mut self, app: &mut App, action: Action) {
        let mut queue = std::collections::VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for eff in update(app, a) {
                queue.extend(self.execute(app, eff));
            }
        }
    }
}

/// The file still holds exactly the bytes that were loaded.
fn file_matches(path: &Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|b| crate::digest::sha256_hex(&b) == sha256)
}

pub struct RunOptions {
    pub demo: bool,
    pub look: Look,
    pub sink: Box<dyn DecisionSink>,
    pub loader: Loader,
    pub attachments_dir: PathBuf,
    /// The queue file to watch for changes (none for the bundled demo).
    pub watch: Option<PathBuf>,
    /// Shown in the header when the reviewer's own training is not current.
    pub training_notice: Option<String>,
    pub shell: shell::Options,
}

/// The review screen as the shell runs it.
pub struct ReviewScreen {
    pub app: App,
    pub driver: Driver,
}

impl Screen for ReviewScreen {
    type Action = Action;
    type Context = Context;

    fn keymap(&self) -> &Keymap<Context, Action> {
        &self.app.keymap
    }

    fn context(&self) -> Context {
        self.app.context()
    }

    fn translate(&self, input: Input) -> Option<Action> {
        translate(&self.app, input)
    }

    fn key_read(&mut self, frame: u64) {
        self.driver.dispatch(&mut self.app, Action::KeyRead(frame));
    }

    fn flushed(&mut self, frame: u64) {
        self.driver.dispatch(&mut self.app, Action::Flushed(frame));
    }

    fn dispatch(&mut self, action: Action) {
        self.driver.dispatch(&mut self.app, action);
    }

    fn view(&self, f: &mut Frame) {
        super::view::view(&self.app, f);
    }

    fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.app.dirty)
    }

    fn outcome(&mut self) -> Option<Result<(), String>> {
        if self.app.quit {
            return Some(Ok(()));
        }
        match (&self.app.loaded, &self.app.load_error) {
            // Nothing to show at all: end with the reason instead of an empty screen.
            (None, Some(e)) => Some(Err(e.clone())),
            _ => None,
        }
    }
}

/// Shell events as review actions: the wheel moves the list, a click selects a row (only
/// on the list itself, with no dialog open), a paste goes to the field being edited.
pub fn translate(app: &App, input: Input) -> Option<Action> {
    match input {
        Input::Resize(w, h) => Some(Action::Resize(w, h)),
        Input::Paste(text) => Some(Action::Paste(text)),
        Input::Tick => Some(Action::Tick),
        Input::Scroll(n) => match app.context() {
            Context::Queue | Context::Overlay | Context::Help => {
                Some(if n > 0 { Action::Down } else { Action::Up })
            }
            _ => None,
        },
        Input::Click { column, row } => {
            (app.context() == Context::Queue).then_some(Action::Click { column, row })
        }
    }
}

/// Run the review TUI until the reviewer quits. `Err` only when the queue cannot be loaded
/// at all or the terminal cannot be used; the terminal is restored either way.
pub fn run(opts: RunOptions) -> Result<(), String> {
    let (outbox, inbox) = shell::channel::<Action>();
    let shown_sha = Arc::new(Mutex::new(String::new()));
    let label = opts.sink.describe();
    let driver = Driver {
        sink: opts.sink,
        loader: opts.loader,
        attachments_dir: opts.attachments_dir,
        check_file: opts.watch.is_some(),
        tx: Some(outbox.clone()),
        shown_sha: shown_sha.clone(),
    };
    let mut app = App::new(opts.demo, label, opts.look, (shell::MIN_W, shell::MIN_H));
    app.training_notice = opts.training_notice;
    app.me = driver.sink.team_principal();
    if let Some(path) = opts.watch {
        spawn_watcher(outbox, path, shown_sha);
    }
    let mut screen = ReviewScreen { app, driver };
    // First paint straight away, then load in the background.
    for a in screen.driver.execute(&screen.app, Effect::Reload) {
        screen.driver.dispatch(&mut screen.app, a);
    }
    shell::run(&mut screen, inbox, opts.shell)
}

/// Polls the queue file; on a change whose bytes differ from what is shown, says so once.
fn spawn_watcher(tx: Outbox<Action>, path: PathBuf, shown: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let stamp = |p: &Path| {
            std::fs::metadata(p)
                .ok()
                .map(|m| (m.len(), m.modified().ok()))
        };
        let mut last = stamp(&path);
        let mut reported = String::new();
        loop {
            std::thread::sleep(Duration::from_millis(1500));
            let now = stamp(&path);
            let shown_now = shown.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if now == last || shown_now.is_empty() {
                continue;
            }
            last = now;
            let actual = std::fs::read(&path)
                .map(|b| crate::digest::sha256_hex(&b))
                .unwrap_or_default();
            if actual != shown_now && actual != reported {
                reported = actual;
                if !tx.send(Action::QueueChanged) {
                    return;
                }
            }
        }
    });
}
