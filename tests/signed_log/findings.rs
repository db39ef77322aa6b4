//! Each finding code of docs/signed-log.md#finding-codes from a hand-built log that has exactly that defect.

use crate::log_support;

use log_support::*;
use p2review::log::canonical::to_canonical;
use p2review::log::entry::{Body, Entry, LogKind};
use p2review::log::findings::Code;
use p2review::log::trust::Trust;
use p2review::log::verify::{VerifyOptions, verify_bytes};
use p2review::log::{NS_DECISION, Signer, line};
use serde_json::json;

const ID: &str = "0123456789abcdef0123456789abcdef";

struct B {
    s: Signer,
    out: Vec<u8>,
    prev: [u8; 32],
    seq: u64,
    ms: i64,
}

impl B {
    fn new(kind: LogKind) -> B {
        let mut b = B {
            s: signer(5, "rev@clinic.example"),
            out: Vec::new(),
            prev: [0; 32],
            seq: 0,
            ms: 0,
        };
        let g = Body::Genesis {
            log_kind: kind,
            created_by: "rev@clinic.example".into(),
        };
        b.push(g);
        b
    }
    fn entry(&self, body: Body) -> Entry {
        let t = chrono::DateTime::from_timestamp_millis(1_780_000_000_000 + self.ms).unwrap();
        Entry {
            log: ID.into(),
            seq: self.seq,
            prev: data_encoding::HEXLOWER.encode(&self.prev),
            ts: t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            reviewer: self.s.principal().into(),
            key: self.s.fingerprint().into(),
            body,
        }
    }
    /// Append a signed line for `v` (any JSON), advancing the chain.
    fn raw(&mut self, v: serde_json::Value, ns: &str) {
        let body = to_canonical(&v).unwrap();
        let l = line::frame(&body, &self.s.sign(ns, body.as_bytes()));
        self.prev = line::line_hash(&l[..l.len() - 1]);
        self.seq += 1;
        self.ms += 1000;
        self.out.extend_from_slice(&l);
    }
    fn push(&mut self, body: Body) {
        let v = self.entry(body).to_value();
        self.raw(v, NS_DECISION);
    }
    fn decision(&mut self) {
        self.decision_with_note(None);
    }
    fn decision_with_note(&mut self, note: Option<&str>) {
        let fx = Fixture::new(1);
        let ev = fx.eval(0);
        let d = &fx.queue.queue.disclosures[0];
        let body = Body::Decision(Box::new(p2review::log::entry::DecisionFields {
            queue: fx.queue.sha256.clone(),
            disclosure: d.id.clone(),
            disclosure_sha256: "ab".repeat(32),
            subject: d.patient.clone(),
            recipient_kind: "health_plan".into(),
            recipient_name: "Acme".into(),
            purpose: "payment".into(),
            as_of: "2026-11-28".into(),
            consent: None,
            consent_status: ev.consent.status,
            part2: ev.part2.status,
            hipaa: ev.hipaa.status,
            rule: "R1".into(),
            unsettled: false,
            policy: ev.policy,
            decision: p2review::decision::Decision::Defer,
            reason_code: None,
            note: note.map(str::to_owned),
            override_: false,
            supersedes: None,
            second_required: false,
        }));
        self.push(body);
    }
    fn codes(&self) -> Vec<Code> {
        let opts = VerifyOptions {
            trust: Trust::Local {
                keys: vec![(self.s.principal().into(), *self.s.public_key())],
                demo: None,
            },
            checkpoints: vec![],
            heads_dir: None,
        };
        verify_bytes(&self.out, &opts)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code)
            .collect()
    }
}

/// The defect's own code comes first; the chain break it causes follows.
fn first(b: &B) -> Code {
    let c = b.codes();
    assert!(
        c.iter()
            .skip(1)
            .all(|x| matches!(x, Code::SeqGap | Code::PrevMismatch)),
        "{c:?}"
    );
    c[0]
}

#[test]
fn clean_builder_log_is_clean() {
    let mut b = B::new(LogKind::Production);
    b.decision();
    b.decision();
    assert_eq!(b.codes(), vec![]);
}

