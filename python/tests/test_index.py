"""neardup.Index: insert, query, remove, pairs, groups, save and load, and
the errors of each."""

import os
import pathlib
import pickle

import neardup
import pytest
from conftest import seed_corpus

MARKETS = "Markets closed higher on Friday after a week of strong trading in technology shares."


@pytest.fixture
def index(seed_pair):
    a, b = seed_pair
    ix = neardup.Index()
    ix.insert(1, b, label="001.txt")
    ix.insert(2, MARKETS)
    return ix


def test_query_finds_the_seed_pair_with_the_compare_report(index, seed_pair):
    a, b = seed_pair
    result = index.query(a)
    assert len(result) == 1 and result[0].id == 1 and result[-1].id == 1
    m = result[0]
    assert m.report == neardup.Detector().compare(a, b)
    assert m.candidate_similarity >= 0.5 and m.duplicates == []
    assert (result.saturated_buckets, result.skipped_entries, result.capped_fingerprints) == (0, 0, 0)
    assert [x.id for x in result] == [x.id for x in result.matches] == [1]
    with pytest.raises(IndexError):
        result[1]
    assert len(index.query("")) == 0 and len(index.query("Unrelated words only.")) == 0
    assert [len(r) for r in index.query_many([a, "", a])] == [1, 0, 1]


def test_contents(index, seed_pair):
    a, b = seed_pair
    assert len(index) == 2 and 1 in index and 3 not in index
    assert -1 not in index and "1" not in index and 2**70 not in index
    assert index.text(1) == b and index.text(3) is None
    assert index.label(1) == "001.txt" and index.label(2) == "" and index.label(9) is None
    assert index.ids() == [1, 2]
    assert index.detector == neardup.Detector()
    assert index.remove(2) and not index.remove(2)
    assert index.ids() == [1] and len(index) == 1
    memory = index.memory()
    parts = ["texts", "articles", "boilerplate", "band_tables", "run_table", "bag_tables"]
    assert memory["total"] == sum(memory[k] for k in parts)
    assert memory["bag_tables"] == 0, "no rewritten candidates unless rewritten"
    rewritten = neardup.Index(rewritten=True, rewritten_candidates=True)
    rewritten.insert_many([(1, a), (2, b)])
    with_bags = rewritten.memory()
    assert with_bags["bag_tables"] > 0 and with_bags["total"] == sum(with_bags[k] for k in parts)
    passages_only = neardup.Index(rewritten=True, rewritten_candidates=False)
    passages_only.insert_many([(1, a), (2, b)])
    assert passages_only.memory()["bag_tables"] == 0, "rewritten passages without the candidate tables"
    assert memory["texts"] == len(b.encode()) and memory["texts_on_disk"] == 0
    assert memory["run_entries"] > 0
    assert "1 article(s)" in repr(index)


def test_index_takes_a_detector_or_settings():
    assert neardup.Index(neardup.Detector(max_df=4)).detector == neardup.Detector(max_df=4)
    assert neardup.Index(max_df=4).detector.max_df == 4
    assert neardup.Index(detector=None, max_df=4).detector.max_df == 4
    with pytest.raises(TypeError):
        neardup.Index(neardup.Detector(), max_df=4)
    with pytest.raises(TypeError):
        neardup.Index("not a detector")
    with pytest.raises(neardup.ConfigError) as e:
        neardup.Index(max_df=1)
    assert e.value.setting == "max_df"


