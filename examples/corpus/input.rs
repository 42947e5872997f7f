//! Reading the inputs of `corpus`: the paths given, expanded (directories
//! walked in sorted order, IDs checked), then read one article at a time —
//! text files, JSON-lines files and standard input. Whatever cannot be read
//! is reported on stderr (through [`Status`]) and skipped.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use neardup::text::HEAD_BYTES;

use crate::status::Status;

/// One article read from an input.
pub struct Article {
    pub id: String,
    pub text: String,
    /// Where it comes from, for messages: the path, and line of a JSON line.
    pub source: String,
}

/// One input to read: a text file, a JSON-lines file or standard input.
pub enum Input {
    Text { path: PathBuf, id: String, size: u64 },
    Jsonl { path: PathBuf, size: u64 },
    Stdin,
}

impl Input {
    /// Its size in bytes, as far as known before reading (0 for standard
    /// input): the unit of the progress bar.
    pub fn size(&self) -> u64 {
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
pub fn expand(paths: &[PathBuf], status: &mut Status) -> Result<Vec<Input>, String> {
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
                crate::json_string(id),
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
pub fn read_articles(
    inputs: &[Input],
    max_bytes: u64,
    status: &mut Status,
    mut f: impl FnMut(Article, u64, &mut Status),
) {
    let mut done = 0u64;
    for input in inputs {
        match input {
            Input::Text { path, id, .. } => match neardup::text::read_file(path, max_bytes) {
                Ok(text) => {
                    let source = path.display().to_string();
                    f(Article { id: id.clone(), text, source }, done + input.size(), status);
                }
                // The error names the file.
                Err(e) => status.skip(&read_error(&e)),
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
            Err(e) => status.skip(&read_error(&e)),
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

/// The message of an error from `neardup::text::read_file` (which names the
/// file), with the option that raises the bound when the file is too large.
fn read_error(e: &neardup::Error) -> String {
    match e {
        neardup::Error::File { error, .. } if matches!(**error, neardup::Error::TooLarge { .. }) => {
            format!("{e}; see --max-bytes")
        }
        _ => e.to_string(),
    }
}
