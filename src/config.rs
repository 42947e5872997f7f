//! Configuration: every tuning knob, its default and its valid range.

use crate::error::{Error, Result};
use crate::fingerprint::{MAX_NUM_HASHES, MAX_SHINGLE_SIZE};
use crate::lsh::LshParams;

/// Which passages of an article are fingerprinted and indexed as LSH
/// candidates.
///
/// The choice matters for recall of partial reuse: a sentence quoted inside
/// a longer paragraph has a low Jaccard similarity with that paragraph but a
/// high one with the sentence it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Unit {
    /// Blank-line separated paragraphs.
    Paragraph,
    /// Sentences (the default: see `DESIGN.md` for the measurement).
    Sentence,
    /// Windows of `size` words, overlapping by half.
    Window {
        /// Words per window.
        size: usize,
    },
}

/// All parameters of a [`Detector`](crate::Detector).
///
/// Plain data with public fields; [`Config::validate`] (called by
/// [`Detector::new`](crate::Detector::new) and the builder) checks them.
///
/// The struct is `#[non_exhaustive]`, so that a new setting is not a
/// breaking change: outside this crate it cannot be written as a struct
/// literal, not even with struct-update syntax
/// (`Config { shingle_size: 4, ..Config::default() }` does not compile).
/// Start from [`Config::default`] and assign fields, or use
/// [`Detector::builder`](crate::Detector::builder):
///
/// ```
/// let mut config = neardup::Config::default();
/// config.shingle_size = 4;
/// let detector = neardup::Detector::new(config)?;
/// assert_eq!(detector.config().shingle_size, 4);
/// # Ok::<(), neardup::Error>(())
/// ```
///
/// ```compile_fail
/// // Struct-update syntax is refused for a non-exhaustive struct.
/// let config = neardup::Config { shingle_size: 4, ..neardup::Config::default() };
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Config {
    /// Words per shingle. Default 3.
    pub shingle_size: usize,
    /// MinHash values per signature. Default 128.
    pub num_hashes: usize,
    /// Jaccard similarity (or containment) at which two candidate units
    /// count as the same passage; LSH bands and rows are derived from it.
    /// Default 0.5.
    pub threshold: f64,
    /// Explicit LSH `(bands, rows)`, overriding the ones derived from the
    /// threshold; `bands * rows` must not exceed `num_hashes`. Default none.
    pub bands_rows: Option<(usize, usize)>,
    /// Seed of every hash (words, shingles, MinHash, band keys). Default 0.
    pub seed: u64,
    /// Which passages are indexed as candidates. Default [`Unit::Sentence`].
    pub unit: Unit,
    /// Fewest matched words of a passage reported on its own, and the run
    /// length an [`Index`](crate::Index) guarantees: every pair of
    /// articles sharing a run of `min_words` words is proposed. A shorter
    /// passage (down to [`anchor_words`](Self::anchor_words)) is reported
    /// only where the two paragraphs it lies in share at least `min_words`
    /// matched words in all (a paragraph rewritten around a few reused
    /// pieces). Default 15 (8 in 0.2: see `DESIGN.md` for the
    /// measurement).
    pub min_words: usize,
    /// Most unmatched words bridged inside one passage, on each side.
    /// Default 5.
    pub max_gap: usize,
    /// Most entries of one LSH bucket examined per query unit (a boilerplate
    /// sentence in every article fills one bucket). Default 1000.
    pub max_bucket: usize,
    /// Words of an *anchor*, the exact shared run that the index's run
    /// fingerprints are made of, that every reported passage must hold
    /// (shared template words around changed figures are not reuse), and
    /// the fewest matched words of a passage reported beside others in the
    /// same paragraphs (see [`min_words`](Self::min_words)); also the
    /// fewest words of a unit an index fingerprints
    /// ([`Detector::units`](crate::Detector::units)). An
    /// [`Index`](crate::Index) keeps the
    /// winnowed hashes of every run of `anchor_words` words of an article
    /// (windows of `min_words - anchor_words + 1` runs), so that every pair
    /// of articles sharing a run of at least `min_words` words is proposed
    /// (see `DESIGN.md`, "Candidates with a guarantee"). At least
    /// `shingle_size`; a value above `min_words` counts as `min_words`
    /// ([`Config::anchor`]). Default 8.
    pub anchor_words: usize,
    /// Most articles one run fingerprint may be shared by and still propose
    /// pairs on its own (passim's `maxDF`): a fingerprint held by more
    /// articles is text that recurs across the corpus, which would make the
    /// work quadratic; it proposes nothing, is counted
    /// ([`QueryResult::capped_fingerprints`](crate::corpus::QueryResult::capped_fingerprints),
    /// [`Saturation::fingerprints`](crate::corpus::Saturation::fingerprints)),
    /// and still counts inside pairs proposed otherwise. Default 1000 (as
    /// `max_bucket`: a story re-filed by hundreds of outlets is reuse; text
    /// recurring in many contexts is boilerplate, which proposes nothing
    /// anyway).
    pub max_df: usize,
    /// Whether an [`Index`](crate::Index) also proposes pairs whose units
    /// (sentences) are similar as sets of shingles (MinHash LSH with
    /// `threshold`, `num_hashes` and `bands_rows`), besides the pairs that
    /// share a run of `min_words` words. Default false: on the development
    /// sets of `DESIGN.md` it found no passage the run fingerprints miss,
    /// and it costs 25 band entries per sentence.
    pub similar_units: bool,
    /// In an [`Index`](crate::Index), a sentence that recurs verbatim (after
    /// normalisation) in at least this many *different contexts* (pairs of
    /// preceding and following sentence) across the indexed articles is
    /// boilerplate: a byline, a dateline, an agency sign-off. So is every
    /// sentence of a paragraph that recurs between this many different pairs
    /// of neighbouring paragraphs (a sign-off paragraph of several
    /// sentences). Boilerplate is a label: it never makes articles
    /// candidates, and a passage with fewer than `min_words` words outside
    /// it is reported apart, in [`Report::boilerplate`](crate::Report::boilerplate)
    /// with the number of articles holding it, and counts in no coverage
    /// (so never makes two articles near-duplicates). A story re-filed
    /// verbatim keeps its contexts, so it is not boilerplate, and a
    /// sentence quoted by a few articles in their own contexts is a quote,
    /// not boilerplate. 0 turns the detection off. Default 10 (5 in 0.2,
    /// when boilerplate was dropped from reports: five articles quoting one
    /// sentence were then no pair at all).
    pub boilerplate_contexts: usize,
    /// Whether index reports list boilerplate passages in
    /// [`Report::boilerplate`](crate::Report::boilerplate) (they are never
    /// among [`Report::passages`](crate::Report::passages)); false drops
    /// them. Default true (false in 0.2).
    pub report_boilerplate: bool,
    /// Whether reports also hold *rewritten* passages: sentences that
    /// correspond one to one or few to few as weighted bags of word stems
    /// (words reordered, substituted or paraphrased), extended across
    /// small gaps into whole passages that absorb the exact and edited
    /// passages inside them ([`PassageKind::Rewritten`](crate::PassageKind::Rewritten);
    /// [`score::rewritten`](crate::score::rewritten) has the rules), with
    /// every passage's [`bag_similarity`](crate::Passage::bag_similarity).
    /// An [`Index`](crate::Index) finds them in the pairs its other
    /// candidates propose, and with
    /// [`rewritten_candidates`](Self::rewritten_candidates) in pairs that
    /// share no run of words at all.
    /// Default false (`DESIGN.md`, "Rewritten reuse", has the cost).
    pub rewritten: bool,
    /// With [`rewritten`](Self::rewritten), whether an
    /// [`Index`](crate::Index) also proposes pairs whose sentences are
    /// alike as unordered sets of stems (its rewritten-candidate tables:
    /// [`Detector::sentence_bags`](crate::Detector::sentence_bags),
    /// [`BAG_LSH`](crate::lsh::BAG_LSH)), so that a rewrite sharing no
    /// run of words with its source is still compared; false finds
    /// rewritten passages only in the pairs the run fingerprints (and
    /// [`similar_units`](Self::similar_units)) propose, without the
    /// tables' memory (20 entries of 16 bytes per sentence) and at a
    /// fraction of their CPU. No effect on [`compare`](crate::Detector::compare)
    /// nor without `rewritten`. Default true (`DESIGN.md`, "Rewritten
    /// candidates", has the cost).
    pub rewritten_candidates: bool,
    /// Characters of a word's normalised form that make its stem, the
    /// conflation of word forms that rewritten-passage detection compares
    /// ([`text::word_stems`](crate::text::word_stems)); 0 keeps whole
    /// words. Default 5.
    pub stem_chars: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            shingle_size: 3,
            num_hashes: 128,
            threshold: 0.5,
            bands_rows: None,
            seed: 0,
            unit: Unit::Sentence,
            min_words: 15,
            max_gap: 5,
            max_bucket: 1000,
            anchor_words: 8,
            max_df: 1000,
            similar_units: false,
            boilerplate_contexts: 10,
            report_boilerplate: true,
            rewritten: false,
            rewritten_candidates: true,
            stem_chars: 5,
        }
    }
}

