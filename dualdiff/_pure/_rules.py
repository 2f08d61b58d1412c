"""The rule table of the pure-Python backend: a mirror of src_c/dd_rules.h.

Each rule ``name_rule(a, order)`` returns ``(f(a), f'(a), f''(a))`` (entries
past ``order`` may be None).  The formulas and their order of operations are
those of the C table, so that both backends agree to the ulp; where Python
floats differ from C doubles (``x / 0.0`` raises, ``math.pow`` raises), the
helpers below give the C result.
"""

import math


from dualdiff import _spec

LN2 = 0.693147180559945309417232121458
LOG2E = 1.44269504088896340735992468100
LOG10E = 0.434294481903251827651128918917
TWO_SQRTPI = 1.12837916709551257389615890312
ONE_SQRT2PI = 0.398942280401432677939946059934
SQRT2 = 1.41421356237309504880168872421
SQRT1_2 = 0.707106781186547524400844362105
SQRT1_2_LO = -4.833646656726457e-17
GELU_K = 1.5957691216057308
GELU_K_LO = -9.96930880911092e-17
GELU_C = 0.044715
GELU_C_LO = 2.1960211427085595e-18
GELU_3KC = 0.21406444881780073
GELU_6KC = 0.42812889763560147

# The shared arithmetic, as dd_numeric.h is in C (re-exported: the chain rules
# of the other modules use it as R.tz, R.sc_tt, ...).
from dualdiff._pure._numeric import (  # noqa: E402,F401  (some only re-exported)
    cbrt, cdiv, chypot, cldexp, clog, cpow, cross3, exp2, flat, gauss, inf, is_normal, nan,
    prod_error, sc, sc_div, sc_mul, sc_tt, sc_tz, sc_value, sgn, sigmoid_curv, sigmoid_pair,
    tt, tt3, tt3_st, tz,
)

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def exp_rule(a, order):
    v = math.exp(a)
    return v, v, v


def exp_rule_v(a, v, order):
    """exp's coefficients from its value v (dd_exp_rule_v: the array kernels
    take v from NumPy, so that both backends start from the same float)."""
    return v, v, v


def exp2_rule(a, order):
    v = exp2(a)
    d1 = v * LN2
    return v, d1, d1 * LN2


def expm1_rule(a, order):
    v = math.expm1(a)
    if order < 1:
        return v, None, None
    e = math.exp(a)
    return v, e, e


def log_rule(a, order):
    v = math.log(a)
    if order < 1:
        return v, None, None
    d1 = 1.0 / a
    return v, d1, -d1 * d1


def log_base_rule(a, lnb, order):
    """log(a)/lnb with lnb = log(base) given (dd_log_base_rule): C's values at
    0 and below (the scalar functions check the domain first)."""
    v = clog(a) / lnb
    if order < 1:
        return v, None, None
    d = cdiv(1.0, a)
    d1 = d / lnb
    return v, d1, -d * d1


def log2_rule(a, order):
    v = math.log2(a)
    if order < 1:
        return v, None, None
    d1 = LOG2E / a
    return v, d1, -d1 / a


def log10_rule(a, order):
    v = math.log10(a)
    if order < 1:
        return v, None, None
    d1 = LOG10E / a
    return v, d1, -d1 / a


def log1p_rule(a, order):
    v = math.log1p(a)
    if order < 1:
        return v, None, None
    d1 = 1.0 / (1.0 + a)
    return v, d1, -d1 * d1


def sqrt_rule(a, order):
    v = math.sqrt(a)
    if order < 1:
        return v, None, None
    d1 = cdiv(0.5, abs(v))
    return v, d1, cdiv(-0.5 * d1, abs(a))


def sqrt_rule_v(a, v, order):
    """sqrt's coefficients from its value v (dd_sqrt_rule_v)."""
    d1 = cdiv(0.5, abs(v))   # abs: sqrt(-0.0) = -0.0, yet sqrt'(0) = +inf
    return v, d1, cdiv(-0.5 * d1, abs(a))


