//! `import fhir-consent`: FHIR R4 (and R5) Consent resources → a context file with the
//! imported consents (docs/fhir.md).
//!
//! `model` holds the typed resources, `read` reads files (single resources, Bundles,
//! NDJSON), `map` turns one Consent into a queue consent or a skip reason; this module
//! assembles the context and the per-resource report (which never holds patient data).

pub(crate) mod map;
pub(crate) mod model;
pub(crate) mod read;

use std::collections::{HashMap, HashSet};

pub use map::{MapContext, Mapped};
pub use read::{Input, ReadError, read_bytes, read_files};

use super::PseudonymKey;
use crate::queue::{Patient, Queue, SCHEMA};

/// One report line's subject and outcome (no patient data: ids, codes and reasons only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// `<file> resource <n> [entry <k>]`, escaped.
    pub origin: String,
    /// The resource: `Consent <id>` or its type.
    pub what: String,
    pub imported: bool,
    pub detail: String,
}

impl std::fmt::Display for ReportLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.origin,
            self.what,
            if self.imported { "imported" } else { "skipped" },
            self.detail
        )
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub consents: usize,
    pub imported: usize,
    pub skipped: usize,
    pub other: usize,
    pub pseudonyms: usize,
}

/// Options of one import.
pub struct Options {
    pub statements_on_form: bool,
}

/// The context with the imported consents, the report and the counts.
pub fn build_context(
    context: &Queue,
    input: &Input,
    key: &PseudonymKey,
    opts: &Options,
) -> (Queue, Vec<ReportLine>, Counts) {
    let cx = MapContext {
        context,
        key,
        parties: &input.parties,
        statements_on_form: opts.statements_on_form,
    };
    let mut report = Vec::new();
    let mut counts = Counts::default();
    let mut imported: Vec<crate::queue::Consent> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut new_patients: Vec<String> = Vec::new();
    let known: HashSet<&str> = context
        .patients
        .iter()
        .map(|p| p.reference.as_str())
        .collect();
    let context_ids: HashSet<&str> = context.consents.iter().map(|c| c.id.as_str()).collect();

    for rc in &input.consents {
        counts.consents += 1;
        let origin = rc.origin.to_string();
        let id = rc
            .consent
            .as_ref()
            .ok()
            .and_then(|c| c.id.as_deref())
            .map(|i| {
                // Shown, not used: at most 64 characters (a valid id is no longer).
                let cut: String = i.chars().take(64).collect();
                let more = if cut.len() < i.len() { "…" } else { "" };
                format!("{}{more}", crate::text::escape(&cut))
            });
        let what = match &id {
            Some(i) => format!("Consent {i}"),
            None => "Consent (no id)".to_owned(),
        };
        let mapped = match &rc.consent {
            Err(e) => Mapped::Skipped(e.clone()),
            Ok(c) => map::map_consent(c, &rc.local, &cx),
        };
        let line = match mapped {
            Mapped::Skipped(reason) => {
                counts.skipped += 1;
                ReportLine {
                    origin,
                    what,
                    imported: false,
                    detail: reason,
                }
            }
            Mapped::Imported(m) => {
                if let Some(first) = seen.get(&m.consent.id) {
                    counts.skipped += 1;
                    report.push(ReportLine {
                        origin,
                        what,
                        imported: false,
                        detail: format!("the same id was imported from {first}"),
                    });
                    continue;
                }
                seen.insert(m.consent.id.clone(), origin.clone());
                counts.imported += 1;
                let mut detail = format!(
                    "consent {} ({}, program {})",
                    m.consent.id,
                    kind_token(m.consent.kind),
                    m.consent.program
                );
                if m.consent.revoked_on.is_some() {
                    detail.push_str(", revoked");
                }
                if context_ids.contains(m.consent.id.as_str()) {
                    detail.push_str("; replaces the context's consent with this id");
                }
                for n in &m.notes {
                    detail.push_str("; ");
                    detail.push_str(n);
                }
                if m.pseudonym
                    && !known.contains(m.consent.patient.as_str())
                    && !new_patients.contains(&m.consent.patient)
                {
                    new_patients.push(m.consent.patient.clone());
                    counts.pseudonyms += 1;
                }
                imported.push(m.consent);
                ReportLine {
                    origin,
                    what,
                    imported: true,
                    detail,
                }
            }
        };
        report.push(line);
    }
    for i in &input.ignored {
        counts.other += 1;
        report.push(ReportLine {
            origin: i.origin.to_string(),
            what: i.resource_type.clone(),
            imported: false,
            detail: "not a Consent".to_owned(),
        });
    }

    let replaced: HashSet<&str> = imported.iter().map(|c| c.id.as_str()).collect();
    let mut consents: Vec<crate::queue::Consent> = context
        .consents
        .iter()
        .filter(|c| !replaced.contains(c.id.as_str()))
        .cloned()
        .collect();
    consents.extend(imported);
    let mut patients = context.patients.clone();
    patients.extend(new_patients.into_iter().map(|reference| Patient {
        reference,
        display: None,
        deceased: false,
        minor: false,
        member_ids: Vec::new(),
    }));
    let queue = Queue {
        schema: SCHEMA.to_owned(),
        as_of: None,
        pack: None,
        organization: context.organization.clone(),
        programs: context.programs.clone(),
        payers: context.payers.clone(),
        fhir_identifier_systems: context.fhir_identifier_systems.clone(),
        patients,
        consents,
        restrictions: context.restrictions.clone(),
        disclosures: Vec::new(),
    };
    (queue, report, counts)
}

fn kind_token(k: crate::queue::ConsentKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
