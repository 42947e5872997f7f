//! Find every pair of articles in a corpus that share passages, and the
//! groups of near-duplicate articles.
//!
//! ```text
//! cargo run --release --example corpus -- [OPTIONS] PATH...
//! cargo run --release --example corpus -- archive/ --save archive.ndx > pairs.jsonl
//! cargo run --release --example corpus -- --load archive.ndx --query new/today.txt
//! ```
//!
//! A PATH is
//!
//! * a JSON-lines file (`.jsonl` or `.json`, any case: one
//!   `{"id": .., "text": ..}` object a line, the id a non-empty string or
//!   an integer of 64 bits; blank lines and a UTF-8 byte-order mark at the
//!   start are ignored; a file holding a JSON array or a pretty-printed
//!   object is refused with the `jq` command that converts it);
//! * a directory: every regular file under it, recursively, in sorted
//!   order — JSON-lines files as above, any other file as one text article
//!   (whatever its extension). Names starting with `.` (`.git`,
//!   `.DS_Store`) are not read, and symbolic links are followed to files
//!   but not to directories (no cycles): both are counted in the summary;
//! * `-`, standard input: JSON lines if its first character other than
//!   white space is `{`, otherwise one text article (`./-` is a file
//!   named `-`);
//! * any other file: one text article (a pipe or a device is read too).
//!
//! Text is read with `neardup::text::read_file`: at most `--max-bytes`
//! (default 64 MiB) per article and per JSON line, and the first 8 KiB are
//! checked before the rest is read, so a binary or UTF-16 file or an
//! endless device is skipped at once in bounded memory.
//!
//! An article's ID is its path relative to the directory given, the file
//! path as given (`-` for standard input), or the JSON id (a number is
//! printed as a string of its digits, so `17` and `"17"` are one ID).
//! Bytes of a file name that are not UTF-8 are written `\xNN`. IDs must be
//! unique: two different files that would get one ID (the same name under
//! two directories given) are an error before anything is read; a
//! repeated JSON id, or a file whose ID is already in a loaded index, is
//! reported and skipped.
//!
//! Output, JSON lines on stdout. First one line per group of exact
//! duplicates (the same words in the same sentences after normalisation;
//! see `Index::exact_duplicates`), the representative being the first one
//! read:
//!
//! ```text
//! {"exact_duplicates": [ID, ..], "representative": ID}
//! ```
//!
//! Only the representative takes part in the pairs: a pair with it stands
//! for a pair with every member. Then one line per pair of articles that
//! share at least one passage that is not boilerplate, streamed as the
//! pairs are found, in input order of `a`:
//!
//! ```text
//! {"a": ID, "b": ID, "passages": [{"a": {"start": .., "end": ..}, "b": {..}, "kind": "exact",
//!  "similarity": .., "bag_similarity": .., "containment_a": .., "containment_b": ..,
//!  "matched_words": .., "boilerplate": false}, ..],
//!  "a_coverage": .., "b_coverage": ..}
//! ```
//!
//! Every passage the two articles share is listed, in order, with its kind
//! (`exact`, `edited` or `rewritten`: words reordered, substituted or
//! paraphrased, `--rewritten false` leaves them out); one made of
//! boilerplate (a sentence or paragraph recurring in at least
//! `--boilerplate-contexts` contexts across the corpus) has
//! `"boilerplate": true` and `"articles": N`, the number of articles that
//! hold it, and counts in neither coverage (`--no-boilerplate` leaves such
//! passages out). Boilerplate alone never makes a pair.
//!
//! then one line per group of near-duplicate articles (shared passages cover
//! at least `--min-coverage` of both articles of every pair in the group;
//! see `Index::near_duplicate_groups` for the policy: no chaining; grouped
//! with `neardup::group::group_near_duplicates` from the streamed pairs,
//! exact duplicates added with `Index::with_exact_duplicates`):
//!
//! ```text
//! {"group": [ID, ..], "representative": ID}
//! ```
//!
//! Offsets are byte offsets into the file as read, or into the JSON `text`
//! value (after JSON unescaping). `--query` prints the same pair lines with
//! `a` the query article and `b` an indexed article (and, when `b` has
//! exact duplicates, `"duplicates": [ID, ..]`: the query shares the same
//! words with each), and no groups.
//!
//! A run fingerprint shared by more than `--max-df` articles (text that
//! recurs across the corpus) proposes no pair, and a sentence shared by
//! more than `--max-bucket` articles (with boilerplate detection off, or
//! in as many contexts) fills an LSH bucket past its cap; what the caps
//! cut (fingerprints, buckets, entries, articles that may miss pairs) is
//! printed on stderr as a warning, even with `--quiet`.
//!
//! Stderr: a progress bar when stderr is a terminal, a summary line per
//! phase (unless `--quiet`; with `--load`, also the configuration the index
//! was built with), and one line per skipped input naming the file (and
//! line, for JSON lines). Exit status: 0 when every input was used, 1 when
//! some input was skipped (missing, unreadable, not UTF-8 text, larger than
//! `--max-bytes`, bad JSON line, repeated ID, a directory with nothing to
//! read) and the rest processed, 2 for a usage error, two files with one
//! ID, an index file that cannot be loaded or saved, texts that cannot be
//! written to (or read back from) the text file, or output that cannot be
//! written.
//!
//! The articles' texts are kept on disk, in a file with no name in the
//! temporary directory (`--texts-dir DIR` to choose another, and
//! `--texts-in-memory` to keep them in memory): the index holds in memory
//! only what proposes candidates, and reads each text back when it is
//! verified (`Index::store_texts_on_disk`).
//!
//! Articles are read one at a time and fingerprinted in parallel in batches
//! of at most 1024 (`Index::par_insert_many`), with their ID as the
//! index label: memory is the index, not the inputs. Set
//! `RAYON_NUM_THREADS` to bound the number of threads.
//!
//! # A multi-file program
//!
//! To copy it, copy the directory `examples/corpus/` and depend on
//! `neardup` (feature `rayon`, on by default), `clap` (feature `derive`),
//! `serde` (feature `derive`), `serde_json` and `indicatif`:
//!
//! * `main.rs` — the command line (clap), the index (build, load, save),
//!   all pairs, groups and queries, and the JSON lines (serde records
//!   written by serde_json);
//! * `input.rs` — paths, directories, text files, JSON lines, standard
//!   input, one article at a time;
//! * `status.rs` — stderr: the progress bar (indicatif), summaries,
//!   skipped inputs.
//!
//! For the smallest program that indexes an archive, see
//! `examples/archive.rs`.