def cbrt_rule(a, order):
    v = cbrt(a)
    if order < 1:
        return v, None, None
    c = v
    # libm's cbrt is up to ~3 ulps off: one Newton step for the derivative (see C)
    if is_normal(a) and is_normal(c * c * c):
        c -= (c * c * c - a) / (3.0 * c * c)
    d1 = cdiv(1.0, 3.0 * v * v) if (a == 0.0 or math.isinf(a)) else c / a / 3.0
    return v, d1, cdiv((-2.0 / 3.0) * d1, a)


def cbrt_rule_v(a, v, order):
    """cbrt's coefficients from its value v (dd_cbrt_rule_v)."""
    c = v
    if is_normal(a) and is_normal(c * c * c):   # one Newton step, as in C
        c -= (c * c * c - a) / (3.0 * c * c)
    d1 = cdiv(1.0, 3.0 * v * v) if (a == 0.0 or math.isinf(a)) else c / a / 3.0
    return v, d1, cdiv((-2.0 / 3.0) * d1, a)


def pow_rule(a, p, order):
    """x**p for a constant exponent p."""
    return pow_rule_v(a, p, cpow(a, p), order)


def pow_rule_v(a, p, v, order):
    """x**p given its value v (dd_pow_rule_v)."""
    if order < 1:
        return v, None, None
    if p == 0.0:
        return v, 0.0, 0.0
    if p == 1.0:
        return v, 1.0, 0.0
    if p == 2.0:
        return v, 2.0 * a, 2.0
    if is_normal(v):
        d1 = p * (v / a)   # p (v/a): see dd_pow_rule_v
        if is_normal(d1):
            if order < 2:
                return v, d1, None
            d2 = d1 * (p - 1.0) / a
            if not is_normal(d2):
                d2 = sc_value(sc_div(sc_mul(sc(d1), p - 1.0), a))
            return v, d1, d2
        # v/a alone may overflow (x**x at a subnormal x), or d1 be subnormal
        c = sc_mul(sc_div(sc(v), a), p)
        d1 = sc_value(c)
        if d1 != 0.0 and math.isfinite(d1):
            return v, d1, (sc_value(sc_div(sc_mul(c, p - 1.0), a)) if order > 1 else None)
    d1 = p * cpow(a, p - 1.0)
    if order < 2:
        return v, d1, None
    return v, d1, p * (p - 1.0) * cpow(a, p - 2.0)


def pow_rescues(a, p, v):
    """Whether pow_scaled can give f' and f'' where they are not normal floats
    (dd_pow_rescues): (e^x)**-1 at 700 has f' = -e^-1400, f' e^700 = -e^-700."""
    return (math.isfinite(a) and a != 0.0 and math.isfinite(p) and v == v
            and p != 0.0 and p != 1.0 and p != 2.0)


def pow_scaled(a, p, v, order):
    """pow's (f', f'') as scaled numbers (dd_pow_scaled)."""
    if is_normal(v):
        c0 = sc_mul(sc_div(sc(v), a), p)
        return c0, (sc_div(sc_mul(c0, p - 1.0), a) if order > 1 else None)
    odd = abs(math.fmod(p, 2.0)) if a < 0.0 else 0.0   # a < 0: p is an integer
    c0 = sc_mul_pow(sc(-p if (odd == 0.0 and a < 0.0) else p), a, p - 1.0)
    if order < 2:
        return c0, None
    return c0, sc_mul_pow(sc_mul(sc(-p if odd != 0.0 else p), p - 1.0), a, p - 2.0)


def sc_mul_pow(c, a, q):
    """c |a|^q as the k-th power of |a|^(q/k), k = 1, 2, 4, 8 the first whose
    root is a normal float (dd_sc_mul_pow)."""
    k = 1
    while True:
        r = cpow(abs(a), q / k)
        if is_normal(r) or k == 8:
            break
        k *= 2
    for _ in range(k):
        c = sc_mul(c, r)
    return c


