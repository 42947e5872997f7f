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
    let long =
        |t: &Token| text.get(t.span.start..t.span.end).is_some_and(|w| w.chars().nth(BAG_MIN_CHARS - 1).is_some());
    for (i, s) in analysis.sentences.iter().enumerate() {
        let Some(words) = analysis.tokens.get(s.tokens.clone()) else { continue };
        if words.len() < BAG_MIN_STEMS {
            continue;
        }
        let content: Vec<Token> = words.iter().copied().filter(|t| long(t)).collect();
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
        let mut kept: Vec<Vec<(u64, u32)>> = Vec::new();
        let mut next = wanted.iter().peekable();
        for (i, s) in analysis.sentences.iter().enumerate() {
            sorted.clear();
            sorted.extend_from_slice(all.get(s.tokens.clone()).unwrap_or(&[]));
            sorted.sort_unstable();
            vocab.extend(sorted.chunk_by(|x, y| x == y).map(|run| fold(run[0])));
            if next.next_if(|&&w| w as usize == i).is_some() {
                kept.push(sorted.chunk_by(|x, y| x == y).map(|run| (run[0], run.len() as u32)).collect());
            }
        }
        vocab.sort_unstable();
        let vocab = vocab.chunk_by(|x, y| x == y).map(|r| (r[0], r.len().min(usize::from(u16::MAX)) as u16)).collect();
        let out = Folded { sentences: analysis.sentences.len() as u32, vocab };
        let mut stems: Vec<Vec<FoldedStem>> = kept.into_iter().map(|k| out.sentence(k.into_iter())).collect();
        stems.resize(wanted.len(), Vec::new());
        (out, stems)
    }

    /// The same as [`new`](Self::new) from the stems already counted:
    /// `sentences` sentences and `vocab` the `(stem, sentences holding it)`
    /// of each distinct stem.
    pub(crate) fn from_counts(sentences: usize, vocab: impl Iterator<Item = (u64, u32)>) -> Folded {
        let mut packed: Vec<u64> = vocab.map(|(stem, n)| (u64::from(fold(stem)) << 32) | u64::from(n)).collect();
        packed.sort_unstable();
        let vocab = packed
            .chunk_by(|x, y| x >> 32 == y >> 32)
            .map(|r| ((r[0] >> 32) as u16, r.iter().map(|&e| e as u32).sum::<u32>().min(u32::from(u16::MAX)) as u16))
            .collect();
        Folded { sentences: sentences as u32, vocab }
    }

    /// Sentences of the article holding `fold`.
    pub(crate) fn frequency(vocab: &[(u16, u16)], fold: u16) -> u16 {
        vocab.binary_search_by_key(&fold, |e| e.0).map_or(0, |i| vocab[i].1)
    }

    /// The folded stems of a sentence of this article whose distinct stems
    /// have counts `stems`, sorted.
    pub(crate) fn sentence(&self, stems: impl Iterator<Item = (u64, u32)>) -> Vec<FoldedStem> {
        let mut out: Vec<FoldedStem> = stems
            .map(|(stem, n)| {
                let f = fold(stem);
                (f, n.min(255) as u8, Folded::frequency(&self.vocab, f).min(255) as u8)
            })
            .collect();
        out.sort_unstable();
        out
    }
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
