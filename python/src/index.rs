//! `Index`: a corpus of articles by id (the crate's `Index`), with
//! `Match`, `QueryResult`, `Pair`, the `Pairs` iterator, `Group`,
//! `Saturation` and `group_near_duplicates`.
//!
//! # Threads
//!
//! The index is an `RwLock<Arc<neardup::Index>>`. Every method takes the
//! lock *after* releasing the GIL and lets it go before taking the GIL
//! back, so no thread ever waits for the lock while holding the GIL (or the
//! other way round): queries from several Python threads run at once, an
//! insertion waits for the queries under way.
//!
//! A `pairs()` iterator holds a clone of the `Arc` (the crate's `Pairs`
//! borrows the index it walks), so while one is open the index cannot
//! change: an insertion or removal then raises `RuntimeError` instead of
//! copying the index behind the user's back or waiting for ever. The
//! iterator lets go of the index when it is exhausted, closed or deleted.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use neardup::corpus::Article;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple, PyType};

use crate::detector::Detector;
use crate::errors::{IntoPyResult, type_name, u64_arg};
use crate::pool::pool;
use crate::report::{Report, ReportData, ReportState, reduce};

/// Pairs computed per step of a `Pairs` iterator (without the GIL).
const PAIRS_PER_STEP: usize = 64;

/// A group of near-duplicate articles.
#[pyclass(frozen, eq, module = "neardup", name = "Group")]
#[derive(Clone, PartialEq)]
pub struct Group(neardup::Group);

#[pymethods]
impl Group {
    /// The article every other member is a verified near-duplicate of.
    #[getter]
    fn representative(&self) -> u64 {
        self.0.representative
    }
    /// All members, the representative included, in increasing id order.
    #[getter]
    fn members(&self) -> Vec<u64> {
        self.0.members.clone()
    }
    /// The members (the same list as `members`).
    #[getter]
    fn ids(&self) -> Vec<u64> {
        self.0.members.clone()
    }
    fn __len__(&self) -> usize {
        self.0.members.len()
    }
    #[classmethod]
    fn _from_state(_cls: &Bound<'_, PyType>, state: (u64, Vec<u64>)) -> Group {
        Group(neardup::Group { representative: state.0, members: state.1 })
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce::<Group, _>(py, (self.0.representative, self.0.members.clone()))
    }
    fn __repr__(&self) -> String {
        format!("Group(representative={}, members={:?})", self.0.representative, self.0.members)
    }
}

fn groups(v: Vec<neardup::Group>) -> Vec<Group> {
    v.into_iter().map(Group).collect()
}

/// Groups near-duplicate edges `(a, b)` (ids) with the policy of
/// `Index.near_duplicate_groups`: greedy cliques, no chaining (`A ~ B ~ C`
/// with `A` and `C` unrelated never makes one group). Groups come sorted by
/// representative, members in increasing id order.
#[pyfunction]
pub fn group_near_duplicates(py: Python<'_>, edges: &Bound<'_, PyAny>) -> PyResult<Vec<Group>> {
    let mut pairs = Vec::new();
    let iter = edges
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("edges must be an iterable of (a, b), not {}", type_name(edges))))?;
    for (i, edge) in iter.enumerate() {
        let edge = edge?;
        let ab: Vec<Bound<'_, PyAny>> = match edge.extract() {
            Ok(v) if !edge.is_instance_of::<pyo3::types::PyString>() => v,
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "edges[{i}] must be a pair (a, b), not {}",
                    type_name(&edge)
                )));
            }
        };
        let [a, b] = &ab[..] else {
            return Err(PyTypeError::new_err(format!("edges[{i}] must be a pair (a, b), not {} items", ab.len())));
        };
        pairs.push((u64_arg(a, &format!("edges[{i}][0]"))?, u64_arg(b, &format!("edges[{i}][1]"))?));
    }
    Ok(groups(py.detach(|| neardup::group::group_near_duplicates(pairs))))
}

/// What the caps cut: LSH buckets past `max_bucket` and run fingerprints
/// past `max_df` (see the crate's `Saturation`).
#[pyclass(frozen, eq, module = "neardup", name = "Saturation")]
#[derive(Clone, PartialEq)]
pub struct Saturation(neardup::Saturation);

