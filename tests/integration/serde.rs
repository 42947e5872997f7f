#![cfg(feature = "serde")]
//! The `serde` feature: the JSON shape of the configuration and the report
//! types, pinned, and round trips through `serde_json`.
//!
//! The shape (see the crate docs, "Crate features"): every struct is an
//! object keyed by its field names; spans and token ranges are `{"start",
//! "end"}` objects; `Unit` is `"Sentence"`, `"Paragraph"` or `{"Window":
//! {"size": n}}`; `bands_rows` is `null` or `[bands, rows]`; `Signature` is
//! an array of numbers. A `Config` field missing when deserialising takes
//! its default, every field of the other types is required, unknown fields
//! are ignored, and a deserialised `Config` is only checked when a
//! `Detector` is built from it.
//!
//! Scores survive a round trip to within one unit in the last place:
//! `serde_json` parses floats exactly only with its `float_roundtrip`
//! feature, which this crate's dev-dependency does not enable; integers and
//! spans always survive exactly.

use neardup::advisor::{self, Advice};
use neardup::fingerprint::MinHasher;
use neardup::{Config, Detector, Group, LshParams, Match, Pair, Passage, QueryResult, Report, Span, Unit};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `value` to JSON and back.
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let json = serde_json::to_string(value).expect("serialises");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Whether two floats are equal to within one unit in the last place.
fn close(x: f64, y: f64) -> bool {
    x == y || (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs())
}

fn assert_same_passage(x: &Passage, y: &Passage) {
    assert_eq!(
        (x.a, x.b, &x.a_tokens, &x.b_tokens, x.matched_words),
        (y.a, y.b, &y.a_tokens, &y.b_tokens, y.matched_words)
    );
    for (p, q) in [(x.similarity, y.similarity), (x.containment_a, y.containment_a), (x.containment_b, y.containment_b)]
    {
        assert!(close(p, q), "{p} != {q}");
    }
}

fn assert_same_report(x: &Report, y: &Report) {
    assert_eq!(
        (x.a_words, x.b_words, x.a_covered_words, x.b_covered_words),
        (y.a_words, y.b_words, y.a_covered_words, y.b_covered_words)
    );
    assert_eq!(x.passages.len(), y.passages.len());
    assert_eq!(x.boilerplate.len(), y.boilerplate.len());
    for (p, q) in x.passages.iter().zip(&y.passages).chain(x.boilerplate.iter().zip(&y.boilerplate)) {
        assert_same_passage(p, q);
    }
}

fn seed_report() -> Report {
    let (a, b) = crate::seed_pair();
    Detector::builder().build().unwrap().compare(&a, &b)
}

// ---------------------------------------------------------------------------
// Pinned shapes

#[test]
fn a_seed_pair_passage_has_the_documented_json_shape() {
    let report = seed_report();
    let json = serde_json::to_string(&report.passages[0]).unwrap();
    assert_eq!(
        json,
        r#"{"a":{"start":1203,"end":1259},"b":{"start":176,"end":232},"a_tokens":{"start":179,"end":187},"b_tokens":{"start":24,"end":32},"matched_words":8,"kind":"exact","similarity":1.0,"bag_similarity":0.0,"containment_a":1.0,"containment_b":1.0,"boilerplate_articles":0}"#
    );
    // The offsets are the ones `compare --json` prints and slice the files.
    let (a, b) = crate::seed_pair();
    assert_eq!(&a[1203..1259], "discussed the state of bilateral cooperation within NATO");
    assert_eq!(&a[1203..1259], &b[176..232]);

    // A report: its passages, the word counts, the (empty) boilerplate; no
    // computed coverage.
    let value: serde_json::Value = serde_json::to_value(&report).unwrap();
    let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = ["passages", "a_words", "b_words", "a_covered_words", "b_covered_words", "boilerplate"];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(value["passages"].as_array().unwrap().len(), 4);
    assert_eq!(value["passages"][2]["similarity"], serde_json::json!(report.passages[2].similarity));
    assert_eq!(value["boilerplate"], serde_json::json!([]));
}

