//! The batch engine: probing articles taken a batch at a time, their
//! candidates verified and aligned with every stored article prepared once
//! per batch. Queries ([`Index::query_many`]) and all pairs
//! ([`Index::pairs`]) run it, sequentially or on the rayon pool
//! ([`Exec`]), with the same batches' results.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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

/// An article's text and its preparation, shared by the batches that use
/// it ([`Warm`]).
pub(super) type Shared<'t> = Arc<(Cow<'t, str>, Prepared)>;

/// One probing article of a batch: its id (0 for a query text), text and
/// preparation, and candidates.
pub(super) struct Pending<'t> {
    pub(super) id: u64,
    pub(super) article: Shared<'t>,
    pub(super) cands: Vec<Candidate>,
}

impl Pending<'_> {
    /// Candidate articles.
    fn groups(&self) -> usize {
        grouped(&self.cands).count()
    }

    /// Words of the probing article.
    fn words(&self) -> usize {
        self.article.1.analysis().tokens.len()
    }
}

/// Bytes a prepared article holds per word, counted by [`Warm`]: its
/// analysis, shingles and shingle sets (about 60), and what verification
/// builds on it (its seed table, 16, and with rewriting on its sentence
/// bags, about 30).
const PREPARED_BYTES_PER_WORD: usize = 112;

/// Most bytes of prepared stored articles that [`Warm`] keeps across the
/// batches of one [`Index::pairs`] run with rewritten candidates (see
/// [`Warm::for_pairs`]).
const WARM_BUDGET: usize = 64 << 20;

/// Stored articles prepared by one [`Index::pairs`] run, kept across its
/// batches within a byte budget, so that an article that is a candidate in
/// several batches, and then probes in its own, is read back, analysed and
/// bagged once.
///
/// In all pairs an article's candidates are articles of larger ids, so an
/// article is a stored candidate only in batches up to the one where it
/// probes: once that batch is checked, [`release_below`] lets it go.
/// Which articles are kept (the first that fit, in the order threads ask)
/// changes only the work done, never a result: a kept preparation is the
/// one [`Index::prepare_stored`] makes.
///
/// [`release_below`]: Warm::release_below
pub(super) struct Warm<'t> {
    budget: usize,
    /// The kept articles by id, and the bytes they count.
    kept: Mutex<(BTreeMap<u64, Shared<'t>>, usize)>,
}

