//! The corpus: an [`Index`] of many articles by id — insert, remove,
//! query, every pair that shares passages, near-duplicate groups,
//! boilerplate statistics, save and load.
//!
//! An article's run fingerprints ([`Detector::anchors`]: winnowed hashes
//! of its runs of `anchor_words` words) are entered in the run table, its
//! units ([`Detector::units`], MinHash, LSH band keys from
//! [`crate::lsh`]) in one band table per band, and with
//! [`rewritten`](crate::Config::rewritten) its sentences' sets of stems
//! ([`Detector::sentence_bags`], MinHash, [`BAG_LSH`](crate::lsh::BAG_LSH)
//! band keys) in the rewritten-candidate tables; a query (or the all-pairs
//! plan) reads candidates off the buckets (a shared run, a pair of
//! similar units, a pair of sentences alike as unordered bags of stems),
//! verifies them and aligns the articles ([`crate::score`]).
//!
//! # Index file format (version 5)
//!
//! All integers little-endian.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic `NEARDUPI` |
//! | 8 | 4 | format version ([`FORMAT_VERSION`], 5) |
//! | 12 | 4 | signature version ([`SIGNATURE_VERSION`](crate::fingerprint::SIGNATURE_VERSION)) |
//! | 16 | 4 | Unicode version of the normalisation tables (`major << 16 \| minor << 8 \| patch`) |
//! | 20 | 4 | reserved, 0 |
//! | 24 | 8 | body length in bytes |
//! | 32 | 8 | checksum: `xxh3_64` of the body followed by header bytes 0..32 |
//! | 40 | … | body |
//!
//! The body, in order (a count is a `u64`; strings are a `u64` length then
//! UTF-8 bytes):
//!
//! 1. the [`Config`](crate::Config) (every field, so the configuration
//!    travels with the index: 69 bytes; `rewritten` is one byte, 0 off,
//!    1 on with [`rewritten_candidates`](crate::Config::rewritten_candidates),
//!    2 on without), then the LSH bands and rows in use (`u32` each);
//! 2. the articles in insertion order: their count, then per article its
//!    id (`u64`), label, text, number of units (`u32`) and the 128-bit key
//!    of its exact-duplicate class ([`duplicate_key`](crate::fingerprint::duplicate_key):
//!    low then high `u64`; 0 for an article without units);
//! 3. for each band, its entries: a count, then `(key u64, article
//!    ordinal u32, unit u32)` sorted;
//! 4. the run table's entries the same way, `(key, article ordinal,
//!    word)`;
//! 5. the boilerplate statistics ([`ContextCounts`]): a count of records,
//!    then per sentence or paragraph key held by an article, in increasing
//!    key order, `(key u64, context u64, contexts u32, articles u32)`,
//!    where `contexts` has bit 31 set once the key has been seen in two or
//!    more contexts (then `context` is not used); then a count of counts
//!    per context, and for the keys so marked `(key u64, context u64,
//!    articles u32)`, sorted.
//!
//! Loading checks the magic, the versions, that the reserved bytes are
//! zero, the length (a file shorter or longer than the header announces is
//! an error that says which), the checksum (a flipped bit in the body or
//! the header is an error), then every structural invariant (UTF-8 texts,
//! unique ids, sorted entries pointing at existing units, boilerplate
//! counts that add up) before anything is returned: a bad file never
//! yields a partial index. It streams the file (a 1 MiB buffer), reads
//! every part as it is stored, and does not analyse or hash any text
//! (peak memory is the index itself), except with
//! [`rewritten_candidates`](crate::Config::rewritten_candidates) on: the rewritten-candidate
//! tables are not in the file (so the format is the same with them), and
//! loading rebuilds them by analysing each article in the tables once.
//!
//! **Version 4** (development versions of 0.3) has, in place of each
//! article's duplicate key, its sentence and paragraph keys (a count, then
//! `(key, context)` pairs of `u64`), and no boilerplate statistics: loading
//! counts them from those keys. **Version 3** is version 4 without the
//! `rewritten` and `stem_chars` settings: it loads with rewritten passages
//! off (the reports it gave) and the default stem. **Version 2** (earlier
//! development versions of 0.3) has no run table and no `anchor_words`,
//! `max_df` and `similar_units` settings: it loads with the defaults of
//! those two and LSH candidates on, and the run table is built by
//! analysing each article once. **Version 1** (neardup 0.1 and 0.2) is
//! version 2 with a checksum of the body alone. Files of 0.2 still load
//! (their reserved bytes must be zero too; those of 0.1 are refused for
//! their signature version: rebuild them); saving always writes version 5.
//! Any other format version is [`Error::IndexVersion`].

use std::borrow::Cow;

use crate::detector::Detector;
use crate::error::{Error, Result};
use crate::group::{Group, group_near_duplicates};
use crate::lsh::Table;
use crate::score::Report;

// The articles, and their boilerplate counts.
mod boilerplate;
mod store;
mod texts;
// Where the engine's work runs, and the engine.
mod batch;
mod par;
// Insertion, queries, all pairs.
mod insert;
mod pairs;
mod query;
mod stems;
// Index files.
mod persist;

