//! Sentences of every script, and passage edges at sentence boundaries
//! (issue 10, items 7 and 8).

use neardup::{Detector, Report, text};

fn detector() -> Detector {
    Detector::builder().build().expect("default config is valid")
}

/// The sentences `analyze` finds, through the detector and the text stage.
fn sentences(text: &str) -> Vec<&str> {
    let got: Vec<&str> = detector().analyze(text).sentences.iter().map(|s| &text[s.span]).collect();
    let direct: Vec<&str> = text::analyze(text, 0).sentences.iter().map(|s| &text[s.span]).collect();
    assert_eq!(got, direct);
    got
}

// A Hindi news paragraph: heavy rain in the capital.
const HI_RAIN: [&str; 6] = [
    "राजधानी में पिछले तीन दिनों से लगातार भारी बारिश हो रही है।",
    "नगर निगम ने निचले इलाकों में रहने वाले परिवारों को सुरक्षित स्थानों पर पहुँचाया।",
    "मुख्यमंत्री ने कहा कि राहत कार्यों के लिए पचास करोड़ रुपये की अतिरिक्त राशि जारी की जाएगी।",
    "स्कूल और कॉलेज अगले आदेश तक बंद रहेंगे।",
    "मौसम विभाग ने अगले अड़तालीस घंटों में और बारिश की चेतावनी दी है।",
    "यातायात पुलिस ने लोगों से अनावश्यक यात्रा न करने की अपील की है।",
];

// Another Hindi paragraph, on the opposition's reaction, that reuses the
// chief minister's sentence (HI_RAIN[2]) in its middle.
const HI_REACTION: [&str; 5] = [
    "विपक्ष के नेताओं ने सरकार पर तैयारी में देरी का आरोप लगाया।",
    "उनका कहना है कि नालों की सफ़ाई समय पर नहीं हुई थी॥",
    HI_RAIN[2],
    "विपक्ष ने इस राशि को अपर्याप्त बताया और केंद्र से मदद माँगी।",
    "अगले सप्ताह विधानसभा का विशेष सत्र बुलाया जा सकता है।",
];

#[test]
fn hindi_paragraph_is_several_sentences() {
    let para = HI_RAIN.join(" ");
    assert_eq!(sentences(&para), HI_RAIN);
    let para = HI_REACTION.join(" ");
    assert_eq!(sentences(&para), HI_REACTION);
    // Bengali uses the same danda; typed without a space it still ends
    // the sentence.
    assert_eq!(
        sentences("শহরে টানা বৃষ্টি হচ্ছে।অনেক রাস্তা পানিতে ডুবে গেছে। স্কুল বন্ধ থাকবে।"),
        ["শহরে টানা বৃষ্টি হচ্ছে।", "অনেক রাস্তা পানিতে ডুবে গেছে।", "স্কুল বন্ধ থাকবে।"]
    );
}

#[test]
fn urdu_armenian_amharic_paragraphs_are_several_sentences() {
    let urdu = [
        "شہر میں گزشتہ رات سے شدید بارش ہو رہی ہے۔",
        "انتظامیہ نے نشیبی علاقوں سے سینکڑوں خاندانوں کو محفوظ مقامات پر منتقل کیا۔",
        "کیا اسکول کل کھلیں گے؟",
        "محکمہ موسمیات نے مزید بارش کی پیش گوئی کی ہے۔",
    ];
    assert_eq!(sentences(&urdu.join(" ")), urdu);
    let armenian = [
        "Երևանում երեկ երեկոյից տեղում է առատ անձրև։",
        "Քաղաքապետարանը քաղաքացիներին խորհուրդ է տվել մնալ տանը։",
        "Դպրոցները փակ կլինեն երկու օր։",
    ];
    assert_eq!(sentences(&armenian.join(" ")), armenian);
    let amharic = [
        "በአዲስ አበባ ትናንት ምሽት ከባድ ዝናብ ዘነበ።",
        "የከተማው አስተዳደር ነዋሪዎች በቤታቸው እንዲቆዩ አሳሰበ።",
        "ትምህርት ቤቶች ለሁለት ቀናት ተዘግተዋል።",
        "ዝናቡ እስከ መቼ ይቀጥላል፧",
    ];
    assert_eq!(sentences(&amharic.join(" ")), amharic);
    // Traditional Ethiopic: `፡` between words, no space after `።`.
    assert_eq!(sentences("ዝናብ፡ዘነበ።ትምህርት፡ቤቶች፡ተዘግተዋል።"), ["ዝናብ፡ዘነበ።", "ትምህርት፡ቤቶች፡ተዘግተዋል።"]);
    // Chinese and Japanese stops need no space either.
    assert_eq!(sentences("大雨が続いた。学校は休校になった！"), ["大雨が続いた。", "学校は休校になった！"]);
}

