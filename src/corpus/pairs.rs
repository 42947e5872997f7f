//! All pairs: the plan (the candidates of [`Index::pairs`] read off the
//! run table and the band tables in one pass over them, instead of
//! probing article by article), verified a batch at a time by the batch
//! engine.

use super::batch::{Candidate, Pending, compact, finish, grouped, next_batch};
use super::par::Exec;
use super::{Index, Pair, Pairs, Saturation};
use crate::detector::Cue;
use crate::lsh::Table;

/// The candidates of [`Index::pairs`], read off the run table and the band
/// tables instead of probing them article by article.
///
/// The run table is read the same way as a band, with its own cap: a
/// bucket (a run fingerprint) of more than `max_df` live entries gives no
/// candidate at all (a query would skip it), a smaller one gives all of
/// its entries.
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
pub(super) struct PairPlan {
    /// `(id, slot)` of the live articles in increasing id order; an
    /// article's rank is its position here.
    pub(super) by_rank: Vec<(u64, u32)>,
    bands: Vec<BandPlan>,
    /// The run table's plan (its `unit`s are word indices).
    runs: BandPlan,
    /// What the caps cut.
    pub(super) saturation: Saturation,
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

/// How a plan treats a bucket with more live entries than its cap.
#[derive(Clone, Copy)]
enum Cap {
    /// An LSH bucket: the first `n` entries are visible, the rest cut.
    Visible(usize),
    /// A run fingerprint: more than `n` entries, and it gives nothing.
    Drop(usize),
}

impl PairPlan {
    fn new(by_rank: Vec<(u64, u32)>, mut bands: Vec<BandPlan>, runs: BandPlan) -> PairPlan {
        let mut saturation = Saturation {
            fingerprints: runs.saturated.0,
            fingerprint_entries: runs.saturated.1,
            ..Saturation::default()
        };
        let mut cut = vec![0u64; by_rank.len().div_ceil(64)];
        for b in &mut bands {
            saturation.buckets += b.saturated.0;
            saturation.entries += b.saturated.1;
            for (c, x) in cut.iter_mut().zip(std::mem::take(&mut b.cut)) {
                *c |= x;
            }
        }
        saturation.articles = cut.iter().map(|c| c.count_ones() as usize).sum();
        PairPlan { by_rank, bands, runs, saturation }
    }
}

impl BandPlan {
    /// Adds one bucket (`live`: its live entries, in bucket order, as
    /// `(rank, unit)`), and its `(rank, unit, bucket)` references to
    /// `probes`.
    fn add(&mut self, live: &[(u32, u32)], cap: Cap, probes: &mut Vec<(u32, u32, u32)>) {
        if live.len() < 2 {
            return;
        }
        let cap = match cap {
            Cap::Drop(n) if live.len() > n => {
                self.saturated.0 += 1;
                self.saturated.1 += live.len();
                return;
            }
            Cap::Drop(n) | Cap::Visible(n) => n,
        };
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
    /// The ranks of the slots (see [`PairPlan`]), [`NO_RANK`] for removed
    /// ones, and the live articles by rank.
    fn ranks(&self) -> (Vec<u32>, Vec<(u64, u32)>) {
        let mut rank = vec![NO_RANK; self.store.slots()];
        let by_rank: Vec<(u64, u32)> = self.store.by_id().collect();
        for (r, &(_, slot)) in by_rank.iter().enumerate() {
            rank[slot as usize] = r as u32;
        }
        (rank, by_rank)
    }

    /// One band (or the run table) of the [`PairPlan`]: a pass over its
    /// buckets.
    fn band_plan(&self, table: &Table, cap: Cap, rank: &[u32], ranks: usize) -> BandPlan {
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

    /// The plan of [`pairs`](Self::pairs): one pass over each band.
    pub(super) fn pair_plan(&self, exec: Exec) -> PairPlan {
        let (rank, by_rank) = self.ranks();
        let config = self.detector.config();
        let tables: Vec<(&Table, Cap)> = std::iter::once((&self.runs, Cap::Drop(config.max_df)))
            .chain(self.tables.iter().map(|t| (t, Cap::Visible(config.max_bucket))))
            .collect();
        let mut plans = exec.map(&tables, |&(t, cap)| self.band_plan(t, cap, &rank, by_rank.len()));
        let runs = plans.remove(0);
        PairPlan::new(by_rank, plans, runs)
    }

    /// The article of rank `rank`, prepared, with its candidates among
    /// articles of larger ids: what [`candidates`](Self::candidates) of its
    /// text gives with those ids, read off `plan`. `None` without
    /// candidates (nothing analysed).
    pub(super) fn pair_probe(&self, plan: &PairPlan, rank: u32) -> Option<Pending<'_>> {
        let (id, slot) = plan.by_rank[rank as usize];
        let probes: Vec<&[(u32, u32)]> = plan.bands.iter().map(|b| b.probes_of(rank)).collect();
        let runs = plan.runs.probes_of(rank);
        if runs.is_empty() && probes.iter().all(|p| p.is_empty()) {
            return None;
        }
        let (text, prepared) = self.prepare_stored(slot)?;
        let mut cands = Vec::new();
        let mut compact_at = 1 << 16;
        // A run that touches boilerplate proposes nothing, as in
        // `candidates`.
        let anchor = self.detector.config().anchor();
        for &(word, bucket) in runs {
            if prepared.run_is_boilerplate(word, anchor) {
                continue;
            }
            cands.extend(plan.runs.visible_after(bucket, rank).iter().map(|&(r, at)| {
                let (id, slot) = plan.by_rank[r as usize];
                Candidate { id, slot, cue: Cue::Anchor { a: word, b: at } }
            }));
            compact(&mut cands, &mut compact_at);
        }
        // A unit in the tables stands for every unit of the article with
        // the same words; the one that probes for them (not boilerplate)
        // takes its candidates, as in `candidates`.
        for (band, probes) in plan.bands.iter().zip(probes) {
            for &(q, bucket) in probes {
                let Some(q) = prepared.probing_unit(q) else { continue };
                cands.extend(band.visible_after(bucket, rank).iter().map(|&(r, unit)| {
                    let (id, slot) = plan.by_rank[r as usize];
                    Candidate { id, slot, cue: Cue::Units { a: q, b: unit } }
                }));
            }
            compact(&mut cands, &mut compact_at);
        }
        if cands.is_empty() {
            return None;
        }
        Some(Pending { id, text, prepared, cands: finish(cands) })
    }

    /// Every pair, a batch of probing articles at a time.
    pub(super) fn all_pairs(&self, exec: Exec) -> Pairs<'_> {
        let plan = self.pair_plan(exec);
        let saturation = plan.saturation;
        let n = plan.by_rank.len();
        let mut at = 0;
        let batches = std::iter::from_fn(move || {
            if at >= n {
                return None;
            }
            let batch = next_batch(exec, &mut at, n, |rank| self.pair_probe(&plan, rank as u32).map(|p| (p, ())));
            let checked = self.check_batch(exec, &batch);
            let mut pairs = Vec::new();
            for ((q, ()), results) in batch.iter().zip(checked) {
                for (g, r) in grouped(&q.cands).zip(results) {
                    if let Some((candidate_similarity, report)) = r {
                        pairs.push(Pair { a: q.id, b: g[0].id, candidate_similarity, report });
                    }
                }
            }
            Some(pairs)
        });
        Pairs { iter: Box::new(batches.flatten()), saturation }
    }
}
