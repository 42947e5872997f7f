//! The corpus: an [`Index`] of many articles by id — insert, remove,
//! query, every pair that shares passages, near-duplicate groups,
//! boilerplate statistics, save and load.
//!
//! An article's units are fingerprinted ([`Detector::units`], MinHash, LSH
//! band keys from [`crate::lsh`]) and entered in one band table per band; a
//! query (or the all-pairs plan) reads candidate unit pairs off the
//! buckets, verifies them on exact shingle sets and aligns the articles
//! ([`crate::score`]).
//!
//! # Index file format (version 2)
//!
//! All integers little-endian.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic `NEARDUPI` |
//! | 8 | 4 | format version ([`FORMAT_VERSION`], 2) |
//! | 12 | 4 | signature version ([`SIGNATURE_VERSION`](crate::fingerprint::SIGNATURE_VERSION)) |
//! | 16 | 4 | Unicode version of the normalisation tables (`major << 16 \| minor << 8 \| patch`) |
//! | 20 | 4 | reserved, 0 |
//! | 24 | 8 | body length in bytes |
//! | 32 | 8 | checksum: `xxh3_64` of the body followed by header bytes 0..32 |
//! | 40 | … | body |
//!
//! The body holds the [`Config`](crate::Config) (every field, so the configuration travels
//! with the index), the LSH bands and rows in use, the articles in insertion
//! order (id, label, text, number of indexed units, and the sentence and
//! context keys of every sentence), then for each band its entries sorted
//! by `(key, article ordinal, unit)`. Loading checks the magic, the
//! versions, that the reserved bytes are zero, the length (a file shorter
//! or longer than the header announces is an error that says which), the
//! checksum (a flipped bit in the body or the header is an error), then
//! every structural invariant (UTF-8 texts, unique ids, sorted entries
//! pointing at existing units, counts that add up) before anything is
//! returned: a bad file never yields a partial index. Loading does not
//! analyse or hash any text.
//!
//! **Version 1** (neardup 0.1 and 0.2) has the same header and body, but
//! its checksum is `xxh3_64` of the body alone. Files of 0.2 still load
//! (their reserved bytes must be zero too; those of 0.1 are refused for
//! their signature version: rebuild them); saving always writes version 2.
//! Any other format version is [`Error::IndexVersion`].

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::detector::Detector;
use crate::error::{Error, Result};
use crate::group::{Group, group_near_duplicates};
use crate::lsh::{Entry, KeyHasher, KeyMap, Table};

mod persist;

use crate::score::{Passage, Report, SeedTable, align_shingles, sorted_set, sorted_similarity};
use crate::text::{Analysis, Segment};
pub use persist::FORMAT_VERSION;
/// An article in the index.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub(crate) id: u64,
    pub(crate) label: Box<str>,
    pub(crate) text: Box<str>,
    /// Number of units of the text an index fingerprints (those with at
    /// least `min_words` words), whether or not the article is in the
    /// tables (an exact duplicate is not).
    pub(crate) units: u32,
    /// `(key, context key)` of every sentence, then of every paragraph,
    /// for boilerplate (see [`segment_keys`]).
    pub(crate) sentences: Box<[(u64, u64)]>,
    /// The article's entries in the band tables (one per band and unit,
    /// less the units that repeat an earlier one; 0 for an exact duplicate
    /// of an earlier article).
    pub(crate) entries: u32,
}

impl Stored {
    pub(crate) fn new(id: u64, label: &str, text: &str, units: u32, sentences: Box<[(u64, u64)]>) -> Stored {
        Stored { id, label: label.into(), text: text.into(), units, sentences, entries: 0 }
    }

    /// The key of the article's exact-duplicate class: a 128-bit hash of
    /// the keys of its sentences and paragraphs, in order (so the same
    /// words in the same sentences and paragraphs after normalisation);
    /// `None` for an article without units, which reuses nothing.
    pub(crate) fn duplicate_key(&self) -> Option<u128> {
        if self.units == 0 {
            return None;
        }
        let mut h = xxhash_rust::xxh3::Xxh3Default::new();
        for &(key, _) in self.sentences.iter() {
            h.update(&key.to_le_bytes());
        }
        Some(h.digest128())
    }
}

/// How often each sentence occurs in each context across the articles.
#[derive(Clone, Debug, Default)]
pub(crate) struct SentenceStats {
    /// Articles holding sentence `s` in context `c`, by `(s, c)`.
    in_context: HashMap<(u64, u64), u32, BuildHasherDefault<KeyHasher>>,
    /// Distinct contexts of sentence `s`.
    contexts: KeyMap<u32>,
}

impl SentenceStats {
    fn add(&mut self, sentences: &[(u64, u64)]) {
        for &(s, c) in dedup_pairs(sentences).iter() {
            let n = self.in_context.entry((s, c)).or_insert(0);
            *n += 1;
            if *n == 1 {
                *self.contexts.entry(s).or_insert(0) += 1;
            }
        }
    }

    fn remove(&mut self, sentences: &[(u64, u64)]) {
        for &(s, c) in dedup_pairs(sentences).iter() {
            if let Some(n) = self.in_context.get_mut(&(s, c)) {
                *n -= 1;
                if *n == 0 {
                    self.in_context.remove(&(s, c));
                    if let Some(k) = self.contexts.get_mut(&s) {
                        *k -= 1;
                        if *k == 0 {
                            self.contexts.remove(&s);
                        }
                    }
                }
            }
        }
    }

    fn contexts(&self, sentence: u64) -> usize {
        self.contexts.get(&sentence).map_or(0, |&n| n as usize)
    }
}

fn dedup_pairs(v: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// The `(key, context key)` of each segment: the key hashes the segment's
/// words (so it is the same text whatever its punctuation, case or spacing)
/// salted by `salt`; the context key hashes the keys of the segments before
/// and after it (0 at the edges of the article).
fn keys_in_context(analysis: &Analysis, segments: &[Segment], seed: u64, salt: u64) -> Vec<(u64, u64)> {
    let mut buf = Vec::new();
    let keys: Vec<u64> = segments
        .iter()
        .map(|s| {
            buf.clear();
            for t in &analysis.tokens[s.tokens.clone()] {
                buf.extend_from_slice(&t.hash.to_le_bytes());
            }
            xxh3_64_with_seed(&buf, seed ^ salt)
        })
        .collect();
    (0..keys.len())
        .map(|i| {
            let prev = if i > 0 { keys[i - 1] } else { 0 };
            let next = keys.get(i + 1).copied().unwrap_or(0);
            let mut ctx = [0u8; 16];
            ctx[..8].copy_from_slice(&prev.to_le_bytes());
            ctx[8..].copy_from_slice(&next.to_le_bytes());
            (keys[i], xxh3_64_with_seed(&ctx, seed))
        })
        .collect()
}

/// A segment's key and its context key.
pub(crate) type KeyInContext = (u64, u64);

const SENTENCE_SALT: u64 = 0x5e47_e4ce;
const PARAGRAPH_SALT: u64 = 0x9a7a_96a9;

/// The `(key, context key)` pairs of an analysis: one per sentence (in the
/// context of its neighbouring sentences), then one per paragraph (in the
/// context of its neighbouring paragraphs). Paragraph contexts catch a
/// boilerplate paragraph of several sentences, whose inner sentences always
/// have the same neighbours.
pub(crate) fn segment_keys(analysis: &Analysis, seed: u64) -> (Vec<KeyInContext>, Vec<KeyInContext>) {
    (
        keys_in_context(analysis, &analysis.sentences, seed, SENTENCE_SALT),
        keys_in_context(analysis, &analysis.paragraphs, seed, PARAGRAPH_SALT),
    )
}

/// One indexed article that a query reuses from (or that reuses from it).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Match {
    /// The article's id, as given to [`Index::insert`].
    pub id: u64,
    /// The highest exact similarity (Jaccard or containment) of a candidate
    /// unit pair that LSH proposed and verification accepted.
    pub unit_similarity: f64,
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
}

/// What the [`max_bucket`](crate::Config::max_bucket) cap cut from
/// [`Index::pairs`]: buckets holding more live articles than the cap, whose
/// later entries no article probing the bucket sees.
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
}

