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

import os
import statistics
import sys
import time

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
from dualdiff._bench import peers as P
from dualdiff._bench import script as S
from dualdiff._bench import tasks as T
from dualdiff._bench.script import fmt_time_ns as fmt_time
from dualdiff._bench.timing import Timed, median_ratio, run_task, speedup

# NumPy's BLAS on one thread unless the environment says otherwise: on a shared 2-core
# machine a second BLAS thread mostly waits for a busy core; PyTorch reads MKL_NUM_THREADS too
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
BLAS_THREADS = ", ".join(f"{v}={os.environ[v]}"
                         for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))
import numpy as np  # noqa: E402

EXACT_TOL = 1e-12   # an exact peer further than this from the reference is not timed
LD = np.longdouble  # the reference precision (80-bit on x86-64; float64 on some platforms)


#: the tasks (dualdiff._bench.tasks): kind -> f, hand-written derivative, title
TASKS, HAND, TITLES, make_f = T.VECTOR_TASKS, T.VECTOR_HAND, T.VECTOR_TITLES, T.vector_f


def point(n):
    return np.array(T.rosen_point(n))


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


def methods(kind, n, dd, jax, torch):
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
    if jax is not None:
        jnp = jax.numpy
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
    def evaluate(m):
        m.evaluate(ref)
        if m.group == "jax-jit":
            S.compiled_first(m, lambda: m.evaluate(ref), notes)
        if m.kind != "baseline" and not m.fd:
            own = m.group in ("sparse", "vectorized", "auto", "hand")
            return S.inexact(m, m.error, EXACT_TOL, own, "error")
        return None
    return S.check(meths, evaluate, notes, max_call_s)


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


def run_one(kind, n, ctx, args):
    """Check, time and print one task: (its JSON record, its verdict line)."""
    dd, jax, torch = ctx
    name = f"{kind}-{n}"
    task_notes = []
    meths, ref = methods(kind, n, dd, jax, torch)
    meths = check(meths, ref, task_notes, args.max_call_s)
    S.log(f"timing {name} ({len(meths)} methods) ")
    overhead = run_task(meths, {"f": meths[0]}, "f", args.rounds, args.sample_ms, S.log,
                        budget_s=args.budget_s, min_rounds=args.min_rounds)
    S.log("\n")
    rows = [[m.label + (f"  [{m.note}]" if m.note else ""),
             fmt_time(statistics.median(m.samples)), fmt_time(min(m.samples)),
             f"{median_ratio(m, 'f'):.3g}",
             "-" if m.error is None else ("0" if m.error == 0 else f"{m.error:.1e}"),
             str(len(m.rounds_idx))] for m in meths]
    S.print_table(f"== {name}: " + TITLES[kind].format(n=n),
                  ["method", "median/call", "min/call", "x f", "rel err", "rounds"], rows)
    lines, verdict = summarize(name, meths)
    S.print_lines(lines, task_notes)
    return {"name": name, "kind": kind, "n": n, "empty_loop_ns": overhead,
            "summary_lines": lines, "notes": task_notes,
            "methods": [S.timing_record(m, ["f"], rel_error=m.error, check_call_s=m.check_s,
                                        auto_kept=getattr(m, "kept", None),
                                        auto_first_call_s=getattr(m, "first_call_s", None))
                        for m in meths]}, verdict or f"{name}: not measured (see the notes)"


def load_peers(notes):
    """(jax or None, torch or None, their versions), JAX and PyTorch from ``peers.load``."""
    (jax, jax_v), (torch, torch_v) = P.load("JAX"), P.load("PyTorch")
    if jax is None:
        notes.append(f"jax skipped: {jax_v}")
    if torch is None:
        notes.append(f"torch skipped: {torch_v}")
    else:
        torch_v = f"{torch.__version__} ({torch.get_num_threads()} intra-op threads)"
    return jax, torch, {"jax": jax_v if jax else None, "torch": torch_v if torch else None}


def main(argv=None):
    names = {f"{k}-{n}": (k, n) for k, n in TASKS}
    ap = S.parser("dualdiff: gradient(f, x, vectorized=True) vs the sparse default and "
                  "vectorized='auto', hand-written NumPy, finite differences, JAX, PyTorch; "
                  "ratios to f on floats, from one run.",
                  "fewer, shorter samples (under ~30 s)", "vectorized", tasks=names)
    args = S.parse(ap, argv, tasks=names)
    dd = S.load_dualdiff("bench_vectorized", args.allow_pure)
    if dd is None:
        return 1
    import dualdiff.finite  # noqa: F401  (dd.finite)
    notes = []
    jax, torch, versions = load_peers(notes)
    S.header("dualdiff vectorized benchmark: gradient(f, x) (sparse GradientDual numbers) vs "
             "gradient(f, x, vectorized=True) (a DualArray of n directions) vs "
             "gradient(f, vectorized='auto') after its first call (the way it kept)", dd,
             f"; numpy {np.__version__} ({BLAS_THREADS}); "
             + "; ".join(f"{k}: {v or 'not installed'}" for k, v in versions.items()))
    for ln in S.sampling_lines(f"{args.rounds} rounds", args.sample_ms, args.budget_s,
                               args.min_rounds):
        print(ln)
    err_def = (f"max|v - e| / max|e|, e = the hand-written derivative in {np.dtype(LD).name} "
               f"(eps {float(np.finfo(LD).eps):.1e})")
    print(f"  rel err = {err_def}")
    report = S.report_head(dd, numpy=np.__version__, blas_threads=BLAS_THREADS, peers=versions,
                           rounds=args.rounds, sample_ms=args.sample_ms, budget_s=args.budget_s,
                           max_call_s=args.max_call_s, min_rounds=args.min_rounds,
                           error_definition=err_def, tasks=[])
    verdicts = []
    t_start = time.perf_counter()
    for name in args.tasks:
        record, verdict = run_one(*names[name], (dd, jax, torch), args)
        report["tasks"].append(record)
        verdicts.append(verdict)
    report.update(verdicts=verdicts)
    return S.finish(report, notes, t_start, args.json, verdicts,
                    "Sparse (default) vs vectorized=True, and what vectorized='auto' kept, "
                    "per task (same run):")


if __name__ == "__main__":
    sys.exit(main())
