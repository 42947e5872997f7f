//! Stage 3, index: LSH banding over unit signatures, and the corpus
//! [`Index`] of articles.
//!
//! A signature of `b · r` values is cut into `b` bands of `r` rows; each
//! band is hashed to one `u64` key (`xxh3_64_with_seed` of the `r` values as
//! little-endian `u32`s, seeded with the band number). Two units whose
//! signatures agree on all rows of at least one band collide. For Jaccard
//! similarity `J` the probability of that is `P(J) = 1 − (1 − J^r)^b`, the
//! S-curve; [`LshParams::for_threshold`] picks `b` and `r` for a threshold.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::detector::{Detector, Report};
use crate::error::{Error, Result};
use crate::fingerprint::Signature;
use crate::score::{sorted_set, sorted_similarity};

/// LSH banding parameters: `bands` bands of `rows` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands `b`.
    pub bands: usize,
    /// Rows per band `r`.
    pub rows: usize,
}

/// Midpoint-rule integral of `f` over `[lo, hi]`.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const STEPS: usize = 256;
    if hi <= lo {
        return 0.0;
    }
    let h = (hi - lo) / STEPS as f64;
    (0..STEPS).map(|i| f(lo + (i as f64 + 0.5) * h)).sum::<f64>() * h
}

impl LshParams {
    /// The `(b, r)` with `b · r ≤ num_hashes` that minimises the sum of the
    /// false-positive area `∫₀ᵗ P(J) dJ` and the false-negative area
    /// `∫ₜ¹ (1 − P(J)) dJ` (equal weights), as datasketch does.
    ///
    /// ```
    /// let p = neardup::LshParams::for_threshold(0.8, 128);
    /// assert_eq!((p.bands, p.rows), (9, 13));
    /// let p = neardup::LshParams::for_threshold(0.5, 128);
    /// assert!(p.bands * p.rows <= 128);
    /// ```
    pub fn for_threshold(threshold: f64, num_hashes: usize) -> LshParams {
        LshParams::with_weights(threshold, num_hashes, 0.5, 0.5)
    }

    /// Like [`for_threshold`](Self::for_threshold) with explicit weights for
    /// the false-positive and false-negative areas. Ties go to fewer bands.
    ///
    /// ```
    /// // Weighting false negatives up gives a curve that rises earlier.
    /// let eager = neardup::LshParams::with_weights(0.5, 128, 0.1, 0.9);
    /// let even = neardup::LshParams::for_threshold(0.5, 128);
    /// assert!(eager.probability(0.4) >= even.probability(0.4));
    /// ```
    pub fn with_weights(threshold: f64, num_hashes: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        let mut best = LshParams { bands: 1, rows: 1 };
        let mut best_err = f64::INFINITY;
        for bands in 1..=num_hashes.max(1) {
            for rows in 1..=num_hashes.max(1) / bands {
                let p = LshParams { bands, rows };
                let err = fp_weight * p.false_positive_area(threshold) + fn_weight * p.false_negative_area(threshold);
                if err < best_err - 1e-12 {
                    best_err = err;
                    best = p;
                }
            }
        }
        best
    }

