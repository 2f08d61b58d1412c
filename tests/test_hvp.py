"""hvp(f, x, v) forward over forward: f evaluated once at numbers whose two
parts are GradientDuals (x_i + e_i + eps v_i), never the whole Hessian.

H v against mpmath (every rule of the table, products, quotients, powers,
Rosenbrock, logsumexp(A x)), against hessian(f, x) @ v, zero stays zero,
v / v exactly 0, scipy's Newton-CG with hessp, errors and nesting, and the
number type itself (through each backend's _DirectionalDual).
"""

import math
import pickle

import mpmath
import numpy as np
import pytest
import scipy.optimize
from scipy.optimize import rosen, rosen_hess_prod

import dualdiff
from dualdiff._public import load_backend, namespace
from _multihelp import mp, points, rosen_loop, ulps_of_max
from _oracles import ORACLES

DIGITS = 50
EPS = 2.0 ** -52
INF = math.inf
HVP_ULPS = 8   # in ulps of the largest |entry| of the true H v


def directional(dd):
    return load_backend(dd.backend)._DirectionalDual


def seeds(dd, x, v):
    """The numbers hvp evaluates f at, for x and v of floats."""
    D, G = directional(dd), dd.GradientDual
    return np.array([D(G(float(a), {i: 1.0}), G(float(b))) for i, (a, b) in enumerate(zip(x, v))],
                    dtype=object)


def mp_hvp(f, x, v):
    """H(x) v of f(list, module) by mpmath's high-precision differentiation."""
    n = len(x)
    with mpmath.workdps(DIGITS):
        args = [mp(t) for t in x]
        h = np.empty((n, n), dtype=object)
        for i in range(n):
            for j in range(i, n):
                order = [0] * n
                order[i] += 1
                order[j] += 1
                h[i, j] = h[j, i] = mpmath.diff(lambda *a: f(list(a), M), args, tuple(order))
        return h @ np.array([mp(t) for t in v], dtype=object)


# --------------------------------------------------------------------------
# mpmath as a module with dualdiff's names, for the oracle side of f(v, m)
# --------------------------------------------------------------------------

#: mpmath's version of each public function: the rules' oracles (tests/_oracles.py),
#: and the functions with parameters.
M = type("M", (), {})()
for _name, _fn in {
        **{rule: oracle.f for rule, oracle in ORACLES.items() if rule != "gelu_tanh"},
        "log": lambda t, base=None: mpmath.log(t) if base is None else mpmath.log(t) / mpmath.log(base),
        "gelu": lambda t, approximate=False: (ORACLES["gelu_tanh"].f(t) if approximate
                                             else ORACLES["gelu"].f(t)),
        "leaky_relu": lambda t, alpha=0.01: t if t > 0 else alpha * t,
        "arctan2": mpmath.atan2, "hypot": lambda a, b: mpmath.sqrt(a * a + b * b),
        "power": lambda a, b: a ** b,
        "logsumexp": lambda z: mpmath.log(sum(mpmath.exp(t) for t in z)),
}.items():
    setattr(M, _name, _fn)

#: where each rule is smooth and inside its domain: u = x0 x1 + x2 / 2 at
#: x = (2, a / 2, 0) is a
RULE_POINTS = {"arcsin": 0.3, "arccos": -0.4, "arctanh": 0.6, "arccosh": 1.7, "log1p": -0.3,
               "abs": -1.3, "sign": 0.7, "floor": 2.5, "ceil": -1.5, "relu": 0.8}


def rule_call(m, rule, t):
    if rule == "gelu_tanh":
        return m.gelu(t, approximate=True)
    return getattr(m, rule)(t)


@pytest.mark.parametrize("rule", dualdiff.RULE_NAMES)
def test_hvp_of_every_rule_against_mpmath(dd, rule):
    # f(u) with u = x0 x1 + x2 / 2: both f' (through u's Hessian) and f''
    # (through grad u grad u^T) reach H v, and a product on top of it
    def f(v, m):
        return rule_call(m, rule, v[0] * v[1] + v[2] / 2) * (v[2] + 3)

    a = RULE_POINTS.get(rule, 0.7)
    x, v = [2.0, a / 2, 0.0], [0.5, -1.25, 2.0]
    got = dd.hvp(lambda t: f(t, dd), x, v)
    true = mp_hvp(f, x, v)
    assert ulps_of_max(got, true) <= HVP_ULPS, (rule, got, true)


