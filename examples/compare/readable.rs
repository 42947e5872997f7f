//! The readable report of `compare`: one block per passage (where it is
//! in both files, its scores, its text wrapped under a gutter of line
//! numbers), then how much of each file the passages cover. Colour (SGR
//! escapes) on a terminal unless `NO_COLOR` is set, or as `--color` says.

use std::io::{self, IsTerminal, Write};

use neardup::Report;

use crate::Input;
use crate::text::passage_diff;

/// Width at which passage text is wrapped when stdout is not a terminal
/// (and the default on a terminal that does not say, through `COLUMNS`).
pub const WIDTH: usize = 100;

/// The narrowest `--width`.
pub const MIN_WIDTH: usize = 40;

/// `--color WHEN`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    Always,
    Never,
}

/// How the readable report looks.
pub struct Style {
    color: bool,
    width: usize,
}

impl Style {
    /// The style for stdout: `--color` and `--width` if given, otherwise
    /// what the terminal (if any) and the environment say.
    pub fn for_stdout(color: ColorChoice, width: Option<usize>) -> Style {
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

/// Writes the readable report of `a` and `b`.
pub fn write(out: &mut dyn Write, report: &Report, a: &Input, b: &Input, style: &Style) -> io::Result<()> {
    for (i, p) in report.passages.iter().enumerate() {
        writeln!(out, "{}", style.paint("1", &format!("Passage {} ({})", i + 1, p.kind.as_str())))?;
        for (name, input, span, code) in [("A", a, p.a, "36"), ("B", b, p.b, "35")] {
            let (first, last) = input.lines.of(span);
            writeln!(out, "  {} lines {first}-{last}, bytes {span}", style.paint(code, name))?;
        }
        writeln!(
            out,
            "  similarity {:.3} (bag {:.3}), containment {:.3} of A in B, {:.3} of B in A, {} shared words",
            p.similarity, p.bag_similarity, p.containment_a, p.containment_b, p.matched_words
        )?;
        let (a_text, b_text) = (&a.text[p.a], &b.text[p.b]);
        let (a_line, b_line) = (a.lines.line(p.a.start), b.lines.line(p.b.start));
        if a_text == b_text {
            writeln!(out, "  text (the same in A and B):")?;
            write_block(out, a_text, &[a_line, b_line], None, style)?;
        } else {
            let (a_only, b_only) = passage_diff(p.kind, a_text, b_text);
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
