//! Supervisor review (issue 5): many reviewers' logs merged in time order, filtered,
//! summarised, and exported for auditors, with each export stating what it was verified
//! against. Works on decision records read from verified lines; terminal-free.

pub(crate) mod accounting;
pub(crate) mod audit_event;
pub(crate) mod conflict;
pub mod export;
pub(crate) mod filter;
pub mod incidents;
pub(crate) mod intern;
pub mod lenient;
pub mod load;
pub(crate) mod record;
pub(crate) mod summary;
pub(crate) mod supersede;

pub use accounting::{
    Accounting, AccountingRow, Period, QueueJoin, RecipientRow, RequiredBy, accounting, recipients,
};
pub use conflict::{Conflict, conflicts, pending_second};
pub use filter::Filter;
pub use load::{
    LoadProgress, Loaded, OtherFinding, VerifyLog, load_logs, load_logs_keeping,
    load_logs_progress, load_logs_with,
};
pub use record::{DecisionBody, DecisionRecord, Hash, LogStatus, Sym, Verification, merge};
pub use summary::{
    ReviewerSummary, Summary, open_escalations, summarize, summarize_shown, summarize_with,
};
pub use supersede::{
    ItemEntry, Resolution, SupersedesWarning, resolve, resolve_iter, resolve_records,
};