impl Saturation {
    /// Whether the cap cut nothing.
    ///
    /// ```
    /// assert!(neardup::corpus::Saturation::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.buckets == 0
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
    /// The highest verified unit similarity that made them candidates.
    pub unit_similarity: f64,
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
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning.";
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

/// A corpus of articles, indexed by the LSH band keys of their units, to
/// find which articles reuse passages from which.
///
/// Build it with [`Detector::index`] or [`Index::load`]. Articles are kept
/// (their text, for verification and alignment), so reports are computed
/// on the real text, and [`remove`](Self::remove) is exact.
///
/// # Resource usage
///
/// Per article: its text and label, 16 bytes per sentence (boilerplate
/// statistics, plus about 40 bytes per distinct sentence and context in
/// hash maps), and one 16-byte entry per unit and band in the band tables
/// (with the defaults, 25 bands: 400 bytes per sentence of at least
/// `min_words` words). A query analyses the query text, probes `bands`
/// buckets per unit (each capped at `max_bucket` live entries), then
/// verifies and aligns each candidate article once: its cost does not grow
/// with the size of a bucket beyond the cap.
///
/// ```
/// let detector = neardup::Detector::builder().build()?;
/// let mut index = detector.index();
/// index.insert(1, "The minister met the delegation in Baku on Tuesday to discuss security cooperation.")?;
/// index.insert(2, "Markets closed higher on Friday after a week of strong trading in technology shares.")?;
/// let result = index.query("Officials said the minister met the delegation in Baku on Tuesday to discuss security cooperation.");
/// assert_eq!(result.matches.len(), 1);
/// assert_eq!(result.matches[0].id, 1);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Index {
    pub(crate) detector: Detector,
    /// Articles by slot (insertion order); `None` once removed.
    pub(crate) slots: Vec<Option<Stored>>,
    pub(crate) ids: BTreeMap<u64, u32>,
    pub(crate) tables: Vec<Table>,
    pub(crate) stats: SentenceStats,
    dead_entries: usize,
    /// The slot in the tables of each exact-duplicate class (see
    /// [`Stored::duplicate_key`]): its oldest live member.
    classes: HashMap<u128, u32, BuildHasherDefault<KeyHasher>>,
    /// The other live members (slots, oldest first) of each class with
    /// more than one, by the slot in the tables.
    copies: BTreeMap<u32, Vec<u32>>,
}

/// An article prepared for insertion: everything but the slot.
struct Prepared {
    stored: Stored,
    keys: Vec<u64>,
    /// [`unit_hash`] of each unit.
    unit_hashes: Vec<u64>,
}

/// A hash of a unit's words (their hashes, in order): two units of one
/// article with the same hash are the same words, so the same shingles,
/// signature and band keys.
fn unit_hash(analysis: &Analysis, unit: &Segment) -> u64 {
    let mut buf = Vec::with_capacity(8 * unit.tokens.len());
    for t in analysis.tokens.get(unit.tokens.clone()).unwrap_or_default() {
        buf.extend_from_slice(&t.hash.to_le_bytes());
    }
    xxh3_64_with_seed(&buf, 0x0e9a_17e5)
}

/// Per unit, the first unit of the same article with the same words (see
/// [`unit_hash`]) that `probes` accepts, if any: among repeated units,
/// that one probes for all of them (their candidates would verify alike).
fn first_alike(hashes: &[u64], mut probes: impl FnMut(usize) -> bool) -> Vec<Option<u32>> {
    let mut sorted: Vec<(u64, u32)> = hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    sorted.sort_unstable();
    let mut out = vec![None; hashes.len()];
    // Each group of equal hashes is in unit order.
    for group in sorted.chunk_by(|x, y| x.0 == y.0) {
        let first = group.iter().map(|&(_, i)| i).find(|&i| probes(i as usize));
        for &(_, i) in group {
            out[i as usize] = first;
        }
    }
    out
}

/// One article prepared for verification and alignment: analysed once,
/// then shared by every comparison it takes part in.
struct Side {
    analysis: Analysis,
    /// The shingles of the whole text (the configured shingle size and
    /// seed): alignment walks them, and a unit's shingles are a slice of
    /// them.
    shingles: Vec<u64>,
    /// The units the index fingerprints ([`Index::units`]).
    units: Vec<Segment>,
    /// The stored article's slot, whose segment keys give the boilerplate
    /// mask without hashing the text again; `None` for a query text.
    slot: Option<u32>,
    /// Per token: inside a boilerplate sentence or paragraph (on demand).
    boiler: OnceLock<Vec<bool>>,
    /// The seed table of `shingles`, built when this side is the second
    /// text of an alignment.
    table: OnceLock<SeedTable>,
}

/// The query side of a comparison, analysed once.
struct Probe {
    side: Side,
    /// Band keys of every probing unit, unit after unit.
    keys: Vec<u64>,
    /// Sorted shingle sets of the same units (empty for a unit that does
    /// not probe).
    unit_sets: Vec<Vec<u64>>,
}

/// One query of a batch: its text, probe and candidates.
#[cfg(feature = "rayon")]
struct Pending<'t> {
    /// The query's id, for [`Index::par_pairs`] (0 otherwise).
    id: u64,
    text: &'t str,
    probe: Probe,
    cands: Vec<(u64, Cand)>,
}

#[cfg(feature = "rayon")]
impl Pending<'_> {
    /// Candidate articles (groups of candidates).
    fn groups(&self) -> usize {
        self.cands.chunk_by(|x, y| x.0 == y.0).count()
    }
}

/// Stored articles analysed at once by a batch of queries (bounds the
/// memory of [`Index::par_check_batch`]).
#[cfg(feature = "rayon")]
const MAX_SIDES: usize = 1024;

/// Most queries in one batch of [`Index::par_pairs`] and
/// [`Index::par_query_many`]: a stored article that is a candidate of
/// several queries of one batch is analysed once for all of them.
#[cfg(feature = "rayon")]
const QUERY_CHUNK: usize = 1024;

/// A batch closes once its queries have this many candidate articles
/// between them: each becomes at most one report, so this bounds the
/// reports a batch holds, whatever the number of candidates per query.
#[cfg(feature = "rayon")]
const GROUP_BUDGET: usize = 16_384;

/// The next batch of items `*at..`, probed in parallel a step at a time,
/// until it holds [`QUERY_CHUNK`] items or [`GROUP_BUDGET`] candidate
/// articles (as `groups` counts them). A step is 8 to 64 items per thread,
/// sized from the candidate articles per item seen so far in the batch
/// (the first is 8 per thread), so a batch exceeds the budget by one step
/// at most. Batches depend on the thread count; results computed from
/// them do not.
#[cfg(feature = "rayon")]
fn par_batch<T: Send>(
    at: &mut usize,
    n: usize,
    probe: impl Fn(usize) -> T + Sync + Send,
    groups: impl Fn(&T) -> usize,
) -> Vec<T> {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads().max(1);
    let (mut batch, mut total) = (Vec::new(), 0);
    while *at < n && batch.len() < QUERY_CHUNK && total < GROUP_BUDGET {
        let step = match batch.len() {
            0 => 8 * threads,
            len => ((GROUP_BUDGET - total) / total.div_ceil(len).max(1)).clamp(8 * threads, 64 * threads),
        };
        let end = (*at + step).min(n).min(*at + QUERY_CHUNK - batch.len());
        let probed: Vec<T> = (*at..end).into_par_iter().map(&probe).collect();
        *at = end;
        for t in probed {
            total += groups(&t);
            batch.push(t);
        }
    }
    batch
}

/// Candidate `(stored slot, stored unit, probe unit)`.
type Cand = (u32, u32, u32);

