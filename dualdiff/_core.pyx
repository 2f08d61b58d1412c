# cython: language_level=3, c_api_binop_methods=True
"""The compiled backend of dualdiff: Dual and HyperDual over the C core.

Every method is a thin wrapper: the rule table (src_c/dd_rules.h) gives the
Taylor coefficients, the chain rules and binary operations
(src_c/dd_types.h) combine them with a number's parts.  Checks on the hot
path are C-level type tests; allocation goes through a freelist.
"""

cimport cython
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_Check
from cpython.long cimport PyLong_AsDouble, PyLong_Check
from libc.math cimport atan2 as c_atan2, hypot as c_hypot, pow as c_pow
from libc.stdlib cimport free, malloc
from cpython.buffer cimport (PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_STRIDES, PyBUF_WRITABLE,
                             PyBuffer_Release, PyObject_GetBuffer)
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject

import numbers

from dualdiff import _common

cdef object _np_empty = _common.np.empty
cdef object _np_zeros = _common.np.zeros
cdef object _object_dtype = _common.np.dtype(object)

cdef object _Real = numbers.Real
cdef object _ArrayBase = ()   # dualdiff._array.ArrayBase, set below once _array is imported

#: Names of the unary rules in the C table, in table order.
RULE_NAMES = tuple(dd_rules[i].name.decode() for i in range(DD_N_RULES))

# ---------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------

cdef int _to_double(object o, double *out) except -1:
    """1 and out = float(o) if o is a real number (not a dualdiff number), else 0."""
    # Exact types first: PyFloat_Check on an int walks the type's MRO.
    if type(o) is float:
        out[0] = PyFloat_AS_DOUBLE(o)
        return 1
    if PyLong_Check(o):
        out[0] = PyLong_AsDouble(o)   # OverflowError beyond 1e308, as float(o)
        return 1
    if PyFloat_Check(o):              # float subclasses: np.float64, ...
        out[0] = PyFloat_AS_DOUBLE(o)
        return 1
    if isinstance(o, _Real) and not isinstance(o, (Dual, HyperDual)):
        out[0] = float(o)             # other NumPy scalars, Fraction, ...
        return 1
    return 0


cdef int _real_part(object o, double *out) except -1:
    """Like _to_double, but also takes the real part of a dualdiff number."""
    if isinstance(o, Dual):
        out[0] = (<Dual>o).v.re
        return 1
    if isinstance(o, HyperDual):
        out[0] = (<HyperDual>o).v.re
        return 1
    return _to_double(o, out)


cdef double _arg(object o, str func, str accepted) except? -1.0:
    cdef double a
    if not _to_double(o, &a):
        raise _common.operand_error(func, o, accepted)
    return a


cdef inline Dual _dual(dd_dual v, long tag):
    cdef Dual r = Dual.__new__(Dual)
    r.v = v
    r.tag = tag
    return r


cdef inline HyperDual _hyper(dd_hyper v, long tag):
    cdef HyperDual r = HyperDual.__new__(HyperDual)
    r.v = v
    r.tag = tag
    return r


cdef long _hyper_tag(object x, object y) except -1:
    """The second_derivative call of x op y, one of them a HyperDual: two
    HyperDuals of different calls (or one built by hand) must not meet."""
    if type(x) is HyperDual:
        if type(y) is HyperDual and (<HyperDual>y).tag != (<HyperDual>x).tag:
            raise _common.mixed_hyper_error()
        return (<HyperDual>x).tag
    return (<HyperDual>y).tag


cdef object _hyper_other(object x, object y):
    """NotImplemented for x op y, or the reason a Dual and a HyperDual cannot meet."""
    if type(x) is Dual or type(y) is Dual or type(x) is NestedDual or type(y) is NestedDual:
        raise _common.order_mix_error(x, y)
    return NotImplemented


cdef int _raise_math(int status, int rid, double a) except -1:
    raise _common.math_error(status, RULE_NAMES[rid], a)


cdef int _check_pow(double a, double p, double v) except -1:
    cdef int st = dd_pow_status(a, p, v)
    if st != DD_OK:
        raise _common.pow_error(st, a, p)
    return 0

# ---------------------------------------------------------------------------
# Unary functions, through the rule table
# ---------------------------------------------------------------------------

cdef double _float_unary(double a, int rid) except? -1.0:
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(a, f, 0)
    cdef int st = dd_value_status(a, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, a)
    return f[0]


cdef Dual _dual_unary(Dual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.v.re, f, 1)
    cdef int st = dd_value_status(x.v.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.v.re)
    return _dual(dd_dual_chain(x.v, f), x.tag)


cdef HyperDual _hyper_unary(HyperDual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.v.re, f, 2)
    cdef int st = dd_value_status(x.v.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.v.re)
    return _hyper(dd_hyper_chain(x.v, f), x.tag)


cdef inline object _unary(object x, int rid, str name):
    # The fast paths stay small enough to be inlined into each function.
    if type(x) is Dual:
        return _dual_unary(<Dual>x, rid)
    if type(x) is HyperDual:
        return _hyper_unary(<HyperDual>x, rid)
    if type(x) is float:
        return _float_unary(PyFloat_AS_DOUBLE(x), rid)
    return _unary_other(x, rid, name)


cdef object _unary_other(object x, int rid, str name):
    if type(x) is GradientDual:
        return _grad_unary(<GradientDual>x, rid)
    if type(x) is HessianDual:
        return _hess_unary(<HessianDual>x, rid)
    if PyFloat_Check(x) or PyLong_Check(x):
        return _float_unary(float(x), rid)
    if name in _VALUE_FNS:   # a C loop over a float array, not a call per element
        values = _float_array_values(x, name, 0.0)
        if values is not None:
            return values
    return _common.apply_other(x, name, _PUBLIC_UNARY[name])


cdef object _leaky(object x, double alpha):
    cdef double f[3]
    cdef double a
    if type(x) is Dual:
        dd_leaky_relu_rule((<Dual>x).v.re, alpha, f, 1)
        return _dual(dd_dual_chain((<Dual>x).v, f), (<Dual>x).tag)
    if type(x) is HyperDual:
        dd_leaky_relu_rule((<HyperDual>x).v.re, alpha, f, 2)
        return _hyper(dd_hyper_chain((<HyperDual>x).v, f), (<HyperDual>x).tag)
    if type(x) is GradientDual:
        dd_leaky_relu_rule((<GradientDual>x).re, alpha, f, 1)
        return _gscale(f[0], f[1], <GradientDual>x)
    if type(x) is HessianDual:
        dd_leaky_relu_rule((<HessianDual>x).re, alpha, f, 2)
        return _hchain(<HessianDual>x, f[0], f[1], f[2])
    if PyFloat_Check(x) or PyLong_Check(x):
        dd_leaky_relu_rule(float(x), alpha, f, 0)
        return f[0]
    values = _float_array_values(x, "leaky_relu", alpha)
    if values is not None:
        return values
    return _common.apply_other(x, "leaky_relu", leaky_relu, (alpha,))

# ---------------------------------------------------------------------------
# Binary functions: x ** p, arctan2, hypot
# ---------------------------------------------------------------------------

cdef enum:
    _POW = 0
    _ATAN2 = 1
    _HYPOT = 2

cdef tuple _BINARY_NAMES = ("power", "arctan2", "hypot")


cdef Dual _dual_pow(dd_dual x, double p, long tag):
    cdef dd_dual r = dd_dual_pow(x, p)
    _check_pow(x.re, p, r.re)
    return _dual(r, tag)


