#!/usr/bin/env python
"""Scalar benchmark: dualdiff vs floats, finite differences and peer libraries.

Two tasks, each measured in one run with every method interleaved:

* ``f(x) = x**3 + 2*x**2 - x + 1`` at ``x = 2.0`` (the seed polynomial);
* ``g(x) = sin(x)*exp(x)/(1+x*x) + log(1+x*x) + sqrt(x) + tanh(x)`` at
  ``x = 0.7``.

For each task it times evaluating the function on a float (the baseline),
``dualdiff.derivative`` / ``dualdiff.second_derivative`` with the compiled
and the pure-Python backend, a central and a second finite difference, and
the peers fastdual and num-dual when they are installed; and it reports each
method's error against the exact derivative.

Usage::

    pip install ".[bench]"              # dualdiff + fastdual + num-dual
    python benchmarks/bench_scalar.py   # a full run: about 20-30 s
    python benchmarks/bench_scalar.py --quick --json scalar.json

See benchmarks/README.md for how to read the output.
"""

import math
import statistics
import sys
import time
from fractions import Fraction

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import script as S
from dualdiff._bench.peers import find_peers
from dualdiff._bench.report import fmt_ns
from dualdiff._bench import tasks as T
from dualdiff._bench.tasks import poly as f_poly
from dualdiff._bench.by_hand import central_difference, second_difference
from dualdiff._bench.timing import Timed, median_ratio, run_task


#: a peer's derivative must match the exact value to this relative tolerance
#: before it is timed
PEER_TOL = 1e-12


# ---------------------------------------------------------------------------
# The functions under test
# ---------------------------------------------------------------------------

G_TASK = T.TASKS_BY_NAME["g"]   # g(x) = sin(x)*exp(x)/(1+x*x) + log(1+x*x) + sqrt(x) + tanh(x)
g_math = G_TASK.make(T.exact_namespace())


# ---------------------------------------------------------------------------
# Exact derivatives
# ---------------------------------------------------------------------------

def exact_f(x):
    """f'(x), f''(x) exactly (rational arithmetic on the float x)."""
    q = Fraction(x)
    return 3*q*q + 4*q - 1, 6*q + 4


def exact_g(x):
    """(g'(x), g''(x), how) -- mpmath at 50 digits when available."""
    try:
        import mpmath
    except ImportError:
        e = T.exact_namespace()
        return (T.g_d1(e, x), T.g_d2(e, x),
                "analytic formula in float (install mpmath for exact errors)")
    mp = mpmath.mp
    mp.dps = 50
    xm = mp.mpf(x)  # the float x itself, not the decimal 0.7
    e = T.exact_namespace(mp)
    d1, d2 = mp.diff(G_TASK.make(e), xm, 1), mp.diff(G_TASK.make(e), xm, 2)
    a1, a2 = T.g_d1(e, xm), T.g_d2(e, xm)
    if abs(d1 - a1) > mp.mpf(10)**-40 or abs(d2 - a2) > mp.mpf(10)**-40:
        raise AssertionError("mpmath.diff and the analytic formula disagree for g")
    return d1, d2, "mpmath.diff at 50 digits (agrees with the analytic formula)"


