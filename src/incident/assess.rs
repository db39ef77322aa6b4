//! The breach assessment of 45 CFR 164.402 (docs/incidents.md#assessing): exceptions, the
//! four-factor risk assessment and the outcome, with the reasons and their citations.
//!
//! The same function decides `incident assess`, the answer keys of the `breach-response`
//! training pack and what `incident list` shows.

use super::vocab::*;

/// One documented factor: a word from its vocabulary and the assessor's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor<V> {
    pub value: V,
    pub note: String,
}

/// What the assessor documented.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssessmentInput {
    pub exception: Option<Exception>,
    pub nature: Option<Factor<Nature>>,
    pub recipient: Option<Factor<Recipient>>,
    pub acquired: Option<Factor<Acquired>>,
    pub mitigation: Option<Factor<Mitigation>>,
}

/// What the incident entry says that the assessment depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub kind: IncidentKind,
    /// Secured per HHS guidance (74 FR 19006), key not compromised.
    pub secured: bool,
    /// The queue's `records` of the disclosure, when known (`counseling_notes` weighs toward breach).
    pub counseling_notes: bool,
    /// The disclosure went to another organization (a misdirected send).
    pub to_other_organization: bool,
}

/// The outcome and why, each reason with its citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
}

/// An assessment the rules do not allow (nothing is recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessError(pub String);

impl std::fmt::Display for AssessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for AssessError {}

/// Assess one incident. `Err` when a claimed exception cannot apply to this kind of incident.
pub fn assess(facts: &IncidentFacts, input: &AssessmentInput) -> Result<Assessed, AssessError> {
    if let Some(e) = input.exception {
        check_exception(facts, e)?;
    }
    let mut reasons = Vec::new();
    if facts.secured {
        reasons.push(
            "the records were secured (encrypted or destroyed per HHS guidance, 74 FR 19006, key \
             not compromised): not unsecured PHI, so no 164.404–410 notice (45 CFR 164.402 \
             \"unsecured protected health information\"); it is still a Part 2 violation to \
             document, and a QSO still reports it to the program under its QSOA (42 CFR 2.11)"
                .to_owned(),
        );
        return Ok(Assessed {
            outcome: Outcome::Secured,
            reasons,
        });
    }
    if let Some(e) = input.exception {
        reasons.push(format!(
            "exception {} documented ({}): not a breach by definition",
            e.as_str(),
            e.cite()
        ));
        return Ok(Assessed {
            outcome: Outcome::Exception,
            reasons,
        });
    }
    let mut weights = Vec::new();
    let mut missing = Vec::new();
    match &input.nature {
        Some(f) => {
            let mut w = f.value.weight();
            if facts.counseling_notes {
                w = Weight::TowardBreach;
            }
            weights.push(("(i) nature and extent", f.value.as_str(), w));
        }
        None => missing.push("(i) nature and extent"),
    }
    match &input.recipient {
        Some(f) => weights.push((
            "(ii) unauthorized person",
            f.value.as_str(),
            f.value.weight(),
        )),
        None => missing.push("(ii) unauthorized person"),
    }
    match &input.acquired {
        Some(f) => weights.push((
            "(iii) acquired or viewed",
            f.value.as_str(),
            f.value.weight(),
        )),
        None => missing.push("(iii) acquired or viewed"),
    }
    match &input.mitigation {
        Some(f) => weights.push(("(iv) mitigation", f.value.as_str(), f.value.weight())),
        None => missing.push("(iv) mitigation"),
    }
    let toward_breach: Vec<String> = weights
        .iter()
        .filter(|(_, _, w)| *w == Weight::TowardBreach)
        .map(|(n, v, _)| format!("{n} = {v}"))
        .collect();
    let toward_low = weights.iter().any(|(_, _, w)| *w == Weight::TowardLow);
    if !missing.is_empty() {
        reasons.push(format!(
            "factor(s) not documented: {} — low probability needs all four factors of \
             45 CFR 164.402(2)(i)–(iv); the presumption of breach stands",
            missing.join(", ")
        ));
    }
    if !toward_breach.is_empty() {
        reasons.push(format!(
            "weighs toward breach: {} (45 CFR 164.402(2))",
            toward_breach.join(", ")
        ));
    }
    if facts.counseling_notes {
        reasons.push("the records are counseling notes: factor (i) weighs toward breach".into());
    }
    if missing.is_empty() && toward_breach.is_empty() && toward_low {
        reasons.push(
            "all four factors documented, none toward breach: a low probability that the \
             information was compromised (45 CFR 164.402(2))"
                .into(),
        );
        return Ok(Assessed {
            outcome: Outcome::LowProbability,
            reasons,
        });
    }
    if missing.is_empty() && toward_breach.is_empty() {
        reasons.push(
            "no factor shows a low probability of compromise (factor (i)'s absence of Part 2 \
             identifiers never does so by itself): the presumption of breach stands \
             (45 CFR 164.402(2))"
                .into(),
        );
    }
    reasons.push(
        "a use or disclosure Part 2 does not permit is presumed a breach even where HIPAA \
         alone would allow it (42 CFR 2.16(b); 45 CFR 164.402(2))"
            .into(),
    );
    Ok(Assessed {
        outcome: Outcome::Breach,
        reasons,
    })
}

