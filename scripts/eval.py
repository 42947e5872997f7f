#!/usr/bin/env python3
"""Score neardup (or any detector's predictions) on a development set: one table row.

    scripts/eval.py --set SETDIR [--bin CORPUS] [--label NAME] [--json] [--header]
                    [--save-pred FILE] [-- EXTRA CORPUS OPTIONS]
    scripts/eval.py --set SETDIR --pred PRED.jsonl [--label NAME] [--seconds S] [--json]
    scripts/eval.py --set SETDIR [--pred PRED.jsonl] --by-kind

A set is a directory made by ../shared/eval-dev/silver.py (or
scripts/make-devsets.py): docs/, truth.jsonl, negatives.jsonl, ignore.jsonl,
manifest.json.

Without --pred, runs the `corpus` example (default
target/release/examples/corpus of this repository, built with
`cargo build --release --example corpus` when missing) as

    corpus --quiet --no-groups SETDIR/docs [EXTRA CORPUS OPTIONS]

and converts its JSON lines into predictions (score.py's format, one passage
a line, byte offsets, end exclusive):

* a pair line gives one prediction per entry of "passages" (whatever flags
  the entry carries: a passage marked boilerplate counts as a prediction)
  and per entry of its "boilerplate" list when there is one (`--boilerplate`);
* an exact-duplicate line {"exact_duplicates": [..], "representative": R}:
  a pair line with R stands for a pair with every member, so each member
  gets R's passages (offsets mapped from R's words to the member's words,
  which are the same words), and every two members of one class are given
  one whole-document passage (0..len, 0..len): they are duplicates.

Then runs `score.py --set SETDIR --pred PRED --json` and prints one row:

    label | set | passage P | R | F1 | plagdet | granularity | near-dup found/total | wall s

Near-duplicate pair: a pair of documents whose passages, taken as a union of
byte spans on each side, cover >= 80 % of the bytes of BOTH documents.
"total" counts the truth's near-duplicate pairs (truth passages); one is
"found" when the predicted passages of that pair cover >= 80 % of both
documents too. Predicted near-duplicate pairs that are not in the truth are
counted in the JSON as "near_dup.false". Wall seconds: the corpus run alone
(with --pred, whatever --seconds says, or none).

Per kind (`--by-kind`): when the truth rows carry a "kind" (the obfuscation
set of scripts/make-obfuscation-set.py; else their "label"), the row also
gets "by_kind", and --by-kind prints a table with one line per kind and one
for all: planted passages, found (a prediction overlaps the passage on both
sides, PAN's "detected"), the scorer's passage recall (>= 50 % overlap) and
precision, PAN precision, recall, granularity and plagdet. A kind is scored
by `score.py --truth` on its own truth rows and the predictions on their
document pairs (pairs holding passages of several kinds count for each);
the "all" line is the set's own score (negatives, ignore, unjudged pairs as
its manifest says) and counts the false alarms: predicted pairs that are not
truth pairs, and of those on negatives.

Another script (e.g. one running passim) imports this file and calls
`evaluate(set_dir, pred_rows, label, seconds)` and `format_row(row)`
(and `format_kinds(row)` for the per-kind table).
Standard library Python 3.11.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KIT = os.path.join(ROOT, "..", "shared", "eval-dev")
DEFAULT_BIN = os.path.join(ROOT, "target", "release", "examples", "corpus")
NEAR_DUP_COVERAGE = 0.8
WORD = re.compile(rb"\w+")


def load_jsonl(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit(f"eval: {path}:{n}: bad JSON line ({e})")
    return rows


def pair_key(r):
    """The unordered pair of a passage row."""
    return tuple(sorted((str(r["a"]), str(r["b"]))))


def union_len(spans):
    total, end = 0, None
    for s, e in sorted(spans):
        if end is None or s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def pair_coverage(rows, doc_bytes):
    """{(x, y): (coverage of x, coverage of y)} with x < y, over the byte union of the rows' spans."""
    spans = {}
    for r in rows:
        a, b = str(r["a"]), str(r["b"])
        sa, sb = (r["a_start"], r["a_end"]), (r["b_start"], r["b_end"])
        if a > b:
            a, b, sa, sb = b, a, sb, sa
        x, y = spans.setdefault((a, b), ([], []))
        x.append(sa)
        y.append(sb)
    out = {}
    for (a, b), (x, y) in spans.items():
        la, lb = doc_bytes.get(a), doc_bytes.get(b)
        if not la or not lb:
            continue
        out[(a, b)] = (union_len(x) / la, union_len(y) / lb)
    return out


def near_duplicate_pairs(rows, doc_bytes, threshold=NEAR_DUP_COVERAGE):
    """The pairs whose rows cover >= threshold of the bytes of both documents."""
    return {p for p, (ca, cb) in pair_coverage(rows, doc_bytes).items() if ca >= threshold and cb >= threshold}


