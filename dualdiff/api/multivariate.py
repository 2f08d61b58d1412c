"""Derivatives of functions of several variables: gradient, jacobian, jvp.

The variables are an object ndarray of GradientDual seeds (of Dual for jvp),
so ``f`` may index them in Python loops or use NumPy's operators on them
(``x[1:] - x[:-1]**2``, ``np.sum``, ``@`` with a float matrix), as
``scipy.optimize.rosen`` does.

Cost: one evaluation of ``f``.  Each operation costs time proportional to
the number of variables its operands depend on (the partials are stored
sparsely), so a function whose intermediate values each involve a few
variables has a gradient at a small multiple of its own cost, for any n.

``vectorized=True`` evaluates f instead at one DualArray carrying one
tangent direction per variable: every operation is a NumPy operation on
dense (n, ...) tangents.  That is faster where intermediate values depend
on many variables (matrix products, softmax, logsumexp) and n is not
small, and slower for sparse structure such as Rosenbrock's; f must then
be written with array operations (no float(), no Python branching on x).
``vectorized="auto"``: see ``dualdiff.api.auto``.

Each call seeds its numbers with a fresh tag and reads from f's result
only the partials of its own tag: a number of another call (kept from an
earlier call, or an enclosing call's) is a constant to it.

The functions in ``BOUND`` read the module global ``backend``: they are
templates, copied for each backend by ``dualdiff.api.namespace``; the
helpers take the backend as their first argument.
"""

import numbers
from functools import partial

import numpy as np

from dualdiff import _common
from dualdiff import arrays as _array
from dualdiff.api.auto import bind, call_mode
from dualdiff.api.nested import nested_gradient, nested_jacobian
from dualdiff.api.points import perturbed, scalar, vector_point

#: The backend these functions work over (a module implementing
#: ``dualdiff._backend``): set in each copy ``dualdiff.api.namespace`` makes.
backend = None

#: The functions that read ``backend``: the public operators, and what the
#: backend's fast paths call back.
BOUND = ("gradient", "value_and_gradient", "jacobian", "value_and_jacobian", "jvp",
         "_read_gradient")


# ---------------------------------------------------------------------------
# Reading the partials out of f's result
# ---------------------------------------------------------------------------

def partials(backend, y, n, op, tag):
    """(value, gradient) of f's result y at the seeds of the call `tag`."""
    y = scalar(y)
    arr = array_result(backend, y, n, op, tag)
    if arr is not None:
        if np.ndim(arr[0]) != 0:
            raise _common.result_error(op, y)
        return float(arr[0]), np.array(arr[1], dtype=np.float64)
    if type(y) is backend.GradientDual:
        # of another call (kept from an earlier one): a constant here
        return y.real, y.gradient(n) if backend._tags.of(y) == tag else np.zeros(n)
    if type(y) is backend.Dual or type(y) is backend.NestedDual:
        # an enclosing derivative call's number: redo the work nested
        raise _common.nested_call_error(y, backend.GradientDual(0.0))
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        return float(y), np.zeros(n)
    raise _common.result_error(op, y)


def evaluate(backend, f, x, op, vectorized=False):
    """(f's result, the point as a float64 ndarray, the call's tag) from
    one evaluation of f."""
    if not callable(f):
        raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
    x = vector_point(x, op)
    n = x.size
    tag = backend._tags.new()
    if vectorized:
        # one direction per variable: the tangent rows are the identity
        with _common.user_fp_errors(op):   # NumPy's warnings point at f's line
            return f(backend.DualArray._new(x, np.eye(n).reshape((n,) + x.shape), tag)), x, tag
    seeds = backend._gradient_seeds
    if x.ndim == 1:
        return f(seeds(x, tag)), x, tag
    return f(seeds(x.ravel(), tag).reshape(x.shape)), x, tag


def array_result(backend, y, n, op, tag):
    """(values, partials of shape values.shape + (n,)) of f's result at the
    DualArray of n directions; None if y is not such an array."""
    DualArray, Dual = backend.DualArray, backend.Dual
    if isinstance(y, DualArray) and y._tag == tag:
        rows = y._t
        if rows.shape[0] != n:
            raise _common.result_error(op, y)
        return y._re, np.moveaxis(rows, 0, -1) if rows.ndim > 1 else rows
    if type(y) is Dual and backend._tags.of(y) == tag:   # an element of one direction (n = 1)
        return np.float64(y.real), np.array([y.dual])
    if isinstance(y, DualArray):   # of another call (kept from an earlier one): a constant
        return y._re, np.zeros(y._re.shape + (n,))
    if type(y) is Dual:   # maybe an enclosing call's: redo the work nested
        raise _common.mixed_perturbation_error("DualArray", y)
    if isinstance(y, _array.ArrayBase):
        raise _common.result_error(op, y)
    return None


def _read_gradient(y, n, tag):
    """The gradient from f's result y at the seeds of the call `tag` (what
    the backend's fast path calls where y is not its own GradientDual)."""
    return partials(backend, y, n, "gradient", tag)[1]


