"""Special values: 0, -0.0, +-inf, nan and domain edges, per function.

Each row of ``SPECIAL`` is an input and either the exception the math module
raises there (for floats, Dual and HyperDual alike) or the value, f' and f''
that dualdiff must give: the mathematical value or limit where the function
is defined, +-inf where a derivative is infinite, and the subgradients of the
contract at kinks.  The rows are checked by float, ``Dual(a, 1)`` and
``HyperDual(a, 1, 1, 0)``; every defined row is also checked for "zero stays
zero" (a tangent that is exactly 0 stays 0, even where f' is infinite).

Then ``x**n`` at 0 for n = 0..4, a negative base with an integer exponent,
the binary functions at their edges, and ndarray inputs (NumPy semantics:
nan and a RuntimeWarning out of the domain, silenced by ``np.errstate``).
"""

import math
import warnings

import numpy as np
import pytest

INF, NAN, PI = math.inf, math.nan, math.pi
LN2 = math.log(2)
SQRT_2_PI = math.sqrt(2 / math.pi)   # gelu''(0), both forms
TWO_SQRTPI = 2 / math.sqrt(math.pi)  # erf'(0)
ABOVE_1 = math.nextafter(1.0, 2.0)
BELOW_M1 = -ABOVE_1
SMALLEST = 5e-324                    # log' and sqrt'' overflow here; the values do not


def same(got, want, ulps=4):
    """got == want for the special values 0, +-inf and nan; else within `ulps` ulps."""
    if math.isnan(want):
        return math.isnan(got)
    if want == 0 or math.isinf(want) or math.isnan(got):
        return got == want
    return abs(got - want) <= ulps * math.ulp(want)


def same_signed(got, want):
    """same(), and a zero has the expected sign (as the math module gives it)."""
    return same(got, want) and (want != 0 or math.copysign(1, got) == math.copysign(1, want))


def expected_parts(value, d1, d2):
    """(part name, expected) for float, Dual(a, 1) and HyperDual(a, 1, 1, 0) results."""
    return {"value": value, "Dual.real": value, "Dual.dual": d1,
            "HyperDual.real": value, "HyperDual.e1": d1, "HyperDual.e2": d1,
            "HyperDual.e12": d2}


def actual_parts(fn, dd, a):
    d = fn(dd.Dual(a, 1.0))
    h = fn(dd.HyperDual(a, 1.0, 1.0, 0.0))
    return {"value": fn(a), "Dual.real": d.real, "Dual.dual": d.dual,
            "HyperDual.real": h.real, "HyperDual.e1": h.e1, "HyperDual.e2": h.e2,
            "HyperDual.e12": h.e12}


def check_parts(got, want, where, signed_value=False):
    bad = []
    for part, w in want.items():
        g = got[part]
        ok = same_signed(g, w) if signed_value and part.endswith(("value", "real")) else same(g, w)
        if not ok:
            bad.append(f"{part}: got {g!r}, expected {w!r}")
    assert not bad, f"{where}:\n  " + "\n  ".join(bad)


# ---------------------------------------------------------------------------
# The table: rule -> rows (a, value, f'(a), f''(a)) or (a, exception type)
# ---------------------------------------------------------------------------

