//! Strict queue loading (docs/queue-format.md): good files load to the same `Queue` from YAML and JSON
//! and through every parsing path; bad files get one clear error naming the place (line and
//! column, or path and ids) and what is allowed; hostile files never panic or hang.

use p2review::queue::synth::generate_yaml;
use p2review::queue::{
    Amount, LoadOptions, Parsed, Proceeding, Queue, RecipientKind, Role, YamlPath, load_bytes,
    load_bytes_with, load_path,
};

const SPEC_YAML: &str = include_str!("../fixtures/queue/spec_example.yaml");
const SPEC_JSON: &str = include_str!("../fixtures/queue/spec_example.json");

fn load(text: &str) -> Result<Queue, String> {
    load_bytes(text.as_bytes(), "q.yaml").map_err(|e| e.message)
}

fn load_via(text: &str, yaml: YamlPath) -> Result<(Queue, Parsed), String> {
    load_bytes_with(text.as_bytes(), "q.yaml", LoadOptions { yaml }).map_err(|e| e.message)
}

/// The default path (fast reader, else serde_yaml) and serde_yaml alone agree: the same
/// queue, or the same error. Returns the default path's result.
#[track_caller]
fn agree(text: &str) -> Result<(Queue, Parsed), String> {
    let reference = load_via(text, YamlPath::Reference);
    let auto = load_via(text, YamlPath::Auto);
    assert_eq!(
        auto.as_ref().map(|r| &r.0),
        reference.as_ref().map(|r| &r.0),
        "the fast path differs from serde_yaml on:\n{text:.600}"
    );
    auto
}

/// The error message, which must contain every one of `parts`.
#[track_caller]
fn err_has(text: &str, parts: &[&str]) -> String {
    let e = match load(text) {
        Ok(_) => panic!("loaded, but should fail with {parts:?}:\n{text:.400}"),
        Err(e) => e,
    };
    for p in parts {
        assert!(e.contains(p), "error lacks {p:?}:\n{e}");
    }
    e
}

/// A small valid queue; `{D}` is replaced by extra disclosure lines.
const BASE: &str = "\
schema: p2review.queue/1
organization:
  name: Summit Billing Services
  role: qso
programs:
  - id: harbor
    name: Harbor Recovery Center
    part2: true
patients:
  - ref: P-0001
  - ref: P-0002
consents:
  - id: C-0001
    patient: P-0001
    program: harbor
    kind: tpo
    recipients:
      - class: health_plans
    purposes: [payment]
    signed_on: 2025-02-01
    expires_on: 2027-02-01
disclosures:
  - id: D-0001
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient:
      name: Acme Health Plan
      kind: health_plan
    purpose: payment
";

/// BASE with the first occurrence of `from` replaced by `to` (which must exist).
#[track_caller]
fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} not in BASE");
    BASE.replacen(from, to, 1)
}

// ---------------------------------------------------------------- good inputs

#[test]
fn spec_example_loads_the_same_from_yaml_and_json() {
    let y = load(SPEC_YAML).expect("SPEC YAML example loads");
    let j = load_bytes(SPEC_JSON.as_bytes(), "q.json").expect("SPEC JSON example loads");
    assert_eq!(y, j);
    let d = &y.disclosures[0];
    assert_eq!(d.claim.as_ref().and_then(|c| c.amount), Some(Amount(41250)));
    assert_eq!(y.programs[0].npis, ["1588800001"]);
    assert_eq!(y.pack.as_ref().map(|p| p.version.as_str()), Some("1"));
    assert_eq!(d.expect.as_ref().and_then(|e| e.notice), Some(true));
    assert_eq!(y.consents[0].revoked_on, None);
    assert_eq!(d.court_order, None);
}

#[test]
fn defaults_are_filled_after_load() {
    let q = load(&format!(
        "{BASE}  - id: D-0002
    requested_on: 2026-11-21
    patient: P-0002
    program: harbor
    recipient: {{ name: County Sheriff, kind: law_enforcement }}
    purpose: other
  - id: D-0003
    requested_on: 2026-11-21
    patient: P-0002
    program: harbor
    actor: part2_program
    recipient: {{ name: Granite Comp, kind: third_party_payer }}
    purpose: legal_proceeding
    proceeding: criminal
"
    ))
    .expect("loads");
    let [d1, d2, d3] = &q.disclosures[..] else {
        panic!("three disclosures")
    };
    assert_eq!(d1.actor, Some(Role::Qso));
    assert_eq!(d1.recipient.covered_entity, Some(true));
    assert_eq!(d1.proceeding, Some(Proceeding::Civil));
    assert_eq!(d2.recipient.kind, RecipientKind::LawEnforcement);
    assert_eq!(d2.recipient.covered_entity, Some(false));
    assert_eq!(d2.proceeding, Some(Proceeding::Criminal));
    assert_eq!(d3.actor, Some(Role::Part2Program));
    assert_eq!(d3.recipient.covered_entity, Some(false));
    assert_eq!(d3.proceeding, Some(Proceeding::Criminal));
    assert!(
        q.programs[0].covered_entity,
        "program covered_entity defaults to true"
    );
    assert_eq!(q.consents[0].records, [p2review::queue::Records::General]);
}

#[test]
fn yaml_plain_scalars_are_accepted_for_strings_but_json_needs_strings() {
    let q = load(&base_with(
        "    part2: true\n",
        "    part2: true\n    npis: [1588800001]\n",
    ))
    .expect("plain scalar for a string field");
    assert_eq!(q.programs[0].npis, ["1588800001"]);
    let json = SPEC_JSON.replacen("\"1588800001\"", "1588800001", 1);
    let e = load_bytes(json.as_bytes(), "q.json").unwrap_err().message;
    assert!(e.starts_with("q.json:21:18: "), "{e}");
    assert!(
        e.contains("invalid type: integer `1588800001`, expected a string"),
        "{e}"
    );
}

