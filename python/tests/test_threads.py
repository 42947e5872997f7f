"""Threads and processes: every call that does real work releases the GIL
(another Python thread runs while it works), and a forked child process
gets threads of its own instead of waiting for its parent's.

No timing is asserted. With a switch interval of 100 s, a thread holding
the GIL keeps it until it blocks or releases it, so the counting thread can
only move while the main thread is inside the call *if* the call released
the GIL: `after > before` cannot come from anything else."""

import multiprocessing
import sys
import threading
import time

import neardup
import pytest
from conftest import seed_corpus


class Counter:
    """A thread counting as fast as it can, letting go of the GIL between
    counts (so the main thread can take it back)."""

    def __init__(self):
        self.count = 0
        self.stop = threading.Event()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        self.started.set()
        while not self.stop.is_set():
            self.count += 1
            time.sleep(0.0001)

    def __enter__(self):
        self.old = sys.getswitchinterval()
        sys.setswitchinterval(100.0)
        self.thread.start()
        self.started.wait()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        sys.setswitchinterval(self.old)


@pytest.fixture(scope="module")
def corpus():
    return seed_corpus(400, 21)


def calls(corpus):
    d = neardup.Detector()
    texts = [t for _, t in corpus]
    long_a = " ".join(texts[:200])
    long_b = " ".join(texts[100:300])
    index = neardup.Index()
    index.insert_many(corpus)
    k = d.keys(texts[:50])
    arts = [(t, []) for t in texts[:50]]
    pairs = [(i, j, [(1, 0, 0)]) for i in range(50) for j in range(50)]
    del k
    return {
        "compare": lambda: d.compare(long_a, long_b),
        "compare_many": lambda: d.compare_many([(long_a, long_b)] * 4),
        "keys": lambda: d.keys(texts * 3),
        "verify": lambda: d.verify(arts, pairs),
        "insert_many": lambda: neardup.Index().insert_many(corpus),
        "query": lambda: index.query(long_a),
        "pairs": lambda: next(index.pairs()),
        "near_duplicate_groups": lambda: index.near_duplicate_groups(),
        "to_bytes": lambda: neardup.Index.from_bytes(index.to_bytes()),
    }


@pytest.mark.parametrize(
    "name",
    ["compare", "compare_many", "keys", "verify", "insert_many", "query", "pairs", "near_duplicate_groups", "to_bytes"],
)
def test_calls_release_the_gil(corpus, name):
    call = calls(corpus)[name]
    with Counter() as counter:
        for _ in range(20):
            before = counter.count
            call()
            after = counter.count
            if after > before:
                break
    assert after > before, f"{name}: no other thread ran during 20 calls"


def test_the_counter_does_not_move_while_the_gil_is_held():
    """The control: a call that holds the GIL (pure Python work) leaves the
    counter where it was, so the test above can fail."""
    with Counter() as counter:
        before = counter.count
        sum(i * i for i in range(3_000_000))
        after = counter.count
    assert after == before


def _child(texts, queue):
    queue.put(len(neardup.Detector().keys(texts)["anchor_hash"]))


def test_a_forked_child_gets_its_own_threads(corpus):
    texts = [t for _, t in corpus[:100]]
    d = neardup.Detector()
    expected = len(d.keys(texts)["anchor_hash"])  # the parent's pool exists now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(texts, queue))
    child.start()
    child.join(timeout=300)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung in neardup.Detector.keys")
    assert child.exitcode == 0
    assert queue.get(timeout=10) == expected


def _child_pairs(it, queue):
    queue.put([(p.a, p.b) for p in it])


def test_a_pairs_iterator_goes_on_in_a_forked_child(corpus):
    index = neardup.Index()
    index.insert_many(corpus[:120])
    expected = [(p.a, p.b) for p in index.pairs()]
    it = index.pairs()
    first = next(it)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_pairs, args=(it, queue))
    child.start()
    try:
        got = queue.get(timeout=300)
        child.join(timeout=60)
    finally:
        if child.is_alive():
            child.kill()
    assert child.exitcode == 0
    assert [(first.a, first.b)] + got == expected
    # The parent's iterator is untouched by the child's.
    assert [(first.a, first.b)] + [(p.a, p.b) for p in it] == expected


def test_threads_share_a_detector_and_an_index(corpus):
    d = neardup.Detector()
    index = neardup.Index(d)
    index.insert_many(corpus[:200])
    texts = [t for _, t in corpus[200:260]]
    expected = [[m.id for m in index.query(t)] for t in texts]
    expected_keys = d.keys(texts)
    results = {}

    def work(n):
        results[n] = ([[m.id for m in index.query(t)] for t in texts], d.keys(texts))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == (expected, expected_keys) for r in results.values()) and len(results) == 4


def test_threads_sharing_one_pairs_iterator_get_every_pair_once(corpus):
    index = neardup.Index()
    index.insert_many(corpus[:150])
    expected = [(p.a, p.b) for p in index.pairs()]
    assert len(expected) > 3 * 64
    it = index.pairs()
    got = {n: [] for n in range(3)}

    def work(n):
        for p in it:
            got[n].append((p.a, p.b))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [x for n in got for x in got[n]]
    assert sorted(every) == expected
    # Each thread saw its pairs in order.
    assert all(v == sorted(v) for v in got.values())