def set_doc_bytes(set_dir):
    """{doc id: length in bytes} of a set (from its manifest, else from docs/)."""
    man = os.path.join(set_dir, "manifest.json")
    if os.path.exists(man):
        with open(man, encoding="utf-8") as f:
            docs = json.load(f).get("docs")
        if docs:
            return {d: v["bytes"] for d, v in docs.items()}
    base = os.path.join(set_dir, "docs")
    out = {}
    for root, dirs, files in os.walk(base):
        for fn in files:
            p = os.path.join(root, fn)
            out[os.path.relpath(p, base)] = os.path.getsize(p)
    return out


# ---- corpus output -> predictions -------------------------------------------

def word_spans(data):
    return [m.span() for m in WORD.finditer(data)]


def map_offset(pos, src, dst, start):
    """A byte offset in a representative mapped to the same word of a member.

    `src`, `dst`: word spans of both texts. A start maps to the start of the
    first word ending after it, an end to the end of the last word starting
    before it."""
    if not src or not dst:
        return 0
    if start:
        i = next((k for k, (s, e) in enumerate(src) if e > pos), len(src) - 1)
        return dst[min(i, len(dst) - 1)][0]
    j = next((k for k in range(len(src) - 1, -1, -1) if src[k][0] < pos), 0)
    return dst[min(j, len(dst) - 1)][1]


class Mapper:
    """Offsets of a representative's passages carried to the members of its class."""

    def __init__(self, docs_dir):
        self.docs_dir = docs_dir
        self.cache = {}

    def data(self, doc):
        if doc not in self.cache:
            with open(os.path.join(self.docs_dir, doc), "rb") as f:
                d = f.read()
            self.cache[doc] = (d, word_spans(d))
        return self.cache[doc]

    def span(self, rep, member, start, end):
        if rep == member:
            return start, end
        rd, rw = self.data(rep)
        md, mw = self.data(member)
        if rd == md:
            return start, end
        s, e = map_offset(start, rw, mw, True), map_offset(end, rw, mw, False)
        return (s, e) if s < e else (s, s)


def corpus_predictions(lines, docs_dir):
    """score.py prediction rows from the corpus example's JSON lines.

    Returns (rows, stats) with stats counting pair lines, passages, boilerplate
    passages and exact-duplicate classes."""
    classes, pair_lines = {}, []
    stats = {"pair_lines": 0, "passages": 0, "boilerplate_passages": 0, "exact_duplicate_classes": 0,
             "exact_duplicate_members": 0}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"eval: corpus output line {n}: bad JSON ({e}): {line[:200]!r}")
        if "exact_duplicates" in r:
            classes[str(r["representative"])] = [str(m) for m in r["exact_duplicates"]]
            stats["exact_duplicate_classes"] += 1
            stats["exact_duplicate_members"] += len(r["exact_duplicates"])
        elif "passages" in r:
            pair_lines.append(r)
        elif "group" in r:
            continue
        else:
            sys.exit(f"eval: corpus output line {n}: neither a pair nor a group: {line[:200]!r}")
    mapper = Mapper(docs_dir)
    rows = []
    for r in pair_lines:
        stats["pair_lines"] += 1
        a, b = str(r["a"]), str(r["b"])
        passages = list(r["passages"])
        boiler = r.get("boilerplate") or []
        stats["boilerplate_passages"] += len(boiler) + sum(1 for p in passages if p.get("boilerplate"))
        passages += boiler
        stats["passages"] += len(passages)
        for ma in classes.get(a, [a]):
            for mb in classes.get(b, [b]):
                for p in passages:
                    sa = mapper.span(a, ma, p["a"]["start"], p["a"]["end"])
                    sb = mapper.span(b, mb, p["b"]["start"], p["b"]["end"])
                    rows.append({"a": ma, "b": mb, "a_start": sa[0], "a_end": sa[1],
                                 "b_start": sb[0], "b_end": sb[1]})
    for members in classes.values():
        for i, x in enumerate(members):
            for y in members[i + 1:]:
                lx, ly = len(mapper.data(x)[0]), len(mapper.data(y)[0])
                rows.append({"a": x, "b": y, "a_start": 0, "a_end": lx, "b_start": 0, "b_end": ly})
    return rows, stats


def ensure_binary(path):
    if os.path.exists(path):
        return
    if os.path.abspath(path) != os.path.abspath(DEFAULT_BIN):
        sys.exit(f"eval: --bin {path}: no such file")
    cmd = ["cargo", "build", "--release", "--example", "corpus"]
    print(f"+ {' '.join(cmd)}", file=sys.stderr)
    subprocess.run(cmd, cwd=ROOT, check=True)


