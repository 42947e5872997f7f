//! Boilerplate statistics: in how many distinct contexts each sentence
//! (and paragraph) occurs across the corpus.
//!
//! Most keys of a corpus are seen in one context only (a sentence written
//! once), so a key is one 24-byte record — its only context, its number of
//! contexts and of articles — in a sorted array with a directory on the
//! top bits of the key (keys are uniform hashes), like the band tables;
//! recent keys wait in a small hash map and are merged in, in place, when
//! it grows past an eighth of the array. Only keys seen in two or more
//! contexts keep a count per context, in a hash map of their own.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::fingerprint::SegmentKey;
use crate::lsh::{KeyHasher, OrderedMap};

/// The counts of one key. A key seen in one context has its context in
/// `context` and, implicitly, `articles` articles holding it there; once
/// seen in a second, it is *multi* (the top bit of `contexts`) and its
/// counts per context are in [`ContextCounts::in_context`]. A record of no
/// article is dead and dropped at the next merge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Record {
    key: u64,
    context: u64,
    contexts: u32,
    articles: u32,
}

/// The flag of a multi key in [`Record::contexts`].
const MULTI: u32 = 1 << 31;

/// Keys waiting in the hash map before the first merge; later merges happen
/// when it grows past an eighth of the sorted array.
const MERGE_AFTER: usize = 1 << 15;

impl Record {
    fn contexts(&self) -> u32 {
        self.contexts & !MULTI
    }

    /// Adds `articles` articles holding the key, with `in_context[i].1`
    /// of them holding it in context `in_context[i].0` (contexts distinct;
    /// an article holding the key in several contexts counts once in
    /// `articles`, once in each context).
    fn add(
        &mut self,
        multi: &mut HashMap<SegmentKey, u32, BuildHasherDefault<KeyHasher>>,
        in_context: &[(u64, u32)],
        articles: u32,
    ) {
        let single = self.contexts == 1;
        match in_context {
            [] => return,
            [(c, _)] if self.contexts == 0 => {
                self.context = *c;
                self.contexts = 1;
            }
            [(c, _)] if single && self.context == *c => {}
            _ => {
                if single {
                    multi.insert((self.key, self.context), self.articles);
                }
                self.contexts |= MULTI;
                for &(c, n) in in_context {
                    let count = multi.entry((self.key, c)).or_insert(0);
                    if *count == 0 {
                        self.contexts += 1;
                    }
                    *count += n;
                }
            }
        }
        self.articles += articles;
    }

    /// Takes back one article holding the key in `contexts` (distinct).
    fn remove(&mut self, multi: &mut HashMap<SegmentKey, u32, BuildHasherDefault<KeyHasher>>, contexts: &[u64]) {
        if self.articles == 0 {
            return;
        }
        self.articles -= 1;
        if self.contexts & MULTI != 0 {
            for &c in contexts {
                if let Some(n) = multi.get_mut(&(self.key, c)) {
                    *n -= 1;
                    if *n == 0 {
                        multi.remove(&(self.key, c));
                        self.contexts -= 1;
                    }
                }
            }
        }
        if self.articles == 0 {
            self.contexts = 0;
        }
    }
}