mod input;
mod status;

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as _, CommandFactory as _, FromArgMatches as _, Parser};
use neardup::{Config, Detector, Index, Passage, Report};
use serde::Serialize;

use input::{Input, expand, read_articles};
use status::{Clock, Status, Unit};

fn main() -> ExitCode {
    match run() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            // Ignore a failure to write to stderr: there is nowhere left to report it.
            let _ = writeln!(io::stderr(), "corpus: {message}");
            ExitCode::from(2)
        }
    }
}

/// Find the articles of a corpus that share passages, and near-duplicate groups.
#[derive(Parser)]
#[command(
    name = "corpus",
    override_usage = "\
corpus [OPTIONS] PATH...
       corpus [OPTIONS] --load INDEX [PATH...]
       corpus [OPTIONS] (PATH... | --load INDEX) --query QUERY...",
    after_help = "\
PATH: a text file (one article); a .jsonl or .json file of {\"id\": .., \"text\": ..}
lines; a directory (every regular file under it, recursively, sorted: .jsonl and
.json files as JSON lines, any other as text; names starting with '.' are not
read); or - for standard input (JSON lines if it starts with '{', else one text
article with ID -). A file's ID is its path relative to the directory given, or
its path as given; two files with one ID are an error. --max-bytes bounds each
text article and each JSON line. Output: JSON lines on stdout, one per group of
exact duplicates, one per pair of articles sharing a passage, then one per
near-duplicate group.

