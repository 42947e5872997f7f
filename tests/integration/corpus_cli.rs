//! The `corpus` example as a user runs it: a subprocess on directories,
//! files and JSON lines; its stdout (JSON lines), stderr and exit status.
//!
//! The example is built once per test run by `cli::build_example`, like
//! `compare` (same profile and features as this test binary, located
//! through `cargo build --message-format=json`). The example needs the `rayon`
//! feature (`required-features` in `Cargo.toml`), and so do these tests.

#![cfg(feature = "rayon")]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use neardup::{Detector, Index};
use serde_json::Value;

use crate::seed_pair;

// ---------------------------------------------------------------------------
// Running the example

fn corpus_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| crate::cli::build_example("corpus"))
}

/// What one run of the example did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The stdout lines, parsed.
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}\n{self:?}")))
            .collect()
    }

    /// The pair lines (`a`, `b`, passages, coverage).
    fn pairs(&self) -> Vec<Value> {
        self.lines().into_iter().filter(|v| v.get("a").is_some()).collect()
    }

    /// `(a, b)` of every pair line.
    fn pair_ids(&self) -> Vec<(String, String)> {
        self.pairs().iter().map(|p| (text(&p["a"]), text(&p["b"]))).collect()
    }

    /// `(a, b)` of every pair line, and `(representative, member)` for each
    /// other member of an exact-duplicate line: the articles found related.
    fn related_ids(&self) -> Vec<(String, String)> {
        let mut ids = self.pair_ids();
        for (rep, members) in self.exact_duplicates() {
            ids.extend(members.into_iter().filter(|m| *m != rep).map(|m| (rep.clone(), m)));
        }
        ids
    }

    /// The exact-duplicate lines as `(representative, members)`.
    fn exact_duplicates(&self) -> Vec<(String, Vec<String>)> {
        self.group_lines("exact_duplicates")
    }

    /// The group lines as `(representative, members)`.
    fn groups(&self) -> Vec<(String, Vec<String>)> {
        self.group_lines("group")
    }

    /// The lines with an array of members under `key`, as
    /// `(representative, members)`.
    fn group_lines(&self, key: &str) -> Vec<(String, Vec<String>)> {
        self.lines()
            .iter()
            .filter(|v| v.get(key).is_some())
            .map(|g| {
                let members =
                    g[key].as_array().unwrap_or_else(|| panic!("{key} is an array")).iter().map(text).collect();
                (text(&g["representative"]), members)
            })
            .collect()
    }
}

impl From<std::process::Output> for Run {
    /// The run's exit status and output; the example must not have
    /// panicked.
    fn from(out: std::process::Output) -> Run {
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        };
        assert!(!run.stderr.contains("panicked"), "the example panicked: {run:?}");
        run
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}")).to_owned()
}

fn run_env<I, S>(args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(corpus_exe());
    cmd.args(args).env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the corpus example can be run");
    Run::from(out)
}

/// Runs the example with `input` on its standard input.
fn run_stdin<I, S>(args: I, input: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    use std::io::Write;
    let mut child = Command::new(corpus_exe())
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the corpus example can be run");
    let mut stdin = child.stdin.take().expect("a stdin pipe");
    let input = input.to_vec();
    // Written by another thread, so that a large input cannot block while
    // the example fills its stdout.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("the example ends");
    writer.join().expect("the writer ends");
    Run::from(out)
}

fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_env(args, &[])
}

/// Runs the example and expects exit status 0.
fn run_ok<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let r = run(args);
    assert_eq!(r.code, Some(0), "corpus failed: {r:?}");
    r
}

// ---------------------------------------------------------------------------
// Test corpora

/// A directory under the temporary directory, removed with its contents
/// when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("neardup-corpus-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir can be created");
        TempDir(path)
    }

    /// Writes `contents` to `rel` (creating parent directories); returns its path.
    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs can be created");
        std::fs::write(&path, contents).expect("temp file can be written");
        path
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

use crate::Rng;

/// `sentences` sentences of 12 made-up words, in paragraphs of two: text
/// that shares nothing with anything else.
fn filler(rng: &mut Rng, sentences: usize) -> String {
    const SYL: [&str; 12] = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "gu", "pe", "zo"];
    let mut out = String::new();
    for i in 0..sentences {
        let words: Vec<String> = (0..12)
            .map(|_| (0..3).map(|_| SYL[(rng.next() % SYL.len() as u64) as usize]).collect::<String>())
            .collect();
        let s = words.join(" ");
        out.push_str(&(s[..1].to_uppercase() + &s[1..]));
        out.push('.');
        out.push_str(if i % 2 == 1 { "\n\n" } else { " " });
    }
    out
}

/// Seed A re-filed with small edits: still a near-duplicate of A.
fn refiled(a: &str) -> String {
    a.replacen("reliable partner", "trusted partner", 1).replacen("June 22", "June 23", 1)
}

/// A nested directory of articles:
///
/// * `2021/a.txt` — seed A
/// * `2021/deep/a-refiled.txt` — A re-filed with edits (a near-duplicate)
/// * `b.txt` — seed B (shares passages with A)
/// * `other.txt` — filler (shares nothing)
/// * `.notes.md` — a hidden file (a copy of A): not read
fn nested_corpus(name: &str) -> TempDir {
    let (a, b) = seed_pair();
    let dir = TempDir::new(name);
    dir.write("corpus/2021/a.txt", &a);
    dir.write("corpus/2021/deep/a-refiled.txt", refiled(&a));
    dir.write("corpus/b.txt", &b);
    dir.write("corpus/other.txt", filler(&mut Rng(1), 6));
    dir.write("corpus/.notes.md", &a);
    dir
}

