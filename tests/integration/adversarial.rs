//! Adversarial input: text from the wild that must not panic, hang, blow up
//! memory or give a wrong offset. Every case asserts its exact result
//! (which passages, which spans); time and memory are measured in
//! `benches/adversarial.rs`, never here.
//!
//! Sizes are the largest that keep this file well under 15 s in a debug
//! build; the bench runs the full sizes (a million-word text, 20 MB lines).

use neardup::text::{self, Analysis};
use neardup::{Detector, Error, Report, Span};

/// Passages of 8 words on their own (0.2's default): these tests share
/// short sentences.
fn detector() -> Detector {
    Detector::builder().min_words(8).build().expect("valid config")
}

use crate::Rng;

/// Deterministic filler text.
impl Rng {
    /// A made-up word of 2 to 4 syllables: a vocabulary of ~20,000 words,
    /// so 12 words in a row never recur by chance.
    fn word(&mut self) -> String {
        const SYL: [&str; 12] = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "gu", "pe", "zo"];
        let n = 2 + (self.next() % 3) as usize;
        (0..n).map(|_| SYL[(self.next() % 12) as usize]).collect()
    }

    fn words(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.word()).collect()
    }
}

/// A sentence of `n` made-up words, capitalised, with a full stop.
fn sentence(rng: &mut Rng, n: usize) -> String {
    let s = rng.words(n).join(" ");
    format!("{}{}.", s[..1].to_uppercase(), &s[1..])
}

/// The byte span of the only occurrence of `needle` in `text`.
fn find(text: &str, needle: &str) -> Span {
    let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    assert_eq!(text.rfind(needle), Some(start), "{needle:?} occurs twice");
    Span::new(start, start + needle.len())
}

/// `(a text, b text, shared words)` of every passage.
fn passages<'t>(report: &Report, a: &'t str, b: &'t str) -> Vec<(&'t str, &'t str, usize)> {
    report.passages.iter().map(|p| (&a[p.a], &b[p.b], p.matched_words)).collect()
}

fn words<'t>(analysis: &Analysis, text: &'t str) -> Vec<&'t str> {
    analysis.tokens.iter().map(|t| &text[t.span]).collect()
}

fn sentences<'t>(analysis: &Analysis, text: &'t str) -> Vec<&'t str> {
    analysis.sentences.iter().map(|s| &text[s.span]).collect()
}

fn paragraphs<'t>(analysis: &Analysis, text: &'t str) -> Vec<&'t str> {
    analysis.paragraphs.iter().map(|s| &text[s.span]).collect()
}

/// Compares both ways and checks symmetry; returns `compare(a, b)`.
fn compare(d: &Detector, a: &str, b: &str) -> Report {
    let ab = d.compare(a, b);
    assert_eq!(d.compare(b, a), ab.swapped(), "compare is not symmetric");
    ab
}

// ---------------------------------------------------------------------------
// Size

#[test]
fn very_long_paragraph_is_one_paragraph_and_a_sentence_in_it_is_found() {
    let mut rng = Rng(1);
    let parts: Vec<String> = (0..3000).map(|_| sentence(&mut rng, 12)).collect();
    let a = parts.join(" ");
    let d = detector();
    let an = d.analyze(&a);
    assert_eq!(an.paragraphs.len(), 1);
    assert_eq!(an.paragraphs[0].span, Span::new(0, a.len()));
    assert_eq!(an.sentences.len(), 3000);
    assert_eq!(an.tokens.len(), 36_000);
    assert_eq!(sentences(&an, &a)[1500], parts[1500]);

    let quoted = &parts[1500];
    let b = format!("Zyx wrote this first. {quoted} Then qwv went home.");
    let r = compare(&d, &a, &b);
    assert_eq!(passages(&r, &a, &b), [(quoted.as_str(), quoted.as_str(), 12)]);
    assert_eq!(r.passages[0].a, find(&a, quoted));
    assert_eq!(r.passages[0].b, find(&b, quoted));

    let r = compare(&d, &a, &a);
    assert_eq!(passages(&r, &a, &a), [(a.as_str(), a.as_str(), 36_000)]);
}

