"""The stages of a distributed job, from Python: Detector.keys() (the map),
plain dict reductions (what a shuffle computes), Detector.verify() (the
verification) reproduce Index.pairs() exactly: pairs, similarities and
passages. This is examples/stages.rs and tests/integration/stages.rs in
Python, and the proof neardup.spark rests on."""

import struct
from collections import defaultdict

import neardup
import pytest
from conftest import docs_corpus, seed_corpus, shortanswer_corpus

KEY_COLUMNS = {
    "units", "duplicate_key",
    "anchor_article", "anchor_hash", "anchor_word",
    "band_article", "band_unit", "band", "band_key",
    "segment_article", "segment_key", "segment_context",
    "bag_article", "bag_sentence", "bag_band", "bag_key",
}  # fmt: skip


def candidates_from_stages(d, articles, shard=None):
    """The input of verify() from the stages alone: ids, the articles
    ``(text, boilerplate)``, the candidate pairs of ids in increasing order,
    and for each ``(i_a, i_b, cues)``. `shard`: keys() is called on shards
    of that many articles (as map tasks would)."""
    ids = [i for i, _ in articles]
    texts = [t for _, t in articles]
    n = len(texts)
    shard = shard or n or 1
    # 1. Map: keys per shard, article indices made global.
    cols = defaultdict(list)
    for start in range(0, n, shard):
        k = d.keys(texts[start : start + shard])
        assert set(k) == KEY_COLUMNS
        for name, values in k.items():
            if name.endswith("_article"):
                values = [start + i for i in values]
            cols[name].extend(values)
    # 2. Reduce: boilerplate (distinct contexts, holding articles per key).
    contexts = defaultdict(set)
    holders = defaultdict(set)
    for art, key, ctx in zip(cols["segment_article"], cols["segment_key"], cols["segment_context"]):
        contexts[key].add(ctx)
        holders[key].add(art)
    bound = d.boilerplate_contexts
    boilerplate = {k: len(holders[k]) for k, c in contexts.items() if bound > 0 and len(c) >= bound}
    # Exact-duplicate classes: the first article (insertion order) takes entries.
    first = {}
    takes = [True] * n
    for i, dk in enumerate(cols["duplicate_key"]):
        if dk is not None and first.setdefault(dk, i) != i:
            takes[i] = False
    # Buckets, in insertion order.
    runs = defaultdict(list)
    for art, h, word in zip(cols["anchor_article"], cols["anchor_hash"], cols["anchor_word"]):
        if takes[art]:
            runs[h].append((art, word))
    buckets = defaultdict(list)
    for art, unit, band, key in zip(cols["band_article"], cols["band_unit"], cols["band"], cols["band_key"]):
        if takes[art]:
            buckets[(band, key)].append((art, unit))
    bags = defaultdict(list)
    for art, sentence, band, key in zip(cols["bag_article"], cols["bag_sentence"], cols["bag_band"], cols["bag_key"]):
        if takes[art]:
            bags[(band, key)].append((art, sentence))
    # 3. Candidates by pair of ids, with their cues.
    cands = {}

    def add(a, b, cue):
        cands.setdefault((ids[a], ids[b]), (a, b, []))[2].append(cue)

    # A run fingerprint (cue kind 1) or a bag key (kind 2, rewritten) of
    # at most max_df entries pairs all of them.
    for groups, kind in [(runs, 1), (bags, 2)]:
        for bucket in groups.values():
            if len(bucket) <= d.max_df:
                for a, xa in bucket:
                    for b, xb in bucket:
                        if ids[b] > ids[a]:
                            add(a, b, (kind, xa, xb))
    for bucket in buckets.values():
        visible = bucket[: d.max_bucket]
        for a, ua in bucket:
            for b, ub in visible:
                if ids[b] > ids[a]:
                    add(a, b, (0, ua, ub))
    # 4. Verify, each article with its boilerplate keys.
    keys_of = defaultdict(set)
    for art, key in zip(cols["segment_article"], cols["segment_key"]):
        if key in boilerplate:
            keys_of[art].add(key)
    arts = [(texts[i], sorted((k, boilerplate[k]) for k in keys_of[i])) for i in range(n)]
    order = sorted(cands)
    todo = [cands[p] for p in order]
    return ids, arts, order, todo


