"""Gradients, Jacobians and jvp in one pass (issue 3), on every backend.

``gradient``, ``value_and_gradient``, ``jacobian`` and ``jvp`` against
closed-form derivatives evaluated by mpmath at 50 digits (Rosenbrock in loop
form and scipy's vectorised ``rosen``, the seed's partial-derivative
examples, softmax/logsumexp, ``arctan2``/``hypot``/``x**y``), against each
other (jvp = J v, the gradient = n scalar derivatives along the axes, the
Jacobian's columns = jvp along the axes) and against scipy (``rosen_der``,
BFGS taking as many iterations with ``jac=gradient(rosen)`` as with
``jac=rosen_der``); exactly-zero partials staying zero; what the operators
accept and reject; the ``GradientDual`` type itself (arithmetic, every
function, NumPy ufuncs, comparisons, hashing, pickling, repr, errors); and
the compiled and pure-Python backends agreeing on random expressions.

Accuracy of a gradient is measured in ulps of its largest true partial
(``ulps_of_max``): a partial that is small because larger terms cancel in
it cannot be relative-accurate, but it is accurate relative to the
gradient's scale.  Where two computations do the same float operations
(a partial of a GradientDual and the tangent of a Dual), they are compared
to within 2 ulps of each component: equal bitwise unless a C compiler
contracts a product and a sum into one fused multiply-add.
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
from scipy.optimize import rosen, rosen_der

from dualdiff._public import UNARY_FUNCTIONS
from _expressions import both_backends, evaluate, outcome
from _multihelp import (_call_by_name, assert_apart, eq, mp, points, rosen_loop,
                        rosen_points, same, seed_f, ulps_apart, ulps_of_max)
from _expressions import expressions as make_expressions

DIGITS = 50
EPS = 2.0 ** -52
INF = math.inf
NAN = math.nan

#: error of a gradient in ulps of its largest true partial
GRAD_ULPS = 4

floats = st.floats


# --------------------------------------------------------------------------
# Measuring error
# --------------------------------------------------------------------------

def ulp_error(got, true, scale=None):
    """|got - true| in ulps of |true| (or of `scale`, the size of cancelling terms)."""
    if math.isnan(got):
        return math.inf
    t = float(true)
    if math.isinf(t) or math.isinf(got):
        return 0.0 if got == t else math.inf
    ref = abs(t) if scale is None else max(abs(t), float(scale))
    if ref == 0.0:
        return 0.0 if got == 0.0 else math.inf
    with mpmath.workdps(DIGITS):
        return float(abs(mp(got) - true) / math.ulp(ref))


def same_partials(p, q):
    return list(p) == list(q) and all(eq(p[i], q[i]) for i in p)


def mp_gradient(f, x):
    """The gradient of f(v, mpmath) at x by mpmath's high-precision differentiation."""
    x = [float(v) for v in x]
    with mpmath.workdps(DIGITS):
        args = [mp(v) for v in x]
        g = []
        for i in range(len(x)):
            order = [0] * len(x)
            order[i] = 1
            g.append(mpmath.diff(lambda *a: f(list(a), mpmath), args, tuple(order)))
        return g


# --------------------------------------------------------------------------
# The seed's partial derivatives (seed/derivatives.md, section 5 and its code)
# --------------------------------------------------------------------------

def test_seed_example_torch_partials(dd):
    # "f(x, y) = x²y + xy² at (1, 2): ∂f/∂x = 2xy + y² = 8, ∂f/∂y = x² + 2xy = 5"
    f = lambda x: x[0]**2 * x[1] + x[0] * x[1]**2   # the seed's line
    g = dd.gradient(f, [1.0, 2.0])
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == (2,)
    assert g.tolist() == [8.0, 5.0]
    value, g = dd.value_and_gradient(f, [1.0, 2.0])
    assert type(value) is float and value == 6.0 and g.tolist() == [8.0, 5.0]
    assert dd.gradient(f, [1, 2]).tolist() == [8.0, 5.0]          # ints work too
    assert dd.gradient(f, (1.0, 2.0)).tolist() == [8.0, 5.0]
    assert dd.gradient(f, np.array([1, 2])).tolist() == [8.0, 5.0]


@given(x=st.integers(-1000, 1000), y=st.integers(-1000, 1000))
@example(x=0, y=0)
@example(x=1, y=2)
def test_seed_example_partials_exact_at_integers(dd, x, y):
    # every intermediate is an integer below 2**53: the partials are exact
    value, g = dd.value_and_gradient(seed_f, [x, y])
    assert value == x * x * y + 3 * x * y * y + y**3
    assert g.tolist() == [2 * x * y + 3 * y * y, x * x + 6 * x * y + 3 * y * y]


@given(x=floats(-1e3, 1e3), y=floats(-1e3, 1e3))
@example(x=-1.5, y=1.0000000000000002)   # ∂f/∂x = y (2x + 3y): 2xy and 3y² cancel
def test_seed_example_partials_against_mpmath(dd, x, y):
    g = dd.gradient(seed_f, [x, y])
    with mpmath.workdps(DIGITS):
        X, Y = mp(x), mp(y)
        fx, fx_terms = 2 * X * Y + 3 * Y**2, abs(2 * X * Y) + 3 * Y**2
        fy, fy_terms = X**2 + 6 * X * Y + 3 * Y**2, X**2 + abs(6 * X * Y) + 3 * Y**2
    # each partial is a sum of terms that may cancel: ulps of the terms
    assert ulp_error(g[0], fx, fx_terms) <= 4, (g[0], fx)
    assert ulp_error(g[1], fy, fy_terms) <= 4, (g[1], fy)


# --------------------------------------------------------------------------
# Rosenbrock: loop form and scipy's vectorised rosen, n = 2, 10, 100
# --------------------------------------------------------------------------

def rosen_mp(x):
    """Value and gradient of Rosenbrock at x, in mpmath at 50 digits."""
    with mpmath.workdps(DIGITS):
        v = [mp(t) for t in x]
        n = len(v)
        value = mpmath.fsum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2
                            for i in range(n - 1))
        g = [mpmath.mpf(0)] * n
        for i in range(n - 1):
            g[i] += -400 * v[i] * (v[i + 1] - v[i] ** 2) - 2 * (1 - v[i])
            g[i + 1] += 200 * (v[i + 1] - v[i] ** 2)
        return value, g


ROSEN_FORMS = {"loop": rosen_loop, "scipy": rosen}


@pytest.mark.parametrize("n", [2, 10, 100])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_gradient_against_mpmath(dd, form, n):
    f = ROSEN_FORMS[form]
    for x in rosen_points(n):
        value, g = dd.value_and_gradient(f, x)
        true_value, true_g = rosen_mp(x)
        assert ulps_of_max(g, true_g) <= GRAD_ULPS, (form, n, x)
        assert ulp_error(value, true_value) <= 2 * n
        assert_apart(dd.gradient(f, x), g, 0, "gradient vs value_and_gradient")


@pytest.mark.parametrize("n", [2, 10, 100, 1000])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_gradient_against_rosen_der(dd, form, n):
    x = points(n, 7)
    g, expected = dd.gradient(ROSEN_FORMS[form], x), rosen_der(x)
    assert g.shape == (n,) and g.dtype == np.float64
    scale = np.max(np.abs(expected))
    assert np.max(np.abs(g - expected)) <= 2 * GRAD_ULPS * math.ulp(scale)


@pytest.mark.parametrize("n", [2, 10, 100])
def test_rosenbrock_value_is_the_float_result(dd, n):
    # the value part is bitwise what the same code computes on floats
    x = points(n, 3)
    value, _ = dd.value_and_gradient(rosen_loop, x)
    assert value == rosen_loop([float(t) for t in x])


@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_rosenbrock_exact_cases(dd, form):
    f = ROSEN_FORMS[form]
    # the minimum: every partial is exactly zero
    assert dd.gradient(f, np.ones(50)).tolist() == [0.0] * 50
    value, g = dd.value_and_gradient(f, [1, 1, 1])
    assert value == 0.0 and g.tolist() == [0.0, 0.0, 0.0]
    # small integers: every intermediate is exact, so the gradient is rosen_der's exactly
    for x in ([-2, 0, 1, 3, -1], [0, 0], [2, -1, 4]):
        assert dd.gradient(f, x).tolist() == rosen_der(np.array(x, dtype=float)).tolist()


# --------------------------------------------------------------------------
# arctan2, hypot and x**y: both partials
# --------------------------------------------------------------------------

def _atan2_grad(y, x):
    Y, X = mp(y), mp(x)
    r2 = X**2 + Y**2
    return [X / r2, -Y / r2]


def _hypot_grad(x, y):
    X, Y = mp(x), mp(y)
    r = mpmath.sqrt(X**2 + Y**2)
    return [X / r, Y / r]


def _pow_grad(x, y):
    X, Y = mp(x), mp(y)
    return [Y * X ** (Y - 1), X**Y * mpmath.log(X)]


