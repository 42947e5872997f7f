"""What runs on the executors: functions over Arrow record batches, called by
``mapInArrow`` with the pickled :class:`neardup.Detector` bound in.

Nothing here loops over words, entries or cues in Python: the Rust stages
(``Detector.keys_columns``, ``Detector.cue_columns``,
``Detector.verify_columns``) do the work on a whole batch or part at once,
and numpy and pyarrow reshape their columnar input and output. Only the
command's pair lines (``_lines``) are formatted in Python, a passage at a
time.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._lines import KINDS, pair_lines

# Spark's Arrow types for the schemas of ``_job``.
_I64 = pa.int64()
_I32 = pa.int32()

#: The Arrow schema of a keys record (``_job.KEYS_SCHEMA``): one row per
#: article (``bucket`` null), and rows of packed entries (``bucket`` and
#: ``data``, the rest null) of the run fingerprints and LSH bands of a batch
#: of articles, one bucket of the candidates' shuffle each.
KEYS_ARROW = pa.schema(
    [("pos", _I64), ("id", _I64), ("bytes", _I64), ("units", _I32), ("duplicate_key", pa.binary())]
    + [("segment_key", pa.list_(_I64)), ("segment_context", pa.list_(_I64)), ("segment_first", pa.list_(pa.bool_()))]
    + [("bucket", _I32), ("data", pa.binary())]
)

#: An entry of a run fingerprint (``kind`` 1, ``key`` its hash, ``at`` the
#: run's first word), of an LSH bucket (``kind`` 0, ``band`` and ``key``,
#: ``at`` the unit) or of a bag key (``kind`` 2, ``band`` its bag band,
#: ``at`` the sentence), packed: what ``Detector.cue_columns`` takes.
ENTRY = np.dtype([("kind", "<i4"), ("band", "<i4"), ("key", "<i8"), ("pos", "<i8"), ("id", "<i8"), ("at", "<i4")])

#: A packed cue row of ``Detector.cue_columns``.
CUE = np.dtype([("a", "<i8"), ("b", "<i8"), ("k", "<i4"), ("ca", "<i4"), ("cb", "<i4")])

#: The Arrow schema of what the candidates task gives (``_job.CUES_SCHEMA``):
#: ``kind`` 0, an article ``id`` that ``part`` needs; 1, packed cue rows of
#: ``part`` in ``data``; 2, in ``data`` (5 int64) the counts of what the caps
#: cut (``Detector.cue_columns``' ``stats``) and of the task's kind-0 rows;
#: 3, the position ``id`` of an article with an entry past ``max_bucket``.
CUES_ARROW = pa.schema([("part", _I32), ("kind", _I32), ("id", _I64), ("data", pa.binary())])

#: Most bytes of packed entries or cues in one row (Spark moves a few large
#: rows far faster than many small ones; a row of half a G1 heap region or
#: more, 1 MB of a 2 GiB heap, is a humongous object, which the JVM
#: allocates and collects at a cost).
BLOB_BYTES = 256 << 10

#: Rows per record batch of verified pairs.
VERIFY_CHUNK = 16384


def _offsets(article, n):
    """List offsets for entries owned by ``article`` (indices into a batch of
    ``n`` articles, in increasing order)."""
    article = np.asarray(article, dtype=np.int64)
    counts = np.bincount(article, minlength=n) if article.size else np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _segment_lists(keys, n):
    """Per article: its distinct ``(segment key, context)`` pairs sorted, and
    for each whether it is the first of its key in the article (so that a sum
    of those flags over articles counts the articles holding a key)."""
    art = np.asarray(keys["segment_article"], dtype=np.int64)
    s = np.asarray(keys["segment_key"], dtype=np.int64)
    c = np.asarray(keys["segment_context"], dtype=np.int64)
    if art.size:
        order = np.lexsort((c, s, art))
        art, s, c = art[order], s[order], c[order]
        new = np.ones(art.size, dtype=bool)
        new[1:] = (art[1:] != art[:-1]) | (s[1:] != s[:-1]) | (c[1:] != c[:-1])
        art, s, c = art[new], s[new], c[new]
        first = np.ones(art.size, dtype=bool)
        first[1:] = (art[1:] != art[:-1]) | (s[1:] != s[:-1])
    else:
        first = np.zeros(0, dtype=bool)
    off = pa.array(_offsets(art, n), _I32)
    return (
        pa.ListArray.from_arrays(off, pa.array(s, _I64)),
        pa.ListArray.from_arrays(off, pa.array(c, _I64)),
        pa.ListArray.from_arrays(off, pa.array(first, pa.bool_())),
    )


def bucket_of(entries, buckets):
    """The bucket of the candidates' shuffle of each packed entry, in
    ``0..buckets``: a mix of its ``(kind, band, key)``, so that every entry
    of a run fingerprint or an LSH bucket goes to the same one."""
    h = entries["key"].view(np.uint64) ^ (entries["band"].astype(np.uint64) << np.uint64(32))
    h = h ^ entries["kind"].astype(np.uint64)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    return (h % np.uint64(buckets)).astype(np.int64)


def _entries(keys, pos, ids):
    """The packed entries (``ENTRY``) of a batch's keys: run fingerprints,
    band entries, then bag keys (``rewritten``); ``pos`` and ``ids`` of the
    batch's articles."""
    aa = np.asarray(keys["anchor_article"], dtype=np.int64)
    ba = np.asarray(keys["band_article"], dtype=np.int64)
    ga = np.asarray(keys["bag_article"], dtype=np.int64)
    na, nb = aa.size, aa.size + ba.size
    e = np.empty(nb + ga.size, dtype=ENTRY)
    e["kind"][:na] = 1
    e["band"][:na] = 0
    e["key"][:na] = np.asarray(keys["anchor_hash"], dtype=np.int64)
    e["pos"][:na] = pos[aa]
    e["id"][:na] = ids[aa]
    e["at"][:na] = np.asarray(keys["anchor_word"], dtype=np.int64)
    e["kind"][na:nb] = 0
    e["band"][na:nb] = np.asarray(keys["band"], dtype=np.int64)
    e["key"][na:nb] = np.asarray(keys["band_key"], dtype=np.int64)
    e["pos"][na:nb] = pos[ba]
    e["id"][na:nb] = ids[ba]
    e["at"][na:nb] = np.asarray(keys["band_unit"], dtype=np.int64)
    e["kind"][nb:] = 2
    e["band"][nb:] = np.asarray(keys["bag_band"], dtype=np.int64)
    e["key"][nb:] = np.asarray(keys["bag_key"], dtype=np.int64)
    e["pos"][nb:] = pos[ga]
    e["id"][nb:] = ids[ga]
    e["at"][nb:] = np.asarray(keys["bag_sentence"], dtype=np.int64)
    return e


