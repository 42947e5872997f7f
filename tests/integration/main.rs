//! Behaviour tests through the public API: one integration binary.

mod adversarial;
mod advisor;
mod api;
mod cli;
mod corpus;
mod corpus_cli;
mod determinism;
mod html;
mod props;
mod seeds;
mod serde;

/// The seed pair shipped in `tests/data` (copied from `../shared/seeds`).
pub fn seed_pair() -> (String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let a = std::fs::read_to_string(format!("{dir}/000_7335d4dbf30efac0.txt")).expect("seed 000 is shipped");
    let b = std::fs::read_to_string(format!("{dir}/001_8d763c1f7bf3de18.txt")).expect("seed 001 is shipped");
    (a, b)
}
