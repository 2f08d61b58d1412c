"""DualArray and HyperDualArray: arrays of dual numbers stored as NumPy arrays of their parts.

One class per order, shared by both backends.  A backend supplies the
kernels (``chain`` for the rule table applied elementwise, ``partials`` for
the two-argument functions) and its scalar types; ``array_types(backend)``
builds the classes over them.

Storage: the real parts ``re`` (float64, any shape s) and the tangent rows
``t`` of shape (k,) + s.  A DualArray has k directions (one for a plain
derivative; more let one pass carry several); a HyperDualArray has the
three rows e1, e2, e12.  Every operation that is linear (sums, indexing,
reshaping, concatenation, ...) applies the same NumPy operation to ``re``
and to every row of ``t``; the others apply the chain rule.

Values come from NumPy itself wherever NumPy has the function, so a real
part equals NumPy's own result to the bit, and out-of-domain points give nan
with NumPy's RuntimeWarning, under ``np.errstate``.  Tangent parts never
warn: an out-of-domain point gets nan tangents quietly.  A tangent
component that is exactly zero stays zero through every rule and every
product, even where a coefficient is infinite.

The arrays are immutable: ``.real``, ``.dual`` and friends are read-only
views, and item assignment raises TypeError.
"""

import math
import numbers
import operator
import os
import string

import numpy as np

from dualdiff import _common

#: NumPy's ufuncs that are a unary rule of the table (value from NumPy).
UNARY_UFUNCS = {
    np.exp: "exp", np.exp2: "exp2", np.expm1: "expm1", np.log: "log", np.log2: "log2",
    np.log10: "log10", np.log1p: "log1p", np.sqrt: "sqrt", np.cbrt: "cbrt",
    np.sin: "sin", np.cos: "cos", np.tan: "tan", np.arcsin: "arcsin",
    np.arccos: "arccos", np.arctan: "arctan", np.sinh: "sinh", np.cosh: "cosh",
    np.tanh: "tanh", np.arcsinh: "arcsinh", np.arccosh: "arccosh",
    np.arctanh: "arctanh", np.absolute: "abs", np.fabs: "abs", np.sign: "sign",
    np.floor: "floor", np.ceil: "ceil",
}
_VALUE_UFUNCS = {name: ufunc for ufunc, name in UNARY_UFUNCS.items() if ufunc is not np.fabs}

_COMPARISONS = {np.less: operator.lt, np.less_equal: operator.le, np.greater: operator.gt,
                np.greater_equal: operator.ge, np.equal: operator.eq,
                np.not_equal: operator.ne}
_PREDICATES = (np.isfinite, np.isinf, np.isnan, np.signbit)


class ArrayUnsupported(TypeError, ValueError):
    """f did something a dualdiff array cannot do (float(), a truth test, a
    NumPy function without a derivative rule, ...): derivative() then
    evaluates f point by point.  Any other error from f propagates."""


class NotElementwiseError(ValueError):
    """derivative(f, x) of an ndarray x takes elementwise derivatives, and f
    mixed x's elements (a sum, a shift, a matrix product, ...): the result
    would not be elementwise.  dualdiff.jacobian, jvp or gradient give the
    derivatives of such a function."""


def _not_elementwise(what):
    return NotElementwiseError(
        f"f mixes the elements of x ({what}), but derivative(f, x) of an ndarray x gives "
        "elementwise derivatives (element i of f(x) may depend on element i of x only).  "
        "For the derivatives of such an f use dualdiff.jacobian(f, x) (the full matrix), "
        "dualdiff.jvp(f, x, v) (one directional derivative), or dualdiff.gradient(f, x) "
        "(f with one output)")