/// Both parsing paths give the same queue: serde_yaml alone (the reference) and the
/// default, which reads a generated queue with the fast reader.
#[test]
fn all_yaml_paths_agree_on_a_generated_queue() {
    let text = generate_yaml(3000, 7);
    let (reference, p) = load_via(&text, YamlPath::Reference).expect("reference parse");
    assert_eq!(p, Parsed::YamlLibyaml);
    assert_eq!(reference.disclosures.len(), 3000);
    let (q, parsed) = load_via(&text, YamlPath::Auto).expect("loads");
    assert_eq!(
        parsed,
        Parsed::YamlFast,
        "the fast reader reads generated queues"
    );
    assert!(q == reference, "the fast reader differs");
    // Windows line ends change nothing.
    let crlf = text.replace('\n', "\r\n");
    let (q, parsed) = load_via(&crlf, YamlPath::Auto).expect("CRLF loads");
    assert_eq!(parsed, Parsed::YamlFast);
    assert!(q == reference, "CRLF queue differs");
    // JSON of the same queue loads equal too.
    let json = serde_json::to_string(&reference).expect("serializes");
    assert_eq!(
        load_bytes(json.as_bytes(), "q.json").expect("json"),
        reference
    );
}

#[test]
fn generator_is_deterministic_and_varied() {
    assert_eq!(generate_yaml(200, 3), generate_yaml(200, 3));
    assert_ne!(generate_yaml(200, 3), generate_yaml(200, 4));
    let q = load(&generate_yaml(2000, 1)).expect("generated queue is valid");
    use std::collections::HashSet;
    let kinds: HashSet<_> = q.consents.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 6, "every consent kind appears");
    assert!(q.consents.iter().any(|c| c.revoked_on.is_some()));
    assert!(q.consents.iter().any(|c| c.expires_event.is_some()));
    assert!(q.consents.iter().any(|c| !c.missing_elements.is_empty()));
    assert!(q.restrictions.iter().any(|r| r.service_dates.is_some()));
    assert!(q.disclosures.iter().any(|d| d.consent.is_some()));
    assert!(q.disclosures.iter().filter(|d| d.claim.is_some()).count() > 500);
    assert!(
        q.disclosures
            .iter()
            .filter(|d| d.service_dates.is_some())
            .count()
            > 1500
    );
    assert!(q.disclosures.iter().any(|d| d.court_order.is_some()));
}

/// Valid YAML outside the fast reader's subset (comments everywhere, quoting and escapes,
/// block scalars, multi-line flow, compact lists, CRLF, tabs) loads identically by every
/// path.
#[test]
fn unusual_but_valid_yaml_loads_identically_by_every_path() {
    let variants = [
        // Comments in odd places, a trailing comment after a value, quoted keys.
        BASE.replace("  role: qso\n", "  role: qso # the default actor\n# a comment\n  # indented\n")
            .replace("    purpose: payment\n", "    \"purpose\": payment\n"),
        // Escapes, single quotes, an empty value for an optional field.
        format!(
            "{BASE}    note: \"tab\\there \\u00e9 \\\"q\\\" \\x41\"\n    consent: 'C-0001'\n    court_order:\n"
        ),
        // Block scalars and a multi-line plain scalar.
        format!("{BASE}    note: |\n      line one\n      line two\n  - id: D-0002\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient:\n      name: Acme\n        Health Plan\n      kind: health_plan\n    purpose: payment\n    note: >\n      folded\n      text\n"),
        // Flow collections over several lines; compact lists at indent 0.
        BASE.replace("    purposes: [payment]\n", "    purposes: [\n      payment,\n      treatment ]\n")
            .replace("disclosures:\n  - id: D-0001\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient:\n      name: Acme Health Plan\n      kind: health_plan\n    purpose: payment\n",
                     "disclosures:\n- id: D-0001\n  requested_on: 2026-11-20\n  patient: P-0001\n  program: harbor\n  recipient:\n    name: Acme Health Plan\n    kind: health_plan\n  purpose: payment\n"),
        // CRLF line ends and a tab after a value; CRLF alone; a lone CR.
        BASE.replace('\n', "\r\n").replace("role: qso", "role: qso\t"),
        format!("{BASE}    note: \"x\" # c\n    claim: {{ dx: [A1, B2] }}\n").replace('\n', "\r\n"),
        BASE.replacen("role: qso\n", "role: qso\r", 1),
        // A leading document marker and explicit null.
        format!("---\n{BASE}    consent: null\n"),
        // Characters libyaml reads as line breaks, raw in free text.
        format!("{BASE}    note: \"a\u{2028}b \u{85}c\"\n"),
        // Amount as a plain number, a quoted string and an integer.
        format!(
            "{BASE}    claim: {{ amount: 412.5 }}\n  - id: D-0002\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient: {{ name: A, kind: vendor }}\n    purpose: payment\n    claim:\n      amount: \"7.05\"\n  - id: D-0003\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient: {{ name: A, kind: vendor }}\n    purpose: payment\n    claim: {{ amount: 12 }}\n"
        ),
    ];
    for (i, text) in variants.iter().enumerate() {
        agree(text).unwrap_or_else(|e| panic!("variant {i} must load: {e}"));
    }
    // And the values are read as YAML means them.
    let q = load_via(&variants[1], YamlPath::Auto).unwrap().0;
    assert_eq!(
        q.disclosures[0].note.as_deref(),
        Some("tab\there é \"q\" A")
    );
    let q = load_via(&variants[2], YamlPath::Auto).unwrap().0;
    assert_eq!(
        q.disclosures[0].note.as_deref(),
        Some("line one\nline two\n")
    );
    assert_eq!(q.disclosures[1].recipient.name, "Acme Health Plan");
    let q = load_via(&variants[8], YamlPath::Auto).unwrap().0;
    let note = q.disclosures[0].note.as_deref().unwrap();
    assert_eq!(note, "a\u{2028}b c", "libyaml folds NEL like a line break");
    let q = load_via(&variants[9], YamlPath::Auto).unwrap().0;
    let amounts: Vec<_> = q
        .disclosures
        .iter()
        .map(|d| d.claim.as_ref().unwrap().amount)
        .collect();
    assert_eq!(
        amounts,
        [Some(Amount(41250)), Some(Amount(705)), Some(Amount(1200))]
    );
}

