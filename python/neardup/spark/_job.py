"""The Spark job: ``Index.pairs()`` of a DataFrame of articles, from the
crate's public stages (the plan of ``examples/stages.rs``), with Spark doing
the grouping.

1. **keys** (map, ``mapInArrow``): ``Detector.keys`` on each Arrow batch of
   texts, one row of key lists per article; persisted.
2. **exact duplicates**: the first article of each ``duplicate_key`` class
   by insertion order takes entries, the others (its copies) none.
3. **boilerplate**: ``ContextCounts`` as an aggregation: per segment key,
   its distinct contexts and the articles holding it; keys in at least
   ``boilerplate_contexts`` contexts are boilerplate.
4. **candidates**: run fingerprints grouped by hash (a bucket of more than
   ``max_df`` entries proposes nothing and is counted), band buckets in
   insertion order (every entry sees the first ``max_bucket`` entries and
   keeps those of larger ids; what the cap cuts is counted); the pairs
   ``a < b`` with their cues, deduplicated.
5. **verify** (``mapInArrow``): the cue rows of the candidate pairs and
   the texts they need are shuffled together into parts by ``a``, and
   ``Detector.verify_columns`` verifies each part in one call on its Arrow
   buffers (grouping and sorting the cue rows, each article prepared once
   per chunk of 16,384 pairs).
6. **groups**: near-duplicate edges collected to the driver and grouped with
   ``neardup.group_near_duplicates``; exact duplicates added as
   ``Index.with_exact_duplicates`` does.
"""

import contextlib
import functools
import math
import time

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

import neardup

from . import _tasks

#: Most text bytes a verify part should need (it may need more when one
#: article has candidates all over the corpus).
PART_BYTES = 64 << 20

#: Input text per shuffle partition (and at least two per core): Spark's
#: default of 200 partitions makes thousands of tiny tasks on a small corpus.
SHUFFLE_BYTES = 64 << 20

#: Up to this many candidate pairs, the articles they need are looked up by
#: broadcasting the list (16 bytes per pair and side) instead of shuffling
#: every text.
BROADCAST_PAIRS = 2_000_000


def spark_type(t):
    """The Spark SQL type of an Arrow type of ``_tasks``' schemas."""
    if pa.types.is_int64(t):
        return T.LongType()
    if pa.types.is_int32(t):
        return T.IntegerType()
    if pa.types.is_float64(t):
        return T.DoubleType()
    if pa.types.is_boolean(t):
        return T.BooleanType()
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return T.StringType()
    if pa.types.is_binary(t):
        return T.BinaryType()
    if pa.types.is_list(t):
        return T.ArrayType(spark_type(t.value_type))
    if pa.types.is_struct(t):
        return T.StructType([T.StructField(f.name, spark_type(f.type)) for f in t])
    raise TypeError(f"no Spark type for {t}")


def _schema(fields):
    return T.StructType([T.StructField(name, spark_type(t)) for name, t in fields])


KEYS_SCHEMA = _schema([(f.name, f.type) for f in _tasks.KEYS_ARROW])


def pair_schema(labelled):
    """The Spark schema of the pairs DataFrame (see :func:`find_pairs`)."""
    return _schema([(f.name, f.type) for f in _tasks.pair_arrow_schema(labelled)])


class Group:
    """A group of articles: ``representative`` and ``members`` (ids, the
    representative included, in increasing order), as the crate's
    ``Group``."""

    __slots__ = ("representative", "members")

    def __init__(self, representative, members):
        self.representative = representative
        self.members = members

    def __eq__(self, other):
        return isinstance(other, Group) and (self.representative, self.members) == (
            other.representative,
            other.members,
        )

    def __repr__(self):
        return f"Group(representative={self.representative}, members={self.members})"


