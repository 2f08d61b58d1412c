#!/usr/bin/env python
"""Array benchmark: elementwise derivatives over float64 arrays (DualArray, HyperDualArray).

    g(x) = sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)

written with NumPy's ufuncs, at n = 10**3, 10**6 and 10**7 points in (0.1, 3)
(10**7 only without --quick), and six activations alone (sigmoid, relu,
leaky_relu, gelu, softplus, tanh) at n = 10**3 and 10**6 points in (-4, 4).
Every task is measured in one run with its methods interleaved; each method is
reported as a ratio to NumPy evaluating the function alone on the same float64
array, with its maximum relative error against exact derivatives (mpmath at
40 digits on a subsample of the points) and the peak memory of one call
(tracemalloc's figure, at n <= 10**6).

Methods: NumPy evaluating a hand-written g'; ``dd.derivative(g, x)`` and
``dd.second_derivative(g, x)`` (one evaluation of g at a DualArray /
HyperDualArray); a central finite difference; and, when they are installed,
JAX (``jax.jvp``, with and without ``jax.jit``), PyTorch forward mode
(``torch.func.jvp``) and dualpy (``dualpy.jvp``).

Usage::

    python benchmarks/bench_arrays.py            # a full run: a few minutes
    python benchmarks/bench_arrays.py --quick --json arrays.json   # under ~30 s
    python benchmarks/bench_arrays.py --sizes 1e3,1e6 --tasks g,sigmoid

See benchmarks/README.md for how to read the output.
"""

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings

import _cli  # noqa: E402,F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import script as S  # noqa: E402
from dualdiff._bench.peers import dist_version  # noqa: E402
from dualdiff._bench.script import fmt_time_ns as fmt_time, table_lines  # noqa: E402
from dualdiff._bench.timing import CHUNKS, Timed, median_ratio, run_task, speedup  # noqa: E402

import numpy as np  # noqa: E402

EPS = sys.float_info.epsilon
CBRT_EPS = EPS ** (1.0 / 3.0)

#: an exact method (not a finite difference) must match the exact derivative
#: to this, relative to max(1, |exact|), at every checked point; a peer that
#: does not is not timed, a dualdiff row that does not is marked [WRONG]
EXACT_TOL = 1e-12

#: the targets: the ratio of dd.derivative to NumPy evaluating the function
#: alone, at TARGET_SIZE points
TARGET_SIZE = 10 ** 6
TARGET_G = 2.5
TARGET_ACTIVATION = 2.0

FULL_SIZES = (10 ** 3, 10 ** 6, 10 ** 7)
QUICK_SIZES = (10 ** 3, 10 ** 6)
#: the activations run at the selected sizes up to this one
ACTIVATION_MAX_SIZE = 10 ** 6
#: the peak memory is measured at the sizes up to this one
MEMORY_MAX_SIZE = 10 ** 6
#: how many points the exact derivatives are computed at (evenly spread indices)
SUBSAMPLE = 200

G_RANGE = (0.1, 3.0)          # sqrt needs x >= 0
ACTIVATION_RANGE = (-4.0, 4.0)  # both sides of the kink of relu / leaky_relu
LEAKY_ALPHA = 0.01            # dualdiff's default, and jax's and torch's default slope

G_TEXT = "sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)"
GP_TEXT = ("e*(s+c)/q - 2*x*s*e/q**2 + 2*x/q + 0.5/sqrt(x) + 1/cosh(x)**2, "
           "s = sin x, c = cos x, e = exp x, q = 1+x**2")


# ---------------------------------------------------------------------------
# The functions under test
# ---------------------------------------------------------------------------

def make_g(m):
    """g with the elementwise functions of module m (numpy, jax.numpy, torch)."""
    sin, exp, log1p, sqrt, tanh = m.sin, m.exp, m.log1p, m.sqrt, m.tanh

    def g(x):
        return sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)
    return g


g_numpy = make_g(np)


def g_prime_numpy(x):
    """g'(x), derived by hand, in NumPy.

    g = u/q + log1p(x^2) + sqrt(x) + tanh(x), u = sin x exp x, q = 1 + x^2:
    (u/q)' = e(s + c)/q - u 2x/q^2, (log1p(x^2))' = 2x/q, sqrt' = 1/(2 sqrt x),
    tanh' = 1/cosh^2.
    """
    s, c, e = np.sin(x), np.cos(x), np.exp(x)
    q = 1 + x**2
    return e*(s + c)/q - 2*x*s*e/q**2 + 2*x/q + 0.5/np.sqrt(x) + 1/np.cosh(x)**2


