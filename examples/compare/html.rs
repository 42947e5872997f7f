//! `compare --html`: the side-by-side HTML report of two texts.
//!
//! The page is one self-contained file: inline CSS and JavaScript, no
//! network, no external assets. Each text (and each file name) takes its
//! direction from its first strong character (`dir="auto"`), so Arabic or
//! Hebrew text reads right to left, with its line numbers on the right.
//! Every character of both texts is HTML-escaped; passages are `<mark>`
//! elements, split into segments wherever passages overlap, each passage in
//! its own colour on both sides.
//!
//! The page checks itself when it loads, and writes the result on its
//! `<html>` element for a headless browser to read (`--dump-dom`):
//! `data-passages` (passages with highlights in both articles),
//! `data-text` (`ok` when both articles hold exactly the texts' characters)
//! and `data-errors` (script errors). With `#selftest` in the URL it also
//! hovers, clicks and unpins every passage and counts in `data-linked` the
//! passages whose partner was marked from both sides
//! (`tests/browser/check.sh` does this in headless Chromium).
//!
//! Rendering is presentation, not detection: it lives in this program, not
//! in the library, and takes only the library's public `Report`. Take this
//! file (and `text.rs`) into a program of your own as it is.

use std::fmt::Write as _;

use neardup::{Config, Passage, Report, Span};

use crate::text::{Lines, passage_diff};

/// One of the two texts.
pub struct Side<'a> {
    /// What the reader calls it (a file name).
    pub name: &'a str,
    /// The whole text, as compared.
    pub text: &'a str,
}

