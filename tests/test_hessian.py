"""Hessians and Hessian-vector products in one pass (issue 3), on every backend.

``hessian`` and ``hvp`` against closed-form second partials evaluated by
mpmath at 50 digits (Rosenbrock in loop form and scipy's vectorised
``rosen``, n = 2, 10, 30, and the seed's example) and against scipy's
``rosen_hess``; exact symmetry; hvp = H v; the Hessian against HyperDual
evaluations entry by entry and against ``second_derivative`` on the
diagonal; exactly-zero partials staying zero; ``scipy.optimize.minimize``
(Newton-CG, trust-exact, trust-ncg, trust-krylov) taking as many iterations
with dualdiff's ``jac``/``hess`` as with ``rosen_der``/``rosen_hess``; what
the operators accept and reject; the ``HessianDual`` type itself; and the
compiled and pure-Python backends agreeing on random expressions.

Accuracy of a Hessian is measured in ulps of its largest true entry
(``ulps_of_max``): an entry that is small because larger terms cancel in it
cannot be relative-accurate, but it is accurate relative to the Hessian's
scale.
"""

import copy
import math
import operator
import pickle

import mpmath
import numpy as np
import pytest
import scipy.optimize
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen, rosen_der, rosen_hess

from dualdiff._public import UNARY_FUNCTIONS
from _expressions import both_backends, evaluate, outcome
from _multihelp import (_call_by_name, assert_apart, eq, mp, points, rosen_loop,
                        rosen_points, same, seed_f, ulps_apart, ulps_of_max)
from _expressions import expressions as make_expressions

DIGITS = 50
EPS = 2.0 ** -52
INF = math.inf
NAN = math.nan

#: error of a Hessian in ulps of its largest true entry
HESS_ULPS = 4

floats = st.floats


# --------------------------------------------------------------------------
# Measuring error
# --------------------------------------------------------------------------

def same_entries(p, q):
    return sorted(p) == sorted(q) and all(eq(p[k], q[k]) for k in p)


def exactly_symmetric(h):
    """h == h.T bit for bit (nan where nan, the sign of zero included)."""
    return h.shape == h.T.shape and h.tobytes() == np.ascontiguousarray(h.T).tobytes()


def mp_hessian(f, x):
    """The Hessian of f(v, mpmath) at x by mpmath's high-precision differentiation."""
    x = [float(v) for v in x]
    n = len(x)
    with mpmath.workdps(DIGITS):
        args = [mp(v) for v in x]
        h = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(i, n):
                order = [0] * n
                order[i] += 1
                order[j] += 1
                h[i, j] = h[j, i] = mpmath.diff(lambda *a: f(list(a), mpmath), args, tuple(order))
        return h


# --------------------------------------------------------------------------
# The seed's partial derivatives, second order
# --------------------------------------------------------------------------

def test_seed_example_torch_hessian(dd):
    # f(x, y) = x²y + xy²: f_xx = 2y, f_xy = 2x + 2y, f_yy = 2x; at (1, 2)
    h = dd.hessian(lambda x: x[0]**2 * x[1] + x[0] * x[1]**2, [1.0, 2.0])
    assert isinstance(h, np.ndarray) and h.dtype == np.float64 and h.shape == (2, 2)
    assert h.tolist() == [[4.0, 6.0], [6.0, 2.0]]
    assert dd.hessian(lambda x: x[0]**2 * x[1] + x[0] * x[1]**2, (1, 2)).tolist() == h.tolist()


@given(x=st.integers(-1000, 1000), y=st.integers(-1000, 1000))
@example(x=0, y=0)
@example(x=1, y=2)
def test_seed_example_second_partials_exact_at_integers(dd, x, y):
    # f = x²y + 3xy² + y³: f_xx = 2y, f_xy = 2x + 6y, f_yy = 6x + 6y, all exact
    h = dd.hessian(seed_f, [x, y])
    assert h.tolist() == [[2 * y, 2 * x + 6 * y], [2 * x + 6 * y, 6 * x + 6 * y]]


@given(x=floats(-1e3, 1e3), y=floats(-1e3, 1e3))
@example(x=-3.0, y=1.0000000000000002)   # f_xy = 2x + 6y: the terms cancel
def test_seed_example_second_partials_against_mpmath(dd, x, y):
    h = dd.hessian(seed_f, [x, y])
    with mpmath.workdps(DIGITS):
        X, Y = mp(x), mp(y)
        true = [[2 * Y, 2 * X + 6 * Y], [2 * X + 6 * Y, 6 * X + 6 * Y]]
        terms = [[abs(2 * Y), abs(2 * X) + abs(6 * Y)], [abs(2 * X) + abs(6 * Y), abs(6 * X) + abs(6 * Y)]]
    for i in range(2):
        for j in range(2):
            if terms[i][j] == 0:
                assert h[i, j] == 0.0
                continue
            err = abs(mp(h[i, j]) - true[i][j]) / math.ulp(float(terms[i][j]))
            assert err <= 4, (i, j, h[i, j], true[i][j])


