//! The batch engine: probing articles taken a batch at a time, their
//! candidates verified and aligned with every stored article prepared once
//! per batch. Queries ([`Index::query_many`]) and all pairs
//! ([`Index::pairs`]) run it, sequentially or on the rayon pool
//! ([`Exec`]), with the same batches' results.

use std::borrow::Cow;

use super::Index;
use super::par::Exec;
use crate::detector::{Cue, Prepared};
use crate::score::Report;

/// A candidate: the stored article `id` (at `slot`), and why ([`Cue`],
/// with `a` the probing article's side). Sorted, candidates come grouped
/// by stored article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Candidate {
    pub(super) id: u64,
    pub(super) slot: u32,
    pub(super) cue: Cue,
}

/// Sorts and deduplicates a growing candidate list once it holds
/// `*compact_at` of them, so that it stays within twice the distinct
/// candidates plus one step's worth.
pub(super) fn compact(cands: &mut Vec<Candidate>, compact_at: &mut usize) {
    if cands.len() >= *compact_at {
        cands.sort_unstable();
        cands.dedup();
        *compact_at = (*compact_at).max(2 * cands.len());
    }
}

/// Sorted and deduplicated, without spare capacity (kept until the batch
/// is verified).
pub(super) fn finish(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    cands.sort_unstable();
    cands.dedup();
    cands.shrink_to_fit();
    cands
}

/// The candidates of one stored article each.
pub(super) fn grouped(cands: &[Candidate]) -> impl Iterator<Item = &[Candidate]> + '_ {
    cands.chunk_by(|x, y| x.id == y.id)
}

/// One probing article of a batch: its id (0 for a query text), text,
/// preparation and candidates.
pub(super) struct Pending<'t> {
    pub(super) id: u64,
    pub(super) text: Cow<'t, str>,
    pub(super) prepared: Prepared,
    pub(super) cands: Vec<Candidate>,
}

impl Pending<'_> {
    /// Candidate articles.
    fn groups(&self) -> usize {
        grouped(&self.cands).count()
    }

    /// Words of the probing article.
    fn words(&self) -> usize {
        self.prepared.analysis().tokens.len()
    }
}

/// Most probing articles in one batch: a stored article that is a
/// candidate of several of them is prepared once for all.
const BATCH_ITEMS: usize = 1024;

/// A batch closes once its articles have this many candidate articles
/// between them: each becomes at most one report, so this bounds the
/// reports a batch holds, whatever the number of candidate articles per
/// probing article (about 150 bytes per candidate article besides the
/// passages found: 10 MB at most).
///
/// Every batch prepares each of its candidate articles once, so the
/// fewer batches, the fewer preparations: with rewritten candidates
/// ([`rewritten`](crate::Config::rewritten)), most of which fail
/// verification, a probing article has a few dozen candidate articles,
/// and a budget of 16,384 closed batches before [`WORD_BUDGET`] did
/// (8,975 stored articles prepared for 1,500 peer articles where 5,354
/// do).
const GROUP_BUDGET: usize = 65_536;

/// A batch closes once its probing articles have this many words between
/// them: each is held prepared (its analysis, shingles and sets: about 60
/// bytes per word) until the batch is verified, so this bounds the
/// prepared articles a batch holds (about 15 MB), whatever their length.
const WORD_BUDGET: usize = 1 << 18;

