//! `Detector`: the validated settings and every method that needs only
//! them (compare, and the stages of a distributed job, in `stages.rs`).

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyTuple, PyType};
use rayon::prelude::*;

use crate::columns;
use crate::cues;
use crate::errors::IntoPyResult;
use crate::pool::pool;
use crate::report::{Report, ReportData};
use crate::settings;
use crate::stages;

/// Finds reused passages between texts, with one validated configuration.
///
/// `Detector(**settings)` takes every setting of the Rust crate's `Config`
/// by its name (`shingle_size`, `num_hashes`, `threshold`, `bands_rows`,
/// `seed`, `unit`, `min_words`, `max_gap`, `max_bucket`, `anchor_words`,
/// `max_df`, `similar_units`, `boilerplate_contexts`, `report_boilerplate`);
/// the others keep their defaults. An unknown name is a `TypeError`, a
/// value of the wrong type a `TypeError` naming the setting, an invalid
/// value a `neardup.ConfigError` (a `ValueError`) naming it.
///
/// A detector is immutable, can be shared between threads, compares equal
/// to another with the same settings, and pickles (by its settings).
#[pyclass(frozen, eq, module = "neardup", name = "Detector")]
#[derive(Clone)]
pub struct Detector {
    pub inner: neardup::Detector,
}

impl PartialEq for Detector {
    fn eq(&self, other: &Detector) -> bool {
        self.inner.config() == other.inner.config()
    }
}

impl Detector {
    /// A detector from keyword arguments, validated.
    pub fn from_kwargs(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>, caller: &str) -> PyResult<Detector> {
        let config = settings::config(kwargs, caller)?;
        Ok(Detector { inner: neardup::Detector::new(config).py_err(py)? })
    }
}

#[pymethods]
impl Detector {
    #[new]
    #[pyo3(signature = (**settings))]
    fn new(py: Python<'_>, settings: Option<&Bound<'_, PyDict>>) -> PyResult<Detector> {
        Detector::from_kwargs(py, settings, "Detector")
    }

