//! Is an encoded Ed25519 point of prime order ℓ? Answered by point halving with square
//! roots and Legendre symbols (T. Pornin, "Point-halving and subgroup membership in twisted
//! Edwards curves", IACR ePrint 2022/1164) instead of curve25519-dalek's `[ℓ]P`
//! (`is_torsion_free`): five field exponentiations instead of a 253-bit scalar
//! multiplication, on every signature's `R` in exact batch verification (`super::batch`).
//!
//! Why it is exact. The curve −x² + y² = 1 + d·x²y² over GF(p), p = 2^255 − 19, has
//! 8ℓ points and its group is cyclic (its 2-part is the cyclic group of the 8 torsion
//! points), so P has order dividing ℓ exactly when P = [8]Q for some Q, i.e. when P can be
//! halved three times. For a point (X, Y):
//!
//! 1. Doubling gives X = 2xy/(y² − x²), so 1 + X² = ((x² + y²)/(y² − x²))² is a square:
//!    a point that is a double has 1 + X² a square, and conversely, with s² = 1 + X², a
//!    half (x, y) is x = y·X/(1 + s), y² = Y(1 + s)/(s + Y), for the sign of s that makes
//!    the latter a square (the two choices multiply to −1/d, a non-square, so exactly one
//!    does). The two rational halves differ by (0, −1), which is [4] of a point of order
//!    8, so whether a half is a double or a quadruple does not depend on the choice.
//! 2. The half Q = (x, y) then has 1 + x² = s(1 + Y)/(s + Y): Q is itself a double
//!    exactly when that is a square (its root s_Q).
//! 3. Q is a quadruple exactly when χ(s_Q · y · (1 + s_Q) · (1 + y)) = 1 (χ the Legendre
//!    symbol): step 1 applied to Q, with the sign choice and step 2's test folded into one
//!    symbol (for the two signs both factors flip).
//!
//! So P = [8]·something ⇔ steps 1–3 succeed. The formulas divide only by quantities that
//! vanish at the eight small-order points, which are refused first (they are not of order
//! ℓ; the identity is of order 1). `tests::agrees_with_dalek_*` compare every answer with
//! `decompress` + `is_torsion_free` on points of order ℓ, the same plus each torsion
//! point, the torsion points alone, random points and random bytes.
//!
//! [`has_prime_order_if_point`] leaves out the on-curve check (four exponentiations) for
//! callers whose bytes are decoded and refused elsewhere if they name no point.
//!
//! Field arithmetic is fiat-crypto's verified GF(2^255 − 19) (the backend curve25519-dalek
//! itself can use); this file only strings its operations together, except that the
//! exponentiations of [`has_prime_order_if_point_many`] run sixteen at a time in SIMD lanes
//! (`super::field_lanes`, checked against the scalar chain here). Not constant time:
//! it judges public data (signatures in a log).

use fiat_crypto::curve25519_64 as f;

use super::field_lanes;

#[derive(Clone, Copy)]
struct Fe(f::fiat_25519_tight_field_element);