/// The candidates of [`Index::pairs`], read off the band tables instead of
/// probing them article by article.
///
/// Article `a`'s probe of `pairs` looks up the key of each of its units
/// `q` in each band; that key is the key `(a, q)` was inserted under (the
/// same text, analysis and signature), so the bucket the probe reads is
/// the bucket that holds `(a, q)` itself. A probe sees the first
/// `max_bucket` live entries of the bucket (its *visible* entries, the
/// same for every probe of the bucket) and keeps those of articles with a
/// larger id. So one pass over each band gives, for every live entry
/// `(a, q)`, the visible entries it would keep: a [`BandPlan`] records
/// them per bucket, and per `(a, q)` a reference to its bucket, without
/// analysing or hashing any article. What the pass cannot know is whether
/// `q` is boilerplate (or has no shingles), in which case the probe would
/// not look: [`Index::pair_probe`] drops those candidates once the article
/// is analysed for verification.
///
/// Memory: per band, the visible entries (8 bytes each, `max_bucket` at
/// most per bucket) of each bucket of two or more live entries, an 8-byte
/// reference per live entry of such a bucket that sees a larger id, and 4
/// bytes per article: at most about the size of the band tables (their
/// duplicated part only: 130 MB beside 300 MB of tables on a corpus of
/// 21,607 news articles), and independent of the number of candidate
/// pairs, which are made one article at a time.
struct PairPlan {
    /// `(id, slot)` of the live articles in increasing id order; an
    /// article's rank is its position here.
    by_rank: Vec<(u64, u32)>,
    bands: Vec<BandPlan>,
    /// What the bucket cap cut.
    saturation: Saturation,
}

/// One band of a [`PairPlan`].
#[derive(Default)]
struct BandPlan {
    /// The visible `(rank, unit)` entries of each bucket that gives
    /// candidates, sorted by rank, bucket after bucket.
    seen: Vec<(u32, u32)>,
    /// Bucket `b`'s visible entries are `seen[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    /// `(unit, bucket)` of every live entry whose bucket has a visible
    /// entry of a larger rank, by rank: rank `r`'s are
    /// `probes[offsets[r]..offsets[r + 1]]`.
    probes: Vec<(u32, u32)>,
    offsets: Vec<u32>,
    /// Buckets past the cap and their entries past it.
    saturated: (usize, usize),
    /// Bit per rank: the article has an entry past the cap in this band.
    cut: Vec<u64>,
}

/// Rank of a removed slot in [`Index::band_plan`].
const NO_RANK: u32 = u32::MAX;

impl PairPlan {
    fn new(by_rank: Vec<(u64, u32)>, mut bands: Vec<BandPlan>) -> PairPlan {
        let mut saturation = Saturation::default();
        let mut cut = vec![0u64; by_rank.len().div_ceil(64)];
        for b in &mut bands {
            saturation.buckets += b.saturated.0;
            saturation.entries += b.saturated.1;
            for (c, x) in cut.iter_mut().zip(std::mem::take(&mut b.cut)) {
                *c |= x;
            }
        }
        saturation.articles = cut.iter().map(|c| c.count_ones() as usize).sum();
        PairPlan { by_rank, bands, saturation }
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

impl BandPlan {
    /// Adds one bucket (`live`: its live entries, in bucket order, as
    /// `(rank, unit)`), and its `(rank, unit, bucket)` references to
    /// `probes`.
    fn add(&mut self, live: &[(u32, u32)], cap: usize, probes: &mut Vec<(u32, u32, u32)>) {
        if live.len() < 2 {
            return;
        }
        if live.len() > cap {
            self.saturated.0 += 1;
            self.saturated.1 += live.len() - cap;
            for &(rank, _) in &live[cap..] {
                self.cut[rank as usize / 64] |= 1 << (rank % 64);
            }
        }
        let visible = &live[..live.len().min(cap)];
        let top = visible.iter().map(|v| v.0).max().unwrap_or(0);
        let bucket = self.starts.len() as u32 - 1;
        let before = probes.len();
        probes.extend(live.iter().filter(|e| e.0 < top).map(|&(rank, unit)| (rank, unit, bucket)));
        if probes.len() > before {
            let at = self.seen.len();
            self.seen.extend_from_slice(visible);
            self.seen[at..].sort_unstable();
            self.starts.push(self.seen.len() as u32);
        }
    }

    /// `(unit, bucket)` of the units of the article of rank `rank` that
    /// have candidates in this band.
    fn probes_of(&self, rank: u32) -> &[(u32, u32)] {
        &self.probes[self.offsets[rank as usize] as usize..self.offsets[rank as usize + 1] as usize]
    }

    /// The visible entries of `bucket` with a rank above `rank`.
    fn visible_after(&self, bucket: u32, rank: u32) -> &[(u32, u32)] {
        let seen = &self.seen[self.starts[bucket as usize] as usize..self.starts[bucket as usize + 1] as usize];
        &seen[seen.partition_point(|s| s.0 <= rank)..]
    }
}

impl Index {
    pub(crate) fn new(detector: Detector) -> Index {
        let bands = detector.lsh().bands;
        Index {
            detector,
            slots: Vec::new(),
            ids: BTreeMap::new(),
            tables: vec![Table::default(); bands],
            stats: SentenceStats::default(),
            dead_entries: 0,
            classes: HashMap::default(),
            copies: BTreeMap::new(),
        }
    }

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
        self.ids.len()
    }

    /// Whether the index holds no article.
    ///
    /// ```
    /// assert!(neardup::Detector::builder().build()?.index().is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn stored(&self, id: u64) -> Option<&Stored> {
        self.ids.get(&id).and_then(|&s| self.slots[s as usize].as_ref())
    }