Options take their value as `--opt V` or `--opt=V`; `--` ends the options.
Set RAYON_NUM_THREADS to bound the number of threads.
Exit status: 0 on success, 1 if some input was skipped (reported on stderr:
missing, not UTF-8 text, larger than --max-bytes, a bad JSON line, a repeated
ID), 2 on a usage error, two files with one ID, an index file that cannot be
loaded or saved, a text file that cannot be written or read back, or output
that cannot be written."
)]
struct Cli {
    /// save the index (with the new articles) to INDEX
    #[arg(long, value_name = "INDEX", allow_hyphen_values = true)]
    save: Option<PathBuf>,
    /// start from the index saved in INDEX (its configuration is used; PATHs
    /// are added to it)
    #[arg(long, value_name = "INDEX", allow_hyphen_values = true)]
    load: Option<PathBuf>,
    /// query these articles against the index, one line per (query, match),
    /// instead of listing all pairs
    #[arg(long, value_name = "QUERY", num_args = 0..)]
    query: Option<Vec<PathBuf>>,
    /// near-duplicates: passages cover at least F of both articles, in (0, 1]
    /// (default 0.8)
    #[arg(long, value_name = "F", value_parser = parse_coverage, default_value = "0.8", hide_default_value = true,
          allow_hyphen_values = true)]
    min_coverage: f64,
    /// do not compute near-duplicate groups
    #[arg(long)]
    no_groups: bool,
    /// leave out the passages made of boilerplate (listed with "boilerplate": true by default)
    #[arg(long)]
    no_boilerplate: bool,
    /// no progress bar or summary on stderr (errors and warnings still)
    #[arg(long)]
    quiet: bool,
    /// keep the texts on disk in DIR, in a file with no name (default: the temporary directory)
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
    texts_dir: Option<PathBuf>,
    /// keep the texts in memory instead of on disk (faster, takes their size in memory)
    #[arg(long, conflicts_with = "texts_dir")]
    texts_in_memory: bool,
    /// largest text article or JSON line read, in bytes, with an optional K, M
    /// or G suffix (x 1024, 1024² or 1024³) (default 64M)
    #[arg(long, value_name = "N", value_parser = parse_size, default_value = "64M", hide_default_value = true,
          allow_hyphen_values = true)]
    max_bytes: u64,
    /// text files, JSON-lines files, directories, or - for standard input
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten, next_help_heading = "Tuning (not with --load)")]
    tuning: Tuning,
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
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("most entries of one LSH bucket examined per sentence", Config::default().max_bucket))]
    max_bucket: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("a sentence in this many contexts is boilerplate, 0 = off",
                         Config::default().boilerplate_contexts))]
    boilerplate_contexts: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("words of the shared runs the index fingerprints", Config::default().anchor_words))]
    anchor_words: Option<usize>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("a run fingerprint shared by more articles proposes no pair", Config::default().max_df))]
    max_df: Option<usize>,
    #[arg(long, value_name = "BOOL", allow_hyphen_values = true,
          help = default("also propose pairs of similar sentences (MinHash LSH): true or false",
                         Config::default().similar_units))]
    similar_units: Option<bool>,
    #[arg(long, value_name = "BOOL", allow_hyphen_values = true,
          help = default("report rewritten passages: true or false", Config::default().rewritten))]
    rewritten: Option<bool>,
    #[arg(long, value_name = "BOOL", allow_hyphen_values = true,
          help = default("with --rewritten, also propose pairs whose sentences are alike as bags of stems: true or false",
                         Config::default().rewritten_candidates))]
    rewritten_candidates: Option<bool>,
    #[arg(long, value_name = "N", allow_hyphen_values = true,
          help = default("characters of a word in its stem, 0 = whole words", Config::default().stem_chars))]
    stem_chars: Option<usize>,
}

/// An option's help line with its default.
fn default(what: &str, value: impl std::fmt::Display) -> String {
    format!("{what} (default {value})")
}