# --------------------------------------------------------------------------
# Rosenbrock: loop form and scipy's vectorised rosen, n = 2, 10, 30
# --------------------------------------------------------------------------

def rosen_hess_mp(x):
    """Rosenbrock's Hessian at x, in mpmath at 50 digits."""
    with mpmath.workdps(DIGITS):
        v = [mp(t) for t in x]
        n = len(v)
        h = np.full((n, n), mpmath.mpf(0), dtype=object)
        for i in range(n - 1):
            h[i, i] += 1200 * v[i] ** 2 - 400 * v[i + 1] + 2
            h[i + 1, i + 1] += 200
            h[i, i + 1] += -400 * v[i]
            h[i + 1, i] += -400 * v[i]
        return h


ROSEN_FORMS = {"loop": rosen_loop, "scipy": rosen}


@pytest.mark.parametrize("n", [2, 10, 30])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_hessian_against_mpmath(dd, form, n):
    for x in rosen_points(n):
        h = dd.hessian(ROSEN_FORMS[form], x)
        assert h.shape == (n, n) and h.dtype == np.float64
        assert exactly_symmetric(h)
        assert ulps_of_max(h, rosen_hess_mp(x)) <= HESS_ULPS, (form, n, x)


@pytest.mark.parametrize("n", [2, 10, 30, 200])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_hessian_against_rosen_hess(dd, form, n):
    x = points(n, 7)
    h, expected = dd.hessian(ROSEN_FORMS[form], x), rosen_hess(x)
    scale = np.max(np.abs(expected))
    assert np.max(np.abs(h - expected)) <= 2 * HESS_ULPS * math.ulp(scale)
    # the same sparsity: a tridiagonal Hessian, every other entry exactly zero
    assert np.all(h[expected == 0.0] == 0.0)


@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_hessian_exact_cases(dd, form):
    f = ROSEN_FORMS[form]
    # small integers: every intermediate is exact, so the Hessian is rosen_hess's exactly
    for x in ([-2, 0, 1, 3, -1], [0, 0], [2, -1, 4], [1] * 6):
        assert dd.hessian(f, x).tolist() == rosen_hess(np.array(x, dtype=float)).tolist(), x


# --------------------------------------------------------------------------
# General functions: against mpmath, HyperDual and second_derivative
# --------------------------------------------------------------------------

def mixed(v, m):
    """Four variables, every kind of operation, written with scalar functions."""
    x, y, z, w = v[0], v[1], v[2], v[3]
    return (x * y * m.sin(z) + m.exp(x - w) * m.hypot(y, z) + m.atan2(x, y) * m.log(1 + z**2)
            + m.sqrt(x**2 + 1) / (1 + y**2) + m.tanh(x * y - z) ** 3 + w ** y)


def chain(v, m):
    s = 0
    for i in range(len(v) - 1):
        s = s + m.sin(v[i] * v[i + 1]) + m.exp(-(v[i] ** 2)) / (1 + v[i + 1] ** 2)
    return s * m.atan(v[0]) + m.hypot(v[-1], 2.0)


GENERAL = {"mixed": (mixed, 4), "chain": (chain, 5)}
GENERAL_POINTS = [[0.5, -1.25, 2.0, 0.75, 1.1], [1.5, 0.3, -0.7, 2.0, -0.4], [-0.4, 2.2, 0.9, 1.1, 0.6]]


@pytest.mark.parametrize("x", GENERAL_POINTS)
@pytest.mark.parametrize("name", sorted(GENERAL))
def test_hessian_against_mpmath(dd, name, x):
    f, n = GENERAL[name]
    x = x[:n]
    h = dd.hessian(lambda v: f(v, dd), x)
    assert exactly_symmetric(h)
    assert ulps_of_max(h, mp_hessian(f, x)) <= HESS_ULPS, (name, x)


def _hyper_entry(dd, f, x, i, j):
    """∂²f/∂x_i∂x_j from one HyperDual evaluation (e1 along i, e2 along j)."""
    v = [dd.HyperDual(float(t), 1.0 if k == i else 0.0, 1.0 if k == j else 0.0, 0.0)
         for k, t in enumerate(x)]
    return f(np.array(v, dtype=object)).e12


