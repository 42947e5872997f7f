//! Criterion benches of corpus-scale work: building an [`Index`], all
//! pairs, near-duplicate groups, saving and loading, on a deterministic
//! synthetic archive made from the two seed articles in `tests/data`.
//!
//! Run them with `cargo bench --bench corpus`; the smoke mode
//! `cargo bench --bench corpus -- --test` runs every bench once, in
//! seconds. Throughput is in articles. The figures on real text at 10k to
//! 1M paragraphs (the `corpus` example on corpora made by
//! `scripts/make-scale-corpus.py`) are in the README, "Corpus scale".
//!
//! # The archive
//!
//! Generated at start-up with a fixed-seed splitmix64, so every run benches
//! the same bytes. Material: the paragraphs of both seeds with at least 8
//! words, and the vocabulary of both seeds.
//!
//! * An article has 3 to 7 paragraphs of its own: seed paragraphs with half
//!   of their words replaced by vocabulary words (text no other article
//!   shares: sentence Jaccard similarity far below the threshold).
//! * Sparse reuse: 4 % of the articles also quote one paragraph of an
//!   earlier article (2 % of its words edited), 2 % are an earlier article
//!   re-filed (3 % of its words edited).
//! * The `byline` variant adds the same agency byline sentence to the end
//!   of every article: boilerplate the index must recognise, not 1000² pairs.
//!
//! `corpus/build` first prints, on stderr, the index's bytes per indexed
//! word by part (`Index::memory`), with and without the LSH band tables.
//!
//! `corpus/one_paragraph` indexes and loads 10k and 100k articles of six
//! sentences in one paragraph (made-up words): equal per-article times at
//! both sizes mean indexing and loading are linear whatever the shape.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use neardup::{Detector, Index};

const SEED_A: &str = include_str!("../tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = include_str!("../tests/data/001_8d763c1f7bf3de18.txt");

/// Seed of the generator; change it and every figure changes.
const GENERATOR_SEED: u64 = 0x636f_7270_7573_2121;
/// Archive sizes benched, in articles.
const SIZES: [usize; 2] = [1000, 4000];
/// Fraction of words replaced to make a seed paragraph new text.
const DISTINCT_RATE: f64 = 0.5;
/// Fraction of articles quoting a paragraph of an earlier one.
const QUOTE_RATE: f64 = 0.04;
/// Fraction of articles that re-file an earlier one.
const REFILE_RATE: f64 = 0.02;
/// The byline of the `byline` variant.
const BYLINE: &str = "Reporting by the agency news desk in Baku, editing by the international service.";

#[path = "../tests/support/rng.rs"]
mod rng;
use rng::Rng;

/// Seed paragraphs (at least 8 words) and the seeds' vocabulary.
fn material() -> (Vec<&'static str>, Vec<String>) {
    let mut paragraphs: Vec<&str> = [SEED_A, SEED_B]
        .iter()
        .flat_map(|s| s.split("\n\n"))
        .map(str::trim)
        .filter(|p| p.split_whitespace().count() >= 8)
        .collect();
    paragraphs.sort_unstable();
    paragraphs.dedup();
    let mut words: Vec<String> = [SEED_A, SEED_B]
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_unstable();
    words.dedup();
    (paragraphs, words)
}

/// `text` with each word replaced by a vocabulary word with probability
/// `rate` (punctuation around the word kept, so sentences keep their ends).
fn mutate(text: &str, rate: f64, words: &[String], rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, w) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if rng.chance(rate) {
            let start = w.find(char::is_alphanumeric).unwrap_or(w.len());
            let end =
                w.rfind(char::is_alphanumeric).map_or(start, |e| e + w[e..].chars().next().map_or(1, char::len_utf8));
            out.push_str(&w[..start]);
            out.push_str(&words[rng.below(words.len())]);
            out.push_str(&w[end.max(start)..]);
        } else {
            out.push_str(w);
        }
    }
    out
}

