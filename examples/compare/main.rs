//! Compare two text files and print the passages they share.
//!
//! ```text
//! cargo run --release --example compare -- [OPTIONS] A.txt B.txt
//! cargo run --release --example compare -- --json --min-words 12 A.txt B.txt
//! cargo run --release --example compare -- --html report.html A.txt B.txt
//! ```
//!
//! For every shared passage the report gives its place in both files (lines
//! and byte offsets), its scores and its text, then how much of each file is
//! reused from the other. The text is wrapped to the terminal (or `--width`)
//! with the file's line numbers in a gutter (two columns, A and B, when the
//! passage reads the same in both). On a terminal the report is in colour —
//! and where the two sides of a passage differ, the words found on one side
//! only are highlighted (red in A, green in B); `NO_COLOR` or `--color
//! never` turns colour off, `--color always` forces it.
//!
//! `--json` prints the same as one JSON object, with byte offsets into the
//! files exactly as they are on disk:
//!
//! ```text
//! {"a": {"path": .., "bytes": .., "words": .., "covered_words": ..}, "b": {..},
//!  "config": {"shingle_size": .., "num_hashes": .., "threshold": .., "min_words": .., "max_gap": .., "seed": ..},
//!  "passages": [{"a": {"start": .., "end": .., "line_start": .., "line_end": ..}, "b": {..},
//!                "kind": "exact" | "edited" | "rewritten", "similarity": .., "bag_similarity": ..,
//!                "containment_a": .., "containment_b": .., "matched_words": ..,
//!                "a_text": .., "b_text": ..}, ..],
//!  "a_coverage": .., "b_coverage": ..}
//! ```
//!
//! `--html FILE` also writes a self-contained HTML page with the two texts
//! side by side, each passage in its own colour on both sides; hovering or
//! clicking one marks and scrolls to its partner. `--help` lists every
//! option with its default.
//!
//! A file is read with `neardup::text::read_file`: at most `--max-bytes`
//! (default 64 MiB), and its first 8 KiB are checked before the rest is
//! read, so a binary file, a UTF-16 file or an endless device
//! (`/dev/zero`, `/dev/urandom`) is refused at once in bounded memory. A
//! UTF-8 byte-order mark is kept, so that offsets are into the file as it is
//! on disk.
//!
//! Exit status: 0 on success (also when the files share nothing), 2 when an
//! option or a file is bad — a missing file, a directory, bytes that are not
//! UTF-8 text, a file larger than `--max-bytes`, an HTML file that cannot be
//! written — with one line on stderr that names the culprit.
//!
//! # A multi-file program
//!
//! To copy it, copy the directory `examples/compare/` (this file and its
//! modules) and depend on `neardup`, `clap` (feature `derive`), `serde`
//! (feature `derive`) and `serde_json`:
//!
//! * `main.rs` — the command line (clap), reading the files, `--json`
//!   (serde records written by serde_json);
//! * `readable.rs` — the readable report, wrapped and coloured;
//! * `html.rs` — the `--html` page (presentation only: it stays here, not
//!   in the library);
//! * `text.rs` — line numbers of byte offsets, and the words of a passage
//!   found on one side only, for both.
//!
//! For the smallest program that compares two texts, see
//! `examples/two_texts.rs`.

mod html;
mod readable;
mod text;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use neardup::{Config, Detector, Passage, Report, Span};
use serde::Serialize;

use readable::{ColorChoice, MIN_WIDTH, Style, WIDTH};
use text::Lines;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Ignore a failure to write to stderr: there is nowhere left to report it.
            let _ = writeln!(io::stderr(), "compare: {message}");
            ExitCode::from(2)
        }
    }
}