#[pymethods]
impl Saturation {
    /// Buckets (over all bands) with more than `max_bucket` live entries.
    #[getter]
    fn buckets(&self) -> usize {
        self.0.buckets
    }
    /// Entries past the cap in those buckets.
    #[getter]
    fn entries(&self) -> usize {
        self.0.entries
    }
    /// Distinct articles with at least one entry past the cap.
    #[getter]
    fn articles(&self) -> usize {
        self.0.articles
    }
    /// Run fingerprints held by more than `max_df` articles (they propose no pair).
    #[getter]
    fn fingerprints(&self) -> usize {
        self.0.fingerprints
    }
    /// The entries (one per article) of those fingerprints.
    #[getter]
    fn fingerprint_entries(&self) -> usize {
        self.0.fingerprint_entries
    }
    /// Whether the caps cut nothing.
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every count as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("buckets", self.0.buckets)?;
        d.set_item("entries", self.0.entries)?;
        d.set_item("articles", self.0.articles)?;
        d.set_item("fingerprints", self.0.fingerprints)?;
        d.set_item("fingerprint_entries", self.0.fingerprint_entries)?;
        Ok(d)
    }
    #[classmethod]
    fn _from_state(_cls: &Bound<'_, PyType>, state: (usize, usize, usize, usize, usize)) -> Saturation {
        let (buckets, entries, articles, fingerprints, fingerprint_entries) = state;
        Saturation(neardup::Saturation { buckets, entries, articles, fingerprints, fingerprint_entries })
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let s = &self.0;
        reduce::<Saturation, _>(py, (s.buckets, s.entries, s.articles, s.fingerprints, s.fingerprint_entries))
    }
    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "Saturation(buckets={}, entries={}, articles={}, fingerprints={}, fingerprint_entries={})",
            s.buckets, s.entries, s.articles, s.fingerprints, s.fingerprint_entries
        )
    }
}

/// One indexed article that a query shares passages with.
#[pyclass(frozen, module = "neardup", name = "Match")]
pub struct Match {
    id: u64,
    candidate_similarity: f64,
    report: ReportData,
    duplicates: Vec<u64>,
}

#[pymethods]
impl Match {
    /// The article's id.
    #[getter]
    fn id(&self) -> u64 {
        self.id
    }
    /// The highest exact similarity of a candidate unit pair (1 when a
    /// shared run of words let verification pass).
    #[getter]
    fn candidate_similarity(&self) -> f64 {
        self.candidate_similarity
    }
    /// The passages: `a` is the query, `b` the indexed article.
    #[getter]
    fn report(&self) -> Report {
        Report(self.report.clone())
    }
    /// Ids of the indexed exact duplicates of this article (the same
    /// passages, at their own offsets), in increasing order.
    #[getter]
    fn duplicates(&self) -> Vec<u64> {
        self.duplicates.clone()
    }
    #[classmethod]
    fn _from_state(_cls: &Bound<'_, PyType>, state: (u64, f64, ReportState, Vec<u64>)) -> Match {
        let (id, candidate_similarity, report, duplicates) = state;
        Match { id, candidate_similarity, report: ReportData::from_state(report), duplicates }
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce::<Match, _>(py, (self.id, self.candidate_similarity, self.report.state(), self.duplicates.clone()))
    }
    fn __repr__(&self) -> String {
        format!(
            "Match(id={}, candidate_similarity={:.3}, {} passage(s))",
            self.id,
            self.candidate_similarity,
            self.report.passages.len()
        )
    }
}

/// The result of `Index.query`: the matches (a sequence of `Match`, most
/// shared words first, then by id), with what the caps cut.
#[pyclass(frozen, module = "neardup", name = "QueryResult")]
pub struct QueryResult {
    matches: Vec<Py<Match>>,
    result: neardup::QueryResult,
}

impl QueryResult {
    fn new(py: Python<'_>, r: QueryData) -> PyResult<QueryResult> {
        let matches = r.matches.into_iter().map(|m| Py::new(py, m)).collect::<PyResult<Vec<_>>>()?;
        Ok(QueryResult { matches, result: r.counts })
    }
}