@pytest.mark.parametrize("name", sorted(GENERAL))
def test_hessian_equals_hyperdual_entries(dd, name):
    # the same rules, the same second-order chain rule: equal to the rounding of the
    # order in which the terms of each entry are added
    f, n = GENERAL[name]
    fn = lambda v: f(v, dd)
    for x in GENERAL_POINTS:
        x = x[:n]
        h = dd.hessian(fn, x)
        hyper = np.array([[_hyper_entry(dd, fn, x, i, j) for j in range(n)] for i in range(n)])
        scale = np.max(np.abs(hyper))
        assert np.max(np.abs(h - hyper)) <= 4 * math.ulp(scale), (name, x, h - hyper)


SEPARABLE = ["sin", "exp", "log1p", "tanh", "sigmoid", "softplus", "gelu", "arctan", "cbrt", "erf"]


@pytest.mark.parametrize("x", [[0.3, -0.2, 1.5, 0.7, 2.0, -1.0, 0.25, 0.9, 1.2, 0.6],
                               [1.0] * 10, [0.5, 0.5, 0.5, 0.5, 0.5, 2.5, 3.0, -0.5, -1.5, 0.1]])
def test_separable_hessian_is_diagonal_of_second_derivatives(dd, x):
    fns = [getattr(dd, name) for name in SEPARABLE]

    def f(v):
        return sum((fn(t) for fn, t in zip(fns, v)), 0.0)

    h = dd.hessian(f, x)
    off = h[~np.eye(len(x), dtype=bool)]
    assert np.all(off == 0.0)                       # exactly: no variable meets another
    diag = [dd.second_derivative(fn, t) for fn, t in zip(fns, x)]
    assert_apart(np.diag(h), diag, 2, "diagonal vs second_derivative")


@pytest.mark.parametrize("name", sorted(GENERAL))
def test_diagonal_equals_second_derivatives_along_axes(dd, name):
    f, n = GENERAL[name]
    fn = lambda v: f(v, dd)
    x = GENERAL_POINTS[0][:n]

    def along(i):
        def g(t):
            y = np.array([float(v) for v in x], dtype=object)
            y[i] = t
            return fn(y)
        return g

    diag = [dd.second_derivative(along(i), x[i]) for i in range(n)]
    h = dd.hessian(fn, x)
    assert np.max(np.abs(np.diag(h) - diag)) <= 4 * math.ulp(np.max(np.abs(diag)))


def test_one_variable_hessian_is_second_derivative(dd):
    for fn in (dd.sin, dd.exp, lambda t: t**3 - 2 * t, dd.sigmoid):
        for x in (0.5, -1.25, 2.0):
            h = dd.hessian(lambda v, fn=fn: fn(v[0]), [x])
            assert h.shape == (1, 1)
            assert ulps_apart(h[0, 0], dd.second_derivative(fn, x)) <= 2


def test_quadratic_form_hessian_is_exact(dd):
    # f = ½ xᵀ A x + bᵀ x has Hessian (A + Aᵀ)/2, exactly for small integer A
    A = np.array([[2.0, 1.0, 0.0], [3.0, -4.0, 5.0], [0.0, 1.0, 6.0]])
    b = np.array([1.0, -2.0, 0.5])
    h = dd.hessian(lambda v: 0.5 * (v @ A @ v) + b @ v, [0.3, -1.1, 2.5])
    assert h.tolist() == ((A + A.T) / 2).tolist()


def test_logsumexp_hessian(dd):
    # ∇² logsumexp = diag(p) - p pᵀ
    x = [1.0, -0.5, 2.25, 0.0]
    p = dd.softmax(np.array(x))
    expected = np.diag(p) - np.outer(p, p)
    for arg in (list, np.asarray):
        h = dd.hessian(lambda v, arg=arg: dd.logsumexp(arg(v)), x)
        assert exactly_symmetric(h)
        assert np.max(np.abs(h - expected)) <= 16 * EPS


# --------------------------------------------------------------------------
# Symmetry and hvp
# --------------------------------------------------------------------------

SYMMETRY_CASES = {
    "mixed": (lambda dd: lambda v: mixed(v, dd), 4),
    "chain": (lambda dd: lambda v: chain(v, dd), 5),
    "rosen": (lambda dd: rosen, 6),
    "vectorised": (lambda dd: lambda v: np.sum(dd.sin(v[1:] * v[:-1]) ** 2) * np.sum(v / (2.0 + v)), 6),
    "products": (lambda dd: lambda v: np.prod(v) / (1.0 + np.sum(v * v)), 5),
    "divisions": (lambda dd: lambda v: v[0] / v[1] / v[2] + v[2] / (v[0] * v[1]), 3),
}


