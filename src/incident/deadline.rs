//! Who must be told, by when (docs/incidents.md#notices-and-deadlines): 45 CFR 164.404–412 as
//! applied to Part 2 records by 42 CFR 2.16(b), and the QSOA's term.
//!
//! Dates are calendar days counted from the discovery date (day 0): a 60-day notice
//! discovered on 1 March is due on 30 April and late from 1 May. 60 days is the outer limit;
//! the duty is "without unreasonable delay".

use chrono::{Datelike, Days, NaiveDate};

use super::vocab::{DelayForm, NoticeTo, Outcome};
use crate::queue::Role;

/// The outer limit of 164.404(b), 164.406(b) and 164.410(b).
pub const OUTER_LIMIT_DAYS: u64 = 60;
/// An oral law-enforcement statement delays notice at most this long (164.412(b)).
pub const ORAL_DELAY_DAYS: u64 = 30;
/// 164.406: media notice when more than this many residents of one State are affected.
pub const MEDIA_OVER: u64 = 500;
/// 164.408(b): HHS at the same time as individuals from this many individuals on.
pub const HHS_IMMEDIATE_FROM: u64 = 500;

/// Who the organization is for this incident (derived from the queue's organization and the
/// program's `covered_entity`; docs/incidents.md#actors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A QSO serving a program that is a covered entity: the program's business associate.
    QsoBa,
    /// A QSO serving a program that is not a covered entity: only its QSOA binds it.
    QsoNonCe,
    Part2Program,
    CoveredEntity,
    /// Not a CE/BA: its 2.33(c) contract and state law govern.
    LawfulHolder,
}

impl Actor {
    pub fn of(role: Role, program_covered_entity: bool) -> Actor {
        match role {
            Role::Qso if program_covered_entity => Actor::QsoBa,
            Role::Qso => Actor::QsoNonCe,
            Role::Part2Program => Actor::Part2Program,
            Role::CoveredEntity => Actor::CoveredEntity,
            Role::LawfulHolder => Actor::LawfulHolder,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::QsoBa => "qso_ba",
            Actor::QsoNonCe => "qso_non_ce",
            Actor::Part2Program => "part2_program",
            Actor::CoveredEntity => "covered_entity",
            Actor::LawfulHolder => "lawful_holder",
        }
    }
}

/// The incident facts the clock needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFacts {
    pub actor: Actor,
    /// As recorded (`--discovered-on`).
    pub discovered_on: NaiveDate,
    /// A program told by its BA: the day it was told (`--reported-by-ba-on`).
    pub reported_by_ba_on: Option<NaiveDate>,
    /// The BA is the program's agent: its own discovery date counts (164.404(a)(2)).
    pub ba_is_agent: bool,
    pub individuals: u64,
    /// The largest number of residents of one State or jurisdiction.
    pub max_state_residents: u64,
    /// `organization.breach_notice_days`: the QSOA's term for telling the program.
    pub breach_notice_days: Option<u64>,
}

impl ClockFacts {
    /// The day the clock starts (164.404(a)(2), 164.410(a)(2)): for a program told by a BA
    /// that is not its agent, the day it was told.
    pub fn clock_start(&self) -> NaiveDate {
        match self.reported_by_ba_on {
            Some(told) if !self.ba_is_agent => told,
            _ => self.discovered_on,
        }
    }
}

/// When a notice is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    Date(NaiveDate),
    /// A QSO of a program that is not a covered entity, with no term in its QSOA.
    Contractual,
    /// A lawful holder that is not a CE/BA.
    NotApplicable,
}

/// One notice the actor owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDue {
    pub to: Option<NoticeTo>,
    pub due: Due,
    /// The date before any law-enforcement delay.
    pub original: Option<NaiveDate>,
    /// Where the rule comes from, e.g. `45 CFR 164.410(b)`.
    pub cite: &'static str,
    /// Why, in a sentence (where the law leaves room, it says so).
    pub why: String,
}

/// A recorded law-enforcement delay (164.412).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    pub form: DelayForm,
    /// Written: the date the statement names. Oral: the day it was given.
    pub date: NaiveDate,
}

/// The end of the delay, if any (164.412): a written statement delays for the time it states
/// (the latest recorded one counts); an oral one, without a written one, for at most 30 days.
pub fn delay_end(delays: &[Delay]) -> Option<NaiveDate> {
    let written = delays
        .iter()
        .filter(|d| d.form == DelayForm::Written)
        .map(|d| d.date)
        .max();
    written.or_else(|| {
        delays
            .iter()
            .filter(|d| d.form == DelayForm::Oral)
            .map(|d| d.date + Days::new(ORAL_DELAY_DAYS))
            .max()
    })
}

