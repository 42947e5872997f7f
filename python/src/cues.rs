//! `Detector.cue_columns`: stage 3 (candidates) on flat little-endian
//! columns, for a job that has gathered every entry of a run fingerprint or
//! of an LSH bucket into one call (a shuffle by key). The cue rows of the
//! candidate pairs come out packed and split by verify part, with the
//! articles each part needs and what the caps cut: no Python object per
//! entry, cue or pair, and few, large rows for the job's next shuffle.
//!
//! The rules are the index's (`examples/stages.rs`): a run fingerprint held
//! by at most `max_df` entries pairs every two of them; an LSH bucket in
//! insertion order pairs every entry with the first `max_bucket` entries;
//! a pair is `a < b` by id.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::columns::values;
use neardup::{Cue, Detector};

/// The cue of a cue row's `kind`, `a` and `b`: 0 a pair of units
/// (`Cue::Units`), 1 an exact run (`Cue::Anchor`), 2 a pair of sentences
/// alike as bags of stems (`Cue::Bags`); the kind of the entries that
/// proposed it (`cue_columns`: 0 band entry, 1 run fingerprint, 2 bag key).
/// `None` for another kind.
pub fn cue_of(kind: u64, a: u32, b: u32) -> Option<Cue> {
    match kind {
        0 => Some(Cue::Units { a, b }),
        1 => Some(Cue::Anchor { a, b }),
        2 => Some(Cue::Bags { a, b }),
        _ => None,
    }
}

/// Bytes of one packed cue row: `a`, `b` (int64), `kind`, `a_at`, `b_at`
/// (int32), little-endian.
pub const CUE_BYTES: usize = 28;

/// The input columns of `cue_columns` (see `Detector.cue_columns`).
pub struct Inputs<'a> {
    pub kind: &'a [u8],
    pub band: &'a [u8],
    pub key: &'a [u8],
    pub pos: &'a [u8],
    pub id: &'a [u8],
    pub at: &'a [u8],
}

/// The verify part of article `id`, in `0..parts`: a mix of its bits
/// (splitmix64's finaliser), so that consecutive ids spread over parts.
pub fn part_of(id: i64, parts: u32) -> u32 {
    let mut z = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % u64::from(parts)) as u32
}

/// One entry: the group it belongs to `(kind, band, key)`, its insertion
/// position, its article id and where in the article (word or unit).
type Entry = (i32, i32, i64, i64, i32, i64);

/// What `cue_columns` finds, before it becomes Python bytes.
#[derive(Default)]
struct Found {
    /// Per part, its packed cue rows.
    cues: Vec<Vec<u8>>,
    /// `(part, id)` of every article a part's cues name, distinct, sorted.
    need: Vec<(u32, i64)>,
    /// Positions of the articles with an entry past `max_bucket`, distinct.
    past_cap: Vec<i64>,
    /// Run fingerprints past `max_df`, their entries, buckets past
    /// `max_bucket`, entries past it.
    stats: [i64; 4],
}

fn push_cue(out: &mut Vec<u8>, a: i64, b: i64, kind: i32, a_at: i32, b_at: i32) {
    out.extend_from_slice(&a.to_le_bytes());
    out.extend_from_slice(&b.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&a_at.to_le_bytes());
    out.extend_from_slice(&b_at.to_le_bytes());
}

/// The cues of one group: every entry `x` with every entry `y` of `seen`
/// (the group, or its first `max_bucket` entries) of a larger id; and the
/// articles each part needs for them.
fn pair_group(group: &[Entry], seen: &[Entry], parts: u32, found: &mut Found) {
    // Per part: the smallest id of an entry of the group in it.
    let mut min_id: Vec<Option<i64>> = vec![None; parts as usize];
    for x in group {
        let p = part_of(x.5, parts);
        let out = &mut found.cues[p as usize];
        let mut paired = false;
        for y in seen {
            if y.5 > x.5 {
                push_cue(out, x.5, y.5, x.0, x.4, y.4);
                paired = true;
            }
        }
        if paired {
            found.need.push((p, x.5));
            let m = &mut min_id[p as usize];
            *m = Some(m.map_or(x.5, |m| m.min(x.5)));
        }
    }
    for (p, m) in min_id.iter().enumerate() {
        let Some(m) = *m else { continue };
        for y in seen {
            if y.5 > m {
                found.need.push((p as u32, y.5));
            }
        }
    }
}

