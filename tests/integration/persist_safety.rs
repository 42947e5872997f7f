//! Saving and loading index files safely (issue 10, items 5, 6 and 9):
//! what `Index::save` may replace, the permissions it keeps, concurrent
//! saves to one path, what `Index::load` refuses to read, and the header
//! checks of `Index::from_bytes`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use neardup::{Detector, Error, Index};

/// A fresh directory under the system's temporary directory, removed
/// (with its contents) when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("neardup-persist-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("create the test directory");
        TempDir(dir)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// The names in the directory, sorted.
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .expect("list the test directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An index of `n` articles whose texts depend on `tag`, so that indexes
/// with different tags have different bytes.
fn index_of(tag: usize, n: usize) -> Index {
    let mut index = Detector::builder().num_hashes(16).build().expect("valid config").index();
    for i in 0..n {
        let text = format!(
            "Article {i} of index {tag} says the delegation met in Baku on Thursday. \
             It discussed cooperation within NATO and military education programs, round {tag}."
        );
        index.insert_labeled(i as u64, &format!("{tag}/{i}.txt"), &text).expect("new id");
    }
    index
}

fn io_kind(err: &Error) -> Option<std::io::ErrorKind> {
    match err {
        Error::Io { kind, .. } => Some(*kind),
        _ => None,
    }
}

/// Runs `f` on another thread and gives up after `secs`: a load that
/// blocks (on a FIFO, say) fails the test instead of hanging the suite.
#[cfg(unix)]
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs)).expect("the call blocked (or panicked) instead of returning")
}

// ---------------------------------------------------------------------------
// What save replaces (item 5)

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {} failed", path.display());
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("mkfifo is not installed: skipping the FIFO checks");
            false
        }
        Err(e) => panic!("mkfifo: {e}"),
    }
}

#[cfg(unix)]
#[test]
fn save_refuses_to_replace_a_fifo_and_load_refuses_to_read_one() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new("fifo");
    let fifo = dir.join("pipe.ndx");
    if !mkfifo(&fifo) {
        return;
    }
    let err = index_of(1, 2).save(&fifo).expect_err("a FIFO is not replaced");
    let message = err.to_string();
    assert!(message.starts_with(&format!("{}: ", fifo.display())), "{message}");
    assert!(message.contains("FIFO") && message.contains("not a regular file"), "{message}");
    assert!(!message.contains('\n'), "{message:?}");
    assert_eq!(io_kind(&err), Some(std::io::ErrorKind::InvalidInput), "{err:?}");
    let kind = std::fs::symlink_metadata(&fifo).expect("still there").file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
    assert_eq!(dir.names(), ["pipe.ndx"], "nothing else was left in the directory");

    // Loading a FIFO is an error naming it, not a read that waits for a writer.
    let path = fifo.clone();
    let err = within(20, move || Index::load(&path).expect_err("a FIFO is not an index file"));
    let message = err.to_string();
    assert!(message.starts_with(&format!("{}: ", fifo.display())), "{message}");
    assert!(message.contains("FIFO") && message.contains("not a regular file"), "{message}");
}

#[test]
fn save_and_load_refuse_a_directory() {
    let dir = TempDir::new("dir");
    let sub = dir.join("sub.ndx");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("keep.txt"), "kept").expect("write");
    let err = index_of(1, 1).save(&sub).expect_err("a directory is not replaced");
    let message = err.to_string();
    assert!(message.starts_with(&format!("{}: is a directory", sub.display())), "{message}");
    assert_eq!(io_kind(&err), Some(std::io::ErrorKind::IsADirectory), "{err:?}");
    assert_eq!(std::fs::read_to_string(sub.join("keep.txt")).expect("still there"), "kept");
    assert_eq!(dir.names(), ["sub.ndx"]);

    let err = Index::load(&sub).expect_err("a directory is not an index file");
    assert!(err.to_string().starts_with(&format!("{}: is a directory", sub.display())), "{err}");
    assert_eq!(io_kind(&err), Some(std::io::ErrorKind::IsADirectory), "{err:?}");
}

