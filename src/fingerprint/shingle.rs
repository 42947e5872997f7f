//! Shingles: the hashes of the `k`-word windows of a text, from its word
//! hashes, as a whole ([`shingles`], [`for_each_shingle`]) or one word at a
//! time ([`Shingler`]). The hash is defined in the
//! [module docs](crate::fingerprint).

use super::MAX_SHINGLE_SIZE;
use super::mix::{PHI, fmix64, splitmix64};
use crate::text::Token;

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
    let mut shingler = Shingler::new(k, seed);
    for t in tokens {
        if let Some(h) = shingler.push(t.hash) {
            f(h);
        }
    }
    if let Some(h) = shingler.finish() {
        f(h);
    }
}

/// The rotation between two consecutive words of a shingle: odd, so the
/// `MAX_SHINGLE_SIZE` positions get distinct rotations.
const SHINGLE_ROTATION: u32 = 7;

/// Mixed into the seed for [`Shingler`]'s finishing key.
const SHINGLE_KEY: u64 = 0x7368_696E_676C_6532; // "shingle2"

/// Shingles of a stream of word hashes, one word at a time: the same values
/// as [`shingles`] on the same words, without holding them.
///
/// ```
/// use neardup::{fingerprint::{Shingler, shingles}, text::analyze};
///
/// let a = analyze("one two three four five", 0);
/// let mut s = Shingler::new(3, 0);
/// let mut streamed: Vec<u64> = a.tokens.iter().filter_map(|t| s.push(t.hash)).collect();
/// streamed.extend(s.finish());
/// assert_eq!(streamed, shingles(&a.tokens, 3, 0));
/// ```
#[derive(Clone, Debug)]
pub struct Shingler {
    k: usize,
    /// Finishing key, from the seed.
    key: u64,
    /// The last `k` word hashes, oldest at `slot` once the ring is full.
    ring: [u64; MAX_SHINGLE_SIZE],
    /// Where the next word goes (words seen, modulo `k`).
    slot: usize,
    /// Words seen.
    words: usize,
    /// The cyclic polynomial of the words in the window.
    poly: u64,
}

impl Shingler {
    /// A shingler for `k`-word shingles hashed with `seed` (`k` clamped to
    /// `1..=MAX_SHINGLE_SIZE`, as in [`shingles`]).
    pub fn new(k: usize, seed: u64) -> Shingler {
        Shingler {
            k: k.clamp(1, MAX_SHINGLE_SIZE),
            key: splitmix64(seed ^ SHINGLE_KEY),
            ring: [0; MAX_SHINGLE_SIZE],
            slot: 0,
            words: 0,
            poly: 0,
        }
    }

    /// Adds the next word's hash; returns the hash of the shingle it
    /// completes, if any.
    #[inline]
    pub fn push(&mut self, word: u64) -> Option<u64> {
        let k = self.k;
        self.poly = self.poly.rotate_left(SHINGLE_ROTATION) ^ word;
        self.ring[self.slot] = word;
        self.slot = if self.slot + 1 == k { 0 } else { self.slot + 1 };
        self.words += 1;
        if self.words < k {
            return None;
        }
        let h = self.finish_poly(k);
        // The oldest word leaves the window before the next one comes.
        let oldest = self.ring[self.slot];
        self.poly ^= oldest.rotate_left(SHINGLE_ROTATION.wrapping_mul(k as u32 - 1));
        Some(h)
    }

    #[inline(always)]
    fn finish_poly(&self, words: usize) -> u64 {
        fmix64(self.poly ^ self.key ^ (words as u64).wrapping_mul(PHI))
    }

    /// Ends the text: the single shingle of a text with fewer than `k`
    /// words (but at least one), else `None`. The shingler starts afresh.
    pub fn finish(&mut self) -> Option<u64> {
        let n = std::mem::take(&mut self.words);
        let h = (n > 0 && n < self.k).then(|| self.finish_poly(n));
        self.slot = 0;
        self.poly = 0;
        h
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
    fn shingles_match_the_polynomial_per_window() {
        let tokens: Vec<Token> =
            (0..200u64).map(|i| Token { span: crate::span::Span::new(0, 0), hash: splitmix64(i % 37) }).collect();
        let key = splitmix64(9 ^ SHINGLE_KEY);
        let hash = |w: &[Token]| {
            let m = w.len();
            let poly = w.iter().enumerate().fold(0u64, |x, (j, t)| x ^ t.hash.rotate_left(7 * (m - 1 - j) as u32));
            fmix64(poly ^ key ^ (m as u64).wrapping_mul(PHI))
        };
        for k in [1, 2, 5, MAX_SHINGLE_SIZE] {
            for len in [0, 1, 2, 4, 5, 6, 31, 32, 33, 64, 200] {
                let t = &tokens[..len];
                let want: Vec<u64> = if len == 0 {
                    Vec::new()
                } else if len < k {
                    vec![hash(t)]
                } else {
                    t.windows(k).map(hash).collect()
                };
                assert_eq!(shingles(t, k, 9), want, "k = {k}, len = {len}");
            }
        }
        // Order matters.
        let (a, b) = (splitmix64(1), splitmix64(2));
        let tok = |h| Token { span: crate::span::Span::new(0, 0), hash: h };
        assert_ne!(shingles(&[tok(a), tok(b)], 2, 0), shingles(&[tok(b), tok(a)], 2, 0));
    }

    #[test]
    fn shingler_matches_shingles() {
        let tokens: Vec<Token> =
            (0..150u64).map(|i| Token { span: crate::span::Span::new(0, 0), hash: splitmix64(i) }).collect();
        for k in [1, 2, 3, 5, MAX_SHINGLE_SIZE] {
            for len in [0, 1, 2, 4, 5, 6, 31, 32, 33, 150] {
                let t = &tokens[..len];
                let mut s = Shingler::new(k, 4);
                let mut got: Vec<u64> = t.iter().filter_map(|t| s.push(t.hash)).collect();
                got.extend(s.finish());
                assert_eq!(got, shingles(t, k, 4), "k = {k}, len = {len}");
                // The shingler starts afresh after finish.
                let mut again: Vec<u64> = t.iter().filter_map(|t| s.push(t.hash)).collect();
                again.extend(s.finish());
                assert_eq!(again, got);
            }
        }
    }
}
