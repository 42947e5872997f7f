//! Rewritten reuse (issue 13): passages whose words were reordered,
//! substituted or paraphrased, reported as one passage of kind
//! `Rewritten`, on real text: the short answers of
//! `../shared/eval-dev/cs-shortanswer` (Clough and Stevenson 2011, gold
//! labels of how each answer was written) and the seed articles.

use neardup::{Detector, PassageKind, Report};

use crate::seed_pair;

fn set_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eval-dev/cs-shortanswer").to_owned()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (the test reads the cs-shortanswer set from ../shared/eval-dev)"))
}

/// `(answer, source, label)` of every gold-labelled pair.
fn labelled_pairs() -> Vec<(String, String, String)> {
    let dir = set_dir();
    let field = |line: &str, name: &str| {
        let key = format!("\"{name}\": \"");
        let at = line.find(&key).unwrap_or_else(|| panic!("no {name} in {line}")) + key.len();
        line[at..].split('"').next().unwrap_or_default().to_owned()
    };
    read(&format!("{dir}/pair_labels.jsonl"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (a, b) = (field(l, "a"), field(l, "b"));
            (read(&format!("{dir}/docs/{a}")), read(&format!("{dir}/docs/{b}")), field(l, "label"))
        })
        .collect()
}

/// `compare(a, b)`, checked to be symmetric.
fn compare(d: &Detector, a: &str, b: &str) -> Report {
    let report = d.compare(a, b);
    assert_eq!(d.compare(b, a), report.swapped(), "compare must not depend on argument order");
    report
}

/// Pairs with at least one passage, per gold label.
fn found(d: &Detector) -> std::collections::BTreeMap<String, (usize, usize)> {
    let mut by_label = std::collections::BTreeMap::new();
    for (a, b, label) in labelled_pairs() {
        let report = compare(d, &a, &b);
        for p in &report.passages {
            assert!(a.is_char_boundary(p.a.start) && a.is_char_boundary(p.a.end));
            assert!(b.is_char_boundary(p.b.start) && b.is_char_boundary(p.b.end));
            assert!((0.0..=1.0).contains(&p.bag_similarity), "{p:?}");
            assert!(p.matched_words <= p.a_tokens.len() && p.matched_words <= p.b_tokens.len(), "{p:?}");
        }
        let e = by_label.entry(label).or_insert((0, 0));
        e.0 += usize::from(!report.passages.is_empty());
        e.1 += 1;
    }
    by_label
}

#[test]
fn heavy_and_light_revisions_are_found_and_answers_written_without_copying_are_not() {
    let with = found(&Detector::builder().rewritten(true).build().unwrap());
    let without = found(&Detector::builder().rewritten(false).build().unwrap());
    assert_eq!(with["non"], (0, 38), "no answer written without copying is reuse: {with:?}");
    assert!(with["heavy"].0 >= 15, "heavy revisions found: {with:?}");
    assert!(with["light"].0 >= 18, "light revisions found: {with:?}");
    assert!(with["cut"].0 >= 17, "cut-and-paste answers found: {with:?}");
    assert!(without["heavy"].0 < with["heavy"].0, "exact alignment alone finds fewer: {without:?} {with:?}");
    assert_eq!(without["non"], (0, 38));
}

#[test]
fn a_heavily_revised_answer_is_one_rewritten_passage() {
    let dir = set_dir();
    // Labelled `heavy` and `light`; both rewrite the source's sentences.
    for name in ["g2pE_taska.txt", "g4pD_taska.txt"] {
        let (a, b) = (read(&format!("{dir}/docs/{name}")), read(&format!("{dir}/docs/orig_taska.txt")));
        let report = compare(&Detector::builder().rewritten(true).build().unwrap(), &a, &b);
        let rewritten: Vec<_> = report.passages.iter().filter(|p| p.kind == PassageKind::Rewritten).collect();
        assert!(!rewritten.is_empty(), "{name}: {report:#?}");
        let p = rewritten[0];
        assert!(p.bag_similarity >= 0.7 && p.similarity < p.bag_similarity, "{name}: {p:?}");
        // No other passage overlaps it on both sides: one passage per case.
        for q in &report.passages {
            if q != p {
                assert!(q.a.end <= p.a.start || q.a.start >= p.a.end || q.b.end <= p.b.start || q.b.start >= p.b.end);
            }
        }
    }
}

