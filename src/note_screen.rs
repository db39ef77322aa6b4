//! Screening a reviewer's note before it is signed. The decision log can never be
//! rewritten, so a patient identifier typed into a note would stay there for good (the
//! identifiers of 45 CFR 164.514(b)(2)(i): names, dates of birth, telephone numbers, Social
//! Security numbers). The rules are deliberately narrow so that what reviewers need in a
//! note passes: NPIs (bare 10 digits), claim ids and due dates.
//!
//! These are recording rules only: the verifier never applies them to entries already
//! written.

use std::fmt;

/// Which rule refused a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteRule {
    /// `123-45-6789`, or nine digits right after "SSN".
    Ssn,
    /// A date within 20 characters of "DOB", "born" or "birth".
    BirthDate,
    /// A formatted phone number: `(555) 123-4567`, `555-123-4567`, `555.123.4567`.
    Phone,
    /// One of the queue's patient display labels (3 characters or more) as a whole word.
    PatientLabel,
}

impl NoteRule {
    pub fn name(self) -> &'static str {
        match self {
            NoteRule::Ssn => "ssn",
            NoteRule::BirthDate => "birth-date",
            NoteRule::Phone => "phone",
            NoteRule::PatientLabel => "patient-label",
        }
    }

    fn what(self) -> &'static str {
        match self {
            NoteRule::Ssn => "a Social Security number",
            NoteRule::BirthDate => "a date of birth (a date near \"DOB\", \"born\" or \"birth\")",
            NoteRule::Phone => "a formatted phone number",
            NoteRule::PatientLabel => "a patient's display label from the queue",
        }
    }
}

/// Why a note cannot be signed. Never repeats the text it found (it may be PHI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteRefusal {
    pub rule: NoteRule,
    /// 1-based character position where the match starts.
    pub at: usize,
}

impl fmt::Display for NoteRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the note seems to hold {} at character {} (rule {}); a signed note can never be \
             removed from the log, so leave identifiers out (the patient ref is recorded anyway)",
            self.rule.what(),
            self.at,
            self.rule.name()
        )
    }
}

impl std::error::Error for NoteRefusal {}

/// Check a note against every rule, with the queue's patient display labels.
pub fn screen_for_queue(note: &str, queue: &crate::queue::Queue) -> Result<(), NoteRefusal> {
    let labels: Vec<&str> = queue
        .patients
        .iter()
        .filter_map(|p| p.display.as_deref())
        .collect();
    screen(note, &labels)
}

/// Check a note against every rule; `patient_labels` are the queue's `display` texts.
pub fn screen(note: &str, patient_labels: &[&str]) -> Result<(), NoteRefusal> {
    let text: Vec<char> = note.chars().collect();
    let low: Vec<char> = text.iter().map(|&c| lower(c)).collect();
    let refuse = |rule, at: usize| Err(NoteRefusal { rule, at: at + 1 });
    if let Some(at) = find_ssn(&low) {
        return refuse(NoteRule::Ssn, at);
    }
    if let Some(at) = find_birth_date(&low) {
        return refuse(NoteRule::BirthDate, at);
    }
    if let Some(at) = (0..low.len()).find(|&i| phone_at(&low, i)) {
        return refuse(NoteRule::Phone, at);
    }
    for label in patient_labels {
        let label: Vec<char> = label.trim().chars().map(lower).collect();
        if label.len() >= 3
            && let Some(at) = find_word(&low, &label)
        {
            return refuse(NoteRule::PatientLabel, at);
        }
    }
    Ok(())
}

/// One-to-one lowercasing (positions stay character positions).
fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn digit(s: &[char], i: usize) -> bool {
    s.get(i).is_some_and(char::is_ascii_digit)
}

/// `n` digits starting at `i`.
fn digits(s: &[char], i: usize, n: usize) -> bool {
    (i..i + n).all(|k| digit(s, k))
}

fn digit_before(s: &[char], i: usize) -> bool {
    i > 0 && digit(s, i - 1)
}

fn letter(s: &[char], i: usize) -> bool {
    s.get(i).is_some_and(|c| c.is_alphanumeric())
}

fn letter_before(s: &[char], i: usize) -> bool {
    i > 0 && letter(s, i - 1)
}

