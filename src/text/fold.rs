//! Folding one character, with its combining marks, for matching: NFKC,
//! case folding, and one form for quotes, dashes and white space; memoised
//! per character in a small cache.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc, is_nfkc_quick};

use super::class::{Class, class_of, is_word_char};

/// Slots of [`FoldCache`]: a power of two; a script's letters are mostly
/// consecutive code points, so they fall into distinct slots.
const FOLD_CACHE_SLOTS: usize = 512;

/// The longest folded form [`FoldCache`] keeps (longer ones are rare:
/// ligatures and compatibility expansions).
const FOLD_CACHE_BYTES: usize = 8;

/// What [`normalize`](fn@super::normalize) computes for one non-ASCII
/// character on its own, memoised: a text uses few distinct non-ASCII
/// characters, and folding one (NFKC quick check, lower-casing,
/// punctuation) costs several table lookups. Direct-mapped on the low bits
/// of the code point.
pub(super) struct FoldCache {
    /// The character in each slot, or `u32::MAX` (not a `char`) if empty.
    keys: [u32; FOLD_CACHE_SLOTS],
    /// Folded length in bytes, and flags: `SAME_SHAPE`, `MARK`.
    meta: [(u8, u8); FOLD_CACHE_SLOTS],
    bytes: [[u8; FOLD_CACHE_BYTES]; FOLD_CACHE_SLOTS],
}

/// A character's fold, from [`FoldCache::fold_char`].
pub(super) struct Folded<'a> {
    pub(super) bytes: &'a [u8],
    /// One character of the same byte length as the original.
    pub(super) same_shape: bool,
}

impl FoldCache {
    const SAME_SHAPE: u8 = 1;
    const MARK: u8 = 2;
    /// For `SAME_SHAPE` characters, the [`Class`] of the folded one.
    const WORD: u8 = 4;
    const FOLDED_MARK: u8 = 8;
    const CJK: u8 = 16;
    const APOSTROPHE: u8 = 32;

    /// `c` folded, with the class of the result, when it folds to one
    /// character of the same length (most letters of most scripts); `None`
    /// otherwise. Fills the cache like [`fold_char`](Self::fold_char).
    #[inline]
    pub(super) fn fast_fold(&mut self, c: char, scratch: &mut String) -> Option<(&[u8], Class)> {
        let slot = Self::slot(c);
        if self.keys[slot] != c as u32 {
            self.fold_char(c, scratch);
            if self.keys[slot] != c as u32 {
                return None;
            }
        }
        let (len, flags) = self.meta[slot];
        if flags & Self::SAME_SHAPE == 0 {
            return None;
        }
        let class = if flags & Self::WORD != 0 {
            Class::Word
        } else if flags & Self::FOLDED_MARK != 0 {
            Class::Mark
        } else if flags & Self::CJK != 0 {
            Class::Cjk
        } else if flags & Self::APOSTROPHE != 0 {
            Class::Apostrophe
        } else {
            Class::Other
        };
        Some((&self.bytes[slot][..len as usize], class))
    }

    pub(super) fn new() -> FoldCache {
        FoldCache {
            keys: [u32::MAX; FOLD_CACHE_SLOTS],
            meta: [(0, 0); FOLD_CACHE_SLOTS],
            bytes: [[0; FOLD_CACHE_BYTES]; FOLD_CACHE_SLOTS],
        }
    }

    fn slot(c: char) -> usize {
        c as usize % FOLD_CACHE_SLOTS
    }

    /// `fold_char(c)` (into `scratch` when it is not cached) and whether
    /// the result has the same shape as `c`.
    pub(super) fn fold_char<'a>(&'a mut self, c: char, scratch: &'a mut String) -> Folded<'a> {
        if is_plain_ideograph(c) {
            scratch.clear();
            scratch.push(c);
            return Folded { bytes: scratch.as_bytes(), same_shape: true };
        }
        let slot = Self::slot(c);
        if self.keys[slot] != c as u32 {
            scratch.clear();
            fold_char(c, scratch);
            let same_shape = scratch.len() == c.len_utf8() && scratch.chars().nth(1).is_none();
            if scratch.len() > FOLD_CACHE_BYTES {
                return Folded { bytes: scratch.as_bytes(), same_shape };
            }
            self.keys[slot] = c as u32;
            self.bytes[slot][..scratch.len()].copy_from_slice(scratch.as_bytes());
            let mut flags =
                if same_shape { Self::SAME_SHAPE } else { 0 } | if is_combining_mark(c) { Self::MARK } else { 0 };
            if same_shape {
                // The class of the folded character, for `fast_fold`.
                let folded = scratch.chars().next().unwrap_or(c);
                flags |= match class_of(folded, is_word_char(folded), is_combining_mark(folded)) {
                    Class::Word => Self::WORD,
                    Class::Mark => Self::FOLDED_MARK,
                    Class::Cjk => Self::CJK,
                    Class::Apostrophe => Self::APOSTROPHE,
                    Class::Other => 0,
                };
            }
            self.meta[slot] = (scratch.len() as u8, flags);
        }
        let (len, flags) = self.meta[slot];
        Folded { bytes: &self.bytes[slot][..len as usize], same_shape: flags & Self::SAME_SHAPE != 0 }
    }

