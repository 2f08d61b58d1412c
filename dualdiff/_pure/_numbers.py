"""Dual and HyperDual in pure Python, and the dispatch of functions to the rule table.

A mirror of src_c/dd_types.h, dualdiff/_dual.pxi and the dispatch of
dualdiff/_functions.pxi: the same chain rules, binary operations, checks and
errors, over the rule table in _rules.py.  The public functions are in
_functions.py, the derivative calls in _derivative.py.
"""

import itertools
import math
import numbers
from types import SimpleNamespace


from dualdiff import arrays as _array_module
from dualdiff import _common, _nested, _spec
from dualdiff._pure import _arrays
from dualdiff._pure import _rules as R
from dualdiff._pure._rules import tt, tz

# ---------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------


def _to_double(o):
    """float(o) if o is a real number (not a dualdiff number), else None."""
    if isinstance(o, float):
        return float(o)
    if isinstance(o, int):
        return float(o)   # OverflowError beyond 1e308, as in C
    if isinstance(o, numbers.Real) and not isinstance(o, (Dual, HyperDual)):
        return float(o)
    return None


def _real_part(o):
    if isinstance(o, _Number):
        return o._re
    return _to_double(o)


def _arg(o, func, accepted):
    a = _to_double(o)
    if a is None:
        raise _common.operand_error(func, o, accepted)
    return a


def _value_status(a, v, flags):
    """dd_value_status: how the math module judges the value v = f(a)."""
    if v != v:
        return 0 if a != a else R.EDOM
    if math.isinf(v) and math.isfinite(a):
        return R.ERANGE if flags == R.OVERFLOWS else R.EDOM
    return 0


def _coefficients(name, a, order):
    """(f, f', f'') of rule `name` at a, raising the math module's error."""
    r = R.evaluate(name, a, order)
    status = r if isinstance(r, int) else _value_status(a, r[0], R.RULES[name][1])
    if status:
        raise _common.math_error(status, name, a)
    return r


def _check_pow(a, p, v):
    status = R.pow_status(a, p, v)
    if status:
        raise _common.pow_error(status, a, p)

# ---------------------------------------------------------------------------
# Chain rules and arithmetic (dd_types.h)
# ---------------------------------------------------------------------------


def _dual(re, du, tag):
    r = object.__new__(Dual)
    r._re = re
    r._du = du
    r._tag = tag
    return r


def _hyper(re, e1, e2, e12, tag):
    r = object.__new__(HyperDual)
    r._re = re
    r._e1 = e1
    r._e2 = e2
    r._e12 = e12
    r._tag = tag
    return r


def _hyper_tag(x, y):
    """The second_derivative call of a result of x and y (_hyper_tag in
    _core.pyx): a constant's tag is None; two HyperDuals of different calls
    (or one built by hand, tag 0) must not meet."""
    a, b = x._tag, y._tag
    if a is None or a == b:
        return b
    if b is None:
        return a
    raise _common.mixed_hyper_error()


def _not_hyper(x, y):
    """NotImplemented for x op y, or the reason a Dual and a HyperDual cannot meet."""
    if type(x) in (Dual, NestedDual) or type(y) in (Dual, NestedDual):
        raise _common.order_mix_error(x, y)
    return NotImplemented


def _dual_chain(x, f):
    return _dual(f[0], tz(x._du, f[1]), x._tag)


def _has_nan(e1, e2, e12):
    return e1 != e1 or e2 != e2 or e12 != e12


# HyperDual results: the plain formula, recomputed NaN-safely only when a part
# came out nan, or in a chain rule where e1 e2 is not a normal float (see
# dd_hyper_has_nan in dd_types.h).

def _hyper_chain(x, f):
    q = x._e1 * x._e2
    e1, e2 = x._e1 * f[1], x._e2 * f[1]
    e12 = x._e12 * f[1] + q * f[2]
    if _has_nan(e1, e2, e12) or not R.is_normal(q):
        e1, e2 = tz(x._e1, f[1]), tz(x._e2, f[1])
        e12 = tz(x._e12, f[1]) + R.tt3_st(f[2], x._e1, x._e2)
    return _hyper(f[0], e1, e2, e12, x._tag)


