//! The stage methods of a [`Detector`]: what an index computes for one
//! article, and what it does with a candidate pair, as public functions over
//! plain records, so that an engine that is not an [`Index`](crate::Index)
//! (a Spark job, a sharded corpus) runs exactly the index's steps.
//!
//! Per article: [`analyze`](Detector::analyze) → [`units`](Detector::units)
//! and [`shingles`](Detector::shingles) → [`signature`](Detector::signature)
//! of each unit's slice ([`unit_shingles`](Detector::unit_shingles)) →
//! [`band_keys`](Detector::band_keys); [`article_keys`](Detector::article_keys)
//! gives all of it at once, with the [`segment_keys`](Detector::segment_keys)
//! that boilerplate counts are made of and the exact-duplicate key. Per
//! candidate pair: [`prepare`](Detector::prepare) each article once, then
//! [`verify`](Detector::verify) the pair.

use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::Detector;
use crate::config::Unit;
use crate::fingerprint::{
    Folded, FoldedArticle, FoldedStem, SegmentKey, Signature, duplicate_key, overlap, overlap_by, segment_keys,
    sentence_stem_sets, sentence_stem_sets_folded, shingles, stem_set, winnow,
};
use crate::lsh::{BAG_LSH, band_keys};
use crate::score::{
    Passage, Report, RewriteOptions, SEED_SIMILARITY, SeedTable, SentenceBags, align_shingles, different_figures,
    rewritten, sorted_set, sorted_similarity, stem_weight,
};
use crate::text::{Analysis, Segment};

/// Everything an index enters for one article, from
/// [`Detector::article_keys`]: summed over a corpus's articles, these are
/// the band tables, the boilerplate counts and the exact-duplicate classes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ArticleKeys {
    /// Number of the article's units ([`Detector::units`]).
    pub units: u32,
    /// The units that take entries in the band tables, in increasing
    /// order: of the units with the same words (a sentence repeated in the
    /// article), only the first; they would take the same entries.
    pub entry_units: Vec<u32>,
    /// The band keys of each unit of `entry_units`, `bands` per unit
    /// ([`LshParams::bands`](crate::LshParams::bands)), unit after unit: the
    /// entry of unit `entry_units[i]` in band `j` has key
    /// `band_keys[i * bands + j]`.
    pub band_keys: Vec<u64>,
    /// `(key, context)` of every sentence, then of every paragraph
    /// ([`Detector::segment_keys`]): what boilerplate counts count.
    pub segment_keys: Vec<SegmentKey>,
    /// The article's run fingerprints ([`Detector::anchors`]): `(hash,
    /// first word)` of each distinct winnowed run of
    /// [`anchor`](crate::Config::anchor) words, in text order of first
    /// occurrence; each is one entry of the run table.
    pub anchors: Vec<(u64, u32)>,
    /// The key of the article's exact-duplicate class
    /// ([`fingerprint::duplicate_key`](crate::fingerprint::duplicate_key)):
    /// articles with the same key are one class, whose first article alone
    /// takes entries. `None` for an article without units.
    pub duplicate_key: Option<u128>,
    /// With [`rewritten`](crate::Config::rewritten) only (and only from
    /// [`Detector::text_keys`], which has the text): the sentences that
    /// take entries in the rewritten-candidate tables
    /// ([`Detector::sentence_bags`]), in increasing order.
    pub bag_sentences: Vec<u32>,
    /// The [`bag_keys`](Detector::bag_keys) of each sentence of
    /// `bag_sentences`, [`BAG_LSH`](crate::lsh::BAG_LSH)`.bands` per
    /// sentence, sentence after sentence.
    pub bag_keys: Vec<u64>,
}

impl ArticleKeys {
    /// `(unit, band keys)` of every entry unit (none unless
    /// [`similar_units`](crate::Config::similar_units) is set).
    ///
    /// ```
    /// let d = neardup::Detector::builder().similar_units(true).build()?;
    /// let keys = d.article_keys(&d.analyze("A sentence long enough to be a unit of its own."));
    /// let entries: Vec<(u32, &[u64])> = keys.entries(d.lsh().bands).collect();
    /// assert_eq!(entries.len(), 1);
    /// assert_eq!(entries[0].1.len(), d.lsh().bands);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn entries(&self, bands: usize) -> impl Iterator<Item = (u32, &[u64])> + '_ {
        self.entry_units.iter().copied().zip(self.band_keys.chunks_exact(bands.max(1)))
    }

    /// `(sentence, bag keys)` of every sentence in the rewritten-candidate
    /// tables (none unless [`rewritten`](crate::Config::rewritten) is set):
    /// the entry of sentence `s` in bag band `j` has key `keys[j]`.
    ///
    /// ```
    /// let d = neardup::Detector::builder().rewritten(true).rewritten_candidates(true).build()?;
    /// let text = "Students copied the answer and changed the order of its words.";
    /// let keys = d.text_keys(text, &d.analyze(text));
    /// let entries: Vec<(u32, &[u64])> = keys.bag_entries().collect();
    /// assert_eq!(entries.len(), 1);
    /// assert_eq!(entries[0].1.len(), neardup::lsh::BAG_LSH.bands);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn bag_entries(&self) -> impl Iterator<Item = (u32, &[u64])> + '_ {
        self.bag_sentences.iter().copied().zip(self.bag_keys.chunks_exact(BAG_LSH.bands))
    }
}

/// Why a pair of articles is a candidate: one piece of evidence that
/// [`Detector::verify`] checks. Sorted, cues of one pair come unit cues
/// first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Cue {
    /// Unit `a` of the first article and unit `b` of the second share an
    /// LSH band key ([`Detector::band_keys`]).
    Units {
        /// The first article's unit.
        a: u32,
        /// The second article's unit.
        b: u32,
    },
    /// The run fingerprint ([`Detector::anchors`]) whose run starts at word
    /// `a` of the first article starts at word `b` of the second.
    Anchor {
        /// Word index in the first article.
        a: u32,
        /// Word index in the second article.
        b: u32,
    },
    /// Sentence `a` of the first article and sentence `b` of the second
    /// (indices into [`Analysis::sentences`]) share a key of the
    /// rewritten-candidate tables ([`Detector::bag_keys`]).
    Bags {
        /// The first article's sentence.
        a: u32,
        /// The second article's sentence.
        b: u32,
    },
}

/// Least cosine of the one seed of a pair that passes on rewritten
/// candidates alone ([`Cue::Bags`]) with passing cues in one sentence on
/// each side: two alike sentences on one side are reuse, one is mostly a
/// topic (the rewritten detector's own filter asks one seed alone for
/// `STRONG_SEED`, 0.9, in `score::rewritten`; an edited passage beside it
/// may need less). Measured in `DESIGN.md`,
/// "Rewritten candidates".
const LONE_SEED_COSINE: f64 = 0.5;

/// How much lower than the exact tests' thresholds (the seed test's
/// cosine [`SEED_SIMILARITY`], [`LONE_SEED_COSINE`]) the estimates on
/// folded stems ([`bag_cue_estimate`]) may fall and still let a bag cue
/// pass: folding two stems into one value moves a cosine a little either
/// way.
const ESTIMATE_MARGIN: f64 = 0.05;

/// One side of a bag cue judged on folded stems ([`Folded`]): the
/// article's sentences and folded vocabulary, and the sentence's folded
/// stems ([`Folded::sentence`]).
#[derive(Clone, Copy)]
pub(crate) struct FoldedSentence<'a> {
    /// Sentences of the article.
    pub(crate) sentences: u32,
    /// The article's `(fold, sentences holding it)`, sorted.
    pub(crate) vocab: &'a [(u16, u16)],
    /// The sentence's folded stems, sorted.
    pub(crate) stems: &'a [FoldedStem],
}

