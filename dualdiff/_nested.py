"""Nested derivative calls, without perturbation confusion.

Each derivative call seeds its Dual with a fresh tag.  While calls are
nested, Duals of two calls can meet (the inner function closes over the
outer call's variable); they must not be added up as one perturbation
(Siskind & Pearlmutter 2005), so such an operation is done on a
NestedDual: a HyperDual whose eps1 part is the outer call's perturbation and
whose eps2 part is the inner call's.  The inner call then reads its
derivative off eps2, as a Dual of the outer call.  All the calculus is the
backend's HyperDual arithmetic and rule table: nothing is derived here.

Only nesting pays for this: Duals of one call keep their fast path, which
compares two tags.  Two levels are supported (a derivative call inside
another); a third perturbation meeting the two raises TypeError.
"""

import numbers
import operator

from dualdiff import _common, _spec

#: The functions a NestedDual carries as methods: every function of a number.
FUNCTIONS = tuple(f.name for f in _spec.FUNCTIONS if f.group != "sequence")

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul,
               "/": operator.truediv, "**": operator.pow}

_TOO_DEEP = ("derivative calls nested more than two deep meet here: dualdiff "
             "supports a derivative call inside another one, not three levels")


class NestedDualBase:
    """A number perturbed by two nested derivative calls at once.

    ``h`` is a HyperDual: its e1 part belongs to the call tagged ``outer``,
    its e2 part to the call tagged ``inner``.  Made by dualdiff where nested
    calls meet; not meant to be built by hand.  Each backend's ``Nesting``
    makes the subclass ``NestedDual`` that knows that backend (``_nesting``).
    """

    __slots__ = ("h", "outer", "inner")
    _nesting = None

    def __init__(self, h, outer, inner):
        self.h, self.outer, self.inner = h, outer, inner

    def _part(self, o):
        """o as a HyperDual in this number's two perturbations (None: not a number)."""
        if type(o) is type(self):
            if (o.outer, o.inner) != (self.outer, self.inner):
                raise TypeError(_TOO_DEEP)
            return o.h
        if type(o) is self._nesting._Dual:
            return self._nesting._lift(o, self.outer, self.inner)
        if isinstance(o, numbers.Real) and not isinstance(o, bool):
            return float(o)
        return None

    def _wrap(self, h):
        return type(self)(h, self.outer, self.inner) if type(h) is self._nesting._HyperDual else h

    @property
    def real(self):
        """The value part."""
        return self.h.real

    def __repr__(self):
        return f"NestedDual({self.h!r}, outer={self.outer}, inner={self.inner})"

    def __float__(self):
        raise TypeError(
            "float() of a NestedDual would drop its derivative parts; use .real "
            "for the value, and dualdiff's functions instead of the math module's")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.h.real != 0.0

    def __neg__(self):
        return self._wrap(-self.h)

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return self._wrap(self._nesting._fns["abs"](self.h))


def _binop(fn):
    def forward(self, other):
        o = self._part(other)
        return NotImplemented if o is None else self._wrap(fn(self.h, o))

    def reflected(self, other):
        o = self._part(other)
        return NotImplemented if o is None else self._wrap(fn(o, self.h))
    return forward, reflected


def _comparison(fn):
    def compare(self, other):
        o = self._part(other)
        return NotImplemented if o is None else fn(self.h.real, getattr(o, "real", o))
    return compare


def _method(name):
    def apply(self, *args):
        if name in ("arctan2", "hypot", "power"):
            o = self._part(args[0])
            if o is None:
                raise TypeError(f"{name}() argument must be a real number or a "
                                f"dualdiff number, not {type(args[0]).__name__!r}")
            args = (o,) + args[1:]
        return self._wrap(self._nesting._fns[name](self.h, *args))
    apply.__name__ = name
    return apply


for _name, _fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("pow", operator.pow)):
    _forward, _reflected = _binop(_fn)
    setattr(NestedDualBase, f"__{_name}__", _forward)
    setattr(NestedDualBase, f"__r{_name}__", _reflected)
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(NestedDualBase, f"__{_name}__", _comparison(getattr(operator, _name)))
for _name in FUNCTIONS:
    setattr(NestedDualBase, _name, _method(_name))