impl Tuning {
    /// The detector these settings ask for, which lists boilerplate
    /// passages (so that a saved index can list them later;
    /// `--no-boilerplate` only leaves them out of the output). An error
    /// names the option.
    fn detector(&self) -> Result<Detector, String> {
        let d = Config::default();
        let mut builder = Detector::builder();
        builder.report_boilerplate(true);
        builder
            .shingle_size(self.shingle_size.unwrap_or(d.shingle_size))
            .num_hashes(self.num_hashes.unwrap_or(d.num_hashes))
            .threshold(self.threshold.unwrap_or(d.threshold))
            .min_words(self.min_words.unwrap_or(d.min_words))
            .max_gap(self.max_gap.unwrap_or(d.max_gap))
            .seed(self.seed.unwrap_or(d.seed))
            .max_bucket(self.max_bucket.unwrap_or(d.max_bucket))
            .boilerplate_contexts(self.boilerplate_contexts.unwrap_or(d.boilerplate_contexts))
            .anchor_words(self.anchor_words.unwrap_or(d.anchor_words))
            .max_df(self.max_df.unwrap_or(d.max_df))
            .similar_units(self.similar_units.unwrap_or(d.similar_units))
            .rewritten(self.rewritten.unwrap_or(d.rewritten))
            .rewritten_candidates(self.rewritten_candidates.unwrap_or(d.rewritten_candidates))
            .stem_chars(self.stem_chars.unwrap_or(d.stem_chars));
        builder.build().map_err(|e| match &e {
            // Name the command-line option, not the `Config` field.
            neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", name.replace('_', "-")),
            _ => e.to_string(),
        })
    }

    /// The first tuning option on the command line (`--seed`), if any.
    fn first_given(matches: &clap::ArgMatches) -> Option<String> {
        let options = Tuning::augment_args(clap::Command::new("tuning"));
        let given =
            options.get_arguments().filter_map(|arg| Some((matches.index_of(arg.get_id().as_str())?, arg.get_long()?)));
        given.min().map(|(_, long)| format!("--{long}"))
    }
}

/// `--min-coverage`: a fraction in (0, 1].
fn parse_coverage(value: &str) -> Result<f64, String> {
    let f: f64 = value.parse().map_err(|e| format!("{e}"))?;
    if !(f > 0.0 && f <= 1.0) {
        return Err("must be in (0, 1]".to_owned());
    }
    Ok(f)
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
    // clap calls an option by its value's name too: `--save <INDEX>`.
    let option = context(ContextKind::InvalidArg).split(' ').next().unwrap_or_default();
    let value = context(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => format!("{option}: unknown option (see --help)"),
        ErrorKind::TooManyValues => format!("{option}: takes no value"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{option}: missing value"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map_or_else(|| "not valid".to_owned(), |s| s.to_string());
            format!("{option}: invalid value {value:?}: {why}")
        }
        _ => e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned(),
    }
}

/// The command line, checked beyond what clap checks.
fn parse_args() -> Result<Option<Cli>, String> {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let mut out = Output::new();
            out.write(e.to_string().as_bytes())?;
            out.finish()?;
            return Ok(None);
        }
        Err(e) => return Err(usage_error(&e)),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| usage_error(&e))?;
    if cli.paths.is_empty() && cli.load.is_none() {
        return Err("no PATH and no --load INDEX: nothing to index (see --help)".to_owned());
    }
    let stdin = cli.paths.iter().chain(cli.query.iter().flatten()).filter(|p| p.as_os_str() == "-").count();
    if stdin > 1 {
        return Err("-: standard input is given more than once".to_owned());
    }
    if cli.query.as_ref().is_some_and(Vec::is_empty) {
        return Err("--query: no QUERY path given".to_owned());
    }
    if let (Some(option), Some(_)) = (Tuning::first_given(&matches), &cli.load) {
        return Err(format!(
            "{option}: tuning options cannot be combined with --load (the index keeps its configuration)"
        ));
    }
    Ok(Some(cli))
}