#[test]
fn very_long_single_line_is_one_sentence_and_an_excerpt_is_found() {
    // 600 KB on one line, no terminator, no line break.
    let mut rng = Rng(2);
    let line = rng.words(100_000).join(" ");
    assert!(line.len() > 500_000 && !line.contains(['\n', '.']));
    let d = detector();
    let an = d.analyze(&line);
    assert_eq!(an.tokens.len(), 100_000);
    assert_eq!(an.sentences.len(), 1);
    assert_eq!(an.paragraphs.len(), 1);
    assert_eq!(an.sentences[0].span, Span::new(0, line.len()));

    // Twelve words from the middle, inside other text: the passage is
    // exactly the excerpt on both sides (it is not near a sentence edge
    // of the line, so it does not grow).
    let start = an.tokens[50_000].span.start;
    let excerpt = &line[start..an.tokens[50_011].span.end];
    let b = format!("Zyx quoted this. {excerpt} Qwv did not.");
    let r = compare(&d, &line, &b);
    assert_eq!(passages(&r, &line, &b), [(excerpt, excerpt, 12)]);
    assert_eq!(r.passages[0].a, Span::new(start, start + excerpt.len()));
    assert_eq!(r.passages[0].b, find(&b, excerpt));
}

/// 100,000 in a debug test (3 s); the bench runs 1,000,000.
const REPEATS: usize = 100_000;

#[test]
fn one_word_repeated_aligns_in_one_pass() {
    let d = detector();
    let many = "word ".repeat(REPEATS);
    let r = compare(&d, &many, &many);
    assert_eq!(r.passages.len(), 1);
    let p = &r.passages[0];
    assert_eq!(p.a, Span::new(0, many.len() - 1), "the whole text but the trailing space");
    assert_eq!((p.a_tokens.clone(), p.b_tokens.clone(), p.matched_words), (0..REPEATS, 0..REPEATS, REPEATS));
    assert_eq!((r.a_coverage(), r.b_coverage()), (1.0, 1.0));

    // Against a real article: nothing in common.
    let (article, _) = crate::seed_pair();
    let r = compare(&d, &many, &article);
    assert!(r.passages.is_empty());
    assert_eq!(r.a_words, REPEATS);

    // Against a sentence holding ten of them: seeds are capped at the first
    // occurrences, the first passage takes the earliest one, grown to the
    // start of the short sentence (3 words away) as for any passage; every
    // other copy of the ten words in the long text is a passage too
    // (issue 12: each copy is reported), in one linear pass.
    let short = "He said the word word word word word word word word word word twice.";
    let r = compare(&d, short, &many);
    assert_eq!(passages(&r, short, &many)[0], (&short[..61], &many[..49], 10));
    assert_eq!(r.passages[0].b_tokens, 0..10);
    assert_eq!(r.passages.len(), REPEATS / 10);
    for (i, p) in r.passages.iter().enumerate() {
        assert_eq!((p.b_tokens.clone(), p.matched_words), (10 * i..10 * i + 10, 10));
    }
}

#[test]
fn thousands_of_identical_paragraphs_in_one_text() {
    // With rewritten passages too: the 3000 copies of one passage lie in
    // the same sentences of `para`, and linking every two of them took
    // 7 s in a release build (cubic: each link scanned the sentences
    // between); now a passage looks up only those near it on both sides.
    for d in [detector(), Detector::builder().min_words(8).rewritten(true).build().unwrap()] {
        let para =
            "The minister met the Latvian delegation in Baku on Thursday. They discussed cooperation within NATO.";
        let many = vec![para; 3000].join("\n\n");
        let an = d.analyze(&many);
        assert_eq!(an.paragraphs.len(), 3000);
        assert_eq!(an.sentences.len(), 6000);
        // One copy against 3000: every copy (issue 12), the first one first.
        let r = compare(&d, para, &many);
        assert_eq!(passages(&r, para, &many), vec![(para, para, 15); 3000]);
        assert_eq!(r.passages[0].b, Span::new(0, para.len()));
        assert_eq!(r.b_coverage(), 1.0);
        // 3000 against 3000: one passage, everything.
        let r = compare(&d, &many, &many);
        assert_eq!(passages(&r, &many, &many), [(many.as_str(), many.as_str(), 45_000)]);
    }
}