/// 164.408(c): within 60 days after the end of the calendar year of discovery — 1 March, or
/// 29 February when the next year is a leap year.
pub fn hhs_annual_due(discovered: NaiveDate) -> NaiveDate {
    let dec31 = NaiveDate::from_ymd_opt(discovered.year(), 12, 31).expect("31 December exists");
    dec31 + Days::new(OUTER_LIMIT_DAYS)
}

fn days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

/// The notices owed for an incident with `outcome` (`None`: not assessed yet — the breach
/// presumption of 164.402(2) applies) and an optional delay end.
pub fn notices(
    f: &ClockFacts,
    outcome: Option<Outcome>,
    delay: Option<NaiveDate>,
) -> Vec<NoticeDue> {
    let start = f.clock_start();
    let delayed = |d: NaiveDate| match delay {
        Some(end) if end > d => end,
        _ => d,
    };
    let dated = |to, d: NaiveDate, cite, why: String| NoticeDue {
        to: Some(to),
        due: Due::Date(delayed(d)),
        original: Some(d),
        cite,
        why,
    };
    match f.actor {
        Actor::LawfulHolder => vec![NoticeDue {
            to: None,
            due: Due::NotApplicable,
            original: None,
            cite: "42 CFR 2.33(c)",
            why: "a lawful holder that is not a covered entity or business associate has no \
                  164.404–410 duty; its 2.33(c) contract and state law govern"
                .into(),
        }],
        Actor::QsoBa => {
            let (n, why) = match f.breach_notice_days {
                Some(t) if t < OUTER_LIMIT_DAYS => (
                    t,
                    format!(
                        "tell the program of every incident, whatever the outcome, within the \
                         QSOA's {t} days (shorter than 164.410(b)'s 60), with the individuals' \
                         names and the 164.404(c) details as they become available (164.410(c))"
                    ),
                ),
                _ => (
                    OUTER_LIMIT_DAYS,
                    "tell the program of every incident, whatever the outcome, without \
                     unreasonable delay and within 60 days of discovery, with the individuals' \
                     names and the 164.404(c) details as they become available (164.410(c); \
                     164.504(e)(2)(ii)(C))"
                        .to_owned(),
                ),
            };
            vec![dated(
                NoticeTo::Program,
                days(start, n),
                "45 CFR 164.410(b)",
                why,
            )]
        }
        Actor::QsoNonCe => match f.breach_notice_days {
            Some(t) => vec![dated(
                NoticeTo::Program,
                days(start, t),
                "QSOA (42 CFR 2.11)",
                format!(
                    "the program is not a covered entity, so this QSO is not its HIPAA business \
                     associate: the QSOA's {t} days govern; whether a QSO that is not a BA owes a \
                     164.410 notice beyond its QSOA is not settled (2.16(b) binds programs)"
                ),
            )],
            None => vec![NoticeDue {
                to: Some(NoticeTo::Program),
                due: Due::Contractual,
                original: None,
                cite: "QSOA (42 CFR 2.11)",
                why: "no federal deadline for a QSO of a program that is not a covered entity \
                      (2.16(b) binds programs); the QSOA's term governs and none is set — \
                      contractual: set breach_notice_days. Whether a 164.410 duty applies \
                      beyond the QSOA is not settled"
                    .into(),
            }],
        },
        Actor::Part2Program | Actor::CoveredEntity => {
            if !matches!(outcome, None | Some(Outcome::Breach)) {
                return Vec::new();
            }
            let presumed = if outcome.is_none() {
                " (not assessed yet: presumed a breach, 164.402(2))"
            } else {
                ""
            };
            let d60 = days(start, OUTER_LIMIT_DAYS);
            let mut out = vec![dated(
                NoticeTo::Individuals,
                d60,
                "45 CFR 164.404(b)",
                format!(
                    "each individual within 60 days{presumed}, with the 164.404(c) content, by \
                     first-class mail or agreed e-mail (next of kin or personal representative \
                     for a deceased patient); substitute notice when contact details are out of \
                     date — under 10 people by other written notice or phone, 10 or more by a \
                     90-day web posting or major media plus a toll-free number for 90 days \
                     (164.404(d))"
                ),
            )];
            if f.max_state_residents > MEDIA_OVER {
                out.push(dated(
                    NoticeTo::Media,
                    d60,
                    "45 CFR 164.406",
                    "prominent media outlets of the State: more than 500 of its residents are \
                     affected, within 60 days"
                        .into(),
                ));
            }
            if f.individuals >= HHS_IMMEDIATE_FROM {
                out.push(dated(
                    NoticeTo::Hhs,
                    d60,
                    "45 CFR 164.408(b)",
                    "500 or more individuals: HHS at the same time as the individuals".into(),
                ));
            } else {
                out.push(dated(
                    NoticeTo::Hhs,
                    hhs_annual_due(start),
                    "45 CFR 164.408(c)",
                    "fewer than 500 individuals: from the breach log, within 60 days after the \
                     end of the calendar year of discovery"
                        .into(),
                ));
            }
            out
        }
    }
}

