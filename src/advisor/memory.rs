//! The memory model of an index's band tables, per unit, from the facts
//! the tables document ([`crate::lsh::MERGED_ENTRY_BYTES`] and the rest).

use crate::lsh::{MERGE_AFTER_ENTRIES, MERGED_ENTRY_BYTES, PENDING_ENTRY_BYTES};

/// Memory an [`Index`](crate::Index) spends on its band tables per indexed
/// unit (a sentence of at least [`Config::min_words`](crate::Config::min_words) words, by default).
///
/// Every unit has one entry per band. Entries first go to a hash map of
/// recent insertions ([`PENDING_ENTRY_BYTES`] each) and are merged into a
/// sorted array ([`MERGED_ENTRY_BYTES`] each) once the map holds more than
/// [`MERGE_AFTER_ENTRIES`] entries or a quarter of the array. The article
/// texts, kept for verification, come on top (about the length of the text
/// in bytes), as do the boilerplate statistics (a 24-byte record per
/// distinct sentence and paragraph key).
///
/// ```
/// let memory = neardup::advisor::advise(0.5, 128)?.memory;
/// assert_eq!(memory.merged_bytes_per_unit, 16 * memory.bands);
/// assert!(memory.small_index_bytes_per_unit > memory.large_index_bytes_per_unit);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IndexMemory {
    /// Bands, hence entries per unit.
    pub bands: usize,
    /// Bytes per unit once merged: `16 · bands`. The floor, reached right
    /// after a merge.
    pub merged_bytes_per_unit: usize,
    /// Bytes per unit in an index of fewer than [`MERGE_AFTER_ENTRIES`]
    /// units, whose entries all wait in hash maps:
    /// `PENDING_ENTRY_BYTES · bands`.
    pub small_index_bytes_per_unit: usize,
    /// Upper bound per unit in an index of more than `4 ·`
    /// [`MERGE_AFTER_ENTRIES`] units, where at most a fifth of the entries
    /// wait in hash maps: `(4 · 16 + 40) / 5 · bands`, rounded up.
    pub large_index_bytes_per_unit: usize,
}

impl IndexMemory {
    /// The band-table memory for `bands` bands.
    ///
    /// ```
    /// let m = neardup::advisor::IndexMemory::for_bands(25);
    /// assert_eq!(m.merged_bytes_per_unit, 400);
    /// ```
    pub fn for_bands(bands: usize) -> IndexMemory {
        IndexMemory {
            bands,
            merged_bytes_per_unit: MERGED_ENTRY_BYTES * bands,
            small_index_bytes_per_unit: PENDING_ENTRY_BYTES * bands,
            large_index_bytes_per_unit: ((4 * MERGED_ENTRY_BYTES + PENDING_ENTRY_BYTES) * bands).div_ceil(5),
        }
    }

    /// Estimated band-table bytes of an index of `units` units, at the
    /// worst point of the merge cycle (the hash maps as full as they get
    /// before the next merge).
    ///
    /// ```
    /// let m = neardup::advisor::IndexMemory::for_bands(25);
    /// assert_eq!(m.table_bytes(1000), 1000 * m.small_index_bytes_per_unit);
    /// assert!(m.table_bytes(10_000_000) <= 10_000_000 * m.large_index_bytes_per_unit);
    /// ```
    pub fn table_bytes(&self, units: usize) -> usize {
        let pending = if units <= MERGE_AFTER_ENTRIES {
            units
        } else {
            // The map is merged once it exceeds max(array / 4, 2^16): at most
            // that many entries wait.
            MERGE_AFTER_ENTRIES.max(units / 5).min(units)
        };
        let merged = units - pending;
        (merged * MERGED_ENTRY_BYTES + pending * PENDING_ENTRY_BYTES) * self.bands
    }
}

/// Measured bytes of text per word (news and documentation in English,
/// spaces and punctuation included): 6.5 on the scale corpus.
pub const TEXT_BYTES_PER_WORD: f64 = 6.5;

/// Measured boilerplate-statistics bytes per word of a corpus whose
/// sentences are mostly its own (one 24-byte record per distinct sentence
/// and paragraph key): 2.75 on the scale corpus. Corpora that repeat
/// sentences need fewer records.
pub const BOILERPLATE_BYTES_PER_WORD: f64 = 2.75;

/// Measured words per sentence that takes entries in the
/// rewritten-candidate tables (a sentence of at least 5 distinct stems of
/// words of 4 characters or more): 25.8 on the peer corpus (21,607
/// news and documentation articles, 17.9 million words, 692,000 such
/// sentences).
pub const WORDS_PER_BAG_SENTENCE: f64 = 25.8;

