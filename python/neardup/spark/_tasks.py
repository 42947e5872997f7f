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
#: once for the whole call (the index's own batches hold 16,384 candidate
#: articles).
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


class _Verifier:
    """The state of one verify task: the current part's articles, the pair
    being gathered, the pairs waiting for a ``Detector.verify`` call, and
    the output rows."""

    def __init__(self, detector, labelled):
        self.detector = detector
        self.labelled = labelled
        self.part = None
        self.articles = {}
        self.current = None  # [a, b, cues] of the pair whose rows are being read
        self.pending = []
        self.out = []

    def enter_part(self, part):
        self.finish_pair()
        self.flush()
        self.part = part
        self.articles = {}

    def finish_pair(self):
        if self.current is not None:
            self.pending.append(tuple(self.current))
            self.current = None
            if len(self.pending) >= VERIFY_CHUNK:
                self.flush()

    def flush(self):
        if self.pending:
            _flush(self.detector, self.articles, self.pending, self.out)
            self.pending = []

    def add_articles(self, cols, lo, hi):
        for j in range(lo, hi):
            bp = list(zip(cols["bp_key"][j] or (), cols["bp_articles"][j] or ()))
            self.articles[cols["a"][j]] = (cols["text"][j], bp, cols["label"][j] if self.labelled else None)

    def add_cues(self, a, b, k, ca, cb):
        """Sorted cue rows (numpy arrays) of one part: grouped by pair,
        repeated cues (a unit pair in several bands) dropped."""
        n = a.size
        new_pair = np.ones(n, dtype=bool)
        new_pair[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        keep = new_pair.copy()
        keep[1:] |= (k[1:] != k[:-1]) | (ca[1:] != ca[:-1]) | (cb[1:] != cb[:-1])
        a, b, new_pair = a[keep], b[keep], new_pair[keep]
        cues = list(zip(k[keep].tolist(), ca[keep].tolist(), cb[keep].tolist()))
        starts = np.flatnonzero(new_pair).tolist() + [len(cues)]
        for s, e in zip(starts[:-1], starts[1:]):
            pair = (int(a[s]), int(b[s]))
            if self.current is not None and (self.current[0], self.current[1]) == pair:
                # The pair's rows go on from the previous batch.
                if self.current[2] and self.current[2][-1] == cues[s]:
                    s += 1
                self.current[2].extend(cues[s:e])
            else:
                self.finish_pair()
                self.current = [pair[0], pair[1], cues[s:e]]


def verify_batches(detector, labelled, batches):
    """Stage 4, verify: rows sorted by ``(part, kind, a, b, k, ca, cb)`` —
    for each part, its articles (kind 0: ``a`` is the article's id, with its
    text, boilerplate and label), then the cue rows of its candidate pairs
    (kind 1: ``a < b`` and one cue ``(k, ca, cb)``). Yields one row per
    verified pair (``pair_arrow_schema``)."""
    v = _Verifier(detector, labelled)
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        part = batch.column("part").to_numpy(zero_copy_only=False)
        kind = batch.column("kind").to_numpy(zero_copy_only=False)
        cut = np.ones(n, dtype=bool)
        cut[1:] = (part[1:] != part[:-1]) | (kind[1:] != kind[:-1])
        bounds = np.flatnonzero(cut).tolist() + [n]
        articles = None
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if part[lo] != v.part:
                v.enter_part(part[lo])
            if kind[lo] == 0:
                if articles is None:
                    names = ("a", "text", "bp_key", "bp_articles", "label")
                    articles = {c: batch.column(c).to_pylist() for c in names}
                v.add_articles(articles, lo, hi)
            else:
                seg = batch.slice(lo, hi - lo)
                v.add_cues(*(seg.column(c).to_numpy(zero_copy_only=False) for c in ("a", "b", "k", "ca", "cb")))
        if len(v.out) >= VERIFY_CHUNK:
            yield _pair_batch(v.out, labelled)
            v.out = []
    v.finish_pair()
    v.flush()
    if v.out:
        yield _pair_batch(v.out, labelled)


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


def _passages(lists):
    """A list array of passage structs from lists of ``Passage`` objects,
    built column by column from their attributes."""
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    np.cumsum([len(x) for x in lists], out=offsets[1:])
    flat = [p for x in lists for p in x]
    columns = {}
    for span, prefix in _SPAN_NAMES.items():
        pairs = [getattr(p, span) for p in flat]
        columns[prefix + "_start"] = [x[0] for x in pairs]
        columns[prefix + "_end"] = [x[1] for x in pairs]
    arrays = [
        pa.array(columns[name] if name in columns else [getattr(p, name) for p in flat], t)
        for name, t in PASSAGE_FIELDS
    ]
    struct = pa.StructArray.from_arrays(arrays, fields=list(PASSAGE_TYPE))
    return pa.ListArray.from_arrays(pa.array(offsets, _I32), struct)


def _pair_batch(rows, labelled):
    cols = {"a": [r[0] for r in rows], "b": [r[1] for r in rows]}
    if labelled:
        cols["a_label"] = [r[2] for r in rows]
        cols["b_label"] = [r[3] for r in rows]
    cols["candidate_similarity"] = [r[4] for r in rows]
    reports = [r[5] for r in rows]
    cols["passages"] = _passages([r.passages for r in reports])
    cols["boilerplate"] = _passages([r.boilerplate for r in reports])
    for name, _ in REPORT_FIELDS:
        cols[name] = [getattr(r, name) for r in reports]
    return pa.RecordBatch.from_pydict(cols, schema=pair_arrow_schema(labelled))
