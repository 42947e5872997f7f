//! Probing: a query's candidates, read off the band tables bucket by
//! bucket.

use super::Index;
use super::batch::{Candidate, compact, finish};
use crate::detector::Prepared;

impl Index {
    /// The candidates of a prepared query text, sorted and deduplicated,
    /// and the number of saturated buckets and of the entries they held
    /// past the cap.
    ///
    /// Each unit that probes on its own behalf
    /// ([`Prepared::probing_unit`] of itself: not boilerplate, and the
    /// first of the units with its words) looks its band keys up; a bucket
    /// gives its first `max_bucket` live entries. The list is compacted as
    /// it grows, so it holds at most twice the distinct candidates plus one
    /// unit's worth.
    pub(super) fn candidates(&self, probe: &Prepared) -> (Vec<Candidate>, usize, usize) {
        let cap = self.detector.config().max_bucket;
        let mut out = Vec::new();
        let (mut saturated, mut skipped) = (0, 0);
        let mut compact_at = 1 << 16;
        for (q, unit) in probe.units().iter().enumerate() {
            let q = q as u32;
            if probe.probing_unit(q) != Some(q) {
                continue;
            }
            let keys = self.detector.unit_band_keys(probe.shingles(), unit);
            for (table, &key) in self.tables.iter().zip(&keys) {
                let mut live = 0;
                for (slot, unit) in table.bucket(key) {
                    let Some(stored) = self.store.at(slot) else { continue };
                    live += 1;
                    if live <= cap {
                        out.push(Candidate { id: stored.id, slot, unit, probe_unit: q });
                    }
                }
                if live > cap {
                    saturated += 1;
                    skipped += live - cap;
                }
            }
            compact(&mut out, &mut compact_at);
        }
        (finish(out), saturated, skipped)
    }
}
