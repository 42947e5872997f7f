"""The ``corpus`` example's pair lines, built column by column from what
``Detector.verify_columns`` returns: what
``json.dumps(record, ensure_ascii=False, separators=(",", ":"))`` writes for
the example's record, with floats by ``repr``. The verify tasks of the
command call it, so that the pairs leave Python as one string each.
"""

import json

import numpy as np

#: A passage of a pair line as ``json.dumps`` writes the corpus example's
#: record (floats by ``repr``, as ``json.dumps`` does).
_PASSAGE = (
    '{{"a":{{"start":{},"end":{}}},"b":{{"start":{},"end":{}}},"kind":"{}","similarity":{!r},'
    '"bag_similarity":{!r},"containment_a":{!r},"containment_b":{!r},"matched_words":{},"boilerplate":'
)
_PASSAGE_COLUMNS = (
    "a_byte_start", "a_byte_end", "b_byte_start", "b_byte_end", "kind", "similarity", "bag_similarity",
    "containment_a", "containment_b", "matched_words", "boilerplate_articles",
)  # fmt: skip
_FLOATS = ("similarity", "bag_similarity", "containment_a", "containment_b")
#: A passage's kind by its code in ``verify_columns``' ``kind`` column.
KINDS = ("exact", "edited", "rewritten")


def _passage_strings(res, prefix):
    """The JSON of every passage of ``verify_columns``' ``prefix`` list
    (``passages`` or ``boilerplate``), each pair's range of them, and their
    byte spans (the order of a pair line's passages)."""

    def col(name, dtype):
        return np.frombuffer(res[f"{prefix}.{name}"], dtype=dtype)

    cols = []
    for name in _PASSAGE_COLUMNS:
        if name == "kind":
            cols.append([KINDS[k] for k in col(name, "<i8").tolist()])
        else:
            cols.append(col(name, "<f8" if name in _FLOATS else "<i8").tolist())
    out = []
    for a0, a1, b0, b1, kind, sim, bag, ca, cb, words, n in zip(*cols):
        head = _PASSAGE.format(a0, a1, b0, b1, kind, sim, bag, ca, cb, words)
        out.append(head + (f'true,"articles":{n}}}' if n > 0 else "false}"))
    return out, col("offsets", "<i4").tolist(), list(zip(*cols[:4]))


def pair_lines(res, a_labels, b_labels, no_boilerplate):
    """The corpus example's pair lines of the pairs of a ``verify_columns``
    result ``res``, pair ``j`` between articles labelled ``a_labels[j]``
    and ``b_labels[j]``: what ``json.dumps(record, ensure_ascii=False,
    separators=(",", ":"))`` writes, built column by column. Boilerplate
    passages are merged in byte order unless ``no_boilerplate``."""
    n = len(a_labels)
    a_cov = np.frombuffer(res["a_coverage"], dtype="<f8").tolist()
    b_cov = np.frombuffer(res["b_coverage"], dtype="<f8").tolist()
    passages, p_off, p_keys = _passage_strings(res, "passages")
    if no_boilerplate:
        b_off = [0] * (n + 1)
    else:
        boiler, b_off, b_keys = _passage_strings(res, "boilerplate")
    labels = {}

    def label(x):
        j = labels.get(x)
        if j is None:
            j = labels[x] = json.dumps(x, ensure_ascii=False)
        return j

    out = []
    for j in range(n):
        p0, p1, b0, b1 = p_off[j], p_off[j + 1], b_off[j], b_off[j + 1]
        if b1 > b0:
            keyed = [(p_keys[i], passages[i]) for i in range(p0, p1)] + [(b_keys[i], boiler[i]) for i in range(b0, b1)]
            keyed.sort(key=lambda kv: kv[0])
            items = [v for _, v in keyed]
        else:
            items = passages[p0:p1]
        out.append(
            f'{{"a":{label(a_labels[j])},"b":{label(b_labels[j])},"passages":[{",".join(items)}],'
            f'"a_coverage":{a_cov[j]!r},"b_coverage":{b_cov[j]!r}}}'
        )
    return out