def pairs_from_stages(d, articles, shard=None, batch=None):
    """Every pair (a, b, candidate_similarity, report), a < b, in increasing
    order, from the stages alone. `shard`: keys() is called on shards of
    that many articles (as map tasks would); `batch`: verify() on batches of
    that many pairs (as partitions would)."""
    _, arts, order, todo = candidates_from_stages(d, articles, shard)
    batch = batch or len(todo) or 1
    results = []
    for start in range(0, len(todo), batch):
        results.extend(d.verify(arts, todo[start : start + batch]))
    assert len(results) == len(order)
    return [(a, b, r[0], r[1]) for (a, b), r in zip(order, results) if r is not None]


def index_pairs(d, articles):
    index = neardup.Index(d)
    index.insert_many(articles)
    return [(p.a, p.b, p.candidate_similarity, p.report) for p in index.pairs()]


CONFIGS = [
    {},
    # LSH candidates too, with a small bucket cap: saturated buckets, cut entries.
    {"similar_units": True, "max_bucket": 3},
    # A small fingerprint cap.
    {"max_df": 4},
    # Boilerplate listed, and a low bound so more of it.
    {"boilerplate_contexts": 3, "report_boilerplate": True, "similar_units": True},
    {"boilerplate_contexts": 0, "unit": "paragraph", "similar_units": True},
    {"unit": ("window", 12), "threshold": 0.4, "similar_units": True},
    # Rewritten candidates (bag keys), with a cap that bites.
    {"rewritten": True, "rewritten_candidates": True, "max_df": 4, "boilerplate_contexts": 3},
]


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_the_stages_reproduce_index_pairs(i):
    d = neardup.Detector(**CONFIGS[i])
    articles = seed_corpus(120, 11 + i)
    expected = index_pairs(d, articles)
    assert len(expected) > 20, f"the corpus has reuse ({len(expected)} pairs)"
    # One map task and one verify call; shards and partitions; one article
    # and one pair at a time.
    for shard, batch in [(None, None), (7, 13)] + ([(1, 1)] if i == 0 else []):
        got = pairs_from_stages(d, articles, shard, batch)
        assert len(got) == len(expected)
        assert got == expected, f"config {CONFIGS[i]}, shards of {shard}, batches of {batch}"


def test_the_stages_reproduce_index_pairs_on_the_repository_documents():
    articles = docs_corpus()
    assert len(articles) > 20
    for settings in [{}, {"min_words": 8, "boilerplate_contexts": 3}]:
        d = neardup.Detector(**settings)
        assert pairs_from_stages(d, articles, shard=10) == index_pairs(d, articles)


def test_the_stages_reproduce_rewritten_pairs_on_real_short_answers():
    """Answers that rewrote a source (cs-shortanswer, gold labels): with
    rewritten on, bag cues (kind 2) alone propose pairs that share no run,
    and the stages still give exactly Index.pairs()."""
    articles = shortanswer_corpus()
    d = neardup.Detector(rewritten=True, rewritten_candidates=True)
    expected = index_pairs(d, articles)
    assert pairs_from_stages(d, articles, shard=17, batch=50) == expected
    _, _, order, todo = candidates_from_stages(d, articles)
    bag_only = {p for p, (_, _, cues) in zip(order, todo) if {c[0] for c in cues} == {2}}
    found = {(a, b) for a, b, _, _ in expected}
    assert len(found & bag_only) >= 5, "pairs proposed by bag keys alone are found"
    plain = {(a, b) for a, b, _, _ in index_pairs(neardup.Detector(rewritten=False), articles)}
    assert not (found & bag_only) & plain, "and rewriting off finds none of them"


