//! Word forms conflated by prefix truncation: the stem of a word is its
//! first few normalised characters.

use super::Token;
use super::hash::word_hash;
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
    // A text all ASCII (most) has only ASCII words.
    let all_ascii = text.is_ascii();
    tokens
        .iter()
        .map(|t| {
            // ASCII bytes are whole characters, so the word as it is (a
            // span out of the text, or cut inside a character, is no ASCII
            // bytes of the text: it takes the other way).
            let ascii = bytes.get(t.span.start..t.span.end).filter(|w| all_ascii || w.is_ascii());
            if let Some(word) = ascii {
                if word.len() <= limit {
                    // An ASCII word is its own normalised form up to case:
                    // a word no longer than the stem is its own stem, whose
                    // hash the analysis has (most words of a text are this
                    // short).
                    return t.hash;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    fn stems(text: &str, chars: usize) -> Vec<u64> {
        word_stems(text, &analyze(text, 7).tokens, chars, 7)
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