SPECIAL = {
    "exp": [
        (0.0, 1.0, 1.0, 1.0), (-0.0, 1.0, 1.0, 1.0), (INF, INF, INF, INF),
        (-INF, 0.0, 0.0, 0.0), (NAN, NAN, NAN, NAN), (-1000.0, 0.0, 0.0, 0.0),
        (710.0, OverflowError), (1000.0, OverflowError),
    ],
    "exp2": [
        (0.0, 1.0, LN2, LN2 * LN2), (-0.0, 1.0, LN2, LN2 * LN2), (INF, INF, INF, INF),
        (-INF, 0.0, 0.0, 0.0), (NAN, NAN, NAN, NAN), (-1100.0, 0.0, 0.0, 0.0),
        (1024.0, OverflowError),
    ],
    "expm1": [
        (0.0, 0.0, 1.0, 1.0), (-0.0, -0.0, 1.0, 1.0), (INF, INF, INF, INF),
        (-INF, -1.0, 0.0, 0.0), (NAN, NAN, NAN, NAN), (1000.0, OverflowError),
    ],
    "log": [
        (1.0, 0.0, 1.0, -1.0), (INF, INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
        (SMALLEST, math.log(SMALLEST), INF, -INF),
        (0.0, ValueError), (-0.0, ValueError), (-1.0, ValueError), (-INF, ValueError),
    ],
    "log2": [
        (1.0, 0.0, 1 / LN2, -1 / LN2), (INF, INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
        (SMALLEST, -1074.0, INF, -INF),
        (0.0, ValueError), (-0.0, ValueError), (-1.0, ValueError), (-INF, ValueError),
    ],
    "log10": [
        (1.0, 0.0, 1 / math.log(10), -1 / math.log(10)), (10.0, 1.0, 0.1 / math.log(10),
                                                          -0.01 / math.log(10)),
        (INF, INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
        (SMALLEST, math.log10(SMALLEST), INF, -INF),
        (0.0, ValueError), (-0.0, ValueError), (-1.0, ValueError), (-INF, ValueError),
    ],
    "log1p": [
        (0.0, 0.0, 1.0, -1.0), (-0.0, -0.0, 1.0, -1.0), (INF, INF, 0.0, 0.0),
        (NAN, NAN, NAN, NAN),
        # the last float above the pole: 1 + a = 2**-53 exactly
        (-1 + 2**-53, math.log1p(-1 + 2**-53), 2.0**53, -(2.0**106)),
        (-1.0, ValueError), (-2.0, ValueError), (-INF, ValueError),
    ],
    "sqrt": [
        # sqrt''(0) is the one-sided limit -inf
        (0.0, 0.0, INF, -INF), (-0.0, -0.0, INF, -INF), (4.0, 2.0, 0.25, -1 / 32),
        (INF, INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
        (SMALLEST, math.sqrt(SMALLEST), 0.5 / math.sqrt(SMALLEST), -INF),
        (-1.0, ValueError), (-SMALLEST, ValueError), (-INF, ValueError),
    ],
    "cbrt": [
        # cbrt'(0) = +inf from both sides; cbrt'' = -(2/9) a**(-5/3) has no
        # two-sided limit at 0, so the sign of the zero picks the side, as for 1/a
        (0.0, 0.0, INF, -INF), (-0.0, -0.0, INF, INF),
        (8.0, 2.0, 1 / 12, -1 / 144), (-8.0, -2.0, 1 / 12, 1 / 144),
        (INF, INF, 0.0, 0.0), (-INF, -INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
    ],
    "sin": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (INF, ValueError), (-INF, ValueError),
    ],
    "cos": [
        (0.0, 1.0, 0.0, -1.0), (-0.0, 1.0, 0.0, -1.0), (NAN, NAN, NAN, NAN),
        (INF, ValueError), (-INF, ValueError),
    ],
    "tan": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (INF, ValueError), (-INF, ValueError),
    ],
    "arcsin": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        # one-sided limits at the domain edges: a/(1 - a^2)^(3/2) -> +-inf
        (1.0, PI / 2, INF, INF), (-1.0, -PI / 2, INF, -INF),
        (ABOVE_1, ValueError), (BELOW_M1, ValueError), (2.0, ValueError),
        (INF, ValueError), (-INF, ValueError),
    ],
    "arccos": [
        (0.0, PI / 2, -1.0, 0.0), (-0.0, PI / 2, -1.0, 0.0), (NAN, NAN, NAN, NAN),
        (1.0, 0.0, -INF, -INF), (-1.0, PI, -INF, INF),
        (ABOVE_1, ValueError), (BELOW_M1, ValueError), (-2.0, ValueError),
        (INF, ValueError), (-INF, ValueError),
    ],
    "arctan": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        # arctan'(a) = 1/(1 + a^2) and arctan'' = -2a/(1 + a^2)^2 both tend to 0
        (INF, PI / 2, 0.0, 0.0), (-INF, -PI / 2, 0.0, 0.0),
        (1e300, PI / 2, 0.0, 0.0), (-1e300, -PI / 2, 0.0, 0.0),
    ],
    "sinh": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (INF, INF, INF, INF), (-INF, -INF, INF, -INF),
        (1000.0, OverflowError), (-1000.0, OverflowError),
    ],
    "cosh": [
        (0.0, 1.0, 0.0, 1.0), (-0.0, 1.0, 0.0, 1.0), (NAN, NAN, NAN, NAN),
        (INF, INF, INF, INF), (-INF, INF, -INF, INF),
        (1000.0, OverflowError), (-1000.0, OverflowError),
    ],
    "tanh": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (INF, 1.0, 0.0, 0.0), (-INF, -1.0, 0.0, 0.0),
        (1000.0, 1.0, 0.0, 0.0), (-1000.0, -1.0, 0.0, 0.0),
    ],
    "arcsinh": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (INF, INF, 0.0, 0.0), (-INF, -INF, 0.0, 0.0),
    ],
    "arccosh": [
        # one-sided limits at 1: 1/sqrt(a^2 - 1) -> inf, -a/(a^2 - 1)^(3/2) -> -inf
        (1.0, 0.0, INF, -INF), (INF, INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
        (math.nextafter(1.0, 0.0), ValueError), (0.0, ValueError), (-1.0, ValueError),
        (-INF, ValueError),
    ],
    "arctanh": [
        (0.0, 0.0, 1.0, 0.0), (-0.0, -0.0, 1.0, 0.0), (NAN, NAN, NAN, NAN),
        (1.0, ValueError), (-1.0, ValueError), (2.0, ValueError),
        (INF, ValueError), (-INF, ValueError),
    ],
    "erf": [
        (0.0, 0.0, TWO_SQRTPI, 0.0), (-0.0, -0.0, TWO_SQRTPI, 0.0), (NAN, NAN, NAN, NAN),
        (INF, 1.0, 0.0, 0.0), (-INF, -1.0, 0.0, 0.0),
    ],
    "erfc": [
        (0.0, 1.0, -TWO_SQRTPI, 0.0), (-0.0, 1.0, -TWO_SQRTPI, 0.0), (NAN, NAN, NAN, NAN),
        (INF, 0.0, 0.0, 0.0), (-INF, 2.0, 0.0, 0.0),
    ],
    "abs": [
        # abs'(0) = 0: the subgradient of the contract
        (0.0, 0.0, 0.0, 0.0), (-0.0, 0.0, 0.0, 0.0), (-3.0, 3.0, -1.0, 0.0),
        (INF, INF, 1.0, 0.0), (-INF, INF, -1.0, 0.0), (NAN, NAN, NAN, NAN),
    ],
    "sign": [
        (0.0, 0.0, 0.0, 0.0), (-0.0, 0.0, 0.0, 0.0), (-3.0, -1.0, 0.0, 0.0),
        (INF, 1.0, 0.0, 0.0), (-INF, -1.0, 0.0, 0.0), (NAN, NAN, NAN, NAN),
    ],
    "floor": [
        (0.0, 0.0, 0.0, 0.0), (-0.0, -0.0, 0.0, 0.0), (-0.5, -1.0, 0.0, 0.0),
        (2.5, 2.0, 0.0, 0.0), (INF, INF, 0.0, 0.0), (-INF, -INF, 0.0, 0.0),
        (NAN, NAN, NAN, NAN),
    ],
    "ceil": [
        (0.0, 0.0, 0.0, 0.0), (-0.5, -0.0, 0.0, 0.0), (2.5, 3.0, 0.0, 0.0),
        (INF, INF, 0.0, 0.0), (-INF, -INF, 0.0, 0.0), (NAN, NAN, NAN, NAN),
    ],
    "deg2rad": [
        (0.0, 0.0, PI / 180, 0.0), (-0.0, -0.0, PI / 180, 0.0), (180.0, PI, PI / 180, 0.0),
        (INF, INF, PI / 180, 0.0), (-INF, -INF, PI / 180, 0.0), (NAN, NAN, NAN, NAN),
    ],
    "rad2deg": [
        (0.0, 0.0, 180 / PI, 0.0), (-0.0, -0.0, 180 / PI, 0.0), (PI, 180.0, 180 / PI, 0.0),
        (INF, INF, 180 / PI, 0.0), (-INF, -INF, 180 / PI, 0.0), (NAN, NAN, NAN, NAN),
        (1e307, OverflowError),
    ],
    "sigmoid": [
        (0.0, 0.5, 0.25, 0.0), (-0.0, 0.5, 0.25, 0.0), (NAN, NAN, NAN, NAN),
        (INF, 1.0, 0.0, 0.0), (-INF, 0.0, 0.0, 0.0),
        (1000.0, 1.0, 0.0, 0.0), (-1000.0, 0.0, 0.0, 0.0),
    ],
    "relu": [
        # relu'(0) = 0: the subgradient of the contract
        (0.0, 0.0, 0.0, 0.0), (-0.0, 0.0, 0.0, 0.0), (-2.0, 0.0, 0.0, 0.0),
        (2.0, 2.0, 1.0, 0.0), (INF, INF, 1.0, 0.0), (-INF, 0.0, 0.0, 0.0),
        (NAN, NAN, NAN, NAN),
    ],
    "softplus": [
        (0.0, LN2, 0.5, 0.25), (-0.0, LN2, 0.5, 0.25), (NAN, NAN, NAN, NAN),
        (INF, INF, 1.0, 0.0), (-INF, 0.0, 0.0, 0.0),
        # log(1 + e^800) = 800 to the last bit: no overflow on the way
        (800.0, 800.0, 1.0, 0.0), (-800.0, 0.0, 0.0, 0.0),
    ],
    "gelu": [
        (0.0, 0.0, 0.5, SQRT_2_PI), (-0.0, 0.0, 0.5, SQRT_2_PI), (NAN, NAN, NAN, NAN),
        # x Phi(x) -> x and -> 0; Phi + x phi -> 1 and 0; phi (2 - x^2) -> 0
        (INF, INF, 1.0, 0.0), (-INF, 0.0, 0.0, 0.0),
        (1e300, 1e300, 1.0, 0.0), (-1e300, 0.0, 0.0, 0.0),
    ],
    "gelu_tanh": [
        (0.0, 0.0, 0.5, SQRT_2_PI), (-0.0, 0.0, 0.5, SQRT_2_PI), (NAN, NAN, NAN, NAN),
        (INF, INF, 1.0, 0.0), (-INF, 0.0, 0.0, 0.0),
        (1e300, 1e300, 1.0, 0.0), (-1e300, 0.0, 0.0, 0.0),
    ],
}