def test_saturation_and_boilerplate_are_exercised():
    """The corpus above does hit the caps and the boilerplate rule, so the
    reproduction covers them."""
    articles = seed_corpus(120, 12)
    index = neardup.Index(similar_units=True, max_bucket=3)
    index.insert_many(articles)
    assert index.saturation().buckets > 0
    assert index.exact_duplicates()
    index = neardup.Index(max_df=4)
    index.insert_many(articles)
    assert index.saturation().fingerprints > 0
    index = neardup.Index(boilerplate_contexts=3, report_boilerplate=True)
    index.insert_many(articles)
    boiler = [p for pair in index.pairs() for p in pair.report.boilerplate]
    assert boiler and all(p.boilerplate and p.boilerplate_articles >= 1 for p in boiler)


def test_keys_columns(seed_pair):
    a, b = seed_pair
    d = neardup.Detector(similar_units=True)
    k = d.keys([a, "", b, a.upper()])
    assert k["units"][1] == 0 and k["units"][0] > 0
    dk = k["duplicate_key"]
    assert dk[1] is None and len(dk[0]) == 16 and isinstance(dk[0], bytes)
    assert dk[0] == dk[3] != dk[2]
    for prefix, names in [
        ("anchor", ["anchor_article", "anchor_hash", "anchor_word"]),
        ("band", ["band_article", "band_unit", "band", "band_key"]),
        ("segment", ["segment_article", "segment_key", "segment_context"]),
    ]:
        lengths = {len(k[n]) for n in names}
        assert len(lengths) == 1 and lengths.pop() > 0, prefix
        arts = k[f"{prefix}_article"]
        assert arts == sorted(arts) and 1 not in arts
    # Every unit that takes entries has `bands` band keys, bands 0..bands-1.
    per_unit = defaultdict(list)
    for art, unit, band in zip(k["band_article"], k["band_unit"], k["band"]):
        per_unit[(art, unit)].append(band)
    assert all(v == list(range(d.bands)) for v in per_unit.values())
    # Signed 64-bit ints (Spark's LongType), some negative.
    for name in ["anchor_hash", "band_key", "segment_key", "segment_context"]:
        assert all(-(2**63) <= x < 2**63 for x in k[name])
        assert any(x < 0 for x in k[name])
    # No band entries unless similar_units; the same anchors either way.
    plain = neardup.Detector().keys([a, "", b, a.upper()])
    assert plain["band_key"] == [] and plain["anchor_hash"] == k["anchor_hash"]
    # Deterministic, and per text: a batch is the concatenation of its parts.
    assert d.keys([a, "", b, a.upper()]) == k
    assert d.keys([b])["anchor_hash"] == [h for art, h in zip(k["anchor_article"], k["anchor_hash"]) if art == 2]
    assert d.keys([])["units"] == []


def test_keys_columns_on_buffers_are_keys(seed_pair):
    """keys_columns on an Arrow-style string buffer gives the columns of
    keys(), as little-endian bytes; bad buffers raise naming them."""
    a, b = seed_pair
    texts = [a, "", b, a.upper(), "ünïcödé: two words"]
    data = "".join(texts).encode("utf-8")
    offsets = [0]
    for t in texts:
        offsets.append(offsets[-1] + len(t.encode("utf-8")))
    for d in (neardup.Detector(), neardup.Detector(similar_units=True)):
        k = d.keys(texts)
        c = d.keys_columns(_pack("q", offsets), data)
        for name in ["anchor_hash", "band_key", "segment_key", "segment_context"]:
            assert _unpack("q", c[name]) == k[name], name
        for name in ["units", "anchor_article", "anchor_word", "band_article", "band_unit", "band", "segment_article"]:
            assert _unpack("I", c[name]) == k[name], name
        has = list(c["has_duplicate_key"])
        keys = [c["duplicate_key"][16 * i : 16 * i + 16] for i in range(len(texts))]
        assert [key if h else None for key, h in zip(keys, has)] == k["duplicate_key"]
        assert has[1] == 0 and keys[1] == bytes(16)
    assert _unpack("I", d.keys_columns(_pack("q", [0]), b"")["units"]) == []
    for offs, buf, words in [
        ([], b"", "no offset"),
        ([0, 5], b"abc", "text_offsets[0..1] = 0..5"),
        ([0, 2, 1], b"abc", "text_offsets[1..2] = 2..1"),
        ([0, 2], b"\xff\xfe", "text 0"),
    ]:
        with pytest.raises(ValueError) as e:
            d.keys_columns(_pack("q", offs), buf)
        assert words in str(e.value)
    with pytest.raises(ValueError, match="whole number of 8-byte values"):
        d.keys_columns(b"\x00" * 9, b"")


