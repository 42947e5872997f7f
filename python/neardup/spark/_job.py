"""The Spark job: ``Index.pairs()`` of a DataFrame of articles, from the
crate's public stages (the plan of ``examples/stages.rs``), with Spark doing
the grouping.

1. **keys** (map, ``mapInArrow``): ``Detector.keys_columns`` on the buffers
   of each Arrow batch of texts, one row of keys per article, and the
   batch's run fingerprints, band entries and (with ``rewritten``) the
   bag keys of its sentences packed (numpy) into a few
   large rows per bucket of the candidates' shuffle; persisted.
2. **exact duplicates**: the first article of each ``duplicate_key`` class
   by insertion order takes entries, the others (its copies) none.
3. **boilerplate**: ``ContextCounts`` as an aggregation: per segment key,
   its distinct contexts and the articles holding it; keys in at least
   ``boilerplate_contexts`` contexts are boilerplate.
4. **candidates** (``mapInArrow``): the packed entries shuffled by bucket,
   so that every entry of a run fingerprint, an LSH bucket or a bag key
   meets in one task; ``Detector.cue_columns`` pairs them by the index's
   rules (a fingerprint or bag key of more than ``max_df`` entries proposes
   nothing, a bucket's
   entries see its first ``max_bucket`` in insertion order; what the caps
   cut is counted) into cue rows packed by verify part, and lists the
   articles each part needs.
5. **verify** (``mapInArrow``): each part's packed cue rows and the texts
   it needs are shuffled together, and ``Detector.verify_columns`` verifies
   the part in one call on its Arrow buffers (grouping and sorting the cue
   rows, each article prepared once per chunk of 16,384 pairs); for the
   command (``lines``), the same task writes each pair's line of the
   ``corpus`` example.
6. **groups**: near-duplicate edges collected to the driver and grouped with
   ``neardup.group_near_duplicates``; exact duplicates added as
   ``Index.with_exact_duplicates`` does.

The JVM never holds a row per entry, cue or candidate pair: those move as
packed bytes between the Rust stages.
"""

import contextlib
import functools
import math
import time

import numpy as np
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

import neardup

from . import _tasks

#: Input text per verify part (and one part per core at least). A part
#: needs the texts of its articles' partners too, so every part more copies
#: texts through the shuffle (on the dense peer corpus, 2 parts moved 178 MB
#: of text, 8 parts 488 MB); ``verify_columns`` runs on every core of its
#: executor, so a part per core keeps them busy.
PART_BYTES = 64 << 20

#: Input text per shuffle partition (and at least two per core): Spark's
#: default of 200 partitions makes thousands of tiny tasks on a small corpus.
SHUFFLE_BYTES = 64 << 20

#: Up to this many (part, article) rows, the articles the verify parts need
#: are looked up by broadcasting the list (16 bytes a row) instead of
#: shuffling every text.
BROADCAST_NEED = 4_000_000


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
CUES_SCHEMA = _schema([(f.name, f.type) for f in _tasks.CUES_ARROW])
LINES_SCHEMA = _schema([(f.name, f.type) for f in _tasks.LINES_ARROW])


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
        self.cached.unpersist()


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
    # One aggregation checks the ids and texts and measures the texts; a
    # second one names what is wrong, if anything is.
    spark = df.sparkSession
    with shuffle_partitions(spark, partitions or 2 * spark.sparkContext.defaultParallelism):
        check = docs.agg(
            F.count("*").alias("n"), F.countDistinct("id").alias("ids"), F.min("id").alias("min"),
            F.count(F.when(F.col("id").isNull(), 1)).alias("null_ids"),
            F.count(F.when(F.col("text").isNull(), 1)).alias("null_texts"),
            F.sum(F.octet_length("text")).alias("bytes"),
        ).collect()[0]  # fmt: skip
        ok = check["null_ids"] == 0 and check["null_texts"] == 0 and check["ids"] == check["n"]
        ok = ok and (check["min"] is None or check["min"] >= 0)
        bad = None
        if not ok:
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
        with shuffle_partitions(spark, partitions or default_partitions(spark, check["bytes"] or 0)):
            return run(
                docs, d, labelled=labelled, min_coverage=min_coverage, groups=groups, clock=clock,
                partitions=partitions,
            )  # fmt: skip
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


def run(docs, d, *, labelled, min_coverage, groups, clock=None, partitions=None, lines=None):
    """The job on ``docs`` (``id``, ``text``, ``pos`` and, if ``labelled``,
    ``label``), which the caller has checked and persisted; shuffles of
    ``partitions`` partitions (default: :func:`default_partitions`). With
    ``lines`` not None (and ``labelled``), the pairs come as the command
    writes them (``LINES_SCHEMA``: ``a``, ``b``, their labels and coverages,
    and the corpus example's pair ``line``, boilerplate passages left out if
    ``lines`` is true), made in the verify tasks."""
    spark = docs.sparkSession
    with shuffle_partitions(spark, spark.conf.get("spark.sql.shuffle.partitions")):
        return _run(docs, d, labelled, min_coverage, groups, clock or _Clock(), partitions, lines)


