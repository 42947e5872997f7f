//! neardup as one more harness beside the MinHash/LSH peers of the shared
//! peer benchmark (`bench.py --with neardup=.../peer_bench`): a program, not
//! a criterion bench (`harness = false`), built by `cargo bench` with the
//! release profile.
//!
//! ```text
//! cargo bench --bench peer_bench -- --help
//! cargo bench -q --bench peer_bench -- --exe      # builds it, prints its path, for bench.py
//! RAYON_NUM_THREADS=2 cargo bench --bench peer_bench -- --pairs
//! ```
//!
//! The task is the peers' task, done with neardup's public API: every
//! article of `$NDD_PEERS_DIR/corpus/articles.txt` (default
//! `$HOME/.cache/ndd-peers`; articles separated by `"\n\x1e\n"`) is analysed
//! ([`Detector::analyze`]), cut into 5-word shingles
//! ([`fingerprint::shingles`]) and signed with 128 MinHash values
//! ([`MinHasher::signature`]), in parallel over articles on rayon's global
//! pool (its size comes from `RAYON_NUM_THREADS`). The whole-document
//! signatures then go into an LSH table of 16 bands x 8 rows
//! ([`Detector::band_keys`]); every document is queried, and the harness
//! counts candidate pairs (one shared band), verified pairs (signature
//! estimate >= 0.8) and the recall of the injected near-duplicates of
//! `corpus/truth.tsv` among the candidates, per edit rate.
//!
//! One JSON line goes to stdout with the keys `bench.py` requires (`docs`,
//! `bytes`, `sig_total_s`, `index_query_s`, `mb_per_s_sig`, `cand_pairs`,
//! `verified_pairs`, `recall`, `peak_rss_mb`) and more phases.
//!
//! neardup's words are not the peers' "lowercase + split on white space":
//! text is NFKC-normalised and case-folded, and words are runs of
//! alphanumerics, so `foo.bar()` is two words here and one for the peers.
//! Shingle sets, hence recall and pair counts, differ accordingly.
//!
//! `--passages` adds neardup's own end-to-end task after the MinHash one:
//! an [`Index`](neardup::Index) with the default configuration over all
//! articles (`par_insert_many`), every article queried (`par_query_many`),
//! counting the article pairs that share at least one passage, with timings
//! under `e2e_*` keys; `minhash_peak_rss_mb` is then the peak before that
//! task and `peak_rss_mb` the peak of the whole process. `e2e_digest` hashes
//! every match reported (ids, similarities, passages), to check that a change
//! left the results alone.
//!
//! `--pairs` runs the same task with each unordered pair once
//! ([`Index::par_pairs`](neardup::Index::par_pairs)), under `pairs_*` keys.
//! It finds the pairs that the query of the smaller id finds: querying both
//! ways also finds pairs that only the larger id's query sees (a unit that
//! is all boilerplate in one article does not probe, while its partner in
//! the other article may). Run one of the two per process to read
//! `peak_rss_mb` for it. The index of `--pairs` keeps its texts on disk
//! ([`Index::store_texts_on_disk`](neardup::Index::store_texts_on_disk),
//! in the temporary directory), as the `corpus` example does.
//!
//! `--only` leaves the MinHash task out, so that `peak_rss_mb` is that of
//! neardup's own task alone: with `--passages`, the corpus the harness
//! holds (115 MB), the index and the work of the queries; `--pairs --only`
//! reads the corpus as a stream, 1,024 articles at a time (as the `corpus`
//! example reads its input), so its peak is the index and the work of the
//! pairs alone, end to end.
//!
//! `NDD_LIMIT=n` keeps the first `n` articles (recall is then left empty).
//! `NDD_REWRITTEN=true` or `false` sets `Config::rewritten` of the index
//! tasks, `NDD_REWRITTEN_CANDIDATES` its `rewritten_candidates` (default:
//! the default configuration's).
//! A missing or unreadable corpus prints one line on stderr and exits with
//! status 2.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use neardup::fingerprint::{Shingler, Signature};
use neardup::text;
use neardup::{Config, Detector};

/// Words per shingle, MinHash values, bands and rows, verification threshold.
const K: usize = 5;
const NUM_HASHES: usize = 128;
const BANDS: usize = 16;
const ROWS: usize = 8;
const THRESHOLD: f64 = 0.8;

