//! Segment keys: a key per sentence and per paragraph, in the context of
//! its neighbours, that boilerplate counts are made of, and the key of an
//! article's exact-duplicate class made from them.

use xxhash_rust::xxh3::{Xxh3Default, xxh3_64_with_seed};

use crate::text::{Analysis, Segment};

/// `(key, context)` of one sentence or paragraph: the key hashes the
/// segment's words (so it is the same text whatever its punctuation, case
/// or spacing); the context hashes the keys of the segments before and
/// after it (0 at the edges of the article).
pub type SegmentKey = (u64, u64);

const SENTENCE_SALT: u64 = 0x5e47_e4ce;
const PARAGRAPH_SALT: u64 = 0x9a7a_96a9;

/// The [`SegmentKey`]s of an analysis: one per sentence (in the context of
/// its neighbouring sentences), then one per paragraph (in the context of
/// its neighbouring paragraphs). Paragraph contexts catch a boilerplate
/// paragraph of several sentences, whose inner sentences always have the
/// same neighbours.
///
/// ```
/// use neardup::{fingerprint::segment_keys, text::analyze};
///
/// let a = segment_keys(&analyze("Subscribe now! The story.", 0), 0);
/// let b = segment_keys(&analyze("SUBSCRIBE NOW. Another story.", 0), 0);
/// assert_eq!(a.len(), 2 + 1);
/// assert_eq!(a[0].0, b[0].0); // the same sentence…
/// assert_ne!(a[0].1, b[0].1); // …in another context
/// ```
pub fn segment_keys(analysis: &Analysis, seed: u64) -> Vec<SegmentKey> {
    let mut keys = keys_in_context(analysis, &analysis.sentences, seed, SENTENCE_SALT);
    keys.extend(keys_in_context(analysis, &analysis.paragraphs, seed, PARAGRAPH_SALT));
    keys
}

fn keys_in_context(analysis: &Analysis, segments: &[Segment], seed: u64, salt: u64) -> Vec<SegmentKey> {
    let mut buf = Vec::new();
    let keys: Vec<u64> = segments
        .iter()
        .map(|s| {
            buf.clear();
            for t in analysis.tokens.get(s.tokens.clone()).unwrap_or_default() {
                buf.extend_from_slice(&t.hash.to_le_bytes());
            }
            xxh3_64_with_seed(&buf, seed ^ salt)
        })
        .collect();
    (0..keys.len())
        .map(|i| {
            let prev = if i > 0 { keys[i - 1] } else { 0 };
            let next = keys.get(i + 1).copied().unwrap_or(0);
            let mut ctx = [0u8; 16];
            ctx[..8].copy_from_slice(&prev.to_le_bytes());
            ctx[8..].copy_from_slice(&next.to_le_bytes());
            (keys[i], xxh3_64_with_seed(&ctx, seed))
        })
        .collect()
}

/// The key of an article's exact-duplicate class: a 128-bit hash of the
/// keys of its sentences and paragraphs ([`segment_keys`]), in order, so
/// the same words in the same sentences and paragraphs after
/// normalisation; `None` for an article without units (`units == 0`),
/// which reuses nothing.
///
/// ```
/// use neardup::{fingerprint::{duplicate_key, segment_keys}, text::analyze};
///
/// let key = |t: &str| duplicate_key(&segment_keys(&analyze(t, 0), 0), 1);
/// assert_eq!(key("The same story."), key("THE SAME — story!"));
/// assert_ne!(key("The same story."), key("The same. Story."));
/// assert_eq!(duplicate_key(&[], 0), None);
/// ```
pub fn duplicate_key(keys: &[SegmentKey], units: usize) -> Option<u128> {
    if units == 0 {
        return None;
    }
    let mut h = Xxh3Default::new();
    for &(key, _) in keys {
        h.update(&key.to_le_bytes());
    }
    Some(h.digest128())
}