/// Runs the command; `Ok(n)` with the number of skipped inputs, `Err` for
/// a fatal error (exit status 2).
fn run() -> Result<usize, String> {
    let Some(cli) = parse_args()? else { return Ok(0) };
    let mut status = Status::new(cli.quiet);

    // Texts on disk unless asked otherwise: the index then holds in memory
    // only what proposes candidates.
    let texts_dir = (!cli.texts_in_memory).then(|| cli.texts_dir.clone().unwrap_or_else(std::env::temp_dir));
    let mut index = match &cli.load {
        Some(path) => {
            let clock = Clock::start();
            let index = match &texts_dir {
                Some(dir) => Index::load_with_texts_on_disk(path, dir),
                None => Index::load(path),
            };
            let index = index.map_err(|e| e.to_string())?;
            status.summary(&format!("loaded {} articles from {} in {clock}", index.len(), path.display()));
            status.summary(&format!("configuration of {}: {}", path.display(), describe(&index)));
            index
        }
        None => {
            let mut index = cli.tuning.detector()?.index();
            if let Some(dir) = &texts_dir {
                index.store_texts_on_disk(dir).map_err(|e| format!("--texts-dir: {e}"))?;
            }
            index
        }
    };

    if !cli.paths.is_empty() {
        add_articles(&mut index, &cli.paths, cli.max_bytes, &mut status)?;
    }
    if let Some(path) = &cli.save {
        let clock = Clock::start();
        index.save(path).map_err(|e| format!("--save: {e}"))?;
        status.summary(&format!("saved {} articles to {} in {clock}", index.len(), path.display()));
    }

    let mut out = Output::new();
    match &cli.query {
        Some(queries) => query_articles(&index, queries, &cli, &mut status, &mut out)?,
        None => all_pairs(&index, &cli, &mut status, &mut out)?,
    }
    out.finish()?;
    if index.read_errors() > 0 {
        return Err(format!(
            "{} texts could not be read back from the index's text file in {}: the pairs that needed them are \
             missing (use --texts-in-memory, or another --texts-dir)",
            index.read_errors(),
            texts_dir.map_or_else(String::new, |d| d.display().to_string())
        ));
    }
    Ok(status.skipped)
}

// ---------------------------------------------------------------------------
// The index

/// Most bytes of text fingerprinted in one parallel batch (besides at most
/// 1024 articles).
const BATCH_BYTES: usize = 64 << 20;

/// Inserts the articles of `paths` with fresh ids after the largest one in
/// the index, labelled with their IDs; repeated IDs are skipped. `Err`
/// (before anything is read) when two files would get the same ID.
fn add_articles(index: &mut Index, paths: &[PathBuf], max_bytes: u64, status: &mut Status) -> Result<(), String> {
    let clock = Clock::start();
    let inputs = expand(paths, status)?;
    status.phase("indexing", inputs.iter().map(Input::size).sum(), Unit::Bytes, "articles");
    let mut seen: HashSet<String> = index.ids().map(|id| name(index, id)).collect();
    let mut next = index.ids().max().map_or(0, |id| id + 1);
    let (before, mut added, mut bytes, mut batch_bytes) = (index.len(), 0usize, 0u64, 0usize);
    // Articles are fingerprinted in parallel, a batch at a time (bounded
    // memory); ids are fresh and IDs checked here, so a batch cannot fail.
    let mut batch: Vec<(u64, String, String)> = Vec::new();
    let flush = |index: &mut Index, batch: &mut Vec<(u64, String, String)>, status: &mut Status| {
        let refs: Vec<(u64, &str, &str)> = batch.iter().map(|(id, l, t)| (*id, l.as_str(), t.as_str())).collect();
        if let Err(e) = index.par_insert_many(&refs) {
            status.skip(&format!("a batch of {} articles: {e}", refs.len()));
        }
        batch.clear();
    };
    read_articles(&inputs, max_bytes, status, |article, done, status| {
        if seen.contains(&article.id) {
            status.skip(&format!("{}: article ID {} already used", article.source, json_string(&article.id)));
        } else {
            bytes += article.text.len() as u64;
            batch_bytes += article.text.len();
            seen.insert(article.id.clone());
            batch.push((next, article.id, article.text));
            next += 1;
            added += 1;
            if batch.len() == 1024 || batch_bytes >= BATCH_BYTES {
                flush(index, &mut batch, status);
                batch_bytes = 0;
            }
        }
        status.progress(done, added);
    });
    flush(index, &mut batch, status);
    // Recent insertions wait in hash maps: merged into the sorted tables,
    // the index gives back up to a fifth of its memory before all pairs.
    index.shrink_to_fit();
    let memory = index.memory_usage();
    let mut not_read = Vec::new();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if status.skipped > 0 {
        not_read.push(format!("{} skipped (see above)", plural(status.skipped, "input", "inputs")));
    }
    if status.hidden > 0 {
        let what = plural(status.hidden, "hidden file or directory", "hidden files or directories");
        not_read.push(format!("{what} not read"));
    }
    if status.dir_links > 0 {
        let what = plural(status.dir_links, "link to a directory", "links to directories");
        not_read.push(format!("{what} not followed"));
    }
    let parts = index.memory();
    let mb = |n: usize| n as f64 / 1e6;
    status.summary(&format!(
        "indexed {added} articles ({:.1} MB of text) in {clock}: {:.0} articles/s; \
         index of {} articles uses {:.1} MB ({:.0} bytes/article: run table {:.1} MB, boilerplate {:.1} MB, \
         articles {:.1} MB, texts {:.1} MB; {:.1} MB of texts on disk){}",
        bytes as f64 / 1e6,
        added as f64 / clock.secs(),
        before + added,
        mb(memory),
        memory as f64 / index.len().max(1) as f64,
        mb(parts.run_table),
        mb(parts.boilerplate),
        mb(parts.articles),
        mb(parts.texts),
        parts.texts_on_disk as f64 / 1e6,
        not_read.iter().map(|s| format!("; {s}")).collect::<String>(),
    ));
    Ok(())
}

