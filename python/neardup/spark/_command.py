"""The command ``python -m neardup.spark INPUT OUTPUT_DIR``: the crate's
``corpus`` example on Spark.

INPUT is JSON lines of ``{"id": .., "text": ..}`` (a file, a directory of
them read in name order, or a glob), or Parquet with ``id`` and ``text``
columns (``--format parquet``, or a path ending in ``.parquet``). An id is a
non-empty string or an integer of 64 bits, printed as a string of its
digits. OUTPUT_DIR (which must not exist) receives the records the
``corpus`` example prints, in its order, as Spark text part files whose
concatenation in name order is that output::

    {"exact_duplicates": [ID, ..], "representative": ID}     one per class
    {"a": ID, "b": ID, "passages": [..], "a_coverage": .., "b_coverage": ..}
    {"group": [ID, ..], "representative": ID}                 one per group

Offsets are UTF-8 byte offsets into the JSON text values. A summary goes to
stderr (and to ``--summary FILE`` as JSON): articles, pairs, groups, what the
caps cut, and each stage's seconds. Exit status: 0 when every input line was
used, 1 when some were skipped (each reported on stderr: bad JSON, a bad or
repeated id, a text that is not a string or is binary, a line longer than
--max-bytes), 2 on a usage error or an output that cannot be written.
"""

import argparse
import json
import os
import sys
import time
import warnings

_TUNING = (
    # (option, Detector setting, type, help)
    ("shingle-size", "shingle_size", int, "words per shingle"),
    ("num-hashes", "num_hashes", int, "MinHash values per signature"),
    ("threshold", "threshold", float, "similarity at which two sentences are candidates, in (0, 1]"),
    ("min-words", "min_words", int, "fewest matched words of a passage on its own"),
    ("max-gap", "max_gap", int, "most unmatched words bridged inside one passage"),
    ("seed", "seed", int, "seed of every hash"),
    ("max-bucket", "max_bucket", int, "most entries of one LSH bucket examined per sentence"),
    ("boilerplate-contexts", "boilerplate_contexts", int, "a sentence in this many contexts is boilerplate, 0 = off"),
    ("anchor-words", "anchor_words", int, "words of the shared runs the index fingerprints"),
    ("max-df", "max_df", int, "a run fingerprint shared by more articles proposes no pair"),
    ("similar-units", "similar_units", None, "also propose pairs of similar sentences (MinHash LSH): true or false"),
    ("rewritten", "rewritten", None, "report rewritten passages: true or false"),
    (
        "rewritten-candidates",
        "rewritten_candidates",
        None,
        "with --rewritten, also propose pairs whose sentences are alike as bags of stems: true or false",
    ),
    ("stem-chars", "stem_chars", int, "characters of a word in its stem, 0 = whole words"),
)


def _bool(value):
    if value in ("true", "false"):
        return value == "true"
    raise argparse.ArgumentTypeError(f"must be true or false, not {value!r}")


def _coverage(value):
    try:
        f = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < f <= 1:
        raise argparse.ArgumentTypeError("must be in (0, 1]")
    return f


def _size(value):
    shift = {"k": 10, "m": 20, "g": 30}.get(value[-1:].lower(), 0)
    digits = value[:-1] if shift else value
    if not digits.isdigit() or int(digits) == 0:
        raise argparse.ArgumentTypeError(f"not a size (digits with an optional K, M or G suffix): {value!r}")
    return int(digits) << shift


def _conf(value):
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not KEY=VALUE: {value!r}")
    return key, val