def run_corpus(binary, set_dir, extra):
    """Runs the corpus example on SETDIR/docs; (prediction rows, stats, wall seconds)."""
    ensure_binary(binary)
    docs = os.path.join(set_dir, "docs")
    cmd = [binary, "--quiet", "--no-groups", docs] + list(extra)
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - t0
    if r.stderr.strip():
        print(r.stderr.rstrip(), file=sys.stderr)
    if r.returncode != 0:
        sys.exit(f"eval: {' '.join(cmd)} exited with {r.returncode} (an input skipped or an error; see above)")
    rows, stats = corpus_predictions(r.stdout.splitlines(), docs)
    return rows, stats, seconds


# ---- scoring -----------------------------------------------------------------

def score(set_dir, pred_path, kit=KIT):
    """score.py --set SET_DIR --pred PRED_PATH --json, parsed."""
    cmd = [sys.executable, os.path.join(kit, "score.py"), "--set", set_dir, "--pred", pred_path, "--json"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"eval: {' '.join(cmd)} failed:\n{r.stderr}")
    return json.loads(r.stdout)


def truth_kind(r):
    """The kind of a truth row: its "kind", else its "label", else None."""
    k = r.get("kind", r.get("label"))
    return None if k is None else str(k)


def found_passages(truth_rows, pred_rows):
    """How many truth passages a prediction overlaps on both sides (PAN's "detected")."""
    preds = {}
    for r in pred_rows:
        a, b = str(r["a"]), str(r["b"])
        sa, sb = (r["a_start"], r["a_end"]), (r["b_start"], r["b_end"])
        if a > b:
            a, b, sa, sb = b, a, sb, sa
        preds.setdefault((a, b), []).append((sa, sb))
    n = 0
    for r in truth_rows:
        a, b = str(r["a"]), str(r["b"])
        ta, tb = (r["a_start"], r["a_end"]), (r["b_start"], r["b_end"])
        if a > b:
            a, b, ta, tb = b, a, tb, ta
        n += any(min(pa[1], ta[1]) > max(pa[0], ta[0]) and min(pb[1], tb[1]) > max(pb[0], tb[0])
                 for pa, pb in preds.get((a, b), ()))
    return n


def score_files(truth_rows, pred_rows, kit=KIT):
    """score.py --truth T --pred P --json on rows (no negatives: other pairs dropped), parsed."""
    paths = []
    try:
        for rows in (truth_rows, pred_rows):
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
                paths.append(f.name)
            write_jsonl(rows, paths[-1])
        cmd = [sys.executable, os.path.join(kit, "score.py"), "--truth", paths[0], "--pred", paths[1], "--json"]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"eval: {' '.join(cmd)} failed:\n{r.stderr}")
        return json.loads(r.stdout)
    finally:
        for p in paths:
            os.unlink(p)


def kind_figures(truth_rows, pred_rows, kit=KIT):
    """{kind: figures} for the truth rows that carry a kind; {} when none does."""
    kinds = {}
    for r in truth_rows:
        k = truth_kind(r)
        if k is not None:
            kinds.setdefault(k, []).append(r)
    out = {}
    for kind in sorted(kinds):
        rows = kinds[kind]
        pairs = {pair_key(r) for r in rows}
        preds = [r for r in pred_rows if pair_key(r) in pairs]
        res = score_files(rows, preds, kit)
        out[kind] = {"planted": len(rows), "found": found_passages(rows, preds), "predictions": len(preds),
                     "passage": {k: res["passage"][k] for k in ("precision", "recall", "f1", "true_hit")},
                     "pan": res["pan"]}
    return out


def write_jsonl(rows, path):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")


def evaluate(set_dir, pred_rows, label, seconds=None, kit=KIT, extra=None):
    """The row (a dict) for predictions `pred_rows` on the set: score.py's
    result plus near-duplicate pairs found."""
    doc_bytes = set_doc_bytes(set_dir)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        tmp = f.name
    try:
        write_jsonl(pred_rows, tmp)
        res = score(set_dir, tmp, kit)
    finally:
        os.unlink(tmp)
    truth = load_jsonl(os.path.join(set_dir, "truth.jsonl"))
    true_nd = near_duplicate_pairs(truth, doc_bytes)
    pred_nd = near_duplicate_pairs(pred_rows, doc_bytes)
    row = {
        "label": label,
        "set": os.path.basename(os.path.normpath(set_dir)),
        "passage": res["passage"],
        "pan": res["pan"],
        "pair": res["pair"],
        "dropped_predictions": res["dropped_predictions"],
        "near_dup": {"found": len(true_nd & pred_nd), "total": len(true_nd), "false": len(pred_nd - true_nd),
                     "coverage": NEAR_DUP_COVERAGE},
        "predictions": len(pred_rows),
        "seconds": seconds,
    }
    kinds = kind_figures(truth, pred_rows, kit)
    if kinds:
        row["by_kind"] = kinds
        row["found"] = found_passages(truth, pred_rows)
    if extra:
        row.update(extra)
    return row