#[pymethods]
impl QueryResult {
    /// The matches, as a list.
    #[getter]
    fn matches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.matches.iter().map(|m| m.clone_ref(py)))
    }
    /// LSH buckets past `max_bucket` the query hit (only their first
    /// `max_bucket` entries were examined).
    #[getter]
    fn saturated_buckets(&self) -> usize {
        self.result.saturated_buckets
    }
    /// Entries of those buckets that were not examined.
    #[getter]
    fn skipped_entries(&self) -> usize {
        self.result.skipped_entries
    }
    /// Run fingerprints of the query held by more than `max_df` articles
    /// (they proposed no candidate).
    #[getter]
    fn capped_fingerprints(&self) -> usize {
        self.result.capped_fingerprints
    }
    fn __len__(&self) -> usize {
        self.matches.len()
    }
    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<Py<Match>> {
        let n = self.matches.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("match index {i} out of range ({n} matches)")));
        }
        Ok(self.matches[j as usize].clone_ref(py))
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.matches(py)?.try_iter().map(Bound::into_any)
    }
    fn __repr__(&self) -> String {
        let r = &self.result;
        format!(
            "QueryResult({} match(es), saturated_buckets={}, skipped_entries={}, capped_fingerprints={})",
            self.matches.len(),
            r.saturated_buckets,
            r.skipped_entries,
            r.capped_fingerprints
        )
    }
}

/// A query's result computed without the GIL.
struct QueryData {
    matches: Vec<Match>,
    counts: neardup::QueryResult,
}

fn query_data(index: &neardup::Index, query: &str, mut r: neardup::QueryResult) -> QueryData {
    let matches = std::mem::take(&mut r.matches)
        .into_iter()
        .map(|m| {
            // Texts are in memory in a Python index: reading one cannot fail.
            let text = index.text(m.id).ok().flatten().unwrap_or_default();
            Match {
                id: m.id,
                candidate_similarity: m.candidate_similarity,
                report: ReportData::new(m.report, query, &text),
                duplicates: m.duplicates,
            }
        })
        .collect();
    QueryData { matches, counts: r }
}

/// Two indexed articles that share passages (`a < b`).
#[pyclass(frozen, eq, module = "neardup", name = "Pair")]
#[derive(Clone, PartialEq)]
pub struct Pair {
    a: u64,
    b: u64,
    candidate_similarity: f64,
    report: ReportData,
}

impl Pair {
    fn new(p: neardup::Pair, index: &neardup::Index) -> Pair {
        // Texts are in memory in a Python index: reading one cannot fail.
        let text = |id| index.text(id).ok().flatten().unwrap_or_default();
        let (ta, tb) = (text(p.a), text(p.b));
        Pair {
            a: p.a,
            b: p.b,
            candidate_similarity: p.candidate_similarity,
            report: ReportData::new(p.report, &ta, &tb),
        }
    }
}

#[pymethods]
impl Pair {
    /// The smaller id.
    #[getter]
    fn a(&self) -> u64 {
        self.a
    }
    /// The larger id.
    #[getter]
    fn b(&self) -> u64 {
        self.b
    }
    /// The highest exact similarity of a candidate unit pair (1 when a
    /// shared run of words let verification pass).
    #[getter]
    fn candidate_similarity(&self) -> f64 {
        self.candidate_similarity
    }
    /// The shared passages (`a` side is article `a`).
    #[getter]
    fn report(&self) -> Report {
        Report(self.report.clone())
    }
    /// Whether the passages cover at least `min` of the words of both
    /// articles (the edge rule of `near_duplicate_groups`).
    fn is_near_duplicate(&self, min: f64) -> bool {
        self.report.inner.a_coverage() >= min && self.report.inner.b_coverage() >= min
    }
    #[classmethod]
    #[allow(clippy::type_complexity)]
    fn _from_state(_cls: &Bound<'_, PyType>, state: (u64, u64, f64, ReportState)) -> Pair {
        let (a, b, candidate_similarity, report) = state;
        Pair { a, b, candidate_similarity, report: ReportData::from_state(report) }
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce::<Pair, _>(py, (self.a, self.b, self.candidate_similarity, self.report.state()))
    }
    fn __repr__(&self) -> String {
        format!(
            "Pair(a={}, b={}, candidate_similarity={:.3}, {} passage(s))",
            self.a,
            self.b,
            self.candidate_similarity,
            self.report.passages.len()
        )
    }
}