/// An error deep in a large file points at its line and names its list index, whichever
/// path reads it.
#[test]
fn errors_deep_in_a_large_file_name_line_and_index() {
    let text = generate_yaml(1500, 11);
    let lines: Vec<&str> = text.lines().collect();
    let target = lines
        .iter()
        .position(|l| *l == "  - id: D-001234")
        .expect("disclosure present");
    let purpose = target
        + lines[target..]
            .iter()
            .position(|l| l.starts_with("    purpose: "))
            .unwrap();
    let edits: [(usize, &str); 4] = [
        (purpose, "    purpose: paymnet"),
        (purpose, "    purpse: payment"),
        (target + 1, "    requested_on: 2026-1-5"),
        (purpose, "    purpose: [payment"),
    ];
    for (line, new) in edits {
        let mut ls = lines.clone();
        ls[line] = new;
        let bad = ls.join("\n");
        let e = agree(&bad).unwrap_err();
        assert!(e.starts_with(&format!("q.yaml:{}:", line + 1)), "{e}");
        if !new.contains('[') {
            assert!(e.contains("disclosures[1234]"), "{e}");
        }
    }
}

// ---------------------------------------------------------------- bad inputs

#[test]
fn malformed_yaml_names_line_and_column() {
    err_has(
        &base_with("  name: Summit Billing Services", "  name: Summit: Billing"),
        &["q.yaml:3:15: ", "mapping values are not allowed"],
    );
    err_has(
        &base_with("    part2: true\n", "    part2: true\n   name: x\n"),
        &["q.yaml:9:", "did not find expected"],
    );
    err_has(
        &base_with("  role: qso\n", "  role: [qso\n"),
        &["q.yaml:4:9: ", "organization.role", "not a list or mapping"],
    );
}

#[test]
fn wrong_type_says_what_is_allowed() {
    err_has(
        &base_with("    part2: true\n", "    part2: [true]\n"),
        &[
            "q.yaml:8:12: ",
            "programs[0].part2",
            "expected true or false",
        ],
    );
    err_has(
        &base_with("    purposes: [payment]\n", "    purposes: payment\n"),
        &[
            "q.yaml:19:15: ",
            "consents[0].purposes",
            "expected a sequence",
        ],
    );
}

#[test]
fn unknown_enum_value_lists_the_allowed_values() {
    err_has(
        &base_with("      kind: health_plan\n", "      kind: helth_plan\n"),
        &[
            "q.yaml:29:13: ",
            "disclosures[0].recipient.kind",
            "unknown variant `helth_plan`",
            "`health_plan`, `third_party_payer`",
        ],
    );
    err_has(
        &base_with("  role: qso\n", "  role: billing\n"),
        &[
            "q.yaml:4:9: ",
            "unknown variant `billing`",
            "`qso`, `part2_program`",
        ],
    );
}

#[test]
fn unknown_key_lists_the_allowed_keys() {
    err_has(
        &base_with(
            "    purpose: payment\n",
            "    purpose: payment\n    recipent: x\n",
        ),
        &[
            "q.yaml:31:5: ",
            "unknown field `recipent`",
            "expected one of",
            "`recipient`",
        ],
    );
}

#[test]
fn missing_required_key_is_named() {
    err_has(
        &base_with("    purpose: payment\n", ""),
        &["q.yaml:", "disclosures[0]", "missing field `purpose`"],
    );
    err_has(
        &base_with("    signed_on: 2025-02-01\n", ""),
        &["missing field `signed_on`"],
    );
    err_has(
        "organization: { name: X, role: qso }\n",
        &["q.yaml:1:", "missing field `schema`"],
    );
}

#[test]
fn bad_schema_is_rejected() {
    err_has(
        &base_with("schema: p2review.queue/1", "schema: p2review.queue/2"),
        &[
            "schema",
            "p2review.queue/2",
            "write `schema: p2review.queue/1`",
        ],
    );
}

#[test]
fn dangling_references_name_path_and_ids() {
    err_has(
        &format!("{BASE}    consent: C-9999\n"),
        &[
            "disclosures[0].consent",
            "\"D-0001\"",
            "\"C-9999\"",
            "not under `consents:`",
        ],
    );
    err_has(
        &base_with(
            "    patient: P-0001\n    program: harbor\n    recipient:",
            "    patient: P-0404\n    program: harbor\n    recipient:",
        ),
        &["disclosures[0].patient", "\"P-0404\""],
    );
    err_has(
        &base_with(
            "    program: harbor\n    kind: tpo",
            "    program: elsewhere\n    kind: tpo",
        ),
        &["consents[0].program", "\"C-0001\"", "\"elsewhere\""],
    );
    err_has(
        &base_with(
            "  - id: C-0001\n    patient: P-0001",
            "  - id: C-0001\n    patient: P-0009",
        ),
        &["consents[0].patient", "\"P-0009\""],
    );
    err_has(
        &format!(
            "{BASE}restrictions:\n  - patient: P-0077\n    kind: self_pay\n    recipients: [health_plans]\n"
        ),
        &["restrictions[0].patient", "\"P-0077\""],
    );
}

#[test]
fn named_consent_of_another_patient_names_both() {
    let text = base_with(
        "    patient: P-0001\n    program: harbor\n    recipient:",
        "    patient: P-0002\n    program: harbor\n    consent: C-0001\n    recipient:",
    );
    err_has(
        &text,
        &[
            "disclosures[0].consent",
            "\"D-0001\"",
            "\"P-0002\"",
            "\"C-0001\"",
            "\"P-0001\"",
            "consents[0]",
        ],
    );
}

#[test]
fn duplicate_ids_name_both_places() {
    let dup = BASE.split("disclosures:\n").nth(1).unwrap();
    err_has(
        &format!("{BASE}{dup}"),
        &[
            "disclosures[1].id",
            "duplicate disclosure id \"D-0001\"",
            "also at disclosures[0].id",
        ],
    );
    err_has(
        &base_with("  - ref: P-0002\n", "  - ref: P-0001\n"),
        &["patients[1].ref", "also at patients[0].ref"],
    );
}

#[test]
fn duplicate_keys_are_rejected_with_position() {
    err_has(
        &base_with("  role: qso\n", "  role: qso\n  role: qso\n"),
        &["q.yaml:5:3: ", "duplicate field `role`"],
    );
    err_has(
        &format!("{BASE}schema: p2review.queue/1\n"),
        &["duplicate field `schema`"],
    );
}

