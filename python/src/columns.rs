//! `Detector.verify_columns`: stage 4 (verify) on flat little-endian
//! columns, for a job that holds its articles and cue rows as Arrow arrays
//! or numpy arrays. No Python object is made per article, pair, cue or
//! passage: the input is a handful of `bytes` buffers, the output a dict of
//! `bytes` buffers (`numpy.frombuffer` reads each one).
//!
//! The pairs are verified a chunk of [`CHUNK`] at a time, each article of a
//! chunk prepared once, as `Detector.verify` does for one call.

use std::collections::HashMap;

use neardup::{Cue, Detector, Prepared};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rayon::prelude::*;

use crate::cues::cue_of;
use crate::pool::pool;
use crate::report::{PassageData, ReportData};

/// Candidate pairs verified per chunk (the index's own batches hold 65,536
/// candidate articles).
const CHUNK: usize = 16384;

/// A buffer of `bytes` read as little-endian values of `N` bytes, checked
/// to hold whole values (`method` and `what` name the method and the
/// argument in the error).
pub(crate) fn values<const N: usize, T>(
    method: &str,
    data: &[u8],
    what: &str,
    from: fn([u8; N]) -> T,
) -> PyResult<Vec<T>> {
    if !data.len().is_multiple_of(N) {
        return Err(PyValueError::new_err(format!(
            "{method}: {what} holds {} bytes, not a whole number of {N}-byte values",
            data.len()
        )));
    }
    Ok(data.chunks_exact(N).map(|c| from(c.try_into().expect("chunks of N bytes"))).collect())
}

fn i64s(data: &[u8], what: &str) -> PyResult<Vec<i64>> {
    values::<8, i64>("verify_columns", data, what, i64::from_le_bytes)
}

fn i32s(data: &[u8], what: &str) -> PyResult<Vec<i32>> {
    values::<4, i32>("verify_columns", data, what, i32::from_le_bytes)
}

/// `offsets` (n + 1 of them, non-decreasing, the last at most `len`) as
/// ranges, or an error naming the argument and the offset.
fn ranges(offsets: &[i64], n: usize, len: usize, what: &str, into: &str) -> PyResult<Vec<std::ops::Range<usize>>> {
    if offsets.len() != n + 1 {
        return Err(PyValueError::new_err(format!(
            "verify_columns: {what} holds {} offsets, not {} (one more than the {n} articles)",
            offsets.len(),
            n + 1
        )));
    }
    let mut out = Vec::with_capacity(n);
    for (i, w) in offsets.windows(2).enumerate() {
        let (s, e) = (w[0], w[1]);
        if s < 0 || e < s || e as u64 > len as u64 {
            return Err(PyValueError::new_err(format!(
                "verify_columns: {what}[{i}..{}] = {s}..{e} is not a range of the {len} values of {into}",
                i + 1
            )));
        }
        out.push(s as usize..e as usize);
    }
    Ok(out)
}

/// One candidate pair: article indices, its cues.
struct Candidate {
    a: usize,
    b: usize,
    cues: Vec<Cue>,
}

