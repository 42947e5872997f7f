//! Behaviour tests through the public API: one integration binary.

mod adversarial;
mod advisor;
mod align;
mod api;
mod cli;
mod corpus;
mod corpus_cli;
mod determinism;
mod examples;
mod html;
mod persist_safety;
mod props;
mod read;
mod recall;
mod rewritten;
mod seeds;
mod segmentation;
mod serde;
mod stages;
mod texts_on_disk;

/// The seed pair shipped in `tests/data` (copied from `../shared/seeds`).
pub fn seed_pair() -> (String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let a = std::fs::read_to_string(format!("{dir}/000_7335d4dbf30efac0.txt")).expect("seed 000 is shipped");
    let b = std::fs::read_to_string(format!("{dir}/001_8d763c1f7bf3de18.txt")).expect("seed 001 is shipped");
    (a, b)
}

/// The starts of 000's eight conference paragraphs, which 001 has too.
pub const CONFERENCE_000: [&str; 8] = [
    "Speaking at the Baku-based international conference",
    "At the same conference, Azerbaijani presidential aide",
    "He also expressed Azerbaijan",
    "\u{201c}We want further expansion",
    "Hajiyev noted that apart from political dialogue",
    "Hajiyev added that Azerbaijan will continue",
    "Meanwhile, Security and Development Policy Institute",
    "\u{201c}Azerbaijan is one of the most important countries",
];

#[path = "../support/rng.rs"]
mod rng;
pub use rng::Rng;
