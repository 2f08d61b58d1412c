"""Every rule of the rule table against mpmath at 50 digits.

For each unary rule the value, the first derivative (``Dual(a, 1).dual``,
``HyperDual(a, 1, 1, 0).e1/.e2``) and the second derivative
(``HyperDual(a, 1, 1, 0).e12``) are compared with closed-form derivatives
evaluated by mpmath at 50 significant digits, at a fixed table of ordinary
points and tails per function and at hypothesis-drawn points of its domain.
The binary functions (``log(x, base)``, ``leaky_relu``, ``power``,
``arctan2``, ``hypot``) and the sequence functions (``softmax``,
``logsumexp``) are checked the same way, partial by partial.

Accuracy is measured in ulps of the true value (``ulp_error``): at most 4 for
values and first derivatives, 8 for second derivatives.  Where the true
derivative is a sum of terms that cancel near one of its zeros, no formula
evaluated in floats can be relative-accurate there; those oracles give the
magnitude of the cancelling terms (``d1_terms``/``d2_terms``) and the error
is measured in ulps of that magnitude instead.  Each such case says which
terms cancel.

The table is keyed by rule name and every name in ``RULE_NAMES`` must have
an oracle: a rule added to the table fails here until it is given one.
"""

import math
import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import dualdiff
from _oracles import ORACLES, floats

VALUE_ULPS = 4
FIRST_ULPS = 4
SECOND_ULPS = 8
DIGITS = 50



# ---------------------------------------------------------------------------
# Measuring error
# ---------------------------------------------------------------------------

def ulp_error(got, true, terms=None):
    """ulp_error(got, true, terms=None) -> |got - true| in ulps of the true value.

    `true` is an mpmath number.  A true value beyond the float range must be
    returned as the infinity of its sign; an infinite `got` otherwise counts as
    2**1024, the first power of two past the largest float, so that a result
    that overflows where the true value rounds to the largest float is a
    near miss and not an infinite error.  With `terms` (the magnitude of
    the terms that cancel in the true value), the error is counted in ulps of
    max(|true|, terms).
    """
    if math.isnan(got):
        return math.inf
    t = float(true)  # mpmath rounds to nearest
    if math.isinf(t):
        return 0.0 if got == t else math.inf
    g = mpmath.mpf(got) if math.isfinite(got) else math.copysign(1, got) * mpmath.mpf(2) ** 1024
    ref = abs(t) if terms is None else max(abs(t), float(terms))
    return float(abs(g - true) / math.ulp(ref))


def mismatch(label, got, true, limit, terms=None):
    """A line describing why `got` is not within `limit` ulps of `true`, or None."""
    err = ulp_error(got, true, terms)
    if err <= limit:
        return None
    unit = "ulps of the cancelling terms" if terms is not None else "ulps"
    return f"{label}: got {got!r}, true {mpmath.nstr(true, 20)} ({err:.3g} {unit} > {limit})"


def evaluate(fn, *args):
    """fn(*args) in mpmath at DIGITS significant digits (args converted exactly)."""
    with mpmath.workdps(DIGITS):
        return fn(*[mpmath.mpf(a) for a in args])


def assert_all(problems, where):
    problems = [p for p in problems if p is not None]
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def rule_function(dd, rule):
    """The public function that reaches rule `rule` of the table."""
    if rule == "gelu_tanh":
        return lambda x: dd.gelu(x, approximate=True)
    return getattr(dd, rule)


#: Every rule the loaded backend has, and every rule with an oracle.
RULES = tuple(dict.fromkeys(tuple(dualdiff.RULE_NAMES) + tuple(ORACLES)))


# ---------------------------------------------------------------------------
# Checking one rule at one point
# ---------------------------------------------------------------------------

