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
//! {"a": ID, "b": ID, "passages": [{"a": {"start": .., "end": ..}, "b": {..}, "similarity": ..,
//!  "containment_a": .., "containment_b": .., "matched_words": ..}, ..], "a_coverage": .., "b_coverage": ..}
//! ```
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
//! A sentence shared by more than `--max-bucket` articles (with boilerplate
//! detection off, or in as many contexts) fills an LSH bucket past its cap;
//! what the cap cut (buckets, entries, articles that may miss pairs) is
//! printed on stderr as a warning, even with `--quiet`.
//!
//! Stderr: a progress bar when stderr is a terminal, a summary line per
//! phase (unless `--quiet`; with `--load`, also the configuration the index
//! was built with), and one line per skipped input naming the file (and
//! line, for JSON lines). Exit status: 0 when every input was used, 1 when
//! some input was skipped (missing, unreadable, not UTF-8 text, larger than
//! `--max-bytes`, bad JSON line, repeated ID, a directory with nothing to
//! read) and the rest processed, 2 for a usage error, two files with one
//! ID, an index file that cannot be loaded or saved, or output that cannot
//! be written.
//!
//! Articles are inserted one at a time with their ID as the index label
//! (`Index::insert_labeled`), read and dropped one at a time: memory is the
//! index, not the inputs. Set `RAYON_NUM_THREADS` to bound the threads of
//! the all-pairs phase.

#[path = "support/args.rs"]
mod args;
#[path = "support/input.rs"]
mod input;
#[path = "support/json.rs"]
mod json;
use args::{parse_value, set_common_knob};
use json::{json_number, json_string};
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use neardup::text::HEAD_BYTES;
use neardup::{Config, Detector, DetectorBuilder, Index, Passage, Report, Span};

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

/// What the command line asks for.
enum Command {
    Help,
    Run(Box<Args>),
}

/// The options of a run.
struct Args {
    paths: Vec<PathBuf>,
    /// `Some` in query mode (possibly empty: a usage error).
    queries: Option<Vec<PathBuf>>,
    save: Option<PathBuf>,
    load: Option<PathBuf>,
    min_coverage: f64,
    groups: bool,
    boilerplate: bool,
    quiet: bool,
    max_bytes: u64,
    builder: DetectorBuilder,
    /// The first tuning option given (they conflict with `--load`).
    tuned: Option<String>,
}

/// The tuning options, all taking a value.
const KNOBS: [&str; 8] = [
    "--shingle-size",
    "--num-hashes",
    "--threshold",
    "--min-words",
    "--max-gap",
    "--seed",
    "--max-bucket",
    "--boilerplate-contexts",
];