/// Through a symlink, the link's target is what is written or refused: a
/// device behind a link stays a device, and the link stays a link.
#[cfg(unix)]
#[test]
fn save_through_a_symlink_writes_its_target_and_refuses_a_device_target() {
    use std::os::unix::fs::{FileTypeExt, symlink};
    let dir = TempDir::new("symlink");
    let index = index_of(2, 3);

    // A link to a device: refused, the link and the device untouched.
    let null = Path::new("/dev/null");
    if std::fs::symlink_metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
        let link = dir.join("null.ndx");
        symlink(null, &link).expect("symlink");
        let err = index.save(&link).expect_err("a device behind a link is not replaced");
        let message = err.to_string();
        assert!(message.starts_with(&format!("{}: ", link.display())), "{message}");
        assert!(message.contains("/dev/null") && message.contains("character device"), "{message}");
        assert_eq!(std::fs::read_link(&link).expect("still a link"), null);
        assert!(std::fs::symlink_metadata(null).expect("exists").file_type().is_char_device());
        let err = Index::load(&link).expect_err("a device is not an index file");
        assert!(err.to_string().contains("character device"), "{err}");
    }

    // A relative link, through a second link, to a regular file: the file
    // gets the index, both links stay links.
    std::fs::create_dir(dir.join("real")).expect("mkdir");
    let file = dir.join("real/data.ndx");
    std::fs::write(&file, b"old contents").expect("write");
    symlink("real/data.ndx", dir.join("inner.ndx")).expect("symlink");
    symlink("inner.ndx", dir.join("outer.ndx")).expect("symlink");
    index.save(dir.join("outer.ndx")).expect("save through two links");
    assert_eq!(std::fs::read(&file).expect("read"), index.to_bytes().unwrap(), "the target holds the index");
    assert_eq!(std::fs::read_link(dir.join("outer.ndx")).expect("link"), Path::new("inner.ndx"));
    assert_eq!(std::fs::read_link(dir.join("inner.ndx")).expect("link"), Path::new("real/data.ndx"));
    assert_eq!(
        Index::load(dir.join("outer.ndx")).expect("load through the links").to_bytes().unwrap(),
        index.to_bytes().unwrap()
    );

    // A dangling link: its target is created, as `cp` or a shell redirection would.
    symlink("real/new.ndx", dir.join("dangling.ndx")).expect("symlink");
    index.save(dir.join("dangling.ndx")).expect("save through a dangling link");
    assert_eq!(std::fs::read(dir.join("real/new.ndx")).expect("created"), index.to_bytes().unwrap());
    assert!(std::fs::symlink_metadata(dir.join("dangling.ndx")).expect("exists").file_type().is_symlink());

    // A loop of links: a clear error, nothing written.
    symlink("loop-b.ndx", dir.join("loop-a.ndx")).expect("symlink");
    symlink("loop-a.ndx", dir.join("loop-b.ndx")).expect("symlink");
    let err = index.save(dir.join("loop-a.ndx")).expect_err("a loop of links");
    assert!(err.to_string().contains("symbolic links"), "{err}");
    let mut expected = vec!["dangling.ndx", "inner.ndx", "loop-a.ndx", "loop-b.ndx", "outer.ndx", "real"];
    if dir.join("null.ndx").symlink_metadata().is_ok() {
        expected.insert(4, "null.ndx");
    }
    assert_eq!(dir.names(), expected, "no temporary file is left");
    let mut real: Vec<String> = std::fs::read_dir(dir.join("real"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    real.sort();
    assert_eq!(real, ["data.ndx", "new.ndx"], "no temporary file is left beside the target");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn save_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let index = index_of(3, 2);
    for wanted in [0o600, 0o640, 0o604, 0o400, 0o755] {
        let path = dir.join(&format!("m{wanted:o}.ndx"));
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wanted)).expect("chmod");
        index.save(&path).expect("save over a file of this mode");
        assert_eq!(mode(&path), wanted, "mode {wanted:o} was not kept");
        assert_eq!(std::fs::read(&path).expect("read"), index.to_bytes().unwrap());
    }
    // Through a link, the target's mode is kept (a link's own mode means nothing).
    let target = dir.join("target.ndx");
    std::fs::write(&target, b"old").expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink("target.ndx", dir.join("link.ndx")).expect("symlink");
    index.save(dir.join("link.ndx")).expect("save through the link");
    assert_eq!(mode(&target), 0o600);

    // A new file gets the mode any new file gets here (the umask applies).
    let probe = dir.join("probe");
    std::fs::File::create(&probe).expect("create");
    let fresh = dir.join("fresh.ndx");
    index.save(&fresh).expect("save a new file");
    assert_eq!(mode(&fresh), mode(&probe), "a new index file follows the umask");
}

