"""The Spark job in ``local[2]``: exactly the pairs, passages, groups and
saturation of ``neardup.Index`` on real text, and the command's records equal
to the crate's ``corpus`` example's."""

import pytest
from conftest import docs_corpus, seed_corpus, shortanswer_corpus
from spark_support import (
    corpus_example,
    index_result,
    java_version,
    output_records,
    session,
    spark_command,
    spark_result,
    write_jsonl,
)

import neardup


def test_java_is_there():
    version = java_version()
    assert version is not None and version >= 17, f"Spark needs Java 17 or later; `java -version` gave {version}"


@pytest.fixture(scope="module")
def spark():
    s = session("local[2]")
    yield s
    s.stop()


def frame(spark, articles, partitions=5, extra=None):
    """A DataFrame of ``(id, text[, extra...])`` in the order given, over
    several partitions."""
    rows = [tuple(a) + (tuple(extra(i, a)) if extra else ()) for i, a in enumerate(articles)]
    schema = "id long, text string" + ("".join(f", {c}" for c in extra.columns) if extra else "")
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, partitions), schema)


# Real text, configurations where the caps bite, and LSH candidates.
CONFIGS = [
    ({}, 300, 21),
    ({"similar_units": True, "max_bucket": 3, "max_df": 4, "boilerplate_contexts": 3}, 300, 22),
    ({"similar_units": True, "unit": "paragraph", "boilerplate_contexts": 0, "min_words": 8}, 200, 23),
]


@pytest.mark.parametrize("settings,n,seed", CONFIGS)
def test_find_pairs_is_index_pairs(spark, settings, n, seed):
    from neardup.spark import find_pairs

    d = neardup.Detector(**settings)
    articles = seed_corpus(n, seed)
    expected = index_result(d, articles)
    found = find_pairs(frame(spark, articles), d)
    try:
        got = spark_result(found)
    finally:
        found.unpersist()
    assert len(expected[0]) > 100, "the corpus has reuse"
    assert got[0] == expected[0], "the pairs and passages"
    assert got[1] == expected[1], "what the caps cut"
    assert got[2] == expected[2], "near-duplicate groups"
    assert got[3] == expected[3], "exact duplicates"
    assert found.articles == n and found.pairs_found == len(expected[0])
    if settings.get("max_df") == 4:
        # The caps bite, and boilerplate passages are listed.
        sat = expected[1]
        assert sat["fingerprints"] > 0 and sat["buckets"] > 0 and sat["entries"] > 0 and sat["articles"] > 0
        assert any(r["boilerplate"] for _, _, _, r in expected[0])
    assert expected[3], "exact duplicates are exercised"


def test_find_pairs_on_the_repository_documents_with_labels_and_an_order_column(spark):
    """Another real corpus; labels carried along; the insertion order given by
    a column (here the reverse of the DataFrame's order)."""
    from neardup.spark import find_pairs

    articles = docs_corpus()
    n = len(articles)

    def extra(i, a):
        return (f"doc-{a[0]}", n - i)

    extra.columns = ["name string", "inserted long"]
    df = frame(spark, articles, partitions=3, extra=extra)
    settings = {"min_words": 8, "boilerplate_contexts": 3}
    expected = index_result(neardup.Detector(**settings), list(reversed(articles)))
    found = find_pairs(df, label="name", order="inserted", **settings)
    try:
        got = spark_result(found)
        labels = {(r["a"], r["b"]): (r["a_label"], r["b_label"]) for r in found.pairs.collect()}
    finally:
        found.unpersist()
    assert len(expected[0]) > 5
    assert got == expected
    assert all(la == f"doc-{a}" and lb == f"doc-{b}" for (a, b), (la, lb) in labels.items())


def test_find_pairs_with_rewritten_candidates_is_index_pairs(spark):
    """Real rewritten reuse (cs-shortanswer's answers and sources): the job
    shuffles the bag keys of sentences with the run fingerprints, so with
    ``rewritten=True`` it finds the pairs that share no run, as the index
    does, with the same passages; with a cap that bites (one job run: the
    Spark tests are CI's longest step), the same cut."""
    from neardup.spark import find_pairs

    articles = shortanswer_corpus()
    d = neardup.Detector(rewritten=True, rewritten_candidates=True, max_df=3)
    expected = index_result(d, articles)
    found = find_pairs(frame(spark, articles, partitions=3), d)
    try:
        got = spark_result(found)
    finally:
        found.unpersist()
    assert got == expected
    plain = index_result(neardup.Detector(max_df=3), articles)[0]
    rewritten = [r for r in expected[0] if any(p["kind"] == "rewritten" for p in r[3]["passages"])]
    assert rewritten and len(expected[0]) != len(plain)
    assert expected[1]["fingerprints"] > 0, "max_df 3 cuts bag keys or runs"


