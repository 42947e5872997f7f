//! Find near-duplicate articles and the exact passages one reuses from
//! another.
//!
//! neardup compares news articles (or any prose) and reports every passage
//! they share — a quote reprinted word for word, a rewritten lead, one
//! sentence lifted into a paragraph of its own — with byte offsets into both
//! original texts and a score. It scales from two texts to a corpus through
//! an LSH index.
//!
//! # Overview
//!
//! * [`Detector`] — the validated configuration and the whole pipeline:
//!   [`Detector::compare`] for two texts, [`Detector::index`] for a corpus.
//! * [`Report`] and [`Passage`] — what two texts share: spans in both,
//!   similarity, containment, shared words, coverage.
//! * [`Index`] — a corpus of articles by id: insert, remove, query; every
//!   pair sharing passages ([`Index::pairs`]), near-duplicate groups
//!   ([`Index::near_duplicate_groups`]), boilerplate recognised by how often
//!   a sentence recurs, save and load ([`Index::save`], [`Index::load`]).
//! * [`Span`] — a half-open byte range into the caller's original text.
//! * [`Config`] / [`DetectorBuilder`] — every knob with its default.
//! * [`Detector::document_signature`] — a whole text's MinHash signature in
//!   one streaming pass (one-permutation hashing), for the classic
//!   document-level "MinHash + LSH" task at a few hundred MB/s per core.
//!
//! The pipeline stages are modules, in the order data flows: [`text`]
//! (normalisation, words, sentences, paragraphs), [`fingerprint`] (shingles,
//! MinHash), [`lsh`] (banding and its parameters), [`score`] (verification
//! and alignment); [`Detector`] runs them, [`group`] groups verified edges,
//! and [`corpus`] holds the [`Index`] (with its file format). Each works on
//! plain records and can be called on its own.

//! # Example: two texts
//!
//! ```
//! use neardup::Detector;
//!
//! let a = "Officials met on Monday. Hajiyev added that Azerbaijan will continue \
//!          to make its contribution to the political dialogue between NATO and Russia.";
//! let b = "Hajiyev added that Azerbaijan will continue to make its contribution to \
//!          the political dialogue between NATO and Russia. Talks go on.";
//! let detector = Detector::builder().build()?;
//! let report = detector.compare(a, b);
//! assert_eq!(report.passages.len(), 1);
//! let p = &report.passages[0];
//! assert!(a[p.a].starts_with("Hajiyev added"));
//! // Verbatim here; a passage that bridges a changed word reads
//! // differently on each side (`matched_words` counts the matched ones).
//! assert_eq!(&a[p.a], &b[p.b]);
//! assert_eq!(p.matched_words, 18);
//! # Ok::<(), neardup::Error>(())
//! ```
//!
//! # Example: a corpus
//!
//! ```
//! use neardup::Detector;
//!
//! let detector = Detector::builder().build()?;
//! let mut index = detector.index();
//! index.insert(1, "Speaking at the conference, the minister said that the country \
//!                  has been supporting peacekeeping operations since 2002.")?;
//! index.insert(2, "Stocks rallied in late trading as investors cheered earnings.")?;
//! let result = index.query("Talks went on. Speaking at the conference, the minister said that \
//!                          the country has been supporting peacekeeping operations since 2002.");
//! assert_eq!(result.matches.len(), 1);
//! assert_eq!(result.matches[0].id, 1);
//! # Ok::<(), neardup::Error>(())
//! ```
//!
//! # Offsets
//!
//! Every [`Span`] is a byte range into the text the caller passed, on
//! `char` boundaries, so `&text[span]` is always the passage.
//! Normalisation (NFKC, case folding, quotes, dashes, white space) is
//! applied as words are read ([`text::for_each_word`]), each word keeping
//! the span of the original characters it came from; [`text::normalize`]
//! gives the normalised copy with its map back to the original bytes.
//!
//! # Determinism
//!
//! All hashing is fixed and documented (word, shingle and MinHash mixes
//! seeded from the configured seed; no `std` hasher, no random number
//! generator, no CPU-dependent code path): the same input and
//! configuration give the same output on every machine, in every run, on
//! any number of threads. Results never expose hash-map order; the `par_*`
//! methods return exactly what their sequential twins return.
//!
//! # Safety
//!
//! The crate denies `unsafe` code except in one private module,
//! `fingerprint::minhash::dispatch`, which calls the AVX2 or AVX-512 build
//! of the MinHash kernel after `is_x86_feature_detected!` has confirmed the CPU
//! supports it (a test checks that every variant gives the same values).
//!
//! # Fallibility
//!
//! Errors come from configuration ([`Error::InvalidConfig`], checked once
//! when the detector is built), from bytes that are not text
//! ([`text::decode`]; [`text::read_file`] also refuses a file past a size
//! bound, naming it in [`Error::File`]), from index misuse ([`Error::DuplicateId`],
//! [`Error::InvalidArgument`]) and from index files ([`Error::Io`],
//! [`Error::CorruptIndex`], [`Error::IndexVersion`]: a damaged file is an
//! error, never a partial index). Comparing and querying never fail and
//! never panic on any `&str`: empty or very short text simply shares
//! nothing.
//!
//! # Limits
//!
//! * Text size: no limit of its own (spans are `usize`); analysing costs
//!   about 24 bytes per word, comparing
//!   about 80 bytes per word (a 20 MB single line of 3 million words
//!   analyses in half a second with a 113 MB peak).
//! * Words per passage: none.
//! * Alignment tries at most [`score::MAX_SEED_OCCURRENCES`] occurrences of
//!   a shingle per position, so it stays linear on repetitive text (one word
//!   repeated a million times); offsets stay exact.
//! * A query examines at most [`Config::max_bucket`] entries per LSH bucket
//!   and counts what it cut ([`QueryResult::saturated_buckets`],
//!   [`QueryResult::skipped_entries`]); all pairs count it in
//!   [`Pairs::saturation`]. Exact duplicates take no entries
//!   ([`Index::exact_duplicates`]), so no number of copies is cut.
//! * [`Index::par_pairs`] holds a bounded batch of articles and reports at
//!   a time, whatever the number of candidates.
//! * An [`Index`] takes 2³² − 1 insertions; past that, inserting fails with
//!   [`Error::InvalidArgument`].
//!
//! `DESIGN.md` ("Limits") has the full table, with measurements.
//!
//! # Crate features
//!
//! * `rayon` (default) — the `par_*` methods, which run on the caller's
//!   current rayon pool.
//! * `serde` — `Serialize`/`Deserialize` for [`Config`], [`Report`],
//!   [`Passage`], [`Span`], the [`corpus`] results, [`ArticleKeys`] and
//!   [`advisor::Advice`]. In
//!   JSON every struct is an object keyed by its field names; spans and token
//!   ranges are `{"start": s, "end": e}` (bytes and token indices); [`Unit`] is
//!   `"Sentence"`, `"Paragraph"` or `{"Window": {"size": n}}`; `bands_rows` is
//!   `null` or `[bands, rows]`. `tests/integration/serde.rs` pins the shape.
//!   A `Config` field missing from the input takes its default (a
//!   configuration file names only what it changes); every field of the
//!   other types is required; unknown fields are ignored. A deserialised
//!   `Config` is checked when a `Detector` is built from it. For bit-exact scores through JSON, enable
//!   `serde_json`'s `float_roundtrip` feature.

