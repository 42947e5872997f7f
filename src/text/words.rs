//! The words of a text in one streaming pass: ASCII regions go to the
//! bitmap path of `ascii`, the rest through a state machine fed one folded
//! character at a time.

use super::ascii::{self, ascii_run_end, ascii_word_len};
use super::class::{ASCII_WORD, Class, ClassCache, class_of};
use super::fold::{FoldCache, cluster_at, fold_cluster, is_plain_ideograph, mark_at};
use super::hash::{short_word_hash, word_hash};
use crate::span::Span;

/// Calls `f(span, hash)` for every word of `text`, in order: the same words
/// as [`analyze`](super::analyze)'s
/// [`Analysis::tokens`](super::Analysis::tokens) (same original spans, same
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

/// The group id of a [`Cluster`] whose folded form is one character of the
/// same length: no word can end and another begin inside it.
const NO_GROUP: u64 = u64::MAX;

/// One unit of the original text, as `normalize` folds it: a character with
/// its combining marks.
#[derive(Clone, Copy)]
struct Cluster {
    /// Original byte span.
    start: usize,
    end: usize,
    /// Its number, or [`NO_GROUP`].
    group: u64,
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
    fn feed(&mut self, class: Class, bytes: &[u8], unit: Cluster) {
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
    fn extend(&mut self, bytes: &[u8], unit: Cluster) {
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
    /// outside any word (at the ends of the text or after a separator), by
    /// the bitmap path of [`ascii::words`].
    fn ascii(&mut self, bytes: &[u8], from: usize, to: usize) {
        if from >= to {
            return;
        }
        debug_assert_eq!(self.state, WordState::Idle);
        ascii::words(bytes, from, to, &mut self.buf, self.seed, &mut self.f);
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
                    let unit = Cluster { start: i, end, group: NO_GROUP };
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
            let unit = Cluster { start, end: i, group: if same_shape { NO_GROUP } else { *groups } };
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
mod tests {
    use super::*;
    use crate::text::analyze;

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
}
