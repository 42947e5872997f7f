//! How to choose the LSH parameters: what a threshold and a number of hash
//! values give in bands and rows, recall, wasted verification and memory.
//!
//! [`advise`] (or [`advise_config`] for a whole [`Config`]) returns an
//! [`Advice`]: the bands and rows [`LshParams::for_threshold`] picks, the
//! S-curve `P(J) = 1 − (1 − J^r)^b` as a table, the false-positive and
//! false-negative rates at the threshold, the memory an [`Index`](crate::Index)
//! spends per indexed unit, and how many changed words a sentence survives.
//! `Advice` prints as a readable report (`{advice}`) and plots as SVG
//! ([`Advice::to_svg`]); the `tune` example is a command line around both.
//!
//! ```
//! let advice = neardup::advisor::advise(0.6, 128)?;
//! assert!(advice.lsh.bands * advice.lsh.rows <= 128);
//! println!("{advice}");
//! # Ok::<(), neardup::Error>(())
//! ```
//!
//! # The rates, precisely
//!
//! A *unit* is what the index fingerprints: a sentence by default (see
//! [`Unit`](crate::Unit)). Two units whose shingle sets have Jaccard
//! similarity `J` become LSH candidates with probability `P(J)`. Candidates
//! are then verified on their exact shingle sets, so:
//!
//! * a **false positive** is a candidate pair below the threshold: it costs
//!   one exact verification, never a wrong result. The *false-positive
//!   rate* is the chance that a pair with `J` drawn uniformly from
//!   `[0, t)` becomes a candidate: `(1/t) ∫₀ᵗ P(J) dJ`;
//! * a **false negative** is a pair at or above the threshold that never
//!   becomes a candidate: its passage is lost (in an index query; the
//!   two-text [`Detector::compare`](crate::Detector::compare) aligns without
//!   LSH). The *false-negative rate* is the chance that a pair with `J`
//!   drawn uniformly from `[t, 1]` is missed: `(1/(1−t)) ∫ₜ¹ (1 − P(J)) dJ`;
//! * since `P` grows with `J`, the worst case above the threshold is a pair
//!   exactly at it: it is missed with probability `1 − P(t)`
//!   ([`Advice::miss_at_threshold`]).
//!
//! The two areas are the ones [`LshParams::for_threshold`] minimises (with
//! equal weights), divided by the widths of their intervals. Real pairs are
//! not uniform — most unrelated sentences have `J` near 0, where `P` is tiny
//! — so the rates compare settings rather than predict counts.

use std::fmt;

use crate::config::Config;
use crate::error::Result;
use crate::lsh::{LshParams, MERGE_AFTER_ENTRIES};

mod edits;
mod memory;

pub use edits::EditTolerance;
pub use memory::{
    ARTICLE_BYTES, BAG_STEM_BYTES_PER_WORD, BOILERPLATE_BYTES_PER_WORD, IndexMemory, IndexSize, TEXT_BYTES_PER_WORD,
    WORDS_PER_BAG_SENTENCE,
};

/// Number of evenly spaced similarities in [`Advice::curve`] (0, 0.05, …, 1),
/// before the threshold is added.
///
/// ```
/// use neardup::advisor::{CURVE_POINTS, advise};
/// assert_eq!(advise(0.5, 128)?.curve.len(), CURVE_POINTS); // 0.5 is a point already
/// assert_eq!(advise(0.52, 128)?.curve.len(), CURVE_POINTS + 1);
/// # Ok::<(), neardup::Error>(())
/// ```
pub const CURVE_POINTS: usize = 21;

/// Unit lengths (in words) of [`Advice::edits`].
///
/// ```
/// use neardup::advisor::{EDIT_UNIT_WORDS, advise};
/// let words: Vec<usize> = advise(0.5, 128)?.edits.iter().map(|e| e.words).collect();
/// assert_eq!(words, EDIT_UNIT_WORDS);
/// # Ok::<(), neardup::Error>(())
/// ```
pub const EDIT_UNIT_WORDS: [usize; 4] = [10, 20, 30, 40];

