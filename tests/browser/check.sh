#!/usr/bin/env bash
# Renders `compare --html` reports in headless Chromium and checks what the
# page itself computes once loaded with `#selftest` (see
# examples/compare/html.rs): on its <html> element,
#   data-passages  passages highlighted in both articles  = the JSON report's count
#   data-linked    passages whose partner hover, click and Esc mark and unmark
#                  from both sides                       = the same count
#   data-errors    script errors                          = 0
#   data-text      both articles hold exactly the texts   = ok
# and no data-pwned (set by the hostile texts' markup if it ever ran), and no
# uncaught error in Chromium's console log.
#
# Pairs: the seed pair (tests/data) and a hostile pair (tests/browser/hostile-*.txt:
# <script>, event handlers, stray closing tags, entities, quotes).
#
# Writes target/browser/<name>.html, .dom.html, .log and a screenshot .png
# (wide and narrow) for a person to look at; none of it is committed.
#
# Usage: bash tests/browser/check.sh          (from anywhere; needs chromium)
#        CHROMIUM=/path/to/chrome bash tests/browser/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -z "$chromium" ]]; then
    echo "browser check: no chromium found (apt-get install chromium, or set CHROMIUM)" >&2
    exit 1
fi
out=target/browser
mkdir -p "$out"
cargo build --quiet --release --example compare
compare=target/release/examples/compare

# Runs headless Chromium on a file URL with extra arguments; its profile is
# a fresh temporary directory, removed afterwards.
browse() {
    local url=$1 log=$2
    shift 2
    local profile
    profile=$(mktemp -d)
    local status=0
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        "$@" "$url" 2>>"$log" || status=$?
    rm -rf "$profile"
    return "$status"
}

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# check NAME A B: render the report of A and B, check the DOM, take screenshots.
check() {
    local name=$1 a=$2 b=$3
    local page="$out/$name.html" log="$out/$name.log"
    : >"$log"
    "$compare" --html "$page" "$a" "$b" >/dev/null
    # The oracle: the number of passages in the JSON report, whatever its
    # layout (each passage has one "similarity" key; inside a JSON string
    # the quote would be escaped).
    local expected
    expected=$("$compare" --json "$a" "$b" | grep -o '"similarity":' | wc -l)
    local url="file://$PWD/$page"
    browse "$url#selftest" "$log" --dump-dom >"$out/$name.dom.html"
    local root
    root=$(grep -o -m1 '<html[^>]*>' "$out/$name.dom.html" || true)
    attr() { sed -n "s/.* $1=\"\([^\"]*\)\".*/\1/p" <<<"$root"; }
    local passages linked errors text
    passages=$(attr data-passages)
    linked=$(attr data-linked)
    errors=$(attr data-errors)
    text=$(attr data-text)
    echo "$name: expected $expected passages; page: data-passages=$passages data-linked=$linked data-errors=$errors data-text=$text"
    [[ "$expected" -gt 0 ]] || fail "$name: the JSON report has no passage"
    [[ "$passages" == "$expected" ]] || fail "$name: data-passages=$passages, expected $expected"
    [[ "$linked" == "$expected" ]] || fail "$name: data-linked=$linked, expected $expected"
    [[ "$errors" == "0" ]] || fail "$name: data-errors=$errors"
    [[ "$text" == "ok" ]] || fail "$name: data-text=$text"
    if grep -q 'data-pwned' <<<"$root"; then fail "$name: markup from the text ran: $root"; fi
    if grep -E 'Uncaught|SyntaxError|Refused to' "$log"; then fail "$name: errors in the console log ($log)"; fi
    # Screenshots for manual review: the page as opened, then narrow.
    browse "$url#p1" "$log" --hide-scrollbars --window-size=1400,900 --screenshot="$out/$name.png" >/dev/null
    browse "$url" "$log" --hide-scrollbars --window-size=700,1000 --screenshot="$out/$name-narrow.png" >/dev/null
}

check seed tests/data/000_7335d4dbf30efac0.txt tests/data/001_8d763c1f7bf3de18.txt
check hostile tests/browser/hostile-a.txt tests/browser/hostile-b.txt

# The tune example's S-curve plot: well-formed SVG (an XML error renders as a
# <parsererror> page), and a screenshot.
cargo run --quiet --release --example tune -- --threshold 0.6 --hashes 128 --svg "$out/curve.svg" >/dev/null
: >"$out/curve.log"
browse "file://$PWD/$out/curve.svg" "$out/curve.log" --dump-dom >"$out/curve.dom.html"
if grep -q parsererror "$out/curve.dom.html" || ! grep -q '<polyline' "$out/curve.dom.html"; then
    fail "curve.svg does not render as SVG ($out/curve.dom.html)"
else
    echo "curve: the S-curve SVG renders"
fi
browse "file://$PWD/$out/curve.svg" "$out/curve.log" --hide-scrollbars --window-size=660,440 \
    --screenshot="$out/curve.png" >/dev/null

if [[ $failures -gt 0 ]]; then
    echo "browser check: $failures failure(s); see $out/" >&2
    exit 1
fi
echo "browser check: ok (pages and screenshots in $out/)"
