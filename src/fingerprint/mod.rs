//! Stage 2, fingerprints: word shingles and MinHash signatures.
//!
//! A *shingle* is a run of `k` consecutive words. Its hash combines the
//! `k` word hashes ([`Token::hash`](crate::text::Token::hash), themselves seeded hashes of the
//! normalised words) as a cyclic polynomial, `x = ⊕ⱼ rotl(wⱼ, 7·(k−1−j))`
//! (the last word unrotated), finished with the murmur3 mix of `x ⊕ s ⊕
//! k·φ` (`s` from the seed): a hash independent of how the words were
//! spelled or separated in the original text, that slides from one window
//! to the next in a few operations per word ([`Shingler`]).
//!
//! A [`Signature`] holds `n` MinHash values of a shingle set. Each shingle
//! hash `x` is first mixed to 32 bits, `y = fmix64(x) >> 32` (murmur3's
//! finaliser, so that any input — sequential integers too — behaves like
//! random hashes); value `i` is the minimum over the set of
//! `h_i(y) = (a_i · y + b_i) mod 2³²`, where `a_i` (odd) and `b_i` are the
//! high 32 bits of SplitMix64 outputs seeded with the configured seed:
//! `a_i = splitmix64(seed ⊕ (2i+1)·φ) >> 32 | 1`, `b_i = splitmix64(seed ⊕
//! (2i+2)·φ) >> 32` with `φ = 0x9E3779B97F4A7C15`. Sixteen such 32-bit
//! lanes fill one AVX-512 register, so the kernel runs 16 hash functions
//! per instruction on CPUs that have it (chosen at run time, with the same
//! results everywhere). No `std` hasher and no random number generator is
//! involved, so signatures are the same on every machine and in every
//! version of this crate that keeps [`SIGNATURE_VERSION`]; a golden test
//! pins them.
//!
//! The fraction of equal values in two signatures estimates the Jaccard
//! similarity `J` of the two sets with standard error `√(J(1−J)/n)`.
//!
//! [`OnePermutationHasher`] is the fast alternative for long texts (one
//! hash per shingle instead of `n`), used for whole-document signatures
//! ([`Detector::document_signature`](crate::Detector::document_signature)).

// The fixed mixes the stages below share.
mod mix;
pub(crate) use mix::KeyHasher;
// Word hashes → shingle hashes.
mod shingle;
// Shingle hashes → classic MinHash signatures (sentence units).
mod minhash;
// Shingle hashes → one-permutation signatures (whole documents).
mod oneperm;
// Sentence and paragraph keys (boilerplate) and the exact-duplicate key.
mod segment;
// Word-gram hashes → the winnowed fingerprints of the candidate index.
mod winnow;
// Sentences → sets of word stems (the rewritten-reuse candidates).
mod bags;

pub use self::bags::{BAG_MIN_CHARS, BAG_MIN_STEMS, sentence_stem_sets, stem_set};
pub(crate) use self::bags::{
    Folded, FoldedArticle, FoldedStem, overlap, overlap_by, sentence_stem_sets_folded, with_frequencies,
};
pub use self::minhash::MinHasher;
pub use self::oneperm::OnePermutationHasher;
pub use self::segment::{SegmentKey, duplicate_key, segment_keys};
pub use self::shingle::{Shingler, for_each_shingle, shingles};
pub use self::winnow::winnow;

/// Bumped whenever the shingle hash or the MinHash mix changes, so that
/// stored signatures can be recognised as stale.
///
/// Version 2 (neardup 0.2): words of up to 16 bytes are hashed with
/// [`word_hash`](crate::text::word_hash)'s folded multiplies instead of
/// xxh3, shingle hashes are a cyclic polynomial of the word hashes instead
/// of xxh3 of their bytes, and MinHash values are 32-bit affine maps of the
/// mixed shingle instead of 64-bit multiply-shift.
pub const SIGNATURE_VERSION: u32 = 2;

/// The largest shingle size accepted by the configuration.
pub const MAX_SHINGLE_SIZE: usize = 32;

/// The most MinHash values a signature may have (also
/// `neardup::MAX_NUM_HASHES`).
pub const MAX_NUM_HASHES: usize = 1024;

/// A MinHash signature: `n` minimum hash values of one shingle set.
///
/// The signature of an empty set is all `u32::MAX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// The number of hash values.
    ///
    /// ```
    /// let m = neardup::fingerprint::MinHasher::new(64, 1);
    /// assert_eq!(m.signature([1u64, 2, 3]).len(), 64);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the signature has no values.
    ///
    /// ```
    /// let m = neardup::fingerprint::MinHasher::new(8, 1);
    /// assert!(!m.signature([1u64]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The MinHash estimate of the Jaccard similarity of the two sets: the
    /// fraction of positions where the values agree. Signatures of different
    /// lengths compare over the shorter one's length.
    ///
    /// ```
    /// use neardup::fingerprint::MinHasher;
    ///
    /// let m = MinHasher::new(256, 42);
    /// let a = m.signature(0..1000u64);
    /// let b = m.signature(500..1500u64); // exact Jaccard 1/3
    /// assert!((a.similarity(&b) - 1.0 / 3.0).abs() < 0.1);
    /// ```
    pub fn similarity(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    #[test]
    fn seed_changes_everything() {
        let a = analyze("one two three four", 0);
        assert_ne!(shingles(&a.tokens, 2, 0), shingles(&a.tokens, 2, 1));
        assert_ne!(MinHasher::new(4, 0), MinHasher::new(4, 1));
    }

    #[test]
    fn golden_signature() {
        // Pinned: a change here breaks every stored signature and must bump
        // SIGNATURE_VERSION.
        let a = analyze("Azerbaijan is one of the most important countries in the region.", 0);
        let s = shingles(&a.tokens, 3, 0);
        assert_eq!(s[0], GOLDEN_FIRST_SHINGLE);
        let sig = MinHasher::new(8, 0).signature(s.iter().copied());
        assert_eq!(sig.0, GOLDEN_SIG);
        let oph = OnePermutationHasher::new(8, 0).signature(s);
        assert_eq!(oph.0, GOLDEN_OPH);
    }

    const GOLDEN_FIRST_SHINGLE: u64 = 12806597849140319820;
    const GOLDEN_OPH: [u32; 8] =
        [1853860344, 1113848647, 1990473568, 1372454013, 1853860344, 1113848647, 1990473568, 951624981];
    const GOLDEN_SIG: [u32; 8] = [163582578, 131342813, 801485981, 70490185, 160768759, 3404557, 1254787390, 288860204];
}