/// How often each sentence (paragraph) key occurs in each context across a
/// corpus's articles ([`ArticleKeys::segment_keys`](crate::ArticleKeys)):
/// a key seen in at least
/// [`boilerplate_contexts`](crate::Config::boilerplate_contexts) distinct
/// contexts is boilerplate. Counts of disjoint shards add up
/// ([`merge`](Self::merge)), so a distributed engine gets the index's
/// counts by summing its shards'.
///
/// Memory: about 24 bytes per distinct key seen in one context (most of
/// them), plus about 40 bytes per `(key, context)` of the keys seen in
/// several.
///
/// ```
/// use neardup::corpus::ContextCounts;
///
/// let d = neardup::Detector::builder().build()?;
/// let mut counts = ContextCounts::default();
/// for story in ["One story.", "Another story.", "A third one."] {
///     counts.add(&d.segment_keys(&d.analyze(&format!("Subscribe to our newsletter. {story}"))));
/// }
/// let key = d.segment_keys(&d.analyze("Subscribe to our newsletter."))[0].0;
/// assert_eq!(counts.contexts(key), 3);
/// assert!(counts.is_boilerplate(key, 3) && !counts.is_boilerplate(key, 4));
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ContextCounts {
    /// Records sorted by key (dead ones until the next merge).
    main: Vec<Record>,
    /// `dir[p]` = first index in `main` whose key has top bits `>= p`;
    /// `dir.len() == 2^dir_bits + 1` (empty while `main` is).
    dir: Vec<u32>,
    dir_bits: u32,
    /// Records of keys not in `main` yet.
    pending: OrderedMap<Record>,
    /// Articles holding key `s` in context `c`, by `(s, c)`, for multi keys.
    in_context: HashMap<SegmentKey, u32, BuildHasherDefault<KeyHasher>>,
    /// The multi keys: only they can be in two or more contexts, so a key
    /// outside this small set answers [`is_boilerplate`](Self::is_boilerplate)
    /// (for a bound of 2 or more) without a search of the sorted array.
    multi: HashSet<u64, BuildHasherDefault<KeyHasher>>,
    /// A bit per value of a key's top [`FILTER_BITS`] bits, set for every
    /// key ever added to `multi` (never cleared: a set bit only sends the
    /// question on to `multi`): a 1 MiB bitmap that answers for most keys
    /// from the cache, where the set's table would miss it. Empty until
    /// the first multi key.
    filter: Vec<u64>,
}

/// Bits of a key that index [`ContextCounts::filter`].
const FILTER_BITS: u32 = 23;

impl ContextCounts {
    /// Counts one article's segment keys (each distinct `(key, context)`
    /// once per article).
    pub fn add(&mut self, keys: &[SegmentKey]) {
        let keys = distinct(keys);
        self.warm(&keys);
        let mut in_context = Vec::new();
        for group in keys.chunk_by(|x, y| x.0 == y.0) {
            in_context.clear();
            in_context.extend(group.iter().map(|&(_, c)| (c, 1)));
            self.add_counts(group[0].0, &in_context, 1);
        }
        self.maybe_merge();
    }

    /// Takes back one article's segment keys, counted with
    /// [`add`](Self::add).
    pub fn remove(&mut self, keys: &[SegmentKey]) {
        let keys = distinct(keys);
        let mut contexts = Vec::new();
        for group in keys.chunk_by(|x, y| x.0 == y.0) {
            contexts.clear();
            contexts.extend(group.iter().map(|&(_, c)| c));
            let key = group[0].0;
            let record = match self.main_index(key) {
                Some(i) => Some(&mut self.main[i]),
                None => self.pending.get_mut(key),
            };
            if let Some(r) = record {
                let was_multi = r.contexts & MULTI != 0;
                r.remove(&mut self.in_context, &contexts);
                if was_multi && r.contexts & MULTI == 0 {
                    self.multi.remove(&key);
                }
            }
        }
    }

    /// Adds the counts of another set of articles (a shard).
    ///
    /// ```
    /// use neardup::corpus::ContextCounts;
    /// let (mut a, mut b, mut all) = (ContextCounts::default(), ContextCounts::default(), ContextCounts::default());
    /// a.add(&[(1, 10), (2, 20)]);
    /// b.add(&[(1, 11)]);
    /// all.add(&[(1, 10), (2, 20)]);
    /// all.add(&[(1, 11)]);
    /// a.merge(&b);
    /// assert_eq!((a.contexts(1), a.contexts(2)), (all.contexts(1), all.contexts(2)));
    /// ```
    pub fn merge(&mut self, other: &ContextCounts) {
        let mut records: Vec<&Record> =
            other.main.iter().chain(other.pending.values()).filter(|r| r.articles > 0).collect();
        records.sort_unstable_by_key(|r| r.key);
        let mut multi: Vec<(&SegmentKey, &u32)> = other.in_context.iter().collect();
        multi.sort_unstable();
        let mut in_context = Vec::new();
        let mut m = 0;
        for r in records {
            in_context.clear();
            if r.contexts & MULTI == 0 {
                in_context.push((r.context, r.articles));
            } else {
                while m < multi.len() && multi[m].0.0 < r.key {
                    m += 1;
                }
                while m < multi.len() && multi[m].0.0 == r.key {
                    in_context.push((multi[m].0.1, *multi[m].1));
                    m += 1;
                }
            }
            self.add_counts(r.key, &in_context, r.articles);
            self.maybe_merge();
        }
    }

