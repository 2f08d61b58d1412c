"""The one timing method of ``dualdiff bench`` and of the scripts in ``benchmarks/``.

Every method's statement is compiled into its own timing loop (as timeit
does); the methods run round-robin, each sample taken between two samples of
the headline baseline, and the reported ratio is the median over the rounds
of (sample / mean of the two baseline samples around it).  See
benchmarks/README.md, "How it is timed".

With ``budget_s``, methods slower than a chunk run single-call chunks and
may be sampled in fewer rounds; without it every method is sampled in every
round (bench_scalar.py).
"""

import math
import statistics
import time

#: a sample is the fastest of this many back-to-back runs of sample_ms/CHUNKS each
CHUNKS = 8

# ---------------------------------------------------------------------------
# What --quick means: one table for `dualdiff bench` and every script
# ---------------------------------------------------------------------------

#: every timing setting as (full run, --quick)
DEFAULTS = {"rounds": (21, 7), "sample_ms": (20.0, 6.0), "budget_s": (6.0, 1.0),
            "max_call_s": (5.0, 2.0), "min_rounds": (5, 3)}

#: the settings each harness uses, and where it departs from DEFAULTS (and why);
#: rounds None: by the size of the arrays (ROUNDS_BY_SIZE)
HARNESSES = {
    # one call takes ~100 ns: every method is sampled in every round, no budget
    "scalar": {"rounds": None, "sample_ms": None},
    # n passes of Dual at n = 1000 take ~1 s a call: skipped in a --quick run
    "gradient": {"rounds": None, "sample_ms": None, "budget_s": None,
                 "max_call_s": (3.0, 1.0), "min_rounds": None},
    "vectorized": dict.fromkeys(DEFAULTS),
    # every task is at 10**6 points: fewer, longer rounds
    "values": {"rounds": (11, 5), "sample_ms": None, "budget_s": (3.0, 1.0),
               "max_call_s": None, "min_rounds": (3, 3)},
    # rounds by size; at 10**7 points the peers' calls take several seconds
    "arrays": {"rounds": "by size", "sample_ms": None, "budget_s": None,
               "max_call_s": (10.0, 2.0), "min_rounds": None},
    # `dualdiff bench`: 11 tasks and up to 9 peers, some of them slow: ~10 s with --quick
    "bench": {"rounds": (11, 5), "sample_ms": None, "budget_s": (3.0, 0.5)},
}

#: arrays: (largest size, (full, quick) rounds), the first that fits
ROUNDS_BY_SIZE = ((10 ** 4, (21, 7)), (10 ** 6, (11, 4)), (None, (7, 3)))


def pairs(harness):
    """{setting: (full, quick)} of one harness (None where it goes by size)."""
    return {k: (DEFAULTS[k] if v is None else None if isinstance(v, str) else v)
            for k, v in HARNESSES[harness].items()}


def settings(harness, quick):
    """{setting: value} of one harness, for a full run or a --quick one."""
    return {k: (v[1] if quick else v[0]) for k, v in pairs(harness).items() if v is not None}


def rounds_by_size(n, quick):
    """The arrays' rounds at n points."""
    for top, pair in ROUNDS_BY_SIZE:
        if top is None or n <= top:
            return pair[1] if quick else pair[0]


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

def make_loop(stmt, names):
    """A function timing `n` executions of `stmt`; the names it uses are locals.

    The statement is compiled into the loop body itself (as timeit does), so no
    extra Python call wraps it; the garbage collector stays on, as in real code.
    """
    params = "".join(f", {k}={k}" for k in names)
    src = ("def _loop(_n, _range=range, _clock=_clock" + params + "):\n"
           "    _t0 = _clock()\n"
           "    for _i in _range(_n):\n"
           f"        {stmt}\n"
           "    return _clock() - _t0\n")
    ns = dict(names)
    ns["_clock"] = time.perf_counter_ns
    exec(compile(src, f"<bench {stmt}>", "exec"), ns)
    return ns["_loop"]


def calibrate(loop, sample_ns):
    """Calls per sample so that one sample takes about sample_ns."""
    n = 1
    while True:
        t = loop(n)
        if t >= sample_ns / 8 or n >= 1 << 26:
            break
        n *= 4
    return max(1, int(n * sample_ns / max(t, 1)))


class Timed:
    """One timed statement: what run_task needs and fills in."""

    def __init__(self, label, stmt, names, kind, group=None, note=""):
        self.label = label          # what the table prints
        self.stmt = stmt            # an expression: timed, and evaluated once for the value
        self.names = names          # the names stmt uses
        self.kind = kind            # "empty", "baseline", or what the script measures
        self.group = group          # key for summaries
        self.note = note
        self.value = None
        self.samples = []           # ns per call, one per sampled round, loop overhead removed
        self.raw = []               # ns per call, one per sampled round, as measured
        self.ratios = {}            # baseline key -> list of per-round ratios
        self.rounds_idx = []        # the rounds in which this method was sampled
        self.chunks = CHUNKS        # runs per sample (the fastest is kept)
        self.n = None               # calls per run


