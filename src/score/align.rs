//! Alignment: seed, extend, merge and trim the passages two texts share
//! (the method is in the [parent module's docs](super)).

use std::ops::Range;

use super::substance::substantial;
use super::verify::{sorted_common, sorted_set, sorted_similarity};
use super::{Passage, PassageKind};
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
    /// Most unmatched words bridged between two runs, on each side (more
    /// between two long stretches: see the [module docs](crate::score)).
    pub max_gap: usize,
    /// Fewest words of the longest exact shared run (the anchor) a
    /// reported passage must hold, and the fewest matched words of a
    /// passage shorter than `min_words` reported beside others in the same
    /// paragraphs (see the [module docs](crate::score)).
    pub anchor_words: usize,
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

    /// Words of the longest exact shared run: the longest chain of
    /// matched stretches that follow each other without a gap on both
    /// sides.
    fn anchor(&self) -> usize {
        let (mut best, mut chain, mut next) = (0, 0, None);
        for &(x, y, len) in &self.pairs {
            chain = if next == Some((x, y)) { chain + len } else { len };
            next = Some((x + len, y + len));
            best = best.max(chain);
        }
        best
    }

    /// The same draft with the two texts' roles swapped.
    fn swapped(self) -> Draft {
        Draft { a: self.b, b: self.a, pairs: self.pairs.into_iter().map(|(x, y, len)| (y, x, len)).collect() }
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
/// let opts = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5, anchor_words: 8 };
/// let passages = align(&analyze(a, 0), &analyze(b, 0), &opts);
/// assert_eq!(passages.len(), 1);
/// assert_eq!(&a[passages[0].a], "The quick brown fox jumps over the lazy dog near the river bank.");
/// assert_eq!(passages[0].matched_words, 13);
/// ```
pub fn align(a: &Analysis, b: &Analysis, opts: &AlignOptions) -> Vec<Passage> {
    let k = opts.shingle_size.max(1);
    let need = opts.anchor_words.min(opts.min_words).max(k).max(1);
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
pub struct SeedTable {
    /// Every shingle, sorted.
    entries: Vec<(u64, usize)>,
    /// The entries of the shingles that occur more than once in the text,
    /// sorted: where a second copy of a passage can be.
    repeated: Vec<(u64, usize)>,
    /// Which shingles can be in `entries`: most shingles of a text are in
    /// no other, and a clear bit tells so without a search.
    presence: Presence,
}

/// A membership filter of a set of shingles: one bit per slot of a table
/// of a power of two slots, at least 8 per shingle, set at the slot that
/// the top bits of each shingle's hash (mixed, so uniform) name. A clear
/// bit means absent; a set one, present or one chance in 8 or more of a
/// collision. Empty, it lets everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Presence {
    bits: Vec<u64>,
    /// 64 less log2 of the slots.
    shift: u32,
}

impl Presence {
    fn new(hashes: &[(u64, usize)]) -> Presence {
        let slots = (8 * hashes.len()).next_power_of_two().max(64);
        let shift = 64 - slots.trailing_zeros();
        let mut bits = vec![0u64; slots / 64];
        for &(h, _) in hashes {
            let slot = (h >> shift) as usize;
            bits[slot / 64] |= 1 << (slot % 64);
        }
        Presence { bits, shift }
    }

    /// Whether `h` may be in the set.
    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        if self.bits.is_empty() {
            return true;
        }
        let slot = (h >> self.shift) as usize;
        self.bits[slot / 64] >> (slot % 64) & 1 != 0
    }
}

impl SeedTable {
    /// The seed table of `shingles` (a whole text's, in text order).
    pub fn new(shingles: &[u64]) -> SeedTable {
        let mut entries: Vec<(u64, usize)> = shingles.iter().enumerate().map(|(j, &h)| (h, j)).collect();
        entries.sort_unstable();
        let mut repeated = Vec::new();
        for w in entries.windows(2) {
            if w[0].0 == w[1].0 {
                if repeated.last() != Some(&w[0]) {
                    repeated.push(w[0]);
                }
                repeated.push(w[1]);
            }
        }
        let presence = Presence::new(&entries);
        SeedTable { entries, repeated, presence }
    }