def _run(docs, d, labelled, min_coverage, groups, clock, partitions, lines):
    spark = docs.sparkSession

    # 1. Keys, and the run fingerprints' and band entries packed by bucket
    # of the candidates' shuffle.
    buckets = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    bucket_keys = _partition_keys(spark, buckets)
    keys = docs.select("pos", "id", "text").mapInArrow(
        functools.partial(_tasks.keys_batches, d, buckets, bucket_keys), KEYS_SCHEMA
    )
    keys = keys.persist(StorageLevel.MEMORY_AND_DISK)
    article_keys = keys.where(F.col("bucket").isNull())
    totals = article_keys.agg(F.count("*").alias("n"), F.sum("bytes").alias("bytes")).collect()[0]
    n_articles, n_bytes = totals["n"], totals["bytes"] or 0
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions or default_partitions(spark, n_bytes)))
    clock.lap("keys")

    # 2. Exact duplicates: the first of each class by insertion order takes
    # entries; the others are its copies.
    by_class = Window.partitionBy("duplicate_key").orderBy("pos")
    copies = (
        article_keys.where(F.col("duplicate_key").isNotNull())
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
    copy_pos = np.array(sorted(r["pos"] for r in copy_rows), dtype=np.int64)
    clock.lap("duplicates")

    # 3. Boilerplate: ContextCounts as an aggregation.
    boiler = None
    if d.boilerplate_contexts > 0:
        seg = article_keys.select(
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

    # 4. Candidates: the packed entries of each bucket (every entry of a run
    # fingerprint or an LSH bucket together) paired in Rust
    # (Detector.cue_columns: the max_df and max_bucket rules, counted) into
    # cue rows packed by verify part: few large rows, no row per entry or
    # cue in the JVM.
    parts = max(spark.sparkContext.defaultParallelism, math.ceil(n_bytes / PART_BYTES))
    part_keys = _partition_keys(spark, parts)
    cues = (
        keys.where(F.col("bucket").isNotNull())
        .select("bucket", "data")
        .repartition(buckets, "bucket")
        .mapInArrow(functools.partial(_tasks.cue_batches, d, copy_pos, parts, part_keys), CUES_SCHEMA)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    stats = np.zeros(5, dtype=np.int64)
    for r in cues.where(F.col("kind") == 2).select("data").collect():
        stats += np.frombuffer(r["data"], dtype="<i8")
    saturation = {
        "fingerprints": int(stats[0]),
        "fingerprint_entries": int(stats[1]),
        "buckets": int(stats[2]),
        "entries": int(stats[3]),
        "articles": 0,
    }
    if saturation["buckets"]:
        saturation["articles"] = cues.where(F.col("kind") == 3).select("id").distinct().count()
    # The (part, article) rows, distinct in each task (their count bounds
    # the distinct ones).
    need = cues.where(F.col("kind") == 0).select("part", "id").distinct()
    n_need = int(stats[4])
    clock.lap("candidates")

    # 5. Verify: each part's articles (text, boilerplate, label), then the
    # packed cue rows of its pairs.
    if n_need <= BROADCAST_NEED:
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
        "part", F.lit(0).alias("kind"), F.col("id").alias("a"), "text", "bp_key", "bp_articles", "label",
        null.cast("binary").alias("data"),
    ).unionByName(
        cues.where(F.col("kind") == 1).select(
            "part", F.lit(1).alias("kind"), null.cast("long").alias("a"), null.cast("string").alias("text"),
            null.cast("array<long>").alias("bp_key"), null.cast("array<int>").alias("bp_articles"),
            null.cast("string").alias("label"), "data",
        )
    )  # fmt: skip
    # No sort: the verify task groups and sorts each part's cue rows in
    # Rust. Each part's row a = -1 carries its number of candidate pairs.
    raw = (
        items.repartition(parts, "part")
        .mapInArrow(
            functools.partial(_tasks.verify_batches, d, labelled, lines),
            pair_schema(labelled) if lines is None else LINES_SCHEMA,
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    counts = raw.agg(
        F.count(F.when(F.col("a") >= 0, 1)).alias("pairs"), F.sum(F.when(F.col("a") < 0, F.col("b"))).alias("cand")
    ).collect()[0]
    n_pairs, n_candidates = counts["pairs"], counts["cand"] or 0
    verified = raw.where(F.col("a") >= 0)
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
    for cached in (cues, keys):
        cached.unpersist()
    return SparkPairs(
        pairs=verified,
        cached=raw,
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


def spark_hash_int(k):
    """Spark's ``hash`` of an int column's value ``k``: Murmur3 x86 32 of the
    4-byte int with seed 42, as a signed int (``Murmur3_x86_32.hashInt``)."""
    m = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    k1 = (k & m) * 0xCC9E2D51 & m
    k1 = rotl(k1, 15) * 0x1B873593 & m
    h = 42 ^ k1
    h = (rotl(h, 13) * 5 + 0xE6546B64) & m
    h ^= 4
    h ^= h >> 16
    h = h * 0x85EBCA6B & m
    h ^= h >> 13
    h = h * 0xC2B2AE35 & m
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def _partition_keys(spark, n):
    """``n`` ints that ``repartition(n, col)`` sends to partitions 0, 1, ..,
    n - 1 (Spark hash-partitions an int column by ``pmod(hash(col), n)``,
    :func:`spark_hash_int`), so that each bucket or verify part has a
    partition of its own."""
    found = {}
    k = 0
    while len(found) < n:
        found.setdefault(spark_hash_int(k) % n, k)
        k += 1
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
