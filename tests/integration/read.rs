//! Reading text files with a bound: `text::read_file`, `text::read_from`
//! and `text::check_start`, on files, devices, pipes and other encodings.

use std::io::Read;
use std::path::PathBuf;

use neardup::Error;
use neardup::text::{DEFAULT_MAX_BYTES, HEAD_BYTES, check_start, decode, read_file, read_from};

use crate::seed_pair;

/// A file under the temporary directory, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str, contents: impl AsRef<[u8]>) -> Temp {
        let path = std::env::temp_dir().join(format!("neardup-read-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("temp file can be written");
        Temp(path)
    }

    fn name(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The error inside `Error::File`, checking that it names `path`.
fn inner(err: Error, path: &str) -> Error {
    match err {
        Error::File { path: p, error } => {
            assert_eq!(p, path);
            *error
        }
        other => panic!("expected Error::File naming {path}, got {other:?}"),
    }
}

#[test]
fn a_text_file_is_read_as_it_is() {
    let (a, _) = seed_pair();
    let file = Temp::new("seed.txt", &a);
    assert_eq!(read_file(&file.0, DEFAULT_MAX_BYTES).unwrap(), a);
    // At the bound exactly; one byte past it.
    assert_eq!(read_file(&file.0, a.len() as u64).unwrap(), a);
    let err = read_file(&file.0, a.len() as u64 - 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: input of {} bytes is larger than the maximum of {} bytes", file.name(), a.len(), a.len() - 1)
    );
    assert_eq!(inner(err, &file.name()), Error::TooLarge { max_bytes: a.len() as u64 - 1, size: Some(a.len() as u64) });
    // Empty is text.
    let empty = Temp::new("empty.txt", "");
    assert_eq!(read_file(&empty.0, 1).unwrap(), "");
}

#[test]
fn a_utf8_byte_order_mark_is_kept() {
    let file = Temp::new("bom.txt", "\u{feff}Text after the mark.");
    let text = read_file(&file.0, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(text, "\u{feff}Text after the mark.", "offsets are into the file on disk");
}

#[test]
fn errors_name_the_file_and_keep_the_offset() {
    let bad = Temp::new("latin1.txt", b"caf\xe9 au lait");
    let err = read_file(&bad.0, DEFAULT_MAX_BYTES).unwrap_err();
    assert!(err.to_string().starts_with(&format!("{}: ", bad.name())), "{err}");
    assert_eq!(inner(err, &bad.name()), Error::InvalidUtf8 { offset: 3 });

    // A NUL past the first block: found by the check of the whole text.
    let mut late = "x".repeat(HEAD_BYTES + 100).into_bytes();
    late[HEAD_BYTES + 50] = 0;
    let late = Temp::new("late-nul.txt", &late);
    let err = read_file(&late.0, DEFAULT_MAX_BYTES).unwrap_err();
    assert_eq!(inner(err, &late.name()), Error::Binary { offset: HEAD_BYTES + 50, reason: "NUL byte" });

    // A missing file or a directory: an I/O error naming the path.
    let missing = std::env::temp_dir().join(format!("neardup-read-{}-missing.txt", std::process::id()));
    let err = read_file(&missing, DEFAULT_MAX_BYTES).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path, kind: std::io::ErrorKind::NotFound, .. } if *path == missing.display().to_string())
    );
    let dir = std::env::temp_dir();
    assert!(matches!(read_file(&dir, DEFAULT_MAX_BYTES), Err(Error::Io { .. })));
}

