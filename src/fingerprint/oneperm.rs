//! One-permutation MinHash: one mix per shingle picks a bin and a value,
//! then densification fills the bins no shingle reached. For whole
//! documents; see [`OnePermutationHasher`] for the method and its error.

use super::Signature;
use super::mix::{fmix64, splitmix64};

/// One-permutation MinHash with densification: `n` values from **one** hash
/// per shingle, for long texts (whole documents).
///
/// Each shingle hash `x` is mixed once (`murmur3` finaliser of `x ⊕ s`,
/// `s` from the seed); the high 32 bits of the mix pick one of `n` bins, the
/// low 32 bits are its value, and each bin keeps its minimum (Li, Owen and
/// Zhang, 2012). Bins that no shingle reached are filled by densification
/// (Shrivastava, 2017; in the round-robin order of Mai et al., 2019): in
/// rounds `r = 1, 2, …`, every bin that a shingle reached, in order,
/// proposes a bin `g(j, r)` (SplitMix64 of the seed, `j` and `r`), and an
/// empty bin takes the value of the first bin that proposes it. Each empty
/// bin thus copies the first non-empty bin of a fixed pseudo-random
/// sequence, which keeps the estimate unbiased.
///
/// **Error.** For two sets with Jaccard similarity `J`, each position of
/// the signatures agrees with probability `J` (up to 32-bit collisions),
/// and the fraction of agreeing positions has standard error close to
/// classic MinHash's `√(J(1−J)/n)` (measured in the property tests).
/// The cost is one mix per shingle plus `O(n log n)` for densification,
/// against `n` hashes per shingle for [`MinHasher`]: the right choice for
/// documents with hundreds of shingles or more. For short sets (a sentence
/// has fewer shingles than bins) densification copies values between
/// positions, so positions inside one LSH band are correlated and the
/// band collision curve is not the classic `1 − (1 − Jʳ)ᵇ`; the corpus
/// [`Index`](crate::Index) therefore signs its sentence units with
/// [`MinHasher`]. Signatures of the two hashers are not comparable.
///
/// ```
/// use neardup::fingerprint::OnePermutationHasher;
///
/// let m = OnePermutationHasher::new(128, 42);
/// let a = m.signature(0..2000u64);
/// let b = m.signature(1000..3000u64); // exact Jaccard 1/3
/// assert!((a.similarity(&b) - 1.0 / 3.0).abs() < 0.1);
/// ```
///
/// [`MinHasher`]: super::MinHasher
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnePermutationHasher {
    n: usize,
    /// Xored into every shingle hash before mixing.
    key: u64,
    /// Seeds the densification sequence.
    dens: u64,
}

impl OnePermutationHasher {
    /// A hasher producing signatures of `n` values (`n ≥ 1`; 0 is taken as
    /// 1), seeded with `seed`.
    pub fn new(n: usize, seed: u64) -> OnePermutationHasher {
        OnePermutationHasher { n: n.max(1), key: splitmix64(seed ^ OPH_KEY), dens: splitmix64(seed ^ OPH_DENS) }
    }

    /// The number of values in each signature.
    pub fn num_hashes(&self) -> usize {
        self.n
    }

    /// The signature of a set of shingle hashes (duplicates do not matter;
    /// the empty set gives all `u32::MAX`, like [`MinHasher::signature`]).
    ///
    /// ```
    /// use neardup::fingerprint::OnePermutationHasher;
    ///
    /// let m = OnePermutationHasher::new(64, 0);
    /// assert_eq!(m.signature([3u64, 1, 2]), m.signature([1u64, 2, 3, 3]));
    /// assert_eq!(m.signature([7u64]).0, vec![m.signature([7u64]).0[0]; 64]);
    /// ```
    ///
    /// [`MinHasher::signature`]: super::MinHasher::signature
    pub fn signature(&self, shingles: impl IntoIterator<Item = u64>) -> Signature {
        let mut sketch = self.sketch();
        for x in shingles {
            sketch.add(x);
        }
        sketch.finish()
    }

    /// An empty sketch to feed shingles one at a time.
    pub(crate) fn sketch(&self) -> OnePermutationSketch<'_> {
        OnePermutationSketch { hasher: self, mins: vec![u32::MAX; self.n], filled: vec![false; self.n] }
    }
}

