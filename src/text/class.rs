//! What a character is to the word rules: a word character, a combining
//! mark, a Han or kana character that is a word on its own, an apostrophe,
//! or a separator; with the caches and the ASCII table the word loops use.

use unicode_normalization::char::is_combining_mark;

/// Han, Hiragana and Katakana: scripts written without spaces, one word
/// per character.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3FFFF) // extensions B and later
}

/// A character that starts or continues a word: alphanumeric, or a
/// non-ASCII combining mark.
#[inline]
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

/// The [`Class`] of a folded character `c`, given [`is_word_char`] and
/// [`is_combining_mark`] of it.
#[inline]
pub(super) fn class_of(c: char, word: bool, mark: bool) -> Class {
    if c == '\'' {
        Class::Apostrophe
    } else if is_cjk(c) {
        Class::Cjk
    } else if word && !mark {
        Class::Word
    } else if word {
        Class::Mark
    } else {
        Class::Other
    }
}

/// What the word state machine (`WordStream::feed` in `words`) needs to
/// know of a folded character.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Starts or continues a word.
    Word,
    /// A combining mark: continues a word, never starts one.
    Mark,
    /// A Han, Hiragana or Katakana character: a word on its own.
    Cjk,
    /// `'`: continues a word if a word character follows.
    Apostrophe,
    /// Anything else ends a word.
    Other,
}

/// What the word loops need to know of a non-ASCII character.
#[derive(Clone, Copy)]
pub(super) struct CharClass {
    /// [`is_word_char`].
    pub(super) word: bool,
    /// [`is_combining_mark`].
    pub(super) mark: bool,
}

/// Slots of [`ClassCache`]: a power of two, as for `fold`'s `FoldCache`; a
/// script's letters are mostly consecutive code points, so they fall into
/// distinct slots.
const CLASS_CACHE_SLOTS: usize = 512;

/// [`CharClass`] of recently seen non-ASCII characters (two Unicode table
/// lookups each), direct-mapped on the low bits of the code point like
/// `fold`'s `FoldCache`.
pub(super) struct ClassCache {
    keys: [u32; CLASS_CACHE_SLOTS],
    classes: [CharClass; CLASS_CACHE_SLOTS],
}

impl ClassCache {
    pub(super) fn new() -> ClassCache {
        ClassCache {
            keys: [u32::MAX; CLASS_CACHE_SLOTS],
            classes: [CharClass { word: false, mark: false }; CLASS_CACHE_SLOTS],
        }
    }

    pub(super) fn get(&mut self, c: char) -> CharClass {
        let slot = c as usize % CLASS_CACHE_SLOTS;
        if self.keys[slot] != c as u32 {
            self.keys[slot] = c as u32;
            self.classes[slot] = CharClass { word: is_word_char(c), mark: is_combining_mark(c) };
        }
        self.classes[slot]
    }
}

/// Which bytes are ASCII letters and digits (word characters), for the
/// ASCII word loops: one load instead of two range tests.
pub(super) static ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};