#[test]
fn time_skew_and_regression() {
    let mut b = B::new(LogKind::Production);
    b.decision();
    b.ms -= 60_000;
    b.decision();
    assert_eq!(b.codes(), vec![Code::TimeSkew]);
    b.ms -= 600_000;
    b.decision();
    assert_eq!(b.codes(), vec![Code::TimeSkew, Code::TimeRegression]);
}

#[test]
fn kinds_and_schema() {
    let mut b = B::new(LogKind::Training);
    b.decision();
    assert_eq!(
        b.codes(),
        vec![Code::Schema],
        "a decision in a training log"
    );
    let mut b = B::new(LogKind::Production);
    let mut v = b
        .entry(Body::TailRecovery {
            torn_off: 0,
            torn_len: 0,
            torn_sha256: "0".repeat(64),
        })
        .to_value();
    v["extra"] = json!("x");
    b.raw(v, NS_DECISION);
    b.decision();
    assert_eq!(first(&b), Code::Schema, "unknown field");
    let mut b = B::new(LogKind::Production);
    let mut v = b
        .entry(Body::Genesis {
            log_kind: LogKind::Production,
            created_by: "a@b".into(),
        })
        .to_value();
    v["seq"] = json!(1);
    b.raw(v, NS_DECISION);
    b.decision();
    assert_eq!(first(&b), Code::Schema, "a second genesis");
    let mut b = B::new(LogKind::Production);
    let mut v = b
        .entry(Body::TailRecovery {
            torn_off: 0,
            torn_len: 0,
            torn_sha256: "0".repeat(64),
        })
        .to_value();
    v["log"] = json!("fedcba9876543210fedcba9876543210");
    b.raw(v, NS_DECISION);
    assert!(b.codes().contains(&Code::LogMismatch));
}

#[test]
fn signature_format_and_key_binding() {
    let mut b = B::new(LogKind::Production);
    let v = b
        .entry(Body::TailRecovery {
            torn_off: 0,
            torn_len: 0,
            torn_sha256: "0".repeat(64),
        })
        .to_value();
    b.raw(v, "file");
    b.decision();
    assert_eq!(first(&b), Code::SigFormat, "another namespace");
    let mut b = B::new(LogKind::Production);
    let mut v = b
        .entry(Body::TailRecovery {
            torn_off: 0,
            torn_len: 0,
            torn_sha256: "0".repeat(64),
        })
        .to_value();
    v["key"] = json!(signer(6, "x@y").fingerprint());
    b.raw(v, NS_DECISION);
    b.decision();
    assert_eq!(
        first(&b),
        Code::SignerUnknown,
        "`key` names another key than the signature's"
    );
    let mut b = B::new(LogKind::Production);
    let mut v = b
        .entry(Body::TailRecovery {
            torn_off: 0,
            torn_len: 0,
            torn_sha256: "0".repeat(64),
        })
        .to_value();
    v["rule"] = json!("x".repeat(4000));
    let body = to_canonical(&v).unwrap();
    let l = line::frame(&body, &b.s.sign(NS_DECISION, body.as_bytes()));
    b.out.extend_from_slice(&l);
    b.seq += 1;
    b.decision();
    assert_eq!(first(&b), Code::Framing, "over 4096 bytes");
}

#[test]
fn recovery_entries_must_match_their_fragment() {
    use sha2::{Digest, Sha256};
    let frag = b"{\"e\":{\"v\":1,\"lo".to_vec();
    let build = |off_delta: i64, sha: Option<String>| {
        let mut b = B::new(LogKind::Production);
        b.decision();
        let off = b.out.len() as i64 + off_delta;
        b.out.extend_from_slice(&frag);
        b.out.push(b'\n');
        let sha = sha.unwrap_or_else(|| data_encoding::HEXLOWER.encode(&Sha256::digest(&frag)));
        b.push(Body::TailRecovery {
            torn_off: off as u64,
            torn_len: frag.len() as u64,
            torn_sha256: sha,
        });
        b.decision();
        b.codes()
    };
    assert_eq!(build(0, None), vec![], "a correct seal");
    assert_eq!(
        build(1, None),
        vec![Code::TornMiddle, Code::RecoveryInvalid]
    );
    assert_eq!(
        build(0, Some("0".repeat(64))),
        vec![Code::TornMiddle, Code::RecoveryInvalid]
    );
    let mut b = B::new(LogKind::Production);
    b.push(Body::TailRecovery {
        torn_off: 0,
        torn_len: 0,
        torn_sha256: "0".repeat(64),
    });
    assert_eq!(b.codes(), vec![Code::RecoveryInvalid], "nothing to recover");
    // A fragment in the middle without any recovery.
    let mut b = B::new(LogKind::Production);
    b.out.extend_from_slice(&frag);
    b.out.push(b'\n');
    b.decision();
    assert_eq!(b.codes(), vec![Code::TornMiddle]);
}

