//! Saving and loading an [`Index`]: a versioned binary format with a
//! checksum, written atomically (the format is in the [corpus docs](super)).

use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use xxhash_rust::xxh3::Xxh3Default;

use super::texts::{DiskTexts, Texts};
use super::{ContextCounts, Index, Stored};
use crate::config::{Config, Unit};
use crate::detector::Detector;
use crate::error::{Error, Result};
use crate::fingerprint::{SIGNATURE_VERSION, duplicate_key};
use crate::lsh::{Entry, LshParams, Table};

/// The version of the index file format this build writes (and reads).
///
/// Version 5 stores the boilerplate statistics themselves, and each
/// article's exact-duplicate key instead of its sentence and paragraph
/// keys; version 4 added the `rewritten` and `stem_chars` settings;
/// version 3 added the run table and its settings; version 2 added the
/// header to the checksum. Files of versions 1 to 4 (neardup 0.2 and the
/// development versions of 0.3) still load. See [the
/// format](crate::corpus#index-file-format-version-5).
pub const FORMAT_VERSION: u32 = 5;

/// The format before the boilerplate statistics were stored: each article
/// carries its sentence and paragraph keys, counted again on load.
const FORMAT_V4: u32 = 4;

/// The format before the `rewritten` and `stem_chars` settings.
const FORMAT_V3: u32 = 3;

/// The format of neardup 0.1 and 0.2: the checksum covers the body only.
const FORMAT_V1: u32 = 1;

/// The format before the run table.
const FORMAT_V2: u32 = 2;

const MAGIC: &[u8; 8] = b"NEARDUPI";
const HEADER: usize = 40;

fn unicode_version() -> u32 {
    let (a, b, c) = unicode_normalization::UNICODE_VERSION;
    u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)
}

/// Writes the body to `out` while hashing it and counting its bytes; the
/// first I/O error is kept and later writes are skipped.
struct Writer<W: Write> {
    out: W,
    hash: Xxh3Default,
    len: u64,
    err: Option<std::io::Error>,
}

impl<W: Write> Writer<W> {
    fn new(out: W) -> Writer<W> {
        Writer { out, hash: Xxh3Default::new(), len: 0, err: None }
    }
    fn put(&mut self, b: &[u8]) {
        if self.err.is_none()
            && let Err(e) = self.out.write_all(b)
        {
            self.err = Some(e);
        }
        self.hash.update(b);
        self.len += b.len() as u64;
    }
    fn u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
    fn usize32(&mut self, v: usize) {
        // Config values are validated to fit in u32.
        self.u32(u32::try_from(v).unwrap_or(u32::MAX));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.put(b);
    }
}

/// Header bytes 20..24, which must be zero.
const RESERVED: std::ops::Range<usize> = 20..24;

/// The 40-byte header for a body of `len` bytes; `body_hash` has hashed
/// the body and goes on to hash header bytes 0..32 (the checksum covers
/// everything but itself).
fn header(len: u64, mut body_hash: Xxh3Default) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&SIGNATURE_VERSION.to_le_bytes());
    h[16..20].copy_from_slice(&unicode_version().to_le_bytes());
    h[24..32].copy_from_slice(&len.to_le_bytes());
    body_hash.update(&h[..32]);
    h[32..40].copy_from_slice(&body_hash.digest().to_le_bytes());
    h
}

/// Reads the body from `src`, a field at a time, checking each length and
/// count against the bytes the header announces (`end`) before reading
/// or allocating anything for it.
struct Reader<R: Read> {
    src: R,
    pos: usize,
    end: usize,
}

type Parse<T> = std::result::Result<T, String>;

