"""Second derivatives: hessian and hvp (the Hessian-vector product).

``hessian`` evaluates f once at HessianDual numbers (sparse first and
second partials), or with vectorized=True once at a HessianArray carrying
n first and n * n second partials; ``hvp`` once at numbers x_i + e_i +
eps v_i whose two parts are GradientDuals (forward over forward).

As in ``dualdiff.api.multivariate``: the functions in ``BOUND`` read the
module global ``backend`` and are copied per backend by
``dualdiff.api.namespace``; the helpers take the backend as an argument.
"""

import numbers
from functools import partial

import numpy as np

from dualdiff import _common
from dualdiff import arrays as _array
from dualdiff.api.auto import bind, call_mode
from dualdiff.api.points import perturbed, scalar, vector_point

#: The backend (a module implementing ``dualdiff._backend``), set per copy.
backend = None

#: The functions that read ``backend``.
BOUND = ("hessian", "hvp", "_read_hessian")


def symmetric(h):
    """(h + h.T) / 2, exactly symmetric, without overflow where h + h.T would
    pass DBL_MAX (where the halves are added, the last bit of a subnormal
    may go; elsewhere it is the plain formula, bit for bit)."""
    with np.errstate(over="ignore", invalid="ignore"):
        s = (h + h.T) * 0.5
        big = np.isinf(s) & np.isfinite(h) & np.isfinite(h.T)
        if big.any():
            s[big] = (h * 0.5 + h.T * 0.5)[big]
    return s


def hessian_of(backend, f, x, op, vectorized=False):
    """The Hessian of f at x, of shape x.shape + x.shape."""
    if not callable(f):
        raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
    x = vector_point(x, op)
    return flat_hessian(backend, f, x, op, vectorized).reshape(x.shape + x.shape)


def flat_hessian(backend, f, x, op, vectorized):
    """The (n, n) Hessian of f at the float64 ndarray x, n = x.size."""
    n = x.size
    if vectorized:
        return vectorized_hessian(backend, f, x, op)
    tag = backend._tags.new()
    y = f(backend._hessian_seeds(x.ravel(), tag).reshape(x.shape))
    return hessian_result(backend, y, n, op, tag)


def hessian_result(backend, y, n, op, tag):
    """The (n, n) Hessian from f's result y at the seeds of the call `tag`."""
    y = scalar(y)
    if type(y) is backend.HessianDual:   # of another call (kept from an earlier one): a constant
        return y.hessian(n) if backend._tags.of(y) == tag else np.zeros((n, n))
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        return np.zeros((n, n))
    raise _common.result_error(op, y)


def vectorized_hessian(backend, f, x, op):
    """The Hessian from one evaluation of f at a HessianArray: n first-order
    rows (the identity) and n * n second-order rows (zero)."""
    n = x.size
    rows = np.zeros((n + n * n, n))
    rows[:n] = np.eye(n)
    HessianArray = backend._HessianArray
    tag = backend._tags.new()
    with _common.user_fp_errors(op):
        y = scalar(f(HessianArray._new(x, rows.reshape((n + n * n,) + x.shape), tag)))
    if isinstance(y, HessianArray):
        if y._tag != tag:   # of another call (kept from an earlier one): a constant
            return np.zeros((n, n))
        if y.ndim != 0:
            raise _common.result_error(op, y)
        return symmetric(np.array(HessianArray._split(y._t)[1], dtype=np.float64))
    if type(y) is backend.Dual or isinstance(y, _array.ArrayBase):
        raise _common.result_error(op, y)
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        return np.zeros((n, n))
    raise _common.result_error(op, y)


def _read_hessian(y, n, tag):
    """The Hessian from f's result y at the seeds of the call `tag` (what
    the backend's fast path calls)."""
    return hessian_result(backend, y, n, "hessian", tag)


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
    if x is ...:   # no point: return the Hessian function
        return bind(hessian, f, vectorized, partial(perturbed, backend), args)
    h = backend._fast_hessian(f, x, vectorized, args, _read_hessian)
    if h is not None:
        return h
    return hessian_of(backend, _common.with_args(f, args, "hessian"), x, "hessian",
                      call_mode(vectorized, "hessian"))


def hvp(f, x=..., v=..., *, vectorized=False, args=()):
    """hvp(f, x, v, *, vectorized=False, args=()) -> the Hessian-vector product H(x) v, an ndarray of x's shape.

    One evaluation of f at numbers x_i + e_i + eps v_i whose two parts
    are GradientDuals (forward over forward): it costs a small multiple
    of one gradient (about 2x for Rosenbrock at n = 100), never the
    whole Hessian; vectorized=True goes through the vectorized Hessian
    (what hessian(vectorized=True) costs).
    ``args`` are passed on to f, as f(x, *args).  Without x and v,
    returns the function (x, v) -> hvp(f, x, v), e.g. as scipy.optimize's
    ``hessp`` (vectorized="auto": as for gradient()).

    >>> import dualdiff as dd
    >>> dd.hvp(lambda p: p[0]**2 * p[1], [1.0, 2.0], [1.0, 0.0])
    array([4., 2.])
    """
    if x is ... and v is ...:   # no point: return the function of (x, v)
        return bind(hvp, f, vectorized, partial(perturbed, backend), args)
    vectorized = call_mode(vectorized, "hvp", "x, v")
    if v is ...:
        raise TypeError("hvp() expects a direction v with the point x")
    f = _common.with_args(f, args, "hvp")
    x = vector_point(x, "hvp")
    v = vector_point(v, "hvp")
    if v.shape != x.shape:
        raise ValueError(f"hvp() expects v of the shape of x {x.shape}, not {v.shape}")
    if vectorized:
        h = hessian_of(backend, f, x, "hvp", vectorized).reshape(x.size, x.size)
        flat = v.ravel()
        used = flat != 0.0   # zero stays zero: an infinite entry times a zero component is 0
        return (h[:, used] @ flat[used]).reshape(x.shape)
    return hvp_numbers(backend, f, x, v)


def hvp_numbers(backend, f, x, v):
    """H(x) v from one evaluation of f at the numbers x + e + eps v of a
    fresh call, for float64 ndarrays x and v of one shape."""
    if not callable(f):
        raise TypeError(f"hvp() expects a callable f, not {type(f).__name__!r}")
    tag = backend._tags.new()
    seeds = backend._hvp_seeds(x.ravel(), v.ravel(), tag)
    y = scalar(f(seeds if x.ndim == 1 else seeds.reshape(x.shape)))
    if type(y) is backend._DirectionalDual:   # of another call (an earlier one's): a constant
        if backend._tags.of(y) != tag:
            return np.zeros(x.shape)
        return y.tangent.gradient(x.size).reshape(x.shape)
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        return np.zeros(x.shape)
    raise _common.result_error("hvp", y)