#[test]
fn bad_id_characters_are_rejected() {
    err_has(
        &base_with("  - id: D-0001", "  - id: \"D 0001\""),
        &[
            "disclosures[0].id",
            "invalid disclosure id \"D 0001\"",
            "ids start with a letter or digit",
        ],
    );
    err_has(
        &base_with("  - id: harbor", "  - id: -harbor"),
        &["programs[0].id", "invalid program id"],
    );
    let long = "x".repeat(65);
    err_has(
        &base_with("  - ref: P-0002", &format!("  - ref: {long}")),
        &["patients[1].ref"],
    );
}

#[test]
fn control_and_bidi_characters_in_names_are_rejected_but_not_in_free_text() {
    let e = err_has(
        &base_with(
            "      name: Acme Health Plan",
            "      name: \"Acme \\u202Enalp\"",
        ),
        &["disclosures[0].recipient.name", "U+202E", "bidi controls"],
    );
    assert!(!e.contains('\u{202E}'), "raw bidi control printed: {e:?}");
    err_has(
        &base_with(
            "    name: Harbor Recovery Center",
            "    name: \"Harbor\\u2028Center\"",
        ),
        &["programs[0].name", "U+2028"],
    );
    err_has(
        &base_with(
            "  name: Summit Billing Services",
            "  name: \"Summit\\tBilling\"",
        ),
        &["organization.name", "U+0009"],
    );
    let q = load(&format!(
        "{BASE}    note: \"free text may hold \\u202E and \\t\"\n"
    ))
    .expect("free text may hold them");
    assert!(
        q.disclosures[0]
            .note
            .as_deref()
            .unwrap()
            .contains('\u{202E}')
    );
}

/// The accounting texts (`recipient.address`, `disclosure.information`) load from YAML and
/// JSON alike, and are refused blank, over their limits, or holding control/bidi characters.
#[test]
fn accounting_address_and_information_load_and_are_screened() {
    let good = format!(
        "{}    information: \"Claim for October OTP visits\"\n",
        base_with(
            "      kind: health_plan\n",
            "      kind: health_plan\n      address: \"PO Box 12, Salem, OR 97301\"\n",
        )
    );
    let (q, _) = agree(&good).expect("loads");
    let d = &q.disclosures[0];
    assert_eq!(
        d.recipient.address.as_deref(),
        Some("PO Box 12, Salem, OR 97301")
    );
    assert_eq!(
        d.information.as_deref(),
        Some("Claim for October OTP visits")
    );
    let e = err_has(
        &good.replace("PO Box 12", "PO Box\\u202E 12"),
        &["disclosures[0].recipient.address", "U+202E"],
    );
    assert!(!e.contains('\u{202E}'), "raw bidi control printed: {e:?}");
    err_has(
        &good.replace("Claim for October", "Claim\\nfor October"),
        &["disclosures[0].information", "U+000A"],
    );
    err_has(
        &good.replace("\"Claim for October OTP visits\"", "\"  \""),
        &["disclosures[0].information", "empty"],
    );
    let long = "x".repeat(p2review::queue::limits::MAX_ADDRESS + 1);
    err_has(
        &good.replace("PO Box 12, Salem, OR 97301", &long),
        &["disclosures[0].recipient.address", "at most 512"],
    );
    let long = "y".repeat(p2review::queue::limits::MAX_INFORMATION + 1);
    err_has(
        &good.replace("Claim for October OTP visits", &long),
        &["disclosures[0].information", "at most 2048"],
    );
}

#[test]
fn dates_must_be_yyyy_mm_dd() {
    err_has(
        &base_with("    requested_on: 2026-11-20", "    requested_on: 2026-1-5"),
        &[
            "q.yaml:24:19: ",
            "invalid date \"2026-1-5\"",
            "write YYYY-MM-DD",
        ],
    );
    err_has(
        &base_with("    signed_on: 2025-02-01", "    signed_on: 2025-02-30"),
        &["q.yaml:20:16: ", "no such day"],
    );
    err_has(
        &base_with(
            "    signed_on: 2025-02-01",
            "    signed_on: 2025-02-01T00:00:00Z",
        ),
        &["invalid date"],
    );
}

#[test]
fn booleans_are_only_true_or_false() {
    err_has(
        &base_with("    part2: true", "    part2: yes"),
        &[
            "q.yaml:8:12: ",
            "invalid boolean \"yes\"",
            "write true or false",
        ],
    );
    err_has(
        &base_with("    part2: true", "    part2: True"),
        &["invalid boolean \"True\""],
    );
    err_has(
        &base_with("    part2: true", "    part2: on"),
        &["invalid boolean \"on\""],
    );
}

#[test]
fn amounts_allow_at_most_two_fraction_digits() {
    for amount in ["412.505", "\"412.505\"", "-3", "1e3", "\"12,50\""] {
        err_has(
            &format!("{BASE}    claim: {{ id: CLM-1, amount: {amount} }}\n"),
            &[
                "q.yaml:31:",
                "disclosures[0].claim.amount",
                "at most 2 fraction digits",
            ],
        );
    }
    // JSON: a number with 3 decimals is rejected too.
    let json = SPEC_JSON.replacen("\"412.50\"", "412.505", 1);
    let e = load_bytes(json.as_bytes(), "q.json").unwrap_err().message;
    assert!(e.contains("more than 2 fraction digits"), "{e}");
}

#[test]
fn consent_shape_rules() {
    err_has(
        &base_with(
            "    expires_on: 2027-02-01\n",
            "    expires_on: 2027-02-01\n    expires_event: end of treatment\n",
        ),
        &[
            "consents[0]",
            "exactly one of `expires_on` or `expires_event`",
        ],
    );
    err_has(
        &base_with("    expires_on: 2027-02-01\n", ""),
        &["consents[0]", "missing expiration"],
    );
    err_has(
        &base_with(
            "      - class: health_plans\n",
            "      - class: health_plans\n        name: Acme\n",
        ),
        &["consents[0].recipients[0]", "exactly one of `class`"],
    );
    err_has(
        &base_with(
            "    recipients:\n      - class: health_plans\n",
            "    recipients: []\n",
        ),
        &["consents[0].recipients", "at least one recipient"],
    );
    err_has(
        &base_with("    purposes: [payment]", "    purposes: []"),
        &["consents[0].purposes", "at least one purpose"],
    );
    err_has(
        &base_with("    kind: tpo", "    kind: counseling_notes"),
        &["consents[0].records", "records: [counseling_notes]"],
    );
    load(&base_with(
        "    kind: tpo",
        "    kind: counseling_notes\n    records: [counseling_notes]",
    ))
    .expect("a counseling notes consent with the right records loads");
}