#[test]
fn thousands_of_identical_articles_are_one_class_none_lost() {
    // 2500 verbatim copies of one two-sentence article (a story re-filed
    // everywhere; same contexts, so not boilerplate). In 0.2 every band
    // bucket of both units held 2500 entries, past max_bucket = 1000, and
    // 1500 copies were never found. Now they are one exact-duplicate
    // class: one article in the tables, the others listed with it.
    let d = detector();
    let story = "The minister met the Latvian delegation in Baku on Thursday morning. \
                 They discussed cooperation within NATO and military education programs.";
    let mut index = d.index();
    let batch: Vec<(u64, &str)> = (0..2500).map(|i| (i, story)).collect();
    index.insert_many(&batch).expect("distinct ids");
    let result = index.query(story);
    assert_eq!((result.saturated_buckets, result.skipped_entries), (0, 0));
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].id, 0);
    assert_eq!(result.matches[0].duplicates, (1..2500).collect::<Vec<u64>>());
    assert_eq!(passages(&result.matches[0].report, story, story), [(story, story, 20)]);
    #[cfg(feature = "rayon")]
    assert_eq!(index.par_query(story), result);
    let groups = index.exact_duplicates();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].members, (0..2500).collect::<Vec<u64>>());
    assert_eq!(index.pairs().count(), 0, "no pair of copies is listed");
    let near = index.near_duplicate_groups(0.8).unwrap();
    assert_eq!(near, groups, "all 2500 in one near-duplicate group");

    // Removing the first 2000 promotes the oldest remaining copy.
    for id in 0..2000 {
        assert!(index.remove(id));
    }
    let result = index.query(story);
    assert_eq!(result.saturated_buckets, 0);
    assert_eq!(result.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [2000]);
    assert_eq!(result.matches[0].duplicates, (2001..2500).collect::<Vec<u64>>());
    let back = neardup::Index::from_bytes(&index.to_bytes().unwrap()).unwrap();
    assert_eq!(back.query(story), result);
    assert_eq!(back.exact_duplicates(), index.exact_duplicates());
}

#[test]
fn a_sentence_repeated_a_thousand_times_fills_no_bucket() {
    // Two identical articles repeating one sentence 1000 times, and a third
    // quoting it once among other text. In 0.2 each article took 1000
    // entries per bucket, so the cap hid the others: never paired.
    let d = detector();
    let sentence = "The minister met the Latvian delegation in Baku on Thursday morning.";
    let repeated = vec![sentence; 1000].join(" ");
    let quoting = format!("Markets were calm on the day. {sentence} Talks resume next week in Riga.");
    let mut index = d.index();
    index.insert(1, &repeated).unwrap();
    index.insert(2, &repeated).unwrap();
    index.insert(3, &quoting).unwrap();
    assert_eq!(index.exact_duplicates()[0].members, [1, 2]);
    let pairs: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(pairs, [(1, 3)]);
    assert!(index.pairs().saturation().is_empty());
    let found = index.query(&quoting);
    // Most shared words first: the quoting article itself, then 1.
    assert_eq!(found.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [3, 1]);
    assert_eq!(found.matches.iter().find(|m| m.id == 1).unwrap().duplicates, [2]);
}

#[test]
fn what_the_bucket_cap_cuts_is_counted() {
    // Near-copies (each with its own first sentence, so not exact
    // duplicates), boilerplate detection off: the shared sentences fill
    // their buckets past max_bucket = 10, and its run fingerprints are
    // held by more than max_df = 10 articles.
    let d = Detector::builder()
        .similar_units(true)
        .max_bucket(10)
        .max_df(10)
        .boilerplate_contexts(0)
        .min_words(8)
        .build()
        .unwrap();
    let shared = "The minister met the Latvian delegation in Baku on Thursday morning.";
    let texts: Vec<String> = (0..30).map(|i| format!("Edition {i} of the wire, desk {i}. {shared}")).collect();
    let mut index = d.index();
    for (i, t) in texts.iter().enumerate() {
        index.insert(i as u64, t).unwrap();
    }
    let cut = index.saturation();
    assert_eq!(cut.articles, 20, "articles 10..30 are past the cap in the shared sentence's buckets");
    assert_eq!(cut.entries, 20 * cut.buckets);
    assert!(cut.fingerprints > 0);
    assert_eq!(cut.fingerprint_entries, 30 * cut.fingerprints);
    assert_eq!(index.pairs().saturation(), cut);
    #[cfg(feature = "rayon")]
    assert_eq!(index.par_pairs().saturation(), cut);
    let result = index.query(shared);
    assert_eq!(result.matches.len(), 10);
    assert_eq!(result.skipped_entries, 20 * result.saturated_buckets);
    assert!(result.saturated_buckets > 0);
    assert!(result.capped_fingerprints > 0);
    // With the default max_df, the shared run finds all 30.
    let mut index = Detector::builder().max_bucket(10).boilerplate_contexts(0).min_words(8).build().unwrap().index();
    for (i, t) in texts.iter().enumerate() {
        index.insert(i as u64, t).unwrap();
    }
    let result = index.query(shared);
    assert_eq!((result.matches.len(), result.capped_fingerprints), (30, 0));
}

// ---------------------------------------------------------------------------
// Texts without words

