//! The ASCII fast path: finding runs of ASCII bytes, and the words of an
//! ASCII region read off a bitmap built eight bytes at a time, with the
//! SWAR bit helpers that build it.

use super::class::ASCII_WORD;
use super::hash::padded_word_hash;
use crate::span::Span;

/// The end of the run of ASCII bytes starting at `from`: the first
/// non-ASCII byte at or after `from`, or `bytes.len()`. Tests 16 bytes at a
/// time.
pub(super) fn ascii_run_end(bytes: &[u8], from: usize) -> usize {
    let rest = &bytes[from.min(bytes.len())..];
    let mut blocks = rest.chunks_exact(16);
    let mut end = from;
    for block in &mut blocks {
        if block.iter().fold(0, |acc, &b| acc | b) >= 0x80 {
            break;
        }
        end += 16;
    }
    end + bytes[end..].iter().position(|&b| b >= 0x80).unwrap_or(bytes.len() - end)
}

/// The words of the ASCII text `bytes[from..to]`, which starts and ends
/// outside any word (at the ends of the text or after a separator):
/// `f(span, hash)` for each, in order, with `seed` as in
/// [`word_hash`](super::word_hash). `lower` is scratch space, left empty.
///
/// Branch-light: the text is lower-cased into `lower` in one go, a bitmap
/// of its word bytes (letters, digits, apostrophes between two of them)
/// is built eight bytes at a time, and words are read off the bitmap's
/// edges 64 bytes at a time, then hashed in place.
pub(super) fn words(
    bytes: &[u8],
    from: usize,
    to: usize,
    lower: &mut Vec<u8>,
    seed: u64,
    f: &mut impl FnMut(Span, u64),
) {
    lower.clear();
    lower.extend_from_slice(&bytes[from..to]);
    lower.make_ascii_lowercase();
    let n = lower.len();
    // Zeros after the text, so that `padded_word_hash` can read 16
    // bytes from any word start.
    lower.extend_from_slice(&[0; 16]);
    // Letters and digits, and apostrophes, one bit per byte, 64 bytes
    // per block; a block's apostrophe joins need the next block's first
    // bit, so the masks run one block ahead.
    let blocks = n.div_ceil(64);
    let masks = |b: usize| -> (u64, u64) {
        let block = &lower[64 * b..(64 * b + 64).min(n)];
        let (mut word, mut apos) = (0u64, 0u64);
        for (j, chunk) in block.chunks(8).enumerate() {
            let mut eight = [0u8; 8];
            eight[..chunk.len()].copy_from_slice(chunk);
            let w = u64::from_le_bytes(eight);
            word |= pack_high_bits(ascii_word_lanes(w)) << (8 * j);
            apos |= pack_high_bits(byte_lanes(w, b'\'')) << (8 * j);
        }
        (word, apos)
    };
    let mut cur = masks(0);
    let (mut prev_top, mut open, mut carry) = (0u64, 0usize, 0u64);
    for b in 0..blocks {
        let next = if b + 1 < blocks { masks(b + 1) } else { (0, 0) };
        let (w, a) = cur;
        // An apostrophe with a letter or digit on both sides joins them.
        let m = w | (a & ((w << 1) | prev_top) & ((w >> 1) | (next.0 << 63)));
        prev_top = w >> 63;
        cur = next;
        let shifted = (m << 1) | carry;
        let mut edges = (m & !shifted) | (!m & shifted);
        carry = m >> 63;
        while edges != 0 {
            let at = 64 * b + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            if m >> (at % 64) & 1 == 1 {
                open = at;
            } else {
                f(Span::new(from + open, from + at), padded_word_hash(lower, open, at, seed));
            }
        }
    }
    if carry == 1 {
        f(Span::new(from + open, from + n), padded_word_hash(lower, open, n, seed));
    }
    lower.clear();
}

/// `0x01` in every byte.
const LANES: u64 = u64::MAX / 255;
/// `0x80` in every byte.
const HIGH: u64 = LANES * 0x80;

/// The length of the run of ASCII letters and digits that starts `bytes`,
/// found eight bytes at a time (one well-predicted branch per short word
/// instead of a mispredicted loop exit).
#[inline(always)]
pub(super) fn ascii_word_len(bytes: &[u8]) -> usize {
    let mut n = 0;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let stop = !ascii_word_lanes(word) & HIGH;
        if stop != 0 {
            return n + (stop.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|&&b| ASCII_WORD[b as usize]).count()
}

/// The high bit of each byte of `w` that is an ASCII letter or digit (SWAR:
/// `(x | 0x80) - c` keeps the high bit exactly when `x >= c`, for `x < 0x80`,
/// without borrowing from the next byte).
#[inline(always)]
fn ascii_word_lanes(w: u64) -> u64 {
    let at_least = |x: u64, c: u8| ((x | HIGH) - LANES * u64::from(c)) & HIGH;
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let lower = w | (LANES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    (digit | letter) & !w & HIGH
}

/// The high bit of each byte of `w` that equals `c` (SWAR, exact: no
/// borrow crosses bytes).
#[inline(always)]
fn byte_lanes(w: u64, c: u8) -> u64 {
    let x = w ^ (LANES * u64::from(c));
    // High bit set where x's byte is zero.
    !(((x & !HIGH) + !HIGH) | x) & HIGH
}

/// The high bits of the eight bytes of `lanes` (every other bit clear),
/// packed into the low eight bits: byte `j` to bit `j`.
#[inline(always)]
fn pack_high_bits(lanes: u64) -> u64 {
    ((lanes >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_word_lanes_match_the_table() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                // The byte under test among neighbours that are and are not
                // word characters, so borrows between lanes would show.
                for fill in [b'a', b' ', 0xff, b'0', b'Z', 0x00] {
                    let mut bytes = [fill; 8];
                    bytes[lane] = b;
                    let lanes = ascii_word_lanes(u64::from_le_bytes(bytes));
                    for (j, &x) in bytes.iter().enumerate() {
                        assert_eq!(lanes >> (8 * j + 7) & 1 == 1, ASCII_WORD[x as usize], "{bytes:?} lane {j}");
                    }
                }
            }
        }
        for text in ["", "a", "abc def", "abcdefgh", "abcdefghi j", "0123456789abcdefXYZ_", "ab\u{e9}"] {
            let want = text.bytes().take_while(|&b| ASCII_WORD[b as usize]).count();
            assert_eq!(ascii_word_len(text.as_bytes()), want, "{text:?}");
        }
    }
}
