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


# ---------------------------------------------------------------------------
# Item 9: dualdiff's own functions on plain float arrays
# ---------------------------------------------------------------------------

#: name -> the function applied to a float or a float array
VALUE_FUNCTIONS = {
    "sigmoid": lambda dd, x: dd.sigmoid(x),
    "softplus": lambda dd, x: dd.softplus(x),
    "erf": lambda dd, x: dd.erf(x),
    "erfc": lambda dd, x: dd.erfc(x),
    "relu": lambda dd, x: dd.relu(x),
    "leaky_relu": lambda dd, x: dd.leaky_relu(x, 0.2),
    "gelu": lambda dd, x: dd.gelu(x),
    "gelu_tanh": lambda dd, x: dd.gelu(x, approximate=True),
}

#: the functions whose array values take exp (log1p) from NumPy's vectorised
#: loops, on each backend: the scalar ones call the C library's, which NumPy's
#: may differ from by an ulp where it has its own (AVX-512 builds)
FROM_NUMPY_EXP = {"c": {"sigmoid", "softplus", "gelu"},
                  "python": {"sigmoid", "softplus", "gelu", "gelu_tanh"}}

VALUE_POINTS = np.concatenate([
    np.linspace(-40.0, 40.0, 801),
    np.logspace(-310, 308, 120), -np.logspace(-310, 308, 120),
    [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 1e154, -1e154,
     1e103, -1e103, 2e102, -5.6e102, 1e300, -1e300, 1.5e300, 700.0, -745.0, 800.0],
])


def _numpy_exp_is_libm():
    """NumPy's exp and log1p equal the C library's (math's) at every argument
    these tests give them: then every array value must be the scalar one."""
    with np.errstate(all="ignore"):
        args = np.concatenate([-np.abs(VALUE_POINTS), -0.5 * VALUE_POINTS * VALUE_POINTS])
        args = args[~np.isnan(args)]
        e = np.exp(args)
        same = np.array_equal(e, [math.exp(v) for v in args.tolist()])
        return same and np.array_equal(np.log1p(e), [math.log1p(v) for v in e.tolist()])


VALUE_ULPS = 0 if _numpy_exp_is_libm() else 2


@pytest.mark.parametrize("name", sorted(VALUE_FUNCTIONS))
def test_values_on_a_float_array_are_the_scalar_values(dd, name):
    f = VALUE_FUNCTIONS[name]
    got = f(dd, VALUE_POINTS)
    assert type(got) is np.ndarray and got.dtype == np.float64 and got.shape == VALUE_POINTS.shape
    expected = np.array([f(dd, v) for v in VALUE_POINTS.tolist()])
    if name in FROM_NUMPY_EXP[dd.backend]:
        d = ulps_apart(got, expected)
        assert d.max() <= VALUE_ULPS, VALUE_POINTS[d > VALUE_ULPS][:5]
    else:   # the rule itself at every point: bitwise, the sign of zero included
        same = ((got.view(np.int64) == expected.view(np.int64))
                | (np.isnan(got) & np.isnan(expected)))
        assert same.all(), VALUE_POINTS[~same][:5]


@pytest.mark.parametrize("name", sorted(VALUE_FUNCTIONS))
def test_values_on_a_float_array_against_mpmath(dd, name):
    from test_rules_oracle import ORACLES, evaluate, ulp_error
    if name == "leaky_relu":
        points, true = (-3.0, -1e-300, 0.0, 2.5), (lambda x: x if x > 0 else 0.2 * x)
    else:
        points, true = ORACLES[name].points, ORACLES[name].f
    got = VALUE_FUNCTIONS[name](dd, np.array(points))
    errors = [ulp_error(g, evaluate(true, p)) for g, p in zip(got.tolist(), points)]
    assert max(errors) <= 4, list(zip(points, errors))


def test_values_special_points(dd):
    inf, nan = math.inf, math.nan
    x = np.array([-inf, inf, nan, -0.0])
    assert dd.sigmoid(x)[:2].tolist() == [0.0, 1.0]
    assert dd.softplus(x)[:2].tolist() == [0.0, inf]
    assert dd.erf(x)[:2].tolist() == [-1.0, 1.0] and dd.erfc(x)[:2].tolist() == [2.0, 0.0]
    assert dd.relu(x)[:2].tolist() == [0.0, inf]
    assert dd.leaky_relu(x, 0.5)[:2].tolist() == [-inf, inf]
    assert dd.gelu(x)[:2].tolist() == [0.0, inf]
    assert dd.gelu(x, approximate=True)[:2].tolist() == [0.0, inf]
    for f in VALUE_FUNCTIONS.values():
        assert np.isnan(f(dd, x)[2])
    # relu(-0.0) is +0.0 as the scalar's is; leaky_relu keeps alpha * -0.0
    assert not np.signbit(dd.relu(x)[3]) and np.signbit(dd.leaky_relu(x, 0.5)[3])


@pytest.mark.parametrize("name", sorted(VALUE_FUNCTIONS))
def test_values_shapes_and_dtypes(dd, name):
    f = VALUE_FUNCTIONS[name]
    grid = np.linspace(-3.0, 3.0, 12).reshape(3, 4)
    r = f(dd, grid)
    assert type(r) is np.ndarray and r.dtype == np.float64 and r.shape == (3, 4)
    assert np.array_equal(r.ravel(), f(dd, grid.ravel()))
    assert np.array_equal(f(dd, grid.T), r.T)                  # not C-contiguous
    ints = np.arange(-3, 4)
    assert np.array_equal(f(dd, ints), f(dd, ints.astype(np.float64)))
    assert np.array_equal(f(dd, ints.astype(np.float32)), f(dd, ints.astype(np.float64)))
    assert f(dd, np.array([True]))[0] == f(dd, 1.0)
    zero_d = f(dd, np.array(0.75))                              # as NumPy's ufuncs: a scalar
    assert type(zero_d) is np.float64 and zero_d == f(dd, 0.75)
    assert f(dd, np.float32(0.75)) == f(dd, 0.75)
    empty = f(dd, np.empty((0, 2)))
    assert empty.shape == (0, 2) and empty.dtype == np.float64
    x = grid.copy()
    f(dd, x)
    assert np.array_equal(x, grid)                              # the input is left alone


@pytest.mark.parametrize("name", sorted(VALUE_FUNCTIONS))
def test_values_take_no_python_call_per_element(dd, name, monkeypatch):
    # np.vectorize (a Python call per element) was the old path: 280-400 ms
    # per 10**6 points.  The pure backend keeps frompyfunc for erf/erfc only.
    def refuse(*args, **kwargs):
        raise AssertionError("np.vectorize called")
    monkeypatch.setattr(np, "vectorize", refuse)
    with np.errstate(all="raise"):   # and no floating-point warning of their own
        r = VALUE_FUNCTIONS[name](dd, np.linspace(-800.0, 800.0, 1001))
    assert r.shape == (1001,)


def test_object_arrays_keep_the_per_element_path(dd):
    x = np.array([dd.Dual(0.0, 1.0), 2.0], dtype=object)
    r = dd.sigmoid(x)
    assert r.dtype == object and r[0].real == 0.5 and r[0].dual == 0.25
    assert r[1] == dd.sigmoid(2.0)
    r = dd.leaky_relu(x, 0.5)
    assert r.dtype == object and r[0].dual == 0.5
    r = dd.gelu(x)
    assert r.dtype == object and r[0].dual == 0.5
