//! Criterion benches of every pipeline stage, on a deterministic synthetic
//! news archive built from the two seed articles in `tests/data`.
//!
//! Run them all with `cargo bench --bench pipeline`; CI runs the smoke mode
//! `cargo bench --bench pipeline -- --test` (every bench once, in seconds).
//! Every group reports throughput in bytes of input text.
//!
//! # The corpus
//!
//! The archive is generated at start-up (nothing is checked in) from the
//! paragraphs of the two seed articles, with a fixed-seed splitmix64
//! generator, so every run and every machine benches the same bytes:
//!
//! 1. *Seed paragraphs*: both seeds split on blank lines, trimmed, paragraphs
//!    under [`MIN_PARAGRAPH_WORDS`] words (bylines, `--`) dropped, exact
//!    duplicates (the seeds share several paragraphs) kept once.
//!    *Vocabulary*: every distinct word of the seeds, punctuation stripped.
//! 2. A *mutation* rewrites a paragraph word by word: with probability
//!    `rate` a word is replaced by a vocabulary word (its surrounding
//!    punctuation kept, so sentences keep their ends) or, one time in four,
//!    dropped (unless it ends a sentence).
//! 3. *Shared pool*: [`SHARED_POOL`] passages, each one seed paragraph (or
//!    two joined, one time in four) mutated at [`DISTINCT_RATE`], which makes
//!    them distinct from each other and from everything else.
//! 4. *Articles*: each has [`OWN_MIN`]..=[`OWN_MAX`] paragraphs of its own
//!    (a random seed paragraph or pair, mutated at [`DISTINCT_RATE`]: text
//!    nobody else has) and 0..=[`SHARED_MAX`] passages from the shared pool,
//!    lightly mutated at [`REUSE_RATE`] (a few words changed, as an editor
//!    would) and put at random positions. Pool passages are drawn with a
//!    quadratic skew (`index = ⌊pool · u²⌋`), so a few passages are reused by
//!    dozens of articles (a popular quote) and most by a handful: articles
//!    share some passages with some others, never everything.
//!
//! The non-ASCII variant of the corpus replaces straight quotes with curly
//! ones and one word in [`FOREIGN_RATE`] with a Cyrillic or Greek word.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use neardup::text::{Analysis, analyze, for_each_word, normalize};
use neardup::{Detector, Index};

const SEED_A: &str = include_str!("../tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = include_str!("../tests/data/001_8d763c1f7bf3de18.txt");

/// Seed of the generator; change it and every figure changes.
const GENERATOR_SEED: u64 = 0x6e65_6172_6475_7021;
/// Articles in the archive (about 1 MB in all).
const ARTICLES: usize = 352;
/// Paragraphs shorter than this are not used as material.
const MIN_PARAGRAPH_WORDS: usize = 8;
/// Passages in the shared pool that articles reuse.
const SHARED_POOL: usize = ARTICLES / 2;
/// Fewest paragraphs of an article's own.
const OWN_MIN: usize = 8;
/// Most paragraphs of an article's own.
const OWN_MAX: usize = 12;
/// Most pool passages one article reuses.
const SHARED_MAX: usize = 3;
/// Mutation rate that makes a paragraph new text.
const DISTINCT_RATE: f64 = 0.35;
/// Mutation rate of a reused passage (a few words edited).
const REUSE_RATE: f64 = 0.02;
/// Fraction of words replaced by Cyrillic or Greek in the non-ASCII corpus.
const FOREIGN_RATE: f64 = 0.1;
/// Articles queried against the prebuilt index in `index/query`.
const QUERIES: usize = 32;

#[path = "../tests/support/rng.rs"]
mod rng;
use rng::Rng;

/// Paragraphs and vocabulary of the seeds (step 1 of the generator).
struct Material {
    paragraphs: Vec<String>,
    vocabulary: Vec<String>,
}

impl Material {
    fn from_seeds() -> Material {
        let mut paragraphs: Vec<String> = Vec::new();
        for seed in [SEED_A, SEED_B] {
            for p in seed.split("\n\n").map(str::trim) {
                if p.split_whitespace().count() >= MIN_PARAGRAPH_WORDS && !paragraphs.iter().any(|q| q == p) {
                    paragraphs.push(p.to_string());
                }
            }
        }
        let mut vocabulary: Vec<String> = [SEED_A, SEED_B]
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_string)
            .collect();
        vocabulary.sort_unstable();
        vocabulary.dedup();
        Material { paragraphs, vocabulary }
    }

    /// One seed paragraph, or two joined one time in four.
    fn source(&self, rng: &mut Rng) -> String {
        let first = rng.pick(&self.paragraphs).clone();
        if rng.chance(0.25) { format!("{first} {}", rng.pick(&self.paragraphs)) } else { first }
    }

    /// Step 2: replaces or drops each word with probability `rate`.
    fn mutate(&self, text: &str, rate: f64, rng: &mut Rng) -> String {
        let mut out = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            let mut word = word.to_string();
            if rng.chance(rate) {
                let core = word.trim_matches(|c: char| !c.is_alphanumeric());
                let ends_sentence = word.ends_with(['.', '!', '?']);
                if rng.chance(0.25) && !ends_sentence {
                    continue;
                }
                if !core.is_empty() {
                    word = word.replacen(core, rng.pick(&self.vocabulary).as_str(), 1);
                }
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
        out
    }
}

/// Steps 3 and 4: the archive, in id order.
fn archive() -> Vec<String> {
    let m = Material::from_seeds();
    let mut rng = Rng(GENERATOR_SEED);
    let pool: Vec<String> = (0..SHARED_POOL)
        .map(|_| {
            let p = m.source(&mut rng);
            m.mutate(&p, DISTINCT_RATE, &mut rng)
        })
        .collect();
    (0..ARTICLES)
        .map(|_| {
            let own = OWN_MIN + rng.below(OWN_MAX - OWN_MIN + 1);
            let mut paragraphs: Vec<String> = (0..own).map(|_| m.source(&mut rng)).collect();
            for p in &mut paragraphs {
                *p = m.mutate(p, DISTINCT_RATE, &mut rng);
            }
            for _ in 0..rng.below(SHARED_MAX + 1) {
                let u = rng.unit();
                let passage = &pool[((SHARED_POOL as f64) * u * u) as usize];
                let at = rng.below(paragraphs.len() + 1);
                paragraphs.insert(at, m.mutate(passage, REUSE_RATE, &mut rng));
            }
            paragraphs.join("\n\n")
        })
        .collect()
}

/// The non-ASCII variant of one text: curly quotes, foreign words.
fn foreign(text: &str, rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "Азербайджан",
        "НАТО",
        "безопасность",
        "сотрудничество",
        "министр",
        "конференция",
        "Αζερμπαϊτζάν",
        "ασφάλεια",
        "συνεργασία",
        "ειρήνη",
        "υπουργός",
        "Ελλάδα",
    ];
    let mut out = String::with_capacity(text.len() * 5 / 4);
    let mut open = true;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            let word = if rng.chance(FOREIGN_RATE) {
                let core = word.trim_matches(|c: char| !c.is_alphanumeric());
                if core.is_empty() { word.to_string() } else { word.replacen(core, &rng.pick(WORDS)[..], 1) }
            } else {
                word.to_string()
            };
            for c in word.chars() {
                match c {
                    '"' => {
                        out.push(if open { '“' } else { '”' });
                        open = !open;
                    }
                    '\'' => out.push('’'),
                    c => out.push(c),
                }
            }
        }
    }
    out
}