/// The cue rows grouped by pair, in increasing `(a, b)` order, each
/// pair's cues sorted and distinct (a cue on several rows counts once: the
/// same pair of units in several bands), with ids mapped to article
/// indices. The rows may come in any order: they are sorted here.
fn candidates(
    at: &HashMap<i64, usize>,
    a: &[i64],
    b: &[i64],
    kind: &[i32],
    ca: &[i32],
    cb: &[i32],
) -> PyResult<Vec<Candidate>> {
    let n = a.len();
    if [b.len(), kind.len(), ca.len(), cb.len()].iter().any(|&m| m != n) {
        return Err(PyValueError::new_err(format!(
            "verify_columns: the cue columns differ in length (cue_a {n}, cue_b {}, cue_kind {}, cue_a_at {}, \
             cue_b_at {})",
            b.len(),
            kind.len(),
            ca.len(),
            cb.len()
        )));
    }
    let index = |id: i64, row: usize, side: &str| {
        at.get(&id).copied().ok_or_else(|| {
            PyValueError::new_err(format!("verify_columns: cue row {row}: {side} = {id} is not among the article ids"))
        })
    };
    for r in 0..n {
        let (k, x, y) = (kind[r], ca[r], cb[r]);
        if !(0..=2).contains(&k) || x < 0 || y < 0 {
            return Err(PyValueError::new_err(format!(
                "verify_columns: cue row {r}: (kind, a, b) = ({k}, {x}, {y}): kind is 0 (units), 1 (anchor) or 2 \
                 (bags), a and b non-negative"
            )));
        }
    }
    let mut rows: Vec<(i64, i64, i32, i32, i32, usize)> =
        (0..n).map(|r| (a[r], b[r], kind[r], ca[r], cb[r], r)).collect();
    rows.sort_unstable();
    let mut out: Vec<Candidate> = Vec::new();
    let mut last: Option<(i64, i64)> = None;
    for (x, y, k, wa, wb, r) in rows {
        let cue = cue_of(k as u64, wa as u32, wb as u32).expect("the kinds were checked");
        if last != Some((x, y)) {
            out.push(Candidate { a: index(x, r, "cue_a")?, b: index(y, r, "cue_b")?, cues: Vec::new() });
            last = Some((x, y));
        }
        let cues = &mut out.last_mut().expect("a pair was pushed").cues;
        if cues.last() != Some(&cue) {
            cues.push(cue);
        }
    }
    Ok(out)
}

/// The output columns, appended to pair by pair.
#[derive(Default)]
struct Out {
    a: Vec<i64>,
    b: Vec<i64>,
    a_index: Vec<i64>,
    b_index: Vec<i64>,
    candidate_similarity: Vec<f64>,
    words: [Vec<i64>; 4],
    coverage: [Vec<f64>; 2],
    passages: Passages,
    boilerplate: Passages,
}

/// Passage columns: offsets of each pair's passages, then one value per
/// passage and field.
struct Passages {
    offsets: Vec<i32>,
    ints: [Vec<i64>; 15],
    floats: [Vec<f64>; 4],
    boilerplate: Vec<u8>,
}

impl Default for Passages {
    fn default() -> Self {
        Passages { offsets: vec![0], ints: Default::default(), floats: Default::default(), boilerplate: Vec::new() }
    }
}

/// The names of `Passages::ints`, in order.
const INT_FIELDS: [&str; 15] = [
    "a_start",
    "a_end",
    "b_start",
    "b_end",
    "a_byte_start",
    "a_byte_end",
    "b_byte_start",
    "b_byte_end",
    "a_token_start",
    "a_token_end",
    "b_token_start",
    "b_token_end",
    "matched_words",
    "boilerplate_articles",
    "kind",
];

/// The names of `Passages::floats`, in order.
const FLOAT_FIELDS: [&str; 4] = ["similarity", "containment_a", "containment_b", "bag_similarity"];

/// The `kind` column's value of a passage kind: 0 exact, 1 edited, 2
/// rewritten.
pub fn kind_code(kind: neardup::PassageKind) -> i64 {
    match kind {
        neardup::PassageKind::Exact => 0,
        neardup::PassageKind::Edited => 1,
        neardup::PassageKind::Rewritten => 2,
    }
}

impl Passages {
    fn push(&mut self, list: &[PassageData]) -> PyResult<()> {
        for d in list {
            let p = &d.inner;
            let ints: [i64; 15] = [
                d.chars[0] as i64,
                d.chars[1] as i64,
                d.chars[2] as i64,
                d.chars[3] as i64,
                p.a.start as i64,
                p.a.end as i64,
                p.b.start as i64,
                p.b.end as i64,
                p.a_tokens.start as i64,
                p.a_tokens.end as i64,
                p.b_tokens.start as i64,
                p.b_tokens.end as i64,
                p.matched_words as i64,
                i64::from(p.boilerplate_articles),
                kind_code(p.kind),
            ];
            for (col, v) in self.ints.iter_mut().zip(ints) {
                col.push(v);
            }
            for (col, v) in
                self.floats.iter_mut().zip([p.similarity, p.containment_a, p.containment_b, p.bag_similarity])
            {
                col.push(v);
            }
            self.boilerplate.push(d.boilerplate as u8);
        }
        let n = i32::try_from(self.boilerplate.len()).map_err(|_| {
            PyValueError::new_err("verify_columns: more than 2^31 - 1 passages in one call (give fewer pairs)")
        })?;
        self.offsets.push(n);
        Ok(())
    }
}

