"""Detector.compare: the seed pair gives the passages the Rust test
tests/integration/seeds.rs asserts, in character offsets and in byte offsets;
non-ASCII text, empty text, symmetry."""

import neardup
import pytest

# The starts of 000's eight conference paragraphs, which 001 has too.
CONFERENCE_000 = [
    "Speaking at the Baku-based international conference",
    "At the same conference, Azerbaijani presidential aide",
    "He also expressed Azerbaijan",
    "\u201cWe want further expansion",
    "Hajiyev noted that apart from political dialogue",
    "Hajiyev added that Azerbaijan will continue",
    "Meanwhile, Security and Development Policy Institute",
    "\u201cAzerbaijan is one of the most important countries",
]


@pytest.fixture(scope="module")
def seed_report(seed_pair):
    a, b = seed_pair
    return a, b, neardup.Detector().compare(a, b)


def spans(report, unit):
    """The passages as ((a_start, a_end), (b_start, b_end)) in characters or bytes."""
    if unit == "chars":
        return [((p.a_start, p.a_end), (p.b_start, p.b_end)) for p in report.passages]
    return [(p.a_bytes, p.b_bytes) for p in report.passages]


def texts(a, b, unit):
    return (a, b) if unit == "chars" else (a.encode(), b.encode())


def lit(s, unit):
    return s if unit == "chars" else s.encode()


def paragraph(text, start):
    begin = text.find(start)
    assert begin >= 0, f"paragraph {start!r} not in text"
    end = text.find(lit("\n\n", "chars" if isinstance(text, str) else "bytes"), begin)
    return begin, (len(text) if end < 0 else end)


def overlaps(x, y):
    return x[0] < y[1] and y[0] < x[1]


def contains(outer, inner):
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def uncovered_words(text, target, covered):
    """Word characters of text[target] that no span covers."""
    missing = []
    for i in range(target[0], target[1]):
        ch = text[i : i + 1]
        if isinstance(ch, bytes):
            # A byte of a word: ASCII letters and digits, and every non-ASCII byte.
            if not (ch.isalnum() or ch[0] >= 0x80):
                continue
        elif not ch.isalnum():
            continue
        if not any(s[0] <= i < s[1] for s in covered):
            missing.append(ch)
    return missing


UNITS = ["chars", "bytes"]


@pytest.mark.parametrize("unit", UNITS)
def test_conference_paragraphs_are_reused_in_order_around_the_extra_quote(seed_report, unit):
    a, b, report = seed_report
    ta, tb = texts(a, b, unit)
    ps = spans(report, unit)
    for start in CONFERENCE_000:
        para = paragraph(ta, lit(start, unit))
        assert uncovered_words(ta, para, [p[0] for p in ps]) == [], start
    extra = paragraph(tb, lit("\"Latvia, being a NATO member", unit))
    assert not any(overlaps(p[1], extra) for p in ps)
    first = paragraph(ta, lit(CONFERENCE_000[0], unit))[0]
    conf = [p for p in ps if p[0][1] > first]
    assert len(conf) >= 2, "the extra quote splits the conference in two passages"
    for x, y in zip(conf, conf[1:]):
        assert x[0][1] <= y[0][0] and x[1][1] <= y[1][0], "order differs"
    (a0, a1), (b0, b1) = conf[-1]
    assert ta[a0:a1].endswith(lit("in the region,\u201d he said.", unit)) or ta[a0:a1].endswith(
        lit('in the region," he said.', unit)
    )
    assert ta[a0:a1] == tb[b0:b1]