/// The configuration of a loaded index, one line: the options that would
/// build it, and the settings that have none.
fn describe(index: &Index) -> String {
    let c = index.detector().config();
    let lsh = index.detector().lsh();
    format!(
        "--shingle-size {} --num-hashes {} --threshold {} --min-words {} --max-gap {} --seed {} --max-bucket {} \
         --boilerplate-contexts {} --anchor-words {} --max-df {} --similar-units {} --rewritten {} \
         --rewritten-candidates {} --stem-chars {} \
         (LSH {} bands x {} rows{}, unit {:?}, boilerplate {})",
        c.shingle_size,
        c.num_hashes,
        c.threshold,
        c.min_words,
        c.max_gap,
        c.seed,
        c.max_bucket,
        c.boilerplate_contexts,
        c.anchor_words,
        c.max_df,
        c.similar_units,
        c.rewritten,
        c.rewritten_candidates,
        c.stem_chars,
        lsh.bands,
        lsh.rows,
        if c.bands_rows.is_some() { " set explicitly" } else { "" },
        c.unit,
        if c.report_boilerplate { "listed" } else { "not listed" },
    )
}

/// The printed ID of an indexed article: its label, or its number if the
/// label is empty (an index built by another program).
fn name(index: &Index, id: u64) -> String {
    match index.label(id) {
        Some(label) if !label.is_empty() => label.to_owned(),
        _ => id.to_string(),
    }
}

// ---------------------------------------------------------------------------
// All pairs, groups, queries

