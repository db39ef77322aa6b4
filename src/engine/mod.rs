//! The evaluation: facts in, Part 2 and HIPAA verdicts out (docs/policies.md, docs/evaluation-json.md). One function
//! serves the TUI, `evaluate`, `decide`, training and the tests.

pub mod scenario;

pub use crate::policy::PolicyError;
pub use crate::verdict::*;

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::facts::{self, Facts};
use crate::policy::{Outcome, Policy, PolicyKind, PolicySet};
use crate::queue::{Disclosure, Queue, QueueIndex};

/// The bundled (or overridden) policies, all versions. Pick the versions in force on a date
/// with [`Engine::for_date`], then evaluate many disclosures with the returned [`Evaluator`].
#[derive(Debug, Clone)]
pub struct Engine {
    policies: PolicySet,
}

/// The bundled policies. They are compiled into the binary and validated by the test suite
/// (`tests/judgement/policy_load.rs`), so loading them cannot fail in a tested build.
impl Default for Engine {
    fn default() -> Self {
        Engine::load(None).expect("the bundled policies are valid")
    }
}

impl Engine {
    /// The policies bundled into the binary, replaced by `--policy PATH` when given.
    pub fn load(policy_override: Option<&std::path::Path>) -> Result<Engine, PolicyError> {
        Ok(Engine {
            policies: PolicySet::load(policy_override)?,
        })
    }

    /// The loaded policies (every version of each id).
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The Part 2 and HIPAA policy versions in force on `as_of`.
    pub fn for_date(&self, as_of: NaiveDate) -> Result<Evaluator<'_>, PolicyError> {
        Ok(Evaluator {
            part2: self.policies.in_force(PolicyKind::Part2, as_of)?,
            hipaa: self.policies.in_force(PolicyKind::Hipaa, as_of)?,
            as_of,
        })
    }
}

thread_local! {
    static TRACE_SCRATCH: std::cell::RefCell<Vec<TraceStep>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Evaluates disclosures as of one date under one pair of policy versions. Cheap to call;
/// `Sync`, so loading can evaluate on several threads.
#[derive(Debug, Clone)]
pub struct Evaluator<'e> {
    part2: &'e Policy,
    hipaa: &'e Policy,
    pub as_of: NaiveDate,
}

impl<'e> Evaluator<'e> {
    /// The Part 2 policy version in force.
    pub fn part2_policy(&self) -> &'e Policy {
        self.part2
    }

    /// The HIPAA policy version in force.
    pub fn hipaa_policy(&self) -> &'e Policy {
        self.hipaa
    }

    /// The facts the policies see for one disclosure (for tests and the trace view).
    pub fn facts<'q>(&self, q: &'q Queue, ix: &QueueIndex, d: &Disclosure) -> Facts<'q> {
        facts::derive(q, ix, d, self.as_of)
    }

    /// THE evaluation function (docs/evaluation-json.md). Never panics on any loaded queue.
    pub fn evaluate(&self, q: &Queue, ix: &QueueIndex, d: &Disclosure) -> Evaluation {
        let mut f = facts::derive(q, ix, d, self.as_of);
        // HIPAA first: some Part 2 rules follow the HIPAA column (2.33(b)(1)).
        let hp = &self.hipaa.rules[self.hipaa.first_match(&f, None)];
        let hipaa_status = match hp.outcome {
            Outcome::Hipaa { status } => status,
            Outcome::Part2 { .. } => HipaaStatus::AuthorizationRequired,
        };
        f.set_hipaa_status(hipaa_status);
        // Rules tried are collected in a per-thread scratch buffer, then copied out at their
        // exact length: one small allocation instead of a policy-sized one per disclosure.
        let (p2_ix, trace) = TRACE_SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            scratch.clear();
            let i = self.part2.first_match(&f, Some(&mut scratch));
            (i, scratch.to_vec())
        });
        let p2 = &self.part2.rules[p2_ix];
        let (status, notice_required, redisclosure) = match p2.outcome {
            Outcome::Part2 {
                status,
                notice,
                redisclosure,
            } => (status, notice, redisclosure),
            // A Part 2 policy only compiles Part 2 outcomes; stay safe rather than panic.
            Outcome::Hipaa { .. } => (Part2Status::ConsentRequired, false, Redisclosure::None),
        };
        let consent = if p2.shows_consent {
            match &f.consent {
                Some(r) => facts::consent::result(r, d, self.as_of),
                None => ConsentResult {
                    id: None,
                    status: ConsentStatus::None,
                    checks: vec![],
                },
            }
        } else {
            ConsentResult {
                // A copy of the original consent must go along with a 2.33(c) redisclosure,
                // so name it even though the verdict does not rest on its checks.
                id: notice_required
                    .then(|| f.consent.map(|r| r.consent.id.clone()))
                    .flatten(),
                status: ConsentStatus::NotApplicable,
                checks: vec![],
            }
        };
        let mut explanation = if p2.tests_restriction && f.restriction_dates_unknown {
            Cow::Owned(format!(
                "{} Service dates unknown: the restriction's service dates were treated as overlapping.",
                p2.explain
            ))
        } else {
            Cow::Borrowed(p2.explain)
        };
        let mut unsettled = p2.unsettled;
        if status != Part2Status::NotApplicable {
            for u in self.part2.unsettled_when.iter().filter(|u| u.matches(&f)) {
                unsettled = true;
                explanation = Cow::Owned(format!("{explanation} {}", u.explain));
            }
        }
        let missing_facts: Vec<Cow<'static, str>> = p2
            .missing_facts
            .iter()
            .chain(hp.missing_facts.iter())
            .cloned()
            .collect();
        let notice = if notice_required {
            Notice {
                required: true,
                consent_copy_required: true,
                statement: self.part2.statement.map(Cow::Borrowed),
            }
        } else {
            Notice {
                required: false,
                consent_copy_required: false,
                statement: None,
            }
        };
        Evaluation {
            id: d.id.clone(),
            as_of: self.as_of,
            consent,
            part2: Part2Result {
                status,
                rule: Cow::Borrowed(p2.id),
                notice,
                redisclosure,
                citations: Cow::Borrowed(p2.cite),
                explanation,
                unsettled,
                trace,
            },
            hipaa: HipaaResult {
                status: hipaa_status,
                rule: Cow::Borrowed(hp.id),
                citations: Cow::Borrowed(hp.cite),
                explanation: Cow::Borrowed(hp.explain),
            },
            stricter: is_stricter(status, hipaa_status),
            missing_facts,
            policy: PolicyRefs {
                part2: self.part2.reference.clone(),
                hipaa: self.hipaa.reference.clone(),
            },
        }
    }
}