    /// Distinct contexts key `key` was seen in.
    pub fn contexts(&self, key: u64) -> usize {
        self.find(key).map_or(0, |r| r.contexts() as usize)
    }

    /// Articles holding key `key` (in any context).
    ///
    /// ```
    /// use neardup::corpus::ContextCounts;
    /// let mut counts = ContextCounts::default();
    /// counts.add(&[(1, 10), (1, 11)]); // one article, key 1 twice
    /// counts.add(&[(1, 10)]);
    /// assert_eq!((counts.contexts(1), counts.articles(1)), (2, 2));
    /// ```
    pub fn articles(&self, key: u64) -> usize {
        self.find(key).map_or(0, |r| r.articles as usize)
    }

    /// Whether `key` is boilerplate with `min_contexts` as the bound (never
    /// when it is 0, which turns boilerplate detection off).
    pub fn is_boilerplate(&self, key: u64, min_contexts: usize) -> bool {
        match min_contexts {
            0 => false,
            1 => self.contexts(key) >= 1,
            _ => self.may_be_multi(key) && self.multi.contains(&key) && self.contexts(key) >= min_contexts,
        }
    }

    /// The articles holding `key` if it is boilerplate with `min_contexts`
    /// as the bound ([`is_boilerplate`](Self::is_boilerplate)), `None`
    /// otherwise: what [`Detector::prepare`](crate::Detector::prepare)
    /// asks of each sentence and paragraph.
    pub fn boilerplate(&self, key: u64, min_contexts: usize) -> Option<u32> {
        self.is_boilerplate(key, min_contexts).then(|| self.articles(key) as u32)
    }

    /// Whether `key` may be a multi key (`false`: it is not).
    fn may_be_multi(&self, key: u64) -> bool {
        let bit = key >> (64 - FILTER_BITS);
        self.filter.get((bit >> 6) as usize).is_some_and(|w| w & (1 << (bit & 63)) != 0)
    }

    /// Heap bytes, approximately.
    pub(crate) fn memory_usage(&self) -> usize {
        std::mem::size_of::<Record>() * self.main.capacity()
            + 4 * self.dir.capacity()
            + (std::mem::size_of::<Record>() + 8) * self.pending.capacity()
            + 25 * self.in_context.capacity()
            + 9 * self.multi.capacity()
            + 8 * self.filter.capacity()
    }

    /// Adds counts to key `key`'s record (see [`Record::add`]).
    fn add_counts(&mut self, key: u64, in_context: &[(u64, u32)], articles: u32) {
        let record = match self.main_index(key) {
            Some(i) => &mut self.main[i],
            None => self.pending.get_or_insert(key, Record { key, ..Record::default() }).0,
        };
        let was_multi = record.contexts & MULTI != 0;
        record.add(&mut self.in_context, in_context, articles);
        if !was_multi && record.contexts & MULTI != 0 {
            self.mark_multi(key);
        }
    }

    /// Merges the pending records into the sorted array and frees the
    /// spare capacity of the maps.
    pub(crate) fn shrink_to_fit(&mut self) {
        if !self.pending.is_empty() {
            self.merge_pending();
        }
        self.main.shrink_to_fit();
        self.in_context.shrink_to_fit();
        self.multi.shrink_to_fit();
    }

    /// Merges the pending records into the sorted array once there are
    /// enough of them.
    fn maybe_merge(&mut self) {
        if self.pending.len() > (self.main.len() / 8).max(MERGE_AFTER) {
            self.merge_pending();
        }
    }

