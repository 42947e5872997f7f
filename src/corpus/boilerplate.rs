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
    /// Distinct contexts of key `s`.
    contexts: KeyMap<u32>,
}

impl ContextCounts {
    /// Counts one article's segment keys (each distinct `(key, context)`
    /// once per article).
    pub fn add(&mut self, keys: &[SegmentKey]) {
        for &(s, c) in distinct(keys).iter() {
            self.add_n(s, c, 1);
        }
    }

    fn add_n(&mut self, s: u64, c: u64, n: u32) {
        let count = self.in_context.entry((s, c)).or_insert(0);
        if *count == 0 {
            *self.contexts.entry(s).or_insert(0) += 1;
        }
        *count += n;
    }

    /// Takes back one article's segment keys, counted with
    /// [`add`](Self::add).
    pub fn remove(&mut self, keys: &[SegmentKey]) {
        for &(s, c) in distinct(keys).iter() {
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
    }

    /// Distinct contexts key `key` was seen in.
    pub fn contexts(&self, key: u64) -> usize {
        self.contexts.get(&key).map_or(0, |&n| n as usize)
    }

    /// Whether `key` is boilerplate with `min_contexts` as the bound (never
    /// when it is 0, which turns boilerplate detection off).
    pub fn is_boilerplate(&self, key: u64, min_contexts: usize) -> bool {
        min_contexts > 0 && self.contexts(key) >= min_contexts
    }

    /// Heap bytes, approximately.
    pub(crate) fn memory_usage(&self) -> usize {
        40 * (self.in_context.capacity() + self.contexts.capacity())
    }
}

fn distinct(v: &[SegmentKey]) -> Vec<SegmentKey> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
