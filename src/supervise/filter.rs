//! The filters of `log show` and the review TUI (docs/cli.md#log-show).

use chrono::NaiveDate;

use super::record::DecisionRecord;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub reviewer: Option<String>,
    pub decision: Option<String>,
    /// Inclusive, UTC date of `ts`.
    pub since: Option<NaiveDate>,
    /// Inclusive, UTC date of `ts`.
    pub until: Option<NaiveDate>,
    pub patient: Option<String>,
    pub overrides_only: bool,
    pub part2: Option<String>,
}

impl Filter {
    pub fn matches(&self, r: &DecisionRecord) -> bool {
        let b = &r.body;
        let day = r.date();
        self.reviewer.as_deref().is_none_or(|x| *b.reviewer == *x)
            && self.decision.as_deref().is_none_or(|x| *b.decision == *x)
            && self.since.is_none_or(|s| day >= s)
            && self.until.is_none_or(|u| day <= u)
            && self.patient.as_deref().is_none_or(|x| b.subject == x)
            && (!self.overrides_only || b.override_)
            && self.part2.as_deref().is_none_or(|x| *b.part2 == *x)
    }

    /// An `incident*` entry: the reviewer, date and patient filters apply; a filter on
    /// decisions (decision, overrides, Part 2 status) leaves incident entries out.
    pub fn matches_incident(&self, r: &super::incidents::ReadEntry) -> bool {
        if self.decision.is_some() || self.overrides_only || self.part2.is_some() {
            return false;
        }
        let e = &r.entry;
        let day = chrono::DateTime::parse_from_rfc3339(&e.ts)
            .map(|t| t.with_timezone(&chrono::Utc).date_naive())
            .ok();
        let subject = match &e.body {
            crate::log::entry::Body::Incident(
                crate::log::entry::incident::IncidentBody::Incident(i),
            ) => i.concerns.subject.as_deref(),
            _ => None,
        };
        self.reviewer.as_deref().is_none_or(|x| e.reviewer == x)
            && self.since.is_none_or(|s| day.is_some_and(|d| d >= s))
            && self.until.is_none_or(|u| day.is_some_and(|d| d <= u))
            && self.patient.as_deref().is_none_or(|x| subject == Some(x))
    }

    pub fn apply<'r>(&self, records: &'r [DecisionRecord]) -> Vec<&'r DecisionRecord> {
        records.iter().filter(|r| self.matches(r)).collect()
    }
}