    /// Merges the pending records into the sorted array, in place (from
    /// the back: the array grows once, by the pending records), dropping
    /// dead records.
    fn merge_pending(&mut self) {
        let mut fresh: Vec<Record> = self.pending.values().copied().collect();
        self.pending = OrderedMap::default();
        fresh.sort_unstable_by_key(|r| r.key);
        let old = self.main.len();
        self.main.reserve_exact(fresh.len());
        self.main.resize(old + fresh.len(), Record::default());
        let (mut i, mut k) = (old, self.main.len());
        while let Some(f) = fresh.last() {
            k -= 1;
            if i > 0 && self.main[i - 1].key > f.key {
                i -= 1;
                self.main[k] = self.main[i];
            } else {
                self.main[k] = *f;
                fresh.pop();
            }
        }
        self.main.retain(|r| r.articles > 0);
        self.set_dir();
    }

    /// Rebuilds the directory of the sorted array: about 8 records per
    /// cell, between 2^8 and 2^28 cells, so that a search costs the same
    /// whatever the corpus size (4 bytes per 8 records of 24, 2 % of the
    /// array). With the old bound of 2^22 cells, 4·10^6 articles had 21
    /// records per cell: a search read 2 to 3 times the cache lines of one
    /// at 10^6, the 18 % of indexing that grew fastest with the corpus.
    fn set_dir(&mut self) {
        let bits = (self.main.len() / 8).max(1).ilog2().clamp(8, 28);
        self.dir_bits = bits;
        let cells = 1u64 << bits;
        self.dir.clear();
        let mut i = 0;
        for p in 0..cells {
            while i < self.main.len() && (self.main[i].key >> (64 - bits)) < p {
                i += 1;
            }
            self.dir.push(i as u32);
        }
        self.dir.push(self.main.len() as u32);
        self.dir.shrink_to_fit();
    }

    /// The position of key `key` in the sorted array.
    fn main_index(&self, key: u64) -> Option<usize> {
        let (lo, hi) = match self.dir.len() {
            0 => (0, self.main.len()),
            _ => {
                let p = (key >> (64 - self.dir_bits)) as usize;
                (self.dir[p] as usize, self.dir[p + 1] as usize)
            }
        };
        let cell = &self.main[lo..hi];
        let at = cell.partition_point(|r| r.key < key);
        (cell.get(at).map(|r| r.key) == Some(key)).then_some(lo + at)
    }

    /// Reads, for every key of `keys`, its directory cell and then three
    /// records of its cell in the sorted array, none of these reads waiting
    /// for another key's: the processor overlaps their cache misses, where
    /// the searches one key after another ([`main_index`](Self::main_index),
    /// each read waiting for the last) would take them one at a time. An
    /// article's keys are random places in an array of gigabytes at 4·10^6
    /// articles, so those misses were most of the searches' cost.
    fn warm(&self, keys: &[SegmentKey]) {
        self.pending.warm(keys.iter().map(|k| k.0));
        if self.dir.is_empty() {
            return;
        }
        let shift = 64 - self.dir_bits;
        let mut cells = [(0usize, 0usize); 32];
        let mut sum = 0u64;
        for chunk in keys.chunks(cells.len()) {
            for (cell, &(key, _)) in cells.iter_mut().zip(chunk) {
                let p = (key >> shift) as usize;
                *cell = (self.dir[p] as usize, self.dir[p + 1] as usize);
            }
            for &(lo, hi) in &cells[..chunk.len()] {
                if lo < hi {
                    sum ^= self.main[lo].key ^ self.main[(lo + hi) / 2].key ^ self.main[hi - 1].key;
                }
            }
        }
        std::hint::black_box(sum);
    }

    fn find(&self, key: u64) -> Option<&Record> {
        match self.main_index(key) {
            Some(i) => Some(&self.main[i]),
            None => self.pending.get(key),
        }
    }

    /// The records as an index file holds them (format 5): `(key, context,
    /// contexts, articles)` of every key held by an article, in increasing
    /// key order, and their number. `contexts` has bit 31 set for a key
    /// once seen in two or more contexts ([`in_context`](Self::saved_in_context)
    /// then holds its counts per context, and `context` means nothing);
    /// otherwise it is 1 and `context` is the key's only context. Streamed:
    /// the sorted array as it is, merged with the pending records (sorted
    /// apart, at most an eighth of the array).
    pub(crate) fn saved_records(&self) -> (usize, impl Iterator<Item = (u64, u64, u32, u32)> + '_) {
        let mut pending: Vec<&Record> = self.pending.values().filter(|r| r.articles > 0).collect();
        pending.sort_unstable_by_key(|r| r.key);
        let count = self.main.iter().filter(|r| r.articles > 0).count() + pending.len();
        let mut main = self.main.iter().filter(|r| r.articles > 0).peekable();
        let mut pending = pending.into_iter().peekable();
        let merged = std::iter::from_fn(move || match (main.peek(), pending.peek()) {
            (Some(a), Some(b)) if b.key < a.key => pending.next(),
            (Some(_), _) => main.next(),
            (None, _) => pending.next(),
        });
        (count, merged.map(|r| (r.key, r.context, r.contexts, r.articles)))
    }

