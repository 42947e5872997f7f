//! `Detector::compare` on two arbitrary texts: no panic, every passage span
//! indexes both texts on char boundaries, and `compare(b, a)` is
//! `compare(a, b).swapped()`.
//!
//! Input: three knob bytes (shingle size, minimum words, maximum gap), then
//! text A, a `0xFF` byte, text B (without a `0xFF`, B is A).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (knobs, rest) = match data {
        [k, m, g, rest @ ..] => ([*k, *m, *g], rest),
        _ => ([2, 5, 5], data),
    };
    let detector = neardup_fuzz::detector_of(knobs);
    let (a, b) = neardup_fuzz::two_texts(rest);
    neardup_fuzz::check_compare(&detector, &a, &b);
});
