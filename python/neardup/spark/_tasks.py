"""What runs on the executors: functions over Arrow record batches, called by
``mapInArrow`` with the pickled :class:`neardup.Detector` bound in.

Nothing here loops over words, cues or passages in Python: the Rust stages
(``Detector.keys``, ``Detector.verify_columns``) do the work on a whole batch
or part at once, and numpy and pyarrow reshape their columnar input and
output.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Spark's Arrow types for the schemas of ``_job``.
_I64 = pa.int64()
_I32 = pa.int32()

#: The columns of a keys record, one row per article (see ``keys_schema``).
KEY_LISTS = (
    ("anchor_hash", _I64, "anchor_article", "anchor_hash"),
    ("anchor_word", _I32, "anchor_article", "anchor_word"),
    ("band_unit", _I32, "band_article", "band_unit"),
    ("band", _I32, "band_article", "band"),
    ("band_key", _I64, "band_article", "band_key"),
)

#: The Arrow schema of a keys record (``_job.KEYS_SCHEMA``).
KEYS_ARROW = pa.schema(
    [("pos", _I64), ("id", _I64), ("bytes", _I64), ("units", _I32), ("duplicate_key", pa.binary())]
    + [(name, pa.list_(t)) for name, t, _, _ in KEY_LISTS]
    + [("segment_key", pa.list_(_I64)), ("segment_context", pa.list_(_I64)), ("segment_first", pa.list_(pa.bool_()))]
)

#: Rows per record batch of verified pairs.
VERIFY_CHUNK = 16384


def _offsets(article, n):
    """List offsets for entries owned by ``article`` (indices into a batch of
    ``n`` articles, in increasing order) and the order that sorts them so."""
    article = np.asarray(article, dtype=np.int64)
    order = None
    if article.size and np.any(article[1:] < article[:-1]):
        order = np.argsort(article, kind="stable")
        article = article[order]
    counts = np.bincount(article, minlength=n) if article.size else np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return offsets, order


def _list(offsets, values, order, dtype):
    values = np.asarray(values, dtype=dtype.to_pandas_dtype())
    if order is not None:
        values = values[order]
    return pa.ListArray.from_arrays(pa.array(offsets, _I32), pa.array(values, dtype))


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
    offsets, _ = _offsets(art, n)
    off = pa.array(offsets, _I32)
    return (
        pa.ListArray.from_arrays(off, pa.array(s, _I64)),
        pa.ListArray.from_arrays(off, pa.array(c, _I64)),
        pa.ListArray.from_arrays(off, pa.array(first, pa.bool_())),
    )


def keys_batches(detector, batches):
    """Stage 1, map: for each batch of ``(pos, id, text)`` rows, the keys of
    every article, one row each (``_job.KEYS_SCHEMA``)."""
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        texts = batch.column("text").to_pylist()
        keys = detector.keys(texts)
        columns = {
            "pos": batch.column("pos"),
            "id": batch.column("id"),
            "bytes": pa.array([len(t.encode("utf-8")) for t in texts], _I64),
            "units": pa.array(keys["units"], _I32),
            "duplicate_key": pa.array(keys["duplicate_key"], pa.binary()),
        }
        groups = {}
        for name, dtype, article, values in KEY_LISTS:
            if article not in groups:
                groups[article] = _offsets(keys[article], n)
            offsets, order = groups[article]
            columns[name] = _list(offsets, keys[values], order, dtype)
        columns["segment_key"], columns["segment_context"], columns["segment_first"] = _segment_lists(keys, n)
        yield pa.RecordBatch.from_pydict(columns, schema=KEYS_ARROW)


def _verify_part(detector, labelled, articles, cues):
    """Verifies one part: ``articles`` (record batches of kind-0 rows: id
    ``a``, ``text``, ``bp_key``, ``bp_articles``, ``label``) and ``cues``
    (record batches of its cue rows, in any order) in one
    ``Detector.verify_columns`` call, straight from the Arrow buffers.
    Yields the verified pairs as record batches (``pair_arrow_schema``)."""
    if not cues:
        return
    art = pa.Table.from_batches(articles).combine_chunks() if articles else None
    if art is None or art.num_rows == 0:
        raise ValueError("verify: a part has cue rows but no articles")
    ids = art.column("a").combine_chunks().to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    text_offsets, text_data = _string_buffers(art.column("text").combine_chunks())
    bp_keys = art.column("bp_key").combine_chunks()
    bp_offsets = np.zeros(len(bp_keys) + 1, dtype=np.int64)
    np.cumsum(pc.list_value_length(bp_keys).fill_null(0).to_numpy(zero_copy_only=False), out=bp_offsets[1:])
    bp_key_values = pc.list_flatten(bp_keys).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    bp_counts = pc.list_flatten(art.column("bp_articles").combine_chunks()).to_numpy(zero_copy_only=False)
    cue = pa.Table.from_batches(cues).combine_chunks()

    def col(name, dtype):
        return cue.column(name).combine_chunks().to_numpy(zero_copy_only=False).astype(dtype, copy=False).tobytes()

    res = detector.verify_columns(
        ids.tobytes(), text_offsets, text_data, bp_offsets.tobytes(), bp_key_values.tobytes(),
        bp_counts.astype(np.int32, copy=False).tobytes(),
        col("a", np.int64), col("b", np.int64), col("k", np.int32), col("ca", np.int32), col("cb", np.int32),
    )  # fmt: skip
    labels = art.column("label").combine_chunks() if labelled else None
    batch = _columns_batch(res, labels)
    for lo in range(0, batch.num_rows, VERIFY_CHUNK):
        yield batch.slice(lo, VERIFY_CHUNK)


def _string_buffers(arr):
    """The offsets (n + 1 int64, as bytes) and the data buffer (bytes) of a
    string array; the offsets point into that buffer."""
    arr = arr.cast(pa.large_string())
    if arr.null_count:
        raise ValueError("verify: a null text")
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
_CUE_COLUMNS = ("a", "b", "k", "ca", "cb")


def verify_batches(detector, labelled, batches):
    """Stage 4, verify: the rows of a partition, in any order — for each
    part, its articles (kind 0: ``a`` is the article's id, with its text,
    boilerplate and label) and the cue rows of its candidate pairs (kind 1:
    ``a < b`` and one cue ``(k, ca, cb)``). Each part is verified by one
    ``Detector.verify_columns`` call on its Arrow buffers, which groups and
    sorts the cue rows (no sort in the JVM). Yields one row per verified
    pair (``pair_arrow_schema``), parts in increasing order, pairs in
    increasing ``(a, b)`` order within a part."""
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
        yield from _verify_part(detector, labelled, *parts[p])


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
#: A passage's kind by its code in ``verify_columns``' ``kind`` column.
KINDS = ("exact", "edited", "rewritten")
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