/// Neither (i) nor (ii) covers a send to another organization; (i) never covers a disclosure.
fn check_exception(facts: &IncidentFacts, e: Exception) -> Result<(), AssessError> {
    let misdirected = facts.kind == IncidentKind::Misdirected || facts.to_other_organization;
    match e {
        Exception::UnintentionalUse if misdirected => Err(AssessError(format!(
            "exception unintentional_use ({}) covers an acquisition, access or use inside the \
             organization, not a disclosure to another organization; assess the factors instead",
            e.cite()
        ))),
        Exception::InadvertentInternal if misdirected => Err(AssessError(format!(
            "exception inadvertent_internal ({}) covers a disclosure between persons authorized \
             at the same program, CE/BA or OHCA, not a send to another organization; assess the \
             factors instead",
            e.cite()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: IncidentKind) -> IncidentFacts {
        IncidentFacts {
            kind,
            secured: false,
            counseling_notes: false,
            to_other_organization: false,
        }
    }
    fn f<V>(value: V) -> Option<Factor<V>> {
        Some(Factor {
            value,
            note: "documented".into(),
        })
    }
    fn low_input() -> AssessmentInput {
        AssessmentInput {
            exception: None,
            nature: f(Nature::LimitedIdentifiers),
            recipient: f(Recipient::BoundToProtect),
            acquired: f(Acquired::NotAcquired),
            mitigation: f(Mitigation::AssuredDestroyed),
        }
    }

    #[test]
    fn low_probability_needs_all_four_factors() {
        let fx = facts(IncidentKind::Misdirected);
        assert_eq!(
            assess(&fx, &low_input()).unwrap().outcome,
            Outcome::LowProbability
        );
        let mut three = low_input();
        three.mitigation = None;
        let a = assess(&fx, &three).unwrap();
        assert_eq!(a.outcome, Outcome::Breach);
        assert!(a.reasons[0].contains("(iv) mitigation"), "{:?}", a.reasons);
    }

    #[test]
    fn part2_identifiers_and_counseling_notes_weigh_toward_breach() {
        let fx = facts(IncidentKind::Misdirected);
        let mut i = low_input();
        i.nature = f(Nature::Part2Identifying);
        assert_eq!(assess(&fx, &i).unwrap().outcome, Outcome::Breach);
        let notes = IncidentFacts {
            counseling_notes: true,
            ..fx
        };
        assert_eq!(
            assess(&notes, &low_input()).unwrap().outcome,
            Outcome::Breach
        );
    }

    #[test]
    fn neutral_factors_alone_keep_the_presumption() {
        let i = AssessmentInput {
            exception: None,
            nature: f(Nature::LimitedIdentifiers),
            recipient: f(Recipient::KnownUnbound),
            acquired: None,
            mitigation: f(Mitigation::Partial),
        };
        let mut i2 = i.clone();
        i2.acquired = f(Acquired::NotAcquired);
        i2.recipient = f(Recipient::KnownUnbound);
        i2.mitigation = f(Mitigation::Partial);
        assert_eq!(
            assess(&facts(IncidentKind::Other), &i).unwrap().outcome,
            Outcome::Breach
        );
        assert_eq!(
            assess(&facts(IncidentKind::Other), &i2).unwrap().outcome,
            Outcome::LowProbability
        );
    }

    #[test]
    fn exceptions_i_and_ii_never_cover_a_misdirected_send() {
        for e in [Exception::UnintentionalUse, Exception::InadvertentInternal] {
            let i = AssessmentInput {
                exception: Some(e),
                ..Default::default()
            };
            let err = assess(&facts(IncidentKind::Misdirected), &i).unwrap_err();
            assert!(err.0.contains("another organization"), "{err}");
            assert_eq!(
                assess(&facts(IncidentKind::UnauthorizedAccess), &i)
                    .unwrap()
                    .outcome,
                Outcome::Exception
            );
        }
        let iii = AssessmentInput {
            exception: Some(Exception::CouldNotRetain),
            ..Default::default()
        };
        assert_eq!(
            assess(&facts(IncidentKind::Misdirected), &iii)
                .unwrap()
                .outcome,
            Outcome::Exception
        );
    }

    #[test]
    fn secured_wins_and_says_it_is_still_a_part2_violation() {
        let fx = IncidentFacts {
            secured: true,
            ..facts(IncidentKind::LostOrStolen)
        };
        let a = assess(&fx, &AssessmentInput::default()).unwrap();
        assert_eq!(a.outcome, Outcome::Secured);
        assert!(a.reasons[0].contains("Part 2 violation"));
    }
}
