//! Practice state. The scoring itself is `training::Session`; this adds the cursor, help,
//! the screen size and where the completion record went.

use crate::engine::{Evaluation, HipaaStatus, Part2Status};
use crate::queue::{Disclosure, Queue};
use crate::training::{Phase, Question, Session, TrainingPack};

use super::keymap::{Context, Keymap};
use crate::tui::theme::Look;

/// What the trainee sees of one scenario (the verdict is in `eval`, shown only on reveal).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub recipient: String,
    pub purpose: String,
    pub records: String,
    pub facts: Vec<String>,
    pub consents: Vec<String>,
    pub note: Option<String>,
    pub teach: Option<String>,
    pub eval: Evaluation,
}

pub struct TrainApp {
    pub pack_id: String,
    pub pack_version: String,
    pub title: String,
    pub scenarios: Vec<Scenario>,
    pub session: Session,
    pub cursor: usize,
    /// Lines scrolled on the reveal screen (long teaching notes in custom packs).
    pub scroll: u16,
    pub pass_mark: u8,
    pub look: Look,
    pub size: (u16, u16),
    pub help: bool,
    /// `q` was pressed in an unfinished pack: "abandon it?" is showing.
    pub confirm_quit: bool,
    pub quit: bool,
    pub keymap: Keymap,
    /// Set once the session finished and the record was (or failed to be) written.
    pub recorded: Option<Result<String, String>>,
}

/// A serde enum's wire spelling (`health_plan`), for display.
fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

fn consent_line(c: &crate::queue::Consent) -> String {
    let recips: Vec<String> = c
        .recipients
        .iter()
        .map(|r| match (&r.class, &r.name) {
            (_, Some(n)) => n.clone(),
            (Some(cl), None) => word(cl),
            (None, None) => "?".into(),
        })
        .collect();
    let purposes: Vec<String> = c.purposes.iter().map(word).collect();
    let mut s = format!(
        "{} ({}) signed {} for {} / {}",
        c.id,
        word(&c.kind),
        c.signed_on,
        recips.join(", "),
        purposes.join(", ")
    );
    if let Some(e) = c.expires_on {
        s.push_str(&format!("; expires {e}"));
    }
    if let Some(e) = &c.expires_event {
        s.push_str(&format!("; expires on event: {e}"));
        if let Some(d) = c.event_occurred_on {
            s.push_str(&format!(" (occurred {d})"));
        }
    }
    if let Some(r) = c.revoked_on {
        s.push_str(&format!("; REVOKED {r}"));
    }
    if !c.missing_elements.is_empty() {
        let m: Vec<String> = c.missing_elements.iter().map(word).collect();
        s.push_str(&format!("; missing: {}", m.join(", ")));
    }
    if c.known_false {
        s.push_str("; known to be false");
    }
    s
}

impl Scenario {
    pub fn of(q: &Queue, d: &Disclosure, eval: Evaluation) -> Scenario {
        let mut facts = Vec::new();
        if d.against_patient {
            facts.push("to be used against the patient".into());
        }
        if d.subpoena {
            facts.push("subpoena".into());
        }
        if let Some(o) = &d.court_order {
            facts.push(format!("court order: {}", word(o)));
        }
        if d.emergency {
            facts.push("medical emergency".into());
        }
        let program = q.programs.iter().find(|p| p.id == d.program);
        if let Some(p) = program {
            facts.push(format!(
                "program: {} ({})",
                p.name,
                if p.part2 {
                    "Part 2 program"
                } else {
                    "not Part 2"
                }
            ));
        }
        let consents = q
            .consents
            .iter()
            .filter(|c| c.patient == d.patient && c.program == d.program)
            .filter(|c| d.consent.as_ref().is_none_or(|id| *id == c.id))
            .map(consent_line)
            .collect();
        let r = &d.recipient;
        Scenario {
            id: d.id.clone(),
            recipient: format!("{} ({})", r.name, word(&r.kind)),
            purpose: word(&d.purpose),
            records: word(&d.records),
            facts,
            consents,
            note: d.note.clone(),
            teach: d.expect.as_ref().and_then(|e| e.teach.clone()),
            eval,
        }
    }
}

impl TrainApp {
    /// Evaluate every scenario of `pack` with `evaluate` (the engine for the pack's date).
    pub fn new(
        pack: &TrainingPack,
        evaluate: impl Fn(&Queue, &crate::queue::QueueIndex, &Disclosure) -> Evaluation,
        pass_mark: u8,
        look: Look,
        size: (u16, u16),
    ) -> TrainApp {
        let q = &pack.loaded.queue;
        let scenarios: Vec<Scenario> = q
            .disclosures
            .iter()
            .map(|d| Scenario::of(q, d, evaluate(q, &pack.loaded.index, d)))
            .collect();
        let session = Session::new(scenarios.iter().map(|s| s.eval.clone()).collect());
        TrainApp {
            pack_id: pack.pack.id.clone(),
            pack_version: pack.pack.version.clone(),
            title: pack.title().to_owned(),
            scenarios,
            session,
            cursor: 0,
            scroll: 0,
            pass_mark,
            look,
            size,
            help: false,
            confirm_quit: false,
            quit: false,
            keymap: Keymap::default(),
            recorded: None,
        }
    }

    pub fn context(&self) -> Context {
        if crate::tui::shell::too_small(self.size) {
            return Context::TooSmall;
        }
        if self.confirm_quit {
            return Context::ConfirmQuit;
        }
        if self.help {
            return Context::Help;
        }
        match self.session.phase() {
            Phase::Asking(Question::Part2) | Phase::Asking(Question::Hipaa) => Context::Pick,
            Phase::Asking(Question::Notice) => Context::YesNo,
            Phase::Revealed => Context::Reveal,
            Phase::Finished => Context::End,
        }
    }

    /// Options of the current pick question.
    pub fn options(&self) -> Vec<&'static str> {
        match self.session.phase() {
            // The review screen's verdict words: what is learnt here is what is read there.
            Phase::Asking(Question::Part2) => Part2Status::ALL.iter().map(|s| s.word()).collect(),
            Phase::Asking(Question::Hipaa) => HipaaStatus::ALL.iter().map(|s| s.word()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn finished(&self) -> bool {
        self.session.phase() == Phase::Finished
    }
}
