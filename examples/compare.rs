//! Compare two text files and print the passages they share.
//!
//! ```text
//! cargo run --release --example compare -- [OPTIONS] A.txt B.txt
//! cargo run --release --example compare -- --json --min-words 12 A.txt B.txt
//! ```
//!
//! For every shared passage the report gives its place in both files (lines
//! and byte offsets), its scores and its text, then how much of each file is
//! reused from the other. `--json` prints the same as one JSON object, with
//! byte offsets into the files exactly as they are on disk. `--help` lists
//! every tuning option with its default.
//!
//! Exit status: 0 on success (also when the files share nothing), 2 when an
//! option or a file is bad — a missing file, a directory, bytes that are not
//! UTF-8 text — with one line on stderr that names the culprit.
//!
//! Only `std` is used for the command line, so the example is easy to copy
//! into a program of your own.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use neardup::{Config, Detector, DetectorBuilder, Passage, Report, Span};

/// Width at which passage text is wrapped in the human-readable report.
const WIDTH: usize = 100;

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

/// What the command line asks for.
enum Command {
    Help,
    Compare(Args),
}

/// The options of a comparison.
struct Args {
    json: bool,
    builder: DetectorBuilder,
    a: PathBuf,
    b: PathBuf,
}

/// One input file: its name, its text and where its lines start.
struct Input {
    path: PathBuf,
    text: String,
    lines: Lines,
}

fn run() -> Result<(), String> {
    let args = match parse_args(std::env::args_os().skip(1))? {
        Command::Help => return print(|out| out.write_all(usage().as_bytes())),
        Command::Compare(args) => args,
    };
    let detector = args.builder.build().map_err(|e| match &e {
        // Name the command-line option, not the `Config` field.
        neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", name.replace('_', "-")),
        _ => e.to_string(),
    })?;
    let a = read_input(args.a)?;
    let b = read_input(args.b)?;
    let report = detector.compare(&a.text, &b.text);
    if args.json {
        print(|out| write_json(out, &report, detector.config(), &a, &b))
    } else {
        print(|out| write_human(out, &report, &a, &b))
    }
}

/// The `--help` text; defaults come from [`Config::default`].
fn usage() -> String {
    let d = Config::default();
    format!(
        "\
Find the passages two texts share.

Usage: compare [OPTIONS] A.txt B.txt

Options:
      --json              print one JSON object instead of a readable report
      --shingle-size N    words per shingle (default {})
      --num-hashes N      MinHash values per signature (default {})
      --threshold F       similarity at which two sentences are candidates, in (0, 1] (default {})
      --min-words N       fewest shared words a reported passage must have (default {})
      --max-gap N         most unmatched words bridged inside one passage (default {})
      --seed N            seed of every hash (default {})
  -h, --help              print this help and exit

Options take their value as `--opt N` or `--opt=N`; `--` ends the options.
Exit status: 0 on success, 2 on a bad option or an unreadable or non-text file.
",
        d.shingle_size, d.num_hashes, d.threshold, d.min_words, d.max_gap, d.seed
    )
}

/// Parses the arguments (without the program name).
///
/// `args_os` rather than `args`, so that a file name that is not UTF-8 is
/// still a file name instead of a panic.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut json = false;
    let mut builder = Detector::builder();
    let mut paths = Vec::new();
    let mut options_ended = false;
    while let Some(arg) = args.next() {
        let option = arg.to_str().filter(|s| !options_ended && s.starts_with('-') && *s != "-");
        let Some(option) = option else {
            paths.push(PathBuf::from(arg));
            continue;
        };
        let (name, inline_value) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (option, None),
        };
        match name {
            "--" => options_ended = true,
            "-h" | "--help" => return Ok(Command::Help),
            "--json" if inline_value.is_some() => return Err(format!("{name}: takes no value")),
            "--json" => json = true,
            "--shingle-size" | "--num-hashes" | "--threshold" | "--min-words" | "--max-gap" | "--seed" => {
                let value = match inline_value {
                    Some(value) => value,
                    None => args
                        .next()
                        .ok_or_else(|| format!("{name}: missing value"))?
                        .into_string()
                        .map_err(|v| format!("{name}: invalid value {v:?}: not UTF-8"))?,
                };
                set_knob(&mut builder, name, &value)?;
            }
            _ => return Err(format!("{option}: unknown option (see --help)")),
        }
    }
    let [a, b]: [PathBuf; 2] = paths
        .try_into()
        .map_err(|paths: Vec<PathBuf>| format!("expected two files, A and B, got {} (see --help)", paths.len()))?;
    Ok(Command::Compare(Args { json, builder, a, b }))
}

/// Sets one tuning option; the range is checked later by `build()`.
fn set_knob(builder: &mut DetectorBuilder, name: &str, value: &str) -> Result<(), String> {
    match name {
        "--shingle-size" => builder.shingle_size(parse_value(name, value)?),
        "--num-hashes" => builder.num_hashes(parse_value(name, value)?),
        "--threshold" => builder.threshold(parse_value(name, value)?),
        "--min-words" => builder.min_words(parse_value(name, value)?),
        "--max-gap" => builder.max_gap(parse_value(name, value)?),
        "--seed" => builder.seed(parse_value(name, value)?),
        _ => return Err(format!("{name}: unknown option (see --help)")),
    };
    Ok(())
}

fn parse_value<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| format!("{name}: invalid value {value:?}: {e}"))
}

