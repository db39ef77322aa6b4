//! Eight field exponentiations at once: `z^((p − 5)/8)` in GF(2^255 − 19), the square roots
//! and Legendre symbols of the prime-order test of every signature's `R`
//! (`super::subgroup`), which is the verifier's hottest loop (docs/signed-log.md#batch-verification).
//!
//! An exponentiation is 250 squarings in a row, each waiting for the last. With AVX2
//! (detected at run time) eight run side by side: four field elements per 256-bit
//! register, two registers interleaved so one's multiplications fill the other's waits.
//! Without AVX2 [`pow_p58_x8`] answers `None` and the caller uses its scalar chain.
//!
//! Representation: radix 2^25.5, ten limbs alternately 26 and 25 bits wide, limb i at bit
//! ⌈25.5·i⌉, each limb in a 64-bit lane. `fᵢ·gⱼ` lands at ⌈25.5i⌉ + ⌈25.5j⌉: one bit above
//! limb i+j's place when i and j are both odd (so those products are doubled), and a
//! product past limb 9 wraps with 2^255 ≡ 19. `_mm256_mul_epu32` multiplies the low 32
//! bits of each lane: inputs have limbs < 2^27, so the factors used (limb·4, limb·19) stay
//! below 2^32, each product below 2^61 and each sum of at most ten below 2^63; after the
//! carry chain every limb is below 2^26 again. The product formulas were generated from
//! that one rule (`h_k = Σ_{i+j=k} c·fᵢgⱼ + 19·Σ_{i+j=k+10} c·fᵢgⱼ`, c = 2 for odd i, j)
//! and are checked against fiat-crypto in the tests below and in `super::subgroup`.

/// A field element as fiat-crypto's tight form: five 51-bit limbs (each < 2^51).
pub type Limbs = [u64; 5];

