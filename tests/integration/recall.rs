//! The candidate guarantee against a brute-force oracle: every pair of
//! indexed articles that shares a run of `min_words` words (after
//! normalisation) is proposed and its passage reported, wherever the run
//! sits: inside otherwise different sentences, across a sentence
//! boundary, inside text one article repeats. And text quoted by a few
//! articles is a quote, not boilerplate.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use neardup::{Detector, Index, Span};

use crate::{Rng, seed_pair};

/// Sentences of real text: the first seed article and the five Wikipedia
/// articles of cs-shortanswer (Clough and Stevenson 2011), long enough to
/// host a run, each once.
fn pool() -> Vec<Vec<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eval-dev/cs-shortanswer/docs");
    let (a, _) = seed_pair();
    let mut texts = vec![a];
    for task in ["a", "b", "c", "d", "e"] {
        let path = format!("{dir}/orig_task{task}.txt");
        texts
            .push(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (../shared beside the repo)")));
    }
    let d = Detector::builder().build().unwrap();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in &texts {
        for s in &d.analyze(t).sentences {
            let words: Vec<String> = t[s.span].split_whitespace().map(str::to_string).collect();
            if words.len() >= 12 && seen.insert(words.join(" ")) {
                out.push(words);
            }
        }
    }
    out
}

