//! The fixed 64-bit mixes every fingerprint is built from: murmur3's
//! finaliser and SplitMix64's output function, with the golden-ratio
//! constant they share. Shingle hashes, MinHash parameters and
//! one-permutation bins all derive from these; changing one changes every
//! signature (see [`SIGNATURE_VERSION`](super::SIGNATURE_VERSION)).
//! Also the hasher of the in-memory maps keyed by such values
//! ([`KeyHasher`]): they are mixed already.

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

/// Band keys are xxh3 values already: hash them as themselves.
///
/// A key of several `u64`s (a `(sentence, context)` pair) folds each into
/// the state (`rotl(state, 23) ^ n`), so every part counts: a hasher that
/// kept only the last part would hash such a pair as its context alone, and
/// the one context shared by every one-paragraph article would put all of
/// their sentences in one hash-table probe chain (quadratic insertion). A
/// single `u64` still hashes as itself (the state starts at 0).
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(23) ^ n;
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hasher_uses_every_part_of_a_pair() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<KeyHasher>::default();
        // A single key hashes as itself.
        assert_eq!(b.hash_one(0x1234_5678_9abc_def0u64), 0x1234_5678_9abc_def0);
        // Pairs with one context but different sentences hash apart.
        let ctx = 0xdead_beef_u64;
        let hashes: std::collections::BTreeSet<u64> =
            (0..1000u64).map(|s| b.hash_one((s.wrapping_mul(0x9e37_79b9_7f4a_7c15), ctx))).collect();
        assert_eq!(hashes.len(), 1000);
    }
}