pub use boilerplate::ContextCounts;
pub use persist::FORMAT_VERSION;

use par::Exec;
use stems::BagStems;
use store::{Store, Stored};

/// One article to insert: an id, a label (a path, a URL, a title: kept and
/// saved with the index, never interpreted; may be empty) and the text.
/// `(id, text)` and `(id, label, text)` tuples convert into it.
///
/// ```
/// use neardup::corpus::Article;
/// let a: Article = (7, "wire/7.txt", "The text.").into();
/// assert_eq!((a.id, a.label, a.text), (7, "wire/7.txt", "The text."));
/// assert_eq!(Article::from((8, "Text.")).label, "");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Article<'a> {
    /// The article's id, unique in the index.
    pub id: u64,
    /// The label.
    pub label: &'a str,
    /// The text.
    pub text: &'a str,
}

impl<'a> From<(u64, &'a str)> for Article<'a> {
    fn from((id, text): (u64, &'a str)) -> Article<'a> {
        Article { id, label: "", text }
    }
}

impl<'a> From<(u64, &'a str, &'a str)> for Article<'a> {
    fn from((id, label, text): (u64, &'a str, &'a str)) -> Article<'a> {
        Article { id, label, text }
    }
}

impl<'a, T: AsRef<str>> From<&'a (u64, T)> for Article<'a> {
    fn from((id, text): &'a (u64, T)) -> Article<'a> {
        Article { id: *id, label: "", text: text.as_ref() }
    }
}

impl<'a, L: AsRef<str>, T: AsRef<str>> From<&'a (u64, L, T)> for Article<'a> {
    fn from((id, label, text): &'a (u64, L, T)) -> Article<'a> {
        Article { id: *id, label: label.as_ref(), text: text.as_ref() }
    }
}

/// One indexed article that a query reuses from (or that reuses from it).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Match {
    /// The article's id, as given to [`Index::insert`].
    pub id: u64,
    /// The highest exact similarity (Jaccard or containment) of a candidate
    /// unit pair that LSH proposed, the one that let verification pass
    /// (called `unit_similarity` in 0.2).
    pub candidate_similarity: f64,
    /// The passages: `a` is the query, `b` the indexed article. Without
    /// boilerplate, identical to `detector.compare(query, article)`.
    pub report: Report,
    /// The ids of the indexed articles that are exact duplicates of this
    /// one (see [`Index::exact_duplicates`]), in increasing order: the same
    /// words, so the query shares the same passages with each of them (at
    /// their own byte offsets: align with [`Detector::compare`] to get
    /// those). Empty for most articles.
    pub duplicates: Vec<u64>,
}

/// The result of [`Index::query`].
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueryResult {
    /// Articles sharing at least one verified, non-boilerplate passage with
    /// the query, most shared words first, then by id.
    pub matches: Vec<Match>,
    /// LSH buckets that held more than [`Config::max_bucket`](crate::Config)
    /// live entries, of which only the first `max_bucket` (in insertion
    /// order) were examined. Non-zero means the query hit text that recurs
    /// across very many articles.
    pub saturated_buckets: usize,
    /// Entries of those buckets past the cap, which were not examined (an
    /// entry is one unit of one article; exact duplicates take no entries).
    /// 0 unless `saturated_buckets` is non-zero.
    pub skipped_entries: usize,
    /// Run fingerprints of the query (outside boilerplate) held by more
    /// than [`Config::max_df`](crate::Config::max_df) live articles, which
    /// proposed no candidate: runs recurring across the corpus. An article
    /// sharing only such runs with the query is not among the matches.
    /// With [`rewritten`](crate::Config::rewritten), also the keys of the
    /// query's sentences in the rewritten-candidate tables held by more
    /// than `max_df` entries, which proposed nothing either.
    pub capped_fingerprints: usize,
}

/// What the caps cut from [`Index::pairs`]: LSH buckets holding more live
/// articles than [`max_bucket`](crate::Config::max_bucket), whose later
/// entries no article probing the bucket sees, and run fingerprints held
/// by more than [`max_df`](crate::Config::max_df) articles, which propose
/// no pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Saturation {
    /// Buckets (over all bands) with more than `max_bucket` live entries.
    pub buckets: usize,
    /// Entries past the cap in those buckets.
    pub entries: usize,
    /// Distinct articles with at least one entry past the cap: pairs of
    /// such an article may be missing (raise `max_bucket`, or turn
    /// boilerplate detection on, to find them).
    pub articles: usize,
    /// Run fingerprints held by more than [`Config::max_df`](crate::Config::max_df)
    /// live articles: they propose no pair (runs recurring across the
    /// corpus). A pair sharing only such runs is not proposed. With
    /// [`rewritten`](crate::Config::rewritten), also the keys of the
    /// rewritten-candidate tables held by more than `max_df` live entries
    /// (sentences), which propose no pair either.
    pub fingerprints: usize,
    /// The entries (one per article) of those fingerprints.
    pub fingerprint_entries: usize,
}

impl Saturation {
    /// Whether the caps cut nothing.
    ///
    /// ```
    /// assert!(neardup::corpus::Saturation::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.buckets == 0 && self.fingerprints == 0
    }
}

