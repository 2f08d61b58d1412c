"""The arithmetic the pure backend's rules and chain rules share: the Python
twin of src_c/dd_numeric.h, with C's semantics where Python's differ
(x / 0.0, math.pow's errors).
"""

import math
import sys

import numpy as np

inf = math.inf
nan = math.nan


def is_normal(x):
    """C's isnormal(): finite and not subnormal (0 is not normal)."""
    return math.isfinite(x) and abs(x) >= sys.float_info.min


def cldexp(x, k):
    """C's ldexp(): inf on overflow, not an exception."""
    try:
        return math.ldexp(x, k)
    except OverflowError:
        return math.copysign(inf, x)


# ---------------------------------------------------------------------------
# C semantics in Python
# ---------------------------------------------------------------------------


def cdiv(x, y):
    """x / y as C computes it: a zero divisor gives inf or nan, not an exception."""
    try:
        return x / y
    except ZeroDivisionError:
        if x == 0.0 or x != x:
            return nan
        return math.copysign(inf, x) * math.copysign(1.0, y)


def cpow(a, p):
    """C's pow(): inf or nan where math.pow raises (0 ** negative without calling
    the C library, which would leave a divide-by-zero flag for NumPy to report)."""
    if a == 0.0 and p < 0.0:
        odd = math.isfinite(p) and p == math.floor(p) and p % 2.0 == 1.0
        return math.copysign(inf, a) if odd else inf
    try:
        return math.pow(a, p)
    except ValueError:
        if a == 0.0:   # 0 ** negative: a pole, signed for -0.0 ** odd
            odd = p == math.floor(p) and p % 2.0 == 1.0
            return math.copysign(inf, a) if odd else inf
        return nan     # negative base, non-integer exponent
    except OverflowError:
        return -inf if (a < 0.0 and p % 2.0 == 1.0) else inf


def clog(a):
    """C's log(): -inf at 0 and nan below, not an exception."""
    if a > 0.0 or a != a:
        return math.log(a)
    return -inf if a == 0.0 else nan


if hasattr(math, "fma"):   # Python 3.13+
    def prod_error(a, b, h):
        """fma(a, b, -h): the rounding error of h = a*b."""
        return math.fma(a, b, -h)
else:
    _SPLIT = 134217729.0   # 2**27 + 1, Veltkamp's splitter

    def _split(a):
        c = _SPLIT * a
        hi = c - (c - a)
        return hi, a - hi

    def prod_error(a, b, h):
        """fma(a, b, -h): the rounding error of h = a*b (Dekker's two-product).

        Where the splitting would overflow (|a| or |b| >= 1e300) every caller
        multiplies the error by an exact zero or discards it, so 0 is returned.
        """
        if not math.isfinite(h):
            return nan
        if abs(a) >= 1e300 or abs(b) >= 1e300:
            return 0.0
        ah, al = _split(a)
        bh, bl = _split(b)
        return ((ah * bh - h) + ah * bl + al * bh) + al * bl

def chypot(x, y):
    """C's hypot(): NumPy's ufunc calls it; math.hypot has an algorithm of its
    own that can differ from it in the last bit.  Overflow, inf and nan are
    left to math.hypot, where NumPy would warn."""
    r = math.hypot(x, y)
    if not math.isfinite(r):
        return r
    return float(np.hypot(x, y))


exp2 = getattr(math, "exp2", None) or (lambda a: cpow(2.0, a))


def _cbrt_fallback(a):
    """Real cube root for Python < 3.11: a power, then one Newton step."""
    if a == 0.0 or not math.isfinite(a):
        return a
    r = math.copysign(abs(a) ** (1.0 / 3.0), a)
    return r - (r * r * r - a) / (3.0 * r * r)


cbrt = getattr(math, "cbrt", None) or _cbrt_fallback

# ---------------------------------------------------------------------------
# Helpers shared by rules and chain rules (dd_tz, dd_tt, ... in C)
# ---------------------------------------------------------------------------


def tz(t, k):
    """t * k for a tangent t: an exactly-zero tangent stays zero."""
    return 0.0 if t == 0.0 else t * k


def tt(s, t):
    """Product of two tangents: zero when either is exactly zero."""
    return 0.0 if (s == 0.0 or t == 0.0) else s * t


# Numbers as (m, e), m frexp's mantissa: products whose intermediate, or a
# coefficient whose own value, would leave the floats (dd_scaled in C).

def sc(x):
    return math.frexp(x)


def sc_mul(x, y):
    m, k = math.frexp(y)
    m, j = math.frexp(x[0] * m)
    return m, x[1] + k + j


def sc_div(x, y):
    m, k = math.frexp(y)
    m, j = math.frexp(x[0] / m)
    return m, x[1] - k + j


def sc_value(x):
    return cldexp(x[0], x[1])


def sc_tz(t, c):
    """t c for a tangent t and a scaled coefficient c (dd_sc_tz)."""
    return 0.0 if t == 0.0 else sc_value(sc_mul(c, t))


def sc_tt(s, t, c):
    """(c s) t for tangents s, t and a scaled coefficient c (dd_sc_tt)."""
    return 0.0 if (s == 0.0 or t == 0.0) else sc_value(sc_mul(sc_mul(c, s), t))


def tt3(c, s, t):
    """c s t for a coefficient c and tangents s, t (dd_tt3): zero when s or t
    is zero; (c s) t, recomputed scaled where c s or the result left the
    normal range with c, s, t finite and nonzero."""
    if s == 0.0 or t == 0.0:
        return 0.0
    u = c * s
    r = u * t
    if (not (is_normal(u) and is_normal(r)) and c != 0.0 and math.isfinite(c)
            and math.isfinite(s) and math.isfinite(t)):
        r = sc_tt(s, t, sc(c))
    return r


def tt3_st(c, s, t):
    """(s t) c in the plain formulas' order where s t is normal or a factor is
    zero, else tt3 (dd_tt3_st)."""
    st = tt(s, t)
    return tz(st, c) if (is_normal(st) or s == 0.0 or t == 0.0) else tt3(c, s, t)


def cross3(h, s1, t2, s2, t1):
    """(s1 t2 + s2 t1) h, each product by tt3 where it left the normal range (dd_cross3)."""
    a, b = tt(s1, t2), tt(s2, t1)
    if ((is_normal(a) or s1 == 0.0 or t2 == 0.0)
            and (is_normal(b) or s2 == 0.0 or t1 == 0.0)):
        return tz(a + b, h)
    return tt3(h, s1, t2) + tt3(h, s2, t1)


def sgn(a):
    return 1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0 if a == 0.0 else a


def flat(a):
    return 0.0 if a == a else a


def gauss(a, s):
    """exp(-s*a*a), s = 1 or 1/2, with the rounding error of a*a corrected."""
    h = a * a
    e = math.exp(-s * h)
    if e == 0.0:
        return 0.0
    return e - e * (s * prod_error(a, a, h))


def sigmoid_pair(a):
    """(sigma(a), sigma(-a), exp(-|a|)) without overflow or cancellation."""
    e = math.exp(-abs(a))
    p = 1.0 / (1.0 + e)
    q = e * p   # e / (1 + e) with one division: within an ulp, and the arrays vectorise it
    return (p, q, e) if a >= 0.0 else (q, p, e)


def sigmoid_curv(a, e):
    """sigma(-a) - sigma(a), from expm1 so that it does not cancel near 0."""
    r = math.expm1(-abs(a)) / (1.0 + e)
    return r if a >= 0.0 else -r
