//! The checks a parser cannot make (docs/queue-format.md): schema, id syntax, forbidden
//! characters, uniqueness, references, consent shape, value sizes. Each problem names the
//! path (`disclosures[12].consent`), the ids involved and what is allowed.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::limits::{MAX_ADDRESS, MAX_INFORMATION, MAX_SCALAR};
use super::model::{ConsentKind, InquiryAbout, Purpose, Queue, Records, SCHEMA};
use crate::text::escape;

/// A path like `disclosures[12].consent`, built only when a problem is reported.
type Path<'a> = &'a dyn Fn() -> String;

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 10;

#[derive(Default)]
struct Problems {
    list: Vec<String>,
    more: usize,
}

impl Problems {
    fn push(&mut self, path: impl std::fmt::Display, msg: impl std::fmt::Display) {
        if self.list.len() < MAX_LISTED {
            self.list.push(format!("{path}: {msg}"));
        } else {
            self.more += 1;
        }
    }
}

/// `^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`
fn valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-'))
}

/// Control characters, line/paragraph separators, bidi controls and invisible format
/// characters: one rule, shared with everything else that takes names.
fn forbidden_char(c: char) -> bool {
    crate::text::is_forbidden_input_char(c)
}

/// The signed log records a recipient name in 1–256 bytes; a queue name outside that
/// could be reviewed but never decided.
const LOG_NAME_MAX: usize = 256;

const ID_RULE: &str =
    "ids start with a letter or digit, then up to 63 letters, digits, '.', '_', ':' or '-'";

fn check_id(p: &mut Problems, path: Path, what: &str, v: &str) {
    if !valid_id(v) {
        p.push(
            path(),
            format_args!("invalid {what} \"{}\": {ID_RULE}", escape(v)),
        );
    }
}

fn check_name(p: &mut Problems, path: Path, v: &str) {
    if let Some(c) = v.chars().find(|&c| forbidden_char(c)) {
        p.push(
            path(),
            format_args!(
                "\"{}\" contains the character U+{:04X}: names and codes may not contain control characters, line separators, bidi controls or invisible characters (zero-width spaces and joiners, BOM, tags)",
                escape(v),
                c as u32
            ),
        );
    }
}

fn check_len(p: &mut Problems, path: Path, v: &str) {
    if v.len() > MAX_SCALAR {
        p.push(
            path(),
            format_args!(
                "value of {} bytes: a queue allows at most 64 KiB per value",
                v.len()
            ),
        );
    }
}

/// A name-like string: no forbidden characters, size limit.
fn name(p: &mut Problems, path: Path, v: &str) {
    check_len(p, path, v);
    check_name(p, path, v);
}

/// A name the signed log records: not blank, at most `LOG_NAME_MAX` bytes.
fn recorded_name(p: &mut Problems, path: Path, v: &str) {
    if v.trim().is_empty() {
        p.push(
            path(),
            "the name is empty: a decision records the recipient's name; write it out",
        );
    } else if v.len() > LOG_NAME_MAX {
        p.push(
            path(),
            format_args!(
                "the name is {} bytes: a decision records it in the signed log, which allows at most {LOG_NAME_MAX}; shorten it",
                v.len()
            ),
        );
    }
}

/// Text the accounting of disclosures shows the patient (`recipient.address`,
/// `disclosure.information`): not blank, at most `max` bytes, none of the forbidden
/// characters (one line: write an address with commas).
fn accounting_text(p: &mut Problems, path: Path, v: &str, max: usize) {
    if v.trim().is_empty() {
        p.push(path(), "empty: leave the key out, or write the text");
    } else if v.len() > max {
        p.push(
            path(),
            format_args!(
                "{} bytes: the accounting of disclosures allows at most {max}; shorten it",
                v.len()
            ),
        );
    }
    check_name(p, path, v);
}

/// An id or reference: id syntax (which also excludes every forbidden character).
fn id(p: &mut Problems, path: Path, what: &str, v: &str) {
    check_len(p, path, v);
    check_id(p, path, what, v);
}

fn names(p: &mut Problems, base: Path, key: &str, vs: &[String]) {
    for (j, v) in vs.iter().enumerate() {
        name(p, &|| format!("{}.{key}[{j}]", base()), v);
    }
}

