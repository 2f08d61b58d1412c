#!/usr/bin/env python
"""Multivariate benchmark: gradients and Hessians of the loop-form Rosenbrock.

    f(x) = sum(100*(x[i+1] - x[i]**2)**2 + (1 - x[i])**2 for i in range(n-1))

written as a plain Python loop.  Seven tasks, each measured in one run with
every method interleaved: the gradient at n = 10, 100, 1000, the Hessian at
n = 10, 30, and the Hessian-vector product H(x) v at n = 100, of the loop
form and of scipy.optimize.rosen (issue 12, item 10: hvp costs at most 4x
one gradient of the same f).  Each method is reported as a ratio to one
evaluation of f on a Python list of floats (and on a float64 ndarray), with
its maximum relative error against the exact derivatives (analytic, in
rational arithmetic).

Methods: dualdiff's one-pass ``gradient`` / ``hessian``; n-pass scalar duals
(n evaluations at Dual(x_i, 1), or n(n+1)/2 at HyperDuals for the Hessian);
forward and central finite differences; for the Hessian, central second
differences of f and central differences of dualdiff's gradient; and the
peers when they are installed: fastdual, num-dual, JAX (``jacfwd``,
``hessian``, each with and without ``jit``).

Usage::

    pip install ".[bench]"                # dualdiff + fastdual + num-dual
    python benchmarks/bench_gradient.py   # a full run: about 1-2 minutes
    python benchmarks/bench_gradient.py --quick --json gradient.json

See benchmarks/README.md for how to read the output.
"""

import math
import sys
import time
from fractions import Fraction

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
import numpy as np

from dualdiff._bench import script as S
from dualdiff._bench.peers import find_peers
from dualdiff._bench.report import fmt_time as _fmt_s
from dualdiff._bench.tasks import rosen, rosen_direction as direction, rosen_hvp as exact_hvp
from dualdiff._bench.tasks import rosen_gradient as exact_gradient, rosen_hessian as exact_hessian
from dualdiff._bench.tasks import rosen_point as point
from dualdiff._bench.by_hand import (
    central_difference_gradient, central_difference_hessian, central_difference_hvp,
    central_difference_of_gradient, fastdual_der_gradient, forward_difference_gradient,
    hessian_times_v, npass_gradient, npass_hessian)
from dualdiff._bench.timing import Timed, median_ratio, run_task, speedup


#: an exact method (not a finite difference) must match the exact result to
#: this maximum relative error; a peer that does not is not timed
EXACT_TOL = 1e-12

#: issue 3's targets: (task kind, n) -> the largest ratio to the float evaluation
RATIO_TARGETS = {("gradient", 10): 2.5, ("gradient", 100): 4.0, ("hessian", 10): 6.0}

#: issue 12's target: (task kind, n) -> the largest ratio of hvp to one gradient of the same f
HVP_TARGETS = {("hvp", 100): 4.0, ("hvp-scipy", 100): 4.0}

TASKS = [("gradient", 10), ("gradient", 100), ("gradient", 1000),
         ("hessian", 10), ("hessian", 30), ("hvp", 100), ("hvp-scipy", 100)]

#: the hvp tasks: kind -> (which f, its headline baseline)
HVP_KINDS = {"hvp": "the loop Rosenbrock", "hvp-scipy": "scipy.optimize.rosen (NumPy slices)"}


# ---------------------------------------------------------------------------
# Exact derivatives: dualdiff._bench.tasks (rational arithmetic on the float x),
# checked here against scipy
# ---------------------------------------------------------------------------

def cross_check_hvp(x, v, hv):
    try:
        from scipy.optimize import rosen_hess_prod
    except ImportError:
        return "analytic Rosenbrock H v in rational arithmetic"
    ref = rosen_hess_prod(np.array(x), np.array(v))
    exact = np.array([float(t) for t in hv])
    if np.max(np.abs(ref - exact)) > 1e-12 * np.max(np.abs(exact)):
        raise AssertionError("the exact H v disagrees with scipy.optimize.rosen_hess_prod")
    return "analytic Rosenbrock H v in rational arithmetic (agrees with scipy's rosen_hess_prod)"