impl<R: Read> Reader<R> {
    fn remain(&self) -> usize {
        self.end - self.pos
    }
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Parse<()> {
        if buf.len() > self.remain() {
            return Err(format!(
                "{what} needs {} bytes at body offset {} but only {} remain",
                buf.len(),
                self.pos,
                self.remain()
            ));
        }
        self.src.read_exact(buf).map_err(|e| format!("reading {what} at body offset {}: {e}", self.pos))?;
        self.pos += buf.len();
        Ok(())
    }
    fn array<const N: usize>(&mut self, what: &str) -> Parse<[u8; N]> {
        let mut a = [0u8; N];
        self.fill(&mut a, what)?;
        Ok(a)
    }
    fn u8(&mut self, what: &str) -> Parse<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    /// A byte that must be 0 (false) or 1 (true).
    fn flag(&mut self, what: &str) -> Parse<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            x => Err(format!("{what} at body offset {} is {x}, expected 0 or 1", self.pos - 1)),
        }
    }
    fn u32(&mut self, what: &str) -> Parse<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Parse<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn len(&mut self, what: &str) -> Parse<usize> {
        let n = self.u64(what)?;
        usize::try_from(n).ok().filter(|&n| n <= self.remain()).ok_or_else(|| {
            format!("{what} claims {n} bytes at body offset {} but only {} remain", self.pos, self.remain())
        })
    }
    fn string(&mut self, what: &str) -> Parse<String> {
        let at = self.pos;
        let n = self.len(what)?;
        let mut b = vec![0u8; n];
        self.fill(&mut b, what)?;
        String::from_utf8(b).map_err(|e| format!("{what} at body offset {at} is not UTF-8 ({})", e.utf8_error()))
    }
    /// A count of items of `size` bytes each, checked against what remains.
    fn count(&mut self, size: usize, what: &str) -> Parse<usize> {
        let n = self.u64(what)?;
        let remain = self.remain();
        usize::try_from(n).ok().filter(|&n| n.checked_mul(size).is_some_and(|b| b <= remain)).ok_or_else(|| {
            format!("{what} = {n} items of {size} bytes at body offset {} but only {remain} bytes remain", self.pos)
        })
    }
}

/// A reader that hashes what it reads (the checksum is computed as the
/// body streams by).
struct Hashing<R: Read> {
    inner: R,
    hash: Xxh3Default,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

fn write_config<W: Write>(w: &mut Writer<W>, c: &Config) {
    w.usize32(c.shingle_size);
    w.usize32(c.num_hashes);
    w.u64(c.threshold.to_bits());
    match c.bands_rows {
        Some((b, r)) => {
            w.u8(1);
            w.usize32(b);
            w.usize32(r);
        }
        None => {
            w.u8(0);
            w.u32(0);
            w.u32(0);
        }
    }
    w.u64(c.seed);
    match c.unit {
        Unit::Paragraph => {
            w.u8(0);
            w.u32(0);
        }
        Unit::Sentence => {
            w.u8(1);
            w.u32(0);
        }
        Unit::Window { size } => {
            w.u8(2);
            w.usize32(size);
        }
    }
    w.usize32(c.min_words);
    w.usize32(c.max_gap);
    w.usize32(c.max_bucket);
    w.usize32(c.boilerplate_contexts);
    w.u8(u8::from(c.report_boilerplate));
    w.usize32(c.anchor_words);
    w.usize32(c.max_df);
    w.u8(u8::from(c.similar_units));
    // 0 off, 1 rewritten passages and candidates (as format 4 wrote it),
    // 2 rewritten passages without the candidate tables.
    w.u8(match (c.rewritten, c.rewritten_candidates) {
        (false, _) => 0,
        (true, true) => 1,
        (true, false) => 2,
    });
    w.usize32(c.stem_chars);
}

#[allow(clippy::field_reassign_with_default)] // Config is #[non_exhaustive]: fields in file order
fn read_config<R: Read>(r: &mut Reader<R>, version: u32) -> Parse<Config> {
    let mut c = Config::default();
    c.shingle_size = r.u32("shingle_size")? as usize;
    c.num_hashes = r.u32("num_hashes")? as usize;
    c.threshold = f64::from_bits(r.u64("threshold")?);
    let has = r.u8("bands_rows flag")?;
    let (b, rows) = (r.u32("bands")? as usize, r.u32("rows")? as usize);
    c.bands_rows = match has {
        0 => None,
        1 => Some((b, rows)),
        x => return Err(format!("bands_rows flag at body offset {} is {x}, expected 0 or 1", r.pos - 9)),
    };
    c.seed = r.u64("seed")?;
    let tag = r.u8("unit tag")?;
    let size = r.u32("window size")? as usize;
    c.unit = match tag {
        0 => Unit::Paragraph,
        1 => Unit::Sentence,
        2 => Unit::Window { size },
        x => return Err(format!("unit tag at body offset {} is {x}, expected 0, 1 or 2", r.pos - 5)),
    };
    c.min_words = r.u32("min_words")? as usize;
    c.max_gap = r.u32("max_gap")? as usize;
    c.max_bucket = r.u32("max_bucket")? as usize;
    c.boilerplate_contexts = r.u32("boilerplate_contexts")? as usize;
    c.report_boilerplate = r.flag("report_boilerplate")?;
    if version >= FORMAT_V3 {
        c.anchor_words = r.u32("anchor_words")? as usize;
        c.max_df = r.u32("max_df")? as usize;
        c.similar_units = r.flag("similar_units")?;
    } else {
        // Files without a run table keep the LSH candidates they had.
        c.similar_units = true;
    }
    if version >= FORMAT_V4 {
        (c.rewritten, c.rewritten_candidates) = match r.u8("rewritten")? {
            0 => (false, true),
            1 => (true, true),
            2 => (true, false),
            x => return Err(format!("rewritten at body offset {} is {x}, expected 0, 1 or 2", r.pos - 1)),
        };
        c.stem_chars = r.u32("stem_chars")? as usize;
    } else {
        // Files from before rewritten passages keep the reports they gave.
        c.rewritten = false;
    }
    Ok(c)
}

impl Index {
    /// The index in the file format described in the
    /// [corpus docs](crate::corpus#index-file-format-version-5): header, checksum and body.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "Some article text that is long enough to be indexed.")?;
    /// let bytes = index.to_bytes()?;
    /// let back = neardup::Index::from_bytes(&bytes)?;
    /// assert_eq!(back.text(1)?, index.text(1)?);
    /// # Ok::<(), neardup::Error>(())
    /// ```
    ///
    /// Fails only for an index that keeps its texts on disk
    /// ([`store_texts_on_disk`](Self::store_texts_on_disk)) when one cannot
    /// be read back ([`Error::Io`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(vec![0u8; HEADER]);
        self.write_body(&mut w);
        if let Some(e) = w.err {
            return Err(Error::Io { path: "<bytes>".into(), kind: e.kind(), message: e.to_string() });
        }
        let mut out = w.out;
        out[..HEADER].copy_from_slice(&header(w.len, w.hash));
        Ok(out)
    }

