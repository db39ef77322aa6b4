//! `log verify`'s default mode (per-line checks on all cores) and the batch mode
//! (signatures in batches) give exactly the findings of `--strict` (one thread,
//! `verify_strict` per entry) — on a clean log, on damaged ones (byte changes, a forged
//! signature key, truncation against a checkpoint), and on signatures crafted to pass a bare
//! batch equation but not `verify_strict` (docs/signed-log.md#batch-verification).

use crate::log_support;

use log_support::*;
use p2review::log::batch::SigMode;
use p2review::log::chain::Chain;
use p2review::log::checkpoint;
use p2review::log::trust::Trust;
use p2review::log::verify::{
    BlockSizes, VerifyIoError, VerifyOptions, anchors_for, stream_file_each, verify_file,
    verify_file_blocks, verify_file_blocks_sized, verify_file_parallel,
};

#[test]
fn parallel_findings_equal_sequential() {
    let env = Env::new();
    let data = env.data_dir();
    let fx = Fixture::new(3);
    let signers = [
        signer(1, "ann@clinic.example"),
        signer(2, "bob@clinic.example"),
    ];
    build_log(&data, &env.log(), &signers, &fx, 60);
    let bytes = std::fs::read(env.log()).unwrap();
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let last = lines.last().unwrap();
    let id = p2review::log::verify::peek_log_id(lines[0]).unwrap();
    let cp = checkpoint::parse(&checkpoint::make(
        &id,
        lines.len() as u64,
        &p2review::log::line::line_hash(&last[..last.len() - 1]),
        &signers[0],
    ))
    .unwrap();
    let opts = VerifyOptions {
        // Only Ann is trusted: Bob's entries are E_SIGNER_UNKNOWN in both paths.
        trust: Trust::Local {
            keys: vec![(signers[0].principal().into(), *signers[0].public_key())],
            demo: None,
        },
        checkpoints: vec![cp],
        heads_dir: None,
    };
    let path = env.path("m.jsonl");
    let mut compared = 0;
    let mut check = |m: &[u8]| {
        std::fs::write(&path, m).unwrap();
        let a = verify_file(&path, &opts).map_err(|e| e.0).unwrap();
        for t in [2, 7] {
            let b = verify_file_parallel(&path, &opts, t)
                .map_err(|e| e.0)
                .unwrap();
            assert_eq!(a.findings, b.findings, "threads {t}");
            assert_eq!((a.entries, a.last_hash), (b.entries, b.last_hash));
            let c = verify_file_blocks(&path, &opts, t, SigMode::Batch, &mut |_, _, _| {})
                .map_err(|e| e.0)
                .unwrap();
            assert_eq!(a.findings, c.findings, "threads {t}, batches");
        }
        compared += 1;
    };
    check(&bytes);
    let mut m = bytes.clone();
    for p in (0..bytes.len()).step_by(1999) {
        m[p] ^= 0x01;
        check(&m);
        m[p] ^= 0x01;
    }
    check(&lines[..30].concat());
    check(&[lines.concat(), b"{\"e\":{\"tor".to_vec()].concat());
    check(b"");
    assert!(compared > 40);
}

/// What `each` saw: line number, piece, and the line hash if the line passed its checks.
type Seen = Vec<(u64, Vec<u8>, Option<[u8; 32]>)>;

/// The reference: `verify_file`'s streaming path, with what it hands to `each`.
fn sequential(path: &std::path::Path, opts: &VerifyOptions) -> (Vec<String>, Seen) {
    let mut seen = Seen::new();
    let r = stream_file_each(
        path,
        |id, extra| {
            let anchors = anchors_for(id, Some(path), opts, extra).map_err(VerifyIoError)?;
            Ok(Chain::new(Some(opts.trust.clone()), anchors))
        },
        &mut |n, p, g| seen.push((n, p.to_vec(), g.map(|g| g.hash))),
    )
    .map_err(|e| e.0)
    .unwrap();
    let a = verify_file(path, opts).map_err(|e| e.0).unwrap();
    assert_eq!(a.findings, r.findings);
    let f = r.findings.iter().map(|f| format!("{f:?}")).collect();
    (f, seen)
}

