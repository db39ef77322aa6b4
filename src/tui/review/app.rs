//! The review screen's state (the "model"). Only `update` changes it; `view` reads it.
//!
//! Per disclosure the app keeps a few bytes (verdict words, recorded decision), never a
//! full evaluation: the selected one is evaluated on demand, so 100,000 items stay cheap.

use std::sync::Arc;

use crate::decision::{Decision, ReasonCode};
use crate::engine::{ConsentStatus, Evaluation, HipaaStatus, Part2Status};
use crate::queue::{Disclosure, LoadedQueue, Queue, QueueIndex};

use super::keymap::{Context, Keymap};
use super::layout;

/// The evaluation function boundary: the engine in the binary, a fake in tests.
pub type EvalFn = Arc<dyn Fn(&Queue, &QueueIndex, &Disclosure) -> Evaluation + Send + Sync>;

/// What the queue list shows for one disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub part2: Part2Status,
    pub hipaa: HipaaStatus,
    pub stricter: bool,
    pub unsettled: bool,
}

impl Verdict {
    pub fn of(e: &Evaluation) -> Verdict {
        Verdict {
            part2: e.part2.status,
            hipaa: e.hipaa.status,
            stricter: e.stricter,
            unsettled: e.part2.unsettled,
        }
    }
}

/// A decision read back from the log or just recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDecision {
    pub decision: Decision,
    pub reason_code: Option<ReasonCode>,
    /// Entry hash (what a correction `supersedes`).
    pub entry_sha256: String,
    /// False when it was made on an earlier version of the disclosure (docs/signed-log.md#decision).
    pub current: bool,
    /// Who made it and when, as the log says; empty for a decision made in this session.
    pub reviewer: String,
    pub ts: String,
    /// The signer's key fingerprint; empty for a decision made in this session.
    pub key: String,
    /// A four-eyes override approval (docs/team.md#four-eyes): pending until another
    /// principal with another key approves it by superseding it.
    pub second_required: bool,
    /// The reviewer's own note, and the entry this decision supersedes.
    pub note: Option<String>,
    pub supersedes: Option<String>,
}

/// The rows answer the supervisor's four-eyes rule (`supervise::conflict`): one rule for
/// `log show`, `team status` and this screen. A row's history is one item's.
impl crate::supervise::conflict::FourEyes for RowDecision {
    type Id = String;
    fn id(&self) -> String {
        self.entry_sha256.clone()
    }
    fn approves(&self) -> bool {
        self.decision == Decision::Approve
    }
    fn second_required(&self) -> bool {
        self.second_required
    }
    fn supersedes(&self) -> Option<String> {
        self.supersedes.clone()
    }
    fn item(&self) -> (&str, &str) {
        ("", "")
    }
    fn signer(&self) -> (&str, &str) {
        (&self.reviewer, &self.key)
    }
}

impl RowDecision {
    /// The row's view of a decision read back from the log (`current`: made on the
    /// disclosure as loaded).
    pub fn of_recorded(r: &crate::tui::sink::Recorded, current: bool) -> RowDecision {
        RowDecision {
            decision: r.decision,
            reason_code: r.reason_code,
            entry_sha256: r.entry_sha256.clone(),
            current,
            reviewer: r.reviewer.clone(),
            ts: r.ts.clone(),
            key: r.key.clone(),
            second_required: r.second_required,
            note: r.note.clone(),
            supersedes: r.supersedes.clone(),
        }
    }