    /// Writes the body (see the [corpus docs](crate::corpus#index-file-format-version-5)).
    fn write_body<W: Write>(&self, w: &mut Writer<W>) {
        write_config(w, self.detector.config());
        let lsh = self.detector.lsh();
        w.usize32(lsh.bands);
        w.usize32(lsh.rows);
        // Live slots, in slot order, get ordinals 0..n; the map is monotone,
        // so sorted entries stay sorted.
        let mut ordinal = vec![u32::MAX; self.store.slots()];
        let live: Vec<&Stored> = self.store.live().collect();
        let mut next = 0u32;
        for slot in 0..self.store.slots() as u32 {
            if self.store.at(slot).is_some() {
                ordinal[slot as usize] = next;
                next += 1;
            }
        }
        w.u64(live.len() as u64);
        for s in &live {
            w.u64(s.id);
            w.bytes(s.label.as_bytes());
            match self.store.text(s) {
                Ok(text) => w.bytes(text.as_bytes()),
                Err(e) => {
                    // A text that cannot be read back from disk: the save
                    // fails (the error names the index's text file).
                    let e = self.text_file_error(&e);
                    w.err.get_or_insert(std::io::Error::other(e.to_string()));
                    return;
                }
            }
            w.u32(s.units);
            let key = s.duplicate_key().unwrap_or(0);
            w.u64(key as u64);
            w.u64((key >> 64) as u64);
        }
        for table in self.tables.iter().chain([&self.runs]) {
            // Streamed: the sorted array as it is, merged with the pending
            // entries (no copy of the table).
            let ordinal = &ordinal;
            let (count, entries) = table.encoded(move |slot| Some(ordinal[slot as usize]).filter(|&o| o != u32::MAX));
            w.u64(count as u64);
            for e in entries {
                w.u64(e.key);
                w.u32(e.slot);
                w.u32(e.unit);
            }
        }
        // The boilerplate statistics, so that loading reads them instead of
        // counting every article's keys again.
        let (count, records) = self.counts.saved_records();
        w.u64(count as u64);
        for (key, context, contexts, articles) in records {
            w.u64(key);
            w.u64(context);
            w.u32(contexts);
            w.u32(articles);
        }
        let in_context = self.counts.saved_in_context();
        w.u64(in_context.len() as u64);
        for (key, context, articles) in in_context {
            w.u64(key);
            w.u64(context);
            w.u32(articles);
        }
    }

