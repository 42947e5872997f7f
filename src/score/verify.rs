//! Verification: the exact similarity of two shingle sets.

/// Exact similarity of two shingle sets.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Similarity {
    /// `|A ∩ B| / |A ∪ B|`.
    pub jaccard: f64,
    /// `|A ∩ B| / |A|`: how much of A is in B.
    pub containment_a: f64,
    /// `|A ∩ B| / |B|`: how much of B is in A.
    pub containment_b: f64,
}

impl Similarity {
    /// The largest of the three scores.
    ///
    /// ```
    /// let s = neardup::score::similarity(&[1, 2], &[1, 2, 3, 4]);
    /// assert_eq!(s.max(), 1.0);
    /// ```
    pub fn max(&self) -> f64 {
        self.jaccard.max(self.containment_a).max(self.containment_b)
    }
}

/// The exact Jaccard similarity and containments of two sets of shingle
/// hashes (duplicates and order do not matter). Empty sets have similarity 0.
///
/// ```
/// let s = neardup::score::similarity(&[1, 2, 3, 3], &[2, 3, 4]);
/// assert_eq!(s.jaccard, 0.5);
/// assert!((s.containment_a - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn similarity(a: &[u64], b: &[u64]) -> Similarity {
    let a = sorted_set(a);
    let b = sorted_set(b);
    sorted_similarity(&a, &b)
}

/// A shingle list as a set: sorted, without repeats (the form
/// [`sorted_similarity`] takes).
///
/// ```
/// assert_eq!(neardup::score::sorted_set(&[3, 1, 3]), [1, 3]);
/// ```
#[inline]
pub fn sorted_set(v: &[u64]) -> Vec<u64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// [`similarity`] of two sets already sorted and deduplicated (see
/// [`sorted_set`]): a caller that compares one set with many sorts it once.
///
/// ```
/// use neardup::score::{similarity, sorted_set, sorted_similarity};
/// let (a, b) = ([4, 1, 2], [2, 4, 5, 4]);
/// assert_eq!(sorted_similarity(&sorted_set(&a), &sorted_set(&b)), similarity(&a, &b));
/// ```
#[inline]
pub fn sorted_similarity(a: &[u64], b: &[u64]) -> Similarity {
    if a.is_empty() || b.is_empty() {
        return Similarity::default();
    }
    let common = sorted_common(a, b);
    let union = a.len() + b.len() - common;
    Similarity {
        jaccard: common as f64 / union as f64,
        containment_a: common as f64 / a.len() as f64,
        containment_b: common as f64 / b.len() as f64,
    }
}

/// Values two sorted slices share, counted with repeats (each value of
/// one matched to at most one of the other).
#[inline]
pub(super) fn sorted_common(a: &[u64], b: &[u64]) -> usize {
    crate::fingerprint::overlap(a, b).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_of_sets() {
        let s = similarity(&[1, 2, 3, 4], &[3, 4, 5, 6]);
        assert!((s.jaccard - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(similarity(&[], &[1]), Similarity::default());
    }
}
