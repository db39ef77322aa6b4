//! The bundled SUD value set (`policies/valuesets/sud-claims.yaml`) and code normalisation.
//!
//! Claims carry ICD codes without the decimal point (`F1120`); the value set keeps the
//! printed form (`F11.20`). Everything is compared in the printed form, which is also what
//! the queue shows a reviewer.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

const BUNDLED: &str = include_str!("../../policies/valuesets/sud-claims.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    version: String,
    #[allow(dead_code)]
    title: String,
    #[allow(dead_code)]
    source: serde_yaml::Value,
    icd10cm: Vec<String>,
    icd10cm_categories: Vec<String>,
    icd9cm: Vec<String>,
    icd10pcs: Vec<String>,
    icd9pcs: Vec<String>,
    hcpcs: Vec<String>,
    drg: Vec<String>,
    modifiers: Vec<String>,
    taxonomies: Vec<String>,
}

/// The value set as lookup tables.
#[derive(Debug)]
pub struct ValueSet {
    pub id: String,
    pub version: String,
    icd10cm: HashSet<String>,
    icd10cm_categories: HashSet<String>,
    icd9cm: HashSet<String>,
    icd10pcs: HashSet<String>,
    icd9pcs: HashSet<String>,
    hcpcs: HashSet<String>,
    drg: HashSet<String>,
    modifiers: HashSet<String>,
    taxonomies: HashSet<String>,
}

/// Which code system a claim code belongs to (from its HI qualifier or its service line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSystem {
    Icd10Cm,
    Icd9Cm,
    Icd10Pcs,
    Icd9Pcs,
    Hcpcs,
    Drg,
}

impl ValueSet {
    /// The bundled value set (parsed once).
    pub fn bundled() -> &'static ValueSet {
        static VS: OnceLock<ValueSet> = OnceLock::new();
        VS.get_or_init(|| {
            ValueSet::parse(BUNDLED).expect("the bundled value set is checked by a unit test")
        })
    }

    pub fn parse(text: &str) -> Result<ValueSet, String> {
        let f: File = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let set = |v: Vec<String>| v.into_iter().map(|s| s.trim().to_owned()).collect();
        Ok(ValueSet {
            id: f.id,
            version: f.version,
            icd10cm: set(f.icd10cm),
            icd10cm_categories: set(f.icd10cm_categories),
            icd9cm: set(f.icd9cm),
            icd10pcs: set(f.icd10pcs),
            icd9pcs: set(f.icd9pcs),
            hcpcs: set(f.hcpcs),
            drg: set(f.drg),
            modifiers: set(f.modifiers),
            taxonomies: set(f.taxonomies),
        })
    }

    /// Is this code (printed form, see [`normalize`]) an SUD code of its system?
    pub fn is_sud(&self, system: CodeSystem, code: &str) -> bool {
        match system {
            CodeSystem::Icd10Cm => {
                self.icd10cm.contains(code)
                    || code
                        .get(..3)
                        .is_some_and(|c| self.icd10cm_categories.contains(c))
            }
            CodeSystem::Icd9Cm => self.icd9cm.contains(code),
            CodeSystem::Icd10Pcs => self.icd10pcs.contains(code),
            CodeSystem::Icd9Pcs => self.icd9pcs.contains(code),
            CodeSystem::Hcpcs => self.hcpcs.contains(code),
            CodeSystem::Drg => self.drg.contains(code.trim_start_matches('0')),
        }
    }

    pub fn is_sud_modifier(&self, m: &str) -> bool {
        self.modifiers.contains(m)
    }

    pub fn is_sud_taxonomy(&self, t: &str) -> bool {
        self.taxonomies.contains(t)
    }
}

/// The printed form of a code as it appears on a claim: upper case, trimmed, and for ICD
/// diagnoses and ICD-9 procedures the decimal point restored (`F1120` → `F11.20`,
/// `30390` → `303.90`, `V6542` → `V65.42`, `E8500` → `E850.0`, `9445` → `94.45`). A code
/// that already has its point is left alone.
pub fn normalize(system: CodeSystem, raw: &str) -> String {
    let code: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.contains('.') {
        return code;
    }
    let point_after = match system {
        CodeSystem::Icd10Cm => 3,
        CodeSystem::Icd9Cm if code.starts_with('E') => 4,
        CodeSystem::Icd9Cm => 3,
        CodeSystem::Icd9Pcs => 2,
        CodeSystem::Icd10Pcs | CodeSystem::Hcpcs | CodeSystem::Drg => return code,
    };
    if code.len() > point_after && code.is_char_boundary(point_after) {
        format!("{}.{}", &code[..point_after], &code[point_after..])
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_parses_and_has_its_lists() {
        let vs = ValueSet::bundled();
        assert_eq!(vs.id, "sud-claims");
        assert!(vs.icd10cm.len() > 400, "{}", vs.icd10cm.len());
        assert!(vs.hcpcs.contains("H0020"));
        assert!(!vs.hcpcs.contains("H0034"), "mislabelled code carried");
        assert!(vs.hcpcs.contains("H2034"));
    }

    #[test]
    fn decimal_point_restored() {
        assert_eq!(normalize(CodeSystem::Icd10Cm, "f1120"), "F11.20");
        assert_eq!(normalize(CodeSystem::Icd10Cm, "F11.20"), "F11.20");
        assert_eq!(normalize(CodeSystem::Icd10Cm, "R780"), "R78.0");
        assert_eq!(normalize(CodeSystem::Icd10Cm, "F55"), "F55");
        assert_eq!(normalize(CodeSystem::Icd9Cm, "30390"), "303.90");
        assert_eq!(normalize(CodeSystem::Icd9Cm, "V6542"), "V65.42");
        assert_eq!(normalize(CodeSystem::Icd9Cm, "E8500"), "E850.0");
        assert_eq!(normalize(CodeSystem::Icd9Cm, "291"), "291");
        assert_eq!(normalize(CodeSystem::Icd9Pcs, "9445"), "94.45");
        assert_eq!(normalize(CodeSystem::Icd10Pcs, "HZ2ZZZZ"), "HZ2ZZZZ");
    }

    #[test]
    fn sud_and_not_sud() {
        let vs = ValueSet::bundled();
        let dx = |c| vs.is_sud(CodeSystem::Icd10Cm, &normalize(CodeSystem::Icd10Cm, c));
        assert!(dx("F1120"));
        assert!(dx("Z7141"));
        assert!(
            dx("F10999"),
            "category rule catches codes newer than the list"
        );
        assert!(!dx("F17210"), "tobacco is not SUD");
        assert!(!dx("F329"), "depression is not SUD");
        assert!(vs.is_sud(CodeSystem::Icd9Cm, &normalize(CodeSystem::Icd9Cm, "30390")));
        assert!(!vs.is_sud(CodeSystem::Icd9Cm, &normalize(CodeSystem::Icd9Cm, "3051")));
        assert!(vs.is_sud(CodeSystem::Drg, "0896"));
        assert!(vs.is_sud_modifier("HF") && !vs.is_sud_modifier("25"));
        assert!(vs.is_sud_taxonomy("261QR0405X") && !vs.is_sud_taxonomy("207Q00000X"));
    }
}
