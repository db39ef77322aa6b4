//! Signature checks of many entries at once (docs/signed-log.md#batch-verification), with
//! exactly the verdicts of per-entry `verify_strict`.
//!
//! `ed25519_dalek::verify_batch` checks one random linear combination of the equations
//! `[s]B = R + [k]A` without the cofactor. It skips what `verify_strict` checks besides the
//! equation, so every signature is first sorted:
//!
//! - **batchable**: `s < ℓ`; `R` canonically encoded, not of small order and in the
//!   prime-order subgroup; the key decodes, is not of small order and is in the prime-order
//!   subgroup (key facts are cached: a log has few signers);
//! - everything else is decided by `verify_strict` alone.
//!
//! For a batchable signature every term of the equation lies in the prime-order subgroup,
//! so its residual `[s]B − R − [k]A` is zero (what `verify_strict` accepts, since `R` is the
//! canonical encoding of that point) or of order ℓ, where a random combination vanishes with
//! negligible probability. Without the subgroup check on `R` it would not be exact: a
//! signer can add a torsion point to `R` (valid under cofactored verification only), and
//! dalek's batch coefficients, derived from the batch itself, cancel it one time in two to
//! eight — and can be ground. A failing batch is re-checked entry by entry with
//! `verify_strict`, so findings name exactly the bad lines.
//!
//! The subgroup check on `R` is point halving (`super::subgroup`, measured 1.8–2.0× faster
//! than curve25519-dalek's `[ℓ]R`), yet it still costs about what the batch saves: on one
//! core exact batches checked 0.94× and 1.02× the entries per second of `verify_strict`
//! (BENCHMARKS.md#signed-log, busy machine), no clear win, so `log verify` keeps
//! [`SigMode::Strict`] on every core (`crate::log::verify::DEFAULT_SIG_MODE`).

use std::collections::HashMap;

use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};

/// Signatures per `verify_batch` call: big enough to amortise the multiscalar
/// multiplication, small enough that one bad signature costs few `verify_strict` re-checks.
pub const BATCH: usize = 128;

/// One signature to check: the decoded key (`None`: the key bytes are not a point), the
/// 64 signature bytes and the exact bytes signed (PROTOCOL.sshsig signed data).
#[derive(Debug, Clone)]
pub struct SigJob {
    pub key: Option<VerifyingKey>,
    pub signature: [u8; 64],
    pub msg: Vec<u8>,
}

impl SigJob {
    /// The reference verdict: ed25519-dalek `verify_strict`.
    pub fn verify_strict(&self) -> bool {
        self.key.is_some_and(|k| {
            k.verify_strict(&self.msg, &Signature::from_bytes(&self.signature))
                .is_ok()
        })
    }
}

/// How signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigMode {
    /// Each signature alone with `verify_strict` (the reference).
    Strict,
    /// Batches of [`BATCH`] after the checks above, falling back to `verify_strict`.
    Batch,
}

/// Whether a key may go into a batch, cached per key bytes.
#[derive(Debug, Default, Clone)]
pub struct KeyFacts(HashMap<[u8; 32], bool>);

impl KeyFacts {
    fn batchable(&mut self, key: &VerifyingKey) -> bool {
        *self.0.entry(key.to_bytes()).or_insert_with(|| {
            let p = key.to_edwards();
            canonical_point_bytes(key.as_bytes()) && !p.is_small_order() && p.is_torsion_free()
        })
    }
}

/// `y < p` for the 255-bit `y` of an encoding (p = 2^255 − 19). The one other
/// non-canonical form, x = 0 with the sign bit set, only exists for y = ±1, points of small
/// order, which are refused separately.
fn canonical_point_bytes(b: &[u8; 32]) -> bool {
    !(b[31] & 0x7f == 0x7f && b[1..31].iter().all(|&x| x == 0xff) && b[0] >= 0xed)
}

/// `s < ℓ`, `R` canonical and of order ℓ (`super::subgroup`: point halving, a fraction of
/// the cost of curve25519-dalek's `[ℓ]R`).
fn signature_batchable(sig: &[u8; 64]) -> bool {
    let mut s = [0u8; 32];
    s.copy_from_slice(&sig[32..]);
    if Scalar::from_canonical_bytes(s).is_none().into() {
        return false;
    }
    let mut r = [0u8; 32];
    r.copy_from_slice(&sig[..32]);
    // An `R` that names no point passes this (any answer), and `verify_batch` refuses it
    // when it decodes `R`: the batch is then re-checked by `verify_strict`.
    canonical_point_bytes(&r) && super::subgroup::has_prime_order_if_point(&r)
}