#: Rules whose value keeps the sign of a zero result, as the math module does.
SIGNED_ZERO = {
    "expm1", "log1p", "sqrt", "cbrt", "sin", "tan", "arcsin", "arctan", "sinh",
    "tanh", "arcsinh", "arctanh", "erf", "abs", "floor", "ceil",
}


def rule_function(dd, rule):
    if rule == "gelu_tanh":
        return lambda x: dd.gelu(x, approximate=True)
    return getattr(dd, rule)


def _rows(kind):
    out = []
    for rule, rows in SPECIAL.items():
        for row in rows:
            if (len(row) == 2) == (kind == "error"):
                out.append((rule, row))
    return out


DEFINED = _rows("defined")
ERRORS = _rows("error")


def test_every_rule_has_special_values(dd):
    missing = [name for name in dd.RULE_NAMES if name not in SPECIAL]
    assert not missing, f"rules without a row in SPECIAL: {missing}"


@pytest.mark.parametrize("rule, row", DEFINED, ids=[f"{r}({row[0]!r})" for r, row in DEFINED])
def test_special_value(dd, rule, row):
    a, value, d1, d2 = row
    fn = rule_function(dd, rule)
    got = actual_parts(fn, dd, a)
    assert type(got["value"]) is float
    check_parts(got, expected_parts(value, d1, d2), f"{rule}({a!r})",
                signed_value=rule in SIGNED_ZERO)


