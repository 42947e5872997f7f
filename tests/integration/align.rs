//! Alignment the way a reader sees reuse (issue 12): every copy of a
//! repeated passage, an exact anchor, one passage per reused stretch.
//! On the seed articles and on real short answers from
//! `../shared/eval-dev/cs-shortanswer` (Clough and Stevenson 2011).

use neardup::{Detector, Passage, Report};

use crate::seed_pair;

/// Passages of 8 words on their own (0.2's `min_words`): the rules below
/// are about the shape of passages, on short texts.
fn detector() -> Detector {
    Detector::builder().min_words(8).build().expect("valid config")
}

/// The paragraph of `text` that starts with `start`, without its
/// separating blank lines.
fn paragraph<'t>(text: &'t str, start: &str) -> &'t str {
    let begin = text.find(start).unwrap_or_else(|| panic!("paragraph {start:?} not in text"));
    let end = text[begin..].find("\n\n").map_or(text.len(), |e| begin + e);
    &text[begin..end]
}

/// A short answer of the cs-shortanswer set, read from `../shared`.
fn short_answer(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eval-dev/cs-shortanswer/docs/").to_owned() + name;
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (the test reads the cs-shortanswer set from ../shared/eval-dev)"))
}

/// `compare(a, b)`, checked to be symmetric.
fn compare(d: &Detector, a: &str, b: &str) -> Report {
    let report = d.compare(a, b);
    assert_eq!(d.compare(b, a), report.swapped(), "compare must not depend on argument order");
    report
}

fn covering<'r>(report: &'r Report, b: &str, needle: &str) -> Vec<&'r Passage> {
    report.passages.iter().filter(|p| b[p.b].contains(needle)).collect()
}

#[test]
fn a_paragraph_pasted_twice_is_reported_twice() {
    let (a, b) = seed_pair();
    let quote = paragraph(&a, "Hajiyev added that Azerbaijan will continue");
    // 001 with the quote pasted again at its end, after a paragraph of its own.
    let twice = format!("{b}\n\nAn editor's note that has nothing to do with either article.\n\n{quote}");
    let d = detector();
    for (x, y) in [(&a, &twice), (&twice, &a)] {
        let report = compare(&d, x, y);
        let copies: Vec<&Passage> =
            report.passages.iter().filter(|p| x[p.a].contains(quote) || y[p.b].contains(quote)).collect();
        assert_eq!(copies.len(), 2, "both copies of the quote: {copies:#?}");
    }
    // The rest of the seed pair's passages are unchanged (but for their
    // bag similarity, whose weights are sentence frequencies over the two
    // whole texts).
    let before = d.compare(&a, &b);
    let after = d.compare(&a, &twice);
    let same = |p: &Passage, q: &Passage| {
        Passage { bag_similarity: 0.0, ..p.clone() } == Passage { bag_similarity: 0.0, ..q.clone() }
    };
    assert!(before.passages.iter().all(|p| after.passages.iter().any(|q| same(p, q))), "{:#?}", after.passages);
    assert_eq!(after.passages.len(), before.passages.len() + 1);
}

#[test]
fn two_copies_on_each_side_align_copy_to_copy() {
    let (a, b) = seed_pair();
    let quote_a = paragraph(&a, "Hajiyev added that Azerbaijan will continue");
    let quote_b = paragraph(&b, "Hajiyev added that Azerbaijan");
    let x = format!("{quote_a}\n\nA paragraph that only the first text has, about something else.\n\n{quote_a}");
    let y = format!("{quote_b}\n\nThe second text's own paragraph, quite unlike the other one.\n\n{quote_b}");
    let report = compare(&detector(), &x, &y);
    let ends: Vec<(bool, bool)> =
        report.passages.iter().map(|p| (p.a.start > x.len() / 2, p.b.start > y.len() / 2)).collect();
    assert_eq!(ends, [(false, false), (true, true)], "first with first, second with second: {:#?}", report.passages);
}

#[test]
fn a_text_repeated_a_thousand_times_is_found_every_time() {
    let (a, _) = seed_pair();
    let quote = paragraph(&a, "Hajiyev added that Azerbaijan will continue");
    let many = format!("{quote}\n\n").repeat(1000);
    let report = compare(&detector(), quote, &many);
    assert_eq!(report.passages.len(), 1000);
    assert!(report.passages.iter().all(|p| &quote[p.a] == quote && &many[p.b] == quote));
    assert_eq!(report.b_coverage(), 1.0);
}

#[test]
fn template_words_around_changed_figures_are_not_reuse() {
    let pairs = [
        (
            "Shr loss 34 cts vs loss 2.14 dlrs Net loss 2,275,000 vs loss 9,560,000",
            "Shr loss 66 cts vs loss 86 cts Net loss 2,428,000 vs loss 3,163,000",
        ),
        ("1992 with a five pct coupon and priced at", "1992 with a 14-1/4 pct coupon and priced at"),
    ];
    let loose = Detector::builder().anchor_words(3).min_words(8).build().unwrap();
    for (a, b) in pairs {
        assert_eq!(compare(&detector(), a, b).passages, [], "{a:?}");
        assert_eq!(loose.compare(a, b).passages.len(), 1, "bridged without an anchor: {a:?}");
    }
}

#[test]
fn anchor_words_is_validated_and_counts_at_most_min_words() {
    assert_eq!(detector().config().anchor_words, 8);
    assert_eq!(detector().align_options().anchor_words, 8);
    // Above min_words it counts as min_words (a run of min_words words is
    // always reported).
    let d = Detector::builder().min_words(8).anchor_words(9).build().unwrap();
    assert_eq!((d.config().anchor(), d.align_options().anchor_words), (8, 8));
    let err = Detector::builder().anchor_words(2).build().unwrap_err().to_string();
    assert!(err.contains("anchor_words = 2") && err.contains("shingle_size = 3"), "{err}");
    assert!(Detector::builder().min_words(12).anchor_words(12).build().is_ok());
}

#[test]
fn a_run_of_min_words_is_reported() {
    let d = detector();
    let a = "Officials said on Monday that the new bridge across the river will open in May, after delays.";
    let b = "A spokesman confirmed the new bridge across the river will open soon.";
    let report = compare(&d, a, b);
    assert_eq!(report.passages.len(), 1, "{report:#?}");
    assert!(a[report.passages[0].a].contains("the new bridge across the river will open"));
}

#[test]
fn an_inserted_clause_inside_a_reused_stretch_does_not_split_it() {
    // A student's answer adds "This is primarily because Bayesians assign
    // probabilities in terms of beliefs whereas" inside text taken from
    // the source article, which says "in applications." instead.
    let (a, b) = (short_answer("g0pA_taskd.txt"), short_answer("orig_taskd.txt"));
    let report = compare(&detector(), &a, &b);
    let around: Vec<&Passage> = report
        .passages
        .iter()
        .filter(|p| a[p.a].contains("should be assigned") || a[p.a].contains("to random events according to"))
        .collect();
    assert_eq!(around.len(), 1, "{around:#?}");
    assert!(a[around[0].a].contains("This is primarily\nbecause Bayesians"), "{:?}", &a[around[0].a]);
    assert!(b[around[0].b].contains("in applications. Frequentists assign"), "{:?}", &b[around[0].b]);
    assert!(covering(&report, &b, "disagree about the ways").len() == 1);
}