/// Record `v` as the id at `path`; report a duplicate with both places.
fn unique<'q>(
    p: &mut Problems,
    seen: &mut HashMap<&'q str, usize>,
    (list, i, field): (&str, usize, &str),
    what: &str,
    v: &'q str,
) {
    if let Some(first) = seen.get(v) {
        p.push(
            format_args!("{list}[{i}].{field}"),
            format_args!(
                "duplicate {what} \"{}\" (also at {list}[{first}].{field}): {what}s must be unique",
                escape(v)
            ),
        );
    } else {
        seen.insert(v, i);
    }
}

/// Validate a parsed queue; `Err` holds the listed problems, one per line.
pub(crate) fn validate(q: &Queue) -> Result<(), String> {
    let mut p = Problems::default();
    if q.schema != SCHEMA {
        p.push(
            "schema",
            format_args!(
                "\"{}\" is not supported: write `schema: {SCHEMA}`",
                escape(&q.schema)
            ),
        );
    }
    if let Some(pack) = &q.pack {
        id(&mut p, &|| "pack.id".to_owned(), "pack id", &pack.id);
        name(&mut p, &|| "pack.version".to_owned(), &pack.version);
        if let Some(t) = &pack.title {
            name(&mut p, &|| "pack.title".to_owned(), t);
        }
    }
    name(
        &mut p,
        &|| "organization.name".to_owned(),
        &q.organization.name,
    );

    let mut programs = HashMap::with_capacity(q.programs.len());
    for (i, g) in q.programs.iter().enumerate() {
        let base = &|| format!("programs[{i}]");
        id(&mut p, &|| format!("{}.id", base()), "program id", &g.id);
        unique(
            &mut p,
            &mut programs,
            ("programs", i, "id"),
            "program id",
            &g.id,
        );
        name(&mut p, &|| format!("{}.name", base()), &g.name);
        names(&mut p, base, "npis", &g.npis);
        names(&mut p, base, "taxonomies", &g.taxonomies);
    }
    let mut payers = HashMap::with_capacity(q.payers.len());
    for (i, y) in q.payers.iter().enumerate() {
        let base = &|| format!("payers[{i}]");
        id(&mut p, &|| format!("{}.id", base()), "payer id", &y.id);
        unique(&mut p, &mut payers, ("payers", i, "id"), "payer id", &y.id);
        name(&mut p, &|| format!("{}.name", base()), &y.name);
    }
    let mut patients = HashMap::with_capacity(q.patients.len());
    for (i, t) in q.patients.iter().enumerate() {
        let base = &|| format!("patients[{i}]");
        id(
            &mut p,
            &|| format!("{}.ref", base()),
            "patient ref",
            &t.reference,
        );
        unique(
            &mut p,
            &mut patients,
            ("patients", i, "ref"),
            "patient ref",
            &t.reference,
        );
        if let Some(d) = &t.display {
            name(&mut p, &|| format!("{}.display", base()), d);
        }
        names(&mut p, base, "member_ids", &t.member_ids);
    }

    let mut consents = HashMap::with_capacity(q.consents.len());
    for (i, c) in q.consents.iter().enumerate() {
        let base = &|| format!("consents[{i}]");
        id(&mut p, &|| format!("{}.id", base()), "consent id", &c.id);
        unique(
            &mut p,
            &mut consents,
            ("consents", i, "id"),
            "consent id",
            &c.id,
        );
        id(
            &mut p,
            &|| format!("{}.patient", base()),
            "patient ref",
            &c.patient,
        );
        if !patients.contains_key(c.patient.as_str()) {
            p.push(
                format!("{}.patient", base()),
                format_args!(
                    "consent \"{}\" names patient \"{}\", which is not under `patients:`; add the patient or fix the ref",
                    escape(&c.id),
                    escape(&c.patient)
                ),
            );
        }
        id(
            &mut p,
            &|| format!("{}.program", base()),
            "program id",
            &c.program,
        );
        if !programs.contains_key(c.program.as_str()) {
            p.push(
                format!("{}.program", base()),
                format_args!(
                    "consent \"{}\" names program \"{}\", which is not under `programs:`; add the program or fix the id",
                    escape(&c.id),
                    escape(&c.program)
                ),
            );
        }
        if c.recipients.is_empty() {
            p.push(
                format!("{}.recipients", base()),
                "a consent needs at least one recipient (`- class: ...` or `- name: ...`)",
            );
        }
        for (j, r) in c.recipients.iter().enumerate() {
            let rp = || format!("{}.recipients[{j}]", base());
            match (&r.class, &r.name) {
                (Some(_), None) => {}
                (None, Some(n)) => name(&mut p, &|| format!("{}.name", rp()), n),
                _ => p.push(
                    rp(),
                    "write exactly one of `class` (treating_providers, health_plans, third_party_payers, program_operations) or `name`",
                ),
            }
        }
        if c.purposes.is_empty() {
            p.push(
                format!("{}.purposes", base()),
                "a consent needs at least one purpose",
            );
        }
        match (&c.expires_on, &c.expires_event) {
            (Some(_), None) => {}
            (None, Some(ev)) => name(&mut p, &|| format!("{}.expires_event", base()), ev),
            (Some(_), Some(_)) => p.push(
                base(),
                "write exactly one of `expires_on` or `expires_event`, not both",
            ),
            (None, None) => p.push(
                base(),
                "missing expiration: write exactly one of `expires_on` (a date) or `expires_event`",
            ),
        }
        if c.kind == ConsentKind::CounselingNotes && c.records != [Records::CounselingNotes] {
            p.push(
                format!("{}.records", base()),
                "a counseling_notes consent must have `records: [counseling_notes]` (2.31(b))",
            );
        }
        if let Some(t) = &c.information {
            check_len(&mut p, &|| format!("{}.information", base()), t);
        }
    }

    for (i, r) in q.restrictions.iter().enumerate() {
        let base = &|| format!("restrictions[{i}]");
        id(
            &mut p,
            &|| format!("{}.patient", base()),
            "patient ref",
            &r.patient,
        );
        if !patients.contains_key(r.patient.as_str()) {
            p.push(
                format!("{}.patient", base()),
                format_args!(
                    "restriction of patient \"{}\", who is not under `patients:`; add the patient or fix the ref",
                    escape(&r.patient)
                ),
            );
        }
        names(&mut p, base, "recipients", &r.recipients);
        if let Some(t) = &r.services {
            check_len(&mut p, &|| format!("{}.services", base()), t);
        }
    }

    let mut disclosures = HashMap::with_capacity(q.disclosures.len());
    for (i, d) in q.disclosures.iter().enumerate() {
        let base = &|| format!("disclosures[{i}]");
        id(&mut p, &|| format!("{}.id", base()), "disclosure id", &d.id);
        unique(
            &mut p,
            &mut disclosures,
            ("disclosures", i, "id"),
            "disclosure id",
            &d.id,
        );
        id(
            &mut p,
            &|| format!("{}.patient", base()),
            "patient ref",
            &d.patient,
        );
        if !patients.contains_key(d.patient.as_str()) {
            p.push(
                format!("{}.patient", base()),
                format_args!(
                    "disclosure \"{}\" names patient \"{}\", who is not under `patients:`; add the patient or fix the ref",
                    escape(&d.id),
                    escape(&d.patient)
                ),
            );
        }
        id(
            &mut p,
            &|| format!("{}.program", base()),
            "program id",
            &d.program,
        );
        if !programs.contains_key(d.program.as_str()) {
            p.push(
                format!("{}.program", base()),
                format_args!(
                    "disclosure \"{}\" names program \"{}\", which is not under `programs:`; add the program or fix the id",
                    escape(&d.id),
                    escape(&d.program)
                ),
            );
        }
        let rn = || format!("{}.recipient.name", base());
        name(&mut p, &rn, &d.recipient.name);
        recorded_name(&mut p, &rn, &d.recipient.name);
        if let Some(o) = &d.recipient.on_behalf_of {
            let on = || format!("{}.recipient.on_behalf_of.name", base());
            name(&mut p, &on, &o.name);
            recorded_name(&mut p, &on, &o.name);
        }
        if d.inquiry_about == Some(InquiryAbout::Patient) && !d.against_patient {
            p.push(
                format!("{}.inquiry_about", base()),
                format_args!(
                    "disclosure \"{}\": `inquiry_about: patient` means an investigation of the patient; set `against_patient: true`, or use program, holder or other_person",
                    escape(&d.id)
                ),
            );
        }
        if let Some(cid) = &d.consent {
            let cp = || format!("{}.consent", base());
            id(&mut p, &cp, "consent id", cid);
            match consents.get(cid.as_str()) {
                None => p.push(
                    cp(),
                    format_args!(
                        "disclosure \"{}\" relies on consent \"{}\", which is not under `consents:`; add it or remove `consent:`",
                        escape(&d.id),
                        escape(cid)
                    ),
                ),
                Some(&ci) => {
                    let c = &q.consents[ci];
                    if c.patient != d.patient {
                        p.push(
                            cp(),
                            format_args!(
                                "disclosure \"{}\" (patient \"{}\") relies on consent \"{}\" (consents[{ci}]) of another patient \"{}\"; a disclosure may rely only on its own patient's consent",
                                escape(&d.id),
                                escape(&d.patient),
                                escape(cid),
                                escape(&c.patient)
                            ),
                        );
                    }
                }
            }
        }
        if let Some(claim) = &d.claim {
            // The payer-facing claim number (X12 CLM01) is not one of the queue's list ids:
            // it keeps whatever characters the claim system used, minus the unsafe ones.
            if let Some(cid) = &claim.id {
                name(&mut p, &|| format!("{}.claim.id", base()), cid);
            }
            names(&mut p, &|| format!("{}.claim", base()), "dx", &claim.dx);
            names(
                &mut p,
                &|| format!("{}.claim", base()),
                "procedures",
                &claim.procedures,
            );
            names(
                &mut p,
                &|| format!("{}.claim", base()),
                "modifiers",
                &claim.modifiers,
            );
        }
        if let Some(n) = &d.note {
            check_len(&mut p, &|| format!("{}.note", base()), n);
        }
        // Shown to the patient in the accounting of disclosures (docs/queue-format.md):
        // printable text only, bounded.
        if let Some(a) = &d.recipient.address {
            accounting_text(
                &mut p,
                &|| format!("{}.recipient.address", base()),
                a,
                MAX_ADDRESS,
            );
        }
        if let Some(t) = &d.information {
            accounting_text(
                &mut p,
                &|| format!("{}.information", base()),
                t,
                MAX_INFORMATION,
            );
        }
        if let Some(e) = &d.expect {
            for (k, v) in [
                ("part2", &e.part2),
                ("hipaa", &e.hipaa),
                ("consent", &e.consent),
                ("redisclosure", &e.redisclosure),
                ("teach", &e.teach),
            ] {
                if let Some(v) = v {
                    check_len(&mut p, &|| format!("{}.expect.{k}", base()), v);
                }
            }
            names(&mut p, &|| format!("{}.expect", base()), "cites", &e.cites);
        }
    }

    if p.list.is_empty() {
        return Ok(());
    }
    let mut out = p.list.join("\n");
    if p.more > 0 {
        let _ = write!(out, "\n… and {} more problems", p.more);
    }
    Err(out)
}

/// Problems that do not stop loading but that the user should fix, one line each naming the
/// item: a restriction listing a purpose other than treatment, payment or operations, which
/// never blocks anything on the Part 2 side (42 CFR 2.26(a)(1),(5)).
pub fn warnings(q: &Queue) -> Vec<String> {
    let mut out = Vec::new();
    for (i, r) in q.restrictions.iter().enumerate() {
        let others: Vec<&str> = r
            .purposes
            .iter()
            .filter(|p| {
                !matches!(
                    p,
                    Purpose::Treatment
                        | Purpose::Payment
                        | Purpose::HealthCareOperations
                        | Purpose::Audit
                )
            })
            .map(|p| p.as_str())
            .collect();
        if !others.is_empty() {
            out.push(format!(
                "restrictions[{i}] (patient \"{}\", {}): purposes {} are not treatment, payment or health care operations; a Part 2 restriction binds only those (42 CFR 2.26(a)(1),(5)), so it will not block them",
                escape(&r.patient),
                match r.kind {
                    super::model::RestrictionKind::SelfPay => "self_pay",
                    super::model::RestrictionKind::Agreed => "agreed",
                },
                others.join(", ")
            ));
        }
    }
    out
}
