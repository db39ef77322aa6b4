//! Every public X12 file in tests/fixtures/x12 either imports with the right claim count
//! (counted here independently, by splitting on the terminator) or fails with the expected
//! clear error.

use crate::x12_support;

use std::path::{Path, PathBuf};

use p2review::import::{self, PseudonymKey, ValueSet};
use p2review::queue::load_bytes;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/x12");

/// Files that must fail, with a piece of the expected message (and the segment number).
const EXPECTED_ERRORS: &[(&str, &str)] = &[
    // ISA02 is 9 characters instead of 10: the fixed-length header is broken.
    (
        "x12_bad_first_line.txt",
        "segment 1 (line 1, ISA): malformed ISA",
    ),
    (
        "x12_bad_segment_identifier.txt",
        "segment 6 (line 6, no segment id): invalid segment identifier",
    ),
    ("x12_no_isa_line.txt", "must start with an ISA segment"),
    // The second subscriber loop lacks NM1*IL: no member id for its claim.
    (
        "x12_missing_required_loop_in_one_repeat.txt",
        "segment 21 (line 21, CLM): no subscriber member id",
    ),
    (
        "x12_missing_required_loops_mult_repeats.txt",
        "segment 34 (line 34, DTP): DTP02 date format \"RD9\"",
    ),
    (
        "cob-contractural-adjustment.835",
        "segment 3 (line 3, ST): transaction set 835 is not a health care claim",
    ),
    (
        "managed-care.835",
        "transaction set 835 is not a health care claim",
    ),
    (
        "medicare-part-a.835",
        "transaction set 835 is not a health care claim",
    ),
    (
        "secondary-payment.835",
        "transaction set 835 is not a health care claim",
    ),
    (
        "tertiary-payment.835",
        "transaction set 835 is not a health care claim",
    ),
    (
        "835_sample1.txt",
        "transaction set 835 is not a health care claim",
    ),
    (
        "835_sample2.txt",
        "transaction set 835 is not a health care claim",
    ),
    (
        "835_mult_loops.txt",
        "transaction set 835 is not a health care claim",
    ),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().unwrap() != "README.md" {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_imports_with_its_claim_count_or_fails_clearly() {
    let mut all = Vec::new();
    files(Path::new(FIXTURES), &mut all);
    all.sort();
    assert!(all.len() >= 57, "fixtures missing: {}", all.len());
    let context = load_bytes(x12_support::CONTEXT.as_bytes(), "context").unwrap();
    let key = PseudonymKey::from_bytes([1; 32]);
    let (mut ok, mut failed) = (0, 0);
    for path in &all {
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = EXPECTED_ERRORS.iter().find(|(f, _)| *f == name);
        match (import::read_file(path), expected) {
            (Ok(claims), None) => {
                let bytes = std::fs::read(path).unwrap();
                let want = x12_support::count_clm(&bytes);
                assert!(want > 0, "{name}: no CLM in a file expected to import");
                assert_eq!(claims.len(), want, "{name}: claim count");
                let (q, s) =
                    import::build_queue(&context, &claims, &key, ValueSet::bundled(), true);
                assert_eq!(q.disclosures.len(), want, "{name}");
                // No public file carries SUD codes or a Part 2 provider (data README).
                assert_eq!(
                    s.flagged,
                    0,
                    "{name}: {:?}",
                    q.disclosures.iter().map(|d| &d.note).collect::<Vec<_>>()
                );
                // The written YAML loads back.
                let text = import::to_yaml(&q).unwrap();
                let back = load_bytes(text.as_bytes(), name).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(back.disclosures.len(), want, "{name}");
                // ... exactly as serde_yaml's own rendering of the same queue would.
                let reference = serde_yaml::to_string(&q).unwrap();
                assert_eq!(
                    back,
                    load_bytes(reference.as_bytes(), name).unwrap(),
                    "{name}"
                );
                ok += 1;
            }
            (Err(e), Some((_, msg))) => {
                let shown = e.to_string();
                assert!(shown.contains(msg), "{name}: got {shown:?}, want {msg:?}");
                assert!(
                    shown.contains(name),
                    "{name}: error must name the file: {shown}"
                );
                failed += 1;
            }
            (Ok(c), Some((_, msg))) => panic!(
                "{name}: imported {} claims, expected error {msg:?}",
                c.len()
            ),
            (Err(e), None) => panic!("{name}: unexpected error {e}"),
        }
    }
    assert_eq!(
        failed,
        EXPECTED_ERRORS.len(),
        "every expected error was seen"
    );
    assert_eq!(ok + failed, all.len());
}

#[test]
fn known_fixture_contents_are_extracted() {
    let key = PseudonymKey::from_bytes([1; 32]);
    let context = load_bytes(x12_support::CONTEXT.as_bytes(), "context").unwrap();
    let read = |rel: &str| import::read_file(&Path::new(FIXTURES).join(rel)).unwrap();

    // imsweb x12_valid: the malformed `HI*BK*8901*BF*87200` pairs and RD8 dates.
    let c = read("imsweb/837_5010/x12_valid.txt");
    let (q, _) = import::build_queue(&context, &c, &key, ValueSet::bundled(), true);
    let d = &q.disclosures[0];
    assert_eq!(d.id, "D-A37YH556");
    let claim = d.claim.as_ref().unwrap();
    assert_eq!(claim.dx, ["890.1", "872.00", "555.9"]);
    assert_eq!(claim.procedures, ["99211"]);
    assert_eq!(claim.modifiers, ["25"]);
    assert_eq!(d.service_dates.unwrap().from.to_string(), "2005-03-14");
    assert_eq!(d.recipient.name, "HEALTH INSURANCE COMPANY");

    // Same file with ~ ^ _ separators: same claims.
    let alt = read("imsweb/837_5010/x12_valid_different_separators.txt");
    assert_eq!(alt, c);

    // moov: component separator `<`, duplicate CLM01 across two claims.
    let m = read("moov/837p_sample.txt");
    let (q, _) = import::build_queue(&context, &m, &key, ValueSet::bundled(), true);
    assert_eq!(q.disclosures[0].id, "D-1029353-03");
    assert_eq!(q.disclosures[1].id, "D-1029353-03-2");
    assert_eq!(
        q.disclosures[0].claim.as_ref().unwrap().dx,
        ["626.8", "789.30"]
    );

    // 837I: ICD-9 BK/BF, SV2 HCPCS, statement date DTP*434 vs line DTP*472.
    let i = read("linuxforhealth/837I_005010X223A3/institutional-claim.837i");
    assert_eq!(i.len(), 1);
    let (q, _) = import::build_queue(&context, &i, &key, ValueSet::bundled(), true);
    let claim = q.disclosures[0].claim.as_ref().unwrap();
    assert_eq!(claim.dx, ["366.9", "401.9", "794.31"]);
    assert_eq!(claim.procedures, ["85025", "93005"]);
    assert_eq!(claim.amount.unwrap().to_string(), "89.93");
    assert_eq!(
        q.disclosures[0].recipient.name, "MEDICARE B",
        "the 2010BB payer, not the 2330B other payer"
    );
}
