#!/usr/bin/env python3
"""Measure the Spark job (`python -m neardup.spark`, local[N]) against the
Rust `corpus` example on the same JSON-lines corpus: check that the records
are identical, and print wall time, peak memory and the Spark job's stage
timings as a Markdown table row.

    RAYON_NUM_THREADS=N /usr/bin/time -v target/release/examples/corpus CORPUS > rust.jsonl
    python -m neardup.spark CORPUS OUT --master local[N] --conf spark.driver.memory=4g --summary summary.json

Memory is sampled every 0.2 s over each run's whole process tree (psutil):
for Spark, the JVM (in local mode the driver is the executor) and the Python
workers it starts, and the total of the tree at its peak; for Rust, the one
process (which `time -v` reports too). Outputs are compared record by record
(parsed JSON, in order): exact-duplicate lines, pair lines with every passage,
group lines.

Corpora:
    --peer            the 115 MB peer corpus (`../shared/peers/make-corpus`
                      writes $NDD_PEERS_DIR/corpus/articles.txt, default
                      ~/.cache/ndd-peers), converted to JSON lines (ids from
                      manifest.tsv) in --dir
    --corpus PATH     any JSON-lines corpus, e.g. one from
                      `scripts/make-scale-corpus.py --paragraphs 8000000`

Where the time goes: give the Spark job an event log
(``--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file:///tmp/ev``),
then ``--stages /tmp/ev/eventlog_v2_*`` prints its longest stages (wall
seconds, task seconds, shuffle MB, the code line that made each).

Usage:
    cargo build --release --example corpus
    scripts/measure-spark.py --peer [--threads 2] [--memory 4g] [--python target/py-venv/bin/python]
    scripts/measure-spark.py --corpus /tmp/neardup-scale/sparse-8M.jsonl
"""

import argparse
import contextlib
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def peer_corpus(out_dir):
    """The peer corpus as JSON lines (written once)."""
    base = os.path.join(os.environ.get("NDD_PEERS_DIR", os.path.expanduser("~/.cache/ndd-peers")), "corpus")
    out = os.path.join(out_dir, "peer-corpus.jsonl")
    if os.path.exists(out):
        return out
    articles = os.path.join(base, "articles.txt")
    if not os.path.exists(articles):
        sys.exit(f"{articles} is missing: run ../shared/peers/make-corpus first")
    with open(articles, encoding="utf-8") as f:
        texts = f.read().split("\n\x1e\n")
    with open(os.path.join(base, "manifest.tsv"), encoding="utf-8") as f:
        ids = [line.split("\t")[0] for line in f.read().splitlines()[1:]]
    if texts and texts[-1] == "":
        texts.pop()
    if len(ids) != len(texts):
        sys.exit(f"{base}: {len(texts)} articles but {len(ids)} manifest lines")
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        for i, t in zip(ids, texts):
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    os.replace(out + ".tmp", out)
    return out


