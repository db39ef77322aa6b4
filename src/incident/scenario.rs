//! Incident scenarios of training packs (docs/incidents.md#training): the answer key of a
//! scenario is computed by [`assess`](super::assess::assess) and
//! [`notices`](super::deadline::notices), the code `incident assess` and `incident list` run,
//! so what a trainee learns is what the commands say.

use chrono::{Days, NaiveDate};

use super::assess::{AssessmentInput, Factor, IncidentFacts, assess};
use super::deadline::{self, Actor, ClockFacts, Delay, Due, NoticeDue};
use super::vocab::*;
use crate::queue::{Disclosure, Expect, IncidentScenario, Queue, Records};

/// Who must be told first: a notice's addressee, or nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum First {
    To(NoticeTo),
    Nobody,
}

impl First {
    pub const ALL: [First; 5] = [
        First::To(NoticeTo::Program),
        First::To(NoticeTo::Individuals),
        First::To(NoticeTo::Media),
        First::To(NoticeTo::Hhs),
        First::Nobody,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            First::To(t) => t.as_str(),
            First::Nobody => "none",
        }
    }
    pub fn parse(s: &str) -> Option<First> {
        Self::ALL.iter().copied().find(|f| f.as_str() == s)
    }
}

/// By when the first notice is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DueAnswer {
    Date(NaiveDate),
    /// Only the QSOA's term binds, and it sets none.
    Contractual,
    /// A lawful holder that is not a CE/BA.
    NotApplicable,
    /// No notice is owed.
    Nothing,
}

impl DueAnswer {
    pub fn as_string(self) -> String {
        match self {
            DueAnswer::Date(d) => d.to_string(),
            DueAnswer::Contractual => "contractual".into(),
            DueAnswer::NotApplicable => "not_applicable".into(),
            DueAnswer::Nothing => "none".into(),
        }
    }
    pub fn parse(s: &str) -> Option<DueAnswer> {
        match s {
            "contractual" => Some(DueAnswer::Contractual),
            "not_applicable" => Some(DueAnswer::NotApplicable),
            "none" => Some(DueAnswer::Nothing),
            _ => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(DueAnswer::Date),
        }
    }
}

/// The computed answer key of one incident scenario, with what the reveal explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentKey {
    pub actor: Actor,
    pub clock_start: NaiveDate,
    pub outcome: Outcome,
    /// Why this outcome, each reason with its citation (from `assess`).
    pub reasons: Vec<String>,
    /// Every notice owed (from `notices`).
    pub notices: Vec<NoticeDue>,
    pub first: First,
    /// Whose notice `due` is about when the scenario names one (`due_for`); `None`: the
    /// first notice's.
    pub due_for: Option<NoticeTo>,
    pub due: DueAnswer,
}

impl IncidentKey {
    /// The choices offered for "by which date": the right one among near misses (a day early
    /// or late, the plain 60 days, the HHS year-end date) and the non-date answers. At most 7,
    /// so every one has a number key.
    pub fn due_options(&self) -> Vec<DueAnswer> {
        let s = self.clock_start;
        let mut dates = vec![
            s + Days::new(deadline::OUTER_LIMIT_DAYS),
            deadline::hhs_annual_due(s),
        ];
        if let DueAnswer::Date(d) = self.due {
            dates.push(d);
            dates.extend(d.pred_opt());
            dates.extend(d.succ_opt());
        } else {
            dates.push(s + Days::new(deadline::OUTER_LIMIT_DAYS + 1));
        }
        dates.sort();
        dates.dedup();
        dates.truncate(5);
        let mut out: Vec<DueAnswer> = dates.into_iter().map(DueAnswer::Date).collect();
        match self.due {
            DueAnswer::Date(_) | DueAnswer::Nothing => {
                out.push(DueAnswer::Contractual);
                out.push(DueAnswer::Nothing);
            }
            DueAnswer::Contractual | DueAnswer::NotApplicable => {
                out.push(DueAnswer::Contractual);
                out.push(DueAnswer::NotApplicable);
            }
        }
        if !out.contains(&self.due) {
            out.pop();
            out.push(self.due);
        }
        out
    }
}

/// A scenario the rules cannot compute (an unknown word, an exception that cannot apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ScenarioError {}