@pytest.mark.parametrize("name", sorted(SYMMETRY_CASES))
def test_hessian_is_exactly_symmetric(dd, name):
    make, n = SYMMETRY_CASES[name]
    for seed in range(4):
        h = dd.hessian(make(dd), points(n, 40 + seed, 0.2, 2.0))
        assert exactly_symmetric(h), (name, h - h.T)


@pytest.mark.parametrize("name", sorted(SYMMETRY_CASES))
def test_hvp_is_hessian_times_v(dd, name):
    make, n = SYMMETRY_CASES[name]
    f = make(dd)
    rng = np.random.default_rng(3)
    for seed in range(3):
        x = points(n, 50 + seed, 0.2, 2.0)
        h = dd.hessian(f, x)
        for _ in range(2):
            v = rng.normal(size=n)
            got = dd.hvp(f, x, v)
            assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (n,)
            bound = 4 * EPS * (np.abs(h) @ np.abs(v))
            assert np.all(np.abs(got - h @ v) <= bound), (name, got, h @ v)
        e = np.zeros(n)
        e[n - 1] = 1.0
        assert dd.hvp(f, x, e).tolist() == h[:, n - 1].tolist()   # a column, exactly


def test_hvp_against_mpmath(dd):
    x, v = [0.5, -1.25, 2.0, 0.75], [0.3, 1.0, -2.0, 0.5]
    got = dd.hvp(lambda t: mixed(t, dd), x, v)
    true = mp_hessian(mixed, x) @ np.array([mp(t) for t in v], dtype=object)
    assert ulps_of_max(got, true) <= HESS_ULPS


# --------------------------------------------------------------------------
# Zero stays zero
# --------------------------------------------------------------------------

def test_zero_stays_zero_in_hessian_entries(dd):
    # sqrt''(0) = -inf, sqrt'(0) = inf: the entries that involve no x stay finite
    assert dd.hessian(lambda v: dd.sqrt(v[0]) + v[1] ** 2, [0.0, 1.0]).tolist() == [[-INF, 0.0], [0.0, 2.0]]
    assert dd.hessian(lambda v: v[0] ** 0.5 + v[1] ** 2, [0.0, 1.0]).tolist() == [[-INF, 0.0], [0.0, 2.0]]
    # ∂²(√x y)/∂x∂y = 1/(2√x) = inf, ∂²/∂y² = 0 (not 0 · inf)
    assert dd.hessian(lambda v: dd.sqrt(v[0]) * v[1], [0.0, 1.0]).tolist() == [[-INF, INF], [INF, 0.0]]
    # a zero partial carried along: x + 0·y under sqrt
    h = dd.hessian(lambda v: dd.sqrt(v[0] + 0.0 * v[1]) + v[1] ** 2, [0.0, 1.0])
    assert h.tolist() == [[-INF, 0.0], [0.0, 2.0]]
    h = dd.hessian(lambda v: sum(dd.sqrt(t) for t in v) + v[1] * v[2], [0.0, 4.0, 0.0])
    assert h.tolist() == [[-INF, 0.0, 0.0], [0.0, -1 / 32, 1.0], [0.0, 1.0, -INF]]
    assert not np.any(np.isnan(dd.hessian(lambda v: dd.arcsin(v[0]) + dd.exp(v[1]), [1.0, 0.0])))


def test_zero_stays_zero_in_hessian_duals(dd):
    H = dd.HessianDual
    r = dd.sqrt(H(0.0, {0: 0.0, 1: 1.0}, {(0, 0): 0.0, (0, 1): 0.0}))
    assert r.real == 0.0
    assert r.partials == {0: 0.0, 1: INF}
    entries = r.hessian_entries
    assert entries[(1, 1)] == -INF
    assert entries.get((0, 0), 0.0) == 0.0 and entries.get((0, 1), 0.0) == 0.0


def test_hvp_zero_direction_stays_zero(dd):
    # As jvp(sqrt(x) + y, (0, 1), (0, 1)) is 1 and not nan, the second-order
    # directional derivative along v = (0, 1) has no part in x: H v = (0, 2).
    # H itself is [[-inf, 0], [0, 2]]; -inf · 0 must not make the first entry nan.
    got = dd.hvp(lambda v: dd.sqrt(v[0]) + v[1] ** 2, [0.0, 1.0], [0.0, 1.0])
    assert got.tolist() == [0.0, 2.0]


# --------------------------------------------------------------------------
# scipy.optimize with dualdiff's jac and hess
# --------------------------------------------------------------------------

X0 = [1.3, 0.7, 0.8, 1.9, 1.2]