def test_verify_results_line_up_with_pairs(seed_pair):
    a, b = seed_pair
    d = neardup.Detector()
    k = d.keys([a, b])
    shared = set(h for art, h in zip(k["anchor_article"], k["anchor_hash"]) if art == 0)
    word = {(art, h): w for art, h, w in zip(k["anchor_article"], k["anchor_hash"], k["anchor_word"])}
    cues = [(1, word[(0, h)], word[(1, h)]) for h in sorted(shared) if (1, h) in word]
    assert cues
    out = d.verify([(a, []), (b, [])], [(0, 1, cues), (0, 1, []), (0, 1, [(0, 10**6, 10**6)]), (1, 0, [])])
    assert len(out) == 4
    similarity, report = out[0]
    assert similarity == 1.0 and report == d.compare(a, b)
    # No cue, or cues past the text: rejected, no error.
    assert out[1] is None and out[2] is None and out[3] is None
    assert d.verify([], []) == [] and d.verify([(a, [])], []) == []


@pytest.mark.parametrize(
    "articles, pairs, error, words",
    [
        ("text", [], TypeError, "articles"),
        ([("a", [])], "x", TypeError, "pairs"),
        ([("a",)], [], TypeError, "articles[0]"),
        ([(b"a", [])], [], TypeError, "articles[0]"),
        ([("a", [(1,)])], [], TypeError, "boilerplate[0]"),
        ([("a", [(2**63, 1)])], [], ValueError, "segment key"),
        ([("a", [("k", 1)])], [], TypeError, "segment key"),
        ([("a", [(1, -1)])], [], ValueError, "articles"),
        ([("a", [])], [(0, 1, [])], ValueError, "pairs[0]: i_b"),
        ([("a", [])], [(-1, 0, [])], ValueError, "pairs[0]: i_a"),
        ([], [(0, 0, [])], ValueError, "articles is empty"),
        ([("a", [])], [(0, 0, [(3, 0, 0)])], ValueError, "kind"),
        ([("a", [])], [(0, 0, [(0, 2**32, 0)])], ValueError, "cues[0]: a"),
        ([("a", [])], [(0, 0, [(0, 0)])], TypeError, "cues[0]"),
        ([("a", [])], [(0, 0, [(0, 0, "1")])], TypeError, "cues[0]: b"),
        ([("a", [])], [(0, 0)], TypeError, "pairs[0]"),
    ],
)
def test_verify_bad_input_raises_naming_it(articles, pairs, error, words):
    with pytest.raises(error) as e:
        neardup.Detector().verify(articles, pairs)
    assert words in str(e.value)


def test_keys_bad_input_raises():
    d = neardup.Detector()
    with pytest.raises(TypeError):
        d.keys("one text, not a list")
    with pytest.raises(TypeError):
        d.keys(["ok", 3])
    with pytest.raises(UnicodeEncodeError):
        d.keys(["ok", "lone \udc80 surrogate"])


def _pack(code, values):
    return struct.pack(f"<{len(values)}{code}", *values)


def _unpack(code, data):
    return list(struct.unpack(f"<{len(data) // struct.calcsize(code)}{code}", data))