BINARY = {
    "arctan2": (lambda dd: lambda v: dd.arctan2(v[0], v[1]), _atan2_grad),
    "atan2": (lambda dd: lambda v: dd.atan2(v[0], v[1]), _atan2_grad),
    "np.arctan2": (lambda dd: lambda v: np.arctan2(v[0], v[1]), _atan2_grad),
    "hypot": (lambda dd: lambda v: dd.hypot(v[0], v[1]), _hypot_grad),
    "np.hypot": (lambda dd: lambda v: np.hypot(v[0], v[1]), _hypot_grad),
    "**": (lambda dd: lambda v: v[0] ** v[1], _pow_grad),
    "power": (lambda dd: lambda v: dd.power(v[0], v[1]), _pow_grad),
    "pow": (lambda dd: lambda v: dd.pow(v[0], v[1]), _pow_grad),
}

PLANE_POINTS = [(1.0, 2.0), (-1.5, 0.5), (3.0, -4.0), (-2.0, -2.0), (1e-3, 1e3), (1e3, 1e-3),
                (0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (1e200, 1e200),
                (1e-200, 3e-200), (5.0, 1e-300)]
POW_POINTS = [(0.25, -2.5), (0.9, 0.5), (1.0, 3.0), (1.7, 2.0), (3.0, 0.0), (12.5, -1.0),
              (2.0, 10.0), (1e-3, 3.5)]


def _check_binary(dd, name, p, q):
    make, oracle = BINARY[name]
    f = make(dd)
    value, g = dd.value_and_gradient(f, [p, q])
    with mpmath.workdps(DIGITS):
        true = oracle(p, q)
    for k in range(2):
        assert ulp_error(g[k], true[k]) <= 4, f"{name}({p!r}, {q!r}): ∂{k} = {g[k]!r}, true {true[k]}"
    # the same as a Dual perturbing one argument at a time
    D = dd.Dual
    assert_apart(g, [f([D(p, 1.0), D(q, 0.0)]).dual, f([D(p, 0.0), D(q, 1.0)]).dual], 0,
                 f"{name} vs Dual")
    assert value == f([p, q])


@pytest.mark.parametrize("p, q", PLANE_POINTS)
@pytest.mark.parametrize("name", ["arctan2", "atan2", "np.arctan2", "hypot", "np.hypot"])
def test_arctan2_hypot_partials(dd, name, p, q):
    _check_binary(dd, name, p, q)


@pytest.mark.parametrize("p, q", POW_POINTS)
@pytest.mark.parametrize("name", ["**", "power", "pow"])
def test_power_partials(dd, name, p, q):
    _check_binary(dd, name, p, q)


PLANE = st.tuples(floats(-1e6, 1e6), floats(-1e6, 1e6)).filter(lambda pq: math.hypot(*pq) > 1e-100)


@given(pq=PLANE)
@example(pq=(-0.0, -1.0))
def test_arctan2_hypot_partials_at_random_points(dd, pq):
    _check_binary(dd, "arctan2", *pq)
    _check_binary(dd, "hypot", *pq)


@given(x=floats(1e-3, 1e3), y=floats(-10.0, 10.0))
@example(x=5.0, y=-6.156413185533659)   # y - 1 is rounded; x**(y - 1) scales that by log x
def test_power_partials_at_random_points(dd, x, y):
    # |y log x| <= 70: no overflow or underflow in x**y and its partials
    _check_binary(dd, "**", x, y)


# --------------------------------------------------------------------------
# softmax's Jacobian and logsumexp's gradient
# --------------------------------------------------------------------------

def _softmax_mp(xs):
    with mpmath.workdps(DIGITS):
        m = max(xs)
        e = [mpmath.exp(mp(x) - m) for x in xs]
        s = mpmath.fsum(e)
        return [t / s for t in e]


def _check_softmax(dd, xs):
    # error grows with n as in test_rules_oracle: n - 1 rounded additions in the sum
    n = len(xs)
    limit = n + 6
    p = _softmax_mp(xs)
    for how, arg in (("list", list), ("array", np.asarray)):
        jac = dd.jacobian(lambda v, arg=arg: dd.softmax(arg(v)), xs)
        assert jac.shape == (n, n) and jac.dtype == np.float64
        problems = []
        for i in range(n):
            for j in range(n):
                with mpmath.workdps(DIGITS):
                    true = p[i] * ((1 if i == j else 0) - p[j])       # p_i (δ_ij - p_j)
                    terms = p[i] * ((1 if i == j else 0) + p[j])
                err = ulp_error(jac[i, j], true, terms)
                if err > limit:
                    problems.append(f"J[{i},{j}] = {jac[i, j]!r}, true {mpmath.nstr(true, 17)}")
        assert not problems, f"softmax Jacobian ({how}) at {xs}: " + "; ".join(problems)
        g = dd.gradient(lambda v, arg=arg: dd.logsumexp(arg(v)), xs)
        for i in range(n):
            assert ulp_error(g[i], p[i]) <= limit, (how, xs, i, g[i], p[i])
        # logsumexp's gradient is softmax, to the ulp of the same float operations
        assert np.max(np.abs(g - dd.softmax(np.asarray(xs, dtype=float)))) <= 2 * n * EPS


SEQUENCES = [[0.0], [1.0, 2.0, 3.0], [-1.5, 0.25, 4.0, 2.0], [0.5, 0.5], [1000.0, 999.0, 998.5],
             [-1000.0, -1001.0], [10.0, -10.0, 0.0, 3.75, -2.5, 1.0]]


@pytest.mark.parametrize("xs", SEQUENCES)
def test_softmax_jacobian_and_logsumexp_gradient(dd, xs):
    _check_softmax(dd, xs)


# multiples of 1/64 in [-50, 50]: x - max(x) is exact
DYADIC = st.integers(-3200, 3200).map(lambda k: k / 64)


@settings(max_examples=50)
@given(xs=st.lists(DYADIC, min_size=1, max_size=6))
def test_softmax_jacobian_at_random_points(dd, xs):
    _check_softmax(dd, xs)


def test_softmax_jacobian_rows_sum_to_zero(dd):
    # Σ_i p_i (δ_ij - p_j) = p_j - p_j Σ_i p_i = 0, to rounding
    jac = dd.jacobian(dd.softmax, points(20, 11, -5, 5))
    assert np.max(np.abs(jac.sum(axis=0))) <= 20 * EPS


# --------------------------------------------------------------------------
# General functions: Jacobians against mpmath, and the operators against
# each other (jvp = J v, gradient = scalar derivatives along each axis)
# --------------------------------------------------------------------------

def vec_loop(v, m):
    """Five outputs of three inputs, written with indexing and scalar functions."""
    x, y, z = v[0], v[1], v[2]
    return [x * y * m.sin(z),
            m.exp(x - z) + m.hypot(y, z),
            m.atan2(x, y) * m.log(1 + z**2),
            m.sqrt(x**2 + 1) / (1 + y**2),
            m.tanh(x * y - z) ** 3]


def scal_loop(v, m):
    """One output of four inputs."""
    s = 0
    for i in range(len(v) - 1):
        s = s + m.sin(v[i] * v[i + 1]) + m.exp(-(v[i] ** 2)) / (1 + v[i + 1] ** 2)
    return s * m.atan(v[0]) + m.hypot(v[-1], 2.0)


A = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0], [2.0, 0.0, 1.5], [-0.5, 1.0, 1.0]])


def vec_numpy(v, m):
    """NumPy-vectorised: slices, ufuncs via m, @ with a float matrix, np.sum."""
    u = v[1:] - v[:-1] ** 2
    w = m.sin(v) * v
    return np.concatenate([u * u, [np.sum(w)], v @ A, m.exp(v[::2] * 0.5)])


class _MpUfuncs:
    """mpmath's functions mapped over object arrays, as NumPy's ufuncs are."""
    sin = staticmethod(np.vectorize(mpmath.sin, otypes=[object]))
    exp = staticmethod(np.vectorize(mpmath.exp, otypes=[object]))


def _mp_jacobian(f, x, m):
    """Rows: gradients of each output of f by mpmath.diff."""
    x = [float(t) for t in x]
    n_out = len(f(np.array([mp(t) for t in x], dtype=object), m))
    return [mp_gradient(lambda a, _, i=i: f(np.array(a, dtype=object), m)[i], x)
            for i in range(n_out)]


JAC_CASES = {
    # name: (f(v, module), module for dualdiff, module for mpmath, n)
    "loop": (vec_loop, None, mpmath, 3),
    "numpy": (vec_numpy, np, _MpUfuncs, 4),
}

JAC_POINTS = [[0.5, -1.25, 2.0, 0.75], [1.5, 0.3, -0.7, -2.0], [-0.4, 2.2, 0.9, 1.1]]


@pytest.mark.parametrize("x", JAC_POINTS)
@pytest.mark.parametrize("case", sorted(JAC_CASES))
def test_jacobian_against_mpmath(dd, case, x):
    f, dmod, mmod, n = JAC_CASES[case]
    dmod = dmod or dd
    x = x[:n]
    jac = dd.jacobian(lambda v: f(v, dmod), x)
    true = _mp_jacobian(f, x, mmod)
    assert jac.shape == (len(true), n) and jac.dtype == np.float64
    for i, row in enumerate(true):
        # in ulps of the row's largest partial: no partial here cancels terms much larger
        assert ulps_of_max(jac[i], row) <= GRAD_ULPS, (case, x, i, jac[i], [float(t) for t in row])


@pytest.mark.parametrize("x", JAC_POINTS)
def test_gradient_against_mpmath(dd, x):
    g = dd.gradient(lambda v: scal_loop(v, dd), x)
    assert ulps_of_max(g, mp_gradient(scal_loop, x)) <= GRAD_ULPS


