//! The facade: a validated [`Detector`] that runs the whole pipeline.

use std::sync::Arc;

use crate::config::{Config, Unit};
use crate::error::Result;
use crate::fingerprint::{MinHasher, OnePermutationHasher, Shingler, Signature};
use crate::lsh::{BAG_LSH, LshParams};
use crate::score::{AlignOptions, Report, align};
use crate::text::{Analysis, for_each_word};

mod stages;

/// Mixed into the seed of the stem-set MinHash, so that its hash functions
/// are not those of the unit signatures.
const BAG_SEED: u64 = 0xba95_5e7c_0dd1_7e55;

pub use stages::{ArticleKeys, Cue, Prepared};
pub(crate) use stages::{FoldedSentence, bag_cue_estimate_with, bag_cues_estimate_pass};

/// Finds reused passages between texts, with one validated configuration.
///
/// Build it with [`Detector::builder`] (or [`Detector::new`] from a
/// [`Config`]); after that nothing fails: every method takes any `&str`.
/// Cloning is cheap (the MinHash parameters are shared).
///
/// # Stages
///
/// Each pipeline stage is a method over plain records, so that a corpus too
/// big for one machine can run them as separate tasks and get exactly what
/// an [`Index`](crate::Index) gets:
/// [`analyze`](Self::analyze) (text → words, sentences, paragraphs),
/// [`units`](Self::units) (→ the units an index fingerprints, with spans),
/// [`shingles`](Self::shingles) and [`unit_shingles`](Self::unit_shingles),
/// [`signature`](Self::signature) (unit → MinHash),
/// [`band_keys`](Self::band_keys) (signature → LSH keys),
/// [`segment_keys`](Self::segment_keys) (→ what boilerplate counts count),
/// [`sentence_bags`](Self::sentence_bags) and [`bag_keys`](Self::bag_keys)
/// (→ rewritten candidates),
/// or all of these at once with [`text_keys`](Self::text_keys); then
/// [`prepare`](Self::prepare) and [`verify`](Self::verify) (candidate pair
/// → verified, aligned passages). `examples/stages.rs` reproduces
/// [`Index::pairs`](crate::Index::pairs) with them.
#[derive(Clone, Debug)]
pub struct Detector {
    config: Config,
    lsh: LshParams,
    minhasher: Arc<MinHasher>,
    document_hasher: OnePermutationHasher,
    /// The MinHash of sentences' stem sets (rewritten candidates).
    bag_hasher: Arc<MinHasher>,
}

/// Builds a [`Detector`]; every setter documents its default.
///
/// ```
/// let detector = neardup::Detector::builder()
///     .shingle_size(3)
///     .threshold(0.5)
///     .min_words(8)
///     .build()?;
/// assert_eq!(detector.config().min_words, 8);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DetectorBuilder {
    config: Config,
}

impl DetectorBuilder {
    /// A builder with the default [`Config`].
    pub fn new() -> DetectorBuilder {
        DetectorBuilder::default()
    }

    /// Words per shingle (default 3, range 1..=32).
    pub fn shingle_size(&mut self, k: usize) -> &mut Self {
        self.config.shingle_size = k;
        self
    }

    /// MinHash values per signature (default 128, range 1..=1024).
    pub fn num_hashes(&mut self, n: usize) -> &mut Self {
        self.config.num_hashes = n;
        self
    }

    /// Similarity threshold of candidate units (default 0.5, range (0, 1]).
    pub fn threshold(&mut self, t: f64) -> &mut Self {
        self.config.threshold = t;
        self
    }

    /// Explicit LSH bands and rows, instead of deriving them from the
    /// threshold (default: derived).
    pub fn bands_rows(&mut self, bands: usize, rows: usize) -> &mut Self {
        self.config.bands_rows = Some((bands, rows));
        self
    }