/// The `--help` text; defaults come from [`Config::default`].
fn usage() -> String {
    let d = Config::default();
    format!(
        "\
Find the articles of a corpus that share passages, and near-duplicate groups.

Usage: corpus [OPTIONS] PATH...
       corpus [OPTIONS] --load INDEX [PATH...]
       corpus [OPTIONS] (PATH... | --load INDEX) --query QUERY...

PATH: a text file (one article); a .jsonl or .json file of {{\"id\": .., \"text\": ..}}
lines; a directory (every regular file under it, recursively, sorted: .jsonl and
.json files as JSON lines, any other as text; names starting with '.' are not
read); or - for standard input (JSON lines if it starts with '{{', else one text
article with ID -). A file's ID is its path relative to the directory given, or
its path as given; two files with one ID are an error. --max-bytes bounds each
text article and each JSON line. Output: JSON lines on stdout, one per pair of
articles sharing a passage, then one per near-duplicate group.

Options:
      --save INDEX        save the index (with the new articles) to INDEX
      --load INDEX        start from the index saved in INDEX (its configuration
                          is used; PATHs are added to it)
      --query QUERY...    query these articles against the index, one line per
                          (query, match), instead of listing all pairs
      --min-coverage F    near-duplicates: passages cover at least F of both
                          articles, in (0, 1] (default 0.8)
      --no-groups         do not compute near-duplicate groups
      --boilerplate       list boilerplate passages of each pair under \"boilerplate\"
      --quiet             no progress bar or summary on stderr (errors still)
{MAX_BYTES_HELP}
  -h, --help              print this help and exit

Tuning (not with --load):
      --shingle-size N    words per shingle (default {})
      --num-hashes N      MinHash values per signature (default {})
      --threshold F       similarity at which two sentences are candidates, in (0, 1] (default {})
      --min-words N       fewest shared words a reported passage must have (default {})
      --max-gap N         most unmatched words bridged inside one passage (default {})
      --seed N            seed of every hash (default {})
      --max-bucket N      most entries of one LSH bucket examined per sentence (default {})
      --boilerplate-contexts N
                          a sentence in this many contexts is boilerplate, 0 = off (default {})

Options take their value as `--opt V` or `--opt=V`; `--` ends the options.
Set RAYON_NUM_THREADS to bound the number of threads.
Exit status: 0 on success, 1 if some input was skipped (reported on stderr:
missing, not UTF-8 text, larger than --max-bytes, a bad JSON line, a repeated
ID), 2 on a usage error, two files with one ID, an index file that cannot be
loaded or saved, or output that cannot be written.
",
        d.shingle_size,
        d.num_hashes,
        d.threshold,
        d.min_words,
        d.max_gap,
        d.seed,
        d.max_bucket,
        d.boilerplate_contexts,
        MAX_BYTES_HELP = input::MAX_BYTES_HELP,
    )
}

/// Parses the arguments (without the program name).
///
/// `args_os` rather than `args`, so that a file name that is not UTF-8 is
/// still a file name instead of a panic. Paths after `--query` are query
/// paths until the next option.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut a = Args {
        paths: Vec::new(),
        queries: None,
        save: None,
        load: None,
        min_coverage: 0.8,
        groups: true,
        boilerplate: false,
        quiet: false,
        max_bytes: neardup::text::DEFAULT_MAX_BYTES,
        builder: Detector::builder(),
        tuned: None,
    };
    let mut options_ended = false;
    let mut to_queries = false;
    while let Some(arg) = args.next() {
        let option = arg.to_str().filter(|s| !options_ended && s.starts_with('-') && *s != "-");
        let Some(option) = option else {
            match (&mut a.queries, to_queries) {
                (Some(q), true) => q.push(PathBuf::from(arg)),
                _ => a.paths.push(PathBuf::from(arg)),
            }
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(OsString::from(value))),
            None => (option, None),
        };
        if name == "--" {
            options_ended = true;
            continue;
        }
        to_queries = false;
        let flag = matches!(name, "-h" | "--help" | "--no-groups" | "--boilerplate" | "--quiet");
        if flag && inline.is_some() {
            return Err(format!("{name}: takes no value"));
        }
        let known = flag
            || matches!(name, "--save" | "--load" | "--query" | "--min-coverage" | "--max-bytes")
            || KNOBS.contains(&name);
        if !known {
            return Err(format!("{option}: unknown option (see --help)"));
        }
        // `--query` takes its values as the following paths.
        let value = if flag || (name == "--query" && inline.is_none()) {
            None
        } else {
            Some(inline.or_else(|| args.next()).ok_or_else(|| format!("{name}: missing value"))?)
        };
        let text = |v: &OsString| {
            v.to_str().map(str::to_owned).ok_or_else(|| format!("{name}: invalid value {v:?}: not UTF-8"))
        };
        match (name, value) {
            ("-h" | "--help", _) => return Ok(Command::Help),
            ("--no-groups", _) => a.groups = false,
            ("--boilerplate", _) => a.boilerplate = true,
            ("--quiet", _) => a.quiet = true,
            ("--query", v) => {
                let q = a.queries.get_or_insert_with(Vec::new);
                match v {
                    Some(v) => q.push(PathBuf::from(v)),
                    None => to_queries = true,
                }
            }
            ("--save", Some(v)) => a.save = Some(PathBuf::from(v)),
            ("--load", Some(v)) => a.load = Some(PathBuf::from(v)),
            ("--max-bytes", Some(v)) => a.max_bytes = input::parse_size(name, &text(&v)?)?,
            ("--min-coverage", Some(v)) => {
                let f: f64 = parse_value(name, &text(&v)?)?;
                if !(f > 0.0 && f <= 1.0) {
                    return Err(format!("--min-coverage: {f}: must be in (0, 1]"));
                }
                a.min_coverage = f;
            }
            (knob, Some(v)) => {
                set_knob(&mut a.builder, knob, &text(&v)?)?;
                a.tuned.get_or_insert_with(|| knob.to_owned());
            }
            (_, None) => return Err(format!("{name}: missing value")),
        }
    }
    if a.paths.is_empty() && a.load.is_none() {
        return Err("no PATH and no --load INDEX: nothing to index (see --help)".to_owned());
    }
    let stdin = a.paths.iter().chain(a.queries.iter().flatten()).filter(|p| p.as_os_str() == "-").count();
    if stdin > 1 {
        return Err("-: standard input is given more than once".to_owned());
    }
    if a.queries.as_ref().is_some_and(Vec::is_empty) {
        return Err("--query: no QUERY path given".to_owned());
    }
    if let (Some(knob), Some(_)) = (&a.tuned, &a.load) {
        return Err(format!(
            "{knob}: tuning options cannot be combined with --load (the index keeps its configuration)"
        ));
    }
    Ok(Command::Run(Box::new(a)))
}

