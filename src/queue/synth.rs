//! A deterministic generator of large, realistic, valid queues of the BENCHMARKS.md#targets shape, for
//! benchmarks (load + evaluate of 100,000 disclosures, the TUI start-up) and load tests.
//!
//! Same `(n_disclosures, seed)` → same bytes. All names and refs are fictional and opaque.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: tiny, deterministic, good enough for test data (no `rand` dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `pct` percent.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const PROGRAMS: &[(&str, &str, bool, bool)] = &[
    ("harbor", "Harbor Recovery Center", true, false),
    ("lakeside", "Lakeside Opioid Treatment Program", true, false),
    ("northstar", "Northstar Behavioral Health", true, false),
    ("valley-va", "Valley VA Addiction Clinic", true, true),
    ("elm-primary", "Elm Street Primary Care", false, false),
    ("riverbend", "Riverbend Counseling Services", true, false),
];

const PAYERS: &[(&str, &str, &str)] = &[
    ("PINEC", "Pinecrest Health Plan", "health_plan"),
    ("ACME", "Acme Health Plan", "health_plan"),
    ("STATEMCD", "State Medicaid Agency", "health_plan"),
    ("WORKCOMP", "Granite Workers Comp Fund", "third_party_payer"),
];

/// Recipients a billing company sends to: (name, kind).
const RECIPIENTS: &[(&str, &str)] = &[
    ("Pinecrest Health Plan", "health_plan"),
    ("Acme Health Plan", "health_plan"),
    ("State Medicaid Agency", "health_plan"),
    ("Granite Workers Comp Fund", "third_party_payer"),
    ("ClearPath Clearinghouse", "clearinghouse"),
    ("Redwood Collections LLC", "collection_agency"),
    ("Dr. Alvarez Family Medicine", "treating_provider"),
    ("County General ED", "medical_personnel"),
    ("CodeRight Coding Services", "vendor"),
    ("Metro Drug Court", "criminal_justice_agency"),
    ("County Sheriff", "law_enforcement"),
    ("Superior Court Clerk", "court"),
    ("Baker & Lane LLP", "attorney"),
    ("State Health Department", "public_health_authority"),
    ("Compliance Auditors Inc.", "auditor"),
    ("University Outcomes Study", "researcher"),
    ("Patient (self)", "patient"),
    ("Tri-County Employer Group", "employer"),
];

const PURPOSES: &[&str] = &[
    "payment",
    "payment",
    "payment",
    "payment",
    "health_care_operations",
    "treatment",
    "treatment",
    "audit",
    "research",
    "public_health",
    "medical_emergency",
    "legal_proceeding",
    "law_enforcement",
    "patient_access",
    "criminal_justice_supervision",
    "other",
];

const DX: &[&str] = &[
    "F11.20", "F10.20", "F14.10", "F12.20", "Z79.891", "F11.23", "I10",
];
const PROCS: &[&str] = &[
    "H0020", "H0004", "H0005", "99213", "H0015", "90837", "G2067",
];
const MODS: &[&str] = &["HF", "HG", "25", "GT", "U1"];
const CLASSES: &[&str] = &[
    "health_plans",
    "treating_providers",
    "third_party_payers",
    "program_operations",
];
const MISSING: &[&str] = &[
    "patient_name",
    "discloser",
    "information",
    "recipients",
    "purpose",
    "revocation_statement",
    "expiration",
    "signature",
    "date_signed",
    "ce_redisclosure_statement",
    "redisclosure_statement",
    "refusal_consequences",
];
const NOTES: &[&str] = &[
    "Flagged: SUD diagnosis on claim",
    "Resubmission after denial",
    "Payer requested records for medical necessity review",
    "Rendering NPI matches a Part 2 program",
    "Patient called to ask about status",
];

fn date(rng: &mut Rng, from_year: i32, span_days: u64) -> chrono::NaiveDate {
    let base = chrono::NaiveDate::from_ymd_opt(from_year, 1, 1).expect("valid base date");
    base + chrono::Days::new(rng.below(span_days))
}