fn all_pairs(index: &Index, cli: &Cli, status: &mut Status, out: &mut Output) -> Result<(), String> {
    let clock = Clock::start();
    let ids: Vec<u64> = index.ids().collect();
    let duplicates = index.exact_duplicates();
    for group in &duplicates {
        if !out.line(&GroupLine::new(index, group, true))? {
            return Ok(());
        }
    }
    let (mut pairs, mut edges) = (0usize, Vec::new());
    let all = index.par_pairs();
    let cut = all.saturation();
    if cut.fingerprints > 0 {
        status.warn(&format!(
            "warning: {} run fingerprints{} were shared by more than --max-df {} articles ({} entries): they \
             proposed no pair, so pairs that share only such recurring runs are missing (raise --max-df to \
             find them)",
            cut.fingerprints,
            if index.detector().config().bag_candidates() { " (or keys of rewritten candidates)" } else { "" },
            index.detector().config().max_df,
            cut.fingerprint_entries
        ));
    }
    if cut.buckets > 0 {
        status.warn(&format!(
            "warning: {} LSH buckets held more than --max-bucket {} articles; {} entries past the cap were not \
             compared, so pairs of {} articles may be missing (raise --max-bucket, or keep boilerplate detection on)",
            cut.buckets,
            index.detector().config().max_bucket,
            cut.entries,
            cut.articles
        ));
    }
    status.phase("all pairs", ids.len() as u64, Unit::Articles, "pairs");
    for pair in all {
        pairs += 1;
        if !cli.no_groups && pair.is_near_duplicate(cli.min_coverage) {
            edges.push((pair.a, pair.b));
        }
        let line = PairLine::new(name(index, pair.a), name(index, pair.b), &pair.report, !cli.no_boilerplate);
        if !out.line(&line)? {
            return Ok(());
        }
        status.progress(ids.partition_point(|&id| id < pair.a) as u64, pairs);
    }
    let groups = if cli.no_groups {
        Vec::new()
    } else {
        index.with_exact_duplicates(neardup::group::group_near_duplicates(edges))
    };
    for group in &groups {
        if !out.line(&GroupLine::new(index, group, false))? {
            return Ok(());
        }
    }
    status.summary(&format!(
        "{pairs} pairs{}{} among {} articles in {clock}: {:.0} articles/s",
        if duplicates.is_empty() {
            String::new()
        } else {
            let copies: usize = duplicates.iter().map(|g| g.members.len() - 1).sum();
            format!(", {} groups of exact duplicates ({copies} copies not paired again)", duplicates.len())
        },
        if cli.no_groups { String::new() } else { format!(", {} near-duplicate groups", groups.len()) },
        ids.len(),
        ids.len() as f64 / clock.secs(),
    ));
    Ok(())
}

/// Queries each article of `paths` against the index; one line per match.
fn query_articles(
    index: &Index,
    paths: &[PathBuf],
    cli: &Cli,
    status: &mut Status,
    out: &mut Output,
) -> Result<(), String> {
    let clock = Clock::start();
    let inputs = expand(paths, status)?;
    status.phase("querying", inputs.iter().map(Input::size).sum(), Unit::Bytes, "queries");
    let (mut queries, mut matches, mut result) = (0usize, 0usize, Ok(true));
    let (mut saturated, mut skipped, mut capped) = (0usize, 0usize, 0usize);
    read_articles(&inputs, cli.max_bytes, status, |article, done, status| {
        if !matches!(result, Ok(true)) {
            return;
        }
        queries += 1;
        let found = index.par_query(&article.text);
        saturated += found.saturated_buckets;
        skipped += found.skipped_entries;
        capped += found.capped_fingerprints;
        for m in found.matches {
            matches += 1;
            let mut line = PairLine::new(article.id.clone(), name(index, m.id), &m.report, !cli.no_boilerplate);
            line.duplicates = m.duplicates.iter().map(|&d| name(index, d)).collect();
            result = out.line(&line);
            if !matches!(result, Ok(true)) {
                return;
            }
        }
        status.progress(done, queries);
    });
    result?;
    if capped > 0 {
        status.warn(&format!(
            "warning: {capped} run fingerprints{} of the queries were shared by more than --max-df {} indexed \
             articles: they proposed no match (raise --max-df to find articles sharing only such runs)",
            if index.detector().config().bag_candidates() { " (or keys of rewritten candidates)" } else { "" },
            index.detector().config().max_df
        ));
    }
    if saturated > 0 {
        status.warn(&format!(
            "warning: queries hit {saturated} LSH buckets holding more than --max-bucket {} articles; {skipped} \
             entries past the cap were not compared (raise --max-bucket, or keep boilerplate detection on)",
            index.detector().config().max_bucket
        ));
    }
    status.summary(&format!(
        "{queries} queries against {} articles: {matches} matches in {clock}: {:.0} queries/s",
        index.len(),
        queries as f64 / clock.secs()
    ));
    Ok(())
}

// ---------------------------------------------------------------------------
// Output: JSON lines, the records serde_json writes in the order of their fields

