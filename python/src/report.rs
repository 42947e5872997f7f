//! `Report` and `Passage`: the crate's records with character offsets into
//! the Python strings beside the byte offsets.
//!
//! A Python string is indexed by code points, the crate's spans by UTF-8
//! bytes. The character offsets of a report are computed in one pass over
//! each text: the byte offsets of all its passages, sorted, are walked once,
//! counting the characters between one and the next (a character is a byte
//! that is not a UTF-8 continuation byte).

use pyo3::BoundObject;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

/// Character offsets of `offsets` (bytes into `text`), in one pass over
/// the text up to the largest. Offsets past the end count the whole text
/// (the crate never returns one; nothing here can panic on one either).
pub fn char_offsets(text: &str, offsets: impl IntoIterator<Item = usize>) -> CharMap {
    let mut sorted: Vec<usize> = offsets.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let bytes = text.as_bytes();
    let mut chars = Vec::with_capacity(sorted.len());
    let (mut at, mut count) = (0usize, 0usize);
    for &offset in &sorted {
        let end = offset.min(bytes.len());
        // Continuation bytes are 0b10xx_xxxx (as i8: below -64).
        count += bytes[at.min(end)..end].iter().filter(|&&b| (b as i8) >= -0x40).count();
        at = end;
        chars.push(count);
    }
    CharMap { bytes: sorted, chars }
}

/// Byte offsets and their character offsets, sorted.
pub struct CharMap {
    bytes: Vec<usize>,
    chars: Vec<usize>,
}

impl CharMap {
    /// The character offset of a byte offset given to [`char_offsets`].
    pub fn get(&self, byte: usize) -> usize {
        match self.bytes.binary_search(&byte) {
            Ok(i) => self.chars[i],
            // Not given: never happens; 0 rather than a panic.
            Err(_) => 0,
        }
    }
}

/// The pickled state of a passage: the crate's fields, then the
/// character offsets, whether it is boilerplate, and its kind (0 exact, 1
/// edited, 2 rewritten).
pub type PassageState = (
    (usize, usize, usize, usize),
    (usize, usize, usize, usize),
    usize,
    (f64, f64, f64, f64),
    u32,
    [usize; 4],
    bool,
    u8,
);

fn kind_of(code: u8) -> neardup::PassageKind {
    match code {
        0 => neardup::PassageKind::Exact,
        1 => neardup::PassageKind::Edited,
        _ => neardup::PassageKind::Rewritten,
    }
}

impl PassageData {
    fn state(&self) -> PassageState {
        let p = &self.inner;
        (
            (p.a.start, p.a.end, p.b.start, p.b.end),
            (p.a_tokens.start, p.a_tokens.end, p.b_tokens.start, p.b_tokens.end),
            p.matched_words,
            (p.similarity, p.containment_a, p.containment_b, p.bag_similarity),
            p.boilerplate_articles,
            self.chars,
            self.boilerplate,
            crate::columns::kind_code(p.kind) as u8,
        )
    }

    fn from_state(s: PassageState) -> PassageData {
        let (
            (a0, a1, b0, b1),
            (ta0, ta1, tb0, tb1),
            matched_words,
            (similarity, containment_a, containment_b, bag_similarity),
            n,
            chars,
            boilerplate,
            kind,
        ) = s;
        PassageData {
            inner: neardup::Passage {
                a: neardup::Span { start: a0, end: a1 },
                b: neardup::Span { start: b0, end: b1 },
                a_tokens: ta0..ta1,
                b_tokens: tb0..tb1,
                matched_words,
                kind: kind_of(kind),
                similarity,
                bag_similarity,
                containment_a,
                containment_b,
                boilerplate_articles: n,
            },
            chars,
            boilerplate,
        }
    }
}

/// The pickled state of a report: words and covered words of each side,
/// passages, boilerplate passages.
pub type ReportState = ((usize, usize, usize, usize), Vec<PassageState>, Vec<PassageState>);

impl ReportData {
    pub fn state(&self) -> ReportState {
        let r = &self.inner;
        (
            (r.a_words, r.b_words, r.a_covered_words, r.b_covered_words),
            self.passages.iter().map(PassageData::state).collect(),
            self.boilerplate.iter().map(PassageData::state).collect(),
        )
    }

