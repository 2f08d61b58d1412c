"""Timing: every method of a task side by side, best of several interleaved runs.

Each statement is compiled into its own loop (as ``timeit`` does, so no extra
Python call wraps it), autoranged so that one run takes at least
``min_time``, and then run ``repeat`` times, the methods taking turns, so
that a slow spell of the shared machine hits them all alike.  The best run
counts: an interruption by another process only ever makes a run slower.
The cost of an empty loop, measured the same way, is taken off.
"""

import time

#: autorange steps, as timeit: 1, 2, 5, 10, 20, 50, ...
_STEPS = (1, 2, 5)


def make_loop(stmt, names):
    """A function running `stmt` n times and returning the seconds taken."""
    params = "".join(f", {k}={k}" for k in names)
    src = (f"def _loop(_n, _range=range, _clock=_clock{params}):\n"
           "    _t0 = _clock()\n"
           "    for _i in _range(_n):\n"
           f"        {stmt}\n"
           "    return _clock() - _t0\n")
    ns = dict(names, _clock=time.perf_counter)
    exec(compile(src, f"<bench {stmt}>", "exec"), ns)
    return ns["_loop"]


def autorange(loop, min_time):
    """(n, seconds): the first n of 1, 2, 5, 10, ... whose run takes min_time or more."""
    scale = 1
    while True:
        for k in _STEPS:
            n = k * scale
            t = loop(n)
            if t >= min_time:
                return n, t
        scale *= 10


class Timing:
    """What measure() fills in for one statement."""

    def __init__(self, stmt, names):
        self.loop = make_loop(stmt, names)
        self.n = 0          # calls per run
        self.runs = []      # seconds per call, one per run
        self.best = None    # seconds per call, empty loop removed


def measure(timings, repeat, min_time, budget):
    """Time every Timing in turn, `repeat` rounds; fill in .n, .runs and .best.

    A statement whose runs would take more than `budget` seconds in all gets
    fewer rounds (at least one).
    """
    empty = Timing("pass", {})
    everyone = [empty] + list(timings)
    rounds = {}
    for t in everyone:
        t.loop(1)  # warm up
        t.n, first = autorange(t.loop, min_time)
        t.runs = [first / t.n]
        rounds[id(t)] = max(1, min(repeat, int(budget / max(first, 1e-9))))
    for r in range(1, repeat):
        # rotate the order each round so that no method always follows another
        k = r % len(everyone)
        for t in everyone[k:] + everyone[:k]:
            if r < rounds[id(t)]:
                t.runs.append(t.loop(t.n) / t.n)
    overhead = min(empty.runs)
    for t in timings:
        best = min(t.runs)
        # the loop's own cost comes off, unless the statement costs about as little
        t.best = best - overhead if best > 2 * overhead else best
    return overhead
