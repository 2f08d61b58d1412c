"""The pure-Python kernels of DualArray and HyperDualArray (see src_c/dd_array.h).

The scalar rule table (_rules.py) is applied point by point, and the chain
rule with the same zero-safe products as the scalar types, so both backends
agree to the ulp.  This is the fallback: a Python call per point, fine for
tests and small arrays, slow for millions of points.
"""

import numpy as np

from dualdiff._pure import _rules as R

_PARTIALS = {
    "power": lambda x, y, v, order: R.pow2_partials(x, y, v, order),
    "arctan2": lambda x, y, v, order: R.atan2_partials(x, y, order),
    "hypot": lambda x, y, v, order: R.hypot_partials(x, y, v, order),
}


def _coefficients(name, a, order, param):
    """The rule's (f, f', f'') at every point of a, as three arrays."""
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
    f = _coefficients(name, a, order, param)
    if value is None:
        value = f[0]
    domain = np.isnan(value) & ~np.isnan(a)   # outside the domain: nan tangents
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
            if (not (R._isnormal(c[1]) and (order == 1 or R._isnormal(c[2])))
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
            if e1 != e1 or e2 != e2 or e12 != e12 or not R._isnormal(q):
                e1, e2 = R.tz(x1, c[1]), R.tz(x2, c[1])
                e12 = R.tz(x12, c[1]) + R.tt3_st(c[2], x1, x2)
            flat_d[:, i] = (e1, e2, e12)
    return value, d


def chain_into(name, a, t, order, param, have_value, out):
    """The chain rule of rule `name` into the block out: see _array_chain_into."""
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