#[test]
fn all_punctuation_digits_or_whitespace() {
    let d = detector();
    let punct = "!?.,;:-—…\"'()[]{}«»“”„‚‹›/\\|@#$%^&*_+=<>~`".repeat(2000);
    let space = " \t\n\r\u{a0}\u{2003}\u{3000}\u{feff}\u{2028}\u{2029}\u{85}\u{b}\u{c}".repeat(2000);
    for empty in [&punct, &space] {
        assert_eq!(d.analyze(empty), Analysis::default());
        let r = compare(&d, empty, empty);
        assert_eq!(r, Report::default());
    }
    let mut index = d.index();
    index.insert(1, &punct).expect("new id");
    index.insert(2, &space).expect("new id");
    assert!(index.query(&punct).matches.is_empty());

    // One run of 100,000 digits is one word: too short to be reused.
    let digits = "0123456789".repeat(10_000);
    let an = d.analyze(&digits);
    assert_eq!(words(&an, &digits), [digits.as_str()]);
    assert!(compare(&d, &digits, &digits).passages.is_empty());
    // Numbers separated by spaces are words; punctuation splits them, an
    // apostrophe between digits does not, and a full stop without a space
    // after it ends no sentence.
    let text = "3.14159 2,71828 1'000'000";
    let an = d.analyze(text);
    assert_eq!(words(&an, text), ["3", "14159", "2", "71828", "1'000'000"]);
    assert_eq!(sentences(&an, text), [text]);
    let numbers = "2021 ".repeat(1000);
    let r = compare(&d, &numbers, &numbers);
    assert_eq!(passages(&r, &numbers, &numbers), [(numbers.trim_end(), numbers.trim_end(), 1000)]);
}

// ---------------------------------------------------------------------------
// Bytes at the edge of text

#[test]
fn nul_bytes_are_rejected_by_decode_but_compare_takes_them() {
    let s = "The minister met the Latvian delegation in Baku on Thursday to discuss cooperation.";
    let with_nul = format!("Intro.\0{}", s.replace(" in ", "\0in\0"));
    assert_eq!(
        text::decode(with_nul.as_bytes()),
        Err(Error::Binary { offset: 6, reason: "NUL byte" }),
        "decode rejects a NUL anywhere"
    );
    let mut big = "x".repeat(20_000);
    big.push('\0');
    assert!(matches!(text::decode(big.as_bytes()), Err(Error::Binary { offset: 20_000, .. })), "past the first 8 KiB");
    // Given as &str, NUL is punctuation: it separates words, ends nothing
    // (regression: a full stop followed by a NUL used to end a sentence).
    let d = detector();
    let an = d.analyze(&with_nul);
    assert_eq!(words(&an, &with_nul)[..4], ["Intro", "The", "minister", "met"]);
    assert_eq!(sentences(&an, &with_nul), [&with_nul[..]]);
    let b = format!("{s} Outro.");
    let r = compare(&d, &with_nul, &b);
    // One word before the shared ones in the same sentence: the passage
    // grows to the sentence start, as for any text.
    assert_eq!(passages(&r, &with_nul, &b), [(with_nul.as_str(), s, 13)]);
}