    pub fn from_state(s: ReportState) -> ReportData {
        let ((a_words, b_words, a_covered_words, b_covered_words), passages, boilerplate) = s;
        let passages: Vec<PassageData> = passages.into_iter().map(PassageData::from_state).collect();
        let boilerplate: Vec<PassageData> = boilerplate.into_iter().map(PassageData::from_state).collect();
        let inner = neardup::Report {
            passages: passages.iter().map(|p| p.inner.clone()).collect(),
            a_words,
            b_words,
            a_covered_words,
            b_covered_words,
            boilerplate: boilerplate.iter().map(|p| p.inner.clone()).collect(),
        };
        ReportData { inner, passages, boilerplate }
    }
}

/// `(cls._from_state, (state,))`: what `__reduce__` returns.
pub fn reduce<'py, T: pyo3::PyTypeInfo, S: IntoPyObject<'py>>(
    py: Python<'py>,
    state: S,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let rebuild = py.get_type::<T>().getattr("_from_state")?;
    let state = state.into_pyobject(py).map_err(Into::into)?.into_any().into_bound();
    Ok((rebuild, PyTuple::new(py, [state])?))
}

/// One passage: its character offsets `[a_start, a_end, b_start, b_end]`
/// beside the crate's record.
#[derive(Clone, Debug, PartialEq)]
pub struct PassageData {
    pub inner: neardup::Passage,
    pub chars: [usize; 4],
    pub boilerplate: bool,
}

/// A report with its passages' character offsets, computed without the GIL.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportData {
    pub inner: neardup::Report,
    pub passages: Vec<PassageData>,
    pub boilerplate: Vec<PassageData>,
}

impl ReportData {
    /// The report of texts `a` and `b` (in the report's order), with
    /// character offsets: one pass over each text.
    pub fn new(report: neardup::Report, a: &str, b: &str) -> ReportData {
        let all = || report.passages.iter().chain(&report.boilerplate);
        let ca = char_offsets(a, all().flat_map(|p| [p.a.start, p.a.end]));
        let cb = char_offsets(b, all().flat_map(|p| [p.b.start, p.b.end]));
        let data = |p: &neardup::Passage, boilerplate: bool| PassageData {
            inner: p.clone(),
            chars: [ca.get(p.a.start), ca.get(p.a.end), cb.get(p.b.start), cb.get(p.b.end)],
            boilerplate,
        };
        let passages = report.passages.iter().map(|p| data(p, false)).collect();
        let boilerplate = report.boilerplate.iter().map(|p| data(p, true)).collect();
        ReportData { inner: report, passages, boilerplate }
    }
}

/// One reused passage: where it is in each text and how alike the two
/// sides are.
///
/// `a_start`, `a_end`, `b_start` and `b_end` are character offsets into
/// the Python strings (`a[p.a_start:p.a_end]` is the passage in `a`);
/// `a_bytes` and `b_bytes` are the same spans as `(start, end)` offsets
/// into the UTF-8 encoding, as the Rust crate gives them.
#[pyclass(frozen, eq, module = "neardup", name = "Passage")]
#[derive(Clone, PartialEq)]
pub struct Passage(pub PassageData);