def cross_check(x, g, h):
    """The analytic formulas against scipy.optimize's rosen_der / rosen_hess (floats)."""
    try:
        from scipy.optimize import rosen_der, rosen_hess
    except ImportError:
        return "analytic Rosenbrock derivatives in rational arithmetic"
    xa = np.array(x)
    ref_g = rosen_der(xa)
    if not np.allclose(ref_g, [float(v) for v in g], rtol=1e-12, atol=0):
        raise AssertionError("the exact gradient disagrees with scipy.optimize.rosen_der")
    if h is not None:
        ref_h = rosen_hess(xa)
        scale = np.max(np.abs(ref_h))
        if np.max(np.abs(ref_h - np.array(h, dtype=float))) > 1e-12 * scale:
            raise AssertionError("the exact Hessian disagrees with scipy.optimize.rosen_hess")
    return ("analytic Rosenbrock derivatives in rational arithmetic "
            "(agree with scipy.optimize.rosen_der/rosen_hess)")


def max_rel_error(value, exact):
    """max over entries of |v - e| / |e|, computed exactly; |v| / max|e| where e == 0.

    value: a float array of the shape of exact (a list, or a list of lists).
    """
    flat_e = [e for row in exact for e in row] if isinstance(exact[0], list) else exact
    flat_v = np.asarray(value, dtype=float).ravel().tolist()
    if len(flat_v) != len(flat_e):
        raise ValueError(f"{len(flat_v)} entries, expected {len(flat_e)}")
    scale = max(abs(e) for e in flat_e)
    worst = Fraction(0)
    for v, e in zip(flat_v, flat_e):
        if not math.isfinite(v):
            return math.inf
        err = abs(Fraction(v) - e) / (abs(e) if e != 0 else scale)
        if err > worst:
            worst = err
    return float(worst)


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------

class Method(Timed):
    """A timed statement; `post` turns its value into the (n,) or (n, n) result."""

    def __init__(self, label, stmt, names, kind, group=None, post=None, note="", fd=False):
        super().__init__(label, stmt, names, kind, group, note)
        self.post = post            # value -> array-like result (not timed)
        self.fd = fd                # a finite difference: inexact by nature
        self.error = None
        self.check_s = None         # the time of the checking call, s

    def evaluate(self, exact):
        t0 = time.perf_counter()
        value = eval(self.stmt, dict(self.names))
        self.check_s = time.perf_counter() - t0
        if self.kind in ("gradient", "hessian", "hvp"):
            if self.post is not None:
                value = self.post(value)
            value = np.asarray(value, dtype=float)
            # an hvp task's exact results: {"hvp": H v, "gradient": the gradient row's}
            self.error = max_rel_error(value, exact[self.kind] if isinstance(exact, dict) else exact)
        self.value = value


def num_dual_and_jax_rows(peers, jax_mod, kind, jax_op, xl, xa):
    """num-dual's gradient / hessian, and JAX's jacfwd / hessian with and without jit."""
    out = []
    nd = peers["num-dual"][0]
    if nd is not None:
        part = 1 if kind == "gradient" else 2   # num-dual returns (value, gradient, hessian)
        out.append(Method(f"num-dual {kind}(f, x)", "ND(F, x)",
                          {"ND": getattr(nd, kind), "F": rosen, "x": xl},
                          kind, ("num-dual",), post=lambda v: v[part]))
    if jax_mod is not None:
        jax, jnp = jax_mod
        xj, d = jnp.asarray(xa), getattr(jax, jax_op)(rosen)
        out.append(Method(f"jax {jax_op}(f)(x)", "J(x).block_until_ready()",
                          {"J": d, "x": xj}, kind, ("jax",)))
        out.append(Method(f"jax jit({jax_op}(f))(x)", "J(x).block_until_ready()",
                          {"J": jax.jit(d), "x": xj}, kind, ("jax-jit",)))
    return out


