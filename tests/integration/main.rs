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

/// SplitMix64 (Steele, Lea and Flood): a tiny seedable generator, so that
/// every generated test corpus is the same in every run.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)] // an infinite stream, not an Iterator
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
