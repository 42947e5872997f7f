#!/usr/bin/env python3
"""Run passim 2 on a development set and score its passages like neardup's.

    scripts/passim.py --set SETDIR --out WORKDIR [--passim-args "-g 80 -a 80"]
                      [--venv /work/passim-venv] [--src /work/passim-src]
                      [--neardup target/release/examples/corpus]

passim (David A. Smith, github dasmiq/passim; PySpark) is NOT a dependency of
neardup: install it by hand in a scratch virtualenv, never in CI, and never
commit its code:

    git clone https://github.com/dasmiq/passim /work/passim-src
    python3 -m venv /work/passim-venv
    /work/passim-venv/bin/pip install -e /work/passim-src   # pulls pyspark 4.0.1

(Java 17 must be on PATH.) passim's `passim` wrapper runs `spark-submit
--packages io.graphframes:...` and so needs Maven; this script runs
`passim/seriatim.py` with the same options as the wrapper
(`--all-pairs --fields 'xxhash64(series) as gid' --filterpairs 'gid < gid2'`)
plus `--pairwise`, without `--packages`, and reads the pairwise alignments
(`align.json`), which Spark has written completely (`_SUCCESS`) before the
clustering step fails for want of the GraphFrames jar. That failure is
expected and checked for; any other failure is an error.

Steps:
1. SETDIR/docs/* (doc id = path below docs/) -> WORKDIR/input.jsonl, one
   `{"id", "series", "text"}` a line; series = id, so every pair of documents
   is compared once. Files are decoded as strict UTF-8 from their bytes (no
   newline translation); a file that is not UTF-8 is an error naming it.
2. spark-submit with `--master local[2]`, log in WORKDIR/passim.log, output in
   WORKDIR/passim-out (removed first: passim silently reuses the
   intermediate results it finds in its output directory; `--reuse` reads a
   complete earlier run of the same command on the same input instead).
3. align.json rows -> WORKDIR/pred.jsonl in the scorer's format. passim's
   `begin`/`end` (document `id`) and `begin2`/`end2` (document `id2`) are
   CHARACTER (code point) offsets into the `text` field, end exclusive; they
   are converted to BYTE offsets into the UTF-8 file. Each row is checked:
   the slice of the text must equal passim's alignment string (`s1`, `s2`)
   with its gap marks `-` removed (passim writes the text's own `-` as
   U+2010); more than 1 % of spans differing is an error (a few do: passim's
   spliceExtents repeats text in the string of two joined extents; they are
   counted on stderr and kept).
4. Scores the passages and prints one Markdown row (P, R, F1, plagdet,
   granularity, wall seconds of spark-submit): with `evaluate` and
   `format_row` of scripts/eval.py when that file exists and loads (its row
   adds near-duplicate pairs found), otherwise with
   `../shared/eval-dev/score.py --json` directly. The whole result is
   written to WORKDIR/row.json.

With `--neardup BIN` (the `corpus` example, `cargo build --release --example
corpus`) it also runs `BIN --quiet --no-groups SETDIR/docs` (through
eval.py's `run_corpus` when there is one), writes WORKDIR/neardup-pred.jsonl
and prints neardup's row under passim's; `--neardup-only` skips Spark.
"""
import argparse
import glob
import hashlib
import importlib.util
import itertools
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCORE_PY = REPO.parent / "shared" / "eval-dev" / "score.py"

# The options the `passim` wrapper (bin/passim) gives to seriatim.
WRAPPER_ARGS = ["--all-pairs", "--fields", "xxhash64(series) as gid",
                "--filterpairs", "gid < gid2"]


def fail(msg):
    sys.exit(f"passim.py: {msg}")


def read_docs(set_dir):
    """doc id -> text, from SETDIR/docs (ids are paths below docs/, sorted)."""
    root = set_dir / "docs"
    if not root.is_dir():
        fail(f"{root}: no such directory (a set is SETDIR/docs/<doc id>)")
    docs = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        doc_id = path.relative_to(root).as_posix()
        try:
            docs[doc_id] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            fail(f"{path}: not UTF-8 at byte {e.start}")
    if not docs:
        fail(f"{root}: no documents")
    return docs


