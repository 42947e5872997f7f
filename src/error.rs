//! The crate's error type.

/// Everything that can go wrong in neardup.
///
/// Errors come from configuration, from bytes that are not text, from
/// misuse of an [`Index`](crate::Index) (a duplicate id, an out-of-range
/// argument) and from index files (I/O, corruption, version). Comparing or
/// querying valid text never fails: empty or very short text simply reuses
/// nothing.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range or inconsistent with another.
    #[error("invalid configuration: {name} = {value}: {reason}")]
    InvalidConfig {
        /// The parameter's name, as the builder method is called.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What the value must satisfy.
        reason: String,
    },
    /// The input bytes are not valid UTF-8.
    #[error("input is not valid UTF-8: invalid byte sequence at byte offset {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The input is valid UTF-8 but looks like a binary file.
    #[error("input looks binary, not text: {reason} at byte offset {offset}")]
    Binary {
        /// Byte offset of the first offending byte.
        offset: usize,
        /// What was found there.
        reason: &'static str,
    },
    /// An article with this id is already in the index.
    #[error("article id {id} is already in the index")]
    DuplicateId {
        /// The id given twice.
        id: u64,
    },
    /// A method argument is out of range.
    #[error("invalid argument: {name} = {value}: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What the value must satisfy.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// A file is not a valid neardup index: truncated, corrupt (checksum
    /// mismatch) or inconsistent. Nothing is loaded.
    #[error("{path}: not a valid neardup index: {reason}")]
    CorruptIndex {
        /// The file.
        path: String,
        /// What is wrong, and where (byte offset) when known.
        reason: String,
    },
    /// An index file written by an incompatible version of the format.
    #[error("{path}: index format version {found} is not supported (this build reads version {expected})")]
    IndexVersion {
        /// The file.
        path: String,
        /// The version found in the file.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> Error {
        Error::Io { path: path.display().to_string(), kind: e.kind(), message: e.to_string() }
    }

    pub(crate) fn argument(name: &'static str, value: impl std::fmt::Display, reason: impl Into<String>) -> Error {
        Error::InvalidArgument { name, value: value.to_string(), reason: reason.into() }
    }

    pub(crate) fn config(name: &'static str, value: impl std::fmt::Display, reason: impl Into<String>) -> Error {
        Error::InvalidConfig { name, value: value.to_string(), reason: reason.into() }
    }
}
