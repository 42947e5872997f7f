//! Where an index keeps its articles' texts: in memory (the default), or
//! on disk, in an unnamed file of its own written once and read back when
//! an article is verified ([`Index::store_texts_on_disk`](super::Index::store_texts_on_disk)).
//!
//! The disk file is created with [`tempfile::tempfile_in`]: it has no
//! name (on Linux `O_TMPFILE`, elsewhere removed as soon as it is open, or
//! deleted on close on Windows), so no other process can open, change or
//! truncate it, and it disappears with the index, even after a crash.
//! Texts are appended a batch at a time with one positional write and read
//! back with positional reads, from any number of threads at once; what
//! the operating system caches of it is page cache, not the process's
//! memory.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// An article's text: in memory, or `len` bytes at `offset` of the disk
/// file.
#[derive(Clone, Debug)]
pub(crate) enum Text {
    Memory(Box<str>),
    Disk { offset: u64, len: u64 },
}

impl Text {
    /// Bytes of the text.
    pub(crate) fn len(&self) -> usize {
        match self {
            Text::Memory(t) => t.len(),
            Text::Disk { len, .. } => *len as usize,
        }
    }

    /// Heap bytes of the text (none on disk).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Text::Memory(t) => t.len(),
            Text::Disk { .. } => 0,
        }
    }
}

/// The disk file of an index's texts; clones share it (each clone's
/// appends go to their own part of it).
#[derive(Clone, Debug)]
pub(crate) struct DiskTexts(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    file: File,
    /// Bytes written so far: where the next append goes.
    end: Mutex<u64>,
    /// The directory the file is in, for error messages.
    dir: PathBuf,
}

impl DiskTexts {
    /// A new, empty, unnamed file in directory `dir`.
    pub(crate) fn create(dir: &Path) -> io::Result<DiskTexts> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(DiskTexts(Arc::new(Shared { file, end: Mutex::new(0), dir: dir.to_path_buf() })))
    }

    /// The directory the file is in.
    pub(crate) fn dir(&self) -> &Path {
        &self.0.dir
    }

    /// Bytes in the file.
    pub(crate) fn bytes(&self) -> u64 {
        *self.0.end.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `bytes` (one or more texts, back to back) with one write;
    /// returns the offset they start at. On an error nothing counts as
    /// written.
    pub(crate) fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let mut end = self.0.end.lock().unwrap_or_else(|e| e.into_inner());
        let at = *end;
        write_all_at(&self.0.file, bytes, at)?;
        *end += bytes.len() as u64;
        Ok(at)
    }

    /// The text of `len` bytes at `offset`.
    pub(crate) fn read(&self, offset: u64, len: u64) -> io::Result<String> {
        let mut buf = vec![0u8; usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?];
        read_exact_at(&self.0.file, &mut buf, offset)?;
        String::from_utf8(buf).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the text at byte {offset} of the index's text file is not UTF-8 ({e})"),
            )
        })
    }
}

/// Where the index keeps texts, and reading them back.
#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    /// The disk file, once texts are stored on disk.
    pub(crate) disk: Option<DiskTexts>,
    /// Reads that failed.
    errors: ErrorCount,
}

/// A count that threads add to through a shared reference; a clone starts
/// from the same count.
#[derive(Debug, Default)]
struct ErrorCount(AtomicUsize);

impl Clone for ErrorCount {
    fn clone(&self) -> ErrorCount {
        ErrorCount(AtomicUsize::new(self.0.load(Ordering::Relaxed)))
    }
}

impl Texts {
    /// Texts on disk in `disk`.
    pub(crate) fn on_disk(disk: DiskTexts) -> Texts {
        Texts { disk: Some(disk), errors: ErrorCount::default() }
    }

    /// The text `t`, borrowed from memory or read from disk; a failed read
    /// is counted ([`read_errors`](Self::read_errors)).
    pub(crate) fn get<'t>(&self, t: &'t Text) -> io::Result<Cow<'t, str>> {
        let read = match (t, &self.disk) {
            (Text::Memory(s), _) => return Ok(Cow::Borrowed(s)),
            (Text::Disk { offset, len }, Some(disk)) => disk.read(*offset, *len).map(Cow::Owned),
            (Text::Disk { .. }, None) => Err(io::Error::other("a text on disk in an index without a text file")),
        };
        if read.is_err() {
            self.errors.0.fetch_add(1, Ordering::Relaxed);
        }
        read
    }

    /// Reads of texts from disk that failed so far.
    pub(crate) fn read_errors(&self) -> usize {
        self.errors.0.load(Ordering::Relaxed)
    }

    /// Keeps `texts` (all or none): in memory, or appended to the disk
    /// file with one write.
    pub(crate) fn keep(&self, texts: &[&str]) -> io::Result<Vec<Text>> {
        let Some(disk) = &self.disk else {
            return Ok(texts.iter().map(|&t| Text::Memory(t.into())).collect());
        };
        let mut bytes = Vec::with_capacity(texts.iter().map(|t| t.len()).sum());
        for t in texts {
            bytes.extend_from_slice(t.as_bytes());
        }
        let mut at = disk.append(&bytes)?;
        Ok(texts
            .iter()
            .map(|t| {
                let text = Text::Disk { offset: at, len: t.len() as u64 };
                at += t.len() as u64;
                text
            })
            .collect())
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                buf = &buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_on_disk_read_back_and_clones_append_apart() {
        let disk = DiskTexts::create(&std::env::temp_dir()).unwrap();
        let texts = Texts::on_disk(disk);
        let kept = texts.keep(&["première", "", "second text"]).unwrap();
        let clone = texts.clone();
        let more = clone.keep(&["from the clone"]).unwrap();
        let again = texts.keep(&["third"]).unwrap();
        let read = |t: &Text| texts.get(t).unwrap().into_owned();
        assert_eq!(kept.iter().map(read).collect::<Vec<_>>(), ["première", "", "second text"]);
        assert_eq!((read(&more[0]), read(&again[0])), ("from the clone".into(), "third".into()));
        assert_eq!(texts.disk.as_ref().unwrap().bytes(), 9 + 11 + 14 + 5);
        // A text cut inside a character is an error, not a panic.
        let bad = Text::Disk { offset: 0, len: 6 };
        assert_eq!(texts.get(&bad).unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert!(Texts::default().get(&bad).is_err());
        assert_eq!(texts.read_errors(), 1);
    }
}