def gradient_methods(dd, tag, peers, jax_mod, xl, xa):
    F = rosen
    out = [Method(f"dualdiff[{tag}] gradient(f, x)", "G(F, x)",
                  {"G": dd.gradient, "F": F, "x": xa}, "gradient", ("dualdiff",)),
           Method(f"n-pass dualdiff[{tag}] Dual(x_i, 1)", "P(F, x, Dual)",
                  {"P": npass_gradient, "F": F, "x": xl, "Dual": dd.Dual},
                  "gradient", ("n-pass",)),
           Method("forward difference, h = sqrt(eps)", "D(F, x)",
                  {"D": forward_difference_gradient, "F": F, "x": xl},
                  "gradient", ("forward FD",), fd=True),
           Method("central difference, h = cbrt(eps)", "D(F, x)",
                  {"D": central_difference_gradient, "F": F, "x": xl},
                  "gradient", ("central FD",), fd=True)]
    fd = peers["fastdual"][0]
    if fd is not None:
        out.append(Method("fastdual jac([f(xs := DualArray(x))], xs)",
                          "jac([F(_xs := DualArray(x))], _xs)",
                          {"jac": fd.jac, "DualArray": fd.DualArray, "F": F, "x": xl},
                          "gradient", ("fastdual",), post=lambda v: np.ravel(v)))
        out.append(Method("fastdual [y.der(s) for s in seeds], seeds = [Dual(v) ...]",
                          "D(F, x, Dual)",
                          {"D": fastdual_der_gradient, "F": F, "x": xl, "Dual": fd.Dual},
                          "gradient", ("fastdual",)))
        out.append(Method("fastdual autojac(lambda *a: f(a))(*x)", "AJ(*x)",
                          {"AJ": fd.autojac(lambda *a: F(a)), "x": xl},
                          "gradient", ("fastdual",), post=lambda v: np.ravel(v[1])))
    return out + num_dual_and_jax_rows(peers, jax_mod, "gradient", "jacfwd", xl, xa)


def hessian_methods(dd, tag, peers, jax_mod, xl, xa):
    F = rosen
    out = []
    if hasattr(dd, "hessian"):
        out.append(Method(f"dualdiff[{tag}] hessian(f, x)", "H(F, x)",
                          {"H": dd.hessian, "F": F, "x": xa}, "hessian", ("dualdiff",)))
    out += [Method(f"n(n+1)/2-pass dualdiff[{tag}] HyperDual", "P(F, x, HyperDual)",
                   {"P": npass_hessian, "F": F, "x": xl, "HyperDual": dd.HyperDual},
                   "hessian", ("n-pass",)),
            Method("central differences of f, h = eps^(1/4)", "D(F, x)",
                   {"D": central_difference_hessian, "F": F, "x": xl},
                   "hessian", ("central FD",), fd=True),
            Method(f"central differences of dualdiff[{tag}] gradient, h = cbrt(eps)",
                   "D(G, F, x)",
                   {"D": central_difference_of_gradient, "G": dd.gradient, "F": F, "x": xa},
                   "hessian", ("central FD of gradient",), fd=True)]
    fd = peers["fastdual"][0]
    if fd is not None:
        out.append(Method("fastdual autohess(lambda *a: f(a))(*x)", "AH(*x)",
                          {"AH": fd.autohess(lambda *a: F(a)), "x": xl},
                          "hessian", ("fastdual",), post=lambda v: v[1]))
        try:
            from fastdual._hyperdual import hessian_matrix
        except ImportError:
            hessian_matrix = None
        if hessian_matrix is not None:
            out.append(Method("fastdual._hyperdual.hessian_matrix(f, x) (what autohess calls)",
                              "HM(F, x)", {"HM": hessian_matrix, "F": F, "x": xa},
                              "hessian", ("fastdual",)))
    return out + num_dual_and_jax_rows(peers, jax_mod, "hessian", "hessian", xl, xa)


