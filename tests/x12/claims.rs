//! Synthetic claims through the importer: the positive and trap cases of flagging, the
//! claim fields, patient refs, and tokenizer robustness (BOM, bare CR, odd separators).

use crate::x12_support;

use p2review::import::{self, PseudonymKey, ValueSet};
use p2review::queue::{Disclosure, Queue, RecipientKind, load_bytes};
use x12_support::*;

fn context() -> Queue {
    load_bytes(CONTEXT.as_bytes(), "context").unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::from_bytes([42; 32])
}

/// Imports one file's text with `--all`, returns the queue.
fn import_all(text: &[u8]) -> Queue {
    let claims = import::read_claims(text).unwrap_or_else(|e| panic!("{e}"));
    import::build_queue(&context(), &claims, &key(), ValueSet::bundled(), true).0
}

fn one(text: &[u8]) -> Disclosure {
    let q = import_all(text);
    assert_eq!(q.disclosures.len(), 1);
    q.disclosures[0].clone()
}

fn flagged(d: &Disclosure) -> bool {
    d.note.as_deref().unwrap().starts_with("Flagged")
}

#[test]
fn sud_diagnosis_without_decimal_point_is_flagged_and_restored() {
    let d = one(p837(
        &[C {
            dx: vec![("ABK", "F1120"), ("ABF", "I10")],
            ..C::default()
        }],
        STD,
    )
    .as_bytes());
    assert!(flagged(&d), "{:?}", d.note);
    let claim = d.claim.unwrap();
    assert_eq!(claim.dx, ["F11.20", "I10"]);
    let note = d.note.unwrap();
    assert!(note.contains("SUD diagnosis F11.20"));
    // Billed by the general clinic: the reviewer is told the program is not marked Part 2.
    assert_eq!(d.program, "clinic");
    assert!(
        note.contains("program clinic is not marked part2"),
        "{note}"
    );
}

#[test]
fn icd9_sud_diagnosis_is_flagged() {
    let d = one(p837(
        &[C {
            dx: vec![("BK", "30390")],
            ..C::default()
        }],
        STD,
    )
    .as_bytes());
    assert_eq!(d.claim.unwrap().dx, ["303.90"]);
    assert!(d.note.unwrap().contains("SUD diagnosis 303.90"));
}