/// Sets one tuning option; the range is checked later by `build()`.
fn set_knob(builder: &mut DetectorBuilder, name: &str, value: &str) -> Result<(), String> {
    match name {
        "--max-bucket" => {
            builder.max_bucket(parse_value(name, value)?);
        }
        "--boilerplate-contexts" => {
            builder.boilerplate_contexts(parse_value(name, value)?);
        }
        _ if set_common_knob(builder, name, value)? => {}
        _ => return Err(format!("{name}: unknown option (see --help)")),
    }
    Ok(())
}

/// Runs the command; `Ok(n)` with the number of skipped inputs, `Err` for
/// a fatal error (exit status 2).
fn run() -> Result<usize, String> {
    let args = match parse_args(std::env::args_os().skip(1))? {
        Command::Help => {
            let mut out = Output::new();
            out.write(usage().as_bytes())?;
            out.finish()?;
            return Ok(0);
        }
        Command::Run(args) => args,
    };
    let mut status = Status::new(!args.quiet && io::stderr().is_terminal(), args.quiet);

    let mut index = match &args.load {
        Some(path) => {
            let clock = Clock::start();
            let index = Index::load(path).map_err(|e| e.to_string())?;
            status.summary(&format!("loaded {} articles from {} in {clock}", index.len(), path.display()));
            status.summary(&format!("configuration of {}: {}", path.display(), describe(&index)));
            if args.boilerplate && !index.detector().config().report_boilerplate {
                return Err(format!(
                    "--boilerplate: {} was saved without boilerplate reporting (Config::report_boilerplate)",
                    path.display()
                ));
            }
            index
        }
        None => {
            // Boilerplate passages are always kept apart (so that a saved
            // index can list them later); `--boilerplate` only prints them.
            let mut builder = args.builder.clone();
            builder.report_boilerplate(true);
            let detector = builder.build().map_err(|e| match &e {
                // Name the command-line option, not the `Config` field.
                neardup::Error::InvalidConfig { name, .. } => format!("--{}: {e}", name.replace('_', "-")),
                _ => e.to_string(),
            })?;
            detector.index()
        }
    };

    if !args.paths.is_empty() {
        add_articles(&mut index, &args.paths, args.max_bytes, &mut status)?;
    }
    if let Some(path) = &args.save {
        let clock = Clock::start();
        index.save(path).map_err(|e| format!("--save: {e}"))?;
        status.summary(&format!("saved {} articles to {} in {clock}", index.len(), path.display()));
    }

    let mut out = Output::new();
    match &args.queries {
        Some(queries) => query_articles(&index, queries, &args, &mut status, &mut out)?,
        None => all_pairs(&index, &args, &mut status, &mut out)?,
    }
    out.finish()?;
    Ok(status.skipped)
}

// ---------------------------------------------------------------------------
// Inputs

/// One article read from an input.
struct Article {
    id: String,
    text: String,
    /// Where it comes from, for messages: the path, and line of a JSON line.
    source: String,
}

/// One input to read: a text file, a JSON-lines file or standard input.
enum Input {
    Text { path: PathBuf, id: String, size: u64 },
    Jsonl { path: PathBuf, size: u64 },
    Stdin,
}

impl Input {
    fn size(&self) -> u64 {
        match self {
            Input::Text { size, .. } | Input::Jsonl { size, .. } => *size,
            Input::Stdin => 0,
        }
    }
}

/// What messages call standard input (as `grep` does).
const STDIN: &str = "(standard input)";

/// Whether `path` names a JSON-lines file: `.jsonl` or `.json`, any case.
fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"))
}

