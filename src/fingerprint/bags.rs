//! Sentences as unordered sets of word stems: what the index's
//! rewritten-reuse candidates are sketched from.
//!
//! A sentence whose words were reordered, or partly replaced, keeps most of
//! its stems ([`word_stems`]), in any order: the Jaccard similarity of two
//! such stem sets is what a MinHash of each set estimates, so that LSH
//! bands over those signatures make shuffled and partly substituted
//! sentences meet (see `DESIGN.md`, "Rewritten candidates").

use crate::text::{Analysis, Token, word_stems};

/// Fewest distinct stems of a sentence that takes entries in the
/// rewritten-candidate tables (the fewest words of a rewritten seed,
/// [`score::rewritten`](crate::score::rewritten)'s `SENTENCE_WORDS`).
pub const BAG_MIN_STEMS: usize = 5;

/// The sorted, distinct stems of the words `tokens` (a range of
/// `analysis`'s tokens) of `text`, each the [`word_stems`] of `stem_chars`
/// characters with `seed`; empty when `analysis` is not an analysis of
/// `text` (a token outside it).
///
/// ```
/// use neardup::fingerprint::stem_set;
/// use neardup::text::analyze;
///
/// let text = "Inheritance lets classes inherit; classes inherit methods.";
/// let a = analyze(text, 0);
/// // "inher", "lets", "class", "metho"
/// assert_eq!(stem_set(text, &a, 0..a.tokens.len(), 5, 0).len(), 4);
/// ```
pub fn stem_set(
    text: &str,
    analysis: &Analysis,
    tokens: std::ops::Range<usize>,
    stem_chars: usize,
    seed: u64,
) -> Vec<u64> {
    let Some(words) = analysis.tokens.get(tokens) else { return Vec::new() };
    if words.iter().any(|t| text.get(t.span.start..t.span.end).is_none()) {
        return Vec::new();
    }
    let mut stems = word_stems(text, words, stem_chars, seed);
    stems.sort_unstable();
    stems.dedup();
    stems
}

/// Fewest characters of a word whose stem goes into a sentence's sketch.
pub const BAG_MIN_CHARS: usize = 4;

/// `(sentence, content stems)` of each sentence of `text` that takes
/// entries in the rewritten-candidate tables, in text order: the stems
/// ([`stem_set`]) of its words of at least [`BAG_MIN_CHARS`] characters, for
/// a sentence with at least [`BAG_MIN_STEMS`] of them whose set no earlier
/// sentence of the text has (a repeated sentence would take the same
/// entries).
///
/// Short words are left out: the most frequent words of a language are
/// its shortest (Zipf's law of abbreviation: `the`, `of`, `и`, `в`,
/// `di`, `في`), and two unrelated sentences that share them would meet in
/// the tables of every long text. Scripts written without spaces (one
/// character per word) take no entries.
///
/// ```
/// use neardup::fingerprint::sentence_stem_sets;
/// use neardup::text::analyze;
///
/// let text = "Too short here. These five long words count here. \
///             Here count these five long words! It is the end of it, so it is.";
/// let sets = sentence_stem_sets(text, &analyze(text, 0), 5, 0);
/// // The third sentence reorders the second; the last has no long words.
/// assert_eq!(sets.len(), 1);
/// // "these", "five", "long", "words", "count", "here".
/// assert_eq!((sets[0].0, sets[0].1.len()), (1, 6));
/// ```
pub fn sentence_stem_sets(text: &str, analysis: &Analysis, stem_chars: usize, seed: u64) -> Vec<(u32, Vec<u64>)> {
    let mut out: Vec<(u32, Vec<u64>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, s) in analysis.sentences.iter().enumerate() {
        let Some(words) = analysis.tokens.get(s.tokens.clone()) else { continue };
        if words.len() < BAG_MIN_STEMS {
            continue;
        }
        let content: Vec<Token> = words.iter().copied().filter(|t| is_long(text, t)).collect();
        if content.len() < BAG_MIN_STEMS {
            continue;
        }
        let mut set = word_stems(text, &content, stem_chars, seed);
        set.sort_unstable();
        set.dedup();
        if set.len() >= BAG_MIN_STEMS && seen.insert(set.clone()) {
            out.push((i as u32, set));
        }
    }
    out
}