/// Where `needle` occurs as a whole word (no letter or digit on either side).
fn find_word(s: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > s.len() {
        return None;
    }
    (0..=s.len() - needle.len()).find(|&i| {
        s[i..i + needle.len()] == *needle && !letter_before(s, i) && !letter(s, i + needle.len())
    })
}

/// Starts of `word` where it is not the tail of a longer word.
fn word_starts<'a>(s: &'a [char], word: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    let w: Vec<char> = word.chars().collect();
    let n = w.len();
    (0..s.len())
        .filter(move |&i| s[i..].starts_with(&w) && !letter_before(s, i))
        .map(move |i| (i, i + n))
}

fn find_ssn(s: &[char]) -> Option<usize> {
    let dashed = (0..s.len()).find(|&i| {
        digits(s, i, 3)
            && s.get(i + 3) == Some(&'-')
            && digits(s, i + 4, 2)
            && s.get(i + 6) == Some(&'-')
            && digits(s, i + 7, 4)
            && !digit_before(s, i)
            && !digit(s, i + 11)
    });
    if dashed.is_some() {
        return dashed;
    }
    // "SSN 123456789", "ssn: 123 45 6789", "SSN is 123-45-6789".
    for (start, end) in word_starts(s, "ssn").filter(|&(_, e)| !letter(s, e)) {
        let Some(first) = (end..(end + 9).min(s.len())).find(|&k| digit(s, k)) else {
            continue;
        };
        let (mut n, mut k) = (0, first);
        while k < s.len() && n < 10 {
            if digit(s, k) {
                n += 1;
            } else if !(matches!(s[k], ' ' | '-' | '.') && digit(s, k + 1)) {
                break;
            }
            k += 1;
        }
        if n == 9 {
            return Some(start);
        }
    }
    None
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Dates as `(start, end)`: `1980-03-07`, `3/7/1980`, `03.07.80`, `March 7, 1980`,
/// `7 Mar 1980`.
fn dates(s: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let run = |i: usize| (i..s.len()).take_while(|&k| digit(s, k)).count();
    for i in 0..s.len() {
        if digit(s, i) && !digit_before(s, i) {
            let a = run(i);
            let sep = s.get(i + a).copied();
            if let Some(sep @ ('-' | '/' | '.')) = sep {
                let b = run(i + a + 1);
                let c = run(i + a + 2 + b);
                if (1..=4).contains(&a)
                    && (1..=2).contains(&b)
                    && s.get(i + a + 1 + b) == Some(&sep)
                    && matches!(c, 2 | 4)
                {
                    out.push((i, i + a + 2 + b + c));
                }
            }
        }
        if !letter_before(s, i)
            && MONTHS
                .iter()
                .any(|m| s[i..].starts_with(&m.chars().collect::<Vec<_>>()))
        {
            let word_end = (i..s.len()).take_while(|&k| s[k].is_alphabetic()).count() + i;
            let after = (word_end..(word_end + 3).min(s.len())).any(|k| digit(s, k));
            let before = i >= 2 && digit(s, i - 2) && s[i - 1] == ' ';
            if after || before {
                out.push((i, word_end));
            }
        }
    }
    out
}

fn find_birth_date(s: &[char]) -> Option<usize> {
    let keys: Vec<(usize, usize)> = ["dob", "born", "birth"]
        .iter()
        .flat_map(|w| word_starts(s, w).collect::<Vec<_>>())
        .collect();
    if keys.is_empty() {
        return None;
    }
    dates(s)
        .into_iter()
        .find(|&(ds, de)| {
            keys.iter().any(|&(ks, ke)| {
                let gap = if ds >= ke {
                    ds - ke
                } else {
                    ks.saturating_sub(de)
                };
                gap <= 20
            })
        })
        .map(|(ds, _)| ds)
}

/// A formatted US phone number starts at `i`: `(555) 123-4567`, `555-123-4567`,
/// `555.123.4567`, `555 123 4567` (a bare 10-digit number is an NPI and passes).
fn phone_at(s: &[char], i: usize) -> bool {
    if digit_before(s, i) {
        return false;
    }
    let sep = |k: usize| s.get(k).is_some_and(|c| matches!(c, '-' | '.' | ' '));
    // The area code and where the exchange starts.
    let exchange = if s.get(i) == Some(&'(') && digits(s, i + 1, 3) && s.get(i + 4) == Some(&')') {
        if sep(i + 5) { i + 6 } else { i + 5 }
    } else if digits(s, i, 3) && sep(i + 3) {
        i + 4
    } else {
        return false;
    };
    digits(s, exchange, 3)
        && sep(exchange + 3)
        && digits(s, exchange + 4, 4)
        && !digit(s, exchange + 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(note: &str) -> Option<NoteRule> {
        screen(note, &["J.D.", "Ann Lee", "Al"])
            .err()
            .map(|r| r.rule)
    }

    #[test]
    fn social_security_numbers_are_refused() {
        assert_eq!(rule("pt 123-45-6789 called"), Some(NoteRule::Ssn));
        assert_eq!(rule("SSN 123456789"), Some(NoteRule::Ssn));
        assert_eq!(rule("ssn: 123 45 6789"), Some(NoteRule::Ssn));
        assert_eq!(rule("per SSN is 123-456789"), Some(NoteRule::Ssn));
        // Not nine digits, or not after "SSN".
        assert_eq!(rule("SSN not on file"), None);
        assert_eq!(rule("SSN 12345678"), None);
        assert_eq!(rule("ref 0123-45-67890"), None);
        assert_eq!(rule("batch 123456789 done"), None);
    }

    #[test]
    fn a_date_near_birth_words_is_refused_other_dates_pass() {
        assert_eq!(rule("DOB 1980-03-07"), Some(NoteRule::BirthDate));
        assert_eq!(rule("born 3/7/1980, verified"), Some(NoteRule::BirthDate));
        assert_eq!(rule("birthdate: March 7, 1980"), Some(NoteRule::BirthDate));
        assert_eq!(
            rule("07.03.80 is the date of birth"),
            Some(NoteRule::BirthDate)
        );
        assert_eq!(rule("dob 7 Mar 1980"), Some(NoteRule::BirthDate));
        // Due dates and far-away words pass.
        assert_eq!(rule("records due 2026-12-15"), None);
        assert_eq!(rule("awaiting consent due 12/15/2026"), None);
        assert_eq!(
            rule("birth certificate requested from the county; due 2026-12-15"),
            None
        );
        assert_eq!(rule("stubborn payer, resubmit 2026-12-15"), None);
    }

    #[test]
    fn formatted_phone_numbers_are_refused_npis_and_claims_pass() {
        for p in [
            "call (555) 123-4567",
            "call 555-123-4567",
            "call 555.123.4567",
            "call +1 555 123 4567",
            "call 1-555-123-4567 today",
            "(555)123-4567",
        ] {
            assert_eq!(rule(p), Some(NoteRule::Phone), "{p}");
        }
        assert_eq!(rule("NPI 1588800001 on the claim"), None);
        assert_eq!(rule("claim CLM-2026-000123 and 837P-0042"), None);
        assert_eq!(rule("5551234567"), None);
        assert_eq!(rule("555-1234567890"), None);
    }

    #[test]
    fn patient_labels_of_three_or_more_characters_as_whole_words() {
        assert_eq!(rule("spoke with j.d. today"), Some(NoteRule::PatientLabel));
        assert_eq!(rule("ANN LEE asked"), Some(NoteRule::PatientLabel));
        assert_eq!(rule("annual review; Ann Leeds"), None);
        // "Al" is too short to screen.
        assert_eq!(rule("Al from billing"), None);
        assert_eq!(screen("J.D.", &[]), Ok(()));
    }

    #[test]
    fn the_refusal_names_the_rule_and_where_but_not_the_text() {
        let r = screen("ok; SSN 123456789", &[]).unwrap_err();
        assert_eq!(r.at, 5);
        let msg = r.to_string();
        assert!(
            msg.contains("rule ssn") && msg.contains("character 5"),
            "{msg}"
        );
        assert!(!msg.contains("123456789"), "{msg}");
        let r = screen("spoke with Ann Lee", &["Ann Lee"]).unwrap_err();
        assert!(!r.to_string().contains("Ann"), "{r}");
    }

    #[test]
    fn plain_notes_pass() {
        for n in [
            "",
            "payer dispute; see claim 2026-000123",
            "escalated: consent form unsigned, awaiting documents",
            "override: court order 24-CV-1187 on file, due 2026-12-15",
        ] {
            assert_eq!(rule(n), None, "{n}");
        }
    }
}
