//! Queries: a query's candidates, read off the run table, the band tables
//! and the rewritten-candidate tables bucket by bucket, verified by the
//! batch engine.

use super::batch::{Candidate, Pending, Warm, compact, finish, grouped, next_batch};
use super::par::Exec;
use super::{Index, Match, QueryResult};
use crate::detector::{Cue, FoldedSentence, Prepared};
use crate::fingerprint::FoldedStem;

/// What the caps cut from one query: saturated LSH buckets, the entries
/// past their cap, and run fingerprints over `max_df`.
#[derive(Clone, Copy, Default)]
pub(super) struct Cut {
    saturated: usize,
    skipped: usize,
    capped: usize,
}

impl Index {
    /// The live entries of `table`'s bucket `key` as candidates with
    /// `cue(their unit)`, added to `out`; none when there are more than
    /// `max_df` (counted in `cut`). `bucket` is scratch space.
    fn take_bucket(
        &self,
        table: &crate::lsh::Table,
        key: u64,
        cue: impl Fn(u32) -> Cue,
        bucket: &mut Vec<Candidate>,
        out: &mut Vec<Candidate>,
        cut: &mut Cut,
    ) {
        let max_df = self.detector.config().max_df;
        bucket.clear();
        for (slot, at) in table.bucket(key) {
            let Some(stored) = self.store.at(slot) else { continue };
            bucket.push(Candidate { id: stored.id, slot, cue: cue(at) });
            if bucket.len() > max_df {
                cut.capped += 1;
                return;
            }
        }
        out.extend_from_slice(bucket);
    }

    /// The candidates of a prepared query text, sorted and deduplicated,
    /// and what the caps cut.
    ///
    /// Each run fingerprint of the query whose run touches no boilerplate
    /// looks its bucket of the run table up; one held by at most `max_df`
    /// live articles gives them all, a larger one none (it is counted).
    /// Each unit that probes on its own behalf
    /// ([`Prepared::probing_unit`] of itself: not boilerplate, and the
    /// first of the units with its words) looks its band keys up; a bucket
    /// gives its first `max_bucket` live entries. The list is compacted as
    /// it grows, so it holds at most twice the distinct candidates plus one
    /// unit's worth.
    pub(super) fn candidates(&self, text: &str, probe: &Prepared) -> (Vec<Candidate>, Cut) {
        let config = self.detector.config();
        let mut out = Vec::new();
        let mut cut = Cut::default();
        let mut compact_at = 1 << 16;
        let mut bucket = Vec::new();
        for (key, word) in self.detector.anchors(probe.analysis()) {
            if probe.run_is_boilerplate(word, config.anchor()) {
                continue;
            }
            self.take_bucket(&self.runs, key, |b| Cue::Anchor { a: word, b }, &mut bucket, &mut out, &mut cut);
            compact(&mut out, &mut compact_at);
        }
        // Each sentence of the query's rewritten-candidate entries looks
        // its bag keys up; a key held by at most `max_df` live entries
        // gives them all, a larger one none (counted with the runs); the
        // cues whose estimates on folded stems fail go (`verify` would
        // drop them).
        if !self.bags.is_empty() {
            let (sentences, keys) = self.detector.sentence_bag_keys(text, probe.analysis());
            for (&s, keys) in sentences.iter().zip(keys.chunks_exact(self.bags.len())) {
                for (table, &key) in self.bags.iter().zip(keys) {
                    self.take_bucket(table, key, |b| Cue::Bags { a: s, b }, &mut bucket, &mut out, &mut cut);
                }
                compact(&mut out, &mut compact_at);
            }
        }
        if !config.similar_units {
            return (self.estimate_bag_cues_of(text, probe, finish(out)), cut);
        }
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
                    if live <= config.max_bucket {
                        out.push(Candidate { id: stored.id, slot, cue: Cue::Units { a: q, b: unit } });
                    }
                }
                if live > config.max_bucket {
                    cut.saturated += 1;
                    cut.skipped += live - config.max_bucket;
                }
            }
            compact(&mut out, &mut compact_at);
        }
        (self.estimate_bag_cues_of(text, probe, finish(out)), cut)
    }

    /// [`estimate_bag_cues`](Self::estimate_bag_cues) of a query's
    /// candidates.
    fn estimate_bag_cues_of(&self, text: &str, probe: &Prepared, cands: Vec<Candidate>) -> Vec<Candidate> {
        if !cands.iter().any(|c| matches!(c.cue, Cue::Bags { .. })) {
            return cands;
        }
        let folded = self.detector.folded_of(text, probe);
        let mut sentences: Vec<u32> =
            cands.iter().filter_map(|c| if let Cue::Bags { a, .. } = c.cue { Some(a) } else { None }).collect();
        sentences.sort_unstable();
        sentences.dedup();
        let stems: Vec<&[FoldedStem]> =
            sentences.iter().map(|&s| self.detector.folded_sentence(text, probe, s)).collect();
        self.estimate_bag_cues(
            &folded.vocab,
            |s| sentences.binary_search(&s).ok().map(|i| FoldedSentence::of(folded, stems[i])),
            cands,
        )
    }

    /// The results of `queries`, in order: probed and verified a batch at a
    /// time by the batch engine.
    pub(super) fn queries(&self, exec: Exec, queries: &[&str]) -> Vec<QueryResult> {
        let d = &self.detector;
        let mut out = Vec::with_capacity(queries.len());
        let mut at = 0;
        while at < queries.len() {
            let batch = next_batch(exec, &mut at, queries.len(), |i| {
                let text = queries[i];
                let prepared = d.prepare(d.analyze(text), None, self.boilerplate());
                let (cands, cut) = self.candidates(text, &prepared);
                Some((Pending { id: 0, article: std::sync::Arc::new((text.into(), prepared)), cands }, cut))
            });
            let checked = self.check_batch(exec, &batch, &Warm::none());
            for ((q, cut), results) in batch.iter().zip(checked) {
                let mut matches: Vec<Match> = grouped(&q.cands)
                    .zip(results)
                    .filter_map(|(g, r)| {
                        let (candidate_similarity, report) = r?;
                        let duplicates = self.store.duplicates_of(g[0].slot);
                        Some(Match { id: g[0].id, candidate_similarity, report, duplicates })
                    })
                    .collect();
                matches.sort_by_key(|m| (std::cmp::Reverse(m.report.a_covered_words), m.id));
                out.push(QueryResult {
                    matches,
                    saturated_buckets: cut.saturated,
                    skipped_entries: cut.skipped,
                    capped_fingerprints: cut.capped,
                });
            }
        }
        out
    }
}
