//! The article store: the articles of an index by slot (insertion order)
//! and by id, and their exact-duplicate classes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use super::texts::{Text, Texts};
use crate::group::Group;
use crate::lsh::KeyHasher;

/// An article in the index.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub(crate) id: u64,
    pub(crate) label: Box<str>,
    pub(crate) text: Text,
    /// Number of units of the text ([`Detector::units`](crate::Detector::units)),
    /// whether or not the article is in the tables (an exact duplicate is
    /// not).
    pub(crate) units: u32,
    /// The key of the article's exact-duplicate class
    /// ([`duplicate_key`](crate::fingerprint::duplicate_key)) as two
    /// halves (an `Option<u128>` would take twice the bytes); meaningless
    /// when `units` is 0. The article's segment keys are not kept: its
    /// boilerplate counts are taken back on removal from its text, analysed
    /// again.
    duplicate: [u64; 2],
    /// The article's entries in the band tables (one per band and entry
    /// unit; 0 for an exact duplicate of an earlier article).
    pub(crate) entries: u32,
}

impl Stored {
    /// An article of `units` units whose exact-duplicate class is
    /// `duplicate` (`None` exactly when `units` is 0).
    pub(crate) fn new(id: u64, label: &str, text: Text, units: u32, duplicate: Option<u128>) -> Stored {
        let key = duplicate.unwrap_or(0);
        Stored { id, label: label.into(), text, units, duplicate: [key as u64, (key >> 64) as u64], entries: 0 }
    }

    /// The key of the article's exact-duplicate class
    /// ([`duplicate_key`](crate::fingerprint::duplicate_key)).
    pub(crate) fn duplicate_key(&self) -> Option<u128> {
        (self.units > 0).then(|| u128::from(self.duplicate[0]) | u128::from(self.duplicate[1]) << 64)
    }
}

/// The articles by slot and by id, with their exact-duplicate classes: the
/// first live article of a class is the one in the band tables, the others
/// (its *copies*) take no entries.
#[derive(Clone, Debug, Default)]
pub(crate) struct Store {
    /// Articles by slot (insertion order); `None` once removed.
    slots: Vec<Option<Stored>>,
    ids: BTreeMap<u64, u32>,
    /// The slot in the tables of each exact-duplicate class: its oldest
    /// live member.
    classes: HashMap<u128, u32, BuildHasherDefault<KeyHasher>>,
    /// The other live members (slots, oldest first) of each class with
    /// more than one, by the slot in the tables.
    copies: BTreeMap<u32, Vec<u32>>,
    /// Where the texts are.
    pub(crate) texts: Texts,
}

impl Store {
    /// Live articles.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Slots ever used (live or removed).
    pub(crate) fn slots(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn contains(&self, id: u64) -> bool {
        self.ids.contains_key(&id)
    }

    /// `(id, slot)` of the live articles, in increasing id order.
    pub(crate) fn by_id(&self) -> impl ExactSizeIterator<Item = (u64, u32)> + '_ {
        self.ids.iter().map(|(&id, &slot)| (id, slot))
    }

    pub(crate) fn get(&self, id: u64) -> Option<&Stored> {
        self.ids.get(&id).and_then(|&s| self.at(s))
    }

    /// The slot of live article `id`.
    pub(crate) fn slot_of(&self, id: u64) -> Option<u32> {
        self.ids.get(&id).copied()
    }