/// Find the passages two texts share.
#[derive(Parser)]
#[command(
    name = "compare",
    override_usage = "compare [OPTIONS] A.txt B.txt",
    after_help = "\
Options take their value as `--opt N` or `--opt=N`; `--` ends the options.
A and B are UTF-8 text files (any file: a pipe or a device is read up to
--max-bytes too); a binary or UTF-16 file is refused after its first 8 KiB.
Exit status: 0 on success, 2 on a bad option, an unreadable or non-text file, a
file larger than --max-bytes or an unwritable HTML file."
)]
struct Cli {
    /// print one JSON object instead of a readable report
    #[arg(long)]
    json: bool,
    /// also write the two texts side by side, passages highlighted, as HTML
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    html: Option<PathBuf>,
    /// colour the readable report: auto, always or never (default auto: on a
    /// terminal, unless NO_COLOR is set)
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto, hide_default_value = true,
          hide_possible_values = true)]
    color: ColorChoice,
    #[arg(long, value_name = "N", value_parser = parse_width, allow_hyphen_values = true,
          help = format!("wrap the readable report at N columns, at least {MIN_WIDTH} (default: the terminal's \
                          COLUMNS, else {WIDTH})"))]
    width: Option<usize>,
    /// largest file read, in bytes, with an optional K, M or G suffix (x 1024,
    /// 1024² or 1024³); a larger one is an error naming it (default 64M)
    #[arg(long, value_name = "N", value_parser = parse_size, default_value = "64M", hide_default_value = true,
          allow_hyphen_values = true)]
    max_bytes: u64,
    #[command(flatten)]
    tuning: Tuning,
    /// the two files, A and B
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// The detector's settings; one not given keeps its [`Config::default`]
/// value, and `build()` checks the ranges.
#[derive(clap::Args)]
struct Tuning {
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("words per shingle", Config::default().shingle_size))]
    shingle_size: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("MinHash values per signature", Config::default().num_hashes))]
    num_hashes: Option<usize>,
    #[arg(long, value_name = "F", allow_hyphen_values = true,
          help = default("similarity at which two sentences are candidates, in (0, 1]", Config::default().threshold))]
    threshold: Option<f64>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("fewest matched words of a passage on its own", Config::default().min_words))]
    min_words: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("most unmatched words bridged inside one passage", Config::default().max_gap))]
    max_gap: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("seed of every hash", Config::default().seed))]
    seed: Option<u64>,
    #[arg(long, value_name = "BOOL", allow_hyphen_values = true, hide_possible_values = true,
          help = default("report rewritten passages: true or false", Config::default().rewritten))]
    rewritten: Option<bool>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("characters of a word in its stem, 0 = whole words", Config::default().stem_chars))]
    stem_chars: Option<usize>,
}

/// An option's help line with its default.
fn default(what: &str, value: impl std::fmt::Display) -> String {
    format!("{what} (default {value})")
}

impl Tuning {
    /// The detector these settings ask for; an error names the option.
    fn detector(&self) -> Result<Detector, String> {
        let d = Config::default();
        let mut builder = Detector::builder();
        builder
            .shingle_size(self.shingle_size.unwrap_or(d.shingle_size))
            .num_hashes(self.num_hashes.unwrap_or(d.num_hashes))
            .threshold(self.threshold.unwrap_or(d.threshold))
            .min_words(self.min_words.unwrap_or(d.min_words))
            .max_gap(self.max_gap.unwrap_or(d.max_gap))
            .seed(self.seed.unwrap_or(d.seed))
            .rewritten(self.rewritten.unwrap_or(d.rewritten))
            .stem_chars(self.stem_chars.unwrap_or(d.stem_chars));
        builder.build().map_err(|e| match &e {
            // Name the command-line option, not the `Config` field.
            neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", name.replace('_', "-")),
            _ => e.to_string(),
        })
    }
}

/// `--width`: a number of columns, at least [`MIN_WIDTH`].
fn parse_width(value: &str) -> Result<usize, String> {
    let n: usize = value.parse().map_err(|e| format!("{e}"))?;
    if n < MIN_WIDTH {
        return Err(format!("must be at least {MIN_WIDTH}"));
    }
    Ok(n)
}

/// `--max-bytes`: digits with an optional `K`, `M` or `G` suffix (powers
/// of 1024, either case); at least 1.
fn parse_size(value: &str) -> Result<u64, String> {
    let (digits, shift) = match value.as_bytes().last() {
        Some(b'k' | b'K') => (&value[..value.len() - 1], 10),
        Some(b'm' | b'M') => (&value[..value.len() - 1], 20),
        Some(b'g' | b'G') => (&value[..value.len() - 1], 30),
        _ => (value, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a number of bytes, with an optional K, M or G suffix".to_owned());
    }
    let too_large = || "too large".to_owned();
    let n: u64 = digits.parse().map_err(|_| too_large())?;
    match n.checked_mul(1 << shift).ok_or_else(too_large)? {
        0 => Err("must be at least 1".to_owned()),
        bytes => Ok(bytes),
    }
}

/// A command-line error from clap as one line that names the option,
/// `--option: what is wrong` (clap's own message spans several lines).
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.as_str(),
        _ => "",
    };
    // clap calls an option by its value's name too: `--width <N>`.
    let option = context(ContextKind::InvalidArg).split(' ').next().unwrap_or_default();
    let value = context(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => format!("{option}: unknown option (see --help)"),
        ErrorKind::TooManyValues => format!("{option}: takes no value"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{option}: missing value"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let why = match (e.get(ContextKind::ValidValue), std::error::Error::source(e)) {
                (Some(ContextValue::Strings(valid)), _) => format!("expected {}", valid.join(", ")),
                (_, Some(source)) => source.to_string(),
                _ => "not valid".to_owned(),
            };
            format!("{option}: invalid value {value:?}: {why}")
        }
        _ => e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned(),
    }
}

/// One input file: its name, its text and where its lines start.
pub struct Input {
    path: PathBuf,
    text: String,
    lines: Lines,
}

