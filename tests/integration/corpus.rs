//! Corpus scale through the public API: all pairs against a brute-force
//! oracle, near-duplicate groups, boilerplate, persistence.

use std::collections::BTreeSet;

use neardup::{Detector, Error, Index};

use crate::{Rng, seed_pair};

/// Sentences of the seed articles with at least 10 words: real text.
fn seed_sentences() -> Vec<String> {
    let (a, b) = seed_pair();
    let d = Detector::builder().build().unwrap();
    let mut out = BTreeSet::new();
    for t in [&a, &b] {
        let an = d.analyze(t);
        for s in &an.sentences {
            if s.tokens.len() >= 10 {
                out.insert(t[s.span].to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// A unique sentence of made-up words (so articles differ).
fn filler(rng: &mut Rng, n: usize) -> String {
    const SYL: [&str; 12] = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "gu", "pe", "zo"];
    let words: Vec<String> =
        (0..n).map(|_| (0..3).map(|_| SYL[rng.below(SYL.len())]).collect::<Vec<_>>().concat()).collect();
    let mut s = words.join(" ");
    s.push('.');
    s[..1].to_uppercase() + &s[1..]
}

/// 40 articles: each has 3 sentences of its own and, with probability
/// 1/2, 1 or 2 sentences drawn from the seed sentences (shared reuse).
fn corpus() -> Vec<String> {
    let pool = seed_sentences();
    let mut rng = Rng(7);
    (0..40)
        .map(|_| {
            let mut parts: Vec<String> = (0..3).map(|_| filler(&mut rng, 12)).collect();
            if rng.below(2) == 0 {
                for _ in 0..1 + rng.below(2) {
                    let at = rng.below(parts.len() + 1);
                    parts.insert(at, pool[rng.below(pool.len())].clone());
                }
            }
            parts.join("\n\n")
        })
        .collect()
}

fn build(texts: &[String], d: &Detector) -> Index {
    let mut index = d.index();
    for (i, t) in texts.iter().enumerate() {
        index.insert(i as u64, t).unwrap();
    }
    index
}

/// Every pair the index reports is a pair `compare` finds, with the same
/// report; every pair that shares a whole sentence is reported (identical
/// units always collide in LSH). Pairs whose passages come only from
/// partly similar sentences (the seed pair's two versions of a lead) are
/// found with the S-curve's probability, so they may be missed.
#[test]
fn all_pairs_match_a_brute_force_oracle() {
    let texts = corpus();
    let d = Detector::builder().boilerplate_contexts(0).build().unwrap();
    let index = build(&texts, &d);
    let got: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    let units: Vec<BTreeSet<&str>> = texts
        .iter()
        .map(|t| {
            let an = d.analyze(t);
            d.units(&an).iter().map(|u| &t[u.span]).collect()
        })
        .collect();
    let (mut oracle, mut certain) = (Vec::new(), Vec::new());
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            if !d.compare(&texts[i], &texts[j]).passages.is_empty() {
                oracle.push((i as u64, j as u64));
                if !units[i].is_disjoint(&units[j]) {
                    certain.push((i as u64, j as u64));
                }
            }
        }
    }
    assert!(certain.len() >= 10, "the corpus has reuse: {}", certain.len());
    assert!(certain.len() < oracle.len(), "and partial reuse");
    assert!(got.iter().all(|p| oracle.contains(p)), "{got:?}\n{oracle:?}");
    assert!(certain.iter().all(|p| got.contains(p)), "{got:?}\n{certain:?}");
    for p in index.pairs() {
        assert_eq!(p.report, d.compare(&texts[p.a as usize], &texts[p.b as usize]));
    }
}

/// Merging the recent insertions into the sorted tables changes nothing
/// but memory: the same pairs, queries and file, before and after more
/// insertions and a removal.
#[test]
fn shrink_to_fit_changes_no_result() {
    let texts = corpus();
    let d = Detector::builder().build().unwrap();
    let mut index = build(&texts[..30], &d);
    let mut shrunk = index.clone();
    shrunk.shrink_to_fit();
    assert!(shrunk.memory_usage() < index.memory_usage());
    for step in 0..2 {
        let pairs: Vec<_> = index.pairs().collect();
        assert!(!pairs.is_empty());
        assert_eq!(shrunk.pairs().collect::<Vec<_>>(), pairs, "step {step}");
        assert_eq!(shrunk.query(&texts[31]), index.query(&texts[31]), "step {step}");
        assert_eq!(shrunk.to_bytes().unwrap(), index.to_bytes().unwrap(), "step {step}");
        if step == 0 {
            for (i, t) in texts.iter().enumerate().skip(32) {
                index.insert(i as u64, t).unwrap();
                shrunk.insert(i as u64, t).unwrap();
            }
            assert!(index.remove(3) && shrunk.remove(3));
        }
    }
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_pairs_are_identical_on_any_pool() {
    let texts = corpus();
    let index = build(&texts, &Detector::builder().build().unwrap());
    let seq: Vec<_> = index.pairs().collect();
    for threads in [1, 2, 8] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let par: Vec<_> = pool.install(|| index.par_pairs().collect());
        assert_eq!(par, seq, "{threads} threads");
    }
}

#[test]
fn groups_hold_near_duplicates_without_chaining() {
    let pool = seed_sentences();
    let mut rng = Rng(11);
    let own: Vec<String> = (0..30).map(|_| filler(&mut rng, 12)).collect();
    let story = |r: std::ops::Range<usize>| own[r].join(" ");
    let texts = [
        story(0..10),                         // 0: a story
        story(0..10).replacen("ka", "pa", 1), // 1: re-filed with an edit
        story(0..10) + " " + &pool[0],        // 2: re-filed plus one sentence
        story(5..15),                         // 3: half of 0, half new
        story(10..20),                        // 4: half of 3, nothing of 0
        story(20..30),                        // 5: alone
    ];
    let d = Detector::builder().build().unwrap();
    let index = build(&texts, &d);
    let groups = index.near_duplicate_groups(0.8).unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].members, [0, 1, 2]);
    // At 0.5, 0~3 and 3~4 are edges but 0 and 4 share nothing: no group
    // may hold both.
    let groups = index.near_duplicate_groups(0.5).unwrap();
    for g in &groups {
        assert!(!(g.members.contains(&0) && g.members.contains(&4)), "chained: {groups:?}");
        for (i, &x) in g.members.iter().enumerate() {
            for &y in &g.members[i + 1..] {
                let r = d.compare(&texts[x as usize], &texts[y as usize]);
                assert!(r.a_coverage() >= 0.5 && r.b_coverage() >= 0.5, "{x}~{y} is not an edge");
            }
        }
    }
    assert!(matches!(index.near_duplicate_groups(0.0), Err(Error::InvalidArgument { .. })));
    #[cfg(feature = "rayon")]
    assert_eq!(index.par_near_duplicate_groups(0.5).unwrap(), groups);
}

