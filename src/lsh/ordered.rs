//! An ordered hash map of `u64` keys: the pending part of the band tables
//! and of the boilerplate counts.
//!
//! A key is stored mixed (a bijection, so nothing is lost: multiplied by an
//! odd constant after a shift, as Fibonacci hashing does), because keys
//! need not be uniform: the run table's anchors are winnowing's minima,
//! small values, which would all share the first slots. A key's home slot
//! is the top bits of its mixed value, and the slots hold the mixed values
//! in increasing order (linear probing that keeps order, as Robin Hood
//! hashing does): a key is at or after its home slot, before any greater
//! one, and a search stops at the first one not below it. What that buys
//! over a general hash map:
//!
//! * one memory access per lookup, where the slot is known from the key
//!   alone, so that [`warm`](OrderedMap::warm) can read an article's slots
//!   before it works on them and the processor overlaps the cache misses;
//! * growing is one sequential pass, without rehashing.
//!
//! An empty slot holds the mixed value `u64::MAX`, greater than any other,
//! which ends every search; the key that mixes to it is kept apart.

/// An empty slot's mixed key.
const EMPTY: u64 = u64::MAX;

/// The odd constant of [`mix`] (2^64 / φ) and its inverse modulo 2^64.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
const GOLDEN_INVERSE: u64 = 0xf1de_83e1_9937_733d;
const _: () = assert!(GOLDEN.wrapping_mul(GOLDEN_INVERSE) == 1);

/// A bijection of `u64` that spreads keys crowded in any bits over the top
/// bits (the shift brings the top half down first, the product carries
/// every low bit up).
fn mix(key: u64) -> u64 {
    (key ^ (key >> 32)).wrapping_mul(GOLDEN)
}

/// The inverse of [`mix`] (a shift by 32 or more undoes itself).
fn unmix(m: u64) -> u64 {
    let k = m.wrapping_mul(GOLDEN_INVERSE);
    k ^ (k >> 32)
}

/// The table grows past this share of its home slots (4/5).
const LOAD_NUM: usize = 4;
const LOAD_DEN: usize = 5;

/// A map from `u64` keys to copies of `V`.
#[derive(Clone, Debug)]
pub(crate) struct OrderedMap<V> {
    /// `(mix(key), value)`: `2^bits` home slots, then slack for the keys
    /// pushed past the last home slot; the last slot is always empty (it
    /// ends every search).
    slots: Vec<(u64, V)>,
    bits: u32,
    len: usize,
    /// The value of the key that mixes to `u64::MAX`, which cannot be in a
    /// slot.
    max: Option<V>,
}

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap { slots: Vec::new(), bits: 0, len: 0, max: None }
    }
}

impl<V: Copy + Default> OrderedMap<V> {
    /// Keys in the map.
    pub(crate) fn len(&self) -> usize {
        self.len + usize::from(self.max.is_some())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slots allocated (each `8 + size_of::<V>()` bytes).
    pub(crate) fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// The home slot of mixed key `m`.
    fn home(&self, m: u64) -> usize {
        // `bits >= 1` once there are slots; `checked_shr` covers the empty
        // table.
        m.checked_shr(64 - self.bits).unwrap_or(0) as usize
    }

    /// The first slot from `m`'s home whose mixed key is not below `m`
    /// (`m < EMPTY`, and the table has slots).
    fn seek(&self, m: u64) -> usize {
        let mut i = self.home(m);
        while self.slots[i].0 < m {
            i += 1;
        }
        i
    }

    /// Where `key` is: `Err(())` for the key kept apart, `Ok(slot)` if it
    /// is in a slot, `Ok(None)` if it is absent.
    fn find(&self, key: u64) -> Result<Option<usize>, ()> {
        let m = mix(key);
        if m == EMPTY {
            return Err(());
        }
        if self.slots.is_empty() {
            return Ok(None);
        }
        let i = self.seek(m);
        Ok((self.slots[i].0 == m).then_some(i))
    }

    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        match self.find(key) {
            Err(()) => self.max.as_ref(),
            Ok(i) => i.map(|i| &self.slots[i].1),
        }
    }

    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut V> {
        match self.find(key) {
            Err(()) => self.max.as_mut(),
            Ok(i) => i.map(|i| &mut self.slots[i].1),
        }
    }

    /// The value of `key`, inserted as `value` if the key was absent, and
    /// whether it was.
    pub(crate) fn get_or_insert(&mut self, key: u64, value: V) -> (&mut V, bool) {
        let key = mix(key);
        if key == EMPTY {
            let fresh = self.max.is_none();
            return (self.max.get_or_insert(value), fresh);
        }
        if (self.len + 1) * LOAD_DEN > (1usize << self.bits) * LOAD_NUM || self.slots.is_empty() {
            self.grow();
        }
        loop {
            let i = self.seek(key);
            if self.slots[i].0 == key {
                return (&mut self.slots[i].1, false);
            }
            // Shift the run from `i` one slot up, into the next empty slot
            // (never the last one, which ends every search).
            let Some(gap) = self.slots[i..self.slots.len() - 1].iter().position(|s| s.0 == EMPTY) else {
                self.grow();
                continue;
            };
            self.slots.copy_within(i..i + gap, i + 1);
            self.slots[i] = (key, value);
            self.len += 1;
            return (&mut self.slots[i].1, true);
        }
    }