    /// Reads an index from bytes made by [`to_bytes`](Self::to_bytes).
    ///
    /// Errors: [`Error::IndexVersion`] for another format version,
    /// [`Error::CorruptIndex`] for anything else that is wrong (truncation,
    /// checksum, structure), naming the field and offset. Never panics,
    /// whatever the bytes.
    ///
    /// ```
    /// let err = neardup::Index::from_bytes(b"not an index").unwrap_err();
    /// assert!(err.to_string().contains("not a valid neardup index"));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Index> {
        from_bytes_named(bytes, "<bytes>")
    }

    /// Writes the index to `path` atomically: to a new temporary file in
    /// the same directory, flushed to disk, renamed over `path`, then the
    /// directory flushed. A crash leaves either the old file or the new
    /// one, never half of one; once `save` returns `Ok`, the file loads.
    ///
    /// What is at `path` decides what happens:
    ///
    /// - **Nothing**: a new file is created, with the permissions any new
    ///   file gets (on Unix, `0o666` less the process's umask).
    /// - **A regular file**: it is replaced, and the new file keeps its
    ///   permission bits (an index saved over a `0o600` file stays `0o600`;
    ///   the temporary file never has wider ones) and, on Unix, its owner
    ///   and group where the process may set them (root, or a group the
    ///   user is in), as `sed -i` does; otherwise the new file belongs to
    ///   the user saving it.
    /// - **A symbolic link**: it is followed (through further links, up to
    ///   40) and its target is saved as above, atomically, in the target's
    ///   directory; the links stay links. The target of a dangling link is
    ///   created, as `cp` or a shell redirection would.
    /// - **Anything else** (a directory, a FIFO, a device, a socket), also
    ///   behind a link: refused with [`Error::Io`] naming `path` and what is
    ///   there (`ErrorKind::IsADirectory` for a directory, `InvalidInput`
    ///   otherwise); nothing is written. `save("/dev/full")` never turns a
    ///   device into a regular file, even for root.
    ///
    /// A file with several **hard links** is replaced under `path` only:
    /// its other names keep the old index, whole and loadable. An atomic
    /// save cannot write in place (a crash halfway would corrupt every
    /// name), and refusing would make a file that has a second name (a
    /// snapshot made with `ln`, a backup tree made with `cp -al`) impossible
    /// to update; keeping the old contents under the other names loses
    /// nothing, and is what those snapshots are for.
    ///
    /// Each save writes its own temporary file, `<name>.tmp-<pid>-<n>`
    /// (created exclusively; a name longer than 200 bytes is shortened in
    /// it), so saves from several threads or processes to one path never
    /// share one: each rename is atomic, the last one wins, and the file is
    /// always one of the saved indexes. An error while writing names the
    /// temporary file (which is then removed); an error in the rename names
    /// the file being replaced.
    ///
    /// The checks happen when the save starts and again just before the
    /// rename; a path that changes between the two (another process
    /// putting a FIFO there) is not guarded against, as with any rename.
    ///
    /// ```no_run
    /// let index = neardup::Detector::builder().build()?.index();
    /// index.save("archive.ndx")?;
    /// let back = neardup::Index::load("archive.ndx")?;
    /// assert!(back.is_empty());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let (target, old) = save_target(path)?;
        let (tmp, file) = create_temp(&target, old.as_ref())?;
        let discard = |e: Error| {
            // Best effort: the temporary file is useless after a failure.
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        };
        if let Err(e) = self.write_file(file, old.as_ref()) {
            return discard(Error::io(&tmp, &e));
        }
        // The target may have changed while the file was written.
        if let Ok(m) = std::fs::symlink_metadata(&target)
            && !m.is_file()
        {
            return discard(not_regular(path, &target, m.file_type(), "refusing to replace it with an index"));
        }
        if let Err(e) = std::fs::rename(&tmp, &target) {
            return discard(Error::Io {
                path: target.display().to_string(),
                kind: e.kind(),
                message: format!("cannot replace it with {}: {e}", tmp.display()),
            });
        }
        let dir = parent_dir(&target);
        sync_dir(dir).map_err(|e| Error::Io {
            path: dir.display().to_string(),
            kind: e.kind(),
            message: format!("the index is saved, but flushing the directory to disk failed: {e}"),
        })
    }

    /// Writes the whole file (header and body) to `file` and flushes it to
    /// disk; with `old`, first gives `file` the permissions (and owner,
    /// where allowed) of the file it is to replace.
    fn write_file(&self, file: File, old: Option<&Metadata>) -> std::io::Result<()> {
        if let Some(old) = old {
            keep_owner_and_mode(&file, old)?;
        }
        // Streamed: the body goes to disk as it is produced (no copy of the
        // whole file in memory), then the header with its length and
        // checksum is written over the placeholder at the start.
        let mut out = std::io::BufWriter::new(file);
        out.write_all(&[0u8; HEADER])?;
        let mut w = Writer::new(out);
        self.write_body(&mut w);
        if let Some(e) = w.err {
            return Err(e);
        }
        let mut file = w.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(&header(w.len, w.hash))?;
        file.sync_all()
    }

    /// Reads an index saved by [`save`](Self::save), its texts in memory;
    /// see [`from_bytes`](Self::from_bytes) for the errors (which name
    /// `path`).
    ///
    /// `path` must be a regular file (or a link to one): a directory, a
    /// FIFO, a device or a socket is an [`Error::Io`] naming it, checked
    /// before it is opened, so loading `/dev/zero` or a named pipe fails at
    /// once instead of reading forever or waiting for a writer. The file is
    /// streamed: parsed and checksummed as it is read, through a 1 MiB
    /// buffer, so peak memory is the index itself (never the file beside
    /// it); nothing is returned unless the whole file checks out.
    pub fn load(path: impl AsRef<Path>) -> Result<Index> {
        load_into(path.as_ref(), Texts::default())
    }

    /// [`load`](Self::load), keeping the texts on disk in a file of the
    /// index's own in directory `dir`, as
    /// [`store_texts_on_disk`](Self::store_texts_on_disk) does: the
    /// texts stream from the index file to that one, and never all sit in
    /// memory.
    ///
    /// ```no_run
    /// let index = neardup::Index::load_with_texts_on_disk("archive.ndx", std::env::temp_dir())?;
    /// assert!(index.texts_on_disk());
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn load_with_texts_on_disk(path: impl AsRef<Path>, dir: impl AsRef<Path>) -> Result<Index> {
        let dir = dir.as_ref();
        let disk = DiskTexts::create(dir).map_err(|e| Error::Io {
            path: dir.display().to_string(),
            kind: e.kind(),
            message: format!("cannot create the index's text file in this directory: {e}"),
        })?;
        load_into(path.as_ref(), Texts::on_disk(disk))
    }
}

