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
    /// Fewest shared words a reported passage must have, and fewest words
    /// of a unit an index fingerprints ([`Detector::units`](crate::Detector::units)).
    /// Default 8.
    pub min_words: usize,
    /// Most unmatched words bridged inside one passage, on each side.
    /// Default 5.
    pub max_gap: usize,
    /// Fewest words of the longest exact shared run a reported passage
    /// must hold (its anchor): shared template words around changed
    /// figures are not reuse. At most `min_words`, so that a shared run
    /// of `min_words` words is always reported; up to `shingle_size` it
    /// adds nothing (every run has that many words). Default `None`:
    /// `min_words` (see `DESIGN.md` for the measurement).
    pub anchor_words: Option<usize>,
    /// Most entries of one LSH bucket examined per query unit (a boilerplate
    /// sentence in every article fills one bucket). Default 1000.
    pub max_bucket: usize,
    /// In an [`Index`](crate::Index), a sentence that recurs verbatim (after
    /// normalisation) in at least this many *different contexts* (pairs of
    /// preceding and following sentence) across the indexed articles is
    /// boilerplate: a byline, a dateline, an agency sign-off. So is every
    /// sentence of a paragraph that recurs between this many different pairs
    /// of neighbouring paragraphs (a sign-off paragraph of several
    /// sentences). Boilerplate
    /// sentences do not make articles candidates, and a passage with fewer
    /// than `min_words` words outside them is not reuse. A story re-filed
    /// verbatim keeps its contexts, so it is not boilerplate. 0 turns the
    /// detection off. Default 5.
    pub boilerplate_contexts: usize,
    /// Whether index reports list boilerplate passages separately in
    /// [`Report::boilerplate`](crate::Report::boilerplate) (they are never
    /// among [`Report::passages`](crate::Report::passages)). Default false.
    pub report_boilerplate: bool,
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
            min_words: 8,
            max_gap: 5,
            anchor_words: None,
            max_bucket: 1000,
            boilerplate_contexts: 5,
            report_boilerplate: false,
        }
    }
}

impl Config {
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
        if self.max_gap > 1000 {
            return Err(Error::config("max_gap", self.max_gap, "must be at most 1000"));
        }
        if let Some(n) = self.anchor_words
            && n > self.min_words
        {
            return Err(Error::config("anchor_words", n, format!("must be at most min_words = {}", self.min_words)));
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
