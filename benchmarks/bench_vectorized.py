#!/usr/bin/env python
"""Vectorized benchmark: gradient(f, x, vectorized=True) against the sparse default.

``dd.gradient(f, x)`` evaluates f once at an object ndarray of sparse
GradientDual numbers; ``vectorized=True`` evaluates it once at a DualArray
carrying n dense tangent directions; ``g = dd.gradient(f, vectorized="auto")``
times both at its first call and keeps the faster: its row is timed after
that first call (the steady-state cost of the way it kept, which the row
names).  Tasks, with A, W (N, N) random matrices:

    lse-N       gradient of dd.logsumexp(A @ x), N = 10, 100, 1000
    rosen-N     gradient of np.sum(100*(x[1:]-x[:-1]**2)**2 + (1-x[:-1])**2), same N
    tanh-mlp-N  Jacobian of np.tanh(W @ x), N = 10, 100
    lse-hessian-N  Hessian of dd.logsumexp(A @ x), N = 10, 30, 100 (hessian(vectorized=True))

Each method is timed side by side in one run, as a ratio to f on a float64
ndarray, with its error against the hand-written derivative in extended
precision: both dualdiff modes, the hand-written NumPy derivative,
dualdiff.finite's central differences, JAX and PyTorch when installed.

    python benchmarks/bench_vectorized.py            # a full run: a few minutes
    python benchmarks/bench_vectorized.py --quick --json vectorized.json   # about 30 s
    python benchmarks/bench_vectorized.py --tasks lse-100,rosen-1000

See benchmarks/README.md for how to read the output.
"""

import argparse
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

# NumPy's BLAS on one thread unless the environment says otherwise: on a shared 2-core
# machine a second BLAS thread mostly waits for a busy core; PyTorch reads MKL_NUM_THREADS too
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
BLAS_THREADS = ", ".join(f"{v}={os.environ[v]}"
                         for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))
import numpy as np  # noqa: E402

EXACT_TOL = 1e-12   # an exact peer further than this from the reference is not timed
TASKS = [("lse", 10), ("lse", 100), ("lse", 1000), ("rosen", 10), ("rosen", 100),
         ("rosen", 1000), ("tanh-mlp", 10), ("tanh-mlp", 100),
         ("lse-hessian", 10), ("lse-hessian", 30), ("lse-hessian", 100)]
LD = np.longdouble  # the reference precision (80-bit on x86-64; float64 on some platforms)


def point(n):
    return np.array([0.2 + 1.2 * ((i * 0.6180339887498949) % 1.0) for i in range(n)])