def _real_operand(x):
    """A constant operand as a float64 ndarray or Python float; None if it is not one."""
    if isinstance(x, float):
        return x
    if isinstance(x, numbers.Real):   # int, bool, NumPy scalars, fractions
        return float(x)
    if isinstance(x, np.ndarray) and (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        if isinstance(x, np.ma.MaskedArray):   # a dualdiff array has no mask to keep it in
            raise _common.masked_error("an operation of a dualdiff array")
        if np.issubdtype(x.dtype, np.complexfloating):
            return None
        return x.astype(np.float64, copy=False)
    return None


#: Activations whose kernels take an exponential from NumPy (see dd_array_dual_aux).
_AUX_RULES = frozenset({"sigmoid", "softplus", "tanh", "gelu"})


def _nan_product(r):
    """True if a product r may have met 0 * inf: then zero-safe forms recompute it."""
    return bool(np.isnan(r).any()) if isinstance(r, np.ndarray) else r != r


def tz(t, c):
    """t * c, zero where t is zero (even where c is infinite or nan)."""
    with np.errstate(all="ignore"):
        r = t * c
    if _nan_product(r):
        r = np.where(t == 0.0, 0.0, r)
    return r


def tt(s, t):
    """s * t, zero where either is zero."""
    with np.errstate(all="ignore"):
        r = s * t
    if _nan_product(r):
        r = np.where((s == 0.0) | (t == 0.0), 0.0, r)
    return r


_TINY = np.finfo(np.float64).tiny
_HUGE = np.finfo(np.float64).max


def _all_normal(r):
    """True if every entry of r is a finite normal number (one pass each for min and max)."""
    m = np.abs(r)
    return m.size == 0 or (m.min() >= _TINY and m.max() <= _HUGE)


def tt3(c, s, t):
    """c * s * t (a second-order coefficient times two tangents), as dd_tt3:
    exactly 0 where s or t is 0 (even where c is inf or nan), and where
    the product under- or overflows while c, s, t are finite and nonzero,
    recomputed from mantissas and exponents, so that an intermediate cannot
    lose a representable product.  The fast path is the formula the chain
    rules always used, (s*t)*c, so results elsewhere keep their bits."""
    with np.errstate(all="ignore"):
        r = (s * t) * c
        if _all_normal(r):   # the common case: this one test
            return r
        c, s, t = np.broadcast_arrays(c, s, t)
        r = np.array(np.broadcast_to(r, c.shape), dtype=np.float64)
        m = np.abs(r)
        zero = (s == 0.0) | (t == 0.0)
        rescue = (~zero & ((m < _TINY) | (m == np.inf)) & (c != 0.0)
                  & np.isfinite(c) & np.isfinite(s) & np.isfinite(t))
        if rescue.any():
            r[rescue] = _scaled_product(c[rescue], s[rescue], t[rescue])
        r[zero] = 0.0
    return r


def _scaled_product(c, s, t, y=None):
    """c * s * t (/ y) from frexp mantissas and exponents: no intermediate
    under- or overflow (only the final ldexp rounds)."""
    (mc, ec), (ms, es), (mt, et) = np.frexp(c), np.frexp(s), np.frexp(t)
    m, e = (mc * ms) * mt, ec.astype(np.int64) + es + et
    if y is not None:
        my, ey = np.frexp(y)
        m, e = m / my, e - ey
    return np.ldexp(m, np.clip(e, -2200, 2200).astype(np.int32))


def _cross3(h, a, b, c, d):
    """h * (a*b + c*d), the cross term of a second-order chain: the plain
    formula, and where it is 0, subnormal or inf with h finite (a product
    may have under- or overflowed), the sum of the two tt3 products."""
    with np.errstate(all="ignore"):
        r = tz(tt(a, b) + tt(c, d), h)
        if _all_normal(r):
            return r
        m = np.abs(r)
        redo = ((m < _TINY) | (m == np.inf)) & np.isfinite(h)
        if not redo.any():
            return r
        return np.where(redo, tt3(h, a, b) + tt3(h, c, d), r)


def _less_products_over(a, pairs, y, sum_first=False):
    """(a - sum of s*t over pairs) / y: each product zero-safe, and, where a
    product under- or overflows while s, t and y are finite and nonzero,
    that product is taken as s*t/y from mantissas and exponents (the
    quotient may well be representable: y small or large).  sum_first: the
    products are summed before the subtraction, as the formula always did."""
    with np.errstate(all="ignore"):
        prods = [tt(s, t) for s, t in pairs]
        if sum_first:
            r = a - sum(prods[1:], prods[0])
        else:
            r = a
            for p in prods:
                r = r - p
        r = r / y
        bad = None
        for (s, t), p in zip(pairs, prods):
            if _all_normal(p):
                continue
            m = np.abs(p)
            b = (((m < _TINY) | (m == np.inf)) & (s != 0.0) & (t != 0.0)
                 & np.isfinite(s) & np.isfinite(t) & np.isfinite(y) & (y != 0.0))
            bad = b if bad is None else bad | b
        if bad is None or not bad.any():
            return r
        shape = np.shape(r)
        alt = np.broadcast_to(a / y, shape).copy()
        yb = np.broadcast_to(y, shape)
        for s, t in pairs:
            s, t = np.broadcast_to(s, shape), np.broadcast_to(t, shape)
            q = np.zeros(shape)
            nz = bad & (s != 0.0) & (t != 0.0)
            q[nz] = _scaled_product(np.ones(int(nz.sum())), s[nz], t[nz], yb[nz])
            alt -= q
        return np.where(bad, alt, r)


def _nan_outside(t, value, *inputs):
    """t with every row nan where the value is nan and no input is: a point
    outside the domain has nan tangents, exactly-zero ones included."""
    if not np.isnan(value).any():   # the common case: one test
        return t
    outside = np.isnan(value)
    for x in inputs:
        outside = outside & ~np.isnan(x)
    return np.where(outside, np.nan, t) if outside.any() else t


def _axis_of_rows(axis, ndim):
    """The axis of the tangent rows that corresponds to `axis` of the values."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, tuple):
        return tuple(_axis_of_rows(a, ndim) for a in axis)
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim + 1


class ArrayBase:
    """What DualArray and HyperDualArray share: storage, NumPy protocol, linear operations."""

    __slots__ = ("_re", "_t", "_tag")
    __array_priority__ = 20.0
    _order = 1
    _seed = False      # True for derivative()'s elementwise seed (_ElementwiseSeed)
    _family = None     # the plain class of a seed class (array_types sets it)
    _kernels = None    # set by array_types
    _tags = None       # the backend's tags of derivative calls (array_types sets it)
    _scalar = None     # the scalar type an element is returned as

    # -- construction -----------------------------------------------------

    @classmethod
    def _new(cls, re, t, tag=0):
        """The array of values re and tangent rows t, perturbed by the
        derivative call `tag` (0: by none, as an array built by hand)."""
        self = object.__new__(cls)
        self._re = np.asarray(re, dtype=np.float64)
        self._t = np.asarray(t, dtype=np.float64)
        self._tag = tag
        return self

    def _like(self, re, t):
        """A result of an operation on this array: of its class and its call
        (_new's body again: this is the path every operation takes)."""
        out = object.__new__(type(self))
        out._re = np.asarray(re, dtype=np.float64)
        out._t = np.asarray(t, dtype=np.float64)
        out._tag = self._tag
        return out

    @classmethod
    def _from_parts(cls, *parts):
        """The array of the given parts (real, then the tangent rows), broadcast
        together into one fresh block."""
        parts = [np.asarray(p, dtype=np.float64) for p in parts]
        out = cls._block(len(parts) - 1, np.broadcast_shapes(*(p.shape for p in parts)))
        for i, p in enumerate(parts):
            out[i, ...] = p
        return cls._new(out[0, ...], out[1:])

    def _lift(self, other):
        """(real parts, tangent rows or None) of an operand; None if it cannot be one.

        An operand perturbed by another derivative call (an enclosing call's
        Dual, another call's array, a number of another type) raises
        NestedCallError: the entry points redo such work point by point,
        where nested calls are kept apart.
        """
        if type(other) is type(self) or (isinstance(other, ArrayBase) and (
                type(other)._family or type(other)) is (type(self)._family or type(self))):
            if other._tag != self._tag:
                raise _common.mixed_perturbation_error(self, other)
            return other._re, other._t
        if isinstance(other, ArrayBase):
            raise TypeError(f"cannot combine a {type(self).__name__} with a "
                            f"{type(other).__name__} (of another order or backend)")
        scalar = self._scalar_parts(other)
        if scalar is not None:
            return scalar
        if isinstance(other, _common.NUMBER_TYPES):
            raise _common.mixed_perturbation_error(self, other)
        c = _real_operand(other)
        if c is None:
            return self._lift_objects(other)
        return c, None

    def _lift_objects(self, other):
        """(real parts, rows or None) of a list, tuple or object ndarray whose
        elements are real numbers or numbers of this array's kind (an
        element of it, a 0-d array); None if it is not one."""
        if not isinstance(other, (list, tuple, np.ndarray)):
            return None
        try:
            arr = np.asarray(other, dtype=object)
        except (TypeError, ValueError):   # a ragged list, a list holding n-d arrays
            return None
        re = np.empty(arr.shape)
        rows = None
        for index, e in np.ndenumerate(arr):
            if isinstance(e, numbers.Real) and not isinstance(e, ArrayBase):
                re[index] = float(e)
                continue
            if isinstance(e, ArrayBase) and e.ndim == 0 and \
                    (type(e)._family or type(e)) is (type(self)._family or type(self)):
                if e._tag != self._tag:
                    raise _common.mixed_perturbation_error(self, e)
                er, et = e._re, e._t
            else:
                parts = self._scalar_parts(e)
                if parts is None:
                    if isinstance(e, _common.NUMBER_TYPES):
                        raise _common.mixed_perturbation_error(self, e)
                    return None
                er, et = parts
            if rows is None:
                rows = np.zeros((self._t.shape[0],) + arr.shape)
            if et.shape[0] != rows.shape[0]:
                return None
            re[index] = er
            rows[(slice(None),) + index] = et
        return re, rows

    def _scalar_parts(self, other):
        return None

    def _rows_for(self, t, shape):
        """Tangent rows t broadcast to values of `shape` (a view where possible)."""
        if t.shape[1:] == shape:   # the common case, without broadcast_to's cost
            return t
        extra = len(shape) - (t.ndim - 1)
        if extra > 0:
            t = t.reshape((t.shape[0],) + (1,) * extra + t.shape[1:])
        return np.broadcast_to(t, (t.shape[0],) + tuple(shape))

    def _check_rows(self, tx, ty):
        if tx is not None and ty is not None and tx.shape[0] != ty.shape[0]:
            raise ValueError(f"cannot combine arrays of {tx.shape[0]} and {ty.shape[0]} "
                             "tangent directions")

    # -- the array protocol ------------------------------------------------

    @property
    def real(self):
        """The real parts, a read-only float64 ndarray."""
        return self._view(self._re)

    @staticmethod
    def _view(a):
        v = np.asarray(a).view()   # a 0-d array, not a NumPy scalar
        v.flags.writeable = False
        return v

    @property
    def shape(self):
        """The shape of the array, as for an ndarray."""
        return self._re.shape

    @property
    def ndim(self):
        """The number of dimensions."""
        return self._re.ndim

    @property
    def size(self):
        """The number of elements."""
        return self._re.size

    @property
    def dtype(self):
        """dtype('O'): an element is a dual number, not a float."""
        return np.dtype(object)

    @property
    def T(self):
        """The transposed array, as transpose()."""
        return self.transpose()

    def __len__(self):
        if self._re.ndim == 0:
            raise TypeError(f"len() of a 0-d {type(self).__name__}")
        return len(self._re)

    def __iter__(self):
        if self._re.ndim == 0:
            raise TypeError(f"iteration over a 0-d {type(self).__name__}")
        for i in range(len(self._re)):
            yield self[i]

    def __getitem__(self, index):
        if isinstance(index, ArrayBase):
            raise IndexError(f"a {type(self).__name__} cannot index an array")
        rows = (slice(None),) + (index if isinstance(index, tuple) else (index,))
        re = self._re[index]
        return self._element(re, self._t[rows])

    def __setitem__(self, index, value):
        raise ArrayUnsupported(f"{type(self).__name__} is immutable; build a new one, e.g. with "
                        "numpy.where or numpy.concatenate")

    def _element(self, re, t):
        if np.ndim(re) == 0:
            return self._to_scalar(float(re), t.reshape(t.shape[0]))
        return self._like(re, t)

    def __array__(self, dtype=None, copy=None):
        # a 0-d array is one number: an object array holds it whole, so that
        # np.array([v[0] * v[1], v[0] + v[1]]) builds an array of outputs
        if self._re.ndim == 0 and not self._seed and (dtype is None
                                                        or np.dtype(dtype) == object):
            out = np.empty((), dtype=object)
            out[()] = self._element(self._re, self._t)
            return out
        raise ArrayUnsupported(
            f"converting a {type(self).__name__} to an ndarray would drop its derivative "
            "parts; use .real for the values, and numpy.stack / numpy.concatenate to "
            "build an array from dualdiff arrays")

    def __float__(self):
        raise ArrayUnsupported(
            str(_common.float_error(self)) + "; to fill an array with such numbers, create "
            "it with numpy.zeros_like(x) or numpy.zeros(n, dtype=object), not numpy.zeros(n)")

    def __bool__(self):
        if self._re.size != 1:
            raise ArrayUnsupported(f"the truth value of a {type(self).__name__} with more than one "
                             "element is ambiguous; compare .real")
        return bool(self._re.reshape(()))

    def __hash__(self):
        raise TypeError(f"unhashable type: {type(self).__name__!r}")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (self._rebuild, (np.array(self._re), np.array(self._t)))

    @classmethod
    def _rebuild(cls, re, t):
        return cls._new(re, t)

    # -- NumPy dispatch ----------------------------------------------------

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if kwargs.get("out") is not None or kwargs.get("where", True) is not True:
            raise ArrayUnsupported(f"numpy.{ufunc.__name__} with out= or where= is not supported "
                            f"for {type(self).__name__}")
        kwargs.pop("out", None)
        kwargs.pop("where", None)
        if method != "__call__" and self._seed:
            raise _not_elementwise(f"numpy.{ufunc.__name__}.{method}")
        if method == "reduce" and ufunc is np.add:
            return _sum(inputs[0], **kwargs)
        if method == "reduce" and ufunc is np.multiply:
            return _prod(inputs[0], **kwargs)
        if method == "accumulate" and ufunc is np.add:
            return _cumsum(inputs[0], **kwargs)
        if method != "__call__" or kwargs:
            raise ArrayUnsupported(f"numpy.{ufunc.__name__}.{method} is not supported for "
                            f"{type(self).__name__}" + (f" with {sorted(kwargs)}" if kwargs else ""))
        handler = _UFUNC_HANDLERS.get(ufunc)
        if handler is not None:
            return handler(*inputs)
        name = UNARY_UFUNCS.get(ufunc)
        if name is not None and len(inputs) == 1:
            return inputs[0]._unary(name)
        if ufunc in _COMPARISONS:
            x, y = inputs
            return _COMPARISONS[ufunc](_values(x), _values(y))
        if ufunc in _PREDICATES:
            return ufunc(inputs[0]._re)
        if not _common.numpy_ufunc(ufunc):   # scipy.special's, ...: say what to use
            raise ArrayUnsupported(str(_common.special_function_error(ufunc, self)))
        raise ArrayUnsupported(f"numpy.{ufunc.__name__} is not supported for {type(self).__name__} "
                        "(dualdiff has no derivative rule for it)")

    def __array_function__(self, func, types, args, kwargs):
        if self._seed and func in _MIXING_FUNCTIONS:
            raise _not_elementwise(_MIXING_FUNCTIONS[func])
        handler = _FUNCTION_HANDLERS.get(func)
        if handler is None:
            raise ArrayUnsupported(f"numpy.{getattr(func, '__name__', func)} is not supported for "
                            f"{types[0].__name__ if types else 'DualArray'}: its derivative "
                            "would be lost")
        return handler(*args, **kwargs)

    # -- elementwise functions ---------------------------------------------

    def _unary(self, name, param=None, power=np.power):
        """f(self) for rule `name` of the table (or "pow"/"leaky_relu" with param;
        `power` gives the value of "pow": np.power or np.float_power)."""
        re = self._re
        out = self._block(self._t.shape[0], re.shape)
        have_value = self._value_into(name, param, power, out)
        if name in _AUX_RULES and self._order == 1 and self._kernels.aux is not None:
            # exp (and log1p) by NumPy's vectorised loops, the rest in C
            # passes; the scratch lives in the result's own rows, since a fresh
            # allocation of this size can cost more in page faults than the work
            e = out[1, ...]
            self._kernels.aux_arg(name, re, out)
            with np.errstate(all="ignore"):
                np.exp(e, out=e)
                if name == "softplus":
                    np.log1p(e, out=out[0, ...])
            self._kernels.aux(name, re, self._t, out)
            return self._like(out[0, ...], out[1:])
        outside = self._kernels.chain_into(name, re, self._t, self._order,
                                           0.0 if param is None else float(param),
                                           have_value, out)
        self._warn_outside(name, outside, out)
        return self._like(out[0, ...], out[1:])

    def _value_into(self, name, param, power, out):
        """NumPy's value of rule `name` at the real parts into out[0], where
        NumPy has the function (then True; else the kernel computes it).

        Not where the kernel's value is NumPy's to the bit (the backend's
        `libm_values`: sin and cos, where NumPy calls the same libm): the
        kernel then computes it with the derivative, in one sincos."""
        ufunc = _VALUE_UFUNCS.get(name)
        if name in self._kernels.libm_values:
            return False
        if name == "pow":
            power(self._re, param, out=out[0, ...])
        elif ufunc is not None:
            ufunc(self._re, out=out[0, ...])
        return name == "pow" or ufunc is not None

    def _warn_outside(self, name, outside, out):
        """NumPy's warning (or error, by np.errstate) for the `outside` points
        of a kernel that computed the values of a NumPy function itself:
        NumPy computes them again, the same values, and warns."""
        if outside and name in self._kernels.libm_values:
            _VALUE_UFUNCS[name](self._re, out=out[0, ...])

    @staticmethod
    def _block(k, shape):
        """One float64 block for a result's value (block[0]) and its k tangent rows.

        One allocation, not two: with glibc, two large arrays allocated and
        freed in turn can miss its heap and fault in fresh pages every time
        (X + X measured 13x slower at 10**5 points with separate arrays)."""
        return np.empty((k + 1,) + tuple(shape))

    def _fused(self, op, ufunc, x, y):
        """x * y or x / y in one pass of the backend's fused kernel, or None
        where it does not apply (broadcasting, views, no such kernel)."""
        (xr, tx), (yr, ty) = x, y
        if self._kernels.binary is None:
            return None
        shape = None
        for r, t in ((xr, tx), (yr, ty)):
            if type(r) is np.ndarray and r.ndim > 0:
                if (shape is not None and r.shape != shape) or not r.flags.c_contiguous \
                        or (t is not None and not t.flags.c_contiguous):
                    return None
                shape = r.shape
            elif t is not None or not isinstance(r, float):
                return None
        if shape is None or (tx is not None and ty is not None and tx.shape != ty.shape):
            return None
        rows = tx if tx is not None else ty
        if rows.shape[1:] != shape:
            return None
        out = self._block(rows.shape[0], shape)
        ufunc(xr, yr, out=out[0, ...])
        self._kernels.binary(op, self._order, xr, tx, yr, ty, out)
        return self._like(out[0, ...], out[1:])

    def _binary_partials(self, op, x, y, value_of=None):
        """op(x, y) for power (with an array exponent), arctan2 or hypot; the
        value is value_of(x, y) (NumPy's function of the name by default)."""
        (xr, tx), (yr, ty) = x, y
        shape = np.broadcast_shapes(np.shape(xr), np.shape(yr))
        value_of = value_of or {"power": np.power, "arctan2": np.arctan2, "hypot": np.hypot}[op]
        value = value_of(xr, yr)
        xb, yb = np.broadcast_to(xr, shape), np.broadcast_to(yr, shape)
        coeffs = self._kernels.partials(op, xb, yb, np.broadcast_to(value, shape), self._order)
        tx = None if tx is None else self._rows_for(tx, shape)
        ty = None if ty is None else self._rows_for(ty, shape)
        return self._like(value, _nan_outside(self._chain2(tx, ty, coeffs), value, xr, yr))

    # -- linear operations: every part alike ---------------------------------

    def _linear(self, values, rows):
        """Apply `values(a)` to the real parts and `rows(t)` to the tangent rows."""
        return self._element(values(self._re), rows(self._t))

    def reshape(self, *shape, order="C"):
        """reshape(*shape, order="C") -> the array with a new shape, as ndarray.reshape."""
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        re = self._re.reshape(shape, order=order)
        if order != "C":
            t = np.stack([row.reshape(shape, order=order) for row in self._t])
        else:
            t = self._t.reshape((self._t.shape[0],) + re.shape)
        return self._like(re, t)

    def ravel(self):
        """ravel() -> the array flattened to one dimension (also flatten())."""
        return self.reshape(-1)

    flatten = ravel

    def transpose(self, *axes):
        """transpose(*axes) -> the array with its axes permuted (reversed by default)."""
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], numbers.Integral)):
            axes = axes[0]
        if not axes:
            axes = tuple(range(self.ndim))[::-1]
        axes = tuple(operator.index(a) % max(self.ndim, 1) for a in axes)
        return self._like(self._re.transpose(axes),
                         self._t.transpose((0,) + tuple(a + 1 for a in axes)))

    def copy(self):
        """copy() -> a copy with fresh storage."""
        return self._like(self._re.copy(), self._t.copy())

    def sum(self, axis=None, keepdims=False):
        """sum(axis=None, keepdims=False) -> the sum over axis (all of it by default)."""
        return _sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """mean(axis=None, keepdims=False) -> the mean over axis (all of it by default)."""
        return _mean(self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        """prod(axis=None, keepdims=False) -> the product over axis (all of it by default)."""
        return _prod(self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis=None):
        """cumsum(axis=None) -> the cumulative sum along axis (of the flattened array by default)."""
        return _cumsum(self, axis=axis)

    def dot(self, other):
        """dot(other) -> the dot product with other, as numpy.dot."""
        return _dot(self, other)

    def clip(self, a_min=None, a_max=None):
        """clip(a_min=None, a_max=None) -> the values limited to [a_min, a_max], as numpy.clip."""
        return _clip(self, a_min, a_max)

    def max(self, axis=None, keepdims=False):
        """max(axis=None, keepdims=False) -> the largest element over axis, with its parts."""
        return _extreme(self, np.argmax, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        """min(axis=None, keepdims=False) -> the smallest element over axis, with its parts."""
        return _extreme(self, np.argmin, axis, keepdims)

    # -- operators ------------------------------------------------------------

    def _pair(self, other):
        lifted = self._lift(other)
        if lifted is None:
            return None
        return (self._re, self._t), lifted

    def __add__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(*p)

    def __radd__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[1], p[0])

    def __sub__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[0], p[1], -1.0)

    def __rsub__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[1], p[0], -1.0)

    def __mul__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._mul(*p)

    def __rmul__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._mul(p[1], p[0])

    def __truediv__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._div(*p)

    def __rtruediv__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._div(p[1], p[0])

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            return NotImplemented
        if isinstance(other, numbers.Real) and not isinstance(other, ArrayBase):
            return self._unary("pow", float(other))
        p = self._pair(other)
        return NotImplemented if p is None else self._binary_partials("power", *p)

    def __rpow__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._binary_partials("power", p[1], p[0])

    def __matmul__(self, other):
        return _matmul(self, other)

    def __rmatmul__(self, other):
        return _matmul(other, self)

    def __neg__(self):
        return self._like(-self._re, -self._t)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._unary("abs")

    def _compare(self, other, op):
        lifted = self._lift(other)
        if lifted is None:
            return NotImplemented
        return op(self._re, lifted[0])

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    def _add(self, x, y, sign=1.0):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        value = xr + yr if sign > 0 else xr - yr
        shape = np.shape(value)
        if ty is None:
            t = self._rows_for(tx, shape)
        elif tx is None:
            t = self._rows_for(ty if sign > 0 else -ty, shape)
        else:
            tx, ty = self._rows_for(tx, shape), self._rows_for(ty, shape)
            t = tx + ty if sign > 0 else tx - ty
        return self._like(value, t)

    # -- activations and the functions of dualdiff's namespace ------------------

    def log(self, base=None):
        """log(base=None) -> the natural logarithm (or to base) elementwise, as dualdiff.log."""
        if base is None:
            return self._unary("log")
        real_base = isinstance(base, numbers.Real) and not isinstance(base, ArrayBase)
        lnb = float(np.log(base)) if real_base and base > 0.0 else 0.0
        if lnb == 0.0 or not math.isfinite(lnb):
            # NumPy's semantics: base <= 0 or 1, an array base: nan or inf, NumPy's warning
            return self._unary("log") / (base.log() if isinstance(base, ArrayBase) else np.log(base))
        # the log-base rule, log(base) its parameter: f'' = -(1/x)((1/x)/log b)
        # does not overflow first, as log's f'' divided by log b would
        if type(self)._unary is not ArrayBase._unary:   # HessianArray: f', f'' from a kernel
            r = self._unary("log_base", lnb)
            return self._like(np.log(self._re) / lnb, r._t)
        out = self._block(self._t.shape[0], self._re.shape)
        np.log(self._re, out=out[0, ...])    # NumPy's value and warnings
        out[0, ...] /= lnb
        self._kernels.chain_into("log_base", self._re, self._t, self._order, lnb, True, out)
        return self._like(out[0, ...], out[1:])

    def leaky_relu(self, alpha=0.01):
        """leaky_relu(alpha=0.01) -> dualdiff.leaky_relu elementwise."""
        return self._unary("leaky_relu", float(alpha))

    def gelu(self, approximate=False):
        """gelu(approximate=False) -> dualdiff.gelu elementwise."""
        return self._unary("gelu_tanh" if _common.gelu_form(approximate) else "gelu")

    def power(self, p):
        """power(p) -> self ** p elementwise."""
        return self ** p

    def logsumexp(self, axis=None, keepdims=False):
        """logsumexp(axis=None, keepdims=False) -> log(sum(exp(x), axis)) without overflow.

        Its gradient is softmax.
        """
        if self.size == 0:
            raise ValueError("logsumexp() arg is an empty array")
        m = np.max(self._re, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)   # a constant shift: no derivative
        out = np.log(np.exp(self - m).sum(axis=axis, keepdims=True)) + m
        return out if keepdims else _squeeze(out, axis)

    def softmax(self, axis=None):
        """softmax(axis=None) -> exp(x) / sum(exp(x), axis); its Jacobian is p_i (delta_ij - p_j)."""
        if self.size == 0:
            return self
        m = np.max(self._re, axis=axis, keepdims=True)
        e = np.exp(self - np.where(np.isfinite(m), m, 0.0))
        return e / e.sum(axis=axis, keepdims=True)

    def __repr__(self):
        names = self._repr_names()
        parts = ", ".join(f"{name}={np.array2string(np.asarray(getattr(self, name)), separator=', ')}"
                          for name in names)
        return f"{type(self).__name__}({parts})"

    def _repr_names(self):
        return self._part_names


