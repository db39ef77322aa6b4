//! The runtime: terminal events, signals and background work feed one channel; the loop
//! drains everything pending, applies it through `update`, then draws once if anything
//! changed. Effects are carried out by [`Driver`], which the flow tests drive directly.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{execute, terminal as ct};

use crate::queue::LoadedQueue;

use super::action::Action;
use super::app::{App, EvalFn, Look, Verdict, seed_rows};
use super::keymap::Key;
use super::sink::DecisionSink;
use super::update::{Effect, update};

/// Loads (or reloads) the queue and returns it with the evaluation function for its date.
pub type Loader = Arc<dyn Fn() -> Result<(Arc<LoadedQueue>, EvalFn), String> + Send + Sync>;

/// Frames flushed to the terminal so far. The input thread stamps each event with it, so a
/// dialog can tell keys read before its first frame was on screen from keys read after.
static FRAMES: AtomicU64 = AtomicU64::new(0);

pub enum Msg {
    /// A terminal event and the number of frames flushed when it was read.
    Term(Event, u64),
    /// The terminal went away (read error): quit.
    InputGone,
    Signal,
    Action(Action),
}

/// Carries out effects. With `tx` set, slow work (loading, evaluating everything) runs on
/// threads and reports back through the channel; without it, synchronously (tests).
pub struct Driver {
    pub sink: Box<dyn DecisionSink>,
    pub loader: Loader,
    pub attachments_dir: PathBuf,
    /// Compare the queue file with what is shown before each record (off for the bundled demo).
    pub check_file: bool,
    pub tx: Option<Sender<Msg>>,
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
                let result = self.sink.record(&loaded, d, &eval, &input);
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
                        "could not read back recorded decisions: {e}"
                    ))],
                }
            }
            Effect::PollLog => {
                let Some(loaded) = app.loaded.clone() else {
                    return vec![];
                };
                match self.sink.poll() {
                    Ok(Some((restarted, recs))) => {
                        let sink = &self.sink;
                        let list = seed_rows(&loaded, &recs, &|d| sink.disclosure_sha256(d));
                        vec![Action::LogAppended { restarted, list }]
                    }
                    Ok(None) => vec![],
                    Err(e) => vec![Action::RuntimeError(format!(
                        "could not read the log for new decisions: {e}"
                    ))],
                }
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
                            evaluate_all(&loaded, &eval, generation, &|| generation, |a| {
                                tx.send(Msg::Action(a)).is_ok()
                            })
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
                            let _ = tx.send(Msg::Action(job()));
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
}

/// Run the review TUI until the reviewer quits. `Err` only when the queue cannot be loaded
/// at all or the terminal cannot be used; the terminal is restored either way.
pub fn run(opts: RunOptions) -> Result<(), String> {
    let (tx, rx) = mpsc::channel::<Msg>();
    let shown_sha = Arc::new(Mutex::new(String::new()));
    let label = opts.sink.describe();
    let mut driver = Driver {
        sink: opts.sink,
        loader: opts.loader,
        attachments_dir: opts.attachments_dir,
        check_file: opts.watch.is_some(),
        tx: Some(tx.clone()),
        shown_sha: shown_sha.clone(),
    };
    super::terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _guard = super::terminal::Guard;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let size = ct::size().unwrap_or((80, 24));
    let mut app = App::new(opts.demo, label, opts.look, size);
    app.training_notice = opts.training_notice;

    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    spawn_ticker(tx.clone());
    if let Some(path) = opts.watch {
        spawn_watcher(tx.clone(), path, shown_sha);
    }
    // First paint straight away, then load in the background.
    for a in driver.execute(&app, Effect::Reload) {
        driver.dispatch(&mut app, a);
    }
    event_loop(&mut app, &mut driver, &mut term, &rx)
}

fn event_loop(
    app: &mut App,
    driver: &mut Driver,
    term: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    rx: &Receiver<Msg>,
) -> Result<(), String> {
    loop {
        if app.dirty {
            app.dirty = false;
            let _ = execute!(term.backend_mut(), ct::BeginSynchronizedUpdate);
            let drawn = term.draw(|f| super::view::view(app, f)).is_ok();
            let _ = execute!(term.backend_mut(), ct::EndSynchronizedUpdate);
            if !drawn {
                return Ok(()); // The terminal is gone (hangup).
            }
            let n = FRAMES.fetch_add(1, Ordering::SeqCst) + 1;
            driver.dispatch(app, Action::Flushed(n));
        }
        let Ok(first) = rx.recv() else { return Ok(()) };
        // Drain everything pending before drawing again: no key-repeat backlog.
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            match msg {
                Msg::InputGone | Msg::Signal => return Ok(()),
                Msg::Term(Event::Key(k), frame) if k.kind == KeyEventKind::Press => {
                    let key = Key::from_event(&k);
                    test_panic(key);
                    if let Some(key) = key
                        && let Some(a) = app.keymap.lookup(app.context(), key)
                    {
                        driver.dispatch(app, Action::KeyRead(frame));
                        driver.dispatch(app, a);
                    }
                }
                Msg::Term(Event::Paste(text), _) => driver.dispatch(app, Action::Paste(text)),
                Msg::Term(Event::Resize(w, h), _) => driver.dispatch(app, Action::Resize(w, h)),
                Msg::Term(..) => {}
                Msg::Action(Action::LoadFailed(e)) if app.loaded.is_none() => return Err(e),
                Msg::Action(a) => driver.dispatch(app, a),
            }
            if app.quit {
                return Ok(());
            }
        }
    }
}

/// Debug builds only: with `P2REVIEW_TEST_PANIC_KEY` set, `P` panics, so the PTY
/// test can check that the panic hook restores the terminal before the report prints.
fn test_panic(key: Option<Key>) {
    if cfg!(debug_assertions)
        && key == Some(Key::Char('P'))
        && std::env::var_os("P2REVIEW_TEST_PANIC_KEY").is_some()
    {
        panic!("test panic requested with P2REVIEW_TEST_PANIC_KEY");
    }
}

pub(crate) fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(ev) => Msg::Term(ev, FRAMES.load(Ordering::SeqCst)),
                Err(_) => Msg::InputGone,
            };
            let gone = matches!(msg, Msg::InputGone);
            if tx.send(msg).is_err() || gone {
                return;
            }
        }
    });
}

pub(crate) fn spawn_signals(tx: Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGQUIT]) {
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Msg::Signal);
            }
        });
    }
}

/// How often the own log is looked at for decisions recorded elsewhere (they show within
/// 2 s, docs/cli.md#review): one `stat` per tick when nothing changed.
pub const LOG_POLL: Duration = Duration::from_millis(500);

/// The periodic tick: the live reload of the own log.
fn spawn_ticker(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(LOG_POLL);
            if tx.send(Msg::Action(Action::Tick)).is_err() {
                return;
            }
        }
    });
}

/// Polls the queue file; on a change whose bytes differ from what is shown, says so once.
fn spawn_watcher(tx: Sender<Msg>, path: PathBuf, shown: Arc<Mutex<String>>) {
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
                if tx.send(Msg::Action(Action::QueueChanged)).is_err() {
                    return;
                }
            }
        }
    });
}