#[test]
fn sud_hcpcs_with_hf_is_flagged_with_both_reasons() {
    let c = C {
        dx: vec![("ABK", "Z0000")],
        lines: vec![("H0020", vec!["HF"])],
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    let note = d.note.clone().unwrap();
    assert!(note.contains("SUD procedure H0020"), "{note}");
    assert!(note.contains("SUD program modifier HF"), "{note}");
    let claim = d.claim.unwrap();
    assert_eq!(claim.procedures, ["H0020"]);
    assert_eq!(claim.modifiers, ["HF"]);
}

#[test]
fn hf_modifier_alone_flags() {
    let c = C {
        lines: vec![("H0004", vec!["HF"])],
        dx: vec![("ABK", "F329")],
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    assert!(flagged(&d));
    assert!(d.note.unwrap().contains("modifier HF"));
}

#[test]
fn part2_npi_with_non_sud_codes_is_flagged_and_attributed() {
    let c = C {
        billing_npi: "1588800001",
        dx: vec![("ABK", "J069")],
        lines: vec![("99213", vec![])],
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    assert!(flagged(&d));
    assert_eq!(d.program, "harbor");
    assert!(
        d.note
            .unwrap()
            .contains("provider is Part 2 program harbor")
    );
}

#[test]
fn part2_rendering_provider_wins_over_a_general_billing_provider() {
    let c = C {
        billing_npi: "1999999984",
        rendering_npi: Some("1588800001"),
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    assert_eq!(d.program, "harbor");
    assert!(flagged(&d));
}

#[test]
fn sud_taxonomy_flags_and_matches_by_taxonomy() {
    let c = C {
        billing_npi: "1234567893",
        rendering_npi: Some("1234567893"),
        billing_taxonomy: Some("261QR0405X"),
        rendering_taxonomy: Some("261QR0405X"),
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    let note = d.note.clone().unwrap();
    assert!(
        note.ends_with("SUD treatment taxonomy 261QR0405X"),
        "listed once: {note}"
    );
    assert_eq!(d.program, "harbor", "matched by taxonomy");
}

#[test]
fn tobacco_only_is_not_flagged() {
    let c = C {
        dx: vec![("ABK", "F17210"), ("ABF", "Z716")],
        lines: vec![("99406", vec![])],
        ..C::default()
    };
    let text = p837(&[c], STD);
    let d = one(text.as_bytes());
    assert!(!flagged(&d), "{:?}", d.note);
    assert_eq!(d.claim.unwrap().dx, ["F17.210", "Z71.6"]);
    // Without --all it is not written at all.
    let claims = import::read_claims(text.as_bytes()).unwrap();
    let (q, s) = import::build_queue(&context(), &claims, &key(), ValueSet::bundled(), false);
    assert!(q.disclosures.is_empty());
    assert_eq!((s.claims, s.flagged, s.written), (1, 0, 0));
}

#[test]
fn mental_health_h_code_is_not_flagged() {
    let c = C {
        billing_npi: "1999999984",
        dx: vec![("ABK", "F329")],
        lines: vec![("H0004", vec![])],
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    assert!(!flagged(&d), "{:?}", d.note);
    assert_eq!(d.program, "clinic");
}

#[test]
fn mislabelled_h0034_is_not_sud_but_h2034_is() {
    let h = |code| C {
        lines: vec![(code, vec![])],
        dx: vec![("ABK", "F329")],
        ..C::default()
    };
    assert!(!flagged(&one(p837(&[h("H0034")], STD).as_bytes())));
    assert!(flagged(&one(p837(&[h("H2034")], STD).as_bytes())));
}

#[test]
fn only_flagged_claims_are_written_by_default() {
    let claims = [
        C {
            clm01: "A1",
            dx: vec![("ABK", "F1020")],
            ..C::default()
        },
        C {
            clm01: "A2",
            ..C::default()
        },
        C {
            clm01: "A3",
            lines: vec![("H0015", vec![])],
            ..C::default()
        },
    ];
    let text = p837(&claims, STD);
    let raw = import::read_claims(text.as_bytes()).unwrap();
    assert_eq!(raw.len(), count_clm(text.as_bytes()));
    let (q, s) = import::build_queue(&context(), &raw, &key(), ValueSet::bundled(), false);
    let ids: Vec<&str> = q.disclosures.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["D-A1", "D-A3"]);
    assert_eq!((s.claims, s.flagged, s.written), (3, 2, 2));
}

#[test]
fn disclosure_fields_follow_the_spec() {
    let c = C {
        clm01: "CLM-88812",
        amount: "412.5",
        billing_npi: "1588800001",
        dx: vec![("ABK", "F1120")],
        lines: vec![("H0020", vec!["HF", "25"])],
        date: "20261015",
        ..C::default()
    };
    let d = one(p837(&[c], STD).as_bytes());
    assert_eq!(d.id, "D-CLM-88812");
    assert_eq!(d.requested_on.to_string(), "2026-11-20");
    assert_eq!(d.patient, "P-0001", "context member_ids");
    assert_eq!(d.program, "harbor");
    assert_eq!(
        d.recipient.name, "Pinecrest Health Plan",
        "context payer name"
    );
    assert_eq!(d.recipient.kind, RecipientKind::HealthPlan);
    assert_eq!(d.purpose, p2review::queue::Purpose::Payment);
    let sd = d.service_dates.unwrap();
    assert_eq!(
        (sd.from.to_string(), sd.to.to_string()),
        ("2026-10-15".into(), "2026-10-15".into())
    );
    let claim = d.claim.unwrap();
    assert_eq!(claim.id.as_deref(), Some("CLM-88812"));
    assert_eq!(claim.amount.unwrap().to_string(), "412.50");
    assert_eq!(claim.modifiers, ["HF", "25"]);
}

#[test]
fn payer_kind_comes_from_context_else_health_plan() {
    let tpa = C {
        payer: ("ACME BENEFITS", "TPA01"),
        dx: vec![("ABK", "F1020")],
        ..C::default()
    };
    let d = one(p837(&[tpa], STD).as_bytes());
    assert_eq!(d.recipient.kind, RecipientKind::ThirdPartyPayer);
    assert_eq!(d.recipient.name, "Acme Benefits TPA");
    let other = C {
        payer: ("RIVER MUTUAL", "RVM9"),
        dx: vec![("ABK", "F1020")],
        ..C::default()
    };
    let d = one(p837(&[other], STD).as_bytes());
    assert_eq!(d.recipient.kind, RecipientKind::HealthPlan);
    assert_eq!(d.recipient.name, "RIVER MUTUAL");
}

#[test]
fn unmatched_program_is_added_not_part2() {
    let c = C {
        billing_npi: "1234567893",
        dx: vec![("ABK", "F1020")],
        ..C::default()
    };
    let q = import_all(p837(&[c], STD).as_bytes());
    assert_eq!(q.disclosures[0].program, "unmatched");
    let p = q.programs.iter().find(|p| p.id == "unmatched").unwrap();
    assert!(!p.part2);
    // Not added when every claim matched.
    let q = import_all(p837(&[C::default()], STD).as_bytes());
    assert!(q.programs.iter().all(|p| p.id != "unmatched"));
}

#[test]
fn unknown_members_get_keyed_pseudonyms_dependents_their_own() {
    let claims = [
        C {
            clm01: "B1",
            member: "CANARYMBR02",
            ..C::default()
        },
        C {
            clm01: "B2",
            member: "CANARYMBR02",
            ..C::default()
        },
        C {
            clm01: "B3",
            member: "CANARYMBR02",
            dependent: Some(("CANARYKID", "CANARYJO", "20150101")),
            ..C::default()
        },
    ];
    let q = import_all(p837(&claims, STD).as_bytes());
    let refs: Vec<&str> = q.disclosures.iter().map(|d| d.patient.as_str()).collect();
    assert_eq!(refs[0], refs[1]);
    assert_ne!(
        refs[0], refs[2],
        "a dependent never shares the subscriber's ref"
    );
    assert_eq!(refs[0], key().patient_ref(b"CANARYMBR02"));
    for r in &refs {
        assert!(r.starts_with("P-") && r.len() == 18, "{r}");
    }
    // One patient entry per patient referred to (plus the context patient its consent names).
    let mut pats: Vec<&str> = q.patients.iter().map(|p| p.reference.as_str()).collect();
    pats.sort();
    let mut want = vec!["P-0001", refs[0], refs[2]];
    want.sort();
    assert_eq!(pats, want);
    assert!(q.patients.iter().all(|p| p.member_ids.is_empty()));
}

#[test]
fn colliding_and_odd_claim_ids_stay_valid_and_unique() {
    let claims = [
        C {
            clm01: "X 1/2",
            ..C::default()
        },
        C {
            clm01: "X 1/2",
            ..C::default()
        },
        C {
            clm01: "X_1_2",
            ..C::default()
        },
    ];
    let q = import_all(p837(&claims, STD).as_bytes());
    let ids: Vec<&str> = q.disclosures.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["D-X_1_2", "D-X_1_2-2", "D-X_1_2-3"]);
    assert_eq!(
        q.disclosures[0].claim.as_ref().unwrap().id.as_deref(),
        Some("X 1/2")
    );
}

#[test]
fn institutional_claim_reads_icd_procedures_and_statement_dates() {
    let d = one(i837(STD, "HZ2ZZZZ", "F1020", ("0944", "H0015")).as_bytes());
    let claim = d.claim.clone().unwrap();
    assert_eq!(claim.dx, ["F10.20"]);
    assert_eq!(claim.procedures, ["HZ2ZZZZ", "H0015"]);
    assert_eq!(claim.amount.unwrap().to_string(), "1200.50");
    let sd = d.service_dates.unwrap();
    assert_eq!(
        (sd.from.to_string(), sd.to.to_string()),
        ("2026-10-01".into(), "2026-10-05".into())
    );
    let note = d.note.unwrap();
    assert!(note.contains("SUD procedure HZ2ZZZZ, H0015"), "{note}");
    // A non-SUD institutional claim is not flagged.
    let d = one(i837(STD, "0DTJ4ZZ", "K3580", ("0450", "99284")).as_bytes());
    assert!(!flagged(&d), "{:?}", d.note);
}

fn sud_claim() -> C {
    C {
        dx: vec![("ABK", "F1120")],
        lines: vec![("H0020", vec!["HF"])],
        ..C::default()
    }
}

#[test]
fn survives_bom_crlf_bare_cr_and_odd_separators() {
    let base = one(p837(&[sud_claim()], STD).as_bytes());
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("BOM + CRLF", {
            let mut v = b"\xEF\xBB\xBF".to_vec();
            v.extend(
                p837(
                    &[sud_claim()],
                    Seps {
                        term: "~\r\n",
                        ..STD
                    },
                )
                .into_bytes(),
            );
            v
        }),
        (
            "bare CR terminator",
            p837(&[sud_claim()], Seps { term: "\r", ..STD }).into_bytes(),
        ),
        (
            "LF terminator",
            p837(&[sud_claim()], Seps { term: "\n", ..STD }).into_bytes(),
        ),
        (
            "no line breaks",
            p837(&[sud_claim()], Seps { term: "~", ..STD }).into_bytes(),
        ),
        (
            "wrapped at 80 columns with CR/LF inside segments",
            p837(&[sud_claim()], Seps { term: "~", ..STD })
                .as_bytes()
                .chunks(80)
                .flat_map(|c| c.iter().copied().chain(*b"\r\n"))
                .collect(),
        ),
        (
            "odd separators | > ^ !",
            p837(
                &[sud_claim()],
                Seps {
                    el: '|',
                    comp: '>',
                    rep: '^',
                    term: "!\n",
                },
            )
            .into_bytes(),
        ),
        (
            "component < and 4010-style ISA11 U",
            p837(
                &[sud_claim()],
                Seps {
                    el: '*',
                    comp: '<',
                    rep: 'U',
                    term: "~\n",
                },
            )
            .into_bytes(),
        ),
    ];
    for (what, bytes) in variants {
        let d = one(&bytes);
        assert_eq!(d, base, "{what}");
    }
}

fn err_of(bytes: &[u8]) -> String {
    import::read_claims(bytes).unwrap_err().to_string()
}

#[test]
fn broken_inputs_give_positioned_errors() {
    let good = p837(&[sud_claim()], STD);
    // Truncated in the middle of a segment.
    let cut = &good.as_bytes()[..good.find("SV1").unwrap() + 6];
    let e = err_of(cut);
    assert!(e.contains("truncated") && e.contains("segment "), "{e}");
    // Truncated after a whole segment: no IEA.
    let cut = &good.as_bytes()[..good.find("SE*").unwrap()];
    let e = err_of(cut);
    assert!(e.contains("truncated") && e.contains("no IEA"), "{e}");
    // UTF-16 (with and without BOM).
    let mut u16: Vec<u8> = vec![0xFF, 0xFE];
    u16.extend(good.encode_utf16().flat_map(|u| u.to_le_bytes()));
    assert!(err_of(&u16).contains("UTF-16"));
    let raw16: Vec<u8> = good.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    assert!(err_of(&raw16).contains("NUL bytes"));
    // No ISA.
    assert!(
        err_of(&good.as_bytes()[good.find("GS*").unwrap()..]).contains("must start with an ISA")
    );
    assert!(err_of(b"").contains("empty"));
    // A remittance (835) is not a claim file.
    let e = err_of(good.replace("ST*837", "ST*835").as_bytes());
    assert!(e.contains("835 is not a health care claim"), "{e}");
    // Bad CLM02 / dates name the segment.
    let e = err_of(good.replace("CLM*CLM1*100*", "CLM*CLM1*1.005*").as_bytes());
    assert!(e.contains("CLM02") && e.contains("CLM)"), "{e}");
    let e = err_of(
        good.replace("DTP*472*D8*20261001", "DTP*472*D8*20261301")
            .as_bytes(),
    );
    assert!(e.contains("DTP03"), "{e}");
    // No element value (member id, names) ever appears in an error.
    for e in [
        err_of(cut),
        err_of(good.replace("NM1*PR", "NM1*XX").as_bytes()),
    ] {
        assert!(!e.contains("CANARY"), "{e}");
    }
}

#[test]
fn malformed_hi_pairs_are_still_read() {
    // `HI*BK*30390*BF*4019`: qualifier and code as separate elements (seen in real files).
    let text = p837(
        &[C {
            dx: vec![],
            ..C::default()
        }],
        STD,
    )
    .replace(
        "CLM*CLM1*100***11:B:1*Y*A*Y*Y~\n",
        "CLM*CLM1*100***11:B:1*Y*A*Y*Y~\nHI*BK*30390*BF*4019~\n",
    );
    let d = one(text.as_bytes());
    assert_eq!(d.claim.unwrap().dx, ["303.90", "401.9"]);
    assert!(d.note.unwrap().contains("SUD diagnosis 303.90"));
}

#[test]
fn several_interchanges_in_one_file_with_different_separators() {
    let mut text = p837(
        &[C {
            clm01: "I1",
            ..sud_claim()
        }],
        STD,
    );
    text.push_str(&p837(
        &[C {
            clm01: "I2",
            ..sud_claim()
        }],
        Seps {
            el: '|',
            comp: '>',
            rep: '^',
            term: "!\r\n",
        },
    ));
    let q = import_all(text.as_bytes());
    let ids: Vec<&str> = q.disclosures.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["D-I1", "D-I2"]);
}

mod any_text {
    use super::*;
    use p2review::import::RawClaim;
    use p2review::import::x12::Position;
    use proptest::prelude::*;

    fn raw(clm01: String, payer: String) -> RawClaim {
        RawClaim {
            pos: Position {
                segment: 1,
                offset: 0,
            },
            clm01,
            amount: p2review::queue::Amount(1234),
            requested_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            patient: import::claims::PatientKey::MemberId("M1".into()),
            payer_id: String::new(),
            payer_name: payer,
            billing_npi: None,
            billing_taxonomies: vec![],
            rendering_npis: vec![],
            rendering_taxonomies: vec![],
            dx: vec![],
            procedures: vec![],
            modifiers: vec![],
            drg: None,
            service_dates: None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever text a claim file holds, the written queue reads back exactly as
        /// serde_yaml's own rendering would, and every disclosure id is valid.
        #[test]
        fn any_claim_text_round_trips(clm01 in "\\PC{1,80}|[\\x00-\\x7f]{1,40}", payer in any::<String>()) {
            let claims = [raw(clm01.clone(), payer.clone()), raw(clm01, payer)];
            let (q, _) = import::build_queue(&context(), &claims, &key(), ValueSet::bundled(), true);
            let ours = import::to_yaml(&q).unwrap();
            let back = load_bytes(ours.as_bytes(), "ours").unwrap();
            let reference = load_bytes(serde_yaml::to_string(&q).unwrap().as_bytes(), "ref").unwrap();
            prop_assert_eq!(&back, &reference);
            let re = |s: &str| {
                let b = s.as_bytes();
                !b.is_empty() && b.len() <= 64 && b[0].is_ascii_alphanumeric()
                    && b.iter().all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(c))
            };
            for d in &back.disclosures {
                prop_assert!(re(&d.id), "{}", d.id);
                prop_assert!(!d.recipient.name.chars().any(p2review::text::is_unsafe_char));
            }
            prop_assert_ne!(&back.disclosures[0].id, &back.disclosures[1].id);
        }
    }
}

#[test]
fn x4010_claims_with_a_patient_id_of_their_own() {
    let c = C {
        member: "CANARYMBR05",
        dependent: Some(("CANARYKID", "CANARYJO", "20150101")),
        dx: vec![("BK", "30500")],
        ..C::default()
    };
    let text = p837(&[c], Seps { rep: 'U', ..STD })
        .replace("*00501*", "*00401*")
        .replace("005010X222A1", "004010X098A1")
        .replace(
            "NM1*QC*1*CANARYKID*CANARYJO",
            "NM1*QC*1*CANARYKID*CANARYJO****MI*CANARYMBR01",
        );
    let d = one(text.as_bytes());
    assert_eq!(
        d.patient, "P-0001",
        "the patient's own NM109 matches context member_ids"
    );
    assert_eq!(d.claim.unwrap().dx, ["305.00"]);
    assert!(d.note.unwrap().contains("SUD diagnosis 305.00"));
}

#[test]
fn large_queues_are_written_in_parallel_chunks_to_the_same_text() {
    let base = sud_claim();
    let claims: Vec<C> = (0..9_000).map(|_| base.clone()).collect();
    let raw = import::read_claims(p837(&claims, STD).as_bytes()).unwrap();
    let (q, _) = import::build_queue(&context(), &raw, &key(), ValueSet::bundled(), true);
    assert_eq!(q.disclosures.len(), 9_000);
    assert_eq!(
        q.disclosures[8_999].id, "D-CLM1-9000",
        "duplicate CLM01s stay linear and unique"
    );
    let parallel = import::to_yaml(&q).unwrap();
    let single = import::yaml_out::to_string(&q).unwrap();
    assert!(
        parallel == single,
        "chunked output differs from the single-threaded one"
    );
}

/// A non-ASCII byte where the amount's third fraction digit would be was sliced inside a
/// character and panicked; now it is a positioned error like any malformed amount.
#[test]
fn non_ascii_in_an_amount_is_an_error_not_a_panic() {
    for amount in ["12.5\u{e9}0", "1.00\u{e9}", "\u{663}", "12.\u{1f4b0}"] {
        let text = p837(
            &[C {
                amount: Box::leak(amount.to_owned().into_boxed_str()),
                ..C::default()
            }],
            STD,
        );
        let e = err_of(text.as_bytes());
        assert!(e.contains("CLM02"), "{amount:?}: {e}");
    }
}

/// One claim with 40,000 service lines: procedures and modifiers keep their first
/// occurrences in file order (the set makes this linear; `benches/x12_import.rs` times it).
#[test]
fn many_service_lines_are_deduplicated_in_order() {
    let codes = ["H0020", "99213", "H0005", "H0020", "99213"];
    let mods: [&[&'static str]; 3] = [&["HF"], &["HF", "GT"], &["U1"]];
    let lines: Vec<(&'static str, Vec<&'static str>)> = (0..40_000)
        .map(|i| (codes[i % codes.len()], mods[i % mods.len()].to_vec()))
        .collect();
    let claims = import::read_claims(
        p837(
            &[C {
                lines,
                ..C::default()
            }],
            STD,
        )
        .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = &claims[0];
    let procs: Vec<&str> = c.procedures.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(procs, ["H0020", "99213", "H0005"]);
    assert_eq!(c.modifiers, ["HF", "GT", "U1"]);
}

/// More distinct procedures than a queue disclosure may hold is refused at the claim,
/// instead of writing a queue that would not load.
#[test]
fn a_claim_with_more_than_a_thousand_distinct_procedures_is_refused() {
    let lines: Vec<(&'static str, Vec<&'static str>)> = (0..1001)
        .map(|i| (&*Box::leak(format!("X{i:04}").into_boxed_str()), vec![]))
        .collect();
    let e = err_of(
        p837(
            &[C {
                lines,
                ..C::default()
            }],
            STD,
        )
        .as_bytes(),
    );
    assert!(
        e.contains("1001 distinct procedures") && e.contains("at most 1000"),
        "{e}"
    );
    assert!(e.contains("CLM"), "{e}");
}