@pytest.mark.parametrize("method", ["Newton-CG", "trust-exact", "trust-ncg", "trust-krylov"])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
@pytest.mark.parametrize("x0", [X0, [-1.2, 1.0], [0.5] * 8], ids=["scipy-x0", "classic", "n8"])
def test_minimize_converges_as_with_rosen_hess(dd, method, form, x0):
    f = ROSEN_FORMS[form]
    ours = scipy.optimize.minimize(f, x0, method=method, jac=dd.gradient(f), hess=dd.hessian(f))
    theirs = scipy.optimize.minimize(rosen, x0, method=method, jac=rosen_der, hess=rosen_hess)
    assert ours.success and theirs.success
    assert np.allclose(ours.x, 1.0, atol=1e-2)   # Newton-CG stops at a relative step of 1e-5
    # derivatives equal to within a few ulps take the same steps
    assert ours.nit == theirs.nit, (ours.nit, theirs.nit)
    assert ours.nfev == theirs.nfev
    assert np.allclose(ours.x, theirs.x, rtol=1e-9, atol=1e-10)


def test_newton_cg_with_hessp(dd):
    ours = scipy.optimize.minimize(rosen, X0, method="Newton-CG", jac=dd.gradient(rosen),
                                   hessp=lambda x, p: dd.hvp(rosen, x, p))
    theirs = scipy.optimize.minimize(rosen, X0, method="Newton-CG", jac=rosen_der,
                                     hessp=scipy.optimize.rosen_hess_prod)
    assert ours.success and np.allclose(ours.x, 1.0, atol=1e-2)
    assert ours.nit == theirs.nit


# --------------------------------------------------------------------------
# Shapes, inputs, errors
# --------------------------------------------------------------------------

def test_without_x_returns_the_hessian_function(dd):
    h = dd.hessian(rosen)
    assert callable(h)
    x = points(4, 1)
    assert h(x).tolist() == dd.hessian(rosen, x).tolist()


def test_point_types(dd):
    f = lambda v: v[0] ** 2 * v[1] ** 3
    expected = [[2 * 8.0, 6 * 4.0 * 3], [6 * 4.0 * 3, 6 * 9.0 * 2]]   # at (3, 2)
    for x in ([3, 2], (3, 2), [3.0, 2.0], np.array([3, 2]), np.array([3.0, 2.0], dtype=np.float32),
              [np.float64(3.0), np.int64(2)]):
        h = dd.hessian(f, x)
        assert h.dtype == np.float64 and h.tolist() == expected, type(x)
        assert dd.hvp(f, x, [1, 0]).tolist() == expected[0]


def test_f_receives_hessian_duals(dd):
    seen = {}

    def f(v):
        seen["v"] = v
        return v[0]

    dd.hessian(f, [1.0, 2.0])
    v = seen["v"]
    assert isinstance(v, np.ndarray) and v.dtype == object and v.shape == (2,)
    assert all(type(t) is dd.HessianDual for t in v)
    assert [t.partials for t in v] == [{0: 1.0}, {1: 1.0}]
    assert all(t.hessian_entries == {} for t in v)


def test_constant_and_linear_functions(dd):
    for f in (lambda v: 3.0, lambda v: 3, lambda v: np.float64(3.0), lambda v: 2.0 * v[0] - v[1] + 1,
              lambda v: np.sum(v * 3.0)):
        h = dd.hessian(f, [1.0, 2.0, 3.0])
        assert h.dtype == np.float64 and h.tolist() == np.zeros((3, 3)).tolist()
        assert dd.hvp(f, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]).tolist() == [0.0, 0.0, 0.0]
    assert dd.hessian(lambda v: np.array(v[0] * v[1]), [1.0, 2.0]).tolist() == [[0, 1], [1, 0]]


BAD_POINTS = [
    (2.0, TypeError), (3, TypeError), ("12", TypeError), (None, TypeError),
    ([1.0, "a"], TypeError), (np.array([1.0, 2.0], dtype=object), TypeError),
    (np.array(2.0), ValueError),
]


@pytest.mark.parametrize("x, error", BAD_POINTS, ids=[repr(p) for p, _ in BAD_POINTS])
def test_bad_points(dd, x, error):
    f = lambda v: v[0] * v[0]
    with pytest.raises(error):
        dd.hessian(f, x)
    with pytest.raises(error):
        dd.hessian(f)(x)
    with pytest.raises(error):
        dd.hvp(f, x, x)


def test_bad_direction(dd):
    f = lambda v: v[0] * v[1]
    with pytest.raises(ValueError):
        dd.hvp(f, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError):
        dd.hvp(f, [1.0, 2.0], 1.0)
    with pytest.raises(TypeError):
        dd.hvp(f, [1.0, 2.0], ["a", "b"])


