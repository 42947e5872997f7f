//! The hand-written SVG plot of an [`Advice`].

use std::fmt::Write;

use super::Advice;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 60.0;
/// Samples of the curve.
const SAMPLES: usize = 200;

fn x(j: f64) -> f64 {
    LEFT + j * (WIDTH - LEFT - RIGHT)
}

fn y(p: f64) -> f64 {
    TOP + (1.0 - p) * (HEIGHT - TOP - BOTTOM)
}

fn point(out: &mut String, j: f64, p: f64) {
    let _ = write!(out, "{:.2},{:.2} ", x(j), y(p));
}

pub(super) fn plot(a: &Advice) -> String {
    let t = a.threshold;
    let lsh = a.lsh;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">LSH S-curve: {} bands × {} rows ({} of {} hash values)</text>"#,
        lsh.bands,
        lsh.rows,
        a.used_hashes(),
        a.num_hashes
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="44" fill="#444">threshold {t}: false positives {:.2}%, false negatives {:.2}%, miss at threshold {:.1}%</text>"##,
        100.0 * a.false_positive_rate,
        100.0 * a.false_negative_rate,
        100.0 * a.miss_at_threshold
    );
    // Grid and tick labels.
    for i in 0..=10 {
        let v = i as f64 / 10.0;
        let (gx, gy) = (x(v), y(v));
        let _ = writeln!(
            s,
            r##"<line x1="{gx:.2}" y1="{:.2}" x2="{gx:.2}" y2="{:.2}" stroke="#e4e4e4"/><line x1="{:.2}" y1="{gy:.2}" x2="{:.2}" y2="{gy:.2}" stroke="#e4e4e4"/>"##,
            y(0.0),
            y(1.0),
            x(0.0),
            x(1.0)
        );
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                r#"<text x="{gx:.2}" y="{:.2}" text-anchor="middle">{v:.1}</text><text x="{:.2}" y="{:.2}" text-anchor="end">{v:.1}</text>"#,
                y(0.0) + 18.0,
                x(0.0) - 8.0,
                gy + 4.0
            );
        }
    }
    // False-positive area: under the curve left of the threshold;
    // false-negative area: above the curve right of it.
    let pt = lsh.probability(t);
    let (mut fp, mut fneg, mut curve) = (String::new(), String::new(), String::new());
    point(&mut fp, 0.0, 0.0);
    point(&mut fneg, t, pt);
    for i in 0..=SAMPLES {
        let j = i as f64 / SAMPLES as f64;
        let p = lsh.probability(j);
        point(&mut curve, j, p);
        point(if j < t { &mut fp } else { &mut fneg }, j, p);
    }
    point(&mut fp, t, pt);
    point(&mut fp, t, 0.0);
    point(&mut fneg, 1.0, 1.0);
    point(&mut fneg, t, 1.0);
    let _ = writeln!(s, r##"<polygon points="{}" fill="#d62728" fill-opacity="0.25"/>"##, fp.trim_end());
    let _ = writeln!(s, r##"<polygon points="{}" fill="#1f77b4" fill-opacity="0.25"/>"##, fneg.trim_end());
    // Axes.
    let _ = writeln!(
        s,
        r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="#333"/>"##,
        x(0.0),
        y(1.0),
        x(1.0) - x(0.0),
        y(0.0) - y(1.0)
    );
    // The curve and the threshold.
    let _ = writeln!(s, r##"<polyline points="{}" fill="none" stroke="#111" stroke-width="2.5"/>"##, curve.trim_end());
    let _ = writeln!(
        s,
        r##"<line x1="{0:.2}" y1="{1:.2}" x2="{0:.2}" y2="{2:.2}" stroke="#555" stroke-dasharray="6 4"/>"##,
        x(t),
        y(0.0),
        y(1.0)
    );
    let anchor = if t > 0.75 { "end" } else { "start" };
    let dx = if t > 0.75 { -6.0 } else { 6.0 };
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="{anchor}">threshold {t}</text>"#,
        x(t) + dx,
        y(1.0) + 16.0
    );
    let (hx, hy) = (x(a.half_similarity), y(0.5));
    let _ = writeln!(s, r##"<circle cx="{hx:.2}" cy="{hy:.2}" r="4" fill="#111"/>"##);
    let _ =
        writeln!(s, r#"<text x="{:.2}" y="{:.2}">P = 1/2 at J = {:.3}</text>"#, hx + 8.0, hy + 16.0, a.half_similarity);
    // Legend and axis titles.
    let ly = y(1.0) + 40.0;
    let _ = writeln!(
        s,
        r##"<rect x="{:.2}" y="{ly:.2}" width="14" height="14" fill="#d62728" fill-opacity="0.25"/><text x="{:.2}" y="{:.2}">false positives (checked, then rejected)</text>"##,
        x(0.0) + 12.0,
        x(0.0) + 32.0,
        ly + 12.0
    );
    let _ = writeln!(
        s,
        r##"<rect x="{:.2}" y="{:.2}" width="14" height="14" fill="#1f77b4" fill-opacity="0.25"/><text x="{:.2}" y="{:.2}">false negatives (missed)</text>"##,
        x(0.0) + 12.0,
        ly + 22.0,
        x(0.0) + 32.0,
        ly + 34.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">Jaccard similarity J of two units</text>"#,
        (x(0.0) + x(1.0)) / 2.0,
        HEIGHT - 16.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(20 {:.2}) rotate(-90)" text-anchor="middle">P(J): probability of becoming candidates</text>"#,
        (y(0.0) + y(1.0)) / 2.0
    );
    s.push_str("</svg>\n");
    s
}
