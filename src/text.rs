//! Making untrusted text safe to show on a terminal.
//!
//! Queue files and logs come from outside; a string holding ESC, a C1 control, a line or
//! paragraph separator or a bidi override could repaint or reorder the reviewer's screen.
//! Everything that prints input text goes through `escape`.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0/C1 controls, DEL,
/// U+2028/U+2029 and the bidi controls named in SPEC §3.1.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Show unsafe characters as visible escapes (`\n`, `\t`, `\u{1b}`); everything else as is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(escape("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(escape("\u{9b}"), "\\u{9b}");
        assert!(!escape("caf\u{e9} \u{1f3e5}").contains('\\'));
    }
}
