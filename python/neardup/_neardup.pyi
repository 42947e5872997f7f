"""Type stubs of neardup's extension module (the Rust crate neardup, via PyO3).

Everything here is re-exported by ``neardup``. Offsets named ``*_start`` and
``*_end`` are character offsets into the Python strings (``a[p.a_start:p.a_end]``
is the passage); ``*_bytes`` are ``(start, end)`` UTF-8 byte offsets, as the Rust
crate gives them. Every method that does real work releases the GIL; the
parallel ones run on neardup's own threads (``RAYON_NUM_THREADS`` sets how many).
Detectors, indexes and every result (Report, Passage, Pair, Match, Group,
Saturation) pickle; a QueryResult does not (its matches do).
"""

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal, Optional, Tuple, Union, final

__version__: str

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
    "__version__",
    "group_near_duplicates",
]

_Unit = Union[Literal["sentence", "paragraph"], Tuple[Literal["window"], int]]
_StrPath = Union[str, "os.PathLike[str]"]

class Error(ValueError):
    """Base class of neardup's errors: configuration, arguments, index files."""

class ConfigError(Error):
    """A setting is out of range or inconsistent with another."""

    setting: str
    """The setting's name, as ``Detector`` takes it."""
    value: str
    """The rejected value, formatted."""
    reason: str
    """What the value must satisfy."""

class ArgumentError(Error):
    """A method argument is out of range."""

    argument: str
    value: str
    reason: str

class DuplicateIdError(Error):
    """An article with this id is already in the index, or twice in one batch."""

    id: int

class CorruptIndexError(Error):
    """A file is not a valid neardup index (truncated, corrupt, inconsistent); nothing is loaded."""

    path: str

class IndexVersionError(Error):
    """An index file written in a format version this build does not read."""

    path: str

@final
class Passage:
    """One reused passage: where it is in each text and how alike the two sides are."""

    @property
    def a_start(self) -> int:
        """Start of the passage in ``a`` (characters)."""
    @property
    def a_end(self) -> int:
        """End of the passage in ``a`` (characters, exclusive)."""
    @property
    def b_start(self) -> int:
        """Start of the passage in ``b`` (characters)."""
    @property
    def b_end(self) -> int:
        """End of the passage in ``b`` (characters, exclusive)."""
    @property
    def a_bytes(self) -> Tuple[int, int]:
        """``(start, end)`` of the passage in ``a``, in UTF-8 bytes."""
    @property
    def b_bytes(self) -> Tuple[int, int]:
        """``(start, end)`` of the passage in ``b``, in UTF-8 bytes."""
    @property
    def a_tokens(self) -> Tuple[int, int]:
        """``(start, end)`` indices of ``a``'s words inside the passage."""
    @property
    def b_tokens(self) -> Tuple[int, int]:
        """``(start, end)`` indices of ``b``'s words inside the passage."""
    @property
    def matched_words(self) -> int:
        """Words matched word for word (the same seen from either side)."""
    @property
    def kind(self) -> Literal["exact", "edited", "rewritten"]:
        """How the passage was reused: ``"exact"``, ``"edited"`` or ``"rewritten"``."""
    @property
    def similarity(self) -> float:
        """Exact Jaccard similarity of the two spans' shingle sets."""
    @property
    def bag_similarity(self) -> float:
        """Cosine similarity of the two spans as weighted bags of word stems."""
    @property
    def score(self) -> float:
        """The passage's score, of its kind: ``bag_similarity`` if rewritten, else ``similarity``."""
    @property
    def containment_a(self) -> float:
        """How much of ``a``'s span's shingle set is in ``b``'s."""
    @property
    def containment_b(self) -> float:
        """How much of ``b``'s span's shingle set is in ``a``'s."""
    @property
    def boilerplate(self) -> bool:
        """Whether the passage is made of boilerplate (in ``Report.boilerplate``)."""
    @property
    def boilerplate_articles(self) -> int:
        """For a boilerplate passage, the indexed articles holding its text; else 0."""
    def swapped(self) -> Passage:
        """The same passage seen from the other side (``a`` and ``b`` swapped)."""
    def to_dict(self) -> dict[str, Any]:
        """Every field as a plain dict (tuples for the spans), e.g. for JSON."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class Report:
    """Everything two texts share: the passages and how much of each text they cover."""

    @property
    def passages(self) -> list[Passage]:
        """The shared passages, by their start in ``a``, then in ``b``."""
    @property
    def boilerplate(self) -> list[Passage]:
        """Passages made of boilerplate (from an ``Index`` with ``report_boilerplate``);
        never in ``passages`` or the coverage. Empty for ``Detector.compare``."""
    @property
    def a_words(self) -> int:
        """Words in ``a``."""
    @property
    def b_words(self) -> int:
        """Words in ``b``."""
    @property
    def a_covered_words(self) -> int:
        """Words of ``a`` inside at least one passage's span."""
    @property
    def b_covered_words(self) -> int:
        """Words of ``b`` inside at least one passage's span."""
    @property
    def a_coverage(self) -> float:
        """Fraction of ``a``'s words inside reused passages (0 for an empty text)."""
    @property
    def b_coverage(self) -> float:
        """Fraction of ``b``'s words inside reused passages (0 for an empty text)."""
    def swapped(self) -> Report:
        """The same report with the two texts' roles swapped."""
    def to_dict(self) -> dict[str, Any]:
        """Every field as plain dicts and lists, e.g. for JSON."""
    def __eq__(self, other: object, /) -> bool: ...