#[test]
fn empty_and_comment_only_files_are_rejected() {
    for text in ["", "   \n\n", "# only a comment\n", "\u{FEFF}"] {
        let e = load(text).unwrap_err();
        assert!(e.contains("q.yaml: the file is empty"), "{e}");
        assert!(e.contains("schema: p2review.queue/1"), "{e}");
    }
}

#[test]
fn binary_garbage_is_rejected_at_its_position() {
    let mut bytes = b"schema: p2review.queue/1\norg".to_vec();
    bytes.extend([0xFF, 0xFE, 0x00, 0x9C]);
    let e = load_bytes(&bytes, "q.yaml").unwrap_err().message;
    assert!(e.starts_with("q.yaml:2:4: byte 0xFF is not UTF-8"), "{e}");
    // Valid UTF-8 but control characters.
    let e = load("schema: p2review.queue/1\norg: \u{1}\u{7}\n").unwrap_err();
    assert!(e.starts_with("q.yaml:2:6: "), "{e}");
    assert!(e.contains("control character U+0001"), "{e}");
    let e = load("schema: p2review.queue/1\nnote: \"a\u{0}\"").unwrap_err();
    assert!(e.starts_with("q.yaml:2:9: "), "{e}");
}

/// `n` bytes of deterministic noise: one pseudo-random 64 KiB block, repeated.
fn noise(n: usize, seed: u64, printable: bool) -> Vec<u8> {
    let mut x = seed | 1;
    let block: Vec<u8> = (0..65_536)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = (x >> 24) as u8;
            if !printable {
                b
            } else if i % 80 == 79 {
                b'\n'
            } else {
                b' ' + b % 95
            }
        })
        .collect();
    let mut all = block.repeat(n.div_ceil(block.len()));
    all.truncate(n);
    all
}

#[test]
fn fifty_megabytes_of_non_yaml_fail_fast_and_cleanly() {
    let e = load_bytes(&noise(50 << 20, 1, false), "q.yaml")
        .unwrap_err()
        .message;
    assert!(e.contains("is not UTF-8"), "{e}");
    let e = load_bytes(&noise(50 << 20, 2, true), "q.yaml")
        .unwrap_err()
        .message;
    let mut parts = e.splitn(4, ':');
    assert_eq!(parts.next(), Some("q.yaml"), "{e}");
    assert!(
        parts.next().unwrap().parse::<usize>().is_ok(),
        "line in {e}"
    );
    assert!(
        parts.next().unwrap().parse::<usize>().is_ok(),
        "column in {e}"
    );
}

#[test]
fn a_sixty_megabyte_scalar_is_refused_before_parsing() {
    let big = "a".repeat(60 << 20);
    let e = load(&format!("{BASE}    note: \"{big}\"\n")).unwrap_err();
    assert!(e.starts_with("q.yaml:31:11: "), "{:.200}", e);
    assert!(e.contains("at most 64 KiB per value"), "{:.200}", e);
    let plain = "b".repeat(1 << 20);
    let e = load(&format!("{BASE}    note: {plain}\n")).unwrap_err();
    assert!(e.starts_with("q.yaml:31:11: "), "{:.200}", e);
    // A long value spread over many lines is caught where libyaml starts it, before
    // serde_yaml builds it.
    let lines = "      xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        .repeat(1000);
    let e = load(&format!("{BASE}    note:\n{lines}")).unwrap_err();
    assert!(e.starts_with("q.yaml:32:7: "), "{:.300}", e);
    assert!(e.contains("at most 64 KiB"), "{:.300}", e);
}

#[test]
fn deep_nesting_is_refused() {
    let mut deep = String::from("schema: p2review.queue/1\norganization:\n");
    for i in 0..40 {
        deep.push_str(&" ".repeat(2 * (i + 1)));
        deep.push_str("a:\n");
    }
    err_has(&deep, &["q.yaml:", "nesting deeper than 32 levels"]);
    let flow = format!("schema: {}\n", "[".repeat(1_000_000));
    err_has(&flow, &["q.yaml:1:", "nesting deeper than 32 levels"]);
    let dashes = format!(
        "schema: p2review.queue/1\npatients:\n{}x\n",
        "- ".repeat(100)
    );
    err_has(&dashes, &["q.yaml:3:", "nesting deeper than 32 levels"]);
    let json = format!("{{\"schema\": {}", "[".repeat(1_000_000));
    let e = load_bytes(json.as_bytes(), "q.json").unwrap_err().message;
    assert!(
        e.starts_with("q.json:1:") && e.contains("nesting deeper than 32"),
        "{e}"
    );
}

#[test]
fn alias_bomb_is_refused_at_the_first_anchor() {
    let mut bomb = String::from(
        "schema: p2review.queue/1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    err_has(&bomb, &["q.yaml:2:5: ", "anchor", "not allowed"]);
    err_has(
        &format!("{BASE}    note: *x\n"),
        &["q.yaml:31:11: ", "alias", "not allowed"],
    );
    // `&` and `*` inside a plain or quoted scalar are just characters.
    let q = load(&format!("{BASE}    note: Baker & Lane *urgent* \"&x\"\n")).expect("loads");
    assert_eq!(
        q.disclosures[0].note.as_deref(),
        Some("Baker & Lane *urgent* \"&x\"")
    );
}

#[test]
fn tags_are_refused() {
    err_has(
        &base_with("schema: p2review.queue/1", "schema: !!str p2review.queue/1"),
        &["q.yaml:1:9: ", "tag", "not allowed"],
    );
    err_has(
        &base_with("  role: qso", "  role: !Qso qso"),
        &["q.yaml:4:9: ", "tag"],
    );
}

#[test]
fn multi_document_streams_are_refused() {
    err_has(
        &format!("{BASE}---\n{BASE}"),
        &[
            "q.yaml:31:1: ",
            "a second YAML document",
            "exactly one document",
        ],
    );
    err_has(
        &format!("{BASE}...\nschema: x\n"),
        &["q.yaml:32:1: ", "exactly one document"],
    );
}

#[test]
fn a_file_over_256_mib_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len((256 << 20) + 1).unwrap(); // sparse: costs no disk
    let e = load_path(&path).unwrap_err().message;
    assert!(
        e.contains("huge.yaml") && e.contains("at most 256 MiB"),
        "{e}"
    );
}