def _blobs(rows, lo, hi, size):
    """``rows[lo:hi]`` (a structured array) as bytes of at most about
    ``BLOB_BYTES`` each."""
    step = max(1, BLOB_BYTES // size)
    return [rows[i : min(hi, i + step)].tobytes() for i in range(lo, hi, step)]


#: The columns of ``Detector.keys_columns`` and their types.
_KEYS_COLUMNS = {
    "units": "<u4", "anchor_article": "<u4", "anchor_hash": "<i8", "anchor_word": "<u4", "band_article": "<u4",
    "band_unit": "<u4", "band": "<u4", "band_key": "<i8", "segment_article": "<u4", "segment_key": "<i8",
    "segment_context": "<i8", "bag_article": "<u4", "bag_sentence": "<u4", "bag_band": "<u4", "bag_key": "<i8",
}  # fmt: skip


def _keys_arrays(res):
    """``Detector.keys_columns``' result as numpy arrays, and its duplicate
    keys as an Arrow binary array (null for a text without units)."""
    out = {name: np.frombuffer(res[name], dtype=t) for name, t in _KEYS_COLUMNS.items()}
    has = np.frombuffer(res["has_duplicate_key"], dtype=np.uint8) != 0
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), len(has), [None, pa.py_buffer(res["duplicate_key"])])
    out["duplicate_key"] = pc.if_else(pa.array(has), fixed, pa.scalar(None, pa.binary(16))).cast(pa.binary())
    return out