def make_f(kind, A, sum_, tanh, logsumexp):
    """f of the task, written with one library's functions (and A in its array type)."""
    if kind == "lse":
        return lambda x: logsumexp(A @ x)
    if kind == "rosen":
        return lambda x: sum_(100*(x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2)
    if kind == "lse-hessian":
        return lambda x: logsumexp(A @ x)
    return lambda x: tanh(A @ x)


def hand_lse(x, A):   # A.T @ softmax(A x)
    z = A @ x
    p = np.exp(z - z.max())
    return A.T @ (p / p.sum())


def hand_rosen(x, A):
    d = x[1:] - x[:-1]**2
    g = np.zeros_like(x)
    g[:-1] = -400*x[:-1]*d - 2*(1 - x[:-1])
    g[1:] += 200*d
    return g


def hand_tanh_mlp(x, A):   # diag(1 - tanh(A x)**2) A
    return (1 - np.tanh(A @ x)**2)[:, None] * A


def hand_lse_hessian(x, A):   # A.T (diag(p) - p p^T) A
    z = A @ x
    p = np.exp(z - z.max())
    p = p / p.sum()
    return A.T @ ((np.diag(p) - np.outer(p, p)) @ A)


HAND = {"lse": ("A.T @ softmax(A @ x)", hand_lse), "rosen": ("Rosenbrock gradient", hand_rosen),
        "tanh-mlp": ("(1 - tanh(W @ x)**2)[:, None] * W", hand_tanh_mlp),
        "lse-hessian": ("A.T @ (diag(p) - p p^T) @ A", hand_lse_hessian)}
TITLES = {"lse": "gradient of dd.logsumexp(A @ x), A ({n}, {n})",
          "rosen": "gradient of np.sum(100*(x[1:]-x[:-1]**2)**2 + (1-x[:-1])**2)",
          "tanh-mlp": "Jacobian of np.tanh(W @ x), W ({n}, {n})",
          "lse-hessian": "Hessian of dd.logsumexp(A @ x), A ({n}, {n})"}


class Method(Timed):
    def __init__(self, label, stmt, names, kind, group=None, post=None, fd=False):
        super().__init__(label, stmt, names, kind, group)
        self.post, self.fd, self.error, self.check_s = post, fd, None, None

    def evaluate(self, ref):
        t0 = time.perf_counter()
        value = eval(self.stmt, dict(self.names))
        self.check_s = time.perf_counter() - t0
        if self.kind != "baseline":
            v = np.asarray(self.post(value) if self.post else value, dtype=float)
            if v.shape != ref.shape:
                raise ValueError(f"result of shape {v.shape}, expected {ref.shape}")
            err = np.max(np.abs(v.astype(LD) - ref)) / np.max(np.abs(ref))
            self.error = float(err) if np.all(np.isfinite(v)) else float("inf")


def auto_method(op, op_name, f, x, n, dd):
    """The row of op(f, vectorized="auto"), after its first call (which chose
    the way it keeps, timing both once); none for a dualdiff without "auto"."""
    try:
        auto = op(f, vectorized="auto")
        t0 = time.perf_counter()
        auto(x)
        first_s = time.perf_counter() - t0
        kept = "vectorized" if auto.vectorized_choices[n] else "sparse"
    except (AttributeError, KeyError, TypeError, ValueError):
        return []
    m = Method(f"dualdiff[{dd.backend}] {op_name}(f, vectorized='auto')(x)  (kept: {kept})",
               "G(x)", {"G": auto, "x": x}, "deriv", "auto")
    m.kept, m.first_call_s = kept, first_s
    return [m]


def methods(kind, n, dd, jax_mod, torch):
    x, A = point(n), np.random.default_rng(n).standard_normal((n, n)) / np.sqrt(n)
    f = make_f(kind, A, np.sum, np.tanh, dd.logsumexp)
    op_name = {"tanh-mlp": "jacobian", "lse-hessian": "hessian"}.get(kind, "gradient")
    op, fd_op = getattr(dd, op_name), getattr(dd.finite, "fd_" + op_name)
    hand_label, hand = HAND[kind]
    out = [Method("float: f(x), x float64 ndarray  [baseline]", "F(x)", {"F": f, "x": x},
                  "baseline"),
           Method(f"dualdiff[{dd.backend}] {op_name}(f, x)  (sparse)", "G(F, x)",
                  {"G": op, "F": f, "x": x}, "deriv", "sparse"),
           Method(f"dualdiff[{dd.backend}] {op_name}(f, x, vectorized=True)",
                  "G(F, x, vectorized=True)", {"G": op, "F": f, "x": x}, "deriv", "vectorized"),
           *auto_method(op, op_name, f, x, n, dd),
           Method("hand-written NumPy " + hand_label, "H(x, A)", {"H": hand, "x": x, "A": A},
                  "deriv", "hand"),
           Method(f"dualdiff.finite.fd_{op_name}(f, x)  (central)", "D(F, x)",
                  {"D": fd_op, "F": f, "x": x}, "deriv", "fd", fd=True)]
    if jax_mod is not None:
        jax, jnp = jax_mod
        fj = make_f(kind, jnp.asarray(A), jnp.sum, jnp.tanh, jax.scipy.special.logsumexp)
        d, dname = {"jacobian": (jax.jacfwd, "jacfwd"),
                    "hessian": (jax.hessian, "hessian")}.get(op_name, (jax.grad, "grad"))
        for group, label, J in (("jax", f"jax {dname}(f)(x)", d(fj)),
                                ("jax-jit", f"jax jit({dname}(f))(x)", jax.jit(d(fj)))):
            out.append(Method(label, "J(x).block_until_ready()", {"J": J, "x": jnp.asarray(x)},
                              "deriv", group))
    if torch is not None:
        ft = make_f(kind, torch.from_numpy(A), torch.sum, torch.tanh,
                    lambda z: torch.logsumexp(z, 0))
        d, dname = {"jacobian": (torch.func.jacfwd, "jacfwd"),
                    "hessian": (torch.func.hessian, "hessian")}.get(op_name,
                                                                   (torch.func.grad, "grad"))
        out.append(Method(f"torch.func.{dname}(f)(x)", "J(x)",
                          {"J": d(ft), "x": torch.from_numpy(x.copy())},
                          "deriv", "torch", post=lambda v: v.detach().numpy()))
    return out, hand(x.astype(LD), A.astype(LD))


def check(meths, ref, notes, max_call_s):
    """Run each method once; drop those that raise, are inexact peers or too slow."""
    kept = []
    for m in meths:
        try:
            m.evaluate(ref)
            if m.group == "jax-jit":   # the first call traced and compiled: time another
                first = m.check_s
                m.evaluate(ref)
                notes.append(f"{m.label}: the first call (tracing and compiling) took "
                             f"{first:.2f} s; not in the figures")
        except Exception as exc:
            notes.append(f"{m.label}: raised {type(exc).__name__}: {exc}; not timed")
            continue
        if m.kind != "baseline" and not m.fd and not m.error <= EXACT_TOL:
            if m.group not in ("sparse", "vectorized", "auto", "hand"):
                notes.append(f"{m.label}: error {m.error:.3g} > {EXACT_TOL:g}; not timed")
                continue
            m.note = "WRONG"
            notes.append(f"{m.label}: error {m.error:.3g} > {EXACT_TOL:g}")
        if m.kind != "baseline" and m.check_s > max_call_s:
            notes.append(f"{m.label}: one call took {m.check_s:.2f} s "
                         f"(> --max-call-s {max_call_s:g}); not timed")
            continue
        kept.append(m)
    return kept


def times(s):
    return f"{s:.2f}x faster than" if s >= 1 else f"{1 / s:.2f}x SLOWER than"


def summarize(name, meths):
    """Summary lines of one task, and the sparse-vs-vectorized line (or None)."""
    by = {m.group: m for m in meths if m.group}
    lines, verdict = [], None
    sp, ve = by.get("sparse"), by.get("vectorized")
    if sp and ve:
        s = speedup(sp, ve, "f")
        winner, by_x = ("vectorized" if s >= 1 else "sparse"), max(s, 1 / s)
        verdict = (f"{name}: {winner} is faster, by {by_x:.2f}x" if by_x >= 1.1 else
                   f"{name}: about even, {winner} ahead by {by_x:.2f}x")
        verdict += (f" (sparse {median_ratio(sp, 'f'):.3g}x f, "
                    f"vectorized {median_ratio(ve, 'f'):.3g}x f)")
        lines.append(verdict)
    au = by.get("auto")
    if au:
        line = f"{name}: auto kept {au.kept} ({median_ratio(au, 'f'):.3g}x f after its first call"
        if sp and ve:
            best_mode = "vectorized" if speedup(sp, ve, "f") >= 1 else "sparse"
            line += ("; the faster mode in this run" if au.kept == best_mode else
                     f"; {best_mode} was faster in this run")
        line += f"; the first call, both ways timed, took {fmt_time(au.first_call_s * 1e9)})"
        lines.append(line)
        verdict = f"{verdict or name + ':'}; auto kept {au.kept}"
    best = min((m for m in (sp, ve) if m), key=lambda m: median_ratio(m, "f"), default=None)
    if best is not None:
        mode = "vectorized" if best is ve else "sparse"
        for g, what in (("hand", "the hand-written NumPy derivative"),
                        ("fd", "central differences"), ("jax", "JAX without jit"),
                        ("jax-jit", "JAX with jit"), ("torch", "PyTorch torch.func")):
            if g in by:
                lines.append(f"{name}: dualdiff ({mode}) is {times(speedup(by[g], best, 'f'))} {what}")
    return lines, verdict


def main(argv=None):
    ap = argparse.ArgumentParser(description="dualdiff: gradient(f, x, vectorized=True) vs the "
                                 "sparse default and vectorized='auto', hand-written NumPy, "
                                 "finite differences, JAX, PyTorch; ratios to f on floats, from "
                                 "one run.")
    ap.add_argument("--quick", action="store_true", help="fewer, shorter samples (under ~30 s)")
    ap.add_argument("--rounds", type=int, help="round-robin rounds (default 21, 7 with --quick)")
    ap.add_argument("--sample-ms", type=float, help="sample length (default 20 ms, 6 with --quick)")
    ap.add_argument("--budget-s", type=float,
                    help="time a slow method may take per task (default 6 s, 1 with --quick)")
    ap.add_argument("--max-call-s", type=float,
                    help="skip a method whose one call is slower (default 5 s, 2 with --quick)")
    ap.add_argument("--tasks", help="comma-separated subset of: " +
                    ", ".join(f"{k}-{n}" for k, n in TASKS))
    ap.add_argument("--json", metavar="FILE", help="write all figures to FILE as JSON")
    ap.add_argument("--allow-pure", action="store_true",
                    help="run even when dualdiff has no compiled backend")
    args = ap.parse_args(argv)
    q = args.quick
    rounds, sample_ms = args.rounds or (7 if q else 21), args.sample_ms or (6.0 if q else 20.0)
    budget_s = args.budget_s or (1.0 if q else 6.0)
    max_call_s = args.max_call_s or (2.0 if q else 5.0)
    min_rounds = 3 if q else 5
    names = {f"{k}-{n}": (k, n) for k, n in TASKS}
    wanted = [t.strip() for t in (args.tasks or ",".join(names)).split(",") if t.strip()]
    if any(t not in names for t in wanted):
        ap.error(f"unknown task in {args.tasks!r}; choose from {', '.join(names)}")
    tasks = [names[t] for t in wanted]

    dd = S.load_dualdiff(None, True)
    import dualdiff.finite  # noqa: F401  (dd.finite)
    if dd.backend != "c" and not args.allow_pure:
        print(f"bench_vectorized: dualdiff.backend is {dd.backend!r}, not 'c' (from "
              f"{os.path.dirname(dd.__file__)}); build the extension or pass --allow-pure",
              file=sys.stderr)
        return 1
    notes, versions = [], {}
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import jax.scipy.special  # noqa: F401
        jax_mod, versions["jax"] = (jax, jnp), dist_version("jax")
    except Exception as exc:
        jax_mod, versions["jax"] = None, None
        notes.append(f"jax skipped: not installed ({type(exc).__name__})")
    try:
        import torch
        import torch.func  # noqa: F401
        versions["torch"] = f"{torch.__version__} ({torch.get_num_threads()} intra-op threads)"
    except Exception as exc:
        torch, versions["torch"] = None, None
        notes.append(f"torch skipped: not installed ({type(exc).__name__})")
    log = S.log
    where = {"version": getattr(dd, "__version__", None), "backend": dd.backend,
             "path": os.path.dirname(dd.__file__)}
    print("dualdiff vectorized benchmark: gradient(f, x) (sparse GradientDual numbers) vs "
          "gradient(f, x, vectorized=True) (a DualArray of n directions) vs "
          "gradient(f, vectorized='auto') after its first call (the way it kept)")
    print("  dualdiff {version}  backend={backend!r}  from {path}".format(**where))
    print(f"  Python {platform.python_version()} on {platform.machine()} {platform.system()}, "
          f"{os.cpu_count()} CPUs; numpy {np.__version__} ({BLAS_THREADS}); "
          + "; ".join(f"{k}: {v or 'not installed'}" for k, v in versions.items()))
    print(f"  {rounds} rounds, methods round-robin, each sample between two samples of f; "
          f"a sample = the fastest of {CHUNKS} runs of ~{sample_ms / CHUNKS:g} ms; a method "
          f"over {budget_s:g} s in all is sampled in fewer rounds (at least {min_rounds})")
    err_def = (f"max|v - e| / max|e|, e = the hand-written derivative in {np.dtype(LD).name} "
               f"(eps {float(np.finfo(LD).eps):.1e})")
    print(f"  x f = median over rounds of (sample / mean of the two f samples around it); "
          f"rel err = {err_def}")
    report = {"python": platform.python_version(), "platform": platform.platform(),
              "cpus": os.cpu_count(), "numpy": np.__version__, "blas_threads": BLAS_THREADS,
              "peers": versions,
              "dualdiff": where, "rounds": rounds, "sample_ms": sample_ms, "budget_s": budget_s,
              "max_call_s": max_call_s, "min_rounds": min_rounds, "error_definition": err_def,
              "tasks": []}
    verdicts = []
    t_start = time.perf_counter()
    for kind, n in tasks:
        name = f"{kind}-{n}"
        task_notes = []
        meths, ref = methods(kind, n, dd, jax_mod, torch)
        meths = check(meths, ref, task_notes, max_call_s)
        base = meths[0]
        log(f"timing {name} ({len(meths)} methods) ")
        overhead = run_task(meths, {"f": base}, "f", rounds, sample_ms, log,
                            budget_s=budget_s, min_rounds=min_rounds)
        log("\n")
        rows = [[m.label + (f"  [{m.note}]" if m.note else ""),
                 fmt_time(statistics.median(m.samples)), fmt_time(min(m.samples)),
                 f"{median_ratio(m, 'f'):.3g}",
                 "-" if m.error is None else ("0" if m.error == 0 else f"{m.error:.1e}"),
                 str(len(m.rounds_idx))] for m in meths]
        print(f"\n== {name}: " + TITLES[kind].format(n=n))
        for ln in table_lines(["method", "median/call", "min/call", "x f", "rel err", "rounds"],
                              rows):
            print(ln)
        lines, verdict = summarize(name, meths)
        for ln in lines + [f"note: {s}" for s in task_notes]:
            print("   " + ln)
        verdicts.append(verdict or f"{name}: not measured (see the notes)")
        report["tasks"].append({
            "name": name, "kind": kind, "n": n, "empty_loop_ns": overhead,
            "summary_lines": lines, "notes": task_notes,
            "methods": [{"label": m.label, "group": m.group, "stmt": m.stmt,
                         "calls_per_run": m.n, "runs_per_sample": m.chunks,
                         "rounds_sampled": m.rounds_idx, "rel_error": m.error,
                         "note": m.note, "check_call_s": m.check_s,
                         "auto_kept": getattr(m, "kept", None),
                         "auto_first_call_s": getattr(m, "first_call_s", None),
                         "median_ns": statistics.median(m.samples), "min_ns": min(m.samples),
                         "samples_ns": m.samples, "ratio": median_ratio(m, "f"),
                         "ratio_samples": m.ratios["f"]} for m in meths]})
    print("\nSparse (default) vs vectorized=True, and what vectorized='auto' kept, "
          "per task (same run):")
    for ln in verdicts:
        print("   " + ln)
    report.update(verdicts=verdicts)
    return S.finish(report, notes, t_start, args.json)


if __name__ == "__main__":
    sys.exit(main())
