//! The small examples as a user runs them, `two_texts`, `archive` and
//! `stages`: their
//! output checked against the library on the same texts, so that they
//! cannot rot. (`compare`, `tune` and `corpus` are in `cli.rs` and
//! `corpus_cli.rs`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use neardup::{Detector, Span};

use crate::cli::build_example;

const SEED_A: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/001_8d763c1f7bf3de18.txt");

fn two_texts_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_example("two_texts"))
}

fn stages_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_example("stages"))
}

#[test]
fn stages_reproduce_index_pairs_on_the_files_given() {
    let out = run_ok(stages_exe(), &[SEED_A, SEED_B]);
    let (a, b) = crate::seed_pair();
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    assert!(out.starts_with(&format!("articles 0 and 1: {} passage(s)\n", report.passages.len())), "{out}");
    assert!(out.ends_with("1 pair(s), the same as Index::pairs()\n"), "{out}");
    let built_in = run_ok(stages_exe(), &[]);
    assert!(built_in.ends_with("1 pair(s), the same as Index::pairs()\n"), "{built_in}");
    let err = run_fails(stages_exe(), &[SEED_A, "/nonexistent/article.txt"]);
    assert!(String::from_utf8_lossy(&err.stderr).contains("/nonexistent/article.txt"), "{err:?}");
}

fn archive_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_example("archive"))
}

/// Runs an example; its stdout, after checking that it succeeded quietly.
fn run_ok(exe: &Path, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().expect("the example runs");
    assert!(out.status.success() && out.stderr.is_empty(), "{} {args:?}: {out:?}", exe.display());
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Runs an example that must fail with exit status 2 and one line on stderr.
fn run_fails(exe: &Path, args: &[&str]) -> Output {
    let out = Command::new(exe).args(args).output().expect("the example runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{out:?}");
    out
}

/// `12..40` as a span.
fn span(s: &str) -> Span {
    let (start, end) = s.split_once("..").unwrap_or_else(|| panic!("not a span: {s:?}"));
    Span::new(start.parse().unwrap(), end.parse().unwrap())
}

#[test]
fn two_texts_prints_the_passages_the_library_finds() {
    let (a, b) = crate::seed_pair();
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    let out = run_ok(two_texts_exe(), &[SEED_A, SEED_B]);
    let lines: Vec<&str> = out.lines().collect();
    // Four lines per passage, then the summary.
    assert_eq!(lines.len(), 4 * report.passages.len() + 1, "{out}");
    for (i, (p, block)) in report.passages.iter().zip(lines.chunks(4)).enumerate() {
        let rest = block[0].strip_prefix(&format!("passage {}: A bytes ", i + 1)).expect(block[0]);
        let (a_span, b_span) = rest.split_once(", B bytes ").expect(block[0]);
        assert_eq!((span(a_span), span(b_span)), (p.a, p.b));
        assert!(block[1].starts_with(&format!("  {} words matched; ", p.matched_words)), "{}", block[1]);
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(block[2], format!("  A: {}", one_line(&a[p.a])));
        assert_eq!(block[3], format!("  B: {}", one_line(&b[p.b])));
    }
    assert!(lines.last().unwrap().starts_with("4 passages; they cover "), "{out}");

    // Its own two texts: one passage, a quoted sentence with one word changed.
    let out = run_ok(two_texts_exe(), &[]);
    assert!(out.starts_with("passage 1: A bytes "), "{out}");
    assert!(out.contains("  A: Hajiyev added that Azerbaijan will continue"), "{out}");
    assert!(out.contains("  B: Hajiyev added that Azerbaijan would continue"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("1 passage; "), "{out}");

    // A bad file is one line naming it.
    let missing = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/no-such-file.txt");
    let out = run_fails(two_texts_exe(), &[SEED_A, missing]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(missing), "{out:?}");
    run_fails(two_texts_exe(), &[SEED_A]);
}

#[test]
fn archive_lists_pairs_and_groups_the_same_before_and_after_save_and_load() {
    let out = run_ok(archive_exe(), &[]);
    let (built, loaded) =
        out.split_once("saved to archive.ndx in a temporary directory, and loaded back:\n").expect(&out);
    let (loaded, queried) = loaded.split_at(loaded.find("a new article matches").expect(&out));
    let built = built.split_once('\n').unwrap().1;
    assert_eq!(built, loaded, "the loaded index gives the same pairs and groups");
    for line in [
        "  wire/monday.txt ~ wire/tuesday.txt: 1 passage",
        "  wire/monday.txt ~ local/harbour.txt: 1 passage",
        "  exact duplicates: wire/monday.txt, mirror/monday.txt",
        "  near-duplicates: wire/monday.txt, wire/tuesday.txt, mirror/monday.txt (representative wire/monday.txt)",
    ] {
        assert!(built.lines().any(|l| l == line), "no {line:?} in\n{out}");
    }
    assert!(!built.contains("markets"), "the markets story shares nothing:\n{out}");
    assert!(!built.contains("~ mirror/"), "an exact duplicate is not paired again:\n{out}");
    assert!(queried.starts_with("a new article matches wire/monday.txt: 1 passage"), "{out}");

    // Files: the seed pair is one pair with the library's four passages.
    let (a, b) = crate::seed_pair();
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    let out = run_ok(archive_exe(), &[SEED_A, SEED_B]);
    let pair = format!("  {SEED_A} ~ {SEED_B}: {} passages", report.passages.len());
    assert_eq!(out.matches(&format!("{pair}\n")).count(), 2, "before and after loading:\n{out}");
    for p in &report.passages {
        assert!(out.contains(&format!("    bytes {} ~ bytes {}: ", p.a, p.b)), "{p:?} in\n{out}");
    }
}