fn word<T>(
    what: &str,
    s: &Option<String>,
    parse: fn(&str) -> Option<T>,
    list: fn() -> String,
) -> Result<Option<T>, ScenarioError> {
    match s {
        None => Ok(None),
        Some(w) => parse(w).map(Some).ok_or_else(|| {
            ScenarioError(format!(
                "incident.{what}: `{}` is not one of {}",
                crate::text::escape(w),
                list()
            ))
        }),
    }
}

fn factor<V>(v: Option<V>) -> Option<Factor<V>> {
    v.map(|value| Factor {
        value,
        note: "training scenario".into(),
    })
}

/// Compute the key of the incident scenario `s` about disclosure `d` of queue `q`. The actor
/// is the disclosure's (default `organization.role`) with its program's `covered_entity`, as
/// `incident record QUEUE --id` derives it.
pub fn key(q: &Queue, d: &Disclosure, s: &IncidentScenario) -> Result<IncidentKey, ScenarioError> {
    let kind = IncidentKind::parse(&s.kind).ok_or_else(|| {
        ScenarioError(format!(
            "incident.kind: `{}` is not one of {}",
            crate::text::escape(&s.kind),
            IncidentKind::list()
        ))
    })?;
    let input = AssessmentInput {
        exception: word("exception", &s.exception, Exception::parse, Exception::list)?,
        nature: factor(word("nature", &s.nature, Nature::parse, Nature::list)?),
        recipient: factor(word(
            "recipient",
            &s.recipient,
            Recipient::parse,
            Recipient::list,
        )?),
        acquired: factor(word(
            "acquired",
            &s.acquired,
            Acquired::parse,
            Acquired::list,
        )?),
        mitigation: factor(word(
            "mitigation",
            &s.mitigation,
            Mitigation::parse,
            Mitigation::list,
        )?),
    };
    let facts = IncidentFacts {
        kind,
        secured: s.secured,
        counseling_notes: d.records == Records::CounselingNotes,
        to_other_organization: kind == IncidentKind::Misdirected,
    };
    let assessed = assess(&facts, &input).map_err(|e| ScenarioError(e.0))?;
    let program_ce = q
        .programs
        .iter()
        .find(|p| p.id == d.program)
        .is_none_or(|p| p.covered_entity);
    let individuals = s.individuals.unwrap_or(1);
    if s.residents.values().sum::<u64>() > individuals {
        return Err(ScenarioError(
            "incident.residents add up to more than incident.individuals".into(),
        ));
    }
    let clock = ClockFacts {
        actor: Actor::of(d.actor_or(q.organization.role), program_ce),
        discovered_on: s.discovered_on,
        reported_by_ba_on: s.reported_by_ba_on,
        ba_is_agent: s.ba_is_agent,
        individuals,
        max_state_residents: s.residents.values().copied().max().unwrap_or(0),
        breach_notice_days: s.breach_notice_days.or(q.organization.breach_notice_days),
    };
    let delays: Vec<Delay> = match &s.delay {
        None => vec![],
        Some(dl) => vec![Delay {
            form: DelayForm::parse(&dl.form).ok_or_else(|| {
                ScenarioError(format!(
                    "incident.delay.form: `{}` is not one of {}",
                    crate::text::escape(&dl.form),
                    DelayForm::list()
                ))
            })?,
            date: dl.date,
        }],
    };
    let notices = deadline::notices(&clock, Some(assessed.outcome), deadline::delay_end(&delays));
    let (first, mut due) = first_and_due(&notices);
    let mut due_for = None;
    if let Some(w) = &s.due_for {
        let to = NoticeTo::parse(w).ok_or_else(|| {
            ScenarioError(format!(
                "incident.due_for: `{}` is not one of {}",
                crate::text::escape(w),
                NoticeTo::list()
            ))
        })?;
        due_for = Some(to);
        due = match notices.iter().find(|n| n.to == Some(to)).map(|n| &n.due) {
            Some(Due::Date(d)) => DueAnswer::Date(*d),
            Some(Due::Contractual) => DueAnswer::Contractual,
            Some(Due::NotApplicable) => DueAnswer::NotApplicable,
            None => DueAnswer::Nothing,
        };
    }
    Ok(IncidentKey {
        actor: clock.actor,
        clock_start: clock.clock_start(),
        outcome: assessed.outcome,
        reasons: assessed.reasons,
        notices,
        first,
        due_for,
        due,
    })
}