@pytest.mark.parametrize("rule, row", ERRORS, ids=[f"{r}({row[0]!r})" for r, row in ERRORS])
def test_special_value_raises(dd, rule, row):
    a, exc = row
    fn = rule_function(dd, rule)
    with pytest.raises(exc):
        fn(a)
    with pytest.raises(exc):
        fn(dd.Dual(a, 1.0))
    with pytest.raises(exc):
        fn(dd.Dual(a, 0.0))
    with pytest.raises(exc):
        fn(dd.HyperDual(a, 1.0, 1.0, 0.0))


@pytest.mark.parametrize("rule, row", DEFINED, ids=[f"{r}({row[0]!r})" for r, row in DEFINED])
def test_zero_stays_zero(dd, rule, row):
    """A tangent that is exactly 0 stays 0, even where f' or f'' is infinite or nan."""
    a = row[0]
    fn = rule_function(dd, rule)
    d = fn(dd.Dual(a, 0.0))
    h0 = fn(dd.HyperDual(a, 0.0, 0.0, 0.0))
    h1 = fn(dd.HyperDual(a, 1.0, 0.0, 0.0))   # e12 = f' * 0 + f'' * 1 * 0
    parts = {"Dual(a, 0).dual": d.dual, "HyperDual(a, 0, 0, 0).e1": h0.e1,
             "HyperDual(a, 0, 0, 0).e2": h0.e2, "HyperDual(a, 0, 0, 0).e12": h0.e12,
             "HyperDual(a, 1, 0, 0).e2": h1.e2, "HyperDual(a, 1, 0, 0).e12": h1.e12}
    bad = {k: v for k, v in parts.items() if v != 0.0}
    assert not bad, f"{rule}({a!r}): {bad}"


# Where f' or f'' is infinite (or overflows) at a point where f is defined.
INFINITE_SLOPE = [
    ("sqrt", 0.0), ("sqrt", SMALLEST), ("cbrt", 0.0), ("cbrt", -0.0),
    ("arcsin", 1.0), ("arcsin", -1.0), ("arccos", 1.0), ("arccos", -1.0),
    ("arccosh", 1.0), ("log", SMALLEST), ("log2", SMALLEST), ("log10", SMALLEST),
]


