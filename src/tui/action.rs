//! Everything that can change the review screen: keys become actions through the keymap,
//! and the runtime feeds results (loading, evaluation, receipts) back as actions too.

use std::path::PathBuf;
use std::sync::Arc;

use crate::decision::Decision;
use crate::queue::LoadedQueue;

use super::app::{EvalFn, RowDecision, Verdict};
use super::sink::Receipt;

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
    // Views and filters.
    StartFilter,
    CyclePart2Filter,
    CycleDecidedFilter,
    FilterEscalated,
    CycleSort,
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
    // From the runtime.
    Resize(u16, u16),
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
    /// The runtime's periodic tick (polls the own log).
    Tick,
    /// A warning about the log for the header (cannot be written, open elsewhere).
    LogNotice(String),
    Recorded {
        row: u32,
        result: Result<Receipt, String>,
    },
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
            Action::StartFilter => "filter",
            Action::CyclePart2Filter => "filter_part2",
            Action::CycleDecidedFilter => "filter_decided",
            Action::FilterEscalated => "filter_escalated",
            Action::CycleSort => "sort",
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
            Action::Loaded(..) => "loaded",
            Action::LoadFailed(_) => "load_failed",
            Action::Evaluated { .. } => "evaluated",
            Action::Seed(_) => "seed",
            Action::LogAppended { .. } => "log-appended",
            Action::Tick => "tick",
            Action::LogNotice(_) => "log-notice",
            Action::Recorded { .. } => "recorded",
            Action::QueueChanged => "queue_changed",
            Action::Saved(_) => "saved",
            Action::RuntimeError(_) => "runtime_error",
        }
    }
}
