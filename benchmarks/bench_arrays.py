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

import gc
import math
import sys
import time
import tracemalloc
import warnings

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import peers as P
from dualdiff._bench import script as S
from dualdiff._bench import tasks as T
from dualdiff._bench.peers import dist_version
from dualdiff._bench.by_hand import central_difference_array as central_difference
from dualdiff._bench.timing import Timed, median_ratio, rounds_by_size, run_task, speedup

import numpy as np


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

#: the tasks (dualdiff._bench.tasks): g on arrays and the activations alone
G_TEXT, GP_TEXT = T.ARRAY_G_TEXT, T.ARRAY_GP_TEXT
ACTIVATIONS = T.ARRAY_ACTIVATIONS
g_numpy = T.array_g(np)


# ---------------------------------------------------------------------------
# The points, the finite difference
# ---------------------------------------------------------------------------

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


def exact_g(xs):
    """([g'], [g''], how) at the floats xs (the closed forms of dualdiff._bench.tasks)."""
    mpmath = _mpmath()
    if mpmath is None:
        e = T.exact_namespace()
        return ([T.g_d1(e, float(x)) for x in xs], [T.g_d2(e, float(x)) for x in xs],
                "the hand-derived g', g'' evaluated in float64 (install mpmath for exact errors)")
    mp = mpmath.mp
    mp.dps = 40
    e, gm = T.exact_namespace(mp), T.array_g(mp)
    d1 = [T.g_d1(e, mp.mpf(float(x))) for x in xs]
    d2 = [T.g_d2(e, mp.mpf(float(x))) for x in xs]
    for i in range(0, len(xs), max(1, len(xs) // 4)):   # the formula against mpmath.diff
        xm = mp.mpf(float(xs[i]))
        if (abs(mp.diff(gm, xm, 1) - d1[i]) > mp.mpf(10)**-30
                or abs(mp.diff(gm, xm, 2) - d2[i]) > mp.mpf(10)**-30):
            raise AssertionError(f"mpmath.diff and the analytic formula disagree for g at {xs[i]!r}")
    return d1, d2, "mpmath at 40 digits (the analytic g', g'' agree with mpmath.diff)"


def exact_activation(name, xs):
    """([f'], how) at the floats xs."""
    rule = T.ARRAY_ACTIVATION_D1[name]
    mpmath = _mpmath()
    if mpmath is None:
        e = T.exact_namespace()
        return ([float(rule(e, float(x))) for x in xs],
                "analytic derivative in float64 (install mpmath for exact errors)")
    mp = mpmath.mp
    mp.dps = 40
    e = T.exact_namespace(mp)
    return ([mp.mpf(rule(e, mp.mpf(float(x)))) for x in xs],
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
    jax, torch, dualpy = peers["jax"][0], peers["torch"][0], peers["dualpy"][0]
    if jax is not None and fn_jax is not None:
        jnp = jax.numpy
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
    out = [Method("NumPy hand-written g'(x)", "GP(x)", {"GP": T.array_g_prime, "x": x},
                  "derivative", ("hand",)),
           Method(f"dualdiff[{tag}] derivative(g, x)", "D(G, x)",
                  {"D": dd.derivative, "G": G, "x": x}, "derivative", ("dualdiff",)),
           Method(f"dualdiff[{tag}] second_derivative(g, x)", "D(G, x)",
                  {"D": dd.second_derivative, "G": G, "x": x}, "derivative",
                  ("dualdiff-2",), order=2),
           Method("central difference (g(x+h)-g(x-h))/2h, h = cbrt(eps)*max(1,|x|)", "C(G, x)",
                  {"C": central_difference, "G": G, "x": x}, "derivative",
                  ("central FD",), fd=True)]
    jax, torch = peers["jax"][0], peers["torch"][0]
    out += peer_rows(peers, T.array_g(jax.numpy) if jax else None,
                     T.array_g(torch) if torch is not None else None, G, x, "g")
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
    jax, torch = peers["jax"][0], peers["torch"][0]
    out += peer_rows(peers, spec["jax"](jax) if jax else None,
                     spec["torch"](torch) if torch is not None else None,
                     spec["numpy"], x, name)
    return out


def check(methods, idx, exact, notes, max_call_s):
    """Evaluate each method once; drop the ones that fail, are inexact peers or too slow."""
    def evaluate(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.evaluate(idx, exact)
            if m.group and m.group[0] == "jax-jit":
                S.compiled_first(m, lambda: m.evaluate(idx, exact), notes)
        if m.kind == "derivative" and not m.fd:
            own = m.group[0] in ("dualdiff", "dualdiff-2", "dualdiff-numpy-form", "hand")
            return S.inexact(m, m.mixed_error, EXACT_TOL, own, "error relative to max(1, |exact|)")
        return None
    return S.check(methods, evaluate, notes, max_call_s)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def fmt_mem(m):
    if m.peak_mb is None:
        return "-"
    if m.untracked:
        return "(n/a)"
    return f"{m.peak_mb:.3g}" if m.peak_mb < 10 else f"{m.peak_mb:.0f}"


def print_table(title, methods, key):
    S.method_table(title, methods, [key], key,
                   [("max rel err", lambda m: S.fmt_error(m.error, m.kind == "derivative")),
                    ("peak MB", fmt_mem), ("rounds", lambda m: str(len(m.rounds_idx)))])


def summarize(task, n, methods, key, peers_missing):
    """Summary lines and target lines for one task."""
    lines, targets, results = [], [], {}
    what = f"{task} n={n:.0e}".replace("e+0", "e")
    at_target = n == TARGET_SIZE
    limit = TARGET_G if task == "g" else TARGET_ACTIVATION
    dd = S.best(methods, ("dualdiff",), key)
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
    d2 = S.best(methods, ("dualdiff-2",), key)
    if d2 is not None:
        results["dualdiff_second_vs_numpy"] = median_ratio(d2, key)
        lines.append(f"{what}: dualdiff second_derivative costs {median_ratio(d2, key):.2f}x "
                     "NumPy (no target)")
    for group, name in (("hand", "NumPy's hand-written g'"), ("central FD", "central differences"),
                        ("dualdiff-numpy-form", "dualdiff on the NumPy form")):
        p = S.best(methods, (group,), key)
        if p is not None:
            sp = speedup(p, dd, key)
            results[f"{group}_over_dualdiff"] = sp
            lines.append(f"{what}: dualdiff derivative is " + (f"{sp:.2f}x faster than {name}"
                         if sp >= 1 else f"{1 / sp:.2f}x SLOWER than {name}")
                         + f" ({median_ratio(p, key):.2f}x NumPy)")
    for group in ("dualpy", "torch", "jax", "jax-jit"):
        name = PEER_NAMES[group]
        p = S.best(methods, (group,), key)
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


def options(argv):
    """The command line: the common options, --sizes; args.sizes a list."""
    tasks = ["g"] + list(ACTIVATIONS)
    ap = S.parser("dualdiff array benchmark: elementwise derivatives over float64 arrays vs "
                  "NumPy evaluating the function, a hand-written derivative, finite "
                  "differences, JAX, PyTorch and dualpy.",
                  "sizes 1e3 and 1e6 only, fewer rounds and shorter samples (under ~30 s)",
                  "arrays", tasks=tasks)
    ap.add_argument("--sizes", default=None,
                    help="comma-separated array sizes, e.g. 1e3,1e6 or 10**7 (default "
                         "1e3,1e6,1e7; 1e3,1e6 with --quick); the activations run at the "
                         "sizes up to 1e6")
    args = S.parse(ap, argv, tasks=tasks)
    if args.sizes:
        try:
            args.sizes = parse_sizes(args.sizes)
        except ValueError as exc:
            ap.error(f"--sizes: not a positive whole number: {exc}")
        if not args.sizes:
            ap.error("--sizes: no size given")
    else:
        args.sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    return args


def load_peers(notes):
    """{"jax"/"torch"/"dualpy": (module or None, version or why)} from ``peers.load``;
    {group: why missing}; {name: version or None}."""
    peers = {"jax": P.load("JAX"), "torch": P.load("PyTorch"), "dualpy": P.load("dualpy")}
    missing = {}
    for name, (mod, ver) in peers.items():
        if mod is None:
            notes.append(f"{name} skipped: {ver}")
            missing[name] = "not installed"
    missing["jax-jit"] = missing.get("jax")
    versions = {k: (v if m is not None else None) for k, (m, v) in peers.items()}
    if peers["jax"][0] is not None:
        versions["jaxlib"] = dist_version("jaxlib")
    return peers, missing, versions


def hand_check(dd, notes):
    """The hand-written g' against dualdiff at a few points: the line saying so."""
    xs = np.array([0.15, 0.7, 1.3, 2.2, 2.9])
    hand, ddv = T.array_g_prime(xs), dd.derivative(g_numpy, xs)
    dev = float(np.max(np.abs(hand - ddv) / np.maximum(1.0, np.abs(ddv))))
    line = (f"the hand-written g' agrees with dd.derivative(g) at x = "
            f"{', '.join(f'{v:g}' for v in xs)} to {dev:.1e} (relative to max(1, |g'|))")
    if not dev <= 1e-12:
        notes.append("the hand-written g' and dd.derivative(g) DISAGREE: " + line)
    return line


def print_header(dd, args, peers, versions, hand_line):
    S.header("dualdiff array benchmark: elementwise derivatives over float64 arrays", dd,
             f"; numpy {np.__version__}; scipy {dist_version('scipy') or 'not installed'}; "
             f"mpmath {dist_version('mpmath') or 'not installed'}")
    print(f"  g(x) = {G_TEXT}, NumPy ufuncs, x in {G_RANGE}; activations at x in "
          f"{ACTIVATION_RANGE}")
    for name, ver in versions.items():
        extra = ""
        if name == "torch" and peers["torch"][0] is not None:
            extra = f" ({peers['torch'][0].get_num_threads()} intra-op threads)"
        print(f"  {name}: {ver or 'not installed'}{extra}")
    rounds = ", ".join(f"{n:,}: {args.rounds or rounds_by_size(n, args.quick)}"
                       for n in args.sizes)
    for ln in S.sampling_lines(f"sizes {', '.join(f'{n:,}' for n in args.sizes)}; rounds per "
                               f"size {rounds}", args.sample_ms, args.budget_s, args.min_rounds):
        print(ln)
    print(f"  max rel err = max |v - e| / |e| over {SUBSAMPLE} evenly spread points (|v| / max|e| "
          "where e = 0); peak MB = tracemalloc's peak during one call, result included, at "
          f"n <= {MEMORY_MAX_SIZE:,} (MB = 10**6 bytes); (n/a) = JAX/PyTorch, whose allocators "
          "tracemalloc does not see")
    print(f"  {hand_line}")


def report_head(dd, args, versions, hand_line):
    return S.report_head(
        dd, numpy=np.__version__, scipy=dist_version("scipy"), mpmath=dist_version("mpmath"),
        peers=versions, sizes=args.sizes, sample_ms=args.sample_ms, budget_s=args.budget_s,
        max_call_s=args.max_call_s, min_rounds=args.min_rounds, g=G_TEXT, g_prime_hand=GP_TEXT,
        hand_check=hand_line, activations={k: v["text"] for k, v in ACTIVATIONS.items()},
        error_definition=f"max over {SUBSAMPLE} evenly spread points of |v - e| / |e| "
                         "(|v| / max|e| where e = 0)",
        memory_definition="tracemalloc peak during one call minus the traced memory before "
                          "it, result included; NumPy reports its buffers to tracemalloc, "
                          "JAX and PyTorch do not", tasks=[])


def task_methods(task, n, dd, peers):
    """(baseline, methods, exact values, how, ratio key, title) of one task at n points."""
    tag = dd.backend
    lo, hi = G_RANGE if task == "g" else ACTIVATION_RANGE
    x = points(n, lo, hi)
    idx = subsample(n)
    if task == "g":
        e1, e2, how = exact_g(x[idx])
        base = Method("NumPy g(x)  [baseline]", "G(x)", {"G": g_numpy, "x": x}, "baseline")
        return (base, g_methods(dd, tag, peers, x), idx, {1: e1, 2: e2}, how, "NumPy g",
                f"== g(x) = {G_TEXT}, n = {n:,} points in {G_RANGE}")
    spec = ACTIVATIONS[task]
    e1, how = exact_activation(task, x[idx])
    base = Method(f"NumPy {task}: {spec['text']}  [baseline]", "F(x)",
                  {"F": spec["numpy"], "x": x}, "baseline")
    return (base, activation_methods(dd, tag, peers, task, x), idx, {1: e1}, how,
            f"NumPy {task}", f"== {task} alone, n = {n:,} points in {ACTIVATION_RANGE}")


def measure_memory(meths, notes):
    for m in meths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.measure_memory()
        except Exception as exc:
            notes.append(f"{m.label}: memory not measured ({type(exc).__name__}: {exc})")


def run_one(task, n, ctx, args):
    """Check, time and print one task at n points: (its JSON record, its target lines)."""
    dd, peers, missing = ctx
    rounds = args.rounds or rounds_by_size(n, args.quick)
    t_task = time.perf_counter()
    base, build, idx, exact, how, key, title = task_methods(task, n, dd, peers)
    task_notes = []
    for m in [base] + build:
        m.size = n
    meths = check([base] + build, idx, exact, task_notes, args.max_call_s)
    if n <= MEMORY_MAX_SIZE:
        measure_memory(meths, task_notes)
    S.log(f"timing {task} n={n:,} ({len(meths)} methods, {rounds} rounds) ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overhead = run_task(meths, {key: base}, key, rounds, args.sample_ms, S.log,
                            budget_s=args.budget_s, min_rounds=min(args.min_rounds, rounds))
    t_task = time.perf_counter() - t_task
    S.log(f" {t_task:.1f} s\n")
    print_table(f"{title}  (exact: {how})", meths, key)
    lines, targets, results = summarize(task, n, meths, key, missing)
    S.print_lines(lines, task_notes)
    record = {"name": f"{task}-{n}", "task": task, "n": n, "exact_how": how, "baseline": key,
              "rounds": rounds, "empty_loop_ns": overhead, "seconds": t_task,
              "methods": [S.timing_record(
                  m, [key], max_rel_error=m.error, max_error_rel_to_max1=m.mixed_error,
                  check_call_s=m.check_s, peak_mb=m.peak_mb, peak_untracked=m.untracked)
                  for m in meths],
              "summary": results, "summary_lines": lines, "notes": task_notes}
    return record, targets


def main(argv=None):
    args = options(argv)
    dd = S.load_dualdiff("bench_arrays", args.allow_pure)
    if dd is None:
        return 1
    if not hasattr(dd, "DualArray"):
        print("bench_arrays: this dualdiff has no DualArray: nothing to benchmark",
              file=sys.stderr)
        return 1
    notes = []
    peers, missing, versions = load_peers(notes)
    if T.SPECIAL is None and "gelu" in args.tasks:
        notes.append("scipy is not installed: gelu has no NumPy baseline (erf), its task is "
                     "skipped")
        args.tasks.remove("gelu")
    hand_line = hand_check(dd, notes)
    print_header(dd, args, peers, versions, hand_line)
    report = report_head(dd, args, versions, hand_line)
    all_targets = []
    t_start = time.perf_counter()
    for n in args.sizes:
        for task in args.tasks:
            if task != "g" and n > ACTIVATION_MAX_SIZE:
                continue
            record, targets = run_one(task, n, (dd, peers, missing), args)
            report["tasks"].append(record)
            all_targets += targets
            gc.collect()
    return S.finish(report, notes, t_start, args.json, all_targets,
                    f"Against the targets (same run; at n = {TARGET_SIZE:,}):",
                    f"(no task ran at n = {TARGET_SIZE:,})")


if __name__ == "__main__":
    sys.exit(main())