/// Loads the index file at `path`, its texts kept in `texts`.
fn load_into(path: &Path, texts: Texts) -> Result<Index> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path, path, meta.file_type(), "cannot load an index from it"));
    }
    let name = path.display().to_string();
    let mut file = File::open(path).map_err(|e| Error::io(path, &e))?;
    let len = file.metadata().map_err(|e| Error::io(path, &e))?.len();
    if len < HEADER as u64 {
        let reason = format!("{len} bytes is shorter than the {HEADER}-byte header");
        return Err(Error::CorruptIndex { path: name, reason });
    }
    let mut header = [0u8; HEADER];
    file.read_exact(&mut header).map_err(|e| Error::io(path, &e))?;
    read_index(&header, file, len - HEADER as u64, &name, texts)
}

/// Symbolic links followed at most by [`Index::save`] (Linux's limit).
const MAX_LINKS: usize = 40;

/// The file a save to `path` replaces, following symbolic links, with its
/// metadata (`None`: nothing is there yet). Anything but a regular file or
/// nothing is an error naming `path`.
fn save_target(path: &Path) -> Result<(PathBuf, Option<Metadata>)> {
    let mut target = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match std::fs::symlink_metadata(&target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((target, None)),
            Err(e) => return Err(Error::io(&target, &e)),
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target).map_err(|e| Error::io(&target, &e))?;
                // A relative link is relative to its own directory; joining
                // an absolute one replaces the path.
                target = parent_dir(&target).join(link);
            }
            Ok(m) if m.is_file() => return Ok((target, Some(m))),
            Ok(m) => return Err(not_regular(path, &target, m.file_type(), "refusing to replace it with an index")),
        }
    }
    Err(Error::Io {
        path: path.display().to_string(),
        kind: std::io::ErrorKind::InvalidInput,
        message: format!("more than {MAX_LINKS} levels of symbolic links (a loop?)"),
    })
}

/// The directory `path` is in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Saves so far in this process: the counter that makes every temporary
/// file name unique within it (the process id makes it unique across
/// processes).
static SAVES: AtomicU64 = AtomicU64::new(0);