/// The heap bytes of an [`Index`] by part, approximately, from
/// [`Index::memory`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Memory {
    /// The texts kept in memory (none when they are on disk:
    /// [`Index::store_texts_on_disk`]).
    pub texts: usize,
    /// Bytes of the index's text file on disk (not memory: counted apart
    /// from [`total`](Self::total)), texts of removed articles included.
    pub texts_on_disk: u64,
    /// Ids, labels and exact-duplicate classes.
    pub articles: usize,
    /// Boilerplate statistics (contexts and articles per sentence and
    /// paragraph key).
    pub boilerplate: usize,
    /// The LSH band tables (empty unless
    /// [`similar_units`](crate::Config::similar_units)).
    pub band_tables: usize,
    /// The run table (the candidates with a guarantee).
    pub run_table: usize,
    /// Entries of the run table (one per distinct run fingerprint of each
    /// article in the tables; dead ones until purged).
    pub run_entries: usize,
    /// The rewritten-candidate tables (empty unless
    /// [`rewritten`](crate::Config::rewritten)): 20 entries of 16 bytes per
    /// sentence of at least 5 distinct stems, with the folded stems kept
    /// to judge cues (4 bytes per distinct stem of such a sentence and 8
    /// per sentence, 4 per distinct stem of the article).
    pub bag_tables: usize,
}

impl Memory {
    /// All parts together: [`Index::memory_usage`].
    pub fn total(&self) -> usize {
        self.texts + self.articles + self.boilerplate + self.band_tables + self.run_table + self.bag_tables
    }
}

/// Two indexed articles that share passages, from [`Index::pairs`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pair {
    /// The smaller id.
    pub a: u64,
    /// The larger id.
    pub b: u64,
    /// The highest exact similarity of a candidate unit pair, the one that
    /// let verification pass (called `unit_similarity` in 0.2).
    pub candidate_similarity: f64,
    /// The shared passages (`a` side is article `a`).
    pub report: Report,
}

impl Pair {
    /// Whether the pair's passages cover at least `min` of the words of
    /// both articles (the edge rule of
    /// [`Index::near_duplicate_groups`]).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.";
    /// index.insert(1, s)?;
    /// index.insert(2, &format!("{s} Then he left for the airport and flew home."))?;
    /// let pair = index.pairs().next().unwrap();
    /// assert!(pair.is_near_duplicate(0.5) && !pair.is_near_duplicate(0.9));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn is_near_duplicate(&self, min: f64) -> bool {
        self.report.a_coverage() >= min && self.report.b_coverage() >= min
    }
}

/// The pairs of [`Index::pairs`] or [`Index::par_pairs`]: an iterator,
/// with what the bucket cap cut.
pub struct Pairs<'i> {
    iter: Box<dyn Iterator<Item = Pair> + Send + 'i>,
    saturation: Saturation,
}

impl Pairs<'_> {
    /// What the [`max_bucket`](crate::Config::max_bucket) cap cut from
    /// these pairs: known before the first pair, nothing when
    /// [`Saturation::is_empty`].
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert!(index.pairs().saturation().is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn saturation(&self) -> Saturation {
        self.saturation
    }
}

impl Iterator for Pairs<'_> {
    type Item = Pair;

    fn next(&mut self) -> Option<Pair> {
        self.iter.next()
    }
}

impl std::fmt::Debug for Pairs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairs").field("saturation", &self.saturation).finish_non_exhaustive()
    }
}

