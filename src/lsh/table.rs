//! The band tables: one per band, mapping a band key to its bucket of
//! `(slot, unit)` entries, oldest first.

use super::ordered::OrderedMap;

/// Bytes of one merged band-table entry: a `u64` key, a `u32` article slot
/// and a `u32` unit number.
///
/// ```
/// use neardup::{advisor::IndexMemory, lsh::MERGED_ENTRY_BYTES};
/// assert_eq!(IndexMemory::for_bands(10).merged_bytes_per_unit, 10 * MERGED_ENTRY_BYTES);
/// ```
pub const MERGED_ENTRY_BYTES: usize = std::mem::size_of::<Entry>();
const _: () = assert!(MERGED_ENTRY_BYTES == 16);

/// Typical bytes of one band-table entry still waiting among the recent
/// insertions: a 12-byte chain link, plus (for a new key) a 16-byte slot
/// of the pending map, which is between two fifths and four fifths full,
/// and the arrays' spare capacity: between 32 and 52 bytes depending on
/// how full the arrays are.
///
/// ```
/// use neardup::{advisor::IndexMemory, lsh::PENDING_ENTRY_BYTES};
/// assert_eq!(IndexMemory::for_bands(10).small_index_bytes_per_unit, 10 * PENDING_ENTRY_BYTES);
/// ```
pub const PENDING_ENTRY_BYTES: usize = 40;

/// Entries a band table holds in its hash map before its first merge into
/// the sorted array; later merges happen when the map grows past a quarter
/// of the array (or this many entries, whichever is larger).
///
/// ```
/// use neardup::{advisor::IndexMemory, lsh::{MERGE_AFTER_ENTRIES, PENDING_ENTRY_BYTES}};
/// let m = IndexMemory::for_bands(1);
/// assert_eq!(m.table_bytes(MERGE_AFTER_ENTRIES), MERGE_AFTER_ENTRIES * PENDING_ENTRY_BYTES);
/// ```
pub const MERGE_AFTER_ENTRIES: usize = 1 << 16;

/// One unit of one article under one band key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub(crate) key: u64,
    pub(crate) slot: u32,
    pub(crate) unit: u32,
}

/// The buckets of one band.
///
/// * `main`: a sorted array of 16-byte entries, with a directory on the top
///   bits of the key (keys are uniform hashes), so a lookup is one
///   directory read and a binary search over a handful of entries instead
///   of a binary search over the whole array (which cost 82 % of all-pairs
///   time at 1M paragraphs).
/// * pending: recent insertions, as chains in one array (no allocation per
///   key) indexed by a hash map from key to chain head and tail; merged into
///   `main` when it grows past a quarter of it, so each entry is moved a
///   constant number of times on average.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    main: Vec<Entry>,
    /// `dir[p]` = first index in `main` whose key has top bits `>= p`;
    /// `dir.len() == 2^dir_bits + 1` (empty while `main` is).
    dir: Vec<u32>,
    dir_bits: u32,
    /// Key to (first, last) index into `chain`.
    heads: OrderedMap<(u32, u32)>,
    /// `(slot, unit, next)`; `next == END` ends a chain.
    chain: Vec<(u32, u32, u32)>,
}

const END: u32 = u32::MAX;

impl Table {
    pub(crate) fn insert(&mut self, e: Entry) {
        let at = self.chain.len() as u32;
        self.chain.push((e.slot, e.unit, END));
        let ((_, tail), fresh) = self.heads.get_or_insert(e.key, (at, at));
        if !fresh {
            let old = std::mem::replace(tail, at);
            self.chain[old as usize].2 = at;
        }
        if self.chain.len() > (self.main.len() / 4).max(MERGE_AFTER_ENTRIES) {
            self.flush();
        }
    }

    /// Reads where the pending entries of `keys` go, so that the
    /// [`insert`](Self::insert)s of an article's keys that follow find them
    /// in the cache: these reads do not wait for one another, so the
    /// processor overlaps their cache misses ([`OrderedMap::warm`]).
    pub(crate) fn warm(&self, keys: impl IntoIterator<Item = u64>) {
        self.heads.warm(keys);
    }

    /// Replaces the sorted array (already sorted) and rebuilds its
    /// directory.
    fn set_main(&mut self, main: Vec<Entry>) {
        self.main = main;
        // About 4 entries per directory cell, between 2^8 and 2^22 cells.
        let bits = (self.main.len() / 4).max(1).ilog2().clamp(8, 22);
        self.dir_bits = bits;
        let cells = 1u64 << bits;
        let mut dir = Vec::with_capacity(cells as usize + 1);
        let mut i = 0;
        for p in 0..cells {
            while i < self.main.len() && (self.main[i].key >> (64 - bits)) < p {
                i += 1;
            }
            dir.push(i as u32);
        }
        dir.push(self.main.len() as u32);
        self.dir = dir;
    }

