//! The folded stems ([`Folded`]) of the articles in the
//! rewritten-candidate tables, kept per stored article (its folded
//! vocabulary and the folded stems of its sentences in the tables), so
//! that the bag cues of a candidate pair are estimated
//! ([`bag_cue_estimate_with`], [`bag_cues_estimate_pass`]) before the stored
//! article is read back, analysed and bagged: [`Detector::verify`] makes
//! the same estimates first, so dropping the cues that fail them changes
//! no result (see `DESIGN.md`, "Cost of rewriting").

use super::Index;
use super::batch::{Candidate, grouped};
use crate::detector::{Cue, FoldedSentence, bag_cue_estimate_with, bag_cues_estimate_pass};
use crate::fingerprint::{Folded, FoldedStem, with_frequencies};

/// Per slot, the folded vocabulary of its article and the folded stems of
/// its sentences in the rewritten-candidate tables: 4 bytes per distinct
/// stem of the article, 4 per distinct stem of a sentence in the tables
/// and 8 per such sentence.
#[derive(Clone, Debug, Default)]
pub(super) struct BagStems {
    /// Per slot: its article's sentences, its sentences' range in
    /// `sentences` and its vocabulary's range in `vocab`; a slot without
    /// entries (or removed) has none.
    slots: Vec<Slot>,
    /// `(sentence, end of its stems in stems)`, slot after slot, each
    /// slot's in increasing order; an entry's stems start where the
    /// previous entry's end.
    sentences: Vec<(u32, u32)>,
    stems: Vec<FoldedStem>,
    /// The slots' vocabularies `(fold, sentences holding it)`.
    vocab: Vec<(u16, u16)>,
    /// Sentences of removed slots still held.
    dead: usize,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    article_sentences: u32,
    sentences: (u32, u32),
    vocab: (u32, u32),
}

impl BagStems {
    /// Enters the article at `slot`: its [`Folded`] vocabulary and its
    /// sentences in the tables `sentences` (in increasing order) with
    /// their folded stems `stems`; replaces what the slot had.
    pub(super) fn insert(&mut self, slot: u32, folded: &Folded, sentences: &[u32], stems: &[Vec<FoldedStem>]) {
        self.remove(slot);
        if sentences.is_empty() {
            return;
        }
        let vocab = (self.vocab.len() as u32, (self.vocab.len() + folded.vocab.len()) as u32);
        self.vocab.extend_from_slice(&folded.vocab);
        let start = self.sentences.len() as u32;
        for (&s, stems) in sentences.iter().zip(stems) {
            self.stems.extend_from_slice(stems);
            self.sentences.push((s, self.stems.len() as u32));
        }
        if self.slots.len() <= slot as usize {
            self.slots.resize(slot as usize + 1, Slot::default());
        }
        self.slots[slot as usize] =
            Slot { article_sentences: folded.sentences, sentences: (start, self.sentences.len() as u32), vocab };
    }

    /// Forgets `slot`'s stems; their space is given back once removed
    /// sentences are half of what is held.
    pub(super) fn remove(&mut self, slot: u32) {
        let Some(s) = self.slots.get_mut(slot as usize) else { return };
        self.dead += (s.sentences.1 - s.sentences.0) as usize;
        *s = Slot::default();
        if self.dead > 1024 && 2 * self.dead > self.sentences.len() {
            let old = std::mem::take(self);
            for (slot, s) in old.slots.iter().enumerate() {
                if s.sentences.0 == s.sentences.1 {
                    continue;
                }
                let folded = Folded {
                    sentences: s.article_sentences,
                    vocab: old.vocab[s.vocab.0 as usize..s.vocab.1 as usize].to_vec(),
                };
                let range = s.sentences.0 as usize..s.sentences.1 as usize;
                let sentences: Vec<u32> = old.sentences[range.clone()].iter().map(|e| e.0).collect();
                let stems: Vec<Vec<FoldedStem>> = range.map(|i| old.stems_of(i).to_vec()).collect();
                self.insert(slot as u32, &folded, &sentences, &stems);
            }
            self.shrink_to_fit();
        }
    }

    /// The stems of entry `i` of `sentences`.
    fn stems_of(&self, i: usize) -> &[FoldedStem] {
        let start = if i == 0 { 0 } else { self.sentences[i - 1].1 as usize };
        &self.stems[start..self.sentences[i].1 as usize]
    }

    /// The folded vocabulary of `slot`'s article (empty for a slot without
    /// stems).
    pub(super) fn vocab(&self, slot: u32) -> &[(u16, u16)] {
        self.slots.get(slot as usize).map_or(&[], |s| &self.vocab[s.vocab.0 as usize..s.vocab.1 as usize])
    }