/// The separator between two articles of `articles.txt`.
const SEPARATOR: &str = "\n\u{1e}\n";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("peer_bench: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The command line: `peer_bench [--passages] [--pairs] [--only]`, or `--exe`.
const USAGE: &str = "usage: peer_bench [--passages] [--pairs] [--only] | --exe   \
                     (threads: RAYON_NUM_THREADS, corpus: $NDD_PEERS_DIR)";

fn run() -> Result<(), String> {
    let (mut passages, mut pairs, mut only) = (false, false, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--passages" => passages = true,
            "--only" => only = true,
            "--pairs" => pairs = true,
            // `cargo bench` passes `--bench` to every bench program.
            "--bench" => {}
            // The path of this program, to give to `bench.py --with`.
            "--exe" => {
                let exe = std::env::current_exe().map_err(|e| format!("the path of this program: {e}"))?;
                println!("{}", exe.display());
                return Ok(());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} ({USAGE})")),
        }
    }
    let limit = match std::env::var("NDD_LIMIT") {
        Ok(v) => Some(v.parse::<usize>().map_err(|e| format!("NDD_LIMIT={v:?}: {e}"))?),
        Err(_) => None,
    };
    let corpus_dir = base_dir()?.join("corpus");
    if pairs && only && !passages {
        return pairs_only(&corpus_dir, limit);
    }

    let t = Instant::now();
    let raw = std::fs::read(corpus_dir.join("articles.txt"))
        .map_err(|e| format!("{}: {e} (build it with make-corpus)", corpus_dir.join("articles.txt").display()))?;
    let text =
        neardup::text::decode(&raw).map_err(|e| format!("{}: {e}", corpus_dir.join("articles.txt").display()))?;
    let mut docs: Vec<&str> = text.split(SEPARATOR).collect();
    if docs.last() == Some(&"") {
        docs.pop();
    }
    if let Some(n) = limit {
        docs.truncate(n);
    }
    let truth = if limit.is_none() { Some(load_truth(&corpus_dir.join("truth.tsv"))?) } else { None };
    let read_s = t.elapsed().as_secs_f64();

    let mut rec = Json::default();
    rec.str("peer", "neardup")
        .num("threads", rayon::current_num_threads())
        .num("docs", docs.len())
        .num("bytes", docs.iter().map(|d| d.len()).sum::<usize>())
        .num("k", K)
        .num("num_hashes", NUM_HASHES)
        .num("b", BANDS)
        .num("r", ROWS)
        .float("read_s", read_s);
    install_quiet_panic_hook();
    let failed = if only { Vec::new() } else { minhash_task(&docs, truth.as_deref(), &mut rec)? };
    if (passages || pairs) && !only {
        rec.float("minhash_peak_rss_mb", peak_rss_mb());
    }
    if passages {
        passage_task(&docs, &failed, truth.as_deref(), &mut rec)?;
    }
    if pairs {
        pairs_task(build_index(&docs, &failed, true)?, truth.as_deref(), &mut rec)?;
    }
    rec.float("peak_rss_mb", peak_rss_mb());
    println!("{}", rec.finish());
    if let Some(first) = first_panic() {
        eprintln!(
            "peer_bench: warning: neardup panicked on {} article(s) {:?}, left out; first panic: {first}",
            failed.len(),
            &failed[..failed.len().min(20)]
        );
    }
    Ok(())
}