def hvp_methods(dd, tag, jax_mod, F, xa, va):
    """H(x) v of F: dualdiff's hvp, the gradient it is measured against, and
    the other ways a user would get H v."""
    out = [Method(f"dualdiff[{tag}] hvp(f, x, v)", "HV(F, x, v)",
                  {"HV": dd.hvp, "F": F, "x": xa, "v": va}, "hvp", ("dualdiff",)),
           Method(f"dualdiff[{tag}] gradient(f, x)  (the yardstick)", "G(F, x)",
                  {"G": dd.gradient, "F": F, "x": xa}, "gradient", ("gradient",)),
           Method(f"dualdiff[{tag}] hessian(f, x) @ v  (hvp before issue 12)", "HT(H, F, x, v)",
                  {"HT": hessian_times_v, "H": dd.hessian, "F": F, "x": xa, "v": va},
                  "hvp", ("hessian @ v",)),
           Method(f"central difference of dualdiff[{tag}] gradient along v, h = cbrt(eps)",
                  "D(G, F, x, v)",
                  {"D": central_difference_hvp, "G": dd.gradient, "F": F, "x": xa, "v": va},
                  "hvp", ("central FD of gradient",), fd=True)]
    try:
        from scipy.optimize import rosen_hess_prod
        out.append(Method("scipy.optimize.rosen_hess_prod(x, v)  (hand-written NumPy)",
                          "P(x, v)", {"P": rosen_hess_prod, "x": xa, "v": va},
                          "hvp", ("hand-written",)))
    except ImportError:
        pass
    if jax_mod is not None:
        jax, jnp = jax_mod
        xj, vj = jnp.asarray(xa), jnp.asarray(va)
        fwd_rev = lambda x, v: jax.jvp(jax.grad(F), (x,), (v,))[1]   # noqa: E731
        out.append(Method("jax jvp(grad(f), (x,), (v,))", "J(x, v).block_until_ready()",
                          {"J": fwd_rev, "x": xj, "v": vj}, "hvp", ("jax",)))
        out.append(Method("jax jit(jvp(grad(f), (x,), (v,)))", "J(x, v).block_until_ready()",
                          {"J": jax.jit(fwd_rev), "x": xj, "v": vj}, "hvp", ("jax-jit",)))
    return out


def summarize_hvp(kind, n, methods, headline):
    """Summary lines and (target lines, results) for an hvp task."""
    lines, targets, results = [], [], {}
    what = f"{kind} n={n}"
    hv, grad = S.best(methods, ("dualdiff",), headline), S.best(methods, ("gradient",), headline)
    if hv is None or grad is None:
        lines.append(f"{what}: no dualdiff hvp or gradient row (see the notes)")
        targets.append(f"{what}: not measured (see the notes)")
        return lines, targets, results
    r_hv, r_grad, per_grad = median_ratio(hv, headline), median_ratio(grad, headline), speedup(hv, grad, headline)
    results.update(hvp_vs_float=r_hv, gradient_vs_float=r_grad, hvp_over_gradient=per_grad)
    limit = HVP_TARGETS.get((kind, n))
    s = (f"{what}: dualdiff hvp costs {per_grad:.2f}x one gradient of the same f "
         f"({r_hv:.2f}x f; the gradient {r_grad:.2f}x f)")
    if limit is not None:
        s += f" (issue 12 target <= {limit:g}x one gradient: {'met' if per_grad <= limit else 'NOT met'})"
        targets.append(s)
    lines.append(s)
    for group, name in (("hessian @ v", "hessian(f, x) @ v"), ("hand-written", "scipy's rosen_hess_prod"),
                        ("central FD of gradient", "a central difference of the gradient"),
                        ("jax", "JAX without jit"), ("jax-jit", "JAX with jit")):
        p = S.best(methods, (group,), headline)
        if p is None:
            continue
        sp = speedup(p, hv, headline)
        results[f"{group}_over_hvp"] = sp
        lines.append(f"{what}: dualdiff hvp is {sp:.2f}x faster than {name}" if sp >= 1 else
                     f"{what}: dualdiff hvp is {1 / sp:.2f}x SLOWER than {name}")
    return lines, targets, results


def check(methods, exact, notes, max_call_s):
    """Evaluate each method once; drop the ones that fail, are inexact peers or too slow."""
    def evaluate(m):
        m.evaluate(exact)
        if m.group and m.group[0] == "jax-jit":
            S.compiled_first(m, lambda: m.evaluate(exact), notes)
        if m.kind in ("gradient", "hessian", "hvp") and not m.fd:
            own = m.group[0] in ("dualdiff", "gradient", "hessian @ v")
            return S.inexact(m, m.error, EXACT_TOL, own, "max relative error")
        return None
    return S.check(methods, evaluate, notes, max_call_s)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def fmt_time(ns):
    return _fmt_s(ns / 1e9)