/// The archive of `n` articles (see the module docs).
fn archive(n: usize, byline: bool) -> Vec<String> {
    let (paragraphs, words) = material();
    let mut rng = Rng(GENERATOR_SEED ^ n as u64);
    let mut articles: Vec<Vec<String>> = Vec::with_capacity(n);
    for _ in 0..n {
        let earlier = articles.len();
        let article = if earlier > 0 && rng.chance(REFILE_RATE) {
            let source = &articles[rng.below(earlier)];
            source.iter().map(|p| mutate(p, 0.03, &words, &mut rng)).collect()
        } else {
            let own = 3 + rng.below(5);
            let mut article: Vec<String> = (0..own)
                .map(|_| mutate(paragraphs[rng.below(paragraphs.len())], DISTINCT_RATE, &words, &mut rng))
                .collect();
            if earlier > 0 && rng.chance(QUOTE_RATE) {
                let source = &articles[rng.below(earlier)];
                let quote = mutate(&source[rng.below(source.len())], 0.02, &words, &mut rng);
                article.insert(rng.below(article.len() + 1), quote);
            }
            article
        };
        articles.push(article);
    }
    articles
        .into_iter()
        .map(|a| {
            let mut text = a.join("\n\n");
            if byline {
                text.push_str("\n\n");
                text.push_str(BYLINE);
            }
            text
        })
        .collect()
}

/// An archive size, its articles, and the same articles with a byline.
type Archive = (usize, Vec<String>, Vec<String>);

fn archives() -> &'static [Archive] {
    static ARCHIVES: OnceLock<Vec<Archive>> = OnceLock::new();
    ARCHIVES.get_or_init(|| SIZES.iter().map(|&n| (n, archive(n, false), archive(n, true))).collect())
}

fn detector() -> Detector {
    Detector::builder().build().expect("the default configuration is valid")
}

fn build(texts: &[String]) -> Index {
    let mut index = detector().index();
    for (i, t) in texts.iter().enumerate() {
        index.insert_labeled(i as u64, &format!("{i:07}.txt"), t).expect("ids are unique");
    }
    index
}

/// Few samples, flat sampling: each iteration takes from milliseconds to
/// a second.
fn configure(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(5));
}

/// Prints the index's bytes per indexed word, by part (`Index::memory`),
/// with the run table alone (the default) and with the LSH band tables
/// too: the candidate index's memory model, measured on the archive.
fn report_memory(texts: &[String], n: usize) {
    let words: usize = texts.iter().map(|t| detector().analyze(t).tokens.len()).sum();
    for lsh in [false, true] {
        let d = Detector::builder().similar_units(lsh).build().expect("valid");
        let mut index = d.index();
        index.insert_many(texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str()))).expect("ids are unique");
        let m = index.memory();
        let per = |b: usize| b as f64 / words as f64;
        eprintln!(
            "corpus/memory/{n} (similar_units {lsh}): {words} words; bytes per word: run table {:.2} \
             ({:.3} entries per word), band tables {:.2}, articles {:.2}, boilerplate {:.2}, total {:.2}",
            per(m.run_table),
            m.run_entries as f64 / words as f64,
            per(m.band_tables),
            per(m.articles),
            per(m.boilerplate),
            per(m.total()),
        );
    }
}

fn build_index(c: &mut Criterion) {
    let mut g = c.benchmark_group("corpus/build");
    configure(&mut g);
    for (n, texts, _) in archives() {
        report_memory(texts, *n);
        g.throughput(Throughput::Elements(*n as u64));
        g.bench_with_input(BenchmarkId::new("insert_labeled", n), texts, |b, texts| b.iter(|| build(black_box(texts))));
        let pairs: Vec<(u64, &str)> = texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str())).collect();
        g.bench_with_input(BenchmarkId::new("par_insert_many", n), &pairs, |b, pairs| {
            b.iter(|| {
                let mut index = detector().index();
                index.par_insert_many(black_box(pairs)).expect("ids are unique");
                index
            })
        });
    }
    g.finish();
}