def _squeeze(x, axis):
    if axis is None:
        return x.reshape(())
    return x.reshape(tuple(n for i, n in enumerate(x.shape)
                           if i not in {a % x.ndim for a in
                                        (axis if isinstance(axis, tuple) else (axis,))}))


for _name in ("exp", "exp2", "expm1", "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos",
              "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
              "arccosh", "arctanh", "erf", "erfc", "abs", "sign", "floor", "ceil",
              "sigmoid", "relu", "softplus"):
    def _unary_method(name):
        def method(self):
            return self._unary(name)
        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"{name}(x) elementwise, with its derivative parts."
        return method
    setattr(ArrayBase, _name, _unary_method(_name))


class DualArrayBase(ArrayBase):
    """DualArray(real, dual=None, *, tangents=None) -> an array of dual numbers real + dual*eps.

    ``real`` and ``dual`` are array-likes of real numbers that broadcast to
    one shape (``dual`` defaults to zeros); ``tangents`` (instead of dual),
    of shape (k,) + real.shape, gives k directions at once, as repr shows
    an array of several.  NumPy's ufuncs and the common
    array functions apply to it with their derivative parts (one C loop per
    elementwise rule on the compiled backend); ``.real`` and ``.dual`` are
    read-only float64 views.

    >>> import numpy as np
    >>> import dualdiff as dd
    >>> x = dd.DualArray([0.0, 1.0], [1.0, 1.0])
    >>> y = np.sin(x) * x
    >>> y.dual   # d/dx x sin(x) = sin(x) + x cos(x)
    array([0.        , 1.38177329])
    """

    __slots__ = ()
    _part_names = ("real", "dual")

    def __new__(cls, real, dual=None, *, tangents=None):
        _common.refuse_masked(cls.__name__, real, dual, tangents)
        if tangents is not None:   # k directions at once, as repr() shows them
            if dual is not None:
                raise TypeError("DualArray() takes dual or tangents, not both")
            real = np.asarray(real, dtype=np.float64)
            rows = np.asarray(tangents, dtype=np.float64)
            if rows.ndim == 0 or rows.shape[1:] != real.shape:
                raise ValueError(f"DualArray(): tangents must have shape (k,) + {real.shape}, "
                                 f"not {rows.shape}")
            return cls._new(real.copy(), rows.copy())
        return cls._from_parts(real, 0.0 if dual is None else dual)

    def _repr_names(self):
        return self._part_names if self._t.shape[0] == 1 else ("real", "tangents")

    @classmethod
    def _directions(cls, real, rows):
        """A DualArray carrying k directions at once: rows of shape (k,) + real.shape."""
        return cls._new(np.array(real, dtype=np.float64), np.array(rows, dtype=np.float64))

    @property
    def dual(self):
        """The derivative parts, a read-only float64 ndarray (one direction only)."""
        if self._t.shape[0] != 1:
            raise ValueError(f"this DualArray carries {self._t.shape[0]} directions; "
                             "use .tangents")
        return self._view(self._t[0])

    @property
    def tangents(self):
        """All tangent directions, of shape (k,) + shape."""
        return self._view(self._t)

    def _scalar_parts(self, other):
        if type(other) is self._scalar:
            if self._tags.of(other) != self._tag:
                raise _common.mixed_perturbation_error(self, other)
            if self._t.shape[0] != 1:
                raise TypeError("a Dual cannot join a DualArray of several directions")
            return np.float64(other.real), np.array([other.dual])
        return None

    def _to_scalar(self, re, t):
        if t.shape[0] == 1:   # a Dual of this array's call
            return self._tags.dual(re, float(t[0]), self._tag)
        return self._like(np.float64(re), t)

    def _apply_rule(self, value, f1, f2):
        """The array of values `value` whose rows follow from this one's by
        the chain rule with coefficients f1 = f'(a), f2 = f''(a)."""
        with np.errstate(all="ignore"):
            return self._like(value, tz(self._t, f1))

    def _mul(self, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        fused = self._fused("mul", np.multiply, x, y)
        if fused is not None:
            return fused
        value = xr * yr
        shape = np.shape(value)
        t = None
        if tx is not None:
            t = tz(self._rows_for(tx, shape), yr)
        if ty is not None:
            u = tz(self._rows_for(ty, shape), xr)
            t = u if t is None else t + u
        return self._like(value, t)

    def _div(self, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        fused = self._fused("div", np.divide, x, y)
        if fused is not None:
            return fused
        value = xr / yr
        shape = np.shape(value)
        with np.errstate(all="ignore"):
            if ty is None:
                t = self._rows_for(tx, shape) / yr
            else:
                u = tz(self._rows_for(ty, shape), value)
                t = ((self._rows_for(tx, shape) - u) if tx is not None else -u) / yr
        return self._like(value, t)

    def _chain2(self, tx, ty, coeffs):
        g0, g1 = coeffs[:2]
        t = None
        if tx is not None:
            t = tz(tx, g0)
        if ty is not None:
            u = tz(ty, g1)
            t = u if t is None else t + u
        return t

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        value = op(xr, yr)
        t = None
        if tx is not None:
            t = op(tx, yr)
        if ty is not None:
            u = op(xr, ty)
            t = u if t is None else t + u
        return value, t


class HyperDualArrayBase(ArrayBase):
    """HyperDualArray(real, e1=0.0, e2=0.0, e12=0.0) -> an array of hyper-dual numbers.

    Second derivatives elementwise: with e1 = e2 = 1 and e12 = 0, f(x).e12 is
    f''(x).  Parts broadcast to one shape; NumPy's ufuncs and array
    functions apply as for DualArray.

    >>> import dualdiff as dd
    >>> x = dd.HyperDualArray([1.0, 2.0], 1.0, 1.0)
    >>> (x ** 3).e12   # 6x
    array([ 6., 12.])
    """

    __slots__ = ()
    _order = 2
    _part_names = ("real", "e1", "e2", "e12")

    def __new__(cls, real, e1=0.0, e2=0.0, e12=0.0):
        _common.refuse_masked(cls.__name__, real, e1, e2, e12)
        return cls._from_parts(real, e1, e2, e12)

    e1 = property(lambda self: self._view(self._t[0]), doc="The e1 parts (read-only).")
    e2 = property(lambda self: self._view(self._t[1]), doc="The e2 parts (read-only).")
    e12 = property(lambda self: self._view(self._t[2]), doc="The e1e2 parts (read-only).")

    def _scalar_parts(self, other):
        if type(other) is self._scalar:
            if self._tags.of(other) != self._tag:
                raise _common.mixed_perturbation_error(self, other)
            return np.float64(other.real), np.array([other.e1, other.e2, other.e12])
        return None

    def _to_scalar(self, re, t):   # a HyperDual of this array's call
        return self._tags.hyper(re, float(t[0]), float(t[1]), float(t[2]), self._tag)

    def _apply_rule(self, value, f1, f2):
        t = self._t
        with np.errstate(all="ignore"):
            rows = np.stack([tz(t[0], f1), tz(t[1], f1), tz(t[2], f1) + tt3(f2, t[0], t[1])])
        return self._like(value, rows)

    def _mul(self, x, y):
        (xr, tx), (yr, ty) = x, y
        fused = self._fused("mul", np.multiply, x, y)
        if fused is not None:
            return fused
        value = xr * yr
        shape = np.shape(value)
        if tx is None or ty is None:
            rows, c = (tx, yr) if ty is None else (ty, xr)
            return self._like(value, tz(self._rows_for(rows, shape), c))
        tx, ty = self._rows_for(tx, shape), self._rows_for(ty, shape)
        e1 = tz(tx[0], yr) + tz(ty[0], xr)
        e2 = tz(tx[1], yr) + tz(ty[1], xr)
        e12 = tz(tx[2], yr) + tz(ty[2], xr) + tt(tx[0], ty[1]) + tt(tx[1], ty[0])
        return self._like(value, np.stack([e1, e2, e12]))

    def _div(self, x, y):
        (xr, tx), (yr, ty) = x, y
        fused = self._fused("div", np.divide, x, y)
        if fused is not None:
            return fused
        value = xr / yr
        shape = np.shape(value)
        with np.errstate(all="ignore"):
            if ty is None:
                return self._like(value, self._rows_for(tx, shape) / yr)
            ty = self._rows_for(ty, shape)
            tx = np.zeros_like(ty) if tx is None else self._rows_for(tx, shape)
            r1 = (tx[0] - tz(ty[0], value)) / yr
            r2 = (tx[1] - tz(ty[1], value)) / yr
            r12 = _less_products_over(tx[2] - tz(ty[2], value), ((r1, ty[1]), (r2, ty[0])), yr)
        return self._like(value, np.stack([r1, r2, r12]))

    def _chain2(self, tx, ty, coeffs):
        g0, g1, h0, h1, h2 = coeffs
        zero = np.zeros_like(g0)
        x1, x2, x12 = (zero, zero, zero) if tx is None else tx
        y1, y2, y12 = (zero, zero, zero) if ty is None else ty
        e1 = tz(x1, g0) + tz(y1, g1)
        e2 = tz(x2, g0) + tz(y2, g1)
        e12 = (tz(x12, g0) + tz(y12, g1) + tt3(h0, x1, x2)
               + _cross3(h1, x1, y2, x2, y1) + tt3(h2, y1, y2))
        return np.stack([e1, e2, e12])

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        value = op(xr, yr)
        if tx is None or ty is None:
            return value, (np.stack([op(r, yr) for r in tx]) if ty is None
                           else np.stack([op(xr, r) for r in ty]))
        e1 = op(tx[0], yr) + op(xr, ty[0])
        e2 = op(tx[1], yr) + op(xr, ty[1])
        e12 = op(tx[2], yr) + op(xr, ty[2]) + op(tx[0], ty[1]) + op(tx[1], ty[0])
        return value, np.stack([e1, e2, e12])


class HessianArrayBase(ArrayBase):
    """An array whose elements carry k first partials and a k x k block of
    second partials: what hessian(f, x, vectorized=True) evaluates f at.

    The tangent rows are the k first-order rows G, then the k*k
    second-order rows H (row i*k + j is d2/dx_i dx_j), so that every linear
    operation applies to them as to a DualArray's; the nonlinear ones apply
    the second-order chain rule with the zero-safe products.  Internal: it
    costs (k + k^2) times the memory of the values.
    """

    __slots__ = ()
    _order = 2
    _part_names = ("real", "rows")
    rows = property(lambda self: self._view(self._t),
                    doc="The first-order rows, then the second-order ones (read-only).")

    def __new__(cls, real, rows):
        return cls._new(np.asarray(real, dtype=np.float64), np.asarray(rows, dtype=np.float64))

    @staticmethod
    def _k(rows):
        r = rows.shape[0]
        return int(round((math.sqrt(1 + 4 * r) - 1) / 2))

    @classmethod
    def _split(cls, rows):
        """(G, H) of tangent rows: shapes (k,) + s and (k, k) + s."""
        k = cls._k(rows)
        return rows[:k], rows[k:].reshape((k, k) + rows.shape[1:])

    @staticmethod
    def _join(g, h):
        return np.concatenate([g, h.reshape((-1,) + h.shape[2:])])

    @staticmethod
    def _outer(a, b):
        """a_i b_j + b_i a_j, zero-safe: the symmetric cross term of a product."""
        return tt(a[:, None], b[None, :]) + tt(b[:, None], a[None, :])

    def _scalar_parts(self, other):
        return None

    def _to_scalar(self, re, t):
        return self._like(np.float64(re), t)

    def _apply_rule(self, value, f1, f2):
        g, h = self._split(self._t)
        with np.errstate(all="ignore"):
            return self._like(value, self._join(tz(g, f1),
                                               tz(h, f1) + tt3(f2, g[:, None], g[None, :])))

    def _unary(self, name, param=None, power=np.power):
        # f' and f'' from the HyperDualArray kernel with unit seeds (e1 = e2 = 1):
        # its e1 is f'(a), its e12 f''(a)
        re = self._re
        out = self._block(3, re.shape)
        have_value = self._value_into(name, param, power, out)
        unit = np.broadcast_to(np.array([1.0, 1.0, 0.0]).reshape((3,) + (1,) * re.ndim),
                               (3,) + re.shape)
        outside = self._kernels.chain_into(name, re, unit, 2,
                                           0.0 if param is None else float(param),
                                           have_value, out)
        self._warn_outside(name, outside, out)
        g, h = self._split(self._t)
        f1, f2 = out[1, ...], out[3, ...]
        with np.errstate(all="ignore"):
            rows = self._join(tz(g, f1), tz(h, f1) + tt3(f2, g[:, None], g[None, :]))
        return self._like(out[0, ...], _nan_outside(rows, out[0, ...], re))

    def _mul(self, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        value = xr * yr
        shape = np.shape(value)
        if tx is None or ty is None:
            rows, c = (tx, yr) if ty is None else (ty, xr)
            return self._like(value, tz(self._rows_for(rows, shape), c))
        (xg, xh), (yg, yh) = self._split(self._rows_for(tx, shape)), self._split(self._rows_for(ty, shape))
        with np.errstate(all="ignore"):
            g = tz(xg, yr) + tz(yg, xr)
            h = tz(xh, yr) + tz(yh, xr) + self._outer(xg, yg)
        return self._like(value, self._join(g, h))

    def _div(self, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        value = xr / yr
        shape = np.shape(value)
        with np.errstate(all="ignore"):
            if ty is None:
                return self._like(value, self._rows_for(tx, shape) / yr)
            yg, yh = self._split(self._rows_for(ty, shape))
            if tx is None:
                xg, xh = np.zeros_like(yg), np.zeros_like(yh)
            else:
                xg, xh = self._split(self._rows_for(tx, shape))
            g = (xg - tz(yg, value)) / yr
            h = _less_products_over(xh - tz(yh, value), ((g[:, None], yg[None, :]),
                                                         (yg[:, None], g[None, :])), yr,
                                    sum_first=True)
        return self._like(value, self._join(g, h))

    def _chain2(self, tx, ty, coeffs):
        g0, g1, h0, h1, h2 = coeffs
        rows = tx if tx is not None else ty
        zg, zh = self._split(np.zeros_like(rows))
        xg, xh = (zg, zh) if tx is None else self._split(tx)
        yg, yh = (zg, zh) if ty is None else self._split(ty)
        with np.errstate(all="ignore"):
            g = tz(xg, g0) + tz(yg, g1)
            h = (tz(xh, g0) + tz(yh, g1) + tt3(h0, xg[:, None], xg[None, :])
                 + _cross3(h1, xg[:, None], yg[None, :], yg[:, None], xg[None, :])
                 + tt3(h2, yg[:, None], yg[None, :]))
        return self._join(g, h)

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        value = op(xr, yr)
        if tx is None or ty is None:
            return value, (op(tx, yr) if ty is None else op(xr, ty))
        (xg, xh), (yg, yh) = self._split(tx), self._split(ty)
        g = op(xg, yr) + op(xr, yg)
        cross = op(xg[:, None], yg[None, :])           # B(x_i, y_j)
        h = op(xh, yr) + op(xr, yh) + cross + np.swapaxes(cross, 0, 1)
        return value, self._join(g, h)


# ---------------------------------------------------------------------------
# NumPy functions
# ---------------------------------------------------------------------------

def _lead(arrays):
    """The first DualArray/HyperDualArray among `arrays`."""
    for a in arrays:
        if isinstance(a, ArrayBase):
            return a
    raise TypeError("no dualdiff array among the arguments")


def _parts(like, x, shape=None):
    """(real parts, tangent rows) of x, constants given zero rows."""
    lifted = like._lift(x)
    if lifted is None:
        raise _operand_error("a NumPy function of a dualdiff array", like, x)
    re, t = lifted
    re = np.asarray(re, dtype=np.float64)
    if t is None:
        t = np.zeros((like._t.shape[0],) + re.shape)
    return re, t


def _values(x):
    return x._re if isinstance(x, ArrayBase) else x


def _sum(x, axis=None, keepdims=False, dtype=None, out=None, **kwargs):
    _no_extras("sum", dtype=dtype, out=out, **kwargs)
    rows = _axis_of_rows(axis, x.ndim)
    keepdims = _common.flag(keepdims)
    return x._element(np.sum(x._re, axis=axis, keepdims=keepdims),
                      np.sum(x._t, axis=rows, keepdims=keepdims))


def _mean(x, axis=None, keepdims=False, dtype=None, out=None, **kwargs):
    _no_extras("mean", dtype=dtype, out=out, **kwargs)
    rows = _axis_of_rows(axis, x.ndim)
    keepdims = _common.flag(keepdims)
    return x._element(np.mean(x._re, axis=axis, keepdims=keepdims),
                      np.mean(x._t, axis=rows, keepdims=keepdims))


def _cumsum(x, axis=None, dtype=None, out=None):
    _no_extras("cumsum", dtype=dtype, out=out)
    if axis is None:
        x, axis = x.ravel(), 0
    return x._like(np.cumsum(x._re, axis=axis), np.cumsum(x._t, axis=_axis_of_rows(axis, x.ndim)))


def _diff(x, n=1, axis=-1, **kwargs):
    _no_extras("diff", **kwargs)
    return x._like(np.diff(x._re, n=n, axis=axis),
                  np.diff(x._t, n=n, axis=_axis_of_rows(axis, x.ndim)))


def _prod(x, axis=None, keepdims=False, dtype=None, out=None, **kwargs):
    """Products by a tree of pairwise products (log2(m) vectorised steps, no division)."""
    _no_extras("prod", dtype=dtype, out=out, **kwargs)
    if axis is None:
        y = _prod(x.ravel(), axis=0)
        return expand_dims_all(x, y) if keepdims else y   # y may be a scalar element
    if isinstance(axis, tuple):
        raise TypeError("prod over several axes at once is not supported for dualdiff arrays; "
                        "take one axis at a time")
    axis = operator.index(axis) % max(x.ndim, 1)
    y = moveaxis(x, axis, 0)
    if y.shape[0] == 0:
        out = x._like(np.ones(y.shape[1:]), np.zeros((x._t.shape[0],) + y.shape[1:]))
    else:
        while y.shape[0] > 1:
            half = y.shape[0] // 2
            paired = y[0:2 * half:2] * y[1:2 * half:2]
            y = concatenate([paired, y[2 * half:]]) if y.shape[0] % 2 else paired
        out = y[0] if y.ndim > 1 else y.reshape(())
        if not isinstance(out, ArrayBase):
            out = x._like(np.float64(out.real), _scalar_rows_of(type(x), out))
    if keepdims:
        out = expand_dims(out, axis)
    return out if out.ndim else x._element(out._re, out._t)


def _no_extras(name, **kwargs):
    extras = sorted(k for k, v in kwargs.items() if v is not None and v is not np._NoValue)
    if extras:
        raise ArrayUnsupported(f"numpy.{name} with {', '.join(extras)}= is not supported for "
                               "dualdiff arrays")


def moveaxis(x, source, destination):
    axes = list(range(x.ndim))
    axes.insert(destination % x.ndim, axes.pop(source % x.ndim))
    return x.transpose(axes)


def expand_dims(x, axis):
    return x.reshape(np.expand_dims(x._re, axis).shape)


def _reshape(x, shape, order="C", **kwargs):
    _no_extras("reshape", **kwargs)
    return _as_array(x).reshape(shape, order=order)


def _transpose(x, axes=None):
    return _as_array(x).transpose(axes)


def _as_array(x):
    if not isinstance(x, ArrayBase):
        raise TypeError(f"expected a dualdiff array, not {type(x).__name__!r}")
    return x


def concatenate(arrays, axis=0, out=None, **kwargs):
    _no_extras("concatenate", out=out, **kwargs)
    arrays = list(arrays)
    like = _lead(arrays)
    parts = [_parts(like, a) for a in arrays]
    if axis is None:
        parts = [(re.ravel(), t.reshape(t.shape[0], -1)) for re, t in parts]
        axis = 0
    re = np.concatenate([p[0] for p in parts], axis=axis)
    rows = _axis_of_rows(axis, re.ndim)
    return like._like(re, np.concatenate([p[1] for p in parts], axis=rows))


def _stack(arrays, axis=0, out=None, **kwargs):
    _no_extras("stack", out=out, **kwargs)
    arrays = list(arrays)
    like = _lead(arrays)
    parts = [_parts(like, a) for a in arrays]
    re = np.stack([p[0] for p in parts], axis=axis)
    rows = _axis_of_rows(axis, re.ndim)
    return like._like(re, np.stack([p[1] for p in parts], axis=rows))


def _where(condition, x=None, y=None):
    if x is None or y is None:
        raise TypeError("numpy.where with one argument is not supported for dualdiff arrays")
    cond = _values(condition)
    if isinstance(condition, ArrayBase):
        raise TypeError("numpy.where needs a boolean condition, not a dualdiff array; "
                        "compare the values, e.g. x > 0")
    like = _lead([x, y])
    xr, tx = _parts(like, x)
    yr, ty = _parts(like, y)
    value = np.where(cond, xr, yr)
    rows = np.where(cond, like._rows_for(tx, value.shape), like._rows_for(ty, value.shape))
    return like._element(value, rows)


def _extreme(x, arg, axis=None, keepdims=False):
    """max or min: the chosen element's parts (the first of equal ones)."""
    if axis is None:
        flat = x.ravel()
        y = flat[int(arg(flat._re))]
        return expand_dims_all(x, y) if keepdims else y
    index = np.expand_dims(arg(x._re, axis=axis), axis)
    re = np.take_along_axis(x._re, index, axis)
    t = np.take_along_axis(x._t, index[None].repeat(x._t.shape[0], 0), _axis_of_rows(axis, x.ndim))
    out = x._like(re, t)
    return out if keepdims else _squeeze(out, axis)


def expand_dims_all(x, y):
    if not isinstance(y, ArrayBase):
        y = x._like(np.float64(y.real), _scalar_rows_of(type(x), y))
    return y.reshape((1,) * x.ndim)


def _maximum(x, y, pick=np.greater_equal, value_of=np.maximum):
    like = _lead([x, y])
    xr, tx = _parts(like, x)
    yr, ty = _parts(like, y)
    value = value_of(xr, yr)
    shape = value.shape
    choose_x = pick(xr, yr) | np.isnan(xr)
    rows = np.where(choose_x, like._rows_for(tx, shape), like._rows_for(ty, shape))
    return like._element(value, rows)


def _minimum(x, y):
    return _maximum(x, y, np.less_equal, np.minimum)


def _clip(x, a_min=None, a_max=None, out=None, **kwargs):
    _no_extras("clip", out=out, **kwargs)
    y = x
    if a_min is not None:
        y = _maximum(y, a_min)
    if a_max is not None:
        y = _minimum(y, a_max)
    return y


def _matmul(x, y, out=None, **kwargs):
    _no_extras("matmul", out=out, **kwargs)
    like = _lead([x, y])
    if like._seed:
        raise _not_elementwise("numpy.matmul (@)")
    lx, ly = like._lift(x), like._lift(y)
    if lx is None or ly is None:
        return NotImplemented
    (xr, tx), (yr, ty) = lx, ly
    xr, yr = np.asarray(xr, dtype=np.float64), np.asarray(yr, dtype=np.float64)
    if xr.ndim == 0 or yr.ndim == 0:
        raise ValueError("matmul: an operand is 0-d (use *)")
    squeeze = []
    if xr.ndim == 1:   # a row vector, and its rows (k, n) -> (k, 1, n)
        xr = xr[None, :]
        tx = None if tx is None else tx[:, None, :]
        squeeze.append(-2)
    if yr.ndim == 1:   # a column vector, and its rows (k, n) -> (k, n, 1)
        yr = yr[:, None]
        ty = None if ty is None else ty[..., None]
        squeeze.append(-1)

    def op(a, b):
        # k stacked vectors against one matrix: one matrix product, not k
        # (each rereading the matrix)
        if a.ndim == 2 and b.ndim == 3 and b.shape[-1] == 1:
            return np.matmul(a, b[..., 0].T).T[..., None]
        if b.ndim == 2 and a.ndim == 3 and a.shape[-2] == 1:
            return np.matmul(a[:, 0, :], b)[:, None, :]
        return np.matmul(a, b)

    value, t = like._bilinear(op, (xr, tx), (yr, ty))
    for ax in squeeze:
        value = np.squeeze(value, ax)
        t = np.squeeze(t, ax)
    if value.ndim + 1 != t.ndim:   # rows broadcast against stacked matrices
        t = like._rows_for(t, value.shape)
    return like._element(value, t)


def _dot(x, y, out=None):
    _no_extras("dot", out=out)
    nx, ny = np.ndim(_values(x)), np.ndim(_values(y))
    if nx == 0 or ny == 0:
        return x * y
    if nx > 2 or ny > 2:
        raise TypeError("numpy.dot of arrays with more than 2 dimensions is not supported "
                        "for dualdiff arrays; use matmul or einsum-free reshapes")
    return _matmul(x, y)


def _norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and (axis is None and x.ndim > 1
                                                      or isinstance(axis, tuple))):
        raise TypeError(f"numpy.linalg.norm with ord={ord!r} is not supported for dualdiff "
                        "arrays (only the 2-norm of vectors and the Frobenius norm)")
    return np.sqrt((x * x).sum(axis=axis, keepdims=keepdims))


def _shape(x):
    return x.shape


def _ndim(x):
    return x.ndim


def _size(x, axis=None):
    return x.size if axis is None else x.shape[axis]


def _arctan2(y, x):
    like = _lead([y, x])
    return like._binary_partials("arctan2", _parts(like, y), _parts(like, x))


def _hypot(x, y):
    like = _lead([x, y])
    return like._binary_partials("hypot", _parts(like, x), _parts(like, y))


def _power(x, y, value_of=np.power):
    like = _lead([x, y])
    if isinstance(x, ArrayBase) and isinstance(y, numbers.Real):
        return x._unary("pow", float(y), value_of)
    return like._binary_partials("power", _parts(like, x), _parts(like, y), value_of)


def _float_power(x, y):
    return _power(x, y, np.float_power)


def _ufunc_binary(method):
    def handler(x, y):
        like = _lead([x, y])
        if like is x:
            return getattr(x, method)(y)
        return getattr(y, "__r" + method[2:])(x)
    return handler


def _atleast(x, ndim):
    """x (a dualdiff array, or a constant) with at least ndim dimensions, as
    numpy.atleast_1d/2d/3d place the new axes."""
    if not isinstance(x, ArrayBase):
        c = _real_operand(x)
        c = np.asarray(x, dtype=object) if c is None else np.asarray(c)
        return getattr(np, f"atleast_{ndim}d")(c)
    if x.ndim >= ndim:
        return x
    if ndim == 1 or x.ndim == 0:
        return x.reshape((1,) * (ndim - x.ndim) + x.shape)
    if ndim == 2:
        return x.reshape((1,) + x.shape)
    return x.reshape((1,) + x.shape + (1,)) if x.ndim == 1 else x.reshape(x.shape + (1,))


def _atleast_fn(ndim):
    def handler(*arys):
        out = [_atleast(a, ndim) for a in arys]
        return out[0] if len(out) == 1 else tuple(out)
    return handler


def _shape_of(a):
    return a.shape if isinstance(a, ArrayBase) else np.shape(a)


def _hstack(tup, **kwargs):
    _no_extras("hstack", **kwargs)
    arrays = [_atleast(a, 1) for a in tup]
    return concatenate(arrays, axis=0 if len(_shape_of(arrays[0])) == 1 else 1)


def _vstack(tup, **kwargs):
    _no_extras("vstack", **kwargs)
    return concatenate([_atleast(a, 2) for a in tup], axis=0)


def _dstack(tup, **kwargs):
    _no_extras("dstack", **kwargs)
    return concatenate([_atleast(a, 3) for a in tup], axis=2)


def _column_stack(tup):
    arrays = []
    for a in tup:
        if len(_shape_of(a)) < 2:
            a = _atleast(a, 1)
            a = a.reshape(_shape_of(a) + (1,)) if isinstance(a, ArrayBase) \
                else np.reshape(a, np.shape(a) + (1,))
        arrays.append(a)
    return concatenate(arrays, axis=1)


#: np.pad modes that are linear in the array (the tangents are padded alike,
#: the constants with zeros)
_LINEAR_PAD_MODES = frozenset({"constant", "edge", "reflect", "symmetric", "wrap",
                               "linear_ramp", "mean"})


def _pad(array, pad_width, mode="constant", **kwargs):
    x = _as_array(array)
    if not isinstance(mode, str) or mode not in _LINEAR_PAD_MODES:
        raise TypeError(f"numpy.pad with mode={mode!r} is not supported for dualdiff arrays "
                        f"(its modes: {', '.join(sorted(_LINEAR_PAD_MODES))})")
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (x.ndim, 2))
    rows_width = np.concatenate([[[0, 0]], width])
    row_kwargs = dict(kwargs)
    for key in ("constant_values", "end_values"):   # constants: tangents pad with 0
        if key in kwargs:
            if isinstance(kwargs[key], ArrayBase):
                raise TypeError(f"numpy.pad: {key} must be constants for dualdiff arrays")
            row_kwargs[key] = 0.0
    if "stat_length" in kwargs and kwargs["stat_length"] is not None:
        length = np.broadcast_to(np.asarray(kwargs["stat_length"]), (x.ndim, 2))
        row_kwargs["stat_length"] = np.concatenate([[[1, 1]], length])
    return x._like(np.pad(x._re, width, mode=mode, **kwargs),
                  np.pad(x._t, rows_width, mode=mode, **row_kwargs))


def _sort(a, axis=-1, kind=None, order=None, **kwargs):
    """The values as numpy.sort gives them; each tangent follows its value
    (a stable permutation, so equal values keep their order)."""
    x = _as_array(a)
    _no_extras("sort", order=order, **kwargs)
    if axis is None:
        x, axis = x.ravel(), 0
    index = np.argsort(x._re, axis=axis, kind="stable")
    t = np.take_along_axis(x._t, index[None].repeat(x._t.shape[0], 0),
                           _axis_of_rows(axis, x.ndim))
    return x._like(np.sort(x._re, axis=axis, kind=kind), t)


def _argsort(a, axis=-1, kind=None, order=None, **kwargs):
    return np.argsort(_as_array(a)._re, axis=axis, kind=kind, order=order, **kwargs)


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    """numpy.var as NumPy computes it (the mean, the squared deviations, their
    sum over n - ddof), with the derivative parts through each step."""
    x = _as_array(a)
    _no_extras("var", dtype=dtype, out=out, **kwargs)
    d = x - _mean(x, axis=axis, keepdims=True)
    n = x.size if axis is None else int(np.prod([x.shape[i] for i in
                                                 (axis if isinstance(axis, tuple) else (axis,))]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return _sum(d * d, axis=axis, keepdims=keepdims) / max(n - ddof, 0)


def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    return np.sqrt(_var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                        **kwargs))


def _einsum_output(inputs):
    """The output subscripts of implicit-mode einsum: the letters used once, sorted."""
    letters = [c for c in inputs if c.isalpha()]
    out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ("..." if "..." in inputs else "") + out


def _einsum(*operands, out=None, optimize=False, **kwargs):
    """numpy.einsum(subscripts, *operands): a multilinear function, so each
    tangent row is the sum of the einsums with one operand replaced by its
    row (and, for second order, two operands by their first-order rows)."""
    _no_extras("einsum", out=out, **kwargs)
    subscripts, operands = operands[0], operands[1:]
    if not isinstance(subscripts, str):
        raise TypeError("numpy.einsum with dualdiff arrays takes its subscripts as a string "
                        "(np.einsum('ij,j->i', a, x)), not the interleaved form")
    like = _lead(operands)
    subs = subscripts.replace(" ", "")
    inputs, arrow, output = subs.partition("->")
    if not arrow:
        output = _einsum_output(inputs)
    specs = inputs.split(",")
    if len(specs) != len(operands):
        raise ValueError("numpy.einsum: as many operands as subscripts are needed")
    parts = []
    for o in operands:
        lifted = like._lift(o)
        if lifted is None:
            raise _operand_error("numpy.einsum", like, o)
        parts.append((np.asarray(lifted[0], dtype=np.float64), lifted[1]))
    values = [p[0] for p in parts]
    free = [c for c in string.ascii_letters if c not in subs]

    def term(replaced):
        """The einsum with operand i replaced by array r (with leading axes
        labelled `lead`) for each i: (r, lead) in replaced."""
        ins, arrays, lead_out = [], [], ""
        for i, spec in enumerate(specs):
            if i in replaced:
                r, lead = replaced[i]
                ins.append(lead + spec)
                arrays.append(r)
                lead_out += lead
            else:
                ins.append(spec)
                arrays.append(values[i])
        lead_out = "".join(sorted(lead_out, key=free.index))
        return np.einsum(",".join(ins) + "->" + lead_out + output, *arrays, optimize=optimize)

    value = np.einsum(subs if arrow else inputs + "->" + output, *values, optimize=optimize)
    var = [i for i, p in enumerate(parts) if p[1] is not None]
    a, b = free[:2]
    if isinstance(like, HessianArrayBase):
        k = like._k(like._t)
        split = {i: like._split(parts[i][1]) for i in var}
        g = sum(term({i: (split[i][0], a)}) for i in var)
        h = sum(term({i: (split[i][1], a + b)}) for i in var)
        for i in var:
            for j in var:
                if i != j:
                    h = h + term({i: (split[i][0], a), j: (split[j][0], b)})
        rows = like._join(g, h) if var else np.zeros((k + k * k,) + value.shape)
    elif like._order == 2:
        e = [sum(term({i: (parts[i][1][r], "")}) for i in var) for r in range(3)]
        for i in var:
            for j in var:
                if i != j:
                    e[2] = e[2] + term({i: (parts[i][1][0], ""), j: (parts[j][1][1], "")})
        rows = np.stack([np.broadcast_to(r, value.shape) for r in e])
    else:
        rows = sum(term({i: (parts[i][1], a)}) for i in var)
    return like._element(value, np.broadcast_to(rows, (like._t.shape[0],) + value.shape))


def _sinc(x):
    """numpy.sinc, sin(pi x) / (pi x), with exact derivatives at 0
    (sinc'(0) = 0, sinc''(0) = -pi^2/3) and no cancellation near it."""
    x = _as_array(x)
    re = x._re
    y = np.pi * re
    small = np.abs(y) < 2.0
    with np.errstate(all="ignore"):
        # sin and cos of pi*x from x reduced mod 2 (exactly): pi*x itself is
        # rounded, by ulps of cos that grow with x
        r = re - 2.0 * np.round(0.5 * re)
        s, c = np.sin(np.pi * r), np.cos(np.pi * r)
        g = (c - s / y) / y                        # d/dy sin(y)/y
        h = (-s - 2.0 * c / y + 2.0 * s / (y * y)) / y
        if small.any():   # the series: these forms cancel as y -> 0
            z = y * y
            gs = np.zeros_like(z)
            hs = np.zeros_like(z)
            for kk in range(14, 0, -1):
                fact = math.factorial(2 * kk + 1)
                gs = gs * z + (-1) ** kk * 2 * kk / fact
                hs = hs * z + (-1) ** kk * 2 * kk * (2 * kk - 1) / fact
            g = np.where(small, gs * y, g)
            h = np.where(small, hs, h)
        f2 = (np.pi * np.pi) * h
    # sinc''(0) = -pi^2/3 correctly rounded (the product above is 1 ulp off)
    f2 = np.where(re == 0.0, _SINC2_AT_0, f2)
    return x._apply_rule(np.sinc(re), np.pi * g, f2)


_SINC2_AT_0 = -3.289868133696453


def _zeros_like(a, dtype=None, order="K", subok=True, shape=None, fill=0.0):
    """A mutable object ndarray of zeros (of a's shape): item assignment of
    dual numbers into it works, and jacobian and the array operations take it."""
    if dtype is not None and np.dtype(dtype) != object:
        raise TypeError(f"numpy.zeros_like(x, dtype={np.dtype(dtype).name}) of a dualdiff "
                        "array cannot hold its derivative parts; leave dtype out (an object "
                        "array), or use np.zeros(x.shape) for plain float zeros")
    out = np.empty(_as_array(a).shape if shape is None else shape, dtype=object)
    out.fill(fill)
    return out


def _ones_like(a, dtype=None, order="K", subok=True, shape=None):
    return _zeros_like(a, dtype, order, subok, shape, fill=1.0)


def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    if isinstance(fill_value, ArrayBase) or not isinstance(fill_value, numbers.Real):
        raise TypeError("numpy.full_like of a dualdiff array takes a real fill value")
    return _zeros_like(a, dtype, order, subok, shape, fill=float(fill_value))


def _operand_error(what, like, x):
    return TypeError(f"{what}: cannot combine a {type(like).__name__} with "
                     f"{type(x).__name__!r}; the operands must be real numbers, lists or "
                     f"ndarrays of them, or {type(like).__name__}s")


_UFUNC_HANDLERS = {
    np.add: _ufunc_binary("__add__"), np.subtract: _ufunc_binary("__sub__"),
    np.multiply: _ufunc_binary("__mul__"), np.divide: _ufunc_binary("__truediv__"),
    np.power: _power, np.float_power: _float_power, np.arctan2: _arctan2, np.hypot: _hypot,
    np.negative: lambda x: -x, np.positive: lambda x: x,
    np.square: lambda x: x * x, np.reciprocal: lambda x: 1.0 / x,
    np.maximum: _maximum, np.minimum: _minimum, np.fmax: _maximum, np.fmin: _minimum,
    np.matmul: _matmul,
}

_FUNCTION_HANDLERS = {
    np.sum: _sum, np.mean: _mean, np.prod: _prod, np.cumsum: _cumsum, np.diff: _diff,
    np.dot: _dot, np.matmul: _matmul, np.where: _where, np.clip: _clip,
    np.concatenate: concatenate, np.stack: _stack, np.reshape: _reshape,
    np.transpose: _transpose, np.linalg.norm: _norm, np.shape: _shape, np.ndim: _ndim,
    np.size: _size, np.max: lambda x, axis=None, keepdims=False: x.max(axis, keepdims),
    np.min: lambda x, axis=None, keepdims=False: x.min(axis, keepdims),
    np.amax: lambda x, axis=None, keepdims=False: x.max(axis, keepdims),
    np.amin: lambda x, axis=None, keepdims=False: x.min(axis, keepdims),
    np.maximum: _maximum, np.minimum: _minimum, np.moveaxis: moveaxis,
    np.expand_dims: expand_dims, np.ravel: lambda x, order="C": _ravel(x, order),
    np.hstack: _hstack, np.vstack: _vstack, np.dstack: _dstack, np.column_stack: _column_stack,
    np.atleast_1d: _atleast_fn(1), np.atleast_2d: _atleast_fn(2), np.atleast_3d: _atleast_fn(3),
    np.pad: _pad, np.sort: _sort, np.argsort: _argsort, np.var: _var, np.std: _std,
    np.einsum: _einsum, np.sinc: _sinc, np.zeros_like: _zeros_like, np.ones_like: _ones_like,
    np.empty_like: _zeros_like, np.full_like: _full_like,
}


def _ravel(x, order="C"):
    return x.ravel() if order in ("C", "A", "K") else x.reshape(-1, order=order)


#: NumPy functions that mix the elements of an array (reductions, shifts,
#: gathers, products): derivative()'s elementwise seed refuses them by name.
_MIXING_FUNCTIONS = {}
for _f in ("sum", "mean", "prod", "cumsum", "cumprod", "diff", "ediff1d", "max", "min", "amax",
           "amin", "ptp", "median", "average", "percentile", "quantile", "nansum", "nanmean",
           "nanprod", "nanmax", "nanmin", "nancumsum", "nanstd", "nanvar", "std", "var",
           "dot", "vdot", "inner", "outer", "matmul", "tensordot", "einsum", "kron", "cross",
           "trace", "sort", "argsort", "roll", "rollaxis", "flip", "fliplr", "flipud", "rot90",
           "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "append",
           "insert", "delete", "pad", "take", "take_along_axis", "compress", "extract",
           "tile", "repeat", "trapezoid", "trapz", "convolve", "correlate", "gradient",
           "swapaxes", "flatnonzero", "unique", "partition",
           "resize", "diag", "diagonal", "tril", "triu", "interp", "searchsorted", "select",
           "choose", "piecewise", "broadcast_to"):
    if hasattr(np, _f):
        _MIXING_FUNCTIONS[getattr(np, _f)] = f"numpy.{_f}"
_MIXING_FUNCTIONS[np.linalg.norm] = "numpy.linalg.norm"
for _f in ("matmul", "tensordot", "vecdot", "matrix_norm", "vector_norm", "det", "inv", "solve"):
    if hasattr(np.linalg, _f):
        _MIXING_FUNCTIONS[getattr(np.linalg, _f)] = f"numpy.linalg.{_f}"


# ---------------------------------------------------------------------------
# derivative()'s seed: an array that refuses to mix its elements
# ---------------------------------------------------------------------------

def _format_index(index):
    """index as written between brackets: x[::-1], x[0, 1:], x[mask]."""
    def one(i):
        if i is Ellipsis:
            return "..."
        if i is None:
            return "None"
        if isinstance(i, slice):
            text = ":".join("" if v is None else str(v) for v in (i.start, i.stop, i.step))
            return text[:-1] if i.step is None else text
        if isinstance(i, np.ndarray) and i.dtype == bool:
            return "<boolean mask>"
        if isinstance(i, (np.ndarray, list)):
            return "<index array>"
        return repr(i)
    items = index if isinstance(index, tuple) else (index,)
    return ", ".join(one(i) for i in items) if items else "()"


def _identity_index(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is Ellipsis or (isinstance(i, slice) and i == slice(None)) for i in items)


class _ElementwiseSeed:
    """The methods that derivative()'s seed (an array whose element i is
    variable i) replaces: each operation that would mix elements raises
    NotElementwiseError naming it.  The elementwise operations are the
    plain class's own, at their own speed."""

    __slots__ = ()
    _seed = True

    def __getitem__(self, index):
        if _identity_index(index):
            return self
        hint = ("; for an elementwise choice use numpy.where(mask, a, b)"
                if isinstance(index, np.ndarray) and index.dtype == bool else "")
        raise _not_elementwise(f"indexing x[{_format_index(index)}]{hint}")

    def __iter__(self):
        raise _not_elementwise("iterating over x, as a for loop or sum(x) does")

    def transpose(self, *axes):
        out = super().transpose(*axes)
        if out.shape != self.shape or (self.ndim > 1 and any(
                a != i for i, a in enumerate(_transpose_axes(axes, self.ndim)))):
            raise _not_elementwise("transposing x (transpose, .T, moveaxis) other than "
                                   "the identity")
        return out

    def reshape(self, *shape, order="C"):
        if order not in ("C", "A"):
            raise _not_elementwise(f"reshape with order={order!r}")
        return super().reshape(*shape, order=order)

    def __matmul__(self, other):
        raise _not_elementwise("numpy.matmul (@)")

    def __rmatmul__(self, other):
        raise _not_elementwise("numpy.matmul (@)")

    def __reduce__(self):   # pickles as the plain array
        return (self._family._rebuild, (np.array(self._re), np.array(self._t)))


def _transpose_axes(axes, ndim):
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], numbers.Integral)):
        axes = axes[0]
    if not axes:
        return tuple(range(ndim))[::-1]
    return tuple(operator.index(a) % max(ndim, 1) for a in axes)


