//! Signed seed inputs for the fuzz targets in `fuzz/` (see `scripts/fuzz`): logs, checkpoint
//! notes and allowed_signers files made with fixed keys, so that mutations of them get past
//! the signature checks into the chain rules.
//! `cargo run --example fuzz_seeds -- OUT_DIR` writes `OUT_DIR/<target>/<seed>`.
//!
//! The keys are the ones `fuzz/src/lib.rs` trusts: ed25519 seeds `[SEED_A; 32]` and
//! `[SEED_B; 32]`. Change both places together.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use p2review::decision::{Decision, ReasonCode};
use p2review::engine::Engine;
use p2review::log::{DecisionInput, LogKind, Recorder, Signer, TrainingInput, checkpoint};
use p2review::paths::DataDir;
use p2review::queue::load::load_path;

const SEED_A: u8 = 0x5a;
const SEED_B: u8 = 0xb7;
const PRINCIPAL_A: &str = "alice@fuzz.invalid";
const PRINCIPAL_B: &str = "bob@fuzz.invalid";
/// Separates the checkpoint note from the log in a `checkpoint` target input.
const NOTE_LOG_SEPARATOR: u8 = 0;

fn signer(seed: u8, principal: &str) -> Signer {
    Signer::from_signing_key(
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32]),
        principal,
    )
    .expect("a valid fixed principal")
}