cdef HyperDual _hyper_pow(dd_hyper x, double p, long tag):
    cdef dd_hyper r = dd_hyper_pow(x, p)
    _check_pow(x.re, p, r.re)
    return _hyper(r, tag)


cdef Dual _dual_binary(dd_dual x, dd_dual y, int op, long tag):
    if op == _POW:
        if y.du == 0.0:   # constant exponent: the fast path, and negative bases work
            return _dual_pow(x, y.re, tag)
        _check_pow(x.re, y.re, c_pow(x.re, y.re))
        return _dual(dd_dual_pow2(x, y), tag)
    if op == _ATAN2:
        return _dual(dd_dual_atan2(x, y), tag)
    return _dual(dd_dual_hypot(x, y), tag)


cdef HyperDual _hyper_binary(dd_hyper x, dd_hyper y, int op, long tag):
    if op == _POW:
        if y.e1 == 0.0 and y.e2 == 0.0 and y.e12 == 0.0:
            return _hyper_pow(x, y.re, tag)
        _check_pow(x.re, y.re, c_pow(x.re, y.re))
        return _hyper(dd_hyper_pow2(x, y), tag)
    if op == _ATAN2:
        return _hyper(dd_hyper_atan2(x, y), tag)
    return _hyper(dd_hyper_hypot(x, y), tag)


cdef object _mixed_tags(str op, object x, object y):
    """x op y for Duals of two nested derivative calls (out of the hot path)."""
    return _nested.arithmetic(op, x, y)


cdef inline bint _tags_differ(object x, object y):
    """Two Duals of different derivative calls: a nested perturbation."""
    return type(x) is Dual and type(y) is Dual and (<Dual>x).tag != (<Dual>y).tag


cdef dd_dual _as_dual(object o, int op) except *:
    if type(o) is Dual:
        return (<Dual>o).v
    return dd_dual_make(_arg(o, _BINARY_NAMES[op], "a real number or a Dual"), 0.0)


cdef dd_hyper _as_hyper(object o, int op) except *:
    if type(o) is HyperDual:
        return (<HyperDual>o).v
    return dd_hyper_make(_arg(o, _BINARY_NAMES[op], "a real number or a HyperDual"), 0.0, 0.0, 0.0)


cdef object _binary(object x, object y, int op):
    cdef double a, b, v
    if isinstance(x, _ArrayBase) or isinstance(y, _ArrayBase):
        return _common.UFUNCS[_BINARY_NAMES[op]](x, y)   # the arrays' own __array_ufunc__
    if type(x) is NestedDual or type(y) is NestedDual or _tags_differ(x, y):
        return _nested.binary(_BINARY_NAMES[op], x, y)
    if isinstance(x, Dual) or isinstance(y, Dual):
        return _dual_binary(_as_dual(x, op), _as_dual(y, op), op,
                            (<Dual>x).tag if type(x) is Dual else (<Dual>y).tag)
    if isinstance(x, HyperDual) or isinstance(y, HyperDual):
        return _hyper_binary(_as_hyper(x, op), _as_hyper(y, op), op, _hyper_tag(x, y))
    if isinstance(x, GradientDual) or isinstance(y, GradientDual):
        return _grad_binary(_as_grad(x, op), _as_grad(y, op), op)
    if isinstance(x, HessianDual) or isinstance(y, HessianDual):
        return _hess_binary(_as_hess(x, op), _as_hess(y, op), op)
    if isinstance(x, _DirectionalDual) or isinstance(y, _DirectionalDual):
        return _dir_binary(_as_dir(x, op), _as_dir(y, op), op)
    if _common.is_array(x) or _common.is_array(y):
        return _common.apply_binary_arrays(_BINARY_NAMES[op], x, y)
    a = _arg(x, _BINARY_NAMES[op], "a real number, an ndarray or a dualdiff number")
    b = _arg(y, _BINARY_NAMES[op], "a real number, an ndarray or a dualdiff number")
    if op == _POW:
        v = c_pow(a, b)
        _check_pow(a, b, v)
        return v
    if op == _ATAN2:
        return c_atan2(a, b)
    return c_hypot(a, b)

# ---------------------------------------------------------------------------
# Dual
# ---------------------------------------------------------------------------

