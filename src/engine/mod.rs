//! The evaluation: facts in, Part 2 and HIPAA verdicts out (SPEC §4–§5). One function
//! serves the TUI, `evaluate`, `decide`, training and the tests.

pub mod result;

pub use result::*;

use chrono::NaiveDate;

use crate::queue::{Disclosure, Queue, QueueIndex};

/// The bundled (or overridden) policies, all versions. Pick the versions in force on a date
/// with [`Engine::for_date`], then evaluate many disclosures with the returned [`Evaluator`].
///
/// PLACEHOLDER: the rules-engine work replaces the internals; the signatures are the
/// contract the TUI, `decide` and training code against.
#[derive(Debug, Clone, Default)]
pub struct Engine {}

/// Why policies could not be loaded or none is in force. `Display` names file, rule id and
/// field, or the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Engine {
    /// The policies bundled into the binary, replaced by `--policy PATH` when given.
    pub fn load(policy_override: Option<&std::path::Path>) -> Result<Engine, PolicyError> {
        let _ = policy_override;
        Ok(Engine {})
    }

    /// The Part 2 and HIPAA policy versions in force on `as_of`.
    pub fn for_date(&self, as_of: NaiveDate) -> Result<Evaluator<'_>, PolicyError> {
        Ok(Evaluator {
            _engine: self,
            as_of,
        })
    }
}

/// Evaluates disclosures as of one date under one pair of policy versions. Cheap to call;
/// `Sync`, so loading can evaluate on several threads.
#[derive(Debug, Clone)]
pub struct Evaluator<'e> {
    _engine: &'e Engine,
    pub as_of: NaiveDate,
}

impl Evaluator<'_> {
    /// THE evaluation function (SPEC §5). Never panics on any loaded queue.
    pub fn evaluate(&self, q: &Queue, ix: &QueueIndex, d: &Disclosure) -> Evaluation {
        let _ = (q, ix);
        let pref = PolicyRef {
            id: "placeholder".into(),
            version: "0".into(),
            sha256: "0".repeat(64),
        };
        Evaluation {
            id: d.id.clone(),
            as_of: self.as_of,
            consent: ConsentResult {
                id: None,
                status: ConsentStatus::None,
                checks: vec![],
            },
            part2: Part2Result {
                status: Part2Status::ConsentRequired,
                rule: "placeholder".into(),
                notice: Notice {
                    required: false,
                    consent_copy_required: false,
                    statement: None,
                },
                redisclosure: Redisclosure::None,
                citations: vec![],
                explanation: "placeholder".into(),
                unsettled: false,
                trace: vec![],
            },
            hipaa: HipaaResult {
                status: HipaaStatus::PermittedTpo,
                rule: "placeholder".into(),
                citations: vec![],
                explanation: "placeholder".into(),
            },
            stricter: true,
            policy: PolicyRefs {
                part2: pref.clone(),
                hipaa: pref,
            },
        }
    }
}
