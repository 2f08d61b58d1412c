"""Array kernels at the seams (issue 12, items 8 and 9).

Item 8: at an element outside a function's domain (value nan from an input
that is not nan) every tangent part is nan, exactly-zero ones included, on
both backends; and the two backends' DualArray and HyperDualArray kernels
agree to a few ulps for every rule of the table, as the second-order ones did
not where C took tanh's (exp's, sqrt's, cbrt's, pow's) derivatives from
NumPy's value and pure Python from the scalar rule's.

Item 9: dualdiff's own functions on plain float ndarrays (sigmoid, erf, erfc,
softplus, gelu in both forms, relu, leaky_relu) give the scalar functions'
values as a float64 ndarray of the input's shape.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest

from dualdiff._public import namespace

try:
    C = namespace("c")
except ImportError:   # no compiled backend built: only its parity tests skip
    C = None
PY = namespace("python")
needs_both = pytest.mark.skipif(C is None, reason="the compiled backend is not built: "
                                "parity needs both backends")

#: C and pure Python array kernels agree to this, in ulps of the larger result
ULPS = 4


def ulps_apart(x, y):
    """|x - y| in ulps of max(|x|, |y|) where both are finite, else 0 where
    both are the same inf or both nan, else inf."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        d = np.abs(x - y) / np.spacing(np.maximum(np.abs(x), np.abs(y)))
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    return np.where(same, 0.0, np.where(np.isfinite(x) & np.isfinite(y), d, np.inf))


# ---------------------------------------------------------------------------
# Item 8a: outside the domain, every tangent part is nan
# ---------------------------------------------------------------------------

#: (function, a point inside its domain, a point outside)
OUTSIDE = [
    (lambda dd, x: dd.log2(x), 0.25, -1.0),
    (lambda dd, x: dd.log(x), 0.25, -2.0),
    (lambda dd, x: dd.log1p(x), 0.25, -3.0),
    (lambda dd, x: dd.log10(x), 0.25, -0.5),
    (lambda dd, x: dd.sqrt(x), 0.25, -1.0),
    (lambda dd, x: dd.arcsin(x), 0.25, 2.0),
    (lambda dd, x: dd.arccos(x), 0.25, -1.5),
    (lambda dd, x: dd.arccosh(x), 1.25, 0.5),
    (lambda dd, x: dd.arctanh(x), 0.25, 1.5),
    (lambda dd, x: x ** 0.5, 0.25, -4.0),
    (lambda dd, x: x ** -1.5, 0.25, -4.0),
]


def test_gradient_vectorized_outside_the_domain_is_nan(dd):
    # the example: v[0] does not enter log2, but log2(v[1]) is nan
    with np.errstate(invalid="ignore"):
        g = dd.gradient(lambda v: dd.log2(v[1]), [0.0, -1.0], vectorized=True)
    assert np.isnan(g).all(), g


@pytest.mark.parametrize("case", range(len(OUTSIDE)))
def test_dual_array_outside_the_domain_every_direction_nan(dd, case):
    f, good, bad = OUTSIDE[case]
    # four directions at a good point and a bad one; the bad point's zero
    # directions must be nan too, the good point's zero ones stay 0
    a = np.array([good, bad])
    rows = np.array([[1.0, 1.0], [0.0, 0.0], [2.0, 0.0], [0.0, -1.0]])
    with np.errstate(all="ignore"):
        r = f(dd, dd.DualArray._directions(a, rows))
    t = np.asarray(r.tangents)
    assert np.isnan(r.real[1])
    assert np.isnan(t[:, 1]).all(), t
    assert not np.isnan(t[:, 0]).any() and t[1, 0] == 0.0 and t[3, 0] == 0.0, t


@pytest.mark.parametrize("case", range(len(OUTSIDE)))
def test_hyper_dual_array_outside_the_domain_every_part_nan(dd, case):
    f, good, bad = OUTSIDE[case]
    a = np.array([good, bad, bad])
    with np.errstate(all="ignore"):
        r = f(dd, dd.HyperDualArray(a, [1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]))
    for part in (r.e1, r.e2, r.e12):
        assert np.isnan(part[1:]).all(), (r.e1, r.e2, r.e12)
    assert r.e2[0] == 0.0 and r.e12[0] == 0.0


def test_zero_stays_zero_where_the_value_exists(dd):
    # sqrt at 0: the value 0 exists, f' is inf; a zero direction stays 0
    x = dd.DualArray._directions(np.array([0.0, 4.0]), np.array([[0.0, 0.0], [1.0, 1.0]]))
    r = dd.sqrt(x)
    t = np.asarray(r.tangents)
    assert t[0].tolist() == [0.0, 0.0]
    assert t[1].tolist() == [math.inf, 0.25]
    h = dd.sqrt(dd.HyperDualArray(np.array([0.0]), [0.0], [0.0], [0.0]))
    assert (h.e1[0], h.e2[0], h.e12[0]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------
# Item 8b: both backends' array kernels agree to a few ulps
# ---------------------------------------------------------------------------

#: a few hundred points: the core, the tails of both signs, the edges of the
#: domains, the overflow thresholds and the special values
POINTS = np.concatenate([
    np.linspace(-30.0, 30.0, 241),
    np.logspace(-300, 300, 61), -np.logspace(-300, 300, 61),
    np.linspace(0.79, 0.81, 9), -np.linspace(0.79, 0.81, 9),
    [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1 - 2 ** -53, -1 + 2 ** -53, 1 + 2 ** -52, 2.0,
     18.25, -18.25, 709.7, 710.0, -745.0, 1e-310, -1e-310, math.inf, -math.inf, math.nan],
])

ARRAY_RULES = (list(PY.RULE_NAMES)
               + ["pow 2", "pow 3", "pow 0.5", "pow -1.5", "pow -2", "pow 1", "leaky_relu"])


def _apply(ns, name, x):
    if name == "gelu_tanh":
        return ns.gelu(x, approximate=True)
    if name.startswith("pow "):
        return x ** float(name[4:])
    if name == "leaky_relu":
        return ns.leaky_relu(x, 0.1)
    return getattr(ns, name)(x)


def _parts(ns, name, kind):
    rng = np.random.default_rng(12)
    if kind == "dual":
        rows = rng.standard_normal((2, POINTS.size))
        rows[0, ::3] = 0.0
        r = _apply(ns, name, ns.DualArray._directions(POINTS, rows))
        return np.vstack([r.real[None], r.tangents])
    e = rng.standard_normal((3, POINTS.size))
    e[:, ::4] = 0.0
    e[1, 1::5] = 0.0
    r = _apply(ns, name, ns.HyperDualArray(POINTS, e[0], e[1], e[2]))
    return np.vstack([r.real, r.e1, r.e2, r.e12])


@needs_both
@pytest.mark.parametrize("kind", ["dual", "hyper"])
@pytest.mark.parametrize("name", ARRAY_RULES)
def test_array_kernels_agree_across_backends(name, kind):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        c, p = _parts(C, name, kind), _parts(PY, name, kind)
    d = ulps_apart(c, p)
    bad = np.argwhere(d > ULPS)
    assert bad.size == 0, [(int(i), POINTS[j], c[i, j], p[i, j], d[i, j]) for i, j in bad[:5]]
