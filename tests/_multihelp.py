"""Helpers shared by the multivariate test files: float comparisons in ulps,
test points, and the functions they differentiate."""

import math
import struct

import mpmath
import numpy as np

DIGITS = 50


def mp(x):
    return mpmath.mpf(float(x))


def _ordered(x):
    i = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulps_apart(a, b):
    """Floats between a and b; nan matches nan only, inf matches itself only."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return 0 if math.isnan(a) and math.isnan(b) else math.inf
    if a == b:
        return 0
    if math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(_ordered(a) - _ordered(b))


def assert_apart(got, expected, ulps, what):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    apart = [ulps_apart(a, b) for a, b in zip(got.ravel(), expected.ravel())]
    assert max(apart, default=0) <= ulps, (
        f"{what}: {got.tolist()} vs {expected.tolist()} ({apart} ulps apart)")


def same(a, b):
    """a and b are the same float: nan matches nan, 0.0 does not match -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def eq(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


def points(n, seed, lo=-2.0, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, n)


def seed_f(v):
    x, y = v[0], v[1]
    return x**2 * y + 3 * x * y**2 + y**3


def rosen_loop(x):
    """The Rosenbrock function written with a Python loop and indexing."""
    total = 0.0
    for i in range(len(x) - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def rosen_points(n):
    return [points(n, seed) for seed in range(3)] + [
        np.linspace(-1.5, 2.0, n), np.full(n, 0.5), np.array([1.3, 0.7, 0.8, 1.9, 1.2] * n)[:n]]


def _call_by_name(name):
    return lambda dd, x: getattr(dd, name)(x)


def ulps_of_max(got, true):
    """max |got - true| over all entries, in ulps of max |true| (true: mpmath numbers,
    any shape: a gradient, a Jacobian row, a Hessian)."""
    got = np.asarray(got, dtype=np.float64)
    true = np.asarray(true, dtype=object)
    assert got.shape == true.shape, f"shape {got.shape}, expected {true.shape}"
    scale = float(max(abs(t) for t in true.ravel()))
    if scale == 0.0:
        return 0.0 if np.all(got == 0.0) else math.inf
    if not np.all(np.isfinite(got)):
        return math.inf
    with mpmath.workdps(DIGITS):
        worst = max(abs(mp(g) - t) for g, t in zip(got.ravel(), true.ravel()))
    return float(worst / math.ulp(scale))
