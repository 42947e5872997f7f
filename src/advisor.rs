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
use crate::detector::Detector;
use crate::error::Result;
use crate::lsh::LshParams;

/// Bytes of one merged band-table entry: a `u64` key, a `u32` article slot
/// and a `u32` unit number.
///
/// ```
/// use neardup::advisor::{IndexMemory, MERGED_ENTRY_BYTES};
/// assert_eq!(IndexMemory::for_bands(10).merged_bytes_per_unit, 10 * MERGED_ENTRY_BYTES);
/// ```
pub const MERGED_ENTRY_BYTES: usize = 16;

/// Typical bytes of one band-table entry still waiting among the recent
/// insertions: a 12-byte chain link, plus (for a new key) a 16-byte hash
/// map bucket at the map's load factor and the arrays' spare capacity.
/// Measured between 35 and 45 bytes depending on how full the arrays are.
///
/// ```
/// use neardup::advisor::{IndexMemory, PENDING_ENTRY_BYTES};
/// assert_eq!(IndexMemory::for_bands(10).small_index_bytes_per_unit, 10 * PENDING_ENTRY_BYTES);
/// ```
pub const PENDING_ENTRY_BYTES: usize = 40;

/// Entries a band table holds in its hash map before its first merge into
/// the sorted array; later merges happen when the map grows past a quarter
/// of the array (or this many entries, whichever is larger).
///
/// ```
/// use neardup::advisor::{IndexMemory, MERGE_AFTER_ENTRIES, PENDING_ENTRY_BYTES};
/// let m = IndexMemory::for_bands(1);
/// assert_eq!(m.table_bytes(MERGE_AFTER_ENTRIES), MERGE_AFTER_ENTRIES * PENDING_ENTRY_BYTES);
/// ```
pub const MERGE_AFTER_ENTRIES: usize = 1 << 16;

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

/// Memory an [`Index`](crate::Index) spends on its band tables per indexed
/// unit (a sentence of at least [`Config::min_words`] words, by default).
///
/// Every unit has one entry per band. Entries first go to a hash map of
/// recent insertions ([`PENDING_ENTRY_BYTES`] each) and are merged into a
/// sorted array ([`MERGED_ENTRY_BYTES`] each) once the map holds more than
/// [`MERGE_AFTER_ENTRIES`] entries or a quarter of the array. The article
/// texts, kept for verification, come on top (about the length of the text
/// in bytes), as do the boilerplate statistics (16 bytes per sentence plus
/// hash-map entries per distinct sentence and context).
///
/// ```
/// let memory = neardup::advisor::advise(0.5, 128)?.memory;
/// assert_eq!(memory.merged_bytes_per_unit, 16 * memory.bands);
/// assert!(memory.small_index_bytes_per_unit > memory.large_index_bytes_per_unit);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IndexMemory {
    /// Bands, hence entries per unit.
    pub bands: usize,
    /// Bytes per unit once merged: `16 · bands`. The floor, reached right
    /// after a merge.
    pub merged_bytes_per_unit: usize,
    /// Bytes per unit in an index of fewer than [`MERGE_AFTER_ENTRIES`]
    /// units, whose entries all wait in hash maps:
    /// `PENDING_ENTRY_BYTES · bands`.
    pub small_index_bytes_per_unit: usize,
    /// Upper bound per unit in an index of more than `4 ·`
    /// [`MERGE_AFTER_ENTRIES`] units, where at most a fifth of the entries
    /// wait in hash maps: `(4 · 16 + 40) / 5 · bands`, rounded up.
    pub large_index_bytes_per_unit: usize,
}

