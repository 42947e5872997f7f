//! The properties the fuzz targets check, shared by the targets and the
//! seed generator. Every check panics (which libFuzzer reports as a crash)
//! when a property does not hold.

use neardup::text::{Segment, analyze, normalize};
use neardup::{Detector, Index, Report, Span};

/// Turns fuzz bytes into text: valid UTF-8 as is, anything else lossily
/// (so every input exercises the text stages, not just the valid ones).
pub fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Splits `data` at its first `0xFF` byte (never part of UTF-8) into two
/// texts; without one, the second text is the first.
pub fn two_texts(data: &[u8]) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>) {
    match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (text_of(&data[..i]), text_of(&data[i + 1..])),
        None => (text_of(data), text_of(data)),
    }
}

/// A small detector whose knobs come from up to three bytes (so the fuzzer
/// explores shingle sizes, minimum words and gaps too). Always valid.
pub fn detector_of(knobs: [u8; 3]) -> Detector {
    let k = 1 + usize::from(knobs[0] % 5);
    let min_words = k + usize::from(knobs[1] % 10);
    let max_gap = usize::from(knobs[2] % 8);
    Detector::builder()
        .shingle_size(k)
        .min_words(min_words)
        .max_gap(max_gap)
        .num_hashes(32)
        .build()
        .expect("knobs are in range by construction")
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end && span.end <= text.len(), "{what} {span} outside text of {} bytes", text.len());
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span} not on char boundaries of {text:?}"
    );
}

fn check_segments(text: &str, segs: &[Segment], tokens: &[neardup::text::Token], what: &str) {
    let mut next_token = 0;
    let mut prev_end = 0;
    for s in segs {
        assert_span(text, s.span, what);
        assert!(s.span.start >= prev_end, "{what} {} overlaps the previous one (ends at {prev_end})", s.span);
        assert_eq!(s.tokens.start, next_token, "{what} token ranges are not contiguous");
        assert!(s.tokens.end > s.tokens.start, "{what} {} holds no token", s.span);
        for t in &tokens[s.tokens.clone()] {
            assert!(s.span.contains(t.span), "{what} {} does not contain its token {}", s.span, t.span);
        }
        next_token = s.tokens.end;
        prev_end = s.span.end;
    }
    assert_eq!(next_token, tokens.len(), "{what}s do not hold every token");
}

/// The `text` target's properties on one text.
///
/// * every token, sentence and paragraph span is inside the text, on char
///   boundaries, in order and without overlap;
/// * sentences and paragraphs partition the tokens, each segment contains
///   its tokens, and every paragraph break is a sentence break;
/// * a token maps to the right original bytes: analysing the original
///   bytes of one token alone gives exactly that token (same hash, whole
///   span);
/// * `normalize(text).to_original` is monotone over the normalised text's
///   char boundaries, maps the whole normalised text to the whole text and
///   every span to char boundaries.
pub fn check_text(text: &str) {
    let a = analyze(text, 0);
    let mut prev_end = 0;
    for t in &a.tokens {
        assert_span(text, t.span, "token");
        assert!(!t.span.is_empty(), "empty token at {}", t.span);
        assert!(t.span.start >= prev_end, "token {} overlaps the previous one", t.span);
        prev_end = t.span.end;
    }
    check_segments(text, &a.sentences, &a.tokens, "sentence");
    check_segments(text, &a.paragraphs, &a.tokens, "paragraph");
    for p in &a.paragraphs {
        assert!(
            a.sentences.iter().any(|s| s.tokens.end == p.tokens.end && s.span.end == p.span.end),
            "paragraph {} does not end where a sentence ends",
            p.span
        );
    }
    // Token → original bytes. Bounded so that a long input stays fast.
    for t in a.tokens.iter().take(64) {
        let word = &text[t.span];
        let alone = analyze(word, 0);
        assert_eq!(alone.tokens.len(), 1, "token {word:?} at {} re-analyses as {:?}", t.span, alone.tokens);
        assert_eq!(alone.tokens[0].hash, t.hash, "token {word:?} at {} hashes differently alone", t.span);
        assert_eq!(alone.tokens[0].span, Span::new(0, word.len()), "token {word:?} alone does not span itself");
    }
    let n = normalize(text);
    let norm = n.as_str();
    assert_eq!(n.to_original(Span::new(0, norm.len())), Span::new(0, text.len()), "whole text maps to whole text");
    let bounds: Vec<usize> = norm.char_indices().map(|(i, _)| i).chain([norm.len()]).take(512).collect();
    let mut last = Span::new(0, 0);
    for w in bounds.windows(2) {
        let s = n.to_original(Span::new(w[0], w[1]));
        assert_span(text, s, "to_original");
        assert!(s.start >= last.start && s.end >= last.end, "to_original is not monotone at {}..{}", w[0], w[1]);
        last = s;
    }
}

