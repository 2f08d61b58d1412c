"""The pure-Python kernels of DualArray and HyperDualArray (see src_c/dd_array.h).

The scalar rule table (_rules.py) is applied point by point, and the chain
rule with the same zero-safe products as the scalar types, so both backends
agree to the ulp.  This is the fallback: a Python call per point, fine for
tests and small arrays, slow for millions of points.
"""

import math

import numpy as np

from dualdiff import _common
from dualdiff._pure import _rules as R

_PARTIALS = {
    "power": lambda x, y, v, order: R.pow2_partials(x, y, v, order),
    "arctan2": lambda x, y, v, order: R.atan2_partials(x, y, order),
    "hypot": lambda x, y, v, order: R.hypot_partials(x, y, v, order),
}


#: The rules whose array kernels in C take the derivatives from NumPy's value
#: (DD_VALUE_RULES and pow in dd_array.h): the same formulas from the same
#: float here, not the scalar rule's own value, which can differ from NumPy's
#: by an ulp that f'' then amplifies (tanh: up to ~128 ulps of e12).
_FROM_VALUE = {"exp": R.exp_rule_v, "sqrt": R.sqrt_rule_v, "cbrt": R.cbrt_rule_v,
               "tanh": R.tanh_rule_v}


def _coefficients(name, a, order, param, value=None):
    """The rule's (f, f', f'') at every point of a, as three arrays; given
    `value` (NumPy's), the rules of _FROM_VALUE and pow start from it."""
    if value is not None and (name == "pow" or name in _FROM_VALUE):
        return _coefficients_from_value(name, a, order, param, value)
    if name == "pow":
        def rule(v):
            return R.pow_rule(v, param, order)
    elif name == "leaky_relu":
        def rule(v):
            return R.leaky_relu_rule(v, param, order)
    elif name == "log_base":   # param: the logarithm of the base
        def rule(v):
            return R.log_base_rule(v, param, order)
    else:
        fn = R.RULES[name][0]

        def rule(v):
            return fn(v, order)
    out = np.zeros((3, a.size))
    with np.errstate(all="ignore"):
        for i, v in enumerate(a.ravel().tolist()):
            try:
                f = rule(v)
            except ValueError:      # a pole, or outside the domain (C: nan)
                f = _pole(name, v)
            except OverflowError:   # C: the infinities of the overflowing function
                f = _overflow(name, v)
            for j in range(order + 1):
                out[j, i] = f[j]
    return out.reshape((3,) + a.shape)


def _coefficients_from_value(name, a, order, param, value):
    """_coefficients of a rule of _FROM_VALUE (or pow) from the values given."""
    if name == "pow":
        def rule(x, v):
            return R.pow_rule_v(x, param, v, order)
    else:
        fn = _FROM_VALUE[name]

        def rule(x, v):
            return fn(x, v, order)
    out = np.zeros((3, a.size))
    values = np.broadcast_to(np.asarray(value, dtype=np.float64), a.shape)
    for i, (x, v) in enumerate(zip(a.ravel().tolist(), values.ravel().tolist())):
        out[:, i] = rule(x, v)
    return out.reshape((3,) + a.shape)


def _pole(name, a):
    """C's coefficients at a pole, where Python's math raises ValueError; nan elsewhere."""
    inf = np.inf
    if name in ("log", "log2", "log10") and a == 0.0:
        return (-inf, np.copysign(inf, a), -inf)
    if name == "log1p" and a == -1.0:
        return (-inf, inf, -inf)
    if name == "arctanh" and abs(a) == 1.0:
        return (np.copysign(inf, a), inf, np.copysign(inf, a))
    return (np.nan, np.nan, np.nan)


def _overflow(name, a):
    """(f, f', f'') where C's rule overflows and Python's math raises instead."""
    inf, s = np.inf, np.copysign(1.0, a)
    if name == "sinh":
        return (s * inf, inf, s * inf)
    if name == "cosh":
        return (inf, s * inf, inf)
    return (inf, inf, inf)   # exp, exp2, expm1