def _dual_chain2(x, y, v, g):
    return _dual(v, tz(x._du, g[0]) + tz(y._du, g[1]), x._tag or y._tag)


def _hyper_chain2(x, y, v, g, h):
    e12 = (tz(x._e12, g[0]) + tz(y._e12, g[1])
           + R.tt3_st(h[0], x._e1, x._e2)
           + R.cross3(h[1], x._e1, y._e2, x._e2, y._e1)
           + R.tt3_st(h[2], y._e1, y._e2))
    return _hyper(v, tz(x._e1, g[0]) + tz(y._e1, g[1]),
                  tz(x._e2, g[0]) + tz(y._e2, g[1]), e12, _hyper_tag(x, y))


def _dual_mul(x, y):
    return _dual(x._re * y._re, tz(x._du, y._re) + tz(y._du, x._re), x._tag or y._tag)


def _dual_div(x, y):
    if y._re == 0.0:
        raise _common.zero_division()
    v = x._re / y._re
    return _dual(v, (x._du - tz(y._du, v)) / y._re, x._tag or y._tag)


def _hyper_mul(x, y):
    e1 = x._e1 * y._re + y._e1 * x._re
    e2 = x._e2 * y._re + y._e2 * x._re
    e12 = x._e12 * y._re + y._e12 * x._re + x._e1 * y._e2 + x._e2 * y._e1
    if _has_nan(e1, e2, e12):
        e1 = tz(x._e1, y._re) + tz(y._e1, x._re)
        e2 = tz(x._e2, y._re) + tz(y._e2, x._re)
        e12 = tz(x._e12, y._re) + tz(y._e12, x._re) + tt(x._e1, y._e2) + tt(x._e2, y._e1)
    return _hyper(x._re * y._re, e1, e2, e12, _hyper_tag(x, y))


def _hyper_div(x, y):
    tag = _hyper_tag(x, y)
    if y._re == 0.0:
        raise _common.zero_division()
    v = x._re / y._re
    r1 = (x._e1 - y._e1 * v) / y._re
    r2 = (x._e2 - y._e2 * v) / y._re
    r12 = (x._e12 - y._e12 * v - r1 * y._e2 - r2 * y._e1) / y._re
    if _has_nan(r1, r2, r12):
        r1 = (x._e1 - tz(y._e1, v)) / y._re
        r2 = (x._e2 - tz(y._e2, v)) / y._re
        r12 = (x._e12 - tz(y._e12, v) - tt(r1, y._e2) - tt(r2, y._e1)) / y._re
    return _hyper(v, r1, r2, r12, tag)


def _dual_pow(x, p):
    f = R.pow_rule(x._re, p, 1)
    _check_pow(x._re, p, f[0])
    if not R.is_normal(f[1]) and R.pow_rescues(x._re, p, f[0]):
        # f' leaves the floats where f' times the tangent may not (dd_dual_pow_v)
        c = R.pow_scaled(x._re, p, f[0], 1)
        return _dual(f[0], R.sc_tz(x._du, c[0]), x._tag)
    return _dual_chain(x, f)


def _hyper_pow(x, p, tag):
    f = R.pow_rule(x._re, p, 2)
    _check_pow(x._re, p, f[0])
    if not (R.is_normal(f[1]) and R.is_normal(f[2])) and R.pow_rescues(x._re, p, f[0]):
        c = R.pow_scaled(x._re, p, f[0], 2)   # as dd_hyper_pow_v
        return _hyper(f[0], R.sc_tz(x._e1, c[0]), R.sc_tz(x._e2, c[0]),
                      R.sc_tz(x._e12, c[0]) + R.sc_tt(x._e1, x._e2, c[1]), tag)
    r = _hyper_chain(x, f)
    r._tag = tag
    return r


