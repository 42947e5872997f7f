//! Runtime CPU-feature dispatch for [`update_mins`](super::update_mins): the crate's only
//! `unsafe` code.
//!
//! The default build targets baseline x86-64 (SSE2), which has no 32-bit
//! vector multiply: the 16-lane kernel is emulated with 64-bit multiplies
//! and shuffles. The same portable kernel compiled with AVX2 or AVX-512F
//! enabled uses `vpmulld` on 8 or 16 lanes. Each variant is the portable
//! function inlined into a `#[target_feature]` wrapper, so all compute the
//! same `u32` arithmetic and give bit-identical signatures (tested); the
//! only unsafe operation is calling a wrapper, after
//! `is_x86_feature_detected!` has confirmed the CPU supports its features.

use super::{update_mins_few_portable, update_mins_portable};

pub(super) fn update_mins(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above),
            // the only requirement of `avx512`.
            return unsafe { avx512(mins, a, b, ys) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above), the
            // only requirement of `avx2`.
            return unsafe { avx2(mins, a, b, ys) };
        }
    }
    update_mins_portable(mins, a, b, ys)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn avx512(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    update_mins_portable(mins, a, b, ys)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    update_mins_portable(mins, a, b, ys)
}

/// [`update_mins_few`](super::update_mins_few), dispatched as
/// [`update_mins`].
pub(super) fn update_mins_few(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above),
            // the only requirement of `few_avx512`.
            return unsafe { few_avx512(mins, a, b, ys) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above), the
            // only requirement of `few_avx2`.
            return unsafe { few_avx2(mins, a, b, ys) };
        }
    }
    update_mins_few_portable(mins, a, b, ys)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn few_avx512(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    update_mins_few_portable(mins, a, b, ys)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn few_avx2(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    update_mins_few_portable(mins, a, b, ys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::MinHasher;
    use crate::fingerprint::mix::splitmix64;

    #[test]
    fn every_cpu_variant_gives_the_same_minima() {
        for n in [1, 15, 16, 17, 33, 128, 1000] {
            let m = MinHasher::new(n, 11);
            for len in [0, 1, 7, 600] {
                let ys: Vec<u32> = (0..len as u64).map(|i| splitmix64(i) as u32).collect();
                let mut want = vec![u32::MAX; n];
                update_mins_portable(&mut want, &m.a, &m.b, &ys);
                let mut got = vec![u32::MAX; n];
                super::super::update_mins(&mut got, &m.a, &m.b, &ys);
                assert_eq!(got, want, "dispatched, n = {n}, len = {len}");
                let mut few = vec![u32::MAX; n];
                update_mins_few(&mut few, &m.a, &m.b, &ys);
                assert_eq!(few, want, "few, dispatched, n = {n}, len = {len}");
                let mut few = vec![u32::MAX; n];
                update_mins_few_portable(&mut few, &m.a, &m.b, &ys);
                assert_eq!(few, want, "few, n = {n}, len = {len}");
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx2") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX2 is supported (checked just above).
                        unsafe { few_avx2(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "few avx2, n = {n}, len = {len}");
                    }
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX-512F is supported (checked just above).
                        unsafe { few_avx512(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "few avx512, n = {n}, len = {len}");
                    }
                    if std::arch::is_x86_feature_detected!("avx2") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX2 is supported (checked just above).
                        unsafe { avx2(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "avx2, n = {n}, len = {len}");
                    }
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX-512F is supported (checked just above).
                        unsafe { avx512(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "avx512, n = {n}, len = {len}");
                    }
                }
            }
        }
    }
}
