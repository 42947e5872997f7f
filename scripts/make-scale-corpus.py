#!/usr/bin/env python3
"""Build a deterministic scale corpus for the `corpus` example from real text.

Source: the 21,607 real articles (115 MB of Debian documentation) that
`../shared/peers/make-corpus` writes to
`$HOME/.cache/ndd-peers/corpus/articles.txt` (articles separated by
"\\n\\x1e\\n", described by `manifest.tsv`). Only the originals are used (the
peer corpus's own injected near-duplicates are left out), and a paragraph
that shares a run of 8 words with an earlier one is dropped (documentation repeats whole
blocks and phrases -- "Return Value / On success 0 is returned..." in
hundreds of kernel pages, "... is experimental and may change or be removed
without notice." in hundreds of Node.js sections -- and a passage in k
articles makes k^2/2 pairs), so that reuse is sparse: what this script
injects. `--keep-repeats` keeps every paragraph (the dense, real-world case).

The output is a corpus of news-sized articles: each original is cut into runs
of 5 to 15 consecutive paragraphs (blank-line separated). When the originals
run out (668k paragraphs; 396k once repeats are dropped), they are used
again in a *disguised* round: every letter and digit
of the text is enciphered with the round's own substitution (a permutation of
the letters of each script and case-folded, of the digits, and of the Han and
kana characters seen in the source, so a word keeps its length, script and
capitals), so a disguised round has the vocabulary statistics and sentence
shapes of real text but shares no passage with the other rounds: two rounds'
ciphers would have to agree on every character of a passage of at least
`min_words` words. (Until 0.3 only Latin words of four letters or more were
disguised: runs of short words, numbers and CJK text came back unchanged in
every round, and a passage in k rounds made k^2/2 pairs that nobody injected,
so pairs per article grew with the corpus: 0.11 at 10^5 articles, 1.3 at
10^6, 5.2 at 4*10^6.)

Sparse reuse is injected into `--reuse` (default 3 %) of the articles: two
thirds of them get one paragraph (of at least 12 words) copied verbatim from
a random earlier article at a random place; one third are a random earlier
article re-filed with edits (3 % of its words replaced, its last paragraph
dropped when it has more than five). `--boilerplate` appends the same
three-sentence agency sign-off paragraph to every article (not counted in
`--paragraphs`).

Everything is a function of the arguments (a SplitMix64 generator and
BLAKE2b, no `random`, no hash randomisation): the same command writes the
same bytes on any machine and Python 3 version.

Usage:
    scripts/make-scale-corpus.py --paragraphs 100000 --out /tmp/scale-100k.jsonl
    scripts/make-scale-corpus.py --paragraphs 10000 --boilerplate --out /tmp/bp-10k.jsonl
    scripts/make-scale-corpus.py --paragraphs 10000 --format dir --out /tmp/scale-10k/

Writes JSON lines ({"id": "s0000042", "text": ...}) or a directory of
`NNN/sNNNNNNN.txt` files, and `OUT.truth.tsv` next to it: one line per
injected reuse (kind, article, source article). A summary goes to stderr.
"""

import argparse
import hashlib
import json
import os
import re
import sys

MASK = (1 << 64) - 1

SIGN_OFF = (
    "This report was distributed by the Debian Documentation Wire Service under "
    "its standard syndication licence for member newspapers. Republication in whole "
    "or in part requires the written permission of the editors in Berlin. Readers "
    "can contact the news desk for corrections, clarifications and further "
    "information about this story."
)


