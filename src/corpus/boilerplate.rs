//! Boilerplate statistics: in how many distinct contexts each sentence
//! (and paragraph) occurs across the corpus.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::fingerprint::SegmentKey;
use crate::lsh::{KeyHasher, KeyMap};

/// How often each sentence (paragraph) key occurs in each context across a
/// corpus's articles ([`ArticleKeys::segment_keys`](crate::ArticleKeys)):
/// a key seen in at least
/// [`boilerplate_contexts`](crate::Config::boilerplate_contexts) distinct
/// contexts is boilerplate. Counts of disjoint shards add up
/// ([`merge`](Self::merge)), so a distributed engine gets the index's
/// counts by summing its shards'.
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
    /// Articles holding key `s` in context `c`, by `(s, c)`.
    in_context: HashMap<SegmentKey, u32, BuildHasherDefault<KeyHasher>>,
    /// Distinct contexts of key `s`, and the articles holding it.
    contexts: KeyMap<(u32, u32)>,
}

impl ContextCounts {
    /// Counts one article's segment keys (each distinct `(key, context)`
    /// once per article).
    pub fn add(&mut self, keys: &[SegmentKey]) {
        let keys = distinct(keys);
        for &(s, c) in keys.iter() {
            self.add_n(s, c, 1);
        }
        for s in distinct_keys(&keys) {
            self.contexts.entry(s).or_insert((0, 0)).1 += 1;
        }
    }

    /// Adds `n` articles holding key `s` in context `c` (not to the
    /// articles holding `s`).
    fn add_n(&mut self, s: u64, c: u64, n: u32) {
        let count = self.in_context.entry((s, c)).or_insert(0);
        if *count == 0 {
            self.contexts.entry(s).or_insert((0, 0)).0 += 1;
        }
        *count += n;
    }

    /// Takes back one article's segment keys, counted with
    /// [`add`](Self::add).
    pub fn remove(&mut self, keys: &[SegmentKey]) {
        let keys = distinct(keys);
        for s in distinct_keys(&keys) {
            if let Some(k) = self.contexts.get_mut(&s) {
                k.1 = k.1.saturating_sub(1);
            }
        }
        for &(s, c) in keys.iter() {
            if let Some(n) = self.in_context.get_mut(&(s, c)) {
                *n -= 1;
                if *n == 0 {
                    self.in_context.remove(&(s, c));
                    if let Some(k) = self.contexts.get_mut(&s) {
                        k.0 -= 1;
                        if k.0 == 0 {
                            self.contexts.remove(&s);
                        }
                    }
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
        let mut pairs: Vec<(&SegmentKey, &u32)> = other.in_context.iter().collect();
        pairs.sort_unstable();
        for (&(s, c), &n) in pairs {
            self.add_n(s, c, n);
        }
        let mut articles: Vec<(u64, u32)> = other.contexts.iter().map(|(&s, &(_, a))| (s, a)).collect();
        articles.sort_unstable();
        for (s, a) in articles {
            self.contexts.entry(s).or_insert((0, 0)).1 += a;
        }
    }

    /// Distinct contexts key `key` was seen in.
    pub fn contexts(&self, key: u64) -> usize {
        self.contexts.get(&key).map_or(0, |&(n, _)| n as usize)
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
        self.contexts.get(&key).map_or(0, |&(_, a)| a as usize)
    }

    /// Whether `key` is boilerplate with `min_contexts` as the bound (never
    /// when it is 0, which turns boilerplate detection off).
    pub fn is_boilerplate(&self, key: u64, min_contexts: usize) -> bool {
        min_contexts > 0 && self.contexts(key) >= min_contexts
    }

    /// The articles holding `key` if it is boilerplate with `min_contexts`
    /// as the bound ([`is_boilerplate`](Self::is_boilerplate)), `None`
    /// otherwise: what [`Detector::prepare`](crate::Detector::prepare)
    /// asks of each sentence and paragraph.
    pub fn boilerplate(&self, key: u64, min_contexts: usize) -> Option<u32> {
        self.is_boilerplate(key, min_contexts).then(|| self.articles(key) as u32)
    }

    /// Heap bytes, approximately.
    pub(crate) fn memory_usage(&self) -> usize {
        40 * self.in_context.capacity() + 24 * self.contexts.capacity()
    }
}

/// The distinct keys of sorted, distinct `(key, context)` pairs.
fn distinct_keys(v: &[SegmentKey]) -> impl Iterator<Item = u64> + '_ {
    v.chunk_by(|x, y| x.0 == y.0).map(|g| g[0].0)
}

fn distinct(v: &[SegmentKey]) -> Vec<SegmentKey> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