def _prepare(m, rounds, sample_ms, budget_s, min_rounds):
    """Compile m's loop, warm it up, and choose its calls per run, runs per sample, rounds."""
    chunk_ns = sample_ms * 1e6 / CHUNKS
    m.loop = make_loop(m.stmt, m.names)
    m.chunks = CHUNKS
    m.rounds_idx = list(range(rounds))
    m.adjacent = []
    if budget_s is None:
        m.loop(10)  # warm up
        m.n = calibrate(m.loop, chunk_ns)
        return
    m.n = None
    t1 = m.loop(1)  # the method was already run once, by its check
    if t1 < chunk_ns / 10:
        m.loop(10)  # warm up
    if t1 < chunk_ns:
        m.n = calibrate(m.loop, chunk_ns)
    else:
        m.n = 1
        m.chunks = max(1, min(CHUNKS, math.ceil(sample_ms * 1e6 / t1)))
        per_sample_s = m.chunks * t1 / 1e9
        if rounds * per_sample_s > budget_s and rounds > min_rounds:
            k = max(min_rounds, int(budget_s / per_sample_s))
            if k < rounds:
                m.rounds_idx = sorted({round(j * (rounds - 1) / max(k - 1, 1))
                                       for j in range(k)})


def _sample(m):
    # the fastest of m.chunks short runs: a run that the scheduler
    # interrupted (another process on the shared cores) only ever runs slower
    return min(m.loop(m.n) for _ in range(m.chunks)) / m.n


def _sample_rounds(head, others, rounds, log):
    """The rounds: each sample of a method between two samples of the headline baseline."""
    for r in range(rounds):
        # rotate the order each round so that no method always follows another
        k = r % len(others)
        order = [m for m in others[k:] + others[:k] if r in m.rounds_idx]
        before = _sample(head)
        head.raw.append(before)
        for m in order:
            m.raw.append(_sample(m))
            after = _sample(head)
            head.raw.append(after)
            m.adjacent.append((before + after) / 2)
            before = after
        log(".")


def _ratios(methods, baselines, headline, empty, rounds):
    """Fill in samples and ratios from the raw samples; return the empty loop's cost."""
    head = baselines[headline]
    overhead = statistics.median(empty.raw)
    # the loop overhead as a fraction of the baseline, so that removing it from
    # the ratios does not depend on the machine's speed at the time
    o = statistics.median(e / b for e, b in zip(empty.raw, empty.adjacent))
    o = min(max(o, 0.0), 0.5)
    for m in methods:
        m.samples = [max(t - overhead, 0.0) for t in m.raw]
    head.ratios[headline] = [1.0] * rounds
    for m in methods:
        if m is not head:
            m.ratios[headline] = [(t / b - o) / (1 - o) if b > 0 else math.inf
                                  for t, b in zip(m.raw, m.adjacent)]
    for key, base in baselines.items():
        if key != headline:
            # against a second baseline: the ratios to the headline, divided by
            # the second baseline's ratio to the headline in the same round
            by_round = dict(zip(base.rounds_idx, base.ratios[headline]))
            for m in methods:
                m.ratios[key] = [a / by_round[r] if by_round.get(r, 0) > 0 else math.inf
                                 for a, r in zip(m.ratios[headline], m.rounds_idx)]
    return overhead


def run_task(methods, baselines, headline, rounds, sample_ms, log=lambda s: None,
             budget_s=None, min_rounds=3):
    """Time the methods round-robin; fill in their samples and ratios; return the
    empty loop's cost per call, ns.

    Every sample of a method is taken between two samples of the headline
    baseline, and its ratio is computed against their mean: on a shared,
    noisy machine the speed drifts, but not much within a few tens of ms.

    With budget_s set, a method whose single call takes longer than a chunk
    (sample_ms / CHUNKS) runs one call per run and only as many runs per
    sample as fit in about sample_ms (at least one); and a method whose
    samples would take more than budget_s over all the rounds is sampled in
    fewer rounds, spread evenly (at least min_rounds).  The baseline and
    every fast method are sampled in every round, as without budget_s.
    """
    head = baselines[headline]
    empty = Timed("empty loop", "None", {}, "empty")
    others = [empty] + [m for m in methods if m is not head]
    for m in [head] + others:
        _prepare(m, rounds, sample_ms, budget_s, min_rounds)
    _sample_rounds(head, others, rounds, log)
    return _ratios(methods, baselines, headline, empty, rounds)


def median_ratio(m, key):
    return statistics.median(m.ratios[key]) if m.ratios.get(key) else None


def speedup(slow, fast, key):
    """Median over the rounds both were sampled in of slow / fast (ratios to the baseline)."""
    a = dict(zip(slow.rounds_idx, slow.ratios[key]))
    b = dict(zip(fast.rounds_idx, fast.ratios[key]))
    common = [r for r in a if r in b and b[r] > 0]
    if common:
        return statistics.median(a[r] / b[r] for r in common)
    return median_ratio(slow, key) / median_ratio(fast, key)