    /// Number of shingles in the table.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the text had no shingle.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
/// let opts = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5, anchor_words: 8 };
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
    let need = opts.anchor_words.min(opts.min_words).max(k).max(1);
    if a.tokens.len() < need || b.tokens.len() < need {
        return Vec::new();
    }
    let runs = seed_and_extend(sa, sb, &table.entries, &table.presence, None, |_| true, short_run(k, opts), 0);
    let kept = settle(merge(&runs, k, opts.max_gap), a, b, k, opts);
    let second = second_copies(a, b, sa, sb, table, &kept, k, opts);
    let mut passages: Vec<Passage> = kept.iter().chain(&second).map(|d| finish(d, a, b, sa, sb, k)).collect();
    passages.sort_by_key(|p| (p.a, p.b));
    substantial(passages, a, b, opts.min_words)
}

/// Walks `sa` (every position, or the sorted `starts`) and seeds each
/// position from the
/// occurrences of its shingle in `table` (of `sb`), extending every
/// occurrence forward while the shingles agree and `room` allows the
/// walked position; the longest extension becomes a run, and the walk
/// resumes after it: at its next shingle, or `apart` shingles later so
/// that no word of the walked text is in two runs (the second pass,
/// whose runs become passages of their own).
///
/// Among equally long extensions the one that continues the order of the
/// previous run wins: the occurrences are tried from the first one at or
/// after the previous run's end in `sb`, wrapping round to the text's
/// start, at most [`MAX_SEED_OCCURRENCES`] of them. So when both texts
/// hold two copies of a passage, copy aligns with copy. A best run behind
/// the previous one of at most `short` shingles is dropped (see the
/// [module docs](crate::score)).
#[allow(clippy::too_many_arguments)]
fn seed_and_extend(
    sa: &[u64],
    sb: &[u64],
    table: &[(u64, usize)],
    presence: &Presence,
    starts: Option<&[usize]>,
    room: impl Fn(usize) -> bool,
    short: usize,
    apart: usize,
) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut next_b = 0;
    let mut seed = |i: usize, next_b: &mut usize| -> usize {
        if !presence.may_hold(sa[i]) {
            return 1;
        }
        match best_run(sa, sb, table, i, *next_b, &room) {
            // A short run out of order (behind the previous one in `sb`):
            // never an anchor, and often a stray repeat of a few words
            // ("is the number of") that would steal the start of the
            // in-order run beginning a word later.
            Some((j, len)) if j < *next_b && len <= short => 1,
            Some((j, len)) => {
                runs.push(Run { a: i, b: j, len });
                *next_b = j + len;
                len + apart
            }
            None => 1,
        }
    };
    match starts {
        None => {
            let mut i = 0;
            while i < sa.len() {
                i += seed(i, &mut next_b);
            }
        }
        Some(starts) => {
            let mut free_from = 0;
            for &i in starts.iter().filter(|&&i| i < sa.len()) {
                if i >= free_from {
                    free_from = i + seed(i, &mut next_b);
                }
            }
        }
    }
    runs
}

/// The longest extension `(position in sb, length in shingles)` of
/// position `i` of `sa` among the occurrences of its shingle in `table`
/// ([`seed_and_extend`]'s order of trial), if it has any.
#[inline]
fn best_run(
    sa: &[u64],
    sb: &[u64],
    table: &[(u64, usize)],
    i: usize,
    next_b: usize,
    room: impl Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let h = sa[i];
    let lo = table.partition_point(|e| e.0 < h);
    if table.get(lo).is_none_or(|e| e.0 != h) {
        return None;
    }
    // Galloping: most groups hold one or two occurrences.
    let rest = &table[lo..];
    let mut known = 1; // rest[..known] holds h
    while known < rest.len() && rest[known].0 == h {
        let probe = (2 * known).min(rest.len());
        if rest[probe - 1].0 != h {
            known += rest[known..probe].partition_point(|e| e.0 == h);
            break;
        }
        known = probe;
    }
    let group = &rest[..known];
    let from = group.partition_point(|e| e.1 < next_b);
    let mut best: Option<(usize, usize)> = None;
    for &(_, j) in group[from..].iter().chain(&group[..from]).take(MAX_SEED_OCCURRENCES) {
        let len = 1 + sa[i + 1..]
            .iter()
            .zip(&sb[j + 1..])
            .enumerate()
            .take_while(|&(t, (x, y))| x == y && room(i + 1 + t))
            .count();
        if best.is_none_or(|(_, l)| len > l) {
            best = Some((j, len));
        }
    }
    best
}