_POW, _ATAN2, _HYPOT = "power", "arctan2", "hypot"


def binary_coefficients(a, b, op, order):
    """(value, gradient, Hessian) of x**y, atan2 or hypot at (a, b), for every
    number type's two-argument chain rule (a power's exponent not constant)."""
    if op == _POW:
        v = R.cpow(a, b)
        _check_pow(a, b, v)
        g, h = R.pow2_partials(a, b, v, order)
    elif op == _ATAN2:
        v = math.atan2(a, b)
        g, h = R.atan2_partials(a, b, order)
    else:
        v = R.chypot(a, b)
        g, h = R.hypot_partials(a, b, v, order)
    return v, g, h


def _dual_binary(x, y, op):
    if op == _POW and y._du == 0.0:   # constant exponent: negative bases work
        return _dual_pow(x, y._re)
    v, g, _ = binary_coefficients(x._re, y._re, op, 1)
    return _dual_chain2(x, y, v, g)


def _hyper_binary(x, y, op):
    if op == _POW and y._e1 == 0.0 and y._e2 == 0.0 and y._e12 == 0.0:
        return _hyper_pow(x, y._re, _hyper_tag(x, y))
    v, g, h = binary_coefficients(x._re, y._re, op, 2)
    return _hyper_chain2(x, y, v, g, h)


def _as_dual(o, op):
    if type(o) is Dual:
        return o
    return _dual(_arg(o, op, "a real number or a Dual"), 0.0, 0)


def _as_hyper(o, op):
    if type(o) is HyperDual:
        return o
    return _hyper(_arg(o, op, "a real number or a HyperDual"), 0.0, 0.0, 0.0, None)


def _binary(x, y, op):
    if _common.array_of_duals(x) or _common.array_of_duals(y):
        return _common.UFUNCS[op](x, y)   # the arrays' own __array_ufunc__
    if (type(x) is NestedDual or type(y) is NestedDual
            or (type(x) is Dual and type(y) is Dual and x._tag != y._tag)):
        return _nesting.binary(op, x, y)
    for t in (type(x), type(y)):
        if issubclass(t, _Number):   # the number type of either operand decides
            return t._binary_op(t._operand(x, op), t._operand(y, op), op)
    if _common.is_array(x) or _common.is_array(y):
        return _common.apply_binary_arrays(op, x, y)
    accepted = "a real number, an ndarray or a dualdiff number"
    a, b = _arg(x, op, accepted), _arg(y, op, accepted)
    if op == _POW:
        v = R.cpow(a, b)
        _check_pow(a, b, v)
        return v
    if op == _ATAN2:
        return math.atan2(a, b)
    return R.chypot(a, b)

# ---------------------------------------------------------------------------
# Unary functions, through the rule table
# ---------------------------------------------------------------------------


def _dual_unary(x, name):
    return _dual_chain(x, _coefficients(name, x._re, 1))


def _unary(x, name, public):
    t = type(x)
    if t is Dual:
        return _dual_unary(x, name)
    if t is float:
        return _coefficients(name, x, 0)[0]
    if isinstance(x, _Number):
        return x._unary(name)
    if isinstance(x, (float, int)):
        return _coefficients(name, float(x), 0)[0]
    values = _arrays.float_values(name, x)   # NumPy expressions over a float array
    if values is not None:
        return values
    return _common.apply_other(x, public, FUNCTIONS[public])


def _leaky(x, alpha):
    if isinstance(x, _Number):
        return x._chain(R.leaky_relu_rule(x._re, alpha, x._ORDER))
    if isinstance(x, (float, int)):
        return R.leaky_relu_rule(float(x), alpha, 0)[0]
    values = _arrays.float_values("leaky_relu", x, alpha)
    if values is not None:
        return values
    return _common.apply_other(x, "leaky_relu", FUNCTIONS["leaky_relu"], (alpha,))

