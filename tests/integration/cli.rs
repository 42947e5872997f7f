//! The `compare` example as a user runs it: a subprocess, its exit status,
//! stdout and stderr.
//!
//! The example is built once per test run (same profile and features as this
//! test binary) with `cargo build --message-format=json`, which reports where
//! the executable is, so `CARGO_TARGET_DIR` and cargo configuration are
//! respected.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use neardup::{Config, Detector, Span};

const SEED_A: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/001_8d763c1f7bf3de18.txt");

// ---------------------------------------------------------------------------
// Running the example

/// Path of the compiled `compare` example, built on first use.
pub(crate) fn compare_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_example("compare"))
}

/// Path of the compiled `tune` example, built on first use.
fn tune_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_example("tune"))
}

/// Builds an example with the profile and features of this test binary;
/// the path of its executable.
pub(crate) fn build_example(name: &str) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "--example", name, "--message-format=json", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    if !cfg!(feature = "rayon") {
        cmd.arg("--no-default-features");
    }
    if cfg!(feature = "serde") {
        cmd.args(["--features", "serde"]);
    }
    let out = cmd.output().expect("cargo can be run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "building the {name} example failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let message = Json::parse(line).unwrap_or_else(|e| panic!("cargo printed bad JSON ({e}): {line}"));
        if message.get("reason").str() == "compiler-artifact"
            && message.get("target").get("name").str() == name
            && let Some(Json::Str(exe)) = message.find("executable")
        {
            return PathBuf::from(exe);
        }
    }
    panic!("cargo did not report the {name} executable:\n{stdout}");
}

/// What one run of the example did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_exe(compare_exe(), args, &[])
}

/// Runs an example with extra environment variables (`None` removes one).
fn run_exe<I, S>(exe: &Path, args: I, env: &[(&str, Option<&str>)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(exe);
    cmd.args(args).env("RUST_BACKTRACE", "1");
    for &(key, value) in env {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{} can be run: {e}", exe.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the example and expects success with nothing on stderr.
fn run_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let r = run(args);
    assert_eq!(r.code, Some(0), "compare failed: {r:?}");
    assert_eq!(r.stderr, "", "compare wrote to stderr: {r:?}");
    r.stdout
}

/// Runs `compare --json A B` and parses its report.
fn run_json(a: impl AsRef<OsStr>, b: impl AsRef<OsStr>) -> Json {
    let stdout = run_ok([OsStr::new("--json"), a.as_ref(), b.as_ref()]);
    Json::parse(&stdout).unwrap_or_else(|e| panic!("--json output is not JSON ({e}):\n{stdout}"))
}

/// A file under the temporary directory, removed when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        TempPath(std::env::temp_dir().join(format!("neardup-cli-{}-{name}", std::process::id())))
    }

    fn file(name: &str, contents: impl AsRef<[u8]>) -> TempPath {
        let path = TempPath::new(name);
        std::fs::write(&path.0, contents).expect("temp file can be written");
        path
    }
}

impl AsRef<OsStr> for TempPath {
    fn as_ref(&self) -> &OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = if self.0.is_dir() { std::fs::remove_dir(&self.0) } else { std::fs::remove_file(&self.0) };
    }
}

// ---------------------------------------------------------------------------
// A tiny strict JSON parser (RFC 8259), enough to check the `--json` output.