#[test]
fn genesis_missing_or_first() {
    let mut b = B::new(LogKind::Production);
    b.decision();
    let without: Vec<u8> = b
        .out
        .split_inclusive(|&c| c == b'\n')
        .skip(1)
        .flatten()
        .copied()
        .collect();
    let mut c = B::new(LogKind::Production);
    c.out = without;
    let codes = c.codes();
    assert!(
        codes.contains(&Code::SeqGap) && codes.contains(&Code::PrevMismatch),
        "{codes:?}"
    );
}

/// Pieces a hostile line is made of: the framing tokens, their halves, base64, the bytes
/// that end or break a line, and a non-UTF-8 byte.
const TOKENS: [&[u8]; 15] = [
    b"{\"e\":{",
    b"{\"e\":",
    b",\"sig\":\"",
    b"\"}",
    b"\"",
    b"}",
    b"{",
    b"A",
    b"AAAA",
    b"=",
    b"\n",
    b"\r",
    b"\xff",
    b",",
    b":",
];

/// Every sequence of up to four tokens, alone and after a valid genesis: findings, never
/// a panic (a 16-byte line ending in `,"sig":"}` used to slice out of bounds).
#[test]
fn any_short_token_sequence_gives_findings_never_a_panic() {
    let b = B::new(LogKind::Production);
    let opts = VerifyOptions {
        trust: Trust::Local {
            keys: vec![(b.s.principal().into(), *b.s.public_key())],
            demo: None,
        },
        checkpoints: vec![],
        heads_dir: None,
    };
    let n = TOKENS.len();
    let mut inputs = 0;
    for len in 1..=4u32 {
        for mut k in 0..n.pow(len) {
            let mut tail = Vec::new();
            for _ in 0..len {
                tail.extend_from_slice(TOKENS[k % n]);
                k /= n;
            }
            let _ = line::split(&tail);
            let alone = verify_bytes(&tail, &opts).unwrap();
            assert!(!alone.findings.is_empty(), "{tail:?}");
            let mut after = b.out.clone();
            after.extend_from_slice(&tail);
            let r = verify_bytes(&after, &opts).unwrap();
            assert!(!r.findings.is_empty(), "{tail:?}");
            inputs += 1;
        }
    }
    assert_eq!(inputs, 15 + 225 + 3375 + 50625);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
    /// Arbitrary bytes, alone and after a valid genesis, through the verifier and the
    /// supervisor's reader: findings, never a panic.
    #[test]
    fn any_bytes_give_findings_never_a_panic(
        tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        framed in proptest::prelude::any::<bool>(),
    ) {
        let b = B::new(LogKind::Production);
        let mut bytes = b.out.clone();
        if framed {
            bytes.extend_from_slice(b"{\"e\":{");
        }
        bytes.extend_from_slice(&tail);
        let opts = VerifyOptions {
            trust: Trust::Local {
                keys: vec![(b.s.principal().into(), *b.s.public_key())],
                demo: None,
            },
            checkpoints: vec![],
            heads_dir: None,
        };
        let r = verify_bytes(&bytes, &opts).unwrap();
        proptest::prop_assert!(!r.findings.is_empty() || tail.is_empty() && !framed);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log.jsonl");
        std::fs::write(&p, &bytes).unwrap();
        let _ = p2review::log::read::read_decisions(&p).unwrap();
        let loaded = p2review::supervise::load_logs(&[p], &opts, &[], 2);
        proptest::prop_assert_eq!(loaded.logs.len(), 1);
    }
}

/// A valid log with `tail` appended: its findings.
fn with_tail(tail: &[u8]) -> Vec<Code> {
    let mut b = B::new(LogKind::Production);
    b.decision();
    b.out.extend_from_slice(tail);
    b.codes()
}