#[test]
fn index_finds_one_hindi_sentence_reused_from_a_long_paragraph() {
    let rain = HI_RAIN.join(" ");
    let reaction = HI_REACTION.join(" ");
    let d = detector();
    let mut index = d.index();
    index.insert(7, &rain).expect("one article");
    let hits = index.query(&reaction);
    assert_eq!(hits.matches.iter().map(|m| m.id).collect::<Vec<_>>(), [7], "the reused sentence is not found");
    let report = &hits.matches[0].report;
    assert_eq!(*report, d.compare(&reaction, &rain));
    // One passage: the sentence, with its danda, and nothing of the
    // sentences around it.
    let got: Vec<(&str, &str)> = report.passages.iter().map(|p| (&reaction[p.a], &rain[p.b])).collect();
    assert_eq!(got, [(HI_RAIN[2], HI_RAIN[2])]);
}

/// The passages of `compare(a, b)` as text, after checking that comparing
/// the other way round gives the same passages swapped.
fn passages<'t>(a: &'t str, b: &'t str) -> Vec<(&'t str, &'t str)> {
    let d = detector();
    let report: Report = d.compare(a, b);
    assert_eq!(report, d.compare(b, a).swapped());
    report.passages.iter().map(|p| (&a[p.a], &b[p.b])).collect()
}

const FLOODS: &str =
    "The government announced new relief payments on Monday for families who lost their homes after the floods.";

#[test]
fn passage_does_not_end_on_the_first_word_of_an_unrelated_sentence() {
    // `the floods the` is a shared shingle: the run reaches into the next
    // sentences by the word they start with.
    let a = format!("{FLOODS} The opposition disagreed strongly.");
    let b = format!("{FLOODS} The weather will improve tomorrow.");
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS)]);
    // Both next sentences short enough to be grown over: they are not.
    let a = format!("{FLOODS} He then left.");
    let b = format!("{FLOODS} He was tired.");
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS)]);
    // Three words alike at the start of unrelated sentences.
    let a = format!("{FLOODS} The opposition said nothing at all today.");
    let b = format!("{FLOODS} The opposition said the weather was fine.");
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS)]);
    // The next sentence only on one side.
    let a = format!("{FLOODS} The opposition disagreed strongly.");
    let b = format!("{} the opposition leader said on Tuesday.", FLOODS.trim_end_matches('.'));
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS.trim_end_matches('.'))]);
}

#[test]
fn passage_does_not_start_with_the_tail_of_an_unrelated_sentence() {
    let a = format!("She said. {FLOODS}");
    let b = format!("He said. {FLOODS}");
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS)]);
    let a = format!("Rain fell all night in the north. {FLOODS}");
    let b = format!("Nobody had expected such a storm in the north. {FLOODS}");
    assert_eq!(passages(&a, &b), [(FLOODS, FLOODS)]);
}

