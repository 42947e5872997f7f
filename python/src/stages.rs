//! The stages a distributed job calls: `keys` (the map: everything an
//! index enters for each article) and `verify` (candidate pairs verified
//! and aligned). Both run without the GIL, in parallel on the extension's
//! pool, and give their results in input order.

use std::collections::HashMap;

use neardup::{ArticleKeys, Cue, Detector};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict, PyList};
use rayon::prelude::*;

use crate::cues::cue_of;
use crate::errors::type_name;
use crate::pool::pool;
use crate::report::{Report, ReportData};

/// The columns of `Detector.keys`.
#[derive(Default)]
struct Columns {
    units: Vec<u32>,
    duplicate_key: Vec<Option<[u8; 16]>>,
    anchor_article: Vec<u32>,
    anchor_hash: Vec<i64>,
    anchor_word: Vec<u32>,
    band_article: Vec<u32>,
    band_unit: Vec<u32>,
    band: Vec<u32>,
    band_key: Vec<i64>,
    segment_article: Vec<u32>,
    segment_key: Vec<i64>,
    segment_context: Vec<i64>,
    bag_article: Vec<u32>,
    bag_sentence: Vec<u32>,
    bag_band: Vec<u32>,
    bag_key: Vec<i64>,
}

impl Columns {
    fn push(&mut self, article: u32, k: &ArticleKeys, bands: usize) {
        self.units.push(k.units);
        self.duplicate_key.push(k.duplicate_key.map(u128::to_be_bytes));
        for &(hash, word) in &k.anchors {
            self.anchor_article.push(article);
            self.anchor_hash.push(hash as i64);
            self.anchor_word.push(word);
        }
        for (unit, keys) in k.entries(bands) {
            for (band, &key) in keys.iter().enumerate() {
                self.band_article.push(article);
                self.band_unit.push(unit);
                self.band.push(band as u32);
                self.band_key.push(key as i64);
            }
        }
        for &(key, context) in &k.segment_keys {
            self.segment_article.push(article);
            self.segment_key.push(key as i64);
            self.segment_context.push(context as i64);
        }
        for (sentence, keys) in k.bag_entries() {
            for (band, &key) in keys.iter().enumerate() {
                self.bag_article.push(article);
                self.bag_sentence.push(sentence);
                self.bag_band.push(band as u32);
                self.bag_key.push(key as i64);
            }
        }
    }
}

/// The keys of `texts` as columns (`Detector::text_keys`: with
/// `rewritten` on, the bag keys of their sentences too), computed on the
/// detector's pool with the GIL released.
fn key_columns<T: AsRef<str> + Sync>(py: Python<'_>, d: &Detector, texts: &[T]) -> PyResult<Columns> {
    let pool = pool(py)?;
    let bands = d.lsh().bands;
    Ok(py.detach(|| {
        let keys: Vec<ArticleKeys> =
            pool.install(|| texts.par_iter().map(|t| d.text_keys(t.as_ref(), &d.analyze(t.as_ref()))).collect());
        let mut c = Columns::default();
        for (i, k) in keys.iter().enumerate() {
            c.push(i as u32, k, bands);
        }
        c
    }))
}

pub fn keys<'py>(py: Python<'py>, d: &Detector, texts: Vec<PyBackedStr>) -> PyResult<Bound<'py, PyDict>> {
    if u32::try_from(texts.len()).is_err() {
        return Err(PyValueError::new_err(format!(
            "keys() takes at most 4294967295 texts at a time, not {}",
            texts.len()
        )));
    }
    let c = key_columns(py, d, &texts)?;
    let out = PyDict::new(py);
    out.set_item("units", c.units)?;
    let dup = PyList::new(py, c.duplicate_key.iter().map(|k| k.map(|b| PyBytes::new(py, &b))))?;
    out.set_item("duplicate_key", dup)?;
    out.set_item("anchor_article", c.anchor_article)?;
    out.set_item("anchor_hash", c.anchor_hash)?;
    out.set_item("anchor_word", c.anchor_word)?;
    out.set_item("band_article", c.band_article)?;
    out.set_item("band_unit", c.band_unit)?;
    out.set_item("band", c.band)?;
    out.set_item("band_key", c.band_key)?;
    out.set_item("segment_article", c.segment_article)?;
    out.set_item("segment_key", c.segment_key)?;
    out.set_item("segment_context", c.segment_context)?;
    out.set_item("bag_article", c.bag_article)?;
    out.set_item("bag_sentence", c.bag_sentence)?;
    out.set_item("bag_band", c.bag_band)?;
    out.set_item("bag_key", c.bag_key)?;
    Ok(out)
}

