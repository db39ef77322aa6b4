//! What a reviewer decides, and the rules about reasons and overrides (docs/signed-log.md#decision).
//! Shared by `decide`, the review TUI and the log so that all three apply one rule set.

use serde::{Deserialize, Serialize};

use crate::verdict::{HipaaStatus, Part2Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Deny,
    Escalate,
    Defer,
}

impl Decision {
    pub const ALL: [Decision; 4] = [
        Decision::Approve,
        Decision::Deny,
        Decision::Escalate,
        Decision::Defer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
            Decision::Escalate => "escalate",
            Decision::Defer => "defer",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    ConsentVerified,
    ExceptionApplies,
    CourtOrderOnFile,
    ConsentMissing,
    ConsentInvalid,
    RestrictionApplies,
    NeedsPrivacyOfficer,
    AwaitingDocuments,
    /// Needs a note.
    Other,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 9] = [
        ReasonCode::ConsentVerified,
        ReasonCode::ExceptionApplies,
        ReasonCode::CourtOrderOnFile,
        ReasonCode::ConsentMissing,
        ReasonCode::ConsentInvalid,
        ReasonCode::RestrictionApplies,
        ReasonCode::NeedsPrivacyOfficer,
        ReasonCode::AwaitingDocuments,
        ReasonCode::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::ConsentVerified => "consent_verified",
            ReasonCode::ExceptionApplies => "exception_applies",
            ReasonCode::CourtOrderOnFile => "court_order_on_file",
            ReasonCode::ConsentMissing => "consent_missing",
            ReasonCode::ConsentInvalid => "consent_invalid",
            ReasonCode::RestrictionApplies => "restriction_applies",
            ReasonCode::NeedsPrivacyOfficer => "needs_privacy_officer",
            ReasonCode::AwaitingDocuments => "awaiting_documents",
            ReasonCode::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReasonCode> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A short label for pickers.
    pub fn label(self) -> &'static str {
        match self {
            ReasonCode::ConsentVerified => "Consent verified",
            ReasonCode::ExceptionApplies => "A no-consent exception applies",
            ReasonCode::CourtOrderOnFile => "Court order on file",
            ReasonCode::ConsentMissing => "Consent missing",
            ReasonCode::ConsentInvalid => "Consent invalid",
            ReasonCode::RestrictionApplies => "Patient restriction applies",
            ReasonCode::NeedsPrivacyOfficer => "Needs the privacy officer",
            ReasonCode::AwaitingDocuments => "Awaiting documents",
            ReasonCode::Other => "Other (note required)",
        }
    }
}

/// Maximum note length in characters (docs/signed-log.md#decision).
pub const NOTE_MAX_CHARS: usize = 280;

/// docs/signed-log.md#decision: `override` ⇔ approve and (Part 2 blocks it, or Part 2 does not apply and HIPAA
/// needs an authorization or prohibits it). Deny, escalate and defer are never overrides.
pub fn is_override(decision: Decision, part2: Part2Status, hipaa: HipaaStatus) -> bool {
    decision == Decision::Approve
        && (part2.blocks()
            || (part2 == Part2Status::NotApplicable
                && matches!(
                    hipaa,
                    HipaaStatus::AuthorizationRequired | HipaaStatus::Prohibited
                )))
}

/// docs/signed-log.md#decision: a reason code is required for deny, escalate, an override, and an approval
/// of an `unsettled` item.
pub fn reason_required(decision: Decision, overrides: bool, unsettled: bool) -> bool {
    match decision {
        Decision::Deny | Decision::Escalate => true,
        Decision::Approve => overrides || unsettled,
        Decision::Defer => false,
    }
}

/// Why a decision as given cannot be recorded. Messages say what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionProblem {
    ReasonRequired {
        decision: Decision,
        why: &'static str,
    },
    NoteRequiredForOther,
    /// An override goes against the verdict: whoever reviews it needs to read why
    /// (a recording rule; v1 entries without one stay valid).
    NoteRequiredForOverride,
    NoteTooLong {
        chars: usize,
    },
    NoteHasControlCharacters,
}

impl std::fmt::Display for DecisionProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecisionProblem::ReasonRequired { decision, why } => write!(
                f,
                "a reason code is required to {} {why}; pass --reason-code (one of: {})",
                decision.as_str(),
                ReasonCode::ALL.map(|r| r.as_str()).join(", ")
            ),
            DecisionProblem::NoteRequiredForOther => {
                f.write_str("reason code `other` needs a note; pass --note TEXT")
            }
            DecisionProblem::NoteRequiredForOverride => f.write_str(
                "an override approval needs a note saying why the verdict does not hold here (the supervisor reviewing the override reads it, and the log can never be amended later); pass --note TEXT",
            ),
            DecisionProblem::NoteTooLong { chars } => write!(
                f,
                "the note has {chars} characters; at most {NOTE_MAX_CHARS} are allowed"
            ),
            DecisionProblem::NoteHasControlCharacters => f.write_str(
                "the note contains control, line-separator, bidi or invisible (zero-width, format) characters; use plain text",
            ),
        }
    }
}