@pytest.mark.parametrize("unit", UNITS)
def test_quoted_sentence_is_found_inside_the_longer_paragraph(seed_report, unit):
    a, b, report = seed_report
    ta, tb = texts(a, b, unit)
    sentence_a = paragraph(ta, lit("Bergmanis noted that Latvia", unit))
    host_b = paragraph(tb, lit("Bergmanis stressed that relations", unit))
    sentence_b_start = tb.find(lit("He noted that Latvia", unit))
    found = [p for p in spans(report, unit) if contains(p[0], sentence_a)]
    assert found, "no passage covers 000's sentence"
    (_, _), (b0, b1) = found[0]
    assert contains(host_b, (b0, host_b[1]))
    assert b0 == sentence_b_start, "B span starts at the quoted sentence, not the paragraph"
    assert lit("Bergmanis stressed", unit) not in tb[b0:b1]
    assert tb[b0:b1].startswith(
        lit(
            "He noted that Latvia is Azerbaijan's important partner in the European security "
            "organizations, especially NATO.",
            unit,
        )
    ) or tb[b0:b1].startswith(
        lit(
            "He noted that Latvia is Azerbaijan\u2019s important partner in the European security "
            "organizations, especially NATO.",
            unit,
        )
    )


@pytest.mark.parametrize("unit", UNITS)
def test_rewritten_lead_is_partially_reused(seed_report, unit):
    a, b, report = seed_report
    ta, tb = texts(a, b, unit)
    earlier = paragraph(ta, lit("Earlier, Hasanov discussed the state", unit))
    lead = paragraph(tb, lit("Azerbaijani Defence Minister Zakir Hasanov and member", unit))
    parts = [p for p in spans(report, unit) if contains(earlier, p[0])]
    assert parts
    for _, pb in parts:
        assert contains(lead, pb)
    got = [ta[pa[0] : pa[1]] for pa, _ in parts]
    assert any(
        lit("member of the Latvian delegation to the NATO Parliamentary Assembly Raimonds Bergmanis", unit) in t
        for t in got
    )
    assert any(lit("discussed the state of bilateral cooperation within NATO", unit) in t for t in got)
    assert all(pa != earlier for pa, _ in parts)


@pytest.mark.parametrize("unit", UNITS)
def test_unrelated_paragraphs_and_the_byline_are_not_reported(seed_report, unit):
    a, b, report = seed_report
    ta, tb = texts(a, b, unit)
    tokel = (
        paragraph(ta, lit("Chief of Staff of NATO Allied Land Command", unit))[0],
        paragraph(ta, lit("During the meeting, the sides also exchanged views", unit))[1],
    )
    meeting_b = paragraph(tb, lit("At the meeting held on June 17", unit))
    by = lit("By Vafa Ismayilova", unit)
    byline_a = (ta.find(by), ta.find(by) + len(by))
    byline_b = (tb.find(by), tb.find(by) + len(by))
    for pa, pb in spans(report, unit):
        assert not overlaps(pa, tokel)
        assert not overlaps(pb, meeting_b)
        assert not overlaps(pa, byline_a) and not overlaps(pb, byline_b)


def test_every_passage_slices_both_originals_and_scores_are_sane(seed_report):
    a, b, report = seed_report
    assert [p.kind for p in report.passages] == ["exact", "exact", "edited", "exact"]
    ab, bb = a.encode(), b.encode()
    for p in report.passages:
        # Character and byte offsets are the same passage.
        assert a[p.a_start : p.a_end].encode() == ab[p.a_bytes[0] : p.a_bytes[1]]
        assert b[p.b_start : p.b_end].encode() == bb[p.b_bytes[0] : p.b_bytes[1]]
        assert len(ab[: p.a_bytes[0]].decode()) == p.a_start
        assert len(bb[: p.b_bytes[1]].decode()) == p.b_end
        assert p.matched_words >= 8
        for s in (p.similarity, p.bag_similarity, p.containment_a, p.containment_b):
            assert 0.0 <= s <= 1.0
        assert p.similarity > 0.9
        assert p.score == p.similarity
        assert p.bag_similarity == 0.0  # rewritten passages are off
        assert not p.boilerplate and p.boilerplate_articles == 0
    # The seed texts have curly quotes: character and byte offsets differ.
    assert any(p.a_bytes[1] != p.a_end for p in report.passages)
    assert 0.5 < report.a_coverage < 0.7
    assert 0.6 < report.b_coverage < 0.8
    assert report.a_covered_words <= report.a_words and report.b_covered_words <= report.b_words
    assert report.boilerplate == []