/// A stem folded to 16 bits in a sentence: `(fold, count in the sentence,
/// sentences of the article holding the fold)`, the counts capped at 255
/// (4 bytes).
pub(crate) type FoldedStem = (u16, u8, u8);

/// An article's [`Folded`] stems with the folded stems of some of its
/// sentences (those of its entries in the rewritten-candidate tables).
pub(crate) type FoldedArticle = (Folded, Vec<Vec<FoldedStem>>);

/// An article's stems folded to 16 bits: its sentences and folded
/// vocabulary, what an index keeps of each article in its
/// rewritten-candidate tables (with the folded stems of those sentences,
/// [`Folded::sentence`]) so that a bag cue is judged without reading back,
/// analysing and bagging the stored article. Two sentences' folded stems
/// share at least what their stem sets share (a fold can only add to a
/// merge's count) and have their sizes, so a Dice coefficient on them is
/// never below the sets' own; the sentence frequency of a fold is its
/// stems' summed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Folded {
    /// Sentences of the article.
    pub(crate) sentences: u32,
    /// `(fold, sentences holding it)`, sorted by fold.
    pub(crate) vocab: Vec<(u16, u16)>,
}

impl Folded {
    /// The folded stems of `text` (`analysis` is its analysis), each word
    /// conflated to the [`word_stems`] of `stem_chars` characters with
    /// `seed`, with the folded stems of its sentences `wanted`
    /// ([`sentence`](Self::sentence)); empty (no sentences) for an analysis
    /// of another text.
    pub(crate) fn new(
        text: &str,
        analysis: &Analysis,
        stem_chars: usize,
        seed: u64,
        wanted: &[u32],
    ) -> (Folded, Vec<Vec<FoldedStem>>) {
        if analysis.tokens.iter().any(|t| text.get(t.span.start..t.span.end).is_none()) {
            return (Folded::default(), wanted.iter().map(|_| Vec::new()).collect());
        }
        let all = word_stems(text, &analysis.tokens, stem_chars, seed);
        let (mut sorted, mut vocab) = (Vec::<u64>::new(), Vec::<u16>::new());
        let mut kept = Kept::default();
        let mut next = wanted.iter().peekable();
        for (i, s) in analysis.sentences.iter().enumerate() {
            sorted.clear();
            sorted.extend_from_slice(all.get(s.tokens.clone()).unwrap_or(&[]));
            sorted.sort_unstable();
            vocab.extend(sorted.chunk_by(|x, y| x == y).map(|run| fold(run[0])));
            if next.next_if(|&&w| w as usize == i).is_some() {
                kept.push(&sorted);
            }
        }
        let (out, mut stems) = Folded::finish(analysis.sentences.len(), vocab, kept);
        stems.resize(wanted.len(), Vec::new());
        (out, stems)
    }

    /// The folded stems of an article of `sentences` sentences whose
    /// sentences' distinct stems have folds `folds` (one per stem and
    /// sentence, in any order), with the folded stems of the sentences
    /// `kept`.
    fn finish(sentences: usize, folds: Vec<u16>, kept: Kept) -> (Folded, Vec<Vec<FoldedStem>>) {
        let vocab = count_folds(folds.iter().map(|&f| (f, 1)));
        let out = Folded { sentences: sentences as u32, vocab };
        let Kept { mut packed, ends } = kept;
        let stems = with_frequencies(&out.vocab, |table| {
            let mut start = 0;
            ends.iter()
                .map(|&end| {
                    let sentence = &mut packed[start..end];
                    start = end;
                    for p in sentence.iter_mut() {
                        *p |= u32::from(table[(*p >> 16) as usize].min(255));
                    }
                    sentence.sort_unstable();
                    sentence.iter().map(|&p| unpack(p)).collect()
                })
                .collect()
        });
        (out, stems)
    }

    /// The same as [`new`](Self::new) from the stems already counted:
    /// `sentences` sentences and `vocab` the `(stem, sentences holding it)`
    /// of each distinct stem.
    pub(crate) fn from_counts(sentences: usize, vocab: impl Iterator<Item = (u64, u32)>) -> Folded {
        // A fold's stems' counts summed, capped at `u16::MAX`: as the
        // addends are not negative, a saturating sum of the capped counts.
        let vocab = count_folds(vocab.map(|(stem, n)| (fold(stem), n.min(u32::from(u16::MAX)) as u16)));
        Folded { sentences: sentences as u32, vocab }
    }

