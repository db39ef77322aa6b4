//! Signature checks of many entries at once (docs/signed-log.md#batch-verification), with
//! exactly the verdicts of per-entry `verify_strict`.
//!
//! A batch checks one random linear combination of the equations `[s]B = R + [k]A`,
//! without the cofactor ([`batch_equation_holds`]). That skips what `verify_strict` checks
//! besides the equation, so every signature is first sorted:
//!
//! - **batchable**: `s < ℓ`; `R` canonically encoded, a point, not of small order and in
//!   the prime-order subgroup; the key decodes, is canonical, not of small order and in the
//!   prime-order subgroup (key facts are cached: a log has few signers);
//! - everything else is decided by `verify_strict` alone.
//!
//! For a batchable signature every term of the equation lies in the prime-order subgroup,
//! so its residual `[s]B − R − [k]A` is zero (what `verify_strict` accepts: it compares the
//! encoding of `[s]B − [k]A` with `R`'s bytes, the canonical encoding of that point) or of
//! order ℓ, where a combination with fresh random 128-bit coefficients vanishes with
//! probability at most 2⁻¹²⁸. Without the subgroup check on `R` it would not be exact: a
//! signer can add a torsion point to `R` (valid under cofactored verification only), which
//! a random combination cancels one time in two to eight (and ed25519-dalek's
//! `verify_batch`, whose coefficients are derived from the batch, can be ground until it
//! does: tested below). A failing batch is re-checked entry by entry with `verify_strict`,
//! so findings name exactly the bad lines.
//!
//! The equation is built here on curve25519-dalek's public multiscalar multiplication
//! rather than with `ed25519_dalek::verify_batch`: `R` is decoded once (the decoding is the
//! on-curve check the halving test in `super::subgroup` leaves out, and its point is the
//! equation's term), the coefficients come from the operating system's CSPRNG, and all
//! signatures of one key share one point (`Σ zᵢkᵢ` on `A`), so a batch of n signatures
//! by a few signers is a multiscalar multiplication of about n points instead of 2n.
//! The per-core speed against `verify_strict` is in BENCHMARKS.md#signed-log.

use std::collections::HashMap;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

/// Signatures per batch equation: big enough to amortise the multiscalar multiplication
/// (from about 190 points curve25519-dalek switches to Pippenger's method, measured about a
/// third cheaper per signature than 128 signatures with Straus's), small enough that one
/// bad signature costs few `verify_strict` re-checks.
pub const BATCH: usize = 256;

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

/// `s < ℓ`, `R` canonical and decoded: `R` and `s` for the batch equation if `R` also
/// has order ℓ (`super::subgroup`, checked for many at once by the caller).
fn signature_decoded(sig: &[u8; 64]) -> Option<(EdwardsPoint, Scalar)> {
    let mut s = [0u8; 32];
    s.copy_from_slice(&sig[32..]);
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s))?;
    let r = r_bytes(sig);
    if !canonical_point_bytes(&r) {
        return None;
    }
    // `decompress` is the on-curve check that the halving test leaves out; the point is
    // the batch equation's term, decoded once.
    Some((CompressedEdwardsY(r).decompress()?, s))
}

fn r_bytes(sig: &[u8; 64]) -> [u8; 32] {
    let mut r = [0u8; 32];
    r.copy_from_slice(&sig[..32]);
    r
}

/// `k = SHA-512(R ‖ A ‖ M) mod ℓ`, as `verify_strict` computes it (RFC 8032 5.1.7).
pub(super) fn challenge(r: &[u8], key: &[u8; 32], msg: &[u8]) -> Scalar {
    let h: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(key)
        .chain_update(msg)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&h)
}

/// One batchable signature: its job's index, `R`, `s`, `k` and its key.
struct Term {
    at: usize,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
    key: VerifyingKey,
}