    /// The text of article `id`, if present.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(3, "some text")?;
    /// assert_eq!(index.get(3), Some("some text"));
    /// assert_eq!(index.get(4), None);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn get(&self, id: u64) -> Option<&str> {
        self.stored(id).map(|d| &*d.text)
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
        self.stored(id).map(|d| &*d.label)
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
        self.ids.keys().copied()
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
        let docs: usize = self
            .slots
            .iter()
            .flatten()
            .map(|d| std::mem::size_of::<Stored>() + d.text.len() + d.label.len() + 16 * d.sentences.len())
            .sum();
        let tables: usize = self.tables.iter().map(Table::memory_usage).sum();
        let stats = 40 * (self.stats.in_context.capacity() + self.stats.contexts.capacity());
        let classes = 24 * self.classes.capacity() + self.copies.values().map(|c| 40 + 4 * c.capacity()).sum::<usize>();
        docs + tables + stats + classes + 8 * self.slots.capacity() + 40 * self.ids.len()
    }

    fn prepare(&self, id: u64, label: &str, text: &str) -> Prepared {
        let d = &self.detector;
        let analysis = d.analyze(text);
        let units = self.units(&analysis);
        let keys: Vec<u64> = units.iter().flat_map(|u| d.band_keys(&d.signature(&analysis, u))).collect();
        let unit_hashes = units.iter().map(|u| unit_hash(&analysis, u)).collect();
        let (mut sentences, paragraphs) = segment_keys(&analysis, d.config().seed);
        sentences.extend(paragraphs);
        let stored = Stored::new(id, label, text, units.len() as u32, sentences.into_boxed_slice());
        Prepared { stored, keys, unit_hashes }
    }

    /// The units an index fingerprints: the detector's units with at least
    /// `min_words` words (a shorter one cannot be a passage on its own).
    fn units(&self, analysis: &Analysis) -> Vec<crate::text::Segment> {
        let min = self.detector.config().min_words;
        self.detector.units(analysis).into_iter().filter(|u| u.tokens.len() >= min).collect()
    }

    fn check_new(&self, id: u64) -> Result<()> {
        if self.ids.contains_key(&id) { Err(Error::DuplicateId { id }) } else { Ok(()) }
    }

    fn commit(&mut self, mut p: Prepared) {
        let slot = self.slots.len() as u32;
        self.stats.add(&p.stored.sentences);
        self.ids.insert(p.stored.id, slot);
        let copy_of = self.join_class(&p.stored, slot);
        if copy_of.is_none() {
            p.stored.entries = self.insert_entries(slot, &p.keys, &p.unit_hashes);
        }
        self.slots.push(Some(p.stored));
    }

    /// Adds the article at `slot` to its exact-duplicate class; returns
    /// the slot in the tables of the class if it already had one (the
    /// article is then a copy and takes no entries).
    fn join_class(&mut self, stored: &Stored, slot: u32) -> Option<u32> {
        let key = stored.duplicate_key()?;
        match self.classes.get(&key) {
            Some(&first) => {
                self.copies.entry(first).or_default().push(slot);
                Some(first)
            }
            None => {
                self.classes.insert(key, slot);
                None
            }
        }
    }

    /// Inserts the band keys of the article at `slot` (`bands` keys per
    /// unit, unit after unit), skipping a unit with the same words as an
    /// earlier one of the article (`unit_hashes`): a sentence repeated a
    /// thousand times takes the entries of one, and fills no bucket by
    /// itself. Returns the number of entries.
    fn insert_entries(&mut self, slot: u32, keys: &[u64], unit_hashes: &[u64]) -> u32 {
        let bands = self.tables.len();
        let first = first_alike(unit_hashes, |_| true);
        let mut entries = 0u32;
        for (unit, unit_keys) in keys.chunks_exact(bands).enumerate() {
            if first[unit] != Some(unit as u32) {
                continue;
            }
            for (table, &key) in self.tables.iter_mut().zip(unit_keys) {
                table.insert(Entry { key, slot, unit: unit as u32 });
                entries += 1;
            }
        }
        entries
    }

    /// Records a loaded article (the next slot) in the ids, boilerplate
    /// statistics and exact-duplicate classes; whether it is in the tables
    /// (the first of its class, or in none).
    pub(crate) fn push_loaded(&mut self, stored: Stored) -> bool {
        let slot = self.slots.len() as u32;
        self.stats.add(&stored.sentences);
        self.ids.insert(stored.id, slot);
        let indexed = self.join_class(&stored, slot).is_none();
        self.slots.push(Some(stored));
        indexed
    }

    /// Sets the entry counts of loaded articles from their tables.
    pub(crate) fn count_loaded_entries(&mut self) {
        for t in &self.tables {
            for e in t.live_entries() {
                if let Some(s) = self.slots.get_mut(e.slot as usize).and_then(Option::as_mut) {
                    s.entries += 1;
                }
            }
        }
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
        self.check_new(id)?;
        self.check_capacity(1)?;
        let p = self.prepare(id, label, text);
        self.commit(p);
        Ok(())
    }

    fn check_capacity(&self, more: usize) -> Result<()> {
        if self.slots.len() + more > u32::MAX as usize {
            return Err(Error::argument(
                "articles",
                self.slots.len() + more,
                "an index holds at most 2^32 - 1 insertions",
            ));
        }
        Ok(())
    }

    fn check_batch(&self, ids: impl ExactSizeIterator<Item = u64>) -> Result<()> {
        let n = ids.len();
        let mut seen = std::collections::BTreeSet::new();
        for id in ids {
            self.check_new(id)?;
            if !seen.insert(id) {
                return Err(Error::DuplicateId { id });
            }
        }
        self.check_capacity(n)
    }

    /// Adds many articles; all or none (a duplicate id, in the index or in
    /// the batch, fails before anything is added).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert_many(&[(1, "one"), (2, "two")])?;
    /// assert_eq!(index.len(), 2);
    /// assert!(index.insert_many(&[(3, "x"), (3, "y")]).is_err());
    /// assert_eq!(index.len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn insert_many(&mut self, articles: &[(u64, &str)]) -> Result<()> {
        self.check_batch(articles.iter().map(|a| a.0))?;
        for &(id, text) in articles {
            let p = self.prepare(id, "", text);
            self.commit(p);
        }
        Ok(())
    }

    /// [`insert_many`](Self::insert_many) with a label per article
    /// (`(id, label, text)`, see [`insert_labeled`](Self::insert_labeled)).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert_many_labeled(&[(1, "a.txt", "one"), (2, "b.txt", "two")])?;
    /// assert_eq!(index.label(2), Some("b.txt"));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn insert_many_labeled(&mut self, articles: &[(u64, &str, &str)]) -> Result<()> {
        self.check_batch(articles.iter().map(|a| a.0))?;
        for &(id, label, text) in articles {
            let p = self.prepare(id, label, text);
            self.commit(p);
        }
        Ok(())
    }

    /// [`insert_many_labeled`](Self::insert_many_labeled), fingerprinting
    /// in parallel on the current rayon pool; the resulting index is
    /// identical.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.par_insert_many_labeled(&[(1, "a.txt", "one"), (2, "b.txt", "two")])?;
    /// assert_eq!(index.label(1), Some("a.txt"));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_insert_many_labeled(&mut self, articles: &[(u64, &str, &str)]) -> Result<()> {
        use rayon::prelude::*;
        self.check_batch(articles.iter().map(|a| a.0))?;
        for chunk in articles.chunks(4096) {
            let prepared: Vec<Prepared> =
                chunk.par_iter().map(|&(id, label, text)| self.prepare(id, label, text)).collect();
            for p in prepared {
                self.commit(p);
            }
        }
        Ok(())
    }

    /// [`insert_many`](Self::insert_many), fingerprinting the articles in
    /// parallel on the current rayon pool; the resulting index is identical.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.par_insert_many(&[(1, "one"), (2, "two")])?;
    /// assert_eq!(index.len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_insert_many(&mut self, articles: &[(u64, &str)]) -> Result<()> {
        use rayon::prelude::*;
        self.check_batch(articles.iter().map(|a| a.0))?;
        // Fingerprint in bounded chunks so that the prepared copies never
        // hold more than a slice of the batch at once.
        for chunk in articles.chunks(4096) {
            let prepared: Vec<Prepared> = chunk.par_iter().map(|&(id, text)| self.prepare(id, "", text)).collect();
            for p in prepared {
                self.commit(p);
            }
        }
        Ok(())
    }

    /// Removes article `id`; returns whether it was present.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "some text")?;
    /// assert!(index.remove(1));
    /// assert!(!index.remove(1));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn remove(&mut self, id: u64) -> bool {
        let Some(slot) = self.ids.remove(&id) else {
            return false;
        };
        if let Some(stored) = self.slots[slot as usize].take() {
            self.stats.remove(&stored.sentences);
            self.dead_entries += stored.entries as usize;
            if let Some(key) = stored.duplicate_key() {
                self.leave_class(key, slot);
            }
        }
        let total: usize = self.tables.iter().map(Table::len).sum();
        if self.dead_entries > 1024 && self.dead_entries * 4 > total {
            let slots = &self.slots;
            for t in &mut self.tables {
                t.retain_live(|s| slots[s as usize].is_some());
            }
            self.dead_entries = 0;
        }
        true
    }

    /// Takes the removed article at `slot` out of its exact-duplicate
    /// class. If it was the class's article in the tables and the class
    /// has copies, the oldest copy takes its place: its band keys are
    /// computed and inserted, and the tables merged, so that every bucket
    /// stays in slot order.
    fn leave_class(&mut self, key: u128, slot: u32) {
        if self.classes.get(&key) == Some(&slot) {
            let Some(mut rest) = self.copies.remove(&slot) else {
                self.classes.remove(&key);
                return;
            };
            let next = rest.remove(0);
            if !rest.is_empty() {
                self.copies.insert(next, rest);
            }
            self.classes.insert(key, next);
            let text = self.slots[next as usize].as_ref().map(|s| s.text.clone()).unwrap_or_default();
            let p = self.prepare(0, "", &text);
            let entries = self.insert_entries(next, &p.keys, &p.unit_hashes);
            if let Some(s) = self.slots[next as usize].as_mut() {
                s.entries = entries;
            }
            for t in &mut self.tables {
                t.flush();
            }
        } else if let Some(&first) = self.classes.get(&key)
            && let Some(rest) = self.copies.get_mut(&first)
        {
            rest.retain(|&s| s != slot);
            if rest.is_empty() {
                self.copies.remove(&first);
            }
        }
    }

    /// Whether the article at `slot` is an exact duplicate of an older one
    /// (not in the tables).
    #[cfg(test)]
    fn is_copy(&self, slot: u32) -> bool {
        let key = self.slots[slot as usize].as_ref().and_then(Stored::duplicate_key);
        key.is_some_and(|k| self.classes.get(&k) != Some(&slot))
    }

    /// The exact duplicates of the article at `slot` in the tables
    /// (increasing ids).
    fn duplicates_of(&self, slot: u32) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .copies
            .get(&slot)
            .map(|c| c.iter().filter_map(|&s| self.slots[s as usize].as_ref().map(|d| d.id)).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
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
    /// let story = "The minister met the Latvian delegation in Baku on Thursday morning.";
    /// index.insert(1, story)?;
    /// index.insert(2, "Unrelated news about the markets closing higher on Friday.")?;
    /// index.insert(3, &story.to_uppercase())?;
    /// let groups = index.exact_duplicates();
    /// assert_eq!(groups.len(), 1);
    /// assert_eq!((groups[0].representative, &groups[0].members[..]), (1, &[1, 3][..]));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn exact_duplicates(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = self
            .copies
            .iter()
            .filter_map(|(&first, _)| {
                let representative = self.slots[first as usize].as_ref()?.id;
                let mut members = self.duplicates_of(first);
                members.push(representative);
                members.sort_unstable();
                Some(Group { representative, members })
            })
            .collect();
        groups.sort_by_key(|g| g.representative);
        groups
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
    /// let story = "The minister met the Latvian delegation in Baku on Thursday morning.";
    /// index.insert(1, story)?;
    /// index.insert(2, story)?;
    /// let groups = index.with_exact_duplicates(group_near_duplicates(index.pairs().map(|p| (p.a, p.b))));
    /// assert_eq!(groups[0].members, [1, 2]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn with_exact_duplicates(&self, groups: Vec<Group>) -> Vec<Group> {
        let mut grouped = std::collections::BTreeSet::new();
        let mut out: Vec<Group> = groups
            .into_iter()
            .map(|mut g| {
                let extra: Vec<u64> = g
                    .members
                    .iter()
                    .filter_map(|id| self.ids.get(id))
                    .flat_map(|&slot| self.duplicates_of(slot))
                    .collect();
                grouped.extend(g.members.iter().copied());
                g.members.extend(extra);
                g.members.sort_unstable();
                g.members.dedup();
                g
            })
            .collect();
        out.extend(self.exact_duplicates().into_iter().filter(|g| !grouped.contains(&g.representative)));
        out.sort_by_key(|g| g.representative);
        out
    }

    fn is_boilerplate_sentence(&self, key: u64) -> bool {
        let min = self.detector.config().boilerplate_contexts;
        min > 0 && self.stats.contexts(key) >= min
    }

    /// Analyses `text` (stored at `slot`, if it is) for comparisons.
    fn side(&self, text: &str, slot: Option<u32>) -> Side {
        let d = &self.detector;
        let analysis = d.analyze(text);
        let shingles = crate::fingerprint::shingles(&analysis.tokens, d.config().shingle_size, d.config().seed);
        let units = self.units(&analysis);
        Side { analysis, shingles, units, slot, boiler: OnceLock::new(), table: OnceLock::new() }
    }

    /// The shingles of `unit` of `side`: the slice of the text's shingles
    /// that [`Detector::unit_shingles`] computes.
    fn unit_shingles<'s>(&self, side: &'s Side, unit: &Segment) -> std::borrow::Cow<'s, [u64]> {
        let k = self.detector.config().shingle_size;
        let t = &unit.tokens;
        match side.shingles.get(t.start..(t.end + 1).saturating_sub(k)) {
            Some(sh) if t.len() >= k && t.end <= side.analysis.tokens.len() => std::borrow::Cow::Borrowed(sh),
            _ => std::borrow::Cow::Owned(self.detector.unit_shingles(&side.analysis, unit)),
        }
    }

    /// The boilerplate mask of `side`, computed once.
    fn boiler<'s>(&self, side: &'s Side) -> &'s [bool] {
        side.boiler.get_or_init(|| {
            let keys = side.slot.and_then(|s| self.slots[s as usize].as_ref()).map(|st| &*st.sentences);
            self.boilerplate_mask(&side.analysis, keys)
        })
    }

    /// Analyses `text` (stored at `slot`, if it is) as the probing side of
    /// a query.
    fn probe(&self, text: &str, slot: Option<u32>) -> Probe {
        let d = &self.detector;
        let side = self.side(text, slot);
        let boiler = self.boiler(&side);
        let mut keys = Vec::new();
        let mut unit_sets = Vec::new();
        for u in &side.units {
            let sh = self.unit_shingles(&side, u);
            keys.extend(d.band_keys(&d.minhasher().signature(sh.iter().copied())));
            // Boilerplate units do not look for candidates.
            if boiler[u.tokens.clone()].iter().all(|&b| b) {
                unit_sets.push(Vec::new());
            } else {
                unit_sets.push(sorted_set(&sh));
            }
        }
        Probe { side, keys, unit_sets }
    }

    /// Candidate unit pairs, sorted by stored article id, and the number
    /// of saturated buckets and of the entries they held past the cap.
    /// `accept` filters stored slots.
    ///
    /// Units that probe (not boilerplate, with shingles) do, except one
    /// with the same words as an earlier one that probes (see
    /// [`first_alike`]): its candidates would verify alike. The list is
    /// deduplicated as it grows, so it holds at most twice the distinct
    /// candidates plus one unit's worth.
    fn candidates(&self, probe: &Probe, accept: impl Fn(&Stored) -> bool) -> (Vec<(u64, Cand)>, usize, usize) {
        let bands = self.tables.len();
        let cap = self.detector.config().max_bucket;
        let mut out = Vec::new();
        let (mut saturated, mut skipped) = (0, 0);
        let hashes: Vec<u64> = probe.side.units.iter().map(|u| unit_hash(&probe.side.analysis, u)).collect();
        let first = first_alike(&hashes, |q| !probe.unit_sets[q].is_empty());
        let mut compact_at = 1 << 16;
        for (qunit, keys) in probe.keys.chunks_exact(bands).enumerate() {
            if first[qunit] != Some(qunit as u32) {
                continue;
            }
            for (table, &key) in self.tables.iter().zip(keys) {
                let mut live = 0;
                for (slot, unit) in table.bucket(key) {
                    let Some(stored) = self.slots[slot as usize].as_ref() else { continue };
                    live += 1;
                    if live > cap {
                        continue;
                    }
                    if accept(stored) {
                        out.push((stored.id, (slot, unit, qunit as u32)));
                    }
                }
                if live > cap {
                    saturated += 1;
                    skipped += live - cap;
                }
            }
            if out.len() >= compact_at {
                out.sort_unstable();
                out.dedup();
                compact_at = compact_at.max(2 * out.len());
            }
        }
        out.sort_unstable();
        out.dedup();
        out.shrink_to_fit();
        (out, saturated, skipped)
    }

    /// Verifies the candidate units of one article (`stored`, prepared as
    /// `side`) and aligns it with the probe if any pair passes; `None` if
    /// nothing non-boilerplate is shared.
    fn check(
        &self,
        query: &str,
        probe: &Probe,
        stored: &str,
        side: &Side,
        group: &[(u64, Cand)],
    ) -> Option<(f64, Report)> {
        let mut sets: Vec<Option<Vec<u64>>> = vec![None; side.units.len()];
        let mut best = 0.0f64;
        for &(_, (_, su, qu)) in group {
            let (Some(s), Some(q)) = (side.units.get(su as usize), probe.unit_sets.get(qu as usize)) else {
                continue;
            };
            let set = sets[su as usize].get_or_insert_with(|| sorted_set(&self.unit_shingles(side, s)));
            best = best.max(sorted_similarity(q, set).max());
        }
        if best < self.detector.config().threshold {
            return None;
        }
        let full = self.compare_sides(query, &probe.side, stored, side);
        let report = self.split_boilerplate(full, self.boiler(&probe.side), self.boiler(side));
        if report.passages.is_empty() {
            return None;
        }
        Some((best, report))
    }

    /// [`check`](Self::check) of one candidate group, preparing its stored
    /// article.
    fn check_group(&self, query: &str, probe: &Probe, group: &[(u64, Cand)]) -> Option<(f64, Report)> {
        let (_, (slot, _, _)) = group[0];
        let stored = self.slots[slot as usize].as_ref()?;
        self.check(query, probe, &stored.text, &self.side(&stored.text, Some(slot)), group)
    }

    /// [`Detector::compare_analyzed`] of two prepared sides: the same
    /// report, reusing their shingles and seed tables.
    fn compare_sides(&self, a: &str, sa: &Side, b: &str, sb: &Side) -> Report {
        if (b.len(), b) < (a.len(), a) {
            return self.align_sides(sb, sa).swapped();
        }
        self.align_sides(sa, sb)
    }

    /// [`Detector::compare_analyses`] of two prepared sides.
    fn align_sides(&self, a: &Side, b: &Side) -> Report {
        let opts = self.detector.align_options();
        let need = opts.min_words.max(opts.shingle_size).max(1);
        let (na, nb) = (a.analysis.tokens.len(), b.analysis.tokens.len());
        let passages = if na < need || nb < need {
            Vec::new()
        } else {
            let table = b.table.get_or_init(|| SeedTable::new(&b.shingles));
            align_shingles(&a.analysis, &b.analysis, &a.shingles, &b.shingles, table, &opts)
        };
        Report::new(passages, Vec::new(), na, nb)
    }

    /// Per token of `analysis`: inside a boilerplate sentence or paragraph.
    /// `stored_keys` are the analysis' [`segment_keys`] if the caller has
    /// them (a stored article's), sentences then paragraphs.
    fn boilerplate_mask(&self, analysis: &Analysis, stored_keys: Option<&[KeyInContext]>) -> Vec<bool> {
        let mut boiler = vec![false; analysis.tokens.len()];
        if self.detector.config().boilerplate_contexts == 0 {
            return boiler;
        }
        let segments = analysis.sentences.iter().chain(&analysis.paragraphs);
        let count = analysis.sentences.len() + analysis.paragraphs.len();
        let computed;
        let keys = match stored_keys.filter(|k| k.len() == count) {
            Some(k) => k,
            None => {
                let (mut sentences, paragraphs) = segment_keys(analysis, self.detector.config().seed);
                sentences.extend(paragraphs);
                computed = sentences;
                &computed[..]
            }
        };
        for (s, &(key, _)) in segments.zip(keys) {
            if self.is_boilerplate_sentence(key) {
                boiler[s.tokens.clone()].iter_mut().for_each(|b| *b = true);
            }
        }
        boiler
    }

    /// Verifies and aligns the candidates of a batch of queries, analysing
    /// each stored article once for the whole batch (at most
    /// [`MAX_SIDES`] at a time): per query, `(group, result)` for each
    /// of its candidate groups, in order. The results are
    /// [`check_group`](Self::check_group)'s.
    #[cfg(feature = "rayon")]
    fn par_check_batch(&self, batch: &[Pending<'_>]) -> Vec<Vec<Option<(f64, Report)>>> {
        use rayon::prelude::*;
        // Every candidate group: (query, range in its candidates, slot).
        let mut jobs: Vec<(usize, std::ops::Range<usize>, u32)> = Vec::new();
        for (qi, q) in batch.iter().enumerate() {
            let mut start = 0;
            for g in Self::grouped(&q.cands) {
                jobs.push((qi, start..start + g.len(), g[0].1.0));
                start += g.len();
            }
        }
        let mut slots: Vec<u32> = jobs.iter().map(|j| j.2).collect();
        slots.sort_unstable();
        slots.dedup();
        let mut results: Vec<Option<(f64, Report)>> = (0..jobs.len()).map(|_| None).collect();
        // Jobs by the batch of slots their stored article falls in.
        let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); slots.len().div_ceil(MAX_SIDES)];
        for (j, job) in jobs.iter().enumerate() {
            let at = slots.binary_search(&job.2).unwrap_or_default();
            by_part[at / MAX_SIDES].push(j);
        }
        for (part, todo) in slots.chunks(MAX_SIDES).zip(by_part) {
            let sides: Vec<Option<(&str, Side)>> = part
                .par_iter()
                .map(|&slot| self.slots[slot as usize].as_ref().map(|st| (&*st.text, self.side(&st.text, Some(slot)))))
                .collect();
            let found: Vec<Option<(f64, Report)>> = todo
                .par_iter()
                .map(|&j| {
                    let (qi, range, slot) = &jobs[j];
                    let (stored, side) = sides[part.binary_search(slot).ok()?].as_ref()?;
                    let q = &batch[*qi];
                    self.check(q.text, &q.probe, stored, side, &q.cands[range.clone()])
                })
                .collect();
            for (j, r) in todo.into_iter().zip(found) {
                results[j] = r;
            }
        }
        let mut out: Vec<Vec<Option<(f64, Report)>>> = batch.iter().map(|_| Vec::new()).collect();
        for (job, r) in jobs.iter().zip(results) {
            out[job.0].push(r);
        }
        out
    }

    /// Moves passages with fewer than `min_words` words outside boilerplate
    /// on either side (`a_boiler` for the `a` side, `b_boiler` for `b`) out
    /// of the reuse report. Judging both sides makes the decision the same
    /// whichever article is the query.
    fn split_boilerplate(&self, report: Report, a_boiler: &[bool], b_boiler: &[bool]) -> Report {
        let min = self.detector.config().min_words;
        let enough = |mask: &[bool], t: &std::ops::Range<usize>| {
            mask.get(t.clone()).is_none_or(|m| m.iter().filter(|&&b| !b).count() >= min)
        };
        let (keep, boilerplate): (Vec<Passage>, Vec<Passage>) =
            report.passages.into_iter().partition(|p| enough(a_boiler, &p.a_tokens) && enough(b_boiler, &p.b_tokens));
        let boilerplate = if self.detector.config().report_boilerplate { boilerplate } else { Vec::new() };
        Report::new(keep, boilerplate, report.a_words, report.b_words)
    }

    fn grouped(cands: &[(u64, Cand)]) -> Vec<&[(u64, Cand)]> {
        cands.chunk_by(|x, y| x.0 == y.0).collect()
    }

    fn finish(mut matches: Vec<Match>, saturated_buckets: usize, skipped_entries: usize) -> QueryResult {
        matches.sort_by_key(|m| (std::cmp::Reverse(m.report.a_covered_words), m.id));
        QueryResult { matches, saturated_buckets, skipped_entries }
    }

    /// The match of candidate group `g` verified as `(similarity, report)`.
    fn matched(&self, g: &[(u64, Cand)], (unit_similarity, report): (f64, Report)) -> Match {
        let (id, (slot, _, _)) = g[0];
        Match { id, unit_similarity, report, duplicates: self.duplicates_of(slot) }
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
        let probe = self.probe(query, None);
        let (cands, saturated, skipped) = self.candidates(&probe, |_| true);
        let matches = Self::grouped(&cands)
            .into_iter()
            .filter_map(|g| self.check_group(query, &probe, g).map(|r| self.matched(g, r)))
            .collect();
        Self::finish(matches, saturated, skipped)
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
        use rayon::prelude::*;
        let probe = self.probe(query, None);
        let (cands, saturated, skipped) = self.candidates(&probe, |_| true);
        let matches = Self::grouped(&cands)
            .into_par_iter()
            .filter_map(|g| self.check_group(query, &probe, g).map(|r| self.matched(g, r)))
            .collect();
        Self::finish(matches, saturated, skipped)
    }

    /// [`query`](Self::query) for many texts, in order.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.query_many(&["a", "b"]).len(), 2);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn query_many(&self, queries: &[&str]) -> Vec<QueryResult> {
        queries.iter().map(|q| self.query(q)).collect()
    }

    /// [`query_many`](Self::query_many) in parallel on the current rayon
    /// pool; the result is identical. Queries are taken a batch at a time
    /// (see [`Index::par_pairs`] for the bound on a batch's memory), and an
    /// indexed article that is a candidate of several queries of a batch is
    /// analysed once for all of them.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.par_query_many(&["a", "b"]), index.query_many(&["a", "b"]));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_query_many(&self, queries: &[&str]) -> Vec<QueryResult> {
        let mut out = Vec::with_capacity(queries.len());
        let mut at = 0;
        while at < queries.len() {
            let probed = par_batch(
                &mut at,
                queries.len(),
                |i| {
                    let text = queries[i];
                    let mut probe = self.probe(text, None);
                    let (cands, saturated, skipped) = self.candidates(&probe, |_| true);
                    probe.keys = Vec::new();
                    (Pending { id: 0, text, probe, cands }, saturated, skipped)
                },
                |p| p.0.groups(),
            );
            let (batch, cut): (Vec<Pending<'_>>, Vec<(usize, usize)>) =
                probed.into_iter().map(|(p, s, k)| (p, (s, k))).unzip();
            let checked = self.par_check_batch(&batch);
            for ((q, results), (saturated, skipped)) in batch.iter().zip(checked).zip(cut) {
                let matches = Self::grouped(&q.cands)
                    .into_iter()
                    .zip(results)
                    .filter_map(|(g, r)| r.map(|r| self.matched(g, r)))
                    .collect();
                out.push(Self::finish(matches, saturated, skipped));
            }
        }
        out
    }

    /// The ranks of the slots (see [`PairPlan`]), [`NO_RANK`] for removed
    /// ones, and the live articles by rank.
    fn ranks(&self) -> (Vec<u32>, Vec<(u64, u32)>) {
        let mut rank = vec![NO_RANK; self.slots.len()];
        let by_rank: Vec<(u64, u32)> = self.ids.iter().map(|(&id, &slot)| (id, slot)).collect();
        for (r, &(_, slot)) in by_rank.iter().enumerate() {
            rank[slot as usize] = r as u32;
        }
        (rank, by_rank)
    }

    /// One band of the [`PairPlan`]: a pass over the band's buckets.
    fn band_plan(&self, table: &Table, rank: &[u32], ranks: usize) -> BandPlan {
        let cap = self.detector.config().max_bucket;
        let mut plan = BandPlan { starts: vec![0], cut: vec![0; ranks.div_ceil(64)], ..BandPlan::default() };
        let mut live: Vec<(u32, u32)> = Vec::new();
        let mut probes: Vec<(u32, u32, u32)> = Vec::new();
        table.for_each_bucket(|bucket| {
            if bucket.len() < 2 {
                return;
            }
            live.clear();
            live.extend(bucket.iter().filter_map(|&(slot, unit)| {
                let r = rank[slot as usize];
                (r != NO_RANK).then_some((r, unit))
            }));
            plan.add(&live, cap, &mut probes);
        });
        // By rank, a counting sort.
        let mut offsets = vec![0u32; ranks + 1];
        for p in &probes {
            offsets[p.0 as usize + 1] += 1;
        }
        for r in 0..ranks {
            offsets[r + 1] += offsets[r];
        }
        let mut at = offsets.clone();
        plan.probes = vec![(0, 0); probes.len()];
        for (rank, unit, bucket) in probes {
            plan.probes[at[rank as usize] as usize] = (unit, bucket);
            at[rank as usize] += 1;
        }
        plan.offsets = offsets;
        plan.seen.shrink_to_fit();
        plan.starts.shrink_to_fit();
        plan
    }

    fn pair_plan(&self) -> PairPlan {
        let (rank, by_rank) = self.ranks();
        let bands = self.tables.iter().map(|t| self.band_plan(t, &rank, by_rank.len())).collect();
        PairPlan::new(by_rank, bands)
    }

    #[cfg(feature = "rayon")]
    fn par_pair_plan(&self) -> PairPlan {
        use rayon::prelude::*;
        let (rank, by_rank) = self.ranks();
        let bands = self.tables.par_iter().map(|t| self.band_plan(t, &rank, by_rank.len())).collect();
        PairPlan::new(by_rank, bands)
    }

    /// What the [`max_bucket`](crate::Config::max_bucket) cap cuts from
    /// [`pairs`](Self::pairs) (the same as [`Pairs::saturation`]), from one
    /// pass over the band tables.
    ///
    /// ```
    /// let d = neardup::Detector::builder().max_bucket(2).boilerplate_contexts(0).build()?;
    /// let mut index = d.index();
    /// for i in 0..4 {
    ///     index.insert(i, &format!("Story {i}. The minister met the Latvian delegation in Baku on Thursday."))?;
    /// }
    /// let cut = index.saturation();
    /// assert_eq!(cut.articles, 2);
    /// assert!(cut.buckets > 0 && cut.entries >= cut.buckets);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn saturation(&self) -> Saturation {
        self.pair_plan().saturation
    }

    /// The probe and the candidates of the article of rank `rank` with
    /// articles of larger ids: what [`probe`](Self::probe) and
    /// [`candidates`](Self::candidates) give (sorted, deduplicated), but
    /// read off `plan`. `None` without candidates (nothing analysed).
    /// Only the probe's `unit_sets` of candidate units are filled.
    fn pair_probe(&self, plan: &PairPlan, rank: u32) -> Option<(Probe, Vec<(u64, Cand)>)> {
        let (_, slot) = plan.by_rank[rank as usize];
        let stored = self.slots[slot as usize].as_ref()?;
        let probes: Vec<&[(u32, u32)]> = plan.bands.iter().map(|b| b.probes_of(rank)).collect();
        if probes.iter().all(|p| p.is_empty()) {
            return None;
        }
        let side = self.side(&stored.text, Some(slot));
        let boiler = self.boiler(&side);
        // A unit in the tables stands for every unit of the article with
        // the same words; the first of them that probes (not boilerplate,
        // with shingles: its `unit_sets` entry is not empty) probes for
        // them, as in `candidates`. Sets are computed only for the units
        // of the groups that have entries with candidates.
        let hashes: Vec<u64> = side.units.iter().map(|u| unit_hash(&side.analysis, u)).collect();
        let needed: std::collections::HashSet<u64, BuildHasherDefault<KeyHasher>> =
            probes.iter().copied().flatten().filter_map(|&(q, _)| hashes.get(q as usize).copied()).collect();
        let mut unit_sets = vec![Vec::new(); side.units.len()];
        let first = first_alike(&hashes, |i| {
            let u = &side.units[i];
            if !needed.contains(&hashes[i]) || boiler[u.tokens.clone()].iter().all(|&b| b) {
                return false;
            }
            unit_sets[i] = sorted_set(&self.unit_shingles(&side, u));
            !unit_sets[i].is_empty()
        });
        let mut cands = Vec::new();
        let mut compact_at = 1 << 16;
        for (band, probes) in plan.bands.iter().zip(probes) {
            for &(q, bucket) in probes {
                let Some(q) = first.get(q as usize).copied().flatten() else { continue };
                cands.extend(band.visible_after(bucket, rank).iter().map(|&(r, unit)| {
                    let (id, slot) = plan.by_rank[r as usize];
                    (id, (slot, unit, q))
                }));
            }
            // As in `candidates`: at most twice the distinct candidates
            // plus one band's worth.
            if cands.len() >= compact_at {
                cands.sort_unstable();
                cands.dedup();
                compact_at = compact_at.max(2 * cands.len());
            }
        }
        if cands.is_empty() {
            return None;
        }
        cands.sort_unstable();
        cands.dedup();
        // Kept until the batch is verified: no spare capacity.
        cands.shrink_to_fit();
        Some((Probe { side, keys: Vec::new(), unit_sets }, cands))
    }

    /// The pairs the article of rank `rank` forms with articles of larger
    /// ids.
    fn pairs_at(&self, plan: &PairPlan, rank: u32) -> Vec<Pair> {
        let Some((probe, cands)) = self.pair_probe(plan, rank) else { return Vec::new() };
        let (id, slot) = plan.by_rank[rank as usize];
        let Some(stored) = self.slots[slot as usize].as_ref() else { return Vec::new() };
        self.checked_pairs(id, &stored.text, &probe, &cands)
    }

    /// The verified pairs of article `id` (text `text`, probed as `probe`)
    /// with its candidates `cands`, by candidate article.
    fn checked_pairs(&self, id: u64, text: &str, probe: &Probe, cands: &[(u64, Cand)]) -> Vec<Pair> {
        Self::grouped(cands)
            .into_iter()
            .filter_map(|g| {
                self.check_group(text, probe, g).map(|(s, r)| Pair { a: id, b: g[0].0, unit_similarity: s, report: r })
            })
            .collect()
    }

    /// The pairs article `id` forms with articles of larger ids, by
    /// probing the tables (the reference for [`pairs_at`](Self::pairs_at)).
    #[cfg(test)]
    fn pairs_of(&self, id: u64) -> Vec<Pair> {
        let Some(&slot) = self.ids.get(&id) else { return Vec::new() };
        let Some(stored) = self.slots[slot as usize].as_ref() else { return Vec::new() };
        if self.is_copy(slot) {
            return Vec::new();
        }
        let probe = self.probe(&stored.text, Some(slot));
        let (cands, _, _) = self.candidates(&probe, |s| s.id > id);
        self.checked_pairs(id, &stored.text, &probe, &cands)
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
    /// iteration.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning.";
    /// index.insert(1, &format!("First story. {s}"))?;
    /// index.insert(2, "Unrelated text about markets and the weather this week.")?;
    /// index.insert(3, &format!("{s} Second story."))?;
    /// let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    /// assert_eq!(pairs, [(1, 3)]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn pairs(&self) -> Pairs<'_> {
        let plan = self.pair_plan();
        let saturation = plan.saturation;
        let iter = (0..plan.by_rank.len() as u32).flat_map(move |rank| self.pairs_at(&plan, rank));
        Pairs { iter: Box::new(iter), saturation }
    }

    /// [`pairs`](Self::pairs), computed in parallel on the current rayon
    /// pool, a batch of articles at a time, and yielded in the same order:
    /// the sequence is identical. An article that is a candidate of several
    /// articles of a batch is analysed once for all of them.
    ///
    /// # Memory
    ///
    /// Besides the plan that [`pairs`](Self::pairs) keeps, a batch holds at
    /// most 1024 articles, analysed, with their candidates (at most
    /// `bands × max_bucket` per unit of the article, deduplicated), closing
    /// once they have 16,384 candidate articles between them, plus one step
    /// of 8 to 64 articles per thread (sized from the candidates per article
    /// seen so far); at most that many reports; and at most 1024 candidate
    /// articles analysed at once. So memory is bounded by the
    /// batch size and the size of the articles, not by the number of
    /// candidates or pairs (20,000 near-copies of one article give 2·10⁸
    /// pairs in bounded memory).
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// let s = "The minister met the Latvian delegation in Baku on Thursday morning.";
    /// index.insert(1, s)?;
    /// index.insert(2, &format!("{s} Then he left."))?;
    /// assert_eq!(index.par_pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_pairs(&self) -> Pairs<'_> {
        let plan = self.par_pair_plan();
        let saturation = plan.saturation;
        let n = plan.by_rank.len();
        let mut at = 0;
        let batches = std::iter::from_fn(move || {
            if at >= n {
                return None;
            }
            let batch: Vec<Pending<'_>> = par_batch(
                &mut at,
                n,
                |rank| {
                    let (probe, cands) = self.pair_probe(&plan, rank as u32)?;
                    let (id, slot) = plan.by_rank[rank];
                    let text = &*self.slots[slot as usize].as_ref()?.text;
                    Some(Pending { id, text, probe, cands })
                },
                |p| p.as_ref().map_or(0, Pending::groups),
            )
            .into_iter()
            .flatten()
            .collect();
            let checked = self.par_check_batch(&batch);
            let mut pairs = Vec::new();
            for (q, results) in batch.iter().zip(checked) {
                for (g, r) in Self::grouped(&q.cands).into_iter().zip(results) {
                    if let Some((s, r)) = r {
                        pairs.push(Pair { a: q.id, b: g[0].0, unit_similarity: s, report: r });
                    }
                }
            }
            Some(pairs)
        });
        Pairs { iter: Box::new(batches.flatten()), saturation }
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
    ///              They discussed cooperation within NATO and military education.";
    /// index.insert(1, story)?;
    /// index.insert(2, &story.replace("Thursday", "Friday"))?;
    /// index.insert(3, "Completely different news about the markets closing higher today.")?;
    /// let groups = index.near_duplicate_groups(0.8)?;
    /// assert_eq!(groups.len(), 1);
    /// assert_eq!(groups[0].members, [1, 2]);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn near_duplicate_groups(&self, min_coverage: f64) -> Result<Vec<Group>> {
        check_coverage(min_coverage)?;
        let edges = self.pairs().filter(|p| p.is_near_duplicate(min_coverage)).map(|p| (p.a, p.b));
        Ok(self.with_exact_duplicates(group_near_duplicates(edges)))
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
        check_coverage(min_coverage)?;
        let edges = self.par_pairs().filter(|p| p.is_near_duplicate(min_coverage)).map(|p| (p.a, p.b));
        Ok(self.with_exact_duplicates(group_near_duplicates(edges)))
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
mod tests {
    use super::*;