#[test]
fn boilerplate_does_not_relate_articles() {
    let byline =
        "Reporting by the agency news desk in Baku, editing by the international service in Berlin and Vienna.";
    let mut rng = Rng(3);
    let mut texts: Vec<String> =
        (0..12).map(|_| format!("{}\n\n{}\n\n{byline}", filler(&mut rng, 16), filler(&mut rng, 12))).collect();
    // A real reuse on top of the byline: 2 re-files 0's first sentence.
    let first = texts[0].split("\n\n").next().unwrap().to_string();
    texts[2] = format!("{first}\n\n{}", texts[2]);
    let d = Detector::builder().build().unwrap();
    let index = build(&texts, &d);
    let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(pairs, [(0, 2)], "only the real reuse is a pair");
    let p = index.pairs().next().unwrap();
    assert_eq!(p.report.passages.len(), 1);
    assert!(!texts[0][p.report.passages[0].a].contains("Reporting by"));
    // The byline is listed apart, labelled with the articles holding it;
    // the coverage ignores it.
    assert_eq!(p.report.boilerplate.len(), 1);
    assert!(texts[0][p.report.boilerplate[0].a].starts_with("Reporting by"));
    assert_eq!(p.report.boilerplate[0].boilerplate_articles, 12);
    assert_eq!(p.report.passages[0].boilerplate_articles, 0);
    let byline_words = 17;
    assert_eq!(p.report.a_covered_words, p.report.passages[0].a_tokens.len());
    assert!(p.report.a_covered_words + byline_words <= p.report.a_words);

    // Unless asked not to.
    let d = Detector::builder().report_boilerplate(false).build().unwrap();
    let index = build(&texts, &d);
    let result = index.query(&texts[0]);
    let m = result.matches.iter().find(|m| m.id == 2).expect("2 reuses 0");
    assert!(m.report.boilerplate.is_empty());
    assert_eq!(result.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [0, 2], "0 itself, then 2");

    // A sign-off paragraph of three sentences at the end of every article:
    // its inner sentences always have the same neighbours, but the
    // paragraph does not, so it is boilerplate too.
    let signoff = "The agency is an independent news service founded in the capital in 1990. \
                   It publishes reports in several languages every day of the year. \
                   Reproduction of this material requires written permission from the editors.";
    let mut rng = Rng(5);
    let signed: Vec<String> =
        (0..12).map(|_| format!("{}\n\n{}\n\n{signoff}", filler(&mut rng, 12), filler(&mut rng, 12))).collect();
    let index = build(&signed, &Detector::builder().build().unwrap());
    assert_eq!(index.pairs().count(), 0, "a shared sign-off paragraph relates nothing");

    // An article that carries the sign-off's sentences inside a paragraph
    // of its own: boilerplate on one side only is still boilerplate, so
    // queries agree in both directions.
    let mut mixed = signed.clone();
    mixed.push(format!("{}\n\n{signoff} {}", filler(&mut rng, 12), filler(&mut rng, 12)));
    let index = build(&mixed, &Detector::builder().build().unwrap());
    let related = |i: usize| -> Vec<u64> {
        index.query(&mixed[i]).matches.iter().map(|m| m.id).filter(|&j| j != i as u64).collect()
    };
    for i in 0..mixed.len() {
        for j in related(i) {
            assert!(related(j as usize).contains(&(i as u64)), "{i} finds {j} but not the reverse");
        }
    }
    assert!(related(mixed.len() - 1).is_empty(), "only the boilerplate is shared");

    // With detection off, the byline relates every article to every other.
    let d = Detector::builder().boilerplate_contexts(0).build().unwrap();
    let index = build(&texts, &d);
    assert_eq!(index.pairs().count(), 12 * 11 / 2);
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("neardup-test-{}-{name}", std::process::id()))
}