@pytest.mark.parametrize("result", [lambda v: "3", lambda v: None, lambda v: [v[0], v[1]],
                                    lambda v: v * 2.0, lambda v: True, lambda v: 1j])
def test_f_returning_a_non_number(dd, result):
    with pytest.raises(TypeError, match="not a number"):
        dd.hessian(result, [1.0, 2.0])
    with pytest.raises(TypeError, match="not a number"):
        dd.hvp(result, [1.0, 2.0], [1.0, 0.0])


def test_not_callable(dd):
    with pytest.raises(TypeError):
        dd.hessian(42, [1.0])
    with pytest.raises(TypeError):
        dd.hvp(42, [1.0], [1.0])


def test_domain_errors_propagate(dd):
    with pytest.raises(ValueError):
        dd.hessian(lambda v: dd.log(v[0]) + v[1], [-1.0, 2.0])
    with pytest.raises(ZeroDivisionError):
        dd.hessian(lambda v: v[1] / (v[0] - 1.0), [1.0, 2.0])
    with pytest.raises(OverflowError):
        dd.hvp(lambda v: dd.exp(v[0]), [1000.0], [1.0])


# --------------------------------------------------------------------------
# HessianDual: construction, attributes, protocol
# --------------------------------------------------------------------------

def test_hessian_dual_construction(dd):
    H = dd.HessianDual
    h = H(2.5)
    assert h.real == 2.5 and h.partials == {} and h.hessian_entries == {}
    h = H(3, {2: 1, 0: -1.5}, {(2, 0): 4, (1, 1): 0.5})
    assert type(h.real) is float and h.real == 3.0
    assert h.partials == {0: -1.5, 2: 1.0} and list(h.partials) == [0, 2]
    assert h.hessian_entries == {(0, 2): 4.0, (1, 1): 0.5}          # stored as i <= j
    dense = h.hessian(3)
    assert dense.tolist() == [[0.0, 0.0, 4.0], [0.0, 0.5, 0.0], [4.0, 0.0, 0.0]]
    assert exactly_symmetric(dense)
    assert h.gradient(3).tolist() == [-1.5, 0.0, 1.0]
    # both triangles given consistently is fine
    assert H(1.0, None, {(0, 1): 2.0, (1, 0): 2.0}).hessian_entries == {(0, 1): 2.0}
    assert H(1.0, hessian={(0, 0): 1.0}).hessian(1).tolist() == [[1.0]]


def test_hessian_dual_dense_errors(dd):
    h = dd.HessianDual(1.0, {1: 2.0}, {(0, 3): 1.0})
    assert h.hessian(4).shape == (4, 4)
    with pytest.raises(ValueError):
        h.hessian(3)
    with pytest.raises(ValueError):
        h.gradient(1)


@pytest.mark.parametrize("real, partials, hessian, error", [
    ("1", None, None, TypeError), (None, None, None, TypeError),
    (1.0, {"a": 1.0}, None, TypeError), (1.0, {0: "x"}, None, TypeError),
    (1.0, None, {0: 1.0}, TypeError), (1.0, None, {(0,): 1.0}, TypeError),
    (1.0, None, {(0, 1, 2): 1.0}, TypeError), (1.0, None, {("a", 1): 1.0}, TypeError),
    (1.0, None, {(0, 1): "x"}, TypeError),
    (1.0, None, {(0, 1): 1.0, (1, 0): 2.0}, ValueError),   # not symmetric
])
def test_hessian_dual_construction_errors(dd, real, partials, hessian, error):
    with pytest.raises(error):
        dd.HessianDual(real, partials, hessian)


def test_hessian_dual_float_raises(dd):
    h = dd.HessianDual(1.5, {0: 1.0})
    with pytest.raises(TypeError, match="derivative"):
        float(h)
    with pytest.raises(TypeError):
        math.sin(h)


def test_hessian_dual_comparisons_and_unhashable(dd):
    H = dd.HessianDual
    a, b = H(1.0, {0: 5.0}), H(2.0, {1: 1.0}, {(0, 1): 3.0})
    assert a < b and a <= b and b > a and b >= a and a != b
    assert a == H(1.0, {3: 7.0}) and a == 1 and 1.0 == a and a < 1.5 and not (a > 1)
    assert sorted([b, a, H(0.0)]) == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="unhashable type: 'HessianDual'.*real part"):
        hash(H(2.0, {0: 1.0}))


partial_dicts = st.dictionaries(st.integers(0, 40), st.floats(), max_size=4)
hessian_dicts = st.dictionaries(st.tuples(st.integers(0, 40), st.integers(0, 40)).map(lambda t: tuple(sorted(t))),
                                st.floats(), max_size=4)


