//! The public API on real and adversarial text: configuration errors,
//! decoding, short input, scripts, the corpus index.

use neardup::{Config, Detector, Error, LshParams, Span, Unit, text};

use crate::seed_pair;

/// Passages of 8 words on their own (0.2's default): these tests share
/// short sentences.
fn detector() -> Detector {
    Detector::builder().min_words(8).build().expect("valid config")
}

#[test]
fn bad_parameters_name_the_value() {
    type Set = fn(&mut neardup::DetectorBuilder);
    let cases: Vec<(Set, &str)> = vec![
        (
            |b| {
                b.shingle_size(0);
            },
            "shingle_size = 0",
        ),
        (
            |b| {
                b.shingle_size(33);
            },
            "shingle_size = 33",
        ),
        (
            |b| {
                b.num_hashes(0);
            },
            "num_hashes = 0",
        ),
        (
            |b| {
                b.num_hashes(5000);
            },
            "num_hashes = 5000",
        ),
        (
            |b| {
                b.threshold(0.0);
            },
            "threshold = 0",
        ),
        (
            |b| {
                b.threshold(f64::NAN);
            },
            "threshold = NaN",
        ),
        (
            |b| {
                b.threshold(1.01);
            },
            "threshold = 1.01",
        ),
        (
            |b| {
                b.bands_rows(20, 8);
            },
            "bands_rows = (20, 8)",
        ),
        (
            |b| {
                b.bands_rows(0, 8);
            },
            "bands_rows = (0, 8)",
        ),
        (
            |b| {
                b.min_words(2);
            },
            "min_words = 2",
        ),
        (
            |b| {
                b.max_gap(1_000_000);
            },
            "max_gap = 1000000",
        ),
        (
            |b| {
                b.max_bucket(0);
            },
            "max_bucket = 0",
        ),
        (
            |b| {
                b.unit(Unit::Window { size: 1 });
            },
            "Window { size: 1 }",
        ),
    ];
    for (set, needle) in cases {
        let mut builder = Detector::builder();
        set(&mut builder);
        let err = builder.build().expect_err(needle);
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
        assert!(err.to_string().contains(needle), "{err} should mention {needle}");
    }
}

#[test]
fn config_round_trips_through_the_builder() {
    let d = Detector::builder().shingle_size(4).num_hashes(64).threshold(0.7).seed(9).min_words(10).build().unwrap();
    let c: &Config = d.config();
    assert_eq!((c.shingle_size, c.num_hashes, c.seed, c.min_words), (4, 64, 9, 10));
    assert_eq!(d.lsh(), LshParams::for_threshold(0.7, 64));
    assert!(d.lsh().bands * d.lsh().rows <= 64);
}

#[test]
fn decode_names_the_problem_and_where() {
    let err = text::decode(b"good text \xc3\x28 then more").unwrap_err();
    assert_eq!(err, Error::InvalidUtf8 { offset: 10 });
    assert!(err.to_string().contains("offset 10"));
    let err = text::decode(b"\x7fELF\x02\x01\x01\x00\x00").unwrap_err();
    assert!(matches!(err, Error::Binary { offset: 7, .. }), "{err:?}");
    let controls: Vec<u8> = (0..200).map(|i| if i % 3 == 0 { 0x01 } else { b'a' }).collect();
    assert!(matches!(text::decode(&controls), Err(Error::Binary { .. })));
    let (a, _) = seed_pair();
    assert_eq!(text::decode(a.as_bytes()).unwrap(), a);
}

#[test]
fn empty_and_short_texts_reuse_nothing() {
    let d = detector();
    let (a, _) = seed_pair();
    for short in ["", " ", "\n\n\n", "By Vafa Ismayilova", "...!!!---", "\u{feff}"] {
        let r = d.compare(short, &a);
        assert!(r.passages.is_empty(), "{short:?}");
        assert_eq!(r.a_coverage(), 0.0);
        assert_eq!(d.compare(short, short).passages.len(), 0);
    }
}

#[test]
fn identical_texts_share_everything() {
    let d = detector();
    let (a, _) = seed_pair();
    let r = d.compare(&a, &a);
    assert_eq!(r.a_coverage(), 1.0);
    assert_eq!(r.b_coverage(), 1.0);
    assert_eq!(r.passages.len(), 1);
    assert_eq!(r.passages[0].a, r.passages[0].b);
    assert_eq!(r.passages[0].matched_words, r.a_words);
}

#[test]
fn quotes_dashes_case_and_width_do_not_matter() {
    let d = detector();
    let a = "He said that Azerbaijan’s “contribution” to peace — in Afghanistan — was important for NATO.";
    let b = "HE SAID THAT AZERBAIJAN'S \"CONTRIBUTION\" TO PEACE - IN AFGHANISTAN - WAS IMPORTANT FOR ＮＡＴＯ.";
    let r = d.compare(a, b);
    assert_eq!(r.passages.len(), 1);
    assert_eq!(&a[r.passages[0].a], a);
    assert_eq!(&b[r.passages[0].b], b);
    assert_eq!(r.passages[0].similarity, 1.0);
}