#[pymethods]
impl Passage {
    /// Start of the passage in `a` (characters).
    #[getter]
    fn a_start(&self) -> usize {
        self.0.chars[0]
    }
    /// End of the passage in `a` (characters, exclusive).
    #[getter]
    fn a_end(&self) -> usize {
        self.0.chars[1]
    }
    /// Start of the passage in `b` (characters).
    #[getter]
    fn b_start(&self) -> usize {
        self.0.chars[2]
    }
    /// End of the passage in `b` (characters, exclusive).
    #[getter]
    fn b_end(&self) -> usize {
        self.0.chars[3]
    }
    /// `(start, end)` of the passage in `a`, in UTF-8 bytes.
    #[getter]
    fn a_bytes(&self) -> (usize, usize) {
        (self.0.inner.a.start, self.0.inner.a.end)
    }
    /// `(start, end)` of the passage in `b`, in UTF-8 bytes.
    #[getter]
    fn b_bytes(&self) -> (usize, usize) {
        (self.0.inner.b.start, self.0.inner.b.end)
    }
    /// `(start, end)` indices of `a`'s words inside the passage.
    #[getter]
    fn a_tokens(&self) -> (usize, usize) {
        (self.0.inner.a_tokens.start, self.0.inner.a_tokens.end)
    }
    /// `(start, end)` indices of `b`'s words inside the passage.
    #[getter]
    fn b_tokens(&self) -> (usize, usize) {
        (self.0.inner.b_tokens.start, self.0.inner.b_tokens.end)
    }
    /// Words matched word for word (the same seen from either side).
    #[getter]
    fn matched_words(&self) -> usize {
        self.0.inner.matched_words
    }
    /// How the passage was reused: `"exact"` (every word matched),
    /// `"edited"` (changed words bridged) or `"rewritten"` (words
    /// reordered, substituted or paraphrased).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.inner.kind.as_str()
    }
    /// Exact Jaccard similarity of the two spans' shingle sets.
    #[getter]
    fn similarity(&self) -> f64 {
        self.0.inner.similarity
    }
    /// Cosine similarity of the two spans as weighted bags of word stems
    /// (the similarity of rewritten reuse).
    #[getter]
    fn bag_similarity(&self) -> f64 {
        self.0.inner.bag_similarity
    }
    /// The passage's score, of its kind: `bag_similarity` for a rewritten
    /// passage, `similarity` for the others.
    #[getter]
    fn score(&self) -> f64 {
        let p = &self.0.inner;
        if p.kind == neardup::PassageKind::Rewritten { p.bag_similarity } else { p.similarity }
    }
    /// How much of `a`'s span's shingle set is in `b`'s.
    #[getter]
    fn containment_a(&self) -> f64 {
        self.0.inner.containment_a
    }
    /// How much of `b`'s span's shingle set is in `a`'s.
    #[getter]
    fn containment_b(&self) -> f64 {
        self.0.inner.containment_b
    }
    /// Whether the passage is made of boilerplate (it is then in
    /// `Report.boilerplate`, never in `Report.passages`).
    #[getter]
    fn boilerplate(&self) -> bool {
        self.0.boilerplate
    }
    /// For a boilerplate passage, the number of indexed articles holding
    /// its boilerplate text; 0 for any other passage.
    #[getter]
    fn boilerplate_articles(&self) -> u32 {
        self.0.inner.boilerplate_articles
    }

    /// The same passage seen from the other side (`a` and `b` swapped).
    fn swapped(&self) -> Passage {
        let d = &self.0;
        Passage(PassageData {
            inner: d.inner.swapped(),
            chars: [d.chars[2], d.chars[3], d.chars[0], d.chars[1]],
            boilerplate: d.boilerplate,
        })
    }

    /// Every field as a plain dict (tuples for the spans), e.g. for JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("a_start", self.a_start())?;
        d.set_item("a_end", self.a_end())?;
        d.set_item("b_start", self.b_start())?;
        d.set_item("b_end", self.b_end())?;
        d.set_item("a_bytes", self.a_bytes())?;
        d.set_item("b_bytes", self.b_bytes())?;
        d.set_item("a_tokens", self.a_tokens())?;
        d.set_item("b_tokens", self.b_tokens())?;
        d.set_item("matched_words", self.matched_words())?;
        d.set_item("kind", self.kind())?;
        d.set_item("similarity", self.similarity())?;
        d.set_item("bag_similarity", self.bag_similarity())?;
        d.set_item("containment_a", self.containment_a())?;
        d.set_item("containment_b", self.containment_b())?;
        d.set_item("boilerplate", self.boilerplate())?;
        d.set_item("boilerplate_articles", self.boilerplate_articles())?;
        Ok(d)
    }

    #[classmethod]
    fn _from_state(_cls: &Bound<'_, PyType>, state: PassageState) -> Passage {
        Passage(PassageData::from_state(state))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce::<Passage, _>(py, self.0.state())
    }

    fn __repr__(&self) -> String {
        let d = &self.0;
        format!(
            "Passage(a={}..{}, b={}..{}, matched_words={}, similarity={:.3}{})",
            d.chars[0],
            d.chars[1],
            d.chars[2],
            d.chars[3],
            d.inner.matched_words,
            d.inner.similarity,
            if d.boilerplate {
                format!(", boilerplate_articles={}", d.inner.boilerplate_articles)
            } else {
                String::new()
            }
        )
    }
}