/// `values` as little-endian bytes, `N` each.
fn le_bytes<T: Copy, const N: usize>(values: &[T], f: fn(T) -> [u8; N]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * N);
    for &v in values {
        out.extend_from_slice(&f(v));
    }
    out
}

/// `keys` on the UTF-8 texts `text_data[text_offsets[i]..text_offsets[i + 1]]`
/// (`text_offsets`: n + 1 little-endian int64), every column as `bytes` of
/// little-endian values (see `Detector.keys_columns`).
pub fn keys_columns<'py>(
    py: Python<'py>,
    d: &Detector,
    text_offsets: &[u8],
    text_data: &[u8],
) -> PyResult<Bound<'py, PyDict>> {
    let offsets = crate::columns::values::<8, i64>("keys_columns", text_offsets, "text_offsets", i64::from_le_bytes)?;
    let Some(n) = offsets.len().checked_sub(1) else {
        return Err(PyValueError::new_err(
            "keys_columns: text_offsets holds no offset (it holds n + 1 for n texts, starting with 0)",
        ));
    };
    if u32::try_from(n).is_err() {
        return Err(PyValueError::new_err(format!("keys_columns takes at most 4294967295 texts at a time, not {n}")));
    }
    let mut texts = Vec::with_capacity(n);
    for (i, w) in offsets.windows(2).enumerate() {
        let (s, e) = (w[0], w[1]);
        if s < 0 || e < s || e as u64 > text_data.len() as u64 {
            return Err(PyValueError::new_err(format!(
                "keys_columns: text_offsets[{i}..{}] = {s}..{e} is not a range of the {} bytes of text_data",
                i + 1,
                text_data.len()
            )));
        }
        let t = std::str::from_utf8(&text_data[s as usize..e as usize]).map_err(|err| {
            PyValueError::new_err(format!("keys_columns: text {i} (text_data[{s}..{e}]) is not UTF-8: {err}"))
        })?;
        texts.push(t);
    }
    let c = key_columns(py, d, &texts)?;
    let out = PyDict::new(py);
    let u32s = |v: &[u32]| PyBytes::new(py, &le_bytes(v, u32::to_le_bytes));
    let i64s = |v: &[i64]| PyBytes::new(py, &le_bytes(v, i64::to_le_bytes));
    out.set_item("units", u32s(&c.units))?;
    let has: Vec<u8> = c.duplicate_key.iter().map(|k| u8::from(k.is_some())).collect();
    out.set_item("has_duplicate_key", PyBytes::new(py, &has))?;
    let dup: Vec<u8> = c.duplicate_key.iter().flat_map(|k| k.unwrap_or([0; 16])).collect();
    out.set_item("duplicate_key", PyBytes::new(py, &dup))?;
    out.set_item("anchor_article", u32s(&c.anchor_article))?;
    out.set_item("anchor_hash", i64s(&c.anchor_hash))?;
    out.set_item("anchor_word", u32s(&c.anchor_word))?;
    out.set_item("band_article", u32s(&c.band_article))?;
    out.set_item("band_unit", u32s(&c.band_unit))?;
    out.set_item("band", u32s(&c.band))?;
    out.set_item("band_key", i64s(&c.band_key))?;
    out.set_item("segment_article", u32s(&c.segment_article))?;
    out.set_item("segment_key", i64s(&c.segment_key))?;
    out.set_item("segment_context", i64s(&c.segment_context))?;
    out.set_item("bag_article", u32s(&c.bag_article))?;
    out.set_item("bag_sentence", u32s(&c.bag_sentence))?;
    out.set_item("bag_band", u32s(&c.bag_band))?;
    out.set_item("bag_key", i64s(&c.bag_key))?;
    Ok(out)
}

