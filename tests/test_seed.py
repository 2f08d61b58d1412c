"""The seed tutorial (``seed/derivatives.md``), example by example.

Every rule, table row and code example of the seed that needs only scalars
is checked against dualdiff on each backend: the derivatives the seed states,
its activation table, the vanishing-gradient chain, and its own finite
differences and ``Activations`` class as the baseline dualdiff must match or
beat.  Integer polynomials at dyadic points are exact in binary, so those
results are compared with ``==``.
"""

import math

import mpmath
import numpy as np
import pytest

EPS = 2.0 ** -52
POINTS = (-2.5, -1.25, -0.3, 0.0, 0.7, 1.0, 2.0, 3.5)
POSITIVE = (1e-3, 0.3, 1.0, 2.0, 7.5, 1e3)
DYADIC = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0)


def assert_close(actual, expected, ulps=4, scale=None):
    """|actual - expected| <= ulps * eps * scale (scale defaults to |expected|).

    ``scale`` is the size of the terms that were summed, where a sum cancels.
    """
    if actual == expected:
        return
    bound = ulps * EPS * (abs(expected) if scale is None else scale)
    assert abs(actual - expected) <= bound, (
        f"{actual!r} != {expected!r}: off by {abs(actual - expected):.3g} > {bound:.3g}"
    )


# --------------------------------------------------------------------------
# The seed's code, verbatim (minus torch and the prints)
# --------------------------------------------------------------------------

