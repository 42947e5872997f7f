//! All pairs: the plan (the candidates of [`Index::pairs`] read off the
//! run table and the band tables in one pass over them, instead of
//! probing article by article), verified a batch at a time by the batch
//! engine.

use super::batch::{Candidate, Pending, Warm, compact, finish, grouped, next_batch};
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
    /// The rewritten-candidate tables' plans (their `unit`s are sentence
    /// indices), capped like the run table.
    bags: Vec<BandPlan>,
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
    fn new(by_rank: Vec<(u64, u32)>, mut bands: Vec<BandPlan>, runs: BandPlan, bags: Vec<BandPlan>) -> PairPlan {
        let mut saturation = Saturation {
            fingerprints: runs.saturated.0,
            fingerprint_entries: runs.saturated.1,
            ..Saturation::default()
        };
        for b in &bags {
            saturation.fingerprints += b.saturated.0;
            saturation.fingerprint_entries += b.saturated.1;
        }
        let mut cut = vec![0u64; by_rank.len().div_ceil(64)];
        for b in &mut bands {
            saturation.buckets += b.saturated.0;
            saturation.entries += b.saturated.1;
            for (c, x) in cut.iter_mut().zip(std::mem::take(&mut b.cut)) {
                *c |= x;
            }
        }
        saturation.articles = cut.iter().map(|c| c.count_ones() as usize).sum();
        PairPlan { by_rank, bands, runs, bags, saturation }
    }
}

impl BandPlan {
    /// How many entries of a bucket of live entries `live` (in bucket
    /// order, as `(rank, unit)`) are visible, when the bucket gives
    /// candidates at all (two or more live entries, not dropped by the
    /// cap).
    fn visible(live: &[(u32, u32)], cap: Cap) -> Option<usize> {
        match cap {
            _ if live.len() < 2 => None,
            Cap::Drop(n) if live.len() > n => None,
            Cap::Drop(n) | Cap::Visible(n) => Some(live.len().min(n)),
        }
    }

    /// The visible entries of a bucket that gives candidates, and the
    /// largest rank among them (entries of smaller ranks probe it); `None`
    /// when no entry probes it.
    fn probed(live: &[(u32, u32)], cap: Cap) -> Option<(&[(u32, u32)], u32)> {
        let visible = &live[..BandPlan::visible(live, cap)?];
        let top = visible.iter().map(|v| v.0).max().unwrap_or(0);
        live.iter().any(|e| e.0 < top).then_some((visible, top))
    }