fn find(entries: &mut [Entry], parts: u32, max_df: usize, max_bucket: usize) -> Found {
    entries.sort_unstable();
    let mut found = Found { cues: vec![Vec::new(); parts as usize], ..Found::default() };
    let mut start = 0;
    while start < entries.len() {
        let (kind, band, key) = (entries[start].0, entries[start].1, entries[start].2);
        let mut end = start + 1;
        while end < entries.len() && (entries[end].0, entries[end].1, entries[end].2) == (kind, band, key) {
            end += 1;
        }
        let group = &entries[start..end];
        start = end;
        let n = group.len();
        if n < 2 {
            continue;
        }
        if kind >= 1 {
            // A run fingerprint or a bag key: every two entries, unless
            // past max_df (both count as fingerprints in the stats, as in
            // the index's saturation).
            if n > max_df {
                found.stats[0] += 1;
                found.stats[1] += n as i64;
                continue;
            }
            pair_group(group, group, parts, &mut found);
        } else {
            // An LSH bucket, in insertion order (position, then unit): each
            // entry sees the first max_bucket.
            if n > max_bucket {
                found.stats[2] += 1;
                found.stats[3] += (n - max_bucket) as i64;
                found.past_cap.extend(group[max_bucket..].iter().map(|e| e.3));
            }
            pair_group(group, &group[..n.min(max_bucket)], parts, &mut found);
        }
    }
    found.need.sort_unstable();
    found.need.dedup();
    found.past_cap.sort_unstable();
    found.past_cap.dedup();
    found
}