    /// `is_combining_mark(c)`, from the cache when `c` is in it.
    fn is_combining_mark(&self, c: char) -> bool {
        if is_plain_ideograph(c) {
            return false;
        }
        let slot = Self::slot(c);
        if self.keys[slot] == c as u32 { self.meta[slot].1 & Self::MARK != 0 } else { is_combining_mark(c) }
    }
}

/// CJK unified ideographs and extension A: each folds to itself and is no
/// combining mark (a test checks every one). Texts use thousands of
/// distinct ones, too many for [`FoldCache`].
pub(super) fn is_plain_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// The unit of `normalize` that starts at byte `at` of `text`: its first
/// character, where it ends (after the non-ASCII combining marks that
/// follow), and whether it is that one character alone.
pub(super) fn cluster_at(text: &str, at: usize, cache: &FoldCache) -> (char, usize, bool) {
    let mut chars = text[at..].chars();
    let first = chars.next().unwrap_or('\u{fffd}');
    let mut end = at + first.len_utf8();
    let mut single = true;
    for c in chars {
        if c.is_ascii() || !cache.is_combining_mark(c) {
            break;
        }
        end += c.len_utf8();
        single = false;
    }
    (first, end, single)
}

/// Whether the character at byte `at` of `text` (if any, and if `at` is a
/// character boundary) is a non-ASCII combining mark; asks `cache` first.
#[inline]
pub(super) fn mark_at(text: &str, at: usize, cache: Option<&FoldCache>) -> bool {
    // Combining marks start at U+0300, whose UTF-8 lead byte is 0xCC: a
    // smaller byte (ASCII, Latin-1, Latin Extended) is never one.
    if text.as_bytes().get(at).is_none_or(|&b| b < 0xCC) {
        return false;
    }
    text.get(at..).and_then(|rest| rest.chars().next()).is_some_and(|c| {
        !c.is_ascii()
            && match cache {
                Some(cache) => cache.is_combining_mark(c),
                None => is_combining_mark(c),
            }
    })
}

#[inline]
pub(super) fn fold_ascii(b: u8) -> u8 {
    match b {
        b'\t' | 0x0b | 0x0c | b'\r' => b' ',
        _ => b.to_ascii_lowercase(),
    }
}

/// Quotes, dashes and white space, which fold to one ASCII form.
fn fold_punct(c: char) -> Option<char> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{FF07}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' | '\u{FF02}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{FEFF}' => ' ',
        '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
        c if c.is_whitespace() => ' ',
        _ => return None,
    })
}

fn push_folded(c: char, out: &mut String) {
    if let Some(p) = fold_punct(c) {
        out.push(p);
        return;
    }
    for l in c.to_lowercase() {
        match l {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            l => out.push(fold_punct(l).unwrap_or(l)),
        }
    }
}

fn fold_char(c: char, out: &mut String) {
    if fold_punct(c).is_none() && is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes {
        fold_cluster(c.encode_utf8(&mut [0; 4]), out);
        return;
    }
    push_folded(c, out);
}

pub(super) fn fold_cluster(cluster: &str, out: &mut String) {
    let start = out.len();
    for c in cluster.nfkc() {
        push_folded(c, out);
    }
    if !is_nfkc(&out[start..]) {
        let again: String = out[start..].nfkc().collect();
        out.truncate(start);
        out.push_str(&again);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ideographs_fold_to_themselves() {
        for c in ('\u{3400}'..='\u{4DBF}').chain('\u{4E00}'..='\u{9FFF}') {
            assert!(is_plain_ideograph(c));
            let mut folded = String::new();
            fold_char(c, &mut folded);
            assert_eq!(folded, c.to_string(), "{c:?}");
            assert!(!is_combining_mark(c), "{c:?}");
        }
        assert!(!is_plain_ideograph('\u{F900}'));
    }

    #[test]
    fn no_combining_mark_below_u0300() {
        // `mark_at` relies on it to skip lead bytes below 0xCC.
        for c in (0..0x300u32).filter_map(char::from_u32) {
            assert!(!is_combining_mark(c), "{c:?}");
        }
        assert!(is_combining_mark('\u{300}'));
        assert_eq!('\u{300}'.encode_utf8(&mut [0; 4]).as_bytes()[0], 0xCC);
    }
}
