//! Determinism: the same output on 1, 2 and 8 threads, in every run (golden
//! values pinned here), and after a save/load round trip.

use neardup::{Detector, Report};
#[cfg(feature = "rayon")]
use neardup::{Index, QueryResult};

use crate::seed_pair;

fn detector() -> Detector {
    Detector::builder().build().expect("default config is valid")
}

/// One line per passage, `a span | b span | shared words | similarity |
/// kind | bag similarity`.
fn summary(report: &Report) -> Vec<String> {
    let mut lines: Vec<String> = report
        .passages
        .iter()
        .map(|p| {
            format!(
                "{} | {} | {} | {:.6} | {} | {:.6}",
                p.a,
                p.b,
                p.matched_words,
                p.similarity,
                p.kind.as_str(),
                p.bag_similarity
            )
        })
        .collect();
    lines.push(format!(
        "words {}/{}, shared {}/{}",
        report.a_words, report.b_words, report.a_covered_words, report.b_covered_words
    ));
    lines
}

/// Pinned: the seed pair's report, passage by passage. A change here is a
/// change of results for every user; it must be deliberate (and explained
/// in the commit that updates these lines).
#[test]
fn golden_seed_pair_report() {
    let (a, b) = seed_pair();
    let report = detector().compare(&a, &b);
    assert_eq!(summary(&report), GOLDEN_SEED_PAIR, "{:#?}", summary(&report));
}

const GOLDEN_SEED_PAIR: &[&str] = &[
    // Bag similarities are 0: `rewritten` is off by default.
    "1203..1259 | 176..232 | 8 | 1.000000 | exact | 0.000000",
    "1265..1352 | 84..170 | 12 | 1.000000 | exact | 0.000000",
    "1354..1745 | 567..951 | 54 | 0.962963 | edited | 0.000000",
    "1747..3213 | 1347..2813 | 208 | 1.000000 | exact | 0.000000",
    "words 463/408, shared 283/283",
];

/// Pinned: the band keys of one sentence with the default configuration
/// (128 hashes, 25 bands of 5 rows). A change breaks every saved index and
/// must bump `fingerprint::SIGNATURE_VERSION`.
#[test]
fn golden_band_keys() {
    let d = detector();
    let text = "Azerbaijan is one of the most important countries in the region.";
    let an = d.analyze(text);
    let units = d.units(&an);
    assert_eq!(units.len(), 1);
    let sig = d.signature(d.unit_shingles(&d.shingles(&an), &units[0]));
    assert_eq!(sig.0[..8], GOLDEN_SIGNATURE_HEAD);
    assert_eq!(d.band_keys(&sig), GOLDEN_BAND_KEYS);
}

/// The first values are those of `fingerprint`'s own golden test (hash `i`
/// does not depend on how many there are).
const GOLDEN_SIGNATURE_HEAD: [u32; 8] =
    [163582578, 131342813, 801485981, 70490185, 160768759, 3404557, 1254787390, 288860204];
const GOLDEN_BAND_KEYS: [u64; 25] = [
    15086269828797820659,
    16707506701947314577,
    11088387463203228473,
    6097180058174606230,
    11091771992365579539,
    2132947338355276891,
    10209804935710121576,
    5831535492261827229,
    16695919614604488865,
    9990781301505493356,
    10033248572742201197,
    8277409415994842289,
    15390432004890991910,
    5605038872035668509,
    2669588567133079110,
    7839797226137105010,
    12509552609145229559,
    13307833213475357970,
    8289613616801323956,
    7825997199302336619,
    17283152095876633637,
    1715652739560152545,
    17729369627184815350,
    3692362845667549184,
    13347042899580085103,
];

/// A small archive from the seed articles' sentences: each article holds
/// four consecutive sentences of one seed, with a one-sentence offset per
/// article, so neighbours overlap and far ones do not.
fn archive() -> Vec<String> {
    let (a, b) = seed_pair();
    let d = detector();
    let mut out = Vec::new();
    for text in [&a, &b] {
        let an = d.analyze(text);
        let sentences: Vec<&str> = an.sentences.iter().map(|s| &text[s.span]).collect();
        for w in sentences.windows(4) {
            out.push(w.join(" "));
        }
    }
    out
}

#[cfg(feature = "rayon")]
#[test]
fn identical_on_1_2_and_8_threads_and_after_save_load() {
    let d = detector();
    let texts = archive();
    assert!(texts.len() > 30);
    let articles: Vec<(u64, &str)> = texts.iter().enumerate().map(|(i, t)| (1000 + 7 * i as u64, t.as_str())).collect();
    let queries: Vec<&str> = texts.iter().step_by(3).map(String::as_str).collect();
    let pairs: Vec<(&str, &str)> = texts.windows(2).map(|w| (w[0].as_str(), w[1].as_str())).collect();

    let mut seq = d.index();
    seq.insert_many(&articles).expect("distinct ids");
    let bytes = seq.to_bytes().unwrap();
    let results: Vec<QueryResult> = seq.query_many(&queries);
    assert!(results.iter().all(|r| !r.matches.is_empty()), "every query finds at least its own article");
    let all_pairs: Vec<_> = seq.pairs().collect();
    assert!(all_pairs.len() > texts.len() / 2, "neighbours share sentences");
    let groups = seq.near_duplicate_groups(0.5).expect("valid coverage");
    let reports = d.compare_many(&pairs);

    for threads in [1, 2, 8] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        pool.install(|| {
            let mut par = d.index();
            par.par_insert_many(&articles).expect("distinct ids");
            assert_eq!(par.to_bytes().unwrap(), bytes, "{threads} threads: the saved index differs");
            assert_eq!(par.par_query_many(&queries), results, "{threads} threads: queries differ");
            for (q, r) in queries.iter().zip(&results) {
                assert_eq!(&par.par_query(q), r, "{threads} threads");
            }
            assert_eq!(par.par_pairs().collect::<Vec<_>>(), all_pairs, "{threads} threads: pairs differ");
            assert_eq!(par.par_near_duplicate_groups(0.5).expect("valid"), groups, "{threads} threads");
            assert_eq!(d.par_compare_many(&pairs), reports, "{threads} threads: compare differs");
        });
    }

    // After save and load: the same bytes, the same answers.
    let loaded = Index::from_bytes(&bytes).expect("a saved index loads");
    assert_eq!(loaded.to_bytes().unwrap(), bytes);
    assert_eq!(loaded.query_many(&queries), results);
    assert_eq!(loaded.pairs().collect::<Vec<_>>(), all_pairs);
    assert_eq!(loaded.near_duplicate_groups(0.5).expect("valid"), groups);
}

#[test]
fn two_detectors_and_two_runs_agree() {
    let (a, b) = seed_pair();
    let (d1, d2) = (detector(), detector());
    let first = d1.compare(&a, &b);
    for _ in 0..3 {
        assert_eq!(d2.compare(&a, &b), first);
    }
    let texts = archive();
    let build = |d: &Detector| {
        let mut index = d.index();
        for (i, t) in texts.iter().enumerate() {
            index.insert(i as u64, t).expect("distinct ids");
        }
        index
    };
    assert_eq!(build(&d1).to_bytes().unwrap(), build(&d2).to_bytes().unwrap());
}