def along_axis(f, x, i, t):
    """f at x with x[i] replaced by t (the others stay floats), as an object array.

    A Dual with a zero tangent in the other places would not do: derivative()
    takes a Dual it did not make for an outer perturbation, and returns a Dual.
    """
    y = np.array([float(v) for v in x], dtype=object)
    y[i] = t
    return f(y)


FUNCTIONS = {
    "scal_loop": (lambda dd: lambda v: scal_loop(v, dd), 4),
    "rosen_loop": (lambda dd: rosen_loop, 6),
    "rosen": (lambda dd: rosen, 6),
    "seed": (lambda dd: seed_f, 2),
    "logsumexp": (lambda dd: dd.logsumexp, 5),
    # dualdiff's functions of arrays (NumPy's ufuncs need every element to be a dualdiff number)
    "array functions": (lambda dd: lambda v: np.sum(dd.sin(v) ** 2 / (1.5 + dd.cos(v))), 5),
    "matmul": (lambda dd: lambda v: (v @ A[:3, :3]) @ (v @ A[1:, :].T) + v[0] * v[2], 3),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradient_equals_scalar_derivatives_along_axes(dd, name):
    make, n = FUNCTIONS[name]
    f = make(dd)
    for seed in range(3):
        x = points(n, 100 + seed)
        g = dd.gradient(f, x)
        axes = [dd.derivative(lambda t, i=i, x=x: along_axis(f, x, i, t), x[i]) for i in range(n)]
        assert_apart(g, axes, 2, f"gradient of {name} at {x.tolist()}")


@pytest.mark.parametrize("case", sorted(JAC_CASES))
def test_jacobian_columns_equal_jvp_along_axes(dd, case):
    f, dmod, _, n = JAC_CASES[case]
    fn = lambda v: f(v, dmod or dd)
    for x in JAC_POINTS:
        x = x[:n]
        jac = dd.jacobian(fn, x)
        for i in range(n):
            e = np.zeros(n)
            e[i] = 1.0
            assert_apart(jac[:, i], dd.jvp(fn, x, e), 2, f"column {i} of {case}'s Jacobian")


@pytest.mark.parametrize("case", sorted(JAC_CASES))
def test_jvp_equals_jacobian_times_v(dd, case):
    f, dmod, _, n = JAC_CASES[case]
    fn = lambda v: f(v, dmod or dd)
    rng = np.random.default_rng(5)
    for x in JAC_POINTS:
        x = x[:n]
        jac = dd.jacobian(fn, x)
        for _ in range(3):
            v = rng.normal(size=n)
            got = dd.jvp(fn, x, v)
            assert isinstance(got, np.ndarray) and got.shape == (jac.shape[0],)
            # J v is summed in a different order than the jvp's tangents: a few ulps of |J| |v|
            bound = 8 * EPS * (np.abs(jac) @ np.abs(v))
            assert np.all(np.abs(got - jac @ v) <= bound), (case, x, v, got, jac @ v)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_scalar_jvp_equals_gradient_dot_v(dd, name):
    make, n = FUNCTIONS[name]
    f = make(dd)
    x, v = points(n, 21), points(n, 22)
    got = dd.jvp(f, x, v)
    assert type(got) is float
    g = dd.gradient(f, x)
    assert abs(got - g @ v) <= 8 * EPS * (np.abs(g) @ np.abs(v)), (got, g @ v)


def test_jvp_against_mpmath(dd):
    x, v = [0.5, -1.25, 2.0], [0.3, 1.0, -2.0]
    got = dd.jvp(lambda t: vec_loop(t, dd), x, v)
    with mpmath.workdps(DIGITS):
        X, V = [mp(t) for t in x], [mp(t) for t in v]
        true = [mpmath.diff(lambda s, i=i: vec_loop([a + s * b for a, b in zip(X, V)], mpmath)[i], 0)
                for i in range(len(got))]
    for i in range(len(got)):
        assert ulp_error(got[i], true[i]) <= GRAD_ULPS, (i, got[i], true[i])


# --------------------------------------------------------------------------
# Zero stays zero
# --------------------------------------------------------------------------

def test_zero_partials_stay_zero_through_an_infinite_derivative(dd):
    # ForwardDiff's NaN-safe problem: sqrt'(0) = inf must not turn y's 0 into nan
    cases = {
        "sqrt": lambda v: dd.sqrt(v[0]) + v[1],
        "**0.5": lambda v: v[0] ** 0.5 + v[1],
        "sqrt of a sum with a zero partial": lambda v: dd.sqrt(v[0] + 0.0 * v[1]) + v[1],
        "cbrt": lambda v: dd.cbrt(v[0] * v[0] * 0.0 + v[0]) + v[1],
    }
    for name, f in cases.items():
        assert dd.gradient(f, [0.0, 1.0]).tolist() == [INF, 1.0], name
        assert dd.jacobian(lambda v, f=f: [f(v), v[1]], [0.0, 1.0]).tolist() == [[INF, 1.0], [0.0, 1.0]], name
        assert dd.jvp(f, [0.0, 1.0], [0.0, 1.0]) == 1.0, name    # not nan
        assert dd.jvp(f, [0.0, 1.0], [1.0, 0.0]) == INF, name
    vec = dd.gradient(lambda v: sum(dd.sqrt(t) for t in v), [0.0, 4.0, 0.0])
    assert vec.tolist() == [INF, 0.25, INF]


def test_numpy_ufuncs_at_an_infinite_derivative_do_not_warn(dd):
    # sqrt'(0) = inf is a derivative part, not a floating-point error: np.sqrt(0.0) does
    # not warn, and neither may NumPy's ufuncs on dualdiff numbers (pytest runs with
    # filterwarnings = error, so a RuntimeWarning fails here)
    assert dd.gradient(lambda v: np.sum(np.sqrt(v)), [0.0, 4.0, 0.0]).tolist() == [INF, 0.25, INF]
    assert dd.gradient(lambda v: np.sqrt(v[0]) + v[1], [0.0, 1.0]).tolist() == [INF, 1.0]
    assert dd.gradient(lambda v: np.sum(v ** 0.5), [0.0, 4.0]).tolist() == [INF, 0.25]
    assert dd.gradient(lambda v: np.sum(np.arcsin(v)), [1.0, 0.0]).tolist() == [INF, 1.0]
    assert dd.gradient(lambda v: np.sum(dd.sqrt(v)), [0.0, 4.0]).tolist() == [INF, 0.25]


def test_zero_partials_stay_zero_on_gradient_duals(dd):
    g = dd.GradientDual(0.0, {0: 0.0, 3: 1.0, 5: -0.0})
    r = dd.sqrt(g)
    assert r.real == 0.0
    assert same_partials(r.partials, {0: 0.0, 3: INF, 5: 0.0})
    assert not math.isnan(r.partials[5])
    assert same_partials((g ** 0.5).partials, {0: 0.0, 3: INF, 5: 0.0})
    assert same_partials(dd.arcsin(dd.GradientDual(1.0, {0: 0.0, 1: 2.0})).partials, {0: 0.0, 1: INF})
    # a variable that appears with partial zero everywhere: gradient 0, never nan
    assert dd.gradient(lambda v: dd.sqrt(v[0]) * 1.0 + v[1] * 0.0, [0.0, 2.0]).tolist() == [INF, 0.0]


def test_constant_function_has_zero_gradient(dd):
    for f in (lambda v: 3.0, lambda v: 3, lambda v: np.float64(3.0), lambda v: np.int64(3),
              lambda v: v[0] * 0.0 + 3.0 - v[0] * 0.0):
        value, g = dd.value_and_gradient(f, [1.0, 2.0, 3.0])
        assert type(value) is float and value == 3.0
        assert g.tolist() == [0.0, 0.0, 0.0] and g.dtype == np.float64
        assert dd.gradient(f, [1.0, 2.0, 3.0]).tolist() == [0.0] * 3
        assert dd.jvp(f, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]) == 0.0
    assert dd.jacobian(lambda v: [1.0, v[0], 2], [5.0, 6.0]).tolist() == [[0, 0], [1, 0], [0, 0]]


def test_variables_not_used_have_zero_partials(dd):
    g = dd.gradient(lambda v: v[2] ** 3, np.arange(6.0))
    assert g.tolist() == [0.0, 0.0, 12.0, 0.0, 0.0, 0.0]


# --------------------------------------------------------------------------
# Shapes, inputs, errors of the operators
# --------------------------------------------------------------------------

