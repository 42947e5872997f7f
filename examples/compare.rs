//! Compare two text files and print the passages they share.
//!
//! ```text
//! cargo run --release --example compare -- [OPTIONS] A.txt B.txt
//! cargo run --release --example compare -- --json --min-words 12 A.txt B.txt
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
//! files exactly as they are on disk. `--html FILE` also writes a
//! self-contained HTML page with the two texts side by side, each passage in
//! its own colour on both sides; hovering or clicking one marks and scrolls
//! to its partner. `--help` lists every option with its default.
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
//! Only `std` is used for the command line and the outputs (this example's
//! JSON is hand-written, so it works without the `serde` feature and keeps
//! its own shape, with line numbers and passage texts), so the example is
//! easy to copy into a program of your own.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use neardup::{Config, Detector, DetectorBuilder, Passage, Report, Span};

#[path = "support/args.rs"]
mod args;
#[path = "support/html.rs"]
mod html;
#[path = "support/input.rs"]
mod input;
#[path = "support/json.rs"]
mod json;
use args::{parse_value, set_common_knob};
use json::{json_number, json_string};

use html::Lines;

/// Width at which passage text is wrapped when stdout is not a terminal
/// (and the default on a terminal that does not say, through `COLUMNS`).
const WIDTH: usize = 100;

/// The narrowest `--width`.
const MIN_WIDTH: usize = 40;

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
    Compare(Box<Args>),
}

/// The options of a comparison.
struct Args {
    json: bool,
    html: Option<PathBuf>,
    color: ColorChoice,
    width: Option<usize>,
    max_bytes: u64,
    builder: DetectorBuilder,
    a: PathBuf,
    b: PathBuf,
}

/// `--color WHEN`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    Always,
    Never,
}

/// How the human-readable report looks.
struct Style {
    color: bool,
    width: usize,
}

impl Style {
    /// The style for stdout: `--color` and `--width` if given, otherwise
    /// what the terminal (if any) and the environment say.
    fn for_stdout(color: ColorChoice, width: Option<usize>) -> Style {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        let columns = || std::env::var("COLUMNS").ok()?.trim().parse::<usize>().ok().filter(|&c| c >= MIN_WIDTH);
        let width = width.or_else(|| if terminal { columns() } else { None }).unwrap_or(WIDTH);
        Style { color, width }
    }

