//! Semantic styles and glyphs. Meaning never rests on colour alone: the selection is
//! REVERSED + BOLD with a marker, verdicts are words, errors say "Error:". Without colour
//! (`--no-color`, `NO_COLOR`) no cell gets a foreground or background at all; `--ascii`
//! swaps box drawing and symbols for plain ASCII (PuTTY, old fonts).

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::engine::{HipaaStatus, Part2Status};

/// Display settings fixed at start, shared by every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub color: bool,
    pub ascii: bool,
}

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub look: Look,
}

impl Theme {
    pub fn new(look: Look) -> Theme {
        Theme { look }
    }

    fn fg(&self, s: Style, c: Color) -> Style {
        if self.look.color { s.fg(c) } else { s }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub fn bar(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    pub fn error(&self) -> Style {
        self.fg(self.bold(), Color::Red)
    }
    /// DEMO and stale-queue badges inside the reversed header bar: normal video stands out.
    pub fn badge(&self) -> Style {
        self.fg(self.bold(), Color::Yellow)
    }
    /// The `unsettled` banner.
    pub fn banner(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            Color::Yellow,
        )
    }
    pub fn key(&self) -> Style {
        self.fg(self.bold(), Color::Cyan)
    }
    pub fn ok(&self) -> Style {
        self.fg(Style::new(), Color::Green)
    }
    pub fn fail(&self) -> Style {
        self.fg(self.bold(), Color::Red)
    }

    pub fn part2(&self, s: Part2Status) -> Style {
        match s {
            Part2Status::Prohibited
            | Part2Status::CourtOrderRequired
            | Part2Status::ConsentRequired => self.fg(self.bold(), Color::Red),
            Part2Status::PermittedWithNotice => self.fg(Style::new(), Color::Yellow),
            Part2Status::Permitted => self.fg(Style::new(), Color::Green),
            Part2Status::NotApplicable => Style::new(),
        }
    }

    pub fn hipaa(&self, s: HipaaStatus) -> Style {
        match s {
            HipaaStatus::Prohibited | HipaaStatus::AuthorizationRequired => {
                self.fg(self.bold(), Color::Red)
            }
            HipaaStatus::PermittedTpo | HipaaStatus::PermittedNoAuth | HipaaStatus::Required => {
                self.fg(Style::new(), Color::Green)
            }
            HipaaStatus::NotPhi | HipaaStatus::NotApplicable => Style::new(),
        }
    }

    pub fn border(&self) -> border::Set<'static> {
        if self.look.ascii {
            ASCII_BORDER
        } else {
            border::PLAIN
        }
    }
    /// The sort direction: ▲ ascending, ▼ descending (`^` / `v` in ASCII).
    pub fn sort_marker(&self, reverse: bool) -> &'static str {
        match (self.look.ascii, reverse) {
            (false, false) => "▲",
            (false, true) => "▼",
            (true, false) => "^",
            (true, true) => "v",
        }
    }

    pub fn marker(&self) -> &'static str {
        if self.look.ascii { ">" } else { "▶" }
    }
    pub fn check(&self, ok: bool) -> &'static str {
        match (ok, self.look.ascii) {
            (true, false) => "✓",
            (false, false) => "✗",
            (true, true) => "+",
            (false, true) => "x",
        }
    }
    pub fn sep(&self) -> &'static str {
        if self.look.ascii { "|" } else { "│" }
    }
    pub fn dot(&self) -> &'static str {
        if self.look.ascii { "-" } else { "·" }
    }
    pub fn updown(&self) -> &'static str {
        if self.look.ascii { "Up/Down" } else { "↑↓" }
    }
    pub fn arrow(&self) -> &'static str {
        if self.look.ascii { "->" } else { "→" }
    }
    pub fn section(&self) -> &'static str {
        if self.look.ascii { "s." } else { "§" }
    }
}