impl Fe {
    const fn from_bytes(b: &[u8; 32]) -> Fe {
        let mut b = *b;
        b[31] &= 0x7f;
        let mut o = f::fiat_25519_tight_field_element([0; 5]);
        f::fiat_25519_from_bytes(&mut o, &b);
        Fe(o)
    }
    fn bytes(&self) -> [u8; 32] {
        let mut o = [0u8; 32];
        f::fiat_25519_to_bytes(&mut o, &self.0);
        o
    }
    fn loose(&self) -> f::fiat_25519_loose_field_element {
        let mut o = f::fiat_25519_loose_field_element([0; 5]);
        f::fiat_25519_relax(&mut o, &self.0);
        o
    }
    fn tight(l: &f::fiat_25519_loose_field_element) -> Fe {
        let mut o = f::fiat_25519_tight_field_element([0; 5]);
        f::fiat_25519_carry(&mut o, l);
        Fe(o)
    }
    fn mul(&self, b: &Fe) -> Fe {
        let mut o = f::fiat_25519_tight_field_element([0; 5]);
        f::fiat_25519_carry_mul(&mut o, &self.loose(), &b.loose());
        Fe(o)
    }
    fn sq(&self) -> Fe {
        let mut o = f::fiat_25519_tight_field_element([0; 5]);
        f::fiat_25519_carry_square(&mut o, &self.loose());
        Fe(o)
    }
    /// `self^(2^k)`.
    fn sq_n(&self, k: u32) -> Fe {
        let mut t = *self;
        for _ in 0..k {
            t = t.sq();
        }
        t
    }
    fn add(&self, b: &Fe) -> Fe {
        let mut o = f::fiat_25519_loose_field_element([0; 5]);
        f::fiat_25519_add(&mut o, &self.0, &b.0);
        Fe::tight(&o)
    }
    fn sub(&self, b: &Fe) -> Fe {
        let mut o = f::fiat_25519_loose_field_element([0; 5]);
        f::fiat_25519_sub(&mut o, &self.0, &b.0);
        Fe::tight(&o)
    }
    fn neg(&self) -> Fe {
        let mut o = f::fiat_25519_loose_field_element([0; 5]);
        f::fiat_25519_opp(&mut o, &self.0);
        Fe::tight(&o)
    }
    fn eq(&self, b: &Fe) -> bool {
        self.bytes() == b.bytes()
    }
    /// `self^((p − 5)/8) = self^(2^252 − 3)` (the addition chain of ref10 and dalek).
    fn pow_p58(&self) -> Fe {
        let z = *self;
        let z2 = z.sq();
        let z9 = z2.sq_n(2).mul(&z);
        let z11 = z9.mul(&z2);
        let e5 = z11.sq().mul(&z9); // 2^5 − 1
        let e10 = e5.sq_n(5).mul(&e5);
        let e20 = e10.sq_n(10).mul(&e10);
        let e40 = e20.sq_n(20).mul(&e20);
        let e50 = e40.sq_n(10).mul(&e10);
        let e100 = e50.sq_n(50).mul(&e50);
        let e200 = e100.sq_n(100).mul(&e100);
        let e250 = e200.sq_n(50).mul(&e50);
        e250.sq_n(2).mul(&z)
    }
    /// The Legendre symbol is 1: `self^((p − 1)/2) = 1`, with (p − 1)/2 = 4·(p − 5)/8 + 2.
    fn is_nonzero_square(&self) -> bool {
        self.is_nonzero_square_given(&self.pow_p58())
    }
    /// [`Fe::is_nonzero_square`] from `p58 = self.pow_p58()`.
    fn is_nonzero_square_given(&self, p58: &Fe) -> bool {
        p58.sq_n(2).mul(&self.sq()).eq(&ONE)
    }
    /// `(u·v³, u·v⁷)`: the second raised to (p − 5)/8 gives [`sqrt_ratio_lanes`] its root.
    fn sqrt_ratio_terms(u: &Fe, v: &Fe) -> (Fe, Fe) {
        let v3 = v.sq().mul(v);
        let v7 = v3.sq().mul(v);
        (u.mul(&v3), u.mul(&v7))
    }
    /// [`sqrt_ratio_lanes`] of one lane, from its terms and `p58 = (u·v⁷)^((p − 5)/8)`.
    fn sqrt_ratio_given(u: &Fe, v: &Fe, uv3: &Fe, p58: &Fe) -> (bool, Fe) {
        let r = uv3.mul(p58);
        let check = v.mul(&r.sq());
        if check.eq(u) {
            (true, r)
        } else if check.eq(&u.neg()) {
            (true, r.mul(&SQRT_M1))
        } else if check.eq(&u.mul(&SQRT_M1).neg()) {
            // v·r² = −i·u: (r·i)² = i·u/v.
            (false, r.mul(&SQRT_M1))
        } else {
            // v·r² = i·u (the only case left when u/v is not a square).
            (false, r)
        }
    }
}

/// `pow_p58` of each element: sixteen at once with SIMD (`super::field_lanes`), else one by one.
fn pow_p58_lanes<const N: usize>(x: &[Fe; N]) -> [Fe; N] {
    if N == LANES {
        let limbs: [field_lanes::Limbs; LANES] = std::array::from_fn(|i| x[i].0.0);
        if let Some(out) = field_lanes::pow_p58_x16(&limbs) {
            return std::array::from_fn(|i| Fe::tight(&f::fiat_25519_loose_field_element(out[i])));
        }
    }
    x.map(|z| z.pow_p58())
}