@cython.freelist(256)
@cython.final
cdef class Dual:
    """Dual(real, dual=0.0)
--

Dual(real, dual=0.0)

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


    def __init__(self, real, dual=0.0):
        self.v.re = _arg(real, "Dual", "a real number")
        self.v.du = _arg(dual, "Dual", "a real number")

    @property
    def real(self):
        """The value part."""
        return self.v.re

    @property
    def dual(self):
        """The derivative (tangent) part."""
        return self.v.du

    # -- protocol ---------------------------------------------------------

    def __repr__(self):
        return _common.format_repr("Dual", (self.v.re, self.v.du))

    def __reduce__(self):
        return (Dual, (self.v.re, self.v.du))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        cdef int rid = _UFUNC_RULES.get(ufunc, -1)
        if rid >= 0 and method == "__call__" and len(inputs) == 1 and not kwargs:
            return _dual_unary(self, rid)   # np.sin(x): the rule, without NumPy's object loop
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.v.re != 0.0

    def __eq__(self, other):
        cdef double o
        return self.v.re == o if _real_part(other, &o) else NotImplemented

    def __ne__(self, other):
        cdef double o
        return self.v.re != o if _real_part(other, &o) else NotImplemented

    def __lt__(self, other):
        cdef double o
        return self.v.re < o if _real_part(other, &o) else NotImplemented

    def __le__(self, other):
        cdef double o
        return self.v.re <= o if _real_part(other, &o) else NotImplemented

    def __gt__(self, other):
        cdef double o
        return self.v.re > o if _real_part(other, &o) else NotImplemented

    def __ge__(self, other):
        cdef double o
        return self.v.re >= o if _real_part(other, &o) else NotImplemented

    # -- arithmetic -------------------------------------------------------
    # One slot function per operator, called with the operands in the order
    # written (c_api_binop_methods): when x is not a Dual, y is.

    def __add__(x, y):
        cdef double c
        if type(x) is Dual:
            if type(y) is Dual:
                if (<Dual>x).tag != (<Dual>y).tag:
                    return _mixed_tags("+", x, y)
                return _dual(dd_dual_add((<Dual>x).v, (<Dual>y).v), (<Dual>x).tag)
            if _to_double(y, &c):
                return _dual(dd_dual_make((<Dual>x).v.re + c, (<Dual>x).v.du), (<Dual>x).tag)
        elif _to_double(x, &c):
            return _dual(dd_dual_make(c + (<Dual>y).v.re, (<Dual>y).v.du), (<Dual>y).tag)
        return NotImplemented

    def __sub__(x, y):
        cdef double c
        if type(x) is Dual:
            if type(y) is Dual:
                if (<Dual>x).tag != (<Dual>y).tag:
                    return _mixed_tags("-", x, y)
                return _dual(dd_dual_sub((<Dual>x).v, (<Dual>y).v), (<Dual>x).tag)
            if _to_double(y, &c):
                return _dual(dd_dual_make((<Dual>x).v.re - c, (<Dual>x).v.du), (<Dual>x).tag)
        elif _to_double(x, &c):
            return _dual(dd_dual_make(c - (<Dual>y).v.re, -(<Dual>y).v.du), (<Dual>y).tag)
        return NotImplemented

    def __mul__(x, y):
        cdef double c
        if type(x) is Dual:
            if type(y) is Dual:
                if (<Dual>x).tag != (<Dual>y).tag:
                    return _mixed_tags("*", x, y)
                return _dual(dd_dual_mul((<Dual>x).v, (<Dual>y).v), (<Dual>x).tag)
            if _to_double(y, &c):
                return _dual(dd_dual_mul((<Dual>x).v, dd_dual_make(c, 0.0)), (<Dual>x).tag)
        elif _to_double(x, &c):
            return _dual(dd_dual_mul(dd_dual_make(c, 0.0), (<Dual>y).v), (<Dual>y).tag)
        return NotImplemented

    def __truediv__(x, y):
        cdef dd_dual a, b
        cdef double c
        cdef long tag
        if type(x) is Dual:
            a = (<Dual>x).v
            tag = (<Dual>x).tag
            if type(y) is Dual:
                if (<Dual>y).tag != tag:
                    return _mixed_tags("/", x, y)
                b = (<Dual>y).v
            elif _to_double(y, &c):
                b = dd_dual_make(c, 0.0)
            else:
                return NotImplemented
        elif _to_double(x, &c):
            a = dd_dual_make(c, 0.0)
            b = (<Dual>y).v
            tag = (<Dual>y).tag
        else:
            return NotImplemented
        if b.re == 0.0:
            raise _common.zero_division()
        return _dual(dd_dual_div(a, b), tag)

    def __pow__(x, y, mod):
        cdef double c
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(x) is Dual:
            if type(y) is Dual:
                if (<Dual>x).tag != (<Dual>y).tag:
                    return _mixed_tags("**", x, y)
                return _dual_binary((<Dual>x).v, (<Dual>y).v, _POW, (<Dual>x).tag)
            if _to_double(y, &c):
                return _dual_pow((<Dual>x).v, c, (<Dual>x).tag)
        elif _to_double(x, &c):
            return _dual_binary(dd_dual_make(c, 0.0), (<Dual>y).v, _POW, (<Dual>y).tag)
        return NotImplemented

    def __neg__(self):
        return _dual(dd_dual_make(-self.v.re, -self.v.du), self.tag)

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return _dual_unary(self, DD_RULE_abs)

    def __floor__(self):
        return _dual_unary(self, DD_RULE_floor)

    def __ceil__(self):
        return _dual_unary(self, DD_RULE_ceil)

    # -- NumPy ufunc names ------------------------------------------------

    def exp(self): return _dual_unary(self, DD_RULE_exp)
    def exp2(self): return _dual_unary(self, DD_RULE_exp2)
    def expm1(self): return _dual_unary(self, DD_RULE_expm1)
    def log(self, base=None): return log(self, base)
    def log2(self): return _dual_unary(self, DD_RULE_log2)
    def log10(self): return _dual_unary(self, DD_RULE_log10)
    def log1p(self): return _dual_unary(self, DD_RULE_log1p)
    def sqrt(self): return _dual_unary(self, DD_RULE_sqrt)
    def cbrt(self): return _dual_unary(self, DD_RULE_cbrt)
    def sin(self): return _dual_unary(self, DD_RULE_sin)
    def cos(self): return _dual_unary(self, DD_RULE_cos)
    def tan(self): return _dual_unary(self, DD_RULE_tan)
    def arcsin(self): return _dual_unary(self, DD_RULE_arcsin)
    def arccos(self): return _dual_unary(self, DD_RULE_arccos)
    def arctan(self): return _dual_unary(self, DD_RULE_arctan)
    def sinh(self): return _dual_unary(self, DD_RULE_sinh)
    def cosh(self): return _dual_unary(self, DD_RULE_cosh)
    def tanh(self): return _dual_unary(self, DD_RULE_tanh)
    def arcsinh(self): return _dual_unary(self, DD_RULE_arcsinh)
    def arccosh(self): return _dual_unary(self, DD_RULE_arccosh)
    def arctanh(self): return _dual_unary(self, DD_RULE_arctanh)
    def erf(self): return _dual_unary(self, DD_RULE_erf)
    def erfc(self): return _dual_unary(self, DD_RULE_erfc)
    def sign(self): return _dual_unary(self, DD_RULE_sign)
    def floor(self): return _dual_unary(self, DD_RULE_floor)
    def ceil(self): return _dual_unary(self, DD_RULE_ceil)
    def sigmoid(self): return _dual_unary(self, DD_RULE_sigmoid)
    def relu(self): return _dual_unary(self, DD_RULE_relu)
    def softplus(self): return _dual_unary(self, DD_RULE_softplus)
    def leaky_relu(self, alpha=0.01): return leaky_relu(self, alpha)
    def gelu(self, approximate=False): return gelu(self, approximate)
    def arctan2(self, x): return _binary(self, x, _ATAN2)
    def hypot(self, y): return _binary(self, y, _HYPOT)

# ---------------------------------------------------------------------------
# HyperDual
# ---------------------------------------------------------------------------

@cython.freelist(256)
@cython.final
cdef class HyperDual:
    """HyperDual(real, e1=0.0, e2=0.0, e12=0.0)
--