def _columns(d, ids, arts, pairs, repeat=1, reverse=False):
    """``verify_columns`` of articles ``arts`` (text, boilerplate) with ids
    ``ids`` and ``pairs`` (i_a, i_b, cues), each cue row given ``repeat``
    times in a row; all rows in reverse order with ``reverse``."""
    data = [t.encode("utf-8") for t, _ in arts]
    offsets = [0]
    for t in data:
        offsets.append(offsets[-1] + len(t))
    bp_offsets = [0]
    for _, bp in arts:
        bp_offsets.append(bp_offsets[-1] + len(bp))
    rows = [(ids[a], ids[b], cue) for a, b, cues in pairs for cue in cues for _ in range(repeat)]
    if reverse:
        rows.reverse()
    return d.verify_columns(
        _pack("q", ids), _pack("q", offsets), b"".join(data), _pack("q", bp_offsets),
        _pack("q", [k for _, bp in arts for k, _ in bp]), _pack("i", [n for _, bp in arts for _, n in bp]),
        _pack("q", [r[0] for r in rows]), _pack("q", [r[1] for r in rows]),
        _pack("i", [r[2][0] for r in rows]), _pack("i", [r[2][1] for r in rows]), _pack("i", [r[2][2] for r in rows]),
    )  # fmt: skip


def _passage_rows(res, prefix):
    """Per verified pair, its passages as dicts of the columns."""
    offsets = _unpack("i", res[f"{prefix}.offsets"])
    fields = {}
    for key, data in res.items():
        if key.startswith(prefix + ".") and key != f"{prefix}.offsets":
            name = key[len(prefix) + 1 :]
            floats = ("similarity", "containment_a", "containment_b", "bag_similarity")
            code = "B" if name == "boilerplate" else "d" if name in floats else "q"
            fields[name] = _unpack(code, data)
    rows = [dict(zip(fields, values)) for values in zip(*fields.values())]
    return [rows[s:e] for s, e in zip(offsets, offsets[1:])]


def _passage_columns(p):
    return {
        "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
        "a_byte_start": p.a_bytes[0], "a_byte_end": p.a_bytes[1],
        "b_byte_start": p.b_bytes[0], "b_byte_end": p.b_bytes[1],
        "a_token_start": p.a_tokens[0], "a_token_end": p.a_tokens[1],
        "b_token_start": p.b_tokens[0], "b_token_end": p.b_tokens[1],
        "matched_words": p.matched_words, "similarity": p.similarity,
        "kind": ["exact", "edited", "rewritten"].index(p.kind), "bag_similarity": p.bag_similarity,
        "containment_a": p.containment_a, "containment_b": p.containment_b,
        "boilerplate": int(p.boilerplate), "boilerplate_articles": p.boilerplate_articles,
    }  # fmt: skip


@pytest.mark.parametrize("i", [0, 3, len(CONFIGS) - 1])
def test_verify_columns_is_verify(i):
    """The flat-column stage gives exactly what verify() gives (and so
    Index.pairs()), a repeated cue row counting once."""
    d = neardup.Detector(**CONFIGS[i])
    articles = seed_corpus(120, 11 + i)
    ids, arts, order, todo = candidates_from_stages(d, articles)
    todo = [(a, b, sorted(set(cues))) for a, b, cues in todo]
    expected = [(ids[a], ids[b], a, b, r) for (a, b, _), r in zip(todo, d.verify(arts, todo)) if r is not None]
    assert [(a, b, s, r) for a, b, _, _, (s, r) in expected] == index_pairs(d, articles)
    res = _columns(d, ids, arts, todo, repeat=2)
    # The cue rows in any order (here reversed) give the same columns.
    assert _columns(d, ids, arts, todo, repeat=1, reverse=True) == res
    got = list(zip(_unpack("q", res["a"]), _unpack("q", res["b"]), _unpack("q", res["a_index"]), _unpack("q", res["b_index"])))
    assert got == [(a, b, ia, ib) for a, b, ia, ib, _ in expected]
    assert _unpack("d", res["candidate_similarity"]) == [s for *_, (s, _) in expected]
    reports = [r for *_, (_, r) in expected]
    for name, code in [("a_words", "q"), ("b_words", "q"), ("a_covered_words", "q"), ("b_covered_words", "q"),
                       ("a_coverage", "d"), ("b_coverage", "d")]:  # fmt: skip
        assert _unpack(code, res[name]) == [getattr(r, name) for r in reports], name
    assert _passage_rows(res, "passages") == [[_passage_columns(p) for p in r.passages] for r in reports]
    assert _passage_rows(res, "boilerplate") == [[_passage_columns(p) for p in r.boilerplate] for r in reports]
    if i == 3:
        assert any(r.boilerplate for r in reports), "boilerplate passages are exercised"
    # Nothing in, nothing out.
    empty = _columns(d, [], [], [])
    assert _unpack("q", empty["a"]) == [] and _unpack("i", empty["passages.offsets"]) == [0]


