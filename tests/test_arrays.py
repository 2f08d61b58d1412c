"""DualArray and HyperDualArray: arrays of dual numbers, on every backend.

What is checked, and against what:

* every elementwise rule (NumPy's ufuncs on a DualArray and dualdiff's own
  functions) against its scalar counterpart point by point: values bitwise
  equal to NumPy's own result (``np.sin(x.real)``), or to the scalar's value
  for the rules NumPy has no ufunc for; tangents, and the e1/e2/e12 parts of
  a HyperDualArray, within a few ulps of ``dd.Dual``/``dd.HyperDual`` (the
  scalar types are an independent code path);
* the same rules on the array path against mpmath at 50 digits (the oracle
  table of test_rules_oracle.py, tails included), f' and f'';
* the two-argument functions (``*``, ``/``, ``x**y``, ``arctan2``, ``hypot``)
  to second order against the scalar HyperDual and against hand-derived
  mpmath partials;
* broadcasting of every binary operator = the scalar operation on each pair
  of elements, with DualArrays, plain ndarrays, NumPy scalars, Python floats
  and scalar Duals on either side;
* NumPy's domain semantics (nan value *and* nan tangent, RuntimeWarning,
  ``np.errstate``) and zero tangents staying zero;
* every supported array function (sum prod mean cumsum diff dot matmul where
  clip concatenate stack reshape transpose linalg.norm max min ...) against
  a hand computation: integer-valued data make the linear ones exact, so
  they are compared bitwise;
* shapes 0-d to 3-d, empty arrays, non-contiguous views, dtype promotion;
* what is refused (unsupported ufuncs and functions, item assignment,
  ``np.asarray``, ``float``), iteration, ``len``, pickling, repr;
* ``derivative``/``second_derivative``/``value_and_derivative`` of an
  ndarray = the scalar results element by element, including the
  point-by-point fallback;
* softmax's Jacobian p_i (delta_ij - p_j) and logsumexp' = softmax along each
  axis of 2-D arrays.
"""

import copy
import math
import operator
import pickle
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _multihelp import ulps_apart, ulps_of_max
from test_rules_oracle import (ORACLES, SECOND_ULPS, VALUE_ULPS, evaluate, mismatch,
                               ulp_error)

#: tangents (and e1, e2, e12) of an array against the scalar type, in ulps
PARITY_ULPS = 4
#: Activations a DualArray computes from NumPy's exp and log1p (vectorised),
#: not libm's: their values may differ from the scalar types' by an ulp.
FROM_NUMPY_EXP = {"dd.sigmoid", "dd.softplus"}
DIGITS = 50


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def bitwise_equal(got, expected):
    """Same float64 bits everywhere (nan matches nan, -0.0 does not match 0.0)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False
    return bool(np.all((got == expected) & (np.signbit(got) == np.signbit(expected))
                       | (np.isnan(got) & np.isnan(expected))))


def assert_bitwise(got, expected, what):
    assert bitwise_equal(got, expected), (
        f"{what}: got {np.asarray(got).tolist()}, expected {np.asarray(expected).tolist()}")


def assert_ulps(got, expected, ulps, what, points=None):
    """Every entry of `got` within `ulps` of `expected` (nan matches nan only)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    bad = []
    pts = None if points is None else np.asarray(points).ravel()
    for i, (g, e) in enumerate(zip(got.ravel().tolist(), expected.ravel().tolist())):
        apart = ulps_apart(g, e)
        if apart > ulps:
            at = "" if pts is None else f" at {pts[i]!r}"
            bad.append(f"[{i}]{at}: {g!r} vs {e!r} ({apart} ulps)")
    assert not bad, f"{what}:\n  " + "\n  ".join(bad[:10])


def scalar_map(fn, *arrays):
    """fn applied to the elements of the arrays (broadcast), as a list of results."""
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    shape = arrays[0].shape
    return [fn(*[float(a[idx]) for a in arrays]) for idx in np.ndindex(shape)], shape


def dual_parts(results, shape):
    real = np.array([r.real for r in results], dtype=np.float64).reshape(shape)
    dual = np.array([r.dual for r in results], dtype=np.float64).reshape(shape)
    return real, dual


def hyper_parts(results, shape):
    return tuple(np.array([getattr(r, p) for r in results], dtype=np.float64).reshape(shape)
                 for p in ("real", "e1", "e2", "e12"))


def mp(x):
    return mpmath.mpf(float(x))


def ints(shape, seed, lo=-4, hi=5):
    """Integer-valued float64 data: sums and products of a few are exact."""
    return np.random.default_rng(seed).integers(lo, hi, size=shape).astype(np.float64)


# ---------------------------------------------------------------------------
# The elementwise rules: one row per way of reaching a rule
# ---------------------------------------------------------------------------

REAL_LINE = (-6.0, 6.0)
POSITIVE = (1e-3, 10.0)
SPECIAL_REAL = (0.0, -0.0, 1.0, -1.0, 2.0, -3.0, 0.5, -2.5)
SPECIAL_POSITIVE = (1.0, 2.0, 0.5, 1e-300, 1e10)


@dataclass(frozen=True)
class Unary:
    """One elementwise function as an array sees it and as a scalar sees it."""

    id: str
    array: Callable                 # (dd, x) -> f(x) for a DualArray/HyperDualArray
    scalar: Callable                # (dd, s) -> f(s) for a Dual/HyperDual
    value: Optional[Callable]       # ndarray -> NumPy's own value; None: no NumPy ufunc
    domain: tuple = REAL_LINE       # (lo, hi) for random points, inside the domain
    special: tuple = SPECIAL_REAL   # fixed points of the domain (kinks, zeros, integers)


def _np_case(ufunc, scalar_name=None, domain=REAL_LINE, special=SPECIAL_REAL):
    name = ufunc.__name__
    scalar_name = scalar_name or name
    return Unary(f"np.{name}", lambda dd, x: ufunc(x),
                 lambda dd, s: getattr(dd, scalar_name)(s), ufunc, domain, special)


def _dd_case(name, domain=REAL_LINE, special=SPECIAL_REAL, has_ufunc=True):
    value = getattr(np, "absolute" if name == "abs" else name) if has_ufunc else None
    return Unary(f"dd.{name}", lambda dd, x: getattr(dd, name)(x),
                 lambda dd, s: getattr(dd, name)(s), value, domain, special)


_OPEN_UNIT = (-0.999, 0.999)
_UNIT_SPECIAL = (0.0, -0.0, 0.5, -0.5, 1 - 2**-40, -(1 - 1e-10))
_LOG1P = (-0.999, 5.0)
_LOG1P_SPECIAL = (0.0, -0.5, -1 + 2**-52, 1.0, 1e-10)
_ACOSH = (1.001, 10.0)
_ACOSH_SPECIAL = (1.5, 2.0, 1 + 2**-52, 1e10)
_TAN = (-1.5, 1.5)

_DOMAINS = {
    "log": (POSITIVE, SPECIAL_POSITIVE), "log2": (POSITIVE, SPECIAL_POSITIVE),
    "log10": (POSITIVE, SPECIAL_POSITIVE), "sqrt": (POSITIVE, SPECIAL_POSITIVE),
    "log1p": (_LOG1P, _LOG1P_SPECIAL), "arcsin": (_OPEN_UNIT, _UNIT_SPECIAL),
    "arccos": (_OPEN_UNIT, _UNIT_SPECIAL), "arctanh": (_OPEN_UNIT, _UNIT_SPECIAL),
    "arccosh": (_ACOSH, _ACOSH_SPECIAL), "tan": (_TAN, SPECIAL_REAL),
}

_UFUNC_RULES = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt",
                "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                "arcsinh", "arccosh", "arctanh", "sign", "floor", "ceil")
_TABLE_ONLY = ("erf", "erfc", "sigmoid", "relu", "softplus", "gelu")

UNARY_CASES = (
    [_np_case(getattr(np, n), n, *_DOMAINS.get(n, (REAL_LINE, SPECIAL_REAL)))
     for n in _UFUNC_RULES]
    + [_np_case(np.absolute, "abs"), _np_case(np.fabs, "abs")]
    + [_dd_case(n, *_DOMAINS.get(n, (REAL_LINE, SPECIAL_REAL))) for n in _UFUNC_RULES]
    + [_dd_case("abs")]
    + [_dd_case(n, has_ufunc=False) for n in _TABLE_ONLY]
    + [
        Unary("dd.gelu(approximate=True)", lambda dd, x: dd.gelu(x, approximate=True),
              lambda dd, s: dd.gelu(s, approximate=True), None),
        Unary("dd.leaky_relu(alpha=0.1)", lambda dd, x: dd.leaky_relu(x, 0.1),
              lambda dd, s: dd.leaky_relu(s, 0.1), None),
        Unary("dd.leaky_relu(default alpha)", lambda dd, x: dd.leaky_relu(x),
              lambda dd, s: dd.leaky_relu(s), None),
        Unary("abs()", lambda dd, x: abs(x), lambda dd, s: abs(s), np.absolute),
        Unary("np.square", lambda dd, x: np.square(x), lambda dd, s: s * s, np.square),
        Unary("np.reciprocal", lambda dd, x: np.reciprocal(x), lambda dd, s: 1.0 / s,
              np.reciprocal, POSITIVE, SPECIAL_POSITIVE),
        Unary("np.negative", lambda dd, x: np.negative(x), lambda dd, s: -s, np.negative),
        Unary("-x", lambda dd, x: -x, lambda dd, s: -s, np.negative),
        Unary("np.positive", lambda dd, x: np.positive(x), lambda dd, s: +s, np.positive),
        Unary("x**2.5", lambda dd, x: x ** 2.5, lambda dd, s: s ** 2.5,
              lambda a: np.power(a, 2.5), POSITIVE, SPECIAL_POSITIVE[:4]),
        Unary("x**3", lambda dd, x: x ** 3, lambda dd, s: s ** 3, lambda a: np.power(a, 3.0)),
        Unary("x**-1.5", lambda dd, x: x ** -1.5, lambda dd, s: s ** -1.5,
              lambda a: np.power(a, -1.5), POSITIVE, SPECIAL_POSITIVE[:3]),
        Unary("np.power(x, 0.5)", lambda dd, x: np.power(x, 0.5), lambda dd, s: s ** 0.5,
              lambda a: np.power(a, 0.5), POSITIVE, SPECIAL_POSITIVE),
        Unary("np.float_power(x, 1.5)", lambda dd, x: np.float_power(x, 1.5),
              lambda dd, s: s ** 1.5, lambda a: np.float_power(a, 1.5), POSITIVE,
              SPECIAL_POSITIVE[:4]),
        Unary("x**2", lambda dd, x: x ** 2, lambda dd, s: s ** 2, lambda a: np.power(a, 2.0)),
        Unary("np.power(x, 2)", lambda dd, x: np.power(x, 2), lambda dd, s: s ** 2,
              lambda a: np.power(a, 2.0)),
        Unary("x.power(2.0)", lambda dd, x: x.power(2.0), lambda dd, s: s ** 2.0,
              lambda a: np.power(a, 2.0)),
        Unary("dd.log(x, 2.0)", lambda dd, x: dd.log(x, 2.0), lambda dd, s: dd.log(s, 2.0),
              lambda a: np.log(a) / np.log(2.0), POSITIVE, SPECIAL_POSITIVE),
        Unary("dd.log(x, 10)", lambda dd, x: dd.log(x, 10), lambda dd, s: dd.log(s, 10),
              lambda a: np.log(a) / np.log(10.0), POSITIVE, SPECIAL_POSITIVE),
        Unary("np.exp(x) * 2 - 1", lambda dd, x: np.exp(x) * 2 - 1,
              lambda dd, s: dd.exp(s) * 2 - 1, lambda a: np.exp(a) * 2 - 1),
    ]
)


def unary_points(case, seed=0, n=64):
    """n points of the case's domain: its special points, then random ones, as (4, n/4)."""
    lo, hi = case.domain
    special = np.array(case.special, dtype=np.float64)
    rest = np.random.default_rng(seed).uniform(lo, hi, n - special.size)
    return np.concatenate([special, rest]).reshape(4, -1)


@pytest.mark.parametrize("case", UNARY_CASES, ids=lambda c: c.id)
def test_unary_rule_matches_scalar_dual(dd, case):
    x = unary_points(case)
    rng = np.random.default_rng(1)
    t = rng.uniform(-2.0, 2.0, x.shape)
    t[0, 0] = 0.0   # a zero tangent stays zero
    y = case.array(dd, dd.DualArray(x, t))
    assert type(y) is dd.DualArray and y.shape == x.shape
    assert y.real.dtype == np.float64 and y.dual.dtype == np.float64
    expected, shape = scalar_map(lambda a, b: case.scalar(dd, dd.Dual(a, b)), x, t)
    real, dual = dual_parts(expected, shape)
    if case.value is not None:
        assert_bitwise(y.real, case.value(x), f"{case.id}: values vs NumPy's own")
    elif case.id in FROM_NUMPY_EXP:
        assert_ulps(y.real, real, 1, f"{case.id}: values vs the scalar Dual's", x)
    else:
        assert_bitwise(y.real, real, f"{case.id}: values vs the scalar Dual's")
    assert_ulps(y.dual, dual, PARITY_ULPS, f"{case.id}: tangents vs the scalar Dual's", x)
    assert y.dual[0, 0] == 0.0


@pytest.mark.parametrize("case", UNARY_CASES, ids=lambda c: c.id)
def test_unary_rule_matches_scalar_hyperdual(dd, case):
    x = unary_points(case, seed=2)
    rng = np.random.default_rng(3)
    e1, e2, e12 = (rng.uniform(-2.0, 2.0, x.shape) for _ in range(3))
    y = case.array(dd, dd.HyperDualArray(x, e1, e2, e12))
    assert type(y) is dd.HyperDualArray and y.shape == x.shape
    expected, shape = scalar_map(
        lambda a, b, c, d: case.scalar(dd, dd.HyperDual(a, b, c, d)), x, e1, e2, e12)
    real, s1, s2, s12 = hyper_parts(expected, shape)
    if case.value is not None:
        assert_bitwise(y.real, case.value(x), f"{case.id}: values vs NumPy's own")
    else:
        assert_bitwise(y.real, real, f"{case.id}: values vs the scalar HyperDual's")
    assert_ulps(y.e1, s1, PARITY_ULPS, f"{case.id}: e1", x)
    assert_ulps(y.e2, s2, PARITY_ULPS, f"{case.id}: e2", x)
    assert_ulps(y.e12, s12, PARITY_ULPS, f"{case.id}: e12", x)