/// Saving over one name of a file with several hard links replaces that
/// name only (the rename that makes a save atomic cannot write in place):
/// the other names keep the old index, whole and loadable, as documented.
#[cfg(unix)]
#[test]
fn save_over_a_hard_link_replaces_that_name_and_keeps_the_other() {
    use std::os::unix::fs::MetadataExt;
    let dir = TempDir::new("hardlink");
    let (old, new) = (index_of(4, 2), index_of(5, 3));
    let (path, other) = (dir.join("index.ndx"), dir.join("snapshot.ndx"));
    old.save(&path).expect("save");
    std::fs::hard_link(&path, &other).expect("hard link");
    new.save(&path).expect("save over a name with two links");
    assert_eq!(Index::load(&path).expect("load").to_bytes().unwrap(), new.to_bytes().unwrap());
    assert_eq!(Index::load(&other).expect("the other name loads").to_bytes().unwrap(), old.to_bytes().unwrap());
    assert_eq!(std::fs::metadata(&other).expect("stat").nlink(), 1);
}

// ---------------------------------------------------------------------------
// Temporary files (item 6)

/// Many threads save different indexes to one path, many rounds, while
/// another thread keeps loading it: every save returns Ok, every load
/// gives one of the saved indexes, and no temporary file is left.
#[test]
fn concurrent_saves_to_one_path_never_corrupt_it() {
    const THREADS: usize = 6;
    const ROUNDS: usize = 25;
    let dir = TempDir::new("concurrent");
    let path = dir.join("shared.ndx");
    let indexes: Vec<Index> = (0..THREADS).map(|t| index_of(10 + t, 3 + 4 * t)).collect();
    let bytes: Vec<Vec<u8>> = indexes.iter().map(|i| i.to_bytes().unwrap()).collect();
    indexes[0].save(&path).expect("first save");
    let done = std::sync::atomic::AtomicBool::new(false);
    /// Stops the reader however the saving thread leaves (a failed
    /// assertion included): the scope joins the reader before it unwinds.
    struct Stop<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let loads = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut loads = 0usize;
            while !done.load(Ordering::Relaxed) {
                let loaded = Index::load(&path).unwrap_or_else(|e| panic!("load during the saves: {e}"));
                assert!(bytes.contains(&loaded.to_bytes().unwrap()), "a load gave none of the saved indexes");
                loads += 1;
            }
            loads
        });
        let stop = Stop(&done);
        for _ in 0..ROUNDS {
            let savers: Vec<_> = indexes.iter().map(|index| s.spawn(|| index.save(&path))).collect();
            for saver in savers {
                saver.join().expect("no panic").expect("every save returns Ok");
            }
            let loaded = Index::load(&path).expect("the file loads after the round");
            assert!(bytes.contains(&loaded.to_bytes().unwrap()), "the file is none of the saved indexes");
        }
        drop(stop);
        reader.join().expect("the reader saw only whole indexes")
    });
    assert!(loads > 0);
    assert_eq!(dir.names(), ["shared.ndx"], "temporary files were left behind");
}

#[test]
fn an_error_writing_the_temporary_file_names_it() {
    let dir = TempDir::new("tmpname");
    let path = dir.join("missing-dir").join("x.ndx");
    let err = index_of(6, 1).save(&path).expect_err("the directory does not exist");
    assert_eq!(io_kind(&err), Some(std::io::ErrorKind::NotFound), "{err:?}");
    let Error::Io { path: named, .. } = &err else { unreachable!("checked above") };
    let named = Path::new(named);
    assert_eq!(named.parent(), path.parent(), "{err}");
    let name = named.file_name().expect("a file name").to_string_lossy();
    assert!(name.starts_with("x.ndx.tmp-") && name != "x.ndx", "the error names {name}, not the temporary file");
}

