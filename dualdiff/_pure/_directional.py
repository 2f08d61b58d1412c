"""_DirectionalDual in pure Python: a mirror of dualdiff/_directional.pxi.

P + eps Q with P and Q GradientDuals (forward over forward): seeded with
P_i = x_i + e_i and Q_i = v_i, f(X) = f(P) + eps f'(P) Q, so P carries f(x)
and its gradient, Q the derivative along v and, in its partials, H(x) v.
The partials are combined by GradientDual's kernels with the same formulas
and the same order of terms as in C, so both backends agree to the ulp.
"""

import numpy as np

from dualdiff._pure import _gradient as G
from dualdiff._pure import _numbers as N
from dualdiff._pure import _rules as R
from dualdiff._pure._rules import tt, tz


def _sum(re, terms, tag):
    """re + the sum of the terms [(s, m, partials)], each entry
    tz(tt(v, m), s), the terms at one index added in list order (as _gsum
    in C): along v = e_k, hvp is then the Hessian's column k exactly."""
    r = {}
    for s, m, g in terms:
        for i, v in g.items():
            t = tz(tt(v, m), s)
            r[i] = r[i] + t if i in r else t
    return G._new(re, r, tag)


def _second(terms, s, m, g):
    """Append s * (m * g) for a tangent m, unless s or m is zero: a product
    of zero tangents is an absent term, not 0 * inf (and a zero coefficient
    is one, as in HessianDual's outer products)."""
    if s != 0.0 and m != 0.0:
        terms.append((s, m, g))


def _new(p, q):
    r = object.__new__(_DirectionalDual)
    r._p = p
    r._q = q
    return r

# ---------------------------------------------------------------------------
# The chain rule, one helper per shape
# ---------------------------------------------------------------------------


def _chain(x, f):
    """f(x) from f's Taylor coefficients: P' = f(P), Q' = f'(P) Q with
    f'(P) = f1 + f2 gP, so Q' = (f1 d, f1 gQ + f2 d gP), d = Q.real."""
    p, q = x._p, x._q
    d = q._re
    terms = [(f[1], 1.0, q._g)]
    _second(terms, f[2], d, p._g)
    return _new(G._new(f[0], G._scale(f[1], p._g), p._tag),
                _sum(tz(d, f[1]), terms, G.call_tag(q._tag, p._tag)))


def _chain2(x, y, v, g, h):
    """f(x, y) from its value, gradient g and Hessian h = (f_xx, f_xy, f_yy):
    Q' = f_x(P) Qx + f_y(P) Qy, whose partials are
    g0 gQx + g1 gQy + (h0 dx + h1 dy) gPx + (h1 dx + h2 dy) gPy, the
    second-order terms in HessianDual's order (x x, x y, y x, y y)."""
    dx, dy = x._q._re, y._q._re
    tag = G.call_tag(G.call_tag(x._p._tag, y._p._tag), G.call_tag(x._q._tag, y._q._tag))
    terms = [(g[0], 1.0, x._q._g), (g[1], 1.0, y._q._g)]
    _second(terms, h[0], dx, x._p._g)
    _second(terms, h[1], dy, x._p._g)
    _second(terms, h[1], dx, y._p._g)
    _second(terms, h[2], dy, y._p._g)
    return _new(G._new(v, G._merge(g[0], x._p._g, g[1], y._p._g), G.call_tag(x._p._tag, y._p._tag)),
                _sum(tz(dx, g[0]) + tz(dy, g[1]), terms, tag))


def _linear(x, s, y, t, v):
    """s x + t y with the value v: Q' = s Qx + t Qy, no second-order term."""
    return _new(G._new(v, G._merge(s, x._p._g, t, y._p._g), G.call_tag(x._p._tag, y._p._tag)),
                G._new(tz(x._q._re, s) + tz(y._q._re, t), G._merge(s, x._q._g, t, y._q._g),
                       G.call_tag(x._q._tag, y._q._tag)))


def _scaled(x, s, v):
    """s x + c with the value v."""
    return _new(G._new(v, G._scale(s, x._p._g), x._p._tag),
                G._new(tz(x._q._re, s), G._scale(s, x._q._g), x._q._tag))


def _mul(x, y):
    return _chain2(x, y, x._p._re * y._p._re, (y._p._re, x._p._re), (0.0, 1.0, 0.0))


