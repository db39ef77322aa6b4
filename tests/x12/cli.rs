//! `p2review import x12` end to end: exit codes, nothing written on error, the written
//! queue loads back, the pseudonym key, and the PHI canary. Also `import fhir-consent`
//! end to end (its mapping rules are unit tests in src/import/fhir/tests.rs).

use crate::x12_support;

use std::path::Path;
use std::process::{Command, Output};

use x12_support::*;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .arg("--no-color")
        .args(["import", "x12"])
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let e = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        write(e.dir.path(), "context.yaml", CONTEXT);
        e
    }
    fn p(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
    fn data(&self) -> std::path::PathBuf {
        self.p("data")
    }
}

fn claims() -> Vec<C> {
    vec![
        C {
            clm01: "S1",
            dx: vec![("ABK", "F1120")],
            ..C::default()
        },
        C {
            clm01: "S2",
            member: "CANARYMBR77",
            ..C::default()
        },
        C {
            clm01: "S3",
            member: "CANARYMBR78",
            lines: vec![("H0020", vec!["HF"])],
            dependent: Some(("CANARYKIDLAST", "CANARYKIDFIRST", "20150101")),
            ..C::default()
        },
    ]
}

#[test]
fn writes_a_loadable_queue_of_flagged_claims() {
    let env = Env::new();
    let f = write(env.dir.path(), "a.837", p837(&claims(), STD));
    let out = env.p("queue.yaml");
    let o = run(
        &env.data(),
        &[s(&f), "--context", s(&env.p("context.yaml")), "-o", s(&out)],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("3 claim(s), 2 flagged, 2 disclosure(s) written"),
        "{stderr}"
    );
    assert!(o.stdout.is_empty());
    let q = p2review::queue::load_path(&out).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = q.queue.disclosures.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["D-S1", "D-S3"]);
    // Context parts are carried over.
    assert_eq!(q.queue.organization.name, "Summit Billing Services");
    assert_eq!(q.queue.consents.len(), 1);
    assert_eq!(q.queue.payers.len(), 2);
    // The key was created, 0600, and no temp files remain beside the output.
    let key = env.data().join("pseudonym.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn same_member_same_ref_across_runs_and_all_writes_everything() {
    let env = Env::new();
    let f = write(env.dir.path(), "a.837", p837(&claims(), STD));
    let ctx = env.p("context.yaml");
    let o1 = run(&env.data(), &[s(&f), "--context", s(&ctx), "--all"]);
    let o2 = run(&env.data(), &[s(&f), "--context", s(&ctx), "--all"]);
    assert_eq!(o1.status.code(), Some(0));
    assert_eq!(o1.stdout, o2.stdout, "stable refs with the same key");
    let q = p2review::queue::load_bytes(&o1.stdout, "stdout").unwrap();
    assert_eq!(q.disclosures.len(), 3);
    // Another data dir = another key = other refs.
    let other = env.p("data2");
    let o3 = run(&other, &[s(&f), "--context", s(&ctx), "--all"]);
    let q3 = p2review::queue::load_bytes(&o3.stdout, "stdout").unwrap();
    assert_ne!(q.disclosures[1].patient, q3.disclosures[1].patient);
    assert_eq!(q.disclosures[0].patient, "P-0001");
    assert_eq!(q3.disclosures[0].patient, "P-0001");
}