pub fn verify_columns<'py>(py: Python<'py>, d: &Detector, cols: Inputs<'_>) -> PyResult<Bound<'py, PyDict>> {
    let ids = i64s(cols.ids, "ids")?;
    let n = ids.len();
    let text_offsets = i64s(cols.text_offsets, "text_offsets")?;
    let text_ranges = ranges(&text_offsets, n, cols.text_data.len(), "text_offsets", "text_data (bytes)")?;
    let bp_offsets = i64s(cols.bp_offsets, "bp_offsets")?;
    let bp_keys = i64s(cols.bp_keys, "bp_keys")?;
    let bp_articles = i32s(cols.bp_articles, "bp_articles")?;
    if bp_articles.len() != bp_keys.len() {
        return Err(PyValueError::new_err(format!(
            "verify_columns: bp_keys holds {} keys but bp_articles {} counts",
            bp_keys.len(),
            bp_articles.len()
        )));
    }
    let bp_ranges = ranges(&bp_offsets, n, bp_keys.len(), "bp_offsets", "bp_keys")?;
    let mut at = HashMap::with_capacity(n);
    for (i, &id) in ids.iter().enumerate() {
        if at.insert(id, i).is_some() {
            return Err(PyValueError::new_err(format!("verify_columns: ids[{i}] = {id} is repeated")));
        }
    }
    let cue_a = i64s(cols.cue_a, "cue_a")?;
    let cue_b = i64s(cols.cue_b, "cue_b")?;
    let kind = i32s(cols.cue_kind, "cue_kind")?;
    let ca = i32s(cols.cue_a_at, "cue_a_at")?;
    let cb = i32s(cols.cue_b_at, "cue_b_at")?;
    let pairs = candidates(&at, &cue_a, &cue_b, &kind, &ca, &cb)?;
    let n_candidates = pairs.len() as i64;
    let mut texts = Vec::with_capacity(n);
    for (i, r) in text_ranges.into_iter().enumerate() {
        let t = std::str::from_utf8(&cols.text_data[r.clone()]).map_err(|e| {
            PyValueError::new_err(format!(
                "verify_columns: the text of article {i} (id {}, text_data[{}..{}]) is not UTF-8: {e}",
                ids[i], r.start, r.end
            ))
        })?;
        texts.push(t);
    }
    let mut boilerplate: Vec<HashMap<u64, u32>> = Vec::with_capacity(n);
    for (i, r) in bp_ranges.into_iter().enumerate() {
        let mut m = HashMap::with_capacity(r.len());
        for j in r {
            let count = u32::try_from(bp_articles[j]).map_err(|_| {
                PyValueError::new_err(format!(
                    "verify_columns: bp_articles[{j}] = {} (article {i}) is negative",
                    bp_articles[j]
                ))
            })?;
            m.insert(bp_keys[j] as u64, count);
        }
        boilerplate.push(m);
    }

    let pool = pool(py)?;
    let out = py.detach(|| {
        pool.install(|| {
            let mut out = Out::default();
            let mut used = vec![false; n];
            for chunk in pairs.chunks(CHUNK) {
                used.iter_mut().for_each(|u| *u = false);
                for p in chunk {
                    used[p.a] = true;
                    used[p.b] = true;
                }
                // Each article of the chunk once, whatever its pairs.
                let prepared: Vec<Option<Prepared>> = (0..n)
                    .into_par_iter()
                    .map(|i| {
                        used[i].then(|| {
                            let bp = &boilerplate[i];
                            d.prepare(d.analyze(texts[i]), None, |key| bp.get(&key).copied())
                        })
                    })
                    .collect();
                let results: Vec<Option<(f64, ReportData)>> = chunk
                    .par_iter()
                    .map(|p| {
                        let (Some(pa), Some(pb)) = (&prepared[p.a], &prepared[p.b]) else { return None };
                        let (ta, tb) = (texts[p.a], texts[p.b]);
                        let (similarity, report) = d.verify(ta, pa, tb, pb, p.cues.iter().copied())?;
                        Some((similarity, ReportData::new(report, ta, tb)))
                    })
                    .collect();
                for (p, r) in chunk.iter().zip(results) {
                    let Some((similarity, report)) = r else { continue };
                    out.push(p, ids[p.a], ids[p.b], similarity, &report)?;
                }
            }
            Ok::<Out, PyErr>(out)
        })
    })?;
    let d = out.into_dict(py)?;
    d.set_item("candidates", PyBytes::new(py, &n_candidates.to_le_bytes()))?;
    Ok(d)
}