def _refusing_method(what):
    def method(self, *args, **kwargs):
        raise _not_elementwise(what)
    method.__name__ = what
    return method


for _name, _what in (("sum", "numpy.sum"), ("mean", "numpy.mean"), ("prod", "numpy.prod"),
                     ("cumsum", "numpy.cumsum"), ("dot", "numpy.dot"), ("max", "numpy.max"),
                     ("min", "numpy.min"), ("logsumexp", "dualdiff.logsumexp"),
                     ("softmax", "dualdiff.softmax")):
    setattr(_ElementwiseSeed, _name, _refusing_method(_what))


def _seed_class(cls):
    """cls's elementwise seed class (named as cls, for its messages)."""
    seed = type(cls.__name__, (_ElementwiseSeed, cls),
                {"__slots__": (), "__module__": cls.__module__, "__doc__": cls.__doc__,
                 "_family": cls})
    cls._family = cls
    cls._elementwise_seed = seed
    return seed


# ---------------------------------------------------------------------------
# The classes of one backend, and derivatives over arrays
# ---------------------------------------------------------------------------

def array_types(kernels, Dual, HyperDual, module, tags):
    """DualArray and HyperDualArray over a backend's kernels and scalar types,
    as attributes of `module` (so that they pickle by reference).

    `tags` gives the backend's tags of derivative calls: new() a fresh one,
    of(number) a Dual's or HyperDual's, dual(re, du, tag) and
    hyper(re, e1, e2, e12, tag) the numbers of a call.
    """
    dual_array = type("DualArray", (DualArrayBase,),
                      {"__slots__": (), "_kernels": kernels, "_scalar": Dual, "_tags": tags,
                       "__module__": module, "__doc__": DualArrayBase.__doc__})
    hyper_array = type("HyperDualArray", (HyperDualArrayBase,),
                       {"__slots__": (), "_kernels": kernels, "_scalar": HyperDual,
                        "_tags": tags,
                        "__module__": module, "__doc__": HyperDualArrayBase.__doc__})
    _seed_class(dual_array)
    _seed_class(hyper_array)
    return dual_array, hyper_array


