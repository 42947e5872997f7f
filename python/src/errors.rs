//! The crate's errors as Python exceptions, and the checks of arguments
//! that Python's types do not make for us (an id must fit in a `u64`).
//!
//! Every [`neardup::Error`] becomes a subclass of [`Error`] (itself a
//! `ValueError`), except I/O errors, which become `OSError` (with the
//! subclass Python picks from the error number: `FileNotFoundError`,
//! `PermissionError`, ...). The exceptions carry the error's fields as
//! attributes (`setting`, `value`, `reason`, `id`, `path`).

use pyo3::exceptions::{PyOSError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

pyo3::create_exception!(
    neardup,
    Error,
    PyValueError,
    "Base class of neardup's errors (a ValueError): configuration, arguments, index files."
);
pyo3::create_exception!(
    neardup,
    ConfigError,
    Error,
    "A setting is out of range or inconsistent with another; `.setting` names it, `.value` and \
     `.reason` say what is wrong."
);
pyo3::create_exception!(
    neardup,
    ArgumentError,
    Error,
    "A method argument is out of range; `.argument` names it, `.value` and `.reason` say what is wrong."
);
pyo3::create_exception!(
    neardup,
    DuplicateIdError,
    Error,
    "An article with this id (`.id`) is already in the index, or twice in one batch."
);
pyo3::create_exception!(
    neardup,
    CorruptIndexError,
    Error,
    "A file (`.path`) is not a valid neardup index: truncated, corrupt or inconsistent. Nothing is loaded."
);
pyo3::create_exception!(
    neardup,
    IndexVersionError,
    Error,
    "An index file (`.path`) was written in a format version this build does not read."
);

/// `err` with attributes set on its value (best effort: setting an
/// attribute on a fresh exception does not fail).
fn with_attrs<'py>(py: Python<'py>, err: PyErr, attrs: &[(&str, Bound<'py, PyAny>)]) -> PyErr {
    let value = err.value(py);
    for (name, v) in attrs {
        let _ = value.setattr(*name, v);
    }
    err
}

/// The Python exception for a crate error.
pub fn to_py(py: Python<'_>, e: neardup::Error) -> PyErr {
    use neardup::Error as E;
    let message = e.to_string();
    match e {
        E::InvalidConfig { name, value, reason } => with_attrs(
            py,
            ConfigError::new_err(message),
            &[
                ("setting", name.into_pyobject(py).map(Bound::into_any).unwrap_or_else(|_| py.None().into_bound(py))),
                ("value", str_obj(py, &value)),
                ("reason", str_obj(py, &reason)),
            ],
        ),
        E::InvalidArgument { name, value, reason } => with_attrs(
            py,
            ArgumentError::new_err(message),
            &[("argument", str_obj(py, name)), ("value", str_obj(py, &value)), ("reason", str_obj(py, &reason))],
        ),
        E::DuplicateId { id } => {
            let id = id.into_pyobject(py).map(Bound::into_any).unwrap_or_else(|_| py.None().into_bound(py));
            with_attrs(py, DuplicateIdError::new_err(message), &[("id", id)])
        }
        E::CorruptIndex { ref path, .. } => {
            with_attrs(py, CorruptIndexError::new_err(message.clone()), &[("path", str_obj(py, path))])
        }
        E::IndexVersion { ref path, .. } => {
            with_attrs(py, IndexVersionError::new_err(message.clone()), &[("path", str_obj(py, path))])
        }
        E::Io { path, kind, message: os_message } => os_error(py, &path, kind, &os_message),
        _ => Error::new_err(message),
    }
}

fn str_obj<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    pyo3::types::PyString::new(py, s).into_any()
}

/// `OSError(errno, message, path)`, so that Python picks the subclass
/// (`FileNotFoundError`, ...) from the error number, where the kind has one.
fn os_error(py: Python<'_>, path: &str, kind: std::io::ErrorKind, message: &str) -> PyErr {
    use std::io::ErrorKind as K;
    let name = match kind {
        K::NotFound => Some("ENOENT"),
        K::PermissionDenied => Some("EACCES"),
        K::AlreadyExists => Some("EEXIST"),
        K::IsADirectory => Some("EISDIR"),
        K::NotADirectory => Some("ENOTDIR"),
        K::StorageFull => Some("ENOSPC"),
        K::ReadOnlyFilesystem => Some("EROFS"),
        K::InvalidInput => Some("EINVAL"),
        _ => None,
    };
    let errno = name.and_then(|n| py.import("errno").and_then(|m| m.getattr(n)).and_then(|v| v.extract::<i32>()).ok());
    match errno {
        Some(errno) => PyOSError::new_err((errno, message.to_string(), path.to_string())),
        None => {
            let err = PyOSError::new_err(format!("{path}: {message}"));
            with_attrs(py, err, &[("filename", str_obj(py, path))])
        }
    }
}

/// Extension trait: `.py_err(py)?` on a crate result.
pub trait IntoPyResult<T> {
    /// The result with the error as a Python exception.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for neardup::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

/// An integer argument in `0..=u64::MAX`: a `bool` or a non-integer is a
/// `TypeError`, an integer out of range an `OverflowError`, both naming
/// `what`.
pub fn u64_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be an int, not bool")));
    }
    match obj.extract::<u64>() {
        Ok(v) => Ok(v),
        Err(_) if obj.is_instance_of::<PyInt>() => Err(PyOverflowError::new_err(format!(
            "{what} = {} is out of range: must be in 0..=18446744073709551615",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))),
        Err(e) => {
            // An object with __index__ (a NumPy integer) that still failed.
            if obj.hasattr("__index__").unwrap_or(false) {
                return Err(e);
            }
            Err(PyTypeError::new_err(format!("{what} must be an int, not {}", type_name(obj))))
        }
    }
}
