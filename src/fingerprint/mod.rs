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

// Shared mixes, then the stages in the order data flows: word hashes →
// shingle hashes → signatures.
mod mix;
mod shingle;

use self::mix::{PHI, fmix64, splitmix64};
pub use self::shingle::{Shingler, for_each_shingle, shingles};

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

/// Computes MinHash signatures with `n` hash functions derived from one
/// seed (see the [module docs](self) for the exact mix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHasher {
    a: Vec<u32>,
    b: Vec<u32>,
}

impl MinHasher {
    /// A hasher producing signatures of `n` values, seeded with `seed`.
    ///
    /// ```
    /// let m = neardup::fingerprint::MinHasher::new(128, 7);
    /// assert_eq!(m.num_hashes(), 128);
    /// ```
    pub fn new(n: usize, seed: u64) -> MinHasher {
        let a = (0..n as u64).map(|i| (splitmix64(seed ^ (2 * i + 1).wrapping_mul(PHI)) >> 32) as u32 | 1).collect();
        let b = (0..n as u64).map(|i| (splitmix64(seed ^ (2 * i + 2).wrapping_mul(PHI)) >> 32) as u32).collect();
        MinHasher { a, b }
    }

    /// The number of values in each signature.
    ///
    /// ```
    /// assert_eq!(neardup::fingerprint::MinHasher::new(16, 0).num_hashes(), 16);
    /// ```
    pub fn num_hashes(&self) -> usize {
        self.a.len()
    }

    /// The signature of a set of shingle hashes (duplicates do not matter).
    ///
    /// ```
    /// use neardup::fingerprint::MinHasher;
    ///
    /// let m = MinHasher::new(128, 0);
    /// assert_eq!(m.signature([3u64, 1, 2]), m.signature([1u64, 2, 3, 3]));
    /// ```
    pub fn signature(&self, shingles: impl IntoIterator<Item = u64>) -> Signature {
        let mut mins = vec![u32::MAX; self.a.len()];
        // Shingles go through a small buffer, mixed to 32 bits, that stays
        // in L1 while every hash function runs over it (see `update_mins`).
        let mut buf = [0u32; SIGNATURE_CHUNK];
        let mut shingles = shingles.into_iter();
        loop {
            let mut len = 0;
            for (slot, x) in buf.iter_mut().zip(&mut shingles) {
                *slot = (fmix64(x) >> 32) as u32;
                len += 1;
            }
            update_mins(&mut mins, &self.a, &self.b, &buf[..len]);
            if len < SIGNATURE_CHUNK {
                break;
            }
        }
        Signature(mins)
    }
}

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

/// Shingles per pass of [`update_mins`]: 4 KiB, well inside L1.
const SIGNATURE_CHUNK: usize = 512;

/// `h(a, b, y) = (a · y + b) mod 2³²`, the MinHash mix of a mixed shingle.
#[inline(always)]
fn mix(a: u32, b: u32, y: u32) -> u32 {
    a.wrapping_mul(y).wrapping_add(b)
}

/// Hash functions per block of [`update_mins`]: one 512-bit vector of
/// 32-bit lanes.
const LANES32: usize = 16;

/// Lowers `mins[i]` to the minimum of `h(a[i], b[i], y)` over `ys`, with
/// the widest vectors the CPU has ([`dispatch`]).
fn update_mins(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    dispatch::update_mins(mins, a, b, ys)
}

/// [`update_mins`] in portable code.
///
/// Hash-outer in blocks of 16, shingle-inner: a block's minima and
/// parameters stay in registers (one vector register with AVX-512, two
/// with AVX2, four with SSE) while the shingles stream from L1, and the
/// 16 lanes are plain `u32` arithmetic the compiler vectorises. Same values
/// as the obvious double loop.
#[inline(always)]
fn update_mins_portable(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    if ys.is_empty() {
        return;
    }
    let mut blocks = mins.chunks_exact_mut(LANES32);
    let mut i = 0;
    for m in &mut blocks {
        let mut lanes = [0u32; LANES32];
        lanes.copy_from_slice(m);
        let mut pa = [0u32; LANES32];
        pa.copy_from_slice(&a[i..i + LANES32]);
        let mut pb = [0u32; LANES32];
        pb.copy_from_slice(&b[i..i + LANES32]);
        for &y in ys {
            for j in 0..LANES32 {
                lanes[j] = lanes[j].min(mix(pa[j], pb[j], y));
            }
        }
        m.copy_from_slice(&lanes);
        i += LANES32;
    }
    for (k, m) in blocks.into_remainder().iter_mut().enumerate() {
        *m = ys.iter().fold(*m, |m, &y| m.min(mix(a[i + k], b[i + k], y)));
    }
}

