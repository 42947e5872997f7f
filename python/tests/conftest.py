"""Shared test data: the seed pair, a corpus built from its sentences, and the
repository's own documents as a second real corpus."""

import random
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_pair() -> "tuple[str, str]":
    """The two real articles the crate was designed around."""
    return read(DATA / "000_7335d4dbf30efac0.txt"), read(DATA / "001_8d763c1f7bf3de18.txt")


def sentences(text: str) -> "list[str]":
    """Sentences of at least six words (a rough split: enough for a pool)."""
    parts = re.split(r"(?<=[.!?\u201d\"])\s+", text)
    return [s.strip() for s in parts if len(s.split()) >= 6]


BOILERPLATE = "Follow us on social media for the latest news from the region and beyond."


def seed_corpus(n: int, seed: int) -> "list[tuple[int, str]]":
    """The corpus of tests/integration/stages.rs, in Python: sentences of the
    seed articles (real text with curly quotes, so character and byte offsets
    differ), a few reused often, a boilerplate line in most articles, a word
    changed now and then, non-ASCII words, and exact duplicates (the same
    words in other case and spacing). Ids are not in insertion order."""
    a = read(DATA / "000_7335d4dbf30efac0.txt")
    b = read(DATA / "001_8d763c1f7bf3de18.txt")
    pool = sorted(set(sentences(a)) | set(sentences(b)))
    rng = random.Random(seed)
    out: "list[tuple[int, str]]" = []
    for i in range(n):
        ident = (i * 7919) % 1009
        if i > 3 and rng.randrange(8) == 0:
            _, earlier = out[rng.randrange(len(out))]
            out.append((ident, earlier.upper().replace(". ", ".   ")))
            continue
        parts = []
        if rng.randrange(4) != 0:
            parts.append(BOILERPLATE)
        for _ in range(2 + rng.randrange(5)):
            s = pool[rng.randrange(8) if rng.randrange(3) == 0 else rng.randrange(len(pool))]
            if rng.randrange(4) == 0:
                words = s.split(" ")
                at = rng.randrange(len(words))
                words[at] = rng.choice(["changed", "geändert", "изменено", "変更"])
                s = " ".join(words)
            parts.append(s)
        out.append((ident, (" " if rng.randrange(2) == 0 else "\n\n").join(parts)))
    return out


def shortanswer_corpus() -> "list[tuple[int, str]]":
    """The short answers of ``../shared/eval-dev/cs-shortanswer`` (Clough and
    Stevenson 2011: students' answers written by cutting, light or heavy
    revision of a Wikipedia source, or without it) and the sources: real
    rewritten reuse. Ids in file-name order."""
    docs = ROOT.parent / "shared" / "eval-dev" / "cs-shortanswer" / "docs"
    names = sorted(p.name for p in docs.iterdir())
    assert len(names) > 90, f"{docs}: the cs-shortanswer set (../shared beside the repository)"
    return [(i, read(docs / n)) for i, n in enumerate(names)]


def docs_corpus() -> "list[tuple[int, str]]":
    """The repository's own documents, one article per section: real prose
    that repeats itself from one document to another."""
    out = []
    for name in ["README.md", "DESIGN.md", "ARCHITECTURE.md", "CHANGELOG.md"]:
        for section in re.split(r"\n(?=#{2,3} )", read(ROOT / name)):
            out.append((len(out) * 3 + 1, section))
    return out