def test_jacobian_shapes(dd):
    x = [1.0, 2.0, 3.0]
    assert dd.jacobian(lambda v: [v[0], v[1] * v[2]], x).shape == (2, 3)
    assert dd.jacobian(lambda v: (v[0], v[1] * v[2]), x).tolist() == [[1, 0, 0], [0, 3, 2]]
    assert dd.jacobian(lambda v: v * 2.0, x).tolist() == (2 * np.eye(3)).tolist()
    outer = dd.jacobian(lambda v: np.outer(v[:2], v), x)
    assert outer.shape == (2, 3, 3)
    assert outer[1, 2].tolist() == [0.0, 3.0, 2.0]               # d(v1 v2)
    single = dd.jacobian(lambda v: v[0] * v[1], x)
    assert single.shape == (3,) and single.tolist() == [2.0, 1.0, 0.0]
    assert dd.jacobian(lambda v: np.sum(v * v), x).tolist() == [2.0, 4.0, 6.0]
    assert dd.jacobian(lambda v: [v[0]], x).shape == (1, 3)
    assert dd.jacobian(lambda v: [], x).shape == (0, 3)
    # a 0-d array counts as one number, as np.sum of a float array returns
    assert dd.jacobian(lambda v: np.array(v[0] * v[1]), x).tolist() == [2.0, 1.0, 0.0]
    assert dd.gradient(lambda v: np.array(v[0] * v[1]), x).tolist() == [2.0, 1.0, 0.0]
    assert dd.gradient(lambda v: np.sum(v * v), []).shape == (0,)


def test_jvp_shapes(dd):
    x, v = [1.0, 2.0], [1.0, -1.0]
    one = dd.jvp(lambda t: t[0] * t[1], x, v)
    assert type(one) is float and one == 2.0 - 1.0
    assert type(dd.jvp(lambda t: np.sum(t * t), x, v)) is float
    many = dd.jvp(lambda t: [t[0] * t[1], t[0], 5.0], x, v)
    assert isinstance(many, np.ndarray) and many.dtype == np.float64
    assert many.tolist() == [1.0, 1.0, 0.0]
    assert dd.jvp(lambda t: (t[0], t[1]), x, v).tolist() == [1.0, -1.0]
    assert dd.jvp(lambda t: t * 3.0, x, v).tolist() == [3.0, -3.0]
    assert dd.jvp(lambda t: np.outer(t, t), x, v).shape == (2, 2)
    assert dd.jvp(lambda t: t[0] ** 2, [3], (2,)) == 12.0
    zero_d = dd.jvp(lambda t: np.array(t[0] * t[1]), x, v)
    assert type(zero_d) is float and zero_d == 1.0


@pytest.mark.parametrize("op", ["gradient", "value_and_gradient", "jacobian"])
def test_without_x_returns_the_derivative_function(dd, op):
    fn = getattr(dd, op)
    d = fn(rosen)
    assert callable(d)
    x = points(5, 1)
    got, expected = d(x), fn(rosen, x)
    if op == "value_and_gradient":
        assert got[0] == expected[0] and got[1].tolist() == expected[1].tolist()
    else:
        assert got.tolist() == expected.tolist()


def test_point_types(dd):
    f = lambda v: v[0] * v[1] ** 2
    for x in ([3, 2], (3, 2), [3.0, 2.0], np.array([3, 2]), np.array([3.0, 2.0], dtype=np.float32),
              np.array([3, 2], dtype=np.int8), [np.float64(3.0), np.int64(2)]):
        g = dd.gradient(f, x)
        assert g.dtype == np.float64 and g.tolist() == [4.0, 12.0], type(x)
        assert dd.jacobian(lambda v: [f(v)], x).tolist() == [[4.0, 12.0]]
        assert dd.jvp(f, x, x) == 3 * 4.0 + 2 * 12.0


def test_strided_and_read_only_points(dd):
    """A float64 view with strides (x[::2], a column) or a read-only array is a valid point."""
    f = lambda v: v[0] * v[1] ** 2 + v[2]
    base = np.arange(12.0).reshape(6, 2) + 1.0
    for x in (base[::2, 0], base[:3, 1], base.ravel()[::-4][:3]):
        assert not x.flags.c_contiguous or x.base is not None
        exact = [x[1] ** 2, 2 * x[0] * x[1], 1.0]
        assert dd.gradient(f, x).tolist() == exact
        assert dd.value_and_gradient(f, x)[1].tolist() == exact
        h = dd.hessian(f, x)
        assert h.tolist() == [[0.0, 2 * x[1], 0.0], [2 * x[1], 2 * x[0], 0.0], [0.0, 0.0, 0.0]]
    frozen = np.array([1.0, 2.0, 3.0])
    frozen.flags.writeable = False
    assert dd.gradient(f, frozen).tolist() == [4.0, 4.0, 1.0]
    assert dd.hessian(f, frozen)[0, 1] == 4.0


def test_f_receives_an_object_array(dd):
    seen = {}

    def f(v):
        seen["v"] = v
        return v[0]

    dd.gradient(f, [1.0, 2.0])
    v = seen["v"]
    assert isinstance(v, np.ndarray) and v.dtype == object and v.shape == (2,)
    assert all(type(t) is dd.GradientDual for t in v)
    assert [t.real for t in v] == [1.0, 2.0]
    assert [t.partials for t in v] == [{0: 1.0}, {1: 1.0}]
    dd.jvp(f, [1.0, 2.0], [3.0, 4.0])
    v = seen["v"]
    assert v.dtype == object and all(type(t) is dd.Dual for t in v)
    assert [(t.real, t.dual) for t in v] == [(1.0, 3.0), (2.0, 4.0)]


BAD_POINTS = [
    (2.0, TypeError), (3, TypeError), (np.float64(2.0), TypeError), ("12", TypeError),
    (None, TypeError), ({1.0, 2.0}, TypeError), ([1.0, "a"], TypeError), ([1j, 2.0], TypeError),
    (np.array([1.0, 2.0], dtype=object), TypeError), (np.array(2.0), ValueError),
    (np.zeros(()), ValueError),
]


@pytest.mark.parametrize("x, error", BAD_POINTS, ids=[repr(p) for p, _ in BAD_POINTS])
@pytest.mark.parametrize("op", ["gradient", "value_and_gradient", "jacobian", "jvp"])
def test_bad_points(dd, op, x, error):
    def f(v):
        return v[0]

    with pytest.raises(error):
        if op == "jvp":
            dd.jvp(f, x, x)
        else:
            getattr(dd, op)(f, x)
    if op != "jvp":
        with pytest.raises(error):
            getattr(dd, op)(f)(x)


def test_bad_direction(dd):
    f = lambda v: v[0]
    with pytest.raises(ValueError):
        dd.jvp(f, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError):
        dd.jvp(f, [1.0, 2.0], 1.0)
    with pytest.raises(TypeError):
        dd.jvp(f, [1.0, 2.0], ["a", "b"])


@pytest.mark.parametrize("op", ["gradient", "value_and_gradient", "jacobian", "jvp"])
def test_not_callable(dd, op):
    args = ([1.0], [1.0]) if op == "jvp" else ([1.0],)
    with pytest.raises(TypeError):
        getattr(dd, op)(42, *args)


NON_NUMBERS = [lambda v: "3", lambda v: None, lambda v: {1: v[0]}, lambda v: True,
               lambda v: 1j, lambda v: object()]


@pytest.mark.parametrize("result", NON_NUMBERS)
@pytest.mark.parametrize("op", ["gradient", "value_and_gradient", "jacobian", "jvp"])
def test_f_returning_a_non_number(dd, op, result):
    args = ([1.0, 2.0], [1.0, 0.0]) if op == "jvp" else ([1.0, 2.0],)
    with pytest.raises(TypeError, match="not a number"):
        getattr(dd, op)(result, *args)


@pytest.mark.parametrize("op", ["gradient", "value_and_gradient"])
def test_gradient_of_a_vector_valued_f(dd, op):
    # gradient is for one output; a list is not a number
    with pytest.raises(TypeError):
        getattr(dd, op)(lambda v: [v[0], v[1]], [1.0, 2.0])
    with pytest.raises(TypeError):
        getattr(dd, op)(lambda v: v * 2.0, [1.0, 2.0])


def test_jacobian_with_a_non_number_entry(dd):
    with pytest.raises(TypeError, match="not a number"):
        dd.jacobian(lambda v: [v[0], "x"], [1.0, 2.0])
    with pytest.raises(TypeError, match="not a number"):
        dd.jvp(lambda v: [v[0], None], [1.0, 2.0], [1.0, 1.0])


def test_f_returning_a_foreign_dual(dd):
    # a Dual made inside f is a perturbation of its own: a constant here, as it
    # is to derivative() (not the 1.0 of a confused gradient)
    assert dd.gradient(lambda v: dd.Dual(v[0].real, 1.0), [1.0]).tolist() == [0.0]
    assert dd.derivative(lambda x: dd.Dual(x.real, 1.0), 1.0) == 0.0
    with pytest.raises(TypeError):
        dd.jvp(lambda v: dd.GradientDual(v[0].real, {0: 1.0}), [1.0], [1.0])


def test_domain_errors_propagate(dd):
    with pytest.raises(ValueError):
        dd.gradient(lambda v: dd.log(v[0]) + v[1], [-1.0, 2.0])
    with pytest.raises(ValueError):
        dd.gradient(lambda v: np.sqrt(v), [-1.0, 2.0]).sum()
    with pytest.raises(ZeroDivisionError):
        dd.gradient(lambda v: v[1] / (v[0] - 1.0), [1.0, 2.0])
    with pytest.raises(OverflowError):
        dd.jacobian(lambda v: [dd.exp(v[0])], [1000.0])
    with pytest.raises(ValueError):
        dd.jvp(lambda v: dd.arcsin(v[0]), [2.0], [1.0])


# --------------------------------------------------------------------------
# scipy.optimize with dualdiff's derivatives
# --------------------------------------------------------------------------

X0 = [1.3, 0.7, 0.8, 1.9, 1.2]


