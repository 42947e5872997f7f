//! Rewritten passages: sentences alike as weighted bags of word stems,
//! extended into passages, around the exact and edited ones.
//!
//! After the exact aligner ([`align`](super::align)), the sentences that it
//! left mostly uncovered on both sides are compared as bags of word stems
//! ([`word_stems`](crate::text::word_stems)), each stem weighted by
//! `ln(1 + N / sf)`, its inverse sentence frequency over the `N` sentences
//! of the two texts (the tf-isf weighting of Sanchez-Perez, Sidorov and
//! Gelbukh's PAN 2014 text-alignment system, smoothed so that a stem in
//! every sentence of two one-sentence texts still counts):
//!
//! 1. **Seeds.** A pair of sentences of at least [`SENTENCE_WORDS`] words
//!    whose cosine similarity and Dice coefficient (of the stem sets) both
//!    exceed [`SEED_SIMILARITY`] is a seed. Sentences meet through an
//!    inverted list of the second text's stems; a stem in more than
//!    [`MAX_POSTINGS`] sentences proposes no pair (it weighs little and
//!    would make the search quadratic), and each sentence keeps its
//!    [`MAX_SEEDS`] best partners. Only sentences of prose seed: code,
//!    identifiers and figures (`models.CharField(max_length=100)`,
//!    `3.2.9`) are alike as bags wherever two pages show the same models. Two sentences that both hold figures
//!    (words with a digit) but share none are no seed: they are a
//!    template filled in twice (`Django 4.2 supports MariaDB 10.4 and
//!    higher` / `Django 5.1 supports MariaDB 10.5 and higher`), and a
//!    rewrite keeps the facts.
//! 2. **Extension.** Seeds at most [`SENTENCE_GAP`] sentences apart on both
//!    sides are one group, in any order (sentences reordered, split or
//!    merged), and so is an exact or edited passage that lies that close to
//!    a seed on both sides, and two passages with no sentence between them
//!    on either side that are apart on both (the halves of a sentence
//!    swapped; two copies of one text overlap on one side and stay two):
//!    the rewritten passage absorbs them, so that one reused passage is one
//!    reported passage. No link spans a paragraph of prose only one side
//!    has; a formula or a short line of code that one side added between
//!    prose passes over (and out of the passage cosine). A passage that a
//!    rewritten one covers on one side and that lies next to it on the
//!    other is a piece of it moved, and is taken in. A piece shorter than
//!    `min_words` (kept for its paragraphs) that lies inside a rewritten
//!    passage on one side, in a sentence seeded with that passage's other
//!    side, is a phrase repeated elsewhere in the other text: it goes.
//! 3. **Filter.** A group is a passage when it holds an exact or edited
//!    passage or seeds in at least two sentences on one side (one alike
//!    sentence is a topic, two in a row are reuse, and two sentences
//!    merged into one are two seeds on one side) or one seed of at least
//!    [`STRONG_SEED`], when the two spans
//!    still have a cosine similarity of at least [`PASSAGE_SIMILARITY`] as
//!    wholes, and when they share at least `min_words` words (stem for
//!    stem).
//!
//! Every passage then gets its [`bag_similarity`](super::Passage::bag_similarity).

use std::collections::HashMap;
use std::ops::Range;

use super::verify::{sorted_set, sorted_similarity};
use super::{Passage, PassageKind};
use crate::span::Span;
use crate::text::{Analysis, word_stems};

/// Fewest words of a sentence that can seed a rewritten passage.
pub const SENTENCE_WORDS: usize = 5;
/// Cosine similarity and Dice coefficient that a seed pair of sentences
/// must both exceed (0.33, as in the PAN 2014 winning system).
pub const SEED_SIMILARITY: f64 = 0.33;
/// Cosine similarity of the two spans that a rewritten passage must keep
/// as a whole.
pub const PASSAGE_SIMILARITY: f64 = 0.7;
/// Cosine similarity of a seed that makes a passage on its own (a long
/// sentence with its words reordered).
pub const STRONG_SEED: f64 = 0.9;
/// Most sentences between two seeds (or a seed and a passage) of one
/// rewritten passage, on each side.
pub const SENTENCE_GAP: usize = 3;
/// Most sentences of the second text a stem may be in and still propose
/// pairs of sentences.
pub const MAX_POSTINGS: usize = 32;
/// Most seeds kept per sentence of the first text (the most similar).
pub const MAX_SEEDS: usize = 4;

/// What [`rewritten`] needs besides the texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RewriteOptions {
    /// Whether to look for rewritten passages; false only computes every
    /// passage's [`bag_similarity`](super::Passage::bag_similarity).
    pub find: bool,
    /// Fewest words a rewritten passage shares, stem for stem
    /// ([`Config::min_words`](crate::Config::min_words)).
    pub min_words: usize,
    /// Words per shingle, for the passages' shingle similarity.
    pub shingle_size: usize,
}

/// One text's words as bags of stems, sentence by sentence: built once per
/// text ([`SentenceBags::new`]) and shared by all its comparisons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentenceBags {
    /// The distinct stems, sorted, each with the number of sentences
    /// holding it.
    vocab: Vec<(u64, u32)>,
    /// Per token, the index of its stem in `vocab`.
    tokens: Vec<u32>,
    /// Per sentence, `(stem index, count)` sorted by stem index:
    /// `bags[bag_at[i]..bag_at[i + 1]]`.
    bag_at: Vec<u32>,
    bags: Vec<(u32, u32)>,
    /// Per token, its sentence.
    sentence_of: Vec<u32>,
    /// Per sentence, the first and last sentence of its paragraph.
    paragraph: Vec<(u32, u32)>,
    /// Per sentence, its figures ([`figures`]), sorted:
    /// `numbers[numbers_at[i]..numbers_at[i + 1]]`.
    numbers: Vec<u64>,
    numbers_at: Vec<u32>,
    /// Per sentence, its words of prose ([`word_kinds`]).
    prose: Vec<u32>,
    /// The sentences of each stem (by stem index) with the stem's count
    /// in each, `postings[at[i]..at[i + 1]]`.
    at: Vec<u32>,
    postings: Vec<(u32, u32)>,
}

impl SentenceBags {
    /// The bags of the sentences of `text` (`analysis` is its analysis),
    /// each word conflated to the [`word_stems`] of `stem_chars`
    /// characters with `seed`. An analysis of another text gives empty
    /// bags, which find nothing.
    ///
    /// ```
    /// use neardup::score::SentenceBags;
    /// use neardup::text::analyze;
    ///
    /// let text = "One sentence here. Another sentence there.";
    /// let bags = SentenceBags::new(text, &analyze(text, 0), 5, 0);
    /// assert_eq!(bags.sentences(), 2);
    /// assert_eq!(bags.stems(), 5); // "sente" is in both
    /// ```
    pub fn new(text: &str, analysis: &Analysis, stem_chars: usize, seed: u64) -> SentenceBags {
        if analysis.tokens.last().is_some_and(|t| text.get(t.span.start..t.span.end).is_none()) {
            return SentenceBags::default();
        }
        let stems = word_stems(text, &analysis.tokens, stem_chars, seed);
        let n_sentences = analysis.sentences.len();
        let mut sentence_of = vec![0u32; stems.len()];
        for (i, s) in analysis.sentences.iter().enumerate() {
            sentence_of[s.tokens.clone()].iter_mut().for_each(|x| *x = i as u32);
        }
        // The tokens of the sentences sorted by (stem, token): each stem's
        // tokens, so its sentences, in order.
        let order = sort_by_stem(&stems, analysis.sentences.iter().flat_map(|s| s.tokens.clone()));
        // Room for a stem a token, given back at the end.
        let mut vocab: Vec<(u64, u32)> = Vec::with_capacity(order.len());
        let mut tokens = vec![0u32; stems.len()];
        let mut at: Vec<u32> = Vec::with_capacity(order.len() + 1);
        at.push(0);
        let mut postings: Vec<(u32, u32)> = Vec::with_capacity(order.len());
        // Distinct stems per sentence, for the flat layout of the bags.
        let mut bag_at = vec![0u32; n_sentences + 1];
        let mut previous: Option<(u64, u32)> = None;
        for &token in &order {
            let (stem, sentence) = (stems[token as usize], sentence_of[token as usize]);
            if vocab.last().is_none_or(|v| v.0 != stem) {
                if !vocab.is_empty() {
                    at.push(postings.len() as u32);
                }
                vocab.push((stem, 0));
            }
            tokens[token as usize] = (vocab.len() - 1) as u32;
            if previous.replace((stem, sentence)) == Some((stem, sentence)) {
                if let Some(last) = postings.last_mut() {
                    last.1 += 1;
                }
                continue;
            }
            postings.push((sentence, 1));
            bag_at[sentence as usize + 1] += 1;
            if let Some(v) = vocab.last_mut() {
                v.1 += 1;
            }
        }
        at.push(postings.len() as u32);
        vocab.shrink_to_fit();
        at.shrink_to_fit();
        for i in 0..n_sentences {
            bag_at[i + 1] += bag_at[i];
        }
        // The bags: walking the postings stem by stem fills each
        // sentence's bag in stem order.
        let mut bags = vec![(0u32, 0u32); postings.len()];
        let mut fill: Vec<u32> = bag_at[..n_sentences].to_vec();
        for idx in 0..vocab.len() {
            for &(sentence, count) in &postings[at[idx] as usize..at[idx + 1] as usize] {
                bags[fill[sentence as usize] as usize] = (idx as u32, count);
                fill[sentence as usize] += 1;
            }
        }
        let mut paragraph = vec![(0u32, 0u32); analysis.sentences.len()];
        for p in &analysis.paragraphs {
            let of = |t: usize| sentence_of.get(t).copied();
            if let (Some(first), Some(last)) = (of(p.tokens.start), p.tokens.end.checked_sub(1).and_then(of)) {
                for s in &mut paragraph[first as usize..=last as usize] {
                    *s = (first, last);
                }
            }
        }
        let kinds = word_kinds(text, &analysis.tokens);
        let (mut numbers, mut numbers_at) = (Vec::new(), Vec::with_capacity(n_sentences + 1));
        numbers_at.push(0u32);
        let mut prose = Vec::with_capacity(n_sentences);
        for s in &analysis.sentences {
            let k = &kinds[s.tokens.clone()];
            numbers.extend(figures(text, &analysis.tokens[s.tokens.clone()], k));
            numbers_at.push(numbers.len() as u32);
            prose.push(k.iter().filter(|&&k| k & PROSE != 0).count() as u32);
        }
        SentenceBags { vocab, tokens, bag_at, bags, sentence_of, paragraph, numbers, numbers_at, prose, at, postings }
    }