impl Config {
    /// Whether an index keeps rewritten-candidate tables:
    /// [`rewritten`](Self::rewritten) and
    /// [`rewritten_candidates`](Self::rewritten_candidates) both.
    ///
    /// ```
    /// let mut config = neardup::Config::default();
    /// config.rewritten = true;
    /// config.rewritten_candidates = true;
    /// assert!(config.bag_candidates());
    /// config.rewritten_candidates = false;
    /// assert!(!config.bag_candidates());
    /// ```
    pub fn bag_candidates(&self) -> bool {
        self.rewritten && self.rewritten_candidates
    }

    /// The LSH bands and rows this configuration uses: `bands_rows` if set,
    /// else [`LshParams::for_threshold`] of the threshold and number of
    /// hashes. Meaningful for a configuration that
    /// [`validate`](Self::validate)s.
    ///
    /// ```
    /// let mut config = neardup::Config::default();
    /// assert_eq!(config.lsh(), neardup::LshParams::for_threshold(config.threshold, config.num_hashes));
    /// config.bands_rows = Some((16, 8));
    /// assert_eq!(config.lsh(), neardup::LshParams { bands: 16, rows: 8 });
    /// ```
    pub fn lsh(&self) -> LshParams {
        match self.bands_rows {
            Some((bands, rows)) => LshParams { bands, rows },
            None => LshParams::for_threshold(self.threshold, self.num_hashes),
        }
    }