def check_rule(dd, rule, a):
    """Value, f' and f'' of `rule` at float `a`, by float, Dual and HyperDual."""
    oracle = ORACLES.get(rule)
    if oracle is None:
        pytest.fail(f"rule {rule!r} has no mpmath oracle: add one to ORACLES")
    fn = rule_function(dd, rule)
    v = evaluate(oracle.f, a)
    d1 = evaluate(oracle.d1, a)
    d2 = evaluate(oracle.d2, a)
    t1 = evaluate(oracle.d1_terms, a) if oracle.d1_terms else None
    t2 = evaluate(oracle.d2_terms, a) if oracle.d2_terms else None

    value = fn(a)
    assert type(value) is float, f"{rule}({a!r}) returned {type(value).__name__}"
    d = fn(dd.Dual(a, 1.0))
    h = fn(dd.HyperDual(a, 1.0, 1.0, 0.0))
    assert type(d) is dd.Dual and type(h) is dd.HyperDual
    where = f"{rule} at {a!r}"
    assert_all([
        mismatch("value", value, v, VALUE_ULPS),
        # the value part of every number type is the float result itself
        None if same_float(d.real, value) else f"Dual.real {d.real!r} != float result {value!r}",
        None if same_float(h.real, value)
        else f"HyperDual.real {h.real!r} != float result {value!r}",
        mismatch("Dual.dual (f')", d.dual, d1, oracle.d1_ulps, t1),
        mismatch("HyperDual.e1 (f')", h.e1, d1, oracle.d1_ulps, t1),
        mismatch("HyperDual.e2 (f')", h.e2, d1, oracle.d1_ulps, t1),
        mismatch("HyperDual.e12 (f'')", h.e12, d2, SECOND_ULPS, t2),
    ], where)


def same_float(x, y):
    return x == y or (math.isnan(x) and math.isnan(y))


# ---------------------------------------------------------------------------
# The table is complete
# ---------------------------------------------------------------------------

def test_every_rule_has_an_oracle(dd):
    missing = [name for name in dd.RULE_NAMES if name not in ORACLES]
    assert not missing, f"rules without an mpmath oracle in ORACLES: {missing}"


def test_rule_table_is_the_contract(dd):
    """The table names every rule of the contract, each once."""
    contract = {
        "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt",
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "arcsinh", "arccosh", "arctanh", "erf", "erfc", "abs", "sign", "floor",
        "ceil", "sigmoid", "relu", "softplus", "gelu", "gelu_tanh",
    }
    assert contract <= set(dd.RULE_NAMES)
    assert len(set(dd.RULE_NAMES)) == len(dd.RULE_NAMES)


# ---------------------------------------------------------------------------
# Fixed points and tails
# ---------------------------------------------------------------------------

FIXED = [(rule, a) for rule in RULES for a in (ORACLES[rule].points if rule in ORACLES else (1.0,))]


@pytest.mark.parametrize("rule, a", FIXED, ids=[f"{r}({a!r})" for r, a in FIXED])
def test_rule_at_fixed_points(dd, rule, a):
    check_rule(dd, rule, a)


@pytest.mark.parametrize("rule", RULES)
def test_chain_rule_with_general_parts(dd, rule):
    """HyperDual(a, b, c, d): e1 = f'b, e2 = f'c, e12 = f'd + f''bc; Dual(a, b): f'b.

    b = 2 and c = -1/2 scale exactly; e12 = 3 f' - f'' is checked in ulps of
    |3 f'| + |f''|, the terms it adds.
    """
    oracle = ORACLES.get(rule)
    if oracle is None:
        pytest.fail(f"rule {rule!r} has no mpmath oracle: add one to ORACLES")
    fn = rule_function(dd, rule)
    problems = []
    for a in oracle.points[1:-1:2]:
        d1 = evaluate(oracle.d1, a)
        d2 = evaluate(oracle.d2, a)
        t1 = evaluate(oracle.d1_terms, a) if oracle.d1_terms else None
        d = fn(dd.Dual(a, -2.0))
        h = fn(dd.HyperDual(a, 2.0, -0.5, 3.0))
        with mpmath.workdps(DIGITS):
            e12 = 3 * d1 - d2
            e12_terms = abs(3 * (t1 if t1 is not None else d1)) + abs(
                evaluate(oracle.d2_terms, a) if oracle.d2_terms else d2)
            problems += [
                mismatch(f"Dual({a!r}, -2).dual", d.dual, -2 * d1, FIRST_ULPS,
                         None if t1 is None else 2 * t1),
                mismatch(f"HyperDual({a!r}, 2, -.5, 3).e1", h.e1, 2 * d1, FIRST_ULPS,
                         None if t1 is None else 2 * t1),
                mismatch(f"HyperDual({a!r}, 2, -.5, 3).e2", h.e2, -d1 / 2, FIRST_ULPS,
                         None if t1 is None else t1 / 2),
                mismatch(f"HyperDual({a!r}, 2, -.5, 3).e12", h.e12, e12, SECOND_ULPS, e12_terms),
            ]
    assert_all(problems, rule)