/// The peers' task: whole-document signatures, LSH candidates, verification.
fn minhash_task(docs: &[&str], truth: Option<&[TruthPair]>, rec: &mut Json) -> Result<Vec<usize>, String> {
    use rayon::prelude::*;

    let mut config = Config::default();
    config.shingle_size = K;
    config.num_hashes = NUM_HASHES;
    config.threshold = THRESHOLD;
    config.bands_rows = Some((BANDS, ROWS));
    let detector = Detector::new(config).map_err(|e| e.to_string())?;
    let seed = detector.config().seed;

    // Pass 1, words and shingles only (what the peers call shingle_s).
    let t = Instant::now();
    let counts: Vec<Option<(usize, usize)>> = docs
        .par_iter()
        .map(|doc| {
            guarded(|| {
                let mut shingler = Shingler::new(K, seed);
                let (mut words, mut shingles) = (0usize, 0usize);
                text::for_each_word(doc, seed, |_, word| {
                    words += 1;
                    shingles += usize::from(shingler.push(word).is_some());
                });
                shingles += usize::from(shingler.finish().is_some());
                (words, shingles)
            })
        })
        .collect();
    let shingle_s = t.elapsed().as_secs_f64();
    let tokens: usize = counts.iter().flatten().map(|c| c.0).sum();
    let shingles: usize = counts.iter().flatten().map(|c| c.1).sum();

    // Pass 2, text -> signature: words, shingles, one-permutation MinHash.
    let cpu = cpu_s();
    let t = Instant::now();
    let sigs: Vec<Option<Signature>> =
        docs.par_iter().map(|doc| guarded(|| detector.document_signature(doc))).collect();
    let sig_total_s = t.elapsed().as_secs_f64();
    let sig_cpu_s = cpu_s() - cpu;
    let failed: Vec<usize> = (0..docs.len()).filter(|&i| sigs[i].is_none()).collect();

    // Index: band keys of every signature, then one table per band: its
    // `(key, document)` entries, sorted, so that a bucket (the documents
    // that share the band's key) is a run of equal keys, documents in
    // increasing order. Articles that neardup failed to analyse have no keys.
    let t = Instant::now();
    let keys: Vec<Vec<u64>> =
        sigs.par_iter().map(|s| s.as_ref().map(|s| detector.band_keys(s)).unwrap_or_default()).collect();
    let tables: Vec<Vec<(u64, u32)>> = (0..BANDS)
        .into_par_iter()
        .map(|band| {
            let mut table: Vec<(u64, u32)> =
                keys.iter().enumerate().filter_map(|(doc, k)| Some((*k.get(band)?, doc as u32))).collect();
            table.sort_unstable();
            table
        })
        .collect();
    let index_s = t.elapsed().as_secs_f64();

    // Query: every pair of documents in one bucket, each unordered pair
    // once, as the candidates of each document with a larger id, sorted
    // (what querying every document finds: collisions are symmetric).
    let t = Instant::now();
    let mut pairs: Vec<(u32, u32)> = tables
        .par_iter()
        .flat_map_iter(|table| {
            table.chunk_by(|x, y| x.0 == y.0).flat_map(|bucket| {
                bucket
                    .iter()
                    .enumerate()
                    .flat_map(move |(i, &(_, a))| bucket[i + 1..].iter().map(move |&(_, b)| (a, b)))
            })
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut cands: Vec<Vec<u32>> = vec![Vec::new(); docs.len()];
    for (a, b) in pairs {
        cands[a as usize].push(b);
    }
    let cand_pairs: usize = cands.iter().map(Vec::len).sum();
    let query_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let verified: usize = cands
        .par_iter()
        .enumerate()
        .map(|(i, js)| {
            let similarity = |j: u32| match (&sigs[i], &sigs[j as usize]) {
                (Some(a), Some(b)) => a.similarity(b),
                _ => 0.0,
            };
            js.iter().filter(|&&j| similarity(j) >= THRESHOLD).count()
        })
        .sum();
    let verify_s = t.elapsed().as_secs_f64();

    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let max_bucket = tables.iter().flat_map(|t| t.chunk_by(|x, y| x.0 == y.0).map(<[_]>::len)).max().unwrap_or(0);
    rec.num("tokens", tokens)
        .num("shingles", shingles)
        .float("shingle_s", shingle_s)
        .float("sig_s", sig_total_s - shingle_s)
        .float("index_s", index_s)
        .float("query_s", query_s)
        .float("verify_s", verify_s)
        .float("sig_total_s", sig_total_s)
        .float("index_query_s", index_s + query_s)
        .float("mb_per_s_sig", bytes as f64 / 1e6 / sig_total_s)
        .float("mb_per_s_sig_per_thread", bytes as f64 / 1e6 / sig_total_s / rayon::current_num_threads() as f64)
        .float("sig_cpu_s", sig_cpu_s)
        .float("mb_per_cpu_s_sig", bytes as f64 / 1e6 / sig_cpu_s)
        .num("max_bucket", max_bucket)
        .num("analyze_panics", failed.len())
        .value("analyze_panic_docs", &failed[..failed.len().min(20)])
        .num("cand_pairs", cand_pairs)
        .num("verified_pairs", verified)
        .value("recall", recall_json(truth, |a, b| cands[a].binary_search(&(b as u32)).is_ok()))
        .str("exact_recall", &exact_recall(docs, truth, seed, |a, b| cands[a].binary_search(&(b as u32)).is_ok()));
    Ok(failed)
}

/// An index of the corpus, and what building it cost.
struct Built<'a> {
    /// `(id, text)`, ids = positions in the corpus.
    articles: Vec<(u64, &'a str)>,
    index: neardup::Index,
    insert_s: f64,
    /// `Index::memory_usage`, in MB.
    index_mb: f64,
}

/// The articles (those in `skip` left out) in an
/// [`Index`](neardup::Index) with the default configuration, built with
/// `par_insert_many`.
fn build_index<'a>(docs: &[&'a str], skip: &[usize], texts_on_disk: bool) -> Result<Built<'a>, String> {
    let detector = Detector::new(config()?).map_err(|e| e.to_string())?;
    // Articles the MinHash task could not analyse would panic here too.
    let articles: Vec<(u64, &str)> =
        docs.iter().enumerate().filter(|(i, _)| skip.binary_search(i).is_err()).map(|(i, &d)| (i as u64, d)).collect();
    let t = Instant::now();
    let mut index = detector.index();
    if texts_on_disk {
        index.store_texts_on_disk(std::env::temp_dir()).map_err(|e| e.to_string())?;
    }
    index.par_insert_many(&articles).map_err(|e| e.to_string())?;
    index.shrink_to_fit();
    let insert_s = t.elapsed().as_secs_f64();
    let index_mb = index.memory_usage() as f64 / 1e6;
    Ok(Built { articles, index, insert_s, index_mb })
}

