//! Stage 1, text: normalisation, words, sentences and paragraphs.
//!
//! Everything here keeps byte offsets into the **original** text:
//!
//! * [`normalize`] folds a text for matching (NFKC, case folding, one form
//!   for quotes, apostrophes, dashes and white space) and keeps a compact map
//!   back to the original bytes ([`Normalized::to_original`]).
//! * [`analyze`] splits a text into [`Token`]s (words, each with its original
//!   span and the hash of its normalised form), [`Segment`]s for sentences
//!   and paragraphs, in one [`Analysis`] record.
//! * [`decode`] turns bytes read from a file into `&str`, rejecting invalid
//!   UTF-8 and binary data with a clear [`Error`]; [`read_file`] reads a
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

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc, is_nfkc_quick};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::span::Span;

/// Checks that `bytes` are text and returns them as `&str`.
///
/// Rejects invalid UTF-8 ([`Error::InvalidUtf8`], with the offset of the
/// first bad sequence) and binary data ([`Error::Binary`]): a NUL byte, or
/// more than 10 % control characters other than tab, line feed, carriage
/// return and form feed in the first 8 KiB. Empty input is text.
///
/// Bytes that fail these rules because they are UTF-16 (a UTF-16 or UTF-32
/// byte-order mark, or, in the first 8 KiB, at least 8 code units of which
/// half or more are ASCII characters: NUL bytes at every other position)
/// give [`Error::OtherEncoding`] instead, which says how to convert them.
///
/// ```
/// use neardup::Error;
///
/// assert_eq!(neardup::text::decode(b"plain text").unwrap(), "plain text");
/// assert!(neardup::text::decode(b"\xff\xfe").is_err());
/// assert!(neardup::text::decode(b"ELF\x00\x01").is_err());
/// let utf16: Vec<u8> = "Hello, world".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// assert_eq!(
///     neardup::text::decode(&utf16),
///     Err(Error::OtherEncoding { encoding: "UTF-16LE", byte_order_mark: false })
/// );
/// ```
pub fn decode(bytes: &[u8]) -> Result<&str> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let text = std::str::from_utf8(bytes)
        .map_err(|e| wide_encoding(head).unwrap_or(Error::InvalidUtf8 { offset: e.valid_up_to() }))?;
    if let Some(offset) = memchr_nul(bytes) {
        return Err(wide_encoding(head).unwrap_or(Error::Binary { offset, reason: "NUL byte" }));
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    if controls * 10 > head.len() {
        let offset = head.iter().position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).unwrap_or(0);
        return Err(Error::Binary { offset, reason: "more than 10% control characters" });
    }
    Ok(text)
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    // `contains` on bytes is a vectorised memchr in `core`; the position is
    // only wanted for the error.
    if !bytes.contains(&0) {
        return None;
    }
    bytes.iter().position(|&b| b == 0)
}

/// How many bytes at the start of an input [`decode`] sniffs for control
/// characters and UTF-16, and [`read_file`] checks before it reads the
/// rest: 8 KiB.
pub const HEAD_BYTES: usize = 8192;

/// The default largest article [`read_file`] reads in the crate's examples:
/// 64 MiB.
///
/// Far above any real article (a long novel is 1–4 MB, the longest
/// Wikipedia articles about 1 MB), and small enough that comparing two
/// texts of this size stays around 1 GB of memory (about 80 bytes per word,
/// see `DESIGN.md`, "Limits").
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// The encoding that `head` (the start of some bytes that are not UTF-8
/// text) looks like, if it is UTF-16 or UTF-32.
fn wide_encoding(head: &[u8]) -> Option<Error> {
    let bom = |encoding| Some(Error::OtherEncoding { encoding, byte_order_mark: true });
    if head.starts_with(&[0xff, 0xfe, 0, 0]) {
        return bom("UTF-32LE");
    }
    if head.starts_with(&[0, 0, 0xfe, 0xff]) {
        return bom("UTF-32BE");
    }
    if head.starts_with(&[0xff, 0xfe]) {
        return bom("UTF-16LE");
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return bom("UTF-16BE");
    }
    let units = head.len() / 2;
    if units < 8 {
        return None;
    }
    // Half the code units or more are ASCII characters: a zero byte beside a
    // printable one (`/dev/zero`, all zeros, is binary, not UTF-16).
    for (encoding, high) in [("UTF-16LE", 1), ("UTF-16BE", 0)] {
        let ascii = head
            .chunks_exact(2)
            .filter(|u| u[high] == 0 && matches!(u[1 - high], b'\t' | b'\n' | b'\r' | 0x20..=0x7e))
            .count();
        if ascii * 2 >= units {
            return Some(Error::OtherEncoding { encoding, byte_order_mark: false });
        }
    }
    None
}

/// Checks the first bytes of an input with the rules of [`decode`], before
/// the rest is read.
///
/// `head` is a prefix of the input (at most [`HEAD_BYTES`] of it are
/// looked at, as `decode` does): a character cut at its end is accepted,
/// anything else that `decode` would reject on these bytes is rejected
/// with the same error. Use it to stop reading a stream that is not text
/// (`/dev/urandom`, a UTF-16 file, an image) after its first block;
/// [`read_file`] does.
///
/// ```
/// use neardup::text::check_start;
///
/// let text = "Grüße aus Köln";
/// // Cut inside the two bytes of `ü`: the rest of it is still to come.
/// assert!(check_start(&text.as_bytes()[..3]).is_ok());
/// assert!(check_start(b"\x00\x00\x00\x00").is_err());
/// assert!(check_start(b"ok \xff then more").is_err());
/// ```
pub fn check_start(head: &[u8]) -> Result<()> {
    let head = &head[..head.len().min(HEAD_BYTES)];
    match std::str::from_utf8(head) {
        // The head ends inside a character: check the characters before it.
        Err(e) if e.error_len().is_none() => decode(&head[..e.valid_up_to()]).map(drop),
        _ => decode(head).map(drop),
    }
}

/// Reads a text file whole, with a bound, and checks that it is text.
///
/// Reads at most `max_bytes` (plus one byte, to tell that the file is
/// longer): a file past the bound, or a device or pipe that never ends
/// (`/dev/zero`), is an error after reading that many bytes at most, and a
/// regular file whose size is known to be past it is refused before it is
/// read. The first [`HEAD_BYTES`] are checked with [`check_start`] before
/// anything else is read, so a binary or UTF-16 file is refused after one
/// block; the whole text is then checked with [`decode`]. Memory: the
/// text, and no more than one read buffer beyond it for an input whose
/// size is not known in advance.
///
/// The bytes are returned as they are: a UTF-8 byte-order mark at the start
/// is kept (it reads as white space), so that byte offsets into the string
/// are offsets into the file on disk.
///
/// [`DEFAULT_MAX_BYTES`] (64 MiB) is a sensible bound for articles.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened or read (naming the path);
/// otherwise [`Error::File`] naming the path, around the reason:
/// [`Error::TooLarge`], [`Error::OtherEncoding`] (UTF-16 or UTF-32),
/// [`Error::InvalidUtf8`] or [`Error::Binary`] (with byte offsets into the
/// file).
///
/// ```
/// use neardup::Error;
/// use neardup::text::{DEFAULT_MAX_BYTES, read_file};
///
/// let path = std::env::temp_dir().join(format!("neardup-read-file-doc-{}.txt", std::process::id()));
/// std::fs::write(&path, "Plain text.\n")?;
/// assert_eq!(read_file(&path, DEFAULT_MAX_BYTES)?, "Plain text.\n");
///
/// let err = read_file(&path, 5).unwrap_err();
/// assert!(matches!(&err, Error::File { error, .. } if matches!(**error, Error::TooLarge { max_bytes: 5, .. })));
/// assert!(err.to_string().starts_with(&path.display().to_string()));
///
/// std::fs::write(&path, b"text\0with a NUL")?;
/// let err = read_file(&path, DEFAULT_MAX_BYTES).unwrap_err();
/// assert!(err.to_string().ends_with("input looks binary, not text: NUL byte at byte offset 4"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_file(path: impl AsRef<std::path::Path>, max_bytes: u64) -> Result<String> {
    let path = path.as_ref();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    // A regular file tells its size; a pipe or a device does not.
    let size = file.metadata().ok().filter(std::fs::Metadata::is_file).map(|m| m.len());
    read_bounded(&mut file, &path.display().to_string(), max_bytes, size)
}