impl<'a> FoldedSentence<'a> {
    /// A sentence of folded stems `stems` of the article of `folded`.
    pub(crate) fn of(folded: &'a Folded, stems: &'a [FoldedStem]) -> FoldedSentence<'a> {
        FoldedSentence { sentences: folded.sentences, vocab: &folded.vocab, stems }
    }
}

/// The estimate of a [`Cue::Bags`] pair of sentences on their folded stems
/// ([`Folded`]), what an index judges before preparing the stored article
/// and [`Detector::verify`] judges first: the seed test's Dice coefficient
/// (at least two stems shared, above [`SEED_SIMILARITY`]; on folds it is
/// never below the exact one) and tf-isf cosine (above
/// `SEED_SIMILARITY - ESTIMATE_MARGIN`) computed on the folds. `Some(cosine)`
/// if the cue may pass.
pub(crate) fn bag_cue_estimate(x: FoldedSentence<'_>, y: FoldedSentence<'_>) -> Option<f64> {
    bag_cue_estimate_with(x, y, |fold| Folded::frequency(x.vocab, fold))
}

/// [`bag_cue_estimate`] where `x_frequency(fold)` is
/// [`Folded::frequency`]`(x.vocab, fold)` (a table of it, say, when one side
/// meets many others).
pub(crate) fn bag_cue_estimate_with(
    x: FoldedSentence<'_>,
    y: FoldedSentence<'_>,
    x_frequency: impl Fn(u16) -> u16,
) -> Option<f64> {
    let (common, nx, ny) = (shared_folds(x.stems, y.stems), x.stems.len(), y.stems.len());
    if common < 2 || 2.0 * common as f64 / (nx + ny) as f64 <= SEED_SIMILARITY {
        return None;
    }
    let total = x.sentences + y.sentences;
    WEIGHTS.with_borrow_mut(|cache| {
        let weight = |f: u8, g: u16| cached_weight(cache, total, (u32::from(f) + u32::from(g)).max(1));
        estimate_cosine(x, y, x_frequency, weight)
    })
}

/// [`stem_weight`]`(f64::from(total), sf)`, from `cache` (the per-thread
/// [`WEIGHTS`]) when it holds it: a weight is a function of `(total, sf)`,
/// computed once per thread while its cache entry lasts.
fn cached_weight(cache: &mut Vec<(u64, f64)>, total: u32, sf: u32) -> f64 {
    if cache.is_empty() {
        cache.resize(1 << WEIGHT_BITS, (u64::MAX, 0.0));
    }
    let key = (u64::from(total) << 32) | u64::from(sf);
    if key == u64::MAX {
        return stem_weight(f64::from(total), sf);
    }
    let entry = &mut cache[(key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - WEIGHT_BITS)) as usize];
    if entry.0 != key {
        *entry = (key, stem_weight(f64::from(total), sf));
    }
    entry.1
}

/// Entries (log2) of the per-thread cache of [`bag_cue_estimate`]'s weights.
const WEIGHT_BITS: u32 = 12;

thread_local! {
    /// Per thread, `(total sentences << 32 | sentence frequency, stem_weight)`
    /// of weights computed by [`bag_cue_estimate`], direct-mapped on the key
    /// (`u64::MAX`, no key, when empty): a pair's weights take a handful of
    /// keys, and the logarithms are the bulk of an estimate.
    static WEIGHTS: std::cell::RefCell<Vec<(u64, f64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The tf-isf cosine of [`bag_cue_estimate`] (`weight(f, g)` the weight of a
/// fold of sentence frequencies `f` and `g` in the two articles) if it
/// passes.
fn estimate_cosine(
    x: FoldedSentence<'_>,
    y: FoldedSentence<'_>,
    x_frequency: impl Fn(u16) -> u16,
    mut weight: impl FnMut(u8, u16) -> f64,
) -> Option<f64> {
    // `x`'s folds not shared come in increasing order: each is looked up
    // in what is left of `y.vocab` past the previous one.
    let mut y_vocab = y.vocab;
    let mut y_frequency = |fold: u16| {
        y_vocab = &y_vocab[y_vocab.partition_point(|e| e.0 < fold)..];
        y_vocab.first().filter(|e| e.0 == fold).map_or(0, |e| e.1)
    };
    // Shared folds (matched one to one, as the Dice count) weigh alike on
    // both sides; the others' weights need the other article's frequency.
    let (mut dot, mut norm_x, mut norm_y) = (0.0f64, 0.0f64, 0.0f64);
    let (ys, mut j) = (y.stems, 0);
    for &(fold, c, f) in x.stems {
        while let Some(&(other, d, g)) = ys.get(j).filter(|e| e.0 < fold) {
            norm_y += (f64::from(d) * weight(g, x_frequency(other))).powi(2);
            j += 1;
        }
        if let Some(&(_, d, g)) = ys.get(j).filter(|e| e.0 == fold) {
            let w = weight(f, u16::from(g));
            dot += f64::from(c) * f64::from(d) * w * w;
            norm_x += (f64::from(c) * w).powi(2);
            norm_y += (f64::from(d) * w).powi(2);
            j += 1;
        } else {
            norm_x += (f64::from(c) * weight(f, y_frequency(fold))).powi(2);
        }
    }
    for &(fold, d, g) in &ys[j..] {
        norm_y += (f64::from(d) * weight(g, x_frequency(fold))).powi(2);
    }
    let cosine = dot / (norm_x.sqrt() * norm_y.sqrt());
    (cosine > SEED_SIMILARITY - ESTIMATE_MARGIN).then_some(cosine)
}

/// The folds two sentences' folded stems (sorted) share, matched one to
/// one: [`overlap_by`] on the folds, as a branch-free merge (most cues
/// fail on this count alone).
fn shared_folds(a: &[FoldedStem], b: &[FoldedStem]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i].0, b[j].0);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        common += usize::from(x == y);
    }
    common
}

/// Whether a pair's bag cues that pass [`bag_cue_estimate`] (`(sentence
/// of a, sentence of b, estimated cosine)`) may let it pass
/// [`Detector::verify`]'s rule (passing cues in two sentences on one side,
/// or one of cosine at least [`LONE_SEED_COSINE`]), judged on the
/// estimates (less [`ESTIMATE_MARGIN`]). Sorts `cues`.
pub(crate) fn bag_cues_estimate_pass(cues: &mut [(u32, u32, f64)]) -> bool {
    if cues.iter().any(|c| c.2 >= LONE_SEED_COSINE - ESTIMATE_MARGIN) {
        return true;
    }
    cues.sort_unstable_by_key(|c| c.0);
    if cues.windows(2).any(|w| w[0].0 != w[1].0) {
        return true;
    }
    cues.sort_unstable_by_key(|c| c.1);
    cues.windows(2).any(|w| w[0].1 != w[1].1)
}