@pytest.mark.parametrize("rule, a", INFINITE_SLOPE)
def test_zero_tangent_at_infinite_slope(dd, rule, a):
    fn = rule_function(dd, rule)
    h = fn(dd.HyperDual(a, 1.0, 1.0, 0.0))
    assert math.isinf(h.e1) or math.isinf(h.e12), "not a point of infinite slope or curvature"
    d = fn(dd.Dual(a, 0.0))
    assert (d.real, d.dual) == (fn(a), 0.0)
    h = fn(dd.HyperDual(a, 1.0, 0.0, 0.0))
    assert (h.e2, h.e12) == (0.0, 0.0)
    h = fn(dd.HyperDual(a, 0.0, 1.0, 0.0))
    assert (h.e1, h.e12) == (0.0, 0.0)


def test_gradient_of_sqrt_x_plus_y_at_0_1(dd):
    # the contract's example: (inf, 1), not (inf, nan); and d2/dxdy = 0
    r = dd.sqrt(dd.HyperDual(0.0, 1.0, 0.0, 0.0)) + dd.HyperDual(1.0, 0.0, 1.0, 0.0)
    assert (r.real, r.e1, r.e2, r.e12) == (1.0, INF, 1.0, 0.0)
    assert dd.sqrt(dd.Dual(0.0, 0.0)).dual == 0.0


def test_log_of_zero_perturbation_is_not_nan(dd):
    # ForwardDiff #178: log(Dual(0, 0)) is a domain error for the value; at the
    # smallest positive float the value is fine and f', f'' overflow
    h = dd.log(dd.HyperDual(SMALLEST, 0.0, 0.0, 0.0))
    assert (h.e1, h.e2, h.e12) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        dd.log(dd.Dual(0.0, 0.0))


# ---------------------------------------------------------------------------
# Scalar inputs: ints become floats; nan never raises
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("rule", sorted(SPECIAL))
def test_int_input_gives_float(dd, rule):
    fn = rule_function(dd, rule)
    a = {"arccosh": 2, "arctanh": 0}.get(rule, 1)
    got = fn(a)
    assert type(got) is float
    assert got == fn(float(a))


@pytest.mark.parametrize("rule", sorted(SPECIAL))
def test_nan_input_gives_nan_without_raising(dd, rule):
    fn = rule_function(dd, rule)
    assert math.isnan(fn(NAN))
    assert math.isnan(fn(dd.Dual(NAN, 1.0)).real)
    h = fn(dd.HyperDual(NAN, 1.0, 1.0, 0.0))
    assert math.isnan(h.real)


# ---------------------------------------------------------------------------
# x**n at 0, negative bases, 0.0 ** negative
# ---------------------------------------------------------------------------

def _power_ops(dd, p):
    return (("**", lambda x: x**p), ("power", lambda x: dd.power(x, p)))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("as_float", [False, True], ids=["int", "float"])
def test_power_at_zero(dd, n, as_float):
    """x**n at 0: 0**0 = 1 with derivative 0; (x**1)' = 1; (x**2)'' = 2; else 0."""
    p = float(n) if as_float else n
    value = 1.0 if n == 0 else 0.0
    d1 = 1.0 if n == 1 else 0.0
    d2 = 2.0 if n == 2 else 0.0
    assert dd.power(0.0, p) == value
    for how, op in _power_ops(dd, p):
        d = op(dd.Dual(0.0, 1.0))
        h = op(dd.HyperDual(0.0, 1.0, 1.0, 0.0))
        got = {"Dual.real": d.real, "Dual.dual": d.dual, "HyperDual.real": h.real,
               "HyperDual.e1": h.e1, "HyperDual.e2": h.e2, "HyperDual.e12": h.e12}
        want = {"Dual.real": value, "Dual.dual": d1, "HyperDual.real": value,
                "HyperDual.e1": d1, "HyperDual.e2": d1, "HyperDual.e12": d2}
        assert got == want, f"{how}: 0 ** {p!r}"


@pytest.mark.parametrize("p, value, d1, d2", [
    # one-sided limits from the right of p a**(p-1) and p (p-1) a**(p-2)
    (0.5, 0.0, INF, -INF), (1.5, 0.0, 0.0, INF), (2.5, 0.0, 0.0, 0.0),
])
def test_fractional_power_at_zero(dd, p, value, d1, d2):
    for how, op in _power_ops(dd, p):
        d = op(dd.Dual(0.0, 1.0))
        h = op(dd.HyperDual(0.0, 1.0, 1.0, 0.0))
        assert (d.real, d.dual, h.real, h.e1, h.e12) == (value, d1, value, d1, d2), how
        assert op(dd.Dual(0.0, 0.0)).dual == 0.0, how   # zero stays zero