    /// `s` in the SGR style `code` (e.g. `"1"` bold, `"2"` dim, `"1;31"`
    /// bold red) when colour is on.
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
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
    let a = read_input(args.a, args.max_bytes)?;
    let b = read_input(args.b, args.max_bytes)?;
    let report = detector.compare(&a.text, &b.text);
    if let Some(path) = &args.html {
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
    if args.json {
        print(|out| write_json(out, &report, detector.config(), &a, &b))
    } else {
        let style = Style::for_stdout(args.color, args.width);
        print(|out| write_human(out, &report, &a, &b, &style))
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
      --html FILE         also write the two texts side by side, passages highlighted, as HTML
      --color WHEN        colour the readable report: auto, always or never (default auto:
                          on a terminal, unless NO_COLOR is set)
      --width N           wrap the readable report at N columns, at least {MIN_WIDTH} (default: the
                          terminal's COLUMNS, else {WIDTH})
{MAX_BYTES_HELP}
      --shingle-size N    words per shingle (default {})
      --num-hashes N      MinHash values per signature (default {})
      --threshold F       similarity at which two sentences are candidates, in (0, 1] (default {})
      --min-words N       fewest shared words a reported passage must have (default {})
      --max-gap N         most unmatched words bridged inside one passage (default {})
      --seed N            seed of every hash (default {})
  -h, --help              print this help and exit

Options take their value as `--opt N` or `--opt=N`; `--` ends the options.
A and B are UTF-8 text files (any file: a pipe or a device is read up to
--max-bytes too); a binary or UTF-16 file is refused after its first 8 KiB.
Exit status: 0 on success, 2 on a bad option, an unreadable or non-text file, a
file larger than --max-bytes or an unwritable HTML file.
",
        d.shingle_size,
        d.num_hashes,
        d.threshold,
        d.min_words,
        d.max_gap,
        d.seed,
        MAX_BYTES_HELP = input::MAX_BYTES_HELP,
    )
}

/// Parses the arguments (without the program name).
///
/// `args_os` rather than `args`, so that a file name that is not UTF-8 is
/// still a file name instead of a panic.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut json = false;
    let mut html = None;
    let mut color = ColorChoice::Auto;
    let mut width = None;
    let mut max_bytes = neardup::text::DEFAULT_MAX_BYTES;
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
            "--html" => {
                // A path: taken as it is, UTF-8 or not.
                let value = match inline_value {
                    Some(value) => OsString::from(value),
                    None => args.next().ok_or_else(|| format!("{name}: missing value"))?,
                };
                if value.is_empty() {
                    return Err(format!("{name}: missing value"));
                }
                html = Some(PathBuf::from(value));
            }
            "--color" | "--width" | "--max-bytes" | "--shingle-size" | "--num-hashes" | "--threshold"
            | "--min-words" | "--max-gap" | "--seed" => {
                let value = match inline_value {
                    Some(value) => value,
                    None => args
                        .next()
                        .ok_or_else(|| format!("{name}: missing value"))?
                        .into_string()
                        .map_err(|v| format!("{name}: invalid value {v:?}: not UTF-8"))?,
                };
                match name {
                    "--color" => {
                        color = match value.as_str() {
                            "auto" => ColorChoice::Auto,
                            "always" => ColorChoice::Always,
                            "never" => ColorChoice::Never,
                            _ => {
                                return Err(format!("{name}: invalid value {value:?}: expected auto, always or never"));
                            }
                        }
                    }
                    "--width" => {
                        let n: usize = parse_value(name, &value)?;
                        if n < MIN_WIDTH {
                            return Err(format!("{name}: invalid value {value:?}: must be at least {MIN_WIDTH}"));
                        }
                        width = Some(n);
                    }
                    "--max-bytes" => max_bytes = input::parse_size(name, &value)?,
                    _ => set_knob(&mut builder, name, &value)?,
                }
            }
            _ => return Err(format!("{option}: unknown option (see --help)")),
        }
    }
    let [a, b]: [PathBuf; 2] = paths
        .try_into()
        .map_err(|paths: Vec<PathBuf>| format!("expected two files, A and B, got {} (see --help)", paths.len()))?;
    Ok(Command::Compare(Box::new(Args { json, html, color, width, max_bytes, builder, a, b })))
}

/// Sets one tuning option; the range is checked later by `build()`.
fn set_knob(builder: &mut DetectorBuilder, name: &str, value: &str) -> Result<(), String> {
    if set_common_knob(builder, name, value)? { Ok(()) } else { Err(format!("{name}: unknown option (see --help)")) }
}

/// Reads a file (at most `max_bytes`) and checks that it is text; the
/// error names the file.
fn read_input(path: PathBuf, max_bytes: u64) -> Result<Input, String> {
    let text = neardup::text::read_file(&path, max_bytes).map_err(|e| input::read_error(&e))?;
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

fn write_human(out: &mut dyn Write, report: &Report, a: &Input, b: &Input, style: &Style) -> io::Result<()> {
    for (i, p) in report.passages.iter().enumerate() {
        writeln!(out, "{}", style.paint("1", &format!("Passage {}", i + 1)))?;
        for (name, input, span, code) in [("A", a, p.a, "36"), ("B", b, p.b, "35")] {
            let (first, last) = input.lines.of(span);
            writeln!(out, "  {} lines {first}-{last}, bytes {span}", style.paint(code, name))?;
        }
        writeln!(
            out,
            "  similarity {:.3}, containment {:.3} of A in B, {:.3} of B in A, {} shared words",
            p.similarity, p.containment_a, p.containment_b, p.matched_words
        )?;
        let (a_text, b_text) = (&a.text[p.a], &b.text[p.b]);
        let (a_line, b_line) = (a.lines.line(p.a.start), b.lines.line(p.b.start));
        if a_text == b_text {
            writeln!(out, "  text (the same in A and B):")?;
            write_block(out, a_text, &[a_line, b_line], None, style)?;
        } else {
            let (a_only, b_only) = html::word_diff(a_text, b_text);
            writeln!(out, "  A text:")?;
            write_block(out, a_text, &[a_line], Some((&a_only, "1;31")), style)?;
            writeln!(out, "  B text:")?;
            write_block(out, b_text, &[b_line], Some((&b_only, "1;32")), style)?;
        }
        writeln!(out)?;
    }
    let count = report.passages.len();
    let summary = format!(
        "{count} passage{}; passages cover {:.1}% of A ({} of {} words) and {:.1}% of B ({} of {} words)",
        if count == 1 { "" } else { "s" },
        100.0 * report.a_coverage(),
        report.a_covered_words,
        report.a_words,
        100.0 * report.b_coverage(),
        report.b_covered_words,
        report.b_words,
    );
    writeln!(out, "{}", style.paint("1", &summary))
}

/// Columns a character takes in a terminal: 0 for combining marks and
/// zero-width characters, 2 for East Asian wide ones, else 1 (close enough
/// for wrapping; no table of every code point).
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cuts a word wider than `room` columns into pieces that fit.
fn pieces(word: &str, room: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, c) in word.char_indices() {
        let w = char_width(c);
        if used + w > room && i > start {
            out.push(&word[start..i]);
            (start, used) = (i, 0);
        }
        used += w;
    }
    out.push(&word[start..]);
    out
}