/// A corpus of articles, indexed by the LSH band keys of their units, to
/// find which articles reuse passages from which.
///
/// Build it with [`Detector::index`] or [`Index::load`]. Articles are kept
/// (their text, for verification and alignment), so reports are computed
/// on the real text, and [`remove`](Self::remove) is exact.
///
/// # Resource usage
///
/// Per article ([`memory`](Self::memory) gives each part):
///
/// - **its text**, in memory, or on disk with
///   [`store_texts_on_disk`](Self::store_texts_on_disk) (then read back
///   when the article is verified);
/// - **the run table**: one 16-byte entry per distinct winnowed run
///   fingerprint, about 0.21 per word (3.3 bytes per word);
/// - **boilerplate statistics**: a 24-byte record per distinct sentence or
///   paragraph key of the corpus (more for the few seen in several
///   contexts); an article's own sentence and paragraph keys are not kept
///   (removing it analyses its text again to take them back);
/// - its id, label and exact-duplicate class: about 100 bytes;
/// - with [`similar_units`](crate::Config::similar_units) only, one
///   16-byte entry per unit and band in the band tables (25 bands: 400
///   bytes per sentence of at least `min_words` words);
/// - with [`rewritten`](crate::Config::rewritten) only, one 16-byte entry
///   per band of [`BAG_LSH`](crate::lsh::BAG_LSH) (20) and sentence of at
///   least 5 distinct content stems in the rewritten-candidate tables:
///   320 bytes per such sentence, one sentence per 25.8 words on the peer
///   corpus (12.4 bytes per word, about four times the run table).
///
/// On the 1M-article scale corpus (1.27 GB of text) that was 1.9 KB per
/// article, 1.5 times the text, with the texts on disk, when articles still
/// kept their sentence and paragraph keys (about 360 MB of it; README,
/// "Scale"). Call [`shrink_to_fit`](Self::shrink_to_fit) after the last
/// insertion to free what recent insertions hold besides.
/// [`pairs`](Self::pairs) and queries add a bounded working set: a batch
/// of at most 1024 probing articles (and 2^18 of their words), prepared,
/// and the reports of at most 65,536 candidate articles.
///
/// A query analyses the query text, probes the run table with its run
/// fingerprints (each held by at most `max_df` live articles), with
/// `rewritten` the rewritten-candidate tables with its sentences' keys
/// (each held by at most `max_df` live entries) and, with
/// `similar_units`, `bands` buckets per unit (each capped at `max_bucket`
/// live entries), then verifies and aligns each candidate article once:
/// its cost does not grow with the size of a bucket beyond the cap.
///
/// ```
/// let detector = neardup::Detector::builder().build()?;
/// let mut index = detector.index();
/// index.insert(1, "The minister met the delegation in Baku on Tuesday to discuss security cooperation and training.")?;
/// index.insert(2, "Markets closed higher on Friday after a week of strong trading in technology shares.")?;
/// let result = index.query("Officials said the minister met the delegation in Baku on Tuesday to discuss security cooperation and training.");
/// assert_eq!(result.matches.len(), 1);
/// assert_eq!(result.matches[0].id, 1);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Index {
    detector: Detector,
    store: Store,
    /// One band table per band.
    tables: Vec<Table>,
    /// The run table: each article's run fingerprints
    /// ([`Detector::anchors`]), an entry `(slot, first word)` per distinct
    /// fingerprint.
    runs: Table,
    /// With [`rewritten`](crate::Config::rewritten), the
    /// rewritten-candidate tables, one per band of
    /// [`BAG_LSH`](crate::lsh::BAG_LSH): an entry `(slot, sentence)` per
    /// sentence of [`Detector::sentence_bags`] and band; empty otherwise.
    bags: Vec<Table>,
    /// With [`rewritten`](crate::Config::rewritten), the folded stems of
    /// the sentences in `bags`, per slot: bag cues are judged on them
    /// before a stored article is prepared.
    bag_stems: BagStems,
    /// Boilerplate statistics of the live articles.
    counts: ContextCounts,
    /// Entries of removed articles still in the tables.
    dead_entries: usize,
}