    /// Sentences of the article holding `fold`.
    pub(crate) fn frequency(vocab: &[(u16, u16)], fold: u16) -> u16 {
        vocab.binary_search_by_key(&fold, |e| e.0).map_or(0, |i| vocab[i].1)
    }

    /// The folded stems of a sentence of this article whose distinct stems
    /// have counts `stems`, sorted.
    pub(crate) fn sentence(&self, stems: impl Iterator<Item = (u64, u32)>) -> Vec<FoldedStem> {
        sentence_of(stems, |f| Folded::frequency(&self.vocab, f))
    }
}

/// `(fold, sum of its counts)` of the `(fold, count)` pairs `counts`, sorted
/// by fold, the sums saturating at `u16::MAX`: counted in a per-thread
/// table, the folds met marked in a bitmap read in order (no sort).
fn count_folds(counts: impl Iterator<Item = (u16, u16)>) -> Vec<(u16, u16)> {
    FREQUENCIES.with_borrow_mut(|table| {
        SEEN.with_borrow_mut(|seen| {
            if table.is_empty() {
                table.resize(1 << 16, 0);
            }
            if seen.is_empty() {
                seen.resize(1 << 10, 0);
            }
            for (f, c) in counts {
                seen[usize::from(f >> 6)] |= 1 << (f & 63);
                let n = &mut table[usize::from(f)];
                *n = n.saturating_add(c);
            }
            let mut vocab = Vec::new();
            for (w, word) in seen.iter_mut().enumerate() {
                let mut bits = std::mem::take(word);
                while bits != 0 {
                    let f = ((w << 6) | bits.trailing_zeros() as usize) as u16;
                    vocab.push((f, std::mem::take(&mut table[usize::from(f)])));
                    bits &= bits - 1;
                }
            }
            vocab
        })
    })
}

/// The sentences of an article whose folded stems are wanted, before the
/// frequencies of their folds are known: each distinct stem of a sentence
/// as `fold << 16 | count << 8` (see [`sentence_of`]), sentence after
/// sentence.
#[derive(Default)]
struct Kept {
    packed: Vec<u32>,
    /// The end of each sentence's stems in `packed`.
    ends: Vec<usize>,
}

impl Kept {
    /// Adds a sentence of stems `sorted` (sorted).
    fn push(&mut self, sorted: &[u64]) {
        self.packed.extend(
            sorted
                .chunk_by(|x, y| x == y)
                .map(|run| (u32::from(fold(run[0])) << 16) | ((run.len().min(255) as u32) << 8)),
        );
        self.ends.push(self.packed.len());
    }
}

/// The folded stem `(fold, count, frequency)` packed as `fold << 16 |
/// count << 8 | frequency` ([`sentence_of`]).
fn unpack(p: u32) -> FoldedStem {
    ((p >> 16) as u16, (p >> 8) as u8, p as u8)
}

/// The folded stems, sorted, of a sentence whose distinct stems have
/// counts `stems`, in an article where `frequency(fold)` sentences hold
/// `fold` ([`Folded::sentence`]).
fn sentence_of(stems: impl Iterator<Item = (u64, u32)>, frequency: impl Fn(u16) -> u16) -> Vec<FoldedStem> {
    // Packed as `fold << 16 | count << 8 | frequency`, whose order is the
    // tuples' order, to sort plain integers.
    let mut packed: Vec<u32> = stems
        .map(|(stem, n)| {
            let f = fold(stem);
            (u32::from(f) << 16) | (n.min(255) << 8) | u32::from(frequency(f).min(255))
        })
        .collect();
    packed.sort_unstable();
    packed.into_iter().map(unpack).collect()
}