#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = JsonParser { s: text.as_bytes(), i: 0 };
        let value = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing data at byte {}", p.i));
        }
        Ok(value)
    }

    fn find(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> &Json {
        self.find(key).unwrap_or_else(|| panic!("no key {key:?} in {self:?}"))
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string: {self:?}"),
        }
    }

    fn num(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            _ => panic!("not a number: {self:?}"),
        }
    }

    fn usize(&self) -> usize {
        let x = self.num();
        assert!(x >= 0.0 && x.fract() == 0.0, "not a count: {x}");
        x as usize
    }

    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            _ => panic!("not an array: {self:?}"),
        }
    }

    fn span(&self) -> Span {
        Span::new(self.get("start").usize(), self.get("end").usize())
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", byte as char, self.i))
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(format!("bad literal at byte {}", self.i))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("unexpected input at byte {}", self.i)),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.expect(b'{')?;
        let mut fields = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Obj(fields));
        }
        loop {
            self.ws();
            let key = self.string()?;
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(format!("duplicate key {key:?}"));
            }
            self.ws();
            self.expect(b':')?;
            fields.push((key, self.value()?));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.i)),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(format!("expected ',' or ']' at byte {}", self.i)),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.peek() {
                p.i += 1;
            }
            p.i - from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(format!("bad number at byte {start}"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(format!("bad fraction at byte {start}"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(format!("bad exponent at byte {start}"));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII");
        text.parse().map(Json::Num).map_err(|e| format!("bad number {text:?}: {e}"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self.s.get(self.i..self.i + 4).ok_or("truncated \\u escape")?;
        let hex = std::str::from_utf8(hex).map_err(|e| e.to_string())?;
        let code = u32::from_str_radix(hex, 16).map_err(|e| format!("bad \\u escape {hex:?}: {e}"))?;
        self.i += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let byte = self.peek().ok_or("unterminated string")?;
            self.i += 1;
            match byte {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                0x00..=0x1f => return Err(format!("raw control character in string at byte {}", self.i - 1)),
                b'\\' => {
                    let escape = self.peek().ok_or("unterminated escape")?;
                    self.i += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code) {
                                self.expect(b'\\')?;
                                self.expect(b'u')?;
                                let low = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&low) {
                                    return Err("unpaired surrogate".to_owned());
                                }
                                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                            }
                            char::from_u32(code).ok_or("unpaired surrogate")?
                        }
                        _ => return Err(format!("bad escape at byte {}", self.i - 1)),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                _ => out.push(byte),
            }
        }
    }
}

#[test]
fn json_parser_is_strict() {
    let ok = Json::parse(r#" {"a": [1, -2.5e3, true, null], "b": "x\"\\\u00e9\ud83d\ude00\n"} "#).unwrap();
    assert_eq!(ok.get("b").str(), "x\"\\é😀\n");
    assert_eq!(ok.get("a").arr()[1].num(), -2500.0);
    for bad in ["NaN", "inf", "01", "1.", "{\"a\": 1,}", "[1 2]", "\"a\u{1}\"", "{\"a\":1,\"a\":2}", "\"\\x\"", "{} x"]
    {
        assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
    }
}

// ---------------------------------------------------------------------------
// Helpers over the seed pair

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("seed file is shipped")
}

/// 1-based line of a byte offset, counting `\n` only (the seed files use it).
fn lf_line(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count()
}

/// The span of the paragraph of `text` that starts with `start`.
fn paragraph(text: &str, start: &str) -> Span {
    let begin = text.find(start).unwrap_or_else(|| panic!("paragraph {start:?} not in text"));
    let end = text[begin..].find("\n\n").map_or(text.len(), |e| begin + e);
    Span::new(begin, end)
}

/// Spans (`"a"` or `"b"`) of every passage of a `--json` report.
fn spans(report: &Json, side: &str) -> Vec<Span> {
    report.get("passages").arr().iter().map(|p| p.get(side).span()).collect()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// The summary line the human report must end with.
fn expected_summary(report: &Json) -> String {
    let n = report.get("passages").arr().len();
    let (a, b) = (report.get("a"), report.get("b"));
    format!(
        "{n} passage{}; passages cover {:.1}% of A ({} of {} words) and {:.1}% of B ({} of {} words)",
        if n == 1 { "" } else { "s" },
        100.0 * report.get("a_coverage").num(),
        a.get("covered_words").usize(),
        a.get("words").usize(),
        100.0 * report.get("b_coverage").num(),
        b.get("covered_words").usize(),
        b.get("words").usize(),
    )
}

/// One line of a passage's text in the readable report: the line numbers
/// in its gutter (none on a wrapped continuation) and the text after it.
#[derive(Debug)]
struct Shown<'a> {
    numbers: Vec<usize>,
    text: &'a str,
}

/// The text lines right after the line `header` in `block`: indented, a
/// gutter of line numbers, `│`, the text.
fn text_under<'a>(block: &[&'a str], header: &str) -> Option<Vec<Shown<'a>>> {
    let at = block.iter().position(|l| *l == header)?;
    let lines = block[at + 1..].iter().take_while(|l| l.starts_with("    ") && l.contains('│'));
    Some(
        lines
            .map(|l| {
                let (gutter, text) = l.split_once('│').unwrap();
                let numbers = gutter.split_whitespace().map(|n| n.parse().expect("a line number")).collect();
                Shown { numbers, text: text.strip_prefix(' ').unwrap_or(text) }
            })
            .collect(),
    )
}

/// The words of the shown text.
fn shown_words<'a>(shown: &[Shown<'a>]) -> Vec<&'a str> {
    shown.iter().flat_map(|s| s.text.split_whitespace()).collect()
}

/// Checks a gutter: it starts at `first` (per column), numbers increase
/// (a run of blank lines is shown as one), the last one is in `last`.
fn check_gutter(shown: &[Shown], first: &[usize], last: &[usize]) {
    let numbered: Vec<&Vec<usize>> = shown.iter().map(|s| &s.numbers).filter(|n| !n.is_empty()).collect();
    assert_eq!(numbered[0].as_slice(), first, "{shown:?}");
    assert_eq!(numbered.last().unwrap().as_slice(), last, "{shown:?}");
    for pair in numbered.windows(2) {
        assert!(pair[0].iter().zip(pair[1]).all(|(x, y)| x < y), "{shown:?}");
        let steps: Vec<usize> = pair[0].iter().zip(pair[1]).map(|(x, y)| y - x).collect();
        assert!(steps.windows(2).all(|w| w[0] == w[1]), "columns move together: {shown:?}");
    }
    assert!(shown[0].numbers.len() == first.len(), "the first line is numbered");
}

use crate::CONFERENCE_000;

// ---------------------------------------------------------------------------
// The seed pair

#[test]
fn seed_pair_json_slices_the_files_exactly() {
    let (a, b) = (read(SEED_A), read(SEED_B));
    let report = run_json(SEED_A, SEED_B);

    for (side, path, text) in [("a", SEED_A, &a), ("b", SEED_B, &b)] {
        let file = report.get(side);
        assert_eq!(file.get("path").str(), path);
        assert_eq!(file.get("bytes").usize(), text.len());
        assert!(file.get("covered_words").usize() <= file.get("words").usize());
    }
    let defaults = Config::default();
    let config = report.get("config");
    assert_eq!(config.get("shingle_size").usize(), defaults.shingle_size);
    assert_eq!(config.get("num_hashes").usize(), defaults.num_hashes);
    assert_eq!(config.get("threshold").num(), defaults.threshold);
    assert_eq!(config.get("min_words").usize(), defaults.min_words);
    assert_eq!(config.get("max_gap").usize(), defaults.max_gap);
    assert_eq!(config.get("seed").num(), defaults.seed as f64);

    // The example reports exactly what the library finds.
    let library = Detector::builder().build().unwrap().compare(&a, &b);
    let passages = report.get("passages").arr();
    assert!(!passages.is_empty());
    assert_eq!(passages.len(), library.passages.len());
    assert_eq!(report.get("a").get("words").usize(), library.a_words);
    assert_eq!(report.get("b").get("covered_words").usize(), library.b_covered_words);
    assert_eq!(report.get("a_coverage").num(), library.a_coverage());
    assert_eq!(report.get("b_coverage").num(), library.b_coverage());

    for (p, lib) in passages.iter().zip(&library.passages) {
        let (pa, pb) = (p.get("a"), p.get("b"));
        assert_eq!((pa.span(), pb.span()), (lib.a, lib.b));
        assert_eq!(&a[pa.span()], p.get("a_text").str());
        assert_eq!(&b[pb.span()], p.get("b_text").str());
        for (side, text) in [(pa, &a), (pb, &b)] {
            let span = side.span();
            assert_eq!(side.get("line_start").usize(), lf_line(text, span.start));
            assert_eq!(side.get("line_end").usize(), lf_line(text, span.end - 1));
        }
        assert_eq!(p.get("similarity").num(), lib.similarity);
        assert_eq!(p.get("containment_a").num(), lib.containment_a);
        assert_eq!(p.get("containment_b").num(), lib.containment_b);
        assert_eq!(p.get("matched_words").usize(), lib.matched_words);
    }

    // The eight conference paragraphs of 000 are reported as reused...
    let a_spans = spans(&report, "a");
    for start in CONFERENCE_000 {
        let para = paragraph(&a, start);
        let missing: String = a[para]
            .char_indices()
            .filter(|&(i, c)| {
                let at = para.start + i;
                c.is_alphanumeric() && !a_spans.iter().any(|s| s.start <= at && at < s.end)
            })
            .map(|(_, c)| c)
            .collect();
        assert!(missing.is_empty(), "000 paragraph {start:?} not covered; missing {missing:?}");
    }
    // ...and the quote found only in 001 is not.
    let extra = paragraph(&b, "\"Latvia, being a NATO member");
    for span in spans(&report, "b") {
        assert!(span.end <= extra.start || extra.end <= span.start, "passage claims 001's own quote: {span}");
    }
}