/// Everything two texts share: the passages (in order of their start in
/// `a`, then in `b`) and how much of each text they cover. Compares equal
/// to a report with the same fields, and pickles.
#[pyclass(frozen, eq, module = "neardup", name = "Report")]
#[derive(Clone, PartialEq)]
pub struct Report(pub ReportData);

#[pymethods]
impl Report {
    /// The shared passages (a new list of `Passage` at each access).
    #[getter]
    fn passages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.passages.iter().map(|p| Passage(p.clone())))
    }
    /// Passages made of boilerplate (listed only by an `Index` whose
    /// detector has `report_boilerplate=True`); never in `passages` or the
    /// coverage. Empty for `Detector.compare`.
    #[getter]
    fn boilerplate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.boilerplate.iter().map(|p| Passage(p.clone())))
    }
    /// Words in `a`.
    #[getter]
    fn a_words(&self) -> usize {
        self.0.inner.a_words
    }
    /// Words in `b`.
    #[getter]
    fn b_words(&self) -> usize {
        self.0.inner.b_words
    }
    /// Words of `a` inside at least one passage's span.
    #[getter]
    fn a_covered_words(&self) -> usize {
        self.0.inner.a_covered_words
    }
    /// Words of `b` inside at least one passage's span.
    #[getter]
    fn b_covered_words(&self) -> usize {
        self.0.inner.b_covered_words
    }
    /// Fraction of `a`'s words inside reused passages (0 for an empty text).
    #[getter]
    fn a_coverage(&self) -> f64 {
        self.0.inner.a_coverage()
    }
    /// Fraction of `b`'s words inside reused passages (0 for an empty text).
    #[getter]
    fn b_coverage(&self) -> f64 {
        self.0.inner.b_coverage()
    }

    /// The same report with the two texts' roles swapped.
    fn swapped(&self) -> Report {
        let inner = self.0.inner.swapped();
        let swap = |v: &[PassageData]| {
            let mut out: Vec<PassageData> = v
                .iter()
                .map(|d| PassageData {
                    inner: d.inner.swapped(),
                    chars: [d.chars[2], d.chars[3], d.chars[0], d.chars[1]],
                    boilerplate: d.boilerplate,
                })
                .collect();
            out.sort_by_key(|d| (d.inner.a, d.inner.b));
            out
        };
        Report(ReportData { passages: swap(&self.0.passages), boilerplate: swap(&self.0.boilerplate), inner })
    }

    /// Every field as plain dicts and lists, e.g. for JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let list = |v: &[PassageData]| -> PyResult<Bound<'py, PyList>> {
            PyList::new(py, v.iter().map(|p| Passage(p.clone()).to_dict(py)).collect::<PyResult<Vec<_>>>()?)
        };
        d.set_item("passages", list(&self.0.passages)?)?;
        d.set_item("boilerplate", list(&self.0.boilerplate)?)?;
        d.set_item("a_words", self.a_words())?;
        d.set_item("b_words", self.b_words())?;
        d.set_item("a_covered_words", self.a_covered_words())?;
        d.set_item("b_covered_words", self.b_covered_words())?;
        d.set_item("a_coverage", self.a_coverage())?;
        d.set_item("b_coverage", self.b_coverage())?;
        Ok(d)
    }

    #[classmethod]
    fn _from_state(_cls: &Bound<'_, PyType>, state: ReportState) -> Report {
        Report(ReportData::from_state(state))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce::<Report, _>(py, self.0.state())
    }

    fn __repr__(&self) -> String {
        format!(
            "Report({} passage(s), {} boilerplate, a_coverage={:.3}, b_coverage={:.3})",
            self.0.passages.len(),
            self.0.boilerplate.len(),
            self.a_coverage(),
            self.b_coverage()
        )
    }
}
