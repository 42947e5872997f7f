//! Locality-sensitive hashing: LSH banding of unit signatures, its
//! parameters, and the band tables an index keeps its entries in.
//!
//! A signature of `b · r` values is cut into `b` bands of `r` rows; each
//! band is hashed to one `u64` key (`xxh3_64_with_seed` of the `r` values as
//! little-endian `u32`s, seeded with the band number). Two units whose
//! signatures agree on all rows of at least one band collide. For Jaccard
//! similarity `J` the probability of that is `P(J) = 1 − (1 − J^r)^b`, the
//! S-curve; [`LshParams::for_threshold`] picks `b` and `r` for a threshold.

mod ordered;
mod table;

pub(crate) use crate::fingerprint::KeyHasher;
pub(crate) use ordered::OrderedMap;
pub(crate) use table::{Entry, Table};
pub use table::{MERGE_AFTER_ENTRIES, MERGED_ENTRY_BYTES, PENDING_ENTRY_BYTES};

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::fingerprint::Signature;

/// LSH banding parameters: `bands` bands of `rows` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LshParams {
    /// Number of bands `b`.
    pub bands: usize,
    /// Rows per band `r`.
    pub rows: usize,
}

/// The banding of the rewritten-candidate tables (an index with
/// [`Config::rewritten`](crate::Config::rewritten)): MinHash signatures of
/// 80 values over each sentence's set of content stems
/// ([`Detector::sentence_bags`](crate::Detector::sentence_bags)), in 20
/// bands of 4 rows. Two sentences whose sets have Jaccard similarity 0.5
/// meet in at least one band with probability 0.72, at 0.6 with 0.94, at
/// 0.7 with 0.995, at 0.4 with 0.40 (two texts sharing several such
/// sentences meet once one pair does); unrelated sentences sharing a word
/// or two (0.2) with 0.03. Three rows instead of four meet more often
/// below 0.5 but cost three times the CPU in all pairs of long texts
/// (`DESIGN.md`, "Rewritten candidates", has the measurement). Each
/// sentence takes 20 entries of [`MERGED_ENTRY_BYTES`]: 320 bytes.
///
/// ```
/// let p = neardup::lsh::BAG_LSH;
/// assert!(p.probability(0.5) > 0.7 && p.probability(0.6) > 0.93);
/// assert!(p.probability(0.2) < 0.04);
/// ```
pub const BAG_LSH: LshParams = LshParams { bands: 20, rows: 4 };

/// Midpoint-rule integral of `f` over `[lo, hi]`.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const STEPS: usize = 256;
    if hi <= lo {
        return 0.0;
    }
    let h = (hi - lo) / STEPS as f64;
    (0..STEPS).map(|i| f(lo + (i as f64 + 0.5) * h)).sum::<f64>() * h
}

impl LshParams {
    /// The `(b, r)` with `b · r ≤ num_hashes` that minimises the sum of the
    /// false-positive area `∫₀ᵗ P(J) dJ` and the false-negative area
    /// `∫ₜ¹ (1 − P(J)) dJ` (equal weights), as datasketch does.
    ///
    /// ```
    /// let p = neardup::LshParams::for_threshold(0.8, 128);
    /// assert_eq!((p.bands, p.rows), (9, 13));
    /// let p = neardup::LshParams::for_threshold(0.5, 128);
    /// assert!(p.bands * p.rows <= 128);
    /// ```
    pub fn for_threshold(threshold: f64, num_hashes: usize) -> LshParams {
        LshParams::with_weights(threshold, num_hashes, 0.5, 0.5)
    }

    /// Like [`for_threshold`](Self::for_threshold) with explicit weights for
    /// the false-positive and false-negative areas. Ties go to fewer bands.
    /// `num_hashes` above [`MAX_NUM_HASHES`](crate::fingerprint::MAX_NUM_HASHES) counts as
    /// that many (the search is quadratic-ish in it: 1024 takes a fraction of
    /// a second, `usize::MAX` would never end).
    ///
    /// ```
    /// // Weighting false negatives up gives a curve that rises earlier.
    /// let eager = neardup::LshParams::with_weights(0.5, 128, 0.1, 0.9);
    /// let even = neardup::LshParams::for_threshold(0.5, 128);
    /// assert!(eager.probability(0.4) >= even.probability(0.4));
    /// ```
    pub fn with_weights(threshold: f64, num_hashes: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        let mut best = LshParams { bands: 1, rows: 1 };
        let mut best_err = f64::INFINITY;
        let num_hashes = num_hashes.clamp(1, crate::fingerprint::MAX_NUM_HASHES);
        for bands in 1..=num_hashes {
            for rows in 1..=num_hashes / bands {
                let p = LshParams { bands, rows };
                let err = fp_weight * p.false_positive_area(threshold) + fn_weight * p.false_negative_area(threshold);
                if err < best_err - 1e-12 {
                    best_err = err;
                    best = p;
                }
            }
        }
        best
    }

