//! Alignment: seed, extend, merge and trim the passages two texts share
//! (the method is in the [parent module's docs](super)).

use std::ops::Range;

use super::Passage;
use super::verify::{sorted_common, sorted_set, sorted_similarity};
use crate::fingerprint::shingles;
use crate::span::Span;
use crate::text::{Analysis, Segment};

/// How many occurrences of one shingle in the second text are tried as
/// seeds for each position of the first text.
pub const MAX_SEED_OCCURRENCES: usize = 64;

/// The parameters of [`align`]; a [`Detector`](crate::Detector) fills them
/// from its [`Config`](crate::Config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlignOptions {
    /// Words per shingle (seed length).
    pub shingle_size: usize,
    /// Seed of the shingle hash; must be the one the analyses were made with
    /// only in the sense that both texts use the same.
    pub seed: u64,
    /// Fewest shared words a reported passage must have.
    pub min_words: usize,
    /// Most unmatched words bridged between two runs, on each side.
    pub max_gap: usize,
}

/// An exact shared run: shingles `a..a+len` of A equal `b..b+len` of B.
#[derive(Clone, Copy, Debug)]
struct Run {
    a: usize,
    b: usize,
    len: usize,
}

/// A passage under construction, in token coordinates.
#[derive(Clone, Debug)]
struct Draft {
    a: Range<usize>,
    b: Range<usize>,
    /// The matched word pairs, as stretches `(a, b, len)`: words
    /// `a..a+len` of A match `b..b+len` of B one for one. In order and
    /// disjoint on both sides, so trimming an edge knows which pairs it
    /// drops.
    pairs: Vec<(usize, usize, usize)>,
}

impl Draft {
    /// Matched word pairs: the passage's `matched_words`.
    fn shared(&self) -> usize {
        self.pairs.iter().map(|p| p.2).sum()
    }

    /// Moves the end back by `n` words on both sides, dropping the pairs
    /// past it.
    fn trim_end(&mut self, n: usize) {
        self.a.end -= n;
        self.b.end -= n;
        let (ea, eb) = (self.a.end, self.b.end);
        for p in &mut self.pairs {
            p.2 = p.2.min(ea.saturating_sub(p.0)).min(eb.saturating_sub(p.1));
        }
        self.pairs.retain(|p| p.2 > 0);
    }

    /// Moves the start forward by `n` words on both sides, dropping the
    /// pairs before it.
    fn trim_start(&mut self, n: usize) {
        self.a.start += n;
        self.b.start += n;
        let (sa, sb) = (self.a.start, self.b.start);
        for p in &mut self.pairs {
            let drop = sa.saturating_sub(p.0).max(sb.saturating_sub(p.1)).min(p.2);
            *p = (p.0 + drop, p.1 + drop, p.2 - drop);
        }
        self.pairs.retain(|p| p.2 > 0);
    }
}

/// Finds the passages that analyses `a` and `b` share.
///
/// Passages come sorted by their start in `a`, then in `b`. See the
/// [module docs](crate::score) for the method.
///
/// # Panics
///
/// Only on analyses that break [`analyze`](crate::text::analyze)'s
/// invariants (a segment holding token indices past the end of `tokens`,
/// segments out of order): records made by `analyze` never make it panic,
/// whatever the text.
///
/// ```
/// use neardup::score::{align, AlignOptions};
/// use neardup::text::analyze;
///
/// let a = "Intro. The quick brown fox jumps over the lazy dog near the river bank. Outro.";
/// let b = "Other start. The quick brown fox jumps over the lazy dog near the river bank!";
/// let opts = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5 };
/// let passages = align(&analyze(a, 0), &analyze(b, 0), &opts);
/// assert_eq!(passages.len(), 1);
/// assert_eq!(&a[passages[0].a], "The quick brown fox jumps over the lazy dog near the river bank.");
/// assert_eq!(passages[0].matched_words, 13);
/// ```
pub fn align(a: &Analysis, b: &Analysis, opts: &AlignOptions) -> Vec<Passage> {
    let k = opts.shingle_size.max(1);
    let need = opts.min_words.max(k).max(1);
    if a.tokens.len() < need || b.tokens.len() < need {
        return Vec::new();
    }
    let sa = shingles(&a.tokens, k, opts.seed);
    let sb = shingles(&b.tokens, k, opts.seed);
    align_shingles(a, b, &sa, &sb, &SeedTable::new(&sb), opts)
}