/// Creates a new temporary file beside `target`, exclusively (never one
/// that exists: a leftover of a crashed process with a recycled id is
/// skipped). Over an existing file, it is created with no wider
/// permissions than that file's.
fn create_temp(target: &Path, old: Option<&Metadata>) -> Result<(PathBuf, File)> {
    let Some(name) = target.file_name() else {
        return Err(Error::Io {
            path: target.display().to_string(),
            kind: std::io::ErrorKind::InvalidInput,
            message: "not a file name to save to".into(),
        });
    };
    // Most file systems limit a name to 255 bytes: leave room for the suffix.
    let stem = if name.len() > 200 {
        name.to_string_lossy().chars().take(64).collect::<String>().into()
    } else {
        name.to_os_string()
    };
    let mut attempts = 0;
    loop {
        let mut tmp_name = stem.clone();
        tmp_name.push(format!(".tmp-{}-{}", std::process::id(), SAVES.fetch_add(1, Ordering::Relaxed)));
        let tmp = target.with_file_name(tmp_name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(old) = old {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(old.permissions().mode() & 0o777);
        }
        #[cfg(not(unix))]
        let _ = old;
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            Err(e) => return Err(Error::io(&tmp, &e)),
        }
    }
}

/// Gives `file` the permission bits of `old` and, where the process may,
/// its owner and group (best effort, as `sed -i` does).
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: &Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) && fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
        // Not root: the owner cannot change, the group can if the user is in it.
        let _ = fchown(file, None, Some(old.gid()));
    }
    // After the chown, which may clear the set-id bits.
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
}

/// Elsewhere the new file has the permissions of a new file.
#[cfg(not(unix))]
fn keep_owner_and_mode(_file: &File, _old: &Metadata) -> std::io::Result<()> {
    Ok(())
}

/// Flushes a directory's entries (the rename) to disk. File systems that
/// cannot sync a directory say so with `EINVAL`: nothing more can be done
/// there, and it is not an error.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported) => Ok(()),
        r => r,
    }
}

/// Elsewhere a directory cannot be opened to be flushed.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// What a file that is not a regular file is, for error messages.
fn what_is(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    "a special file"
}

/// The error for `path` (reached as `target`) that is not a regular file.
fn not_regular(path: &Path, target: &Path, t: std::fs::FileType, refusal: &str) -> Error {
    let what = what_is(t);
    let message = if target == path {
        format!("is {what}, not a regular file: {refusal}")
    } else {
        format!("is a symbolic link to {}, which is {what}, not a regular file: {refusal}", target.display())
    };
    let kind = if t.is_dir() { std::io::ErrorKind::IsADirectory } else { std::io::ErrorKind::InvalidInput };
    Error::Io { path: path.display().to_string(), kind, message }
}

fn from_bytes_named(bytes: &[u8], name: &str) -> Result<Index> {
    if bytes.len() < HEADER {
        let reason = format!("{} bytes is shorter than the {HEADER}-byte header", bytes.len());
        return Err(Error::CorruptIndex { path: name.to_string(), reason });
    }
    let mut header = [0u8; HEADER];
    header.copy_from_slice(&bytes[..HEADER]);
    read_index(&header, &bytes[HEADER..], (bytes.len() - HEADER) as u64, name, Texts::default())
}

/// The index of a file whose header is `header`, whose body `src` streams
/// (`have` bytes follow the header), its texts kept in `texts`: the header
/// is checked first, then the body is parsed and hashed as it streams by,
/// and the index is returned only if the checksum matches too (a file
/// that fails to parse is reported as corrupt when its checksum does not
/// match, as the more telling reason). Peak memory is the index itself
/// and a 1 MiB read buffer.
fn read_index(header: &[u8; HEADER], src: impl Read, have: u64, name: &str, texts: Texts) -> Result<Index> {
    let corrupt = |reason: String| Error::CorruptIndex { path: name.to_string(), reason };
    if &header[..8] != MAGIC {
        return Err(corrupt("no NEARDUPI magic at the start (not an index file)".into()));
    }
    let word = |at: usize| u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let version = word(8);
    if ![FORMAT_VERSION, FORMAT_V4, FORMAT_V3, FORMAT_V2, FORMAT_V1].contains(&version) {
        return Err(Error::IndexVersion { path: name.to_string(), found: version, expected: FORMAT_VERSION });
    }
    if word(12) != SIGNATURE_VERSION {
        return Err(corrupt(format!(
            "signatures of version {} but this build computes version {SIGNATURE_VERSION}: rebuild the index",
            word(12)
        )));
    }
    if word(16) != unicode_version() {
        let v = word(16);
        return Err(corrupt(format!(
            "built with Unicode {}.{}.{} tables but this build uses {}: rebuild the index",
            v >> 16,
            v >> 8 & 0xff,
            v & 0xff,
            {
                let (a, b, c) = unicode_normalization::UNICODE_VERSION;
                format!("{a}.{b}.{c}")
            }
        )));
    }
    if let Some(at) = RESERVED.clone().find(|&at| header[at] != 0) {
        return Err(corrupt(format!("reserved header byte at offset {at} is {:#04x}, expected 0", header[at])));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&header[24..32]);
    let body_len = u64::from_le_bytes(len8);
    if body_len > have {
        return Err(corrupt(format!("header announces a {body_len}-byte body but the file holds {have} (truncated)")));
    }
    if body_len < have {
        return Err(corrupt(format!(
            "the file holds {} extra bytes after the {body_len}-byte body its header announces",
            have - body_len
        )));
    }
    len8.copy_from_slice(&header[32..40]);
    let stored_sum = u64::from_le_bytes(len8);
    let Ok(end) = usize::try_from(body_len) else {
        return Err(corrupt(format!("a {body_len}-byte body does not fit in this machine's address space")));
    };
    let hashing = Hashing { inner: src.take(body_len), hash: Xxh3Default::new() };
    let mut r = Reader { src: std::io::BufReader::with_capacity(1 << 20, hashing), pos: 0, end };
    let parsed = parse_body(&mut r, version, texts);
    // Whatever the parse did, hash the rest of the body (a parse error
    // stops early) to tell a corrupt file from a well-formed wrong one.
    let _ = std::io::copy(&mut r.src, &mut std::io::sink());
    let mut hash = r.src.into_inner().hash;
    if version != FORMAT_V1 {
        hash.update(&header[..32]);
    }
    if hash.digest() != stored_sum {
        return Err(corrupt("checksum mismatch: the header or the body is corrupt".into()));
    }
    parsed.map_err(corrupt)
}