impl Out {
    fn push(&mut self, p: &Candidate, a: i64, b: i64, similarity: f64, r: &ReportData) -> PyResult<()> {
        self.a.push(a);
        self.b.push(b);
        self.a_index.push(p.a as i64);
        self.b_index.push(p.b as i64);
        self.candidate_similarity.push(similarity);
        let i = &r.inner;
        for (col, v) in self.words.iter_mut().zip([i.a_words, i.b_words, i.a_covered_words, i.b_covered_words]) {
            col.push(v as i64);
        }
        for (col, v) in self.coverage.iter_mut().zip([i.a_coverage(), i.b_coverage()]) {
            col.push(v);
        }
        self.passages.push(&r.passages)?;
        self.boilerplate.push(&r.boilerplate)
    }

    fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        let i64s = |v: &[i64]| PyBytes::new(py, &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
        let f64s = |v: &[f64]| PyBytes::new(py, &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
        let i32s = |v: &[i32]| PyBytes::new(py, &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
        d.set_item("a", i64s(&self.a))?;
        d.set_item("b", i64s(&self.b))?;
        d.set_item("a_index", i64s(&self.a_index))?;
        d.set_item("b_index", i64s(&self.b_index))?;
        d.set_item("candidate_similarity", f64s(&self.candidate_similarity))?;
        for (name, col) in ["a_words", "b_words", "a_covered_words", "b_covered_words"].iter().zip(&self.words) {
            d.set_item(*name, i64s(col))?;
        }
        for (name, col) in ["a_coverage", "b_coverage"].iter().zip(&self.coverage) {
            d.set_item(*name, f64s(col))?;
        }
        for (list, p) in [("passages", &self.passages), ("boilerplate", &self.boilerplate)] {
            d.set_item(format!("{list}.offsets"), i32s(&p.offsets))?;
            for (name, col) in INT_FIELDS.iter().zip(&p.ints) {
                d.set_item(format!("{list}.{name}"), i64s(col))?;
            }
            for (name, col) in FLOAT_FIELDS.iter().zip(&p.floats) {
                d.set_item(format!("{list}.{name}"), f64s(col))?;
            }
            d.set_item(format!("{list}.boilerplate"), PyBytes::new(py, &p.boilerplate))?;
        }
        Ok(d)
    }
}

/// The input buffers of `verify_columns` (see `Detector.verify_columns`).
pub struct Inputs<'a> {
    pub ids: &'a [u8],
    pub text_offsets: &'a [u8],
    pub text_data: &'a [u8],
    pub bp_offsets: &'a [u8],
    pub bp_keys: &'a [u8],
    pub bp_articles: &'a [u8],
    pub cue_a: &'a [u8],
    pub cue_b: &'a [u8],
    pub cue_kind: &'a [u8],
    pub cue_a_at: &'a [u8],
    pub cue_b_at: &'a [u8],
}