/// Everything the benches share, built once.
struct Fixture {
    detector: Detector,
    articles: Vec<String>,
    foreign: Vec<String>,
    bytes: u64,
    foreign_bytes: u64,
    /// Analyses of `articles`.
    analyses: Vec<Analysis>,
    /// The large synthetic pair for `align`.
    big_pair: (String, String),
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let detector = Detector::builder().num_hashes(128).build().expect("default configuration is valid");
        let articles = archive();
        let mut rng = Rng(GENERATOR_SEED ^ 0xf0f0);
        let foreign: Vec<String> = articles.iter().map(|a| foreign(a, &mut rng)).collect();
        let bytes = articles.iter().map(|a| a.len() as u64).sum();
        let foreign_bytes = foreign.iter().map(|a| a.len() as u64).sum();
        let analyses = articles.iter().map(|a| detector.analyze(a)).collect();
        let big_pair = big_pair(&articles, &mut rng);
        eprintln!(
            "corpus: {} articles, {bytes} bytes ({foreign_bytes} non-ASCII variant); big pair {} + {} bytes",
            articles.len(),
            big_pair.0.len(),
            big_pair.1.len()
        );
        Fixture { detector, articles, foreign, bytes, foreign_bytes, analyses, big_pair }
    })
}

/// Two ~40 KB texts sharing about half their paragraphs: `a` is the first
/// twelve articles; `b` keeps a random half of `a`'s paragraphs (lightly
/// edited, in a block-shuffled order) and fills up with paragraphs of the
/// next twelve articles.
fn big_pair(articles: &[String], rng: &mut Rng) -> (String, String) {
    let m = Material::from_seeds();
    let a: Vec<&str> = articles[..12].iter().flat_map(|t| t.split("\n\n")).collect();
    let others: Vec<&str> = articles[12..24].iter().flat_map(|t| t.split("\n\n")).collect();
    let mut b: Vec<String> = Vec::new();
    let mut chunks: Vec<&[&str]> = a.chunks(4).collect();
    for i in (1..chunks.len()).rev() {
        chunks.swap(i, rng.below(i + 1));
    }
    let mut other = others.iter();
    for p in chunks.into_iter().flatten() {
        if rng.chance(0.5) {
            b.push(m.mutate(p, REUSE_RATE, rng));
        } else if let Some(o) = other.next() {
            b.push(o.to_string());
        }
    }
    (a.join("\n\n"), b.join("\n\n"))
}