HEADER = ("| label | set | P | R | F1 | plagdet | gran. | near-dup found/total | wall s |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def format_row(row):
    p, a, nd = row["passage"], row["pan"], row["near_dup"]
    secs = "-" if row.get("seconds") is None else f"{row['seconds']:.2f}"
    return (f"| {row['label']} | {row['set']} | {fmt(p['precision'])} | {fmt(p['recall'])} | {fmt(p['f1'])} "
            f"| {fmt(a['plagdet'])} | {fmt(a['granularity'], 2)} | {nd['found']}/{nd['total']} | {secs} |")


KIND_HEADER = ("| label | kind | planted | found | passage R | passage P | PAN P | PAN R | gran. | plagdet |\n"
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def format_kinds(row):
    """The per-kind table lines of a row (made by `evaluate` on a set whose truth has kinds)."""
    lines = []
    for kind, k in row.get("by_kind", {}).items():
        p, a = k["passage"], k["pan"]
        lines.append(f"| {row['label']} | {kind} | {k['planted']} | {k['found']} | {fmt(p['recall'])} "
                     f"| {fmt(p['precision'])} | {fmt(a['precision'])} | {fmt(a['recall'])} "
                     f"| {fmt(a['granularity'], 2)} | {fmt(a['plagdet'])} |")
    p, a, q = row["passage"], row["pan"], row["pair"]
    lines.append(f"| {row['label']} | all (false pairs {q['fp']}, on negatives {q['fp_on_negatives']}) "
                 f"| {p['true']} | {row.get('found', '-')} | {fmt(p['recall'])} | {fmt(p['precision'])} "
                 f"| {fmt(a['precision'])} | {fmt(a['recall'])} | {fmt(a['granularity'], 2)} | {fmt(a['plagdet'])} |")
    return "\n".join(lines)


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Options after -- go to the corpus example.")
    ap.add_argument("--set", required=True, help="set directory (docs/, truth.jsonl, ...)")
    ap.add_argument("--bin", default=DEFAULT_BIN, help="the corpus example binary (default %(default)s)")
    ap.add_argument("--pred", help="score this prediction file instead of running the binary")
    ap.add_argument("--seconds", type=float, help="with --pred: the wall seconds to print")
    ap.add_argument("--label", help="the row's label (default: the binary's path, or the prediction file's name)")
    ap.add_argument("--save-pred", help="also write the predictions made from the corpus output here")
    ap.add_argument("--kit", default=KIT, help="directory of score.py (default REPO/../shared/eval-dev)")
    ap.add_argument("--json", action="store_true", help="print the whole row as JSON")
    ap.add_argument("--header", action="store_true", help="print the Markdown table header first")
    ap.add_argument("--by-kind", action="store_true",
                    help="print one line per kind of truth passage (its \"kind\" or \"label\") and one for all")
    args = ap.parse_args(argv)
    set_dir = os.path.abspath(args.set)
    if not os.path.isfile(os.path.join(set_dir, "truth.jsonl")):
        ap.error(f"--set {args.set}: no truth.jsonl there")
    if args.pred:
        if extra:
            ap.error("options after -- are for the corpus binary; not with --pred")
        rows = load_jsonl(args.pred)
        if not rows and not os.path.exists(args.pred):
            ap.error(f"--pred {args.pred}: no such file")
        row = evaluate(set_dir, rows, args.label or os.path.basename(args.pred), args.seconds, args.kit)
    else:
        binary = os.path.abspath(args.bin)
        rows, stats, seconds = run_corpus(binary, set_dir, extra)
        if args.save_pred:
            write_jsonl(rows, args.save_pred)
        label = args.label or (os.path.relpath(binary, ROOT) + (" " + " ".join(extra) if extra else ""))
        row = evaluate(set_dir, rows, label, seconds, args.kit,
                       {"corpus": {"command": [binary, "--quiet", "--no-groups", "SETDIR/docs"] + extra, **stats}})
    if args.json:
        print(json.dumps(row, indent=1, sort_keys=True))
    elif args.by_kind:
        if "by_kind" not in row:
            sys.exit(f"eval: --by-kind: the truth rows of {set_dir} carry no \"kind\" or \"label\"")
        if args.header:
            print(KIND_HEADER)
        print(format_kinds(row))
    else:
        if args.header:
            print(HEADER)
        print(format_row(row))


if __name__ == "__main__":
    main()