@pytest.mark.parametrize("case", UNARY_CASES, ids=lambda c: c.id)
def test_unary_second_derivative_with_unit_seeds(dd, case):
    """HyperDualArray(x, 1, 1).f().e12 is f''(x) = HyperDual(x, 1, 1, 0).e12."""
    x = unary_points(case, seed=4).ravel()
    y = case.array(dd, dd.HyperDualArray(x, 1.0, 1.0))
    d = case.array(dd, dd.DualArray(x, 1.0))
    expected, shape = scalar_map(lambda a: case.scalar(dd, dd.HyperDual(a, 1.0, 1.0, 0.0)), x)
    _, s1, _, s12 = hyper_parts(expected, shape)
    assert_ulps(y.e12, s12, PARITY_ULPS, f"{case.id}: f''", x)
    assert_ulps(y.e1, s1, PARITY_ULPS, f"{case.id}: f' (e1)", x)
    assert_ulps(d.dual, s1, PARITY_ULPS, f"{case.id}: f' (DualArray)", x)


# ---------------------------------------------------------------------------
# The array path against mpmath
# ---------------------------------------------------------------------------

def _rule_fn(dd, rule):
    if rule == "gelu_tanh":
        return lambda x: dd.gelu(x, approximate=True)
    return getattr(dd, rule)


@pytest.mark.parametrize("rule", sorted(ORACLES))
def test_rule_on_arrays_against_mpmath(dd, rule):
    """f' and f'' of every rule at the oracle's points (tails included), on arrays."""
    oracle = ORACLES[rule]
    points = np.array(oracle.points + oracle.pinned, dtype=np.float64)
    fn = _rule_fn(dd, rule)
    d = fn(dd.DualArray(points, 1.0))
    h = fn(dd.HyperDualArray(points, 1.0, 1.0))
    problems = []
    ufunc = {"abs": np.absolute}.get(rule, getattr(np, rule, None))
    if ufunc is not None:
        assert_bitwise(d.real, ufunc(points), f"{rule}: values vs NumPy")
    for i, a in enumerate(points.tolist()):
        v = evaluate(oracle.f, a)
        d1 = evaluate(oracle.d1, a)
        d2 = evaluate(oracle.d2, a)
        t1 = evaluate(oracle.d1_terms, a) if oracle.d1_terms else None
        t2 = evaluate(oracle.d2_terms, a) if oracle.d2_terms else None
        at = f" at {a!r}"
        if ufunc is None:
            problems.append(mismatch("value" + at, float(d.real[i]), v, VALUE_ULPS))
        problems += [
            mismatch("DualArray.dual (f')" + at, float(d.dual[i]), d1, oracle.d1_ulps, t1),
            mismatch("HyperDualArray.e1 (f')" + at, float(h.e1[i]), d1, oracle.d1_ulps, t1),
            mismatch("HyperDualArray.e2 (f')" + at, float(h.e2[i]), d1, oracle.d1_ulps, t1),
            mismatch("HyperDualArray.e12 (f'')" + at, float(h.e12[i]), d2, SECOND_ULPS, t2),
        ]
    problems = [p for p in problems if p]
    assert not problems, f"{rule}:\n  " + "\n  ".join(problems)


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


# (function, point, f' in mpmath, f'' in mpmath): the tails the rule table is careful about
TAILS = [
    ("tanh", 40.0, lambda x: 1 / mpmath.cosh(x) ** 2,
     lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2),
    ("tanh", -20.0, lambda x: 1 / mpmath.cosh(x) ** 2,
     lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2),
    ("sigmoid", 40.0, lambda x: _sig(x) * _sig(-x),
     lambda x: _sig(x) * _sig(-x) * (-mpmath.tanh(x / 2))),
    ("sigmoid", -40.0, lambda x: _sig(x) * _sig(-x),
     lambda x: _sig(x) * _sig(-x) * (-mpmath.tanh(x / 2))),
    ("arcsin", 1 - 2**-40, lambda x: 1 / mpmath.sqrt((1 - x) * (1 + x)),
     lambda x: x / ((1 - x) * (1 + x)) ** mpmath.mpf(1.5)),
    ("arcsin", -(1 - 1e-10), lambda x: 1 / mpmath.sqrt((1 - x) * (1 + x)),
     lambda x: x / ((1 - x) * (1 + x)) ** mpmath.mpf(1.5)),
    ("arccos", 1 - 2**-53, lambda x: -1 / mpmath.sqrt((1 - x) * (1 + x)),
     lambda x: -x / ((1 - x) * (1 + x)) ** mpmath.mpf(1.5)),
    ("log1p", -1 + 2**-52, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2),
    ("log1p", -1 + 1e-10, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2),
    ("softplus", 40.0, _sig, lambda x: _sig(x) * _sig(-x)),
    ("softplus", -40.0, _sig, lambda x: _sig(x) * _sig(-x)),
    ("erf", 5.0, lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2),
     lambda x: -4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x**2)),
    ("gelu", -10.0, lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x),
     lambda x: mpmath.npdf(x) * (2 - x**2)),
    ("arctanh", 1 - 2**-40, lambda x: 1 / ((1 - x) * (1 + x)),
     lambda x: 2 * x / ((1 - x) * (1 + x)) ** 2),
]


def test_tails_on_arrays_against_mpmath(dd):
    """tanh'(40), sigmoid'(+-40), arcsin' near 1, log1p' near -1, ... in one array each."""
    problems = []
    for rule in dict.fromkeys(t[0] for t in TAILS):
        cases = [t for t in TAILS if t[0] == rule]
        points = np.array([c[1] for c in cases])
        fn = getattr(dd, rule)
        d = fn(dd.DualArray(points, 1.0))
        h = fn(dd.HyperDualArray(points, 1.0, 1.0))
        for i, (_, a, f1, f2) in enumerate(cases):
            true1 = evaluate(f1, a)
            true2 = evaluate(f2, a)
            assert float(true1) != 0.0
            problems += [mismatch(f"{rule}'({a!r})", float(d.dual[i]), true1, 4),
                         mismatch(f"{rule}'({a!r}) (e1)", float(h.e1[i]), true1, 4),
                         mismatch(f"{rule}''({a!r})", float(h.e12[i]), true2, 8)]
    problems = [p for p in problems if p]
    assert not problems, "\n  ".join(problems)


# ---------------------------------------------------------------------------
# Two-argument functions, to second order
# ---------------------------------------------------------------------------

BINARY = {
    "x*y": (lambda dd, x, y: x * y, lambda dd, x, y: x * y),
    "x/y": (lambda dd, x, y: x / y, lambda dd, x, y: x / y),
    "np.divide": (lambda dd, x, y: np.divide(x, y), lambda dd, x, y: x / y),
    "x+y": (lambda dd, x, y: x + y, lambda dd, x, y: x + y),
    "x-y": (lambda dd, x, y: x - y, lambda dd, x, y: x - y),
    "x**y": (lambda dd, x, y: x ** y, lambda dd, x, y: x ** y),
    "np.power": (lambda dd, x, y: np.power(x, y), lambda dd, x, y: x ** y),
    "np.float_power": (lambda dd, x, y: np.float_power(x, y), lambda dd, x, y: x ** y),
    "np.arctan2": (lambda dd, x, y: np.arctan2(x, y), lambda dd, x, y: dd.arctan2(x, y)),
    "np.hypot": (lambda dd, x, y: np.hypot(x, y), lambda dd, x, y: dd.hypot(x, y)),
    "dd.log(x, y)": (lambda dd, x, y: dd.log(x, y), lambda dd, x, y: dd.log(x, y)),
}

#: the NumPy value of each binary function, for the bitwise check of the values
BINARY_VALUE = {
    "x*y": np.multiply, "x/y": np.divide, "np.divide": np.divide, "x+y": np.add,
    "x-y": np.subtract, "x**y": np.power, "np.power": np.power,
    "np.float_power": np.float_power,
    "np.arctan2": np.arctan2, "np.hypot": np.hypot,
}


def binary_points(name, n=40, seed=5):
    rng = np.random.default_rng(seed)
    if name in ("x**y", "np.power", "np.float_power", "dd.log(x, y)"):
        x = rng.uniform(0.2, 4.0, n)
        y = rng.uniform(-2.5, 2.5, n) if name != "dd.log(x, y)" else rng.uniform(1.5, 6.0, n)
    else:
        x = rng.uniform(-3.0, 3.0, n)
        y = rng.uniform(0.3, 3.0, n) * rng.choice([-1.0, 1.0], n)
    return x, y


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_matches_scalar_dual(dd, name):
    arr_fn, sc_fn = BINARY[name]
    x, y = binary_points(name)
    rng = np.random.default_rng(6)
    tx, ty = rng.uniform(-2, 2, x.shape), rng.uniform(-2, 2, x.shape)
    z = arr_fn(dd, dd.DualArray(x, tx), dd.DualArray(y, ty))
    assert type(z) is dd.DualArray
    expected, shape = scalar_map(lambda a, b, c, d: sc_fn(dd, dd.Dual(a, c), dd.Dual(b, d)),
                                 x, y, tx, ty)
    real, dual = dual_parts(expected, shape)
    if name in BINARY_VALUE:
        assert_bitwise(z.real, BINARY_VALUE[name](x, y), f"{name}: values vs NumPy")
    else:
        assert_ulps(z.real, real, 2, f"{name}: values")
    assert_ulps(z.dual, dual, PARITY_ULPS, f"{name}: tangents vs scalar Dual")


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_matches_scalar_hyperdual(dd, name):
    arr_fn, sc_fn = BINARY[name]
    x, y = binary_points(name, seed=7)
    rng = np.random.default_rng(8)
    xp = [rng.uniform(-2, 2, x.shape) for _ in range(3)]
    yp = [rng.uniform(-2, 2, x.shape) for _ in range(3)]
    z = arr_fn(dd, dd.HyperDualArray(x, *xp), dd.HyperDualArray(y, *yp))
    assert type(z) is dd.HyperDualArray
    expected, shape = scalar_map(
        lambda a, b, c, d, e, f, g, h: sc_fn(dd, dd.HyperDual(a, c, d, e), dd.HyperDual(b, f, g, h)),
        x, y, *xp, *yp)
    real, s1, s2, s12 = hyper_parts(expected, shape)
    if name in BINARY_VALUE:
        assert_bitwise(z.real, BINARY_VALUE[name](x, y), f"{name}: values vs NumPy")
    for part, s in (("e1", s1), ("e2", s2), ("e12", s12)):
        assert_ulps(getattr(z, part), s, PARITY_ULPS, f"{name}: {part} vs scalar HyperDual")


def _pow_partials(x, y):
    lx = mpmath.log(x)
    return (x**y, y * x**(y - 1), x**y * lx,
            y * (y - 1) * x**(y - 2), x**(y - 1) * (1 + y * lx), x**y * lx**2)


def _pow_terms(x, y):
    lx = mpmath.log(x)
    return (None, None, None, None, x**(y - 1) * (1 + abs(y * lx)), None)


def _atan2_partials(y, x):
    r2 = x**2 + y**2
    return (mpmath.atan2(y, x), x / r2, -y / r2, -2 * x * y / r2**2,
            (y**2 - x**2) / r2**2, 2 * x * y / r2**2)


def _atan2_terms(y, x):
    r2 = x**2 + y**2
    return (None, None, None, None, (y**2 + x**2) / r2**2, None)


def _hypot_partials(x, y):
    r = mpmath.sqrt(x**2 + y**2)
    return (r, x / r, y / r, y**2 / r**3, -x * y / r**3, x**2 / r**3)


#: f(a, b) and its partials f_a, f_b, f_aa, f_ab, f_bb, in mpmath; terms where f_ab cancels
PARTIALS = {
    "power": (lambda dd, a, b: a ** b, _pow_partials, _pow_terms, (0.3, 4.0), (-2.5, 2.5)),
    "arctan2": (lambda dd, a, b: np.arctan2(a, b), _atan2_partials, _atan2_terms,
                (-3.0, 3.0), (-3.0, 3.0)),
    "hypot": (lambda dd, a, b: np.hypot(a, b), _hypot_partials, None, (-3.0, 3.0), (-3.0, 3.0)),
}


@pytest.mark.parametrize("name", sorted(PARTIALS))
def test_binary_second_partials_against_mpmath(dd, name):
    """f_aa, f_ab, f_bb of x**y, arctan2, hypot with both operands HyperDualArrays."""
    fn, partials, terms, (alo, ahi), (blo, bhi) = PARTIALS[name]
    rng = np.random.default_rng(9)
    a = rng.uniform(alo, ahi, 24)
    b = rng.uniform(blo, bhi, 24)
    one, zero = np.ones_like(a), np.zeros_like(a)
    # (seeds of a, seeds of b) -> e1 = f_a or f_b, e12 = the second partial
    aa = fn(dd, dd.HyperDualArray(a, one, one), dd.HyperDualArray(b, zero, zero))
    ab = fn(dd, dd.HyperDualArray(a, one, zero), dd.HyperDualArray(b, zero, one))
    bb = fn(dd, dd.HyperDualArray(a, zero, zero), dd.HyperDualArray(b, one, one))
    problems = []
    for i in range(a.size):
        with mpmath.workdps(DIGITS):
            true = partials(mp(a[i]), mp(b[i]))
            tm = terms(mp(a[i]), mp(b[i])) if terms else (None,) * 6
        at = f" at ({a[i]!r}, {b[i]!r})"
        problems += [
            mismatch("f_a" + at, float(aa.e1[i]), true[1], 4),
            mismatch("f_a (e2)" + at, float(ab.e1[i]), true[1], 4),
            mismatch("f_b" + at, float(bb.e2[i]), true[2], 4),
            mismatch("f_aa" + at, float(aa.e12[i]), true[3], 8),
            mismatch("f_ab" + at, float(ab.e12[i]), true[4], 8, tm[4]),
            mismatch("f_bb" + at, float(bb.e12[i]), true[5], 8),
        ]
    problems = [p for p in problems if p]
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_float_power_values_are_numpys_float_power(dd):
    """np.float_power(DualArray, p).real is np.float_power(x.real, p) to the bit.

    NumPy's float64 np.power and np.float_power can round differently (with
    NumPy 2.4 on x86-64, np.power(x, 1.5) differs from np.float_power(x, 1.5),
    and from math.pow, by an ulp at about 5% of random x in (0, 10)).
    """
    x = np.random.default_rng(0).uniform(1e-3, 10.0, 200)
    y = np.random.default_rng(1).uniform(-2.5, 2.5, 200)
    assert_bitwise(np.float_power(dd.DualArray(x, 1.0), 1.5).real, np.float_power(x, 1.5),
                   "np.float_power(DualArray, 1.5) values")
    assert_bitwise(np.float_power(dd.DualArray(x, 1.0), dd.DualArray(y, 1.0)).real,
                   np.float_power(x, y), "np.float_power(DualArray, DualArray) values")
    assert_bitwise(np.float_power(dd.HyperDualArray(x, 1.0), y).real,
                   np.float_power(x, y), "np.float_power(HyperDualArray, ndarray) values")