    /// Number of sentences.
    pub fn sentences(&self) -> usize {
        self.bag_at.len().saturating_sub(1)
    }

    /// The bag of sentence `i`.
    fn bag(&self, i: usize) -> &[(u32, u32)] {
        &self.bags[self.bag_at[i] as usize..self.bag_at[i + 1] as usize]
    }

    /// Whether sentence `i` may seed: at least [`SENTENCE_WORDS`] words of
    /// prose, prose for at least half its words (code, lists of
    /// identifiers and tables of figures do not seed), and distinct stems
    /// for at least half its words (a block of lines repeating the same
    /// words, as `from x import y` lines, does not seed).
    fn seeds_prose(&self, i: usize, words: usize) -> bool {
        let prose = self.prose[i] as usize;
        prose >= SENTENCE_WORDS && 2 * prose >= words && 2 * self.bag(i).len() >= words
    }

    /// `(stem, count, sentence frequency)` of each distinct stem of
    /// sentence `i` (none past the last sentence), in stem order.
    pub(crate) fn sentence_stems(&self, i: usize) -> impl Iterator<Item = (u64, u32, u32)> + '_ {
        let bag = if i < self.sentences() { self.bag(i) } else { &[] };
        bag.iter().map(|&(idx, c)| (self.vocab[idx as usize].0, c, self.vocab[idx as usize].1))
    }

    /// `(stem, sentences holding it)` of each distinct stem, sorted.
    pub(crate) fn vocabulary(&self) -> &[(u64, u32)] {
        &self.vocab
    }

    /// Sentences holding `stem`.
    pub(crate) fn frequency(&self, stem: u64) -> u32 {
        self.vocab.binary_search_by_key(&stem, |v| v.0).map_or(0, |k| self.vocab[k].1)
    }

    /// The sorted figures of sentence `i` (none past the last sentence).
    pub(crate) fn figures_of(&self, i: usize) -> &[u64] {
        match (self.numbers_at.get(i), self.numbers_at.get(i + 1)) {
            (Some(&from), Some(&to)) => &self.numbers[from as usize..to as usize],
            _ => &[],
        }
    }

    /// Number of distinct stems.
    pub fn stems(&self) -> usize {
        self.vocab.len()
    }

    /// Whether sentence ranges `x` and `y` (first, last) are at most `gap`
    /// sentences of prose apart (`prose` per sentence), with at most
    /// [`SENTENCE_GAP`] sentences between them in all, and the sentences
    /// between them hold no whole paragraph of prose (text one side has
    /// on its own ends a passage; a formula or a line of code that one
    /// side has, which no seed can match, does not).
    fn near(&self, x: (usize, usize), y: (usize, usize), gap: usize, prose: &[bool]) -> bool {
        let (lo, hi) = if x.0 <= y.0 { (x, y) } else { (y, x) };
        if hi.0 <= lo.1 + 1 {
            return true;
        }
        // Sentences m1 ..= m2 lie between.
        let (m1, m2) = (lo.1 + 1, hi.0 - 1);
        let is_prose = |i: usize| prose.get(i).copied().unwrap_or(true);
        if m2 - m1 + 1 > gap.max(SENTENCE_GAP) || (m1..=m2).filter(|&i| is_prose(i)).count() > gap {
            return false;
        }
        // Each paragraph starting among them must end after them or hold
        // no prose.
        let (start, end) = self.paragraph[m1];
        let mut first = if start as usize == m1 { m1 } else { end as usize + 1 };
        while first <= m2 {
            let last = self.paragraph[first].1 as usize;
            if last > m2 {
                break;
            }
            if (first..=last).any(is_prose) {
                return false;
            }
            first = last + 1;
        }
        true
    }

    fn postings(&self, idx: u32) -> &[(u32, u32)] {
        &self.postings[self.at[idx as usize] as usize..self.at[idx as usize + 1] as usize]
    }

    /// The sentences (first, last) that tokens `t` (not empty) touch.
    fn span_sentences(&self, t: &Range<usize>) -> (usize, usize) {
        (self.sentence_of[t.start] as usize, self.sentence_of[t.end - 1] as usize)
    }

    /// The bag of tokens `t`: `(stem index, count)` sorted.
    fn span_bag(&self, t: &Range<usize>) -> Vec<(u32, u32)> {
        self.span_bag_except(t, &[])
    }

    /// The bag of tokens `t` but those in `skip`.
    fn span_bag_except(&self, t: &Range<usize>, skip: &[Range<usize>]) -> Vec<(u32, u32)> {
        let mut idx: Vec<u32> = if skip.is_empty() {
            self.tokens.get(t.clone()).unwrap_or(&[]).to_vec()
        } else {
            (t.start..t.end.min(self.tokens.len()))
                .filter(|i| !skip.iter().any(|r| r.contains(i)))
                .map(|i| self.tokens[i])
                .collect()
        };
        idx.sort_unstable();
        let mut bag: Vec<(u32, u32)> = Vec::new();
        for x in idx {
            match bag.last_mut() {
                Some((y, n)) if *y == x => *n += 1,
                _ => bag.push((x, 1)),
            }
        }
        bag
    }
}

/// The passages of two texts with the rewritten ones added: `passages` are
/// the exact and edited passages of `a` and `b` (from
/// [`align_shingles`](super::align_shingles)), `a_bags` and `b_bags` their
/// [`SentenceBags`], `sa` and `sb` their shingles. Returns the passages
/// sorted by their start in `a`, then in `b`, each with its
/// [`bag_similarity`](super::Passage::bag_similarity); a rewritten passage
/// replaces the exact and edited passages it absorbed.
///
/// ```
/// use neardup::score::{RewriteOptions, SeedTable, SentenceBags, align_shingles, rewritten};
/// use neardup::{Detector, PassageKind};
///
/// let d = Detector::builder().build()?;
/// let a = "Inheritance lets new classes reuse the code of existing classes. \
///          The derived classes take over the attributes and behaviour of their base classes. \
///          This helps programmers reuse existing code with little modification.";
/// let b = "Programmers can reuse existing code with little modification thanks to this. \
///          Attributes and behaviour of the base classes are taken over by derived classes. \
///          New classes reuse the code of existing classes through inheritance.";
/// let (an_a, an_b) = (d.analyze(a), d.analyze(b));
/// let (sa, sb) = (d.shingles(&an_a), d.shingles(&an_b));
/// let exact = align_shingles(&an_a, &an_b, &sa, &sb, &SeedTable::new(&sb), &d.align_options());
/// assert!(exact.is_empty());
/// let bags = |t: &str, an: &neardup::text::Analysis| SentenceBags::new(t, an, 5, 0);
/// let opts = RewriteOptions { find: true, min_words: 15, shingle_size: 3 };
/// let found = rewritten(&an_a, &bags(a, &an_a), &an_b, &bags(b, &an_b), &sa, &sb, exact, &opts);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].kind, PassageKind::Rewritten);
/// assert!(found[0].bag_similarity >= 0.7); // the passage cosine it must keep
/// # Ok::<(), neardup::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn rewritten(
    a: &Analysis,
    a_bags: &SentenceBags,
    b: &Analysis,
    b_bags: &SentenceBags,
    sa: &[u64],
    sb: &[u64],
    passages: Vec<Passage>,
    opts: &RewriteOptions,
) -> Vec<Passage> {
    let fits = |an: &Analysis, bags: &SentenceBags| {
        bags.tokens.len() == an.tokens.len() && bags.sentences() == an.sentences.len()
    };
    if !fits(a, a_bags) || !fits(b, b_bags) {
        return passages;
    }
    let pair = Pair::new(Side { an: a, bags: a_bags }, Side { an: b, bags: b_bags });
    let mut out = if opts.find { pair.find(passages, sa, sb, opts) } else { passages };
    for p in &mut out {
        // An exact passage is the same words, so the same bag.
        p.bag_similarity = match p.kind {
            PassageKind::Exact if !p.a_tokens.is_empty() => 1.0,
            _ => pair.span_cosine(&p.a_tokens, &p.b_tokens),
        };
    }
    out.sort_by_key(|p| (p.a, p.b));
    out
}