#[test]
fn load_path_names_the_file_and_hashes_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.yaml");
    std::fs::write(&path, BASE).unwrap();
    let loaded = load_path(&path).expect("loads");
    assert_eq!(loaded.sha256, p2review::digest::sha256_hex(BASE.as_bytes()));
    assert_eq!(loaded.index.disclosures.get("D-0001"), Some(&0));
    std::fs::write(&path, base_with("    part2: true", "    part2: yes")).unwrap();
    let e = load_path(&path).unwrap_err().message;
    assert!(e.starts_with(&format!("{}:8:12: ", path.display())), "{e}");
    let e = load_path(&dir.path().join("missing.yaml"))
        .unwrap_err()
        .message;
    assert!(
        e.contains("missing.yaml: cannot read the queue file"),
        "{e}"
    );
}

#[test]
fn format_follows_the_name_then_the_first_character() {
    // A `.yaml` file in flow style is YAML (plain scalars allowed); `.json` is JSON.
    let flow = "{schema: p2review.queue/1, organization: {name: X, role: qso}}";
    let (q, parsed) = load_bytes_with(flow.as_bytes(), "q.yaml", LoadOptions::default()).unwrap();
    assert_eq!(
        (q.organization.name.as_str(), parsed),
        ("X", Parsed::YamlLibyaml)
    );
    let e = load_bytes(flow.as_bytes(), "q.json").unwrap_err().message;
    assert!(e.starts_with("q.json:1:2: "), "{e}");
    let (_, parsed) =
        load_bytes_with(SPEC_JSON.as_bytes(), "queue", LoadOptions::default()).unwrap();
    assert_eq!(parsed, Parsed::Json);
}

#[test]
fn json_errors_have_line_and_column() {
    let e = load_bytes(b"{\n  \"schema\": \"p2review.queue/1\",\n  \"organization\": {\"name\": \"X\", \"role\": \"boss\"}\n}", "q.json")
        .unwrap_err()
        .message;
    assert!(e.starts_with("q.json:3:"), "{e}");
    assert!(e.contains("unknown variant `boss`"), "{e}");
    let e = load_bytes(b"{\"schema\": ", "q.json").unwrap_err().message;
    assert!(e.starts_with("q.json:1:"), "{e}");
}

/// Hostile content inside a large queue gets the guard's error by both readers, never a
/// crash: the fast reader gives up on each of these, so a file it accepts needs no guard.
#[test]
fn yaml_invariant_fast_reader_never_accepts_what_the_guard_refuses() {
    let text = generate_yaml(5000, 5);
    let at = text.find("  - id: D-004000\n").expect("disclosure present");
    let inject = |extra: &str| {
        let mut t = text.clone();
        t.insert_str(at, extra);
        t
    };
    let line = text[..at].lines().count() + 1;
    let cases = [
        ("  - note: &a [x]\n", "anchor".to_owned(), 11),
        (
            &*format!("  - note: {}\n", "[".repeat(100_000)),
            "nesting deeper than 32".to_owned(),
            0,
        ),
        (
            &*format!(
                "  - note:\n{}",
                (1..200)
                    .map(|i| format!("{}-\n", " ".repeat(2 + 2 * i)))
                    .collect::<String>()
            ),
            "nesting deeper than 32".to_owned(),
            0,
        ),
        (
            &*format!("  - note: \"{}\"\n", "y".repeat(70_000)),
            "at most 64 KiB".to_owned(),
            11,
        ),
        (
            &*format!("  - note: {}\n", "z".repeat(70_000)),
            "at most 64 KiB".to_owned(),
            11,
        ),
        ("  - note: !tag x\n", "tag".to_owned(), 11),
        ("  - note: *a\n", "alias".to_owned(), 11),
    ];
    for (extra, want, col) in cases {
        let bad = inject(extra);
        for path in [YamlPath::Auto, YamlPath::Reference] {
            let e = load_via(&bad, path).unwrap_err();
            assert!(e.contains(&want), "{path:?}: {e:.300}");
            let prefix = if col > 0 {
                format!("q.yaml:{line}:{col}: ")
            } else {
                "q.yaml:".to_owned()
            };
            assert!(e.starts_with(&prefix), "{path:?}: {e:.300}");
        }
    }
}

/// A continuation line of a plain scalar that starts with a quote is plain text to
/// libyaml. A pre-scan that took it for an opening quote skipped what followed, and
/// anchors, aliases and tags hidden there reached serde_yaml (which expanded them). The
/// guard reads libyaml's own events: each is refused where libyaml sees it.
#[test]
fn yaml_invariant_guard_sees_what_libyaml_sees() {
    let two = |first_extra: &str, second_extra: &str| {
        format!(
            "{BASE}    note: plain text that goes on
      {first_extra}
    claim: {{ id: CLM-1, dx: [F11.20] }}
  - id: D-0002
    requested_on: 2026-11-20
    patient: P-0001
    program: harbor
    recipient: {{ name: Acme Health Plan, kind: health_plan }}
    purpose: payment
    {second_extra}
    note: it's closed here
"
        )
    };
    let base_lines = BASE.lines().count();
    let cases = [
        (
            two("'not a quote", "claim: &c { id: CLM-2 }"),
            "anchor",
            base_lines + 10,
        ),
        (
            two("\"not a quote either", "claim: !!map { id: CLM-2 }"),
            "tag",
            base_lines + 10,
        ),
        (
            format!(
                "{BASE}    claim: &c {{ id: CLM-1 }}\n    note: x\n      'y\n  - id: D-0002\n    requested_on: 2026-11-20\n    patient: P-0001\n    program: harbor\n    recipient: {{ name: A, kind: vendor }}\n    purpose: payment\n    claim: *c\n    note: isn't\n"
            ),
            "anchor",
            base_lines + 1,
        ),
    ];
    for (text, want, line) in cases {
        for path in [YamlPath::Auto, YamlPath::Reference] {
            let e = load_via(&text, path).unwrap_err();
            assert!(e.contains(want), "{path:?}: {e}");
            assert!(e.starts_with(&format!("q.yaml:{line}:")), "{path:?}: {e}");
        }
    }
    // Without the hidden constructs the same shape loads, with the continuation read as
    // plain text, by both readers alike.
    let q = agree(&two("'not a quote", "claim: { id: CLM-2 }"))
        .expect("loads")
        .0;
    assert_eq!(
        q.disclosures[0].note.as_deref(),
        Some("plain text that goes on 'not a quote")
    );
}