/// [`read_file`] for any reader (standard input, a pipe, a socket):
/// `name` is what errors call the input.
///
/// ```
/// let text = neardup::text::read_from(&b"Some text."[..], "(standard input)", 1 << 20)?;
/// assert_eq!(text, "Some text.");
/// let err = neardup::text::read_from(std::io::repeat(b'a'), "(endless)", 1000).unwrap_err();
/// assert_eq!(err.to_string(), "(endless): input is larger than the maximum of 1000 bytes");
/// # Ok::<(), neardup::Error>(())
/// ```
pub fn read_from(mut reader: impl std::io::Read, name: &str, max_bytes: u64) -> Result<String> {
    read_bounded(&mut reader, name, max_bytes, None)
}

fn read_bounded(reader: &mut dyn std::io::Read, name: &str, max_bytes: u64, size: Option<u64>) -> Result<String> {
    use std::io::Read as _;
    let io = |e: std::io::Error| Error::Io { path: name.to_owned(), kind: e.kind(), message: e.to_string() };
    let file = |error| Error::File { path: name.to_owned(), error: Box::new(error) };
    // Room for the whole file when its size is known and within the bound.
    let capacity = size.filter(|&s| s <= max_bytes).and_then(|s| usize::try_from(s).ok()).map_or(0, |s| s + 1);
    let mut bytes = Vec::with_capacity(capacity.max(HEAD_BYTES));
    reader.take(HEAD_BYTES as u64).read_to_end(&mut bytes).map_err(io)?;
    check_start(&bytes).map_err(file)?;
    if let Some(size) = size.filter(|&s| s > max_bytes) {
        return Err(file(Error::TooLarge { max_bytes, size: Some(size) }));
    }
    let room = max_bytes.saturating_add(1).saturating_sub(bytes.len() as u64);
    reader.take(room).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(file(Error::TooLarge { max_bytes, size: None }));
    }
    decode(&bytes).map_err(file)?;
    // `decode` accepted the bytes, so they are UTF-8.
    String::from_utf8(bytes).map_err(|e| file(Error::InvalidUtf8 { offset: e.utf8_error().valid_up_to() }))
}

/// A text folded for matching, with a map back to the original bytes.
///
/// Produced by [`normalize`]. The map is compact: it records only the
/// characters whose normalised form has a different byte length (or that
/// expand into several characters), so ASCII and most alphabetic text cost
/// nothing beyond the folded copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// Groups of original characters whose folded form does not map one
    /// byte to one byte, sorted by position. Between two groups, normalised
    /// offset + constant delta = original offset.
    groups: Vec<Group>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Group {
    norm: Span,
    orig: Span,
}

impl Normalized {
    /// The normalised text.
    ///
    /// ```
    /// let n = neardup::text::normalize("“Ĳssel” – ＡＢＣ");
    /// assert_eq!(n.as_str(), "\"ijssel\" - abc");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a span of the normalised text back to the original text.
    ///
    /// The result is the smallest original span whose normalised form
    /// contains `span`: a span that starts or ends inside the expansion of
    /// one original character grows to cover that whole character, so the
    /// result always lies on `char` boundaries of the original.
    ///
    /// ```
    /// use neardup::{Span, text::normalize};
    ///
    /// let original = "ﬁne Straße";
    /// let n = normalize(original);
    /// assert_eq!(n.as_str(), "fine strasse");
    /// let word = Span::new(5, 12); // "strasse" in the normalised text
    /// assert_eq!(&original[n.to_original(word)], "Straße");
    /// ```
    pub fn to_original(&self, span: Span) -> Span {
        Span::new(self.map_start(span.start), self.map_end(span.end).max(self.map_start(span.start)))
    }

    fn map_start(&self, n: usize) -> usize {
        let i = self.groups.partition_point(|g| g.norm.end <= n);
        if let Some(g) = self.groups.get(i)
            && g.norm.start <= n
            && g.norm.start < g.norm.end
        {
            return g.orig.start;
        }
        self.shift_after(i, n)
    }

    fn map_end(&self, n: usize) -> usize {
        let i = self.groups.partition_point(|g| g.norm.end < n);
        if let Some(g) = self.groups.get(i)
            && g.norm.start < n
        {
            return g.orig.end;
        }
        self.shift_after(i, n)
    }

    /// Offset `n` mapped with the delta in force after group `i - 1`.
    fn shift_after(&self, i: usize, n: usize) -> usize {
        match i.checked_sub(1).and_then(|j| self.groups.get(j)) {
            Some(g) => n - g.norm.end + g.orig.end,
            None => n,
        }
    }
}

/// Folds `text` for matching and keeps the way back to its bytes.
///
/// Applies, per character (with its combining marks): Unicode NFKC
/// (compatibility forms such as ligatures, full-width letters and
/// superscripts become plain letters), then case folding (lowercase, plus
/// `ß` → `ss` and final sigma → `σ`), then one form for quotes (`‘ ’ ‚ ‛ ′ ʼ`
/// → `'`, `“ ” „ ‟ ″ « »` → `"`), dashes (`‐ ‑ ‒ – — ― −` and the small and
/// full-width hyphen-minus → `-`) and white space (every Unicode space,
/// tab, and the byte-order mark → one ASCII space; line feeds stay). ASCII
/// text takes a fast path that only lowercases.
///
/// ```
/// let n = neardup::text::normalize("NATO’s “Role”");
/// assert_eq!(n.as_str(), "nato's \"role\"");
/// ```
pub fn normalize(text: &str) -> Normalized {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 8);
    let mut groups = Vec::new();
    let mut scratch = String::new();
    // Made on the first non-ASCII character.
    let mut cache: Option<Box<FoldCache>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 && !mark_at(text, i + 1, cache.as_deref()) {
            let start = i;
            i = ascii_run_end(bytes, i);
            // An ASCII letter followed by combining marks is normalised
            // together with them (e + U+0301 = é).
            if i < bytes.len() && mark_at(text, i, cache.as_deref()) {
                i -= 1;
            }
            let folded = out.len();
            out.extend_from_slice(&bytes[start..i]);
            for b in &mut out[folded..] {
                *b = fold_ascii(*b);
            }
            continue;
        }
        // One non-ASCII character and the combining marks that follow it.
        let start = i;
        let cache = cache.get_or_insert_with(|| Box::new(FoldCache::new()));
        let (first, end, single) = cluster_at(text, start, cache);
        i = end;
        let norm_start = out.len();
        let same_shape = if single {
            let folded = cache.fold_char(first, &mut scratch);
            out.extend_from_slice(folded.bytes);
            folded.same_shape
        } else {
            scratch.clear();
            fold_cluster(&text[start..i], &mut scratch);
            out.extend_from_slice(scratch.as_bytes());
            false
        };
        if !same_shape {
            groups.push(Group { norm: Span::new(norm_start, out.len()), orig: Span::new(start, i) });
        }
    }
    // Every byte pushed is either ASCII or a complete UTF-8 encoding taken
    // from a `String`, so this cannot fail.
    let text = String::from_utf8(out).expect("normalize only pushes whole UTF-8 characters");
    Normalized { text, groups }
}