/// A file name or path as an ID, without loss: bytes that are not UTF-8
/// are written `\xNN`, so that two different names never give one ID
/// (`to_string_lossy` would turn both into U+FFFD).
fn id_of(name: &OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Expands the command-line paths into inputs, in order; directories are
/// walked recursively in sorted order. Unusable paths are reported. Two
/// different files that would get the same ID are an error (nothing is
/// read); the same file given twice is reported and read once.
fn expand(paths: &[PathBuf], status: &mut Status) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => status.skip(&format!("{}: {e}", path.display())),
            Ok(m) if m.is_dir() => {
                let (before, skipped) = (inputs.len(), status.skipped);
                walk(path, "", &mut inputs, status);
                if inputs.len() == before && status.skipped == skipped {
                    status.skip(&format!(
                        "{}: a directory with no file to read (names starting with '.' are not read)",
                        path.display()
                    ));
                }
            }
            Ok(m) if is_json(path) => inputs.push(Input::Jsonl { path: path.clone(), size: m.len() }),
            Ok(m) => inputs.push(Input::Text { path: path.clone(), id: id_of(path.as_os_str()), size: m.len() }),
        }
    }
    // IDs of files are derived from their paths: check them all before
    // anything is read.
    let mut by_id: HashMap<String, PathBuf> = HashMap::new();
    let mut unique = Vec::with_capacity(inputs.len());
    for input in inputs {
        if let Input::Text { path, id, .. } = &input
            && let Some(first) = by_id.get(id)
        {
            let same = |p: &Path| std::fs::canonicalize(p).ok();
            if same(first).is_some_and(|f| Some(f) == same(path)) {
                status.skip(&format!("{}: the same file as {}, given twice", path.display(), first.display()));
                continue;
            }
            return Err(format!(
                "two files would have the article ID {}: {} and {} (a file's ID is its path relative \
                 to the directory given, or its path as given): give their common parent directory instead",
                json_string(id),
                first.display(),
                path.display()
            ));
        }
        if let Input::Text { path, id, .. } = &input {
            by_id.insert(id.clone(), path.clone());
        }
        unique.push(input);
    }
    Ok(unique)
}

/// Adds every regular file under `dir` (whose path relative to the
/// directory given is `prefix`), sorted by name, recursively: `.jsonl` and
/// `.json` files as JSON lines, any other file as one text article. Names
/// starting with `.` are not read (counted in the summary); symbolic links
/// to files are followed, to directories not (no cycles; counted too);
/// anything else (a FIFO, a socket, a device) is reported and skipped.
fn walk(dir: &Path, prefix: &str, inputs: &mut Vec<Input>, status: &mut Status) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return status.skip(&format!("{}: {e}", dir.display())),
    };
    let mut entries: Vec<std::fs::DirEntry> = entries
        .filter_map(|e| match e {
            Ok(e) => Some(e),
            Err(e) => {
                status.skip(&format!("{}: {e}", dir.display()));
                None
            }
        })
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            status.hidden += 1;
            continue;
        }
        let id = format!("{prefix}{}", id_of(&name));
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                status.skip(&format!("{}: {e}", path.display()));
                continue;
            }
        };
        if file_type.is_dir() {
            walk(&path, &format!("{id}/"), inputs, status);
            continue;
        }
        // Follows a symbolic link.
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && is_json(&path) => inputs.push(Input::Jsonl { path, size: m.len() }),
            Ok(m) if m.is_file() => inputs.push(Input::Text { path, id, size: m.len() }),
            Ok(m) if m.is_dir() => status.dir_links += 1,
            Ok(_) => status.skip(&format!("{}: not a regular file", path.display())),
            Err(e) => status.skip(&format!("{}: {e}", path.display())),
        }
    }
}

/// Reads the articles of `inputs` one at a time and hands each to `f`
/// with the number of input bytes read so far. Bad inputs are reported.
fn read_articles(inputs: &[Input], max_bytes: u64, status: &mut Status, mut f: impl FnMut(Article, u64, &mut Status)) {
    let mut done = 0u64;
    for input in inputs {
        match input {
            Input::Text { path, id, .. } => match neardup::text::read_file(path, max_bytes) {
                Ok(text) => {
                    let source = path.display().to_string();
                    f(Article { id: id.clone(), text, source }, done + input.size(), status);
                }
                // The error names the file.
                Err(e) => status.skip(&input::read_error(&e)),
            },
            Input::Jsonl { path, .. } => match std::fs::File::open(path) {
                Ok(file) => read_jsonl(file, Vec::new(), &path.display().to_string(), max_bytes, done, status, &mut f),
                Err(e) => status.skip(&format!("{}: {e}", path.display())),
            },
            Input::Stdin => read_stdin(max_bytes, status, &mut f),
        }
        done += input.size();
    }
}

