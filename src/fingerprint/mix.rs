//! The fixed 64-bit mixes every fingerprint is built from: murmur3's
//! finaliser and SplitMix64's output function, with the golden-ratio
//! constant they share. Shingle hashes, MinHash parameters and
//! one-permutation bins all derive from these; changing one changes every
//! signature (see [`SIGNATURE_VERSION`](super::SIGNATURE_VERSION)).

/// The golden-ratio increment `φ = 0x9E3779B97F4A7C15`.
pub(super) const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Steele, Lea and Flood, 2014).
#[inline]
pub(super) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(PHI);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The murmur3 64-bit finaliser: a bijective mix of all 64 bits.
#[inline(always)]
pub(super) fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^ (x >> 33)
}
