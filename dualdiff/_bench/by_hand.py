"""Derivatives the long way, as the scripts in ``benchmarks/`` time them beside dualdiff.

Finite differences written out with the textbook steps (scaled by max(1, |x|)),
n passes of a dual number, and the peers' forms that take more than one
expression.  Each has the shape of the call it is compared with
(``derivative(f, x)``, ``gradient(f, x)``), so its row times the same work.
"""

import sys

import numpy as np

#: the textbook steps (times max(1, |x|)): forward, central, second differences
EPS = sys.float_info.epsilon
SQRT_EPS, CBRT_EPS, QRT_EPS = EPS ** 0.5, EPS ** (1.0 / 3.0), EPS ** 0.25


# ---------------------------------------------------------------------------
# One variable (bench_scalar.py), elementwise over an array (bench_arrays.py)
# ---------------------------------------------------------------------------

def central_difference(f, x):
    h = CBRT_EPS * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


def second_difference(f, x):
    h = QRT_EPS * max(1.0, abs(x))
    return (f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h)


def central_difference_array(f, x):
    """(f(x+h) - f(x-h)) / 2h elementwise, h = cbrt(eps) * max(1, |x|)."""
    h = CBRT_EPS * np.maximum(1.0, np.abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


# ---------------------------------------------------------------------------
# Several variables (bench_gradient.py)
# ---------------------------------------------------------------------------

def npass_gradient(f, x, Dual):
    """n evaluations of f, the i-th with x_i replaced by Dual(x_i, 1.0)."""
    xs = list(x)
    g = [0.0] * len(xs)
    for i in range(len(xs)):
        t = xs[i]
        xs[i] = Dual(t, 1.0)
        g[i] = f(xs).dual
        xs[i] = t
    return g


def npass_hessian(f, x, HyperDual):
    """n(n+1)/2 evaluations of f at HyperDuals: H_ij is the e12 part of f."""
    xs = list(x)
    n = len(xs)
    h = [[0.0] * n for _ in range(n)]
    for i in range(n):
        ti = xs[i]
        xs[i] = HyperDual(ti, 1.0, 1.0, 0.0)
        h[i][i] = f(xs).e12
        xs[i] = HyperDual(ti, 1.0, 0.0, 0.0)
        for j in range(i + 1, n):
            tj = xs[j]
            xs[j] = HyperDual(tj, 0.0, 1.0, 0.0)
            h[i][j] = h[j][i] = f(xs).e12
            xs[j] = tj
        xs[i] = ti
    return h


def forward_difference_gradient(f, x):
    """(f(x + h e_i) - f(x)) / h, h = sqrt(eps) * max(1, |x_i|): n + 1 evaluations."""
    xs = list(x)
    f0 = f(xs)
    g = [0.0] * len(xs)
    for i in range(len(xs)):
        t = xs[i]
        xp = t + SQRT_EPS * max(1.0, abs(t))
        xs[i] = xp
        g[i] = (f(xs) - f0) / (xp - t)   # divide by the step actually taken
        xs[i] = t
    return g


def central_difference_gradient(f, x):
    """(f(x + h e_i) - f(x - h e_i)) / 2h, h = cbrt(eps) * max(1, |x_i|): 2n evaluations."""
    xs = list(x)
    g = [0.0] * len(xs)
    for i in range(len(xs)):
        t = xs[i]
        h = CBRT_EPS * max(1.0, abs(t))
        xp, xm = t + h, t - h
        xs[i] = xp
        fp = f(xs)
        xs[i] = xm
        g[i] = (fp - f(xs)) / (xp - xm)
        xs[i] = t
    return g


def central_difference_hessian(f, x):
    """Central second differences of f, h_i = eps**(1/4) * max(1, |x_i|): 2n^2 + 1 evaluations.

    H_ii = (f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2
    H_ij = (f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j), the signs those of h_i e_i, h_j e_j
    """
    xs = list(x)
    n = len(xs)
    hs = [QRT_EPS * max(1.0, abs(t)) for t in xs]
    f0 = f(xs)
    h = [[0.0] * n for _ in range(n)]
    for i in range(n):
        ti, hi = xs[i], hs[i]
        xs[i] = ti + hi
        fp = f(xs)
        xs[i] = ti - hi
        fm = f(xs)
        h[i][i] = (fp - 2.0 * f0 + fm) / (hi * hi)
        for j in range(i + 1, n):
            tj, hj = xs[j], hs[j]
            xs[i] = ti + hi
            xs[j] = tj + hj
            fpp = f(xs)
            xs[j] = tj - hj
            fpm = f(xs)
            xs[i] = ti - hi
            fmm = f(xs)
            xs[j] = tj + hj
            fmp = f(xs)
            h[i][j] = h[j][i] = (fpp - fpm - fmp + fmm) / (4.0 * hi * hj)
            xs[j] = tj
        xs[i] = ti
    return h


def central_difference_of_gradient(gradient, f, x):
    """Central differences of the exact gradient, h = cbrt(eps) * max(1, |x_i|),
    then symmetrised, (H + H^T) / 2: 2n gradient evaluations."""
    xs = np.array(x, dtype=float)
    n = xs.size
    h = np.empty((n, n))
    for i in range(n):
        t = xs[i]
        xp, xm = t + CBRT_EPS * max(1.0, abs(t)), t - CBRT_EPS * max(1.0, abs(t))
        xs[i] = xp
        gp = gradient(f, xs)
        xs[i] = xm
        h[:, i] = (gp - gradient(f, xs)) / (xp - xm)
        xs[i] = t
    return (h + h.T) / 2


def central_difference_hvp(gradient, f, x, v):
    """(g(x + h v) - g(x - h v)) / 2h with g = dualdiff's gradient, h = cbrt(eps)
    * max(1, |x|_inf) / |v|_inf: two gradients."""
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    h = CBRT_EPS * max(1.0, np.max(np.abs(x))) / np.max(np.abs(v))
    return (gradient(f, x + h * v) - gradient(f, x - h * v)) / (2 * h)


def hessian_times_v(hessian, f, x, v):
    """hessian(f, x) @ v: what hvp computed before issue 12."""
    return hessian(f, x) @ v


# peers' forms that take more than one expression

def fastdual_der_gradient(f, x, Dual):
    """fastdual's scalar-seed form: one Dual(v) per variable, then y.der(seed)."""
    seeds = [Dual(v) for v in x]
    y = f(seeds)
    return [y.der(s) for s in seeds]