impl Index {
    /// The detector (configuration) this index was built with.
    ///
    /// ```
    /// let d = neardup::Detector::builder().build()?;
    /// assert_eq!(d.index().detector().config(), d.config());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Number of articles.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(7, "")?;
    /// assert_eq!(index.len(), 1);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether the cap cut nothing.
    ///
    /// ```
    /// assert!(neardup::corpus::Saturation::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.store.len() == 0
    }

    /// The text of article `id`, if present: borrowed from memory, or
    /// read back from disk when the index keeps its texts there
    /// ([`store_texts_on_disk`](Self::store_texts_on_disk)), which can
    /// fail ([`Error::Io`]).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(3, "some text")?;
    /// assert_eq!(index.text(3)?.as_deref(), Some("some text"));
    /// assert_eq!(index.text(4)?, None);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn text(&self, id: u64) -> Result<Option<Cow<'_, str>>> {
        let Some(stored) = self.store.get(id) else { return Ok(None) };
        self.store.text(stored).map(Some).map_err(|e| self.text_file_error(&e))
    }

    /// Keeps the texts of the articles on disk from now on, in a file of
    /// the index's own in directory `dir` (texts already in memory move
    /// there, and so do those of later insertions and loads): an index then
    /// holds in memory only what proposes candidates (the run table,
    /// boilerplate statistics, ids and labels), and reads each text back
    /// when an article is verified.
    ///
    /// The file has no name (it cannot be opened, changed or truncated by
    /// another process) and disappears with the index, even after a crash;
    /// it takes the texts' bytes on disk, and what the operating system
    /// caches of it is page cache, which it reclaims under memory
    /// pressure, not the process's memory. The cost is one read per
    /// article verified (each article of a batch of [`pairs`](Self::pairs)
    /// or queries is read once per batch): on the 1M-article scale corpus
    /// a few percent of the time (see the README). An index with its texts
    /// on disk saves, clones (the clones share the file) and queries like
    /// one without.
    ///
    /// A failed write (a full disk) is an [`Error::Io`] naming `dir`, and
    /// leaves the index as it was. A text that cannot be read back later
    /// (an I/O error of the disk) is counted in
    /// [`read_errors`](Self::read_errors), and the pairs or matches that
    /// needed it are missing.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "A text that stays in memory until the index moves it.")?;
    /// index.store_texts_on_disk(std::env::temp_dir())?;
    /// index.insert(2, "A text written to disk at once.")?;
    /// assert!(index.texts_on_disk());
    /// assert_eq!(index.text(2)?.as_deref(), Some("A text written to disk at once."));
    /// assert_eq!(index.memory().texts, 0);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn store_texts_on_disk(&mut self, dir: impl AsRef<std::path::Path>) -> Result<()> {
        let dir = dir.as_ref();
        let disk = texts::DiskTexts::create(dir).map_err(|e| Error::Io {
            path: dir.display().to_string(),
            kind: e.kind(),
            message: format!("cannot create the index's text file in this directory: {e}"),
        })?;
        let target = texts::Texts::on_disk(disk);
        // Moved a batch of about 8 MB at a time; the index changes only
        // once every text is on disk.
        let slots: Vec<u32> = (0..self.store.slots() as u32).filter(|&s| self.store.at(s).is_some()).collect();
        let mut moved = Vec::with_capacity(slots.len());
        let mut batch: Vec<Cow<'_, str>> = Vec::new();
        let mut bytes = 0;
        for (i, &slot) in slots.iter().enumerate() {
            let stored = self.store.at(slot).expect("a live slot");
            let text = self.store.text(stored).map_err(|e| self.text_file_error(&e))?;
            bytes += text.len();
            batch.push(text);
            if bytes >= 8 << 20 || i + 1 == slots.len() {
                let refs: Vec<&str> = batch.iter().map(|t| &**t).collect();
                moved.extend(target.keep(&refs).map_err(|e| Error::io(dir, &e))?);
                batch.clear();
                bytes = 0;
            }
        }
        self.store.set_texts(target, slots.into_iter().zip(moved));
        Ok(())
    }

    /// Whether the index keeps its texts on disk
    /// ([`store_texts_on_disk`](Self::store_texts_on_disk)).
    ///
    /// ```
    /// assert!(!neardup::Detector::builder().build()?.index().texts_on_disk());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn texts_on_disk(&self) -> bool {
        self.store.texts.disk.is_some()
    }

    /// Texts that could not be read back from the index's text file on
    /// disk since the index was made (I/O errors of the disk; never for
    /// texts in memory). The pairs, matches and group edges that needed
    /// such a text are missing: a caller that wants all of them checks
    /// that this is 0 after [`pairs`](Self::pairs) or a query, as the
    /// `corpus` example does.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.read_errors(), 0);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn read_errors(&self) -> usize {
        self.store.texts.read_errors()
    }

    /// The label of article `id` (empty unless inserted with
    /// [`insert_labeled`](Self::insert_labeled)), if present.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert_labeled(3, "news/2021/a.txt", "some text")?;
    /// assert_eq!(index.label(3), Some("news/2021/a.txt"));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn label(&self, id: u64) -> Option<&str> {
        self.store.get(id).map(|d| &*d.label)
    }

    /// The ids of all articles, in increasing order.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(9, "b")?;
    /// index.insert(2, "a")?;
    /// assert_eq!(index.ids().collect::<Vec<_>>(), [2, 9]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.store.by_id().map(|(id, _)| id)
    }

    /// Bytes held by the index, approximately: texts, labels, band tables
    /// and boilerplate statistics.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let before = index.memory_usage();
    /// index.insert(1, "A sentence long enough to be indexed as a unit here.")?;
    /// assert!(index.memory_usage() > before);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn memory_usage(&self) -> usize {
        self.memory().total()
    }

    /// [`memory_usage`](Self::memory_usage) by part, with the number of
    /// entries of the run table.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.")?;
    /// let m = index.memory();
    /// assert_eq!(m.total(), index.memory_usage());
    /// assert!(m.run_entries > 0 && m.band_tables == 0); // similar_units is off by default
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn memory(&self) -> Memory {
        Memory {
            texts: self.store.text_memory(),
            texts_on_disk: self.store.texts.disk.as_ref().map_or(0, |d| d.bytes()),
            articles: self.store.memory_usage() - self.store.text_memory(),
            boilerplate: self.counts.memory_usage(),
            band_tables: self.tables.iter().map(Table::memory_usage).sum(),
            run_table: self.runs.memory_usage(),
            run_entries: self.runs.len(),
            bag_tables: self.bags.iter().map(Table::memory_usage).sum::<usize>() + self.bag_stems.memory_usage(),
        }
    }

    /// Merges recent insertions into the sorted tables and frees what
    /// held them: the run table, band tables and boilerplate statistics
    /// keep their latest entries in hash maps until those grow past a
    /// fraction of the sorted arrays (a quarter, an eighth), which costs up
    /// to about a fifth of the index more than the entries themselves.
    /// Call it after the last insertion, before [`pairs`](Self::pairs) or
    /// a run of queries, to give that memory back (the `corpus` example
    /// does; on the 115 MB peer corpus the index goes from 126 to 108 MB).
    /// It changes no result; the merge moves each table once, in place.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// for i in 0..500 {
    ///     let text = format!("Report {i}: the minister met delegation {} in Baku on day {} about item {}.", i * 3, i * 7, i * 13);
    ///     index.insert(i, &text)?;
    /// }
    /// let (before, pairs) = (index.memory_usage(), index.pairs().count());
    /// index.shrink_to_fit();
    /// assert!(index.memory_usage() < before);
    /// assert_eq!(index.pairs().count(), pairs);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn shrink_to_fit(&mut self) {
        for t in self.tables.iter_mut().chain(self.bags.iter_mut()).chain([&mut self.runs]) {
            t.flush();
        }
        self.counts.shrink_to_fit();
        self.store.shrink_to_fit();
        self.bag_stems.shrink_to_fit();
    }

    /// Adds article `id` with its text.
    ///
    /// Fails with [`Error::DuplicateId`] if `id` is already present (the
    /// index is unchanged). Empty or short text is accepted and simply has
    /// no units.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "text")?;
    /// assert!(index.insert(1, "again").is_err());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn insert(&mut self, id: u64, text: &str) -> Result<()> {
        self.insert_labeled(id, "", text)
    }

    /// Adds article `id` with a label (a path, a URL, a title: kept and
    /// saved with the index, never interpreted) and its text.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert_labeled(1, "wire/0001.txt", "text")?;
    /// assert_eq!(index.label(1), Some("wire/0001.txt"));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn insert_labeled(&mut self, id: u64, label: &str, text: &str) -> Result<()> {
        self.insert_many([Article { id, label, text }])
    }

    /// Adds many articles: `(id, text)` or `(id, label, text)` tuples (or
    /// references to them), or [`Article`]s; all or none (a duplicate id,
    /// in the index or in the batch, fails before anything is added).
    /// Articles are fingerprinted a chunk of 4,096 at a time.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert_many(&[(1, "one"), (2, "two")])?;
    /// index.insert_many([(3, "c.txt", "three")])?;
    /// assert_eq!((index.len(), index.label(3)), (3, Some("c.txt")));
    /// assert!(index.insert_many(&[(4, "x"), (4, "y")]).is_err());
    /// assert_eq!(index.len(), 3);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn insert_many<'a, A: Into<Article<'a>>>(&mut self, articles: impl IntoIterator<Item = A>) -> Result<()> {
        self.insert_with(Exec::Sequential, articles)
    }

    /// [`insert_many`](Self::insert_many), fingerprinting each chunk in
    /// parallel on the current rayon pool; the resulting index is identical.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.par_insert_many(&[(1, "a.txt", "one"), (2, "b.txt", "two")])?;
    /// assert_eq!(index.label(1), Some("a.txt"));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_insert_many<'a, A: Into<Article<'a>>>(&mut self, articles: impl IntoIterator<Item = A>) -> Result<()> {
        self.insert_with(Exec::Parallel, articles)
    }

    /// Removes article `id`; returns whether it was present.
    ///
    /// The article's text is read back (from disk, when the index keeps
    /// its texts there) and analysed again, to take its sentences and
    /// paragraphs back out of the boilerplate statistics: the index does
    /// not keep them per article. Should that read fail (an I/O error of
    /// the disk, counted in [`read_errors`](Self::read_errors)), the
    /// article is removed all the same but its counts stay in the
    /// statistics.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "some text")?;
    /// assert!(index.remove(1));
    /// assert!(!index.remove(1));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn remove(&mut self, id: u64) -> bool {
        let slot = self.store.slot_of(id);
        let Some((stored, promoted)) = self.store.remove(id) else {
            return false;
        };
        if let Some(slot) = slot {
            self.bag_stems.remove(slot);
        }
        if let Ok(text) = self.store.text(&stored) {
            self.counts.remove(&self.detector.segment_keys(&self.detector.analyze(&text)));
        }
        self.dead_entries += stored.entries as usize;
        if let Some(next) = promoted {
            // The oldest copy takes the removed article's place in the
            // tables; merging keeps every bucket in slot order.
            let d = &self.detector;
            let keys = self.store.at(next).and_then(|s| self.store.text(s).ok()).map(|text| {
                let analysis = d.analyze(&text);
                let (keys, folded) = d.text_keys_folded(&text, &analysis);
                (keys, folded.unwrap_or_default())
            });
            let entries = keys.map_or(0, |(k, (folded, stems))| {
                self.bag_stems.insert(next, &folded, &k.bag_sentences, &stems);
                self.insert_entries(next, &k)
            });
            self.store.set_entries(next, entries);
            for t in self.tables.iter_mut().chain([&mut self.runs]).chain(&mut self.bags) {
                t.flush();
            }
        }
        let total: usize = self.tables.iter().chain([&self.runs]).chain(&self.bags).map(Table::len).sum();
        if self.dead_entries > 1024 && self.dead_entries * 4 > total {
            let store = &self.store;
            for t in self.tables.iter_mut().chain([&mut self.runs]).chain(&mut self.bags) {
                t.retain_live(|s| store.at(s).is_some());
            }
            self.dead_entries = 0;
        }
        true
    }

    /// Groups of articles whose texts are exact duplicates: the same words
    /// in the same sentences and paragraphs after normalisation (case,
    /// quote and dash forms, spacing and punctuation inside sentences
    /// aside), among articles with at least one unit. The
    /// representative is the member in the band tables (the oldest); the
    /// others take no entries in the tables, do not appear in
    /// [`pairs`](Self::pairs) (a pair with the representative stands for
    /// one with each member) and are listed in [`Match::duplicates`]. Sorted
    /// by representative; members in increasing id order.
    ///
    /// Recognised by a 128-bit hash of the sentence keys when an article
    /// is inserted: no pair of copies is aligned, and however many copies
    /// there are, none is cut by [`max_bucket`](crate::Config::max_bucket).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let story = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.";
    /// index.insert(1, story)?;
    /// index.insert(2, "Unrelated news about the markets closing higher on Friday.")?;
    /// index.insert(3, &story.to_uppercase())?;
    /// let groups = index.exact_duplicates();
    /// assert_eq!(groups.len(), 1);
    /// assert_eq!((groups[0].representative, &groups[0].members[..]), (1, &[1, 3][..]));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn exact_duplicates(&self) -> Vec<Group> {
        self.store.exact_duplicates()
    }

    /// `groups` (near-duplicate groups of articles in the band tables, as
    /// [`group_near_duplicates`] makes them from [`pairs`](Self::pairs))
    /// with every member's exact duplicates added, and each exact-duplicate
    /// class outside every group added as a group of its own: every
    /// article that is a near-duplicate of another is in a group. Sorted by
    /// representative.
    ///
    /// ```
    /// use neardup::group::group_near_duplicates;
    ///
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let story = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.";
    /// index.insert(1, story)?;
    /// index.insert(2, story)?;
    /// let groups = index.with_exact_duplicates(group_near_duplicates(index.pairs().map(|p| (p.a, p.b))));
    /// assert_eq!(groups[0].members, [1, 2]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn with_exact_duplicates(&self, groups: Vec<Group>) -> Vec<Group> {
        self.store.with_exact_duplicates(groups)
    }

    /// The articles that share verified passages with `query`.
    ///
    /// LSH proposes candidate unit pairs; each candidate article is verified
    /// on exact shingle sets (a unit pair with Jaccard or containment at
    /// least the threshold) and aligned with the query
    /// ([`Detector::compare`]). Passages made of boilerplate are left out
    /// (see [`Config::boilerplate_contexts`](crate::Config)). See
    /// [`QueryResult`] for the order.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "Nothing in common with the query at all, not a single sentence.")?;
    /// assert!(index.query("A completely different text about other things entirely.").matches.is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn query(&self, query: &str) -> QueryResult {
        self.queries(Exec::Sequential, &[query]).pop().unwrap_or_default()
    }

    /// [`query`](Self::query), verifying and aligning candidate articles in
    /// parallel on the current rayon pool; the result is identical.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "The same words in the same order make one shared passage here.")?;
    /// let q = "The same words in the same order make one shared passage here.";
    /// assert_eq!(index.par_query(q), index.query(q));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_query(&self, query: &str) -> QueryResult {
        self.queries(Exec::Parallel, &[query]).pop().unwrap_or_default()
    }

    /// [`query`](Self::query) for many texts, in order. Queries are taken
    /// a batch at a time (see [`Index::pairs`] for the bound on a batch's
    /// memory), and an indexed article that is a candidate of several
    /// queries of a batch is analysed once for all of them.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.query_many(&["a", "b"]).len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn query_many(&self, queries: &[&str]) -> Vec<QueryResult> {
        self.queries(Exec::Sequential, queries)
    }

    /// [`query_many`](Self::query_many), each batch probed, prepared and
    /// verified in parallel on the current rayon pool; the result is
    /// identical.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.par_query_many(&["a", "b"]), index.query_many(&["a", "b"]));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_query_many(&self, queries: &[&str]) -> Vec<QueryResult> {
        self.queries(Exec::Parallel, queries)
    }

    /// What the [`max_bucket`](crate::Config::max_bucket) cap cut from
    /// these pairs: known before the first pair, nothing when
    /// [`Saturation::is_empty`].
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert!(index.pairs().saturation().is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn saturation(&self) -> Saturation {
        self.pair_plan(Exec::Sequential).saturation
    }

    /// Every pair of articles that shares at least one verified,
    /// non-boilerplate passage, each pair once (`a < b`), in increasing
    /// `(a, b)` order, computed lazily: memory does not grow with the
    /// number of pairs. Exact duplicates take part through their
    /// representative only (see [`exact_duplicates`](Self::exact_duplicates)):
    /// a pair with it stands for one with each copy, and copies are not
    /// paired with each other. What the bucket cap cut is in
    /// [`Pairs::saturation`].
    ///
    /// The pairs are those [`query`](Self::query) of article `a`'s text
    /// would find among larger ids, but the candidates are read off the
    /// band tables in one pass over them, not by probing: no article is
    /// hashed again, and one without candidates is not even analysed. The
    /// pass keeps, per band, the buckets of two or more live entries (at
    /// most `max_bucket` entries each) and where each article's units are
    /// in them: at most about the size of the band tables, for the whole
    /// iteration. The pairs are then computed a batch of articles at a time
    /// (an article that is a candidate of several articles of a batch is
    /// analysed once for all of them) and yielded in order.
    ///
    /// # Memory
    ///
    /// Besides the plan, a batch holds at most 1024 articles, analysed,
    /// with their candidates (at most `bands × max_bucket` per unit of the
    /// article, deduplicated), closing once they have 65,536 candidate
    /// articles or 2^18 words (about 15 MB prepared) between them, plus
    /// one step of 8 to 64 articles per thread (sized from the candidates
    /// and words per article seen so far); at most that
    /// many reports; and one candidate article analysed at a time per
    /// thread.
    /// So memory is bounded by the batch size and the size of the articles,
    /// not by the number of candidates or pairs (20,000 near-copies of one
    /// article give 2·10⁸ pairs in bounded memory).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.";
    /// index.insert(1, &format!("First story. {s}"))?;
    /// index.insert(2, "Unrelated text about markets and the weather this week.")?;
    /// index.insert(3, &format!("{s} Second story."))?;
    /// let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    /// assert_eq!(pairs, [(1, 3)]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn pairs(&self) -> Pairs<'_> {
        self.all_pairs(Exec::Sequential)
    }

    /// [`pairs`](Self::pairs), with each batch's articles probed, prepared
    /// and verified in parallel on the current rayon pool: the same
    /// algorithm and the same sequence, in the same memory bound.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO.";
    /// index.insert(1, s)?;
    /// index.insert(2, &format!("{s} Then he left."))?;
    /// assert_eq!(index.par_pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_pairs(&self) -> Pairs<'_> {
        self.all_pairs(Exec::Parallel)
    }

    /// Groups of near-duplicate articles: articles whose shared passages
    /// cover at least `min_coverage` of the words of *both* (a story
    /// re-filed with small edits), exact duplicates included (see
    /// [`with_exact_duplicates`](Self::with_exact_duplicates)).
    ///
    /// # Grouping policy
    ///
    /// No transitive closure. Near-duplicate pairs (verified and aligned)
    /// are the edges; articles are taken in order of decreasing number of
    /// near-duplicates (then increasing id); the first article not yet in a
    /// group becomes a representative, and its near-duplicates not yet in a
    /// group join it in increasing id order, each only if it is a verified
    /// near-duplicate of *every* member already in. So every pair inside a
    /// group is a verified edge (a group is a clique): `A ~ B ~ C` with `A`
    /// and `C` unrelated gives `{A, B}` and leaves `C` out, never a chain.
    /// Groups have at least two members; they come sorted by
    /// representative. Each article is in at most one group.
    ///
    /// Fails with [`Error::InvalidArgument`] unless `0 < min_coverage ≤ 1`.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let story = "The minister met the Latvian delegation in Baku on Thursday. \
    ///              They discussed cooperation within NATO and military education programs \
    ///              for officers and cadets from both countries.";
    /// index.insert(1, story)?;
    /// index.insert(2, &story.replace("Thursday", "Friday"))?;
    /// index.insert(3, "Completely different news about the markets closing higher today.")?;
    /// let groups = index.near_duplicate_groups(0.8)?;
    /// assert_eq!(groups.len(), 1);
    /// assert_eq!(groups[0].members, [1, 2]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn near_duplicate_groups(&self, min_coverage: f64) -> Result<Vec<Group>> {
        self.groups(self.pairs(), min_coverage)
    }

    /// [`near_duplicate_groups`](Self::near_duplicate_groups) over
    /// [`par_pairs`](Self::par_pairs); the result is identical.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert!(index.par_near_duplicate_groups(0.8)?.is_empty());
    /// assert!(index.par_near_duplicate_groups(1.5).is_err());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_near_duplicate_groups(&self, min_coverage: f64) -> Result<Vec<Group>> {
        self.groups(self.par_pairs(), min_coverage)
    }
}