fn run() -> Result<(), String> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            return print(|out| write!(out, "{e}"));
        }
        Err(e) => return Err(usage_error(&e)),
    };
    let [a, b]: [PathBuf; 2] = cli
        .files
        .try_into()
        .map_err(|files: Vec<PathBuf>| format!("expected two files, A and B, got {} (see --help)", files.len()))?;
    if cli.html.as_ref().is_some_and(|path| path.as_os_str().is_empty()) {
        return Err("--html: missing value".to_owned());
    }
    let detector = cli.tuning.detector()?;
    let a = read_input(a, cli.max_bytes)?;
    let b = read_input(b, cli.max_bytes)?;
    let report = detector.compare(&a.text, &b.text);
    if let Some(path) = &cli.html {
        let name = |input: &Input| input.path.to_string_lossy().into_owned();
        let (a_name, b_name) = (name(&a), name(&b));
        let page = html::render(
            &report,
            &html::Side { name: &a_name, text: &a.text },
            &html::Side { name: &b_name, text: &b.text },
            detector.config(),
        );
        std::fs::write(path, page).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if cli.json {
        let json = JsonReport::new(&report, detector.config(), &a, &b);
        print(|out| {
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        })
    } else {
        let style = Style::for_stdout(cli.color, cli.width);
        print(|out| readable::write(out, &report, &a, &b, &style))
    }
}

/// Reads a file (at most `max_bytes`) and checks that it is text; the
/// error names the file (and, for a file too large, the option).
fn read_input(path: PathBuf, max_bytes: u64) -> Result<Input, String> {
    let text = neardup::text::read_file(&path, max_bytes).map_err(|e| match &e {
        neardup::Error::File { error, .. } if matches!(**error, neardup::Error::TooLarge { .. }) => {
            format!("{e}; see --max-bytes")
        }
        _ => e.to_string(),
    })?;
    let lines = Lines::new(&text);
    Ok(Input { path, text, lines })
}

/// Writes to stdout; a closed pipe (`compare ... | head`) is not an error.
fn print(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|e| format!("cannot write the report: {e}")),
    }
}

// ---------------------------------------------------------------------------
// `--json`: the records serde_json writes, in the order of their fields

#[derive(Serialize)]
struct JsonReport<'a> {
    a: JsonFile,
    b: JsonFile,
    config: JsonConfig,
    passages: Vec<JsonPassage<'a>>,
    a_coverage: f64,
    b_coverage: f64,
}

#[derive(Serialize)]
struct JsonFile {
    /// The path as given (bytes that are not UTF-8 replaced by U+FFFD).
    path: String,
    bytes: usize,
    words: usize,
    covered_words: usize,
}

/// The settings the report was made with.
#[derive(Serialize)]
struct JsonConfig {
    shingle_size: usize,
    num_hashes: usize,
    threshold: f64,
    min_words: usize,
    max_gap: usize,
    seed: u64,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    a: JsonSpan,
    b: JsonSpan,
    /// `exact`, `edited` or `rewritten`.
    kind: &'static str,
    similarity: f64,
    bag_similarity: f64,
    containment_a: f64,
    containment_b: f64,
    matched_words: usize,
    /// The passage's text in A, exactly as in the file.
    a_text: &'a str,
    b_text: &'a str,
}

/// A passage in one file: byte offsets (half-open) and 1-based lines.
#[derive(Serialize)]
struct JsonSpan {
    start: usize,
    end: usize,
    line_start: usize,
    line_end: usize,
}

impl<'a> JsonReport<'a> {
    fn new(report: &Report, config: &Config, a: &'a Input, b: &'a Input) -> JsonReport<'a> {
        let file = |input: &Input, words, covered_words| JsonFile {
            path: input.path.to_string_lossy().into_owned(),
            bytes: input.text.len(),
            words,
            covered_words,
        };
        JsonReport {
            a: file(a, report.a_words, report.a_covered_words),
            b: file(b, report.b_words, report.b_covered_words),
            config: JsonConfig {
                shingle_size: config.shingle_size,
                num_hashes: config.num_hashes,
                threshold: config.threshold,
                min_words: config.min_words,
                max_gap: config.max_gap,
                seed: config.seed,
            },
            passages: report.passages.iter().map(|p| JsonPassage::new(p, a, b)).collect(),
            a_coverage: report.a_coverage(),
            b_coverage: report.b_coverage(),
        }
    }
}

impl<'a> JsonPassage<'a> {
    fn new(p: &Passage, a: &'a Input, b: &'a Input) -> JsonPassage<'a> {
        let span = |input: &Input, span: Span| {
            let (line_start, line_end) = input.lines.of(span);
            JsonSpan { start: span.start, end: span.end, line_start, line_end }
        };
        JsonPassage {
            a: span(a, p.a),
            b: span(b, p.b),
            kind: p.kind.as_str(),
            similarity: p.similarity,
            bag_similarity: p.bag_similarity,
            containment_a: p.containment_a,
            containment_b: p.containment_b,
            matched_words: p.matched_words,
            a_text: &a.text[p.a],
            b_text: &b.text[p.b],
        }
    }
}
