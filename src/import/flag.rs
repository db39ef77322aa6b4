//! Why a claim carries Part 2 information: SUD codes, SUD program modifiers, a provider the
//! context marks as a Part 2 program, an SUD treatment taxonomy. Each reason names codes or
//! program ids only, never patient data.

use super::claims::RawClaim;
use super::valueset::{CodeSystem, ValueSet};
use crate::queue::Program;

/// The programs a claim's providers match, strongest evidence first.
#[derive(Debug, Default)]
pub struct ProgramMatch<'q> {
    /// Matched by NPI (billing, then rendering).
    pub by_npi: Vec<&'q Program>,
    /// Matched by taxonomy (billing, then rendering).
    pub by_taxonomy: Vec<&'q Program>,
}

impl<'q> ProgramMatch<'q> {
    pub fn find(programs: &'q [Program], claim: &RawClaim) -> ProgramMatch<'q> {
        let mut m = ProgramMatch::default();
        let npis = claim.billing_npi.iter().chain(&claim.rendering_npis);
        for npi in npis {
            for p in programs
                .iter()
                .filter(|p| p.npis.iter().any(|n| n.trim() == npi))
            {
                if !m.by_npi.iter().any(|q| q.id == p.id) {
                    m.by_npi.push(p);
                }
            }
        }
        let taxonomies = claim
            .billing_taxonomies
            .iter()
            .chain(&claim.rendering_taxonomies);
        for t in taxonomies {
            for p in programs.iter().filter(|p| {
                p.taxonomies
                    .iter()
                    .any(|x| x.trim().eq_ignore_ascii_case(t))
            }) {
                if !m.by_taxonomy.iter().any(|q| q.id == p.id) {
                    m.by_taxonomy.push(p);
                }
            }
        }
        m
    }

    /// The program the disclosure is attributed to: NPI matches beat taxonomy matches (a
    /// taxonomy is shared by many providers); within each, a Part 2 program wins, because
    /// its records are the ones Part 2 protects.
    pub fn chosen(&self) -> Option<&'q Program> {
        let pick = |v: &Vec<&'q Program>| v.iter().find(|p| p.part2).or(v.first()).copied();
        pick(&self.by_npi).or_else(|| pick(&self.by_taxonomy))
    }

    fn part2_ids(&self) -> Vec<&'q str> {
        let mut ids: Vec<&str> = Vec::new();
        for p in self.by_npi.iter().chain(&self.by_taxonomy) {
            if p.part2 && !ids.contains(&p.id.as_str()) {
                ids.push(&p.id);
            }
        }
        ids
    }
}

/// The flag reasons of one claim, in a fixed order; empty = not flagged.
pub fn reasons(vs: &ValueSet, claim: &RawClaim, programs: &ProgramMatch<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let dx: Vec<&str> = claim
        .dx
        .iter()
        .filter(|(s, c)| vs.is_sud(*s, c))
        .map(|(_, c)| c.as_str())
        .collect();
    if !dx.is_empty() {
        out.push(format!("SUD diagnosis {}", dx.join(", ")));
    }
    let px: Vec<&str> = claim
        .procedures
        .iter()
        .filter(|(s, c)| vs.is_sud(*s, c))
        .map(|(_, c)| c.as_str())
        .collect();
    if !px.is_empty() {
        out.push(format!("SUD procedure {}", px.join(", ")));
    }
    if let Some(drg) = claim
        .drg
        .as_deref()
        .filter(|d| vs.is_sud(CodeSystem::Drg, d))
    {
        out.push(format!("SUD DRG {drg}"));
    }
    let mods: Vec<&str> = claim
        .modifiers
        .iter()
        .filter(|m| vs.is_sud_modifier(m))
        .map(String::as_str)
        .collect();
    if !mods.is_empty() {
        out.push(format!("SUD program modifier {}", mods.join(", ")));
    }
    let part2 = programs.part2_ids();
    if !part2.is_empty() {
        out.push(format!("provider is Part 2 program {}", part2.join(", ")));
    }
    let mut tax: Vec<&str> = Vec::new();
    for t in claim
        .billing_taxonomies
        .iter()
        .chain(&claim.rendering_taxonomies)
    {
        if vs.is_sud_taxonomy(t) && !tax.contains(&t.as_str()) {
            tax.push(t);
        }
    }
    if !tax.is_empty() {
        out.push(format!("SUD treatment taxonomy {}", tax.join(", ")));
    }
    out
}