/// The seed table of a text's shingles: `(hash, position)`, sorted, so
/// that the occurrences of one shingle are adjacent and in text order.
/// Built once for a text that is the second side of many alignments.
///
/// ```
/// use neardup::score::SeedTable;
/// let table = SeedTable::new(&[9, 4, 9]);
/// assert_eq!(table.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedTable(Vec<(u64, usize)>);

impl SeedTable {
    /// The seed table of `shingles` (a whole text's, in text order).
    pub fn new(shingles: &[u64]) -> SeedTable {
        let mut table: Vec<(u64, usize)> = shingles.iter().enumerate().map(|(j, &h)| (h, j)).collect();
        table.sort_unstable();
        SeedTable(table)
    }

    /// Number of shingles in the table.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text had no shingle.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// [`align`] with the shingles of both texts (`shingles(tokens, k, seed)`
/// of the whole texts, as [`fingerprint::shingles`](crate::fingerprint::shingles)
/// gives them) and the [`SeedTable`] of `b`'s already built: a caller that
/// aligns one text with many reuses them. The passages are [`align`]'s.
///
/// ```
/// use neardup::fingerprint::shingles;
/// use neardup::score::{align, align_shingles, AlignOptions, SeedTable};
/// use neardup::text::analyze;
///
/// let (a, b) = (analyze("Intro. The quick brown fox jumps over the lazy dog near the bank.", 0),
///               analyze("The quick brown fox jumps over the lazy dog near the bank. End.", 0));
/// let opts = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5 };
/// let (sa, sb) = (shingles(&a.tokens, 3, 0), shingles(&b.tokens, 3, 0));
/// assert_eq!(align_shingles(&a, &b, &sa, &sb, &SeedTable::new(&sb), &opts), align(&a, &b, &opts));
/// ```
pub fn align_shingles(
    a: &Analysis,
    b: &Analysis,
    sa: &[u64],
    sb: &[u64],
    table: &SeedTable,
    opts: &AlignOptions,
) -> Vec<Passage> {
    let k = opts.shingle_size.max(1);
    let need = opts.min_words.max(k).max(1);
    if a.tokens.len() < need || b.tokens.len() < need {
        return Vec::new();
    }
    let runs = seed_and_extend(sa, sb, &table.0);
    let drafts = merge(&runs, k, opts.max_gap);
    let edge = opts.max_gap.min(3);
    let mut passages: Vec<Passage> = Vec::new();
    let mut prev: Option<Draft> = None;
    for mut d in drafts {
        if d.shared() < opts.min_words {
            continue;
        }
        trim_dangling(&mut d, a, b, k, edge, prev.as_ref());
        if d.shared() < opts.min_words {
            continue;
        }
        grow_edges(&mut d, a, b, edge, prev.as_ref());
        passages.push(finish(&d, a, b, sa, sb, k));
        prev = Some(d);
    }
    passages.sort_by_key(|p| (p.a, p.b));
    passages
}

fn seed_and_extend(sa: &[u64], sb: &[u64], table: &[(u64, usize)]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < sa.len() {
        let h = sa[i];
        let lo = table.partition_point(|e| e.0 < h);
        let mut best: Option<(usize, usize)> = None;
        for &(_, j) in table[lo..].iter().take_while(|e| e.0 == h).take(MAX_SEED_OCCURRENCES) {
            let len = 1 + sa[i + 1..].iter().zip(&sb[j + 1..]).take_while(|(x, y)| x == y).count();
            if best.is_none_or(|(_, l)| len > l) {
                best = Some((j, len));
            }
        }
        match best {
            Some((j, len)) => {
                runs.push(Run { a: i, b: j, len });
                i += len;
            }
            None => i += 1,
        }
    }
    runs
}

/// How many recent drafts a run may join: bounds the merge to linear time.
const MERGE_LOOKBACK: usize = 8;

fn merge(runs: &[Run], k: usize, max_gap: usize) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let overlap = (k - 1) as isize;
    let max_gap = max_gap as isize;
    for r in runs {
        let a = r.a..r.a + r.len + k - 1;
        let b = r.b..r.b + r.len + k - 1;
        let joined = drafts.iter_mut().rev().take(MERGE_LOOKBACK).find(|d| {
            let gap_a = a.start as isize - d.a.end as isize;
            let gap_b = b.start as isize - d.b.end as isize;
            b.start > d.b.start && (-overlap..=max_gap).contains(&gap_a) && (-overlap..=max_gap).contains(&gap_b)
        });
        match joined {
            Some(d) => {
                // Trim the run's start on both sides until neither side
                // overlaps the passage: every word is matched once, so the
                // count of matched pairs is the same seen from either side.
                let trim = (d.a.end.saturating_sub(a.start)).max(d.b.end.saturating_sub(b.start));
                let fresh = a.len().saturating_sub(trim);
                if fresh > 0 {
                    d.pairs.push((a.start + trim, b.start + trim, fresh));
                    d.a.end = a.end;
                    d.b.end = b.end;
                }
            }
            None => drafts.push(Draft { pairs: vec![(a.start, b.start, a.len())], a, b }),
        }
    }
    drafts.sort_by_key(|d| (d.a.start, d.b.start));
    drafts
}