/// Whether `Σ zᵢ([sᵢ]B − Rᵢ − [kᵢ]Aᵢ) = 0` for fresh random 128-bit `zᵢ` (from the
/// operating system's CSPRNG, never derived from the batch, so no signer can aim at
/// them). Every term is in the prime-order subgroup, so each `[sᵢ]B − Rᵢ − [kᵢ]Aᵢ` is
/// zero or of order ℓ, and a nonzero one makes the sum vanish for at most one value of its
/// `zᵢ` mod ℓ: probability ≤ 2⁻¹²⁸. Terms of one key share one point in the
/// multiscalar multiplication (`Σ zᵢkᵢ` on `A`): a log has few signers. `false` also when
/// no random bytes could be had (the caller then checks each signature alone).
fn batch_equation_holds(terms: &[Term]) -> bool {
    let mut random = vec![0u8; 16 * terms.len()];
    if getrandom::fill(&mut random).is_err() {
        return false;
    }
    let mut scalars = Vec::with_capacity(terms.len() + 9);
    let mut points = Vec::with_capacity(terms.len() + 9);
    let mut b = Scalar::ZERO;
    // (key bytes, index of its coefficient in `scalars`)
    let mut keys: Vec<([u8; 32], usize)> = Vec::new();
    let mut key_terms: Vec<(Scalar, EdwardsPoint)> = Vec::new();
    for (t, z) in terms.iter().zip(random.chunks_exact(16)) {
        let mut zb = [0u8; 16];
        zb.copy_from_slice(z);
        let z = Scalar::from(u128::from_le_bytes(zb));
        b += z * t.s;
        scalars.push(-z);
        points.push(t.r);
        let zk = -(z * t.k);
        match keys.iter().find(|(k, _)| k == t.key.as_bytes()) {
            Some(&(_, i)) => key_terms[i].0 += zk,
            None => {
                keys.push((t.key.to_bytes(), key_terms.len()));
                key_terms.push((zk, t.key.to_edwards()));
            }
        }
    }
    for (c, p) in key_terms {
        scalars.push(c);
        points.push(p);
    }
    scalars.push(b);
    points.push(ED25519_BASEPOINT_POINT);
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
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
    // Batchable so far: key facts, `s < ℓ`, `R` canonical and a point.
    let mut decoded = Vec::with_capacity(jobs.len());
    for (at, j) in jobs.iter().enumerate() {
        let d = j.key.filter(|k| keys.batchable(k)).and_then(|key| {
            let (r, s) = signature_decoded(&j.signature)?;
            Some((at, key, r, s))
        });
        match d {
            Some(d) => decoded.push(d),
            None => ok[at] = j.verify_strict(),
        }
    }
    // And `R` of order ℓ, many tests side by side.
    let rs: Vec<[u8; 32]> = decoded
        .iter()
        .map(|d| r_bytes(&jobs[d.0].signature))
        .collect();
    let prime = super::subgroup::has_prime_order_if_point_many(&rs);
    let mut terms = Vec::with_capacity(decoded.len());
    for ((at, key, r, s), prime) in decoded.into_iter().zip(prime) {
        let j = jobs[at];
        if prime {
            let k = challenge(&j.signature[..32], key.as_bytes(), &j.msg);
            terms.push(Term { at, r, s, k, key });
        } else {
            ok[at] = j.verify_strict();
        }
    }
    for chunk in terms.chunks(BATCH) {
        if batch_equation_holds(chunk) {
            for t in chunk {
                ok[t.at] = true;
            }
        } else {
            // Which one failed: each alone, so the findings name exactly the bad lines.
            for t in chunk {
                ok[t.at] = jobs[t.at].verify_strict();
            }
        }
    }
    ok
}

/// Signatures made by hand for the exactness tests (here and in `super::own_signature`):
/// any `R` bytes, any `s`.
#[cfg(test)]
pub(super) mod crafted {
    use super::*;

    /// The secret scalar of the ed25519 seed (RFC 8032 5.1.5).
    pub fn secret(seed: [u8; 32]) -> Scalar {
        let h = Sha512::digest(seed);
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        Scalar::from_bytes_mod_order(a)
    }

    pub fn k(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
        let h: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(a)
            .chain_update(m)
            .finalize()
            .into();
        Scalar::from_bytes_mod_order_wide(&h)
    }

    /// A signature with the given `R` bytes and `s = r + k·a` (k over those bytes).
    pub fn raw(a: Scalar, key: &[u8; 32], r_bytes: [u8; 32], r: Scalar, m: &[u8]) -> [u8; 64] {
        let s = r + k(&r_bytes, key, m) * a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }

