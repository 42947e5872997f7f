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
/// in bytes), as do the boilerplate statistics (16 bytes per sentence plus
/// hash-map entries per distinct sentence and context).
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
