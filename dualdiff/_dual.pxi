# Dual and HyperDual: storage, protocol, arithmetic.  Included by _core.pyx.

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