struct Side<'a> {
    an: &'a Analysis,
    bags: &'a SentenceBags,
}

impl Side<'_> {
    /// Per sentence: whether passages cover at least half its words.
    fn covered(&self, spans: impl Iterator<Item = Range<usize>>) -> Vec<bool> {
        let mut inside = vec![false; self.an.tokens.len()];
        for t in spans {
            inside[t].iter_mut().for_each(|x| *x = true);
        }
        self.an
            .sentences
            .iter()
            .map(|s| 2 * inside[s.tokens.clone()].iter().filter(|&&x| x).count() >= s.tokens.len())
            .collect()
    }

    /// Per sentence: whether prose makes at least half its words (a
    /// formula, a line of code or a table row does not).
    fn prose_sentences(&self, min_words: usize) -> Vec<bool> {
        self.an
            .sentences
            .iter()
            .enumerate()
            .map(|(i, s)| 2 * self.bags.prose[i] as usize >= s.tokens.len() || s.tokens.len() >= min_words)
            .collect()
    }

    /// The byte span of tokens `t`, grown to the punctuation of a sentence
    /// it starts or ends with.
    fn span(&self, t: &Range<usize>) -> Span {
        let (first, last) = self.bags.span_sentences(t);
        let (fs, ls) = (&self.an.sentences[first], &self.an.sentences[last]);
        let start = if fs.tokens.start == t.start { fs.span.start } else { self.an.tokens[t.start].span.start };
        let end = if ls.tokens.end == t.end { ls.span.end } else { self.an.tokens[t.end - 1].span.end };
        Span::new(start, end)
    }
}

const NONE: u32 = u32::MAX;

struct Pair<'a> {
    a: Side<'a>,
    b: Side<'a>,
    /// Weight of each stem of `a` (by index): `ln(1 + N / sf)`, `sf`
    /// counted in both texts.
    wa: Vec<f64>,
    /// The same stem's index in `b`, or `NONE`.
    a_to_b: Vec<u32>,
    /// Weight of each stem of `b` (by index).
    wb: Vec<f64>,
}

/// One item of a group: a seed (one sentence on each side) or a passage
/// (by index), with the sentences it spans on each side.
#[derive(Clone, Copy)]
struct Item {
    a: (usize, usize),
    b: (usize, usize),
    passage: Option<usize>,
}

/// Whether sentence ranges `x` and `y` (first, last) have at most
/// [`SENTENCE_GAP`] sentences between them: what
/// [`SentenceBags::near`] needs before it looks at the sentences.
fn within_gap(x: (usize, usize), y: (usize, usize)) -> bool {
    let (lo, hi) = if x.0 <= y.0 { (x, y) } else { (y, x) };
    hi.0 <= lo.1 + 1 + SENTENCE_GAP
}

/// Most items a passage scans for partners in order of `a` before it
/// looks them up in order of `b` instead (text repeated many times on
/// one side: every copy of a sentence lies in the same sentences of the
/// other text, so the order of `a` alone would compare every two).
const SCAN: usize = 32;

