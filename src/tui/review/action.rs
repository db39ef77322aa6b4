//! Everything that can change the review screen: keys become actions through the keymap,
//! and the runtime feeds results (loading, evaluation, receipts) back as actions too.

use std::path::PathBuf;
use std::sync::Arc;

use crate::decision::Decision;
use crate::queue::LoadedQueue;

use super::app::{EvalFn, RowDecision, Verdict};
use crate::tui::sink::Receipt;

#[derive(Clone)]
pub enum Action {
    // Navigation.
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextUndecided,
    // Deciding.
    Decide(Decision),
    /// `v`: mark the selected row for a bulk defer or escalate.
    ToggleMark,
    // Views and filters.
    StartFilter,
    /// In the `/` line: switch between filtering and searching.
    ToggleSearch,
    /// `N`: the previous search match.
    PrevMatch,
    CyclePart2Filter,
    CycleDecidedFilter,
    FilterEscalated,
    CycleSort,
    ReverseSort,
    ShowTrace,
    ShowStatement,
    ShowMessages,
    SaveAttachment,
    Reload,
    Help,
    Quit,
    // Inside dialogs and text entry.
    Accept,
    Cancel,
    Yes,
    No,
    SwitchChoice,
    Input(char),
    Backspace,
    /// Ctrl-W: delete the word before the cursor.
    DeleteWord,
    /// Ctrl-U: clear the line.
    ClearLine,
    /// Bracketed paste: text for the field being edited, never a key.
    Paste(String),
    /// The runtime flushed frame number `n` to the terminal.
    Flushed(u64),
    /// The key handled next was read when `n` frames had been flushed.
    KeyRead(u64),
    // From the shell.
    Resize(u16, u16),
    /// A left click at a terminal cell (the list selects the row under it).
    Click {
        column: u16,
        row: u16,
    },
    /// The shell's periodic tick (every 500 ms, docs/keys.md): polls the own log for
    /// decisions recorded elsewhere (live reload); redraws only when something changed.
    Tick,
    Loaded(Arc<LoadedQueue>, EvalFn),
    LoadFailed(String),
    /// Verdicts from the background job for the load `generation`.
    Evaluated {
        generation: u64,
        start: u32,
        verdicts: Vec<Verdict>,
    },
    Seed(Vec<(u32, RowDecision)>),
    /// Decisions appended to the log since the last poll (live reload); `restarted`: the
    /// log was read again from its start (replaced), so the list is all of it.
    LogAppended {
        restarted: bool,
        list: Vec<(u32, RowDecision)>,
    },
    /// A warning about the log for the header (cannot be written, open elsewhere).
    LogNotice(String),
    Recorded {
        row: u32,
        result: Result<Receipt, String>,
    },
    /// Team work: the claim asked for when `decision` was pressed on `row` (the dialog
    /// opens only when it was taken; docs/team.md#claims).
    Claimed {
        row: u32,
        decision: Decision,
        result: Result<(), crate::tui::sink::ClaimRefused>,
    },
    /// Team work: the claims asked for when `decision` was pressed with `rows` marked (a
    /// bulk decision: the dialog opens only when every one was taken).
    ClaimedMarked {
        rows: Vec<u32>,
        decision: Decision,
        result: Result<(), crate::tui::sink::ClaimRefused>,
    },
    /// Team work: the rows others hold a live claim on now, with the holder.
    Claims(Vec<(u32, String)>),
    /// The queue file on disk no longer matches what is shown.
    QueueChanged,
    Saved(Result<PathBuf, String>),
    /// Something the runtime could not do (reading the log back, ...).
    RuntimeError(String),
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Loaded(q, _) => write!(f, "Loaded({} disclosures)", q.queue.disclosures.len()),
            Action::Evaluated {
                start, verdicts, ..
            } => {
                write!(f, "Evaluated {{ start: {start}, n: {} }}", verdicts.len())
            }
            Action::Decide(d) => write!(f, "Decide({})", d.as_str()),
            Action::Input(c) => write!(f, "Input({c:?})"),
            Action::Paste(s) => write!(f, "Paste({} chars)", s.chars().count()),
            Action::Flushed(n) => write!(f, "Flushed({n})"),
            Action::KeyRead(n) => write!(f, "KeyRead({n})"),
            Action::Resize(w, h) => write!(f, "Resize({w}, {h})"),
            Action::Recorded { row, result } => write!(f, "Recorded({row}, {result:?})"),
            other => f.write_str(other.name()),
        }
    }
}

impl Action {
    /// A stable name (help overlay, debugging).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Home => "first",
            Action::End => "last",
            Action::NextUndecided => "next_undecided",
            Action::Decide(_) => "decide",
            Action::ToggleMark => "mark",
            Action::StartFilter => "filter",
            Action::ToggleSearch => "search_toggle",
            Action::PrevMatch => "previous_match",
            Action::CyclePart2Filter => "filter_part2",
            Action::CycleDecidedFilter => "filter_decided",
            Action::FilterEscalated => "filter_escalated",
            Action::CycleSort => "sort",
            Action::ReverseSort => "sort_reverse",
            Action::ShowTrace => "trace",
            Action::ShowStatement => "statement",
            Action::ShowMessages => "messages",
            Action::SaveAttachment => "save_attachment",
            Action::Reload => "reload",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Accept => "accept",
            Action::Cancel => "cancel",
            Action::Yes => "yes",
            Action::No => "no",
            Action::SwitchChoice => "switch",
            Action::Input(_) => "input",
            Action::Backspace => "backspace",
            Action::DeleteWord => "delete_word",
            Action::ClearLine => "clear_line",
            Action::Paste(_) => "paste",
            Action::Flushed(_) => "flushed",
            Action::KeyRead(_) => "key_read",
            Action::Resize(..) => "resize",
            Action::Click { .. } => "click",
            Action::Tick => "tick",
            Action::Loaded(..) => "loaded",
            Action::LoadFailed(_) => "load_failed",
            Action::Evaluated { .. } => "evaluated",
            Action::Seed(_) => "seed",
            Action::LogAppended { .. } => "log-appended",
            Action::LogNotice(_) => "log-notice",
            Action::Recorded { .. } => "recorded",
            Action::Claimed { .. } => "claimed",
            Action::ClaimedMarked { .. } => "claimed_marked",
            Action::Claims(_) => "claims",
            Action::QueueChanged => "queue_changed",
            Action::Saved(_) => "saved",
            Action::RuntimeError(_) => "runtime_error",
        }
    }
}