# ---------------------------------------------------------------------------
# gradient, jacobian
# ---------------------------------------------------------------------------

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
    if x is ...:   # no point: return the gradient function
        return bind(gradient, f, vectorized, partial(perturbed, backend), args)
    g = backend._fast_gradient(f, x, vectorized, args, _read_gradient)
    if g is not None:
        return g
    vectorized = call_mode(vectorized, "gradient")
    f = _common.with_args(f, args, "gradient")
    if perturbed(backend, x):   # inside a derivative call
        return nested_gradient(backend, f, x, "gradient")
    try:
        y, x, tag = evaluate(backend, f, x, "gradient", vectorized)
        return partials(backend, y, x.size, "gradient", tag)[1].reshape(x.shape)
    except _common.NestedCallError:   # inside a derivative call, through a closure
        return nested_gradient(backend, f, x, "gradient")


def value_and_gradient(f, x=..., *, vectorized=False, args=()):
    """value_and_gradient(f, x, *, vectorized=False, args=()) -> (f(x), gradient of f at x) from one evaluation.

    vectorized and args as for gradient().  Without x, returns the
    function x -> value_and_gradient(f, x).

    >>> import dualdiff as dd
    >>> dd.value_and_gradient(lambda v: v[0] * v[1], [3.0, 4.0])
    (12.0, array([4., 3.]))
    """
    if x is ...:   # no point: return the function
        return bind(value_and_gradient, f, vectorized, partial(perturbed, backend), args)
    vectorized = call_mode(vectorized, "value_and_gradient")
    f = _common.with_args(f, args, "value_and_gradient")
    if perturbed(backend, x):   # inside a derivative call
        return f(np.asarray(x, dtype=object)), nested_gradient(backend, f, x, "value_and_gradient")
    try:
        y, x, tag = evaluate(backend, f, x, "value_and_gradient", vectorized)
        value, g = partials(backend, y, x.size, "value_and_gradient", tag)
    except _common.NestedCallError:   # inside a derivative call, through a closure
        return (f(np.asarray(vector_point(x, "value_and_gradient"), dtype=object)),
                nested_gradient(backend, f, x, "value_and_gradient"))
    return value, g.reshape(x.shape)


def jacobian_of(backend, f, x, op, vectorized):
    """(f(x), the Jacobian of f at x, of shape f(x).shape + x.shape)."""
    y, x, tag = evaluate(backend, f, x, op, vectorized)
    n = x.size
    arr = array_result(backend, scalar(y), n, op, tag)
    if arr is not None:
        values, partial_rows = arr
        values = float(values) if np.ndim(values) == 0 else np.array(values)
        return values, np.array(partial_rows, dtype=np.float64).reshape(np.shape(values) + x.shape)
    if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0):
        outputs = np.empty(len(y) if not isinstance(y, np.ndarray) else y.shape,
                           dtype=object)
        if isinstance(y, np.ndarray):
            outputs[...] = y
        else:   # one by one: a slice assignment would ask a 0-d DualArray for an ndarray
            for i, yi in enumerate(y):
                outputs[i] = yi
        values = np.empty(outputs.shape)
        out = np.empty(outputs.shape + (n,))
        for index, yi in np.ndenumerate(outputs):
            values[index], out[index] = partials(backend, yi, n, op, tag)
        return values, out.reshape(outputs.shape + x.shape)
    value, g = partials(backend, y, n, op, tag)
    return value, g.reshape(x.shape)


def jacobian(f, x=..., *, vectorized=False, args=()):
    """jacobian(f, x, *, vectorized=False, args=()) -> the Jacobian of f at x, of shape f(x).shape + x.shape.

    f may return a list, tuple or ndarray of numbers (an (m, n) result
    for a 1-D x) or a single number (its gradient); with
    vectorized=True, a DualArray.  ``args`` are passed on to f, as
    f(x, *args).  Without x, returns the function x -> jacobian(f, x)
    (vectorized="auto": as for gradient()), e.g. as scipy's ``jac``.

    >>> import dualdiff as dd
    >>> dd.jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0])
    array([[3., 2.],
           [1., 1.]])
    """
    if x is ...:   # no point: return the Jacobian function
        return bind(jacobian, f, vectorized, partial(perturbed, backend), args)
    vectorized = call_mode(vectorized, "jacobian")
    f = _common.with_args(f, args, "jacobian")
    if perturbed(backend, x):   # inside a derivative call
        return nested_jacobian(backend, f, x)
    try:
        return jacobian_of(backend, f, x, "jacobian", vectorized)[1]
    except _common.NestedCallError:   # inside a derivative call, through a closure
        return nested_jacobian(backend, f, x)