/// Every passage of every pair line slices both texts (by ID) on char
/// boundaries to non-empty passages that share words.
fn check_offsets(run: &Run, texts: &BTreeMap<String, String>) {
    let pairs = run.pairs();
    assert!(!pairs.is_empty(), "no pairs: {run:?}");
    for p in &pairs {
        let (a, b) = (&texts[&text(&p["a"])], &texts[&text(&p["b"])]);
        let passages = p["passages"].as_array().expect("passages");
        assert!(!passages.is_empty(), "a pair line without a passage: {p}");
        for q in passages {
            let span = |side: &str, t: &str| {
                let (s, e) = (q[side]["start"].as_u64().unwrap() as usize, q[side]["end"].as_u64().unwrap() as usize);
                t.get(s..e).unwrap_or_else(|| panic!("{side} span {s}..{e} does not slice its text: {p}")).to_owned()
            };
            let (sa, sb) = (span("a", a), span("b", b));
            assert!(q["matched_words"].as_u64().unwrap() >= 8, "{q}");
            let words = |s: &str| s.split_whitespace().map(|w| w.to_lowercase()).collect::<Vec<_>>();
            let (wa, wb) = (words(&sa), words(&sb));
            // Exact and edited passages line up at one end at least; a
            // rewritten one has the same words in another order.
            if q["kind"].as_str() == Some("rewritten") {
                assert!(q["bag_similarity"].as_f64().unwrap() >= 0.7, "{q}");
            } else {
                assert!(wa.first() == wb.first() || wa.last() == wb.last(), "passages do not line up:\n{sa}\n--\n{sb}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn directory_input_has_relative_ids_pairs_and_groups() {
    let dir = nested_corpus("dir");
    let r = run_ok([dir.path("corpus")]);
    assert_eq!(
        r.pair_ids(),
        [
            ("2021/a.txt".to_owned(), "2021/deep/a-refiled.txt".to_owned()),
            ("2021/a.txt".to_owned(), "b.txt".to_owned()),
            ("2021/deep/a-refiled.txt".to_owned(), "b.txt".to_owned()),
        ],
        "{r:?}"
    );
    assert_eq!(
        r.groups(),
        [("2021/a.txt".to_owned(), vec!["2021/a.txt".to_owned(), "2021/deep/a-refiled.txt".to_owned()])]
    );
    // Offsets slice the files as they are on disk.
    let texts: BTreeMap<String, String> = ["2021/a.txt", "2021/deep/a-refiled.txt", "b.txt", "other.txt"]
        .iter()
        .map(|id| (id.to_string(), std::fs::read_to_string(dir.path(&format!("corpus/{id}"))).unwrap()))
        .collect();
    check_offsets(&r, &texts);
    // The re-filed story covers (almost) all of A, both ways.
    let first = &r.pairs()[0];
    assert!(first["a_coverage"].as_f64().unwrap() > 0.9 && first["b_coverage"].as_f64().unwrap() > 0.9, "{first}");
    // A summary on stderr (not a terminal: no progress bar), nothing else.
    assert!(r.stderr.lines().all(|l| l.starts_with("corpus: ")), "{r:?}");
    assert!(r.stderr.contains("indexed 4 articles"), "{r:?}");
    assert!(!r.stderr.contains('\r'), "no progress bar when stderr is not a terminal: {r:?}");
    // --quiet: nothing on stderr; --no-groups: no group lines.
    let q = run_ok([OsStr::new("--quiet"), OsStr::new("--no-groups"), dir.path("corpus").as_os_str()]);
    assert_eq!(q.stderr, "");
    assert!(q.groups().is_empty());
    assert_eq!(q.pairs(), r.pairs());
}

#[test]
fn a_file_given_directly_keeps_its_path_as_id() {
    let dir = nested_corpus("files");
    let a = dir.path("corpus/2021/a.txt");
    let b = dir.path("corpus/b.txt");
    let r = run_ok([&a, &b]);
    assert_eq!(r.pair_ids(), [(a.display().to_string(), b.display().to_string())]);
}

/// The example prints exactly what `Index::pairs` and
/// `Index::near_duplicate_groups` give for the same articles, inserted in
/// the same order (which also checks the example's copy of the grouping
/// policy).
#[test]
fn output_matches_the_library_on_the_same_articles() {
    let dir = nested_corpus("oracle");
    let mut rng = Rng(9);
    let (a, _) = seed_pair();
    // More near-duplicates, so that grouping has work to do: a chain of
    // edits and a few partial copies.
    let paragraphs: Vec<&str> = a.split("\n\n").filter(|p| p.split_whitespace().count() > 8).collect();
    for i in 0..4 {
        let part: Vec<&str> = paragraphs.iter().skip(i).take(4).copied().collect();
        dir.write(&format!("corpus/part{i}.txt"), format!("{}{}", part.join("\n\n"), filler(&mut rng, 2)));
    }
    let r = run_ok([OsStr::new("--min-coverage=0.5"), dir.path("corpus").as_os_str()]);

    let ids = [
        "2021/a.txt",
        "2021/deep/a-refiled.txt",
        "b.txt",
        "other.txt",
        "part0.txt",
        "part1.txt",
        "part2.txt",
        "part3.txt",
    ];
    let d = Detector::builder().report_boilerplate(true).build().unwrap();
    let mut index = d.index();
    let mut texts = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let t = std::fs::read_to_string(dir.path(&format!("corpus/{id}"))).unwrap();
        index.insert_labeled(i as u64, id, &t).unwrap();
        texts.insert(id.to_string(), t);
    }
    let expected: Vec<neardup::Pair> = index.pairs().collect();
    let got = r.pairs();
    assert_eq!(got.len(), expected.len(), "{r:?}");
    assert!(expected.len() >= 6, "the corpus has pairs to compare: {}", expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(text(&g["a"]), ids[e.a as usize]);
        assert_eq!(text(&g["b"]), ids[e.b as usize]);
        let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
        assert!(close(&g["a_coverage"], e.report.a_coverage()) && close(&g["b_coverage"], e.report.b_coverage()));
        let passages = g["passages"].as_array().unwrap();
        assert_eq!(passages.len(), e.report.passages.len());
        for (q, p) in passages.iter().zip(&e.report.passages) {
            assert_eq!(q["a"]["start"], p.a.start);
            assert_eq!(q["a"]["end"], p.a.end);
            assert_eq!(q["b"]["start"], p.b.start);
            assert_eq!(q["b"]["end"], p.b.end);
            assert_eq!(q["matched_words"], p.matched_words);
            assert!(close(&q["similarity"], p.similarity));
            assert!(close(&q["containment_a"], p.containment_a) && close(&q["containment_b"], p.containment_b));
        }
    }
    check_offsets(&r, &texts);
    let groups: Vec<(String, Vec<String>)> = index
        .near_duplicate_groups(0.5)
        .unwrap()
        .iter()
        .map(|g| {
            (ids[g.representative as usize].to_owned(), g.members.iter().map(|&m| ids[m as usize].to_owned()).collect())
        })
        .collect();
    assert!(!groups.is_empty());
    assert_eq!(r.groups(), groups);
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dir = nested_corpus("threads");
    let one = run_env([dir.path("corpus")], &[("RAYON_NUM_THREADS", "1")]);
    let four = run_env([dir.path("corpus")], &[("RAYON_NUM_THREADS", "4")]);
    assert_eq!(one.code, Some(0));
    assert_eq!(one.stdout, four.stdout);
}

#[test]
fn jsonl_input_uses_json_ids_and_offsets_into_the_json_text() {
    let (a, b) = seed_pair();
    // Non-ASCII and characters JSON escapes, so that byte offsets into the
    // decoded text differ from offsets into the line.
    let b = format!("«Quoted» — “intro” with a tab\tand\nnew lines.\n\n{b}");
    let dir = TempDir::new("jsonl");
    let lines = [
        serde_json::json!({"id": 17, "text": a}).to_string(),
        String::new(),
        serde_json::json!({"id": "wire/2", "text": b, "extra": [1, 2]}).to_string(),
        serde_json::json!({"id": "short", "text": "Too short to share anything."}).to_string(),
    ];
    let file = dir.write("articles.jsonl", lines.join("\n") + "\n");
    let r = run_ok([&file]);
    assert_eq!(r.pair_ids(), [("17".to_owned(), "wire/2".to_owned())], "{r:?}");
    let texts: BTreeMap<String, String> = [("17".to_owned(), a), ("wire/2".to_owned(), b)].into_iter().collect();
    check_offsets(&r, &texts);
    assert!(r.stderr.contains("indexed 3 articles"), "{r:?}");
}

#[test]
fn bad_inputs_are_reported_and_skipped_the_rest_is_processed() {
    let dir = nested_corpus("bad");
    dir.write("corpus/zz-latin1.txt", b"caf\xe9 au lait\n");
    dir.write("corpus/zz-binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    let (a, _) = seed_pair();
    let jsonl = dir.write(
        "more.jsonl",
        [
            serde_json::json!({"id": "j1", "text": a}).to_string(),
            "{\"id\": \"j2\", \"text\": ".to_owned(),
            "[1, 2]".to_owned(),
            serde_json::json!({"id": null, "text": "x"}).to_string(),
            serde_json::json!({"id": "j5"}).to_string(),
            serde_json::json!({"id": "j6", "text": "nul \u{0} inside"}).to_string(),
            // An ID already used by the directory: skipped.
            serde_json::json!({"id": "b.txt", "text": "repeated"}).to_string(),
        ]
        .join("\n"),
    );
    let mut bytes = serde_json::json!({"id": "j8", "text": "fine"}).to_string().into_bytes();
    bytes.extend_from_slice(b"\n{\"id\": \"j9\", \"text\": \"\xff\"}\n");
    let jsonl2 = dir.write("bytes.jsonl", bytes);
    let missing = dir.path("no-such-file.txt");
    let r = run([dir.path("corpus"), jsonl.clone(), jsonl2.clone(), missing.clone()]);
    assert_eq!(r.code, Some(1), "exit status 1 when something was skipped: {r:?}");
    let skipped: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("corpus: skipped ")).collect();
    let expect = [
        format!("{}", dir.path("corpus/zz-latin1.txt").display()),
        format!("{}", dir.path("corpus/zz-binary.txt").display()),
        format!("{}:2:", jsonl.display()),
        format!("{}:3:", jsonl.display()),
        format!("{}:4:", jsonl.display()),
        format!("{}:5:", jsonl.display()),
        format!("{}:6:", jsonl.display()),
        format!("{}:7: article ID \"b.txt\" already used", jsonl.display()),
        format!("{}:2:", jsonl2.display()),
        format!("{}", missing.display()),
    ];
    assert_eq!(skipped.len(), expect.len(), "one line per skipped input: {r:?}");
    for e in &expect {
        assert!(skipped.iter().any(|l| l.contains(e.as_str())), "no stderr line names {e}: {r:?}");
    }
    assert!(r.stderr.contains("not valid UTF-8"), "{r:?}");
    assert!(r.stderr.contains("binary"), "{r:?}");
    // The good articles are all there: the pairs of the directory, and j1
    // (a copy of A) as an exact duplicate of A, which stands for it in the
    // pairs.
    let ids = r.pair_ids();
    for pair in [("2021/a.txt", "2021/deep/a-refiled.txt"), ("2021/a.txt", "b.txt")] {
        assert!(ids.contains(&(pair.0.to_owned(), pair.1.to_owned())), "{pair:?} missing: {ids:?}");
    }
    assert!(ids.iter().all(|(a, b)| a != "j1" && b != "j1"), "copies are not paired again: {ids:?}");
    assert_eq!(r.exact_duplicates(), [("2021/a.txt".to_owned(), vec!["2021/a.txt".to_owned(), "j1".to_owned()])]);
    assert!(r.stderr.contains("indexed 6 articles"), "4 files, j1, j8: {r:?}");
}

#[test]
fn save_then_load_gives_identical_output() {
    let dir = nested_corpus("save");
    let index = dir.path("archive.ndx");
    let built = run_ok([OsStr::new("--save"), index.as_os_str(), dir.path("corpus").as_os_str()]);
    assert!(index.exists());
    let loaded = run_ok([OsStr::new("--load"), index.as_os_str()]);
    assert_eq!(built.stdout, loaded.stdout);
    assert!(loaded.stderr.contains("loaded 4 articles"), "{loaded:?}");
    // The labels travel with the index file.
    let back = Index::load(&index).unwrap();
    assert_eq!(back.label(0), Some("2021/a.txt"));
    assert_eq!(back.len(), 4);

    // Adding to a loaded index: new ids after the old ones, all pairs of
    // the union; a repeated ID is skipped.
    let (a, _) = seed_pair();
    let extra = dir.write("new/c.txt", &a);
    let again = dir.write("new/b.txt", "Anything.");
    let more = run([OsStr::new("--load"), index.as_os_str(), dir.path("new").as_os_str()]);
    assert_eq!(more.code, Some(1), "{more:?}");
    let repeated = format!("{}: article ID \"b.txt\" already used", again.display());
    assert!(more.stderr.contains(&repeated), "{more:?}");
    let ids = more.pair_ids();
    assert_eq!(more.exact_duplicates(), [("2021/a.txt".to_owned(), vec!["2021/a.txt".to_owned(), "c.txt".to_owned()])]);
    assert!(ids.contains(&("2021/a.txt".to_owned(), "b.txt".to_owned())), "{ids:?}");
    assert!(built.pair_ids().iter().all(|p| ids.contains(p)));
    drop((extra, again));
}

#[test]
fn query_mode_prints_one_line_per_query_and_match() {
    let dir = nested_corpus("query");
    let index = dir.path("archive.ndx");
    run_ok([OsStr::new("--save"), index.as_os_str(), OsStr::new("--quiet"), dir.path("corpus").as_os_str()]);
    let (a, _) = seed_pair();
    // A new article quoting two paragraphs of A, and one sharing nothing.
    let quoted: Vec<&str> = a.split("\n\n").filter(|p| p.split_whitespace().count() > 15).take(2).collect();
    let q_text = format!("{}\n\n{}\n\n{}", filler(&mut Rng(5), 2), quoted.join("\n\n"), filler(&mut Rng(6), 2));
    let q = dir.write("q/today.txt", &q_text);
    let nothing = dir.write("q/nothing.txt", filler(&mut Rng(7), 4));
    for r in [
        run_ok([OsStr::new("--load"), index.as_os_str(), OsStr::new("--query"), q.as_os_str(), nothing.as_os_str()]),
        // The index built on the fly gives the same; --query=PATH works.
        run_ok([
            dir.path("corpus").into_os_string(),
            format!("--query={}", q.display()).into(),
            "--query".into(),
            nothing.clone().into_os_string(),
        ]),
    ] {
        let q_id = q.display().to_string();
        let matched: Vec<String> = r
            .pair_ids()
            .into_iter()
            .map(|(a, b)| {
                assert_eq!(a, q_id, "a is the query");
                b
            })
            .collect();
        assert_eq!(matched, ["2021/a.txt", "2021/deep/a-refiled.txt"], "{r:?}");
        assert!(r.groups().is_empty(), "no groups in query mode");
        let texts: BTreeMap<String, String> = [
            (q_id.clone(), q_text.clone()),
            ("2021/a.txt".to_owned(), a.clone()),
            ("2021/deep/a-refiled.txt".to_owned(), refiled(&a)),
        ]
        .into_iter()
        .collect();
        check_offsets(&r, &texts);
        // Against A itself, the quoted paragraphs are found verbatim.
        let first = &r.pairs()[0];
        for p in first["passages"].as_array().unwrap() {
            let (s, e) = (p["a"]["start"].as_u64().unwrap() as usize, p["a"]["end"].as_u64().unwrap() as usize);
            let (bs, be) = (p["b"]["start"].as_u64().unwrap() as usize, p["b"]["end"].as_u64().unwrap() as usize);
            assert_eq!(&q_text[s..e], &a[bs..be]);
        }
    }
}

#[test]
fn boilerplate_is_labelled_and_left_out_on_request() {
    let byline =
        "Reporting by the agency news desk in Baku, editing by the international service in Berlin and Vienna.";
    let dir = TempDir::new("boilerplate");
    let mut rng = Rng(3);
    // Ten articles with the byline in ten contexts (the default bound).
    let texts: Vec<String> = (0..10).map(|_| format!("{}{byline}\n", filler(&mut rng, 4))).collect();
    for (i, t) in texts.iter().enumerate() {
        dir.write(&format!("corpus/{i}.txt"), t);
    }
    // Article 8 re-files the first paragraph of article 0, byline included.
    let first = texts[0].split("\n\n").next().unwrap();
    dir.write("corpus/90.txt", format!("{first}\n\n{}{byline}\n", filler(&mut rng, 2)));
    let r = run_ok([dir.path("corpus")]);
    assert_eq!(r.pair_ids(), [("0.txt".to_owned(), "90.txt".to_owned())], "the byline relates nothing: {r:?}");
    let pair = &r.pairs()[0];
    let passages = pair["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 2, "{pair}");
    let labelled: Vec<&serde_json::Value> = passages.iter().filter(|p| p["boilerplate"] == true).collect();
    assert_eq!(labelled.len(), 1, "{pair}");
    assert_eq!(labelled[0]["articles"], 11, "{pair}");
    let (s, e) =
        (labelled[0]["a"]["start"].as_u64().unwrap() as usize, labelled[0]["a"]["end"].as_u64().unwrap() as usize);
    assert_eq!(&texts[0][s..e], byline);
    assert!(passages.iter().any(|p| p["boilerplate"] == false && p.get("articles").is_none()));
    let r = run_ok([OsStr::new("--no-boilerplate"), dir.path("corpus").as_os_str()]);
    assert_eq!(r.pairs()[0]["passages"].as_array().unwrap().len(), 1);
    // Off: every article shares the byline with every other.
    let off = run_ok([OsStr::new("--boilerplate-contexts=0"), dir.path("corpus").as_os_str()]);
    assert_eq!(off.pairs().len(), 11 * 10 / 2);
}

/// A sign-off *paragraph* of three sentences in every article. Only its
/// first sentence changes context from article to article; the other two
/// always sit between the same neighbours, so the per-context count
/// (`Config::boilerplate_contexts`) never calls them boilerplate, and every
/// article is paired with every other (up to `max_bucket`).
#[test]
fn a_recurring_sign_off_paragraph_relates_no_articles() {
    let sign_off = "This report was distributed by the wire service under its standard syndication \
                    licence for member newspapers. Republication in whole or in part requires the written \
                    permission of the editors in Berlin. Readers can contact the news desk for corrections, \
                    clarifications and further information about this story.";
    let dir = TempDir::new("sign-off");
    let mut rng = Rng(11);
    for i in 0..20 {
        dir.write(&format!("corpus/{i:02}.txt"), format!("{}{sign_off}\n", filler(&mut rng, 4)));
    }
    let r = run_ok([dir.path("corpus")]);
    assert_eq!(r.pairs().len(), 0, "{} pairs share only the sign-off", r.pairs().len());
}

#[test]
fn help_and_usage_errors() {
    let help = run_ok(["--help"]);
    for option in [
        "--save",
        "--load",
        "--query",
        "--min-coverage",
        "--no-groups",
        "--no-boilerplate",
        "--quiet",
        "--max-bytes",
        "--threshold",
        "--seed",
    ] {
        assert!(help.stdout.contains(option), "--help does not mention {option}");
    }
    assert_eq!(help.stderr, "");

    let dir = nested_corpus("usage");
    let corpus = dir.path("corpus");
    let c = corpus.to_str().unwrap();
    let bad = dir.write("bad.ndx", b"NEARDUPI this is not an index");
    let b = bad.to_str().unwrap();
    let good = dir.path("good.ndx");
    let g = good.to_str().unwrap();
    let missing = dir.path("missing.ndx");
    let m = missing.to_str().unwrap();
    run_ok(["--quiet", "--save", g, c]);
    let cases: [(&[&str], &str); 14] = [
        (&[], "nothing to index"),
        (&["--frobnicate", c], "--frobnicate: unknown option"),
        (&["--min-coverage", "1.5", c], "--min-coverage"),
        (&["--min-coverage"], "--min-coverage: missing value"),
        (&["--threshold=2", c], "--threshold"),
        (&["--shingle-size", "x", c], "--shingle-size: invalid value"),
        (&["--no-groups=yes", c], "--no-groups: takes no value"),
        (&[c, "--query"], "--query: no QUERY"),
        (&["--load", b], "not a valid neardup index"),
        (&["--load", m], "missing.ndx"),
        (&["--load", g, "--seed", "3"], "--seed: tuning options cannot be combined with --load"),
        (&["--max-bytes", "0", c], "--max-bytes: invalid value \"0\": must be at least 1"),
        (&["--max-bytes=ten", c], "--max-bytes: invalid value"),
        (&["-", c, "--query", "-"], "-: standard input is given more than once"),
    ];
    for (args, message) in cases {
        let r = run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(r.stderr.contains(message), "{args:?}: stderr does not say {message:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr.lines().count(), 1, "one line: {r:?}");
    }
    // A save that cannot be written is fatal too.
    let r = run(["--save", dir.path("no/such/dir/x.ndx").to_str().unwrap(), c]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--save"), "{r:?}");
}

// ---------------------------------------------------------------------------
// Inputs: directories, IDs, encodings, standard input, bounds

/// The `corpus: skipped ...` lines of a run.
fn skipped(r: &Run) -> Vec<&str> {
    r.stderr.lines().filter(|l| l.starts_with("corpus: skipped ")).collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn a_directory_is_read_whole_whatever_the_file_names() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("any-names");
    dir.write("corpus/a.md", &a);
    dir.write("corpus/sub/B.TXT", &b);
    dir.write("corpus/README", refiled(&a));
    dir.write("corpus/.git/HEAD", &a);
    dir.write("corpus/.DS_Store", &a);
    let r = run_ok([dir.path("corpus")]);
    assert_eq!(r.pair_ids(), [pair("README", "a.md"), pair("README", "sub/B.TXT"), pair("a.md", "sub/B.TXT")], "{r:?}");
    assert!(r.stderr.contains("indexed 3 articles"), "{r:?}");
    assert!(r.stderr.contains("; 2 hidden files or directories not read"), "{r:?}");
    // `--query` reads a directory the same way.
    let q = run_ok([dir.path("corpus/a.md").as_os_str(), OsStr::new("--query"), dir.path("corpus/sub").as_os_str()]);
    assert_eq!(q.pair_ids(), [(String::from("B.TXT"), dir.path("corpus/a.md").display().to_string())], "{q:?}");
    // A directory with nothing to read is reported, not silently empty.
    dir.write("empty/.hidden", "x");
    let e = run([dir.path("empty")]);
    assert_eq!(e.code, Some(1), "{e:?}");
    assert_eq!(skipped(&e).len(), 1, "{e:?}");
    assert!(e.stderr.contains("empty: a directory with no file to read"), "{e:?}");
}

#[test]
fn two_files_with_one_id_stop_the_run_before_anything_is_indexed() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("one-id");
    let first = dir.write("monday/story.txt", &a);
    let second = dir.write("tuesday/story.txt", &b);
    let index = dir.path("never.ndx");
    let r =
        run([OsStr::new("--save"), index.as_os_str(), dir.path("monday").as_os_str(), dir.path("tuesday").as_os_str()]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.lines().count(), 1, "one line: {r:?}");
    for needle in ["\"story.txt\"", &first.display().to_string(), &second.display().to_string(), "common parent"] {
        assert!(r.stderr.contains(needle), "stderr does not say {needle:?}: {r:?}");
    }
    assert!(!index.exists(), "nothing was indexed or saved");
    // The common parent gives distinct IDs.
    let r = run_ok([dir.path("")]);
    assert_eq!(r.pair_ids(), [pair("monday/story.txt", "tuesday/story.txt")]);
    // The same file given twice is read once, and reported.
    let r = run([&first, &first]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("given twice"), "{r:?}");
    assert!(r.stderr.contains("indexed 1 articles"), "{r:?}");
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_get_distinct_ids() {
    use std::os::unix::ffi::OsStrExt;
    let (a, _) = seed_pair();
    let dir = TempDir::new("latin1-names");
    let names = [OsStr::from_bytes(b"caf\xe8.txt"), OsStr::from_bytes(b"caf\xe9.txt")];
    std::fs::create_dir_all(dir.path("corpus")).unwrap();
    for name in names {
        if std::fs::write(dir.path("corpus").join(name), &a).is_err() {
            eprintln!("skipped: the file system does not take names that are not UTF-8");
            return;
        }
    }
    let r = run_ok([dir.path("corpus")]);
    assert_eq!(r.related_ids(), [pair("caf\\xE8.txt", "caf\\xE9.txt")], "{r:?}");
    assert!(r.stderr.contains("indexed 2 articles"), "{r:?}");
}

#[test]
fn json_ids_must_be_exact() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("json-ids");
    let lines = [
        // Past u64::MAX: both would read as the same float.
        format!("{{\"id\": 18446744073709551616, \"text\": {}}}", serde_json::json!(a)),
        format!("{{\"id\": 18446744073709551617, \"text\": {}}}", serde_json::json!(b)),
        serde_json::json!({"id": 1.5, "text": a}).to_string(),
        serde_json::json!({"id": "", "text": a}).to_string(),
        serde_json::json!({"id": u64::MAX, "text": a}).to_string(),
        serde_json::json!({"id": -7, "text": b}).to_string(),
    ];
    let file = dir.write("ids.jsonl", lines.join("\n"));
    let r = run([&file]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let skipped = skipped(&r);
    assert_eq!(skipped.len(), 4, "{r:?}");
    for (line, needle) in
        [(1, "is not an integer of 64 bits"), (2, "is not an integer"), (3, "1.5"), (4, "\"id\" is empty")]
    {
        let prefix = format!("corpus: skipped {}:{line}: ", file.display());
        assert!(skipped.iter().any(|l| l.starts_with(&prefix) && l.contains(needle)), "line {line}: {r:?}");
    }
    assert_eq!(r.pair_ids(), [pair(&u64::MAX.to_string(), "-7")], "{r:?}");
}

#[test]
fn a_byte_order_mark_does_not_cost_the_first_json_line() {
    let (a, _) = seed_pair();
    let dir = TempDir::new("jsonl-bom");
    let body = [serde_json::json!({"id": "first", "text": a}), serde_json::json!({"id": "second", "text": a})]
        .map(|v| v.to_string())
        .join("\n");
    let file = dir.write("bom.jsonl", format!("\u{feff}{body}\n"));
    let r = run_ok([&file]);
    assert_eq!(r.related_ids(), [pair("first", "second")], "{r:?}");
    // The same on standard input.
    let s = run_stdin(["-"], format!("\u{feff}{body}\n").as_bytes());
    assert_eq!(s.code, Some(0), "{s:?}");
    assert_eq!(s.related_ids(), [pair("first", "second")], "{s:?}");
}

#[test]
fn json_that_is_not_json_lines_is_refused_with_a_jq_hint() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("json-array");
    let array = serde_json::json!([{"id": 1, "text": a}, {"id": 2, "text": b}]).to_string();
    let arr = dir.write("articles.json", &array);
    let arr_l = dir.write("articles-too.jsonl", format!("\n  {array}"));
    let pretty =
        dir.write("pretty.json", serde_json::to_string_pretty(&serde_json::json!({"id": 1, "text": a})).unwrap());
    // A .json file of JSON lines is fine.
    let lines = dir.write("lines.json", format!("{}\n", serde_json::json!({"id": "ok", "text": a})));
    let r = run([&arr, &arr_l, &pretty, &lines]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let skipped = skipped(&r);
    assert_eq!(skipped.len(), 3, "one line per file: {r:?}");
    for (path, needle) in
        [(&arr, "a JSON array, not JSON lines"), (&arr_l, "jq -c '.[]'"), (&pretty, "jq -c . FILE.json > FILE.jsonl")]
    {
        let prefix = format!("corpus: skipped {}: ", path.display());
        assert!(skipped.iter().any(|l| l.starts_with(&prefix) && l.contains(needle)), "{needle}: {r:?}");
    }
    assert!(r.stderr.contains("indexed 1 articles"), "{r:?}");
    // Standard input holding an array: the same hint.
    let s = run_stdin(["-"], array.as_bytes());
    assert_eq!(s.code, Some(1), "{s:?}");
    assert!(s.stderr.contains("(standard input): a JSON array"), "{s:?}");
}

#[test]
fn utf16_inputs_are_refused_with_a_hint() {
    let (a, _) = seed_pair();
    let dir = TempDir::new("utf16");
    let utf16 =
        |s: &str| -> Vec<u8> { [0xff, 0xfe].into_iter().chain(s.encode_utf16().flat_map(u16::to_le_bytes)).collect() };
    let text = dir.write("corpus/story.txt", utf16(&a));
    let jsonl = dir.write("corpus/more.jsonl", utf16(&format!("{}\n", serde_json::json!({"id": 1, "text": a}))));
    let r = run([dir.path("corpus")]);
    assert_eq!(r.code, Some(1), "{r:?}");
    for path in [&text, &jsonl] {
        let line = format!("corpus: skipped {}: input looks like UTF-16LE", path.display());
        assert!(r.stderr.contains(&line), "{line}: {r:?}");
    }
    assert_eq!(r.stderr.matches("`iconv -f UTF-16 -t UTF-8`").count(), 2, "{r:?}");
}

#[test]
fn dash_is_standard_input() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("stdin");
    let file_b = dir.write("b.txt", &b);
    // Text: one article with ID `-`.
    let r = run_stdin([OsStr::new("-"), file_b.as_os_str()], a.as_bytes());
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.pair_ids(), [pair("-", &file_b.display().to_string())], "{r:?}");
    // JSON lines (white space before the first object is allowed).
    let lines = format!(
        "\n  {}\n{}\n",
        serde_json::json!({"id": "x", "text": a}),
        serde_json::json!({"id": "y", "text": refiled(&a)})
    );
    let r = run_stdin(["-"], lines.as_bytes());
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.pair_ids(), [pair("x", "y")]);
    // As a query.
    let r = run_stdin([file_b.as_os_str(), OsStr::new("--query"), OsStr::new("-")], a.as_bytes());
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.pair_ids(), [pair("-", &file_b.display().to_string())]);
    // Binary on standard input: skipped, named.
    let r = run_stdin(["-"], b"\x00\x01\x02 not text");
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("skipped (standard input): input looks binary"), "{r:?}");
}

#[test]
fn load_says_which_configuration_it_adopted() {
    let dir = nested_corpus("load-config");
    let index = dir.path("tuned.ndx");
    run_ok([
        OsStr::new("--quiet"),
        OsStr::new("--shingle-size=4"),
        OsStr::new("--min-words=9"),
        OsStr::new("--seed=7"),
        OsStr::new("--save"),
        index.as_os_str(),
        dir.path("corpus").as_os_str(),
    ]);
    let r = run_ok([OsStr::new("--load"), index.as_os_str()]);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with(&format!("corpus: configuration of {}: ", index.display())))
        .unwrap_or_else(|| panic!("no configuration line: {r:?}"));
    for knob in ["--shingle-size 4 ", "--num-hashes 128 ", "--min-words 9 ", "--seed 7 ", "--max-bucket 1000 "] {
        assert!(line.contains(knob), "{knob}: {line}");
    }
    let q = run_ok([OsStr::new("--quiet"), OsStr::new("--load"), index.as_os_str()]);
    assert_eq!(q.stderr, "", "--quiet says nothing");
}