def write_input(docs, path):
    with open(path, "w", encoding="utf-8") as out:
        for doc_id, text in docs.items():
            out.write(json.dumps({"id": doc_id, "series": doc_id, "text": text},
                                 ensure_ascii=False) + "\n")


def run_passim(a, input_path, out_dir, log_path):
    """Runs seriatim; returns (total wall seconds, seconds until align.json).

    The times and the command are kept in WORKDIR/passim-run.json; with
    `--reuse`, a complete earlier run of the same command on the same input
    is read again instead of run.
    """
    venv_bin = a.venv / "bin"
    spark_submit = venv_bin / "spark-submit"
    seriatim = a.src / "passim" / "seriatim.py"
    for p in (spark_submit, seriatim):
        if not p.exists():
            fail(f"{p}: not found (see the install steps in this script's doc)")
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["SPARK_CONF_DIR"] = str(a.src / "conf")
    env["PYSPARK_PYTHON"] = str(venv_bin / "python")
    env["PYSPARK_DRIVER_PYTHON"] = str(venv_bin / "python")
    cmd = [str(spark_submit), "--master", a.master,
           "--driver-memory", a.driver_memory, str(seriatim),
           *WRAPPER_ARGS, "--pairwise", *shlex.split(a.passim_args),
           str(input_path), str(out_dir)]
    success = out_dir / "align.json" / "_SUCCESS"
    record = out_dir.parent / "passim-run.json"
    input_sha = hashlib.sha256(input_path.read_bytes()).hexdigest()
    if a.reuse and success.exists() and record.exists():
        run = json.loads(record.read_text())
        if run.get("cmd") == cmd and run.get("input_sha256") == input_sha:
            print(f"reusing {out_dir} ({record})", file=sys.stderr)
            return run["wall_s"], run["align_s"]
    if out_dir.exists():  # passim silently reuses intermediate results it finds
        shutil.rmtree(out_dir)
    print("$ " + shlex.join(cmd), file=sys.stderr)
    start = time.time()
    with open(log_path, "w") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    wall = time.time() - start
    log_text = Path(log_path).read_text(errors="replace")
    if not success.exists():
        tail = "\n".join(log_text.splitlines()[-25:])
        fail(f"spark-submit exited {rc} without {success}; end of {log_path}:\n{tail}")
    if rc != 0 and "org.graphframes" not in log_text:
        fail(f"spark-submit exited {rc} for a reason other than the missing "
             f"GraphFrames jar; see {log_path}")
    align_s = success.stat().st_mtime - start
    record.write_text(json.dumps({"cmd": cmd, "input_sha256": input_sha, "wall_s": wall,
                                  "align_s": align_s}, indent=1) + "\n")
    return wall, align_s


def byte_offsets(text):
    """offsets[i] = UTF-8 byte offset of character i (offsets[len] = byte length)."""
    return list(itertools.accumulate((len(c.encode("utf-8")) for c in text), initial=0))


# passim's `spliceExtents` joins two overlapping extents by concatenating
# their texts, which can repeat a stretch in the alignment string while the
# offsets stay a valid span: a few such rows are passim's, more than this
# share means the offsets are read wrongly.
MAX_MISMATCH_SHARE = 0.01