/// Reads a file and checks that it is text.
fn read_input(path: PathBuf) -> Result<Input, String> {
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = neardup::text::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?.to_owned();
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

/// 1-based line numbers of byte offsets. A line ends at `\n`, `\r\n` or a
/// lone `\r`.
struct Lines {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            if byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    /// The line holding the byte at `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// The first and last line of a span.
    fn of(&self, span: Span) -> (usize, usize) {
        let first = self.line(span.start);
        let last = if span.is_empty() { first } else { self.line(span.end - 1) };
        (first, last)
    }
}

fn write_human(out: &mut dyn Write, report: &Report, a: &Input, b: &Input) -> io::Result<()> {
    for (i, p) in report.passages.iter().enumerate() {
        writeln!(out, "Passage {}", i + 1)?;
        for (name, input, span) in [("A", a, p.a), ("B", b, p.b)] {
            let (first, last) = input.lines.of(span);
            writeln!(out, "  {name} lines {first}-{last}, bytes {span}")?;
        }
        writeln!(
            out,
            "  similarity {:.3}, containment {:.3} of A in B, {:.3} of B in A, {} shared words",
            p.similarity, p.containment_a, p.containment_b, p.shared_words
        )?;
        let (a_text, b_text) = (&a.text[p.a], &b.text[p.b]);
        if a_text == b_text {
            writeln!(out, "  text (the same in A and B):")?;
            write_wrapped(out, a_text, "    ")?;
        } else {
            writeln!(out, "  A text:")?;
            write_wrapped(out, a_text, "    ")?;
            writeln!(out, "  B text:")?;
            write_wrapped(out, b_text, "    ")?;
        }
        writeln!(out)?;
    }
    let count = report.passages.len();
    writeln!(
        out,
        "{count} passage{}; {:.1}% of A ({}/{} words) is in B, {:.1}% of B ({}/{} words) is in A",
        if count == 1 { "" } else { "s" },
        100.0 * report.a_coverage(),
        report.a_shared_words,
        report.a_words,
        100.0 * report.b_coverage(),
        report.b_shared_words,
        report.b_words,
    )
}

/// Writes `text` indented and wrapped at [`WIDTH`] columns, keeping its
/// line breaks (a run of blank lines becomes one).
fn write_wrapped(out: &mut dyn Write, text: &str, indent: &str) -> io::Result<()> {
    let text = text.replace("\r\n", "\n");
    let mut blank_before = false;
    for line in text.split(['\n', '\r']) {
        let blank = line.trim().is_empty();
        if blank && blank_before {
            continue;
        }
        blank_before = blank;
        let mut column = 0;
        for word in line.split_whitespace() {
            let len = word.chars().count();
            if column > 0 && column + 1 + len > WIDTH {
                writeln!(out)?;
                column = 0;
            }
            if column == 0 {
                write!(out, "{indent}{word}")?;
                column = indent.len() + len;
            } else {
                write!(out, " {word}")?;
                column += 1 + len;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, report: &Report, config: &Config, a: &Input, b: &Input) -> io::Result<()> {
    writeln!(out, "{{")?;
    for (name, input, words, shared) in
        [("a", a, report.a_words, report.a_shared_words), ("b", b, report.b_words, report.b_shared_words)]
    {
        writeln!(
            out,
            "  \"{name}\": {{\"path\": {}, \"bytes\": {}, \"words\": {words}, \"shared_words\": {shared}}},",
            json_string(&input.path.to_string_lossy()),
            input.text.len(),
        )?;
    }
    writeln!(
        out,
        "  \"config\": {{\"shingle_size\": {}, \"num_hashes\": {}, \"threshold\": {}, \"min_words\": {}, \
         \"max_gap\": {}, \"seed\": {}}},",
        config.shingle_size,
        config.num_hashes,
        json_number(config.threshold),
        config.min_words,
        config.max_gap,
        config.seed,
    )?;
    write!(out, "  \"passages\": [")?;
    for (i, p) in report.passages.iter().enumerate() {
        write!(out, "{}\n    {}", if i == 0 { "" } else { "," }, json_passage(p, a, b))?;
    }
    if !report.passages.is_empty() {
        write!(out, "\n  ")?;
    }
    writeln!(out, "],")?;
    writeln!(out, "  \"a_coverage\": {},", json_number(report.a_coverage()))?;
    writeln!(out, "  \"b_coverage\": {}", json_number(report.b_coverage()))?;
    writeln!(out, "}}")
}

fn json_passage(p: &Passage, a: &Input, b: &Input) -> String {
    let span = |input: &Input, span: Span| {
        let (first, last) = input.lines.of(span);
        format!("{{\"start\": {}, \"end\": {}, \"line_start\": {first}, \"line_end\": {last}}}", span.start, span.end)
    };
    format!(
        "{{\"a\": {}, \"b\": {}, \"similarity\": {}, \"containment_a\": {}, \"containment_b\": {}, \
         \"shared_words\": {}, \"a_text\": {}, \"b_text\": {}}}",
        span(a, p.a),
        span(b, p.b),
        json_number(p.similarity),
        json_number(p.containment_a),
        json_number(p.containment_b),
        p.shared_words,
        json_string(&a.text[p.a]),
        json_string(&b.text[p.b]),
    )
}

/// A JSON string literal: quotes, backslashes and control characters are
/// escaped; everything else is written as UTF-8.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number: the shortest decimal that reads back as `x` (JSON has no
/// NaN or infinity; scores are always finite, `null` is a safety net).
fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { "null".to_owned() }
}
