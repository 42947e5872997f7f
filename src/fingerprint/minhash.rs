//! Classic MinHash: `n` hash functions over every shingle, as 16-lane
//! blocks of 32-bit affine maps whose minima stay in registers while the
//! shingles stream past in L1-sized chunks. The parameters and the mix are
//! defined in the [module docs](crate::fingerprint); the CPU-specific
//! builds of the kernel are in `dispatch`.

#[allow(unsafe_code)]
mod dispatch;

use super::Signature;
use super::mix::{PHI, fmix64, splitmix64};

/// Computes MinHash signatures with `n` hash functions derived from one
/// seed (see the [module docs](crate::fingerprint) for the exact mix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHasher {
    a: Vec<u32>,
    b: Vec<u32>,
}

impl MinHasher {
    /// A hasher producing signatures of `n` values, seeded with `seed`.
    ///
    /// ```
    /// let m = neardup::fingerprint::MinHasher::new(128, 7);
    /// assert_eq!(m.num_hashes(), 128);
    /// ```
    pub fn new(n: usize, seed: u64) -> MinHasher {
        let a = (0..n as u64).map(|i| (splitmix64(seed ^ (2 * i + 1).wrapping_mul(PHI)) >> 32) as u32 | 1).collect();
        let b = (0..n as u64).map(|i| (splitmix64(seed ^ (2 * i + 2).wrapping_mul(PHI)) >> 32) as u32).collect();
        MinHasher { a, b }
    }

    /// The number of values in each signature.
    ///
    /// ```
    /// assert_eq!(neardup::fingerprint::MinHasher::new(16, 0).num_hashes(), 16);
    /// ```
    pub fn num_hashes(&self) -> usize {
        self.a.len()
    }

    /// The signature of a set of shingle hashes (duplicates do not matter).
    ///
    /// ```
    /// use neardup::fingerprint::MinHasher;
    ///
    /// let m = MinHasher::new(128, 0);
    /// assert_eq!(m.signature([3u64, 1, 2]), m.signature([1u64, 2, 3, 3]));
    /// ```
    pub fn signature(&self, shingles: impl IntoIterator<Item = u64>) -> Signature {
        let mut mins = vec![u32::MAX; self.a.len()];
        // Shingles go through a small buffer, mixed to 32 bits, that stays
        // in L1 while every hash function runs over it (see `update_mins`).
        let mut buf = [0u32; SIGNATURE_CHUNK];
        let mut shingles = shingles.into_iter();
        loop {
            let mut len = 0;
            for (slot, x) in buf.iter_mut().zip(&mut shingles) {
                *slot = (fmix64(x) >> 32) as u32;
                len += 1;
            }
            update_mins(&mut mins, &self.a, &self.b, &buf[..len]);
            if len < SIGNATURE_CHUNK {
                break;
            }
        }
        Signature(mins)
    }

    /// [`signature`](Self::signature) of a slice of shingles, without the
    /// buffer of a long stream when there are few (a sentence's stems).
    pub(crate) fn signature_of(&self, shingles: &[u64]) -> Signature {
        if shingles.len() > SMALL_SET {
            return self.signature(shingles.iter().copied());
        }
        let mut buf = [0u32; SMALL_SET];
        for (slot, &x) in buf.iter_mut().zip(shingles) {
            *slot = (fmix64(x) >> 32) as u32;
        }
        let mut mins = vec![u32::MAX; self.a.len()];
        update_mins_few(&mut mins, &self.a, &self.b, &buf[..shingles.len()]);
        Signature(mins)
    }
}

/// Most shingles that [`MinHasher::signature_of`] mixes on the stack.
const SMALL_SET: usize = 32;

/// Shingles per pass of [`update_mins`]: 4 KiB, well inside L1.
const SIGNATURE_CHUNK: usize = 512;

/// `h(a, b, y) = (a · y + b) mod 2³²`, the MinHash mix of a mixed shingle.
#[inline(always)]
fn mix(a: u32, b: u32, y: u32) -> u32 {
    a.wrapping_mul(y).wrapping_add(b)
}

