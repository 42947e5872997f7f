//! Text segmentation and normalisation: every token, sentence and paragraph
//! span is inside the text, on char boundaries, in order, and maps to the
//! right original bytes (see `neardup_fuzz::check_text`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    neardup_fuzz::check_text(&neardup_fuzz::text_of(data));
});