/// The fast reader's contract on the characters that fooled it: lines of non-ASCII
/// whitespace are content to libyaml (not blank lines), and continuation lines starting
/// with a quote are plain text.
#[test]
fn yaml_invariant_fast_reader_agrees_on_whitespace_and_continuations() {
    let spaces = [
        "\u{a0}", "\u{2000}", "\u{2007}", "\u{200a}", "\u{3000}", "\u{205f}", "\u{1680}",
    ];
    for ws in spaces {
        // A line holding only the character, between entries, at several indents.
        for indent in ["", "  ", "    ", "      "] {
            let text = BASE.replace(
                "    program: harbor\n    recipient:",
                &format!("    program: harbor\n{indent}{ws}\n    recipient:"),
            );
            let _ = agree(&text);
        }
        // Trailing after a value, and as a value.
        let _ = agree(&BASE.replace("role: qso", &format!("role: qso{ws}")));
        let _ = agree(&BASE.replace("name: Acme Health Plan", &format!("name: {ws}")));
        let _ = agree(&BASE.replace("name: Acme Health Plan", &format!("name: Acme{ws}")));
    }
    for quote in ["'", "\""] {
        for indent in ["  ", "    ", "      ", "        "] {
            let text = BASE.replace(
                "      name: Acme Health Plan\n",
                &format!("      name: Acme Health Plan\n{indent}{quote}x\n"),
            );
            let _ = agree(&text);
            let text = BASE.replace(
                "    purpose: payment\n",
                &format!("    purpose: payment\n{indent}{quote}x{quote}\n"),
            );
            let _ = agree(&text);
        }
    }
    // A blank-looking NBSP line is refused (it is a stray value), not skipped.
    let text = BASE.replace(
        "    purpose: payment\n",
        "    purpose: payment\n    \u{a0}\n",
    );
    assert!(agree(&text).is_err());
}

/// Scalars are read as their raw text by either reader: `True` is not a boolean and
/// `412.505` is not rounded.
#[test]
fn yaml_invariant_strict_scalars_whatever_the_reader() {
    for text in [
        base_with("    part2: true", "    part2: True"),
        base_with("    part2: true", "    part2: yes"),
        format!("{BASE}    claim: {{ amount: 412.505 }}\n"),
        format!("{BASE}    claim:\n      amount: 1e3\n"),
    ] {
        for path in [YamlPath::Auto, YamlPath::Reference] {
            assert!(load_via(&text, path).is_err(), "{path:?} accepted:\n{text}");
        }
    }
    let q = agree(&format!("{BASE}    claim: {{ amount: 412.50 }}\n"))
        .unwrap()
        .0;
    assert_eq!(
        q.disclosures[0].claim.as_ref().and_then(|c| c.amount),
        Some(Amount(41250))
    );
}

/// A UTF-8 byte order mark before YAML is skipped, as C libyaml and JSON readers do, before
/// either reader sees the text (libyaml-rs alone took it for a document boundary); a BOM
/// anywhere else is content.
#[test]
fn a_byte_order_mark_before_yaml_or_json_is_accepted() {
    let with_bom = format!("\u{feff}{BASE}");
    let (q, parsed) = agree(&with_bom).expect("BOM then YAML loads");
    assert_eq!(parsed, Parsed::YamlFast);
    assert_eq!(q, load(BASE).unwrap());
    let json = load_bytes(SPEC_JSON.as_bytes(), "q.json").unwrap();
    let bom_json = format!("\u{feff}{SPEC_JSON}");
    assert_eq!(load_bytes(bom_json.as_bytes(), "q.json").unwrap(), json);
    // Not at the start: a character in a value, which is then not a valid id.
    let inner = BASE.replace("  - ref: P-0002", "  - ref: \u{feff}P-0002");
    let e = agree(&inner).unwrap_err();
    assert!(e.contains("patients[1].ref"), "{e}");
}

