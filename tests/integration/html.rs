//! The HTML report of `compare --html`, through the example as a user runs
//! it: the seed pair, hostile text and names, empty texts and line ends,
//! right-to-left text. Reports the program cannot produce from two files
//! (overlapping passages, boilerplate) are rendered by the unit tests of its
//! module, `examples/compare/html.rs` (run by `cargo test`).
//!
//! The page is read back the way a browser would see its text: tags
//! dropped, the five entities the renderer writes decoded. Since every `<`
//! of the texts is escaped, that is exact. The real-browser check (headless
//! Chromium, script errors, hover/click linking) is `tests/browser/check.sh`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use neardup::{Detector, Report};

use crate::cli::compare_exe;

const SEED_A: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/001_8d763c1f7bf3de18.txt");

// ---------------------------------------------------------------------------
// Reading a page back

/// `html` with tags dropped and entities decoded.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let gt = rest[lt..].find('>').expect("tags are closed");
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    assert!(!out.contains('<') && !out.contains('>'), "a raw angle bracket in text: {out}");
    // `&amp;` last, so that an escaped entity in the text stays one.
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// `page` without the contents of its `<script>` and `<style>` elements.
fn markup(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some((at, tag)) = ["<script", "<style"].iter().filter_map(|t| rest.find(t).map(|at| (at, *t))).min() {
        let close = if tag == "<script" { "</script>" } else { "</style>" };
        let open_end = at + rest[at..].find('>').unwrap() + 1;
        out.push_str(&rest[..open_end]);
        rest = &rest[open_end + rest[open_end..].find(close).expect("closed")..];
    }
    out.push_str(rest);
    out
}

/// The start and end tags of `page` (outside scripts and style sheets).
fn tags(page: &str) -> Vec<String> {
    let markup = markup(page);
    let mut out = Vec::new();
    let mut rest = markup.as_str();
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..].find('>').expect("tags are closed");
        out.push(rest[lt..lt + gt + 1].to_owned());
        rest = &rest[lt + gt + 1..];
    }
    out
}

/// The text of the page's header.
fn header_text(page: &str) -> String {
    text_of(&page[page.find("<header>").unwrap()..page.find("</header>").unwrap()])
}

/// The inner HTML of article `id`'s text body.
fn body<'a>(page: &'a str, id: &str) -> &'a str {
    let article = page.find(&format!("<article id=\"{id}\"")).unwrap_or_else(|| panic!("no article {id}"));
    let open = article + page[article..].find("<div class=\"body\"").expect("a body");
    let start = open + page[open..].find('>').unwrap() + 1;
    let end = start + page[start..].find("</div>").expect("the body ends");
    &page[start..end]
}

/// Every `<mark>` of a body: its passage ids and its text.
fn marks(body: &str) -> Vec<(Vec<usize>, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("<mark ") {
        let open_end = at + rest[at..].find('>').unwrap();
        let tag = &rest[at..open_end];
        let ids = attr(tag, "data-p").split(' ').map(|n| n.parse().expect("a passage number")).collect();
        let close = open_end + rest[open_end..].find("</mark>").expect("marks are closed");
        out.push((ids, text_of(&rest[open_end + 1..close])));
        rest = &rest[close..];
    }
    out
}

/// The value of attribute `name` in a start tag.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
    &tag[at..at + tag[at..].find('"').unwrap()]
}

/// The text of passage `id` in a body: its marks' texts, in order.
fn passage_text(body: &str, id: usize) -> String {
    marks(body).into_iter().filter(|(ids, _)| ids.contains(&id)).map(|(_, t)| t).collect()
}

/// Characters of `text` as a browser's DOM holds them: the HTML parser
/// turns `\r\n` and a lone `\r` into `\n`.
fn dom_chars(text: &str) -> usize {
    text.chars().count() - text.matches("\r\n").count()
}