# ---------------------------------------------------------------------------
# Random points of each domain (one hypothesis test per rule, so that each
# can pin its own counter-examples)
# ---------------------------------------------------------------------------

def _random_points_test(rule):
    oracle = ORACLES[rule]

    @given(a=oracle.domain)
    def test(dd, a):
        check_rule(dd, rule, a)

    for a in oracle.pinned:
        test = example(a=a)(test)
    test.__name__ = f"test_{rule}_at_random_points"
    test.__doc__ = f"{rule}: value, f', f'' against mpmath at points drawn from its domain."
    return test


for _rule in ORACLES:
    globals()[f"test_{_rule}_at_random_points"] = _random_points_test(_rule)
del _rule


# ---------------------------------------------------------------------------
# log(x, base) and leaky_relu(x, alpha)
# ---------------------------------------------------------------------------

LOG_BASE_CASES = [
    (x, b)
    for b in (2, 10, 0.5, 3.0, math.e, 1.5, 1e-3)
    for x in (1e-10, 0.3, 1.0, 2.0, 10.0, 1e100)
]


def _check_log_base(dd, x, base):
    lb = lambda x, b: mpmath.log(x) / mpmath.log(b)  # noqa: E731
    v = evaluate(lb, x, base)
    d1 = evaluate(lambda x, b: 1 / (x * mpmath.log(b)), x, base)
    d2 = evaluate(lambda x, b: -1 / (x**2 * mpmath.log(b)), x, base)
    value = dd.log(x, base)
    d = dd.log(dd.Dual(x, 1.0), base)
    h = dd.log(dd.HyperDual(x, 1.0, 1.0, 0.0), base)
    assert_all([
        mismatch("value", value, v, VALUE_ULPS),
        mismatch("Dual.real", d.real, v, VALUE_ULPS),
        mismatch("Dual.dual", d.dual, d1, FIRST_ULPS),
        mismatch("HyperDual.e1", h.e1, d1, FIRST_ULPS),
        mismatch("HyperDual.e12", h.e12, d2, SECOND_ULPS),
    ], f"log({x!r}, {base!r})")


@pytest.mark.parametrize("x, base", LOG_BASE_CASES)
def test_log_with_base(dd, x, base):
    _check_log_base(dd, x, base)


@given(x=floats(1e-300, 1e300), base=floats(1e-3, 1e3).filter(lambda b: abs(b - 1) > 1e-3))
@example(x=3.4397e-155, base=111.0)   # log's -1/x^2 overflows, -1/(x^2 log b) does not
def test_log_with_base_at_random_points(dd, x, base):
    # |base - 1| > 1e-3 keeps log(base) away from 0, where the quotient is
    # only as accurate as log(base) is relative to its argument's rounding
    _check_log_base(dd, x, base)


