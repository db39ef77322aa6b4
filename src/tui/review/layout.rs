//! Where everything goes, as a pure function of the terminal size. `update` uses it for
//! page sizes and `view` for drawing, so both always agree.

use ratatui::layout::Rect;

pub use crate::tui::shell::{MIN_H, MIN_W, too_small};
/// From this width on, more columns and more detail.
pub const WIDE_W: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub header: Rect,
    /// Column header line plus the rows.
    pub queue: Rect,
    /// Title line plus the side-by-side body.
    pub detail: Rect,
    pub status: Rect,
    pub hints: Rect,
    pub wide: bool,
}

/// `None` below the minimum size.
pub fn screen(area: Rect) -> Option<Screen> {
    if area.width < MIN_W || area.height < MIN_H {
        return None;
    }
    let body = area.height - 3;
    // 8 rows at 24 lines; a third of any extra height goes to the list.
    let queue_h = 9 + (area.height - MIN_H) / 3;
    let detail_h = body - queue_h;
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y, area.width, h);
    Some(Screen {
        header: row(0, 1),
        queue: row(1, queue_h),
        detail: row(1 + queue_h, detail_h),
        status: row(area.height - 2, 1),
        hints: row(area.height - 1, 1),
        wide: area.width >= WIDE_W,
    })
}

/// Rows of the queue list at this size (0 when too small).
pub fn page_rows(size: (u16, u16)) -> usize {
    screen(Rect::new(0, 0, size.0, size.1)).map_or(0, |s| s.queue.height.saturating_sub(1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert!(screen(Rect::new(0, 0, 79, 24)).is_none());
        assert!(screen(Rect::new(0, 0, 80, 23)).is_none());
        let s = screen(Rect::new(0, 0, 80, 24)).unwrap();
        assert_eq!(page_rows((80, 24)), 8);
        assert_eq!(s.detail.height, 12);
        assert_eq!(s.hints.y, 23);
        assert!(!s.wide);
        let s = screen(Rect::new(0, 0, 120, 40)).unwrap();
        assert!(s.wide);
        assert_eq!(s.queue.height + s.detail.height + 3, 40);
        assert_eq!(page_rows((10, 10)), 0);
    }
}
