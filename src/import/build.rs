//! Claims + context → a queue (docs/x12-mapping.md): one disclosure per claim to its payer for
//! payment, opaque patient refs, programs matched by NPI or taxonomy.

use std::collections::{HashMap, HashSet};

use super::claims::{PatientKey, RawClaim};
use super::flag::{ProgramMatch, reasons};
use super::pseudonym::PseudonymKey;
use super::valueset::ValueSet;
use crate::queue::{
    Claim, Disclosure, Patient, Program, Purpose, Queue, Recipient, RecipientKind, Records, SCHEMA,
};

/// The id of the program added for claims whose providers match no context program.
pub const UNMATCHED: &str = "unmatched";

/// Counts for the summary line (no patient data).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub claims: usize,
    pub flagged: usize,
    pub written: usize,
    pub unmatched: usize,
}

/// Builds the output queue. Only flagged claims are written unless `all`.
pub fn build_queue(
    context: &Queue,
    claims: &[RawClaim],
    key: &PseudonymKey,
    vs: &ValueSet,
    all: bool,
) -> (Queue, Summary) {
    let mut summary = Summary {
        claims: claims.len(),
        ..Summary::default()
    };
    let by_member: HashMap<&str, &Patient> = context
        .patients
        .iter()
        .flat_map(|p| p.member_ids.iter().map(move |m| (m.trim(), p)))
        .collect();
    let mut refs: HashMap<&PatientKey, String> = HashMap::new();
    let mut patients_used: Vec<String> = Vec::new();
    let mut patients_seen: HashSet<String> = HashSet::new();
    let mut ids = Ids::default();
    let mut disclosures = Vec::with_capacity(if all { claims.len() } else { claims.len() / 4 });
    let mut need_unmatched = false;

    for c in claims {
        let programs = ProgramMatch::find(&context.programs, c);
        let why = reasons(vs, c, &programs);
        if !why.is_empty() {
            summary.flagged += 1;
        } else if !all {
            continue;
        }
        let program = match programs.chosen() {
            Some(p) => p.id.clone(),
            None => {
                need_unmatched = true;
                summary.unmatched += 1;
                UNMATCHED.to_owned()
            }
        };
        let patient = match c.patient.member_id().and_then(|m| by_member.get(m)) {
            Some(p) => p.reference.clone(),
            None => refs
                .entry(&c.patient)
                .or_insert_with_key(|k| key.patient_ref(&k.hmac_input()))
                .clone(),
        };
        if !patients_seen.contains(&patient) {
            patients_seen.insert(patient.clone());
            patients_used.push(patient.clone());
        }
        let recipient = recipient(context, c);
        let mut note = match why.is_empty() {
            false => format!("Flagged ({} {}): {}", vs.id, vs.version, why.join("; ")),
            true => format!(
                "Not flagged ({} {}): no SUD code, SUD program modifier, SUD taxonomy or Part 2 provider on this claim",
                vs.id, vs.version
            ),
        };
        match programs.chosen() {
            None => note.push_str("; no context program matches the billing or rendering provider"),
            Some(p) if !p.part2 && !why.is_empty() => note.push_str(&format!(
                "; program {} is not marked part2 in the context: confirm before relying on that",
                p.id
            )),
            Some(_) => {}
        }
        disclosures.push(Disclosure {
            id: ids.allocate(&c.clm01),
            requested_on: c.requested_on,
            patient,
            program,
            actor: None,
            holder_basis: None,
            research_documented: false,
            recipient,
            purpose: Purpose::Payment,
            records: Records::General,
            against_patient: false,
            proceeding: None,
            court_order: None,
            inquiry_about: None,
            subpoena: false,
            emergency: false,
            consent: None,
            service_dates: c.service_dates,
            claim: Some(Claim {
                id: Some(clean(&c.clm01)),
                amount: Some(c.amount),
                dx: c.dx.iter().map(|(_, d)| d.clone()).collect(),
                procedures: c.procedures.iter().map(|(_, p)| p.clone()).collect(),
                modifiers: c.modifiers.clone(),
            }),
            note: Some(note),
            information: None,
            expect: None,
        });
    }
    summary.written = disclosures.len();

    let mut programs = context.programs.clone();
    if need_unmatched && !programs.iter().any(|p| p.id == UNMATCHED) {
        programs.push(Program {
            id: UNMATCHED.to_owned(),
            name: "Unmatched provider (no program NPI or taxonomy on the claim)".to_owned(),
            part2: false,
            covered_entity: true,
            va: false,
            npis: Vec::new(),
            taxonomies: Vec::new(),
        });
    }
    // Context patients stay when a claim, consent or restriction refers to them (so every
    // reference resolves); member ids are never written.
    let context_refs: HashSet<&str> = context
        .consents
        .iter()
        .map(|c| c.patient.as_str())
        .chain(context.restrictions.iter().map(|r| r.patient.as_str()))
        .chain(patients_used.iter().map(String::as_str))
        .collect();
    let mut patients: Vec<Patient> = context
        .patients
        .iter()
        .filter(|p| context_refs.contains(p.reference.as_str()))
        .map(|p| Patient {
            member_ids: Vec::new(),
            ..p.clone()
        })
        .collect();
    let known: HashSet<String> = patients.iter().map(|p| p.reference.clone()).collect();
    patients.extend(
        patients_used
            .into_iter()
            .filter(|r| !known.contains(r))
            .map(|reference| Patient {
                reference,
                display: None,
                deceased: false,
                minor: false,
                member_ids: Vec::new(),
            }),
    );
    let queue = Queue {
        schema: SCHEMA.to_owned(),
        as_of: None,
        pack: None,
        organization: context.organization.clone(),
        programs,
        payers: context.payers.clone(),
        // Context-only (docs/fhir.md): a queue built from claims does not need it.
        fhir_identifier_systems: Vec::new(),
        patients,
        consents: context.consents.clone(),
        restrictions: context.restrictions.clone(),
        disclosures,
    };
    (queue, summary)
}