/// Standard input: JSON lines if its first character other than white
/// space (after a byte-order mark) is `{`, else one text article `-`.
fn read_stdin(max_bytes: u64, status: &mut Status, f: &mut impl FnMut(Article, u64, &mut Status)) {
    let mut stdin = io::stdin().lock();
    let mut head = Vec::new();
    if let Err(e) = (&mut stdin).take(HEAD_BYTES as u64).read_to_end(&mut head) {
        return status.skip(&format!("{STDIN}: {e}"));
    }
    match first_byte(&head) {
        Some(b'{') => read_jsonl(stdin, head, STDIN, max_bytes, 0, status, f),
        Some(b'[') => status.skip(&json_array(STDIN)),
        _ => match neardup::text::read_from(io::Cursor::new(head).chain(stdin), STDIN, max_bytes) {
            Ok(text) => f(Article { id: "-".to_owned(), text, source: STDIN.to_owned() }, 0, status),
            Err(e) => status.skip(&input::read_error(&e)),
        },
    }
}

/// The first byte of `head` that is not white space, after a UTF-8
/// byte-order mark.
fn first_byte(head: &[u8]) -> Option<u8> {
    head.strip_prefix(BOM).unwrap_or(head).iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The message for a JSON array given where JSON lines are read.
fn json_array(name: &str) -> String {
    format!(
        "{name}: a JSON array, not JSON lines (one {{\"id\": .., \"text\": ..}} object per line): \
         convert it with `jq -c '.[]' FILE.json > FILE.jsonl`"
    )
}

/// Reads JSON lines from `head` (bytes already read) then `rest`, line by
/// line; blank lines are ignored, a UTF-8 byte-order mark at the start is
/// dropped. A line longer than `max_bytes` is reported and skipped without
/// being held in memory. The whole input is refused when its first 8 KiB
/// are binary or UTF-16, or hold a JSON array, or when its first line is
/// the start of a pretty-printed object.
fn read_jsonl(
    rest: impl io::Read,
    mut head: Vec<u8>,
    name: &str,
    max_bytes: u64,
    before: u64,
    status: &mut Status,
    f: &mut impl FnMut(Article, u64, &mut Status),
) {
    let mut rest = rest;
    let wanted = (HEAD_BYTES - head.len().min(HEAD_BYTES)) as u64;
    if let Err(e) = (&mut rest).take(wanted).read_to_end(&mut head) {
        return status.skip(&format!("{name}: {e}"));
    }
    // Invalid UTF-8 is reported line by line; NUL bytes (never in JSON) or
    // UTF-16 make the whole file unreadable.
    if let Err(e @ (neardup::Error::Binary { .. } | neardup::Error::OtherEncoding { .. })) =
        neardup::text::check_start(&head)
    {
        return status.skip(&format!("{name}: {e}"));
    }
    if first_byte(&head) == Some(b'[') {
        return status.skip(&json_array(name));
    }
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    head.drain(..bom);
    let mut reader = io::BufReader::new(io::Cursor::new(head).chain(rest));
    let mut line = Vec::new();
    let mut offset = before + bom as u64;
    let mut first = true;
    for number in 1.. {
        line.clear();
        // The line and its line end, and one byte more to tell that it is too long.
        match (&mut reader).take(max_bytes.saturating_add(2)).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => offset += n as u64,
            Err(e) => return status.skip(&format!("{name}:{number}: {e}")),
        }
        let ended = line.last() == Some(&b'\n');
        if (line.len() - usize::from(ended)) as u64 > max_bytes {
            if !ended {
                match skip_line(&mut reader) {
                    Ok(n) => offset += n,
                    Err(e) => return status.skip(&format!("{name}:{number}: {e}")),
                }
            }
            status.skip(&format!(
                "{name}:{number}: a line longer than the maximum of {max_bytes} bytes; see --max-bytes"
            ));
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(&line) {
            Ok((id, text)) => f(Article { id, text, source: format!("{name}:{number}") }, offset, status),
            // A first line that is an unfinished object: a pretty-printed
            // JSON file, not JSON lines.
            Err(_) if first && serde_json::from_slice::<serde_json::Value>(&line).is_err_and(|e| e.is_eof()) => {
                return status.skip(&format!(
                    "{name}: line 1 is not a whole JSON object: JSON lines have one object per line \
                     (convert pretty-printed JSON with `jq -c . FILE.json > FILE.jsonl`)"
                ));
            }
            Err(e) => status.skip(&format!("{name}:{number}: {e}")),
        }
        first = false;
    }
}

/// Reads past the end of the current line (the `\n`, or the end of the
/// input) without keeping it; the number of bytes read.
fn skip_line(reader: &mut impl BufRead) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(skipped);
        }
        let (n, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        reader.consume(n);
        skipped += n as u64;
        if done {
            return Ok(skipped);
        }
    }
}