    /// Seed of every hash (default 0).
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.config.seed = seed;
        self
    }

    /// Candidate unit (default [`Unit::Sentence`]).
    pub fn unit(&mut self, unit: Unit) -> &mut Self {
        self.config.unit = unit;
        self
    }

    /// Fewest shared words a reported passage must have (default 8, at
    /// least the shingle size).
    pub fn min_words(&mut self, n: usize) -> &mut Self {
        self.config.min_words = n;
        self
    }

    /// Most unmatched words bridged inside a passage (default 5).
    pub fn max_gap(&mut self, n: usize) -> &mut Self {
        self.config.max_gap = n;
        self
    }

    /// Most entries of one LSH bucket examined per query unit (default 1000).
    pub fn max_bucket(&mut self, n: usize) -> &mut Self {
        self.config.max_bucket = n;
        self
    }

    /// Words of an anchor, the shared run the index's run fingerprints are
    /// made of (default 8; see [`Config::anchor_words`](crate::Config::anchor_words)).
    pub fn anchor_words(&mut self, n: usize) -> &mut Self {
        self.config.anchor_words = n;
        self
    }

    /// Most articles a run fingerprint may be shared by and still propose
    /// pairs (default 1000; see [`Config::max_df`](crate::Config::max_df)).
    pub fn max_df(&mut self, n: usize) -> &mut Self {
        self.config.max_df = n;
        self
    }

    /// Whether an index also proposes pairs of similar units by MinHash LSH
    /// (default false; see [`Config::similar_units`](crate::Config::similar_units)).
    pub fn similar_units(&mut self, yes: bool) -> &mut Self {
        self.config.similar_units = yes;
        self
    }

    /// Distinct contexts that make a recurring sentence boilerplate in an
    /// [`Index`](crate::Index) (default 10; 0 turns detection off).
    pub fn boilerplate_contexts(&mut self, n: usize) -> &mut Self {
        self.config.boilerplate_contexts = n;
        self
    }

    /// Whether index reports list boilerplate passages in
    /// [`Report::boilerplate`](crate::Report::boilerplate) (default true).
    pub fn report_boilerplate(&mut self, yes: bool) -> &mut Self {
        self.config.report_boilerplate = yes;
        self
    }

    /// Whether reports also hold rewritten passages (default false; see
    /// [`Config::rewritten`](crate::Config::rewritten)).
    pub fn rewritten(&mut self, yes: bool) -> &mut Self {
        self.config.rewritten = yes;
        self
    }

    /// With [`rewritten`](Self::rewritten), whether an index also proposes
    /// pairs whose sentences are alike as bags of stems (default true; see
    /// [`Config::rewritten_candidates`](crate::Config::rewritten_candidates)).
    pub fn rewritten_candidates(&mut self, yes: bool) -> &mut Self {
        self.config.rewritten_candidates = yes;
        self
    }

    /// Characters of a word that make its stem for rewritten passages
    /// (default 5, at most 64, 0 = whole words; see
    /// [`Config::stem_chars`](crate::Config::stem_chars)).
    pub fn stem_chars(&mut self, n: usize) -> &mut Self {
        self.config.stem_chars = n;
        self
    }

    /// Validates the configuration and builds the detector.
    ///
    /// ```
    /// let err = neardup::Detector::builder().shingle_size(0).build().unwrap_err();
    /// assert!(err.to_string().contains("shingle_size = 0"));
    /// ```
    pub fn build(&self) -> Result<Detector> {
        Detector::new(self.config.clone())
    }
}

