//! Supervisor TUI state: the loaded (already verified) records and logs, the filters and
//! what they leave visible, the selection, and the cached summary of the visible view.

use std::path::PathBuf;

use crate::supervise::intern::Texts;
use crate::supervise::{DecisionRecord, Loaded, Summary, Sym, summarize_with};

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
    /// The filters `visible` was last computed for (a narrower one starts from it).
    filtered: Option<FilterKey>,
    /// The wider results on the way to `visible`, widest first: each entry's filters are
    /// narrowed by the next one's (and the last one's by `filtered`). A backspace pops back
    /// to an earlier result instead of rescanning every record. `None`: the same result as
    /// the next entry (or `visible`), which a narrower filter that removed nothing has.
    wider: Vec<(FilterKey, Option<Vec<u32>>)>,
    /// How many records the last [`SupApp::refilter`] tested (0 when it restored an
    /// earlier result).
    pub scanned: usize,
    pub quit: bool,
    /// Verifying failed with an internal error: the session ends with this message.
    pub failure: Option<String>,
    /// Team work (docs/team.md#conflicts): entries in conflict, pending four-eyes approvals.
    pub flags: crate::supervise::conflict::Flags,
    /// The incidents in the logs (docs/incidents.md), joined from `loaded.incident_entries`.
    pub incidents: crate::supervise::incidents::IncidentsLoaded,
    /// The day notice deadlines are counted to (today).
    pub as_of: chrono::NaiveDate,
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
            filtered: None,
            wider: Vec::new(),
            scanned: 0,
            quit: false,
            failure: None,
            flags: Default::default(),
            incidents: Default::default(),
            as_of: chrono::Local::now().date_naive(),
        };
        app.flags =
            crate::supervise::conflict::Flags::of(&app.loaded.records, &app.loaded.superseded);
        app.incidents = crate::supervise::incidents::incidents_of(&app.loaded.incident_entries);
        app.refilter();
        app
    }

    /// Incidents with a notice still owed (or not assessed yet), and how many of them are
    /// overdue, on `as_of`.
    pub fn open_incidents(&self) -> (usize, usize) {
        let open: Vec<_> = self
            .incidents
            .incidents
            .iter()
            .filter(|v| v.open(self.as_of))
            .collect();
        let overdue = open.iter().filter(|v| v.overdue(self.as_of)).count();
        (open.len(), overdue)
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
        self.flags =
            crate::supervise::conflict::Flags::of(&self.loaded.records, &self.loaded.superseded);
        self.incidents = crate::supervise::incidents::incidents_of(&self.loaded.incident_entries);
        self.filtered = None;
        self.wider.clear();
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

    /// Recompute `visible` after a filter changed; keeps the selection in range.
    ///
    /// Fast at a million records: every searched field is an interned symbol, so the
    /// needle is tested once per distinct string (memoised by symbol), not once per
    /// record; the decision is compared as a symbol; a needle that extends the previous
    /// one (typing a character) filters the previous result, not all records; and a
    /// backspace gets the earlier result back from `wider` without testing any record.
    pub fn refilter(&mut self) {
        let key = FilterKey {
            records: (
                self.loaded.records.as_ptr() as usize,
                self.loaded.records.len(),
            ),
            needle: self.text.to_lowercase(),
            decision: self.decision,
            overrides_only: self.overrides_only,
            failed_only: self.failed_only,
        };
        let current = std::mem::take(&mut self.visible);
        self.scanned = 0;
        match self.filtered.take() {
            // Typing: the new result is a subset of the current one.
            Some(k) if k.narrowed_by(&key) => self.narrow(k, current, &key),
            // Anything else: back down the earlier, wider results to the filters asked
            // for (a backspace), or to the narrowest one the new filters narrow.
            _ => {
                let mut carried = current;
                loop {
                    let Some((k, v)) = self.wider.pop() else {
                        // Nothing to start from: every record.
                        let all: Vec<u32> = (0..self.loaded.records.len() as u32).collect();
                        self.visible = self.scan(&all, &key);
                        break;
                    };
                    if let Some(v) = v {
                        carried = v;
                    }
                    if k == key {
                        self.visible = carried;
                        break;
                    }
                    if k.narrowed_by(&key) {
                        self.narrow(k, carried, &key);
                        break;
                    }
                }
            }
        }
        self.filtered = Some(key);
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
        self.summary = None;
        if self.screen == Screen::Summary {
            self.ensure_summary();
        }
    }

    /// `visible` for `key` from `base`, the result of the wider filters `from`, which are
    /// remembered (unless they are the same filters: a refilter with nothing changed).
    fn narrow(&mut self, from: FilterKey, base: Vec<u32>, key: &FilterKey) {
        self.visible = self.scan(&base, key);
        if from == *key {
            return;
        }
        // A subset of the same size is the same set: no second copy.
        let kept = (self.visible.len() != base.len()).then_some(base);
        self.wider.push((from, kept));
        // At most two views' worth of indices are kept (8 MB at a million records); the
        // widest go first (a backspace that far rescans, as without them).
        let budget = 2 * self.loaded.records.len().max(1 << 16);
        while self
            .wider
            .iter()
            .filter_map(|(_, v)| v.as_ref().map(Vec::len))
            .sum::<usize>()
            > budget
        {
            self.wider.remove(0);
        }
    }

    /// The records among `candidates` that pass `key`'s filters, in order.
    fn scan(&mut self, candidates: &[u32], key: &FilterKey) -> Vec<u32> {
        self.scanned = candidates.len();
        let test = RecordTest {
            decision: key.decision.map(|d| Sym::new(DECISIONS[d])),
            overrides_only: key.overrides_only,
            failed_only: key.failed_only,
            needle: &key.needle,
        };
        let records = &self.loaded.records;
        // Large views are scanned on every core, each part with its own memo.
        let parts = if candidates.len() < 100_000 {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
        };
        let scan = |part: &[u32]| -> Vec<u32> {
            let mut memo = TextMemo::new(test.needle);
            // Sized once: growing a million-entry result by doubling, and then joining
            // the parts, touched fresh pages for most of a keystroke's time.
            let mut out = Vec::with_capacity(part.len());
            out.extend(
                part.iter()
                    .copied()
                    .filter(|&i| test.passes(&records[i as usize], &mut memo)),
            );
            out
        };
        if parts == 1 {
            scan(candidates)
        } else {
            let per = candidates.len().div_ceil(parts);
            std::thread::scope(|sc| {
                let hs: Vec<_> = candidates
                    .chunks(per)
                    .map(|c| sc.spawn(move || scan(c)))
                    .collect();
                // `concat` sizes the joined result once.
                hs.into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect::<Vec<Vec<u32>>>()
                    .concat()
            })
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

/// One filter state applied to a record.
struct RecordTest<'n> {
    decision: Option<Sym>,
    overrides_only: bool,
    failed_only: bool,
    /// Lowercase.
    needle: &'n str,
}

impl RecordTest<'_> {
    fn passes(&self, r: &DecisionRecord, memo: &mut TextMemo) -> bool {
        let b = &r.body;
        self.decision.is_none_or(|d| b.decision == d)
            && (!self.overrides_only || b.override_)
            && (!self.failed_only || !r.verification.ok())
            && (self.needle.is_empty()
                || memo.matches(b.reviewer)
                || memo.matches(b.subject)
                || memo.matches(b.disclosure)
                || memo.matches(b.decision)
                || memo.matches(b.recipient.name)
                || memo.matches(b.purpose)
                || memo.matches(b.part2)
                || memo.matches(b.rule)
                || b.note.is_some_and(|n| memo.matches(n))
                || b.reason_code.is_some_and(|c| memo.matches(c)))
    }
}

/// The filters `visible` was computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FilterKey {
    /// Which records (address and count): a new load is never narrowed.
    records: (usize, usize),
    needle: String,
    decision: Option<usize>,
    overrides_only: bool,
    failed_only: bool,
}

