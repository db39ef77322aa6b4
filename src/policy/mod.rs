//! Rules as data (docs/policies.md): policy files are parsed, validated and compiled into typed
//! matchers at load time, so evaluating a disclosure is a walk over bit masks.
//!
//! A policy file holds `id` (`part2` or `hipaa`), `title`, `version`, `effective_from`,
//! optional `effective_to`, ordered `rules` (first match wins) and, for Part 2, the §2.32
//! `statements` and a `not_modelled` list. Every error names the file, the rule id and the
//! field.

mod compile;
mod error;
pub(crate) mod intern;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

pub use compile::{Cond, Outcome, Rule, UnsettledWhen};
pub use error::PolicyError;

use crate::facts::{Fact, Facts};
use crate::verdict::PolicyRef;

/// The two policy ids the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    Part2,
    Hipaa,
}

impl PolicyKind {
    pub fn id(self) -> &'static str {
        match self {
            PolicyKind::Part2 => "part2",
            PolicyKind::Hipaa => "hipaa",
        }
    }

    fn from_id(s: &str) -> Option<PolicyKind> {
        match s {
            "part2" => Some(PolicyKind::Part2),
            "hipaa" => Some(PolicyKind::Hipaa),
            _ => None,
        }
    }
}

/// A row of the reference table left out of the rules, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotModelled {
    pub rows: Vec<String>,
    pub reason: String,
}

/// The §2.32 statements (Part 2 only), verbatim.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statements {
    /// Statement 1 (the long form).
    pub long: String,
    /// Statement 2 (the short form).
    pub short: String,
}

/// One loaded, validated and compiled policy file.
#[derive(Debug, Clone)]
pub struct Policy {
    pub kind: PolicyKind,
    pub title: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    /// Where it came from (a path, or `bundled:policies/part2.yaml`).
    pub origin: String,
    /// id, version and SHA-256 of the file's bytes, as results carry them.
    pub reference: PolicyRef,
    pub rules: Vec<Rule>,
    pub statements: Option<Statements>,
    /// The statement results carry (`notice_statement: short|long`, default short).
    pub statement: Option<&'static str>,
    pub not_modelled: Vec<NotModelled>,
    /// Earlier versions of this policy whose training still counts (`training_accepts`).
    pub training_accepts: Vec<String>,
    /// Open questions that mark any matching result `unsettled`.
    pub unsettled_when: Vec<UnsettledWhen>,
}

impl Policy {
    /// Training taken under `version` counts under this policy: it is this version or one
    /// the policy lists in `training_accepts`.
    pub fn accepts_training_under(&self, version: &str) -> bool {
        self.reference.version == version || self.training_accepts.iter().any(|v| v == version)
    }

    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.effective_from <= on && self.effective_to.is_none_or(|to| on <= to)
    }

    /// First matching rule (its index), pushing a trace step for each rule tried when
    /// `trace` is given. Policies end with an unconditional rule (checked at load), so there
    /// is always a match.
    pub fn first_match(
        &self,
        facts: &Facts<'_>,
        mut trace: Option<&mut Vec<crate::verdict::TraceStep>>,
    ) -> usize {
        for (i, rule) in self.rules.iter().enumerate() {
            match rule.first_failing(facts) {
                None => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.push(crate::verdict::TraceStep {
                            rule: Cow::Borrowed(rule.id),
                            matched: true,
                            why: Cow::Borrowed(rule.matched_why),
                        });
                    }
                    return i;
                }
                Some(fact) => {
                    if let Some(t) = trace.as_deref_mut() {
                        t.push(crate::verdict::TraceStep {
                            rule: Cow::Borrowed(rule.id),
                            matched: false,
                            why: Cow::Borrowed(compile::value_why(fact, facts.get(fact))),
                        });
                    }
                }
            }
        }
        // Unreachable for a loaded policy; keep the last rule rather than panic.
        self.rules.len().saturating_sub(1)
    }

    /// Reference rows named by the rules and the not-modelled section.
    pub fn rows_covered(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| r.rows.iter().cloned())
            .chain(
                self.not_modelled
                    .iter()
                    .flat_map(|n| n.rows.iter().cloned()),
            )
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The bundled policy files (name, bytes).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "policies/part2.yaml",
        include_str!("../../policies/part2.yaml"),
    ),
    (
        "policies/hipaa.yaml",
        include_str!("../../policies/hipaa.yaml"),
    ),
];

/// Earlier released policy files, byte for byte: their SHA-256 is what decision entries made
/// under them record. A correction release replaces them for every date, so they never
/// evaluate anything; they stay bundled so an entry's rule and citations can be looked up
/// under the version the entry names (accounting of disclosures).
pub const RELEASED: &[(&str, &str)] = &[
    (
        "policies/released/part2-2024.1.yaml",
        include_str!("../../policies/released/part2-2024.1.yaml"),
    ),
    (
        "policies/released/hipaa-2013.1.yaml",
        include_str!("../../policies/released/hipaa-2013.1.yaml"),
    ),
];

