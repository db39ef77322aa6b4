//! Parsing and validating a policy file, and compiling its rules into bit-mask matchers.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_yaml::Value;

use super::PolicyError;
use crate::facts::{Fact, Facts};
use crate::verdict::{HipaaStatus, Part2Status, PolicyRef, Redisclosure};

use super::{NotModelled, Policy, PolicyKind, Statements};

/// One condition: the fact's value must be in `mask` (bit i = value index i).
#[derive(Debug, Clone)]
pub struct Cond {
    pub fact: Fact,
    pub mask: u64,
}

/// What a matching rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Part2 {
        status: Part2Status,
        notice: bool,
        redisclosure: Redisclosure,
    },
    Hipaa {
        status: HipaaStatus,
    },
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: &'static str,
    /// Reference rows (A1–A62) this rule encodes.
    pub rows: Vec<String>,
    pub conds: Vec<Cond>,
    pub outcome: Outcome,
    pub cite: &'static [Cow<'static, str>],
    pub explain: &'static str,
    pub unsettled: bool,
    /// Whether the reported consent is shown with this verdict (docs/evaluation-json.md#consent): by default only
    /// for `permitted_with_notice` and `consent_required`.
    pub shows_consent: bool,
    /// Trace text when this rule matches (its conditions, spelled out).
    pub matched_why: &'static str,
    /// The rule tests the `restriction` fact (the result then mentions unknown service dates).
    pub tests_restriction: bool,
    /// Facts the queue cannot express that this verdict rests on (the rule then takes the
    /// stricter outcome); results list them as `missing_facts`.
    pub missing_facts: &'static [Cow<'static, str>],
}

/// A cross-cutting open question: whatever rule decides, a disclosure matching `conds` is
/// marked `unsettled` and the explanation gains `explain`.
#[derive(Debug, Clone)]
pub struct UnsettledWhen {
    pub id: &'static str,
    pub conds: Vec<Cond>,
    pub explain: &'static str,
}

impl UnsettledWhen {
    pub fn matches(&self, facts: &Facts<'_>) -> bool {
        self.conds
            .iter()
            .all(|c| c.mask & (1u64 << facts.get(c.fact)) != 0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsettledSpec {
    id: String,
    when: serde_yaml::Mapping,
    explain: String,
}

impl Rule {
    /// The first condition that fails, or `None` when the rule matches.
    #[inline]
    pub fn first_failing(&self, facts: &Facts<'_>) -> Option<Fact> {
        self.conds
            .iter()
            .find(|c| c.mask & (1u64 << facts.get(c.fact)) == 0)
            .map(|c| c.fact)
    }
}

/// "records is general": the trace reason for a rule that did not match, built once per
/// (fact, value) so evaluation does not format strings.
pub fn value_why(fact: Fact, value: u8) -> &'static str {
    static TABLE: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        Fact::ALL
            .iter()
            .map(|f| {
                f.values()
                    .iter()
                    .map(|v| super::intern::intern(&format!("{} is {v}", f.name())))
                    .collect()
            })
            .collect()
    });
    table[fact as usize]
        .get(value as usize)
        .copied()
        .unwrap_or(fact.name())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    id: String,
    title: String,
    version: String,
    effective_from: NaiveDate,
    #[serde(default)]
    effective_to: Option<NaiveDate>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    notice_statement: Option<String>,
    #[serde(default)]
    statements: Option<Statements>,
    rules: Vec<Value>,
    #[serde(default)]
    not_modelled: Vec<NotModelled>,
    /// Earlier versions whose training still counts (a correction release lists them).
    #[serde(default)]
    training_accepts: Vec<String>,
    #[serde(default)]
    unsettled_when: Vec<UnsettledSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    #[serde(default)]
    rows: Vec<String>,
    #[serde(default)]
    when: serde_yaml::Mapping,
    status: String,
    #[serde(default)]
    notice: Option<bool>,
    #[serde(default)]
    redisclosure: Option<String>,
    cite: Vec<String>,
    explain: String,
    #[serde(default)]
    unsettled: bool,
    /// `shown` | `not_applicable`: override whether the reported consent is shown.
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    missing_facts: Vec<String>,
}