    /// The row's view of a decision just recorded in this session (who and when are the
    /// log's; the screen shows them only for decisions read back).
    pub fn of_receipt(
        input: &crate::tui::sink::DecisionInput,
        r: &crate::tui::sink::Receipt,
    ) -> RowDecision {
        RowDecision {
            decision: input.decision,
            reason_code: input.reason_code,
            entry_sha256: r.entry_sha256.clone(),
            current: true,
            reviewer: String::new(),
            ts: String::new(),
            key: String::new(),
            second_required: r.second_required,
            note: input.note.clone(),
            supersedes: input.supersedes.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RowState {
    pub verdict: Option<Verdict>,
    /// The decision that counts for the row (the latest on the current version).
    pub decision: Option<RowDecision>,
    /// Every decision on this id read back or made in this session, oldest first.
    pub history: Vec<RowDecision>,
}

impl RowState {
    /// Take in a decision read back from the log (oldest first): it joins the history, and
    /// becomes the row's decision unless it was made on an older version of the item and
    /// the row already has one on the current version.
    pub fn take(&mut self, rd: RowDecision) {
        match &self.decision {
            Some(old) if old.current && !rd.current => {}
            _ => self.decision = Some(rd.clone()),
        }
        self.history.push(rd);
    }
}

impl RowState {
    /// The item's effective decisions (docs/signed-log.md#supersession-effective-decisions-and-conflicts):
    /// those in its history no later one supersedes, oldest first. A new decision names
    /// the latest of them in `supersedes`.
    pub fn effective(&self) -> Vec<&RowDecision> {
        self.history
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                !self.history[i + 1..]
                    .iter()
                    .any(|x| x.supersedes.as_deref() == Some(h.entry_sha256.as_str()))
            })
            .map(|(_, h)| h)
            .collect()
    }

    /// Take in a decision read back while the screen is open (live reload): skipped when
    /// the history already holds that entry (this window recorded it). `true` if new.
    pub fn take_new(&mut self, rd: RowDecision) -> bool {
        if self
            .history
            .iter()
            .any(|h| h.entry_sha256 == rd.entry_sha256)
        {
            return false;
        }
        self.take(rd);
        true
    }

    /// Decided on the current version, and not an approval still waiting for its second
    /// reviewer (four-eyes: that counts as not approved, nor decided).
    pub fn decided(&self) -> bool {
        self.decision.as_ref().is_some_and(|d| d.current) && self.awaiting_second().is_none()
    }

    /// The decision that counts, when it is a four-eyes approval still waiting for a
    /// second reviewer (`supervise::conflict::pending_among` over the item's history).
    pub fn awaiting_second(&self) -> Option<&RowDecision> {
        let d = self.decision.as_ref().filter(|d| d.current)?;
        if !d.second_required && d.supersedes.is_none() {
            return None; // the common case: no history to walk
        }
        crate::supervise::conflict::pending_among(&self.history)
            .contains(&d.entry_sha256)
            .then_some(d)
    }

    /// In a team, the decision that counts was made by another reviewer than `me` (the
    /// row shows who; `n` passes it by).
    pub fn decided_by_other(&self, me: &str) -> Option<&RowDecision> {
        self.decision
            .as_ref()
            .filter(|d| d.current && !d.reviewer.is_empty() && d.reviewer != me)
    }

    /// Needs nothing more for `n` and the move-on after recording: decided, and not
    /// merely deferred (a deferred item is still waiting for a decision) nor an approval
    /// waiting for its second reviewer.
    pub fn settled(&self) -> bool {
        self.decided()
            && self
                .decision
                .as_ref()
                .is_some_and(|d| d.decision != Decision::Defer)
    }

    /// Its decision that counts is an escalation (waiting for the privacy officer).
    pub fn escalated(&self) -> bool {
        self.decision
            .as_ref()
            .is_some_and(|d| d.current && d.decision == Decision::Escalate)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    File,
    Verdict,
    Date,
    Recipient,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::File => "file",
            SortKey::Verdict => "verdict",
            SortKey::Date => "date",
            SortKey::Recipient => "recipient",
        }
    }
    pub fn next(self) -> SortKey {
        match self {
            SortKey::File => SortKey::Verdict,
            SortKey::Verdict => SortKey::Date,
            SortKey::Date => SortKey::Recipient,
            SortKey::Recipient => SortKey::File,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecidedFilter {
    #[default]
    All,
    Undecided,
    Decided,
    /// Escalated, waiting for the privacy officer.
    Escalated,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub part2: Option<Part2Status>,
    pub decided: DecidedFilter,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.part2.is_none() && self.decided == DecidedFilter::All
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An override: "approve against the verdict?" first.
    Confirm,
    Reason,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideDialog {
    pub row: u32,
    pub decision: Decision,
    pub step: Step,
    /// The picker's entries; `None` = "no reason code" (offered only when none is required).
    pub choices: Vec<Option<ReasonCode>>,
    pub highlight: usize,
    pub reason: Option<ReasonCode>,
    pub note: String,
    pub error: Option<String>,
    pub overrides: bool,
    pub unsettled: bool,
    /// Highlighted choice in the confirmation: true = "Yes, record the override".
    pub confirm_yes: bool,
    pub supersedes: Option<String>,
    /// Bulk (`v` marks): the other rows that get the same decision, reason and note.
    pub bulk: Vec<u32>,
    /// The frame that first showed the current step to the reviewer; `None` until it was
    /// flushed. A confirming key read before then was typed ahead and is dropped.
    pub shown_in: Option<u64>,
}

impl DecideDialog {
    /// Move to `step`; its keys count only once its first frame is on screen.
    pub fn go(&mut self, step: Step) {
        self.step = step;
        self.shown_in = None;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    Trace {
        scroll: u16,
    },
    Statement {
        scroll: u16,
    },
    /// Every message of this session in full (the status line shortens long ones).
    Messages {
        scroll: u16,
    },
    Decide(Box<DecideDialog>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// A record handed to the sink and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub row: u32,
    pub input: crate::tui::sink::DecisionInput,
    /// The dialog as it was confirmed: if the write fails it opens again with the typed
    /// note and the error, so nothing typed is lost.
    pub dialog: Option<Box<DecideDialog>>,
}

/// How many status messages the message log keeps.
pub const MESSAGES_KEPT: usize = 200;

pub use crate::tui::theme::Look;

pub struct App {
    pub demo: bool,
    /// Where decisions go (header).
    pub sink_label: String,
    pub look: Look,
    pub size: (u16, u16),
    pub loaded: Option<Arc<LoadedQueue>>,
    pub eval: Option<EvalFn>,
    pub rows: Vec<RowState>,
    /// Lowercased "id patient recipient" per disclosure, for the incremental filter.
    pub search: Vec<Box<str>>,
    /// Each disclosure's position in recipient-name order (sorting by it is then cheap).
    pub recipient_rank: Vec<u32>,
    /// Indices into `rows` after filtering and sorting.
    pub view: Vec<u32>,
    /// Position of the selection in `view`, and of the first visible row.
    pub cursor: usize,
    pub offset: usize,
    pub filter: Filter,
    pub filter_editing: bool,
    /// The `/` line searches (jumps to matches, `n`/`N`) instead of filtering (Tab switches).
    pub searching: bool,
    /// The search text; while not empty, `n`/`N` go to the next/previous match.
    pub search_text: String,
    pub sort: SortKey,
    /// The sort runs backwards (`S`).
    pub sort_reverse: bool,
    pub overlay: Overlay,
    /// The selected disclosure's full evaluation.
    pub detail: Option<(u32, Box<Evaluation>)>,
    /// Disclosures evaluated by the background job so far.
    pub evaluated: usize,
    pub decided: usize,
    /// Four-eyes approvals waiting for a second reviewer (not counted in `decided`).
    pub awaiting_second: usize,
    pub pending: Option<Pending>,
    /// Rows marked with `v` for a bulk defer or escalate.
    pub marked: std::collections::BTreeSet<u32>,
    /// A bulk decision's rows still to record (row, decision, reason, note), and how many
    /// of it were recorded so far.
    pub bulk_pending:
        std::collections::VecDeque<(u32, Decision, Option<ReasonCode>, Option<String>)>,
    pub bulk_done: usize,
    /// A bulk decision is being recorded.
    pub bulk_active: bool,
    /// The queue file changed on disk since it was loaded: deciding is refused until reload.
    pub stale: bool,
    /// The reviewer's own Part 2 training is not current (never in demo mode): shown in the
    /// header on every screen, e.g. "TRAINING DUE: last pass is 400 days old".
    pub training_notice: Option<String>,
    /// Shown in the header from the start: the log cannot be written, or it is also
    /// open in another window.
    pub log_notice: Option<String>,
    pub status: Option<Status>,
    /// The session's messages, oldest first (the last [`MESSAGES_KEPT`]).
    pub messages: Vec<Status>,
    pub load_error: Option<String>,
    pub dirty: bool,
    pub quit: bool,
    pub keymap: Keymap,
    /// Team work (docs/team.md): this reviewer's principal; `None` outside a team.
    pub me: Option<String>,
    /// Team work: rows another reviewer holds a live claim on, with the holder.
    pub claims: std::collections::HashMap<u32, String>,
    /// Incremented on every (re)load; background results of older loads are ignored.
    pub generation: u64,
    /// Frames flushed to the terminal so far, and how many had been when the key being
    /// handled was read (typed-ahead confirmations are dropped).
    pub frames: u64,
    pub key_frame: u64,
    /// How far the open overlay can scroll, as the last frame measured it (the view
    /// records it; scrolling keys stop there).
    pub scroll_max: std::cell::Cell<u16>,
}

impl App {
    pub fn new(demo: bool, sink_label: impl Into<String>, look: Look, size: (u16, u16)) -> App {
        App {
            demo,
            sink_label: sink_label.into(),
            look,
            size,
            loaded: None,
            eval: None,
            rows: Vec::new(),
            search: Vec::new(),
            recipient_rank: Vec::new(),
            view: Vec::new(),
            cursor: 0,
            offset: 0,
            filter: Filter::default(),
            filter_editing: false,
            searching: false,
            search_text: String::new(),
            sort: SortKey::File,
            sort_reverse: false,
            overlay: Overlay::None,
            detail: None,
            evaluated: 0,
            decided: 0,
            awaiting_second: 0,
            pending: None,
            marked: Default::default(),
            bulk_pending: Default::default(),
            bulk_done: 0,
            bulk_active: false,
            stale: false,
            training_notice: None,
            log_notice: None,
            status: None,
            messages: Vec::new(),
            load_error: None,
            dirty: true,
            quit: false,
            keymap: Keymap::default(),
            me: None,
            claims: Default::default(),
            generation: 0,
            frames: 0,
            key_frame: 0,
            scroll_max: std::cell::Cell::new(500),
        }
    }

    /// The keymap context that has the keyboard now.
    pub fn context(&self) -> Context {
        if layout::too_small(self.size) {
            return Context::TooSmall;
        }
        match &self.overlay {
            Overlay::Help { .. } => Context::Help,
            Overlay::Trace { .. } | Overlay::Statement { .. } | Overlay::Messages { .. } => {
                Context::Overlay
            }
            Overlay::Decide(d) => match d.step {
                Step::Confirm => Context::Confirm,
                Step::Reason => Context::Reason,
                Step::Note => Context::Note,
            },
            Overlay::None if self.filter_editing => Context::Filter,
            Overlay::None => Context::Queue,
        }
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn selected(&self) -> Option<u32> {
        self.view.get(self.cursor).copied()
    }

    pub fn disclosure(&self, row: u32) -> Option<&Disclosure> {
        self.loaded
            .as_ref()
            .and_then(|l| l.queue.disclosures.get(row as usize))
    }

    /// The selected disclosure's evaluation, when it is current.
    pub fn selected_eval(&self) -> Option<&Evaluation> {
        let sel = self.selected()?;
        self.detail
            .as_ref()
            .filter(|(r, _)| *r == sel)
            .map(|(_, e)| e.as_ref())
    }

    /// Rows that fit in the queue pane at the current size.
    pub fn page_rows(&self) -> usize {
        layout::page_rows(self.size)
    }

    /// Install a freshly loaded queue (start or reload). Keeps filter and sort, and the
    /// selection on the same disclosure id when it still exists.
    pub fn install(&mut self, loaded: Arc<LoadedQueue>, eval: EvalFn) {
        let keep_id = self
            .selected()
            .and_then(|r| self.disclosure(r))
            .map(|d| d.id.clone());
        let ds = &loaded.queue.disclosures;
        self.rows = vec![RowState::default(); ds.len()];
        self.search = ds
            .iter()
            .map(|d| {
                format!("{}\u{1f}{}\u{1f}{}", d.id, d.patient, d.recipient.name)
                    .to_lowercase()
                    .into_boxed_str()
            })
            .collect();
        let mut order: Vec<u32> = (0..ds.len() as u32).collect();
        order.sort_by_cached_key(|&i| (ds[i as usize].recipient.name.to_lowercase(), i));
        self.recipient_rank = vec![0; ds.len()];
        for (rank, &i) in order.iter().enumerate() {
            self.recipient_rank[i as usize] = rank as u32;
        }
        self.loaded = Some(loaded);
        self.generation += 1;
        self.eval = Some(eval);
        self.detail = None;
        self.evaluated = 0;
        self.decided = 0;
        self.awaiting_second = 0;
        self.pending = None;
        self.marked.clear();
        self.bulk_pending.clear();
        self.stale = false;
        self.load_error = None;
        self.rebuild_view(keep_id.as_deref());
    }

    /// Does a row pass the filters? `needle` is the lowercased filter text.
    fn matches(&self, i: usize, needle: &str, p2_hit: &[bool], h_hit: &[bool]) -> bool {
        let row = &self.rows[i];
        if let Some(want) = self.filter.part2
            && row.verdict.map(|v| v.part2) != Some(want)
        {
            return false;
        }
        match self.filter.decided {
            DecidedFilter::All => {}
            DecidedFilter::Undecided if row.decided() => return false,
            DecidedFilter::Decided if !row.decided() => return false,
            DecidedFilter::Escalated if !row.escalated() => return false,
            _ => {}
        }
        if needle.is_empty() || self.search[i].contains(needle) {
            return true;
        }
        row.verdict.is_some_and(|v| {
            p2_hit[status_index(Part2Status::ALL, v.part2)]
                || h_hit[status_index(HipaaStatus::ALL, v.hipaa)]
                || (v.stricter && needle == "!")
        })
    }

    /// The position in `view` of the next row (or previous, with `forward` false) whose id,
    /// patient or recipient holds the search text, starting at `from` itself when
    /// `inclusive`; wraps around.
    pub fn find_match(&self, from: usize, forward: bool, inclusive: bool) -> Option<usize> {
        let needle = self.search_text.to_lowercase();
        let n = self.view.len();
        if needle.is_empty() || n == 0 {
            return None;
        }
        let start = usize::from(!inclusive);
        (start..start + n)
            .map(|k| {
                if forward {
                    (from + k) % n
                } else {
                    (from + n * 2 - k) % n
                }
            })
            .find(|&p| self.search[self.view[p] as usize].contains(&needle))
    }

    /// Recompute `view` from filters and sort; keep the selection on `keep_id` if visible.
    pub fn rebuild_view(&mut self, keep_id: Option<&str>) {
        let needle = self.filter.text.to_lowercase();
        let p2_hit: Vec<bool> = Part2Status::ALL
            .iter()
            .map(|s| !needle.is_empty() && s.word().to_lowercase().contains(&needle))
            .collect();
        let h_hit: Vec<bool> = HipaaStatus::ALL
            .iter()
            .map(|s| !needle.is_empty() && s.word().to_lowercase().contains(&needle))
            .collect();
        let mut view: Vec<u32> = if self.filter.is_empty() {
            (0..self.rows.len() as u32).collect()
        } else {
            (0..self.rows.len())
                .filter(|&i| self.matches(i, &needle, &p2_hit, &h_hit))
                .map(|i| i as u32)
                .collect()
        };
        if let Some(l) = &self.loaded {
            let ds = &l.queue.disclosures;
            match self.sort {
                SortKey::File => {}
                SortKey::Verdict => {
                    view.sort_unstable_by_key(|&i| (verdict_rank(self.rows[i as usize].verdict), i))
                }
                SortKey::Date => view.sort_unstable_by_key(|&i| (ds[i as usize].requested_on, i)),
                SortKey::Recipient => {
                    view.sort_unstable_by_key(|&i| self.recipient_rank[i as usize])
                }
            }
        }
        if self.sort_reverse {
            view.reverse();
        }
        self.view = view;
        let keep = keep_id.and_then(|id| {
            let ix = self.loaded.as_ref()?.index.disclosures.get(id).copied()? as u32;
            self.view.iter().position(|&r| r == ix)
        });
        self.cursor = keep.unwrap_or(0).min(self.view.len().saturating_sub(1));
        self.offset = 0;
        self.scroll_to_cursor();
        self.sync_detail();
    }

    /// Keep the cursor inside the visible window (pure window math).
    pub fn scroll_to_cursor(&mut self) {
        let page = self.page_rows().max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        let max_offset = self.view.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
    }

    /// Evaluate the selected disclosure (cheap, one item) and fill the verdicts of the
    /// visible rows that the background job has not reached yet.
    pub fn sync_detail(&mut self) {
        let (Some(loaded), Some(eval)) = (self.loaded.clone(), self.eval.clone()) else {
            return;
        };
        let page = self.page_rows();
        let end = (self.offset + page).min(self.view.len());
        for pos in self.offset..end {
            let r = self.view[pos] as usize;
            if self.rows[r].verdict.is_none() {
                let d = &loaded.queue.disclosures[r];
                let e = eval(&loaded.queue, &loaded.index, d);
                self.rows[r].verdict = Some(Verdict::of(&e));
                if pos == self.cursor {
                    self.detail = Some((r as u32, Box::new(e)));
                }
            }
        }
        let Some(sel) = self.selected() else {
            self.detail = None;
            return;
        };
        if self.detail.as_ref().is_some_and(|(r, _)| *r == sel) {
            return;
        }
        let d = &loaded.queue.disclosures[sel as usize];
        let e = eval(&loaded.queue, &loaded.index, d);
        self.rows[sel as usize].verdict = Some(Verdict::of(&e));
        self.detail = Some((sel, Box::new(e)));
    }

    /// What `n` and the move-on after recording look for: not settled, and in a team
    /// neither claimed nor decided by someone else.
    pub fn wants_work(&self, row: u32) -> bool {
        let st = &self.rows[row as usize];
        if st.settled() {
            return false;
        }
        if let Some(p) = st.awaiting_second() {
            // A four-eyes approval waits for another reviewer: it is work for a team
            // member who did not make it (empty: made in this window), not for its author.
            return match &self.me {
                Some(me) => {
                    !p.reviewer.is_empty() && p.reviewer != *me && !self.claims.contains_key(&row)
                }
                None => false,
            };
        }
        match &self.me {
            Some(me) => !self.claims.contains_key(&row) && st.decided_by_other(me).is_none(),
            None => true,
        }
    }

    pub fn recount_decided(&mut self) {
        self.decided = self.rows.iter().filter(|r| r.decided()).count();
        self.awaiting_second = self
            .rows
            .iter()
            .filter(|r| r.awaiting_second().is_some())
            .count();
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        let status = Status {
            kind,
            text: text.into(),
        };
        if self.messages.last() != Some(&status) {
            if self.messages.len() == MESSAGES_KEPT {
                self.messages.remove(0);
            }
            self.messages.push(status.clone());
        }
        self.status = Some(status);
    }
}

fn status_index<T: PartialEq>(all: &[T], s: T) -> usize {
    all.iter().position(|x| *x == s).unwrap_or(0)
}

/// Most restrictive first; Part 2 stricter than HIPAA before equal verdicts; unknown last.
fn verdict_rank(v: Option<Verdict>) -> (u8, u8) {
    match v {
        None => (9, 0),
        Some(v) => (
            match v.part2 {
                Part2Status::Prohibited => 0,
                Part2Status::CourtOrderRequired => 1,
                Part2Status::ConsentRequired => 2,
                Part2Status::PermittedWithNotice => 3,
                Part2Status::Permitted => 4,
                Part2Status::NotApplicable => 5,
            },
            u8::from(!v.stricter),
        ),
    }
}

/// A sensible reason to preselect for a decision on this verdict, so that a reviewer who
/// agrees with the engine just presses Enter.
pub fn preselect_reason(decision: Decision, e: &Evaluation) -> Option<ReasonCode> {
    let consent_bad = !matches!(
        e.consent.status,
        ConsentStatus::Valid | ConsentStatus::None | ConsentStatus::NotApplicable
    );
    let restriction = e.part2.rule.contains("restrict") || e.hipaa.rule.contains("restrict");
    // "Consent verified" only where the screen shows a valid consent: an override of
    // "consent required" with no valid consent must not offer it as the easy Enter.
    let consent_ok = e.consent.status == ConsentStatus::Valid;
    match decision {
        Decision::Approve => match e.part2.status {
            Part2Status::PermittedWithNotice | Part2Status::ConsentRequired if consent_ok => {
                Some(ReasonCode::ConsentVerified)
            }
            Part2Status::PermittedWithNotice => Some(ReasonCode::ExceptionApplies),
            Part2Status::Permitted => Some(ReasonCode::ExceptionApplies),
            Part2Status::CourtOrderRequired => Some(ReasonCode::CourtOrderOnFile),
            Part2Status::ConsentRequired | Part2Status::Prohibited => Some(ReasonCode::Other),
            Part2Status::NotApplicable if e.part2.unsettled => Some(ReasonCode::ExceptionApplies),
            Part2Status::NotApplicable => None,
        },
        Decision::Deny if restriction => Some(ReasonCode::RestrictionApplies),
        Decision::Deny if consent_bad => Some(ReasonCode::ConsentInvalid),
        Decision::Deny => match e.part2.status {
            Part2Status::ConsentRequired => Some(ReasonCode::ConsentMissing),
            Part2Status::CourtOrderRequired | Part2Status::Prohibited => Some(ReasonCode::Other),
            _ => Some(ReasonCode::ConsentMissing),
        },
        Decision::Escalate => Some(ReasonCode::NeedsPrivacyOfficer),
        Decision::Defer => Some(ReasonCode::AwaitingDocuments),
    }
}

/// Match decisions read from the log to queue items (docs/signed-log.md#decision: both `disclosure` and
/// `disclosure_sha256` must match; the same id with another hash is "decided on an earlier
/// version"). All of them, oldest first: [`RowState::take`] decides which counts.
pub fn seed_rows(
    loaded: &LoadedQueue,
    recorded: &[crate::tui::sink::Recorded],
    hash: &dyn Fn(&Disclosure) -> String,
) -> Vec<(u32, RowDecision)> {
    let mut out: Vec<(u32, RowDecision)> = Vec::new();
    let mut hashes: std::collections::HashMap<usize, String> = Default::default();
    for r in recorded {
        let Some(&i) = loaded.index.disclosures.get(&r.disclosure) else {
            continue;
        };
        let h = hashes
            .entry(i)
            .or_insert_with(|| hash(&loaded.queue.disclosures[i]));
        let rd = RowDecision::of_recorded(r, *h == r.disclosure_sha256);
        out.push((i as u32, rd));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rd(
        entry: &str,
        decision: Decision,
        who: &str,
        sup: Option<&str>,
        second: bool,
    ) -> RowDecision {
        RowDecision {
            decision,
            reason_code: None,
            entry_sha256: entry.into(),
            current: true,
            reviewer: who.into(),
            ts: String::new(),
            key: format!("key-of-{who}"),
            second_required: second,
            note: None,
            supersedes: sup.map(str::to_owned),
        }
    }

    fn row(list: Vec<RowDecision>) -> RowState {
        let mut r = RowState::default();
        for d in list {
            r.take(d);
        }
        r
    }

    /// The supervisor's four-eyes rule on a row's history: pending until another
    /// principal approves by superseding; the author's own approval leaves it pending;
    /// a deny supersedes it and is decided.
    #[test]
    fn a_four_eyes_approval_is_pending_until_another_reviewer_approves_it() {
        let first = || rd("h1", Decision::Approve, "ana@x", None, true);
        let r = row(vec![first()]);
        assert_eq!(
            r.awaiting_second().map(|d| d.reviewer.as_str()),
            Some("ana@x")
        );
        assert!(!r.decided() && !r.settled());
        let r = row(vec![
            first(),
            rd("h2", Decision::Approve, "bo@x", Some("h1"), false),
        ]);
        assert!(r.awaiting_second().is_none() && r.settled());
        let r = row(vec![
            first(),
            rd("h2", Decision::Approve, "ana@x", Some("h1"), false),
        ]);
        assert!(
            r.awaiting_second().is_some(),
            "the author cannot complete it"
        );
        let r = row(vec![
            first(),
            rd("h2", Decision::Deny, "ana@x", Some("h1"), false),
        ]);
        assert!(r.awaiting_second().is_none() && r.settled());
        // An ordinary approval was never pending.
        let r = row(vec![rd("h1", Decision::Approve, "ana@x", None, false)]);
        assert!(r.awaiting_second().is_none() && r.settled());
    }
}