def binary_mix(v, m):
    """Products, quotients, powers (constant and variable exponent), arctan2,
    hypot, leaky_relu, gelu and log to a base."""
    x, y, z = v[0], v[1], v[2]
    return (x * y / z + z / (x * y) + x ** 2.5 + (y + 1) ** x + 2.0 ** (x * z) + z ** 3
            + 1.5 ** y + m.power(x, y) + m.arctan2(x, z * y) + m.hypot(x * z, y)
            + m.leaky_relu(x - 2 * y, 0.1) * m.gelu(y * z) + m.gelu(x, approximate=True) * z
            + m.log(x * z, 3.0) + 1 / (1 + m.exp(-x * y)))


@pytest.mark.parametrize("x, v", [([0.7, 1.3, 0.9], [0.4, -1.0, 2.0]),
                                  ([1.9, 0.3, 2.2], [-1.0, 0.5, 0.25]),
                                  ([0.4, 2.5, 1.1], [0.0, 1.0, 0.0])])
def test_hvp_of_products_quotients_powers_against_mpmath(dd, x, v):
    got = dd.hvp(lambda t: binary_mix(t, dd), x, v)
    assert ulps_of_max(got, mp_hvp(binary_mix, x, v)) <= HVP_ULPS


def rosen_hess_mp(x):
    with mpmath.workdps(DIGITS):
        t = [mp(a) for a in x]
        n = len(t)
        h = np.full((n, n), mpmath.mpf(0), dtype=object)
        for i in range(n - 1):
            h[i, i] += 1200 * t[i] ** 2 - 400 * t[i + 1] + 2
            h[i + 1, i + 1] += 200
            h[i, i + 1] += -400 * t[i]
            h[i + 1, i] += -400 * t[i]
        return h


@pytest.mark.parametrize("form", ["loop", "scipy"])
@pytest.mark.parametrize("n", [2, 10, 100])
def test_hvp_of_rosenbrock_against_mpmath(dd, form, n):
    f = rosen_loop if form == "loop" else rosen
    for seed in range(3):
        x, v = points(n, seed), points(n, 100 + seed)
        got = dd.hvp(f, x, v)
        with mpmath.workdps(DIGITS):
            true = rosen_hess_mp(x) @ np.array([mp(t) for t in v], dtype=object)
        assert ulps_of_max(got, true) <= HVP_ULPS
        # scipy's own product, in floats: a few ulps away
        assert np.allclose(got, rosen_hess_prod(x, v), rtol=1e-13, atol=1e-13 * np.max(np.abs(got)))


_A = np.array([[0.5, -1.0, 0.25, 2.0], [1.5, 0.75, -0.5, 0.0], [-2.0, 0.5, 1.0, 1.25],
               [0.0, 1.0, -1.5, 0.5], [1.0, 1.0, 1.0, 1.0]])


def logsumexp_composed(v, m):
    z = [sum(_A[i, j] * v[j] for j in range(4)) for i in range(5)]
    top = max(float(t.real) for t in z)
    return m.log(sum(m.exp(t - top) for t in z)) + top


def test_hvp_of_logsumexp_of_a_x_against_mpmath(dd):
    x, v = [0.3, -0.8, 1.1, 0.2], [1.0, -0.5, 0.25, 2.0]
    with mpmath.workdps(DIGITS):
        z = [sum(mp(_A[i, j]) * mp(x[j]) for j in range(4)) for i in range(5)]
        s = sum(mpmath.exp(t) for t in z)
        p = np.array([mpmath.exp(t) / s for t in z], dtype=object)
        a = np.array([[mp(e) for e in row] for row in _A], dtype=object)
        true = a.T @ ((np.diag(p) - np.outer(p, p)) @ (a @ np.array([mp(t) for t in v], dtype=object)))
    got = dd.hvp(lambda t: logsumexp_composed(t, dd), x, v)
    assert ulps_of_max(got, true) <= HVP_ULPS
    got = dd.hvp(lambda t: dd.log(np.sum(np.exp(_A @ t))), x, v)   # NumPy over objects
    assert ulps_of_max(got, true) <= HVP_ULPS