    /// Probability that two sets of Jaccard similarity `j` collide in at
    /// least one band: `1 − (1 − j^r)^b`.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.probability(0.9) > 0.99);
    /// assert!(p.probability(0.2) < 0.01);
    /// ```
    pub fn probability(&self, j: f64) -> f64 {
        let j = j.clamp(0.0, 1.0);
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// `∫₀ᵗ P(J) dJ`: the area of candidates below the threshold.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.false_positive_area(0.5) < 0.1);
    /// ```
    pub fn false_positive_area(&self, threshold: f64) -> f64 {
        integrate(|j| self.probability(j), 0.0, threshold)
    }

    /// `∫ₜ¹ (1 − P(J)) dJ`: the area of misses above the threshold.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.false_negative_area(0.5) < 0.1);
    /// ```
    pub fn false_negative_area(&self, threshold: f64) -> f64 {
        integrate(|j| 1.0 - self.probability(j), threshold, 1.0)
    }

    /// The S-curve sampled at `points` evenly spaced similarities from 0 to
    /// 1 (inclusive): `(J, P(J))` pairs.
    ///
    /// ```
    /// let curve = neardup::LshParams { bands: 16, rows: 8 }.curve(11);
    /// assert_eq!(curve.len(), 11);
    /// assert_eq!(curve[0], (0.0, 0.0));
    /// assert_eq!(curve[10], (1.0, 1.0));
    /// ```
    pub fn curve(&self, points: usize) -> Vec<(f64, f64)> {
        let n = points.max(2) - 1;
        (0..=n)
            .map(|i| {
                let j = i as f64 / n as f64;
                (j, self.probability(j))
            })
            .take(points)
            .collect()
    }
}

/// The band keys of a signature: one `u64` per band (see the
/// [module docs](self)). Values past `bands * rows` are not used.
///
/// ```
/// use neardup::{LshParams, fingerprint::MinHasher, index::band_keys};
///
/// let sig = MinHasher::new(128, 0).signature([1u64, 2, 3]);
/// let keys = band_keys(&sig, LshParams { bands: 16, rows: 8 });
/// assert_eq!(keys.len(), 16);
/// ```
pub fn band_keys(sig: &Signature, params: LshParams) -> Vec<u64> {
    let mut buf = Vec::with_capacity(params.rows * 4);
    sig.0
        .chunks_exact(params.rows.max(1))
        .take(params.bands)
        .enumerate()
        .map(|(band, rows)| {
            buf.clear();
            for v in rows {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64_with_seed(&buf, band as u64)
        })
        .collect()
}

/// Band keys are xxh3 values already: hash them as themselves.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Buckets = HashMap<u64, Vec<UnitRef>, BuildHasherDefault<KeyHasher>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct UnitRef {
    doc: u64,
    unit: u32,
}

#[derive(Clone, Debug)]
struct Stored {
    text: Box<str>,
    /// Band keys of every unit, unit after unit.
    keys: Vec<u64>,
}

/// One indexed article that a query reuses from (or that reuses from it).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The article's id, as given to [`Index::insert`].
    pub id: u64,
    /// The highest exact similarity (Jaccard or containment) of a candidate
    /// unit pair that LSH proposed and verification accepted.
    pub unit_similarity: f64,
    /// The passages: `a` is the query, `b` the indexed article. Identical
    /// to `detector.compare(query, article)`.
    pub report: Report,
}

/// The result of [`Index::query`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct QueryResult {
    /// Articles sharing at least one verified passage with the query, most
    /// shared words first, then by id.
    pub matches: Vec<Match>,
    /// LSH buckets that held more than [`Config::max_bucket`](crate::Config)
    /// entries, of which only the first `max_bucket` (in insertion order)
    /// were examined. Non-zero means the query hit boilerplate that recurs
    /// across many articles.
    pub saturated_buckets: usize,
}

/// A corpus of articles, indexed by the LSH band keys of their units, to
/// find which articles a new one reuses passages from.
///
/// Build it with [`Detector::index`]. Articles are kept (their text, for
/// verification and alignment) together with their band keys, so that
/// [`remove`](Self::remove) is exact.
///
/// # Resource usage
///
/// Per article: its text, plus `8 · bands` bytes of keys per unit, plus one
/// 12-byte bucket entry per unit and band. A query analyses the query text,
/// probes `bands` buckets per unit (each capped at `max_bucket` entries),
/// then verifies and aligns each candidate article once: its cost does not
/// grow with the size of a bucket beyond the cap.
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
    detector: Detector,
    docs: BTreeMap<u64, Stored>,
    tables: Vec<Buckets>,
}

/// An article prepared for insertion: the text and its unit band keys.
struct Prepared {
    id: u64,
    text: Box<str>,
    keys: Vec<u64>,
}