    /// Every setting as a dict: `Detector(**d.settings())` is the same
    /// detector. `unit` is `"sentence"`, `"paragraph"` or
    /// `("window", size)`; `bands_rows` is `None` or `(bands, rows)`.
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        settings::settings(py, self.inner.config())
    }

    /// A detector from a dict of settings (what pickling uses).
    #[classmethod]
    fn _from_settings(_cls: &Bound<'_, PyType>, py: Python<'_>, settings: &Bound<'_, PyDict>) -> PyResult<Detector> {
        Detector::from_kwargs(py, Some(settings), "Detector")
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let rebuild = py.get_type::<Detector>().getattr("_from_settings")?;
        let args = PyTuple::new(py, [settings::settings(py, slf.get().inner.config())?])?;
        Ok((rebuild, args))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Detector({})", settings::non_default(py, self.inner.config())?))
    }

    /// LSH bands in use (derived from `threshold` and `num_hashes` unless
    /// `bands_rows` is set): the number of band keys per unit in `keys()`.
    #[getter]
    fn bands(&self) -> usize {
        self.inner.lsh().bands
    }
    /// LSH rows per band in use.
    #[getter]
    fn rows(&self) -> usize {
        self.inner.lsh().rows
    }
    /// Words of an anchor as used: `anchor_words`, or `min_words` if smaller.
    #[getter]
    fn anchor(&self) -> usize {
        self.inner.config().anchor()
    }
    /// The `max_df` setting: most articles a run fingerprint may be shared
    /// by and still propose pairs.
    #[getter]
    fn max_df(&self) -> usize {
        self.inner.config().max_df
    }
    /// The `max_bucket` setting: most entries of one LSH bucket examined.
    #[getter]
    fn max_bucket(&self) -> usize {
        self.inner.config().max_bucket
    }
    /// The `boilerplate_contexts` setting: distinct contexts that make a
    /// recurring sentence boilerplate (0: off).
    #[getter]
    fn boilerplate_contexts(&self) -> usize {
        self.inner.config().boilerplate_contexts
    }
    /// The `min_words` setting.
    #[getter]
    fn min_words(&self) -> usize {
        self.inner.config().min_words
    }
    /// The `threshold` setting.
    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.config().threshold
    }
    /// The `similar_units` setting.
    #[getter]
    fn similar_units(&self) -> bool {
        self.inner.config().similar_units
    }
    /// The `report_boilerplate` setting.
    #[getter]
    fn report_boilerplate(&self) -> bool {
        self.inner.config().report_boilerplate
    }

    /// Every passage `a` and `b` share, with character and byte offsets
    /// into both. Symmetric: `compare(b, a) == compare(a, b).swapped()`.
    /// Empty or short text shares nothing. Runs without the GIL.
    fn compare(&self, py: Python<'_>, a: PyBackedStr, b: PyBackedStr) -> Report {
        let d = &self.inner;
        Report(py.detach(|| ReportData::new(d.compare(&a, &b), &a, &b)))
    }

    /// `compare` of many `(a, b)` pairs, in parallel on neardup's threads;
    /// the reports come in the order of the pairs.
    fn compare_many(&self, py: Python<'_>, pairs: Vec<(PyBackedStr, PyBackedStr)>) -> PyResult<Vec<Report>> {
        let d = &self.inner;
        let pool = pool(py)?;
        let reports = py.detach(|| {
            pool.install(|| pairs.par_iter().map(|(a, b)| ReportData::new(d.compare(a, b), a, b)).collect::<Vec<_>>())
        });
        Ok(reports.into_iter().map(Report).collect())
    }

    /// Stage 1 of a distributed job (the map): everything an index enters
    /// for each text, as columns ready for `pyarrow.array(...)`.
    ///
    /// Per text `i` (lists of `len(texts)`): `"units"` (int) and
    /// `"duplicate_key"` (16 bytes, the big-endian u128, or `None` for a
    /// text without units). One row per entry, `*_article` being the index
    /// `i` of the text: `"anchor_article"`, `"anchor_hash"`,
    /// `"anchor_word"` (the run fingerprints); `"band_article"`,
    /// `"band_unit"`, `"band"`, `"band_key"` (empty unless
    /// `similar_units`); `"segment_article"`, `"segment_key"`,
    /// `"segment_context"` (what boilerplate counts count); `"bag_article"`,
    /// `"bag_sentence"`, `"bag_band"`, `"bag_key"` (the rewritten-candidate
    /// keys of each sketched sentence, `BAG_LSH` bands each: empty unless
    /// `rewritten`). Every 64-bit
    /// hash or key is a signed int with the same bits (Spark's LongType).
    /// Rows come in text order, each text's in the crate's order.
    /// Runs without the GIL, in parallel on neardup's threads.
    fn keys<'py>(&self, py: Python<'py>, texts: Vec<PyBackedStr>) -> PyResult<Bound<'py, PyDict>> {
        stages::keys(py, &self.inner, texts)
    }

    /// Stage 1 on flat columns: `keys` for a job that holds its texts as
    /// an Arrow string array, with no Python object per text or entry.
    /// The texts are `text_data[text_offsets[i]:text_offsets[i + 1]]`
    /// (UTF-8; `text_offsets`: n + 1 little-endian int64, an Arrow
    /// large-string array's buffers).
    ///
    /// Returns the columns of `keys` as `bytes` of little-endian values
    /// (`numpy.frombuffer` reads each one): per text, `"units"` (uint32),
    /// `"has_duplicate_key"` (uint8, 0 for a text without units) and
    /// `"duplicate_key"` (16 bytes each, the big-endian u128, zeros when
    /// there is none); per entry, `"anchor_article"`, `"anchor_word"`,
    /// `"band_article"`, `"band_unit"`, `"band"`, `"segment_article"`,
    /// `"bag_article"`, `"bag_sentence"`, `"bag_band"` (uint32) and
    /// `"anchor_hash"`, `"band_key"`, `"segment_key"`, `"segment_context"`,
    /// `"bag_key"` (int64): the same values in the same order as
    /// `keys`. Bad buffers raise `ValueError` naming the argument and the
    /// text. Runs without the GIL, in parallel on neardup's threads.
    fn keys_columns<'py>(
        &self,
        py: Python<'py>,
        text_offsets: &[u8],
        text_data: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        stages::keys_columns(py, &self.inner, text_offsets, text_data)
    }

    /// Stage 4 of a distributed job: verify and align candidate pairs.
    ///
    /// `articles[i] = (text, boilerplate)`, where `boilerplate` lists
    /// `(segment_key, articles)` for the text's segment keys that are
    /// boilerplate in the corpus (keys as the signed ints of `keys()`).
    /// `pairs[j] = (i_a, i_b, cues)`: indices into `articles`, `i_a` the
    /// article that probed (the smaller id); each cue is `(kind, a, b)`,
    /// kind 0 a pair of units `a`, `b` sharing a band key, kind 1 a run
    /// fingerprint starting at word `a` of `i_a` and word `b` of `i_b`,
    /// kind 2 a pair of sentences `a`, `b` sharing a bag key (`rewritten`).
    ///
    /// Result `j` is `(candidate_similarity, report)`, or `None` when the
    /// pair is rejected: exactly what `Index.pairs()` gives for the pair
    /// when the cues and boilerplate are the corpus's. Each article is
    /// prepared once per call. Runs without the GIL, in parallel.
    fn verify(
        &self,
        py: Python<'_>,
        articles: &Bound<'_, PyAny>,
        pairs: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Option<(f64, Report)>>> {
        stages::verify(py, &self.inner, articles, pairs)
    }

    /// Stage 3 on flat columns: the candidate pairs' cues of whole groups of
    /// entries, for a job that has gathered every entry of a run
    /// fingerprint or an LSH bucket into one call. Every argument is a
    /// `bytes` of little-endian values, one per entry: `kind` (int32: 1 a
    /// run fingerprint, `key` its hash; 0 an LSH band entry, `band` and
    /// `key` its bucket; 2 a bag key, `band` its bag band), `pos` (int64,
    /// the article's insertion position), `id` (int64, the article's id,
    /// non-negative), `at` (int32: the run's first word, the unit or the
    /// sentence). A fingerprint or bag key of at most `max_df` entries
    /// pairs every two (more: none, counted as fingerprints, as the index's
    /// saturation counts them); a bucket, in order of
    /// `(pos, at)`, pairs every entry with its first `max_bucket` (the rest
    /// counted); a pair is `a < b` by id, as the index does.
    ///
    /// Returns a dict of `bytes`: `"cues"`, the packed cue rows (28 bytes
    /// each: `a`, `b` int64, `kind`, `a_at`, `b_at` int32, the cue columns
    /// of `verify_columns`), part `p`'s at
    /// `cues[cue_offsets[p]:cue_offsets[p + 1]]` (`"cue_offsets"`: `parts`
    /// + 1 int64), a pair's part in `0..parts` a hash of `a`;
    /// `"need_part"` (int32) and `"need_id"` (int64): the distinct
    /// `(part, id)` of every article a part's cues name; `"past_cap"`
    /// (int64): the distinct positions of articles with an entry past
    /// `max_bucket`; `"stats"` (4 int64): fingerprints past `max_df`, their
    /// entries, buckets past `max_bucket`, entries past it. Bad buffers
    /// raise `ValueError` naming the argument and the row. Runs without
    /// the GIL.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, band, key, pos, id, at, parts))]
    fn cue_columns<'py>(
        &self,
        py: Python<'py>,
        kind: &[u8],
        band: &[u8],
        key: &[u8],
        pos: &[u8],
        id: &[u8],
        at: &[u8],
        parts: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        cues::cue_columns(py, &self.inner, cues::Inputs { kind, band, key, pos, id, at }, parts)
    }

    /// Stage 4 on flat columns: `verify` for a job that holds its articles
    /// and cue rows as Arrow or numpy arrays, with no Python object per
    /// article, pair, cue or passage. Every argument is a `bytes` of
    /// little-endian values (`numpy.ndarray.tobytes()`, an Arrow buffer).
    ///
    /// The `n` articles: `ids` (int64, distinct), their UTF-8 texts
    /// `text_data[text_offsets[i]:text_offsets[i + 1]]` (`text_offsets`:
    /// n + 1 int64), their boilerplate keys (`bp_keys` int64, as `keys()`
    /// gives them, with `bp_articles` int32 the articles holding each) at
    /// `bp_offsets[i]:bp_offsets[i + 1]` (n + 1 int64). The cue rows, one
    /// cue each, in any order: `cue_a`, `cue_b` (int64 article ids, the
    /// pair), `cue_kind`, `cue_a_at`, `cue_b_at` (int32: the `(kind, a,
    /// b)` of `verify`). Each pair is verified with its distinct cues,
    /// sorted (a cue on several rows counts once).
    ///
    /// Returns a dict of `bytes` columns: `"candidates"` (one int64: the
    /// distinct pairs verified), then one row per verified pair in
    /// increasing `(a, b)` order (rejected pairs left out): `"a"`, `"b"` (ids),
    /// `"a_index"`, `"b_index"` (int64 indices into the articles),
    /// `"candidate_similarity"`, `"a_coverage"`, `"b_coverage"` (float64),
    /// `"a_words"`, `"b_words"`, `"a_covered_words"`, `"b_covered_words"`
    /// (int64); and for each of `"passages"` and `"boilerplate"` the
    /// report's passages: `"passages.offsets"` (int32, pairs + 1: the
    /// pair's passages are rows `offsets[j]:offsets[j + 1]`) and one column
    /// per field of `Passage.to_dict()` with each span as `_start`/`_end`
    /// (`"passages.a_start"` .. character offsets, `"passages.a_byte_start"`
    /// .., `"passages.a_token_start"` .., `"passages.matched_words"`,
    /// `"passages.boilerplate_articles"`, `"passages.kind"` (0 exact, 1
    /// edited, 2 rewritten): int64; `"passages.similarity"`,
    /// `"passages.bag_similarity"`, `"passages.containment_a"`,
    /// `"passages.containment_b"`: float64;
    /// `"passages.boilerplate"`: uint8). Exactly what `verify` gives for
    /// the same pairs. Bad buffers raise `ValueError` naming the argument
    /// and the row. Runs without the GIL, in parallel, a chunk of 16,384
    /// pairs at a time (each article prepared once per chunk).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (ids, text_offsets, text_data, bp_offsets, bp_keys, bp_articles, cue_a, cue_b, cue_kind, cue_a_at, cue_b_at))]
    fn verify_columns<'py>(
        &self,
        py: Python<'py>,
        ids: &[u8],
        text_offsets: &[u8],
        text_data: &[u8],
        bp_offsets: &[u8],
        bp_keys: &[u8],
        bp_articles: &[u8],
        cue_a: &[u8],
        cue_b: &[u8],
        cue_kind: &[u8],
        cue_a_at: &[u8],
        cue_b_at: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let inputs = columns::Inputs {
            ids,
            text_offsets,
            text_data,
            bp_offsets,
            bp_keys,
            bp_articles,
            cue_a,
            cue_b,
            cue_kind,
            cue_a_at,
            cue_b_at,
        };
        columns::verify_columns(py, &self.inner, inputs)
    }
}