del _name, _fn, _forward, _reflected


class Nesting:
    """The nesting machinery over one backend's Dual, HyperDual and functions."""

    def __init__(self, backend):
        self._Dual, self._HyperDual = backend.Dual, backend.HyperDual
        self._tagged_dual, self._dual_tag = backend.tagged_dual, backend.dual_tag
        self._fns = backend.functions
        # The backend's own class: `type(x) is NestedDual` tells its numbers
        # from another backend's.
        self.NestedDual = type("NestedDual", (NestedDualBase,),
                               {"__slots__": (), "_nesting": self, "__module__": __name__,
                                "__doc__": NestedDualBase.__doc__})

    # -- meeting of two calls' numbers -------------------------------------

    def _lift(self, d, outer, inner):
        """A Dual as a HyperDual in the perturbations (outer, inner)."""
        tag = self._dual_tag(d)
        if tag == outer:
            return self._HyperDual(d.real, d.dual, 0.0, 0.0)
        if tag == inner:
            return self._HyperDual(d.real, 0.0, d.dual, 0.0)
        raise TypeError(_TOO_DEEP)

    def _promote(self, x, y):
        """x and y (one or both Duals of different calls) as NestedDuals."""
        NestedDual = self.NestedDual
        for z in (x, y):
            if type(z) is NestedDual:
                outer, inner = z.outer, z.inner
                break
        else:
            tags = {self._dual_tag(z) for z in (x, y) if type(z) is self._Dual}
            outer, inner = min(tags), max(tags)
        return tuple(NestedDual(self._lift(z, outer, inner), outer, inner)
                     if type(z) is self._Dual else z for z in (x, y))

    def arithmetic(self, op, x, y):
        """x op y for two Duals of different derivative calls."""
        a, b = self._promote(x, y)
        return _ARITHMETIC[op](a, b)

    def binary(self, name, x, y):
        """arctan2, hypot or power where a NestedDual or two calls' Duals meet."""
        a, b = self._promote(x, y)
        if type(a) is self.NestedDual:
            return getattr(a, name)(b)
        o = b._part(a)
        if o is None:
            raise TypeError(f"{name}() argument must be a real number or a dualdiff "
                            f"number, not {type(a).__name__!r}")
        return b._wrap(self._fns[name](o, b.h))

    # -- a derivative call inside another one ------------------------------

    def seed(self, x, tag, direction=1.0):
        """The variable of an inner call (perturbed along `direction`) at x, a
        Dual of an outer call."""
        if type(x) is self.NestedDual:
            raise TypeError(_TOO_DEEP)
        return self.NestedDual(self._HyperDual(x.real, x.dual, direction, 0.0),
                               self._dual_tag(x), tag)

    def tangent(self, y, tag, op):
        """d y / d(variable of the call `tag`), as a number of the other call."""
        if type(y) is self.NestedDual:
            h = y.h
            if y.inner == tag:
                return self._tagged_dual(h.e2, h.e12, y.outer)
            if y.outer == tag:
                return self._tagged_dual(h.e1, h.e12, y.inner)
            raise TypeError(_TOO_DEEP)
        if type(y) is self._Dual:
            return y.dual if self._dual_tag(y) == tag else 0.0
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return 0.0
        raise TypeError(f"{op}(): f returned {type(y).__name__!r}, not a number; f must "
                        "return a real number computed from its argument")

    def value(self, y, tag):
        """y without the perturbation of the call `tag`."""
        if type(y) is self.NestedDual:
            h = y.h
            if y.inner == tag:
                return self._tagged_dual(h.real, h.e1, y.outer)
            return self._tagged_dual(h.real, h.e2, y.inner)
        if type(y) is self._Dual and self._dual_tag(y) == tag:
            return y.real
        return y

    def derivative(self, f, x, tag):
        return self.tangent(f(self.seed(x, tag)), tag, "derivative")

    def value_and_derivative(self, f, x, tag):
        y = f(self.seed(x, tag))
        return self.value(y, tag), self.tangent(y, tag, "value_and_derivative")
