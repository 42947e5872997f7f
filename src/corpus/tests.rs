//! The all-pairs plan against probing, article by article, on random
//! corpora with boilerplate, saturated buckets, removals and merges.

use super::batch::{Warm, grouped};
use super::par::Exec;
use super::*;

/// A small random corpus: sentences drawn from a pool (some in many
/// articles, so boilerplate and saturated buckets), some with a word
/// changed (similar, not equal).
fn random_articles(n: usize, seed: u64) -> Vec<(u64, String)> {
    let mut x = seed | 1;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let pool: Vec<Vec<String>> =
        (0..60).map(|_| (0..8 + next(10)).map(|_| format!("w{}", next(400))).collect()).collect();
    let mut ids = std::collections::BTreeSet::new();
    (0..n)
        .map(|_| {
            let mut id = next(1 << 40);
            while !ids.insert(id) {
                id = next(1 << 40);
            }
            let text: Vec<String> = (0..1 + next(6))
                .map(|_| {
                    // Sentences 0..4 are frequent.
                    let s = if next(3) == 0 { next(4) } else { next(60) } as usize;
                    let mut words = pool[s].clone();
                    if next(4) == 0 {
                        let at = next(words.len() as u64) as usize;
                        words[at] = format!("v{}", next(50));
                    }
                    format!("{}.", words.join(" "))
                })
                .collect();
            (id, text.join(if next(2) == 0 { " " } else { "\n\n" }))
        })
        .collect()
}

/// Scanned candidates and pairs equal probed ones, article by article.
fn assert_scan_is_probe(index: &Index) -> (usize, usize) {
    let plan = index.pair_plan(Exec::Sequential);
    let (mut cands, mut pairs) = (0, 0);
    let mut probed_pairs = Vec::new();
    for (rank, &(id, slot)) in plan.by_rank.iter().enumerate() {
        let (text, probe) = index.prepare_stored(slot).unwrap();
        let (mut probed, _) = index.candidates(&text, &probe);
        probed.retain(|c| c.id > id);
        if index.store.is_copy(slot) {
            // An exact duplicate is not in the tables: it pairs through
            // its representative.
            probed.clear();
        }
        let scanned = index.pair_probe(&plan, rank as u32, &Warm::none()).map(|p| p.cands).unwrap_or_default();
        assert_eq!(scanned, probed, "candidates of {id}");
        // The pairs of the probe's candidates, verified one by one.
        let p: Vec<(u64, u64)> = grouped(&probed)
            .filter_map(|g| {
                let (stored, side) = index.prepare_stored(g[0].slot)?;
                let units = g.iter().map(|c| c.cue);
                index.detector.verify(&text, &probe, &stored, &side, units).map(|_| (id, g[0].id))
            })
            .collect();
        cands += probed.len();
        pairs += p.len();
        probed_pairs.extend(p);
    }
    let all: Vec<Pair> = index.pairs().collect();
    assert_eq!(all.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(), probed_pairs);
    #[cfg(feature = "rayon")]
    assert_eq!(index.par_pairs().collect::<Vec<_>>(), all);
    (cands, pairs)
}

#[test]
fn scanned_pairs_are_probed_pairs() {
    for (cap, boiler, max_df, lsh, rewritten) in [
        (3, 5, 100, true, false),
        (1000, 5, 100, true, false),
        (2, 0, 3, true, false),
        (1000, 5, 3, false, false),
        // Rewritten candidates: with the band tables, and alone with a
        // cap that bites.
        (3, 5, 100, true, true),
        (1000, 0, 3, false, true),
    ] {
        let d = Detector::builder()
            .max_bucket(cap)
            .boilerplate_contexts(boiler)
            .max_df(max_df)
            .similar_units(lsh)
            .rewritten(rewritten)
            .rewritten_candidates(true)
            .build()
            .unwrap();
        let mut index = d.index();
        // Fewer articles with rewritten candidates: every two articles
        // drawing on the pool share sentences, so far more candidates.
        let articles = random_articles(if rewritten { 100 } else { 300 }, 7 + cap as u64);
        for (i, (id, text)) in articles.iter().enumerate() {
            // Some bands merged now and then: sorted array and pending
            // entries mix.
            index.insert(*id, text).unwrap();
            if i % 50 == 49 {
                let bands = index.tables.len();
                for t in &mut index.tables[..bands / 2] {
                    t.flush();
                }
                if i % 100 == 99 {
                    index.runs.flush();
                    index.bags.iter_mut().step_by(2).for_each(Table::flush);
                }
            }
        }
        let (cands, pairs) = assert_scan_is_probe(&index);
        assert!(cands > pairs && pairs > 0, "{cands} {pairs}");
        let mut saturated = false;
        index.tables[0].for_each_bucket(|b| saturated |= b.len() > cap);
        assert_eq!(saturated, lsh && cap < 1000);
        let mut capped = false;
        index.runs.for_each_bucket(|b| capped |= b.len() > max_df);
        assert_eq!(capped, max_df < 100);
        let mut bags_capped = false;
        for t in &index.bags {
            t.for_each_bucket(|b| bags_capped |= b.len() > max_df);
        }
        assert_eq!(index.bags.is_empty(), !rewritten);
        assert_eq!(bags_capped, rewritten && max_df < 100);
        assert_eq!(index.saturation().fingerprints > 0, capped || bags_capped);
        // Dead slots in the tables, then some ids again with new text.
        for (id, _) in articles.iter().step_by(7) {
            assert!(index.remove(*id));
        }
        assert_scan_is_probe(&index);
        for (id, text) in articles.iter().step_by(14) {
            index.insert(*id, &text.replace("w1", "w2")).unwrap();
        }
        assert_scan_is_probe(&index);
        // Everything merged, dead entries dropped.
        let store = &index.store;
        for t in index.tables.iter_mut().chain([&mut index.runs]).chain(&mut index.bags) {
            t.retain_live(|s| store.at(s).is_some());
        }
        assert_scan_is_probe(&index);
        // Saved and loaded: the rewritten-candidate tables are rebuilt,
        // and give the same pairs.
        let loaded = Index::from_bytes(&index.to_bytes().unwrap()).unwrap();
        assert_eq!(loaded.bags.len(), index.bags.len());
        assert_eq!(loaded.pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
        assert_eq!(loaded.memory().bag_tables > 0, rewritten);
    }
}