/// One point of the S-curve.
///
/// ```
/// let advice = neardup::advisor::advise(0.5, 128)?;
/// let last = advice.curve.last().unwrap();
/// assert_eq!((last.similarity, last.probability), (1.0, 1.0));
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CurvePoint {
    /// Jaccard similarity `J` of two units' shingle sets.
    pub similarity: f64,
    /// `P(J)`: the probability that they become LSH candidates.
    pub probability: f64,
}

/// What a threshold and a signature length give: see the
/// [module docs](self) for the definitions.
///
/// ```
/// let advice = neardup::advisor::advise(0.8, 128)?;
/// assert_eq!((advice.lsh.bands, advice.lsh.rows), (9, 13));
/// assert!(advice.false_positive_rate < 0.05 && advice.false_negative_rate < 0.2);
/// // Equal weights put the steepest point of the curve just above the threshold:
/// assert!(advice.half_similarity > 0.8 && advice.miss_at_threshold > 0.5);
/// assert!(advice.to_svg().starts_with("<svg"));
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Advice {
    /// The similarity threshold `t`.
    pub threshold: f64,
    /// MinHash values per signature.
    pub num_hashes: usize,
    /// Words per shingle (for [`edits`](Self::edits)).
    pub shingle_size: usize,
    /// The bands and rows: explicit in the configuration, or else
    /// [`LshParams::for_threshold`].
    pub lsh: LshParams,
    /// `P(J)` at `J = 0, 0.05, …, 1` and at the threshold, in increasing
    /// `J`.
    pub curve: Vec<CurvePoint>,
    /// The similarity at which `P(J) = 1/2`: where the S-curve is steepest,
    /// the threshold the bands and rows actually implement.
    pub half_similarity: f64,
    /// `(1/t) ∫₀ᵗ P(J) dJ`: the chance that a pair below the threshold
    /// (uniform on `[0, t)`) becomes a candidate.
    pub false_positive_rate: f64,
    /// `(1/(1−t)) ∫ₜ¹ (1 − P(J)) dJ`: the chance that a pair at or above the
    /// threshold (uniform on `[t, 1]`) is missed; `1 − P(1) = 0` for `t = 1`.
    pub false_negative_rate: f64,
    /// `1 − P(t)`: the chance that a pair exactly at the threshold is
    /// missed, the worst case at or above it.
    pub miss_at_threshold: f64,
    /// Band-table memory per indexed unit.
    pub memory: IndexMemory,
    /// Changed words tolerated by units of [`EDIT_UNIT_WORDS`] words.
    pub edits: Vec<EditTolerance>,
}

/// Advice for `threshold` and `num_hashes` with every other setting at its
/// default (see [`advise_config`]).
///
/// Fails with [`Error::InvalidConfig`](crate::Error::InvalidConfig) when the
/// threshold is outside `(0, 1]` or `num_hashes` outside
/// `1..=`[`MAX_NUM_HASHES`](crate::MAX_NUM_HASHES).
///
/// ```
/// let advice = neardup::advisor::advise(0.5, 128)?;
/// assert_eq!((advice.lsh.bands, advice.lsh.rows), (25, 5));
/// assert!(neardup::advisor::advise(1.5, 128).is_err());
/// assert!(neardup::advisor::advise(0.5, 0).is_err());
/// # Ok::<(), neardup::Error>(())
/// ```
pub fn advise(threshold: f64, num_hashes: usize) -> Result<Advice> {
    let config = Config { threshold, num_hashes, ..Config::default() };
    advise_config(&config)
}