impl<'a> Pair<'a> {
    fn new(a: Side<'a>, b: Side<'a>) -> Pair<'a> {
        let sentences = a.bags.sentences() + b.bags.sentences();
        let n = sentences as f64;
        // ln(1 + n / sf) for each sentence frequency, computed once (NaN
        // until needed): a few distinct frequencies serve the whole
        // vocabulary.
        let mut table = vec![f64::NAN; sentences + 1];
        let mut weight = |sf: u32| {
            let w = &mut table[(sf as usize).min(sentences)];
            if w.is_nan() {
                *w = stem_weight(n, sf);
            }
            *w
        };
        let (va, vb) = (&a.bags.vocab, &b.bags.vocab);
        // One merge of the two sorted vocabularies.
        let mut wa = Vec::with_capacity(va.len());
        let mut a_to_b = Vec::with_capacity(va.len());
        let mut wb = Vec::with_capacity(vb.len());
        let mut j = 0;
        for &(stem, sf) in va {
            while let Some(&(s, f)) = vb.get(j)
                && s < stem
            {
                wb.push(weight(f));
                j += 1;
            }
            match vb.get(j) {
                Some(&(s, f)) if s == stem => {
                    let w = weight(sf + f);
                    wa.push(w);
                    a_to_b.push(j as u32);
                    wb.push(w);
                    j += 1;
                }
                _ => {
                    wa.push(weight(sf));
                    a_to_b.push(NONE);
                }
            }
        }
        for &(_, f) in vb.get(j..).unwrap_or(&[]) {
            wb.push(weight(f));
        }
        Pair { a, b, wa, a_to_b, wb }
    }

    fn norm(&self, bag: &[(u32, u32)]) -> f64 {
        bag.iter().map(|&(i, c)| (f64::from(c) * self.wa[i as usize]).powi(2)).sum::<f64>().sqrt()
    }

    fn norm_b(&self, bag: &[(u32, u32)]) -> f64 {
        bag.iter().map(|&(i, c)| (f64::from(c) * self.wb[i as usize]).powi(2)).sum::<f64>().sqrt()
    }

    /// Calls `f(stem of a, count in x, count in y)` for each stem that bag
    /// `x` of `a` and bag `y` of `b` share (a merge of the two sorted bags).
    fn for_each_shared(&self, x: &[(u32, u32)], y: &[(u32, u32)], mut f: impl FnMut(u32, u32, u32)) {
        let mut j = 0;
        for &(i, c) in x {
            let to = self.a_to_b[i as usize];
            if to == NONE {
                continue;
            }
            while j < y.len() && y[j].0 < to {
                j += 1;
            }
            if let Some(&(k, d)) = y.get(j)
                && k == to
            {
                f(i, c, d);
            }
        }
    }

    /// Dot product of a bag of `a` and a bag of `b`, and their shared
    /// stems.
    fn dot(&self, x: &[(u32, u32)], y: &[(u32, u32)]) -> (f64, usize) {
        let (mut dot, mut shared) = (0.0, 0);
        self.for_each_shared(x, y, |i, c, d| {
            let w = self.wa[i as usize];
            dot += f64::from(c) * f64::from(d) * w * w;
            shared += 1;
        });
        (dot, shared)
    }

    /// Cosine similarity of the tokens `ta` of `a` and `tb` of `b` as bags.
    fn span_cosine(&self, ta: &Range<usize>, tb: &Range<usize>) -> f64 {
        let (x, y) = (self.a.bags.span_bag(ta), self.b.bags.span_bag(tb));
        // The same bag is exactly 1, whatever the rounding of the weights.
        if x.len() == y.len() && x.iter().zip(&y).all(|(&(i, c), &(j, d))| self.a_to_b[i as usize] == j && c == d) {
            return if x.is_empty() { 0.0 } else { 1.0 };
        }
        self.bag_cosine(&x, &y)
    }

    /// The tf-isf cosine of bag `x` of `a` and `y` of `b`.
    fn bag_cosine(&self, x: &[(u32, u32)], y: &[(u32, u32)]) -> f64 {
        let (nx, ny) = (self.norm(x), self.norm_b(y));
        if nx > 0.0 && ny > 0.0 { (self.dot(x, y).0 / (nx * ny)).min(1.0) } else { 0.0 }
    }

    /// [`span_cosine`](Self::span_cosine) of the tokens `ta` of `a` but
    /// those in `skip_a`, and `tb` of `b` but those in `skip_b`.
    fn cosine_except(
        &self,
        ta: &Range<usize>,
        tb: &Range<usize>,
        skip_a: &[Range<usize>],
        skip_b: &[Range<usize>],
    ) -> f64 {
        if skip_a.is_empty() && skip_b.is_empty() {
            return self.span_cosine(ta, tb);
        }
        self.bag_cosine(&self.a.bags.span_bag_except(ta, skip_a), &self.b.bags.span_bag_except(tb, skip_b))
    }

    /// Words shared stem for stem by tokens `ta` of `a` and `tb` of `b`.
    fn shared_words(&self, ta: &Range<usize>, tb: &Range<usize>) -> usize {
        let (x, y) = (self.a.bags.span_bag(ta), self.b.bags.span_bag(tb));
        let mut n = 0usize;
        self.for_each_shared(&x, &y, |_, c, d| n += c.min(d) as usize);
        n
    }

    /// Whether sentence `i` of `a` and `j` of `b` both hold numbers and
    /// share none.
    fn other_figures(&self, i: usize, j: usize) -> bool {
        different_figures(self.a.bags.figures_of(i), self.b.bags.figures_of(j))
    }

    /// The seeds: pairs of sentences (of `a`, of `b`), sorted.
    fn seeds(&self, a_free: &[bool], b_free: &[bool]) -> Vec<(usize, usize, f64)> {
        let (ab, bb) = (self.a.bags, self.b.bags);
        let eligible = |an: &Analysis, bags: &SentenceBags, free: &[bool], i: usize| {
            free[i] && bags.seeds_prose(i, an.sentences[i].tokens.len())
        };
        let mut seeds = Vec::new();
        let a_ok: Vec<usize> = (0..ab.sentences()).filter(|&i| eligible(self.a.an, ab, a_free, i)).collect();
        if a_ok.is_empty() {
            return seeds;
        }
        // Per sentence of `b`: the dot product and shared stems so far
        // (over the stems with short postings), or `SKIP` for a sentence
        // that may not seed.
        const SKIP: u32 = u32::MAX;
        let mut acc: Vec<(f64, u32)> =
            (0..bb.sentences()).map(|j| (0.0, if eligible(self.b.an, bb, b_free, j) { 0 } else { SKIP })).collect();
        if acc.iter().all(|x| x.1 == SKIP) {
            return seeds;
        }
        // The norms of the sentences of `b`, as they are first needed (NaN
        // until then).
        let mut b_norms: Vec<f64> = vec![f64::NAN; bb.sentences()];
        // The sentences of `b` that the current sentence of `a` touched:
        // `touched[..n_touched]` (each once, so they fit; no allocation in
        // the loop over the postings).
        let mut touched: Vec<u32> = vec![0; bb.sentences()];
        for i in a_ok {
            let mut n_touched = 0;
            let bag = ab.bag(i);
            // The stems left out (long postings): their norm and number
            // bound what they can add to a cosine and a Dice coefficient.
            let (mut left_out, mut left_out_norm) = (0u32, 0.0f64);
            for &(idx, c) in bag {
                let to = self.a_to_b[idx as usize];
                if to == NONE {
                    continue;
                }
                let list = bb.postings(to);
                if list.len() > MAX_POSTINGS {
                    left_out += 1;
                    left_out_norm += (f64::from(c) * self.wa[idx as usize]).powi(2);
                    continue;
                }
                let w = self.wa[idx as usize];
                for &(j, d) in list {
                    let slot = &mut acc[j as usize];
                    if slot.1 == SKIP {
                        continue;
                    }
                    if slot.1 == 0 {
                        touched[n_touched] = j;
                        n_touched += 1;
                    }
                    slot.0 += f64::from(c) * f64::from(d) * w * w;
                    slot.1 += 1;
                }
            }
            let left_out_norm = left_out_norm.sqrt();
            // The norm of the sentence, when a partner first needs it.
            let mut na = f64::NAN;
            let mut best: Vec<(f64, usize)> = Vec::new();
            for &j in &touched[..n_touched] {
                let j = j as usize;
                let (mut dot, mut shared) = std::mem::take(&mut acc[j]);
                // Two distinct stems of short postings at least (one
                // shared word is no seed), and the best the left-out stems
                // can add (Cauchy-Schwarz for the cosine) must reach the
                // thresholds: the cheap tests first.
                if shared < 2 {
                    continue;
                }
                let other = bb.bag(j);
                let size = (bag.len() + other.len()) as f64;
                if 2.0 * f64::from(shared + left_out) / size <= SEED_SIMILARITY {
                    continue;
                }
                if na.is_nan() {
                    na = self.norm(bag);
                }
                if b_norms[j].is_nan() {
                    b_norms[j] = self.norm_b(other);
                }
                if na == 0.0 || b_norms[j] == 0.0 || dot / (na * b_norms[j]) + left_out_norm / na <= SEED_SIMILARITY {
                    continue;
                }
                if left_out > 0 {
                    let (d, s) = self.dot(bag, other);
                    (dot, shared) = (d, s as u32);
                }
                // Alike sentences with different figures are a template
                // filled in twice (a rewrite keeps the facts).
                if self.other_figures(i, j) {
                    continue;
                }
                let cos = dot / (na * b_norms[j]);
                let dice = 2.0 * f64::from(shared) / size;
                if cos > SEED_SIMILARITY && dice > SEED_SIMILARITY {
                    best.push((cos, j));
                }
            }
            best.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            seeds.extend(best.into_iter().take(MAX_SEEDS).map(|(cos, j)| (i, j, cos)));
        }
        seeds.sort_by_key(|s| (s.0, s.1));
        seeds
    }

    fn find(&self, passages: Vec<Passage>, sa: &[u64], sb: &[u64], opts: &RewriteOptions) -> Vec<Passage> {
        let live = || passages.iter().filter(|p| !p.a_tokens.is_empty() && !p.b_tokens.is_empty());
        let a_free: Vec<bool> = self.a.covered(live().map(|p| p.a_tokens.clone())).into_iter().map(|c| !c).collect();
        let b_free: Vec<bool> = self.b.covered(live().map(|p| p.b_tokens.clone())).into_iter().map(|c| !c).collect();
        let seeds = self.seeds(&a_free, &b_free);
        if seeds.is_empty() && passages.len() < 2 {
            return passages;
        }
        // Items: the seeds, then the passages.
        let mut items: Vec<Item> =
            seeds.iter().map(|&(i, j, _)| Item { a: (i, i), b: (j, j), passage: None }).collect();
        for (k, p) in passages.iter().enumerate() {
            if !p.a_tokens.is_empty() && !p.b_tokens.is_empty() {
                items.push(Item {
                    a: self.a.bags.span_sentences(&p.a_tokens),
                    b: self.b.bags.span_sentences(&p.b_tokens),
                    passage: Some(k),
                });
            }
        }
        // Two items are one group when they are near on both sides:
        // seeds across a few sentences, passages only next to each other
        // (or with only sentences that are not prose between them).
        let (a_prose, b_prose) = (self.a.prose_sentences(opts.min_words), self.b.prose_sentences(opts.min_words));
        // What is not prose between two items passes over on one side
        // only, between prose: a formula or a line of code that one side
        // added to (or dropped from) prose. Where both sides have some it
        // was rewritten, not added; next to code it is more code.
        // `Some(true)`: some between, prose around it; `None`: none.
        let not_prose_between = |side: &Side<'_>, prose: &[bool], x: (usize, usize), y: (usize, usize)| {
            let (lo, hi) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            let seeds = |i: usize| side.bags.seeds_prose(i, side.an.sentences[i].tokens.len());
            (lo.1 + 1..hi.0).any(|i| !prose[i]).then(|| seeds(lo.1) && seeds(hi.0))
        };
        let link = |x: &Item, y: &Item| {
            // Every link needs both sides near (`near`): checked first, as
            // it is cheap.
            if !within_gap(x.a, y.a) || !within_gap(x.b, y.b) {
                return false;
            }
            let (pa, pb): (&[bool], &[bool]) = match (
                not_prose_between(&self.a, &a_prose, x.a, y.a),
                not_prose_between(&self.b, &b_prose, x.b, y.b),
            ) {
                (Some(true), None) => (&a_prose, &[]),
                (None, Some(true)) => (&[], &b_prose),
                _ => (&[], &[]),
            };
            match (x.passage, y.passage) {
                // Two passages: next to each other with no sentence between,
                // and not one over the other on either side. Two passages
                // sharing half the words of the longer on one side are two
                // copies, never one passage; the pieces of a split, merged or
                // reordered sentence overlap by a few words, or one short piece
                // lies inside a long one that bridged it.
                (Some(p), Some(q)) => {
                    let (p, q) = (&passages[p], &passages[q]);
                    let apart = |x: &Range<usize>, y: &Range<usize>| {
                        let shared = x.end.min(y.end).saturating_sub(x.start.max(y.start));
                        2 * shared < x.len().max(y.len())
                    };
                    apart(&p.a_tokens, &q.a_tokens)
                        && apart(&p.b_tokens, &q.b_tokens)
                        && self.a.bags.near(x.a, y.a, 0, pa)
                        && self.b.bags.near(x.b, y.b, 0, pb)
                }
                _ => self.a.bags.near(x.a, y.a, SENTENCE_GAP, pa) && self.b.bags.near(x.b, y.b, SENTENCE_GAP, pb),
            }
        };
        let mut groups = UnionFind::new(items.len());
        let n_seeds = seeds.len();
        for p in 0..n_seeds {
            for q in p + 1..n_seeds {
                if items[q].a.0 > items[p].a.0 + SENTENCE_GAP {
                    break;
                }
                if link(&items[p], &items[q]) {
                    groups.union(p, q);
                }
            }
        }
        for q in n_seeds..items.len() {
            let (lo, hi) = (items[q].a.0.saturating_sub(SENTENCE_GAP), items[q].a.1 + SENTENCE_GAP);
            let from = seeds.partition_point(|s| s.0 < lo);
            for p in from..n_seeds {
                if seeds[p].0 > hi {
                    break;
                }
                if link(&items[p], &items[q]) {
                    groups.union(p, q);
                }
            }
        }
        // Passages near each other on both sides (pieces of one passage
        // whose clauses or sentences were reordered, split or merged);
        // they are sorted by their start in `a`. A passage's partners are
        // the later ones that start at most SENTENCE_GAP sentences after
        // it ends in `a`, near it in `b` too: when there are more than
        // `SCAN` in `a`, those near it in `b` are looked up instead (by
        // start in `b`, at most the longest passage's sentences before
        // it). Unions do not depend on their order.
        debug_assert!(items[n_seeds..].windows(2).all(|w| w[0].a.0 <= w[1].a.0), "passages in order of a");
        let mut by_b: Vec<(usize, usize)> = (n_seeds..items.len()).map(|k| (items[k].b.0, k)).collect();
        by_b.sort_unstable();
        let longest_b = (n_seeds..items.len()).map(|k| items[k].b.1 - items[k].b.0).max().unwrap_or(0);
        for p in n_seeds..items.len() {
            let reach = items[p].a.1 + SENTENCE_GAP;
            let end = p + 1 + items[p + 1..].partition_point(|q| q.a.0 <= reach);
            let (lo, hi) = (items[p].b.0.saturating_sub(longest_b + 1 + SENTENCE_GAP), items[p].b.1 + 1 + SENTENCE_GAP);
            let near_b = &by_b[by_b.partition_point(|e| e.0 < lo)..by_b.partition_point(|e| e.0 <= hi)];
            if end - (p + 1) <= SCAN || near_b.len() >= end - (p + 1) {
                for q in p + 1..end {
                    if link(&items[p], &items[q]) {
                        groups.union(p, q);
                    }
                }
            } else {
                for &(_, q) in near_b {
                    if q > p && q < end && link(&items[p], &items[q]) {
                        groups.union(p, q);
                    }
                }
            }
        }
        // Each group of two items or more, in the order of its first item.
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        for k in 0..items.len() {
            let s = *slot.entry(groups.find(k)).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[s].push(k);
        }
        members.retain(|m| m.len() >= 2 || m.iter().any(|&k| k < n_seeds));
        let mut absorbed = vec![false; passages.len()];
        let mut found: Vec<Passage> = Vec::new();
        for group in members {
            let absorbs: Vec<usize> = group.iter().filter_map(|&k| items[k].passage).collect();
            let seeded = |f: fn(&Item) -> usize| {
                let mut s: Vec<usize> =
                    group.iter().filter(|&&k| items[k].passage.is_none()).map(|&k| f(&items[k])).collect();
                s.sort_unstable();
                s.dedup();
                s.len()
            };
            let strong = group.iter().any(|&k| k < n_seeds && seeds[k].2 >= STRONG_SEED);
            if absorbs.is_empty() && seeded(|x| x.a.0).max(seeded(|x| x.b.0)) < 2 && !strong {
                continue;
            }
            // The union of the items' tokens on each side.
            let (mut ta, mut tb) = (Range { start: usize::MAX, end: 0 }, Range { start: usize::MAX, end: 0 });
            for &k in &group {
                let (ra, rb) = match items[k].passage {
                    Some(p) => (passages[p].a_tokens.clone(), passages[p].b_tokens.clone()),
                    None => (
                        self.a.an.sentences[items[k].a.0].tokens.clone(),
                        self.b.an.sentences[items[k].b.0].tokens.clone(),
                    ),
                };
                ta = hull(&ta, &ra);
                tb = hull(&tb, &rb);
            }
            // The cosine leaves out what the links passed over that is not
            // prose (a formula one side has would outweigh the rest).
            let passed_over = |side: &Side<'_>, prose: &[bool], t: &Range<usize>, f: fn(&Item) -> (usize, usize)| {
                let (first, last) = side.bags.span_sentences(t);
                (first..=last)
                    .filter(|&i| !prose[i] && !group.iter().any(|&k| f(&items[k]).0 <= i && i <= f(&items[k]).1))
                    .map(|i| side.an.sentences[i].tokens.clone())
                    .collect::<Vec<_>>()
            };
            let (skip_a, skip_b) =
                (passed_over(&self.a, &a_prose, &ta, |i| i.a), passed_over(&self.b, &b_prose, &tb, |i| i.b));
            if self.cosine_except(&ta, &tb, &skip_a, &skip_b) < PASSAGE_SIMILARITY {
                continue;
            }
            let matched = self.shared_words(&ta, &tb).min(ta.len()).min(tb.len());
            if matched < opts.min_words {
                continue;
            }
            for &p in &absorbs {
                absorbed[p] = true;
            }
            let k = opts.shingle_size.max(1);
            let sim = sorted_similarity(&window_set(sa, &ta, k), &window_set(sb, &tb, k));
            found.push(Passage {
                a: self.a.span(&ta),
                b: self.b.span(&tb),
                a_tokens: ta,
                b_tokens: tb,
                matched_words: matched,
                kind: PassageKind::Rewritten,
                similarity: sim.jaccard,
                bag_similarity: 0.0,
                containment_a: sim.containment_a,
                containment_b: sim.containment_b,
                boilerplate_articles: 0,
            });
        }
        let k = opts.shingle_size.max(1);
        let mut found = merge_overlapping(found, &self.a, &self.b, self, sa, sb, k);
        // A passage that a rewritten one covers on one side and that lies
        // next to it on the other (nothing but sentences that are not prose
        // between) is a piece of it moved: a sentence taken from the end
        // of the source into its middle. The rewritten passage takes it in.
        let kept = passages.iter().zip(&absorbed).filter(|(p, gone)| !**gone && !p.a_tokens.is_empty());
        for (p, _) in kept.filter(|(p, _)| !p.b_tokens.is_empty()) {
            let next = |side: &Side<'_>, prose: &[bool], x: &Range<usize>, y: &Range<usize>| {
                !overlaps(x, y) && side.bags.near(side.bags.span_sentences(x), side.bags.span_sentences(y), 0, prose)
            };
            let moved = |r: &Passage| {
                (overlaps(&r.a_tokens, &p.a_tokens) && next(&self.b, &b_prose, &r.b_tokens, &p.b_tokens))
                    || (overlaps(&r.b_tokens, &p.b_tokens) && next(&self.a, &a_prose, &r.a_tokens, &p.a_tokens))
            };
            if let Some(r) = found.iter_mut().find(|r| moved(r)) {
                let (ta, tb) = (hull(&r.a_tokens, &p.a_tokens), hull(&r.b_tokens, &p.b_tokens));
                set_spans(r, ta, tb, &self.a, &self.b, self, sa, sb, k);
            }
        }
        // A passage overlapping a rewritten one on both sides is inside it.
        // A short one (under `min_words`, kept only because its paragraphs
        // share enough) that lies within a rewritten passage on one side,
        // in a sentence whose seed partner is in that passage's other side,
        // is a phrase the other text repeats elsewhere: the rewritten
        // passage says where that sentence came from.
        let within = |x: &Range<usize>, y: &Range<usize>| y.start <= x.start && x.end <= y.end;
        let seeded_in = |x: &Range<usize>, y: &Range<usize>, side_a: bool| {
            let (xs, ys) = if side_a {
                (self.a.bags.span_sentences(x), self.b.bags.span_sentences(y))
            } else {
                (self.b.bags.span_sentences(x), self.a.bags.span_sentences(y))
            };
            seeds.iter().any(|&(i, j, _)| {
                let (x, y) = if side_a { (i, j) } else { (j, i) };
                xs.0 <= x && x <= xs.1 && ys.0 <= y && y <= ys.1
            })
        };
        let repeated = |p: &Passage, r: &Passage| {
            p.matched_words < opts.min_words
                && !p.a_tokens.is_empty()
                && !p.b_tokens.is_empty()
                && ((within(&p.a_tokens, &r.a_tokens) && seeded_in(&p.a_tokens, &r.b_tokens, true))
                    || (within(&p.b_tokens, &r.b_tokens) && seeded_in(&p.b_tokens, &r.a_tokens, false)))
        };
        let inside = |p: &Passage| {
            found
                .iter()
                .any(|r| (overlaps(&r.a_tokens, &p.a_tokens) && overlaps(&r.b_tokens, &p.b_tokens)) || repeated(p, r))
        };
        let mut out: Vec<Passage> =
            passages.into_iter().enumerate().filter(|(k, p)| !absorbed[*k] && !inside(p)).map(|(_, p)| p).collect();
        out.extend(found);
        out
    }
}