/// The paragraph of `text` that starts with `start`.
fn paragraph<'t>(text: &'t str, start: &str) -> &'t str {
    let begin = text.find(start).unwrap_or_else(|| panic!("paragraph {start:?} not in text"));
    let end = text[begin..].find("\n\n").map_or(text.len(), |e| begin + e);
    &text[begin..end]
}

/// The words of each sentence of `text` in reverse order, sentence
/// boundaries kept.
fn reverse_words(text: &str) -> String {
    text.split_inclusive(". ")
        .map(|s| {
            let (body, end) = s.strip_suffix(". ").map_or((s, ""), |b| (b, ". "));
            let words: Vec<&str> = body.split_whitespace().rev().collect();
            format!("{}{end}", words.join(" "))
        })
        .collect()
}

#[test]
fn a_paragraph_with_every_sentence_reversed_is_one_rewritten_passage() {
    let (a, _) = seed_pair();
    // A paragraph of 001 reused by 000; here each of its sentences has its
    // words reversed, and it is put between two unrelated paragraphs.
    let start = a.find("Speaking at the Baku-based international conference").expect("seed paragraph");
    let end = a[start..].find("\n\n").map_or(a.len(), |e| start + e);
    let reversed = reverse_words(&a[start..end]);
    let other = format!(
        "A note from the editors about the weekly schedule of the paper.\n\n{reversed}\n\nThe weather will be cold in the mountains this week."
    );
    let d = Detector::builder().rewritten(true).build().unwrap();
    let without = compare(&Detector::builder().rewritten(false).build().unwrap(), &a, &other);
    assert!(without.passages.is_empty(), "no exact run survives: {without:#?}");
    let report = compare(&d, &a, &other);
    assert_eq!(report.passages.len(), 1, "{report:#?}");
    let p = &report.passages[0];
    assert_eq!(p.kind, PassageKind::Rewritten);
    assert_eq!(&other[p.b], reversed.trim_end(), "the whole reversed paragraph, nothing else");
    assert!(a[p.a].starts_with("Speaking at the Baku-based"), "{}", &a[p.a]);
    assert!(p.bag_similarity > 0.9, "{p:?}");
    // The same through an index: a pair proposed by one exact run gets its
    // rewritten passage too.
    // Another paragraph of 000, copied after it, makes the pair a candidate.
    let last = paragraph(&a, "Hajiyev added that Azerbaijan will continue");
    let mut index = d.index();
    index.insert(0, &a).unwrap();
    index.insert(1, &format!("{other}\n\n{last}")).unwrap();
    let pairs: Vec<_> = index.pairs().collect();
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].report.passages.iter().any(|q| q.kind == PassageKind::Rewritten && q.b == p.b), "{:#?}", pairs[0]);
}

#[test]
fn the_seed_pairs_rewritten_lead_is_one_passage_and_the_rest_is_unchanged() {
    let (a, b) = seed_pair();
    let with = compare(&Detector::builder().rewritten(true).build().unwrap(), &a, &b);
    let without = compare(&Detector::builder().rewritten(false).build().unwrap(), &a, &b);
    let spans = |r: &Report| r.passages.iter().map(|p| (p.a, p.b, p.kind)).collect::<Vec<_>>();
    // 001's lead swaps the two halves of 000's sentence: two exact pieces
    // without rewriting, one rewritten passage with it.
    let (with_spans, without_spans) = (spans(&with), spans(&without));
    let (lead, rest) = with_spans.split_at(1);
    let (pieces, same) = without_spans.split_at(2);
    assert_eq!(rest, same, "the other passages are unchanged");
    assert_eq!(lead[0].2, PassageKind::Rewritten);
    assert_eq!(lead[0].0, neardup::Span::new(pieces[0].0.start, pieces[1].0.end));
    assert_eq!(lead[0].1, neardup::Span::new(pieces[1].1.start, pieces[0].1.end));
    assert_eq!(
        &a[lead[0].0],
        "discussed the state of bilateral cooperation within NATO with member of the Latvian delegation to the NATO Parliamentary Assembly Raimonds Bergmanis."
    );
    for p in &without.passages {
        let same = a[p.a].split_whitespace().eq(b[p.b].split_whitespace());
        match p.kind {
            PassageKind::Exact => assert_eq!(p.matched_words, p.a_tokens.len()),
            PassageKind::Edited => assert!(!same && p.matched_words < p.a_tokens.len().max(p.b_tokens.len())),
            PassageKind::Rewritten => panic!("{p:?}"),
        }
    }
}