type PairsOf<'a> = neardup::Pairs<'a>;

self_cell::self_cell!(
    /// The crate's `Pairs` iterator with the index it borrows.
    struct PairsCell {
        owner: Arc<neardup::Index>,
        #[not_covariant]
        dependent: PairsOf,
    }
);

/// The iterator of `Index.pairs()`: every pair of articles sharing
/// verified, non-boilerplate passages, once, in increasing `(a, b)` order,
/// computed lazily (a step of pairs at a time, without the GIL, in
/// parallel). `saturation` says what the caps cut. While it is open the
/// index cannot change; `close()` lets it go before the end.
#[pyclass(module = "neardup", name = "Pairs")]
pub struct Pairs {
    cell: Mutex<Option<PairsCell>>,
    buffer: Mutex<VecDeque<Pair>>,
    saturation: neardup::Saturation,
}

#[pymethods]
impl Pairs {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Pair>> {
        // This process's pool (an iterator may outlive a fork).
        let pool = pool(py)?;
        loop {
            if let Some(p) = self.buffer.lock().unwrap_or_else(PoisonError::into_inner).pop_front() {
                return Ok(Some(p));
            }
            let (pool, cell, buffer) = (&pool, &self.cell, &self.buffer);
            // The next step is computed and queued under the iterator's lock,
            // so that threads sharing one iterator get every pair once, in
            // order. Neither lock is ever waited for with the GIL held for
            // long: the buffer's is only held to move pairs in or out.
            let more = py.detach(|| {
                let mut slot = cell.lock().unwrap_or_else(PoisonError::into_inner);
                let Some(pairs) = slot.as_mut() else { return false };
                let step = pool.install(|| {
                    pairs.with_dependent_mut(|index, it| {
                        it.by_ref().take(PAIRS_PER_STEP).map(|p| Pair::new(p, index)).collect::<Vec<_>>()
                    })
                });
                if step.is_empty() {
                    // Exhausted: let go of the index.
                    *slot = None;
                    return false;
                }
                buffer.lock().unwrap_or_else(PoisonError::into_inner).extend(step);
                true
            });
            if !more {
                // Another thread may have queued the last pairs meanwhile.
                return Ok(self.buffer.lock().unwrap_or_else(PoisonError::into_inner).pop_front());
            }
        }
    }

    /// What the caps cut from these pairs (known before the first pair).
    #[getter]
    fn saturation(&self) -> Saturation {
        Saturation(self.saturation)
    }

    /// Stops the iteration and lets go of the index (so it can change).
    fn close(&self, py: Python<'_>) {
        let cell = &self.cell;
        let old = py.detach(|| cell.lock().unwrap_or_else(PoisonError::into_inner).take());
        drop(old);
        self.buffer.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// A corpus of articles by id, to find which articles reuse passages from
/// which (the Rust crate's `Index`).
///
/// `Index(detector=None, **settings)`: with a `Detector`, or with the
/// settings of one (not both). Articles are kept (their text, for
/// verification and alignment). Methods release the GIL while they work;
/// queries from several threads run at once. While a `pairs()` iterator is
/// open, the index cannot change (`RuntimeError`). Pickles (as its bytes).
#[pyclass(frozen, module = "neardup", name = "Index")]
pub struct Index {
    inner: RwLock<Arc<neardup::Index>>,
}

impl Index {
    fn from_index(index: neardup::Index) -> Index {
        Index { inner: RwLock::new(Arc::new(index)) }
    }

    /// Runs `f` on the index without the GIL, under the read lock.
    fn read<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&neardup::Index) -> R + Send) -> R {
        let lock = &self.inner;
        py.detach(|| {
            let guard = lock.read().unwrap_or_else(PoisonError::into_inner);
            f(&guard)
        })
    }

    /// Runs `f` on the index without the GIL, under the write lock; a
    /// `RuntimeError` if a `pairs()` iterator holds the index.
    fn write<R: Send>(
        &self,
        py: Python<'_>,
        what: &str,
        f: impl FnOnce(&mut neardup::Index) -> R + Send,
    ) -> PyResult<R> {
        let lock = &self.inner;
        let r = py.detach(|| {
            let mut guard = lock.write().unwrap_or_else(PoisonError::into_inner);
            Arc::get_mut(&mut guard).map(f)
        });
        r.ok_or_else(|| {
            PyRuntimeError::new_err(format!(
                "cannot {what}: a pairs() iterator over this index is open (exhaust it, call its close(), or delete it first)"
            ))
        })
    }
}