/// The body of a file of format `version`, its texts kept in `texts`.
/// Format 1 (0.2) stored entries for every article and unit; exact
/// duplicates of an earlier article now take none, so theirs are checked
/// and dropped.
fn parse_body<R: Read>(r: &mut Reader<R>, version: u32, texts: Texts) -> Parse<Index> {
    let config = read_config(r, version)?;
    let detector = Detector::new(config).map_err(|e| format!("stored configuration: {e}"))?;
    let lsh = LshParams { bands: r.u32("bands")? as usize, rows: r.u32("rows")? as usize };
    if lsh != detector.lsh() {
        return Err(format!("stored LSH {lsh:?} differs from the configuration's {:?}", detector.lsh()));
    }
    let mut index = Index::new(detector);
    index.store.texts = texts;
    // Id, label and text lengths, units, then the duplicate key (format 5)
    // or the number of segment keys.
    let n = r.count(8 + 8 + 8 + 4 + if version >= FORMAT_VERSION { 16 } else { 8 }, "article count")?;
    if n > u32::MAX as usize {
        return Err(format!("{n} articles exceed the 2^32 - 1 limit"));
    }
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let id = r.u64("article id")?;
        let label = r.string("label")?;
        let text_at = r.pos;
        let text = r.string("text")?;
        let u = r.u32("unit count")?;
        let duplicate = if version >= FORMAT_VERSION {
            let at = r.pos;
            let key = u128::from(r.u64("duplicate key")?) | u128::from(r.u64("duplicate key")?) << 64;
            if u == 0 && key != 0 {
                return Err(format!("article {id} has no units but a duplicate key at body offset {at}"));
            }
            (u > 0).then_some(key)
        } else {
            // Older formats keep every article's segment keys: counted
            // here (and then dropped), the statistics are the saved ones.
            let ns = r.count(16, "sentence count")?;
            let mut sentences = Vec::with_capacity(ns);
            for _ in 0..ns {
                sentences.push((r.u64("sentence key")?, r.u64("context key")?));
            }
            index.counts.add(&sentences);
            duplicate_key(&sentences, u as usize)
        };
        if index.store.contains(id) {
            return Err(format!("article id {id} appears twice"));
        }
        debug_assert_eq!(index.store.slots(), i);
        // Only the first article of an exact-duplicate class is in the
        // tables: the others' entries are none.
        let text = index
            .store
            .texts
            .keep(&[&text])
            .map_err(|e| format!("keeping the text at body offset {text_at}: {}", index.text_file_error(&e)))?;
        let text = text.into_iter().next().expect("one text kept");
        let (_, indexed) = index.store.push(Stored::new(id, &label, text, u, duplicate));
        units.push((u, indexed));
    }
    // At most one entry per unit of the articles in the tables (a unit
    // that repeats an earlier one of its article has none); format 1 has
    // one for every unit of every article.
    let expected: u64 =
        units.iter().filter(|&&(_, indexed)| indexed || version == FORMAT_V1).map(|&(u, _)| u64::from(u)).sum();
    for band in 0..lsh.bands {
        let m = r.count(16, "entry count")?;
        if m as u64 > expected {
            return Err(format!("band {band} has {m} entries but the articles in the tables have {expected} units"));
        }
        let mut main = Vec::with_capacity(m);
        for _ in 0..m {
            let e = Entry { key: r.u64("band key")?, slot: r.u32("article ordinal")?, unit: r.u32("unit")? };
            let Some(&(u, indexed)) = units.get(e.slot as usize) else {
                return Err(format!(
                    "band {band}: entry at body offset {} points at article {} of {n}",
                    r.pos - 16,
                    e.slot
                ));
            };
            let u = if indexed || version == FORMAT_V1 { u } else { 0 };
            if e.unit >= u {
                return Err(format!(
                    "band {band}: entry at body offset {} points at unit {} of an article with {u}",
                    r.pos - 16,
                    e.unit
                ));
            }
            if main.last().is_some_and(|last: &Entry| *last >= e) {
                return Err(format!("band {band}: entries out of order at body offset {}", r.pos - 16));
            }
            if indexed {
                main.push(e);
            }
        }
        index.tables[band] = Table::from_sorted(main);
    }
    if version >= FORMAT_V3 {
        index.runs = read_runs(r, &units, &index)?;
    } else {
        index.compute_runs().map_err(|e| format!("reading a text back: {}", index.text_file_error(&e)))?;
    }
    if version >= FORMAT_VERSION {
        index.counts = read_counts(r)?;
    }
    index.compute_bags().map_err(|e| format!("reading a text back: {}", index.text_file_error(&e)))?;
    index.count_loaded_entries();
    if r.pos != r.end {
        let after = if version >= FORMAT_VERSION { "the boilerplate statistics" } else { "the run table" };
        return Err(format!("{} unexpected bytes after {after}", r.end - r.pos));
    }
    Ok(index)
}