#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![deny(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

// Modules in the order data flows (each imports only modules above it;
// one per group, or rustfmt would sort them by name).
// Leaves: errors and byte spans.
mod error;
mod span;
// Text → words, sentences, paragraphs.
pub mod text;
// Words → shingles, signatures, segment keys.
pub mod fingerprint;
// Signatures → band keys; the band tables.
pub mod lsh;
// Candidate pairs → verified, aligned passages.
pub mod score;
// Every knob, validated.
mod config;
// The facade that runs the stages.
mod detector;
// Verified edges → near-duplicate groups.
pub mod group;
// The corpus index built on all of the above.
pub mod corpus;
// Parameter advice from the LSH curve and the index's memory model.
pub mod advisor;

pub use crate::config::{Config, Unit};
pub use crate::corpus::{Index, Match, Memory, Pair, Pairs, QueryResult, Saturation};
pub use crate::detector::{ArticleKeys, Cue, Detector, DetectorBuilder, Prepared};
pub use crate::error::{Error, Result};
pub use crate::fingerprint::MAX_NUM_HASHES;
pub use crate::group::Group;
pub use crate::lsh::LshParams;
pub use crate::score::{Passage, PassageKind, Report};
pub use crate::span::Span;

#[cfg(test)]
mod testoibits {
    use super::*;

    fn assert_all<T: Send + Sync + Unpin + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}

    #[test]
    fn public_types_are_send_sync_unwind_safe() {
        assert_all::<Detector>();
        assert_all::<DetectorBuilder>();
        assert_all::<Index>();
        assert_all::<Report>();
        assert_all::<Passage>();
        assert_all::<Error>();
        assert_all::<Config>();
        assert_all::<Span>();
        assert_all::<Saturation>();
        assert_all::<QueryResult>();
        assert_all::<Group>();
        assert_all::<ArticleKeys>();
        assert_all::<Prepared>();
        assert_all::<corpus::ContextCounts>();
        // An iterator over pairs can move to another thread.
        fn assert_send<T: Send>() {}
        assert_send::<Pairs<'static>>();
    }
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