    /// Merges pending entries into the sorted array.
    pub(crate) fn flush(&mut self) {
        if self.chain.is_empty() {
            return;
        }
        let mut fresh = self.pending_entries();
        fresh.sort_unstable();
        // Free the pending arrays (not just clear them): between merges they
        // regrow to at most a quarter of `main`, by doubling.
        self.heads = OrderedMap::default();
        self.chain = Vec::new();
        // Merge in place, from the back: the array grows once, by the fresh
        // entries (no second copy of it while merging).
        let mut main = std::mem::take(&mut self.main);
        let old = main.len();
        main.reserve_exact(fresh.len());
        main.resize(old + fresh.len(), Entry { key: 0, slot: 0, unit: 0 });
        let (mut i, mut k) = (old, main.len());
        while let Some(&f) = fresh.last() {
            k -= 1;
            if i > 0 && main[i - 1] > f {
                i -= 1;
                main[k] = main[i];
            } else {
                main[k] = f;
                fresh.pop();
            }
        }
        self.set_main(main);
    }

    /// The pending entries, key after key (in the pending map's order),
    /// each key's oldest first. The chains start at random places of
    /// `chain`, so the heads of 32 keys are read before any is walked, none
    /// of the reads waiting for another: the processor overlaps the misses
    /// (a quarter of the run table at 4·10^6 articles is 40 million chains
    /// in 480 MB).
    fn pending_entries(&self) -> Vec<Entry> {
        let mut fresh: Vec<Entry> = Vec::with_capacity(self.chain.len());
        let walk = |batch: &[(u64, u32)], fresh: &mut Vec<Entry>| {
            let sum = batch.iter().fold(0, |sum, &(_, at)| sum ^ self.chain[at as usize].0);
            std::hint::black_box(sum);
            for &(key, mut at) in batch {
                while let Some(&(slot, unit, next)) = self.chain.get(at as usize) {
                    fresh.push(Entry { key, slot, unit });
                    at = next;
                }
            }
        };
        let mut batch = [(0u64, 0u32); 32];
        let mut n = 0;
        for (key, &(head, _)) in self.heads.iter() {
            batch[n] = (key, head);
            n += 1;
            if n == batch.len() {
                walk(&batch, &mut fresh);
                n = 0;
            }
        }
        walk(&batch[..n], &mut fresh);
        fresh
    }

    /// Entries of the sorted array under `key`.
    pub(crate) fn main_bucket(&self, key: u64) -> &[Entry] {
        let (lo, hi) = match self.dir.len() {
            0 => (0, self.main.len()),
            _ => {
                let p = (key >> (64 - self.dir_bits)) as usize;
                (self.dir[p] as usize, self.dir[p + 1] as usize)
            }
        };
        let cell = &self.main[lo..hi];
        let start = cell.partition_point(|e| e.key < key);
        let len = cell[start..].iter().take_while(|e| e.key == key).count();
        &cell[start..start + len]
    }

