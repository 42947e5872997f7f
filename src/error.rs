//! The crate's error type.

/// Everything that can go wrong in neardup.
///
/// Errors come from configuration, from bytes that are not text (or too
/// many of them, for [`text::read_file`](crate::text::read_file)), from
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
    /// Reading a text file or stream failed for a reason other than I/O:
    /// `error` says why ([`Error::TooLarge`], [`Error::OtherEncoding`],
    /// [`Error::InvalidUtf8`] or [`Error::Binary`], with byte offsets into
    /// the file). From [`text::read_file`](crate::text::read_file) and
    /// [`text::read_from`](crate::text::read_from).
    ///
    /// The message is the path followed by `error`'s message, so that one
    /// line says everything (like [`Error::Io`]); `error` is therefore not
    /// also returned by [`source`](std::error::Error::source).
    #[error("{path}: {error}")]
    File {
        /// The file (or the name given to `read_from`).
        path: String,
        /// What is wrong with its contents.
        error: Box<Error>,
    },
    /// The input is longer than the maximum size the reader was given.
    #[error("input{} is larger than the maximum of {max_bytes} bytes", size_note(*.size))]
    TooLarge {
        /// The bound.
        max_bytes: u64,
        /// The input's size, when it is a regular file (a pipe or device
        /// has none).
        size: Option<u64>,
    },
    /// The input is in another Unicode encoding than UTF-8: UTF-16 (a
    /// byte-order mark, or NUL bytes at every other position) or UTF-32 (a
    /// byte-order mark). The message says how to convert it.
    #[error(
        "input looks like {encoding} ({}), not UTF-8: convert it to UTF-8 first, e.g. with `iconv -f {} -t UTF-8`",
        if *.byte_order_mark { "it starts with its byte-order mark" } else { "NUL bytes at every other position" },
        // With its byte-order mark, iconv finds the byte order (and drops the mark).
        if *.byte_order_mark { encoding.get(..6).unwrap_or(encoding) } else { encoding }
    )]
    OtherEncoding {
        /// `"UTF-16LE"`, `"UTF-16BE"`, `"UTF-32LE"` or `"UTF-32BE"`: the
        /// encoding's name as `iconv` spells it.
        encoding: &'static str,
        /// Whether the input starts with the encoding's byte-order mark
        /// (otherwise it was recognised by its NUL bytes).
        byte_order_mark: bool,
    },
}

/// ` of 12345 bytes` when the size of a file past the limit is known.
fn size_note(size: Option<u64>) -> String {
    size.map(|s| format!(" of {s} bytes")).unwrap_or_default()
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