# ---------------------------------------------------------------------------
# The number types
# ---------------------------------------------------------------------------


class _Number:
    """What the number types share: protocol, comparisons, ufunc methods.

    A type supplies _ORDER (how many Taylor coefficients it uses), _chain (its
    chain rule on a rule's coefficients) and, for two-argument functions,
    _operand (a real number as a constant of the type) and _binary_op.
    """

    __slots__ = ()

    def _unary(self, name):
        return self._chain(_coefficients(name, self._re, self._ORDER))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self._re != 0.0

    def __eq__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re == o

    def __ne__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re != o

    def __lt__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re < o

    def __le__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re <= o

    def __gt__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re > o

    def __ge__(self, other):
        o = _real_part(other)
        return NotImplemented if o is None else self._re >= o

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return self._unary("abs")

    def __floor__(self):
        return self._unary("floor")

    def __ceil__(self):
        return self._unary("ceil")

    # The methods of the spec's functions with parameters (the others are set
    # below the class, from the spec).
    def log(self, base=None):
        return FUNCTIONS["log"](self, base)

    def leaky_relu(self, alpha=0.01):
        return FUNCTIONS["leaky_relu"](self, alpha)

    def gelu(self, approximate=False):
        return FUNCTIONS["gelu"](self, approximate)

    def arctan2(self, x):
        return FUNCTIONS["arctan2"](self, x)

    def hypot(self, y):
        return FUNCTIONS["hypot"](self, y)



def _method(name):
    def method(self):
        return self._unary(name)
    method.__name__ = method.__qualname__ = name
    return method


# The spec's functions of one number as methods (np.sin(dual) calls dual.sin());
# those with parameters are the public functions themselves, set below them.
for _f in _spec.FUNCTIONS:
    if _f.method and _f.impl is None:
        setattr(_Number, _f.name, _method(_f.name))
del _f


class Dual(_Number):
    """Dual(real, dual=0.0)

    A dual number ``real + dual*eps`` with ``eps**2 == 0``: evaluating ``f`` at
    ``Dual(x, 1.0)`` gives ``Dual(f(x), f'(x))``.  Comparisons, ``==`` and
    ``hash`` use the real part.  The methods named after NumPy's ufuncs
    (``x.sin()``, ``x.exp()``, ...) are what ``np.sin(x)`` calls; they equal
    ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> y = dd.sin(dd.Dual(0.0, 1.0)) * 3
    >>> y.real, y.dual
    (0.0, 3.0)
    >>> import numpy as np
    >>> np.exp(dd.Dual(0.0, 2.0))
    Dual(1.0, 2.0)
    """

    __slots__ = ("_re", "_du", "_tag")

    def __init__(self, real, dual=0.0):
        self._re = _arg(real, "Dual", "a real number")
        self._du = _arg(dual, "Dual", "a real number")
        self._tag = 0   # not seeded by a derivative call

    @property
    def real(self):
        """The value part."""
        return self._re

    @property
    def dual(self):
        """The derivative (tangent) part."""
        return self._du

    def __repr__(self):
        return _common.format_repr("Dual", (self._re, self._du))

    def __reduce__(self):
        return (Dual, (self._re, self._du))

    _ORDER = 1

    def _chain(self, f):
        return _dual_chain(self, f)

    _operand = staticmethod(_as_dual)
    _binary_op = staticmethod(_dual_binary)

    def __add__(self, other):
        if type(other) is Dual:
            if other._tag != self._tag:
                return _nesting.arithmetic("+", self, other)
            return _dual(self._re + other._re, self._du + other._du, self._tag)
        c = _to_double(other)
        return NotImplemented if c is None else _dual(self._re + c, self._du, self._tag)

    def __radd__(self, other):
        c = _to_double(other)
        return NotImplemented if c is None else _dual(c + self._re, self._du, self._tag)

    def __sub__(self, other):
        if type(other) is Dual:
            if other._tag != self._tag:
                return _nesting.arithmetic("-", self, other)
            return _dual(self._re - other._re, self._du - other._du, self._tag)
        c = _to_double(other)
        return NotImplemented if c is None else _dual(self._re - c, self._du, self._tag)

    def __rsub__(self, other):
        c = _to_double(other)
        return NotImplemented if c is None else _dual(c - self._re, -self._du, self._tag)

    def __mul__(self, other):
        if type(other) is Dual:
            if other._tag != self._tag:
                return _nesting.arithmetic("*", self, other)
            return _dual_mul(self, other)
        c = _to_double(other)
        return NotImplemented if c is None else _dual_mul(self, _dual(c, 0.0, self._tag))

    def __rmul__(self, other):
        c = _to_double(other)
        return NotImplemented if c is None else _dual_mul(_dual(c, 0.0, self._tag), self)

    def __truediv__(self, other):
        if type(other) is Dual:
            if other._tag != self._tag:
                return _nesting.arithmetic("/", self, other)
            return _dual_div(self, other)
        c = _to_double(other)
        return NotImplemented if c is None else _dual_div(self, _dual(c, 0.0, self._tag))

    def __rtruediv__(self, other):
        c = _to_double(other)
        return NotImplemented if c is None else _dual_div(_dual(c, 0.0, self._tag), self)

    def __pow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(other) is Dual:
            if other._tag != self._tag:
                return _nesting.arithmetic("**", self, other)
            return _dual_binary(self, other, _POW)
        p = _to_double(other)
        return NotImplemented if p is None else _dual_pow(self, p)

    def __rpow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        c = _to_double(other)
        return NotImplemented if c is None else _dual_binary(_dual(c, 0.0, self._tag), self, _POW)

    def __neg__(self):
        return _dual(-self._re, -self._du, self._tag)