def test_hvp_through_dd_logsumexp_and_softmax(dd):
    x, v = [0.3, -0.8, 1.1, 0.2], [1.0, -0.5, 0.25, 2.0]
    composed = dd.hvp(lambda t: logsumexp_composed(t, dd), x, v)
    assert np.allclose(dd.hvp(lambda t: dd.logsumexp(_A @ t), x, v), composed, rtol=1e-14, atol=0)
    assert np.all(np.isfinite(dd.hvp(lambda t: dd.softmax(_A @ t)[2] * t[1], x, v)))


# --------------------------------------------------------------------------
# Against hessian(f, x) @ v
# --------------------------------------------------------------------------

SMOOTH = {
    "mixed": (lambda m: lambda v: (v[0] * v[1] * m.sin(v[2]) + m.exp(v[0] - v[3]) * m.hypot(v[1], v[2])
                                   + m.arctan2(v[0], v[1]) * m.log(1 + v[2] ** 2)
                                   + m.tanh(v[0] * v[1] - v[2]) ** 3 + v[3] ** v[1]), 4),
    "chain": (lambda m: lambda v: sum(m.sin(v[i] * v[i + 1]) + m.exp(-(v[i] ** 2)) * (1 + v[i + 1] ** 2)
                                      for i in range(len(v) - 1)) * m.arctan(v[0]), 5),
    "numpy": (lambda m: lambda v: np.sum(np.sin(v[1:] * v[:-1]) ** 2) * np.sum(v * (2.0 + v)), 6),
    "rosen": (lambda m: rosen, 6),
    "activations": (lambda m: lambda v: (m.sigmoid(v[0] * v[1]) * m.softplus(v[2] - v[0])
                                         + m.gelu(v[1] * v[2]) + m.leaky_relu(v[0] - v[2], 0.2) * v[1]
                                         + m.erf(v[0] * v[2]) * m.cbrt(v[1] + 3)), 3),
}


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_hvp_is_the_hessian_times_v(dd, name):
    make, n = SMOOTH[name]
    f = make(dd)
    rng = np.random.default_rng(7)
    for seed in range(3):
        x = points(n, 60 + seed, 0.2, 2.0)
        h = dd.hessian(f, x)
        v = rng.normal(size=n)
        got = dd.hvp(f, x, v)
        assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (n,)
        assert np.all(np.abs(got - h @ v) <= 4 * EPS * (np.abs(h) @ np.abs(v))), (name, got, h @ v)
        # along e_k, the second-order terms are summed as HessianDual sums
        # them: the column of the Hessian, bit for bit (rows up to k, the
        # triangle hessian() reads), for functions without a division
        for k in range(n):
            e = np.zeros(n)
            e[k] = 1.0
            assert dd.hvp(f, x, e)[:k + 1].tolist() == h[:k + 1, k].tolist(), (name, k)


def _compiled_backend_built():
    try:
        load_backend("c")
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _compiled_backend_built(), reason="the compiled backend is not built: "
                    "parity needs both backends")
def test_backends_agree_bit_for_bit_on_rosenbrock(dd):
    x, v = points(30, 5), points(30, 6)
    other = namespace("python" if dd.backend == "c" else "c")
    assert dd.hvp(rosen_loop, x, v).tolist() == other.hvp(rosen_loop, x, v).tolist()
    assert dd.hvp(rosen, x, v).tolist() == other.hvp(rosen, x, v).tolist()


# --------------------------------------------------------------------------
# Exact zeros, zero stays zero, infinities
# --------------------------------------------------------------------------

def test_quotient_of_equal_numbers_is_exactly_constant(dd):
    # v / v and (x y) / (x y) are constants: H v is exactly 0, even where the
    # reciprocal's second derivative 2 / y^3 overflows (y ~ 1e-110)
    for x in ([1e-110, 3.0], [0.7, -1.3], [1e-200, 1e150]):
        v = [1.0, -2.0]
        assert dd.hvp(lambda t: t[0] / t[0], x, v).tolist() == [0.0, 0.0]
        assert dd.hvp(lambda t: (t[0] * t[1]) / (t[0] * t[1]) + t[1], x, v).tolist() == [0.0, 0.0]
        assert dd.hvp(lambda t: t[1] * (t[0] / t[0]) + t[0] / t[0] * t[0], x, v).tolist() == [0.0, 0.0]


