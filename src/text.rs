//! Making untrusted text safe to show on a terminal.
//!
//! Queue files and logs come from outside; a string holding ESC, a C1 control, a line or
//! paragraph separator or a bidi override could repaint or reorder the reviewer's screen.
//! Everything that prints input text goes through `escape`.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0/C1 controls, DEL,
/// U+2028/U+2029 and the bidi controls named in docs/queue-format.md#types-limits-and-forbidden-characters.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// True for characters that are invisible or reorder text without being controls: the
/// Arabic letter mark U+061C and the format characters (Unicode General_Category Cf:
/// zero-width spaces and joiners, word joiner, invisible operators, BOM, language tags…).
/// Two ids that differ only by one look identical on screen.
pub fn is_invisible_char(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
        | '\u{890}'..='\u{891}' | '\u{8e2}' | '\u{180e}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e007f}')
}

/// The one rule for text a user gets recorded — ids, refs and names (queue entries,
/// recipients, signers) and signed notes: no control character, line separator, bidi
/// control or invisible format character. Queue free text keeps them and is escaped on
/// display; the signed log's own rule is `is_unsafe_char`, which
/// verification of existing logs depends on and which therefore does not change.
pub fn is_forbidden_input_char(c: char) -> bool {
    is_unsafe_char(c) || is_invisible_char(c)
}

/// An error and its causes joined with `: ` (as `cli::error_line` shows them), for the
/// callers that still carry errors as text; not escaped.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// Show unsafe and invisible characters as visible escapes (`\n`, `\t`, `\u{1b}`,
/// `\u{200b}`); everything else as is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_forbidden_input_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_forbidden_input_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Width of `s` in terminal cells (a CJK character takes two, a combining mark none).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` in at most `cells` terminal cells, by display width: when it does not fit it is cut
/// and ends in a visible `…` (`~` with `ascii`), never cut silently.
pub fn shorten(s: &str, cells: usize, ascii: bool) -> Cow<'_, str> {
    if width(s) <= cells {
        return Cow::Borrowed(s);
    }
    if cells == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cells - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(if ascii { '~' } else { '…' });
    Cow::Owned(out)
}

/// `s` shortened to `cells` and padded with spaces to exactly `cells` (table columns).
pub fn fit(s: &str, cells: usize, ascii: bool) -> String {
    let short = shorten(s, cells, ascii);
    let pad = cells.saturating_sub(width(&short));
    format!("{short}{}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_chain_is_one_line_of_every_cause() {
        #[derive(Debug, thiserror::Error)]
        #[error("/d/log.jsonl")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(error_chain(&e), "/d/log.jsonl: disk on fire");
        assert_eq!(error_chain(&std::io::Error::other("x")), "x");
    }

    use super::*;

    #[test]
    fn shortening_goes_by_display_width_and_shows_the_cut() {
        assert_eq!(shorten("D-26407789", 10, false), "D-26407789");
        assert_eq!(shorten("D-26407789-2", 10, false), "D-2640778…");
        assert_eq!(shorten("D-26407789-2", 10, true), "D-2640778~");
        // Four CJK characters are eight cells: cut to fit six, marker included.
        let cjk = "山田太郎";
        assert_eq!(width(cjk), 8);
        assert_eq!(shorten(cjk, 6, false), "山田…");
        assert!(width(&shorten(cjk, 6, false)) <= 6);
        assert_eq!(shorten(cjk, 4, false), "山…");
        assert_eq!(shorten(cjk, 1, false), "…");
        assert_eq!(shorten(cjk, 0, false), "");
        assert_eq!(fit("山田太郎", 6, false), "山田… ");
        assert_eq!(fit("ab", 4, false), "ab  ");
        assert_eq!(width(&fit("山田太郎様", 7, false)), 7);
    }

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(escape("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(escape("\u{9b}"), "\\u{9b}");
        assert!(!escape("caf\u{e9} \u{1f3e5}").contains('\\'));
    }

    #[test]
    fn invisible_format_characters_are_forbidden_in_names_and_escaped() {
        for c in [
            '\u{61c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{2064}',
            '\u{feff}',
            '\u{e0000}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{ad}',
        ] {
            assert!(is_forbidden_input_char(c), "U+{:04X}", c as u32);
            assert!(!is_unsafe_char(c), "the log's rule must not change");
            let shown = escape(&format!("P{c}1")).into_owned();
            assert_eq!(shown, format!("P\\u{{{:x}}}1", c as u32));
        }
        for c in [
            'a', '\u{e9}', '\u{5d0}', '\u{4e2d}', '\u{a0}', '\u{2000}', '\u{3000}',
        ] {
            assert!(!is_forbidden_input_char(c), "U+{:04X}", c as u32);
        }
        assert!(is_forbidden_input_char('\u{1b}') && is_forbidden_input_char('\u{202e}'));
    }
}