@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
@pytest.mark.parametrize("x0", [X0, [-1.2, 1.0], [0.5] * 8], ids=["scipy-x0", "classic", "n8"])
def test_bfgs_converges_as_with_rosen_der(dd, form, x0):
    ours = scipy.optimize.minimize(ROSEN_FORMS[form], x0, method="BFGS",
                                   jac=dd.gradient(ROSEN_FORMS[form]))
    theirs = scipy.optimize.minimize(rosen, x0, method="BFGS", jac=rosen_der)
    assert ours.success and theirs.success
    assert np.allclose(ours.x, 1.0, atol=1e-4)
    # gradients equal to within a few ulps steer BFGS along the same path.  (Over hundreds
    # of iterations the ulps can add up to a different step: from a random start in 30
    # dimensions the two take about 230 iterations and differ by a few.  These starts
    # converge in 25-35, and identically.)
    assert ours.nit == theirs.nit, (ours.nit, theirs.nit)
    assert ours.njev == theirs.njev
    assert np.allclose(ours.x, theirs.x, rtol=1e-9, atol=1e-12)


def test_least_squares_with_jacobian(dd):
    def residuals(v):
        return [10.0 * (v[1] - v[0] ** 2), 1.0 - v[0]]

    def analytic(v):
        return np.array([[-20.0 * v[0], 10.0], [-1.0, 0.0]])

    ours = scipy.optimize.least_squares(lambda v: np.array(residuals(v), dtype=float),
                                        [-1.2, 1.0], jac=dd.jacobian(residuals))
    theirs = scipy.optimize.least_squares(lambda v: np.array(residuals(v), dtype=float),
                                          [-1.2, 1.0], jac=analytic)
    assert ours.success and np.allclose(ours.x, [1.0, 1.0])
    assert (ours.nfev, ours.njev) == (theirs.nfev, theirs.njev)
    assert ours.x.tolist() == theirs.x.tolist()


# --------------------------------------------------------------------------
# GradientDual: construction, attributes, protocol
# --------------------------------------------------------------------------

def test_gradient_dual_construction(dd):
    G = dd.GradientDual
    g = G(2.5)
    assert g.real == 2.5 and g.partials == {}
    assert G(2.5, None).partials == {} and G(2.5, {}).partials == {}
    g = G(3, {4: 2, 1: -1.5, 0: 0})
    assert type(g.real) is float and g.real == 3.0
    assert g.partials == {0: 0.0, 1: -1.5, 4: 2.0}
    assert list(g.partials) == [0, 1, 4]                         # sorted by index
    assert all(type(v) is float for v in g.partials.values())
    assert G(1.0, partials={2: 1.0}).partials == {2: 1.0}
    assert G(1.0, [(2, 1.0), (0, 3.0)]).partials == {0: 3.0, 2: 1.0}   # any mapping-like
    assert G(np.float64(1.5), {np.int64(0).item(): np.float64(2.0)}).partials == {0: 2.0}
    # .partials is a copy: changing it does not change the number
    p = g.partials
    p[0] = 99.0
    assert g.partials[0] == 0.0


@pytest.mark.parametrize("real, partials, error", [
    ("1", None, TypeError), (None, None, TypeError), (1j, None, TypeError),
    (1.0, {"a": 1.0}, TypeError), (1.0, {1.5: 1.0}, TypeError), (1.0, {0: "x"}, TypeError),
    (1.0, {0: None}, TypeError), (1.0, {0: 1j}, TypeError), (1.0, 5, TypeError),
])
def test_gradient_dual_construction_errors(dd, real, partials, error):
    with pytest.raises(error):
        dd.GradientDual(real, partials)


def test_gradient_dual_negative_index(dd):
    with pytest.raises((TypeError, ValueError)):
        dd.GradientDual(1.0, {-1: 1.0})


def test_gradient_dual_with_other_number_types(dd):
    with pytest.raises(TypeError):
        dd.GradientDual(dd.Dual(1.0, 1.0))
    with pytest.raises(TypeError):
        dd.GradientDual(1.0, {0: dd.Dual(1.0, 1.0)})
    with pytest.raises(TypeError):
        dd.Dual(dd.GradientDual(1.0, {0: 1.0}))


def test_gradient_dual_dense_gradient(dd):
    g = dd.GradientDual(1.0, {1: 2.0, 3: -1.0})
    dense = g.gradient(5)
    assert isinstance(dense, np.ndarray) and dense.dtype == np.float64
    assert dense.tolist() == [0.0, 2.0, 0.0, -1.0, 0.0]
    assert g.gradient(4).tolist() == [0.0, 2.0, 0.0, -1.0]
    with pytest.raises(ValueError):
        g.gradient(3)
    with pytest.raises(ValueError):
        g.gradient(0)
    assert dd.GradientDual(1.0).gradient(3).tolist() == [0.0, 0.0, 0.0]
    assert dd.GradientDual(1.0).gradient(0).shape == (0,)


def test_gradient_dual_float_raises(dd):
    g = dd.GradientDual(1.5, {0: 1.0})
    with pytest.raises(TypeError, match="derivative"):
        float(g)
    with pytest.raises(TypeError):
        math.sin(g)
    with pytest.raises(TypeError):
        math.exp(g)


def test_gradient_dual_comparisons_use_the_real_part(dd):
    G = dd.GradientDual
    a, b = G(1.0, {0: 5.0}), G(2.0, {0: -5.0, 1: 1.0})
    assert a < b and a <= b and b > a and b >= a and a != b
    assert a == G(1.0, {3: 7.0}) and a == 1 and a == 1.0 and 1.0 == a and a == np.float64(1.0)
    assert a < 1.5 and 1.5 > a and a >= 1 and 0.5 <= a and not (a > 1)
    assert b != 1.0
    assert sorted([b, a, G(0.0)]) == [0.0, 1.0, 2.0]
    assert max([a, b]) is b and min(a, 0.5) == 0.5
    assert (a == "1.0") is False and (a != "1.0") is True
    with pytest.raises(TypeError):
        a < "x"   # noqa: B015
    assert G(NAN) != G(NAN)


def test_gradient_dual_unhashable(dd):
    G = dd.GradientDual
    for g in (G(2.0, {0: 1.0}), G(0.5)):
        with pytest.raises(TypeError, match="unhashable type: 'GradientDual'.*lru_cache"):
            hash(g)
    with pytest.raises(TypeError, match="unhashable"):
        {G(1.0, {2: 5.0})}   # noqa: B018


finite_or_not = st.floats()
partial_dicts = st.dictionaries(st.integers(0, 2**31 - 1), finite_or_not, max_size=5)


@given(real=finite_or_not, partials=partial_dicts)
@example(real=-0.0, partials={0: -0.0, 7: NAN, 9: -INF})
@example(real=INF, partials={})
@example(real=1e-310, partials={2147483647: 5e-324})
def test_gradient_dual_repr_pickle_copy_round_trip(dd, real, partials):
    g = dd.GradientDual(real, partials)

    def check(h, how):
        assert type(h) is dd.GradientDual, how
        assert same(h.real, real), (how, h.real, real)
        assert sorted(h.partials) == sorted(partials), how
        assert all(same(h.partials[i], float(partials[i])) for i in partials), (how, h.partials)

    check(g, "constructor")
    check(eval(repr(g), {"GradientDual": dd.GradientDual}), "repr")
    check(pickle.loads(pickle.dumps(g)), "pickle")
    check(pickle.loads(pickle.dumps(g, protocol=0)), "pickle protocol 0")
    check(copy.copy(g), "copy")
    check(copy.deepcopy(g), "deepcopy")
    check(copy.deepcopy([g, g])[1], "deepcopy in a list")


def test_gradient_dual_repr_text(dd):
    assert repr(dd.GradientDual(1.5, {2: 3.0, 0: -1.0})) == "GradientDual(1.5, {0: -1.0, 2: 3.0})"
    assert repr(dd.GradientDual(2)) == "GradientDual(2.0, {})"


def test_pickled_gradient_dual_keeps_working(dd):
    g = pickle.loads(pickle.dumps(dd.GradientDual(2.0, {0: 1.0, 1: 3.0})))
    h = g * g
    assert h.real == 4.0 and h.partials == {0: 4.0, 1: 12.0}


# --------------------------------------------------------------------------
# GradientDual: arithmetic
# --------------------------------------------------------------------------

