//! The seed pair: what `compare` must report on the two real articles the
//! crate was designed around (see `tests/data` and ../shared/seeds/README).

use neardup::{Detector, Passage, Report, Span};

use crate::seed_pair;

/// The span of the paragraph of `text` that starts with `start`.
fn paragraph(text: &str, start: &str) -> Span {
    let begin = text.find(start).unwrap_or_else(|| panic!("paragraph {start:?} not in text"));
    let end = text[begin..].find("\n\n").map_or(text.len(), |e| begin + e);
    Span::new(begin, end)
}

fn overlaps(x: Span, y: Span) -> bool {
    x.start < y.end && y.start < x.end
}

/// Bytes of `target` holding a word character not covered by any span.
fn uncovered_words(text: &str, target: Span, spans: &[Span]) -> String {
    text[target]
        .char_indices()
        .filter(|&(i, c)| {
            c.is_alphanumeric() && !spans.iter().any(|s| s.start <= target.start + i && target.start + i < s.end)
        })
        .map(|(_, c)| c)
        .collect()
}

fn report() -> (String, String, Report) {
    let (a, b) = seed_pair();
    let detector = Detector::builder().build().expect("default config is valid");
    let report = detector.compare(&a, &b);
    (a, b, report)
}

use crate::CONFERENCE_000;

#[test]
fn conference_paragraphs_are_reused_in_order_around_the_extra_quote() {
    let (a, b, report) = report();
    let a_spans: Vec<Span> = report.passages.iter().map(|p| p.a).collect();
    for start in CONFERENCE_000 {
        let para = paragraph(&a, start);
        let missing = uncovered_words(&a, para, &a_spans);
        assert!(missing.is_empty(), "000 paragraph {start:?} not fully covered; missing {missing:?}");
    }
    // The extra quote paragraph exists only in 001: no passage claims it.
    let extra = paragraph(&b, "\"Latvia, being a NATO member");
    for p in &report.passages {
        assert!(!overlaps(p.b, extra), "passage claims 001's extra quote: {:?}", &b[p.b]);
    }
    // The passages covering the conference stand in the same order in both.
    let first = paragraph(&a, CONFERENCE_000[0]).start;
    let conf: Vec<&Passage> = report.passages.iter().filter(|p| p.a.end > first).collect();
    assert!(conf.len() >= 2, "the extra quote splits the conference in two passages");
    for w in conf.windows(2) {
        assert!(w[0].a.end <= w[1].a.start && w[0].b.end <= w[1].b.start, "order differs");
    }
    // Whole paragraphs come with their punctuation: the last passage ends
    // exactly where both articles' last quote ends.
    let last = conf.last().expect("at least one passage");
    assert!(a[last.a].ends_with("in the region,\" he said."), "{:?}", &a[last.a]);
    assert_eq!(&a[last.a], &b[last.b]);
}

#[test]
fn quoted_sentence_is_found_inside_the_longer_paragraph() {
    let (a, b, report) = report();
    let sentence_a = paragraph(&a, "Bergmanis noted that Latvia");
    let host_b = paragraph(&b, "Bergmanis stressed that relations");
    let sentence_b_start = b.find("He noted that Latvia").expect("in 001");
    let p = report
        .passages
        .iter()
        .find(|p| p.a.contains(sentence_a))
        .unwrap_or_else(|| panic!("no passage covers 000's sentence; passages: {:?}", report.passages));
    assert!(host_b.contains(Span::new(p.b.start, host_b.end)), "B span must start inside the host paragraph");
    assert_eq!(p.b.start, sentence_b_start, "B span starts at the quoted sentence, not the paragraph");
    assert!(!b[p.b].contains("Bergmanis stressed"), "B span must not cover the whole paragraph");
    assert!(b[p.b].starts_with("He noted that Latvia is Azerbaijan's important partner in the European security organizations, especially NATO."));
}