@pytest.mark.parametrize("name", ["power", "arctan2", "hypot", "pow", "atan2"])
def test_dd_binary_functions_take_dualarrays(dd, name):
    """dd.power, dd.arctan2, dd.hypot (and aliases) on DualArrays, as np.power etc. do.

    Every other function of dualdiff's namespace (dd.sin, dd.log(x, base),
    dd.leaky_relu(x, alpha), ...) takes a DualArray; the two-argument ones
    must too, with an array or a number as the other operand.
    """
    fn = getattr(dd, name)
    ufunc = {"power": np.power, "pow": np.power, "arctan2": np.arctan2,
             "atan2": np.arctan2, "hypot": np.hypot}[name]
    x, tx = np.array([0.5, 1.5, 2.0]), np.array([1.0, -2.0, 0.5])
    y, ty = np.array([1.25, -0.75, 3.0]), np.array([0.0, 1.0, -1.0])
    for other, oy, oty in [(dd.DualArray(y, ty), y, ty), (y, y, 0 * ty), (2.0, 2.0, 0.0)]:
        z = fn(dd.DualArray(x, tx), other)
        assert type(z) is dd.DualArray
        assert_bitwise(z.real, ufunc(x, oy), f"dd.{name} values")
        expected, shape = scalar_map(lambda a, b, c, d: fn(dd.Dual(a, c), dd.Dual(b, d)),
                                     x, oy, tx, oty)
        assert_ulps(z.dual, dual_parts(expected, shape)[1], PARITY_ULPS, f"dd.{name} tangents")
    z = fn(2.0, dd.DualArray(x, tx))
    assert type(z) is dd.DualArray
    assert_bitwise(z.real, ufunc(2.0, x), f"dd.{name}(2.0, DualArray) values")
    h = fn(dd.HyperDualArray(x, 1.0, 1.0), y)
    assert type(h) is dd.HyperDualArray


def test_product_and_quotient_second_partials_by_hand(dd):
    """d2(xy)/dxdy = 1; d2(x/y)/dxdy = -1/y^2, d2(x/y)/dy2 = 2x/y^3 (dyadic points: exact)."""
    x = np.array([1.5, -2.0, 0.25, 3.0])
    y = np.array([2.0, 0.5, -4.0, 1.0])
    one, zero = np.ones(4), np.zeros(4)
    xy = dd.HyperDualArray(x, one, zero) * dd.HyperDualArray(y, zero, one)
    assert_bitwise(xy.e12, one, "d2(xy)/dxdy")
    assert_bitwise(xy.e1, y, "d(xy)/dx")
    assert_bitwise(xy.e2, x, "d(xy)/dy")
    q = dd.HyperDualArray(x, one, zero) / dd.HyperDualArray(y, zero, one)
    assert_bitwise(q.e12, -1 / y**2, "d2(x/y)/dxdy")
    q = dd.HyperDualArray(x) / dd.HyperDualArray(y, one, one)
    assert_bitwise(q.e1, -x / y**2, "d(x/y)/dy")
    assert_bitwise(q.e12, 2 * x / y**3, "d2(x/y)/dy2")
    sq = dd.HyperDualArray(x, one, one) * dd.HyperDualArray(x, one, one)
    assert_bitwise(sq.e12, 2 * one, "d2(x*x)")


# ---------------------------------------------------------------------------
# Broadcasting: every operator, every kind of operand, on either side
# ---------------------------------------------------------------------------

OPERATORS = {
    "+": (operator.add, np.add), "-": (operator.sub, np.subtract),
    "*": (operator.mul, np.multiply), "/": (operator.truediv, np.divide),
    "**": (operator.pow, np.power),
    "np.add": (np.add, np.add), "np.subtract": (np.subtract, np.subtract),
    "np.multiply": (np.multiply, np.multiply), "np.divide": (np.divide, np.divide),
    "np.power": (np.power, np.power),
    "np.arctan2": (np.arctan2, np.arctan2), "np.hypot": (np.hypot, np.hypot),
    "np.maximum": (np.maximum, np.maximum), "np.minimum": (np.minimum, np.minimum),
    "np.fmax": (np.fmax, np.fmax), "np.fmin": (np.fmin, np.fmin),
}

_SCALAR_OF = {
    "np.add": operator.add, "np.subtract": operator.sub, "np.multiply": operator.mul,
    "np.divide": operator.truediv, "np.power": operator.pow,
}


def _scalar_op(dd, name):
    if name in ("np.arctan2",):
        return dd.arctan2
    if name in ("np.hypot",):
        return dd.hypot
    if name in ("np.maximum", "np.fmax"):
        return lambda a, b: a if a.real >= b.real else b
    if name in ("np.minimum", "np.fmin"):
        return lambda a, b: a if a.real <= b.real else b
    return _SCALAR_OF.get(name, OPERATORS[name][0])


#: left and right real parts: (3, 1) against (4,) gives (3, 4); positive, distinct
_LEFT = np.array([[0.75], [1.5], [2.25]])
_RIGHT = np.array([0.5, 1.25, 2.0, 3.5])
_TL = np.array([[1.0], [-0.5], [2.0]])
_TR = np.array([0.25, -1.0, 0.0, 1.5])

OPERAND_KINDS = ["DualArray", "ndarray", "float", "np.float64", "int", "Dual", "0-d DualArray"]


def _operand(dd, kind, re, t):
    """(operand, its reals, its tangents) for an operand kind; scalars take re's first element."""
    if kind == "DualArray":
        return dd.DualArray(re, t), re, t
    if kind == "ndarray":
        return re.copy(), re, np.zeros_like(re)
    r0 = float(np.ravel(re)[0])
    t0 = float(np.ravel(t)[0])
    if kind == "float":
        return r0, np.float64(r0), 0.0
    if kind == "np.float64":
        return np.float64(r0), np.float64(r0), 0.0
    if kind == "int":
        return 2, np.float64(2.0), 0.0
    if kind == "Dual":
        return dd.Dual(r0, t0), np.float64(r0), t0
    if kind == "0-d DualArray":
        return dd.DualArray(r0, t0), np.float64(r0), t0
    raise AssertionError(kind)


@pytest.mark.parametrize("name", sorted(OPERATORS))
@pytest.mark.parametrize("kinds", [("DualArray", k) for k in OPERAND_KINDS]
                         + [(k, "DualArray") for k in OPERAND_KINDS if k != "DualArray"],
                         ids=lambda k: f"{k[0]}-{k[1]}")
def test_broadcasting_equals_elementwise(dd, name, kinds):
    op = OPERATORS[name][0]
    scalar_op = _scalar_op(dd, name)
    left, lre, lt = _operand(dd, kinds[0], _LEFT, _TL)
    right, rre, rt = _operand(dd, kinds[1], _RIGHT, _TR)
    z = op(left, right)
    shape = np.broadcast_shapes(np.shape(lre), np.shape(rre))
    assert type(z) is dd.DualArray, f"{name} of {kinds} gave {type(z).__name__}"
    assert z.shape == shape
    zr, zd = z.real, z.dual
    expected, eshape = scalar_map(lambda a, b, c, d: scalar_op(dd.Dual(a, c), dd.Dual(b, d)),
                                  lre, rre, lt, rt)
    real, dual = dual_parts(expected, eshape)
    assert_bitwise(zr, OPERATORS[name][1](lre, rre), f"{name} {kinds}: values vs NumPy")
    assert_ulps(zd, dual, PARITY_ULPS, f"{name} {kinds}: tangents vs scalar Duals")


@pytest.mark.parametrize("shapes", [((3, 1), (4,)), ((2, 1), (3,)), ((4,), (2, 1)),
                                    ((2, 1, 3), (4, 1)), ((5,), (1,))],
                         ids=lambda s: f"{s[0]}-{s[1]}")
def test_hyperdualarray_sum_and_difference_broadcast_by_hand(dd, shapes):
    """x + y and x - y of HyperDualArrays of different shapes: each part is the
    broadcast sum/difference of the parts (exact)."""
    sx, sy = shapes
    xp = [ints(sx, 200 + i) for i in range(4)]
    yp = [ints(sy, 300 + i) for i in range(4)]
    x, y = dd.HyperDualArray(*xp), dd.HyperDualArray(*yp)
    for op in (operator.add, operator.sub):
        z = op(x, y)
        assert z.shape == np.broadcast_shapes(sx, sy)
        for part, a, b in zip(("real", "e1", "e2", "e12"), xp, yp):
            assert_bitwise(getattr(z, part), op(a, b), f"{op.__name__}: {part}")


def test_broadcasting_3_1_with_4_by_hand(dd):
    """(3, 1) * (4,) DualArrays: the product rule on the (3, 4) grid, and + - exact."""
    x = dd.DualArray(_LEFT, _TL)
    y = dd.DualArray(_RIGHT, _TR)
    z = x * y
    assert z.shape == (3, 4)
    assert_bitwise(z.dual, _TL * _RIGHT + _LEFT * _TR, "d(xy)")
    s = x - y
    assert_bitwise(s.real, _LEFT - _RIGHT, "x - y")
    assert_bitwise(s.dual, _TL - _TR, "d(x - y)")
    s = y + x
    assert_bitwise(s.dual, _TL + _TR, "d(y + x)")
    q = 1.0 / x
    assert_bitwise(q.dual, -_TL / _LEFT**2, "d(1/x)")   # dyadic: exact


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_hyperdualarray_broadcasting(dd, op):
    f = OPERATORS[op][0]
    x = dd.HyperDualArray(_LEFT, _TL, 1.0, 0.5)
    y = dd.HyperDualArray(_RIGHT, 0.5, _TR, -1.0)
    for left, right, la, ra in [(x, y, True, True), (x, _RIGHT, True, False),
                                (2.5, y, False, True), (_LEFT, y, False, True)]:
        z = f(left, right)
        shape = np.broadcast_shapes(np.shape(left), np.shape(right))
        assert type(z) is dd.HyperDualArray and z.shape == shape
        lp = (_LEFT, _TL, 1.0, 0.5) if la else (left, 0.0, 0.0, 0.0)
        rp = (_RIGHT, 0.5, _TR, -1.0) if ra else (right, 0.0, 0.0, 0.0)
        expected, shape = scalar_map(
            lambda a, b, c, d, e, g, h, i: f(dd.HyperDual(a, b, c, d), dd.HyperDual(e, g, h, i)),
            *lp, *rp)
        real, s1, s2, s12 = hyper_parts(expected, shape)
        assert_bitwise(z.real, real, f"{op}: values")
        for part, s in (("e1", s1), ("e2", s2), ("e12", s12)):
            assert_ulps(getattr(z, part), s, PARITY_ULPS,
                        f"{type(left).__name__} {op} {type(right).__name__}: {part}")


@settings(max_examples=40)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=6),
       st.lists(st.floats(0.5, 5), min_size=1, max_size=6),
       st.sampled_from(["+", "-", "*", "/"]), st.booleans())
def test_arithmetic_hypothesis_matches_scalar(dd, xs, ys, op, transpose):
    x = np.array(xs)[:, None] if transpose else np.array(xs)
    y = np.array(ys)
    if not transpose and x.size != y.size:
        y = np.resize(y, x.size)
    tx, ty = np.cos(np.arange(x.size)).reshape(x.shape), np.sin(np.arange(y.size) + 1.0)
    f = OPERATORS[op][0]
    z = f(dd.DualArray(x, tx), dd.DualArray(y, ty))
    expected, shape = scalar_map(lambda a, b, c, d: f(dd.Dual(a, c), dd.Dual(b, d)),
                                 x, y, tx, ty)
    real, dual = dual_parts(expected, shape)
    assert_bitwise(z.real, real, "values")
    assert_ulps(z.dual, dual, PARITY_ULPS, "tangents")


def test_comparisons_and_predicates_return_plain_bool_arrays(dd):
    x = dd.DualArray([1.0, 2.0, 3.0, np.inf], [5.0, 6.0, 7.0, 8.0])
    y = np.array([2.0, 2.0, 2.0, 2.0])
    for f, expected in [(lambda: x < y, [True, False, False, False]),
                        (lambda: x <= 2.0, [True, True, False, False]),
                        (lambda: x > dd.DualArray(y, 1.0), [False, False, True, True]),
                        (lambda: x >= y, [False, True, True, True]),
                        (lambda: x == 2, [False, True, False, False]),
                        (lambda: x != y, [True, False, True, True]),
                        (lambda: y > x, [True, False, False, False]),
                        (lambda: np.less(x, y), [True, False, False, False]),
                        (lambda: np.greater_equal(x, y), [False, True, True, True]),
                        (lambda: np.equal(x, 3.0), [False, False, True, False]),
                        (lambda: np.isfinite(x), [True, True, True, False]),
                        (lambda: np.isinf(x), [False, False, False, True]),
                        (lambda: np.isnan(x), [False, False, False, False]),
                        (lambda: np.signbit(-x), [True, True, True, True])]:
        r = f()
        assert type(r) is np.ndarray and r.dtype == bool, type(r)
        assert r.tolist() == expected


# ---------------------------------------------------------------------------
# Domains, warnings, zero tangents
# ---------------------------------------------------------------------------

DOMAIN_CASES = [
    # (function, points, out-of-domain indices)
    ("log", [-1.0, 2.0, -0.5], [0, 2]),
    ("log2", [-1.0, 2.0], [0]),
    ("log10", [-3.0, 2.0], [0]),
    ("log1p", [-2.0, 0.5], [0]),
    ("sqrt", [-1.0, 4.0], [0]),
    ("arcsin", [2.0, 0.5, -1.5], [0, 2]),
    ("arccos", [2.0, 0.5], [0]),
    ("arccosh", [0.5, 2.0], [0]),
    ("arctanh", [2.0, 0.5], [0]),
    # computed by the compiled kernel itself where NumPy calls the same libm
    ("sin", [np.inf, 0.5, -np.inf], [0, 2]),
    ("cos", [-np.inf, 1.0], [0]),
]


