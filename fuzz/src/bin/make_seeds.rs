//! Writes the seed corpora in `fuzz/corpus/` (run from `fuzz/`):
//!
//! ```text
//! cargo run --bin make_seeds
//! ```
//!
//! Seeds are small on purpose (the whole set stays under 100 KB): a few
//! texts that reach every branch of the text stage, a few pairs that share
//! passages, and valid serialised indexes in both `index_load` modes (and
//! a whole file in format 1, which still loads).

use std::path::Path;

use neardup::Detector;

const SEED_A: &str = include_str!("../../../tests/data/000_7335d4dbf30efac0.txt");
const SEED_B: &str = include_str!("../../../tests/data/001_8d763c1f7bf3de18.txt");

const TEXTS: &[(&str, &str)] = &[
    ("ascii", "First sentence here. Second one!\n\nA new paragraph, e.g. this one. \"Quoted.\" End"),
    ("crlf", "By Azernews\r\n\r\n\r\n  \r\nBy Vafa\rIsmayilova\r\rLast one.\n"),
    ("expansions", "ﬁnal Straße İstanbul ＡＢＣ ǅemal ﷺ ㍿ ½ cup ﬃ ß"),
    ("marks", "cafe\u{301} noir, a\u{301}\u{302}\u{303}\u{304} x\u{20dd}\u{20de}, \u{301}lone"),
    ("cjk", "东京很大。「大阪」也很大。action。action 東京都に住む"),
    ("rtl", "مرحبا بالعالم. שלום עולם! Mixed English עם עברית and العربية."),
    ("emoji", "Family 👨\u{200d}👩\u{200d}👧\u{200d}👦 and flags 🇦🇿 ok. Skin 👍🏽."),
    ("punct", " \n\n ... --- !!! ??? „“ «» —– \u{feff}\u{2028}\u{2029}\u{85}"),
];

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()));
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (text, compare, load) = (root.join("text"), root.join("compare"), root.join("index_load"));
    for dir in [&text, &compare, &load] {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    for (name, t) in TEXTS {
        write(&text, name, t.as_bytes());
    }
    // A paragraph of each seed article: real prose, quotes, curly apostrophes.
    let para = |s: &str, i: usize| s.split("\n\n").nth(i).unwrap_or_default().to_owned();
    write(&text, "seed_paragraph", para(SEED_A, 3).as_bytes());

    let pair = |a: &str, b: &str| {
        let mut v = vec![2u8, 5, 5];
        v.extend_from_slice(a.as_bytes());
        v.push(0xFF);
        v.extend_from_slice(b.as_bytes());
        v
    };
    let shared = "Hajiyev added that Azerbaijan will continue to make its contribution to the political dialogue.";
    write(&compare, "quote", &pair(&format!("Intro here. {shared} Outro."), &format!("{shared} Other text.")));
    write(&compare, "edited", &pair(shared, &shared.replace("continue", "go on")));
    write(&compare, "seeds", &pair(&para(SEED_A, 5), &para(SEED_B, 5)));
    write(&compare, "self", &[&[1u8, 2, 3][..], "word ".repeat(50).as_bytes()].concat());
    write(&compare, "unicode", &pair(TEXTS[2].1, &TEXTS[2].1.to_uppercase()));

    let d = Detector::builder().num_hashes(16).build().expect("valid");
    let mut index = d.index();
    index.insert_labeled(1, "a.txt", &format!("{shared} First story goes on here.")).expect("new id");
    index.insert_labeled(2, "b.txt", &format!("Second story. {shared}")).expect("new id");
    index.insert(3, "Unrelated words about the markets and weather this week.").expect("new id");
    let bytes = index.to_bytes().unwrap();
    write(&load, "file", &[&[0u8][..], &bytes].concat());
    // The same index in format 1 (neardup 0.2: the checksum covers the body
    // alone), which still loads.
    let mut v1 = bytes.clone();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let sum = xxhash_rust::xxh3::xxh3_64(&v1[40..]);
    v1[32..40].copy_from_slice(&sum.to_le_bytes());
    write(&load, "file_v1", &[&[0u8][..], &v1].concat());
    write(&load, "body", &[&[1u8][..], &bytes[40..]].concat());
    let empty = Detector::builder().num_hashes(4).build().expect("valid").index().to_bytes().unwrap();
    write(&load, "empty_body", &[&[1u8][..], &empty[40..]].concat());
    let mut windowed =
        Detector::builder().num_hashes(8).unit(neardup::Unit::Window { size: 6 }).build().expect("valid").index();
    windowed.insert(9, shared).expect("new id");
    write(&load, "window_body", &[&[1u8][..], &windowed.to_bytes().unwrap()[40..]].concat());
}