/// A file name near the system's limit (255 bytes) still saves: the
/// temporary name is shortened instead of overflowing the limit.
#[test]
fn a_long_file_name_saves() {
    let dir = TempDir::new("long");
    let name = format!("{}.ndx", "n".repeat(246));
    let path = dir.join(&name);
    let index = index_of(7, 2);
    index.save(&path).expect("save under a 250-byte name");
    index.save(&path).expect("and again over it");
    assert_eq!(Index::load(&path).expect("load").to_bytes().unwrap(), index.to_bytes().unwrap());
    assert_eq!(dir.names(), [name]);
}

// ---------------------------------------------------------------------------
// The header (item 9)

#[test]
fn trailing_bytes_are_reported_as_extra_not_as_truncation() {
    let mut bytes = index_of(8, 2).to_bytes().unwrap();
    let body = bytes.len() - 40;
    bytes.extend_from_slice(b"xyz");
    let message = Index::from_bytes(&bytes).expect_err("trailing bytes").to_string();
    assert!(message.contains(&format!("3 extra bytes after the {body}-byte body")), "{message}");
    assert!(!message.contains("truncated"), "{message}");
    bytes.truncate(bytes.len() - 4);
    let message = Index::from_bytes(&bytes).expect_err("one byte short").to_string();
    assert!(message.contains("truncated"), "{message}");
    assert!(message.contains(&format!("announces a {body}-byte body but the file holds {}", body - 1)), "{message}");
}

#[test]
fn the_reserved_header_bytes_must_be_zero() {
    let bytes = index_of(9, 2).to_bytes().unwrap();
    assert_eq!(&bytes[20..24], [0, 0, 0, 0]);
    for at in 20..24 {
        let mut bad = bytes.clone();
        bad[at] = 0x5a;
        let message = Index::from_bytes(&bad).expect_err("reserved byte set").to_string();
        assert!(message.contains(&format!("reserved header byte at offset {at} is 0x5a")), "{message}");
    }
}

/// Every single-bit change anywhere in the header, and in a sample of the
/// body, is an error: nothing in the file is unchecked.
#[test]
fn every_flipped_header_bit_is_an_error() {
    let bytes = index_of(10, 3).to_bytes().unwrap();
    let body = (40..bytes.len()).step_by(7);
    for at in (0..40).chain(body) {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[at] ^= 1 << bit;
            assert!(Index::from_bytes(&bad).is_err(), "bit {bit} of byte {at} changed and the index still loads");
        }
    }
}

/// The checksum is no longer of the body alone (format 1): it covers the
/// header fields too.
#[test]
fn the_checksum_covers_the_header() {
    let b = index_of(11, 3).to_bytes().unwrap();
    // Same body, with the checksum of the body alone (as format 1 had it).
    let mut v1_sum = b.clone();
    v1_sum[32..40].copy_from_slice(&xxhash_rust::xxh3::xxh3_64(&b[40..]).to_le_bytes());
    let message = Index::from_bytes(&v1_sum).expect_err("checksum of the body alone").to_string();
    assert!(message.contains("checksum mismatch"), "{message}");
}