@settings(max_examples=100)
@given(real=st.floats(), partials=partial_dicts, hessian=hessian_dicts)
@example(real=-0.0, partials={0: -0.0, 3: NAN}, hessian={(0, 3): -INF, (1, 1): -0.0})
def test_hessian_dual_repr_pickle_copy_round_trip(dd, real, partials, hessian):
    h = dd.HessianDual(real, partials, hessian)

    def check(r, how):
        assert type(r) is dd.HessianDual, how
        assert same(r.real, real), how
        assert sorted(r.partials) == sorted(partials), how
        assert all(same(r.partials[i], partials[i]) for i in partials), how
        assert sorted(r.hessian_entries) == sorted(hessian), how
        assert all(same(r.hessian_entries[k], hessian[k]) for k in hessian), how

    check(h, "constructor")
    check(eval(repr(h), {"HessianDual": dd.HessianDual}), "repr")
    check(pickle.loads(pickle.dumps(h)), "pickle")
    check(copy.copy(h), "copy")
    check(copy.deepcopy(h), "deepcopy")


@pytest.mark.parametrize("other", ["Dual", "HyperDual", "GradientDual"])
def test_hessian_dual_does_not_mix_with_other_duals(dd, other):
    a = dd.HessianDual(1.0, {0: 1.0})
    b = {"Dual": lambda: dd.Dual(2.0, 1.0), "HyperDual": lambda: dd.HyperDual(2.0, 1.0, 1.0, 0.0),
         "GradientDual": lambda: dd.GradientDual(2.0, {0: 1.0})}[other]()
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        with pytest.raises(TypeError):
            op(a, b)
        with pytest.raises(TypeError):
            op(b, a)
    for fn in (dd.arctan2, dd.hypot, dd.power):
        with pytest.raises(TypeError):
            fn(a, b)
    with pytest.raises(TypeError):
        dd.logsumexp([a, b])


def test_hessian_dual_arithmetic_errors(dd):
    H = dd.HessianDual
    a = H(1.0, {0: 1.0})
    for den in (0, 0.0, H(0.0), H(0.0, {1: 1.0})):
        with pytest.raises(ZeroDivisionError):
            a / den
    with pytest.raises(OverflowError):
        H(10.0, {0: 1.0}) ** 400
    with pytest.raises(ValueError):
        H(-2.0, {0: 1.0}) ** 0.5
    with pytest.raises(ValueError):
        dd.log(H(-1.0, {0: 1.0}))
    with pytest.raises(TypeError):
        a + "1"


# --------------------------------------------------------------------------
# HessianDual: every function and operator against HyperDual, entry by entry
# --------------------------------------------------------------------------

# HessianDual(a, {0: b0, 1: b1}, {(i, j): h_ij}) through f has entry (i, j) equal to
# the e12 of HyperDual(a, b_i, b_j, h_ij) through f: f'(a) h_ij + f''(a) b_i b_j.
G0 = {0: 1.0, 1: -0.5}
H0 = {(0, 0): 0.25, (0, 1): -1.5, (1, 1): 2.0}


def _hyper_view(dd, a, g, hess, i, j):
    return dd.HyperDual(a, g.get(i, 0.0), g.get(j, 0.0), hess.get((min(i, j), max(i, j)), 0.0))


def _assert_like_hyperduals(dd, got, call, args):
    """got = call(*HessianDuals built from args); compare with HyperDual views."""
    assert type(got) is dd.HessianDual
    for i in range(2):
        for j in range(i, 2):
            views = [_hyper_view(dd, *a, i, j) if isinstance(a, tuple) else a for a in args]
            e = call(*views)
            assert got.real == e.real
            assert ulps_apart(got.partials.get(i, 0.0), e.e1) <= 1, (i, got.partials, e)
            assert ulps_apart(got.hessian_entries.get((i, j), 0.0), e.e12) <= 2, (
                (i, j), got.hessian_entries, e)


UNARY_CALLS = {name: _call_by_name(name) for name in UNARY_FUNCTIONS}
UNARY_CALLS.update({
    "abs": lambda dd, x: dd.abs(x), "log": lambda dd, x: dd.log(x),
    "log base 3": lambda dd, x: dd.log(x, 3.0), "leaky_relu": lambda dd, x: dd.leaky_relu(x, 0.2),
    "gelu": lambda dd, x: dd.gelu(x), "gelu tanh": lambda dd, x: dd.gelu(x, approximate=True),
    "power 2.5": lambda dd, x: dd.power(x, 2.5), "**3": lambda dd, x: x ** 3,
    "2 ** x": lambda dd, x: 2.0 ** x, "1 / x": lambda dd, x: 1.0 / x, "neg": lambda dd, x: -x,
    "x * 3": lambda dd, x: x * 3.0, "x - 3": lambda dd, x: x - 3, "np.sin": lambda dd, x: np.sin(x),
})
POSITIVE_ONLY = ("arccosh", "log", "log2", "log10", "sqrt", "power")