# One cue of ``Detector.verify``: (kind, a, b), kind 0 = units, 1 = anchor (run), 2 = bags (sentences).
_Cue = Tuple[int, int, int]

@final
class Detector:
    """Finds reused passages between texts, with one validated configuration.

    Every setting of the Rust crate's ``Config`` by its name; the others keep
    their defaults. Unknown name or wrong type: ``TypeError``; invalid value:
    ``ConfigError`` naming the setting. Immutable, thread-safe, picklable.
    """

    def __new__(
        cls,
        *,
        shingle_size: int = 3,
        num_hashes: int = 128,
        threshold: float = 0.5,
        bands_rows: Optional[Tuple[int, int]] = None,
        seed: int = 0,
        unit: _Unit = "sentence",
        min_words: int = 15,
        max_gap: int = 5,
        max_bucket: int = 1000,
        anchor_words: int = 8,
        max_df: int = 1000,
        similar_units: bool = False,
        boilerplate_contexts: int = 10,
        report_boilerplate: bool = True,
        rewritten: bool = False,
        rewritten_candidates: bool = True,
        stem_chars: int = 5,
    ) -> Detector: ...
    def settings(self) -> dict[str, Any]:
        """Every setting as a dict: ``Detector(**d.settings())`` is the same detector."""
    @property
    def bands(self) -> int:
        """LSH bands in use: band keys per unit in ``keys()``."""
    @property
    def rows(self) -> int:
        """LSH rows per band in use."""
    @property
    def anchor(self) -> int:
        """Words of an anchor as used: ``anchor_words``, or ``min_words`` if smaller."""
    @property
    def max_df(self) -> int: ...
    @property
    def max_bucket(self) -> int: ...
    @property
    def boilerplate_contexts(self) -> int: ...
    @property
    def min_words(self) -> int: ...
    @property
    def threshold(self) -> float: ...
    @property
    def similar_units(self) -> bool: ...
    @property
    def report_boilerplate(self) -> bool: ...
    def compare(self, a: str, b: str) -> Report:
        """Every passage ``a`` and ``b`` share; ``compare(b, a) == compare(a, b).swapped()``."""
    def compare_many(self, pairs: Sequence[Tuple[str, str]]) -> list[Report]:
        """``compare`` of many pairs, in parallel; reports in the order of the pairs."""
    def keys(self, texts: Sequence[str]) -> dict[str, list[Any]]:
        """Stage 1 (map): everything an index enters for each text, as columns.

        Per text: ``units`` (int), ``duplicate_key`` (16 bytes, big-endian u128, or
        None). One row per entry (``*_article`` = index into ``texts``):
        ``anchor_article``, ``anchor_hash``, ``anchor_word``; ``band_article``,
        ``band_unit``, ``band``, ``band_key`` (empty unless ``similar_units``);
        ``segment_article``, ``segment_key``, ``segment_context``; ``bag_article``,
        ``bag_sentence``, ``bag_band``, ``bag_key`` (empty unless ``rewritten``).
        64-bit hashes and keys are signed ints with the same bits.
        """
    def keys_columns(self, text_offsets: bytes, text_data: bytes) -> dict[str, bytes]:
        """Stage 1 on flat little-endian columns (an Arrow large-string array's buffers).

        Texts ``text_data[text_offsets[i]:text_offsets[i+1]]`` (UTF-8; n + 1 int64
        offsets). Returns the columns of ``keys()`` as ``bytes``: per text ``units``
        (uint32), ``has_duplicate_key`` (uint8), ``duplicate_key`` (16 bytes each, zeros
        when none); per entry ``*_article``, ``anchor_word``, ``band_unit``, ``band``,
        ``bag_sentence``, ``bag_band`` (uint32) and ``anchor_hash``, ``band_key``,
        ``segment_key``, ``segment_context``, ``bag_key`` (int64), in the order of ``keys()``.
        """
    def verify(
        self,
        articles: Sequence[Tuple[str, Sequence[Tuple[int, int]]]],
        pairs: Sequence[Tuple[int, int, Sequence[_Cue]]],
    ) -> list[Optional[Tuple[float, Report]]]:
        """Stage 4: verify and align candidate pairs.

        ``articles[i] = (text, boilerplate)``, boilerplate the ``(segment_key,
        articles)`` of the text's keys that are boilerplate in the corpus.
        ``pairs[j] = (i_a, i_b, cues)``, cue ``(kind, a, b)``: kind 0 units ``a`` and
        ``b`` share a band key, kind 1 a run starts at word ``a`` and word ``b``, kind 2
        sentences ``a`` and ``b`` share a bag key (``rewritten``).
        Result ``j``: ``(candidate_similarity, report)`` or None (rejected).
        """
    def cue_columns(
        self,
        kind: bytes,
        band: bytes,
        key: bytes,
        pos: bytes,
        id: bytes,
        at: bytes,
        parts: int,
    ) -> dict[str, bytes]:
        """Stage 3 on flat little-endian columns: the cues of whole groups of entries.

        One entry per row: ``kind`` (int32: 1 run fingerprint ``key``, 0 band entry of
        bucket ``(band, key)``, 2 bag key ``key`` of bag band ``band``), ``pos`` (int64
        insertion position), ``id`` (int64), ``at`` (int32 word, unit or sentence).
        Fingerprints and bag keys of at most ``max_df`` entries pair every two; buckets, in ``(pos, at)`` order, pair each entry with the first
        ``max_bucket``; pairs ``a < b`` by id. Returns ``cues`` (28-byte rows: ``a``, ``b``
        int64, ``kind``, ``a_at``, ``b_at`` int32), part ``p``'s at
        ``cue_offsets[p]:cue_offsets[p+1]`` (int64); ``need_part`` (int32) / ``need_id``
        (int64), the articles each part's cues name; ``past_cap`` (int64 positions of
        articles with an entry past ``max_bucket``); ``stats`` (4 int64: fingerprints past
        ``max_df``, their entries, buckets past ``max_bucket``, entries past it).
        """
    def verify_columns(
        self,
        ids: bytes,
        text_offsets: bytes,
        text_data: bytes,
        bp_offsets: bytes,
        bp_keys: bytes,
        bp_articles: bytes,
        cue_a: bytes,
        cue_b: bytes,
        cue_kind: bytes,
        cue_a_at: bytes,
        cue_b_at: bytes,
    ) -> dict[str, bytes]:
        """Stage 4 on flat little-endian columns (Arrow or numpy buffers), no Python object per pair.

        Articles: ``ids`` (int64), texts ``text_data[text_offsets[i]:text_offsets[i+1]]``
        (UTF-8; n + 1 int64 offsets), boilerplate ``bp_keys`` (int64) and ``bp_articles``
        (int32) at ``bp_offsets[i]:bp_offsets[i+1]``. Cue rows, in any order: ``cue_a``, ``cue_b``
        (int64 ids), ``cue_kind``, ``cue_a_at``, ``cue_b_at`` (int32); a pair's distinct cues, sorted.
        Returns ``candidates`` (one int64: distinct pairs verified) and ``bytes`` columns, one
        row per verified pair in ``(a, b)`` order: ``a``, ``b``,
        ``a_index``, ``b_index``, the report's words (int64), ``candidate_similarity`` and
        coverages (float64); ``passages.offsets`` / ``boilerplate.offsets`` (int32) and
        ``passages.FIELD`` / ``boilerplate.FIELD`` per field of ``Passage.to_dict()`` (spans
        as ``_start``/``_end``; ``boilerplate`` as uint8). Exactly what ``verify`` gives.
        """
    def __eq__(self, other: object, /) -> bool: ...