/// Hash functions per block of [`update_mins`]: one 512-bit vector of
/// 32-bit lanes.
const LANES32: usize = 16;

/// Lowers `mins[i]` to the minimum of `h(a[i], b[i], y)` over `ys`, with
/// the widest vectors the CPU has ([`dispatch`]).
fn update_mins(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    dispatch::update_mins(mins, a, b, ys)
}

/// [`update_mins`] for a few shingles (at most [`SMALL_SET`]), with the
/// widest vectors the CPU has ([`dispatch`]).
fn update_mins_few(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    dispatch::update_mins_few(mins, a, b, ys)
}

/// [`update_mins_few`] in portable code: shingle-outer, hash-inner, so that
/// the hash functions are the vector lanes with nothing set up per block
/// (the block kernel, [`update_mins_portable`], sets up each block's
/// parameters for the shingles of a long stream, which a sentence's dozen
/// stems do not repay). Same values as the obvious double loop.
#[inline(always)]
fn update_mins_few_portable(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    let n = mins.len().min(a.len()).min(b.len());
    let (mins, a, b) = (&mut mins[..n], &a[..n], &b[..n]);
    for &y in ys {
        for ((m, &a), &b) in mins.iter_mut().zip(a).zip(b) {
            *m = (*m).min(mix(a, b, y));
        }
    }
}

/// [`update_mins`] in portable code.
///
/// Hash-outer in blocks of 16, shingle-inner: a block's minima and
/// parameters stay in registers (one vector register with AVX-512, two
/// with AVX2, four with SSE) while the shingles stream from L1, and the
/// 16 lanes are plain `u32` arithmetic the compiler vectorises. Same values
/// as the obvious double loop.
#[inline(always)]
fn update_mins_portable(mins: &mut [u32], a: &[u32], b: &[u32], ys: &[u32]) {
    if ys.is_empty() {
        return;
    }
    let mut blocks = mins.chunks_exact_mut(LANES32);
    let mut i = 0;
    for m in &mut blocks {
        let mut lanes = [0u32; LANES32];
        lanes.copy_from_slice(m);
        let mut pa = [0u32; LANES32];
        pa.copy_from_slice(&a[i..i + LANES32]);
        let mut pb = [0u32; LANES32];
        pb.copy_from_slice(&b[i..i + LANES32]);
        for &y in ys {
            for j in 0..LANES32 {
                lanes[j] = lanes[j].min(mix(pa[j], pb[j], y));
            }
        }
        m.copy_from_slice(&lanes);
        i += LANES32;
    }
    for (k, m) in blocks.into_remainder().iter_mut().enumerate() {
        *m = ys.iter().fold(*m, |m, &y| m.min(mix(a[i + k], b[i + k], y)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_set_signature_is_max() {
        let m = MinHasher::new(4, 0);
        assert_eq!(m.signature(std::iter::empty()), Signature(vec![u32::MAX; 4]));
    }

    #[test]
    fn signature_matches_the_plain_double_loop() {
        // Odd and even numbers of hashes, and shingle counts around the
        // chunk size of `update_mins`.
        for n in [1, 2, 3, 8, 15, 16, 17, 33, 127, 128] {
            let m = MinHasher::new(n, 3);
            for len in [
                0,
                1,
                2,
                SMALL_SET,
                SMALL_SET + 1,
                SIGNATURE_CHUNK - 1,
                SIGNATURE_CHUNK,
                SIGNATURE_CHUNK + 1,
                3 * SIGNATURE_CHUNK + 7,
            ] {
                let xs: Vec<u64> = (0..len as u64).map(|i| splitmix64(i ^ 0xABCD)).collect();
                let naive: Vec<u32> = (0..n)
                    .map(|i| {
                        xs.iter()
                            .map(|&x| m.a[i].wrapping_mul((fmix64(x) >> 32) as u32).wrapping_add(m.b[i]))
                            .min()
                            .unwrap_or(u32::MAX)
                    })
                    .collect();
                assert_eq!(m.signature(xs.iter().copied()).0, naive, "n = {n}, len = {len}");
                assert_eq!(m.signature_of(&xs).0, naive, "n = {n}, len = {len}");
            }
        }
    }
}
