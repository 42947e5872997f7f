//! The parameter advisor against reality: the S-curve and the error rates
//! against a simulation (pairs of sets of known Jaccard similarity, MinHash
//! signatures with different seeds, band collisions counted), the
//! changed-words table against the real shingler, and the memory figures
//! against the heap an [`Index`](neardup::Index) really allocates.
//!
//! The simulation is deterministic (fixed seeds), so these tests cannot be
//! flaky; the tolerances are 4.5 standard deviations of the sampling error,
//! so a wrong formula (bands and rows swapped, an off-by-one in the
//! exponent, a rate normalised by the wrong width) fails them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use neardup::advisor::{self, Advice};
use neardup::fingerprint::{MinHasher, shingles};
use neardup::lsh::band_keys;
use neardup::lsh::{MERGE_AFTER_ENTRIES, MERGED_ENTRY_BYTES, PENDING_ENTRY_BYTES};
use neardup::{Config, Detector, LshParams, Unit};

// ---------------------------------------------------------------------------
// Deterministic randomness

use crate::Rng;

// ---------------------------------------------------------------------------
// Simulation

/// Two sets with `shared` common elements and `union` elements in all
/// (Jaccard `shared / union`), fresh random elements each time.
fn pair(rng: &mut Rng, shared: usize, union: usize) -> (Vec<u64>, Vec<u64>) {
    let common: Vec<u64> = (0..shared).map(|_| rng.next()).collect();
    let only = union - shared;
    let (mut a, mut b) = (common.clone(), common);
    a.extend((0..only / 2).map(|_| rng.next()));
    b.extend((0..only - only / 2).map(|_| rng.next()));
    (a, b)
}

/// Whether the two sets collide in at least one band, with a MinHasher of
/// seed `seed`, exactly as the index bands them.
fn collide(lsh: LshParams, seed: u64, a: &[u64], b: &[u64]) -> bool {
    let hasher = MinHasher::new(lsh.bands * lsh.rows, seed);
    let ka = band_keys(&hasher.signature(a.iter().copied()), lsh);
    let kb = band_keys(&hasher.signature(b.iter().copied()), lsh);
    ka.iter().zip(&kb).any(|(x, y)| x == y)
}

/// Fraction of `trials` pairs that collide; `similarity` draws the Jaccard
/// similarity of each pair, realised with a union of 40 to 64 elements.
fn collision_rate(lsh: LshParams, trials: usize, seed: u64, mut similarity: impl FnMut(&mut Rng) -> f64) -> f64 {
    let mut rng = Rng(seed);
    let mut hits = 0;
    for trial in 0..trials {
        let j = similarity(&mut rng);
        let union = 40 + rng.below(25);
        let shared = (j * union as f64).round() as usize;
        let (a, b) = pair(&mut rng, shared, union);
        hits += usize::from(collide(lsh, seed ^ (trial as u64).wrapping_mul(0x2545_F491_4F6C_DD1D), &a, &b));
    }
    hits as f64 / trials as f64
}

/// Asserts `observed` is within 4.5 standard deviations of a binomial
/// proportion `expected` over `n` trials (plus `slack` for discretisation).
fn assert_close(what: &str, observed: f64, expected: f64, n: usize, slack: f64) {
    let variance = (expected * (1.0 - expected)).max(1.0 / n as f64) / n as f64;
    let tolerance = 4.5 * variance.sqrt() + slack;
    eprintln!("{what}: simulated {observed:.4}, advisor {expected:.4}, tolerance {tolerance:.4}");
    assert!(
        (observed - expected).abs() <= tolerance,
        "{what}: simulated {observed:.4}, advisor {expected:.4}, tolerance {tolerance:.4}"
    );
}

const SETTINGS: [(f64, usize); 3] = [(0.5, 128), (0.6, 128), (0.8, 64)];