#[test]
fn the_default_config_has_the_documented_json_shape() {
    assert_eq!(
        serde_json::to_string(&Config::default()).unwrap(),
        r#"{"shingle_size":3,"num_hashes":128,"threshold":0.5,"bands_rows":null,"seed":0,"unit":"Sentence","min_words":15,"max_gap":5,"max_bucket":1000,"anchor_words":8,"max_df":1000,"similar_units":false,"boilerplate_contexts":10,"report_boilerplate":true,"rewritten":false,"rewritten_candidates":true,"stem_chars":5}"#
    );
    let mut config = Config::default();
    config.unit = Unit::Window { size: 20 };
    config.bands_rows = Some((16, 8));
    let value = serde_json::to_value(&config).unwrap();
    assert_eq!(value["unit"], serde_json::json!({"Window": {"size": 20}}));
    assert_eq!(value["bands_rows"], serde_json::json!([16, 8]));
    assert_eq!(serde_json::to_value(Unit::Paragraph).unwrap(), serde_json::json!("Paragraph"));
    assert_eq!(serde_json::to_string(&Span::new(3, 7)).unwrap(), r#"{"start":3,"end":7}"#);
    assert_eq!(serde_json::to_string(&LshParams { bands: 25, rows: 5 }).unwrap(), r#"{"bands":25,"rows":5}"#);
    assert_eq!(serde_json::to_string(&MinHasher::new(2, 0).signature([1u64])).unwrap().chars().next(), Some('['));
}

#[test]
fn the_index_results_and_the_advice_have_the_documented_shape() {
    let group = Group { representative: 2, members: vec![1, 2, 3] };
    assert_eq!(serde_json::to_string(&group).unwrap(), r#"{"representative":2,"members":[1,2,3]}"#);
    let result = QueryResult::default();
    assert_eq!(
        serde_json::to_string(&result).unwrap(),
        r#"{"matches":[],"saturated_buckets":0,"skipped_entries":0,"capped_fingerprints":0}"#
    );
    let m = Match { id: 7, candidate_similarity: 1.0, report: Report::default(), duplicates: vec![8, 9] };
    let value = serde_json::to_value(&m).unwrap();
    assert_eq!(value["id"], 7);
    assert_eq!(value["candidate_similarity"], 1.0);
    assert!(value["report"]["passages"].is_array());
    assert_eq!(value["duplicates"], serde_json::json!([8, 9]));
    let p = Pair { a: 1, b: 3, candidate_similarity: 0.5, report: Report::default() };
    let value = serde_json::to_value(&p).unwrap();
    assert_eq!((value["a"].as_u64(), value["b"].as_u64()), (Some(1), Some(3)));

    let advice = advisor::advise(0.6, 128).unwrap();
    let value = serde_json::to_value(&advice).unwrap();
    assert_eq!(value["lsh"], serde_json::json!({"bands": advice.lsh.bands, "rows": advice.lsh.rows}));
    assert_eq!(value["curve"][0], serde_json::json!({"similarity": 0.0, "probability": 0.0}));
    assert_eq!(value["memory"]["merged_bytes_per_unit"], 16 * advice.lsh.bands);
    assert_eq!(value["edits"].as_array().unwrap().len(), advisor::EDIT_UNIT_WORDS.len());
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn reports_and_passages_round_trip() {
    let report = seed_report();
    assert_same_report(&round_trip(&report), &report);
    assert_same_report(&round_trip(&report.swapped()), &report.swapped());
    for p in &report.passages {
        assert_same_passage(&round_trip(p), p);
    }
    // Exact where the values are exact in binary.
    assert_eq!(round_trip(&report.passages[0]), report.passages[0]);
    assert_eq!(round_trip(&Report::default()), Report::default());
}

#[test]
fn configs_round_trip_and_are_checked_when_used() {
    let mut config = Config::default();
    assert_eq!(round_trip(&config), config);
    config.unit = Unit::Window { size: 12 };
    config.bands_rows = Some((10, 6));
    config.seed = u64::MAX;
    config.report_boilerplate = true;
    assert_eq!(round_trip(&config), config);

    // Deserialising does not validate; building a detector does.
    let mut json = serde_json::to_value(Config::default()).unwrap();
    json["threshold"] = serde_json::json!(1.5);
    let bad: Config = serde_json::from_value(json).unwrap();
    assert!(Detector::new(bad).unwrap_err().to_string().contains("threshold = 1.5"));

    // Missing fields take their defaults (a config file names only what it
    // changes); unknown fields are ignored.
    let partial: Config = serde_json::from_str(r#"{"shingle_size": 4}"#).unwrap();
    let mut expected = Config::default();
    expected.shingle_size = 4;
    assert_eq!(partial, expected);
    let mut json = serde_json::to_value(Config::default()).unwrap();
    json["comment"] = serde_json::json!("ignored");
    assert_eq!(serde_json::from_value::<Config>(json).unwrap(), Config::default());
}

#[test]
fn index_results_round_trip() {
    let (a, b) = crate::seed_pair();
    let mut index = Detector::builder().build().unwrap().index();
    index.insert(1, &a).unwrap();
    index.insert(2, &b).unwrap();
    let result = index.query(&a);
    assert!(!result.matches.is_empty());
    let back = round_trip(&result);
    assert_eq!(back.saturated_buckets, result.saturated_buckets);
    for (x, y) in back.matches.iter().zip(&result.matches) {
        assert_eq!(x.id, y.id);
        assert!(close(x.candidate_similarity, y.candidate_similarity));
        assert_same_report(&x.report, &y.report);
    }
    let pairs: Vec<Pair> = index.pairs().collect();
    let back: Vec<Pair> = round_trip(&pairs);
    assert_eq!(back.len(), pairs.len());
    for (x, y) in back.iter().zip(&pairs) {
        assert_eq!((x.a, x.b), (y.a, y.b));
        assert_same_report(&x.report, &y.report);
    }
    let groups = vec![Group { representative: 1, members: vec![1, 2] }];
    assert_eq!(round_trip(&groups), groups);
}

#[test]
fn advice_round_trips() {
    let advice: Advice = advisor::advise(0.7, 64).unwrap();
    let back = round_trip(&advice);
    assert_eq!((back.lsh, back.num_hashes, back.shingle_size, back.memory), (advice.lsh, 64, 3, advice.memory));
    assert_eq!(back.curve.len(), advice.curve.len());
    for (x, y) in back.curve.iter().zip(&advice.curve) {
        assert!(close(x.similarity, y.similarity) && close(x.probability, y.probability));
    }
    assert!(close(back.false_positive_rate, advice.false_positive_rate));
    assert!(close(back.false_negative_rate, advice.false_negative_rate));
    assert_eq!(back.edits.len(), advice.edits.len());
}
