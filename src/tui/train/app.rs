//! Practice state. The scoring itself is `training::Session`; this adds the cursor, help,
//! the screen size and where the completion record went.

use crate::engine::{Evaluation, HipaaStatus, Part2Status};
use crate::incident::Outcome;
use crate::incident::scenario::{DueAnswer, First, IncidentKey};
use crate::queue::{Disclosure, IncidentScenario, Queue};
use crate::training::{Key, Phase, Question, Session, TrainingPack};

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
    /// An incident scenario: what happened, as the trainee is told it.
    pub incident: Option<Vec<String>>,
}

/// The lines an incident scenario shows before it is answered: the facts the rules take,
/// never the outcome.
fn incident_lines(q: &Queue, d: &Disclosure, s: &IncidentScenario) -> Vec<String> {
    let program = q.programs.iter().find(|p| p.id == d.program);
    let who = match d.actor_or(q.organization.role) {
        crate::queue::Role::Qso => format!(
            "a QSO of {} ({})",
            program.map_or("the program", |p| p.name.as_str()),
            if program.is_none_or(|p| p.covered_entity) {
                "a covered entity"
            } else {
                "not a covered entity"
            }
        ),
        crate::queue::Role::Part2Program => format!(
            "the Part 2 program ({})",
            if program.is_none_or(|p| p.covered_entity) {
                "a covered entity"
            } else {
                "not a covered entity"
            }
        ),
        crate::queue::Role::CoveredEntity => "a covered entity (not a Part 2 program)".into(),
        crate::queue::Role::LawfulHolder => "a lawful holder of Part 2 records".into(),
    };
    let mut v = vec![format!("Incident: {}; you are {who}", s.kind)];
    let mut facts = vec![format!("discovered {}", s.discovered_on)];
    facts.push(format!("{} individual(s)", s.individuals.unwrap_or(1)));
    for (st, n) in &s.residents {
        facts.push(format!("{n} residents of {st}"));
    }
    facts.push(if s.secured {
        "encrypted, key safe".into()
    } else {
        "not encrypted".into()
    });
    if let Some(t) = s.reported_by_ba_on {
        facts.push(format!(
            "the BA told the program on {t}{}",
            if s.ba_is_agent {
                " (the BA is its agent)"
            } else {
                ""
            }
        ));
    }
    if let Some(n) = s.breach_notice_days.or(q.organization.breach_notice_days) {
        facts.push(format!("QSOA: report incidents within {n} days"));
    }
    v.push(facts.join("; "));
    // The story; whether it fits a 164.402(1) exception is for the trainee to see, so the
    // exception word itself is not shown.
    if let Some(i) = &d.information {
        v.push(format!("What happened: {i}"));
    }
    let mut a = Vec::new();
    for (name, f) in [
        ("nature", &s.nature),
        ("recipient", &s.recipient),
        ("acquired", &s.acquired),
        ("mitigation", &s.mitigation),
    ] {
        if let Some(w) = f {
            a.push(format!("{name}: {w}"));
        }
    }
    if !a.is_empty() {
        v.push(format!("Assessment documented: {}", a.join("; ")));
    }
    if let Some(dl) = &s.delay {
        v.push(format!(
            "Law enforcement asked for a delay: {} statement, {}",
            dl.form, dl.date
        ));
    }
    v
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
            incident: d
                .expect
                .as_ref()
                .and_then(|e| e.incident.as_ref())
                .map(|s| incident_lines(q, d, s)),
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
        let keys = scenarios
            .iter()
            .zip(&pack.incident_keys)
            .map(|(s, k)| match k {
                Some(k) => Key::Incident(Box::new(k.clone())),
                None => Key::Disclosure(Box::new(s.eval.clone())),
            })
            .collect();
        let session = Session::of_keys(keys);
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
            Phase::Asking(Question::Notice) => Context::YesNo,
            Phase::Asking(_) => Context::Pick,
            Phase::Revealed => Context::Reveal,
            Phase::Finished => Context::End,
        }
    }

    /// The incident key of the current scenario, if it is an incident scenario.
    pub fn incident_key(&self) -> Option<&IncidentKey> {
        match self.session.key(self.session.position())? {
            Key::Incident(k) => Some(k),
            Key::Disclosure(_) => None,
        }
    }

    /// The choices of the "by which date" question of the current incident scenario.
    pub fn due_options(&self) -> Vec<DueAnswer> {
        self.incident_key()
            .map(IncidentKey::due_options)
            .unwrap_or_default()
    }

    /// Options of the current pick question.
    pub fn options(&self) -> Vec<String> {
        match self.session.phase() {
            // The review screen's verdict words: what is learnt here is what is read there.
            Phase::Asking(Question::Part2) => {
                Part2Status::ALL.iter().map(|s| s.word().into()).collect()
            }
            Phase::Asking(Question::Hipaa) => {
                HipaaStatus::ALL.iter().map(|s| s.word().into()).collect()
            }
            // The words `incident assess` and `incident list` print.
            Phase::Asking(Question::Outcome) => {
                Outcome::ALL.iter().map(|o| o.as_str().into()).collect()
            }
            Phase::Asking(Question::FirstNotice) => {
                First::ALL.iter().map(|f| f.as_str().into()).collect()
            }
            Phase::Asking(Question::Due) => {
                self.due_options().iter().map(|d| d.as_string()).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn finished(&self) -> bool {
        self.session.phase() == Phase::Finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trainee is told who they are in words, never a vocabulary token.
    #[test]
    fn breach_scenarios_name_the_trainees_role_in_words() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample_data/training/breach-response.yaml");
        let pack = crate::training::load_pack(&path).unwrap();
        let q = &pack.loaded.queue;
        let mut firsts = Vec::new();
        for d in &q.disclosures {
            let s = d.expect.as_ref().and_then(|e| e.incident.as_ref()).unwrap();
            firsts.push((d.id.clone(), incident_lines(q, d, s).remove(0)));
        }
        for (id, l) in &firsts {
            for token in ["part2_program", "covered_entity", "lawful_holder", "qso"] {
                assert!(!l.contains(token), "{id}: {l}");
            }
        }
        let of = |id: &str| &firsts.iter().find(|(i, _)| i == id).unwrap().1;
        assert!(
            of("R05").ends_with("you are the Part 2 program (a covered entity)"),
            "{}",
            of("R05")
        );
    }
}
