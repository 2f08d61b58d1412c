"""Semantics at the edges (DESIGN.md, "Semantics at the edges"), on every backend.

Errors follow the math module for scalars and NumPy for arrays; derivative
parts never raise; exactly-zero tangents stay zero; kinks use the subgradient;
nothing converts a dual to a float silently; wrong operand types raise
TypeError; the types pickle, copy, print and hash like numbers; NumPy ufuncs
and scalars interoperate; and ``derivative`` & co. check what they are given.
"""

import copy
import functools
import math
import operator
import pickle

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dualdiff._public import UNARY_FUNCTIONS

INF = math.inf
NAN = math.nan
EPS = 2.0 ** -52

any_float = st.floats()                                   # nan and ±inf included
finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)

ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul,
         "/": operator.truediv, "**": operator.pow}
ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
COMPARE = dict(ORDER, **{"==": operator.eq, "!=": operator.ne})

#: a point inside every function's domain; an int point likewise
DOMAIN_POINT = {"arccosh": 1.5}
INT_POINT = {"arccosh": 2, "arctanh": 0}


def sample_points(name):
    """Three points inside the domain of function ``name``."""
    if name in ("arcsin", "arccos", "arctanh"):
        return (0.5, 0.25, -0.75)
    if name == "arccosh":
        return (1.5, 3.0, 1.25)
    if name in ("log", "log2", "log10", "sqrt"):
        return (0.5, 2.0, 0.75)
    return (0.5, 2.0, -0.75)


def same(a, b):
    """a and b are the same float: nan matches nan, 0.0 does not match -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def eq(a, b):
    """a == b, with nan matching nan (the sign of zero is not compared)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def parts(x):
    if hasattr(x, "e12"):
        return (x.real, x.e1, x.e2, x.e12)
    if hasattr(x, "dual"):
        return (x.real, x.dual)
    return (x,)


def assert_parts(x, *expected):
    got = parts(x)
    assert len(got) == len(expected) and all(eq(g, e) for g, e in zip(got, expected)), (
        f"{got} != {expected}")


def dual(dd, a):
    return dd.Dual(a, 1.0)


def hyper(dd, a):
    return dd.HyperDual(a, 1.0, 1.0, 0.0)


def scalar(dd, a):
    return a


KINDS = [scalar, dual, hyper]
NUMBER_TYPES = [dual, hyper]


# --------------------------------------------------------------------------
# Constructors and unary operators
# --------------------------------------------------------------------------

def test_constructors(dd):
    assert_parts(dd.Dual(2.0), 2.0, 0.0)
    assert_parts(dd.Dual(2, 3), 2.0, 3.0)
    assert isinstance(dd.Dual(2, 3).real, float) and isinstance(dd.Dual(2, 3).dual, float)
    assert_parts(dd.Dual(1.0, dual=-2.5), 1.0, -2.5)
    assert_parts(dd.HyperDual(2.0), 2.0, 0.0, 0.0, 0.0)
    assert_parts(dd.HyperDual(1, 2, 3, 4), 1.0, 2.0, 3.0, 4.0)
    assert_parts(dd.HyperDual(1.0, e12=4.0), 1.0, 0.0, 0.0, 4.0)
    assert_parts(dd.HyperDual(1.0, e2=3.0), 1.0, 0.0, 3.0, 0.0)


def test_unary_operators(dd):
    assert_parts(-dd.Dual(1.0, 2.0), -1.0, -2.0)
    assert_parts(+dd.Dual(1.0, 2.0), 1.0, 2.0)
    assert_parts(abs(dd.Dual(-1.0, 2.0)), 1.0, -2.0)
    assert_parts(abs(dd.Dual(3.0, 2.0)), 3.0, 2.0)
    assert_parts(-dd.HyperDual(1.0, 2.0, 3.0, 4.0), -1.0, -2.0, -3.0, -4.0)
    assert_parts(+dd.HyperDual(1.0, 2.0, 3.0, 4.0), 1.0, 2.0, 3.0, 4.0)
    assert_parts(abs(dd.HyperDual(-1.0, 2.0, 3.0, 4.0)), 1.0, -2.0, -3.0, -4.0)


def test_arithmetic_parts(dd):
    a, b = dd.Dual(3.0, 2.0), dd.Dual(0.5, -4.0)
    assert_parts(a + b, 3.5, -2.0)
    assert_parts(a - b, 2.5, 6.0)
    assert_parts(a * b, 1.5, 2.0 * 0.5 + 3.0 * -4.0)
    assert_parts(a / b, 6.0, (2.0 - -4.0 * 6.0) / 0.5)
    assert_parts(a + 1, 4.0, 2.0)
    assert_parts(1 - a, -2.0, -2.0)
    assert_parts(2 * a, 6.0, 4.0)
    assert_parts(3 / a, 1.0, -3.0 * 2.0 / 9.0)
    # (x y)'' with x = a + ε1, y = b + ε2: the mixed part is 1
    h = dd.HyperDual(3.0, 1.0, 0.0, 0.0) * dd.HyperDual(0.5, 0.0, 1.0, 0.0)
    assert_parts(h, 1.5, 0.5, 3.0, 1.0)
    q = dd.HyperDual(3.0, 1.0, 1.0, 0.0) / dd.HyperDual(2.0)
    assert_parts(q, 1.5, 0.5, 0.5, 0.0)
    r = 1.0 / dd.HyperDual(2.0, 1.0, 1.0, 0.0)   # 1/x: -1/x², 2/x³
    assert_parts(r, 0.5, -0.25, -0.25, 0.25)


