//! An archive of articles: index them, list every pair of articles that
//! share passages and the groups of near-duplicates, save the index to a
//! file and load it back.
//!
//! ```text
//! cargo run --example archive                      # five short articles written below
//! cargo run --example archive -- FILE...           # text files, one article each
//! ```
//!
//! One file that uses only `std` and `neardup`: copy it as it is. The
//! `corpus` example does the same at scale: directories, JSON lines,
//! queries against a saved index, JSON output, a progress bar.

use std::process::ExitCode;

use neardup::{Detector, Index, text};

/// The articles indexed when no files are given: a wire story, the same
/// story re-filed a day later, its copy in capitals (an exact duplicate:
/// case, quotes and spacing do not count), a local story that quotes one
/// sentence of it, and one that shares nothing.
const ARTICLES: [(&str, &str); 5] = [
    (
        "wire/monday.txt",
        "The minister met the Latvian delegation in Baku on Monday. They discussed cooperation within NATO \
         and military education. \"Latvia is an important partner for us in the Baltic region and in NATO,\" the minister said after the talks.",
    ),
    (
        "wire/tuesday.txt",
        "The minister met the Latvian delegation in Baku on Tuesday. They discussed cooperation within NATO \
         and military education. \"Latvia is an important partner for us in the Baltic region and in NATO,\" the minister said after the talks.",
    ),
    (
        "mirror/monday.txt",
        "THE MINISTER MET THE LATVIAN DELEGATION IN BAKU ON MONDAY. THEY DISCUSSED COOPERATION WITHIN NATO \
         AND MILITARY EDUCATION. “LATVIA IS AN IMPORTANT PARTNER FOR US IN THE BALTIC REGION AND IN NATO,” THE MINISTER SAID AFTER THE TALKS.",
    ),
    (
        "local/harbour.txt",
        "The harbour will be repaired next year. Latvia is an important partner for us in the Baltic region and \
         in NATO, the minister said after the talks, and the new ferry line to Riga opens in May.",
    ),
    ("local/markets.txt", "Markets closed higher on Friday after a week of strong trading in energy shares."),
];

/// Shared passages must cover this much of both articles for a pair to be
/// near-duplicates.
const MIN_COVERAGE: f64 = 0.8;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("archive: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let articles = read_articles()?;

    // Each article gets an id (here its position) and a label the index
    // keeps (here its file name); ids need not be dense.
    let detector = Detector::builder().build().map_err(|e| e.to_string())?;
    let mut index = detector.index();
    for (id, (label, text)) in articles.iter().enumerate() {
        index.insert_labeled(id as u64, label, text).map_err(|e| e.to_string())?;
    }
    println!("{} articles indexed, {} bytes of index", index.len(), index.memory_usage());
    print_results(&index, &articles)?;

    // The index survives restarts: a versioned, checksummed file, written
    // atomically; loading it re-hashes no text.
    let dir = std::env::temp_dir().join(format!("neardup-archive-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("archive.ndx");
    let saved = index.save(&path).and_then(|()| Index::load(&path));
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = saved.map_err(|e| e.to_string())?;
    println!("saved to {} in a temporary directory, and loaded back:", path.file_name().unwrap().display());
    print_results(&loaded, &articles)?;

    // The loaded index answers queries: a new article against all of them.
    let today = "Officials said the minister met the Latvian delegation in Baku on Monday. They discussed \
                 cooperation within NATO and military education.";
    for m in loaded.query(today).matches {
        let label = loaded.label(m.id).unwrap_or_default();
        let coverage = 100.0 * m.report.a_coverage();
        println!("a new article matches {label}: {}, {coverage:.0}% of it", passages(m.report.passages.len()));
    }
    Ok(())
}

/// `(label, text)` of every article: the files given on the command line,
/// or the articles above.
fn read_articles() -> Result<Vec<(String, String)>, String> {
    let paths: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if paths.is_empty() {
        return Ok(ARTICLES.iter().map(|&(label, text)| (label.to_owned(), text.to_owned())).collect());
    }
    // `read_file` refuses binary, UTF-16 and oversized files; its error
    // names the file.
    let read = |path: &std::ffi::OsString| text::read_file(path, text::DEFAULT_MAX_BYTES).map_err(|e| e.to_string());
    paths.iter().map(|path| Ok((path.to_string_lossy().into_owned(), read(path)?))).collect()
}

/// Prints every pair of articles that share passages, the exact
/// duplicates and the near-duplicate groups of `index`.
fn print_results(index: &Index, articles: &[(String, String)]) -> Result<(), String> {
    let label = |id: u64| index.label(id).unwrap_or_default();
    // Each pair once, `a < b`, in order; an exact duplicate is not paired
    // again (its representative stands for it).
    for pair in index.pairs() {
        let (a, b) = (&articles[pair.a as usize].1, &articles[pair.b as usize].1);
        println!("  {} ~ {}: {}", label(pair.a), label(pair.b), passages(pair.report.passages.len()));
        for p in &pair.report.passages {
            // Byte spans into each article's text as inserted.
            println!("    bytes {} ~ bytes {}: {:?} ~ {:?}", p.a, p.b, short(&a[p.a]), short(&b[p.b]));
        }
    }
    for group in index.exact_duplicates() {
        let members: Vec<&str> = group.members.iter().map(|&id| label(id)).collect();
        println!("  exact duplicates: {}", members.join(", "));
    }
    // Every pair inside a group is a verified near-duplicate (no chaining).
    for group in index.near_duplicate_groups(MIN_COVERAGE).map_err(|e| e.to_string())? {
        let members: Vec<&str> = group.members.iter().map(|&id| label(id)).collect();
        println!("  near-duplicates: {} (representative {})", members.join(", "), label(group.representative));
    }
    Ok(())
}

/// The first words of a passage, on one line.
fn short(passage: &str) -> String {
    let words: Vec<&str> = passage.split_whitespace().collect();
    if words.len() <= 8 { words.join(" ") } else { format!("{} ...", words[..8].join(" ")) }
}

/// `1 passage`, `2 passages`.
fn passages(n: usize) -> String {
    format!("{n} passage{}", if n == 1 { "" } else { "s" })
}
