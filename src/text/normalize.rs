//! The normalised copy of a text, and the compact map from its bytes back
//! to the original's.

use super::ascii::ascii_run_end;
use super::fold::{FoldCache, cluster_at, fold_ascii, fold_cluster, mark_at};
use crate::span::Span;

/// A text folded for matching, with a map back to the original bytes.
///
/// Produced by [`normalize`]. The map is compact: it records only the
/// characters whose normalised form has a different byte length (or that
/// expand into several characters), so ASCII and most alphabetic text cost
/// nothing beyond the folded copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// Groups of original characters whose folded form does not map one
    /// byte to one byte, sorted by position. Between two groups, normalised
    /// offset + constant delta = original offset.
    pub(super) groups: Vec<Remap>,
}

/// Original characters and the normalised bytes they fold to, where the
/// map between the two is not one byte to one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Remap {
    pub(super) norm: Span,
    pub(super) orig: Span,
}

impl Normalized {
    /// The normalised text.
    ///
    /// ```
    /// let n = neardup::text::normalize("“Ĳssel” – ＡＢＣ");
    /// assert_eq!(n.as_str(), "\"ijssel\" - abc");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a span of the normalised text back to the original text.
    ///
    /// The result is the smallest original span whose normalised form
    /// contains `span`: a span that starts or ends inside the expansion of
    /// one original character grows to cover that whole character, so the
    /// result always lies on `char` boundaries of the original.
    ///
    /// ```
    /// use neardup::{Span, text::normalize};
    ///
    /// let original = "ﬁne Straße";
    /// let n = normalize(original);
    /// assert_eq!(n.as_str(), "fine strasse");
    /// let word = Span::new(5, 12); // "strasse" in the normalised text
    /// assert_eq!(&original[n.to_original(word)], "Straße");
    /// ```
    pub fn to_original(&self, span: Span) -> Span {
        Span::new(self.map_start(span.start), self.map_end(span.end).max(self.map_start(span.start)))
    }

    fn map_start(&self, n: usize) -> usize {
        let i = self.groups.partition_point(|g| g.norm.end <= n);
        if let Some(g) = self.groups.get(i)
            && g.norm.start <= n
            && g.norm.start < g.norm.end
        {
            return g.orig.start;
        }
        self.shift_after(i, n)
    }

    fn map_end(&self, n: usize) -> usize {
        let i = self.groups.partition_point(|g| g.norm.end < n);
        if let Some(g) = self.groups.get(i)
            && g.norm.start < n
        {
            return g.orig.end;
        }
        self.shift_after(i, n)
    }

    /// Offset `n` mapped with the delta in force after group `i - 1`.
    pub(super) fn shift_after(&self, i: usize, n: usize) -> usize {
        match i.checked_sub(1).and_then(|j| self.groups.get(j)) {
            Some(g) => n - g.norm.end + g.orig.end,
            None => n,
        }
    }
}

/// Folds `text` for matching and keeps the way back to its bytes.
///
/// Applies, per character (with its combining marks): Unicode NFKC
/// (compatibility forms such as ligatures, full-width letters and
/// superscripts become plain letters), then case folding (lowercase, plus
/// `ß` → `ss` and final sigma → `σ`), then one form for quotes (`‘ ’ ‚ ‛ ′ ʼ`
/// → `'`, `“ ” „ ‟ ″ « »` → `"`), dashes (`‐ ‑ ‒ – — ― −` and the small and
/// full-width hyphen-minus → `-`) and white space (every Unicode space,
/// tab, and the byte-order mark → one ASCII space; line feeds stay). ASCII
/// text takes a fast path that only lowercases.
///
/// ```
/// let n = neardup::text::normalize("NATO’s “Role”");
/// assert_eq!(n.as_str(), "nato's \"role\"");
/// ```
pub fn normalize(text: &str) -> Normalized {
    normalize_with(text, &mut None)
}

/// [`normalize`] with the memo of folded characters in `cache` (made on
/// the first non-ASCII character, then kept): a caller normalising many
/// short texts, as the words of a text, makes it once for all.
pub(super) fn normalize_with(text: &str, cache: &mut Option<Box<FoldCache>>) -> Normalized {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 8);
    let mut groups = Vec::new();
    let mut scratch = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 && !mark_at(text, i + 1, cache.as_deref()) {
            let start = i;
            i = ascii_run_end(bytes, i);
            // An ASCII letter followed by combining marks is normalised
            // together with them (e + U+0301 = é).
            if i < bytes.len() && mark_at(text, i, cache.as_deref()) {
                i -= 1;
            }
            let folded = out.len();
            out.extend_from_slice(&bytes[start..i]);
            for b in &mut out[folded..] {
                *b = fold_ascii(*b);
            }
            continue;
        }
        // One non-ASCII character and the combining marks that follow it.
        let start = i;
        let cache = cache.get_or_insert_with(|| Box::new(FoldCache::new()));
        let (first, end, single) = cluster_at(text, start, cache);
        i = end;
        let norm_start = out.len();
        let same_shape = if single {
            let folded = cache.fold_char(first, &mut scratch);
            out.extend_from_slice(folded.bytes);
            folded.same_shape
        } else {
            scratch.clear();
            fold_cluster(&text[start..i], &mut scratch);
            out.extend_from_slice(scratch.as_bytes());
            false
        };
        if !same_shape {
            groups.push(Remap { norm: Span::new(norm_start, out.len()), orig: Span::new(start, i) });
        }
    }
    // Every byte pushed is either ASCII or a complete UTF-8 encoding taken
    // from a `String`, so this cannot fail.
    let text = String::from_utf8(out).expect("normalize only pushes whole UTF-8 characters");
    Normalized { text, groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_map_round_trips() {
        let text = "a “ﬁ” ß ＡＢ x";
        let n = normalize(text);
        assert_eq!(n.as_str(), "a \"fi\" ss ab x");
        assert_eq!(n.to_original(Span::new(0, 1)), Span::new(0, 1));
        assert_eq!(&text[n.to_original(Span::new(3, 5))], "ﬁ");
        assert_eq!(&text[n.to_original(Span::new(3, 4))], "ﬁ");
        assert_eq!(&text[n.to_original(Span::new(7, 9))], "ß");
        assert_eq!(&text[n.to_original(Span::new(10, 12))], "ＡＢ");
        assert_eq!(&text[n.to_original(Span::new(13, 14))], "x");
    }
}
