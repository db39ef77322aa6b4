//! Shared helpers for the review TUI tests: a fake evaluator driven by the fixtures'
//! `expect:` blocks (so screens do not depend on the real rules), an app wired to an
//! in-memory sink, a key-sequence DSL through the real keymap, and rendering.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use p2review::engine::*;
use p2review::queue::{Disclosure, LoadedQueue, Queue, QueueIndex};
use p2review::tui::keymap::Key;
use p2review::tui::{Action, App, Driver, EvalFn, Look, MemorySink};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tui")
        .join(name)
}

pub fn load(path: &Path) -> Arc<LoadedQueue> {
    Arc::new(p2review::queue::load_path(path).unwrap_or_else(|e| panic!("{e}")))
}

fn pref(id: &str) -> PolicyRef {
    PolicyRef {
        id: id.to_owned().into(),
        version: "2024.1".into(),
        sha256: "ab".repeat(32).into(),
    }
}

/// Builds a plausible evaluation from a disclosure's `expect:` block.
pub fn fake_evaluation(d: &Disclosure, as_of: chrono::NaiveDate) -> Evaluation {
    let x = d.expect.clone().unwrap_or_default();
    let part2 = x
        .part2
        .as_deref()
        .and_then(Part2Status::parse)
        .unwrap_or(Part2Status::ConsentRequired);
    let hipaa = x
        .hipaa
        .as_deref()
        .and_then(HipaaStatus::parse)
        .unwrap_or(HipaaStatus::PermittedTpo);
    let cstatus = x
        .consent
        .as_deref()
        .and_then(ConsentStatus::parse)
        .unwrap_or(ConsentStatus::None);
    let checks = match cstatus {
        ConsentStatus::None | ConsentStatus::NotApplicable => vec![],
        s => CheckName::ORDER
            .iter()
            .map(|&c| {
                let ok = c.failure_status() != s;
                let detail = match (c, ok) {
                    (CheckName::NotExpired, false) => "expired 2025-01-10".to_owned(),
                    (CheckName::NotExpired, true) => "expires 2027-02-01".to_owned(),
                    (CheckName::Signed, _) => "signed 2025-02-01".to_owned(),
                    (CheckName::CoversRecipient, false) => {
                        "recipient not named or in a class".to_owned()
                    }
                    (_, true) => "ok".to_owned(),
                    (_, false) => "fails".to_owned(),
                };
                ConsentCheck {
                    check: c,
                    ok,
                    detail: detail.into(),
                }
            })
            .collect(),
    };
    let consent_id = match cstatus {
        ConsentStatus::None | ConsentStatus::NotApplicable => None,
        _ => d
            .consent
            .clone()
            .or_else(|| Some(format!("C-{}", &d.patient[2..]))),
    };
    let notice = x.notice.unwrap_or(false);
    Evaluation {
        id: d.id.clone(),
        as_of,
        consent: ConsentResult {
            id: consent_id,
            status: cstatus,
            checks,
        },
        part2: Part2Result {
            status: part2,
            rule: format!("p2.fake.{}", part2.as_str()).into(),
            notice: Notice {
                required: notice,
                consent_copy_required: notice,
                statement: notice.then(|| {
                    "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
                        .into()
                }),
            },
            redisclosure: x
                .redisclosure
                .as_deref()
                .and_then(Redisclosure::parse)
                .unwrap_or(Redisclosure::None),
            citations: x.cites.iter().cloned().map(Into::into).collect(),
            explanation: format!("Fake explanation: Part 2 says {}.", part2.as_str()).into(),
            unsettled: x.teach.as_deref() == Some("unsettled"),
            trace: vec![
                TraceStep {
                    rule: "p2.deidentified".into(),
                    matched: false,
                    why: "records are general".into(),
                },
                TraceStep {
                    rule: format!("p2.fake.{}", part2.as_str()).into(),
                    matched: true,
                    why: "matched".into(),
                },
            ],
        },
        hipaa: HipaaResult {
            status: hipaa,
            rule: format!("hipaa.fake.{}", hipaa.as_str()).into(),
            citations: vec!["45 CFR 164.506(c)(1)".into()].into(),
            explanation: format!("Fake explanation: HIPAA alone says {}.", hipaa.as_str()).into(),
        },
        stricter: is_stricter(part2, hipaa),
        missing_facts: vec![],
        policy: PolicyRefs {
            part2: pref("part2"),
            hipaa: pref("hipaa"),
        },
    }
}