/// Appends `s` HTML-escaped (safe in text and in quoted attribute values).
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` HTML-escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Characters of `text` as a browser's DOM holds them: the HTML parser
/// turns `\r\n` and a lone `\r` into `\n`.
fn dom_chars(text: &str) -> usize {
    text.chars().count() - text.matches("\r\n").count()
}

/// Byte spans of the words of `text[span]` (in `split_whitespace` order)
/// that `only` marks, as spans of `text`.
fn word_spans(text: &str, span: Span, only: &[bool]) -> Vec<Span> {
    let part = &text[span];
    part.split_whitespace()
        .zip(only)
        .filter(|&(_, &marked)| marked)
        .map(|(word, _)| {
            // `word` is a slice of `part`: its offset is the pointer distance.
            let start = span.start + (word.as_ptr() as usize - part.as_ptr() as usize);
            Span::new(start, start + word.len())
        })
        .collect()
}

/// Hue of passage `i` (golden-angle steps, so neighbours differ).
fn hue(i: usize) -> usize {
    (i * 137 + 200) % 360
}

/// What covers a stretch of one text.
#[derive(Clone, Debug, PartialEq)]
enum Cover {
    /// Not reused.
    None,
    /// Boilerplate only.
    Boiler,
    /// Passages (indices into the report's passages, increasing).
    Passages(Vec<usize>),
}

/// The segments of one text: maximal stretches covered by the same set of
/// passages (or boilerplate, or nothing), cut at every boundary.
fn segments(len: usize, passages: &[Span], boilerplate: &[Span]) -> Vec<(Span, Cover)> {
    let mut cuts: Vec<usize> = vec![0, len];
    for s in passages.iter().chain(boilerplate) {
        cuts.push(s.start.min(len));
        cuts.push(s.end.min(len));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(Span, Cover)> = Vec::new();
    for w in cuts.windows(2) {
        let span = Span::new(w[0], w[1]);
        let ids: Vec<usize> = (0..passages.len()).filter(|&i| passages[i].contains(span)).collect();
        let cover = if !ids.is_empty() {
            Cover::Passages(ids)
        } else if boilerplate.iter().any(|b| b.contains(span)) {
            Cover::Boiler
        } else {
            Cover::None
        };
        match out.last_mut() {
            Some((last, c)) if *c == cover => last.end = span.end,
            _ => out.push((span, cover)),
        }
    }
    out
}

/// The empty line-number marker of the line starting at `offset`, if a
/// non-blank line starts there.
fn line_marker(text: &str, offset: usize, lines: &Lines) -> Option<String> {
    let line = lines.starts().binary_search(&offset).ok()?;
    let blank = text[offset..].is_empty() || text[offset..].starts_with(['\n', '\r']);
    (!blank).then(|| format!(r#"<span class="ln" data-n="{}"></span>"#, line + 1))
}

/// Writes `text[span]` escaped, with an empty line-number marker at the
/// start of every non-blank line (but the first byte's, if `skip_first`)
/// and the words of `only` (sorted, disjoint word spans: never across a
/// line start) wrapped in `<span class="only">`.
fn write_text(out: &mut String, text: &str, span: Span, lines: &Lines, skip_first: bool, only: &[Span]) {
    let starts = lines.starts();
    let line_starts = &starts[starts.partition_point(|&s| s < span.start)..];
    let line_starts = &line_starts[..line_starts.partition_point(|&s| s < span.end)];
    let only = &only[only.partition_point(|w| w.end <= span.start)..];
    let only: Vec<Span> = only
        .iter()
        .take_while(|w| w.start < span.end)
        .map(|w| Span::new(w.start.max(span.start), w.end.min(span.end)))
        .collect();
    // Events in order; at one offset: a word ends, a line starts, a word starts.
    let mut events: Vec<(usize, u8)> = Vec::with_capacity(line_starts.len() + 2 * only.len());
    events.extend(line_starts.iter().map(|&s| (s, 1)));
    for w in &only {
        events.push((w.start, 2));
        events.push((w.end, 0));
    }
    events.sort_unstable();
    let mut at = span.start;
    for (pos, kind) in events {
        escape_into(out, &text[at..pos]);
        at = pos;
        match kind {
            0 => out.push_str("</span>"),
            1 => {
                if !(skip_first && pos == span.start)
                    && let Some(marker) = line_marker(text, pos, lines)
                {
                    out.push_str(&marker);
                }
            }
            _ => out.push_str(r#"<span class="only" title="Not in the other text">"#),
        }
    }
    escape_into(out, &text[at..span.end]);
}

/// The tooltip of a passage.
fn title(i: usize, p: &Passage, a_lines: &Lines, b_lines: &Lines) -> String {
    let (a1, a2) = a_lines.of(p.a);
    let (b1, b2) = b_lines.of(p.b);
    let range = |x: usize, y: usize| if x == y { format!("line {x}") } else { format!("lines {x}–{y}") };
    format!(
        "Passage {} ({}): A {}, B {}; {} shared words, similarity {:.3}, bag similarity {:.3}",
        i + 1,
        p.kind.as_str(),
        range(a1, a2),
        range(b1, b2),
        p.matched_words,
        p.similarity,
        p.bag_similarity
    )
}

/// One article: its text with the passages marked, and the words of its
/// passages that the other side lacks (`only`, sorted).
fn write_article(out: &mut String, id: &str, side: &Side, report: &Report, titles: &[String], only: &[Span]) {
    let is_a = id == "a";
    let spans: Vec<Span> = report.passages.iter().map(|p| if is_a { p.a } else { p.b }).collect();
    let boiler: Vec<Span> = report.boilerplate.iter().map(|p| if is_a { p.a } else { p.b }).collect();
    let lines = Lines::new(side.text);
    let (words, shared) =
        if is_a { (report.a_words, report.a_covered_words) } else { (report.b_words, report.b_covered_words) };
    let _ = write!(
        out,
        r#"<article id="{id}" aria-label="{} text"><h2><span class="tag">{}</span> <bdi>{}</bdi></h2><div class="body" dir="auto" data-chars="{}">"#,
        id.to_uppercase(),
        id.to_uppercase(),
        escape(side.name),
        dom_chars(side.text)
    );
    let mut started = vec![false; spans.len()];
    for (span, cover) in segments(side.text.len(), &spans, &boiler) {
        match cover {
            Cover::None => write_text(out, side.text, span, &lines, false, &[]),
            Cover::Boiler => {
                out.push_str(r#"<span class="boiler" title="Boilerplate: recurs across the corpus, not counted">"#);
                write_text(out, side.text, span, &lines, false, &[]);
                out.push_str("</span>");
            }
            Cover::Passages(ids) => {
                // A line number goes before the passage's label, not after.
                let marker = line_marker(side.text, span.start, &lines);
                out.push_str(marker.as_deref().unwrap_or(""));
                let first = ids[0];
                let start = !std::mem::replace(&mut started[first], true);
                let ids_attr: Vec<String> = ids.iter().map(|i| (i + 1).to_string()).collect();
                let _ = write!(
                    out,
                    r#"<mark class="p{}{}" data-p="{}" style="--h:{}" title="{}""#,
                    if ids.len() > 1 { " multi" } else { "" },
                    if start { " start" } else { "" },
                    ids_attr.join(" "),
                    hue(first),
                    escape(&titles[first]),
                );
                if start {
                    let _ = write!(out, r#" data-label="{}""#, first + 1);
                }
                out.push('>');
                write_text(out, side.text, span, &lines, marker.is_some(), only);
                out.push_str("</mark>");
            }
        }
    }
    let _ = writeln!(
        out,
        "</div><p class=\"foot\">{} words, {} in passages ({:.1}%)</p></article>",
        words,
        shared,
        100.0 * if words == 0 { 0.0 } else { shared as f64 / words as f64 }
    );
}

/// The whole page.
pub fn render(report: &Report, a: &Side, b: &Side, config: &Config) -> String {
    let (a_lines, b_lines) = (Lines::new(a.text), Lines::new(b.text));
    let titles: Vec<String> =
        report.passages.iter().enumerate().map(|(i, p)| title(i, p, &a_lines, &b_lines)).collect();
    let n = report.passages.len();
    let mut out = String::with_capacity(a.text.len() + b.text.len() + 16_384);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\" data-errors=\"0\" data-expected=\"{n}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <title>{} ↔ {} — shared passages</title>\n<script>{ERRORS_JS}</script>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(a.name),
        escape(b.name)
    );
    // Header: files, coverage both ways, passages.
    out.push_str("<header>\n<h1>Shared passages</h1>\n<div class=\"files\">\n");
    for (tag, side, other, shared, words) in
        [("A", a, "B", report.a_covered_words, report.a_words), ("B", b, "A", report.b_covered_words, report.b_words)]
    {
        let _ = writeln!(
            out,
            r#"<div class="file"><span class="tag">{tag}</span> <code dir="auto">{}</code><br><b>{:.1}%</b> of {tag} is inside passages shared with {other} <small>({shared} of {words} words)</small></div>"#,
            escape(side.name),
            100.0 * if words == 0 { 0.0 } else { shared as f64 / words as f64 },
        );
    }
    out.push_str("</div>\n<div class=\"summary\">");
    let _ = write!(out, "<b>{n}</b> shared passage{}", if n == 1 { "" } else { "s" });
    if !report.boilerplate.is_empty() {
        let _ = write!(out, " · {} boilerplate (muted, not counted)", report.boilerplate.len());
    }
    out.push_str("<nav aria-label=\"passages\">");
    for (i, p) in report.passages.iter().enumerate() {
        let _ = write!(
            out,
            r#"<button type="button" class="chip" data-p="{}" style="--h:{}" title="{}">{} <small>{}&nbsp;w</small></button>"#,
            i + 1,
            hue(i),
            escape(&titles[i]),
            i + 1,
            p.matched_words
        );
    }
    out.push_str("</nav>");
    let _ = writeln!(
        out,
        "<p class=\"hint\">Hover or click a highlighted passage to find its partner; Esc clears. \
         <span class=\"only\">Wavy</span> words are on one side only. \
         Settings: {}-word shingles, threshold {}, at least {} shared words, gaps up to {} words.</p></div>\n</header>",
        config.shingle_size, config.threshold, config.min_words, config.max_gap
    );
    out.push_str("<main>\n");
    // Where a passage reads differently on the two sides, the words of one
    // side only.
    let (mut a_only, mut b_only) = (Vec::new(), Vec::new());
    for p in &report.passages {
        let (a_part, b_part) = (&a.text[p.a], &b.text[p.b]);
        if a_part != b_part {
            let (a_marks, b_marks) = passage_diff(p.kind, a_part, b_part);
            a_only.extend(word_spans(a.text, p.a, &a_marks));
            b_only.extend(word_spans(b.text, p.b, &b_marks));
        }
    }
    for only in [&mut a_only, &mut b_only] {
        only.sort_unstable();
        only.dedup();
    }
    write_article(&mut out, "a", a, report, &titles, &a_only);
    write_article(&mut out, "b", b, report, &titles, &b_only);
    out.push_str("</main>\n");
    let _ = write!(out, "<script>{JS}</script>\n</body>\n</html>\n");
    out
}

/// Counts script errors on `<html data-errors>`; runs before anything else.
const ERRORS_JS: &str = "addEventListener('error', function () { var h = document.documentElement; \
h.dataset.errors = String(Number(h.dataset.errors || 0) + 1); });";

const CSS: &str = r#"
:root { --bg: #f3f1ec; --paper: #fff; --ink: #1f1f1f; --muted: #8a8a8a; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; background: var(--bg); color: var(--ink);
  font: 16px/1.6 Georgia, "Times New Roman", serif; }
header { padding: 0.8rem 1.5rem 0.6rem; font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  border-bottom: 1px solid #ddd8cc; background: #faf9f6; }
h1 { margin: 0 0 0.4rem; font-size: 1.15rem; font-weight: 600; }
.files { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; font-size: 0.9rem; }
.file code { font-size: 0.85rem; overflow-wrap: anywhere; }
.tag { display: inline-block; min-width: 1.5em; padding: 0 0.35em; border-radius: 4px; background: #3b3b3b;
  color: #fff; font: 600 0.8rem/1.5 system-ui, sans-serif; text-align: center; }
.summary { margin-top: 0.5rem; font-size: 0.9rem; }
nav { display: inline; margin-left: 0.6rem; }
.chip { margin: 0 0.25rem 0.25rem 0; padding: 0.05rem 0.5rem; border: 1px solid hsl(var(--h) 45% 45%);
  border-radius: 999px; background: hsl(var(--h) 85% 86%); font: 600 0.8rem/1.5 system-ui, sans-serif;
  cursor: pointer; color: #222; }
.chip small { font-weight: 400; color: #555; }
.chip.active { background: hsl(var(--h) 80% 68%); }
.hint { margin: 0.2rem 0 0; color: #666; font-size: 0.8rem; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: 1fr 1fr; gap: 1.25rem; padding: 1rem 1.5rem; }
article { position: relative; overflow-y: auto; background: var(--paper); border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,0.12); padding: 0.4rem 1.6rem 1rem 3.4rem; scroll-behavior: smooth; }
article h2 { position: sticky; top: -0.4rem; margin: 0 -1.6rem 0.6rem -3.4rem; padding: 0.5rem 1.6rem 0.5rem 3.4rem;
  background: #fff; border-bottom: 1px solid #eee; font: 600 0.9rem system-ui, sans-serif;
  overflow-wrap: anywhere; z-index: 1; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 42rem; }
.ln { position: relative; }
.ln::before { content: attr(data-n); position: absolute; right: 100%; margin-right: 1.1rem; top: 0.3em;
  color: #b9b5ab; font: 0.68rem/1 ui-monospace, Menlo, monospace; white-space: nowrap; user-select: none; }
article:has(> .body:dir(rtl)) { padding: 0.4rem 3.4rem 1rem 1.6rem; }
article:has(> .body:dir(rtl)) h2 { margin: 0 -3.4rem 0.6rem -1.6rem; padding: 0.5rem 3.4rem 0.5rem 1.6rem; }
.body:dir(rtl) .ln::before { right: auto; left: 100%; margin: 0 0 0 1.1rem; }
mark.p { color: inherit; background: hsl(var(--h) 90% 88%); border-bottom: 2px solid hsl(var(--h) 55% 55%);
  border-radius: 2px; cursor: pointer; transition: background 0.15s; }
mark.p.multi { background-image: repeating-linear-gradient(135deg, transparent 0 6px, rgba(0,0,0,0.06) 6px 8px); }
main.focus mark.p:not(.active) { background-color: hsl(var(--h) 70% 94%); border-bottom-color: hsl(var(--h) 40% 80%); }
mark.p.active { background-color: hsl(var(--h) 85% 72%); box-shadow: 0 0 0 2px hsl(var(--h) 60% 40%); }
mark.p.start::before { content: attr(data-label); display: inline-block; margin-inline-end: 0.25em; padding: 0 0.4em;
  border-radius: 999px; background: hsl(var(--h) 50% 38%); color: #fff; font: 700 0.68rem/1.45 system-ui, sans-serif;
  vertical-align: 0.12em; user-select: none; }
.only { color: #8e1b12; font-weight: 600; text-decoration: underline wavy #c0392b; text-decoration-thickness: 1px;
  text-underline-offset: 0.2em; text-decoration-skip-ink: none; }
.boiler { color: var(--muted); }
.foot { margin: 1rem 0 0; color: var(--muted); font: 0.8rem system-ui, sans-serif; }
@media (max-width: 900px) {
  body { display: block; height: auto; }
  .files, main { grid-template-columns: 1fr; }
  article { max-height: 75vh; }
}
@media (prefers-reduced-motion: reduce) { article { scroll-behavior: auto; } }
"#;

const JS: &str = r#"
(function () {
  'use strict';
  var root = document.documentElement;
  var panes = { a: document.getElementById('a'), b: document.getElementById('b') };
  var marks = { a: {}, b: {} };
  Object.keys(panes).forEach(function (side) {
    panes[side].querySelectorAll('mark.p').forEach(function (m) {
      m.dataset.p.split(' ').forEach(function (id) { (marks[side][id] = marks[side][id] || []).push(m); });
    });
  });
  var chips = {};
  document.querySelectorAll('.chip').forEach(function (c) { chips[c.dataset.p] = c; });
  var pinned = null;
  var hovered = null;

  function ids(el) { return el.dataset.p.split(' '); }
  function each(list, f) {
    list.forEach(function (id) {
      ['a', 'b'].forEach(function (side) { (marks[side][id] || []).forEach(f); });
      if (chips[id]) { f(chips[id]); }
    });
  }
  function show() {
    document.querySelectorAll('.active').forEach(function (el) { el.classList.remove('active'); });
    var active = (pinned || []).concat(hovered || []);
    each(active, function (el) { el.classList.add('active'); });
    document.querySelector('main').classList.toggle('focus', active.length > 0);
  }
  function visible(el, pane) {
    var r = el.getBoundingClientRect(), p = pane.getBoundingClientRect();
    return r.top >= p.top + 30 && r.top <= p.bottom - 20;
  }
  function reveal(side, id, always) {
    var first = (marks[side][id] || [])[0];
    if (first && (always || !visible(first, panes[side]))) {
      var top = first.offsetTop - panes[side].clientHeight / 3;
      panes[side].scrollTop = Math.max(0, top);
    }
  }
  function onMark(e) {
    var m = e.target.closest('mark.p');
    if (!m) { return null; }
    return { mark: m, side: m.closest('article').id, ids: ids(m) };
  }
  document.addEventListener('mouseover', function (e) {
    var hit = onMark(e);
    if (!hit) { return; }
    hovered = hit.ids;
    show();
    reveal(hit.side === 'a' ? 'b' : 'a', hit.ids[0], false);
  });
  document.addEventListener('mouseout', function (e) {
    if (onMark(e)) { hovered = null; show(); }
  });
  document.addEventListener('click', function (e) {
    var hit = onMark(e);
    if (hit) {
      pin(hit.ids);
      reveal(hit.side === 'a' ? 'b' : 'a', hit.ids[0], true);
      return;
    }
    var chip = e.target.closest('.chip');
    if (chip) {
      pin([chip.dataset.p]);
      reveal('a', chip.dataset.p, true);
      reveal('b', chip.dataset.p, true);
    }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { hovered = null; pin(null); }
  });
  // The pinned passage is in the URL (#p3), so a link can point at it.
  function pin(list) {
    pinned = list;
    show();
    if (location.hash !== '#selftest' && history.replaceState) {
      history.replaceState(null, '', list ? '#p' + list[0] : location.pathname + location.search);
    }
  }
  var wanted = /^#p(\d+)$/.exec(location.hash);
  if (wanted && marks.a[wanted[1]]) {
    pin([wanted[1]]);
    panes.a.style.scrollBehavior = panes.b.style.scrollBehavior = 'auto';
    reveal('a', wanted[1], true);
    reveal('b', wanted[1], true);
    panes.a.style.scrollBehavior = panes.b.style.scrollBehavior = '';
  }

  // Self-check, for headless browsers (see the Rust module docs).
  var both = Object.keys(marks.a).filter(function (id) { return marks.b[id]; });
  root.dataset.passages = String(both.length);
  var textOk = ['a', 'b'].every(function (side) {
    var body = panes[side].querySelector('.body');
    return Array.from(body.textContent).length === Number(body.dataset.chars);
  });
  root.dataset.text = textOk ? 'ok' : 'mismatch';
  if (location.hash === '#selftest') {
    panes.a.style.scrollBehavior = panes.b.style.scrollBehavior = 'auto';
    var linked = 0;
    both.forEach(function (id) {
      var ok = true;
      ['a', 'b'].forEach(function (side) {
        var other = side === 'a' ? 'b' : 'a';
        var m = marks[side][id][0];
        m.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
        ok = ok && marks[other][id].every(function (x) { return x.classList.contains('active'); });
        m.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
        ok = ok && marks[other][id].every(function (x) { return !x.classList.contains('active'); });
        m.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        ok = ok && marks[other][id].every(function (x) { return x.classList.contains('active'); });
        ok = ok && (visible(marks[other][id][0], panes[other]) || panes[other].clientHeight === 0);
        document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
        ok = ok && document.querySelectorAll('.active').length === 0;
      });
      if (ok) { linked += 1; }
    });
    root.dataset.linked = String(linked);
  }
})();
"#;

/// Reports `compare` cannot produce from two files (overlapping passages,
/// boilerplate: the aligner pairs words one to one, and only an index
/// knows boilerplate) still render right. The pages `compare --html`
/// writes are checked through the program, in
/// `tests/integration/html.rs`.
#[cfg(test)]
mod tests {
    use super::*;

    fn passage(a: std::ops::Range<usize>, b: std::ops::Range<usize>) -> Passage {
        Passage {
            a: Span::new(a.start, a.end),
            b: Span::new(b.start, b.end),
            a_tokens: 0..0,
            b_tokens: 0..0,
            matched_words: 8,
            kind: neardup::PassageKind::Exact,
            similarity: 1.0,
            bag_similarity: 1.0,
            containment_a: 1.0,
            containment_b: 1.0,
            boilerplate_articles: 0,
        }
    }

    fn page(report: &Report, a: &str, b: &str) -> String {
        render(report, &Side { name: "a.txt", text: a }, &Side { name: "b.txt", text: b }, &Config::default())
    }

    /// `html` without its tags (the texts here have nothing to unescape).
    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            out.push_str(&rest[..lt]);
            rest = &rest[lt + rest[lt..].find('>').expect("tags are closed") + 1..];
        }
        out + rest
    }

    /// The inner HTML of the body of article `id`.
    fn body<'a>(page: &'a str, id: &str) -> &'a str {
        let article = page.find(&format!("<article id=\"{id}\"")).expect("the article");
        let start = article + page[article..].find("<div class=\"body\"").unwrap();
        let start = start + page[start..].find('>').unwrap() + 1;
        &page[start..start + page[start..].find("</div>").unwrap()]
    }

    /// Each `<mark>` of a body: its `data-p` and its text.
    fn marks(body: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (at, _) in body.match_indices("<mark ") {
            let open = at + body[at..].find('>').unwrap();
            let ids = &body[at..open][body[at..open].find("data-p=\"").unwrap() + 8..];
            let close = open + body[open..].find("</mark>").unwrap();
            out.push((ids[..ids.find('"').unwrap()].to_owned(), strip_tags(&body[open + 1..close])));
        }
        out
    }

    #[test]
    fn overlapping_passages_are_cut_into_segments_carrying_every_id() {
        // Passages 1 and 2 overlap in A (10..20); in B they are apart.
        let a = "0123456789abcdefghijKLMNOPQRST and more";
        let b = "0123456789abcdefghij -- abcdefghijKLMNOPQRST";
        let spans = [Span::new(0, 20), Span::new(10, 30)];
        assert_eq!(
            segments(a.len(), &spans, &[]),
            [
                (Span::new(0, 10), Cover::Passages(vec![0])),
                (Span::new(10, 20), Cover::Passages(vec![0, 1])),
                (Span::new(20, 30), Cover::Passages(vec![1])),
                (Span::new(30, a.len()), Cover::None),
            ]
        );
        let report = Report {
            passages: vec![passage(0..20, 0..20), passage(10..30, 24..44)],
            a_words: 4,
            b_words: 4,
            a_covered_words: 1,
            b_covered_words: 2,
            boilerplate: Vec::new(),
        };
        let html = page(&report, a, b);
        assert_eq!(
            marks(body(&html, "a")),
            [("1", "0123456789"), ("1 2", "abcdefghij"), ("2", "KLMNOPQRST")]
                .map(|(p, t)| (p.to_owned(), t.to_owned()))
        );
        assert!(body(&html, "a").contains("class=\"p multi\""), "an overlap looks different");
        assert_eq!(
            marks(body(&html, "b")),
            [("1", &b[..20]), ("2", &b[24..])].map(|(p, t)| (p.to_owned(), t.to_owned()))
        );
        for (id, text) in [("a", a), ("b", b)] {
            assert_eq!(strip_tags(body(&html, id)), text, "every character of {id}");
            assert_eq!(body(&html, id).matches(" data-label=\"").count(), 2, "one label per passage");
        }
    }

    #[test]
    fn boilerplate_is_muted_and_not_counted() {
        let a = "Byline by the agency. The shared sentence of the two articles is here.";
        let b = "The shared sentence of the two articles is here. Byline by the agency.";
        let mut boiler = passage(0..21, 49..70);
        boiler.matched_words = 4;
        let report = Report {
            passages: vec![passage(22..70, 0..48)],
            a_words: 13,
            b_words: 13,
            a_covered_words: 9,
            b_covered_words: 9,
            boilerplate: vec![boiler],
        };
        assert_eq!(segments(a.len(), &[Span::new(22, 70)], &[Span::new(0, 21)])[0], (Span::new(0, 21), Cover::Boiler));
        let html = page(&report, a, b);
        for id in ["a", "b"] {
            let body = body(&html, id);
            assert_eq!(strip_tags(body), if id == "a" { a } else { b });
            let at = body.find("<span class=\"boiler\"").unwrap_or_else(|| panic!("no boilerplate in {id}"));
            let end = at + body[at..].rfind("Byline by the agency.</span>").expect("the byline is muted");
            assert!(!body[at..end].contains("<mark"), "boilerplate is not a passage: {body}");
            assert_eq!(marks(body).len(), 1, "{id}");
        }
        let header = strip_tags(&html[html.find("<header>").unwrap()..html.find("</header>").unwrap()]);
        assert!(header.contains("1 shared passage · 1 boilerplate (muted, not counted)"), "{header}");
        assert!(html.contains(".boiler { color:"), "muted by the style sheet");
    }
}