def _div(x, y):
    """x / y by the quotient rule over GradientDuals: R = Px / Py and
    S = (Qx - R Qy) / Py, so that x / x is exactly 1 + eps 0."""
    r = G._div(x._p, y._p)   # raises ZeroDivisionError at Py == 0
    b, dy = y._p._re, y._q._re
    s0 = (x._q._re - tz(dy, r._re)) / b
    # S's partials: (gQx - R gQy - dy gR - S gPy) / Py, numerator in one pass
    terms = [(1.0, 1.0, x._q._g), (-r._re, 1.0, y._q._g)]
    _second(terms, -1.0, dy, r._g)
    _second(terms, -1.0, s0, y._p._g)
    tag = G.call_tag(G.call_tag(x._q._tag, y._q._tag), r._tag)
    s = _sum(s0, terms, tag)
    s._g = {i: w / b for i, w in s._g.items()}
    return _new(r, s)


def _pow(x, p):
    f = R.pow_rule(x._p._re, p, 2)
    N._check_pow(x._p._re, p, f[0])
    return _chain(x, f)


def _binary(x, y, op):
    if op == N._POW and not y._p._g and not y._q._g and y._q._re == 0.0:
        return _pow(x, y._p._re)   # constant exponent: negative bases work
    v, g, h = N.binary_coefficients(x._p._re, y._p._re, op, 2)
    return _chain2(x, y, v, g, h)


def _const(c):
    return _new(G._const(c), G._const(0.0))


def as_directional(o, op):
    if type(o) is _DirectionalDual:
        return o
    return _const(N._arg(o, op, "a real number or a _DirectionalDual"))


class _DirectionalDual(G._SparseNumber):
    """_DirectionalDual(primal, tangent)

    ``primal + tangent * eps`` (``eps**2 == 0``) whose two parts are
    GradientDuals: forward mode over forward mode.  Evaluating ``f`` at
    ``_DirectionalDual(GradientDual(x_i, {i: 1.0}), GradientDual(v_i))`` for
    each variable gives ``f(x)`` and its gradient in the primal part, the
    derivative along v and the Hessian-vector product H(x) v in the tangent
    part, in one pass: what ``hvp`` evaluates f at.

    >>> from dualdiff._pure import GradientDual, _DirectionalDual
    >>> x = _DirectionalDual(GradientDual(3.0, {0: 1.0}), GradientDual(1.0))
    >>> y = _DirectionalDual(GradientDual(2.0, {1: 1.0}), GradientDual(0.0))
    >>> (x * x * y).tangent.partials   # H v, v = (1, 0)
    {0: 4.0, 1: 6.0}
    """

    __slots__ = ("_p", "_q")

    def __init__(self, primal, tangent):
        if type(primal) is not G.GradientDual or type(tangent) is not G.GradientDual:
            raise TypeError("_DirectionalDual(primal, tangent) takes two GradientDuals, not "
                            f"{type(primal).__name__!r} and {type(tangent).__name__!r}")
        self._p = primal
        self._q = tangent

    @property
    def _re(self):
        return self._p._re

    @property
    def real(self):
        """The value part."""
        return self._p._re

    @property
    def primal(self):
        """The value and its gradient, a GradientDual."""
        return self._p

    @property
    def tangent(self):
        """The derivative along the direction and its gradient, a GradientDual."""
        return self._q

    def __repr__(self):
        return f"_DirectionalDual({self._p!r}, {self._q!r})"

    def __reduce__(self):
        return (_DirectionalDual, (self._p, self._q))

    _ORDER = 2
    _chain = _chain
    _operand = staticmethod(as_directional)
    _binary_op = staticmethod(_binary)
    _k_div, _k_const, _k_pow, _k_binary = (
        staticmethod(_div), staticmethod(_const), staticmethod(_pow), staticmethod(_binary))

    def abs(self):
        return self._unary("abs")

    def __add__(self, other):
        if type(other) is _DirectionalDual:
            return _linear(self, 1.0, other, 1.0, self._p._re + other._p._re)
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, 1.0, self._p._re + c)

    def __radd__(self, other):
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, 1.0, c + self._p._re)

    def __sub__(self, other):
        if type(other) is _DirectionalDual:
            return _linear(self, 1.0, other, -1.0, self._p._re - other._p._re)
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, 1.0, self._p._re - c)

    def __rsub__(self, other):
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, -1.0, c - self._p._re)

    def __mul__(self, other):
        if type(other) is _DirectionalDual:
            return _mul(self, other)
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, c, self._p._re * c)

    def __rmul__(self, other):
        c = N._to_double(other)
        return G._mixed(self, other) if c is None else _scaled(self, c, c * self._p._re)

    def __neg__(self):
        return _scaled(self, -1.0, -self._p._re)


def hvp_seeds(x, v, tag):
    """An object ndarray of _DirectionalDual(GradientDual(x[i], {i: 1.0}), GradientDual(v[i])):
    the variables of f for hvp."""
    out = np.empty(len(x), dtype=object)
    for i in range(len(x)):
        out[i] = _new(G._new(float(x[i]), {i: 1.0}, tag), G._new(float(v[i]), {}, tag))
    return out