#[test]
fn endless_and_oversized_inputs_are_skipped_in_bounded_memory() {
    let (a, b) = seed_pair();
    let dir = TempDir::new("bounds");
    let big = dir.write("big.txt", "word ".repeat(1000));
    let ok = dir.write("ok.txt", &b);
    let long_line = format!("{{\"id\": \"long\", \"text\": \"{}\"}}", "word ".repeat(1000));
    let jsonl = dir.write(
        "lines.jsonl",
        format!("{long_line}\n{}\n{long_line}", serde_json::json!({"id": "short", "text": &a[..1500]})),
    );
    let mut args = vec![OsString::from("--max-bytes=4K"), big.clone().into(), ok.clone().into(), jsonl.clone().into()];
    if cfg!(unix) {
        args.extend(["/dev/zero".into(), "/dev/urandom".into()]);
    }
    let started = std::time::Instant::now();
    let r = run(&args);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    assert_eq!(r.code, Some(1), "{r:?}");
    let skipped = skipped(&r);
    let mut expect = vec![
        format!(
            "corpus: skipped {}: input of 5000 bytes is larger than the maximum of 4096 bytes; see --max-bytes",
            big.display()
        ),
        format!("corpus: skipped {}:1: a line longer than the maximum of 4096 bytes; see --max-bytes", jsonl.display()),
        format!("corpus: skipped {}:3: a line longer than the maximum of 4096 bytes; see --max-bytes", jsonl.display()),
    ];
    if cfg!(unix) {
        expect.push("corpus: skipped /dev/zero: input looks binary, not text: NUL byte at byte offset 0".to_owned());
        expect.push("corpus: skipped /dev/urandom: input ".to_owned());
    }
    assert_eq!(skipped.len(), expect.len(), "{r:?}");
    for (line, e) in skipped.iter().zip(&expect) {
        assert!(line.starts_with(e.as_str()), "{line}\n  expected {e}");
    }
    // The line between the long ones, and the file within the bound.
    assert!(r.stderr.contains("indexed 2 articles"), "{r:?}");
    assert!(r.stderr.contains("; 5 inputs skipped (see above)") || !cfg!(unix), "{r:?}");
}

