"""The mpmath oracles of the rule table: f, f', f'' of every rule at 50 digits.

One entry per rule of dualdiff/_spec.py, keyed by its name (CONTRIBUTING.md,
adding a function: this is the fourth place).  tests/test_rules_oracle.py
checks every rule against its entry, at every order; tests/test_hvp.py and
others evaluate the same f.
"""

import math
from dataclasses import dataclass
from typing import Callable, Optional

import mpmath
from hypothesis import strategies as st

FIRST_ULPS = 4
MAX = 1.7976931348623157e308
TINY = 2.2250738585072014e-308  # smallest normal float


# ---------------------------------------------------------------------------
# mpmath building blocks, written in forms that do not cancel at 50 digits
# ---------------------------------------------------------------------------

def _sigma(x):
    return 1 / (1 + mpmath.exp(-x))


def _dsigma(x):
    return _sigma(x) * _sigma(-x)


def _kappa(x):
    # sigma''/sigma' = sigma(-x) - sigma(x), as -tanh(x/2) (no cancellation at 0)
    return -mpmath.tanh(x / 2)


def _cbrt(x):
    # mpmath.cbrt of a negative number is the principal complex root
    return mpmath.sign(x) * mpmath.cbrt(abs(x))


def _one_minus_sq(x):
    return (1 - x) * (1 + x)


def _sq_minus_one(x):
    return (x - 1) * (x + 1)


def _ln2():
    return mpmath.log(2)


def _ln10():
    return mpmath.log(10)


# tanh-form GELU: 0.5 x (1 + tanh(c (x + k x^3))) = x sigma(w), w = 2c (x + k x^3);
# the exact constants are sqrt(2/pi) and the decimal 0.044715.
def _gt_w(x):
    return 2 * mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf("0.044715") * x**3)


def _gt_w1(x):
    return 2 * mpmath.sqrt(2 / mpmath.pi) * (1 + 3 * mpmath.mpf("0.044715") * x**2)


def _gt_w2(x):
    return 2 * mpmath.sqrt(2 / mpmath.pi) * 6 * mpmath.mpf("0.044715") * x


def _gelu_tanh(x):
    return x * _sigma(_gt_w(x))


def _gelu_tanh_d1(x):
    return _sigma(_gt_w(x)) + x * _dsigma(_gt_w(x)) * _gt_w1(x)


def _gelu_tanh_d1_terms(x):
    return abs(_sigma(_gt_w(x))) + abs(x * _dsigma(_gt_w(x)) * _gt_w1(x))


def _gelu_tanh_d2(x):
    w, w1 = _gt_w(x), _gt_w1(x)
    return _dsigma(w) * (2 * w1 + x * (_kappa(w) * w1**2 + _gt_w2(x)))


def _gelu_tanh_d2_terms(x):
    w, w1 = _gt_w(x), _gt_w1(x)
    return _dsigma(w) * (2 * abs(w1) + abs(x) * (abs(_kappa(w)) * w1**2 + abs(_gt_w2(x))))


# ---------------------------------------------------------------------------
# The oracle table
# ---------------------------------------------------------------------------

def floats(lo, hi, **kw):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False, **kw)


FINITE = floats(-MAX, MAX)


@dataclass(frozen=True)
class Oracle:
    """f, f', f'' of one rule as mpmath functions, where to test them, and how."""

    f: Callable
    d1: Callable
    d2: Callable
    points: tuple           # ordinary points and tails, always tested
    domain: object          # hypothesis strategy for random points (reason in a comment)
    d1_terms: Optional[Callable] = None   # magnitude of cancelling terms in f'
    d2_terms: Optional[Callable] = None   # magnitude of cancelling terms in f''
    pinned: tuple = ()      # counter-examples hypothesis found, replayed forever
    d1_ulps: float = FIRST_ULPS   # a wider bound only with its reason at the rule


_ZERO = lambda x: mpmath.mpf(0)  # noqa: E731