thread_local! {
    /// Per thread, a table of the sentence frequency of each 16-bit fold,
    /// zero outside [`with_frequencies`] and [`count_folds`].
    static FREQUENCIES: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Per thread, a bitmap of the 16-bit folds an article has, zero
    /// outside [`count_folds`].
    static SEEN: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `f` given a table of the frequency of each fold in `vocab` (0 for a
/// fold not there, as [`Folded::frequency`]): one lookup where a binary
/// search of `vocab` would take a dozen. The table (128 KiB per thread) is
/// filled with `vocab` and cleared after.
pub(crate) fn with_frequencies<R>(vocab: &[(u16, u16)], f: impl FnOnce(&[u16]) -> R) -> R {
    FREQUENCIES.with_borrow_mut(|table| {
        if table.is_empty() {
            table.resize(1 << 16, 0);
        }
        for &(fold, n) in vocab {
            table[usize::from(fold)] = n;
        }
        /// Clears the table even if `f` panics.
        struct Clear<'t, 'v>(&'t mut Vec<u16>, &'v [(u16, u16)]);
        impl Drop for Clear<'_, '_> {
            fn drop(&mut self) {
                for &(fold, _) in self.1 {
                    self.0[usize::from(fold)] = 0;
                }
            }
        }
        let clear = Clear(table, vocab);
        f(&clear.0[..])
    })
}

/// [`sentence_stem_sets`] of `text` with the [`Folded::new`] stems of
/// those sentences, from one computation of the words' stems: what an
/// index enters for an article.
pub(crate) fn sentence_stem_sets_folded(
    text: &str,
    analysis: &Analysis,
    stem_chars: usize,
    seed: u64,
) -> (Vec<(u32, Vec<u64>)>, FoldedArticle) {
    if analysis.tokens.iter().any(|t| text.get(t.span.start..t.span.end).is_none()) {
        let sets = sentence_stem_sets(text, analysis, stem_chars, seed);
        let wanted: Vec<u32> = sets.iter().map(|s| s.0).collect();
        return (sets, Folded::new(text, analysis, stem_chars, seed, &wanted));
    }
    let all = word_stems(text, &analysis.tokens, stem_chars, seed);
    let (mut sorted, mut vocab) = (Vec::<u64>::new(), Vec::<u16>::new());
    let mut kept = Kept::default();
    let mut sets: Vec<(u32, Vec<u64>)> = Vec::new();
    // The fingerprints of the sets taken: a set whose fingerprint is new
    // is new; one whose is not is compared with those taken.
    let mut seen: std::collections::HashSet<u64, std::hash::BuildHasherDefault<super::KeyHasher>> = Default::default();
    for (i, s) in analysis.sentences.iter().enumerate() {
        let stems = all.get(s.tokens.clone()).unwrap_or(&[]);
        sorted.clear();
        sorted.extend_from_slice(stems);
        sorted.sort_unstable();
        vocab.extend(sorted.chunk_by(|x, y| x == y).map(|run| fold(run[0])));
        // As `sentence_stem_sets`: the stems of the long words of a
        // sentence of enough words (every token is in `text`).
        let Some(words) = analysis.tokens.get(s.tokens.clone()) else { continue };
        if words.len() < BAG_MIN_STEMS {
            continue;
        }
        let mut set: Vec<u64> = Vec::with_capacity(words.len());
        for (t, &x) in words.iter().zip(stems) {
            if has_chars(&text.as_bytes()[t.span.start..t.span.end], BAG_MIN_CHARS) {
                set.push(x);
            }
        }
        if set.len() < BAG_MIN_STEMS {
            continue;
        }
        set.sort_unstable();
        set.dedup();
        if set.len() >= BAG_MIN_STEMS && (seen.insert(fingerprint(&set)) || !sets.iter().any(|(_, s)| *s == set)) {
            sets.push((i as u32, set));
            kept.push(&sorted);
        }
    }
    (sets, Folded::finish(analysis.sentences.len(), vocab, kept))
}

/// A 64-bit fingerprint of a set of stems: stems are hashes already, mixed
/// one multiplication each (as FxHash does).
fn fingerprint(set: &[u64]) -> u64 {
    let h = set.iter().fold(set.len() as u64, |h, &x| (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95));
    h ^ (h >> 32)
}

/// Whether `word`, the UTF-8 bytes of a `str`, has at least `n` (at most
/// 16) characters: the bytes that start one (not continuation bytes
/// `0b10xx_xxxx`) counted, where a word of `4 * n` bytes or more has them
/// whatever they are.
fn has_chars(word: &[u8], n: usize) -> bool {
    if word.len() < n {
        return false;
    }
    if word.len() >= 4 * n {
        return true;
    }
    word.iter().filter(|&&b| (b as i8) >= -0x40).count() >= n
}

/// Whether token `t` of `text` has at least [`BAG_MIN_CHARS`] characters.
fn is_long(text: &str, t: &Token) -> bool {
    text.get(t.span.start..t.span.end).is_some_and(|w| w.chars().nth(BAG_MIN_CHARS - 1).is_some())
}

/// A stem's 16-bit fold: the xor of its four 16-bit quarters.
fn fold(stem: u64) -> u16 {
    let x = stem ^ (stem >> 32);
    (x ^ (x >> 16)) as u16
}

/// `(|a ∩ b|, |a|, |b|)` of two sorted sets of distinct values (of two
/// sorted slices with repeats, the values they share counted with repeats,
/// each value of one matched to at most one of the other).
#[inline]
pub(crate) fn overlap<T: Ord>(a: &[T], b: &[T]) -> (usize, usize, usize) {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (common, a.len(), b.len())
}

/// [`overlap`] of two sequences sorted by `key`, with distinct keys.
pub(crate) fn overlap_by<T, K: Ord>(
    a: impl Iterator<Item = T>,
    b: impl Iterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> (usize, usize, usize) {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let (mut na, mut nb, mut common) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let order = key(x).cmp(&key(y));
        if order.is_le() {
            a.next();
            na += 1;
        }
        if order.is_ge() {
            b.next();
            nb += 1;
        }
        common += usize::from(order.is_eq());
    }
    (common, na + a.count(), nb + b.count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    #[test]
    fn shuffled_sentences_have_the_same_set() {
        let text = "The minister met the Latvian delegation in Baku today. In Baku today the Latvian delegation met the ministers.";
        let sets = sentence_stem_sets(text, &analyze(text, 3), 5, 3);
        // The second is the first reordered (and "ministers" stems as
        // "minister"): one set, one entry.
        assert_eq!(sets.len(), 1);
        let a = analyze(text, 3);
        let s = &a.sentences;
        assert_eq!(stem_set(text, &a, s[0].tokens.clone(), 5, 3), stem_set(text, &a, s[1].tokens.clone(), 5, 3));
    }

    #[test]
    fn folded_stems_share_what_the_stem_sets_share() {
        let text = "The minister met the Latvian delegation in Baku today. Today the Latvian delegation met a minister in Riga.";
        let a = analyze(text, 3);
        let (x, y) = (a.sentences[0].tokens.clone(), a.sentences[1].tokens.clone());
        let (sx, sy) = (stem_set(text, &a, x, 5, 3), stem_set(text, &a, y, 5, 3));
        let (f, stems) = Folded::new(text, &a, 5, 3, &[0, 1, 2]);
        let (fx, fy) = (&stems[0], &stems[1]);
        assert!(fx.is_sorted() && fy.is_sorted() && stems[2].is_empty());
        let (common, nx, ny) = overlap(&sx, &sy);
        let (folded, fnx, fny) = overlap_by(fx.iter(), fy.iter(), |e| e.0);
        assert_eq!((fnx, fny), (nx, ny));
        assert!(folded >= common && common >= 6, "{folded} {common}");
        // "the" twice in the first sentence; "latvi" in both sentences.
        assert_eq!(fx.iter().map(|e| e.1).max(), Some(2));
        assert_eq!(fx.iter().map(|e| e.2).max(), Some(2));
        assert_eq!(f.vocab.iter().map(|e| e.1).max(), Some(2));
        assert_eq!(Folded::new("short", &a, 5, 3, &[0]).0.sentences, 0);
    }

    #[test]
    fn sets_and_folded_stems_in_one_pass_are_the_separate_ones() {
        let texts = [
            "The minister met the Latvian delegation in Baku today. Today the Latvian delegation met a minister in Riga. \
             Short one. The minister met the Latvian delegation in Baku today! Straße ÉCOLE école größere Städte wachsen schnell.",
            "Too short here. These five long words count here. Here count these five long words! It is the end of it, so it is.",
            "",
        ];
        for text in texts {
            for chars in [0, 4, 5] {
                let a = analyze(text, 3);
                let sets = sentence_stem_sets(text, &a, chars, 3);
                let wanted: Vec<u32> = sets.iter().map(|s| s.0).collect();
                let (folded, stems) = Folded::new(text, &a, chars, 3, &wanted);
                let (sets2, (folded2, stems2)) = sentence_stem_sets_folded(text, &a, chars, 3);
                // The vocabulary as first computed: every sentence's
                // distinct stems folded, sorted, and the runs counted.
                let all = word_stems(text, &a.tokens, chars, 3);
                let mut folds: Vec<u16> = Vec::new();
                for s in &a.sentences {
                    let mut sorted = all[s.tokens.clone()].to_vec();
                    sorted.sort_unstable();
                    sorted.dedup();
                    folds.extend(sorted.iter().map(|&x| fold(x)));
                }
                folds.sort_unstable();
                let plain: Vec<(u16, u16)> = folds.chunk_by(|x, y| x == y).map(|r| (r[0], r.len() as u16)).collect();
                assert_eq!(folded.vocab, plain);
                assert_eq!(
                    (sets2, folded2.sentences, folded2.vocab, stems2),
                    (sets, folded.sentences, folded.vocab, stems)
                );
            }
        }
        // Another text's analysis: what the separate ones give.
        let a = analyze(texts[0], 3);
        let (sets, (folded, stems)) = sentence_stem_sets_folded("short", &a, 5, 3);
        assert!(sets.is_empty() && folded.sentences == 0 && stems.is_empty());
    }

    #[test]
    fn characters_are_counted_as_chars_does() {
        for w in [
            "",
            "a",
            "abc",
            "abcd",
            "ñab",
            "ñabc",
            "東京",
            "東京都庁",
            "ééé",
            "éééé",
            "x\u{301}yz",
            "🎉🎉🎉",
            "🎉🎉🎉🎉",
        ] {
            for n in 1..=6 {
                assert_eq!(has_chars(w.as_bytes(), n), w.chars().nth(n - 1).is_some(), "{w} {n}");
            }
        }
    }

    #[test]
    fn counts_by_fold_are_the_sorted_sums() {
        // Stems folding alike (the same 16-bit quarters xored), counts
        // past u16::MAX, a zero count.
        let stems: Vec<(u64, u32)> = vec![
            (0x0001_0002_0003_0004, 3),
            (0x0004_0003_0002_0001, 2),
            (7, 70_000),
            (7 << 16, 1),
            (9, 0),
            (5, 65_535),
            (5 << 48, 4),
        ];
        let mut plain: Vec<(u16, u32)> = stems.iter().map(|&(s, n)| (fold(s), n)).collect();
        plain.sort_unstable();
        let plain: Vec<(u16, u16)> = plain
            .chunk_by(|x, y| x.0 == y.0)
            .map(|r| (r[0].0, r.iter().map(|e| e.1).sum::<u32>().min(65_535) as u16))
            .collect();
        assert_eq!(Folded::from_counts(3, stems.iter().copied()).vocab, plain);
        // The tables are left clear.
        assert_eq!(Folded::from_counts(1, [(1u64, 1u32)].into_iter()).vocab, [(1, 1)]);
    }

    #[test]
    fn frequency_table_is_the_binary_search_and_is_cleared() {
        let vocab = [(3u16, 2u16), (70, 1), (65535, 9)];
        let got = with_frequencies(&vocab, |t| [0u16, 3, 4, 70, 65535].map(|f| t[usize::from(f)]));
        assert_eq!(got, [0, 3, 4, 70, 65535].map(|f| Folded::frequency(&vocab, f)));
        assert!(with_frequencies(&[], |t| t.iter().all(|&n| n == 0)));
    }

    #[test]
    fn another_texts_analysis_gives_nothing() {
        let a = analyze("A long sentence of many words that would count here.", 0);
        assert!(sentence_stem_sets("short", &a, 5, 0).is_empty());
        assert_eq!(overlap(&[1, 2, 3], &[2, 3, 4, 5]), (2, 3, 4));
        assert_eq!(overlap(&[1u16, 1, 2], &[1, 1, 1, 3]), (2, 3, 4));
        let by = |a: &[u64], b: &[u64]| overlap_by(a.iter(), b.iter(), |&&x| x);
        assert_eq!(by(&[1, 2, 3], &[2, 3, 4, 5]), (2, 3, 4));
        assert_eq!(by(&[], &[2, 3]), (0, 0, 2));
        assert_eq!(by(&[7, 9], &[1]), (0, 2, 1));
    }
}