def test_insert_many_is_all_or_none(seed_pair):
    a, b = seed_pair
    ix = neardup.Index()
    ix.insert_many([(1, a), (2, "label", b)])
    assert ix.label(2) == "label"
    with pytest.raises(neardup.DuplicateIdError) as e:
        ix.insert_many([(3, "x"), (1, "again")])
    assert e.value.id == 1 and len(ix) == 2
    with pytest.raises(neardup.DuplicateIdError):
        ix.insert_many([(4, "x"), (4, "y")])
    assert len(ix) == 2
    # Any iterable, a generator too.
    ix.insert_many((i, t) for i, t in [(5, "five"), (6, "six")])
    assert ix.ids() == [1, 2, 5, 6]
    ix.insert_many([])
    assert len(ix) == 4


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda ix: ix.insert(-1, "x"), OverflowError, "id = -1"),
        (lambda ix: ix.insert(2**64, "x"), OverflowError, "id"),
        (lambda ix: ix.insert("1", "x"), TypeError, "id must be an int"),
        (lambda ix: ix.insert(1.0, "x"), TypeError, "id must be an int"),
        (lambda ix: ix.insert(True, "x"), TypeError, "id must be an int"),
        (lambda ix: ix.insert(1, b"bytes"), TypeError, "text must be a str"),
        (lambda ix: ix.insert(1, "lone \ud800"), UnicodeEncodeError, ""),
        (lambda ix: ix.insert_many("text"), TypeError, "not str"),
        (lambda ix: ix.insert_many(5), TypeError, "iterable"),
        (lambda ix: ix.insert_many([(1,)]), TypeError, "articles[0]"),
        (lambda ix: ix.insert_many([(1, "a"), "b"]), TypeError, "articles[1]"),
        (lambda ix: ix.insert_many([(1, 2, "t")]), TypeError, "label must be a str"),
        (lambda ix: ix.insert_many([(-5, "t")]), OverflowError, "articles[0]: the id"),
        (lambda ix: ix.insert_many([(1, None)]), TypeError, "articles[0]: the text"),
        (lambda ix: ix.remove(-1), OverflowError, "id"),
        (lambda ix: ix.query(None), TypeError, "text must be a str"),
        (lambda ix: ix.near_duplicate_groups(0.0), neardup.ArgumentError, "min_coverage"),
        (lambda ix: ix.near_duplicate_groups(float("nan")), neardup.ArgumentError, "min_coverage"),
        (lambda ix: ix.text(-3), OverflowError, "id"),
    ],
)
def test_bad_input_raises_naming_it(call, error, words):
    ix = neardup.Index()
    with pytest.raises(error) as e:
        call(ix)
    assert words in str(e.value)
    assert len(ix) == 0


def test_ids_span_the_whole_u64_range(seed_pair):
    a, _ = seed_pair
    ix = neardup.Index()
    ix.insert(0, a)
    ix.insert(2**64 - 1, a.replace("NATO", "the alliance"))
    assert ix.ids() == [0, 2**64 - 1]
    assert [(p.a, p.b) for p in ix.pairs()] == [(0, 2**64 - 1)]


def test_pairs_iterate_lazily_and_hold_the_index(seed_pair):
    articles = seed_corpus(60, 5)
    ix = neardup.Index()
    ix.insert_many(articles)
    expected = [(p.a, p.b) for p in ix.pairs()]
    assert len(expected) > 64, "more pairs than one step of the iterator"
    assert expected == sorted(expected) and all(a < b for a, b in expected)
    it = ix.pairs()
    assert iter(it) is it and it.saturation == ix.saturation() and it.saturation.is_empty()
    first = next(it)
    assert (first.a, first.b) == expected[0]
    with pytest.raises(RuntimeError, match="pairs\\(\\) iterator"):
        ix.insert(10**6, "new")
    with pytest.raises(RuntimeError):
        ix.remove(expected[0][0])
    # Reading goes on meanwhile.
    assert len(ix.query(articles[0][1])) >= 0 and len(ix) == 60
    rest = [(p.a, p.b) for p in it]
    assert [(first.a, first.b)] + rest == expected
    with pytest.raises(StopIteration):
        next(it)
    # Exhausted: the index can change again.
    ix.insert(10**6, "new")
    it = ix.pairs()
    next(it)
    it.close()
    assert list(it) == []
    assert ix.remove(10**6)
    it = ix.pairs()
    next(it)
    del it
    ix.insert(10**6, "new")


def test_pairs_reports_slice_the_texts(seed_pair):
    a, b = seed_pair
    ix = neardup.Index()
    ix.insert_many([(7, b), (3, a)])
    (pair,) = list(ix.pairs())
    assert (pair.a, pair.b) == (3, 7)
    assert pair.report == neardup.Detector().compare(a, b)
    for p in pair.report.passages:
        assert a[p.a_start : p.a_end].encode() == a.encode()[p.a_bytes[0] : p.a_bytes[1]]
    assert pair.is_near_duplicate(0.5) and not pair.is_near_duplicate(0.9)