class HyperDual(_Number):
    """HyperDual(real, e1=0.0, e2=0.0, e12=0.0)

    A hyper-dual number ``real + e1*eps1 + e2*eps2 + e12*eps1*eps2`` with
    ``eps1**2 == eps2**2 == 0``: evaluating ``f`` at ``HyperDual(x, 1, 1, 0)``
    gives ``f(x)``, ``f'(x)`` (in e1 and e2) and ``f''(x)`` (in e12), exactly.
    The methods named after NumPy's ufuncs (``x.sin()``, ``x.exp()``, ...)
    are what ``np.sin(x)`` calls; they equal ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> y = dd.HyperDual(2.0, 1.0, 1.0, 0.0) ** 4
    >>> y.real, y.e1, y.e12
    (16.0, 32.0, 48.0)
    """

    __slots__ = ("_re", "_e1", "_e2", "_e12", "_tag")

    def __init__(self, real, e1=0.0, e2=0.0, e12=0.0):
        self._re = _arg(real, "HyperDual", "a real number")
        self._e1 = _arg(e1, "HyperDual", "a real number")
        self._e2 = _arg(e2, "HyperDual", "a real number")
        self._e12 = _arg(e12, "HyperDual", "a real number")
        self._tag = 0   # not seeded by a second_derivative call

    @property
    def real(self):
        """The value part."""
        return self._re

    @property
    def e1(self):
        """The eps1 part (first derivative along the first direction)."""
        return self._e1

    @property
    def e2(self):
        """The eps2 part (first derivative along the second direction)."""
        return self._e2

    @property
    def e12(self):
        """The eps1*eps2 part (the second derivative)."""
        return self._e12

    def __repr__(self):
        return _common.format_repr("HyperDual", (self._re, self._e1, self._e2, self._e12))

    def __reduce__(self):
        return (HyperDual, (self._re, self._e1, self._e2, self._e12))

    _ORDER = 2

    def _chain(self, f):
        return _hyper_chain(self, f)

    _operand = staticmethod(_as_hyper)
    _binary_op = staticmethod(_hyper_binary)

    def _lift(self, other):
        if type(other) is HyperDual:
            return other
        c = _to_double(other)
        return None if c is None else _hyper(c, 0.0, 0.0, 0.0, None)

    def __add__(self, other):
        if type(other) is HyperDual:
            return _hyper(self._re + other._re, self._e1 + other._e1,
                          self._e2 + other._e2, self._e12 + other._e12, _hyper_tag(self, other))
        c = _to_double(other)
        return (_not_hyper(self, other) if c is None
                else _hyper(self._re + c, self._e1, self._e2, self._e12, self._tag))

    def __radd__(self, other):
        c = _to_double(other)
        return (_not_hyper(other, self) if c is None
                else _hyper(c + self._re, self._e1, self._e2, self._e12, self._tag))

    def __sub__(self, other):
        if type(other) is HyperDual:
            return _hyper(self._re - other._re, self._e1 - other._e1,
                          self._e2 - other._e2, self._e12 - other._e12, _hyper_tag(self, other))
        c = _to_double(other)
        return (_not_hyper(self, other) if c is None
                else _hyper(self._re - c, self._e1, self._e2, self._e12, self._tag))

    def __rsub__(self, other):
        c = _to_double(other)
        return (_not_hyper(other, self) if c is None
                else _hyper(c - self._re, -self._e1, -self._e2, -self._e12, self._tag))

    def __mul__(self, other):
        y = self._lift(other)
        return _not_hyper(self, other) if y is None else _hyper_mul(self, y)

    def __rmul__(self, other):
        y = self._lift(other)
        return _not_hyper(other, self) if y is None else _hyper_mul(y, self)

    def __truediv__(self, other):
        y = self._lift(other)
        return _not_hyper(self, other) if y is None else _hyper_div(self, y)

    def __rtruediv__(self, other):
        y = self._lift(other)
        return _not_hyper(other, self) if y is None else _hyper_div(y, self)

    def __pow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(other) is HyperDual:
            return _hyper_binary(self, other, _POW)
        p = _to_double(other)
        return _not_hyper(self, other) if p is None else _hyper_pow(self, p, self._tag)

    def __rpow__(self, other, mod=None):
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        y = self._lift(other)
        return _not_hyper(other, self) if y is None else _hyper_binary(y, self, _POW)

    def __neg__(self):
        return _hyper(-self._re, -self._e1, -self._e2, -self._e12, self._tag)