def parser():
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m neardup.spark",
        description="Find the articles of a corpus that share passages, and near-duplicate groups, on Spark: "
        "the records of the crate's corpus example.",
        epilog='INPUT: JSON lines of {"id": .., "text": ..} (a file, a directory read in name order, or a '
        "glob), or Parquet with id and text columns. OUTPUT_DIR: Spark text part files whose concatenation is "
        "the corpus example's output. Exit status: 0, 1 if some input was skipped (reported on stderr), 2 on a "
        "usage error.",
    )
    p.add_argument("input", metavar="INPUT")
    p.add_argument("output", metavar="OUTPUT_DIR")
    p.add_argument("--master", metavar="URL", help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument("--conf", metavar="KEY=VALUE", type=_conf, action="append", default=[],
                   help="a Spark setting, e.g. spark.driver.memory=4g (repeatable)")  # fmt: skip
    p.add_argument("--format", choices=("jsonl", "parquet"), help="input format (default: by the path's extension)")
    p.add_argument(
        "--min-coverage",
        metavar="F",
        type=_coverage,
        default=0.8,
        help="near-duplicates: passages cover at least F of both articles, in (0, 1] (default 0.8)",
    )
    p.add_argument("--no-groups", action="store_true", help="do not compute near-duplicate groups")
    p.add_argument(
        "--no-boilerplate",
        action="store_true",
        help='leave out the passages made of boilerplate (listed with "boilerplate": true by default)',
    )
    p.add_argument(
        "--max-bytes",
        metavar="N",
        type=_size,
        default=64 << 20,
        help="largest JSON line or text read, in bytes, with an optional K, M or G suffix (default 64M)",
    )
    p.add_argument("--quiet", action="store_true", help="no summary on stderr (errors and warnings still)")
    p.add_argument("--summary", metavar="FILE", help="also write the summary as JSON to FILE")
    g = p.add_argument_group("tuning (the corpus example's options; default: the crate's)")
    for option, _, kind, help in _TUNING:
        g.add_argument(f"--{option}", metavar="BOOL" if kind is None else "N", type=kind or _bool, help=help)
    return p


def detector(args):
    """The detector the tuning options ask for (``report_boilerplate`` on,
    as in the corpus example); a bad value raises ``ValueError`` naming the
    option."""
    import neardup

    settings = {name: getattr(args, name) for _, name, _, _ in _TUNING if getattr(args, name) is not None}
    try:
        return neardup.Detector(report_boilerplate=True, **settings)
    except ValueError as e:
        message = str(e)
        for option, name, _, _ in _TUNING:
            if name in message:
                raise ValueError(f"--{option}: {message}") from None
        raise


def _session(args):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("neardup")
    if args.master:
        builder = builder.master(args.master)
    confs = dict(args.conf)
    if "spark.pyspark.python" not in confs and not os.environ.get("PYSPARK_PYTHON"):
        # Python workers run this interpreter (the one with neardup
        # installed; pyspark reads the variable when the context starts); on
        # a real cluster set PYSPARK_PYTHON to the executors' own.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    confs.setdefault("spark.ui.showConsoleProgress", "false")
    for k, v in confs.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def _exists(spark, path):
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(p)


def _group_line(g, labels, key):
    return json.dumps(
        {key: [labels[m] for m in g.members], "representative": labels[g.representative]},
        ensure_ascii=False,
        separators=(",", ":"),
    )


class _Status:
    def __init__(self, quiet):
        self.quiet = quiet
        self.skipped = 0

    def say(self, line):
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def warn(self, line):
        print(line, file=sys.stderr, flush=True)


#: Skipped inputs listed one by one on stderr; past it, only counted.
LISTED = 50


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        d = detector(args)
    except ValueError as e:
        print(f"neardup.spark: {e}", file=sys.stderr)
        return 2
    fmt = args.format or ("parquet" if args.input.rstrip("/").lower().endswith(".parquet") else "jsonl")
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    # Local paths are checked before Spark starts (others once it has).
    if _local(args.output) and os.path.exists(_local(args.output)):
        print(f"neardup.spark: {args.output}: the output directory exists already (give a new one)", file=sys.stderr)
        return 2
    local_input = _local(args.input)
    if local_input and not any(c in local_input for c in "*?[{") and not os.path.exists(local_input):
        print(f"neardup.spark: {args.input}: no such file or directory", file=sys.stderr)
        return 2
    status = _Status(args.quiet)
    start = time.monotonic()
    spark = _session(args)
    try:
        return _run(spark, args, d, fmt, status, start)
    except _UsageError as e:
        print(f"neardup.spark: {e}", file=sys.stderr)
        return 2


class _UsageError(Exception):
    pass


def _run(spark, args, d, fmt, status, start):

    from . import _input, _job

    if _exists(spark, args.output):
        raise _UsageError(f"{args.output}: the output directory exists already (give a new one)")
    try:
        docs, cached = _input.read_articles(spark, args.input, fmt, args.max_bytes)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    except Exception as e:  # Spark's AnalysisException: a missing path
        if type(e).__name__ == "AnalysisException":
            raise _UsageError(f"{args.input}: {e}") from None
        raise
    clock = _job._Clock()
    with _job.shuffle_partitions(spark, _job.default_partitions(spark, _size_of(spark, args.input))):
        return _read_and_run(spark, args, d, docs, cached, clock, status, start)


def _size_of(spark, path):
    """Bytes under ``path`` (a file, a directory or a glob)."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return sum(fs.getContentSummary(s.getPath()).getLength() for s in (fs.globStatus(p) or []))


def _read_and_run(spark, args, d, docs, cached, clock, status, start):
    from pyspark.sql import functions as F

    from . import _job

    # Skipped lines (no label) and repeated ids (the first in input order is
    # kept), found by one aggregation; listed only when there are some.
    odd = docs.groupBy("label").agg(F.count("*").alias("n"), F.min("pos").alias("first"))
    odd = odd.where(F.col("label").isNull() | (F.col("n") > 1)).collect()
    n_errors = sum(r["n"] for r in odd if r["label"] is None)
    repeated = {r["label"]: r["first"] for r in odd if r["label"] is not None}
    listed = []
    if n_errors:
        errors = docs.where(F.col("error").isNotNull()).select("pos", "file", "error")
        listed += [
            (r["pos"], f"{_short(r['file'])}: {r['error']}") for r in errors.orderBy("pos").limit(LISTED).collect()
        ]
    skip = []
    if repeated:
        names = spark.createDataFrame([(k, v) for k, v in repeated.items()], "label string, first long")
        again = (
            docs.join(F.broadcast(names), "label").where(F.col("pos") != F.col("first")).select("label", "pos", "file")
        )
        again = again.orderBy("pos").collect()
        skip = [r["pos"] for r in again]
        listed += [
            (r["pos"], f"{_short(r['file'])}: article ID {json.dumps(r['label'], ensure_ascii=False)} already used")
            for r in again
        ]
    for _, line in sorted(listed)[:LISTED]:
        status.warn(line)
    skipped = n_errors + len(skip)
    if skipped > LISTED:
        status.warn(f"... and {skipped - LISTED} more skipped inputs")
    articles = docs.where(F.col("error").isNull())
    if skip:
        articles = articles.join(
            F.broadcast(spark.createDataFrame([(p,) for p in skip], "pos long")), "pos", "left_anti"
        )
    articles = articles.select(F.col("pos").alias("id"), "text", "label", "pos")
    clock.lap("read")
    result = _job.run(
        articles, d, labelled=True, min_coverage=args.min_coverage, groups=not args.no_groups, clock=clock,
        lines=args.no_boilerplate,
    )  # fmt: skip
    n_articles = result.articles
    labels = result.labels

    # The records, in the corpus example's order: partitions of a union
    # come in order, and so do the files Spark writes of them.
    from pyspark.sql import types as T

    value = T.StructType([T.StructField("value", T.StringType())])
    exact = [(_group_line(g, labels, "exact_duplicates"),) for g in result.exact_duplicates]
    near = [(_group_line(g, labels, "group"),) for g in result.groups]
    pair_lines = result.pairs.orderBy("a", "b").select(F.col("line").alias("value"))
    lines = (
        spark.createDataFrame(exact, value)
        .coalesce(1)
        .union(pair_lines)
        .union(spark.createDataFrame(near, value).coalesce(1))
    )
    lines.write.text(args.output)
    result.unpersist()
    cached.unpersist()
    clock.lap("write")

    sat = result.saturation
    if sat["fingerprints"]:
        status.warn(
            f"warning: {sat['fingerprints']} run fingerprints"
            + (
                " (or keys of rewritten candidates)"
                if d.settings()["rewritten"] and d.settings()["rewritten_candidates"]
                else ""
            )
            + f" were shared by more than --max-df {d.max_df} articles "
            f"({sat['fingerprint_entries']} entries): they proposed no pair, so pairs that share only such "
            "recurring runs are missing (raise --max-df to find them)"
        )
    if sat["buckets"]:
        status.warn(
            f"warning: {sat['buckets']} LSH buckets held more than --max-bucket {d.max_bucket} articles; "
            f"{sat['entries']} entries past the cap were not compared, so pairs of {sat['articles']} articles may be "
            "missing (raise --max-bucket, or keep boilerplate detection on)"
        )
    copies = sum(len(g.members) - 1 for g in result.exact_duplicates)
    wall = time.monotonic() - start
    status.say(f"read {n_articles} articles ({result.bytes / 1e6:.1f} MB of text); {skipped} inputs skipped")
    status.say(
        f"{result.pairs_found} pairs"
        + (f", {len(result.exact_duplicates)} groups of exact duplicates ({copies} copies not paired again)"
           if result.exact_duplicates else "")
        + ("" if args.no_groups else f", {len(result.groups)} near-duplicate groups")
        + f" among {n_articles} articles in {wall:.1f} s; stages (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in clock.seconds.items())
    )  # fmt: skip
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(
                {
                    "articles": n_articles,
                    "skipped": skipped,
                    "pairs": result.pairs_found,
                    "candidates": result.candidates,
                    "exact_duplicate_groups": len(result.exact_duplicates),
                    "groups": len(result.groups),
                    "saturation": sat,
                    "seconds": clock.seconds,
                    "wall_seconds": round(wall, 3),
                },
                f,
                indent=1,
            )
    return 1 if skipped else 0


def _local(path):
    """The local file system path of ``path`` (no scheme, or ``file:``), else
    None."""
    if path.startswith("file://"):
        return path[len("file://") :]
    if path.startswith("file:"):
        return path[len("file:") :]
    return None if "://" in path else path


def _short(path):
    return _local(path) or path