def keys_batches(detector, buckets, bucket_keys, batches):
    """Stage 1, map: for each batch of ``(pos, id, text)`` rows, the keys of
    every article, one row each, and its run fingerprints' and band entries
    packed by bucket of the candidates' shuffle (``bucket_keys[b]``: the
    value that sends bucket ``b`` to a partition of its own)
    (``_job.KEYS_SCHEMA``)."""
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        text_offsets, text_data = _string_buffers(batch.column("text"), "keys")
        keys = _keys_arrays(detector.keys_columns(text_offsets, text_data))
        seg_key, seg_context, seg_first = _segment_lists(keys, n)
        yield pa.RecordBatch.from_pydict(
            {
                "pos": batch.column("pos"),
                "id": batch.column("id"),
                "bytes": pa.array(np.diff(np.frombuffer(text_offsets, dtype="<i8")), _I64),
                "units": pa.array(keys["units"].astype(np.int32), _I32),
                "duplicate_key": keys["duplicate_key"],
                "segment_key": seg_key,
                "segment_context": seg_context,
                "segment_first": seg_first,
                "bucket": pa.nulls(n, _I32),
                "data": pa.nulls(n, pa.binary()),
            },
            schema=KEYS_ARROW,
        )
        pos = batch.column("pos").to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        ids = batch.column("id").to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        entries = _entries(keys, pos, ids)
        if entries.size == 0:
            continue
        bucket = bucket_of(entries, buckets)
        order = np.argsort(bucket, kind="stable")
        entries = entries[order]
        ends = np.cumsum(np.bincount(bucket, minlength=buckets))
        out_bucket, out_data = [], []
        lo = 0
        for b, hi in enumerate(ends.tolist()):
            for blob in _blobs(entries, lo, hi, ENTRY.itemsize):
                out_bucket.append(bucket_keys[b])
                out_data.append(blob)
            lo = hi
        m = len(out_data)
        yield pa.RecordBatch.from_pydict(
            {
                **{f.name: pa.nulls(m, f.type) for f in KEYS_ARROW if f.name not in ("bucket", "data")},
                "bucket": pa.array(out_bucket, _I32),
                "data": pa.array(out_data, pa.binary()),
            },
            schema=KEYS_ARROW,
        )


def _packed(batches, dtype, what):
    """The packed rows of the ``data`` column of ``batches``, concatenated,
    as a structured array of ``dtype``."""
    chunks = []
    for batch in batches:
        arr = batch.column("data")
        if arr.null_count:
            raise ValueError(f"{what}: a row without data")
        _, offsets, data = arr.buffers()
        if data is None:
            continue
        width = "<i8" if pa.types.is_large_binary(arr.type) else "<i4"
        off = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
        chunks.append(memoryview(data)[off[0] : off[-1]])
    buf = b"".join(chunks)
    if len(buf) % dtype.itemsize:
        raise ValueError(f"{what}: {len(buf)} bytes of packed rows, not a whole number of {dtype.itemsize}-byte rows")
    return np.frombuffer(buf, dtype=dtype)


def cue_batches(detector, copies, parts, part_keys, batches):
    """Stage 3, candidates: the packed entries of a partition (rows
    ``bucket``, ``data`` of the keys; every entry of a run fingerprint or an
    LSH bucket in the same partition), less those of the exact duplicates'
    copies (positions ``copies``, sorted), paired by
    ``Detector.cue_columns`` into cue rows for ``parts`` verify parts
    (``part_keys[p]``: the value that sends part ``p`` to a partition of its
    own). Yields ``CUES_ARROW`` rows: the articles each part needs, its
    packed cue rows, what the caps cut."""
    entries = _packed([b for b in batches if b.num_rows], ENTRY, "candidates")
    if copies.size and entries.size:
        entries = entries[~np.isin(entries["pos"], copies)]
    if entries.size == 0:
        return

    def col(name, dtype):
        return np.ascontiguousarray(entries[name], dtype=dtype).tobytes()

    res = detector.cue_columns(
        col("kind", "<i4"), col("band", "<i4"), col("key", "<i8"), col("pos", "<i8"), col("id", "<i8"),
        col("at", "<i4"), parts,
    )  # fmt: skip
    keys = np.asarray(part_keys, dtype=np.int32)
    need_part = keys[np.frombuffer(res["need_part"], dtype="<i4")]
    need_id = np.frombuffer(res["need_id"], dtype="<i8")
    past = np.frombuffer(res["past_cap"], dtype="<i8")

    def rows(part, kind, ids, data):
        m = len(ids)
        return pa.RecordBatch.from_pydict(
            {
                "part": pa.array(part, _I32),
                "kind": pa.array(np.full(m, kind, dtype=np.int32), _I32),
                "id": pa.array(ids, _I64),
                "data": pa.array(data, pa.binary()) if data is not None else pa.nulls(m, pa.binary()),
            },
            schema=CUES_ARROW,
        )

    stats = res["stats"] + np.int64(need_id.size).tobytes()
    yield rows(np.array([-1], dtype=np.int32), 2, np.zeros(1, dtype=np.int64), [stats])
    if past.size:
        yield rows(np.full(past.size, -1, dtype=np.int32), 3, past, None)
    yield rows(need_part, 0, need_id, None)
    cues = np.frombuffer(res["cues"], dtype=CUE)
    offsets = np.frombuffer(res["cue_offsets"], dtype="<i8") // CUE.itemsize
    blob_parts, blobs = [], []
    for p in range(parts):
        for blob in _blobs(cues, int(offsets[p]), int(offsets[p + 1]), CUE.itemsize):
            blob_parts.append(part_keys[p])
            blobs.append(blob)
            if len(blobs) == 16:
                yield rows(np.array(blob_parts, dtype=np.int32), 1, np.zeros(len(blobs), dtype=np.int64), blobs)
                blob_parts, blobs = [], []
    if blobs:
        yield rows(np.array(blob_parts, dtype=np.int32), 1, np.zeros(len(blobs), dtype=np.int64), blobs)