#[test]
fn seed_pair_human_report_lists_passages_and_summary() {
    let (a, b) = (read(SEED_A), read(SEED_B));
    let report = run_json(SEED_A, SEED_B);
    let stdout = run_ok([SEED_A, SEED_B]);
    let lines: Vec<&str> = stdout.lines().collect();

    // One block per passage, in the order of the JSON report.
    let headers: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("Passage ")).collect();
    let passages = report.get("passages").arr();
    assert_eq!(headers.len(), passages.len(), "{stdout}");
    let mut differing = 0;
    for (n, (p, &at)) in passages.iter().zip(&headers).enumerate() {
        let end = headers.get(n + 1).copied().unwrap_or(lines.len() - 1);
        let block = &lines[at..end];
        assert_eq!(block[0], format!("Passage {} ({})", n + 1, p.get("kind").str()));
        for side in ["a", "b"] {
            let s = p.get(side);
            let line = format!(
                "  {} lines {}-{}, bytes {}..{}",
                side.to_uppercase(),
                s.get("line_start").usize(),
                s.get("line_end").usize(),
                s.get("start").usize(),
                s.get("end").usize()
            );
            assert!(block.contains(&line.as_str()), "no {line:?} in passage {}:\n{}", n + 1, block.join("\n"));
        }
        let shared = format!(", {} shared words", p.get("matched_words").usize());
        assert!(block[3].starts_with("  similarity ") && block[3].ends_with(&shared), "{}", block[3]);

        // The passage text, wrapped: the same words as the slice of the file.
        // The gutter gives the lines of the file, from line_start to line_end.
        let (a_text, b_text) = (&a[p.get("a").span()], &b[p.get("b").span()]);
        let lines_of = |side: &str| (p.get(side).get("line_start").usize(), p.get(side).get("line_end").usize());
        let ((a_first, a_last), (b_first, b_last)) = (lines_of("a"), lines_of("b"));
        if a_text == b_text {
            let shown = text_under(block, "  text (the same in A and B):").expect("shared text shown");
            assert_eq!(shown_words(&shown), words(a_text));
            check_gutter(&shown, &[a_first, b_first], &[a_last, b_last]);
        } else {
            differing += 1;
            let shown_a = text_under(block, "  A text:").expect("A text shown");
            let shown_b = text_under(block, "  B text:").expect("B text shown");
            assert_eq!(shown_words(&shown_a), words(a_text));
            assert_eq!(shown_words(&shown_b), words(b_text));
            check_gutter(&shown_a, &[a_first], &[a_last]);
            check_gutter(&shown_b, &[b_first], &[b_last]);
        }
    }
    assert!(differing > 0, "the seed pair has passages that differ between A and B");
    for line in &lines {
        assert!(line.chars().count() <= 100, "line not wrapped: {line:?}");
        assert_eq!(line.trim_end(), *line, "trailing white space");
    }
    assert!(stdout.contains("\n    19 │ Speaking at the Baku-based international conference"), "{stdout}");
    assert!(stdout.contains("\n    29 27 │ Hajiyev added that Azerbaijan will continue"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour when stdout is not a terminal");
    assert_eq!(*lines.last().unwrap(), expected_summary(&report));
}

#[test]
fn swapping_the_files_swaps_the_passages() {
    let ab = run_json(SEED_A, SEED_B);
    let ba = run_json(SEED_B, SEED_A);
    assert_eq!(ab.get("a"), ba.get("b"));
    assert_eq!(ab.get("b"), ba.get("a"));
    assert_eq!(ab.get("a_coverage"), ba.get("b_coverage"));
    assert_eq!(ab.get("b_coverage"), ba.get("a_coverage"));

    let key = |p: &Json| (p.get("a").span(), p.get("b").span());
    let mut swapped: Vec<Json> = ab
        .get("passages")
        .arr()
        .iter()
        .map(|p| {
            Json::Obj(vec![
                ("a".into(), p.get("b").clone()),
                ("b".into(), p.get("a").clone()),
                ("kind".into(), p.get("kind").clone()),
                ("similarity".into(), p.get("similarity").clone()),
                ("bag_similarity".into(), p.get("bag_similarity").clone()),
                ("containment_a".into(), p.get("containment_b").clone()),
                ("containment_b".into(), p.get("containment_a").clone()),
                ("matched_words".into(), p.get("matched_words").clone()),
                ("a_text".into(), p.get("b_text").clone()),
                ("b_text".into(), p.get("a_text").clone()),
            ])
        })
        .collect();
    swapped.sort_by_key(key);
    let got = ba.get("passages").arr();
    assert!(got.is_sorted_by_key(key), "passages are listed in the order of A");
    assert_eq!(got, swapped.as_slice());
}

#[test]
fn line_numbers_count_crlf_and_lone_cr_as_one_line_end() {
    let lf = run_json(SEED_A, SEED_B);
    let (a, b) = (read(SEED_A), read(SEED_B));
    for (name, eol) in [("crlf", "\r\n"), ("cr", "\r")] {
        let a_file = TempPath::file(&format!("{name}-a.txt"), a.replace('\n', eol));
        let b_file = TempPath::file(&format!("{name}-b.txt"), b.replace('\n', eol));
        let report = run_json(&a_file, &b_file);
        let (a_text, b_text) = (a.replace('\n', eol), b.replace('\n', eol));
        let (want, got) = (lf.get("passages").arr(), report.get("passages").arr());
        assert_eq!(want.len(), got.len(), "{name}");
        for (w, g) in want.iter().zip(got) {
            for side in ["a", "b"] {
                for key in ["line_start", "line_end"] {
                    assert_eq!(w.get(side).get(key), g.get(side).get(key), "{name}: {side}.{key}");
                }
            }
            assert_eq!(&a_text[g.get("a").span()], g.get("a_text").str());
            assert_eq!(&b_text[g.get("b").span()], g.get("b_text").str());
            assert_eq!(g.get("a_text").str().replace(eol, "\n"), w.get("a_text").str(), "{name}");
        }
    }
}

// ---------------------------------------------------------------------------
// Options

#[test]
fn options_reach_the_detector_in_both_spellings() {
    let out = run_ok([
        "--json",
        "--shingle-size",
        "4",
        "--num-hashes=64",
        "--threshold",
        "0.75",
        "--min-words=9",
        "--max-gap",
        "0",
        "--seed=7",
        "--",
        SEED_A,
        SEED_B,
    ]);
    let report = Json::parse(&out).unwrap();
    let config = report.get("config");
    assert_eq!(config.get("shingle_size").usize(), 4);
    assert_eq!(config.get("num_hashes").usize(), 64);
    assert_eq!(config.get("threshold").num(), 0.75);
    assert_eq!(config.get("min_words").usize(), 9);
    assert_eq!(config.get("max_gap").usize(), 0);
    assert_eq!(config.get("seed").usize(), 7);

    let detector = Detector::builder()
        .shingle_size(4)
        .num_hashes(64)
        .threshold(0.75)
        .min_words(9)
        .max_gap(0)
        .seed(7)
        .build()
        .unwrap();
    let library = detector.compare(&read(SEED_A), &read(SEED_B));
    let got: Vec<(Span, Span)> =
        report.get("passages").arr().iter().map(|p| (p.get("a").span(), p.get("b").span())).collect();
    let want: Vec<(Span, Span)> = library.passages.iter().map(|p| (p.a, p.b)).collect();
    assert_eq!(got, want);

    // A minimum longer than any passage leaves nothing to report.
    let report = Json::parse(&run_ok(["--min-words=1000", "--json", SEED_A, SEED_B])).unwrap();
    assert!(report.get("passages").arr().is_empty());
    assert_eq!(report.get("a_coverage").num(), 0.0);
}

#[test]
fn help_documents_every_option_with_its_default() {
    let d = Config::default();
    for flag in ["--help", "-h"] {
        let help = run_ok([flag]);
        assert!(help.contains("Usage: compare"), "{help}");
        let line = |option: &str| {
            help.lines()
                .find(|l| l.trim_start().starts_with(option) || l.contains(&format!(", {option} ")))
                .unwrap_or_else(|| panic!("--help does not document {option}:\n{help}"))
        };
        line("--json");
        line("--help");
        for (option, default) in [
            ("--shingle-size", d.shingle_size.to_string()),
            ("--num-hashes", d.num_hashes.to_string()),
            ("--threshold", d.threshold.to_string()),
            ("--min-words", d.min_words.to_string()),
            ("--max-gap", d.max_gap.to_string()),
            ("--seed", d.seed.to_string()),
        ] {
            assert!(line(option).contains(&format!("(default {default})")), "{option}: {}", line(option));
        }
        // The size bound's default sits on the option's last help line.
        let at =
            help.find("--max-bytes <N>").unwrap_or_else(|| panic!("--help does not document --max-bytes:\n{help}"));
        let rest = &help[at..];
        let end = rest.find("\n      --").unwrap_or(rest.len());
        assert!(rest[..end].contains("(default 64M)"), "{}", &rest[..end]);
        assert_eq!(neardup::text::DEFAULT_MAX_BYTES, 64 << 20);
    }
}

#[test]
fn empty_files_share_nothing() {
    let a = TempPath::file("empty-a.txt", "");
    let b = TempPath::file("empty-b.txt", "");
    let report = run_json(&a, &b);
    assert!(report.get("passages").arr().is_empty());
    assert_eq!(report.get("a").get("words").usize(), 0);
    assert_eq!(report.get("a_coverage").num(), 0.0);
    assert_eq!(report.get("b_coverage").num(), 0.0);
    assert_eq!(run_ok([&a, &b]), format!("{}\n", expected_summary(&report)));

    let report = run_json(&a, SEED_B);
    assert!(report.get("passages").arr().is_empty());
    assert_eq!(
        report.get("b").get("words").usize(),
        Detector::builder().build().unwrap().analyze(&read(SEED_B)).tokens.len()
    );
}

// ---------------------------------------------------------------------------
// Errors

/// Expects exit status 2, nothing on stdout and one line on stderr that
/// contains `needle`.
fn assert_fails(args: &[&OsStr], needle: &str) {
    let r = run(args);
    let what = format!("compare {args:?}: {r:?}");
    assert_eq!(r.code, Some(2), "{what}");
    assert_eq!(r.stdout, "", "{what}");
    assert!(r.stderr.starts_with("compare: ") && r.stderr.ends_with('\n'), "{what}");
    assert_eq!(r.stderr.lines().count(), 1, "{what}");
    assert!(r.stderr.contains(needle), "stderr does not name {needle:?}: {what}");
    for panic in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!r.stderr.contains(panic), "{what}");
    }
}