pub fn fake_eval() -> EvalFn {
    Arc::new(|q: &Queue, _ix: &QueueIndex, d: &Disclosure| {
        fake_evaluation(
            d,
            q.as_of
                .unwrap_or(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
        )
    })
}

pub struct Rig {
    pub app: App,
    pub driver: Driver,
    pub sink: Arc<Mutex<MemorySink>>,
    pub dir: tempfile::TempDir,
}

pub const LOOK: Look = Look {
    color: true,
    ascii: false,
};

/// An app over `queue` (copied into a temp dir so tests may change it), already loaded,
/// evaluated and seeded with `seeded` decisions.
pub fn rig_with(queue: &Path, size: (u16, u16), look: Look, sink: MemorySink) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.yaml");
    std::fs::copy(queue, &path).unwrap();
    let sink = Arc::new(Mutex::new(sink));
    let p = path.clone();
    let mut driver = Driver {
        sink: Box::new(sink.clone()),
        loader: Arc::new(move || {
            p2review::queue::load_path(&p)
                .map(|l| (Arc::new(l), fake_eval()))
                .map_err(|e| e.to_string())
        }),
        attachments_dir: dir.path().join("attachments"),
        check_file: true,
        tx: None,
        shown_sha: Default::default(),
    };
    let mut app = App::new(false, "log test", look, size);
    let loaded = load(&path);
    driver.dispatch(&mut app, Action::Loaded(loaded, fake_eval()));
    app.status = None;
    Rig {
        app,
        driver,
        sink,
        dir,
    }
}

pub fn rig(size: (u16, u16)) -> Rig {
    rig_with(&fixture("queue.yaml"), size, LOOK, MemorySink::default())
}

impl Rig {
    pub fn queue_path(&self) -> PathBuf {
        self.dir.path().join("queue.yaml")
    }

    /// Feed keys through the real keymap: `"a y <enter> hello <enter>"`. A bare word is
    /// typed character by character; `<space>` types a space. Each key is read after the
    /// frame before it was on screen, as when a reviewer types at the screen.
    pub fn keys(&mut self, seq: &str) {
        self.feed(seq, true)
    }

    /// Keys all read before the next frame is flushed: typed ahead, or one burst of input
    /// (a line typed into the wrong window).
    pub fn keys_ahead(&mut self, seq: &str) {
        self.feed(seq, false)
    }

    /// A bracketed paste.
    pub fn paste(&mut self, text: &str) {
        self.driver
            .dispatch(&mut self.app, Action::Paste(text.to_owned()));
    }

    fn feed(&mut self, seq: &str, seen: bool) {
        for tok in seq.split_whitespace() {
            let keys: Vec<Key> = match tok {
                "<enter>" => vec![Key::Enter],
                "<esc>" => vec![Key::Esc],
                "<up>" => vec![Key::Up],
                "<down>" => vec![Key::Down],
                "<left>" => vec![Key::Left],
                "<right>" => vec![Key::Right],
                "<pgup>" => vec![Key::PageUp],
                "<pgdn>" => vec![Key::PageDown],
                "<home>" => vec![Key::Home],
                "<end>" => vec![Key::End],
                "<bs>" => vec![Key::Backspace],
                "<tab>" => vec![Key::Tab],
                "<space>" => vec![Key::Char(' ')],
                "<c-c>" => vec![Key::Ctrl('c')],
                "<c-u>" => vec![Key::Ctrl('u')],
                "<c-w>" => vec![Key::Ctrl('w')],
                word => word.chars().map(Key::Char).collect(),
            };
            for k in keys {
                if seen {
                    let n = self.app.frames + 1;
                    self.driver.dispatch(&mut self.app, Action::Flushed(n));
                }
                let frame = self.app.frames;
                self.driver.dispatch(&mut self.app, Action::KeyRead(frame));
                if let Some(a) = self.app.keymap.lookup(self.app.context(), k) {
                    self.driver.dispatch(&mut self.app, a);
                }
            }
        }
    }

    pub fn selected_id(&self) -> String {
        self.app
            .selected()
            .and_then(|r| self.app.disclosure(r))
            .map(|d| d.id.clone())
            .unwrap_or_default()
    }

    pub fn recorded(&self) -> Vec<(p2review::tui::Recorded, p2review::tui::DecisionInput)> {
        self.sink.lock().unwrap().entries.clone()
    }

    pub fn render(&self) -> Terminal<TestBackend> {
        render(&self.app)
    }
}

pub fn render(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    t.draw(|f| p2review::tui::view(app, f)).unwrap();
    t
}

/// The screen as plain text, one line per row.
pub fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