    /// `s ← s + ℓ`: the same signature with a non-canonical `s` (ℓ = 2^252 +
    /// 27742317777372353535851937790883648493, little-endian below).
    pub fn add_l_to_s(sig: &mut [u8; 64]) {
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
    }

    pub fn job(key: [u8; 32], signature: [u8; 64], m: &[u8]) -> SigJob {
        SigJob {
            key: VerifyingKey::from_bytes(&key).ok(),
            signature,
            msg: m.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::crafted::{add_l_to_s, job, raw, secret};
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};

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
        for at in [0, 77, 255, 256, 299] {
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
        // yes: the decoding before it keeps the signature out of the batch.
        let mut rb = [0u8; 32];
        rb[0] = 11;
        assert!(CompressedEdwardsY(rb).decompress().is_none());
        assert!(super::super::subgroup::has_prime_order_if_point(&rb));
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&rb);
        assert!(signature_decoded(&sig).is_none());
        let a = secret(SEED);
        let key = (B * a).compress().to_bytes();
        let m = b"no point";
        assert_exact(&job(key, raw(a, &key, rb, Scalar::ONE, m), m), false);
    }

    /// Good signatures of three keys, interleaved, as batch terms.
    fn good_terms(n: u32) -> Vec<Term> {
        use ed25519_dalek::Signer as _;
        let sks: Vec<_> = (1..=3u8)
            .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]))
            .collect();
        (0..n)
            .map(|i| {
                let sk = &sks[i as usize % 3];
                let m = i.to_le_bytes();
                let sig = sk.sign(&m).to_bytes();
                let key = sk.verifying_key();
                let (r, s) = signature_decoded(&sig).expect("batchable");
                let k = challenge(&sig[..32], key.as_bytes(), &m);
                Term {
                    at: i as usize,
                    r,
                    s,
                    k,
                    key,
                }
            })
            .collect()
    }

    #[test]
    fn the_batch_equation_holds_for_good_signatures_of_several_keys() {
        // Not only the fallback: the equation itself accepts good batches (with keys
        // sharing one coefficient) and refuses any one wrong term.
        let terms = good_terms(BATCH as u32);
        assert!(batch_equation_holds(&terms));
        assert!(batch_equation_holds(&terms[..1]));
        let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        for at in [0, 1, 64, BATCH - 1] {
            let mut bad = good_terms(BATCH as u32);
            bad[at].s += Scalar::ONE;
            assert!(!batch_equation_holds(&bad), "s + 1 at {at}");
            let mut bad = good_terms(BATCH as u32);
            bad[at].k += Scalar::ONE;
            assert!(!batch_equation_holds(&bad), "another message at {at}");
            let mut bad = good_terms(BATCH as u32);
            bad[at].r += B;
            assert!(!batch_equation_holds(&bad), "R + B at {at}");
            let mut bad = good_terms(BATCH as u32);
            bad[at].key = other;
            assert!(!batch_equation_holds(&bad), "another key at {at}");
            // The signature of key 1 claimed by key 2 (both in the batch).
            let mut bad = good_terms(BATCH as u32);
            let next = if at + 1 < BATCH { at + 1 } else { at - 1 };
            assert_ne!(bad[at].key, bad[next].key);
            bad[at].key = bad[next].key;
            assert!(!batch_equation_holds(&bad), "a neighbour's key at {at}");
        }
    }

    #[test]
    fn a_signature_under_another_signers_key_in_the_batch_is_named() {
        use ed25519_dalek::Signer as _;
        let a = ed25519_dalek::SigningKey::from_bytes(&SEED);
        let b = ed25519_dalek::SigningKey::from_bytes(&[4; 32]);
        // Signed by b, presented under a's key, while a's key signs the other entries.
        let m = b"whose";
        assert_exact(
            &job(a.verifying_key().to_bytes(), b.sign(m).to_bytes(), m),
            false,
        );
        // Presented under b's key, in a batch of a's: fine.
        assert_exact(
            &job(b.verifying_key().to_bytes(), b.sign(m).to_bytes(), m),
            true,
        );
    }

    #[test]
    fn s_not_below_l_is_rejected() {
        use ed25519_dalek::Signer as _;
        let sk = ed25519_dalek::SigningKey::from_bytes(&SEED);
        let m = b"s + l";
        let mut sig = sk.sign(m).to_bytes();
        add_l_to_s(&mut sig);
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