@pytest.mark.parametrize("p", [-1, -2, -1.0, -0.5, -2.5])
def test_zero_to_negative_power_raises(dd, p):
    with pytest.raises(ZeroDivisionError):
        dd.power(0.0, p)
    for how, op in _power_ops(dd, p):
        with pytest.raises(ZeroDivisionError):
            op(dd.Dual(0.0, 1.0))
        with pytest.raises(ZeroDivisionError):
            op(dd.HyperDual(0.0, 1.0, 1.0, 0.0))


@pytest.mark.parametrize("p, value, d1, d2", [
    (3, -8.0, 12.0, -12.0), (2, 4.0, -4.0, 2.0), (1, -2.0, 1.0, 0.0), (0, 1.0, 0.0, 0.0),
    (-1, -0.5, -0.25, -0.25), (-2, 0.25, 0.25, 0.375), (4, 16.0, -32.0, 48.0),
])
@pytest.mark.parametrize("as_float", [False, True], ids=["int", "float"])
def test_negative_base_integer_exponent(dd, p, value, d1, d2, as_float):
    p = float(p) if as_float else p
    assert dd.power(-2.0, p) == value
    for how, op in _power_ops(dd, p):
        d = op(dd.Dual(-2.0, 1.0))
        h = op(dd.HyperDual(-2.0, 1.0, 1.0, 0.0))
        assert (d.real, d.dual) == (value, d1), how
        assert (h.real, h.e1, h.e2, h.e12) == (value, d1, d1, d2), how
    # an unperturbed Dual exponent: the exponent's partial (log of a negative
    # base) must not leak into the result
    d = dd.Dual(-2.0, 1.0) ** dd.Dual(p, 0.0)
    assert (d.real, d.dual) == (value, d1)
    h = dd.HyperDual(-2.0, 1.0, 1.0, 0.0) ** dd.HyperDual(p)
    assert (h.real, h.e1, h.e12) == (value, d1, d2)


@pytest.mark.parametrize("p", [0.5, -1.5, 2.0000000000000004])
def test_negative_base_fractional_exponent_raises(dd, p):
    with pytest.raises(ValueError):
        dd.power(-2.0, p)
    for how, op in _power_ops(dd, p):
        with pytest.raises(ValueError):
            op(dd.Dual(-2.0, 1.0))
        with pytest.raises(ValueError):
            op(dd.HyperDual(-2.0, 1.0, 1.0, 0.0))
    with pytest.raises(ValueError):
        (-2.0) ** dd.Dual(p, 1.0)


def test_power_overflow_raises(dd):
    with pytest.raises(OverflowError):
        dd.power(10.0, 400)
    with pytest.raises(OverflowError):
        dd.Dual(10.0, 1.0) ** 400
    with pytest.raises(OverflowError):
        dd.Dual(1e200, 1.0) ** 2.0
    with pytest.raises(OverflowError):
        dd.HyperDual(1e200, 1.0, 1.0, 0.0) ** 2
    with pytest.raises(OverflowError):
        10.0 ** dd.Dual(400.0, 1.0)


def test_zero_base_dual_exponent(dd):
    # d/dy 0**y = lim_{x->0+} x**y log x = 0 for y > 0, and so is d2/dy2
    d = 0.0 ** dd.Dual(2.0, 1.0)
    assert (d.real, d.dual) == (0.0, 0.0)
    h = 0.0 ** dd.HyperDual(2.0, 1.0, 1.0, 0.0)
    assert (h.real, h.e1, h.e12) == (0.0, 0.0, 0.0)
    # d/dx x**y at 0 with an unperturbed Dual exponent, as with a float exponent
    assert (dd.Dual(0.0, 1.0) ** dd.Dual(2.0, 0.0)).dual == 0.0
    assert (dd.Dual(0.0, 1.0) ** dd.Dual(1.0, 0.0)).dual == 1.0


# ---------------------------------------------------------------------------
# log(x, base), leaky_relu, arctan2, hypot, softmax, logsumexp at their edges
# ---------------------------------------------------------------------------

def test_log_with_base_edges(dd):
    assert dd.log(8.0, 2.0) == math.log(8.0, 2.0)
    assert dd.log(100, 10) == math.log(100, 10)
    with pytest.raises(ZeroDivisionError):   # log(1) = 0 in the denominator
        dd.log(2.0, 1.0)
    with pytest.raises(ZeroDivisionError):
        dd.log(dd.Dual(2.0, 1.0), 1.0)
    for x in (0.0, -1.0):
        with pytest.raises(ValueError):
            dd.log(x, 2.0)
        with pytest.raises(ValueError):
            dd.log(dd.Dual(x, 1.0), 2.0)
    d = dd.log(dd.Dual(INF, 1.0), 2.0)
    assert (d.real, d.dual) == (INF, 0.0)