#[test]
fn unreadable_or_non_text_files_fail_with_one_line() {
    let missing = TempPath::new("missing.txt");
    let dir = TempPath::new("dir");
    std::fs::create_dir_all(&dir.0).unwrap();
    let invalid = TempPath::file("invalid.txt", b"Valid start \xc3\x28 then junk");
    let binary = TempPath::file("binary.txt", b"Looks like text\0but has a NUL");
    let seed = OsStr::new(SEED_A);
    let cases: [(&OsStr, &str); 4] = [
        (missing.as_ref(), "No such file"),
        (dir.as_ref(), if cfg!(unix) { "directory" } else { "" }),
        (invalid.as_ref(), "UTF-8"),
        (binary.as_ref(), "binary"),
    ];
    for (bad, reason) in cases {
        let name = bad.to_str().unwrap();
        // The bad file as A, then as B: the message names it either way.
        assert_fails(&[bad, seed], name);
        assert_fails(&[seed, bad], name);
        assert_fails(&[OsStr::new("--json"), seed, bad], reason);
    }
}

#[test]
fn bad_options_and_values_fail_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["--bogus"], "--bogus"),
        (&["-x"], "-x"),
        (&["--json=yes"], "--json"),
        (&["--shingle-size", "0"], "--shingle-size"),
        (&["--shingle-size=33"], "--shingle-size"),
        (&["--threshold", "2"], "--threshold"),
        (&["--threshold=NaN"], "--threshold"),
        (&["--threshold", "half"], "--threshold"),
        (&["--num-hashes", "-3"], "--num-hashes"),
        (&["--num-hashes=0"], "--num-hashes"),
        (&["--min-words", "2"], "--min-words"),
        (&["--max-gap", "1e3"], "--max-gap"),
        (&["--seed="], "--seed"),
        (&["--max-bytes", "0"], "--max-bytes"),
        (&["--max-bytes=12X"], "--max-bytes"),
        (&["--max-bytes", "99999999999G"], "--max-bytes"),
    ];
    for (options, needle) in cases {
        let mut args: Vec<OsString> = options.iter().map(OsString::from).collect();
        args.extend([OsString::from(SEED_A), OsString::from(SEED_B)]);
        let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
        assert_fails(&args, needle);
    }
    // A missing value at the end, and the wrong number of files.
    let (a, b) = (OsStr::new(SEED_A), OsStr::new(SEED_B));
    assert_fails(&[a, b, OsStr::new("--seed")], "--seed");
    assert_fails(&[], "two files");
    assert_fails(&[a], "two files");
    assert_fails(&[a, b, a], "two files");
}