HyperDual(real, e1=0.0, e2=0.0, e12=0.0)

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

    def __init__(self, real, e1=0.0, e2=0.0, e12=0.0):
        self.v.re = _arg(real, "HyperDual", "a real number")
        self.v.e1 = _arg(e1, "HyperDual", "a real number")
        self.v.e2 = _arg(e2, "HyperDual", "a real number")
        self.v.e12 = _arg(e12, "HyperDual", "a real number")

    @property
    def real(self):
        """The value part."""
        return self.v.re

    @property
    def e1(self):
        """The eps1 part (first derivative along the first direction)."""
        return self.v.e1

    @property
    def e2(self):
        """The eps2 part (first derivative along the second direction)."""
        return self.v.e2

    @property
    def e12(self):
        """The eps1*eps2 part (the second derivative)."""
        return self.v.e12

    # -- protocol ---------------------------------------------------------

    def __repr__(self):
        return _common.format_repr("HyperDual", (self.v.re, self.v.e1, self.v.e2, self.v.e12))

    def __reduce__(self):
        return (HyperDual, (self.v.re, self.v.e1, self.v.e2, self.v.e12))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        cdef int rid = _UFUNC_RULES.get(ufunc, -1)
        if rid >= 0 and method == "__call__" and len(inputs) == 1 and not kwargs:
            return _hyper_unary(self, rid)
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.v.re != 0.0

    def __eq__(self, other):
        cdef double o
        return self.v.re == o if _real_part(other, &o) else NotImplemented

    def __ne__(self, other):
        cdef double o
        return self.v.re != o if _real_part(other, &o) else NotImplemented

    def __lt__(self, other):
        cdef double o
        return self.v.re < o if _real_part(other, &o) else NotImplemented

    def __le__(self, other):
        cdef double o
        return self.v.re <= o if _real_part(other, &o) else NotImplemented

    def __gt__(self, other):
        cdef double o
        return self.v.re > o if _real_part(other, &o) else NotImplemented

    def __ge__(self, other):
        cdef double o
        return self.v.re >= o if _real_part(other, &o) else NotImplemented

    # -- arithmetic (as for Dual: when x is not a HyperDual, y is) ---------

    def __add__(x, y):
        cdef double c
        cdef dd_hyper h
        if type(x) is HyperDual:
            h = (<HyperDual>x).v
            if type(y) is HyperDual:
                return _hyper(dd_hyper_add(h, (<HyperDual>y).v), _hyper_tag(x, y))
            if _to_double(y, &c):
                return _hyper(dd_hyper_make(h.re + c, h.e1, h.e2, h.e12), (<HyperDual>x).tag)
        elif _to_double(x, &c):
            h = (<HyperDual>y).v
            return _hyper(dd_hyper_make(c + h.re, h.e1, h.e2, h.e12), (<HyperDual>y).tag)
        return _hyper_other(x, y)

    def __sub__(x, y):
        cdef double c
        cdef dd_hyper h
        if type(x) is HyperDual:
            h = (<HyperDual>x).v
            if type(y) is HyperDual:
                return _hyper(dd_hyper_sub(h, (<HyperDual>y).v), _hyper_tag(x, y))
            if _to_double(y, &c):
                return _hyper(dd_hyper_make(h.re - c, h.e1, h.e2, h.e12), (<HyperDual>x).tag)
        elif _to_double(x, &c):
            h = (<HyperDual>y).v
            return _hyper(dd_hyper_make(c - h.re, -h.e1, -h.e2, -h.e12), (<HyperDual>y).tag)
        return _hyper_other(x, y)

    def __mul__(x, y):
        cdef double c
        if type(x) is HyperDual:
            if type(y) is HyperDual:
                return _hyper(dd_hyper_mul((<HyperDual>x).v, (<HyperDual>y).v), _hyper_tag(x, y))
            if _to_double(y, &c):
                return _hyper(dd_hyper_mul((<HyperDual>x).v, dd_hyper_make(c, 0.0, 0.0, 0.0)),
                              (<HyperDual>x).tag)
        elif _to_double(x, &c):
            return _hyper(dd_hyper_mul(dd_hyper_make(c, 0.0, 0.0, 0.0), (<HyperDual>y).v),
                          (<HyperDual>y).tag)
        return _hyper_other(x, y)

    def __truediv__(x, y):
        cdef dd_hyper a, b
        cdef double c
        cdef long tag
        if type(x) is HyperDual:
            a = (<HyperDual>x).v
            if type(y) is HyperDual:
                b = (<HyperDual>y).v
            elif _to_double(y, &c):
                b = dd_hyper_make(c, 0.0, 0.0, 0.0)
            else:
                return _hyper_other(x, y)
        elif _to_double(x, &c):
            a = dd_hyper_make(c, 0.0, 0.0, 0.0)
            b = (<HyperDual>y).v
        else:
            return _hyper_other(x, y)
        tag = _hyper_tag(x, y)
        if b.re == 0.0:
            raise _common.zero_division()
        return _hyper(dd_hyper_div(a, b), tag)

    def __pow__(x, y, mod):
        cdef double c
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(x) is HyperDual:
            if type(y) is HyperDual:
                return _hyper_binary((<HyperDual>x).v, (<HyperDual>y).v, _POW, _hyper_tag(x, y))
            if _to_double(y, &c):
                return _hyper_pow((<HyperDual>x).v, c, (<HyperDual>x).tag)
        elif _to_double(x, &c):
            return _hyper_binary(dd_hyper_make(c, 0.0, 0.0, 0.0), (<HyperDual>y).v, _POW,
                                 (<HyperDual>y).tag)
        return _hyper_other(x, y)

    def __neg__(self):
        return _hyper(dd_hyper_make(-self.v.re, -self.v.e1, -self.v.e2, -self.v.e12), self.tag)

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return _hyper_unary(self, DD_RULE_abs)

    def __floor__(self):
        return _hyper_unary(self, DD_RULE_floor)

    def __ceil__(self):
        return _hyper_unary(self, DD_RULE_ceil)

    # -- NumPy ufunc names ------------------------------------------------

    def exp(self): return _hyper_unary(self, DD_RULE_exp)
    def exp2(self): return _hyper_unary(self, DD_RULE_exp2)
    def expm1(self): return _hyper_unary(self, DD_RULE_expm1)
    def log(self, base=None): return log(self, base)
    def log2(self): return _hyper_unary(self, DD_RULE_log2)
    def log10(self): return _hyper_unary(self, DD_RULE_log10)
    def log1p(self): return _hyper_unary(self, DD_RULE_log1p)
    def sqrt(self): return _hyper_unary(self, DD_RULE_sqrt)
    def cbrt(self): return _hyper_unary(self, DD_RULE_cbrt)
    def sin(self): return _hyper_unary(self, DD_RULE_sin)
    def cos(self): return _hyper_unary(self, DD_RULE_cos)
    def tan(self): return _hyper_unary(self, DD_RULE_tan)
    def arcsin(self): return _hyper_unary(self, DD_RULE_arcsin)
    def arccos(self): return _hyper_unary(self, DD_RULE_arccos)
    def arctan(self): return _hyper_unary(self, DD_RULE_arctan)
    def sinh(self): return _hyper_unary(self, DD_RULE_sinh)
    def cosh(self): return _hyper_unary(self, DD_RULE_cosh)
    def tanh(self): return _hyper_unary(self, DD_RULE_tanh)
    def arcsinh(self): return _hyper_unary(self, DD_RULE_arcsinh)
    def arccosh(self): return _hyper_unary(self, DD_RULE_arccosh)
    def arctanh(self): return _hyper_unary(self, DD_RULE_arctanh)
    def erf(self): return _hyper_unary(self, DD_RULE_erf)
    def erfc(self): return _hyper_unary(self, DD_RULE_erfc)
    def sign(self): return _hyper_unary(self, DD_RULE_sign)
    def floor(self): return _hyper_unary(self, DD_RULE_floor)
    def ceil(self): return _hyper_unary(self, DD_RULE_ceil)
    def sigmoid(self): return _hyper_unary(self, DD_RULE_sigmoid)
    def relu(self): return _hyper_unary(self, DD_RULE_relu)
    def softplus(self): return _hyper_unary(self, DD_RULE_softplus)
    def leaky_relu(self, alpha=0.01): return leaky_relu(self, alpha)
    def gelu(self, approximate=False): return gelu(self, approximate)
    def arctan2(self, x): return _binary(self, x, _ATAN2)
    def hypot(self, y): return _binary(self, y, _HYPOT)

# ---------------------------------------------------------------------------
# GradientDual
# ---------------------------------------------------------------------------

include "_gradient.pxi"
include "_hessian.pxi"
include "_directional.pxi"
include "_array.pxi"

# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def exp(x):
    """exp(x) -> e**x.  d/dx = exp(x).

    >>> import dualdiff as dd
    >>> dd.exp(dd.Dual(0.0, 1.0))
    Dual(1.0, 1.0)
    """
    return _unary(x, DD_RULE_exp, "exp")

def exp2(x):
    """exp2(x) -> 2**x.  d/dx = 2**x log(2).

    >>> import dualdiff as dd
    >>> dd.exp2(dd.Dual(0.0, 1.0))
    Dual(1.0, 0.6931471805599453)
    """
    return _unary(x, DD_RULE_exp2, "exp2")