/// One JSON line: an object with an `id` (a non-empty string, or an integer
/// that fits 64 bits) and a `text`.
fn parse_line(line: &[u8]) -> Result<(String, String), String> {
    let line = std::str::from_utf8(line)
        .map_err(|e| format!("not valid UTF-8: invalid byte sequence at byte {} of the line", e.valid_up_to()))?;
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("bad JSON: {e}"))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err("not a JSON object".to_owned());
    };
    let id = match object.get("id") {
        Some(serde_json::Value::String(s)) if s.is_empty() => return Err("\"id\" is empty".to_owned()),
        Some(serde_json::Value::String(s)) => s.clone(),
        // Only integers are exact: a larger number is read as a float, and
        // two different ones could print alike.
        Some(serde_json::Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(serde_json::Value::Number(n)) => {
            return Err(format!("\"id\" {n} is not an integer of 64 bits (give such an id as a string, in quotes)"));
        }
        Some(_) => return Err("\"id\" is neither a string nor a number".to_owned()),
        None => return Err("no \"id\"".to_owned()),
    };
    let text = match object.remove("text") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(format!("article {id:?}: \"text\" is not a string")),
        None => return Err(format!("article {id:?}: no \"text\"")),
    };
    neardup::text::decode(text.as_bytes()).map_err(|e| format!("article {id:?}: text {e}"))?;
    Ok((id, text))
}

/// Most bytes of text fingerprinted in one parallel batch (besides at most
/// 1024 articles).
const BATCH_BYTES: usize = 64 << 20;