/// Lists inside one item hold at most 1,000 entries; past that the load fails naming the
/// list, before the rest of it is read.
#[test]
fn lists_inside_an_item_are_capped_at_a_thousand() {
    let codes = |n: usize| (0..n).map(|i| format!("C{i}")).collect::<Vec<_>>();
    let flow = |n: usize| format!("{BASE}    claim: {{ dx: [{}] }}\n", codes(n).join(", "));
    let block = |n: usize| {
        format!(
            "{BASE}    claim:\n      dx:\n{}",
            codes(n)
                .iter()
                .map(|c| format!("        - {c}\n"))
                .collect::<String>()
        )
    };
    for text in [flow(1000), block(1000)] {
        let q = agree(&text).expect("1,000 entries load").0;
        assert_eq!(q.disclosures[0].claim.as_ref().unwrap().dx.len(), 1000);
    }
    for text in [flow(1001), block(1001), block(200_000)] {
        let e = agree(&text).unwrap_err();
        assert!(e.contains("disclosures[0].claim.dx"), "{e:.300}");
        assert!(e.contains("at most 1000"), "{e:.300}");
    }
    let npis = format!(
        "{{\"schema\": \"p2review.queue/1\", \"organization\": {{\"name\": \"O\", \"role\": \"qso\"}},\n \"programs\": [{{\"id\": \"p\", \"name\": \"P\", \"part2\": true, \"npis\": [{}]}}]}}",
        (0..1001)
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let e = load_bytes(npis.as_bytes(), "q.json").unwrap_err().message;
    assert!(
        e.starts_with("q.json:2:") && e.contains("at most 1000"),
        "{e:.300}"
    );
}

/// Invisible characters (U+061C and the format characters: zero-width space and joiners,
/// word joiner, BOM, language tags) are refused in ids, refs and names, and shown escaped.
#[test]
fn invisible_characters_in_ids_refs_and_names_are_refused_and_escaped() {
    for c in [
        "\u{61c}",
        "\u{200b}",
        "\u{200d}",
        "\u{2060}",
        "\u{2064}",
        "\u{feff}",
        "\u{e0041}",
    ] {
        let escaped = format!("\\u{{{:x}}}", c.chars().next().unwrap() as u32);
        let e = err_has(
            &base_with(
                "name: Acme Health Plan",
                &format!("name: Acme{c} Health Plan"),
            ),
            &["disclosures[0].recipient.name", "invisible characters"],
        );
        assert!(e.contains(&escaped), "{e}");
        assert!(
            !e.contains(c),
            "raw invisible character in the message: {e}"
        );
        err_has(
            &base_with(
                "  name: Summit Billing Services",
                &format!("  name: Summit{c}"),
            ),
            &["organization.name"],
        );
        err_has(
            &base_with("  - ref: P-0002", &format!("  - ref: P-0002{c}")),
            &["patients[1].ref"],
        );
        err_has(
            &base_with(
                "      - class: health_plans",
                &format!("      - name: Acme{c}"),
            ),
            &["consents[0].recipients[0].name"],
        );
    }
    // Free text keeps them.
    let q = load(&format!("{BASE}    note: \"zero\\u200bwidth\"\n")).unwrap();
    assert_eq!(q.disclosures[0].note.as_deref(), Some("zero\u{200b}width"));
}

/// A recipient name is recorded in every decision; the signed log takes 1–256 bytes, so
/// a queue whose name could never be recorded is refused at load.
#[test]
fn recipient_names_that_the_log_cannot_record_are_refused_at_load() {
    for bad in ["\"\"", "\"   \""] {
        err_has(
            &base_with("name: Acme Health Plan", &format!("name: {bad}")),
            &["disclosures[0].recipient.name", "empty"],
        );
    }
    let long = "n".repeat(257);
    err_has(
        &base_with("name: Acme Health Plan", &format!("name: {long}")),
        &["disclosures[0].recipient.name", "257 bytes", "at most 256"],
    );
    let ok = "n".repeat(256);
    load(&base_with("name: Acme Health Plan", &format!("name: {ok}"))).expect("256 bytes load");
}

#[test]
fn amount_overflow_says_too_large() {
    for amount in [
        "\"99999999999999999999\"",
        "99999999999999999999.99",
        "184467440737095516.16",
    ] {
        let e = err_has(
            &format!("{BASE}    claim: {{ amount: {amount} }}\n"),
            &["too large"],
        );
        assert!(!e.contains("not a decimal"), "{e}");
    }
}

mod mutations {
    //! The fast reader must never change a result: on small generated queues with random
    //! edits (special characters, non-ASCII whitespace, continuation lines that start
    //! with a quote, indentation, deleted or doubled lines), the default path gives
    //! serde_yaml's queue or serde_yaml's error.

    use super::*;
    use proptest::prelude::*;

    const SPECIALS: &[&str] = &[
        ":",
        ": ",
        " #",
        "#",
        "&a ",
        "*a",
        "!",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        ",",
        "- ",
        "-",
        "\t",
        "|",
        ">",
        "? ",
        "%",
        "@",
        "\\",
        "  ",
        "\\u00e9",
        "null",
        "~",
        "yes",
        "\r",
        "\u{a0}",
        "\u{2000}",
        "\u{3000}",
        "\u{feff}",
        "\u{200b}",
        "\u{85}",
        "\u{2028}",
        "\n      'x",
        "\n    \"x",
        "\n  'x",
        "\n        \"x &a",
        "\n   \u{a0}\n",
        "*a ",
    ];

    fn mutate(text: &str, edits: &[(usize, usize, usize)]) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for &(line, kind, pick) in edits {
            let n = lines.len();
            let i = line % n;
            match kind % 5 {
                0 | 1 => {
                    let l = &mut lines[i];
                    let mut at = pick % (l.len() + 1);
                    while !l.is_char_boundary(at) {
                        at -= 1;
                    }
                    l.insert_str(at, SPECIALS[pick % SPECIALS.len()]);
                }
                2 => {
                    lines.remove(i);
                }
                3 => {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                _ => {
                    let l = &mut lines[i];
                    if pick % 2 == 0 {
                        l.insert(0, ' ');
                    } else if l.starts_with(' ') {
                        l.remove(0);
                    }
                }
            }
        }
        lines.join("\n")
    }

    proptest! {
        // P2REVIEW_SOAK=1 runs many more cases.
        #![proptest_config(ProptestConfig {
            cases: if std::env::var_os("P2REVIEW_SOAK").is_some() { 5000 } else { 200 },
            ..ProptestConfig::default()
        })]
        #[test]
        fn every_path_agrees_with_serde_yaml(
            seed in 0u64..1000,
            edits in prop::collection::vec((0usize..10_000, 0usize..5, 0usize..10_000), 1..4),
        ) {
            let text = mutate(&generate_yaml(12, seed), &edits);
            let reference = load_via(&text, YamlPath::Reference).map(|r| r.0);
            let auto = load_via(&text, YamlPath::Auto).map(|r| r.0);
            prop_assert_eq!(&auto, &reference, "the fast path differs");
        }
    }
}

/// The corpus in `tests/fixtures/bad/`: each file's first line says what its error must
/// contain (`# expect: part | part ...`).
#[test]
fn bad_fixture_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixture dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture readable");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: ...`", path.display()));
        let e = load_bytes(text.as_bytes(), "q.yaml")
            .err()
            .unwrap_or_else(|| panic!("{} loaded", path.display()))
            .message;
        for part in expect.split(" | ") {
            assert!(
                e.contains(part),
                "{}: error lacks {part:?}:\n{e}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 12, "{n} fixtures");
}
