"""derivative(f, x) of an ndarray x: one evaluation of f at an array whose
element i is variable i (the elementwise seed, which refuses every
operation that would mix elements), and the array classes of a backend."""

import numbers
import operator
import os

import numpy as np

from dualdiff import _common
from dualdiff.arrays.base import ArrayBase, ArrayUnsupported, not_elementwise, real_operand
from dualdiff.arrays.types import DualArrayBase, HyperDualArrayBase

# -- derivative()'s seed: an array that refuses to mix its elements ------------

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
        raise not_elementwise(f"indexing x[{_format_index(index)}]{hint}")

    def __iter__(self):
        raise not_elementwise("iterating over x, as a for loop or sum(x) does")

    def transpose(self, *axes):
        out = super().transpose(*axes)
        if out.shape != self.shape or (self.ndim > 1 and any(
                a != i for i, a in enumerate(_transpose_axes(axes, self.ndim)))):
            raise not_elementwise("transposing x (transpose, .T, moveaxis) other than "
                                   "the identity")
        return out

    def reshape(self, *shape, order="C"):
        if order not in ("C", "A"):
            raise not_elementwise(f"reshape with order={order!r}")
        return super().reshape(*shape, order=order)

    def __matmul__(self, other):
        raise not_elementwise("numpy.matmul (@)")

    def __rmatmul__(self, other):
        raise not_elementwise("numpy.matmul (@)")

    def __reduce__(self):   # pickles as the plain array
        return (self._family._rebuild, (np.array(self._re), np.array(self._t)))

    def __array_function__(self, func, types, args, kwargs):
        if func in _MIXING_FUNCTIONS:
            raise not_elementwise(_MIXING_FUNCTIONS[func])
        return super().__array_function__(func, types, args, kwargs)


def _transpose_axes(axes, ndim):
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], numbers.Integral)):
        axes = axes[0]
    if not axes:
        return tuple(range(ndim))[::-1]
    return tuple(operator.index(a) % max(ndim, 1) for a in axes)


def _refusing_method(what):
    def method(self, *args, **kwargs):
        raise not_elementwise(what)
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


# -- the classes of one backend, and derivatives over arrays --------------------

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
        return np.float64(y.real), cls._rows_of_scalar(y)
    c = real_operand(y)
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
        raise not_elementwise(f"f(x) is an array of shape {y.shape}, not x's shape "
                               f"{points.shape}")
    values, rows = result_parts(y, name, cls, points.shape)
    slope = rows[2] if cls is hyper_array else rows[0]
    shape = np.broadcast_shapes(np.shape(values), points.shape) if np.ndim(values) == 0 \
        else np.shape(values)
    slope = np.broadcast_to(slope, shape).copy()
    if name == "value_and_derivative":
        return np.broadcast_to(values, shape).copy(), slope
    return slope


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