    /// The counts per context of the keys seen in two or more contexts, as
    /// an index file holds them: `(key, context, articles)`, sorted.
    pub(crate) fn saved_in_context(&self) -> Vec<(u64, u64, u32)> {
        let mut v: Vec<(u64, u64, u32)> = self.in_context.iter().map(|(&(k, c), &n)| (k, c, n)).collect();
        v.sort_unstable();
        v
    }

    /// The records of counts read back from an index file (see
    /// [`saved_records`](Self::saved_records)): `records` records, each
    /// from `record`; [`load_in_context`](Self::load_in_context) must
    /// follow. Every invariant is checked (keys in increasing order,
    /// counts that add up), so a file that passed its checksum but was
    /// written wrong is an error, never a panic or a wrong count.
    pub(crate) fn load_records(
        records: usize,
        mut record: impl FnMut() -> std::result::Result<(u64, u64, u32, u32), String>,
    ) -> std::result::Result<ContextCounts, String> {
        let mut main = Vec::with_capacity(records);
        for i in 0..records {
            let (key, context, contexts, articles) = record()?;
            let r = Record { key, context, contexts, articles };
            let fine = articles > 0 && if contexts & MULTI == 0 { contexts == 1 } else { r.contexts() >= 1 };
            if !fine {
                return Err(format!(
                    "boilerplate record {i} (key {key:#x}) has {} contexts{} and {articles} articles",
                    r.contexts(),
                    if contexts & MULTI == 0 { "" } else { " (multi)" }
                ));
            }
            if main.last().is_some_and(|last: &Record| last.key >= key) {
                return Err(format!("boilerplate record {i} (key {key:#x}) is out of order or repeated"));
            }
            main.push(r);
        }
        let mut counts = ContextCounts { main, ..ContextCounts::default() };
        counts.set_dir();
        Ok(counts)
    }

    /// The counts per context of the multi keys of counts read back with
    /// [`load_records`](Self::load_records): `pairs` of them, each from
    /// `in_context`, checked against the records.
    pub(crate) fn load_in_context(
        &mut self,
        pairs: usize,
        mut in_context: impl FnMut() -> std::result::Result<(u64, u64, u32), String>,
    ) -> std::result::Result<(), String> {
        self.in_context = HashMap::with_capacity_and_hasher(pairs, BuildHasherDefault::default());
        // Each multi key's contexts are counted to check them against its
        // record; `keys` counts the distinct keys.
        let (mut last, mut seen, mut keys): (Option<(u64, u64)>, u32, usize) = (None, 0, 0);
        let check_seen = |counts: &ContextCounts, key: u64, seen: u32| match counts.find(key) {
            Some(r) if r.contexts & MULTI != 0 && r.contexts() == seen => Ok(()),
            Some(r) if r.contexts & MULTI != 0 => {
                Err(format!("boilerplate key {key:#x} has {} contexts but {seen} counts per context", r.contexts()))
            }
            _ => Err(format!("counts per context of boilerplate key {key:#x}, which has no multi record")),
        };
        for i in 0..pairs {
            let (key, context, n) = in_context()?;
            if last.is_some_and(|l| l >= (key, context)) {
                return Err(format!("count per context {i} (key {key:#x}) is out of order or repeated"));
            }
            if let Some((k, _)) = last.filter(|l| l.0 != key) {
                check_seen(self, k, seen)?;
                seen = 0;
            }
            if seen == 0 {
                keys += 1;
            }
            let articles = self.find(key).map_or(0, |r| r.articles);
            if n == 0 || n > articles {
                return Err(format!("count per context {i} (key {key:#x}) is {n}, with {articles} articles"));
            }
            self.in_context.insert((key, context), n);
            seen += 1;
            last = Some((key, context));
        }
        if let Some((k, _)) = last {
            check_seen(self, k, seen)?;
        }
        let multi: Vec<u64> = self.main.iter().filter(|r| r.contexts & MULTI != 0).map(|r| r.key).collect();
        if keys != multi.len() {
            return Err(format!("{} boilerplate keys are multi but {keys} have counts per context", multi.len()));
        }
        for key in multi {
            self.mark_multi(key);
        }
        Ok(())
    }