/// Checks every passage of `report` against both texts.
pub fn check_report(a: &str, b: &str, report: &Report, what: &str) {
    let (na, nb) = (report.a_words, report.b_words);
    for p in &report.passages {
        assert_span(a, p.a, what);
        assert_span(b, p.b, what);
        assert!(p.a_tokens.start < p.a_tokens.end && p.a_tokens.end <= na, "{what}: a_tokens {:?}", p.a_tokens);
        assert!(p.b_tokens.start < p.b_tokens.end && p.b_tokens.end <= nb, "{what}: b_tokens {:?}", p.b_tokens);
        // `matched_words` counts the words of the side the alignment ran
        // from (the shorter text), whichever of `a` and `b` that is.
        let longest = p.a_tokens.len().max(p.b_tokens.len());
        assert!(
            p.matched_words <= longest,
            "{what}: {} shared words in {:?} / {:?}",
            p.matched_words,
            p.a_tokens,
            p.b_tokens
        );
        for x in [p.similarity, p.containment_a, p.containment_b] {
            assert!((0.0..=1.0).contains(&x), "{what}: score {x} outside [0, 1]");
        }
    }
    assert!(report.passages.windows(2).all(|w| (w[0].a, w[0].b) <= (w[1].a, w[1].b)), "{what}: passages unsorted");
    assert!(report.a_covered_words <= na && report.b_covered_words <= nb, "{what}: coverage above 1");
}

/// The `compare` target's properties: no panic, spans index both texts on
/// char boundaries, and `compare(b, a) == compare(a, b).swapped()`.
pub fn check_compare(detector: &Detector, a: &str, b: &str) {
    let ab = detector.compare(a, b);
    check_report(a, b, &ab, "compare(a, b)");
    let ba = detector.compare(b, a);
    check_report(b, a, &ba, "compare(b, a)");
    assert_eq!(ba, ab.swapped(), "compare is not symmetric");
}

/// Wraps `body` in a header with the right length and checksum, so that
/// the fuzzer reaches the body parser instead of the checksum test. The
/// checksum (format 2) is `xxh3_64` of the body followed by header bytes
/// 0..32.
pub fn with_header(template: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = template[..40].to_vec();
    out[24..32].copy_from_slice(&(body.len() as u64).to_le_bytes());
    let mut sum = xxhash_rust::xxh3::Xxh3Default::new();
    sum.update(body);
    sum.update(&out[..32]);
    out[32..40].copy_from_slice(&sum.digest().to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The header of a valid, empty index: magic and versions of this build.
pub fn header_template() -> Vec<u8> {
    Detector::builder().build().expect("default config is valid").index().to_bytes().unwrap()[..40].to_vec()
}

/// Exercises a loaded index: round trip, queries, pairs, removal. Nothing
/// may panic, and every span must index its text.
pub fn exercise(index: Index) {
    let bytes = index.to_bytes().unwrap();
    let back = Index::from_bytes(&bytes).expect("a loaded index saves and loads again");
    assert_eq!(back.to_bytes().unwrap(), bytes, "save → load → save is not stable");
    let ids: Vec<u64> = index.ids().take(8).collect();
    for &id in &ids {
        let text = index.text(id).unwrap().expect("listed id is present").into_owned();
        let result = index.query(&text);
        for m in &result.matches {
            let other = index.text(m.id).unwrap().expect("a match is an indexed article");
            check_report(&text, &other, &m.report, "query");
        }
    }
    for pair in index.pairs().take(16) {
        let (a, b) = (index.text(pair.a).unwrap().unwrap_or_default(), index.text(pair.b).unwrap().unwrap_or_default());
        check_report(&a, &b, &pair.report, "pair");
    }
    let _ = index.near_duplicate_groups(0.5);
    let mut index = index;
    if let Some(&id) = ids.first() {
        assert!(index.remove(id));
        for &other in &ids[1..] {
            let text = index.text(other).unwrap().unwrap_or_default().into_owned();
            let _ = index.query(&text);
        }
    }
}