def test_sides_swap_exactly(seed_report):
    a, b, report = seed_report
    swapped = neardup.Detector().compare(b, a)
    assert swapped == report.swapped()
    assert swapped != report
    back = sorted((p.swapped() for p in swapped.passages), key=lambda p: (p.a_bytes, p.b_bytes))
    assert back == report.passages


def test_to_dict_has_every_field(seed_report):
    _, _, report = seed_report
    d = report.to_dict()
    assert len(d["passages"]) == 4 and d["boilerplate"] == []
    p = d["passages"][0]
    first = report.passages[0]
    assert (p["a_start"], p["a_end"], p["a_bytes"], p["matched_words"]) == (
        first.a_start,
        first.a_end,
        first.a_bytes,
        first.matched_words,
    )
    assert set(p) == {
        "a_start", "a_end", "b_start", "b_end", "a_bytes", "b_bytes", "a_tokens", "b_tokens",
        "matched_words", "kind", "similarity", "bag_similarity", "containment_a", "containment_b",
        "boilerplate", "boilerplate_articles",
    }  # fmt: skip
    assert d["a_coverage"] == report.a_coverage


def test_non_ascii_text_gets_character_offsets():
    s = (
        "Die Ministerin traf die lettische Delegation in Baku am Donnerstag, um über die "
        "Zusammenarbeit innerhalb der NATO zu sprechen — naïve Grüße 日本語のテキストも含む."
    )
    a = "Einleitung: Überraschung für alle Beteiligten, ja wirklich. " + s
    b = s + " Ende der Meldung. Ça va?"
    report = neardup.Detector().compare(a, b)
    assert len(report.passages) == 1
    p = report.passages[0]
    assert a[p.a_start : p.a_end] == b[p.b_start : p.b_end]
    assert a[p.a_start : p.a_end].startswith("Die Ministerin")
    assert a[p.a_start : p.a_end].encode() == a.encode()[p.a_bytes[0] : p.a_bytes[1]]
    assert b[p.b_start : p.b_end].encode() == b.encode()[p.b_bytes[0] : p.b_bytes[1]]
    # Offsets differ in characters and bytes on both sides.
    assert p.a_start != p.a_bytes[0] and p.b_end != p.b_bytes[1]


def test_empty_and_short_text_share_nothing():
    d = neardup.Detector()
    for a, b in [("", ""), ("", "some words here"), ("x", "x"), ("Hello world.", "Hello world.")]:
        r = d.compare(a, b)
        assert r.passages == [] and r.boilerplate == []
    r = d.compare("", "")
    assert (r.a_words, r.b_words, r.a_coverage, r.b_coverage) == (0, 0, 0.0, 0.0)


def test_compare_many_is_compare_in_order(seed_pair):
    a, b = seed_pair
    d = neardup.Detector(min_words=8)
    pairs = [(a, b), (b, a), ("", a), (a, a)]
    assert d.compare_many(pairs) == [d.compare(x, y) for x, y in pairs]


def test_bad_text_raises():
    d = neardup.Detector()
    with pytest.raises(TypeError):
        d.compare(b"bytes", "str")
    with pytest.raises(TypeError):
        d.compare(None, "str")
    # A lone surrogate is not text that UTF-8 can hold.
    with pytest.raises(UnicodeEncodeError):
        d.compare("abc \ud800 def", "abc")
    with pytest.raises(TypeError):
        d.compare_many("not a list of pairs")


def test_rewritten_passages_when_asked(seed_report):
    a, b, _ = seed_report
    report = neardup.Detector(rewritten=True).compare(a, b)
    # 001's lead swaps the halves of 000's sentence: one rewritten passage,
    # scored by its bag similarity, with character offsets into the str.
    assert [p.kind for p in report.passages] == ["rewritten", "edited", "exact"]
    lead = report.passages[0]
    assert a[lead.a_start : lead.a_end].startswith("discussed the state of bilateral cooperation")
    assert b[lead.b_start : lead.b_end].startswith("member of the Latvian delegation")
    assert lead.score == lead.bag_similarity > 0.9 > lead.similarity
    assert report == neardup.Detector(rewritten=True).compare(b, a).swapped()