#[test]
fn alike_edge_sentences_are_still_grown_to() {
    // One word changed in a short next sentence: the passage takes it in,
    // as it did before.
    let a = format!("{FLOODS} The minister resigned today.");
    let b = format!("{FLOODS} The premier resigned today.");
    assert_eq!(passages(&a, &b), [(a.as_str(), b.as_str())]);
    let a = format!("The minister said. {FLOODS}");
    let b = format!("The premier said. {FLOODS}");
    assert_eq!(passages(&a, &b), [(a.as_str(), b.as_str())]);
    // A whole short sentence shared at the edge stays.
    let a = format!("{FLOODS} He left. Then it rained for a week.");
    let b = format!("{FLOODS} He left. Nobody noticed at first.");
    assert_eq!(passages(&a, &b), [(format!("{FLOODS} He left.").as_str(), format!("{FLOODS} He left.").as_str())]);
}

#[test]
fn shared_words_count_only_the_kept_pairs() {
    let a = format!("{FLOODS} The opposition disagreed strongly.");
    let b = format!("{FLOODS} The weather will improve tomorrow.");
    let report = detector().compare(&a, &b);
    assert_eq!(report.passages.len(), 1);
    let p = &report.passages[0];
    let words = FLOODS.split_whitespace().count();
    assert_eq!((p.matched_words, p.a_tokens.len(), p.b_tokens.len()), (words, words, words));
}

/// Words of sentence-boundary overhang: for each passage side that runs
/// into its last sentence from an earlier one without covering it whole,
/// the words it has of it (and likewise at the start).
fn overhangs(text: &str, tokens: &std::ops::Range<usize>) -> Vec<usize> {
    let sentences = text::analyze(text, 0).sentences;
    let mut out = Vec::new();
    for s in &sentences {
        let t = &s.tokens;
        // The passage ends inside `s`, having started before it.
        if tokens.start < t.start && t.start < tokens.end && tokens.end < t.end {
            out.push(tokens.end - t.start);
        }
        // The passage starts inside `s` and runs past its end.
        if t.start < tokens.start && tokens.start < t.end && t.end < tokens.end {
            out.push(t.end - tokens.start);
        }
    }
    out
}

#[test]
fn random_articles_have_no_dangling_edges_and_stay_symmetric() {
    // Sentences that start (and end) alike, joined in random orders around
    // a shared core: the shapes that made dangling edges.
    let openers = ["The", "He", "The opposition", "She said", "In the north", "The government said"];
    let middles = [
        "disagreed strongly with the plan",
        "was tired after the long night",
        "will improve by the end of the week",
        "left the building before noon",
        "announced new payments for families",
        "expects more rain in the coming days",
    ];
    let core = [FLOODS, "Officials in the capital counted the damage to roads and bridges on Tuesday morning."];
    let mut rng = crate::Rng(0x5e9_ed9e);
    let d = detector();
    for round in 0..300 {
        let side = |rng: &mut crate::Rng| {
            let mut parts: Vec<String> = Vec::new();
            for _ in 0..rng.below(3) {
                parts.push(format!("{} {}.", rng.pick(&openers), rng.pick(&middles)));
            }
            parts.extend(core.iter().map(|s| s.to_string()));
            for _ in 0..rng.below(3) {
                parts.push(format!("{} {}.", rng.pick(&openers), rng.pick(&middles)));
            }
            parts.join(" ")
        };
        let (a, b) = (side(&mut rng), side(&mut rng));
        let report = d.compare(&a, &b);
        assert_eq!(report, d.compare(&b, &a).swapped(), "round {round}: {a:?} / {b:?}");
        assert!(!report.passages.is_empty(), "round {round}: the core is shared");
        for p in &report.passages {
            for (text, tokens) in [(&a, &p.a_tokens), (&b, &p.b_tokens)] {
                let over = overhangs(text, tokens);
                assert!(
                    over.iter().all(|&n| n > 3),
                    "round {round}: passage {:?} / {:?} overhangs a sentence by {over:?} words",
                    &a[p.a],
                    &b[p.b]
                );
            }
        }
    }
}