@pytest.mark.parametrize("alpha", [0.01, 0.2, 1.5])
def test_leaky_relu_edges(dd, alpha):
    rows = [(0.0, 0.0, alpha), (-0.0, 0.0, alpha), (INF, INF, 1.0), (-INF, -INF, alpha)]
    for a, value, d1 in rows:
        d = dd.leaky_relu(dd.Dual(a, 1.0), alpha)
        h = dd.leaky_relu(dd.HyperDual(a, 1.0, 1.0, 0.0), alpha=alpha)
        assert dd.leaky_relu(a, alpha) == value
        assert (d.real, d.dual) == (value, d1), a
        assert (h.real, h.e1, h.e2, h.e12) == (value, d1, d1, 0.0), a
        assert dd.leaky_relu(dd.Dual(a, 0.0), alpha).dual == 0.0
    assert math.isnan(dd.leaky_relu(NAN, alpha))
    assert math.isnan(dd.leaky_relu(dd.Dual(NAN, 1.0), alpha).dual)


@pytest.mark.parametrize("y, x, value, d_dy, d_dx", [
    (0.0, 1.0, 0.0, 1.0, 0.0), (0.0, -1.0, PI, -1.0, 0.0), (-0.0, -1.0, -PI, -1.0, 0.0),
    (1.0, 0.0, PI / 2, 0.0, -1.0), (-1.0, 0.0, -PI / 2, 0.0, 1.0),
    # at infinity the partials x/r^2 and -y/r^2 tend to 0
    (1.0, INF, 0.0, 0.0, 0.0), (INF, 1.0, PI / 2, 0.0, 0.0), (INF, INF, PI / 4, 0.0, 0.0),
])
def test_arctan2_edges(dd, y, x, value, d_dy, d_dx):
    assert same_signed(dd.arctan2(y, x), value)
    a = dd.arctan2(dd.Dual(y, 1.0), x)
    b = dd.arctan2(y, dd.Dual(x, 1.0))
    assert same(a.real, value) and same(b.real, value)
    assert same(a.dual, d_dy), f"d/dy: {a.dual!r}"
    assert same(b.dual, d_dx), f"d/dx: {b.dual!r}"


def test_arctan2_and_hypot_at_origin_with_zero_tangents(dd):
    # the partials are undefined at the origin; zero tangents stay zero
    assert dd.arctan2(0.0, 0.0) == 0.0
    assert dd.hypot(0.0, 0.0) == 0.0
    for fn in (dd.arctan2, dd.hypot):
        d = fn(dd.Dual(0.0, 0.0), dd.Dual(0.0, 0.0))
        assert (d.real, d.dual) == (0.0, 0.0)
        h = fn(dd.HyperDual(0.0), dd.HyperDual(0.0))
        assert (h.real, h.e1, h.e2, h.e12) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("x, y, value, d_dx, d_dy", [
    (3.0, 4.0, 5.0, 0.6, 0.8), (-3.0, 4.0, 5.0, -0.6, 0.8), (0.0, 2.0, 2.0, 0.0, 1.0),
    (1e300, 1e300, math.hypot(1e300, 1e300), math.sqrt(0.5), math.sqrt(0.5)),
    # x/r -> 1 and y/r -> 0 as x -> inf
    (INF, 1.0, INF, 1.0, 0.0), (-INF, 1.0, INF, -1.0, 0.0),
])
def test_hypot_edges(dd, x, y, value, d_dx, d_dy):
    assert dd.hypot(x, y) == value
    a = dd.hypot(dd.Dual(x, 1.0), y)
    b = dd.hypot(x, dd.Dual(y, 1.0))
    assert a.real == value and b.real == value
    assert same(a.dual, d_dx), f"d/dx: {a.dual!r}"
    assert same(b.dual, d_dy), f"d/dy: {b.dual!r}"


def test_hypot_with_nan(dd):
    assert math.isnan(dd.hypot(NAN, 1.0))
    assert math.isnan(dd.hypot(dd.Dual(NAN, 1.0), 1.0).real)


