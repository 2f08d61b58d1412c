"""Running the bench: check, time, print, and write the JSON and the figure."""

import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from fractions import Fraction

import numpy as np

from dualdiff import finite
from dualdiff._bench import methods as M
from dualdiff._bench import report
from dualdiff._bench import tasks as T
from dualdiff._bench.timing import CHUNKS, median_ratio, run_task as time_round_robin
from dualdiff._bench.timing import settings as timing_settings

PROG = "dualdiff bench"


WHAT = {"derivative": "f'(x)", "second": "f''(x)", "gradient": "the gradient",
        "hessian": "the Hessian"}


# ---------------------------------------------------------------------------
# Exact values and errors
# ---------------------------------------------------------------------------

class Oracle:
    """The exact derivatives: the closed forms, at 50 digits when mpmath is installed."""

    def __init__(self):
        try:
            import mpmath
        except ImportError:
            mpmath = None
        self.mp = mpmath
        self.e = T.exact_namespace(mpmath)
        if mpmath is not None:
            self.text = (f"closed-form derivatives in mpmath {mpmath.__version__} at 50 "
                         "digits; Rosenbrock's in exact rational arithmetic")
        else:
            self.text = ("closed-form derivatives in floats (mpmath not installed: errors "
                         "below ~1e-15 are not resolved); Rosenbrock's in exact rational "
                         "arithmetic")

    def exact(self, task):
        if task.kind in ("gradient", "hessian"):
            return task.exact(task.x)
        if self.mp is None:
            return task.exact(self.e, task.x)
        with self.mp.workdps(50):
            return task.exact(self.e, self.mp.mpf(task.x))

    def error(self, value, exact):
        """Relative error, max over components; where exact is 0, relative to max |exact|."""
        v = np.asarray(value, dtype=np.float64)
        ex = exact if isinstance(exact, list) else [exact]
        ex = [e for row in ex for e in row] if ex and isinstance(ex[0], list) else ex
        if v.size != len(ex):
            raise ValueError(f"{v.size} values, expected {len(ex)}")
        if not np.all(np.isfinite(v)):
            return math.inf
        scale = max(abs(e) for e in ex)
        worst = 0.0
        for a, e in zip(v.ravel().tolist(), ex):
            if isinstance(e, (int, float, Fraction)):
                diff = abs(Fraction(a) - Fraction(e))  # exact: no rounding in the error
            else:
                with self.mp.workdps(50):
                    diff = abs(self.mp.mpf(a) - e)
            d = abs(e) if e != 0 else scale
            worst = max(worst, float(diff / d) if d != 0 else abs(a))
        return worst


# ---------------------------------------------------------------------------
# One task
# ---------------------------------------------------------------------------

def run_task(task, dd, peers, oracle, settings):
    """Check and time every method of `task`: (baseline, methods, notes).

    The methods are timed round-robin against the baseline (``timing.run_task``);
    a method's ratio is the median over the rounds of its ratio to the baseline
    samples around it, and its time/call that ratio times the baseline's median.
    """
    base, methods, notes = M.build(task, dd, peers)
    exact = oracle.exact(task)
    kept = []
    for m in methods:
        try:
            m.value = m.read(eval(m.stmt, dict(m.names)))
            m.error = oracle.error(m.value, exact)
        except Exception as exc:  # a method that fails is reported, not timed
            notes.append(f"{m.key}: left out ({type(exc).__name__}: {exc})")
            continue
        kept.append(m)
    time_round_robin([base] + kept, {"f": base}, "f", settings["rounds"],
                     settings["sample_ms"], budget_s=settings["budget_s"])
    base.time_s = statistics.median(base.samples) / 1e9
    for m in kept:
        m.ratio = median_ratio(m, "f")
        m.time_s = m.ratio * base.time_s
        m.spread = [min(m.ratios["f"]), max(m.ratios["f"])]
    return base, kept, notes


def error_vs_step(dd, oracle):
    """The classic curve: relative error of f'(x) against h, for g at x = 0.7."""
    task = T.TASKS_BY_NAME["g"]
    x, exact = task.x, oracle.exact(task)
    f, fc = task.make(T.float_namespace(dd)), task.make(T.complex_namespace())
    rules = {"forward FD": lambda h: finite.forward_difference(f, x, h),
             "central FD": lambda h: finite.central_difference(f, x, h),
             "4th-order FD": lambda h: finite.central_difference(f, x, h, accuracy=4),
             "complex step": lambda h: finite.complex_step(fc, x, h)}
    hs = np.logspace(-16, -1, 151).tolist()

    def err(rule, h):
        try:
            return oracle.error(rule(h), exact)
        except ValueError:  # h below the spacing of floats at x
            return math.nan
    s = max(1.0, abs(x))
    defaults = {"forward FD": finite.STEPS["forward"] * s,
                "central FD": finite.STEPS["central"] * s,
                "4th-order FD": finite.STEPS["central4"] * s}
    return {"function": "g", "text": task.text, "x": x, "h": hs,
            "errors": {k: [err(r, h) for h in hs] for k, r in rules.items()},
            "default": {k: [h, err(rules[k], h)] for k, h in defaults.items()},
            "dual_error": oracle.error(dd.derivative(task.make(dd), x), exact)}


# ---------------------------------------------------------------------------
# The whole run
# ---------------------------------------------------------------------------

def _fail(err, message):
    err.write(f"{PROG}: {message}\n")
    err.flush()
    return 1