/// The texts go to disk by default (`--texts-dir`, or the temporary
/// directory), or stay in memory (`--texts-in-memory`): the same lines
/// either way, through a save and a load too; a directory that cannot hold
/// them is an error naming it.
#[test]
fn texts_on_disk_or_in_memory_give_the_same_lines() {
    let dir = nested_corpus("texts");
    let corpus = dir.path("corpus");
    let store = dir.path("store");
    std::fs::create_dir_all(&store).unwrap();
    let memory = run_ok([corpus.as_os_str(), "--texts-in-memory".as_ref()]);
    let default = run_ok([corpus.as_os_str()]);
    let on_disk = run_ok([corpus.as_os_str(), "--texts-dir".as_ref(), store.as_os_str()]);
    assert!(!memory.pairs().is_empty(), "{memory:?}");
    assert_eq!(default.stdout, memory.stdout);
    assert_eq!(on_disk.stdout, memory.stdout);
    // The summary tells where the texts are: none in memory by default.
    assert!(default.stderr.contains("texts 0.0 MB;"), "{default:?}");
    assert!(memory.stderr.contains("0.0 MB of texts on disk"), "{memory:?}");
    // The text file has no name: the directory stays empty.
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), 0);
    let saved = dir.path("saved.ndx");
    run_ok([corpus.as_os_str(), "--save".as_ref(), saved.as_os_str()]);
    let loaded = run_ok(["--load".as_ref(), saved.as_os_str()]);
    assert_eq!(loaded.stdout, memory.stdout);

    let missing = dir.path("no-such-dir");
    let r = run([corpus.as_os_str(), "--texts-dir".as_ref(), missing.as_os_str()]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--texts-dir") && r.stderr.contains(&*missing.to_string_lossy()), "{r:?}");
    assert!(r.stdout.is_empty());
    let r = run([corpus.as_os_str(), "--texts-dir".as_ref(), store.as_os_str(), "--texts-in-memory".as_ref()]);
    assert_eq!(r.code, Some(2), "{r:?}");
}