    /// Counts what the cap cuts of a bucket of live entries `live`.
    fn count_cut(&mut self, live: &[(u32, u32)], cap: Cap) {
        match cap {
            Cap::Drop(n) if live.len() > n => {
                self.saturated.0 += 1;
                self.saturated.1 += live.len();
            }
            Cap::Visible(n) if live.len() > n => {
                self.saturated.0 += 1;
                self.saturated.1 += live.len() - n;
                for &(rank, _) in &live[n..] {
                    self.cut[rank as usize / 64] |= 1 << (rank % 64);
                }
            }
            _ => {}
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
    pub(super) fn ranks(&self) -> (Vec<u32>, Vec<(u64, u32)>) {
        let mut rank = vec![NO_RANK; self.store.slots()];
        let by_rank: Vec<(u64, u32)> = self.store.by_id().collect();
        for (r, &(_, slot)) in by_rank.iter().enumerate() {
            rank[slot as usize] = r as u32;
        }
        (rank, by_rank)
    }

    /// Calls `f` with the live entries, as `(rank, unit)` in bucket order,
    /// of each bucket of `table` of two or more entries.
    fn for_each_live_bucket(table: &Table, rank: &[u32], mut f: impl FnMut(&[(u32, u32)])) {
        let mut live: Vec<(u32, u32)> = Vec::new();
        table.for_each_bucket(|bucket| {
            if bucket.len() < 2 {
                return;
            }
            live.clear();
            live.extend(bucket.iter().filter_map(|&(slot, unit)| {
                let r = rank[slot as usize];
                (r != NO_RANK).then_some((r, unit))
            }));
            f(&live);
        });
    }

    /// One band (or the run table) of the [`PairPlan`]: two passes over
    /// its buckets, one to count the plan's entries (per rank, for the
    /// probes) and one to fill arrays of exactly that size, so that
    /// making the plan takes no more memory than the plan.
    fn band_plan(&self, table: &Table, cap: Cap, rank: &[u32], ranks: usize) -> BandPlan {
        let mut plan = BandPlan { cut: vec![0; ranks.div_ceil(64)], ..BandPlan::default() };
        let (mut seen, mut buckets) = (0usize, 0usize);
        let mut offsets = vec![0u32; ranks + 1];
        Self::for_each_live_bucket(table, rank, |live| {
            plan.count_cut(live, cap);
            if let Some((v, top)) = BandPlan::probed(live, cap) {
                seen += v.len();
                buckets += 1;
                for e in live.iter().filter(|e| e.0 < top) {
                    offsets[e.0 as usize + 1] += 1;
                }
            }
        });
        for r in 0..ranks {
            offsets[r + 1] += offsets[r];
        }
        let mut at = offsets.clone();
        plan.probes = vec![(0, 0); offsets[ranks] as usize];
        plan.seen = Vec::with_capacity(seen);
        plan.starts = Vec::with_capacity(buckets + 1);
        plan.starts.push(0);
        Self::for_each_live_bucket(table, rank, |live| {
            let Some((v, top)) = BandPlan::probed(live, cap) else { return };
            let bucket = plan.starts.len() as u32 - 1;
            for &(rank, unit) in live.iter().filter(|e| e.0 < top) {
                plan.probes[at[rank as usize] as usize] = (unit, bucket);
                at[rank as usize] += 1;
            }
            let from = plan.seen.len();
            plan.seen.extend_from_slice(v);
            plan.seen[from..].sort_unstable();
            plan.starts.push(plan.seen.len() as u32);
        });
        plan.offsets = offsets;
        plan
    }

    /// The plan of [`pairs`](Self::pairs): one pass over each band.
    pub(super) fn pair_plan(&self, exec: Exec) -> PairPlan {
        let (rank, by_rank) = self.ranks();
        let config = self.detector.config();
        let tables: Vec<(&Table, Cap)> = std::iter::once((&self.runs, Cap::Drop(config.max_df)))
            .chain(self.tables.iter().map(|t| (t, Cap::Visible(config.max_bucket))))
            .chain(self.bags.iter().map(|t| (t, Cap::Drop(config.max_df))))
            .collect();
        let mut plans = exec.map(&tables, |&(t, cap)| self.band_plan(t, cap, &rank, by_rank.len()));
        let bags = plans.split_off(1 + self.tables.len());
        let runs = plans.remove(0);
        PairPlan::new(by_rank, plans, runs, bags)
    }

    /// The article of rank `rank`, prepared, with its candidates among
    /// articles of larger ids: what [`candidates`](Self::candidates) of its
    /// text gives with those ids, read off `plan`. `None` without
    /// candidates (nothing analysed).
    pub(super) fn pair_probe<'t>(&'t self, plan: &PairPlan, rank: u32, warm: &Warm<'t>) -> Option<Pending<'t>> {
        let (id, slot) = plan.by_rank[rank as usize];
        let probes: Vec<&[(u32, u32)]> = plan.bands.iter().map(|b| b.probes_of(rank)).collect();
        let runs = plan.runs.probes_of(rank);
        let bags: Vec<&[(u32, u32)]> = plan.bags.iter().map(|b| b.probes_of(rank)).collect();
        if runs.is_empty() && probes.iter().chain(&bags).all(|p| p.is_empty()) {
            return None;
        }
        let article = warm.get_or_prepare(self, id, slot)?;
        let prepared = &article.1;
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
        // Rewritten candidates: every sentence entry of the article, as in
        // `candidates` (boilerplate is judged by `verify`), but for the cues
        // whose estimates on folded stems fail, which `verify` would drop
        // (below).
        for (band, probes) in plan.bags.iter().zip(bags) {
            for &(s, bucket) in probes {
                cands.extend(band.visible_after(bucket, rank).iter().map(|&(r, at)| {
                    let (id, slot) = plan.by_rank[r as usize];
                    Candidate { id, slot, cue: Cue::Bags { a: s, b: at } }
                }));
            }
            compact(&mut cands, &mut compact_at);
        }
        let mut cands = finish(cands);
        if cands.iter().any(|c| matches!(c.cue, Cue::Bags { .. })) {
            cands = self.estimate_bag_cues(self.bag_stems.vocab(slot), |s| self.bag_stems.get(slot, s), cands);
        }
        if cands.is_empty() {
            return None;
        }
        Some(Pending { id, article, cands })
    }

    /// Every pair, a batch of probing articles at a time.
    pub(super) fn all_pairs(&self, exec: Exec) -> Pairs<'_> {
        let plan = self.pair_plan(exec);
        let saturation = plan.saturation;
        let n = plan.by_rank.len();
        let mut at = 0;
        let warm = Warm::for_pairs(self);
        let batches = std::iter::from_fn(move || {
            if at >= n {
                return None;
            }
            let batch =
                next_batch(exec, &mut at, n, |rank| self.pair_probe(&plan, rank as u32, &warm).map(|p| (p, ())));
            let checked = self.check_batch(exec, &batch, &warm);
            warm.release_below(plan.by_rank.get(at).map_or(u64::MAX, |r| r.0));
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