/// The bundled policy `id` at `version`: a current one or an earlier release.
pub fn released(id: &str, version: &str) -> Option<Policy> {
    BUNDLED
        .iter()
        .chain(RELEASED)
        .filter_map(|(name, text)| parse(text, &format!("bundled:{name}")).ok())
        .find(|p| p.kind.id() == id && p.reference.version == version)
}

fn err(message: String) -> PolicyError {
    PolicyError { message }
}

/// Parse, validate and compile one policy file's text. `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
    compile::policy(text, origin)
}

/// Load one policy file from disk.
pub fn load_file(path: &Path) -> Result<Policy, PolicyError> {
    let bytes = std::fs::read(path)
        .map_err(|e| err(format!("{}: cannot read policy file: {e}", path.display())))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| err(format!("{}: not UTF-8 text ({e})", path.display())))?;
    parse(text, &path.display().to_string())
}

/// The policy files a `--policy` PATH names: the file itself, or every `*.yaml`/`*.yml`
/// directly in the directory (sorted). Unreadable PATH → error.
pub fn files_at(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("{}: cannot read: {e}", path.display())))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let rd = std::fs::read_dir(path)
        .map_err(|e| err(format!("{}: cannot list directory: {e}", path.display())))?;
    for entry in rd {
        let entry =
            entry.map_err(|e| err(format!("{}: cannot list directory: {e}", path.display())))?;
        let p = entry.path();
        let yaml = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if yaml && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(err(format!(
            "{}: no policy files (*.yaml) in this directory",
            path.display()
        )));
    }
    Ok(files)
}

/// All versions of each policy id, checked for overlapping effective periods.
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub part2: Vec<Arc<Policy>>,
    pub hipaa: Vec<Arc<Policy>>,
}

impl PolicySet {
    /// The bundled policies, with every id found under `override_path` replaced.
    pub fn load(override_path: Option<&Path>) -> Result<PolicySet, PolicyError> {
        let mut overridden: Vec<Policy> = Vec::new();
        if let Some(path) = override_path {
            for f in files_at(path)? {
                overridden.push(load_file(&f)?);
            }
        }
        let mut all: Vec<Policy> = Vec::new();
        for (name, text) in BUNDLED {
            let p = parse(text, &format!("bundled:{name}"))?;
            if !overridden.iter().any(|o| o.kind == p.kind) {
                all.push(p);
            }
        }
        all.extend(overridden);
        let mut set = PolicySet {
            part2: Vec::new(),
            hipaa: Vec::new(),
        };
        for p in all {
            match p.kind {
                PolicyKind::Part2 => set.part2.push(Arc::new(p)),
                PolicyKind::Hipaa => set.hipaa.push(Arc::new(p)),
            }
        }
        for list in [&set.part2, &set.hipaa] {
            check_overlaps(list.iter().map(|p| p.as_ref()))?;
        }
        Ok(set)
    }

    /// The version of `kind` in force on `on`.
    pub fn in_force(&self, kind: PolicyKind, on: NaiveDate) -> Result<&Policy, PolicyError> {
        let list = match kind {
            PolicyKind::Part2 => &self.part2,
            PolicyKind::Hipaa => &self.hipaa,
        };
        list.iter()
            .find(|p| p.in_force(on))
            .map(|p| p.as_ref())
            .ok_or_else(|| {
                let have: Vec<String> = list
                    .iter()
                    .map(|p| {
                        format!(
                            "{} from {}{}",
                            p.reference.version,
                            p.effective_from,
                            p.effective_to
                                .map(|t| format!(" to {t}"))
                                .unwrap_or_default()
                        )
                    })
                    .collect();
                err(format!(
                    "no {} policy is in force on {on} (versions loaded: {}); \
                     use an evaluation date the policies cover, or give a policy file \
                     covering {on} with --policy",
                    kind.id(),
                    if have.is_empty() {
                        "none".to_owned()
                    } else {
                        have.join(", ")
                    }
                ))
            })
    }
}

/// Two versions of one id whose effective periods overlap are an error naming both files.
pub fn check_overlaps<'a>(list: impl Iterator<Item = &'a Policy>) -> Result<(), PolicyError> {
    let mut v: Vec<&Policy> = list.collect();
    v.sort_by_key(|p| p.effective_from);
    for w in v.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.effective_to.is_none_or(|to| to >= b.effective_from) {
            return Err(err(format!(
                "{} (version {}) and {} (version {}): effective periods of policy `{}` overlap \
                 from {}; give the earlier one an effective_to before the later one's effective_from",
                a.origin,
                a.reference.version,
                b.origin,
                b.reference.version,
                a.kind.id(),
                b.effective_from
            )));
        }
    }
    Ok(())
}

/// Facts named in policies, for help texts and errors.
pub fn fact_names() -> Vec<&'static str> {
    Fact::ALL.iter().map(|f| f.name()).collect()
}