def value_and_jacobian(f, x=..., *, vectorized=False, args=()):
    """value_and_jacobian(f, x, *, vectorized=False, args=()) -> (f(x), the Jacobian of f at x) from one evaluation.

    f(x) is a float for a function with one output, else a float64
    ndarray; the Jacobian is as jacobian() gives it.  Without x, returns
    the function x -> value_and_jacobian(f, x).

    >>> import dualdiff as dd
    >>> value, jac = dd.value_and_jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0])
    >>> value
    array([6., 5.])
    >>> jac
    array([[3., 2.],
           [1., 1.]])
    """
    if x is ...:   # no point: return the function
        return bind(value_and_jacobian, f, vectorized, partial(perturbed, backend), args)
    vectorized = call_mode(vectorized, "value_and_jacobian")
    f = _common.with_args(f, args, "value_and_jacobian")
    if perturbed(backend, x):
        raise TypeError("value_and_jacobian() inside a derivative call is not supported; "
                        "call f and jacobian() separately there")
    return jacobian_of(backend, f, x, "value_and_jacobian", vectorized)


# ---------------------------------------------------------------------------
# jvp: J(x) v at Dual numbers x + eps v
# ---------------------------------------------------------------------------

def jvp(f, x=..., v=..., *, vectorized=False, args=()):
    """jvp(f, x, v, *, vectorized=False, args=()) -> the directional derivative J(x) v, in one evaluation of f at Duals.

    The result has the shape of f(x): a float for a function with one
    output, an ndarray for a list, tuple or ndarray of outputs; v has
    the shape of x.  With vectorized=True, f is evaluated once at
    DualArray(x, v) instead of an object array of Duals (f written with
    array operations).  ``args`` are passed on to f, as f(x, *args).
    Without x and v, returns the function (x, v) -> jvp(f, x, v)
    (vectorized="auto": as for gradient()).

    >>> import dualdiff as dd
    >>> dd.jvp(lambda p: p[0]**2 * p[1], [1.0, 2.0], [1.0, 0.0])
    4.0
    """
    if x is ... and v is ...:   # no point: return the function of (x, v)
        return bind(jvp, f, vectorized, partial(perturbed, backend), args)
    vectorized = call_mode(vectorized, "jvp", "x, v")
    if not callable(f):
        raise TypeError(f"jvp() expects a callable f, not {type(f).__name__!r}")
    f = _common.with_args(f, args, "jvp")
    if v is ...:
        raise TypeError("jvp() expects a direction v with the point x")
    v = vector_point(v, "jvp")
    if perturbed(backend, x):   # inside a derivative call, x holds its numbers
        x = np.asarray(x, dtype=object)
    else:
        x = vector_point(x, "jvp")
    if v.shape != x.shape:
        raise ValueError(f"jvp() expects v of the shape of x {x.shape}, not {v.shape}")
    if vectorized and x.dtype != object:
        try:
            return vectorized_jvp(backend, f, x, v)
        except _common.NestedCallError:   # another call's numbers met: the numbers' way
            pass
    return jvp_numbers(backend, f, x, v)


def jvp_numbers(backend, f, x, v):
    """J(x) v from one evaluation of f at the numbers x + eps v of a fresh
    call: Duals, or nested numbers where x holds an enclosing call's."""
    tags, nesting = backend._tags, backend._nested
    Dual, NestedDual = backend.Dual, backend.NestedDual
    tag = tags.new()
    seeds = np.empty(x.size, dtype=object)
    for i, (xi, vi) in enumerate(zip(x.ravel().tolist(), v.ravel().tolist())):
        if type(xi) is Dual or type(xi) is NestedDual:
            seeds[i] = nesting.seed(xi, tag, vi)
        else:
            seeds[i] = tags.dual(float(xi), vi, tag)
    return jvp_result(backend, f(seeds.reshape(x.shape)), tag)


def jvp_result(backend, y, tag):
    """The tangents of f's result (a number, or a list, tuple or ndarray of
    them) along the call `tag`: an enclosing call's Duals where they
    depend on it, else floats."""
    def tangent(yi):
        return backend._nested.tangent(scalar(yi), tag, "jvp")

    if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0):
        outputs = np.asarray(y, dtype=object)
        out = np.empty(outputs.size, dtype=object)
        for i, yi in enumerate(outputs.ravel()):
            out[i] = tangent(yi)
        out = out.reshape(outputs.shape)
        return out if any(type(t) is not float for t in out.flat) else out.astype(np.float64)
    return tangent(y)


def vectorized_jvp(backend, f, x, v):
    """J(x) v from one evaluation of f at one DualArray(x, v)."""
    tags, DualArray = backend._tags, backend.DualArray
    tag = tags.new()
    with _common.user_fp_errors("jvp"):
        y = scalar(f(DualArray._new(x, v[np.newaxis], tag)))
    if isinstance(y, DualArray) and y._tag == tag:
        return float(y.dual) if y.ndim == 0 else np.array(y.dual)
    if isinstance(y, _array.ArrayBase) or isinstance(y, _common.NUMBER_TYPES):
        if tags.of(y) == tag:   # an element or a sum of the DualArray
            return y.dual
        raise _common.mixed_perturbation_error("DualArray", y)   # of another call
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        return 0.0
    if not (isinstance(y, (list, tuple))
            or (isinstance(y, np.ndarray) and y.dtype == object)):
        raise _common.result_error("jvp", y)
    # a list or tuple of outputs: Duals (elements or reductions of the
    # one-direction DualArray), taken as the numbers' way takes them
    return jvp_result(backend, y, tag)