def expm1(x):
    """expm1(x) -> e**x - 1, accurate near 0.  d/dx = exp(x).

    >>> import dualdiff as dd
    >>> dd.expm1(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_expm1, "expm1")

def log(x, base=None):
    """log(x, base=None) -> natural logarithm, or logarithm to `base`.  d/dx = 1/(x log(base)).

    >>> import dualdiff as dd
    >>> dd.log(dd.Dual(1.0, 1.0))
    Dual(0.0, 1.0)
    >>> dd.log(dd.Dual(8.0, 1.0), 2.0)
    Dual(3.0, 0.18033688011112042)
    """
    if base is None:
        return _unary(x, DD_RULE_log, "log")
    return _log_base(x, base)


cdef object _log_base(object x, object base):
    """log(x, base): the log-base rule, log(base) its parameter (as leaky_relu's
    alpha), for a number x and a real-number base, with math.log's errors;
    ndarrays follow NumPy (np.log(x) / np.log(base), nan or inf with its
    warning, never an error); a perturbed base divides by its own log."""
    cdef double f[3]
    cdef double b, a, lnb
    cdef int order
    if isinstance(x, _ArrayBase):
        return x.log(base)
    if type(x) is Dual or type(x) is HyperDual or type(x) is GradientDual \
            or type(x) is HessianDual:
        if _to_double(base, &b):
            if type(x) is Dual:
                a, order = (<Dual>x).v.re, 1
            elif type(x) is HyperDual:
                a, order = (<HyperDual>x).v.re, 2
            elif type(x) is GradientDual:
                a, order = (<GradientDual>x).re, 1
            else:
                a, order = (<HessianDual>x).re, 2
            _float_unary(a, DD_RULE_log)            # math.log's errors, x first
            lnb = _float_unary(b, DD_RULE_log)
            if lnb == 0.0:
                raise _common.zero_division()       # math.log(2, 1)
            dd_log_base_rule(a, lnb, f, order)
            if type(x) is Dual:
                return _dual(dd_dual_chain((<Dual>x).v, f), (<Dual>x).tag)
            if type(x) is HyperDual:
                return _hyper(dd_hyper_chain((<HyperDual>x).v, f), (<HyperDual>x).tag)
            if type(x) is GradientDual:
                return _gscale(f[0], f[1], <GradientDual>x)
            return _hchain(<HessianDual>x, f[0], f[1], f[2])
    elif isinstance(base, _common.np.ndarray) or (
            isinstance(x, _common.np.ndarray) and _to_double(base, &b)):
        if not (isinstance(x, _common.np.ndarray) and x.dtype == _object_dtype
                and not isinstance(base, _common.np.ndarray)):
            return _common.np.log(x) / _common.np.log(base)   # NumPy's semantics
        if b > 0.0 and b != 1.0:   # an object array of numbers: each by the rule
            return _common.np.frompyfunc(lambda e: log(e, base), 1, 1)(x)
    return _unary(x, DD_RULE_log, "log") / _unary(base, DD_RULE_log, "log")

def log2(x):
    """log2(x) -> base-2 logarithm.  d/dx = 1/(x log 2).

    >>> import dualdiff as dd
    >>> dd.log2(dd.Dual(8.0, 1.0))
    Dual(3.0, 0.18033688011112042)
    """
    return _unary(x, DD_RULE_log2, "log2")

def log10(x):
    """log10(x) -> base-10 logarithm.  d/dx = 1/(x log 10).

    >>> import dualdiff as dd
    >>> dd.log10(dd.Dual(100.0, 1.0))
    Dual(2.0, 0.0043429448190325185)
    """
    return _unary(x, DD_RULE_log10, "log10")

def log1p(x):
    """log1p(x) -> log(1 + x), accurate near 0.  d/dx = 1/(1 + x).

    >>> import dualdiff as dd
    >>> dd.log1p(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_log1p, "log1p")

def sqrt(x):
    """sqrt(x) -> square root.  d/dx = 1/(2 sqrt(x)), +inf at 0.

    >>> import dualdiff as dd
    >>> dd.sqrt(dd.Dual(4.0, 1.0))
    Dual(2.0, 0.25)
    >>> dd.derivative(dd.sqrt, 0.0)
    inf
    """
    return _unary(x, DD_RULE_sqrt, "sqrt")

def cbrt(x):
    """cbrt(x) -> real cube root.  d/dx = 1/(3 cbrt(x)**2).

    >>> import dualdiff as dd
    >>> dd.cbrt(dd.Dual(8.0, 1.0))
    Dual(2.0, 0.08333333333333333)
    >>> dd.cbrt(-8.0)
    -2.0
    """
    return _unary(x, DD_RULE_cbrt, "cbrt")

def sin(x):
    """sin(x) -> sine.  d/dx = cos(x).

    >>> import dualdiff as dd
    >>> dd.sin(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_sin, "sin")

def cos(x):
    """cos(x) -> cosine.  d/dx = -sin(x).

    >>> import dualdiff as dd
    >>> dd.cos(dd.Dual(0.0, 1.0))
    Dual(1.0, -0.0)
    """
    return _unary(x, DD_RULE_cos, "cos")

def tan(x):
    """tan(x) -> tangent.  d/dx = 1 + tan(x)**2.

    >>> import dualdiff as dd
    >>> dd.tan(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_tan, "tan")

def arcsin(x):
    """arcsin(x) -> inverse sine.  d/dx = 1/sqrt((1 - x)(1 + x)).

    >>> import dualdiff as dd
    >>> dd.arcsin(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_arcsin, "arcsin")

def arccos(x):
    """arccos(x) -> inverse cosine.  d/dx = -1/sqrt((1 - x)(1 + x)).

    >>> import dualdiff as dd
    >>> dd.arccos(dd.Dual(0.0, 1.0))
    Dual(1.5707963267948966, -1.0)
    """
    return _unary(x, DD_RULE_arccos, "arccos")

def arctan(x):
    """arctan(x) -> inverse tangent.  d/dx = 1/(1 + x**2).

    >>> import dualdiff as dd
    >>> dd.arctan(dd.Dual(1.0, 1.0))
    Dual(0.7853981633974483, 0.5)
    """
    return _unary(x, DD_RULE_arctan, "arctan")

def sinh(x):
    """sinh(x) -> hyperbolic sine.  d/dx = cosh(x).

    >>> import dualdiff as dd
    >>> dd.sinh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_sinh, "sinh")

def cosh(x):
    """cosh(x) -> hyperbolic cosine.  d/dx = sinh(x).

    >>> import dualdiff as dd
    >>> dd.cosh(dd.Dual(0.0, 1.0))
    Dual(1.0, 0.0)
    """
    return _unary(x, DD_RULE_cosh, "cosh")

def tanh(x):
    """tanh(x) -> hyperbolic tangent.  d/dx = sech(x)**2, exact in the tails.

    >>> import dualdiff as dd
    >>> dd.tanh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_tanh, "tanh")

def arcsinh(x):
    """arcsinh(x) -> inverse hyperbolic sine.  d/dx = 1/sqrt(1 + x**2).

    >>> import dualdiff as dd
    >>> dd.arcsinh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_arcsinh, "arcsinh")

def arccosh(x):
    """arccosh(x) -> inverse hyperbolic cosine.  d/dx = 1/sqrt((x - 1)(x + 1)).

    >>> import dualdiff as dd
    >>> y = dd.arccosh(dd.Dual(2.0, 1.0))
    >>> round(y.real, 12), round(y.dual, 12)
    (1.316957896925, 0.57735026919)
    """
    return _unary(x, DD_RULE_arccosh, "arccosh")

def arctanh(x):
    """arctanh(x) -> inverse hyperbolic tangent.  d/dx = 1/((1 - x)(1 + x)).

    >>> import dualdiff as dd
    >>> dd.arctanh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """
    return _unary(x, DD_RULE_arctanh, "arctanh")