/// A file written by neardup 0.2 (format 1, checksum of the body alone),
/// committed in `tests/fixtures`, still loads (its run table built from
/// the texts); saving it writes the current format, which reloads to the
/// same index.
#[test]
fn a_format_1_file_from_0_2_still_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/index-format-1.ndx");
    let old = std::fs::read(path).expect("the fixture is shipped");
    assert_eq!(u32::from_le_bytes([old[8], old[9], old[10], old[11]]), 1, "the fixture is format 1");
    let index = Index::load(path).expect("a 0.2 index loads");
    assert_eq!(index.ids().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(index.label(1), Some("wire/a.txt"));
    assert!(index.text(3).unwrap().expect("article 3").contains("naïve café"));
    let new = index.to_bytes().unwrap();
    assert_eq!(u32::from_le_bytes([new[8], new[9], new[10], new[11]]), neardup::corpus::FORMAT_VERSION);
    let back = Index::from_bytes(&new).expect("reloads");
    assert_eq!(back.to_bytes().unwrap(), new);
    assert_eq!(back.pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
    assert!(back.detector().config().similar_units, "a 0.2 index keeps its LSH candidates");
    // Format 1's reserved bytes are checked too.
    let mut bad = old.clone();
    bad[23] = 1;
    let message = Index::from_bytes(&bad).expect_err("reserved byte set").to_string();
    assert!(message.contains("reserved header byte at offset 23"), "{message}");
    // Another version is refused with the version error.
    let mut other = old;
    other[8] = 7;
    let err = Index::from_bytes(&other).expect_err("format 7");
    assert!(
        matches!(err, Error::IndexVersion { found: 7, expected, .. } if expected == neardup::corpus::FORMAT_VERSION),
        "{err:?}"
    );
}

#[test]
fn a_format_1_index_with_exact_duplicates_loads_as_one_class() {
    // Written by 0.2 (`corpus --save` on a.txt, its upper-case copy b.txt
    // and c.txt, which quotes a.txt's second paragraph): format 1 has band
    // entries for the copy too; they are dropped, and the copy joins a.txt's
    // class.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/index-format-1-duplicates.ndx");
    let index = Index::load(path).expect("a 0.2 index with duplicates loads");
    assert_eq!(index.label(1), Some("b.txt"));
    let groups = index.exact_duplicates();
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].representative, groups[0].members.clone()), (0, vec![0, 1]));
    let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(pairs, [(0, 2)]);
    let found = index.query(&index.text(2).unwrap().unwrap());
    assert_eq!(
        found.matches.iter().map(|m| (m.id, m.duplicates.clone())).collect::<Vec<_>>(),
        [(2, vec![]), (0, vec![1])]
    );
    // Saved again in format 2: the copy has no entries, and it loads the same.
    let again = Index::from_bytes(&index.to_bytes().unwrap()).unwrap();
    assert_eq!(again.exact_duplicates(), groups);
    assert_eq!(again.query(&index.text(2).unwrap().unwrap()), found);
    assert!(again.to_bytes().unwrap().len() < std::fs::read(path).unwrap().len());
}

#[test]
fn the_rewritten_settings_travel_with_the_index_and_a_format_3_file_loads_without_them() {
    let d = Detector::builder().rewritten(false).stem_chars(7).build().unwrap();
    let mut index = d.index();
    index.insert(1, "The committee approved the new budget for public schools on Monday evening.").unwrap();
    let bytes = index.to_bytes().unwrap();
    let back = Index::from_bytes(&bytes).unwrap();
    assert!(!back.detector().config().rewritten);
    assert_eq!(back.detector().config().stem_chars, 7);
    assert!(
        Index::from_bytes(
            &Detector::builder()
                .rewritten(true)
                .rewritten_candidates(true)
                .build()
                .unwrap()
                .index()
                .to_bytes()
                .unwrap()
        )
        .unwrap()
        .detector()
        .config()
        .rewritten
    );
    // Rewritten passages without the candidate tables: byte 2.
    let mut index = Detector::builder().rewritten(true).rewritten_candidates(false).build().unwrap().index();
    index.insert(1, "The committee approved the new budget for public schools on Monday evening.").unwrap();
    let bytes = index.to_bytes().unwrap();
    assert_eq!(bytes[40 + 64], 2);
    let back = Index::from_bytes(&bytes).unwrap();
    assert!(back.detector().config().rewritten && !back.detector().config().rewritten_candidates);
    assert_eq!(back.memory().bag_tables, 0);
    // Any other value is refused, with its offset.
    let mut body = bytes[40..].to_vec();
    body[64] = 3;
    let err = Index::from_bytes(&with_header(&bytes, 5, body)).unwrap_err().to_string();
    assert!(err.contains("rewritten at body offset 64 is 3"), "{err}");
    // The same file as format 3 wrote it: format 4's bytes without the 5
    // bytes of the two settings at the end of the configuration (body
    // offset 64).
    let mut index = Detector::builder().rewritten(true).rewritten_candidates(true).build().unwrap().index();
    index.insert(1, "The committee approved the new budget for public schools on Monday evening.").unwrap();
    let v4 = as_format_4(&index);
    let mut body = v4[40..].to_vec();
    assert_eq!(&body[64..69], &[1, 5, 0, 0, 0], "rewritten = true, stem_chars = 5");
    body.drain(64..69);
    let v3 = with_header(&v4, 3, body);
    let old = Index::from_bytes(&v3).expect("a format 3 file loads");
    assert!(!old.detector().config().rewritten, "a format 3 index keeps the reports it gave");
    assert_eq!(old.ids().collect::<Vec<_>>(), [1]);
}