@pytest.mark.parametrize("name", sorted(UNARY_CALLS))
def test_every_function_accepts_hessian_duals(dd, name):
    call = UNARY_CALLS[name]
    base = name.split()[0]
    for a in ((1.5, 2.5) if base == "arccosh" else (0.5, 2.0) if base in POSITIVE_ONLY else (0.5, -0.25)):
        got = call(dd, dd.HessianDual(a, G0, H0))
        _assert_like_hyperduals(dd, got, lambda t: call(dd, t), [(a, G0, H0)])


BINARY_CALLS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": operator.pow, "arctan2": None, "hypot": None, "power": None,
}
G1 = {0: -2.0, 1: 0.75}
H1 = {(0, 0): 1.0, (0, 1): 0.5}


@pytest.mark.parametrize("name", sorted(BINARY_CALLS))
def test_binary_operations_on_hessian_duals(dd, name):
    fn = BINARY_CALLS[name] or getattr(dd, name)
    p, q = (0.75, G0, H0), (1.25, G1, H1)
    got = fn(dd.HessianDual(*p), dd.HessianDual(*q))
    _assert_like_hyperduals(dd, got, fn, [p, q])
    # with a float on either side
    got = fn(dd.HessianDual(*p), 1.25)
    _assert_like_hyperduals(dd, got, fn, [p, 1.25])
    got = fn(1.25, dd.HessianDual(*p))
    _assert_like_hyperduals(dd, got, fn, [1.25, p])


def test_numpy_ufuncs_on_hessian_duals(dd):
    H = dd.HessianDual
    arr = np.empty(2, dtype=object)
    arr[:] = [H(0.5, G0, H0), H(1.25, G1, H1)]
    for name in ("sin", "exp", "tanh", "log1p", "arctan"):
        out = getattr(np, name)(arr)
        assert out.dtype == object
        for o, x in zip(out, arr):
            e = getattr(dd, name)(x)
            assert type(o) is H and o.real == e.real
            assert same_entries(o.partials, e.partials) and same_entries(o.hessian_entries, e.hessian_entries)
    out = np.arctan2(arr, arr[::-1])
    e = dd.arctan2(arr[0], arr[1])
    assert same_entries(out[0].hessian_entries, e.hessian_entries)


def test_softmax_and_logsumexp_of_hessian_duals(dd):
    H = dd.HessianDual
    xs = [H(1.0, {0: 1.0}), H(2.0, {1: 1.0}), 0.5]
    p = dd.softmax(xs)
    assert len(p) == 3 and all(type(t) is H for t in p)
    lse = dd.logsumexp(np.array(xs, dtype=object))
    pf = dd.softmax(np.array([1.0, 2.0, 0.5]))
    h = lse.hessian(2)
    expected = np.diag(pf[:2]) - np.outer(pf[:2], pf[:2])
    assert np.max(np.abs(h - expected)) <= 8 * EPS


# --------------------------------------------------------------------------
# The compiled and pure-Python backends agree
# --------------------------------------------------------------------------

NVARS = 3
expressions = make_expressions(NVARS, max_leaves=10)
_outcome, _both_backends = outcome, both_backends


@settings(max_examples=100)
@given(tree=expressions, x=st.lists(st.floats(-3.0, 3.0), min_size=NVARS, max_size=NVARS))
@example(tree=("op", "*", ("fn", "sqrt", ("x", 0)), ("x", 1)), x=[0.0, 1.0, 0.0])
def test_backends_agree_on_random_hessians(tree, x):
    C, PY = _both_backends()
    c = _outcome(lambda: C.hessian(lambda v: evaluate(tree, C, v), x))
    py = _outcome(lambda: PY.hessian(lambda v: evaluate(tree, PY, v), x))
    if isinstance(c, type) or isinstance(py, type):
        assert c == py, f"{tree} at {x}: compiled {c}, pure Python {py}"
        return
    assert_apart(c, py, 8, f"Hessian of {tree} at {x}")
    assert exactly_symmetric(c) and exactly_symmetric(py)


@pytest.mark.parametrize("n", [2, 10, 30])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_backends_agree_on_rosenbrock(form, n):
    C, PY = _both_backends()
    for x in rosen_points(n):
        assert_apart(C.hessian(ROSEN_FORMS[form], x), PY.hessian(ROSEN_FORMS[form], x), 4,
                     f"{form} n={n}")
