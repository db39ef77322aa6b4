//! The canonical JSON of a loaded disclosure, whose SHA-256 is a decision entry's
//! `disclosure_sha256` (docs/queue-format.md#hash-stability): defaults filled (the loader did), dates `YYYY-MM-DD`,
//! amount as a 2-decimal string, `expect` excluded, keys sorted, compact. The same
//! disclosure read from YAML or JSON, with or without explicit defaults, hashes the same.

use serde_json::Value;

use super::model::Disclosure;

/// Canonical JSON text of `d` (without `expect`).
pub fn disclosure_json(d: &Disclosure) -> String {
    let mut d = d.clone();
    d.expect = None;
    // Written out as its actor's default, `holder_basis` says nothing new: leave it out so the
    // hash equals that of the same disclosure written before the field existed.
    if let Some(actor) = d.actor
        && d.holder_basis.is_some()
        && d.holder_basis == super::model::HolderBasis::default_for(actor)
    {
        d.holder_basis = None;
    }
    let v = serde_json::to_value(&d).unwrap_or(Value::Null);
    let mut out = String::with_capacity(512);
    write(&v, &mut out);
    out
}

/// Lowercase hex SHA-256 of [`disclosure_json`].
pub fn disclosure_sha256(d: &Disclosure) -> String {
    crate::digest::sha256_hex(disclosure_json(d).as_bytes())
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::queue::load_bytes;

    const Q: &str = "schema: p2review.queue/1\norganization: {name: O, role: qso}\nprograms: [{id: h, name: H, part2: true}]\npatients: [{ref: P-1}]\ndisclosures:\n  - id: D-1\n    requested_on: 2026-11-20\n    patient: P-1\n    program: h\n    recipient: {name: Acme, kind: health_plan}\n    purpose: payment\n    claim: {amount: 412.5}\n    note: \"x\\u0007y\"\n    expect: {part2: permitted}\n";

    #[test]
    fn canonical_and_stable() {
        let q = load_bytes(Q.as_bytes(), "q").unwrap();
        let j = super::disclosure_json(&q.disclosures[0]);
        assert!(j.contains("\"amount\":\"412.50\""), "{j}");
        assert!(j.contains("\"requested_on\":\"2026-11-20\""));
        assert!(j.contains("\"actor\":\"qso\""), "defaults filled: {j}");
        assert!(!j.contains("expect"));
        assert!(j.contains("\\u0007"), "control characters escaped: {j}");
        assert!(!j.contains(' ') || j.contains("\"name\":\"Acme\""));
        // Same disclosure written with explicit defaults and another key order / JSON.
        let explicit = Q.replace(
            "purpose: payment\n",
            "purpose: payment\n    subpoena: false\n    records: general\n",
        );
        let q2 = load_bytes(explicit.as_bytes(), "q").unwrap();
        assert_eq!(
            super::disclosure_sha256(&q.disclosures[0]),
            super::disclosure_sha256(&q2.disclosures[0])
        );
        // Fields added after the first release count only when they differ from their default.
        let newer_defaults = Q.replace(
            "purpose: payment\n",
            "purpose: payment\n    holder_basis: qsoa\n    research_documented: false\n    inquiry_about: null\n",
        )
        .replace(
            "kind: health_plan}",
            "kind: health_plan, treats_patient: false, involved_in_care: false, on_behalf_of: null}",
        );
        let q4 = load_bytes(newer_defaults.as_bytes(), "q").unwrap();
        assert_eq!(
            super::disclosure_sha256(&q.disclosures[0]),
            super::disclosure_sha256(&q4.disclosures[0])
        );
        for set in [
            "holder_basis: tpo_consent",
            "research_documented: true",
            "inquiry_about: program",
        ] {
            let x = Q.replace(
                "purpose: payment\n",
                &format!("purpose: payment\n    {set}\n"),
            );
            let qx = load_bytes(x.as_bytes(), "q").unwrap();
            assert_ne!(
                super::disclosure_sha256(&q.disclosures[0]),
                super::disclosure_sha256(&qx.disclosures[0]),
                "{set} must change the hash"
            );
        }
        for set in [
            "treats_patient: true",
            "involved_in_care: true",
            "on_behalf_of: {name: Plan, kind: health_plan}",
            "address: \"PO Box 1, Salem\"",
        ] {
            let x = Q.replace("kind: health_plan}", &format!("kind: health_plan, {set}}}"));
            let qx = load_bytes(x.as_bytes(), "q").unwrap();
            assert_ne!(
                super::disclosure_sha256(&q.disclosures[0]),
                super::disclosure_sha256(&qx.disclosures[0]),
                "{set} must change the hash"
            );
        }
        // The accounting's description is part of what was decided on.
        let x = Q.replace("    note:", "    information: \"October claim\"\n    note:");
        let qx = load_bytes(x.as_bytes(), "q").unwrap();
        assert!(
            super::disclosure_json(&qx.disclosures[0])
                .contains("\"information\":\"October claim\"")
        );
        assert!(!super::disclosure_json(&q.disclosures[0]).contains("information"));
        assert!(!super::disclosure_json(&q.disclosures[0]).contains("address"));
        let changed = Q.replace("412.5", "412.51");
        let q3 = load_bytes(changed.as_bytes(), "q").unwrap();
        assert_ne!(
            super::disclosure_sha256(&q.disclosures[0]),
            super::disclosure_sha256(&q3.disclosures[0])
        );
    }
}
