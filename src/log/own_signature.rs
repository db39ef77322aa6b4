//! The appender's check of each line it signs before writing it
//! (docs/signed-log.md#appending): exactly `verify_strict`'s verdict at well under half its
//! cost, because the appender holds the secret key.
//!
//! `verify_strict` decodes `R`, computes `[s]B − [k]A` with `k = SHA-512(R ‖ A ‖ M)` (a
//! double-base multiplication) and compares its encoding with `R`'s bytes. Under one's own
//! key `A = [a]B`, so `[s]B − [k]A = [s − k·a]B`: one fixed-base multiplication, and no
//! decoding of `R`. The verdicts are equal:
//!
//! - `s ≥ ℓ`: both refuse.
//! - The encodings are equal: then `R`'s bytes are the canonical encoding of a point of the
//!   prime-order subgroup, so `R` decodes, and it is of small order only if it is the
//!   identity, which both refuse; `A` has order ℓ (`a ≢ 0 mod ℓ`). `verify_strict` accepts.
//! - They differ: `verify_strict` compares the same two encodings and refuses.
//! - `a ≡ 0 mod ℓ` (`A` the identity, a weak key `verify_strict` refuses whatever the
//!   signature) and any signature under another key: `verify_strict` itself.
//!
//! The check recomputes `R` from `s` along another path than signing took (signing made
//! `[r]B` from its nonce), so a signature computed wrong — a fault in the machine, a bug —
//! is refused before it is written, as a verification would refuse it.

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use zeroize::Zeroizing;

use super::batch::{SigJob, challenge};

/// `job.verify_strict()`, computed with `secret` when `job` is under `public`, which must
/// be the encoding of `[secret]B` (`super::keys::Signer::verifies` passes its own pair).
pub fn verify_own(job: &SigJob, secret: &Scalar, public: &[u8; 32]) -> bool {
    if job.key.map(|k| k.to_bytes()) != Some(*public) || *secret == Scalar::ZERO {
        return job.verify_strict();
    }
    let sig = &job.signature;
    let mut s = [0u8; 32];
    s.copy_from_slice(&sig[32..]);
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    // s − k·a is the signing nonce (with it, `s` gives away `a`): wiped after use.
    let nonce = Zeroizing::new(s - challenge(&sig[..32], public, &job.msg) * secret);
    let r = EdwardsPoint::mul_base(&nonce);
    !r.is_identity() && r.compress().as_bytes()[..] == sig[..32]
}

#[cfg(test)]
mod tests {
    use super::super::batch::crafted::{add_l_to_s, job, raw, secret};
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::traits::Identity;
    use ed25519_dalek::{Signer as _, SigningKey};
    use proptest::prelude::*;

    const SEED: [u8; 32] = [5; 32];

    fn own() -> (SigningKey, Scalar, [u8; 32]) {
        let sk = SigningKey::from_bytes(&SEED);
        let a = sk.to_scalar();
        assert_eq!(a, secret(SEED), "ed25519-dalek's scalar is RFC 8032's");
        let public = sk.verifying_key().to_bytes();
        assert_eq!(EdwardsPoint::mul_base(&a).compress().to_bytes(), public);
        (sk, a, public)
    }

    /// The verdict, asserted equal to `verify_strict`'s.
    fn exact(j: &SigJob, a: &Scalar, public: &[u8; 32]) -> bool {
        let got = verify_own(j, a, public);
        assert_eq!(got, j.verify_strict(), "signature {:02x?}", j.signature);
        got
    }

    #[test]
    fn own_signatures_pass_and_every_bit_flip_fails_like_strict() {
        let (sk, a, public) = own();
        let m = b"one decision line's signed data".as_slice();
        let good = sk.sign(m).to_bytes();
        assert!(exact(&job(public, good, m), &a, &public));
        for bit in 0..512 {
            let mut bad = good;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(!exact(&job(public, bad, m), &a, &public), "bit {bit}");
        }
        let mut other = m.to_vec();
        other[0] ^= 1;
        assert!(!exact(&job(public, good, &other), &a, &public));
    }

    #[test]
    fn identity_r_with_a_balanced_equation_is_refused() {
        // R = identity, s = k·a: [s]B − [k]A is the identity, whose encoding is R's bytes.
        // The encodings agree; only the small-order rule refuses it.
        let (_, a, public) = own();
        let m = b"m".as_slice();
        let id = CompressedEdwardsY::identity().to_bytes();
        let sig = raw(a, &public, id, Scalar::ZERO, m);
        assert!(!exact(&job(public, sig, m), &a, &public));
        // The same with the identity's non-canonical encoding y = 1 + p.
        let mut id_plus_p = [0xff; 32];
        id_plus_p[0] = 0xee;
        id_plus_p[31] = 0x7f;
        let sig = raw(a, &public, id_plus_p, Scalar::ZERO, m);
        assert!(!exact(&job(public, sig, m), &a, &public));
    }

    #[test]
    fn torsion_and_small_order_r_and_non_canonical_s_are_refused() {
        let (_, a, public) = own();
        let m = b"m".as_slice();
        let r = Scalar::from(12345u64);
        for t in EIGHT_TORSION {
            // R of small order with the equation balanced for it, and R with torsion.
            let sig = raw(a, &public, t.compress().to_bytes(), Scalar::ZERO, m);
            assert!(!exact(&job(public, sig, m), &a, &public));
            let rt = (B * r + t).compress().to_bytes();
            let sig = raw(a, &public, rt, r, m);
            assert_eq!(exact(&job(public, sig, m), &a, &public), t.is_identity());
        }
        // s + ℓ: the same point, a non-canonical scalar.
        let rb = (B * r).compress().to_bytes();
        let mut sig = raw(a, &public, rb, r, m);
        assert!(exact(&job(public, sig, m), &a, &public));
        add_l_to_s(&mut sig);
        assert!(!exact(&job(public, sig, m), &a, &public));
    }

    #[test]
    fn another_keys_jobs_and_a_zero_secret_get_verify_strict() {
        let (_, a, public) = own();
        let other = SigningKey::from_bytes(&[6; 32]);
        let m = b"m".as_slice();
        let theirs = job(
            other.verifying_key().to_bytes(),
            other.sign(m).to_bytes(),
            m,
        );
        assert!(exact(&theirs, &a, &public));
        // Their signature presented under our key.
        let mislabelled = job(public, other.sign(m).to_bytes(), m);
        assert!(!exact(&mislabelled, &a, &public));
        // A = identity (a ≡ 0): R = [r]B, s = r balances [s]B − [k]A = R, and
        // `verify_strict` refuses the weak key; so must this.
        let id = CompressedEdwardsY::identity().to_bytes();
        let r = Scalar::from(77u64);
        let sig = raw(Scalar::ZERO, &id, (B * r).compress().to_bytes(), r, m);
        assert!(!exact(&job(id, sig, m), &Scalar::ZERO, &id));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_message_and_byte_change_gets_strict_verdict(
            m in proptest::collection::vec(any::<u8>(), 0..300),
            at in 0usize..64,
            x in any::<u8>(),
        ) {
            let (sk, a, public) = own();
            let mut sig = sk.sign(&m).to_bytes();
            prop_assert!(exact(&job(public, sig, &m), &a, &public));
            sig[at] ^= x;
            prop_assert_eq!(exact(&job(public, sig, &m), &a, &public), x == 0);
        }
    }
}