#[test]
fn utf16_and_utf32_are_recognised_with_a_hint() {
    let text = "Plain English text, long enough to see the pattern of its bytes.\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let with = |bom: &[u8], body: &[u8]| [bom, body].concat();
    let cases: [(Vec<u8>, &str, bool); 6] = [
        (with(&[0xff, 0xfe], &le), "UTF-16LE", true),
        (with(&[0xfe, 0xff], &be), "UTF-16BE", true),
        (le.clone(), "UTF-16LE", false),
        (be.clone(), "UTF-16BE", false),
        (with(&[0xff, 0xfe, 0, 0], b"h\0\0\0i\0\0\0"), "UTF-32LE", true),
        (with(&[0, 0, 0xfe, 0xff], b"\0\0\0h\0\0\0i"), "UTF-32BE", true),
    ];
    for (bytes, encoding, byte_order_mark) in cases {
        let expected = Error::OtherEncoding { encoding, byte_order_mark };
        assert_eq!(decode(&bytes), Err(expected.clone()), "{encoding}");
        assert_eq!(check_start(&bytes), Err(expected.clone()), "{encoding}");
        let file = Temp::new("wide.txt", &bytes);
        let err = read_file(&file.0, DEFAULT_MAX_BYTES).unwrap_err();
        let message = err.to_string();
        assert_eq!(inner(err, &file.name()), expected);
        assert!(message.contains(&format!("looks like {encoding}")), "{message}");
        let iconv = if byte_order_mark { &encoding[..6] } else { encoding };
        assert!(message.contains(&format!("`iconv -f {iconv} -t UTF-8`")), "{message}");
    }
    // Non-Latin UTF-16 without a mark has no NUL pattern: it is still
    // refused (not UTF-8), without a guess.
    let greek: Vec<u8> = "Καλημέρα κόσμε".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(matches!(decode(&greek), Err(Error::InvalidUtf8 { .. } | Error::Binary { .. })));
    // Text with a few NUL bytes, and all zeros, are binary, not UTF-16.
    assert!(matches!(decode(b"a\0b"), Err(Error::Binary { offset: 1, .. })));
    assert!(matches!(decode(&[0; 64]), Err(Error::Binary { offset: 0, .. })));
}

#[test]
fn check_start_accepts_a_character_cut_at_the_end() {
    let text = "Ünïcödé text, cut anywhere: ".repeat(400);
    for cut in [1, 2, 3, 100, 101, HEAD_BYTES - 1, HEAD_BYTES, HEAD_BYTES + 1] {
        assert_eq!(check_start(&text.as_bytes()[..cut]), Ok(()), "cut at {cut}");
    }
    // A bad byte inside the head is an error with its offset.
    assert_eq!(check_start(b"ok \xff then more"), Err(Error::InvalidUtf8 { offset: 3 }));
    assert!(matches!(check_start(b"\x01\x02\x03\x04\x05 binary"), Err(Error::Binary { .. })));
}

/// An endless reader that counts the bytes taken from it.
struct Endless<'a> {
    byte: u8,
    read: &'a mut u64,
}

impl Read for Endless<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(self.byte);
        *self.read += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn endless_inputs_stop_at_the_first_block_or_the_bound() {
    // Endless NUL bytes (`/dev/zero`): refused after the first block.
    let mut read = 0;
    let err = read_from(Endless { byte: 0, read: &mut read }, "zeros", DEFAULT_MAX_BYTES).unwrap_err();
    assert_eq!(err.to_string(), "zeros: input looks binary, not text: NUL byte at byte offset 0");
    assert!(read <= 2 * HEAD_BYTES as u64, "read {read} bytes");
    // Endless text: refused one byte past the bound.
    let mut read = 0;
    let err = read_from(Endless { byte: b'a', read: &mut read }, "letters", 100_000).unwrap_err();
    assert_eq!(inner(err, "letters"), Error::TooLarge { max_bytes: 100_000, size: None });
    assert!(read <= 100_000 + 2 * HEAD_BYTES as u64, "read {read} bytes");
    assert_eq!(read_from(&b"short"[..], "-", 5).unwrap(), "short");
}

#[cfg(unix)]
#[test]
fn devices_are_refused_at_once() {
    let err = read_file("/dev/zero", DEFAULT_MAX_BYTES).unwrap_err();
    assert_eq!(inner(err, "/dev/zero"), Error::Binary { offset: 0, reason: "NUL byte" });
    assert_eq!(read_file("/dev/null", DEFAULT_MAX_BYTES).unwrap(), "");
    let err = inner(read_file("/dev/urandom", DEFAULT_MAX_BYTES).unwrap_err(), "/dev/urandom");
    assert!(matches!(err, Error::InvalidUtf8 { .. } | Error::Binary { .. } | Error::OtherEncoding { .. }), "{err:?}");
}
