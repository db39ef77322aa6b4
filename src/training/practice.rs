//! A practice session as a pure state machine: ask Part 2, notice and HIPAA for each
//! disclosure scenario (outcome, who first and by when for an incident scenario) with the
//! answer hidden, then reveal the computed answer and explain it.
//! The TUI drives it; tests drive it directly.

use crate::engine::{Evaluation, HipaaStatus, Part2Status};
use crate::incident::Outcome;
use crate::incident::scenario::{DueAnswer, First, IncidentKey};

/// What the trainee is asked, in this order: Part2, Notice, Hipaa for a disclosure scenario;
/// Outcome, FirstNotice, Due for an incident scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Part2,
    Notice,
    Hipaa,
    /// The 164.402 outcome.
    Outcome,
    /// Who must be told first.
    FirstNotice,
    /// By which date.
    Due,
}

/// The computed answer of one scenario: the engine's evaluation, or an incident's key.
#[derive(Debug, Clone)]
pub enum Key {
    Disclosure(Box<Evaluation>),
    Incident(Box<IncidentKey>),
}

impl Key {
    fn first_question(&self) -> Question {
        match self {
            Key::Disclosure(_) => Question::Part2,
            Key::Incident(_) => Question::Outcome,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Asking(Question),
    /// The answer for the current scenario is shown.
    Revealed,
    Finished,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answer {
    pub part2: Option<Part2Status>,
    pub notice: Option<bool>,
    pub hipaa: Option<HipaaStatus>,
    pub outcome: Option<Outcome>,
    pub first: Option<First>,
    pub due: Option<DueAnswer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub correct: u32,
    /// Scenarios answered so far (all of them once finished).
    pub answered: u32,
    pub total: u32,
}

impl Score {
    pub fn percent(&self) -> u32 {
        (100 * self.correct).checked_div(self.total).unwrap_or(0)
    }
}

/// What the reveal screen shows for one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub part2_ok: bool,
    pub notice_ok: bool,
    pub hipaa_ok: bool,
    pub right_part2: Part2Status,
    pub right_notice: bool,
    pub right_hipaa: HipaaStatus,
    /// Where someone applying HIPAA alone would have gone wrong, if anywhere.
    pub hipaa_only_pitfall: Option<String>,
}

impl Feedback {
    pub fn correct(&self) -> bool {
        self.part2_ok && self.notice_ok && self.hipaa_ok
    }
}

/// What the reveal screen shows for one incident scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFeedback {
    pub outcome_ok: bool,
    pub first_ok: bool,
    pub due_ok: bool,
    pub key: IncidentKey,
}

impl IncidentFeedback {
    pub fn correct(&self) -> bool {
        self.outcome_ok && self.first_ok && self.due_ok
    }
}

/// One run through a pack. `keys[i]` is the computed answer of scenario `i`.
#[derive(Debug, Clone)]
pub struct Session {
    keys: Vec<Key>,
    answers: Vec<Answer>,
    pos: usize,
    phase: Phase,
}

impl Session {
    /// A session of disclosure scenarios only.
    pub fn new(evaluations: Vec<Evaluation>) -> Session {
        Session::of_keys(
            evaluations
                .into_iter()
                .map(|e| Key::Disclosure(Box::new(e)))
                .collect(),
        )
    }

    pub fn of_keys(keys: Vec<Key>) -> Session {
        let n = keys.len();
        let phase = match keys.first() {
            None => Phase::Finished,
            Some(k) => Phase::Asking(k.first_question()),
        };
        Session {
            keys,
            answers: vec![Answer::default(); n],
            pos: 0,
            phase,
        }
    }

