"""Reading the command's input: JSON lines or Parquet of ``{"id": .., "text":
..}``, with the rules of the crate's ``corpus`` example (an id is a
non-empty string or an integer of 64 bits, printed as its digits; a text is
a string, not binary; blank lines and a byte-order mark are ignored; a line
longer than ``--max-bytes`` is skipped), in input order: files in name order,
lines in file order. What cannot be read is reported, never dropped silently.
"""

import functools
import json

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: What a row of input becomes: the article (label: its id as a string) or
#: the reason it was skipped (``error``), and where it comes from.
PARSED = T.StructType(
    [
        T.StructField("label", T.StringType()),
        T.StructField("text", T.StringType()),
        T.StructField("error", T.StringType()),
        T.StructField("file", T.StringType()),
        T.StructField("block", T.LongType()),
    ]
)

_ARROW = pa.schema(
    [
        ("label", pa.string()),
        ("text", pa.string()),
        ("error", pa.string()),
        ("file", pa.string()),
        ("block", pa.int64()),
    ]
)

_BOM = b"\xef\xbb\xbf"
_WHITE = b" \t\n\r\x0b\x0c"
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13, 12))
_HEAD_BYTES = 8192
_I64 = (-(1 << 63), (1 << 64) - 1)


def check_text(text):
    """Why ``text`` is not text (``neardup::text::decode``'s rules: no NUL
    byte, at most 10 % control characters in the first 8 KiB), or None."""
    if "\x00" in text:
        data = text.encode("utf-8")
        return f"text is binary (NUL byte at offset {data.index(0)})"
    head = text[:_HEAD_BYTES].encode("utf-8")[:_HEAD_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROLS))
    if controls * 10 > len(head):
        return "text is binary (more than 10% control characters)"
    return None


def _snippet(line):
    s = line[:60].decode("utf-8", "replace")
    return json.dumps(s + ("..." if len(line) > 60 else ""), ensure_ascii=False)


def parse_line(line, max_bytes):
    """``(label, text, None)`` for a good JSON line, ``(None, None, reason)``
    for a bad one, None for a blank one."""
    if len(line.rstrip(b"\r")) > max_bytes:
        return None, None, f"a line longer than the maximum of {max_bytes} bytes; see --max-bytes"
    if not line.strip(_WHITE):
        return None
    try:
        s = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, None, f"not valid UTF-8: invalid byte sequence at byte {e.start} of the line"
    try:
        value = json.loads(s)
    except ValueError as e:
        return None, None, f"bad JSON: {e} (the line starts {_snippet(line)})"
    if not isinstance(value, dict):
        return None, None, f"not a JSON object (the line starts {_snippet(line)})"
    return check_record(value.get("id", _MISSING), value.get("text", _MISSING))


_MISSING = object()


def check_record(id, text):
    """``(label, text, None)`` or ``(None, None, reason)`` for one record."""
    if id is _MISSING:
        return None, None, 'no "id"'
    if isinstance(id, str):
        if not id:
            return None, None, '"id" is empty'
        label = id
    elif isinstance(id, int) and not isinstance(id, bool):
        if not _I64[0] <= id <= _I64[1]:
            return None, None, f'"id" {id} is not an integer of 64 bits (give such an id as a string, in quotes)'
        label = str(id)
    elif isinstance(id, float):
        return None, None, f'"id" {id!r} is not an integer of 64 bits (give such an id as a string, in quotes)'
    else:
        return None, None, '"id" is neither a string nor a number'
    if text is _MISSING:
        return None, None, f'article {json.dumps(label)}: no "text"'
    if not isinstance(text, str):
        return None, None, f'article {json.dumps(label)}: "text" is not a string'
    problem = check_text(text)
    if problem:
        return None, None, f"article {json.dumps(label)}: {problem}"
    return label, text, None


def _jsonl_batches(max_bytes, batches):
    for batch in batches:
        lines = batch.column("value").to_pylist()
        files = batch.column("file").to_pylist()
        blocks = batch.column("block").to_pylist()
        out = {"label": [], "text": [], "error": [], "file": [], "block": []}
        for line, file, block in zip(lines, files, blocks):
            if line is None:
                continue
            if block == 0 and line.startswith(_BOM):
                # The first line of a file (a split at 0 starts the file).
                line = line[len(_BOM) :]
            r = parse_line(line, max_bytes)
            if r is None:
                continue
            for k, v in zip(("label", "text", "error"), r):
                out[k].append(v)
            out["file"].append(file)
            out["block"].append(block)
        yield pa.RecordBatch.from_pydict(out, schema=_ARROW)