/// Words compared as the index compares them (case and punctuation aside).
fn norm(w: &str) -> String {
    w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// How a run is planted in the two articles of a pair.
#[derive(Clone, Copy, Debug)]
enum Plant {
    /// Inside one sentence of each, away from its edges.
    Inside,
    /// The first half ends a sentence, the second half starts the next.
    Across,
    /// Inside a paragraph that the first article holds twice.
    Repeated,
}

/// One article under construction: its paragraphs, and the byte spans of
/// the runs planted in it.
struct Draft {
    paragraphs: Vec<String>,
}

impl Draft {
    fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// Appends `words` to `out` (space separated) and returns the byte span of
/// `words[range]` in `out`.
fn push_words(out: &mut String, words: &[String], range: std::ops::Range<usize>) -> Option<(usize, usize)> {
    let mut span = None;
    let mut start = 0;
    for (i, w) in words.iter().enumerate() {
        if !out.is_empty() && !out.ends_with(' ') && !out.ends_with('\n') {
            out.push(' ');
        }
        if i == range.start {
            start = out.len();
        }
        out.push_str(w);
        if i + 1 == range.end {
            span = Some((start, out.len()));
        }
    }
    span
}

/// A paragraph hosting `run` per `plant`: host sentence `x` cut at word
/// `at` (Inside, Repeated), or ending with the run's first half and
/// followed by a sentence starting with its second half (Across); the
/// run's byte span in the paragraph.
fn host(x: &[String], next: &[String], run: &[String], at: usize, plant: Plant) -> (String, (usize, usize)) {
    let mut words: Vec<String> = Vec::new();
    let start;
    match plant {
        Plant::Inside | Plant::Repeated => {
            words.extend_from_slice(&x[..at]);
            start = words.len();
            words.extend_from_slice(run);
            words.extend_from_slice(&x[at..]);
        }
        Plant::Across => {
            words.extend_from_slice(&x[..at]);
            start = words.len();
            let half = run.len() / 2;
            words.extend_from_slice(&run[..half]);
            let last = words.last_mut().unwrap();
            last.push('.');
            let mut first = run[half].clone();
            if let Some(c) = first.get(..1) {
                first = c.to_uppercase() + &first[1..];
            }
            words.push(first);
            words.extend_from_slice(&run[half + 1..]);
            words.extend_from_slice(next);
        }
    }
    let mut out = String::new();
    let span = push_words(&mut out, &words, start..start + run.len()).unwrap();
    (out, span)
}

/// A planted run: the ids of its two articles and its byte spans in each
/// (two spans in the first article when it is repeated there).
struct Planted {
    a: u64,
    b: u64,
    plant: Plant,
    in_a: Vec<(usize, usize)>,
    in_b: (usize, usize),
}

/// A random corpus of `n` articles of real sentences, with `runs` runs of
/// exactly `len` words planted in pairs of articles.
fn corpus(n: usize, runs: usize, len: usize, seed: u64) -> (Vec<(u64, String)>, Vec<Planted>) {
    let pool = pool();
    let mut rng = Rng(seed);
    // Each host sentence is used once, so that runs are the only thing
    // two hosts share.
    let mut order: Vec<usize> = (0..pool.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    // Hosts and run sources from most of the pool, other paragraphs from
    // the rest.
    let fillers: Vec<usize> = order.split_off(order.len() * 3 / 4);
    let mut fresh = order.into_iter();
    let filler = |rng: &mut Rng| pool[fillers[rng.below(fillers.len())]].join(" ");
    let mut drafts: Vec<Draft> = (0..n).map(|_| Draft { paragraphs: vec![filler(&mut rng)] }).collect();
    let mut planted = Vec::new();
    for r in 0..runs {
        let (a, b) = (rng.below(n), rng.below(n));
        if a == b {
            continue;
        }
        let plant = [Plant::Inside, Plant::Across, Plant::Repeated][r % 3];
        // Words of a real sentence, as the index compares them (a token of
        // punctuation only is no word).
        // A sentence used nowhere else.
        let Some(source) = fresh.next() else { break };
        let source: Vec<String> = pool[source].iter().map(|w| norm(w)).filter(|w| !w.is_empty()).collect();
        if source.len() <= len {
            continue;
        }
        let from = rng.below(source.len() - len);
        let run: Vec<String> = source[from..from + len].to_vec();
        let (Some(xa), Some(xb)) = (fresh.next(), fresh.next()) else {
            break;
        };
        let (xa, xb) = (&pool[xa], &pool[xb]);
        let (na, nb) = (&pool[fillers[rng.below(fillers.len())]], &pool[fillers[rng.below(fillers.len())]]);
        // Away from the hosts' edges, and with different words on both
        // sides of the run, so that the run is exactly what they share.
        let (at_a, at_b) = (4 + rng.below(xa.len() - 8), 4 + rng.below(xb.len() - 8));
        if norm(&xa[at_a - 1]) == norm(&xb[at_b - 1])
            || norm(&xa[at_a]) == norm(&xb[at_b])
            || norm(&na[0]) == norm(&nb[0])
        {
            continue;
        }
        let (pa, span_a) = host(xa, na, &run, at_a, plant);
        let (pb, span_b) = host(xb, nb, &run, at_b, plant);
        let offset = |d: &Draft| d.text().len() + if d.paragraphs.is_empty() { 0 } else { 2 };
        let mut in_a = Vec::new();
        let copies = if matches!(plant, Plant::Repeated) { 2 } else { 1 };
        for _ in 0..copies {
            let o = offset(&drafts[a]);
            drafts[a].paragraphs.push(pa.clone());
            in_a.push((o + span_a.0, o + span_a.1));
            // Something between the two copies.
            drafts[a].paragraphs.push(filler(&mut rng));
        }
        let o = offset(&drafts[b]);
        drafts[b].paragraphs.push(pb);
        planted.push(Planted { a: a as u64, b: b as u64, plant, in_a, in_b: (o + span_b.0, o + span_b.1) });
    }
    (drafts.iter().enumerate().map(|(i, d)| (i as u64, d.text())).collect(), planted)
}

/// Every run of `len` words of each article (word hashes as the index
/// computes them).
fn runs_of(d: &Detector, articles: &[(u64, String)], len: usize) -> Vec<HashSet<Vec<u64>>> {
    articles
        .iter()
        .map(|(_, t)| {
            let hashes: Vec<u64> = d.analyze(t).tokens.iter().map(|t| t.hash).collect();
            hashes.windows(len).map(<[u64]>::to_vec).collect()
        })
        .collect()
}

/// The oracle: every pair of articles sharing a run of `len` words, by
/// comparing every run of every article with every other's.
fn oracle(runs: &[HashSet<Vec<u64>>], articles: &[(u64, String)]) -> BTreeSet<(u64, u64)> {
    let mut pairs = BTreeSet::new();
    for i in 0..articles.len() {
        for j in i + 1..articles.len() {
            if !runs[i].is_disjoint(&runs[j]) {
                pairs.insert((articles[i].0.min(articles[j].0), articles[i].0.max(articles[j].0)));
            }
        }
    }
    pairs
}

fn contains(outer: Span, inner: (usize, usize)) -> bool {
    outer.start <= inner.0 && inner.1 <= outer.end
}

#[test]
fn every_pair_sharing_a_run_of_min_words_is_found_with_its_passage() {
    for (seed, min_words) in [(1, 8), (2, 12), (3, 15), (4, 15)] {
        // Boilerplate off: the oracle knows nothing of it (the pool's
        // sentences recur in many articles).
        let d = Detector::builder().min_words(min_words).boilerplate_contexts(0).build().unwrap();
        let (articles, planted) = corpus(40, 40, min_words, seed);
        assert!(planted.len() >= 12, "{} runs planted", planted.len());
        let mut index: Index = d.index();
        index.insert_many(&articles).unwrap();
        let pairs: BTreeMap<(u64, u64), neardup::Report> = index.pairs().map(|p| ((p.a, p.b), p.report)).collect();
        // An exact duplicate pairs through its class's representative.
        let mut rep: BTreeMap<u64, u64> = BTreeMap::new();
        for g in index.exact_duplicates() {
            for m in g.members {
                rep.insert(m, g.representative);
            }
        }
        let class = |id: u64| rep.get(&id).copied().unwrap_or(id);
        let runs = runs_of(&d, &articles, min_words);
        let truth: BTreeSet<(u64, u64)> = oracle(&runs, &articles)
            .into_iter()
            .map(|(x, y)| (class(x).min(class(y)), class(x).max(class(y))))
            .filter(|(x, y)| x != y)
            .collect();
        let missed: Vec<&(u64, u64)> = truth.iter().filter(|p| !pairs.contains_key(p)).collect();
        assert!(
            missed.is_empty(),
            "min_words {min_words}: {} of {} pairs missed: {missed:?}",
            missed.len(),
            truth.len()
        );
        let mut exact_checks = 0;
        for p in &planted {
            let key = (p.a.min(p.b), p.a.max(p.b));
            let report = &pairs[&key];
            let swap = p.a > p.b;
            let spans = |q: &neardup::Passage| if swap { (q.b, q.a) } else { (q.a, q.b) };
            for &copy in &p.in_a {
                let found = report.passages.iter().any(|q| {
                    let (sa, sb) = spans(q);
                    contains(sa, copy) && contains(sb, p.in_b)
                });
                assert!(
                    found,
                    "{:?} run of {} and {} at {copy:?} / {:?}: {:?} / {:?}: {report:#?}",
                    p.plant,
                    p.a,
                    p.b,
                    p.in_b,
                    &articles[p.a as usize].1
                        [copy.0.saturating_sub(60)..(copy.1 + 60).min(articles[p.a as usize].1.len())],
                    &articles[p.b as usize].1
                        [p.in_b.0.saturating_sub(60)..(p.in_b.1 + 60).min(articles[p.b as usize].1.len())],
                );
            }
            // Exact spans where the run is all the two articles share (other
            // paragraphs drawn for both may be shared too, and a passage
            // then rightly joins them).
            let shared = runs[p.a as usize].intersection(&runs[p.b as usize]).count();
            if !matches!(p.plant, Plant::Repeated) && shared == 1 {
                exact_checks += 1;
                let exact = report.passages.iter().any(|q| {
                    let (sa, sb) = spans(q);
                    (sa.start, sa.end) == p.in_a[0] && (sb.start, sb.end) == p.in_b
                });
                let texts = (&articles[p.a as usize].1, &articles[p.b as usize].1);
                assert!(
                    exact,
                    "{:?}: {:?} not reported exactly: {:?}",
                    p.plant,
                    &texts.0[p.in_a[0].0..p.in_a[0].1],
                    report.passages.iter().map(|q| &texts.0[spans(q).0]).collect::<Vec<_>>()
                );
            }
        }
        assert!(exact_checks >= 5, "min_words {min_words}: {exact_checks} runs checked for exact spans");
    }
}

#[test]
fn a_sentence_quoted_by_five_articles_relates_all_of_them() {
    // Five articles quote one sentence of the seed, each in a context of
    // its own (other real sentences around it): a quote, not boilerplate,
    // so all ten pairs are found, and the quote is their passage.
    let (seed, _) = seed_pair();
    let quote = "Azerbaijan has been supporting peacekeeping operations in Afghanistan since 2002 and NATO is grateful to it for that.";
    let pool = pool();
    let index_of = |d: &Detector| {
        let mut index = d.index();
        for i in 0..5 {
            let text = format!(
                "{} {quote} {}",
                pool[pool.len() - 1 - 2 * i].join(" "),
                pool[pool.len() - 2 - 2 * i].join(" ")
            );
            index.insert(i as u64, &text).unwrap();
        }
        index
    };
    assert!(seed.contains(quote));
    let index = index_of(&Detector::builder().build().unwrap());
    let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(pairs.len(), 10, "{pairs:?}");
    for p in index.pairs() {
        assert_eq!(p.report.passages.len(), 1);
        assert!(p.report.boilerplate.is_empty());
    }
    // Quoted in ten contexts it is boilerplate (the default bound): listed,
    // labelled, and relating nothing on its own.
    let mut index = Detector::builder().build().unwrap().index();
    for i in 0..10 {
        let text =
            format!("{} {quote} {}", pool[pool.len() - 1 - 2 * i].join(" "), pool[pool.len() - 2 - 2 * i].join(" "));
        index.insert(i as u64, &text).unwrap();
    }
    assert_eq!(index.pairs().count(), 0);
}