#[test]
fn s_curve_agrees_with_simulated_band_collisions() {
    const TRIALS: usize = 500;
    // Each point within its own sampling error, and all of them together: the
    // sum of squared z-scores of k points is chi-square with k degrees of
    // freedom (mean k, standard deviation sqrt(2k)), which a small systematic
    // bias at every point would push far out.
    let (mut chi2, mut points) = (0.0, 0usize);
    for (t, n) in SETTINGS {
        let advice = advisor::advise(t, n).unwrap();
        // Every point of the table where the curve is neither flat at 0 nor
        // at 1 (the threshold among them).
        for point in advice.curve.iter().filter(|p| (0.003..=0.997).contains(&p.probability)) {
            // Exact similarity: shared / union with union 40 (a multiple of 20).
            let mut rng = Rng(point.similarity.to_bits() ^ n as u64);
            let shared = (point.similarity * 40.0).round() as usize;
            assert_eq!(shared as f64 / 40.0, point.similarity);
            let mut hits = 0;
            for trial in 0..TRIALS {
                let (a, b) = pair(&mut rng, shared, 40);
                hits += usize::from(collide(advice.lsh, trial as u64 * 7919 + n as u64, &a, &b));
            }
            let observed = hits as f64 / TRIALS as f64;
            let what = format!("P({}) for t = {t}, {n} hashes", point.similarity);
            assert_close(&what, observed, point.probability, TRIALS, 0.0);
            let p = point.probability;
            chi2 += (observed - p).powi(2) / (p * (1.0 - p) / TRIALS as f64);
            points += 1;
        }
    }
    let k = points as f64;
    eprintln!("chi-square {chi2:.1} over {points} points");
    assert!(points >= 25, "{points} points");
    assert!(chi2 < k + 5.0 * (2.0 * k).sqrt(), "chi-square {chi2:.1} over {points} points");
}

#[test]
fn error_rates_agree_with_simulated_pairs_around_the_threshold() {
    // Fewer hash values than the S-curve test (so more trials in the same
    // time): enough trials that normalising a rate by the wrong width (the
    // raw area) would fail.
    const TRIALS: usize = 4000;
    for (t, n) in [(0.5, 32), (0.6, 64), (0.8, 32)] {
        let advice = advisor::advise(t, n).unwrap();
        let lsh = advice.lsh;
        // Below the threshold: J uniform on [0, t).
        let fp = collision_rate(lsh, TRIALS, 1 + n as u64, |r| t * r.unit());
        // Rounding J to a union of 40-64 elements moves it by at most 0.0125,
        // as often up as down: a bias far below the sampling error.
        assert_close(&format!("false positives, t = {t}"), fp, advice.false_positive_rate, TRIALS, 0.002);
        // At or above it: J uniform on [t, 1].
        let missed = 1.0 - collision_rate(lsh, TRIALS, 2 + n as u64, |r| t + (1.0 - t) * r.unit());
        assert_close(&format!("false negatives, t = {t}"), missed, advice.false_negative_rate, TRIALS, 0.002);
        // Exactly at it: the S-curve test checks P(t), and 1 − P(t) is
        // checked below.
    }
}

#[test]
fn rates_are_the_normalised_areas_and_the_curve_is_p() {
    for (t, n) in SETTINGS {
        let a = advisor::advise(t, n).unwrap();
        assert_eq!(a.lsh, LshParams::for_threshold(t, n));
        assert!((a.false_positive_rate - a.lsh.false_positive_area(t) / t).abs() < 1e-12);
        assert!((a.false_negative_rate - a.lsh.false_negative_area(t) / (1.0 - t)).abs() < 1e-12);
        assert!((a.miss_at_threshold - (1.0 - a.lsh.probability(t))).abs() < 1e-12);
        for p in &a.curve {
            let (b, r) = (a.lsh.bands as i32, a.lsh.rows as i32);
            assert!((p.probability - (1.0 - (1.0 - p.similarity.powi(r)).powi(b))).abs() < 1e-12);
        }
        assert_eq!(a.memory.merged_bytes_per_unit, MERGED_ENTRY_BYTES * a.lsh.bands);
    }
}

#[test]
fn config_errors_are_the_detectors() {
    for (t, n) in [(0.0, 128), (1.5, 128), (f64::NAN, 128), (0.5, 0), (0.5, neardup::MAX_NUM_HASHES + 1)] {
        let mut config = Config::default();
        config.threshold = t;
        config.num_hashes = n;
        let err = advisor::advise(t, n).unwrap_err();
        assert_eq!(Some(err), Detector::new(config).err(), "t = {t}, n = {n}");
    }
    let mut config = Config::default();
    config.bands_rows = Some((20, 7));
    assert!(advisor::advise_config(&config).is_err(), "20 × 7 > 128");
    config.bands_rows = Some((16, 8));
    let a = advisor::advise_config(&config).unwrap();
    assert_eq!(a.lsh, LshParams { bands: 16, rows: 8 });
    assert_eq!(a.used_hashes(), 128);
}

// ---------------------------------------------------------------------------
// Changed words against the real shingler