/// `body` under the header of `file` with format version `version`, the
/// body's length and the checksum (`xxh3_64` of the body, then header
/// bytes 0..32).
fn with_header(file: &[u8], version: u32, body: Vec<u8>) -> Vec<u8> {
    let mut header = file[..40].to_vec();
    header[8..12].copy_from_slice(&version.to_le_bytes());
    header[24..32].copy_from_slice(&(body.len() as u64).to_le_bytes());
    let mut hashed = body.clone();
    hashed.extend_from_slice(&header[..32]);
    header[32..40].copy_from_slice(&xxhash_rust::xxh3::xxh3_64(&hashed).to_le_bytes());
    [header, body].concat()
}

/// The file format 4 wrote for `index`, made from its format 5 bytes: the
/// same configuration, articles and tables, but each article with its
/// sentence and paragraph keys (computed from its text with the public
/// `Detector::segment_keys`) where format 5 has its exact-duplicate key,
/// and no boilerplate statistics after the run table (format 4 loads
/// count them from the keys).
fn as_format_4(index: &Index) -> Vec<u8> {
    let v5 = index.to_bytes().unwrap();
    let body = &v5[40..];
    let d = index.detector();
    let u64_at = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().unwrap()) as usize;
    // The configuration (69 bytes), the bands and rows, the article count.
    let mut at = 77 + 8;
    let mut out = body[..at].to_vec();
    for _ in 0..u64_at(77) {
        let start = at;
        at += 8; // id
        at += 8 + u64_at(at); // label
        let len = u64_at(at);
        let text = std::str::from_utf8(&body[at + 8..at + 8 + len]).unwrap();
        at += 8 + len + 4; // text, units
        out.extend_from_slice(&body[start..at]);
        at += 16; // the duplicate key of format 5
        let keys = d.segment_keys(&d.analyze(text));
        out.extend_from_slice(&(keys.len() as u64).to_le_bytes());
        for (key, context) in keys {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&context.to_le_bytes());
        }
    }
    // The band tables and the run table: a count, then 16-byte entries.
    for _ in 0..=d.lsh().bands {
        let entries = u64_at(at);
        out.extend_from_slice(&body[at..at + 8 + 16 * entries]);
        at += 8 + 16 * entries;
    }
    with_header(&v5, 4, out)
}

#[test]
fn a_format_4_file_loads_as_the_index_it_was() {
    // Boilerplate (a byline in twelve contexts), an exact duplicate, a
    // removed article, texts in memory and on disk.
    let d = Detector::builder().build().unwrap();
    let mut index = d.index();
    let story = |i: usize| {
        format!(
            "Reporting by the wire desk. Story {i} says the council met on day {i} to discuss the budget \
             of district {i} and its {i} schools, which need repairs before the winter term begins.{}",
            if i.is_multiple_of(2) {
                " The mayor said the city would publish the full list of the schools that need repairs on its \
                 website next week, with the cost of each."
            } else {
                ""
            }
        )
    };
    for i in 0..14 {
        index.insert(i as u64, &story(i)).unwrap();
    }
    index.insert(20, &story(3).to_uppercase()).unwrap();
    assert!(index.remove(5));
    let bytes = index.to_bytes().unwrap();
    let v4 = as_format_4(&index);
    assert_eq!(u32::from_le_bytes([v4[8], v4[9], v4[10], v4[11]]), 4);
    let old = Index::from_bytes(&v4).expect("a format 4 file loads");
    assert_eq!(old.to_bytes().unwrap(), bytes, "the same index, boilerplate statistics included");
    assert_eq!(old.exact_duplicates(), index.exact_duplicates());
    let pairs = |i: &Index| {
        i.pairs().map(|p| (p.a, p.b, p.report.passages.len(), p.report.boilerplate.len())).collect::<Vec<_>>()
    };
    assert_eq!(pairs(&old), pairs(&index));
    assert!(!pairs(&index).is_empty());
    // Loaded with its texts on disk, the same.
    let dir = TempDir::new("v4");
    let path = dir.join("v4.ndx");
    std::fs::write(&path, &v4).unwrap();
    let on_disk = Index::load_with_texts_on_disk(&path, &dir.0).unwrap();
    assert_eq!(on_disk.to_bytes().unwrap(), bytes);
}
