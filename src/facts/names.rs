//! Recipient name matching (docs/queue-format.md#recipient): trim, collapse inner whitespace, case-fold, then
//! compare. Done without allocating: the engine compares names for every disclosure.

/// True when the two names are equal after trimming, collapsing inner whitespace and
/// case-folding.
pub fn names_match(a: &str, b: &str) -> bool {
    let mut wa = a.split_whitespace();
    let mut wb = b.split_whitespace();
    loop {
        match (wa.next(), wb.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                if !word_eq(x, y) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

fn word_eq(x: &str, y: &str) -> bool {
    if x.len() == y.len() && x.eq_ignore_ascii_case(y) {
        return true;
    }
    if x.is_ascii() && y.is_ascii() {
        return false;
    }
    x.chars()
        .flat_map(char::to_lowercase)
        .eq(y.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::names_match;

    #[test]
    fn trims_collapses_and_folds() {
        assert!(names_match("Acme Health Plan", "  acme   HEALTH\tplan "));
        assert!(names_match("ÉCOLE Santé", "école santé"));
        assert!(!names_match("Acme Health Plan", "Acme HealthPlan"));
        assert!(!names_match("Acme", "Acme Health"));
        assert!(!names_match("Acme", ""));
        assert!(names_match("", "   "));
    }
}