const OPH_KEY: u64 = 0x6F6E_6570_6572_6D31; // "oneperm1"
const OPH_DENS: u64 = 0x6465_6E73_6966_7931; // "densify1"

/// A [`OnePermutationHasher`] signature being built.
pub(crate) struct OnePermutationSketch<'a> {
    hasher: &'a OnePermutationHasher,
    mins: Vec<u32>,
    filled: Vec<bool>,
}

impl OnePermutationSketch<'_> {
    /// Adds one shingle hash.
    #[inline]
    pub(crate) fn add(&mut self, x: u64) {
        let h = fmix64(x ^ self.hasher.key);
        let bin = bin_of(h, self.mins.len());
        self.mins[bin] = self.mins[bin].min(h as u32);
        self.filled[bin] = true;
    }

    /// Densifies and returns the signature.
    pub(crate) fn finish(self) -> Signature {
        let OnePermutationSketch { hasher, mut mins, mut filled } = self;
        let n = mins.len();
        let sources: Vec<usize> = (0..n).filter(|&j| filled[j]).collect();
        let mut empty = n - sources.len();
        if sources.is_empty() || empty == 0 {
            return Signature(mins);
        }
        // Every round each source proposes one bin; all bins are filled
        // after about (n / sources) ln n rounds. The cap is never reached
        // in practice (it would take 2^-60 luck); past it, empty bins take
        // the next source clockwise, still a set-independent rule.
        let mut round = 0u64;
        while empty > 0 && round < DENSIFY_MAX_ROUNDS {
            round += 1;
            for &j in &sources {
                let target = bin_of(splitmix64(hasher.dens ^ (round << 32 | j as u64)), n);
                if !filled[target] {
                    filled[target] = true;
                    mins[target] = mins[j];
                    empty -= 1;
                }
            }
        }
        if empty > 0 {
            for i in 0..n {
                if !filled[i] {
                    let j = (1..n).map(|d| (i + d) % n).find(|&j| sources.binary_search(&j).is_ok()).unwrap_or(i);
                    mins[i] = mins[j];
                }
            }
        }
        Signature(mins)
    }
}

/// Densification rounds before the fallback in
/// [`OnePermutationSketch::finish`].
const DENSIFY_MAX_ROUNDS: u64 = 1 << 16;

/// One of `n` bins from the high 32 bits of `h` (multiply-shift range
/// reduction: no division, no modulo bias beyond 2⁻³²).
#[inline(always)]
fn bin_of(h: u64, n: usize) -> usize {
    (((h >> 32) * n as u64) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_permutation_densifies_every_bin() {
        let m = OnePermutationHasher::new(128, 9);
        assert_eq!(m.signature(std::iter::empty()), Signature(vec![u32::MAX; 128]));
        // One shingle: every bin holds its value.
        let one = m.signature([77u64]);
        assert!(one.0.iter().all(|&v| v == one.0[0]));
        // A few shingles: every value is one of theirs, every one is used
        // at least in its own bin.
        let few = m.signature([1u64, 2, 3, 4, 5]);
        let own: Vec<u32> = [1u64, 2, 3, 4, 5].iter().map(|&x| fmix64(x ^ m.key) as u32).collect();
        assert!(few.0.iter().all(|v| own.contains(v)));
        assert!(own.iter().all(|v| few.0.contains(v)));
        // Many shingles: almost no bin is empty, each holds the minimum of
        // the shingles that fall into it.
        let xs: Vec<u64> = (0..5000).collect();
        let many = m.signature(xs.iter().copied());
        for bin in 0..128 {
            let want = xs.iter().map(|&x| fmix64(x ^ m.key)).filter(|&h| bin_of(h, 128) == bin).map(|h| h as u32).min();
            if let Some(want) = want {
                assert_eq!(many.0[bin], want, "bin {bin}");
            }
        }
        // Deterministic, order-free, seed-dependent; odd sizes work.
        assert_eq!(m.signature(xs.iter().rev().copied()), many);
        assert_ne!(OnePermutationHasher::new(128, 10).signature(xs.iter().copied()), many);
        assert_eq!(OnePermutationHasher::new(7, 1).signature([5u64, 6]).len(), 7);
        assert_eq!(OnePermutationHasher::new(0, 1).num_hashes(), 1);
    }
}
