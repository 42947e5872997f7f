//! Word forms conflated by prefix truncation: the stem of a word is its
//! first few normalised characters.

use super::Token;
use super::hash::{short_word_hash, word_hash};
use super::normalize::normalize_with;

/// The stem of each token: [`word_hash`] of the first `chars` characters of
/// the word's normalised form (the whole word when it is shorter; `chars`
/// = 0 keeps whole words), with `seed`; `tokens` are tokens of an
/// analysis of `text` with `seed` (an ASCII word no longer than the stem
/// takes its token's hash).
///
/// Prefix truncation conflates the inflected and derived forms of a word
/// (`inherit`, `inherits`, `inherited`, `inheritance` share `inher` at 5
/// characters) in any alphabetic script without a dictionary or a
/// language-specific stemmer; it is the conflation of rewritten-passage
/// detection (`DESIGN.md`, "Rewritten reuse", has the measurement of the
/// prefix length). Words of scripts written without spaces are one
/// character each, so they are their own stems.
///
/// ```
/// use neardup::text::{analyze, word_stems};
///
/// let text = "Inherited INHERITANCE inherits in";
/// let stems = word_stems(text, &analyze(text, 0).tokens, 5, 0);
/// assert_eq!(stems[0], stems[1]);
/// assert_eq!(stems[1], stems[2]);
/// assert_ne!(stems[2], stems[3]);
/// ```
pub fn word_stems(text: &str, tokens: &[Token], chars: usize, seed: u64) -> Vec<u64> {
    let limit = if chars == 0 { usize::MAX } else { chars };
    let mut buf = [0u8; 64];
    // The memo of folded characters, shared by the words (folding a word
    // on its own would make one per word).
    let mut cache = None;
    let bytes = text.as_bytes();
    // Words inside bytes all ASCII (most) are ASCII: the bytes from the
    // first word to the last, not the whole text (a caller may stem one
    // sentence of a long text).
    let (lo, hi) = match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => (first.span.start, last.span.end),
        _ => (0, 0),
    };
    // Words of most of the text: the whole text (then no word needs a
    // test of its own).
    let all_ascii = 2 * hi.saturating_sub(lo) >= bytes.len() && text.is_ascii();
    let ascii_run = !all_ascii && bytes.get(lo..hi).is_some_and(<[u8]>::is_ascii);
    tokens
        .iter()
        .map(|t| {
            // ASCII bytes are whole characters, so the word as it is (a
            // span out of the text, or cut inside a character, is no ASCII
            // bytes of the text: it takes the other way).
            let ascii = bytes
                .get(t.span.start..t.span.end)
                .filter(|w| all_ascii || (ascii_run && lo <= t.span.start && t.span.end <= hi) || w.is_ascii());
            if let Some(word) = ascii {
                if word.len() <= limit {
                    // An ASCII word is its own normalised form up to case:
                    // a word no longer than the stem is its own stem, whose
                    // hash the analysis has (most words of a text are this
                    // short).
                    return t.hash;
                }
                if limit <= 8
                    && let Some(eight) = bytes.get(t.span.start..t.span.start + 8)
                {
                    // The stem's bytes (and what follows, masked off) as
                    // one integer, folded to lowercase at once: the hash
                    // of the same bytes, zero-padded.
                    let x = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
                    let x = ascii_lowercase(x) & (u64::MAX >> (64 - 8 * limit));
                    return short_word_hash(u128::from(x), limit, seed);
                }
                if word.len() <= buf.len() {
                    // ASCII folds to lowercase ASCII byte for byte.
                    let n = word.len().min(limit);
                    for (dst, src) in buf.iter_mut().zip(word).take(n) {
                        *dst = src.to_ascii_lowercase();
                    }
                    return word_hash(&buf[..n], seed);
                }
            }
            // A span out of the text or cut inside a character takes its
            // token's hash, as a short word does.
            let Some(word) = text.get(t.span.start..t.span.end) else { return t.hash };
            // Not ASCII, or ASCII longer than the buffer.
            let folded = normalize_with(word, &mut cache);
            let s = folded.as_str();
            let end = s.char_indices().nth(limit).map_or(s.len(), |(i, _)| i);
            word_hash(&s.as_bytes()[..end], seed)
        })
        .collect()
}

