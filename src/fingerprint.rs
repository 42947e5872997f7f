//! Stage 2, fingerprints: word shingles and MinHash signatures.
//!
//! A *shingle* is a run of `k` consecutive words. Its hash is
//! `xxh3_64_with_seed` of the `k` word hashes ([`Token::hash`], themselves
//! seeded xxh3 of the normalised words) written as little-endian `u64`s, with
//! the configured seed: one xxh3 per shingle, independent of how the words
//! were spelled or separated in the original text.
//!
//! A [`Signature`] holds `n` MinHash values of a shingle set. Value `i` is
//! the minimum over the set of `h_i(x) = (a_i · x + b_i) mod 2⁶⁴ >> 32`
//! (multiply-shift hashing of the 64-bit shingle hash `x`), where `a_i`
//! (odd) and `b_i` come from SplitMix64 seeded with the configured seed:
//! `a_i = splitmix64(seed ⊕ (2i+1)·φ) | 1`, `b_i = splitmix64(seed ⊕
//! (2i+2)·φ)` with `φ = 0x9E3779B97F4A7C15`. No `std` hasher and no random
//! number generator is involved, so signatures are the same on every
//! machine and in every version of this crate that keeps
//! [`SIGNATURE_VERSION`]; a golden test pins them.
//!
//! The fraction of equal values in two signatures estimates the Jaccard
//! similarity `J` of the two sets with standard error `√(J(1−J)/n)`.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::text::Token;

/// Bumped whenever the shingle hash or the MinHash mix changes, so that
/// stored signatures can be recognised as stale.
pub const SIGNATURE_VERSION: u32 = 1;

/// The largest shingle size accepted by the configuration.
pub const MAX_SHINGLE_SIZE: usize = 32;

/// Hashes the `k`-word shingles of `tokens`, in order.
///
/// A text with fewer than `k` words (but at least one) has a single shingle
/// made of all its words; an empty text has none. `k` is clamped to
/// `1..=MAX_SHINGLE_SIZE`.
///
/// ```
/// use neardup::{fingerprint::shingles, text::analyze};
///
/// let a = analyze("the quick brown fox jumps", 0);
/// let s = shingles(&a.tokens, 3, 0);
/// assert_eq!(s.len(), 3);
/// // The same words give the same shingles, whatever the punctuation.
/// let b = analyze("The QUICK, brown fox", 0);
/// assert_eq!(shingles(&b.tokens, 3, 0)[..2], s[..2]);
/// ```
pub fn shingles(tokens: &[Token], k: usize, seed: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len());
    for_each_shingle(tokens, k, seed, |h| out.push(h));
    out
}

/// Calls `f` with the hash of each `k`-word shingle of `tokens`, in order,
/// without allocating. Same shingles as [`shingles`].
pub fn for_each_shingle(tokens: &[Token], k: usize, seed: u64, mut f: impl FnMut(u64)) {
    let k = k.clamp(1, MAX_SHINGLE_SIZE);
    if tokens.is_empty() {
        return;
    }
    let mut buf = [0u8; 8 * MAX_SHINGLE_SIZE];
    if tokens.len() < k {
        for (slot, t) in buf.chunks_exact_mut(8).zip(tokens) {
            slot.copy_from_slice(&t.hash.to_le_bytes());
        }
        f(xxh3_64_with_seed(&buf[..8 * tokens.len()], seed));
        return;
    }
    // The token hashes go into a buffer as little-endian bytes once per
    // block of windows, so that every window is a slice of it (instead of
    // `k` copies per shingle).
    let mut block = [0u8; 8 * (SHINGLE_BLOCK + MAX_SHINGLE_SIZE - 1)];
    let windows = tokens.len() - k + 1;
    let mut first = 0;
    while first < windows {
        let n = (windows - first).min(SHINGLE_BLOCK);
        for (slot, t) in block.chunks_exact_mut(8).zip(&tokens[first..first + n + k - 1]) {
            slot.copy_from_slice(&t.hash.to_le_bytes());
        }
        for j in 0..n {
            f(xxh3_64_with_seed(&block[8 * j..8 * (j + k)], seed));
        }
        first += n;
    }
}

/// Windows per block in [`for_each_shingle`].
const SHINGLE_BLOCK: usize = 64;

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

