"""HessianDual in pure Python: a mirror of dualdiff/_hessian.pxi.

The first partials are a dict {i: value}, the second partials a dict
{(i, j): value} holding both triangles; results are accumulated in the
order of the compiled version (scaled Hessians first, then the outer
products), through the same merge, so both backends agree to the ulp.
"""


import numpy as np

from dualdiff import _common
from dualdiff._pure import _numbers as N
from dualdiff._pure import _rules as R
from dualdiff._pure._gradient import _merge, _mixed, _scale, _SparseNumber, call_tag
from dualdiff._pure._rules import tt3_st


def _new(re, g, h, tag):
    r = object.__new__(HessianDual)
    r._re = re
    r._g = g
    r._h = h
    r._tag = tag
    return r


def _add(acc, s, h):
    """acc + s * h (acc unchanged when h is empty, as _hl_add)."""
    return _merge(1.0, acc, s, h) if h else acc


def _add_outer(acc, c, a, b):
    """acc + c * (gradient of a) outer (gradient of b); c == 0 adds nothing."""
    if c == 0.0 or not a._g or not b._g:
        return acc
    return _add(acc, 1.0, {(i, j): tt3_st(c, u, w) for i, u in a._g.items() for j, w in b._g.items()})


def _chain(x, f0, f1, f2):
    """Gradient f' g, Hessian f' H + f'' g g^T."""
    acc = _add_outer(_scale(f1, x._h), f2, x, x)
    return _new(f0, _scale(f1, x._g), acc, x._tag)


def _chain2(x, y, v, g, h):
    tag = call_tag(x._tag, y._tag)
    acc = _add(_scale(g[0], x._h), g[1], y._h)
    acc = _add_outer(acc, h[0], x, x)
    acc = _add_outer(acc, h[1], x, y)
    acc = _add_outer(acc, h[1], y, x)
    acc = _add_outer(acc, h[2], y, y)
    return _new(v, _merge(g[0], x._g, g[1], y._g), acc, tag)


def _const(c):
    return _new(c, {}, {}, 0)


_G_ADD, _G_SUB, _H_ZERO = (1.0, 1.0), (1.0, -1.0), (0.0, 0.0, 0.0)


def _mul(x, y):
    return _chain2(x, y, x._re * y._re, (y._re, x._re), (0.0, 1.0, 0.0))


def _div(x, y):
    """x / y by the quotient rule (see _hdiv in C): gradient (gx - q gy)/y,
    Hessian (Hx - q Hy - (gq gy^T + gy gq^T))/y."""
    b = y._re
    if b == 0.0:
        raise _common.zero_division()
    q = x._re / b
    r = _new(q, {i: w / b for i, w in _merge(1.0, x._g, -q, y._g).items()}, {},
             call_tag(x._tag, y._tag))
    acc = _merge(1.0, x._h, -q, y._h)
    acc = _add_outer(acc, -1.0, r, y)
    acc = _add_outer(acc, -1.0, y, r)
    r._h = {k: w / b for k, w in acc.items()}
    return r


def _pow(x, p):
    f = R.pow_rule(x._re, p, 2)
    N._check_pow(x._re, p, f[0])
    if not (R.is_normal(f[1]) and R.is_normal(f[2])) and R.pow_rescues(x._re, p, f[0]):
        # f' or f'' leaves the floats where its products may not (dd_hyper_pow_v)
        c0, c1 = R.pow_scaled(x._re, p, f[0], 2)
        acc = {k: R.sc_tz(w, c0) for k, w in x._h.items()}
        if x._g:
            acc = _add(acc, 1.0, {(i, j): R.sc_tt(u, w, c1)
                                  for i, u in x._g.items() for j, w in x._g.items()})
        return _new(f[0], {i: R.sc_tz(w, c0) for i, w in x._g.items()}, acc, x._tag)
    return _chain(x, *f)


def _binary(x, y, op):
    if op == N._POW and not y._g:   # constant exponent: negative bases work
        return _pow(x, y._re)
    v, g, h = N.binary_coefficients(x._re, y._re, op, 2)
    return _chain2(x, y, v, g, h)


