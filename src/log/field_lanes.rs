//! Field exponentiations side by side: `z^((p − 5)/8)` in GF(2^255 − 19) for sixteen
//! elements at once, the square roots and Legendre symbols of the prime-order test of every
//! signature's `R` (`super::subgroup`), which is the verifier's hottest loop
//! (docs/signed-log.md#batch-verification).
//!
//! An exponentiation is 250 squarings in a row, each waiting for the last. With SIMD
//! (detected at run time) many run side by side: eight field elements per 512-bit register
//! with AVX-512F, four per 256-bit register with AVX2, and two registers interleaved so one's
//! multiplications fill the other's waits. Without either, [`pow_p58_x16`] answers `None`
//! and the caller uses its scalar chain.
//!
//! Representation: radix 2^25.5, ten limbs alternately 26 and 25 bits wide, limb i at bit
//! ⌈25.5·i⌉, each limb in a 64-bit lane. `fᵢ·gⱼ` lands at ⌈25.5i⌉ + ⌈25.5j⌉: one bit above
//! limb i+j's place when i and j are both odd (so those products are doubled), and a
//! product past limb 9 wraps with 2^255 ≡ 19. `mul_epu32` multiplies the low 32 bits of
//! each lane: inputs have limbs < 2^27, so the factors used (limb·4, limb·19) stay below
//! 2^32, each product below 2^61 and each sum of at most ten below 2^63; after the carry
//! chain every limb is below 2^26 again. The product formulas were generated from that one
//! rule (`h_k = Σ_{i+j=k} c·fᵢgⱼ + 19·Σ_{i+j=k+10} c·fᵢgⱼ`, c = 2 for odd i, j), written
//! once for both vector widths ([`lanes!`]), and are checked against fiat-crypto's scalar
//! chain in `super::subgroup`'s tests, on each instruction set the CPU has.

/// A field element as fiat-crypto's tight form: five 51-bit limbs (each < 2^51).
pub type Limbs = [u64; 5];

/// The instruction sets [`pow_p58_x16_on`] can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simd {
    Avx512,
    Avx2,
}

impl Simd {
    /// Whether this CPU has it, and `P2REVIEW_SIMD` allows it.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        match self {
            Simd::Avx512 => cap() >= 2 && std::arch::is_x86_feature_detected!("avx512f"),
            Simd::Avx2 => cap() >= 1 && std::arch::is_x86_feature_detected!("avx2"),
        }
        #[cfg(not(target_arch = "x86_64"))]
        false
    }
}

/// `P2REVIEW_SIMD=avx2` or `=none` caps the instruction set these lanes use, so the
/// narrower paths can be measured on a wider CPU (BENCHMARKS.md); unset or anything else:
/// no cap. Read once.
fn cap() -> u8 {
    static CAP: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| match std::env::var("P2REVIEW_SIMD").as_deref() {
        Ok("none") => 0,
        Ok("avx2") => 1,
        _ => 2,
    })
}

/// `x^((p − 5)/8)` for sixteen elements with the widest SIMD the CPU has, or `None` without
/// any. Inputs in fiat-crypto's tight form, outputs in its loose form (each limb < 2^52;
/// `fiat_25519_carry` makes them tight).
pub fn pow_p58_x16(x: &[Limbs; 16]) -> Option<[Limbs; 16]> {
    [Simd::Avx512, Simd::Avx2]
        .into_iter()
        .find(|s| s.available())
        .and_then(|s| pow_p58_x16_on(s, x))
}

