//! The seeded 64-bit hash of a normalised word.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The hash of a normalised word (its [`Token::hash`](super::Token::hash)), seeded.
///
/// Words of up to 16 bytes (nearly all) take a branch-free path: the bytes,
/// zero-padded to 16, as two 64-bit halves `lo` and `hi`, go through two
/// folded multiplies (the 128-bit product's halves xored, as in wyhash):
/// `m = fold(lo ⊕ s ⊕ K₁, hi ⊕ K₂ ⊕ len·φ)`, `hash = fold(m ⊕ K₃, s ⊕ K₄)`,
/// `s` the seed. Longer words are hashed with `xxh3_64_with_seed`.
///
/// ```
/// use neardup::text::{analyze, word_hash};
///
/// let a = analyze("Straße", 3);
/// assert_eq!(a.tokens[0].hash, word_hash(b"strasse", 3));
/// assert_ne!(word_hash(b"a", 3), word_hash(b"a\0", 3));
/// ```
pub fn word_hash(word: &[u8], seed: u64) -> u64 {
    if word.len() > 16 {
        return xxh3_64_with_seed(word, seed);
    }
    let mut padded = [0u8; 16];
    padded[..word.len()].copy_from_slice(word);
    short_word_hash(u128::from_le_bytes(padded), word.len(), seed)
}

/// [`word_hash`] of `buf[start..end]` where `buf` has at least 16 bytes
/// from `start` (bytes past `end` are masked off).
#[inline(always)]
pub(super) fn padded_word_hash(buf: &[u8], start: usize, end: usize, seed: u64) -> u64 {
    let len = end - start;
    match buf.get(start..start + 16) {
        Some(window) if (1..=16).contains(&len) => {
            let x = u128::from_le_bytes(window.try_into().unwrap_or([0; 16])) & (u128::MAX >> (128 - 8 * len));
            short_word_hash(x, len, seed)
        }
        _ => word_hash(&buf[start..end], seed),
    }
}

#[inline(always)]
pub(super) fn short_word_hash(x: u128, len: usize, seed: u64) -> u64 {
    const K1: u64 = 0xA076_1D64_78BD_642F;
    const K2: u64 = 0xE703_7ED1_A0B4_28DB;
    const K3: u64 = 0x8EBC_6AF0_9C88_C6E3;
    const K4: u64 = 0x5899_65CC_7537_4CC3;
    let m = fold_mul(x as u64 ^ seed ^ K1, (x >> 64) as u64 ^ K2 ^ (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    fold_mul(m ^ K3, seed ^ K4)
}

/// The 128-bit product of `a` and `b`, its halves xored.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ (p >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_word_hash_is_word_hash() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        let mut buf = text.clone();
        buf.extend_from_slice(&[0; 16]);
        for start in 0..text.len() {
            for end in start + 1..=text.len() {
                assert_eq!(padded_word_hash(&buf, start, end, 7), word_hash(&text[start..end], 7), "{start}..{end}");
            }
        }
        // Distinct words (by content or length) hash apart.
        let mut seen = std::collections::HashSet::new();
        for len in 0..=20 {
            for b in [b'a', b'b', 0] {
                assert!(seen.insert(word_hash(&vec![b; len], 1)) || len == 0 && b != b'a', "{b} x {len}");
            }
        }
    }
}