/// Slots of [`FoldCache`]: a power of two; a script's letters are mostly
/// consecutive code points, so they fall into distinct slots.
const FOLD_CACHE_SLOTS: usize = 512;

/// The longest folded form [`FoldCache`] keeps (longer ones are rare:
/// ligatures and compatibility expansions).
const FOLD_CACHE_BYTES: usize = 8;

/// What [`normalize`] computes for one non-ASCII character on its own,
/// memoised: a text uses few distinct non-ASCII characters, and folding
/// one (NFKC quick check, lower-casing, punctuation) costs several table
/// lookups. Direct-mapped on the low bits of the code point.
struct FoldCache {
    /// The character in each slot, or `u32::MAX` (not a `char`) if empty.
    keys: [u32; FOLD_CACHE_SLOTS],
    /// Folded length in bytes, and flags: `SAME_SHAPE`, `MARK`.
    meta: [(u8, u8); FOLD_CACHE_SLOTS],
    bytes: [[u8; FOLD_CACHE_BYTES]; FOLD_CACHE_SLOTS],
}

/// A character's fold, from [`FoldCache::fold_char`].
struct Folded<'a> {
    bytes: &'a [u8],
    /// One character of the same byte length as the original.
    same_shape: bool,
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
    fn fast_fold(&mut self, c: char, scratch: &mut String) -> Option<(&[u8], Class)> {
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

    fn new() -> FoldCache {
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
    fn fold_char<'a>(&'a mut self, c: char, scratch: &'a mut String) -> Folded<'a> {
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
fn is_plain_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// The unit of `normalize` that starts at byte `at` of `text`: its first
/// character, where it ends (after the non-ASCII combining marks that
/// follow), and whether it is that one character alone.
fn cluster_at(text: &str, at: usize, cache: &FoldCache) -> (char, usize, bool) {
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
fn mark_at(text: &str, at: usize, cache: Option<&FoldCache>) -> bool {
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

/// The end of the run of ASCII bytes starting at `from`: the first
/// non-ASCII byte at or after `from`, or `bytes.len()`. Tests 16 bytes at a
/// time.
fn ascii_run_end(bytes: &[u8], from: usize) -> usize {
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

#[inline]
fn fold_ascii(b: u8) -> u8 {
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

fn fold_cluster(cluster: &str, out: &mut String) {
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

/// The hash of a normalised word (its [`Token::hash`]), seeded.
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
fn padded_word_hash(buf: &[u8], start: usize, end: usize, seed: u64) -> u64 {
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
fn short_word_hash(x: u128, len: usize, seed: u64) -> u64 {
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

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3FFFF) // extensions B and later
}

#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
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

/// Calls `f(span, hash)` for every word of `text`, in order: the same words
/// as [`analyze`]'s [`Analysis::tokens`] (same original spans, same
/// hashes), found in one pass that folds each character as it reads it,
/// without building the normalised text or any per-word allocation.
///
/// The fast way to the words when sentences and paragraphs are not needed,
/// as for a whole-document signature
/// ([`Detector::document_signature`](crate::Detector::document_signature)).
///
/// ```
/// let text = "NATO’s role — ﬁne.";
/// let mut words = Vec::new();
/// neardup::text::for_each_word(text, 0, |span, hash| words.push((&text[span], hash)));
/// let tokens = neardup::text::analyze(text, 0).tokens;
/// assert_eq!(words.len(), 3);
/// assert_eq!(words[0].0, "NATO’s");
/// assert!(words.iter().zip(&tokens).all(|(w, t)| w.1 == t.hash));
/// ```
pub fn for_each_word(text: &str, seed: u64, f: impl FnMut(Span, u64)) {
    // The folding caches of this thread, warm from earlier texts (folding
    // a character costs a few table lookups; a script has few of them). A
    // call from inside `f` finds them borrowed and starts cold.
    FOLDING.with(|cell| match cell.try_borrow_mut() {
        Ok(mut folding) => words_with(text, seed, f, &mut folding),
        Err(_) => words_with(text, seed, f, &mut Folding::default()),
    })
}

thread_local! {
    static FOLDING: std::cell::RefCell<Folding> = std::cell::RefCell::new(Folding::default());
}

fn words_with(text: &str, seed: u64, f: impl FnMut(Span, u64), folding: &mut Folding) {
    let mut words = WordStream::new(seed, f);
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let first_non_ascii = ascii_run_end(bytes, pos);
        if first_non_ascii == bytes.len() {
            words.ascii(bytes, pos, bytes.len());
            break;
        }
        // The ASCII text before the word holding the non-ASCII character
        // takes the fast path; the text from there to the next ASCII
        // separator (followed by ASCII) goes through the state machine.
        // Both ends sit after a separator, where no word is open.
        // The cut must also be a `normalize` unit boundary: an ASCII byte
        // followed by a combining mark is one unit with it (`%` + U+3099,
        // a mark that is also a kana, gives a word whose span starts at
        // the `%`).
        let mut cut = first_non_ascii;
        while cut > pos && (!is_ascii_separator(bytes[cut - 1]) || mark_at(text, cut, None)) {
            cut -= 1;
        }
        words.ascii(bytes, pos, cut);
        let mut end = first_non_ascii + 1;
        loop {
            while end < bytes.len() && !(is_ascii_separator(bytes[end - 1]) && bytes[end] < 0x80) {
                end += 1;
            }
            // Another non-ASCII character close by: one region for both.
            let next = ascii_run_end(bytes, end);
            if next < bytes.len() && next - end < 8 {
                end = next + 1;
                continue;
            }
            break;
        }
        words.unicode(text, cut, end, folding);
        pos = end;
    }
    words.finish();
    // The scratch string grows to the longest cluster folded (a letter
    // with a million combining marks): do not keep that in the thread.
    if folding.scratch.capacity() > 4096 {
        folding.scratch = String::new();
    }
}

/// An ASCII byte that ends any word: not a letter, digit or apostrophe.
#[inline(always)]
fn is_ascii_separator(b: u8) -> bool {
    b < 0x80 && !ASCII_WORD[b as usize] && b != b'\''
}

/// What [`WordStream::unicode`] keeps between regions and, per thread,
/// between texts (see [`for_each_word`]): pure memoisation, so results do
/// not depend on what a thread folded before.
#[derive(Default)]
struct Folding {
    scratch: String,
    cache: Option<Box<FoldCache>>,
    classes: Option<Box<ClassCache>>,
    /// Groups numbered so far.
    groups: u64,
}

/// The [`Class`] of a folded character `c`, given [`is_word_char`] and
/// [`is_combining_mark`] of it.
#[inline]
fn class_of(c: char, word: bool, mark: bool) -> Class {
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

/// The group id of a [`Unit`] whose folded form is one character of the
/// same length: no word can end and another begin inside it.
const NO_GROUP: u64 = u64::MAX;

/// One unit of the original text, as `normalize` folds it: a character with
/// its combining marks.
#[derive(Clone, Copy)]
struct Unit {
    /// Original byte span.
    start: usize,
    end: usize,
    /// Its number, or [`NO_GROUP`].
    group: u64,
}

/// What [`WordStream::feed`] needs to know of a folded character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
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

/// Where [`WordStream`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordState {
    /// Between words.
    Idle,
    /// Inside a word.
    Word,
    /// Inside a word, right after an apostrophe (whether it stays in the
    /// word depends on the next character).
    Apostrophe,
    /// A word ended inside a group; it grows again if another word starts
    /// in the same group (as `½` folded to `1⁄2` is one word, not two).
    Ended,
}

/// The state machine of [`for_each_word`]: folded characters in, words out.
/// It implements the word rules of the module docs on the normalised text
/// as it streams by, and merges words that start and end in one group, as
/// `analyze`'s words are defined on the original text.
struct WordStream<F> {
    seed: u64,
    f: F,
    state: WordState,
    /// The folded bytes of the current word; in state `Ended` also the
    /// bytes of its group after it, in case the word grows again.
    buf: Vec<u8>,
    /// The length of the current word in `buf`.
    len: usize,
    /// Original span of the current word.
    start: usize,
    end: usize,
    /// The group of the current word's last character.
    end_group: u64,
    /// In state `Apostrophe`, the group of the apostrophe.
    apostrophe_group: u64,
}

impl<F: FnMut(Span, u64)> WordStream<F> {
    fn new(seed: u64, f: F) -> Self {
        WordStream {
            seed,
            f,
            state: WordState::Idle,
            buf: Vec::with_capacity(64),
            len: 0,
            start: 0,
            end: 0,
            end_group: NO_GROUP,
            apostrophe_group: NO_GROUP,
        }
    }

    fn emit(&mut self) {
        (self.f)(Span::new(self.start, self.end), word_hash(&self.buf[..self.len], self.seed));
        self.state = WordState::Idle;
    }

    /// Ends the current word (its last character is in `end_group`) at a
    /// character of `group` that is not part of it.
    #[inline]
    fn end_word(&mut self, group: u64) {
        if group != NO_GROUP && group == self.end_group {
            self.state = WordState::Ended;
            self.buf.truncate(self.len);
        } else {
            self.emit();
        }
    }

    /// A run of ASCII letters and digits at `start..end`, each one its own
    /// unit.
    #[inline(always)]
    fn ascii_word(&mut self, run: &[u8], start: usize, end: usize) {
        match self.state {
            WordState::Word | WordState::Apostrophe => {}
            WordState::Ended => {
                self.emit();
                self.begin(start);
            }
            WordState::Idle => self.begin(start),
        }
        let at = self.buf.len();
        self.buf.extend_from_slice(run);
        self.buf[at..].make_ascii_lowercase();
        self.len = self.buf.len();
        self.end = end;
        self.end_group = NO_GROUP;
        self.state = WordState::Word;
    }

    #[inline(always)]
    fn begin(&mut self, start: usize) {
        self.buf.clear();
        self.len = 0;
        self.start = start;
    }

    /// An ASCII byte that is no letter or digit, its own unit.
    #[inline(always)]
    fn ascii_other(&mut self, b: u8) {
        match self.state {
            WordState::Idle => {}
            WordState::Word if b == b'\'' => {
                self.buf.push(b'\'');
                self.apostrophe_group = NO_GROUP;
                self.state = WordState::Apostrophe;
            }
            // Another unit than the word's end: the word is complete.
            WordState::Word | WordState::Apostrophe | WordState::Ended => self.emit(),
        }
    }

    /// One folded character `bytes` of class `class`, from `unit`.
    fn feed(&mut self, class: Class, bytes: &[u8], unit: Unit) {
        if self.state == WordState::Apostrophe {
            if matches!(class, Class::Word | Class::Mark) {
                self.extend(bytes, unit);
                return;
            }
            // The apostrophe ends the word; it belongs to the gap.
            let apostrophe_group = self.apostrophe_group;
            self.end_word(apostrophe_group);
            if self.state == WordState::Ended {
                self.buf.push(b'\'');
            }
        }
        if self.state == WordState::Ended && unit.group != self.end_group {
            self.emit();
        }
        match (self.state, class) {
            (WordState::Idle, Class::Word) => {
                self.begin(unit.start);
                self.extend(bytes, unit);
            }
            (WordState::Idle, Class::Cjk) => {
                self.begin(unit.start);
                self.extend(bytes, unit);
                self.end_word(unit.group);
            }
            (WordState::Idle, _) => {}
            (WordState::Word, Class::Word | Class::Mark) => self.extend(bytes, unit),
            (WordState::Word, Class::Apostrophe) => {
                self.buf.push(b'\'');
                self.apostrophe_group = unit.group;
                self.state = WordState::Apostrophe;
            }
            (WordState::Word, Class::Cjk) => {
                self.end_word(unit.group);
                self.feed(class, bytes, unit);
            }
            (WordState::Word, Class::Other) => {
                self.end_word(unit.group);
                if self.state == WordState::Ended {
                    self.buf.extend_from_slice(bytes);
                }
            }
            // Same group as the word's end: a word starting here merges.
            (WordState::Ended, Class::Word) => self.extend(bytes, unit),
            (WordState::Ended, Class::Cjk) => {
                self.extend(bytes, unit);
                self.end_word(unit.group);
            }
            (WordState::Ended, _) => self.buf.extend_from_slice(bytes),
            // Left at the top of this function: no state is `Apostrophe`
            // here.
            (WordState::Apostrophe, _) => {}
        }
    }

    /// Appends a character of the current word.
    #[inline]
    fn extend(&mut self, bytes: &[u8], unit: Unit) {
        // One character, mostly: byte pushes beat a `memmove` call.
        for &b in bytes {
            self.buf.push(b);
        }
        self.len = self.buf.len();
        self.end = unit.end;
        self.end_group = unit.group;
        self.state = WordState::Word;
    }

    fn finish(mut self) {
        if self.state != WordState::Idle {
            self.emit();
        }
    }

    /// The words of the ASCII text `bytes[from..to]`, which starts and ends
    /// outside any word (at the ends of the text or after a separator).
    ///
    /// Branch-light: the text is lower-cased into `buf` in one go, a bitmap
    /// of its word bytes (letters, digits, apostrophes between two of them)
    /// is built eight bytes at a time, and words are read off the bitmap's
    /// edges 64 bytes at a time, then hashed in place.
    fn ascii(&mut self, bytes: &[u8], from: usize, to: usize) {
        if from >= to {
            return;
        }
        debug_assert_eq!(self.state, WordState::Idle);
        let lower = &mut self.buf;
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
                    (self.f)(Span::new(from + open, from + at), padded_word_hash(lower, open, at, self.seed));
                }
            }
        }
        if carry == 1 {
            (self.f)(Span::new(from + open, from + n), padded_word_hash(lower, open, n, self.seed));
        }
        lower.clear();
    }

    /// The words of `text[from..to]`, a region that starts and ends
    /// outside any word, one `normalize` unit (a character and its
    /// combining marks) at a time.
    fn unicode(&mut self, text: &str, from: usize, to: usize, folding: &mut Folding) {
        let bytes = text.as_bytes();
        let Folding { scratch, cache, classes, groups } = folding;
        let cache = cache.get_or_insert_with(|| Box::new(FoldCache::new()));
        let classes = classes.get_or_insert_with(|| Box::new(ClassCache::new()));
        let mut i = from;
        while i < to {
            let b = bytes[i];
            let next_is_mark = bytes.get(i + 1).is_some_and(|&n| n >= 0x80) && mark_at(text, i + 1, Some(cache));
            if b < 0x80 && !next_is_mark {
                if ASCII_WORD[b as usize] {
                    // A run of ASCII letters and digits; its last one
                    // belongs to the next character's cluster if that is a
                    // combining mark (normalised together, as in `normalize`).
                    let mut end = i + 1 + ascii_word_len(&bytes[i + 1..to]);
                    if end < bytes.len() && bytes[end] >= 0x80 && mark_at(text, end, Some(cache)) {
                        end -= 1;
                    }
                    self.ascii_word(&bytes[i..end], i, end);
                    i = end;
                } else {
                    self.ascii_other(b);
                    i += 1;
                }
                continue;
            }
            // The common case first: one non-ASCII character, no combining
            // mark after it, that folds to one character of its length.
            if b >= 0x80 && !next_is_mark {
                let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                let end = i + c.len_utf8();
                let follows_mark = bytes.get(end).is_some_and(|&n| n >= 0x80) && mark_at(text, end, Some(cache));
                if !follows_mark {
                    let unit = Unit { start: i, end, group: NO_GROUP };
                    if is_plain_ideograph(c) {
                        if self.state == WordState::Idle {
                            // A word on its own, folded to itself: hash it
                            // straight from the text (3 bytes).
                            let x = bytes[i..end].iter().rev().fold(0u128, |x, &b| x << 8 | u128::from(b));
                            (self.f)(Span::new(i, end), short_word_hash(x, end - i, self.seed));
                        } else {
                            self.feed(Class::Cjk, &bytes[i..end], unit);
                        }
                        i = end;
                        continue;
                    }
                    if let Some((folded, class)) = cache.fast_fold(c, scratch) {
                        self.feed(class, folded, unit);
                        i = end;
                        continue;
                    }
                }
            }
            // One character (non-ASCII, or ASCII followed by combining
            // marks) and the combining marks that follow it.
            let start = i;
            let (first, end, single) = cluster_at(text, start, cache);
            i = end;
            let (folded, same_shape) = if single && !first.is_ascii() {
                let folded = cache.fold_char(first, scratch);
                (folded.bytes, folded.same_shape)
            } else {
                scratch.clear();
                fold_cluster(&text[start..i], scratch);
                (scratch.as_bytes(), false)
            };
            // Characters whose folded form has another shape are the groups
            // of `normalize`: a word may end and the next begin inside one.
            let unit = Unit { start, end: i, group: if same_shape { NO_GROUP } else { *groups } };
            *groups += 1;
            let folded = std::str::from_utf8(folded).unwrap_or("");
            for (at, c) in folded.char_indices() {
                let class = if c.is_ascii() {
                    class_of(c, ASCII_WORD[c as usize], false)
                } else {
                    let class = classes.get(c);
                    class_of(c, class.word, class.mark)
                };
                self.feed(class, &folded.as_bytes()[at..at + c.len_utf8()], unit);
            }
        }
        // The region ends after an ASCII separator (no word is open), or
        // at the end of the text.
        debug_assert!(to == bytes.len() || self.state == WordState::Idle);
    }
}

#[cfg(test)]
fn tokenize(norm: &Normalized, seed: u64) -> Vec<Token> {
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

/// What the word loops need to know of a non-ASCII character.
#[derive(Clone, Copy)]
struct CharClass {
    /// [`is_word_char`].
    word: bool,
    /// [`is_combining_mark`].
    mark: bool,
}

/// [`CharClass`] of recently seen non-ASCII characters (two Unicode table
/// lookups each), direct-mapped on the low bits of the code point like
/// [`FoldCache`].
struct ClassCache {
    keys: [u32; FOLD_CACHE_SLOTS],
    classes: [CharClass; FOLD_CACHE_SLOTS],
}

impl ClassCache {
    fn new() -> ClassCache {
        ClassCache {
            keys: [u32::MAX; FOLD_CACHE_SLOTS],
            classes: [CharClass { word: false, mark: false }; FOLD_CACHE_SLOTS],
        }
    }

    fn get(&mut self, c: char) -> CharClass {
        let slot = c as usize % FOLD_CACHE_SLOTS;
        if self.keys[slot] != c as u32 {
            self.keys[slot] = c as u32;
            self.classes[slot] = CharClass { word: is_word_char(c), mark: is_combining_mark(c) };
        }
        self.classes[slot]
    }
}

/// Which bytes are ASCII letters and digits (word characters), for the
/// ASCII word loops: one load instead of two range tests.
static ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// `0x01` in every byte.
const LANES: u64 = u64::MAX / 255;
/// `0x80` in every byte.
const HIGH: u64 = LANES * 0x80;

/// The length of the run of ASCII letters and digits that starts `bytes`,
/// found eight bytes at a time (one well-predicted branch per short word
/// instead of a mispredicted loop exit).
#[inline(always)]
fn ascii_word_len(bytes: &[u8]) -> usize {
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

/// The tokens [`tokenize`] has found so far.
#[cfg(test)]
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

#[cfg(test)]
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

#[cfg(test)]
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

#[cfg(test)]
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

#[cfg(test)]
fn next_is_word(s: &str, at: usize) -> bool {
    s.get(at..).and_then(|r| r.chars().next()).is_some_and(|c| is_word_char(c) && !is_cjk(c))
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Whether `c` can end a sentence: `…` or a character with the Unicode
/// property Sentence_Terminal.
#[inline]
fn is_terminator(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '.' | '!' | '?');
    }
    c == '…' || is_sentence_terminal(c)
}

/// Whether `c` is a terminator that ends a sentence whatever follows it
/// (see the [module docs](self)): not ASCII, not dot-like (`․` `۔` `﹒` `．`
/// also mark abbreviations and decimals) and not a Latin `!`/`?` form.
#[inline]
fn is_script_stop(c: char) -> bool {
    !c.is_ascii()
        && !matches!(
            c,
            '\u{2024}' // one dot leader
                | '\u{06D4}' // Arabic full stop (Urdu abbreviations: ایم۔اے)
                | '\u{FE52}' // small full stop
                | '\u{FF0E}' // full-width full stop (also a decimal point)
                | '\u{203C}'..='\u{203D}' // ‼ ‽
                | '\u{2047}'..='\u{2049}' // ⁇ ⁈ ⁉
                | '\u{2E2E}' // reversed question mark
                | '\u{2E3C}' // stenographic full stop
                | '\u{2E53}'..='\u{2E54}' // medieval ! ?
                | '\u{2E60}'..='\u{2E61}' // wiggly !
                | '\u{FE56}'..='\u{FE57}' // small ? !
        )
        && is_sentence_terminal(c)
}

/// Unicode's Sentence_Terminal property (`STERM_RANGES`).
#[inline]
fn is_sentence_terminal(c: char) -> bool {
    let c = c as u32;
    // Below U+0589 only the ASCII `!`, `.`, `?`.
    if c < 0x589 {
        return matches!(c, 0x21 | 0x2E | 0x3F);
    }
    // General Punctuation (curly quotes, dashes, the ellipsis), the
    // non-ASCII punctuation of most texts: one bit test.
    if (0x2000..0x2080).contains(&c) {
        return GENERAL_PUNCTUATION_STERM >> (c - 0x2000) & 1 == 1;
    }
    let i = STERM_RANGES.partition_point(|&(_, hi)| hi < c);
    STERM_RANGES.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// Bit `i` set when U+2000 + `i` is in `STERM_RANGES`.
const GENERAL_PUNCTUATION_STERM: u128 = {
    let mut bits = 0u128;
    let mut i = 0;
    while i < STERM_RANGES.len() {
        let (lo, hi) = STERM_RANGES[i];
        let mut c = lo;
        while c <= hi {
            if c >= 0x2000 && c < 0x2080 {
                bits |= 1 << (c - 0x2000);
            }
            c += 1;
        }
        i += 1;
    }
    bits
};

// The Unicode Sentence_Terminal table: regenerate with
// `scripts/gen-sentence-terminals.py PropList.txt --update src/text.rs`
// from the UCD's PropList.txt of the Unicode version of
// `unicode_normalization::UNICODE_VERSION` (a test checks they agree).
// BEGIN generated by scripts/gen-sentence-terminals.py
// from PropList-18.0.0.txt: 172 characters in 89 ranges.
/// The Unicode version of `STERM_RANGES` (a test compares it with
/// `unicode_normalization::UNICODE_VERSION`).
#[cfg(test)]
const STERM_VERSION: (u8, u8, u8) = (18, 0, 0);
/// Every character with the Unicode property Sentence_Terminal, as
/// sorted, disjoint, inclusive ranges of code points.
#[rustfmt::skip]
static STERM_RANGES: &[(u32, u32)] = &[
    (0x0021, 0x0021),
    (0x002E, 0x002E),
    (0x003F, 0x003F),
    (0x0589, 0x0589),
    (0x061D, 0x061F),
    (0x06D4, 0x06D4),
    (0x0700, 0x0702),
    (0x07F9, 0x07F9),
    (0x0837, 0x0837),
    (0x0839, 0x0839),
    (0x083D, 0x083E),
    (0x0964, 0x0965),
    (0x104A, 0x104B),
    (0x1362, 0x1362),
    (0x1367, 0x1368),
    (0x166E, 0x166E),
    (0x1735, 0x1736),
    (0x17D4, 0x17D5),
    (0x1803, 0x1803),
    (0x1809, 0x1809),
    (0x1944, 0x1945),
    (0x1AA8, 0x1AAB),
    (0x1B4E, 0x1B4F),
    (0x1B5A, 0x1B5B),
    (0x1B5E, 0x1B5F),
    (0x1B7D, 0x1B7F),
    (0x1C3B, 0x1C3C),
    (0x1C7E, 0x1C7F),
    (0x2024, 0x2024),
    (0x203C, 0x203D),
    (0x2047, 0x2049),
    (0x2CF9, 0x2CFB),
    (0x2E2E, 0x2E2E),
    (0x2E3C, 0x2E3C),
    (0x2E53, 0x2E54),
    (0x2E60, 0x2E61),
    (0x3002, 0x3002),
    (0xA4FF, 0xA4FF),
    (0xA60E, 0xA60F),
    (0xA6F3, 0xA6F3),
    (0xA6F7, 0xA6F7),
    (0xA876, 0xA877),
    (0xA8CE, 0xA8CF),
    (0xA92F, 0xA92F),
    (0xA9C8, 0xA9C9),
    (0xAA5D, 0xAA5F),
    (0xAAF0, 0xAAF1),
    (0xABEB, 0xABEB),
    (0xFE12, 0xFE12),
    (0xFE15, 0xFE16),
    (0xFE52, 0xFE52),
    (0xFE56, 0xFE57),
    (0xFF01, 0xFF01),
    (0xFF0E, 0xFF0E),
    (0xFF1F, 0xFF1F),
    (0xFF61, 0xFF61),
    (0x10A56, 0x10A57),
    (0x10F55, 0x10F59),
    (0x10F86, 0x10F89),
    (0x11047, 0x11048),
    (0x110BE, 0x110C1),
    (0x11141, 0x11143),
    (0x111C5, 0x111C6),
    (0x111CD, 0x111CD),
    (0x111DE, 0x111DF),
    (0x11238, 0x11239),
    (0x1123B, 0x1123C),
    (0x112A9, 0x112A9),
    (0x113D4, 0x113D5),
    (0x1144B, 0x1144C),
    (0x115C2, 0x115C3),
    (0x115C9, 0x115D7),
    (0x11641, 0x11642),
    (0x1173C, 0x1173E),
    (0x11944, 0x11944),
    (0x11946, 0x11946),
    (0x11A42, 0x11A43),
    (0x11A9B, 0x11A9C),
    (0x11C41, 0x11C42),
    (0x11EF7, 0x11EF8),
    (0x11F43, 0x11F44),
    (0x16A6E, 0x16A6F),
    (0x16AF5, 0x16AF5),
    (0x16B37, 0x16B38),
    (0x16B44, 0x16B44),
    (0x16D6E, 0x16D6F),
    (0x16E98, 0x16E98),
    (0x1BC9F, 0x1BC9F),
    (0x1DA88, 0x1DA88),
];
// END generated by scripts/gen-sentence-terminals.py

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}' | '»' | '”' | '’' | '」' | '』' | '）' | '】')
}

/// What separates two consecutive tokens.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Break {
    None,
    Sentence,
    Paragraph,
}

/// Classifies the gap `gap` (the text between two tokens) and returns the
/// break, plus where the previous segment ends and the next one starts
/// (offsets relative to the gap).
fn classify_gap(gap: &str, next_word: Option<char>) -> (Break, usize, usize) {
    // The previous segment ends after the first run of non-space characters
    // of the gap; the next one starts at its last run of non-space characters.
    let (end, start) = match gap.find(is_space) {
        Some(end) => {
            let start = gap.rfind(is_space).map_or(end, |p| p + gap[p..].chars().next().map_or(1, char::len_utf8));
            (end, start)
        }
        // No space (`。` between CJK words): split after the last terminator
        // and the closing marks that follow it.
        None => {
            let split = gap.char_indices().rfind(|&(_, c)| is_terminator(c)).map_or(gap.len(), |(i, c)| {
                let after = i + c.len_utf8();
                after + gap[after..].find(|c: char| !is_closer(c)).unwrap_or(gap.len() - after)
            });
            (split, split)
        }
    };
    let mut newlines = 0;
    let mut blank_line = false;
    let mut only_space_since_newline = false;
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = match c {
            '\n' | '\u{2028}' | '\u{2029}' | '\u{0085}' => true,
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                true
            }
            _ => false,
        };
        if line_end {
            if newlines > 0 && only_space_since_newline {
                blank_line = true;
            }
            newlines += 1;
            only_space_since_newline = true;
        } else if !is_space(c) {
            only_space_since_newline = false;
        }
    }
    if blank_line {
        return (Break::Paragraph, end, start);
    }
    // White space after the terminator (`end` is the first space, or where
    // a gap without any space was split: then there is none).
    let has_space = gap[end..].starts_with(is_space);
    let script_stop = gap.chars().any(is_script_stop);
    let terminated = gap[..end].chars().any(is_terminator);
    let next_ok = next_word.is_none_or(|c| !c.is_lowercase());
    if script_stop || (terminated && has_space && next_ok) {
        (Break::Sentence, end, start)
    } else {
        (Break::None, end, start)
    }
}

fn segment(text: &str, tokens: &[Token]) -> (Vec<Segment>, Vec<Segment>) {
    let mut sentences = Vec::new();
    let mut paragraphs = Vec::new();
    if tokens.is_empty() {
        return (sentences, paragraphs);
    }
    let lead = &text[..tokens[0].span.start];
    let lead_start = lead.rfind(is_space).map(|p| p + lead[p..].chars().next().map_or(1, char::len_utf8)).unwrap_or(0);
    let mut sent_start = (lead_start, 0usize);
    let mut para_start = sent_start;
    for i in 0..tokens.len() {
        let prev_end = tokens[i].span.end;
        let (brk, end_rel, start_rel) = match tokens.get(i + 1) {
            Some(next) => {
                let gap = &text[prev_end..next.span.start];
                // Most gaps (a space, ", ", a hyphen) hold no terminator, no
                // line end and nothing beyond ASCII: no break, by the rules
                // of `classify_gap`, which need not run.
                if gap.bytes().all(|b| b < 0x80 && !matches!(b, b'.' | b'!' | b'?' | b'\n' | b'\r')) {
                    continue;
                }
                let next_word = text[next.span.start..].chars().next();
                classify_gap(gap, next_word)
            }
            None => {
                let tail = &text[prev_end..];
                let end = tail.find(is_space).unwrap_or(tail.len());
                (Break::Paragraph, end, 0)
            }
        };
        if brk == Break::None {
            continue;
        }
        let end = prev_end + end_rel;
        sentences.push(Segment { span: Span::new(sent_start.0, end), tokens: sent_start.1..i + 1 });
        let next_start = (prev_end + start_rel, i + 1);
        if brk == Break::Paragraph {
            paragraphs.push(Segment { span: Span::new(para_start.0, end), tokens: para_start.1..i + 1 });
            para_start = next_start;
        }
        sent_start = next_start;
    }
    (sentences, paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        analyze(text, 0).tokens.iter().map(|t| &text[t.span]).collect()
    }

    #[test]
    fn ascii_words_and_apostrophes() {
        assert_eq!(words("Azerbaijan's role, NATO-led  ops."), ["Azerbaijan's", "role", "NATO", "led", "ops"]);
        assert_eq!(words("'quoted' rock'n'roll"), ["quoted", "rock'n'roll"]);
    }

    #[test]
    fn curly_and_straight_quotes_hash_alike() {
        let a = analyze("Azerbaijan’s", 7);
        let b = analyze("AZERBAIJAN'S", 7);
        assert_eq!(a.tokens[0].hash, b.tokens[0].hash);
    }

    #[test]
    fn expansions_map_back_to_whole_characters() {
        let text = "ﬁnal Straße İstanbul ＡＢＣ ǅemal";
        let a = analyze(text, 0);
        let got: Vec<&str> = a.tokens.iter().map(|t| &text[t.span]).collect();
        assert_eq!(got, ["ﬁnal", "Straße", "İstanbul", "ＡＢＣ", "ǅemal"]);
        assert_eq!(a.tokens[0].hash, analyze("final", 0).tokens[0].hash);
        assert_eq!(a.tokens[1].hash, analyze("STRASSE", 0).tokens[0].hash);
        assert_eq!(a.tokens[3].hash, analyze("abc", 0).tokens[0].hash);
    }

    #[test]
    fn one_character_is_never_split_between_tokens() {
        let text = "about ½ cup and ¼";
        let a = analyze(text, 0);
        let got: Vec<&str> = a.tokens.iter().map(|t| &text[t.span]).collect();
        assert_eq!(got, ["about", "½", "cup", "and", "¼"]);
    }

    #[test]
    fn combining_marks_stay_in_words() {
        let text = "cafe\u{301} noir";
        let a = analyze(text, 0);
        assert_eq!(&text[a.tokens[0].span], "cafe\u{301}");
        assert_eq!(a.tokens[0].hash, analyze("CAFÉ", 0).tokens[0].hash);
    }

    #[test]
    fn cjk_is_one_token_per_character() {
        assert_eq!(words("東京都に住む"), ["東", "京", "都", "に", "住", "む"]);
        assert_eq!(words("Москва и Αθήνα"), ["Москва", "и", "Αθήνα"]);
        assert_eq!(words("مرحبا بالعالم"), ["مرحبا", "بالعالم"]);
    }

    #[test]
    fn paragraphs_with_crlf_bom_and_blank_runs() {
        let text = "\u{feff}By Azernews\r\n\r\n\r\n  \r\nBy Vafa\rIsmayilova\r\rLast one.";
        let a = analyze(text, 0);
        let paras: Vec<&str> = a.paragraphs.iter().map(|p| &text[p.span]).collect();
        assert_eq!(paras, ["By Azernews", "By Vafa\rIsmayilova", "Last one."]);
    }

    #[test]
    fn sentences_keep_their_quotes() {
        let text = "“We want more,” he said. “Azerbaijan is important.” Then e.g. this one.";
        let a = analyze(text, 0);
        let s: Vec<&str> = a.sentences.iter().map(|p| &text[p.span]).collect();
        assert_eq!(s, ["“We want more,” he said.", "“Azerbaijan is important.”", "Then e.g. this one."]);
    }

    #[test]
    fn sentences_split_without_spaces() {
        let text = "东京很大。「大阪」也很大。action。action";
        let a = analyze(text, 0);
        let s: Vec<&str> = a.sentences.iter().map(|p| &text[p.span]).collect();
        assert_eq!(s, ["东京很大。", "「大阪」也很大。", "action。", "action"]);
    }

    #[test]
    fn sentence_terminal_table_is_sound() {
        // Generated for the Unicode version the normaliser implements.
        assert_eq!(STERM_VERSION, unicode_normalization::UNICODE_VERSION);
        for w in STERM_RANGES.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 + 1 < w[1].0, "{w:x?}");
        }
        // The shortcuts of `is_sentence_terminal` and `is_terminator`
        // agree with the table.
        let in_table = |c: u32| STERM_RANGES.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(is_sentence_terminal(c), in_table(c as u32), "{c:?}");
            assert_eq!(is_terminator(c), c == '…' || in_table(c as u32), "{c:?}");
            assert!(!is_script_stop(c) || is_terminator(c), "{c:?}");
        }
        for c in ['।', '॥', '۔', '؟', '։', '።', '።', '。', '！', '？', '｡', '.', '!', '?', '‼', '⁉', '．']
        {
            assert!(is_terminator(c), "{c:?}");
        }
        for c in ['।', '॥', '؟', '։', '።', '。', '！', '？', '｡', '︒'] {
            assert!(is_script_stop(c), "{c:?}");
        }
        for c in ['.', '!', '?', '…', '۔', '․', '．', '‼', '⁉', '‽', '\u{fe56}', ',', '፡', '՞'] {
            assert!(!is_script_stop(c), "{c:?}");
        }
        // Every terminator is punctuation, never part of a word, so it
        // always lands in a gap between tokens.
        for &(lo, hi) in STERM_RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                assert!(!is_word_char(c) && !is_space(c), "{c:?}");
            }
        }
    }

    fn sentences(text: &str) -> Vec<&str> {
        analyze(text, 0).sentences.iter().map(|s| &text[s.span]).collect()
    }

    #[test]
    fn script_stops_end_sentences_with_or_without_space() {
        assert_eq!(sentences("बारिश हुई। सड़कें बंद हैं॥ स्कूल"), ["बारिश हुई।", "सड़कें बंद हैं॥", "स्कूल"]);
        assert_eq!(sentences("बारिश हुई।सड़कें बंद"), ["बारिश हुई।", "सड़कें बंद"]);
        assert_eq!(sentences("ሰላም፡ነው።ቀጣይ፡ዜና።"), ["ሰላም፡ነው።", "ቀጣይ፡ዜና።"]);
        assert_eq!(sentences("کیا ہوا؟ کچھ نہیں۔ بس"), ["کیا ہوا؟", "کچھ نہیں۔", "بس"]);
        assert_eq!(sentences("Այո։ «Ոչ»։ Լավ"), ["Այո։", "«Ոչ»։", "Լավ"]);
        // A script stop ends a sentence whatever case the next word has.
        assert_eq!(sentences("東京。 action"), ["東京。", "action"]);
    }

    #[test]
    fn dot_like_stops_need_a_space() {
        // Urdu writes abbreviations with `۔` (M.A. = ایم۔اے), full-width
        // text decimals with `．`: without a space they end nothing.
        assert_eq!(sentences("ایم۔اے پاس"), ["ایم۔اے پاس"]);
        assert_eq!(sentences("３．５ 倍"), ["３．５ 倍"]);
        assert_eq!(sentences("Hello‼ world‼ Next"), ["Hello‼ world‼", "Next"]);
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert_eq!(analyze("", 0), Analysis::default());
        assert_eq!(analyze(" \n\n ... --- !!!", 0), Analysis::default());
    }

    #[test]
    fn normalize_map_round_trips() {
        let text = "a “ﬁ” ß ＡＢ x";
        let n = normalize(text);
        assert_eq!(n.as_str(), "a \"fi\" ss ab x");
        assert_eq!(n.to_original(Span::new(0, 1)), Span::new(0, 1));
        assert_eq!(&text[n.to_original(Span::new(3, 5))], "ﬁ");
        assert_eq!(&text[n.to_original(Span::new(3, 4))], "ﬁ");
        assert_eq!(&text[n.to_original(Span::new(7, 9))], "ß");
        assert_eq!(&text[n.to_original(Span::new(10, 12))], "ＡＢ");
        assert_eq!(&text[n.to_original(Span::new(13, 14))], "x");
    }

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
    fn words_from_inside_a_callback() {
        // The thread's folding caches are in use by the outer call: the
        // inner one starts cold, with the same results.
        let outer = "Ünïcödé wörds, ½ and ﬁne";
        let mut inner = Vec::new();
        for_each_word(outer, 1, |span, _| {
            let mut hashes = Vec::new();
            for_each_word(&outer[span], 1, |_, h| hashes.push(h));
            inner.push(hashes);
        });
        let want: Vec<Vec<u64>> = analyze(outer, 1).tokens.iter().map(|t| vec![t.hash]).collect();
        assert_eq!(inner, want);
    }

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

    #[test]
    fn plain_ascii_gaps_never_break() {
        // `segment` skips `classify_gap` for these gaps: check the rule it
        // relies on, for every gap of up to two such bytes and any next word.
        let plain: Vec<char> =
            (0u8..0x80).filter(|b| !matches!(b, b'.' | b'!' | b'?' | b'\n' | b'\r')).map(char::from).collect();
        for &a in &plain {
            for b in std::iter::once(None).chain(plain.iter().copied().map(Some)) {
                let gap: String = std::iter::once(a).chain(b).collect();
                for next in [None, Some('A'), Some('a'), Some('東')] {
                    assert!(classify_gap(&gap, next).0 == Break::None, "{gap:?} {next:?}");
                }
            }
        }
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

    /// `analyze`'s words (from `for_each_word`) against the reference:
    /// `tokenize` on the `normalize`d text, spans mapped back.
    fn assert_same_words(text: &str) {
        let want = tokenize(&normalize(text), 5);
        let got = analyze(text, 5).tokens;
        assert_eq!(got, want, "{text:?}");
    }

    #[test]
    fn streamed_words_match_the_normalised_tokenizer() {
        for text in [
            "",
            "a",
            "'",
            "it's rock'n'roll 'quoted' o'",
            "it’s l’É x'½ ½' ½'a a'½",
            "about ½ cup, ¼¼¼ and 1½2 a½b",
            "ﷺﷺ ﷺa aﷺ",
            "cafe\u{301} e\u{301}\u{302}x \u{301}a a \u{301} '\u{301}",
            "東京都に住む abc東def 漢'字 ａ'東",
            "Straße İstanbul ＡＢＣ ǅemal ﬃ ŉ",
            "👍🏽 ❤\u{fe0f} a\u{fe0f}b",
            "㍿ ㌔ ⑴ ⒜ ℡ ﬁ’s",
            "Москва и Αθήνα ΣΊΣΥΦΟΣ مرحبا",
            "tab\tcr\rlf\nff\u{c}vt\u{b}",
            "a\u{2019}\u{2019}b a\u{2019}.b",
            // A separator clustered with a following mark that is a word
            // on its own (found by the proptest below).
            "%\u{3099}:z",
            "ab %\u{3099}",
            "a. \u{3099}\u{301}b",
        ] {
            assert_same_words(text);
        }
    }

    proptest::proptest! {
        // Fixed seed, so CI is repeatable; `PROPTEST_RNG_SEED=n` explores
        // others (300,000 random cases of each passed when this was written).
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 3000,
            rng_seed: proptest::test_runner::RngSeed::Fixed(
                std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x7E87_5EED),
            ),
            ..Default::default()
        })]
        #[test]
        fn streamed_words_match_on_tricky_text(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', 'B', 'z', '0', '9', ' ', ' ', '\'', '.', '-', '\n', '\r', '\t',
                '’', '‘', '“', '½', '¼', 'ﷺ', '\u{301}', '\u{302}', '\u{fe0f}', '東', 'に', 'ア',
                'ß', 'İ', 'Σ', 'ς', 'ﬁ', 'ﬃ', 'Ａ', '１', '㍿', '⑴', 'ŉ', 'é', 'д', 'ا', '\u{a0}',
                '\u{2044}', '\u{feff}', '—', '…', '。', '👍', '\u{1f3fd}', 'ǅ', '\u{345}',
                '%', '\u{3099}', '\u{309a}', '\u{20dd}', 'ｶ', '\u{ff9e}', '(', ',',
            ]), 0..40)
        ) {
            let text: String = chars.into_iter().collect();
            assert_same_words(&text);
        }

        #[test]
        fn streamed_words_match_on_any_text(text in "\\PC{0,300}") {
            assert_same_words(&text);
        }
    }

    #[test]
    fn decode_rejects_non_text() {
        assert_eq!(decode(b"ok\xffno"), Err(Error::InvalidUtf8 { offset: 2 }));
        assert!(matches!(decode(b"a\0b"), Err(Error::Binary { offset: 1, .. })));
        assert_eq!(decode(b""), Ok(""));
    }
}