/// One article prepared for verification and alignment, from
/// [`Detector::prepare`]: analysed once, then shared by every comparison it
/// takes part in (its shingle sets and seed table are built on first use,
/// once, and the value can be shared between threads).
#[derive(Debug)]
pub struct Prepared {
    analysis: Analysis,
    /// The shingles of the whole text: alignment walks them, and a unit's
    /// shingles are a slice of them.
    shingles: Vec<u64>,
    units: Vec<Segment>,
    /// Per token: the articles holding the boilerplate sentence or
    /// paragraph it is in (the most, if several), 0 outside boilerplate.
    boilerplate: Vec<u32>,
    /// Per unit: the unit that looks for candidates on its behalf (on
    /// demand: a candidate side never needs it).
    probing: OnceLock<Vec<Option<u32>>>,
    /// Per unit: its sorted shingle set, on demand.
    sets: Vec<OnceLock<Vec<u64>>>,
    /// Words per shingle.
    k: usize,
    /// The seed table of `shingles`, built when this article is the second
    /// text of an alignment.
    table: OnceLock<SeedTable>,
    /// The sentences as bags of stems, on first use.
    bags: OnceLock<SentenceBags>,
    /// The folded stems, on first use.
    folded: OnceLock<Folded>,
    /// The folded stems of each sentence, each on first use.
    folded_sentences: OnceLock<Vec<OnceLock<Vec<FoldedStem>>>>,
}

impl Prepared {
    /// The analysis.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The whole text's shingles ([`Detector::shingles`]).
    pub fn shingles(&self) -> &[u64] {
        &self.shingles
    }

    /// The units ([`Detector::units`]).
    pub fn units(&self) -> &[Segment] {
        &self.units
    }

    /// Per token: 0 outside boilerplate; inside a boilerplate sentence or
    /// paragraph, the number of articles that hold it (the largest, if the
    /// token is in several). All 0 when boilerplate detection is off.
    pub fn boilerplate(&self) -> &[u32] {
        &self.boilerplate
    }

    /// Whether the run of `words` words starting at word `start` touches
    /// boilerplate (or lies past the end of the text): such a run proposes
    /// no pair.
    pub fn run_is_boilerplate(&self, start: u32, words: usize) -> bool {
        let start = start as usize;
        match self.boilerplate.get(start..start.saturating_add(words)) {
            Some(run) => run.iter().any(|&b| b > 0),
            None => true,
        }
    }

    /// The unit that looks for candidates on behalf of `unit`: the first
    /// unit with the same words that is not boilerplate (itself, mostly);
    /// `None` if there is none (a boilerplate unit does not look).
    pub fn probing_unit(&self, unit: u32) -> Option<u32> {
        let probing = self.probing.get_or_init(|| {
            let hashes: Vec<u64> = self.units.iter().map(|u| unit_hash(&self.analysis, u)).collect();
            let boilerplate = &self.boilerplate;
            first_alike(&hashes, |i| !boilerplate[self.units[i].tokens.clone()].iter().all(|&b| b > 0))
        });
        probing.get(unit as usize).copied().flatten()
    }

    /// The sorted shingle set of `unit` (empty past the last unit).
    pub fn unit_set(&self, unit: u32) -> &[u64] {
        match (self.sets.get(unit as usize), self.units.get(unit as usize)) {
            (Some(set), Some(u)) => set.get_or_init(|| sorted_set(unit_slice(&self.shingles, u, self.k))),
            _ => &[],
        }
    }
}

/// A hash of a unit's words (their hashes, in order): two units with the
/// same hash are the same words, so the same shingles, signature and band
/// keys.
fn unit_hash(analysis: &Analysis, unit: &Segment) -> u64 {
    let mut buf = Vec::with_capacity(8 * unit.tokens.len());
    for t in analysis.tokens.get(unit.tokens.clone()).unwrap_or_default() {
        buf.extend_from_slice(&t.hash.to_le_bytes());
    }
    xxh3_64_with_seed(&buf, 0x0e9a_17e5)
}

/// Per unit, the first unit with the same words (see [`unit_hash`]) that
/// `accept` accepts, if any.
fn first_alike(hashes: &[u64], mut accept: impl FnMut(usize) -> bool) -> Vec<Option<u32>> {
    let mut sorted: Vec<(u64, u32)> = hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    sorted.sort_unstable();
    let mut out = vec![None; hashes.len()];
    // Each group of equal hashes is in unit order.
    for group in sorted.chunk_by(|x, y| x.0 == y.0) {
        let first = group.iter().map(|&(_, i)| i).find(|&i| accept(i as usize));
        for &(_, i) in group {
            out[i as usize] = first;
        }
    }
    out
}

/// The slice of a text's shingles (`k` words each) that lies inside `unit`.
fn unit_slice<'s>(shingles: &'s [u64], unit: &Segment, k: usize) -> &'s [u64] {
    let t = &unit.tokens;
    if t.len() < k {
        return &[];
    }
    shingles.get(t.start..t.end + 1 - k).unwrap_or(&[])
}

/// One side of an alignment: an analysis, its shingles and its seed table
/// (built on demand).
struct Side<'p> {
    text: &'p str,
    analysis: &'p Analysis,
    shingles: &'p [u64],
    table: &'p OnceLock<SeedTable>,
    bags: &'p OnceLock<SentenceBags>,
}