/// `x^((p − 5)/8)` for eight elements, or `None` without AVX2. Inputs in fiat-crypto's
/// tight form, outputs in its loose form (each limb < 2^52; `fiat_25519_carry` makes them tight).
pub fn pow_p58_x8(x: &[Limbs; 8]) -> Option<[Limbs; 8]> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked on the line above), the only requirement of
        // this safe function's `#[target_feature]`.
        #[allow(unsafe_code)]
        return Some(unsafe { avx2::pow_p58(x) });
    }
    let _ = x;
    None
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Limbs;
    use std::arch::x86_64::*;

    /// Four field elements, limb by limb.
    #[derive(Clone, Copy)]
    struct F4([__m256i; 10]);

    /// Two of them, interleaved.
    type F8 = [F4; 2];

    #[inline]
    #[target_feature(enable = "avx2")]
    fn m(a: __m256i, b: __m256i) -> __m256i {
        _mm256_mul_epu32(a, b)
    }

    /// 19·a with shifts (a carry may exceed the 32 bits `_mm256_mul_epu32` reads).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn mul19(a: __m256i) -> __m256i {
        _mm256_add_epi64(
            _mm256_add_epi64(_mm256_slli_epi64::<4>(a), _mm256_slli_epi64::<1>(a)),
            a,
        )
    }

    /// A balanced tree of additions (a shorter dependency chain than a fold).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sum<const N: usize>(t: &[__m256i; N]) -> __m256i {
        let mut v = *t;
        let mut n = N;
        while n > 1 {
            let h = n / 2;
            for i in 0..h {
                v[i] = _mm256_add_epi64(v[i], v[n - 1 - i]);
            }
            n -= h;
        }
        v[0]
    }

    /// Carries every limb into its width, two chains at a time (0→1…4→5 beside 4→5…9→0).
    /// From sums < 2^63 this ends with every limb < 2^26 (limbs 1 and 5 < 2^25 + 2^17).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn carry(mut h: [__m256i; 10]) -> F4 {
        let m26 = _mm256_set1_epi64x((1 << 26) - 1);
        let m25 = _mm256_set1_epi64x((1 << 25) - 1);
        // Written out with constant indices, so the limbs stay in registers.
        macro_rules! carry {
            ($i:literal, $bits:literal, $mask:ident, $next:literal) => {
                let c = _mm256_srli_epi64::<$bits>(h[$i]);
                h[$i] = _mm256_and_si256(h[$i], $mask);
                h[$next] = _mm256_add_epi64(h[$next], if $i == 9 { mul19(c) } else { c });
            };
        }
        carry!(0, 26, m26, 1);
        carry!(4, 26, m26, 5);
        carry!(1, 25, m25, 2);
        carry!(5, 25, m25, 6);
        carry!(2, 26, m26, 3);
        carry!(6, 26, m26, 7);
        carry!(3, 25, m25, 4);
        carry!(7, 25, m25, 8);
        carry!(4, 26, m26, 5);
        carry!(8, 26, m26, 9);
        carry!(9, 25, m25, 0);
        carry!(0, 26, m26, 1);
        F4(h)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    /// `a ← a·b` (in place: no 320-byte copies between calls).
    fn mul(a: &mut F4, b: &F4) {
        let (f, g) = (a.0, b.0);
        let mut g19 = g;
        let mut f2 = f;
        for i in 0..10 {
            g19[i] = mul19(g[i]);
            if !i.is_multiple_of(2) {
                f2[i] = _mm256_add_epi64(f[i], f[i]);
            }
        }
        *a = carry([
            sum(&[
                m(f[0], g[0]),
                m(f2[1], g19[9]),
                m(f[2], g19[8]),
                m(f2[3], g19[7]),
                m(f[4], g19[6]),
                m(f2[5], g19[5]),
                m(f[6], g19[4]),
                m(f2[7], g19[3]),
                m(f[8], g19[2]),
                m(f2[9], g19[1]),
            ]),
            sum(&[
                m(f[0], g[1]),
                m(f[1], g[0]),
                m(f[2], g19[9]),
                m(f[3], g19[8]),
                m(f[4], g19[7]),
                m(f[5], g19[6]),
                m(f[6], g19[5]),
                m(f[7], g19[4]),
                m(f[8], g19[3]),
                m(f[9], g19[2]),
            ]),
            sum(&[
                m(f[0], g[2]),
                m(f2[1], g[1]),
                m(f[2], g[0]),
                m(f2[3], g19[9]),
                m(f[4], g19[8]),
                m(f2[5], g19[7]),
                m(f[6], g19[6]),
                m(f2[7], g19[5]),
                m(f[8], g19[4]),
                m(f2[9], g19[3]),
            ]),
            sum(&[
                m(f[0], g[3]),
                m(f[1], g[2]),
                m(f[2], g[1]),
                m(f[3], g[0]),
                m(f[4], g19[9]),
                m(f[5], g19[8]),
                m(f[6], g19[7]),
                m(f[7], g19[6]),
                m(f[8], g19[5]),
                m(f[9], g19[4]),
            ]),
            sum(&[
                m(f[0], g[4]),
                m(f2[1], g[3]),
                m(f[2], g[2]),
                m(f2[3], g[1]),
                m(f[4], g[0]),
                m(f2[5], g19[9]),
                m(f[6], g19[8]),
                m(f2[7], g19[7]),
                m(f[8], g19[6]),
                m(f2[9], g19[5]),
            ]),
            sum(&[
                m(f[0], g[5]),
                m(f[1], g[4]),
                m(f[2], g[3]),
                m(f[3], g[2]),
                m(f[4], g[1]),
                m(f[5], g[0]),
                m(f[6], g19[9]),
                m(f[7], g19[8]),
                m(f[8], g19[7]),
                m(f[9], g19[6]),
            ]),
            sum(&[
                m(f[0], g[6]),
                m(f2[1], g[5]),
                m(f[2], g[4]),
                m(f2[3], g[3]),
                m(f[4], g[2]),
                m(f2[5], g[1]),
                m(f[6], g[0]),
                m(f2[7], g19[9]),
                m(f[8], g19[8]),
                m(f2[9], g19[7]),
            ]),
            sum(&[
                m(f[0], g[7]),
                m(f[1], g[6]),
                m(f[2], g[5]),
                m(f[3], g[4]),
                m(f[4], g[3]),
                m(f[5], g[2]),
                m(f[6], g[1]),
                m(f[7], g[0]),
                m(f[8], g19[9]),
                m(f[9], g19[8]),
            ]),
            sum(&[
                m(f[0], g[8]),
                m(f2[1], g[7]),
                m(f[2], g[6]),
                m(f2[3], g[5]),
                m(f[4], g[4]),
                m(f2[5], g[3]),
                m(f[6], g[2]),
                m(f2[7], g[1]),
                m(f[8], g[0]),
                m(f2[9], g19[9]),
            ]),
            sum(&[
                m(f[0], g[9]),
                m(f[1], g[8]),
                m(f[2], g[7]),
                m(f[3], g[6]),
                m(f[4], g[5]),
                m(f[5], g[4]),
                m(f[6], g[3]),
                m(f[7], g[2]),
                m(f[8], g[1]),
                m(f[9], g[0]),
            ]),
        ]);
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    /// `a ← a²`, in place.
    fn sq(a: &mut F4) {
        let f = a.0;
        let (mut f2, mut f4, mut f19) = (f, f, f);
        for i in 0..10 {
            f2[i] = _mm256_add_epi64(f[i], f[i]);
            f4[i] = _mm256_add_epi64(f2[i], f2[i]);
            f19[i] = mul19(f[i]);
        }
        *a = carry([
            sum(&[
                m(f[0], f[0]),
                m(f4[1], f19[9]),
                m(f2[2], f19[8]),
                m(f4[3], f19[7]),
                m(f2[4], f19[6]),
                m(f2[5], f19[5]),
            ]),
            sum(&[
                m(f2[0], f[1]),
                m(f2[2], f19[9]),
                m(f2[3], f19[8]),
                m(f2[4], f19[7]),
                m(f2[5], f19[6]),
            ]),
            sum(&[
                m(f2[0], f[2]),
                m(f2[1], f[1]),
                m(f4[3], f19[9]),
                m(f2[4], f19[8]),
                m(f4[5], f19[7]),
                m(f[6], f19[6]),
            ]),
            sum(&[
                m(f2[0], f[3]),
                m(f2[1], f[2]),
                m(f2[4], f19[9]),
                m(f2[5], f19[8]),
                m(f2[6], f19[7]),
            ]),
            sum(&[
                m(f2[0], f[4]),
                m(f4[1], f[3]),
                m(f[2], f[2]),
                m(f4[5], f19[9]),
                m(f2[6], f19[8]),
                m(f2[7], f19[7]),
            ]),
            sum(&[
                m(f2[0], f[5]),
                m(f2[1], f[4]),
                m(f2[2], f[3]),
                m(f2[6], f19[9]),
                m(f2[7], f19[8]),
            ]),
            sum(&[
                m(f2[0], f[6]),
                m(f4[1], f[5]),
                m(f2[2], f[4]),
                m(f2[3], f[3]),
                m(f4[7], f19[9]),
                m(f[8], f19[8]),
            ]),
            sum(&[
                m(f2[0], f[7]),
                m(f2[1], f[6]),
                m(f2[2], f[5]),
                m(f2[3], f[4]),
                m(f2[8], f19[9]),
            ]),
            sum(&[
                m(f2[0], f[8]),
                m(f4[1], f[7]),
                m(f2[2], f[6]),
                m(f4[3], f[5]),
                m(f[4], f[4]),
                m(f2[9], f19[9]),
            ]),
            sum(&[
                m(f2[0], f[9]),
                m(f2[1], f[8]),
                m(f2[2], f[7]),
                m(f2[3], f[6]),
                m(f2[4], f[5]),
            ]),
        ]);
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn mul8(a: &mut F8, b: &F8) {
        mul(&mut a[0], &b[0]);
        mul(&mut a[1], &b[1]);
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn sq_n8(a: &mut F8, k: u32) {
        for _ in 0..k {
            sq(&mut a[0]);
            sq(&mut a[1]);
        }
    }

    /// `a^(2^k)·b`, the step of the addition chain.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sq_n_mul(a: &F8, k: u32, b: &F8) -> F8 {
        let mut t = *a;
        sq_n8(&mut t, k);
        mul8(&mut t, b);
        t
    }

    /// Lanes 4·r .. 4·r + 3 of register r: each 51-bit limb split at bit 26.
    #[target_feature(enable = "avx2")]
    fn load(x: &[Limbs; 8]) -> F8 {
        let part = |l: &Limbs, i: usize| -> i64 {
            let v = l[i / 2];
            (if i.is_multiple_of(2) {
                v & ((1 << 26) - 1)
            } else {
                v >> 26
            }) as i64
        };
        let mut out = [F4([_mm256_setzero_si256(); 10]); 2];
        for (r, o) in out.iter_mut().enumerate() {
            for i in 0..10 {
                let l = &x[4 * r..4 * r + 4];
                o.0[i] = _mm256_set_epi64x(
                    part(&l[3], i),
                    part(&l[2], i),
                    part(&l[1], i),
                    part(&l[0], i),
                );
            }
        }
        out
    }

    #[target_feature(enable = "avx2")]
    fn store(a: &F8) -> [Limbs; 8] {
        let mut out = [[0u64; 5]; 8];
        for (r, f) in a.iter().enumerate() {
            for i in 0..10 {
                let v = f.0[i];
                let lanes = [
                    _mm256_extract_epi64::<0>(v),
                    _mm256_extract_epi64::<1>(v),
                    _mm256_extract_epi64::<2>(v),
                    _mm256_extract_epi64::<3>(v),
                ];
                for (j, lane) in lanes.into_iter().enumerate() {
                    let shift = if i.is_multiple_of(2) { 0 } else { 26 };
                    out[4 * r + j][i / 2] += (lane as u64) << shift;
                }
            }
        }
        out
    }

    /// `z^(2^252 − 3)`: the addition chain of `super::super::subgroup`'s scalar `pow_p58`.
    #[target_feature(enable = "avx2")]
    pub fn pow_p58(x: &[Limbs; 8]) -> [Limbs; 8] {
        let z = load(x);
        let mut z2 = z;
        sq_n8(&mut z2, 1);
        let z9 = sq_n_mul(&z2, 2, &z);
        let mut z11 = z9;
        mul8(&mut z11, &z2);
        let e5 = sq_n_mul(&z11, 1, &z9);
        let e10 = sq_n_mul(&e5, 5, &e5);
        let e20 = sq_n_mul(&e10, 10, &e10);
        let e40 = sq_n_mul(&e20, 20, &e20);
        let e50 = sq_n_mul(&e40, 10, &e10);
        let e100 = sq_n_mul(&e50, 50, &e50);
        let e200 = sq_n_mul(&e100, 100, &e100);
        let e250 = sq_n_mul(&e200, 50, &e50);
        store(&sq_n_mul(&e250, 2, &z))
    }
}