/// `(id, label, text)` of one item of `insert_many`.
fn article(item: &Bound<'_, PyAny>, i: usize) -> PyResult<(u64, String, PyBackedStr)> {
    let bad = || {
        PyTypeError::new_err(format!(
            "articles[{i}] must be a tuple (id, text) or (id, label, text), not {}",
            type_name(item)
        ))
    };
    if item.is_instance_of::<pyo3::types::PyString>() {
        return Err(bad());
    }
    let parts: Vec<Bound<'_, PyAny>> = item.extract().map_err(|_| bad())?;
    let (id, label, text) = match &parts[..] {
        [id, text] => (id, None, text),
        [id, label, text] => (id, Some(label), text),
        _ => return Err(bad()),
    };
    let id = u64_arg(id, &format!("articles[{i}]: the id"))?;
    let label = match label {
        None => String::new(),
        Some(l) => l.extract().map_err(|_| {
            PyTypeError::new_err(format!("articles[{i}]: the label must be a str, not {}", type_name(l)))
        })?,
    };
    let text = text_arg(text, &format!("articles[{i}]: the text"))?;
    Ok((id, label, text))
}

/// A `str` argument (a `TypeError` naming `what` otherwise; a string that
/// is not valid Unicode, with a lone surrogate, is Python's
/// `UnicodeEncodeError`).
fn text_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<PyBackedStr> {
    if !obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(format!("{what} must be a str, not {}", type_name(obj))));
    }
    obj.extract()
}