#[test]
fn no_member_id_or_name_is_ever_written() {
    let env = Env::new();
    let f = write(env.dir.path(), "a.837", p837(&claims(), STD));
    let o = run(
        &env.data(),
        &[s(&f), "--context", s(&env.p("context.yaml")), "--all"],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("D-S2"));
    assert!(!text.contains("CANARY"), "PHI leaked:\n{text}");
    assert!(!text.contains("member_ids"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("CANARY"));
    // Nor in an error about the same file.
    let bad = write(
        env.dir.path(),
        "b.837",
        p837(&claims(), STD).replace("DTP*472*D8*20261001", "DTP*472*D8*2026100"),
    );
    let o = run(
        &env.data(),
        &[s(&bad), "--context", s(&env.p("context.yaml"))],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("CANARY"));
}

#[test]
fn one_bad_file_writes_nothing_and_exits_2() {
    let env = Env::new();
    let good = write(env.dir.path(), "good.837", p837(&claims(), STD));
    let full = p837(&claims(), STD);
    let cut = write(env.dir.path(), "cut.837", &full[..full.len() / 2]);
    let mut u16 = vec![0xFF, 0xFE];
    u16.extend(full.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let utf16 = write(env.dir.path(), "utf16.837", u16);
    let no_isa = write(
        env.dir.path(),
        "noisa.837",
        &full[full.find("GS*").unwrap()..],
    );
    let ctx = env.p("context.yaml");
    for (bad, want) in [
        (&cut, "truncated"),
        (&utf16, "UTF-16"),
        (&no_isa, "must start with an ISA"),
    ] {
        // Fresh output path: must not be created.
        let out = env.p("new.yaml");
        let o = run(
            &env.data(),
            &[s(&good), s(bad), "--context", s(&ctx), "-o", s(&out)],
        );
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(want) && err.contains(s(bad)) && err.contains("nothing was written"),
            "{err}"
        );
        assert!(!out.exists());
        assert!(o.stdout.is_empty(), "nothing on stdout either");
        // Existing output: left untouched.
        let existing = write(env.dir.path(), "existing.yaml", "previous content\n");
        let o = run(
            &env.data(),
            &[s(bad), s(&good), "--context", s(&ctx), "-o", s(&existing)],
        );
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap(),
            "previous content\n"
        );
    }
    // A missing file, a bad context: exit 2 too.
    let o = run(
        &env.data(),
        &[s(&env.p("absent.837")), "--context", s(&ctx)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read"));
    let badctx = write(env.dir.path(), "badctx.yaml", "schema: [");
    let o = run(&env.data(), &[s(&good), "--context", s(&badctx)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("badctx.yaml"));
    // Nothing was written into the data dir by failed runs before any key was needed.
    assert!(!env.data().join("pseudonym.key").exists());
}

#[test]
fn several_files_go_into_one_queue() {
    let env = Env::new();
    let a = write(env.dir.path(), "a.837", p837(&claims(), STD));
    let b = write(
        env.dir.path(),
        "b.837",
        p837(&claims()[..1], Seps { term: "\r", ..STD }),
    );
    let out = env.p("q.yaml");
    let o = run(
        &env.data(),
        &[
            s(&a),
            s(&b),
            "--context",
            s(&env.p("context.yaml")),
            "-o",
            s(&out),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let q = p2review::queue::load_path(&out).unwrap();
    let ids: Vec<&str> = q.queue.disclosures.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["D-S1", "D-S3", "D-S1-2"]);
}

/// The imported queue is what the engine evaluates: a Part 2 program's claim to a health
/// plan under the context's TPO consent is permitted with the §2.32 notice; an unknown
/// patient's claim from the same program needs a consent.
#[test]
fn imported_queue_evaluates() {
    let env = Env::new();
    let claims = [
        C {
            clm01: "E1",
            billing_npi: "1588800001",
            dx: vec![("ABK", "F1120")],
            ..C::default()
        },
        C {
            clm01: "E2",
            billing_npi: "1588800001",
            member: "CANARYMBR99",
            ..C::default()
        },
    ];
    let f = write(env.dir.path(), "e.837", p837(&claims, STD));
    let out = env.p("q.yaml");
    let o = run(
        &env.data(),
        &[s(&f), "--context", s(&env.p("context.yaml")), "-o", s(&out)],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(env.data())
        .args([
            "evaluate",
            s(&out),
            "--format",
            "json",
            "--as-of",
            "2026-11-28",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let status = |id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["part2"]["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status("D-E1"), "permitted_with_notice");
    assert_eq!(status("D-E2"), "consent_required");
}

fn init_claims() -> Vec<C> {
    vec![
        C {
            clm01: "I1",
            billing_npi: "1777777775",
            billing_taxonomy: Some("261QR0405X"),
            rendering_npi: Some("1666666668"),
            member: "CANARYMBR91",
            ..C::default()
        },
        C {
            clm01: "I2",
            billing_npi: "1777777775",
            payer: ("ACME BENEFITS TPA", "TPA01"),
            member: "CANARYMBR92",
            ..C::default()
        },
    ]
}

#[test]
fn init_context_writes_a_loadable_skeleton_of_npis_and_payers_and_never_overwrites() {
    let env = Env::new();
    let f = write(env.dir.path(), "a.837", p837(&init_claims(), STD));
    let ctx = env.p("new-context.yaml");
    let o = run(&env.data(), &[s(&f), "--init-context", "-o", s(&ctx)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&ctx).unwrap();
    assert!(
        !text.contains("CANARY"),
        "member ids or names leaked:\n{text}"
    );
    let q = p2review::queue::load_path(&ctx).unwrap().queue;
    let ids: Vec<&str> = q.programs.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["npi-1666666668", "npi-1777777775"]);
    assert!(
        q.programs.iter().all(|p| p.part2),
        "providers default to part2: true"
    );
    assert_eq!(q.programs[1].npis, ["1777777775"]);
    assert_eq!(q.programs[1].taxonomies, ["261QR0405X"]);
    assert!(text.contains("part2: true # confirm"), "{text}");
    let payers: Vec<(&str, &str)> = q
        .payers
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        payers,
        [
            ("PINEC", "PINECREST HEALTH PLAN"),
            ("TPA01", "ACME BENEFITS TPA")
        ]
    );
    assert!(q.disclosures.is_empty() && q.patients.is_empty());

    // A second run never overwrites the (possibly edited) context.
    std::fs::write(&ctx, "edited").unwrap();
    let o = run(&env.data(), &[s(&f), "--init-context", "-o", s(&ctx)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&ctx).unwrap(), "edited");

    // Without -o it goes to stdout, and as the context it flags the providers' claims.
    let o = run(&env.data(), &[s(&f), "--init-context"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);
    std::fs::write(&ctx, &text).unwrap();
    let o = run(&env.data(), &[s(&f), "--context", s(&ctx)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2 flagged"));
}

#[test]
fn init_context_and_context_together_are_a_usage_error() {
    let env = Env::new();
    let f = write(env.dir.path(), "a.837", p837(&init_claims(), STD));
    let o = run(
        &env.data(),
        &[
            s(&f),
            "--init-context",
            "--context",
            s(&env.p("context.yaml")),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(&env.data(), &[s(&f)]);
    assert_eq!(o.status.code(), Some(2), "a queue import needs --context");
}

#[test]
fn zero_flagged_because_no_program_matched_says_so_with_the_npis_seen() {
    let env = Env::new();
    let mut claims = init_claims();
    claims[0].billing_taxonomy = None;
    let f = write(env.dir.path(), "a.837", p837(&claims, STD));
    let o = run(
        &env.data(),
        &[s(&f), "--context", s(&env.p("context.yaml"))],
    );
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 flagged"), "{err}");
    assert!(
        err.contains(
            "no program in the context matched the NPI or taxonomy of any of the 2 claim(s)"
        ),
        "{err}"
    );
    assert!(err.contains("NPIs seen: 1666666668, 1777777775"), "{err}");
    assert!(err.contains("--init-context"), "{err}");
    assert!(!err.contains("CANARY"), "{err}");

    // A matched program with nothing to flag is a real "0 flagged": no such message.
    let f = write(env.dir.path(), "b.837", p837(&[C::default()], STD));
    let o = run(
        &env.data(),
        &[s(&f), "--context", s(&env.p("context.yaml"))],
    );
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("0 flagged") && !err.contains("no program"),
        "{err}"
    );
}

#[test]
fn the_shipped_example_context_loads_and_marks_a_part2_program() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/x12-context.yaml");
    let q = p2review::queue::load_path(&path).unwrap().queue;
    assert!(q.disclosures.is_empty());
    assert!(q.programs.iter().any(|p| p.part2 && !p.npis.is_empty()));
    assert!(q.patients.iter().any(|p| !p.member_ids.is_empty()));
}

fn fhir(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p2review"))
        .arg("--data-dir")
        .arg(data)
        .arg("--no-color")
        .args(["import", "fhir-consent"])
        .args(args)
        .output()
        .unwrap()
}

fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fhir")
        .join(rel)
}

#[test]
fn fhir_consent_writes_a_context_that_import_x12_uses() {
    let env = Env::new();
    let out = env.p("ctx-out.yaml");
    let ctx = fixture("part2/context.yaml");
    let o = fhir(
        &env.data(),
        &[s(&fixture("part2")), "--context", s(&ctx), "-o", s(&out)],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(o.stdout.is_empty());
    // One line per resource (3 Consents in the Bundle and NDJSON, 1 Provenance, 1 more
    // Consent) and a summary; nothing from a patient.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 7, "{stderr}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(": imported: ")).count(),
        3
    );
    assert!(stderr.contains("Consent fx-deny-1: skipped: the base provision is `deny`"));
    assert!(stderr.contains("Consent fx-draft-1: skipped: status `draft`"));
    assert!(stderr.contains("5 Consent(s): 3 imported, 2 skipped, 1 other resource(s) not read"));
    assert!(stderr.contains("1 patient(s) pseudonymized"), "{stderr}");
    assert!(!stderr.contains("CANARY"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("CANARY"), "{text}");
    let q = p2review::queue::load_path(&out).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = q.queue.consents.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["C-0001", "fx-specific-1", "fx-r5-1", "fx-tpo-1"]);
    assert!(q.queue.disclosures.is_empty());
    assert_eq!(
        env.data().join("pseudonym.key").metadata().unwrap().len(),
        32
    );
    // The written context is a context for `import x12`: its consents reach the queue.
    let claims = write(env.dir.path(), "a.837", p837(&claims(), STD));
    let o = run(&env.data(), &[s(&claims), "--context", s(&out), "--all"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let queue = p2review::queue::load_bytes(&o.stdout, "stdout").unwrap();
    assert!(queue.consents.iter().any(|c| c.id == "fx-tpo-1"));
}

#[test]
fn fhir_consent_reports_hl7_examples_and_imports_none() {
    let env = Env::new();
    let o = fhir(
        &env.data(),
        &[
            s(&fixture("hl7-r4")),
            "--context",
            s(&fixture("part2/context.yaml")),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("12 Consent(s): 0 imported, 12 skipped, 1 other"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.contains(": skipped: ")).count(),
        13
    );
    let q = p2review::queue::load_bytes(&o.stdout, "stdout").unwrap();
    assert_eq!(q.consents.len(), 1, "only the context's own consent");
}

#[test]
fn fhir_consent_bad_input_exits_2_and_writes_nothing() {
    let env = Env::new();
    let out = env.p("out.yaml");
    let bad = write(
        env.dir.path(),
        "bad.json",
        "{\"resourceType\": \"Consent\", \"id\": CANARY}",
    );
    let ctx = fixture("part2/context.yaml");
    let o = fhir(
        &env.data(),
        &[
            s(&fixture("part2/tpo-active.json")),
            s(&bad),
            "--context",
            s(&ctx),
            "-o",
            s(&out),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.json: line 1 column"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!stderr.contains("CANARY"), "{stderr}");
    assert!(!out.exists());
    assert!(
        !env.data().join("pseudonym.key").exists(),
        "nothing touched before input is read"
    );
    // A context that does not load: exit 2, nothing written.
    let o = fhir(
        &env.data(),
        &[
            s(&fixture("part2/tpo-active.json")),
            "--context",
            s(&bad),
            "-o",
            s(&out),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("context"));
    assert!(!out.exists());
    // A directory with no JSON files.
    let empty = env.p("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = fhir(&env.data(), &[s(&empty), "--context", s(&ctx)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no *.json or *.ndjson file"));
}
