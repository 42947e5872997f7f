//! The two-pass reference for the words of a text: tokenize the
//! `normalize`d text, then map each word's span back to the original.
//! `for_each_word` must find exactly these words (tests in `super`).

use crate::span::Span;
use crate::text::ascii::ascii_word_len;
use crate::text::class::{ASCII_WORD, ClassCache, is_cjk, is_word_char};
use crate::text::{Normalized, Token, word_hash};

/// The words of `norm`, found on its normalised text and mapped back to
/// the original: the definition that `for_each_word` computes in one pass.
pub(super) fn tokenize(norm: &Normalized, seed: u64) -> Vec<Token> {
    let s = norm.as_str();
    let bytes = s.as_bytes();
    let mut sink = TokenSink {
        tokens: Vec::with_capacity(s.len() / 6),
        map: ForwardMap { norm, start: 0, end: 0, last: Span::new(0, 0) },
        bytes,
        seed,
        last_start: 0,
        last_end: 0,
    };
    let mut push = |start: usize, end: usize| sink.push(start, end);
    let mut classes = ClassCache::new();
    let mut i = 0;
    let mut word_start: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII: letters and digits are word characters, an apostrophe
            // may continue a word, anything else ends one.
            if ASCII_WORD[b as usize] {
                if word_start.is_none() {
                    word_start = Some(i);
                }
                i += 1 + ascii_word_len(&bytes[i + 1..]);
                continue;
            }
            if b == b'\'' && word_start.is_some() && next_is_word(s, i + 1) {
                // Apostrophe inside a word: keep going.
            } else if let Some(ws) = word_start.take() {
                push(ws, i);
            }
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if is_cjk(c) {
            if let Some(ws) = word_start.take() {
                push(ws, i);
            }
            push(i, i + len);
        } else {
            let class = classes.get(c);
            if class.word {
                // A combining mark whose base is not a word character (an
                // emoji's variation selector, an accent after a dash) does
                // not start a word: it would hash as the bare mark, so every
                // such emoji would be the same word.
                if word_start.is_none() && !class.mark {
                    word_start = Some(i);
                }
            } else if let Some(ws) = word_start.take() {
                push(ws, i);
            }
        }
        i += len;
    }
    if let Some(ws) = word_start {
        push(ws, bytes.len());
    }
    sink.finish()
}

/// The tokens [`tokenize`] has found so far.
struct TokenSink<'a> {
    tokens: Vec<Token>,
    map: ForwardMap<'a>,
    /// The normalised text.
    bytes: &'a [u8],
    seed: u64,
    /// Normalised start and end of the last token, to merge tokens that
    /// come from one original character (`½` → `1⁄2` would give `1` and
    /// `2`). The last token is hashed only once it can no longer grow:
    /// rehashing it at every merge was quadratic on a run of such
    /// characters (`½½½…` and `ﷺﷺﷺ…` are one token each).
    last_start: usize,
    last_end: usize,
}

impl TokenSink<'_> {
    /// Adds the word at `start..end` of the normalised text. Inlined: it
    /// runs once per word.
    #[inline(always)]
    fn push(&mut self, start: usize, end: usize) {
        let span = self.map.map(Span::new(start, end));
        if let Some(last) = self.tokens.last_mut() {
            if span.start < last.span.end {
                last.span.end = span.end;
                self.last_end = end;
                return;
            }
            last.hash = word_hash(&self.bytes[self.last_start..self.last_end], self.seed);
        }
        self.tokens.push(Token { span, hash: 0 });
        (self.last_start, self.last_end) = (start, end);
    }

    fn finish(mut self) -> Vec<Token> {
        if let Some(last) = self.tokens.last_mut() {
            last.hash = word_hash(&self.bytes[self.last_start..self.last_end], self.seed);
        }
        self.tokens
    }
}

/// [`Normalized::to_original`] for spans that come in text order (neither
/// end moves backwards): the same results, found by two cursors that only
/// move forward over the groups instead of three binary searches per span.
struct ForwardMap<'a> {
    norm: &'a Normalized,
    /// First group with `norm.end > last.start` (`map_start`'s search).
    start: usize,
    /// First group with `norm.end >= last.end` (`map_end`'s search).
    end: usize,
    /// The previous span.
    last: Span,
}

impl ForwardMap<'_> {
    #[inline(always)]
    fn map(&mut self, span: Span) -> Span {
        if self.norm.groups.is_empty() {
            // Nothing was reshaped: offsets are unchanged.
            return span;
        }
        if span.start < self.last.start || span.end < self.last.end {
            return self.norm.to_original(span);
        }
        self.last = span;
        let groups = &self.norm.groups;
        while groups.get(self.start).is_some_and(|g| g.norm.end <= span.start) {
            self.start += 1;
        }
        while groups.get(self.end).is_some_and(|g| g.norm.end < span.end) {
            self.end += 1;
        }
        let start = match groups.get(self.start) {
            Some(g) if g.norm.start <= span.start && g.norm.start < g.norm.end => g.orig.start,
            _ => self.norm.shift_after(self.start, span.start),
        };
        let end = match groups.get(self.end) {
            Some(g) if g.norm.start < span.end => g.orig.end,
            _ => self.norm.shift_after(self.end, span.end),
        };
        let mapped = Span::new(start, end.max(start));
        debug_assert_eq!(mapped, self.norm.to_original(span));
        mapped
    }
}

fn next_is_word(s: &str, at: usize) -> bool {
    s.get(at..).and_then(|r| r.chars().next()).is_some_and(|c| is_word_char(c) && !is_cjk(c))
}