fn text(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("text");
    g.sampling_mode(SamplingMode::Flat).sample_size(20);
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for (name, corpus, bytes) in [("ascii", &f.articles, f.bytes), ("non_ascii", &f.foreign, f.foreign_bytes)] {
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(format!("normalize/{name}"), |b| {
            b.iter(|| corpus.iter().map(|t| normalize(black_box(t)).as_str().len()).sum::<usize>())
        });
        g.bench_function(format!("analyze/{name}"), |b| {
            b.iter(|| corpus.iter().map(|t| analyze(black_box(t), 0).tokens.len()).sum::<usize>())
        });
        g.bench_function(format!("words/{name}"), |b| {
            b.iter(|| {
                let mut x = 0u64;
                for t in corpus {
                    for_each_word(black_box(t), 0, |_, h| x ^= h);
                }
                x
            })
        });
    }
    g.finish();
}

fn fingerprint(c: &mut Criterion) {
    let f = fixture();
    let d = &f.detector;
    assert_eq!(d.config().num_hashes, 128);
    let mut g = c.benchmark_group("fingerprint");
    g.sampling_mode(SamplingMode::Flat).sample_size(20);
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(f.bytes));
    g.bench_function("shingles", |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &f.analyses {
                let sh = d.shingles(a);
                for u in d.units(a) {
                    n += d.unit_shingles(&sh, &u).len();
                }
            }
            n
        })
    });
    // Whole-document signatures: words, 5-word shingles, one-permutation
    // MinHash (the peers' task, on this archive).
    let doc = Detector::builder().shingle_size(5).num_hashes(128).build().expect("valid");
    g.bench_function("document_signature", |b| {
        b.iter(|| f.articles.iter().map(|t| doc.document_signature(black_box(t)).0[0]).fold(0, |a, v| a ^ v))
    });
    g.bench_function("shingles_minhash128", |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &f.analyses {
                let sh = d.shingles(a);
                for u in d.units(a) {
                    n += d.signature(d.unit_shingles(&sh, &u)).len();
                }
            }
            n
        })
    });
    g.finish();
}

fn id_texts(texts: &[String]) -> Vec<(u64, &str)> {
    texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str())).collect()
}

fn built_index(f: &Fixture) -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = f.detector.index();
        index.insert_many(id_texts(&f.articles)).expect("ids are distinct");
        index
    })
}

fn index(c: &mut Criterion) {
    let f = fixture();
    let all = id_texts(&f.articles);
    let mut g = c.benchmark_group("index");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(f.bytes));
    g.bench_function("insert_many", |b| {
        b.iter_batched(
            || f.detector.index(),
            |mut index| {
                index.insert_many(black_box(&all)).expect("ids are distinct");
                index
            },
            BatchSize::LargeInput,
        )
    });
    let index = built_index(f);
    // Evenly spaced articles: a spread of popular and unpopular shared passages.
    let queries: Vec<&str> =
        f.articles.iter().step_by(f.articles.len() / QUERIES).take(QUERIES).map(|s| s.as_str()).collect();
    let matches: usize = queries.iter().map(|q| index.query(q).matches.len()).sum();
    eprintln!("index/query: {} queries, {matches} matches in all (each matches itself)", queries.len());
    g.throughput(Throughput::Bytes(queries.iter().map(|q| q.len() as u64).sum()));
    g.bench_function("query", |b| {
        b.iter(|| queries.iter().map(|q| index.query(black_box(q)).matches.len()).sum::<usize>())
    });
    g.finish();
}

fn align(c: &mut Criterion) {
    let f = fixture();
    let d = &f.detector;
    let mut g = c.benchmark_group("align");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let pairs = [("seed_pair", (SEED_A, SEED_B)), ("big_pair", (f.big_pair.0.as_str(), f.big_pair.1.as_str()))];
    for (name, (a, b)) in pairs {
        let (aa, ab) = (d.analyze(a), d.analyze(b));
        assert!(!d.align(&aa, &ab).passages.is_empty(), "{name} shares passages");
        g.throughput(Throughput::Bytes((a.len() + b.len()) as u64));
        g.bench_function(name, |bench| bench.iter(|| d.align(black_box(&aa), black_box(&ab))));
    }
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let f = fixture();
    let d = &f.detector;
    let all = id_texts(&f.articles);
    let queries: Vec<&str> = f.articles.iter().map(|s| s.as_str()).collect();
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Bytes((SEED_A.len() + SEED_B.len()) as u64));
    g.bench_function("compare_seed_pair", |b| b.iter(|| d.compare(black_box(SEED_A), black_box(SEED_B))));
    // The corpus bytes: each article is indexed once and queried once.
    // Half a second an iteration: ten flat samples.
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(f.bytes));
    g.bench_function("build_and_query_all", |b| {
        b.iter(|| {
            let mut index = d.index();
            index.insert_many(black_box(&all)).expect("ids are distinct");
            index.query_many(black_box(&queries)).iter().map(|r| r.matches.len()).sum::<usize>()
        })
    });
    #[cfg(feature = "rayon")]
    g.bench_function("par_build_and_query_all", |b| {
        b.iter(|| {
            let mut index = d.index();
            index.par_insert_many(black_box(&all)).expect("ids are distinct");
            index.par_query_many(black_box(&queries)).iter().map(|r| r.matches.len()).sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, text, fingerprint, index, align, end_to_end);
criterion_main!(benches);