@pytest.mark.parametrize("alpha", [0.01, 0.0, 0.1, 0.2, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("x", [-3.5, -1e-300, 0.0, -0.0, 1e-300, 2.5, 1e300, -1e300])
def test_leaky_relu(dd, x, alpha):
    value = x if x > 0 else alpha * x
    d1 = 1.0 if x > 0 else alpha   # leaky_relu'(0) = alpha (contract)
    assert dd.leaky_relu(x, alpha) == value
    assert dd.leaky_relu(x, alpha=alpha) == value
    d = dd.leaky_relu(dd.Dual(x, 1.0), alpha=alpha)
    h = dd.leaky_relu(dd.HyperDual(x, 1.0, 1.0, 0.0), alpha)
    assert (d.real, d.dual) == (value, d1)
    assert (h.real, h.e1, h.e2, h.e12) == (value, d1, d1, 0.0)


def test_leaky_relu_default_alpha(dd):
    d = dd.leaky_relu(dd.Dual(-2.0, 1.0))
    assert (d.real, d.dual) == (-0.02, 0.01)
    h = dd.leaky_relu(dd.HyperDual(0.0, 1.0, 1.0, 0.0))
    assert (h.real, h.e1, h.e12) == (0.0, 0.01, 0.0)


# ---------------------------------------------------------------------------
# power: constant exponents, then the exponent perturbed
# ---------------------------------------------------------------------------

INT_EXPONENTS = (-3, -2, -1, 0, 1, 2, 3, 4, 7, 20)
FLOAT_EXPONENTS = (-2.5, -1.5, -1.0, -0.5, 0.5, 1.5, 2.0, 2.5, 3.0, 1 / 3, 0.1)
POSITIVE_BASES = (0.25, 0.9, 1.7, 3.0, 12.5, 1e5)
NEGATIVE_BASES = (-0.5, -1.7, -3.0)

POWER_CASES = (
    [(x, p) for x in POSITIVE_BASES + NEGATIVE_BASES for p in INT_EXPONENTS]
    + [(x, p) for x in POSITIVE_BASES for p in FLOAT_EXPONENTS]
    + [(x, float(p)) for x in NEGATIVE_BASES for p in (-2, -1, 2, 3, 4)]
)


def _check_power_const(dd, x, p):
    v = evaluate(lambda x, p: x**p, x, p)
    d1 = evaluate(lambda x, p: p * x ** (p - 1), x, p)
    d2 = evaluate(lambda x, p: p * (p - 1) * x ** (p - 2), x, p)
    problems = [mismatch("float power", dd.power(x, p), v, VALUE_ULPS)]
    for how, op in (("**", lambda b: b**p), ("power", lambda b: dd.power(b, p))):
        d = op(dd.Dual(x, 1.0))
        h = op(dd.HyperDual(x, 1.0, 1.0, 0.0))
        problems += [
            mismatch(f"{how} Dual.real", d.real, v, VALUE_ULPS),
            mismatch(f"{how} Dual.dual", d.dual, d1, FIRST_ULPS),
            mismatch(f"{how} HyperDual.real", h.real, v, VALUE_ULPS),
            mismatch(f"{how} HyperDual.e1", h.e1, d1, FIRST_ULPS),
            mismatch(f"{how} HyperDual.e2", h.e2, d1, FIRST_ULPS),
            mismatch(f"{how} HyperDual.e12", h.e12, d2, SECOND_ULPS),
        ]
    assert_all(problems, f"{x!r} ** {p!r}")


@pytest.mark.parametrize("x, p", POWER_CASES)
def test_power_constant_exponent(dd, x, p):
    _check_power_const(dd, x, p)


@given(x=floats(1e-3, 1e3), p=floats(-10.0, 10.0))
@example(x=5.0, p=-6.156413185533659)   # p - 2 is rounded; x**(p - 2) scales that by log x
def test_power_constant_exponent_at_random_points(dd, x, p):
    # |p log x| <= 70: no overflow or underflow in x**p and its derivatives
    _check_power_const(dd, x, p)


@given(x=floats(-1e3, 1e3).filter(lambda x: abs(x) >= 1e-3), p=st.integers(-10, 10))
def test_power_integer_exponent_at_random_points(dd, x, p):
    _check_power_const(dd, x, p)


def _pow_partials(x, y):
    """x**y, d/dx, d/dy, d2/dx2, d2/dxdy, d2/dy2, and the terms of d2/dxdy, in mpmath."""
    lx = mpmath.log(x)
    v = x**y
    return (v, y * x ** (y - 1), v * lx, y * (y - 1) * x ** (y - 2),
            x ** (y - 1) * (1 + y * lx), v * lx**2,
            x ** (y - 1) * (1 + abs(y * lx)))


def _check_power_dual_exponent(dd, x, y):
    with mpmath.workdps(DIGITS):
        v, gx, gy, hxx, hxy, hyy, hxy_terms = _pow_partials(mpmath.mpf(x), mpmath.mpf(y))
        both = gx + gy                                 # d/dt (x+t)**(y+t)
        both_terms = abs(gx) + abs(gy)
    D, H = dd.Dual, dd.HyperDual
    problems = []
    for how, op in (("**", lambda a, b: a**b), ("power", dd.power)):
        r_x = op(D(x, 1.0), D(y, 0.0))
        r_y = op(D(x, 0.0), D(y, 1.0))
        r_c = op(x, D(y, 1.0))                     # float base, Dual exponent
        r_b = op(D(x, 1.0), D(y, 1.0))
        h_xx = op(H(x, 1.0, 1.0, 0.0), H(y))
        h_yy = op(H(x), H(y, 1.0, 1.0, 0.0))
        h_cy = op(x, H(y, 1.0, 1.0, 0.0))
        h_xy = op(H(x, 1.0, 0.0, 0.0), H(y, 0.0, 1.0, 0.0))
        problems += [
            mismatch(f"{how} value", r_x.real, v, VALUE_ULPS),
            mismatch(f"{how} d/dx", r_x.dual, gx, FIRST_ULPS),
            mismatch(f"{how} d/dy", r_y.dual, gy, FIRST_ULPS),
            mismatch(f"{how} d/dy (float base)", r_c.dual, gy, FIRST_ULPS),
            # d/dx + d/dy: the two partials may have opposite signs
            mismatch(f"{how} d/dx + d/dy", r_b.dual, both, FIRST_ULPS, both_terms),
            mismatch(f"{how} d2/dx2", h_xx.e12, hxx, SECOND_ULPS),
            mismatch(f"{how} d2/dy2", h_yy.e12, hyy, SECOND_ULPS),
            mismatch(f"{how} d2/dy2 (float base)", h_cy.e12, hyy, SECOND_ULPS),
            # x**(y-1) (1 + y log x) vanishes where y log x = -1: 1 and y log x cancel
            mismatch(f"{how} d2/dxdy", h_xy.e12, hxy, SECOND_ULPS, hxy_terms),
            mismatch(f"{how} mixed e1", h_xy.e1, gx, FIRST_ULPS),
            mismatch(f"{how} mixed e2", h_xy.e2, gy, FIRST_ULPS),
        ]
    assert_all(problems, f"{x!r} ** {y!r}")


@pytest.mark.parametrize("x", [0.25, 0.9, 1.0, 1.7, 3.0, 12.5])
@pytest.mark.parametrize("y", [-2.5, -1.0, 0.0, 0.5, 1.0, 2.0, 3.5])
def test_power_dual_exponent(dd, x, y):
    _check_power_dual_exponent(dd, x, y)


@given(x=floats(1e-3, 1e3), y=floats(-10.0, 10.0))
@example(x=6.0, y=-6.182759744890562)   # as above, in d2/dx2
@example(x=517.0, y=-1.4079640748393312)   # y - 1 rounded, scaled by log x, in d2/dxdy
def test_power_dual_exponent_at_random_points(dd, x, y):
    # |y log x| <= 70: no overflow or underflow in x**y and its partials
    _check_power_dual_exponent(dd, x, y)


# ---------------------------------------------------------------------------
# arctan2 and hypot: every first and second partial
# ---------------------------------------------------------------------------

def _check_binary(dd, name, p, q, partials):
    """f(p, q) = dd.<name>(p, q): gradient and Hessian from Dual/HyperDual in each argument.

    `partials(p, q)` gives, in mpmath, (value, f_p, f_q, f_pp, f_pq, f_qq,
    terms of f_pq).
    """
    fn = getattr(dd, name)
    with mpmath.workdps(DIGITS):
        v, gp, gq, hpp, hpq, hqq, hpq_terms = partials(p, q)
    D, H = dd.Dual, dd.HyperDual
    value = fn(p, q)
    r_p, r_p2 = fn(D(p, 1.0), q), fn(D(p, 1.0), D(q, 0.0))
    r_q, r_q2 = fn(p, D(q, 1.0)), fn(D(p, 0.0), D(q, 1.0))
    h_pp, h_qq = fn(H(p, 1.0, 1.0, 0.0), q), fn(p, H(q, 1.0, 1.0, 0.0))
    h_pq = fn(H(p, 1.0, 0.0, 0.0), H(q, 0.0, 1.0, 0.0))
    h_qp = fn(H(p, 0.0, 1.0, 0.0), H(q, 1.0, 0.0, 0.0))
    assert_all([
        mismatch("value", value, v, VALUE_ULPS),
        None if r_p.real == value else f"Dual value {r_p.real!r} != float result {value!r}",
        mismatch("d/d1st", r_p.dual, gp, FIRST_ULPS),
        mismatch("d/d1st (both Dual)", r_p2.dual, gp, FIRST_ULPS),
        mismatch("d/d2nd", r_q.dual, gq, FIRST_ULPS),
        mismatch("d/d2nd (both Dual)", r_q2.dual, gq, FIRST_ULPS),
        mismatch("d2/d1st2", h_pp.e12, hpp, SECOND_ULPS),
        mismatch("d2/d2nd2", h_qq.e12, hqq, SECOND_ULPS),
        mismatch("d2/d1st d2nd", h_pq.e12, hpq, SECOND_ULPS, hpq_terms),
        mismatch("d2/d2nd d1st", h_qp.e12, hpq, SECOND_ULPS, hpq_terms),
        mismatch("mixed e1", h_pq.e1, gp, FIRST_ULPS),
        mismatch("mixed e2", h_pq.e2, gq, FIRST_ULPS),
    ], f"{name}({p!r}, {q!r})")


def _atan2_partials(fy, fx):
    y, x = mpmath.mpf(fy), mpmath.mpf(fx)
    r2 = x**2 + y**2
    value = mpmath.atan2(y, x)
    if fy == 0 and math.copysign(1.0, fy) < 0:
        value = -value   # mpmath has no -0.0; atan2(-0.0, x) = -atan2(+0.0, x)
    # d2/dydx = (y^2 - x^2)/r^4 vanishes on |x| = |y|: the squares cancel
    return (value, x / r2, -y / r2, -2 * x * y / r2**2,
            (y**2 - x**2) / r2**2, 2 * x * y / r2**2, 1 / r2)


def _hypot_partials(fx, fy):
    x, y = mpmath.mpf(fx), mpmath.mpf(fy)
    r = mpmath.sqrt(x**2 + y**2)
    return (r, x / r, y / r, y**2 / r**3, -x * y / r**3, x**2 / r**3, None)


BINARY_POINTS = [
    (1.0, 2.0), (-1.5, 0.5), (3.0, -4.0), (-2.0, -2.0), (2.0, -2.0), (1e-3, 1e3),
    (1e3, 1e-3), (0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-0.0, -1.0), (-1.0, 0.0),
    (1e200, 1e200),
    (1e-200, 3e-200), (1e300, -1e300), (5.0, 1e-300),
]

# second partials scale as r**-2: r > 1e-100 keeps them finite
PLANE = st.tuples(floats(-1e6, 1e6), floats(-1e6, 1e6)).filter(
    lambda pq: math.hypot(*pq) > 1e-100)


@pytest.mark.parametrize("y, x", BINARY_POINTS)
def test_arctan2_partials(dd, y, x):
    _check_binary(dd, "arctan2", y, x, _atan2_partials)


@given(yx=PLANE)
@example(yx=(-0.0, -1.0))   # the sign of zero picks the side of the branch cut
@example(yx=(1.192092896e-07, 5e-324))   # x/r is subnormal before it is divided by r
def test_arctan2_partials_at_random_points(dd, yx):
    _check_binary(dd, "arctan2", *yx, _atan2_partials)


@pytest.mark.parametrize("x, y", BINARY_POINTS)
def test_hypot_partials(dd, x, y):
    _check_binary(dd, "hypot", x, y, _hypot_partials)


@given(xy=PLANE)
@example(xy=(2.318080787600874e-64, 7.638297325482795e-235))   # (y/r)^2 underflows before /r
def test_hypot_partials_at_random_points(dd, xy):
    _check_binary(dd, "hypot", *xy, _hypot_partials)


# ---------------------------------------------------------------------------
# softmax and logsumexp: Jacobian p_i (d_ij - p_j), gradient p, Hessian
#
# Both are composed of n exps of x - max(x), an n-term sum and divisions, so
# their error grows with n: each of the n - 1 additions rounds, and every
# later operation inherits that.  The bound is SEQ_ULPS(n) ulps of the terms
# p_i d_ij and p_i p_j that the derivative adds.  The shift x - max(x) is
# exact for the dyadic inputs used here; a rounded shift d would cost |d|
# ulps of exp(d), a property of the inputs, not of the derivative.
# ---------------------------------------------------------------------------

def SEQ_ULPS(n):
    return n + 6


def _softmax_mp(xs):
    with mpmath.workdps(DIGITS):
        m = max(xs)
        e = [mpmath.exp(mpmath.mpf(x) - m) for x in xs]
        s = mpmath.fsum(e)
        # logsumexp = max + log(sum), with sum >= 1 rounded to a relative error of
        # about n eps: log turns that into an absolute error of about n eps, and
        # max and log(sum) cancel when their signs differ.  So the value is
        # measured in ulps of |max| + |log(sum)| + 1.
        return [t / s for t in e], m + mpmath.log(s), abs(m) + abs(mpmath.log(s)) + 1


def _check_softmax(dd, xs):
    n = len(xs)
    p, lse, lse_terms = _softmax_mp(xs)
    limit = SEQ_ULPS(n)
    problems = [mismatch("logsumexp", dd.logsumexp(xs), lse, limit, lse_terms)]
    problems += [mismatch(f"softmax[{i}]", got, p[i], limit)
                 for i, got in enumerate(list(dd.softmax(xs)))]
    for k in range(n):
        duals = [dd.Dual(x, 1.0 if j == k else 0.0) for j, x in enumerate(xs)]
        out = list(dd.softmax(duals))
        g = dd.logsumexp(duals)
        problems.append(mismatch(f"d logsumexp/dx{k}", g.dual, p[k], limit))
        problems.append(mismatch("logsumexp value", g.real, lse, limit, lse_terms))
        for i in range(n):
            with mpmath.workdps(DIGITS):
                jac = p[i] * ((1 if i == k else 0) - p[k])
                terms = p[i] * ((1 if i == k else 0) + p[k])
            problems.append(mismatch(f"softmax[{i}] value", out[i].real, p[i], limit))
            problems.append(mismatch(f"d softmax[{i}]/dx{k}", out[i].dual, jac, limit, terms))
    # Hessian of logsumexp = Jacobian of softmax = diag(p) - p p^T
    for k in range(n):
        for m in range(k, n):
            hyper = [dd.HyperDual(x, 1.0 if j == k else 0.0, 1.0 if j == m else 0.0, 0.0)
                     for j, x in enumerate(xs)]
            h = dd.logsumexp(hyper)
            with mpmath.workdps(DIGITS):
                hess = p[k] * ((1 if k == m else 0) - p[m])
                terms = p[k] * ((1 if k == m else 0) + p[m])
            problems.append(mismatch(f"d2 logsumexp/dx{k}dx{m}", h.e12, hess, limit, terms))
    assert_all(problems, f"softmax/logsumexp at {xs!r}")


SEQUENCES = [
    [0.0], [1.0, 2.0, 3.0], [-1.5, 0.25, 4.0, 2.0], [0.5, 0.5],
    [1000.0, 999.0, 998.5], [-1000.0, -1001.0], [10.0, -10.0, 0.0, 3.75, -2.5, 1.0],
]


@pytest.mark.parametrize("xs", SEQUENCES)
def test_softmax_jacobian_and_logsumexp_gradient(dd, xs):
    _check_softmax(dd, xs)


# multiples of 1/64 in [-50, 50]: x - max(x) is exact (see above)
DYADIC = st.integers(-3200, 3200).map(lambda k: k / 64)


@given(xs=st.lists(DYADIC, min_size=1, max_size=6))
@example(xs=[-0.3125, -1.109375])   # max and log(sum) cancel in logsumexp
@example(xs=[0.0, -3.25])            # log(sum) near 0: the rounding of the sum dominates
def test_softmax_jacobian_at_random_points(dd, xs):
    _check_softmax(dd, xs)