/// The boilerplate statistics of a version 5 body: the records sorted by
/// key, then the counts per context of the keys seen in several.
fn read_counts<R: Read>(r: &mut Reader<R>) -> Parse<ContextCounts> {
    let records = r.count(24, "boilerplate record count")?;
    let mut counts = ContextCounts::load_records(records, || {
        Ok((r.u64("boilerplate key")?, r.u64("context")?, r.u32("contexts")?, r.u32("articles")?))
    })?;
    let pairs = r.count(20, "count per context count")?;
    counts.load_in_context(pairs, || Ok((r.u64("boilerplate key")?, r.u64("context")?, r.u32("articles")?)))?;
    Ok(counts)
}

/// The run table of a version 3 body: entries sorted by `(key, article
/// ordinal, word)`, each pointing at an article in the tables and a word
/// inside its text, at most one per article and key.
fn read_runs<R: Read>(r: &mut Reader<R>, units: &[(u32, bool)], index: &Index) -> Parse<Table> {
    let m = r.count(16, "run entry count")?;
    // Per article ordinal, the bound on a word index: the text's length for
    // an article in the tables, 0 for a copy. Entries are sorted by key, so
    // their ordinals are random: 4 bytes per article stay in the cache
    // where the articles themselves would not (a miss per entry was half
    // of loading).
    let bounds: Vec<u32> = (0..units.len() as u32)
        .map(|slot| match (units[slot as usize], index.store.at(slot)) {
            ((_, true), Some(stored)) => u32::try_from(stored.text.len()).unwrap_or(u32::MAX),
            _ => 0,
        })
        .collect();
    let mut main = Vec::with_capacity(m);
    for _ in 0..m {
        let e = Entry { key: r.u64("run key")?, slot: r.u32("article ordinal")?, unit: r.u32("word")? };
        let at = r.pos - 16;
        let Some(&bound) = bounds.get(e.slot as usize) else {
            return Err(format!("run entry at body offset {at} points at article {} of {}", e.slot, units.len()));
        };
        if e.unit >= bound {
            if !units[e.slot as usize].1 {
                return Err(format!(
                    "run entry at body offset {at} points at article {}, an exact duplicate (not in the tables)",
                    e.slot
                ));
            }
            return Err(format!("run entry at body offset {at} points at word {} of a text of {bound} bytes", e.unit));
        }
        if main.last().is_some_and(|last: &Entry| (last.key, last.slot) >= (e.key, e.slot)) {
            return Err(format!("run entries out of order (or repeated) at body offset {at}"));
        }
        main.push(e);
    }
    Ok(Table::from_sorted(main))
}