def test_gradient_dual_arithmetic(dd):
    G = dd.GradientDual
    a = G(3.0, {0: 2.0, 2: 1.0})
    b = G(0.5, {1: -4.0, 2: 3.0})
    cases = [
        (a + b, 3.5, {0: 2.0, 1: -4.0, 2: 4.0}),
        (a - b, 2.5, {0: 2.0, 1: 4.0, 2: -2.0}),
        (a * b, 1.5, {0: 1.0, 1: -12.0, 2: 0.5 + 9.0}),
        (a / b, 6.0, {0: 4.0, 1: 48.0, 2: (1.0 - 6.0 * 3.0) / 0.5}),
        (a + 1, 4.0, {0: 2.0, 2: 1.0}),
        (1 + a, 4.0, {0: 2.0, 2: 1.0}),
        (a - 1.5, 1.5, {0: 2.0, 2: 1.0}),
        (1.5 - a, -1.5, {0: -2.0, 2: -1.0}),
        (2 * a, 6.0, {0: 4.0, 2: 2.0}),
        (a * 2.0, 6.0, {0: 4.0, 2: 2.0}),
        (a / 2, 1.5, {0: 1.0, 2: 0.5}),
        (3 / a, 1.0, {0: -3.0 * 2.0 / 9.0, 2: -3.0 / 9.0}),
        (-a, -3.0, {0: -2.0, 2: -1.0}),
        (+a, 3.0, {0: 2.0, 2: 1.0}),
        (abs(-a), 3.0, {0: 2.0, 2: 1.0}),
        (abs(G(-2.0, {1: 1.0})), 2.0, {1: -1.0}),
        (a ** 2, 9.0, {0: 12.0, 2: 6.0}),
        (a ** 2.0, 9.0, {0: 12.0, 2: 6.0}),
        (a ** -1, 1.0 / 3.0, {0: -2.0 / 9.0, 2: -1.0 / 9.0}),
        (2 ** G(3.0, {1: 1.0}), 8.0, {1: 8.0 * math.log(2.0)}),
        (a ** G(2.0), 9.0, {0: 12.0, 2: 6.0}),          # constant exponent
        (a - a, 0.0, {0: 0.0, 2: 0.0}),
        (a * np.float64(2.0), 6.0, {0: 4.0, 2: 2.0}),
        (np.float64(2.0) * a, 6.0, {0: 4.0, 2: 2.0}),
        (a + np.int64(1), 4.0, {0: 2.0, 2: 1.0}),
    ]
    for k, (got, real, partials) in enumerate(cases):
        assert type(got) is G, k
        assert got.real == real, (k, got.real, real)
        assert got.partials.keys() == partials.keys(), (k, got.partials)
        for i in partials:
            assert ulps_apart(got.partials[i], partials[i]) <= 1, (k, i, got.partials, partials)


def test_gradient_dual_negative_base_integer_exponent(dd):
    g = dd.GradientDual(-2.0, {0: 1.0})
    assert (g ** 3).real == -8.0 and (g ** 3).partials == {0: 12.0}
    assert (g ** 2.0).partials == {0: -4.0}
    assert (g ** dd.GradientDual(3.0)).partials == {0: 12.0}
    with pytest.raises(ValueError):
        g ** 0.5


def test_gradient_dual_power_at_zero(dd):
    z = dd.GradientDual(0.0, {0: 1.0})
    for p, d in ((0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0), (4, 0.0)):
        r = z ** p
        assert r.real == (1.0 if p == 0 else 0.0) and r.partials == {0: d}, p
    # d/dy 0**y = 0 for y > 0 (the limit), not 0 * log 0 = nan
    r = 0.0 ** dd.GradientDual(2.0, {1: 1.0})
    assert r.real == 0.0 and r.partials == {1: 0.0}


def test_gradient_dual_arithmetic_errors(dd):
    G = dd.GradientDual
    a = G(1.0, {0: 1.0})
    for den in (0, 0.0, -0.0, G(0.0), G(0.0, {1: 1.0}), np.float64(0.0)):
        with pytest.raises(ZeroDivisionError):
            a / den
    with pytest.raises(ZeroDivisionError):
        1.0 / G(0.0, {0: 1.0})
    with pytest.raises(OverflowError):
        G(10.0, {0: 1.0}) ** 400
    with pytest.raises(OverflowError):
        10.0 ** G(400.0, {0: 1.0})
    with pytest.raises(TypeError):
        pow(a, 2, 3)
    for bad in ("1", None, [1.0], 1j):
        for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
            with pytest.raises(TypeError):
                op(a, bad)
            with pytest.raises(TypeError):
                op(bad, a)


@pytest.mark.parametrize("other", ["Dual", "HyperDual"])
def test_gradient_dual_does_not_mix_with_other_duals(dd, other):
    a = dd.GradientDual(1.0, {0: 1.0})
    b = dd.Dual(2.0, 1.0) if other == "Dual" else dd.HyperDual(2.0, 1.0, 1.0, 0.0)
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        with pytest.raises(TypeError):
            op(a, b)
        with pytest.raises(TypeError):
            op(b, a)
    for fn in (dd.arctan2, dd.hypot, dd.power):
        with pytest.raises(TypeError):
            fn(a, b)
        with pytest.raises(TypeError):
            fn(b, a)
    with pytest.raises(TypeError):
        dd.softmax([a, b])
    with pytest.raises(TypeError):
        dd.logsumexp([b, a])
    with pytest.raises(TypeError):
        dd.log(a, b)


# --------------------------------------------------------------------------
# GradientDual: every function, its method, and NumPy ufuncs
# --------------------------------------------------------------------------

POSITIVE_ONLY = ("arccosh", "log", "log2", "log10", "sqrt", "power")


def sample_point(name):
    return {"arccosh": 1.5, "log": 0.75, "log2": 0.75, "log10": 0.75, "sqrt": 0.75}.get(name, 0.5)


def _expect_from_duals(dd, call, a, partials):
    """What call(GradientDual(a, partials)) must be, from one Dual per partial."""
    expected = {i: call(dd.Dual(a, c)).dual for i, c in partials.items()}
    return call(dd.Dual(a, 0.0)).real, expected


UNARY_CALLS = {name: _call_by_name(name) for name in UNARY_FUNCTIONS}
UNARY_CALLS.update({
    "abs": lambda dd, x: dd.abs(x),
    "fabs": lambda dd, x: dd.fabs(x),
    "log": lambda dd, x: dd.log(x),
    "log base 3": lambda dd, x: dd.log(x, 3.0),
    "leaky_relu": lambda dd, x: dd.leaky_relu(x),
    "leaky_relu 0.2": lambda dd, x: dd.leaky_relu(x, alpha=0.2),
    "gelu": lambda dd, x: dd.gelu(x),
    "gelu tanh": lambda dd, x: dd.gelu(x, approximate=True),
    "power 2.5": lambda dd, x: dd.power(x, 2.5),
    "2 ** x": lambda dd, x: dd.power(2.0, x),
    "asin": lambda dd, x: dd.asin(x),
    "atanh": lambda dd, x: dd.atanh(x),
})


@pytest.mark.parametrize("name", sorted(UNARY_CALLS))
def test_every_function_accepts_gradient_duals(dd, name):
    call = UNARY_CALLS[name]
    base = name.split()[0]
    for a in (sample_point(base), 2.0 if base in POSITIVE_ONLY else -0.25):
        partials = {0: 1.0, 3: -2.5, 7: 0.0}
        got = call(dd, dd.GradientDual(a, partials))
        assert type(got) is dd.GradientDual, name
        real, expected = _expect_from_duals(dd, lambda t: call(dd, t), a, partials)
        assert got.real == real == call(dd, a), (name, a)
        assert same_partials(got.partials, expected), (name, a, got.partials, expected)
        assert got.partials[7] == 0.0


@pytest.mark.parametrize("name", UNARY_FUNCTIONS + ("leaky_relu", "gelu", "log"))
def test_gradient_dual_methods(dd, name):
    g = dd.GradientDual(sample_point(name), {1: 1.0, 2: 0.5})
    got, expected = getattr(g, name)(), getattr(dd, name)(g)
    assert got.real == expected.real and same_partials(got.partials, expected.partials)


NP_UNARY = [n for n in UNARY_FUNCTIONS
            if isinstance(getattr(np, n, None), np.ufunc) and n not in ("sign", "floor", "ceil")]
NP_UNARY += ["log", "abs", "negative", "positive", "square", "reciprocal"]


@pytest.mark.parametrize("name", NP_UNARY)
def test_numpy_ufuncs_on_gradient_duals(dd, name):
    uf = getattr(np, name)
    ref = {"abs": abs, "negative": operator.neg, "positive": operator.pos,
           "square": lambda t: t * t, "reciprocal": lambda t: 1.0 / t}.get(name) or getattr(dd, name)
    xs = [dd.GradientDual(sample_point(name) * s, {0: 1.0, k: -0.5})
          for k, s in ((1, 1.0), (2, 0.5), (3, 1.25))]
    if name == "arccosh":
        xs = [dd.GradientDual(1.5 * s, {0: 1.0, k: -0.5}) for k, s in ((1, 1.0), (2, 1.5), (3, 2.0))]
    arr = np.empty(3, dtype=object)
    arr[:] = xs
    out = uf(arr)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == (3,)
    for o, x in zip(out, xs):
        e = ref(x)
        assert type(o) is dd.GradientDual and o.real == e.real, name
        assert same_partials(o.partials, e.partials), (name, o.partials, e.partials)
    one = uf(xs[0])
    assert type(one) is dd.GradientDual and one.real == ref(xs[0]).real


@pytest.mark.parametrize("name", ["arctan2", "hypot", "power"])
def test_numpy_binary_ufuncs_on_gradient_duals(dd, name):
    uf, fn = getattr(np, name), getattr(dd, name)
    G = dd.GradientDual
    x, y = G(0.75, {0: 1.0, 2: 2.0}), G(2.0, {1: 1.0, 2: -1.0})
    for u, v in ((x, y), (y, x), (x, 3.0)):
        got, e = uf(u, v), fn(u, v)
        assert type(got) is G and got.real == e.real and same_partials(got.partials, e.partials)
    arr, arr2 = np.empty(2, dtype=object), np.empty(2, dtype=object)
    arr[:], arr2[:] = [x, y], [y, x + 1]
    for o, u, v in zip(uf(arr, arr2), arr, arr2):
        e = fn(u, v)
        assert o.real == e.real and same_partials(o.partials, e.partials)