    pub fn key(&self, i: usize) -> Option<&Key> {
        self.keys.get(i)
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Index of the current scenario.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The engine's verdict of the current scenario, when it is a disclosure scenario.
    pub fn current(&self) -> Option<&Evaluation> {
        match self.keys.get(self.pos)? {
            Key::Disclosure(e) => Some(e),
            Key::Incident(_) => None,
        }
    }

    pub fn answer(&self, i: usize) -> Option<&Answer> {
        self.answers.get(i)
    }

    /// Answer the Part 2 question; ignored in any other phase.
    pub fn answer_part2(&mut self, s: Part2Status) {
        if self.phase == Phase::Asking(Question::Part2) {
            self.answers[self.pos].part2 = Some(s);
            self.phase = Phase::Asking(Question::Notice);
        }
    }

    pub fn answer_notice(&mut self, required: bool) {
        if self.phase == Phase::Asking(Question::Notice) {
            self.answers[self.pos].notice = Some(required);
            self.phase = Phase::Asking(Question::Hipaa);
        }
    }

    pub fn answer_hipaa(&mut self, s: HipaaStatus) {
        if self.phase == Phase::Asking(Question::Hipaa) {
            self.answers[self.pos].hipaa = Some(s);
            self.phase = Phase::Revealed;
        }
    }

    pub fn answer_outcome(&mut self, o: Outcome) {
        if self.phase == Phase::Asking(Question::Outcome) {
            self.answers[self.pos].outcome = Some(o);
            self.phase = Phase::Asking(Question::FirstNotice);
        }
    }

    pub fn answer_first(&mut self, f: First) {
        if self.phase == Phase::Asking(Question::FirstNotice) {
            self.answers[self.pos].first = Some(f);
            self.phase = Phase::Asking(Question::Due);
        }
    }

    pub fn answer_due(&mut self, d: DueAnswer) {
        if self.phase == Phase::Asking(Question::Due) {
            self.answers[self.pos].due = Some(d);
            self.phase = Phase::Revealed;
        }
    }

    /// From the reveal, go to the next scenario (or finish).
    pub fn next(&mut self) {
        if self.phase == Phase::Revealed {
            self.pos += 1;
            self.phase = match self.keys.get(self.pos) {
                None => Phase::Finished,
                Some(k) => Phase::Asking(k.first_question()),
            };
        }
    }

    /// Feedback for incident scenario `i` once it has been fully answered.
    pub fn incident_feedback(&self, i: usize) -> Option<IncidentFeedback> {
        let Key::Incident(k) = self.keys.get(i)? else {
            return None;
        };
        let a = self.answers.get(i)?;
        let (o, f, d) = (a.outcome?, a.first?, a.due?);
        Some(IncidentFeedback {
            outcome_ok: o == k.outcome,
            first_ok: f == k.first,
            due_ok: d == k.due,
            key: (**k).clone(),
        })
    }

    /// Scenario `i` is answered: `Some(correct)`.
    fn result(&self, i: usize) -> Option<bool> {
        match self.keys.get(i)? {
            Key::Disclosure(_) => self.feedback(i).map(|f| f.correct()),
            Key::Incident(_) => self.incident_feedback(i).map(|f| f.correct()),
        }
    }

    /// Feedback for disclosure scenario `i` once it has been fully answered.
    pub fn feedback(&self, i: usize) -> Option<Feedback> {
        let Key::Disclosure(e) = self.keys.get(i)? else {
            return None;
        };
        let a = self.answers.get(i)?;
        let (p, n, h) = (a.part2?, a.notice?, a.hipaa?);
        Some(Feedback {
            part2_ok: p == e.part2.status,
            notice_ok: n == e.part2.notice.required,
            hipaa_ok: h == e.hipaa.status,
            right_part2: e.part2.status,
            right_notice: e.part2.notice.required,
            right_hipaa: e.hipaa.status,
            hipaa_only_pitfall: hipaa_only_pitfall(e),
        })
    }

    pub fn score(&self) -> Score {
        let answered = (0..self.len())
            .filter(|&i| self.result(i).is_some())
            .count() as u32;
        let correct = (0..self.len())
            .filter(|&i| self.result(i) == Some(true))
            .count() as u32;
        Score {
            correct,
            answered,
            total: self.len() as u32,
        }
    }
}

/// What HIPAA-only thinking gets wrong on this scenario (None when the two rules agree on
/// whether and how it may go out).
pub fn hipaa_only_pitfall(e: &Evaluation) -> Option<String> {
    let hipaa = e.hipaa.status;
    let part2 = e.part2.status;
    if !e.stricter {
        return None;
    }
    let hipaa_says = match hipaa {
        HipaaStatus::PermittedTpo => {
            "HIPAA alone lets this go out for treatment, payment or operations without the patient's authorization"
        }
        HipaaStatus::PermittedNoAuth => {
            "HIPAA alone allows this disclosure without the patient's authorization"
        }
        HipaaStatus::Required => "HIPAA alone requires this disclosure",
        HipaaStatus::NotPhi => "HIPAA treats this as not protected health information",
        _ => "HIPAA alone would allow it",
    };
    let part2_says = match part2 {
        Part2Status::PermittedWithNotice => {
            "Part 2 allows it only on the strength of the consent, and the §2.32 notice plus a copy or explanation of the consent must go with it"
        }
        Part2Status::ConsentRequired => {
            "Part 2 needs a valid written Part 2 consent that covers this recipient, purpose and information first"
        }
        Part2Status::CourtOrderRequired => {
            "Part 2 needs a Part 2 court order (subpart E) first; a subpoena alone is not enough"
        }
        Part2Status::Prohibited => "Part 2 does not allow it at all",
        _ => return None,
    };
    Some(format!("{hipaa_says}; but {part2_says}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::*;

    fn eval(part2: Part2Status, notice: bool, hipaa: HipaaStatus) -> Evaluation {
        let pref = PolicyRef {
            id: "part2".into(),
            version: "t".into(),
            sha256: "0".repeat(64).into(),
        };
        Evaluation {
            id: "D-1".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            consent: ConsentResult {
                id: None,
                status: ConsentStatus::None,
                checks: vec![],
            },
            part2: Part2Result {
                status: part2,
                rule: "r".into(),
                notice: Notice {
                    required: notice,
                    consent_copy_required: notice,
                    statement: None,
                },
                redisclosure: Redisclosure::None,
                citations: vec!["42 CFR 2.31".into()].into(),
                explanation: "x".into(),
                unsettled: false,
                trace: vec![],
            },
            hipaa: HipaaResult {
                status: hipaa,
                rule: "h".into(),
                citations: vec![].into(),
                explanation: "y".into(),
            },
            stricter: is_stricter(part2, hipaa),
            missing_facts: vec![],
            policy: PolicyRefs {
                part2: pref.clone(),
                hipaa: pref,
            },
        }
    }

    #[test]
    fn a_session_asks_three_questions_then_reveals_and_scores() {
        let mut s = Session::new(vec![
            eval(
                Part2Status::ConsentRequired,
                false,
                HipaaStatus::PermittedTpo,
            ),
            eval(
                Part2Status::PermittedWithNotice,
                true,
                HipaaStatus::PermittedTpo,
            ),
        ]);
        assert_eq!(s.phase(), Phase::Asking(Question::Part2));
        // Out-of-order answers are ignored.
        s.answer_hipaa(HipaaStatus::PermittedTpo);
        assert_eq!(s.phase(), Phase::Asking(Question::Part2));
        // Scenario 1: the HIPAA-only answer (permitted) is wrong.
        s.answer_part2(Part2Status::Permitted);
        s.answer_notice(false);
        s.answer_hipaa(HipaaStatus::PermittedTpo);
        assert_eq!(s.phase(), Phase::Revealed);
        let f = s.feedback(0).unwrap();
        assert!(!f.correct() && !f.part2_ok && f.notice_ok && f.hipaa_ok);
        assert!(f.hipaa_only_pitfall.unwrap().contains("consent"));
        s.next();
        // Scenario 2: all right.
        s.answer_part2(Part2Status::PermittedWithNotice);
        s.answer_notice(true);
        s.answer_hipaa(HipaaStatus::PermittedTpo);
        assert!(s.feedback(1).unwrap().correct());
        s.next();
        assert_eq!(s.phase(), Phase::Finished);
        assert_eq!(
            s.score(),
            Score {
                correct: 1,
                answered: 2,
                total: 2
            }
        );
        assert_eq!(s.score().percent(), 50);
    }

    #[test]
    fn no_pitfall_when_the_rules_agree() {
        let e = eval(
            Part2Status::ConsentRequired,
            false,
            HipaaStatus::AuthorizationRequired,
        );
        assert_eq!(hipaa_only_pitfall(&e), None);
        let e = eval(
            Part2Status::CourtOrderRequired,
            false,
            HipaaStatus::PermittedNoAuth,
        );
        assert!(hipaa_only_pitfall(&e).unwrap().contains("subpoena"));
    }
}
