//! Bytes to text: UTF-8 and binary checks, other encodings named, and
//! bounded reading of files and streams.

use crate::error::{Error, Result};

/// Checks that `bytes` are text and returns them as `&str`.
///
/// Rejects invalid UTF-8 ([`Error::InvalidUtf8`], with the offset of the
/// first bad sequence) and binary data ([`Error::Binary`]): a NUL byte, or
/// more than 10 % control characters other than tab, line feed, carriage
/// return and form feed in the first 8 KiB. Empty input is text.
///
/// Bytes that fail these rules because they are UTF-16 (a UTF-16 or UTF-32
/// byte-order mark, or, in the first 8 KiB, at least 8 code units of which
/// half or more are ASCII characters: NUL bytes at every other position)
/// give [`Error::OtherEncoding`] instead, which says how to convert them.
///
/// ```
/// use neardup::Error;
///
/// assert_eq!(neardup::text::decode(b"plain text").unwrap(), "plain text");
/// assert!(neardup::text::decode(b"\xff\xfe").is_err());
/// assert!(neardup::text::decode(b"ELF\x00\x01").is_err());
/// let utf16: Vec<u8> = "Hello, world".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// assert_eq!(
///     neardup::text::decode(&utf16),
///     Err(Error::OtherEncoding { encoding: "UTF-16LE", byte_order_mark: false })
/// );
/// ```
pub fn decode(bytes: &[u8]) -> Result<&str> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let text = std::str::from_utf8(bytes)
        .map_err(|e| wide_encoding(head).unwrap_or(Error::InvalidUtf8 { offset: e.valid_up_to() }))?;
    if let Some(offset) = memchr_nul(bytes) {
        return Err(wide_encoding(head).unwrap_or(Error::Binary { offset, reason: "NUL byte" }));
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    if controls * 10 > head.len() {
        let offset = head.iter().position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).unwrap_or(0);
        return Err(Error::Binary { offset, reason: "more than 10% control characters" });
    }
    Ok(text)
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    // `contains` on bytes is a vectorised memchr in `core`; the position is
    // only wanted for the error.
    if !bytes.contains(&0) {
        return None;
    }
    bytes.iter().position(|&b| b == 0)
}

/// How many bytes at the start of an input [`decode`] sniffs for control
/// characters and UTF-16, and [`read_file`] checks before it reads the
/// rest: 8 KiB.
pub const HEAD_BYTES: usize = 8192;

/// The default largest article [`read_file`] reads in the crate's examples:
/// 64 MiB.
///
/// Far above any real article (a long novel is 1–4 MB, the longest
/// Wikipedia articles about 1 MB), and small enough that comparing two
/// texts of this size stays around 1 GB of memory (about 80 bytes per word,
/// see `DESIGN.md`, "Limits").
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// The encoding that `head` (the start of some bytes that are not UTF-8
/// text) looks like, if it is UTF-16 or UTF-32.
fn wide_encoding(head: &[u8]) -> Option<Error> {
    let bom = |encoding| Some(Error::OtherEncoding { encoding, byte_order_mark: true });
    if head.starts_with(&[0xff, 0xfe, 0, 0]) {
        return bom("UTF-32LE");
    }
    if head.starts_with(&[0, 0, 0xfe, 0xff]) {
        return bom("UTF-32BE");
    }
    if head.starts_with(&[0xff, 0xfe]) {
        return bom("UTF-16LE");
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return bom("UTF-16BE");
    }
    let units = head.len() / 2;
    if units < 8 {
        return None;
    }
    // Half the code units or more are ASCII characters: a zero byte beside a
    // printable one (`/dev/zero`, all zeros, is binary, not UTF-16).
    for (encoding, high) in [("UTF-16LE", 1), ("UTF-16BE", 0)] {
        let ascii = head
            .chunks_exact(2)
            .filter(|u| u[high] == 0 && matches!(u[1 - high], b'\t' | b'\n' | b'\r' | 0x20..=0x7e))
            .count();
        if ascii * 2 >= units {
            return Some(Error::OtherEncoding { encoding, byte_order_mark: false });
        }
    }
    None
}

/// Checks the first bytes of an input with the rules of [`decode`], before
/// the rest is read.
///
/// `head` is a prefix of the input (at most [`HEAD_BYTES`] of it are
/// looked at, as `decode` does): a character cut at its end is accepted,
/// anything else that `decode` would reject on these bytes is rejected
/// with the same error. Use it to stop reading a stream that is not text
/// (`/dev/urandom`, a UTF-16 file, an image) after its first block;
/// [`read_file`] does.
///
/// ```
/// use neardup::text::check_start;
///
/// let text = "Grüße aus Köln";
/// // Cut inside the two bytes of `ü`: the rest of it is still to come.
/// assert!(check_start(&text.as_bytes()[..3]).is_ok());
/// assert!(check_start(b"\x00\x00\x00\x00").is_err());
/// assert!(check_start(b"ok \xff then more").is_err());
/// ```
pub fn check_start(head: &[u8]) -> Result<()> {
    let head = &head[..head.len().min(HEAD_BYTES)];
    match std::str::from_utf8(head) {
        // The head ends inside a character: check the characters before it.
        Err(e) if e.error_len().is_none() => decode(&head[..e.valid_up_to()]).map(drop),
        _ => decode(head).map(drop),
    }
}

