//! The stages a distributed engine (a Spark job, a sharded corpus) calls to
//! find every pair of articles that share passages, without an `Index`,
//! and the proof that it gets what `Index::pairs()` gets.
//!
//! One file, neardup only: copy it. Run it on text files, one article
//! each (or on three built-in articles without arguments):
//!
//! ```text
//! cargo run --release --example stages -- a.txt b.txt c.txt
//! ```
//!
//! The steps, each a plain function over plain records, so each can run
//! where the data is:
//!
//! 1. **Map, per article:** `Detector::text_keys` gives the article's
//!    run fingerprints (`anchors`), the band keys of its units, its
//!    sentence and paragraph keys, its exact-duplicate key and, with
//!    `rewritten`, the bag keys of its sentences.
//! 2. **Reduce:** boilerplate counts (`ContextCounts`) are summed over
//!    shards; buckets gather `(article, word)` entries by run fingerprint,
//!    `(article, unit)` entries by `(band, key)` and `(article, sentence)`
//!    entries by `(bag band, key)`, in insertion order; of each
//!    exact-duplicate class only the first article takes entries.
//! 3. **Candidates:** a run fingerprint (or a bag key) held by at most
//!    `max_df` entries pairs all of them; in each band bucket, every entry
//!    sees the first `max_bucket` entries and keeps those of articles with
//!    a larger id.
//! 4. **Verify, per candidate pair:** `Detector::prepare` both articles,
//!    `Detector::verify` the pair with its cues (shared runs, candidate
//!    unit pairs, candidate sentence pairs).

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use neardup::corpus::ContextCounts;
use neardup::{ArticleKeys, Cue, Detector};

/// The articles a run works on when no file is given.
const BUILT_IN: [&str; 3] = [
    "Officials met on Monday. Hajiyev added that Azerbaijan will continue to make its contribution \
     to the political dialogue between NATO and Russia. Talks went on late into the night.",
    "Markets closed higher on Friday after a week of strong trading in technology shares.",
    "Hajiyev added that Azerbaijan will continue to make its contribution to the political dialogue \
     between NATO and Russia, the ministry said in a statement on Tuesday.",
];

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = if paths.is_empty() {
        BUILT_IN.iter().map(|t| t.to_string()).collect()
    } else {
        let mut texts = Vec::new();
        for p in &paths {
            match neardup::text::read_file(p, neardup::text::DEFAULT_MAX_BYTES) {
                Ok(t) => texts.push(t),
                Err(e) => {
                    eprintln!("stages: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        texts
    };
    let articles: Vec<(u64, String)> = texts.into_iter().enumerate().map(|(i, t)| (i as u64, t)).collect();
    let detector = Detector::builder().build().expect("the default configuration is valid");

    let pairs = pairs_from_stages(&detector, &articles);
    for (a, b, report) in &pairs {
        println!("articles {a} and {b}: {} passage(s)", report.passages.len());
        for p in &report.passages {
            let (sa, sb) = (p.a, p.b);
            println!("  bytes {}..{} of {a} = bytes {}..{} of {b}", sa.start, sa.end, sb.start, sb.end);
        }
    }

    // The same pairs as an index finds.
    let mut index = detector.index();
    index.insert_many(&articles).expect("ids are distinct");
    let from_index: Vec<(u64, u64, neardup::Report)> = index.pairs().map(|p| (p.a, p.b, p.report)).collect();
    if from_index != pairs {
        eprintln!("stages: the stages found {} pairs, Index::pairs {}", pairs.len(), from_index.len());
        return ExitCode::FAILURE;
    }
    println!("{} pair(s), the same as Index::pairs()", pairs.len());
    ExitCode::SUCCESS
}

/// The slots of a candidate pair and its cues.
type Candidates = (usize, usize, Vec<Cue>);

/// Every pair `(a, b, report)`, `a < b`, in increasing order.
fn pairs_from_stages(d: &Detector, articles: &[(u64, String)]) -> Vec<(u64, u64, neardup::Report)> {
    let bands = d.lsh().bands;
    // 1. Map.
    let keys: Vec<ArticleKeys> = articles.iter().map(|(_, text)| d.text_keys(text, &d.analyze(text))).collect();
    // 2. Reduce: counts (one shard here; `ContextCounts::merge` sums more),
    //    exact-duplicate classes, buckets.
    let mut counts = ContextCounts::default();
    let mut first_of_class: HashMap<u128, usize> = HashMap::new();
    let mut runs: HashMap<u64, Vec<(usize, u32)>> = HashMap::new();
    let mut buckets: HashMap<(usize, u64), Vec<(usize, u32)>> = HashMap::new();
    let mut bags: HashMap<(usize, u64), Vec<(usize, u32)>> = HashMap::new();
    for (slot, k) in keys.iter().enumerate() {
        counts.add(&k.segment_keys);
        if let Some(class) = k.duplicate_key
            && *first_of_class.entry(class).or_insert(slot) != slot
        {
            continue;
        }
        for &(key, word) in &k.anchors {
            runs.entry(key).or_default().push((slot, word));
        }
        for (unit, unit_keys) in k.entries(bands) {
            for (band, &key) in unit_keys.iter().enumerate() {
                buckets.entry((band, key)).or_default().push((slot, unit));
            }
        }
        for (sentence, bag_keys) in k.bag_entries() {
            for (band, &key) in bag_keys.iter().enumerate() {
                bags.entry((band, key)).or_default().push((slot, sentence));
            }
        }
    }
    // 3. Candidates, by pair of article slots.
    let id = |slot: usize| articles[slot].0;
    let cap = d.config().max_bucket;
    let mut candidates: BTreeMap<(u64, u64), Candidates> = BTreeMap::new();
    let mut add = |a: usize, b: usize, cue: Cue| {
        candidates.entry((id(a), id(b))).or_insert((a, b, Vec::new())).2.push(cue);
    };
    for bucket in runs.values().filter(|b| b.len() <= d.config().max_df) {
        for &(a, word_a) in bucket {
            for &(b, word_b) in bucket {
                if id(b) > id(a) {
                    add(a, b, Cue::Anchor { a: word_a, b: word_b });
                }
            }
        }
    }
    for bucket in bags.values().filter(|b| b.len() <= d.config().max_df) {
        for &(a, sentence_a) in bucket {
            for &(b, sentence_b) in bucket {
                if id(b) > id(a) {
                    add(a, b, Cue::Bags { a: sentence_a, b: sentence_b });
                }
            }
        }
    }
    for bucket in buckets.values() {
        for &(a, unit_a) in bucket {
            for &(b, unit_b) in &bucket[..bucket.len().min(cap)] {
                if id(b) > id(a) {
                    add(a, b, Cue::Units { a: unit_a, b: unit_b });
                }
            }
        }
    }
    // 4. Verify.
    let min_contexts = d.config().boilerplate_contexts;
    let prepare = |slot: usize| {
        let analysis = d.analyze(&articles[slot].1);
        d.prepare(analysis, Some(&keys[slot].segment_keys), |key| counts.boilerplate(key, min_contexts))
    };
    candidates
        .into_iter()
        .filter_map(|((id_a, id_b), (a, b, cues))| {
            let (pa, pb) = (prepare(a), prepare(b));
            let (_similarity, report) = d.verify(&articles[a].1, &pa, &articles[b].1, &pb, cues)?;
            Some((id_a, id_b, report))
        })
        .collect()
}