/// Advice for a whole configuration: its threshold, number of hash values,
/// shingle size and explicit [`bands_rows`](Config::bands_rows) if set.
///
/// Fails with [`Error::InvalidConfig`](crate::Error::InvalidConfig) exactly
/// when [`Detector::new`](crate::Detector::new) would (without building
/// one).
///
/// ```
/// let mut config = neardup::Config::default();
/// config.bands_rows = Some((16, 8));
/// let advice = neardup::advisor::advise_config(&config)?;
/// assert_eq!((advice.lsh.bands, advice.lsh.rows), (16, 8));
/// # Ok::<(), neardup::Error>(())
/// ```
pub fn advise_config(config: &Config) -> Result<Advice> {
    config.validate()?;
    let lsh = config.lsh();
    let t = config.threshold;
    let mut curve: Vec<CurvePoint> = lsh
        .curve(CURVE_POINTS)
        .into_iter()
        .map(|(similarity, probability)| CurvePoint { similarity, probability })
        .collect();
    if !curve.iter().any(|p| (p.similarity - t).abs() < 1e-9) {
        let at = curve.partition_point(|p| p.similarity < t);
        curve.insert(at, CurvePoint { similarity: t, probability: lsh.probability(t) });
    }
    let false_negative_rate = if t < 1.0 { lsh.false_negative_area(t) / (1.0 - t) } else { 1.0 - lsh.probability(1.0) };
    Ok(Advice {
        threshold: t,
        num_hashes: config.num_hashes,
        shingle_size: config.shingle_size,
        lsh,
        curve,
        half_similarity: half_similarity(lsh),
        false_positive_rate: lsh.false_positive_area(t) / t,
        false_negative_rate,
        miss_at_threshold: 1.0 - lsh.probability(t),
        memory: IndexMemory::for_bands(lsh.bands),
        edits: EDIT_UNIT_WORDS.iter().map(|&w| EditTolerance::new(w, config.shingle_size, t, lsh)).collect(),
    })
}

/// `J` with `P(J) = 1/2`: `(1 − 2^(−1/b))^(1/r)`.
fn half_similarity(lsh: LshParams) -> f64 {
    let b = lsh.bands.max(1) as f64;
    let r = lsh.rows.max(1) as f64;
    (1.0 - 0.5f64.powf(1.0 / b)).powf(1.0 / r)
}

impl Advice {
    /// Hash values the bands use: `bands · rows` (at most
    /// [`num_hashes`](Self::num_hashes); the rest are computed but unused).
    ///
    /// ```
    /// let advice = neardup::advisor::advise(0.5, 128)?;
    /// assert_eq!(advice.used_hashes(), 125);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn used_hashes(&self) -> usize {
        self.lsh.bands * self.lsh.rows
    }

    /// The S-curve as a standalone SVG image (no scripts, no external
    /// resources): `P(J)` against `J`, the threshold, and the
    /// false-positive and false-negative areas shaded.
    ///
    /// ```
    /// let svg = neardup::advisor::advise(0.6, 128)?.to_svg();
    /// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    /// std::fs::write(std::env::temp_dir().join("neardup-doc-curve.svg"), &svg).unwrap();
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn to_svg(&self) -> String {
        svg::plot(self)
    }
}