def test_softmax_and_logsumexp_do_not_overflow(dd):
    assert list(dd.softmax([1000.0, 1000.0])) == [0.5, 0.5]
    assert dd.logsumexp([1000.0, 1000.0]) == 1000.0 + LN2
    assert dd.logsumexp([-1000.0, -1000.0]) == -1000.0 + LN2
    p = list(dd.softmax([dd.Dual(1000.0, 1.0), dd.Dual(1000.0, 0.0)]))
    assert [(q.real, q.dual) for q in p] == [(0.5, 0.25), (0.5, -0.25)]
    p = list(dd.softmax([dd.Dual(1000.0, 1.0), dd.Dual(0.0, 0.0)]))
    assert [(q.real, q.dual) for q in p] == [(1.0, 0.0), (0.0, 0.0)]
    g = dd.logsumexp([dd.Dual(1000.0, 1.0), dd.Dual(1000.0, 0.0)])
    assert (g.real, g.dual) == (1000.0 + LN2, 0.5)


def test_logsumexp_with_minus_inf_term(dd):
    # exp(-inf) = 0 contributes nothing, and its zero derivative nothing either
    assert dd.logsumexp([-INF, 0.0]) == 0.0
    g = dd.logsumexp([dd.Dual(-INF, 1.0), dd.Dual(0.0, 1.0)])
    assert (g.real, g.dual) == (0.0, 1.0)
    p = list(dd.softmax([dd.Dual(-INF, 1.0), dd.Dual(0.0, 0.0)]))
    assert [(q.real, q.dual) for q in p] == [(0.0, 0.0), (1.0, 0.0)]


# ---------------------------------------------------------------------------
# ndarray inputs follow NumPy: nan (or +-inf) and a RuntimeWarning
# ---------------------------------------------------------------------------

ARRAY_EDGES = {
    # rule: (array, indices out of the domain, NumPy ufunc)
    "log": ([1.0, -1.0, 0.0, 2.0], [1], np.log),
    "log2": ([1.0, -1.0, 0.0, 2.0], [1], np.log2),
    "log10": ([1.0, -1.0, 0.0, 2.0], [1], np.log10),
    "log1p": ([0.0, -2.0, -1.0, 1.0], [1], np.log1p),
    "sqrt": ([4.0, -1.0, 0.0], [1], np.sqrt),
    "arcsin": ([0.5, 2.0, -1.0], [1], np.arcsin),
    "arccos": ([0.5, -2.0, 1.0], [1], np.arccos),
    "arccosh": ([2.0, 0.5, 1.0], [1], np.arccosh),
    "arctanh": ([0.5, 2.0, 1.0], [1], np.arctanh),
    "sin": ([1.0, INF], [1], np.sin),
    "cos": ([1.0, -INF], [1], np.cos),
    "tan": ([1.0, INF], [1], np.tan),
}


@pytest.mark.parametrize("rule", sorted(ARRAY_EDGES))
def test_array_out_of_domain_gives_nan_and_warns(dd, rule):
    values, bad, ufunc = ARRAY_EDGES[rule]
    x = np.array(values)
    with np.errstate(all="ignore"):
        want = ufunc(x)
    with pytest.warns(RuntimeWarning):
        got = getattr(dd, rule)(x)
    assert isinstance(got, np.ndarray) and got.shape == x.shape
    assert np.isnan(got[bad]).all()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rule", sorted(ARRAY_EDGES))
def test_array_out_of_domain_honours_errstate(dd, rule):
    values, bad, _ = ARRAY_EDGES[rule]
    x = np.array(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore", divide="ignore"):
            got = getattr(dd, rule)(x)
    assert np.isnan(got[bad]).all()


def test_array_divide_by_zero_and_overflow_follow_numpy(dd):
    with pytest.warns(RuntimeWarning):
        got = dd.log(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(got, [-INF, 0.0])
    with pytest.warns(RuntimeWarning):
        got = dd.exp(np.array([1000.0, 0.0]))
    np.testing.assert_array_equal(got, [INF, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="ignore", over="ignore"):
            np.testing.assert_array_equal(dd.log(np.array([0.0])), [-INF])
            np.testing.assert_array_equal(dd.exp(np.array([1000.0])), [INF])


@pytest.mark.parametrize("rule, values, bad", [
    ("sqrt", [4.0, -1.0, 0.0], [1]), ("log", [1.0, -1.0, 2.0], [1]),
    ("arcsin", [0.5, 2.0, -1.0], [1]), ("arccosh", [2.0, 0.5, 1.0], [1]),
])
def test_derivative_over_array_out_of_domain(dd, rule, values, bad):
    """derivative(f, ndarray) is elementwise with NumPy's semantics: nan + RuntimeWarning."""
    x = np.array(values)
    fn = getattr(dd, rule)
    with pytest.warns(RuntimeWarning):
        got = dd.derivative(fn, x)
    assert isinstance(got, np.ndarray) and got.shape == x.shape
    assert np.isnan(got[bad]).all()
    good = [i for i in range(len(values)) if i not in bad]
    for i in good:
        assert same(got[i], fn(dd.Dual(values[i], 1.0)).dual)