def test_groups(seed_pair):
    a, b = seed_pair
    story = (
        "The minister met the Latvian delegation in Baku on Thursday. They discussed cooperation "
        "within NATO and military education programs for officers and cadets from both countries."
    )
    ix = neardup.Index()
    ix.insert_many([(1, story), (2, story.replace("Thursday", "Friday")), (3, MARKETS), (4, story.upper())])
    groups = ix.near_duplicate_groups(0.8)
    assert len(groups) == 1 and groups[0].members == [1, 2, 4] and groups[0].ids == [1, 2, 4]
    assert groups[0].representative in (1, 2)
    assert ix.near_duplicate_groups() == groups
    exact = ix.exact_duplicates()
    assert [(g.representative, g.members) for g in exact] == [(1, [1, 4])]
    # The clique rule, on edges alone.
    g = neardup.group_near_duplicates([(1, 2), (2, 3), (3, 4)])
    assert [(x.representative, x.members) for x in g] == [(2, [1, 2]), (3, [3, 4])]
    g = neardup.group_near_duplicates([(5, 6), (6, 7), (5, 7), (7, 8)])
    assert [(x.representative, x.members) for x in g] == [(7, [5, 6, 7])]
    assert neardup.group_near_duplicates([]) == []
    assert neardup.group_near_duplicates(iter([(2**64 - 1, 0)]))[0].members == [0, 2**64 - 1]
    with pytest.raises(OverflowError):
        neardup.group_near_duplicates([(-1, 2)])
    with pytest.raises(TypeError):
        neardup.group_near_duplicates([(1, 2, 3)])
    with pytest.raises(TypeError):
        neardup.group_near_duplicates(5)


def test_save_and_load(tmp_path, seed_pair):
    articles = seed_corpus(40, 3)
    ix = neardup.Index(max_df=50)
    ix.insert_many(articles)
    ix.insert(5000, "Ein Text mit Umlauten: äöü — und “Anführungszeichen”.", label="ü.txt")
    expected = [(p.a, p.b, p.report) for p in ix.pairs()]
    for path in [tmp_path / "a.ndx", str(tmp_path / "b.ndx")]:
        ix.save(path)
        back = neardup.Index.load(path)
        assert back.ids() == ix.ids() and back.detector == ix.detector
        assert back.label(5000) == "ü.txt" and back.text(5000) == ix.text(5000)
        assert [(p.a, p.b, p.report) for p in back.pairs()] == expected
    # Saving over an existing index replaces it.
    ix.remove(5000)
    ix.save(tmp_path / "a.ndx")
    assert 5000 not in neardup.Index.load(tmp_path / "a.ndx")
    # Bytes and pickling.
    assert neardup.Index.from_bytes(ix.to_bytes()).ids() == ix.ids()
    back = pickle.loads(pickle.dumps(ix))
    assert back.ids() == ix.ids() and back.detector == ix.detector


def test_texts_on_disk(tmp_path, seed_pair):
    """An index with its texts on disk answers as one in memory: texts,
    pairs, queries, groups, saved bytes; its file has no name."""
    a, _ = seed_pair
    articles = seed_corpus(40, 5)
    umlauts = "Ein Text mit Umlauten: äöü — und “Anführungszeichen”."
    ix = neardup.Index(max_df=50)
    ix.insert_many(articles)
    ix.insert(5000, umlauts, label="ü.txt")
    pairs = [(p.a, p.b, p.candidate_similarity, p.report) for p in ix.pairs()]
    groups = ix.near_duplicate_groups(0.5)
    query = [(m.id, m.report) for m in ix.query(a)]
    saved = ix.to_bytes()
    assert not ix.texts_on_disk and ix.read_errors == 0 and ix.memory()["texts"] > 0

    texts = tmp_path / "texts"
    texts.mkdir()
    ix.store_texts_on_disk(texts)
    assert ix.texts_on_disk and ix.read_errors == 0
    assert ix.memory()["texts"] == 0 and ix.memory()["texts_on_disk"] > 0
    assert os.listdir(texts) == [], "the file has no name"
    assert ix.text(5000) == umlauts and ix.label(5000) == "ü.txt"
    assert [(p.a, p.b, p.candidate_similarity, p.report) for p in ix.pairs()] == pairs
    assert ix.near_duplicate_groups(0.5) == groups
    assert [(m.id, m.report) for m in ix.query(a)] == query
    assert ix.to_bytes() == saved
    # Later insertions go to disk too; storing again moves them to another file.
    ix.insert(5001, "A text written to disk at once, with “quotes”.")
    assert ix.text(5001) == "A text written to disk at once, with “quotes”."
    ix.store_texts_on_disk(str(texts))
    assert ix.text(5000) == umlauts and ix.memory()["texts"] == 0
    ix.remove(5001)
    # Saved and loaded, with the texts in memory or on disk.
    path = tmp_path / "a.ndx"
    ix.save(path)
    back = neardup.Index.load(path)
    assert not back.texts_on_disk and back.text(5000) == umlauts
    on_disk = neardup.Index.load(path, texts_dir=texts)
    assert on_disk.texts_on_disk and on_disk.memory()["texts"] == 0
    assert on_disk.text(5000) == umlauts and on_disk.read_errors == 0
    assert [(p.a, p.b, p.candidate_similarity, p.report) for p in on_disk.pairs()] == pairs
    assert neardup.Index.load(str(path), str(texts)).texts_on_disk
    # A pickled index comes back with its texts in memory.
    copy = pickle.loads(pickle.dumps(ix))
    assert not copy.texts_on_disk and copy.text(5000) == umlauts
    assert os.listdir(texts) == []