/// docs/signed-log.md#appending/§6.5: only a strict prefix of a framed line (optionally followed by the LF an
/// append writes first and prefixes of `tail_recovery` lines) is a torn tail; any other
/// ending is damage (`E_`), whether or not it has an LF.
#[test]
fn only_a_torn_fragment_is_a_torn_tail() {
    let warn = vec![Code::TornTail];
    assert_eq!(with_tail(b"{\"e\":{\"as_of\":\"20"), warn);
    assert_eq!(with_tail(b"{\"e"), warn);
    assert_eq!(
        with_tail(b"{\"e\":{\"as_of\":\"20\n"),
        warn,
        "fragment + LF"
    );
    assert_eq!(
        with_tail(b"{\"e\":{\"as_of\":\"20\n{\"e\":{\"key\":\"SHA256:abc"),
        warn,
        "fragment + LF + torn recovery"
    );
    assert_eq!(
        with_tail(b"{\"e\":{\"as_of\":\"20\n{\"e\":{\"key\":\"x\",\"type\":\"tail_rec"),
        warn
    );
    // Not a fragment of a line an append writes.
    assert_eq!(with_tail(b"hello"), vec![Code::Framing]);
    assert_eq!(with_tail(b"hello\n"), vec![Code::Framing]);
    assert_eq!(with_tail(b"\n"), vec![Code::Framing]);
    assert_eq!(
        with_tail(b"{\"e\":{\"as_of\":\"20\n{\"e\":{\"as_of\":\"20"),
        vec![Code::TornMiddle, Code::TornMiddle],
        "a second piece that is not a tail_recovery prefix"
    );
    assert_eq!(
        with_tail(b"{\"e\":{\"key\":\"x\",\"type\":\"decision\""),
        vec![Code::TornTail],
        "a first piece may be any entry"
    );
    assert_eq!(
        with_tail(b"{\"e\":{\"a\":1\n{\"e\":{\"key\":\"x\",\"type\":\"decision\""),
        vec![Code::TornMiddle, Code::TornMiddle]
    );
    assert_eq!(
        with_tail(b"{\"e\":{\"a\":1},\"sig\":\"AAAA\"}"),
        vec![Code::Schema]
    );
    // A whole file of garbage lines.
    let garbage = b"x\n".repeat(100);
    let c = with_tail(&garbage);
    assert_eq!(c.len(), 100);
    assert!(c.iter().all(|c| *c == Code::Framing), "{c:?}");
    // Over 1 MiB of fragment pieces cannot be a torn tail.
    let mut big = b"{\"e\":{\"as_of\":\"20\n".to_vec();
    big.extend(b"{\"e\":{\"key\":\"a\n".repeat(80_000));
    assert!(with_tail(&big).iter().all(|c| c.is_error()));
}

/// An entry of another log or an entry out of order at the end is damage too, and a
/// changed last entry is tampering, with or without its LF.
#[test]
fn a_bad_last_entry_is_an_error_not_a_torn_tail() {
    let mut other = B::new(LogKind::Production);
    other.decision();
    let foreign = other
        .out
        .split_inclusive(|&c| c == b'\n')
        .nth(1)
        .unwrap()
        .to_vec();
    let c = with_tail(&foreign);
    assert!(
        c.contains(&Code::PrevMismatch) || c.contains(&Code::SeqGap),
        "{c:?}"
    );
    assert!(!c.contains(&Code::TornTail));
    let c = with_tail(&foreign[..foreign.len() - 1]);
    assert!(c.iter().all(|c| c.is_error()) && !c.is_empty(), "{c:?}");

    let mut b = B::new(LogKind::Production);
    b.decision();
    b.decision();
    let last = b.out[..b.out.len() - 1]
        .iter()
        .rposition(|&c| c == b'\n')
        .unwrap();
    let at = last + find(&b.out[last..], b"abab").unwrap();
    b.out[at] = b'c';
    assert_eq!(b.codes(), vec![Code::SigInvalid], "changed last entry");
    b.out.pop();
    assert_eq!(b.codes(), vec![Code::SigInvalid], "changed, LF cut off");
    // The same entry intact without its LF: a crash one byte short.
    let mut b = B::new(LogKind::Production);
    b.decision();
    b.out.pop();
    assert_eq!(b.codes(), vec![Code::TornTail]);
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// A `tail_recovery` sealing something that is not a torn fragment does not launder it
/// (logs sealed that way by earlier versions fail).
#[test]
fn a_seal_over_garbage_is_no_seal() {
    use sha2::{Digest, Sha256};
    let garbage = b"not a line\n".to_vec();
    let mut b = B::new(LogKind::Production);
    b.decision();
    let off = b.out.len() as u64;
    b.out.extend_from_slice(&garbage);
    b.push(Body::TailRecovery {
        torn_off: off,
        torn_len: garbage.len() as u64 - 1,
        torn_sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(&garbage[..garbage.len() - 1])),
    });
    b.decision();
    assert_eq!(b.codes(), vec![Code::Framing, Code::RecoveryInvalid]);
}