impl Detector {
    /// Stage 1: words, sentences and paragraphs of `text`
    /// ([`text::analyze`](crate::text::analyze) with the configured seed).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// assert_eq!(d.analyze("Two words.").tokens.len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn analyze(&self, text: &str) -> Analysis {
        crate::text::analyze(text, self.config.seed)
    }

    /// Stage 1b: the units of an analysed text, per [`Config::unit`]
    /// (sentences, paragraphs or word windows), with at least
    /// [`Config::anchor`] words (a shorter one cannot be a passage on its
    /// own; alignment still covers its words) and at least the shingle size:
    /// exactly the units an [`Index`](crate::Index) fingerprints.
    ///
    /// [`Config::unit`]: crate::Config::unit
    /// [`Config::anchor`]: crate::Config::anchor
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let text = "A first sentence that is long enough to count. Hi, it is short. A second sentence that is long enough to count.";
    /// let units = d.units(&d.analyze(text));
    /// assert_eq!(units.len(), 2);
    /// assert_eq!(&text[units[1].span], "A second sentence that is long enough to count.");
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn units(&self, analysis: &Analysis) -> Vec<Segment> {
        let min = self.config.shingle_size.max(self.config.anchor());
        let long = |s: &&Segment| s.tokens.len() >= min;
        match self.config.unit {
            Unit::Sentence => analysis.sentences.iter().filter(long).cloned().collect(),
            Unit::Paragraph => analysis.paragraphs.iter().filter(long).cloned().collect(),
            Unit::Window { size } => crate::text::windows(analysis, size).into_iter().filter(|w| long(&w)).collect(),
        }
    }

    /// Stage 2a: the shingle hashes of the whole text, in text order
    /// ([`fingerprint::shingles`](crate::fingerprint::shingles) with the
    /// configured shingle size and seed). A unit's shingles are a slice of
    /// them ([`unit_shingles`](Self::unit_shingles)); alignment walks them.
    ///
    /// ```
    /// let d = neardup::Detector::builder().shingle_size(3).build()?;
    /// assert_eq!(d.shingles(&d.analyze("one two three four")).len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn shingles(&self, analysis: &Analysis) -> Vec<u64> {
        shingles(&analysis.tokens, self.config.shingle_size, self.config.seed)
    }

    /// Stage 2b: the shingles of one unit, a slice of the text's
    /// [`shingles`](Self::shingles) (empty for a unit shorter than the
    /// shingle size or outside the text).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let an = d.analyze("Intro words here. The same sentence appears in two texts once again.");
    /// let sh = d.shingles(&an);
    /// let unit = &d.units(&an)[0];
    /// assert_eq!(d.unit_shingles(&sh, unit), neardup::fingerprint::shingles(&an.tokens[unit.tokens.clone()], 3, 0));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn unit_shingles<'s>(&self, shingles: &'s [u64], unit: &Segment) -> &'s [u64] {
        unit_slice(shingles, unit, self.config.shingle_size)
    }

    /// Stage 2c: the MinHash signature of a set of shingles (a unit's).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let (a, b) = (d.analyze("The same sentence in two texts, said again."), d.analyze("THE SAME SENTENCE IN TWO TEXTS — SAID AGAIN!"));
    /// let (sa, sb) = (d.shingles(&a), d.shingles(&b));
    /// let (ua, ub) = (&d.units(&a)[0], &d.units(&b)[0]);
    /// assert_eq!(d.signature(d.unit_shingles(&sa, ua)), d.signature(d.unit_shingles(&sb, ub)));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        self.minhasher.signature(shingles.iter().copied())
    }

    /// Stage 3: the LSH band keys of a signature.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let keys = d.band_keys(&d.signature(&[1, 2, 3]));
    /// assert_eq!(keys.len(), d.lsh().bands);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn band_keys(&self, signature: &Signature) -> Vec<u64> {
        band_keys(signature, self.lsh)
    }

    /// The band keys of one unit: its shingles' signature's band keys, the
    /// one way insertion and queries compute them.
    pub(crate) fn unit_band_keys(&self, shingles: &[u64], unit: &Segment) -> Vec<u64> {
        self.band_keys(&self.signature(self.unit_shingles(shingles, unit)))
    }

    /// Stage 3b: `(key, context)` of every sentence, then of every paragraph
    /// ([`fingerprint::segment_keys`](crate::fingerprint::segment_keys) with
    /// the configured seed). A sentence (paragraph) seen in at least
    /// [`Config::boilerplate_contexts`](crate::Config::boilerplate_contexts)
    /// distinct contexts across a corpus is boilerplate
    /// ([`ContextCounts`](crate::corpus::ContextCounts) counts them).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let keys = d.segment_keys(&d.analyze("One sentence. Another one.\n\nA paragraph."));
    /// assert_eq!(keys.len(), 3 + 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn segment_keys(&self, analysis: &Analysis) -> Vec<SegmentKey> {
        segment_keys(analysis, self.config.seed)
    }

    /// Stage 3c: the run fingerprints of an analysed article, `(hash, first
    /// word)`: the [`winnow`](crate::fingerprint::winnow)ed hashes of its
    /// runs of [`anchor`](crate::Config::anchor) words with windows of
    /// [`winnow_window`](crate::Config::winnow_window) runs, each distinct
    /// hash once (at its first occurrence), in text order. Two articles
    /// that share a run of `min_words` words share one of these hashes.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let run = "the minister met the Latvian delegation in Baku on Thursday to discuss cooperation within NATO";
    /// let a = d.anchors(&d.analyze(&format!("One story begins. {run}.")));
    /// let b = d.anchors(&d.analyze(&format!("{run}, another said.")));
    /// assert!(a.iter().any(|x| b.iter().any(|y| x.0 == y.0)));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn anchors(&self, analysis: &Analysis) -> Vec<(u64, u32)> {
        let c = &self.config;
        let mut all = winnow(&analysis.tokens, c.anchor(), c.winnow_window(), c.seed);
        let mut seen: Vec<(u64, u32)> = all.clone();
        seen.sort_unstable();
        seen.dedup_by_key(|x| x.0);
        // Keep each hash's first position, in text order.
        all.retain(|x| seen.binary_search(x).is_ok());
        all
    }

    /// Stages 1b to 3c at once: everything an index enters for an analysed
    /// article (see [`ArticleKeys`]). Band keys only with
    /// [`similar_units`](crate::Config::similar_units).
    ///
    /// ```
    /// let d = neardup::Detector::builder().similar_units(true).build()?;
    /// let s = "The same sentence, long enough to be a unit, twice.";
    /// let keys = d.article_keys(&d.analyze(&format!("{s} {s}")));
    /// assert_eq!((keys.units, keys.entry_units.len()), (2, 1));
    /// // Its winnowed runs of 8 words: each distinct one once.
    /// let mut hashes: Vec<u64> = keys.anchors.iter().map(|a| a.0).collect();
    /// hashes.sort_unstable();
    /// hashes.dedup();
    /// assert!(!hashes.is_empty() && hashes.len() == keys.anchors.len());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn article_keys(&self, analysis: &Analysis) -> ArticleKeys {
        let units = self.units(analysis);
        let mut entry_units = Vec::new();
        let mut keys = Vec::new();
        if self.config.similar_units {
            let shingles = self.shingles(analysis);
            let hashes: Vec<u64> = units.iter().map(|u| unit_hash(analysis, u)).collect();
            let first = first_alike(&hashes, |_| true);
            for (i, unit) in units.iter().enumerate() {
                if first[i] == Some(i as u32) {
                    entry_units.push(i as u32);
                    keys.extend(self.unit_band_keys(&shingles, unit));
                }
            }
        }
        let anchors = self.anchors(analysis);
        let segment_keys = self.segment_keys(analysis);
        let duplicate_key = duplicate_key(&segment_keys, units.len());
        ArticleKeys {
            units: units.len() as u32,
            entry_units,
            band_keys: keys,
            segment_keys,
            anchors,
            duplicate_key,
            bag_sentences: Vec::new(),
            bag_keys: Vec::new(),
        }
    }

    /// Stage 3d: the sentences of `text` (`analysis` is its analysis) that
    /// take entries in the rewritten-candidate tables of an index, with
    /// their sets of content stems
    /// ([`fingerprint::sentence_stem_sets`](crate::fingerprint::sentence_stem_sets)
    /// with [`stem_chars`](crate::Config::stem_chars) and the seed): each
    /// sentence of at least [`BAG_MIN_STEMS`](crate::fingerprint::BAG_MIN_STEMS)
    /// distinct stems of words of at least
    /// [`BAG_MIN_CHARS`](crate::fingerprint::BAG_MIN_CHARS) characters whose
    /// set no earlier sentence has.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let text = "Short one. The order of these five words changed. Changed: these five words, order!";
    /// let bags = d.sentence_bags(text, &d.analyze(text));
    /// assert_eq!(bags.iter().map(|b| b.0).collect::<Vec<_>>(), [1]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn sentence_bags(&self, text: &str, analysis: &Analysis) -> Vec<(u32, Vec<u64>)> {
        sentence_stem_sets(text, analysis, self.config.stem_chars, self.config.seed)
    }

    /// Stage 3e: the keys of a sentence's stem set in the
    /// rewritten-candidate tables: its MinHash signature of
    /// [`BAG_LSH`]` bands × rows` values, banded ([`lsh::band_keys`](crate::lsh::band_keys)).
    /// Two sentences whose stem sets have Jaccard similarity `J` share a
    /// key with probability [`BAG_LSH`]`.probability(J)`, whatever the
    /// order of their words.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let (a, b) = ("the order of these words changed here", "here these words changed the order of");
    /// let key = |t: &str| d.bag_keys(&d.sentence_bags(t, &d.analyze(t))[0].1);
    /// assert_eq!(key(a), key(b));
    /// assert_eq!(key(a).len(), neardup::lsh::BAG_LSH.bands);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn bag_keys(&self, stems: &[u64]) -> Vec<u64> {
        band_keys(&self.bag_hasher.signature_of(stems), BAG_LSH)
    }

    /// `(sentences, keys)` of the rewritten-candidate entries of a text
    /// (see [`ArticleKeys::bag_sentences`]); empty unless
    /// [`rewritten`](crate::Config::rewritten).
    pub(crate) fn sentence_bag_keys(&self, text: &str, analysis: &Analysis) -> (Vec<u32>, Vec<u64>) {
        let (mut sentences, mut keys) = (Vec::new(), Vec::new());
        if self.config.bag_candidates() {
            for (s, set) in self.sentence_bags(text, analysis) {
                sentences.push(s);
                keys.extend(self.bag_keys(&set));
            }
        }
        (sentences, keys)
    }

    /// [`sentence_bag_keys`](Self::sentence_bag_keys) with, when there are
    /// entries, the [`Folded::new`] stems of those sentences: the
    /// words' stems computed once for both (what an index enters).
    pub(crate) fn sentence_bag_keys_folded(
        &self,
        text: &str,
        analysis: &Analysis,
    ) -> (Vec<u32>, Vec<u64>, Option<FoldedArticle>) {
        let (mut sentences, mut keys) = (Vec::new(), Vec::new());
        if !self.config.bag_candidates() {
            return (sentences, keys, None);
        }
        let (sets, folded) = sentence_stem_sets_folded(text, analysis, self.config.stem_chars, self.config.seed);
        for (s, set) in sets {
            sentences.push(s);
            keys.extend(self.bag_keys(&set));
        }
        let folded = (!sentences.is_empty()).then_some(folded);
        (sentences, keys, folded)
    }

    /// The folded stems of `text` ([`Folded`]; `analysis` is its
    /// analysis) with those of its sentences `wanted` (in increasing
    /// order): what an index keeps of each article in its
    /// rewritten-candidate tables to judge a [`Cue::Bags`] before
    /// preparing the stored article ([`bag_cue_estimate`]).
    #[cfg(test)]
    pub(crate) fn folded(&self, text: &str, analysis: &Analysis, wanted: &[u32]) -> (Folded, Vec<Vec<FoldedStem>>) {
        Folded::new(text, analysis, self.config.stem_chars, self.config.seed, wanted)
    }

    /// The [`Folded`] stems of a prepared article, built on first use
    /// from its [`SentenceBags`] (the same values as [`Folded::new`]).
    pub(crate) fn folded_of<'p>(&self, text: &str, p: &'p Prepared) -> &'p Folded {
        p.folded.get_or_init(|| {
            let bags = self.sentence_bags_of(text, p);
            Folded::from_counts(p.analysis.sentences.len(), bags.vocabulary().iter().copied())
        })
    }

    /// The folded stems of sentence `s` of a prepared article (the same
    /// values as [`Folded::new`]'s), computed once per sentence (a
    /// sentence meets many in its cues): none past its last sentence.
    pub(crate) fn folded_sentence<'p>(&self, text: &str, p: &'p Prepared, s: u32) -> &'p [FoldedStem] {
        let bags = self.sentence_bags_of(text, p);
        let cells = p.folded_sentences.get_or_init(|| (0..bags.sentences()).map(|_| OnceLock::new()).collect());
        let Some(cell) = cells.get(s as usize) else { return &[] };
        cell.get_or_init(|| {
            self.folded_of(text, p).sentence(bags.sentence_stems(s as usize).map(|(stem, c, _)| (stem, c)))
        })
    }

    /// Everything an index enters for an article: its
    /// [`article_keys`](Self::article_keys) and, with
    /// [`rewritten`](crate::Config::rewritten), the keys of its sentences
    /// in the rewritten-candidate tables
    /// ([`ArticleKeys::bag_sentences`], [`ArticleKeys::bag_keys`]), which
    /// need the text itself (its words' stems). What an
    /// [`Index`](crate::Index) enters; `analysis` is `text`'s analysis.
    ///
    /// ```
    /// let d = neardup::Detector::builder().rewritten(true).rewritten_candidates(true).build()?;
    /// let text = "A first sentence with enough long words. A second sentence with enough long words too.";
    /// let an = d.analyze(text);
    /// let keys = d.text_keys(text, &an);
    /// assert_eq!(keys.bag_sentences, [0, 1]);
    /// assert_eq!(keys.anchors, d.article_keys(&an).anchors);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn text_keys(&self, text: &str, analysis: &Analysis) -> ArticleKeys {
        let mut keys = self.article_keys(analysis);
        (keys.bag_sentences, keys.bag_keys) = self.sentence_bag_keys(text, analysis);
        keys
    }

    /// [`text_keys`](Self::text_keys) with, when the article has
    /// rewritten-candidate entries, the [`Folded::new`] stems of
    /// their sentences ([`sentence_bag_keys_folded`](Self::sentence_bag_keys_folded)).
    pub(crate) fn text_keys_folded(&self, text: &str, analysis: &Analysis) -> (ArticleKeys, Option<FoldedArticle>) {
        let mut keys = self.article_keys(analysis);
        let folded;
        (keys.bag_sentences, keys.bag_keys, folded) = self.sentence_bag_keys_folded(text, analysis);
        (keys, folded)
    }

    /// Prepares an analysed article for [`verify`](Self::verify).
    /// `boilerplate` says whether a segment key (sentence or paragraph)
    /// is boilerplate in the corpus, with the number of articles holding it
    /// (`Some(articles)`; see [`segment_keys`](Self::segment_keys) and
    /// [`ContextCounts::boilerplate`](crate::corpus::ContextCounts::boilerplate);
    /// it is not called when boilerplate detection is off). `keys` are the
    /// article's segment keys if the caller has them; `None` (or keys of
    /// another text) computes them.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let p = d.prepare(d.analyze("A sentence long enough to be a unit of its own."), None, |_| None);
    /// assert_eq!(p.units().len(), 1);
    /// assert_eq!(p.probing_unit(0), Some(0));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn prepare(
        &self,
        analysis: Analysis,
        keys: Option<&[SegmentKey]>,
        boilerplate: impl Fn(u64) -> Option<u32>,
    ) -> Prepared {
        let shingles = self.shingles(&analysis);
        let units = self.units(&analysis);
        let is_boilerplate = boilerplate;
        let mut boilerplate = vec![0u32; analysis.tokens.len()];
        if self.config.boilerplate_contexts > 0 {
            let count = analysis.sentences.len() + analysis.paragraphs.len();
            let computed;
            let keys = match keys.filter(|k| k.len() == count) {
                Some(k) => k,
                None => {
                    computed = self.segment_keys(&analysis);
                    &computed[..]
                }
            };
            for (s, &(key, _)) in analysis.sentences.iter().chain(&analysis.paragraphs).zip(keys) {
                if let Some(n) = is_boilerplate(key) {
                    boilerplate[s.tokens.clone()].iter_mut().for_each(|b| *b = (*b).max(n.max(1)));
                }
            }
        }
        let sets = units.iter().map(|_| OnceLock::new()).collect();
        Prepared {
            analysis,
            shingles,
            units,
            boilerplate,
            probing: OnceLock::new(),
            sets,
            k: self.config.shingle_size,
            table: OnceLock::new(),
            bags: OnceLock::new(),
            folded: OnceLock::new(),
            folded_sentences: OnceLock::new(),
        }
    }

    /// Verifies a candidate pair and aligns it: `a` is the article whose
    /// keys probed (the query, or the smaller id of a pair), `b` the
    /// candidate; `cues` are why the pair is a candidate. The pair passes
    /// if one cue holds:
    ///
    /// * a [`Cue::Anchor`] whose run touches no boilerplate on either side
    ///   (the two articles share that run of
    ///   [`anchor`](crate::Config::anchor) words: an exact match);
    /// * a [`Cue::Units`] pair of units, with `a`'s unit replaced by its
    ///   [`probing_unit`](Prepared::probing_unit), whose exact similarity
    ///   (Jaccard or containment) is at least the threshold;
    /// * a [`Cue::Bags`] pair of sentences, neither of them all
    ///   boilerplate, that would seed a rewritten passage (the seed test
    ///   of rewritten passages on the pair's weights: Dice coefficient of
    ///   their stems and tf-isf cosine above 0.33, no different figures),
    ///   when such cues hold two sentences on one side or one of cosine at
    ///   least 0.5.
    ///
    /// Then the articles are aligned ([`compare`](Self::compare)'s report)
    /// and passages with fewer than [`anchor`](crate::Config::anchor) words outside boilerplate
    /// on either side move out of it (into [`Report::boilerplate`] if
    /// [`report_boilerplate`](crate::Config::report_boilerplate) is set).
    /// `Some((candidate similarity, report))` if a passage remains: the
    /// best unit similarity, or 1 when an anchor (an exact run) let the
    /// pair pass, or else the best Jaccard similarity of the stem sets of a
    /// bag cue that passed.
    ///
    /// ```
    /// use neardup::Cue;
    ///
    /// let d = neardup::Detector::builder().build()?;
    /// let (a, b) = ("Intro. The minister met the Latvian delegation in Baku on Thursday to discuss cooperation within NATO.",
    ///               "The minister met the Latvian delegation in Baku on Thursday to discuss cooperation within NATO. Outro.");
    /// let pa = d.prepare(d.analyze(a), None, |_| None);
    /// let pb = d.prepare(d.analyze(b), None, |_| None);
    /// let (similarity, report) = d.verify(a, &pa, b, &pb, [Cue::Units { a: 0, b: 0 }]).unwrap();
    /// assert_eq!(similarity, 1.0);
    /// assert_eq!(report, d.compare(a, b));
    /// // The run "the minister met ..." starts at word 1 of `a`, word 0 of `b`.
    /// assert!(d.verify(a, &pa, b, &pb, [Cue::Anchor { a: 1, b: 0 }]).is_some());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn verify(
        &self,
        a: &str,
        pa: &Prepared,
        b: &str,
        pb: &Prepared,
        cues: impl IntoIterator<Item = Cue>,
    ) -> Option<(f64, Report)> {
        let mut best = 0.0f64;
        // The best stem-set Jaccard similarity of a passing bag cue.
        let mut bags = 0.0f64;
        // The sentences of passing bag cues on each side, and their best
        // cosine.
        let (mut seeds_a, mut seeds_b, mut cosine) = (Vec::new(), Vec::new(), 0.0f64);
        let mut bag_cues: Vec<(u32, u32)> = Vec::new();
        let anchor = self.config.anchor();
        for cue in cues {
            match cue {
                Cue::Units { a: ua, b: ub } => {
                    let Some(q) = pa.probing_unit(ua) else { continue };
                    if (ub as usize) < pb.units.len() {
                        best = best.max(sorted_similarity(pa.unit_set(q), pb.unit_set(ub)).max());
                    }
                }
                Cue::Anchor { a: ra, b: rb } => {
                    if !pa.run_is_boilerplate(ra, anchor) && !pb.run_is_boilerplate(rb, anchor) {
                        best = 1.0;
                    }
                }
                Cue::Bags { a: sa, b: sb } => bag_cues.push((sa, sb)),
            }
            if best >= 1.0 {
                break;
            }
        }
        // Once another cue let the pair pass, a bag cue decides nothing.
        // Otherwise the bag cues are estimated on folded stems first (as an
        // index does before preparing the stored article), then tested.
        if best < self.config.threshold && !bag_cues.is_empty() {
            let (fa, fb) = (self.folded_of(a, pa), self.folded_of(b, pb));
            let mut xs: Option<(u32, &[FoldedStem])> = None;
            let mut estimated: Vec<(u32, u32, f64)> = Vec::new();
            bag_cues.sort_unstable();
            for &(sa, sb) in &bag_cues {
                if xs.as_ref().is_none_or(|x| x.0 != sa) {
                    xs = Some((sa, self.folded_sentence(a, pa, sa)));
                }
                let ys = self.folded_sentence(b, pb, sb);
                let x = xs.map_or(&[][..], |x| x.1);
                if let Some(c) = bag_cue_estimate(FoldedSentence::of(fa, x), FoldedSentence::of(fb, ys)) {
                    estimated.push((sa, sb, c));
                }
            }
            if bag_cues_estimate_pass(&mut estimated) {
                estimated.sort_unstable_by_key(|c| (c.0, c.1));
                for &(sa, sb, _) in &estimated {
                    if let Some((j, c)) = self.bag_cue(a, pa, sa, b, pb, sb) {
                        bags = bags.max(j);
                        cosine = cosine.max(c);
                        seeds_a.push(sa);
                        seeds_b.push(sb);
                    }
                }
            }
        }
        if best < self.config.threshold {
            let two = |s: &mut Vec<u32>| {
                s.sort_unstable();
                s.dedup();
                s.len() >= 2
            };
            if bags == 0.0 || !(two(&mut seeds_a) || two(&mut seeds_b) || cosine >= LONE_SEED_COSINE) {
                return None;
            }
            best = bags;
        }
        let full = self.ordered_report(
            Side { text: a, analysis: &pa.analysis, shingles: &pa.shingles, table: &pa.table, bags: &pa.bags },
            Side { text: b, analysis: &pb.analysis, shingles: &pb.shingles, table: &pb.table, bags: &pb.bags },
        );
        let report = self.split_boilerplate(full, &pa.boilerplate, &pb.boilerplate);
        if report.passages.is_empty() {
            return None;
        }
        Some((best, report))
    }

    /// Whether a [`Cue::Bags`] pair of sentences passes: neither is
    /// boilerplate (all its words) and the two would seed a rewritten
    /// passage ([`score::rewritten`](crate::score::rewritten)'s seed test
    /// on the pair's own weights: Dice coefficient of their stems and
    /// tf-isf cosine both above [`SEED_SIMILARITY`], and not two sentences
    /// holding different figures); then `Some((Jaccard similarity of their
    /// stem sets, cosine))`. The sentences' bags are the ones alignment uses
    /// (built once per prepared article).
    fn bag_cue(&self, a: &str, pa: &Prepared, sa: u32, b: &str, pb: &Prepared, sb: u32) -> Option<(f64, f64)> {
        let free = |p: &Prepared, s: u32| {
            let s = p.analysis.sentences.get(s as usize)?;
            let mask = p.boilerplate.get(s.tokens.clone())?;
            (!s.tokens.is_empty() && mask.contains(&0)).then_some(())
        };
        free(pa, sa)?;
        free(pb, sb)?;
        // Before an article's bags are built, the two sentences' own stems
        // decide the Dice test (most cues fail it), so that an article
        // whose cues all fail it is never bagged.
        if pa.bags.get().is_none() || pb.bags.get().is_none() {
            let set = |text: &str, p: &Prepared, s: u32| {
                let s = &p.analysis.sentences[s as usize];
                stem_set(text, &p.analysis, s.tokens.clone(), self.config.stem_chars, self.config.seed)
            };
            let (common, nx, ny) = overlap(&set(a, pa, sa), &set(b, pb, sb));
            if common < 2 || 2.0 * common as f64 / (nx + ny).max(1) as f64 <= SEED_SIMILARITY {
                return None;
            }
        }
        let (xa, xb) = (self.sentence_bags_of(a, pa), self.sentence_bags_of(b, pb));
        let (sa, sb) = (sa as usize, sb as usize);
        // Distinct stems shared, first: most cues stop at the Dice test.
        let (x, y) = (xa.sentence_stems(sa), xb.sentence_stems(sb));
        let (common, nx, ny) = overlap_by(x, y, |e| e.0);
        if common < 2 || 2.0 * common as f64 / (nx + ny) as f64 <= SEED_SIMILARITY {
            return None;
        }
        if different_figures(xa.figures_of(sa), xb.figures_of(sb)) {
            return None;
        }
        // tf × ln(1 + N / sf), sf counted in both texts, as the seeds
        // (from the per-thread cache of weights when N fits it).
        let n = (xa.sentences() + xb.sentences()) as f64;
        let total = u32::try_from(xa.sentences() + xb.sentences()).ok();
        WEIGHTS
            .with_borrow_mut(|cache| {
                let mut weight = |sf: u32| match total {
                    Some(total) => cached_weight(cache, total, sf.max(1)),
                    None => stem_weight(n, sf.max(1)),
                };
                Self::bag_cosine(xa, sa, xb, sb, &mut weight)
            })
            .map(|cosine| (common as f64 / (nx + ny - common) as f64, cosine))
    }

    /// The tf-isf cosine of sentence `sa` of `xa` and `sb` of `xb` if above
    /// [`SEED_SIMILARITY`] ([`bag_cue`](Self::bag_cue)), `weight(sf)` the
    /// weight of a stem of sentence frequency `sf` in the two texts.
    fn bag_cosine(
        xa: &SentenceBags,
        sa: usize,
        xb: &SentenceBags,
        sb: usize,
        weight: &mut impl FnMut(u32) -> f64,
    ) -> Option<f64> {
        let (mut dot, mut norm_x, mut norm_y) = (0.0f64, 0.0f64, 0.0f64);
        let mut y = xb.sentence_stems(sb).peekable();
        for (stem, c, f) in xa.sentence_stems(sa) {
            let w = f64::from(c) * weight(f + xb.frequency(stem));
            norm_x += w * w;
            while y.next_if(|e| e.0 < stem).is_some() {}
            if let Some((_, d, g)) = y.next_if(|e| e.0 == stem) {
                // The same stem has the same sentence frequency on both
                // sides: f + g.
                dot += w * f64::from(d) * weight(f + g);
            }
        }
        for (stem, d, g) in xb.sentence_stems(sb) {
            let w = f64::from(d) * weight(g + xa.frequency(stem));
            norm_y += w * w;
        }
        let cosine = dot / (norm_x.sqrt() * norm_y.sqrt());
        (cosine > SEED_SIMILARITY).then_some(cosine)
    }

    /// The [`SentenceBags`] of a prepared article, built on first use.
    fn sentence_bags_of<'p>(&self, text: &str, p: &'p Prepared) -> &'p SentenceBags {
        p.bags.get_or_init(|| SentenceBags::new(text, &p.analysis, self.config.stem_chars, self.config.seed))
    }

    /// Moves passages with fewer than [`anchor`](crate::Config::anchor)
    /// words (the shortest reported passage) outside boilerplate on either
    /// side out of the reuse report. Judging both sides makes the
    /// decision the same whichever article is the query.
    fn split_boilerplate(&self, report: Report, a_boiler: &[u32], b_boiler: &[u32]) -> Report {
        let min = self.config.anchor();
        let enough = |mask: &[u32], t: &std::ops::Range<usize>| {
            mask.get(t.clone()).is_none_or(|m| m.iter().filter(|&&b| b == 0).count() >= min)
        };
        let articles = |mask: &[u32], t: &std::ops::Range<usize>| {
            mask.get(t.clone()).and_then(|m| m.iter().copied().max()).unwrap_or(0)
        };
        let (keep, mut boilerplate): (Vec<Passage>, Vec<Passage>) =
            report.passages.into_iter().partition(|p| enough(a_boiler, &p.a_tokens) && enough(b_boiler, &p.b_tokens));
        for p in &mut boilerplate {
            p.boilerplate_articles = articles(a_boiler, &p.a_tokens).max(articles(b_boiler, &p.b_tokens));
        }
        let boilerplate = if self.config.report_boilerplate { boilerplate } else { Vec::new() };
        Report::new(keep, boilerplate, report.a_words, report.b_words)
    }

    /// The report of two sides: aligned from the shorter text (then the
    /// lexicographically smaller one) to the other, so that it does not
    /// depend on which side is `a`.
    fn ordered_report(&self, a: Side<'_>, b: Side<'_>) -> Report {
        if (b.text.len(), b.text) < (a.text.len(), a.text) {
            return self.side_report(b, a).swapped();
        }
        self.side_report(a, b)
    }

    fn side_report(&self, a: Side<'_>, b: Side<'_>) -> Report {
        let opts = self.align_options();
        let need = opts.min_words.max(opts.shingle_size).max(1);
        let (na, nb) = (a.analysis.tokens.len(), b.analysis.tokens.len());
        let passages = if na < need || nb < need {
            Vec::new()
        } else {
            let table = b.table.get_or_init(|| SeedTable::new(b.shingles));
            let exact = align_shingles(a.analysis, b.analysis, a.shingles, b.shingles, table, &opts);
            if !self.config.rewritten {
                exact
            } else {
                let (chars, seed) = (self.config.stem_chars, self.config.seed);
                fn bags<'s>(s: &Side<'s>, chars: usize, seed: u64) -> &'s SentenceBags {
                    s.bags.get_or_init(|| SentenceBags::new(s.text, s.analysis, chars, seed))
                }
                let ropts = RewriteOptions {
                    find: self.config.rewritten,
                    min_words: self.config.min_words,
                    shingle_size: self.config.shingle_size,
                };
                rewritten(
                    a.analysis,
                    bags(&a, chars, seed),
                    b.analysis,
                    bags(&b, chars, seed),
                    a.shingles,
                    b.shingles,
                    exact,
                    &ropts,
                )
            }
        };
        Report::new(passages, Vec::new(), na, nb)
    }

    /// [`compare`](Self::compare) of two analysed texts (the same report):
    /// the path every comparison takes.
    pub(crate) fn compare_analyzed(&self, a: &str, an_a: &Analysis, b: &str, an_b: &Analysis) -> Report {
        let (sa, sb) = (self.shingles(an_a), self.shingles(an_b));
        let (ta, tb) = (OnceLock::new(), OnceLock::new());
        let (bags_a, bags_b) = (OnceLock::new(), OnceLock::new());
        self.ordered_report(
            Side { text: a, analysis: an_a, shingles: &sa, table: &ta, bags: &bags_a },
            Side { text: b, analysis: an_b, shingles: &sb, table: &tb, bags: &bags_b },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_alike_takes_the_first_accepted_of_each_group() {
        let got = first_alike(&[7, 3, 7, 7, 3], |i| i != 0);
        assert_eq!(got, [Some(2), Some(1), Some(2), Some(2), Some(1)]);
        assert_eq!(first_alike(&[1, 1], |_| false), [None, None]);
    }

    #[test]
    fn unit_slices_are_the_units_own_shingles() {
        let d = Detector::builder().shingle_size(3).min_words(3).unit(Unit::Window { size: 5 }).build().unwrap();
        let an = d.analyze("one two three four five six seven eight nine ten eleven");
        let sh = d.shingles(&an);
        for u in d.units(&an) {
            let own = shingles(&an.tokens[u.tokens.clone()], 3, 0);
            assert_eq!(d.unit_shingles(&sh, &u), &own[..]);
        }
    }

    #[test]
    fn folded_stems_from_the_text_and_from_the_bags_agree_and_estimate_cues() {
        let d = Detector::builder().rewritten(true).rewritten_candidates(true).build().unwrap();
        let a = "The minister met the Latvian delegation in Baku on Thursday. Nothing else happened that week at all.";
        let b =
            "On Thursday, in Baku, the Latvian delegation met with the minister. Markets closed higher today again.";
        let (pa, pb) = (d.prepare(d.analyze(a), None, |_| None), d.prepare(d.analyze(b), None, |_| None));
        let (fa, fb) = (d.folded_of(a, &pa), d.folded_of(b, &pb));
        let (direct, stems) = d.folded(a, pa.analysis(), &[0, 1]);
        assert_eq!((fa.sentences, &fa.vocab), (direct.sentences, &direct.vocab));
        assert!((0..2).all(|i| d.folded_sentence(a, &pa, i) == stems[i as usize]));
        // The reordered sentences pass the estimate, unrelated ones not.
        let side = |f, p, t, s| (f, d.folded_sentence(t, p, s));
        let ((fa0, xa0), (fb0, xb0)) = (side(fa, &pa, a, 0), side(fb, &pb, b, 0));
        let cosine = bag_cue_estimate(FoldedSentence::of(fa0, xa0), FoldedSentence::of(fb0, xb0)).unwrap();
        assert!(cosine > 0.9, "{cosine}");
        let ((fa1, xa1), (fb1, xb1)) = (side(fa, &pa, a, 1), side(fb, &pb, b, 1));
        assert_eq!(bag_cue_estimate(FoldedSentence::of(fa1, xa1), FoldedSentence::of(fb1, xb1)), None);
        // Cached, and nothing past the last sentence.
        assert!(std::ptr::eq(d.folded_sentence(a, &pa, 1), xa1) && d.folded_sentence(a, &pa, 9).is_empty());
        assert!(bag_cues_estimate_pass(&mut [(0, 0, cosine)]));
        assert!(!bag_cues_estimate_pass(&mut [(0, 0, 0.4), (0, 0, 0.3)]));
        assert!(bag_cues_estimate_pass(&mut [(0, 0, 0.4), (1, 0, 0.3)]));
        assert!(bag_cues_estimate_pass(&mut [(0, 0, 0.4), (0, 1, 0.3)]));
    }

    /// The estimate as first written: a binary search per fold not shared,
    /// a logarithm per weight.
    fn bag_cue_estimate_plain(x: FoldedSentence<'_>, y: FoldedSentence<'_>) -> Option<f64> {
        let (common, nx, ny) = overlap_by(x.stems.iter(), y.stems.iter(), |e| e.0);
        if common < 2 || 2.0 * common as f64 / (nx + ny) as f64 <= SEED_SIMILARITY {
            return None;
        }
        let n = f64::from(x.sentences + y.sentences);
        let weight = |f: u8, g: u16| stem_weight(n, (u32::from(f) + u32::from(g)).max(1));
        let (mut dot, mut norm_x, mut norm_y) = (0.0f64, 0.0f64, 0.0f64);
        let mut ys = y.stems.iter().peekable();
        for &(fold, c, f) in x.stems {
            while let Some(&(other, d, g)) = ys.next_if(|e| e.0 < fold) {
                norm_y += (f64::from(d) * weight(g, Folded::frequency(x.vocab, other))).powi(2);
            }
            if let Some(&(_, d, g)) = ys.next_if(|e| e.0 == fold) {
                let w = weight(f, u16::from(g));
                dot += f64::from(c) * f64::from(d) * w * w;
                norm_x += (f64::from(c) * w).powi(2);
                norm_y += (f64::from(d) * w).powi(2);
            } else {
                norm_x += (f64::from(c) * weight(f, Folded::frequency(y.vocab, fold))).powi(2);
            }
        }
        for &(fold, d, g) in ys {
            norm_y += (f64::from(d) * weight(g, Folded::frequency(x.vocab, fold))).powi(2);
        }
        let cosine = dot / (norm_x.sqrt() * norm_y.sqrt());
        (cosine > SEED_SIMILARITY - ESTIMATE_MARGIN).then_some(cosine)
    }

    #[test]
    fn estimates_are_bit_identical_to_the_plain_computation() {
        // Many sentence frequencies (keys colliding in the per-thread cache
        // of weights) and counts past 255, folds shared and not, on both
        // sides.
        let mut state = 11u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        fn vocab(n: usize, next: &mut impl FnMut() -> u64) -> Vec<(u16, u16)> {
            let mut v: Vec<(u16, u16)> = (0..n).map(|_| ((next() % 300) as u16, 1 + (next() % 400) as u16)).collect();
            v.sort_unstable_by_key(|e| e.0);
            v.dedup_by_key(|e| e.0);
            v
        }
        fn sentence(v: &[(u16, u16)], next: &mut impl FnMut() -> u64) -> Vec<FoldedStem> {
            let mut s: Vec<FoldedStem> = (0..8)
                .map(|_| {
                    let (f, n) = v[(next() % v.len() as u64) as usize];
                    (f, 1 + (next() % 3) as u8, n.min(255) as u8)
                })
                .collect();
            s.sort_unstable();
            s.dedup_by_key(|e| e.0);
            s
        }
        let mut compared = 0;
        for _ in 0..2000 {
            let (vx, vy) = (vocab(200, &mut next), vocab(200, &mut next));
            let sx = sentence(&vx, &mut next);
            // Most of `sx` (other counts and frequencies), and a few more.
            let keep = sx.len() - (next() % 3) as usize % sx.len();
            let mut sy: Vec<FoldedStem> = sx[..keep].iter().map(|e| (e.0, 1 + (next() % 2) as u8, e.2 / 2)).collect();
            let more = (next() % 4) as usize;
            sy.extend(sentence(&vy, &mut next).into_iter().take(more));
            sy.sort_unstable();
            sy.dedup_by_key(|e| e.0);
            let x = FoldedSentence { sentences: 300, vocab: &vx, stems: &sx };
            let y = FoldedSentence { sentences: 1 + (next() % 500) as u32, vocab: &vy, stems: &sy };
            assert_eq!(shared_folds(&sx, &sy), overlap_by(sx.iter(), sy.iter(), |e| e.0).0);
            let (a, b) = ([(1, 1, 1), (1, 2, 1), (2, 1, 1)], [(1, 1, 1), (1, 1, 2), (1, 1, 3), (3, 1, 1)]);
            assert_eq!(shared_folds(&a, &b), overlap_by(a.iter(), b.iter(), |e| e.0).0);
            let plain = bag_cue_estimate_plain(x, y);
            assert_eq!(bag_cue_estimate(x, y).map(f64::to_bits), plain.map(f64::to_bits));
            let table = crate::fingerprint::with_frequencies(&vx, |t| {
                bag_cue_estimate_with(x, y, |f| t[usize::from(f)]).map(f64::to_bits)
            });
            assert_eq!(table, plain.map(f64::to_bits));
            compared += usize::from(plain.is_some());
        }
        assert!(compared > 50, "{compared}");
    }
}