#: name -> public function, for every function of the spec: the registry
#: _functions.py fills when it is imported (dualdiff._pure imports it next).
FUNCTIONS = {}


# ---------------------------------------------------------------------------
# Nested derivative calls (dualdiff/_nested.py)
# ---------------------------------------------------------------------------

#: Tags of derivative calls; next() on a count is atomic under the GIL.
_TAGS = itertools.count(1)

_nesting = _nested.Nesting(SimpleNamespace(
    Dual=Dual, HyperDual=HyperDual,
    tagged_dual=lambda re, du, tag: _dual(float(re), float(du), tag),
    dual_tag=lambda d: d._tag,
    functions=FUNCTIONS))   # filled by _functions.py
NestedDual = _nesting.NestedDual


def _tag_of(x):
    """The tag of the derivative call that perturbs the dualdiff number x (None: not one)."""
    if type(x) in (Dual, HyperDual):
        return x._tag
    if isinstance(x, _Number):   # GradientDual, HessianDual; _DirectionalDual by its primal
        return getattr(x, "_p", x)._tag
    return None


TAGS = SimpleNamespace(
    new=lambda: next(_TAGS), of=_tag_of,
    dual=lambda re, du, tag: _dual(float(re), float(du), tag),
    hyper=lambda re, e1, e2, e12, tag: _hyper(float(re), float(e1), float(e2), float(e12), tag))

DualArray, HyperDualArray = _array_module.array_types(_arrays, Dual, HyperDual, __name__, TAGS)
_ARRAY_TYPES = (DualArray, HyperDualArray)