/// Jobs and blocks of a few lines, so damage falls on every boundary between jobs, between
/// blocks and at the end of the read-ahead: the findings and the lines handed to `each`
/// (in file order) equal the streaming path's, whatever the thread count.
#[test]
fn small_blocks_equal_sequential() {
    let env = Env::new();
    let data = env.data_dir();
    let fx = Fixture::new(3);
    let signers = [
        signer(1, "ann@clinic.example"),
        signer(2, "bob@clinic.example"),
    ];
    build_log(&data, &env.log(), &signers, &fx, 23);
    let bytes = std::fs::read(env.log()).unwrap();
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let opts = trusting(&signers);
    let sizes = [
        (1, 1 << 20, 1),
        (2, 1 << 20, 1),
        (5, 1 << 20, 2),
        (7, 1 << 20, 3),
        // Blocks cut by bytes (a line is ~1.3 KB): one or two lines each.
        (100, 2000, 100),
        (2048, 8 << 20, 256),
    ];
    let path = env.path("m.jsonl");
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("clean".into(), bytes.clone()),
        ("empty".into(), vec![]),
        ("one line".into(), lines[0].to_vec()),
        (
            "one line without LF".into(),
            lines[0][..lines[0].len() - 1].to_vec(),
        ),
        ("torn tail".into(), [&bytes[..], &lines[5][..300]].concat()),
        (
            "last line without LF".into(),
            bytes[..bytes.len() - 1].to_vec(),
        ),
        (
            "over-long line in the middle".into(),
            [
                lines[..9].concat(),
                vec![b'x'; 70_000],
                b"\n".to_vec(),
                lines[9..].concat(),
            ]
            .concat(),
        ),
        (
            "over-long last line without LF".into(),
            [bytes.clone(), vec![b'{'; 70_000]].concat(),
        ),
        (
            "a line dropped".into(),
            [lines[..12].concat(), lines[13..].concat()].concat(),
        ),
        (
            "a line repeated".into(),
            [lines[..12].concat(), lines[11..].concat()].concat(),
        ),
        (
            "blank lines".into(),
            [lines[..4].concat(), b"\n\n".to_vec(), lines[4..].concat()].concat(),
        ),
    ];
    // One changed byte in each line (the line's own signature fails).
    for i in 0..lines.len() {
        let at: usize = lines[..i].iter().map(|l| l.len()).sum::<usize>() + 40;
        let mut m = bytes.clone();
        m[at] ^= 0x01;
        cases.push((format!("line {} changed", i + 1), m));
    }
    for (what, m) in &cases {
        std::fs::write(&path, m).unwrap();
        let (want, want_seen) = sequential(&path, &opts);
        for &(lines, bytes, chunk) in &sizes {
            let s = BlockSizes {
                lines,
                bytes,
                chunk,
            };
            for t in [1, 2, 3] {
                for mode in [SigMode::Strict, SigMode::Batch] {
                    let mut seen = Seen::new();
                    let r = verify_file_blocks_sized(&path, &opts, t, mode, s, &mut |n, p, g| {
                        seen.push((n, p.to_vec(), g.map(|g| g.hash)))
                    })
                    .map_err(|e| e.0)
                    .unwrap();
                    let got: Vec<String> = r.findings.iter().map(|f| format!("{f:?}")).collect();
                    assert_eq!(got, want, "{what}: {s:?} threads {t} {mode:?}");
                    assert!(
                        seen == want_seen,
                        "{what}: {s:?} threads {t} {mode:?}: lines handed on differ"
                    );
                }
            }
        }
        assert!(
            !want.is_empty() || ["clean", "empty", "one line"].contains(&what.as_str()),
            "{what}: the case shows nothing"
        );
    }
}

mod crafted {
    //! Signatures made with curve arithmetic: the secret scalar of a test signer's seed,
    //! any `R`, `s = r + k·a`.
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
    use curve25519_dalek::scalar::Scalar;
    use p2review::log::sshsig;
    use sha2::{Digest, Sha512};

    pub fn secret(seed: u8) -> Scalar {
        let h = Sha512::digest([seed; 32]);
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        Scalar::from_bytes_mod_order(a)
    }

    fn k(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
        let h: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(a)
            .chain_update(m)
            .finalize()
            .into();
        Scalar::from_bytes_mod_order_wide(&h)
    }