/// neardup's own task: passages shared between articles, through the index.
fn passage_task(docs: &[&str], skip: &[usize], truth: Option<&[TruthPair]>, rec: &mut Json) -> Result<(), String> {
    /// Queries per `par_query_many` call: keeps only the pairs, not every
    /// report, in memory.
    const CHUNK: usize = 1024;

    let Built { articles, index, insert_s, index_mb } = build_index(docs, skip, false)?;

    let t = Instant::now();
    // For each article, the other articles it shares a passage with (sorted).
    let mut shares: Vec<Vec<u32>> = vec![Vec::new(); docs.len()];
    let (mut matches, mut passages, mut saturated) = (0usize, 0usize, 0usize);
    let mut digest = Digest::default();
    for chunk in articles.chunks(CHUNK) {
        let texts: Vec<&str> = chunk.iter().map(|a| a.1).collect();
        for (&(id, _), result) in chunk.iter().zip(index.par_query_many(&texts)) {
            saturated += result.saturated_buckets;
            let other = &mut shares[id as usize];
            for m in result.matches.iter().filter(|m| m.id != id) {
                digest.query_match(id, m);
                matches += 1;
                passages += m.report.passages.len();
                other.push(m.id as u32);
            }
            other.sort_unstable();
        }
    }
    let query_s = t.elapsed().as_secs_f64();

    let has = |a: usize, b: usize| shares[a].binary_search(&(b as u32)).is_ok();
    let found = |a: usize, b: usize| has(a, b) || has(b, a);
    // Unordered article pairs with a passage, and how many of them only one
    // of the two queries found.
    let (mut pairs, mut one_way) = (0usize, 0usize);
    for (a, bs) in shares.iter().enumerate() {
        for &b in bs {
            let b = b as usize;
            if !has(b, a) {
                pairs += 1;
                one_way += 1;
            } else if a < b {
                pairs += 1;
            }
        }
    }
    rec.str("e2e", "Index with the default Config: par_insert_many + par_query_many of every article")
        .float("e2e_insert_s", insert_s)
        .float("e2e_index_mb", index_mb)
        .float("e2e_query_s", query_s)
        .float("e2e_total_s", insert_s + query_s)
        .num("e2e_matches", matches)
        .num("e2e_article_pairs", pairs)
        .num("e2e_one_way_pairs", one_way)
        .num("e2e_passages", passages)
        .num("e2e_saturated_buckets", saturated)
        .str("e2e_digest", &format!("{:016x}", digest.0))
        .value("e2e_recall", recall_json(truth, found));
    Ok(())
}

