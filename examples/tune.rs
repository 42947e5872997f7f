//! Choose the LSH parameters: what a threshold and a number of hash values
//! give in bands and rows, error rates and index memory.
//!
//! ```text
//! cargo run --example tune -- --threshold 0.6 --hashes 128
//! cargo run --example tune -- --threshold 0.6 --hashes 128 --svg curve.svg
//! cargo run --example tune --features serde -- --threshold 0.6 --json
//! cargo run --example tune -- --words 200000000 --articles 1000000
//! ```
//!
//! Prints the bands and rows chosen, the S-curve as a table, the expected
//! false-positive and false-negative rates at the threshold, the index
//! memory per unit and how many changed words a sentence survives (see
//! `neardup::advisor` for the definitions). `--svg FILE` also writes the
//! S-curve as an SVG image. `--words N` (with `--articles N` and
//! `--texts-in-memory`) also prints the expected size of an index of a
//! corpus of N words, by part (`neardup::advisor::IndexSize`: the run
//! table, boilerplate statistics, articles, band tables, texts). `--json` prints the `Advice` as JSON through
//! serde, so it needs the `serde` feature; without it, `--json` fails with a
//! message that says so (the text report needs no feature at all).
//!
//! Exit status: 0 on success, 2 on a bad option or value, or a file that
//! cannot be written, with one line on stderr.
//!
//! One file: copy it and depend on `neardup` (feature `serde` for
//! `--json`), `clap` (feature `derive`) and `serde_json`. In code,
//! `neardup::advisor::advise` gives the same `Advice`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use neardup::Config;
use neardup::advisor::{Advice, IndexSize, advise_config};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(io::stderr(), "tune: {message}");
            ExitCode::from(2)
        }
    }
}

/// Show what LSH parameters a threshold gives: bands and rows, the S-curve,
/// error rates and index memory.
#[derive(Parser)]
#[command(
    name = "tune",
    after_help = "\
Options take their value as `--opt V` or `--opt=V`.
Exit status: 0 on success, 2 on a bad option or value or an unwritable file."
)]
struct Cli {
    #[arg(long, value_name = "F", allow_hyphen_values = true,
          help = default("similarity at which two units are candidates, in (0, 1]", Config::default().threshold))]
    threshold: Option<f64>,
    #[arg(long, visible_alias = "num-hashes", value_name = "N", allow_hyphen_values = true,
          help = default("MinHash values per signature", Config::default().num_hashes))]
    hashes: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("words per shingle, for the changed-words table", Config::default().shingle_size))]
    shingle_size: Option<usize>,
    /// explicit bands and rows instead of the ones chosen for the threshold
    #[arg(long, value_name = "B,R", value_parser = parse_bands_rows, allow_hyphen_values = true)]
    bands_rows: Option<(usize, usize)>,
    /// also write the S-curve as an SVG image to FILE
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    svg: Option<PathBuf>,
    /// print the advice as JSON (needs the serde feature)
    #[arg(long)]
    json: bool,
    /// also print the expected index size for a corpus of N words
    #[arg(long, value_name = "N")]
    words: Option<u64>,
    /// articles in that corpus (default: one per 200 words)
    #[arg(long, value_name = "N", requires = "words")]
    articles: Option<u64>,
    /// with --words: the texts kept in memory, not on disk
    #[arg(long, requires = "words")]
    texts_in_memory: bool,
}

/// An option's help line with its default.
fn default(what: &str, value: impl std::fmt::Display) -> String {
    format!("{what} (default {value})")
}

impl Cli {
    /// The configuration to advise on: the defaults, with the options given.
    fn config(&self) -> Config {
        let mut config = Config::default();
        config.threshold = self.threshold.unwrap_or(config.threshold);
        config.num_hashes = self.hashes.unwrap_or(config.num_hashes);
        config.shingle_size = self.shingle_size.unwrap_or(config.shingle_size);
        // min_words must be at least the shingle size; it does not change
        // the advice.
        config.min_words = config.min_words.max(config.shingle_size);
        config.bands_rows = self.bands_rows;
        config
    }
}

/// `--bands-rows B,R`.
fn parse_bands_rows(value: &str) -> Result<(usize, usize), String> {
    let (b, r) = value.split_once(',').ok_or("expected BANDS,ROWS")?;
    let number = |s: &str| s.trim().parse::<usize>().map_err(|e| format!("{s:?}: {e}"));
    Ok((number(b)?, number(r)?))
}

/// A command-line error from clap as one line that names the option,
/// `--option: what is wrong` (clap's own message spans several lines).
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.as_str(),
        _ => "",
    };
    // clap calls an option by its value's name too: `--svg <FILE>`.
    let option = context(ContextKind::InvalidArg).split(' ').next().unwrap_or_default();
    let value = context(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument if option.starts_with('-') => format!("{option}: unknown option (see --help)"),
        ErrorKind::UnknownArgument => format!("{option}: unexpected argument (see --help)"),
        ErrorKind::TooManyValues => format!("{option}: takes no value"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{option}: missing value"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map_or_else(|| "not valid".to_owned(), |s| s.to_string());
            format!("{option}: invalid value {value:?}: {why}")
        }
        _ => e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned(),
    }
}

fn run() -> Result<(), String> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => return print(|out| write!(out, "{e}")),
        Err(e) => return Err(usage_error(&e)),
    };
    let advice = advise_config(&cli.config()).map_err(|e| match &e {
        neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", option_name(name)),
        _ => e.to_string(),
    })?;
    let mut text = if cli.json { json(&advice)? } else { advice.to_string() };
    if let Some(words) = cli.words {
        let articles = cli.articles.unwrap_or(words.div_ceil(200));
        let size = IndexSize::estimate(&cli.config(), words, articles, cli.texts_in_memory);
        let mb = |n: u64| n as f64 / 1e6;
        text.push_str(&format!(
            "\nexpected index size for {words} words in {articles} articles: {:.0} MB \
             (run table {:.0} MB, boilerplate statistics {:.0} MB, articles {:.0} MB, band tables {:.0} MB, \
             texts {})\n",
            mb(size.total()),
            mb(size.run_table),
            mb(size.boilerplate),
            mb(size.articles),
            mb(size.band_tables),
            if cli.texts_in_memory { format!("{:.0} MB in memory", mb(size.texts)) } else { "on disk".into() },
        ));
    }
    if let Some(path) = &cli.svg {
        std::fs::write(path, advice.to_svg()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print(|out| out.write_all(text.as_bytes()))
}

/// The option that sets a `Config` field.
fn option_name(field: &str) -> &str {
    match field {
        "num_hashes" => "hashes",
        "shingle_size" => "shingle-size",
        "bands_rows" => "bands-rows",
        other => other,
    }
}

#[cfg(feature = "serde")]
fn json(advice: &Advice) -> Result<String, String> {
    serde_json::to_string_pretty(advice).map(|s| s + "\n").map_err(|e| format!("cannot write JSON: {e}"))
}

#[cfg(not(feature = "serde"))]
fn json(_: &Advice) -> Result<String, String> {
    Err("--json needs the serde feature: cargo run --example tune --features serde -- --json ...".to_owned())
}

/// Writes to stdout; a closed pipe (`tune | head`) is not an error.
fn print(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|e| format!("cannot write: {e}")),
    }
}