def _verify_part(detector, labelled, lines, articles, cues):
    """Verifies one part: ``articles`` (record batches of kind-0 rows: id
    ``a``, ``text``, ``bp_key``, ``bp_articles``, ``label``) and ``cues``
    (record batches of ``data``: packed cue rows, in any order) in one
    ``Detector.verify_columns`` call, straight from the Arrow buffers.
    Yields the verified pairs as record batches (``pair_arrow_schema``, or
    with ``lines`` not None ``LINES_ARROW``: the corpus example's pair line
    of each pair, boilerplate passages left out if ``lines`` is true), then
    the part's number of candidate pairs (``_candidates_row``)."""
    if not cues:
        return
    # Every copy is dropped as soon as the next one is made: a part's texts
    # and cue rows are most of a verify task's memory. The caller keeps no
    # reference to the batches, so clearing the lists frees them.
    art = pa.Table.from_batches(articles).combine_chunks() if articles else None
    articles.clear()
    if art is None or art.num_rows == 0:
        raise ValueError("verify: a part has cue rows but no articles")
    ids = art.column("a").combine_chunks().to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    text_offsets, text_data = _string_buffers(art.column("text").combine_chunks())
    bp_keys = art.column("bp_key").combine_chunks()
    bp_offsets = np.zeros(len(bp_keys) + 1, dtype=np.int64)
    np.cumsum(pc.list_value_length(bp_keys).fill_null(0).to_numpy(zero_copy_only=False), out=bp_offsets[1:])
    bp_key_values = pc.list_flatten(bp_keys).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    bp_counts = pc.list_flatten(art.column("bp_articles").combine_chunks()).to_numpy(zero_copy_only=False)
    labels = art.column("label").combine_chunks() if labelled else None
    del art, bp_keys
    cue = _packed(cues, CUE, "verify")
    cues.clear()
    cue_columns = [
        np.ascontiguousarray(cue[name], dtype=dtype).tobytes()
        for name, dtype in (("a", np.int64), ("b", np.int64), ("k", np.int32), ("ca", np.int32), ("cb", np.int32))
    ]
    del cue
    res = detector.verify_columns(
        ids.tobytes(), text_offsets, text_data, bp_offsets.tobytes(), bp_key_values.tobytes(),
        bp_counts.astype(np.int32, copy=False).tobytes(), *cue_columns,
    )  # fmt: skip
    del text_data, cue_columns
    if lines is None:
        batch = _columns_batch(res, labels)
    else:
        batch = _lines_batch(res, labels, lines)
    for lo in range(0, batch.num_rows, VERIFY_CHUNK):
        yield batch.slice(lo, VERIFY_CHUNK)
    yield _candidates_row(int(np.frombuffer(res["candidates"], dtype="<i8")[0]), labelled, lines is not None)


#: The Arrow schema of the verified pairs as the command writes them
#: (``_job.LINES_SCHEMA``): ids, labels, coverages (for the groups) and the
#: corpus example's pair line.
LINES_ARROW = pa.schema(
    [("a", _I64), ("b", _I64), ("a_label", pa.string()), ("b_label", pa.string())]
    + [("a_coverage", pa.float64()), ("b_coverage", pa.float64()), ("line", pa.string())]
)