def _chain(name, a, t, order, value, param=0.0):
    """(value, tangent rows) of rule `name` at points a, value None or NumPy's."""
    a = np.asarray(a, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    t = t.reshape((t.shape[0],) + a.shape)
    f = _coefficients(name, a, order, param, value)
    if value is None:
        value = f[0]
    # outside the domain every tangent part is nan, exactly-zero ones included:
    # the value is nan, so there is no derivative to keep (dd_array.h)
    domain = np.isnan(value) & ~np.isnan(a)
    d = np.empty(t.shape)
    flat_t = t.reshape(t.shape[0], -1)
    flat_d = d.reshape(t.shape[0], -1)
    flat_f = f.reshape(3, -1)
    flat_a = a.ravel().tolist()
    flat_v = np.asarray(value, dtype=np.float64).ravel().tolist()
    for i, out_of_domain in enumerate(domain.ravel().tolist()):
        c = flat_f[:, i].tolist()
        if name == "pow" and not out_of_domain:
            # the coefficients from the value used (NumPy's), as dd_array_*_pow
            c = R.pow_rule_v(flat_a[i], param, flat_v[i], order)
            if (not (R.is_normal(c[1]) and (order == 1 or R.is_normal(c[2])))
                    and R.pow_rescues(flat_a[i], param, flat_v[i])):
                s = R.pow_scaled(flat_a[i], param, flat_v[i], order)
                if order == 1:
                    for j in range(t.shape[0]):
                        flat_d[j, i] = R.sc_tz(float(flat_t[j, i]), s[0])
                else:
                    x1, x2, x12 = flat_t[:, i].tolist()
                    flat_d[:, i] = (R.sc_tz(x1, s[0]), R.sc_tz(x2, s[0]),
                                    R.sc_tz(x12, s[0]) + R.sc_tt(x1, x2, s[1]))
                continue
        if out_of_domain:
            flat_d[:, i] = np.nan
        elif order == 1:
            for j in range(t.shape[0]):
                flat_d[j, i] = R.tz(float(flat_t[j, i]), c[1])
        else:   # as dd_hyper_chain
            x1, x2, x12 = flat_t[:, i].tolist()
            q = x1 * x2
            e1, e2, e12 = x1 * c[1], x2 * c[1], x12 * c[1] + q * c[2]
            if e1 != e1 or e2 != e2 or e12 != e12 or not R.is_normal(q):
                e1, e2 = R.tz(x1, c[1]), R.tz(x2, c[1])
                e12 = R.tz(x12, c[1]) + R.tt3_st(c[2], x1, x2)
            flat_d[:, i] = (e1, e2, e12)
    return value, d


def _check_order(order):
    """The compiled kernels' check (_array.pxi), the same on this backend."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, not {order}")


def chain_into(name, a, t, order, param, have_value, out):
    """The chain rule of rule `name` into the block out: see _array_chain_into."""
    _check_order(order)
    value, d = _chain(name, a, t, order, out[0] if have_value else None, param)
    out[0] = value
    out[1:] = d.reshape(out[1:].shape)


#: No fused products nor NumPy-assisted activations here: DualArray falls
#: back to its NumPy expressions and to chain_into.
binary = None
aux = None
#: The rules whose values chain_into computes as NumPy does (none here:
#: NumPy computes every value).
libm_values = frozenset()


def partials(op, x, y, v, order):
    """(g0, g1) or (g0, g1, h0, h1, h2) of power, arctan2 or hypot at each point."""
    _check_order(order)
    x, y, v = (np.asarray(a, dtype=np.float64) for a in (x, y, v))
    fn = _PARTIALS[op]
    out = np.zeros((5, x.size))
    for i, (a, b, c) in enumerate(zip(x.ravel().tolist(), y.ravel().tolist(),
                                      v.ravel().tolist())):
        g, h = fn(a, b, c, order)
        out[0, i], out[1, i] = g[0], g[1]
        if order >= 2:
            out[2, i], out[3, i], out[4, i] = h[0], h[1], h[2]
    out = out.reshape((5,) + x.shape)
    return tuple(out[:5 if order == 2 else 2])


# ---------------------------------------------------------------------------
# Values only: dualdiff's functions on plain float arrays
# ---------------------------------------------------------------------------

def _prod_error(a, b, h):
    """R.prod_error at every point (Dekker's two-product, its guards included)."""
    def split(x):
        c = 134217729.0 * x   # 2**27 + 1, Veltkamp's splitter
        hi = c - (c - x)
        return hi, x - hi
    ah, al = split(a)
    bh, bl = split(b)
    r = ((ah * bh - h) + ah * bl + al * bh) + al * bl
    big = (np.abs(a) >= 1e300) | (np.abs(b) >= 1e300)
    return np.where(np.isfinite(h), np.where(big, 0.0, r), np.nan)


def _sigmoid_pair(a):
    """R.sigmoid_pair at every point, with NumPy's exp."""
    e = np.exp(-np.abs(a))
    p = 1.0 / (1.0 + e)
    q = e * p
    pos = a >= 0.0
    return np.where(pos, p, q), np.where(pos, q, p)


def _gelu_tanh_values(a):
    """R.gelu_tanh_rule's value at every point: w in double-double, as there."""
    a2 = a * a
    a3 = a2 * a
    a3_lo = _prod_error(a2, a, a3) + _prod_error(a, a, a2) * a
    q = R.GELU_C * a3
    q_lo = _prod_error(R.GELU_C, a3, q) + R.GELU_C * a3_lo + R.GELU_C_LO * a3
    t = a + q
    tb = t - a
    t_lo = ((a - (t - tb)) + (q - tb)) + q_lo
    w = R.GELU_K * t
    w_lo = _prod_error(R.GELU_K, t, w) + R.GELU_K * t_lo + R.GELU_K_LO * t
    s, sm = _sigmoid_pair(w)
    s = np.where(np.isfinite(w_lo), s + (s * sm) * w_lo, s)
    return np.where(s == 0.0, 0.0, s * a)   # tz(s, a)


def _gelu_values(a):
    """R.gelu_rule's value at every point: erfc one element at a time (NumPy
    has none), the rest as NumPy expressions of that rule."""
    t = a * R.SQRT1_2
    dt = _prod_error(a, R.SQRT1_2, t) + a * R.SQRT1_2_LO
    h = a * a
    e = np.exp(-0.5 * h)
    gauss = np.where(e == 0.0, 0.0, e - e * (0.5 * _prod_error(a, a, h)))
    phi = R.ONE_SQRT2PI * gauss
    sp = R.SQRT2 * phi
    big_p = (0.5 * np.asarray(_erfc(-t), dtype=np.float64)
             + np.where(sp == 0.0, 0.0, sp * dt))      # tz(SQRT2 phi, dt)
    return np.where(big_p == 0.0, 0.0, big_p * a)     # tz(P, a)


def _per_element(fn):
    """fn at every point by np.frompyfunc: NumPy has no erf (measured ~1.3x
    faster than np.vectorize at 10**6 points)."""
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda a, param: np.asarray(ufunc(a), dtype=np.float64)


_erfc = np.frompyfunc(math.erfc, 1, 1)

_VALUES = {
    "sigmoid": lambda a, param: _sigmoid_pair(a)[0],
    "softplus": lambda a, param: (lambda tail: np.where(a > 0.0, a + tail, tail))(
        np.log1p(np.exp(-np.abs(a)))),
    "relu": lambda a, param: np.where((a > 0.0) | np.isnan(a), a, 0.0),
    "leaky_relu": lambda a, param: np.where(a > 0.0, a, param * a),
    "gelu_tanh": lambda a, param: _gelu_tanh_values(a),
    "gelu": lambda a, param: _gelu_values(a),
    "erf": _per_element(math.erf),
    "erfc": _per_element(math.erfc),
}


def float_values(name, x, param=0.0):
    """name(x) for an ndarray (or NumPy scalar) x of real numbers as a new
    float64 array of x's shape (a NumPy scalar where x is 0-d, as NumPy's
    ufuncs give); None for anything else, object arrays included.

    The twin of _array_values in C: NumPy expressions of the scalar rules,
    exp from NumPy, so the values are C's (the DualArray kernels' where NumPy's
    exp is not the C library's); erf, erfc and gelu one element at a time."""
    fn = _VALUES.get(name)
    if fn is None or not isinstance(x, (np.ndarray, np.generic)) or x.dtype.kind not in "biuf":
        return None
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = np.asarray(fn(a, param), dtype=np.float64)
    return out[()] if out.ndim == 0 else _common.keep_mask(x, out)   # a masked array's mask is kept