    /// A small random corpus: sentences drawn from a pool (some in many
    /// articles, so boilerplate and saturated buckets), some with a word
    /// changed (similar, not equal).
    fn random_articles(n: usize, seed: u64) -> Vec<(u64, String)> {
        let mut x = seed | 1;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let pool: Vec<Vec<String>> =
            (0..60).map(|_| (0..8 + next(10)).map(|_| format!("w{}", next(400))).collect()).collect();
        let mut ids = std::collections::BTreeSet::new();
        (0..n)
            .map(|_| {
                let mut id = next(1 << 40);
                while !ids.insert(id) {
                    id = next(1 << 40);
                }
                let text: Vec<String> = (0..1 + next(6))
                    .map(|_| {
                        // Sentences 0..4 are frequent.
                        let s = if next(3) == 0 { next(4) } else { next(60) } as usize;
                        let mut words = pool[s].clone();
                        if next(4) == 0 {
                            let at = next(words.len() as u64) as usize;
                            words[at] = format!("v{}", next(50));
                        }
                        format!("{}.", words.join(" "))
                    })
                    .collect();
                (id, text.join(if next(2) == 0 { " " } else { "\n\n" }))
            })
            .collect()
    }

    /// Scanned candidates and pairs equal probed ones, article by article.
    fn assert_scan_is_probe(index: &Index) -> (usize, usize) {
        let plan = index.pair_plan();
        let (mut cands, mut pairs) = (0, 0);
        for (rank, &(id, slot)) in plan.by_rank.iter().enumerate() {
            let stored = index.slots[slot as usize].as_ref().unwrap();
            let probe = index.probe(&stored.text, Some(slot));
            let (mut probed, _, _) = index.candidates(&probe, |s| s.id > id);
            if index.is_copy(slot) {
                // An exact duplicate is not in the tables: it pairs through
                // its representative.
                probed.clear();
            }
            let scanned = index.pair_probe(&plan, rank as u32).map(|(_, c)| c).unwrap_or_default();
            assert_eq!(scanned, probed, "candidates of {id}");
            let p = index.pairs_at(&plan, rank as u32);
            assert_eq!(p, index.pairs_of(id), "pairs of {id}");
            cands += probed.len();
            pairs += p.len();
        }
        let all: Vec<Pair> = index.pairs().collect();
        assert_eq!(all.len(), pairs);
        #[cfg(feature = "rayon")]
        assert_eq!(index.par_pairs().collect::<Vec<_>>(), all);
        (cands, pairs)
    }