def print_table(title, methods, baselines, headline):
    kinds = ("gradient", "hessian", "hvp")
    S.method_table(title, methods, baselines, headline,
                   [("max rel err", lambda m: S.fmt_error(m.error, m.kind in kinds)),
                    ("rounds", lambda m: str(len(m.rounds_idx)))], fmt_t=fmt_time)


def summarize(kind, n, methods, headline):
    """Summary lines and (target lines, results) for one task."""
    lines, targets, results = [], [], {}
    what = f"{kind} n={n}"
    dd = S.best(methods, ("dualdiff",), headline)
    if dd is None:
        lines.append(f"{what}: no dualdiff row (see the notes)")
        if (kind, n) in RATIO_TARGETS:
            targets.append(f"{what}: not measured, no dualdiff row (see the notes)")
        return lines, targets, results
    r = median_ratio(dd, headline)
    results["dualdiff_vs_float"] = r
    limit = RATIO_TARGETS.get((kind, n))
    if limit is not None:
        verdict = "met" if r <= limit else "NOT met"
        s = (f"{what}: dualdiff {kind} costs {r:.2f}x the float evaluation "
             f"(issue 3 target <= {limit:g}x: {verdict})")
        targets.append(s)
    else:
        s = f"{what}: dualdiff {kind} costs {r:.2f}x the float evaluation (no target)"
    lines.append(s)
    npass = "n-pass Duals" if kind == "gradient" else "n(n+1)/2-pass HyperDuals"
    for group, name in (("fastdual", "fastdual"), ("num-dual", "num-dual"),
                        ("jax", "JAX without jit"), ("jax-jit", "JAX with jit"),
                        ("n-pass", npass), ("forward FD", "forward differences"),
                        ("central FD", "central differences"),
                        ("central FD of gradient", "central differences of the gradient")):
        p = S.best(methods, (group,), headline)
        if p is None:
            continue
        sp = speedup(p, dd, headline)
        results[f"{group}_over_dualdiff"] = sp
        form = f" (fastest form: {p.label})" if group == "fastdual" else ""
        if sp >= 1:
            s = f"{what}: dualdiff is {sp:.2f}x faster than {name}{form}"
        else:
            s = f"{what}: dualdiff is {1 / sp:.2f}x SLOWER than {name}{form}"
        if group in ("fastdual", "num-dual"):
            s += f" (issue 3 target: faster: {'met' if sp > 1 else 'NOT met'})"
            targets.append(s)
        lines.append(s)
    return lines, targets, results


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def prepare(kind, n):
    """(F, title, exact, how) of one task, or None when scipy is missing for it."""
    xl = point(n)
    g = exact_gradient(xl)
    h = exact_hessian(xl) if kind == "hessian" else None
    how = cross_check(xl, g, h)
    exact = g if kind == "gradient" else h
    F, title = rosen, f"{kind} of the loop Rosenbrock, n = {n}"
    if kind in HVP_KINDS:
        vl = direction(n)
        exact = {"hvp": exact_hvp(xl, vl), "gradient": g}
        how = cross_check_hvp(xl, vl, exact["hvp"])
        title = f"H(x) v of {HVP_KINDS[kind]}, n = {n}"
        if kind == "hvp-scipy":
            try:
                from scipy.optimize import rosen as F
            except ImportError:
                return None
    return F, title, exact, how


def baselines_of(kind, F, xl):
    base = Method("float: f(list)  [baseline]", "F(x)", {"F": F, "x": xl}, "baseline")
    base_arr = Method("float: f(float64 ndarray)  [baseline 2]", "F(x)",
                      {"F": F, "x": np.array(xl)}, "baseline")
    if kind == "hvp-scipy":   # NumPy code: f on an ndarray is the fair baseline
        return {"float f(ndarray)": base_arr}, "float f(ndarray)"
    return {"float f(list)": base, "float f(ndarray)": base_arr}, "float f(list)"