    /// Doubles the home slots (16 at first), moving the keys over in one
    /// pass in mixed-key order.
    fn grow(&mut self) {
        let mut bits = (self.bits + 1).max(4);
        let old = std::mem::take(&mut self.slots);
        'again: loop {
            let homes = 1usize << bits;
            let mut slots = vec![(EMPTY, V::default()); homes + homes / 64 + 16];
            let last = slots.len() - 1;
            let mut next = 0;
            for &(key, value) in old.iter().filter(|s| s.0 != EMPTY) {
                let at = (key >> (64 - bits)) as usize;
                let at = at.max(next);
                if at >= last {
                    bits += 1;
                    continue 'again;
                }
                slots[at] = (key, value);
                next = at + 1;
            }
            self.slots = slots;
            self.bits = bits;
            return;
        }
    }

    /// Reads the home slot of every key of `keys`, none of these reads
    /// waiting for another: the processor overlaps their cache misses,
    /// which the lookups one after another would take one at a time.
    pub(crate) fn warm(&self, keys: impl IntoIterator<Item = u64>) {
        if self.slots.is_empty() {
            return;
        }
        let mut sum = 0u64;
        for key in keys {
            sum ^= self.slots[self.home(mix(key))].0;
        }
        std::hint::black_box(sum);
    }

    /// The entries, in no particular order (of their mixed keys).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &V)> + '_ {
        let slots = self.slots.iter().filter(|s| s.0 != EMPTY).map(|(m, v)| (unmix(*m), v));
        slots.chain(self.max.iter().map(|v| (unmix(EMPTY), v)))
    }

    /// The keys, in the order of [`iter`](Self::iter).
    pub(crate) fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values, in the order of [`iter`](Self::iter).
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The map against a `BTreeMap`, on uniform keys, keys crowded at both
    /// ends of the range (long runs, the slack, the key `u64::MAX`) and
    /// repeated keys.
    #[test]
    fn behaves_as_a_sorted_map() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut keys: Vec<u64> = (0..20_000).map(|_| rand()).collect();
        keys.extend((0..3_000u64).map(|i| u64::MAX - i));
        keys.extend(0..3_000u64);
        keys.extend((0..2_000u64).map(|i| (i % 7) << 60));
        // Keys whose mixed values crowd both ends of the slots.
        keys.extend((0..3_000u64).map(|i| unmix(u64::MAX - 1 - i)));
        keys.extend((0..3_000u64).map(unmix));
        let mut map = OrderedMap::default();
        let mut want = BTreeMap::new();
        for (n, &k) in keys.iter().enumerate() {
            let (v, fresh) = map.get_or_insert(k, 0u32);
            assert_eq!(fresh, !want.contains_key(&k), "key {k:#x}");
            *v += n as u32;
            *want.entry(k).or_insert(0u32) += n as u32;
        }
        assert_eq!(map.len(), want.len());
        let mut got: Vec<(u64, u32)> = map.iter().map(|(k, v)| (k, *v)).collect();
        got.sort_unstable();
        let want_v: Vec<(u64, u32)> = want.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(got, want_v);
        for (&k, &v) in &want {
            assert_eq!(map.get(k), Some(&v));
        }
        for _ in 0..10_000 {
            let k = rand();
            assert_eq!(map.get(k), want.get(&k));
        }
        *map.get_mut(u64::MAX).unwrap() = 7;
        assert_eq!(map.get(u64::MAX), Some(&7));
        map.warm(keys.iter().copied());
        // The key stored apart.
        let apart = unmix(EMPTY);
        assert_eq!(mix(apart), EMPTY);
        assert_eq!(map.get(apart), None);
        assert_eq!(map.get_or_insert(apart, 3), (&mut 3, true));
        assert_eq!(map.get_or_insert(apart, 4), (&mut 3, false));
        assert!(map.keys().any(|k| k == apart) && map.len() == want.len() + 1);
    }

    #[test]
    fn mix_is_a_bijection() {
        for k in [0, 1, 2, u64::MAX, 1 << 63, 0x1234_5678_9abc_def0] {
            assert_eq!(unmix(mix(k)), k);
        }
        // Small keys (winnowing's minima) spread over the home slots.
        let homes: std::collections::BTreeSet<u64> = (0..4096u64).map(|k| mix(k) >> 52).collect();
        assert!(homes.len() > 2500, "{}", homes.len());
    }

    #[test]
    fn empty_map_answers() {
        let map: OrderedMap<u32> = OrderedMap::default();
        assert!(map.is_empty() && map.get(5).is_none() && map.get(u64::MAX).is_none());
        assert_eq!(map.iter().count(), 0);
        map.warm([1, 2, 3]);
    }
}