fn rule_id_re(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub fn policy(text: &str, origin: &str) -> Result<Policy, PolicyError> {
    let e = |m: String| PolicyError {
        message: format!("{origin}: {m}"),
    };
    let spec: FileSpec = serde_yaml::from_str(text).map_err(|x| e(x.to_string()))?;
    let kind = PolicyKind::from_id(&spec.id).ok_or_else(|| {
        e(format!(
            "field `id`: unknown policy id `{}`; allowed: part2, hipaa",
            spec.id
        ))
    })?;
    let _ = spec.description;
    if spec.version.trim().is_empty() {
        return Err(e("field `version`: must not be empty".into()));
    }
    if spec.title.trim().is_empty() {
        return Err(e("field `title`: must not be empty".into()));
    }
    if let Some(to) = spec.effective_to
        && to < spec.effective_from
    {
        return Err(e(format!(
            "field `effective_to`: {to} is before effective_from {}",
            spec.effective_from
        )));
    }
    let statement = match kind {
        PolicyKind::Part2 => {
            let st =
                spec.statements.as_ref().ok_or_else(|| {
                    e("field `statements`: the Part 2 policy needs the §2.32 `long` (Statement 1) \
                   and `short` (Statement 2) texts"
                    .into())
                })?;
            let chosen = match spec.notice_statement.as_deref().unwrap_or("short") {
                "short" => &st.short,
                "long" => &st.long,
                other => {
                    return Err(e(format!(
                        "field `notice_statement`: unknown value `{other}`; allowed: short, long"
                    )));
                }
            };
            if chosen.trim().is_empty() {
                return Err(e("field `statements`: the chosen statement is empty".into()));
            }
            Some(super::intern::intern(chosen.trim_end()))
        }
        PolicyKind::Hipaa => {
            if spec.statements.is_some() || spec.notice_statement.is_some() {
                return Err(e(
                    "fields `statements`/`notice_statement` belong in the part2 policy only".into(),
                ));
            }
            None
        }
    };
    if spec.rules.is_empty() {
        return Err(e("field `rules`: no rules".into()));
    }
    let mut rules: Vec<Rule> = Vec::with_capacity(spec.rules.len());
    for (i, v) in spec.rules.into_iter().enumerate() {
        let id_hint = v
            .get("id")
            .and_then(|x| x.as_str())
            .map(|s| format!("rule {s}"))
            .unwrap_or_else(|| format!("rules[{i}]"));
        let r: RuleSpec = serde_yaml::from_value(v).map_err(|x| e(format!("{id_hint}: {x}")))?;
        let re = |field: &str, m: String| e(format!("rule {}: field `{field}`: {m}", r.id));
        if !rule_id_re(&r.id) {
            return Err(e(format!(
                "{id_hint}: field `id`: `{}` is not a rule id (letters, digits, . _ -)",
                r.id
            )));
        }
        if rules.iter().any(|x| x.id == r.id) {
            return Err(re("id", "duplicate rule id".into()));
        }
        for row in &r.rows {
            if !is_row(row) {
                return Err(re(
                    "rows",
                    format!("`{row}` is not a reference row (A1 … A62)"),
                ));
            }
        }
        let conds = conditions(&r.when).map_err(|(f, m)| re(&f, m))?;
        let outcome = match kind {
            PolicyKind::Part2 => {
                let status = Part2Status::parse(&r.status).ok_or_else(|| {
                    re(
                        "status",
                        allowed(&r.status, Part2Status::ALL.iter().map(|s| s.as_str())),
                    )
                })?;
                let notice = r.notice.ok_or_else(|| {
                    re("notice", "required in a Part 2 rule (true or false)".into())
                })?;
                let rd = r
                    .redisclosure
                    .as_deref()
                    .ok_or_else(|| re("redisclosure", "required in a Part 2 rule".into()))?;
                let redisclosure = Redisclosure::parse(rd).ok_or_else(|| {
                    re(
                        "redisclosure",
                        allowed(rd, Redisclosure::ALL.iter().map(|s| s.as_str())),
                    )
                })?;
                if notice != (status == Part2Status::PermittedWithNotice) {
                    return Err(re(
                        "notice",
                        "must be true exactly when status is permitted_with_notice (docs/evaluation-json.md)"
                            .into(),
                    ));
                }
                let want = match status {
                    Part2Status::ConsentRequired
                    | Part2Status::CourtOrderRequired
                    | Part2Status::Prohibited => Some(Redisclosure::None),
                    Part2Status::NotApplicable => Some(Redisclosure::NotApplicable),
                    _ => None,
                };
                if let Some(w) = want
                    && w != redisclosure
                {
                    return Err(re(
                        "redisclosure",
                        format!("must be {w} when status is {status} (docs/evaluation-json.md)"),
                    ));
                }
                Outcome::Part2 {
                    status,
                    notice,
                    redisclosure,
                }
            }
            PolicyKind::Hipaa => {
                if r.notice.is_some() {
                    return Err(re("notice", "only Part 2 rules carry a notice".into()));
                }
                if r.redisclosure.is_some() {
                    return Err(re(
                        "redisclosure",
                        "only Part 2 rules carry a redisclosure status".into(),
                    ));
                }
                let status = HipaaStatus::parse(&r.status).ok_or_else(|| {
                    re(
                        "status",
                        allowed(&r.status, HipaaStatus::ALL.iter().map(|s| s.as_str())),
                    )
                })?;
                Outcome::Hipaa { status }
            }
        };
        if r.cite.is_empty() || r.cite.iter().any(|c| c.trim().is_empty()) {
            return Err(re("cite", "at least one non-empty citation".into()));
        }
        if r.explain.trim().is_empty() {
            return Err(re("explain", "one plain sentence is required".into()));
        }
        let shows_consent = match r.consent.as_deref() {
            None => matches!(
                outcome,
                Outcome::Part2 {
                    status: Part2Status::PermittedWithNotice | Part2Status::ConsentRequired,
                    ..
                }
            ),
            Some("shown") => true,
            Some("not_applicable") => false,
            Some(other) => {
                return Err(re(
                    "consent",
                    format!("unknown value `{other}`; allowed: shown, not_applicable"),
                ));
            }
        };
        if r.missing_facts.iter().any(|m| m.trim().is_empty()) {
            return Err(re("missing_facts", "entries must not be empty".into()));
        }
        let matched_why = if r.when.is_empty() {
            "no conditions: the default".to_owned()
        } else {
            describe(&r.when)
        };
        rules.push(Rule {
            id: super::intern::intern(&r.id),
            rows: r.rows,
            tests_restriction: conds.iter().any(|c| c.fact == Fact::Restriction),
            conds,
            outcome,
            cite: super::intern::intern_list(
                &r.cite.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            explain: super::intern::intern(r.explain.trim()),
            unsettled: r.unsettled,
            shows_consent,
            matched_why: super::intern::intern(&matched_why),
            missing_facts: super::intern::intern_list(
                &r.missing_facts
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
        });
    }
    if let Some(last) = rules.last()
        && !last.conds.is_empty()
    {
        return Err(e(format!(
            "rule {}: field `when`: the last rule must have no conditions, so every \
             disclosure gets a verdict",
            last.id
        )));
    }
    for nm in &spec.not_modelled {
        for row in &nm.rows {
            if !is_row(row) {
                return Err(e(format!(
                    "not_modelled: field `rows`: `{row}` is not a reference row (A1 … A62)"
                )));
            }
        }
        if nm.reason.trim().is_empty() {
            return Err(e("not_modelled: field `reason`: give the reason".into()));
        }
    }
    let mut unsettled_when = Vec::with_capacity(spec.unsettled_when.len());
    for u in &spec.unsettled_when {
        let ue =
            |field: &str, m: String| e(format!("unsettled_when {}: field `{field}`: {m}", u.id));
        if !rule_id_re(&u.id) {
            return Err(e(format!(
                "unsettled_when: field `id`: `{}` is not an id (letters, digits, . _ -)",
                u.id
            )));
        }
        if u.when.is_empty() {
            return Err(ue("when", "give at least one condition".into()));
        }
        if u.explain.trim().is_empty() {
            return Err(ue("explain", "one plain sentence is required".into()));
        }
        let conds = conditions(&u.when).map_err(|(f, m)| ue(&f, m))?;
        unsettled_when.push(UnsettledWhen {
            id: super::intern::intern(&u.id),
            conds,
            explain: super::intern::intern(u.explain.trim()),
        });
    }
    if spec.training_accepts.iter().any(|v| v.trim().is_empty()) {
        return Err(e(
            "field `training_accepts`: versions must not be empty".into()
        ));
    }
    if spec.training_accepts.contains(&spec.version) {
        return Err(e(format!(
            "field `training_accepts`: lists this file's own version `{}`; list only earlier versions",
            spec.version
        )));
    }
    Ok(Policy {
        kind,
        training_accepts: spec.training_accepts,
        unsettled_when,
        title: spec.title,
        effective_from: spec.effective_from,
        effective_to: spec.effective_to,
        origin: origin.to_owned(),
        reference: PolicyRef {
            id: Cow::Borrowed(super::intern::intern(&spec.id)),
            version: Cow::Borrowed(super::intern::intern(&spec.version)),
            sha256: Cow::Borrowed(super::intern::intern(&crate::digest::sha256_hex(
                text.as_bytes(),
            ))),
        },
        rules,
        statements: spec.statements,
        statement,
        not_modelled: spec.not_modelled,
    })
}

fn is_row(s: &str) -> bool {
    s.strip_prefix('A')
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=62).contains(&n) && s == format!("A{n}"))
}

fn allowed<'a>(got: &str, values: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = values.collect();
    format!("unknown value `{got}`; allowed: {}", v.join(", "))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Compile `when:`. Each key is a fact; its value is a value (equals), a list (any of), or a
/// map with one operator: `in`, `not`, `not_in`. Errors are `(field, message)`.
fn conditions(when: &serde_yaml::Mapping) -> Result<Vec<Cond>, (String, String)> {
    let mut out = Vec::with_capacity(when.len());
    for (k, v) in when {
        let name = k
            .as_str()
            .ok_or_else(|| ("when".to_owned(), "fact names are strings".to_owned()))?;
        let field = format!("when.{name}");
        let fact = Fact::from_name(name).ok_or_else(|| {
            (
                field.clone(),
                format!(
                    "unknown fact `{name}`; known facts: {}",
                    super::fact_names().join(", ")
                ),
            )
        })?;
        let (negate, values): (bool, Vec<&Value>) = match v {
            Value::Sequence(s) => (false, s.iter().collect()),
            Value::Mapping(m) => {
                if m.len() != 1 {
                    return Err((
                        field,
                        "an operator map holds exactly one of: in, not, not_in".into(),
                    ));
                }
                let (op, arg) = m.iter().next().expect("len checked");
                let op = op.as_str().unwrap_or("");
                match (op, arg) {
                    ("in", Value::Sequence(s)) => (false, s.iter().collect()),
                    ("not_in", Value::Sequence(s)) => (true, s.iter().collect()),
                    ("not", x) if !x.is_sequence() && !x.is_mapping() => (true, vec![x]),
                    ("in" | "not_in", _) => {
                        return Err((format!("{field}.{op}"), "expects a list of values".into()));
                    }
                    ("not", _) => {
                        return Err((format!("{field}.not"), "expects one value".into()));
                    }
                    (other, _) => {
                        return Err((
                            format!("{field}.{other}"),
                            format!("unknown operator `{other}`; allowed: in, not, not_in"),
                        ));
                    }
                }
            }
            x => (false, vec![x]),
        };
        if values.is_empty() {
            return Err((field, "lists at least one value".into()));
        }
        let mut mask = 0u64;
        for val in values {
            let s = scalar_text(val)
                .ok_or_else(|| (field.clone(), "values are plain scalars".to_owned()))?;
            let ix = fact.values().iter().position(|x| *x == s).ok_or_else(|| {
                (
                    field.clone(),
                    format!(
                        "unknown value `{s}` for fact `{name}`; allowed: {}",
                        fact.values().join(", ")
                    ),
                )
            })?;
            mask |= 1u64 << ix;
        }
        if negate {
            let all = if fact.values().len() == 64 {
                u64::MAX
            } else {
                (1u64 << fact.values().len()) - 1
            };
            mask = !mask & all;
        }
        out.push(Cond { fact, mask });
    }
    Ok(out)
}

/// The conditions of a rule in words, for the trace of a matching rule.
fn describe(when: &serde_yaml::Mapping) -> String {
    let mut parts = Vec::new();
    for (k, v) in when {
        let name = k.as_str().unwrap_or("?");
        let list = |s: &serde_yaml::Sequence| {
            s.iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = match v {
            Value::Sequence(s) => format!("{name} is one of {}", list(s)),
            Value::Mapping(m) => match m.iter().next() {
                Some((op, Value::Sequence(s))) if op.as_str() == Some("not_in") => {
                    format!("{name} is none of {}", list(s))
                }
                Some((_, Value::Sequence(s))) => format!("{name} is one of {}", list(s)),
                Some((_, x)) => format!("{name} is not {}", scalar_text(x).unwrap_or_default()),
                None => name.to_owned(),
            },
            x => format!("{name} is {}", scalar_text(x).unwrap_or_default()),
        };
        parts.push(text);
    }
    parts.join("; ")
}