/// The sentence holding token `t`.
fn sentence_of(an: &Analysis, t: usize) -> Option<&Segment> {
    let i = an.sentences.partition_point(|s| s.tokens.end <= t);
    an.sentences.get(i).filter(|s| s.tokens.start <= t)
}

/// Whether the start of `d` may grow to the starts of its sentences: at
/// most `edge` words in on both sides, and no earlier passage there.
fn can_grow_start(d: &Draft, sa: &Segment, sb: &Segment, edge: usize, prev: Option<&Draft>) -> bool {
    let free = prev.is_none_or(|p| p.a.end <= sa.tokens.start && p.b.end <= sb.tokens.start);
    d.a.start - sa.tokens.start <= edge && d.b.start - sb.tokens.start <= edge && free
}

/// Whether the end of `d` may grow to the ends of its sentences: at most
/// `edge` words before them on both sides.
fn can_grow_end(d: &Draft, sa: &Segment, sb: &Segment, edge: usize) -> bool {
    sa.tokens.end - d.a.end <= edge && sb.tokens.end - d.b.end <= edge
}

fn grow_edges(d: &mut Draft, a: &Analysis, b: &Analysis, edge: usize, prev: Option<&Draft>) {
    if let (Some(sa), Some(sb)) = (sentence_of(a, d.a.start), sentence_of(b, d.b.start))
        && can_grow_start(d, sa, sb, edge, prev)
    {
        d.a.start = sa.tokens.start;
        d.b.start = sb.tokens.start;
    }
    if let (Some(sa), Some(sb)) = (sentence_of(a, d.a.end - 1), sentence_of(b, d.b.end - 1))
        && can_grow_end(d, sa, sb, edge)
    {
        d.a.end = sa.tokens.end;
        d.b.end = sb.tokens.end;
    }
}

/// Words of a sentence that a passage covers at its end, when the passage
/// runs into that sentence from the one before and stops short of its
/// end; `None` otherwise.
fn run_in(an: &Analysis, t: &Range<usize>) -> Option<usize> {
    let s = sentence_of(an, t.end - 1)?;
    (t.start < s.tokens.start && t.end < s.tokens.end).then(|| t.end - s.tokens.start)
}

/// Words of a sentence that a passage covers at its start, when the
/// passage starts inside that sentence and runs on past its end; `None`
/// otherwise.
fn run_out(an: &Analysis, t: &Range<usize>) -> Option<usize> {
    let s = sentence_of(an, t.start)?;
    (t.start > s.tokens.start && t.end > s.tokens.end).then(|| s.tokens.end - t.start)
}

/// Whether two stretches of words are alike: more than half of the
/// longer one's words (counted with repeats) are also in the other.
fn alike(a: &Analysis, ra: Range<usize>, b: &Analysis, rb: Range<usize>) -> bool {
    let sorted = |an: &Analysis, r: Range<usize>| {
        let mut h: Vec<u64> = an.tokens[r].iter().map(|t| t.hash).collect();
        h.sort_unstable();
        h
    };
    let (x, y) = (sorted(a, ra), sorted(b, rb));
    2 * sorted_common(&x, &y) > x.len().max(y.len())
}