#[pymethods]
impl Index {
    #[new]
    #[pyo3(signature = (detector=None, **settings))]
    fn new(
        py: Python<'_>,
        detector: Option<&Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Index> {
        let detector = match (detector, settings.filter(|s| !s.is_empty())) {
            (Some(_), Some(_)) => {
                return Err(PyTypeError::new_err("Index() takes a detector or settings, not both"));
            }
            (Some(d), None) => match d.cast::<Detector>() {
                Ok(d) => d.get().inner.clone(),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "Index(detector=...) must be a neardup.Detector, not {}",
                        type_name(d)
                    )));
                }
            },
            (None, settings) => Detector::from_kwargs(py, settings, "Index")?.inner,
        };
        Ok(Index::from_index(detector.index()))
    }

    /// The detector (settings) of this index.
    #[getter]
    fn detector(&self, py: Python<'_>) -> Detector {
        Detector { inner: self.read(py, |i| i.detector().clone()) }
    }

    /// Adds article `id` (an int in 0..2**64) with its text and an
    /// optional label (kept and saved, never interpreted).
    /// `neardup.DuplicateIdError` if `id` is already present.
    #[pyo3(signature = (id, text, label = ""))]
    fn insert(&self, py: Python<'_>, id: &Bound<'_, PyAny>, text: &Bound<'_, PyAny>, label: &str) -> PyResult<()> {
        let id = u64_arg(id, "id")?;
        let text = text_arg(text, "text")?;
        let label = label.to_string();
        self.write(py, "insert", |i| i.insert_labeled(id, &label, &text))?.py_err(py)
    }

    /// Adds many articles: an iterable of `(id, text)` or
    /// `(id, label, text)` tuples; all or none (a duplicate id, in the
    /// index or in the batch, fails before anything is added). Reads the
    /// whole iterable first, then fingerprints in parallel without the GIL.
    fn insert_many(&self, py: Python<'_>, articles: &Bound<'_, PyAny>) -> PyResult<()> {
        if articles.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err("articles must be an iterable of (id, text) tuples, not str"));
        }
        let iter = articles.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "articles must be an iterable of (id, text) tuples, not {}",
                type_name(articles)
            ))
        })?;
        let mut batch = Vec::new();
        for (i, item) in iter.enumerate() {
            batch.push(article(&item?, i)?);
        }
        let pool = pool(py)?;
        self.write(py, "insert", |index| {
            pool.install(|| {
                index.par_insert_many(batch.iter().map(|(id, label, text)| Article { id: *id, label, text }))
            })
        })?
        .py_err(py)
    }

    /// Removes article `id`; returns whether it was present.
    fn remove(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = u64_arg(id, "id")?;
        self.write(py, "remove", |i| i.remove(id))
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.read(py, |i| i.len())
    }

    fn __contains__(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> bool {
        // As a dict: anything that is not an id of the index is not in it.
        match id.extract::<u64>() {
            Ok(id) => self.read(py, |i| i.label(id).is_some()),
            Err(_) => false,
        }
    }

    /// The text of article `id`, or `None`.
    fn text(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let id = u64_arg(id, "id")?;
        self.read(py, |i| i.text(id).map(|t| t.map(|t| t.into_owned()))).py_err(py)
    }

    /// The label of article `id`, or `None`.
    fn label(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let id = u64_arg(id, "id")?;
        Ok(self.read(py, |i| i.label(id).map(str::to_string)))
    }

    /// The ids of all articles, in increasing order.
    fn ids(&self, py: Python<'_>) -> Vec<u64> {
        self.read(py, |i| i.ids().collect())
    }

    /// The articles that share verified passages with `text` (its report's
    /// `a` side is the query). Candidates are verified in parallel.
    fn query(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<QueryResult> {
        let text = text_arg(text, "text")?;
        let pool = pool(py)?;
        let data = self.read(py, |i| {
            let r = pool.install(|| i.par_query(&text));
            query_data(i, &text, r)
        });
        QueryResult::new(py, data)
    }

    /// `query` for many texts, in order (each batch in parallel).
    fn query_many(&self, py: Python<'_>, texts: Vec<PyBackedStr>) -> PyResult<Vec<QueryResult>> {
        let pool = pool(py)?;
        let data: Vec<QueryData> = self.read(py, |i| {
            let queries: Vec<&str> = texts.iter().map(|t| &**t).collect();
            let results = pool.install(|| i.par_query_many(&queries));
            results.into_iter().zip(&queries).map(|(r, q)| query_data(i, q, r)).collect()
        });
        data.into_iter().map(|d| QueryResult::new(py, d)).collect()
    }

    /// Every pair of articles that shares verified, non-boilerplate
    /// passages, once (`a < b`), in increasing `(a, b)` order: an iterator
    /// computing them lazily, in parallel, without the GIL. Exact
    /// duplicates take part through their representative only.
    fn pairs(&self, py: Python<'_>) -> PyResult<Pairs> {
        let pool = pool(py)?;
        let lock = &self.inner;
        let (cell, saturation) = py.detach(|| {
            let index = lock.read().unwrap_or_else(PoisonError::into_inner).clone();
            let cell = pool.install(|| PairsCell::new(index, |i| i.par_pairs()));
            let saturation = cell.with_dependent(|_, p| p.saturation());
            (cell, saturation)
        });
        Ok(Pairs { cell: Mutex::new(Some(cell)), buffer: Mutex::new(VecDeque::new()), saturation })
    }

    /// Groups of near-duplicate articles: pairs whose passages cover at
    /// least `min_coverage` of the words of both (cliques, no chaining),
    /// exact duplicates included. `neardup.ArgumentError` unless
    /// `0 < min_coverage <= 1`.
    #[pyo3(signature = (min_coverage = 0.8))]
    fn near_duplicate_groups(&self, py: Python<'_>, min_coverage: f64) -> PyResult<Vec<Group>> {
        let pool = pool(py)?;
        let r = self.read(py, |i| pool.install(|| i.par_near_duplicate_groups(min_coverage)));
        Ok(groups(r.py_err(py)?))
    }

    /// Groups of articles whose texts are exact duplicates (after
    /// normalisation), sorted by representative (the oldest member).
    fn exact_duplicates(&self, py: Python<'_>) -> Vec<Group> {
        groups(self.read(py, |i| i.exact_duplicates()))
    }

    /// What the caps cut from `pairs()` (the same as `pairs().saturation`).
    fn saturation(&self, py: Python<'_>) -> Saturation {
        Saturation(self.read(py, |i| i.saturation()))
    }

    /// The heap bytes of the index by part, approximately: `texts`,
    /// `articles`, `boilerplate`, `band_tables`, `run_table`, `bag_tables`
    /// (the rewritten-candidate tables, 0 unless `rewritten`), `total`;
    /// `texts_on_disk` (bytes on disk, not in `total`) and `run_entries`
    /// (entries of the run table).
    fn memory<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = self.read(py, |i| i.memory());
        let d = PyDict::new(py);
        d.set_item("texts", m.texts)?;
        d.set_item("texts_on_disk", m.texts_on_disk)?;
        d.set_item("articles", m.articles)?;
        d.set_item("boilerplate", m.boilerplate)?;
        d.set_item("band_tables", m.band_tables)?;
        d.set_item("run_table", m.run_table)?;
        d.set_item("bag_tables", m.bag_tables)?;
        d.set_item("total", m.total())?;
        d.set_item("run_entries", m.run_entries)?;
        Ok(d)
    }

    /// Writes the index to `path` (str or os.PathLike), atomically
    /// (a temporary file renamed over it). `OSError` if it cannot.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        self.read(py, |i| i.save(&path)).py_err(py)
    }

    /// Reads an index written by `save`. `OSError` if the file cannot be
    /// read, `neardup.CorruptIndexError` or `neardup.IndexVersionError` if
    /// it is not a valid index of this version (nothing is loaded).
    ///
    /// With `texts_dir` (str or os.PathLike), the texts stream from the
    /// file to one of the index's own in that directory, as
    /// `store_texts_on_disk` keeps them, and never all sit in memory;
    /// `OSError` naming the directory if the file cannot be made there.
    #[classmethod]
    #[pyo3(signature = (path, texts_dir = None))]
    fn load(_cls: &Bound<'_, PyType>, py: Python<'_>, path: PathBuf, texts_dir: Option<PathBuf>) -> PyResult<Index> {
        let index = py
            .detach(|| match &texts_dir {
                None => neardup::Index::load(&path),
                Some(dir) => neardup::Index::load_with_texts_on_disk(&path, dir),
            })
            .py_err(py)?;
        Ok(Index::from_index(index))
    }

    /// Keeps the articles' texts on disk from now on, in a file of the
    /// index's own in directory `dir` (str or os.PathLike): texts already
    /// in memory move there, and so do those of later insertions. The index
    /// then holds in memory only what proposes candidates, and reads each
    /// text back when an article is verified (one read per article and
    /// batch of `pairs()` or queries). The file has no name (no other
    /// process can open or change it) and disappears with the index. An
    /// index with its texts on disk answers, saves, pickles and copies like
    /// one without.
    ///
    /// `OSError` naming `dir` if the file cannot be made or written (the
    /// index is then as it was); `RuntimeError` while a `pairs()` iterator
    /// is open. A text that cannot be read back later is counted in
    /// `read_errors`.
    fn store_texts_on_disk(&self, py: Python<'_>, dir: PathBuf) -> PyResult<()> {
        self.write(py, "store texts on disk", |i| i.store_texts_on_disk(&dir))?.py_err(py)
    }

    /// Whether the index keeps its texts on disk (`store_texts_on_disk`,
    /// or `load(path, texts_dir=...)`).
    #[getter]
    fn texts_on_disk(&self, py: Python<'_>) -> bool {
        self.read(py, |i| i.texts_on_disk())
    }

    /// Texts that could not be read back from the index's text file on
    /// disk since the index was made (I/O errors of the disk; always 0 for
    /// texts in memory). The pairs, matches and group edges that needed
    /// such a text are missing: check that this is 0 after `pairs()` or a
    /// query to know that none is.
    #[getter]
    fn read_errors(&self, py: Python<'_>) -> usize {
        self.read(py, |i| i.read_errors())
    }

    /// The index in its file format, as bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.read(py, |i| i.to_bytes()).py_err(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// An index from `to_bytes()`'s bytes.
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: PyBackedBytes) -> PyResult<Index> {
        let index = py.detach(|| neardup::Index::from_bytes(&data)).py_err(py)?;
        Ok(Index::from_index(index))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let rebuild = py.get_type::<Index>().getattr("from_bytes")?;
        let args = PyTuple::new(py, [slf.get().to_bytes(py)?])?;
        Ok((rebuild, args))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (len, config) = self.read(py, |i| (i.len(), i.detector().config().clone()));
        Ok(format!("Index({len} article(s), Detector({}))", crate::settings::non_default(py, &config)?))
    }
}
