"""The NumPy protocol of the dualdiff arrays: __array_ufunc__ and
__array_function__ dispatch through the tables at the end of this module to
the handlers (functions.py, linalg.py), and the ndarray methods that are
NumPy functions (sum, mean, max, ...)."""

import operator

import numpy as np

from dualdiff import _common
from dualdiff.arrays.base import UNARY_UFUNCS, ArrayUnsupported, not_elementwise, squeeze
from dualdiff.arrays.functions import (
    _argsort, _arctan2, _atleast_fn, _clip, _column_stack, _cumsum, _diff, _dstack, _extreme,
    _float_power, _full_like, _hstack, _hypot, _maximum, _mean, _minimum, _ones_like, _pad,
    _power, _prod, _ravel, _reshape, _shape, _sinc, _size, _ndim, _sort, _stack, _std, _sum,
    _transpose, _ufunc_binary, _values, _var, _vstack, _where, _zeros_like, concatenate,
    expand_dims, moveaxis)
from dualdiff.arrays.linalg import _dot, _einsum, _matmul, _norm

_COMPARISONS = {np.less: operator.lt, np.less_equal: operator.le, np.greater: operator.gt,
                np.greater_equal: operator.ge, np.equal: operator.eq,
                np.not_equal: operator.ne}
_PREDICATES = (np.isfinite, np.isinf, np.isnan, np.signbit)


class NumpyProtocol:
    """NumPy's ufuncs and functions on an ArrayBase, and the ndarray methods
    that are reductions or products."""

    __slots__ = ()

    # -- NumPy dispatch ----------------------------------------------------

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if kwargs.get("out") is not None or kwargs.get("where", True) is not True:
            raise ArrayUnsupported(f"numpy.{ufunc.__name__} with out= or where= is not supported "
                            f"for {type(self).__name__}")
        kwargs.pop("out", None)
        kwargs.pop("where", None)
        if method != "__call__" and self._seed:
            raise not_elementwise(f"numpy.{ufunc.__name__}.{method}")
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
        handler = _FUNCTION_HANDLERS.get(func)
        if handler is None:
            raise ArrayUnsupported(f"numpy.{getattr(func, '__name__', func)} is not supported for "
                            f"{types[0].__name__ if types else 'DualArray'}: its derivative "
                            "would be lost")
        return handler(*args, **kwargs)

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

    def __matmul__(self, other):
        return _matmul(self, other)

    def __rmatmul__(self, other):
        return _matmul(other, self)

    def logsumexp(self, axis=None, keepdims=False):
        """logsumexp(axis=None, keepdims=False) -> log(sum(exp(x), axis)) without overflow.

        Its gradient is softmax.
        """
        if self.size == 0:
            raise ValueError("logsumexp() arg is an empty array")
        m = np.max(self._re, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)   # a constant shift: no derivative
        out = np.log(np.exp(self - m).sum(axis=axis, keepdims=True)) + m
        return out if keepdims else squeeze(out, axis)

    def softmax(self, axis=None):
        """softmax(axis=None) -> exp(x) / sum(exp(x), axis); its Jacobian is p_i (delta_ij - p_j)."""
        if self.size == 0:
            return self
        m = np.max(self._re, axis=axis, keepdims=True)
        e = np.exp(self - np.where(np.isfinite(m), m, 0.0))
        return e / e.sum(axis=axis, keepdims=True)


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