    /// The live article at `slot`.
    pub(crate) fn at(&self, slot: u32) -> Option<&Stored> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    /// The live articles in slot order.
    pub(crate) fn live(&self) -> impl Iterator<Item = &Stored> + '_ {
        self.slots.iter().flatten()
    }

    pub(crate) fn set_entries(&mut self, slot: u32, entries: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) {
            s.entries = entries;
        }
    }

    /// Adds an article at the next slot; returns the slot and whether the
    /// article is the one of its exact-duplicate class in the tables (the
    /// first of its class, or in none).
    pub(crate) fn push(&mut self, stored: Stored) -> (u32, bool) {
        let slot = self.slots.len() as u32;
        self.ids.insert(stored.id, slot);
        let indexed = match stored.duplicate_key() {
            None => true,
            Some(key) => match self.classes.get(&key) {
                Some(&first) => {
                    self.copies.entry(first).or_default().push(slot);
                    false
                }
                None => {
                    self.classes.insert(key, slot);
                    true
                }
            },
        };
        self.slots.push(Some(stored));
        (slot, indexed)
    }

    /// Removes article `id`: the article and, if it was the one of its
    /// class in the tables and the class has copies, the slot of the
    /// oldest copy, which takes its place (the caller enters it in the
    /// tables).
    pub(crate) fn remove(&mut self, id: u64) -> Option<(Stored, Option<u32>)> {
        let slot = self.ids.remove(&id)?;
        let stored = self.slots[slot as usize].take()?;
        let promoted = stored.duplicate_key().and_then(|key| self.leave_class(key, slot));
        Some((stored, promoted))
    }

    fn leave_class(&mut self, key: u128, slot: u32) -> Option<u32> {
        if self.classes.get(&key) == Some(&slot) {
            let Some(mut rest) = self.copies.remove(&slot) else {
                self.classes.remove(&key);
                return None;
            };
            let next = rest.remove(0);
            if !rest.is_empty() {
                self.copies.insert(next, rest);
            }
            self.classes.insert(key, next);
            return Some(next);
        }
        if let Some(&first) = self.classes.get(&key)
            && let Some(rest) = self.copies.get_mut(&first)
        {
            rest.retain(|&s| s != slot);
            if rest.is_empty() {
                self.copies.remove(&first);
            }
        }
        None
    }

    /// Whether the article at `slot` is an exact duplicate of an older one
    /// (not in the tables).
    pub(crate) fn is_copy(&self, slot: u32) -> bool {
        let key = self.at(slot).and_then(Stored::duplicate_key);
        key.is_some_and(|k| self.classes.get(&k) != Some(&slot))
    }

    /// The ids of the exact duplicates of the article at `slot` (the one of
    /// its class in the tables), in increasing order.
    pub(crate) fn duplicates_of(&self, slot: u32) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .copies
            .get(&slot)
            .map(|c| c.iter().filter_map(|&s| self.at(s).map(|d| d.id)).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    /// The exact-duplicate classes of more than one article, sorted by
    /// representative (the member in the tables).
    pub(crate) fn exact_duplicates(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = self
            .copies
            .keys()
            .filter_map(|&first| {
                let representative = self.at(first)?.id;
                let mut members = self.duplicates_of(first);
                members.push(representative);
                members.sort_unstable();
                Some(Group { representative, members })
            })
            .collect();
        groups.sort_by_key(|g| g.representative);
        groups
    }

    /// `groups` with every member's exact duplicates added, and each class
    /// outside every group added as a group of its own.
    pub(crate) fn with_exact_duplicates(&self, groups: Vec<Group>) -> Vec<Group> {
        let mut grouped = BTreeSet::new();
        let mut out: Vec<Group> = groups
            .into_iter()
            .map(|mut g| {
                let extra: Vec<u64> = g
                    .members
                    .iter()
                    .filter_map(|id| self.ids.get(id))
                    .flat_map(|&slot| self.duplicates_of(slot))
                    .collect();
                grouped.extend(g.members.iter().copied());
                g.members.extend(extra);
                g.members.sort_unstable();
                g.members.dedup();
                g
            })
            .collect();
        out.extend(self.exact_duplicates().into_iter().filter(|g| !grouped.contains(&g.representative)));
        out.sort_by_key(|g| g.representative);
        out
    }

    /// Keeps the texts in `texts` from now on: `moved` gives the new place
    /// of the text of each live slot.
    pub(crate) fn set_texts(&mut self, texts: Texts, moved: impl IntoIterator<Item = (u32, Text)>) {
        for (slot, text) in moved {
            if let Some(s) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) {
                s.text = text;
            }
        }
        self.texts = texts;
    }

    /// The text of `stored`, borrowed from memory or read from disk.
    pub(crate) fn text<'s>(&'s self, stored: &'s Stored) -> std::io::Result<std::borrow::Cow<'s, str>> {
        self.texts.get(&stored.text)
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.classes.shrink_to_fit();
    }

    /// Heap bytes of the texts kept in memory.
    pub(crate) fn text_memory(&self) -> usize {
        self.live().map(|d| d.text.heap_bytes()).sum()
    }

    /// Heap bytes, approximately.
    pub(crate) fn memory_usage(&self) -> usize {
        let docs: usize =
            self.live().map(|d| std::mem::size_of::<Stored>() + d.text.heap_bytes() + d.label.len()).sum();
        let classes = 24 * self.classes.capacity() + self.copies.values().map(|c| 40 + 4 * c.capacity()).sum::<usize>();
        docs + classes + 8 * self.slots.capacity() + 40 * self.ids.len()
    }
}
