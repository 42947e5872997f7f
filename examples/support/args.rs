//! Command-line helpers shared by the examples (std only).

use neardup::DetectorBuilder;

/// Sets one of the tuning options every example takes; `Ok(false)` if
/// `name` is not one of them. Ranges are checked later by `build()`.
pub fn set_common_knob(builder: &mut DetectorBuilder, name: &str, value: &str) -> Result<bool, String> {
    match name {
        "--shingle-size" => builder.shingle_size(parse_value(name, value)?),
        "--num-hashes" => builder.num_hashes(parse_value(name, value)?),
        "--threshold" => builder.threshold(parse_value(name, value)?),
        "--min-words" => builder.min_words(parse_value(name, value)?),
        "--max-gap" => builder.max_gap(parse_value(name, value)?),
        "--seed" => builder.seed(parse_value(name, value)?),
        _ => return Ok(false),
    };
    Ok(true)
}

/// Parses an option's value; the error names the option and the value.
pub fn parse_value<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| format!("{name}: invalid value {value:?}: {e}"))
}
