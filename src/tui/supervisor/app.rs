//! Supervisor TUI state: the loaded (already verified) records and logs, the filters and
//! what they leave visible, the selection, and the cached summary of the visible view.

use std::path::PathBuf;

use crate::supervise::{DecisionRecord, Loaded, Summary, summarize_with};

use super::keymap::SupContext;
use crate::tui::theme::Look;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    List,
    Summary,
}

pub const DECISIONS: [&str; 4] = ["approve", "deny", "escalate", "defer"];

/// One log while the background loader verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLoad {
    pub path: PathBuf,
    /// File size when loading started (0 if it could not be read).
    pub total: u64,
    pub entries: u64,
    pub bytes: u64,
    pub done: bool,
}

pub struct SupApp {
    /// `Some` while the logs are still being verified (the progress screen).
    pub loading: Option<Vec<LogLoad>>,
    pub loaded: Loaded,
    pub look: Look,
    pub size: (u16, u16),
    pub screen: Screen,
    pub help: bool,
    /// Typing the `/` filter.
    pub typing: bool,
    pub text: String,
    /// Index into [`DECISIONS`], `None` = all.
    pub decision: Option<usize>,
    pub overrides_only: bool,
    pub failed_only: bool,
    /// Indices into `loaded.records` that pass the filters, in time order.
    pub visible: Vec<u32>,
    /// Position in `visible`.
    pub selected: usize,
    /// First visible row on screen.
    pub offset: usize,
    /// The summary of `visible`, computed when the summary screen needs it.
    pub summary: Option<Summary>,
    pub quit: bool,
    /// Verifying failed with an internal error: the session ends with this message.
    pub failure: Option<String>,
}

impl SupApp {
    pub fn new(loaded: Loaded, look: Look, size: (u16, u16)) -> SupApp {
        let mut app = SupApp {
            loading: None,
            loaded,
            look,
            size,
            screen: Screen::List,
            help: false,
            typing: false,
            text: String::new(),
            decision: None,
            overrides_only: false,
            failed_only: false,
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            summary: None,
            quit: false,
            failure: None,
        };
        app.refilter();
        app
    }

    /// The progress screen over `paths` (sizes read now), before anything is verified.
    pub fn loading(paths: &[PathBuf], look: Look, size: (u16, u16)) -> SupApp {
        let logs = paths
            .iter()
            .map(|p| LogLoad {
                path: p.clone(),
                total: std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
                entries: 0,
                bytes: 0,
                done: false,
            })
            .collect();
        let mut app = SupApp::new(Loaded::default(), look, size);
        app.loading = Some(logs);
        app
    }

    /// The loader finished: show the list.
    pub fn finish_loading(&mut self, loaded: Loaded) {
        self.loading = None;
        self.loaded = loaded;
        self.refilter();
    }

    pub fn context(&self) -> SupContext {
        if crate::tui::shell::too_small(self.size) {
            SupContext::TooSmall
        } else if self.loading.is_some() {
            SupContext::Loading
        } else if self.help {
            SupContext::Help
        } else if self.typing {
            SupContext::Filter
        } else {
            SupContext::List
        }
    }

    pub fn selected_record(&self) -> Option<&DecisionRecord> {
        self.visible
            .get(self.selected)
            .map(|&i| &self.loaded.records[i as usize])
    }

    /// The failed entries among all records and other lines (header figure).
    pub fn failed_total(&self) -> usize {
        self.loaded
            .records
            .iter()
            .filter(|r| !r.verification.ok())
            .count()
            + self.loaded.other.iter().filter(|o| o.error).count()
    }

    fn matches(&self, r: &DecisionRecord, needle: &str) -> bool {
        let b = &r.body;
        self.decision.is_none_or(|d| *b.decision == *DECISIONS[d])
            && (!self.overrides_only || b.overrides)
            && (!self.failed_only || !r.verification.ok())
            && (needle.is_empty() || {
                let fields = [
                    &*b.reviewer,
                    b.subject.as_str(),
                    b.disclosure.as_str(),
                    &*b.decision,
                    &*b.recipient.name,
                    &*b.purpose,
                    &*b.part2,
                    &*b.rule,
                    b.note.as_deref().unwrap_or(""),
                    b.reason_code.as_deref().unwrap_or(""),
                ];
                fields.iter().any(|f| contains_ci(f, needle))
            })
    }

    /// Recompute `visible` after a filter changed; keeps the selection in range.
    pub fn refilter(&mut self) {
        let needle = self.text.to_lowercase();
        let visible: Vec<u32> = self
            .loaded
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| self.matches(r, &needle))
            .map(|(i, _)| i as u32)
            .collect();
        self.visible = visible;
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
        self.summary = None;
        if self.screen == Screen::Summary {
            self.ensure_summary();
        }
    }

    pub fn ensure_summary(&mut self) {
        if self.summary.is_none() {
            let shown: Vec<&DecisionRecord> = self
                .visible
                .iter()
                .map(|&i| &self.loaded.records[i as usize])
                .collect();
            self.summary = Some(summarize_with(&shown, |h| {
                self.loaded.superseded.contains(h)
            }));
        }
    }

    /// A one-line description of the active filters.
    pub fn filter_label(&self) -> String {
        let mut parts = Vec::new();
        if !self.text.is_empty() {
            parts.push(format!("/{}", crate::text::escape(&self.text)));
        }
        if let Some(d) = self.decision {
            parts.push(DECISIONS[d].to_owned());
        }
        if self.overrides_only {
            parts.push("overrides".into());
        }
        if self.failed_only {
            parts.push("failed".into());
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(" ")
        }
    }
}

/// ASCII case-insensitive substring test; `needle` is already lowercase.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        hay.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        hay.to_lowercase().contains(needle)
    }
}