class SparkPairs:
    """What :func:`find_pairs` found.

    Attributes:
        pairs: DataFrame of the verified pairs, persisted (``unpersist()``
            frees it): ``a``, ``b`` (ids, ``a < b``), ``a_label``,
            ``b_label`` (with a label column), ``candidate_similarity``,
            ``passages`` and ``boilerplate`` (lists of passage structs: the
            fields of ``Passage.to_dict()``, each ``(start, end)`` span as
            ``*_start``/``*_end``; ``a_start``.. are character offsets,
            ``a_byte_start``.. UTF-8 byte offsets), and the report's
            ``a_words``, ``b_words``, ``a_covered_words``,
            ``b_covered_words``, ``a_coverage``, ``b_coverage``.
            :func:`report_dict` turns a row back into ``Report.to_dict()``.
        groups: near-duplicate groups (list of :class:`Group`, sorted by
            representative), exact duplicates added: what
            ``Index.near_duplicate_groups(min_coverage)`` gives; empty when
            ``groups=False``.
        exact_duplicates: classes of exact duplicates of more than one
            article (``Index.exact_duplicates()``); the representative is the
            first by insertion order, the only one that takes part in pairs.
        labels: id -> label of every id in ``groups`` and
            ``exact_duplicates`` (with a label column; else empty).
        saturation: what the caps cut, as ``Index.pairs()`` reports it:
            ``fingerprints`` (run fingerprints shared by more than
            ``max_df`` entries, which proposed no pair),
            ``fingerprint_entries`` (their entries), ``buckets`` (LSH
            buckets past ``max_bucket``), ``entries`` (entries past the cap),
            ``articles`` (articles with an entry past the cap).
        articles: number of articles.
        bytes: UTF-8 bytes of their texts.
        candidates: number of candidate pairs verified.
        seconds: wall seconds of each stage, in order (keys, duplicates,
            boilerplate, candidates, verify, groups).
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def unpersist(self):
        """Frees the cached pairs."""
        self.pairs.unpersist()


def report_dict(row):
    """A row of :attr:`SparkPairs.pairs` as ``Report.to_dict()`` gives it."""
    d = row.asDict(recursive=True) if hasattr(row, "asDict") else dict(row)
    out = {
        "passages": [_tasks.passage_dict(p) for p in d["passages"]],
        "boilerplate": [_tasks.passage_dict(p) for p in d["boilerplate"]],
    }
    for name, _ in _tasks.REPORT_FIELDS:
        out[name] = d[name]
    return out


def _detector(detector, settings):
    if detector is not None and settings:
        raise TypeError(f"find_pairs: give a detector or settings, not both (settings: {', '.join(sorted(settings))})")
    if detector is None:
        return neardup.Detector(**settings)
    if not isinstance(detector, neardup.Detector):
        raise TypeError(f"find_pairs: detector must be a neardup.Detector, not {type(detector).__name__}")
    return detector


def _column_type(df, name, what):
    fields = {f.name: f for f in df.schema.fields}
    if name not in fields:
        raise ValueError(f"find_pairs: no {what} column {name!r} (columns: {', '.join(df.columns)})")
    return fields[name].dataType


class _Clock:
    def __init__(self):
        self.seconds = {}
        self.start = time.monotonic()

    def lap(self, stage):
        now = time.monotonic()
        self.seconds[stage] = round(now - self.start, 3)
        self.start = now


def find_pairs(
    df,
    detector=None,
    *,
    id="id",
    text="text",
    label=None,
    order=None,
    min_coverage=0.8,
    groups=True,
    partitions=None,
    **settings,
):
    """Every pair of articles of ``df`` that share passages: exactly
    ``Index.pairs()`` of an index into which the articles were inserted in
    order, with the same settings.

    Args:
        df: a DataFrame with an integer id column (distinct, non-negative:
            the ids of ``Index.insert``) and a string text column.
        detector: a :class:`neardup.Detector`; or give its settings as keyword
            arguments (``max_df=100, similar_units=True``); neither: the
            defaults.
        id, text: the names of the id and text columns.
        label: the name of an optional column (any type, e.g. a string id)
            carried to the pairs as ``a_label``/``b_label`` and to
            :attr:`SparkPairs.labels`.
        order: the name of a column giving the insertion order (distinct
            values); by default the DataFrame's row order (partition by
            partition, as ``monotonically_increasing_id`` numbers rows: a
            file read is in file order). The order decides which article of
            an exact-duplicate class is the representative, and which
            entries of a full LSH bucket are seen.
        min_coverage: near-duplicate groups: passages cover at least this
            fraction of both articles, in (0, 1].
        groups: compute the near-duplicate groups.
        partitions: the job's shuffle partitions; by default one per 64 MB
            of text, at least two per core (``spark.sql.shuffle.partitions``
            is set while the job runs, and restored).

    Returns:
        :class:`SparkPairs`. Bad input raises, naming it: ``ValueError``
        for a missing column, a null, negative or repeated id, a null text;
        ``TypeError`` for a column of the wrong type.
    """
    d = _detector(detector, settings)
    if not isinstance(df, DataFrame):
        raise TypeError(f"find_pairs: df must be a pyspark DataFrame, not {type(df).__name__}")
    if not (isinstance(min_coverage, (int, float)) and 0 < min_coverage <= 1):
        raise ValueError(f"find_pairs: min_coverage must be in (0, 1], not {min_coverage!r}")
    id_type = _column_type(df, id, "id")
    if not isinstance(id_type, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        raise TypeError(
            f"find_pairs: the id column {id!r} is {id_type.simpleString()}, not integers: give integer ids "
            f"(e.g. the row order) and the names as label={id!r}"
        )
    if not isinstance(_column_type(df, text, "text"), T.StringType):
        raise TypeError(f"find_pairs: the text column {text!r} is not a string column")
    labelled = label is not None
    cols = [F.col(id).cast("long").alias("id"), F.col(text).alias("text")]
    if labelled:
        _column_type(df, label, "label")
        cols.append(F.col(label).cast("string").alias("label"))
    if order is not None:
        _column_type(df, order, "order")
        cols.append(F.col(order).cast("long").alias("pos"))
    else:
        cols.append(F.monotonically_increasing_id().alias("pos"))
    clock = _Clock()

    # The articles, stored once: every later use sees the same rows and
    # positions, whatever the lineage of `df`.
    docs = df.select(*cols).persist(StorageLevel.DISK_ONLY)
    # One aggregation checks the ids and texts.
    spark = df.sparkSession
    with shuffle_partitions(spark, partitions or 2 * spark.sparkContext.defaultParallelism):
        bad = (
            docs.groupBy("id")
            .agg(F.count("*").alias("n"), F.count(F.when(F.col("text").isNull(), 1)).alias("null_texts"))
            .where(F.col("id").isNull() | (F.col("id") < 0) | (F.col("n") > 1) | (F.col("null_texts") > 0))
            .orderBy("id")
            .limit(5)
            .collect()
        )
    if bad:
        docs.unpersist()
        r = bad[0]
        if r["id"] is None:
            raise ValueError(f"find_pairs: a null id in column {id!r}")
        if r["id"] < 0:
            raise ValueError(f"find_pairs: a negative id ({r['id']}) in column {id!r}: ids are non-negative")
        repeated = [str(b["id"]) for b in bad if b["id"] is not None and b["n"] > 1]
        if repeated:
            raise ValueError(f"find_pairs: repeated ids in column {id!r}: {', '.join(repeated)} (ids must be distinct)")
        raise ValueError(f"find_pairs: a null text (id {r['id']}) in column {text!r}")
    try:
        return run(
            docs, d, labelled=labelled, min_coverage=min_coverage, groups=groups, clock=clock, partitions=partitions
        )
    finally:
        docs.unpersist()


@contextlib.contextmanager
def shuffle_partitions(spark, n):
    """Runs the block with ``spark.sql.shuffle.partitions`` set to ``n``
    (restored after), and with no byte limit on the Arrow batches sent to
    Python (Spark 4 measures a batch after every row to enforce it, which
    costs more than the work itself on rows with lists; the batches stay
    bounded by ``spark.sql.execution.arrow.maxRecordsPerBatch``)."""
    settings = {"spark.sql.shuffle.partitions": str(n), "spark.sql.execution.arrow.maxBytesPerBatch": str(2**31 - 1)}
    before = {}
    for key, value in settings.items():
        before[key] = spark.conf.get(key, None)
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def default_partitions(spark, nbytes):
    """Shuffle partitions for ``nbytes`` of text: one per ``SHUFFLE_BYTES``,
    at least two per core."""
    return max(2 * spark.sparkContext.defaultParallelism, math.ceil(nbytes / SHUFFLE_BYTES))


def run(docs, d, *, labelled, min_coverage, groups, clock=None, partitions=None):
    """The job on ``docs`` (``id``, ``text``, ``pos`` and, if ``labelled``,
    ``label``), which the caller has checked and persisted; shuffles of
    ``partitions`` partitions (default: :func:`default_partitions`)."""
    spark = docs.sparkSession
    with shuffle_partitions(spark, spark.conf.get("spark.sql.shuffle.partitions")):
        return _run(docs, d, labelled, min_coverage, groups, clock or _Clock(), partitions)


def _run(docs, d, labelled, min_coverage, groups, clock, partitions):
    spark = docs.sparkSession

    # 1. Keys.
    keys = docs.select("pos", "id", "text").mapInArrow(functools.partial(_tasks.keys_batches, d), KEYS_SCHEMA)
    keys = keys.persist(StorageLevel.MEMORY_AND_DISK)
    totals = keys.agg(F.count("*").alias("n"), F.sum("bytes").alias("bytes")).collect()[0]
    n_articles, n_bytes = totals["n"], totals["bytes"] or 0
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions or default_partitions(spark, n_bytes)))
    clock.lap("keys")

    # 2. Exact duplicates: the first of each class by insertion order takes
    # entries; the others are its copies.
    by_class = Window.partitionBy("duplicate_key").orderBy("pos")
    copies = (
        keys.where(F.col("duplicate_key").isNotNull())
        .select("duplicate_key", "pos", "id", F.first("id").over(by_class).alias("rep"),
                F.row_number().over(by_class).alias("r"))
        .where("r > 1")
        .select("pos", "id", "rep")
    )  # fmt: skip
    copy_rows = copies.collect()
    classes = {}
    for r in copy_rows:
        classes.setdefault(r["rep"], []).append(r["id"])
    exact = [Group(rep, sorted([rep] + ids)) for rep, ids in sorted(classes.items())]
    if copy_rows:
        copy_pos = spark.createDataFrame([(r["pos"],) for r in copy_rows], "pos long")
        indexed = keys.join(F.broadcast(copy_pos), "pos", "left_anti")
    else:
        indexed = keys
    clock.lap("duplicates")

    # 3. Boilerplate: ContextCounts as an aggregation.
    boiler = None
    if d.boilerplate_contexts > 0:
        seg = keys.select(
            "id", F.explode(F.arrays_zip("segment_key", "segment_context", "segment_first")).alias("z")
        ).select("id", F.col("z.segment_key").alias("s"), F.col("z.segment_context").alias("c"),
                 F.col("z.segment_first").alias("first"))  # fmt: skip
        counts = seg.groupBy("s").agg(
            F.countDistinct("c").alias("contexts"), F.sum(F.col("first").cast("long")).alias("articles")
        )
        bp_keys = counts.where(F.col("contexts") >= d.boilerplate_contexts).select("s", "articles")
        boiler = (
            seg.where("first")
            .select("id", "s")
            .join(bp_keys, "s")
            .groupBy("id")
            .agg(F.collect_list(F.struct("s", "articles")).alias("l"))
            .select("id", F.col("l.s").alias("bp_key"), F.col("l.articles").cast("array<int>").alias("bp_articles"))
        )
    clock.lap("boilerplate")

    # 4. Candidates: run fingerprints, then band buckets.
    saturation = {"fingerprints": 0, "fingerprint_entries": 0, "buckets": 0, "entries": 0, "articles": 0}
    runs = (
        indexed.select("pos", "id", F.explode(F.arrays_zip("anchor_hash", "anchor_word")).alias("z"))
        .select(F.col("z.anchor_hash").alias("h"), "id", F.col("z.anchor_word").alias("w"))
        .withColumn("n", F.count("*").over(Window.partitionBy("h")))
        .where("n >= 2")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    cut = runs.where(F.col("n") > d.max_df).agg(F.countDistinct("h").alias("f"), F.count("*").alias("e")).collect()[0]
    saturation["fingerprints"], saturation["fingerprint_entries"] = cut["f"], cut["e"]
    ok = runs.where(F.col("n") <= d.max_df)
    x, y = ok.alias("x"), ok.alias("y")
    cues = x.join(y, (F.col("x.h") == F.col("y.h")) & (F.col("y.id") > F.col("x.id"))).select(
        F.col("x.id").alias("a"), F.col("y.id").alias("b"), F.lit(1).alias("k"),
        F.col("x.w").alias("ca"), F.col("y.w").alias("cb"),
    )  # fmt: skip
    entries = None
    if d.settings()["similar_units"]:
        in_bucket = Window.partitionBy("band", "key").orderBy("pos", "unit")
        whole = in_bucket.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
        entries = (
            indexed.select("pos", "id", F.explode(F.arrays_zip("band_unit", "band", "band_key")).alias("z"))
            .select(F.col("z.band").alias("band"), F.col("z.band_key").alias("key"), "pos", "id",
                    F.col("z.band_unit").alias("unit"))
            .withColumn("r", F.row_number().over(in_bucket))
            .withColumn("n", F.count("*").over(whole))
            .where("n >= 2")
            .persist(StorageLevel.MEMORY_AND_DISK)
        )  # fmt: skip
        cap = d.max_bucket
        cut = (
            entries.where(F.col("n") > cap)
            .agg(
                F.countDistinct("band", "key").alias("buckets"),
                F.count(F.when(F.col("r") > cap, 1)).alias("entries"),
                F.countDistinct(F.when(F.col("r") > cap, F.col("pos"))).alias("articles"),
            )
            .collect()[0]
        )
        saturation.update(buckets=cut["buckets"], entries=cut["entries"], articles=cut["articles"])
        x, y = entries.alias("x"), entries.where(F.col("r") <= cap).alias("y")
        same = (F.col("x.band") == F.col("y.band")) & (F.col("x.key") == F.col("y.key"))
        band_cues = x.join(y, same & (F.col("y.id") > F.col("x.id"))).select(
            F.col("x.id").alias("a"), F.col("y.id").alias("b"), F.lit(0).alias("k"),
            F.col("x.unit").alias("ca"), F.col("y.unit").alias("cb"),
        )  # fmt: skip
        cues = cues.unionByName(band_cues)
    # Cue rows go to the part of their pair's first article; they are not
    # grouped here (the verify task groups the sorted rows of each pair).
    parts = max(4 * spark.sparkContext.defaultParallelism, math.ceil(n_bytes / PART_BYTES))
    part_keys = _partition_keys(spark, parts)
    part = F.element_at(
        F.array(*[F.lit(k) for k in part_keys]), (F.pmod(F.xxhash64("a"), F.lit(parts)) + 1).cast("int")
    )
    cue_rows = cues.select(
        part.alias("part"), "a", "b", F.col("k").cast("int").alias("k"),
        F.col("ca").cast("int").alias("ca"), F.col("cb").cast("int").alias("cb"),
    ).persist(StorageLevel.MEMORY_AND_DISK)  # fmt: skip
    candidates = cue_rows.groupBy("part", "a", "b").count().persist(StorageLevel.MEMORY_AND_DISK)
    n_candidates = candidates.count()
    clock.lap("candidates")

    # 5. Verify: each part's articles (text, boilerplate, label), then the
    # cue rows of its pairs, sorted.
    need = candidates.select("part", F.col("a").alias("id"))
    need = need.union(candidates.select("part", F.col("b").alias("id"))).distinct()
    if n_candidates <= BROADCAST_PAIRS:
        need = F.broadcast(need)
    articles = docs.join(need, "id")
    if boiler is not None:
        articles = articles.join(boiler, "id", "left")
    else:
        articles = articles.select("*", F.lit(None).cast("array<long>").alias("bp_key"),
                                   F.lit(None).cast("array<int>").alias("bp_articles"))  # fmt: skip
    if not labelled:
        articles = articles.withColumn("label", F.lit(None).cast("string"))
    null = F.lit(None)
    items = articles.select(
        "part", F.lit(0).alias("kind"), F.col("id").alias("a"), F.lit(-1).cast("long").alias("b"), "text",
        "bp_key", "bp_articles", "label", null.cast("int").alias("k"), null.cast("int").alias("ca"),
        null.cast("int").alias("cb"),
    ).unionByName(
        cue_rows.select(
            "part", F.lit(1).alias("kind"), "a", "b", null.cast("string").alias("text"),
            null.cast("array<long>").alias("bp_key"), null.cast("array<int>").alias("bp_articles"),
            null.cast("string").alias("label"), "k", "ca", "cb",
        )
    )  # fmt: skip
    # No sort: the verify task groups and sorts each part's cue rows in
    # Rust (sorting them in the JVM cost more than verifying them).
    verified = (
        items.repartition(parts, "part")
        .mapInArrow(functools.partial(_tasks.verify_batches, d, labelled), pair_schema(labelled))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    n_pairs = verified.count()
    clock.lap("verify")

    # 6. Groups.
    near = []
    labels = {}
    if groups:
        edge_cols = ["a", "b"] + (["a_label", "b_label"] if labelled else [])
        edges = (
            verified.where((F.col("a_coverage") >= min_coverage) & (F.col("b_coverage") >= min_coverage))
            .select(*edge_cols)
            .collect()
        )
        if labelled:
            for r in edges:
                labels[r["a"]] = r["a_label"]
                labels[r["b"]] = r["b_label"]
        found = neardup.group_near_duplicates([(r["a"], r["b"]) for r in edges])
        near = with_exact_duplicates([Group(g.representative, list(g.members)) for g in found], exact)
    if labelled and exact:
        ids = sorted({m for g in exact for m in g.members})
        wanted = spark.createDataFrame([(i,) for i in ids], "id long")
        for r in docs.join(F.broadcast(wanted), "id").select("id", "label").collect():
            labels[r["id"]] = r["label"]
    clock.lap("groups")
    # Freed last: a cache freed while one computed from it is still to be
    # filled would be recomputed from scratch.
    for cached in (candidates, cue_rows, runs, entries, keys):
        if cached is not None:
            cached.unpersist()
    return SparkPairs(
        pairs=verified,
        groups=near,
        exact_duplicates=exact,
        labels=labels,
        saturation=saturation,
        articles=n_articles,
        bytes=n_bytes,
        candidates=n_candidates,
        pairs_found=n_pairs,
        seconds=clock.seconds,
    )


def _partition_keys(spark, n):
    """``n`` ints that ``repartition(n, col)`` sends to partitions 0, 1, ..,
    n - 1 (Spark hash-partitions by ``pmod(hash(col), n)``), so that each
    verify part has a partition of its own."""
    found = {}
    start = 0
    while len(found) < n:
        rows = (
            spark.range(start, start + 64 * n)
            .select(F.col("id").cast("int").alias("k"), F.pmod(F.hash(F.col("id").cast("int")), F.lit(n)).alias("p"))
            .collect()
        )
        for r in rows:
            found.setdefault(r["p"], r["k"])
        start += 64 * n
    return [found[p] for p in range(n)]


def with_exact_duplicates(groups, exact):
    """``groups`` with every member's exact duplicates added, and each class
    of ``exact`` outside every group added as a group of its own, sorted by
    representative: ``Index.with_exact_duplicates``."""
    copies = {g.representative: [m for m in g.members if m != g.representative] for g in exact}
    grouped = set()
    out = []
    for g in groups:
        grouped.update(g.members)
        members = set(g.members)
        for m in g.members:
            members.update(copies.get(m, ()))
        out.append(Group(g.representative, sorted(members)))
    out.extend(Group(g.representative, list(g.members)) for g in exact if g.representative not in grouped)
    out.sort(key=lambda g: g.representative)
    return out