/// Points tested side by side by [`has_prime_order_if_point_many`].
const LANES: usize = 16;

/// Lane by lane: `(true, √(u/v))` when u/v is a square, else `(false, √(i·u/v))`
/// (i = √−1), for u, v ≠ 0: one exponentiation, no inversion (as curve25519-dalek's
/// `sqrt_ratio_i`); the exponentiations side by side.
fn sqrt_ratio_lanes<const N: usize>(u: &[Fe; N], v: &[Fe; N]) -> ([bool; N], [Fe; N]) {
    let terms: [(Fe, Fe); N] = std::array::from_fn(|l| Fe::sqrt_ratio_terms(&u[l], &v[l]));
    let p58 = pow_p58_lanes(&terms.map(|t| t.1));
    let out: [(bool, Fe); N] =
        std::array::from_fn(|l| Fe::sqrt_ratio_given(&u[l], &v[l], &terms[l].0, &p58[l]));
    (out.map(|o| o.0), out.map(|o| o.1))
}

/// [`Fe::is_nonzero_square`] lane by lane.
fn is_nonzero_square_lanes<const N: usize>(x: &[Fe; N]) -> [bool; N] {
    let p58 = pow_p58_lanes(x);
    std::array::from_fn(|l| x[l].is_nonzero_square_given(&p58[l]))
}

