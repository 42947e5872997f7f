//! Compare two texts and print the passages they share, with byte offsets
//! into both.
//!
//! ```text
//! cargo run --example two_texts                    # two short texts written below
//! cargo run --example two_texts -- A.txt B.txt     # two files
//! ```
//!
//! One file that uses only `std` and `neardup`: copy it as it is. The
//! `compare` example does the same with options, line numbers, colour,
//! JSON and an HTML page.

use std::process::ExitCode;

use neardup::{Detector, text};

/// The texts compared when no files are given: B rewrites A's lead and
/// quotes its second sentence with one word changed ("will" / "would").
const A: &str = "Officials met in Baku on Monday. Hajiyev added that Azerbaijan will continue to make its \
                 contribution to the political dialogue between NATO and Russia.";
const B: &str = "Hajiyev added that Azerbaijan would continue to make its contribution to the political \
                 dialogue between NATO and Russia. Talks go on, officials said on Tuesday.";

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let texts = match args.as_slice() {
        [] => Ok((A.to_owned(), B.to_owned())),
        // `read_file` refuses binary, UTF-16 and oversized files; its error
        // names the file.
        [a, b] => text::read_file(a, text::DEFAULT_MAX_BYTES)
            .and_then(|a| Ok((a, text::read_file(b, text::DEFAULT_MAX_BYTES)?))),
        _ => {
            eprintln!("usage: two_texts [A.txt B.txt]");
            return ExitCode::from(2);
        }
    };
    let (a, b) = match texts {
        Ok(texts) => texts,
        Err(e) => {
            eprintln!("two_texts: {e}");
            return ExitCode::from(2);
        }
    };

    // The default configuration: 3-word shingles, passages of 8 or more
    // shared words. `Detector::builder()` has a setter for each setting,
    // and `build()` checks them.
    let detector = Detector::builder().build().expect("the default configuration is valid");
    let report = detector.compare(&a, &b);

    for (i, p) in report.passages.iter().enumerate() {
        // `p.a` and `p.b` are byte spans (half-open, on char boundaries)
        // into the texts as given: slice them to get the passage.
        println!("passage {}: A bytes {}, B bytes {}", i + 1, p.a, p.b);
        println!(
            "  {} words matched; similarity {:.3}, containment {:.3} of A in B, {:.3} of B in A",
            p.matched_words, p.similarity, p.containment_a, p.containment_b
        );
        println!("  A: {}", one_line(&a[p.a]));
        println!("  B: {}", one_line(&b[p.b]));
    }
    println!(
        "{} passage{}; they cover {:.1}% of A ({} of {} words) and {:.1}% of B ({} of {} words)",
        report.passages.len(),
        if report.passages.len() == 1 { "" } else { "s" },
        100.0 * report.a_coverage(),
        report.a_covered_words,
        report.a_words,
        100.0 * report.b_coverage(),
        report.b_covered_words,
        report.b_words
    );
    ExitCode::SUCCESS
}

/// `s` on one line: every run of white space becomes one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