/// New input rules apply when recording, never in the verifier: an entry whose note holds
/// a zero-width space (accepted by earlier versions) still verifies.
#[test]
fn old_entries_with_invisible_characters_still_verify() {
    let mut b = B::new(LogKind::Production);
    b.decision_with_note(Some("call\u{200b}back\u{feff}"));
    assert_eq!(b.codes(), vec![]);
}

/// The supervisor's load takes each line that passed its own checks as the verifier parsed
/// and hashed it (one pass over the file), and reads any other line leniently. Either way
/// every record is exactly what the lenient reading of its line gives (the two-pass load
/// this replaced), on clean lines, on lines that fail their own checks (a bad signature, a
/// schema error) and on lines that pass them but break the chain (a deleted line).
#[test]
fn supervisor_records_from_the_verifier_equal_the_lenient_reading() {
    let mut b = B::new(LogKind::Production);
    for i in 0..8 {
        // Escapes and non-ASCII in the note: the lenient reader unescapes them itself.
        b.decision_with_note(Some(&format!("note {i} \"q\" \\ é")));
    }
    let mut lines: Vec<Vec<u8>> = b
        .out
        .split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let replace = |l: &mut Vec<u8>, from: &[u8], to: &[u8]| {
        let at = l.windows(from.len()).position(|w| w == from).unwrap();
        l.splice(at..at + from.len(), to.iter().copied());
    };
    // Line 3: one character of the note changed (E_SIG_INVALID, still readable as a row).
    replace(&mut lines[2], b"note 1", b"note X");
    // Line 5: a decision word outside the vocabulary (E_SCHEMA, readable leniently).
    replace(
        &mut lines[4],
        b"\"decision\":\"defer\"",
        b"\"decision\":\"defe_\"",
    );
    // Line 7 deleted: the lines after it pass their own checks but break the chain.
    lines.remove(6);
    let bytes = lines.concat();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.jsonl");
    std::fs::write(&p, &bytes).unwrap();
    let opts = VerifyOptions {
        trust: Trust::Local {
            keys: vec![(b.s.principal().into(), *b.s.public_key())],
            demo: None,
        },
        checkpoints: vec![],
        heads_dir: None,
    };
    let loaded = p2review::supervise::load_logs(std::slice::from_ref(&p), &opts, &[], 2);
    let mut got: Vec<_> = loaded.records.iter().collect();
    got.sort_by_key(|r| r.line);
    let want: Vec<(u64, _, i64, [u8; 32])> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let raw = l.strip_suffix(b"\n").unwrap();
            let (body, ts) = p2review::supervise::lenient::read_line(raw)?;
            Some((i as u64 + 1, body, ts, line::line_hash(raw)))
        })
        .collect();
    assert_eq!(got.len(), 7);
    assert_eq!(got.len(), want.len());
    for (r, (line_no, body, ts, hash)) in got.iter().zip(&want) {
        assert_eq!(r.line, *line_no);
        assert_eq!(&r.body, body, "line {line_no}");
        assert_eq!(r.ts_ms, *ts);
        assert_eq!(r.entry_sha256.0, *hash);
    }
    let failed: Vec<u64> = got
        .iter()
        .filter(|r| !r.verification.ok())
        .map(|r| r.line)
        .collect();
    // 3 and 5 fail their own checks (read leniently); 4, 6 and 7 pass them (parsed by the
    // verifier) and fail on the chain.
    assert_eq!(failed, vec![3, 4, 5, 6, 7], "{:?}", loaded.logs[0].findings);
    assert!(
        got.iter()
            .any(|r| r.body.note.is_some_and(|n| n.contains('é')))
    );
}