impl Detector {
    /// An empty corpus [`Index`] with this detector's configuration.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert!(index.is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn index(&self) -> Index {
        Index::new(self.clone())
    }
}

/// What runs the public methods: insertion, the batch engine for queries
/// and all pairs, grouping.
impl Index {
    fn new(detector: Detector) -> Index {
        let bands = detector.lsh().bands;
        let bags = if detector.config().bag_candidates() { crate::lsh::BAG_LSH.bands } else { 0 };
        Index {
            detector,
            store: Store::default(),
            tables: vec![Table::default(); bands],
            runs: Table::default(),
            bags: vec![Table::default(); bags],
            counts: ContextCounts::default(),
            dead_entries: 0,
            bag_stems: BagStems::default(),
        }
    }

    /// Whether a segment key is boilerplate in this corpus, with the
    /// articles holding it.
    fn boilerplate(&self) -> impl Fn(u64) -> Option<u32> + '_ {
        let min = self.detector.config().boilerplate_contexts;
        move |key| self.counts.boilerplate(key, min)
    }

    fn check_capacity(&self, more: usize) -> Result<()> {
        if self.store.slots() + more > u32::MAX as usize {
            return Err(Error::argument(
                "articles",
                self.store.slots() + more,
                "an index holds at most 2^32 - 1 insertions",
            ));
        }
        Ok(())
    }

    /// Near-duplicate groups from `pairs`.
    fn groups(&self, pairs: Pairs<'_>, min_coverage: f64) -> Result<Vec<Group>> {
        check_coverage(min_coverage)?;
        let edges = pairs.filter(|p| p.is_near_duplicate(min_coverage)).map(|p| (p.a, p.b));
        Ok(self.store.with_exact_duplicates(group_near_duplicates(edges)))
    }
}

fn check_coverage(min_coverage: f64) -> Result<()> {
    if min_coverage > 0.0 && min_coverage <= 1.0 {
        Ok(())
    } else {
        Err(Error::argument("min_coverage", min_coverage, "must be in (0, 1]"))
    }
}

#[cfg(test)]
mod tests;