def pow2_partials(x, y, v, order):
    """Partials of x**y: ((d/dx, d/dy), (d2/dx2, d2/dxdy, d2/dy2))."""
    lx = 0.0 if v == 0.0 else clog(x)
    _, px1, px2 = pow_rule(x, y, order)
    gy = v * lx
    if order < 2:
        return (px1, gy), None
    if x == 0.0 and y > 1.0:
        hxy = 0.0
    else:   # x^(y-1) as v/x where both are normal: y - 1 is rounded (see C)
        q = v / x if x != 0.0 else math.inf
        hxy = (q if is_normal(v) and is_normal(q) else cpow(x, y - 1.0)) * (1.0 + y * lx)
    return (px1, gy), (px2, hxy, gy * lx)


def sin_rule(a, order):
    v = math.sin(a)
    if order < 1:
        return v, None, None
    return v, math.cos(a), -v


def cos_rule(a, order):
    v = math.cos(a)
    if order < 1:
        return v, None, None
    return v, -math.sin(a), -v


def tan_rule(a, order):
    v = math.tan(a)
    d1 = 1.0 + v * v
    return v, d1, 2.0 * v * d1


def arcsin_rule(a, order):
    v = math.asin(a)
    if order < 1:
        return v, None, None
    s = cdiv(1.0, math.sqrt((1.0 - a) * (1.0 + a)))
    return v, s, a * s * s * s


def arccos_rule(a, order):
    v = math.acos(a)
    if order < 1:
        return v, None, None
    s = cdiv(1.0, math.sqrt((1.0 - a) * (1.0 + a)))
    return v, -s, -a * s * s * s


def arctan_rule(a, order):
    v = math.atan(a)
    if order < 1:
        return v, None, None
    if abs(a) <= 1.0:
        d1 = 1.0 / (1.0 + a * a)
        ad1 = a * d1
    else:
        t = 1.0 / a
        ad1 = t / (1.0 + t * t)
        d1 = t * ad1
    return v, d1, -2.0 * ad1 * d1


def atan2_partials(y, x, order):
    """atan2(y, x): ((d/dy, d/dx), (d2/dy2, d2/dydx, d2/dx2)), scaled as in C."""
    r = chypot(y, x)
    if math.isinf(r):
        z = nan if (x != x or y != y) else 0.0
        return (z, z), (z, z, z)
    k = math.frexp(r)[1]
    ys, xs, rs = math.ldexp(y, -k), math.ldexp(x, -k), math.ldexp(r, -k)
    y2, x2, q = cldexp(y, -2 * k), cldexp(x, -2 * k), rs * rs
    g = (cdiv(x2, q), cdiv(-y2, q))
    if order < 2:
        return g, None
    h0 = cdiv(-2.0 * x2 * y2, q * q)
    h1 = cldexp(cdiv((ys - xs) * (ys + xs), q * q), -2 * k)
    return g, (h0, h1, -h0)


def hypot_partials(x, y, v, order):
    """hypot(x, y): ((d/dx, d/dy), (d2/dx2, d2/dxdy, d2/dy2)), scaled as in C."""
    if math.isinf(v):
        if x != x or y != y:
            return (nan, nan), (nan, nan, nan)
        g = (math.copysign(1.0, x) if math.isinf(x) else 0.0,
             math.copysign(1.0, y) if math.isinf(y) else 0.0)
        return g, (0.0, 0.0, 0.0)
    g = (cdiv(x, v), cdiv(y, v))
    if order < 2:
        return g, None
    k = math.frexp(v)[1]
    xs, ys, vs = math.ldexp(x, -k), math.ldexp(y, -k), math.ldexp(v, -k)
    v3 = vs * vs * vs
    return g, (cdiv(ys * cldexp(ys, -k), v3), cdiv(-xs * cldexp(ys, -k), v3),
               cdiv(xs * cldexp(xs, -k), v3))


def sinh_rule(a, order):
    v = math.sinh(a)
    if order < 1:
        return v, None, None
    return v, math.cosh(a), v


def cosh_rule(a, order):
    v = math.cosh(a)
    if order < 1:
        return v, None, None
    return v, math.sinh(a), v


