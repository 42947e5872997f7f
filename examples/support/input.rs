//! Reading inputs, shared by the `compare` and `corpus` examples (std and
//! `neardup::text` only).

/// The `--max-bytes` line of `--help`.
pub const MAX_BYTES_HELP: &str = concat!(
    "      --max-bytes N       largest file read, in bytes, with an optional K, M or G suffix\n",
    "                          (x 1024, 1024² or 1024³); a larger one is an error naming it\n",
    "                          (default 64M)",
);

/// Parses a size: digits with an optional `K`, `M` or `G` suffix (powers of
/// 1024, either case); at least 1.
pub fn parse_size(name: &str, value: &str) -> Result<u64, String> {
    let invalid = |why: &str| format!("{name}: invalid value {value:?}: {why}");
    let (digits, shift) = match value.as_bytes().last() {
        Some(b'k' | b'K') => (&value[..value.len() - 1], 10),
        Some(b'm' | b'M') => (&value[..value.len() - 1], 20),
        Some(b'g' | b'G') => (&value[..value.len() - 1], 30),
        _ => (value, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("expected a number of bytes, with an optional K, M or G suffix"));
    }
    let n: u64 = digits.parse().map_err(|_| invalid("too large"))?;
    let bytes = n.checked_mul(1 << shift).ok_or_else(|| invalid("too large"))?;
    if bytes == 0 {
        return Err(invalid("must be at least 1"));
    }
    Ok(bytes)
}

/// The message of an error from `neardup::text::read_file` (which names the
/// file), with the option that raises the bound when the file is too large.
pub fn read_error(e: &neardup::Error) -> String {
    match e {
        neardup::Error::File { error, .. } if matches!(**error, neardup::Error::TooLarge { .. }) => {
            format!("{e}; see --max-bytes")
        }
        _ => e.to_string(),
    }
}