def _good_columns():
    """Two articles (ids 5 and 7), one pair with one cue: the arguments of
    verify_columns by name."""
    return {
        "ids": _pack("q", [5, 7]), "text_offsets": _pack("q", [0, 3, 6]), "text_data": b"abcdef",
        "bp_offsets": _pack("q", [0, 1, 1]), "bp_keys": _pack("q", [-3]), "bp_articles": _pack("i", [2]),
        "cue_a": _pack("q", [5]), "cue_b": _pack("q", [7]), "cue_kind": _pack("i", [1]),
        "cue_a_at": _pack("i", [0]), "cue_b_at": _pack("i", [0]),
    }  # fmt: skip


@pytest.mark.parametrize(
    "change, words",
    [
        ({"ids": b"1234567"}, "ids holds 7 bytes"),
        ({"ids": _pack("q", [5, 5])}, "ids[1] = 5 is repeated"),
        ({"text_offsets": _pack("q", [0, 3])}, "text_offsets holds 2 offsets, not 3"),
        ({"text_offsets": _pack("q", [0, 4, 3])}, "text_offsets[1..2] = 4..3"),
        ({"text_offsets": _pack("q", [0, 3, 9])}, "text_offsets[1..2] = 3..9"),
        ({"text_data": b"ab\xffdef"}, "article 0 (id 5, text_data[0..3]) is not UTF-8"),
        ({"bp_articles": _pack("i", [])}, "bp_keys holds 1 keys but bp_articles 0"),
        ({"bp_articles": _pack("i", [-1])}, "bp_articles[0] = -1"),
        ({"bp_offsets": _pack("q", [0, 2, 2])}, "bp_offsets[0..1] = 0..2"),
        ({"cue_b": _pack("q", [9])}, "cue row 0: cue_b = 9 is not among the article ids"),
        ({"cue_kind": _pack("i", [1, 1])}, "the cue columns differ in length"),
        ({"cue_kind": _pack("i", [3])}, "cue row 0: (kind, a, b) = (3, 0, 0)"),
        ({"cue_a_at": _pack("i", [-1])}, "cue row 0: (kind, a, b) = (1, -1, 0)"),
    ],
)
def test_verify_columns_bad_input_raises_naming_it(change, words):
    d = neardup.Detector()
    good = _good_columns()
    assert _unpack("q", d.verify_columns(**good)["a"]) == []  # too short to share a passage, but valid
    with pytest.raises(ValueError) as e:
        d.verify_columns(**{**good, **change})
    assert words in str(e.value)
    with pytest.raises(TypeError):
        d.verify_columns(**{**good, "ids": [5, 7]})


def _entries_of(d, articles):
    """Every entry an index takes (the exact duplicates' copies take none),
    as the rows of ``cue_columns``: ``(kind, band, key, pos, id, at)``, in
    insertion order."""
    ids = [i for i, _ in articles]
    k = d.keys([t for _, t in articles])
    first, takes = {}, [True] * len(articles)
    for i, dk in enumerate(k["duplicate_key"]):
        if dk is not None and first.setdefault(dk, i) != i:
            takes[i] = False
    rows = [(1, 0, h, art, ids[art], w) for art, h, w in zip(k["anchor_article"], k["anchor_hash"], k["anchor_word"])]
    rows += [
        (0, band, key, art, ids[art], unit)
        for art, unit, band, key in zip(k["band_article"], k["band_unit"], k["band"], k["band_key"])
    ]
    rows += [
        (2, band, key, art, ids[art], sentence)
        for art, sentence, band, key in zip(k["bag_article"], k["bag_sentence"], k["bag_band"], k["bag_key"])
    ]
    return [r for r in rows if takes[r[3]]]


def _cue_columns(d, rows, parts):
    return d.cue_columns(
        *(_pack(code, [r[j] for r in rows]) for j, code in enumerate("iiqqqi")), parts
    )  # fmt: skip