    /// Probability that two sets of Jaccard similarity `j` collide in at
    /// least one band: `1 − (1 − j^r)^b`.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.probability(0.9) > 0.99);
    /// assert!(p.probability(0.2) < 0.01);
    /// ```
    pub fn probability(&self, j: f64) -> f64 {
        let j = j.clamp(0.0, 1.0);
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// `∫₀ᵗ P(J) dJ`: the area of candidates below the threshold.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.false_positive_area(0.5) < 0.1);
    /// ```
    pub fn false_positive_area(&self, threshold: f64) -> f64 {
        integrate(|j| self.probability(j), 0.0, threshold)
    }

    /// `∫ₜ¹ (1 − P(J)) dJ`: the area of misses above the threshold.
    ///
    /// ```
    /// let p = neardup::LshParams { bands: 20, rows: 5 };
    /// assert!(p.false_negative_area(0.5) < 0.1);
    /// ```
    pub fn false_negative_area(&self, threshold: f64) -> f64 {
        integrate(|j| 1.0 - self.probability(j), threshold, 1.0)
    }

    /// The S-curve sampled at `points` evenly spaced similarities from 0 to
    /// 1 (inclusive): `(J, P(J))` pairs.
    ///
    /// ```
    /// let curve = neardup::LshParams { bands: 16, rows: 8 }.curve(11);
    /// assert_eq!(curve.len(), 11);
    /// assert_eq!(curve[0], (0.0, 0.0));
    /// assert_eq!(curve[10], (1.0, 1.0));
    /// ```
    pub fn curve(&self, points: usize) -> Vec<(f64, f64)> {
        let n = points.max(2) - 1;
        (0..=n)
            .map(|i| {
                let j = i as f64 / n as f64;
                (j, self.probability(j))
            })
            .take(points)
            .collect()
    }
}

/// The band keys of a signature: one `u64` per band (see the
/// [module docs](self)). Values past `bands * rows` are not used.
///
/// ```
/// use neardup::{LshParams, fingerprint::MinHasher, lsh::band_keys};
///
/// let sig = MinHasher::new(128, 0).signature([1u64, 2, 3]);
/// let keys = band_keys(&sig, LshParams { bands: 16, rows: 8 });
/// assert_eq!(keys.len(), 16);
/// ```
pub fn band_keys(sig: &Signature, params: LshParams) -> Vec<u64> {
    let rows = params.rows.max(1);
    let bands = sig.0.chunks_exact(rows).take(params.bands);
    if rows <= BAND_BYTES / 4 {
        // A band's bytes on the stack (the usual case).
        let mut buf = [0u8; BAND_BYTES];
        return bands
            .enumerate()
            .map(|(band, values)| {
                for (dst, v) in buf.chunks_exact_mut(4).zip(values) {
                    dst.copy_from_slice(&v.to_le_bytes());
                }
                xxh3_64_with_seed(&buf[..4 * rows], band as u64)
            })
            .collect();
    }
    // At most the signature's length: `rows` is a caller's public field.
    let mut buf = Vec::with_capacity(rows.min(sig.0.len()) * 4);
    bands
        .enumerate()
        .map(|(band, values)| {
            buf.clear();
            for v in values {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64_with_seed(&buf, band as u64)
        })
        .collect()
}

/// Bytes of a band that [`band_keys`] hashes from a buffer on the stack.
const BAND_BYTES: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_respect_budget_and_threshold() {
        for &t in &[0.3, 0.5, 0.7, 0.9] {
            for &n in &[16, 64, 128, 256] {
                let p = LshParams::for_threshold(t, n);
                assert!(p.bands * p.rows <= n);
                assert!(p.probability(t + 0.1) > p.probability(t - 0.1));
            }
        }
    }

    #[test]
    fn keys_hash_each_bands_little_endian_bytes() {
        let sig = Signature((0..100u32).map(|i| i.wrapping_mul(0x9E37_79B9)).collect());
        for rows in [0, 1, 4, 5, 16, 17, 30] {
            let expected: Vec<u64> = sig
                .0
                .chunks_exact(rows.max(1))
                .take(6)
                .enumerate()
                .map(|(band, values)| {
                    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                    xxh3_64_with_seed(&bytes, band as u64)
                })
                .collect();
            assert_eq!(band_keys(&sig, LshParams { bands: 6, rows }), expected, "rows = {rows}");
        }
    }

    #[test]
    fn keys_differ_per_band() {
        let sig = Signature(vec![5; 8]);
        let k = band_keys(&sig, LshParams { bands: 2, rows: 4 });
        assert_ne!(k[0], k[1]);
    }
}