def test_find_pairs_refuses_bad_input(spark):
    from neardup.spark import find_pairs

    good = frame(spark, [(1, "one"), (2, "two")])
    with pytest.raises(ValueError, match="repeated ids in column 'id': 7"):
        find_pairs(frame(spark, [(7, "a"), (3, "b"), (7, "c")]))
    with pytest.raises(ValueError, match="negative id"):
        find_pairs(frame(spark, [(-1, "a")]))
    with pytest.raises(ValueError, match="null text"):
        find_pairs(frame(spark, [(1, None)]))
    with pytest.raises(ValueError, match="no text column 'body'"):
        find_pairs(good, text="body")
    with pytest.raises(TypeError, match="not integers"):
        find_pairs(spark.createDataFrame([("x", "text")], "id string, text string"))
    with pytest.raises(ValueError, match="min_coverage"):
        find_pairs(good, min_coverage=0)
    with pytest.raises(TypeError, match="not both"):
        find_pairs(good, neardup.Detector(), max_df=3)
    with pytest.raises(ValueError, match="max_df"):
        find_pairs(good, max_df=0)
    with pytest.raises(TypeError, match="no_such_setting"):
        find_pairs(good, no_such_setting=1)


def test_empty_and_short_texts_reuse_nothing(spark):
    from neardup.spark import find_pairs

    found = find_pairs(frame(spark, [(1, ""), (2, "Short."), (3, "")]))
    assert found.pairs.count() == 0 and found.groups == [] and found.articles == 3
    # Two empty texts are no exact duplicates (no units), as in the index.
    assert found.exact_duplicates == []


def test_the_command_writes_the_corpus_examples_records(spark, tmp_path, seed_pair, capsys):
    """The seed pair, then a real corpus with string and integer ids, a
    repeated id, a bad line and a blank line: the same records (and the same
    skipped lines) as ``cargo run --release --example corpus``. The seed
    pair runs ``python -m neardup.spark`` as a user does (a Spark of its
    own); the corpus runs the command's ``main`` in this process, on the
    tests' session (Spark's ``getOrCreate``), to spare CI a JVM."""
    from neardup.spark._command import main

    a, b = seed_pair
    seed = tmp_path / "seed.jsonl"
    write_jsonl(seed, [{"id": "000_7335d4dbf30efac0.txt", "text": a}, {"id": "001_8d763c1f7bf3de18.txt", "text": b}])
    lines = [{"id": f"doc-{i}" if i % 3 else i, "text": t} for i, (_, t) in enumerate(seed_corpus(150, 24))]
    lines.insert(40, "")
    lines.insert(41, '{"id": "bad", "text": 17}')
    lines.insert(60, {"id": "doc-1", "text": "A repeated id: skipped, reported."})
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, lines)
    # The seed pair with rewritten passages (001's rewritten lead), as the
    # corpus example's --rewritten true reports them.
    runs = [(seed, 0, ["--rewritten", "true"]), (corpus, 1, ["--similar-units", "true", "--max-bucket", "3"])]
    for path, status, tuning in runs:
        rust_status, expected, rust_err = corpus_example([*tuning, str(path)])
        assert rust_status == status, rust_err
        out = tmp_path / (path.stem + ".out")
        args = [str(path), str(out), "--master", "local[2]", *tuning]
        if path == seed:
            got_status, err = spark_command(args)
        else:
            capsys.readouterr()
            got_status = main(args)
            err = capsys.readouterr().err
        assert got_status == status, err
        got = output_records(out)
        assert got == expected
        assert any("passages" in r for r in got)
        if path == seed:
            assert any(p["kind"] == "rewritten" for r in got for p in r.get("passages", [])), got
        if status:
            assert '"text" is not a string' in err and 'article ID "doc-1" already used' in err
            assert any("group" in r for r in got) and any("exact_duplicates" in r for r in got)


def test_the_command_refuses_bad_usage(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    status, err = spark_command([str(tmp_path / "missing.jsonl"), str(tmp_path / "new"), "--max-df", "0"])
    assert status == 2 and "--max-df" in err
    status, err = spark_command([str(tmp_path / "missing.jsonl"), str(tmp_path / "new")])
    assert status == 2 and "missing.jsonl: no such file or directory" in err
    write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "x"}])
    status, err = spark_command([str(tmp_path / "in.jsonl"), str(out), "--master", "local[1]"])
    assert status == 2 and "exists already" in err
    status, err = spark_command([str(tmp_path / "in.jsonl"), str(tmp_path / "o2"), "--min-coverage", "2"])
    assert status == 2 and "--min-coverage" in err


def test_partition_keys_are_sparks_hash_partitioning(spark):
    """The job gives each bucket and verify part a partition of its own by
    computing Spark's hash of an int in Python: it is Spark's."""
    from pyspark.sql import functions as F

    from neardup.spark._job import _partition_keys, spark_hash_int

    ks = list(range(-5, 300)) + [2**31 - 1, -(2**31), 123456789]
    df = spark.createDataFrame([(k,) for k in ks], "k int")
    assert [r["h"] for r in df.select(F.hash("k").alias("h")).collect()] == [spark_hash_int(k) for k in ks]
    for n in (1, 4, 7):
        keys = _partition_keys(spark, n)
        df = spark.createDataFrame([(k,) for k in keys], "k int").repartition(n, "k")
        assert sorted(r["p"] for r in df.select(F.spark_partition_id().alias("p"), "k").collect()) == list(range(n))
        assert df.rdd.glom().map(len).collect() == [1] * n