/// Checks what every page must satisfy, for texts `a` and `b`.
fn check_page(page: &str, report: &Report, a: &str, b: &str) {
    // Self-contained: nothing is loaded from anywhere.
    for needle in ["url(", "@import", "http://", "https://"] {
        assert!(!page.contains(needle), "the page refers to {needle:?}");
    }
    for tag in tags(page) {
        for name in ["src", "href", "srcset", "action"] {
            assert!(!tag.contains(&format!(" {name}=")), "{tag}");
        }
    }
    assert_eq!(page.matches("<script").count(), 2, "exactly the page's own two scripts");
    assert!(page.contains("content=\"default-src 'none'; "), "and the browser is told so");
    assert!(page.contains(&format!("data-expected=\"{}\"", report.passages.len())));
    for (id, text, side) in [("a", a, 0), ("b", b, 1)] {
        let html = body(page, id);
        assert_eq!(text_of(html), text, "article {id} is the text, every character");
        let chars = attr(&page[page.find(&format!("<article id=\"{id}\"")).unwrap()..], "data-chars");
        assert_eq!(chars.parse::<usize>().unwrap(), dom_chars(text));
        // Every passage is marked, exactly over its span.
        for (i, p) in report.passages.iter().enumerate() {
            let span = if side == 0 { p.a } else { p.b };
            assert_eq!(passage_text(html, i + 1), text[span], "passage {} in {id}", i + 1);
        }
        let ids: BTreeSet<usize> = marks(html).into_iter().flat_map(|(ids, _)| ids).collect();
        assert_eq!(ids, (1..=report.passages.len()).collect(), "{id}");
        // One label per passage per side.
        assert_eq!(html.matches(" data-label=\"").count(), report.passages.len());
    }
}

// ---------------------------------------------------------------------------
// Through the example

fn compare_html(a: &OsStr, b: &OsStr) -> (String, String) {
    compare_html_in(Path::new("."), a, b)
}

/// Runs `compare --html` in directory `dir`; the page and stdout.
fn compare_html_in(dir: &Path, a: &OsStr, b: &OsStr) -> (String, String) {
    let out_path = temp(&format!("{}.html", a.len() + 31 * b.len()));
    let run = Command::new(compare_exe()).current_dir(dir).arg("--html").arg(&out_path).arg(a).arg(b).output().unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    let page = std::fs::read_to_string(&out_path).expect("the page is written");
    let _ = std::fs::remove_file(&out_path);
    (page, String::from_utf8(run.stdout).unwrap())
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("neardup-html-{}-{name}", std::process::id()))
}

