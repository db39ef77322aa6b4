//! Tamper evidence (issue 3 item 6): every single-byte change, structural mutation and
//! non-canonical re-encoding of a ≥100-entry log is detected. The verifier runs in-process
//! (same code as `log verify`) with a cache of per-line verdicts keyed by exact bytes.

use crate::log_support;

use std::collections::HashMap;

use log_support::*;
use p2review::log::chain::Chain;
use p2review::log::checkpoint;
use p2review::log::findings::Code;
use p2review::log::line::LineChecker;
use p2review::log::trust::Trust;
use p2review::log::verify::{LogReport, VerifyOptions, anchors_for, report, verify_bytes_with};

struct Setup {
    _env: Env,
    bytes: Vec<u8>,
    trust: Trust,
    /// Checkpoint of the full log.
    full_cp: checkpoint::Checkpoint,
    /// A validly signed line of another log (same signer).
    foreign: Vec<u8>,
}

fn setup(n: usize) -> Setup {
    let env = Env::new();
    let data = env.data_dir();
    let fx = Fixture::new(3);
    let signers = [
        signer(1, "ann@clinic.example"),
        signer(2, "bob@clinic.example"),
    ];
    build_log(&data, &env.log(), &signers, &fx, n);
    let other = env.path("other.jsonl");
    build_log(&data, &other, &signers[..1], &fx, 2);
    let bytes = std::fs::read(env.log()).unwrap();
    let foreign = std::fs::read(&other)
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .nth(1)
        .unwrap()
        .to_vec();
    let trust = Trust::Local {
        keys: signers
            .iter()
            .map(|s| (s.principal().to_owned(), *s.public_key()))
            .collect(),
        demo: None,
    };
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let last = lines.last().unwrap();
    let hash = p2review::log::line::line_hash(&last[..last.len() - 1]);
    let full_cp = checkpoint::parse(&checkpoint::make(
        &peek_id(&bytes),
        lines.len() as u64,
        &hash,
        &signers[0],
    ))
    .unwrap();
    Setup {
        _env: env,
        bytes,
        trust,
        full_cp,
        foreign,
    }
}

fn peek_id(bytes: &[u8]) -> String {
    p2review::log::verify::peek_log_id(bytes.split(|&b| b == b'\n').next().unwrap()).unwrap()
}

struct Verifier {
    checker: Option<LineChecker>,
}

impl Verifier {
    fn new() -> Verifier {
        let mut c = LineChecker::new();
        c.cache = Some(HashMap::default());
        c.cache_insert = true;
        Verifier { checker: Some(c) }
    }
    fn run(&mut self, bytes: &[u8], trust: &Trust, cps: &[checkpoint::Checkpoint]) -> LogReport {
        let opts = VerifyOptions {
            trust: trust.clone(),
            checkpoints: cps.to_vec(),
            heads_dir: None,
        };
        let (r, c) = verify_bytes_with(bytes, &opts, self.checker.take().unwrap()).unwrap();
        self.checker = Some(c);
        r
    }
}

/// The verifier's state before each line of the clean log. A mutation inside line k leaves
/// lines 0..k unchanged, so verifying the mutated log = resuming the snapshot before line k
/// on the mutated bytes from there on (same code, same state; cross-checked below against
/// full runs).
struct Snapshots {
    starts: Vec<usize>,
    before: Vec<Chain>,
    extra: Vec<p2review::log::Finding>,
}

impl Snapshots {
    fn new(bytes: &[u8], opts: &VerifyOptions, checker: &mut LineChecker) -> Snapshots {
        let id = peek_id(bytes);
        let mut extra = Vec::new();
        let anchors = anchors_for(Some(&id), None, opts, &mut extra).unwrap();
        let mut chain = Chain::new(Some(opts.trust.clone()), anchors);
        chain.checker = std::mem::take(checker);
        let (mut starts, mut before) = (Vec::new(), Vec::new());
        let mut off = 0;
        for piece in bytes.split_inclusive(|&b| b == b'\n') {
            starts.push(off);
            before.push(chain.clone());
            chain.feed(piece, off as u64);
            off += piece.len();
        }
        starts.push(off);
        before.push(chain.clone());
        *checker = std::mem::take(&mut chain.checker);
        Snapshots {
            starts,
            before,
            extra,
        }
    }