/// `--pairs`: neardup's task with every unordered pair once, from
/// [`Index::par_pairs`](neardup::Index::par_pairs) (streamed: only the pair
/// ids are kept). `pairs_digest` hashes the whole pair stream (ids, similarities, every passage's spans, token ranges,
/// counts and scores), so two builds that print the same digest computed
/// the same reports.
fn pairs_task(built: Built<'_>, truth: Option<&[TruthPair]>, rec: &mut Json) -> Result<(), String> {
    let Built { index, insert_s, index_mb, .. } = built;
    let after_insert_rss = peak_rss_mb();

    let t = Instant::now();
    // Every pair `(a, b)`, `a < b`, in increasing order.
    let mut found_pairs: Vec<(u32, u32)> = Vec::new();
    let mut passages = 0usize;
    let mut digest = Digest::default();
    for p in index.par_pairs() {
        found_pairs.push((p.a as u32, p.b as u32));
        passages += p.report.passages.len();
        digest.pair(&p);
    }
    let pairs_s = t.elapsed().as_secs_f64();
    let found = |a: usize, b: usize| found_pairs.binary_search(&(a as u32, b as u32)).is_ok();
    rec.str("pairs", "Index with the default Config: par_insert_many + par_pairs (every article pair once)")
        .float("pairs_insert_s", insert_s)
        .float("pairs_index_mb", index_mb)
        .value("pairs_texts_on_disk", index.texts_on_disk())
        .float("pairs_after_insert_rss_mb", after_insert_rss)
        .float("pairs_s", pairs_s)
        .float("pairs_total_s", insert_s + pairs_s)
        .num("pairs_article_pairs", found_pairs.len())
        .num("pairs_passages", passages)
        .str("pairs_digest", &format!("{:016x}", digest.0))
        .value("pairs_recall", recall_json(truth, found));
    Ok(())
}

/// `--pairs --only`: the pairs task on the corpus read as a stream, a
/// chunk of articles at a time, as the `corpus` example reads its input:
/// the harness never holds the whole corpus, so `peak_rss_mb` is that of
/// neardup's index and its work (the same pairs and digest as `--pairs`).
fn pairs_only(corpus_dir: &std::path::Path, limit: Option<usize>) -> Result<(), String> {
    use std::io::BufRead;
    /// Articles per `par_insert_many`.
    const CHUNK: usize = 1024;
    let path = corpus_dir.join("articles.txt");
    let name = path.display().to_string();
    let file = std::fs::File::open(&path).map_err(|e| format!("{name}: {e} (build it with make-corpus)"))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let truth = if limit.is_none() { Some(load_truth(&corpus_dir.join("truth.tsv"))?) } else { None };
    let mut index = Detector::new(config()?).map_err(|e| e.to_string())?.index();
    index.store_texts_on_disk(std::env::temp_dir()).map_err(|e| e.to_string())?;
    let (mut docs, mut bytes) = (0usize, 0usize);
    let mut chunk: Vec<(u64, String)> = Vec::with_capacity(CHUNK);
    let mut flush = |chunk: &mut Vec<(u64, String)>| -> Result<(), String> {
        let refs: Vec<(u64, &str)> = chunk.iter().map(|(id, t)| (*id, t.as_str())).collect();
        index.par_insert_many(&refs).map_err(|e| e.to_string())?;
        chunk.clear();
        Ok(())
    };
    let t = Instant::now();
    let (sep, mut pending, mut at) = (SEPARATOR.as_bytes(), Vec::new(), 0usize);
    loop {
        if limit.is_some_and(|n| docs >= n) {
            break;
        }
        // An article ends at the separator "\n\x1e\n" (or the end of the
        // file); a lone \x1e inside one is kept.
        let read = reader.read_until(sep[1], &mut pending).map_err(|e| format!("{name}: {e}"))?;
        let ended = read == 0;
        let at_separator = pending.ends_with(&sep[..2])
            && reader.fill_buf().map_err(|e| format!("{name}: {e}"))?.first() == Some(&sep[2]);
        if !ended && !at_separator {
            continue;
        }
        if at_separator {
            reader.consume(1);
            pending.truncate(pending.len() - 2);
        }
        if !(ended && pending.is_empty()) {
            let doc = text::decode(&pending).map_err(|e| format!("{name}: the article at byte {at}: {e}"))?;
            bytes += doc.len();
            chunk.push((docs as u64, doc.to_string()));
            docs += 1;
            if chunk.len() == CHUNK {
                flush(&mut chunk)?;
            }
        }
        at += pending.len() + if at_separator { sep.len() } else { 0 };
        pending.clear();
        if ended {
            break;
        }
    }
    flush(&mut chunk)?;
    index.shrink_to_fit();
    let insert_s = t.elapsed().as_secs_f64();
    let index_mb = index.memory_usage() as f64 / 1e6;
    let mut rec = Json::default();
    rec.str("peer", "neardup")
        .num("threads", rayon::current_num_threads())
        .num("docs", docs)
        .num("bytes", bytes)
        .value("streamed", true);
    pairs_task(Built { articles: Vec::new(), index, insert_s, index_mb }, truth.as_deref(), &mut rec)?;
    rec.float("peak_rss_mb", peak_rss_mb());
    println!("{}", rec.finish());
    Ok(())
}