#[test]
fn rewritten_lead_is_partially_reused() {
    let (a, b, report) = report();
    let earlier = paragraph(&a, "Earlier, Hasanov discussed the state");
    let lead = paragraph(&b, "Azerbaijani Defence Minister Zakir Hasanov and member");
    let parts: Vec<&Passage> = report.passages.iter().filter(|p| earlier.contains(p.a)).collect();
    assert!(!parts.is_empty(), "no passage inside 000's 'Earlier, Hasanov...' paragraph");
    for p in &parts {
        assert!(lead.contains(p.b), "its partner must lie in 001's lead: {:?}", &b[p.b]);
    }
    let texts: Vec<&str> = parts.iter().map(|p| &a[p.a]).collect();
    assert!(
        texts
            .iter()
            .any(|t| t
                .contains("member of the Latvian delegation to the NATO Parliamentary Assembly Raimonds Bergmanis")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("discussed the state of bilateral cooperation within NATO")), "{texts:?}");
    // Partial: the sentence is not reused whole.
    assert!(parts.iter().all(|p| p.a != earlier));
}

#[test]
fn unrelated_paragraphs_and_the_byline_are_not_reported() {
    let (a, b, report) = report();
    let tokel_first = paragraph(&a, "Chief of Staff of NATO Allied Land Command");
    let tokel_last = paragraph(&a, "During the meeting, the sides also exchanged views");
    let tokel = Span::new(tokel_first.start, tokel_last.end);
    let meeting_b = paragraph(&b, "At the meeting held on June 17");
    let byline_a = Span::new(a.find("By Vafa Ismayilova").unwrap(), a.find("By Vafa Ismayilova").unwrap() + 18);
    let byline_b = Span::new(b.find("By Vafa Ismayilova").unwrap(), b.find("By Vafa Ismayilova").unwrap() + 18);
    for p in &report.passages {
        assert!(!overlaps(p.a, tokel), "passage from Tokel's visit: {:?}", &a[p.a]);
        assert!(!overlaps(p.b, meeting_b), "passage from 001's June 17 paragraph: {:?}", &b[p.b]);
        assert!(!overlaps(p.a, byline_a) && !overlaps(p.b, byline_b), "byline reported");
    }
}

#[test]
fn every_passage_slices_both_originals_and_scores_are_sane() {
    let (a, b, report) = report();
    // Four (with `rewritten`, three: 001's lead swaps the halves of 000's
    // sentence, one rewritten passage; tests/integration/rewritten.rs).
    assert_eq!(report.passages.len(), 4, "{:#?}", report.passages);
    for p in &report.passages {
        assert!(a.is_char_boundary(p.a.start) && a.is_char_boundary(p.a.end));
        assert!(b.is_char_boundary(p.b.start) && b.is_char_boundary(p.b.end));
        assert!(p.matched_words >= 8);
        for s in [p.similarity, p.bag_similarity, p.containment_a, p.containment_b] {
            assert!((0.0..=1.0).contains(&s));
        }
        // The lead's halves swapped: the same words, in another order.
        let alike = if p.kind == neardup::PassageKind::Rewritten { p.bag_similarity } else { p.similarity };
        assert!(alike > 0.9, "reused passages are near-verbatim here: {p:?}");
    }
    assert!(report.a_coverage() > 0.5 && report.a_coverage() < 0.7, "{}", report.a_coverage());
    assert!(report.b_coverage() > 0.6 && report.b_coverage() < 0.8, "{}", report.b_coverage());
}

#[test]
fn sides_swap_exactly() {
    let (a, b, report) = report();
    let detector = Detector::builder().build().unwrap();
    assert_eq!(detector.compare(&b, &a), report.swapped());
}

#[test]
fn the_index_finds_the_pair_and_reports_the_same_passages() {
    let (a, b, report) = report();
    let detector = Detector::builder().build().unwrap();
    let mut index = detector.index();
    index.insert(1, &b).unwrap();
    index.insert(2, "Markets closed higher on Friday after a week of strong trading in technology shares.").unwrap();
    let result = index.query(&a);
    assert_eq!(result.matches.len(), 1);
    let m = &result.matches[0];
    assert_eq!(m.id, 1);
    assert!(m.candidate_similarity >= detector.config().threshold);
    assert_eq!(m.report, report);
    assert_eq!(result.saturated_buckets, 0);
}