    /// Exit code of verifying `m`, which differs from the clean log only at byte `p`.
    /// Once the mutated run is back at a clean line boundary in the same state as the
    /// clean run (findings aside), the rest is the clean run's rest.
    fn exit_code(&self, m: &[u8], p: usize, orig: u8, checker: &mut LineChecker) -> u8 {
        let k = self.starts.partition_point(|&s| s <= p) - 1;
        let mut chain = self.before[k].clone();
        chain.checker = std::mem::take(checker);
        // The pieces from line k on: only an LF changed at p moves line boundaries.
        let s = &self.starts;
        let last = s.len() - 1;
        let mut cuts = vec![s[k]];
        if m[p] == b'\n' && orig != b'\n' {
            cuts.push(p + 1);
        }
        let mut j = k + 1;
        if orig == b'\n' && m[p] != b'\n' && p + 1 == s[k + 1] {
            j += 1; // lines k and k+1 merge
        }
        cuts.extend(s[j.min(last)..].iter().copied());
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            chain.feed(&m[a..b], a as u64);
            if b > p
                && let Ok(j) = s.binary_search(&b)
                && chain.same_state(&self.before[j])
            {
                let mut rest = self.before[last].clone();
                rest.findings
                    .splice(0..0, std::mem::take(&mut chain.findings));
                rest.checker = std::mem::take(&mut chain.checker);
                chain = rest;
                break;
            }
        }
        let r = report(&mut chain, self.extra.clone());
        *checker = std::mem::take(&mut chain.checker);
        r.exit_code()
    }
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn clean_log_verifies_clean() {
    let s = setup(110);
    let mut v = Verifier::new();
    let r = v.run(&s.bytes, &s.trust, &[]);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.entries, 111);
    let r = v.run(&s.bytes, &s.trust, std::slice::from_ref(&s.full_cp));
    assert_eq!(r.exit_code(), 0, "{:?}", r.findings);
}