class Sampler(threading.Thread):
    """Peak RSS of a process tree: of the whole tree, and by kind of process."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.peak_total = 0
        self.peak = {}
        self.cpu = {}  # pid -> (kind, user + system seconds), as last seen
        self.xmx = {}  # pid -> the -Xmx a JVM was started with
        self.jvm_rss = {}  # pid -> the JVM's peak RSS
        self.done = threading.Event()

    def kind(self, p):
        try:
            name = p.name()
            cmd = " ".join(p.cmdline()[:3])
        except self.psutil.Error:
            return "other"
        if "java" in name:
            return "jvm"
        if "python" in name and "pyspark" in cmd:
            return "python workers"
        if "python" in name:
            return "python driver"
        return name

    def heap(self):
        """The -Xmx of the largest JVM (the driver, the executor in local
        mode; spark-submit's launcher starts a small one first)."""
        if not self.jvm_rss:
            return None
        return self.xmx.get(max(self.jvm_rss, key=self.jvm_rss.get))

    def cpu_seconds(self):
        """CPU seconds (user + system) of the tree's processes by kind, as
        last sampled (a process that ends between two samples loses at most
        0.2 s)."""
        by = {}
        for k, t in self.cpu.values():
            by[k] = by.get(k, 0.0) + t
        return by

    def run(self):
        while not self.done.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except self.psutil.Error:
                break
            total, by = 0, {}
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                except self.psutil.Error:
                    continue
                total += rss
                k = self.kind(p)
                by[k] = by.get(k, 0) + rss
                self.cpu[p.pid] = (k, t.user + t.system)
                if k == "jvm":
                    self.jvm_rss[p.pid] = max(self.jvm_rss.get(p.pid, 0), rss)
                    if p.pid not in self.xmx:
                        with contextlib.suppress(self.psutil.Error):
                            self.xmx[p.pid] = next((a for a in p.cmdline() if a.startswith("-Xmx")), "no -Xmx")
            self.peak_total = max(self.peak_total, total)
            for k, v in by.items():
                self.peak[k] = max(self.peak.get(k, 0), v)
            time.sleep(0.2)


def run_measured(cmd, env, stdout):
    """Runs ``cmd``: exit status, wall seconds, the sampler, stderr, and the
    CPU seconds of the children this process waited for (the whole tree
    when every process in it waits for its own)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(p.pid)
    sampler.start()
    _, err = p.communicate()
    wall = time.monotonic() - start
    sampler.done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, wall, sampler, err, cpu


def records(lines):
    for line in lines:
        if line.strip():
            yield json.loads(line)


def compare(rust_path, spark_dir):
    """(identical, records compared, first difference)."""
    parts = sorted(glob.glob(os.path.join(spark_dir, "part-*")))

    def spark_lines():
        for part in parts:
            with open(part, encoding="utf-8") as f:
                yield from f

    n = 0
    with open(rust_path, encoding="utf-8") as f:
        rust, spark = records(f), records(spark_lines())
        while True:
            a, b = next(rust, None), next(spark, None)
            if a is None and b is None:
                return True, n, None
            if a != b:
                return False, n, f"record {n + 1}: rust {json.dumps(a)[:300]} / spark {json.dumps(b)[:300]}"
            n += 1


def event_stages(path):
    """The stages of a Spark event log (``spark.eventLog.enabled``): per
    completed stage, its id, the code line that made it, wall seconds
    (submission to completion), task seconds (executor run time, summed
    over tasks; a task that waits for its Python worker counts the wait),
    the CPU seconds of the tasks' JVM threads, tasks, and shuffle MB read
    and written."""
    stages = []
    if os.path.isdir(path):
        # Spark 4's rolling event log: a directory of events_N_* files.
        files = sorted(glob.glob(os.path.join(path, "events_*")), key=lambda f: int(os.path.basename(f).split("_")[1]))
    else:
        files = [path]
    lines = []
    for file in files:
        if file.endswith(".zstd"):
            # Spark compresses its event logs with zstd by default.
            text = subprocess.run(["zstd", "-dc", file], capture_output=True, check=True).stdout.decode("utf-8")
        else:
            with open(file, encoding="utf-8") as f:
                text = f.read()
        lines.extend(text.splitlines())
    for line in lines:
        if line.strip():
            e = json.loads(line)
            if e.get("Event") != "SparkListenerStageCompleted":
                continue
            info = e["Stage Info"]
            acc = {a["Name"]: a.get("Value", 0) for a in info.get("Accumulables", [])}
            stages.append(
                {
                    "id": info["Stage ID"],
                    "name": info["Stage Name"],
                    "wall": (info.get("Completion Time", 0) - info.get("Submission Time", 0)) / 1000,
                    "task_seconds": int(acc.get("internal.metrics.executorRunTime", 0)) / 1000,
                    "jvm_cpu": int(acc.get("internal.metrics.executorCpuTime", 0)) / 1e9,
                    "tasks": info["Number of Tasks"],
                    "shuffle_read_mb": int(acc.get("internal.metrics.shuffle.read.remoteBytesRead", 0) or 0) / 2**20
                    + int(acc.get("internal.metrics.shuffle.read.localBytesRead", 0) or 0) / 2**20,
                    "shuffle_write_mb": int(acc.get("internal.metrics.shuffle.write.bytesWritten", 0) or 0) / 2**20,
                }
            )
    return stages


def print_stages(path, top=15):
    """The ``top`` stages of an event log by wall time, to stderr."""
    stages = event_stages(path)
    total = sum(s["wall"] for s in stages)
    print(f"{len(stages)} stages, {total:.1f} s of stage wall time; the longest:", file=sys.stderr)
    for s in sorted(stages, key=lambda s: -s["wall"])[:top]:
        print(
            f"  stage {s['id']:>3} {s['wall']:7.1f} s wall {s['task_seconds']:7.1f} task-s "
            f"({s['jvm_cpu']:6.1f} JVM CPU-s) {s['tasks']:>4} tasks "
            f"shuffle read {s['shuffle_read_mb']:7.1f} MB write {s['shuffle_write_mb']:7.1f} MB  {s['name'][:70]}",
            file=sys.stderr,
        )


def mb(x):
    return f"{x / 2**20:,.0f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required="--stages" not in sys.argv)
    g.add_argument("--peer", action="store_true", help="the 115 MB peer corpus")
    g.add_argument("--corpus", help="a JSON-lines corpus")
    p.add_argument("--dir", default="/tmp/neardup-spark", help="where outputs (and the converted peer corpus) go")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--memory", default="4g", help="spark.driver.memory (the executor, in local mode)")
    p.add_argument("--python", default=os.path.join(ROOT, "target", "py-venv", "bin", "python"))
    p.add_argument("--exe", default=os.path.join(ROOT, "target", "release", "examples", "corpus"))
    p.add_argument("--skip-rust", action="store_true", help="reuse DIR/NAME.rust.jsonl from an earlier run")
    p.add_argument("--conf", action="append", default=[], help="more Spark settings, KEY=VALUE")
    p.add_argument("--stages", metavar="EVENT_LOG", help="only print the longest stages of a Spark event log")
    args = p.parse_args()
    if args.stages:
        print_stages(args.stages, top=40)
        return 0
    os.makedirs(args.dir, exist_ok=True)
    corpus = peer_corpus(args.dir) if args.peer else args.corpus
    name = os.path.splitext(os.path.basename(corpus))[0]
    size = os.path.getsize(corpus)
    rust_out = os.path.join(args.dir, f"{name}.rust.jsonl")

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    if not args.skip_rust:
        if not os.path.exists(args.exe):
            sys.exit(f"{args.exe} is missing: run `cargo build --release --example corpus` first")
        with open(rust_out, "w") as out:
            status, rust_wall, rs, err, rust_cpu = run_measured([args.exe, corpus], env, out)
        if status not in (0, 1):
            sys.exit(f"corpus example failed ({status}):\n{err}")
        print(f"rust: {rust_wall:.1f} s wall, {rust_cpu:.1f} CPU-s, peak RSS {mb(rs.peak_total)} MiB", file=sys.stderr)
        print(err.strip(), file=sys.stderr)
        with open(os.path.join(args.dir, f"{name}.rust.json"), "w") as f:
            json.dump({"wall": rust_wall, "peak": rs.peak_total, "cpu": rust_cpu}, f)
    with open(os.path.join(args.dir, f"{name}.rust.json")) as f:
        rust = json.load(f)

    out_dir = tempfile.mkdtemp(prefix=f"{name}.spark.", dir=args.dir)
    os.rmdir(out_dir)
    summary = out_dir + ".summary.json"
    cmd = [args.python, "-m", "neardup.spark", corpus, out_dir, "--master", f"local[{args.threads}]",
           "--conf", f"spark.driver.memory={args.memory}", "--summary", summary]  # fmt: skip
    for c in args.conf:
        cmd += ["--conf", c]
    env = dict(os.environ, PYSPARK_PYTHON=args.python, RAYON_NUM_THREADS=str(args.threads))
    status, spark_wall, ss, err, waited_cpu = run_measured(cmd, env, subprocess.DEVNULL)
    cpu_by = ss.cpu_seconds()
    spark_cpu = max(sum(cpu_by.values()), waited_cpu)
    print(err.strip()[-3000:], file=sys.stderr)
    if status not in (0, 1):
        sys.exit(f"the Spark job failed ({status})")
    with open(summary) as f:
        s = json.load(f)
    identical, n, diff = compare(rust_out, out_dir)
    print(f"spark: {spark_wall:.1f} s wall, {spark_cpu:.1f} CPU-s ("
          + ", ".join(f"{k} {v:.1f}" for k, v in cpu_by.items()) + "); JVM " + str(ss.heap()) + "; peaks (MiB): "
          + ", ".join(f"{k} {mb(v)}" for k, v in ss.peak.items())
          + f", tree {mb(ss.peak_total)}; {n} records compared: {'identical' if identical else diff}",
          file=sys.stderr)  # fmt: skip
    stages = ", ".join(f"{k} {v:.1f}" for k, v in s["seconds"].items())
    print(
        "| corpus | MB | articles | pairs | Rust s | Rust CPU-s | Rust peak MiB | Spark s | Spark CPU-s | ratio "
        "| JVM peak MiB | Python workers peak MiB | tree peak MiB | identical | Spark stages (s) |"
    )
    print("|" + "---|" * 15)
    rust_cpu = rust.get("cpu")
    row = [
        name, f"{size / 1e6:,.0f}", f"{s['articles']:,}", f"{s['pairs']:,}", f"{rust['wall']:.1f}",
        "?" if rust_cpu is None else f"{rust_cpu:.1f}", mb(rust["peak"]), f"{spark_wall:.1f}", f"{spark_cpu:.1f}",
        f"{spark_wall / rust['wall']:.1f}×", mb(ss.peak.get("jvm", 0)), mb(ss.peak.get("python workers", 0)),
        mb(ss.peak_total), "yes" if identical else "NO", stages,
    ]  # fmt: skip
    print("| " + " | ".join(row) + " |")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
