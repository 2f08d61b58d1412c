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

import statistics
import sys
import time

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import script as S
from dualdiff._bench import tasks as T
from dualdiff._bench.peers import dist_version
from dualdiff._bench.script import fmt_time_ns as fmt_time
from dualdiff._bench.timing import Timed, median_ratio, run_task, speedup

import numpy as np

#: the target: dualdiff[c] over the NumPy expression, at TARGET_SIZE points
TARGET = 1.5
TARGET_SIZE = 10 ** 6
CHECK_POINTS = 1000  # points of x at which every result is compared with the scalar function
TASKS = T.VALUE_TASKS


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
    names = {"np": np, "x": x, "a": T.LEAKY_ALPHA, "SQRT2": T.SQRT2, "K": T.GELU_K}
    if special is not None:
        names.update(erf=special.erf, erfc=special.erfc)
    per_element = np.vectorize(T.value_function(dd, task), otypes=[np.float64])
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
    """Run each method once (its ulps from the scalar function); drop those that
    raise or are too slow."""
    idx = np.linspace(0, x.size - 1, min(CHECK_POINTS, x.size)).astype(np.intp)
    fn = T.value_function(dd, task)
    expected = np.array([fn(v) for v in x[idx].tolist()])
    return S.check(meths, lambda m: m.evaluate(x, expected, idx), notes, max_call_s)


def parse_size(s):
    v = eval(s, {"__builtins__": {}}) if "**" in s else float(s)
    return int(v)


def summarize(name, n, meths, dd):
    """The summary lines of one task, and its line against the target (or None)."""
    by = {m.group: m for m in meths if m.group}
    lines, verdict = [], None
    c = by.get(dd.backend)
    at_target = n == TARGET_SIZE and dd.backend == "c"
    if c is not None:
        r = median_ratio(c, "numpy")
        line = f"{name}: dualdiff[{dd.backend}] costs {r:.2f}x the NumPy expression"
        if at_target:
            line += f" (target <= {TARGET:g}x: {'met' if r <= TARGET else 'MISSED'})"
            verdict = line
        lines.append(line)
        if "vectorize" in by:
            lines.append(f"{name}: {speedup(by['vectorize'], c, 'numpy'):.1f}x faster "
                         "than the old per-element path")
    if "python" in by:
        lines.append(f"{name}: dualdiff[python] costs "
                     f"{median_ratio(by['python'], 'numpy'):.3g}x the NumPy expression")
    return lines, verdict


def run_one(task, n, ctx, args, notes):
    """Check, time and print one task at n points: (its JSON record, verdict), or None."""
    dd, pure, special = ctx
    name = f"{task} n={n:,}"
    task_notes = []
    meths, x = methods(task, n, dd, pure, special)
    meths = check(meths, x, dd, task, task_notes, args.max_call_s)
    if not meths or meths[0].kind != "baseline":
        notes.extend(f"{name}: {s}" for s in task_notes)
        return None
    S.log(f"timing {name} ({len(meths)} methods) ")
    overhead = run_task(meths, {"numpy": meths[0]}, "numpy", args.rounds, args.sample_ms,
                        S.log, budget_s=args.budget_s, min_rounds=args.min_rounds)
    S.log("\n")
    rows = [[m.label, fmt_time(statistics.median(m.samples)), fmt_time(min(m.samples)),
             f"{median_ratio(m, 'numpy'):.3g}", f"{m.ulps:.3g}", str(len(m.rounds_idx))]
            for m in meths]
    S.print_table(f"== {name}", ["method", "median/call", "min/call", "x NumPy", "ulps",
                                 "rounds"], rows)
    lines, verdict = summarize(name, n, meths, dd)
    S.print_lines(lines, task_notes)
    return {"name": task, "n": n, "empty_loop_ns": overhead, "summary_lines": lines,
            "notes": task_notes,
            "methods": [S.timing_record(m, ["numpy"], ulps=m.ulps, check_call_s=m.check_s)
                        for m in meths]}, verdict


def options(argv):
    ap = S.parser("dualdiff: its own functions (sigmoid, softplus, relu, leaky_relu, gelu, "
                  "erf, erfc) on float64 arrays vs the best NumPy expression of each; ratios "
                  "from one run.", "fewer, shorter samples (about 20 s)", "values", tasks=TASKS)
    ap.add_argument("--sizes", help="comma-separated array sizes, e.g. 1e3,1e6 (default 1e6)")
    args = S.parse(ap, argv, tasks=TASKS)
    try:
        args.sizes = [parse_size(s.strip()) for s in (args.sizes or "1e6").split(",")
                      if s.strip()]
    except Exception:
        ap.error(f"cannot read --sizes {args.sizes!r}")
    return args


def backends(notes):
    """(dualdiff's compiled namespace, its pure one or None, scipy.special or None)."""
    from dualdiff._public import namespace
    import dualdiff
    dd = namespace(dualdiff.backend)
    pure = namespace("python") if dd.backend == "c" else None
    if T.SPECIAL is None:
        notes.append("scipy not installed: the gelu, erf and erfc tasks, whose NumPy "
                     "expressions need scipy.special, are skipped")
    return dd, pure, T.SPECIAL


def main(argv=None):
    args = options(argv)
    if S.load_dualdiff("bench_values", args.allow_pure) is None:
        return 1
    notes = []
    ctx = backends(notes)
    dd = ctx[0]
    scipy_version = dist_version("scipy")
    S.header("dualdiff values benchmark: its own functions on float64 arrays vs the best "
             "NumPy expression of each (values only)", dd,
             f"; numpy {np.__version__}; scipy {scipy_version or 'not installed'}")
    for ln in S.sampling_lines(f"x uniform in (-4, 4); sizes "
                               f"{', '.join(f'{n:,}' for n in args.sizes)}; {args.rounds} rounds",
                               args.sample_ms, args.budget_s, args.min_rounds):
        print(ln)
    print(f"  ulps = max distance from the scalar dualdiff function's values, in ulps, at "
          f"{CHECK_POINTS} points")
    report = S.report_head(dd, numpy=np.__version__, scipy=scipy_version, rounds=args.rounds,
                           sample_ms=args.sample_ms, budget_s=args.budget_s,
                           max_call_s=args.max_call_s, target=TARGET, tasks=[])
    verdicts = []
    t_start = time.perf_counter()
    for n in args.sizes:
        for task in args.tasks:
            if TASKS[task][2] and ctx[2] is None:
                continue
            got = run_one(task, n, ctx, args, notes)
            if got is not None:
                report["tasks"].append(got[0])
                verdicts += [got[1]] if got[1] else []
    report.update(verdicts=verdicts)
    return S.finish(report, notes, t_start, args.json, verdicts if verdicts else None,
                    f"Against the target (same run; at n = {TARGET_SIZE:,}):" if verdicts
                    else None)


if __name__ == "__main__":
    sys.exit(main())