/// Check reason and note rules before anything is written: the frozen v1 rules plus the
/// input rules added since (invisible characters in notes, a note on every override),
/// which apply only when recording.
pub fn check(
    decision: Decision,
    reason: Option<ReasonCode>,
    note: Option<&str>,
    overrides: bool,
    unsettled: bool,
) -> Result<(), DecisionProblem> {
    check_v1(decision, reason, note, overrides, unsettled)?;
    if note.is_some_and(|n| n.chars().any(crate::text::is_invisible_char)) {
        return Err(DecisionProblem::NoteHasControlCharacters);
    }
    if overrides && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(DecisionProblem::NoteRequiredForOverride);
    }
    Ok(())
}

/// The reason and note rules as v1 entries were written under: what the verifier checks
/// (frozen; entries that passed them stay valid forever).
pub fn check_v1(
    decision: Decision,
    reason: Option<ReasonCode>,
    note: Option<&str>,
    overrides: bool,
    unsettled: bool,
) -> Result<(), DecisionProblem> {
    if reason.is_none() && reason_required(decision, overrides, unsettled) {
        let why = match decision {
            Decision::Approve if overrides => "this item (it overrides the Part 2 verdict)",
            Decision::Approve => "an item whose rule is legally unsettled",
            _ => "an item",
        };
        return Err(DecisionProblem::ReasonRequired { decision, why });
    }
    if let Some(n) = note {
        let chars = n.chars().count();
        if chars > NOTE_MAX_CHARS {
            return Err(DecisionProblem::NoteTooLong { chars });
        }
        if n.chars().any(crate::text::is_unsafe_char) {
            return Err(DecisionProblem::NoteHasControlCharacters);
        }
    }
    if reason == Some(ReasonCode::Other) && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(DecisionProblem::NoteRequiredForOther);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use HipaaStatus as H;
    use Part2Status as P;

    #[test]
    fn override_rule() {
        assert!(is_override(
            Decision::Approve,
            P::ConsentRequired,
            H::PermittedTpo
        ));
        assert!(is_override(Decision::Approve, P::Prohibited, H::Prohibited));
        assert!(is_override(
            Decision::Approve,
            P::NotApplicable,
            H::AuthorizationRequired
        ));
        assert!(!is_override(
            Decision::Approve,
            P::NotApplicable,
            H::PermittedTpo
        ));
        assert!(!is_override(
            Decision::Approve,
            P::PermittedWithNotice,
            H::PermittedTpo
        ));
        for d in [Decision::Deny, Decision::Escalate, Decision::Defer] {
            assert!(!is_override(d, P::Prohibited, H::Prohibited));
        }
    }

    #[test]
    fn reasons_and_notes() {
        assert!(check(Decision::Approve, None, None, false, false).is_ok());
        assert!(check(Decision::Defer, None, None, false, false).is_ok());
        assert!(check(Decision::Deny, None, None, false, false).is_err());
        assert!(check(Decision::Escalate, None, None, false, false).is_err());
        assert!(check(Decision::Approve, None, None, true, false).is_err());
        assert!(check(Decision::Approve, None, None, false, true).is_err());
        assert_eq!(
            check(Decision::Deny, Some(ReasonCode::Other), None, false, false),
            Err(DecisionProblem::NoteRequiredForOther)
        );
        let long = "x".repeat(281);
        assert!(matches!(
            check(Decision::Defer, None, Some(&long), false, false),
            Err(DecisionProblem::NoteTooLong { chars: 281 })
        ));
        assert_eq!(
            check(Decision::Defer, None, Some("a\u{1b}b"), false, false),
            Err(DecisionProblem::NoteHasControlCharacters)
        );
    }

    #[test]
    fn an_override_needs_a_note_when_recording_but_not_in_v1() {
        let r = Some(ReasonCode::Other);
        for note in [None, Some("   ")] {
            assert_eq!(
                check(
                    Decision::Approve,
                    Some(ReasonCode::ConsentVerified),
                    note,
                    true,
                    false
                ),
                Err(DecisionProblem::NoteRequiredForOverride)
            );
        }
        assert!(check(Decision::Approve, r, Some("court order seen"), true, false).is_ok());
        // Entries already written without one stay valid (frozen v1 rules).
        assert!(
            check_v1(
                Decision::Approve,
                Some(ReasonCode::ConsentVerified),
                None,
                true,
                false
            )
            .is_ok()
        );
    }
}