fn main() -> ExitCode {
    let Some(out) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz_seeds OUT_DIR");
        return ExitCode::from(2);
    };
    match write_all(&out) {
        Ok(n) => {
            println!("{}: {n} signed seed files", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fuzz_seeds: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(out: &Path) -> Result<usize, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let data = DataDir::resolve(Some(&tmp.path().join("data"))).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(data.root()).map_err(|e| e.to_string())?;
    let (a, b) = (signer(SEED_A, PRINCIPAL_A), signer(SEED_B, PRINCIPAL_B));
    let decisions = decision_log(&data, &[a.clone(), b.clone()])?;
    let training = training_log(&data, &a)?;

    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();
    let lines: Vec<&[u8]> = decisions.split_inclusive(|&c| c == b'\n').collect();
    seeds.push(("log_line", "decisions.jsonl".into(), decisions.clone()));
    seeds.push(("log_line", "training.jsonl".into(), training));
    // A crash mid-append: the last line cut inside its signature.
    let torn = decisions[..decisions.len() - 40].to_vec();
    seeds.push(("log_line", "torn_tail.jsonl".into(), torn));
    // The smallest well-framed line: mutations explore the framing, not the JSON.
    seeds.push((
        "log_line",
        "min_frame.jsonl".into(),
        b"{\"e\":{},\"sig\":\"AAAA\"}\n".to_vec(),
    ));
    for (i, l) in lines.iter().take(3).enumerate() {
        seeds.push(("log_line", format!("line{i}.jsonl"), l.to_vec()));
    }
    // Each v2 incident line alone (the log ends with incident, assessment, delay, notice).
    for (i, l) in lines[lines.len() - 4..].iter().enumerate() {
        seeds.push(("log_line", format!("incident_line{i}.jsonl"), l.to_vec()));
    }

    for n in [1, lines.len() / 2, lines.len()] {
        let prefix: Vec<u8> = lines[..n].concat();
        let last = lines[n - 1].strip_suffix(b"\n").unwrap_or(lines[n - 1]);
        let hash = p2review::log::line::line_hash(last);
        let log_id = p2review::log::verify::peek_log_id(lines[0]).ok_or("no log id")?;
        let mut input = checkpoint::make(&log_id, n as u64, &hash, &a).into_bytes();
        input.push(NOTE_LOG_SEPARATOR);
        input.extend_from_slice(&decisions);
        seeds.push(("checkpoint", format!("size{n}"), input));
        // The note against a log cut before it: truncation.
        let mut cut = checkpoint::make(&log_id, n as u64, &hash, &b).into_bytes();
        cut.push(NOTE_LOG_SEPARATOR);
        cut.extend_from_slice(&prefix[..prefix.len() / 2]);
        seeds.push(("checkpoint", format!("size{n}_cut"), cut));
    }

    let plain = format!("{}\n", a.allowed_signers_line());
    let key_b = b.openssh_public();
    let options = format!(
        "# two signers\n{}\n{PRINCIPAL_B},*@fuzz.invalid,!eve@* namespaces=\"p2review-decision,p2review-*\",valid-after=\"20260101\",valid-before=\"202701011200Z\" {key_b}\n",
        a.allowed_signers_line()
    );
    let quoted = format!(
        "\"{PRINCIPAL_B}\" valid-after=20260101120000,namespaces=p2review-checkpoint {key_b}\n"
    );
    seeds.push(("allowed_signers", "plain".into(), plain.into_bytes()));
    seeds.push(("allowed_signers", "options".into(), options.into_bytes()));
    seeds.push(("allowed_signers", "quoted".into(), quoted.into_bytes()));

    for (target, name, bytes) in &seeds {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("signed_{name}"));
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(seeds.len())
}

/// A production log: genesis, decisions by two signers taking turns, and a correction.
fn decision_log(data: &DataDir, signers: &[Signer]) -> Result<Vec<u8>, String> {
    let queue_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/queue.yaml");
    let q = load_path(&queue_path).map_err(|e| e.to_string())?;
    let engine = Engine::load(None).map_err(|e| e.to_string())?;
    let as_of = q.queue.as_of.ok_or("sample_data/queue.yaml has no as_of")?;
    let eval = engine.for_date(as_of).map_err(|e| e.to_string())?;
    let log = data.decisions_log();
    let recorders: Vec<Recorder> = signers
        .iter()
        .map(|s| Recorder::open(data, &log, LogKind::Production, s.clone()))
        .collect();
    // Five denials, then a correction of the fourth (an escalation naming it, as a repeat
    // decision on an item must: docs/signed-log.md).
    let mut entries: Vec<String> = Vec::new();
    let picks = (0..5).map(|i| (i, None)).chain([(3, Some(3))]);
    for (n, (i, corrects)) in picks.enumerate() {
        let d = q.queue.disclosures.get(i).ok_or("sample queue too short")?;
        let ev = eval.evaluate(&q.queue, &q.index, d);
        let input = DecisionInput {
            decision: if corrects.is_some() {
                Decision::Escalate
            } else {
                Decision::Deny
            },
            reason_code: Some(if corrects.is_some() {
                ReasonCode::NeedsPrivacyOfficer
            } else {
                ReasonCode::ConsentMissing
            }),
            note: Some(format!("seed note {n}")),
            supersedes: corrects.map(|k: usize| entries[k].clone()),
        };
        let receipt = recorders[i % recorders.len()]
            .record(&q, d, &ev, input)
            .map_err(|e| format!("cannot record seed decision {n}: {e}"))?;
        entries.push(receipt.entry_sha256);
    }
    let first = q.queue.disclosures.first().ok_or("sample queue is empty")?;
    incidents(&recorders[0], &entries[0], first, &q.sha256)?;
    std::fs::read(&log).map_err(|e| format!("{}: {e}", log.display()))
}

/// `v: 2` incident entries (docs/incidents.md) after the decisions: an incident about the
/// first decision, its assessment, a law-enforcement delay and a notice, so the log_line
/// target sees every incident type in a valid chain.
fn incidents(
    rec: &Recorder,
    decision: &str,
    d: &p2review::queue::Disclosure,
    queue: &str,
) -> Result<(), String> {
    use p2review::incident::vocab::*;
    use p2review::log::entry::incident::*;
    let fields = IncidentFields {
        kind: IncidentKind::Misdirected,
        discovered_on: "2026-11-25".into(),
        individuals: 612,
        residents: [("OH".to_owned(), 540u64)].into_iter().collect(),
        secured: false,
        actor: "qso".into(),
        program_covered_entity: true,
        breach_notice_days: Some(10),
        reported_by_ba_on: None,
        ba_is_agent: false,
        concerns: Concerns {
            subject: Some(d.patient.clone()),
            disclosure: Some(d.id.clone()),
            disclosure_sha256: Some(p2review::queue::canonical::disclosure_sha256(d)),
            queue: Some(queue.to_owned()),
            from_entry: Some(decision.to_owned()),
            records: Some("general".into()),
            override_: Some(false),
            ..Concerns::default()
        },
        note: Some("seed incident".into()),
    };
    let inc = rec
        .record_incident(IncidentBody::Incident(Box::new(fields)))
        .map_err(|e| format!("cannot record the seed incident: {e}"))?
        .entry_sha256;
    let follow = [
        IncidentBody::Assessment(Box::new(AssessmentFields {
            incident: inc.clone(),
            exception: None,
            nature: Some((Nature::Part2Identifying, "SUD codes".into())),
            recipient: Some((Recipient::BoundToProtect, "a plan".into())),
            acquired: Some((Acquired::Unknown, "no reply".into())),
            mitigation: Some((Mitigation::Partial, "asked".into())),
            outcome: Outcome::Breach,
            note: None,
        })),
        IncidentBody::Delay(DelayFields {
            incident: inc.clone(),
            form: DelayForm::Oral,
            date: "2026-11-26".into(),
            official: Some("badge 4411".into()),
            note: None,
        }),
        IncidentBody::Notice(NoticeFields {
            incident: inc.clone(),
            to: NoticeTo::Program,
            on: "2026-11-27".into(),
            method: Some(NoticeMethod::Email),
            note: None,
        }),
    ];
    for b in follow {
        let t = b.type_name();
        rec.record_incident(b)
            .map_err(|e| format!("cannot record the seed {t}: {e}"))?;
    }
    Ok(())
}

/// A training log with one completion.
fn training_log(data: &DataDir, signer: &Signer) -> Result<Vec<u8>, String> {
    let engine = Engine::load(None).map_err(|e| e.to_string())?;
    let q = load_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/queue.yaml"))
        .map_err(|e| e.to_string())?;
    let d = q.queue.disclosures.first().ok_or("sample queue is empty")?;
    let as_of = q.queue.as_of.ok_or("sample_data/queue.yaml has no as_of")?;
    let ev = engine
        .for_date(as_of)
        .map_err(|e| e.to_string())?
        .evaluate(&q.queue, &q.index, d);
    let log = data.training_log();
    Recorder::open(data, &log, LogKind::Training, signer.clone())
        .record_training(TrainingInput {
            pack_id: "basics".into(),
            pack_version: "1".into(),
            policy: ev.policy,
            correct: 9,
            total: 10,
            pass_mark: 80,
        })
        .map_err(|e| format!("cannot record the seed training completion: {e}"))?;
    std::fs::read(&log).map_err(|e| format!("{}: {e}", log.display()))
}
