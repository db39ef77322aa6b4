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

/// True for invisible format characters (General_Category Cf that render as nothing):
/// U+061C ARABIC LETTER MARK, U+200B–U+200D (zero-width space/joiners), U+2060–U+2064
/// (word joiner, invisible operators), U+FEFF (BOM / zero-width no-break space) and the tag
/// characters U+E0000–U+E007F. They can make two different texts look the same. Refused
/// in input that gets recorded and escaped on display; NOT part of the log verifier's
/// frozen v1 rules (old entries holding them stay valid).
pub fn is_invisible_char(c: char) -> bool {
    matches!(c,
        '\u{61c}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        | '\u{e0000}'..='\u{e007f}')
}

/// Characters refused in text a user records (notes): unsafe or invisible.
pub fn is_forbidden_input_char(c: char) -> bool {
    is_unsafe_char(c) || is_invisible_char(c)
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

    #[test]
    fn escapes_invisible_format_characters() {
        for c in [
            '\u{61c}',
            '\u{200b}',
            '\u{200d}',
            '\u{2060}',
            '\u{2064}',
            '\u{feff}',
            '\u{e0001}',
            '\u{e007f}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(escape(&s), format!("a\\u{{{:x}}}b", c as u32));
            assert!(is_forbidden_input_char(c));
            assert!(!is_unsafe_char(c), "not a verifier rule");
        }
        for c in ['\u{200a}', '\u{200e}', '\u{2065}', '\u{e0080}', 'é'] {
            assert!(!is_invisible_char(c), "{c:?}");
        }
    }
}
