//! The text that must travel with a consent-based disclosure (42 CFR 2.32): the notice
//! statement and a clear explanation of the consent. Shown on `x`, saved on `w`.
//! Everything from the queue is escaped; only the opaque patient ref is used, never a name.

use std::fmt::Write;

use crate::engine::Evaluation;
use crate::queue::{Disclosure, LoadedQueue};
use crate::text::escape;

pub fn text(l: &LoadedQueue, d: &Disclosure, e: &Evaluation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Disclosure {} — to accompany it (42 CFR 2.32)",
        escape(&d.id)
    );
    let _ = writeln!(
        s,
        "Patient ref {} · to {} ({}) · purpose {}",
        escape(&d.patient),
        escape(&d.recipient.name),
        d.recipient.kind.as_str(),
        d.purpose.as_str()
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "NOTICE OF PROHIBITION ON REDISCLOSURE (42 CFR 2.32)");
    match (&e.part2.notice.statement, e.part2.notice.required) {
        (Some(st), _) => {
            let _ = writeln!(s, "{}", escape(st));
        }
        (None, true) => {
            let _ = writeln!(
                s,
                "(the policy gave no statement text; use the form your program approved)"
            );
        }
        (None, false) => {
            let _ = writeln!(
                s,
                "No §2.32 notice is required for this disclosure ({}).",
                e.part2.status.word()
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "CONSENT");
    let consent = e
        .consent
        .id
        .as_deref()
        .and_then(|id| l.index.consent(&l.queue, id));
    match consent {
        None => {
            let _ = writeln!(
                s,
                "No consent is relied on (consent status: {}).",
                e.consent.status
            );
        }
        Some(c) => {
            let program = l
                .index
                .program(&l.queue, &c.program)
                .map_or(c.program.as_str(), |p| p.name.as_str());
            let recipients: Vec<String> = c
                .recipients
                .iter()
                .map(|r| match (&r.class, &r.name) {
                    (Some(cl), _) => format!("class {}", cl.token()),
                    (None, Some(n)) => escape(n).into_owned(),
                    (None, None) => "?".into(),
                })
                .collect();
            let purposes: Vec<&str> = c.purposes.iter().map(|p| p.as_str()).collect();
            let records: Vec<&str> = c.records.iter().map(|r| r.as_str()).collect();
            let _ = writeln!(
                s,
                "Consent {} ({} consent) from patient ref {}",
                escape(&c.id),
                kind_word(c.kind),
                escape(&c.patient)
            );
            let _ = writeln!(s, "  Discloser:   {}", escape(program));
            let _ = writeln!(s, "  Recipients:  {}", recipients.join("; "));
            let _ = writeln!(s, "  Purposes:    {}", purposes.join(", "));
            let _ = writeln!(s, "  Records:     {}", records.join(", "));
            if let Some(info) = &c.information {
                let _ = writeln!(s, "  Information: {}", escape(info));
            }
            let _ = writeln!(s, "  Signed on:   {}", c.signed_on);
            match (&c.expires_on, &c.expires_event) {
                (Some(d), _) => {
                    let _ = writeln!(s, "  Expires on:  {d}");
                }
                (None, Some(ev)) => {
                    let _ = writeln!(s, "  Expires on:  the event \"{}\"", escape(ev));
                }
                _ => {}
            }
            if let Some(r) = c.revoked_on {
                let _ = writeln!(s, "  Revoked on:  {r}");
            }
            let _ = writeln!(s, "  Status as of {}: {}", e.as_of, e.consent.status);
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "WHAT THE RECIPIENT MAY DO NEXT: {}",
        e.part2.redisclosure
    );
    let _ = writeln!(
        s,
        "Part 2: {} — {}",
        e.part2.status.word(),
        escape(&e.part2.explanation)
    );
    if !e.part2.citations.is_empty() {
        let _ = writeln!(s, "Citations: {}", escape(&e.part2.citations.join("; ")));
    }
    let _ = writeln!(
        s,
        "Evaluated as of {} under policy {} {}",
        e.as_of,
        escape(&e.policy.part2.id),
        escape(&e.policy.part2.version)
    );
    s
}

/// A file name for a disclosure's attachment that is safe on any file system.
pub fn file_name(disclosure: &str) -> String {
    let safe: String = disclosure
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}-notice-2.32.txt", safe.trim_start_matches('.'))
}

fn kind_word(k: crate::queue::ConsentKind) -> &'static str {
    use crate::queue::ConsentKind as K;
    match k {
        K::Tpo => "TPO",
        K::Specific => "specific",
        K::CounselingNotes => "counseling notes",
        K::Proceedings => "proceedings",
        K::CriminalJustice => "criminal justice",
        K::GeneralRelease => "general release",
    }
}
