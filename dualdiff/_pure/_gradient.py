"""GradientDual in pure Python: a mirror of dualdiff/_gradient.pxi.

The partials are a dict {variable index: value}; the two kernels of
src_c/dd_sparse.h (a scaled copy and a merge of two scaled tangents) are
written with the same formulas, so both backends agree to the ulp.
"""


import sys
from collections.abc import Mapping
from itertools import islice

import numpy as np

from dualdiff import _common
from dualdiff._pure import _numbers as N
from dualdiff._pure import _rules as R
from dualdiff._pure._rules import tz


def _scale(s, g):
    return {i: tz(v, s) for i, v in g.items()}


def _merge(s, g, t, h):
    r = {i: tz(v, s) for i, v in g.items()}
    for i, v in h.items():
        r[i] = r[i] + tz(v, t) if i in r else tz(v, t)
    return r


class _Prefix(Mapping):
    """The first n items of a dict that only ever grows (in insertion order):
    the partials of a GradientDual whose dict a later sum took over.

    A dict of partials has one owner, the GradientDual whose ``_g`` it is;
    every other holder has a _Prefix of it.  x + y may insert y's partials
    into x's dict when x owns it and none of y's indices is in it: the result
    owns the dict, and x keeps its own items as a _Prefix (its value never
    changes).  A sum of n terms is then O(n) in all, as in C (dd_sparse.h).
    """

    __slots__ = ("_d", "_n", "_m")

    def __init__(self, d, n):
        self._d = d
        self._n = n
        self._m = None

    def _items(self):
        if self._m is None:
            self._m = dict(islice(self._d.items(), self._n))
        return self._m

    def __len__(self):
        return self._n

    def __iter__(self):
        return iter(self._items())

    def __getitem__(self, i):
        return self._items()[i]

    def __contains__(self, i):
        return i in self._items()

    def items(self):
        return self._items().items()


# Below this many partials a sum copies them (cheaper than a _Prefix).
_SHARE_MIN = 8


def _share(g):
    """The partials g for a second holder: a _Prefix of an owned dict, or g itself."""
    if type(g) is dict:
        return _Prefix(g, len(g)) if len(g) >= _SHARE_MIN else _scale(1.0, g)
    return g


def _add(x, t, y):
    """x's partials + t * y's (x + y, x - y): y's inserted into x's dict when
    x owns it and none of y's indices is there (x keeps a _Prefix); in a sum
    the larger operand's dict (or the one owned) takes the other's; else
    merged into a new dict."""
    g = x._g
    h = y._g
    if t == 1.0 and (len(h) > len(g) or type(g) is not dict):
        x, g, h = y, h, g
    if type(g) is dict and len(g) >= _SHARE_MIN and g.keys().isdisjoint(h):
        p = _new_prefix(_Prefix)
        p._d, p._n, p._m = g, len(g), None
        x._g = p
        for i, v in h.items():
            g[i] = tz(v, t)
        return g
    return _merge(1.0, g, t, h)


_new_prefix = object.__new__


def call_tag(a, b):
    """The call whose variables a result's partials refer to (see _call_tag in C)."""
    if a == b or b == 0:
        return a
    if a == 0:
        return b
    raise TypeError("numbers of two different gradient, jacobian or hessian calls meet: "
                    "nesting these calls is not supported (a derivative call inside "
                    "another derivative call is)")


def _new(re, partials, tag):
    r = object.__new__(GradientDual)
    r._re = re
    r._g = partials
    r._tag = tag
    return r


def _const(c):
    return _new(c, {}, 0)


def _div(x, y):
    if y._re == 0.0:
        raise _common.zero_division()
    v = x._re / y._re
    tag = call_tag(x._tag, y._tag)
    return _new(v, {i: w / y._re for i, w in _merge(1.0, x._g, -v, y._g).items()}, tag)


def _pow(x, p):
    f = R.pow_rule(x._re, p, 1)
    N._check_pow(x._re, p, f[0])
    if not R.is_normal(f[1]) and R.pow_rescues(x._re, p, f[0]):
        # f' leaves the floats where its products with the partials may not (dd_dual_pow_v)
        c = R.pow_scaled(x._re, p, f[0], 1)[0]
        return _new(f[0], {i: R.sc_tz(v, c) for i, v in x._g.items()}, x._tag)
    return _new(f[0], _scale(f[1], x._g), x._tag)


def _binary(x, y, op):
    if op == N._POW and not y._g:   # constant exponent: negative bases work
        return _pow(x, y._re)
    v, g, h = N.binary_coefficients(x._re, y._re, op, 1)
    return _new(v, _merge(g[0], x._g, g[1], y._g), call_tag(x._tag, y._tag))


def _mixed(self, other):
    """NotImplemented, or the error that lets gradient() go nested (see C)."""
    if isinstance(other, (N.Dual, N.NestedDual)):
        raise _common.nested_call_error(self, other)
    return NotImplemented