class Rng:
    """SplitMix64: deterministic across platforms and Python versions."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def chance(self, p):
        return self.next() < p * 2.0**64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


PARA_SPLIT = re.compile(r"\n[ \t]*\n")
WORD = re.compile(r"[A-Za-z]+")
# Words as the library counts them: a Han, Hiragana or Katakana character is
# a word of its own.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
ALNUM = re.compile(f"[{CJK}]|[^\\W_{CJK}]+")
# Shortest repeated run of words that makes a paragraph a repeat (the
# library's default `min_words`).
PHRASE = 8
# Han and kana ranges: a disguised character stays in its own range.
CJK_RANGES = [(0x3041, 0x3096), (0x30A1, 0x30FA), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]


def load_originals(source, keep_repeats):
    """The original articles of the peer corpus, as lists of paragraphs.
    Unless `keep_repeats`, a paragraph that shares a run of `PHRASE` words
    (case-folded) with an earlier paragraph, or a shorter paragraph whose
    words all occurred as an earlier paragraph, is dropped, and so are
    articles left empty."""
    with open(os.path.join(source, "articles.txt"), "rb") as f:
        articles = f.read().decode("utf-8").split("\n\x1e\n")
    kinds = None
    manifest = os.path.join(source, "manifest.tsv")
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f][1:]
        kinds = {int(r[0]): r[3] for r in rows}
    out = []
    seen = set()
    for i, text in enumerate(articles):
        if kinds is not None and kinds.get(i) != "orig":
            continue
        paragraphs = [p.strip("\n") for p in PARA_SPLIT.split(text) if p.strip()]
        if not keep_repeats:
            fresh = []
            for p in paragraphs:
                words = ALNUM.findall(p.lower())
                runs = [" ".join(words[i : i + PHRASE]) for i in range(max(1, len(words) - PHRASE + 1))]
                keys = [hashlib.blake2b(r.encode(), digest_size=8).digest() for r in runs]
                if not any(k in seen for k in keys):
                    seen.update(keys)
                    fresh.append(p)
            paragraphs = fresh
        if paragraphs:
            out.append(paragraphs)
    return out


def cipher_groups(originals):
    """The characters a disguise permutes, in groups that are permuted
    among themselves: the digits; the Han and the kana characters of each
    range in `CJK_RANGES` seen in the source; and, per 128-code-point block,
    the case-folded letters seen in the source (a capital follows its small
    letter). Sorted, so the groups depend on the source text only."""
    seen = set()
    for paragraphs in originals:
        for p in paragraphs:
            seen.update(p)
    groups = {}
    for c in sorted(seen):
        o = ord(c)
        if c.isdigit() and c.isascii():
            key = "digit"
        elif any(lo <= o <= hi for lo, hi in CJK_RANGES):
            key = next(i for i, (lo, hi) in enumerate(CJK_RANGES) if lo <= o <= hi)
        elif c.isalpha():
            small = c.lower()
            if len(small) != 1 or small.upper() != c and small != c:
                continue
            c, key = small, ("letter", ord(small) >> 7)
        else:
            continue
        groups.setdefault(key, set()).add(c)
    return [sorted(g) for _, g in sorted(groups.items(), key=lambda kv: str(kv[0]))]


class Disguise:
    """Round `round_`'s substitution cipher: each group of `cipher_groups`
    permuted by a generator seeded with the round."""

    def __init__(self, round_, groups):
        rng = Rng(0xD15C915E ^ round_)
        table = {}
        for group in groups:
            image = list(group)
            rng.shuffle(image)
            for c, new in zip(group, image):
                table[ord(c)] = new
                big = c.upper()
                if len(big) == 1 and big != c and big.lower() == c:
                    table[ord(big)] = new.upper()
        self.table = table

    def __call__(self, text):
        return text.translate(self.table)


def chunks(originals, rng):
    """Endless runs of 5..15 consecutive paragraphs: round 0 is the real
    text, later rounds are disguised. Yields lists of paragraphs."""
    groups = cipher_groups(originals)
    round_ = 0
    while True:
        order = list(range(len(originals)))
        rng.shuffle(order)
        disguise = Disguise(round_, groups) if round_ > 0 else None
        for i in order:
            paragraphs = originals[i]
            at = 0
            while at < len(paragraphs):
                n = 5 + rng.below(11)
                run = paragraphs[at : at + n]
                at += n
                if disguise is not None:
                    run = [disguise(p) for p in run]
                yield run
        round_ += 1


def refile(paragraphs, rng):
    """A re-filed story: 3 % of the words replaced by other words of the
    story, the last paragraph dropped when there are more than five."""
    words = [w for p in paragraphs for w in WORD.findall(p)] or ["news"]
    out = []
    for p in paragraphs:
        out.append(WORD.sub(lambda m: words[rng.below(len(words))] if rng.chance(0.03) else m.group(0), p))
    if len(out) > 5:
        out.pop()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, required=True, help="paragraphs in the corpus")
    parser.add_argument("--out", required=True, help="output .jsonl file, or directory with --format dir")
    parser.add_argument("--format", choices=["jsonl", "dir"], default="jsonl")
    parser.add_argument("--reuse", type=float, default=0.03, help="fraction of articles with injected reuse")
    parser.add_argument("--boilerplate", action="store_true", help="append the same sign-off to every article")
    parser.add_argument(
        "--keep-repeats",
        action="store_true",
        help="keep the paragraphs the documentation itself repeats (dense natural reuse)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--source",
        default=os.path.join(os.path.expanduser("~"), ".cache", "ndd-peers", "corpus"),
        help="directory holding articles.txt and manifest.tsv",
    )
    args = parser.parse_args()

    originals = load_originals(args.source, args.keep_repeats)
    rng = Rng(args.seed)
    source = chunks(originals, Rng(args.seed ^ 0x5CA1E))
    articles = []  # lists of paragraphs, kept for reuse
    truth = []
    total = 0
    while total < args.paragraphs:
        n = len(articles)
        if n > 0 and rng.chance(args.reuse / 3):
            src = rng.below(n)
            paragraphs = refile(articles[src], rng)
            truth.append(("refile", n, src))
        else:
            paragraphs = list(next(source))
            if n > 0 and rng.chance(args.reuse * 2 / 3):
                # One paragraph of at least 12 words from an earlier article.
                for _ in range(20):
                    src = rng.below(n)
                    long = [p for p in articles[src] if len(p.split()) >= 12]
                    if long:
                        paragraphs.insert(rng.below(len(paragraphs) + 1), long[rng.below(len(long))])
                        truth.append(("paragraph", n, src))
                        break
        paragraphs = paragraphs[: args.paragraphs - total]
        total += len(paragraphs)
        articles.append(paragraphs)

    write(articles, truth, args)


def article_id(i):
    return f"s{i:07d}"


def write(articles, truth, args):
    texts_bytes = 0
    if args.format == "jsonl":
        f = open(args.out, "w", encoding="utf-8", newline="\n")
    else:
        os.makedirs(args.out, exist_ok=True)
    for i, paragraphs in enumerate(articles):
        if args.boilerplate:
            paragraphs = paragraphs + [SIGN_OFF]
        text = "\n\n".join(paragraphs) + "\n"
        texts_bytes += len(text.encode("utf-8"))
        if args.format == "jsonl":
            f.write(json.dumps({"id": article_id(i), "text": text}, ensure_ascii=False) + "\n")
        else:
            sub = os.path.join(args.out, f"{i // 1000:03d}")
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, article_id(i) + ".txt"), "w", encoding="utf-8", newline="\n") as g:
                g.write(text)
    if args.format == "jsonl":
        f.close()
    truth_path = args.out.rstrip("/") + ".truth.tsv"
    with open(truth_path, "w", encoding="utf-8") as t:
        t.write("kind\tarticle\tsource\n")
        for kind, art, src in truth:
            t.write(f"{kind}\t{article_id(art)}\t{'' if src is None else article_id(src)}\n")
    paragraphs = sum(len(p) for p in articles)
    print(
        f"{args.out}: {len(articles)} articles, {paragraphs} paragraphs"
        f"{' + 1 sign-off each' if args.boilerplate else ''}, {texts_bytes / 1e6:.1f} MB of text, "
        f"{len(truth)} injected reuses ({sum(1 for t in truth if t[0] == 'refile')} re-filed); truth in {truth_path}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