/// Whether two sentences' sorted figures are both there and share none
/// (alike sentences with different figures are a template, not a seed).
pub(crate) fn different_figures(x: &[u64], y: &[u64]) -> bool {
    !x.is_empty() && !y.is_empty() && !x.iter().any(|n| y.binary_search(n).is_ok())
}

/// A stem's weight in a pair of texts of `n` sentences in all, where `sf`
/// of them hold it: `ln(1 + n / sf)` (tf-isf).
pub(crate) fn stem_weight(n: f64, sf: u32) -> f64 {
    (1.0 + n / f64::from(sf)).ln()
}

/// `tokens` sorted by `(stems[token], token)`: stems are hashes, spread
/// uniformly, so a stable scatter into buckets by their top bits leaves
/// only the few tokens sharing a bucket to sort, which one insertion sort
/// of the whole does (a linear pass in all, where a comparison sort of
/// the whole took most of the time of [`SentenceBags::new`]).
fn sort_by_stem(stems: &[u64], tokens: impl Iterator<Item = usize> + Clone) -> Vec<u32> {
    let n = tokens.clone().count();
    // About two tokens a bucket.
    let bits = n.max(2).ilog2().min(16);
    let bucket = |t: usize| (stems[t] >> (64 - bits)) as usize;
    let mut at = vec![0u32; (1 << bits) + 1];
    for t in tokens.clone() {
        at[bucket(t) + 1] += 1;
    }
    for i in 0..1 << bits {
        at[i + 1] += at[i];
    }
    let mut out = vec![0u32; n];
    for t in tokens {
        let b = bucket(t);
        out[at[b] as usize] = t as u32;
        at[b] += 1;
    }
    // Each token moves back past the larger ones of its bucket only; a
    // few stems repeated in one bucket would make that quadratic, so past
    // a budget of moves a comparison sort finishes (the keys are
    // distinct: both orders are the one order).
    let key = |t: u32| (stems[t as usize], t);
    let mut budget = 4 * n;
    for i in 1..n {
        let x = out[i];
        let mut j = i;
        while j > 0 && key(out[j - 1]) > key(x) {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[j] = x;
        budget = budget.saturating_sub(i - j);
        if budget == 0 {
            out.sort_unstable_by_key(|&t| key(t));
            break;
        }
    }
    out
}

/// The figures of a sentence's `tokens`, sorted and distinct: each is a
/// run of words holding a digit with nothing but punctuation between them
/// (`1.3.13`, `3,500`, `10:30` are one figure each, whatever splits them
/// into words), hashed from its words' hashes. `kinds` are the tokens'
/// [`word_kinds`] (which of them hold a digit).
fn figures(text: &str, tokens: &[crate::text::Token], kinds: &[u8]) -> Vec<u64> {
    // Most sentences hold no digit.
    if !kinds.iter().any(|&k| k & NUMERIC != 0) {
        return Vec::new();
    }
    let mut out: Vec<u64> = Vec::new();
    let mut current: Option<(u64, usize)> = None;
    for (t, &kind) in tokens.iter().zip(kinds) {
        if kind & NUMERIC == 0 {
            out.extend(current.take().map(|c| c.0));
            continue;
        }
        let joined = |end: usize| {
            text.get(end..t.span.start).is_some_and(|gap| !gap.is_empty() && !gap.chars().any(char::is_whitespace))
        };
        current = match current {
            Some((h, end)) if joined(end) => {
                Some((h.rotate_left(23).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ t.hash, t.span.end))
            }
            other => {
                out.extend(other.map(|c| c.0));
                Some((t.hash, t.span.end))
            }
        };
    }
    out.extend(current.map(|c| c.0));
    out.sort_unstable();
    out.dedup();
    out
}

/// [`word_kinds`] bit: a word of prose.
const PROSE: u8 = 1;
/// [`word_kinds`] bit: a word holding an ASCII digit (part of a figure).
const NUMERIC: u8 = 2;

/// Per token, its kind as bits: [`PROSE`] for a word of prose, [`NUMERIC`]
/// for a word holding an ASCII digit.
///
/// A word of prose has no digit, no capital after a small letter inside
/// it (`CharField`), and no ASCII punctuation but `-',;!?` between two
/// ASCII letters or digits of the run without whitespace that holds it.
/// So `max_length`, `models.CharField(max_length=100)`, `django.utils`,
/// `P(A|B)` and `3.2.9` are words of code, identifiers or figures;
/// `object-oriented`, `don't`, `(often)` and `end.` are prose.
/// Script-agnostic: the punctuation of code is ASCII whatever the language
/// around it, and a script without case has only the other tests. One
/// pass over the bytes of the runs: the words of a run of ASCII without a
/// digit or a capital after a small letter (most runs: a word and its
/// punctuation) need no test of their own.
fn word_kinds(text: &str, tokens: &[crate::text::Token]) -> Vec<u8> {
    let bytes = text.as_bytes();
    let class = |b: u8| BYTE_CLASS[b as usize];
    let mut out = Vec::with_capacity(tokens.len());
    // The run without whitespace holding the last token
    // (`chunk_start..chunk_end`), whether it is code, and whether it is
    // plain: all ASCII, no digit, no capital after a small letter.
    let (mut chunk_start, mut chunk_end, mut code, mut plain) = (0usize, 0usize, false, false);
    // In a text all ASCII (most), every byte starts a character.
    let all_ascii = text.is_ascii();
    for t in tokens {
        let (start, end) = (t.span.start, t.span.end);
        let numeric =
            || if bytes.get(start..end).is_some_and(|w| w.iter().any(u8::is_ascii_digit)) { NUMERIC } else { 0 };
        let whole = if all_ascii { start <= end && end <= bytes.len() } else { text.get(start..end).is_some() };
        if !whole {
            out.push(numeric());
            continue;
        }
        if start >= chunk_end {
            // The byte at `chunk_end` (if any) is whitespace, so the run
            // starts after the last whitespace in `chunk_end..start`.
            let from = chunk_end.min(start);
            chunk_start = start;
            while chunk_start > from && class(bytes[chunk_start - 1]) & SPACE == 0 {
                chunk_start -= 1;
            }
            // The classes of the run's bytes.
            let mut seen = 0u8;
            chunk_end = chunk_start;
            for &b in &bytes[chunk_start..] {
                let c = class(b);
                if c & SPACE != 0 {
                    break;
                }
                seen |= c;
                chunk_end += 1;
            }
            let run = &bytes[chunk_start..chunk_end];
            code = false;
            if seen & CODE != 0 && seen & ALNUM != 0 {
                let (mut alnum, mut pending) = (false, false);
                for &b in run {
                    let c = class(b);
                    if c & ALNUM != 0 {
                        code |= pending;
                        alnum = true;
                    } else if alnum && c & CODE != 0 {
                        pending = true;
                    }
                }
            }
            let camel = || run.windows(2).any(|w| class(w[0]) & LOWER != 0 && class(w[1]) & UPPER != 0);
            plain = seen & (DIGIT | HIGH) == 0 && !(seen & UPPER != 0 && seen & LOWER != 0 && camel());
        }
        if plain && chunk_start <= start && end <= chunk_end {
            // The words of a plain run are prose unless it is code, and
            // hold no digit.
            out.push(if code { 0 } else { PROSE });
            continue;
        }
        let mut lower = false;
        let word = &bytes[start..end];
        let prose = !code
            && if word.is_ascii() {
                word.iter().all(|&b| {
                    let c = class(b);
                    let ok = c & DIGIT == 0 && !(lower && c & UPPER != 0);
                    lower = c & LOWER != 0;
                    ok
                })
            } else {
                text[start..end].chars().all(|c| {
                    let ok = !(c.is_numeric() || lower && c.is_uppercase());
                    lower = c.is_lowercase();
                    ok
                })
            };
        out.push(if prose { PROSE } else { 0 } | numeric());
    }
    out
}

/// The classes of a byte that [`word_kinds`] reads, as bits: ASCII
/// whitespace, letter or digit, punctuation of code (ASCII punctuation
/// but `-',;!?`), digit, capital and small letter, and not ASCII (a table
/// lookup per byte where the tests took most of the time of
/// [`SentenceBags::new`]).
const SPACE: u8 = 1;
const ALNUM: u8 = 2;
const CODE: u8 = 4;
const DIGIT: u8 = 8;
const UPPER: u8 = 16;
const LOWER: u8 = 32;
const HIGH: u8 = 64;
const fn bit(on: bool, bit: u8) -> u8 {
    if on { bit } else { 0 }
}
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        table[i] = bit(b.is_ascii_whitespace(), SPACE)
            | bit(b.is_ascii_alphanumeric(), ALNUM)
            | bit(b.is_ascii_punctuation() && !matches!(b, b'-' | b'\'' | b',' | b';' | b'!' | b'?'), CODE)
            | bit(b.is_ascii_digit(), DIGIT)
            | bit(b.is_ascii_uppercase(), UPPER)
            | bit(b.is_ascii_lowercase(), LOWER);
        i += 1;
    }
    while i < 256 {
        table[i] = HIGH;
        i += 1;
    }
    table
};