def erf(x):
    """erf(x) -> error function.  d/dx = 2/sqrt(pi) exp(-x**2).

    >>> import dualdiff as dd
    >>> dd.erf(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.1283791670955126)
    """
    return _unary(x, DD_RULE_erf, "erf")

def erfc(x):
    """erfc(x) -> complementary error function.  d/dx = -2/sqrt(pi) exp(-x**2).

    >>> import dualdiff as dd
    >>> dd.erfc(dd.Dual(0.0, 1.0))
    Dual(1.0, -1.1283791670955126)
    """
    return _unary(x, DD_RULE_erfc, "erfc")

def abs(x):
    """abs(x) -> |x|.  d/dx = sign(x), 0 at 0.

    >>> import dualdiff as dd
    >>> dd.abs(dd.Dual(-2.0, 1.0))
    Dual(2.0, -1.0)
    >>> dd.derivative(dd.abs, 0.0)
    0.0
    """
    return _unary(x, DD_RULE_abs, "abs")

def sign(x):
    """sign(x) -> -1.0, 0.0 or 1.0.  d/dx = 0.

    >>> import dualdiff as dd
    >>> dd.sign(dd.Dual(-2.0, 1.0))
    Dual(-1.0, 0.0)
    """
    return _unary(x, DD_RULE_sign, "sign")

def floor(x):
    """floor(x) -> largest integer <= x, as a float.  d/dx = 0.

    >>> import dualdiff as dd
    >>> dd.floor(dd.Dual(2.5, 1.0))
    Dual(2.0, 0.0)
    """
    return _unary(x, DD_RULE_floor, "floor")

def ceil(x):
    """ceil(x) -> smallest integer >= x, as a float.  d/dx = 0.

    >>> import dualdiff as dd
    >>> dd.ceil(dd.Dual(2.5, 1.0))
    Dual(3.0, 0.0)
    """
    return _unary(x, DD_RULE_ceil, "ceil")

def sigmoid(x):
    """sigmoid(x) -> 1/(1 + exp(-x)).  d/dx = sigmoid(x) sigmoid(-x).

    >>> import dualdiff as dd
    >>> dd.sigmoid(dd.Dual(0.0, 1.0))
    Dual(0.5, 0.25)
    """
    return _unary(x, DD_RULE_sigmoid, "sigmoid")

def relu(x):
    """relu(x) -> max(x, 0).  d/dx = 1 for x > 0, else 0.

    >>> import dualdiff as dd
    >>> dd.relu(dd.Dual(3.0, 1.0))
    Dual(3.0, 1.0)
    >>> dd.derivative(dd.relu, 0.0)
    0.0
    """
    return _unary(x, DD_RULE_relu, "relu")

def softplus(x):
    """softplus(x) -> log(1 + exp(x)), without overflow.  d/dx = sigmoid(x).

    >>> import dualdiff as dd
    >>> dd.softplus(dd.Dual(0.0, 1.0))
    Dual(0.6931471805599453, 0.5)
    """
    return _unary(x, DD_RULE_softplus, "softplus")

def leaky_relu(x, alpha=0.01):
    """leaky_relu(x, alpha=0.01) -> x for x > 0, else alpha*x.  d/dx = 1 or alpha (alpha at 0).

    >>> import dualdiff as dd
    >>> dd.leaky_relu(dd.Dual(-2.0, 1.0))
    Dual(-0.02, 0.01)
    >>> dd.derivative(dd.leaky_relu, 0.0)
    0.01
    """
    return _leaky(x, _arg(alpha, "leaky_relu", "a real number"))

def gelu(x, approximate=False):
    """gelu(x, approximate=False) -> x Phi(x); with approximate=True the tanh form.

    approximate takes True or False (NumPy's bools too), or PyTorch's names
    "tanh" and "none"; anything else is an error.

    >>> import dualdiff as dd
    >>> dd.gelu(dd.Dual(0.0, 1.0))
    Dual(0.0, 0.5)
    >>> dd.gelu(dd.Dual(0.0, 1.0), approximate=True)
    Dual(0.0, 0.5)
    """
    cdef bint tanh = approximate is True or (approximate is not False
                                             and _common.gelu_form(approximate))
    if (type(x) is Dual or type(x) is HyperDual or type(x) is GradientDual
            or type(x) is HessianDual or PyFloat_Check(x) or PyLong_Check(x)):
        return _unary(x, DD_RULE_gelu_tanh if tanh else DD_RULE_gelu, "gelu")
    values = _float_array_values(x, "gelu_tanh" if tanh else "gelu", 0.0)
    if values is not None:
        return values
    return _common.apply_other(x, "gelu", gelu, (tanh,))

def power(x, p):
    """power(x, p) -> x**p; a negative x needs an integer p (ValueError otherwise).

    >>> import dualdiff as dd
    >>> dd.power(dd.Dual(-2.0, 1.0), 3)
    Dual(-8.0, 12.0)
    """
    return _binary(x, p, _POW)

def arctan2(y, x):
    """arctan2(y, x) -> angle of the point (x, y).  Partials x/r**2 and -y/r**2.

    >>> import dualdiff as dd
    >>> dd.arctan2(dd.Dual(0.0, 1.0), 1.0)
    Dual(0.0, 1.0)
    """
    return _binary(y, x, _ATAN2)

def hypot(x, y):
    """hypot(x, y) -> sqrt(x**2 + y**2) without overflow.  Partials x/r and y/r.

    >>> import dualdiff as dd
    >>> dd.hypot(dd.Dual(3.0, 1.0), 4.0)
    Dual(5.0, 0.6)
    """
    return _binary(x, y, _HYPOT)


cdef dict _PUBLIC_UNARY = {
    "exp": exp, "exp2": exp2, "expm1": expm1, "log": log, "log2": log2,
    "log10": log10, "log1p": log1p, "sqrt": sqrt, "cbrt": cbrt, "sin": sin,
    "cos": cos, "tan": tan, "arcsin": arcsin, "arccos": arccos, "arctan": arctan,
    "sinh": sinh, "cosh": cosh, "tanh": tanh, "arcsinh": arcsinh,
    "arccosh": arccosh, "arctanh": arctanh, "erf": erf, "erfc": erfc,
    "abs": abs, "sign": sign, "floor": floor, "ceil": ceil, "sigmoid": sigmoid,
    "relu": relu, "softplus": softplus,
}

# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------

cdef object _float_sequence(list items, double **buf):
    """Copy items into a malloc'ed double buffer if they are all real numbers."""
    cdef Py_ssize_t i, n = len(items)
    cdef double *b = <double *>malloc((n if n > 0 else 1) * sizeof(double))
    if b == NULL:
        raise MemoryError()
    for i in range(n):
        if isinstance(items[i], (Dual, HyperDual)) or not _to_double(items[i], &b[i]):
            free(b)
            return False
    buf[0] = b
    return True