// ---------------------------------------------------------------------------
// Small texts

#[test]
fn json_escapes_what_json_needs_and_keeps_the_rest() {
    let sentence =
        "The minister said \"we back\\support NATO\"\tand\u{1b} the Café über \u{2028} ally 😀 today in Baku.";
    let a = TempPath::file("escape-a.txt", format!("Intro words here.\r\n\r\n{sentence}\n"));
    let b = TempPath::file("escape-b.txt", format!("{sentence} Other news follows.\n"));
    let report = run_json(&a, &b);
    let passages = report.get("passages").arr();
    assert_eq!(passages.len(), 1, "{report:?}");
    assert_eq!(passages[0].get("a_text").str(), sentence);
    assert_eq!(passages[0].get("b_text").str(), sentence);
    assert_eq!(passages[0].get("a").get("line_start").usize(), 3);
    assert_eq!(passages[0].get("b").get("line_end").usize(), 1);
}

#[test]
fn containment_is_reported_for_each_side() {
    // B's passage bridges three extra words, so B's span has shingles A's
    // lacks (and holds an 8-word anchor: "the minister ... in Baku").
    let a = "Officials said the minister met the Latvian delegation in Baku on Thursday to discuss security \
             cooperation and military education programs in the region.";
    let b = "The minister met the Latvian delegation in Baku, the capital city, on Thursday to discuss security \
             cooperation and military education programs in the region.";
    let (a_file, b_file) = (TempPath::file("contain-a.txt", a), TempPath::file("contain-b.txt", b));
    let report = run_json(&a_file, &b_file);
    let library = Detector::builder().build().unwrap().compare(a, b);
    let passages = report.get("passages").arr();
    assert_eq!(passages.len(), library.passages.len());
    assert!(!passages.is_empty());
    for (p, lib) in passages.iter().zip(&library.passages) {
        assert_ne!(lib.containment_a, lib.containment_b, "the case must be asymmetric");
        assert_eq!(p.get("containment_a").num(), lib.containment_a);
        assert_eq!(p.get("containment_b").num(), lib.containment_b);
        assert_eq!(p.get("similarity").num(), lib.similarity);
    }
}

// ---------------------------------------------------------------------------
// The `tune` example

fn run_tune(args: &[&str]) -> Run {
    run_exe(tune_exe(), args, &[])
}

#[test]
fn tune_prints_the_advice_for_the_threshold() {
    let r = run_tune(&["--threshold", "0.6", "--hashes", "128"]);
    assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");
    let advice = neardup::advisor::advise(0.6, 128).unwrap();
    // The example prints exactly the library's report...
    assert_eq!(r.stdout, advice.to_string());
    // ...which names the parameters, tabulates the curve and gives the rates.
    let (b, rows) = (advice.lsh.bands, advice.lsh.rows);
    assert!(r.stdout.contains(&format!("{b} bands × {rows} rows = {} hash values used", b * rows)), "{}", r.stdout);
    for p in &advice.curve {
        let row = format!("  {:>5.3}  {:>6.4}", p.similarity, p.probability);
        assert!(r.stdout.lines().any(|l| l.starts_with(&row)), "no row {row:?}:\n{}", r.stdout);
    }
    assert_eq!(r.stdout.lines().filter(|l| l.ends_with("← threshold")).count(), 1);
    for needle in ["false positives", "false negatives", "miss at threshold", "Index memory per unit"] {
        assert!(r.stdout.contains(needle), "no {needle:?}:\n{}", r.stdout);
    }
    assert!(r.stdout.contains(&format!("{:>5} bytes", advice.memory.merged_bytes_per_unit)));

    // Defaults and the other spellings.
    let default = run_tune(&[]);
    assert_eq!(default.stdout, neardup::advisor::advise(0.5, 128).unwrap().to_string());
    let spelled = run_tune(&["--threshold=0.6", "--num-hashes=128"]);
    assert_eq!(spelled.stdout, r.stdout);
    let mut config = Config::default();
    config.bands_rows = Some((16, 8));
    config.shingle_size = 4;
    let explicit = run_tune(&["--bands-rows", "16,8", "--shingle-size", "4"]);
    assert_eq!(explicit.stdout, neardup::advisor::advise_config(&config).unwrap().to_string(), "{explicit:?}");
}