def as_gradient(o, op):
    if type(o) is GradientDual:
        return o
    return _const(N._arg(o, op, "a real number or a GradientDual"))


class _SparseNumber(N._Number):
    """Division and powers, as GradientDual and HessianDual share them: each
    type supplies its module's _div, _const, _pow and _binary as _k_* hooks."""

    # No deferral by ndarrays, as in C: ndarray * x maps x over the array's
    # elements (an object array), where deferring would make it a TypeError.
    __array_priority__ = 0.0

    __slots__ = ()

    def __truediv__(self, other):
        if type(other) is type(self):
            return self._k_div(self, other)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else self._k_div(self, self._k_const(c))

    def __rtruediv__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else self._k_div(self._k_const(c), self)

    def __pow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(other) is type(self):
            return self._k_binary(self, other, N._POW)
        p = N._to_double(other)
        return _mixed(self, other) if p is None else self._k_pow(self, p)

    def __rpow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        c = N._to_double(other)
        return _mixed(self, other) if c is None else self._k_binary(self._k_const(c), self, N._POW)


class GradientDual(_SparseNumber):
    """GradientDual(real, partials=None)

    A value with its gradient: ``real + sum(partials[i] * e_i)`` with
    ``e_i * e_j == 0``.  Evaluating ``f`` at ``GradientDual(x_i, {i: 1.0})``
    for each variable gives ``f(x)`` and its whole gradient in one pass.
    Only the partials a value depends on are stored, so an operation costs
    time proportional to the number of variables involved in it, not to n.
    The methods named after NumPy's ufuncs (``x.sin()``, ``x.exp()``, ...)
    are what ``np.sin(x)`` calls; they equal ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> x = dd.GradientDual(3.0, {0: 1.0})
    >>> y = dd.GradientDual(2.0, {1: 1.0})
    >>> (x * x * y).partials
    {0: 12.0, 1: 9.0}
    >>> (x * x * y).gradient(3)
    array([12.,  9.,  0.])
    """

    __slots__ = ("_re", "_g", "_tag")

    def __init__(self, real, partials=None):
        re = N._arg(real, "GradientDual", "a real number")
        self._g = dict(sorted(_common.checked_partials("GradientDual", partials).items()))
        self._re = re
        self._tag = 0   # not seeded by a gradient call

    @property
    def real(self):
        """The value part."""
        return self._re

    @property
    def partials(self):
        """The stored partial derivatives, as a dict {variable index: value}."""
        return dict(sorted(self._g.items()))

    def gradient(self, n):
        """gradient(n) -> the partials as a dense float64 ndarray of length n."""
        if n > sys.maxsize // 8:   # as in C: a size that cannot be allocated
            raise MemoryError(f"cannot allocate a gradient of length {n}")
        return _common.dense_gradient(self._g, n)

    def __repr__(self):
        items = ", ".join(f"{i}: {_common.format_float(v)}" for i, v in sorted(self._g.items()))
        return f"GradientDual({_common.format_float(self._re)}, {{{items}}})"

    def __reduce__(self):
        return (GradientDual, (self._re, self.partials))

    _ORDER = 1

    def _chain(self, f):
        return _new(f[0], _scale(f[1], self._g), self._tag)

    _operand = staticmethod(as_gradient)
    _binary_op = staticmethod(_binary)
    _k_div, _k_const, _k_pow, _k_binary = (
        staticmethod(_div), staticmethod(_const), staticmethod(_pow), staticmethod(_binary))

    def __add__(self, other):
        if type(other) is GradientDual:
            tag = call_tag(self._tag, other._tag)
            return _new(self._re + other._re, _add(self, 1.0, other), tag)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(self._re + c, _share(self._g), self._tag)

    def __radd__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(c + self._re, _share(self._g), self._tag)

    def __sub__(self, other):
        if type(other) is GradientDual:
            tag = call_tag(self._tag, other._tag)
            return _new(self._re - other._re, _add(self, -1.0, other), tag)
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(self._re - c, _share(self._g), self._tag)

    def __rsub__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(c - self._re, _scale(-1.0, self._g), self._tag)

    def __mul__(self, other):
        if type(other) is GradientDual:
            return _new(self._re * other._re, _merge(other._re, self._g, self._re, other._g),
                        call_tag(self._tag, other._tag))
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(self._re * c, _scale(c, self._g), self._tag)

    def __rmul__(self, other):
        c = N._to_double(other)
        return _mixed(self, other) if c is None else _new(c * self._re, _scale(c, self._g), self._tag)

    def __neg__(self):
        return _new(-self._re, _scale(-1.0, self._g), self._tag)


def gradient_seeds(x, tag):
    """An object ndarray of GradientDual(x[i], {i: 1.0}): the variables of f."""
    out = np.empty(len(x), dtype=object)
    vals = x.tolist() if type(x) is np.ndarray and x.dtype == np.float64 else map(float, x)
    out[:] = [_new(v, {i: 1.0}, tag) for i, v in enumerate(vals)]
    return out
