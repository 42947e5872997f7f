//! Stage 4, scorer: verify candidates on real shingle sets and align them
//! into reused passages.
//!
//! [`similarity`] computes the exact Jaccard similarity and containment (both
//! directions) of two shingle sets: the verification of a candidate pair
//! that LSH proposed.
//!
//! [`align`] finds every passage two analysed texts share, at word level,
//! in four steps (seed → extend → merge → second copies, as the passage
//! aligners passim, TextPAIR and WCopyfind do for the first three):
//!
//! 1. **Seed and extend.** Walking the first text's `k`-word shingles in
//!    order, each shingle is looked up in a sorted table of the second
//!    text's shingles; occurrences (at most [`MAX_SEED_OCCURRENCES`]) are
//!    extended forward while the shingles agree, and the longest extension
//!    becomes a *run* (an exact shared word sequence). Among equally long
//!    ones, the occurrence that continues the previous run's order wins
//!    (they are tried from the first one past the previous run's end), so
//!    two copies on each side align copy to copy; a short run (fewer than
//!    `anchor_words` words) out of order is skipped, so that a stray
//!    repeat of a few words cannot steal the start of the in-order run a
//!    word later. The walk resumes after the run, so the cost is linear in
//!    the text length times the occurrence cap, even for one word repeated
//!    a million times.
//! 2. **Merge.** Runs that follow each other in the same order in both texts
//!    with at most `max_gap` unmatched words between them on each side are
//!    merged into one draft: a changed, inserted or deleted word is
//!    bridged, across sentence and paragraph boundaries alike. Then drafts
//!    in order are joined across a longer gap when the stretches on both
//!    sides of it are long: up to twice the words matched on the shorter
//!    side, at most 20 words on each side (an inserted or deleted sentence,
//!    a rewritten clause), and never when the gap holds a whole paragraph
//!    on either side: a paragraph only one text has ends the passage, so
//!    no passage claims text the other side does not have.
//! 3. **Anchor, edges and filter.** A draft is a passage only if it holds
//!    an exact shared run of at least `anchor_words` words (its anchor):
//!    template words shared around changed figures (`Shr loss 34 cts vs
//!    loss 2.14 dlrs` / `Shr loss 66 cts vs loss 86 cts`) make short runs
//!    with short gaps, never an anchor. Shingles do not see sentence
//!    boundaries, so a
//!    run goes on into the next sentence by the words that the two next
//!    sentences happen to start with alike (`after the floods. The
//!    opposition …` / `after the floods. The weather …` share `the floods
//!    the`). A passage that has at most `max(k - 1, min(max_gap, 3))` words
//!    of its last sentence, having started before it, is trimmed back to
//!    that sentence's start on both sides, and one that starts with at most
//!    that many words of a sentence and runs on past it is trimmed forward
//!    to the next one, unless the sentence is alike on both sides (more
//!    than half its words shared) and the edge may grow to it anyway.
//!    Then a passage that starts (ends) at most `min(max_gap, 3)` words
//!    from the start (end) of its sentence on both sides is grown to the
//!    sentence boundary on both sides (a changed subject such as "He noted"
//!    / "Bergmanis noted"); a side whose passage begins or ends with a
//!    whole sentence gets that sentence's punctuation (opening quote, full
//!    stop, closing quote). Passages sharing fewer than `min_words` words
//!    (a byline, a stock phrase) are dropped.
//! 4. **Second copies.** The first pass reports every copy on the walked
//!    side (each finds its partner), but a passage the second text holds
//!    twice is aligned only once. So the shingles of the second text that
//!    lie outside every passage and repeat a shingle inside one are walked
//!    in turn against a seed table of the first text, and their passages
//!    (steps 2 and 3, never overlapping a passage of the first pass on the
//!    second text) are added: each copy is reported. When the second text
//!    repeats nothing a passage holds, this step costs a scan of its
//!    repeated shingles.

use std::ops::Range;

use crate::span::Span;

mod align;
mod rewritten;
mod substance;
mod verify;

pub use align::{AlignOptions, MAX_SEED_OCCURRENCES, SeedTable, align, align_shingles};
pub use rewritten::{RewriteOptions, SentenceBags, rewritten};
pub(crate) use rewritten::{SEED_SIMILARITY, different_figures, stem_weight};
pub use verify::{Similarity, similarity, sorted_set, sorted_similarity};

/// How a passage was reused: what a caller filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum PassageKind {
    /// The same words in the same order on both sides (after
    /// normalisation): every word of both spans is matched word for word.
    Exact,
    /// Mostly the same words in the same order, with changed, inserted or
    /// deleted words bridged (at most `max_gap` at a time).
    Edited,
    /// Sentences that correspond one to one or few to few, whose words were
    /// reordered, substituted or paraphrased: found by the weighted
    /// bag-of-words similarity of sentences ([`Passage::bag_similarity`]),
    /// possibly around exact or edited stretches it absorbed.
    Rewritten,
}

impl PassageKind {
    /// The kind's name as the examples print it: `exact`, `edited` or
    /// `rewritten`.
    ///
    /// ```
    /// assert_eq!(neardup::PassageKind::Rewritten.as_str(), "rewritten");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Exact => "exact",
            PassageKind::Edited => "edited",
            PassageKind::Rewritten => "rewritten",
        }
    }
}