pub fn cue_columns<'py>(py: Python<'py>, d: &Detector, cols: Inputs<'_>, parts: u32) -> PyResult<Bound<'py, PyDict>> {
    if parts == 0 {
        return Err(PyValueError::new_err("cue_columns: parts must be at least 1, not 0"));
    }
    let kind = values::<4, i32>("cue_columns", cols.kind, "kind", i32::from_le_bytes)?;
    let band = values::<4, i32>("cue_columns", cols.band, "band", i32::from_le_bytes)?;
    let key = values::<8, i64>("cue_columns", cols.key, "key", i64::from_le_bytes)?;
    let pos = values::<8, i64>("cue_columns", cols.pos, "pos", i64::from_le_bytes)?;
    let id = values::<8, i64>("cue_columns", cols.id, "id", i64::from_le_bytes)?;
    let at = values::<4, i32>("cue_columns", cols.at, "at", i32::from_le_bytes)?;
    let n = kind.len();
    if [band.len(), key.len(), pos.len(), id.len(), at.len()].iter().any(|&m| m != n) {
        return Err(PyValueError::new_err(format!(
            "cue_columns: the columns differ in length (kind {n}, band {}, key {}, pos {}, id {}, at {})",
            band.len(),
            key.len(),
            pos.len(),
            id.len(),
            at.len()
        )));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(n);
    for r in 0..n {
        if !(0..=2).contains(&kind[r]) || at[r] < 0 || id[r] < 0 {
            return Err(PyValueError::new_err(format!(
                "cue_columns: row {r}: (kind, id, at) = ({}, {}, {}): kind is 0 (band entry), 1 (run \
                 fingerprint) or 2 (bag key), id and at non-negative",
                kind[r], id[r], at[r]
            )));
        }
        entries.push((kind[r], if kind[r] == 1 { 0 } else { band[r] }, key[r], pos[r], at[r], id[r]));
    }
    let (max_df, max_bucket) = (d.config().max_df, d.config().max_bucket);
    let found = py.detach(|| find(&mut entries, parts, max_df, max_bucket));

    let out = PyDict::new(py);
    let mut offsets = Vec::with_capacity(parts as usize + 1);
    let mut total = 0i64;
    offsets.push(0i64);
    for c in &found.cues {
        total += c.len() as i64;
        offsets.push(total);
    }
    debug_assert!((total as usize).is_multiple_of(CUE_BYTES), "whole cue rows");
    let cues = PyBytes::new_with(py, total as usize, |buf| {
        let mut at = 0;
        for c in &found.cues {
            buf[at..at + c.len()].copy_from_slice(c);
            at += c.len();
        }
        Ok(())
    })?;
    let bytes = |v: Vec<u8>| PyBytes::new(py, &v);
    out.set_item("cues", cues)?;
    out.set_item("cue_offsets", bytes(offsets.iter().flat_map(|x| x.to_le_bytes()).collect()))?;
    out.set_item("need_part", bytes(found.need.iter().flat_map(|x| (x.0 as i32).to_le_bytes()).collect()))?;
    out.set_item("need_id", bytes(found.need.iter().flat_map(|x| x.1.to_le_bytes()).collect()))?;
    out.set_item("past_cap", bytes(found.past_cap.iter().flat_map(|x| x.to_le_bytes()).collect()))?;
    out.set_item("stats", bytes(found.stats.iter().flat_map(|x| x.to_le_bytes()).collect()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(found: &Found) -> Vec<(i64, i64, i32, i32, i32)> {
        let mut out = Vec::new();
        for c in &found.cues {
            for r in c.chunks_exact(CUE_BYTES) {
                let i64_at = |o: usize| i64::from_le_bytes(r[o..o + 8].try_into().unwrap());
                let i32_at = |o: usize| i32::from_le_bytes(r[o..o + 4].try_into().unwrap());
                out.push((i64_at(0), i64_at(8), i32_at(16), i32_at(20), i32_at(24)));
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn runs_pair_every_two_entries_up_to_max_df() {
        // Fingerprint 7: articles 3, 1, 2 (article 1 twice: four entries,
        // as many as max_df); fingerprint 8 held by five entries, past it.
        let mut e: Vec<Entry> = vec![
            (1, 0, 7, 30, 5, 3),
            (1, 0, 7, 10, 1, 1),
            (1, 0, 7, 10, 4, 1),
            (1, 0, 7, 20, 2, 2),
            (1, 0, 8, 10, 0, 1),
            (1, 0, 8, 20, 0, 2),
            (1, 0, 8, 30, 0, 3),
            (1, 0, 8, 40, 0, 4),
            (1, 0, 8, 50, 0, 5),
        ];
        let found = find(&mut e, 3, 4, 10);
        let want = vec![(1, 2, 1, 1, 2), (1, 2, 1, 4, 2), (1, 3, 1, 1, 5), (1, 3, 1, 4, 5), (2, 3, 1, 2, 5)];
        assert_eq!(cues(&found), want);
        assert_eq!(found.stats, [1, 5, 0, 0]);
        let mut need = found.need.clone();
        need.sort_unstable();
        let mut want_need = vec![(part_of(1, 3), 1), (part_of(1, 3), 2), (part_of(1, 3), 3)];
        want_need.extend([(part_of(2, 3), 2), (part_of(2, 3), 3)]);
        want_need.sort_unstable();
        want_need.dedup();
        assert_eq!(need, want_need);
        for (p, c) in found.cues.iter().enumerate() {
            for r in c.chunks_exact(CUE_BYTES) {
                assert_eq!(part_of(i64::from_le_bytes(r[0..8].try_into().unwrap()), 3), p as u32);
            }
        }
    }

    #[test]
    fn buckets_see_their_first_max_bucket_entries_in_insertion_order() {
        // Bucket (band 2, key 9): positions 10 (id 5), 20 (id 1), 30 (id 9);
        // max_bucket 2: the entry at 30 is past the cap and sees the first two.
        let mut e: Vec<Entry> = vec![(0, 2, 9, 30, 0, 9), (0, 2, 9, 20, 1, 1), (0, 2, 9, 10, 3, 5)];
        let found = find(&mut e, 1, 10, 2);
        // x = id 1 sees id 5 (larger); x = id 5 sees nothing larger among
        // {5, 1}; x = id 9 sees nothing larger.
        assert_eq!(cues(&found), vec![(1, 5, 0, 1, 3)]);
        assert_eq!(found.stats, [0, 0, 1, 1]);
        assert_eq!(found.past_cap, vec![30]);
        assert_eq!(found.need, vec![(0, 1), (0, 5)]);
    }

    #[test]
    fn parts_spread_and_stay_in_range() {
        let mut seen = [0usize; 8];
        for id in 0..8000 {
            seen[part_of(id, 8) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }
}