/// The payer as recipient: a context `payers` entry matched by payer id (NM109) or name
/// supplies the name and kind; otherwise NM103 as a `health_plan`.
fn recipient(context: &Queue, c: &RawClaim) -> Recipient {
    let found = context.payers.iter().find(|p| {
        (!c.payer_id.is_empty() && p.id.trim() == c.payer_id)
            || (!c.payer_name.is_empty() && fold(&p.name) == fold(&c.payer_name))
    });
    let (name, kind) = match found {
        Some(p) => (p.name.clone(), p.kind),
        None => {
            let name = clean(&c.payer_name);
            let name = if !name.is_empty() {
                name
            } else if !c.payer_id.is_empty() {
                format!("Payer {}", clean(&c.payer_id))
            } else {
                "Unnamed payer".to_owned()
            };
            (name, RecipientKind::HealthPlan)
        }
    };
    Recipient {
        name,
        kind,
        covered_entity: None,
        qsoa_with_program: false,
        subcontractor: false,
        audit_agreement: false,
        on_behalf_of: None,
        treats_patient: false,
        involved_in_care: false,
        address: None,
    }
}

/// docs/queue-format.md#recipient name match: trim, collapse inner whitespace, case-fold.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Text from a claim made safe for a queue: no control, line-separator or bidi characters.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !crate::text::is_unsafe_char(*c))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Disclosure ids in use, and per base id the next suffix to try (so a file that repeats
/// one CLM01 thousands of times stays linear).
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl Ids {
    /// `D-<CLM01>` made to match the id pattern `^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$` (other
    /// characters become `_`, the length is capped), then `-2`, `-3`… until unused.
    pub fn allocate(&mut self, clm01: &str) -> String {
        const MAX: usize = 64;
        let base: String = "D-"
            .chars()
            .chain(clm01.chars().map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-') {
                    c
                } else {
                    '_'
                }
            }))
            .take(MAX)
            .collect();
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(2);
        loop {
            let suffix = format!("-{n}");
            // `base` is ASCII: byte length = character count.
            let id = format!("{}{suffix}", &base[..base.len().min(MAX - suffix.len())]);
            n += 1;
            if self.used.insert(id.clone()) {
                self.next_suffix.insert(base, n);
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_unique() {
        let mut used = Ids::default();
        assert_eq!(used.allocate("A37YH556"), "D-A37YH556");
        assert_eq!(used.allocate("A37YH556"), "D-A37YH556-2");
        assert_eq!(used.allocate("A37YH556"), "D-A37YH556-3");
        assert_eq!(used.allocate("12 34/é#"), "D-12_34___");
        let long = "X".repeat(80);
        let a = used.allocate(&long);
        let b = used.allocate(&long);
        assert_eq!(a.len(), 64);
        assert_eq!(b.len(), 64);
        assert!(b.ends_with("-2"));
    }

    #[test]
    fn names_fold() {
        assert_eq!(fold("  Blue   Cross "), fold("blue cross"));
        assert_eq!(clean("A\u{1b}[2J\u{202e}B"), "A[2JB");
    }
}
