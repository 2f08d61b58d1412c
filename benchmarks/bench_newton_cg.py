"""scipy.optimize.minimize(method="Newton-CG") at 100 variables: hess=dualdiff.hessian
against hessp=dualdiff.hvp (forward over forward) and hessp=hessian(f, x) @ p (what hvp
computed before issue 12), side by side in one run, best of --repeat each, interleaved.

    python benchmarks/bench_newton_cg.py [--repeat 3]

Newton-CG calls hessp several times per iteration (about 8 for Rosenbrock), so hvp pays
where the Hessian is dense and costly, not for Rosenbrock's tridiagonal one.
"""

import argparse
import sys
import time

import _cli  # noqa: F401  (dualdiff: the installed one, else the source tree)
import numpy as np
import scipy.optimize as so

import dualdiff as dd
from dualdiff._bench.tasks import rosen as rosen_loop

N = 100


_rng = np.random.default_rng(0)
_A = _rng.normal(size=(2 * N, N))
_Y = np.sign(_rng.normal(size=2 * N))


def logistic(w):
    """A regularised logistic loss: every margin depends on all N weights (a dense Hessian)."""
    z = -_Y * (_A @ w)
    return np.sum([dd.softplus(t) for t in z]) + 0.5 * (w @ w)


CASES = {"scipy.optimize.rosen": (so.rosen, np.tile([-1.2, 1.0], N // 2)),
         "Rosenbrock as a loop": (rosen_loop, np.tile([-1.2, 1.0], N // 2)),
         "logistic loss (dense)": (logistic, np.zeros(N))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way (the best counts)")
    args = parser.parse_args(argv)
    print(f"dualdiff {dd.__version__}, backend {dd.backend}; Newton-CG, n = {N}, "
          f"best of {args.repeat}\n")
    print(f"{'function':22s} {'way':28s} {'time':>8s}  iterations  Hessian(-vector) calls")
    for name, (f, x0) in CASES.items():
        ways = {"hess=dd.hessian": {"hess": dd.hessian(f)},
                "hessp=dd.hvp": {"hessp": dd.hvp(f)},
                "hessp=hessian(f, x) @ p": {"hessp": lambda x, p, f=f: dd.hessian(f, x) @ p}}
        best, info = {k: float("inf") for k in ways}, {}
        for _ in range(args.repeat):
            for way, kwargs in ways.items():
                t = time.perf_counter()
                r = so.minimize(f, x0, method="Newton-CG", jac=dd.gradient(f), **kwargs)
                best[way] = min(best[way], time.perf_counter() - t)
                info[way] = (r.nit, r.nhev, r.success)
        for way in ways:
            nit, nhev, ok = info[way]
            print(f"{name:22s} {way:28s} {best[way]:7.3f}s  {nit:10d}  {nhev:6d}"
                  + ("" if ok else "  (did not converge)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
