//! Tests of the text stage as a whole, and of the streamed words against
//! the two-pass reference in `oracle`.

mod oracle;

use super::{Analysis, analyze, normalize};
use oracle::tokenize;

#[test]
fn empty_and_punctuation_only() {
    assert_eq!(analyze("", 0), Analysis::default());
    assert_eq!(analyze(" \n\n ... --- !!!", 0), Analysis::default());
}

/// `analyze`'s words (from `for_each_word`) against the reference:
/// `tokenize` on the `normalize`d text, spans mapped back.
fn assert_same_words(text: &str) {
    let want = tokenize(&normalize(text), 5);
    let got = analyze(text, 5).tokens;
    assert_eq!(got, want, "{text:?}");
}

#[test]
fn streamed_words_match_the_normalised_tokenizer() {
    for text in [
        "",
        "a",
        "'",
        "it's rock'n'roll 'quoted' o'",
        "it’s l’É x'½ ½' ½'a a'½",
        "about ½ cup, ¼¼¼ and 1½2 a½b",
        "ﷺﷺ ﷺa aﷺ",
        "cafe\u{301} e\u{301}\u{302}x \u{301}a a \u{301} '\u{301}",
        "東京都に住む abc東def 漢'字 ａ'東",
        "Straße İstanbul ＡＢＣ ǅemal ﬃ ŉ",
        "👍🏽 ❤\u{fe0f} a\u{fe0f}b",
        "㍿ ㌔ ⑴ ⒜ ℡ ﬁ’s",
        "Москва и Αθήνα ΣΊΣΥΦΟΣ مرحبا",
        "tab\tcr\rlf\nff\u{c}vt\u{b}",
        "a\u{2019}\u{2019}b a\u{2019}.b",
        // A separator clustered with a following mark that is a word
        // on its own (found by the proptest below).
        "%\u{3099}:z",
        "ab %\u{3099}",
        "a. \u{3099}\u{301}b",
    ] {
        assert_same_words(text);
    }
}

proptest::proptest! {
    // Fixed seed, so CI is repeatable; `PROPTEST_RNG_SEED=n` explores
    // others (300,000 random cases of each passed when this was written).
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 3000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x7E87_5EED),
        ),
        ..Default::default()
    })]
    #[test]
    fn streamed_words_match_on_tricky_text(
        chars in proptest::collection::vec(proptest::sample::select(vec![
            'a', 'B', 'z', '0', '9', ' ', ' ', '\'', '.', '-', '\n', '\r', '\t',
            '’', '‘', '“', '½', '¼', 'ﷺ', '\u{301}', '\u{302}', '\u{fe0f}', '東', 'に', 'ア',
            'ß', 'İ', 'Σ', 'ς', 'ﬁ', 'ﬃ', 'Ａ', '１', '㍿', '⑴', 'ŉ', 'é', 'д', 'ا', '\u{a0}',
            '\u{2044}', '\u{feff}', '—', '…', '。', '👍', '\u{1f3fd}', 'ǅ', '\u{345}',
            '%', '\u{3099}', '\u{309a}', '\u{20dd}', 'ｶ', '\u{ff9e}', '(', ',',
        ]), 0..40)
    ) {
        let text: String = chars.into_iter().collect();
        assert_same_words(&text);
    }

    #[test]
    fn streamed_words_match_on_any_text(text in "\\PC{0,300}") {
        assert_same_words(&text);
    }
}