/// FNV-1a over the fields of a pair stream.
struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    fn word(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn pair(&mut self, p: &neardup::Pair) {
        self.report([p.a, p.b, p.candidate_similarity.to_bits()], &p.report);
    }

    fn query_match(&mut self, query: u64, m: &neardup::Match) {
        self.report([query, m.id, m.candidate_similarity.to_bits()], &m.report);
    }

    fn report(&mut self, head: [u64; 3], r: &neardup::Report) {
        for v in head.into_iter().chain([r.a_words as u64, r.b_words as u64]) {
            self.word(v);
        }
        for v in [r.a_covered_words, r.b_covered_words, r.passages.len(), r.boilerplate.len()] {
            self.word(v as u64);
        }
        for q in r.passages.iter().chain(&r.boilerplate) {
            for v in [q.a.start, q.a.end, q.b.start, q.b.end, q.a_tokens.start, q.a_tokens.end] {
                self.word(v as u64);
            }
            for v in [q.b_tokens.start, q.b_tokens.end, q.matched_words] {
                self.word(v as u64);
            }
            for v in [q.similarity, q.containment_a, q.containment_b] {
                self.word(v.to_bits());
            }
        }
    }
}

/// The first panic message seen by the quiet hook.
static FIRST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Replaces the default panic hook (a backtrace per panic, on every
/// thread) with one that keeps the first message for one stderr line.
fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let mut first = FIRST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            let msg: String = info.to_string().chars().take(300).collect();
            *first = Some(msg.replace('\n', "\\n"));
        }
    }));
}

fn first_panic() -> Option<String> {
    FIRST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `f()`, or `None` if it panicked (neardup must not panic on any `&str`;
/// the harness counts and reports articles where it does).
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// One injected near-duplicate: original, duplicate (0-based article
/// positions) and the edit rate as written in `truth.tsv`.
struct TruthPair {
    orig: usize,
    dup: usize,
    rate: String,
}

/// Recall at the threshold on exact Jaccard: of the injected pairs whose
/// 5-shingle sets (neardup's words) have exact Jaccard >= 0.8, how many
/// are LSH candidates, as "found/total".
fn exact_recall(
    docs: &[&str],
    truth: Option<&[TruthPair]>,
    seed: u64,
    found: impl Fn(usize, usize) -> bool + Sync,
) -> String {
    let shingle_set = |doc: &str| {
        let mut shingler = Shingler::new(K, seed);
        let mut set = std::collections::HashSet::new();
        text::for_each_word(doc, seed, |_, word| set.extend(shingler.push(word)));
        set.extend(shingler.finish());
        set
    };
    // (at threshold, found) per injected pair, in parallel.
    use rayon::prelude::*;
    let judged: Vec<(bool, bool)> = truth
        .unwrap_or(&[])
        .par_iter()
        .filter_map(|p| {
            let (a, b) = (p.orig.min(p.dup), p.orig.max(p.dup));
            if a == b || b >= docs.len() {
                return None;
            }
            let (sa, sb) = (shingle_set(docs[a]), shingle_set(docs[b]));
            let union = sa.union(&sb).count();
            let at_threshold = union > 0 && sa.intersection(&sb).count() as f64 >= THRESHOLD * union as f64;
            Some((at_threshold, at_threshold && found(a, b)))
        })
        .collect();
    let total = judged.iter().filter(|j| j.0).count();
    let hits = judged.iter().filter(|j| j.1).count();
    format!("{hits}/{total}")
}

fn base_dir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("NDD_PEERS_DIR") {
        return Ok(PathBuf::from(d));
    }
    let home = std::env::var_os("HOME").ok_or("neither NDD_PEERS_DIR nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/ndd-peers"))
}