impl Index {
    pub(crate) fn new(detector: Detector) -> Index {
        let bands = detector.lsh().bands;
        Index { detector, docs: BTreeMap::new(), tables: (0..bands).map(|_| Buckets::default()).collect() }
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
        self.docs.len()
    }

    /// Whether the index holds no article.
    ///
    /// ```
    /// assert!(neardup::Detector::builder().build()?.index().is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
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
        self.docs.get(&id).map(|d| &*d.text)
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
        self.docs.keys().copied()
    }

    fn prepare(&self, id: u64, text: &str) -> Prepared {
        let d = &self.detector;
        let analysis = d.analyze(text);
        let keys = d.units(&analysis).iter().flat_map(|u| d.band_keys(&d.signature(&analysis, u))).collect();
        Prepared { id, text: text.into(), keys }
    }

    fn check_new(&self, id: u64) -> Result<()> {
        if self.docs.contains_key(&id) { Err(Error::DuplicateId { id }) } else { Ok(()) }
    }

    fn commit(&mut self, p: Prepared) {
        let bands = self.tables.len();
        if bands > 0 {
            for (unit, keys) in p.keys.chunks_exact(bands).enumerate() {
                for (table, &key) in self.tables.iter_mut().zip(keys) {
                    table.entry(key).or_default().push(UnitRef { doc: p.id, unit: unit as u32 });
                }
            }
        }
        self.docs.insert(p.id, Stored { text: p.text, keys: p.keys });
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
        self.check_new(id)?;
        let p = self.prepare(id, text);
        self.commit(p);
        Ok(())
    }

    fn check_batch(&self, articles: &[(u64, &str)]) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for &(id, _) in articles {
            self.check_new(id)?;
            if !seen.insert(id) {
                return Err(Error::DuplicateId { id });
            }
        }
        Ok(())
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
        self.check_batch(articles)?;
        for &(id, text) in articles {
            let p = self.prepare(id, text);
            self.commit(p);
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
        self.check_batch(articles)?;
        let prepared: Vec<Prepared> = articles.par_iter().map(|&(id, text)| self.prepare(id, text)).collect();
        for p in prepared {
            self.commit(p);
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
        let Some(stored) = self.docs.remove(&id) else {
            return false;
        };
        let bands = self.tables.len();
        if bands > 0 {
            for keys in stored.keys.chunks_exact(bands) {
                for (table, key) in self.tables.iter_mut().zip(keys) {
                    if let Some(bucket) = table.get_mut(key) {
                        bucket.retain(|r| r.doc != id);
                        if bucket.is_empty() {
                            table.remove(key);
                        }
                    }
                }
            }
        }
        true
    }

    /// Candidate unit pairs `(doc, stored unit, query unit)`, sorted, and
    /// the number of saturated buckets.
    fn candidates(&self, query_keys: &[u64]) -> (Vec<(u64, u32, u32)>, usize) {
        let bands = self.tables.len();
        let cap = self.detector.config().max_bucket;
        let mut out = Vec::new();
        let mut saturated = 0;
        if bands == 0 {
            return (out, 0);
        }
        for (qunit, keys) in query_keys.chunks_exact(bands).enumerate() {
            for (table, key) in self.tables.iter().zip(keys) {
                if let Some(bucket) = table.get(key) {
                    if bucket.len() > cap {
                        saturated += 1;
                    }
                    out.extend(bucket.iter().take(cap).map(|r| (r.doc, r.unit, qunit as u32)));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        (out, saturated)
    }

    /// Verifies the candidate units of one article and aligns it with the
    /// query if any pair passes.
    fn check(&self, query: &str, qa: &QueryAnalysis, id: u64, pairs: &[(u64, u32, u32)]) -> Option<Match> {
        let d = &self.detector;
        let text = &*self.docs.get(&id)?.text;
        let analysis = d.analyze(text);
        let units = d.units(&analysis);
        let mut sets: Vec<Option<Vec<u64>>> = vec![None; units.len()];
        let mut best = 0.0f64;
        for &(_, su, qu) in pairs {
            let (Some(s), Some(q)) = (units.get(su as usize), qa.unit_sets.get(qu as usize)) else {
                continue;
            };
            let set = sets[su as usize].get_or_insert_with(|| sorted_set(&d.unit_shingles(&analysis, s)));
            best = best.max(sorted_similarity(q, set).max());
        }
        if best < d.config().threshold {
            return None;
        }
        let report = d.compare_analyzed(query, &qa.analysis, text, &analysis);
        if report.passages.is_empty() {
            return None;
        }
        Some(Match { id, unit_similarity: best, report })
    }

    fn analyze_query(&self, query: &str) -> QueryAnalysis {
        let d = &self.detector;
        let analysis = d.analyze(query);
        let units = d.units(&analysis);
        let mut keys = Vec::new();
        let mut unit_sets = Vec::with_capacity(units.len());
        for u in &units {
            let sh = d.unit_shingles(&analysis, u);
            keys.extend(d.band_keys(&d.minhasher().signature(sh.iter().copied())));
            unit_sets.push(sorted_set(&sh));
        }
        QueryAnalysis { analysis, keys, unit_sets }
    }

    fn grouped(cands: &[(u64, u32, u32)]) -> Vec<&[(u64, u32, u32)]> {
        cands.chunk_by(|x, y| x.0 == y.0).collect()
    }

    fn finish(mut matches: Vec<Match>, saturated_buckets: usize) -> QueryResult {
        matches.sort_by(|x, y| {
            (std::cmp::Reverse(x.report.a_shared_words), x.id).cmp(&(std::cmp::Reverse(y.report.a_shared_words), y.id))
        });
        QueryResult { matches, saturated_buckets }
    }

    /// The articles that share verified passages with `query`.
    ///
    /// LSH proposes candidate unit pairs; each candidate article is verified
    /// on exact shingle sets (a unit pair with Jaccard or containment at
    /// least the threshold) and aligned with the query
    /// ([`Detector::compare`]). See [`QueryResult`] for the order.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "Nothing in common with the query at all, not a single sentence.")?;
    /// assert!(index.query("A completely different text about other things entirely.").matches.is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn query(&self, query: &str) -> QueryResult {
        let qa = self.analyze_query(query);
        let (cands, saturated) = self.candidates(&qa.keys);
        let matches = Self::grouped(&cands).into_iter().filter_map(|g| self.check(query, &qa, g[0].0, g)).collect();
        Self::finish(matches, saturated)
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
        let qa = self.analyze_query(query);
        let (cands, saturated) = self.candidates(&qa.keys);
        let matches = Self::grouped(&cands).into_par_iter().filter_map(|g| self.check(query, &qa, g[0].0, g)).collect();
        Self::finish(matches, saturated)
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
    /// pool; the result is identical.
    ///
    /// ```
    /// let index = neardup::Detector::builder().build()?.index();
    /// assert_eq!(index.par_query_many(&["a", "b"]), index.query_many(&["a", "b"]));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    #[cfg(feature = "rayon")]
    pub fn par_query_many(&self, queries: &[&str]) -> Vec<QueryResult> {
        use rayon::prelude::*;
        queries.par_iter().map(|q| self.query(q)).collect()
    }
}

struct QueryAnalysis {
    analysis: crate::text::Analysis,
    keys: Vec<u64>,
    unit_sets: Vec<Vec<u64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_respect_budget_and_threshold() {
        for &t in &[0.3, 0.5, 0.7, 0.9] {
            for &n in &[16, 64, 128, 256] {
                let p = LshParams::for_threshold(t, n);
                assert!(p.bands * p.rows <= n);
                assert!(p.probability(t + 0.1) > p.probability(t - 0.1));
            }
        }
    }

    #[test]
    fn keys_differ_per_band() {
        let sig = Signature(vec![5; 8]);
        let k = band_keys(&sig, LshParams { bands: 2, rows: 4 });
        assert_ne!(k[0], k[1]);
    }
}
