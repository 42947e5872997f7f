//! Which aligned passages are reuse a reader sees: a passage of
//! `min_words` matched words on its own, or a shorter one (an anchor or a
//! few) where the two paragraphs it lies in share at least `min_words`
//! matched words in all: a paragraph rewritten around a few reused
//! pieces. A short run shared by two otherwise unrelated paragraphs (a
//! stock phrase, a line of code the two texts both use) is not.

use std::collections::HashMap;

use super::Passage;
use crate::text::{Analysis, Segment};

/// The index of the segment holding token `t` (`segments.len()` if none).
fn segment_of(segments: &[Segment], t: usize) -> usize {
    segments.partition_point(|s| s.tokens.end <= t)
}

/// Keeps the passages with at least `min_words` matched words, and the
/// shorter ones whose paragraph pair (the paragraphs holding their first
/// word on each side) shares at least `min_words` matched words over all
/// of `passages` starting in it. Order is kept.
pub(super) fn substantial(passages: Vec<Passage>, a: &Analysis, b: &Analysis, min_words: usize) -> Vec<Passage> {
    if passages.iter().all(|p| p.matched_words >= min_words) {
        return passages;
    }
    let key = |p: &Passage| (segment_of(&a.paragraphs, p.a_tokens.start), segment_of(&b.paragraphs, p.b_tokens.start));
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for p in &passages {
        *shared.entry(key(p)).or_default() += p.matched_words;
    }
    passages.into_iter().filter(|p| p.matched_words >= min_words || shared[&key(p)] >= min_words).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use crate::text::analyze;

    fn passage(a: std::ops::Range<usize>, b: std::ops::Range<usize>, matched: usize) -> Passage {
        Passage {
            a: Span::new(0, 0),
            b: Span::new(0, 0),
            a_tokens: a,
            b_tokens: b,
            matched_words: matched,
            kind: crate::score::PassageKind::Exact,
            similarity: 1.0,
            bag_similarity: 1.0,
            containment_a: 1.0,
            containment_b: 1.0,
            boilerplate_articles: 0,
        }
    }

    #[test]
    fn short_passages_stay_where_their_paragraphs_share_enough() {
        // Two paragraphs of 20 words on each side.
        let words = |n: usize| (0..n).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let text = format!("{}.\n\n{}.", words(20), words(20));
        let an = analyze(&text, 0);
        assert_eq!(an.paragraphs.len(), 2);
        let long = passage(0..16, 0..16, 16);
        // Two short pieces of the second paragraphs: 8 + 8 = 16 in all.
        let (s1, s2) = (passage(20..28, 30..38, 8), passage(30..38, 20..28, 8));
        let got = substantial(vec![long.clone(), s1.clone(), s2.clone()], &an, &an, 15);
        assert_eq!(got.len(), 3);
        // One short piece alone in its paragraph pair goes.
        let got = substantial(vec![long.clone(), s1], &an, &an, 15);
        assert_eq!(got, [long]);
    }
}