impl IndexMemory {
    /// The band-table memory for `bands` bands.
    ///
    /// ```
    /// let m = neardup::advisor::IndexMemory::for_bands(25);
    /// assert_eq!(m.merged_bytes_per_unit, 400);
    /// ```
    pub fn for_bands(bands: usize) -> IndexMemory {
        IndexMemory {
            bands,
            merged_bytes_per_unit: MERGED_ENTRY_BYTES * bands,
            small_index_bytes_per_unit: PENDING_ENTRY_BYTES * bands,
            large_index_bytes_per_unit: ((4 * MERGED_ENTRY_BYTES + PENDING_ENTRY_BYTES) * bands).div_ceil(5),
        }
    }

    /// Estimated band-table bytes of an index of `units` units, at the
    /// worst point of the merge cycle (the hash maps as full as they get
    /// before the next merge).
    ///
    /// ```
    /// let m = neardup::advisor::IndexMemory::for_bands(25);
    /// assert_eq!(m.table_bytes(1000), 1000 * m.small_index_bytes_per_unit);
    /// assert!(m.table_bytes(10_000_000) <= 10_000_000 * m.large_index_bytes_per_unit);
    /// ```
    pub fn table_bytes(&self, units: usize) -> usize {
        let pending = if units <= MERGE_AFTER_ENTRIES {
            units
        } else {
            // The map is merged once it exceeds max(array / 4, 2^16): at most
            // that many entries wait.
            MERGE_AFTER_ENTRIES.max(units / 5).min(units)
        };
        let merged = units - pending;
        (merged * MERGED_ENTRY_BYTES + pending * PENDING_ENTRY_BYTES) * self.bands
    }
}

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
/// when [`Detector::new`] would.
///
/// ```
/// let mut config = neardup::Config::default();
/// config.bands_rows = Some((16, 8));
/// let advice = neardup::advisor::advise_config(&config)?;
/// assert_eq!((advice.lsh.bands, advice.lsh.rows), (16, 8));
/// # Ok::<(), neardup::Error>(())
/// ```
pub fn advise_config(config: &Config) -> Result<Advice> {
    let lsh = Detector::new(config.clone())?.lsh();
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

/// The hand-written SVG plot.
mod svg {
    use std::fmt::Write;

    use super::Advice;

    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 420.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 30.0;
    const TOP: f64 = 60.0;
    const BOTTOM: f64 = 60.0;
    /// Samples of the curve.
    const SAMPLES: usize = 200;

    fn x(j: f64) -> f64 {
        LEFT + j * (WIDTH - LEFT - RIGHT)
    }

    fn y(p: f64) -> f64 {
        TOP + (1.0 - p) * (HEIGHT - TOP - BOTTOM)
    }

    fn point(out: &mut String, j: f64, p: f64) {
        let _ = write!(out, "{:.2},{:.2} ", x(j), y(p));
    }

    pub(super) fn plot(a: &Advice) -> String {
        let t = a.threshold;
        let lsh = a.lsh;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">LSH S-curve: {} bands × {} rows ({} of {} hash values)</text>"#,
            lsh.bands,
            lsh.rows,
            a.used_hashes(),
            a.num_hashes
        );
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="44" fill="#444">threshold {t}: false positives {:.2}%, false negatives {:.2}%, miss at threshold {:.1}%</text>"##,
            100.0 * a.false_positive_rate,
            100.0 * a.false_negative_rate,
            100.0 * a.miss_at_threshold
        );
        // Grid and tick labels.
        for i in 0..=10 {
            let v = i as f64 / 10.0;
            let (gx, gy) = (x(v), y(v));
            let _ = writeln!(
                s,
                r##"<line x1="{gx:.2}" y1="{:.2}" x2="{gx:.2}" y2="{:.2}" stroke="#e4e4e4"/><line x1="{:.2}" y1="{gy:.2}" x2="{:.2}" y2="{gy:.2}" stroke="#e4e4e4"/>"##,
                y(0.0),
                y(1.0),
                x(0.0),
                x(1.0)
            );
            if i % 2 == 0 {
                let _ = writeln!(
                    s,
                    r#"<text x="{gx:.2}" y="{:.2}" text-anchor="middle">{v:.1}</text><text x="{:.2}" y="{:.2}" text-anchor="end">{v:.1}</text>"#,
                    y(0.0) + 18.0,
                    x(0.0) - 8.0,
                    gy + 4.0
                );
            }
        }
        // False-positive area: under the curve left of the threshold;
        // false-negative area: above the curve right of it.
        let pt = lsh.probability(t);
        let (mut fp, mut fneg, mut curve) = (String::new(), String::new(), String::new());
        point(&mut fp, 0.0, 0.0);
        point(&mut fneg, t, pt);
        for i in 0..=SAMPLES {
            let j = i as f64 / SAMPLES as f64;
            let p = lsh.probability(j);
            point(&mut curve, j, p);
            point(if j < t { &mut fp } else { &mut fneg }, j, p);
        }
        point(&mut fp, t, pt);
        point(&mut fp, t, 0.0);
        point(&mut fneg, 1.0, 1.0);
        point(&mut fneg, t, 1.0);
        let _ = writeln!(s, r##"<polygon points="{}" fill="#d62728" fill-opacity="0.25"/>"##, fp.trim_end());
        let _ = writeln!(s, r##"<polygon points="{}" fill="#1f77b4" fill-opacity="0.25"/>"##, fneg.trim_end());
        // Axes.
        let _ = writeln!(
            s,
            r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="#333"/>"##,
            x(0.0),
            y(1.0),
            x(1.0) - x(0.0),
            y(0.0) - y(1.0)
        );
        // The curve and the threshold.
        let _ =
            writeln!(s, r##"<polyline points="{}" fill="none" stroke="#111" stroke-width="2.5"/>"##, curve.trim_end());
        let _ = writeln!(
            s,
            r##"<line x1="{0:.2}" y1="{1:.2}" x2="{0:.2}" y2="{2:.2}" stroke="#555" stroke-dasharray="6 4"/>"##,
            x(t),
            y(0.0),
            y(1.0)
        );
        let anchor = if t > 0.75 { "end" } else { "start" };
        let dx = if t > 0.75 { -6.0 } else { 6.0 };
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="{anchor}">threshold {t}</text>"#,
            x(t) + dx,
            y(1.0) + 16.0
        );
        let (hx, hy) = (x(a.half_similarity), y(0.5));
        let _ = writeln!(s, r##"<circle cx="{hx:.2}" cy="{hy:.2}" r="4" fill="#111"/>"##);
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}">P = 1/2 at J = {:.3}</text>"#,
            hx + 8.0,
            hy + 16.0,
            a.half_similarity
        );
        // Legend and axis titles.
        let ly = y(1.0) + 40.0;
        let _ = writeln!(
            s,
            r##"<rect x="{:.2}" y="{ly:.2}" width="14" height="14" fill="#d62728" fill-opacity="0.25"/><text x="{:.2}" y="{:.2}">false positives (checked, then rejected)</text>"##,
            x(0.0) + 12.0,
            x(0.0) + 32.0,
            ly + 12.0
        );
        let _ = writeln!(
            s,
            r##"<rect x="{:.2}" y="{:.2}" width="14" height="14" fill="#1f77b4" fill-opacity="0.25"/><text x="{:.2}" y="{:.2}">false negatives (missed)</text>"##,
            x(0.0) + 12.0,
            ly + 22.0,
            x(0.0) + 32.0,
            ly + 34.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">Jaccard similarity J of two units</text>"#,
            (x(0.0) + x(1.0)) / 2.0,
            HEIGHT - 16.0
        );
        let _ = writeln!(
            s,
            r#"<text transform="translate(20 {:.2}) rotate(-90)" text-anchor="middle">P(J): probability of becoming candidates</text>"#,
            (y(0.0) + y(1.0)) / 2.0
        );
        s.push_str("</svg>\n");
        s
    }
}

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
