//! JSON output helpers shared by the examples (no serde needed).

/// A JSON string literal: quotes, backslashes and control characters are
/// escaped; everything else is written as UTF-8.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number: the shortest decimal that reads back as `x` (JSON has no
/// NaN or infinity; scores are always finite, `null` is a safety net).
pub fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { "null".to_owned() }
}