def tanh_rule(a, order):
    v = math.tanh(a)
    if order < 1:
        return v, None, None
    if abs(a) < 0.8:   # see dd_tanh_rule
        d1 = 1.0 - v * v
    else:
        e = math.exp(-2.0 * abs(a))
        d1 = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return v, d1, -2.0 * v * d1


def tanh_rule_v(a, v, order):
    """tanh's coefficients from its value v (dd_tanh_rule_v)."""
    if abs(a) < 0.8:
        d1 = 1.0 - v * v
    else:
        e = math.exp(-2.0 * abs(a))
        d1 = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return v, d1, -2.0 * v * d1


def arcsinh_rule(a, order):
    v = math.asinh(a)
    if order < 1:
        return v, None, None
    if abs(a) <= 1.0:
        s = 1.0 / math.sqrt(1.0 + a * a)
        return v, s, -a * s * s * s
    t = 1.0 / a
    s = 1.0 / math.sqrt(1.0 + t * t)
    d1 = abs(t) * s
    return v, d1, -math.copysign(s, a) * d1 * d1


def arccosh_rule(a, order):
    v = math.acosh(a)
    if order < 1:
        return v, None, None
    if a < 2.0:
        s = cdiv(1.0, math.sqrt(a - 1.0) * math.sqrt(a + 1.0))
        return v, s, -a * s * s * s
    t = 1.0 / a
    s = 1.0 / (math.sqrt(1.0 - t) * math.sqrt(1.0 + t))
    d1 = t * s
    return v, d1, -s * d1 * d1


def arctanh_rule(a, order):
    v = math.atanh(a)
    if order < 1:
        return v, None, None
    d1 = 1.0 / ((1.0 - a) * (1.0 + a))
    return v, d1, 2.0 * a * d1 * d1


def erf_rule(a, order):
    v = math.erf(a)
    if order < 1:
        return v, None, None
    d1 = TWO_SQRTPI * gauss(a, 1.0)
    return v, d1, tz(d1, -2.0 * a)


def erfc_rule(a, order):
    v = math.erfc(a)
    if order < 1:
        return v, None, None
    d1 = -TWO_SQRTPI * gauss(a, 1.0)
    return v, d1, tz(d1, -2.0 * a)


def abs_rule(a, order):
    return abs(a), sgn(a), flat(a)


def sign_rule(a, order):
    z = flat(a)
    return sgn(a), z, z


def _integral(v, a):
    """C's floor/ceil result: a zero keeps the sign of the argument."""
    return math.copysign(0.0, a) if v == 0 else float(v)


def floor_rule(a, order):
    z = flat(a)
    return (_integral(math.floor(a), a) if math.isfinite(a) else a), z, z


def ceil_rule(a, order):
    z = flat(a)
    return (_integral(math.ceil(a), a) if math.isfinite(a) else a), z, z


PI_180 = math.pi / 180.0   # rounded as NumPy's deg2rad and rad2deg compute them
D180_PI = 180.0 / math.pi


def deg2rad_rule(a, order):
    z = flat(a)
    return a * PI_180, PI_180 + z, z


def rad2deg_rule(a, order):
    z = flat(a)
    return a * D180_PI, D180_PI + z, z


def relu_rule(a, order):
    z = flat(a)
    return (a if (a > 0.0 or a != a) else 0.0), (1.0 if a > 0.0 else z), z


def leaky_relu_rule(a, alpha, order):
    return ((a if a > 0.0 else alpha * a),
            (1.0 if a > 0.0 else alpha if a == a else a),
            flat(a))


def sigmoid_rule(a, order):
    s, sm, e = sigmoid_pair(a)
    if order < 1:
        return s, None, None
    d1 = s * sm
    if order < 2:
        return s, d1, None
    return s, d1, d1 * sigmoid_curv(a, e)


def softplus_rule(a, order):
    v = a + math.log1p(math.exp(-a)) if a > 0.0 else math.log1p(math.exp(a))
    if order < 1:
        return v, None, None
    s, sm, _ = sigmoid_pair(a)
    return v, s, s * sm