    /// Sentence `sentence` of `slot` as a [`FoldedSentence`]; `None` when
    /// the slot holds no such sentence.
    pub(super) fn get(&self, slot: u32, sentence: u32) -> Option<FoldedSentence<'_>> {
        let s = self.slots.get(slot as usize)?;
        let of_slot = &self.sentences[s.sentences.0 as usize..s.sentences.1 as usize];
        let at = of_slot.binary_search_by_key(&sentence, |e| e.0).ok()?;
        Some(FoldedSentence {
            sentences: s.article_sentences,
            vocab: &self.vocab[s.vocab.0 as usize..s.vocab.1 as usize],
            stems: self.stems_of(s.sentences.0 as usize + at),
        })
    }

    /// Gives back spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.sentences.shrink_to_fit();
        self.stems.shrink_to_fit();
        self.vocab.shrink_to_fit();
    }

    /// Heap bytes.
    pub(super) fn memory_usage(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.sentences.capacity() * 8
            + self.stems.capacity() * std::mem::size_of::<FoldedStem>()
            + self.vocab.capacity() * 4
    }
}

impl Index {
    /// `cands` (sorted, of a probing article of folded vocabulary `vocab`
    /// whose sentence `s` has folded stems `probe(s)`) without the bag cues
    /// that [`Detector::verify`] would drop on their estimates (see
    /// [`BagStems`]), and without the stored articles left with no cue.
    pub(super) fn estimate_bag_cues<'p>(
        &self,
        vocab: &[(u16, u16)],
        probe: impl Fn(u32) -> Option<FoldedSentence<'p>>,
        cands: Vec<Candidate>,
    ) -> Vec<Candidate> {
        if self.bags.is_empty() {
            return cands;
        }
        // The probe's frequencies in a table: every cue looks some up.
        with_frequencies(vocab, |table| self.estimate_bag_cues_with(|fold| table[usize::from(fold)], probe, cands))
    }

    /// [`estimate_bag_cues`](Self::estimate_bag_cues) where
    /// `frequency(fold)` is the probe's [`Folded::frequency`].
    fn estimate_bag_cues_with<'p>(
        &self,
        frequency: impl Fn(u16) -> u16 + Copy,
        probe: impl Fn(u32) -> Option<FoldedSentence<'p>>,
        cands: Vec<Candidate>,
    ) -> Vec<Candidate> {
        let mut kept = Vec::with_capacity(cands.len());
        let mut estimated: Vec<(u32, u32, f64)> = Vec::new();
        for group in grouped(&cands) {
            let bags = group.partition_point(|c| !matches!(c.cue, Cue::Bags { .. }));
            kept.extend_from_slice(&group[..bags]);
            estimated.clear();
            let slot = group[0].slot;
            for c in &group[bags..] {
                let Cue::Bags { a, b } = c.cue else { continue };
                // A sentence without stems here is given the benefit of
                // the doubt (verify judges it).
                let (Some(x), Some(y)) = (probe(a), self.bag_stems.get(slot, b)) else {
                    estimated.push((a, b, f64::INFINITY));
                    continue;
                };
                if let Some(cosine) = bag_cue_estimate_with(x, y, frequency) {
                    estimated.push((a, b, cosine));
                }
            }
            if bag_cues_estimate_pass(&mut estimated) {
                let id = group[0].id;
                estimated.sort_unstable_by_key(|c| (c.0, c.1));
                kept.extend(estimated.iter().map(|&(a, b, _)| Candidate { id, slot, cue: Cue::Bags { a, b } }));
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    #[test]
    fn stems_are_found_by_slot_and_sentence_and_survive_compaction() {
        let text = "One short. The minister met the Latvian delegation in Baku today. Then nothing. A second long sentence with many words here.";
        let (folded, stems) = Folded::new(text, &analyze(text, 0), 5, 0, &[1, 3]);
        let mut b = BagStems::default();
        b.insert(3, &folded, &[1, 3], &stems);
        b.insert(1, &folded, &[3], &stems[1..]);
        let same = |x: Option<FoldedSentence<'_>>, i: usize| {
            x.is_some_and(|x| x.stems == stems[i] && x.vocab == folded.vocab && x.sentences == 4)
        };
        assert!(same(b.get(3, 1), 0) && same(b.get(3, 3), 1) && same(b.get(1, 3), 1));
        assert!(b.get(3, 2).is_none() && b.get(2, 0).is_none() && b.get(7, 0).is_none());
        for slot in 10..3000 {
            b.insert(slot, &folded, &[1], &stems);
        }
        for slot in 10..2900 {
            b.remove(slot);
        }
        assert!(b.sentences.len() < 1000, "compacted: {}", b.sentences.len());
        assert!(same(b.get(3, 3), 1) && same(b.get(1, 3), 1) && same(b.get(2950, 1), 0));
        assert!(b.get(20, 1).is_none());
    }
}