/// Measured bytes per word of the folded stems an index keeps with its
/// rewritten-candidate tables to judge cues before preparing stored
/// articles (each article's folded vocabulary, 4 bytes per distinct stem,
/// and 4 bytes per distinct stem of each sentence in the tables): 4.8 on
/// the first 1,500 articles of the peer corpus (5.1 MB for 1.07 million
/// words).
pub const BAG_STEM_BYTES_PER_WORD: f64 = 4.8;

/// Measured bytes per article besides its words: id, label (a short one),
/// text position and exact-duplicate class.
pub const ARTICLE_BYTES: u64 = 140;

/// The expected memory of an [`Index`](crate::Index) of a corpus, by
/// part, in bytes, from [`IndexSize::estimate`]: the model the numbers
/// of [`Index::memory`](crate::Index::memory) follow.
///
/// The run table holds one 16-byte entry per distinct winnowed run
/// fingerprint of each article. Robust winnowing with windows of `w`
/// fingerprints keeps about `2 / (w + 1)` of them (Schleimer, Wilkerson
/// and Aiken), `w = min_words − anchor + 1` (8 with the defaults: 0.222
/// per word; 0.207 measured, as repeats within an article count once);
/// between merges, up to a fifth of the entries wait in a hash map at 40
/// bytes, so the estimate is `(4 · 16 + 40) / 5 = 20.8` bytes per entry
/// at worst, 16 right after a merge.
///
/// ```
/// use neardup::advisor::IndexSize;
/// let config = neardup::Config::default();
/// // 200 million words in a million articles, texts on disk.
/// let size = IndexSize::estimate(&config, 200_000_000, 1_000_000, false);
/// assert_eq!(size.texts, 0);
/// assert!(size.total() < 2_600_000_000);
/// let in_memory = IndexSize::estimate(&config, 200_000_000, 1_000_000, true);
/// assert_eq!(in_memory.total() - size.total(), in_memory.texts);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IndexSize {
    /// The run table, at the worst point of its merge cycle.
    pub run_table: u64,
    /// Boilerplate statistics.
    pub boilerplate: u64,
    /// Ids, labels, text positions and exact-duplicate classes (an
    /// article's sentence and paragraph keys are not kept).
    pub articles: u64,
    /// The band tables (none unless [`Config::similar_units`](crate::Config::similar_units)),
    /// counting a unit per 20 words.
    pub band_tables: u64,
    /// The rewritten-candidate tables (none unless
    /// [`Config::rewritten`](crate::Config::rewritten)): 20 entries per
    /// sentence of [`WORDS_PER_BAG_SENTENCE`] words, 320 bytes merged, and
    /// the folded stems kept with them ([`BAG_STEM_BYTES_PER_WORD`]).
    pub bag_tables: u64,
    /// The texts, when kept in memory (0 when they are on disk).
    pub texts: u64,
}

impl IndexSize {
    /// The expected memory of an index of `words` words in `articles`
    /// articles with `config`, its texts in memory or not.
    pub fn estimate(config: &crate::Config, words: u64, articles: u64, texts_in_memory: bool) -> IndexSize {
        let window = config.min_words.saturating_sub(config.anchor()) + 1;
        let entries = words as f64 * 2.0 / (window as f64 + 1.0);
        let worst_entry = (4 * MERGED_ENTRY_BYTES + PENDING_ENTRY_BYTES) as f64 / 5.0;
        let band_tables = if config.similar_units {
            let bands = match config.bands_rows {
                Some((bands, _)) => bands,
                None => crate::LshParams::for_threshold(config.threshold, config.num_hashes).bands,
            };
            IndexMemory::for_bands(bands).table_bytes((words / 20) as usize) as u64
        } else {
            0
        };
        let bag_tables = if config.bag_candidates() {
            let sentences = (words as f64 / WORDS_PER_BAG_SENTENCE) as usize;
            IndexMemory::for_bands(crate::lsh::BAG_LSH.bands).table_bytes(sentences) as u64
                + (words as f64 * BAG_STEM_BYTES_PER_WORD) as u64
        } else {
            0
        };
        IndexSize {
            run_table: (entries * worst_entry) as u64,
            boilerplate: (words as f64 * BOILERPLATE_BYTES_PER_WORD) as u64,
            articles: articles * ARTICLE_BYTES,
            band_tables,
            bag_tables,
            texts: if texts_in_memory { (words as f64 * TEXT_BYTES_PER_WORD) as u64 } else { 0 },
        }
    }

    /// All parts together.
    pub fn total(&self) -> u64 {
        self.run_table + self.boilerplate + self.articles + self.band_tables + self.bag_tables + self.texts
    }
}