/// The next batch of items `*at..n` (`probe(i)` of each; `None` for one
/// without candidates), probed a step at a time until it holds
/// [`BATCH_ITEMS`] items, [`GROUP_BUDGET`] candidate articles or
/// [`WORD_BUDGET`] words of probing articles. A step is
/// 8 to 64 items per thread, sized from the candidate articles and words
/// per item seen so far in the batch (the first is 8 per thread), so a
/// batch exceeds a budget by one step at most. Batches depend on the thread
/// count; results computed from them do not.
pub(super) fn next_batch<'t, T: Send>(
    exec: Exec,
    at: &mut usize,
    n: usize,
    probe: impl Fn(usize) -> Option<(Pending<'t>, T)> + Sync + Send,
) -> Vec<(Pending<'t>, T)> {
    let threads = exec.threads();
    // Items probed (with candidates or not), and their candidate articles.
    let (mut batch, mut items, mut total, mut words) = (Vec::new(), 0, 0, 0);
    while *at < n && items < BATCH_ITEMS && total < GROUP_BUDGET && words < WORD_BUDGET {
        let step = match items {
            0 => 8 * threads,
            len => {
                let by_groups = (GROUP_BUDGET - total) / total.div_ceil(len).max(1);
                let by_words = (WORD_BUDGET - words) / words.div_ceil(len).max(1);
                by_groups.min(by_words).clamp(8 * threads, 64 * threads)
            }
        };
        let end = (*at + step).min(n).min(*at + BATCH_ITEMS - items);
        let probed = exec.map_range(*at..end, &probe);
        items += end - *at;
        *at = end;
        for p in probed.into_iter().flatten() {
            total += p.0.groups();
            words += p.0.words();
            batch.push(p);
        }
    }
    batch
}

impl Index {
    /// The stored article at `slot`, prepared for verification; `None`
    /// for a removed slot, or a text that could not be read back from disk
    /// (counted in [`Index::read_errors`]).
    pub(super) fn prepare_stored(&self, slot: u32) -> Option<(Cow<'_, str>, Prepared)> {
        let stored = self.store.at(slot)?;
        let text = self.store.text(stored).ok()?;
        let d = &self.detector;
        let prepared = d.prepare(d.analyze(&text), None, self.boilerplate());
        Some((text, prepared))
    }

    /// Verifies and aligns the candidates of a batch of probing articles,
    /// preparing each stored article once for the whole batch: per
    /// article, the result of each of its candidate groups, in order. The
    /// work items are the stored articles: each is prepared, verified
    /// against every article of the batch that has it as a candidate, and
    /// dropped, so one prepared stored article per thread is alive at a
    /// time (and in cache while it is used).
    pub(super) fn check_batch<T: Sync>(
        &self,
        exec: Exec,
        batch: &[(Pending<'_>, T)],
    ) -> Vec<Vec<Option<(f64, Report)>>> {
        // Every candidate group: (article, range in its candidates, slot).
        let mut jobs: Vec<(usize, std::ops::Range<usize>, u32)> = Vec::new();
        for (qi, (q, _)) in batch.iter().enumerate() {
            let mut start = 0;
            for g in grouped(&q.cands) {
                jobs.push((qi, start..start + g.len(), g[0].slot));
                start += g.len();
            }
        }
        // The jobs by stored article.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&j| jobs[j].2);
        let by_slot: Vec<&[usize]> = order.chunk_by(|&x, &y| jobs[x].2 == jobs[y].2).collect();
        let found = exec.map(&by_slot, |todo| {
            let prepared = self.prepare_stored(jobs[todo[0]].2);
            todo.iter()
                .map(|&j| {
                    let (text, side) = prepared.as_ref()?;
                    let (qi, range, _) = &jobs[j];
                    let q = &batch[*qi].0;
                    let cues = q.cands[range.clone()].iter().map(|c| c.cue);
                    self.detector.verify(&q.text, &q.prepared, text, side, cues)
                })
                .collect::<Vec<_>>()
        });
        let mut results: Vec<Option<(f64, Report)>> = (0..jobs.len()).map(|_| None).collect();
        for (todo, found) in by_slot.iter().zip(found) {
            for (&j, r) in todo.iter().zip(found) {
                results[j] = r;
            }
        }
        let mut out: Vec<Vec<Option<(f64, Report)>>> = batch.iter().map(|_| Vec::new()).collect();
        for (job, r) in jobs.iter().zip(results) {
            out[job.0].push(r);
        }
        out
    }
}