/// `{"exact_duplicates": [ID, ..], "representative": ID}` or
/// `{"group": [ID, ..], "representative": ID}`.
#[derive(Serialize)]
struct GroupLine {
    #[serde(skip_serializing_if = "Option::is_none")]
    exact_duplicates: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<Vec<String>>,
    representative: String,
}

impl GroupLine {
    fn new(index: &Index, group: &neardup::Group, exact: bool) -> GroupLine {
        let members = Some(group.members.iter().map(|&m| name(index, m)).collect());
        let (exact_duplicates, group_members) = if exact { (members, None) } else { (None, members) };
        GroupLine { exact_duplicates, group: group_members, representative: name(index, group.representative) }
    }
}

/// One pair of articles (or a query and a match) and the passages they share.
#[derive(Serialize)]
struct PairLine {
    a: String,
    b: String,
    passages: Vec<PassageRecord>,
    a_coverage: f64,
    b_coverage: f64,
    /// Query mode: the exact duplicates of `b`, which the query matches as well.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    duplicates: Vec<String>,
}

impl PairLine {
    /// The pair's passages in order, the boilerplate ones flagged (left
    /// out with `boilerplate` false).
    fn new(a: String, b: String, report: &Report, boilerplate: bool) -> PairLine {
        let mut passages: Vec<&Passage> = report.passages.iter().collect();
        if boilerplate {
            passages.extend(&report.boilerplate);
            passages.sort_by_key(|p| (p.a, p.b));
        }
        PairLine {
            a,
            b,
            passages: passages.into_iter().map(PassageRecord::from).collect(),
            a_coverage: report.a_coverage(),
            b_coverage: report.b_coverage(),
            duplicates: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct PassageRecord {
    a: SpanRecord,
    b: SpanRecord,
    /// `exact`, `edited` or `rewritten`.
    kind: &'static str,
    similarity: f64,
    bag_similarity: f64,
    containment_a: f64,
    containment_b: f64,
    matched_words: usize,
    /// Made of boilerplate (text recurring across the corpus).
    boilerplate: bool,
    /// For boilerplate: the articles holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    articles: Option<u32>,
}

/// Byte offsets, half-open, into the article's text.
#[derive(Serialize)]
struct SpanRecord {
    start: usize,
    end: usize,
}

impl From<&Passage> for PassageRecord {
    fn from(p: &Passage) -> PassageRecord {
        PassageRecord {
            a: SpanRecord { start: p.a.start, end: p.a.end },
            b: SpanRecord { start: p.b.start, end: p.b.end },
            kind: p.kind.as_str(),
            similarity: p.similarity,
            bag_similarity: p.bag_similarity,
            containment_a: p.containment_a,
            containment_b: p.containment_b,
            matched_words: p.matched_words,
            boilerplate: p.boilerplate_articles > 0,
            articles: (p.boilerplate_articles > 0).then_some(p.boilerplate_articles),
        }
    }
}

/// `s` as a JSON string, for messages.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Buffered stdout; a closed pipe (`corpus ... | head`) ends the output
/// quietly, any other write error is fatal.
struct Output {
    out: io::BufWriter<io::Stdout>,
    closed: bool,
}

impl Output {
    fn new() -> Output {
        Output { out: io::BufWriter::with_capacity(1 << 16, io::stdout()), closed: false }
    }

    /// Writes one JSON line; `Ok(false)` once the reader has gone away.
    fn line(&mut self, record: &impl Serialize) -> Result<bool, String> {
        let mut line = serde_json::to_vec(record).map_err(|e| format!("cannot write the output: {e}"))?;
        line.push(b'\n');
        self.write(&line)
    }

    /// Writes `bytes`; `Ok(false)` once the reader has gone away.
    fn write(&mut self, bytes: &[u8]) -> Result<bool, String> {
        if self.closed {
            return Ok(false);
        }
        match self.out.write_all(bytes) {
            Ok(()) => Ok(true),
            Err(e) => self.fail(e),
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        if self.closed {
            return Ok(());
        }
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e).map(|_| ()),
        }
    }

    fn fail(&mut self, e: io::Error) -> Result<bool, String> {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.closed = true;
            Ok(false)
        } else {
            Err(format!("cannot write the output: {e}"))
        }
    }
}