#[test]
fn utf8_cut_at_the_end_of_a_file_is_an_error_with_its_offset() {
    let dir = std::env::temp_dir().join(format!("neardup-adversarial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for whole in ["café", "naïve €", "emoji 👨‍👩‍👧"] {
        let last = whole.char_indices().last().map(|(i, _)| i).expect("non-empty");
        for cut in last + 1..whole.len() {
            let path = dir.join("cut.txt");
            std::fs::write(&path, &whole.as_bytes()[..cut]).expect("write");
            let bytes = std::fs::read(&path).expect("read");
            let err = text::decode(&bytes).expect_err("a cut character is not UTF-8");
            assert_eq!(err, Error::InvalidUtf8 { offset: last }, "{whole:?} cut at {cut}");
            assert_eq!(
                err.to_string(),
                format!("input is not valid UTF-8: invalid byte sequence at byte offset {last}")
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    // A character across the 8 KiB sniffing window is fine.
    let text = format!("{}é and more", "a".repeat(8191));
    assert_eq!(text::decode(text.as_bytes()), Ok(text.as_str()));
}

#[test]
fn mixed_line_ends_make_the_same_paragraphs_and_passages() {
    let mixed = "Line one has words here.\r\nLine two has more words.\rLine three also.\n\r\nSecond paragraph \
                 starts here now.\r\rThird paragraph is this.\n\nFourth one.\r\n";
    let d = detector();
    let an = d.analyze(mixed);
    assert_eq!(
        paragraphs(&an, mixed),
        [
            "Line one has words here.\r\nLine two has more words.\rLine three also.",
            "Second paragraph starts here now.",
            "Third paragraph is this.",
            "Fourth one.",
        ]
    );
    assert_eq!(
        sentences(&an, mixed),
        [
            "Line one has words here.",
            "Line two has more words.",
            "Line three also.",
            "Second paragraph starts here now.",
            "Third paragraph is this.",
            "Fourth one.",
        ]
    );
    let lf = mixed.replace("\r\n", "\n").replace('\r', "\n");
    let r = compare(&d, mixed, &lf);
    let (end_a, end_b) = (mixed.len() - 2, lf.len() - 1);
    assert_eq!(passages(&r, mixed, &lf), [(&mixed[..end_a], &lf[..end_b], 24)]);
}

// ---------------------------------------------------------------------------
// Unicode that changes length

#[test]
fn nfkc_expansions_map_back_to_whole_characters() {
    let d = detector();
    // Ligatures: ﬁ ﬂ ﬃ are one character each, two or three letters folded.
    let lig = "The ﬁnal oﬃcial ﬂight of the ﬁrst ﬂeet was ﬁne and ﬂawless.";
    let plain = "The final official flight of the first fleet was fine and flawless.";
    let an = d.analyze(lig);
    assert_eq!(words(&an, lig)[1..4], ["ﬁnal", "oﬃcial", "ﬂight"]);
    let r = compare(&d, lig, plain);
    assert_eq!(passages(&r, lig, plain), [(lig, plain, 12)]);

    // Full-width letters, ideographic spaces and the full-width full stop.
    let wide = "Ｔｈｅ　ｍｉｎｉｓｔｅｒ　ｍｅｔ　ｔｈｅ　ｄｅｌｅｇａｔｉｏｎ　ｉｎ　Ｂａｋｕ　ｏｎ　Ｔｈｕｒｓｄａｙ．　Ｔｈｅｎ　ｎｏｔ．";
    let narrow = "The minister met the delegation in Baku on Thursday. Other text.";
    let an = d.analyze(wide);
    assert_eq!(sentences(&an, wide).len(), 2, "the full-width full stop ends a sentence");
    let r = compare(&d, wide, narrow);
    let first = &wide[..wide.find("　Ｔｈｅｎ").expect("present")];
    assert_eq!(passages(&r, wide, narrow), [(first, "The minister met the delegation in Baku on Thursday.", 9)]);

    // ﷺ (3 bytes) folds to four Arabic words (33 bytes) and ㍿ (3 bytes) to
    // 株式会社 (four CJK characters): one original character is one word.
    let a = "The Prophet ﷺ said so, and ㍿ Toyota said that the best among you are those who learn.";
    let an = d.analyze(a);
    let w = words(&an, a);
    assert_eq!(w[2], "ﷺ");
    assert_eq!(w[6], "㍿");
    assert_eq!(d.analyze("صلى الله عليه وسلم").tokens.len(), 4, "written out, they are four words");
    assert_eq!(an.tokens.len(), 18);
    let b = a.replace("ﷺ", "صلى الله عليه وسلم").replace("㍿", "株式会社");
    // Written out, the four-word gap for ﷺ is too near the start to be
    // bridged (a passage starts with a shared shingle); the one for ㍿ is.
    let r = compare(&d, a, &b);
    let tail = &a[find(a, "said so").start..];
    let tail_b = &b[find(&b, "said so").start..];
    assert_eq!(passages(&r, a, &b), [(tail, tail_b, 14)]);
    let r = compare(&d, a, a);
    assert_eq!(passages(&r, a, a), [(a, a, 18)]);
}

#[test]
fn runs_of_expanding_characters_are_one_word() {
    // Regression: `½` folds to `1⁄2` and `ﷺ` to four words, so a run of
    // them is one word whose pieces merge; each merge used to rehash the
    // whole word so far, quadratic in the run (100,000 `ﷺ` took minutes).
    let d = detector();
    for c in ['½', 'ﷺ'] {
        let run = c.to_string().repeat(20_000);
        let text = format!("before {run} after");
        let an = d.analyze(&text);
        let spans: Vec<Span> = an.tokens.iter().map(|t| t.span).collect();
        assert_eq!(spans, [Span::new(0, 6), find(&text, &run), find(&text, "after")], "{c}");
    }
    // ㍿ folds to four CJK characters: one word per original character.
    assert_eq!(d.analyze(&"㍿".repeat(20_000)).tokens.len(), 20_000);
    let halves = d.analyze(&"½".repeat(20_000)).tokens;
    let quarters = d.analyze(&"¼".repeat(20_000)).tokens;
    assert_ne!(halves[0].hash, quarters[0].hash);
    assert_eq!(d.analyze(&"½".repeat(20_000)).tokens, halves);
}

#[test]
fn case_folding_that_changes_length() {
    let d = detector();
    let a = "Die Straße ist groß und die Maße sind gut für İstanbul und ﬃ, sagt ΟΔΥΣΣΕΥΣ.";
    let b = "DIE STRASSE IST GROSS UND DIE MASSE SIND GUT FÜR i\u{307}stanbul UND FFI, SAGT οδυσσευς.";
    let an = d.analyze(a);
    assert_eq!(
        words(&an, a),
        [
            "Die",
            "Straße",
            "ist",
            "groß",
            "und",
            "die",
            "Maße",
            "sind",
            "gut",
            "für",
            "İstanbul",
            "und",
            "ﬃ",
            "sagt",
            "ΟΔΥΣΣΕΥΣ"
        ]
    );
    let r = compare(&d, a, b);
    assert_eq!(passages(&r, a, b), [(a, b, 15)]);
    // ẞ (capital sharp s, 3 bytes) is ss too; a dotless ı is not an i.
    assert_eq!(d.analyze("GROẞ").tokens[0].hash, d.analyze("gross").tokens[0].hash);
    assert_ne!(d.analyze("ıstanbul").tokens[0].hash, d.analyze("istanbul").tokens[0].hash);
}

#[test]
fn combining_mark_stacks_stay_inside_their_words() {
    let d = detector();
    let plain = "The minister met the Latvian delegation in Baku on Thursday.";
    // Eight marks on every letter.
    let zalgo: String = plain
        .chars()
        .flat_map(|c| {
            let marks = if c.is_alphabetic() { "\u{300}\u{316}\u{334}\u{35c}\u{301}\u{317}\u{335}\u{35d}" } else { "" };
            std::iter::once(c).chain(marks.chars())
        })
        .collect();
    let an = d.analyze(&zalgo);
    assert_eq!(an.tokens.len(), 10);
    for (t, w) in an.tokens.iter().zip(plain.split([' ', '.']).filter(|w| !w.is_empty())) {
        assert_eq!(zalgo[t.span].chars().filter(|c| c.is_alphabetic()).collect::<String>(), w);
        assert!(zalgo[t.span.end..].starts_with([' ', '.']), "a word ends after its last mark");
    }
    let r = compare(&d, &zalgo, &zalgo);
    assert_eq!(passages(&r, &zalgo, &zalgo), [(zalgo.as_str(), zalgo.as_str(), 10)]);
    assert!(compare(&d, &zalgo, plain).passages.is_empty(), "marks that do not compose make other words");

    // One letter under 2000 marks is one word; marks with no letter before
    // them (text start, after a space or a dash) start no word.
    let tower = format!("e{} tower", "\u{301}\u{302}".repeat(1000));
    assert_eq!(words(&d.analyze(&tower), &tower), [&tower[..tower.len() - 6], "tower"]);
    let stray = "\u{301}\u{302} lone -\u{301} marks";
    assert_eq!(words(&d.analyze(stray), stray), ["lone", "marks"]);
    // Marks that compose give the precomposed letter's word.
    assert_eq!(d.analyze("cafe\u{301}").tokens[0].hash, d.analyze("CAFÉ").tokens[0].hash);
}

#[test]
fn emoji_are_not_words_and_do_not_shift_offsets() {
    let d = detector();
    let a =
        "Family 👨\u{200d}👩\u{200d}👧\u{200d}👦 went to the park 🇦🇿 with the dog 👍🏽 today and it was ❤\u{fe0f} fun.";
    let b = "Family went to the park with the dog today and it was fun.";
    let an = d.analyze(a);
    assert_eq!(words(&an, a), words(&d.analyze(b), b));
    let r = compare(&d, a, b);
    assert_eq!(passages(&r, a, b), [(a, b, 13)]);
    // Regression: an emoji's variation selector is a combining mark; it
    // used to start a word of its own, hashed as the bare selector, so ten
    // different emoji were "the same ten words".
    let hearts = "❤\u{fe0f} ".repeat(10);
    let others = "✈\u{fe0f} ☀\u{fe0f} ⚠\u{fe0f} ☎\u{fe0f} ✉\u{fe0f} ✏\u{fe0f} ☑\u{fe0f} ♻\u{fe0f} ⚡\u{fe0f} ✔\u{fe0f}";
    assert_eq!(d.analyze(&hearts).tokens.len(), 0);
    assert!(compare(&d, &hearts, others).passages.is_empty());
    // A keycap is a digit with marks: one word, not the bare digit.
    let keycap = d.analyze("1\u{fe0f}\u{20e3}");
    assert_eq!(keycap.tokens.len(), 1);
    assert_ne!(keycap.tokens[0].hash, d.analyze("1").tokens[0].hash);
    let many = "👨\u{200d}👩\u{200d}👧\u{200d}👦".repeat(5000);
    assert_eq!(d.analyze(&many), Analysis::default());
}

#[test]
fn right_to_left_text_mixed_with_left_to_right() {
    let d = detector();
    let arabic = "قال الوزير إن أذربيجان ستواصل المساهمة في الحوار السياسي بين الناتو وروسيا.";
    let hebrew = "השר נפגש עם המשלחת של NATO בבאקו ביום חמישי כדי לדון בשיתוף הפעולה.";
    // With right-to-left marks and an embedding around the Hebrew in one
    // text, plain in the other: the controls are punctuation, not words.
    let a = format!("Officials said this. \u{200f}{arabic}\u{200f} Then this. \u{202b}{hebrew}\u{202c} End.");
    let b = format!("{hebrew} Another line here. {arabic}");
    let an = d.analyze(&a);
    assert_eq!(an.tokens.len(), 3 + 12 + 2 + 13 + 1);
    let r = compare(&d, &a, &b);
    let got = passages(&r, &a, &b);
    assert_eq!(
        got,
        [
            (format!("\u{200f}{arabic}\u{200f}").as_str(), arabic, 12),
            (format!("\u{202b}{hebrew}\u{202c}").as_str(), hebrew, 13),
        ]
    );
    for p in &r.passages {
        assert!(a.is_char_boundary(p.a.start) && a.is_char_boundary(p.a.end));
    }
}

// ---------------------------------------------------------------------------
// Public functions with extreme arguments

#[test]
fn lsh_functions_take_extreme_arguments() {
    use neardup::LshParams;
    use neardup::fingerprint::MinHasher;
    use neardup::lsh::band_keys;
    // Regression: the search was quadratic-ish in `num_hashes`, so
    // `usize::MAX` never returned; past MAX_NUM_HASHES it now counts as that.
    let huge = LshParams::for_threshold(0.5, usize::MAX);
    assert_eq!(huge, LshParams::for_threshold(0.5, neardup::MAX_NUM_HASHES));
    assert_eq!(LshParams::for_threshold(0.5, 0), LshParams { bands: 1, rows: 1 });
    // Regression: `rows * 4` overflowed when sizing the key buffer.
    let sig = MinHasher::new(128, 0).signature([1u64, 2, 3]);
    assert!(band_keys(&sig, LshParams { bands: 1, rows: usize::MAX }).is_empty());
    assert_eq!(band_keys(&sig, LshParams { bands: usize::MAX, rows: 0 }).len(), 128, "rows 0 counts as 1");
    let p = LshParams { bands: usize::MAX, rows: usize::MAX };
    for j in [0.0, 0.5, 1.0, f64::NAN] {
        let _ = p.probability(j);
    }
}

// ---------------------------------------------------------------------------
// Error messages name what is wrong and where

/// `bytes` with byte `at` of the body set to `value`, re-checksummed so
/// that the parser (not the checksum) finds the problem. The checksum is
/// `xxh3_64` of the body followed by header bytes 0..32.
fn patched(bytes: &[u8], at: usize, value: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[40 + at..40 + at + value.len()].copy_from_slice(value);
    let sum = xxhash_rust::xxh3::xxh3_64(&[&out[40..], &out[..32]].concat());
    out[32..40].copy_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn index_file_errors_name_the_field_and_the_offset() {
    let mut index = detector().index();
    index.insert(1, "The minister met the Latvian delegation in Baku on Thursday morning.").expect("new id");
    index.insert(2, "They discussed cooperation within NATO and military education programs.").expect("new id");
    let bytes = index.to_bytes().unwrap();
    let body = bytes.len() - 40;
    // The boilerplate statistics end the body: four records (a sentence
    // and a paragraph key per article) of 24 bytes and no count per
    // context, each part after its count.
    let counts = body - (8 + 4 * 24 + 8);
    let cases: Vec<(Vec<u8>, String)> = vec![
        (patched(&bytes, 16, &[7]), "bands_rows flag at body offset 16 is 7, expected 0 or 1".into()),
        (patched(&bytes, 33, &[9]), "unit tag at body offset 33 is 9, expected 0, 1 or 2".into()),
        (patched(&bytes, 54, &[2]), "report_boilerplate at body offset 54 is 2, expected 0 or 1".into()),
        (patched(&bytes, 0, &0u32.to_le_bytes()), "shingle_size = 0".into()),
        (
            patched(&bytes, counts - 8, &99u32.to_le_bytes()),
            format!("entry at body offset {} points at article 99 of 2", counts - 16),
        ),
        (patched(&bytes, counts + 8 + 20, &0u32.to_le_bytes()), "has 1 contexts and 0 articles".into()),
        (patched(&bytes, counts + 8 + 24, &[0; 8]), "boilerplate record 1 (key 0x0) is out of order".into()),
        (bytes[..bytes.len() - 1].to_vec(), format!("a {body}-byte body but the file holds {}", body - 1)),
        (bytes[..20].to_vec(), "20 bytes is shorter than the 40-byte header".into()),
    ];
    for (bad, needle) in cases {
        let message = neardup::Index::from_bytes(&bad).expect_err("a damaged index is an error").to_string();
        assert!(message.starts_with("<bytes>: not a valid neardup index: "), "{message}");
        assert!(message.contains(&needle), "{message:?} does not say {needle:?}");
        assert!(!message.contains('\n'), "{message:?}");
    }
    // From a file, the message names the file.
    let path = std::env::temp_dir().join(format!("neardup-adversarial-{}.ndx", std::process::id()));
    std::fs::write(&path, patched(&bytes, 16, &[7])).expect("write");
    let message = neardup::Index::load(&path).expect_err("damaged").to_string();
    std::fs::remove_file(&path).ok();
    assert!(
        message.starts_with(&format!("{}: not a valid neardup index: bands_rows flag", path.display())),
        "{message}"
    );
}

#[test]
fn shared_words_count_each_word_once() {
    // "delta echo" occurs twice in X and once in Y: the second run joins the
    // first across "fig gap hat" in X while overlapping "delta echo" in Y;
    // it is trimmed so that Y's two words are not matched twice: 8 pairs,
    // the same count from either side (the fuzzer found 10, counted on X).
    // No run here is 8 words long: the anchor is lowered to the shingle.
    let d = Detector::builder().anchor_words(3).min_words(8).build().unwrap();
    let x = "alpha bravo charlie delta echo fig gap hat delta echo foxtrot golf hotel";
    let y = format!("alpha bravo charlie delta echo foxtrot golf hotel{}", " zzzzzzzzzzzzzzzz".repeat(10));
    let r = compare(&d, &y, x);
    assert_eq!(passages(&r, &y, x), [(&y[..49], x, 8)]);
    let p = &r.passages[0];
    assert_eq!((p.a_tokens.clone(), p.b_tokens.clone()), (0..8, 0..13));
    assert_eq!((r.a_covered_words, r.b_covered_words), (8, 13), "coverage counts tokens");
}

#[cfg(feature = "rayon")]
#[test]
fn near_copies_pair_in_batches_with_the_sequential_result() {
    // 200 near-copies (each with its own first sentence): 19,900 pairs,
    // and a chain of 1,100 articles, each sharing a sentence with the
    // next: more probing articles than one batch of `par_pairs` takes
    // (1024), so the pairs come from several batches, in the same order
    // as `pairs`.
    let d = detector();
    let story = "The minister met the Latvian delegation in Baku on Thursday morning. \
                 They discussed cooperation within NATO and military education programs.";
    let texts: Vec<String> = (0..200).map(|i| format!("Edition {i} of the wire from desk {i}. {story}")).collect();
    let mut index = d.index();
    for (i, t) in texts.iter().enumerate() {
        index.insert(i as u64, t).unwrap();
    }
    assert!(index.exact_duplicates().is_empty());
    let sequential: Vec<(u64, u64, usize)> =
        index.pairs().map(|p| (p.a, p.b, p.report.passages.iter().map(|q| q.a.len()).sum())).collect();
    assert_eq!(sequential.len(), 200 * 199 / 2);
    let parallel: Vec<(u64, u64, usize)> =
        index.par_pairs().map(|p| (p.a, p.b, p.report.passages.iter().map(|q| q.a.len()).sum())).collect();
    assert_eq!(parallel, sequential);
    let mut rng = Rng(1100);
    let sentences: Vec<String> = (0..1101).map(|_| sentence(&mut rng, 14)).collect();
    let mut index = d.index();
    for (i, s) in sentences.windows(2).enumerate() {
        index.insert(i as u64, &s.join(" ")).unwrap();
    }
    let sequential: Vec<(u64, u64)> = index.pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(sequential, (0..1099).map(|i| (i, i + 1)).collect::<Vec<_>>());
    let parallel: Vec<(u64, u64)> = index.par_pairs().map(|p| (p.a, p.b)).collect();
    assert_eq!(parallel, sequential);
}