/// `truth.tsv`: a header, then `dup, orig, rate, jaccard` per line.
fn load_truth(path: &std::path::Path) -> Result<Vec<TruthPair>, String> {
    let s = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in s.lines().enumerate().skip(1) {
        let bad = || format!("{}:{}: expected dup, orig, rate, jaccard: {line:?}", path.display(), n + 1);
        let mut f = line.split('\t');
        let dup = f.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let orig = f.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let rate = f.next().ok_or_else(bad)?.to_string();
        out.push(TruthPair { orig, dup, rate });
    }
    Ok(out)
}

/// `{"<rate>": "found/total", ...}` in rate order (as strings, like the
/// peers); `found(a, b)` is asked with `a < b`. Pairs naming an article
/// outside the corpus count as missed.
fn recall_json(truth: Option<&[TruthPair]>, found: impl Fn(usize, usize) -> bool) -> BTreeMap<&str, String> {
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in truth.unwrap_or(&[]) {
        let (a, b) = (p.orig.min(p.dup), p.orig.max(p.dup));
        let e = by.entry(&p.rate).or_default();
        e.1 += 1;
        if a != b && found(a, b) {
            e.0 += 1;
        }
    }
    by.into_iter().map(|(rate, (h, t))| (rate, format!("{h}/{t}"))).collect()
}

/// CPU time of all threads of the process so far, from
/// `/proc/self/task/*/schedstat` (nanoseconds; 0 where unavailable). On a
/// busy machine, bytes per CPU second is the steadier throughput figure.
/// The configuration of the index tasks: the default, with
/// `Config::rewritten` and `Config::rewritten_candidates` set by
/// `NDD_REWRITTEN` and `NDD_REWRITTEN_CANDIDATES` (`true` or `false`) when
/// given, to time rewritten reuse on and off with one build.
fn config() -> Result<Config, String> {
    let mut config = Config::default();
    if let Ok(v) = std::env::var("NDD_REWRITTEN") {
        config.rewritten = v.parse().map_err(|e| format!("NDD_REWRITTEN={v:?}: {e} (true or false)"))?;
    }
    if let Ok(v) = std::env::var("NDD_REWRITTEN_CANDIDATES") {
        config.rewritten_candidates =
            v.parse().map_err(|e| format!("NDD_REWRITTEN_CANDIDATES={v:?}: {e} (true or false)"))?;
    }
    Ok(config)
}

fn cpu_s() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e9
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The JSON object printed, built key by key (serde_json writes it).
#[derive(Default)]
struct Json(serde_json::Map<String, serde_json::Value>);

impl Json {
    fn value(&mut self, k: &str, v: impl serde::Serialize) -> &mut Self {
        self.0.insert(k.to_owned(), serde_json::to_value(v).expect("plain data serializes"));
        self
    }
    fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.value(k, v)
    }
    fn num(&mut self, k: &str, v: usize) -> &mut Self {
        self.value(k, v)
    }
    /// A float with four decimals (seconds, MB, MB/s).
    fn float(&mut self, k: &str, v: f64) -> &mut Self {
        self.value(k, (v * 1e4).round() / 1e4)
    }
    fn finish(&mut self) -> String {
        serde_json::Value::Object(std::mem::take(&mut self.0)).to_string()
    }
}