impl Detector {
    /// A builder with default settings.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// assert_eq!(d.config(), &neardup::Config::default());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn builder() -> DetectorBuilder {
        DetectorBuilder::new()
    }

    /// A detector from a configuration, validated.
    ///
    /// ```
    /// let mut c = neardup::Config::default();
    /// c.num_hashes = 0;
    /// assert!(neardup::Detector::new(c).is_err());
    /// ```
    pub fn new(config: Config) -> Result<Detector> {
        config.validate()?;
        let lsh = config.lsh();
        let minhasher = Arc::new(MinHasher::new(config.num_hashes, config.seed));
        let document_hasher = OnePermutationHasher::new(config.num_hashes, config.seed);
        let bag_hasher = Arc::new(MinHasher::new(BAG_LSH.bands * BAG_LSH.rows, config.seed ^ BAG_SEED));
        Ok(Detector { config, lsh, minhasher, document_hasher, bag_hasher })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The LSH bands and rows in use (derived from the threshold unless
    /// set explicitly).
    ///
    /// ```
    /// let d = neardup::Detector::builder().bands_rows(16, 8).build()?;
    /// assert_eq!(d.lsh(), neardup::LshParams { bands: 16, rows: 8 });
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn lsh(&self) -> LshParams {
        self.lsh
    }

    /// The MinHash hasher in use.
    pub fn minhasher(&self) -> &MinHasher {
        &self.minhasher
    }

    /// The hasher of [`document_signature`](Self::document_signature).
    pub fn document_hasher(&self) -> &OnePermutationHasher {
        &self.document_hasher
    }

    /// The MinHash signature of a whole text, for document-level
    /// near-duplicate detection (the classic "MinHash + LSH" task): the
    /// text's words ([`text::for_each_word`](crate::text::for_each_word),
    /// one streaming pass), their
    /// [`shingle_size`](Config::shingle_size)-word shingles
    /// ([`Shingler`]), and a one-permutation signature of
    /// [`num_hashes`](Config::num_hashes) values
    /// ([`OnePermutationHasher`]: one hash per shingle, the fast choice for
    /// long texts). No allocation beyond the signature's.
    ///
    /// Compare two such signatures with [`Signature::similarity`] (it
    /// estimates the Jaccard similarity of the two shingle sets), or put
    /// their [`band_keys`](Self::band_keys) in an LSH table. They are not
    /// comparable with the unit signatures of [`signature`](Self::signature).
    ///
    /// ```
    /// let d = neardup::Detector::builder().shingle_size(5).num_hashes(128).build()?;
    /// let story = "The minister met the delegation on Monday and discussed the state of \
    ///     cooperation within NATO, the energy projects in the Caspian region and the \
    ///     next steps for the joint programme, which both sides called a success.";
    /// let copy = story.replace("Monday", "Tuesday");
    /// let other = "A completely different text about the weather in the mountains, \
    ///     where snow fell early this year and the roads were closed for a week.";
    /// let (a, b, c) = (d.document_signature(story), d.document_signature(&copy), d.document_signature(other));
    /// assert!(a.similarity(&b) > 0.6);
    /// assert!(a.similarity(&c) < 0.2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn document_signature(&self, text: &str) -> Signature {
        let mut shingler = Shingler::new(self.config.shingle_size, self.config.seed);
        let mut sketch = self.document_hasher.sketch();
        for_each_word(text, self.config.seed, |_, word| {
            if let Some(shingle) = shingler.push(word) {
                sketch.add(shingle);
            }
        });
        if let Some(shingle) = shingler.finish() {
            sketch.add(shingle);
        }
        sketch.finish()
    }

    /// The [`AlignOptions`] this detector uses.
    pub fn align_options(&self) -> AlignOptions {
        AlignOptions {
            shingle_size: self.config.shingle_size,
            seed: self.config.seed,
            min_words: self.config.min_words,
            max_gap: self.config.max_gap,
            anchor_words: self.config.anchor(),
        }
    }

    /// Stage 4: the passages two analysed texts share, as a [`Report`]
    /// (`a` first). Unlike [`compare`](Self::compare), the roles of `a` and
    /// `b` are taken as given.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let t = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    /// let r = d.align(&d.analyze(t), &d.analyze(t));
    /// assert_eq!(r.passages.len(), 1);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn align(&self, a: &Analysis, b: &Analysis) -> Report {
        Report::new(align(a, b, &self.align_options()), Vec::new(), a.tokens.len(), b.tokens.len())
    }

    /// Every passage `a` and `b` share, with spans into both.
    ///
    /// Symmetric: `compare(b, a)` is `compare(a, b).swapped()`, because the
    /// alignment always runs from the shorter text (then the
    /// lexicographically smaller one) to the other.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let s = "The minister met the Latvian delegation in Baku on Thursday to discuss cooperation within NATO.";
    /// let (a, b) = (format!("Intro line. {s}"), format!("{s} Other news."));
    /// let report = d.compare(&a, &b);
    /// let p = &report.passages[0];
    /// assert_eq!(&a[p.a], s);
    /// assert_eq!(&b[p.b], &a[p.a]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn compare(&self, a: &str, b: &str) -> Report {
        self.compare_analyzed(a, &self.analyze(a), b, &self.analyze(b))
    }

    /// [`compare`](Self::compare) for many pairs, in order.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// assert_eq!(d.compare_many(&[("a", "b"), ("", "")]).len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn compare_many(&self, pairs: &[(&str, &str)]) -> Vec<Report> {
        pairs.iter().map(|(a, b)| self.compare(a, b)).collect()
    }

    /// [`compare_many`](Self::compare_many) in parallel on the current rayon
    /// pool; the result is identical.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// let pairs = [("some text here", "some text here"), ("x", "y")];
    /// assert_eq!(d.par_compare_many(&pairs), d.compare_many(&pairs));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_compare_many(&self, pairs: &[(&str, &str)]) -> Vec<Report> {
        use rayon::prelude::*;
        pairs.par_iter().map(|(a, b)| self.compare(a, b)).collect()
    }
}