fn overlaps(x: &Range<usize>, y: &Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

/// The smallest range holding `x` and `y`.
fn hull(x: &Range<usize>, y: &Range<usize>) -> Range<usize> {
    x.start.min(y.start)..x.end.max(y.end)
}

/// Rewritten passages overlapping on both sides, merged into one.
fn merge_overlapping(
    mut found: Vec<Passage>,
    a: &Side<'_>,
    b: &Side<'_>,
    pair: &Pair<'_>,
    sa: &[u64],
    sb: &[u64],
    k: usize,
) -> Vec<Passage> {
    found.sort_by_key(|p| (p.a_tokens.start, p.b_tokens.start));
    let mut out: Vec<Passage> = Vec::with_capacity(found.len());
    for p in found {
        match out.iter_mut().find(|q| overlaps(&q.a_tokens, &p.a_tokens) && overlaps(&q.b_tokens, &p.b_tokens)) {
            Some(q) => {
                let (ta, tb) = (hull(&q.a_tokens, &p.a_tokens), hull(&q.b_tokens, &p.b_tokens));
                set_spans(q, ta, tb, a, b, pair, sa, sb, k);
            }
            None => out.push(p),
        }
    }
    out
}

/// Gives rewritten passage `q` the tokens `ta` of `a` and `tb` of `b`, with
/// their spans, shared words and shingle similarity.
#[allow(clippy::too_many_arguments)]
fn set_spans(
    q: &mut Passage,
    ta: Range<usize>,
    tb: Range<usize>,
    a: &Side<'_>,
    b: &Side<'_>,
    pair: &Pair<'_>,
    sa: &[u64],
    sb: &[u64],
    k: usize,
) {
    let sim = sorted_similarity(&window_set(sa, &ta, k), &window_set(sb, &tb, k));
    q.a = a.span(&ta);
    q.b = b.span(&tb);
    q.matched_words = pair.shared_words(&ta, &tb).min(ta.len()).min(tb.len());
    q.similarity = sim.jaccard;
    q.containment_a = sim.containment_a;
    q.containment_b = sim.containment_b;
    q.a_tokens = ta;
    q.b_tokens = tb;
}

/// The sorted set of the shingles that start in tokens `t` and end inside
/// them (at least one).
fn window_set(sh: &[u64], t: &Range<usize>, k: usize) -> Vec<u64> {
    let last = (t.end + 1).saturating_sub(k).max(t.start + 1).min(sh.len());
    sorted_set(&sh[t.start.min(last)..last])
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        // The smaller root wins, so that groups do not depend on the order
        // of unions.
        let (lo, hi) = (rx.min(ry), rx.max(ry));
        self.0[hi] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    fn bags(text: &str) -> (Analysis, SentenceBags) {
        let an = analyze(text, 0);
        let bags = SentenceBags::new(text, &an, 5, 0);
        (an, bags)
    }

    /// The exact aligner's passages of `a` and `b` with the default
    /// detector's settings, then `rewritten` on them (`find`: whether it
    /// looks for rewritten passages; minimum 15 words, shingles of 3).
    fn aligned_then_rewritten(a: &str, b: &str, find: bool) -> (Vec<Passage>, Vec<Passage>) {
        let d = crate::Detector::builder().build().unwrap();
        let (an_a, an_b) = (d.analyze(a), d.analyze(b));
        let (sa, sb) = (d.shingles(&an_a), d.shingles(&an_b));
        let table = super::super::SeedTable::new(&sb);
        let aligned = super::super::align_shingles(&an_a, &an_b, &sa, &sb, &table, &d.align_options());
        let (ba, bb) = (SentenceBags::new(a, &an_a, 5, 0), SentenceBags::new(b, &an_b, 5, 0));
        let opts = RewriteOptions { find, min_words: 15, shingle_size: 3 };
        let found = rewritten(&an_a, &ba, &an_b, &bb, &sa, &sb, aligned.clone(), &opts);
        (aligned, found)
    }

    fn find(a: &str, b: &str) -> Vec<Passage> {
        let ((an_a, ba), (an_b, bb)) = (bags(a), bags(b));
        let opts = RewriteOptions { find: true, min_words: 15, shingle_size: 3 };
        let (sa, sb) =
            (crate::fingerprint::shingles(&an_a.tokens, 3, 0), crate::fingerprint::shingles(&an_b.tokens, 3, 0));
        rewritten(&an_a, &ba, &an_b, &bb, &sa, &sb, Vec::new(), &opts)
    }

    #[test]
    fn bags_count_stems_per_sentence_and_sentences_per_stem() {
        let (_, b) = bags("Cats chase cats. Dogs chase cats!\n\nBirds sing.");
        assert_eq!(b.sentences(), 3);
        assert_eq!(b.stems(), 5); // cats chase dogs birds sing
        let cats = b.tokens[0];
        assert_eq!(b.bag(0).iter().find(|e| e.0 == cats), Some(&(cats, 2)));
        assert_eq!(b.postings(cats), &[(0, 2), (1, 1)]);
        assert_eq!(b.paragraph, [(0, 1), (0, 1), (2, 2)]);
    }

    #[test]
    fn stems_of_another_length_find_nothing_and_keep_the_passages() {
        let an = analyze("One two three. Four five six.", 0);
        assert_eq!(SentenceBags::new("One two", &an, 5, 0), SentenceBags::default());
        let opts = RewriteOptions { find: true, min_words: 1, shingle_size: 1 };
        let none = SentenceBags::default();
        assert!(rewritten(&an, &none, &an, &none, &[], &[], Vec::new(), &opts).is_empty());
    }

    #[test]
    fn near_stops_at_a_paragraph_only_one_side_has() {
        let (_, b) = bags("S one. S two.\n\nS three. S four.\n\nS five.");
        // Sentences 0..=4; paragraphs (0, 1), (2, 3), (4, 4).
        let prose = [true; 5];
        assert!(b.near((0, 0), (1, 1), 1, &prose));
        assert!(b.near((1, 1), (2, 2), 1, &prose), "next paragraph, nothing between");
        assert!(b.near((1, 1), (3, 3), 3, &prose), "half a paragraph between");
        assert!(!b.near((1, 1), (4, 4), 3, &prose), "a whole paragraph between");
        assert!(!b.near((0, 0), (4, 4), 1, &prose), "too far");
        assert!(b.near((2, 3), (0, 1), 0, &prose), "adjacent, in either order");
    }

    #[test]
    fn near_passes_over_what_is_not_prose() {
        let (an, b) = bags("S one. S two.\n\nP(A|B) = P(B|A) P(A) / P(B).\n\nS four. S five.");
        let (a_side, b_side) = (Side { an: &an, bags: &b }, Side { an: &an, bags: &b });
        let prose = a_side.prose_sentences(15);
        assert_eq!(prose, [true, true, false, true, true]);
        assert_eq!(b_side.prose_sentences(15), prose);
        assert!(b_side.prose_sentences(5)[2], "too long to pass over");
        // Sentence 2 is a paragraph of its own, a formula: it neither ends
        // a passage nor counts as a sentence between two passages.
        assert!(b.near((1, 1), (3, 3), 0, &prose));
        assert!(b.near((0, 1), (3, 4), 3, &prose));
        let all = [true; 5];
        assert!(!b.near((1, 1), (3, 3), 0, &all), "a sentence between");
        assert!(!b.near((1, 1), (3, 3), 3, &all), "a whole paragraph between");
        // Prose between still counts, and so does the number in all.
        assert!(!b.near((0, 0), (3, 3), 0, &prose));
    }

    #[test]
    fn a_formula_one_side_has_does_not_cut_a_rewritten_passage() {
        let a = "The committee approved the new budget for public schools on Monday evening. \
                 Teachers will receive higher salaries starting from the next academic year.\n\n\
                 P(A|B) = P(B|A) P(A) / P(B).\n\n\
                 Parents welcomed the decision after months of protests in the capital. \
                 The mayor promised new buses for the pupils of remote villages.";
        let b = "On Monday evening the committee approved the new budget for public schools. \
                 Starting from the next academic year, teachers will receive higher salaries. \
                 After months of protests in the capital, parents welcomed the decision. \
                 New buses for the pupils of remote villages were promised by the mayor.";
        let found = find(a, b);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, PassageKind::Rewritten);
        assert_eq!(&a[found[0].a], a);
        assert_eq!(&b[found[0].b], b);
    }

    /// Sentences rewritten by reordering their clauses, `(a, b)`: the
    /// rewritten passages of the tests below.
    const REORDERED: [(&str, &str); 6] = [
        (
            "The committee approved the new budget for public schools on Monday evening.",
            "On Monday evening the committee approved the new budget for public schools.",
        ),
        (
            "Teachers will receive higher salaries starting from the next academic year.",
            "Starting from the next academic year, teachers will receive higher salaries.",
        ),
        (
            "Parents welcomed the decision after months of protests in the capital.",
            "After months of protests in the capital, parents welcomed the decision.",
        ),
        (
            "The mayor promised new buses for the pupils of remote villages.",
            "New buses for the pupils of remote villages were promised by the mayor.",
        ),
        (
            "Several old school buildings will be repaired during the summer holidays.",
            "During the summer holidays several old school buildings will be repaired.",
        ),
        (
            "The opposition criticised the plan as too expensive for the city.",
            "As too expensive for the city, the plan was criticised by the opposition.",
        ),
    ];

    #[test]
    fn a_sentence_moved_into_a_rewritten_passage_is_part_of_it() {
        // Six sentences rewritten in order, an exact passage after them,
        // and a sentence copied from the end of `b` into the second place
        // of `a`: too far from any seed or passage to link to one, but
        // inside the rewritten passage in `a` and next to it in `b`.
        let pairs = REORDERED;
        let exact = "The treasurer explained that the money comes from a special fund \
                     that the region set aside for education and public transport.";
        let moved = "Critics noted that the same promises had been made before the last \
                     election and that most of them were never kept by the council.";
        let mut a = vec![pairs[0].0, moved];
        a.extend(pairs[1..].iter().map(|r| r.0));
        a.push(exact);
        let mut b: Vec<&str> = pairs.iter().map(|r| r.1).collect();
        b.extend([exact, moved]);
        let (a, b) = (a.join(" "), b.join(" "));
        let (aligned, found) = aligned_then_rewritten(&a, &b, true);
        assert!(aligned.iter().any(|p| &a[p.a] == moved), "{aligned:#?}");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, PassageKind::Rewritten);
        assert_eq!((&a[found[0].a], &b[found[0].b]), (a.as_str(), b.as_str()));
    }

    #[test]
    fn a_phrase_repeated_elsewhere_is_no_second_claim_on_a_rewritten_sentence() {
        // The first sentence of `a` is rewritten as the first of `b`; `b`
        // repeats a phrase of it word for word much later, in a sentence
        // about something else. The aligner keeps that short piece for its
        // paragraphs (an exact passage shares them), but the rewritten
        // passage says where the sentence of `a` came from.
        let first = (
            "The theorem of Bayes relates the conditional and marginal probabilities of two random events, \
             and it carries the name of the English minister Thomas Bayes.",
            "Named after the minister Thomas Bayes, it links marginal and conditional probabilities \
             of two random events in one English theorem.",
        );
        let rest = &REORDERED[1..3];
        let exact = "The treasurer explained that the money comes from a special fund \
                     that the region set aside for education and public transport.";
        let unrelated = "Nobody at the meeting asked how long the repairs of the old bridge would take. \
                         The weather stayed cold and wet for the whole of that week. \
                         A new bakery opened next to the station on the same day.";
        let repeat = "The theorem of Bayes relates the conditional and marginal probabilities of \
                      events A and B, where B is not impossible.";
        let mut a = vec![first.0];
        a.extend(rest.iter().map(|r| r.0));
        a.push(exact);
        let mut b = vec![first.1];
        b.extend(rest.iter().map(|r| r.1));
        b.extend([exact, unrelated, repeat]);
        let (a, b) = (a.join(" "), b.join(" "));
        let (aligned, found) = aligned_then_rewritten(&a, &b, true);
        let short = |p: &Passage| b[p.b].starts_with("The theorem of Bayes relates");
        assert!(aligned.iter().any(|p| short(p) && p.matched_words < 15), "{aligned:#?}");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, PassageKind::Rewritten);
        assert!(
            b[found[0].b].starts_with("Named after") && b[found[0].b].ends_with("public transport."),
            "{:?}",
            &b[found[0].b]
        );
        // With no rewritten passage to say otherwise, the piece stays.
        assert!(aligned_then_rewritten(&a, &b, false).1.iter().any(short));
    }

    #[test]
    fn reordered_sentences_are_one_passage_and_unrelated_ones_none() {
        let a = "The committee approved the new budget for public schools on Monday evening. \
                 Teachers will receive higher salaries starting from the next academic year. \
                 Parents welcomed the decision after months of protests in the capital.";
        let b = "After months of protests in the capital, parents welcomed the decision. \
                 Starting from the next academic year, teachers will receive higher salaries. \
                 On Monday evening the committee approved the new budget for public schools.";
        let found = find(a, b);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, PassageKind::Rewritten);
        assert_eq!(&a[found[0].a], a);
        assert_eq!(&b[found[0].b], b);
        assert!(found[0].bag_similarity > 0.95);
        let other = "Heavy snow closed the mountain roads for a week. \
                     Farmers in the valley lost most of their harvest to the early frost. \
                     The regional weather service expects a mild spring.";
        assert!(find(a, other).is_empty());
    }

    #[test]
    fn one_alike_sentence_is_no_passage() {
        let a = "The committee approved the new budget for public schools on Monday evening. \
                 Nothing else here is like the other text at all, being about rivers.";
        let b = "Rain fell over the lakes and the forests all through the long night. \
                 On Monday evening, a new budget for schools was approved by the public committee, with changes.";
        assert!(find(a, b).is_empty(), "{:#?}", find(a, b));
    }

    #[test]
    fn figures_are_whole_whatever_splits_them_into_words() {
        let text = "Raised from 1.3.7 to 1.3.13 and 3.6.0, at 10:30 on 3 May.";
        let an = analyze(text, 0);
        let f = figures(text, &an.tokens, &word_kinds(text, &an.tokens));
        assert_eq!(f.len(), 5, "1.3.7, 1.3.13, 3.6.0, 10:30, 3");
        let other = "Raised from 3.6.0 to 3.7.0.";
        let tokens = analyze(other, 0).tokens;
        let g = figures(other, &tokens, &word_kinds(other, &tokens));
        assert_eq!(g.len(), 2);
        assert_eq!(f.iter().filter(|x| g.contains(x)).count(), 1, "3.6.0 alone is shared");
    }

    #[test]
    fn a_template_filled_in_with_other_versions_is_no_passage() {
        let a = "The minimum supported version of mysqlclient is increased from 1.3.7 to 1.3.13 in this release. \
                 The minimum supported version of SQLite is increased from 3.7.15 to 3.8.3 in this release. \
                 The minimum supported version of Pillow is increased from 6.2.0 to 6.2.1 in this release.";
        let b = "The minimum supported version of mysqlclient is increased from 3.6.0 to 3.7.0 in this release. \
                 The minimum supported version of SQLite is increased from 3.8.0 to 4.8.0 in this release. \
                 The minimum supported version of Pillow is increased from 7.1.0 to 7.3.1 in this release.";
        assert!(find(a, b).is_empty(), "{:#?}", find(a, b));
    }

    #[test]
    fn code_identifiers_and_figures_are_not_prose() {
        let text = "name = models.CharField(max_length=100) in P(A|B) at 3.2.9, \
                    the object-oriented don't (often) end. Модель «данных» и ключ.";
        let an = analyze(text, 0);
        let words: Vec<(&str, bool)> =
            an.tokens.iter().zip(word_kinds(text, &an.tokens)).map(|(t, k)| (&text[t.span], k & PROSE != 0)).collect();
        let prose: Vec<&str> = words.iter().filter(|w| w.1).map(|w| w.0).collect();
        assert_eq!(
            prose,
            ["name", "in", "at", "the", "object", "oriented", "don't", "often", "end", "Модель", "данных", "и", "ключ"],
            "{words:?}"
        );
    }

    #[test]
    fn alike_code_seeds_no_passage() {
        let a = "class Article(models.Model):\n    headline = models.CharField(max_length=100)\n    \
                 pub_date = models.DateField()\n    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE)\n\n\
                 class Reporter(models.Model):\n    first_name = models.CharField(max_length=30)\n    \
                 last_name = models.CharField(max_length=30)\n    email = models.EmailField()";
        let b = "class Book(models.Model):\n    title = models.CharField(max_length=100)\n    \
                 authors = models.ManyToManyField(Author)\n    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)\n    \
                 publication_date = models.DateField()\n\n\
                 class Publisher(models.Model):\n    name = models.CharField(max_length=30)\n    \
                 address = models.CharField(max_length=50)\n    website = models.URLField()";
        assert!(find(a, b).is_empty(), "{:#?}", find(a, b));
        // Lines repeating the same words: few distinct stems for their words.
        let a = "from sqlalchemy import Column\nfrom sqlalchemy import Integer\nfrom sqlalchemy import String\n\
                 from sqlalchemy import Table\nfrom sqlalchemy import select\nfrom sqlalchemy import registry";
        let b = "from sqlalchemy import ForeignKey\nfrom sqlalchemy import Integer\nfrom sqlalchemy import String\n\
                 from sqlalchemy import Table\nfrom sqlalchemy import Column\nfrom sqlalchemy import relationship";
        assert!(find(a, b).is_empty(), "{:#?}", find(a, b));
    }

    #[test]
    fn the_bucket_sort_sorts() {
        let mut state = 7u64;
        for n in [0usize, 1, 2, 3, 63, 64, 65, 1000, 5000] {
            for distinct in [1u64, 3, 97, u64::MAX] {
                // Few distinct stems, so that buckets hold many.
                let stems: Vec<u64> = (0..n)
                    .map(|_| {
                        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        ((state >> 11) % distinct).wrapping_mul(0x0123_4567_89ab_cdef)
                    })
                    .collect();
                // Every other token, backwards: the order does not matter.
                let tokens = (0..n).rev().filter(|t| t % 2 == 0);
                let mut want: Vec<u32> = tokens.clone().map(|t| t as u32).collect();
                want.sort_unstable_by_key(|&t| (stems[t as usize], t));
                assert_eq!(sort_by_stem(&stems, tokens), want, "{n} {distinct}");
            }
        }
    }

    #[test]
    fn repetition_is_bounded() {
        // Ten thousand copies of one sentence on each side: every stem is
        // in more than MAX_POSTINGS sentences, so no pair of sentences is
        // compared, and the work stays linear.
        let s = "The same long sentence repeated again and again in this text. ".repeat(10_000);
        let found = find(&s, &s);
        assert!(found.is_empty());
    }
}