def _lines_batch(res, labels, no_boilerplate):
    """The verified pairs of a ``verify_columns`` result as ``LINES_ARROW``
    rows (labels: a string array of the call's articles)."""
    a_labels = labels.take(pa.array(_np(res, "a_index", "<i8")))
    b_labels = labels.take(pa.array(_np(res, "b_index", "<i8")))
    text = pair_lines(res, a_labels.to_pylist(), b_labels.to_pylist(), no_boilerplate)
    return pa.RecordBatch.from_pydict(
        {
            "a": pa.array(_np(res, "a", "<i8"), _I64),
            "b": pa.array(_np(res, "b", "<i8"), _I64),
            "a_label": a_labels,
            "b_label": b_labels,
            "a_coverage": pa.array(_np(res, "a_coverage", "<f8"), pa.float64()),
            "b_coverage": pa.array(_np(res, "b_coverage", "<f8"), pa.float64()),
            "line": pa.array(text, pa.string()),
        },
        schema=LINES_ARROW,
    )


def _candidates_row(n, labelled, lines=False):
    """The row that reports a part's ``n`` candidate pairs: ``a`` = -1 (no
    id is negative), ``b`` = ``n``, the rest empty (``_job`` counts and
    drops it)."""
    schema = LINES_ARROW if lines else pair_arrow_schema(labelled)
    cols = {f.name: pa.array([0], f.type) for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)}
    cols["a"], cols["b"] = pa.array([-1], _I64), pa.array([n], _I64)
    for f in schema:
        if pa.types.is_list(f.type):
            cols[f.name] = pa.array([[]], f.type)
        elif f.name not in cols:
            cols[f.name] = pa.nulls(1, f.type)
    return pa.RecordBatch.from_pydict({f.name: cols[f.name] for f in schema}, schema=schema)


def _string_buffers(arr, stage="verify"):
    """The offsets (n + 1 int64, as bytes) and the data buffer (bytes) of a
    string array; the offsets point into that buffer."""
    arr = arr.cast(pa.large_string())
    if arr.null_count:
        raise ValueError(f"{stage}: a null text")
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, dtype="<i8")[arr.offset : arr.offset + len(arr) + 1]
    return off.tobytes(), (data.to_pybytes() if data is not None else b"")


def _np(res, name, dtype):
    return np.frombuffer(res[name], dtype=dtype)


def _passage_lists(res, prefix):
    """The list array of passage structs of ``verify_columns``' columns."""
    arrays = []
    for name, t in PASSAGE_FIELDS:
        key = f"{prefix}.{name}"
        if name == "kind":
            # The codes 0, 1, 2 of verify_columns, as Passage.kind names them.
            arrays.append(pa.array(np.array(KINDS, dtype=object)[_np(res, key, "<i8")], t))
        elif pa.types.is_boolean(t):
            arrays.append(pa.array(_np(res, key, np.uint8).astype(bool), t))
        elif pa.types.is_floating(t):
            arrays.append(pa.array(_np(res, key, "<f8"), t))
        else:
            arrays.append(pa.array(_np(res, key, "<i8"), t))
    struct = pa.StructArray.from_arrays(arrays, fields=list(PASSAGE_TYPE))
    return pa.ListArray.from_arrays(pa.array(_np(res, f"{prefix}.offsets", "<i4"), _I32), struct)


def _columns_batch(res, labels):
    """The verified pairs of a ``verify_columns`` result as a record batch;
    labels (a string array of the call's articles) when labelled."""
    cols = {"a": pa.array(_np(res, "a", "<i8"), _I64), "b": pa.array(_np(res, "b", "<i8"), _I64)}
    if labels is not None:
        cols["a_label"] = labels.take(pa.array(_np(res, "a_index", "<i8")))
        cols["b_label"] = labels.take(pa.array(_np(res, "b_index", "<i8")))
    cols["candidate_similarity"] = pa.array(_np(res, "candidate_similarity", "<f8"), pa.float64())
    cols["passages"] = _passage_lists(res, "passages")
    cols["boilerplate"] = _passage_lists(res, "boilerplate")
    for name, t in REPORT_FIELDS:
        cols[name] = pa.array(_np(res, name, "<f8" if pa.types.is_floating(t) else "<i8"), t)
    return pa.RecordBatch.from_pydict(cols, schema=pair_arrow_schema(labels is not None))


_ARTICLE_COLUMNS = ("a", "text", "bp_key", "bp_articles", "label")
_CUE_COLUMNS = ("data",)


