#!/usr/bin/env python3
"""Build the development set of obfuscated reuse, the way PAN built its artificial obfuscation.

    scripts/make-obfuscation-set.py OUT_DIR [--cache DIR] [--seed S]
                                    [--per-kind-en N] [--per-kind-other N]

Real text that nobody here wrote, fetched by package name from Debian
(`apt-get download PKG=VERSION`, sha256 pinned below, unpacked with
`dpkg-deb -x`): the Debian Administrator's Handbook (`debian-handbook`) in
English, French, German and Russian, and the PostgreSQL 15 manual
(`postgresql-doc-15`, English), both HTML; WordNet 3.0 (`wordnet-base`) for
parts of speech and synonyms.

Like PAN-PC (Potthast, Stein, Barrón-Cedeño and Rosso, "An Evaluation
Framework for Plagiarism Detection", COLING 2010): source documents are real
documents; a suspicious document is a real host document into which
passages of source documents were planted, each passage obfuscated with one
kind of operation:

* `none`: verbatim copy (the control).
* `random`: PAN's random text operations, sentence by sentence: about
  rate x words operations (rate 0.15 "low" or 0.30 "high", chosen per
  passage), each one of: move a word to another place in its sentence,
  delete a word, insert a word (a word of the source document), replace a
  word (English: by a WordNet synonym when it has one; otherwise, and in
  other languages, by a word of the source document).
* `pos-shuffle`: PAN's POS-preserving word shuffling, English only: in each
  sentence, words are permuted among the positions holding words of the
  same part of speech and inflection. A word's part of speech is the one of
  its WordNet entries (index.noun/verb/adj/adv, lemma found by WordNet's
  exception lists and suffix rules, "morphy") with the most sense-tagged
  occurrences (tagsense_cnt; then most senses; then n, v, a, r); its
  inflection is the suffix that morphy detached ("s", "ing", ...), so plural
  nouns swap with plural nouns. Closed-class words (CLOSED_CLASS below:
  determiners, pronouns, prepositions, conjunctions, auxiliaries), numbers,
  acronyms and words WordNet does not know stay in place.
* `synonym`: PAN's semantic word variation, English only (WordNet is
  English): SYNONYM_FRACTION (50 %) of the content words (open-class words
  in their base form, not all capitals, longer than 2 letters) chosen at
  random are replaced by a lemma of the word's most frequent WordNet sense
  (the first synset of its part of speech that has another lemma), one of
  those lemmas picked at random; case of the first letter kept.
* `split-merge`: sentences split and merged: a sentence of >= 12 words with
  a comma or semicolon leaving >= 5 words on each side is split there into
  two sentences (probability 0.5), the two halves swapped half of the time;
  two adjacent sentences of one paragraph are merged into one with "; "
  (probability 0.35); at least one operation per passage. Any language.

Passages are runs of whole sentences of prose paragraphs, 50 to 1000 words
(55 % 50-150, 33 % 150-400, 12 % 400-1000 words: mostly a few sentences to
a paragraph), from one source document; a source document gives at most
two passages, to two different hosts. A host gets 1-4 passages (and 15 % of
hosts none), each as paragraphs of their own between two of its
paragraphs, from source documents of other pages of the manuals, in the
host's language. English gets all five kinds (--per-kind-en passages
each), French, German and Russian `none`, `random` and `split-merge`
(--per-kind-other each per language).

No natural reuse: documents are cut from paragraphs (`div.para` of the
Handbook, `p` of the PostgreSQL manual, whitespace collapsed) of which
every paragraph containing a word 8-gram (case-folded \\w+ words, as
silver.py) found in another page or language is dropped first, so that
the only text shared between pages is what was planted. So the manifest
says "unjudged_pairs": "negative": a prediction on any pair of documents
other than a truth pair counts as a false positive. negatives.jsonl lists
the pairs of the same topic: documents cut one after the other from the
same page of a manual, sharing nothing planted. The finished documents are
checked: a pair that is not a truth pair yet shares a word 8-gram (text
repeated within one page) goes to ignore.jsonl, unjudged.

Output in OUT_DIR: docs/src/<lang>/NNNN.txt, docs/susp/<lang>/NNNN.txt,
truth.jsonl (one planted passage a line: "a" the suspicious document, "b"
the source, byte offsets end exclusive, plus "kind" and "label" = the
obfuscation kind, "lang", "words" of the source passage and
"planted_words", "kept_8grams" (share of the source passage's word 8-grams
still in the planted one) and "kept_words" (share of its words, as a
multiset), "level" and "rate" for `random`), negatives.jsonl,
ignore.jsonl, manifest.json (sources, parameters, per-kind statistics,
every document's bytes, sha256, language and page).

Deterministic: one SplitMix64 stream per decision, seeded with BLAKE2b of
the seed and a label; no `random` module, no hash() of strings; the same
command writes the same bytes. Standard library Python 3.11, apt-get and
dpkg-deb.
"""

import argparse
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