/// Reads a text file whole, with a bound, and checks that it is text.
///
/// Reads at most `max_bytes` (plus one byte, to tell that the file is
/// longer): a file past the bound, or a device or pipe that never ends
/// (`/dev/zero`), is an error after reading that many bytes at most, and a
/// regular file whose size is known to be past it is refused before it is
/// read. The first [`HEAD_BYTES`] are checked with [`check_start`] before
/// anything else is read, so a binary or UTF-16 file is refused after one
/// block; the whole text is then checked with [`decode`]. Memory: the
/// text, and no more than one read buffer beyond it for an input whose
/// size is not known in advance.
///
/// The bytes are returned as they are: a UTF-8 byte-order mark at the start
/// is kept (it reads as white space), so that byte offsets into the string
/// are offsets into the file on disk.
///
/// [`DEFAULT_MAX_BYTES`] (64 MiB) is a sensible bound for articles.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened or read (naming the path);
/// otherwise [`Error::File`] naming the path, around the reason:
/// [`Error::TooLarge`], [`Error::OtherEncoding`] (UTF-16 or UTF-32),
/// [`Error::InvalidUtf8`] or [`Error::Binary`] (with byte offsets into the
/// file).
///
/// ```
/// use neardup::Error;
/// use neardup::text::{DEFAULT_MAX_BYTES, read_file};
///
/// let path = std::env::temp_dir().join(format!("neardup-read-file-doc-{}.txt", std::process::id()));
/// std::fs::write(&path, "Plain text.\n")?;
/// assert_eq!(read_file(&path, DEFAULT_MAX_BYTES)?, "Plain text.\n");
///
/// let err = read_file(&path, 5).unwrap_err();
/// assert!(matches!(&err, Error::File { error, .. } if matches!(**error, Error::TooLarge { max_bytes: 5, .. })));
/// assert!(err.to_string().starts_with(&path.display().to_string()));
///
/// std::fs::write(&path, b"text\0with a NUL")?;
/// let err = read_file(&path, DEFAULT_MAX_BYTES).unwrap_err();
/// assert!(err.to_string().ends_with("input looks binary, not text: NUL byte at byte offset 4"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_file(path: impl AsRef<std::path::Path>, max_bytes: u64) -> Result<String> {
    let path = path.as_ref();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    // A regular file tells its size; a pipe or a device does not.
    let size = file.metadata().ok().filter(std::fs::Metadata::is_file).map(|m| m.len());
    read_bounded(&mut file, &path.display().to_string(), max_bytes, size)
}

/// [`read_file`] for any reader (standard input, a pipe, a socket):
/// `name` is what errors call the input.
///
/// ```
/// let text = neardup::text::read_from(&b"Some text."[..], "(standard input)", 1 << 20)?;
/// assert_eq!(text, "Some text.");
/// let err = neardup::text::read_from(std::io::repeat(b'a'), "(endless)", 1000).unwrap_err();
/// assert_eq!(err.to_string(), "(endless): input is larger than the maximum of 1000 bytes");
/// # Ok::<(), neardup::Error>(())
/// ```
pub fn read_from(mut reader: impl std::io::Read, name: &str, max_bytes: u64) -> Result<String> {
    read_bounded(&mut reader, name, max_bytes, None)
}

fn read_bounded(reader: &mut dyn std::io::Read, name: &str, max_bytes: u64, size: Option<u64>) -> Result<String> {
    use std::io::Read as _;
    let io = |e: std::io::Error| Error::Io { path: name.to_owned(), kind: e.kind(), message: e.to_string() };
    let file = |error| Error::File { path: name.to_owned(), error: Box::new(error) };
    // Room for the whole file when its size is known and within the bound.
    let capacity = size.filter(|&s| s <= max_bytes).and_then(|s| usize::try_from(s).ok()).map_or(0, |s| s + 1);
    let mut bytes = Vec::with_capacity(capacity.max(HEAD_BYTES));
    reader.take(HEAD_BYTES as u64).read_to_end(&mut bytes).map_err(io)?;
    check_start(&bytes).map_err(file)?;
    if let Some(size) = size.filter(|&s| s > max_bytes) {
        return Err(file(Error::TooLarge { max_bytes, size: Some(size) }));
    }
    let room = max_bytes.saturating_add(1).saturating_sub(bytes.len() as u64);
    reader.take(room).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(file(Error::TooLarge { max_bytes, size: None }));
    }
    decode(&bytes).map_err(file)?;
    // `decode` accepted the bytes, so they are UTF-8.
    String::from_utf8(bytes).map_err(|e| file(Error::InvalidUtf8 { offset: e.utf8_error().valid_up_to() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_non_text() {
        assert_eq!(decode(b"ok\xffno"), Err(Error::InvalidUtf8 { offset: 2 }));
        assert!(matches!(decode(b"a\0b"), Err(Error::Binary { offset: 1, .. })));
        assert_eq!(decode(b""), Ok(""));
    }
}