/// Computes MinHash signatures with `n` multiply-shift hash functions
/// derived from one seed (see the [module docs](self) for the exact mix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Steele, Lea and Flood, 2014).
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(PHI);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MinHasher {
    /// A hasher producing signatures of `n` values, seeded with `seed`.
    ///
    /// ```
    /// let m = neardup::fingerprint::MinHasher::new(128, 7);
    /// assert_eq!(m.num_hashes(), 128);
    /// ```
    pub fn new(n: usize, seed: u64) -> MinHasher {
        let a = (0..n as u64).map(|i| splitmix64(seed ^ (2 * i + 1).wrapping_mul(PHI)) | 1).collect();
        let b = (0..n as u64).map(|i| splitmix64(seed ^ (2 * i + 2).wrapping_mul(PHI))).collect();
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
        // Shingles go through a small buffer that stays in L1 while every
        // hash function runs over it (see `update_mins`).
        let mut buf = [0u64; SIGNATURE_CHUNK];
        let mut shingles = shingles.into_iter();
        loop {
            let mut len = 0;
            for (slot, x) in buf.iter_mut().zip(&mut shingles) {
                *slot = x;
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

/// Shingles per pass of [`update_mins`]: 4 KiB, well inside L1.
const SIGNATURE_CHUNK: usize = 512;

/// `h(a, b, x) = (a · x + b) mod 2⁶⁴ >> 32`, the MinHash mix.
#[inline(always)]
fn mix(a: u64, b: u64, x: u64) -> u32 {
    (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32
}

/// Lowers `mins[i]` to the minimum of `h(a[i], b[i], x)` over `xs`.
///
/// Hash-outer, shingle-inner, two hash functions per pass: the minima and
/// parameters stay in registers and the shingles stream from L1, so the
/// loop is one 64-bit multiply per value (the x86-64 baseline has no
/// vector 64-bit multiply; with AVX-512 the compiler vectorises the inner
/// loop over shingles instead). Same values as the obvious double loop.
fn update_mins(mins: &mut [u32], a: &[u64], b: &[u64], xs: &[u64]) {
    if xs.is_empty() {
        return;
    }
    let mut pairs = mins.chunks_exact_mut(2);
    let mut i = 0;
    for m in &mut pairs {
        let (a0, b0, a1, b1) = (a[i], b[i], a[i + 1], b[i + 1]);
        let (mut m0, mut m1) = (m[0], m[1]);
        for &x in xs {
            m0 = m0.min(mix(a0, b0, x));
            m1 = m1.min(mix(a1, b1, x));
        }
        m[0] = m0;
        m[1] = m1;
        i += 2;
    }
    if let [m] = pairs.into_remainder() {
        *m = xs.iter().fold(*m, |m, &x| m.min(mix(a[i], b[i], x)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    #[test]
    fn short_text_is_one_shingle() {
        let a = analyze("two words", 0);
        assert_eq!(shingles(&a.tokens, 5, 0).len(), 1);
        assert!(shingles(&[], 5, 0).is_empty());
    }

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
    fn shingles_match_one_hash_per_window() {
        let tokens: Vec<Token> = (0..3 * SHINGLE_BLOCK as u64 + 40)
            .map(|i| Token { span: crate::Span::new(0, 0), hash: splitmix64(i) })
            .collect();
        for k in [1, 2, 5, MAX_SHINGLE_SIZE] {
            for len in
                (0..tokens.len()).filter(|n| n % SHINGLE_BLOCK < 3 || n % SHINGLE_BLOCK > SHINGLE_BLOCK - 3 || *n < 40)
            {
                let t = &tokens[..len];
                let bytes = |w: &[Token]| w.iter().flat_map(|t| t.hash.to_le_bytes()).collect::<Vec<u8>>();
                let want: Vec<u64> = if len == 0 {
                    Vec::new()
                } else if len < k {
                    vec![xxh3_64_with_seed(&bytes(t), 9)]
                } else {
                    t.windows(k).map(|w| xxh3_64_with_seed(&bytes(w), 9)).collect()
                };
                assert_eq!(shingles(t, k, 9), want, "k = {k}, len = {len}");
            }
        }
    }

    #[test]
    fn signature_matches_the_plain_double_loop() {
        // Odd and even numbers of hashes, and shingle counts around the
        // chunk size of `update_mins`.
        for n in [1, 2, 3, 8, 127, 128] {
            let m = MinHasher::new(n, 3);
            for len in [0, 1, 2, SIGNATURE_CHUNK - 1, SIGNATURE_CHUNK, SIGNATURE_CHUNK + 1, 3 * SIGNATURE_CHUNK + 7] {
                let xs: Vec<u64> = (0..len as u64).map(|i| splitmix64(i ^ 0xABCD)).collect();
                let naive: Vec<u32> = (0..n)
                    .map(|i| {
                        xs.iter()
                            .map(|&x| (m.a[i].wrapping_mul(x).wrapping_add(m.b[i]) >> 32) as u32)
                            .min()
                            .unwrap_or(u32::MAX)
                    })
                    .collect();
                assert_eq!(m.signature(xs.iter().copied()).0, naive, "n = {n}, len = {len}");
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
        let sig = MinHasher::new(8, 0).signature(s);
        assert_eq!(sig.0, GOLDEN_SIG);
    }

    const GOLDEN_FIRST_SHINGLE: u64 = 5591248730054721800;
    const GOLDEN_SIG: [u32; 8] = [882871249, 856496406, 331532695, 554041289, 579501267, 7711659, 212663581, 524611236];
}
