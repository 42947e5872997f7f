"""What runs on the executors: functions over Arrow record batches, called by
``mapInArrow`` with the pickled :class:`neardup.Detector` bound in.

Nothing here loops over words in Python: the Rust stages (``Detector.keys``,
``Detector.verify``) do the per-word work on a whole batch at once, and numpy
reshapes their columnar output. Python loops over documents and pairs only.
"""

import numpy as np
import pyarrow as pa

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

#: Pairs handed to one ``Detector.verify`` call: its articles are prepared
#: once for the whole call.
VERIFY_CHUNK = 4096


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


def _flush(detector, articles, pairs, out):
    """Verifies ``pairs`` (``(a, b, cues)`` by id) against the ``articles``
    (id -> (text, boilerplate, label)) they need; appends a row per verified
    pair to ``out``."""
    ids = sorted({p[0] for p in pairs} | {p[1] for p in pairs})
    at = {i: k for k, i in enumerate(ids)}
    batch_articles = [(articles[i][0], articles[i][1]) for i in ids]
    batch_pairs = [(at[a], at[b], cues) for a, b, cues in pairs]
    results = detector.verify(batch_articles, batch_pairs)
    for (a, b, _), result in zip(pairs, results):
        if result is None:
            continue
        similarity, report = result
        out.append((a, b, articles[a][2], articles[b][2], similarity, report))


def verify_batches(detector, labelled, batches):
    """Stage 4, verify: rows sorted by ``(part, kind, a, b)`` — for each part,
    its articles (kind 0: ``a`` is the article's id, with its text,
    boilerplate and label), then its candidate pairs (kind 1: ``a < b`` with
    their cues). Yields one row per verified pair (``_job.pair_schema``)."""
    articles = {}
    part = None
    pending = []
    out = []
    for batch in batches:
        cols = batch.to_pydict()
        for j in range(batch.num_rows):
            p = cols["part"][j]
            if p != part:
                if pending:
                    _flush(detector, articles, pending, out)
                    pending = []
                articles = {}
                part = p
            a = cols["a"][j]
            if cols["kind"][j] == 0:
                bp = list(zip(cols["bp_key"][j] or (), cols["bp_articles"][j] or ()))
                articles[a] = (cols["text"][j], bp, cols["label"][j] if labelled else None)
            else:
                cues = list(zip(cols["cue_kind"][j], cols["cue_a"][j], cols["cue_b"][j]))
                pending.append((a, cols["b"][j], cues))
                if len(pending) >= VERIFY_CHUNK:
                    _flush(detector, articles, pending, out)
                    pending = []
            if len(out) >= VERIFY_CHUNK:
                yield _pair_batch(out, labelled)
                out = []
    if pending:
        _flush(detector, articles, pending, out)
    if out:
        yield _pair_batch(out, labelled)


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
    ("similarity", pa.float64()),
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


def passage_record(p):
    """A ``Passage.to_dict()`` as a flat record of ``PASSAGE_FIELDS``."""
    out = dict(p)
    for span in _SPANS:
        start, end = out.pop(span)
        out[_SPAN_NAMES[span] + "_start"] = start
        out[_SPAN_NAMES[span] + "_end"] = end
    return out


def passage_dict(record):
    """The inverse of :func:`passage_record`: ``Passage.to_dict()``'s shape."""
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


def _pair_batch(rows, labelled):
    cols = {"a": [r[0] for r in rows], "b": [r[1] for r in rows]}
    if labelled:
        cols["a_label"] = [r[2] for r in rows]
        cols["b_label"] = [r[3] for r in rows]
    cols["candidate_similarity"] = [r[4] for r in rows]
    reports = [r[5].to_dict() for r in rows]
    cols["passages"] = [[passage_record(p) for p in d["passages"]] for d in reports]
    cols["boilerplate"] = [[passage_record(p) for p in d["boilerplate"]] for d in reports]
    for name, _ in REPORT_FIELDS:
        cols[name] = [d[name] for d in reports]
    return pa.RecordBatch.from_pydict(cols, schema=pair_arrow_schema(labelled))