/// [`pow_p58_x16`] with the given instruction set (`None` if the CPU lacks it).
pub fn pow_p58_x16_on(simd: Simd, x: &[Limbs; 16]) -> Option<[Limbs; 16]> {
    if !simd.available() {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[allow(unsafe_code)]
        // SAFETY: the CPU has the instruction set (checked above), the only requirement of
        // these safe functions' `#[target_feature]`.
        let out = unsafe {
            match simd {
                Simd::Avx512 => avx512::pow_p58(x),
                Simd::Avx2 => {
                    let (a, b) = x.split_at(8);
                    let a = avx2::pow_p58(a.try_into().expect("8 of 16"));
                    let b = avx2::pow_p58(b.try_into().expect("8 of 16"));
                    std::array::from_fn(|i| if i < 8 { a[i] } else { b[i - 8] })
                }
            }
        };
        Some(out)
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The arithmetic of one vector type `$v` of `$w` 64-bit lanes: two registers (2·`$w`
/// elements) through the addition chain of `super::subgroup`'s scalar `pow_p58`.
/// `set`/`get` (defined beside each use) move `$w` lanes in and out.
#[cfg(target_arch = "x86_64")]
macro_rules! lanes {
    ($feature:literal, $v:ty, $w:literal, $mul32:ident, $add:ident, $srli:ident, $slli:ident,
     $and:ident, $set1:ident) => {
        /// `$w` field elements, limb by limb.
        #[derive(Clone, Copy)]
        struct F([$v; 10]);

        /// Two of them, interleaved.
        type F2 = [F; 2];

        #[inline]
        #[target_feature(enable = $feature)]
        fn m(a: $v, b: $v) -> $v {
            $mul32(a, b)
        }

        /// 19·a with shifts (a carry may exceed the 32 bits `mul_epu32` reads).
        #[inline]
        #[target_feature(enable = $feature)]
        fn mul19(a: $v) -> $v {
            $add($add($slli::<4>(a), $slli::<1>(a)), a)
        }

        /// A balanced tree of additions (a shorter dependency chain than a fold).
        #[inline]
        #[target_feature(enable = $feature)]
        fn sum<const N: usize>(t: &[$v; N]) -> $v {
            let mut v = *t;
            let mut n = N;
            while n > 1 {
                let h = n / 2;
                for i in 0..h {
                    v[i] = $add(v[i], v[n - 1 - i]);
                }
                n -= h;
            }
            v[0]
        }

        /// Carries every limb into its width, two chains at a time (0→1…4→5 beside
        /// 4→5…9→0). From sums < 2^63 this ends with every limb < 2^26 (limbs 1 and 5
        /// < 2^25 + 2^17).
        #[inline]
        #[target_feature(enable = $feature)]
        fn carry(mut h: [$v; 10]) -> F {
            let m26 = $set1((1 << 26) - 1);
            let m25 = $set1((1 << 25) - 1);
            // Written out with constant indices, so the limbs stay in registers.
            macro_rules! carry {
                ($i:literal, $bits:literal, $mask:ident, $next:literal) => {
                    let c = $srli::<$bits>(h[$i]);
                    h[$i] = $and(h[$i], $mask);
                    h[$next] = $add(h[$next], if $i == 9 { mul19(c) } else { c });
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
            F(h)
        }

        /// `a ← a·b` (in place: no copies of whole elements between calls).
        #[inline]
        #[target_feature(enable = $feature)]
        fn mul(a: &mut F, b: &F) {
            let (f, g) = (a.0, b.0);
            let mut g19 = g;
            let mut f2 = f;
            for i in 0..10 {
                g19[i] = mul19(g[i]);
                if !i.is_multiple_of(2) {
                    f2[i] = $add(f[i], f[i]);
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

        /// `a ← a²`, in place.
        #[inline]
        #[target_feature(enable = $feature)]
        fn sq(a: &mut F) {
            let f = a.0;
            let (mut f2, mut f4, mut f19) = (f, f, f);
            for i in 0..10 {
                f2[i] = $add(f[i], f[i]);
                f4[i] = $add(f2[i], f2[i]);
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

        /// `a^(2^k)·b`, the step of the addition chain.
        #[inline]
        #[target_feature(enable = $feature)]
        fn sq_n_mul(a: &F2, k: u32, b: &F2) -> F2 {
            let mut t = *a;
            for _ in 0..k {
                sq(&mut t[0]);
                sq(&mut t[1]);
            }
            mul(&mut t[0], &b[0]);
            mul(&mut t[1], &b[1]);
            t
        }

        /// Element `$w·r + j` in lane j of register r: each 51-bit limb split at bit 26.
        #[target_feature(enable = $feature)]
        fn load(x: &[Limbs; 2 * $w]) -> F2 {
            let mut out = [F([$set1(0); 10]); 2];
            for (r, o) in out.iter_mut().enumerate() {
                for i in 0..10 {
                    let lanes: [i64; $w] = std::array::from_fn(|j| {
                        let v = x[$w * r + j][i / 2];
                        (if i.is_multiple_of(2) {
                            v & ((1 << 26) - 1)
                        } else {
                            v >> 26
                        }) as i64
                    });
                    o.0[i] = set(lanes);
                }
            }
            out
        }

        #[target_feature(enable = $feature)]
        fn store(a: &F2) -> [Limbs; 2 * $w] {
            let mut out = [[0u64; 5]; 2 * $w];
            for (r, f) in a.iter().enumerate() {
                for i in 0..10usize {
                    let shift = if i.is_multiple_of(2) { 0 } else { 26 };
                    for (j, lane) in get(f.0[i]).into_iter().enumerate() {
                        out[$w * r + j][i / 2] += (lane as u64) << shift;
                    }
                }
            }
            out
        }

        /// `z^(2^252 − 3)`: the addition chain of `super::super::subgroup`'s `pow_p58`.
        #[target_feature(enable = $feature)]
        pub fn pow_p58(x: &[Limbs; 2 * $w]) -> [Limbs; 2 * $w] {
            let z = load(x);
            let mut z2 = z;
            sq(&mut z2[0]);
            sq(&mut z2[1]);
            let z9 = sq_n_mul(&z2, 2, &z);
            let z11 = sq_n_mul(&z9, 0, &z2);
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
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Limbs;
    use std::arch::x86_64::*;

    #[inline]
    #[target_feature(enable = "avx2")]
    fn set(l: [i64; 4]) -> __m256i {
        _mm256_set_epi64x(l[3], l[2], l[1], l[0])
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn get(v: __m256i) -> [i64; 4] {
        [
            _mm256_extract_epi64::<0>(v),
            _mm256_extract_epi64::<1>(v),
            _mm256_extract_epi64::<2>(v),
            _mm256_extract_epi64::<3>(v),
        ]
    }

    lanes!(
        "avx2",
        __m256i,
        4,
        _mm256_mul_epu32,
        _mm256_add_epi64,
        _mm256_srli_epi64,
        _mm256_slli_epi64,
        _mm256_and_si256,
        _mm256_set1_epi64x
    );
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::Limbs;
    use std::arch::x86_64::*;

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn set(l: [i64; 8]) -> __m512i {
        _mm512_set_epi64(l[7], l[6], l[5], l[4], l[3], l[2], l[1], l[0])
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn get(v: __m512i) -> [i64; 8] {
        let (lo, hi) = (
            _mm512_extracti64x4_epi64::<0>(v),
            _mm512_extracti64x4_epi64::<1>(v),
        );
        [
            _mm256_extract_epi64::<0>(lo),
            _mm256_extract_epi64::<1>(lo),
            _mm256_extract_epi64::<2>(lo),
            _mm256_extract_epi64::<3>(lo),
            _mm256_extract_epi64::<0>(hi),
            _mm256_extract_epi64::<1>(hi),
            _mm256_extract_epi64::<2>(hi),
            _mm256_extract_epi64::<3>(hi),
        ]
    }

    lanes!(
        "avx512f",
        __m512i,
        8,
        _mm512_mul_epu32,
        _mm512_add_epi64,
        _mm512_srli_epi64,
        _mm512_slli_epi64,
        _mm512_and_si512,
        _mm512_set1_epi64
    );
}
