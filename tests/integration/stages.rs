//! The contract a distributed engine rests on: the public stages alone
//! (per article `Detector::article_keys`; boilerplate counts summed over
//! shards; buckets kept in a plain `HashMap`; per candidate pair
//! `Detector::prepare` and `Detector::verify`) reproduce `Index::pairs()`
//! exactly, on the same corpus and configuration.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use neardup::corpus::ContextCounts;
use neardup::{ArticleKeys, Cue, Detector, Pair, Report, Unit};

use crate::{Rng, seed_pair};

/// Sentences of the seed articles (real text), some of them often reused,
/// one line of boilerplate in most articles, a word changed now and then,
/// and exact duplicates (the same words in other case and spacing).
fn corpus(n: usize, seed: u64) -> Vec<(u64, String)> {
    let (a, b) = seed_pair();
    let d = Detector::builder().build().unwrap();
    let mut pool = BTreeSet::new();
    for t in [&a, &b] {
        for s in &d.analyze(t).sentences {
            if s.tokens.len() >= 6 {
                pool.insert(t[s.span].to_string());
            }
        }
    }
    let pool: Vec<String> = pool.into_iter().collect();
    let mut rng = Rng(seed);
    let mut out: Vec<(u64, String)> = Vec::new();
    for i in 0..n {
        // Ids not in insertion order: ranks and slots differ.
        let id = (i as u64 * 7919) % 1009;
        if i > 3 && rng.below(8) == 0 {
            let (_, earlier) = &out[rng.below(out.len())];
            out.push((id, earlier.to_uppercase().replace(". ", ".   ")));
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        if rng.below(4) != 0 {
            parts.push("Follow us on social media for the latest news from the region and beyond.".into());
        }
        for _ in 0..2 + rng.below(5) {
            // The first eight sentences of the pool are reused often.
            let s = if rng.below(3) == 0 { rng.below(8) } else { rng.below(pool.len()) };
            let mut s = pool[s].clone();
            if rng.below(4) == 0 {
                let words: Vec<&str> = s.split(' ').collect();
                let at = rng.below(words.len());
                s = words
                    .iter()
                    .enumerate()
                    .map(|(j, w)| if j == at { "changed" } else { w })
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            parts.push(s);
        }
        let sep = if rng.below(2) == 0 { " " } else { "\n\n" };
        out.push((id, parts.join(sep)));
    }
    out
}

/// The slots of a candidate pair and its cues.
type Candidates = (usize, usize, Vec<Cue>);

/// `Index::pairs()` from the stages alone: what a Spark job does, with
/// shards of `shard` articles whose boilerplate counts are merged.
fn pairs_from_stages(d: &Detector, articles: &[(u64, String)], shard: usize) -> Vec<(u64, u64, f64, Report)> {
    let bands = d.lsh().bands;
    let cap = d.config().max_bucket;
    // Map: every article's keys (in any order, on any machine).
    let keys: Vec<ArticleKeys> = articles.iter().map(|(_, t)| d.text_keys(t, &d.analyze(t))).collect();
    // Reduce: boilerplate counts, summed over shards.
    let mut counts = ContextCounts::default();
    for part in keys.chunks(shard) {
        let mut local = ContextCounts::default();
        for k in part {
            local.add(&k.segment_keys);
        }
        counts.merge(&local);
    }
    // Exact-duplicate classes: the first article of each (insertion
    // order) alone takes entries.
    let mut first_of_class: HashMap<u128, usize> = HashMap::new();
    let mut runs: HashMap<u64, Vec<(usize, u32)>> = HashMap::new();
    let mut buckets: HashMap<(usize, u64), Vec<(usize, u32)>> = HashMap::new();
    let mut bags: HashMap<(usize, u64), Vec<(usize, u32)>> = HashMap::new();
    for (slot, k) in keys.iter().enumerate() {
        if let Some(dk) = k.duplicate_key
            && *first_of_class.entry(dk).or_insert(slot) != slot
        {
            continue;
        }
        for &(key, word) in &k.anchors {
            runs.entry(key).or_default().push((slot, word));
        }
        for (unit, band_keys) in k.entries(bands) {
            for (band, &key) in band_keys.iter().enumerate() {
                buckets.entry((band, key)).or_default().push((slot, unit));
            }
        }
        for (sentence, bag_keys) in k.bag_entries() {
            for (band, &key) in bag_keys.iter().enumerate() {
                bags.entry((band, key)).or_default().push((slot, sentence));
            }
        }
    }
    // Candidates: in a bucket, every entry sees the first `max_bucket`
    // entries (insertion order), and keeps those of larger ids.
    let id = |slot: usize| articles[slot].0;
    let mut cands: BTreeMap<(u64, u64), Candidates> = BTreeMap::new();
    let mut add = |a: usize, b: usize, cue: Cue| cands.entry((id(a), id(b))).or_insert((a, b, Vec::new())).2.push(cue);
    // A run fingerprint of at most `max_df` articles pairs them all; a
    // larger one proposes nothing.
    for bucket in runs.values().filter(|b| b.len() <= d.config().max_df) {
        for &(a, wa) in bucket {
            for &(b, wb) in bucket {
                if id(b) > id(a) {
                    add(a, b, Cue::Anchor { a: wa, b: wb });
                }
            }
        }
    }
    // So does a rewritten-candidate key of at most `max_df` entries.
    for bucket in bags.values().filter(|b| b.len() <= d.config().max_df) {
        for &(a, sa) in bucket {
            for &(b, sb) in bucket {
                if id(b) > id(a) {
                    add(a, b, Cue::Bags { a: sa, b: sb });
                }
            }
        }
    }
    for bucket in buckets.values() {
        let visible = &bucket[..bucket.len().min(cap)];
        for &(a, ua) in bucket {
            for &(b, ub) in visible {
                if id(b) > id(a) {
                    add(a, b, Cue::Units { a: ua, b: ub });
                }
            }
        }
    }
    // Verify each candidate pair.
    let min = d.config().boilerplate_contexts;
    let boiler = |key: u64| counts.boilerplate(key, min);
    let prepare = |slot: usize| d.prepare(d.analyze(&articles[slot].1), Some(&keys[slot].segment_keys), boiler);
    cands
        .into_iter()
        .filter_map(|((ia, ib), (a, b, cues))| {
            let (pa, pb) = (prepare(a), prepare(b));
            let (similarity, report) = d.verify(&articles[a].1, &pa, &articles[b].1, &pb, cues)?;
            Some((ia, ib, similarity, report))
        })
        .collect()
}

fn index_pairs(d: &Detector, articles: &[(u64, String)]) -> Vec<(u64, u64, f64, Report)> {
    let mut index = d.index();
    index.insert_many(articles).unwrap();
    let pairs: Vec<Pair> = index.pairs().collect();
    pairs.into_iter().map(|p| (p.a, p.b, p.candidate_similarity, p.report)).collect()
}

#[test]
fn the_public_stages_reproduce_index_pairs() {
    let configs = [
        Detector::builder().build().unwrap(),
        // LSH candidates too, with a small bucket cap: saturated buckets,
        // cut entries.
        Detector::builder().similar_units(true).max_bucket(3).build().unwrap(),
        // A small fingerprint cap.
        Detector::builder().max_df(4).build().unwrap(),
        // Boilerplate listed, and a low bound so more of it.
        Detector::builder().boilerplate_contexts(3).report_boilerplate(true).similar_units(true).build().unwrap(),
        Detector::builder().boilerplate_contexts(0).unit(Unit::Paragraph).similar_units(true).build().unwrap(),
        Detector::builder().unit(Unit::Window { size: 12 }).threshold(0.4).similar_units(true).build().unwrap(),
        // Rewritten candidates, with a cap that bites.
        Detector::builder().rewritten(true).rewritten_candidates(true).build().unwrap(),
        Detector::builder()
            .rewritten(true)
            .rewritten_candidates(true)
            .max_df(4)
            .boilerplate_contexts(3)
            .build()
            .unwrap(),
    ];
    for (i, d) in configs.iter().enumerate() {
        let articles = corpus(120, 11 + i as u64);
        let expected = index_pairs(d, &articles);
        assert!(expected.len() > 20, "config {i}: the corpus has reuse ({} pairs)", expected.len());
        // Sharding touches the boilerplate counts alone: one sharding is
        // enough for the rewritten candidates.
        let shards = if d.config().rewritten { vec![7] } else { vec![1, 7, articles.len()] };
        for shard in shards {
            let got = pairs_from_stages(d, &articles, shard);
            assert_eq!(got.len(), expected.len(), "config {i}, shards of {shard}: number of pairs");
            assert!(got == expected, "config {i}, shards of {shard}: the pairs differ");
        }
    }
}

#[test]
fn saturation_and_boilerplate_are_exercised() {
    // The corpus above does hit the cap and the boilerplate rule, so the
    // reproduction covers them.
    let articles = corpus(120, 12);
    let d = Detector::builder().similar_units(true).max_bucket(3).build().unwrap();
    let mut index = d.index();
    index.insert_many(&articles).unwrap();
    assert!(index.saturation().buckets > 0);
    assert!(!index.exact_duplicates().is_empty());
    let mut index = Detector::builder().max_df(4).build().unwrap().index();
    index.insert_many(&articles).unwrap();
    assert!(index.saturation().fingerprints > 0);
    let d = Detector::builder().boilerplate_contexts(3).report_boilerplate(true).build().unwrap();
    let mut index = d.index();
    index.insert_many(&articles).unwrap();
    assert!(index.pairs().any(|p| !p.report.boilerplate.is_empty()));
}