    #[test]
    fn scanned_pairs_are_probed_pairs() {
        for (cap, boiler) in [(3, 5), (1000, 5), (2, 0)] {
            let d = Detector::builder().max_bucket(cap).boilerplate_contexts(boiler).build().unwrap();
            let mut index = d.index();
            let articles = random_articles(300, 7 + cap as u64);
            for (i, (id, text)) in articles.iter().enumerate() {
                // Some bands merged now and then: sorted array and pending
                // entries mix.
                let p = index.prepare(*id, "", text);
                if i % 50 == 49 {
                    let bands = index.tables.len();
                    for t in &mut index.tables[..bands / 2] {
                        t.flush();
                    }
                }
                index.commit(p);
            }
            let (cands, pairs) = assert_scan_is_probe(&index);
            assert!(cands > pairs && pairs > 0, "{cands} {pairs}");
            let mut saturated = false;
            index.tables[0].for_each_bucket(|b| saturated |= b.len() > cap);
            assert_eq!(saturated, cap < 1000);
            // Dead slots in the tables, then some ids again with new text.
            for (id, _) in articles.iter().step_by(7) {
                assert!(index.remove(*id));
            }
            assert_scan_is_probe(&index);
            for (id, text) in articles.iter().step_by(14) {
                index.insert(*id, &text.replace("w1", "w2")).unwrap();
            }
            assert_scan_is_probe(&index);
            // Everything merged, dead entries dropped.
            let slots = &index.slots;
            for t in &mut index.tables {
                t.retain_live(|s| slots[s as usize].is_some());
            }
            assert_scan_is_probe(&index);
        }
    }
}