/// `(answer, source, label)` file names of every gold-labelled pair.
fn labelled_names() -> Vec<(String, String, String)> {
    let field = |line: &str, name: &str| {
        let key = format!("\"{name}\": \"");
        let at = line.find(&key).unwrap_or_else(|| panic!("no {name} in {line}")) + key.len();
        line[at..].split('"').next().unwrap_or_default().to_owned()
    };
    read(&format!("{}/pair_labels.jsonl", set_dir()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (field(l, "a"), field(l, "b"), field(l, "label")))
        .collect()
}

#[test]
fn the_index_proposes_rewritten_pairs_that_share_no_run() {
    // Every document of the set in one index: the labelled pairs are
    // among 4,950, as in the `corpus` example.
    let dir = set_dir();
    let mut names: Vec<String> = std::fs::read_dir(format!("{dir}/docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let texts: Vec<String> = names.iter().map(|n| read(&format!("{dir}/docs/{n}"))).collect();
    let id = |name: &str| names.iter().position(|n| n == name).unwrap() as u64;
    let pairs_of = |d: &Detector| {
        let mut index = d.index();
        index.insert_many(texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str()))).unwrap();
        index.pairs().map(|p| (p.a, p.b)).collect::<std::collections::BTreeSet<_>>()
    };
    let rewritten = Detector::builder().rewritten(true).rewritten_candidates(true).build().unwrap();
    let with = pairs_of(&rewritten);
    // Before: the same detection, candidates from shared runs only.
    let runs_only = pairs_of(&Detector::builder().rewritten(false).build().unwrap());
    let mut found = std::collections::BTreeMap::<String, usize>::new();
    let mut without_run = Vec::new();
    for (a, b, label) in labelled_names() {
        let (x, y) = (id(&a), id(&b));
        let pair = (x.min(y), x.max(y));
        if with.contains(&pair) {
            *found.entry(label.clone()).or_default() += 1;
            let anchors = |t: &str| rewritten.article_keys(&rewritten.analyze(t)).anchors;
            let (ra, rb) = (anchors(&texts[x as usize]), anchors(&texts[y as usize]));
            if label == "heavy" && !ra.iter().any(|r| rb.iter().any(|s| s.0 == r.0)) {
                without_run.push(a.clone());
            }
        }
    }
    let count = |l: &str| found.get(l).copied().unwrap_or(0);
    assert!(count("heavy") >= 15 && count("light") >= 18, "{found:?}");
    assert_eq!(count("non"), 0, "{found:?}");
    // Heavy revisions that share no run of 8 words with their source: only
    // the rewritten-candidate tables propose them, and they are reuse.
    assert!(!without_run.is_empty(), "{found:?}");
    for a in &without_run {
        let (x, y) = (id(a), id(&a.replace(&a[..4], "orig")));
        assert!(!runs_only.contains(&(x.min(y), x.max(y))), "{a}");
        let report = rewritten.compare(&texts[x as usize], &texts[y as usize]);
        assert!(!report.passages.is_empty(), "{a}: {report:?}");
    }
    // Rewritten passages without the candidate tables: the pairs the runs
    // propose, now with their rewritten passages, and none of the pairs
    // only the tables propose.
    let passages_only = Detector::builder().rewritten(true).rewritten_candidates(false).build().unwrap();
    let mut index = passages_only.index();
    index.insert_many(texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str()))).unwrap();
    assert_eq!(index.memory().bag_tables, 0);
    let pairs: Vec<neardup::Pair> = index.pairs().collect();
    let without = pairs.iter().map(|p| (p.a, p.b)).collect::<std::collections::BTreeSet<_>>();
    assert!(runs_only.is_subset(&without) && without.is_subset(&with));
    for a in &without_run {
        let (x, y) = (id(a), id(&a.replace(&a[..4], "orig")));
        assert!(!without.contains(&(x.min(y), x.max(y))), "{a}");
    }
    let rewritten_pairs =
        pairs.iter().filter(|p| p.report.passages.iter().any(|q| q.kind == PassageKind::Rewritten)).count();
    assert!(rewritten_pairs > 0);
    println!(
        "heavy revisions sharing no run, found: {without_run:?}; found per label: {found:?}; without the \
         tables {} pairs, {rewritten_pairs} with a rewritten passage",
        without.len()
    );
}