/// Every byte position changed, one at a time: never exit 0; with a checkpoint of the
/// full log, always exit 1.
#[test]
fn single_byte_sweep() {
    let s = setup(99);
    let mut v = Verifier::new();
    assert_eq!(v.run(&s.bytes, &s.trust, &[]).exit_code(), 0);
    let mut checker = v.checker.take().unwrap();
    checker.cache_insert = false;
    let plain = VerifyOptions {
        trust: s.trust.clone(),
        checkpoints: vec![],
        heads_dir: None,
    };
    let with_cp = VerifyOptions {
        checkpoints: vec![s.full_cp.clone()],
        ..plain.clone()
    };
    let snap_plain = Snapshots::new(&s.bytes, &plain, &mut checker);
    let snap_cp = Snapshots::new(&s.bytes, &with_cp, &mut checker);
    let len = s.bytes.len();
    let cache = checker.cache.clone();
    let t0 = std::time::Instant::now();
    // Two threads (CI has two cores), each with its own copy of the verdict cache.
    let results: Vec<(usize, usize, usize, Vec<usize>)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..2)
            .map(|t| {
                let (sp, sc_, bytes) = (&snap_plain, &snap_cp, &s.bytes);
                let mut ck = LineChecker::new();
                ck.cache = cache.clone();
                sc.spawn(move || {
                    let (mut e1, mut w3, mut cp1, mut bad) = (0, 0, 0, Vec::new());
                    let mut m = bytes.clone();
                    for p in (t..len).step_by(2) {
                        let orig = m[p];
                        m[p] = orig ^ 0x01;
                        match sp.exit_code(&m, p, orig, &mut ck) {
                            1 => e1 += 1,
                            3 => w3 += 1,
                            _ => bad.push(p),
                        }
                        if sc_.exit_code(&m, p, orig, &mut ck) == 1 {
                            cp1 += 1;
                        } else {
                            bad.push(p);
                        }
                        m[p] = orig;
                    }
                    (e1, w3, cp1, bad)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (e1, w3, cp1) = results
        .iter()
        .fold((0, 0, 0), |a, r| (a.0 + r.0, a.1 + r.1, a.2 + r.2));
    eprintln!("sweep time {:?}", t0.elapsed());
    let bad: Vec<usize> = results.iter().flat_map(|r| r.3.clone()).collect();
    assert!(
        bad.is_empty(),
        "undetected (or not exit 1 with checkpoint) at byte positions {bad:?}"
    );
    assert_eq!(e1 + w3, len);
    assert_eq!(cp1, len);
    eprintln!(
        "single-byte sweep: {len} positions over {} lines; no anchor: {e1} exit 1, {w3} exit 3, 0 exit 0; with a full checkpoint: {cp1} exit 1",
        s.bytes.split_inclusive(|&b| b == b'\n').count()
    );
    // Without an anchor only the last line can pass for a torn tail.
    let last_len = lines(&s.bytes).last().unwrap().len();
    // (+1: the LF ending the line before it, which merges the two into one bad tail.)
    assert!(
        w3 <= last_len + 1,
        "{w3} warnings-only outcomes, last line is {last_len} bytes"
    );
    // The snapshot shortcut agrees with full verifier runs (sampled).
    let mut m = s.bytes.clone();
    // Sampled positions, plus line ends (where a change moves line boundaries).
    let lfs = [snap_plain.starts[1] - 1, snap_plain.starts[50] - 1, len - 1];
    for p in (0..len).step_by(3001).chain([len - 2]).chain(lfs) {
        let orig = m[p];
        m[p] ^= 0x01;
        let full = v_full(&m, &plain);
        assert_eq!(
            full,
            snap_plain.exit_code(&m, p, orig, &mut checker),
            "byte {p}"
        );
        let full = v_full(&m, &with_cp);
        assert_eq!(
            full,
            snap_cp.exit_code(&m, p, orig, &mut checker),
            "byte {p} with checkpoint"
        );
        m[p] = orig;
    }
}

fn v_full(m: &[u8], opts: &VerifyOptions) -> u8 {
    p2review::log::verify::verify_bytes(m, opts)
        .unwrap()
        .exit_code()
}

/// Delete, duplicate, swap, move to end, insert a foreign entry, truncate: all exit 1 with
/// a checkpoint of the full log; without one, only cutting whole entries off the end passes.
#[test]
fn structural_mutations() {
    let s = setup(110);
    let mut v = Verifier::new();
    let cps = std::slice::from_ref(&s.full_cp);
    let ls = lines(&s.bytes);
    let n = ls.len();
    let join = |v: &[Vec<u8>]| v.concat();
    let mut count = 0;
    let mut check = |name: &str, i: usize, m: Vec<u8>, tail_cut: bool| {
        let r = v.run(&m, &s.trust, cps);
        assert_eq!(
            r.exit_code(),
            1,
            "{name} at {i} with checkpoint: {:?}",
            r.findings
        );
        let r = v.run(&m, &s.trust, &[]);
        if tail_cut {
            // The honest limit: without an anchor, a shorter valid prefix is undetectable.
            assert_eq!(r.exit_code(), 0, "{name} at {i} without anchor");
        } else {
            assert_eq!(
                r.exit_code(),
                1,
                "{name} at {i} without anchor: {:?}",
                r.findings
            );
        }
        count += 1;
    };
    for i in 0..n {
        let mut d = ls.clone();
        d.remove(i);
        check("delete", i, join(&d), i == n - 1);
        let mut d = ls.clone();
        d.insert(i, ls[i].clone());
        check("duplicate", i, join(&d), false);
        if i + 1 < n {
            let mut d = ls.clone();
            d.swap(i, i + 1);
            check("swap", i, join(&d), false);
            let mut d = ls.clone();
            let x = d.remove(i);
            d.push(x);
            check("move to end", i, join(&d), false);
        }
        let mut d = ls.clone();
        d.insert(i, s.foreign.clone());
        check("insert foreign", i, join(&d), false);
        if i > 0 {
            check("truncate", i, join(&ls[..i]), true);
        }
    }
    let mut d = ls.clone();
    d.push(s.foreign.clone());
    check("append foreign", n, join(&d), false);
    eprintln!("structural mutations: {count} mutated logs, all detected with a checkpoint");
}

/// Re-encodings that keep the JSON meaning are refused as framing or canonical errors.
#[test]
fn non_canonical_encodings() {
    let s = setup(100);
    let mut v = Verifier::new();
    let ls = lines(&s.bytes);
    let k = 50;
    let line = String::from_utf8(ls[k].clone()).unwrap();
    let body_end = line.rfind(",\"sig\":\"").unwrap();
    let sig_start = body_end + 8;
    let sig_end = line.len() - 3;
    // Base64 with non-zero padding bits: same blob for a lax decoder.
    let b64 = &line[sig_start..sig_end];
    let pad = b64.len() - b64.trim_end_matches('=').len();
    assert!(pad > 0, "the SSHSIG blob length gives padding");
    let at = sig_start + b64.len() - pad - 1;
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let idx = ALPHA
        .iter()
        .position(|&c| c == line.as_bytes()[at])
        .unwrap();
    let lax = ALPHA[idx | 1] as char;
    let mut padded = line.clone();
    padded.replace_range(at..at + 1, &lax.to_string());
    let prev_at = line.find("\"prev\":\"").unwrap() + 8;
    let upper = {
        let mut u = line.clone();
        let h = line[prev_at..prev_at + 64].to_ascii_uppercase();
        u.replace_range(prev_at..prev_at + 64, &h);
        u
    };
    let variants: Vec<(&str, String)> = vec![
        ("non-canonical base64 padding", padded),
        (
            "\\u0041 escape",
            line.replacen("\"decision\":\"deny\"", "\"decision\":\"\\u0064eny\"", 1),
        ),
        (
            "whitespace in body",
            line.replacen(",\"hipaa\":", ", \"hipaa\":", 1),
        ),
        (
            "whitespace before body",
            line.replacen("{\"e\":{", "{\"e\": {", 1),
        ),
        (
            "duplicate key",
            line.replacen("{\"e\":{", "{\"e\":{\"v\":1,", 1),
        ),
        ("upper-case hex", upper),
        ("CRLF", line.replacen("\"}\n", "\"}\r\n", 1)),
        ("trailing space", line.replacen("\"}\n", "\"} \n", 1)),
        ("float", line.replacen("\"v\":1", "\"v\":1.0", 1)),
        ("plus sign", line.replacen("\"v\":1", "\"v\":+1", 1)),
        ("BOM", format!("\u{feff}{line}")),
    ];
    for (name, var) in variants {
        assert_ne!(var, line, "{name}: mutation did not apply");
        let mut d = ls.clone();
        d[k] = var.into_bytes();
        let r = v.run(&d.concat(), &s.trust, &[]);
        let f = r
            .findings
            .iter()
            .find(|f| f.line == k as u64 + 1)
            .unwrap_or_else(|| panic!("{name}: no finding on the line: {:?}", r.findings));
        assert!(
            matches!(f.code, Code::Framing | Code::Noncanonical),
            "{name}: {:?}",
            f.code
        );
        assert_eq!(r.exit_code(), 1, "{name}");
    }
}
