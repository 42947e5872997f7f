"""Find near-duplicate articles and the exact passages one reuses from another.

The Rust crate neardup, from Python (a PyO3 extension, ``neardup._neardup``)::

    import neardup

    d = neardup.Detector(min_words=15)
    report = d.compare(a, b)
    for p in report.passages:
        print(a[p.a_start:p.a_end], "=", b[p.b_start:p.b_end])

Offsets ``a_start``/``a_end``/``b_start``/``b_end`` are character offsets into
the Python strings; ``a_bytes``/``b_bytes`` are the crate's UTF-8 byte offsets.
Every call that does real work releases the GIL. Types and docs of everything
here are in ``_neardup.pyi`` beside this file.
"""

from ._neardup import (
    ArgumentError,
    ConfigError,
    CorruptIndexError,
    Detector,
    DuplicateIdError,
    Error,
    Group,
    Index,
    IndexVersionError,
    Match,
    Pair,
    Pairs,
    Passage,
    QueryResult,
    Report,
    Saturation,
    group_near_duplicates,
    __version__,
)

__all__ = [
    "ArgumentError",
    "ConfigError",
    "CorruptIndexError",
    "Detector",
    "DuplicateIdError",
    "Error",
    "Group",
    "Index",
    "IndexVersionError",
    "Match",
    "Pair",
    "Pairs",
    "Passage",
    "QueryResult",
    "Report",
    "Saturation",
    "group_near_duplicates",
    "__version__",
]