def _finite(obj):
    """obj with NaN and infinities as None: JSON has no such numbers."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _dir_ok(path):
    return os.path.isdir(os.path.dirname(os.path.abspath(path)))


def _head(dd, peers, oracle, settings):
    """The lines above the tables: versions, peers, the oracle, how it is timed."""
    found = [f"{k} {v}" for k, (mod, v) in peers.items() if mod is not None]
    missing = [k for k, (mod, _) in peers.items() if mod is None]
    return [
        "dualdiff bench: exact derivatives (dual numbers) against finite differences and peers",
        f"  dualdiff {dd.__version__} (backend {dd.backend!r}), numpy {np.__version__}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}",
        f"  peers: {', '.join(found) or 'none'}"
        + (f"; not installed: {', '.join(missing)}" if missing else ""),
        f"  exact values: {oracle.text}",
        f"  {settings['rounds']} rounds, methods round-robin, each sample (the fastest of "
        f"{CHUNKS} runs of ~{settings['sample_ms'] / CHUNKS:g} ms) between two samples of "
        "f(x) on floats;",
        "  ratio = median over rounds of (sample / mean of the two baseline samples around "
        "it), empty-loop cost removed; time/call = ratio x the baseline's median",
        "  rel. error = |value - exact| / |exact|, max over components "
        "(where exact = 0: / max |exact|)",
    ]


def _write(json_path, plot_path, out, err, dd, peers, oracle, quick, settings, seconds,
           results, curve):
    """Write the JSON and the figure when asked: 0, or 1 after a message."""
    if json_path is not None:
        data = {"dualdiff": dd.__version__, "backend": dd.backend, "numpy": np.__version__,
                "python": platform.python_version(), "platform": platform.platform(),
                "peers": {k: (v if mod is not None else None) for k, (mod, v) in peers.items()},
                "oracle": oracle.text, "quick": bool(quick), "timing": settings,
                "seconds": seconds, "tasks": results, "error_vs_step": curve}
        try:
            with open(json_path, "w") as fh:
                json.dump(_finite(data), fh, indent=1)
        except OSError as exc:
            return _fail(err, f"cannot write {json_path}: {exc.strerror or exc}")
        out.write(f"wrote {json_path}\n")
    if plot_path is not None:
        from dualdiff._bench import plot
        try:
            plot.draw(plot_path, curve, results)
        except OSError as exc:
            return _fail(err, f"cannot write {plot_path}: {exc.strerror or exc}")
        out.write(f"wrote {plot_path}\n")
    return 0


def run_bench(quick=False, json_path=None, plot_path=None, tasks=None, out=None, err=None,
              *, _min_time=None, _repeat=None):
    """run_bench(quick=False, json_path=None, plot_path=None, tasks=None, out=None, err=None) -> int

    Run the comparison suite; print a table per task on `out` and progress on
    `err`; write the figures to `json_path` and the figure to `plot_path`
    when given.  Returns 0, or 1 after a one-line message on `err`.
    ``_min_time`` and ``_repeat`` shrink the timing, for the tests.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    names = list(T.TASK_NAMES) if tasks is None else list(dict.fromkeys(tasks))
    unknown = [n for n in names if n not in T.TASKS_BY_NAME]
    if unknown or not names:
        what = f"unknown task {unknown[0]!r}" if unknown else "no task given"
        return _fail(err, f"{what}; choose from {', '.join(T.TASK_NAMES)}")
    if plot_path is not None:
        try:
            import matplotlib  # noqa: F401  (checked before the long run, drawn after it)
        except ImportError:
            return _fail(err, "--plot needs matplotlib: pip install matplotlib")
    for path in (json_path, plot_path):
        if path is not None and not _dir_ok(path):
            return _fail(err, f"cannot write {path}: no such directory")

    import dualdiff as dd
    settings = timing_settings("bench", quick)
    settings["sample_ms"] = _min_time * 1e3 if _min_time else settings["sample_ms"]
    settings["rounds"] = _repeat or settings["rounds"]
    t0 = time.perf_counter()
    err.write(f"{PROG}: looking for peers ...\n")
    err.flush()
    peers = M.find_peers()
    oracle = Oracle()
    out.write("\n".join(_head(dd, peers, oracle, settings)) + "\n")
    results = {}
    with warnings.catch_warnings():
        # the peers' deprecation and runtime warnings are not what is measured here
        warnings.simplefilter("ignore")
        for i, name in enumerate(names, 1):
            task = T.TASKS_BY_NAME[name]
            err.write(f"[{i}/{len(names)}] {name} ...\n")
            err.flush()
            base, meths, notes = run_task(task, dd, peers, oracle, settings)
            if task.kind in ("gradient", "hessian"):
                notes.append("finite differences and the complex step call f on lists of "
                             "floats, as the baseline does")
            out.write("\n" + "\n".join(report.task_lines(task, WHAT[task.kind], base, meths,
                                                         notes)) + "\n")
            out.flush()
            results[name] = {
                "kind": task.kind, "function": task.text,
                "x": task.x, "baseline_time_s": base.time_s, "notes": notes,
                "methods": {m.key: {"label": m.label, "time_s": m.time_s,
                                    "ratio": m.ratio, "ratio_range": m.spread,
                                    "error": m.error,
                                    "value": np.asarray(m.value, dtype=float).tolist()}
                            for m in meths}}
        curve = error_vs_step(dd, oracle)
    seconds = time.perf_counter() - t0
    out.write(f"\n{len(names)} task(s) in {seconds:.1f} s"
              f"{' (--quick)' if quick else ''}\n")
    return _write(json_path, plot_path, out, err, dd, peers, oracle, quick, settings,
                  seconds, results, curve)
