#!/usr/bin/env python3
"""Measure the `corpus` example on the scale corpora and print a Markdown table.

For each corpus kind (sparse, dense, boilerplate; see make-scale-corpus.py)
and size in paragraphs (800k, 8M and 32M by default: about 10^5, 10^6 and
4·10^6 articles of 8 paragraphs), builds the corpus if it is not in DIR
yet, runs

    RAYON_NUM_THREADS=2 /usr/bin/time -v target/release/examples/corpus CORPUS.jsonl > CORPUS.out

and reads the example's summary lines (wall and CPU time and peak RSS of
each phase, index memory) and `time -v` (peak RSS of the whole run). CPU
seconds are the figure to compare across runs on a shared machine: wall
time depends on what else runs. The example keeps the texts on disk (its
default); `--check-in-memory` also runs the first corpus with
`--texts-in-memory` and checks that it writes the same bytes. Build the
example first: `cargo build --release --example corpus`.

Usage:
    scripts/measure-scale.py [--dir /tmp/neardup-scale] [--sizes 800000,8000000,32000000]
                             [--kinds sparse,dense,boilerplate] [--threads 2] [--exe PATH]
                             [--check-in-memory] [--repeat N]

A size may be named more than once in `--sizes` (each run counts), and
`--repeat N` runs every size N times, the sizes taking turns (10^5, 10^6,
4·10^6, 10^5, ...), so that what else the machine does falls on every size
alike; after the table it prints, per kind, the median CPU seconds per
article of each size (index plus all pairs) and its growth: the ratio of
CPU per article to that of the first size (1.00 is linear). A 10^5 run
lasts seconds, and its CPU time varies by ±15 % from minute to minute on a
shared machine: measure it several times.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

KINDS = {"sparse": [], "dense": ["--keep-repeats"], "boilerplate": ["--boilerplate"]}

INDEXED = re.compile(
    r"indexed (\d+) articles \(([\d.]+) MB of text\) in ([\d.]+) s \(cpu ([\d.]+) s, peak RSS (\d+) MB\)"
    r".*uses ([\d.]+) MB \((\d+) bytes/article[):]"
)
PAIRS = re.compile(
    r"(\d+) pairs, (?:\d+ groups of exact duplicates \([^)]*\), )?(\d+) near-duplicate groups among (\d+) articles"
    r" in ([\d.]+) s \(cpu ([\d.]+) s, peak RSS (\d+) MB"
)
RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def label(n):
    return f"{n // 1000000}M" if n >= 1000000 else f"{n // 1000}k"


def run(exe, corpus, out_path, env, extra=()):
    """Runs the example on `corpus` under `time -v`; its stderr."""
    with open(out_path, "wb") as out:
        r = subprocess.run(["/usr/bin/time", "-v", exe, *extra, corpus], stdout=out, stderr=subprocess.PIPE, env=env)
    err = r.stderr.decode()
    if r.returncode != 0:
        sys.exit(f"{corpus}: exit status {r.returncode}:\n{err}")
    return err


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", default="/tmp/neardup-scale")
    p.add_argument("--sizes", default="800000,8000000,32000000")
    p.add_argument("--kinds", default="sparse,dense,boilerplate")
    p.add_argument("--threads", default="2")
    p.add_argument("--exe", default=os.path.join(ROOT, "target", "release", "examples", "corpus"))
    p.add_argument("--check-in-memory", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    exe = args.exe
    if not os.path.exists(exe):
        sys.exit(f"{exe} is missing: run `cargo build --release --example corpus` first")
    print(
        "| corpus | paragraphs | articles | text MB | index: s wall / cpu | peak RSS MB "
        "| all pairs: s wall / cpu | peak RSS MB | pairs | groups | index MB | index / text | peak RSS / text |"
    )
    print("|" + "---|" * 13)
    checked = not args.check_in_memory
    sizes = [int(s) for s in args.sizes.split(",")]
    per_article = {}
    for kind, n in [(k, n) for k in args.kinds.split(",") for _ in range(args.repeat) for n in sizes]:
        name = os.path.join(args.dir, f"{kind}-{label(n)}")
        corpus = name + ".jsonl"
        if not os.path.exists(corpus):
            subprocess.run(
                [sys.executable, os.path.join(HERE, "make-scale-corpus.py"), "--paragraphs", str(n), "--out", corpus]
                + KINDS[kind],
                check=True,
            )
        env = dict(os.environ, RAYON_NUM_THREADS=args.threads)
        err = run(exe, corpus, name + ".out", env)
        with open(name + ".err", "w") as f:
            f.write(err)
        i, q, rss = INDEXED.search(err), PAIRS.search(err), RSS.search(err)
        articles, mb, iw, ic, irss, index_mb, _ = i.groups()
        pairs, groups, _, pw, pc, prss = q.groups()
        per_article.setdefault((kind, n), []).append((float(ic) + float(pc)) / int(articles))
        rss_mb = int(rss.group(1)) * 1024 / 1e6  # time -v gives KiB
        print(
            f"| {kind} | {label(n)} | {int(articles):,} | {float(mb):,.0f} | {float(iw):.1f} / {float(ic):.1f} "
            f"| {int(irss):,} | {float(pw):.1f} / {float(pc):.1f} | {int(prss):,} | {int(pairs):,} "
            f"| {int(groups):,} | {float(index_mb):,.0f} | {float(index_mb) / float(mb):.2f} "
            f"| {rss_mb / float(mb):.2f} |",
            flush=True,
        )
        if not checked:
            run(exe, corpus, name + ".in-memory.out", env, ["--texts-in-memory"])
            with open(name + ".out", "rb") as a, open(name + ".in-memory.out", "rb") as b:
                same = a.read() == b.read()
            print(f"<!-- {kind}-{label(n)}: texts in memory give {'the same' if same else 'DIFFERENT'} output -->")
            if not same:
                sys.exit(f"{name}: the output with --texts-in-memory differs")
            checked = True
    for kind in args.kinds.split(","):
        base = None
        for n in dict.fromkeys(sizes):
            runs = sorted(per_article[(kind, n)])
            med = statistics.median(runs)
            base = base or med
            spread = f"{runs[0] * 1e6:.1f}-{runs[-1] * 1e6:.1f}" if len(runs) > 1 else f"{runs[0] * 1e6:.1f}"
            print(
                f"<!-- {kind}-{label(n)}: CPU per article (index + all pairs) median {med * 1e6:.1f} us "
                f"of {len(runs)} run(s) ({spread}); growth {med / base:.2f}x linear -->",
                flush=True,
            )


if __name__ == "__main__":
    main()