impl FilterKey {
    /// Everything `new` shows, `self` showed too: same toggles, and a needle containing
    /// the old one (a record matching the new needle matches the old).
    fn narrowed_by(&self, new: &FilterKey) -> bool {
        self.records == new.records
            && self.decision == new.decision
            && self.overrides_only == new.overrides_only
            && self.failed_only == new.failed_only
            && new.needle.contains(self.needle.as_str())
    }
}

/// The needle's verdict on each distinct string, computed on first sight.
struct TextMemo<'n> {
    needle: &'n str,
    /// Per symbol index: 0 not yet tested, 1 contains the needle, 2 does not.
    seen: Vec<u8>,
    /// The symbols' text, read under one lock for the whole scan.
    texts: Texts,
}

impl<'n> TextMemo<'n> {
    fn new(needle: &'n str) -> TextMemo<'n> {
        let texts = Texts::read();
        TextMemo {
            needle,
            seen: if needle.is_empty() {
                Vec::new()
            } else {
                vec![0; texts.count()]
            },
            texts,
        }
    }

    fn matches(&mut self, s: Sym) -> bool {
        let i = s.index();
        if i >= self.seen.len() {
            self.seen.resize(i + 1, 0);
        }
        if self.seen[i] == 0 {
            self.seen[i] = if contains_ci(self.texts.get(s), self.needle) {
                1
            } else {
                2
            };
        }
        self.seen[i] == 1
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