def test_texts_on_disk_errors(tmp_path):
    ix = neardup.Index()
    ix.insert(1, "Some article text that is long enough to be indexed, and then some more words.")
    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(OSError) as e:
        ix.store_texts_on_disk(missing)
    assert str(missing) in str(e.value)
    assert not ix.texts_on_disk and ix.text(1).startswith("Some article")
    a_file = tmp_path / "file"
    a_file.write_text("not a directory")
    with pytest.raises(OSError) as e:
        ix.store_texts_on_disk(a_file)
    assert str(a_file) in str(e.value)
    with pytest.raises(TypeError):
        ix.store_texts_on_disk(42)
    ix.save(tmp_path / "a.ndx")
    with pytest.raises(OSError) as e:
        neardup.Index.load(tmp_path / "a.ndx", texts_dir=missing)
    assert str(missing) in str(e.value)
    with pytest.raises(FileNotFoundError):
        neardup.Index.load(tmp_path / "missing.ndx", texts_dir=tmp_path)
    # Not while a pairs() iterator holds the index.
    pairs = ix.pairs()
    with pytest.raises(RuntimeError, match="store texts on disk"):
        ix.store_texts_on_disk(tmp_path)
    pairs.close()
    ix.store_texts_on_disk(tmp_path)
    assert ix.texts_on_disk


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        neardup.Index.load(tmp_path / "missing.ndx")
    assert "missing.ndx" in str(e.value)
    with pytest.raises(OSError):
        neardup.Index.load(tmp_path)
    bad = tmp_path / "bad.ndx"
    bad.write_bytes(b"not an index at all" * 10)
    with pytest.raises(neardup.CorruptIndexError) as e:
        neardup.Index.load(bad)
    assert e.value.path == str(bad) and isinstance(e.value, ValueError)
    # A truncated real index.
    ix = neardup.Index()
    ix.insert(1, "Some article text that is long enough to be indexed, and then some more words.")
    data = ix.to_bytes()
    with pytest.raises(neardup.CorruptIndexError):
        neardup.Index.from_bytes(data[: len(data) // 2])
    with pytest.raises(neardup.Error):
        neardup.Index.from_bytes(b"")
    with pytest.raises(TypeError):
        neardup.Index.from_bytes("str, not bytes")
    with pytest.raises(TypeError):
        neardup.Index.load(42)
    # Saving where no file can be written.
    with pytest.raises(OSError):
        ix.save(tmp_path / "no" / "such" / "dir" / "x.ndx")


def test_paths_may_be_path_like(tmp_path):
    class Custom(os.PathLike):
        def __fspath__(self):
            return str(tmp_path / "custom.ndx")

    ix = neardup.Index()
    ix.insert(1, "text")
    ix.save(Custom())
    assert neardup.Index.load(pathlib.Path(Custom().__fspath__())).ids() == [1]


def test_results_pickle(seed_pair):
    a, b = seed_pair
    ix = neardup.Index(boilerplate_contexts=3, report_boilerplate=True)
    ix.insert_many(seed_corpus(120, 12))
    pairs = list(ix.pairs())
    with_boilerplate = [p for p in pairs if p.report.boilerplate]
    assert with_boilerplate
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(pairs, protocol=protocol))
        assert back == pairs
        assert [p.report.to_dict() for p in back] == [p.report.to_dict() for p in pairs]
    report = neardup.Detector().compare(a, b)
    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(report.passages)) == report.passages
    groups = ix.near_duplicate_groups(0.5) + ix.exact_duplicates()
    assert groups and pickle.loads(pickle.dumps(groups)) == groups
    sat = neardup.Index(max_df=4)
    sat.insert_many(seed_corpus(120, 12))
    s = sat.saturation()
    assert not s.is_empty() and pickle.loads(pickle.dumps(s)) == s
    index = neardup.Index()
    index.insert(1, b)
    (m,) = index.query(a)
    back = pickle.loads(pickle.dumps(m))
    assert (back.id, back.candidate_similarity, back.report, back.duplicates) == (
        m.id,
        m.candidate_similarity,
        m.report,
        m.duplicates,
    )