/// The second pass: the copies in `b` of text that `a` shares with `b`
/// elsewhere (a passage `b` holds twice and `a` once), as drafts in
/// (`a`, `b`) order. `kept` are the first pass's passages.
///
/// The first pass walks `a` and meets each of its shingles found in `b`
/// inside some run, so a shingle of `b` outside every kept passage that
/// occurs in `a` is a copy of a shingle `b` has inside one (or of one
/// the first pass did not keep). Only shingles that occur more than once
/// in `b` ([`SeedTable`]'s repeats) and also inside a kept passage's
/// matched words can start such a copy: when none does, this costs a
/// scan of the repeats and nothing else. Otherwise `b` is walked from
/// those positions against a seed table of `a`, and its runs never enter
/// a kept passage, so no text of `b` is reported twice.
#[allow(clippy::too_many_arguments)]
fn second_copies(
    a: &Analysis,
    b: &Analysis,
    sa: &[u64],
    sb: &[u64],
    table_b: &SeedTable,
    kept: &[Draft],
    k: usize,
    opts: &AlignOptions,
) -> Vec<Draft> {
    if table_b.repeated.is_empty() || kept.is_empty() {
        return Vec::new();
    }
    // Words of `b` inside a kept passage, and matched in one.
    let (mut covered, mut matched) = (vec![false; b.tokens.len()], vec![false; b.tokens.len()]);
    for d in kept {
        covered[d.b.clone()].fill(true);
        for &(_, y, len) in &d.pairs {
            matched[y..y + len].fill(true);
        }
    }
    let free = |j: usize| !covered[j..(j + k).min(covered.len())].contains(&true);
    // In hash order (the repeats are sorted).
    let mut seeds: Vec<(u64, usize)> = vec![];
    for group in table_b.repeated.chunk_by(|x, y| x.0 == y.0) {
        if group.iter().any(|e| matched[e.1]) {
            seeds.extend(group.iter().filter(|e| free(e.1)));
        }
    }
    // A passage needs an anchor: `anchor_words - k + 1` shingles in a row
    // that are copies, all of them seeds. Without such a stretch there is
    // nothing to find (the usual case: a few stock phrases repeated).
    let mut starts: Vec<usize> = seeds.iter().map(|e| e.1).collect();
    starts.sort_unstable();
    let need = (opts.anchor_words + 1).saturating_sub(k).max(1);
    let longest = starts.chunk_by(|x, y| y == &(x + 1)).map(<[usize]>::len).max().unwrap_or(0);
    if longest < need {
        return Vec::new();
    }
    // Only the seeds' shingles are looked up in `a`: a table of those
    // (all of `a`'s when `b` repeats a whole passage, a handful usually).
    let mut hashes: Vec<u64> = seeds.iter().map(|e| e.0).collect();
    hashes.dedup();
    // A 4096-bit filter of the hashes spares most binary searches.
    let mut filter = [0u64; 64];
    let bit = |h: u64| ((h >> 6) & 63, h & 63);
    for &h in &hashes {
        let (w, b) = bit(h);
        filter[w as usize] |= 1 << b;
    }
    let mut table_a: Vec<(u64, usize)> = sa
        .iter()
        .enumerate()
        .filter(|&(_, &h)| {
            let (w, b) = bit(h);
            filter[w as usize] >> b & 1 == 1 && hashes.binary_search(&h).is_ok()
        })
        .map(|(i, &h)| (h, i))
        .collect();
    table_a.sort_unstable();
    let runs = seed_and_extend(sb, sa, &table_a, &Presence::default(), Some(&starts), free, short_run(k, opts), k - 1);
    settle(merge(&runs, k, opts.max_gap), b, a, k, opts).into_iter().map(Draft::swapped).collect()
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

/// Unmatched words bridged between two drafts per word matched on the
/// shorter side of the gap ([`bridgeable`]; measured in DESIGN.md).
const JOIN_RATIO: usize = 2;

/// Most unmatched words bridged between two drafts, on each side: an
/// inserted or deleted sentence, not a paragraph.
const JOIN_CAP: usize = 20;

/// Most shingles of a run out of order that is skipped, as short runs go
/// ([`seed_and_extend`]): runs of fewer than `anchor_words` words.
fn short_run(k: usize, opts: &AlignOptions) -> usize {
    opts.anchor_words.saturating_sub(k)
}

/// Whether tokens `gap` hold a whole paragraph.
fn whole_paragraph(an: &Analysis, gap: Range<usize>) -> bool {
    let first = an.paragraphs.partition_point(|p| p.tokens.start < gap.start);
    an.paragraphs.get(first).is_some_and(|p| !p.tokens.is_empty() && p.tokens.end <= gap.end)
}

/// Whether draft `d`, after `p` in both texts, continues the same reused
/// stretch across the gap between them: the gap is at most
/// `max(max_gap, min(cap, ratio × the words matched on the shorter side
/// of it))` words on each side, and holds no whole paragraph on either
/// side (a paragraph only one text has ends the passage).
/// `shared` is the words matched on the shorter side of the gap.
fn bridgeable(p: &Draft, d: &Draft, shared: usize, a: &Analysis, b: &Analysis, opts: &AlignOptions) -> bool {
    if d.a.start < p.a.end || d.b.start < p.b.end {
        return false;
    }
    let (gap_a, gap_b) = (d.a.start - p.a.end, d.b.start - p.b.end);
    let allow = (shared * JOIN_RATIO).min(JOIN_CAP).max(opts.max_gap);
    gap_a <= allow
        && gap_b <= allow
        && !whole_paragraph(a, p.a.end..d.a.start)
        && !whole_paragraph(b, p.b.end..d.b.start)
}

/// Joins drafts that continue one reused stretch across a longer gap
/// ([`bridgeable`]); drafts come and go sorted by their start in `a`.
fn join(drafts: Vec<Draft>, a: &Analysis, b: &Analysis, opts: &AlignOptions) -> Vec<Draft> {
    // Each draft with its matched words, kept up to date.
    let mut out: Vec<(Draft, usize)> = Vec::with_capacity(drafts.len());
    for d in drafts {
        let shared = d.shared();
        match out.iter_mut().rev().take(MERGE_LOOKBACK).find(|(p, n)| bridgeable(p, &d, shared.min(*n), a, b, opts)) {
            Some((p, n)) => {
                p.a.end = d.a.end;
                p.b.end = d.b.end;
                p.pairs.extend(d.pairs);
                *n += shared;
            }
            None => out.push((d, shared)),
        }
    }
    out.into_iter().map(|(d, _)| d).collect()
}

/// The passages among `drafts`: joined across longer gaps, holding an
/// anchor of `anchor_words` (and so at least that many matched words:
/// [`substantial`] then keeps those of `min_words`, and shorter ones beside
/// others in the same paragraphs), their edges trimmed and grown to
/// sentence boundaries.
fn settle(drafts: Vec<Draft>, a: &Analysis, b: &Analysis, k: usize, opts: &AlignOptions) -> Vec<Draft> {
    let edge = opts.max_gap.min(3);
    let least = opts.anchor_words.min(opts.min_words);
    let enough = |d: &Draft| d.shared() >= least && d.anchor() >= opts.anchor_words;
    let mut kept: Vec<Draft> = Vec::new();
    for mut d in join(drafts, a, b, opts) {
        if !enough(&d) {
            continue;
        }
        trim_dangling(&mut d, a, b, k, edge, kept.last());
        if !enough(&d) {
            continue;
        }
        grow_edges(&mut d, a, b, edge, kept.last());
        kept.push(d);
    }
    kept
}

/// The sentence holding token `t`.
fn sentence_of(an: &Analysis, t: usize) -> Option<&Segment> {
    let i = an.sentences.partition_point(|s| s.tokens.end <= t);
    an.sentences.get(i).filter(|s| s.tokens.start <= t)
}

/// Whether the start of `d` may grow to the starts of its sentences: at
/// most `edge` words in on both sides, and no earlier passage there.
fn can_grow_start(d: &Draft, sa: &Segment, sb: &Segment, edge: usize, prev: Option<&Draft>) -> bool {
    let clear = |p: &Range<usize>, from: usize, to: usize| p.end <= from || p.start >= to;
    let free = prev.is_none_or(|p| clear(&p.a, sa.tokens.start, d.a.start) && clear(&p.b, sb.tokens.start, d.b.start));
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
        kind: if d.shared() == d.a.len() && d.shared() == d.b.len() { PassageKind::Exact } else { PassageKind::Edited },
        similarity: sim.jaccard,
        // Weighted by the pair's sentence frequencies: set by `rewritten`.
        bag_similarity: 0.0,
        containment_a: sim.containment_a,
        containment_b: sim.containment_b,
        boilerplate_articles: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    const OPTS: AlignOptions = AlignOptions { shingle_size: 3, seed: 0, min_words: 8, max_gap: 5, anchor_words: 8 };

    #[test]
    fn presence_holds_every_shingle_and_rejects_most_others() {
        let text = "the quick brown fox jumps over the lazy dog near the river bank at dawn every day";
        let shingles = crate::fingerprint::shingles(&analyze(text, 0).tokens, 3, 0);
        let table = SeedTable::new(&shingles);
        assert!(shingles.iter().all(|&h| table.presence.may_hold(h)));
        // Hashes of shingles it lacks (mixed as shingle hashes are).
        let others: Vec<u64> = (1..=10_000u64)
            .map(|i| {
                let x = (i ^ 0xDEAD_BEEF).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
            })
            .filter(|h| !shingles.contains(h))
            .collect();
        let through = others.iter().filter(|&&h| table.presence.may_hold(h)).count();
        assert!(through * 5 < others.len(), "{through} of {}", others.len());
        assert!(Presence::default().may_hold(7));
    }

    fn run(a: &str, b: &str) -> Vec<(String, String, usize)> {
        align(&analyze(a, 0), &analyze(b, 0), &OPTS)
            .into_iter()
            .map(|p| (a[p.a].to_string(), b[p.b].to_string(), p.matched_words))
            .collect()
    }

    #[test]
    fn bridges_one_changed_word() {
        let a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron";
        let b = "alpha beta gamma delta epsilon zeta eta theta ZZZ kappa lambda mu nu xi omicron";
        assert_eq!(run(a, b), [(a.to_string(), b.to_string(), 14)]);
    }

    #[test]
    fn does_not_bridge_a_long_insertion() {
        let a = "one two three four five six seven eight. nine ten eleven twelve thirteen fourteen fifteen sixteen.";
        // More than JOIN_CAP = 20 words.
        let b = "one two three four five six seven eight. x x x x x x x x x x x x x x x x x x x x x. nine ten eleven twelve thirteen fourteen fifteen sixteen.";
        let got = run(a, b);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(!got.iter().any(|(_, pb, _)| pb.contains(" x ")), "{got:?}");
    }

    #[test]
    fn short_match_is_not_reported() {
        assert!(run("By Vafa Ismayilova and more words here", "By Vafa Ismayilova with other things said").is_empty());
    }

    fn with(opts: AlignOptions, a: &str, b: &str) -> Vec<(String, String)> {
        align(&analyze(a, 0), &analyze(b, 0), &opts)
            .into_iter()
            .map(|p| (a[p.a].to_string(), b[p.b].to_string()))
            .collect()
    }

    /// The two template pairs of issue 12: shared words around changed
    /// figures, no shared run longer than five words.
    const TEMPLATES: [(&str, &str); 2] = [
        (
            "Shr loss 34 cts vs loss 2.14 dlrs Net loss 2,275,000 vs loss 9,560,000",
            "Shr loss 66 cts vs loss 86 cts Net loss 2,428,000 vs loss 3,163,000",
        ),
        ("1992 with a five pct coupon and priced at", "1992 with a 14-1/4 pct coupon and priced at"),
    ];

    #[test]
    fn templates_around_changed_figures_have_no_anchor() {
        for (a, b) in TEMPLATES {
            assert_eq!(run(a, b), [], "{a:?}");
            // Without an anchor they were bridged into a passage.
            let loose = AlignOptions { anchor_words: 3, ..OPTS };
            assert_eq!(with(loose, a, b).len(), 1, "{a:?}");
        }
    }

    #[test]
    fn an_anchor_of_anchor_words_is_enough() {
        let a = "one two three four five six seven eight xx nine ten";
        let b = "one two three four five six seven eight yy nine ten";
        assert_eq!(run(a, b).len(), 1);
        let b = "one two three four five six seven ZZ eight xx nine ten";
        assert_eq!(run(a, b), [], "a 7-word run is no anchor of 8");
    }

    #[test]
    fn anchor_is_the_longest_chain_of_matched_stretches() {
        let d = Draft { a: 0..20, b: 0..20, pairs: vec![(0, 0, 3), (3, 3, 4), (9, 8, 5), (14, 13, 1)] };
        assert_eq!(d.anchor(), 7);
        assert_eq!(d.clone().swapped().anchor(), 7);
    }

    const P: &str = "The committee approved the budget for the new library after a long debate about its cost.";
    const Q: &str = "Residents will be able to borrow books and use the reading rooms from next spring onwards.";

    #[test]
    fn every_copy_on_the_longer_side_is_reported() {
        let a = format!("Intro words here. {P}");
        let b = format!("{P} Something else entirely was said here by nobody at all today. {P}");
        let got = run(&a, &b);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|(x, y, _)| x == P && y == P), "{got:?}");
        let bs: Vec<usize> = align(&analyze(&a, 0), &analyze(&b, 0), &OPTS).iter().map(|p| p.b.start).collect();
        assert_eq!(bs, [0, b.rfind(P).unwrap()]);
    }

    #[test]
    fn every_copy_on_the_walked_side_is_reported() {
        let a = format!("{P} Something else entirely was said here by nobody at all today. {P}");
        let b = format!("Intro words here. {P} And a much longer tail that only this text has, word after word.");
        assert_eq!(run(&a, &b).len(), 2);
    }

    #[test]
    fn two_copies_on_each_side_align_copy_to_copy() {
        let a = format!("{P}\n\nOne filler paragraph of its own.\n\n{P}");
        let b = format!("{P}\n\nAnother different filler paragraph stands here.\n\n{P}");
        let got = align(&analyze(&a, 0), &analyze(&b, 0), &OPTS);
        let spans: Vec<(usize, usize)> = got.iter().map(|p| (p.a.start, p.b.start)).collect();
        assert_eq!(spans, [(0, 0), (a.rfind(P).unwrap(), b.rfind(P).unwrap())], "{got:?}");
    }

    #[test]
    fn a_paragraph_repeated_a_thousand_times_is_found_a_thousand_times() {
        let one = format!("Intro. {P} {Q}");
        let many = format!("{P} {Q}\n\n").repeat(1000);
        let got = align(&analyze(&one, 0), &analyze(&many, 0), &OPTS);
        assert_eq!(got.len(), 1000);
        assert!(got.iter().all(|p| one[p.a] == format!("{P} {Q}")));
        let swapped = align(&analyze(&many, 0), &analyze(&one, 0), &OPTS);
        assert_eq!(swapped.len(), 1000);
    }

    #[test]
    fn an_inserted_sentence_inside_a_long_stretch_is_bridged() {
        let a = format!("{P} {Q} {P}");
        let b = format!("{P} {Q} A short sentence only this side has now. {P}");
        let got = run(&a, &b);
        assert_eq!(got, [(a.clone(), b.clone(), 48)]);
    }

    #[test]
    fn a_paragraph_only_one_side_has_is_not_bridged() {
        let a = format!("{P} {Q}\n\n{P}");
        let b = format!("{P} {Q}\n\nA short paragraph only this side has.\n\n{P}");
        let got = run(&a, &b);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(!got.iter().any(|(_, y, _)| y.contains("only this side")), "{got:?}");
    }

    #[test]
    fn a_short_stretch_does_not_bridge_a_sentence() {
        // Eight words matched before the gap, so at most 16 bridged: the
        // 17-word sentence keeps the two apart.
        let a = "alpha beta gamma delta epsilon zeta eta theta. one two three four five six seven eight nine ten.";
        let b = "alpha beta gamma delta epsilon zeta eta theta. q r s t u v w x y z qq rr ss tt uu vv ww. one two three four five six seven eight nine ten.";
        assert_eq!(run(a, b).len(), 2);
    }

    #[test]
    fn repeated_word_is_linear_and_found() {
        let a = "word ".repeat(20_000);
        let got = align(&analyze(&a, 0), &analyze(&a, 0), &OPTS);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].matched_words, 20_000);
    }
}
