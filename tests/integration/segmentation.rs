//! Sentences of every script (issue 10, item 7).

use neardup::{Detector, text};

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
