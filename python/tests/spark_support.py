"""Helpers of the Spark tests (test_spark*.py): sessions, corpus files, the
records of the crate's ``corpus`` example and of ``python -m neardup.spark``,
and what ``neardup.Index`` says about a corpus."""

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import neardup

ROOT = Path(__file__).resolve().parents[2]


def java_version():
    """Java's major version, or None without Java."""
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    for word in out.split():
        word = word.strip('"')
        if word[:1].isdigit():
            major = word.split(".")[0]
            return int(major) if major.isdigit() else None
    return None


def session(master, **conf):
    """A SparkSession for tests: small shuffles, no UI, this interpreter for
    the Python workers."""
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    builder = (
        SparkSession.builder.master(master)
        .appName("neardup-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
    )
    for k, v in conf.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def write_jsonl(path, records):
    """One JSON object a line."""
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))
            f.write("\n")


def read_records(text):
    """JSON lines -> parsed records, in order."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def spark_command(args, env=None, timeout=600):
    """Runs ``python -m neardup.spark ARGS``; (exit status, stderr)."""
    e = dict(os.environ, PYSPARK_PYTHON=sys.executable, **(env or {}))
    r = subprocess.run(
        [sys.executable, "-m", "neardup.spark", *args], capture_output=True, text=True, env=e, timeout=timeout
    )
    return r.returncode, r.stderr


def output_records(out_dir):
    """The records the command wrote: its part files in name order."""
    text = "".join(Path(p).read_text(encoding="utf-8") for p in sorted(glob.glob(os.path.join(out_dir, "part-*"))))
    return read_records(text)


def corpus_example(args):
    """Runs ``cargo run --release --example corpus -- ARGS`` in the
    repository; (exit status, records on stdout, stderr)."""
    cargo = shutil.which("cargo")
    assert cargo, "cargo is needed to run the crate's corpus example"
    r = subprocess.run(
        [cargo, "run", "--quiet", "--release", "--example", "corpus", "--", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return r.returncode, read_records(r.stdout), r.stderr


def index_result(d, articles, min_coverage=0.8):
    """What ``neardup.Index`` gives: pairs as ``(a, b, candidate similarity,
    report dict)``, saturation, groups, exact duplicates."""
    index = neardup.Index(d)
    index.insert_many(articles)
    pairs = index.pairs()
    rows = [(p.a, p.b, p.candidate_similarity, p.report.to_dict()) for p in pairs]
    saturation = pairs.saturation.to_dict()
    groups = [(g.representative, list(g.members)) for g in index.near_duplicate_groups(min_coverage)]
    exact = [(g.representative, list(g.members)) for g in index.exact_duplicates()]
    return rows, saturation, groups, exact


def spark_result(found):
    """The same from a :class:`neardup.spark.SparkPairs`."""
    from neardup.spark import report_dict

    rows = [
        (r["a"], r["b"], r["candidate_similarity"], report_dict(r)) for r in found.pairs.orderBy("a", "b").collect()
    ]
    groups = [(g.representative, g.members) for g in found.groups]
    exact = [(g.representative, g.members) for g in found.exact_duplicates]
    return rows, found.saturation, groups, exact