def array_point(x, op):
    """x as a float64 ndarray for an elementwise derivative; TypeError otherwise."""
    _common.refuse_masked(op, x)
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.integer)
                                 or np.issubdtype(x.dtype, np.floating) or x.dtype == bool):
        raise _common.operand_error(op, x, "a real number or an ndarray of real numbers")
    return np.asarray(x, dtype=np.float64)   # no copy: dualdiff's arrays never write to it


def result_parts(y, op, cls, shape):
    """(values, tangent rows) of f's result: a dualdiff array, scalar, or constant."""
    if isinstance(y, cls):
        return y._re, y._t
    if isinstance(y, ArrayBase):
        raise _common.result_error(op, y)
    if type(y) is cls._scalar:
        return np.float64(y.real), _scalar_rows_of(cls, y)
    c = _real_operand(y)
    if c is None:
        raise _common.result_error(op, y)
    rows = 3 if cls._order == 2 else 1
    c = np.asarray(c, dtype=np.float64)
    return c, np.zeros((rows,) + c.shape)


def _foreign(y, cls, tag):
    """f's result y carries a perturbation other than this call's (tag)."""
    if isinstance(y, ArrayBase):
        return y._tag != tag
    if type(y) is cls._scalar:
        return cls._tags.of(y) != tag
    return isinstance(y, _common.NUMBER_TYPES)