/// One reused passage: where it is in each text and how alike the two are.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Passage {
    /// The passage in the first text (byte offsets into the original).
    pub a: Span,
    /// The passage in the second text (byte offsets into the original).
    pub b: Span,
    /// Indices of the first text's tokens inside the passage.
    pub a_tokens: Range<usize>,
    /// Indices of the second text's tokens inside the passage.
    pub b_tokens: Range<usize>,
    /// Words matched word for word: pairs of one word in each text, each
    /// word in at most one pair, so the count is the same seen from either
    /// side and never exceeds either side's `*_tokens` length.
    pub matched_words: usize,
    /// How the passage was reused.
    pub kind: PassageKind,
    /// Exact Jaccard similarity of the two spans' shingle sets (the
    /// similarity of exact and edited reuse; low for rewritten passages).
    pub similarity: f64,
    /// Cosine similarity of the two spans as weighted bags of word stems
    /// ([`text::word_stems`](crate::text::word_stems); each stem weighted
    /// by its inverse sentence frequency over the two texts, so text added
    /// elsewhere in either moves it a little): the similarity of rewritten
    /// reuse, which word order and a few substituted words do not change;
    /// exactly 1 when both spans have the same stems the same number of
    /// times. Set by [`rewritten`], which a [`Detector`](crate::Detector)
    /// with [`Config::rewritten`](crate::Config::rewritten) runs; 0 when it
    /// is off and in the output of [`align`] and [`align_shingles`].
    pub bag_similarity: f64,
    /// How much of the first span's shingle set is in the second's.
    pub containment_a: f64,
    /// How much of the second span's shingle set is in the first's.
    pub containment_b: f64,
    /// For a passage made of boilerplate (in [`Report::boilerplate`]), the
    /// number of indexed articles holding its boilerplate text (the most
    /// for any of its sentences or paragraphs); 0 for any other passage.
    #[cfg_attr(feature = "serde", serde(default))]
    pub boilerplate_articles: u32,
}

impl Passage {
    /// The same passage seen from the other side (`a` and `b` swapped).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    /// let p = &d.compare(text, text).passages[0];
    /// assert_eq!(p.swapped().swapped(), *p);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn swapped(&self) -> Passage {
        Passage {
            a: self.b,
            b: self.a,
            a_tokens: self.b_tokens.clone(),
            b_tokens: self.a_tokens.clone(),
            matched_words: self.matched_words,
            kind: self.kind,
            similarity: self.similarity,
            bag_similarity: self.bag_similarity,
            containment_a: self.containment_b,
            containment_b: self.containment_a,
            boilerplate_articles: self.boilerplate_articles,
        }
    }
}

/// Everything two texts share: the passages and how much of each text they
/// cover.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Report {
    /// The shared passages, sorted by their start in `a`, then in `b`.
    pub passages: Vec<Passage>,
    /// Words in the first text.
    pub a_words: usize,
    /// Words in the second text.
    pub b_words: usize,
    /// Words of the first text inside at least one passage's span
    /// (matched words, and the unmatched words a passage bridges: see
    /// [`Passage::matched_words`]). Called `a_shared_words` in 0.2.
    pub a_covered_words: usize,
    /// Words of the second text inside at least one passage's span.
    /// Called `b_shared_words` in 0.2.
    pub b_covered_words: usize,
    /// Passages made of boilerplate (text recurring across many indexed
    /// articles), listed only by an [`Index`](crate::Index) whose configuration has
    /// [`report_boilerplate`](crate::Config::report_boilerplate) set; they
    /// never count in `passages` or the coverage. Empty for
    /// [`Detector::compare`](crate::Detector::compare), which knows no corpus.
    pub boilerplate: Vec<Passage>,
}

impl Report {
    /// Fraction of the first text's words inside reused passages (0 for an
    /// empty text).
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let t = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    /// assert_eq!(d.compare(t, t).a_coverage(), 1.0);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn a_coverage(&self) -> f64 {
        ratio(self.a_covered_words, self.a_words)
    }

    /// Fraction of the second text's words inside reused passages.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// assert_eq!(d.compare("", "").b_coverage(), 0.0);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn b_coverage(&self) -> f64 {
        ratio(self.b_covered_words, self.b_words)
    }

    /// The same report with the two texts' roles swapped.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let (a, b) = ("x y z one two three four five six seven eight", "one two three four five six seven eight");
    /// assert_eq!(d.compare(a, b).swapped(), d.compare(b, a));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn swapped(&self) -> Report {
        let mut passages: Vec<Passage> = self.passages.iter().map(Passage::swapped).collect();
        passages.sort_by_key(|p| (p.a, p.b));
        let mut boilerplate: Vec<Passage> = self.boilerplate.iter().map(Passage::swapped).collect();
        boilerplate.sort_by_key(|p| (p.a, p.b));
        Report {
            passages,
            a_words: self.b_words,
            b_words: self.a_words,
            a_covered_words: self.b_covered_words,
            b_covered_words: self.a_covered_words,
            boilerplate,
        }
    }

    /// A report of `passages` between texts of `a_words` and `b_words`
    /// words, with the shared-word counts computed from the passages.
    pub(crate) fn new(passages: Vec<Passage>, boilerplate: Vec<Passage>, a_words: usize, b_words: usize) -> Report {
        let a_covered_words = covered(passages.iter().map(|p| p.a_tokens.clone()).collect());
        let b_covered_words = covered(passages.iter().map(|p| p.b_tokens.clone()).collect());
        Report { passages, a_words, b_words, a_covered_words, b_covered_words, boilerplate }
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// Number of tokens covered by the union of `ranges`.
fn covered(mut ranges: Vec<std::ops::Range<usize>>) -> usize {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut total = 0;
    let mut reach = 0;
    for r in ranges {
        let start = r.start.max(reach);
        if r.end > start {
            total += r.end - start;
        }
        reach = reach.max(r.end);
    }
    total
}