def numerical_derivative(f, x, h=1e-5):
    """Central difference approximation."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_second_derivative(f, x, h=1e-5):
    """Second derivative approximation."""
    return (f(x + h) - 2*f(x) + f(x - h)) / h**2


class Activations:
    @staticmethod
    def sigmoid(x):
        return 1 / (1 + np.exp(-np.clip(x, -500, 500)))

    @staticmethod
    def sigmoid_derivative(x):
        s = Activations.sigmoid(x)
        return s * (1 - s)

    @staticmethod
    def relu(x):
        return np.maximum(0, x)

    @staticmethod
    def relu_derivative(x):
        return (x > 0).astype(float)

    @staticmethod
    def tanh(x):
        return np.tanh(x)

    @staticmethod
    def tanh_derivative(x):
        return 1 - np.tanh(x)**2

    @staticmethod
    def leaky_relu(x, alpha=0.01):
        return np.where(x > 0, x, alpha * x)

    @staticmethod
    def leaky_relu_derivative(x, alpha=0.01):
        return np.where(x > 0, 1, alpha)


def cubic(x):
    return x**3 + 2*x**2 - x + 1   # f(x) = x³ + 2x² - x + 1


# --------------------------------------------------------------------------
# Section 6: automatic differentiation of the cubic, higher order of x⁴
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x", [2.0, 2])
def test_cubic_value_derivative_second_derivative(dd, x):
    assert dd.value_and_derivative(cubic, x) == (15.0, 19.0)
    assert dd.derivative(cubic, x) == 19.0
    assert dd.second_derivative(cubic, x) == 16.0   # 6x + 4


def test_cubic_with_the_number_types(dd):
    y = cubic(dd.Dual(2.0, 1.0))
    assert (y.real, y.dual) == (15.0, 19.0)
    h = cubic(dd.HyperDual(2.0, 1.0, 1.0, 0.0))
    assert (h.real, h.e1, h.e2, h.e12) == (15.0, 19.0, 19.0, 16.0)


def test_higher_order_x4(dd):
    def f(x):
        return x**4
    assert dd.derivative(f, 2.0) == 32.0    # 4*8
    assert dd.second_derivative(f, 2.0) == 48.0   # 12*4
    h = f(dd.HyperDual(2.0, 1.0, 1.0, 0.0))
    assert (h.real, h.e1, h.e2, h.e12) == (16.0, 32.0, 32.0, 48.0)


@pytest.mark.parametrize("x", DYADIC)
def test_proof_x_squared(dd, x):
    assert dd.derivative(lambda t: t**2, x) == 2 * x
    assert dd.derivative(lambda t: t * t, x) == 2 * x
    assert dd.second_derivative(lambda t: t**2, x) == 2.0


# --------------------------------------------------------------------------
# Section 2: basic rules
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x", DYADIC)
def test_basic_rules_table(dd, x):
    assert dd.derivative(lambda t: 5.0, x) == 0.0                 # constant
    assert dd.derivative(lambda t: t**3, x) == 3 * x**2          # power
    assert dd.derivative(lambda t: t**2 + t, x) == 2 * x + 1     # sum


@pytest.mark.parametrize("x", POINTS)
def test_product_rule_x_exp_x(dd, x):
    e = math.exp(x)
    assert_close(dd.derivative(lambda t: t * dd.exp(t), x), e + x * e,
                 scale=e + abs(x * e))


@pytest.mark.parametrize("x", (-3.0, -2.5, -0.5, 0.0, 0.3, 1.0, 2.0, 3.0))
def test_quotient_rule_x_over_x_plus_1(dd, x):
    # the quotient's tangent is (1 - x/(x+1)) / (x+1): a few roundings
    assert_close(dd.derivative(lambda t: t / (t + 1), x), 1 / (x + 1) ** 2, ulps=16)


@pytest.mark.parametrize("x", POINTS)
def test_chain_rule_sin_x_squared(dd, x):
    assert_close(dd.derivative(lambda t: dd.sin(t**2), x), math.cos(x**2) * 2 * x)


# --------------------------------------------------------------------------
# Section 3: standard functions (first and second derivatives)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("n", range(-3, 6))
@pytest.mark.parametrize("x", POINTS)
def test_power_rule(dd, n, x):
    if x == 0.0 and n < 0:
        return   # outside the domain of x^n
    d1 = 0.0 if n == 0 else n * x ** (n - 1)
    d2 = 0.0 if n in (0, 1) else n * (n - 1) * x ** (n - 2)
    assert_close(dd.derivative(lambda t: t**n, x), d1)
    assert_close(dd.second_derivative(lambda t: t**n, x), d2)


@pytest.mark.parametrize("x", POINTS)
def test_exp(dd, x):
    assert_close(dd.derivative(dd.exp, x), math.exp(x))
    assert_close(dd.second_derivative(dd.exp, x), math.exp(x))


@pytest.mark.parametrize("x", POSITIVE)
def test_ln(dd, x):
    assert_close(dd.derivative(dd.log, x), 1 / x)
    assert_close(dd.second_derivative(dd.log, x), -1 / x**2)


@pytest.mark.parametrize("x", POINTS)
def test_sin_cos(dd, x):
    assert_close(dd.derivative(dd.sin, x), math.cos(x))
    assert_close(dd.derivative(dd.cos, x), -math.sin(x))
    assert_close(dd.second_derivative(dd.sin, x), -math.sin(x))
    assert_close(dd.second_derivative(dd.cos, x), -math.cos(x))


@pytest.mark.parametrize("x", (-1.5, -1.25, -0.3, 0.0, 0.7, 1.0, 1.5, 2.0, 3.5))
def test_tan_is_sec_squared(dd, x):
    sec2 = 1 / math.cos(x) ** 2
    assert_close(dd.derivative(dd.tan, x), sec2, ulps=8)
    assert_close(dd.second_derivative(dd.tan, x), 2 * math.tan(x) * sec2, ulps=16)


@pytest.mark.parametrize("a", (0.5, 2.0, math.e, 10.0))
@pytest.mark.parametrize("x", POINTS)
def test_a_to_the_x(dd, a, x):
    ax = a ** x
    assert_close(dd.derivative(lambda t: a ** t, x), ax * math.log(a))
    assert_close(dd.second_derivative(lambda t: a ** t, x), ax * math.log(a) ** 2, ulps=8)


@pytest.mark.parametrize("a", (0.5, 2.0, math.e, 10.0))
@pytest.mark.parametrize("x", POSITIVE)
def test_log_base_a(dd, a, x):
    assert_close(dd.log(x, a), math.log(x, a))
    assert_close(dd.derivative(lambda t: dd.log(t, a), x), 1 / (x * math.log(a)))
    assert_close(dd.second_derivative(lambda t: dd.log(t, a), x), -1 / (x * x * math.log(a)),
                 ulps=8)


# --------------------------------------------------------------------------
# Section 3: Examples 1-3
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x", DYADIC)
def test_example_1_polynomial(dd, x):
    def f(t):
        return 3 * t**4 - 2 * t**3 + t - 7
    assert dd.value_and_derivative(f, x) == (f(x), 12 * x**3 - 6 * x**2 + 1)
    assert dd.second_derivative(f, x) == 36 * x**2 - 12 * x


@pytest.mark.parametrize("x", POINTS)
def test_example_2_exponential(dd, x):
    assert_close(dd.derivative(lambda t: dd.exp(2 * t + 1), x), 2 * math.exp(2 * x + 1))
    assert_close(dd.second_derivative(lambda t: dd.exp(2 * t + 1), x), 4 * math.exp(2 * x + 1))


@pytest.mark.parametrize("x", POINTS)
def test_example_3_logarithm(dd, x):
    assert_close(dd.derivative(lambda t: dd.log(t**2 + 1), x), 2 * x / (x**2 + 1))
    d2 = (2 - 2 * x**2) / (x**2 + 1) ** 2
    assert_close(dd.second_derivative(lambda t: dd.log(t**2 + 1), x), d2, ulps=16,
                 scale=(2 + 2 * x**2) / (x**2 + 1) ** 2)


# --------------------------------------------------------------------------
# Section 4: activation functions
# --------------------------------------------------------------------------

ACT_POINTS = tuple(float(v) for v in np.linspace(-6, 6, 25))


@pytest.mark.parametrize("x", ACT_POINTS)
def test_relu_and_leaky_relu(dd, x):
    assert dd.relu(x) == max(0.0, x)
    assert dd.derivative(dd.relu, x) == (1.0 if x > 0 else 0.0)   # subgradient 0 at 0
    assert dd.leaky_relu(x) == max(0.01 * x, x)
    assert dd.derivative(dd.leaky_relu, x) == (1.0 if x > 0 else 0.01)
    assert dd.derivative(lambda t: dd.leaky_relu(t, alpha=0.2), x) == (1.0 if x > 0 else 0.2)
    assert dd.second_derivative(dd.relu, x) == 0.0


@pytest.mark.parametrize("x", ACT_POINTS)
def test_sigmoid_derivative_is_sigma_one_minus_sigma(dd, x):
    s = 1 / (1 + math.exp(-x))
    assert_close(dd.sigmoid(x), s, ulps=4)
    # σ(1 - σ) loses digits to cancellation as σ -> 1: hence the looser bound
    assert_close(dd.derivative(dd.sigmoid, x), s * (1 - s), ulps=1024)


def test_sigmoid_derivative_maximum_at_zero(dd):
    assert dd.derivative(dd.sigmoid, 0.0) == 0.25   # 0.5 × 0.5
    assert dd.derivative(dd.sigmoid, 0) == 0.25
    assert all(dd.derivative(dd.sigmoid, x) < 0.25 for x in ACT_POINTS if x != 0.0)


@pytest.mark.parametrize("x", (-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 3.0))
def test_tanh_derivative_is_one_minus_tanh_squared(dd, x):
    t = math.tanh(x)
    assert_close(dd.tanh(x), t)
    assert_close(dd.derivative(dd.tanh, x), 1 - t * t, ulps=256)
    assert dd.derivative(dd.tanh, 0.0) == 1.0


@pytest.mark.parametrize("x", ACT_POINTS[6:-6])
def test_gelu_derivative_is_phi_plus_x_pdf(dd, x):
    cdf = 0.5 * math.erfc(-x / math.sqrt(2))
    pdf = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert_close(dd.gelu(x), x * cdf, ulps=16)
    assert_close(dd.derivative(dd.gelu, x), cdf + x * pdf, ulps=16,
                 scale=cdf + abs(x * pdf))


@pytest.mark.parametrize("xs", [[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0], [3.0, -2.0]])
def test_softmax_jacobian(dd, xs):
    m = max(xs)
    e = [math.exp(v - m) for v in xs]
    p = [v / sum(e) for v in e]
    for j in range(len(xs)):   # column j: perturb x_j only
        out = dd.softmax([dd.Dual(v, 1.0 if i == j else 0.0) for i, v in enumerate(xs)])
        assert isinstance(out, list) and len(out) == len(xs)
        for i, o in enumerate(out):
            assert_close(o.real, p[i], ulps=8)
            expected = p[i] * ((1.0 if i == j else 0.0) - p[j])   # p_i(δ_ij - p_j)
            assert_close(o.dual, expected, ulps=16, scale=p[i] * (1.0 + p[j]))


# --------------------------------------------------------------------------
# Section 4: vanishing gradients
# --------------------------------------------------------------------------

def nest(f, n):
    def g(x):
        for _ in range(n):
            x = f(x)
        return x
    return g


@pytest.mark.parametrize("x0", (-2.0, 0.0, 0.5, 3.0))
def test_vanishing_gradient_through_ten_sigmoids(dd, x0):
    deep = dd.derivative(nest(dd.sigmoid, 10), x0)
    z, local, seed_local = x0, 1.0, 1.0
    for _ in range(10):
        local *= dd.derivative(dd.sigmoid, z)
        s = 1 / (1 + math.exp(-z))
        seed_local *= s * (1 - s)
        z = dd.sigmoid(z)
    assert_close(deep, local, ulps=32)          # chain rule: the product of local slopes
    assert_close(deep, seed_local, ulps=4096)
    assert 0.0 < deep < 0.25 ** 10               # gradient ∝ 0.25^n
    assert 1e-7 < 0.25 ** 10 < 1e-5              # "≈ 10^-6"


@pytest.mark.parametrize("x0", (0.1, 1.0, 5.0))
def test_relu_does_not_vanish(dd, x0):
    assert dd.derivative(nest(dd.relu, 10), x0) == 1.0


# --------------------------------------------------------------------------
# Section 5: partial derivatives (one seeded variable at a time)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x", (-1.5, 0.5, 2.0))
@pytest.mark.parametrize("y", (-2.0, 1.0, 3.0))
def test_partial_derivatives(dd, x, y):
    def f(a, b):
        return a**2 * b + 3 * a * b**2 + b**3
    assert dd.derivative(lambda t: f(t, y), x) == 2 * x * y + 3 * y**2
    assert dd.derivative(lambda t: f(x, t), y) == x**2 + 6 * x * y + 3 * y**2


def test_partial_derivatives_code_example(dd):
    def f(a, b):
        return a**2 * b + a * b**2
    assert dd.value_and_derivative(lambda t: f(t, 2.0), 1.0) == (6.0, 8.0)   # 2xy + y²
    assert dd.value_and_derivative(lambda t: f(1.0, t), 2.0) == (6.0, 5.0)   # x² + 2xy


# --------------------------------------------------------------------------
# Section 6: finite differences against exact derivatives
# --------------------------------------------------------------------------

def test_numerical_derivative_of_the_cubic(dd):
    fd1 = numerical_derivative(cubic, 2.0)
    fd2 = numerical_second_derivative(cubic, 2.0)
    assert abs(fd1 - 19) < 1e-6 and fd1 != 19.0        # "≈ 19"
    assert abs(fd2 - 16) < 1e-2 and fd2 != 16.0        # "≈ 16"
    assert dd.derivative(cubic, 2.0) == 19.0           # exact
    assert dd.second_derivative(cubic, 2.0) == 16.0


def _mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


# name, first and second derivative in mpmath
ORACLES = {
    "sin": (mpmath.cos, lambda x: -mpmath.sin(x)),
    "exp": (mpmath.exp, mpmath.exp),
    "log": (lambda x: 1 / x, lambda x: -1 / x**2),
    "tanh": (lambda x: mpmath.sech(x) ** 2, lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2),
    "sigmoid": (lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x),
                lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x) * (_mp_sigmoid(-x) - _mp_sigmoid(x))),
}


@pytest.mark.parametrize("name", sorted(ORACLES))
@pytest.mark.parametrize("x", (0.5, 1.3, 2.0))
def test_dual_error_is_rounding_level_and_fd_error_is_not(dd, name, x):
    f = getattr(dd, name)
    d1, d2 = ORACLES[name]
    with mpmath.workdps(50):
        true1 = float(d1(mpmath.mpf(x)))
        true2 = float(d2(mpmath.mpf(x)))
    ulp1, ulp2 = math.ulp(true1), math.ulp(true2)

    dual1 = dd.derivative(f, x)
    fd1 = numerical_derivative(f, x)
    assert abs(dual1 - true1) <= 4 * ulp1
    assert abs(fd1 - true1) > max(4 * ulp1, abs(dual1 - true1))
    assert abs(fd1 - true1) < 1e-8 * max(1.0, abs(true1))   # yet still ≈ f'

    dual2 = dd.second_derivative(f, x)
    fd2 = numerical_second_derivative(f, x)
    assert abs(dual2 - true2) <= 8 * ulp2
    assert abs(fd2 - true2) > max(8 * ulp2, abs(dual2 - true2))


def test_sigmoid_verification_at_half(dd):
    act = Activations()
    numerical_grad = numerical_derivative(act.sigmoid, 0.5)
    analytical_grad = act.sigmoid_derivative(0.5)
    exact = dd.derivative(dd.sigmoid, 0.5)
    assert f"{numerical_grad:.6f}" == f"{analytical_grad:.6f}" == f"{exact:.6f}"
    assert_close(exact, float(analytical_grad), ulps=16)


# --------------------------------------------------------------------------
# Section 6: the Activations class against dualdiff on np.linspace(-2, 2, 100)
# --------------------------------------------------------------------------

def test_activations_class_against_dualdiff(dd):
    act = Activations()
    for x in np.linspace(-2, 2, 100):   # np.float64 points, as the seed uses them
        assert_close(dd.sigmoid(x), float(act.sigmoid(x)), ulps=8)
        assert_close(dd.derivative(dd.sigmoid, x), float(act.sigmoid_derivative(x)), ulps=32)

        assert dd.relu(x) == act.relu(x)
        assert dd.derivative(dd.relu, x) == act.relu_derivative(x)

        assert_close(dd.tanh(x), float(act.tanh(x)), ulps=4)
        assert_close(dd.derivative(dd.tanh, x), float(act.tanh_derivative(x)), ulps=64)
        # the seed's own NumPy code differentiates: np.tanh(dual) is a dual
        assert dd.derivative(act.tanh, x) == dd.derivative(dd.tanh, x)

        assert dd.leaky_relu(x) == act.leaky_relu(x)
        assert dd.derivative(dd.leaky_relu, x) == act.leaky_relu_derivative(x)
        assert (dd.derivative(lambda t: dd.leaky_relu(t, alpha=0.1), x)
                == act.leaky_relu_derivative(x, alpha=0.1))