def test_binary_functions_mix_floats_and_gradient_duals(dd):
    G = dd.GradientDual
    x = G(0.75, {0: 1.0})
    for fn in (dd.arctan2, dd.hypot, dd.power):
        for u, v, du, dv in ((x, 2.0, dd.Dual(0.75, 1.0), 2.0), (2.0, x, 2.0, dd.Dual(0.75, 1.0))):
            got, e = fn(u, v), fn(du, dv)
            assert type(got) is G and got.real == e.real and got.partials == {0: e.dual}


@pytest.mark.parametrize("container", ["list", "tuple", "array"])
def test_softmax_and_logsumexp_of_gradient_duals(dd, container):
    G = dd.GradientDual
    xs = [G(1.0, {0: 1.0}), G(2.0, {1: 1.0}), 0.5, G(-1.0, {0: 2.0, 2: 1.0})]
    arg = {"list": list, "tuple": tuple, "array": lambda s: np.array(s, dtype=object)}[container](xs)
    p = dd.softmax(arg)
    assert len(p) == 4 and all(type(t) is G for t in p)
    lse = dd.logsumexp(arg)
    assert type(lse) is G
    plain = dd.softmax([1.0, 2.0, 0.5, -1.0])
    assert [t.real for t in p] == pytest.approx(list(plain), rel=4 * EPS)
    # ∂ logsumexp = Σ_k p_k ∂x_k
    pk = list(plain)
    expected = {0: pk[0] + 2.0 * pk[3], 1: pk[1], 2: pk[3]}
    for i, e in expected.items():
        assert abs(lse.partials[i] - e) <= 8 * EPS, (i, lse.partials, expected)
    # Σ_i p_i = 1, so its partials are zero to rounding
    total = sum(p[1:], p[0])
    assert all(abs(v) <= 8 * EPS for v in total.partials.values())


def test_gradient_dual_domain_errors(dd):
    G = dd.GradientDual
    for name, a in (("log", -1.0), ("log", 0.0), ("sqrt", -1.0), ("arcsin", 2.0), ("arccosh", 0.5),
                    ("arctanh", 1.0), ("log1p", -1.0), ("sin", INF)):
        with pytest.raises(ValueError):
            getattr(dd, name)(G(a, {0: 1.0}))
    with pytest.raises(ValueError):
        dd.log(G(-1.0, {0: 1.0}), 10.0)
    with pytest.raises(ValueError):
        dd.power(G(-2.0, {0: 1.0}), 0.5)
    for name, a in (("exp", 1000.0), ("sinh", 1000.0), ("cosh", -1000.0), ("expm1", 710.0)):
        with pytest.raises(OverflowError):
            getattr(dd, name)(G(a, {0: 1.0}))


def test_gradient_dual_subgradients(dd):
    G = dd.GradientDual
    z = G(0.0, {0: 1.0, 1: -2.0})
    assert dd.relu(z).partials == {0: 0.0, 1: 0.0}
    assert dd.abs(z).partials == {0: 0.0, 1: 0.0}
    assert dd.leaky_relu(z, 0.1).partials == {0: 0.1, 1: -0.2}
    assert dd.sign(G(2.0, {0: 1.0})).partials == {0: 0.0}
    assert dd.floor(G(2.5, {0: 1.0})).partials == {0: 0.0}


# --------------------------------------------------------------------------
# The compiled and pure-Python backends agree
# --------------------------------------------------------------------------

NVARS = 4
expressions = make_expressions(NVARS, max_leaves=12)
_outcome, _both_backends = outcome, both_backends


def _gradient_of(ns, tree, x):
    return _outcome(lambda: ns.value_and_gradient(lambda v: evaluate(tree, ns, v), x))


@settings(max_examples=150)
@given(tree=expressions, x=st.lists(st.floats(-3.0, 3.0), min_size=NVARS, max_size=NVARS))
@example(tree=("op", "+", ("fn", "sqrt", ("x", 0)), ("x", 1)), x=[0.0, 1.0, 0.0, 0.0])
@example(tree=("op", "hypot", ("x", 2), ("op", "*", ("x", 3), ("x", 0))), x=[0.0, 0.0, 0.0, 0.0])
def test_backends_agree_on_random_gradients(tree, x):
    C, PY = _both_backends()
    c, py = _gradient_of(C, tree, x), _gradient_of(PY, tree, x)
    if isinstance(c, type) or isinstance(py, type):
        assert c == py, f"{tree} at {x}: compiled {c}, pure Python {py}"
        return
    assert ulps_apart(c[0], py[0]) <= 4, (tree, x, c[0], py[0])
    assert_apart(c[1], py[1], 4, f"gradient of {tree} at {x}")
    # and jvp along a direction agrees too
    v = [1.0, -0.5, 0.25, 2.0]
    jc = _outcome(lambda: C.jvp(lambda t: evaluate(tree, C, t), x, v))
    jp = _outcome(lambda: PY.jvp(lambda t: evaluate(tree, PY, t), x, v))
    if isinstance(jc, type) or isinstance(jp, type):
        assert jc == jp
    else:
        assert ulps_apart(jc, jp) <= 4, (tree, x, jc, jp)


@pytest.mark.parametrize("n", [2, 10, 100])
@pytest.mark.parametrize("form", sorted(ROSEN_FORMS))
def test_backends_agree_on_rosenbrock(form, n):
    C, PY = _both_backends()
    for x in rosen_points(n):
        assert_apart(C.gradient(ROSEN_FORMS[form], x), PY.gradient(ROSEN_FORMS[form], x), 4,
                     f"{form} n={n}")


def test_jvp_and_hvp_without_a_point_return_functions(dd):
    f = lambda v: v[0] ** 2 * v[1]   # noqa: E731
    jvp_f, hvp_f = dd.jvp(f), dd.hvp(f)
    assert callable(jvp_f) and callable(hvp_f)
    assert jvp_f([1.0, 2.0], [1.0, 0.0]) == dd.jvp(f, [1.0, 2.0], [1.0, 0.0]) == 4.0
    assert hvp_f([1.0, 2.0], [1.0, 0.0]).tolist() == dd.hvp(f, [1.0, 2.0], [1.0, 0.0]).tolist() == [4.0, 2.0]
    with pytest.raises(TypeError, match="direction v"):
        dd.jvp(f, [1.0, 2.0])
    with pytest.raises(TypeError, match="direction v"):
        dd.hvp(f, [1.0, 2.0])
    with pytest.raises(TypeError, match="callable"):
        dd.hvp(3.0)


# --------------------------------------------------------------------------
# vectorized=True: one DualArray of n tangent directions
# --------------------------------------------------------------------------

_RNG = np.random.default_rng(7)
_A = _RNG.normal(size=(6, 5))
_B = _RNG.normal(size=(5, 5))
_X5 = _RNG.uniform(-1.0, 1.0, 5)

#: dense functions written with array operations, with their exact gradients
#: (closed forms in mpmath at DIGITS digits)
VECTORIZED_SCALAR = {
    "logsumexp(A x)": (
        lambda dd, v: dd.logsumexp(_A @ v),
        lambda v: (lambda z: [sum(mpmath.exp(zi) * _A[i, j] for i, zi in enumerate(z))
                              / sum(mpmath.exp(zi) for zi in z) for j in range(5)])(
            [sum(mp(_A[i, j]) * v[j] for j in range(5)) for i in range(6)])),
    "x B x": (
        lambda dd, v: v @ (_B @ v),
        lambda v: [sum((mp(_B[j, k]) + mp(_B[k, j])) * v[k] for k in range(5)) for j in range(5)]),
    "sum sin(x)^2 exp(x)": (
        lambda dd, v: np.sum(np.sin(v) ** 2 * np.exp(v)),
        lambda v: [mpmath.sin(a) * mpmath.exp(a) * (2 * mpmath.cos(a) + mpmath.sin(a)) for a in v]),
    "rosen vectorised": (
        lambda dd, v: np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2),
        lambda v: [mp(d) for d in rosen_der(np.array([float(a) for a in v]))]),
}


@pytest.mark.parametrize("name", sorted(VECTORIZED_SCALAR))
def test_vectorized_gradient_against_mpmath(dd, name):
    f, exact = VECTORIZED_SCALAR[name]
    with mpmath.workdps(DIGITS):
        true = [float(t) for t in exact([mp(a) for a in _X5])]
    got = dd.gradient(lambda v: f(dd, v), _X5, vectorized=True)
    assert type(got) is np.ndarray and got.dtype == np.float64 and got.shape == (5,)
    scale = max(abs(t) for t in true)
    for g, t in zip(got, true):
        assert abs(g - t) <= GRAD_ULPS * EPS * scale * 8, (name, got, true)
    # the sparse default path agrees
    sparse = dd.gradient(lambda v: f(dd, v), _X5)
    assert np.allclose(got, sparse, rtol=0, atol=16 * EPS * scale)
    value, grad = dd.value_and_gradient(lambda v: f(dd, v), _X5, vectorized=True)
    assert type(value) is float and np.array_equal(grad, got)
    assert np.array_equal(dd.gradient(lambda v: f(dd, v), vectorized=True)(_X5), got)