def gelu_rule(a, order):
    """x Phi(x); the rounding error of a/sqrt2 corrected, as in C."""
    t = a * SQRT1_2
    dt = prod_error(a, SQRT1_2, t) + a * SQRT1_2_LO
    phi = ONE_SQRT2PI * gauss(a, 0.5)
    P = 0.5 * math.erfc(-t) + tz(SQRT2 * phi, dt)
    v = tz(P, a)
    if order < 1:
        return v, None, None
    return v, P + tz(phi, a), tz(phi, 2.0 - a * a)


def gelu_tanh_rule(a, order):
    """x sigma(w), w = 2 sqrt(2/pi) (x + 0.044715 x^3), w in double-double as in C."""
    a2 = a * a
    a2_lo = prod_error(a, a, a2)
    a3 = a2 * a
    a3_lo = prod_error(a2, a, a3) + a2_lo * a
    q = GELU_C * a3
    q_lo = prod_error(GELU_C, a3, q) + GELU_C * a3_lo + GELU_C_LO * a3
    t = a + q
    tb = t - a
    t_lo = ((a - (t - tb)) + (q - tb)) + q_lo
    w = GELU_K * t
    w_lo = prod_error(GELU_K, t, w) + GELU_K * t_lo + GELU_K_LO * t
    s, sm, e = sigmoid_pair(w)
    sp = s * sm
    if math.isfinite(w_lo):
        s += sp * w_lo
        sp += sp * (sm - s) * w_lo
    v = tz(s, a)
    if order < 1:
        return v, None, None
    w1 = GELU_K + GELU_3KC * a2
    d1 = s + tz(sp, a * w1)
    if order < 2:
        return v, d1, None
    w2 = GELU_6KC * a
    return v, d1, tz(sp, 2.0 * w1 + a * (sigmoid_curv(w, e) * w1 * w1 + w2))

# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

POLE, OVERFLOWS = 0, 1

#: name -> (rule, flags), in rule-id order: the spec's rules (dualdiff/_spec.py),
#: each the function ``<name>_rule`` of this module (as dd_<name>_rule in C).
RULES = {name: (globals()[f"{name}_rule"], POLE if flag == _spec.POLE else OVERFLOWS)
         for name, flag in _spec.RULES}

RULE_NAMES = tuple(RULES)

EDOM, ERANGE, EZERODIV = 1, 2, 3


def evaluate(name, a, order):
    """Apply rule `name` at a; a value the math module rejects raises its error.

    Returns (f, f', f'') or raises ValueError / OverflowError with the
    status of dd_value_status in C: (EDOM or ERANGE).
    """
    rule, flags = RULES[name]
    try:
        return rule(a, order)
    except ValueError:
        status = EDOM
    except OverflowError:
        status = ERANGE if flags == OVERFLOWS else EDOM
    return status


def pow_status(a, p, v):
    """Status of a ** p for scalars, as Python's float ** judges it (dd_pow_status)."""
    if a == 0.0 and p < 0.0 and math.isfinite(p):
        return EZERODIV
    if a < 0.0 and math.isfinite(a) and math.isfinite(p) and p != math.floor(p):
        return EDOM
    if math.isinf(v) and math.isfinite(a) and math.isfinite(p):
        return ERANGE
    return 0


def logsumexp(xs):
    """log(sum(exp(x))) of floats, shifted by the maximum (dd_logsumexp)."""
    m = max_of(xs)
    if not math.isfinite(m):
        return m
    s = 0.0
    for x in xs:
        s += math.exp(x - m)
    return m + math.log(s)


def softmax(xs):
    """exp(x_i) / sum_j exp(x_j) of floats (dd_softmax)."""
    m = max_of(xs)
    out = [math.exp(x - m) for x in xs]
    s = 0.0
    for e in out:
        s += e
    return [e / s for e in out]   # s >= 1, or nan


def max_of(xs):
    m = -inf
    for x in xs:
        if x != x:
            return x
        if x > m:
            m = x
    return m
