//! Stage 1, text: normalisation, words, sentences and paragraphs.
//!
//! Everything here keeps byte offsets into the **original** text:
//!
//! * [`normalize`](fn@normalize) folds a text for matching (NFKC, case folding, one form
//!   for quotes, apostrophes, dashes and white space) and keeps a compact map
//!   back to the original bytes ([`Normalized::to_original`]).
//! * [`analyze`] splits a text into [`Token`]s (words, each with its original
//!   span and the hash of its normalised form), [`Segment`]s for sentences
//!   and paragraphs, in one [`Analysis`] record.
//! * [`decode`](fn@decode) turns bytes read from a file into `&str`, rejecting invalid
//!   UTF-8 and binary data with a clear [`Error`](crate::Error); [`read_file`] reads a
//!   file with a size bound and the same checks, refusing a binary or UTF-16
//!   file after its first block.
//!
//! # Words
//!
//! A word is a maximal run of alphanumeric characters and combining marks in
//! the normalised text; an apostrophe between two such characters stays
//! inside the word (`Azerbaijan's`, `Azerbaijan’s` and `AZERBAIJAN'S` are the
//! same word). Scripts written without spaces (Han, Hiragana, Katakana) have
//! one token per character, so word shingles over them are character
//! n-grams: the usual choice for Chinese and Japanese near-duplicate
//! detection, which needs no dictionary.
//!
//! # Sentences and paragraphs
//!
//! Paragraphs are separated by a blank line (`\n`, `\r\n` or `\r` line ends;
//! a line holding only white space counts as blank; any run of them is one
//! break). A sentence ends at a *terminator*: `…` or any character with
//! Unicode's Sentence_Terminal property (`.` `!` `?`, `।` `॥` of Devanagari
//! and Bengali, `۔` `؟` of Arabic and Urdu, `։` of Armenian, `።` of
//! Ethiopic, `。` `！` `？` of Chinese and Japanese, and the others the
//! property lists; see `scripts/gen-sentence-terminals.py`), possibly
//! followed by closing quotes or brackets:
//!
//! * `.`, `!`, `?`, `…` and their look-alikes that also mark abbreviations
//!   and decimals (`․` `۔` `﹒` `．`) or are Latin typography (`‼` `‽` `⁇`
//!   `⁈` `⁉` `⸮` `⹓` `⹔` `﹖` `﹗` …) end a sentence when white space
//!   follows and the next word does not start with a lowercase letter
//!   (`e.g. this`, `“Why?” she asked` stay one sentence);
//! * every other terminator (the full stops of scripts that do not use
//!   them inside words, numbers or abbreviations: `।` `؟` `։` `።` `。` …)
//!   ends a sentence whatever follows, with or without a space: Chinese,
//!   Japanese and traditional Ethiopic put none, and Hindi or Amharic
//!   typed without one is still split.
//!
//! Segment spans run from the punctuation that opens the first word (an
//! opening quote) to the punctuation that closes the last one (the full
//! stop and closing quote).

// The stage's files in the order a text goes through them; each imports
// only from files listed before it (and the records below).

// Bytes to text: UTF-8 and binary checks, bounded reads.
mod decode;

// What a character is to the word rules.
mod class;

// One character folded for matching: NFKC, case, quotes, dashes, spaces.
mod fold;

// The seeded hash of a normalised word.
mod hash;

// The ASCII fast path: ASCII runs, and their words off a bitmap.
mod ascii;

// The normalised copy and its map back to the original bytes: the
// reference definition of the words.
mod normalize;

// The words in one streaming pass (`for_each_word`).
mod words;

// Sentences and paragraphs between the words.
mod segment;

// Word forms conflated by prefix truncation (rewritten-passage detection).
mod stem;

use std::ops::Range;

use crate::span::Span;

pub use decode::{DEFAULT_MAX_BYTES, HEAD_BYTES, check_start, decode, read_file, read_from};
pub use hash::word_hash;
pub use normalize::{Normalized, normalize};
pub use segment::windows;
pub use stem::word_stems;
pub use words::for_each_word;

use segment::segment;

/// One word of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Where the word is in the original text.
    pub span: Span,
    /// [`word_hash`] of the word's normalised bytes with the configured
    /// seed: two tokens are the same word exactly when their hashes are
    /// equal (up to 64-bit collisions).
    pub hash: u64,
}

/// A sentence or a paragraph: its original span and the tokens inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Where the segment is in the original text, from its first to its
    /// last non-space character.
    pub span: Span,
    /// Indices into [`Analysis::tokens`] of the words inside the segment.
    pub tokens: Range<usize>,
}

/// The text stage's output for one text: words, sentences and paragraphs.
///
/// A plain record with public fields, so that it can be built by
/// [`analyze`] on one machine and passed to the later stages anywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Every word, in text order.
    pub tokens: Vec<Token>,
    /// Sentences, in text order; together they hold every token.
    pub sentences: Vec<Segment>,
    /// Paragraphs, in text order; together they hold every token.
    pub paragraphs: Vec<Segment>,
}

/// Splits `text` into words, sentences and paragraphs.
///
/// `seed` seeds the hash of every word ([`Token::hash`]); use the same seed
/// for texts you want to compare (a [`Detector`](crate::Detector) does).
///
/// ```
/// let text = "First sentence here. Second one!\n\nA new paragraph.";
/// let a = neardup::text::analyze(text, 0);
/// assert_eq!(a.tokens.len(), 8);
/// assert_eq!(a.sentences.len(), 3);
/// assert_eq!(a.paragraphs.len(), 2);
/// assert_eq!(&text[a.sentences[1].span], "Second one!");
/// assert_eq!(&text[a.paragraphs[1].span], "A new paragraph.");
/// ```
pub fn analyze(text: &str, seed: u64) -> Analysis {
    let mut tokens = Vec::with_capacity(text.len() / 6);
    for_each_word(text, seed, |span, hash| tokens.push(Token { span, hash }));
    let (sentences, paragraphs) = segment(text, &tokens);
    Analysis { tokens, sentences, paragraphs }
}

#[cfg(test)]
mod tests;
