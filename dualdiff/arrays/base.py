"""ArrayBase: the storage of the dualdiff arrays and their array protocol.

Storage: the real parts ``_re`` (float64, any shape s) and the tangent rows
``_t`` of shape (k,) + s, with ``_tag``, the derivative call that perturbs
them.  Here: construction, lifting an operand to (values, rows), shape and
indexing, conversion, pickling, and the operations that are linear in every
part (reshape, transpose, copy).  The arithmetic is in ops.py (dispatch) and
algebra.py (the rules of each shape), NumPy's functions in protocol.py and
the handlers it names.
"""

import numbers
import operator

import numpy as np

from dualdiff import _common, _spec

#: NumPy's ufuncs that are a unary rule of the table (value from NumPy): the
#: spec's (dualdiff/_spec.py) ufuncs of its rules.
UNARY_UFUNCS = {getattr(np, u): f.name for f in _spec.FUNCTIONS if f.rule is not None for u in f.ufuncs}


class ArrayUnsupported(TypeError, ValueError):
    """f did something a dualdiff array cannot do (float(), a truth test, a
    NumPy function without a derivative rule, ...): derivative() then
    evaluates f point by point.  Any other error from f propagates."""


class NotElementwiseError(ValueError):
    """derivative(f, x) of an ndarray x takes elementwise derivatives, and f
    mixed x's elements (a sum, a shift, a matrix product, ...): the result
    would not be elementwise.  dualdiff.jacobian, jvp or gradient give the
    derivatives of such a function."""


def not_elementwise(what):
    return NotElementwiseError(
        f"f mixes the elements of x ({what}), but derivative(f, x) of an ndarray x gives "
        "elementwise derivatives (element i of f(x) may depend on element i of x only).  "
        "For the derivatives of such an f use dualdiff.jacobian(f, x) (the full matrix), "
        "dualdiff.jvp(f, x, v) (one directional derivative), or dualdiff.gradient(f, x) "
        "(f with one output)")


def real_operand(x):
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


def axis_of_rows(axis, ndim):
    """The axis of the tangent rows that corresponds to `axis` of the values."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, tuple):
        return tuple(axis_of_rows(a, ndim) for a in axis)
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim + 1


class ArrayBase:
    """What every dualdiff array is: storage, the array protocol, linear operations.

    The array classes add ops.Operators (arithmetic), protocol.NumpyProtocol
    (NumPy's functions) and the algebra of their shape (algebra.py)."""

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
        c = real_operand(other)
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

    @staticmethod
    def _block(k, shape):
        """One float64 block for a result's value (block[0]) and its k tangent rows.

        One allocation, not two: with glibc, two large arrays allocated and
        freed in turn can miss its heap and fault in fresh pages every time
        (X + X measured 13x slower at 10**5 points with separate arrays)."""
        return np.empty((k + 1,) + tuple(shape))

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

    def __repr__(self):
        names = self._repr_names()
        parts = ", ".join(f"{name}={np.array2string(np.asarray(getattr(self, name)), separator=', ')}"
                          for name in names)
        return f"{type(self).__name__}({parts})"

    def _repr_names(self):
        return self._part_names


def squeeze(x, axis):
    if axis is None:
        return x.reshape(())
    return x.reshape(tuple(n for i, n in enumerate(x.shape)
                           if i not in {a % x.ndim for a in
                                        (axis if isinstance(axis, tuple) else (axis,))}))


_common.ARRAY_BASE = ArrayBase   # _common cannot import this module (it imports _common)