    /// Pending entries under `key`, oldest first.
    pub(crate) fn pending_bucket(&self, key: u64) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut at = self.heads.get(key).map_or(END, |&(head, _)| head);
        std::iter::from_fn(move || {
            let &(slot, unit, next) = self.chain.get(at as usize)?;
            at = next;
            Some((slot, unit))
        })
    }

    /// Entries under `key`, oldest (lowest slot) first.
    pub(crate) fn bucket(&self, key: u64) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.main_bucket(key).iter().map(|e| (e.slot, e.unit)).chain(self.pending_bucket(key))
    }

    /// Calls `f` with every non-empty bucket, in increasing key order, each
    /// as [`bucket`](Self::bucket) gives it (sorted array entries, then
    /// pending ones, oldest first): one sequential pass over the sorted
    /// array, merged with the pending keys (sorted first).
    pub(crate) fn for_each_bucket(&self, mut f: impl FnMut(&[(u32, u32)])) {
        let mut pending: Vec<u64> = self.heads.keys().collect();
        pending.sort_unstable();
        let (main, mut i, mut p) = (&self.main, 0, 0);
        let mut buf: Vec<(u32, u32)> = Vec::new();
        loop {
            let key = match (main.get(i), pending.get(p)) {
                (Some(e), Some(&k)) => e.key.min(k),
                (Some(e), None) => e.key,
                (None, Some(&k)) => k,
                (None, None) => break,
            };
            buf.clear();
            while let Some(e) = main.get(i).filter(|e| e.key == key) {
                buf.push((e.slot, e.unit));
                i += 1;
            }
            if pending.get(p) == Some(&key) {
                buf.extend(self.pending_bucket(key));
                p += 1;
            }
            f(&buf);
        }
    }

    pub(crate) fn retain_live(&mut self, live: impl Fn(u32) -> bool) {
        self.flush();
        let mut main = std::mem::take(&mut self.main);
        main.retain(|e| live(e.slot));
        self.set_main(main);
    }

    pub(crate) fn len(&self) -> usize {
        self.main.len() + self.chain.len()
    }

    /// Heap bytes, approximately.
    pub(crate) fn memory_usage(&self) -> usize {
        16 * self.main.capacity() + 4 * self.dir.capacity() + 12 * self.chain.capacity() + 16 * self.heads.capacity()
    }

    /// The entries of the slots `ordinal` maps (to the ordinal each is
    /// written under), renumbered, in sorted order: the band as an index
    /// file holds it, and their number. `ordinal` must be monotone, so
    /// that the sorted array stays sorted once renumbered: it is streamed
    /// as it is, merged with the pending entries (sorted apart, at most a
    /// quarter of the array), so saving a table costs no copy of it.
    pub(crate) fn encoded<'t>(
        &'t self,
        ordinal: impl Fn(u32) -> Option<u32> + Copy + 't,
    ) -> (usize, impl Iterator<Item = Entry> + 't) {
        let renumber = move |e: &Entry| Some(Entry { slot: ordinal(e.slot)?, ..*e });
        let mut pending: Vec<Entry> = self
            .heads
            .keys()
            .flat_map(move |key| self.pending_bucket(key).map(move |(slot, unit)| Entry { key, slot, unit }))
            .filter_map(|e| renumber(&e))
            .collect();
        pending.sort_unstable();
        let count = self.main.iter().filter(|e| ordinal(e.slot).is_some()).count() + pending.len();
        let mut main = self.main.iter().filter_map(renumber).peekable();
        let mut pending = pending.into_iter().peekable();
        let merged = std::iter::from_fn(move || match (main.peek(), pending.peek()) {
            (Some(a), Some(b)) if b < a => pending.next(),
            (Some(_), _) => main.next(),
            (None, _) => pending.next(),
        });
        (count, merged)
    }

    /// A table of `entries`, already sorted (as [`encoded`](Self::encoded)
    /// gives them).
    pub(crate) fn from_sorted(entries: Vec<Entry>) -> Table {
        let mut t = Table::default();
        t.set_main(entries);
        t
    }

    /// Every entry, sorted array and pending, in no particular order.
    pub(crate) fn live_entries(&self) -> impl Iterator<Item = Entry> + '_ {
        let pending = self
            .heads
            .keys()
            .flat_map(move |key| self.pending_bucket(key).map(move |(slot, unit)| Entry { key, slot, unit }));
        self.main.iter().copied().chain(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_merges_pending_in_order() {
        let mut t = Table::default();
        for i in 0..200_000u32 {
            t.insert(Entry { key: u64::from(i % 1000), slot: i, unit: 0 });
        }
        assert_eq!(t.len(), 200_000);
        let slots: Vec<u32> = t.bucket(7).map(|(s, _)| s).collect();
        assert_eq!(slots.len(), 200);
        assert!(slots.windows(2).all(|w| w[0] < w[1]), "oldest first across main and pending");
        t.retain_live(|s| s % 2 == 0);
        assert_eq!(t.bucket(7).count(), 0, "slots 7, 1007, ... are odd");
        assert_eq!(t.bucket(8).count(), 200);
        t.retain_live(|s| s < 100_000);
        assert_eq!(t.bucket(8).count(), 100);
    }

    #[test]
    fn buckets_scan_as_looked_up() {
        let mut t = Table::default();
        for i in 0..150_000u32 {
            // A few keys in both the sorted array and pending, some only in
            // one of them.
            let key = u64::from(i % 997) << 54 | u64::from(i % 3);
            t.insert(Entry { key, slot: i / 4, unit: i % 4 });
        }
        assert!(!t.main.is_empty() && !t.chain.is_empty());
        let mut keys: Vec<u64> = t.live_entries().map(|e| e.key).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut scanned = Vec::new();
        t.for_each_bucket(|b| scanned.push(b.to_vec()));
        let looked_up: Vec<Vec<(u32, u32)>> = keys.iter().map(|&k| t.bucket(k).collect()).collect();
        assert_eq!(scanned, looked_up);
    }
}