# package -> (version, .deb file name as apt-get names it, sha256)
PACKAGES = {
    "debian-handbook": ("11.20220922", "debian-handbook_11.20220922_all.deb",
                        "3d5dbeac1f1afc9c094eab9d0f701f6ecff99c4927d5a4794cf6c85678134faa"),
    "postgresql-doc-15": ("15.20-0+deb12u1", "postgresql-doc-15_15.20-0+deb12u1_all.deb",
                          "4c44bf2c599f208b3f46454a6cf7a72e25ec46ff74d37b59dd31ad76b00eebb7"),
    "wordnet-base": ("1:3.0-37", "wordnet-base_1%3a3.0-37_all.deb",
                     "61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752"),
}
HANDBOOK = "usr/share/doc/debian-handbook/html"
POSTGRES = "usr/share/doc/postgresql-doc-15/html"
WORDNET = "usr/share/wordnet"

# language -> [(source label, directory below the unpacked root, element)]
LANGS = {
    "en": [("handbook", f"{HANDBOOK}/en-US", "div.para"), ("postgres", POSTGRES, "p")],
    "fr": [("handbook", f"{HANDBOOK}/fr-FR", "div.para")],
    "de": [("handbook", f"{HANDBOOK}/de-DE", "div.para")],
    "ru": [("handbook", f"{HANDBOOK}/ru-RU", "div.para")],
}
KINDS_EN = ["none", "random", "pos-shuffle", "synonym", "split-merge"]
KINDS_OTHER = ["none", "random", "split-merge"]

K_GRAM = 8                    # shared word 8-grams = natural reuse (silver.py's seed)
DOC_MIN, DOC_MAX = 1500, 7000  # bytes of a document cut from a page
HOST_MAX = 3500               # a host keeps its first paragraphs up to this many bytes
MIN_WORDS, MAX_WORDS = 50, 1000
LENGTHS = [(0.55, 50, 150), (0.33, 150, 400), (0.12, 400, 1000)]
RANDOM_RATES = [("low", 0.15), ("high", 0.30)]
SYNONYM_FRACTION = 0.5
SPLIT_P, MERGE_P, SWAP_P = 0.5, 0.35, 0.5
CLEAN_HOSTS = 0.15
MASK = (1 << 64) - 1

WORD_RE = re.compile(r"\w+")
ITEM_RE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
SENT_END = re.compile(r"(?<=[.!?…])([\"'»”)\]]*)\s+(?=[\"'«“(\[]?[^\W\d_])")
CLAUSE = re.compile(r"[,;]$")

CLOSED_CLASS = set("""
a an the this that these those some any each every either neither no all both half
i me my mine myself you your yours yourself yourselves he him his himself she her hers herself
it its itself we us our ours ourselves they them their theirs themselves one ones oneself
who whom whose which what whatever whichever whoever whomever there here
about above across after against along amid among around as at before behind below beneath
beside besides between beyond but by despite down during except for from in inside into like
near of off on onto out outside over past per since than through throughout till to toward
towards under underneath unlike until up upon via with within without
and or nor so yet if unless because although though while whereas whether once lest
be am is are was were been being have has had having do does did doing done
can could may might must shall should will would ought
not also only just very too then thus hence however therefore else
""".split())


# ---- determinism -------------------------------------------------------------

class Rng:
    """SplitMix64, seeded by BLAKE2b of the set's seed and a label."""

    def __init__(self, seed, label):
        digest = hashlib.blake2b(f"{seed}:{label}".encode(), digest_size=8).digest()
        self.state = int.from_bytes(digest, "little")

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def uniform(self):
        return (self.next() >> 11) / float(1 << 53)

    def chance(self, p):
        return self.uniform() < p

    def pick(self, items):
        return items[self.below(len(items))]

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def sample(self, items, k):
        return self.shuffle(list(items))[:k]


def fail(msg):
    sys.exit(f"make-obfuscation-set: {msg}")