/// Inserts the articles of `paths` with fresh ids after the largest one in
/// the index, labelled with their IDs; repeated IDs are skipped. `Err`
/// (before anything is read) when two files would get the same ID.
fn add_articles(index: &mut Index, paths: &[PathBuf], max_bytes: u64, status: &mut Status) -> Result<(), String> {
    let clock = Clock::start();
    let inputs = expand(paths, status)?;
    let total: u64 = inputs.iter().map(Input::size).sum();
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
        status.progress("indexing", done, total, added);
    });
    flush(index, &mut batch, status);
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
    status.summary(&format!(
        "indexed {added} articles ({:.1} MB of text) in {clock}: {:.0} articles/s; \
         index of {} articles uses {:.1} MB ({:.0} bytes/article){}",
        bytes as f64 / 1e6,
        added as f64 / clock.secs(),
        before + added,
        memory as f64 / 1e6,
        memory as f64 / index.len().max(1) as f64,
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
         --boilerplate-contexts {} (LSH {} bands x {} rows{}, unit {:?}, boilerplate {})",
        c.shingle_size,
        c.num_hashes,
        c.threshold,
        c.min_words,
        c.max_gap,
        c.seed,
        c.max_bucket,
        c.boilerplate_contexts,
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

fn all_pairs(index: &Index, args: &Args, status: &mut Status, out: &mut Output) -> Result<(), String> {
    let clock = Clock::start();
    let ids: Vec<u64> = index.ids().collect();
    let duplicates = index.exact_duplicates();
    for group in &duplicates {
        if !out.write(group_line(index, "exact_duplicates", group).as_bytes())? {
            return Ok(());
        }
    }
    let (mut pairs, mut edges) = (0usize, Vec::new());
    let all = index.par_pairs();
    let cut = all.saturation();
    if !cut.is_empty() {
        status.warn(&format!(
            "warning: {} LSH buckets held more than --max-bucket {} articles; {} entries past the cap were not \
             compared, so pairs of {} articles may be missing (raise --max-bucket, or keep boilerplate detection on)",
            cut.buckets,
            index.detector().config().max_bucket,
            cut.entries,
            cut.articles
        ));
    }
    for pair in all {
        pairs += 1;
        if args.groups && pair.is_near_duplicate(args.min_coverage) {
            edges.push((pair.a, pair.b));
        }
        let line = pair_line(&name(index, pair.a), &name(index, pair.b), &pair.report, args.boilerplate);
        if !out.write(line.as_bytes())? {
            return Ok(());
        }
        status.progress("all pairs", ids.partition_point(|&id| id < pair.a) as u64, ids.len() as u64, pairs);
    }
    let groups = if args.groups {
        index.with_exact_duplicates(neardup::group::group_near_duplicates(edges))
    } else {
        Vec::new()
    };
    for group in &groups {
        if !out.write(group_line(index, "group", group).as_bytes())? {
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
        if args.groups { format!(", {} near-duplicate groups", groups.len()) } else { String::new() },
        ids.len(),
        ids.len() as f64 / clock.secs(),
    ));
    Ok(())
}

/// Queries each article of `paths` against the index; one line per match.
fn query_articles(
    index: &Index,
    paths: &[PathBuf],
    args: &Args,
    status: &mut Status,
    out: &mut Output,
) -> Result<(), String> {
    let clock = Clock::start();
    let inputs = expand(paths, status)?;
    let total: u64 = inputs.iter().map(Input::size).sum();
    let (mut queries, mut matches, mut result) = (0usize, 0usize, Ok(true));
    let (mut saturated, mut skipped) = (0usize, 0usize);
    read_articles(&inputs, args.max_bytes, status, |article, done, status| {
        if !matches!(result, Ok(true)) {
            return;
        }
        queries += 1;
        let found = index.par_query(&article.text);
        saturated += found.saturated_buckets;
        skipped += found.skipped_entries;
        for m in found.matches {
            matches += 1;
            let mut line = pair_line(&article.id, &name(index, m.id), &m.report, args.boilerplate);
            if !m.duplicates.is_empty() {
                let names: Vec<String> = m.duplicates.iter().map(|&d| json_string(&name(index, d))).collect();
                line.truncate(line.len() - 2);
                line.push_str(&format!(", \"duplicates\": [{}]}}\n", names.join(", ")));
            }
            result = out.write(line.as_bytes());
            if !matches!(result, Ok(true)) {
                return;
            }
        }
        status.progress("querying", done, total, queries);
    });
    result?;
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
// Output

/// One JSON line for a group: `{"<key>": [ID, ..], "representative": ID}`.
fn group_line(index: &Index, key: &str, group: &neardup::Group) -> String {
    let names: Vec<String> = group.members.iter().map(|&m| json_string(&name(index, m))).collect();
    format!(
        "{{\"{key}\": [{}], \"representative\": {}}}\n",
        names.join(", "),
        json_string(&name(index, group.representative))
    )
}

/// One JSON line for a pair (or a query and a match).
fn pair_line(a: &str, b: &str, report: &Report, boilerplate: bool) -> String {
    let list = |passages: &[Passage]| passages.iter().map(json_passage).collect::<Vec<_>>().join(", ");
    let mut line = format!(
        "{{\"a\": {}, \"b\": {}, \"passages\": [{}], \"a_coverage\": {}, \"b_coverage\": {}",
        json_string(a),
        json_string(b),
        list(&report.passages),
        json_number(report.a_coverage()),
        json_number(report.b_coverage()),
    );
    if boilerplate {
        line.push_str(&format!(", \"boilerplate\": [{}]", list(&report.boilerplate)));
    }
    line.push_str("}\n");
    line
}

fn json_passage(p: &Passage) -> String {
    let span = |s: Span| format!("{{\"start\": {}, \"end\": {}}}", s.start, s.end);
    format!(
        "{{\"a\": {}, \"b\": {}, \"similarity\": {}, \"containment_a\": {}, \"containment_b\": {}, \"matched_words\": {}}}",
        span(p.a),
        span(p.b),
        json_number(p.similarity),
        json_number(p.containment_a),
        json_number(p.containment_b),
        p.matched_words,
    )
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

// ---------------------------------------------------------------------------
// Stderr: progress bar, summaries, skipped inputs

/// Wall-clock and CPU time of one phase, for the summaries.
struct Clock {
    wall: Instant,
    cpu: Option<f64>,
}

impl Clock {
    fn start() -> Clock {
        Clock { wall: Instant::now(), cpu: cpu_seconds() }
    }

    /// Wall-clock seconds so far (never zero, to divide by).
    fn secs(&self) -> f64 {
        self.wall.elapsed().as_secs_f64().max(1e-9)
    }
}

/// `1.23 s (cpu 2.40 s, peak RSS 120 MB)`: CPU time of all threads and the
/// peak resident memory so far, where `/proc` tells them (Linux).
impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} s", self.secs())?;
        let cpu = self.cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
        match (cpu, peak_rss_bytes()) {
            (Some(cpu), Some(rss)) => write!(f, " (cpu {cpu:.2} s, peak RSS {:.0} MB)", rss as f64 / 1e6),
            (Some(cpu), None) => write!(f, " (cpu {cpu:.2} s)"),
            (None, Some(rss)) => write!(f, " (peak RSS {:.0} MB)", rss as f64 / 1e6),
            (None, None) => Ok(()),
        }
    }
}

/// User plus system CPU seconds of the process (all threads), from
/// `/proc/self/stat` (fields 14 and 15, in units of USER_HZ = 100).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// Peak resident set size (`VmHWM` of `/proc/self/status`).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Everything written to stderr, and the count of skipped inputs.
struct Status {
    /// Draw a progress bar (stderr is a terminal).
    bar: bool,
    quiet: bool,
    /// A bar is on screen and must be erased before another line.
    drawn: bool,
    last: Option<Instant>,
    phase_start: Instant,
    phase: &'static str,
    skipped: usize,
    /// Entries of walked directories whose names start with `.` (not read).
    hidden: usize,
    /// Symbolic links to directories met in walked directories (not followed).
    dir_links: usize,
}

impl Status {
    fn new(bar: bool, quiet: bool) -> Status {
        Status {
            bar,
            quiet,
            drawn: false,
            last: None,
            phase_start: Instant::now(),
            phase: "",
            skipped: 0,
            hidden: 0,
            dir_links: 0,
        }
    }

    /// Writes one line, erasing the bar first.
    fn line(&mut self, text: &str) {
        let mut err = io::stderr().lock();
        if self.drawn {
            let _ = write!(err, "\r\x1b[2K");
            self.drawn = false;
        }
        let _ = writeln!(err, "{text}");
    }

    /// Reports an input that was skipped.
    fn skip(&mut self, message: &str) {
        self.skipped += 1;
        self.line(&format!("corpus: skipped {message}"));
    }

    /// A warning: printed even with `--quiet`.
    fn warn(&mut self, message: &str) {
        self.line(&format!("corpus: {message}"));
    }

    fn summary(&mut self, message: &str) {
        if !self.quiet {
            self.line(&format!("corpus: {message}"));
        }
    }

    /// Redraws the bar (at most ten times a second): `done` of `total` units
    /// of work, `count` articles (or pairs) so far.
    fn progress(&mut self, phase: &'static str, done: u64, total: u64, count: usize) {
        if !self.bar {
            return;
        }
        let now = Instant::now();
        if phase != self.phase {
            (self.phase, self.phase_start) = (phase, now);
        }
        if self.last.is_some_and(|t| now - t < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(now);
        const WIDTH: usize = 30;
        let fraction = if total == 0 { 1.0 } else { (done as f64 / total as f64).min(1.0) };
        let filled = (fraction * WIDTH as f64) as usize;
        let secs = (now - self.phase_start).as_secs_f64();
        let eta = if fraction > 0.0 { secs / fraction - secs } else { 0.0 };
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{phase} [{}{}] {:3.0}% {count} {}, {:.0} articles/s, {:.0} s left",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            100.0 * fraction,
            if phase == "all pairs" { "pairs" } else { "articles" },
            // All pairs counts articles done; the other phases count bytes.
            if phase == "all pairs" { done } else { count as u64 } as f64 / secs.max(1e-9),
            eta,
        );
        let _ = err.flush();
        self.drawn = true;
    }
}

impl Drop for Status {
    fn drop(&mut self) {
        if self.drawn {
            let _ = write!(io::stderr(), "\r\x1b[2K");
        }
    }
}