/// `--words N` adds the expected index size, as `IndexSize::estimate`
/// gives it, by part; the model is the one the index's own memory follows
/// (checked against a real index here).
#[test]
fn tune_prints_the_expected_index_size() {
    let r = run_tune(&["--words", "200000000", "--articles", "1000000"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let config = Config::default();
    let size = neardup::advisor::IndexSize::estimate(&config, 200_000_000, 1_000_000, false);
    let line =
        format!("expected index size for 200000000 words in 1000000 articles: {:.0} MB", size.total() as f64 / 1e6);
    assert!(r.stdout.contains(&line) && r.stdout.contains("texts on disk"), "{line:?} in\n{}", r.stdout);
    let in_memory = run_tune(&["--words", "200000000", "--texts-in-memory"]);
    assert!(in_memory.stdout.contains("in 1000000 articles") && in_memory.stdout.contains("MB in memory)"));
    assert_eq!(run_tune(&["--articles", "5"]).code, Some(2));

    // The model against an index of real text: the run table within the
    // estimate's bounds (16 to 20.8 bytes per entry of the winnowing
    // density), the total within a factor of two.
    let (a, b) = crate::seed_pair();
    let d = neardup::Detector::builder().build().unwrap();
    let mut index = d.index();
    let mut words = 0u64;
    for i in 0..400u64 {
        let text = format!("{} {}", if i % 2 == 0 { &a } else { &b }, i);
        words += d.analyze(&text).tokens.len() as u64;
        index.insert(i, &text).unwrap();
    }
    let estimate = neardup::advisor::IndexSize::estimate(&config, words, 400, true);
    let memory = index.memory();
    let ratio = memory.total() as f64 / estimate.total() as f64;
    assert!((0.5..2.0).contains(&ratio), "index {memory:?} against the estimate {estimate:?}");
}

#[test]
fn tune_writes_the_svg_plot() {
    let svg = TempPath::new("curve.svg");
    let r = run_exe(tune_exe(), [OsStr::new("--threshold=0.7"), OsStr::new("--svg"), svg.as_ref()], &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let written = std::fs::read_to_string(&svg.0).expect("the SVG is written");
    assert_eq!(written, neardup::advisor::advise(0.7, 128).unwrap().to_svg());
}

#[test]
fn tune_json_needs_serde_and_then_is_the_advice() {
    let r = run_tune(&["--threshold", "0.6", "--json"]);
    if cfg!(feature = "serde") {
        assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");
        let json = Json::parse(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout));
        let advice = neardup::advisor::advise(0.6, 128).unwrap();
        assert_eq!(json.get("threshold").num(), 0.6);
        assert_eq!(json.get("lsh").get("bands").usize(), advice.lsh.bands);
        assert_eq!(json.get("lsh").get("rows").usize(), advice.lsh.rows);
        assert_eq!(json.get("false_positive_rate").num(), advice.false_positive_rate);
        assert_eq!(json.get("false_negative_rate").num(), advice.false_negative_rate);
        assert_eq!(json.get("curve").arr().len(), advice.curve.len());
        assert_eq!(json.get("memory").get("merged_bytes_per_unit").usize(), advice.memory.merged_bytes_per_unit);
    } else {
        assert_eq!(r.code, Some(2), "{r:?}");
        assert_eq!(r.stdout, "");
        assert!(r.stderr.starts_with("tune: --json needs the serde feature"), "{r:?}");
        assert_eq!(r.stderr.lines().count(), 1);
    }
}

#[test]
fn tune_help_and_errors() {
    let help = run_tune(&["--help"]);
    assert_eq!(help.code, Some(0));
    for option in ["--threshold", "--hashes", "--shingle-size", "--bands-rows", "--svg", "--json", "--help"] {
        assert!(help.stdout.contains(option), "--help does not document {option}:\n{}", help.stdout);
    }
    let unwritable = TempPath::new("no-such-dir");
    let unwritable = unwritable.0.join("curve.svg");
    let unwritable = unwritable.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--threshold", "0"], "--threshold"),
        (&["--threshold=1.5"], "--threshold"),
        (&["--threshold", "x"], "--threshold"),
        (&["--hashes", "0"], "--hashes"),
        (&["--hashes=100000"], "--hashes"),
        (&["--shingle-size", "0"], "--shingle-size"),
        (&["--bands-rows", "20,7"], "--bands-rows"),
        (&["--bands-rows", "20"], "--bands-rows"),
        (&["--threshold"], "--threshold"),
        (&["--json=1"], "--json"),
        (&["--bogus"], "--bogus"),
        (&["stray"], "stray"),
        (&["--svg", unwritable], unwritable),
    ];
    for (args, needle) in cases {
        let r = run_tune(args);
        let what = format!("tune {args:?}: {r:?}");
        assert_eq!(r.code, Some(2), "{what}");
        assert_eq!(r.stdout, "", "{what}");
        assert!(r.stderr.starts_with("tune: ") && r.stderr.lines().count() == 1, "{what}");
        assert!(r.stderr.contains(needle), "{what}");
        assert!(!r.stderr.contains("panicked"), "{what}");
    }
}

// ---------------------------------------------------------------------------
// Colour, width and the gutter

/// `s` without its SGR escape sequences (`ESC [ ... m`).
fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('m').expect("an SGR sequence ends with m");
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn colour_is_explicit_or_for_terminals_only_and_only_adds_escapes() {
    let plain = run_ok(["--color=never", SEED_A, SEED_B]);
    assert!(!plain.contains('\x1b'));
    assert_eq!(run_ok([SEED_A, SEED_B]), plain, "auto: stdout is a pipe here");
    let r = run_exe(compare_exe(), ["--color", "always", SEED_A, SEED_B], &[("NO_COLOR", Some("1"))]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let coloured = r.stdout;
    assert!(coloured.contains("\x1b[1mPassage 1 (exact)\x1b[0m"), "--color always beats NO_COLOR:\n{coloured}");
    assert_eq!(strip_sgr(&coloured), plain, "colour changes nothing but the escapes");
    // Where a passage differs, the words found on one side only stand out:
    // A has "Bergmanis noted", B "He noted".
    assert!(coloured.contains("\x1b[1;31mBergmanis\x1b[0m noted that Latvia"), "{coloured}");
    assert!(coloured.contains("\x1b[1;32mHe\x1b[0m noted that Latvia"), "{coloured}");
    assert_eq!(coloured.matches("\x1b[1;31m").count(), 1, "only the changed word of A:\n{coloured}");
    assert_eq!(coloured.matches("\x1b[1;32m").count(), 1, "only the changed word of B:\n{coloured}");
    // With rewritten passages, the lead is one passage whose words one
    // side lacks are marked wherever they are: 000's "with", 001's "have".
    let r = run_exe(compare_exe(), ["--color", "always", "--rewritten", "true", SEED_A, SEED_B], &[]);
    assert!(r.stdout.contains("\x1b[1mPassage 1 (rewritten)\x1b[0m"), "{}", r.stdout);
    assert!(r.stdout.contains("\x1b[1;31mwith\x1b[0m member of"), "{}", r.stdout);
    assert!(r.stdout.contains("\x1b[1;32mhave\x1b[0m"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("\x1b[1;31m").count(), 2, "{}", r.stdout);
    assert_fails(&[OsStr::new("--color=sometimes"), OsStr::new(SEED_A), OsStr::new(SEED_B)], "--color");
}

/// Runs the example under a pseudo-terminal (`script`, from util-linux),
/// so that stdout is a terminal. `None` if `script` is not installed.
fn run_in_terminal(args: &[&str], env: &[(&str, Option<&str>)]) -> Option<String> {
    let probe = Command::new("script").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return None;
    }
    let mut command = String::from("exec \"$EXE\"");
    for i in 0..args.len() {
        command.push_str(&format!(" \"$ARG{i}\""));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"]).env("EXE", compare_exe()).env("SHELL", "/bin/sh");
    for (i, arg) in args.iter().enumerate() {
        cmd.env(format!("ARG{i}"), arg);
    }
    for &(key, value) in env {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output().expect("script runs");
    assert!(out.status.success(), "{out:?}");
    Some(String::from_utf8(out.stdout).expect("UTF-8").replace("\r\n", "\n"))
}

#[test]
fn on_a_terminal_colour_follows_no_color_and_width_follows_columns() {
    let plain = run_ok(["--color=never", SEED_A, SEED_B]);
    let Some(tty) = run_in_terminal(&[SEED_A, SEED_B], &[("NO_COLOR", None), ("COLUMNS", None)]) else { return };
    assert!(tty.contains("\x1b[1mPassage 1 (exact)\x1b[0m"), "colour on a terminal:\n{tty}");
    assert_eq!(strip_sgr(&tty), plain);
    let tty = run_in_terminal(&[SEED_A, SEED_B], &[("NO_COLOR", Some("1")), ("COLUMNS", None)]).unwrap();
    assert_eq!(tty, plain, "NO_COLOR turns colour off");
    let tty = run_in_terminal(&[SEED_A, SEED_B], &[("NO_COLOR", Some("")), ("COLUMNS", Some("60"))]).unwrap();
    assert!(tty.contains('\x1b'), "an empty NO_COLOR is unset");
    let narrow = strip_sgr(&tty);
    assert_eq!(narrow, run_ok(["--width=60", SEED_A, SEED_B]), "COLUMNS is the terminal's width");
}

#[test]
fn width_wraps_text_and_cuts_only_words_that_cannot_fit() {
    let a = read(SEED_A);
    for width in [40, 60, 200] {
        let out = run_ok([format!("--width={width}").as_str(), SEED_A, SEED_B]);
        for line in out.lines().filter(|l| l.contains('│')) {
            assert!(line.chars().count() <= width, "{width}: {line:?}");
        }
        // Still every word of every passage, in order.
        let lines: Vec<&str> = out.lines().collect();
        let report = run_json(SEED_A, SEED_B);
        let shown: Vec<Vec<&str>> = ["  text (the same in A and B):", "  A text:"]
            .iter()
            .flat_map(|h| {
                let starts: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == *h).collect();
                starts.into_iter().map(|i| shown_words(&text_under(&lines[i..], h).unwrap())).collect::<Vec<_>>()
            })
            .collect();
        let all: Vec<&str> = shown.iter().flatten().copied().collect();
        let expected: usize = report.get("passages").arr().iter().map(|p| words(&a[p.get("a").span()]).len()).sum();
        assert_eq!(all.len(), expected, "{width}");
    }
    assert_fails(&[OsStr::new("--width=39"), OsStr::new(SEED_A), OsStr::new(SEED_B)], "--width");
    assert_fails(&[OsStr::new("--width"), OsStr::new("wide"), OsStr::new(SEED_A), OsStr::new(SEED_B)], "--width");

    // A word longer than a line (a URL) is cut into pieces that fit, which
    // put together are the word; wide (CJK) characters count two columns.
    let url = format!("https://example.com/{}", "very-long-path-segment/".repeat(8));
    let han = "日本語の文章".repeat(12);
    let sentence = format!(
        "The ministry published the full statement on its website at {url} together with the annex {han} today."
    );
    let a_file = TempPath::file("long-a.txt", format!("Intro. {sentence}"));
    let b_file = TempPath::file("long-b.txt", format!("{sentence} Outro."));
    let out = run_ok([OsStr::new("--width=60"), a_file.as_ref(), b_file.as_ref()]);
    let lines: Vec<&str> = out.lines().collect();
    let shown = text_under(&lines, "  text (the same in A and B):").expect("one shared passage");
    for line in lines.iter().filter(|l| l.contains('│')) {
        let columns: usize = line.chars().map(|c| if ('\u{3040}'..='\u{9fff}').contains(&c) { 2 } else { 1 }).sum();
        assert!(columns <= 60, "{line:?} takes {columns} columns");
    }
    assert!(shown.len() > 4, "wrapped: {shown:?}");
    let joined: String = shown.iter().map(|s| s.text).collect::<Vec<_>>().join("");
    assert!(joined.contains(&url), "the URL's pieces put together: {joined}");
    assert!(joined.contains(&han));
}

// ---------------------------------------------------------------------------
// Bounded reading

/// Runs `compare` under a limit of 1 GB of address space (so that a
/// build that reads an endless device whole fails here instead of taking
/// the machine's memory), its standard input fed by the shell command
/// `feed` (if not empty), and expects the one-line error of `assert_fails`.
#[cfg(unix)]
fn assert_fails_within_1gb(feed: &str, args: &[&str], needle: &str) {
    let pipe = if feed.is_empty() { String::new() } else { format!("{feed} | ") };
    let out = Command::new("sh")
        .args(["-c", &format!("ulimit -v 1000000 && {pipe}\"$0\" \"$@\"")])
        .arg(compare_exe())
        .args(args)
        .output()
        .expect("sh can be run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let what = format!("compare {args:?}: {out:?}");
    assert_eq!(out.status.code(), Some(2), "{what}");
    assert!(out.stdout.is_empty(), "{what}");
    assert!(stderr.starts_with("compare: ") && stderr.lines().count() == 1, "{what}");
    assert!(stderr.contains(needle), "stderr does not name {needle:?}: {what}");
}

#[cfg(unix)]
#[test]
fn endless_devices_fail_at_once_with_one_line() {
    let started = std::time::Instant::now();
    let zero = "/dev/zero: input looks binary, not text: NUL byte at byte offset 0";
    assert_fails_within_1gb("", &["/dev/zero", SEED_A], zero);
    assert_fails_within_1gb("", &[SEED_A, "/dev/zero"], zero);
    // Random bytes are not UTF-8 within the first few bytes.
    assert_fails_within_1gb("", &["/dev/urandom", SEED_A], "/dev/urandom: input is not valid UTF-8");
    // Endless text: refused at the bound, without reading on.
    assert_fails_within_1gb(
        "yes 'Endless text, line after line.'",
        &["--max-bytes=1M", "/dev/stdin", SEED_A],
        "/dev/stdin: input is larger than the maximum of 1048576 bytes; see --max-bytes",
    );
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn a_file_past_max_bytes_fails_with_one_line_naming_it() {
    let text = "Plain text, one hundred and one bytes long, more or less: it does not matter what the words say.....\n";
    assert_eq!(text.len(), 101);
    let file = TempPath::file("101-bytes.txt", text);
    let name = file.0.to_str().unwrap();
    let small = TempPath::file("small.txt", "A short text within the bound.\n");
    for (a, b) in [(file.as_ref(), small.as_ref()), (small.as_ref(), file.as_ref())] {
        assert_fails(&[OsStr::new("--max-bytes"), OsStr::new("100"), a, b], name);
        assert_fails(
            &[OsStr::new("--max-bytes=100"), a, b],
            &format!("{name}: input of 101 bytes is larger than the maximum of 100 bytes; see --max-bytes"),
        );
    }
    // At the bound, and the seed files under the default bound.
    let r = run([OsStr::new("--max-bytes=101"), file.as_ref(), file.as_ref()]);
    assert_eq!(r.code, Some(0), "{r:?}");
    run_ok([OsStr::new("--max-bytes=4K"), OsStr::new(SEED_A), OsStr::new(SEED_B)]);
    assert_fails(&[OsStr::new("--max-bytes=1K"), OsStr::new(SEED_A), OsStr::new(SEED_B)], SEED_A);
}

#[test]
fn utf16_files_fail_with_a_hint_to_convert_them() {
    let text = std::fs::read_to_string(SEED_A).unwrap();
    let le: Vec<u8> = [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let le = TempPath::file("utf16le.txt", le);
    let be = TempPath::file("utf16be.txt", be);
    let seed = OsStr::new(SEED_A);
    assert_fails(&[le.as_ref(), seed], &format!("{}: input looks like UTF-16LE", le.0.display()));
    assert_fails(&[seed, le.as_ref()], "`iconv -f UTF-16 -t UTF-8`");
    assert_fails(&[seed, be.as_ref()], "input looks like UTF-16BE (NUL bytes at every other position)");
    assert_fails(&[seed, be.as_ref()], "`iconv -f UTF-16BE -t UTF-8`");
}

/// A UTF-8 byte-order mark is kept (a decision, not a fix): offsets are
/// into the file as it is on disk.
#[test]
fn a_utf8_byte_order_mark_is_kept_and_offsets_are_into_the_file() {
    let text = std::fs::read_to_string(SEED_A).unwrap();
    let with_bom = TempPath::file("bom.txt", format!("\u{feff}{text}"));
    let report = run_json(&with_bom, SEED_A);
    let passages = report.get("passages").arr();
    assert!(!passages.is_empty());
    let on_disk = std::fs::read_to_string(&with_bom.0).unwrap();
    for p in passages {
        let (a, b) = (p.get("a").span(), p.get("b").span());
        assert_eq!(&on_disk[a.start..a.end], &text[b.start..b.end], "offsets into the file with its mark");
        assert_eq!(a.start, b.start + 3);
    }
}