/// A bar of `width` cells for a fraction in `[0, 1]`, in eighths.
fn bar(fraction: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (fraction.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let (full, part) = (eighths / 8, eighths % 8);
    let mut s = "█".repeat(full);
    if part > 0 {
        s.push(PARTS[part]);
    }
    s
}

fn percent(x: f64) -> String {
    let p = 100.0 * x;
    if p != 0.0 && p < 0.01 {
        "<0.01%".to_owned()
    } else if p < 10.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

impl fmt::Display for Advice {
    /// The advice as a report for a terminal: parameters, S-curve table
    /// with bars, error rates, memory and edit tolerance.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.threshold;
        let LshParams { bands, rows } = self.lsh;
        writeln!(f, "LSH parameters for threshold {t} with {} hash values", self.num_hashes)?;
        writeln!(
            f,
            "  {bands} bands × {rows} rows = {} hash values used{}",
            self.used_hashes(),
            match self.num_hashes - self.used_hashes() {
                0 => String::new(),
                unused => format!(" ({unused} computed but unused)"),
            }
        )?;
        writeln!(f, "  P(J) = 1 − (1 − J^{rows})^{bands}; P(J) = 1/2 at J = {:.3}", self.half_similarity)?;
        writeln!(f)?;
        writeln!(f, "S-curve: probability that two units of similarity J become candidates")?;
        writeln!(f, "     J    P(J)")?;
        for p in &self.curve {
            let mark = if (p.similarity - t).abs() < 1e-9 { "  ← threshold" } else { "" };
            let line = format!("  {:>5.3}  {:>6.4}  {:<40}{mark}", p.similarity, p.probability, bar(p.probability, 40));
            writeln!(f, "{}", line.trim_end())?;
        }
        writeln!(f)?;
        writeln!(f, "Error rates at threshold {t}")?;
        writeln!(
            f,
            "  false positives   {:>7}  of pairs with J uniform in [0, {t}) become candidates",
            percent(self.false_positive_rate)
        )?;
        writeln!(f, "                             (each costs one exact check, never a wrong result)")?;
        writeln!(
            f,
            "  false negatives   {:>7}  of pairs with J uniform in [{t}, 1] are never candidates (lost)",
            percent(self.false_negative_rate)
        )?;
        writeln!(
            f,
            "  miss at threshold {:>7}  a pair at exactly J = {t} is missed (the worst case above it)",
            percent(self.miss_at_threshold)
        )?;
        writeln!(f)?;
        let m = &self.memory;
        writeln!(f, "Index memory per unit (one sentence of at least min_words words), {bands} band entries")?;
        writeln!(f, "  {:>5} bytes  merged into the sorted band tables (16 bytes per entry)", m.merged_bytes_per_unit)?;
        writeln!(
            f,
            "  {:>5} bytes  at most, in an index of over {} units (a fifth of the entries awaiting a merge)",
            m.large_index_bytes_per_unit,
            4 * MERGE_AFTER_ENTRIES
        )?;
        writeln!(
            f,
            "  {:>5} bytes  in an index of under {MERGE_AFTER_ENTRIES} units (all entries in hash maps)",
            m.small_index_bytes_per_unit
        )?;
        writeln!(f, "  plus the text itself and the boilerplate statistics")?;
        writeln!(f)?;
        writeln!(f, "Changed words a unit survives ({}-word shingles, changes spread apart)", self.shingle_size)?;
        for e in &self.edits {
            writeln!(
                f,
                "  {:>3} words: up to {} changed (J = {:.3}, found with probability {:.3})",
                e.words, e.changed_words, e.similarity, e.probability
            )?;
        }
        Ok(())
    }
}

mod svg;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_similarity_is_where_the_curve_crosses_one_half() {
        for (b, r) in [(1, 1), (25, 5), (9, 13), (128, 1), (1, 128)] {
            let lsh = LshParams { bands: b, rows: r };
            assert!((lsh.probability(half_similarity(lsh)) - 0.5).abs() < 1e-9, "{b} × {r}");
        }
    }

    #[test]
    fn curve_includes_the_threshold_once_in_order() {
        let a = advise(0.63, 128).unwrap();
        assert_eq!(a.curve.len(), CURVE_POINTS + 1);
        assert!(a.curve.windows(2).all(|w| w[0].similarity < w[1].similarity));
        let a = advise(0.6, 128).unwrap();
        assert_eq!(a.curve.len(), CURVE_POINTS);
        assert_eq!(a.curve.iter().filter(|p| (p.similarity - 0.6).abs() < 1e-9).count(), 1);
    }

    #[test]
    fn threshold_one_has_no_false_negatives() {
        let a = advise(1.0, 16).unwrap();
        assert_eq!(a.false_negative_rate, 0.0);
        assert_eq!(a.miss_at_threshold, 0.0);
    }

    #[test]
    fn bars_have_eighths() {
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5 / 4.0, 4), "▌");
    }
}