def _parquet_batches(max_bytes, batches):
    for batch in batches:
        ids = batch.column("id").to_pylist()
        texts = batch.column("text").to_pylist()
        out = {"label": [], "text": [], "error": [], "file": [], "block": []}
        for id, text, file, block in zip(
            ids, texts, batch.column("file").to_pylist(), batch.column("block").to_pylist()
        ):
            if id is None:
                r = (None, None, 'no "id" (null)')
            elif text is None:
                r = (None, None, f'article {json.dumps(str(id))}: no "text" (null)')
            elif len(text) > max_bytes // 4 and len(text.encode("utf-8")) > max_bytes:
                too_large = f"larger than the maximum of {max_bytes} bytes; see --max-bytes"
                r = (None, None, f"article {json.dumps(str(id))}: {too_large}")
            else:
                r = check_record(id, text)
            for k, v in zip(("label", "text", "error"), r):
                out[k].append(v)
            out["file"].append(file)
            out["block"].append(block)
        yield pa.RecordBatch.from_pydict(out, schema=_ARROW)


def read_articles(spark, path, fmt, max_bytes):
    """The articles of ``path`` (a file, a directory or a glob) as a
    DataFrame ``(label, text, error, file, block, pos)``: one row per
    non-blank line or Parquet row, in input order by ``pos``; and the
    persisted DataFrame it is computed from (to ``unpersist``)."""
    if fmt == "parquet":
        raw = spark.read.parquet(path)
        names = {f.name: f.dataType for f in raw.schema.fields}
        for col in ("id", "text"):
            if col not in names:
                raise ValueError(f"{path}: no {col!r} column in the Parquet input (columns: {', '.join(raw.columns)})")
        if not isinstance(names["id"], (T.StringType, T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
            raise ValueError(f"{path}: the 'id' column is {names['id'].simpleString()}, not a string or an integer")
        if not isinstance(names["text"], T.StringType):
            raise ValueError(f"{path}: the 'text' column is {names['text'].simpleString()}, not a string")
        raw = raw.select(
            "id", "text", F.col("_metadata.file_path").alias("file"), F.col("_metadata.file_block_start").alias("block")
        )
        parse = functools.partial(_parquet_batches, max_bytes)
    else:
        raw = spark.read.option("lineSep", "\n").text(path)
        raw = raw.select(
            F.col("value").cast("binary").alias("value"),
            F.col("_metadata.file_path").alias("file"),
            F.col("_metadata.file_block_start").alias("block"),
        )
        parse = functools.partial(_jsonl_batches, max_bytes)
    parsed = raw.mapInArrow(parse, PARSED).withColumn("m", F.monotonically_increasing_id())
    if _single_file(spark, path):
        # One file: Spark's partitions are its splits in order (all of one
        # size but the last), so the row numbers are the input order.
        parsed = parsed.withColumnRenamed("m", "pos").persist(StorageLevel.DISK_ONLY)
        return parsed, parsed
    # Input order: splits (file, start) in order, rows in order within one
    # (Spark packs splits into partitions by size, not by name).
    parsed = parsed.persist(StorageLevel.DISK_ONLY)
    splits = sorted((r["file"], r["block"]) for r in parsed.select("file", "block").distinct().collect())
    ordinals = spark.createDataFrame(
        [(f, b, i) for i, (f, b) in enumerate(splits)], "file string, block long, split long"
    )
    return parsed.join(F.broadcast(ordinals), ["file", "block"]).select(
        "label", "text", "error", "file", "block",
        (F.col("split") * F.lit(1 << 33) + F.col("m").bitwiseAND(F.lit((1 << 33) - 1))).alias("pos"),
    ), parsed  # fmt: skip


def _single_file(spark, path):
    """Whether ``path`` names one file (not a directory or a glob)."""
    if any(c in path for c in "*?[{"):
        return False
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs.exists(p) and fs.getFileStatus(p).isFile()