/// `x` with the bytes of ASCII capitals made small: exact for the bytes
/// below the first byte that is not ASCII (a carry out of such a byte
/// reaches only the bytes above it).
fn ascii_lowercase(x: u64) -> u64 {
    const EACH: u64 = 0x0101_0101_0101_0101;
    // Per byte b < 0x80: b + 0x3F has its top bit from `A` on, b + 0x25
    // from the byte after `Z` on.
    let from_a = x.wrapping_add(0x3F * EACH);
    let past_z = x.wrapping_add(0x25 * EACH);
    let capitals = from_a & !past_z & (0x80 * EACH);
    x | (capitals >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    fn stems(text: &str, chars: usize) -> Vec<u64> {
        word_stems(text, &analyze(text, 7).tokens, chars, 7)
    }

    #[test]
    fn ascii_lowercase_folds_capitals_only() {
        for b in 0..128u8 {
            let x = u64::from_le_bytes([b, b'Q', b, b'z', b'@', b'[', b, b'`']);
            let want = u64::from_le_bytes([b, b'Q', b, b'z', b'@', b'[', b, b'`'].map(|c| c.to_ascii_lowercase()));
            assert_eq!(ascii_lowercase(x), want, "{b}");
        }
        // Bytes past the word that are not ASCII leave it alone.
        let x = u64::from_le_bytes(*b"WORDS\xc3\xa9\xff");
        assert_eq!(ascii_lowercase(x) & 0xFF_FFFF_FFFF, u64::from_le_bytes(*b"words\0\0\0"));
    }

    #[test]
    fn long_words_near_the_end_stem_the_same() {
        // Stems read eight bytes at once where the text has them.
        let text = "Inheritance INHERITS Inherit";
        let s = stems(text, 5);
        assert!(s.iter().all(|&x| x == s[0]));
        assert_eq!(s[0], super::super::hash::word_hash(b"inher", 7));
    }

    #[test]
    fn stems_of_some_words_are_those_of_all() {
        // Some words of a text (a sentence) are stemmed as in the whole,
        // whatever the bytes around them.
        let text = "Inheritance here. Übergänge später, überall. INHERITS there dépendances";
        let a = analyze(text, 7);
        let all = word_stems(text, &a.tokens, 5, 7);
        for k in 0..a.tokens.len() {
            for l in k..=a.tokens.len() {
                assert_eq!(word_stems(text, &a.tokens[k..l], 5, 7), all[k..l], "{k}..{l}");
            }
        }
    }

    #[test]
    fn whole_words_are_the_token_hashes() {
        let text = "Straße ÉCOLE école don't Azerbaijan’s 東京";
        let a = analyze(text, 7);
        let hashes: Vec<u64> = a.tokens.iter().map(|t| t.hash).collect();
        assert_eq!(stems(text, 0), hashes);
        assert_eq!(stems(text, 100), hashes);
    }

    #[test]
    fn short_ascii_words_are_their_lowercase_prefix() {
        // Their stems are their tokens' hashes: the same as hashing the
        // lowercase word, as longer words are.
        let text = "Don't ASK, the Cat's e.g. U.S. a-b x_y co-op said";
        let a = analyze(text, 7);
        let got = word_stems(text, &a.tokens, 5, 7);
        for (t, stem) in a.tokens.iter().zip(got) {
            let word = text[t.span].to_ascii_lowercase();
            let prefix = &word.as_bytes()[..word.len().min(5)];
            assert_eq!(stem, super::super::hash::word_hash(prefix, 7), "{word}");
        }
    }

    #[test]
    fn prefixes_conflate_forms_in_any_alphabet() {
        let s = stems("программирование программировать программы", 5);
        assert_eq!(s[0], s[1]);
        assert_eq!(s[1], s[2]);
        let s = stems("pembelajaran pembelajar PEMBELAJARAN", 6);
        assert!(s.iter().all(|&x| x == s[0]));
        let s = stems("CAFÉ cafés", 4);
        assert_eq!(s[0], s[1]);
    }
}
