//! Incidents and breach response (docs/incidents.md): 42 CFR 2.16(b) applies the HIPAA breach
//! notification rule (45 CFR 164.400–414) to breaches of unsecured Part 2 records.
//!
//! Pure rules, no I/O and no terminal: the fixed vocabularies ([`vocab`]), the 164.402
//! assessment ([`assess`]) and who must be told by when ([`deadline`]). The signed entries
//! live in `src/log/entry_incident.rs`; reading them back from logs in
//! `src/supervise/incidents.rs`. The `incident` commands, the supervisor views and the
//! `breach-response` training pack all call these same functions.

pub mod assess;
pub(crate) mod deadline;
pub mod scenario;
pub mod vocab;

pub use assess::{AssessError, Assessed, AssessmentInput, Factor, IncidentFacts, assess};
pub use deadline::{Actor, ClockFacts, Due, NoticeDue, NoticeState, notices};
pub use vocab::*;
