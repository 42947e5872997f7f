//! Time (and, run under `/usr/bin/time -v`, peak memory) of the adversarial
//! inputs whose results `tests/integration/adversarial.rs` asserts, at full
//! size: a million repeats of one word, single lines of 2 and 20 MB, a
//! 3000-sentence paragraph, text made of length-changing Unicode, and a
//! corpus of thousands of identical articles (the query cost must stay flat
//! once buckets are capped at `max_bucket`).
//!
//! ```text
//! cargo bench --bench adversarial                      # everything
//! cargo bench --bench adversarial -- single_line       # one group
//! cargo bench --bench adversarial -- --test            # each once (smoke)
//! ```
//!
//! Every input is built inside its own bench function, so a filtered run
//! under `/usr/bin/time -v` measures the peak memory of that case alone.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use neardup::Detector;

const SEED_A: &str = include_str!("../tests/data/000_7335d4dbf30efac0.txt");

fn detector() -> Detector {
    Detector::builder().build().expect("default config is valid")
}

#[path = "../tests/support/rng.rs"]
mod rng;
use rng::Rng;

/// Deterministic made-up words (a vocabulary of ~20,000).
impl Rng {
    fn word(&mut self) -> String {
        const SYL: [&str; 12] = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "gu", "pe", "zo"];
        let n = 2 + (self.next() % 3) as usize;
        (0..n).map(|_| SYL[(self.next() % 12) as usize]).collect()
    }

    /// At least `bytes` bytes of words separated by single spaces, no line
    /// break, no sentence end.
    fn line(&mut self, bytes: usize) -> String {
        let mut s = String::with_capacity(bytes + 16);
        while s.len() < bytes {
            s.push_str(&self.word());
            s.push(' ');
        }
        s
    }
}

/// A word repeated a million times: against itself (alignment is linear,
/// seeds are capped) and against a real article.
fn repeated_word(c: &mut Criterion) {
    let d = detector();
    let mut g = c.benchmark_group("repeated_word");
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [100_000usize, 1_000_000] {
        let many = "word ".repeat(n);
        g.throughput(Throughput::Bytes(many.len() as u64));
        g.bench_with_input(BenchmarkId::new("self", n), &many, |b, t| b.iter(|| d.compare(black_box(t), t)));
        g.bench_with_input(BenchmarkId::new("vs_article", n), &many, |b, t| b.iter(|| d.compare(black_box(t), SEED_A)));
    }
    g.finish();
}

/// One line without a break or a sentence end: analysis, and a comparison
/// with a short text quoting 20 words from its middle.
fn single_line(c: &mut Criterion) {
    let d = detector();
    let mut g = c.benchmark_group("single_line");
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(10));
    for mb in [2usize, 20] {
        let line = Rng(mb as u64).line(mb << 20);
        let excerpt: Vec<&str> = line[line.len() / 2..].split(' ').skip(1).take(20).collect();
        let quote = format!("Someone wrote. {} Then stopped.", excerpt.join(" "));
        g.throughput(Throughput::Bytes(line.len() as u64));
        g.bench_with_input(BenchmarkId::new("analyze", format!("{mb}MB")), &line, |b, t| {
            b.iter(|| d.analyze(black_box(t)))
        });
        g.bench_with_input(BenchmarkId::new("compare_excerpt", format!("{mb}MB")), &line, |b, t| {
            b.iter(|| {
                let r = d.compare(black_box(t), &quote);
                assert_eq!(r.passages.len(), 1);
                r
            })
        });
    }
    g.finish();
}

/// 3000 sentences in one paragraph, compared with itself.
fn long_paragraph(c: &mut Criterion) {
    let d = detector();
    let mut rng = Rng(7);
    let para: Vec<String> = (0..3000).map(|_| format!("{}.", rng.line(70).trim_end())).collect();
    let para = para.join(" ");
    let mut g = c.benchmark_group("long_paragraph");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.throughput(Throughput::Bytes(para.len() as u64));
    g.bench_function("self", |b| b.iter(|| d.compare(black_box(&para), &para)));
    g.finish();
}

/// Length-changing Unicode (ligatures, full-width forms, ﷺ, ㍿, ß, İ,
/// mark stacks, emoji) against plain ASCII of the same size: the price of
/// the normalisation map.
fn unicode_heavy(c: &mut Criterion) {
    let d = detector();
    let piece =
        "ﬁnal ﬂight ＡＢＣ ﷺ ㍿ Straße İstanbul e\u{301}\u{302}\u{303} 👨\u{200d}👩\u{200d}👧 \u{200f}مرحبا שלום. ";
    let heavy = piece.repeat((1 << 20) / piece.len());
    let ascii = Rng(3).line(heavy.len());
    let mut g = c.benchmark_group("unicode_heavy");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.throughput(Throughput::Bytes(heavy.len() as u64));
    g.bench_function("analyze_1MB_heavy", |b| b.iter(|| d.analyze(black_box(&heavy))));
    g.throughput(Throughput::Bytes(ascii.len() as u64));
    g.bench_function("analyze_1MB_ascii", |b| b.iter(|| d.analyze(black_box(&ascii))));
    g.finish();
}

/// A query against 500, 2000 and 8000 verbatim copies of one article: one
/// exact-duplicate class, so one match listing the other copies, whatever
/// their number; and against as many near-copies (each with a first
/// sentence of its own): past `max_df` (1000) their shared runs propose
/// nothing (the query counts them in `capped_fingerprints`), so its time
/// stops growing.
fn identical_articles(c: &mut Criterion) {
    let d = detector();
    let story = "The minister met the Latvian delegation in Baku on Thursday morning to discuss cooperation within NATO. \
                 They discussed cooperation within NATO and military education programs for officers and cadets \
                 of both countries.";
    let mut g = c.benchmark_group("identical_articles");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for n in [500u64, 2000, 8000] {
        let mut index = d.index();
        let batch: Vec<(u64, &str)> = (0..n).map(|i| (i, story)).collect();
        index.insert_many(&batch).expect("distinct ids");
        g.bench_with_input(BenchmarkId::new("query", n), &index, |b, index| {
            b.iter(|| {
                let r = index.query(black_box(story));
                assert_eq!(r.matches.len(), 1);
                assert_eq!(r.matches[0].duplicates.len() as u64, n - 1);
                r
            })
        });
        let mut index = d.index();
        let texts: Vec<String> = (0..n).map(|i| format!("Edition {i} of the wire from desk {i}. {story}")).collect();
        let batch: Vec<(u64, &str)> = texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str())).collect();
        index.insert_many(&batch).expect("distinct ids");
        g.bench_with_input(BenchmarkId::new("query_near_copies", n), &index, |b, index| {
            b.iter(|| {
                let r = index.query(black_box(story));
                // Past max_df (1000) the shared runs propose nothing, and
                // say so.
                assert_eq!(r.matches.len() as u64, if n > 1000 { 0 } else { n });
                assert_eq!(r.capped_fingerprints > 0, n > 1000);
                r
            })
        });
    }
    g.finish();
}

criterion_group!(benches, repeated_word, single_line, long_paragraph, unicode_heavy, identical_articles);
criterion_main!(benches);