ORACLES = {
    # Random points: exp(a) is normal and finite for a in [-708, 709].
    "exp": Oracle(
        mpmath.exp, mpmath.exp, mpmath.exp,
        (-3.5, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 2.5, 10.0, 100.0,
         -700.0, 700.0, 709.0, -708.0),
        floats(-708.0, 709.0)),
    # 2**a is normal and finite for a in [-1022, 1023].
    "exp2": Oracle(
        lambda x: mpmath.mpf(2) ** x,
        lambda x: _ln2() * mpmath.mpf(2) ** x,
        lambda x: _ln2() ** 2 * mpmath.mpf(2) ** x,
        (-3.5, -1.0, 0.0, 0.5, 1.0, 3.0, 10.5, -100.25, -1022.0, 1023.0),
        floats(-1022.0, 1023.0)),
    # f' = f'' = exp(a): normal and finite for a in [-708, 709].
    "expm1": Oracle(
        mpmath.expm1, mpmath.exp, mpmath.exp,
        (-3.5, -1.0, -1e-10, 0.0, 1e-10, 0.5, 1.0, 30.0, -700.0, 700.0),
        floats(-708.0, 709.0)),
    # The whole normal range: f'' overflows to -inf below 1e-154, which the
    # comparison requires exactly.
    "log": Oracle(
        mpmath.log, lambda x: 1 / x, lambda x: -1 / x**2,
        (1e-300, 1e-10, 0.1, 0.5, 1.0, 1.0 + 2**-52, 2.0, 10.0, 1e10, 1e300),
        floats(TINY, MAX)),
    "log2": Oracle(
        lambda x: mpmath.log(x) / _ln2(), lambda x: 1 / (x * _ln2()),
        lambda x: -1 / (x**2 * _ln2()),
        (1e-300, 1e-10, 0.1, 0.5, 1.0, 1.0 + 2**-52, 2.0, 10.0, 1e10, 1e300),
        floats(TINY, MAX)),
    "log10": Oracle(
        lambda x: mpmath.log(x) / _ln10(), lambda x: 1 / (x * _ln10()),
        lambda x: -1 / (x**2 * _ln10()),
        (1e-300, 1e-10, 0.1, 0.5, 1.0, 1.0 + 2**-52, 2.0, 10.0, 1e10, 1e300),
        floats(TINY, MAX)),
    "log1p": Oracle(
        mpmath.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2,
        (-1.0 + 2**-52, -1.0 + 1e-10, -0.999, -0.5, -1e-10, 0.0, 1e-10, 0.5, 1.0,
         10.0, 1e300),
        floats(-1.0, MAX, exclude_min=True)),
    "sqrt": Oracle(
        mpmath.sqrt, lambda x: 1 / (2 * mpmath.sqrt(x)), lambda x: -1 / (4 * x * mpmath.sqrt(x)),
        (1e-300, 1e-10, 0.25, 0.5, 1.0, 2.0, 10.0, 1e10, 1e300),
        floats(TINY, MAX)),
    "cbrt": Oracle(
        _cbrt, lambda x: 1 / (3 * _cbrt(x) ** 2), lambda x: -2 / (9 * _cbrt(x) ** 5),
        (-1e10, -8.0, -2.0, -1e-10, 1e-10, 0.5, 1.0, 3.0, 27.0, 1e10),
        floats(-MAX, MAX).filter(lambda x: x != 0.0),
        pinned=(5.3840666234511144e-247,   # 6 ulps when f' was 1/(3 cbrt(a)^2)
                1.930400411701798e-178)),   # 4.5 ulps from libm's cbrt, before its Newton step
    # glibc reduces any argument exactly; 1e6 is far enough to exercise it.
    "sin": Oracle(
        mpmath.sin, mpmath.cos, lambda x: -mpmath.sin(x),
        (-10.0, -3.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, math.pi / 2, math.pi, 100.0, 1e6),
        floats(-1e6, 1e6)),
    "cos": Oracle(
        mpmath.cos, lambda x: -mpmath.sin(x), lambda x: -mpmath.cos(x),
        (-10.0, -3.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, math.pi / 2, math.pi, 100.0, 1e6),
        floats(-1e6, 1e6)),
    "tan": Oracle(
        mpmath.tan, lambda x: 1 / mpmath.cos(x) ** 2,
        lambda x: 2 * mpmath.tan(x) / mpmath.cos(x) ** 2,
        (-10.0, -3.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, math.pi / 2, math.pi, 100.0, 1e6),
        floats(-1e6, 1e6)),
    # f' is infinite at +-1: the open interval.
    "arcsin": Oracle(
        mpmath.asin, lambda x: 1 / mpmath.sqrt(_one_minus_sq(x)),
        lambda x: x / _one_minus_sq(x) ** mpmath.mpf(1.5),
        (-(1 - 1e-10), -(1 - 2**-40), -0.9, -0.5, 0.0, 1e-8, 0.5, 0.9,
         1 - 1e-10, 1 - 2**-40, 1 - 2**-53),
        floats(-1.0, 1.0, exclude_min=True, exclude_max=True)),
    "arccos": Oracle(
        mpmath.acos, lambda x: -1 / mpmath.sqrt(_one_minus_sq(x)),
        lambda x: -x / _one_minus_sq(x) ** mpmath.mpf(1.5),
        (-(1 - 1e-10), -(1 - 2**-40), -0.9, -0.5, 0.0, 1e-8, 0.5, 0.9,
         1 - 1e-10, 1 - 2**-40, 1 - 2**-53),
        floats(-1.0, 1.0, exclude_min=True, exclude_max=True)),
    "arctan": Oracle(
        mpmath.atan, lambda x: 1 / (1 + x**2), lambda x: -2 * x / (1 + x**2) ** 2,
        (-1e10, -3.0, -1.0, 0.0, 1e-8, 0.5, 1.0, 2.0, 1e10, 1e100, 1e154, -1e300),
        FINITE),
    # sinh and cosh overflow past |a| = 710.47.
    "sinh": Oracle(
        mpmath.sinh, mpmath.cosh, mpmath.sinh,
        (-709.0, -20.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 3.0, 709.0),
        floats(-709.0, 709.0)),
    "cosh": Oracle(
        mpmath.cosh, mpmath.sinh, mpmath.cosh,
        (-709.0, -20.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 3.0, 709.0),
        floats(-709.0, 709.0)),
    # sech^2 a stays normal for |a| <= 350; the far tails are fixed points.
    "tanh": Oracle(
        mpmath.tanh, lambda x: 1 / mpmath.cosh(x) ** 2,
        lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2,
        (-40.0, -20.0, -3.0, -0.5, -1e-8, 0.0, 0.25, 0.49, 0.5, 1.0, 20.0, 40.0),
        floats(-350.0, 350.0)),
    "arcsinh": Oracle(
        mpmath.asinh, lambda x: 1 / mpmath.sqrt(1 + x**2),
        lambda x: -x / (1 + x**2) ** mpmath.mpf(1.5),
        (-1e300, -1e10, -2.0, -1.0, -0.5, 0.0, 1e-8, 0.5, 1.0, 1.5, 1e10, 1e300),
        FINITE),
    # f' is infinite at 1: the open interval.
    "arccosh": Oracle(
        mpmath.acosh, lambda x: 1 / mpmath.sqrt(_sq_minus_one(x)),
        lambda x: -x / _sq_minus_one(x) ** mpmath.mpf(1.5),
        (1 + 1e-10, 1 + 2**-52, 1.5, 1.99, 2.0, 3.0, 1e10, 1e300),
        floats(1.0, MAX, exclude_min=True)),
    "arctanh": Oracle(
        mpmath.atanh, lambda x: 1 / _one_minus_sq(x), lambda x: 2 * x / _one_minus_sq(x) ** 2,
        (-(1 - 1e-10), -(1 - 2**-40), -0.5, -1e-8, 0.0, 0.25, 0.5, 0.9,
         1 - 1e-10, 1 - 2**-40, 1 - 2**-53),
        floats(-1.0, 1.0, exclude_min=True, exclude_max=True)),
    # exp(-a^2) is normal for |a| <= 26; beyond, f' is subnormal and f'' = -2a f'
    # scales its absolute rounding by 2a.
    "erf": Oracle(
        mpmath.erf, lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2),
        lambda x: -4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2),
        (-10.0, -5.0, -2.0, -0.5, -1e-8, 0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 26.0),
        floats(-26.0, 26.0)),
    "erfc": Oracle(
        mpmath.erfc, lambda x: -2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2),
        lambda x: 4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2),
        (-10.0, -5.0, -2.0, -0.5, -1e-8, 0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 26.0),
        floats(-26.0, 26.0)),
    # Kinks take the subgradient of the contract: abs'(0) = relu'(0) = 0.
    "abs": Oracle(
        abs, mpmath.sign, _ZERO,
        (-2.5, -1e-300, 0.0, 1e-300, 3.0), FINITE),
    "sign": Oracle(
        mpmath.sign, _ZERO, _ZERO,
        (-2.5, -1e-300, 0.0, 1e-300, 3.0), FINITE),
    "floor": Oracle(
        mpmath.floor, _ZERO, _ZERO,
        (-2.5, -2.0, -0.5, 0.0, 0.5, 2.0, 2.5, 1e300), FINITE),
    "ceil": Oracle(
        mpmath.ceil, _ZERO, _ZERO,
        (-2.5, -2.0, -0.5, 0.0, 0.5, 2.0, 2.5, 1e300), FINITE),
    # deg2rad: the value is normal for |a| >= 1.3e-306 (random points keep to that).
    "deg2rad": Oracle(
        lambda x: x * mpmath.pi / 180, lambda x: mpmath.pi / 180, _ZERO,
        (-1e300, -360.0, -3.5, 0.0, 1e-300, 1.0, 90.0, 180.0, 1e300, MAX),
        floats(1e-300, MAX)),
    # rad2deg overflows past |a| = 3.1e306.
    "rad2deg": Oracle(
        lambda x: x * 180 / mpmath.pi, lambda x: 180 / mpmath.pi, _ZERO,
        (-3e306, -6.5, -1.0, 0.0, 1e-300, 0.5, 3.141592653589793, 1e300, 3e306),
        floats(-3e306, 3e306)),
    "relu": Oracle(
        lambda x: max(x, mpmath.mpf(0)), lambda x: mpmath.mpf(1 if x > 0 else 0), _ZERO,
        (-2.5, -1e-300, 0.0, 1e-300, 3.0), FINITE),
    # sigma(-|a|) is normal for |a| <= 700; +-800 are fixed points of softplus.
    "sigmoid": Oracle(
        _sigma, _dsigma, lambda x: _dsigma(x) * _kappa(x),
        (-700.0, -40.0, -20.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 20.0, 40.0, 700.0),
        floats(-700.0, 700.0)),
    "softplus": Oracle(
        lambda x: mpmath.log1p(mpmath.exp(x)), _sigma, _dsigma,
        (-800.0, -40.0, -1.0, 0.0, 1e-8, 1.0, 40.0, 800.0),
        floats(-700.0, 700.0)),
    # gelu' = Phi + a phi vanishes near a = -0.7518 and gelu'' = phi (2 - a^2)
    # at a = +-sqrt 2: there the terms cancel.  phi(a) is normal for |a| <= 30.
    "gelu": Oracle(
        lambda x: x * mpmath.ncdf(x),
        lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x),
        lambda x: mpmath.npdf(x) * (2 - x**2),
        (-10.0, -5.0, -3.0, -1.0, -0.75, -0.5, 0.0, 0.5, 1.0, math.sqrt(2), 3.0, 10.0),
        floats(-30.0, 30.0),
        d1_terms=lambda x: mpmath.ncdf(x) + abs(x) * mpmath.npdf(x),
        d2_terms=lambda x: mpmath.npdf(x) * (2 + x**2)),
    # The same cancellations (f' near a = -0.75, f'' near +-1.4), in sigma(w)
    # form.  sigma'(w) is normal for |a| <= 20 (w ~ 0.07 a^3).
    "gelu_tanh": Oracle(
        _gelu_tanh, _gelu_tanh_d1, _gelu_tanh_d2,
        (-10.0, -5.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, 10.0),
        floats(-20.0, 20.0),
        d1_terms=_gelu_tanh_d1_terms, d2_terms=_gelu_tanh_d2_terms,
        pinned=(7.0, -5.8251157220146315, -6.79575207891223),
        # f' = sigma(w) + x sigma(w) sigma(-w) w': the dominant term is a
        # product of four rounded factors (sigma', x, w' and the product),
        # each within ~1 ulp, after w itself is carried in double-double.
        d1_ulps=6),
}
