//! `neardup._neardup`: the Python extension module of neardup (PyO3).
//!
//! The Python package `neardup` (python/neardup/__init__.py) re-exports
//! everything here; its stubs are python/neardup/_neardup.pyi. One file per
//! concern: [`settings`] (keyword arguments to a `Config` and back),
//! [`detector`] (the `Detector` class), [`report`] (`Report` and `Passage`
//! with character offsets), [`stages`] (`Detector.keys` and
//! `Detector.verify`), [`cues`] (`Detector.cue_columns`, stage 3 on flat columns), [`columns`] (`Detector.verify_columns`, stage 4 on flat columns), [`index`] (`Index` and what it returns), [`errors`] (exceptions) and [`pool`] (the threads
//! that parallel work runs on).
//!
//! Every call that does real work releases the GIL (`Python::detach`), and
//! no input from Python can make it panic: arguments are checked and
//! converted first, with errors naming the setting or argument.

use pyo3::prelude::*;

mod columns;
mod cues;
mod detector;
mod errors;
mod index;
mod pool;
mod report;
mod settings;
mod stages;

/// Find near-duplicate articles and the exact passages one reuses from
/// another (the Rust crate neardup, from Python).
#[pymodule]
fn _neardup(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<detector::Detector>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<report::Passage>()?;
    m.add_class::<index::Index>()?;
    m.add_class::<index::Match>()?;
    m.add_class::<index::QueryResult>()?;
    m.add_class::<index::Pair>()?;
    m.add_class::<index::Pairs>()?;
    m.add_class::<index::Group>()?;
    m.add_class::<index::Saturation>()?;
    m.add_function(wrap_pyfunction!(index::group_near_duplicates, m)?)?;
    m.add("Error", py.get_type::<errors::Error>())?;
    m.add("ConfigError", py.get_type::<errors::ConfigError>())?;
    m.add("ArgumentError", py.get_type::<errors::ArgumentError>())?;
    m.add("DuplicateIdError", py.get_type::<errors::DuplicateIdError>())?;
    m.add("CorruptIndexError", py.get_type::<errors::CorruptIndexError>())?;
    m.add("IndexVersionError", py.get_type::<errors::IndexVersionError>())?;
    Ok(())
}