/// Who is told first and by when: the earliest dated notice (ties in [`NoticeTo`] order),
/// else an undated one (the QSOA's term, not set), else nobody.
fn first_and_due(ns: &[NoticeDue]) -> (First, DueAnswer) {
    if let Some((to, d)) = deadline::first_notice(ns) {
        return (First::To(to), DueAnswer::Date(d));
    }
    match ns.first() {
        Some(n) if n.due == Due::Contractual => (
            n.to.map_or(First::Nobody, First::To),
            DueAnswer::Contractual,
        ),
        Some(n) if n.due == Due::NotApplicable => (First::Nobody, DueAnswer::NotApplicable),
        _ => (First::Nobody, DueAnswer::Nothing),
    }
}

/// Compare a scenario's written key with the computed one; empty when they agree. A missing
/// or unknown word is a problem, so a typo never passes.
pub fn check(q: &Queue, d: &Disclosure, x: &Expect) -> Vec<String> {
    let Some(s) = &x.incident else {
        return vec!["no `expect.incident` block".into()];
    };
    let k = match key(q, d, s) {
        Ok(k) => k,
        Err(e) => return vec![e.0],
    };
    let mut out = Vec::new();
    match x.outcome.as_deref().map(|w| (w, Outcome::parse(w))) {
        None => out.push("outcome: missing (breach, low_probability, exception, secured)".into()),
        Some((w, None)) => out.push(format!(
            "outcome: `{}` is not an outcome",
            crate::text::escape(w)
        )),
        Some((_, Some(o))) if o != k.outcome => out.push(format!(
            "outcome: expected {}, computed {}",
            o.as_str(),
            k.outcome.as_str()
        )),
        Some(_) => {}
    }
    match x.first_notice.as_deref().map(|w| (w, First::parse(w))) {
        None => out.push("first_notice: missing (program, individuals, media, hhs, none)".into()),
        Some((w, None)) => out.push(format!(
            "first_notice: `{}` is not one of program, individuals, media, hhs, none",
            crate::text::escape(w)
        )),
        Some((_, Some(f))) if f != k.first => out.push(format!(
            "first_notice: expected {}, computed {}",
            f.as_str(),
            k.first.as_str()
        )),
        Some(_) => {}
    }
    match x.due.as_deref().map(|w| (w, DueAnswer::parse(w))) {
        None => out.push("due: missing (YYYY-MM-DD, contractual, not_applicable, none)".into()),
        Some((w, None)) => out.push(format!(
            "due: `{}` is not a date, contractual, not_applicable or none",
            crate::text::escape(w)
        )),
        Some((_, Some(dd))) if dd != k.due => out.push(format!(
            "due: expected {}, computed {}",
            dd.as_string(),
            k.due.as_string()
        )),
        Some(_) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn key_of(due: DueAnswer) -> IncidentKey {
        IncidentKey {
            actor: Actor::Part2Program,
            clock_start: d("2026-03-01"),
            outcome: Outcome::Breach,
            reasons: vec![],
            notices: vec![],
            first: First::To(NoticeTo::Individuals),
            due_for: Some(NoticeTo::Individuals),
            due,
        }
    }

    #[test]
    fn the_right_due_answer_is_always_offered_among_at_most_seven() {
        for due in [
            DueAnswer::Date(d("2026-04-30")),
            DueAnswer::Date(d("2027-03-01")),
            DueAnswer::Date(d("2026-03-31")),
            DueAnswer::Contractual,
            DueAnswer::NotApplicable,
            DueAnswer::Nothing,
        ] {
            let o = key_of(due).due_options();
            assert!(o.contains(&due), "{due:?} not in {o:?}");
            assert!(o.len() <= 7, "{o:?}");
            let mut u = o.clone();
            u.dedup();
            assert_eq!(u.len(), o.len(), "no option twice: {o:?}");
        }
        // A day early and a day late are the near misses of a dated answer.
        let o = key_of(DueAnswer::Date(d("2026-04-30"))).due_options();
        assert!(o.contains(&DueAnswer::Date(d("2026-04-29"))));
        assert!(o.contains(&DueAnswer::Date(d("2026-05-01"))));
    }

    #[test]
    fn words_round_trip() {
        for f in First::ALL {
            assert_eq!(First::parse(f.as_str()), Some(f));
        }
        for a in [
            DueAnswer::Date(d("2028-02-29")),
            DueAnswer::Contractual,
            DueAnswer::NotApplicable,
            DueAnswer::Nothing,
        ] {
            assert_eq!(DueAnswer::parse(&a.as_string()), Some(a));
        }
        assert_eq!(DueAnswer::parse("soon"), None);
    }
}
