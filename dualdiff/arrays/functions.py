"""NumPy's functions over the dualdiff arrays (reductions, shapes, stacking,
selection, ...): each applies NumPy's own function to the values and, where
it is linear, the same to every tangent row; protocol.py maps NumPy's
functions to these."""

import math
import numbers
import operator

import numpy as np

from dualdiff import _common
from dualdiff.arrays.base import ArrayBase, ArrayUnsupported, axis_of_rows, real_operand, squeeze


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


def _linear_reduction(reduce, x, axis, keepdims, extras):
    """numpy.sum or numpy.mean: the same reduction of the values and of every row."""
    _no_extras(reduce.__name__, **extras)
    rows = axis_of_rows(axis, x.ndim)
    keepdims = _common.flag(keepdims)
    return x._element(reduce(x._re, axis=axis, keepdims=keepdims),
                      reduce(x._t, axis=rows, keepdims=keepdims))


def _sum(x, axis=None, keepdims=False, dtype=None, out=None, **kwargs):
    return _linear_reduction(np.sum, x, axis, keepdims, dict(dtype=dtype, out=out, **kwargs))


def _mean(x, axis=None, keepdims=False, dtype=None, out=None, **kwargs):
    return _linear_reduction(np.mean, x, axis, keepdims, dict(dtype=dtype, out=out, **kwargs))


def _cumsum(x, axis=None, dtype=None, out=None):
    _no_extras("cumsum", dtype=dtype, out=out)
    if axis is None:
        x, axis = x.ravel(), 0
    return x._like(np.cumsum(x._re, axis=axis), np.cumsum(x._t, axis=axis_of_rows(axis, x.ndim)))


def _diff(x, n=1, axis=-1, **kwargs):
    _no_extras("diff", **kwargs)
    return x._like(np.diff(x._re, n=n, axis=axis),
                  np.diff(x._t, n=n, axis=axis_of_rows(axis, x.ndim)))


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
            out = x._like(np.float64(out.real), x._rows_of_scalar(out))
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
    rows = axis_of_rows(axis, re.ndim)
    return like._like(re, np.concatenate([p[1] for p in parts], axis=rows))


def _stack(arrays, axis=0, out=None, **kwargs):
    _no_extras("stack", out=out, **kwargs)
    arrays = list(arrays)
    like = _lead(arrays)
    parts = [_parts(like, a) for a in arrays]
    re = np.stack([p[0] for p in parts], axis=axis)
    rows = axis_of_rows(axis, re.ndim)
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
    t = np.take_along_axis(x._t, index[None].repeat(x._t.shape[0], 0), axis_of_rows(axis, x.ndim))
    out = x._like(re, t)
    return out if keepdims else squeeze(out, axis)


def expand_dims_all(x, y):
    if not isinstance(y, ArrayBase):
        y = x._like(np.float64(y.real), x._rows_of_scalar(y))
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
        c = real_operand(x)
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
                           axis_of_rows(axis, x.ndim))
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


def _ravel(x, order="C"):
    return x.ravel() if order in ("C", "A", "K") else x.reshape(-1, order=order)