def run_one(kind, n, ctx, args, notes):
    """Check, time and print one task: (its JSON record, its target lines) or None."""
    got = prepare(kind, n)
    if got is None:
        notes.append(f"{kind}-{n} skipped: scipy is not installed")
        return None
    F, title, exact, how = got
    xl = point(n)
    xa = np.array(xl)
    baselines, headline = baselines_of(kind, F, xl)
    task_notes = []
    dd, tag, peers, jax_mod = ctx
    if kind in HVP_KINDS:
        candidates = hvp_methods(dd, tag, jax_mod, F, xa, np.array(direction(n)))
    else:
        build = gradient_methods if kind == "gradient" else hessian_methods
        candidates = build(dd, tag, peers, jax_mod, xl, xa)
    meths = check(list(baselines.values()) + candidates, exact, task_notes, args.max_call_s)
    S.log(f"timing {kind} n={n} ({len(meths)} methods) ")
    overhead = run_task(meths, baselines, headline, args.rounds, args.sample_ms, S.log,
                        budget_s=args.budget_s, min_rounds=args.min_rounds)
    S.log("\n")
    print_table(f"== {title}  (exact: {how})", meths, baselines, headline)
    if len(baselines) > 1:
        print("   * headline ratio: against f on a list of floats (the strictest); "
              "'x float f(ndarray)' is against f on a float64 ndarray")
    print(f"   empty-loop cost removed: {overhead:.1f} ns/call")
    summary = summarize_hvp if kind in HVP_KINDS else summarize
    lines, targets, results = summary(kind, n, meths, headline)
    S.print_lines(lines, task_notes)
    return {"name": f"{kind}-{n}", "kind": kind, "n": n, "exact_how": how,
            "headline_baseline": headline, "empty_loop_ns": overhead,
            "methods": [S.timing_record(m, baselines, max_rel_error=m.error,
                                        check_call_s=m.check_s) for m in meths],
            "summary": results, "summary_lines": lines, "notes": task_notes}, targets


def main(argv=None):
    names = {f"{k}-{n}": (k, n) for k, n in TASKS}
    ap = S.parser("dualdiff multivariate benchmark: gradient and Hessian of the loop-form "
                  "Rosenbrock vs float evaluation, n-pass duals, finite differences, fastdual, "
                  "num-dual and JAX.", "fewer rounds and shorter samples (under ~30 s)",
                  "gradient", tasks=names)
    args = S.parse(ap, argv, tasks=names)
    dd = S.load_dualdiff("bench_gradient", args.allow_pure)
    if dd is None:
        return 1
    peers = find_peers(["fastdual", "num-dual", "JAX"])
    notes = [f"{name} skipped: {why}" for name, (mod, why) in peers.items() if mod is None]
    jax = peers["JAX"][0]
    ctx = (dd, dd.backend, peers, (jax, jax.numpy) if jax is not None else None)
    S.header("dualdiff multivariate benchmark: the loop-form Rosenbrock\n"
             "  f(x) = sum(100*(x[i+1]-x[i]**2)**2 + (1-x[i])**2 for i in range(n-1)), "
             "a Python loop", dd, f"; numpy {np.__version__}")
    peers_ver = {k: v if m is not None else None for k, (m, v) in peers.items()}
    for name, ver in peers_ver.items():
        print(f"  {name}: {ver or 'not installed'}")
    for ln in S.sampling_lines(f"{args.rounds} rounds", args.sample_ms, args.budget_s,
                               args.min_rounds):
        print(ln)
    print("  max rel err = max over entries of |v - e| / |e| (|v| / max|e| where e = 0), "
          "exact e in rational arithmetic")
    report = S.report_head(
        dd, numpy=np.__version__, peers=peers_ver, rounds=args.rounds,
        sample_ms=args.sample_ms, budget_s=args.budget_s, max_call_s=args.max_call_s,
        min_rounds=args.min_rounds,
        function="rosen(x) = sum(100*(x[i+1]-x[i]**2)**2 + (1-x[i])**2), a Python loop",
        point="x_i = 0.2 + 1.2 * frac(i * 0.6180339887498949)",
        error_definition="max over entries of |v - e| / |e|, or |v| / max|e| where e = 0; "
                         "exact e from the analytic derivatives in rational arithmetic",
        tasks=[])
    all_targets = []
    t_start = time.perf_counter()
    for name in args.tasks:
        got = run_one(*names[name], ctx, args, notes)
        if got is not None:
            report["tasks"].append(got[0])
            all_targets += got[1]
    return S.finish(report, notes, t_start, args.json, all_targets,
                    "Against issue 3's and issue 12's targets (same run):",
                    "(no targets in the tasks run)")


if __name__ == "__main__":
    sys.exit(main())