impl<'t> Warm<'t> {
    /// Keeps nothing (a query's batches: their stored articles have no
    /// last use to wait for).
    pub(super) fn none() -> Warm<'t> {
        Warm { budget: 0, kept: Mutex::new((BTreeMap::new(), 0)) }
    }

    /// The cache of an all-pairs run of `index`: [`WARM_BUDGET`] with
    /// rewritten candidates ([`Config::bag_candidates`]: a stored article
    /// is then a candidate in many batches, most of them proposed by bag
    /// cues, and its sentence bags cost more than its analysis), nothing
    /// otherwise, so that an index stays within its memory bound. Without
    /// the candidate tables the run fingerprints propose few enough
    /// candidates per article that keeping them saved 2 % of the CPU on
    /// the peer corpus (35.9 against 36.5 user s, medians of three) for
    /// 45–50 MB more at the peak (252–262 against 205–215 MB).
    ///
    /// [`Config::bag_candidates`]: crate::Config::bag_candidates
    pub(super) fn for_pairs(index: &Index) -> Warm<'t> {
        let budget = if index.detector.config().bag_candidates() { WARM_BUDGET } else { 0 };
        Warm { budget, kept: Mutex::new((BTreeMap::new(), 0)) }
    }

    fn bytes(article: &Shared<'_>) -> usize {
        article.0.len() + PREPARED_BYTES_PER_WORD * article.1.analysis().tokens.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (BTreeMap<u64, Shared<'t>>, usize)> {
        // A panic elsewhere cannot leave the map half changed.
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The stored article `id` at `slot`, prepared: the kept one, or
    /// prepared now and kept if the budget allows. `None` as
    /// [`Index::prepare_stored`].
    pub(super) fn get_or_prepare(&self, index: &'t Index, id: u64, slot: u32) -> Option<Shared<'t>> {
        if self.budget == 0 {
            return index.prepare_stored(slot).map(Arc::new);
        }
        if let Some(article) = self.lock().0.get(&id) {
            return Some(Arc::clone(article));
        }
        let article = Arc::new(index.prepare_stored(slot)?);
        let size = Self::bytes(&article);
        let mut kept = self.lock();
        if kept.1 + size <= self.budget && !kept.0.contains_key(&id) {
            kept.0.insert(id, Arc::clone(&article));
            kept.1 += size;
        }
        Some(article)
    }

    /// Lets the articles of ids below `id` go: they have probed, and no
    /// later batch has them as candidates.
    pub(super) fn release_below(&self, id: u64) {
        if self.budget == 0 {
            return;
        }
        let mut kept = self.lock();
        let later = kept.0.split_off(&id);
        let gone = std::mem::replace(&mut kept.0, later);
        kept.1 -= gone.values().map(Self::bytes).sum::<usize>();
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
    pub(super) fn check_batch<'t, T: Sync>(
        &'t self,
        exec: Exec,
        batch: &[(Pending<'_>, T)],
        warm: &Warm<'t>,
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
            let first = &batch[jobs[todo[0]].0].0.cands[jobs[todo[0]].1.start];
            let prepared = warm.get_or_prepare(self, first.id, first.slot);
            todo.iter()
                .map(|&j| {
                    let (text, side) = prepared.as_deref()?;
                    let (qi, range, _) = &jobs[j];
                    let q = &batch[*qi].0;
                    let cues = q.cands[range.clone()].iter().map(|c| c.cue);
                    let (q_text, q_side) = &*q.article;
                    self.detector.verify(q_text, q_side, text, side, cues)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_keeps_within_its_budget_and_lets_probed_articles_go() {
        let detector = crate::Detector::builder().rewritten(true).build().unwrap();
        let mut index = detector.index();
        let texts = [
            "The minister met the press on Tuesday and spoke about the budget for schools.",
            "On Tuesday the minister spoke to the press about the schools budget at length.",
            "A short note.",
        ];
        for (id, text) in texts.iter().enumerate() {
            index.insert(id as u64 + 1, text).unwrap();
        }
        let (_, by_rank) = index.ranks();
        let one = PREPARED_BYTES_PER_WORD * 20;
        let warm = Warm { budget: one, kept: Mutex::new((BTreeMap::new(), 0)) };
        let (id, slot) = by_rank[0];
        let first = warm.get_or_prepare(&index, id, slot).unwrap();
        // Kept: the same preparation again, and it is the stored one.
        assert!(Arc::ptr_eq(&first, &warm.get_or_prepare(&index, id, slot).unwrap()));
        assert_eq!(first.0, index.prepare_stored(slot).unwrap().0);
        // The second does not fit beside it: prepared afresh each time.
        let (id2, slot2) = by_rank[1];
        let second = warm.get_or_prepare(&index, id2, slot2).unwrap();
        assert!(!Arc::ptr_eq(&second, &warm.get_or_prepare(&index, id2, slot2).unwrap()));
        assert_eq!(warm.lock().0.len(), 1);
        // Once the first has probed, it goes, and its bytes with it.
        warm.release_below(id2);
        assert_eq!(warm.lock().1, 0);
        assert!(warm.lock().0.is_empty());
        // A query's cache keeps nothing.
        let none = Warm::none();
        none.get_or_prepare(&index, id, slot).unwrap();
        assert!(none.lock().0.is_empty());
    }

    #[test]
    fn all_pairs_keep_prepared_articles_only_with_rewritten_candidates() {
        let budget = |rewritten: bool, candidates: bool| {
            let d = crate::Detector::builder().rewritten(rewritten).rewritten_candidates(candidates).build().unwrap();
            Warm::for_pairs(&d.index()).budget
        };
        assert_eq!(budget(true, true), WARM_BUDGET);
        assert_eq!(budget(true, false), 0);
        assert_eq!(budget(false, true), 0);
        assert_eq!(budget(false, false), 0);
    }
}