/// Writes a passage's text under a gutter of line numbers (one column per
/// entry of `first_lines`: the line of the passage's first byte in each
/// file), wrapped at the style's width. Line breaks are kept, a run of blank
/// lines becomes one; a word wider than the room left is cut. `changed`
/// marks, per word (in `split_whitespace` order), the words to paint with
/// the given SGR code.
fn write_block(
    out: &mut dyn Write,
    text: &str,
    first_lines: &[usize],
    changed: Option<(&[bool], &str)>,
    style: &Style,
) -> io::Result<()> {
    const INDENT: &str = "    ";
    let lines: Vec<&str> = text.split("\r\n").flat_map(|l| l.split(['\n', '\r'])).collect();
    let digits: Vec<usize> = first_lines.iter().map(|&f| (f + lines.len()).to_string().len()).collect();
    let gutter_width = digits.iter().sum::<usize>() + digits.len() - 1;
    let blank_gutter = format!("{INDENT}{} │", " ".repeat(gutter_width));
    let room = style.width.saturating_sub(blank_gutter.len() - "│".len() + 2).max(MIN_WIDTH / 2);
    let mut word_index = 0;
    let mut blank_before = false;
    for (n, line) in lines.iter().enumerate() {
        let blank = line.trim().is_empty();
        if blank && blank_before {
            continue;
        }
        blank_before = blank;
        let numbers: Vec<String> =
            first_lines.iter().zip(&digits).map(|(&first, &d)| format!("{:>d$}", first + n)).collect();
        let gutter = style.paint("2", &format!("{INDENT}{} │", numbers.join(" ")));
        let continuation = style.paint("2", &blank_gutter);
        write!(out, "{gutter}")?;
        let mut column = 0;
        for word in line.split_whitespace() {
            let paint = changed.filter(|(marks, _)| marks.get(word_index) == Some(&true)).map(|(_, code)| code);
            word_index += 1;
            for piece in pieces(word, room) {
                let w = text_width(piece);
                if column > 0 && column + 1 + w > room {
                    write!(out, "\n{continuation}")?;
                    column = 0;
                }
                let shown = match paint {
                    Some(code) => style.paint(code, piece),
                    None => piece.to_owned(),
                };
                write!(out, " {shown}")?;
                column += if column == 0 { w } else { 1 + w };
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, report: &Report, config: &Config, a: &Input, b: &Input) -> io::Result<()> {
    writeln!(out, "{{")?;
    for (name, input, words, shared) in
        [("a", a, report.a_words, report.a_covered_words), ("b", b, report.b_words, report.b_covered_words)]
    {
        writeln!(
            out,
            "  \"{name}\": {{\"path\": {}, \"bytes\": {}, \"words\": {words}, \"covered_words\": {shared}}},",
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
         \"matched_words\": {}, \"a_text\": {}, \"b_text\": {}}}",
        span(a, p.a),
        span(b, p.b),
        json_number(p.similarity),
        json_number(p.containment_a),
        json_number(p.containment_b),
        p.matched_words,
        json_string(&a.text[p.a]),
        json_string(&b.text[p.b]),
    )
}
