//! Winnowing (Schleimer, Wilkerson and Aiken 2003): of every window of `w`
//! consecutive `k`-word gram hashes, keep the smallest. Two texts that
//! share a run of at least `w + k − 1` words share the `w` grams of a whole
//! window, so they share the hash it selects: a guarantee, not a
//! probability, at about `2 / (w + 1)` selected hashes per word.

use super::shingle::for_each_shingle;
use crate::text::Token;

/// The winnowed `k`-word gram hashes of `tokens` with windows of
/// `window` grams, as `(hash, position of the gram's first word)`, in text
/// order, each selected position once. The minimum of a window is its
/// rightmost smallest hash (robust winnowing: a run of equal hashes
/// selects one position per `window` grams, not every one). A text with
/// fewer grams than a window selects the smallest of the grams it has; one
/// with fewer than `k` words selects nothing.
///
/// ```
/// use neardup::{fingerprint::winnow, text::analyze};
///
/// let shared = "the minister met the delegation in Baku on Thursday";
/// let a = analyze(&format!("First story opens here. {shared} and more."), 0);
/// let b = analyze(&format!("{shared}, said a second story."), 0);
/// // Runs of 3 + 4 - 1 = 6 words or more always share a selected hash.
/// let (fa, fb) = (winnow(&a.tokens, 3, 4, 0), winnow(&b.tokens, 3, 4, 0));
/// assert!(fa.iter().any(|x| fb.iter().any(|y| x.0 == y.0)));
/// ```
pub fn winnow(tokens: &[Token], k: usize, window: usize, seed: u64) -> Vec<(u64, u32)> {
    let mut grams = Vec::with_capacity(tokens.len());
    for_each_shingle(tokens, k, seed ^ WINNOW_SALT, |h| grams.push(h));
    if tokens.len() < k {
        // `for_each_shingle` gives a short text one shingle of all its
        // words; a gram of fewer than `k` words is not a run of `k`.
        grams.clear();
    }
    select(&grams, window.max(1))
}

/// Keeps the winnowed grams distinct from the shingles of the same size
/// (the shingle hash of a text and its gram hashes never meet anyway, but
/// a reader of a table should not have to know that).
const WINNOW_SALT: u64 = 0x7769_6e6e_6f77_2121; // "winnow!!"

/// The positions robust winnowing selects from `hashes` with windows of
/// `w`, in increasing order: a monotone deque of candidate minima, so
/// linear in the number of hashes whatever their values.
fn select(hashes: &[u64], w: usize) -> Vec<(u64, u32)> {
    let mut out: Vec<(u64, u32)> = Vec::with_capacity(2 * hashes.len() / (w + 1) + 1);
    if hashes.is_empty() {
        return out;
    }
    // Positions of increasing hashes (ties: the later one replaces).
    let mut deque = std::collections::VecDeque::with_capacity(w + 1);
    let last_window = hashes.len().saturating_sub(w);
    for (i, &h) in hashes.iter().enumerate() {
        while deque.back().is_some_and(|&j: &usize| hashes[j] >= h) {
            deque.pop_back();
        }
        deque.push_back(i);
        if deque.front().is_some_and(|&j| j + w <= i) {
            deque.pop_front();
        }
        // Window `i + 1 - w .. i + 1` is complete (or the text is shorter
        // than one window, and this is its last gram).
        if i + 1 >= w || (i + 1 == hashes.len() && last_window == 0) {
            let m = *deque.front().expect("the deque holds position i");
            // Robust: a minimum selected before that is still in the window
            // and ties with this one stays selected.
            let kept = out.last().is_some_and(|&(v, p)| p as usize + w > i && v == hashes[m]);
            if !kept {
                out.push((hashes[m], m as u32));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Robust winnowing by definition: every window's minimum, the one
    /// selected for the window before if it is still in this one and
    /// minimal, else the rightmost minimum.
    fn brute(hashes: &[u64], w: usize) -> Vec<(u64, u32)> {
        let mut out: Vec<(u64, u32)> = Vec::new();
        let windows: Vec<&[u64]> = if hashes.len() < w { vec![hashes] } else { hashes.windows(w).collect() };
        for (s, win) in windows.iter().enumerate() {
            if win.is_empty() {
                continue;
            }
            let min = *win.iter().min().unwrap();
            let m = s + win.iter().rposition(|&x| x == min).unwrap();
            let kept = out.last().is_some_and(|&(v, p)| p as usize >= s && v == min);
            if !kept {
                out.push((hashes[m], m as u32));
            }
        }
        out
    }

    #[test]
    fn select_is_robust_winnowing() {
        let mut x = 0x1234_5678u64;
        for len in 0..60 {
            for w in 1..8 {
                for range in [3u64, 1000] {
                    let hashes: Vec<u64> = (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            x % range
                        })
                        .collect();
                    assert_eq!(select(&hashes, w), brute(&hashes, w), "{hashes:?} w={w}");
                }
            }
        }
    }

    #[test]
    fn equal_hashes_select_one_position_per_window() {
        let got = select(&[5; 20], 4);
        assert_eq!(got.iter().map(|p| p.1).collect::<Vec<_>>(), [3, 7, 11, 15, 19]);
    }
}
