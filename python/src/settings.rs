//! The settings of a `Detector`: every field of the crate's `Config`, by
//! its Rust name, from Python keyword arguments and back to a dict.
//!
//! Types are checked here (a wrong type is a `TypeError` naming the
//! setting, an integer that does not fit a `ConfigError`); ranges and
//! consistency are checked by the crate's `Config::validate`, whose
//! `InvalidConfig` names the setting too.

use neardup::{Config, Unit};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyTuple};

use crate::errors::{ConfigError, type_name};

/// Every setting, in the order of `Config`'s fields.
pub const NAMES: [&str; 17] = [
    "shingle_size",
    "num_hashes",
    "threshold",
    "bands_rows",
    "seed",
    "unit",
    "min_words",
    "max_gap",
    "max_bucket",
    "anchor_words",
    "max_df",
    "similar_units",
    "boilerplate_contexts",
    "report_boilerplate",
    "rewritten",
    "rewritten_candidates",
    "stem_chars",
];

/// A `ConfigError` for `setting`, with its attributes.
fn bad_value(setting: &str, value: &Bound<'_, PyAny>, reason: &str) -> PyErr {
    let repr = value.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
    let err = ConfigError::new_err(format!("invalid configuration: {setting} = {repr}: {reason}"));
    let py = value.py();
    let v = err.value(py);
    let _ = v.setattr("setting", setting);
    let _ = v.setattr("value", repr);
    let _ = v.setattr("reason", reason);
    err
}

fn wrong_type(setting: &str, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("setting {setting} must be {expected}, not {}", type_name(value)))
}

/// A non-negative integer setting (`bool` is refused: it is no count).
fn count(setting: &str, value: &Bound<'_, PyAny>) -> PyResult<usize> {
    if value.is_instance_of::<PyBool>() || !(value.is_instance_of::<PyInt>() || value.hasattr("__index__")?) {
        return Err(wrong_type(setting, "an int", value));
    }
    match value.extract::<u64>().ok().and_then(|v| usize::try_from(v).ok()) {
        Some(v) => Ok(v),
        None => Err(bad_value(setting, value, "must be a non-negative integer that fits in 64 bits")),
    }
}

fn flag(setting: &str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !value.is_instance_of::<PyBool>() {
        return Err(wrong_type(setting, "a bool", value));
    }
    value.extract()
}

fn real(setting: &str, value: &Bound<'_, PyAny>) -> PyResult<f64> {
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() || value.hasattr("__float__")?)
    {
        return Err(wrong_type(setting, "a float", value));
    }
    value.extract::<f64>().map_err(|_| bad_value(setting, value, "must be a number that fits in a float"))
}

/// `"sentence"`, `"paragraph"`, or `("window", size)` (a list too, as
/// JSON gives it back).
fn unit(value: &Bound<'_, PyAny>) -> PyResult<Unit> {
    const EXPECTED: &str = "\"sentence\", \"paragraph\" or (\"window\", size)";
    if let Ok(s) = value.cast::<PyString>() {
        return match &*s.to_cow()? {
            "sentence" => Ok(Unit::Sentence),
            "paragraph" => Ok(Unit::Paragraph),
            _ => Err(bad_value("unit", value, &format!("must be {EXPECTED}"))),
        };
    }
    if value.is_instance_of::<PyString>() || value.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(wrong_type("unit", EXPECTED, value));
    }
    let items: Vec<Bound<'_, PyAny>> = match value.extract() {
        Ok(items) => items,
        Err(_) => return Err(wrong_type("unit", EXPECTED, value)),
    };
    match &items[..] {
        [kind, size] if kind.extract::<String>().is_ok_and(|k| k == "window") => {
            Ok(Unit::Window { size: count("unit", size)? })
        }
        _ => Err(bad_value("unit", value, &format!("must be {EXPECTED}"))),
    }
}

fn bands_rows(value: &Bound<'_, PyAny>) -> PyResult<Option<(usize, usize)>> {
    if value.is_none() {
        return Ok(None);
    }
    if value.is_instance_of::<PyString>() {
        return Err(wrong_type("bands_rows", "None or (bands, rows)", value));
    }
    let items: Vec<Bound<'_, PyAny>> =
        value.extract().map_err(|_| wrong_type("bands_rows", "None or (bands, rows)", value))?;
    match &items[..] {
        [b, r] => Ok(Some((count("bands_rows", b)?, count("bands_rows", r)?))),
        _ => Err(bad_value("bands_rows", value, "must be None or a pair (bands, rows)")),
    }
}