/// Takes back the words a passage has of a neighbouring sentence that it
/// does not share: its first (last) few words when the passage only
/// starts (ends) with them.
///
/// After normalisation a sentence boundary is invisible to shingles:
/// `after the floods. The opposition …` and `after the floods. The
/// weather …` share the 3-shingle `the floods the`, so the run goes on
/// into the next sentence by the words the two next sentences happen to
/// start alike (`The`), fewer than `k` of them when no shingle of those
/// sentences themselves matches. A passage that covers at most
/// `max(k - 1, edge)` words of its last sentence, having started before
/// it, is trimmed back to that sentence's start on both sides, unless the
/// rest of the sentence is alike on both sides (more than half the
/// words) and the end may grow to it anyway (`The minister resigned
/// today.` / `The premier resigned today.`). Starts likewise, with the
/// last words of the sentence before.
fn trim_dangling(d: &mut Draft, a: &Analysis, b: &Analysis, k: usize, edge: usize, prev: Option<&Draft>) {
    let most = edge.max(k - 1);
    let few = |n: Option<usize>| n.filter(|&n| n <= most).unwrap_or(0);
    // Each round trims at least one word; trimming one side's overhang can
    // leave the other side a few words into its own next sentence.
    loop {
        let t = few(run_out(a, &d.a)).max(few(run_out(b, &d.b)));
        if t == 0 || t >= d.a.len().min(d.b.len()) {
            break;
        }
        let (Some(sa), Some(sb)) = (sentence_of(a, d.a.start), sentence_of(b, d.b.start)) else { break };
        if can_grow_start(d, sa, sb, edge, prev)
            && alike(a, sa.tokens.start..d.a.start + t, b, sb.tokens.start..d.b.start + t)
        {
            break;
        }
        d.trim_start(t);
    }
    loop {
        let t = few(run_in(a, &d.a)).max(few(run_in(b, &d.b)));
        if t == 0 || t >= d.a.len().min(d.b.len()) {
            break;
        }
        let (Some(sa), Some(sb)) = (sentence_of(a, d.a.end - 1), sentence_of(b, d.b.end - 1)) else { break };
        if can_grow_end(d, sa, sb, edge) && alike(a, d.a.end - t..sa.tokens.end, b, d.b.end - t..sb.tokens.end) {
            break;
        }
        d.trim_end(t);
    }
}

/// The byte span of tokens `t`, grown to its sentences' punctuation where
/// it starts or ends with a whole sentence.
fn span_of(an: &Analysis, t: &Range<usize>) -> Span {
    let mut start = an.tokens[t.start].span.start;
    let mut end = an.tokens[t.end - 1].span.end;
    if let Some(s) = sentence_of(an, t.start).filter(|s| s.tokens.start == t.start) {
        start = s.span.start;
    }
    if let Some(s) = sentence_of(an, t.end - 1).filter(|s| s.tokens.end == t.end) {
        end = s.span.end;
    }
    Span::new(start, end)
}

fn window_set(sh: &[u64], t: &Range<usize>, k: usize) -> Vec<u64> {
    let last = (t.end + 1).saturating_sub(k).max(t.start + 1).min(sh.len());
    sorted_set(&sh[t.start.min(last)..last])
}

fn finish(d: &Draft, a: &Analysis, b: &Analysis, sa: &[u64], sb: &[u64], k: usize) -> Passage {
    let sim = sorted_similarity(&window_set(sa, &d.a, k), &window_set(sb, &d.b, k));
    Passage {
        a: span_of(a, &d.a),
        b: span_of(b, &d.b),
        a_tokens: d.a.clone(),
        b_tokens: d.b.clone(),
        matched_words: d.shared(),
        similarity: sim.jaccard,
        containment_a: sim.containment_a,
        containment_b: sim.containment_b,
        boilerplate_articles: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    const OPTS: AlignOptions = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5 };

    fn run(a: &str, b: &str) -> Vec<(String, String, usize)> {
        align(&analyze(a, 0), &analyze(b, 0), &OPTS)
            .into_iter()
            .map(|p| (a[p.a].to_string(), b[p.b].to_string(), p.matched_words))
            .collect()
    }

    #[test]
    fn bridges_one_changed_word() {
        let a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
        let b = "alpha beta gamma delta epsilon ZZZ eta theta iota kappa lambda mu";
        assert_eq!(run(a, b), [(a.to_string(), b.to_string(), 11)]);
    }

    #[test]
    fn does_not_bridge_a_long_insertion() {
        let a = "one two three four five six seven eight. nine ten eleven twelve thirteen fourteen fifteen sixteen.";
        let b = "one two three four five six seven eight. x x x x x x x x x x x x x x. nine ten eleven twelve thirteen fourteen fifteen sixteen.";
        let got = run(a, b);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(!got.iter().any(|(_, pb, _)| pb.contains(" x ")), "{got:?}");
    }

    #[test]
    fn short_match_is_not_reported() {
        assert!(run("By Vafa Ismayilova and more words here", "By Vafa Ismayilova with other things said").is_empty());
    }

    #[test]
    fn repeated_word_is_linear_and_found() {
        let a = "word ".repeat(20_000);
        let got = align(&analyze(&a, 0), &analyze(&a, 0), &OPTS);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].matched_words, 20_000);
    }
}