/// The verdict of every job, equal to `verify_strict` of each (see the module docs).
pub fn verify_all(jobs: &[&SigJob], mode: SigMode, keys: &mut KeyFacts) -> Vec<bool> {
    let mut ok = vec![false; jobs.len()];
    if mode == SigMode::Strict {
        for (o, j) in ok.iter_mut().zip(jobs) {
            *o = j.verify_strict();
        }
        return ok;
    }
    let mut batchable = Vec::with_capacity(jobs.len());
    for (i, j) in jobs.iter().enumerate() {
        match j.key {
            Some(k) if keys.batchable(&k) && signature_batchable(&j.signature) => batchable.push(i),
            _ => ok[i] = j.verify_strict(),
        }
    }
    for chunk in batchable.chunks(BATCH) {
        let msgs: Vec<&[u8]> = chunk.iter().map(|&i| jobs[i].msg.as_slice()).collect();
        let sigs: Vec<Signature> = chunk
            .iter()
            .map(|&i| Signature::from_bytes(&jobs[i].signature))
            .collect();
        let vks: Vec<VerifyingKey> = chunk.iter().filter_map(|&i| jobs[i].key).collect();
        if ed25519_dalek::verify_batch(&msgs, &sigs, &vks).is_ok() {
            for &i in chunk {
                ok[i] = true;
            }
        } else {
            // Which one failed: each alone, so the findings name exactly the bad lines.
            for &i in chunk {
                ok[i] = jobs[i].verify_strict();
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use sha2::{Digest, Sha512};

    /// The secret scalar of the ed25519 seed (RFC 8032 5.1.5).
    fn secret(seed: [u8; 32]) -> Scalar {
        let h = Sha512::digest(seed);
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

    /// A signature with the given `R` bytes and `s = r + k·a` (k over those bytes).
    fn raw(a: Scalar, key: &[u8; 32], r_bytes: [u8; 32], r: Scalar, m: &[u8]) -> [u8; 64] {
        let s = r + k(&r_bytes, key, m) * a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }

    fn job(key: [u8; 32], signature: [u8; 64], m: &[u8]) -> SigJob {
        SigJob {
            key: VerifyingKey::from_bytes(&key).ok(),
            signature,
            msg: m.to_vec(),
        }
    }

    fn dalek_batch(j: &SigJob) -> bool {
        ed25519_dalek::verify_batch(
            &[&j.msg],
            &[Signature::from_bytes(&j.signature)],
            &[j.key.unwrap()],
        )
        .is_ok()
    }

    const SEED: [u8; 32] = [3; 32];

    /// Good signatures around one crafted one: the verdicts of `verify_all` in batch mode
    /// equal `verify_strict`'s, whatever the crafted one's place in its batch.
    fn assert_exact(bad: &SigJob, expect: bool) {
        assert_eq!(bad.verify_strict(), expect, "the reference verdict");
        let sk = ed25519_dalek::SigningKey::from_bytes(&SEED);
        use ed25519_dalek::Signer as _;
        let good: Vec<SigJob> = (0..300u32)
            .map(|i| {
                let m = i.to_le_bytes();
                job(sk.verifying_key().to_bytes(), sk.sign(&m).to_bytes(), &m)
            })
            .collect();
        for at in [0, 77, 127, 128, 299] {
            let mut all: Vec<&SigJob> = good.iter().collect();
            all.insert(at, bad);
            let got = verify_all(&all, SigMode::Batch, &mut KeyFacts::default());
            let want: Vec<bool> = all.iter().map(|j| j.verify_strict()).collect();
            assert_eq!(got, want, "crafted signature at {at}");
            assert_eq!(got[at], expect);
            assert_eq!(got.iter().filter(|&&b| !b).count(), usize::from(!expect));
        }
    }

    #[test]
    fn torsion_in_r_passes_dalek_batch_but_not_ours() {
        // R + T with T of order 2: valid under cofactored verification only. dalek's
        // batch accepts it whenever its coefficient is even; grind until it does.
        let a = secret(SEED);
        let key = (B * a).compress().to_bytes();
        let t2 = EIGHT_TORSION[4];
        assert!(!t2.is_identity_point() && (t2 + t2).is_identity_point());
        let m = b"torsion";
        let mut found = false;
        for i in 1..64u64 {
            let r = Scalar::from(i * 7919);
            let rb = (B * r + t2).compress().to_bytes();
            let j = job(key, raw(a, &key, rb, r, m), m);
            if dalek_batch(&j) {
                assert!(!j.verify_strict());
                assert_exact(&j, false);
                found = true;
                break;
            }
        }
        assert!(found, "no grind found a batch-accepted torsion signature");
    }

    #[test]
    fn order_eight_torsion_in_r_is_rejected() {
        let a = secret(SEED);
        let key = (B * a).compress().to_bytes();
        let r = Scalar::from(12345u64);
        let rb = (B * r + EIGHT_TORSION[1]).compress().to_bytes();
        let m = b"torsion8";
        assert_exact(&job(key, raw(a, &key, rb, r, m), m), false);
    }

    #[test]
    fn small_order_r_and_non_canonical_r_are_rejected() {
        let a = secret(SEED);
        let key = (B * a).compress().to_bytes();
        let m = b"small r";
        // R = identity, s = k·a: the equation holds exactly, so dalek's batch accepts.
        let mut id = [0u8; 32];
        id[0] = 1;
        // The identity as y = p + 1, and with the sign bit of x = 0 set.
        let mut id_p1 = [0xffu8; 32];
        id_p1[0] = 0xee;
        id_p1[31] = 0x7f;
        let mut id_neg = id;
        id_neg[31] = 0x80;
        for rb in [id, id_p1, id_neg] {
            let j = job(key, raw(a, &key, rb, Scalar::ZERO, m), m);
            assert!(dalek_batch(&j), "dalek's batch alone accepts {rb:?}");
            assert_exact(&j, false);
        }
        // A non-canonical encoding (y = p + 2) of a point that is not of small order.
        let mut y2 = [0xffu8; 32];
        y2[0] = 0xef;
        y2[31] = 0x7f;
        if let Some(p) = CompressedEdwardsY(y2).decompress() {
            assert!(!p.is_small_order());
        }
        assert_exact(&job(key, raw(a, &key, y2, Scalar::ONE, m), m), false);
    }

    #[test]
    fn r_naming_no_point_is_rejected_even_when_the_shortcut_passes_it() {
        // y = 11 names no point, yet the subgroup test without its on-curve check says
        // yes: the signature goes into a batch, which `verify_batch` must refuse.
        let mut rb = [0u8; 32];
        rb[0] = 11;
        assert!(CompressedEdwardsY(rb).decompress().is_none());
        assert!(signature_batchable(&{
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&rb);
            sig
        }));
        let a = secret(SEED);
        let key = (B * a).compress().to_bytes();
        let m = b"no point";
        assert_exact(&job(key, raw(a, &key, rb, Scalar::ONE, m), m), false);
    }

    #[test]
    fn s_not_below_l_is_rejected() {
        use ed25519_dalek::Signer as _;
        let sk = ed25519_dalek::SigningKey::from_bytes(&SEED);
        let m = b"s + l";
        let mut sig = sk.sign(m).to_bytes();
        // s + ℓ, little-endian (ℓ = 2^252 + 27742317777372353535851937790883648493).
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        assert_eq!(Scalar::from_bytes_mod_order(l), Scalar::ZERO);
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(sig[32 + i]) + u16::from(l[i]) + carry;
            sig[32 + i] = v as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0);
        assert_exact(&job(sk.verifying_key().to_bytes(), sig, m), false);
    }

    #[test]
    fn small_order_key_is_rejected_mixed_order_key_accepted_like_strict() {
        let m = b"keys";
        // A = identity: R = [r]B, s = r satisfies the equation; dalek's batch accepts.
        let mut id = [0u8; 32];
        id[0] = 1;
        let r = Scalar::from(99u64);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&(B * r).compress().to_bytes());
        sig[32..].copy_from_slice(r.as_bytes());
        let j = job(id, sig, m);
        assert!(dalek_batch(&j));
        assert_exact(&j, false);
        // A = [a]B + T2 (not of small order): verify_strict accepts a signature whose k is
        // even. The batch path must accept it too (it goes to verify_strict).
        let a = secret(SEED);
        let key = (B * a + EIGHT_TORSION[4]).compress().to_bytes();
        let found = (1..64u64).any(|i| {
            let r = Scalar::from(i);
            let rb = (B * r).compress().to_bytes();
            let j = job(key, raw(a, &key, rb, r, m), m);
            if j.verify_strict() {
                assert_exact(&j, true);
                true
            } else {
                false
            }
        });
        assert!(found);
    }

    #[test]
    fn one_bad_signature_in_a_good_batch_is_named() {
        use ed25519_dalek::Signer as _;
        let sk = ed25519_dalek::SigningKey::from_bytes(&SEED);
        let sig = sk.sign(b"other message").to_bytes();
        assert_exact(
            &job(sk.verifying_key().to_bytes(), sig, b"this message"),
            false,
        );
        assert_exact(
            &job(
                sk.verifying_key().to_bytes(),
                sk.sign(b"ok").to_bytes(),
                b"ok",
            ),
            true,
        );
    }

    trait IsId {
        fn is_identity_point(&self) -> bool;
    }
    impl IsId for EdwardsPoint {
        fn is_identity_point(&self) -> bool {
            use curve25519_dalek::traits::IsIdentity;
            self.is_identity()
        }
    }
}