/// The configuration from keyword arguments (defaults for the others),
/// not yet validated. An unknown name is a `TypeError`, as Python's own
/// functions raise for an unexpected keyword argument.
pub fn config(kwargs: Option<&Bound<'_, PyDict>>, caller: &str) -> PyResult<Config> {
    let mut c = Config::default();
    let Some(kwargs) = kwargs else { return Ok(c) };
    for (key, value) in kwargs.iter() {
        let name: String = key.extract()?;
        let v = &value;
        match name.as_str() {
            "shingle_size" => c.shingle_size = count(&name, v)?,
            "num_hashes" => c.num_hashes = count(&name, v)?,
            "threshold" => c.threshold = real(&name, v)?,
            "bands_rows" => c.bands_rows = bands_rows(v)?,
            "seed" => c.seed = count(&name, v)? as u64,
            "unit" => c.unit = unit(v)?,
            "min_words" => c.min_words = count(&name, v)?,
            "max_gap" => c.max_gap = count(&name, v)?,
            "max_bucket" => c.max_bucket = count(&name, v)?,
            "anchor_words" => c.anchor_words = count(&name, v)?,
            "max_df" => c.max_df = count(&name, v)?,
            "similar_units" => c.similar_units = flag(&name, v)?,
            "boilerplate_contexts" => c.boilerplate_contexts = count(&name, v)?,
            "report_boilerplate" => c.report_boilerplate = flag(&name, v)?,
            "rewritten" => c.rewritten = flag(&name, v)?,
            "rewritten_candidates" => c.rewritten_candidates = flag(&name, v)?,
            "stem_chars" => c.stem_chars = count(&name, v)?,
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "{caller}() got an unexpected keyword argument '{name}' (the settings are: {})",
                    NAMES.join(", ")
                )));
            }
        }
    }
    Ok(c)
}

/// The value of `unit` as Python gives it.
fn unit_value<'py>(py: Python<'py>, unit: Unit) -> PyResult<Bound<'py, PyAny>> {
    Ok(match unit {
        Unit::Sentence => PyString::new(py, "sentence").into_any(),
        Unit::Paragraph => PyString::new(py, "paragraph").into_any(),
        Unit::Window { size } => {
            PyTuple::new(py, [PyString::new(py, "window").into_any(), size.into_pyobject(py)?.into_any()])?.into_any()
        }
        // A unit a later crate adds: its debug name, which this build cannot read back.
        other => PyString::new(py, &format!("{other:?}")).into_any(),
    })
}

/// Every setting of `c` as a dict, in the order of [`NAMES`]:
/// `Detector(**settings(c))` is the same detector.
pub fn settings<'py>(py: Python<'py>, c: &Config) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("shingle_size", c.shingle_size)?;
    d.set_item("num_hashes", c.num_hashes)?;
    d.set_item("threshold", c.threshold)?;
    d.set_item("bands_rows", c.bands_rows)?;
    d.set_item("seed", c.seed)?;
    d.set_item("unit", unit_value(py, c.unit)?)?;
    d.set_item("min_words", c.min_words)?;
    d.set_item("max_gap", c.max_gap)?;
    d.set_item("max_bucket", c.max_bucket)?;
    d.set_item("anchor_words", c.anchor_words)?;
    d.set_item("max_df", c.max_df)?;
    d.set_item("similar_units", c.similar_units)?;
    d.set_item("boilerplate_contexts", c.boilerplate_contexts)?;
    d.set_item("report_boilerplate", c.report_boilerplate)?;
    d.set_item("rewritten", c.rewritten)?;
    d.set_item("rewritten_candidates", c.rewritten_candidates)?;
    d.set_item("stem_chars", c.stem_chars)?;
    Ok(d)
}

/// `name=value, ...` of the settings that differ from the defaults.
pub fn non_default(py: Python<'_>, c: &Config) -> PyResult<String> {
    let ours = settings(py, c)?;
    let defaults = settings(py, &Config::default())?;
    let mut parts = Vec::new();
    for name in NAMES {
        let v = ours.get_item(name)?;
        let dv = defaults.get_item(name)?;
        if let (Some(v), Some(dv)) = (v, dv)
            && !v.eq(&dv)?
        {
            parts.push(format!("{name}={}", v.repr()?));
        }
    }
    Ok(parts.join(", "))
}
