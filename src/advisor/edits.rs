//! How many changed words a unit survives at a threshold.

use crate::lsh::LshParams;

/// How many changed words a unit survives at a threshold.
///
/// A word substituted in a unit of `w` words removes up to `k` of its
/// `w − k + 1` shingles (`k` the shingle size) and adds as many new ones;
/// with `c` substitutions at least `k` words apart, the two versions have
/// Jaccard similarity `(n − c·k) / (n + c·k)` with `n = w − k + 1`.
///
/// ```
/// let advice = neardup::advisor::advise(0.5, 128)?;
/// let twenty = advice.edits.iter().find(|e| e.words == 20).unwrap();
/// assert_eq!(twenty.changed_words, 2); // (18 − 6) / (18 + 6) = 0.5
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EditTolerance {
    /// Words in the unit.
    pub words: usize,
    /// The most substituted words (spread apart) that keep the Jaccard
    /// similarity at or above the threshold.
    pub changed_words: usize,
    /// The Jaccard similarity with that many changes.
    pub similarity: f64,
    /// `P(similarity)`: the chance that LSH still proposes the pair.
    pub probability: f64,
}

impl EditTolerance {
    /// The tolerance of a unit of `words` words, `k`-word shingles and
    /// threshold `threshold` under `lsh`.
    ///
    /// ```
    /// use neardup::{LshParams, advisor::EditTolerance};
    /// let e = EditTolerance::new(10, 3, 0.9, LshParams { bands: 1, rows: 1 });
    /// assert_eq!(e.changed_words, 0);
    /// assert_eq!(e.similarity, 1.0);
    /// ```
    pub fn new(words: usize, k: usize, threshold: f64, lsh: LshParams) -> EditTolerance {
        let k = k.max(1);
        let n = words.saturating_sub(k) + 1;
        let jaccard = |c: usize| {
            let lost = (c * k).min(n);
            (n - lost) as f64 / (n + lost) as f64
        };
        let mut changed = 0;
        while changed < words && jaccard(changed + 1) >= threshold {
            changed += 1;
        }
        let similarity = jaccard(changed);
        EditTolerance { words, changed_words: changed, similarity, probability: lsh.probability(similarity) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_tolerance_counts_lost_shingles() {
        let lsh = LshParams { bands: 1, rows: 1 };
        // 20 words, 3-shingles: 18 shingles; one change loses 3: 15/21.
        let e = EditTolerance::new(20, 3, 0.7, lsh);
        assert_eq!(e.changed_words, 1);
        assert!((e.similarity - 15.0 / 21.0).abs() < 1e-12);
        // Threshold tiny: every word may change, the similarity floors at 0.
        let e = EditTolerance::new(10, 3, 1e-9, lsh);
        assert_eq!(e.changed_words, 2);
    }
}