    /// `R` bytes and `s = r + k·a`, `k` over those bytes.
    pub fn sig(a: Scalar, key: &[u8; 32], rb: [u8; 32], r: Scalar, m: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&rb);
        out[32..].copy_from_slice((r + k(&rb, key, m) * a).as_bytes());
        out
    }

    /// The line with its body's `key` set for `key` (re-canonicalized) and the signature
    /// `make(key, signed data)` under that key.
    pub fn resign(
        line: &[u8],
        key: [u8; 32],
        make: impl Fn(&[u8; 32], &[u8]) -> [u8; 64],
    ) -> Vec<u8> {
        let text = line.strip_suffix(b"\n").unwrap();
        let (body, b64) = p2review::log::line::split(text).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["key"] = p2review::log::keys::fingerprint(&key).into();
        let body = p2review::log::canonical::to_canonical(&v).unwrap();
        let mut blob = sshsig::decode(&data_encoding::BASE64.decode(b64).unwrap()).unwrap();
        blob.public_key = key;
        blob.signature = make(&key, &sshsig::signed_data(&blob.namespace, body.as_bytes()));
        p2review::log::line::frame(&body, &sshsig::encode(&blob))
    }

    pub fn torsion(order: usize) -> curve25519_dalek::edwards::EdwardsPoint {
        EIGHT_TORSION[8 / order]
    }

    pub fn base(r: Scalar) -> [u8; 32] {
        (B * r).compress().to_bytes()
    }

    pub fn base_plus(r: Scalar, t: curve25519_dalek::edwards::EdwardsPoint) -> [u8; 32] {
        (B * r + t).compress().to_bytes()
    }
}

