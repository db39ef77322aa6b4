//! Who is current and who is due for Part 2 training (docs/cli.md#train-status).
//!
//! Current ⇔ the latest passing record is dated (UTC) on or after 2024-04-16 (the 2024
//! Final Rule's effective date), is at most 365 days old on the evaluation date, and was
//! taken under the Part 2 policy version now in force.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The 2024 Final Rule took effect on this date; training before it covers the old rule.
pub fn rule_effective() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 16).expect("valid date")
}

/// A record older than this many days (on the evaluation date) is no longer current.
pub const MAX_AGE_DAYS: i64 = 365;

/// One `training_completion` entry, as read (and verified) from a training log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub principal: String,
    pub ts: DateTime<Utc>,
    pub pack_id: String,
    pub pack_version: String,
    pub part2_policy_version: String,
    pub correct: u32,
    pub total: u32,
    pub pass_mark: u8,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Currency {
    Current {
        /// The last day (inclusive) the record stays current.
        until: NaiveDate,
    },
    Due {
        reason: DueReason,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueReason {
    /// On the roster, no record at all.
    NeverTrained,
    /// Records exist, none passing.
    NeverPassed,
    /// The latest passing record predates the 2024 rule.
    BeforeRule,
    /// The latest passing record is older than 365 days.
    Expired { age_days: i64 },
    /// The latest passing record was taken under another Part 2 policy version.
    OldPolicy { version: String },
    /// A training record of theirs failed verification, and no verified record makes
    /// them current: failed, not "never trained".
    RecordFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraineeStatus {
    pub principal: String,
    /// The most recent record, passing or not.
    pub last: Option<Completion>,
    /// The most recent passing record (the one currency is judged on).
    pub last_passing: Option<Completion>,
    pub currency: Currency,
}

impl TraineeStatus {
    pub fn is_due(&self) -> bool {
        matches!(self.currency, Currency::Due { .. })
    }
}

/// The Part 2 policy versions under which training counts now: the version in force, and
/// the earlier ones it lists in `training_accepts` (a correction release that changed no
/// rule a trainee is taught).
pub trait AcceptedVersions {
    fn accepts(&self, version: &str) -> bool;
}

/// Just this one version.
impl AcceptedVersions for str {
    fn accepts(&self, version: &str) -> bool {
        self == version
    }
}

impl AcceptedVersions for String {
    fn accepts(&self, version: &str) -> bool {
        self == version
    }
}

impl AcceptedVersions for crate::policy::Policy {
    fn accepts(&self, version: &str) -> bool {
        self.accepts_training_under(version)
    }
}

/// Why the given latest passing record does not make its holder current, if it does not.
pub fn due_reason(
    passing: &Completion,
    as_of: NaiveDate,
    policy_version_now: &(impl AcceptedVersions + ?Sized),
) -> Option<DueReason> {
    let day = passing.ts.date_naive();
    if day < rule_effective() {
        return Some(DueReason::BeforeRule);
    }
    let age_days = (as_of - day).num_days();
    if age_days > MAX_AGE_DAYS {
        return Some(DueReason::Expired { age_days });
    }
    if !policy_version_now.accepts(&passing.part2_policy_version) {
        return Some(DueReason::OldPolicy {
            version: passing.part2_policy_version.clone(),
        });
    }
    None
}

/// Status per principal: everyone with a record, plus everyone on the roster (who, with no
/// record, is due). Sorted by principal.
pub fn summarize(
    records: &[Completion],
    roster: &[String],
    as_of: NaiveDate,
    policy_version_now: &(impl AcceptedVersions + ?Sized),
) -> Vec<TraineeStatus> {
    let mut by: BTreeMap<&str, Vec<&Completion>> = BTreeMap::new();
    for r in records {
        by.entry(r.principal.as_str()).or_default().push(r);
    }
    for p in roster {
        by.entry(p.as_str()).or_default();
    }
    by.into_iter()
        .map(|(principal, recs)| {
            // Latest by timestamp; on a tie the later record in the input wins.
            let latest = |pass_only: bool| {
                recs.iter()
                    .filter(|r| !pass_only || r.passed)
                    .fold(None::<&&Completion>, |best, r| match best {
                        Some(b) if b.ts > r.ts => Some(b),
                        _ => Some(r),
                    })
                    .map(|r| (*r).clone())
            };
            let last = latest(false);
            let last_passing = latest(true);
            let currency = match (&last, &last_passing) {
                (None, _) => Currency::Due {
                    reason: DueReason::NeverTrained,
                },
                (Some(_), None) => Currency::Due {
                    reason: DueReason::NeverPassed,
                },
                (_, Some(p)) => match due_reason(p, as_of, policy_version_now) {
                    Some(reason) => Currency::Due { reason },
                    None => Currency::Current {
                        until: p.ts.date_naive() + chrono::Days::new(MAX_AGE_DAYS as u64),
                    },
                },
            };
            TraineeStatus {
                principal: principal.to_owned(),
                last,
                last_passing,
                currency,
            }
        })
        .collect()
}

/// Statuses for `records` plus `roster`, where everyone in `failed` (principals with a
/// training record that failed verification) is listed, and is due as `RecordFailed`
/// unless a verified passing record makes them current.
pub fn summarize_with_failed(
    records: &[Completion],
    roster: &[String],
    failed: &std::collections::BTreeSet<String>,
    as_of: NaiveDate,
    policy_version_now: &(impl AcceptedVersions + ?Sized),
) -> Vec<TraineeStatus> {
    let mut all: Vec<String> = roster.to_vec();
    all.extend(failed.iter().cloned());
    let mut out = summarize(records, &all, as_of, policy_version_now);
    for t in &mut out {
        if failed.contains(&t.principal)
            && let Currency::Due { reason } = &mut t.currency
            && matches!(reason, DueReason::NeverTrained | DueReason::NeverPassed)
        {
            *reason = DueReason::RecordFailed;
        }
    }
    out
}

impl std::fmt::Display for DueReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DueReason::NeverTrained => f.write_str("never trained"),
            DueReason::RecordFailed => f.write_str(
                "FAILED VERIFICATION: a training record did not verify (run `p2review log verify` on the training log)",
            ),
            DueReason::NeverPassed => f.write_str("no passing record"),
            DueReason::BeforeRule => f.write_str("last pass predates the 2024 rule (2024-04-16)"),
            DueReason::Expired { age_days } => write!(f, "last pass is {age_days} days old"),
            DueReason::OldPolicy { version } => {
                write!(
                    f,
                    "last pass under Part 2 policy {version}, not the one in force"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rec(p: &str, y: i32, m: u32, d: u32, passed: bool, version: &str) -> Completion {
        Completion {
            principal: p.into(),
            ts: Utc.with_ymd_and_hms(y, m, d, 23, 59, 59).unwrap(),
            pack_id: "basics".into(),
            pack_version: "1".into(),
            part2_policy_version: version.into(),
            correct: if passed { 10 } else { 2 },
            total: 10,
            pass_mark: 80,
            passed,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn day_365_is_current_and_day_366_is_due() {
        let r = rec("a@h", 2025, 11, 28, true, "v1");
        assert_eq!(due_reason(&r, day(2026, 11, 28), "v1"), None); // 365 days
        assert_eq!(
            due_reason(&r, day(2026, 11, 29), "v1"),
            Some(DueReason::Expired { age_days: 366 })
        );
    }

    #[test]
    fn rule_date_boundary() {
        let before = rec("a@h", 2024, 4, 15, true, "v1");
        let on = rec("a@h", 2024, 4, 16, true, "v1");
        let as_of = day(2024, 6, 1);
        assert_eq!(
            due_reason(&before, as_of, "v1"),
            Some(DueReason::BeforeRule)
        );
        assert_eq!(due_reason(&on, as_of, "v1"), None);
    }

    #[test]
    fn utc_date_decides_not_local_time() {
        // 2024-04-15T23:59:59Z is still the 15th in UTC.
        let r = rec("a@h", 2024, 4, 15, true, "v1");
        assert_eq!(r.ts.date_naive(), day(2024, 4, 15));
    }

    #[test]
    fn a_version_the_policy_in_force_accepts_is_current() {
        let engine = crate::engine::Engine::default();
        let policy = engine.for_date(day(2026, 11, 28)).unwrap().part2_policy();
        assert!(!policy.training_accepts.is_empty());
        let old = policy.training_accepts[0].clone();
        let r = rec("a", 2026, 6, 1, true, &old);
        assert_eq!(due_reason(&r, day(2026, 11, 28), policy), None);
        // The bare version string accepts only itself: the same record is due under it.
        assert!(due_reason(&r, day(2026, 11, 28), &*policy.reference.version).is_some());
        let other = rec("a", 2026, 6, 1, true, "2023.9");
        assert_eq!(
            due_reason(&other, day(2026, 11, 28), policy),
            Some(DueReason::OldPolicy {
                version: "2023.9".into()
            })
        );
    }

    #[test]
    fn old_policy_version_is_due() {
        let r = rec("a@h", 2026, 6, 1, true, "2024.0");
        assert_eq!(
            due_reason(&r, day(2026, 11, 28), "2024.1"),
            Some(DueReason::OldPolicy {
                version: "2024.0".into()
            })
        );
    }

    #[test]
    fn latest_passing_record_decides_and_roster_adds_the_untrained() {
        let recs = vec![
            rec("b@h", 2026, 1, 10, true, "v1"),
            rec("b@h", 2026, 3, 1, false, "v1"), // a later failure does not undo the pass
            rec("c@h", 2026, 2, 1, false, "v1"),
            rec("d@h", 2025, 1, 1, true, "v1"),
            rec("d@h", 2026, 5, 1, true, "v1"),
        ];
        let roster = vec!["a@h".to_owned(), "b@h".to_owned()];
        let s = summarize(&recs, &roster, day(2026, 11, 28), "v1");
        let names: Vec<&str> = s.iter().map(|t| t.principal.as_str()).collect();
        assert_eq!(names, ["a@h", "b@h", "c@h", "d@h"]);
        assert_eq!(
            s[0].currency,
            Currency::Due {
                reason: DueReason::NeverTrained
            }
        );
        assert!(!s[1].is_due());
        assert!(!s[1].last.as_ref().unwrap().passed);
        assert_eq!(
            s[2].currency,
            Currency::Due {
                reason: DueReason::NeverPassed
            }
        );
        assert_eq!(
            s[3].currency,
            Currency::Current {
                until: day(2027, 5, 1)
            }
        );
    }
}