def read_align(docs, align_dir):
    """passim's pairwise rows -> scorer passages (byte offsets), checked."""
    offsets = {}
    mismatches = []

    def to_bytes(doc_id, begin, end, alg):
        text = docs.get(doc_id)
        if text is None:
            fail(f"{align_dir}: unknown document id {doc_id!r}")
        if not 0 <= begin <= end <= len(text):
            fail(f"{align_dir}: {doc_id}: span {begin}..{end} outside its "
                 f"{len(text)} characters")
        if text[begin:end].replace("-", "\u2010") != alg.replace("-", ""):
            mismatches.append(f"{doc_id} {begin}..{end}")
        if doc_id not in offsets:
            offsets[doc_id] = byte_offsets(text)
        return offsets[doc_id][begin], offsets[doc_id][end]

    preds = []
    parts = sorted(glob.glob(str(align_dir / "part-*")))
    for part in parts:
        with open(part, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    r = json.loads(line)
                    a_start, a_end = to_bytes(r["id"], r["begin"], r["end"], r["s1"])
                    b_start, b_end = to_bytes(r["id2"], r["begin2"], r["end2"], r["s2"])
                except (json.JSONDecodeError, KeyError) as e:
                    fail(f"{part}:{n}: unexpected row: {e}")
                preds.append({"a": r["id"], "a_start": a_start, "a_end": a_end,
                              "b": r["id2"], "b_start": b_start, "b_end": b_end})
    if mismatches:
        share = len(mismatches) / (2 * len(preds))
        msg = (f"{align_dir}: {len(mismatches)} of {2 * len(preds)} spans differ from "
               f"passim's alignment string (first: {mismatches[0]})")
        if share > MAX_MISMATCH_SHARE:
            fail(msg + ": the offsets are not what this script assumes")
        print(f"passim.py: {msg}; kept, the offsets being a valid span "
              f"(passim's spliceExtents repeats text in the string)", file=sys.stderr)
    preds.sort(key=lambda p: (p["a"], p["b"], p["a_start"], p["b_start"],
                              p["a_end"], p["b_end"]))
    return preds


def write_jsonl(rows, path):
    with open(path, "w", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")


def run_neardup(binary, set_dir, docs):
    """Runs the corpus example; returns (scorer passages, wall seconds).

    Used when scripts/eval.py (which maps exact duplicates word by word) is
    absent. An exact-duplicate group (`{"exact_duplicates": [..],
    "representative": ..}`) stands for its members in the pairs: a member
    byte-identical to its representative gets the representative's passages
    and a whole-text passage with every other member; a member that differs
    in bytes is counted on stderr and left out.
    """
    cmd = [str(binary), "--quiet", "--no-groups", str(set_dir / "docs")]
    print("$ " + shlex.join(cmd), file=sys.stderr)
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - start
    if proc.returncode != 0:
        fail(f"{binary} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    groups = {}
    pairs = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if "exact_duplicates" in r:
            groups[r["representative"]] = [m for m in r["exact_duplicates"]
                                           if m != r["representative"]]
        elif "passages" in r:
            pairs.append(r)
    same = {}
    skipped = 0
    for rep, members in groups.items():
        same[rep] = [m for m in members if docs[m] == docs[rep]]
        skipped += len(members) - len(same[rep])
    if skipped:
        print(f"neardup: {skipped} exact duplicates differ in bytes from their "
              f"representative; their passages are not scored", file=sys.stderr)
    preds = []
    for r in pairs:
        for pa in [r["a"], *same.get(r["a"], [])]:
            for pb in [r["b"], *same.get(r["b"], [])]:
                for p in r["passages"]:
                    preds.append({"a": pa, "a_start": p["a"]["start"], "a_end": p["a"]["end"],
                                  "b": pb, "b_start": p["b"]["start"], "b_end": p["b"]["end"]})
    for rep, members in same.items():
        size = len(docs[rep].encode("utf-8"))
        for x, y in itertools.combinations([rep, *members], 2):
            preds.append({"a": x, "a_start": 0, "a_end": size,
                          "b": y, "b_start": 0, "b_end": size})
    return preds, wall


def load_eval_py():
    """scripts/eval.py as a module, when it exists and offers what is used here."""
    path = HERE / "eval.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("neardup_eval", path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except Exception as e:  # a broken eval.py must not lose a Spark run
        print(f"passim.py: {path} does not load ({e}); scoring with score.py",
              file=sys.stderr)
        return None
    missing = [n for n in ("evaluate", "format_row", "HEADER") if not hasattr(mod, n)]
    if missing:
        print(f"passim.py: {path} has no {', '.join(missing)}; scoring with score.py",
              file=sys.stderr)
        return None
    return mod


def score_py(set_dir, pred_path, score_path):
    """Full result of score.py --set SETDIR --pred FILE --json."""
    if not score_path.exists():
        fail(f"{score_path}: not found (give --score)")
    proc = subprocess.run([sys.executable, str(score_path), "--set", str(set_dir),
                           "--pred", str(pred_path), "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{score_path} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


HEADER = ("| label | set | P | R | F1 | plagdet | gran. | passages | wall s |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def evaluate(ev, a, set_dir, preds, pred_path, label, seconds):
    """(row dict, Markdown row): eval.py's when it loads, else score.py's."""
    if ev is not None:
        try:
            r = ev.evaluate(str(set_dir), preds, label, seconds)
            return r, ev.format_row(r)
        except Exception as e:
            print(f"passim.py: eval.py's evaluate failed ({e!r}); scoring with score.py",
                  file=sys.stderr)
    res = score_py(set_dir, pred_path, a.score)
    r = {"label": label, "set": set_dir.name, "passage": res["passage"], "pan": res["pan"],
         "pair": res["pair"], "dropped_predictions": res["dropped_predictions"],
         "predictions": len(preds), "seconds": seconds}
    p, pan = r["passage"], r["pan"]
    line = (f"| {label} | {r['set']} | {fmt(p['precision'])} | {fmt(p['recall'])} "
            f"| {fmt(p['f1'])} | {fmt(pan['plagdet'])} | {fmt(pan['granularity'], 2)} "
            f"| {len(preds)} | {seconds:.2f} |")
    return r, line


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True, type=Path, help="set directory (docs/, truth.jsonl, ...)")
    ap.add_argument("--out", required=True, type=Path, help="work directory (created)")
    ap.add_argument("--passim-args", default="", help='extra seriatim options, e.g. "-g 80 -a 80"')
    ap.add_argument("--venv", type=Path, default=Path("/work/passim-venv"))
    ap.add_argument("--src", type=Path, default=Path("/work/passim-src"))
    ap.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    ap.add_argument("--driver-memory", default="2g")
    ap.add_argument("--score", type=Path, default=SCORE_PY, help="path of score.py")
    ap.add_argument("--reuse", action="store_true",
                    help="read WORKDIR's complete earlier run of the same command instead of running Spark")
    ap.add_argument("--neardup", type=Path, help="also run this corpus-example binary")
    ap.add_argument("--neardup-only", action="store_true",
                    help="with --neardup: run neardup alone (no Spark)")
    a = ap.parse_args()
    if a.neardup_only and not a.neardup:
        fail("--neardup-only needs --neardup BIN")

    set_dir = a.set.resolve()
    a.out.mkdir(parents=True, exist_ok=True)
    docs = read_docs(set_dir)
    ev = load_eval_py()
    rows, lines = [], []

    if not a.neardup_only:
        input_path = a.out / "input.jsonl"
        write_input(docs, input_path)
        wall, align_s = run_passim(a, input_path, a.out / "passim-out", a.out / "passim.log")
        preds = read_align(docs, a.out / "passim-out" / "align.json")
        pred_path = a.out / "pred.jsonl"
        write_jsonl(preds, pred_path)
        print(f"passim: {len(preds)} passages in {pred_path}; wall {wall:.1f} s "
              f"(align.json complete after {align_s:.1f} s)", file=sys.stderr)
        label = "passim " + (a.passim_args.strip() or "default")
        r, line = evaluate(ev, a, set_dir, preds, pred_path, label, wall)
        rows.append(r)
        lines.append(line)

    if a.neardup:
        if ev is not None and hasattr(ev, "run_corpus"):
            preds, _stats, wall = ev.run_corpus(str(a.neardup.resolve()), str(set_dir), [])
        else:
            preds, wall = run_neardup(a.neardup, set_dir, docs)
        preds.sort(key=lambda p: (p["a"], p["b"], p["a_start"], p["b_start"],
                                  p["a_end"], p["b_end"]))
        nd_path = a.out / "neardup-pred.jsonl"
        write_jsonl(preds, nd_path)
        r, line = evaluate(ev, a, set_dir, preds, nd_path, "neardup default", wall)
        rows.append(r)
        lines.append(line)

    print(ev.HEADER if ev is not None else HEADER)
    for line in lines:
        print(line)
    name = "neardup-row.json" if a.neardup_only else "row.json"
    with open(a.out / name, "w") as out:
        json.dump(rows, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