#[test]
fn batch_findings_equal_strict_on_crafted_signatures() {
    use crafted::*;
    use curve25519_dalek::scalar::Scalar;
    use p2review::log::Code;
    let env = Env::new();
    let data = env.data_dir();
    let fx = Fixture::new(3);
    let seeds = [1u8, 2];
    let signers = [
        signer(seeds[0], "ann@clinic.example"),
        signer(seeds[1], "bob@clinic.example"),
    ];
    // More lines than one batch (one thread), so crafted lines sit inside good batches.
    build_log(&data, &env.log(), &signers, &fx, 300);
    let bytes = std::fs::read(env.log()).unwrap();
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let opts = trusting(&signers);
    let path = env.path("crafted.jsonl");
    // Replace line `at` (0-based) and compare both modes; returns the strict findings.
    let check = |at: usize, new: Vec<u8>| {
        let mut all: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
        all[at] = new;
        std::fs::write(&path, all.concat()).unwrap();
        let strict = verify_file(&path, &opts).map_err(|e| e.0).unwrap();
        for t in [1, 2, 7] {
            for mode in [SigMode::Batch, SigMode::Strict] {
                let other = verify_file_blocks(&path, &opts, t, mode, &mut |_, _, _| {})
                    .map_err(|e| e.0)
                    .unwrap();
                let line = at + 1;
                assert_eq!(
                    strict.findings, other.findings,
                    "line {line} threads {t} {mode:?}"
                );
                assert_eq!(
                    (strict.entries, strict.last_hash, strict.signers),
                    (other.entries, other.last_hash, other.signers)
                );
            }
        }
        strict.findings
    };
    let codes_at = |f: &[p2review::log::Finding], line: usize| -> Vec<Code> {
        f.iter()
            .filter(|x| x.line == line as u64)
            .map(|x| x.code)
            .collect()
    };
    assert!(check(0, lines[0].to_vec()).is_empty(), "the clean log");
    // Each crafted case on an entry of Ann's (even lines are hers).
    let a = secret(seeds[0]);
    let ann = *signers[0].public_key();
    let mut id = [0u8; 32];
    id[0] = 1;
    let mut id_p1 = [0xffu8; 32];
    id_p1[0] = 0xee;
    id_p1[31] = 0x7f;
    type Make = Box<dyn Fn(&[u8; 32], &[u8]) -> [u8; 64]>;
    let rejected: Vec<(&str, [u8; 32], Make)> = vec![
        (
            "torsion of order 2 added to R",
            ann,
            Box::new(move |k, m| {
                let r = Scalar::from(1234u64);
                sig(a, k, base_plus(r, torsion(2)), r, m)
            }),
        ),
        (
            "torsion of order 8 added to R",
            ann,
            Box::new(move |k, m| {
                let r = Scalar::from(4321u64);
                sig(a, k, base_plus(r, torsion(8)), r, m)
            }),
        ),
        (
            "R of small order (the identity)",
            ann,
            Box::new(move |k, m| sig(a, k, id, Scalar::ZERO, m)),
        ),
        (
            "R not canonically encoded (y = p + 1)",
            ann,
            Box::new(move |k, m| sig(a, k, id_p1, Scalar::ZERO, m)),
        ),
        (
            "s + l",
            ann,
            Box::new(move |k, m| {
                let r = Scalar::from(77u64);
                let mut s = sig(a, k, base(r), r, m);
                let l: [u8; 32] = [
                    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde,
                    0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
                ];
                let mut carry = 0u16;
                for i in 0..32 {
                    let v = u16::from(s[32 + i]) + u16::from(l[i]) + carry;
                    s[32 + i] = v as u8;
                    carry = v >> 8;
                }
                s
            }),
        ),
        (
            "a public key of small order (the identity), R = [r]B, s = r",
            id,
            Box::new(|_, _| {
                let r = Scalar::from(99u64);
                let mut s = [0u8; 64];
                s[..32].copy_from_slice(&base(r));
                s[32..].copy_from_slice(r.as_bytes());
                s
            }),
        ),
        (
            "a valid signature of another message",
            ann,
            Box::new(move |k, _| {
                let r = Scalar::from(5u64);
                sig(a, k, base(r), r, b"another message")
            }),
        ),
    ];
    for at in [2usize, 130, 256] {
        for (what, key, make) in &rejected {
            let f = check(at, resign(lines[at], *key, make));
            assert!(
                codes_at(&f, at + 1).contains(&Code::SigInvalid),
                "{what} at line {}: {f:?}",
                at + 1
            );
            assert_eq!(
                f.iter().filter(|x| x.code == Code::SigInvalid).count(),
                1,
                "{what}: only that line"
            );
        }
    }
    // The same findings whatever instruction set the prime-order test of `R` may use
    // (`P2REVIEW_SIMD` caps it): AVX-512, AVX2 or none (the scalar chain) — the paths of
    // other CPUs, taken on this one — with three crafted lines at once.
    let mut all: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
    for (at, (_, key, make)) in [2usize, 130, 256].into_iter().zip(&rejected) {
        all[at] = resign(lines[at], *key, make);
    }
    std::fs::write(&path, all.concat()).unwrap();
    let allowed = env.path("allowed_signers.crafted");
    let trust: String = signers
        .iter()
        .map(|s| s.allowed_signers_line() + "\n")
        .collect();
    std::fs::write(&allowed, trust).unwrap();
    let runs: Vec<(Option<i32>, String)> = ["", "avx2", "none"]
        .iter()
        .map(|simd| {
            let o = env
                .cmd()
                .env("P2REVIEW_SIMD", simd)
                .args(["log", "verify", "--allowed-signers"])
                .arg(&allowed)
                .arg(&path)
                .output()
                .unwrap();
            (
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
            )
        })
        .collect();
    assert_eq!(runs[0].0, Some(1), "{}", runs[0].1);
    for line in [3, 131, 257] {
        assert!(
            runs[0].1.contains(&format!(
                "E_SIG_INVALID log={} seq={} line={line}\n",
                path.display(),
                line - 1
            )),
            "line {line}: {}",
            runs[0].1
        );
    }
    assert_eq!(runs[0], runs[1], "P2REVIEW_SIMD=avx2");
    assert_eq!(runs[0], runs[2], "P2REVIEW_SIMD=none");
    // A key with a torsion component (not of small order): verify_strict accepts a
    // signature whose equation holds exactly, so the line is not E_SIG_INVALID (the key is
    // not trusted: E_SIGNER_UNKNOWN), in both modes.
    let mixed = (curve25519_dalek::constants::ED25519_BASEPOINT_POINT * a + torsion(2))
        .compress()
        .to_bytes();
    let line = (1..200u64)
        .map(|i| {
            resign(lines[130], mixed, move |k, m| {
                let r = Scalar::from(i);
                sig(a, k, base(r), r, m)
            })
        })
        .find(|l| {
            let (body, b64) = p2review::log::line::split(&l[..l.len() - 1]).unwrap();
            let blob =
                p2review::log::sshsig::decode(&data_encoding::BASE64.decode(b64).unwrap()).unwrap();
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&blob.public_key).unwrap();
            p2review::log::sshsig::verify_with(&vk, &blob, body)
        })
        .expect("a signature that verify_strict accepts under the mixed-order key");
    let f = check(130, line);
    assert_eq!(codes_at(&f, 131), vec![Code::SignerUnknown], "{f:?}");
}