@final
class Group:
    """A group of near-duplicate articles (a clique of verified edges)."""

    @property
    def representative(self) -> int:
        """The article every other member is a verified near-duplicate of."""
    @property
    def members(self) -> list[int]:
        """All members, the representative included, in increasing id order."""
    @property
    def ids(self) -> list[int]:
        """The members (the same list as ``members``)."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

def group_near_duplicates(edges: Iterable[Tuple[int, int]]) -> list[Group]:
    """Groups near-duplicate edges ``(a, b)`` as ``Index.near_duplicate_groups`` does:
    greedy cliques, no chaining; sorted by representative."""

@final
class Saturation:
    """What the caps cut: LSH buckets past ``max_bucket``, run fingerprints past ``max_df``."""

    @property
    def buckets(self) -> int: ...
    @property
    def entries(self) -> int: ...
    @property
    def articles(self) -> int: ...
    @property
    def fingerprints(self) -> int: ...
    @property
    def fingerprint_entries(self) -> int: ...
    def is_empty(self) -> bool:
        """Whether the caps cut nothing."""
    def to_dict(self) -> dict[str, int]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Match:
    """One indexed article that a query shares passages with."""

    @property
    def id(self) -> int: ...
    @property
    def candidate_similarity(self) -> float: ...
    @property
    def report(self) -> Report:
        """The passages: ``a`` is the query, ``b`` the indexed article."""
    @property
    def duplicates(self) -> list[int]:
        """Ids of the indexed exact duplicates of this article."""

@final
class QueryResult(Sequence[Match]):
    """The matches of ``Index.query`` (most shared words first, then by id), with
    what the caps cut."""

    @property
    def matches(self) -> list[Match]: ...
    @property
    def saturated_buckets(self) -> int: ...
    @property
    def skipped_entries(self) -> int: ...
    @property
    def capped_fingerprints(self) -> int: ...
    def __len__(self) -> int: ...
    def __getitem__(self, i: int, /) -> Match: ...  # type: ignore[override]
    def __iter__(self) -> Iterator[Match]: ...

@final
class Pair:
    """Two indexed articles that share passages (``a < b``)."""

    @property
    def a(self) -> int: ...
    @property
    def b(self) -> int: ...
    @property
    def candidate_similarity(self) -> float: ...
    @property
    def report(self) -> Report:
        """The shared passages (``a`` side is article ``a``)."""
    def is_near_duplicate(self, min: float) -> bool:
        """Whether the passages cover at least ``min`` of the words of both."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class Pairs(Iterator[Pair]):
    """The lazy iterator of ``Index.pairs()``; the index cannot change while it is open."""

    @property
    def saturation(self) -> Saturation: ...
    def close(self) -> None:
        """Stops the iteration and lets go of the index."""
    def __iter__(self) -> Pairs: ...
    def __next__(self) -> Pair: ...