@pytest.mark.parametrize("i", [1, 2, len(CONFIGS) - 1])
def test_cue_columns_are_the_candidates_of_the_stages(i):
    """cue_columns on the entries split into shards by key (as the job's
    shuffle does) gives every candidate pair of the stages with exactly its
    cues, each in the part of its first article, the articles each part
    needs, and the index's saturation."""
    d = neardup.Detector(**CONFIGS[i])
    articles = seed_corpus(120, 11 + i)
    ids, _, order, todo = candidates_from_stages(d, articles)
    expected = {(a, b): sorted(cues) for (a, b), (_, _, cues) in zip(order, todo)}
    rows = _entries_of(d, articles)
    parts = 3
    got, part_of, stats, past = defaultdict(list), defaultdict(set), [0, 0, 0, 0], set()
    for shard in range(2):
        res = _cue_columns(d, [r for r in rows if hash((r[0], r[1], r[2])) % 2 == shard], parts)
        offsets = _unpack("q", res["cue_offsets"])
        assert len(offsets) == parts + 1 and offsets[-1] == len(res["cues"])
        for p in range(parts):
            for a, b, kind, wa, wb in struct.iter_unpack("<qqiii", res["cues"][offsets[p] : offsets[p + 1]]):
                got[(a, b)].append((kind, wa, wb))
                part_of[a].add(p)
        pairs_needed = set(zip(_unpack("i", res["need_part"]), _unpack("q", res["need_id"])))
        assert len(pairs_needed) == len(_unpack("q", res["need_id"])), "need rows are distinct"
        for j, n in enumerate(_unpack("q", res["stats"])):
            stats[j] += n
        past.update(_unpack("q", res["past_cap"]))
        need_here = {(p, x) for p in range(parts) for a, b, *_ in struct.iter_unpack(
            "<qqiii", res["cues"][offsets[p] : offsets[p + 1]]) for x in (a, b)}  # fmt: skip
        assert pairs_needed == need_here
    assert {k: sorted(v) for k, v in got.items()} == expected
    # An article's pairs (as the first) are all in one part, and the parts share the work.
    assert all(len(p) == 1 for p in part_of.values())
    assert len({p for ps in part_of.values() for p in ps}) == parts
    index = neardup.Index(d)
    index.insert_many(articles)
    sat = index.saturation()
    assert stats == [sat.fingerprints, sat.fingerprint_entries, sat.buckets, sat.entries]
    assert len(past) == sat.articles
    assert sum(stats) > 0, "a cap bites"
    # verify_columns counts the distinct candidate pairs.
    _, arts, _, _ = candidates_from_stages(d, articles)
    res = _columns(d, ids, arts, todo, repeat=2)
    assert _unpack("q", res["candidates"]) == [len(todo)]


@pytest.mark.parametrize(
    "rows, parts, words",
    [
        ([(3, 0, 7, 0, 1, 0)], 2, "row 0: (kind, id, at) = (3, 1, 0)"),
        ([(1, 0, 7, 0, -1, 0)], 2, "row 0: (kind, id, at) = (1, -1, 0)"),
        ([(1, 0, 7, 0, 1, -4)], 2, "row 0: (kind, id, at) = (1, 1, -4)"),
        ([(1, 0, 7, 0, 1, 0)], 0, "parts must be at least 1"),
    ],
)
def test_cue_columns_bad_input_raises_naming_it(rows, parts, words):
    d = neardup.Detector()
    with pytest.raises(ValueError) as e:
        _cue_columns(d, rows, parts)
    assert words in str(e.value)
    good = [(1, 0, 7, 0, 1, 0), (1, 0, 7, 1, 2, 0)]
    cols = [_pack(code, [r[j] for r in good]) for j, code in enumerate("iiqqqi")]
    with pytest.raises(ValueError, match="key holds 7 bytes"):
        d.cue_columns(cols[0], cols[1], cols[2][:7], *cols[3:], 2)
    with pytest.raises(ValueError, match="the columns differ in length"):
        d.cue_columns(cols[0][:4], *cols[1:], 2)