# --------------------------------------------------------------------------
# Errors: scalars follow the math module, for every number type
# --------------------------------------------------------------------------

DOMAIN_ERRORS = [
    ("log", -1.0), ("log", 0.0), ("log2", -1.0), ("log10", -0.5), ("log1p", -1.0),
    ("log1p", -2.0), ("sqrt", -1.0), ("sqrt", -1e-300), ("arcsin", 2.0),
    ("arccos", -1.5), ("arccosh", 0.5), ("arctanh", 1.0), ("arctanh", -2.0),
    ("sin", INF), ("cos", -INF), ("tan", INF),
]
OVERFLOWS = [("exp", 1000.0), ("exp2", 2000.0), ("expm1", 710.0), ("sinh", 1000.0),
             ("sinh", -1000.0), ("cosh", -1000.0)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, a", DOMAIN_ERRORS)
def test_domain_error(dd, kind, name, a):
    with pytest.raises(ValueError):
        getattr(dd, name)(kind(dd, a))


@pytest.mark.parametrize("kind", KINDS)
def test_more_domain_errors(dd, kind):
    with pytest.raises(ValueError):
        dd.log(kind(dd, -1.0), 10.0)
    with pytest.raises(ValueError):
        dd.power(kind(dd, -2.0), 0.5)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, a", OVERFLOWS)
def test_overflow_error(dd, kind, name, a):
    with pytest.raises(OverflowError):
        getattr(dd, name)(kind(dd, a))


@pytest.mark.parametrize("kind", KINDS)
def test_power_overflow(dd, kind):
    with pytest.raises(OverflowError):
        kind(dd, 10.0) ** 400
    with pytest.raises(OverflowError):
        kind(dd, 10.0) ** 400.0
    with pytest.raises(OverflowError):
        dd.power(kind(dd, 10.0), 400.0)
    with pytest.raises(OverflowError):
        10.0 ** kind(dd, 400.0)


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_division_by_zero(dd, kind):
    x = kind(dd, 1.0)
    zero = kind(dd, 0.0)
    for denominator in (0, 0.0, -0.0, zero, -zero, dd.Dual(0.0) if kind is dual else dd.HyperDual(0.0)):
        with pytest.raises(ZeroDivisionError):
            x / denominator
        with pytest.raises(ZeroDivisionError):
            zero / denominator
    with pytest.raises(ZeroDivisionError):
        1.0 / zero
    with pytest.raises(ZeroDivisionError):
        1 / zero


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_zero_to_a_negative_power(dd, kind):
    zero = kind(dd, 0.0)
    for p in (-1, -1.0, -2.5):
        with pytest.raises(ZeroDivisionError):
            zero ** p
    with pytest.raises(ZeroDivisionError):
        0.0 ** kind(dd, -1.0)


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_negative_base_non_integer_exponent(dd, kind):
    x = kind(dd, -2.0)
    with pytest.raises(ValueError):
        x ** 0.5
    with pytest.raises(ValueError):
        x ** kind(dd, 0.5)
    with pytest.raises(ValueError):
        (-2.0) ** kind(dd, 0.5)   # a complex float for plain floats; an error here


def test_negative_base_integer_exponent(dd):
    for p in (3, 3.0, dd.Dual(3.0, 0.0)):
        assert_parts(dd.Dual(-2.0, 1.0) ** p, -8.0, 12.0)
    assert_parts(dd.Dual(-2.0, 1.0) ** -1, -0.5, -0.25)
    assert_parts(dd.Dual(-2.0, 1.0) ** 2.0, 4.0, -4.0)
    assert_parts(dd.HyperDual(-2.0, 1.0, 1.0, 0.0) ** 3, -8.0, 12.0, 12.0, -12.0)
    assert_parts(dd.HyperDual(-2.0, 1.0, 1.0, 0.0) ** -2, 0.25, 0.25, 0.25, 0.375)
    assert_parts(dd.power(dd.Dual(-2.0, 1.0), 3), -8.0, 12.0)


@pytest.mark.parametrize("n", range(5))
def test_power_at_zero(dd, n):
    # x**n at 0: value 0**n, f' = n 0**(n-1), f'' = n(n-1) 0**(n-2)
    d1 = 1.0 if n == 1 else 0.0
    d2 = 2.0 if n == 2 else 0.0
    for p in (n, float(n)):
        assert_parts(dd.Dual(0.0, 1.0) ** p, 0.0 ** n, d1)
        assert_parts(dd.HyperDual(0.0, 1.0, 1.0, 0.0) ** p, 0.0 ** n, d1, d1, d2)
    assert dd.derivative(lambda t: t ** n, 0.0) == d1
    assert dd.second_derivative(lambda t: t ** n, 0.0) == d2


# --------------------------------------------------------------------------
# Derivative parts never raise; infinite derivatives; zero stays zero
# --------------------------------------------------------------------------

def test_sqrt_derivative_at_zero_is_infinite(dd):
    assert dd.derivative(dd.sqrt, 0.0) == INF
    assert dd.derivative(dd.sqrt, 0) == INF
    assert dd.derivative(dd.sqrt, -0.0) == INF
    assert dd.second_derivative(dd.sqrt, 0.0) == -INF
    assert_parts(dd.sqrt(dd.Dual(0.0, 1.0)), 0.0, INF)
    assert_parts(dd.sqrt(dd.HyperDual(0.0, 1.0, 1.0, 0.0)), 0.0, INF, INF, -INF)
    assert (dd.Dual(0.0, 1.0) ** 0.5).dual == INF


def test_infinite_and_overflowing_derivatives_do_not_raise(dd):
    assert dd.derivative(dd.cbrt, 0.0) == INF
    assert dd.derivative(dd.arcsin, 1.0) == INF
    assert dd.derivative(dd.arccos, 1.0) == -INF
    assert dd.derivative(dd.arccosh, 1.0) == INF
    assert dd.derivative(dd.log, 1e-310) == INF          # 1/x overflows
    assert dd.second_derivative(dd.log, 1e-300) == -INF   # -1/x² overflows
    assert dd.second_derivative(dd.exp, 709.0) == math.exp(709.0)
    assert dd.derivative(lambda t: t ** 0.5, 1e-320) == pytest.approx(0.5 / math.sqrt(1e-320))
    assert dd.second_derivative(lambda t: t ** 0.5, 5e-324) == -INF   # -x^-1.5 / 4 overflows
    assert dd.second_derivative(lambda t: t ** -1, 1e-120) == INF     # 2 x^-3 overflows
    assert dd.derivative(lambda t: 1 / t, 1e-200) == -INF
    assert dd.derivative(lambda t: t / 1e-300, 1e-300) == 1 / 1e-300


@pytest.mark.parametrize("name", UNARY_FUNCTIONS + ("log", "abs", "leaky_relu", "gelu"))
def test_zero_tangent_stays_zero(dd, name):
    f = getattr(dd, name)
    points = [0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-310, 30.0, -30.0]
    # the domain edges where the derivative is infinite
    points += {"sqrt": [0.0], "cbrt": [0.0], "arcsin": [1.0, -1.0], "arccos": [1.0, -1.0],
               "arccosh": [1.0], "log": [1e-320]}.get(name, [])
    tried = 0
    for a in points:
        try:
            value = f(a)
        except (ValueError, OverflowError):
            continue   # outside the domain
        tried += 1
        d = f(dd.Dual(a, 0.0))
        assert same(d.real, value) and d.dual == 0.0, (a, parts(d))
        h = f(dd.HyperDual(a, 0.0, 0.0, 0.0))
        assert same(h.real, value) and h.e1 == h.e2 == h.e12 == 0.0, (a, parts(h))
        h = f(dd.HyperDual(a, 1.0, 0.0, 0.0))   # only ε1: the ε2 and ε1ε2 parts stay 0
        assert h.e2 == 0.0 and h.e12 == 0.0, (a, parts(h))
    assert tried >= 3


def test_zero_stays_zero_gradient_example(dd):
    # ∇(sqrt(x) + y) at (0, 1) is (inf, 1), not (inf, nan)
    x, y = 0.0, 1.0
    assert (dd.sqrt(dd.Dual(x, 1.0)) + dd.Dual(y, 0.0)).dual == INF
    assert (dd.sqrt(dd.Dual(x, 0.0)) + dd.Dual(y, 1.0)).dual == 1.0
    assert_parts(dd.sqrt(dd.Dual(0.0, 0.0)), 0.0, 0.0)
    assert_parts(dd.sqrt(dd.HyperDual(0.0)), 0.0, 0.0, 0.0, 0.0)
    assert_parts(dd.Dual(0.0, 0.0) ** 0.5, 0.0, 0.0)
    assert_parts(dd.Dual(0.0, 0.0) * dd.Dual(INF, 0.0), NAN, 0.0)


# --------------------------------------------------------------------------
# Kinks: subgradients
# --------------------------------------------------------------------------

@pytest.mark.parametrize("zero", (0.0, -0.0, 0))
def test_kinks_at_zero(dd, zero):
    assert dd.derivative(dd.relu, zero) == 0.0
    assert dd.relu(zero) == 0.0
    assert dd.derivative(dd.leaky_relu, zero) == 0.01
    assert dd.derivative(lambda t: dd.leaky_relu(t, alpha=0.3), zero) == 0.3
    assert dd.derivative(dd.abs, zero) == 0.0
    assert dd.derivative(abs, zero) == 0.0
    assert dd.derivative(dd.fabs, zero) == 0.0
    assert dd.derivative(dd.sign, zero) == 0.0
    for f in (dd.relu, dd.leaky_relu, dd.abs, dd.sign):
        assert dd.second_derivative(f, zero) == 0.0
    assert_parts(abs(dd.Dual(0.0, 1.0)), 0.0, 0.0)
    assert_parts(dd.relu(dd.HyperDual(0.0, 1.0, 1.0, 0.0)), 0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("x", (-2.0, -1.5, -0.5, 0.0, 0.5, 1.0, 3.7))
def test_piecewise_constant_functions_have_zero_derivative(dd, x):
    for f in (dd.floor, dd.ceil, dd.sign):
        assert dd.derivative(f, x) == 0.0
        assert dd.second_derivative(f, x) == 0.0
    assert dd.floor(x) == math.floor(x) and dd.ceil(x) == math.ceil(x)
    assert isinstance(dd.floor(x), float)
    assert dd.derivative(abs, x) == (0.0 if x == 0 else math.copysign(1.0, x))


# --------------------------------------------------------------------------
# No silent loss of the derivative
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", NUMBER_TYPES)
@pytest.mark.parametrize("call", [float, math.sin, math.exp, math.sqrt, math.log, math.tanh],
                         ids=lambda c: getattr(c, "__name__", str(c)))
def test_float_conversion_raises(dd, kind, call):
    x = kind(dd, 2.0)
    with pytest.raises(TypeError) as info:
        call(x)
    message = str(info.value)
    assert "derivative" in message.lower(), message
    assert "dualdiff" in message, message
    assert x.real == 2.0


# --------------------------------------------------------------------------
# Wrong operand types
# --------------------------------------------------------------------------

BAD_OPERANDS = ["a", 1j, [1.0], None]


def _expect_type_error_naming(call, bad, op):
    with pytest.raises(TypeError) as info:
        call()
    message = str(info.value)
    if op == "*" and isinstance(bad, (str, list)):
        # CPython's own message for sequence repetition: "can't multiply sequence by non-int"
        assert "sequence" in message, message
    else:
        assert type(bad).__name__ in message, message


@pytest.mark.parametrize("kind", NUMBER_TYPES)
@pytest.mark.parametrize("bad", BAD_OPERANDS, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("op", list(ARITH) + list(ORDER))
def test_wrong_operand_types(dd, kind, bad, op):
    f = dict(ARITH, **ORDER)[op]
    x = kind(dd, 2.0)
    _expect_type_error_naming(lambda: f(x, bad), bad, op)
    _expect_type_error_naming(lambda: f(bad, x), bad, op)


@pytest.mark.parametrize("kind", NUMBER_TYPES)
@pytest.mark.parametrize("bad", BAD_OPERANDS, ids=lambda b: type(b).__name__)
def test_equality_with_foreign_types_is_false(dd, kind, bad):
    x = kind(dd, 2.0)
    assert not (x == bad) and not (bad == x)
    assert x != bad and bad != x


@pytest.mark.parametrize("bad", ["a", 1j, None], ids=lambda b: type(b).__name__)
def test_functions_reject_non_numbers(dd, bad):
    for name in UNARY_FUNCTIONS + ("log", "abs", "leaky_relu", "gelu"):
        with pytest.raises(TypeError) as info:
            getattr(dd, name)(bad)
        assert type(bad).__name__ in str(info.value), (name, str(info.value))
    for f in (dd.arctan2, dd.hypot, dd.power):
        with pytest.raises(TypeError):
            f(bad, 1.0)
        with pytest.raises(TypeError):
            f(1.0, bad)
        with pytest.raises(TypeError):
            f(dd.Dual(1.0, 1.0), bad)


@pytest.mark.parametrize("op", list(ARITH))
def test_dual_and_hyperdual_do_not_mix(dd, op):
    f = ARITH[op]
    d, h = dd.Dual(2.0, 1.0), dd.HyperDual(2.0, 1.0, 1.0, 0.0)
    with pytest.raises(TypeError):
        f(d, h)
    with pytest.raises(TypeError):
        f(h, d)


def test_dual_and_hyperdual_do_not_mix_in_functions(dd):
    d, h = dd.Dual(2.0, 1.0), dd.HyperDual(2.0, 1.0, 1.0, 0.0)
    for f in (dd.arctan2, dd.hypot, dd.power):
        with pytest.raises(TypeError):
            f(d, h)
        with pytest.raises(TypeError):
            f(h, d)


# --------------------------------------------------------------------------
# Pickle, copy, repr
# --------------------------------------------------------------------------

def _round_trips(dd, x):
    ns = {"Dual": dd.Dual, "HyperDual": dd.HyperDual}
    text = repr(x)
    assert text.startswith(type(x).__name__ + "("), text
    copies = [copy.copy(x), copy.deepcopy(x), eval(text, ns)]
    copies += [pickle.loads(pickle.dumps(x, protocol)) for protocol in range(pickle.HIGHEST_PROTOCOL + 1)]
    for c in copies:
        assert type(c) is type(x)
        assert all(same(p, q) for p, q in zip(parts(c), parts(x))), (text, parts(c))


@given(any_float, any_float)
@example(INF, NAN)
@example(-0.0, -INF)
@example(1e-310, 1.7976931348623157e308)
def test_dual_round_trips(dd, a, b):
    _round_trips(dd, dd.Dual(a, b))


@given(any_float, any_float, any_float, any_float)
@example(NAN, INF, -INF, -0.0)
def test_hyperdual_round_trips(dd, a, b, c, d):
    _round_trips(dd, dd.HyperDual(a, b, c, d))


# --------------------------------------------------------------------------
# Comparisons and hash use the real part
# --------------------------------------------------------------------------

@given(any_float, finite, any_float, finite, st.integers(-10**6, 10**6))
@example(NAN, 1.0, NAN, 2.0, 0)
@example(1.0, 5.0, 1.0, -5.0, 1)
@example(-0.0, 1.0, 0.0, 2.0, 0)
def test_comparisons_use_real_part(dd, a, b, c, d, n):
    for name, op in COMPARE.items():
        expected = op(a, c)
        for x, y in ((dd.Dual(a, b), dd.Dual(c, d)),
                     (dd.HyperDual(a, b, d, b), dd.HyperDual(c, d, b, d))):
            assert op(x, y) == expected, (name, x, y)
            assert op(x, c) == expected, (name, x, c)
            assert op(a, y) == expected, (name, a, y)
            assert op(x, n) == op(a, n), (name, x, n)
            assert op(n, x) == op(n, a), (name, n, x)


def test_scalar_numbers_are_unhashable(dd):
    """== compares real parts, so hashing by the real part would let a
    value-keyed cache hand a derivative call a float's result."""
    for x in (dd.Dual(2.0, 1.0), dd.HyperDual(2.0, 1.0, 1.0, 0.0),
              dd.GradientDual(2.0, {0: 1.0}), dd.HessianDual(2.0, {0: 1.0})):
        name = type(x).__name__
        with pytest.raises(TypeError, match=f"unhashable type: '{name}'.*lru_cache"):
            hash(x)
        with pytest.raises(TypeError, match="unhashable"):
            {x: 1}   # noqa: B018
        with pytest.raises(TypeError, match="unhashable"):
            1.0 in {x}   # noqa: B015
    assert dd.Dual(2.0, 1.0) == 2 and dd.Dual(2.0, 1.0) == dd.Dual(2.0, 7.0)


def test_nested_and_directional_numbers_are_unhashable(dd):
    seen = []

    def f(x):
        y = dd.derivative(lambda t: seen.append(t * x) or t * x, 1.0)
        return y

    dd.derivative(f, 2.0)
    with pytest.raises(TypeError, match="unhashable type: 'NestedDual'"):
        hash(seen[0])

    def g(v):
        seen.append(v[0])
        return v[0] * v[1]

    dd.hvp(g, [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="unhashable"):
        hash(seen[-1])


def test_lru_cache_cannot_hand_derivative_a_float_result(dd):
    """The issue's case: a cached f returned the float's cached value (0.0 for 12.0)."""
    @functools.lru_cache(maxsize=None)
    def cube(x):
        return x ** 3

    assert cube(2.0) == 8.0
    with pytest.raises(TypeError, match="unhashable"):
        dd.derivative(cube, 2.0)


# --------------------------------------------------------------------------
# NumPy interoperability: ufuncs, object arrays, NumPy scalars
# --------------------------------------------------------------------------

NP_UNARY = [n for n in UNARY_FUNCTIONS
            if isinstance(getattr(np, n, None), np.ufunc) and n not in ("sign", "floor", "ceil")]
NP_UNARY.append("log")


@pytest.mark.parametrize("name", NP_UNARY)
@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_numpy_unary_ufuncs_on_duals(dd, name, kind):
    f, uf = getattr(dd, name), getattr(np, name)
    xs = [dd.Dual(a, 1.5) if kind is dual else dd.HyperDual(a, 1.5, -0.5, 0.25)
          for a in sample_points(name)]
    got = uf(xs[0])
    assert type(got) is type(xs[0])
    assert_parts(got, *parts(f(xs[0])))
    arr = np.empty(3, dtype=object)
    arr[:] = xs
    out = uf(arr)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == (3,)
    for o, e in zip(out, xs):
        assert type(o) is type(e)
        assert_parts(o, *parts(f(e)))


@pytest.mark.parametrize("name", ["arctan2", "hypot"])
@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_numpy_binary_ufuncs_on_duals(dd, name, kind):
    f, uf = getattr(dd, name), getattr(np, name)
    x, y = kind(dd, 0.75), kind(dd, -2.0) * 0.5
    for u, v in ((x, y), (y, x), (x, 3.0)):
        got = uf(u, v)
        assert type(got) is type(x)
        assert_parts(got, *parts(f(u, v)))
    arr = np.empty(2, dtype=object)
    arr[:] = [x, y]
    arr2 = np.empty(2, dtype=object)
    arr2[:] = [y, x + 1]
    out = uf(arr, arr2)
    assert out.dtype == object
    for o, u, v in zip(out, arr, arr2):
        assert_parts(o, *parts(f(u, v)))


def test_numpy_arithmetic_on_object_arrays(dd):
    arr = np.empty(3, dtype=object)
    arr[:] = [dd.Dual(1.0, 1.0), dd.Dual(2.0, 0.5), dd.Dual(-3.0, 2.0)]
    total = np.sum(arr * arr)
    assert_parts(total, 14.0, 2.0 + 2.0 - 12.0)
    assert_parts(np.dot(arr, arr), 14.0, -8.0)
    assert_parts(np.sqrt(arr[1]), math.sqrt(2.0), 0.5 / (2 * math.sqrt(2.0)))


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_numpy_scalars(dd, kind):
    x = kind(dd, 3.0)
    for s in (np.float64(2.0), np.int64(2)):
        for op, f in ARITH.items():
            for got, expected in ((f(s, x), f(2.0, x)), (f(x, s), f(x, 2.0))):
                assert type(got) is type(x), (op, type(s), type(got))
                assert_parts(got, *parts(expected))
        for op, f in COMPARE.items():
            assert f(x, s) == f(3.0, 2.0) and f(s, x) == f(2.0, 3.0)


@pytest.mark.parametrize("kind", NUMBER_TYPES)
def test_ndarray_on_either_side_maps_over_its_elements(dd, kind):
    # ndarray (op) number must work as number (op) ndarray does: an object
    # array of the elementwise results, not a TypeError
    x = kind(dd, 3.0)
    a = np.array([1.0, 2.0, -0.5])
    for op, f in ARITH.items():
        if op == "**":
            a = np.abs(a)
        for got, expected in ((f(a, x), [f(float(e), x) for e in a]),
                              (f(x, a), [f(x, float(e)) for e in a])):
            assert type(got) is np.ndarray and got.dtype == object and got.shape == a.shape, op
            for g, e in zip(got, expected):
                assert type(g) is type(x), op
                assert_parts(g, *parts(e))
    for op, f in COMPARE.items():
        assert f(a, x).tolist() == [f(float(e), 3.0) for e in a], op
        assert f(x, a).tolist() == [f(3.0, float(e)) for e in a], op


def test_derivative_through_constant_arrays_on_the_left(dd):
    c = np.array([1.0, 2.0, 3.0])
    assert dd.derivative(lambda x: np.sum(c * x ** 2), 2.0) == 24.0
    assert dd.second_derivative(lambda x: np.sum(c / x), 2.0) == 1.5
    assert dd.derivative(lambda x: np.polyval(c, x), 2.0) == 6.0
    # nested: the inner call's numbers meet an ndarray on the left too
    outer = dd.derivative(lambda x: dd.derivative(lambda y: np.sum(c * x * y * y), 1.0), 2.0)
    assert outer == 12.0


# --------------------------------------------------------------------------
# The value part is bitwise the plain float result
# --------------------------------------------------------------------------

def _float_outcome(f, a, b):
    if (f is operator.pow and a < 0 and math.isfinite(a) and math.isfinite(b)
            and b != math.floor(b)):
        return ValueError   # a complex power for floats (or its overflow); an error here
    try:
        return f(a, b)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        return type(exc)


@pytest.mark.parametrize("op", list(ARITH))
@given(a=any_float, b=any_float)
@example(a=1.0, b=3.0)
@example(a=0.1, b=0.3)
@example(a=1e200, b=1e-200)
@example(a=-0.0, b=0.0)
@example(a=-2.0, b=3.0)
@example(a=-8.0, b=1 / 3)
@example(a=0.0, b=-1.0)
@example(a=10.0, b=400.0)
@example(a=1e300, b=1e300)
@example(a=5e-324, b=1e300)
@example(a=INF, b=0.0)
@example(a=0.0, b=-INF)   # 0.0 ** -inf is inf for floats, not an error
def test_value_part_is_the_float_result(dd, op, a, b):
    f = ARITH[op]
    expected = _float_outcome(f, a, b)
    operands = [(dd.Dual(a, 1.0), dd.Dual(b, 1.0)), (dd.Dual(a, 1.0), b), (a, dd.Dual(b, 1.0)),
                (dd.HyperDual(a, 1.0, 1.0, 0.0), dd.HyperDual(b, 0.5, -1.0, 2.0)),
                (dd.HyperDual(a, 1.0, 1.0, 0.0), b), (a, dd.HyperDual(b, 1.0, 1.0, 1.0))]
    for x, y in operands:
        if isinstance(expected, type):
            with pytest.raises(expected):
                f(x, y)
        else:
            got = f(x, y)
            assert same(got.real, expected), (op, x, y, got, expected)


@pytest.mark.parametrize("op", ["+", "-", "*"])
@given(a=moderate, b=moderate, c=moderate, d=moderate)
def test_tangent_parts_of_ring_operations(dd, op, a, b, c, d):
    got = ARITH[op](dd.Dual(a, b), dd.Dual(c, d))
    expected = {"+": b + d, "-": b - d, "*": b * c + a * d}[op]
    assert eq(got.dual, expected)


@given(a=moderate, b=moderate, c=moderate.filter(lambda v: abs(v) > 1e-3), d=moderate)
def test_tangent_part_of_division(dd, a, b, c, d):
    got = dd.Dual(a, b) / dd.Dual(c, d)
    expected = (b * c - a * d) / (c * c)
    scale = (abs(b) + abs(d * a / c)) / abs(c)
    assert abs(got.dual - expected) <= 8 * EPS * scale + 1e-300


# --------------------------------------------------------------------------
# Functions of plain numbers and arrays
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", UNARY_FUNCTIONS + ("log", "abs"))
def test_scalars_in_floats_out(dd, name):
    f = getattr(dd, name)
    for x in (DOMAIN_POINT.get(name, 0.5), INT_POINT.get(name, 1)):
        assert type(f(x)) is float, (name, x, type(f(x)))
        assert same(f(x), f(float(x)))


@pytest.mark.parametrize("name", UNARY_FUNCTIONS + ("log", "abs"))
def test_arrays_in_arrays_out(dd, name):
    f = getattr(dd, name)
    xs = np.array([sample_points(name)[:2], sample_points(name)[1:]])
    out = f(xs)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == xs.shape
    for o, x in zip(out.ravel(), xs.ravel()):
        s = f(float(x))
        assert abs(o - s) <= 4 * EPS * abs(s), (name, x, o, s)


def test_arrays_follow_numpy_out_of_domain(dd):
    xs = np.array([-1.0, 1.0])
    with pytest.warns(RuntimeWarning):
        out = dd.log(xs)
    assert math.isnan(out[0]) and out[1] == 0.0
    with pytest.warns(RuntimeWarning):
        out = dd.sqrt(np.array([-4.0, 4.0]))
    assert math.isnan(out[0]) and out[1] == 2.0
    with pytest.warns(RuntimeWarning):
        out = dd.exp(np.array([1000.0, 0.0]))
    assert out[0] == INF and out[1] == 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out = dd.log(xs)   # no warning: errstate is honoured
    assert math.isnan(out[0])


def test_derivative_over_array_follows_numpy_out_of_domain(dd):
    # "Arrays follow NumPy: out-of-domain elements get nan value and nan derivative"
    xs = np.array([-1.0, 2.0])
    with pytest.warns(RuntimeWarning):
        d = dd.derivative(dd.log, xs)
    assert math.isnan(d[0]) and d[1] == 0.5
    with pytest.warns(RuntimeWarning):
        v, d = dd.value_and_derivative(dd.sqrt, xs)
    assert math.isnan(v[0]) and math.isnan(d[0]) and v[1] == math.sqrt(2.0)
    with np.errstate(invalid="ignore"):
        d2 = dd.second_derivative(dd.log, xs)
    assert math.isnan(d2[0]) and d2[1] == -0.25


def test_softmax_and_logsumexp_containers(dd):
    out = dd.softmax([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 3
    assert abs(sum(out) - 1.0) <= 4 * EPS and out[0] < out[1] < out[2]
    arr = dd.softmax(np.array([1.0, 2.0, 3.0]))
    assert isinstance(arr, np.ndarray) and arr.shape == (3,)
    assert np.allclose(arr, out, rtol=4 * EPS, atol=0)
    assert dd.softmax([1000.0, 1000.0]) == [0.5, 0.5]   # shifted: no overflow
    assert dd.logsumexp([1000.0, 1000.0]) == 1000.0 + math.log(2.0)
    assert dd.logsumexp([0.0, 0.0]) == math.log(2.0)
    d = dd.softmax([dd.Dual(1.0, 1.0), dd.Dual(1.0, 0.0)])
    assert isinstance(d, list) and all(isinstance(v, dd.Dual) for v in d)
    assert_parts(d[0], 0.5, 0.25)
    assert_parts(d[1], 0.5, -0.25)
    lse = dd.logsumexp([dd.Dual(0.0, 1.0), dd.Dual(0.0, 0.0)])
    assert isinstance(lse, dd.Dual) and same(lse.real, math.log(2.0)) and lse.dual == 0.5


@pytest.mark.parametrize("bad", ["a", None, [1.0], 1j], ids=lambda b: type(b).__name__)
def test_softmax_and_logsumexp_reject_non_numbers(dd, bad):
    for f in (dd.softmax, dd.logsumexp):
        for seq in ([1.0, bad], [bad], [dd.Dual(1.0, 1.0), bad]):
            with pytest.raises(TypeError) as info:
                f(seq)
            assert type(bad).__name__ in str(info.value), (f, seq, str(info.value))
        if not isinstance(bad, list):   # [1.0] itself is a fine sequence
            with pytest.raises(TypeError):
                f(bad)


# --------------------------------------------------------------------------
# derivative, second_derivative, value_and_derivative
# --------------------------------------------------------------------------

def poly(x):
    return x**3 + 2*x**2 - x + 1


def smooth(x):
    return poly(x) * 0.5 + x * x


def test_derivative_functions_return_floats(dd):
    for x in (2.0, 2, np.float64(2.0)):
        d = dd.derivative(poly, x)
        d2 = dd.second_derivative(poly, x)
        v, dv = dd.value_and_derivative(poly, x)
        assert (d, d2, v, dv) == (19.0, 16.0, 15.0, 19.0)
        assert all(type(r) is float for r in (d, d2, v, dv)), (x, d, d2, v, dv)


def test_derivative_without_x_returns_the_derivative_function(dd):
    df, d2f, vdf = dd.derivative(poly), dd.second_derivative(poly), dd.value_and_derivative(poly)
    assert callable(df) and callable(d2f) and callable(vdf)
    for x in (-1.5, 0.0, 2.0, 3):
        assert df(x) == dd.derivative(poly, x)
        assert d2f(x) == dd.second_derivative(poly, x)
        assert vdf(x) == dd.value_and_derivative(poly, x)
    assert df(2.0) == 19.0 and d2f(2.0) == 16.0 and vdf(2.0) == (15.0, 19.0)
    assert np.array_equal(df(np.array([2.0, 0.0])), [19.0, -1.0])


@pytest.mark.parametrize("const", [5.0, 5, -0.0])
def test_constant_function(dd, const):
    f = lambda x: const   # noqa: E731
    assert dd.derivative(f, 1.5) == 0.0
    assert dd.second_derivative(f, 1.5) == 0.0
    assert dd.value_and_derivative(f, 1.5) == (const, 0.0)
    assert dd.derivative(f)(1.5) == 0.0


@pytest.mark.parametrize("bad", [None, "abc", [1.0]], ids=lambda b: type(b).__name__)
def test_function_returning_a_non_number(dd, bad):
    f = lambda x: bad   # noqa: E731
    for call in (lambda: dd.derivative(f, 1.0), lambda: dd.second_derivative(f, 1.0),
                 lambda: dd.value_and_derivative(f, 1.0), lambda: dd.derivative(f)(1.0)):
        with pytest.raises(TypeError) as info:
            call()
        message = str(info.value)
        assert type(bad).__name__ in message or repr(bad) in message, message
        assert "return" in message.lower(), message


@pytest.mark.parametrize("bad", ["2.0", None, 1j, 2j + 1], ids=lambda b: type(b).__name__)
def test_non_numeric_x(dd, bad):
    for call in (dd.derivative, dd.second_derivative, dd.value_and_derivative):
        with pytest.raises(TypeError):
            call(poly, bad)
        with pytest.raises(TypeError):
            call(poly)(bad)


def test_ndarray_x_is_elementwise(dd):
    xs = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])
    for f in (poly, smooth):
        d = dd.derivative(f, xs)
        d2 = dd.second_derivative(f, xs)
        v, dv = dd.value_and_derivative(f, xs)
        for out in (d, d2, v, dv):
            assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == xs.shape
        for i, x in enumerate(xs):
            assert d[i] == dd.derivative(f, float(x))
            assert d2[i] == dd.second_derivative(f, float(x))
            assert (v[i], dv[i]) == dd.value_and_derivative(f, float(x))
    assert np.array_equal(dd.derivative(poly)(xs), dd.derivative(poly, xs))


def test_ndarray_x_with_functions(dd):
    xs = np.linspace(-2, 2, 11)
    def f(x):
        return dd.sin(x) * dd.exp(x) + dd.sigmoid(x)
    d, d2 = dd.derivative(f, xs), dd.second_derivative(f, xs)
    for i, x in enumerate(xs):
        s1, s2 = dd.derivative(f, float(x)), dd.second_derivative(f, float(x))
        assert abs(d[i] - s1) <= 16 * EPS * (abs(s1) + 1), (x, d[i], s1)
        assert abs(d2[i] - s2) <= 16 * EPS * (abs(s2) + 1), (x, d2[i], s2)
    grid = xs.reshape(1, 11)
    assert dd.derivative(f, grid).shape == (1, 11)
    assert np.array_equal(dd.derivative(f, grid)[0], d)