def abs_error(value, exact):
    """|value - exact| computed exactly (Fraction or mpmath), as a float."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return math.inf
    if isinstance(exact, Fraction):
        return float(abs(Fraction(value) - exact))
    return float(abs(type(exact)(value) - exact))


# ---------------------------------------------------------------------------
# Timing (the harness itself is in _timing.py, shared with bench_gradient.py)
# ---------------------------------------------------------------------------

class Method(Timed):
    """A timed statement (see _timing.Timed) with the exact value of its result.

    kind is "empty", "baseline", "d1" or "d2"; group a key for the summaries,
    e.g. ("dd-c", 1).
    """

    def __init__(self, label, stmt, names, kind, exact=None, group=None, note=""):
        super().__init__(label, stmt, names, kind, group, note)
        self.exact = exact          # the exact value of the result (d1/d2)
        self.error = None

    def evaluate(self):
        value = eval(self.stmt, dict(self.names))
        if self.kind in ("d1", "d2") and not isinstance(value, (int, float)):
            raise TypeError(f"returned {type(value).__name__} {value!r}, not a float")
        self.value = value
        if self.kind in ("d1", "d2"):
            self.error = abs_error(self.value, self.exact)


# ---------------------------------------------------------------------------
# Building the method lists
# ---------------------------------------------------------------------------

def dd_methods(ns, tag, label, fn, x, e1, e2, inline=False):
    """derivative and second_derivative of one dualdiff backend namespace."""
    out = []
    if ns is None:
        return out
    out.append(Method(f"dualdiff[{label}] derivative", "D(F, x)",
                      {"D": ns.derivative, "F": fn, "x": x}, "d1", e1, (tag, 1)))
    out.append(Method(f"dualdiff[{label}] second_derivative", "D(F, x)",
                      {"D": ns.second_derivative, "F": fn, "x": x}, "d2", e2, (tag, 2)))
    if inline:
        # the same work written out by hand, as the peers' rows are: no helper call
        out.append(Method(f"dualdiff[{label}] inline F(Dual(x,1)).dual", "F(Dual(x, 1.0)).dual",
                          {"Dual": ns.Dual, "F": fn, "x": x}, "d1", e1, (tag + "-inline", 1)))
        out.append(Method(f"dualdiff[{label}] inline F(HyperDual(x,1,1,0)).e12",
                          "F(HyperDual(x, 1.0, 1.0, 0.0)).e12",
                          {"HyperDual": ns.HyperDual, "F": fn, "x": x}, "d2", e2,
                          (tag + "-inline", 2)))
    return out


#: the peers' rows: (peer, its number type, label, statement, derivative order)
PEER_ROWS = (
    ("fastdual", "Dual", "fastdual Dual: f(xd := Dual(x)).der(xd)",
     "F(_xd := Dual(x)).der(_xd)", 1),
    ("fastdual", "HyperDual", "fastdual HyperDual(x,1,0,0).f1",
     "F(HyperDual(x, 1.0, 0.0, 0.0)).f1", 1),
    ("fastdual", "HyperDual", "fastdual HyperDual(x,1,1,0).f12",
     "F(HyperDual(x, 1.0, 1.0, 0.0)).f12", 2),
    ("num-dual", "Dual64", "num-dual Dual64(x,1).first_derivative",
     "F(Dual64(x, 1.0)).first_derivative", 1),
    ("num-dual", "Dual2_64", "num-dual Dual2_64(x,1,0).second_derivative",
     "F(Dual2_64(x, 1.0, 0.0)).second_derivative", 2),
)


def peer_methods(peers, f_peer, x, e1, e2):
    out = []
    for peer, cls, label, stmt, order in PEER_ROWS:
        mod = peers[peer][0]
        if mod is not None:
            out.append(Method(label, stmt, {"F": f_peer, cls: getattr(mod, cls), "x": x},
                              f"d{order}", (e1, e2)[order - 1], (peer, order)))
    return out


def check(methods, notes, is_peer):
    """Evaluate each method once; drop peers that fail or are inexact."""
    def evaluate(m):
        m.evaluate()
        if m.kind not in ("d1", "d2") or m.group[0] == "fd":
            return None  # finite differences are inexact by nature: the error column says how much
        return S.inexact(m, m.error, PEER_TOL * max(1.0, abs(float(m.exact))), not is_peer(m),
                         f"result {m.value!r} differs from the exact {float(m.exact)!r} by")
    return S.check(methods, evaluate, notes)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def print_table(title, methods, baselines, headline):
    S.method_table(title, methods, baselines, headline,
                   [("abs error", lambda m: S.fmt_error(m.error, m.kind in ("d1", "d2")))],
                   times=("median ns", "min ns"), fmt_t=fmt_ns, large=float("inf"))


def summarize(methods, headline, have_c):
    """Lines comparing dualdiff to float, to its pure backend and to the peers."""
    lines = []
    results = {}
    for order, name in ((1, "derivative"), (2, "second_derivative")):
        dd = S.best(methods, ("dd-c", order), headline) if have_c else None
        pure = S.best(methods, ("dd-python", order), headline)
        if dd is not None:
            r = median_ratio(dd, headline)
            verdict = "met" if r <= 1.5 else "NOT met"
            lines.append(f"{name}: compiled dualdiff costs {r:.2f}x the float evaluation "
                         f"(DESIGN.md target <= 1.5x: {verdict})")
            results[f"{name}_vs_float"] = r
        inline = S.best(methods, ("dd-c-inline", order), headline) if have_c else None
        if dd is not None and inline is not None:
            extra = median_ratio(dd, headline) - median_ratio(inline, headline)
            lines.append(f"{name}: the helper call costs {extra:+.2f}x of a float evaluation "
                         f"over the inline form ({inline.label.split('inline ')[-1]})")
            results[f"{name}_helper_minus_inline_ratio"] = extra
        if dd is not None and pure is not None:
            sp = [p / c for p, c in zip(pure.ratios[headline], dd.ratios[headline]) if c > 0]
            s = statistics.median(sp)
            verdict = "met" if s >= 10 else "NOT met"
            lines.append(f"{name}: compiled is {s:.1f}x faster than pure Python "
                         f"(target >= 10x: {verdict})")
            results[f"{name}_c_vs_python"] = s
        ref = dd if dd is not None else pure
        if ref is None:
            continue
        for peer in ("fastdual", "num-dual"):
            p = S.best(methods, (peer, order), headline)
            if p is None:
                continue
            sp = statistics.median([a / b for a, b in zip(p.ratios[headline],
                                                          ref.ratios[headline]) if b > 0])
            which = "compiled" if ref is dd else "pure-Python"
            if sp >= 1:
                lines.append(f"{name}: {which} dualdiff is {sp:.2f}x faster than {peer} "
                             f"(fastest form: {p.label})")
            else:
                lines.append(f"{name}: {which} dualdiff is {1 / sp:.2f}x SLOWER than {peer} "
                             f"(fastest form: {p.label})")
            results[f"{name}_{peer}_over_dualdiff"] = sp
    return lines, results


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def backends(dd, notes):
    """(compiled namespace or None, pure-Python namespace or None)."""
    from dualdiff._public import namespace
    ns_c = namespace("c") if dd.backend == "c" else None
    try:
        ns_py = namespace("python")
    except Exception as exc:
        ns_py = None
        notes.append(f"pure-Python backend unavailable ({type(exc).__name__}: {exc})")
    if ns_c is None:
        notes.append("compiled backend not loaded (--allow-pure): compiled rows skipped")
    return ns_c, ns_py


def task_f(ns_c, ns_py, peers):
    x = 2.0
    e1, e2 = exact_f(x)
    base = Method("float: f(x)  [baseline]", "F(x)", {"F": f_poly, "x": x}, "baseline")
    meths = [base]
    meths += dd_methods(ns_c, "dd-c", "c", f_poly, x, e1, e2, inline=True)
    meths += dd_methods(ns_py, "dd-python", "python", f_poly, x, e1, e2)
    meths.append(Method("central difference (f(x+h)-f(x-h))/2h", "C(F, x)",
                        {"C": central_difference, "F": f_poly, "x": x}, "d1", e1, ("fd", 1)))
    meths.append(Method("second difference (f(x+h)-2f(x)+f(x-h))/h^2", "C(F, x)",
                        {"C": second_difference, "F": f_poly, "x": x}, "d2", e2, ("fd", 2)))
    meths += peer_methods(peers, f_poly, x, e1, e2)
    return {"name": "f", "expr": "x**3 + 2*x**2 - x + 1", "x": x,
            "exact": (e1, e2), "exact_how": "analytic: f'(x) = 3x^2+4x-1, f''(x) = 6x+4",
            "methods": meths, "baselines": {"float f": base}, "headline": "float f"}


def task_g(ns_c, ns_py, peers):
    x = 0.7
    e1, e2, how = exact_g(x)
    base_math = Method("float: g with math.*  [baseline]", "G(x)",
                       {"G": g_math, "x": x}, "baseline")
    meths, baselines = [base_math], {"float g (math)": base_math}
    gs = {tag: G_TASK.make(ns)
          for tag, ns in (("c", ns_c), ("python", ns_py)) if ns is not None}
    if gs:
        tag = "c" if "c" in gs else "python"
        label = "" if tag == "c" else " (python)"
        base_dd = Method(f"float: g with dualdiff.*{label}  [baseline 2]", "G(x)",
                         {"G": gs[tag], "x": x}, "baseline")
        meths.append(base_dd)
        baselines["float g (dd fns)"] = base_dd
    if "c" in gs:
        meths += dd_methods(ns_c, "dd-c", "c", gs["c"], x, e1, e2, inline=True)
    if "python" in gs:
        meths += dd_methods(ns_py, "dd-python", "python", gs["python"], x, e1, e2)
    meths.append(Method("central difference, g with math.*", "C(G, x)",
                        {"C": central_difference, "G": g_math, "x": x}, "d1", e1, ("fd", 1)))
    meths.append(Method("second difference, g with math.*", "C(G, x)",
                        {"C": second_difference, "G": g_math, "x": x}, "d2", e2, ("fd", 2)))
    meths += peer_methods(peers, T.g_method_form, x, e1, e2)
    return {"name": "g", "expr": G_TASK.text.split(" = ", 1)[1],
            "x": x, "exact": (e1, e2), "exact_how": how,
            "methods": meths, "baselines": baselines, "headline": "float g (math)"}


def run_one(task, args, have_c):
    """Check, time and print one task; its JSON record."""
    task_notes = []
    is_peer = lambda m: m.group is not None and m.group[0] in ("fastdual", "num-dual")  # noqa: E731
    task["methods"] = check(task["methods"], task_notes, is_peer)
    baselines = task["baselines"]
    S.log(f"timing {task['name']} ({len(task['methods'])} methods) ")
    overhead = run_task(task["methods"], baselines, task["headline"], args.rounds,
                        args.sample_ms, S.log)
    S.log("\n")
    e1, e2 = task["exact"]
    print_table(f"== {task['name']}(x) = {task['expr']} at x = {task['x']!r}\n"
                f"   exact {task['name']}'(x) = {float(e1)!r}, {task['name']}''(x) = "
                f"{float(e2)!r}  ({task['exact_how']})",
                task["methods"], baselines, task["headline"])
    if len(baselines) > 1:
        print("   * headline ratio: against g written with math.* on a float (the "
              "strictest); 'x float g (dd fns)' is against the same code the "
              "derivative runs (dualdiff's functions on a float)")
    print(f"   empty-loop cost removed: {overhead:.1f} ns/call")
    lines, results = summarize(task["methods"], task["headline"], have_c)
    S.print_lines(lines, task_notes)
    return {"name": task["name"], "expr": task["expr"], "x": task["x"],
            "exact": [str(e1), str(e2)], "exact_how": task["exact_how"],
            "headline_baseline": task["headline"], "empty_loop_ns": overhead,
            "methods": [S.timing_record(m, baselines, abs_error=m.error, value=(
                float(m.value) if m.value is not None else None)) for m in task["methods"]],
            "summary": results, "notes": task_notes}


def main(argv=None):
    ap = S.parser("dualdiff scalar benchmark: derivative / second_derivative vs float "
                  "evaluation, finite differences, fastdual and num-dual.",
                  "fewer rounds and shorter samples (a few seconds)", "scalar")
    args = S.parse(ap, argv)
    dd = S.load_dualdiff("bench_scalar", args.allow_pure)
    if dd is None:
        return 1
    notes = []
    ns_c, ns_py = backends(dd, notes)
    peers = find_peers(["fastdual", "num-dual"])
    notes += [f"{name} skipped: {why}" for name, (mod, why) in peers.items() if mod is None]
    S.header("dualdiff scalar benchmark", dd)
    for name, (mod, ver) in peers.items():
        print(f"  {name}: {ver if mod is not None else 'not installed'}")
    for ln in S.sampling_lines(f"{args.rounds} rounds", args.sample_ms):
        print(ln)
    report = S.report_head(dd, peers={k: v if m is not None else None
                                      for k, (m, v) in peers.items()},
                           rounds=args.rounds, sample_ms=args.sample_ms)
    t_start = time.perf_counter()
    report["tasks"] = [run_one(build(ns_c, ns_py, peers), args, ns_c is not None)
                       for build in (task_f, task_g)]
    return S.finish(report, notes, t_start, args.json)


if __name__ == "__main__":
    sys.exit(main())