def _record(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [w for w in caught]


@pytest.mark.parametrize("name, points, bad", DOMAIN_CASES, ids=[c[0] for c in DOMAIN_CASES])
@pytest.mark.parametrize("via", ["numpy", "dualdiff"])
def test_out_of_domain_gives_nan_value_and_tangent_with_warning(dd, name, points, bad, via):
    x = np.array(points)
    fn = getattr(np, name) if via == "numpy" else getattr(dd, name)
    y, caught = _record(lambda: fn(dd.DualArray(x, 1.0)))
    assert [w.category for w in caught] == [RuntimeWarning], [str(w.message) for w in caught]
    assert "invalid value" in str(caught[0].message)
    good = [i for i in range(x.size) if i not in bad]
    assert np.isnan(y.real[bad]).all() and np.isnan(y.dual[bad]).all(), (y.real, y.dual)
    assert np.isfinite(y.real[good]).all() and np.isfinite(y.dual[good]).all()
    with np.errstate(invalid="ignore"):
        assert_bitwise(y.real, getattr(np, name)(x), f"{name}: values vs NumPy")
    h, caught = _record(lambda: fn(dd.HyperDualArray(x, 1.0, 1.0)))
    assert [w.category for w in caught] == [RuntimeWarning]
    for part in ("real", "e1", "e2", "e12"):
        assert np.isnan(getattr(h, part)[bad]).all(), part
        assert np.isfinite(getattr(h, part)[good]).all(), part


@pytest.mark.parametrize("name", ["sin", "cos"])
def test_sin_cos_values_are_numpys_at_every_magnitude(dd, name):
    # where the compiled kernel computes these values itself (one sincos per
    # point), they must still be NumPy's to the bit, huge arguments included
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-20.0, 20.0, 3000),
                        rng.choice([-1.0, 1.0], 3000) * 10.0 ** rng.uniform(-310, 308, 3000),
                        np.arange(-400, 401) * (np.pi / 2), [0.0, -0.0, 5e-324]])
    t = rng.uniform(-2.0, 2.0, x.size)
    ufunc = getattr(np, name)
    slope = np.cos(x) if name == "sin" else -np.sin(x)
    y = ufunc(dd.DualArray(x, t))
    assert_bitwise(y.real, ufunc(x), f"{name}: DualArray values vs NumPy")
    assert_ulps(y.dual, slope * t, 1, f"{name}: tangents vs NumPy's slope times t", x)
    h = ufunc(dd.HyperDualArray(x, 1.0, 1.0))
    assert_bitwise(h.real, ufunc(x), f"{name}: HyperDualArray values vs NumPy")
    assert_ulps(h.e1, slope, 1, f"{name}: e1 vs NumPy's slope", x)
    assert_ulps(h.e12, -ufunc(x), 0, f"{name}: e12 is minus the value", x)
    value, d = dd.value_and_derivative(ufunc, x)
    assert_bitwise(value, ufunc(x), f"{name}: value_and_derivative's values")
    assert_ulps(d, slope, 1, f"{name}: derivative vs NumPy's slope", x)


def test_libm_values_are_only_sin_and_cos(dd):
    # the kernels' own values stand in for NumPy's only for these two, and
    # only where an import-time probe found them equal to the bit
    assert dd.DualArray._kernels.libm_values <= {"sin", "cos"}
    if dd.backend == "python":
        assert dd.DualArray._kernels.libm_values == frozenset()


@pytest.mark.parametrize("name, points, bad", DOMAIN_CASES, ids=[c[0] for c in DOMAIN_CASES])
def test_errstate_ignore_silences_and_raise_raises(dd, name, points, bad):
    x = dd.DualArray(points, 1.0)
    fn = getattr(np, name)
    with np.errstate(invalid="ignore"):
        y, caught = _record(lambda: fn(x))
    assert caught == []
    assert np.isnan(y.dual[bad]).all()
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError):
            fn(x)
        with pytest.raises(FloatingPointError):
            fn(dd.HyperDualArray(points, 1.0, 1.0))


def test_log_of_zero_is_minus_inf_with_infinite_tangent(dd):
    x = dd.DualArray([0.0, 1.0], 1.0)
    y, caught = _record(lambda: np.log(x))
    assert [w.category for w in caught] == [RuntimeWarning]
    assert "divide by zero" in str(caught[0].message)
    assert y.real.tolist() == [-np.inf, 0.0]
    assert y.dual.tolist() == [np.inf, 1.0]
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            np.log(x)
    with np.errstate(divide="ignore"):
        y, caught = _record(lambda: dd.log(dd.DualArray([0.0], -2.0)))
    assert caught == [] and y.real.tolist() == [-np.inf] and y.dual.tolist() == [-np.inf]


def test_zero_tangent_stays_zero_at_infinite_derivatives(dd):
    x = dd.DualArray([0.0, 0.0, 4.0, 0.0], [0.0, 1.0, 0.0, -1.0])
    with np.errstate(all="raise"):   # the tangents never warn
        y = np.sqrt(x)
    assert_bitwise(y.real, [0.0, 0.0, 2.0, 0.0], "sqrt values")
    assert_bitwise(y.dual, [0.0, np.inf, 0.0, -np.inf], "sqrt tangents")
    with np.errstate(all="raise"):
        c = np.cbrt(x)
    assert_bitwise(c.dual, [0.0, np.inf, 0.0, -np.inf], "cbrt tangents")
    h = np.sqrt(dd.HyperDualArray([0.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 0.0]))
    assert_bitwise(h.e1, [0.0, np.inf], "e1")
    assert_bitwise(h.e12, [0.0, -np.inf], "e12")
    with np.errstate(divide="ignore"):
        lg = np.log(dd.DualArray([0.0], [0.0]))
    assert_bitwise(lg.dual, [0.0], "log(0) with a zero tangent")
    # products with an infinite value keep a zero tangent zero
    z = dd.DualArray([np.inf, 2.0], [1.0, 0.0]) * dd.DualArray([3.0, np.inf], [0.0, 1.0])
    assert_bitwise(z.real, [np.inf, np.inf], "inf products")
    assert_bitwise(z.dual, [3.0, 2.0], "zero tangents times inf")


def test_arcsin_at_one_is_infinite_derivative_not_nan(dd):
    y, caught = _record(lambda: np.arcsin(dd.DualArray([1.0, -1.0], 1.0)))
    assert caught == []
    assert y.real.tolist() == [np.pi / 2, -np.pi / 2]
    assert y.dual.tolist() == [np.inf, np.inf]


def test_division_by_zero_follows_numpy(dd):
    x = dd.DualArray([1.0, -1.0, 0.0], 1.0)
    y, caught = _record(lambda: x / dd.DualArray([0.0, 0.0, 2.0], 0.0))
    assert RuntimeWarning in [w.category for w in caught]
    assert y.real.tolist() == [np.inf, -np.inf, 0.0]
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            x / np.array([0.0, 1.0, 1.0])


SPECIAL = [0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan, 1e-310, 1e308, 3.0]


@pytest.mark.parametrize("op", ["*", "/"])
@pytest.mark.parametrize("kinds", ["array-array", "array-constant", "constant-array",
                                   "array-float", "float-array"])
@pytest.mark.parametrize("order", [1, 2])
def test_fused_products_equal_the_broadcasting_path(dd, op, kinds, order):
    # same-shape operands take one fused kernel (compiled backend); a (2, n)
    # broadcast takes NumPy expressions: both must give the same parts, the
    # zero-safe products at 0 * inf and nan included
    n = len(SPECIAL)
    xr = np.array(SPECIAL)
    yr = np.roll(xr, 3)
    tx = np.array([0.0, 1.0, 0.0, -1.0, 2.0, 0.0, 1.0, 0.5, 0.0, np.inf])
    ty = np.roll(tx, 5)
    make = ((lambda r, t: dd.DualArray(r, t)) if order == 1
            else (lambda r, t: dd.HyperDualArray(r, t, np.roll(t, 1), np.roll(t, 2))))
    left, right = kinds.split("-")
    x = {"array": make(xr, tx), "constant": xr, "float": 2.5}[left]
    y = {"array": make(yr, ty), "constant": yr, "float": -0.5}[right]
    fn = operator.mul if op == "*" else operator.truediv
    with np.errstate(all="ignore"):
        fused = fn(x, y)
        wide = [np.broadcast_to(v, (2, n)) if isinstance(v, np.ndarray) else
                (v[None] * np.ones((2, 1)) if not isinstance(v, float) else v)
                for v in (x, y)]
        broadcast = fn(*wide)[1]
    parts = ("real", "dual") if order == 1 else ("real", "e1", "e2", "e12")
    for part in parts:
        assert_bitwise(np.abs(getattr(fused, part)), np.abs(getattr(broadcast, part)),
                       f"{kinds} {op} order {order}: {part}")


# ---------------------------------------------------------------------------
# Array functions
# ---------------------------------------------------------------------------

def _xt(dd, shape, seed):
    re, t = ints(shape, seed), ints(shape, seed + 100)
    return dd.DualArray(re, t), re, t