/// One article of `verify`: its text and its boilerplate keys.
struct Article {
    text: PyBackedStr,
    boilerplate: HashMap<u64, u32>,
}

/// One pair of `verify`: article indices and cues.
struct Candidate {
    a: usize,
    b: usize,
    cues: Vec<Cue>,
}

/// `items` as a list of Python objects (any sequence or iterable; a str is
/// refused: it is no list of articles).
fn items<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(format!("{what} must be a list, not str")));
    }
    let mut out = Vec::new();
    for item in
        obj.try_iter().map_err(|_| PyTypeError::new_err(format!("{what} must be a list, not {}", type_name(obj))))?
    {
        out.push(item?);
    }
    Ok(out)
}

/// A tuple of exactly `n` items.
fn tuple<'py>(obj: &Bound<'py, PyAny>, n: usize, what: &str, shape: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let v =
        if obj.is_instance_of::<pyo3::types::PyString>() { None } else { obj.extract::<Vec<Bound<'py, PyAny>>>().ok() };
    match v {
        Some(v) if v.len() == n => Ok(v),
        _ => Err(PyTypeError::new_err(format!("{what} must be a tuple {shape}, not {}", describe(obj)))),
    }
}

fn describe(obj: &Bound<'_, PyAny>) -> String {
    let repr = obj.repr().map(|r| r.to_string()).unwrap_or_default();
    let short: String = repr.chars().take(60).collect();
    if short.len() < repr.len() { format!("{short}...") } else { short }
}

/// An integer in `0..=max`, or a `ValueError` (`TypeError` for a
/// non-integer) naming `what`.
fn int_in(obj: &Bound<'_, PyAny>, max: u64, what: &str) -> PyResult<u64> {
    if !obj.is_instance_of::<pyo3::types::PyInt>() && !obj.hasattr("__index__")? {
        return Err(PyTypeError::new_err(format!("{what} must be an int, not {}", type_name(obj))));
    }
    match obj.extract::<u64>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(PyValueError::new_err(format!("{what} = {} is out of range 0..={max}", describe(obj)))),
    }
}

/// The articles of `verify`: extracted in one go, or, if that fails, item
/// by item to name the culprit in the error.
fn parse_articles(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Article>> {
    if !obj.is_instance_of::<pyo3::types::PyString>()
        && let Ok(v) = obj.extract::<Vec<(PyBackedStr, Vec<(i64, u32)>)>>()
    {
        return Ok(v
            .into_iter()
            .map(|(text, b)| Article { text, boilerplate: b.into_iter().map(|(k, n)| (k as u64, n)).collect() })
            .collect());
    }
    let mut out = Vec::new();
    for (i, item) in items(obj, "articles")?.iter().enumerate() {
        let what = format!("articles[{i}]");
        let parts = tuple(item, 2, &what, "(text, boilerplate)")?;
        if !parts[0].is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err(format!("{what}: the text must be a str, not {}", type_name(&parts[0]))));
        }
        let text: PyBackedStr = parts[0].extract()?;
        let mut boilerplate = HashMap::new();
        for (k, entry) in items(&parts[1], &format!("{what}: boilerplate"))?.iter().enumerate() {
            let w = format!("{what}: boilerplate[{k}]");
            let kv = tuple(entry, 2, &w, "(segment_key, articles)")?;
            if !kv[0].is_instance_of::<pyo3::types::PyInt>() && !kv[0].hasattr("__index__")? {
                return Err(PyTypeError::new_err(format!(
                    "{w}: the segment key must be an int, not {}",
                    type_name(&kv[0])
                )));
            }
            let key: i64 = kv[0].extract().map_err(|_| {
                PyValueError::new_err(format!(
                    "{w}: the segment key {} must be a signed 64-bit int (as keys() gives it)",
                    describe(&kv[0])
                ))
            })?;
            let articles = int_in(&kv[1], u32::MAX as u64, &format!("{w}: articles"))? as u32;
            boilerplate.insert(key as u64, articles);
        }
        out.push(Article { text, boilerplate });
    }
    Ok(out)
}

