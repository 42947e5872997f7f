//! Saving and loading an [`Index`]: a versioned binary format with a
//! checksum, written atomically.
//!
//! # Format (version 1)
//!
//! All integers little-endian.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `NEARDUPI` |
//! | 4 | format version (`FORMAT_VERSION`, 1) |
//! | 4 | signature version ([`SIGNATURE_VERSION`]) |
//! | 4 | Unicode version of the normalisation tables (`major << 16 \| minor << 8 \| patch`) |
//! | 4 | reserved, 0 |
//! | 8 | body length in bytes |
//! | 8 | `xxh3_64` of the body |
//! | … | body |
//!
//! The body holds the [`Config`] (every field, so the configuration travels
//! with the index), the LSH bands and rows in use, the articles in insertion
//! order (id, label, text, number of indexed units, and the sentence and
//! context keys of every sentence), then for each band its entries sorted
//! by `(key, article ordinal, unit)`. Loading checks the magic, the
//! versions, the length (a truncated file is an error), the checksum (a
//! flipped bit is an error), then every structural invariant (UTF-8 texts,
//! unique ids, sorted entries pointing at existing units, counts that add
//! up) before anything is returned: a bad file never yields a partial
//! index. Loading does not analyse or hash any text.

use std::io::{Seek, Write};
use std::path::Path;

use xxhash_rust::xxh3::{Xxh3Default, xxh3_64};

use crate::config::{Config, Unit};
use crate::detector::Detector;
use crate::error::{Error, Result};
use crate::fingerprint::SIGNATURE_VERSION;
use crate::index::{Entry, Index, LshParams, Stored};

/// The version of the index file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

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

/// The 40-byte header for a body of `len` bytes hashing to `hash`.
fn header(len: u64, hash: u64) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&SIGNATURE_VERSION.to_le_bytes());
    h[16..20].copy_from_slice(&unicode_version().to_le_bytes());
    h[24..32].copy_from_slice(&len.to_le_bytes());
    h[32..40].copy_from_slice(&hash.to_le_bytes());
    h
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

type Parse<T> = std::result::Result<T, String>;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Parse<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(format!(
                "{what} needs {n} bytes at body offset {} but only {} remain",
                self.pos,
                self.buf.len() - self.pos
            )),
        }
    }
    fn u8(&mut self, what: &str) -> Parse<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Parse<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &str) -> Parse<u64> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn len(&mut self, what: &str) -> Parse<usize> {
        let n = self.u64(what)?;
        usize::try_from(n).ok().filter(|&n| n <= self.buf.len() - self.pos).ok_or_else(|| {
            format!("{what} claims {n} bytes at body offset {} but only {} remain", self.pos, self.buf.len() - self.pos)
        })
    }
    fn str(&mut self, what: &str) -> Parse<&'a str> {
        let at = self.pos;
        let n = self.len(what)?;
        let b = self.take(n, what)?;
        std::str::from_utf8(b).map_err(|e| format!("{what} at body offset {at} is not UTF-8 ({e})"))
    }
    /// A count of items of `size` bytes each, checked against what remains.
    fn count(&mut self, size: usize, what: &str) -> Parse<usize> {
        let n = self.u64(what)?;
        let remain = self.buf.len() - self.pos;
        usize::try_from(n).ok().filter(|&n| n.checked_mul(size).is_some_and(|b| b <= remain)).ok_or_else(|| {
            format!("{what} = {n} items of {size} bytes at body offset {} but only {remain} bytes remain", self.pos)
        })
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
}

#[allow(clippy::field_reassign_with_default)] // Config is #[non_exhaustive]: fields in file order
fn read_config(r: &mut Reader) -> Parse<Config> {
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
    c.report_boilerplate = match r.u8("report_boilerplate")? {
        0 => false,
        1 => true,
        x => return Err(format!("report_boilerplate at body offset {} is {x}, expected 0 or 1", r.pos - 1)),
    };
    Ok(c)
}

