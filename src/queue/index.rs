//! Lookups over a loaded queue, built once: the engine evaluates each disclosure against
//! these instead of scanning lists (100,000-disclosure queues, SPEC §9).

use std::collections::HashMap;

use super::model::{Consent, Patient, Program, Queue, Restriction};

/// One patient's entries: the patient (if listed), consents and restrictions, in file order.
#[derive(Debug, Default, Clone)]
pub struct PatientIx {
    pub patient: Option<usize>,
    /// Copies of the patient's flags, so evaluation need not touch the patient entry.
    pub deceased: bool,
    pub minor: bool,
    pub consents: Vec<usize>,
    /// For each entry of `consents`, the index of its program (`usize::MAX` if unknown):
    /// candidates are filtered by program without touching each consent.
    pub consent_programs: Vec<usize>,
    pub restrictions: Vec<usize>,
}

#[derive(Debug, Default, Clone)]
pub struct QueueIndex {
    pub programs: HashMap<String, usize>,
    pub patients: HashMap<String, usize>,
    pub consents: HashMap<String, usize>,
    /// Consent indices per (patient ref, program id), in file order.
    pub consents_by_patient_program: HashMap<(String, String), Vec<usize>>,
    /// Everything about one patient ref in one lookup (the engine does this for every
    /// disclosure of a 100,000-item queue; one probe instead of three keeps it fast).
    pub by_patient: HashMap<String, PatientIx>,
    /// Restriction indices per patient ref, in file order.
    pub restrictions_by_patient: HashMap<String, Vec<usize>>,
    pub disclosures: HashMap<String, usize>,
}

impl QueueIndex {
    /// Build the index. Duplicate ids keep the first occurrence; the loader reports duplicates
    /// before an index is ever used for evaluation.
    pub fn build(q: &Queue) -> QueueIndex {
        let mut ix = QueueIndex::default();
        for (i, p) in q.programs.iter().enumerate() {
            ix.programs.entry(p.id.clone()).or_insert(i);
        }
        for (i, p) in q.patients.iter().enumerate() {
            ix.patients.entry(p.reference.clone()).or_insert(i);
            let slot = ix.by_patient.entry(p.reference.clone()).or_default();
            if slot.patient.is_none() {
                slot.patient = Some(i);
                slot.deceased = p.deceased;
                slot.minor = p.minor;
            }
        }
        for (i, c) in q.consents.iter().enumerate() {
            ix.consents.entry(c.id.clone()).or_insert(i);
            ix.consents_by_patient_program
                .entry((c.patient.clone(), c.program.clone()))
                .or_default()
                .push(i);
            let program = ix.programs.get(&c.program).copied().unwrap_or(usize::MAX);
            let slot = ix.by_patient.entry(c.patient.clone()).or_default();
            slot.consents.push(i);
            slot.consent_programs.push(program);
        }
        for (i, r) in q.restrictions.iter().enumerate() {
            ix.restrictions_by_patient
                .entry(r.patient.clone())
                .or_default()
                .push(i);
            ix.by_patient
                .entry(r.patient.clone())
                .or_default()
                .restrictions
                .push(i);
        }
        for (i, d) in q.disclosures.iter().enumerate() {
            ix.disclosures.entry(d.id.clone()).or_insert(i);
        }
        ix
    }

    pub fn program<'q>(&self, q: &'q Queue, id: &str) -> Option<&'q Program> {
        self.programs.get(id).map(|&i| &q.programs[i])
    }

    pub fn patient<'q>(&self, q: &'q Queue, reference: &str) -> Option<&'q Patient> {
        self.patients.get(reference).map(|&i| &q.patients[i])
    }

    pub fn consent<'q>(&self, q: &'q Queue, id: &str) -> Option<&'q Consent> {
        self.consents.get(id).map(|&i| &q.consents[i])
    }

    /// The patient's consents for one program, in file order.
    pub fn consents_for<'q>(
        &self,
        q: &'q Queue,
        patient: &str,
        program: &str,
    ) -> impl Iterator<Item = &'q Consent> + use<'q, '_> {
        let program = program.to_owned();
        self.by_patient
            .get(patient)
            .into_iter()
            .flat_map(|p| p.consents.iter())
            .map(move |&i| &q.consents[i])
            .filter(move |c| c.program == program)
    }

    pub fn restrictions_for<'q>(
        &self,
        q: &'q Queue,
        patient: &str,
    ) -> impl Iterator<Item = &'q Restriction> + use<'q, '_> {
        self.restrictions_by_patient
            .get(patient)
            .into_iter()
            .flatten()
            .map(move |&i| &q.restrictions[i])
    }
}