#[test]
fn non_latin_scripts_are_matched() {
    let d = detector();
    let shared = [
        "Министр обороны Азербайджана встретился с делегацией Латвии в Баку и обсудил состояние сотрудничества.",
        "Ο υπουργός άμυνας συναντήθηκε με την αντιπροσωπεία της Λετονίας στο Μπακού για τη συνεργασία.",
        "التقى وزير الدفاع بوفد لاتفيا في باكو وناقش حالة التعاون الثنائي داخل حلف الناتو اليوم.",
        "国防部长在巴库会见了拉脱维亚代表团并讨论了双边合作的状况。",
        "国防大臣はバクーでラトビア代表団と会談し協力について話し合った。",
    ];
    for s in shared {
        let a = format!("Первый абзац о другом.\n\n{s}\n\nEnd.");
        let b = format!("Something else entirely here.\n\n{s}");
        let r = d.compare(&a, &b);
        assert_eq!(r.passages.len(), 1, "{s}: {:?}", r.passages);
        assert_eq!(&a[r.passages[0].a], s);
        assert_eq!(&b[r.passages[0].b], s);
    }
}

#[test]
fn combining_marks_and_precomposed_letters_match() {
    let d = detector();
    let composed = "Le café de la gare était fermé pour la journée à cause de la grève générale.";
    let decomposed: String = {
        use std::fmt::Write;
        let mut s = String::new();
        for c in composed.chars() {
            match c {
                'é' => s.push_str("e\u{301}"),
                'è' => s.push_str("e\u{300}"),
                'à' => s.push_str("a\u{300}"),
                c => write!(s, "{c}").unwrap(),
            }
        }
        s
    };
    assert_ne!(composed, decomposed);
    let r = d.compare(composed, &decomposed);
    assert_eq!(r.passages.len(), 1);
    assert_eq!(&decomposed[r.passages[0].b], decomposed);
}

#[test]
fn units_give_spans_in_the_original() {
    let (a, _) = seed_pair();
    for unit in [Unit::Sentence, Unit::Paragraph, Unit::Window { size: 20 }] {
        let d = Detector::builder().unit(unit).build().unwrap();
        let an = d.analyze(&a);
        let units = d.units(&an);
        assert!(!units.is_empty());
        for u in &units {
            let s: &str = &a[u.span];
            assert!(!s.trim().is_empty());
            let sig = d.signature(d.unit_shingles(&d.shingles(&an), u));
            assert_eq!(sig.len(), 128);
            assert_eq!(d.band_keys(&sig).len(), d.lsh().bands);
        }
    }
    let d = Detector::builder().unit(Unit::Paragraph).build().unwrap();
    let units = d.units(&d.analyze(&a));
    // The byline paragraph ("date 2021-06-22 By Vafa Ismayilova") has
    // fewer than `min_words` words: not a unit (an index would not take it).
    assert!(units.iter().all(|u| !a[u.span].contains("Ismayilova")));
    assert_eq!(
        &a[units[0].span],
        "Chief of Staff of NATO Allied Land Command Metin Tokel has said that NATO considers Azerbaijan as a reliable partner, the Defence Ministry reported on June 22."
    );
}

#[test]
fn index_insert_query_remove() {
    let (a, b) = seed_pair();
    let d = detector();
    let mut index = d.index();
    index
        .insert_many([
            (10, b.as_str()),
            (20, "Unrelated article about the weather, with rain expected in the north tomorrow."),
        ])
        .unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(index.insert(10, "again"), Err(Error::DuplicateId { id: 10 }));
    assert_eq!(index.text(10).unwrap().as_deref(), Some(b.as_str()));

    let hits = index.query(&a);
    assert_eq!(hits.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [10]);

    // The query article can itself be indexed; it then matches itself fully.
    index.insert(30, &a).unwrap();
    let hits = index.query(&a);
    assert_eq!(hits.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [30, 10]);
    assert_eq!(hits.matches[0].report.a_coverage(), 1.0);

    assert!(index.remove(10));
    assert!(!index.remove(10));
    let hits = index.query(&a);
    assert_eq!(hits.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [30]);
    assert_eq!(index.ids().collect::<Vec<_>>(), [20, 30]);
}

#[test]
fn boilerplate_bucket_is_capped_and_reported() {
    // With boilerplate detection off, a sentence shared by 200 articles
    // fills one bucket per band: queries examine only the first 50 entries
    // of each and say so (and its run fingerprints, held by more than
    // max_df = 100 articles, propose nothing).
    let d = Detector::builder()
        .similar_units(true)
        .max_df(100)
        .max_bucket(50)
        .boilerplate_contexts(0)
        .min_words(8)
        .build()
        .unwrap();
    let mut index = d.index();
    let boiler = "The Defence Ministry reported this news on its official website today.";
    let texts: Vec<String> =
        (0..200).map(|i| format!("Article number {i} talks about topic {i} in detail. {boiler}")).collect();
    let batch: Vec<(u64, &str)> = texts.iter().enumerate().map(|(i, t)| (i as u64, t.as_str())).collect();
    index.insert_many(&batch).unwrap();
    let result = index.query(&format!("A new story. {boiler}"));
    assert!(result.saturated_buckets > 0);
    assert!(result.capped_fingerprints > 0);
    assert_eq!(result.matches.len(), 50);
    assert!(result.matches.iter().all(|m| m.id < 50));

    // With detection on (the default), the same sentence in 200 different
    // contexts is boilerplate: it makes no article a candidate.
    let d = Detector::builder().similar_units(true).max_bucket(50).min_words(8).build().unwrap();
    let mut index = d.index();
    index.insert_many(&batch).unwrap();
    let result = index.query(&format!("A new story. {boiler}"));
    assert!(result.matches.is_empty(), "{:?}", result.matches.iter().map(|m| m.id).collect::<Vec<_>>());
    assert_eq!((result.saturated_buckets, result.capped_fingerprints), (0, 0));
}

#[test]
fn span_indexes_str_and_string() {
    let s = String::from("héllo wörld");
    let span = Span::new(7, 13);
    assert_eq!(&s[span], "wörld");
    assert_eq!(&s.as_str()[span], "wörld");
}