# ---- fetching ----------------------------------------------------------------

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(cache):
    """Downloads (when missing), checks and unpacks the pinned packages; the unpacked root."""
    debs = os.path.join(cache, "debs")
    root = os.path.join(cache, "root")
    os.makedirs(debs, exist_ok=True)
    sources = []
    for name, (version, filename, want) in sorted(PACKAGES.items()):
        path = os.path.join(debs, filename)
        if not os.path.exists(path):
            cmd = ["apt-get", "download", f"{name}={version}"]
            print("+ " + " ".join(cmd), file=sys.stderr)
            r = subprocess.run(cmd, cwd=debs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0 or not os.path.exists(path):
                fail(f"apt-get download {name}={version} failed (is the bookworm archive in "
                     f"sources.list? run apt-get update; a version superseded since is on "
                     f"snapshot.debian.org: put {filename} in {debs}):\n{r.stdout}")
        got = sha256_file(path)
        if got != want:
            fail(f"{path}: sha256 {got}, expected {want} (pinned); delete it to download again")
        sources.append({"package": name, "version": version, "deb": filename, "sha256": got,
                        "registry": "Debian 12 (bookworm)"})
    stamp = os.path.join(root, ".unpacked")
    want_stamp = json.dumps(sources, sort_keys=True)
    if not os.path.exists(stamp) or open(stamp).read() != want_stamp:
        if os.path.exists(root):
            shutil.rmtree(root)
        os.makedirs(root)
        for s in sources:
            subprocess.run(["dpkg-deb", "-x", os.path.join(debs, s["deb"]), root], check=True)
        with open(stamp, "w") as f:
            f.write(want_stamp)
    return root, sources


# ---- text from HTML ------------------------------------------------------------

class Paragraphs(html.parser.HTMLParser):
    """The text of every paragraph element (`p` or `div class="para"`), outermost only,
    without preformatted blocks; whitespace collapsed."""

    def __init__(self, element):
        super().__init__(convert_charrefs=True)
        self.tag, _, self.cls = element.partition(".")
        self.paras, self.buf = [], None
        self.depth = 0          # open tags of the paragraph's own name inside it
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.pre += 1
        if self.buf is None:
            if tag == self.tag and (not self.cls or self.cls in (dict(attrs).get("class") or "").split()):
                self.buf, self.depth = [], 1
        elif tag == self.tag:
            self.depth += 1
        elif tag in ("br", "li"):
            self.buf.append(" ")

    def handle_endtag(self, tag):
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if self.buf is not None and tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                text = " ".join("".join(self.buf).split())
                if text:
                    self.paras.append(text)
                self.buf = None

    def handle_data(self, data):
        if self.buf is not None and not self.pre:
            self.buf.append(data)


def read_pages(root, lang):
    """[(page id, [paragraph])] of a language, in a fixed order."""
    pages = []
    for label, rel, element in LANGS[lang]:
        base = os.path.join(root, rel)
        if not os.path.isdir(base):
            fail(f"{base}: missing from the unpacked packages")
        for fn in sorted(os.listdir(base)):
            if not fn.endswith(".html") or fn == "index.html":
                continue
            with open(os.path.join(base, fn), encoding="utf-8") as f:
                p = Paragraphs(element)
                p.feed(f.read())
                p.close()
            pages.append((f"{lang}:{label}/{fn}", p.paras))
    return pages


def words_of(text):
    return [w.casefold() for w in WORD_RE.findall(text)]


def kgram_keys(words):
    return {hashlib.blake2b("\x00".join(words[i:i + K_GRAM]).encode(), digest_size=8).digest()
            for i in range(len(words) - K_GRAM + 1)}


def drop_shared(pages_by_lang):
    """Drops every paragraph holding an 8-gram found on another page (any language).

    Returns {lang: [(page id, [paragraph])]} and the number of paragraphs dropped."""
    owner = {}
    SHARED = object()
    for lang in sorted(pages_by_lang):
        for page, paras in pages_by_lang[lang]:
            for para in paras:
                for k in kgram_keys(words_of(para)):
                    if owner.setdefault(k, page) not in (page, SHARED):
                        owner[k] = SHARED
    out, dropped = {}, 0
    for lang in sorted(pages_by_lang):
        out[lang] = []
        for page, paras in pages_by_lang[lang]:
            keep = [p for p in paras if all(owner[k] is not SHARED for k in kgram_keys(words_of(p)))]
            dropped += len(paras) - len(keep)
            out[lang].append((page, keep))
    return out, dropped


def is_prose(para, lang):
    items = para.split()
    if len(items) < 8 or para[-1] not in ".!?:…»\")":
        return False
    alpha = sum(1 for it in items if ITEM_RE.match(it).group(2).isalpha())
    if alpha < 0.75 * len(items):
        return False
    if lang == "ru":
        letters = [c for c in para if c.isalpha()]
        cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
        return cyr >= 0.6 * len(letters)
    return True


def cut_documents(pages):
    """Documents of consecutive paragraphs of one page, DOC_MIN..DOC_MAX bytes:
    [(page id, [paragraph])]."""
    docs = []
    for page, paras in pages:
        cur, size = [], 0
        for p in paras:
            b = len(p.encode()) + 2
            if cur and size + b > DOC_MAX:
                if size >= DOC_MIN:
                    docs.append((page, cur))
                cur, size = [], 0
            cur.append(p)
            size += b
        if size >= DOC_MIN:
            docs.append((page, cur))
    return docs


def sentences(para):
    """[(start, end)] character spans of the sentences of a paragraph."""
    spans, start = [], 0
    for m in SENT_END.finditer(para):
        nxt = para[m.end():].lstrip("\"'«“([")
        if not nxt[:1].isupper():            # "e.g. the", "vs. foo": no sentence end
            continue
        spans.append((start, m.end(1)))
        start = m.end()
    spans.append((start, len(para)))
    return [(s, e) for s, e in spans if e > s]


# ---- WordNet -------------------------------------------------------------------

MORPHY = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
          ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


class WordNet:
    """Parts of speech, lemmas and synonyms from WordNet 3.0's database files."""

    def __init__(self, root):
        base = os.path.join(root, WORDNET)
        self.index = {}       # (lemma, pos) -> (tagsense_cnt, synset_cnt, [offset])
        self.exc = {}         # (form, pos) -> lemma
        self.data_path = {}
        self.synsets = {}
        for pos, name in POS_FILES.items():
            self.data_path[pos] = os.path.join(base, f"data.{name}")
            with open(os.path.join(base, f"index.{name}"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith(" "):
                        continue
                    x = line.split()
                    lemma, n_syn, n_ptr = x[0], int(x[2]), int(x[3])
                    tagsense = int(x[5 + n_ptr])
                    offsets = [int(o) for o in x[6 + n_ptr:6 + n_ptr + n_syn]]
                    self.index[(lemma, pos)] = (tagsense, n_syn, offsets)
            with open(os.path.join(base, f"{name}.exc"), encoding="utf-8") as f:
                for line in f:
                    x = line.split()
                    if len(x) >= 2:
                        self.exc.setdefault((x[0], pos), x[1])
        self.files = {pos: open(p, "rb") for pos, p in self.data_path.items()}

    def analyses(self, word):
        """[(pos, lemma, inflection)] of a lower-case word form."""
        out = []
        for pos in POS_FILES:
            if (word, pos) in self.index:
                out.append((pos, word, ""))
                continue
            lemma = self.exc.get((word, pos))
            if lemma and (lemma, pos) in self.index:
                out.append((pos, lemma, "irr"))
                continue
            for suf, rep in MORPHY[pos]:
                if word.endswith(suf) and len(word) > len(suf) + 1:
                    lemma = word[:-len(suf)] + rep
                    if (lemma, pos) in self.index:
                        out.append((pos, lemma, suf))
                        break
        return out

    def tag(self, word):
        """(pos, lemma, inflection) of a word by its most frequent part of speech, or None."""
        w = word.lower()
        if w in CLOSED_CLASS or not w.isalpha():
            return None
        best = None
        for rank, (pos, lemma, infl) in enumerate(self.analyses(w)):
            tagsense, n_syn, _ = self.index[(lemma, pos)]
            key = (tagsense, n_syn, -rank)
            if best is None or key > best[0]:
                best = (key, (pos, lemma, infl))
        return best[1] if best else None

    def lemmas_of(self, pos, offset):
        if (pos, offset) not in self.synsets:
            f = self.files[pos]
            f.seek(offset)
            x = f.readline().decode("utf-8").split()
            n = int(x[3], 16)
            self.synsets[(pos, offset)] = [re.sub(r"\(.*\)$", "", x[4 + 2 * i]).replace("_", " ")
                                           for i in range(n)]
        return self.synsets[(pos, offset)]

    def synonyms(self, lemma, pos):
        """The other lemmas of the first sense of lemma (as pos) that has any."""
        for off in self.index[(lemma, pos)][2]:
            other = [w for w in self.lemmas_of(pos, off)
                     if w.lower() != lemma and lemma not in w.lower().split()]
            if other:
                return other
        return []


# ---- obfuscation -----------------------------------------------------------------

def split_items(sentence):
    """Whitespace items of a sentence as [prefix, core, suffix] (punctuation around a word)."""
    return [list(ITEM_RE.match(it).groups()) for it in sentence.split()]


def join_items(items):
    return " ".join(p + c + s for p, c, s in items if p or c or s)


def is_title(w):
    return len(w) > 1 and w[0].isupper() and w[1:].islower()


def fix_case(items, first_was_title):
    """After a reorder: the first word capitalised when the sentence's first was."""
    for it in items:
        if it[1]:
            if first_was_title and it[1][0].islower():
                it[1] = it[1][0].upper() + it[1][1:]
            break
    return items


class Obfuscator:
    def __init__(self, wordnet, lower_ok):
        self.wn = wordnet
        self.lower_ok = lower_ok      # lang -> words seen more often lower-case than capitalised

    # each operation gets the list of sentences (strings) of one paragraph
    def none(self, sents, rng, ctx):
        return sents

    def random(self, sents, rng, ctx):
        out = []
        for s in sents:
            items = split_items(s)
            first_title = self.lower_first(items, ctx["lang"])
            n_ops = max(1, round(ctx["rate"] * len(items))) if len(items) >= 4 else 0
            for _ in range(n_ops):
                cores = [k for k, it in enumerate(items) if it[1]]
                if len(cores) < 3:
                    break
                op = rng.below(4)
                k = rng.pick(cores)
                if op == 0:                      # move a word elsewhere in the sentence
                    word = items[k][1]
                    items[k][1] = ""
                    j = rng.pick(cores)
                    items.insert(j, ["", word, ""])
                elif op == 1:                    # delete
                    items[k][1] = ""
                elif op == 2:                    # insert a word of the source document
                    items.insert(k, ["", rng.pick(ctx["doc_words"]), ""])
                else:                            # replace
                    w = items[k][1]
                    syn = []
                    if ctx["lang"] == "en" and self.wn is not None:
                        t = self.wn.tag(w)
                        if t and t[2] == "":
                            syn = self.wn.synonyms(t[1], t[0])
                    items[k][1] = rng.pick(syn) if syn else rng.pick(ctx["doc_words"])
            out.append(join_items(fix_case(items, first_title)))
        return out

    def lower_first(self, items, lang):
        """Lower-cases the sentence's first word when the language writes it lower-case
        elsewhere; returns whether the first word was capitalised."""
        k0 = next((k for k, it in enumerate(items) if it[1]), None)
        if k0 is None:
            return False
        first = items[k0][1]
        if is_title(first) and first.lower() in self.lower_ok[lang]:
            items[k0][1] = first.lower()
        return is_title(first) or (first[:1].isupper() and len(first) == 1)

    def pos_shuffle(self, sents, rng, ctx):
        out = []
        for s in sents:
            items = split_items(s)
            first_title = self.lower_first(items, "en")
            groups = defaultdict(list)
            for k, (p, c, x) in enumerate(items):
                if not c or c[0].isupper():      # acronyms and proper names stay
                    continue
                t = self.wn.tag(c)
                if t:
                    groups[(t[0], t[2])].append(k)
            for key in sorted(groups):
                pos = groups[key]
                words = rng.shuffle([items[k][1] for k in pos])
                for k, w in zip(pos, words):
                    items[k][1] = w
            out.append(join_items(fix_case(items, first_title)))
        return out

    def synonym(self, sents, rng, ctx):
        out = []
        for s in sents:
            items = split_items(s)
            cand = []
            for k, (p, c, x) in enumerate(items):
                if len(c) <= 2 or c.isupper():
                    continue
                t = self.wn.tag(c)
                if t and t[2] == "" and self.wn.synonyms(t[1], t[0]):
                    cand.append((k, t))
            n = round(SYNONYM_FRACTION * len(cand))
            for k, t in sorted(rng.sample(cand, n)):
                w = rng.pick(self.wn.synonyms(t[1], t[0]))
                if items[k][1][0].isupper():
                    w = w[0].upper() + w[1:]
                items[k][1] = w
            out.append(join_items(items))
        return out

    def split_merge(self, sents, rng, ctx):
        lang = ctx["lang"]
        parts = []
        for s in sents:                          # splits at a clause boundary
            items = s.split()
            cuts = [k for k in range(5, len(items) - 4) if CLAUSE.search(items[k - 1])]
            if len(items) >= 12 and cuts and (ctx.get("force") or rng.chance(SPLIT_P)):
                k = rng.pick(cuts)
                a = " ".join(items[:k])[:-1] + "."
                b = " ".join(items[k:])
                b = b[0].upper() + b[1:]
                if s[-1] in ".!?" and rng.chance(SWAP_P):
                    parts.extend([b, a])         # the clauses swapped: "B. A."
                else:
                    parts.extend([a, b])
                ctx["ops"] += 1
            else:
                parts.append(s)
        out = []
        for s in parts:                          # merges with the previous sentence
            first = s.split(None, 1)[0]
            if (out and out[-1][-1] == "." and (ctx.get("force") or rng.chance(MERGE_P))
                    and (not is_title(first) or first.lower() in self.lower_ok[lang])):
                s2 = s[0].lower() + s[1:] if is_title(first) else s
                out[-1] = out[-1][:-1] + "; " + s2
                ctx["ops"] += 1
            else:
                out.append(s)
        return out

    def apply(self, kind, paragraphs, rng, ctx):
        """paragraphs: [[sentence]] -> the planted text."""
        fn = {"none": self.none, "random": self.random, "pos-shuffle": self.pos_shuffle,
              "synonym": self.synonym, "split-merge": self.split_merge}[kind]
        orig = "\n\n".join(" ".join(p) for p in paragraphs)
        for attempt in range(8):
            ctx["ops"] = 0
            text = "\n\n".join(" ".join(fn(list(p), rng, ctx)) for p in paragraphs)
            if kind == "none" or (text != orig and (kind != "split-merge" or ctx["ops"])):
                return text
        if kind == "split-merge":
            # paragraphs of one sentence without clauses: every split made, every sentence
            # merged, across paragraphs too (the passage becomes one paragraph)
            ctx["ops"], ctx["force"] = 0, True
            text = " ".join(fn([s for p in paragraphs for s in p], rng, ctx))
            ctx["force"] = False
            if ctx["ops"]:
                return text
        fail(f"{kind}: eight attempts left a passage unchanged: {orig[:200]!r}")


# ---- passages, hosts, the set ----------------------------------------------------

def pick_length(rng):
    u, acc = rng.uniform(), 0.0
    for p, lo, hi in LENGTHS:
        acc += p
        if u < acc:
            return lo + rng.below(hi - lo + 1)
    return LENGTHS[-1][1] + rng.below(LENGTHS[-1][2] - LENGTHS[-1][1] + 1)


class Doc:
    """A document cut from a page: its paragraphs and, once found, its prose sentences."""

    def __init__(self, lang, index, page, paras):
        self.lang, self.index, self.page, self.paras = lang, index, page, paras
        self.used = set()            # (run, sentence) taken by a passage
        self.n_passages = 0
        self.runs = []               # runs of sentences of consecutive prose paragraphs
        cur = []
        for i, p in enumerate(paras):
            if not is_prose(p, lang):
                if cur:
                    self.runs.append(cur)
                cur = []
                continue
            for s, e in sentences(p):
                cur.append((i, s, e, len(WORD_RE.findall(p[s:e]))))
        if cur:
            self.runs.append(cur)

    def find_passage(self, target, rng):
        """(run, first, last) of sentences making >= target words (or >= half of it), unused."""
        full, part = [], []
        for r, run in enumerate(self.runs):
            for a in range(len(run)):
                w, b = 0, a
                while b < len(run) and (r, b) not in self.used:
                    w += run[b][3]
                    if w >= target:
                        break
                    b += 1
                b = min(b, len(run) - 1)
                if any((r, x) in self.used for x in range(a, b + 1)) or w > MAX_WORDS:
                    continue
                if w >= target:
                    full.append((r, a, b))
                elif w >= max(MIN_WORDS, target // 2):
                    part.append((r, a, b))
        opts = full or part
        if not opts:
            return None
        r, a, b = rng.pick(opts)
        # one sentence of margin on each side, so that two passages never touch
        for x in range(a - 1, b + 2):
            self.used.add((r, x))
        self.n_passages += 1
        return r, a, b


def multiset_overlap(x, y):
    cx, cy = defaultdict(int), defaultdict(int)
    for w in x:
        cx[w] += 1
    for w in y:
        cy[w] += 1
    return sum(min(n, cy[w]) for w, n in cx.items())


def assemble(paras):
    """Text of paragraphs and the byte offset of each paragraph's start."""
    offs, pos = [], 0
    for p in paras:
        offs.append(pos)
        pos += len(p.encode()) + 2
    return "\n\n".join(paras) + "\n", offs


def build(out_dir, cache, seed, per_en, per_other):
    root, sources = fetch(cache)
    wn = WordNet(root)
    pages = {lang: read_pages(root, lang) for lang in sorted(LANGS)}
    n_paras = sum(len(ps) for v in pages.values() for _, ps in v)
    pages, dropped = drop_shared(pages)

    lower_ok = {}
    docs_by_lang = {}
    for lang in sorted(LANGS):
        docs = [Doc(lang, i, page, paras) for i, (page, paras) in enumerate(cut_documents(pages[lang]))]
        docs_by_lang[lang] = docs
        counts = defaultdict(lambda: [0, 0])
        for d in docs:
            for p in d.paras:
                for w in WORD_RE.findall(p):
                    if w.islower():
                        counts[w][0] += 1
                    elif is_title(w):
                        counts[w.lower()][1] += 1
        lower_ok[lang] = {w for w, (lo, ti) in counts.items() if lo > ti}
    ob = Obfuscator(wn, lower_ok)

    written = {}          # doc id -> text
    origin = {}           # doc id -> (lang, page, index of the document cut from it)
    truth = []
    for lang in sorted(LANGS):
        docs = docs_by_lang[lang]
        kinds, n = (KINDS_EN, per_en) if lang == "en" else (KINDS_OTHER, per_other)
        plan = Rng(seed, f"plan:{lang}").shuffle([k for k in kinds for _ in range(n)])
        order = Rng(seed, f"docs:{lang}").shuffle(list(range(len(docs))))
        pool, skipped, cur = list(reversed(order)), [], None
        passages = []     # (source doc, run, first, last, kind, j)
        src_docs = []
        for j, kind in enumerate(plan):
            rng = Rng(seed, f"passage:{lang}:{j}")
            target = pick_length(rng)
            tries = 0
            while True:
                if cur is None:
                    if not pool:
                        fail(f"{lang}: the documents ran out after {len(passages)} of {len(plan)} "
                             f"passages (lower --per-kind-*)")
                    cur = docs[pool.pop()]
                found = cur.find_passage(target, rng)
                if found:
                    break
                if cur.n_passages == 0:
                    skipped.append(cur)      # too little prose for this one: a host
                cur = None
                tries += 1
                if tries % 20 == 0:
                    target = max(MIN_WORDS, target // 2)
            if cur.n_passages == 1:
                src_docs.append(cur)
            passages.append((cur, *found, kind, j))
            if cur.n_passages >= 2:
                cur = None
        rank = {i: k for k, i in enumerate(order)}
        hosts = sorted(skipped + [docs[i] for i in pool], key=lambda d: rank[d.index])

        src_id = {}
        for d in sorted(src_docs, key=lambda d: d.index):
            src_id[d] = f"src/{lang}/{len(src_id):04d}.txt"
        # hosts: their passages
        pending = Rng(seed, f"assign:{lang}").shuffle(list(passages))
        host_plan = []
        hi = 0
        while pending:
            if hi >= len(hosts):
                fail(f"{lang}: the host documents ran out with {len(pending)} passages to plant "
                     f"(lower --per-kind-*)")
            h = hosts[hi]
            hi += 1
            rng = Rng(seed, f"host:{lang}:{h.index}")
            c = 0 if rng.chance(CLEAN_HOSTS) else 1 + rng.below(4)
            mine, seen = [], set()
            for p in list(pending):
                if len(mine) >= c:
                    break
                if p[0].page != h.page and p[0] not in seen:
                    mine.append(p)
                    seen.add(p[0])
                    pending.remove(p)
            host_plan.append((h, mine, rng))

        for d in src_docs:
            # a source keeps its passages' paragraphs and one paragraph either side
            used = [d.runs[r][x][0] for r, x in d.used if 0 <= x < len(d.runs[r])]
            d.lo, d.hi = max(0, min(used) - 1), min(len(d.paras), max(used) + 2)
            text, _ = assemble(d.paras[d.lo:d.hi])
            written[src_id[d]] = text
            origin[src_id[d]] = (lang, d.page, d.index)
        for n_host, (h, mine, rng) in enumerate(host_plan):
            susp = f"susp/{lang}/{n_host:04d}.txt"
            keep, size = [], 0
            for p in h.paras:
                if keep and size + len(p.encode()) + 2 > HOST_MAX:
                    break
                keep.append(p)
                size += len(p.encode()) + 2
            slots = sorted(rng.below(len(keep) + 1) for _ in mine)
            pieces, spans = [], []
            order_mine = list(mine)
            k = 0
            for slot in range(len(keep) + 1):
                while k < len(slots) and slots[k] == slot:
                    pieces.append(("planted", order_mine[k]))
                    k += 1
                if slot < len(keep):
                    pieces.append(("host", keep[slot]))
            text_parts, byte = [], 0
            for what, x in pieces:
                if what == "host":
                    piece = x
                else:
                    d, r, a, b, kind, j = x
                    run = d.runs[r][a:b + 1]
                    paras = []
                    for i, s, e, _ in run:
                        if not paras or paras[-1][0] != i:
                            paras.append((i, []))
                        paras[-1][1].append(d.paras[i][s:e])
                    ctx = {"lang": lang, "doc_words": sorted({w for p in d.paras for w in WORD_RE.findall(p)
                                                              if w.isalpha() and 2 < len(w) < 15}),
                           "rate": 0.0}
                    orng = Rng(seed, f"obfuscate:{lang}:{j}")
                    level = None
                    if kind == "random":
                        level, ctx["rate"] = RANDOM_RATES[orng.below(len(RANDOM_RATES))]
                    piece = ob.apply(kind, [p for _, p in paras], orng, ctx)
                    _, offs = assemble(d.paras[d.lo:d.hi])
                    i0, s0, _, _ = run[0]
                    i1, _, e1, _ = run[-1]
                    b_start = offs[i0 - d.lo] + len(d.paras[i0][:s0].encode())
                    b_end = offs[i1 - d.lo] + len(d.paras[i1][:e1].encode())
                    src_text = written[src_id[d]].encode()
                    verbatim = "\n\n".join(" ".join(p) for _, p in paras)
                    if src_text[b_start:b_end].decode() != verbatim:
                        fail(f"internal: source span of passage {lang}:{j} does not match its text")
                    row = {"a": susp, "a_start": byte, "a_end": byte + len(piece.encode()),
                           "b": src_id[d], "b_start": b_start, "b_end": b_end,
                           "kind": kind, "label": kind, "lang": lang,
                           "words": sum(x[3] for x in run), "planted_words": len(WORD_RE.findall(piece))}
                    sw, pw = words_of(verbatim), words_of(piece)
                    sk = kgram_keys(sw)
                    row["kept_8grams"] = round(len(sk & kgram_keys(pw)) / len(sk), 4) if sk else 0.0
                    row["kept_words"] = round(multiset_overlap(sw, pw) / len(sw), 4)
                    if level:
                        row["level"], row["rate"] = level, ctx["rate"]
                    truth.append(row)
                text_parts.append(piece)
                byte += len(piece.encode()) + 2
            text = "\n\n".join(text_parts) + "\n"
            written[susp] = text
            origin[susp] = (lang, h.page, h.index)
    return written, origin, truth, sources, {"paragraphs_read": n_paras, "paragraphs_dropped_shared": dropped}


def shared_pairs(written):
    """Pairs of documents sharing a word 8-gram anywhere in their text."""
    owners = defaultdict(set)
    for doc_id, text in written.items():
        for k in kgram_keys(words_of(text)):
            owners[k].add(doc_id)
    pairs = set()
    for ds in owners.values():
        if len(ds) > 1:
            ds = sorted(ds)
            pairs.update((x, y) for i, x in enumerate(ds) for y in ds[i + 1:])
    return pairs


def write_set(out_dir, written, origin, truth, sources, params, extra):
    truth_pairs = {tuple(sorted((r["a"], r["b"]))) for r in truth}
    shared = shared_pairs(written)
    ignore = sorted(shared - truth_pairs)
    # negatives: documents cut one after the other from the same page
    by_page = defaultdict(list)
    for doc_id, (lang, page, index) in origin.items():
        by_page[page].append((index, doc_id))
    negatives = set()
    for page, ds in by_page.items():
        ds.sort()
        for (i, x), (j, y) in zip(ds, ds[1:]):
            if j == i + 1:
                pair = tuple(sorted((x, y)))
                if pair not in truth_pairs and pair not in shared:
                    negatives.add(pair)
    negatives = sorted(negatives)

    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.join(out_dir, "docs"))
    manifest_docs = {}
    for doc_id in sorted(written):
        data = written[doc_id].encode()
        path = os.path.join(out_dir, "docs", doc_id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        lang, page, index = origin[doc_id]
        manifest_docs[doc_id] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                 "lang": lang, "page": page}
    truth.sort(key=lambda r: (r["a"], r["a_start"]))
    with open(os.path.join(out_dir, "truth.jsonl"), "w") as f:
        for r in truth:
            f.write(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n")
    for name, rows in (("negatives", negatives), ("ignore", ignore)):
        with open(os.path.join(out_dir, name + ".jsonl"), "w") as f:
            for x, y in rows:
                f.write(json.dumps({"a": x, "b": y}, sort_keys=True) + "\n")

    by_kind = defaultdict(list)
    for r in truth:
        by_kind[r["kind"]].append(r)
    kinds = {}
    for kind, rows in sorted(by_kind.items()):
        w = sorted(r["words"] for r in rows)
        kinds[kind] = {"passages": len(rows), "by_lang": {lang: sum(1 for r in rows if r["lang"] == lang)
                                                            for lang in sorted({r["lang"] for r in rows})},
                       "words_min": w[0], "words_median": w[len(w) // 2], "words_max": w[-1],
                       "words_mean": round(sum(w) / len(w), 1),
                       "kept_8grams_mean": round(sum(r["kept_8grams"] for r in rows) / len(rows), 3),
                       "kept_words_mean": round(sum(r["kept_words"] for r in rows) / len(rows), 3)}
    n_susp = sum(1 for d in written if d.startswith("susp/"))
    clean = n_susp - len({r["a"] for r in truth})
    sizes = {"docs": len(written), "bytes": sum(v["bytes"] for v in manifest_docs.values()),
             "source_docs": len(written) - n_susp, "suspicious_docs": n_susp,
             "suspicious_docs_without_planted_passages": clean,
             "truth_passages": len(truth), "truth_pairs": len(truth_pairs),
             "negative_pairs": len(negatives), "ignored_pairs": len(ignore), **extra}
    manifest = {
        "set": os.path.basename(os.path.normpath(out_dir)),
        "what": "passages of real documentation planted, obfuscated as PAN-PC did, into other real "
                "documents; truth = the planted passages, with their obfuscation kind",
        "built_by": "scripts/make-obfuscation-set.py (neardup)",
        "unjudged_pairs": "negative",
        "sources": sources,
        "params": params,
        "kinds": kinds,
        "sizes": sizes,
        "docs": manifest_docs,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    return sizes, kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="the set's directory (e.g. /work/devsets/obfuscation), outside the repository")
    ap.add_argument("--cache", help="downloaded and unpacked packages (default OUT_DIR/../.obf-cache)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--per-kind-en", type=int, default=170, help="English passages per kind (default %(default)s)")
    ap.add_argument("--per-kind-other", type=int, default=15,
                    help="passages per kind in each of French, German, Russian (default %(default)s)")
    a = ap.parse_args()
    if a.per_kind_en < 0 or a.per_kind_other < 0:
        ap.error("--per-kind-*: must be >= 0")
    out_dir = os.path.abspath(a.out_dir)
    cache = os.path.abspath(a.cache or os.path.join(os.path.dirname(out_dir), ".obf-cache"))
    written, origin, truth, sources, extra = build(out_dir, cache, a.seed, a.per_kind_en, a.per_kind_other)
    params = {"seed": a.seed, "per_kind_en": a.per_kind_en, "per_kind_other": a.per_kind_other,
              "k_gram": K_GRAM, "doc_bytes": [DOC_MIN, DOC_MAX], "host_max_bytes": HOST_MAX,
              "passage_words": [MIN_WORDS, MAX_WORDS], "length_mix": LENGTHS,
              "random_rates": RANDOM_RATES, "synonym_fraction": SYNONYM_FRACTION,
              "split_p": SPLIT_P, "merge_p": MERGE_P, "swap_p": SWAP_P, "clean_hosts": CLEAN_HOSTS,
              "kinds_en": KINDS_EN, "kinds_other": KINDS_OTHER, "langs": sorted(LANGS)}
    sizes, kinds = write_set(out_dir, written, origin, truth, sources, params, extra)
    print(json.dumps({"sizes": sizes, "kinds": kinds}, sort_keys=True))


if __name__ == "__main__":
    main()