def _scalar_rows_of(cls, s):
    if cls._order == 2:
        return np.array([s.e1, s.e2, s.e12])
    return np.array([s.dual])


def elementwise_derivative(op, types, f, x):
    """op(f, x) for an ndarray x: one evaluation of f at a DualArray (HyperDualArray
    for second_derivative), each element its own variable, as
    scipy.differentiate.derivative does.

    An f that cannot take an array (math.sin, ``if x > 0``, a NumPy function
    without a rule) is evaluated point by point instead: that is, when f
    raises ArrayUnsupported, or a TypeError or ValueError of its own or of
    NumPy's.  An error raised through dualdiff's code propagates, so that a
    fault there is never hidden as a slow point-by-point evaluation.
    """
    name = op.__name__
    points = array_point(x, name)
    dual_array, hyper_array = types
    cls = hyper_array if name == "second_derivative" else dual_array
    # unit tangents broadcast from one number per row: a seed costs no memory
    unit = np.array([1.0, 1.0, 0.0] if cls is hyper_array else [1.0])
    tag = cls._tags.new()
    seed = cls._elementwise_seed._new(points, np.broadcast_to(unit.reshape((-1,) + (1,) * points.ndim),
                                            unit.shape + points.shape), tag)
    try:
        with _common.user_fp_errors(name):   # NumPy's warnings point at f's line
            y = f(seed)
    except _common.NestedCallError:   # another call's perturbation met this one's
        y = _POINT_BY_POINT
    except (TypeError, ValueError) as exc:
        if not isinstance(exc, ArrayUnsupported) and _raised_inside_dualdiff(exc):
            raise
        y = _POINT_BY_POINT
    if y is _POINT_BY_POINT or _foreign(y, cls, tag):
        # point by point (outside the except block: no chained traceback),
        # where the scalar path keeps nested calls apart, and reads a number
        # of another call as it does at a scalar point
        return _common.elementwise(op, f, x)
    if isinstance(y, ArrayBase) and y.shape != points.shape:
        raise _not_elementwise(f"f(x) is an array of shape {y.shape}, not x's shape "
                               f"{points.shape}")
    values, rows = result_parts(y, name, cls, points.shape)
    slope = rows[2] if cls is hyper_array else rows[0]
    shape = np.broadcast_shapes(np.shape(values), points.shape) if np.ndim(values) == 0 \
        else np.shape(values)
    slope = np.broadcast_to(slope, shape).copy()
    if name == "value_and_derivative":
        return np.broadcast_to(values, shape).copy(), slope
    return slope


_common.ARRAY_BASE = ArrayBase


_POINT_BY_POINT = object()
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # dualdiff/


def _raised_inside_dualdiff(exc):
    """dualdiff's own code is on exc's traceback below the frame that called f."""
    tb = exc.__traceback__.tb_next   # the caller's own frame is dualdiff's: skip it
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if (os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)
                or filename.endswith((".pyx", ".pxi"))):
            return True
        tb = tb.tb_next
    return False