    /// Run fingerprints per window: every window of this many consecutive
    /// runs of [`anchor`](Self::anchor) words keeps its
    /// smallest hash, so that a shared run of `min_words` words (a whole
    /// window) shares a fingerprint: `min_words - anchor_words + 1`.
    ///
    /// ```
    /// let config = neardup::Config::default();
    /// assert_eq!(config.winnow_window(), config.min_words - config.anchor_words + 1);
    /// ```
    pub fn winnow_window(&self) -> usize {
        self.min_words.saturating_sub(self.anchor()) + 1
    }

    /// Words of an anchor: [`anchor_words`](Self::anchor_words), or
    /// `min_words` if that is smaller.
    ///
    /// ```
    /// let mut config = neardup::Config::default();
    /// config.min_words = 5;
    /// assert_eq!(config.anchor(), 5);
    /// ```
    pub fn anchor(&self) -> usize {
        self.anchor_words.min(self.min_words)
    }

    /// Checks every value; the error names the first bad one.
    ///
    /// ```
    /// let mut config = neardup::Config::default();
    /// config.threshold = 1.5;
    /// let err = config.validate().unwrap_err();
    /// assert!(err.to_string().contains("threshold = 1.5"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_SHINGLE_SIZE).contains(&self.shingle_size) {
            return Err(Error::config("shingle_size", self.shingle_size, format!("must be in 1..={MAX_SHINGLE_SIZE}")));
        }
        if !(1..=MAX_NUM_HASHES).contains(&self.num_hashes) {
            return Err(Error::config("num_hashes", self.num_hashes, format!("must be in 1..={MAX_NUM_HASHES}")));
        }
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::config("threshold", self.threshold, "must be in (0, 1]"));
        }
        if let Some((b, r)) = self.bands_rows
            && (b == 0 || r == 0 || b.saturating_mul(r) > self.num_hashes)
        {
            return Err(Error::config(
                "bands_rows",
                format!("({b}, {r})"),
                format!("bands and rows must be at least 1 and bands * rows at most num_hashes = {}", self.num_hashes),
            ));
        }
        if self.min_words < self.shingle_size || self.min_words > 1_000_000 {
            return Err(Error::config(
                "min_words",
                self.min_words,
                format!("must be at least shingle_size = {} and at most 1000000", self.shingle_size),
            ));
        }
        if !(self.shingle_size..=MAX_SHINGLE_SIZE).contains(&self.anchor_words) {
            return Err(Error::config(
                "anchor_words",
                self.anchor_words,
                format!("must be at least shingle_size = {} and at most {MAX_SHINGLE_SIZE}", self.shingle_size),
            ));
        }
        if self.max_df < 2 || self.max_df > u32::MAX as usize {
            return Err(Error::config(
                "max_df",
                self.max_df,
                "must be in 2..=4294967295 (a run in one article proposes no pair)",
            ));
        }
        if self.max_gap > 1000 {
            return Err(Error::config("max_gap", self.max_gap, "must be at most 1000"));
        }
        if self.boilerplate_contexts == 1 || self.boilerplate_contexts > u32::MAX as usize {
            return Err(Error::config(
                "boilerplate_contexts",
                self.boilerplate_contexts,
                "must be 0 (off) or at least 2 (a sentence in one context is not boilerplate)",
            ));
        }
        if self.max_bucket == 0 || self.max_bucket > u32::MAX as usize {
            return Err(Error::config("max_bucket", self.max_bucket, "must be in 1..=4294967295"));
        }
        if self.stem_chars > 64 {
            return Err(Error::config("stem_chars", self.stem_chars, "must be at most 64 (0 keeps whole words)"));
        }
        if let Unit::Window { size } = self.unit
            && (size < self.shingle_size || size > 100_000)
        {
            return Err(Error::config(
                "unit",
                format!("Window {{ size: {size} }}"),
                format!("window size must be at least shingle_size = {} and at most 100000", self.shingle_size),
            ));
        }
        Ok(())
    }
}