def as_hessian(o, op):
    if type(o) is HessianDual:
        return o
    return _const(N._arg(o, op, "a real number or a HessianDual"))


class HessianDual(_SparseNumber):
    """HessianDual(real, partials=None, hessian=None)

    A value with its gradient and Hessian, for second derivatives of
    functions of several variables in one pass: evaluating ``f`` at
    ``HessianDual(x_i, {i: 1.0})`` for each variable gives ``f(x)``, its
    gradient and its Hessian.  ``partials`` maps variable indices to first
    partials, ``hessian`` maps index pairs ``(i, j)`` to second partials (the
    other triangle is filled in).  Both are stored sparsely.
    The methods named after NumPy's ufuncs (``x.sin()``, ``x.exp()``, ...)
    are what ``np.sin(x)`` calls; they equal ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> x = dd.HessianDual(3.0, {0: 1.0})
    >>> y = dd.HessianDual(2.0, {1: 1.0})
    >>> (x * x * y).hessian(2)
    array([[4., 6.],
           [6., 0.]])
    """

    __slots__ = ("_re", "_g", "_h", "_tag")
    _ORDER = 2

    def __init__(self, real, partials=None, hessian=None):
        re = N._arg(real, "HessianDual", "a real number")
        self._g = dict(sorted(_common.checked_partials("HessianDual", partials).items()))
        self._h = dict(sorted(_common.checked_hessian("HessianDual", hessian).items()))
        self._re = re
        self._tag = 0   # not seeded by a hessian call

    @property
    def real(self):
        """The value part."""
        return self._re

    @property
    def partials(self):
        """The stored first partials, as a dict {variable index: value}."""
        return dict(sorted(self._g.items()))

    @property
    def hessian_entries(self):
        """The stored second partials, as a dict {(i, j): value} with i <= j."""
        return {k: v for k, v in sorted(self._h.items()) if k[0] <= k[1]}

    def gradient(self, n):
        """gradient(n) -> the first partials as a dense float64 ndarray of length n."""
        return _common.dense_gradient(self._g, n)

    def hessian(self, n):
        """hessian(n) -> the second partials as a dense, exactly symmetric (n, n) ndarray."""
        return _common.dense_hessian(self.hessian_entries, n)

    def __repr__(self):
        return _common.format_hessian_repr(self._re, self._g, self.hessian_entries)

    def __reduce__(self):
        return (HessianDual, (self._re, self.partials, self.hessian_entries))

    def _chain(self, f):
        return _chain(self, f[0], f[1], f[2])

    _operand = staticmethod(as_hessian)
    _binary_op = staticmethod(_binary)
    _k_div, _k_const, _k_pow, _k_binary = (
        staticmethod(_div), staticmethod(_const), staticmethod(_pow), staticmethod(_binary))

    def __add__(self, other):
        if type(other) is HessianDual:
            return _chain2(self, other, self._re + other._re, _G_ADD, _H_ZERO)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, self._re + c, 1.0, 0.0)

    def __radd__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, c + self._re, 1.0, 0.0)

    def __sub__(self, other):
        if type(other) is HessianDual:
            return _chain2(self, other, self._re - other._re, _G_SUB, _H_ZERO)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, self._re - c, 1.0, 0.0)

    def __rsub__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, c - self._re, -1.0, 0.0)

    def __mul__(self, other):
        if type(other) is HessianDual:
            return _mul(self, other)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, self._re * c, c, 0.0)

    def __rmul__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _chain(self, c * self._re, c, 0.0)

    def __neg__(self):
        return _chain(self, -self._re, -1.0, 0.0)


def hessian_seeds(x, tag):
    """An object ndarray of HessianDual(x[i], {i: 1.0}): the variables of f."""
    out = np.empty(len(x), dtype=object)
    for i, v in enumerate(x):
        out[i] = _new(float(v), {i: 1.0}, {}, tag)
    return out