@pytest.mark.parametrize("how", ["np.sum", "method", "np.add.reduce"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum(dd, how, axis, keepdims):
    x, re, t = _xt(dd, (3, 4, 2), 10)
    if how == "np.add.reduce":
        y = np.add.reduce(x, axis=axis, keepdims=keepdims)
    elif how == "np.sum":
        y = np.sum(x, axis=axis, keepdims=keepdims)
    else:
        y = x.sum(axis=axis, keepdims=keepdims)
    ev = np.sum(re, axis=axis, keepdims=keepdims)
    et = np.sum(t, axis=axis, keepdims=keepdims)
    if np.ndim(ev) == 0:
        assert type(y) is dd.Dual
        assert (y.real, y.dual) == (float(ev), float(et))
    else:
        assert type(y) is dd.DualArray and y.shape == ev.shape
        assert_bitwise(y.real, ev, "sum values")
        assert_bitwise(y.dual, et, "sum tangents")


def test_sum_of_tangents_by_hand(dd):
    x = dd.DualArray([[1.0, 2.0], [3.0, 4.0]], [[0.5, 0.25], [2.0, -1.0]])
    s = np.sum(x)
    assert (s.real, s.dual) == (10.0, 1.75)
    s = np.sum(x, axis=0)
    assert s.real.tolist() == [4.0, 6.0] and s.dual.tolist() == [2.5, -0.75]
    m = np.mean(x, axis=1)
    assert m.real.tolist() == [1.5, 3.5] and m.dual.tolist() == [0.375, 0.5]
    m = x.mean()
    assert (m.real, m.dual) == (2.5, 0.4375)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_mean(dd, axis):
    x, re, t = _xt(dd, (4, 6), 11)
    y = np.mean(x, axis=axis)
    n = re.size if axis is None else re.shape[axis]
    ev, et = np.sum(re, axis=axis) / n, np.sum(t, axis=axis) / n
    if axis is None:
        assert type(y) is dd.Dual
        assert ulps_apart(y.real, ev) <= 1 and ulps_apart(y.dual, et) <= 1
    else:
        assert_ulps(y.real, ev, 1, "mean values")
        assert_ulps(y.dual, et, 1, "mean tangents")


def _prod_by_hand(values, tangents):
    """prod, d prod = sum_i t_i prod_{j != i} x_j (no division) and the size of its
    terms, in mpmath."""
    with mpmath.workdps(DIGITS):
        xs = [mp(v) for v in values]
        ts = [mp(v) for v in tangents]
        p = mpmath.fprod(xs)
        terms = [ts[i] * mpmath.fprod(xs[:i] + xs[i + 1:]) for i in range(len(xs))]
        return p, mpmath.fsum(terms), mpmath.fsum(abs(t) for t in terms)


@pytest.mark.parametrize("values", [
    [1.5, -2.0, 0.75, 3.0, 1.25, -0.5, 2.5],
    [2.0, 0.0, 3.0, 5.0],          # one zero: d prod = t_2 * 2 * 3 * 5
    [0.0, 4.0, 0.0, 1.5, 2.0],     # two zeros: d prod = 0
    [0.3, 1.7, 2.9, 0.11, 5.3, 1.01, 0.77, 1.9, 3.3],
    [4.0],
], ids=["seven", "one-zero", "two-zeros", "nine", "one"])
@pytest.mark.parametrize("how", ["np.prod", "method", "np.multiply.reduce"])
def test_prod_product_rule(dd, values, how):
    rng = np.random.default_rng(len(values))
    t = rng.uniform(-2, 2, len(values))
    x = dd.DualArray(values, t)
    if how == "np.prod":
        y = np.prod(x)
    elif how == "method":
        y = x.prod()
    else:
        y = np.multiply.reduce(x)
    assert type(y) is dd.Dual
    p, d, size = _prod_by_hand(values, t)
    n = len(values)
    assert ulp_error(y.real, p) <= n, (y.real, p)
    if size == 0:
        assert y.dual == 0.0        # two zero factors: every term vanishes exactly
    else:
        assert ulp_error(y.dual, d, size) <= 2 * n, (y.dual, d)


def test_prod_along_axes(dd):
    x, re, t = _xt(dd, (3, 4), 12)
    for axis in (0, 1, -1):
        y = np.prod(x, axis=axis)
        moved = np.moveaxis(re, axis, 0)
        tmoved = np.moveaxis(t, axis, 0)
        ed = sum(tmoved[i] * np.prod(np.delete(moved, i, axis=0), axis=0)
                 for i in range(moved.shape[0]))
        assert_bitwise(y.real, np.prod(re, axis=axis), f"prod values axis={axis}")
        assert_bitwise(y.dual, ed, f"prod tangents axis={axis}")
    y = np.prod(x, axis=1, keepdims=True)
    assert y.shape == (3, 1)
    h = dd.HyperDualArray([2.0, 3.0, 5.0], 1.0, 1.0)
    p = np.prod(h)
    # f = x0 x1 x2 along (1, 1, 1): f' = sum of pairwise products, f'' = 2 * sum of singles
    assert (p.real, p.e1, p.e12) == (30.0, 6 + 10 + 15, 2 * (2 + 3 + 5))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumsum_is_linear(dd, axis):
    x, re, t = _xt(dd, (3, 5), 13)
    for y in (np.cumsum(x, axis=axis), x.cumsum(axis=axis)):
        flat = axis is None
        r = re.ravel() if flat else re
        tt = t.ravel() if flat else t
        ax = 0 if flat else axis
        # running sums by hand
        er, et = np.zeros_like(r), np.zeros_like(tt)
        for k in range(r.shape[ax]):
            idx = [slice(None)] * r.ndim
            idx[ax] = slice(0, k + 1)
            out = [slice(None)] * r.ndim
            out[ax] = k
            er[tuple(out)] = r[tuple(idx)].sum(axis=ax)
            et[tuple(out)] = tt[tuple(idx)].sum(axis=ax)
        assert_bitwise(y.real, er, "cumsum values")
        assert_bitwise(y.dual, et, "cumsum tangents")
    y = np.add.accumulate(dd.DualArray([1.0, 2.0, 3.0], [1.0, 0.0, -1.0]))
    assert y.real.tolist() == [1.0, 3.0, 6.0] and y.dual.tolist() == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("n, axis", [(1, -1), (2, -1), (1, 0), (3, 1)])
def test_diff_is_linear(dd, n, axis):
    x, re, t = _xt(dd, (4, 5), 14)
    y = np.diff(x, n=n, axis=axis)
    er, et = re, t
    for _ in range(n):   # by hand: successive differences
        er = np.moveaxis(np.moveaxis(er, axis, 0)[1:] - np.moveaxis(er, axis, 0)[:-1], 0, axis)
        et = np.moveaxis(np.moveaxis(et, axis, 0)[1:] - np.moveaxis(et, axis, 0)[:-1], 0, axis)
    assert_bitwise(y.real, er, "diff values")
    assert_bitwise(y.dual, et, "diff tangents")


def _matmul_by_hand(a, b):
    a, b = np.asarray(a), np.asarray(b)
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            out[i, j] = sum(a[i, k] * b[k, j] for k in range(a.shape[1]))
    return out


def test_matmul_with_float_matrices_and_between_dualarrays(dd):
    A, At = ints((3, 4), 20), ints((3, 4), 21)
    B, Bt = ints((4, 2), 22), ints((4, 2), 23)
    M = ints((3, 4), 24)
    N = ints((4, 2), 25)
    X, Y = dd.DualArray(A, At), dd.DualArray(B, Bt)
    # float matrix @ DualArray and DualArray @ float matrix: linear
    for z, ev, et in [(M @ Y, _matmul_by_hand(M, B), _matmul_by_hand(M, Bt)),
                      (X @ N, _matmul_by_hand(A, N), _matmul_by_hand(At, N)),
                      (np.matmul(X, N), _matmul_by_hand(A, N), _matmul_by_hand(At, N)),
                      (np.matmul(M, Y), _matmul_by_hand(M, B), _matmul_by_hand(M, Bt))]:
        assert type(z) is dd.DualArray and z.shape == ev.shape
        assert_bitwise(z.real, ev, "matmul values")
        assert_bitwise(z.dual, et, "matmul tangents")
    # DualArray @ DualArray: the product rule
    z = X @ Y
    assert_bitwise(z.real, _matmul_by_hand(A, B), "X @ Y values")
    assert_bitwise(z.dual, _matmul_by_hand(At, B) + _matmul_by_hand(A, Bt), "X @ Y tangents")
    # vectors
    v, vt = ints(4, 26), ints(4, 27)
    V = dd.DualArray(v, vt)
    z = X @ V
    assert z.shape == (3,)
    assert_bitwise(z.dual, _matmul_by_hand(At, v[:, None])[:, 0]
                   + _matmul_by_hand(A, vt[:, None])[:, 0], "X @ v tangents")
    z = V @ Y
    assert z.shape == (2,)
    assert_bitwise(z.dual, _matmul_by_hand(vt[None, :], B)[0] + _matmul_by_hand(v[None, :], Bt)[0],
                   "v @ Y tangents")
    d = V @ V
    assert type(d) is dd.Dual
    assert (d.real, d.dual) == (float(sum(v * v)), float(2 * sum(v * vt)))


def test_matmul_stacked_and_hyperdual(dd):
    S, St = ints((2, 3, 4), 30), ints((2, 3, 4), 31)
    B = ints((4, 2), 32)
    z = dd.DualArray(S, St) @ B
    assert z.shape == (2, 3, 2)
    for k in range(2):
        assert_bitwise(z.real[k], _matmul_by_hand(S[k], B), "stacked values")
        assert_bitwise(z.dual[k], _matmul_by_hand(St[k], B), "stacked tangents")
    A, B = ints((2, 3), 33), ints((3, 2), 34)
    a1, a2, a12 = ints((2, 3), 35), ints((2, 3), 36), ints((2, 3), 37)
    b1, b2, b12 = ints((3, 2), 38), ints((3, 2), 39), ints((3, 2), 40)
    z = dd.HyperDualArray(A, a1, a2, a12) @ dd.HyperDualArray(B, b1, b2, b12)
    mm = _matmul_by_hand
    assert_bitwise(z.real, mm(A, B), "values")
    assert_bitwise(z.e1, mm(a1, B) + mm(A, b1), "e1")
    assert_bitwise(z.e2, mm(a2, B) + mm(A, b2), "e2")
    assert_bitwise(z.e12, mm(a12, B) + mm(A, b12) + mm(a1, b2) + mm(a2, b1), "e12")


def test_dot(dd):
    v, vt = ints(5, 41), ints(5, 42)
    w, wt = ints(5, 43), ints(5, 44)
    V, W = dd.DualArray(v, vt), dd.DualArray(w, wt)
    for d, ed in [(np.dot(V, W), float(np.sum(vt * w + v * wt))),
                  (V.dot(W), float(np.sum(vt * w + v * wt))),
                  (np.dot(V, w), float(np.sum(vt * w))),
                  (np.dot(w, V), float(np.sum(w * vt)))]:
        assert type(d) is dd.Dual
        assert d.real == float(np.sum(v * w)) or d.real == float(np.sum(w * v))
        assert d.dual == ed
    A = ints((3, 5), 45)
    z = np.dot(A, V)
    assert z.shape == (3,)
    assert_bitwise(z.dual, _matmul_by_hand(A, vt[:, None])[:, 0], "dot(A, V) tangents")
    z = np.dot(V, 2.0)
    assert_bitwise(z.dual, 2.0 * vt, "dot with a scalar")


def test_where_picks_tangents(dd):
    x = dd.DualArray([1.0, -2.0, 3.0, -4.0], [10.0, 20.0, 30.0, 40.0])
    y = dd.DualArray([5.0, 6.0, 7.0, 8.0], [-1.0, -2.0, -3.0, -4.0])
    cond = np.array([True, False, False, True])
    z = np.where(cond, x, y)
    assert z.real.tolist() == [1.0, 6.0, 7.0, -4.0]
    assert z.dual.tolist() == [10.0, -2.0, -3.0, 40.0]
    z = np.where(x > 0, x, 0.0)    # relu by hand
    assert z.real.tolist() == [1.0, 0.0, 3.0, 0.0]
    assert z.dual.tolist() == [10.0, 0.0, 30.0, 0.0]
    z = np.where(x.real > 0, np.array([9.0, 9.0, 9.0, 9.0]), y)
    assert z.real.tolist() == [9.0, 6.0, 9.0, 8.0] and z.dual.tolist() == [0.0, -2.0, 0.0, -4.0]
    # broadcasting condition (2, 1) against (4,)
    z = np.where(np.array([[True], [False]]), x, y)
    assert z.shape == (2, 4)
    assert z.dual.tolist() == [[10.0, 20.0, 30.0, 40.0], [-1.0, -2.0, -3.0, -4.0]]
    h = np.where(cond, dd.HyperDualArray(x.real, 1.0, 2.0, 3.0), 0.5)
    assert h.e12.tolist() == [3.0, 0.0, 0.0, 3.0]


def test_clip_zeroes_tangents_outside(dd):
    x = dd.DualArray([-3.0, -0.5, 0.25, 2.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    for y in (np.clip(x, -1.0, 1.5), x.clip(-1.0, 1.5)):
        assert y.real.tolist() == [-1.0, -0.5, 0.25, 1.5, 1.5]
        assert y.dual.tolist() == [0.0, 2.0, 3.0, 0.0, 0.0]
    y = np.clip(x, None, 0.0)
    assert y.real.tolist() == [-3.0, -0.5, 0.0, 0.0, 0.0]
    assert y.dual.tolist() == [1.0, 2.0, 0.0, 0.0, 0.0]
    y = np.clip(x, np.array([0.0, -1.0, 0.0, 0.0, 0.0]), None)
    assert y.dual.tolist() == [0.0, 2.0, 3.0, 4.0, 5.0]


def test_maximum_minimum_max_min(dd):
    x = dd.DualArray([1.0, 5.0, -2.0], [10.0, 20.0, 30.0])
    y = dd.DualArray([3.0, 4.0, -7.0], [-1.0, -2.0, -3.0])
    for f in (np.maximum, np.fmax):
        z = f(x, y)
        assert z.real.tolist() == [3.0, 5.0, -2.0] and z.dual.tolist() == [-1.0, 20.0, 30.0]
    for f in (np.minimum, np.fmin):
        z = f(x, y)
        assert z.real.tolist() == [1.0, 4.0, -7.0] and z.dual.tolist() == [10.0, -2.0, -3.0]
    z = np.maximum(x, 0.0)
    assert z.dual.tolist() == [10.0, 20.0, 0.0]
    m = np.array([[1.0, 9.0, 3.0], [7.0, 2.0, 8.0]])
    t = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    X = dd.DualArray(m, t)
    for f in (np.max, np.amax, lambda a, **k: a.max(**k)):
        top = f(X)
        assert type(top) is dd.Dual and (top.real, top.dual) == (9.0, 2.0)
        top = f(X, axis=0)
        assert top.real.tolist() == [7.0, 9.0, 8.0] and top.dual.tolist() == [4.0, 2.0, 6.0]
        top = f(X, axis=1, keepdims=True)
        assert top.shape == (2, 1) and top.dual.tolist() == [[2.0], [6.0]]
    for f in (np.min, np.amin, lambda a, **k: a.min(**k)):
        low = f(X)
        assert (low.real, low.dual) == (1.0, 1.0)
        low = f(X, axis=1)
        assert low.real.tolist() == [1.0, 2.0] and low.dual.tolist() == [1.0, 5.0]


def test_concatenate_and_stack(dd):
    a, at = ints((2, 3), 50), ints((2, 3), 51)
    b, bt = ints((2, 3), 52), ints((2, 3), 53)
    c = ints((2, 3), 54)
    A, B = dd.DualArray(a, at), dd.DualArray(b, bt)
    for axis in (0, 1, -1):
        z = np.concatenate([A, B, c], axis=axis)
        assert_bitwise(z.real, np.concatenate([a, b, c], axis=axis), "concatenate values")
        assert_bitwise(z.dual, np.concatenate([at, bt, np.zeros_like(c)], axis=axis), "concatenate tangents")
    z = np.concatenate([c, A], axis=None)
    assert_bitwise(z.dual, np.concatenate([np.zeros(c.size), at.ravel()]), "axis=None")
    for axis in (0, 1, 2, -1):
        z = np.stack([A, c, B], axis=axis)
        assert_bitwise(z.real, np.stack([a, c, b], axis=axis), "stack values")
        assert_bitwise(z.dual, np.stack([at, np.zeros_like(c), bt], axis=axis), "stack tangents")
    h = np.stack([dd.HyperDualArray([1.0], 1.0, 2.0, 3.0), dd.HyperDualArray([4.0], 5.0, 6.0, 7.0)])
    assert h.shape == (2, 1) and h.e12.tolist() == [[3.0], [7.0]]


def test_reshape_transpose_moveaxis_expand_dims_ravel(dd):
    re, t = ints((2, 3, 4), 60), ints((2, 3, 4), 61)
    x = dd.DualArray(re, t)
    checks = [
        (np.reshape(x, (4, 6)), re.reshape(4, 6), t.reshape(4, 6)),
        (x.reshape(6, 4), re.reshape(6, 4), t.reshape(6, 4)),
        (x.reshape((3, -1)), re.reshape(3, -1), t.reshape(3, -1)),
        (np.reshape(x, (4, 6), order="F"), re.reshape((4, 6), order="F"),
         t.reshape((4, 6), order="F")),
        (np.transpose(x), re.transpose(), t.transpose()),
        (x.T, re.T, t.T),
        (np.transpose(x, (1, 0, 2)), re.transpose(1, 0, 2), t.transpose(1, 0, 2)),
        (x.transpose(2, 0, 1), re.transpose(2, 0, 1), t.transpose(2, 0, 1)),
        (np.moveaxis(x, 0, -1), np.moveaxis(re, 0, -1), np.moveaxis(t, 0, -1)),
        (np.moveaxis(x, 2, 0), np.moveaxis(re, 2, 0), np.moveaxis(t, 2, 0)),
        (np.expand_dims(x, 1), np.expand_dims(re, 1), np.expand_dims(t, 1)),
        (np.expand_dims(x, -1), np.expand_dims(re, -1), np.expand_dims(t, -1)),
        (np.ravel(x), re.ravel(), t.ravel()),
        (x.ravel(), re.ravel(), t.ravel()),
        (x.flatten(), re.ravel(), t.ravel()),
    ]
    for i, (z, er, et) in enumerate(checks):
        assert type(z) is dd.DualArray and z.shape == er.shape, i
        assert_bitwise(z.real, er, f"check {i}: values")
        assert_bitwise(z.dual, et, f"check {i}: tangents")
    assert np.shape(x) == (2, 3, 4) and np.ndim(x) == 3 and np.size(x) == 24
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.size == 24 and len(x) == 2
    assert np.size(x, 1) == 3


def _norm_by_hand(v, t):
    with mpmath.workdps(DIGITS):
        vs, ts = [mp(a) for a in v], [mp(a) for a in t]
        n = mpmath.sqrt(mpmath.fsum(a * a for a in vs))
        return n, mpmath.fsum(a * b for a, b in zip(vs, ts)) / n


def test_linalg_norm_derivative_is_x_dot_t_over_norm(dd):
    rng = np.random.default_rng(70)
    v, t = rng.uniform(-3, 3, 7), rng.uniform(-1, 1, 7)
    x = dd.DualArray(v, t)
    for ord_ in (None, 2):
        n = np.linalg.norm(x, ord=ord_)
        assert type(n) is dd.Dual
        true_n, true_d = _norm_by_hand(v, t)
        assert ulp_error(n.real, true_n) <= 2
        assert ulp_error(n.dual, true_d, sum(abs(a * b) for a, b in zip(v, t)) / float(true_n)) <= 8
    m, mt = rng.uniform(-3, 3, (3, 4)), rng.uniform(-1, 1, (3, 4))
    X = dd.DualArray(m, mt)
    for n in (np.linalg.norm(X), np.linalg.norm(X, "fro")):
        true_n, true_d = _norm_by_hand(m.ravel(), mt.ravel())
        assert ulp_error(n.real, true_n) <= 2
        assert ulp_error(n.dual, true_d, np.sum(np.abs(m * mt)) / float(true_n)) <= 8
    rows = np.linalg.norm(X, axis=1)
    assert rows.shape == (3,)
    for i in range(3):
        true_n, true_d = _norm_by_hand(m[i], mt[i])
        assert ulp_error(rows.real[i], true_n) <= 2
        assert ulp_error(rows.dual[i], true_d, np.sum(np.abs(m[i] * mt[i])) / float(true_n)) <= 8
    # the unit tangent along axis k gives x_k / |x|
    n = np.linalg.norm(dd.DualArray([3.0, 4.0], [0.0, 1.0]))
    assert (n.real, n.dual) == (5.0, 0.8)


@pytest.mark.parametrize("kwargs", [{"ord": 1}, {"ord": np.inf}, {"ord": "nuc"}])
def test_linalg_norm_other_orders_refused(dd, kwargs):
    x = dd.DualArray([[1.0, 2.0], [3.0, 4.0]], 1.0)
    with pytest.raises(TypeError, match="norm"):
        np.linalg.norm(x, **kwargs)


# ---------------------------------------------------------------------------
# Shapes, empty arrays, views, dtypes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 2), (1, 1, 1)])
def test_shapes_1d_to_3d(dd, shape):
    rng = np.random.default_rng(80)
    re, t = rng.uniform(0.1, 2.0, shape), rng.uniform(-1, 1, shape)
    x = dd.DualArray(re, t)
    assert x.shape == shape and x.ndim == len(shape) and x.size == int(np.prod(shape))
    y = np.exp(np.sin(x)) * x
    expected, eshape = scalar_map(lambda a, b: dd.exp(dd.sin(dd.Dual(a, b))) * dd.Dual(a, b),
                                  re, t)
    real, dual = dual_parts(expected, eshape)
    assert y.shape == shape
    assert_bitwise(y.real, np.exp(np.sin(re)) * re, "values")
    assert_ulps(y.dual, dual, PARITY_ULPS, "tangents")
    s = y.sum(axis=-1)
    if len(shape) == 1:
        assert type(s) is dd.Dual
    else:
        assert type(s) is dd.DualArray and s.shape == shape[:-1]
    assert_bitwise(s.real, np.sum(y.real, axis=-1), "sum along the last axis")
    assert_bitwise(s.dual, np.sum(y.dual, axis=-1), "sum of the tangents")


def test_zero_dimensional_dualarray(dd):
    x = dd.DualArray(2.0, 1.0)
    assert x.shape == () and x.ndim == 0 and x.size == 1
    e = x[()]
    assert type(e) is dd.Dual and (e.real, e.dual) == (2.0, 1.0)
    s = np.sum(x * x)
    assert type(s) is dd.Dual and (s.real, s.dual) == (4.0, 4.0)
    with pytest.raises(TypeError):
        len(x)
    with pytest.raises(TypeError):
        iter(x).__next__()
    with pytest.raises(TypeError):
        float(x)
    h = dd.HyperDualArray(2.0, 1.0, 1.0)
    assert h.shape == ()
    c = (h * h * h)[()]
    assert type(c) is dd.HyperDual and (c.real, c.e1, c.e12) == (8.0, 12.0, 12.0)


ZERO_D_OPS = {
    "np.sin": lambda dd, x: np.sin(x), "np.exp": lambda dd, x: np.exp(x),
    "dd.sigmoid": lambda dd, x: dd.sigmoid(x), "dd.erf": lambda dd, x: dd.erf(x),
    "x**2.5": lambda dd, x: x ** 2.5, "x**2": lambda dd, x: x ** 2,
    "leaky_relu": lambda dd, x: dd.leaky_relu(x, 0.5),
    "x*x": lambda dd, x: x * x, "x+1": lambda dd, x: x + 1.0, "-x": lambda dd, x: -x,
    "x/3": lambda dd, x: x / 3.0, "np.arctan2": lambda dd, x: np.arctan2(x, 1.5),
    "x**x": lambda dd, x: x ** x,
}


@pytest.mark.parametrize("name", sorted(ZERO_D_OPS))
def test_zero_dimensional_results_keep_their_shape(dd, name):
    """f of a 0-d DualArray is a 0-d DualArray whose element is f of the scalar Dual."""
    fn = ZERO_D_OPS[name]
    for x, s in [(dd.DualArray(2.0, 1.0), dd.Dual(2.0, 1.0)),
                 (dd.HyperDualArray(2.0, 1.0, 1.0), dd.HyperDual(2.0, 1.0, 1.0, 0.0))]:
        y = fn(dd, x)
        assert type(y) is type(x)
        assert y.shape == () and y.ndim == 0 and y.size == 1, f"{name}: shape {y.shape}"
        e, es = y[()], fn(dd, s)
        assert type(e) is type(s)
        if type(s) is dd.Dual:
            assert ulps_apart(e.dual, es.dual) <= PARITY_ULPS
        else:
            assert ulps_apart(e.e12, es.e12) <= PARITY_ULPS


def test_zero_dimensional_parts_are_read_only_arrays(dd):
    """.real, .dual (.e1 .e2 .e12) of a 0-d array are 0-d read-only float64 arrays, and
    its repr works, as for any other shape."""
    x = dd.DualArray(2.0, 1.0)
    assert x.real.shape == () and float(x.real) == 2.0
    assert np.shape(x.dual) == () and float(x.dual) == 1.0
    assert not x.real.flags.writeable and not x.dual.flags.writeable
    h = dd.HyperDualArray(2.0, 1.0, 3.0, 4.0)
    assert (float(h.e1), float(h.e2), float(h.e12)) == (1.0, 3.0, 4.0)
    assert repr(x).startswith("DualArray(") and repr(h).startswith("HyperDualArray(")
    y = dd.DualArray([1.0, 3.0], [1.0, 0.0]).logsumexp()   # a 0-d result of a reduction
    v = y if type(y) is dd.Dual else y
    assert ulps_apart(float(v.dual), 1 / (1 + math.exp(2.0))) <= 2


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_empty_arrays(dd, shape):
    x = dd.DualArray(np.zeros(shape), np.zeros(shape))
    assert x.shape == shape and x.size == 0
    z = x * x + 1.0
    assert z.shape == shape
    s = np.sum(x)
    assert type(s) is dd.Dual and (s.real, s.dual) == (0.0, 0.0)
    p = np.prod(x)
    assert (p.real, p.dual) == (1.0, 0.0)
    assert len(list(x)) == shape[0] == len(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (np.sin, np.exp, np.sqrt, dd.sigmoid, dd.relu, lambda a: a ** 2.5,
                   lambda a: dd.leaky_relu(a, 0.2), lambda a: np.arctan2(a, a),
                   lambda a: np.hypot(a, 1.0), lambda a: a ** a):
            y = fn(x)
            assert type(y) is dd.DualArray and y.shape == shape
            assert y.real.size == 0 and y.dual.size == 0
            h = fn(dd.HyperDualArray(np.zeros(shape), 1.0, 1.0))
            assert h.shape == shape


def test_empty_axes_reductions(dd):
    x = dd.DualArray(np.zeros((2, 0)))
    s = x.sum(axis=1)
    assert s.real.tolist() == [0.0, 0.0] and s.dual.tolist() == [0.0, 0.0]
    p = x.prod(axis=1)
    assert p.real.tolist() == [1.0, 1.0] and p.dual.tolist() == [0.0, 0.0]
    m = x @ np.ones((0, 3))
    assert m.shape == (2, 3) and not m.real.any() and not m.dual.any()


def test_derivatives_of_empty_arrays(dd):
    for shape in ((0,), (2, 0)):
        for op in (dd.derivative, dd.second_derivative):
            r = op(lambda x: dd.sin(x) * x, np.zeros(shape))
            assert type(r) is np.ndarray and r.shape == shape and r.dtype == np.float64
        v, d = dd.value_and_derivative(dd.exp, np.zeros(shape))
        assert v.shape == d.shape == shape


def test_non_contiguous_views_as_inputs(dd):
    base = np.linspace(-2.0, 3.0, 20)
    tb = np.cos(base)
    views = [(base[::2], tb[::2]), (base[::-3], tb[1::3][::-1][:7]),
             (base.reshape(4, 5).T, tb.reshape(4, 5).T),
             (base.reshape(4, 5)[:, ::2], tb.reshape(4, 5)[::-1, ::2])]
    for re, t in views:
        assert not re.flags.c_contiguous
        x = dd.DualArray(re, t)
        y = np.sin(x) * np.exp(x) + dd.sigmoid(x)
        xc = dd.DualArray(re.copy(), t.copy())
        yc = np.sin(xc) * np.exp(xc) + dd.sigmoid(xc)
        assert_bitwise(y.real, yc.real, "view vs copy values")
        assert_bitwise(y.dual, yc.dual, "view vs copy tangents")
        expected, shape = scalar_map(
            lambda a, b: dd.sin(dd.Dual(a, b)) * dd.exp(dd.Dual(a, b)) + dd.sigmoid(dd.Dual(a, b)),
            re, t)
        _, dual = dual_parts(expected, shape)
        assert_ulps(y.dual, dual, PARITY_ULPS, "view vs scalar")
        for op in (dd.derivative, dd.second_derivative):
            f = lambda v: dd.tanh(v) * v   # noqa: E731
            assert_bitwise(op(f, re), op(f, re.copy()), f"{op.__name__} of a view")
            assert_ulps(op(f, re), np.reshape([op(f, float(a)) for a in re.ravel()], re.shape),
                        PARITY_ULPS, f"{op.__name__} of a view vs scalar")


def test_non_contiguous_dualarrays_inside_operations(dd):
    re, t = np.arange(12.0).reshape(3, 4) / 4, np.arange(12.0).reshape(3, 4) - 5
    x = dd.DualArray(re, t)
    for sub, er, et in [(x[:, ::2], re[:, ::2], t[:, ::2]), (x.T, re.T, t.T),
                        (x[::-1, 1:], re[::-1, 1:], t[::-1, 1:])]:
        y = np.cos(sub)
        assert_bitwise(y.real, np.cos(er), "values")
        expected, shape = scalar_map(lambda a, b: dd.cos(dd.Dual(a, b)), er, et)
        assert_ulps(y.dual, dual_parts(expected, shape)[1], PARITY_ULPS, "tangents")
        h = np.cos(dd.HyperDualArray(re, 1.0, 1.0)[:, ::2])
        expected, shape = scalar_map(lambda a: dd.cos(dd.HyperDual(a, 1.0, 1.0, 0.0)), re[:, ::2])
        assert_ulps(h.e12, hyper_parts(expected, shape)[3], PARITY_ULPS, "cos'' of a view")


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float32, np.float16, np.uint8])
def test_dtypes_are_promoted_to_float64(dd, dtype):
    raw = np.array([0, 1, 2, 1, 0, 3]).astype(dtype)
    x = dd.DualArray(raw, np.ones(6, dtype=dtype))
    assert x.real.dtype == np.float64 and x.dual.dtype == np.float64
    assert_bitwise(x.real, raw.astype(np.float64), "values")
    assert_bitwise(x.dual, np.ones(6), "tangents")
    h = dd.HyperDualArray(raw, raw, raw, raw)
    assert all(getattr(h, p).dtype == np.float64 for p in ("real", "e1", "e2", "e12"))
    y = np.sin(x)
    assert_bitwise(y.real, np.sin(raw.astype(np.float64)), "sin of promoted values")
    d = dd.derivative(lambda v: v * v, raw)
    assert d.dtype == np.float64
    assert_bitwise(d, 2 * raw.astype(np.float64), "derivative of x*x")
    s = dd.second_derivative(lambda v: v ** 3, raw)
    assert s.dtype == np.float64
    assert_bitwise(s, 6 * raw.astype(np.float64), "second derivative of x**3")
    # constant operands of other dtypes
    z = x * raw + np.float32(0.5)
    assert_bitwise(z.dual, raw.astype(np.float64), "times an integer array")


def test_float32_values_are_exactly_converted(dd):
    raw = np.float32([0.1, 0.7, 1.3])
    x = dd.DualArray(raw, 1.0)
    assert_bitwise(x.real, raw.astype(np.float64), "float32 -> float64")
    d = dd.derivative(dd.sin, raw)
    assert_bitwise(d, np.cos(raw.astype(np.float64)), "derivative of sin at float32 points")


def test_dual_broadcasts_against_real(dd):
    x = dd.DualArray([[1.0], [2.0]], [3.0, 4.0, 5.0])
    assert x.shape == (2, 3)
    assert x.real.tolist() == [[1.0] * 3, [2.0] * 3]
    assert x.dual.tolist() == [[3.0, 4.0, 5.0]] * 2
    z = dd.DualArray([1.0, 2.0])
    assert z.dual.tolist() == [0.0, 0.0]
    h = dd.HyperDualArray([1.0, 2.0], 1.0, [3.0, 4.0])
    assert h.e1.tolist() == [1.0, 1.0] and h.e2.tolist() == [3.0, 4.0] and h.e12.tolist() == [0.0, 0.0]


# ---------------------------------------------------------------------------
# Indexing, iteration, immutability, refusals
# ---------------------------------------------------------------------------

def test_indexing(dd):
    re, t = np.arange(12.0).reshape(3, 4), -np.arange(12.0).reshape(3, 4)
    x = dd.DualArray(re, t)
    e = x[1, 2]
    assert type(e) is dd.Dual and (e.real, e.dual) == (6.0, -6.0)
    for index in [1, slice(None, None, -1), (slice(None), 1), (Ellipsis, slice(1, 3)),
                  [2, 0], (np.array([0, 2]), np.array([1, 3])), re > 5, (1, slice(None, None, 2)),
                  (None, 0)]:
        y = x[index]
        assert type(y) is dd.DualArray, index
        assert_bitwise(y.real, re[index], f"real[{index}]")
        assert_bitwise(y.dual, t[index], f"dual[{index}]")
    h = dd.HyperDualArray(re, t, 2 * t, 3 * t)
    he = h[2, 3]
    assert type(he) is dd.HyperDual and (he.real, he.e1, he.e2, he.e12) == (11.0, -11.0, -22.0, -33.0)
    assert_bitwise(h[re > 8].e12, 3 * t[re > 8], "boolean index")
    with pytest.raises(IndexError):
        x[3]


def test_iteration_and_len(dd):
    x = dd.DualArray([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert len(x) == 3
    items = list(x)
    assert all(type(i) is dd.Dual for i in items)
    assert [(i.real, i.dual) for i in items] == [(1.0, 4.0), (2.0, 5.0), (3.0, 6.0)]
    m = dd.DualArray(np.arange(6.0).reshape(3, 2), 1.0)
    assert len(m) == 3
    rows = list(m)
    assert len(rows) == 3 and all(type(r) is dd.DualArray and r.shape == (2,) for r in rows)
    assert rows[2].real.tolist() == [4.0, 5.0]
    h = dd.HyperDualArray([1.0, 2.0], 1.0, 2.0, 3.0)
    assert [(i.real, i.e1, i.e2, i.e12) for i in h] == [(1.0, 1.0, 2.0, 3.0), (2.0, 1.0, 2.0, 3.0)]
    assert len(h) == 2
    # elements are usable as scalars
    assert sum(x).dual == 15.0


def test_immutability(dd):
    x = dd.DualArray([1.0, 2.0], [3.0, 4.0])
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 5.0
    with pytest.raises(TypeError):
        x[0] = dd.Dual(5.0, 1.0)
    with pytest.raises(ValueError):
        x.real[0] = 5.0
    with pytest.raises(ValueError):
        x.dual[0] = 5.0
    h = dd.HyperDualArray([1.0, 2.0], 1.0, 1.0)
    with pytest.raises(TypeError):
        h[1] = 0.0
    for part in ("real", "e1", "e2", "e12"):
        with pytest.raises(ValueError):
            getattr(h, part)[0] = 9.0
    assert x.real.tolist() == [1.0, 2.0] and x.dual.tolist() == [3.0, 4.0]
    assert x.tangents.shape == (1, 2) and x.tangents.tolist() == [[3.0, 4.0]]
    with pytest.raises(ValueError):
        x.tangents[0, 0] = 5.0
    # the constructor copies: changing the input later changes nothing
    re, t = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    y = dd.DualArray(re, t)
    re[0], t[0] = 100.0, 100.0
    assert y.real.tolist() == [1.0, 2.0] and y.dual.tolist() == [3.0, 4.0]
    assert copy.copy(y).dual.tolist() == [3.0, 4.0]
    assert copy.deepcopy(y).real.tolist() == [1.0, 2.0]


def test_conversions_to_plain_arrays_and_floats_refused(dd):
    x = dd.DualArray([1.0, 2.0], [3.0, 4.0])
    for fn in (np.asarray, np.array, lambda a: np.asarray(a, dtype=float)):
        with pytest.raises(TypeError, match="DualArray"):
            fn(x)
    with pytest.raises(TypeError):
        float(dd.DualArray([1.0], 1.0))
    with pytest.raises(TypeError):
        float(dd.DualArray(1.0, 1.0))
    with pytest.raises(TypeError):
        np.asarray(dd.HyperDualArray([1.0], 1.0))
    with pytest.raises(TypeError):
        hash(x)
    with pytest.raises(ValueError):
        bool(x)


@pytest.mark.parametrize("call, name", [
    (lambda x: np.logaddexp(x, x), "logaddexp"),
    (lambda x: np.mod(x, 2.0), "remainder"),
    (lambda x: np.fmod(x, 2.0), "fmod"),
    (lambda x: np.arctan2(x, x, out=np.empty(3)), "arctan2"),
    (lambda x: np.exp(x, out=np.empty(3)), "exp"),
    (lambda x: np.sin(x, where=np.array([True, False, True])), "sin"),
    (lambda x: np.add.outer(x, x), "add"),
    (lambda x: np.multiply.accumulate(x), "multiply"),
    (lambda x: np.spacing(x), "spacing"),   # (deg2rad has a rule since it joined the spec)
    (lambda x: np.rint(x), "rint"),
    (lambda x: np.cumprod(x), "cumprod"),
    (lambda x: np.median(x), "median"),
    (lambda x: np.tensordot(x, x, 1), "tensordot"),
    (lambda x: np.linalg.inv(np.stack([x, x, x])), "inv"),
])
def test_unsupported_functions_raise_type_error_naming_them(dd, call, name):
    x = dd.DualArray([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(TypeError, match=name):
        call(x)
    with pytest.raises(TypeError, match=name):
        call(dd.HyperDualArray([1.0, 2.0, 3.0], 1.0, 1.0))


def test_mixing_orders_refused(dd):
    x = dd.DualArray([1.0, 2.0], 1.0)
    h = dd.HyperDualArray([1.0, 2.0], 1.0, 1.0)
    with pytest.raises(TypeError):
        x + h
    with pytest.raises(TypeError):
        h * x
    with pytest.raises(TypeError):
        x + "a"


# ---------------------------------------------------------------------------
# derivative, second_derivative, value_and_derivative over arrays
# ---------------------------------------------------------------------------

def seed_terms(dd, flavour="dd"):
    """The four summands of the seed's g, written with dualdiff's or NumPy's functions."""
    m = dd if flavour == "dd" else np
    return [lambda x: m.sin(x) * m.exp(x) / (1 + x**2), lambda x: m.log1p(x**2),
            lambda x: m.sqrt(x), lambda x: m.tanh(x)]


def seed_g(dd, flavour="dd"):
    """g(x) = sin(x) exp(x) / (1 + x^2) + log1p(x^2) + sqrt(x) + tanh(x)."""
    terms = seed_terms(dd, flavour)
    return lambda x: terms[0](x) + terms[1](x) + terms[2](x) + terms[3](x)


def _g_prime_terms_mp(x):
    """The terms of g'(x), in mpmath; g' is their sum."""
    s, c, e, q = mpmath.sin(x), mpmath.cos(x), mpmath.exp(x), 1 + x**2
    return [c * e / q, s * e / q, -s * e * 2 * x / q**2, 2 * x / q,
            1 / (2 * mpmath.sqrt(x)), 1 / mpmath.cosh(x) ** 2]


G_POINTS = np.concatenate([[0.0, 0.7, 1.0, 2.0, 1e-8], np.linspace(0.05, 4.0, 35)])


def assert_within_scale(got, expected, scale, ulps, what, points):
    """|got - expected| <= ulps * ulp(scale) entrywise: g' and g'' are sums of terms that
    partly cancel, and a 1-ulp difference of a term (NumPy's sin against libm's) moves the
    sum by an ulp of the terms, not of the sum.  inf and nan must match exactly."""
    got, expected = np.asarray(got, dtype=float).ravel(), np.asarray(expected, dtype=float).ravel()
    bad = []
    for a, g, e, sc in zip(np.ravel(points).tolist(), got.tolist(), expected.tolist(),
                           np.ravel(scale).tolist()):
        if not (math.isfinite(g) and math.isfinite(e)):
            ok = ulps_apart(g, e) == 0
        else:
            ok = abs(g - e) <= ulps * math.ulp(max(abs(e), sc))
        if not ok:
            bad.append(f"at {a!r}: {g!r} vs {e!r} (scale {sc!r})")
    assert not bad, f"{what}:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("flavour", ["dd", "np"])
@pytest.mark.parametrize("shape", [(40,), (5, 8), (2, 4, 5)])
def test_seed_g_derivatives_over_an_array_equal_the_scalar_ones(dd, shape, flavour):
    g = seed_g(dd, flavour)
    x = G_POINTS.reshape(shape)
    d = dd.derivative(g, x)
    s = dd.second_derivative(g, x)
    v, vd = dd.value_and_derivative(g, x)
    for r in (d, s, v, vd):
        assert type(r) is np.ndarray and r.shape == shape and r.dtype == np.float64
    pts = x.ravel().tolist()
    # the scale of each result: the sum of |the summands' own derivatives| (scalar path)
    terms = seed_terms(dd)
    scale1 = [sum(abs(dd.derivative(t, a)) for t in terms) for a in pts]
    scale2 = [sum(abs(dd.second_derivative(t, a)) for t in terms) for a in pts]
    scale0 = [sum(abs(t(a)) for t in terms) for a in pts]
    gs = seed_g(dd)   # the scalar reference always uses dualdiff's functions
    assert_within_scale(d, [dd.derivative(gs, a) for a in pts], scale1, PARITY_ULPS,
                        "derivative", x)
    assert_within_scale(s, [dd.second_derivative(gs, a) for a in pts], scale2, PARITY_ULPS,
                        "second_derivative", x)
    pairs = [dd.value_and_derivative(gs, a) for a in pts]
    assert_within_scale(v, [p[0] for p in pairs], scale0, PARITY_ULPS,
                        "value_and_derivative values", x)
    assert_within_scale(vd, [p[1] for p in pairs], scale1, PARITY_ULPS,
                        "value_and_derivative slopes", x)
    assert_bitwise(vd, d, "value_and_derivative's slope = derivative")
    assert d.ravel()[0] == np.inf and s.ravel()[0] == -np.inf   # sqrt' and sqrt'' at 0


def test_seed_g_derivative_against_mpmath(dd):
    g = seed_g(dd)
    x = G_POINTS[1:]
    d = dd.derivative(g, x)
    for a, got in zip(x.tolist(), d.tolist()):
        with mpmath.workdps(DIGITS):
            terms = _g_prime_terms_mp(mp(a))
            true, scale = mpmath.fsum(terms), mpmath.fsum(abs(t) for t in terms)
        assert ulp_error(got, true, scale) <= 8, (a, got, true)


def test_derivative_of_a_view_and_a_transposed_array(dd):
    g = seed_g(dd)
    m = G_POINTS.reshape(5, 8)
    assert_bitwise(dd.derivative(g, m.T), dd.derivative(g, m).T, "derivative of m.T")
    assert_bitwise(dd.second_derivative(g, m[:, ::3]), dd.second_derivative(g, m)[:, ::3],
                   "second derivative of a strided view")


def test_derivative_evaluates_f_once_on_an_array(dd):
    calls = []

    def f(x):
        calls.append(type(x))
        return dd.sin(x) * x

    x = np.linspace(0.0, 1.0, 7)
    d = dd.derivative(f, x)   # (the seed is of a subclass that refuses mixing elements)
    assert len(calls) == 1 and issubclass(calls[0], dd.DualArray)
    assert_ulps(d, [dd.derivative(f, float(a)) for a in x], PARITY_ULPS, "derivative")
    calls.clear()
    dd.second_derivative(f, x)
    assert len(calls) == 1 and issubclass(calls[0], dd.HyperDualArray)


def test_fallback_for_what_an_array_cannot_do(dd):
    # math.sin needs float(), scipy's erf a NumPy ufunc without a rule: both
    # send derivative() point by point, whose scalar errors then speak
    import math

    import scipy.special

    x = np.array([0.5, 1.0])
    with pytest.raises(TypeError, match="float\\(\\) of a Dual would drop"):
        dd.derivative(lambda t: math.sin(t), x)
    with pytest.raises(TypeError):
        dd.derivative(lambda t: scipy.special.erf(t), x)
    # a NumPy function without a rule, then a plain scalar function: works
    got = dd.derivative(lambda t: dd.sin(t) if np.ndim(t) == 0 or np.trunc(t) is None else t, x)
    assert got.tolist() == [math.cos(0.5), math.cos(1.0)]


def test_a_fault_inside_the_array_code_is_not_hidden(dd, monkeypatch):
    # an error raised by dualdiff's own array code must propagate, not turn
    # into a slow point-by-point evaluation
    def broken(*args, **kwargs):
        raise TypeError("kernel fault")

    monkeypatch.setattr(dd.DualArray, "_kernels",
                        type("K", (), {"chain_into": staticmethod(broken),
                                       "binary": staticmethod(broken),
                                       "partials": staticmethod(broken),
                                       "libm_values": frozenset()}))
    x = np.array([0.5, 1.0])
    with pytest.raises(TypeError, match="kernel fault"):
        dd.derivative(np.sin, x)
    with pytest.raises(TypeError, match="kernel fault"):
        dd.derivative(lambda t: np.hypot(t, 2.0 * t), x)


def test_derivative_falls_back_point_by_point(dd):
    def piecewise(x):
        if x > 0:                   # a truth value: fails on an array of several elements
            return x ** 3
        return -dd.sin(x)

    x = np.array([-1.0, 0.5, 2.0, -0.25])
    for op in (dd.derivative, dd.second_derivative):
        with pytest.raises(ValueError):
            piecewise(dd.DualArray(x, 1.0))
        r = op(piecewise, x)
        assert_bitwise(r, [op(piecewise, float(a)) for a in x], f"{op.__name__} fallback")
    v, d = dd.value_and_derivative(piecewise, x)
    assert_bitwise(d, [dd.derivative(piecewise, float(a)) for a in x],
                   "value_and_derivative fallback")
    assert d.tolist()[1:3] == [0.75, 12.0]
    assert v.tolist()[1:3] == [0.125, 8.0]


def test_derivative_with_math_module_raises_like_the_scalar_call(dd):
    f = lambda x: math.sin(x)   # noqa: E731
    with pytest.raises(TypeError):
        dd.derivative(f, 1.0)
    with pytest.raises(TypeError):
        dd.derivative(f, np.array([0.0, 1.0]))


def test_derivative_of_constant_and_of_identity(dd):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert_bitwise(dd.derivative(lambda v: 3.0, x), np.zeros((2, 2)), "constant")
    assert_bitwise(dd.derivative(lambda v: v, x), np.ones((2, 2)), "identity")
    assert_bitwise(dd.second_derivative(lambda v: v * 2.0, x), np.zeros((2, 2)), "linear")
    assert_bitwise(dd.derivative(lambda v: v * v * v, x), 3 * x * x, "cube")


def test_derivative_out_of_domain_over_an_array(dd):
    x = np.array([-1.0, 1.0, 4.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = dd.derivative(dd.sqrt, x)
    assert RuntimeWarning in [w.category for w in caught]
    assert np.isnan(d[0]) and d[1:].tolist() == [0.5, 0.25]
    with np.errstate(invalid="ignore"):
        v, d = dd.value_and_derivative(dd.log, x)
    assert np.isnan(v[0]) and np.isnan(d[0]) and d[1:].tolist() == [1.0, 0.25]


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------

ACT_POINTS = np.array([-3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 40.0, -40.0])


def test_activation_kinks_and_known_values(dd):
    x = dd.DualArray(ACT_POINTS, 1.0)
    relu = dd.relu(x)
    assert_bitwise(relu.real, [0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 40.0, 0.0], "relu")
    assert relu.dual.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    lr = dd.leaky_relu(x, 0.25)
    assert lr.real.tolist() == [-0.75, -0.25, 0.0, 0.0, 0.5, 2.0, 40.0, -10.0]
    assert lr.dual.tolist() == [0.25, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0, 0.25]
    assert dd.leaky_relu(x).dual.tolist() == [0.01, 0.01, 0.01, 0.01, 1.0, 1.0, 1.0, 0.01]
    z = dd.DualArray([0.0], 1.0)
    assert dd.sigmoid(z).real.tolist() == [0.5] and dd.sigmoid(z).dual.tolist() == [0.25]
    assert np.tanh(z).dual.tolist() == [1.0]
    assert dd.softplus(z).dual.tolist() == [0.5]
    assert ulps_apart(dd.softplus(z).real[0], math.log(2.0)) <= 1
    assert dd.gelu(z).dual.tolist() == [0.5] and dd.gelu(z).real.tolist() == [0.0]
    assert dd.gelu(z, approximate=True).dual.tolist() == [0.5]
    assert np.abs(z).dual.tolist() == [0.0] and np.sign(z).dual.tolist() == [0.0]
    assert np.floor(dd.DualArray([2.5], 1.0)).dual.tolist() == [0.0]
    assert np.ceil(dd.DualArray([2.5], 1.0)).dual.tolist() == [0.0]
    h = dd.relu(dd.HyperDualArray([0.0, 1.0], 1.0, 1.0))
    assert h.e1.tolist() == [0.0, 1.0] and h.e12.tolist() == [0.0, 0.0]
    h = dd.leaky_relu(dd.HyperDualArray([0.0], 1.0, 1.0), 0.3)
    assert h.e1.tolist() == [0.3] and h.e12.tolist() == [0.0]


ACTIVATIONS = {
    "sigmoid": lambda dd, x: dd.sigmoid(x),
    "relu": lambda dd, x: dd.relu(x),
    "leaky_relu": lambda dd, x: dd.leaky_relu(x, 0.05),
    "gelu": lambda dd, x: dd.gelu(x),
    "gelu_tanh": lambda dd, x: dd.gelu(x, approximate=True),
    "softplus": lambda dd, x: dd.softplus(x),
    "tanh": lambda dd, x: dd.tanh(x),
    "np.tanh": lambda dd, x: np.tanh(x),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_elementwise(dd, name):
    fn = ACTIVATIONS[name]
    scalar = ACTIVATIONS[name.replace("np.", "")]
    x = np.concatenate([ACT_POINTS, np.linspace(-8, 8, 33)]).reshape(-1, 1) * [1.0, -1.0]
    y = fn(dd, dd.DualArray(x, 1.0))
    h = fn(dd, dd.HyperDualArray(x, 1.0, 1.0))
    ed, es = scalar_map(lambda a: scalar(dd, dd.Dual(a, 1.0)), x)
    eh, _ = scalar_map(lambda a: scalar(dd, dd.HyperDual(a, 1.0, 1.0, 0.0)), x)
    real, dual = dual_parts(ed, es)
    hr, h1, _, h12 = hyper_parts(eh, es)
    if name.endswith("tanh") and name != "gelu_tanh":
        assert_bitwise(y.real, np.tanh(x), "values vs NumPy")
    elif "dd." + name in FROM_NUMPY_EXP:
        assert_ulps(y.real, real, 1, "values vs scalar", x)
        assert_bitwise(h.real, real, "HyperDualArray values vs scalar")
    else:
        assert_bitwise(y.real, real, "values vs scalar")
    assert_ulps(y.dual, dual, PARITY_ULPS, f"{name}'", x)
    assert_ulps(h.e1, h1, PARITY_ULPS, f"{name}' (e1)", x)
    assert_ulps(h.e12, h12, PARITY_ULPS, f"{name}''", x)
    # derivative() on the array gives the same
    assert_bitwise(dd.derivative(lambda v: fn(dd, v), x), y.dual, "derivative()")


@pytest.mark.parametrize("method", ["sin", "exp", "sigmoid", "relu", "softplus", "erf", "abs",
                                    "log1p", "tanh", "arctan"])
def test_methods_equal_functions(dd, method):
    x = dd.DualArray([0.25, 1.5, 3.0], [1.0, -2.0, 0.5])
    a = getattr(x, method)()
    b = getattr(dd, method)(x)
    assert_bitwise(a.real, b.real, "values")
    assert_bitwise(a.dual, b.dual, "tangents")


# ---------------------------------------------------------------------------
# softmax and logsumexp
# ---------------------------------------------------------------------------

def _softmax_mp(row):
    with mpmath.workdps(DIGITS):
        es = [mpmath.exp(mp(v)) for v in row]
        s = mpmath.fsum(es)
        return [e / s for e in es]


SOFTMAX_X = np.array([[0.5, -1.25, 2.0, 0.0],
                      [3.0, 2.5, -0.75, 1.0],
                      [-2.0, 0.25, 0.5, 4.5]])


def ulps_of_scale(got, true, scale):
    """max |got - true| in ulps of `scale` (an mpmath or float magnitude)."""
    got = np.asarray(got, dtype=np.float64).ravel()
    if not np.all(np.isfinite(got)):
        return math.inf
    with mpmath.workdps(DIGITS):
        worst = max(abs(mp(g) - t) for g, t in zip(got.tolist(), list(true)))
    return float(worst / math.ulp(float(scale)))


@pytest.mark.parametrize("how", ["method", "dd.softmax"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_jacobian_along_an_axis(dd, axis, how):
    """Tangent e_j along `axis` gives the j-th column of the Jacobian p_i (delta_ij - p_j).

    The forward pass computes it as (e_i delta_ij - p_i e_j) / s: near p_j = 1
    the diagonal entry p_j (1 - p_j) is a difference of terms of size
    p_i (delta_ij + p_j), and the error is measured in ulps of that size.
    """
    x = SOFTMAX_X
    lines = np.moveaxis(x, axis, -1)           # each line along `axis`
    n = x.shape[axis]
    ps = [_softmax_mp(line) for line in lines]
    for j in range(n):
        t = np.zeros_like(x)
        idx = [slice(None)] * 2
        idx[axis] = j
        t[tuple(idx)] = 1.0                    # the unit vector e_j in every line
        xa = dd.DualArray(x, t)
        y = xa.softmax(axis=axis) if how == "method" else dd.softmax(xa, axis=axis)
        assert type(y) is dd.DualArray and y.shape == x.shape
        got_p = np.moveaxis(y.real, axis, -1)
        got_d = np.moveaxis(y.dual, axis, -1)
        for k, p in enumerate(ps):
            with mpmath.workdps(DIGITS):
                true_d = [p[i] * ((1 if i == j else 0) - p[j]) for i in range(n)]
                scale = max(p[i] * ((1 if i == j else 0) + p[j]) for i in range(n))
            assert ulps_of_max(got_p[k], np.array(p, dtype=object)) <= 4, (axis, j, k)
            err = ulps_of_scale(got_d[k], true_d, scale)
            assert err <= 4, (axis, j, k, got_d[k].tolist(), true_d, err)
            # and the same as the scalar path: dd.softmax of a list of Duals
            line_t = np.zeros(n)
            line_t[j] = 1.0
            sc = dd.softmax([dd.Dual(a, b) for a, b in zip(lines[k].tolist(), line_t.tolist())])
            err = ulps_of_scale(got_d[k], [mp(e.dual) for e in sc], scale)
            assert err <= 4, ("vs scalar softmax", axis, j, k, err)
    # the lines of softmax sum to one; a tangent along all of a line changes nothing
    y = dd.DualArray(x, 1.0).softmax(axis=axis)
    assert np.allclose(y.real.sum(axis=axis), 1.0, rtol=0, atol=4e-16)
    assert np.all(np.abs(y.dual) <= 4e-16)


def test_softmax_axis_none_and_hyperdual(dd):
    x = SOFTMAX_X
    flat = _softmax_mp(x.ravel())
    y = dd.DualArray(x, 0.0).softmax()
    assert y.shape == x.shape
    assert ulps_of_max(y.real.ravel(), np.array(flat, dtype=object)) <= 4
    # second derivative along e_0: d2 p_i / dx_0^2 = p_i ((d_i0 - p_0)^2 - p_0 (1 - p_0))
    t = np.zeros(4)
    t[0] = 1.0
    row = x[0]
    p = _softmax_mp(row)
    h = dd.HyperDualArray(row, t, t).softmax()
    with mpmath.workdps(DIGITS):
        true = [p[i] * (((1 if i == 0 else 0) - p[0]) ** 2 - p[0] * (1 - p[0])) for i in range(4)]
    assert ulps_of_max(h.e12, np.array(true, dtype=object)) <= 16, (h.e12, true)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("how", ["method", "dd.logsumexp"])
def test_logsumexp_derivative_is_softmax(dd, axis, keepdims, how):
    x = SOFTMAX_X
    lines = np.moveaxis(x, axis, -1)
    n = x.shape[axis]
    for j in range(n):
        t = np.zeros_like(x)
        idx = [slice(None)] * 2
        idx[axis] = j
        t[tuple(idx)] = 1.0
        xa = dd.DualArray(x, t)
        y = (xa.logsumexp(axis=axis, keepdims=keepdims) if how == "method"
             else dd.logsumexp(xa, axis=axis) if not keepdims
             else xa.logsumexp(axis, keepdims))
        expected_shape = np.sum(x, axis=axis, keepdims=keepdims).shape
        assert type(y) is dd.DualArray and y.shape == expected_shape
        vals = y.real.ravel()
        ders = y.dual.ravel()
        for k, line in enumerate(lines):
            p = _softmax_mp(line)
            with mpmath.workdps(DIGITS):
                true_v = mpmath.log(mpmath.fsum(mpmath.exp(mp(v)) for v in line))
            assert ulp_error(vals[k], true_v) <= 4
            assert ulp_error(ders[k], p[j]) <= 8, (j, k, ders[k], p[j])


def test_logsumexp_of_large_values_does_not_overflow(dd):
    x = dd.DualArray([1000.0, 1000.0, -1000.0], [1.0, 0.0, 0.0])
    y = x.logsumexp(axis=0)
    y = y[()] if isinstance(y, dd.DualArray) else y    # a 0-d result, as a Dual
    assert ulps_apart(y.real, 1000.0 + math.log(2.0)) <= 1
    assert y.dual == 0.5
    s = dd.DualArray([[800.0, 800.0], [0.0, -800.0]], [[1.0, 0.0], [0.0, 0.0]]).softmax(axis=1)
    assert s.real[0].tolist() == [0.5, 0.5]
    assert s.dual[0].tolist() == [0.25, -0.25]


def test_logsumexp_axis_none(dd):
    x = dd.DualArray(SOFTMAX_X, 1.0)
    y = x.logsumexp()
    e = y[()] if isinstance(y, dd.DualArray) else y
    with mpmath.workdps(DIGITS):
        true_v = mpmath.log(mpmath.fsum(mpmath.exp(mp(v)) for v in SOFTMAX_X.ravel()))
    assert ulp_error(e.real, true_v) <= 4
    assert abs(e.dual - 1.0) <= 4e-16    # the softmax sums to one


def test_softmax_of_the_dd_namespace_on_dualarrays(dd):
    x = dd.DualArray([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])
    a = x.softmax()
    p = _softmax_mp([1.0, 2.0, 3.0])
    assert ulps_of_max(a.real, np.array(p, dtype=object)) <= 4
    with mpmath.workdps(DIGITS):
        true = [p[i] * ((1 if i == 0 else 0) - p[0]) for i in range(3)]
    assert ulps_of_max(a.dual, np.array(true, dtype=object)) <= 8


# ---------------------------------------------------------------------------
# Pickle, repr
# ---------------------------------------------------------------------------

def test_pickle_round_trip(dd):
    rng = np.random.default_rng(90)
    re, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    x = dd.DualArray(re, t)
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        y = pickle.loads(pickle.dumps(x, protocol=protocol))
        assert type(y) is dd.DualArray
        assert_bitwise(y.real, re, "real")
        assert_bitwise(y.dual, t, "dual")
        z = np.sin(y) * y     # the copy keeps working
        assert_bitwise(z.dual, (np.sin(x) * x).dual, "after unpickling")
    h = dd.HyperDualArray(re, t, 2 * t, 3 * t)
    g = pickle.loads(pickle.dumps(h))
    assert type(g) is dd.HyperDualArray
    for part in ("real", "e1", "e2", "e12"):
        assert_bitwise(getattr(g, part), getattr(h, part), part)


def test_repr_round_trips_exact_values(dd):
    x = dd.DualArray([[0.5, -1.25], [2.0, 3.0]], [[1.0, 0.0], [-0.5, 8.0]])
    r = repr(x)
    assert r.startswith("DualArray(real=")
    y = eval(r, {"DualArray": dd.DualArray})
    assert_bitwise(y.real, x.real, "repr real")
    assert_bitwise(y.dual, x.dual, "repr dual")
    h = dd.HyperDualArray([1.0, 2.5], 1.0, 2.0, 0.25)
    r = repr(h)
    assert r.startswith("HyperDualArray(real=")
    g = eval(r, {"HyperDualArray": dd.HyperDualArray})
    for part in ("real", "e1", "e2", "e12"):
        assert_bitwise(getattr(g, part), getattr(h, part), part)


def test_softmax_of_an_object_array_of_floats_is_a_float_array(dd):
    # an ndarray in, an ndarray out, whatever its dtype (it used to be a list)
    x = np.array([1.0, 2.0, 0.5], dtype=object)
    p = dd.softmax(x)
    e = np.exp(np.array([1.0, 2.0, 0.5]))
    assert type(p) is np.ndarray and p.dtype == np.float64
    assert np.allclose(p, e / e.sum(), rtol=1e-15, atol=0)
    assert type(dd.softmax([1.0, 2.0, 0.5])) is list