impl Index {
    /// The index in the file format described in the
    /// [`persist` docs](crate::persist): header, checksum and body.
    ///
    /// ```
    /// let mut index = neardup::Detector::builder().build()?.index();
    /// index.insert(1, "Some article text that is long enough to be indexed.")?;
    /// let bytes = index.to_bytes();
    /// let back = neardup::Index::from_bytes(&bytes)?;
    /// assert_eq!(back.get(1), index.get(1));
    /// # Ok::<(), neardup::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(vec![0u8; HEADER]);
        self.write_body(&mut w);
        let (len, hash) = (w.len, w.hash.digest());
        let mut out = w.out;
        out[..HEADER].copy_from_slice(&header(len, hash));
        out
    }

    /// Writes the body (see the [`persist` docs](crate::persist)).
    fn write_body<W: Write>(&self, w: &mut Writer<W>) {
        write_config(w, self.detector.config());
        let lsh = self.detector.lsh();
        w.usize32(lsh.bands);
        w.usize32(lsh.rows);
        // Live slots, in slot order, get ordinals 0..n; the map is monotone,
        // so sorted entries stay sorted.
        let mut ordinal = vec![u32::MAX; self.slots.len()];
        let live: Vec<&Stored> = self.slots.iter().flatten().collect();
        let mut next = 0u32;
        for (slot, s) in self.slots.iter().enumerate() {
            if s.is_some() {
                ordinal[slot] = next;
                next += 1;
            }
        }
        w.u64(live.len() as u64);
        for s in &live {
            w.u64(s.id);
            w.bytes(s.label.as_bytes());
            w.bytes(s.text.as_bytes());
            w.u32(s.units);
            w.u64(s.sentences.len() as u64);
            for &(k, c) in s.sentences.iter() {
                w.u64(k);
                w.u64(c);
            }
        }
        for table in &self.tables {
            // One band at a time: the extra memory is one band's entries.
            let mut entries: Vec<Entry> = table
                .live_entries()
                .filter(|e| self.slots[e.slot as usize].is_some())
                .map(|e| Entry { slot: ordinal[e.slot as usize], ..e })
                .collect();
            entries.sort_unstable();
            w.u64(entries.len() as u64);
            for e in entries {
                w.u64(e.key);
                w.u32(e.slot);
                w.u32(e.unit);
            }
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

    /// Writes the index to `path` atomically: to a temporary file in the
    /// same directory, flushed to disk, then renamed over `path`. A crash
    /// leaves either the old file or the new one, never half of one.
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
        let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        // Streamed: the body goes to disk as it is produced (no copy of the
        // whole file in memory), then the header with its length and
        // checksum is written over the placeholder at the start.
        let result = (|| {
            let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            file.write_all(&[0u8; HEADER])?;
            let mut w = Writer::new(file);
            self.write_body(&mut w);
            if let Some(e) = w.err {
                return Err(e);
            }
            let mut file = w.out.into_inner().map_err(|e| e.into_error())?;
            file.seek(std::io::SeekFrom::Start(0))?;
            file.write_all(&header(w.len, w.hash.digest()))?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if let Err(e) = result {
            // Best effort: the temporary file is useless after a failure.
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(path, &e));
        }
        Ok(())
    }

    /// Reads an index saved by [`save`](Self::save); see
    /// [`from_bytes`](Self::from_bytes) for the errors (which name `path`).
    pub fn load(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        from_bytes_named(&bytes, &path.display().to_string())
    }
}

fn from_bytes_named(bytes: &[u8], name: &str) -> Result<Index> {
    let corrupt = |reason: String| Error::CorruptIndex { path: name.to_string(), reason };
    if bytes.len() < HEADER {
        return Err(corrupt(format!("{} bytes is shorter than the {HEADER}-byte header", bytes.len())));
    }
    if &bytes[..8] != MAGIC {
        return Err(corrupt("no NEARDUPI magic at the start (not an index file)".into()));
    }
    let word = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let version = word(8);
    if version != FORMAT_VERSION {
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
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[24..32]);
    let body_len = u64::from_le_bytes(len8);
    let have = (bytes.len() - HEADER) as u64;
    if body_len != have {
        return Err(corrupt(format!("header announces a {body_len}-byte body but the file holds {have} (truncated?)")));
    }
    len8.copy_from_slice(&bytes[32..40]);
    let body = &bytes[HEADER..];
    if xxh3_64(body) != u64::from_le_bytes(len8) {
        return Err(corrupt("checksum mismatch: the body is corrupt".into()));
    }
    parse_body(body).map_err(corrupt)
}

fn parse_body(body: &[u8]) -> Parse<Index> {
    let mut r = Reader { buf: body, pos: 0 };
    let config = read_config(&mut r)?;
    let detector = Detector::new(config).map_err(|e| format!("stored configuration: {e}"))?;
    let lsh = LshParams { bands: r.u32("bands")? as usize, rows: r.u32("rows")? as usize };
    if lsh != detector.lsh() {
        return Err(format!("stored LSH {lsh:?} differs from the configuration's {:?}", detector.lsh()));
    }
    let mut index = Index::new(detector);
    let n = r.count(8 + 8 + 8 + 4 + 8, "article count")?;
    if n > u32::MAX as usize {
        return Err(format!("{n} articles exceed the 2^32 - 1 limit"));
    }
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let id = r.u64("article id")?;
        let label = r.str("label")?;
        let text = r.str("text")?;
        let u = r.u32("unit count")?;
        let ns = r.count(16, "sentence count")?;
        let mut sentences = Vec::with_capacity(ns);
        for _ in 0..ns {
            sentences.push((r.u64("sentence key")?, r.u64("context key")?));
        }
        if index.ids.contains_key(&id) {
            return Err(format!("article id {id} appears twice"));
        }
        debug_assert_eq!(index.slots.len(), i);
        // Only the first article of an exact-duplicate class is in the
        // tables: the others' entries are none.
        let indexed = index.push_loaded(Stored::new(id, label, text, u, sentences.into()));
        units.push(if indexed { u } else { 0 });
    }
    // One entry per distinct band key of an article's units: at most one
    // per unit.
    let expected: u64 = units.iter().map(|&u| u64::from(u)).sum();
    for band in 0..lsh.bands {
        let m = r.count(16, "entry count")?;
        if m as u64 > expected {
            return Err(format!("band {band} has {m} entries but the articles in the tables have {expected} units"));
        }
        let mut main = Vec::with_capacity(m);
        for _ in 0..m {
            let e = Entry { key: r.u64("band key")?, slot: r.u32("article ordinal")?, unit: r.u32("unit")? };
            let Some(&u) = units.get(e.slot as usize) else {
                return Err(format!(
                    "band {band}: entry at body offset {} points at article {} of {n}",
                    r.pos - 16,
                    e.slot
                ));
            };
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
            main.push(e);
        }
        index.tables[band].set_main(main);
    }
    index.count_loaded_entries();
    if r.pos != body.len() {
        return Err(format!("{} unexpected bytes after the last band", body.len() - r.pos));
    }
    Ok(index)
}
