//! The folded stems ([`Folded`]) of the articles in the
//! rewritten-candidate tables, kept per stored article (its folded
//! vocabulary and the folded stems of its sentences in the tables), so
//! that the bag cues of a candidate pair are estimated
//! ([`bag_cue_estimate`], [`bag_cues_estimate_pass`]) before the stored
//! article is read back, analysed and bagged: [`Detector::verify`] makes
//! the same estimates first, so dropping the cues that fail them changes
//! no result (see `DESIGN.md`, "Cost of rewriting").

use super::Index;
use super::batch::{Candidate, grouped};
use crate::detector::{Cue, FoldedSentence, bag_cue_estimate, bag_cues_estimate_pass};
use crate::fingerprint::Folded;

/// Per slot, the folded vocabulary of its article and the folded stems of
/// its sentences in the rewritten-candidate tables: 4 bytes per distinct
/// stem of the article, 4 per distinct stem of a sentence in the tables
/// and 8 per such sentence.
#[derive(Clone, Debug, Default)]
pub(super) struct BagStems {
    /// Per slot: `(sentences of the article, its sentences' range in
    /// sentences, its vocabulary's range in pairs)`; a slot without
    /// entries (or removed) has none.
    slots: Vec<Slot>,
    /// `(sentence, end of its stems in pairs)`, slot after slot, each
    /// slot's in increasing order; a sentence's stems start where its
    /// slot's vocabulary or the previous sentence's stems end.
    sentences: Vec<(u32, u32)>,
    /// Each slot's vocabulary `(fold, sentences)`, then its sentences'
    /// `(fold, count)`.
    pairs: Vec<(u16, u16)>,
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
    /// Enters the folded stems of the article at `slot`, with its
    /// sentences in the tables `sentences` (in increasing order); replaces
    /// what the slot had.
    pub(super) fn insert(&mut self, slot: u32, folded: &Folded, sentences: &[u32]) {
        self.remove(slot);
        if sentences.is_empty() {
            return;
        }
        let vocab = (self.pairs.len() as u32, (self.pairs.len() + folded.vocab.len()) as u32);
        self.pairs.extend_from_slice(&folded.vocab);
        let start = self.sentences.len() as u32;
        for &s in sentences {
            self.pairs.extend_from_slice(folded.sentence(s as usize));
            self.sentences.push((s, self.pairs.len() as u32));
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
            for slot in 0..old.slots.len() as u32 {
                let s = old.slots[slot as usize];
                if s.sentences.0 == s.sentences.1 {
                    continue;
                }
                let vocab = (self.pairs.len() as u32, 0);
                self.pairs.extend_from_slice(&old.pairs[s.vocab.0 as usize..s.vocab.1 as usize]);
                let vocab = (vocab.0, self.pairs.len() as u32);
                let start = self.sentences.len() as u32;
                for i in s.sentences.0..s.sentences.1 {
                    let (sentence, end) = old.sentences[i as usize];
                    let from = if i == s.sentences.0 { s.vocab.1 } else { old.sentences[i as usize - 1].1 };
                    self.pairs.extend_from_slice(&old.pairs[from as usize..end as usize]);
                    self.sentences.push((sentence, self.pairs.len() as u32));
                }
                if self.slots.len() <= slot as usize {
                    self.slots.resize(slot as usize + 1, Slot::default());
                }
                self.slots[slot as usize] = Slot { sentences: (start, self.sentences.len() as u32), vocab, ..s };
            }
            self.shrink_to_fit();
        }
    }

    /// Sentence `sentence` of `slot` as a [`FoldedSentence`]; `None` when
    /// the slot holds no such sentence.
    pub(super) fn get(&self, slot: u32, sentence: u32) -> Option<FoldedSentence<'_>> {
        let s = self.slots.get(slot as usize)?;
        let of_slot = &self.sentences[s.sentences.0 as usize..s.sentences.1 as usize];
        let at = of_slot.binary_search_by_key(&sentence, |e| e.0).ok()?;
        let start = if at == 0 { s.vocab.1 as usize } else { of_slot[at - 1].1 as usize };
        Some(FoldedSentence {
            sentences: s.article_sentences,
            vocab: &self.pairs[s.vocab.0 as usize..s.vocab.1 as usize],
            stems: &self.pairs[start..of_slot[at].1 as usize],
        })
    }

    /// Gives back spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.sentences.shrink_to_fit();
        self.pairs.shrink_to_fit();
    }

    /// Heap bytes.
    pub(super) fn memory_usage(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>() + self.sentences.capacity() * 8 + self.pairs.capacity() * 4
    }
}

impl Index {
    /// `cands` (sorted, of a probing article whose sentence `s` has folded
    /// stems `probe(s)`) without the bag cues that [`Detector::verify`] would drop
    /// on their estimates (see [`BagStems`]), and without the stored
    /// articles left with no cue.
    pub(super) fn estimate_bag_cues<'p>(
        &self,
        probe: impl Fn(u32) -> Option<FoldedSentence<'p>>,
        cands: Vec<Candidate>,
    ) -> Vec<Candidate> {
        if self.bags.is_empty() {
            return cands;
        }
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
                if let Some(cosine) = bag_cue_estimate(x, y) {
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
        let folded = Folded::new(text, &analyze(text, 0), 5, 0);
        let mut b = BagStems::default();
        b.insert(3, &folded, &[1, 3]);
        b.insert(1, &folded, &[3]);
        let same = |x: Option<FoldedSentence<'_>>, s: usize| {
            x.is_some_and(|x| x.stems == folded.sentence(s) && x.vocab == folded.vocab && x.sentences == 4)
        };
        assert!(same(b.get(3, 1), 1) && same(b.get(3, 3), 3) && same(b.get(1, 3), 3));
        assert!(b.get(3, 2).is_none() && b.get(2, 0).is_none() && b.get(7, 0).is_none());
        for slot in 10..3000 {
            b.insert(slot, &folded, &[1]);
        }
        for slot in 10..2900 {
            b.remove(slot);
        }
        assert!(b.sentences.len() < 1000, "compacted: {}", b.sentences.len());
        assert!(same(b.get(3, 3), 3) && same(b.get(1, 3), 3) && same(b.get(2950, 1), 1));
        assert!(b.get(20, 1).is_none());
    }
}