def test_zero_direction_stays_zero_where_the_hessian_is_infinite(dd):
    # H = [[-inf, 0, 0], [0, 2, inf], [0, inf, -inf]] at (0, 1, 0): v = (0, 1, 0)
    # gives (0, 2, inf), not nan from -inf * 0
    f = lambda v: dd.sqrt(v[0]) + v[1] ** 2 + dd.sqrt(v[2]) * v[1]
    assert dd.hvp(f, [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]).tolist() == [0.0, 2.0, INF]
    assert dd.hvp(f, [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]).tolist() == [-INF, 0.0, 0.0]
    assert dd.hvp(f, [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]).tolist() == [0.0, 0.0, 0.0]
    # a zero partial carried along (x + 0 y under sqrt) stays zero too
    g = lambda v: dd.sqrt(v[0] + 0.0 * v[1]) + v[1] ** 3
    assert dd.hvp(g, [0.0, 2.0], [0.0, 1.0]).tolist() == [0.0, 12.0]
    assert not np.any(np.isnan(dd.hvp(lambda v: dd.arcsin(v[0]) + dd.exp(v[1]), [1.0, 0.0], [0.0, 1.0])))


def test_constant_and_linear_functions(dd):
    for f in (lambda v: 3.0, lambda v: 3, lambda v: np.float64(3.0), lambda v: 2.0 * v[0] - v[1] + 1,
              lambda v: np.sum(v * 3.0), lambda v: -v[2] + v[0] / 4.0):
        got = dd.hvp(f, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
        assert got.dtype == np.float64 and got.tolist() == [0.0, 0.0, 0.0]
    assert dd.hvp(lambda v: np.array(v[0] * v[1]), [1.0, 2.0], [1.0, 0.0]).tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------
# scipy.optimize
# --------------------------------------------------------------------------

@pytest.mark.parametrize("n", [5, 30])
def test_newton_cg_with_hessp_converges(dd, n):
    x0 = np.linspace(-1.2, 1.6, n)
    ours = scipy.optimize.minimize(rosen, x0, method="Newton-CG", jac=dd.gradient(rosen),
                                   hessp=dd.hvp(rosen))
    theirs = scipy.optimize.minimize(rosen, x0, method="Newton-CG", jac=scipy.optimize.rosen_der,
                                     hessp=rosen_hess_prod)
    assert ours.success and np.allclose(ours.x, 1.0, atol=2e-2)   # it stops at a relative step of 1e-5
    assert ours.nit == theirs.nit and ours.nhev == theirs.nhev


# --------------------------------------------------------------------------
# Errors and nesting, as hvp had them
# --------------------------------------------------------------------------

def test_errors(dd):
    f = lambda v: v[0] * v[1]
    with pytest.raises(ValueError, match="shape"):
        dd.hvp(f, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError):
        dd.hvp(f, [1.0, 2.0], 1.0)
    with pytest.raises(TypeError):
        dd.hvp(f, 2.0, [1.0])
    with pytest.raises(TypeError):
        dd.hvp(42, [1.0], [1.0])
    with pytest.raises(TypeError, match="not a number"):
        dd.hvp(lambda v: [v[0], v[1]], [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="not a number"):
        dd.hvp(lambda v: "3", [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError):
        dd.hvp(lambda v: dd.log(v[0]), [-1.0], [1.0])
    with pytest.raises(ZeroDivisionError):
        dd.hvp(lambda v: v[1] / (v[0] - 1.0), [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(OverflowError):
        dd.hvp(lambda v: dd.exp(v[0]), [1000.0], [1.0])
    with pytest.raises(ValueError):
        dd.hvp(lambda v: v[0] ** v[1], [-2.0, 0.5], [1.0, 1.0])
    assert dd.hvp(lambda v: v[0] ** 3, [-2.0], [1.0]).tolist() == [-12.0]   # a constant exponent
    with pytest.raises(TypeError, match="float"):
        dd.hvp(lambda v: math.sin(v[0]), [1.0], [1.0])


def test_inside_a_derivative_call_is_refused(dd):
    # an enclosing call's Dual and hvp's numbers meet: a TypeError, never a
    # silently dropped perturbation
    with pytest.raises(TypeError):
        dd.derivative(lambda s: dd.hvp(lambda v: s * v[0] ** 2, [3.0], [1.0])[0], 5.0)
    with pytest.raises(TypeError):
        dd.hvp(lambda v: v[0] ** 2, [dd.Dual(3.0, 1.0)], [1.0])


def test_numbers_of_two_calls_never_mix(dd):
    def outer(y):
        return dd.hvp(lambda v: v[0] * y[0], [1.0], [1.0])[0]

    with pytest.raises(TypeError, match="two different"):
        dd.hvp(outer, [2.0], [1.0])
    with pytest.raises(TypeError):
        dd.gradient(outer, [2.0])


# --------------------------------------------------------------------------
# The number type
# --------------------------------------------------------------------------

def test_the_number_type(dd):
    D, G = directional(dd), dd.GradientDual
    x = D(G(3.0, {0: 1.0}), G(1.0))
    y = D(G(2.0, {1: 1.0}), G(0.0))
    r = x * x * y
    assert r.real == 18.0 and r.primal.partials == {0: 12.0, 1: 9.0}
    assert r.tangent.real == 12.0 and r.tangent.partials == {0: 4.0, 1: 6.0}
    with pytest.raises(TypeError, match="float"):
        float(r)
    with pytest.raises(TypeError):
        D(3.0, G(1.0))
    # comparisons and truth on the real part
    assert x > y and y < 2.5 and x == 3.0 and 3 == x and x != y and x >= 3 and not (x <= 2)
    assert bool(x) and not bool(D(G(0.0), G(1.0)))
    # protocol
    assert pickle.loads(pickle.dumps(r)).tangent.partials == r.tangent.partials
    assert repr(r).startswith(f"{D.__name__}(GradientDual(18.0")
    assert +r is r
    s = -r
    assert s.real == -18.0 and s.tangent.partials == {0: -4.0, 1: -6.0}
    # operands: ints, floats, NumPy scalars on either side; others refused
    for t in (2 - x, x - 2, 2 * x, x * np.float64(2.0), 1 / x, x / 2, 2 ** x, x ** 2, x + 1, 1 + x):
        assert type(t) is D
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x * G(1.0, {0: 1.0})


def test_every_function_reaches_the_type_through_its_method(dd):
    # as np.sin(object array) calls .sin(): each method equals dd.<name>
    D, G = directional(dd), dd.GradientDual
    for rule in dualdiff.RULE_NAMES:
        a = RULE_POINTS.get(rule, 0.7)
        x = D(G(a, {0: 1.0}), G(0.5))
        via_function = rule_call(dd, rule, x)
        via_method = x.gelu(approximate=True) if rule == "gelu_tanh" else getattr(x, rule)()
        for p in ("primal", "tangent"):
            u, w = getattr(via_function, p), getattr(via_method, p)
            assert u.real == w.real and u.partials == w.partials, rule
    x = D(G(0.6, {0: 1.0}), G(0.5))
    for t, w in ((abs(x), dd.abs(x)), (math.floor(x), dd.floor(x)), (math.ceil(x), dd.ceil(x)),
                 (x.log(2.0), dd.log(x, 2.0)), (x.leaky_relu(0.3), dd.leaky_relu(x, 0.3)),
                 (x.arctan2(2.0), dd.arctan2(x, 2.0)), (x.hypot(x), dd.hypot(x, x)),
                 (np.exp(np.array([x]))[0], dd.exp(x))):
        assert t.real == w.real and t.tangent.partials == w.tangent.partials


def test_value_and_gradient_come_bitwise_from_the_primal_part(dd):
    x, v = points(12, 3), points(12, 4)
    y = rosen_loop(seeds(dd, x, v))
    assert y.real == rosen_loop(list(x))
    assert y.primal.gradient(12).tolist() == dd.gradient(rosen_loop, x).tolist()
    assert y.tangent.real == dd.jvp(rosen_loop, x, v)
    assert y.tangent.gradient(12).tolist() == dd.hvp(rosen_loop, x, v).tolist()