#[test]
fn changed_words_match_the_shingle_jaccard_of_real_sentences() {
    let advice: Advice = advisor::advise(0.5, 128).unwrap();
    let k = advice.shingle_size;
    for e in &advice.edits {
        let words: Vec<String> = (0..e.words).map(|i| format!("word{i}")).collect();
        let original = words.join(" ");
        // The c-th change at word k − 1 + c·k: away from the edges and k words
        // apart, so that each one removes k shingles of its own.
        let position = |c: usize| k - 1 + c * k;
        let fits = |changes: usize| changes == 0 || position(changes - 1) + k <= e.words;
        let jaccard = |changes: usize| {
            let mut changed = words.clone();
            for c in 0..changes {
                changed[position(c)] = format!("other{c}");
            }
            let a = neardup::text::analyze(&original, 0);
            let b = neardup::text::analyze(&changed.join(" "), 0);
            neardup::score::similarity(&shingles(&a.tokens, k, 0), &shingles(&b.tokens, k, 0)).jaccard
        };
        assert!(fits(e.changed_words), "{} words: no room for {} changes", e.words, e.changed_words);
        let at = jaccard(e.changed_words);
        assert!((at - e.similarity).abs() < 1e-12, "{} words: real {at}, advisor {}", e.words, e.similarity);
        assert!(at >= advice.threshold);
        assert!((e.probability - advice.lsh.probability(at)).abs() < 1e-12);
        if fits(e.changed_words + 1) {
            assert!(jaccard(e.changed_words + 1) < advice.threshold, "{} words: one more change passes", e.words);
        }
    }
    // The table covers units short and long.
    assert_eq!(advice.edits.iter().map(|e| e.words).collect::<Vec<_>>(), advisor::EDIT_UNIT_WORDS);
    assert!(advice.edits.windows(2).all(|w| w[0].changed_words <= w[1].changed_words));
}

// ---------------------------------------------------------------------------
// Memory against the heap

/// Counts the bytes this thread has allocated and not freed, so that a test
/// can measure what an index really holds while other tests run on other
/// threads. (Requested layout sizes: allocator overhead is not counted.)
struct CountingAllocator;

thread_local! {
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: no panic while the thread is being torn down.
    let _ = LIVE_BYTES.try_with(|live| live.set(live.get() + delta));
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a
// thread-local counter (const-initialised, no destructor, no allocation) is
// updated on the side.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live_bytes() -> isize {
    LIVE_BYTES.with(Cell::get)
}

/// Heap bytes an index of `text` holds with `bands` bands of one row.
fn index_heap(text: &str, bands: usize) -> (isize, usize) {
    let detector = Detector::builder()
        .num_hashes(8)
        .bands_rows(bands, 1)
        .shingle_size(3)
        .min_words(3)
        .unit(Unit::Window { size: 3 })
        .similar_units(true)
        .build()
        .unwrap();
    let units = detector.units(&detector.analyze(text)).len();
    let before = live_bytes();
    let mut index = detector.index();
    index.insert(1, text).unwrap();
    let held = live_bytes() - before;
    drop(index);
    (held, units)
}

/// Heap bytes per band entry: the difference between 8 bands and 1, over
/// the 7 extra entries of each unit. Everything else (text, statistics) is
/// the same in both indexes and cancels out.
fn bytes_per_entry(words: usize) -> (f64, usize) {
    let mut rng = Rng(words as u64);
    let text: Vec<String> = (0..words).map(|_| format!("w{:x}", rng.next() >> 20)).collect();
    let text = text.join(" ");
    let (one, units) = index_heap(&text, 1);
    let (eight, _) = index_heap(&text, 8);
    ((eight - one) as f64 / (7 * units) as f64, units)
}

#[test]
fn memory_per_unit_matches_the_heap_of_a_real_index() {
    // Windows of 3 words, one per word: `units` units from as many words.
    // A small index: every entry waits in the hash maps.
    for words in [3_000, 20_000] {
        let (per_entry, units) = bytes_per_entry(words);
        assert!(units < MERGE_AFTER_ENTRIES);
        let ratio = per_entry / PENDING_ENTRY_BYTES as f64;
        assert!((0.75..=1.3).contains(&ratio), "{units} units: {per_entry:.1} bytes per pending entry");
    }
    // Past the first merge: 65,537 entries merged, the rest pending.
    let (per_entry, units) = bytes_per_entry(MERGE_AFTER_ENTRIES + 4_000);
    let pending = (units - MERGE_AFTER_ENTRIES - 1) as f64 / units as f64;
    let expected = (1.0 - pending) * MERGED_ENTRY_BYTES as f64 + pending * PENDING_ENTRY_BYTES as f64;
    assert!(
        (per_entry - expected).abs() < 0.15 * expected,
        "{units} units: {per_entry:.1} bytes per entry, expected about {expected:.1}"
    );
    // And the advisor's bound for an index of this size holds.
    let memory = advisor::IndexMemory::for_bands(7);
    assert!(per_entry * 7.0 * units as f64 <= memory.table_bytes(units) as f64);
}