#[test]
fn save_load_query_gives_identical_results() {
    let texts = corpus();
    let d = Detector::builder().seed(42).threshold(0.6).build().unwrap();
    let mut index = d.index();
    for (i, t) in texts.iter().enumerate() {
        index.insert_labeled(i as u64 * 3, &format!("dir/{i}.txt"), t).unwrap();
    }
    index.remove(9);
    let path = temp("roundtrip.ndx");
    index.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), index.to_bytes().unwrap(), "the streamed file is to_bytes");
    let loaded = Index::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.detector().config(), index.detector().config(), "the config travels");
    assert_eq!(loaded.ids().collect::<Vec<_>>(), index.ids().collect::<Vec<_>>());
    assert_eq!(loaded.label(6), Some("dir/2.txt"));
    assert_eq!(loaded.pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
    for t in &texts {
        assert_eq!(loaded.query(t), index.query(t));
    }
    assert_eq!(loaded.to_bytes().unwrap(), index.to_bytes().unwrap(), "save is a fixed point");

    // Inserting and removing keep working after a load.
    let (a, b) = seed_pair();
    let (mut loaded, mut index) = (loaded, index);
    for ix in [&mut loaded, &mut index] {
        ix.insert(1000, &b).unwrap();
        assert!(ix.remove(0));
    }
    assert_eq!(loaded.query(&a), index.query(&a));
    assert_eq!(loaded.query(&a).matches[0].id, 1000);
}

#[test]
fn damaged_files_are_errors_never_partial_indexes() {
    let texts = corpus();
    let index = build(&texts, &Detector::builder().build().unwrap());
    let bytes = index.to_bytes().unwrap();
    // Truncated anywhere.
    for cut in [0, 7, 39, 40, 100, bytes.len() / 2, bytes.len() - 1] {
        let err = Index::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(err, Error::CorruptIndex { .. }), "cut {cut}: {err}");
    }
    // One flipped bit anywhere in the body.
    for at in [40, 41, 60, bytes.len() / 3, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        let err = Index::from_bytes(&bad).unwrap_err();
        assert!(err.to_string().contains("checksum"), "byte {at}: {err}");
    }
    // Wrong magic, wrong version.
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert!(Index::from_bytes(&bad).unwrap_err().to_string().contains("magic"));
    let mut bad = bytes.clone();
    bad[8] = 99;
    assert!(matches!(
        Index::from_bytes(&bad),
        Err(Error::IndexVersion { found: 99, expected: neardup::corpus::FORMAT_VERSION, .. })
    ));
    // Missing file and a directory: I/O errors naming the path.
    let err = Index::load(temp("missing.ndx")).unwrap_err();
    assert!(matches!(err, Error::Io { kind: std::io::ErrorKind::NotFound, .. }));
    assert!(err.to_string().contains("missing.ndx"));
    assert!(matches!(Index::load(std::env::temp_dir()), Err(Error::Io { .. })));
}

#[test]
fn save_is_atomic_and_replaces_the_old_file() {
    let path = temp("atomic.ndx");
    let d = Detector::builder().build().unwrap();
    let mut index = d.index();
    index.insert(1, "first version of the article with enough words in it").unwrap();
    index.save(&path).unwrap();
    index.insert(2, "second article with some more words to index here").unwrap();
    index.save(&path).unwrap();
    assert_eq!(Index::load(&path).unwrap().len(), 2);
    let dir = path.parent().unwrap();
    let stem = path.file_name().unwrap().to_string_lossy().to_string();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("{stem}.tmp")))
        .collect();
    assert!(leftovers.is_empty(), "temporary file left behind");
    std::fs::remove_file(&path).unwrap();
    // Saving into a missing directory fails cleanly.
    let err = index.save(temp("no-such-dir").join("x.ndx")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}
