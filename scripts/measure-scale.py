#!/usr/bin/env python3
"""Measure the `corpus` example on the scale corpora and print a Markdown table.

For each corpus kind (sparse, dense, boilerplate; see make-scale-corpus.py)
and size (10k, 100k, 1M paragraphs by default), builds the corpus if it is
not in DIR yet, runs

    RAYON_NUM_THREADS=2 /usr/bin/time -v target/release/examples/corpus CORPUS.jsonl > CORPUS.out

and reads the example's summary lines (wall and CPU time of each phase,
index memory) and `time -v` (peak RSS). CPU seconds are the figure to
compare across runs on a shared machine: wall time depends on what else
runs. Build the example first: `cargo build --release --example corpus`.

Usage:
    scripts/measure-scale.py [--dir /tmp/neardup-scale] [--sizes 10000,100000,1000000]
                             [--kinds sparse,dense,boilerplate] [--threads 2] [--exe PATH]
"""

import argparse
import os
import re
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
    r" in ([\d.]+) s \(cpu ([\d.]+) s"
)
RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def label(n):
    return f"{n // 1000000}M" if n >= 1000000 else f"{n // 1000}k"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", default="/tmp/neardup-scale")
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--kinds", default="sparse,dense,boilerplate")
    p.add_argument("--threads", default="2")
    p.add_argument("--exe", default=os.path.join(ROOT, "target", "release", "examples", "corpus"))
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    exe = args.exe
    if not os.path.exists(exe):
        sys.exit(f"{exe} is missing: run `cargo build --release --example corpus` first")
    print(
        "| corpus | paragraphs | articles | text MB | index: s wall / cpu | articles/cpu-s "
        "| all pairs: s wall / cpu | articles/cpu-s | pairs | groups | peak RSS MB | RSS KB/article "
        "| index KB/article |"
    )
    print("|" + "---|" * 13)
    for kind in args.kinds.split(","):
        for n in [int(s) for s in args.sizes.split(",")]:
            name = os.path.join(args.dir, f"{kind}-{label(n)}")
            corpus = name + ".jsonl"
            if not os.path.exists(corpus):
                subprocess.run(
                    [sys.executable, os.path.join(HERE, "make-scale-corpus.py"), "--paragraphs", str(n), "--out", corpus]
                    + KINDS[kind],
                    check=True,
                )
            env = dict(os.environ, RAYON_NUM_THREADS=args.threads)
            with open(name + ".out", "wb") as out:
                r = subprocess.run(["/usr/bin/time", "-v", exe, corpus], stdout=out, stderr=subprocess.PIPE, env=env)
            err = r.stderr.decode()
            with open(name + ".err", "w") as f:
                f.write(err)
            if r.returncode != 0:
                sys.exit(f"{corpus}: exit status {r.returncode}:\n{err}")
            i, q, rss = INDEXED.search(err), PAIRS.search(err), RSS.search(err)
            articles, mb, iw, ic, _, _, index_bytes = i.groups()
            pairs, groups, _, pw, pc = q.groups()
            articles = int(articles)
            rss_mb = int(rss.group(1)) / 1000
            print(
                f"| {kind} | {label(n)} | {articles} | {float(mb):.0f} | {float(iw):.1f} / {float(ic):.1f} "
                f"| {articles / max(float(ic), 0.01):.0f} | {float(pw):.1f} / {float(pc):.1f} "
                f"| {articles / max(float(pc), 0.01):.0f} | {pairs} | {groups} | {rss_mb:.0f} "
                f"| {rss_mb * 1000 / articles:.1f} | {int(index_bytes) / 1000:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
