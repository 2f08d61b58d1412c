#!/usr/bin/env python
"""Values benchmark: dualdiff's own functions on plain float64 arrays.

``dd.sigmoid(x)``, ``dd.softplus``, ``dd.relu``, ``dd.leaky_relu``,
``dd.gelu`` (both forms), ``dd.erf`` and ``dd.erfc`` at a float64 ndarray x of
10**6 points in (-4, 4) (the values only: no derivative), each against the best
NumPy expression of the same function, timed side by side in one run:

    sigmoid     1/(1+np.exp(-x))
    softplus    np.logaddexp(0, x)
    relu        np.maximum(x, 0)
    leaky_relu  np.maximum(x, a*x)
    gelu        x*0.5*scipy.special.erfc(-x/sqrt2)
    gelu_tanh   0.5*x*(1 + np.tanh(sqrt(2/pi)*(x + 0.044715*x*x*x)))
    erf, erfc   scipy.special.erf(x), scipy.special.erfc(x)

The target (issue 12, item 9): the compiled backend within 1.5x of that
expression.  The rows also show the pure-Python backend and the per-element
path those functions took before (np.vectorize of the scalar function), and
how far each result is from the scalar function's values.

    python benchmarks/bench_values.py            # a full run: about a minute
    python benchmarks/bench_values.py --quick --json values.json   # about 20 s
    python benchmarks/bench_values.py --tasks sigmoid,gelu --sizes 1e4,1e6

See benchmarks/README.md for how to read the output.
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time

import _cli  # noqa: E402,F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import script as S  # noqa: E402
from dualdiff._bench.peers import dist_version  # noqa: E402
from dualdiff._bench.script import fmt_time_ns as fmt_time, table_lines  # noqa: E402
from dualdiff._bench.timing import CHUNKS, Timed, median_ratio, run_task, speedup  # noqa: E402

import numpy as np  # noqa: E402

#: the target: dualdiff[c] over the NumPy expression, at TARGET_SIZE points
TARGET = 1.5
TARGET_SIZE = 10 ** 6
ALPHA = 0.01         # leaky_relu's slope
CHECK_POINTS = 1000  # points of x at which every result is compared with the scalar function

SQRT2 = math.sqrt(2.0)
GELU_K = math.sqrt(2.0 / math.pi)

#: task -> (the NumPy expression's text, its statement, needs scipy, dualdiff's statement)
TASKS = {
    "sigmoid": ("1/(1+np.exp(-x))", "1/(1+np.exp(-x))", False, "dd.sigmoid(x)"),
    "softplus": ("np.logaddexp(0, x)", "np.logaddexp(0, x)", False, "dd.softplus(x)"),
    "relu": ("np.maximum(x, 0)", "np.maximum(x, 0)", False, "dd.relu(x)"),
    # max(x, a x) is leaky_relu for 0 < a < 1, and NumPy's fastest form of it
    # (np.where(x > 0, x, a*x) took 10x longer here: a bool temporary and a gather)
    "leaky_relu": ("np.maximum(x, a*x)", "np.maximum(x, a*x)", False, "dd.leaky_relu(x, a)"),
    "gelu": ("x*0.5*erfc(-x/sqrt2)  (scipy)", "x*0.5*erfc(-x/SQRT2)", True, "dd.gelu(x)"),
    "gelu_tanh": ("0.5*x*(1+np.tanh(k*(x+0.044715*x*x*x)))",
                  "0.5*x*(1+np.tanh(K*(x+0.044715*(x*x*x))))", False,
                  "dd.gelu(x, approximate=True)"),
    "erf": ("scipy.special.erf(x)", "erf(x)", True, "dd.erf(x)"),
    "erfc": ("scipy.special.erfc(x)", "erfc(x)", True, "dd.erfc(x)"),
}


def scalar_function(dd, task):
    """The scalar dualdiff function of a task, on one float."""
    if task == "leaky_relu":
        return lambda v: dd.leaky_relu(v, ALPHA)
    if task == "gelu_tanh":
        return lambda v: dd.gelu(v, approximate=True)
    return getattr(dd, task)


class Method(Timed):
    def __init__(self, label, stmt, names, kind, group=None):
        super().__init__(label, stmt, names, kind, group)
        self.ulps, self.check_s = None, None

    def evaluate(self, x, expected, idx):
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            value = eval(self.stmt, dict(self.names))
        self.check_s = time.perf_counter() - t0
        v = np.asarray(value, dtype=np.float64)
        if v.shape != x.shape:
            raise ValueError(f"result of shape {v.shape}, expected {x.shape}")
        got = v[idx]
        with np.errstate(all="ignore"):
            d = np.abs(got - expected) / np.spacing(np.maximum(np.abs(got), np.abs(expected)))
        d = np.where(got == expected, 0.0, d)
        self.ulps = float(np.max(d))


def methods(task, n, dd, pure, special):
    label, stmt, _, dd_stmt = TASKS[task]
    x = np.random.default_rng(n).uniform(-4.0, 4.0, n)
    names = {"np": np, "x": x, "a": ALPHA, "SQRT2": SQRT2, "K": GELU_K}
    if special is not None:
        names.update(erf=special.erf, erfc=special.erfc)
    per_element = np.vectorize(scalar_function(dd, task), otypes=[np.float64])
    out = [Method(f"NumPy {label}  [baseline]", stmt, names, "baseline"),
           Method(f"dualdiff[{dd.backend}] {dd_stmt}", dd_stmt, {"dd": dd, **names},
                  "values", dd.backend)]
    if pure is not None:
        out.append(Method(f"dualdiff[python] {dd_stmt}", dd_stmt, {"dd": pure, **names},
                          "values", "python"))
    out.append(Method(f"np.vectorize(scalar dd.{task})  (the old path)", "V(x)",
                      {"V": per_element, "x": x}, "values", "vectorize"))
    return out, x


def check(meths, x, dd, task, notes, max_call_s):
    """Run each method once; drop those that raise or are too slow."""
    idx = np.linspace(0, x.size - 1, min(CHECK_POINTS, x.size)).astype(np.intp)
    fn = scalar_function(dd, task)
    expected = np.array([fn(v) for v in x[idx].tolist()])
    kept = []
    for m in meths:
        try:
            m.evaluate(x, expected, idx)
        except Exception as exc:
            notes.append(f"{m.label}: raised {type(exc).__name__}: {exc}; not timed")
            continue
        if m.kind != "baseline" and m.check_s > max_call_s:
            notes.append(f"{m.label}: one call took {m.check_s:.2f} s "
                         f"(> --max-call-s {max_call_s:g}); not timed")
            continue
        kept.append(m)
    return kept


def parse_size(s):
    v = eval(s, {"__builtins__": {}}) if "**" in s else float(s)
    return int(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description="dualdiff: its own functions (sigmoid, softplus, "
                                 "relu, leaky_relu, gelu, erf, erfc) on float64 arrays vs the "
                                 "best NumPy expression of each; ratios from one run.")
    ap.add_argument("--quick", action="store_true", help="fewer, shorter samples (about 20 s)")
    ap.add_argument("--sizes", help="comma-separated array sizes, e.g. 1e3,1e6 (default 1e6)")
    ap.add_argument("--tasks", help="comma-separated subset of: " + ", ".join(TASKS))
    ap.add_argument("--rounds", type=int, help="round-robin rounds (default 11, 5 with --quick)")
    ap.add_argument("--sample-ms", type=float, help="sample length (default 20 ms, 6 with --quick)")
    ap.add_argument("--budget-s", type=float,
                    help="time a slow method may take per task (default 3 s, 1 with --quick)")
    ap.add_argument("--max-call-s", type=float,
                    help="skip a method whose one call is slower (default 5 s, 2 with --quick)")
    ap.add_argument("--json", metavar="FILE", help="write all figures to FILE as JSON")
    ap.add_argument("--allow-pure", action="store_true",
                    help="run even when dualdiff has no compiled backend")
    args = ap.parse_args(argv)
    q = args.quick
    rounds, sample_ms = args.rounds or (5 if q else 11), args.sample_ms or (6.0 if q else 20.0)
    budget_s = args.budget_s or (1.0 if q else 3.0)
    max_call_s = args.max_call_s or (2.0 if q else 5.0)
    min_rounds = 3
    try:
        sizes = [parse_size(s.strip()) for s in (args.sizes or "1e6").split(",") if s.strip()]
    except Exception:
        ap.error(f"cannot read --sizes {args.sizes!r}")
    wanted = [t.strip() for t in (args.tasks or ",".join(TASKS)).split(",") if t.strip()]
    if any(t not in TASKS for t in wanted):
        ap.error(f"unknown task in {args.tasks!r}; choose from {', '.join(TASKS)}")

    dd = S.load_dualdiff(None, True)
    if dd.backend != "c" and not args.allow_pure:
        print(f"bench_values: dualdiff.backend is {dd.backend!r}, not 'c' (from "
              f"{os.path.dirname(dd.__file__)}); build the extension or pass --allow-pure",
              file=sys.stderr)
        return 1
    from dualdiff._public import namespace
    dd = namespace(dd.backend)
    pure = namespace("python") if dd.backend == "c" else None
    notes = []
    try:
        import scipy.special as special
        scipy_version = dist_version("scipy")
    except Exception as exc:
        special, scipy_version = None, None
        notes.append(f"scipy not installed ({type(exc).__name__}): the gelu, erf and erfc "
                     "tasks, whose NumPy expressions need scipy.special, are skipped")
    log = S.log
    import dualdiff
    where = {"version": getattr(dualdiff, "__version__", None), "backend": dd.backend,
             "path": os.path.dirname(dualdiff.__file__)}
    print("dualdiff values benchmark: its own functions on float64 arrays vs the best NumPy "
          "expression of each (values only)")
    print("  dualdiff {version}  backend={backend!r}  from {path}".format(**where))
    print(f"  Python {platform.python_version()} on {platform.machine()} {platform.system()}, "
          f"{os.cpu_count()} CPUs; numpy {np.__version__}; "
          f"scipy {scipy_version or 'not installed'}")
    print(f"  x uniform in (-4, 4); sizes {', '.join(f'{n:,}' for n in sizes)}; {rounds} rounds, "
          f"methods round-robin, each sample between two samples of the NumPy expression; a "
          f"sample = the fastest of {CHUNKS} runs of ~{sample_ms / CHUNKS:g} ms; a method over "
          f"{budget_s:g} s in all is sampled in fewer rounds (at least {min_rounds})")
    print("  x NumPy = median over rounds of (sample / mean of the two baseline samples around "
          f"it); ulps = max distance from the scalar dualdiff function's values, in ulps, at "
          f"{CHECK_POINTS} points")
    report = {"python": platform.python_version(), "platform": platform.platform(),
              "cpus": os.cpu_count(), "numpy": np.__version__, "scipy": scipy_version,
              "dualdiff": where, "rounds": rounds, "sample_ms": sample_ms, "budget_s": budget_s,
              "max_call_s": max_call_s, "target": TARGET, "tasks": []}
    verdicts = []
    t_start = time.perf_counter()
    for n in sizes:
        for task in wanted:
            if TASKS[task][2] and special is None:
                continue
            name = f"{task} n={n:,}"
            task_notes = []
            meths, x = methods(task, n, dd, pure, special)
            meths = check(meths, x, dd, task, task_notes, max_call_s)
            if not meths or meths[0].kind != "baseline":
                notes.extend(f"{name}: {s}" for s in task_notes)
                continue
            log(f"timing {name} ({len(meths)} methods) ")
            overhead = run_task(meths, {"numpy": meths[0]}, "numpy", rounds, sample_ms, log,
                                budget_s=budget_s, min_rounds=min_rounds)
            log("\n")
            rows = [[m.label, fmt_time(statistics.median(m.samples)), fmt_time(min(m.samples)),
                     f"{median_ratio(m, 'numpy'):.3g}", f"{m.ulps:.3g}", str(len(m.rounds_idx))]
                    for m in meths]
            print(f"\n== {name}")
            for ln in table_lines(["method", "median/call", "min/call", "x NumPy", "ulps",
                                   "rounds"], rows):
                print(ln)
            by = {m.group: m for m in meths if m.group}
            lines = []
            c = by.get(dd.backend)
            if c is not None:
                r = median_ratio(c, "numpy")
                line = f"{name}: dualdiff[{dd.backend}] costs {r:.2f}x the NumPy expression"
                if n == TARGET_SIZE and dd.backend == "c":
                    line += f" (target <= {TARGET:g}x: {'met' if r <= TARGET else 'MISSED'})"
                lines.append(line)
                if "vectorize" in by:
                    lines.append(f"{name}: {speedup(by['vectorize'], c, 'numpy'):.1f}x faster "
                                 "than the old per-element path")
                if n == TARGET_SIZE and dd.backend == "c":
                    verdicts.append(line)
            if "python" in by:
                lines.append(f"{name}: dualdiff[python] costs "
                             f"{median_ratio(by['python'], 'numpy'):.3g}x the NumPy expression")
            for ln in lines + [f"note: {s}" for s in task_notes]:
                print("   " + ln)
            report["tasks"].append({
                "name": task, "n": n, "empty_loop_ns": overhead, "summary_lines": lines,
                "notes": task_notes,
                "methods": [{"label": m.label, "group": m.group, "stmt": m.stmt,
                             "calls_per_run": m.n, "runs_per_sample": m.chunks,
                             "rounds_sampled": m.rounds_idx, "ulps": m.ulps,
                             "check_call_s": m.check_s,
                             "median_ns": statistics.median(m.samples), "min_ns": min(m.samples),
                             "samples_ns": m.samples, "ratio": median_ratio(m, "numpy"),
                             "ratio_samples": m.ratios["numpy"]} for m in meths]})
    if verdicts:
        print(f"\nAgainst the target (same run; at n = {TARGET_SIZE:,}):")
        for ln in verdicts:
            print("   " + ln)
    report.update(verdicts=verdicts)
    return S.finish(report, notes, t_start, args.json)


if __name__ == "__main__":
    sys.exit(main())