/// The pairs of `verify`, checked against the number of articles:
/// extracted in one go, or, if that fails, item by item to name the
/// culprit in the error.
fn parse_pairs(obj: &Bound<'_, PyAny>, articles: usize) -> PyResult<Vec<Candidate>> {
    type Raw = Vec<(u64, u64, Vec<(u64, u64, u64)>)>;
    let fast = if obj.is_instance_of::<pyo3::types::PyString>() { None } else { obj.extract::<Raw>().ok() };
    if let Some(raw) = fast {
        let max = u32::MAX as u64;
        let fits = raw.iter().all(|(a, b, cues)| {
            (*a as usize) < articles
                && (*b as usize) < articles
                && cues.iter().all(|&(kind, x, y)| kind <= 2 && x <= max && y <= max)
        });
        if fits {
            return Ok(raw
                .into_iter()
                .map(|(a, b, cues)| Candidate {
                    a: a as usize,
                    b: b as usize,
                    cues: cues.into_iter().filter_map(|(kind, x, y)| cue_of(kind, x as u32, y as u32)).collect(),
                })
                .collect());
        }
    }
    let mut out = Vec::new();
    let last = (articles as u64).saturating_sub(1);
    for (j, item) in items(obj, "pairs")?.iter().enumerate() {
        let what = format!("pairs[{j}]");
        let parts = tuple(item, 3, &what, "(i_a, i_b, cues)")?;
        let index = |o: &Bound<'_, PyAny>, side: &str| -> PyResult<usize> {
            if articles == 0 {
                return Err(PyValueError::new_err(format!(
                    "{what}: {side} refers to an article, but articles is empty"
                )));
            }
            Ok(int_in(o, last, &format!("{what}: {side} (an index into the {articles} articles)"))? as usize)
        };
        let (a, b) = (index(&parts[0], "i_a")?, index(&parts[1], "i_b")?);
        let mut cues = Vec::new();
        for (k, cue) in items(&parts[2], &format!("{what}: cues"))?.iter().enumerate() {
            let w = format!("{what}: cues[{k}]");
            let c = tuple(cue, 3, &w, "(kind, a, b)")?;
            let kind = int_in(&c[0], 2, &format!("{w}: kind (0 = units, 1 = anchor, 2 = bags)"))?;
            let x = int_in(&c[1], u32::MAX as u64, &format!("{w}: a"))? as u32;
            let y = int_in(&c[2], u32::MAX as u64, &format!("{w}: b"))? as u32;
            cues.extend(cue_of(kind, x, y));
        }
        out.push(Candidate { a, b, cues });
    }
    Ok(out)
}

pub fn verify(
    py: Python<'_>,
    d: &Detector,
    articles: &Bound<'_, PyAny>,
    pairs: &Bound<'_, PyAny>,
) -> PyResult<Vec<Option<(f64, Report)>>> {
    let articles = parse_articles(articles)?;
    let pairs = parse_pairs(pairs, articles.len())?;
    let pool = pool(py)?;
    let results = py.detach(|| {
        pool.install(|| {
            let mut used = vec![false; articles.len()];
            for p in &pairs {
                used[p.a] = true;
                used[p.b] = true;
            }
            // Each article once, whatever the number of its pairs.
            let prepared: Vec<Option<neardup::Prepared>> = articles
                .par_iter()
                .zip(&used)
                .map(|(art, &used)| {
                    used.then(|| d.prepare(d.analyze(&art.text), None, |key| art.boilerplate.get(&key).copied()))
                })
                .collect();
            pairs
                .par_iter()
                .map(|p| {
                    let (Some(pa), Some(pb)) = (&prepared[p.a], &prepared[p.b]) else { return None };
                    let (ta, tb) = (&articles[p.a].text, &articles[p.b].text);
                    let (similarity, report) = d.verify(ta, pa, tb, pb, p.cues.iter().copied())?;
                    Some((similarity, ReportData::new(report, ta, tb)))
                })
                .collect::<Vec<_>>()
        })
    });
    Ok(results.into_iter().map(|r| r.map(|(s, data)| (s, Report(data)))).collect())
}