#[test]
fn seed_pair_page_shows_both_texts_with_every_passage_marked_on_both_sides() {
    let (a, b) = (std::fs::read_to_string(SEED_A).unwrap(), std::fs::read_to_string(SEED_B).unwrap());
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    assert_eq!(report.passages.len(), 4, "the seed pair shares four passages");
    let (page, stdout) = compare_html(OsStr::new(SEED_A), OsStr::new(SEED_B));
    check_page(&page, &report, &a, &b);

    // The report on stdout is the usual one.
    let plain = Command::new(compare_exe()).args([SEED_A, SEED_B]).output().unwrap();
    assert_eq!(stdout.as_bytes(), plain.stdout);

    // The header: both names, coverage both ways, the passages.
    let header = &page[page.find("<header>").unwrap()..page.find("</header>").unwrap()];
    let header_text = header_text(&page);
    for needle in [
        SEED_A.to_owned(),
        SEED_B.to_owned(),
        format!(
            "{:.1}% of A is inside passages shared with B ({} of {} words)",
            100.0 * report.a_coverage(),
            report.a_covered_words,
            report.a_words
        ),
        format!(
            "{:.1}% of B is inside passages shared with A ({} of {} words)",
            100.0 * report.b_coverage(),
            report.b_covered_words,
            report.b_words
        ),
        "4 shared passages".to_owned(),
    ] {
        assert!(header_text.contains(&needle), "no {needle:?} in the header:\n{header_text}");
    }
    assert_eq!(header.matches("class=\"chip\"").count(), 4);

    // Same colour on both sides: a passage's marks all carry one hue, and
    // different passages different hues.
    let hues: Vec<BTreeSet<String>> = (1..=4)
        .map(|id| {
            ["a", "b"]
                .iter()
                .flat_map(|side| {
                    let html = body(&page, side);
                    let mut found = Vec::new();
                    let mut rest = html;
                    while let Some(at) = rest.find("<mark ") {
                        let tag = &rest[at..at + rest[at..].find('>').unwrap()];
                        if attr(tag, "data-p").split(' ').next() == Some(&id.to_string()) {
                            found.push(attr(tag, "style").to_owned());
                        }
                        rest = &rest[at + 1..];
                    }
                    found
                })
                .collect()
        })
        .collect();
    for (i, h) in hues.iter().enumerate() {
        assert_eq!(h.len(), 1, "passage {} has one colour: {h:?}", i + 1);
    }
    assert_eq!(hues.iter().flatten().collect::<BTreeSet<_>>().len(), 4, "four colours");

    // Passage 3 reads "Bergmanis noted" in A and "He noted" in B: those
    // words, and only those, are marked as one side's own.
    for (side, word) in [("a", ["Bergmanis"]), ("b", ["He"])] {
        let only: Vec<&str> = body(&page, side)
            .match_indices("<span class=\"only\"")
            .map(|(at, _)| {
                let rest = &body(&page, side)[at..];
                let open = rest.find('>').unwrap() + 1;
                &rest[open..rest.find("</span>").unwrap()]
            })
            .collect();
        assert_eq!(only, word, "{side}");
    }

    // Line numbers: one per non-blank line, the file's numbering.
    let numbers: Vec<usize> = body(&page, "a")
        .match_indices("<span class=\"ln\" data-n=\"")
        .map(|(at, m)| {
            let rest = &body(&page, "a")[at + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    let non_blank: Vec<usize> = a.lines().enumerate().filter(|(_, l)| !l.is_empty()).map(|(i, _)| i + 1).collect();
    assert_eq!(numbers, non_blank);
}

#[test]
fn hostile_text_and_names_stay_inert_text() {
    let hostile = "The minister said <script>document.documentElement.dataset.pwned = 1</script> & \"quoted\" \
                   'words' </article></div><img src=x onerror=\"alert(1)\"> &amp; &lt;b&gt; <!-- in Baku today.";
    let dir = temp("hostile dir <u>&'\"");
    std::fs::create_dir_all(&dir).unwrap();
    let a_path = dir.join("a<img src=x onerror=alert(1)>.txt");
    let b_path = dir.join("b\"onmouseover=\"alert(2).txt");
    let (a, b) = (format!("Intro line here.\n\n{hostile}\n"), format!("{hostile} The end.\r\nMore <i>text</i>.\r\n"));
    std::fs::write(&a_path, &a).unwrap();
    std::fs::write(&b_path, &b).unwrap();
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    assert_eq!(report.passages.len(), 1, "the hostile sentence is the shared passage");
    let (page, _) = compare_html(a_path.as_os_str(), b_path.as_os_str());
    let _ = std::fs::remove_dir_all(&dir);

    check_page(&page, &report, &a, &b);
    for raw in ["<script>document", "<script>alert", "<img", "</article></div>", "<u>", "<i>", "<!--", "\"onmouseover"]
    {
        assert!(!page.contains(raw), "{raw:?} is in the page unescaped");
    }
    assert!(page.contains("&lt;script&gt;document.documentElement.dataset.pwned = 1&lt;/script&gt;"));
    assert!(page.contains("&amp;amp; &amp;lt;b&amp;gt;"), "entities in the text are shown, not decoded");
    assert!(page.contains("b&quot;onmouseover=&quot;alert(2).txt"), "the file name is escaped");
    let title = &page[page.find("<title>").unwrap()..page.find("</title>").unwrap()];
    assert!(title.contains("a&lt;img src=x onerror=alert(1)&gt;.txt"), "{title}");
}

#[test]
fn an_unwritable_html_file_fails_with_one_line_and_no_report() {
    let path = temp("no-such-dir").join("report.html");
    let run = Command::new(compare_exe()).arg("--html").arg(&path).args([SEED_A, SEED_B]).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(stderr.starts_with("compare: ") && stderr.lines().count() == 1, "{stderr}");
    assert!(stderr.contains(path.to_str().unwrap()), "{stderr}");
    let run = Command::new(compare_exe()).args(["--html", SEED_A, SEED_B]).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "--html takes the next argument as its file: one file left");
    let run = Command::new(compare_exe()).args(["--html=", SEED_A, SEED_B]).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("--html: missing value"));
}

#[test]
fn empty_texts_and_line_ends_render() {
    let dir = temp("line-ends");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let (html, _) = compare_html(empty.as_os_str(), empty.as_os_str());
    check_page(&html, &Report::default(), "", "");
    assert!(header_text(&html).contains("0 shared passages"));
    // The DOM turns \r\n and \r into \n: the character count says so.
    let ends = dir.join("ends.txt");
    std::fs::write(&ends, "a\r\nb\rc\n").unwrap();
    let (html, _) = compare_html(ends.as_os_str(), empty.as_os_str());
    assert!(html.contains("data-chars=\"6\""), "{html}");
    let text = "one\r\ntwo\rthree\n\nfour";
    let lines = dir.join("lines.txt");
    std::fs::write(&lines, text).unwrap();
    let (html, _) = compare_html(lines.as_os_str(), lines.as_os_str());
    let _ = std::fs::remove_dir_all(&dir);
    let report = Detector::builder().build().unwrap().compare(text, text);
    assert!(report.passages.is_empty(), "four words share no passage");
    check_page(&html, &report, text, text);
    let lines: Vec<&str> =
        body(&html, "a").match_indices("data-n=\"").map(|(i, _)| &body(&html, "a")[i + 8..i + 9]).collect();
    assert_eq!(lines, ["1", "2", "3", "5"], "line numbers count \\r\\n, \\r and \\n once; blank lines get none");
}

/// Right-to-left text (Arabic, Hebrew) is laid out right to left: every
/// text container and file name takes its direction from its first strong
/// character, and the style sheet moves the line numbers to the right of
/// a right-to-left text.
#[test]
fn right_to_left_texts_and_names_take_their_own_direction() {
    let arabic = "أعلن وزير الخارجية اليوم في باكو أن التعاون بين البلدين سيتوسع في مجالات الطاقة والنقل والتجارة. \
                  وقال إن الجانبين اتفقا على عقد اجتماع جديد في الخريف المقبل.\n";
    let hebrew = "שר החוץ הודיע היום בבאקו כי שיתוף הפעולה בין שתי המדינות יתרחב בתחומי האנרגיה והתחבורה.\n";
    let a = format!("{arabic}\n{hebrew}");
    let b = format!("Intro in English.\n\n{arabic}");
    let report = Detector::builder().build().unwrap().compare(&a, &b);
    assert!(!report.passages.is_empty(), "the Arabic paragraph is shared");
    // Run in the files' directory, so that the page names them as given.
    let dir = temp("rtl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("مقال.txt"), &a).unwrap();
    std::fs::write(dir.join("b.txt"), &b).unwrap();
    let (page, _) = compare_html_in(&dir, OsStr::new("مقال.txt"), OsStr::new("b.txt"));
    let _ = std::fs::remove_dir_all(&dir);
    check_page(&page, &report, &a, &b);
    let bodies: Vec<String> = tags(&page).into_iter().filter(|t| t.starts_with("<div class=\"body\"")).collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    for tag in &bodies {
        assert_eq!(attr(tag, "dir"), "auto", "{tag}");
    }
    let names: Vec<String> = tags(&page).into_iter().filter(|t| t.starts_with("<code")).collect();
    assert_eq!(names.len(), 2);
    assert!(names.iter().all(|t| attr(t, "dir") == "auto"), "{names:?}");
    assert!(page.contains("<h2><span class=\"tag\">A</span> <bdi>مقال.txt</bdi></h2>"), "the name is isolated");
    assert!(page.contains(".body:dir(rtl) .ln::before"), "line numbers move to the right of right-to-left text");
}
