//! Where a passage is in its text, for both outputs of `compare`: line
//! numbers of byte offsets, and the words of a passage found on one side
//! only (painted in the readable report, underlined in the HTML page).

use neardup::Span;

/// 1-based line numbers of byte offsets. A line ends at `\n`, `\r\n` or a
/// lone `\r`.
pub struct Lines {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Lines {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            if byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    /// The line holding the byte at `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// The first and last line of a span.
    pub fn of(&self, span: Span) -> (usize, usize) {
        let first = self.line(span.start);
        let last = if span.is_empty() { first } else { self.line(span.end - 1) };
        (first, last)
    }

    /// Byte offsets where lines start, the first line (offset 0) included.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }
}

/// Passages longer than this many words on each side (product) are shown
/// without the word-level highlight of their differences.
pub const MAX_DIFF_CELLS: usize = 4_000_000;

/// The words of a passage's `a` missing from its `b` and back, per word in
/// `split_whitespace` order: [`bag_diff`] for a rewritten passage (its
/// words were reordered), else [`word_diff`].
pub fn passage_diff(kind: neardup::PassageKind, a: &str, b: &str) -> (Vec<bool>, Vec<bool>) {
    if kind == neardup::PassageKind::Rewritten { bag_diff(a, b) } else { word_diff(a, b) }
}

/// For a rewritten passage (words reordered): per word of `a` and of `b`,
/// whether the other side lacks it (counting repeats), wherever it is.
pub fn bag_diff(a: &str, b: &str) -> (Vec<bool>, Vec<bool>) {
    let a: Vec<String> = a.split_whitespace().map(diff_key).collect();
    let b: Vec<String> = b.split_whitespace().map(diff_key).collect();
    let only = |x: &[String], y: &[String]| {
        let mut left: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for w in y {
            *left.entry(w.as_str()).or_default() += 1;
        }
        x.iter()
            .map(|w| match left.get_mut(w.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect::<Vec<bool>>()
    };
    (only(&a, &b), only(&b, &a))
}

/// A word as the diffs compare it: its letters and digits, lowercased.
fn diff_key(w: &str) -> String {
    let k: String = w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    if k.is_empty() { w.to_owned() } else { k }
}

/// The words of `a` missing from `b` and of `b` missing from `a`, per word
/// in `split_whitespace` order: the complement of a longest common
/// subsequence of words compared by their letters and digits, case
/// folded. Nothing is marked when the passages are too long to diff.
pub fn word_diff(a: &str, b: &str) -> (Vec<bool>, Vec<bool>) {
    let a: Vec<String> = a.split_whitespace().map(diff_key).collect();
    let b: Vec<String> = b.split_whitespace().map(diff_key).collect();
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_DIFF_CELLS {
        return (vec![false; n], vec![false; m]);
    }
    // lcs[i][j]: LCS length of a[i..] and b[j..], row-major.
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] =
                if a[i] == b[j] { lcs[at(i + 1, j + 1)] + 1 } else { lcs[at(i + 1, j)].max(lcs[at(i, j + 1)]) };
        }
    }
    let (mut a_only, mut b_only) = (vec![true; n], vec![true; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            (a_only[i], b_only[j]) = (false, false);
            (i, j) = (i + 1, j + 1);
        } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (a_only, b_only)
}