/// Runtime CPU-feature dispatch for [`update_mins`]: the crate's only
/// `unsafe` code.
///
/// The default build targets baseline x86-64 (SSE2), which has no 32-bit
/// vector multiply: the 16-lane kernel is emulated with 64-bit multiplies
/// and shuffles. The same portable kernel compiled with AVX2 or AVX-512F
/// enabled uses `vpmulld` on 8 or 16 lanes. Each variant is the portable
/// function inlined into a `#[target_feature]` wrapper, so all compute the
/// same `u32` arithmetic and give bit-identical signatures (tested); the
/// only unsafe operation is calling a wrapper, after
/// `is_x86_feature_detected!` has confirmed the CPU supports its features.
#[allow(unsafe_code)]
mod dispatch {
    use super::update_mins_portable;

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
    pub(super) fn avx512(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
        update_mins_portable(mins, a, b, ys)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) fn avx2(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
        update_mins_portable(mins, a, b, ys)
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
    fn empty_set_signature_is_max() {
        let m = MinHasher::new(4, 0);
        assert_eq!(m.signature(std::iter::empty()), Signature(vec![u32::MAX; 4]));
    }

    #[test]
    fn signature_matches_the_plain_double_loop() {
        // Odd and even numbers of hashes, and shingle counts around the
        // chunk size of `update_mins`.
        for n in [1, 2, 3, 8, 15, 16, 17, 33, 127, 128] {
            let m = MinHasher::new(n, 3);
            for len in [0, 1, 2, SIGNATURE_CHUNK - 1, SIGNATURE_CHUNK, SIGNATURE_CHUNK + 1, 3 * SIGNATURE_CHUNK + 7] {
                let xs: Vec<u64> = (0..len as u64).map(|i| splitmix64(i ^ 0xABCD)).collect();
                let naive: Vec<u32> = (0..n)
                    .map(|i| {
                        xs.iter()
                            .map(|&x| m.a[i].wrapping_mul((fmix64(x) >> 32) as u32).wrapping_add(m.b[i]))
                            .min()
                            .unwrap_or(u32::MAX)
                    })
                    .collect();
                assert_eq!(m.signature(xs.iter().copied()).0, naive, "n = {n}, len = {len}");
            }
        }
    }

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

    #[test]
    fn every_cpu_variant_gives_the_same_minima() {
        for n in [1, 15, 16, 17, 33, 128, 1000] {
            let m = MinHasher::new(n, 11);
            for len in [0, 1, 7, 600] {
                let ys: Vec<u32> = (0..len as u64).map(|i| splitmix64(i) as u32).collect();
                let mut want = vec![u32::MAX; n];
                update_mins_portable(&mut want, &m.a, &m.b, &ys);
                let mut got = vec![u32::MAX; n];
                update_mins(&mut got, &m.a, &m.b, &ys);
                assert_eq!(got, want, "dispatched, n = {n}, len = {len}");
                #[cfg(target_arch = "x86_64")]
                {
                    #[allow(unsafe_code)]
                    if std::arch::is_x86_feature_detected!("avx2") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX2 is supported (checked just above).
                        unsafe { dispatch::avx2(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "avx2, n = {n}, len = {len}");
                    }
                    #[allow(unsafe_code)]
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        let mut v = vec![u32::MAX; n];
                        // SAFETY: AVX-512F is supported (checked just above).
                        unsafe { dispatch::avx512(&mut v, &m.a, &m.b, &ys) };
                        assert_eq!(v, want, "avx512, n = {n}, len = {len}");
                    }
                }
            }
        }
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
