//! Choose the LSH parameters: what a threshold and a number of hash values
//! give in bands and rows, error rates and index memory.
//!
//! ```text
//! cargo run --example tune -- --threshold 0.6 --hashes 128
//! cargo run --example tune -- --threshold 0.6 --hashes 128 --svg curve.svg
//! cargo run --example tune --features serde -- --threshold 0.6 --json
//! ```
//!
//! Prints the bands and rows chosen, the S-curve as a table, the expected
//! false-positive and false-negative rates at the threshold, the index
//! memory per unit and how many changed words a sentence survives (see
//! `neardup::advisor` for the definitions). `--svg FILE` also writes the
//! S-curve as an SVG image. `--json` prints the `Advice` as JSON through
//! serde, so it needs the `serde` feature; without it, `--json` fails with a
//! message that says so (the text report needs no feature at all).
//!
//! Exit status: 0 on success, 2 on a bad option or value, or a file that
//! cannot be written, with one line on stderr.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use neardup::Config;
use neardup::advisor::{Advice, advise_config};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(io::stderr(), "tune: {message}");
            ExitCode::from(2)
        }
    }
}

/// What the command line asks for.
struct Args {
    config: Config,
    svg: Option<PathBuf>,
    json: bool,
}

fn run() -> Result<(), String> {
    let Some(args) = parse_args(std::env::args_os().skip(1))? else {
        return print(|out| out.write_all(usage().as_bytes()));
    };
    let advice = advise_config(&args.config).map_err(|e| match &e {
        neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", option_name(name)),
        _ => e.to_string(),
    })?;
    let text = if args.json { json(&advice)? } else { advice.to_string() };
    if let Some(path) = &args.svg {
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

fn usage() -> String {
    let d = Config::default();
    format!(
        "\
Show what LSH parameters a threshold gives: bands and rows, the S-curve,
error rates and index memory.

Usage: tune [OPTIONS]

Options:
      --threshold F       similarity at which two units are candidates, in (0, 1] (default {})
      --hashes N          MinHash values per signature (default {}); also --num-hashes
      --shingle-size N    words per shingle, for the changed-words table (default {})
      --bands-rows B,R    explicit bands and rows instead of the ones chosen for the threshold
      --svg FILE          also write the S-curve as an SVG image to FILE
      --json              print the advice as JSON (needs the serde feature)
  -h, --help              print this help and exit

Options take their value as `--opt V` or `--opt=V`.
Exit status: 0 on success, 2 on a bad option or value or an unwritable file.
",
        d.threshold, d.num_hashes, d.shingle_size
    )
}

/// Parses the arguments (without the program name); `None` asks for help.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
    let mut args = args.into_iter();
    let mut config = Config::default();
    let mut svg = None;
    let mut json = false;
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(|a| format!("{a:?}: not UTF-8"))?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        match name {
            "-h" | "--help" => return Ok(None),
            "--json" if inline.is_some() => return Err("--json: takes no value".to_owned()),
            "--json" => json = true,
            "--threshold" | "--hashes" | "--num-hashes" | "--shingle-size" | "--bands-rows" | "--svg" => {
                let value = match inline {
                    Some(value) => value,
                    None => args
                        .next()
                        .ok_or_else(|| format!("{name}: missing value"))?
                        .into_string()
                        .map_err(|v| format!("{name}: invalid value {v:?}: not UTF-8"))?,
                };
                match name {
                    "--threshold" => config.threshold = parse(name, &value)?,
                    "--hashes" | "--num-hashes" => config.num_hashes = parse(name, &value)?,
                    "--shingle-size" => {
                        config.shingle_size = parse(name, &value)?;
                        // min_words must be at least the shingle size; it does
                        // not change the advice.
                        config.min_words = config.min_words.max(config.shingle_size);
                    }
                    "--bands-rows" => {
                        let (b, r) = value
                            .split_once(',')
                            .ok_or_else(|| format!("{name}: invalid value {value:?}: expected BANDS,ROWS"))?;
                        config.bands_rows = Some((parse(name, b)?, parse(name, r)?));
                    }
                    _ => svg = Some(PathBuf::from(value)),
                }
            }
            _ if arg.starts_with('-') => return Err(format!("{arg}: unknown option (see --help)")),
            _ => return Err(format!("{arg}: unexpected argument (see --help)")),
        }
    }
    Ok(Some(Args { config, svg, json }))
}

fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e| format!("{name}: invalid value {value:?}: {e}"))
}

/// Writes to stdout; a closed pipe (`tune | head`) is not an error.
fn print(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|e| format!("cannot write: {e}")),
    }
}