/// Where one notice stands on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeState {
    /// Sent (`incident notified`); `late` when after its due date.
    Done {
        on: NaiveDate,
        late: bool,
    },
    /// Not sent: days left (negative when late).
    Pending {
        due: NaiveDate,
        days_left: i64,
    },
    Contractual,
    NotApplicable,
}

impl NoticeState {
    pub fn of(n: &NoticeDue, sent: Option<NaiveDate>, as_of: NaiveDate) -> NoticeState {
        match (&n.due, sent) {
            (Due::NotApplicable, _) => NoticeState::NotApplicable,
            (Due::Date(d), Some(on)) => NoticeState::Done { on, late: on > *d },
            (Due::Contractual, Some(on)) => NoticeState::Done { on, late: false },
            (Due::Date(d), None) => NoticeState::Pending {
                due: *d,
                days_left: (*d - as_of).num_days(),
            },
            (Due::Contractual, None) => NoticeState::Contractual,
        }
    }
    pub fn overdue(&self) -> bool {
        matches!(self, NoticeState::Pending { days_left, .. } if *days_left < 0)
    }
    pub fn open(&self) -> bool {
        matches!(self, NoticeState::Pending { .. } | NoticeState::Contractual)
    }
}

/// Who must be told first: the earliest due date, ties in [`NoticeTo`] order. `None` when
/// nobody (no notice owed, or no date).
pub fn first_notice(ns: &[NoticeDue]) -> Option<(NoticeTo, NaiveDate)> {
    ns.iter()
        .filter_map(|n| match (n.to, &n.due) {
            (Some(to), Due::Date(d)) => Some((*d, to)),
            _ => None,
        })
        .min()
        .map(|(d, to)| (to, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn facts(actor: Actor) -> ClockFacts {
        ClockFacts {
            actor,
            discovered_on: d("2026-03-01"),
            reported_by_ba_on: None,
            ba_is_agent: false,
            individuals: 1,
            max_state_residents: 1,
            breach_notice_days: None,
        }
    }

    #[test]
    fn hhs_year_end_is_1_march_or_29_february() {
        assert_eq!(hhs_annual_due(d("2026-06-30")), d("2027-03-01"));
        assert_eq!(hhs_annual_due(d("2027-01-02")), d("2028-02-29"));
        assert_eq!(hhs_annual_due(d("2027-12-31")), d("2028-02-29"));
    }

    #[test]
    fn day_60_is_on_time_day_61_is_late() {
        let n = notices(&facts(Actor::Part2Program), None, None);
        assert_eq!(n[0].due, Due::Date(d("2026-04-30")));
        assert!(!NoticeState::of(&n[0], None, d("2026-04-30")).overdue());
        let late = NoticeState::of(&n[0], None, d("2026-05-01"));
        assert_eq!(
            late,
            NoticeState::Pending {
                due: d("2026-04-30"),
                days_left: -1
            }
        );
        assert!(late.overdue());
    }

    #[test]
    fn ba_told_program_clock_starts_when_told_unless_agent() {
        let mut f = facts(Actor::CoveredEntity);
        f.reported_by_ba_on = Some(d("2026-03-20"));
        assert_eq!(f.clock_start(), d("2026-03-20"));
        f.ba_is_agent = true;
        assert_eq!(f.clock_start(), d("2026-03-01"));
    }

    #[test]
    fn oral_delay_is_capped_written_is_not() {
        let oral = [Delay {
            form: DelayForm::Oral,
            date: d("2026-04-20"),
        }];
        assert_eq!(delay_end(&oral), Some(d("2026-05-20")));
        let mut both = oral.to_vec();
        both.push(Delay {
            form: DelayForm::Written,
            date: d("2026-09-01"),
        });
        assert_eq!(delay_end(&both), Some(d("2026-09-01")));
        let n = notices(&facts(Actor::Part2Program), None, delay_end(&oral));
        assert_eq!(n[0].due, Due::Date(d("2026-05-20")));
        assert_eq!(n[0].original, Some(d("2026-04-30")));
    }

    #[test]
    fn no_notice_after_low_probability_for_a_program_but_qso_still_tells() {
        assert!(
            notices(
                &facts(Actor::Part2Program),
                Some(Outcome::LowProbability),
                None
            )
            .is_empty()
        );
        let q = notices(&facts(Actor::QsoBa), Some(Outcome::Secured), None);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].to, Some(NoticeTo::Program));
    }
}
