//! `Index::from_bytes` on arbitrary bytes: an error, never a panic or an
//! abort; an index that loads can be saved, loaded, queried, paired and
//! edited without a panic.
//!
//! The first byte picks the mode: even, the rest is a whole file (header
//! and body); odd, the rest is a body that gets a correct header (length
//! and checksum), so that mutations reach the body parser instead of
//! failing the checksum.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use neardup::Index;

static HEADER: OnceLock<Vec<u8>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let loaded = if mode % 2 == 0 {
        Index::from_bytes(rest)
    } else {
        let header = HEADER.get_or_init(neardup_fuzz::header_template);
        Index::from_bytes(&neardup_fuzz::with_header(header, rest))
    };
    match loaded {
        Ok(index) => neardup_fuzz::exercise(index),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty() && !message.contains('\n'), "error message: {message:?}");
        }
    }
});
