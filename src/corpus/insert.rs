//! Insertion: articles fingerprinted a chunk at a time
//! ([`Detector::article_keys`](crate::Detector::article_keys)) and entered
//! in the store, the boilerplate counts and the band tables.

use super::par::Exec;
use super::store::Stored;
use super::texts::Text;
use super::{Article, Index};
use crate::detector::ArticleKeys;
use crate::error::{Error, Result};
use crate::fingerprint::{Folded, FoldedStem};
use crate::lsh::Entry;

impl Index {
    /// Inserts `articles`, all or none: their ids are checked first, then
    /// they are fingerprinted a chunk at a time (on `exec`) and entered in
    /// order.
    pub(super) fn insert_with<'a, A: Into<Article<'a>>>(
        &mut self,
        exec: Exec,
        articles: impl IntoIterator<Item = A>,
    ) -> Result<()> {
        let articles: Vec<Article<'a>> = articles.into_iter().map(Into::into).collect();
        let mut seen = std::collections::BTreeSet::new();
        for a in &articles {
            if self.store.contains(a.id) || !seen.insert(a.id) {
                return Err(Error::DuplicateId { id: a.id });
            }
        }
        self.check_capacity(articles.len())?;
        // The texts are kept first (written to disk, when they go there),
        // so that a failure leaves the index unchanged.
        let mut kept = Vec::with_capacity(articles.len());
        for chunk in articles.chunks(4096) {
            let texts: Vec<&str> = chunk.iter().map(|a| a.text).collect();
            kept.extend(self.store.texts.keep(&texts).map_err(|e| self.text_file_error(&e))?);
        }
        // Fingerprint in bounded chunks so that the keys never hold more
        // than a slice of the batch at once.
        let mut kept = kept.into_iter();
        for chunk in articles.chunks(4096) {
            let d = &self.detector;
            let keys = exec.map(chunk, |a| {
                let analysis = d.analyze(a.text);
                d.text_keys_folded(a.text, &analysis)
            });
            for ((a, (keys, folded)), text) in chunk.iter().zip(keys).zip(kept.by_ref()) {
                self.commit(a, text, keys, folded);
            }
        }
        Ok(())
    }

    fn commit(
        &mut self,
        a: &Article<'_>,
        text: Text,
        keys: ArticleKeys,
        folded: Option<(Folded, Vec<Vec<FoldedStem>>)>,
    ) {
        self.counts.add(&keys.segment_keys);
        let (slot, indexed) = self.store.push(Stored::new(a.id, a.label, text, keys.units, keys.duplicate_key));
        if indexed {
            let entries = self.insert_entries(slot, &keys);
            self.store.set_entries(slot, entries);
            if let Some((folded, stems)) = folded {
                self.bag_stems.insert(slot, &folded, &keys.bag_sentences, &stems);
            }
        }
    }

    /// Enters the article at `slot` in the band tables and the run table;
    /// returns its number of entries.
    pub(super) fn insert_entries(&mut self, slot: u32, keys: &ArticleKeys) -> u32 {
        let mut entries = 0u32;
        let bands = self.tables.len();
        for (band, table) in self.tables.iter().enumerate() {
            table.warm(keys.entries(bands).map(|(_, unit_keys)| unit_keys[band]));
        }
        self.runs.warm(keys.anchors.iter().map(|&(key, _)| key));
        for (unit, unit_keys) in keys.entries(self.tables.len()) {
            for (table, &key) in self.tables.iter_mut().zip(unit_keys) {
                table.insert(Entry { key, slot, unit });
                entries += 1;
            }
        }
        for &(key, word) in &keys.anchors {
            self.runs.insert(Entry { key, slot, unit: word });
            entries += 1;
        }
        for (sentence, bag_keys) in keys.bag_entries() {
            for (table, &key) in self.bags.iter_mut().zip(bag_keys) {
                table.insert(Entry { key, slot, unit: sentence });
                entries += 1;
            }
        }
        entries
    }

    /// Builds the run table of a loaded index whose file had none (format
    /// 1 or 2): each article in the tables is analysed once.
    pub(super) fn compute_runs(&mut self) -> std::io::Result<()> {
        let d = &self.detector;
        let mut entries = Vec::new();
        for slot in 0..self.store.slots() as u32 {
            let Some(stored) = self.store.at(slot) else { continue };
            if self.store.is_copy(slot) {
                continue;
            }
            for (key, word) in d.anchors(&d.analyze(&self.store.text(stored)?)) {
                entries.push(Entry { key, slot, unit: word });
            }
        }
        entries.sort_unstable();
        self.runs = crate::lsh::Table::from_sorted(entries);
        Ok(())
    }

    /// Builds the rewritten-candidate tables of a loaded index, with the
    /// folded stems of their sentences (neither is stored in the file):
    /// each article in the tables is analysed once. Nothing to do unless [`rewritten`](crate::Config::rewritten).
    pub(super) fn compute_bags(&mut self) -> std::io::Result<()> {
        if self.bags.is_empty() {
            return Ok(());
        }
        let d = &self.detector;
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); self.bags.len()];
        for slot in 0..self.store.slots() as u32 {
            let Some(stored) = self.store.at(slot) else { continue };
            if self.store.is_copy(slot) {
                continue;
            }
            let text = self.store.text(stored)?;
            let analysis = d.analyze(&text);
            let (sentences, keys, folded) = d.sentence_bag_keys_folded(&text, &analysis);
            if let Some((folded, stems)) = folded {
                self.bag_stems.insert(slot, &folded, &sentences, &stems);
            }
            for (&sentence, keys) in sentences.iter().zip(keys.chunks_exact(entries.len())) {
                for (band, &key) in entries.iter_mut().zip(keys) {
                    band.push(Entry { key, slot, unit: sentence });
                }
            }
        }
        for (table, mut band) in self.bags.iter_mut().zip(entries) {
            band.sort_unstable();
            *table = crate::lsh::Table::from_sorted(band);
        }
        Ok(())
    }

    /// The error of a failed write to (or read from) the index's text
    /// file, naming its directory.
    pub(super) fn text_file_error(&self, e: &std::io::Error) -> Error {
        let dir = self.store.texts.disk.as_ref().map_or_else(|| "<memory>".into(), |d| d.dir().display().to_string());
        Error::Io { path: dir, kind: e.kind(), message: format!("the index's text file in this directory: {e}") }
    }

    /// Sets the entry counts of loaded articles from their tables.
    pub(super) fn count_loaded_entries(&mut self) {
        let mut counts = vec![0u32; self.store.slots()];
        for t in self.tables.iter().chain([&self.runs]).chain(&self.bags) {
            for e in t.live_entries() {
                if let Some(c) = counts.get_mut(e.slot as usize) {
                    *c += 1;
                }
            }
        }
        for (slot, c) in counts.into_iter().enumerate() {
            self.store.set_entries(slot as u32, c);
        }
    }
}