def verify_batches(detector, labelled, lines, batches):
    """Stage 4, verify: the rows of a partition, in any order — for each
    part, its articles (kind 0: ``a`` is the article's id, with its text,
    boilerplate and label) and the cue rows of its candidate pairs (kind 1:
    ``data``, cue rows packed by ``Detector.cue_columns``, ``a < b``). Each
    part is verified by one ``Detector.verify_columns`` call on its Arrow
    buffers, which groups and sorts the cue rows (no sort in the JVM).
    Yields one row per verified pair (``pair_arrow_schema``; with
    ``lines`` not None, ``LINES_ARROW``: see ``_verify_part``), parts in
    increasing order, pairs in increasing ``(a, b)`` order within a part,
    each part followed by the row of its number of candidate pairs
    (``a`` = -1)."""
    parts = {}  # part -> (article batches, cue batches)
    for batch in batches:
        if batch.num_rows == 0:
            continue
        part = batch.column("part").to_numpy(zero_copy_only=False)
        kind = batch.column("kind").to_numpy(zero_copy_only=False)
        for p in np.unique(part).tolist():
            articles, cues = parts.setdefault(p, ([], []))
            here = part == p
            for is_article, out, names in ((True, articles, _ARTICLE_COLUMNS), (False, cues, _CUE_COLUMNS)):
                mask = here & ((kind == 0) if is_article else (kind != 0))
                if mask.all():
                    out.append(batch.select(list(names)))
                elif mask.any():
                    out.append(batch.select(list(names)).filter(pa.array(mask)))
    for p in sorted(parts):
        yield from _verify_part(detector, labelled, lines, *parts.pop(p))


#: A passage in the pairs DataFrame: ``Passage.to_dict()`` with each
#: ``(start, end)`` span as two fields.
PASSAGE_FIELDS = (
    ("a_start", _I64),
    ("a_end", _I64),
    ("b_start", _I64),
    ("b_end", _I64),
    ("a_byte_start", _I64),
    ("a_byte_end", _I64),
    ("b_byte_start", _I64),
    ("b_byte_end", _I64),
    ("a_token_start", _I64),
    ("a_token_end", _I64),
    ("b_token_start", _I64),
    ("b_token_end", _I64),
    ("matched_words", _I64),
    ("kind", pa.string()),
    ("similarity", pa.float64()),
    ("bag_similarity", pa.float64()),
    ("containment_a", pa.float64()),
    ("containment_b", pa.float64()),
    ("boilerplate", pa.bool_()),
    ("boilerplate_articles", _I64),
)
PASSAGE_TYPE = pa.struct([pa.field(name, t) for name, t in PASSAGE_FIELDS])
#: The report's own fields, after its passage lists.
REPORT_FIELDS = (
    ("a_words", _I64),
    ("b_words", _I64),
    ("a_covered_words", _I64),
    ("b_covered_words", _I64),
    ("a_coverage", pa.float64()),
    ("b_coverage", pa.float64()),
)
_SPANS = ("a_bytes", "b_bytes", "a_tokens", "b_tokens")
_SPAN_NAMES = {"a_bytes": "a_byte", "b_bytes": "b_byte", "a_tokens": "a_token", "b_tokens": "b_token"}


def passage_dict(record):
    """A passage struct of the pairs DataFrame in ``Passage.to_dict()``'s shape."""
    out = {}
    for name, _ in PASSAGE_FIELDS[:4]:
        out[name] = record[name]
    for span in _SPANS:
        prefix = _SPAN_NAMES[span]
        out[span] = (record[prefix + "_start"], record[prefix + "_end"])
    for name, _ in PASSAGE_FIELDS[12:]:
        out[name] = record[name]
    return out


def pair_arrow_schema(labelled):
    """The Arrow schema of the verified pairs (``_job.pair_schema``)."""
    fields = [pa.field("a", _I64), pa.field("b", _I64)]
    if labelled:
        fields += [pa.field("a_label", pa.string()), pa.field("b_label", pa.string())]
    fields += [
        pa.field("candidate_similarity", pa.float64()),
        pa.field("passages", pa.list_(PASSAGE_TYPE)),
        pa.field("boilerplate", pa.list_(PASSAGE_TYPE)),
    ]
    fields += [pa.field(name, t) for name, t in REPORT_FIELDS]
    return pa.schema(fields)
