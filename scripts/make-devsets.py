#!/usr/bin/env python3
"""Build the development sets of real reuse: documentation nobody here wrote.

    scripts/make-devsets.py OUT_DIR [--sets django-docs,sqlalchemy-docs,django-releases]
                            [--cache DIR] [--kit DIR]

For each set, downloads the pinned source distributions from PyPI with
`pip download --no-deps --no-binary PKG PKG==VERSION` (checked against the
sha256 pinned below: a changed file is an error, not a different set), takes
a fixed selection of their documentation files, and runs the team's silver
ground-truth builder

    python3 ../shared/eval-dev/silver.py STAGING OUT_DIR/<set>

which writes OUT_DIR/<set>/{docs/,truth.jsonl,ignore.jsonl,negatives.jsonl,
manifest.json}. The manifest then gets the sources (package, version, sdist
sha256), the selection, and the sizes: documents, bytes, truth passages,
pairs in truth, and near-duplicate pairs in truth (pairs whose truth passages
cover >= 80 % of the bytes of both documents; see `eval.py`). Everything is
deterministic: the same OUT_DIR/<set> byte for byte on every run.

Sets (doc id = release label / path below the documentation root):

* django-docs: `docs/topics/`, `docs/ref/models/` and `docs/faq/` (.txt,
  reStructuredText) of Django 4.2.16 and 5.1.4, ids like
  `4.2/ref/models/fields.txt`. Two releases' revisions of one text: the
  same document edited, sections moved, boilerplate repeated.
* sqlalchemy-docs: `doc/build/*.rst`, `orm/` (with its subdirectories),
  `tutorial/` and `faq/` of SQLAlchemy 1.4.54 and 2.0.36, ids like
  `2.0/orm/queryguide/select.rst`. A major rewrite: 1.4's query chapters
  were split into 2.0's queryguide, so reuse is many-to-one.
* django-releases: every `docs/releases/*.txt` of Django 5.1.4, ids like
  `releases/4.2.16.txt`. Many short texts of one project quoting each
  other: a security fix is described in the notes of every branch it was
  released on, and release-note boilerplate recurs everywhere.

The downloads are kept in --cache (default OUT_DIR/.cache). Standard library
Python 3.11 and pip.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Every source distribution used, with its sha256 on PyPI.
SDISTS = {
    ("Django", "4.2.16"): ("Django-4.2.16.tar.gz", "6f1616c2786c408ce86ab7e10f792b8f15742f7b7b7460243929cb371e7f1dad"),
    ("Django", "5.1.4"): ("Django-5.1.4.tar.gz", "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a"),
    ("SQLAlchemy", "1.4.54"): ("sqlalchemy-1.4.54.tar.gz",
                               "4470fbed088c35dc20b78a39aaf4ae54fe81790c783b3264872a0224f437c31a"),
    ("SQLAlchemy", "2.0.36"): ("sqlalchemy-2.0.36.tar.gz",
                               "7f2767680b6d2398aea7082e45a774b2b0767b5c8d8ffb9c8b683088ea9b29c5"),
}

# A set: its sources, each (package, version, documentation root in the
# sdist below the top directory, file suffix, selection, id prefix). A
# selection entry ending in "/" takes that directory recursively, "*" the
# files directly in the root.
SETS = {
    "django-docs": {
        "what": "reStructuredText documentation of two Django releases: revisions, moved sections, boilerplate",
        "sources": [
            ("Django", "4.2.16", "docs", ".txt", ["topics/", "ref/models/", "faq/"], "4.2/"),
            ("Django", "5.1.4", "docs", ".txt", ["topics/", "ref/models/", "faq/"], "5.1/"),
        ],
    },
    "sqlalchemy-docs": {
        "what": "reStructuredText documentation of SQLAlchemy 1.4 and 2.0: a major rewrite, chapters split and merged",
        "sources": [
            ("SQLAlchemy", "1.4.54", "doc/build", ".rst", ["*", "orm/", "tutorial/", "faq/"], "1.4/"),
            ("SQLAlchemy", "2.0.36", "doc/build", ".rst", ["*", "orm/", "tutorial/", "faq/"], "2.0/"),
        ],
    },
    "django-releases": {
        "what": "all release notes of Django up to 5.1.4: short texts quoting each other (fixes backported to several branches)",
        "sources": [
            ("Django", "5.1.4", "docs", ".txt", ["releases/"], ""),
        ],
    },
}

NEAR_DUP_COVERAGE = 0.8


def load_eval():
    """scripts/eval.py as a module (one definition of a near-duplicate pair)."""
    spec = importlib.util.spec_from_file_location("neardup_eval", os.path.join(HERE, "eval.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(package, version, cache):
    """The pinned sdist of package==version in cache, downloaded if missing."""
    filename, want = SDISTS[(package, version)]
    path = os.path.join(cache, filename)
    if not os.path.exists(path):
        os.makedirs(cache, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", package.lower(),
               "--dest", cache, f"{package}=={version}"]
        print("+ " + " ".join(cmd), file=sys.stderr)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"make-devsets: pip download {package}=={version} failed:\n{r.stdout}")
        if not os.path.exists(path):
            sys.exit(f"make-devsets: pip download {package}=={version} did not write {path}")
    got = sha256_file(path)
    if got != want:
        sys.exit(f"make-devsets: {path}: sha256 {got}, expected {want} (pinned); delete it to download again")
    return path, got


def selected(rel, suffix, selection):
    if not rel.endswith(suffix):
        return False
    for s in selection:
        if s == "*" and "/" not in rel:
            return True
        if s.endswith("/") and rel.startswith(s):
            return True
    return False


def extract(sdist, root, suffix, selection, prefix, staging):
    """Copy the selected files of sdist into staging under prefix; their ids, sorted."""
    ids = []
    with tarfile.open(sdist) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = m.name.split("/", 1)
            if not m.isfile() or len(parts) < 2 or not parts[1].startswith(root + "/"):
                continue
            rel = parts[1][len(root) + 1:]
            if not selected(rel, suffix, selection):
                continue
            data = tar.extractfile(m).read()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                sys.exit(f"make-devsets: {sdist}: {m.name} is not UTF-8 ({e})")
            doc_id = prefix + rel
            out = os.path.join(staging, doc_id)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(data)
            ids.append(doc_id)
    if not ids:
        sys.exit(f"make-devsets: {sdist}: nothing selected under {root}/ by {selection}")
    return ids


def build(name, spec, out_dir, cache, kit, ev):
    set_dir = os.path.join(out_dir, name)
    staging = os.path.join(out_dir, f".staging-{name}")
    for d in (set_dir, staging):
        if os.path.exists(d):
            shutil.rmtree(d)
    sources = []
    for package, version, root, suffix, selection, prefix in spec["sources"]:
        sdist, digest = fetch(package, version, cache)
        ids = extract(sdist, root, suffix, selection, prefix, staging)
        sources.append({"package": package, "version": version, "sdist": os.path.basename(sdist),
                        "sha256": digest, "registry": "PyPI", "root": root + "/", "suffix": suffix,
                        "selection": selection, "id_prefix": prefix, "docs": len(ids)})
    cmd = [sys.executable, os.path.join(kit, "silver.py"), staging, set_dir]
    print(f"+ {' '.join(cmd)}", file=sys.stderr)
    subprocess.run(cmd, check=True)
    shutil.rmtree(staging)

    man_path = os.path.join(set_dir, "manifest.json")
    with open(man_path) as f:
        manifest = json.load(f)
    sizes = set_sizes(set_dir, manifest, ev)
    manifest.update({
        "set": name,
        "what": spec["what"],
        "sources": sources,
        "selection": "only the listed subdirectories of each documentation root (a fixed subsample, "
                     "to keep silver.py and passim runs short); '*' = files directly in the root",
        "built_by": "scripts/make-devsets.py (neardup), ground truth by ../shared/eval-dev/silver.py",
        "sizes": sizes,
    })
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    return sizes


def set_sizes(set_dir, manifest, ev):
    doc_bytes = {d: v["bytes"] for d, v in manifest["docs"].items()}
    truth = ev.load_jsonl(os.path.join(set_dir, "truth.jsonl"))
    pairs = {ev.pair_key(r) for r in truth}
    near = ev.near_duplicate_pairs(truth, doc_bytes, NEAR_DUP_COVERAGE)
    return {"docs": len(doc_bytes), "bytes": sum(doc_bytes.values()), "truth_passages": len(truth),
            "truth_pairs": len(pairs), "near_duplicate_pairs": len(near),
            "near_duplicate_coverage": NEAR_DUP_COVERAGE}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="where the sets go (e.g. /work/devsets), outside the repository")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    ap.add_argument("--cache", help="downloaded sdists (default OUT_DIR/.cache)")
    ap.add_argument("--kit", default=os.path.join(ROOT, "..", "shared", "eval-dev"),
                    help="the directory of silver.py and score.py (default REPO/../shared/eval-dev)")
    args = ap.parse_args()
    names = [s for s in args.sets.split(",") if s]
    for s in names:
        if s not in SETS:
            ap.error(f"--sets: unknown set {s!r} (known: {', '.join(SETS)})")
    if not os.path.exists(os.path.join(args.kit, "silver.py")):
        ap.error(f"--kit: {os.path.join(args.kit, 'silver.py')} not found")
    out_dir = os.path.abspath(args.out_dir)
    cache = args.cache or os.path.join(out_dir, ".cache")
    ev = load_eval()
    for name in names:
        sizes = build(name, SETS[name], out_dir, cache, args.kit, ev)
        print(f"{name}: {os.path.join(out_dir, name)} {json.dumps(sizes, sort_keys=True)}")


if __name__ == "__main__":
    main()