def central_difference(f, x):
    """(f(x+h) - f(x-h)) / 2h elementwise, h = cbrt(eps) * max(1, |x|)."""
    h = CBRT_EPS * np.maximum(1.0, np.abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


def _scipy_erf():
    try:
        from scipy.special import erf
        return erf
    except Exception:
        return None


SCIPY_ERF = _scipy_erf()
SQRT1_2 = math.sqrt(0.5)


def _np_gelu(x):
    return 0.5*x*(1 + SCIPY_ERF(x*SQRT1_2))


#: name -> the NumPy form (the baseline) and its text, dualdiff's function,
#: whether dualdiff takes the NumPy form itself, the JAX and PyTorch forms
ACTIVATIONS = {
    "sigmoid": dict(
        numpy=lambda x: 1/(1 + np.exp(-x)), text="1/(1+exp(-x))", dd="sigmoid",
        dd_takes_numpy=True,
        jax=lambda jax, jnp: jax.nn.sigmoid, jax_text="jax.nn.sigmoid",
        torch=lambda torch: torch.sigmoid, torch_text="torch.sigmoid"),
    "relu": dict(
        numpy=lambda x: np.maximum(x, 0.0), text="maximum(x, 0)", dd="relu",
        dd_takes_numpy=True,
        jax=lambda jax, jnp: jax.nn.relu, jax_text="jax.nn.relu",
        torch=lambda torch: torch.relu, torch_text="torch.relu"),
    "leaky_relu": dict(
        numpy=lambda x: np.where(x > 0, x, LEAKY_ALPHA*x), text=f"where(x > 0, x, {LEAKY_ALPHA}*x)",
        dd="leaky_relu", dd_takes_numpy=True,
        jax=lambda jax, jnp: (lambda x: jax.nn.leaky_relu(x, LEAKY_ALPHA)),
        jax_text=f"jax.nn.leaky_relu(x, {LEAKY_ALPHA})",
        torch=lambda torch: (lambda x: torch.nn.functional.leaky_relu(x, LEAKY_ALPHA)),
        torch_text=f"F.leaky_relu(x, {LEAKY_ALPHA})"),
    "gelu": dict(
        numpy=_np_gelu if SCIPY_ERF is not None else None,
        text="0.5*x*(1+scipy.special.erf(x/sqrt(2)))", dd="gelu", dd_takes_numpy=False,
        jax=lambda jax, jnp: (lambda x: jax.nn.gelu(x, approximate=False)),
        jax_text="jax.nn.gelu(x, approximate=False)",
        torch=lambda torch: torch.nn.functional.gelu, torch_text="F.gelu"),
    "softplus": dict(
        # the stable form; np.logaddexp(0, x) is as accurate but about 2.5x slower
        numpy=lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
        text="maximum(x, 0) + log1p(exp(-|x|))", dd="softplus", dd_takes_numpy=True,
        jax=lambda jax, jnp: jax.nn.softplus, jax_text="jax.nn.softplus",
        torch=lambda torch: torch.nn.functional.softplus, torch_text="F.softplus"),
    "tanh": dict(
        numpy=np.tanh, text="tanh(x)", dd="tanh", dd_takes_numpy=True,
        jax=lambda jax, jnp: jnp.tanh, jax_text="jnp.tanh",
        torch=lambda torch: torch.tanh, torch_text="torch.tanh"),
}


def points(n, lo, hi):
    """n points in (lo, hi): lo + (hi - lo) * frac((i + 1/2) / golden ratio).

    Irregular (no two neighbours in order, as data usually are, so that a
    branch cannot be predicted from the last one), evenly spread, and never at
    an end point.
    """
    return lo + (hi - lo) * (((np.arange(n) + 0.5) * 0.6180339887498949) % 1.0)


def subsample(n):
    """The indices the exact derivatives are computed at: SUBSAMPLE evenly spread ones."""
    return np.unique(np.linspace(0, n - 1, min(n, SUBSAMPLE)).round().astype(np.int64))


# ---------------------------------------------------------------------------
# Exact derivatives (mpmath at 40 digits, at the float points themselves)
# ---------------------------------------------------------------------------

def _mpmath():
    try:
        import mpmath
        return mpmath
    except ImportError:
        return None


def g_derivatives_analytic(x, m):
    """g'(x), g''(x) by the hand-derived formula, with the functions of module m.

    u = sin x exp x, q = 1 + x^2: u' = e(s + c), u'' = 2 e c;
    (u/q)'' = u''/q - 2u'q'/q^2 - u q''/q^2 + 2u q'^2/q^3 (q' = 2x, q'' = 2);
    (log q)'' = 2(1 - x^2)/q^2; sqrt'' = -x^(-3/2)/4; tanh'' = -2t(1 - t^2).
    """
    s, c, e, t = m.sin(x), m.cos(x), m.exp(x), m.tanh(x)
    q, dq = 1 + x*x, 2*x
    u, du, d2u = s*e, e*(s + c), 2*e*c
    r = m.sqrt(x)
    d1 = (du/q - u*dq/q**2) + dq/q + 1/(2*r) + (1 - t*t)
    d2 = (d2u/q - 2*du*dq/q**2 - u*2/q**2 + 2*u*dq**2/q**3) \
        + 2*(1 - x*x)/q**2 - 1/(4*x*r) - 2*t*(1 - t*t)
    return d1, d2


def exact_g(xs):
    """([g'], [g''], how) at the floats xs."""
    mpmath = _mpmath()
    if mpmath is None:
        d1, d2 = g_derivatives_analytic(np.asarray(xs, dtype=float), np)
        return list(d1), list(d2), ("the hand-derived g', g'' evaluated in float64 "
                                   "(install mpmath for exact errors)")
    mp = mpmath.mp
    mp.dps = 40
    gm = lambda v: mp.sin(v)*mp.exp(v)/(1 + v**2) + mp.log1p(v**2) + mp.sqrt(v) + mp.tanh(v)
    d1, d2 = [], []
    for x in xs:
        a1, a2 = g_derivatives_analytic(mp.mpf(float(x)), mp)
        d1.append(a1)
        d2.append(a2)
    for i in range(0, len(xs), max(1, len(xs) // 4)):   # the formula against mpmath.diff
        xm = mp.mpf(float(xs[i]))
        if (abs(mp.diff(gm, xm, 1) - d1[i]) > mp.mpf(10)**-30
                or abs(mp.diff(gm, xm, 2) - d2[i]) > mp.mpf(10)**-30):
            raise AssertionError(f"mpmath.diff and the analytic formula disagree for g at {xs[i]!r}")
    return d1, d2, "mpmath at 40 digits (the analytic g', g'' agree with mpmath.diff)"


def exact_activation(name, xs):
    """([f'], how) at the floats xs."""
    mpmath = _mpmath()
    if mpmath is None:
        x = np.asarray(xs, dtype=float)
        sig = lambda v: 1/(1 + np.exp(-v))
        erf = SCIPY_ERF or np.vectorize(math.erf)
        d = {"sigmoid": lambda: sig(x)*sig(-x),
             "relu": lambda: (x > 0).astype(float),
             "leaky_relu": lambda: np.where(x > 0, 1.0, LEAKY_ALPHA),
             "gelu": lambda: 0.5*(1 + erf(x*SQRT1_2)) + x*np.exp(-x*x/2)/math.sqrt(2*math.pi),
             "softplus": lambda: sig(x),
             "tanh": lambda: 1/np.cosh(x)**2}[name]()
        return list(d), "analytic derivative in float64 (install mpmath for exact errors)"
    mp = mpmath.mp
    mp.dps = 40
    one = mp.mpf(1)
    sig = lambda v: one/(1 + mp.exp(-v))
    rule = {"sigmoid": lambda v: sig(v)*sig(-v),
            "relu": lambda v: one if v > 0 else mp.mpf(0),
            "leaky_relu": lambda v: one if v > 0 else mp.mpf(LEAKY_ALPHA),
            "gelu": lambda v: (1 + mp.erf(v/mp.sqrt(2)))/2 + v*mp.exp(-v*v/2)/mp.sqrt(2*mp.pi),
            "softplus": sig,
            "tanh": lambda v: 1/mp.cosh(v)**2}[name]
    return ([rule(mp.mpf(float(x))) for x in xs],
            "analytic derivative in mpmath at 40 digits")


def errors(values, exact):
    """(max |v - e| / |e|, max |v - e| / max(1, |e|)) over the checked points.

    Where e == 0 (relu's slope on the left) the relative error is |v| / max|e|.
    Computed in mpmath when the exact values are mpmath numbers, else in floats.
    """
    vals = np.asarray(values, dtype=np.float64).tolist()
    scale = max(abs(e) for e in exact) or 1.0
    rel = mixed = 0.0
    for v, e in zip(vals, exact):
        if not math.isfinite(v):
            return math.inf, math.inf
        d = abs(type(e)(v) - e) if not isinstance(e, float) else abs(v - e)
        rel = max(rel, float(d / (abs(e) if e != 0 else scale)))
        mixed = max(mixed, float(d / max(1, abs(e))))
    return rel, mixed


# ---------------------------------------------------------------------------
# The peers
# ---------------------------------------------------------------------------

def load_jax():
    """((jax, jax.numpy), version) with float64 enabled, or (None, why)."""
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        return (jax, jnp), dist_version("jax")
    except Exception as exc:
        return None, f"not installed ({type(exc).__name__}): pip install jax"


def load_torch():
    try:
        import torch
        import torch.func
        return torch, getattr(torch, "__version__", None) or dist_version("torch")
    except Exception as exc:
        return None, f"not installed ({type(exc).__name__}): pip install torch"


def load_dualpy():
    try:
        import dualpy
        return dualpy, dist_version("dualpy")
    except Exception as exc:
        return None, f"not installed ({type(exc).__name__}): pip install dualpy"


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------

#: groups of the rows the summaries compare with dualdiff
PEER_NAMES = {"jax": "JAX jvp without jit", "jax-jit": "JAX jit(jvp)",
              "torch": "PyTorch torch.func.jvp", "dualpy": "dualpy jvp"}


class Method(Timed):
    """A timed statement; `post` turns its value into a float64 ndarray of the derivatives."""

    def __init__(self, label, stmt, names, kind, group=None, post=None, note="",
                 fd=False, order=1, untracked=False):
        super().__init__(label, stmt, names, kind, group, note)
        self.post = post            # value -> ndarray (not timed)
        self.fd = fd                # a finite difference: inexact by nature
        self.order = order          # 1: against f', 2: against f''
        self.untracked = untracked  # allocates outside Python's tracemalloc
        self.error = None           # max relative error
        self.mixed_error = None     # max |v - e| / max(1, |e|)
        self.check_s = None         # the time of the checking call, s
        self.peak_mb = None
        self.size = None            # the number of points (set by main)

    def evaluate(self, idx, exact):
        t0 = time.perf_counter()
        value = eval(self.stmt, dict(self.names))
        self.check_s = time.perf_counter() - t0
        if self.kind == "derivative":
            if self.post is not None:
                value = self.post(value)
            value = np.asarray(value, dtype=np.float64)
            if value.shape != (self.size,):
                raise ValueError(f"result of shape {value.shape}, expected ({self.size},)")
            self.error, self.mixed_error = errors(value[idx], exact[self.order])
        # not kept: at 10**7 points the results of all the rows would take a GB

    def measure_memory(self):
        """The peak of tracemalloc's traced memory during one call, in MB (result included)."""
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            value = eval(self.stmt, dict(self.names))
            peak = tracemalloc.get_traced_memory()[1]
            del value
        finally:
            tracemalloc.stop()
        self.peak_mb = (peak - start) / 1e6


def to_numpy(v):
    """A JAX or PyTorch array as an ndarray."""
    if hasattr(v, "detach"):
        return v.detach().cpu().numpy()
    return np.asarray(v)


def peer_rows(peers, fn_jax, fn_torch, fn_numpy, x, what):
    """The jax / jax-jit / torch / dualpy rows for f (in each library's form) at x."""
    out = []
    jax_mod, torch, dualpy = peers["jax"][0], peers["torch"][0], peers["dualpy"][0]
    if jax_mod is not None and fn_jax is not None:
        jax, jnp = jax_mod
        xj = jnp.asarray(x)
        tj = jnp.ones_like(xj)
        out.append(Method(f"jax jvp({what}, (x,), (1,))", "JVP(F, (x,), (t,))[1].block_until_ready()",
                          {"JVP": jax.jvp, "F": fn_jax, "x": xj, "t": tj}, "derivative",
                          ("jax",), post=to_numpy, untracked=True))
        jitted = jax.jit(lambda v, w: jax.jvp(fn_jax, (v,), (w,))[1])
        out.append(Method(f"jax jit(x, t -> jvp({what}, (x,), (t,))[1])",
                          "JF(x, t).block_until_ready()",
                          {"JF": jitted, "x": xj, "t": tj}, "derivative",
                          ("jax-jit",), post=to_numpy, untracked=True))
    if torch is not None and fn_torch is not None:
        xt = torch.from_numpy(np.array(x))
        tt = torch.ones_like(xt)
        out.append(Method(f"torch.func.jvp({what}, (x,), (1,))", "JVP(F, (x,), (t,))[1]",
                          {"JVP": torch.func.jvp, "F": fn_torch, "x": xt, "t": tt},
                          "derivative", ("torch",), post=to_numpy, untracked=True))
    if dualpy is not None and fn_numpy is not None:
        out.append(Method(f"dualpy jvp({what} (NumPy form), x, 1)", "JVP(F, x, t)[1]",
                          {"JVP": dualpy.jvp, "F": fn_numpy, "x": x, "t": np.ones_like(x)},
                          "derivative", ("dualpy",)))
    return out


def g_methods(dd, tag, peers, x):
    G = g_numpy
    out = [Method("NumPy hand-written g'(x)", "GP(x)", {"GP": g_prime_numpy, "x": x},
                  "derivative", ("hand",)),
           Method(f"dualdiff[{tag}] derivative(g, x)", "D(G, x)",
                  {"D": dd.derivative, "G": G, "x": x}, "derivative", ("dualdiff",)),
           Method(f"dualdiff[{tag}] second_derivative(g, x)", "D(G, x)",
                  {"D": dd.second_derivative, "G": G, "x": x}, "derivative",
                  ("dualdiff-2",), order=2),
           Method("central difference (g(x+h)-g(x-h))/2h, h = cbrt(eps)*max(1,|x|)", "C(G, x)",
                  {"C": central_difference, "G": G, "x": x}, "derivative",
                  ("central FD",), fd=True)]
    jax_mod, torch = peers["jax"][0], peers["torch"][0]
    out += peer_rows(peers, make_g(jax_mod[1]) if jax_mod else None,
                     make_g(torch) if torch is not None else None, G, x, "g")
    return out


def activation_methods(dd, tag, peers, name, x):
    spec = ACTIVATIONS[name]
    fn = getattr(dd, spec["dd"])
    out = [Method(f"dualdiff[{tag}] derivative(dd.{spec['dd']}, x)", "D(F, x)",
                  {"D": dd.derivative, "F": fn, "x": x}, "derivative", ("dualdiff",))]
    if spec["dd_takes_numpy"] and spec["numpy"] is not None and spec["numpy"] is not np.tanh:
        out.append(Method(f"dualdiff[{tag}] derivative(NumPy form, x)", "D(F, x)",
                          {"D": dd.derivative, "F": spec["numpy"], "x": x}, "derivative",
                          ("dualdiff-numpy-form",)))
    jax_mod, torch = peers["jax"][0], peers["torch"][0]
    out += peer_rows(peers, spec["jax"](*jax_mod) if jax_mod else None,
                     spec["torch"](torch) if torch is not None else None,
                     spec["numpy"], x, name)
    return out


def check(methods, idx, exact, notes, max_call_s):
    """Evaluate each method once; drop the ones that fail, are inexact peers or too slow."""
    kept = []
    for m in methods:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.evaluate(idx, exact)
                if m.group and m.group[0] == "jax-jit":
                    # the first call traced and compiled: time a second one
                    compile_s = m.check_s
                    m.evaluate(idx, exact)
                    notes.append(f"{m.label}: the first call (tracing and compiling) took "
                                 f"{compile_s:.2f} s; not included in the figures")
        except Exception as exc:
            msg = str(exc).splitlines()[0] if str(exc) else ""
            notes.append(f"{m.label}: raised {type(exc).__name__}: {msg[:200]}; not timed")
            continue
        if m.kind == "derivative" and not m.fd and not m.mixed_error <= EXACT_TOL:
            if m.group[0] not in ("dualdiff", "dualdiff-2", "dualdiff-numpy-form", "hand"):
                notes.append(f"{m.label}: error {m.mixed_error:.3g} relative to max(1, |exact|) "
                             f"(> {EXACT_TOL:g}); not timed")
                continue
            m.note = "WRONG"
            notes.append(f"{m.label}: error {m.mixed_error:.3g} relative to max(1, |exact|) "
                         f"against the exact derivative (> {EXACT_TOL:g})")
        if m.kind != "baseline" and m.check_s > max_call_s:
            notes.append(f"{m.label}: one call took {m.check_s:.2f} s "
                         f"(> --max-call-s {max_call_s:g}); not timed")
            continue
        kept.append(m)
    return kept


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def fmt_err(m):
    if m.kind != "derivative":
        return "-"
    if m.error == 0:
        return "0"
    return f"{m.error:.1e}"


def fmt_mem(m):
    if m.peak_mb is None:
        return "-"
    if m.untracked:
        return "(n/a)"
    return f"{m.peak_mb:.3g}" if m.peak_mb < 10 else f"{m.peak_mb:.0f}"


def print_table(title, methods, key):
    headers = ["method", "median/call", "min/call", f"x {key}", "max rel err",
               "peak MB", "rounds"]
    rows = []
    for m in methods:
        r = median_ratio(m, key)
        rows.append([m.label + (f"  [{m.note}]" if m.note else ""),
                     fmt_time(statistics.median(m.samples)), fmt_time(min(m.samples)),
                     f"{r:.2f}" if r < 100 else f"{r:,.0f}", fmt_err(m), fmt_mem(m),
                     str(len(m.rounds_idx))])
    print()
    print(title)
    for ln in table_lines(headers, rows):
        print(ln)


def best(methods, group, key):
    cands = [m for m in methods if m.group == group]
    return min(cands, key=lambda m: median_ratio(m, key)) if cands else None


def summarize(task, n, methods, key, peers_missing):
    """Summary lines and target lines for one task."""
    lines, targets, results = [], [], {}
    what = f"{task} n={n:.0e}".replace("e+0", "e")
    at_target = n == TARGET_SIZE
    limit = TARGET_G if task == "g" else TARGET_ACTIVATION
    dd = best(methods, ("dualdiff",), key)
    if dd is None:
        lines.append(f"{what}: no dualdiff row (see the notes)")
        if at_target:
            targets.append(f"{what}: derivative <= {limit:g}x NumPy: NOT measured, "
                           "no dualdiff row (see the notes)")
        return lines, targets, results
    r = median_ratio(dd, key)
    results["dualdiff_vs_numpy"] = r
    s = f"{what}: dualdiff derivative costs {r:.2f}x NumPy evaluating {task} alone"
    if at_target:
        s += f" (target <= {limit:g}x: {'met' if r <= limit else 'NOT met'})"
        targets.append(s)
    lines.append(s + ("" if at_target else f" (the target, <= {limit:g}x, is at n=1e6)"))
    d2 = best(methods, ("dualdiff-2",), key)
    if d2 is not None:
        results["dualdiff_second_vs_numpy"] = median_ratio(d2, key)
        lines.append(f"{what}: dualdiff second_derivative costs {median_ratio(d2, key):.2f}x "
                     "NumPy (no target)")
    for group, name in (("hand", "NumPy's hand-written g'"), ("central FD", "central differences"),
                        ("dualdiff-numpy-form", "dualdiff on the NumPy form")):
        p = best(methods, (group,), key)
        if p is not None:
            sp = speedup(p, dd, key)
            results[f"{group}_over_dualdiff"] = sp
            lines.append(f"{what}: dualdiff derivative is " + (f"{sp:.2f}x faster than {name}"
                         if sp >= 1 else f"{1 / sp:.2f}x SLOWER than {name}")
                         + f" ({median_ratio(p, key):.2f}x NumPy)")
    for group in ("dualpy", "torch", "jax", "jax-jit"):
        name = PEER_NAMES[group]
        p = best(methods, (group,), key)
        if p is None:
            if at_target and group != "jax-jit":
                why = peers_missing.get(group) or "no row (see the notes)"
                targets.append(f"{what}: faster than {name}: not measured ({why})")
            continue
        sp = speedup(p, dd, key)
        results[f"{group}_over_dualdiff"] = sp
        if group == "jax-jit":
            s = (f"{what}: dualdiff derivative takes {1 / sp:.2f}x the time of {name} "
                 f"({median_ratio(p, key):.2f}x NumPy; reported, no target)")
        else:
            s = f"{what}: dualdiff derivative is " + (
                f"{sp:.2f}x faster than {name}" if sp >= 1 else
                f"{1 / sp:.2f}x SLOWER than {name}") + \
                f" (target: faster: {'met' if sp > 1 else 'NOT met'})"
        lines.append(s)
        if at_target:
            targets.append(s)
    return lines, targets, results


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        part = part.strip().replace(" ", "")
        if not part:
            continue
        if "**" in part:
            base, exp = part.split("**", 1)
            v = int(base) ** int(exp)
        else:
            v = float(part)
            if v != int(v):
                raise ValueError(part)
            v = int(v)
        if v < 1:
            raise ValueError(part)
        sizes.append(v)
    return sorted(set(sizes))


def default_rounds(n, quick):
    if n <= 10 ** 4:
        return 7 if quick else 21
    if n <= 10 ** 6:
        return 4 if quick else 11
    return 3 if quick else 7


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="dualdiff array benchmark: elementwise derivatives over float64 arrays "
                    "vs NumPy evaluating the function, a hand-written derivative, finite "
                    "differences, JAX, PyTorch and dualpy.")
    ap.add_argument("--quick", action="store_true",
                    help="sizes 1e3 and 1e6 only, fewer rounds and shorter samples (under ~30 s)")
    ap.add_argument("--sizes", default=None,
                    help="comma-separated array sizes, e.g. 1e3,1e6 or 10**7 (default "
                         "1e3,1e6,1e7; 1e3,1e6 with --quick); the activations run at the "
                         "sizes up to 1e6")
    ap.add_argument("--tasks", default=None,
                    help="comma-separated subset of: g, " + ", ".join(ACTIVATIONS))
    ap.add_argument("--rounds", type=int, default=None,
                    help="round-robin rounds at every size (default 21 up to 1e4 points, "
                         "11 up to 1e6, 7 above; 7, 4, 3 with --quick)")
    ap.add_argument("--sample-ms", type=float, default=None,
                    help="target duration of one sample (default 20 ms, 6 with --quick)")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="time a slow method may take per task before it is sampled in "
                         "fewer rounds (default 6 s, 1 s with --quick)")
    ap.add_argument("--max-call-s", type=float, default=None,
                    help="skip a method one call of which takes longer "
                         "(default 10 s, 2 s with --quick)")
    ap.add_argument("--json", metavar="FILE", help="write all figures to FILE as JSON")
    ap.add_argument("--allow-pure", action="store_true",
                    help="run even when dualdiff has no compiled backend")
    args = ap.parse_args(argv)
    sample_ms = args.sample_ms or (6.0 if args.quick else 20.0)
    budget_s = args.budget_s or (1.0 if args.quick else 6.0)
    max_call_s = args.max_call_s or (2.0 if args.quick else 10.0)
    min_rounds = 3 if args.quick else 5
    if ((args.rounds is not None and args.rounds < 1) or sample_ms <= 0 or budget_s <= 0
            or max_call_s <= 0):
        ap.error("--rounds, --sample-ms, --budget-s and --max-call-s must be positive")
    if args.sizes:
        try:
            sizes = parse_sizes(args.sizes)
        except ValueError as exc:
            ap.error(f"--sizes: not a positive whole number: {exc}")
        if not sizes:
            ap.error("--sizes: no size given")
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    task_names = ["g"] + list(ACTIVATIONS)
    if args.tasks:
        wanted = [t.strip() for t in args.tasks.split(",") if t.strip()]
        bad = [t for t in wanted if t not in task_names]
        if bad:
            ap.error(f"unknown task(s) {', '.join(bad)}; choose from {', '.join(task_names)}")
        task_names = [t for t in task_names if t in wanted]

    dd = S.load_dualdiff(None, True)
    backend = getattr(dd, "backend", None)
    if backend != "c" and not args.allow_pure:
        print(f"bench_arrays: dualdiff.backend is {backend!r}, not 'c': the compiled "
              f"extension is not loaded (from {os.path.dirname(dd.__file__)}).\n"
              "Install with a C compiler (pip install .) to benchmark the compiled core, "
              "or pass --allow-pure to benchmark the pure-Python backend.",
              file=sys.stderr)
        return 1
    tag = backend or "?"
    if not hasattr(dd, "DualArray"):
        print("bench_arrays: this dualdiff has no DualArray: nothing to benchmark",
              file=sys.stderr)
        return 1

    notes = []
    peers = {"jax": load_jax(), "torch": load_torch(), "dualpy": load_dualpy()}
    peers_missing = {}
    for name, (mod, ver) in peers.items():
        if mod is None:
            notes.append(f"{name} skipped: {ver}")
            peers_missing[name] = "not installed"
    peers_missing["jax-jit"] = peers_missing.get("jax")
    peers_ver = {k: ((v[1] or "installed, version unknown") if v[0] is not None else None)
                 for k, v in peers.items()}
    if peers["jax"][0] is not None:
        peers_ver["jaxlib"] = dist_version("jaxlib")
    if SCIPY_ERF is None and "gelu" in task_names:
        notes.append("scipy is not installed: gelu has no NumPy baseline (erf), its task is "
                     "skipped")
        task_names.remove("gelu")

    # the hand-written g' against dualdiff at a few points
    xs = np.array([0.15, 0.7, 1.3, 2.2, 2.9])
    hand, ddv = g_prime_numpy(xs), dd.derivative(g_numpy, xs)
    hand_dev = float(np.max(np.abs(hand - ddv) / np.maximum(1.0, np.abs(ddv))))
    hand_line = (f"the hand-written g' agrees with dd.derivative(g) at x = "
                 f"{', '.join(f'{v:g}' for v in xs)} to {hand_dev:.1e} (relative to max(1, |g'|))")
    if not hand_dev <= 1e-12:
        notes.append("the hand-written g' and dd.derivative(g) DISAGREE: " + hand_line)

    log = S.log
    print("dualdiff array benchmark: elementwise derivatives over float64 arrays")
    print(f"  g(x) = {G_TEXT}, NumPy ufuncs, x in {G_RANGE}; activations at x in "
          f"{ACTIVATION_RANGE}")
    print(f"  dualdiff {getattr(dd, '__version__', '?')}  backend={backend!r}  "
          f"from {os.path.dirname(dd.__file__)}")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}) "
          f"on {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs; "
          f"numpy {np.__version__}; scipy {dist_version('scipy') or 'not installed'}; "
          f"mpmath {dist_version('mpmath') or 'not installed'}")
    for name, ver in peers_ver.items():
        extra = ""
        if name == "torch" and peers["torch"][0] is not None:
            extra = f" ({peers['torch'][0].get_num_threads()} intra-op threads)"
        print(f"  {name}: {ver or 'not installed'}{extra}")
    print(f"  sizes {', '.join(f'{n:,}' for n in sizes)}; rounds per size "
          + ", ".join(f"{n:,}: {args.rounds or default_rounds(n, args.quick)}" for n in sizes)
          + "; methods interleaved round-robin, each sample taken between two samples of "
            "the baseline;")
    print(f"  a sample = the fastest of {CHUNKS} back-to-back runs of ~{sample_ms / CHUNKS:g} ms "
          f"(a method slower than that: of as many single calls as fit in ~{sample_ms:g} ms, "
          "at least one);")
    print(f"  a method taking more than {budget_s:g} s over all rounds is sampled in fewer "
          f"rounds (at least {min_rounds}; see the 'rounds' column)")
    print("  time/call has the empty-loop cost removed; ratio = median over rounds of "
          "(sample / mean of the two baseline samples around it)")
    print(f"  max rel err = max |v - e| / |e| over {SUBSAMPLE} evenly spread points (|v| / max|e| "
          "where e = 0); peak MB = tracemalloc's peak during one call, result included, at "
          f"n <= {MEMORY_MAX_SIZE:,} (MB = 10**6 bytes); (n/a) = JAX/PyTorch, whose allocators tracemalloc does "
          "not see")
    print(f"  {hand_line}")

    report = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__, "scipy": dist_version("scipy"), "mpmath": dist_version("mpmath"),
        "dualdiff": {"version": getattr(dd, "__version__", None), "backend": backend,
                     "path": os.path.dirname(dd.__file__)},
        "peers": peers_ver,
        "sizes": sizes, "sample_ms": sample_ms, "chunks_per_sample": CHUNKS,
        "budget_s": budget_s, "max_call_s": max_call_s, "min_rounds": min_rounds,
        "g": G_TEXT, "g_prime_hand": GP_TEXT, "hand_check": hand_line,
        "activations": {k: v["text"] for k, v in ACTIVATIONS.items()},
        "ratio_definition": "per round: (method / mean of the adjacent baseline samples - o) "
                            "/ (1 - o), o = empty loop / baseline; reported: median over rounds",
        "error_definition": f"max over {SUBSAMPLE} evenly spread points of |v - e| / |e| "
                            "(|v| / max|e| where e = 0)",
        "memory_definition": "tracemalloc peak during one call minus the traced memory before "
                             "it, result included; NumPy reports its buffers to tracemalloc, "
                             "JAX and PyTorch do not",
        "tasks": [],
    }
    all_targets = []
    t_start = time.perf_counter()
    for n in sizes:
        rounds = args.rounds or default_rounds(n, args.quick)
        for task in task_names:
            if task != "g" and n > ACTIVATION_MAX_SIZE:
                continue
            t_task = time.perf_counter()
            lo, hi = G_RANGE if task == "g" else ACTIVATION_RANGE
            x = points(n, lo, hi)
            idx = subsample(n)
            if task == "g":
                e1, e2, how = exact_g(x[idx])
                exact = {1: e1, 2: e2}
                base = Method("NumPy g(x)  [baseline]", "G(x)", {"G": g_numpy, "x": x}, "baseline")
                build = g_methods(dd, tag, peers, x)
                key = "NumPy g"
                title = f"== g(x) = {G_TEXT}, n = {n:,} points in {G_RANGE}"
            else:
                spec = ACTIVATIONS[task]
                e1, how = exact_activation(task, x[idx])
                exact = {1: e1}
                base = Method(f"NumPy {task}: {spec['text']}  [baseline]", "F(x)",
                              {"F": spec["numpy"], "x": x}, "baseline")
                build = activation_methods(dd, tag, peers, task, x)
                key = f"NumPy {task}"
                title = f"== {task} alone, n = {n:,} points in {ACTIVATION_RANGE}"
            task_notes = []
            for m in [base] + build:
                m.size = n
            meths = check([base] + build, idx, exact, task_notes, max_call_s)
            if n <= MEMORY_MAX_SIZE:
                for m in meths:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            m.measure_memory()
                    except Exception as exc:
                        task_notes.append(f"{m.label}: memory not measured "
                                          f"({type(exc).__name__}: {exc})")
            log(f"timing {task} n={n:,} ({len(meths)} methods, {rounds} rounds) ")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                overhead = run_task(meths, {key: base}, key, rounds, sample_ms, log,
                                    budget_s=budget_s, min_rounds=min(min_rounds, rounds))
            t_task = time.perf_counter() - t_task
            log(f" {t_task:.1f} s\n")
            print_table(f"{title}  (exact: {how})", meths, key)
            lines, targets, results = summarize(task, n, meths, key, peers_missing)
            all_targets += targets
            for ln in lines:
                print("   " + ln)
            for note in task_notes:
                print("   note: " + note)
            report["tasks"].append({
                "name": f"{task}-{n}", "task": task, "n": n, "exact_how": how,
                "baseline": key, "rounds": rounds, "empty_loop_ns": overhead,
                "seconds": t_task,
                "methods": [{
                    "label": m.label, "kind": m.kind,
                    "group": list(m.group) if m.group else None,
                    "stmt": m.stmt, "calls_per_run": m.n, "runs_per_sample": m.chunks,
                    "rounds_sampled": m.rounds_idx,
                    "max_rel_error": m.error, "max_error_rel_to_max1": m.mixed_error,
                    "note": m.note, "check_call_s": m.check_s,
                    "peak_mb": m.peak_mb, "peak_untracked": m.untracked,
                    "median_ns": statistics.median(m.samples), "min_ns": min(m.samples),
                    "samples_ns": m.samples, "raw_samples_ns": m.raw,
                    "adjacent_baseline_ns": getattr(m, "adjacent", None) or None,
                    "ratio": median_ratio(m, key), "ratio_samples": m.ratios[key],
                } for m in meths],
                "summary": results, "summary_lines": lines, "notes": task_notes,
            })
            del x, meths, build, base
            gc.collect()
    return S.finish(report, notes, t_start, args.json, all_targets,
                    f"Against the targets (same run; at n = {TARGET_SIZE:,}):",
                    f"(no task ran at n = {TARGET_SIZE:,})")


if __name__ == "__main__":
    sys.exit(main())