const ONE: Fe = Fe::from_bytes(&[
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/// d = −121665/121666.
const D: Fe = Fe::from_bytes(&[
    163, 120, 89, 19, 202, 77, 235, 117, 171, 216, 65, 65, 77, 10, 112, 0, 152, 232, 121, 119, 121,
    64, 199, 140, 115, 254, 111, 43, 238, 108, 3, 82,
]);
/// i = √−1 = 2^((p − 1)/4).
const SQRT_M1: Fe = Fe::from_bytes(&[
    176, 160, 14, 74, 39, 27, 238, 196, 120, 228, 47, 173, 6, 24, 67, 47, 167, 215, 251, 61, 153,
    0, 77, 43, 11, 223, 193, 79, 128, 36, 131, 43,
]);
/// √(−i/d): turns the root of i·A (A a non-square) into the root of −1/(d·A).
const C: Fe = Fe::from_bytes(&[
    254, 207, 174, 96, 191, 90, 247, 204, 48, 201, 169, 254, 34, 113, 169, 10, 7, 23, 193, 125,
    178, 235, 163, 106, 67, 211, 144, 114, 243, 141, 153, 13,
]);
/// y of the points of order 8 (the other is its negative).
const Y8: Fe = Fe::from_bytes(&[
    199, 23, 106, 112, 61, 77, 216, 79, 186, 60, 11, 118, 13, 16, 103, 15, 42, 32, 83, 250, 44, 57,
    204, 198, 78, 199, 253, 119, 146, 172, 3, 122,
]);

/// The base point's y (4/5): filler for a short chunk of [`has_prime_order_if_point_many`].
const BASE_Y: [u8; 32] = [
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

/// The y of one of the 8 points of small order: 1, −1, 0 or ±y8.
fn small_order_y(y: &Fe) -> bool {
    let b = y.bytes();
    [ONE, ONE.neg(), ONE.sub(&ONE), Y8, Y8.neg()]
        .iter()
        .any(|t| t.bytes() == b)
}

/// Does the canonical encoding `b` (y < p, as `super::batch` checks first) name a point
/// of order ℓ? Exactly `decompress` + not small order + `is_torsion_free` (see the module
/// docs); `false` for bytes that name no point. The sign bit of x is ignored: P and −P are
/// in the same subgroup.
pub fn has_prime_order(b: &[u8; 32]) -> bool {
    let y = Fe::from_bytes(b);
    if small_order_y(&y) {
        return false;
    }
    let (u, v) = uv(&y);
    // On the curve: x² = u/v is a square (u, v ≠ 0 here: y ≠ ±1, and −1/d is no square).
    u.mul(&v).is_nonzero_square() && divisible_by_8(&[y], &[u], &[v])[0]
}

/// [`has_prime_order`] without its on-curve check, one exponentiation in five cheaper: the
/// same answer for every `b` that names a point, any answer for bytes that name none. For
/// the batch's `R`, which `super::batch` decodes first (an `R` that names no point never
/// reaches a batch: `verify_strict` alone refuses it).
pub fn has_prime_order_if_point(b: &[u8; 32]) -> bool {
    let y = Fe::from_bytes(b);
    if small_order_y(&y) {
        return false;
    }
    let (u, v) = uv(&y);
    divisible_by_8(&[y], &[u], &[v])[0]
}

/// [`has_prime_order_if_point`] of each encoding, sixteen at a time (the exponentiations
/// side by side: `super::field_lanes`).
pub fn has_prime_order_if_point_many(bs: &[[u8; 32]]) -> Vec<bool> {
    let mut out = Vec::with_capacity(bs.len());
    for chunk in bs.chunks(LANES) {
        // A short last chunk is filled with the base point's y (any point would do).
        let y: [Fe; LANES] =
            std::array::from_fn(|l| Fe::from_bytes(chunk.get(l).unwrap_or(&BASE_Y)));
        let small = y.map(|y| small_order_y(&y));
        let uv = y.map(|y| uv(&y));
        let d8 = divisible_by_8(&y, &uv.map(|p| p.0), &uv.map(|p| p.1));
        out.extend((0..chunk.len()).map(|l| !small[l] && d8[l]));
    }
    out
}

/// x² = u/v on the curve: u = y² − 1, v = d·y² + 1.
fn uv(y: &Fe) -> (Fe, Fe) {
    let y2 = y.sq();
    (y2.sub(&ONE), D.mul(&y2).add(&ONE))
}

/// Steps 1–3 of the module docs for points (x, y) with x² = u/v, not of small order, lane
/// by lane (a lane's answer depends on its own point only; a lane that fails a step goes on
/// computing and is answered `false`).
fn divisible_by_8<const N: usize>(y: &[Fe; N], u: &[Fe; N], v: &[Fe; N]) -> [bool; N] {
    let lanes = |f: &dyn Fn(usize) -> Fe| -> [Fe; N] { std::array::from_fn(f) };
    // 1. P is a double: 1 + x² = (u + v)/v is a square, s its root.
    let (ok1, s) = sqrt_ratio_lanes(&lanes(&|l| u[l].add(&v[l])), v);
    // The half Q: y_Q² = y(1 + s)/(s + y) for one sign of s; y_Q = n/m.
    let (ok, r) = sqrt_ratio_lanes(
        &lanes(&|l| y[l].mul(&ONE.add(&s[l]))),
        &lanes(&|l| s[l].add(&y[l])),
    );
    let snm: [(Fe, Fe, Fe); N] = std::array::from_fn(|l| {
        if ok[l] {
            (s[l], r[l], ONE)
        } else {
            (s[l].neg(), C, r[l])
        }
    });
    // 2. Q is a double: 1 + x_Q² = s(1 + y)/(s + y) is a square, s_q its root.
    let (ok2, s_q) = sqrt_ratio_lanes(
        &lanes(&|l| snm[l].0.mul(&ONE.add(&y[l]))),
        &lanes(&|l| snm[l].0.add(&y[l])),
    );
    // 3. Q is a quadruple: χ(s_q(1 + s_q)·y_Q(1 + y_Q)) = 1, y_Q(1 + y_Q) = n(m + n)/m².
    let ok3 = is_nonzero_square_lanes(&lanes(&|l| {
        let (_, n, m) = snm[l];
        s_q[l].mul(&ONE.add(&s_q[l])).mul(&n.mul(&m.add(&n)))
    }));
    std::array::from_fn(|l| ok1[l] && ok2[l] && ok3[l])
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use curve25519_dalek::scalar::Scalar;
    use proptest::prelude::*;

    /// The reference: curve25519-dalek's `[ℓ]P` check on the decoded point.
    fn reference(b: &[u8; 32]) -> bool {
        CompressedEdwardsY(*b)
            .decompress()
            .is_some_and(|p| !p.is_small_order() && p.is_torsion_free())
    }

    fn canonical(b: &[u8; 32]) -> bool {
        let mut y = *b;
        y[31] &= 0x7f;
        Fe::from_bytes(&y).bytes() == y
    }

    /// Both tests on a point, against the reference.
    fn check(p: EdwardsPoint) -> bool {
        let b = p.compress().to_bytes();
        let got = has_prime_order(&b);
        assert_eq!(got, reference(&b), "{b:?}");
        assert_eq!(has_prime_order_if_point(&b), got, "{b:?}");
        got
    }

    #[test]
    fn the_constants_are_what_they_say() {
        // d·121666 = −121665, i² = −1, C² = −i/d, y8 is the y of an order-8 point.
        let mut b = [0u8; 32];
        b[..4].copy_from_slice(&121_666u32.to_le_bytes());
        let n121666 = Fe::from_bytes(&b);
        let n121665 = n121666.sub(&ONE);
        assert!(D.mul(&n121666).eq(&n121665.neg()));
        assert!(SQRT_M1.sq().eq(&ONE.neg()));
        assert!(C.sq().mul(&D).eq(&SQRT_M1.neg()));
        for k in [1, 3, 5, 7] {
            let mut b = EIGHT_TORSION[k].compress().to_bytes();
            b[31] &= 0x7f;
            assert!(b == Y8.bytes() || b == Y8.neg().bytes());
        }
    }

    #[test]
    fn agrees_with_dalek_on_the_torsion_points_and_the_base_point() {
        for t in EIGHT_TORSION {
            assert!(!check(t));
            assert!(!check(-t));
        }
        assert!(check(B));
        assert!(check(-B));
        for t in &EIGHT_TORSION[1..] {
            assert!(!check(B + t));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// [k]B, and [k]B plus each torsion point.
        #[test]
        fn agrees_with_dalek_on_prime_order_points_and_their_torsion_cosets(
            k in any::<[u8; 32]>(),
        ) {
            let p = B * Scalar::from_bytes_mod_order(k);
            let prime = !p.is_small_order();
            prop_assert_eq!(check(p), prime);
            for (i, t) in EIGHT_TORSION.iter().enumerate() {
                prop_assert_eq!(check(p + t), prime && i == 0);
                prop_assert_eq!(check(-(p + t)), prime && i == 0);
            }
        }

        /// Random bytes: most name no point, the others random curve points (of order ℓ
        /// one time in eight), and [8] of those (of order ℓ unless small).
        #[test]
        fn agrees_with_dalek_on_random_bytes_and_random_points(b in any::<[u8; 32]>()) {
            prop_assume!(canonical(&b));
            prop_assert_eq!(has_prime_order(&b), reference(&b));
            if let Some(p) = CompressedEdwardsY(b).decompress() {
                prop_assert_eq!(has_prime_order_if_point(&b), reference(&b));
                check(p);
                prop_assert_eq!(check(p.mul_by_cofactor()), !p.is_small_order());
                check(p + p);
                check((p + p) + (p + p));
            }
        }
    }

    /// Field elements in fiat-crypto's tight form with limbs anywhere below 2^51, the
    /// extremes included: canonical values, values of p and above, zero.
    fn tight_limbs() -> impl Strategy<Value = [u64; 5]> {
        let limb = prop_oneof![
            Just(0u64),
            Just((1u64 << 51) - 1),
            Just((1u64 << 51) - 19),
            0u64..(1 << 51),
        ];
        [limb.clone(), limb.clone(), limb.clone(), limb.clone(), limb]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The sixteen-lane exponentiation equals the scalar chain, with each instruction
        /// set this CPU has (on x86-64 machines without AVX2 nothing is compared here; the
        /// scalar fallback is the chain itself).
        #[test]
        fn simd_pow_equals_the_scalar_chain(
            // A Vec, not `uniform16`: an array strategy's value tree is kept on the stack,
            // which overflowed the test thread's 2 MB in unoptimised (`cargo test`) builds.
            x in proptest::collection::vec(tight_limbs(), 16),
        ) {
            let x: [[u64; 5]; 16] = x.try_into().expect("16 elements");
            let fe = x.map(|l| Fe(f::fiat_25519_tight_field_element(l)));
            let want = fe.map(|z| z.pow_p58().bytes());
            for simd in [field_lanes::Simd::Avx512, field_lanes::Simd::Avx2] {
                let Some(out) = field_lanes::pow_p58_x16_on(simd, &x) else {
                    prop_assert!(!simd.available());
                    continue;
                };
                for l in 0..16 {
                    let got = Fe::tight(&f::fiat_25519_loose_field_element(out[l])).bytes();
                    prop_assert_eq!(got, want[l], "{:?} lane {}", simd, l);
                }
            }
            let lanes = pow_p58_lanes(&fe);
            for l in 0..16 {
                prop_assert_eq!(lanes[l].bytes(), want[l], "lane {}", l);
            }
        }

        /// Many at once, any count (short last chunks included): each answer equals the
        /// one-at-a-time test and the reference, on prime-order points, their torsion
        /// cosets and random bytes.
        #[test]
        fn many_at_once_agrees_with_one_at_a_time(
            picks in proptest::collection::vec((any::<[u8; 32]>(), 0usize..8, 0u8..3), 0..40),
        ) {
            let bs: Vec<[u8; 32]> = picks
                .iter()
                .map(|(k, t, how)| match how {
                    0 => (B * Scalar::from_bytes_mod_order(*k)).compress().to_bytes(),
                    1 => (B * Scalar::from_bytes_mod_order(*k) + EIGHT_TORSION[*t])
                        .compress()
                        .to_bytes(),
                    _ => {
                        let mut b = *k;
                        b[31] &= 0x7f;
                        b
                    }
                })
                .filter(canonical)
                .collect();
            let many = has_prime_order_if_point_many(&bs);
            prop_assert_eq!(many.len(), bs.len());
            for (b, got) in bs.iter().zip(many) {
                prop_assert_eq!(got, has_prime_order_if_point(b), "{:?}", b);
                if CompressedEdwardsY(*b).decompress().is_some() {
                    prop_assert_eq!(got, reference(b), "{:?}", b);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// 100,000 random points in all (1,000 cases of 100): from a random point, steps
        /// of a random point whose torsion part walks the start through the torsion
        /// cosets, each against the reference.
        #[test]
        fn agrees_with_dalek_on_walks_of_random_points(
            a in any::<[u8; 32]>(),
            b in any::<[u8; 32]>(),
            t in 0usize..8,
            u in 0usize..8,
        ) {
            let mut p = B * Scalar::from_bytes_mod_order(a) + EIGHT_TORSION[t];
            let step = B * Scalar::from_bytes_mod_order(b) + EIGHT_TORSION[u];
            for _ in 0..100 {
                check(p);
                p += step;
            }
        }
    }

    /// 4,000 hashed y values: about half name a point and one point in eight has order ℓ;
    /// every answer agrees with the reference, and both answers occur often.
    #[test]
    fn agrees_with_dalek_on_hashed_y_values() {
        let mut seed = [7u8; 32];
        let (mut yes, mut no) = (0, 0);
        let mut on_curve = 0;
        for i in 0..4000u32 {
            seed[..4].copy_from_slice(&i.to_le_bytes());
            let h: [u8; 32] = {
                use sha2::{Digest, Sha256};
                Sha256::digest(seed).into()
            };
            let mut b = h;
            b[31] &= 0x7f;
            if !canonical(&b) {
                continue;
            }
            let want = reference(&b);
            assert_eq!(has_prime_order(&b), want, "{b:?}");
            if CompressedEdwardsY(b).decompress().is_some() {
                assert_eq!(has_prime_order_if_point(&b), want, "{b:?}");
                on_curve += 1;
                if want {
                    yes += 1;
                } else {
                    no += 1;
                }
            }
        }
        // About half of the y decode, and one point in eight has order ℓ.
        assert!(on_curve > 1500, "{on_curve}");
        assert!(
            yes > on_curve / 16 && yes < on_curve / 5,
            "{yes} of {on_curve}"
        );
        assert!(no > 0);
    }
}
