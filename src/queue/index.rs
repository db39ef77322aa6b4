//! Lookups over a loaded queue, built once: the engine evaluates each disclosure against
//! these instead of scanning lists (100,000-disclosure queues, BENCHMARKS.md#targets).

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

/// Patients by reference, compactly: one text arena of the references, sorted, and one
/// `PatientIx` each. A queue may list a million patients; a hash map of owned keys to
/// these entries took over 250 bytes a patient, this about 110: loading stays within 16 ×
/// the file size (`benches/queue_memory.rs`).
#[derive(Debug, Default, Clone)]
pub struct PatientMap {
    /// The references, concatenated in sorted order.
    text: String,
    /// End offset in `text` of each reference; entry `i` spans `ends[i-1]..ends[i]`.
    ends: Vec<u32>,
    entries: Vec<PatientIx>,
}

impl PatientMap {
    fn key(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The entry of the patient with this reference.
    pub fn get(&self, reference: &str) -> Option<&PatientIx> {
        let i = self.position(reference)?;
        self.entries.get(i)
    }

    fn position(&self, reference: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.ends.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid).cmp(reference) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every reference the queue uses for a patient, each once. `None` if the arena would
    /// pass 4 GiB (a queue file is at most 256 MiB, so never).
    fn build<'q>(refs: impl Iterator<Item = &'q str>) -> Option<PatientMap> {
        let mut keys: Vec<&str> = refs.collect();
        keys.sort_unstable();
        keys.dedup();
        let mut text = String::with_capacity(keys.iter().map(|k| k.len()).sum());
        let mut ends = Vec::with_capacity(keys.len());
        for k in &keys {
            text.push_str(k);
            ends.push(u32::try_from(text.len()).ok()?);
        }
        let entries = vec![PatientIx::default(); keys.len()];
        Some(PatientMap {
            text,
            ends,
            entries,
        })
    }

    fn slot(&mut self, reference: &str) -> Option<&mut PatientIx> {
        let i = self.position(reference)?;
        self.entries.get_mut(i)
    }
}

#[derive(Debug, Default, Clone)]
pub struct QueueIndex {
    pub programs: HashMap<String, usize>,
    pub consents: HashMap<String, usize>,
    pub consents_by_patient_program: HashMap<(String, String), Vec<usize>>,
    pub by_patient: PatientMap,
    pub restrictions_by_patient: HashMap<String, Vec<usize>>,
    pub disclosures: HashMap<String, usize>,
}

impl QueueIndex {
    pub fn build(q: &Queue) -> QueueIndex {
        let mut ix = QueueIndex::default();
        for (i, p) in q.programs.iter().enumerate() {
            ix.programs.entry(p.id.clone()).or_insert(i);
        }
        let refs = q
            .patients
            .iter()
            .map(|p| p.reference.as_str())
            .chain(q.consents.iter().map(|c| c.patient.as_str()))
            .chain(q.restrictions.iter().map(|r| r.patient.as_str()));
        ix.by_patient = PatientMap::build(refs).unwrap_or_default();
        for (i, p) in q.patients.iter().enumerate() {
            if let Some(slot) = ix.by_patient.slot(&p.reference)
                && slot.patient.is_none()
            {
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
            if let Some(slot) = ix.by_patient.slot(&c.patient) {
                slot.consents.push(i);
                slot.consent_programs.push(program);
            }
        }
        for (i, r) in q.restrictions.iter().enumerate() {
            ix.restrictions_by_patient
                .entry(r.patient.clone())
                .or_default()
                .push(i);
            if let Some(slot) = ix.by_patient.slot(&r.patient) {
                slot.restrictions.push(i);
            }
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
        self.by_patient
            .get(reference)
            .and_then(|p| p.patient)
            .map(|i| &q.patients[i])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_map_finds_every_reference_once_and_nothing_else() {
        let refs = ["P-3", "P-1", "P-10", "P-2", "P-1", "", "\u{e9}"];
        let m = PatientMap::build(refs.into_iter()).unwrap();
        assert_eq!(m.len(), 6);
        for r in refs {
            assert!(m.get(r).is_some(), "{r:?}");
        }
        for r in ["P-0", "P-11", "P", "P-1 ", "\u{e8}"] {
            assert!(m.get(r).is_none(), "{r:?}");
        }
        assert!(PatientMap::default().get("P-1").is_none());
    }
}