fn all_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("corpus/pairs");
    configure(&mut g);
    for (n, texts, with_byline) in archives() {
        g.throughput(Throughput::Elements(*n as u64));
        let index = build(texts);
        // Not a timing assertion: the archive has sparse reuse, so this
        // checks that the bench measures what it says.
        let count = index.par_pairs().count();
        assert!(count > *n / 50 && count < *n, "{count} pairs among {n} articles: not sparse reuse");
        g.bench_with_input(BenchmarkId::new("par_pairs", n), &index, |b, index| b.iter(|| index.par_pairs().count()));
        g.bench_with_input(BenchmarkId::new("pairs", n), &index, |b, index| b.iter(|| index.pairs().count()));
        g.bench_with_input(BenchmarkId::new("par_near_duplicate_groups", n), &index, |b, index| {
            b.iter(|| index.par_near_duplicate_groups(0.8).expect("valid coverage"))
        });
        let index = build(with_byline);
        let bylined = index.par_pairs().count();
        assert!(bylined < 2 * count, "{bylined} pairs with a byline in every article, {count} without");
        g.bench_with_input(BenchmarkId::new("par_pairs_byline", n), &index, |b, index| {
            b.iter(|| index.par_pairs().count())
        });
    }
    g.finish();
}

fn persist(c: &mut Criterion) {
    let mut g = c.benchmark_group("corpus/persist");
    configure(&mut g);
    for (n, texts, _) in archives() {
        g.throughput(Throughput::Elements(*n as u64));
        let index = build(texts);
        g.bench_with_input(BenchmarkId::new("to_bytes", n), &index, |b, index| b.iter(|| index.to_bytes().unwrap()));
        let bytes = index.to_bytes().unwrap();
        g.bench_with_input(BenchmarkId::new("from_bytes", n), &bytes, |b, bytes| {
            b.iter_batched(|| (), |()| Index::from_bytes(black_box(bytes)).expect("valid"), BatchSize::LargeInput)
        });
    }
    g.finish();
}

/// Sizes of the one-paragraph archives, in articles: the ratio of their
/// per-article times shows whether indexing is linear.
const ONE_PARAGRAPH_SIZES: [usize; 2] = [10_000, 100_000];

/// `n` articles of six sentences of twelve made-up words each, all in one
/// paragraph (scraped news with single newlines, abstracts, posts): every
/// article's one paragraph has the same empty context, the shape that made
/// boilerplate statistics quadratic in 0.2.
fn one_paragraph_archive(n: usize) -> Vec<String> {
    let mut rng = Rng(GENERATOR_SEED ^ 0x0ae0 ^ n as u64);
    let syllables = |rng: &mut Rng| -> String {
        (0..1 + rng.below(4))
            .map(|_| {
                let c = b"bcdfghklmnprstvz"[rng.below(16)] as char;
                let v = b"aeiou"[rng.below(5)] as char;
                format!("{c}{v}")
            })
            .collect()
    };
    let vocabulary: Vec<String> = (0..30_000).map(|_| syllables(&mut rng)).collect();
    (0..n)
        .map(|_| {
            let sentences: Vec<String> = (0..6)
                .map(|_| {
                    let words: Vec<&str> = (0..12).map(|_| vocabulary[rng.below(vocabulary.len())].as_str()).collect();
                    format!("{}.", words.join(" "))
                })
                .collect();
            sentences.join(" ")
        })
        .collect()
}

fn one_paragraph(c: &mut Criterion) {
    let mut g = c.benchmark_group("corpus/one_paragraph");
    configure(&mut g);
    for n in ONE_PARAGRAPH_SIZES {
        let texts = one_paragraph_archive(n);
        let articles: Vec<(u64, &str)> = texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str())).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("par_insert_many", n), &articles, |b, articles| {
            b.iter(|| {
                let mut index = detector().index();
                index.par_insert_many(black_box(articles)).expect("ids are unique");
                index
            })
        });
        let mut index = detector().index();
        index.par_insert_many(&articles).expect("ids are unique");
        let bytes = index.to_bytes().unwrap();
        g.bench_with_input(BenchmarkId::new("from_bytes", n), &bytes, |b, bytes| {
            b.iter_batched(|| (), |()| Index::from_bytes(black_box(bytes)).expect("valid"), BatchSize::LargeInput)
        });
    }
    g.finish();
}

criterion_group!(benches, build_index, all_pairs, persist, one_paragraph);
criterion_main!(benches);