def logsumexp(xs, axis=None):
    """logsumexp(xs, axis=None) -> log(sum(exp(x) for x in xs)), without overflow.  Gradient: softmax(xs).

    An ndarray or a DualArray is reduced along `axis` (all of it by default).

    >>> import dualdiff as dd
    >>> round(dd.logsumexp([1.0, 2.0, 3.0]), 12)
    3.407605964444
    """
    cdef double *buf
    cdef double r
    if _common.array_of_duals(xs):
        return xs.logsumexp(axis)
    if _common.is_array(xs) and xs.dtype != object:
        return _common.array_logsumexp(xs, axis)
    if axis is not None:
        raise _common.axis_error("logsumexp")
    items = _common.sequence(xs, "logsumexp")
    if not items:
        raise ValueError("logsumexp() arg is an empty sequence")
    if _float_sequence(items, &buf):
        r = dd_logsumexp(buf, len(items))
        free(buf)
        return r
    _common.check_items(items, "logsumexp", (Dual, HyperDual, GradientDual, HessianDual,
                                            _DirectionalDual))
    return _common.compose_logsumexp(items, exp, log)


def softmax(xs, axis=None):
    """softmax(xs, axis=None) -> exp(x_i) / sum_j exp(x_j).  Jacobian p_i (delta_ij - p_j).

    An ndarray or a DualArray is normalised along `axis` (all of it by default).

    >>> import dualdiff as dd
    >>> [round(p, 6) for p in dd.softmax([0.0, 0.0, 0.0, 0.0])]
    [0.25, 0.25, 0.25, 0.25]
    """
    cdef double *buf
    cdef Py_ssize_t i, n
    if _common.array_of_duals(xs):
        return xs.softmax(axis)
    if _common.is_array(xs) and xs.dtype != object:
        return _common.array_softmax(xs, axis)
    if axis is not None:
        raise _common.axis_error("softmax")
    items = _common.sequence(xs, "softmax")
    n = len(items)
    if _float_sequence(items, &buf):
        dd_softmax(buf, n, buf)
        out = [buf[i] for i in range(n)]
        free(buf)
        return _common.np.array(out) if _common.is_array(xs) else out   # an object array of floats
    _common.check_items(items, "softmax", (Dual, HyperDual, GradientDual, HessianDual,
                                          _DirectionalDual))
    out = _common.compose_softmax(items, exp)
    return _common.object_array(out) if _common.is_array(xs) else out

# ---------------------------------------------------------------------------
# Derivatives at a point
# ---------------------------------------------------------------------------

cdef int _point(object x, double *a, str op) except -1:
    """1 and a = x for a real number; 0 for an ndarray; TypeError otherwise."""
    if isinstance(x, (Dual, HyperDual)) or isinstance(x, (str, bytes)):
        raise _common.point_error(op, x)
    if _to_double(x, a):
        return 1
    if isinstance(x, _common.np.ndarray):
        return 0
    raise _common.point_error(op, x)


cdef int _real_result(object y, str op) except -1:
    """Check that a function result without a perturbation is a plain number."""
    cdef double c
    if isinstance(y, (Dual, HyperDual)) or not _to_double(y, &c):
        raise _common.result_error(op, y)
    return 0


cdef long _last_tag = 0


cdef inline long _new_tag():
    """A tag for the perturbation of one derivative call (the GIL orders them)."""
    global _last_tag
    _last_tag += 1
    return _last_tag


def derivative(f, x=..., *, args=()):
    """derivative(f, x, *, args=()) -> f'(x), exactly, by one evaluation of f at a Dual.

    Without x, returns the function x -> f'(x).  An ndarray x is taken
    elementwise (f must then act elementwise: a ValueError says which
    operation of f mixed the elements).  ``args`` are passed on to f, as
    f(x, *args), as scipy does.

    >>> import dualdiff as dd
    >>> dd.derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    19.0
    >>> fprime = dd.derivative(dd.sin)
    >>> fprime(0.0)
    1.0
    """
    cdef double a
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nested.derivative(f, x, _new_tag())
    elif not _point(x, &a, "derivative"):
        return _array_module.elementwise_derivative(derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_dual(dd_dual_make(a, 1.0), tag))
    if type(y) is Dual:   # of another tag: y does not depend on this call's variable
        return (<Dual>y).v.du if (<Dual>y).tag == tag else 0.0
    if type(y) is NestedDual:
        return _nested.tangent(y, tag, "derivative")
    _real_result(y, "derivative")
    return 0.0