@final
class Index:
    """A corpus of articles by id. ``Index(detector)`` or ``Index(**settings)``.

    Methods release the GIL; queries from several threads run at once. While a
    ``pairs()`` iterator is open, inserting or removing raises ``RuntimeError``.
    Picklable (as its bytes).
    """

    def __new__(cls, detector: Optional[Detector] = None, **settings: Any) -> Index: ...
    @property
    def detector(self) -> Detector: ...
    def insert(self, id: int, text: str, label: str = "") -> None:
        """Adds article ``id`` (0 <= id < 2**64); ``DuplicateIdError`` if present."""
    def insert_many(self, articles: Iterable[Union[Tuple[int, str], Tuple[int, str, str]]]) -> None:
        """Adds ``(id, text)`` or ``(id, label, text)`` tuples, all or none, in parallel."""
    def remove(self, id: int) -> bool:
        """Removes article ``id``; whether it was present."""
    def __len__(self) -> int: ...
    def __contains__(self, id: object, /) -> bool: ...
    def text(self, id: int) -> Optional[str]: ...
    def label(self, id: int) -> Optional[str]: ...
    def ids(self) -> list[int]:
        """The ids of all articles, in increasing order."""
    def query(self, text: str) -> QueryResult:
        """The articles that share verified passages with ``text`` (``a`` side)."""
    def query_many(self, texts: Sequence[str]) -> list[QueryResult]: ...
    def pairs(self) -> Pairs:
        """Every pair sharing verified passages, once, in increasing ``(a, b)`` order."""
    def near_duplicate_groups(self, min_coverage: float = 0.8) -> list[Group]:
        """Groups of articles whose passages cover ``min_coverage`` of both (cliques)."""
    def exact_duplicates(self) -> list[Group]: ...
    def saturation(self) -> Saturation: ...
    def memory(self) -> dict[str, int]:
        """Heap bytes by part: texts, articles, boilerplate, band_tables, run_table, bag_tables (rewritten candidates), total; texts_on_disk (bytes on disk, not in total); run_entries."""
    def save(self, path: _StrPath) -> None:
        """Writes the index to ``path`` atomically; ``OSError`` if it cannot."""
    @classmethod
    def load(cls, path: _StrPath, texts_dir: Optional[_StrPath] = None) -> Index:
        """Reads a saved index; ``OSError``, ``CorruptIndexError``, ``IndexVersionError``.

        With ``texts_dir``, the texts stream to a file of the index's own in that
        directory (as ``store_texts_on_disk`` keeps them) and never all sit in memory.
        """
    def store_texts_on_disk(self, dir: _StrPath) -> None:
        """Keeps the texts on disk from now on, in a nameless file of the index's own in ``dir``.

        Texts in memory move there, later insertions go there; each text is read back
        when an article is verified. ``OSError`` naming ``dir`` if the file cannot be
        made or written (the index is then unchanged); ``RuntimeError`` while a
        ``pairs()`` iterator is open.
        """
    @property
    def texts_on_disk(self) -> bool:
        """Whether the index keeps its texts on disk."""
    @property
    def read_errors(self) -> int:
        """Texts that could not be read back from disk (I/O errors); their pairs and matches are missing."""
    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> Index: ...