/// A valid queue with `n_disclosures` disclosures, in the block layout people and exports
/// write (flow style only for short ranges, claims and lists). Roughly 220 bytes per
/// disclosure including its share of patients, consents and restrictions.
pub fn generate_yaml(n_disclosures: usize, seed: u64) -> String {
    let mut rng = Rng(seed ^ 0x5EED_0F9A_7E00);
    let n_patients = (n_disclosures / 10).max(1);
    let n_consents = (n_disclosures / 8).max(1);
    let n_restrictions = (n_disclosures / 50).max(1);
    let mut s = String::with_capacity(n_disclosures * 260 + 4096);
    s.push_str("schema: p2review.queue/1\nas_of: 2026-11-28\n");
    s.push_str("organization:\n  name: Summit Billing Services\n  role: qso\n");
    s.push_str("programs:\n");
    for (i, (id, name, part2, va)) in PROGRAMS.iter().enumerate() {
        let _ = write!(
            s,
            "  - id: {id}\n    name: {name}\n    part2: {part2}\n    va: {va}\n    npis: [\"15888{i:05}\"]\n    taxonomies: [261QR0405X]\n"
        );
        if *id == "elm-primary" {
            s.push_str("    covered_entity: true\n");
        }
    }
    s.push_str("payers:\n");
    for (id, name, kind) in PAYERS {
        let _ = writeln!(s, "  - {{ id: {id}, name: {name}, kind: {kind} }}");
    }
    s.push_str("patients:\n");
    for p in 0..n_patients {
        let _ = writeln!(s, "  - ref: P-{p:06}");
        if rng.pct(30) {
            let _ = writeln!(
                s,
                "    display: \"{}.{}.\"",
                (b'A' + rng.below(26) as u8) as char,
                (b'A' + rng.below(26) as u8) as char
            );
        }
        if rng.pct(2) {
            s.push_str("    deceased: true\n");
        }
        if rng.pct(5) {
            s.push_str("    minor: true\n");
        }
    }
    // Consents: patient `c % n_patients`, so every patient has at least one when there are
    // more consents than patients; the program is drawn per consent.
    let mut consent_of: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_patients]; // (consent, program)
    s.push_str("consents:\n");
    for c in 0..n_consents {
        let patient = c % n_patients;
        let program = rng.below(PROGRAMS.len() as u64) as usize;
        consent_of[patient].push((c, program));
        let kind = *rng.pick(&[
            "tpo",
            "tpo",
            "tpo",
            "tpo",
            "specific",
            "specific",
            "counseling_notes",
            "proceedings",
            "criminal_justice",
            "general_release",
        ]);
        let _ = write!(
            s,
            "  - id: C-{c:06}\n    patient: P-{patient:06}\n    program: {}\n    kind: {kind}\n    recipients:\n",
            PROGRAMS[program].0
        );
        let n_rec = 1 + rng.below(2);
        for _ in 0..n_rec {
            if rng.pct(60) {
                let _ = writeln!(s, "      - class: {}", rng.pick(CLASSES));
            } else {
                let _ = writeln!(s, "      - name: {}", rng.pick(RECIPIENTS).0);
            }
        }
        let purposes = match kind {
            "tpo" => "[treatment, payment, health_care_operations]",
            "proceedings" => "[legal_proceeding]",
            "criminal_justice" => "[criminal_justice_supervision]",
            _ => *rng.pick(&["[payment]", "[treatment, payment]", "[research]", "[audit]"]),
        };
        let _ = writeln!(s, "    purposes: {purposes}");
        if kind == "counseling_notes" {
            s.push_str("    records: [counseling_notes]\n");
        }
        if rng.pct(40) {
            s.push_str("    information: \"All SUD treatment and billing records\"\n");
        }
        let signed = date(&mut rng, 2024, 1000);
        let _ = writeln!(s, "    signed_on: {signed}");
        if rng.pct(85) {
            let exp = signed + chrono::Days::new(180 + rng.below(900));
            let _ = writeln!(s, "    expires_on: {exp}");
        } else {
            s.push_str("    expires_event: \"end of treatment\"\n");
            if rng.pct(40) {
                let ev = signed + chrono::Days::new(30 + rng.below(600));
                let _ = writeln!(s, "    event_occurred_on: {ev}");
            }
        }
        if rng.pct(8) {
            let rv = signed + chrono::Days::new(10 + rng.below(500));
            let _ = writeln!(s, "    revoked_on: {rv}");
        }
        if rng.pct(6) {
            let _ = writeln!(s, "    missing_elements: [{}]", rng.pick(MISSING));
        }
        if rng.pct(1) {
            s.push_str("    known_false: true\n");
        }
    }
    s.push_str("restrictions:\n");
    for r in 0..n_restrictions {
        let patient = rng.below(n_patients as u64);
        let self_pay = rng.pct(60);
        let _ = writeln!(
            s,
            "  - patient: P-{patient:06}\n    kind: {}",
            if self_pay { "self_pay" } else { "agreed" }
        );
        if self_pay {
            s.push_str(
                "    recipients: [health_plans]\n    purposes: [payment, health_care_operations]\n",
            );
        } else {
            let _ = writeln!(s, "    recipients: [\"{}\"]", rng.pick(RECIPIENTS).0);
        }
        if rng.pct(50) {
            let _ = writeln!(s, "    services: \"Visits paid in full (restriction {r})\"");
        }
        if rng.pct(70) {
            let from = date(&mut rng, 2025, 600);
            let to = from + chrono::Days::new(rng.below(90));
            let _ = writeln!(s, "    service_dates: {{ from: {from}, to: {to} }}");
        }
    }
    s.push_str("disclosures:\n");
    for d in 0..n_disclosures {
        let patient = rng.below(n_patients as u64) as usize;
        // Mostly a program the patient has a consent for, so consents are exercised.
        let (program, named) = match consent_of[patient].as_slice() {
            [] => (rng.below(PROGRAMS.len() as u64) as usize, None),
            cs => {
                let &(c, p) = rng.pick(cs);
                if rng.pct(80) {
                    (p, if rng.pct(30) { Some(c) } else { None })
                } else {
                    (rng.below(PROGRAMS.len() as u64) as usize, None)
                }
            }
        };
        let (rname, rkind) = *rng.pick(RECIPIENTS);
        let purpose = *rng.pick(PURPOSES);
        let req = date(&mut rng, 2026, 330);
        let rname = if rname.contains('&') || rname.contains(':') {
            format!("\"{rname}\"")
        } else {
            rname.to_owned()
        };
        let _ = write!(
            s,
            "  - id: D-{d:06}\n    requested_on: {req}\n    patient: P-{patient:06}\n    program: {}\n",
            PROGRAMS[program].0,
        );
        let mut flags = String::new();
        if rng.pct(5) {
            flags.push_str("qsoa_with_program: true");
        } else if rng.pct(5) {
            flags.push_str("subcontractor: true");
        } else if rkind == "auditor" && rng.pct(50) {
            flags.push_str("audit_agreement: true");
        }
        if rng.pct(60) {
            // Flow style, as exports write it.
            let sep = if flags.is_empty() { "" } else { ", " };
            let _ = writeln!(
                s,
                "    recipient: {{ name: {rname}, kind: {rkind}{sep}{flags} }}"
            );
        } else {
            let _ = writeln!(
                s,
                "    recipient:\n      name: {rname}\n      kind: {rkind}"
            );
            if !flags.is_empty() {
                let _ = writeln!(s, "      {flags}");
            }
        }
        let _ = writeln!(s, "    purpose: {purpose}");
        if rng.pct(5) {
            s.push_str("    records: counseling_notes\n");
        } else if rng.pct(3) {
            s.push_str("    records: deidentified\n");
        }
        if rng.pct(4) {
            s.push_str("    actor: part2_program\n");
        }
        if matches!(purpose, "legal_proceeding" | "law_enforcement") {
            if rng.pct(50) {
                s.push_str("    against_patient: true\n");
            }
            if rng.pct(30) {
                let _ = writeln!(
                    s,
                    "    court_order: \"{}\"",
                    rng.pick(&["2.64", "2.65", "2.66", "2.67"])
                );
            }
            if rng.pct(40) {
                s.push_str("    subpoena: true\n");
            }
        }
        if purpose == "medical_emergency" {
            s.push_str("    emergency: true\n");
        }
        if let Some(c) = named {
            let _ = writeln!(s, "    consent: C-{c:06}");
        }
        if rng.pct(85) {
            let from = date(&mut rng, 2026, 300);
            let to = from + chrono::Days::new(rng.below(31));
            let _ = writeln!(s, "    service_dates: {{ from: {from}, to: {to} }}");
        }
        if purpose == "payment" || rng.pct(15) {
            let cents = rng.below(250_000);
            let _ = writeln!(
                s,
                "    claim: {{ id: CLM-{d:06}, amount: \"{}.{:02}\", dx: [{}], procedures: [{}], modifiers: [{}] }}",
                cents / 100,
                cents % 100,
                rng.pick(DX),
                rng.pick(PROCS),
                rng.pick(MODS)
            );
        }
        if rng.pct(8) {
            let _ = writeln!(s, "    note: \"{}\"", rng.pick(NOTES));
        }
    }
    s
}

/// Write a generated queue to `path` (used by `examples/gen_queue.rs` and benches).
pub fn write_yaml(path: &Path, n_disclosures: usize, seed: u64) -> std::io::Result<usize> {
    let text = generate_yaml(n_disclosures, seed);
    std::fs::write(path, &text)?;
    Ok(text.len())
}