    /// Records that `key` is a multi key.
    fn mark_multi(&mut self, key: u64) {
        self.multi.insert(key);
        if self.filter.is_empty() {
            self.filter = vec![0; 1 << (FILTER_BITS - 6)];
        }
        let bit = key >> (64 - FILTER_BITS);
        self.filter[(bit >> 6) as usize] |= 1 << (bit & 63);
    }
}

fn distinct(v: &[SegmentKey]) -> Vec<SegmentKey> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts as the plain definition gives them: distinct contexts
    /// and articles of every key, from every article's keys.
    fn oracle(articles: &[Vec<SegmentKey>]) -> std::collections::BTreeMap<u64, (usize, usize)> {
        let mut contexts: std::collections::BTreeSet<SegmentKey> = std::collections::BTreeSet::new();
        let mut holding: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
        for a in articles {
            let mut mine: Vec<u64> = a.iter().map(|k| k.0).collect();
            mine.sort_unstable();
            mine.dedup();
            for k in mine {
                *holding.entry(k).or_default() += 1;
            }
            contexts.extend(a.iter().copied());
        }
        holding.into_iter().map(|(k, n)| (k, (contexts.range((k, 0)..=(k, u64::MAX)).count(), n))).collect()
    }

    #[test]
    fn counts_match_the_definition_through_adds_removes_merges() {
        // Few keys and contexts, so keys go multi and back; enough articles
        // for several merges of pending records into the sorted array.
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut articles: Vec<Vec<SegmentKey>> = Vec::new();
        for i in 0..60_000u64 {
            let keys: Vec<SegmentKey> = (0..1 + next(4))
                .map(|_| {
                    let k = if next(3) == 0 { next(50) } else { 1000 + i * 4 + next(4) };
                    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15), next(if k < 50 { 20 } else { 2 }))
                })
                .collect();
            articles.push(keys);
        }
        let mut counts = ContextCounts::default();
        let (mut shard_a, mut shard_b) = (ContextCounts::default(), ContextCounts::default());
        for (i, a) in articles.iter().enumerate() {
            counts.add(a);
            if i % 2 == 0 { shard_a.add(a) } else { shard_b.add(a) }
        }
        assert!(!counts.main.is_empty());
        // Remove every third article.
        let mut kept = Vec::new();
        for (i, a) in articles.iter().enumerate() {
            if i % 3 == 0 {
                counts.remove(a);
            } else {
                kept.push(a.clone());
            }
        }
        shard_a.merge(&shard_b);
        let probe: Vec<u64> = (0..50u64).chain(1000..1400).map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let (want_kept, want_all) = (oracle(&kept), oracle(&articles));
        for &key in &probe {
            for min in 0..4 {
                let (contexts, _) = want_kept.get(&key).copied().unwrap_or((0, 0));
                assert_eq!(counts.is_boilerplate(key, min), min > 0 && contexts >= min, "key {key}, bound {min}");
            }
            let want = |m: &std::collections::BTreeMap<u64, (usize, usize)>| m.get(&key).copied().unwrap_or((0, 0));
            assert_eq!((counts.contexts(key), counts.articles(key)), want(&want_kept), "key {key}");
            assert_eq!((shard_a.contexts(key), shard_a.articles(key)), want(&want_all), "merged key {key}");
        }
        // Everything removed: nothing left.
        for a in &kept {
            counts.remove(a);
        }
        assert!(probe.iter().all(|&k| counts.contexts(k) == 0 && counts.articles(k) == 0));
        assert!(counts.in_context.is_empty() && counts.multi.is_empty());
    }
}