def test_vectorized_jacobian_and_jvp_equal_the_default_path(dd):
    def f(v):
        return np.tanh(_A @ v) * v[0]

    for x in (_X5, _X5[::-1].copy()):
        j_vec = dd.jacobian(f, x, vectorized=True)
        j = dd.jacobian(f, x)
        assert j_vec.shape == (6, 5) and j_vec.dtype == np.float64
        assert np.allclose(j_vec, j, rtol=0, atol=1e-14)
        v = np.arange(1.0, 6.0)
        assert np.allclose(dd.jvp(f, x, v, vectorized=True), j @ v, rtol=0, atol=1e-13)
        assert np.allclose(dd.jvp(f, vectorized=True)(x, v), j @ v, rtol=0, atol=1e-13)
    # a scalar-valued f: the Jacobian is the gradient; jvp a float
    g = dd.jacobian(lambda v: dd.logsumexp(v), _X5, vectorized=True)
    assert g.shape == (5,) and np.allclose(g, np.exp(_X5) / np.exp(_X5).sum(), atol=1e-15)
    assert type(dd.jvp(lambda v: dd.logsumexp(v), _X5, np.ones(5), vectorized=True)) is float
    # a reduction of a one-direction DualArray is a Dual
    assert dd.jvp(lambda v: v.sum() * v[0], _X5, np.ones(5), vectorized=True) == \
        dd.jvp(lambda v: v.sum() * v[0], _X5, np.ones(5))


def test_vectorized_jacobian_and_jvp_of_a_list_of_elements(dd):
    # f returning a list or tuple of elements of the DualArray (0-d arrays),
    # as the docstring's example does; they once went through ndarray() and raised
    def f(v):
        return [v[0] * v[1], v[0] + v[1]]

    assert dd.jacobian(f, [2.0, 3.0], vectorized=True).tolist() == [[3.0, 2.0], [1.0, 1.0]]
    assert dd.jacobian(lambda v: (v[0], 2.0), [2.0, 3.0],
                       vectorized=True).tolist() == [[1.0, 0.0], [0.0, 0.0]]
    # and jvp: the elements of a one-direction DualArray are Duals
    assert dd.jvp(f, [2.0, 3.0], [1.0, 0.0], vectorized=True).tolist() == [3.0, 1.0]
    assert dd.jvp(lambda v: (v @ v, 2.0), [2.0, 3.0], [1.0, 1.0],
                  vectorized=True).tolist() == [10.0, 0.0]


def test_vectorized_softmax_jacobian_is_diag_minus_outer(dd):
    s = np.exp(_X5) / np.exp(_X5).sum()
    j = dd.jacobian(lambda v: dd.softmax(v), _X5, vectorized=True)
    assert np.allclose(j, np.diag(s) - np.outer(s, s), rtol=0, atol=1e-16)


def test_vectorized_constant_and_zero_partials(dd):
    assert np.array_equal(dd.gradient(lambda v: 3.0, _X5, vectorized=True), np.zeros(5))
    # partials that are exactly zero stay zero, even beside an infinite one
    g = dd.gradient(lambda v: np.sum(np.sqrt(v[:2])), np.array([0.0, 4.0, 1.0]),
                    vectorized=True)
    assert g.tolist() == [math.inf, 0.25, 0.0]
    assert dd.jvp(lambda v: 2.0, _X5, np.ones(5), vectorized=True) == 0.0


def test_vectorized_refuses_what_an_array_cannot_do(dd):
    def branching(v):
        return np.sum(v) if v > 0 else -np.sum(v)   # the truth of a whole array

    with pytest.raises(ValueError, match="truth value"):
        dd.gradient(branching, [1.0, 2.0], vectorized=True)
    # an element is a 0-d array, whose truth is its value's
    assert dd.gradient(lambda v: v[0] if v[1] > 0 else -v[0], [1.0, 2.0],
                       vectorized=True).tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="derivative"):
        dd.gradient(lambda v: math.sin(v), [1.0, 2.0], vectorized=True)
    # the default path takes such code
    assert dd.gradient(lambda v: v[0] if v[1] > 0 else -v[0], [1.0, 2.0]).tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="HyperDualArray|returned"):
        dd.gradient(lambda v: dd.HyperDualArray(1.0, 1.0), [1.0, 2.0], vectorized=True)


def test_float_array_times_one_variable_maps_over_the_array(dd):
    # ndarray * GradientDual: NumPy maps the number over the array's elements
    # (the pure backend once deferred to it and raised TypeError)
    x = np.array([1.0, 2.0])
    assert dd.jacobian(lambda v: np.array([1.0, 2.0]) * v[0], x).tolist() == [[1.0, 0.0],
                                                                                [2.0, 0.0]]
    assert dd.hessian(lambda v: np.array([1.0, 2.0]) @ (v * v[0]), x).tolist() == [[2.0, 2.0],
                                                                                  [2.0, 0.0]]


# --------------------------------------------------------------------------
# hessian(vectorized=True): one array of n first and n*n second partials
# --------------------------------------------------------------------------

VECTORIZED_HESSIAN = {
    "logsumexp(A x)": lambda dd, v: dd.logsumexp(_A @ v),
    "x B x": lambda dd, v: v @ (_B @ v),
    "sum sin(x)^2 exp(x)": lambda dd, v: np.sum(np.sin(v) ** 2 * np.exp(v)),
    "rosen vectorised": lambda dd, v: np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2
                                            + (1 - v[:-1]) ** 2),
    "quotient, arctan2, hypot": lambda dd, v: (np.sum(v / (2.0 + v * v))
                                               + dd.arctan2(v[0], v[1] + 3.0)
                                               + np.hypot(v[2], v[3])),
    "array exponent": lambda dd, v: np.sum((v + 2.0) ** v),
    "norm and prod": lambda dd, v: np.linalg.norm(v) + np.prod(v[:3]),
    "softmax entry": lambda dd, v: dd.softmax(v)[2] * v[1],
    "(A x) . (A x) by matmul": lambda dd, v: (_A @ v) @ (_A @ v),
}


@pytest.mark.parametrize("name", sorted(VECTORIZED_HESSIAN))
def test_vectorized_hessian_equals_the_hessiandual_one(dd, name):
    f = VECTORIZED_HESSIAN[name]
    h_vec = dd.hessian(lambda v: f(dd, v), _X5, vectorized=True)
    h = dd.hessian(lambda v: f(dd, v), _X5)
    assert type(h_vec) is np.ndarray and h_vec.dtype == np.float64 and h_vec.shape == (5, 5)
    assert np.array_equal(h_vec, h_vec.T)   # exactly symmetric
    scale = np.max(np.abs(h))
    assert np.max(np.abs(h_vec - h)) <= 16 * EPS * scale, (name, h_vec - h)
    assert np.array_equal(dd.hessian(lambda v: f(dd, v), vectorized=True)(_X5), h_vec)
    v = np.arange(1.0, 6.0)
    assert np.allclose(dd.hvp(lambda p: f(dd, p), _X5, v, vectorized=True), h_vec @ v,
                       rtol=0, atol=1e-13 * max(1.0, scale))


def test_vectorized_hessian_against_mpmath(dd):
    # x B x: the Hessian is B + B^T exactly; logsumexp(A x): A^T (diag(p) - p p^T) A
    h = dd.hessian(lambda v: v @ (_B @ v), _X5, vectorized=True)
    assert np.array_equal(h, _B + _B.T)
    with mpmath.workdps(DIGITS):
        z = [sum(mp(_A[i, j]) * mp(_X5[j]) for j in range(5)) for i in range(6)]
        s = sum(mpmath.exp(zi) for zi in z)
        p = [mpmath.exp(zi) / s for zi in z]
        true = [[sum(mp(_A[i, j]) * mp(_A[i, k]) * p[i] for i in range(6))
                 - sum(mp(_A[i, j]) * p[i] for i in range(6))
                 * sum(mp(_A[i, k]) * p[i] for i in range(6)) for k in range(5)]
                for j in range(5)]
    got = dd.hessian(lambda v: dd.logsumexp(_A @ v), _X5, vectorized=True)
    scale = max(abs(float(t)) for row in true for t in row)
    for j in range(5):
        for k in range(5):
            assert abs(got[j, k] - float(true[j][k])) <= 32 * EPS * scale


def test_vectorized_hessian_edges(dd):
    assert np.array_equal(dd.hessian(lambda v: 2.0, _X5, vectorized=True), np.zeros((5, 5)))
    # zero stays zero beside an infinite second partial (sqrt at 0)
    h = dd.hessian(lambda v: np.sum(np.sqrt(v[:1])) + v[1] * v[2], [0.0, 1.0, 2.0],
                   vectorized=True)
    assert h[0, 0] == -math.inf and h[1, 2] == h[2, 1] == 1.0
    assert h[0, 1] == h[1, 0] == 0.0 and h[1, 1] == 0.0
    with pytest.raises(TypeError, match="returned"):
        dd.hessian(lambda v: v * 2.0, [1.0, 2.0], vectorized=True)   # not one number
    with pytest.raises(TypeError, match="derivative"):
        dd.hessian(lambda v: math.exp(v[0]), [1.0, 2.0], vectorized=True)
