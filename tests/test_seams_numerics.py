"""Scalar and sparse numerics at the seams (issue 12, items 3, 4, 5 and 7).

* Item 3: the second-order term c s t (f'' e1 e2, a Hessian's f'' g_i g_j, a
  two-argument function's h_ij s t) where e1 e2 or an intermediate
  underflows or overflows while the term is representable.
* Item 4: HessianDual division by the quotient rule: v/v has an exactly zero
  Hessian; |y| < 1e-103 gives the finite Hessian.
* Item 5: pow's coefficient p v/a under/overflowing where the product with
  the tangent is representable: (x**x)' at a subnormal x, (e^x)**-1 at 700.
* Item 7: log(x, base) with f'' = -(1/x)((1/x)/ln b) for every number type;
  arrays follow NumPy for every base, scalars keep math.log's errors.

Every expected value comes from mpmath at 50 digits or from exact algebra.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest

DIGITS = 50


def mp(fn, *args):
    """fn(*args) in mpmath at DIGITS digits, rounded to a float."""
    with mpmath.workdps(DIGITS):
        return float(fn(*(mpmath.mpf(a) for a in args)))


def ulps(got, true):
    """|got - true| in ulps of true (true a nonzero finite float)."""
    return abs(got - true) / math.ulp(true)


def close(got, true, limit=8):
    return math.isfinite(got) and ulps(got, true) <= limit


# ---------------------------------------------------------------------------
# Item 3: three-factor products
# ---------------------------------------------------------------------------

def test_hyperdual_e1_e2_underflow(dd):
    # e1 e2 = 1e-340 underflows to 0; f'' e1 e2 = -1e300 * 1e-340 = -1e-40 does not
    h = dd.log(dd.HyperDual(1e-150, 1e-170, 1e-170, 0.0))
    true = mp(lambda x, s: -(s * s) / (x * x), 1e-150, 1e-170)
    assert close(h.e12, true), h.e12


def test_hyperdual_e1_e2_overflow(dd):
    # e1 e2 = 1e320 overflows to inf; e^-700 e1 e2 is about 9.9e15
    h = dd.exp(dd.HyperDual(-700.0, 1e160, 1e160, 0.0))
    true = mp(lambda x, s: mpmath.exp(x) * s * s, -700.0, 1e160)
    assert close(h.e12, true), h.e12


def test_second_derivative_through_a_tiny_scale(dd):
    # log(t 1e-170)'' = -1/t^2 for every t; inside, e1 e2 = 1e-340
    got = dd.second_derivative(lambda t: dd.log(t * 1e-170), 1e20)
    assert close(got, -1e-40), got


def test_second_derivative_of_arrays_through_a_tiny_scale(dd):
    t = np.array([1e20, 3e20, 7.5e19])
    got = dd.second_derivative(lambda u: dd.log(u * 1e-170), t)
    for g, x in zip(got, t):
        assert close(float(g), mp(lambda x: -1 / (x * x), x)), got


def test_hyperdual_array_e1_e2_underflow(dd):
    a = dd.HyperDualArray(np.array([1e-150, 2e-150]), 1e-170, 1e-170, 0.0)
    r = dd.log(a)
    for x, e12 in zip([1e-150, 2e-150], r.e12):
        assert close(float(e12), mp(lambda x, s: -(s * s) / (x * x), x, 1e-170)), r.e12


def test_hessian_outer_product_underflow(dd):
    # the gradient entries of v0 1e-170 are 1e-170: g g^T underflows, f'' g g^T does not
    got = dd.hessian(lambda v: dd.log(v[0] * 1e-170) + v[1], [1e20, 1.0])
    assert close(got[0, 0], -1e-40), got
    assert got[0, 1] == got[1, 0] == got[1, 1] == 0.0


def test_hyperdual_two_argument_chain(dd):
    # atan2's d2/dy2 = -2xy/r^4 is about 1e300 at r ~ 1e-150; s t = 1e-340
    y, x, s = 1e-150, 2e-150, 1e-170
    h = dd.arctan2(dd.HyperDual(y, s, s, 0.0), x)
    true = mp(lambda y, x, s: -2 * x * y / (x * x + y * y) ** 2 * s * s, y, x, s)
    assert close(h.e12, true), h.e12


def test_three_factor_zero_stays_zero(dd):
    # a zero tangent keeps the term exactly 0 even where f'' is infinite
    h = dd.sqrt(dd.HyperDual(0.0, 1.0, 0.0, 0.0))
    assert h.e12 == 0.0 and h.e2 == 0.0


# ---------------------------------------------------------------------------
# Item 4: HessianDual division
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("x", [0.1, 3.0, 1e-200, 7.3e150, -2.5])
def test_hessian_of_v_over_v_is_zero(dd, x):
    h = dd.hessian(lambda v: v[0] / v[0], [x])
    assert h[0, 0] == 0.0
    h = dd.hessian(lambda v: (v[0] * v[1]) / (v[1] * v[0]), [x, 0.3])
    assert (h == 0.0).all(), h


def test_hessian_of_a_quotient_by_a_tiny_divisor(dd):
    # 1/y's Hessian 2/y^3 overflows at y = 1e-120; x/y's entries do not
    x, y = 1e-250, 1e-120
    h = dd.hessian(lambda v: v[0] / v[1], [x, y])
    assert h[0, 0] == 0.0
    assert close(h[0, 1], mp(lambda y: -1 / (y * y), y)), h
    assert h[1, 0] == h[0, 1]
    assert close(h[1, 1], mp(lambda x, y: 2 * x / y**3, x, y)), h


@pytest.mark.parametrize("point", [(0.7, 1.3), (-2.0, 0.25), (5.0, -3.0)])
def test_hessian_of_a_quotient_against_mpmath(dd, point):
    def f(v):
        return dd.sin(v[0]) / (v[1] * v[1] + 0.5 * v[0])

    def true(i, j):
        orders = [0, 0]
        orders[i] += 1
        orders[j] += 1
        with mpmath.workdps(DIGITS):
            g = lambda a, b: mpmath.sin(a) / (b * b + a / 2)  # noqa: E731
            return float(mpmath.diff(g, tuple(mpmath.mpf(p) for p in point), tuple(orders)))

    h = dd.hessian(f, list(point))
    scale = max(abs(true(i, j)) for i in range(2) for j in range(2))
    for i in range(2):
        for j in range(2):
            assert abs(h[i, j] - true(i, j)) <= 16 * math.ulp(scale), (i, j, h)


def test_hessian_division_keeps_the_value_bitwise(dd):
    r = dd.HessianDual(1.0, {0: 1.0}) / dd.HessianDual(3.0, {1: 1.0})
    assert r.real == 1.0 / 3.0
    assert r.partials == {0: 1.0 / 3.0, 1: -(1.0 / 3.0) / 3.0}


def test_hessian_division_by_zero(dd):
    with pytest.raises(ZeroDivisionError):
        dd.HessianDual(1.0, {0: 1.0}) / dd.HessianDual(0.0, {1: 1.0})


# ---------------------------------------------------------------------------
# Item 5: pow's coefficient
# ---------------------------------------------------------------------------

X_TINY = 5e-324


def test_x_to_the_x_at_a_subnormal(dd):
    # (x^x)' = x^x (1 + log x): about -743.4 at 5e-324, not inf
    true = mp(lambda x: x**x * (1 + mpmath.log(x)), X_TINY)
    assert close(dd.derivative(lambda t: t**t, X_TINY), true, 4)
    g = dd.gradient(lambda v: v[0] ** v[0], [X_TINY])
    assert close(g[0], true, 4), g
    h = dd.HyperDual(X_TINY, 1.0, 1.0, 0.0) ** dd.HyperDual(X_TINY, 1.0, 1.0, 0.0)
    assert close(h.e1, true, 4), h


@pytest.mark.parametrize("x", [700.0, 709.0, -700.0])
def test_reciprocal_of_a_large_exponential(dd, x):
    # (e^x)^-1: f' = -1/a^2 under/overflows, the chain product -e^-x does not
    def f(t):
        return dd.exp(t) ** -1.0

    d1 = mp(lambda x: -mpmath.exp(-x), x)
    d2 = mp(lambda x: mpmath.exp(-x), x)
    assert close(dd.derivative(f, x), d1, 4)
    assert close(dd.second_derivative(f, x), d2, 8)
    assert close(dd.gradient(lambda v: f(v[0]), [x])[0], d1, 4)
    assert close(dd.hessian(lambda v: f(v[0]), [x])[0, 0], d2, 8)
    arr = dd.derivative(f, np.array([x, 1.0]))
    assert close(float(arr[0]), d1, 4) and close(float(arr[1]), -math.exp(-1.0), 4)
    arr = dd.second_derivative(f, np.array([x, 1.0]))
    assert close(float(arr[0]), d2, 8)
    g = dd.gradient(lambda v: f(v[0]) + f(v[1]), [x, 1.0], vectorized=True)
    assert close(g[0], d1, 4), g


@pytest.mark.parametrize("a, p, s", [(1e-200, 3.0, 1e250), (-1e-200, 3.0, 1e250),
                                     (-1e-200, 4.0, 1e300), (-1e-200, -1.0, 1e-300),
                                     (3e-310, 2.5, 1e200)])
def test_power_with_a_large_tangent(dd, a, p, s):
    # f' = p a^(p-1) (and f'') leave the floats; times the tangents s they return
    d1 = mp(lambda a, p, s: p * a ** (p - 1) * s, a, p, s)
    d2 = mp(lambda a, p, s: p * (p - 1) * a ** (p - 2) * s * s, a, p, s)
    assert close((dd.Dual(a, s) ** p).dual, d1, 4)
    h = dd.HyperDual(a, s, s, 0.0) ** p
    assert close(h.e1, d1, 4) and close(h.e12, d2, 8), h
    g = dd.GradientDual(a, {0: s}) ** p
    assert close(g.partials[0], d1, 4)
    hh = dd.HessianDual(a, {0: s}) ** p
    assert close(hh.partials[0], d1, 4) and close(hh.hessian(1)[0, 0], d2, 8)
    arr = dd.HyperDualArray(np.array([a, 2.0]), s, s, 0.0) ** p
    assert close(float(arr.e1[0]), d1, 4) and close(float(arr.e12[0]), d2, 8)
    arr = dd.DualArray(np.array([a, 2.0]), s) ** p
    assert close(float(arr.dual[0]), d1, 4)


def test_power_zero_stays_zero(dd):
    # the rescue keeps an exactly zero tangent at 0
    h = dd.HyperDual(1e-200, 0.0, 1e300, 0.0) ** 3.0
    assert h.e1 == 0.0 and h.e12 == 0.0


# ---------------------------------------------------------------------------
# Item 7: log(x, base)
# ---------------------------------------------------------------------------

# where log(x)''s -1/x^2 overflows but -1/(x^2 log 111) does not (below
# 3.4397e-155 the true value overflows too)
BAND = [3.4397e-155, 4e-155, 5e-155, 7.5e-155]


@pytest.mark.parametrize("x", BAND)
def test_log_base_second_derivative_in_the_band(dd, x):
    b = 111.0
    d1 = mp(lambda x, b: 1 / (x * mpmath.log(b)), x, b)
    d2 = mp(lambda x, b: -1 / (x * x * mpmath.log(b)), x, b)
    value = math.log(x) / math.log(b)

    def f(t):
        return dd.log(t, b)

    assert dd.log(x, b) == value
    d = f(dd.Dual(x, 1.0))
    assert d.real == value and close(d.dual, d1, 4)
    h = f(dd.HyperDual(x, 1.0, 1.0, 0.0))
    assert h.real == value and close(h.e1, d1, 4) and close(h.e12, d2, 8), h
    assert close(dd.gradient(lambda v: f(v[0]), [x])[0], d1, 4)
    assert close(dd.hessian(lambda v: f(v[0]), [x])[0, 0], d2, 8)
    if abs(d2) < 0.5 * 1.7976931348623157e308:   # issue 12 item 6: (h + h.T)/2 overflows above
        assert close(dd.hessian(lambda v: f(v[0]), [x], vectorized=True)[0, 0], d2, 8)
    arr = dd.derivative(f, np.array([x, 2.0]))
    assert close(float(arr[0]), d1, 4)
    arr = dd.second_derivative(f, np.array([x, 2.0]))
    assert close(float(arr[0]), d2, 8), arr
    v = dd.log(dd.HyperDualArray(np.array([x, 2.0]), 1.0, 1.0, 0.0), b)
    assert v.real[0] == value and v.real[1] == np.log(2.0) / np.log(b)


def test_log_base_second_derivative_overflows_below_the_band(dd):
    h = dd.log(dd.HyperDual(2.8e-155, 1.0, 1.0, 0.0), 111.0)
    assert h.e12 == -math.inf and mp(lambda x, b: -1 / (x * x * mpmath.log(b)), 2.8e-155, 111.0) == -math.inf


def test_log_base_of_arrays_follows_numpy(dd):
    x = np.array([0.5, 2.0, 3.0])
    for base in (-1.0, 0.0, 1.0, np.array([2.0, 1.0, -3.0])):
        with np.errstate(all="ignore"):
            expected = np.log(x) / np.log(base)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = dd.log(x, base)
        np.testing.assert_array_equal(got, expected)
        with pytest.warns(RuntimeWarning):
            dd.log(x, base)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error")
            np.testing.assert_array_equal(dd.log(x, base), expected)
    np.testing.assert_array_equal(dd.log(x, 3.0), np.log(x) / np.log(3.0))
    with np.errstate(all="ignore"):
        got = dd.log(2.0, np.array([1.0, 4.0]))
        np.testing.assert_array_equal(got, np.log(2.0) / np.log(np.array([1.0, 4.0])))


def test_log_base_of_dual_arrays_follows_numpy(dd):
    with np.errstate(all="ignore"):
        got = dd.derivative(lambda t: dd.log(t, -1.0), np.array([2.0, 3.0]))
        assert np.isnan(got).all()
        got = dd.second_derivative(lambda t: dd.log(t, 1.0), np.array([2.0, 3.0]))
        assert not np.isfinite(got).any()


@pytest.mark.parametrize("make", [
    lambda dd, x: x,
    lambda dd, x: dd.Dual(x, 1.0),
    lambda dd, x: dd.HyperDual(x, 1.0, 1.0, 0.0),
    lambda dd, x: dd.GradientDual(x, {0: 1.0}),
    lambda dd, x: dd.HessianDual(x, {0: 1.0}),
])
def test_log_base_of_scalars_keeps_math_errors(dd, make):
    for x, base, error in [(2.0, 1.0, ZeroDivisionError), (1.0, 1.0, ZeroDivisionError),
                           (2.0, -1.0, ValueError), (2.0, 0.0, ValueError),
                           (-2.0, 3.0, ValueError), (0.0, 3.0, ValueError)]:
        with pytest.raises(error):
            math.log(x, base)
        with pytest.raises(error):
            dd.log(make(dd, x), base)


def test_log_with_a_perturbed_base(dd):
    # d/db log(x)/log(b) = -log(x) / (b log(b)^2)
    r = dd.log(8.0, dd.Dual(2.0, 1.0))
    assert r.real == 3.0
    assert close(r.dual, mp(lambda x, b: -mpmath.log(x) / (b * mpmath.log(b) ** 2), 8.0, 2.0), 4)


def test_power_with_a_subnormal_coefficient_agrees_across_types(dd):
    # y x^(y-1) is subnormal here: Dual (constant exponent) and the gradient's
    # two-argument partials give the same value, within 4 ulps of the truth
    x, y = 1.8984375, 1.187175108594904e-308
    g = dd.gradient(lambda v: v[0] ** v[1], [x, y])
    assert g[0] == (dd.Dual(x, 1.0) ** y).dual
    true = mp(lambda x, y: y * x ** (y - 1), x, y)
    assert abs(g[0] - true) <= 4 * 5e-324