def second_derivative(f, x=..., *, args=()):
    """second_derivative(f, x, *, args=()) -> f''(x), exactly, by one evaluation of f at a HyperDual.

    Without x, returns the function x -> f''(x).  An ndarray x is taken
    elementwise.  ``args`` are passed on to f, as f(x, *args).

    >>> import dualdiff as dd
    >>> dd.second_derivative(lambda x: x**4, 2.0)
    48.0
    """
    cdef double a
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(second_derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "second_derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside a derivative call
        raise _common.order_mix_error(x, HyperDual(0.0))
    elif not _point(x, &a, "second_derivative"):
        return _array_module.elementwise_derivative(second_derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_hyper(dd_hyper_make(a, 1.0, 1.0, 0.0), tag))
    if type(y) is HyperDual:   # of another call (or built by hand): a constant here
        return (<HyperDual>y).v.e12 if (<HyperDual>y).tag == tag else 0.0
    _real_result(y, "second_derivative")
    return 0.0


def value_and_derivative(f, x=..., *, args=()):
    """value_and_derivative(f, x, *, args=()) -> (f(x), f'(x)) from one evaluation of f.

    Without x, returns the function x -> (f(x), f'(x)).  An ndarray x is
    taken elementwise (two ndarrays).  ``args`` are passed on to f, as
    f(x, *args).

    >>> import dualdiff as dd
    >>> dd.value_and_derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    (15.0, 19.0)
    """
    cdef double a, c
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(value_and_derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "value_and_derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nested.value_and_derivative(f, x, _new_tag())
    elif not _point(x, &a, "value_and_derivative"):
        return _array_module.elementwise_derivative(value_and_derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_dual(dd_dual_make(a, 1.0), tag))
    if type(y) is Dual:
        if (<Dual>y).tag == tag:
            return ((<Dual>y).v.re, (<Dual>y).v.du)
        return (y, 0.0)   # depends on an outer call's variable only
    if type(y) is NestedDual:
        return (_nested.value(y, tag), _nested.tangent(y, tag, "value_and_derivative"))
    _real_result(y, "value_and_derivative")
    _to_double(y, &c)
    return (c, 0.0)

# ---------------------------------------------------------------------------
# Functions of several variables
# ---------------------------------------------------------------------------

cdef object _seed_vector(object x, long tag, bint second):
    """An object ndarray of GradientDual (HessianDual if `second`) seeds
    x[i] + 1.0 * e_i of the call `tag`, for a 1-D float64 ndarray x of any
    strides.  Raw buffers rather than typed memoryviews: at n = 10 the
    memoryview set-up cost as much as the seeds."""
    cdef Py_buffer xb
    cdef Py_buffer ob
    cdef Py_ssize_t i, n
    cdef PyObject **slot
    cdef object seed
    cdef double xi
    PyObject_GetBuffer(x, &xb, PyBUF_STRIDES | PyBUF_FORMAT)
    try:
        if xb.ndim != 1 or xb.format is NULL or xb.format[0] != b'd' or xb.format[1] != 0:
            raise TypeError("the point must be a 1-D float64 ndarray")
        n = _hcount(xb.shape[0])   # the variables' indices are C ints
        out = _np_empty(n, _object_dtype)
        PyObject_GetBuffer(out, &ob, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)
        try:
            slot = <PyObject **>ob.buf
            for i in range(n):
                xi = (<double *>((<char *>xb.buf) + i * xb.strides[0]))[0]
                if second:
                    seed = _hessian_seed(xi, i, tag)
                else:
                    seed = _gradient_seed(xi, i, tag)
                Py_INCREF(seed)
                Py_XDECREF(slot[i])   # the None np.empty put there
                slot[i] = <PyObject *>seed
        finally:
            PyBuffer_Release(&ob)
    finally:
        PyBuffer_Release(&xb)
    return out


cdef inline GradientDual _gradient_seed(double re, Py_ssize_t i, long tag):
    cdef GradientDual g = _gnew(re, 1)
    g.idx[0] = <int>i
    g.val[0] = 1.0
    g.n = 1
    g.tag = tag
    return g


def _gradient_seeds(x, long tag):
    """_gradient_seeds(x, tag) -> object ndarray of GradientDual(x[i], {i: 1.0}) of the call `tag`."""
    return _seed_vector(x, tag, False)


def _hessian_seeds(x, long tag):
    """_hessian_seeds(x, tag) -> object ndarray of HessianDual(x[i], {i: 1.0}) of the call `tag`."""
    return _seed_vector(x, tag, True)


from types import SimpleNamespace as _SimpleNamespace

from dualdiff import _multi
from dualdiff import arrays as _array_module

_ArrayBase = _array_module.ArrayBase
#: NumPy's ufuncs that are a rule of the table, by rule index (for __array_ufunc__).
cdef dict _UFUNC_RULES = {ufunc: RULE_NAMES.index(name)
                          for ufunc, name in _array_module.UNARY_UFUNCS.items()}

def _tagged_dual(re, du, long tag):
    """Dual(re, du) as a perturbation of the derivative call with this tag."""
    return _dual(dd_dual_make(re, du), tag)


def _tagged_hyper(re, e1, e2, e12, long tag):
    """HyperDual(re, e1, e2, e12) of the second_derivative call with this tag."""
    return _hyper(dd_hyper_make(re, e1, e2, e12), tag)


def _dual_tag(Dual x):
    return x.tag


def _tag_of(x):
    """The tag of the derivative call that perturbs the dualdiff number x (None: not one)."""
    if type(x) is Dual:
        return (<Dual>x).tag
    if type(x) is HyperDual:
        return (<HyperDual>x).tag
    if type(x) is GradientDual:
        return (<GradientDual>x).tag
    if type(x) is HessianDual:
        return (<HessianDual>x).tag
    if type(x) is _DirectionalDual:
        return (<_DirectionalDual>x).p.tag
    return None


def _fresh_tag():
    """A tag for a new derivative call."""
    return _new_tag()


_tags = _SimpleNamespace(new=_fresh_tag, of=_tag_of, dual=_tagged_dual, hyper=_tagged_hyper)

DualArray, HyperDualArray = _array_module.array_types(
    _SimpleNamespace(chain_into=_array_chain_into, binary=_array_binary,
                     aux=_array_aux, aux_arg=_array_aux_arg, partials=_array_partials,
                     libm_values=_libm_values()), Dual, HyperDual,
    "dualdiff._core", _tags)
_ARRAY_TYPES = (DualArray, HyperDualArray)


from dualdiff import _nested as _nested_module

_nested = _nested_module.Nesting(_SimpleNamespace(
    Dual=Dual, HyperDual=HyperDual, tagged_dual=_tagged_dual, dual_tag=_dual_tag,
    functions={name: globals()[name] for name in _nested_module.FUNCTIONS}))
NestedDual = _nested.NestedDual
_common.register_number_types(Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual,
                              NestedDual)

_operators = _multi.operators(_SimpleNamespace(
    GradientDual=GradientDual, HessianDual=HessianDual, Dual=Dual, DualArray=DualArray,
    derivative=derivative, NestedDual=NestedDual, module=__name__, tags=_tags,
    nesting=_nested, gradient_seeds=_gradient_seeds, hessian_seeds=_hessian_seeds,
    DirectionalDual=_DirectionalDual, hvp_seeds=_hvp_seeds))
value_and_gradient = _operators["value_and_gradient"]
jacobian = _operators["jacobian"]
value_and_jacobian = _operators["value_and_jacobian"]
jvp = _operators["jvp"]
hvp = _operators["hvp"]
_gradient_generic = _operators["gradient"]
_hessian_generic = _operators["hessian"]
_gradient_result = _operators["gradient_result"]
_hessian_result = _operators["hessian_result"]
_bind = _operators["bind"]
_ndarray = _common.np.ndarray


cdef inline bint _plain_vector(object x):
    """x is a 1-D float64 ndarray: the case the compiled fast paths take."""
    return type(x) is _ndarray and x.dtype is _float64 and x.ndim == 1


def gradient(f, x=..., *, vectorized=False, args=()):
    """gradient(f, x, *, vectorized=False, args=()) -> the gradient of f at x, a float64 ndarray of x's shape.

    One evaluation of f at GradientDual numbers (with vectorized=True, at
    one DualArray of n tangent directions: faster for f written with dense
    array operations, such as matrix products or logsumexp).  ``args``
    are passed on to f, as f(x, *args).  Without x, returns the function
    x -> gradient(f, x), e.g. as scipy.optimize's ``jac`` (called as
    g(x, *args), it passes the extra arguments on); with
    vectorized="auto" (only without x), that function times both ways at
    its first call at each size n and keeps the faster.

    >>> import dualdiff as dd
    >>> dd.gradient(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0])
    array([8., 5.])
    """
    if x is ...:   # no point: the gradient function, calling this fast path
        return _bind(gradient, f, vectorized, args)
    if vectorized is not False or not callable(f) or not _plain_vector(x) or args is not ():
        return _gradient_generic(f, x, vectorized=vectorized, args=args)   # checks, messages
    cdef long tag = _new_tag()
    try:
        y = f(_gradient_seeds(x, tag))
        if type(y) is GradientDual and (<GradientDual>y).tag == tag:
            return _dense_gradient((<GradientDual>y).idx, (<GradientDual>y).val,
                                   (<GradientDual>y).n, x.shape[0])
        return _gradient_result(y, x.shape[0], tag)
    except _common.NestedCallError:      # inside a derivative call: the generic path
        return _gradient_generic(f, x)


def hessian(f, x=..., *, vectorized=False, args=()):
    """hessian(f, x, *, vectorized=False, args=()) -> the Hessian of f at x, an exactly symmetric (n, n) ndarray.

    One evaluation of f at HessianDual numbers; each operation costs time
    proportional to the partials its operands carry.  With vectorized=True,
    one evaluation of a NumPy-vectorised f at one array carrying n first
    and n * n second partials (memory (n + n^2) times the values': for
    dense functions of up to ~100 variables).  Without x, returns the
    function x -> hessian(f, x), e.g. as scipy.optimize's ``hess``
    (vectorized="auto": as for gradient()).  ``args`` are passed on to
    f, as f(x, *args).  An x of shape s gives a Hessian of shape s + s.

    >>> import dualdiff as dd
    >>> dd.hessian(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0])
    array([[4., 6.],
           [6., 2.]])
    """
    if x is ...:   # no point: the Hessian function, calling this fast path
        return _bind(hessian, f, vectorized, args)
    if vectorized is not False or not callable(f) or not _plain_vector(x) or args is not ():
        return _hessian_generic(f, x, vectorized=vectorized, args=args)
    cdef long tag = _new_tag()
    return _hessian_result(f(_hessian_seeds(x, tag)), x.shape[0], tag)
